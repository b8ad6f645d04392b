/*
 * passkey.h - passkeys inside the library (passkey.c); the public calls
 * are in scrvault/passkey.h.
 */
#ifndef SV_RECORDS_PASSKEY_H
#define SV_RECORDS_PASSKEY_H

#include "vault/session.h"
#include "base/json.h"
#include "scrvault/passkey.h"

/*
 * A statement signed with one of the session principal's passkeys for the
 * pages at `origin`: the assertion's challenge must be the SHA-256 of
 * `statement`, and it must verify as a sign-in's does (user verified, the
 * counter moved on, which is stored).  *proof gets the record that
 * scrvault_passkey_proof_check reads.  0, or SCRVAULT_EDENIED (field
 * "passkey") naming what fails.
 */
int sv_passkey_sign_check(sv_json **proof, scrvault *v, const char *origin, const char *statement,
			  const scrvault_passkey_assertion *a);

/* Whether `proof`'s public key is a passkey `principal_id` registered
 * (removed since or not): 1, 0, or an error. */
int sv_passkey_proof_registered(scrvault *v, int64_t principal_id, const sv_json *proof);

#endif
