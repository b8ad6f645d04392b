/*
 * scrvault/replication.h - mirrors of the store, encrypted backups of the
 * database, and restoring a vault from the two (DESIGN §4, §8).
 *
 * A mirror is any git remote that receives the store (ciphertext and opaque
 * ids, policy versions, the signed audit checkpoint).  A backup is a
 * consistent copy of the encrypted database and the keyring, with a manifest
 * signed by the audit key.  A restore rebuilds a vault from a backup and a
 * mirror, reports what the backup missed (audit entries and state changes
 * the mirror knows of), re-applies every destruction made after the backup
 * whose record, signed by the vault's audit key, the mirror's history holds,
 * and records the restore, with its gap, in the audit log.
 */
#ifndef SCRVAULT_REPLICATION_H
#define SCRVAULT_REPLICATION_H

#include "scrvault/vault.h"

/*
 * Register a mirror.  SCRVAULT_EUSAGE for a URL with a password in it
 * (user:password@), longer than 1000 bytes or with a control character.
 */
int scrvault_mirror_add(scrvault *v, const char *name, const char *url);
int scrvault_mirror_list(scrvault_json **out, scrvault *v);
/*
 * Push to one mirror, or to all (name NULL).  *out lists each with its
 * outcome.  SCRVAULT_ECONFLICT when every failed push was refused as not a
 * fast-forward (the mirror has commits the store lacks), SCRVAULT_ERROR for
 * any other failure.
 */
int scrvault_mirror_push(scrvault_json **out, scrvault *v, const char *name);

/* A consistent encrypted snapshot of the vault's database and keyring. */
int scrvault_backup_create(scrvault_json **out, scrvault *v, const char *path);
/*
 * Check a backup file without restoring it: the manifest's signature
 * (against `vkey`, the vault's published verifier key, if given) and the
 * digests of what it carries.  *out gets the manifest.
 */
int scrvault_backup_verify(scrvault_json **out, const char *path, const char *vkey);

typedef struct {
	const char *backup;		/* the backup file */
	const char *mirror;		/* the mirror's URL */
	const char *dir;		/* the new vault directory (must not exist) */
	const char *keyfile;		/* a custodian's key file */
	const scrvault_secret *passphrase;
	bool accept_gap;		/* proceed although the backup is older than the mirror */
} scrvault_restore_spec;

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
