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
 * How an action the policy may hold goes (`listed`: the policy holds it for
 * this principal or role):
 *   SV_DUAL_NO      not held: it runs now;
 *   SV_DUAL_SINGLE  held, but fewer than two custodians could approve it
 *                   (the bootstrap): it runs now, and its audit entry says
 *                   "dual_control":"single-custodian" (SV_DUAL_NOTE);
 *   SV_DUAL_HOLD    it waits for a second custodian (sv_op_request).
 * A database error answers SV_DUAL_HOLD (fail closed).
 */
typedef enum { SV_DUAL_NO = 0, SV_DUAL_SINGLE, SV_DUAL_HOLD } sv_dual;
#define SV_DUAL_NOTE "single-custodian"
sv_dual sv_dual_mode(scrvault *v, bool listed);
/* The audit detail of a mode: SV_DUAL_NOTE for SV_DUAL_SINGLE, else NULL. */
#define SV_DUAL_DETAIL(mode) ((mode) == SV_DUAL_SINGLE ? SV_DUAL_NOTE : NULL)

/*
 * Custodians who could approve an operation: active people (not services)
 * with a custodian's wrap and a board-wide grant of a role that allows
 * op.approve.  Dual control is in force from two on.
 */
int sv_dual_approvers(int64_t *n, scrvault *v);

/*
 * The fingerprint of principal `id`'s registered signing key: the first 16
 * bytes of the SHA-256 of its Ed25519 public key, as 32 hex characters.
 */
int sv_key_fpr(char out[33], scrvault *v, int64_t id);

/*
 * Record a pending operation in its own transaction: `action` with its
 * `params` (kept in the database, never in the log: everything run_op in
 * op.c needs to carry it out), concerning principal `target` (NULL: nobody
 * in particular; whoever it names can never decide it).  The row keeps the
 * log's length (the start of the pending window) and the asker's key
 * fingerprint, which the op.request entry also carries.  *out gets
 * {"pending":ID,"action","expires_at"}.
 */
int sv_op_request(sv_json **out, scrvault *v, const char *action, const char *target,
		  const sv_field *params);

#endif
