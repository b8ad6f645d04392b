/*
 * pending.h - asking for an operation under dual control (pending.c).
 */
#ifndef SV_RECORDS_PENDING_H
#define SV_RECORDS_PENDING_H

#include "vault/session.h"

/* Dual control (ops.c): does the policy hold `action` for a second custodian? */
bool sv_dual_required(scrvault *v, const char *action);

/* Record a pending operation (params owned); *out gets {"pending":ID,...}. */
int sv_op_request(sv_json **out, scrvault *v, const char *action, sv_json *params);

#endif
