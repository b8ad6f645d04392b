/*
 * scrvault/bundle.h - documents crossing the vault's boundary as age files.
 *
 * Intake: an agency seals a document for the vault with its own key file
 * and the vault's public recipient, and needs no access to the vault; the
 * coordinator imports the bundle.  Release: the vault encrypts one version
 * to a reader (a principal, or any age recipient), who opens it with
 * `scrvault open` or stock `age -d`.  Every bundle is a standard age v1 file;
 * scrvault adds a signed, encrypted manifest in an extra header stanza that
 * age itself ignores (docs/ARCHITECTURE.md, "Bundles").
 */
#ifndef SCRVAULT_BUNDLE_H
#define SCRVAULT_BUNDLE_H

#include "scrvault/vault.h"

/*
 * The vault's intake recipient ("age1...", made at first use) and the
 * vault's signing key (base64 Ed25519), which signs releases:
 * {"recipient":..,"signing_key":..,"vault":..}.
 */
int scrvault_recipient(scrvault_json **out, scrvault *v);

typedef struct {
	const char *keyfile;			/* the sender's own key file */
	const scrvault_secret *passphrase;	/* NULL for a key file without one */
	const char *recipient;			/* the vault's "age1..." */
	const char *case_ref;
	const char *doc_class;
	const char *agency;			/* NULL: the registered one, at import */
	const char *title;			/* NULL: the file name */
	const char *filename;			/* NULL: the input's base name */
	const char *input;
	const char *output;			/* "-": standard output */
} scrvault_seal_spec;

/*
 * Seal `input` for the vault: age-encrypt it to the recipient with a
 * manifest (case, class, agency, title, file name, size, SHA-256, time,
 * bundle id) signed by the key file's Ed25519 key.  Needs no vault.  The
 * output appears only when complete and never replaces a file.  *out gets
 * the manifest.
 */
int scrvault_intake_seal(scrvault_json **out, const scrvault_seal_spec *s);

typedef struct {
	const char *path;
	const char *doc;		/* NULL: a new document; else a new version of it */
	bool unauthenticated;		/* accept an unsigned age file */
	const char *received_from;	/* required with unauthenticated */
	/* unsigned files only (a signed bundle names its own): */
	const char *case_ref;
	const char *doc_class;
	const char *agency;
	const char *title;
	const char *filename;
	const char *note;
} scrvault_import_spec;

/*
 * Import a bundle: decrypt with the vault's intake key, verify the manifest
 * signature against the registered, active principal whose key made it,
 * check that principal may submit that class for that case (doc.submit),
 * that the content matches the manifest and that this bundle was not
 * imported before (SCRVAULT_ECONFLICT), then check it in.  Every refusal is
 * an audit entry and stores nothing.  *out gets {"doc","version",...}.
 */
int scrvault_intake_import(scrvault_json **out, scrvault *v, const scrvault_import_spec *s);

typedef struct {
	const char *doc;
	unsigned version;		/* 0: the latest */
	const char *to;			/* a principal's name, or "age1..." */
	const char *reason;		/* required for restricted classes and outside readers */
	const char *output;		/* the bundle file (never replaced) */
} scrvault_release_spec;

/*
 * Encrypt one version to a reader, with a manifest signed by the vault.  A
 * principal must be allowed to read the document; the release is on record
 * (ledger and audit) before the document key is unwrapped.  *out gets
 * {"release":N,"doc","version","to",...}.
 */
int scrvault_doc_release(scrvault_json **out, scrvault *v, const scrvault_release_spec *s);

typedef struct {
	const char *keyfile;			/* the reader's key file, or */
	const scrvault_secret *passphrase;
	const char *identity;			/* an age identity file */
	const char *vault_key;			/* expected signing key (base64), or NULL */
	const char *input;
	const char *output;			/* NULL: the recorded file name; "-": stdout */
} scrvault_open_spec;

/*
 * Open a release: decrypt, verify the vault's signature on its manifest
 * (against vault_key when given) and the content against the manifest.
 * The output appears only when everything verified, and never replaces a
 * file.  *out gets the manifest plus {"signer_checked":bool,"output":..}.
 */
int scrvault_open_release(scrvault_json **out, const scrvault_open_spec *s);

#define SCRVAULT_VERIFY_VERSION 1

typedef struct {
	unsigned version;			/* SCRVAULT_VERIFY_VERSION */
	/* a release is decrypted with the reader's key: */
	const char *keyfile;			/* the reader's key file, or */
	const scrvault_secret *passphrase;
	const char *identity;			/* an age identity file */
	const char *vault_key;			/* required: the vault's verifier key (or its base64 key) */
	const char *input;
} scrvault_verify_spec;

#define SCRVAULT_VERIFY_INIT { SCRVAULT_VERIFY_VERSION }

/*
 * Check a file the vault made, completely, and write nothing anywhere.
 * What the file is comes from its first bytes; today that is a release
 * bundle (an age file): decrypted with the reader's key, the vault's
 * signature checked against vault_key (key and vault must match), the
 * content against the manifest, the plaintext hashed and dropped.  (Signed
 * upload receipts, to come, will be a second kind.)  Returns 0 only if all
 * of it verified; SCRVAULT_EINTEGRITY for anything altered, forged, damaged,
 * truncated or not verifiable at all; SCRVAULT_EDENIED if the key does not
 * open it.  *out gets {"kind":"release", the manifest, "signer_checked":true}.
 */
int scrvault_verify(scrvault_json **out, const scrvault_verify_spec *s);

#endif
