/*
 * cmd_retention.c - scrvault case conclude|publish, hold add|release|list,
 * retention confirm|plan|propose|approve|refuse|purge|certificate.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

static const cli_col plan_cols[] = {
	{ "case", "CASE" }, { "doc", "DOCUMENT" }, { "version", "VER" }, { "class", "CLASS" },
	{ "status", "STATUS" }, { "due_on", "DUE" }, { "rule", "RULE" }, { "held", "HELD BECAUSE" },
	{ "action", "PURGE WOULD" }, { NULL, NULL }
};
static const cli_col pub_cols[] = {
	{ "case", "CASE" }, { "published_on", "PUBLISHED" }, { "remove_by", "OFF THE WEB SITE BY" }, { NULL, NULL }
};
static const cli_col hold_cols[] = {
	{ "hold", "HOLD" }, { "request", "FOI" }, { "scope", "SCOPE" }, { "case", "CASE" }, { "doc", "DOCUMENT" },
	{ "class", "CLASS" }, { "reason", "REASON" }, { "until", "UNTIL" }, { "placed_by", "BY" }, { NULL, NULL }
};
static const cli_col blocking_cols[] = {
	{ "copy", "COPY" }, { "doc", "DOCUMENT" }, { "version", "VER" }, { "kind", "KIND" }, { "number", "NO" },
	{ "state", "STATE" }, { "holder", "HOLDER" }, { "contact", "CONTACT" }, { NULL, NULL }
};
static const cli_col purge_cols[] = {
	{ "doc", "DOCUMENT" }, { "version", "VER" }, { "record", "RECORD" }, { "class", "CLASS" }, { "rule", "RULE" },
	{ NULL, NULL }
};

static int number_arg(int64_t *id, const cli_args *a, const char *what)
{
	char *end = NULL;
	long long n = strtoll(a->args[0], &end, 10);

	if (!*a->args[0] || *end || n <= 0)
		return cli_usage(a, "%s is given by its number", what);
	*id = n;
	return 0;
}

static int cmd_conclude(cli_args *a)
{
	scrvault_json *j = NULL;
	scrvault *v = NULL;
	int error;

	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = scrvault_case_conclude(&j, v, a->args[0], cli_opt(a, "action-plan-approved-on"),
				       cli_opt(a, "ofsted-approved-on"));
	scrvault_vault_close(v);
	if (error < 0) {
		int rc = cli_fail(error);

		if (j && scrvault_json_get(j, "blocking")) {
			if (a->json)
				cli_print_json(j);
			else
				cli_table(scrvault_json_get(j, "blocking"), blocking_cols);
		}
		scrvault_json_free(j);
		return rc;
	}
	if (a->json)
		cli_print_json(j);
	else
		printf("case %s concluded on %s: its retention clocks have started\n", a->args[0],
		       scrvault_json_str(scrvault_json_get(j, "concluded_on")));
	scrvault_json_free(j);
	return 0;
}

static int cmd_publish(cli_args *a)
{
	scrvault *v = NULL;
	int error;

	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = scrvault_case_publish(v, a->args[0], cli_opt(a, "on"));
	scrvault_vault_close(v);
	if (error < 0)
		return cli_fail(error);
	printf("recorded: the executive summary of %s was published on %s ('retention plan' says when it comes down)\n",
	       a->args[0], cli_opt(a, "on"));
	return 0;
}

static int cmd_hold_add(cli_args *a)
{
	scrvault_json *j = NULL;
	scrvault *v = NULL;
	int error;

	if ((error = cli_open(&v, a)) != 0)
		return error;
	{
		scrvault_hold_spec s = SCRVAULT_HOLD_SPEC_INIT;

		s.target = a->nargs ? a->args[0] : NULL;
		s.board = cli_flag(a, "board");
		s.doc_class = cli_opt(a, "class");
		s.reason = cli_opt(a, "reason");
		error = scrvault_hold_add(&j, v, &s);
	}
	scrvault_vault_close(v);
	if (error < 0)
		return cli_fail(error);
	if (a->json)
		cli_print_json(j);
	else
		printf("hold %lld placed on %s\n", (long long)scrvault_json_int(scrvault_json_get(j, "hold")),
		       a->nargs ? a->args[0] : "everything of the board");
	scrvault_json_free(j);
	return 0;
}

static int cmd_hold_release(cli_args *a)
{
	scrvault_json *j = NULL;
	scrvault *v = NULL;
	int64_t id;
	int error;

	if ((error = number_arg(&id, a, "a hold")) != 0)
		return error;
	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = scrvault_hold_release(&j, v, id, cli_opt(a, "reason"));
	scrvault_vault_close(v);
	if (error < 0)
		return cli_fail(error);
	printf("hold %lld released\n", (long long)id);
	scrvault_json_free(j);
	return 0;
}

static int cmd_hold_list(cli_args *a)
{
	scrvault_json *j = NULL;
	scrvault *v = NULL;
	int error;

	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = scrvault_hold_list(&j, v);
	scrvault_vault_close(v);
	if (error < 0)
		return cli_fail(error);
	return cli_print_list(a, j, hold_cols);
}

static int cmd_confirm(cli_args *a)
{
	scrvault *v = NULL;
	int error;

	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = scrvault_retention_confirm(v);
	scrvault_vault_close(v);
	if (error < 0)
		return cli_fail(error);
	printf("the retention rules of the current policy are confirmed\n");
	return 0;
}

static int cmd_plan(cli_args *a)
{
	scrvault_json *j = NULL;
	scrvault *v = NULL;
	int error;

	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = scrvault_retention_plan(&j, v, cli_opt(a, "as-of"));
	scrvault_vault_close(v);
	if (error < 0)
		return cli_fail(error);
	if (a->json) {
		cli_print_json(j);
	} else {
		printf("retention plan as of %s%s\n", scrvault_json_str(scrvault_json_get(j, "as_of")),
		       scrvault_json_bool(scrvault_json_get(j, "confirmed")) ? "" :
		       " (the rules are NOT confirmed: the purge destroys nothing until 'retention confirm')");
		cli_table(scrvault_json_get(j, "versions"), plan_cols);
		if (scrvault_json_count(scrvault_json_get(j, "publications"))) {
			printf("\npublished executive summaries:\n");
			cli_table(scrvault_json_get(j, "publications"), pub_cols);
		}
	}
	scrvault_json_free(j);
	return 0;
}

static int cmd_propose(cli_args *a)
{
	scrvault_json *j = NULL;
	scrvault *v = NULL;
	int error;

	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = scrvault_retention_propose(&j, v);
	scrvault_vault_close(v);
	if (error < 0)
		return cli_fail(error);
	if (a->json) {
		cli_print_json(j);
	} else {
		printf("disposal batch %lld proposed: it waits for a records manager's 'scrvault retention approve %lld'\n",
		       (long long)scrvault_json_int(scrvault_json_get(j, "batch")),
		       (long long)scrvault_json_int(scrvault_json_get(j, "batch")));
		cli_table(scrvault_json_get(j, "versions"), plan_cols);
	}
	scrvault_json_free(j);
	return 0;
}

static int decide(cli_args *a, bool approve)
{
	scrvault_json *j = NULL;
	scrvault *v = NULL;
	int64_t id;
	int error;

	if ((error = number_arg(&id, a, "a disposal batch")) != 0)
		return error;
	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = approve ? scrvault_retention_approve(&j, v, id) : scrvault_retention_refuse(&j, v, id);
	scrvault_vault_close(v);
	if (error < 0)
		return cli_fail(error);
	printf("disposal batch %lld %s\n", (long long)id, approve ? "approved: the next purge carries it out" : "refused");
	scrvault_json_free(j);
	return 0;
}

static int cmd_approve(cli_args *a)
{
	return decide(a, true);
}

static int cmd_refuse(cli_args *a)
{
	return decide(a, false);
}

static int cmd_purge(cli_args *a)
{
	scrvault_json *j = NULL;
	scrvault *v = NULL;
	bool dry = cli_flag(a, "dry-run");
	int error;

	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = scrvault_retention_purge(&j, v, dry ? SCRVAULT_PURGE_DRY_RUN : 0);
	scrvault_vault_close(v);
	if (error < 0)
		return cli_fail(error);
	if (a->json) {
		cli_print_json(j);
	} else {
		size_t n = scrvault_json_count(scrvault_json_get(j, "destroyed"));

		printf("%s %zu version%s%s\n", dry ? "a purge now would destroy" : "destroyed", n, n == 1 ? "" : "s",
		       dry ? " (nothing was changed)" : "");
		if (n)
			cli_table(scrvault_json_get(j, "destroyed"), purge_cols);
	}
	scrvault_json_free(j);
	return 0;
}

static int cmd_certificate(cli_args *a)
{
	const char *out = cli_opt(a, "output");
	scrvault_json *j = NULL;
	scrvault *v = NULL;
	int64_t id;
	int error;

	if ((error = number_arg(&id, a, "a destruction record")) != 0)
		return error;
	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = scrvault_retention_certificate(&j, v, id);
	scrvault_vault_close(v);
	if (error < 0)
		return cli_fail(error);
	if (out) {
		const char *proof = scrvault_json_str(scrvault_json_get(j, "proof"));
		size_t len = proof ? strlen(proof) : 0;
		int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644), e;

		if (fd < 0) {
			e = errno;
			fprintf(stderr, "scrvault: cannot create '%s': %s%s\n", out, strerror(e),
				e == EEXIST ? " (nothing is ever replaced: choose another name)" : "");
			scrvault_json_free(j);
			return e == EEXIST ? 6 : e == ENOENT ? 4 : 1;
		}
		e = write(fd, proof, len) != (ssize_t)len || fsync(fd) < 0 ? errno : 0;
		if (close(fd) < 0 && !e)
			e = errno;
		if (e) {
			unlink(out);	/* ours: O_EXCL made it */
			fprintf(stderr, "scrvault: cannot write '%s': %s (nothing was left behind)\n", out, strerror(e));
			scrvault_json_free(j);
			return 1;
		}
	}
	if (a->json) {
		cli_print_json(j);
	} else {
		static const cli_col fields[] = {
			{ "record", "destruction record" }, { "vault", "vault" }, { "case", "case" }, { "doc", "document" },
			{ "version", "version" }, { "class", "class" }, { "rule", "rule applied" },
			{ "trigger_on", "rule's clock started" }, { "due_on", "due" }, { "destroyed_at", "destroyed" },
			{ "sha256", "plaintext SHA-256" }, { "ct_sha256", "ciphertext SHA-256" },
			{ "authorised_by", "authorised by" }, { "carried_out_by", "carried out by" },
			{ "audit_seq", "audit entry" }, { NULL, NULL }
		};

		printf("CERTIFICATE OF DESTRUCTION\n\n");
		cli_print_fields(scrvault_json_get(j, "record"), fields);
		if (out)
			printf("\nThe inclusion proof of its audit entry is in '%s': verify it offline with\n"
			       "  scrvault audit verify --vkey VKEY --proof %s\n", out, out);
		else
			printf("\ninclusion proof of its audit entry (verify with 'scrvault audit verify --vkey VKEY --proof FILE'):\n%s",
			       scrvault_json_str(scrvault_json_get(j, "proof")));
	}
	scrvault_json_free(j);
	return 0;
}

static const cli_optdef conclude_opts[] = {
	{ "action-plan-approved-on", 1 }, { "ofsted-approved-on", 1 }, { NULL, 0 }
};
static const cli_optdef publish_opts[] = { { "on", 1 }, { NULL, 0 } };
static const cli_optdef hold_opts[] = { { "reason", 1 }, { "board", 0 }, { "class", 1 }, { NULL, 0 } };
static const cli_optdef release_opts[] = { { "reason", 1 }, { NULL, 0 } };
static const cli_optdef plan_opts[] = { { "as-of", 1 }, { NULL, 0 } };
static const cli_optdef purge_opts[] = { { "dry-run", 0 }, { NULL, 0 } };
static const cli_optdef cert_opts[] = { { "output", 1 }, { NULL, 0 } };

const cli_cmd cli_retention_commands[] = {
	{ "case", "conclude", cmd_conclude,
	  "scrvault case conclude --action-plan-approved-on DATE --ofsted-approved-on DATE REF",
	  "Conclude a review once its action plan is approved by the LSCB and Ofsted: refused\n"
	  "(exit 6, listing them) while any copy of its documents is not destroyed; starts the\n"
	  "retention clocks that run from case-concluded.\n", conclude_opts, 1, 1 },
	{ "case", "publish", cmd_publish, "scrvault case publish --on DATE REF",
	  "Record when the executive summary was published; 'retention plan' shows when it\n"
	  "must come off the web site (policy [publication]).\n", publish_opts, 1, 1 },
	{ "hold", "add", cmd_hold_add, "scrvault hold add --reason TEXT (CASE|DOC | --board [--class CLASS])",
	  "Hold a case, a document, or everything of the board (of one class): nothing held\n"
	  "is destroyed. Criminal proceedings, an inquest, a public inquiry, an FOI appeal.\n",
	  hold_opts, 0, 1 },
	{ "hold", "release", cmd_hold_release, "scrvault hold release --reason TEXT ID",
	  "End a hold.\n", release_opts, 1, 1 },
	{ "hold", "list", cmd_hold_list, "scrvault hold list [--json]",
	  "Holds in force, and the automatic holds of FOI requests (open, or within their\n"
	  "review window).\n", NULL, 0, 0 },
	{ "retention", "confirm", cmd_confirm, "scrvault retention confirm",
	  "The board confirms the retention rules of the current policy; the purge destroys\n"
	  "nothing until it has.\n", NULL, 0, 0 },
	{ "retention", "plan", cmd_plan, "scrvault retention plan [--as-of DATE] [--json]",
	  "Every live version: its rule, when it is due, whether it is held and why, and what\n"
	  "a purge would do; and when published executive summaries come down.\n", plan_opts, 0, 0 },
	{ "retention", "propose", cmd_propose, "scrvault retention propose",
	  "Propose a disposal batch of the masters now due (destroying a master needs its\n"
	  "approval by someone else, a records manager).\n", NULL, 0, 0 },
	{ "retention", "approve", cmd_approve, "scrvault retention approve BATCH",
	  "Approve a disposal batch: the next purge carries it out.\n", NULL, 1, 1 },
	{ "retention", "refuse", cmd_refuse, "scrvault retention refuse BATCH",
	  "Refuse a disposal batch.\n", NULL, 1, 1 },
	{ "retention", "purge", cmd_purge, "scrvault retention purge [--dry-run] [--json]",
	  "Destroy what is due and not held: the versions' keys are deleted (every copy of\n"
	  "the store becomes unreadable for them), their blobs leave the store's tree, and\n"
	  "each gets a destruction record. --dry-run shows exactly what would go.\n", purge_opts, 0, 0 },
	{ "retention", "certificate", cmd_certificate, "scrvault retention certificate [-o PROOF] [--json] ID",
	  "A destruction record, with the inclusion proof of its audit entry (-o writes the\n"
	  "proof to a file for 'scrvault audit verify --vkey VKEY --proof FILE').\n", cert_opts, 1, 1 },
	{ NULL, NULL, NULL, NULL, NULL, NULL, 0, 0 }
};
