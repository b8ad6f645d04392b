/*
 * scrvault/policy.h - the policy: roles, permissions, document classes,
 * dual control, retention, calendar.
 */
#ifndef SCRVAULT_POLICY_H
#define SCRVAULT_POLICY_H

#include "scrvault/vault.h"

/*
 * Check a policy file without a vault.  *problems gets an array of
 * {"line":N,"message":...} (line 0: the policy as a whole); the call returns
 * 0 if there are none, SCRVAULT_EUSAGE if there are.
 */
int scrvault_policy_check(scrvault_json **problems, const char *path);
/*
 * The vault's grants that the [separation] conflicts of the policy file
 * would catch (a conflict added to a policy shows who is affected before it
 * is loaded): [{"principal","roles":[A,B],"case","conflict","message"}].
 * SCRVAULT_EUSAGE if the file itself has problems (scrvault_policy_check).
 */
int scrvault_policy_check_grants(scrvault_json **out, scrvault *v, const char *path);
/* A policy version (0: the current one): text, digest, roles, classes. */
int scrvault_policy_show(scrvault_json **out, scrvault *v, int64_t version);
/*
 * Make the file the vault's policy: a new version, committed to the store
 * and audited.  Under dual control *out gets {"pending":ID,...} instead and
 * nothing changes until another custodian approves ID.
 */
int scrvault_policy_load(scrvault_json **out, scrvault *v, const char *path);

#endif
