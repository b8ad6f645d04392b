/*
 * unseal.h - a vault held open by a service (unseal.c): the internal side of
 * scrvault_vault_unseal / seal / act.
 */
#ifndef SV_VAULT_UNSEAL_H
#define SV_VAULT_UNSEAL_H

#include "vault/session.h"
#include "base/common.h"
#include "scrvault/session.h"

/* Back to the custodian who unsealed v, acting for no session. */
void sv_unseal_reset(scrvault *v);

/*
 * The service's entry about a sign-in: its actor `name` (the person whose
 * signature verified; the unsealer named as unlocked_by, as for whatever
 * they do after) or, NULL, nobody (actor "", no role).  Acts for no one:
 * every permission check fails until sv_unseal_reset, which the caller
 * calls after the entry.
 */
int sv_unseal_speak_for(scrvault *v, const char *name);

/* scrvault_vault_act, a refusal audited as `via` ("session.act",
 * "session.resume"). */
int sv_vault_act(scrvault *v, const scrvault_act_options *opts, const char *via);

#endif
