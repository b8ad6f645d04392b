/*
 * backup.h - reading a backup file, for restore (backup.c).
 */
#ifndef SV_SERVICES_BACKUP_H
#define SV_SERVICES_BACKUP_H

#include "crypto/crypto.h"
#include "base/json.h"
#include "base/common.h"

/* A parsed backup file (the parts point into `data`). */
typedef struct {
	unsigned char *data;
	size_t len;
	sv_json *manifest;
	char *mtext;
	const unsigned char *keyring;
	size_t keyring_len;
	const unsigned char *database;
	size_t database_len;
	unsigned char signer[SV_KEY_LEN];
} sv_backup_file;

/* Read and parse the backup file at `path` (its signature is not checked). */
int sv_backup_read(sv_backup_file *b, const char *path);
void sv_backup_free(sv_backup_file *b);
/* The manifest's signer must be the key of verifier key `vkey`. */
int sv_check_vkey(const sv_backup_file *b, const char *vkey);

#endif
