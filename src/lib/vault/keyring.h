/*
 * keyring.h - the keyring file (keyring.c).
 */
#ifndef SV_VAULT_KEYRING_H
#define SV_VAULT_KEYRING_H

#include "vault/session.h"
#include "crypto/crypto.h"
#include "base/common.h"

/* The keyring file. */
typedef struct {
	char *name;
	unsigned char x_pub[SV_KEY_LEN];
	unsigned char *wrap;	/* SV_WRAP_LEN(SV_KEY_LEN) bytes */
} sv_keyring_entry;

typedef struct {
	char id[SV_VAULT_ID_LEN + 1];
	sv_keyring_entry *entries;
	size_t n;
} sv_keyring;

int sv_keyring_load(sv_keyring **out, const char *dir);

int sv_keyring_save(const sv_keyring *kr, const char *dir, bool create);

int sv_keyring_add(sv_keyring *kr, const char *name,
		   const unsigned char x_pub[SV_KEY_LEN], const sv_secret *vmk);

void sv_keyring_free(sv_keyring *kr);

/*
 * Rewrite the keyring with a fresh wrap of the master key for every
 * custodian but `drop` (NULL: none), giving `name` (NULL: none) the public
 * key `x_pub` instead of its old one.
 */
int sv_keyring_rewrap(scrvault *v, const char *drop, const char *name,
		      const unsigned char x_pub[SV_KEY_LEN]);

/* The associated data of `name`'s wrap in the keyring of vault `vault_id`. */
void sv_keyring_aad(char *out, size_t len, const char *vault_id, const char *name);

#endif
