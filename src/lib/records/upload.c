/*
 * upload.c - resumable uploads into the spool, finished as a check-in
 * (scrvault/upload.h), and the check-in's signed receipt.
 *
 * Must never: write a byte of an upload's plaintext to disk (each chunk is
 * sealed under the upload's own key before it is written, and finishing
 * decrypts the spool straight into the check-in's encrypted blob); hold
 * more than one chunk in memory; acknowledge a chunk before it is on disk
 * (fsync); let anyone but the principal who began an upload see or touch it.
 *
 * Spool file VAULT/spool/<id>: records, each at most SV_BLOB_CHUNK bytes of
 * plaintext:
 *   offset (8, big-endian) | length (4, big-endian) | ciphertext || tag
 * AES-256-GCM under the upload's key, nonce = the record counter
 * (sv_chunk_nonce), AAD = SPOOL_AAD_LABEL | vault id | upload id | offset |
 * length, so a record moved, replayed or cut is refused when read back.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "records/doc.h"
#include "records/upload.h"
#include "vault/authz.h"
#include "vault/find.h"
#include "vault/log.h"
#include "vault/meta.h"
#include "vault/policyfile.h"
#include "vault/session.h"
#include "vault/spool.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "crypto/crypto.h"
#include "crypto/merkle.h"
#include "crypto/receipt.h"
#include "base/common.h"
#include "base/date.h"
#include "base/file.h"
#include "base/json.h"
#include "base/text.h"
#include "scrvault/upload.h"

#define SPOOL_AAD_LABEL "scrvault v1 upload spool"
#define RECORD_HDR 12

static void put_be64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static uint64_t get_be64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* AAD of one record. */
static size_t record_aad(unsigned char *aad, size_t cap, const scrvault *v, const sv_upload *u,
			 const unsigned char hdr[RECORD_HDR])
{
	size_t n = 0, l;

	l = strlen(SPOOL_AAD_LABEL) + 1;
	if (n + l + SV_VAULT_ID_LEN + SV_UPLOAD_ID_LEN + RECORD_HDR > cap)
		return 0;
	memcpy(aad + n, SPOOL_AAD_LABEL, l);
	n += l;
	memcpy(aad + n, v->id, SV_VAULT_ID_LEN);
	n += SV_VAULT_ID_LEN;
	memcpy(aad + n, u->id, SV_UPLOAD_ID_LEN);
	n += SV_UPLOAD_ID_LEN;
	memcpy(aad + n, hdr, RECORD_HDR);
	return n + RECORD_HDR;
}

/* The acting principal's live upload `id`, after expiring idle ones.  Any
 * other principal's is "not found", as if it did not exist. */
static int find_upload(sv_upload **out, sv_upload ***link, scrvault *v, const char *id)
{
	*out = NULL;
	(void)scrvault_upload_expire(v, NULL);
	if (!id || strlen(id) != SV_UPLOAD_ID_LEN || strspn(id, "0123456789abcdef") != SV_UPLOAD_ID_LEN)
		return sv_error_field(SCRVAULT_EUSAGE, "upload", "an upload is named by its id (16 hex digits)");
	for (sv_upload **l = &v->uploads; *l; l = &(*l)->next)
		if (!strcmp((*l)->id, id) && (*l)->principal_id == v->principal_id) {
			*out = *l;
			if (link)
				*link = l;
			return 0;
		}
	return sv_error_field(SCRVAULT_ENOTFOUND, "upload", "no upload '%s' (it finished, expired, was abandoned "
			      "or is another principal's: start again)", id);
}

/* Take `u` off the session's list and wipe it. */
static void drop(scrvault *v, sv_upload *u)
{
	for (sv_upload **l = &v->uploads; *l; l = &(*l)->next)
		if (*l == u) {
			*l = u->next;
			break;
		}
	sv_upload_free(u);
}

static int64_t expires_at(const sv_upload *u)
{
	return u->last + SCRVAULT_UPLOAD_IDLE_SECONDS;
}

static int answer(scrvault_json **out, const sv_upload *u, bool full)
{
	char when[21];

	sv_time_iso(when, expires_at(u));
	if (!(*out = sv_json_of(SV_FIELDS(SV_STR("upload", u->id), SV_INT("received", (int64_t)u->received),
					  SV_IF(full, SV_INT("size", (int64_t)u->size)),
					  SV_IF(full, SV_INT("chunk_max", SCRVAULT_UPLOAD_CHUNK_MAX)),
					  SV_IF(full, SV_STR("expires", when))))))
		return SCRVAULT_ERROR;
	return 0;
}

static char *dup_opt(const char *s, bool *fail)
{
	char *d = s ? sv_strdup(s) : NULL;

	if (s && !d)
		*fail = true;
	return d;
}

int scrvault_upload_begin(scrvault_json **out, scrvault *v, const scrvault_upload_spec *s)
{
	scrvault_checkin_file f = { 0 };
	sv_checkin_target t;
	unsigned char raw[SV_UPLOAD_ID_LEN / 2];
	char safe[SV_SAFE_NAME_MAX + 1], *dir = NULL;
	sv_upload *u = NULL;
	unsigned live = 0;
	int64_t limit;
	bool fail = false;
	int error;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(s, SCRVAULT_UPLOAD_SPEC_VERSION, "scrvault_upload_spec")) < 0)
		return error;
	if (!s->checkin)
		return sv_error_field(SCRVAULT_EUSAGE, "checkin", "an upload needs the check-in it makes");
	if ((error = SV_STRUCT_CHECK(s->checkin, SCRVAULT_CHECKIN_SPEC_VERSION, "scrvault_checkin_spec")) < 0)
		return error;
	if (!s->filename || !*s->filename)
		return sv_error_field(SCRVAULT_EUSAGE, "filename", "an upload needs the file's name");
	/* The one rule for a file name from elsewhere: it must already be safe. */
	sv_safe_filename(safe, sizeof(safe), s->filename, "");
	if (strcmp(safe, s->filename) != 0)
		return sv_error_field(SCRVAULT_EUSAGE, "filename", "'%s' is not a plain file name (no directory, no "
				      "control character, no leading dot, at most %d bytes): send it as '%s'",
				      s->filename, SV_SAFE_NAME_MAX, *safe ? safe : "document");
	if (!s->sha256 || strlen(s->sha256) != 2 * SV_SHA256_LEN ||
	    strspn(s->sha256, "0123456789abcdef") != 2 * SV_SHA256_LEN)
		return sv_error_field(SCRVAULT_EUSAGE, "sha256", "the file's SHA-256 is 64 lower-case hex digits");
	/* The check-in's own checks, now, before any byte is sent. */
	f.filename = s->filename;
	f.title = s->title;
	if ((error = sv_doc_checkin_check(&t, v, s->checkin, &f, 1, SV_CHECKIN_SUBMIT)) < 0)
		return error;
	/* The policy's limit for what an agency sends ([intake] max-size). */
	limit = sv_meta_int(v, "intake_max_bytes", SV_INTAKE_MAX_DEFAULT);
	if (s->size > (uint64_t)limit)
		return sv_audit_denied(v, "doc.checkin", SV_ABOUT(.caseref = t.caseref, .doc = t.doc[0] ? t.doc : NULL),
				       NULL, sv_error_field(SCRVAULT_EDENIED, "size", "%" PRIu64 " bytes is larger than "
				       "this vault accepts (%lld bytes, policy [intake] max-size): split the "
				       "document, or change the policy", s->size, (long long)limit));
	(void)scrvault_upload_expire(v, NULL);
	for (sv_upload *x = v->uploads; x; x = x->next)
		live += x->principal_id == v->principal_id;
	if (live >= SCRVAULT_UPLOADS_PER_PRINCIPAL)
		return sv_error_field(SCRVAULT_ECONFLICT, "upload", "%u uploads of yours are unfinished, the most "
				      "one principal may have: finish or abandon one first", live);

	if (!(u = sv_calloc(1, sizeof(*u))))
		return SCRVAULT_ERROR;
	u->fd = -1;
	if ((error = sv_random(raw, sizeof(raw))) < 0)
		goto fail;
	sv_hex(u->id, raw, sizeof(raw));
	u->principal_id = v->principal_id;
	u->size = s->size;
	u->last = sv_now();
	(void)sv_unhex(u->sha, SV_SHA256_LEN, s->sha256);
	u->case_ref = dup_opt(s->checkin->case_ref, &fail);
	u->doc_class = dup_opt(s->checkin->doc_class, &fail);
	u->agency = dup_opt(s->checkin->agency, &fail);
	u->doc = dup_opt(s->checkin->doc, &fail);
	u->note = dup_opt(s->checkin->note, &fail);
	u->filename = dup_opt(s->filename, &fail);
	u->title = dup_opt(s->title, &fail);
	if (fail) {
		error = SCRVAULT_ERROR;
		goto fail;
	}
	if ((error = sv_secret_random(&u->key, SV_KEY_LEN)) < 0 || (error = sv_sha256_new(&u->running)) < 0 ||
	    (error = sv_spool_dir(&dir, v)) < 0)
		goto fail;
	if (!(u->path = sv_path(dir, u->id))) {
		error = SCRVAULT_ERROR;
		goto fail;
	}
	if ((u->fd = open(u->path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		error = sv_error(SCRVAULT_ERROR, "cannot make the upload's spool file: %s", strerror(errno));
		free(u->path);
		u->path = NULL;
		goto fail;
	}
	/* Held for the upload's life: another process's sweep leaves it alone. */
	if (flock(u->fd, LOCK_EX | LOCK_NB) < 0 || sv_fsync_dir(dir) < 0) {
		error = sv_error(SCRVAULT_ERROR, "cannot hold the upload's spool file");
		goto fail;
	}
	if ((error = answer(out, u, true)) < 0)
		goto fail;
	u->next = v->uploads;
	v->uploads = u;
	free(dir);
	return 0;
fail:
	free(dir);
	sv_upload_free(u);
	return error;
}

int scrvault_upload_chunk(scrvault_json **out, scrvault *v, const char *id, uint64_t offset,
			  const void *buf, size_t len)
{
	unsigned char sha[SV_SHA256_LEN], *rec = NULL, aad[128];
	const unsigned char *p = buf;
	sv_upload *u;
	uint64_t pos, counter;
	size_t done = 0;
	int error;

	*out = NULL;
	if ((error = find_upload(&u, NULL, v, id)) < 0)
		return error;
	if (len > SCRVAULT_UPLOAD_CHUNK_MAX)
		return sv_error_field(SCRVAULT_EUSAGE, "chunk", "a chunk is at most %u bytes; this one is %zu",
				      SCRVAULT_UPLOAD_CHUNK_MAX, len);
	if (len && !buf)
		return sv_error_field(SCRVAULT_EUSAGE, "chunk", "no bytes given");
	sv_sha256(sha, buf ? buf : "", len);
	/* The last chunk again (its acknowledgement was lost): acknowledged again. */
	if (u->have_last && offset == u->last_off && len == u->last_len &&
	    offset + len == u->received && sv_memcmp_ct(sha, u->last_sha, SV_SHA256_LEN) == 0) {
		u->last = sv_now();
		return answer(out, u, false);
	}
	if (offset != u->received)
		return sv_error_field(SCRVAULT_ECONFLICT, "offset", "upload '%s' expects offset %" PRIu64 ", not %"
				      PRIu64 " (resend from there)", u->id, u->received, offset);
	if (len == 0)
		return sv_error_field(SCRVAULT_EUSAGE, "chunk", "an empty chunk carries nothing");
	if (len > u->size - u->received)
		return sv_error_field(SCRVAULT_EUSAGE, "chunk", "the chunk goes past the announced size (%" PRIu64
				      " bytes; %" PRIu64 " received)", u->size, u->received);

	if (!(rec = sv_malloc(RECORD_HDR + SV_BLOB_CT_CHUNK)))
		return SCRVAULT_ERROR;
	pos = u->spool_len;
	counter = u->counter;
	while (done < len) {
		size_t n = len - done < SV_BLOB_CHUNK ? len - done : SV_BLOB_CHUNK, alen;
		unsigned char nonce[SV_GCM_NONCE_LEN];

		put_be64(rec, offset + done);
		sv_put_be32(rec + 8, (uint32_t)n);
		alen = record_aad(aad, sizeof(aad), v, u, rec);
		sv_chunk_nonce(nonce, counter, false);
		if ((error = sv_gcm_seal_at(rec + RECORD_HDR, u->key, nonce, p + done, n, aad, alen)) < 0)
			goto fail;
		if (sv_write_at(u->fd, rec, RECORD_HDR + n + SV_GCM_TAG_LEN, (off_t)pos) < 0) {
			error = sv_error(SCRVAULT_ERROR, "cannot write the upload's spool: %s", strerror(errno));
			goto fail;
		}
		pos += RECORD_HDR + n + SV_GCM_TAG_LEN;
		counter++;
		done += n;
	}
	/* On disk before it is acknowledged. */
	if (fdatasync(u->fd) < 0) {
		error = sv_error(SCRVAULT_ERROR, "cannot sync the upload's spool: %s", strerror(errno));
		goto fail;
	}
	if ((error = sv_sha256_update(u->running, buf, len)) < 0)
		goto fail;
	u->spool_len = pos;
	u->counter = counter;
	u->received += len;
	u->have_last = true;
	u->last_off = offset;
	u->last_len = len;
	memcpy(u->last_sha, sha, sizeof(sha));
	u->last = sv_now();
	free(rec);
	return answer(out, u, false);
fail:
	/* Nothing of this chunk stays (its counter values are never used again). */
	u->counter = counter + 1;
	(void)!ftruncate(u->fd, (off_t)u->spool_len);	/* records past spool_len are never read anyway */
	free(rec);
	return error;
}

int scrvault_upload_status(scrvault_json **out, scrvault *v, const char *id)
{
	sv_upload *u;
	int error;

	*out = NULL;
	if ((error = find_upload(&u, NULL, v, id)) < 0)
		return error;
	return answer(out, u, true);
}

int scrvault_upload_abort(scrvault *v, const char *id)
{
	sv_upload *u;
	int error;

	if ((error = find_upload(&u, NULL, v, id)) < 0)
		return error;
	drop(v, u);
	return 0;
}

int scrvault_upload_expire(scrvault *v, unsigned *count)
{
	int64_t now = sv_now();
	unsigned n = 0;

	for (sv_upload **l = &v->uploads; *l;) {
		sv_upload *u = *l;

		if (now > expires_at(u)) {
			*l = u->next;
			sv_upload_free(u);
			n++;
		} else {
			l = &u->next;
		}
	}
	if (count)
		*count = n;
	return 0;
}

/* ---- finishing: the spool decrypted as the check-in's source ------------------------ */

typedef struct {
	scrvault *v;
	sv_upload *u;
	uint64_t pos;			/* in the spool file */
	uint64_t next_off;		/* plaintext offset of the next record */
	uint64_t counter;
	unsigned char *ct;		/* one record's ciphertext */
	unsigned char *plain;		/* its plaintext */
	size_t have, used;		/* plaintext bytes in `plain`, given out */
} spool_reader;

/* Decrypt the next record into r->plain. */
static long next_record(spool_reader *r)
{
	unsigned char hdr[RECORD_HDR], nonce[SV_GCM_NONCE_LEN], aad[128];
	size_t alen;
	uint32_t n;
	long got;
	int error;

	if (r->pos >= r->u->spool_len)
		return 0;
	if (pread(r->u->fd, hdr, RECORD_HDR, (off_t)r->pos) != RECORD_HDR)
		return sv_error(SCRVAULT_EINTEGRITY, "the upload's spool is cut short");
	n = sv_get_be32(hdr + 8);
	if (get_be64(hdr) != r->next_off || n == 0 || n > SV_BLOB_CHUNK ||
	    r->pos + RECORD_HDR + n + SV_GCM_TAG_LEN > r->u->spool_len)
		return sv_error(SCRVAULT_EINTEGRITY, "the upload's spool is damaged (record at %" PRIu64 ")", r->pos);
	got = pread(r->u->fd, r->ct, n + SV_GCM_TAG_LEN, (off_t)(r->pos + RECORD_HDR));
	if (got != (long)(n + SV_GCM_TAG_LEN))
		return sv_error(SCRVAULT_EINTEGRITY, "the upload's spool is cut short");
	alen = record_aad(aad, sizeof(aad), r->v, r->u, hdr);
	sv_chunk_nonce(nonce, r->counter, false);
	if ((error = sv_gcm_open_at(r->plain, r->u->key, nonce, r->ct, n + SV_GCM_TAG_LEN, aad, alen)) < 0)
		return sv_error(SCRVAULT_EINTEGRITY, "the upload's spool was altered (record at %" PRIu64 ")", r->pos);
	r->pos += RECORD_HDR + n + SV_GCM_TAG_LEN;
	r->next_off += n;
	r->counter++;
	r->have = n;
	r->used = 0;
	return (long)n;
}

static long spool_read(void *ctx, void *buf, size_t len)
{
	spool_reader *r = ctx;
	size_t done = 0;

	while (done < len) {
		size_t n;

		if (r->used == r->have) {
			long got = next_record(r);

			if (got < 0)
				return got;
			if (got == 0)
				break;
		}
		n = r->have - r->used < len - done ? r->have - r->used : len - done;
		memcpy((unsigned char *)buf + done, r->plain + r->used, n);
		r->used += n;
		done += n;
	}
	return (long)done;
}

/* What finishing hands the check-in's hook, and gets back. */
typedef struct {
	const sv_upload *u;
	int64_t seq;			/* the check-in's audit entry */
} finish_ctx;

/* Inside the check-in's transaction: what was checked in is what was
 * announced; and the entry just appended, for the receipt. */
static int same_sha(scrvault *v, void *arg, const char *doc, unsigned version)
{
	finish_ctx *fc = arg;
	const sv_upload *u = fc->u;
	sv_stmt *st = NULL;
	int error;

	if ((error = sv_db_int(&fc->seq, v->db, "SELECT max(seq) FROM audit", "")) < 0)
		return error;
	if ((error = sv_db_query(&st, v->db, "SELECT sha256 FROM versions WHERE doc_id = ? AND version = ?", "ti",
				 doc, (int64_t)version)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1) {
		size_t n = 0;
		const unsigned char *got = sv_stmt_blob(st, 0, &n);

		error = got && n == SV_SHA256_LEN && sv_memcmp_ct(got, u->sha, SV_SHA256_LEN) == 0 ? 0 :
			sv_error_field(SCRVAULT_EINTEGRITY, "sha256", "the upload's SHA-256 is not the one announced: "
				       "nothing was checked in");
	} else if (error == 0)
		error = sv_error(SCRVAULT_ERROR, "the checked-in version is missing");
	sv_stmt_free(st);
	return error;
}

int scrvault_upload_finish(scrvault_json **out, scrvault *v, const char *id)
{
	scrvault_checkin_spec cs = SCRVAULT_CHECKIN_SPEC_INIT;
	scrvault_checkin_file f = { 0 };
	sv_checkin_source src = { 0 };
	spool_reader r = { 0 };
	finish_ctx fc = { 0 };
	unsigned char sha[SV_SHA256_LEN];
	sv_json *res = NULL;
	char doc[SV_DOC_ID_LEN + 1];
	unsigned version;
	sv_upload *u;
	int error;

	*out = NULL;
	if ((error = find_upload(&u, NULL, v, id)) < 0)
		return error;
	if (u->received != u->size)
		return sv_error_field(SCRVAULT_ECONFLICT, "upload", "upload '%s' has %" PRIu64 " of its %" PRIu64
				      " bytes: send the rest from offset %" PRIu64, u->id, u->received, u->size,
				      u->received);
	/* The running hash first (a refused check-in keeps the verdict). */
	if (u->running) {
		if ((error = sv_sha256_final(u->running, sha)) < 0)
			return error;
		sv_sha256_free(u->running);
		u->running = NULL;
		u->sha_ok = sv_memcmp_ct(sha, u->sha, SV_SHA256_LEN) == 0;
	}
	if (!u->sha_ok) {
		drop(v, u);
		return sv_error_field(SCRVAULT_EINTEGRITY, "sha256", "the file received is not the one announced "
				      "(SHA-256 differs): nothing was checked in and the upload is wiped; send it again");
	}
	cs.case_ref = u->case_ref;
	cs.doc_class = u->doc_class;
	cs.agency = u->agency;
	cs.doc = u->doc;
	cs.note = u->note;
	f.filename = u->filename;
	f.title = u->title;
	r.v = v;
	r.u = u;
	if (!(r.ct = sv_malloc(SV_BLOB_CT_CHUNK)) || !(r.plain = sv_malloc(SV_BLOB_CHUNK))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	src.name = u->filename;
	src.size = u->size;
	src.read = spool_read;
	src.ctx = &r;
	src.keep_error = true;
	src.submit = true;
	fc.u = u;
	if ((error = sv_doc_checkin(&res, v, &cs, &f, &src, 1, same_sha, &fc)) < 0)
		goto done;
	snprintf(doc, sizeof(doc), "%s", sv_json_str(sv_json_get(sv_json_at(res, 0), "doc")));
	version = (unsigned)sv_json_as_int(sv_json_get(sv_json_at(res, 0), "version"));
	drop(v, u);
	u = NULL;
	error = sv_receipt_make(out, v, doc, version, fc.seq);
done:
	if (r.plain)
		sv_cleanse_free(r.plain, SV_BLOB_CHUNK);
	free(r.ct);
	sv_json_free(res);
	/* A refused check-in leaves the upload as it was (a lost permission, a
	 * frozen case), except when what it carried is wrong. */
	if (u && error == SCRVAULT_EINTEGRITY)
		drop(v, u);
	return error;
}
