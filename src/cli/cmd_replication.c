/*
 * cmd_replication.c - scrvault mirror add|list|push, backup create|verify,
 * restore.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const cli_col mirror_cols[] = {
	{ "mirror", "MIRROR" }, { "url", "URL" }, { "outcome", "PUSH" }, { "why", "WHY" }, { NULL, NULL }
};
static const cli_col change_cols[] = {
	{ "at", "WHEN" }, { "change", "STATE CHANGE" }, { "commit", "STORE COMMIT" }, { NULL, NULL }
};

static int cmd_mirror_add(cli_args *a)
{
	scrvault *v = NULL;
	int error;

	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = scrvault_mirror_add(v, a->args[0], a->args[1]);
	scrvault_vault_close(v);
	if (error < 0)
		return cli_fail(error);
	printf("mirror '%s' added: 'scrvault mirror push' sends the store there\n", a->args[0]);
	return 0;
}

static int cmd_mirror_list(cli_args *a)
{
	scrvault_json *j = NULL;
	scrvault *v = NULL;
	int error;

	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = scrvault_mirror_list(&j, v);
	scrvault_vault_close(v);
	if (error < 0)
		return cli_fail(error);
	return cli_print_list(a, j, mirror_cols);
}

static int cmd_mirror_push(cli_args *a)
{
	scrvault_json *j = NULL;
	scrvault *v = NULL;
	int error, rc = 0;

	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = scrvault_mirror_push(&j, v, a->nargs ? a->args[0] : NULL);
	scrvault_vault_close(v);
	if (error < 0)
		rc = cli_fail(error);
	if (j)
		cli_print_list(a, j, mirror_cols);
	return rc;
}

static const cli_col manifest_fields[] = {
	{ "vault", "vault" }, { "created_at", "created" }, { "created_by", "by" },
	{ "audit_size", "audit entries" }, { "audit_root", "audit root" }, { "store_head", "store head" },
	{ "database_size", "database bytes" }, { "database_sha256", "database SHA-256" },
	{ "keyring_sha256", "keyring SHA-256" }, { "schema", "schema" }, { NULL, NULL }
};

static int cmd_backup_create(cli_args *a)
{
	scrvault_json *j = NULL;
	scrvault *v = NULL;
	int error;

	if (!cli_opt(a, "output"))
		return cli_usage(a, "give the backup file to write (-o FILE)");
	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = scrvault_backup_create(&j, v, cli_opt(a, "output"));
	scrvault_vault_close(v);
	if (error < 0)
		return cli_fail(error);
	if (!a->json)
		printf("backup written to '%s' (encrypted; signed by the vault's audit key)\n", cli_opt(a, "output"));
	return cli_print_object(a, j, manifest_fields);
}

static int cmd_backup_verify(cli_args *a)
{
	const char *vkey = cli_opt(a, "vkey");
	scrvault_json *j = NULL;
	int error;

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

static int cmd_restore(cli_args *a)
{
	const char *key = cli_opt(a, "key");
	scrvault_restore_spec s = {
		.version = SCRVAULT_RESTORE_SPEC_VERSION,
		.backup = cli_opt(a, "from-backup"), .mirror = cli_opt(a, "from-mirror"), .dir = cli_opt(a, "to"),
		.accept_gap = cli_flag(a, "accept-gap"),
	};
	scrvault_secret *pp = NULL;
	scrvault_json *j = NULL;
	int error, rc = 0;

	if (!key)
		key = getenv("SCRVAULT_KEY");
	if (!s.backup || !s.mirror || !s.dir || !key)
		return cli_usage(a, "give --from-backup FILE --from-mirror URL --to DIR and a custodian's --key FILE");
	s.keyfile = key;
	if ((error = cli_passphrase(&pp, a, key)) < 0)
		return cli_fail(error);
	s.passphrase = pp;
	error = scrvault_restore(&j, &s);
	scrvault_secret_free(pp);
	if (error < 0)
		rc = cli_fail(error);
	if (j) {
		if (a->json) {
			cli_print_json(j);
		} else {
			const scrvault_json *from = scrvault_json_get(j, "missing_audit_from");
			const scrvault_json *gone = scrvault_json_get(j, "removals_not_applied_list");
			const char *cp = scrvault_json_str(scrvault_json_get(j, "mirror_checkpoint"));

			if (cp && strcmp(cp, "verified") != 0)
				printf("backup of %s: %lld audit entries; the mirror's signed checkpoint: NONE (%s)\n"
				       "MISSING: an unknown number of audit entries and database-only changes (holds, "
				       "request decisions, releases, copies): %s\n",
				       scrvault_json_str(scrvault_json_get(j, "backup_created_at")),
				       (long long)scrvault_json_int(scrvault_json_get(j, "backup_audit_size")), cp,
				       scrvault_json_str(scrvault_json_get(j, "mirror_checkpoint_problem")));
			else
				printf("backup of %s: %lld audit entries; the mirror's signed checkpoint: %lld\n",
				       scrvault_json_str(scrvault_json_get(j, "backup_created_at")),
				       (long long)scrvault_json_int(scrvault_json_get(j, "backup_audit_size")),
				       (long long)scrvault_json_int(scrvault_json_get(j, "mirror_audit_size")));
			if (from)
				printf("MISSING: audit entries %lld to %lld\n", (long long)scrvault_json_int(from),
				       (long long)scrvault_json_int(scrvault_json_get(j, "missing_audit_to")));
			if (scrvault_json_count(scrvault_json_get(j, "state_changes"))) {
				printf("MISSING: state changes the mirror holds and the backup does not:\n");
				cli_table(scrvault_json_get(j, "state_changes"), change_cols);
			}
			if (scrvault_json_count(gone)) {
				fprintf(stderr, "WARNING: the mirror's head lacks %zu version%s the backup holds live, with no "
					"destruction record signed by this vault: %s NOT destroyed (the mirror's history may "
					"have been forged):", scrvault_json_count(gone), scrvault_json_count(gone) == 1 ? "" : "s",
					rc == 0 ? "they were" : "they would not be");
				for (size_t i = 0; i < scrvault_json_count(gone); i++)
					fprintf(stderr, " %s@%lld", scrvault_json_str(scrvault_json_get(scrvault_json_at(gone, i), "doc")),
						(long long)scrvault_json_int(scrvault_json_get(scrvault_json_at(gone, i), "version")));
				fprintf(stderr, "\n");
			}
			if (rc == 0)
				printf("restored into '%s'; %zu destruction%s re-applied\n", s.dir,
				       scrvault_json_count(scrvault_json_get(j, "destructions_reapplied")),
				       scrvault_json_count(scrvault_json_get(j, "destructions_reapplied")) == 1 ? "" : "s");
		}
		scrvault_json_free(j);
	}
	return rc;
}

static const cli_optdef backup_opts[] = { { "output", 1 }, { NULL, 0 } };
static const cli_optdef verify_opts[] = { { "vkey", 1 }, { NULL, 0 } };
static const cli_optdef restore_opts[] = {
	{ "from-backup", 1 }, { "from-mirror", 1 }, { "to", 1 }, { "accept-gap", 0 }, { NULL, 0 }
};

const cli_cmd cli_replication_commands[] = {
	{ "mirror", "add", cmd_mirror_add, "scrvault mirror add NAME URL",
	  "Register a git remote (a bare repository on another disk or host: file:///...,\n"
	  "ssh://host/path) that receives the encrypted store. A URL with a password\n"
	  "(user:password@) is refused: keep credentials out of the URL.\n", NULL, 2, 2 },
	{ "mirror", "list", cmd_mirror_list, "scrvault mirror list [--json]", "The mirrors.\n", NULL, 0, 0 },
	{ "mirror", "push", cmd_mirror_push, "scrvault mirror push [NAME]",
	  "Send the store (documents as ciphertext, policy versions, the signed audit\n"
	  "checkpoint) to a mirror, or to all. Fast-forward only; each push is audited; a\n"
	  "refused or failed push says why and changes nothing locally. Exit 6 when a\n"
	  "mirror has commits the vault lacks (not a fast-forward), 1 on other failures.\n", NULL, 0, 1 },
	{ "backup", "create", cmd_backup_create, "scrvault backup create -o FILE",
	  "A consistent, encrypted snapshot of the vault's database and keyring (taken\n"
	  "while the vault is in use), with a manifest signed by the audit key.\n", backup_opts, 0, 0 },
	{ "backup", "verify", cmd_backup_verify, "scrvault backup verify [--vkey VKEY] FILE",
	  "Check a backup without restoring it (no vault needed): the manifest's signature\n"
	  "(against the vault's published verifier key with --vkey) and both parts' digests.\n",
	  verify_opts, 1, 1 },
	{ "restore", NULL, cmd_restore,
	  "scrvault restore --from-backup FILE --from-mirror URL --to DIR --key FILE [--accept-gap]",
	  "Rebuild a vault from a backup and a mirror, as a custodian. If the mirror shows\n"
	  "audit entries or state changes newer than the backup, or has no audit checkpoint\n"
	  "signed by the vault, this is listed and nothing is restored unless --accept-gap\n"
	  "(the loss is then recorded in the audit log). Versions destroyed after the\n"
	  "backup are destroyed again when a destruction record signed by the vault says\n"
	  "so; versions the mirror merely lacks are kept and listed in a warning.\n",
	  restore_opts, 0, 0 },
	{ NULL, NULL, NULL, NULL, NULL, NULL, 0, 0 }
};
