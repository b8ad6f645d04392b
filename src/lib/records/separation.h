/*
 * separation.h - separation of duties (separation.c): roles the policy
 * keeps apart, and who may approve or sign off what.
 */
#ifndef SV_RECORDS_SEPARATION_H
#define SV_RECORDS_SEPARATION_H

#include "vault/policyfile.h"
#include "vault/session.h"
#include "base/json.h"
#include "base/common.h"

/* Can `role` approve or decide: does the policy give it op.approve,
 * request.decide or retention.approve? */
int sv_role_approves(bool *yes, scrvault *v, const char *role);

/*
 * Would principal `pid` (named `name`) holding `role` on case `case_ref`
 * (NULL or "": board-wide) break a [separation] conflict of the vault's
 * policy with a role they already hold there (a board-wide grant counts on
 * every case)?  0, or SCRVAULT_ECONFLICT with a message that names both
 * roles and the fix; *other gets the role in the way.  Not audited: the
 * caller records the refusal.
 */
int sv_separation_grant(char other[64], scrvault *v, int64_t pid, const char *name, const char *role,
			const char *case_ref);

/*
 * The grants of the vault that break the conflicts of policy `p` (which
 * need not be the vault's): [{"principal","roles":[A,B],"case","conflict",
 * "message"}], "case" left out when both grants are board-wide.
 */
int sv_separation_violations(sv_json **out, scrvault *v, const sv_policy *p);

/*
 * May the session's principal sign off version `version` of IMR `doc` (of
 * case `caseref` and agency `agency`)?  Never its author: whoever checked
 * the version in (`checked_in_by`), whoever sent it in a signed bundle, or
 * anyone holding imr-author for that case and agency.  0, or the refusal,
 * audited (doc.signoff, "reason"), SCRVAULT_ECONFLICT.
 */
int sv_separation_signoff(scrvault *v, const char *doc, unsigned version, const char *caseref,
			  const char *agency, int64_t checked_in_by);

#endif
