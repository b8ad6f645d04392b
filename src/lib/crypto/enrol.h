/*
 * enrol.h - enrolment requests, acceptances and key fingerprints: what
 * travels between a key's holder and a vault's coordinator (no vault needed:
 * scrvault-seal uses all of it).  Formats (text, one field a line, LF only,
 * at most 4096 bytes, nothing after the last line):
 *
 *   scrvault-enrolment v1             made by the holder (scrvault_keygen)
 *   name <principal name>
 *   kind person|agency
 *   agency <text>                     or  "agency -" for none
 *   ed25519 <base64 public key>
 *   x25519 <base64 public key>
 *   created <UTC time>
 *   rotates <base64 old ed25519 key>  only in a rotation
 *   signature <base64 Ed25519, by the new key, over every line above>
 *   old-signature <base64 Ed25519, by the old key, over the same lines>   rotation only
 *
 *   scrvault-acceptance v1            made by the vault (principal add / rotate)
 *   vault <vault id>
 *   vault-key <the vault's verifier key, C2SP vkey, scrvault.local/<vault id>+...>
 *   name <principal name>
 *   ed25519 <base64 public key>
 *   x25519 <base64 public key>
 *   accepted-at <UTC time>
 *   signature <base64 Ed25519, by the vault's audit key, over every line above>
 *
 * Every signed text begins with its own magic line, so no signature of one
 * kind (or a checkpoint, which begins with its origin) passes for another.
 *
 * Fingerprint: SHA-256("scrvault key fingerprint v1\n" || ed25519 || x25519),
 * its first 66 bits as 6 words of 11 bits (words.c, 2048 words from
 * Debian's wamerican): the same words wherever the key pair appears
 * (request, registration, acceptance), to be read aloud between holder and
 * coordinator.
 */
#ifndef SV_ENROL_H
#define SV_ENROL_H

#include "crypto/crypto.h"
#include "base/common.h"

#define SV_FINGERPRINT_WORDS 6
#define SV_FINGERPRINT_MAX   64	/* room for the words, spaces and NUL */

/* The fingerprint words of a key pair, separated by single spaces. */
void sv_fingerprint(char out[SV_FINGERPRINT_MAX], const unsigned char ed_pub[SV_KEY_LEN],
		    const unsigned char x_pub[SV_KEY_LEN]);
/* Whether words someone typed or read are the fingerprint `fp` (case, extra
 * blanks, hyphens or commas between the words do not matter). */
bool sv_fingerprint_matches(const char *typed, const char *fp);

typedef struct {
	char *name;
	char *kind;			/* "person" or "agency" */
	char *agency;			/* NULL: none */
	unsigned char ed_pub[SV_KEY_LEN];
	unsigned char x_pub[SV_KEY_LEN];
	char created[21];
	bool rotates;			/* a rotation: old_ed_pub signed it too */
	unsigned char old_ed_pub[SV_KEY_LEN];
	char fingerprint[SV_FINGERPRINT_MAX];	/* of ed_pub, x_pub (set by parse) */
} sv_enrolment;

/*
 * The request text for `e` (created is filled in if empty), signed with the
 * new Ed25519 key `ed_priv` and, for a rotation, with the old one
 * `old_priv` (e->rotates and e->old_ed_pub must then be set).  *out: a new
 * string.
 */
int sv_enrolment_make(char **out, sv_enrolment *e, const sv_secret *ed_priv, const sv_secret *old_priv);
/*
 * Parse a request strictly and check its signatures (the old key's too, in
 * a rotation: that it is the registered key is the vault's check).
 * SCRVAULT_EUSAGE when it is not a request, SCRVAULT_EINTEGRITY when a
 * signature does not verify (it was altered); `what` names it in messages.
 */
int sv_enrolment_parse(sv_enrolment **out, const char *text, size_t len, const char *what);
/* The same from a file (at most 4096 bytes, O_NOFOLLOW). */
int sv_enrolment_read(sv_enrolment **out, const char *path);
void sv_enrolment_free(sv_enrolment *e);

typedef struct {
	char vault_id[33];
	char *vault_key;		/* the vkey text */
	unsigned char vault_pub[SV_KEY_LEN];	/* its key (set by parse) */
	char *name;
	unsigned char ed_pub[SV_KEY_LEN];
	unsigned char x_pub[SV_KEY_LEN];
	char accepted_at[21];
	char fingerprint[SV_FINGERPRINT_MAX];	/* set by parse */
} sv_acceptance;

/* The acceptance text for `a`, signed with the vault's audit key. */
int sv_acceptance_make(char **out, const sv_acceptance *a, const sv_secret *audit_key);
/*
 * Parse strictly and verify the signature with the vkey the acceptance
 * carries, whose name must be scrvault.local/<its vault id>.
 * SCRVAULT_EUSAGE when malformed, SCRVAULT_EINTEGRITY when forged or altered.
 */
int sv_acceptance_parse(sv_acceptance **out, const char *text, size_t len, const char *what);
int sv_acceptance_read(sv_acceptance **out, const char *path);
void sv_acceptance_free(sv_acceptance *a);

/*
 * A vault's verifier key: its key and vault id (the name must be
 * scrvault.local/<32 hex>).  SCRVAULT_EUSAGE if it is not one.
 */
int sv_vkey_vault(char vault_id[33], unsigned char pub[SV_KEY_LEN], const char *vkey);

#endif
