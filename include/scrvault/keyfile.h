/*
 * scrvault/keyfile.h - a principal's own key file, made where its holder
 * works (DESIGN §11: keys are made by their holders).
 *
 * A person or an agency makes their key pair and key file themselves
 * (`scrvault keygen`, `scrvault-seal keygen`) with an enrolment request:
 * name, kind, agency, the public keys, self-signed, and a fingerprint of
 * the keys in six words.  Only the request travels; the coordinator
 * registers it (scrvault_principal_enrol) after the two read the words to
 * each other, and sends back the vault's signed acceptance, which the
 * holder imports (scrvault_keyfile_accept): from then on the key file
 * names, authenticated, the one vault it belongs to (its id and audit
 * verifier key), and unlock, act-as and restore refuse any other.  Until
 * then the file is enrolled in no vault (its vault line reads "none"); it
 * already seals intake bundles and opens releases made to its X25519 key.
 * Nobody else ever holds the private keys.  Needs no vault: links with
 * base and crypto only (formats: src/lib/crypto/enrol.h).
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
	const char *enrolment;			/* the request to write (O_EXCL); NULL: keyfile ".enrol" */
	const char *rotate_keyfile;		/* a rotation: the holder's current key file, which */
	const scrvault_secret *rotate_passphrase;	/* signs the request too (its passphrase) */
} scrvault_keygen_spec;
#define SCRVAULT_KEYGEN_SPEC_VERSION 2
#define SCRVAULT_KEYGEN_SPEC_INIT { SCRVAULT_KEYGEN_SPEC_VERSION }

/*
 * Make new Ed25519 and X25519 key pairs and write them to a new key file
 * under the passphrase, enrolled in no vault yet, and the enrolment request
 * signed with the new key (and, for a rotation, with the key of
 * rotate_keyfile, which must be the same principal's).  The private keys
 * never leave secure memory but sealed in the file.  *out gets what the
 * holder gives the coordinator, nothing secret:
 *   {"agency","ed25519","enrolment","fingerprint","keyfile","kind","name",
 *    "recipient","rotates","vault":null,"x25519"}
 * (the public keys in base64; "recipient" is the X25519 key as an age
 * recipient, "age1..."; "fingerprint" the six words).  Errors:
 * SCRVAULT_EUSAGE for a bad spec (the field named by
 * scrvault_error_field), SCRVAULT_ECONFLICT if the key file or the request
 * exists (left as it was), SCRVAULT_EDENIED for a wrong passphrase of the
 * old key file.
 */
int scrvault_keygen(scrvault_json **out, const scrvault_keygen_spec *s);
/*
 * Check everything scrvault_keygen would check but the passphrase (which
 * may be NULL), making nothing: a program calls it before it asks for one.
 */
int scrvault_keygen_check(const scrvault_keygen_spec *s);

/*
 * Read an enrolment request and check its self-signature (and, in a
 * rotation, the old key's): {"agency","created","ed25519","fingerprint",
 * "kind","name","rotates","x25519"} ("rotates": the old Ed25519 key or
 * null).  SCRVAULT_EINTEGRITY if it was altered, SCRVAULT_EUSAGE if it is
 * not a request.  What a coordinator reads before registering it.
 */
int scrvault_enrolment_inspect(scrvault_json **out, const char *path);

/* Import a vault's acceptance into the key file it accepted. */
typedef struct {
	unsigned int version;
	const char *keyfile;			/* the holder's key file, rewritten in place */
	const scrvault_secret *passphrase;	/* its passphrase (NULL: a file without one) */
	const char *acceptance;			/* the acceptance file the coordinator sent */
	const char *vault_key;			/* the board's published verifier key; NULL: not checked */
} scrvault_keyfile_accept_spec;
#define SCRVAULT_KEYFILE_ACCEPT_SPEC_VERSION 1
#define SCRVAULT_KEYFILE_ACCEPT_SPEC_INIT { SCRVAULT_KEYFILE_ACCEPT_SPEC_VERSION }

/*
 * Check the acceptance (its signature by the verifier key it carries, that
 * key against vault_key when given, that it accepts this file's own name and
 * keys) and rewrite the key file with the vault's id and verifier key in its
 * authenticated header (a new file renamed over it, 0600, the same Argon2id
 * parameters).  *out: {"fingerprint","keyfile","name","vault","vault_key"}.
 * SCRVAULT_EINTEGRITY for a forged or altered acceptance, another key's, or
 * a verifier key other than vault_key; SCRVAULT_ECONFLICT if the file
 * already belongs to another vault; SCRVAULT_EDENIED for a wrong passphrase.
 */
int scrvault_keyfile_accept(scrvault_json **out, const scrvault_keyfile_accept_spec *s);

/* Pin the verifier key into a key file that names its vault without one. */
typedef struct {
	unsigned int version;
	const char *keyfile;
	const scrvault_secret *passphrase;
	const char *vault_key;			/* the board's published verifier key (required) */
} scrvault_keyfile_pin_spec;
#define SCRVAULT_KEYFILE_PIN_SPEC_VERSION 1
#define SCRVAULT_KEYFILE_PIN_SPEC_INIT { SCRVAULT_KEYFILE_PIN_SPEC_VERSION }

/*
 * For a key file written before vaults were pinned (a vault line, no
 * vault-key): write vault_key into it, which must be the verifier key of
 * the vault the file names.  *out as scrvault_keyfile_accept's.
 * SCRVAULT_EINTEGRITY if the key is another vault's or the file is pinned to
 * another key already; SCRVAULT_EUSAGE if the file names no vault.
 */
int scrvault_keyfile_pin(scrvault_json **out, const scrvault_keyfile_pin_spec *s);

/* ---- a key in memory (the agent, a remote command line) ---------------------------- */

/*
 * A person's key file opened with its passphrase: the private keys in secure
 * memory until scrvault_key_free.  scrvault-seal and `scrvault agent` hold
 * one; a command line talking to a service signs its challenges with it.
 */
typedef struct scrvault_key scrvault_key;
int scrvault_key_load(scrvault_key **out, const char *keyfile, const scrvault_secret *passphrase);
void scrvault_key_free(scrvault_key *k);
/* The principal's name; the vault id and verifier key it is pinned to ("" when none). */
const char *scrvault_key_name(const scrvault_key *k);
const char *scrvault_key_vault(const scrvault_key *k);
const char *scrvault_key_vkey(const scrvault_key *k);
/* Ed25519 signature of `statement` (its bytes, no terminator), base64 in *sig. */
int scrvault_key_sign(char **sig, const scrvault_key *k, const char *statement);

/*
 * The statements a key held for a working session (`scrvault agent`) signs,
 * so that it is no general signing oracle: canonical JSON of at most
 * SCRVAULT_KEY_STATEMENT_MAX bytes naming the key's own vault ("vault"),
 * whose "statement" is either
 *   SCRVAULT_SESSION_STATEMENT: a sign-in challenge (scrvault_session_statement),
 *     "principal" the key's name, with a "challenge"; or
 *   SCRVAULT_SIGNOFF_STATEMENT: a sign-off (scrvault_doc_signoff_statement),
 *     "signer" the key's name and "signer_key" its Ed25519 key; or
 *   SCRVAULT_COPY_RECEIPT_STATEMENT: a copy's receipt
 *     (scrvault_copy_acknowledge_statement), "holder" the key's name and
 *     "holder_key" its Ed25519 key; or
 *   SCRVAULT_COPY_WITNESS_STATEMENT: a copy destruction's witness signing
 *     for it (scrvault_copy_witness_statement), "witness" the key's name and
 *     "witness_key" its Ed25519 key.
 * 0, or SCRVAULT_EDENIED (field "statement") for anything else, a key
 * enrolled in no vault included.
 */
#define SCRVAULT_KEY_STATEMENT_MAX	4096
#define SCRVAULT_SESSION_STATEMENT	"scrvault-session v1"
#define SCRVAULT_SIGNOFF_STATEMENT	"scrvault-signoff v1"
#define SCRVAULT_COPY_RECEIPT_STATEMENT	"scrvault-copy-receipt v1"
#define SCRVAULT_COPY_WITNESS_STATEMENT	"scrvault-copy-destruction-witness v1"
int scrvault_key_sign_check(const scrvault_key *k, const char *statement);

#endif
