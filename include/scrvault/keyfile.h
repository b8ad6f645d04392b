/*
 * scrvault/keyfile.h - a principal's own key file, made where its holder
 * works (DESIGN §11: keys are made by their holders).
 *
 * A person or an agency makes their key pair and key file themselves
 * (`scrvault-seal keygen`) and hands only the public keys to the
 * coordinator; nobody else ever holds the private keys.  The new file is not
 * enrolled in any vault (its vault line reads "none") until its holder
 * enrols; until then it already seals intake bundles and opens releases
 * made to its X25519 key.  Needs no vault: links with base and crypto only.
 */
#ifndef SCRVAULT_KEYFILE_H
#define SCRVAULT_KEYFILE_H

#include "scrvault/vault.h"

typedef struct {
	unsigned int version;
	const char *name;			/* the principal name to register, [a-z0-9._@-] */
	const char *kind;			/* "person" or "agency"; NULL: person */
	const char *agency;			/* the agency (an agency, or its staff); may be NULL */
	const char *keyfile;			/* created 0600 with O_EXCL: never replaces a file */
	const scrvault_secret *passphrase;	/* required: seals the private keys (Argon2id) */
	unsigned kdf_mib;			/* Argon2id memory in MiB; 0: the default (46) */
} scrvault_keygen_spec;
#define SCRVAULT_KEYGEN_SPEC_VERSION 1
#define SCRVAULT_KEYGEN_SPEC_INIT { SCRVAULT_KEYGEN_SPEC_VERSION }

/*
 * Make new Ed25519 and X25519 key pairs and write them to a new key file
 * under the passphrase, enrolled in no vault yet.  The private keys never
 * leave secure memory but sealed in the file.  *out gets what the holder
 * gives the coordinator, nothing secret:
 *   {"agency","ed25519","keyfile","kind","name","recipient","vault":null,"x25519"}
 * (the public keys in base64; "recipient" is the X25519 key as an age
 * recipient, "age1...").  Errors: SCRVAULT_EUSAGE for a bad spec (the field
 * named by scrvault_error_field), SCRVAULT_ECONFLICT if the key file
 * exists (it is left as it was).
 */
int scrvault_keygen(scrvault_json **out, const scrvault_keygen_spec *s);
/*
 * Check everything scrvault_keygen would check but the passphrase (which
 * may be NULL), making nothing: a program calls it before it asks for one.
 */
int scrvault_keygen_check(const scrvault_keygen_spec *s);

#endif
