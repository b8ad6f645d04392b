/*
 * passphrase.h - the floor every new passphrase must clear (passphrase.c).
 */
#ifndef SV_CRYPTO_PASSPHRASE_H
#define SV_CRYPTO_PASSPHRASE_H

#include "crypto/crypto.h"
#include "base/common.h"

/* The fewest characters (UTF-8 code points) of a new passphrase. */
#define SV_PASSPHRASE_MIN_CHARS 12

/*
 * Whether `passphrase` may seal a new key file: 0, or SCRVAULT_EUSAGE about
 * `field` when it is missing, shorter than SV_PASSPHRASE_MIN_CHARS
 * characters, or one of the 10 000 most common passwords (any case;
 * data/common-passwords.txt).  The message never quotes the passphrase.
 * Every path that writes a key file under a new passphrase calls it
 * (identity.c's sv_identity_save, and the checks before the work).
 */
int sv_passphrase_check(const sv_secret *passphrase, const char *field);

#endif
