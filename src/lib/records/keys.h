/*
 * keys.h - every key each principal ever had, and the one check that
 * nothing is released to a key that is no longer current (keys.c).
 */
#ifndef SV_RECORDS_KEYS_H
#define SV_RECORDS_KEYS_H

#include "vault/log.h"
#include "vault/session.h"
#include "crypto/crypto.h"
#include "base/common.h"

/*
 * Inside a transaction, the one way a principal's public keys change:
 * the current row of principal_keys ends now (`why`: "rotated",
 * "revoked"), and with `ed_pub`/`x_pub` given they become the principal's
 * keys (principals row updated, a new principal_keys row from now).  With
 * both NULL (revocation) the keys end and none follow.  A principal just
 * inserted has no current row: only the new one is written.
 */
int sv_principal_keys_replace(scrvault *v, int64_t pid, const unsigned char *ed_pub,
			      const unsigned char *x_pub, const char *why);

/*
 * May anything be addressed to X25519 key `x_pub` (`given`: as the user
 * gave it, an age1... recipient or a name)?  0 if it belongs to no
 * principal, or is an active principal's current key.  A key that belongs
 * or belonged to a revoked principal, or that a principal has rotated
 * away from, is refused: SCRVAULT_EDENIED (exit 3) with the principal's
 * name and when the key ended, and a denied `action` entry naming `about`.
 */
int sv_recipient_check(scrvault *v, const char *action, const sv_about *about,
		       const unsigned char x_pub[SV_KEY_LEN], const char *given);

/*
 * Every release ever made to any key principal `pid` ever had: the
 * release ledger (check-outs, releases to them by name), releases to an
 * age recipient that is one of their keys, paper copies issued to them.
 */
int sv_principal_releases(sv_json **out, scrvault *v, int64_t pid);

#endif
