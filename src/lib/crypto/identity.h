/*
 * identity.h - a principal's key pair and the key file that holds it.
 *
 * Key file (text, one field a line, created 0600 with O_EXCL, read with
 * O_NOFOLLOW):
 *
 *   scrvault-key v1
 *   name <principal>
 *   vault <vault id>        or   vault none
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
	unsigned kdf_kib;	/* Argon2id memory the file was made with (0: kdf none) */
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
void sv_identity_free(sv_identity *id);

/* Argon2id parameters for a new key file with `mib` MiB (0: default). */
sv_argon2_params sv_kdf_params(unsigned mib);
/* Whether `mib` (0: the default) may be a new key file's Argon2id memory:
 * 0, or SCRVAULT_EUSAGE about "kdf_mib" outside 19..4096 MiB. */
int sv_kdf_new_check(unsigned mib);

#endif
