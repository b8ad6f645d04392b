/*
 * cmd_vault.c - scrvault init, principal add|list|show|grant|ungrant|revoke|
 * rotate|impact, fsck.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static int fill_spec(scrvault_principal_spec *s, const cli_args *a, const char *name)
{
	const char *mib = cli_opt(a, "kdf-memory");
	char *end = NULL;

	memset(s, 0, sizeof(*s));
	s->version = SCRVAULT_PRINCIPAL_SPEC_VERSION;
	s->name = name;
	s->display_name = cli_opt(a, "display-name");
	s->kind = cli_opt(a, "kind") ? cli_opt(a, "kind") : "person";
	s->contact = cli_opt(a, "contact");
	s->agency = cli_opt(a, "agency");
	s->custodian = cli_flag(a, "custodian");
	if (mib) {
		unsigned long v = strtoul(mib, &end, 10);

		if (!*mib || *end || v == 0 || v > 4096)
			return cli_usage(a, "--kdf-memory takes a number of MiB (8 to 4096)");
		s->kdf_mib = (unsigned)v;
	}
	return 0;
}

static int cmd_init(cli_args *a)
{
	const char *dir = cli_opt(a, "vault"), *key = cli_opt(a, "key-out");
	scrvault_principal_spec s;
	scrvault_secret *pp = NULL;
	int error;

	if (!dir)
		dir = getenv("SCRVAULT_DIR");
	if (!dir || !*dir)
		return cli_usage(a, "no vault directory: use --vault DIR or set SCRVAULT_DIR");
	if (!key)
		return cli_usage(a, "give --key-out FILE for the first custodian's key file");
	if ((error = fill_spec(&s, a, a->args[0])) != 0)
		return error;
	s.custodian = true;
	if ((error = cli_new_passphrase(&pp, a, s.name)) < 0)
		return -error;
	error = scrvault_vault_init(dir, &s, key, pp);
	if (error >= 0 && cli_flag(a, "confirm-retention")) {
		scrvault *v = NULL;

		/* The board confirms the default retention rules as it creates the vault. */
		scrvault_open_options o = SCRVAULT_OPEN_OPTIONS_INIT;

		o.dir = dir;
		o.keyfile = key;
		o.passphrase = pp;
		if ((error = scrvault_vault_open(&v, &o)) >= 0) {
			error = scrvault_retention_confirm(v);
			scrvault_vault_close(v);
		}
	}
	scrvault_secret_free(pp);
	if (error < 0)
		return cli_fail(error);
	printf("created vault '%s' with custodian '%s'\nkey file: %s (keep it safe; it and its passphrase unlock the vault)\n",
	       dir, s.name, key);
	if (cli_flag(a, "confirm-retention"))
		printf("the retention rules of the default policy are confirmed ('scrvault retention plan' shows them at work)\n");
	else
		printf("the retention rules are not confirmed yet: review them ('scrvault policy show --text', [retention])\n"
		       "and run 'scrvault retention confirm'; nothing is destroyed until then\n");
	return 0;
}

static int cmd_principal_add(cli_args *a)
{
	const char *key = cli_opt(a, "key-out");
	scrvault_principal_spec s;
	scrvault_secret *pp = NULL;
	scrvault *v = NULL;
	int error;

	if (!key)
		return cli_usage(a, "give --key-out FILE for the new principal's key file");
	if ((error = fill_spec(&s, a, a->args[0])) != 0)
		return error;
	if (cli_flag(a, "no-passphrase")) {
		if (strcmp(s.kind, "service") != 0)
			return cli_usage(a, "only a service principal (--kind service) may have a key file without passphrase");
	} else if ((error = cli_new_passphrase(&pp, a, s.name)) < 0) {
		return -error;
	}
	if ((error = cli_open(&v, a)) != 0) {
		scrvault_secret_free(pp);
		return error;
	}
	error = scrvault_principal_add(v, &s, key, pp);
	scrvault_secret_free(pp);
	scrvault_vault_close(v);
	if (error < 0)
		return cli_fail(error);
	printf("added %s '%s'%s; key file: %s\n", s.kind, s.name, s.custodian ? " (custodian)" : "", key);
	return 0;
}

static const cli_col principal_cols[] = {
	{ "name", "NAME" }, { "kind", "KIND" }, { "custodian", "CUSTODIAN" },
	{ "status", "STATUS" }, { "agency", "AGENCY" }, { "display_name", "DISPLAY NAME" },
	{ "contact", "CONTACT" }, { NULL, NULL }
};

static int cmd_principal_list(cli_args *a)
{
	scrvault_json *j = NULL;
	scrvault *v = NULL;
	int error;

	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = scrvault_principal_list(&j, v);
	scrvault_vault_close(v);
	return error < 0 ? cli_fail(error) : cli_print_list(a, j, principal_cols);
}

static const cli_col principal_fields[] = {
	{ "name", "name" }, { "display_name", "display name" }, { "kind", "kind" },
	{ "agency", "agency" }, { "contact", "contact" }, { "custodian", "custodian" },
	{ "status", "status" }, { "created_at", "created" }, { NULL, NULL }
};

static int cmd_principal_show(cli_args *a)
{
	scrvault_json *j = NULL;
	scrvault *v = NULL;
	int error;

	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = scrvault_principal_show(&j, v, a->args[0]);
	scrvault_vault_close(v);
	if (error < 0)
		return cli_fail(error);
	if (!a->json) {
		const scrvault_json *roles = scrvault_json_get(j, "roles");

		cli_print_fields(j, principal_fields);
		if (scrvault_json_count(roles) == 0)
			printf("%-16s %s\n", "roles", "none (grant one with 'scrvault principal grant')");

		for (size_t i = 0; i < scrvault_json_count(roles); i++) {
			const scrvault_json *r = scrvault_json_at(roles, i);
			const char *c = scrvault_json_str(scrvault_json_get(r, "case"));
			const char *ag = scrvault_json_str(scrvault_json_get(r, "agency"));

			printf("%-16s %s%s%s%s%s\n", i ? "" : "roles", scrvault_json_str(scrvault_json_get(r, "role")),
			       c ? " for case " : " (board-wide)", c ? c : "", ag ? ", agency " : "", ag ? ag : "");
		}
		scrvault_json_free(j);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	return cli_print_object(a, j, principal_fields);
}

static int grant_or_ungrant(cli_args *a, bool grant)
{
	const char *name = a->args[0], *role = a->args[1];
	scrvault *v = NULL;
	int error;

	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = grant ? scrvault_principal_grant(v, name, role, cli_opt(a, "case"), cli_opt(a, "agency"))
		: scrvault_principal_ungrant(v, name, role, cli_opt(a, "case"), cli_opt(a, "agency"));
	scrvault_vault_close(v);
	if (error < 0)
		return cli_fail(error);
	printf("%s role %s %s '%s'%s%s%s%s\n", grant ? "granted" : "removed", role, grant ? "to" : "from", name,
	       cli_opt(a, "case") ? " for case " : "", cli_opt(a, "case") ? cli_opt(a, "case") : "",
	       cli_opt(a, "agency") ? ", agency " : "", cli_opt(a, "agency") ? cli_opt(a, "agency") : "");
	return 0;
}

static int cmd_principal_grant(cli_args *a) { return grant_or_ungrant(a, true); }
static int cmd_principal_ungrant(cli_args *a) { return grant_or_ungrant(a, false); }

static int cmd_principal_revoke(cli_args *a)
{
	scrvault_json *j = NULL;
	scrvault *v = NULL;
	int error;

	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = scrvault_principal_revoke(&j, v, a->args[0], cli_opt(a, "reason"));
	scrvault_vault_close(v);
	if (error < 0)
		return cli_fail(error);
	if (j) {
		if (a->json)
			cli_print_json(j);
		else
			printf("revoking '%s' needs a second custodian: pending operation %s (expires %s);\n"
			       "another custodian runs 'scrvault approve %s' (or 'scrvault refuse %s')\n",
			       a->args[0], scrvault_json_str(scrvault_json_get(j, "pending")),
			       scrvault_json_str(scrvault_json_get(j, "expires_at")),
			       scrvault_json_str(scrvault_json_get(j, "pending")),
			       scrvault_json_str(scrvault_json_get(j, "pending")));
		scrvault_json_free(j);
		return 0;
	}
	printf("revoked '%s'\n", a->args[0]);
	return 0;
}

static int cmd_principal_rotate(cli_args *a)
{
	const char *key = cli_opt(a, "key-out"), *mib = cli_opt(a, "kdf-memory");
	scrvault_secret *pp = NULL;
	scrvault *v = NULL;
	unsigned long m = 0;
	int error;

	if (!key)
		return cli_usage(a, "give --key-out FILE for the new key file");
	if (mib) {
		char *end = NULL;

		m = strtoul(mib, &end, 10);
		if (!*mib || *end || m == 0 || m > 4096)
			return cli_usage(a, "--kdf-memory takes a number of MiB (8 to 4096)");
	}
	if (cli_flag(a, "no-passphrase"))
		pp = NULL;
	else if ((error = cli_new_passphrase(&pp, a, a->args[0])) < 0)
		return -error;
	if ((error = cli_open(&v, a)) != 0) {
		scrvault_secret_free(pp);
		return error;
	}
	error = scrvault_principal_rotate(v, a->args[0], key, pp, (unsigned)m);
	scrvault_secret_free(pp);
	scrvault_vault_close(v);
	if (error < 0)
		return cli_fail(error);
	printf("new keys for '%s' in %s; the old key file no longer works\n", a->args[0], key);
	return 0;
}

static const cli_col release_cols[] = {
	{ "released_at", "RELEASED" }, { "case", "CASE" }, { "doc", "DOCUMENT" }, { "version", "VER" },
	{ "class", "CLASS" }, { "role", "ROLE" }, { "request", "REQUEST" }, { "audit_seq", "AUDIT" },
	{ NULL, NULL }
};

static int cmd_principal_impact(cli_args *a)
{
	scrvault_json *j = NULL;
	scrvault *v = NULL;
	int error;

	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = scrvault_principal_impact(&j, v, a->args[0]);
	scrvault_vault_close(v);
	return error < 0 ? cli_fail(error) : cli_print_list(a, j, release_cols);
}

static int cmd_fsck(cli_args *a)
{
	scrvault_json *r = NULL;
	scrvault *v = NULL;
	int error, fatal;

	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = scrvault_fsck(&r, v);
	scrvault_vault_close(v);
	if (!r)
		return cli_fail(error);
	if (a->json) {
		cli_print_json(r);
	} else {
		const scrvault_json *p = scrvault_json_get(r, "problems");
		const scrvault_json *w = scrvault_json_get(r, "warnings");
		const scrvault_json *c = scrvault_json_get(r, "checked");

		for (size_t i = 0; i < scrvault_json_count(p); i++)
			printf("problem: %s\n", scrvault_json_str(scrvault_json_at(p, i)));
		for (size_t i = 0; i < scrvault_json_count(w); i++)
			printf("warning: %s\n", scrvault_json_str(scrvault_json_at(w, i)));
		printf("checked %lld document versions and %lld audit entries: %s\n",
		       (long long)scrvault_json_int(scrvault_json_get(c, "versions")),
		       (long long)scrvault_json_int(scrvault_json_get(c, "audit_entries")),
		       scrvault_json_count(p) ? "PROBLEMS FOUND" : "clean");
	}
	fatal = error;
	scrvault_json_free(r);
	if (fatal < 0) {
		fprintf(stderr, "scrvault: fsck found problems (listed above)\n");
		return -fatal;
	}
	return 0;
}

#define PRINCIPAL_HELP \
	"options:\n" \
	"  --key-out FILE              where to write the key file (created 0600)\n" \
	"  --display-name TEXT         the person's or agency's name\n" \
	"  --kind person|agency|service  (default person)\n" \
	"  --agency NAME               the agency (for agency accounts and their staff)\n" \
	"  --contact TEXT              phone or e-mail, for recalling copies\n" \
	"  --new-passphrase-file FILE  the new key file's passphrase (else prompted twice)\n" \
	"  --kdf-memory MIB            Argon2id memory for the key file (default 46)\n"

static const cli_optdef principal_opts[] = {
	{ "key-out", 1 }, { "display-name", 1 }, { "kind", 1 }, { "agency", 1 },
	{ "contact", 1 }, { "new-passphrase-file", 1 }, { "kdf-memory", 1 },
	{ "custodian", 0 }, { "no-passphrase", 0 }, { NULL, 0 }
};

static const cli_optdef init_opts[] = {
	{ "key-out", 1 }, { "display-name", 1 }, { "kind", 1 }, { "agency", 1 },
	{ "contact", 1 }, { "new-passphrase-file", 1 }, { "kdf-memory", 1 },
	{ "confirm-retention", 0 }, { NULL, 0 }
};
static const cli_optdef grant_opts[] = { { "case", 1 }, { "agency", 1 }, { NULL, 0 } };
static const cli_optdef revoke_opts[] = { { "reason", 1 }, { NULL, 0 } };

const cli_cmd cli_vault_commands[] = {
	{ "init", NULL, cmd_init,
	  "scrvault init --vault DIR --key-out FILE [options] NAME",
	  "Create a vault with NAME as its first custodian.\n\n" PRINCIPAL_HELP
	  "  --confirm-retention         the board confirms the default policy's retention\n"
	  "                              rules now (else later: 'scrvault retention confirm')\n",
	  init_opts, 1, 1 },
	{ "principal", "add", cmd_principal_add,
	  "scrvault principal add --key-out FILE [--custodian] [options] NAME",
	  "Register a principal and write their key file.\n\n" PRINCIPAL_HELP
	  "  --custodian                 may unlock the vault (gets a wrap of the master key)\n"
	  "  --no-passphrase             a service principal's key file without passphrase\n",
	  principal_opts, 1, 1 },
	{ "principal", "list", cmd_principal_list, "scrvault principal list [--json]",
	  "List the vault's principals.\n", NULL, 0, 0 },
	{ "principal", "show", cmd_principal_show, "scrvault principal show [--json] NAME",
	  "Show one principal.\n", NULL, 1, 1 },
	{ "principal", "grant", cmd_principal_grant,
	  "scrvault principal grant [--case REF] [--agency NAME] NAME ROLE",
	  "Give NAME a role of the policy ('scrvault policy show' lists them): board-wide\n"
	  "roles take neither option, case roles --case, case-and-agency roles both.\n",
	  grant_opts, 2, 2 },
	{ "principal", "ungrant", cmd_principal_ungrant,
	  "scrvault principal ungrant [--case REF] [--agency NAME] NAME ROLE",
	  "Take a role away again (the same options it was granted with).\n", grant_opts, 2, 2 },
	{ "principal", "revoke", cmd_principal_revoke, "scrvault principal revoke [--reason TEXT] NAME",
	  "Revoke a principal: they can do nothing from now on.  A custodian's wrap of the\n"
	  "master key is removed and the others are written afresh.  Under dual control this\n"
	  "waits for a second custodian ('scrvault approve ID').\n", revoke_opts, 1, 1 },
	{ "principal", "rotate", cmd_principal_rotate,
	  "scrvault principal rotate --key-out FILE [--new-passphrase-file FILE] NAME",
	  "New keys for a principal (a lost laptop, a leaked key file): writes a new key\n"
	  "file; the old one no longer unlocks or acts.\n", principal_opts, 1, 1 },
	{ "principal", "impact", cmd_principal_impact, "scrvault principal impact [--json] NAME",
	  "Every document version ever released to NAME, with the role and request:\n"
	  "the list to assess after a revocation or a lost laptop.\n", NULL, 1, 1 },
	{ "fsck", NULL, cmd_fsck, "scrvault fsck [--json]",
	  "Check database, store and audit log against each other and decrypt every\nlive document version. Exit 5 when a problem is found.\n",
	  NULL, 0, 0 },
	{ NULL, NULL, NULL, NULL, NULL, NULL, 0, 0 }
};
