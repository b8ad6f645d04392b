/*
 * unlockfail.h - failed unlocks kept for the audit log (unlockfail.c).
 */
#ifndef SV_VAULT_UNLOCKFAIL_H
#define SV_VAULT_UNLOCKFAIL_H

#include "vault/session.h"
#include "base/common.h"

/* Records of a failed unlock, kept outside the database until the next
 * successful unlock moves them into the audit log. */
int sv_unlock_failure_note(const char *dir, const char *principal, const char *reason);

int sv_unlock_failures_ingest(scrvault *v);

#endif
