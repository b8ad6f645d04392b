/*
 * pending.h - asking for an operation under dual control (pending.c).
 */
#ifndef SV_RECORDS_PENDING_H
#define SV_RECORDS_PENDING_H

#include "vault/session.h"
#include "base/json.h"
#include "base/common.h"

/* Dual control (op.c decides): does the policy hold `action` for a second custodian? */
bool sv_dual_required(scrvault *v, const char *action);

/*
 * Record a pending operation in its own transaction: `action` with its
 * `params` (kept in the database, never in the log), concerning `principal`
 * (NULL: nobody in particular).  *out gets {"pending":ID,"action",
 * "expires_at"}.
 */
int sv_op_request(sv_json **out, scrvault *v, const char *action, const char *principal,
		  const sv_field *params);

#endif
