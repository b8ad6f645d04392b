/*
 * keyrelease.h - the release ledger and decrypting a version (keyrelease.c).
 */
#ifndef SV_RECORDS_KEYRELEASE_H
#define SV_RECORDS_KEYRELEASE_H

#include "records/find.h"

/* Inside a transaction, after its audit entry: a key release in the ledger. */
int sv_release_record(scrvault *v, const char *doc, unsigned version, int64_t access_request);

/*
 * Decrypt and verify a version into fd (fd < 0: verify only): blob size,
 * every chunk's tag, plaintext and ciphertext SHA-256.  SCRVAULT_EINTEGRITY
 * with a message naming the document on any mismatch.
 */
int sv_doc_decrypt(scrvault *v, const char *doc, unsigned version,
		   const sv_version_row *r, int fd);

/* The same into a sink (0 or a negative code with the message set). */
typedef int (*sv_sink_fn)(void *ctx, const void *buf, size_t len);

int sv_doc_decrypt_to(scrvault *v, const char *doc, unsigned version,
		      const sv_version_row *r, sv_sink_fn sink, void *sink_ctx);

#endif
