/*
 * keyrelease.c - the one path from a committed release record to
 * plaintext: the release ledger, and decrypting a version (its document key
 * unwrapped under the KEK) into a file, a stream or nothing (verify only).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include "records/keyrelease.h"
#include "crypto/crypto.h"
#include "vault/session.h"
#include "vault/log.h"
#include "storage/db.h"
#include "base/common.h"
#include "base/date.h"
#include "storage/store.h"
#include "records/find.h"
#include "base/file.h"


/*
 * Decrypt a version to `fd` (or only verify, fd < 0).  Checks blob size,
 * every chunk's tag and the last-chunk flag, the plaintext SHA-256, and with
 * fd < 0 the ciphertext SHA-256.  On failure the message names the document
 * and version.  Safe to run on several threads at once (the batch check-out
 * does): it reads v->kek and v->id only, reads the store through its own
 * blob stream, never touches the database, and sv_error is per thread.
 */
static int fd_sink(void *ctx, const void *buf, size_t len)
{
	if (sv_write_all(*(int *)ctx, buf, len) < 0)
		return sv_error(SCRVAULT_ERROR, "cannot write the output: %s", strerror(errno));
	return 0;
}

int sv_doc_decrypt(scrvault *v, const char *doc, unsigned version, const sv_version_row *r, int fd)
{
	return fd < 0 ? sv_doc_decrypt_to(v, doc, version, r, NULL, NULL)
		      : sv_doc_decrypt_to(v, doc, version, r, fd_sink, &fd);
}

int sv_doc_decrypt_to(scrvault *v, const char *doc, unsigned version, const sv_version_row *r,
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
	if ((error = sv_open(&dek, v->kek, r->wrapped, sizeof(r->wrapped), ctx, strlen(ctx))) < 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "the key of document '%s' version %u does not open", doc, version);
		goto done;
	}
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
	if (out) {
		sv_cleanse(out, r->size < SV_BLOB_CHUNK ? (size_t)r->size : SV_BLOB_CHUNK);
		free(out);
	}
	free(in);
	sv_secret_free(dek);
	sv_blob_dec_free(dec);
	sv_sha256_free(ph);
	sv_sha256_free(ch);
	sv_store_rstream_free(rs);
	return error;
}

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
