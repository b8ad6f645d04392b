/*
 * scrvault/doc.h - documents: checking in, checking out, listing, history,
 * sign-off, and releases to readers outside the vault's sessions.
 */
#ifndef SCRVAULT_DOC_H
#define SCRVAULT_DOC_H

#include "scrvault/vault.h"
#include "scrvault/passkey.h"

typedef struct {
	const char *path;		/* the file to check in */
	const char *filename;		/* recorded name (NULL: basename of path) */
	const char *title;		/* NULL: the recorded filename */
} scrvault_checkin_file;

typedef struct {
	unsigned int version;
	const char *case_ref;		/* new documents: the case */
	const char *doc_class;		/* new documents: "imr", "overview-report", ... */
	const char *agency;		/* new documents: authoring agency or NULL */
	const char *doc;		/* a new version of this document id instead */
	const char *note;		/* version note or NULL */
} scrvault_checkin_spec;
#define SCRVAULT_CHECKIN_SPEC_VERSION 1
#define SCRVAULT_CHECKIN_SPEC_INIT { SCRVAULT_CHECKIN_SPEC_VERSION }

/*
 * Check in `n` files as one commit and one transaction: each a new document
 * of spec->case_ref, or (spec->doc set, n == 1) a new version of that
 * document.  *out gets [{"doc":..,"version":..,"sha256":..,"size":..},...].
 */
int scrvault_doc_checkin(scrvault_json **out, scrvault *v,
			 const scrvault_checkin_spec *spec,
			 const scrvault_checkin_file *files, size_t n);

/* Replace a file that is already at the output path. */
#define SCRVAULT_CHECKOUT_FORCE	1u

/*
 * Write version `version` (0: the latest) of `doc` to the file `outpath`
 * (created 0600; NULL: to fd 1).  The release is on record before the
 * document key is unwrapped; the file appears only once every chunk has
 * authenticated and the SHA-256 matches, so a failed integrity check
 * leaves nothing at `outpath`.
 */
int scrvault_doc_checkout(scrvault *v, const char *doc, unsigned version,
			  const char *outpath, unsigned flags);
/*
 * The same check-out (the same checks, the same audit entry, recorded before
 * any key is unwrapped), the plaintext given to `fn` in pieces, in order,
 * instead of a file: a service streams it to its client; nothing touches
 * the disk.  A negative return from `fn` stops the check-out with that
 * value.  On SCRVAULT_EINTEGRITY part of the document may have been given
 * already: the caller discards what it got.
 */
typedef int (*scrvault_write_fn)(void *ctx, const void *buf, size_t len);
int scrvault_doc_checkout_write(scrvault *v, const char *doc, unsigned version,
				scrvault_write_fn fn, void *ctx);
/*
 * Check out several documents into the existing directory `outdir`, each
 * under its recorded file name (made safe: no '/', no leading '.', no
 * control characters; a clash gets the document id in front).  `docs` holds
 * n ids, each optionally "@VERSION"; or, with n == 0, every document of
 * `case_ref` the session may read (SCRVAULT_EDENIED, on record as a single
 * check-out's refusal is, when the role reaches documents of the case but
 * may read none of them).  Every release is recorded in one
 * transaction before any key is unwrapped.  *out gets
 * [{"doc","version","file"}...].  A document that fails its integrity check
 * is left out (nothing written for it) and the call returns
 * SCRVAULT_EINTEGRITY naming it, after writing the others.
 */
int scrvault_doc_checkout_dir(scrvault_json **out, scrvault *v, const char *const *docs,
			      size_t n, const char *case_ref, const char *outdir, unsigned flags);
/*
 * Sign off version `version` of an IMR as its agency's authorising manager:
 * an Ed25519 signature over the document id, version, plaintext SHA-256,
 * signer and time.  *out gets {"doc","version","signer","sha256"}.
 */
int scrvault_doc_signoff(scrvault_json **out, scrvault *v, const char *doc, unsigned version);
/*
 * The same sign-off, signed on the signer's own machine (a service acting
 * for them holds no private key).  First the exact statement to sign, as
 * canonical JSON text (the caller frees it), after every check
 * scrvault_doc_signoff makes:
 *   {"agency","doc","sha256","signer","signer_key" (their registered key),
 *    "statement":"scrvault-signoff v1","time","vault","version"}
 * Then the record: `statement` must be exactly what the vault asks for this
 * document, version and signer, its "time" within 5 minutes of now, and
 * `sig` (base64) an Ed25519 signature of its bytes by the signer's
 * registered key; else SCRVAULT_EDENIED (field "statement" or
 * "signature"), audited, nothing recorded.  The record is the one
 * scrvault_doc_signoff writes (scrvault_doc_show verifies it the same way);
 * *out as there.
 */
int scrvault_doc_signoff_statement(char **statement, scrvault *v, const char *doc, unsigned version);
int scrvault_doc_signoff_signed(scrvault_json **out, scrvault *v, const char *doc, unsigned version,
				const char *statement, const char *sig);
/*
 * The same record signed in the browser with the signer's passkey
 * (scrvault/passkey.h): `a` an assertion whose challenge is the SHA-256 of
 * `statement`, by one of the session principal's passkeys for the pages at
 * `origin`.  The assertion is kept as the sign-off's proof, verifiable
 * offline (scrvault_passkey_proof_check); refusals as above (field
 * "passkey" for the assertion), audited.
 */
int scrvault_doc_signoff_passkey(scrvault_json **out, scrvault *v, const char *doc, unsigned version,
				 const char *statement, const char *origin, const scrvault_passkey_assertion *a);
/*
 * Declare version `version` of `doc` its master (a coordinator's decision,
 * audited with the master it replaces).  A document's master is the version
 * declared, or fixed when its case concluded; else an IMR's newest validly
 * signed-off version; else its latest.  Every other version is a draft.
 * Refused (exit 6) on a concluded case.  *out gets {"doc","case","version",
 * "previous_master","previous_basis"}.
 */
int scrvault_doc_declare(scrvault_json **out, scrvault *v, const char *doc, unsigned version);
/* The documents the session reaches (of one case, or all), each with its
 * "master" version. */
int scrvault_doc_list(scrvault_json **out, scrvault *v, const char *case_ref);
/*
 * What agencies sent and how far it has gone: the versions of IMRs and
 * chronologies (imr, single-agency-chronology, combined-chronology) the
 * session reaches (doc.list: its cases, an agency's role its agency's), of
 * case `case_ref` or of every case (NULL), the most recently received
 * first, at most `limit` (0: SCRVAULT_SENT_DEFAULT; more than
 * SCRVAULT_SENT_MAX: SCRVAULT_EUSAGE, field "limit").  *out gets
 * {"case"|null,"limit","more" (true when more versions were left off),
 * "versions":[{"doc","case","class","agency","title","version","filename",
 * "size","sha256","checked_in_at","checked_in_by","state","master",
 * "signed_off":[{"signer","signed_at","verification"}]}]}: each sign-off
 * verified again, as scrvault_doc_show does.  Metadata only.
 */
#define SCRVAULT_SENT_DEFAULT 100
#define SCRVAULT_SENT_MAX 1000
int scrvault_doc_sent(scrvault_json **out, scrvault *v, const char *case_ref, unsigned limit);
/* Every version of a document, each marked "master" true or false. */
int scrvault_doc_log(scrvault_json **out, scrvault *v, const char *doc);
/* A document, its versions, its sign-offs, its master version
 * ("master_version") and why it is the master ("master_basis": declared,
 * concluded, signed-off or latest). */
int scrvault_doc_show(scrvault_json **out, scrvault *v, const char *doc);

typedef struct {
	unsigned int version;
	const char *doc;
	unsigned doc_version;		/* 0: the latest */
	const char *to;			/* a principal's name, or "age1..." */
	const char *reason;		/* required for restricted classes and outside readers */
	const char *output;		/* the bundle file (never replaced) */
} scrvault_release_spec;
#define SCRVAULT_RELEASE_SPEC_VERSION 1
#define SCRVAULT_RELEASE_SPEC_INIT { SCRVAULT_RELEASE_SPEC_VERSION }

/*
 * Encrypt one version to a reader as an age bundle with a manifest signed
 * by the vault.  A principal must be allowed to read the document; the
 * release is on record (ledger, copy register and audit) before the
 * document key is unwrapped.  *out gets {"release":N,"doc","version","to",...}.
 */
int scrvault_doc_release(scrvault_json **out, scrvault *v, const scrvault_release_spec *s);

#endif
