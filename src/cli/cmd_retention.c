/*
 * cmd_retention.c - scrvault retention confirm|plan|review|propose|approve|
 * refuse|purge|certificate.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "remote.h"

static const cli_col plan_cols[] = {
	{ "case", "CASE" }, { "doc", "DOCUMENT" }, { "version", "VER" }, { "class", "CLASS" },
	{ "master_basis", "MASTER" }, { "status", "STATUS" }, { "due_on", "DUE" }, { "rule", "RULE" }, { "held", "HELD BECAUSE" },
	{ "action", "PURGE WOULD" }, { NULL, NULL }
};
static const cli_col pub_cols[] = {
	{ "case", "CASE" }, { "review_type", "TYPE" }, { "published_on", "PUBLISHED" },
	{ "keep_until", "ON THE WEB SITE UNTIL AT LEAST" }, { "remove_by", "OFF THE WEB SITE BY" }, { NULL, NULL }
};
static const cli_col purge_cols[] = {
	{ "doc", "DOCUMENT" }, { "version", "VER" }, { "record", "RECORD" }, { "class", "CLASS" }, { "rule", "RULE" },
	{ NULL, NULL }
};

static int print_confirmed(void)
{
	printf("the retention rules of the current policy are confirmed\n");
	return 0;
}

static int cmd_confirm(cli_args *a, scrvault *v)
{
	int error;

	(void)a;
	if ((error = scrvault_retention_confirm(v)) < 0)
		return cli_fail(error);
	return print_confirmed();
}

/* The plan as a table (or JSON); frees j. */
static int print_plan(const cli_args *a, scrvault_json *j)
{
	if (!a->json) {
		printf("retention plan as of %s%s\n", cli_str(j, "as_of"),
		       scrvault_json_bool(scrvault_json_get(j, "confirmed")) ? "" :
		       " (the rules are NOT confirmed: the purge destroys nothing until 'retention confirm')");
		cli_table(scrvault_json_get(j, "versions"), plan_cols);
		cli_table_if(scrvault_json_get(j, "publications"), "\npublished executive summaries:\n", pub_cols);
	}
	return cli_result(a, j, NULL);
}

static int cmd_plan(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_outcome(a, scrvault_retention_plan(&j, v, cli_opt(a, "as-of")), &j, print_plan);
}

static int check_review(cli_args *a)
{
	if (cli_doc_version(a->args[0], NULL, 0) < 0)
		return cli_usage(a, "version must be a positive number: DOC[@VERSION]");
	if (!cli_opt(a, "keep-until") == !cli_flag(a, "destroy"))
		return cli_usage(a, "give the review's outcome: --keep-until DATE or --destroy --reason TEXT");
	if (cli_flag(a, "destroy") && !cli_opt(a, "reason"))
		return cli_usage(a, "a decision to destroy needs --reason TEXT");
	return 0;
}

static int print_review(cli_args *a, scrvault_json *j, bool destroy);

static int cmd_review(cli_args *a, scrvault *v)
{
	scrvault_review_spec s = SCRVAULT_REVIEW_SPEC_INIT;
	scrvault_json *j = NULL;
	char doc[96];
	int error;

	s.doc_version = (unsigned)cli_doc_version(a->args[0], doc, sizeof(doc));
	s.doc = doc;
	s.keep_until = cli_opt(a, "keep-until");
	s.destroy = cli_flag(a, "destroy");
	s.reason = cli_opt(a, "reason");
	if ((error = scrvault_retention_review(&j, v, &s)) < 0)
		return cli_fail(error);
	return print_review(a, j, s.destroy);
}

static int print_review(cli_args *a, scrvault_json *j, bool destroy)
{
	if (destroy)
		return cli_result(a, j, "review of %s version %lld recorded: to be destroyed (the purge carries it out; "
				  "a master in an approved disposal batch)\n", cli_str(j, "doc"), cli_int(j, "version"));
	return cli_result(a, j, "review of %s version %lld recorded: kept until %s, reviewed again then\n",
			  cli_str(j, "doc"), cli_int(j, "version"), cli_str(j, "keep_until"));
}

static int print_proposed(const cli_args *a, scrvault_json *j);

static int cmd_propose(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_outcome(a, scrvault_retention_propose(&j, v), &j, print_proposed);
}

static int print_proposed(const cli_args *a, scrvault_json *j)
{
	if (!a->json) {
		printf("disposal batch %lld proposed: it waits for a records manager's 'scrvault retention approve %lld'\n",
		       cli_int(j, "batch"), cli_int(j, "batch"));
		cli_table(scrvault_json_get(j, "versions"), plan_cols);
	}
	return cli_result(a, j, NULL);
}

static int print_decided(scrvault_json *j, long long id, bool approve)
{
	printf("disposal batch %lld %s\n", id, approve ? "approved: the next purge carries it out" : "refused");
	scrvault_json_free(j);
	return 0;
}

static int decide(cli_args *a, scrvault *v, bool approve)
{
	long long id = cli_id_arg(a);
	scrvault_json *j = NULL;
	int error;

	error = approve ? scrvault_retention_approve(&j, v, id) : scrvault_retention_refuse(&j, v, id);
	if (error < 0)
		return cli_fail(error);
	return print_decided(j, id, approve);
}

static int cmd_approve(cli_args *a, scrvault *v) { return decide(a, v, true); }
static int cmd_refuse(cli_args *a, scrvault *v) { return decide(a, v, false); }

static int print_purge(const cli_args *a, scrvault_json *j)
{
	bool dry = cli_flag(a, "dry-run");

	if (!a->json) {
		size_t n = scrvault_json_count(scrvault_json_get(j, "destroyed"));

		printf("%s %zu version%s%s\n", dry ? "a purge now would destroy" : "destroyed", n, n == 1 ? "" : "s",
		       dry ? " (nothing was changed)" : "");
		cli_table_if(scrvault_json_get(j, "destroyed"), "", purge_cols);
	}
	return cli_result(a, j, NULL);
}

static int cmd_purge(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_outcome(a, scrvault_retention_purge(&j, v, cli_flag(a, "dry-run") ? SCRVAULT_PURGE_DRY_RUN : 0), &j,
			   print_purge);
}

/* The certificate in j (freed), its proof into -o FILE when given. */
static int print_certificate(const cli_args *a, scrvault_json *j)
{
	const char *out = cli_opt(a, "output");

	if (out) {
		const char *proof = cli_str(j, "proof");
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
	if (!a->json) {
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
			       cli_str(j, "proof"));
	}
	return cli_result(a, j, NULL);
}

static int cmd_certificate(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_outcome(a, scrvault_retention_certificate(&j, v, cli_id_arg(a)), &j, print_certificate);
}

static const cli_optdef plan_opts[] = { { "as-of", 1, "as_of", "DATE" }, { NULL, 0, NULL, NULL } };
static const cli_optdef review_opts[] = {
	{ "keep-until", 1, "keep_until", "DATE" }, { "destroy", 0, NULL, NULL }, { "reason", 1, "reason", "TEXT" },
	{ NULL, 0, NULL, NULL }
};
static const cli_optdef purge_opts[] = { { "dry-run", 0, NULL, NULL }, { NULL, 0, NULL, NULL } };
static const cli_optdef cert_opts[] = { { "output", 1, NULL, "PROOF" }, { NULL, 0, NULL, NULL } };

const cli_cmd cli_retention_commands[] = {
	{ "retention", "confirm", cmd_confirm, CLI_VAULT, NULL, "scrvault retention confirm",
	  "The board confirms the retention rules of the current policy; the purge destroys\n"
	  "nothing until it has.\n", NULL, 0, 0 },
	{ "retention", "plan", cmd_plan, CLI_VAULT, NULL, "scrvault retention plan [--as-of DATE] [--json]",
	  "Every live version: its rule, when it is due, whether it is held and why, and what\n"
	  "a purge would do; and when published executive summaries come down.\n", plan_opts, 0, 0 },
	{ "retention", "review", cmd_review, CLI_VAULT, check_review,
	  "scrvault retention review DOC[@VERSION] (--keep-until DATE | --destroy --reason TEXT)",
	  "Record the outcome of a version's review rule (without @VERSION: the master):\n"
	  "kept until DATE (the plan shows it kept, then due for review again), or to be\n"
	  "destroyed (the plan shows it due; the purge destroys it, a master only in an\n"
	  "approved disposal batch).\n", review_opts, 1, 1 },
	{ "retention", "propose", cmd_propose, CLI_VAULT, NULL, "scrvault retention propose",
	  "Propose a disposal batch of the masters now due (destroying a master needs its\n"
	  "approval by someone else, a records manager).\n", NULL, 0, 0 },
	{ "retention", "approve", cmd_approve, CLI_VAULT | CLI_ID_ARG, NULL, "scrvault retention approve BATCH",
	  "Approve a disposal batch: the next purge carries it out.\n", NULL, 1, 1,
	  NULL, "a disposal batch is given by its number" },
	{ "retention", "refuse", cmd_refuse, CLI_VAULT | CLI_ID_ARG, NULL, "scrvault retention refuse BATCH",
	  "Refuse a disposal batch.\n", NULL, 1, 1, NULL, "a disposal batch is given by its number" },
	{ "retention", "purge", cmd_purge, CLI_VAULT, NULL, "scrvault retention purge [--dry-run] [--json]",
	  "Destroy what is due and not held: the versions' keys are deleted (every copy of\n"
	  "the store becomes unreadable for them), their blobs leave the store's tree, and\n"
	  "each gets a destruction record. --dry-run shows exactly what would go.\n", purge_opts, 0, 0 },
	{ "retention", "certificate", cmd_certificate, CLI_VAULT | CLI_ID_ARG, NULL,
	  "scrvault retention certificate [-o PROOF] [--json] ID",
	  "A destruction record, with the inclusion proof of its audit entry (-o writes the\n"
	  "proof to a file for 'scrvault audit verify --vkey VKEY --proof FILE').\n", cert_opts, 1, 1,
	  NULL, "a destruction record is given by its number" },
	CLI_CMDS_END
};

/* ---- through the service ---------------------------------------------------------- */

static int remote_plan(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;
	char path[128] = "/v1/retention/plan";
	int st;

	if ((st = cli_remote_query(a, path, sizeof(path), "as_of", cli_opt(a, "as-of"))) != 0)
		return st;
	return cli_remote_outcome(a, cli_remote_json(&j, r, "GET", path, NULL), &j, print_plan);
}

/* The nightly job's purge (scrvault-purge.service) comes this way. */
static int remote_purge(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;

	return cli_remote_outcome(a, cli_remote_json(&j, r, "POST", "/v1/retention/purge",
						     cli_flag(a, "dry-run") ? "{\"dry_run\":true}" : "{}"),
				  &j, print_purge);
}

static int remote_confirm(cli_args *a, cli_remote *r)
{
	int st;

	(void)a;
	if ((st = cli_remote_json(NULL, r, "POST", "/v1/retention/confirm", NULL)) != 0)
		return st;
	return print_confirmed();
}

static int seg_doc(const cli_args *a)
{
	char doc[96];

	if (cli_doc_version(a->args[0], doc, sizeof(doc)) < 0)
		return cli_usage(a, "version must be a positive number: DOC[@VERSION]");
	return cli_remote_seg(a, "the document", doc) ? 0 : 2;
}

static int remote_review(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;
	cli_jb b = { 0 };
	char doc[96];
	int version = cli_doc_version(a->args[0], doc, sizeof(doc)), st;

	cli_jb_str(&b, "doc", doc);
	if (version > 0)
		cli_jb_int(&b, "version", version);
	cli_jb_str(&b, "keep_until", cli_opt(a, "keep-until"));
	if (cli_flag(a, "destroy"))
		cli_jb_bool(&b, "destroy", true);
	cli_jb_str(&b, "reason", cli_opt(a, "reason"));
	if ((st = cli_remote_post(&j, r, "/v1/retention/reviews", &b)) != 0)
		return st;
	return print_review(a, j, cli_flag(a, "destroy"));
}

static int remote_propose(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;

	return cli_remote_outcome(a, cli_remote_json(&j, r, "POST", "/v1/retention/batches", NULL), &j, print_proposed);
}

static int remote_decide(cli_args *a, cli_remote *r, bool approve)
{
	long long id = cli_id_arg(a);
	scrvault_json *j = NULL;
	char path[96];
	int st;

	snprintf(path, sizeof(path), "/v1/retention/batches/%lld/%s", id, approve ? "approve" : "refuse");
	if ((st = cli_remote_json(&j, r, "POST", path, NULL)) != 0)
		return st;
	return print_decided(j, id, approve);
}

static int remote_approve(cli_args *a, cli_remote *r) { return remote_decide(a, r, true); }
static int remote_refuse(cli_args *a, cli_remote *r) { return remote_decide(a, r, false); }

static int remote_certificate(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;
	char path[96];

	snprintf(path, sizeof(path), "/v1/retention/certificates/%lld", cli_id_arg(a));
	return cli_remote_outcome(a, cli_remote_json(&j, r, "GET", path, NULL), &j, print_certificate);
}

const cli_remote_cmd cli_retention_remote[] = {
	{ "retention", "plan", remote_plan, NULL }, { "retention", "purge", remote_purge, NULL },
	{ "retention", "confirm", remote_confirm, NULL }, { "retention", "review", remote_review, seg_doc },
	{ "retention", "propose", remote_propose, NULL }, { "retention", "approve", remote_approve, NULL },
	{ "retention", "refuse", remote_refuse, NULL }, { "retention", "certificate", remote_certificate, NULL },
	CLI_REMOTE_END
};
