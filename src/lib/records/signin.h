/*
 * signin.h - sessions opened by signing a challenge (signin.c); the public
 * calls are in scrvault/session.h.
 */
#ifndef SV_RECORDS_SIGNIN_H
#define SV_RECORDS_SIGNIN_H

#include "vault/session.h"
#include "base/common.h"
#include "scrvault/session.h"

/* Inside the revoking transaction: end every session of the principal. */
int sv_sessions_end_principal(scrvault *v, int64_t principal_id);

#endif
