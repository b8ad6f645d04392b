/*
 * scrvault/records.h - principals, cases and documents.
 *
 * Listings return JSON (see scrvault/json.h); the command line prints them as
 * tables or, with --json, as they are.
 */
#ifndef SCRVAULT_RECORDS_H
#define SCRVAULT_RECORDS_H

#include "scrvault/vault.h"

/* ---- principals ---------------------------------------------------------- */

/*
 * Register a principal and write their key file (0600, never overwritten)
 * under `passphrase`; a custodian also gets a wrap of the vault master key.
 */
int scrvault_principal_add(scrvault *v, const scrvault_principal_spec *spec,
			   const char *keyfile, const scrvault_secret *passphrase);
int scrvault_principal_list(scrvault_json **out, scrvault *v);
int scrvault_principal_show(scrvault_json **out, scrvault *v, const char *name);

/*
 * Give `name` the policy role `role`: board-wide roles take no case or
 * agency; case roles a case; case-and-agency roles both.  Audited.
 */
int scrvault_principal_grant(scrvault *v, const char *name, const char *role,
			     const char *case_ref, const char *agency);
int scrvault_principal_ungrant(scrvault *v, const char *name, const char *role,
			       const char *case_ref, const char *agency);
/*
 * Revoke a principal: they can do nothing from then on; a custodian's wrap
 * of the master key is removed and the others' are rewritten.  Under dual
 * control *out gets {"pending":ID,...} and nothing changes until approved.
 */
int scrvault_principal_revoke(scrvault_json **out, scrvault *v, const char *name,
			      const char *reason);
/* New keys for a principal, written to a new key file; the old one stops working. */
int scrvault_principal_rotate(scrvault *v, const char *name, const char *keyfile,
			      const scrvault_secret *passphrase, unsigned kdf_mib);
/* Every document version ever released to `name` (the release ledger). */
int scrvault_principal_impact(scrvault_json **out, scrvault *v, const char *name);

/* ---- cases --------------------------------------------------------------- */

typedef struct {
	const char *ref;		/* "SCR-2026-03": [A-Za-z0-9-], unique */
	const char *title;
	const char *review_type;	/* "scr", "sir" or "imr-review" */
	const char *subject_dob;	/* YYYY-MM-DD or NULL */
	const char *decision_date;	/* YYYY-MM-DD or NULL */
} scrvault_case_spec;

int scrvault_case_open(scrvault *v, const scrvault_case_spec *spec);
int scrvault_case_list(scrvault_json **out, scrvault *v);
int scrvault_case_show(scrvault_json **out, scrvault *v, const char *ref);

/* ---- documents ------------------------------------------------------------ */

typedef struct {
	const char *path;		/* the file to check in */
	const char *filename;		/* recorded name (NULL: basename of path) */
	const char *title;		/* NULL: the recorded filename */
} scrvault_checkin_file;

typedef struct {
	const char *case_ref;		/* new documents: the case */
	const char *doc_class;		/* new documents: "imr", "overview-report", ... */
	const char *agency;		/* new documents: authoring agency or NULL */
	const char *doc;		/* a new version of this document id instead */
	const char *note;		/* version note or NULL */
} scrvault_checkin_spec;

/*
 * Check in `n` files as one commit and one transaction: each a new document
 * of spec->case_ref, or (spec->doc set, n == 1) a new version of that
 * document.  *out gets [{"doc":..,"version":..,"sha256":..,"size":..},...].
 */
int scrvault_doc_checkin(scrvault_json **out, scrvault *v,
			 const scrvault_checkin_spec *spec,
			 const scrvault_checkin_file *files, size_t n);

/*
 * Write version `version` (0: the latest) of `doc` to the file `outpath`
 * (created 0600; NULL: to fd 1).  A file is written to a temporary name and
 * renamed only once every chunk has authenticated and the SHA-256 matches, so
 * a failed integrity check leaves nothing at `outpath`.
 */
int scrvault_doc_checkout(scrvault *v, const char *doc, unsigned version,
			  const char *outpath, bool force);
/*
 * Check out several documents into the existing directory `outdir`, each
 * under its recorded file name (made safe: no '/', no leading '.', no
 * control characters; a clash gets "-<id>" added).  `docs` holds n ids,
 * each optionally "@VERSION"; or, with n == 0, every document of
 * `case_ref`.  Every release is recorded in one transaction before any key
 * is unwrapped.  *out gets [{"doc","version","file"}...].  A document that
 * fails its integrity check is left out (nothing written for it) and the
 * call returns SCRVAULT_EINTEGRITY naming it, after writing the others.
 */
int scrvault_doc_checkout_dir(scrvault_json **out, scrvault *v, const char *const *docs,
			      size_t n, const char *case_ref, const char *outdir, bool force);
/*
 * Sign off version `version` of an IMR as its agency's authorising manager:
 * an Ed25519 signature over the document id, version, plaintext SHA-256,
 * signer and time.  *out gets {"doc","version","signer","sha256"}.
 */
int scrvault_doc_signoff(scrvault_json **out, scrvault *v, const char *doc, unsigned version);
int scrvault_doc_list(scrvault_json **out, scrvault *v, const char *case_ref);
int scrvault_doc_log(scrvault_json **out, scrvault *v, const char *doc);
int scrvault_doc_show(scrvault_json **out, scrvault *v, const char *doc);

#endif
