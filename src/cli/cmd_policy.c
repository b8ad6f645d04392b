/*
 * cmd_policy.c - scrvault policy check|show|load.  show and load also run
 * through the service (load sends the file's text); check needs no vault.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "remote.h"

/* With --vault: the vault's grants the file's conflicts catch, and whether
 * dual control is in force.  Exit 6 when a grant breaks a conflict. */
static int check_vault(cli_args *a, scrvault *v)
{
	scrvault_json *bad = NULL, *st = NULL;
	int error = scrvault_policy_check_grants(&bad, v, a->args[0]);
	size_t n = scrvault_json_count(bad);

	if (error < 0)
		return cli_fail(error);
	if (scrvault_op_status(&st, v) == 0 && cli_str(st, "message"))
		fprintf(stderr, "scrvault: note: %s\n", cli_str(st, "message"));
	scrvault_json_free(st);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s: grant conflict: %s\n", a->args[0], cli_str(scrvault_json_at(bad, i), "message"));
	if (a->json)
		cli_print_json(bad);
	else if (n == 0)
		printf("%s: no grant of the vault breaks its separation of duties\n", a->args[0]);
	scrvault_json_free(bad);
	if (n) {
		fprintf(stderr, "scrvault: %zu grant%s of the vault break%s the policy's [separation]\n", n,
			n == 1 ? "" : "s", n == 1 ? "s" : "");
		return 6;
	}
	return 0;
}

/* `policy check` opens the vault only when --vault is given. */
static int check_check(cli_args *a)
{
	a->no_vault = cli_opt(a, "vault") == NULL;
	return 0;
}

static int cmd_check(cli_args *a, scrvault *v)
{
	scrvault_json *problems = NULL;
	int error = scrvault_policy_check(&problems, a->args[0]);
	size_t n = scrvault_json_count(problems);

	if (a->json && problems && (error < 0 || !v)) {
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
	return v ? check_vault(a, v) : 0;
}

static const cli_col role_cols[] = {
	{ "role", "ROLE" }, { "scope", "SCOPE" }, { "allow", "ALLOWS" }, { NULL, NULL }
};
static const cli_col class_cols[] = {
	{ "class", "CLASS" }, { "restricted", "RESTRICTED" }, { "agency", "PER AGENCY" },
	{ "title", "TITLE" }, { NULL, NULL }
};

/* --version N: 0 when not given, -1 when not a policy version number. */
static long long version_opt(const cli_args *a)
{
	long long n = 0;

	return cli_opt(a, "version") && !cli_number(&n, cli_opt(a, "version"), 1, LLONG_MAX) ? -1 : n;
}

static int check_show(cli_args *a)
{
	if (version_opt(a) < 0)
		return cli_usage(a, "--version takes a policy version number (1, 2, ...)");
	return 0;
}

static int print_policy(const cli_args *a, scrvault_json *j, long long n);

static int cmd_show(cli_args *a, scrvault *v)
{
	long long n = version_opt(a);
	scrvault_json *j = NULL;
	int error;

	if ((error = scrvault_policy_show(&j, v, n)) < 0)
		return cli_fail(error);
	return print_policy(a, j, n);
}

/* A policy version (scrvault_policy_show's *j, freed here); n the version asked for (0: current). */
static int print_policy(const cli_args *a, scrvault_json *j, long long n)
{
	if (!a->json && cli_flag(a, "text"))
		return cli_result(a, j, "%s", cli_str(j, "text"));
	if (!a->json) {
		printf("policy %lld%s: %s\nloaded %s by %s\nsha256 %s\n\n", cli_int(j, "version"),
		       scrvault_json_bool(scrvault_json_get(j, "current")) ? " (current)" : "", cli_str(j, "name"),
		       cli_str(j, "loaded_at"), cli_str(j, "loaded_by"), cli_str(j, "sha256"));
		cli_table(scrvault_json_get(j, "roles"), role_cols);
		printf("\n");
		cli_table(scrvault_json_get(j, "classes"), class_cols);
		if (!scrvault_json_bool(scrvault_json_get(j, "current")))
			printf("\n(the roles and classes above are those in force now; '--text' shows version %lld)\n", n);
	}
	return cli_result(a, j, NULL);
}

static int print_loaded(const cli_args *a, scrvault_json *j);

static int cmd_load(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_outcome(a, scrvault_policy_load(&j, v, a->args[0]), &j, print_loaded);
}

/* What loading a policy did (*j freed here): loaded, or waiting for a second custodian. */
static int print_loaded(const cli_args *a, scrvault_json *j)
{
	if (!a->json && scrvault_json_get(j, "pending")) {
		cli_print_pending(j, "loading a policy");
		return cli_result(a, j, NULL);
	}
	return cli_result(a, j, "loaded policy '%s'\n", cli_str(j, "loaded"));
}

static const cli_optdef show_opts[] = {
	{ "version", 1, "version", "N" }, { "text", 0, NULL, NULL }, { NULL, 0, NULL, NULL }
};

const cli_cmd cli_policy_commands[] = {
	{ "policy", "check", cmd_check, CLI_VAULT, check_check, "scrvault policy check FILE",
	  "Check a policy file (git-config syntax; policy/default.conf documents it)\n"
	  "without loading it.  Problems are listed as FILE:LINE: message; exit 2 if any.\n"
	  "With --vault, also the vault's grants that the file's [separation] conflicts\n"
	  "would catch (exit 6 if any), and whether dual control is in force.\n",
	  NULL, 1, 1 },
	{ "policy", "show", cmd_show, CLI_VAULT, check_show, "scrvault policy show [--version N] [--text] [--json]",
	  "Show the vault's policy: version, roles and what they allow, document classes.\n"
	  "  --version N   an earlier version\n  --text        the policy file itself\n",
	  show_opts, 0, 0 },
	{ "policy", "load", cmd_load, CLI_VAULT, NULL, "scrvault policy load FILE",
	  "Check FILE and make it the vault's policy (a new, audited version, committed to\n"
	  "the store).  Under dual control it waits for a second custodian.\n", NULL, 1, 1 },
	CLI_CMDS_END
};

/* ---- through the service ---------------------------------------------------------- */

static int remote_show(cli_args *a, cli_remote *r)
{
	long long n = version_opt(a);
	scrvault_json *j = NULL;
	char path[64] = "/v1/policy", num[24];
	int st;

	snprintf(num, sizeof(num), "%lld", n);
	if ((st = cli_remote_query(a, path, sizeof(path), "version", n > 0 ? num : NULL)) != 0 ||
	    (st = cli_remote_json(&j, r, "GET", path, NULL)) != 0)
		return st;
	return print_policy(a, j, n);
}

#define POLICY_MAX (250u * 1024u)	/* under the route's 256 KiB body */

/* The policy file's text is read here and sent; the service keeps no client path. */
static int remote_load(cli_args *a, cli_remote *r)
{
	cli_jb b = { 0 };
	scrvault_json *j = NULL;
	FILE *f = fopen(a->args[0], "rb");
	char *text;
	size_t n;

	if (!f)
		return cli_usage(a, "cannot read the policy file '%s'", a->args[0]);
	if (!(text = malloc(POLICY_MAX + 1))) {
		fclose(f);
		return cli_fail(SCRVAULT_ERROR);
	}
	n = fread(text, 1, POLICY_MAX + 1, f);
	if (ferror(f) || n == 0 || n > POLICY_MAX || memchr(text, '\0', n)) {
		fclose(f);
		free(text);
		return cli_usage(a, "'%s' is not a policy file the service takes (text, at most %u KiB)", a->args[0],
				 POLICY_MAX / 1024);
	}
	fclose(f);
	text[n] = '\0';
	cli_jb_str(&b, "text", text);
	free(text);
	return cli_remote_outcome(a, cli_remote_post(&j, r, "/v1/policy", &b), &j, print_loaded);
}

const cli_remote_cmd cli_policy_remote[] = {
	{ "policy", "show", remote_show }, { "policy", "load", remote_load }, CLI_REMOTE_END
};
