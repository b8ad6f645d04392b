/*
 * audit.h - proofs for other modules (audit.c).
 */
#ifndef SV_RECORDS_AUDIT_H
#define SV_RECORDS_AUDIT_H

#include "vault/session.h"
#include "base/common.h"

/* scrvault_audit_prove without the permission check (for callers that made their own). */
int sv_audit_prove(char **proof, scrvault *v, uint64_t seq);

#endif
