/*
 * scrvault/upload.h - resumable uploads and signed receipts.
 *
 * An agency's file arrives in offset-addressed chunks (each at most
 * SCRVAULT_UPLOAD_CHUNK_MAX bytes, in order: a chunk must start where the
 * upload stopped), each sealed under the upload's own key before it touches
 * the disk, so memory stays bounded whatever the size and no plaintext is
 * written.  A dropped connection resumes from scrvault_upload_status's
 * "received".  Finishing checks the whole file's SHA-256 against the one
 * announced at the start, checks it in (one transaction with its audit
 * entry, exactly as scrvault_doc_checkin) and answers with a receipt the
 * vault signs.  An upload not finished within SCRVAULT_UPLOAD_IDLE_SECONDS
 * of its last chunk expires and is wiped; a handle that seals wipes every
 * upload it holds (their keys die with it), and unsealing wipes what a
 * killed service left.
 */
#ifndef SCRVAULT_UPLOAD_H
#define SCRVAULT_UPLOAD_H

#include "scrvault/vault.h"
#include "scrvault/doc.h"
#include "scrvault/json.h"

#define SCRVAULT_UPLOAD_CHUNK_MAX	(8u << 20)
#define SCRVAULT_UPLOAD_IDLE_SECONDS	(60 * 60)
#define SCRVAULT_UPLOADS_PER_PRINCIPAL	8

typedef struct {
	unsigned int version;
	const scrvault_checkin_spec *checkin;	/* where it goes, as for scrvault_doc_checkin */
	const char *filename;			/* recorded name (required: there is no path) */
	const char *title;			/* NULL: the file name */
	uint64_t size;				/* the whole file's size in bytes */
	const char *sha256;			/* its SHA-256, 64 hex */
} scrvault_upload_spec;
#define SCRVAULT_UPLOAD_SPEC_VERSION 1
#define SCRVAULT_UPLOAD_SPEC_INIT { SCRVAULT_UPLOAD_SPEC_VERSION }

/*
 * Start an upload for the acting principal: the same checks as a check-in
 * (permission, case in scope, class, agency) are made now, so a refusal
 * comes before any byte is sent.  *out gets {"upload": id, "received": 0,
 * "size", "chunk_max", "expires"}.
 */
int scrvault_upload_begin(scrvault_json **out, scrvault *v, const scrvault_upload_spec *s);
/* Append `len` bytes at `offset` (must equal "received"; a chunk already
 * received, same offset and same bytes, is acknowledged again).  *out gets
 * {"upload","received"}.  Only the principal who began it may add to it. */
int scrvault_upload_chunk(scrvault_json **out, scrvault *v, const char *id, uint64_t offset,
			  const void *buf, size_t len);
/* {"upload","received","size","expires"}. */
int scrvault_upload_status(scrvault_json **out, scrvault *v, const char *id);
/* Check it in; *out gets the receipt (below) as JSON. */
int scrvault_upload_finish(scrvault_json **out, scrvault *v, const char *id);
/* Wipe it. */
int scrvault_upload_abort(scrvault *v, const char *id);
/* Wipe every upload idle longer than its limit; *count how many (NULL ok). */
int scrvault_upload_expire(scrvault *v, unsigned *count);

/*
 * A receipt for version `version` of `doc` (its check-in entry): {"receipt":
 * 1, "vault", "doc", "version", "sha256", "size", "filename"?, "at",
 * "seq": the check-in's audit sequence, "proof": its inclusion proof in the
 * checkpoint, "checkpoint": the signed checkpoint note, "sig": the vault's
 * Ed25519 signature over the canonical text of everything else}.  Nothing
 * about a child or a family is in it: ids, hashes, dates.
 */
int scrvault_receipt_make(scrvault_json **out, scrvault *v, const char *doc, unsigned version);
/*
 * Offline, no vault: check a receipt file's signature and inclusion proof
 * against the verifier key `vkey` (the board publishes it), and, when
 * `file` is given, that the file's SHA-256 is the receipt's.  *report gets
 * {"valid": true, "doc", "version", "sha256", "at", "seq"}; a receipt that
 * does not verify is SCRVAULT_EINTEGRITY naming what failed.
 */
int scrvault_receipt_verify(scrvault_json **report, const char *receipt_path, const char *vkey,
			    const char *file);

/*
 * The SHA-256 of the file at `path` (64 lower-case hex digits and a NUL),
 * read as a stream: what a client announces when it begins an upload.
 * Needs no vault.
 */
int scrvault_file_sha256(char out[65], const char *path);

#endif
