/*
 * separation.c - separation of duties, enforced rather than described.
 *
 * The policy's [separation] conflicts (policy_conflicts: groups of roles)
 * say which roles one principal may not hold together on one case; a
 * board-wide grant counts on every case.  Seeds: on one case the SCR panel
 * chair, the overview report author and the LSCB chair are three different
 * people (000 §3.2, §5.18).  A grant that would break one is refused
 * (principal.c), `policy check` lists the grants a new policy's conflicts
 * would catch, and an IMR is never signed off by its author (signoff.c).
 * The rules about deciding (not one's own request, not one's own pending
 * operation) live where the decisions are: request.c and op.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "records/separation.h"
#include "vault/log.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "base/common.h"
#include "base/json.h"

int sv_role_approves(bool *yes, scrvault *v, const char *role)
{
	int64_t n = 0;
	int error = sv_db_int(&n, v->db, "SELECT count(*) FROM policy_allow WHERE role = ? AND class = ''"
			      " AND action IN ('op.approve', 'request.decide', 'retention.approve')", "t", role);

	*yes = error >= 0 && n > 0;
	return error < 0 ? error : 0;
}

/* Where a grant holds: "case X" or "board-wide". */
static void where(char *out, size_t len, const char *case_ref)
{
	if (case_ref && *case_ref)
		snprintf(out, len, "for case %s", case_ref);
	else
		snprintf(out, len, "board-wide");
}

int sv_separation_grant(char other[64], scrvault *v, int64_t pid, const char *name, const char *role,
			const char *case_ref)
{
	char held[64] = "", held_case[64] = "", at[80], conflict[400] = "";
	int64_t group = 0;
	sv_stmt *st = NULL;
	int error;

	other[0] = '\0';
	if (!case_ref)
		case_ref = "";
	if ((error = sv_db_query(&st, v->db, "SELECT g.role, g.case_ref, a.conflict FROM grants g"
				 " JOIN policy_conflicts a ON a.role = ?1"
				 " JOIN policy_conflicts b ON b.conflict = a.conflict AND b.role = g.role"
				 " WHERE g.principal_id = ?2 AND g.role <> ?1"
				 " AND (g.case_ref = '' OR ?3 = '' OR g.case_ref = ?3)"
				 " ORDER BY a.conflict, g.role, g.case_ref LIMIT 1", "tit", role, pid, case_ref)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1) {
		sv_stmt_texts(st, 0, held, sizeof(held), held_case, sizeof(held_case), NULL);
		group = sv_stmt_int(st, 2);
	}
	sv_stmt_free(st);
	if (error <= 0)
		return error;
	if ((error = sv_db_query(&st, v->db, "SELECT role FROM policy_conflicts WHERE conflict = ? ORDER BY role",
				 "i", group)) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1)
		snprintf(conflict + strlen(conflict), sizeof(conflict) - strlen(conflict), "%s%s",
			 conflict[0] ? " " : "", sv_stmt_text(st, 0));
	sv_stmt_free(st);
	if (error < 0)
		return error;
	snprintf(other, 64, "%s", held);
	where(at, sizeof(at), held_case);
	return sv_error(SCRVAULT_ECONFLICT, "'%s' holds role '%s' %s, and the policy keeps '%s' and '%s' apart on "
			"one case ([separation] conflict = %s): give '%s' to someone else, or take '%s' away first "
			"('scrvault principal ungrant')", name, held, at, held, role, conflict, role, held);
}

/* One pair of roles of a conflict: the active principals who hold both. */
typedef struct {
	sv_json *arr;
	const char *conflict;
} viol_ctx;

static int viol_row(void *ctx, sv_stmt *st)
{
	viol_ctx *c = ctx;
	const char *name = sv_stmt_text(st, 0), *r1 = sv_stmt_text(st, 1), *c1 = sv_stmt_text(st, 2);
	const char *r2 = sv_stmt_text(st, 3), *c2 = sv_stmt_text(st, 4);
	const char *caseref = *c1 ? c1 : c2;
	char msg[600], w1[80], w2[80];
	sv_json *o, *roles;

	where(w1, sizeof(w1), c1);
	where(w2, sizeof(w2), c2);
	snprintf(msg, sizeof(msg), "'%s' holds '%s' %s and '%s' %s, which [separation] conflict = %s keeps apart: "
		 "take one away ('scrvault principal ungrant') before or after loading this policy",
		 name, r1, w1, r2, w2, c->conflict);
	if (!(roles = sv_json_array()) || sv_json_append(roles, sv_json_string(r1)) < 0 ||
	    sv_json_append(roles, sv_json_string(r2)) < 0) {
		sv_json_free(roles);
		return SCRVAULT_ERROR;
	}
	if (!(o = sv_json_of(SV_FIELDS(SV_STR("principal", name), SV_VAL("roles", roles), SV_OPT("case", caseref),
				       SV_STR("conflict", c->conflict), SV_STR("message", msg))))) {
		sv_json_free(roles);
		return SCRVAULT_ERROR;
	}
	sv_json_free(roles);
	return sv_json_append(c->arr, o) < 0 ? SCRVAULT_ERROR : 0;
}

int sv_separation_violations(sv_json **out, scrvault *v, const sv_policy *p)
{
	sv_json *arr = NULL;
	int error = 0;

	*out = NULL;
	if (!(arr = sv_json_array()))
		return SCRVAULT_ERROR;
	for (size_t i = 0; i < p->nconflicts && error >= 0; i++) {
		char roles[16][64];
		const char *r = p->conflicts[i];
		size_t n = 0;
		viol_ctx c = { arr, p->conflicts[i] };

		while (*r && n < SV_ARRAY_SIZE(roles)) {
			size_t len = strcspn(r, " ");

			snprintf(roles[n++], sizeof(roles[0]), "%.*s", (int)len, r);
			r += len;
			r += *r == ' ';
		}
		for (size_t a = 0; a < n && error >= 0; a++)
			for (size_t b = a + 1; b < n && error >= 0; b++)
				error = sv_db_each(v->db, viol_row, &c,
						   "SELECT p.name, x.role, x.case_ref, y.role, y.case_ref FROM grants x"
						   " JOIN grants y ON y.principal_id = x.principal_id"
						   " JOIN principals p ON p.id = x.principal_id"
						   " WHERE p.status = 'active' AND x.role = ? AND y.role = ?"
						   " AND (x.case_ref = '' OR y.case_ref = '' OR x.case_ref = y.case_ref)"
						   " ORDER BY p.name, x.case_ref, y.case_ref", "tt", roles[a], roles[b]);
	}
	if (error < 0) {
		sv_json_free(arr);
		return error;
	}
	*out = arr;
	return 0;
}

int sv_separation_signoff(scrvault *v, const char *doc, unsigned version, const char *caseref,
			  const char *agency, int64_t checked_in_by)
{
	int64_t sent = 0, author = 0;
	const char *reason = NULL;
	int error;

	if (checked_in_by == v->principal_id) {
		reason = "own check-in";
		sv_error(SCRVAULT_ECONFLICT, "'%s' checked in version %u of '%s': its author cannot sign it off; "
			 "another authorising manager of the agency must", v->principal, version, doc);
	} else {
		if ((error = sv_db_int(&sent, v->db, "SELECT count(*) FROM intakes WHERE doc_id = ? AND version = ?"
				       " AND principal_id = ?", "tii", doc, (int64_t)version, v->principal_id)) < 0 ||
		    (error = sv_db_int(&author, v->db, "SELECT count(*) FROM grants WHERE principal_id = ?"
				       " AND role = 'imr-author' AND case_ref = ? AND agency = ?", "itt",
				       v->principal_id, caseref, agency ? agency : "")) < 0)
			return error;
		if (sent) {
			reason = "own submission";
			sv_error(SCRVAULT_ECONFLICT, "'%s' sent version %u of '%s' in: its author cannot sign it off; "
				 "another authorising manager of the agency must", v->principal, version, doc);
		} else if (author) {
			reason = "imr author";
			sv_error(SCRVAULT_ECONFLICT, "'%s' holds imr-author for case %s, agency %s: an IMR's author "
				 "cannot sign it off; another authorising manager of the agency must (or take the "
				 "imr-author role away first)", v->principal, caseref, agency ? agency : "");
		}
	}
	if (!reason)
		return 0;
	return sv_audit_denied(v, "doc.signoff", SV_ABOUT(.doc = doc, .caseref = caseref, .version = version),
			       SV_FIELDS(SV_STR("reason", reason)), SCRVAULT_ECONFLICT);
}
