/*
 * vaultdir.h - who may write a vault directory (vaultdir.c).
 */
#ifndef SV_VAULT_VAULTDIR_H
#define SV_VAULT_VAULTDIR_H

#include "base/common.h"

/*
 * Before a vault is used: the directory and what the vault keeps in it
 * (keyring, vault.db, -wal, -shm, store.git and its top level, lock; those
 * that exist) must be owned by the effective user and
 * writable by nobody else, and none may be a symbolic link.  0, or
 * SCRVAULT_EINTEGRITY naming the first file at fault and the fix.  Reads
 * nothing but the files' metadata.
 */
int sv_vault_dir_check(const char *dir);

/*
 * A new vault's directory for `group` (NULL: none): 0700, or 2750 with
 * that group.  0, SCRVAULT_EUSAGE (field "group") for an unknown group, or
 * SCRVAULT_ERROR.
 */
int sv_vault_dir_setup(const char *dir, const char *group);

/*
 * After init, in a shared directory (group-readable): the keyring, vault.db
 * and store.git made readable by the group.  Best effort, nothing written.
 */
void sv_vault_dir_share_files(const char *dir);

/* Whether the vault directory is shared with a group (group-readable). */
bool sv_vault_dir_shared(const char *dir);

#endif
