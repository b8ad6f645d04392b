/*
 * scrvault/restore.h - rebuilding a vault from a backup and a mirror.  The
 * restore reports what the backup missed (audit entries and state changes
 * the mirror knows of), re-applies every destruction made after the backup
 * whose record, signed by the vault's audit key, the mirror's history holds,
 * checks every document of the result, and records the restore, with its
 * gap, in the audit log.
 */
#ifndef SCRVAULT_RESTORE_H
#define SCRVAULT_RESTORE_H

#include "scrvault/vault.h"

typedef struct {
	unsigned int version;
	const char *backup;		/* the backup file */
	const char *mirror;		/* the mirror's URL */
	const char *dir;		/* the new vault directory (must not exist) */
	const char *keyfile;		/* a custodian's key file */
	const scrvault_secret *passphrase;
	bool accept_gap;		/* proceed although the backup is older than the mirror */
	unsigned open_flags;		/* SCRVAULT_OPEN_* for unlocking the restored vault */
} scrvault_restore_spec;
#define SCRVAULT_RESTORE_SPEC_VERSION 2
#define SCRVAULT_RESTORE_SPEC_INIT { SCRVAULT_RESTORE_SPEC_VERSION }

/*
 * Rebuild a vault.  When the mirror's audit checkpoint is newer than the
 * backup, its history has commits after the backup's, or it has no
 * checkpoint that verifies with the backup's audit key, *out reports the
 * missing audit entries and state changes (and "mirror_checkpoint":
 * "verified", "missing" or "unverifiable") and the call returns
 * SCRVAULT_ECONFLICT unless accept_gap.  Versions the mirror's head lacks
 * without a signed destruction record are kept and listed in
 * "removals_not_applied_list".
 */
int scrvault_restore(scrvault_json **out, const scrvault_restore_spec *s);

#endif
