/*
 * cmd_principal.c - scrvault principal add|list|show|grant|ungrant|revoke|
 * rotate|impact; and the new key file's options that init shares.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

int cli_principal_check(const cli_args *a)
{
	if (cli_kdf_memory(a) < 0)
		return cli_usage(a, CLI_KDF_MEMORY_USAGE);
	return 0;
}

void cli_principal_spec(scrvault_principal_spec *s, const cli_args *a, const char *name)
{
	scrvault_principal_spec init = SCRVAULT_PRINCIPAL_SPEC_INIT;

	*s = init;
	s->name = name;
	s->display_name = cli_opt(a, "display-name");
	s->kind = cli_opt(a, "kind") ? cli_opt(a, "kind") : "person";
	s->contact = cli_opt(a, "contact");
	s->agency = cli_opt(a, "agency");
	s->custodian = cli_flag(a, "custodian");
	s->kdf_mib = (unsigned)cli_kdf_memory(a);
}

static int check_add(cli_args *a)
{
	const char *kind = cli_opt(a, "kind") ? cli_opt(a, "kind") : "person";
	int error;

	if (!cli_opt(a, "key-out"))
		return cli_usage(a, "give --key-out FILE for the new principal's key file");
	if ((error = cli_principal_check(a)) != 0)
		return error;
	if (cli_flag(a, "no-passphrase")) {
		if (strcmp(kind, "service") != 0)
			return cli_usage(a, "only a service principal (--kind service) may have a key file without passphrase");
	} else if ((error = cli_new_passphrase(&a->secret, a, a->args[0])) < 0) {
		return -error;
	}
	return 0;
}

/* A change held for a second custodian: what to do next (or the JSON). */
static int pending(cli_args *a, scrvault_json *j, const char *what)
{
	if (!a->json)
		cli_print_pending(j, what);
	return cli_result(a, j, NULL);
}

static int cmd_add(cli_args *a, scrvault *v)
{
	const char *key = cli_opt(a, "key-out");
	scrvault_json *j = NULL;
	scrvault_principal_spec s;
	int error;

	cli_principal_spec(&s, a, a->args[0]);
	if ((error = scrvault_principal_add(&j, v, &s, key, a->secret)) < 0)
		return cli_fail(error);
	if (j) {
		char what[128];

		if (!a->json)
			printf("key file written: %s (it works once the principal is approved)\n", key);
		snprintf(what, sizeof(what), "adding '%s'", s.name);
		return pending(a, j, what);
	}
	printf("added %s '%s'%s; key file: %s\n", s.kind, s.name, s.custodian ? " (custodian)" : "", key);
	return 0;
}

static const cli_col principal_cols[] = {
	{ "name", "NAME" }, { "kind", "KIND" }, { "custodian", "CUSTODIAN" },
	{ "status", "STATUS" }, { "agency", "AGENCY" }, { "display_name", "DISPLAY NAME" },
	{ "contact", "CONTACT" }, { NULL, NULL }
};

static int cmd_list(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_listing(a, scrvault_principal_list(&j, v), &j, principal_cols);
}

static const cli_col principal_fields[] = {
	{ "name", "name" }, { "display_name", "display name" }, { "kind", "kind" },
	{ "agency", "agency" }, { "contact", "contact" }, { "custodian", "custodian" },
	{ "status", "status" }, { "created_at", "created" }, { NULL, NULL }
};

/* After a principal's fields: their roles. */
static int show_roles(const scrvault_json *j)
{
	const scrvault_json *roles = scrvault_json_get(j, "roles");

	if (scrvault_json_count(roles) == 0)
		printf("%-16s %s\n", "roles", "none (grant one with 'scrvault principal grant')");
	for (size_t i = 0; i < scrvault_json_count(roles); i++) {
		const scrvault_json *r = scrvault_json_at(roles, i);
		const char *c = cli_str(r, "case"), *ag = cli_str(r, "agency");

		printf("%-16s %s%s%s%s%s\n", i ? "" : "roles", cli_str(r, "role"), c ? " for case " : " (board-wide)",
		       c ? c : "", ag ? ", agency " : "", ag ? ag : "");
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

static int cmd_show(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_show(a, scrvault_principal_show(&j, v, a->args[0]), &j, principal_fields, show_roles);
}

static int grant_or_ungrant(cli_args *a, scrvault *v, bool grant)
{
	const char *name = a->args[0], *role = a->args[1];
	scrvault_json *j = NULL;
	int error;

	error = grant ? scrvault_principal_grant(&j, v, name, role, cli_opt(a, "case"), cli_opt(a, "agency"))
		: scrvault_principal_ungrant(v, name, role, cli_opt(a, "case"), cli_opt(a, "agency"));
	if (error < 0)
		return cli_fail(error);
	if (j) {
		char what[128];

		snprintf(what, sizeof(what), "granting role %s to '%s'", role, name);
		return pending(a, j, what);
	}
	printf("%s role %s %s '%s'%s%s%s%s\n", grant ? "granted" : "removed", role, grant ? "to" : "from", name,
	       cli_opt(a, "case") ? " for case " : "", cli_opt(a, "case") ? cli_opt(a, "case") : "",
	       cli_opt(a, "agency") ? ", agency " : "", cli_opt(a, "agency") ? cli_opt(a, "agency") : "");
	return 0;
}

static int cmd_grant(cli_args *a, scrvault *v) { return grant_or_ungrant(a, v, true); }
static int cmd_ungrant(cli_args *a, scrvault *v) { return grant_or_ungrant(a, v, false); }

static int cmd_revoke(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;
	int error;

	if ((error = scrvault_principal_revoke(&j, v, a->args[0], cli_opt(a, "reason"))) < 0)
		return cli_fail(error);
	if (j) {
		char what[128];

		snprintf(what, sizeof(what), "revoking '%s'", a->args[0]);
		return pending(a, j, what);
	}
	printf("revoked '%s'\n", a->args[0]);
	return 0;
}

static int check_rotate(cli_args *a)
{
	int error;

	if (!cli_opt(a, "key-out"))
		return cli_usage(a, "give --key-out FILE for the new key file");
	if ((error = cli_principal_check(a)) != 0)
		return error;
	if (!cli_flag(a, "no-passphrase") && (error = cli_new_passphrase(&a->secret, a, a->args[0])) < 0)
		return -error;
	return 0;
}

static int cmd_rotate(cli_args *a, scrvault *v)
{
	const char *key = cli_opt(a, "key-out");
	scrvault_json *j = NULL;
	int error;

	if ((error = scrvault_principal_rotate(&j, v, a->args[0], key, a->secret, (unsigned)cli_kdf_memory(a))) < 0)
		return cli_fail(error);
	if (j) {
		char what[128];

		if (!a->json)
			printf("new key file written: %s (it works, and the old one stops, once approved)\n", key);
		snprintf(what, sizeof(what), "new keys for '%s'", a->args[0]);
		return pending(a, j, what);
	}
	printf("new keys for '%s' in %s; the old key file no longer works\n", a->args[0], key);
	return 0;
}

static const cli_col release_cols[] = {
	{ "released_at", "RELEASED" }, { "kind", "KIND" }, { "case", "CASE" }, { "doc", "DOCUMENT" },
	{ "version", "VER" }, { "class", "CLASS" }, { "role", "ROLE" }, { "to", "TO KEY" },
	{ "request", "REQUEST" }, { "audit_seq", "AUDIT" },
	{ NULL, NULL }
};

static int cmd_impact(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_listing(a, scrvault_principal_impact(&j, v, a->args[0]), &j, release_cols);
}

static const cli_optdef principal_opts[] = {
	CLI_PRINCIPAL_OPTS, { "custodian", 0, "custodian", NULL }, { "no-passphrase", 0, NULL, NULL },
	{ NULL, 0, NULL, NULL }
};
static const cli_optdef grant_opts[] = {
	{ "case", 1, "case_ref", "REF" }, { "agency", 1, "agency", "NAME" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef revoke_opts[] = { { "reason", 1, "reason", "TEXT" }, { NULL, 0, NULL, NULL } };

const cli_cmd cli_principal_commands[] = {
	{ "principal", "add", cmd_add, CLI_VAULT, check_add,
	  "scrvault principal add --key-out FILE [--custodian] [options] NAME",
	  "Register a principal and write their key file.  Adding a custodian or a service\n"
	  "principal waits for a second custodian ('scrvault approve ID') while dual\n"
	  "control is in force.\n\n" CLI_PRINCIPAL_HELP
	  "  --custodian                 may unlock the vault (gets a wrap of the master key)\n"
	  "  --no-passphrase             a service principal's key file without passphrase\n",
	  principal_opts, 1, 1 },
	{ "principal", "list", cmd_list, CLI_VAULT, NULL, "scrvault principal list [--json]",
	  "List the vault's principals.\n", NULL, 0, 0 },
	{ "principal", "show", cmd_show, CLI_VAULT, NULL, "scrvault principal show [--json] NAME",
	  "Show one principal.\n", NULL, 1, 1 },
	{ "principal", "grant", cmd_grant, CLI_VAULT, NULL,
	  "scrvault principal grant [--case REF] [--agency NAME] NAME ROLE",
	  "Give NAME a role of the policy ('scrvault policy show' lists them): board-wide\n"
	  "roles take neither option, case roles --case, case-and-agency roles both.\n"
	  "A role the policy's [separation] keeps apart from one NAME holds on that case\n"
	  "is refused (exit 6).  A role that can approve or decide waits for a second\n"
	  "custodian while dual control is in force.\n",
	  grant_opts, 2, 2 },
	{ "principal", "ungrant", cmd_ungrant, CLI_VAULT, NULL,
	  "scrvault principal ungrant [--case REF] [--agency NAME] NAME ROLE",
	  "Take a role away again (the same options it was granted with).\n", grant_opts, 2, 2 },
	{ "principal", "revoke", cmd_revoke, CLI_VAULT, NULL, "scrvault principal revoke [--reason TEXT] NAME",
	  "Revoke a principal: they can do nothing from now on.  A custodian's wrap of the\n"
	  "master key is removed and the others are written afresh.  Under dual control this\n"
	  "waits for a second custodian ('scrvault approve ID').\n", revoke_opts, 1, 1 },
	{ "principal", "rotate", cmd_rotate, CLI_VAULT, check_rotate,
	  "scrvault principal rotate --key-out FILE [--new-passphrase-file FILE] NAME",
	  "New keys for a principal (a lost laptop, a leaked key file): writes a new key\n"
	  "file; the old one no longer unlocks or acts.  A custodian's new keys wait for a\n"
	  "second custodian while dual control is in force.\n", principal_opts, 1, 1 },
	{ "principal", "impact", cmd_impact, CLI_VAULT, NULL, "scrvault principal impact [--json] NAME",
	  "Every document version ever released to NAME, with the role and request:\n"
	  "the list to assess after a revocation or a lost laptop.\n", NULL, 1, 1 },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, 0, 0 }
};
