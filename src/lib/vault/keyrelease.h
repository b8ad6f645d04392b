/*
 * keyrelease.h - the one way to a document's plaintext (keyrelease.c).
 *
 *   sv_vault_begin(v);
 *   sv_audit_append(v, "doc.checkout", "ok", SV_ABOUT(.doc = id, .version = n), ...);
 *   sv_release_record(v, id, n, 0);                    (the ledger, if a person receives it)
 *   sv_release_commit(&rel, v, SV_RELEASE_PLAINTEXT, items, 1);   commits, or aborts
 *   sv_release_decrypt(rel, 0, sink, ctx);             unwraps and decrypts
 *   sv_release_free(rel);
 */
#ifndef SV_VAULT_KEYRELEASE_H
#define SV_VAULT_KEYRELEASE_H

#include "vault/session.h"
#include "storage/store.h"
#include "crypto/crypto.h"
#include "base/common.h"

/* Fan-out path of a version's blob in the store. */
void sv_blob_path(char *out, size_t len, const char *doc, unsigned version);

/* Associated data binding a blob or wrapped key to vault, document, version. */
void sv_blob_context(char *out, size_t len, const scrvault *v, const char *doc,
		     unsigned version);

/* What the database records of one document version. */
typedef struct {
	uint64_t size;
	unsigned char sha[SV_SHA256_LEN];
	unsigned char ct_sha[SV_SHA256_LEN];
	char oid[SV_OID_HEXLEN + 1];
	unsigned char wrapped[SV_SEALED_LEN(SV_KEY_LEN)];
	char state[16];
} sv_version_row;

/* One version to release, with its record (see vault/find.h). */
typedef struct {
	char doc[SV_DOC_ID_LEN + 1];
	unsigned version;
	sv_version_row row;
} sv_release_item;

typedef enum {
	SV_RELEASE_PLAINTEXT = 1,	/* the plaintext goes to the caller's sink */
	SV_RELEASE_VERIFY		/* decrypted and checked, sent nowhere (fsck, restore) */
} sv_release_kind;

/* A release on record: the only thing a document key is unwrapped for. */
typedef struct sv_release sv_release;

/*
 * Commit the open transaction and make the release.  Refused (and the
 * transaction rolled back) unless, for SV_RELEASE_PLAINTEXT, every item is
 * named by an audit entry appended in this transaction, or, for
 * SV_RELEASE_VERIFY, the transaction appended an entry (the check's own).
 * *out is set only when the commit succeeded.  The items are copied.
 */
int sv_release_commit(sv_release **out, scrvault *v, sv_release_kind kind,
		      const sv_release_item *items, size_t n);
size_t sv_release_count(const sv_release *r);
const sv_release_item *sv_release_item_at(const sv_release *r, size_t i);
/* NULL-safe; cleanses the records it holds. */
void sv_release_free(sv_release *r);

/* Where decrypted bytes go: 0, or a negative code with the message set. */
typedef int (*sv_sink_fn)(void *ctx, const void *buf, size_t len);

/*
 * Decrypt item `i`: its key unwrapped, every chunk authenticated, the blob
 * size and the plaintext SHA-256 checked against the record (with a NULL
 * sink, the ciphertext SHA-256 too), each verified chunk handed to `sink`.
 * SCRVAULT_EINTEGRITY naming the document on any mismatch; the sink may by
 * then have had part of the plaintext, which the caller must discard.  Safe
 * on several threads at once for different items (the batch check-out): it
 * reads the KEK, the vault id and the store's blob readers, never the
 * database.  A SV_RELEASE_VERIFY release takes no sink.
 */
int sv_release_decrypt(const sv_release *r, size_t i, sv_sink_fn sink, void *ctx);
/* The same, written to `fd`. */
int sv_release_decrypt_fd(const sv_release *r, size_t i, int fd);
/* For a SV_RELEASE_VERIFY release: check any version (fsck walks them all). */
int sv_release_verify(const sv_release *r, const char *doc, unsigned version, const sv_version_row *row);

/* Inside the transaction, after its audit entry: a key release to the
 * session's principal in the ledger (principal impact lists them). */
int sv_release_record(scrvault *v, const char *doc, unsigned version, int64_t access_request);

/* Wrap a new key (a version's, or a policy text's) under the KEK with the
 * associated data `context`. */
int sv_kek_wrap(unsigned char out[SV_SEALED_LEN(SV_KEY_LEN)], const scrvault *v,
		const sv_secret *key, const char *context);
/* Open a policy text's key (context "scrvault policy ..."; no document's). */
int sv_kek_open_policy(sv_secret **out, const scrvault *v, const unsigned char *wrapped, size_t len,
		       const char *context);

#endif
