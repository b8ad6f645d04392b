/*
 * keyrelease.c - the one way to a document's plaintext, and the one place a
 * document key is unwrapped.
 *
 * A version's data key (DEK) is kept only wrapped under the vault's
 * key-encryption key (KEK).  Exactly one function unwraps it (dek_open), and
 * it is reached only through a release handle (sv_release), which only
 * sv_release_commit makes: it commits the caller's transaction, and only if
 * that transaction recorded, in an audit entry naming it, every version it
 * releases (doc.checkout, doc.release, copy.print), or for a check that
 * sends the plaintext nowhere (fsck, restore) recorded that check.  No
 * commit, no handle: no document key is ever unwrapped without a committed
 * record of why (fail closed).  scripts/check-layers checks that no other
 * file uses the KEK.
 *
 * This file also wraps new keys under the KEK (check-in, policy texts) and
 * opens a policy text's key, which is no document's.  It never writes a
 * file: what becomes of the plaintext is the caller's sink.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "vault/keyrelease.h"
#include "vault/log.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "storage/store.h"
#include "crypto/crypto.h"
#include "base/common.h"
#include "base/date.h"
#include "base/file.h"

struct sv_release {
	scrvault *v;
	sv_release_kind kind;
	sv_release_item *items;
	size_t n;
};

/* ---- where a version lives, and what binds its key and blob ----------- */

void sv_blob_path(char *out, size_t len, const char *doc, unsigned version)
{
	/* Two levels of 256-way fan-out, then one file per version: no tree
	 * per document, so a check-in of n new documents writes about n
	 * trees, not 2n. */
	snprintf(out, len, "d/%.2s/%.2s/%s.%u", doc, doc + 2, doc, version);
}

void sv_blob_context(char *out, size_t len, const scrvault *v, const char *doc,
		     unsigned version)
{
	snprintf(out, len, "scrvault v1 blob|%s|%s|%u", v->id, doc, version);
}

/* ---- the KEK ---------------------------------------------------------------- */

int sv_kek_wrap(unsigned char out[SV_SEALED_LEN(SV_KEY_LEN)], const scrvault *v,
		const sv_secret *key, const char *context)
{
	return sv_seal(out, v->kek, sv_secret_data(key), SV_KEY_LEN, context, strlen(context));
}

int sv_kek_open_policy(sv_secret **out, const scrvault *v, const unsigned char *wrapped, size_t len,
		       const char *context)
{
	if (strncmp(context, "scrvault policy ", 16) != 0)
		return sv_error(SCRVAULT_ERROR, "only a policy text's key opens here");
	return sv_open(out, v->kek, wrapped, len, context, strlen(context));
}

/* The only unwrap of a document key: called from decrypt() alone. */
static int dek_open(sv_secret **out, const scrvault *v, const char *doc, unsigned version,
		    const sv_version_row *r)
{
	char ctx[160];

	sv_blob_context(ctx, sizeof(ctx), v, doc, version);
	if (sv_open(out, v->kek, r->wrapped, sizeof(r->wrapped), ctx, strlen(ctx)) < 0)
		return sv_error(SCRVAULT_EINTEGRITY, "the key of document '%s' version %u does not open", doc, version);
	return 0;
}

/* ---- the ledger ------------------------------------------------------------- */

int sv_release_record(scrvault *v, const char *doc, unsigned version, int64_t access_request)
{
	char when[21];
	uint64_t seq = 0;
	int error;

	sv_time_iso(when, sv_now());
	if ((error = sv_audit_size(&seq, v)) < 0)
		return error;
	return sv_db_run(v->db, "INSERT INTO releases(principal_id, role, doc_id, version, released_at, request, audit_seq,"
			 " access_request) VALUES (?, ?, ?, ?, ?, ?, ?, NULLIF(?, 0))", "ittittii", v->principal_id, v->role, doc,
			 (int64_t)version, when, v->request, (int64_t)seq, access_request);
}

/* ---- releases --------------------------------------------------------------- */

/* Whether the open transaction has an audit entry naming doc@version. */
static bool named_in_txn(const scrvault *v, const char *doc, unsigned version)
{
	for (size_t i = 0; i < v->txn_nnamed; i++)
		if (v->txn_named[i].version == version && !strcmp(v->txn_named[i].doc, doc))
			return true;
	return false;
}

int sv_release_commit(sv_release **out, scrvault *v, sv_release_kind kind,
		      const sv_release_item *items, size_t n)
{
	sv_release *r = NULL;
	int error;

	*out = NULL;
	if (!sv_db_in_txn(v->db))
		return sv_error(SCRVAULT_ERROR, "a release outside its transaction");
	if (kind == SV_RELEASE_VERIFY ? v->txn_entries == 0 : n == 0) {
		sv_vault_abort(v);
		return sv_error(SCRVAULT_ERROR, "a release with nothing on record");
	}
	for (size_t i = 0; i < n; i++)
		if (!named_in_txn(v, items[i].doc, items[i].version)) {
			sv_vault_abort(v);
			return sv_error(SCRVAULT_ERROR, "document '%s' version %u would be released without an "
					"audit entry of its release", items[i].doc, items[i].version);
		}
	if (!(r = sv_calloc(1, sizeof(*r))) || (n && !(r->items = sv_calloc(n, sizeof(*items))))) {
		sv_vault_abort(v);
		free(r);
		return SCRVAULT_ERROR;
	}
	if (n)
		memcpy(r->items, items, n * sizeof(*items));
	r->v = v;
	r->kind = kind;
	r->n = n;
	/* The record is durable before any key is unwrapped. */
	if ((error = sv_vault_commit(v)) < 0) {
		sv_release_free(r);
		return error;
	}
	*out = r;
	return 0;
}

size_t sv_release_count(const sv_release *r)
{
	return r ? r->n : 0;
}

const sv_release_item *sv_release_item_at(const sv_release *r, size_t i)
{
	return r && i < r->n ? &r->items[i] : NULL;
}

void sv_release_free(sv_release *r)
{
	if (!r)
		return;
	if (r->items)
		sv_cleanse_free(r->items, r->n * sizeof(*r->items));
	free(r);
}

static int decrypt(scrvault *v, const char *doc, unsigned version, const sv_version_row *r,
		   sv_sink_fn sink, void *sink_ctx)
{
	const int fd = sink ? 0 : -1;	/* < 0: verify only (fsck) */
	unsigned char *in = NULL, *out = NULL, hdr[SV_BLOB_HEADER_LEN];
	unsigned char sha[SV_SHA256_LEN], ct_sha[SV_SHA256_LEN];
	char ctx[160];
	sv_secret *dek = NULL;
	sv_blob_dec *dec = NULL;
	sv_sha256_ctx *ph = NULL, *ch = NULL;
	sv_store_rstream *rs = NULL;
	uint64_t blobsize = 0, left;
	int error;

	sv_blob_context(ctx, sizeof(ctx), v, doc, version);
	if ((error = dek_open(&dek, v, doc, version, r)) < 0)
		goto done;
	if ((error = sv_store_blob_reader(&rs, &blobsize, v->store, r->oid)) < 0) {
		if (error == SCRVAULT_ENOTFOUND)
			error = SCRVAULT_EINTEGRITY;
		goto fail;
	}
	if (blobsize != sv_blob_size(r->size)) {
		error = sv_error(SCRVAULT_EINTEGRITY, "stored blob is %llu bytes, expected %llu",
				 (unsigned long long)blobsize, (unsigned long long)sv_blob_size(r->size));
		goto fail;
	}
	error = SCRVAULT_ERROR;
	if (!(in = sv_malloc(SV_BLOB_CT_CHUNK)) || !(out = sv_malloc(SV_BLOB_CHUNK)))
		goto done;
	/* The ciphertext digest is fsck's (fd < 0) check only, see below. */
	if ((error = sv_sha256_new(&ph)) < 0 || (fd < 0 && (error = sv_sha256_new(&ch)) < 0))
		goto done;
	if (sv_store_blob_read(rs, hdr, sizeof(hdr)) != (long)sizeof(hdr)) {
		error = sv_error(SCRVAULT_EINTEGRITY, "stored blob is truncated");
		goto fail;
	}
	if ((fd < 0 && (error = sv_sha256_update(ch, hdr, sizeof(hdr))) < 0) ||
	    (error = sv_blob_dec_new(&dec, hdr, dek, ctx, strlen(ctx))) < 0)
		goto fail;
	left = r->size;
	do {
		size_t plain = left < SV_BLOB_CHUNK ? (size_t)left : SV_BLOB_CHUNK;
		size_t want = plain + SV_GCM_TAG_LEN, got = 0;
		bool last;

		while (got < want) {
			long k = sv_store_blob_read(rs, in + got, want - got);
			if (k < 0) {
				error = (int)k;
				goto fail;
			}
			if (k == 0)
				break;
			got += (size_t)k;
		}
		if (got != want) {
			error = sv_error(SCRVAULT_EINTEGRITY, "stored blob is truncated");
			goto fail;
		}
		left -= plain;
		last = left == 0;
		/* The ciphertext digest is fsck's (fd < 0) check; a check-out relies
		 * on every chunk's tag, the last-chunk flag and the plaintext digest. */
		if ((fd < 0 && (error = sv_sha256_update(ch, in, want)) < 0) ||
		    (error = sv_blob_dec_chunk(dec, out, in, want, last)) < 0 ||
		    (error = sv_sha256_update(ph, out, plain)) < 0)
			goto fail;
		if (sink && (error = sink(sink_ctx, out, plain)) < 0)
			goto done;
		if (last)
			break;
	} while (1);
	if (sv_store_blob_read(rs, in, 1) != 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "stored blob is longer than recorded");
		goto fail;
	}
	if ((error = sv_sha256_final(ph, sha)) < 0 || (fd < 0 && (error = sv_sha256_final(ch, ct_sha)) < 0))
		goto done;
	if (sv_memcmp_ct(sha, r->sha, SV_SHA256_LEN) != 0 ||
	    (fd < 0 && sv_memcmp_ct(ct_sha, r->ct_sha, SV_SHA256_LEN) != 0)) {
		error = sv_error(SCRVAULT_EINTEGRITY, "SHA-256 does not match the check-in record");
		goto fail;
	}
	error = 0;
	goto done;
fail:
	sv_error_wrap(error, "document '%s' version %u failed its integrity check", doc, version);
done:
	sv_cleanse_free(out, r->size < SV_BLOB_CHUNK ? (size_t)r->size : SV_BLOB_CHUNK);
	free(in);
	sv_secret_free(dek);
	sv_blob_dec_free(dec);
	sv_sha256_free(ph);
	sv_sha256_free(ch);
	sv_store_rstream_free(rs);
	return error;
}

int sv_release_decrypt(const sv_release *r, size_t i, sv_sink_fn sink, void *ctx)
{
	const sv_release_item *it = sv_release_item_at(r, i);

	if (!it)
		return sv_error(SCRVAULT_ERROR, "no such item in the release");
	if (r->kind == SV_RELEASE_VERIFY && sink)
		return sv_error(SCRVAULT_ERROR, "a verification sends the plaintext nowhere");
	return decrypt(r->v, it->doc, it->version, &it->row, sink, ctx);
}

static int fd_sink(void *ctx, const void *buf, size_t len)
{
	if (sv_write_all(*(int *)ctx, buf, len) < 0)
		return sv_error(SCRVAULT_ERROR, "cannot write the output: %s", strerror(errno));
	return 0;
}

int sv_release_decrypt_fd(const sv_release *r, size_t i, int fd)
{
	return sv_release_decrypt(r, i, fd_sink, &fd);
}

int sv_release_verify(const sv_release *r, const char *doc, unsigned version, const sv_version_row *row)
{
	if (!r || r->kind != SV_RELEASE_VERIFY)
		return sv_error(SCRVAULT_ERROR, "not a verification");
	return decrypt(r->v, doc, version, row, NULL, NULL);
}
