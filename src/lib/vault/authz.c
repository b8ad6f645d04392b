/*
 * authz.c - the permission check every entry point makes before it acts.
 *
 * A session acts as one principal in one role.  An action is allowed when
 *   1. the vault's policy gives the role the permission (policy_allow: the
 *      action for every class, or ACTION:CLASS for the object's class);
 *   2. the principal holds a grant of the role that reaches the object:
 *      board-wide grants reach everything; a case grant only that case; a
 *      case-and-agency grant only that case, and of documents whose class
 *      belongs to agencies (an IMR) only that agency's;
 *   3. for reading a restricted class, the session works under an agreed
 *      access request (checked in full by sv_request_check in records/request.c).
 *      doc.read-restricted, which once let a role read restricted classes
 *      without one, is still accepted in policy files and grants nothing.
 * Custodians are checked like everyone else.  A refusal is an audit entry
 * naming the permission that was missing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vault/authz.h"
#include "vault/log.h"
#include "vault/policyfile.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "base/common.h"
#include "base/json.h"

/* What an action is about, resolved from its objects. */
typedef struct {
	char caseref[64];
	char doc_class[48];
	char agency[128];
	bool has_doc;
} target;

static int resolve(target *t, scrvault *v, const sv_about *a)
{
	const char *s;
	sv_stmt *st = NULL;
	int error = 0;

	memset(t, 0, sizeof(*t));
	if (!a)
		return 0;
	if (a->caseref)
		snprintf(t->caseref, sizeof(t->caseref), "%s", a->caseref);
	if (a->doc_class)
		snprintf(t->doc_class, sizeof(t->doc_class), "%s", a->doc_class);
	if (a->agency)
		snprintf(t->agency, sizeof(t->agency), "%s", a->agency);
	if ((s = a->doc)) {
		t->has_doc = true;
		if ((error = sv_db_query(&st, v->db, "SELECT d.class, coalesce(d.agency, ''), c.ref FROM documents d"
					 " JOIN cases c ON c.id = d.case_id WHERE d.id = ?", "t", s)) < 0)
			return error;
		if ((error = sv_stmt_step(st)) == 1) {
			snprintf(t->doc_class, sizeof(t->doc_class), "%s", sv_stmt_text(st, 0));
			snprintf(t->agency, sizeof(t->agency), "%s", sv_stmt_text(st, 1));
			snprintf(t->caseref, sizeof(t->caseref), "%s", sv_stmt_text(st, 2));
		}
		error = error < 0 ? error : 0;
		sv_stmt_free(st);
	}
	return error;
}

static int role_allows(bool *ok, scrvault *v, const char *role, const char *action, const char *doc_class)
{
	int64_t n = 0;
	int error = sv_db_int(&n, v->db, "SELECT count(*) FROM policy_allow WHERE role = ? AND action = ?"
			      " AND (class = '' OR class = ?)", "ttt", role, action, doc_class ? doc_class : "");

	*ok = error >= 0 && n > 0;
	return error < 0 ? error : 0;
}

static int class_flags(bool *agency, bool *restricted, scrvault *v, const char *doc_class)
{
	sv_stmt *st = NULL;
	int error;

	*agency = *restricted = false;
	if (!doc_class || !*doc_class)
		return 0;
	if ((error = sv_db_query(&st, v->db, "SELECT agency, restricted FROM policy_classes WHERE class = ?",
				 "t", doc_class)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1) {
		*agency = sv_stmt_int(st, 0) != 0;
		*restricted = sv_stmt_int(st, 1) != 0;
	}
	sv_stmt_free(st);
	return error < 0 ? error : 0;
}

/*
 * Does a grant of the session's role reach `t`?  `listing`: an action with
 * no case named (a listing) is allowed for case-scoped grants; what they
 * see is filtered by sv_authz_sees.
 */
static int scope_reaches(bool *ok, char *why, size_t whylen, scrvault *v, int64_t pid,
			 const char *pname, const char *role, const target *t,
			 bool agency_class, bool listing)
{
	sv_stmt *st = NULL;
	bool any = false;
	int error;

	*ok = false;
	if ((error = sv_db_query(&st, v->db, "SELECT g.case_ref, g.agency, r.scope FROM grants g"
				 " JOIN policy_roles r ON r.role = g.role"
				 " WHERE g.principal_id = ? AND g.role = ?", "it", pid, role)) < 0)
		return error;
	while (!*ok && (error = sv_stmt_step(st)) == 1) {
		const char *gcase = sv_stmt_text(st, 0), *gagency = sv_stmt_text(st, 1);
		sv_scope scope = sv_scope_parse(sv_stmt_text(st, 2));

		any = true;
		if (scope == SV_SCOPE_BOARD)
			*ok = true;
		else if (!t->caseref[0])
			*ok = listing;
		else if (strcmp(gcase, t->caseref) != 0)
			continue;
		else if (scope == SV_SCOPE_CASE || !agency_class)
			*ok = true;
		else
			*ok = strcmp(gagency, t->agency) == 0;
	}
	sv_stmt_free(st);
	if (error < 0)
		return error;
	if (!any)
		snprintf(why, whylen, "principal '%s' no longer holds role '%s'", pname, role);
	else if (!*ok && !t->caseref[0])
		snprintf(why, whylen, "role '%s' is held for particular cases only; this needs it board-wide", role);
	else if (!*ok && agency_class && t->agency[0])
		snprintf(why, whylen, "the grant of role '%s' does not reach case '%s' for agency '%s'",
			 role, t->caseref, t->agency);
	else if (!*ok)
		snprintf(why, whylen, "the grant of role '%s' does not reach case '%s'", role, t->caseref);
	return 0;
}

static bool is_listing(const char *action)
{
	/* The agenda is a listing too: filtered item by item to the role's scope (records/agenda.c). */
	return !strcmp(action, "case.read") || !strcmp(action, "doc.list") || !strcmp(action, "agenda.read");
}

/* 0 allowed; 1 refused with `missing` and `why` filled in; <0 error. */
static int check_as(scrvault *v, int64_t pid, const char *pname, const char *role,
		    const char *action, const target *t, bool agreed, char *missing, size_t mlen,
		    char *why, size_t whylen)
{
	bool ok = false, agency_class = false, restricted = false;
	const char *cls = t->doc_class[0] ? t->doc_class : NULL;
	int error;

	if ((error = class_flags(&agency_class, &restricted, v, cls)) < 0 ||
	    (error = role_allows(&ok, v, role, action, cls)) < 0)
		return error;
	if (!ok) {
		if (cls && !strncmp(action, "doc.", 4))
			snprintf(missing, mlen, "%s:%s", action, cls);
		else
			snprintf(missing, mlen, "%s", action);
		snprintf(why, whylen, "role '%s' does not have permission '%s'", role, missing);
		return 1;
	}
	if ((error = scope_reaches(&ok, why, whylen, v, pid, pname, role, t, agency_class, is_listing(action))) < 0)
		return error;
	if (!ok) {
		snprintf(missing, mlen, "%s (scope)", action);
		return 1;
	}
	if (restricted && !agreed && !strcmp(action, "doc.read")) {
		snprintf(missing, mlen, "an agreed access request");
		snprintf(why, whylen, "class '%s' is restricted: it is released only under an agreed access request "
			 "that covers it", cls);
		return 1;
	}
	return 0;
}

static int check(scrvault *v, const char *action, const target *t, char *missing, size_t mlen,
		 char *why, size_t whylen)
{
	/* The session's access request is checked in full (sv_request_check)
	 * before anything is released under it. */
	return check_as(v, v->principal_id, v->principal, v->role, action, t, v->access_request > 0,
			missing, mlen, why, whylen);
}

bool sv_authz_reaches(scrvault *v, const char *caseref, const char *doc_class, const char *agency)
{
	bool ok = false, agency_class = false, restricted = false;
	char why[300];
	target t;

	memset(&t, 0, sizeof(t));
	snprintf(t.caseref, sizeof(t.caseref), "%s", caseref ? caseref : "");
	snprintf(t.doc_class, sizeof(t.doc_class), "%s", doc_class ? doc_class : "");
	snprintf(t.agency, sizeof(t.agency), "%s", agency ? agency : "");
	if (!v->role || !t.caseref[0])
		return false;
	/* Fail closed: a check that cannot be made hides the object. */
	if (class_flags(&agency_class, &restricted, v, doc_class) < 0 ||
	    scope_reaches(&ok, why, sizeof(why), v, v->principal_id, v->principal, v->role, &t, agency_class,
			  false) < 0)
		return false;
	return ok;
}

/* A grant of the session's role with board scope, or (caseref) with case scope on that case. */
static bool grant_scope(scrvault *v, const char *caseref)
{
	int64_t n = 0;

	if (!v->role)
		return false;
	return sv_db_int(&n, v->db, "SELECT count(*) FROM grants g JOIN policy_roles r ON r.role = g.role"
			 " WHERE g.principal_id = ?1 AND g.role = ?2 AND (r.scope = 'board'"
			 " OR (?3 IS NOT NULL AND r.scope = 'case' AND g.case_ref = ?3))", "itt",
			 v->principal_id, v->role, caseref) >= 0 && n > 0;
}

bool sv_authz_board(scrvault *v)
{
	return grant_scope(v, NULL);
}

bool sv_authz_whole_case(scrvault *v, const char *caseref)
{
	return caseref && grant_scope(v, caseref);
}

int sv_authz_conceal(scrvault *v, const char *action, const sv_about *about)
{
	char saved[1024], missing[128];

	snprintf(saved, sizeof(saved), "%s", scrvault_error_message());
	snprintf(missing, sizeof(missing), "%s (scope)", action);
	/* A rolled-back vault writes nothing: the answer must not differ by that either. */
	if (v->rolled_back)
		return sv_error(SCRVAULT_ENOTFOUND, "%s", saved);
	(void)sv_audit_denied(v, action, about, SV_FIELDS(SV_STR("missing_permission", missing),
							  SV_STR("answered", "not-found")), SCRVAULT_EDENIED);
	/* The entry could not be written: say so (the caller's message first). */
	if (strcmp(saved, scrvault_error_message()) != 0)
		snprintf(saved, sizeof(saved), "%s", scrvault_error_message());
	return sv_error(SCRVAULT_ENOTFOUND, "%s", saved);
}

/*
 * Does `about` name one document, or one case and nothing inside it, that
 * the session's role does not reach?  A case named with a class and agency
 * (a document to be made) counts as the case: the agency is refused openly.
 */
static bool names_hidden(scrvault *v, const char *action, const sv_about *a, const target *t)
{
	/* case.open names a case that is not there yet: its refusal is the same for any name */
	if (!a || !strcmp(action, "case.open"))
		return false;
	if (a->doc)
		return t->caseref[0] && !sv_authz_reaches(v, t->caseref, t->doc_class, t->agency);
	if (!a->caseref || a->copy || a->request || a->hold || a->release || a->intake || a->principal ||
	    a->op || a->mirror || a->policy)
		return false;
	return !sv_authz_reaches(v, a->caseref, NULL, NULL);
}

int sv_authorize(scrvault *v, const char *action, const sv_about *about)
{
	char missing[128], why[300];
	target t;
	int error;

	if ((error = resolve(&t, v, about)) < 0 ||
	    (error = check(v, action, &t, missing, sizeof(missing), why, sizeof(why))) <= 0)
		return error;
	/* No probing: what the actor cannot reach looks as if it did not exist. */
	if (names_hidden(v, action, about, &t)) {
		if (about->doc)
			sv_error(SCRVAULT_ENOTFOUND, SV_NOT_FOUND_DOC, about->doc);
		else
			sv_error(SCRVAULT_ENOTFOUND, SV_NOT_FOUND_CASE, about->caseref);
		return sv_authz_conceal(v, action, about);
	}
	/* A missing request is the caller's to name: the CLI hints at its --request. */
	sv_error_field(SCRVAULT_EDENIED, strcmp(missing, "an agreed access request") ? NULL : "request", "%s", why);
	return sv_audit_denied(v, action, about, SV_FIELDS(SV_STR("missing_permission", missing)),
			       SCRVAULT_EDENIED);
}

bool sv_authz_role_has(scrvault *v, const char *action)
{
	int64_t n = 0;

	if (!v->role)
		return false;
	return sv_db_int(&n, v->db, "SELECT count(*) FROM policy_allow WHERE role = ? AND action = ?", "tt",
			 v->role, action) >= 0 && n > 0;
}

bool sv_authz_sees(scrvault *v, const char *action, const char *caseref,
		   const char *doc_class, const char *agency)
{
	char missing[128], why[300];
	target t;

	memset(&t, 0, sizeof(t));
	snprintf(t.caseref, sizeof(t.caseref), "%s", caseref ? caseref : "");
	snprintf(t.doc_class, sizeof(t.doc_class), "%s", doc_class ? doc_class : "");
	snprintf(t.agency, sizeof(t.agency), "%s", agency ? agency : "");
	return check(v, action, &t, missing, sizeof(missing), why, sizeof(why)) == 0;
}

int sv_session_role(scrvault *v, const char *wanted)
{
	sv_stmt *st = NULL;
	char held[256] = "";
	int error, n = 0;
	bool has = false, has_coord = false;

	if ((error = sv_db_query(&st, v->db, "SELECT DISTINCT role FROM grants WHERE principal_id = ? ORDER BY role",
				 "i", v->principal_id)) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1) {
		const char *r = sv_stmt_text(st, 0);

		if (wanted && !strcmp(r, wanted))
			has = true;
		if (!strcmp(r, "coordinator"))
			has_coord = true;
		if (n++ == 0) {
			free(v->role);
			v->role = sv_strdup(r);
		}
		snprintf(held + strlen(held), sizeof(held) - strlen(held), "%s%s", n > 1 ? ", " : "", r);
	}
	sv_stmt_free(st);
	if (error < 0)
		return error;
	if (n == 0)
		return sv_error(SCRVAULT_EDENIED, "principal '%s' holds no role in this vault "
				"(a coordinator grants one)", v->principal);
	if (wanted && !has)
		return sv_error(SCRVAULT_EDENIED, "principal '%s' does not hold role '%s' (holds: %s)",
				v->principal, wanted, held);
	if (!wanted && n > 1 && !has_coord)
		return sv_error_field(SCRVAULT_EUSAGE, "role", "principal '%s' holds several roles (%s): choose one",
				v->principal, held);
	free(v->role);
	v->role = sv_strdup(wanted ? wanted : has_coord ? "coordinator" : held);
	return v->role ? 0 : SCRVAULT_ERROR;
}

int sv_authz_principal(bool *ok, char *why, size_t whylen, scrvault *v, int64_t pid,
		       const char *action, const char *caseref, const char *doc_class,
		       const char *agency, bool agreed)
{
	char missing[128], name[128] = "", first[300] = "";
	sv_stmt *st = NULL;
	target t;
	int error, roles = 0;

	*ok = false;
	memset(&t, 0, sizeof(t));
	snprintf(t.caseref, sizeof(t.caseref), "%s", caseref ? caseref : "");
	snprintf(t.doc_class, sizeof(t.doc_class), "%s", doc_class ? doc_class : "");
	snprintf(t.agency, sizeof(t.agency), "%s", agency ? agency : "");
	if ((error = sv_db_query(&st, v->db, "SELECT DISTINCT g.role, p.name FROM grants g JOIN principals p"
				 " ON p.id = g.principal_id WHERE g.principal_id = ? AND p.status = 'active'"
				 " ORDER BY g.role", "i", pid)) < 0)
		return error;
	while (!*ok && (error = sv_stmt_step(st)) == 1) {
		char w[300] = "";
		int r;

		snprintf(name, sizeof(name), "%s", sv_stmt_text(st, 1));
		r = check_as(v, pid, name, sv_stmt_text(st, 0), action, &t, agreed, missing, sizeof(missing),
			     w, sizeof(w));
		if (r < 0) {
			error = r;
			break;
		}
		*ok = r == 0;
		if (roles++ == 0)
			snprintf(first, sizeof(first), "%s", w);
	}
	sv_stmt_free(st);
	if (error < 0)
		return error;
	if (!*ok)
		snprintf(why, whylen, "%s", roles == 0 ? "it holds no role in this vault" : first);
	return 0;
}
