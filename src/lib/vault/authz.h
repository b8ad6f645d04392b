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
 * SCRVAULT_EDENIED returned with "role 'R' does not have permission 'A'";
 * but when `about` names a document, or a case alone, that the role's
 * grants do not reach, SCRVAULT_ENOTFOUND with the not-found message
 * (sv_authz_conceal).
 */
int sv_authorize(scrvault *v, const char *action, const sv_about *about);

/*
 * No probing.  A document, case or copy outside the actor's scope answers
 * exactly as one that does not exist: the finders and sv_authorize give
 * these messages for both, and record the refusal with sv_authz_conceal.
 */
#define SV_NOT_FOUND_DOC  "no document '%s' (see 'scrvault doc list')"
#define SV_NOT_FOUND_CASE "no case '%s' (see 'scrvault case list')"
#define SV_NOT_FOUND_COPY "no copy '%s' in the register (see 'scrvault copy list')"

/*
 * Does a grant of the session's role reach this case (and, for a class that
 * belongs to agencies, this agency)?  Whether the role may do a given thing
 * there is sv_authorize's question; this is whether the object is in the
 * actor's scope at all.  false also when it cannot be told (fail closed).
 */
bool sv_authz_reaches(scrvault *v, const char *caseref, const char *doc_class, const char *agency);

/*
 * Does a grant of the session's role reach every case (board scope)?  And
 * case `caseref` whole, not only for an agency (board or case scope)?  For
 * filtering (the agenda); false when it cannot be told (fail closed).
 */
bool sv_authz_board(scrvault *v);
bool sv_authz_whole_case(scrvault *v, const char *caseref);

/*
 * The answer for an object outside the actor's scope: with the not-found
 * message already set (by the same call that answers for an object that
 * does not exist), write a denied entry for `action` naming `about`
 * (missing_permission "ACTION (scope)", answered "not-found") and return
 * SCRVAULT_ENOTFOUND with that message.
 */
int sv_authz_conceal(scrvault *v, const char *action, const sv_about *about);

/*
 * The same check without an audit entry, for filtering listings: may this
 * session do `action` on a document or case with these attributes?
 */
bool sv_authz_sees(scrvault *v, const char *action, const char *caseref,
		   const char *doc_class, const char *agency);

/*
 * Does the session's role have `action` at all (for some class, in its
 * scope)?  No audit entry: whether to look further (the agenda's sources);
 * each object is then sv_authz_sees's question.  false when it cannot be told.
 */
bool sv_authz_role_has(scrvault *v, const char *action);

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
