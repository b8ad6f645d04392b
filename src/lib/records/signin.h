/*
 * signin.h - sessions opened by signing a challenge (signin.c); the public
 * calls are in scrvault/session.h.
 */
#ifndef SV_RECORDS_SIGNIN_H
#define SV_RECORDS_SIGNIN_H

#include "vault/session.h"
#include "base/common.h"
#include "scrvault/session.h"
#include "vault/find.h"

/* Inside the revoking transaction: end every session of the principal. */
int sv_sessions_end_principal(scrvault *v, int64_t principal_id);

/*
 * Open a session for `p`, whose proof the caller has checked (a signed
 * challenge, a passkey's assertion): the one place a token is made, the
 * per-principal cap applied and "session.login" written.  `idle` seconds
 * without use end it; `method` ("key", "passkey") and the `passkey`
 * (its id, or NULL) are on record.
 */
int sv_session_open(scrvault_json **out, scrvault *v, const sv_principal *p, const char *client, int idle,
		    const char *method, const char *passkey);

/* A refusal before anyone was authenticated: the entry `action` (nobody's,
 * about `name`, with `why`), the failure counted if `count`, the message
 * set before the call kept.  Returns SCRVAULT_EDENIED. */
int sv_session_refuse(scrvault *v, const char *action, const char *name, const char *client, const char *why,
		      bool count);

/* The failed sign-in limits for `name` from `client`: 0, or the refusal (on record). */
int sv_session_limits(scrvault *v, const char *name, const char *client);

#endif
