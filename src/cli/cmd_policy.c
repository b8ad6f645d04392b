/*
 * cmd_policy.c - scrvault policy check|show|load, op list, approve, refuse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static int cmd_policy_check(cli_args *a)
{
	scrvault_json *problems = NULL;
	int error = scrvault_policy_check(&problems, a->args[0]);
	size_t n = scrvault_json_count(problems);

	if (a->json && problems) {
		cli_print_json(problems);
	} else {
		for (size_t i = 0; i < n; i++) {
			const scrvault_json *p = scrvault_json_at(problems, i);
			int64_t line = scrvault_json_int(scrvault_json_get(p, "line"));

			if (line > 0)
				fprintf(stderr, "%s:%lld: %s\n", a->args[0], (long long)line,
					scrvault_json_str(scrvault_json_get(p, "message")));
			else
				fprintf(stderr, "%s: %s\n", a->args[0], scrvault_json_str(scrvault_json_get(p, "message")));
		}
	}
	scrvault_json_free(problems);
	if (error < 0 && n == 0)
		return cli_fail(error);
	if (error < 0) {
		fprintf(stderr, "scrvault: %s: %zu problem%s; nothing was loaded\n", a->args[0], n, n == 1 ? "" : "s");
		return -error;
	}
	if (!a->json)
		printf("%s: the policy is sound\n", a->args[0]);
	return 0;
}

static const cli_col role_cols[] = {
	{ "role", "ROLE" }, { "scope", "SCOPE" }, { "allow", "ALLOWS" }, { NULL, NULL }
};
static const cli_col class_cols[] = {
	{ "class", "CLASS" }, { "restricted", "RESTRICTED" }, { "agency", "PER AGENCY" },
	{ "title", "TITLE" }, { NULL, NULL }
};

static int cmd_policy_show(cli_args *a)
{
	const char *ver = cli_opt(a, "version");
	scrvault_json *j = NULL;
	scrvault *v = NULL;
	long long n = 0;
	int error;

	if (ver) {
		char *end = NULL;

		n = strtoll(ver, &end, 10);
		if (!*ver || *end || n < 1)
			return cli_usage(a, "--version takes a policy version number (1, 2, ...)");
	}
	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = scrvault_policy_show(&j, v, n);
	scrvault_vault_close(v);
	if (error < 0)
		return cli_fail(error);
	if (a->json) {
		cli_print_json(j);
	} else if (cli_flag(a, "text")) {
		fputs(scrvault_json_str(scrvault_json_get(j, "text")), stdout);
	} else {
		printf("policy %lld%s: %s\nloaded %s by %s\nsha256 %s\n\n",
		       (long long)scrvault_json_int(scrvault_json_get(j, "version")),
		       scrvault_json_bool(scrvault_json_get(j, "current")) ? " (current)" : "",
		       scrvault_json_str(scrvault_json_get(j, "name")),
		       scrvault_json_str(scrvault_json_get(j, "loaded_at")),
		       scrvault_json_str(scrvault_json_get(j, "loaded_by")),
		       scrvault_json_str(scrvault_json_get(j, "sha256")));
		cli_table(scrvault_json_get(j, "roles"), role_cols);
		printf("\n");
		cli_table(scrvault_json_get(j, "classes"), class_cols);
		if (!scrvault_json_bool(scrvault_json_get(j, "current")))
			printf("\n(the roles and classes above are those in force now; '--text' shows version %lld)\n", n);
	}
	scrvault_json_free(j);
	return 0;
}

static int cmd_policy_load(cli_args *a)
{
	scrvault_json *j = NULL;
	scrvault *v = NULL;
	int error;

	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = scrvault_policy_load(&j, v, a->args[0]);
	scrvault_vault_close(v);
	if (error < 0)
		return cli_fail(error);
	if (a->json)
		cli_print_json(j);
	else if (scrvault_json_get(j, "pending"))
		printf("loading a policy needs a second custodian: pending operation %s (expires %s);\n"
		       "another custodian runs 'scrvault approve %s' (or 'scrvault refuse %s')\n",
		       scrvault_json_str(scrvault_json_get(j, "pending")),
		       scrvault_json_str(scrvault_json_get(j, "expires_at")),
		       scrvault_json_str(scrvault_json_get(j, "pending")),
		       scrvault_json_str(scrvault_json_get(j, "pending")));
	else
		printf("loaded policy '%s'\n", scrvault_json_str(scrvault_json_get(j, "loaded")));
	scrvault_json_free(j);
	return 0;
}

static const cli_col op_cols[] = {
	{ "id", "ID" }, { "action", "ACTION" }, { "state", "STATE" }, { "requested_by", "ASKED BY" },
	{ "requested_at", "ASKED" }, { "expires_at", "EXPIRES" }, { "decided_by", "DECIDED BY" },
	{ NULL, NULL }
};

static int cmd_op_list(cli_args *a)
{
	scrvault_json *j = NULL;
	scrvault *v = NULL;
	int error;

	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = scrvault_op_list(&j, v);
	scrvault_vault_close(v);
	return error < 0 ? cli_fail(error) : cli_print_list(a, j, op_cols);
}

static int decide(cli_args *a, bool approve)
{
	scrvault *v = NULL;
	int error;

	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = approve ? scrvault_op_approve(v, a->args[0]) : scrvault_op_refuse(v, a->args[0]);
	scrvault_vault_close(v);
	if (error < 0)
		return cli_fail(error);
	printf("%s operation %s\n", approve ? "approved and carried out" : "refused", a->args[0]);
	return 0;
}

static int cmd_approve(cli_args *a) { return decide(a, true); }
static int cmd_refuse(cli_args *a) { return decide(a, false); }

static const cli_optdef show_opts[] = { { "version", 1 }, { "text", 0 }, { NULL, 0 } };

const cli_cmd cli_policy_commands[] = {
	{ "policy", "check", cmd_policy_check, "scrvault policy check FILE",
	  "Check a policy file (git-config syntax; policy/default.conf documents it)\n"
	  "without loading it.  Problems are listed as FILE:LINE: message; exit 2 if any.\n",
	  NULL, 1, 1 },
	{ "policy", "show", cmd_policy_show, "scrvault policy show [--version N] [--text] [--json]",
	  "Show the vault's policy: version, roles and what they allow, document classes.\n"
	  "  --version N   an earlier version\n  --text        the policy file itself\n",
	  show_opts, 0, 0 },
	{ "policy", "load", cmd_policy_load, "scrvault policy load FILE",
	  "Check FILE and make it the vault's policy (a new, audited version, committed to\n"
	  "the store).  Under dual control it waits for a second custodian.\n", NULL, 1, 1 },
	{ "op", "list", cmd_op_list, "scrvault op list [--json]",
	  "Operations waiting for a second custodian, and what became of earlier ones.\n", NULL, 0, 0 },
	{ "approve", NULL, cmd_approve, "scrvault approve ID",
	  "Approve a pending operation and carry it out (a custodian other than the one\n"
	  "who asked for it).\n", NULL, 1, 1 },
	{ "refuse", NULL, cmd_refuse, "scrvault refuse ID",
	  "Refuse a pending operation.\n", NULL, 1, 1 },
	{ NULL, NULL, NULL, NULL, NULL, NULL, 0, 0 }
};
