/*
 * cmd_restore.c - scrvault restore: a vault rebuilt from a backup and a
 * mirror, as a custodian.  It makes a vault rather than opening one, so it
 * reads the custodian's passphrase itself (not a CLI_VAULT command).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const cli_col change_cols[] = {
	{ "at", "WHEN" }, { "change", "STATE CHANGE" }, { "commit", "STORE COMMIT" }, { NULL, NULL }
};

static int check_restore(cli_args *a)
{
	const char *key = cli_opt(a, "key") ? cli_opt(a, "key") : getenv("SCRVAULT_KEY");

	if (!cli_opt(a, "from-backup") || !cli_opt(a, "from-mirror") || !cli_opt(a, "to") || !key)
		return cli_usage(a, "give --from-backup FILE --from-mirror URL --to DIR and a custodian's --key FILE");
	return 0;
}

static int cmd_restore(cli_args *a, scrvault *unused)
{
	const char *key = cli_opt(a, "key");
	scrvault_restore_spec s = {
		.version = SCRVAULT_RESTORE_SPEC_VERSION,
		.backup = cli_opt(a, "from-backup"), .mirror = cli_opt(a, "from-mirror"), .dir = cli_opt(a, "to"),
		.accept_gap = cli_flag(a, "accept-gap"), .open_flags = cli_open_flags(a),
	};
	scrvault_secret *pp = NULL;
	scrvault_json *j = NULL;
	int error, rc = 0;

	(void)unused;
	if (!key)
		key = getenv("SCRVAULT_KEY");
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

static const cli_optdef restore_opts[] = {
	{ "from-backup", 1, "backup", "FILE" }, { "from-mirror", 1, "mirror", "URL" }, { "to", 1, "dir", "DIR" },
	{ "accept-gap", 0, "accept_gap", NULL }, { NULL, 0, NULL, NULL }
};

const cli_cmd cli_restore_commands[] = {
	{ "restore", NULL, cmd_restore, 0, check_restore,
	  "scrvault restore --from-backup FILE --from-mirror URL --to DIR --key FILE [--accept-gap]",
	  "Rebuild a vault from a backup and a mirror, as a custodian. If the mirror shows\n"
	  "audit entries or state changes newer than the backup, or has no audit checkpoint\n"
	  "signed by the vault, this is listed and nothing is restored unless --accept-gap\n"
	  "(the loss is then recorded in the audit log). Versions destroyed after the\n"
	  "backup are destroyed again when a destruction record signed by the vault says\n"
	  "so; versions the mirror merely lacks are kept and listed in a warning.\n",
	  restore_opts, 0, 0 },
	CLI_CMDS_END
};
