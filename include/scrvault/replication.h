/*
 * scrvault/replication.h - mirrors of the store, encrypted backups of the
 * database, and restoring a vault from the two (DESIGN §4, §8).
 *
 * A mirror is any git remote that receives the store (ciphertext and opaque
 * ids, policy versions, the signed audit checkpoint).  A backup is a
 * consistent copy of the encrypted database and the keyring, with a manifest
 * signed by the audit key.  A restore rebuilds a vault from a backup and a
 * mirror, reports what the backup missed (audit entries and state changes
 * the mirror knows of), re-applies every destruction the mirror shows, and
 * records the restore, with its gap, in the audit log.
 */
#ifndef SCRVAULT_REPLICATION_H
#define SCRVAULT_REPLICATION_H

#include "scrvault/vault.h"

int scrvault_mirror_add(scrvault *v, const char *name, const char *url);
int scrvault_mirror_list(scrvault_json **out, scrvault *v);
/* Push to one mirror, or to all (name NULL).  *out lists each with its outcome. */
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
 * backup, *out reports the missing audit entries and state changes and the
 * call returns SCRVAULT_ECONFLICT unless accept_gap.
 */
int scrvault_restore(scrvault_json **out, const scrvault_restore_spec *s);

#endif
