/*
 * scrvault/seal.h - bundles without a vault: an agency seals a document for
 * the vault with its own key file and the vault's public recipient; a
 * reader opens a release.  Every bundle is a standard age v1 file;
 * scrvault adds a signed, encrypted manifest in an extra header stanza
 * that age itself ignores (docs/ARCHITECTURE.md, "Bundles").  These calls
 * need only libcrypto and libargon2 (the scrvault-seal program).
 */
#ifndef SCRVAULT_SEAL_H
#define SCRVAULT_SEAL_H

#include "scrvault/vault.h"

typedef struct {
	unsigned int version;
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
#define SCRVAULT_SEAL_SPEC_VERSION 1
#define SCRVAULT_SEAL_SPEC_INIT { SCRVAULT_SEAL_SPEC_VERSION }

/*
 * Seal `input` for the vault: age-encrypt it to the recipient with a
 * manifest (case, class, agency, title, file name, size, SHA-256, time,
 * bundle id) signed by the key file's Ed25519 key.  Needs no vault.  The
 * output appears only when complete and never replaces a file.  *out gets
 * the manifest.
 */
int scrvault_intake_seal(scrvault_json **out, const scrvault_seal_spec *s);

typedef struct {
	unsigned int version;
	const char *keyfile;			/* the reader's key file, or */
	const scrvault_secret *passphrase;
	const char *identity;			/* an age identity file */
	const char *vault_key;			/* expected signing key (base64), or NULL */
	const char *input;
	const char *output;			/* NULL: the recorded file name; "-": stdout */
} scrvault_open_spec;
#define SCRVAULT_OPEN_SPEC_VERSION 1
#define SCRVAULT_OPEN_SPEC_INIT { SCRVAULT_OPEN_SPEC_VERSION }

/*
 * Open a release: decrypt, verify the vault's signature on its manifest
 * (against vault_key when given) and the content against the manifest.
 * The output appears only when everything verified, and never replaces a
 * file.  *out gets the manifest plus {"signer_checked":bool,"output":..}.
 */
int scrvault_open_release(scrvault_json **out, const scrvault_open_spec *s);

typedef struct {
	unsigned int version;
	/* a release is decrypted with the reader's key: */
	const char *keyfile;			/* the reader's key file, or */
	const scrvault_secret *passphrase;
	const char *identity;			/* an age identity file */
	const char *vault_key;			/* required: the vault's verifier key (or its base64 key) */
	const char *input;
} scrvault_verify_spec;
#define SCRVAULT_VERIFY_SPEC_VERSION 1
#define SCRVAULT_VERIFY_SPEC_INIT { SCRVAULT_VERIFY_SPEC_VERSION }

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
