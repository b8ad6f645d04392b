/*
 * cmd_backup.c - scrvault backup create|verify: encrypted snapshots of the
 * database and keyring, signed by the audit key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "remote.h"

static const cli_col manifest_fields[] = {
	{ "vault", "vault" }, { "created_at", "created" }, { "created_by", "by" },
	{ "audit_size", "audit entries" }, { "audit_root", "audit root" }, { "store_head", "store head" },
	{ "database_size", "database bytes" }, { "database_sha256", "database SHA-256" },
	{ "keyring_sha256", "keyring SHA-256" }, { "schema", "schema" }, { NULL, NULL }
};

static int cmd_create(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;
	int error;

	if (!cli_opt(a, "output"))
		return cli_usage(a, "give the backup file to write (-o FILE)");
	if ((error = scrvault_backup_create(&j, v, cli_opt(a, "output"))) < 0)
		return cli_fail(error);
	if (!a->json)
		printf("backup written to '%s' (encrypted; signed by the vault's audit key)\n", cli_opt(a, "output"));
	return cli_print_object(a, j, manifest_fields);
}

static int cmd_verify(cli_args *a, scrvault *unused)
{
	const char *vkey = cli_opt(a, "vkey");
	scrvault_json *j = NULL;
	int error;

	(void)unused;
	if (!vkey)
		vkey = getenv("SCRVAULT_VAULT_KEY");
	error = scrvault_backup_verify(&j, a->args[0], vkey);
	if (error < 0)
		return cli_fail(error);
	if (!a->json) {
		printf("the backup is intact: its manifest's signature and both parts' digests check%s\n",
		       vkey ? ", and it is signed by the vault of that verifier key" :
		       " (pass --vkey VKEY, the vault's published verifier key, to check who signed it)");
	}
	return cli_print_object(a, j, manifest_fields);
}

static const cli_optdef create_opts[] = { { "output", 1, "path", "FILE" }, { NULL, 0, NULL, NULL } };
static const cli_optdef verify_opts[] = { { "vkey", 1, "vkey", "VKEY" }, { NULL, 0, NULL, NULL } };

const cli_cmd cli_backup_commands[] = {
	{ "backup", "create", cmd_create, CLI_VAULT, NULL, "scrvault backup create -o FILE | --server URL",
	  "A consistent, encrypted snapshot of the vault's database and keyring (taken\n"
	  "while the vault is in use), with a manifest signed by the audit key. Through\n"
	  "the service (--server) the service writes it into its own backup directory\n"
	  "(scrvaultd --backup-dir), named by the time, and says where; no -o.\n", create_opts, 0, 0 },
	{ "backup", "verify", cmd_verify, 0, NULL, "scrvault backup verify [--vkey VKEY] FILE",
	  "Check a backup without restoring it (no vault needed): the manifest's signature\n"
	  "(against the vault's published verifier key with --vkey) and both parts' digests.\n",
	  verify_opts, 1, 1 },
	CLI_CMDS_END
};

/* ---- through the service ---------------------------------------------------------- */

/* The nightly job's backup: the request names no path (the operator's
 * --backup-dir does), so -o has no meaning here. */
static int remote_create(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;
	int st;

	if (cli_opt(a, "output"))
		return cli_usage(a, "through the service the backup is written into the service's own backup "
				 "directory (scrvaultd --backup-dir): leave out -o, or run on the vault host with --vault DIR");
	if ((st = cli_remote_json(&j, r, "POST", "/v1/backups", NULL)) != 0)
		return st;
	if (!a->json)
		printf("backup written to '%s' on the service's host (encrypted; signed by the vault's audit key)\n",
		       cli_str(j, "path") ? cli_str(j, "path") : "?");
	return cli_print_object(a, j, manifest_fields);
}

const cli_remote_cmd cli_backup_remote[] = { { "backup", "create", remote_create }, CLI_REMOTE_END };
