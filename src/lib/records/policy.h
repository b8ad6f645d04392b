/*
 * policy.h - the policy noun inside the library (policy.c).
 */
#ifndef SV_RECORDS_POLICY_H
#define SV_RECORDS_POLICY_H

#include "vault/session.h"
#include "base/json.h"
#include "base/common.h"

/* fsck: each version's stored copy and digest; problems appended as strings. */
int sv_policy_fsck(scrvault *v, const char *head, sv_json *problems, int64_t *count);

#endif
