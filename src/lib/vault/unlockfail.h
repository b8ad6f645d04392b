/*
 * unlockfail.h - failed unlocks kept for the audit log (unlockfail.c).
 */
#ifndef SV_VAULT_UNLOCKFAIL_H
#define SV_VAULT_UNLOCKFAIL_H

#include "vault/session.h"
#include "base/common.h"

/* Why an unlock failed: the only words a record may carry. */
#define SV_UNLOCK_WRONG_PASSPHRASE	"wrong-passphrase"
#define SV_UNLOCK_OTHER_VAULT		"other-vault"
#define SV_UNLOCK_NOT_CUSTODIAN		"not-custodian"
#define SV_UNLOCK_KEYRING_MISMATCH	"keyring-mismatch"
#define SV_UNLOCK_REVOKED		"revoked-or-replaced"
#define SV_UNLOCK_BAD_ANSWER		"bad-unseal-answer"	/* a wrap or signature that fails */
#define SV_UNLOCK_REPLAYED		"replayed-unseal-answer"

/* At most this many records are moved into the log (the newest). */
#define SV_UNLOCK_MAX_RECORDS	100
/* A record (one line) is at most this long. */
#define SV_UNLOCK_MAX_LINE	256

/*
 * Record a failed unlock in VAULT/unlock-failures (the database is not open):
 * the time, `reason` (one of the SV_UNLOCK_ words) and the name the key file
 * claims, or "unknown" when it is not a valid principal name.  The file is
 * kept to the newest SV_UNLOCK_MAX_RECORDS records.  Best effort: a failure
 * to write changes nothing else.
 */
int sv_unlock_failure_note(const char *dir, const char *principal, const char *reason);

/*
 * At a successful unlock, in one transaction: each record of
 * VAULT/unlock-failures (anyone who could write the directory could have
 * written it, so nothing in it is trusted) becomes a denied vault.unlock
 * entry marked "unauthenticated": true, with its reason word, its time and
 * the name if it is a registered principal's (else "unknown"); then the
 * file is removed.  A file that is too large, not a regular file, not the
 * owner's alone, or has a record that is not exactly such a record is
 * moved aside whole, unread, to
 * unlock-failures.rejected-TIME (0600), with one entry saying so and a
 * warning in v->warning; it never stops the unlock.
 */
int sv_unlock_failures_ingest(scrvault *v);

#endif
