/*
 * scrvault/backup.h - encrypted backups of the database and keyring: a
 * consistent copy with a manifest signed by the audit key (DESIGN §4).
 */
#ifndef SCRVAULT_BACKUP_H
#define SCRVAULT_BACKUP_H

#include "scrvault/vault.h"

/* A consistent encrypted snapshot of the vault's database and keyring. */
int scrvault_backup_create(scrvault_json **out, scrvault *v, const char *path);
/*
 * Check a backup file without restoring it: the manifest's signature
 * (against `vkey`, the vault's published verifier key, if given) and the
 * digests of what it carries.  *out gets the manifest.
 */
int scrvault_backup_verify(scrvault_json **out, const char *path, const char *vkey);

#endif
