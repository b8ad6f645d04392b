/*
 * authz.h - permission checks (authz.c).
 */
#ifndef SV_VAULT_AUTHZ_H
#define SV_VAULT_AUTHZ_H

#include "vault/log.h"
#include "vault/session.h"
#include "base/common.h"

/*
 * May this session's principal, in its role, do `action` on what `about`
 * names (NULL: nothing in particular)?  A document gives its class, agency
 * and case; otherwise about's case, class and agency count.  0 if so;
 * otherwise a denial audit entry naming `about` is written and
 * SCRVAULT_EDENIED returned with "role 'R' does not have permission 'A'".
 */
int sv_authorize(scrvault *v, const char *action, const sv_about *about);

/*
 * The same check without an audit entry, for filtering listings: may this
 * session do `action` on a document or case with these attributes?
 */
bool sv_authz_sees(scrvault *v, const char *action, const char *caseref,
		   const char *doc_class, const char *agency);

/*
 * May principal `pid` (not the session's), in any role it holds, do
 * `action` on a document of this case, class and agency?  *ok says; when
 * not, `why` names the reason.  `agreed`: reading a restricted class is
 * covered by an agreed request.  No audit entry (the caller writes one).
 */
int sv_authz_principal(bool *ok, char *why, size_t whylen, scrvault *v, int64_t pid,
		       const char *action, const char *caseref, const char *doc_class,
		       const char *agency, bool agreed);

/*
 * Settle the session's role: `wanted` must be one the principal holds; with
 * NULL, "coordinator" if held, else the only role held.
 */
int sv_session_role(scrvault *v, const char *wanted);

#endif
