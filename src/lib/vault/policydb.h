/*
 * policydb.h - the vault's installed policy (policydb.c).
 */
#ifndef SV_VAULT_POLICYDB_H
#define SV_VAULT_POLICYDB_H

#include "vault/policyfile.h"
#include "vault/session.h"
#include "storage/store.h"
#include "base/calendar.h"
#include "base/common.h"

/*
 * Inside a transaction: make `p` the vault's policy (new version row with
 * its text, tables replaced) and add its encrypted text to the store tree
 * update list `up` (blob written now; path policy/<version>).
 * *version gets the new version number.
 */
int sv_policy_install(scrvault *v, const sv_policy *p, int64_t *version,
		      char blob[SV_OID_HEXLEN + 1], char path[64]);

/*
 * Inside a transaction: install `p` (sv_policy_install), commit its
 * encrypted text to the store and write the policy.load audit entry
 * (`source`: "file", "built-in default", "approved operation ID"...;
 * `dual`: its "dual_control" detail, or NULL).
 */
int sv_policy_apply(scrvault *v, const sv_policy *p, const char *source, const char *dual);

/* A vault without a policy (new, or older than schema 4) gets the default. */
int sv_policy_ensure(scrvault *v);

/* The associated data of policy version `version`'s text key in the store. */
void sv_policy_context(char *out, size_t len, const scrvault *v, int64_t version);

/* The working-day calendar of the vault's policy (its [calendar] holidays). */
int sv_policy_calendar(sv_calendar **out, scrvault *v);

#endif
