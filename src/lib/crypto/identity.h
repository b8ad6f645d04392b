/*
 * identity.h - a principal's key pair and the key file that holds it.
 *
 * Key file (text, one field a line, created 0600 with O_EXCL, read with
 * O_NOFOLLOW):
 *
 *   scrvault-key v1
 *   name <principal>
 *   vault <vault id>        or   vault none
 *   vault-key <vkey>        the vault's verifier key (absent: "vault none",
 *                           or a file written before keys were pinned)
 *   ed25519 <base64 public key>
 *   x25519 <base64 public key>
 *   kdf argon2id <t> <m KiB> <p> <base64 salt>      or   kdf none
 *   secret <base64 sealed(ed25519 private || x25519 private)>
 *
 * With argon2id the private keys are sealed (AES-256-GCM) under the Argon2id
 * key of the passphrase; every line above "secret" is the associated data,
 * so no header field can be changed without detection.  With "kdf none" (a
 * service principal) the keys are sealed under a fixed key only to keep one
 * format: the protection is the file mode, which must be 0600 and owned by
 * the user reading it.
 *
 * "vault none": a key its holder made (scrvault_keygen) and has not yet
 * enrolled in a vault; vault_id is then "".  It seals intake bundles and
 * opens releases like any other.
 *
 * "vault-key": the vault's audit verifier key (C2SP vkey, whose name is
 * scrvault.local/<vault id>), pinned from the vault's signed acceptance
 * (scrvault_keyfile_accept) or written by the vault itself (init, a service
 * principal).  Being above "secret" it is authenticated: unlock, act-as and
 * restore refuse any vault whose id or verifier key differs.  A file that
 * names a vault without it is refused until its holder pins the key the
 * board publishes (scrvault_keyfile_pin).
 */
#ifndef SV_IDENTITY_H
#define SV_IDENTITY_H

#include "crypto/crypto.h"
#include "crypto/kdf.h"
#include "base/common.h"

typedef struct {
	char *name;
	char vault_id[33];
	unsigned char ed_pub[SV_KEY_LEN];
	unsigned char x_pub[SV_KEY_LEN];
	sv_secret *ed_priv;	/* NULL when only the public part was read */
	sv_secret *x_priv;
	bool has_passphrase;
	char *vault_key;	/* the pinned verifier key (vkey text), NULL: none */
	unsigned char vault_pub[SV_KEY_LEN];	/* its Ed25519 key, when vault_key */
	sv_argon2_params kdf;	/* as read from the file (has_passphrase) */
} sv_identity;

/* New key pairs for `name` of the vault `vault_id` (NULL or "": none yet). */
int sv_identity_generate(sv_identity **out, const char *name, const char *vault_id);
/*
 * Write a new key file; `passphrase` NULL writes "kdf none".  A passphrase
 * must pass sv_passphrase_check and `p` have at least
 * SV_ARGON2_NEW_MIN_KIB (else SCRVAULT_EUSAGE, nothing written).
 */
int sv_identity_save(const sv_identity *id, const char *path,
		     const sv_secret *passphrase, const sv_argon2_params *p);
/*
 * Read a key file.  With `passphrase` NULL only the public part is read
 * (ed_priv/x_priv NULL) unless the file is "kdf none".  A wrong passphrase
 * returns SCRVAULT_EDENIED.
 */
int sv_identity_load(sv_identity **out, const char *path, const sv_secret *passphrase);
/*
 * Read a key file with its private keys, for its holder: SCRVAULT_EUSAGE
 * (field "keyfile") when `path` is NULL or empty, and (field `field`, the
 * name the caller gives the passphrase) when the file has a passphrase and
 * none is given.
 */
int sv_identity_load_private(sv_identity **out, const char *path, const sv_secret *passphrase,
			     const char *field);
void sv_identity_free(sv_identity *id);
/* Set the pinned vault (id and vkey, whose name must be that vault's);
 * SCRVAULT_EUSAGE if the vkey is not that vault's. */
int sv_identity_set_vault(sv_identity *id, const char *vault_id, const char *vkey);
/*
 * Rewrite the key file at `path` (read with `passphrase`, NULL for "kdf
 * none") with the pinned vault of id2 (the caller checked everything):
 * the same keys and Argon2id parameters, a new salt, written to a new file
 * beside it (0600) and renamed over it.
 */
int sv_identity_repin(const sv_identity *id, const char *path, const sv_secret *passphrase);

/* Argon2id parameters for a new key file with `mib` MiB (0: default). */
sv_argon2_params sv_kdf_params(unsigned mib);
/* Whether `mib` (0: the default) may be a new key file's Argon2id memory:
 * 0, or SCRVAULT_EUSAGE about "kdf_mib" outside 19..4096 MiB. */
int sv_kdf_new_check(unsigned mib);

#endif
