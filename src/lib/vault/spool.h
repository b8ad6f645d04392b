/*
 * spool.h - the upload spool (VAULT/spool/): live uploads held by a session,
 * and the wiping of what they leave (spool.c).  The logic of uploads is
 * records/upload.c; this layer only owns their memory and files, so that
 * closing a session (session.c) and opening one can wipe them.
 *
 * Each live upload is one file VAULT/spool/<id> (0600) of ciphertext under
 * a key that exists only in this struct (secure memory); the file is kept
 * flock(2)ed by its session, so another process opening the vault wipes
 * only files no live session holds.
 */
#ifndef SV_VAULT_SPOOL_H
#define SV_VAULT_SPOOL_H

#include "vault/session.h"
#include "crypto/crypto.h"
#include "base/common.h"

#define SV_UPLOAD_ID_LEN 16		/* hex characters */

typedef struct sv_upload {
	struct sv_upload *next;
	char id[SV_UPLOAD_ID_LEN + 1];
	int64_t principal_id;		/* who began it: the only one who may continue */
	sv_secret *key;			/* AES-256 key of its spool records */
	int fd;				/* the spool file, flock'ed (-1: none) */
	char *path;
	uint64_t size, received;	/* announced, and acknowledged so far */
	uint64_t spool_len;		/* bytes of the spool file acknowledged */
	uint64_t counter;		/* next record's nonce counter */
	int64_t last;			/* time of the last chunk (or the start) */
	unsigned char sha[SV_SHA256_LEN];	/* announced SHA-256 */
	sv_sha256_ctx *running;		/* SHA-256 of what was received (NULL once final) */
	bool sha_ok;			/* once final: it was the announced one */
	bool have_last;			/* the last chunk, for a resend */
	uint64_t last_off;
	size_t last_len;
	unsigned char last_sha[SV_SHA256_LEN];
	/* where it goes (copies of the spec) */
	char *case_ref, *doc_class, *agency, *doc, *note, *filename, *title;
} sv_upload;

/* VAULT/spool, made 0700 if missing; *out is a new path (caller frees). */
int sv_spool_dir(char **out, scrvault *v);
/* Wipe one upload: unlink its file (then sync the directory), free its key
 * and memory.  NULL-safe.  Does not unlink it from v->uploads. */
void sv_upload_free(sv_upload *u);
/* Free every upload of the session and wipe their files (closing). */
void sv_spool_close(scrvault *v);
/* Wipe every spool file no live session holds (opening: a killed service's). */
void sv_spool_sweep(const char *vault_dir);

#endif
