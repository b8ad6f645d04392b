/*
 * cmd_vault.c - scrvault init, principal add|list|show, fsck.
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
	error = scrvault_init(dir, &s, key, pp);
	scrvault_secret_free(pp);
	if (error < 0)
		return cli_fail(error);
	printf("created vault '%s' with custodian '%s'\nkey file: %s (keep it safe; it and its passphrase unlock the vault)\n",
	       dir, s.name, key);
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
	scrvault_close(v);
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
	scrvault_close(v);
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
	scrvault_close(v);
	return error < 0 ? cli_fail(error) : cli_print_object(a, j, principal_fields);
}

static int cmd_fsck(cli_args *a)
{
	scrvault_json *r = NULL;
	scrvault *v = NULL;
	int error, fatal;

	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = scrvault_fsck(&r, v);
	scrvault_close(v);
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

const cli_cmd cli_vault_commands[] = {
	{ "init", NULL, cmd_init,
	  "scrvault init --vault DIR --key-out FILE [options] NAME",
	  "Create a vault with NAME as its first custodian.\n\n" PRINCIPAL_HELP,
	  principal_opts, 1, 1 },
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
	{ "fsck", NULL, cmd_fsck, "scrvault fsck [--json]",
	  "Check database, store and audit log against each other and decrypt every\nlive document version. Exit 5 when a problem is found.\n",
	  NULL, 0, 0 },
	{ NULL, NULL, NULL, NULL, NULL, NULL, 0, 0 }
};
