/*
 * questions.c - the auditor's questions that join the registers: restricted
 * documents released and under which request, destructions with their
 * certificates, and who did or could read a document.
 *
 * Each answer is a list of rows read from the ledgers (releases,
 * bundle_releases, copies and copy_events, destructions, grants and the
 * log's own grant entries), each row naming the audit entry it rests on
 * ("seq"), so that a proof set of those entries (scrvault_audit_prove_set)
 * proves the answer offline.  Every question needs audit.read; a refusal is
 * an audit entry (sv_authorize).  Nothing here opens a document: the rows
 * name documents, never their content.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scrvault/audit.h"
#include "vault/authz.h"
#include "vault/session.h"
#include "storage/db.h"
#include "storage/rows.h"
#include "base/common.h"
#include "base/json.h"

int scrvault_audit_restricted_releases(scrvault_json **out, scrvault *v)
{
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "audit.read", NULL)) < 0)
		return error;
	/* The requester and the person who agreed the request, and who made the
	 * release; a check-out of a restricted version is a release to its reader. */
	return sv_rows_json(out, v->db, SV_COLS({ "kind", SV_COL_TEXT }, { "release", SV_COL_INT },
						 { "released_at", SV_COL_TEXT }, { "doc", SV_COL_TEXT },
						 { "version", SV_COL_INT }, { "case", SV_COL_TEXT },
						 { "class", SV_COL_TEXT }, { "to", SV_COL_TEXT },
						 { "recipient", SV_COL_TEXT }, { "released_by", SV_COL_TEXT },
						 { "request", SV_COL_INT }, { "requester", SV_COL_TEXT },
						 { "authorised_by", SV_COL_TEXT }, { "seq", SV_COL_INT }), NULL, NULL,
			    "SELECT * FROM ("
			    " SELECT 'release', b.id, b.released_at, b.doc_id, b.version, c.ref, d.class,"
			    "  coalesce(tp.name, 'outside reader'), b.to_recipient, rb.name, b.access_request,"
			    "  coalesce(rq.name, r.ext_name || coalesce(' (' || r.ext_org || ')', '')), dp.name, b.audit_seq"
			    "  FROM bundle_releases b JOIN documents d ON d.id = b.doc_id JOIN cases c ON c.id = d.case_id"
			    "  JOIN policy_classes pc ON pc.class = d.class AND pc.restricted = 1"
			    "  JOIN principals rb ON rb.id = b.released_by LEFT JOIN principals tp ON tp.id = b.to_principal"
			    "  LEFT JOIN requests r ON r.id = b.access_request"
			    "  LEFT JOIN principals rq ON rq.id = r.requester_id LEFT JOIN principals dp ON dp.id = r.decided_by"
			    " UNION ALL SELECT 'checkout', l.id, l.released_at, l.doc_id, l.version, c.ref, d.class,"
			    "  p.name, NULL, p.name, l.access_request,"
			    "  coalesce(rq.name, r.ext_name || coalesce(' (' || r.ext_org || ')', '')), dp.name, l.audit_seq"
			    "  FROM releases l JOIN documents d ON d.id = l.doc_id JOIN cases c ON c.id = d.case_id"
			    "  JOIN policy_classes pc ON pc.class = d.class AND pc.restricted = 1"
			    "  JOIN principals p ON p.id = l.principal_id"
			    "  LEFT JOIN requests r ON r.id = l.access_request"
			    "  LEFT JOIN principals rq ON rq.id = r.requester_id LEFT JOIN principals dp ON dp.id = r.decided_by"
			    "  WHERE l.role <> 'recipient'"
			    ") ORDER BY 14, 1", "");
}

int scrvault_audit_destructions(scrvault_json **out, scrvault *v)
{
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "audit.read", NULL)) < 0)
		return error;
	/* A version destroyed under retention has a certificate (its record);
	 * a numbered copy destroyed has its witness. */
	return sv_rows_json(out, v->db, SV_COLS({ "kind", SV_COL_TEXT }, { "record", SV_COL_INT },
						 { "destroyed_at", SV_COL_TEXT }, { "doc", SV_COL_TEXT },
						 { "version", SV_COL_INT }, { "case", SV_COL_TEXT },
						 { "class", SV_COL_TEXT }, { "copy", SV_COL_TEXT },
						 { "authorised_by", SV_COL_TEXT }, { "witness", SV_COL_TEXT },
						 { "seq", SV_COL_INT }), NULL, NULL,
			    "SELECT * FROM ("
			    " SELECT 'version', x.id, x.destroyed_at, x.doc_id, x.version, x.case_ref, x.class, NULL,"
			    "  x.authorised_by, NULL, x.audit_seq FROM destructions x"
			    " UNION ALL SELECT 'copy', NULL, e.at, k.doc_id, k.version, c.ref, d.class,"
			    "  k.kind || ' #' || k.number, b.name, coalesce(w.name, e.witness_name), e.audit_seq"
			    "  FROM copy_events e JOIN copies k ON k.id = e.copy_id"
			    "  JOIN documents d ON d.id = k.doc_id JOIN cases c ON c.id = d.case_id"
			    "  JOIN principals b ON b.id = e.by_id LEFT JOIN principals w ON w.id = e.witness_id"
			    "  WHERE e.event = 'destroy'"
			    ") ORDER BY 11, 1", "");
}

/* A span of time in which a principal held a role (a grant). */
typedef struct {
	char who[128], role[128], caseref[128], agency[128], from[32], until[32];
	int64_t seq;	/* the grant's entry while held, the ungrant's once taken away; 0: none */
	bool open;	/* no ungrant entry has ended it */
} span;

typedef struct {
	span *s;
	size_t n, cap;
} spans;

static span *span_add(spans *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		span *g = sv_realloc(l->s, cap * sizeof(*g));

		if (!g)
			return NULL;
		l->s = g;
		l->cap = cap;
	}
	memset(&l->s[l->n], 0, sizeof(span));
	return &l->s[l->n++];
}

static bool span_is(const span *s, const char *who, const char *role, const char *caseref, const char *agency)
{
	return !strcmp(s->who, who) && !strcmp(s->role, role) && !strcmp(s->caseref, caseref) &&
	       !strcmp(s->agency, agency);
}

static const char *member(const sv_json *e, const char *obj, const char *key)
{
	const char *t = sv_json_str(sv_json_get(obj ? sv_json_get(e, obj) : e, key));

	return t ? t : "";
}

/* One grant or ungrant entry into the spans: a grant opens one, an ungrant
 * ends the last open one of the same grant (or one held since before the
 * log recorded grants, as the vault's first custodians' are). */
static int span_entry(spans *l, int64_t seq, const char *text)
{
	const char *who, *role, *caseref, *agency, *at;
	sv_json *e = NULL;
	span *s = NULL;
	int error = 0;

	if (!text || sv_json_parse(&e, text, strlen(text), NULL) < 0)
		return sv_error(SCRVAULT_EINTEGRITY, "audit entry %lld does not parse", (long long)seq);
	who = member(e, "objects", "principal");
	role = member(e, "details", "role");
	caseref = member(e, "objects", "case");
	agency = member(e, "details", "agency");
	at = member(e, NULL, "time");
	if (strcmp(member(e, NULL, "outcome"), "ok") != 0)
		goto done;
	if (!strcmp(member(e, NULL, "action"), "principal.ungrant")) {
		for (size_t i = l->n; i-- > 0;)
			if (l->s[i].open && span_is(&l->s[i], who, role, caseref, agency)) {
				s = &l->s[i];
				break;
			}
		if (!s && !(s = span_add(l))) {
			error = SCRVAULT_ERROR;
			goto done;
		}
		if (!s->who[0]) {
			snprintf(s->who, sizeof(s->who), "%s", who);
			snprintf(s->role, sizeof(s->role), "%s", role);
			snprintf(s->caseref, sizeof(s->caseref), "%s", caseref);
			snprintf(s->agency, sizeof(s->agency), "%s", agency);
		}
		snprintf(s->until, sizeof(s->until), "%s", at);
		s->seq = seq;
		s->open = false;
	} else if (!strcmp(member(e, NULL, "action"), "principal.grant")) {
		if (!(s = span_add(l))) {
			error = SCRVAULT_ERROR;
			goto done;
		}
		snprintf(s->who, sizeof(s->who), "%s", who);
		snprintf(s->role, sizeof(s->role), "%s", role);
		snprintf(s->caseref, sizeof(s->caseref), "%s", caseref);
		snprintf(s->agency, sizeof(s->agency), "%s", agency);
		snprintf(s->from, sizeof(s->from), "%s", at);
		s->seq = seq;
		s->open = true;
	}
done:
	sv_json_free(e);
	return error;
}

/* Every grant ever held: from the log's grant and ungrant entries, and the
 * grants held now (a grant held now without its entry: from when it was made). */
static int spans_load(spans *l, scrvault *v)
{
	sv_stmt *st = NULL;
	int error;

	if ((error = sv_db_query(&st, v->db, "SELECT seq, entry FROM audit WHERE entry LIKE"
				 " '%\"action\":\"principal.grant\"%' OR entry LIKE '%\"action\":\"principal.ungrant\"%'"
				 " ORDER BY seq", "")) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1)
		if ((error = span_entry(l, sv_stmt_int(st, 0), sv_stmt_text(st, 1))) < 0)
			break;
	sv_stmt_free(st);
	if (error < 0 || (error = sv_db_query(&st, v->db, "SELECT p.name, g.role, g.case_ref, g.agency, g.granted_at"
					      " FROM grants g JOIN principals p ON p.id = g.principal_id ORDER BY g.id",
					      "")) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1) {
		span now, *s = NULL;

		memset(&now, 0, sizeof(now));
		sv_stmt_texts(st, 0, now.who, sizeof(now.who), now.role, sizeof(now.role), now.caseref,
			      sizeof(now.caseref), now.agency, sizeof(now.agency), now.from, sizeof(now.from), NULL);
		for (size_t i = l->n; i-- > 0;)
			if (l->s[i].open && span_is(&l->s[i], now.who, now.role, now.caseref, now.agency)) {
				s = &l->s[i];
				break;
			}
		if (!s) {
			if (!(s = span_add(l))) {
				error = SCRVAULT_ERROR;
				break;
			}
			*s = now;
			s->open = true;
		}
	}
	sv_stmt_free(st);
	return error < 0 ? error : 0;
}

static int span_cmp(const void *a, const void *b)
{
	const span *x = a, *y = b;
	int c = strcmp(x->from, y->from);

	return c ? c : strcmp(x->who, y->who);
}

/*
 * Who could ever have read a document.  "did read": every key release of
 * one of its versions on record (a check-out, a release to a principal or
 * to an outside reader's key, a paper copy printed or issued).  "could
 * read": every span of time a principal held a role that the policy in
 * force allows doc.read on the document's class, with a grant reaching its
 * case (and its agency, for a case-agency role and a class that belongs to
 * agencies, as sv_authorize reaches it): the grants taken away (from the
 * log's grant and ungrant entries) and those held now; a span ends no later
 * than the principal's last key.
 */
int scrvault_audit_readers(scrvault_json **out, scrvault *v, const char *doc)
{
	char cls[128] = "", agency[128] = "", caseref[128] = "";
	spans l = { 0 };
	sv_json *arr = NULL, *row = NULL;
	sv_stmt *st = NULL;
	int error;

	*out = NULL;
	if (!doc || !*doc)
		return sv_error_field(SCRVAULT_EUSAGE, "doc", "name the document (its id)");
	if ((error = sv_authorize(v, "audit.read", SV_ABOUT(.doc = doc))) < 0)
		return error;
	if ((error = sv_db_query(&st, v->db, "SELECT d.class, coalesce(d.agency, ''), c.ref FROM documents d"
				 " JOIN cases c ON c.id = d.case_id WHERE d.id = ?", "t", doc)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1) {
		sv_stmt_texts(st, 0, cls, sizeof(cls), agency, sizeof(agency), caseref, sizeof(caseref), NULL);
		error = 0;
	} else if (error == 0)
		error = sv_error(SCRVAULT_ENOTFOUND, SV_NOT_FOUND_DOC, doc);
	sv_stmt_free(st);
	if (error < 0)
		return error;
	if ((error = sv_rows_json(&arr, v->db, SV_COLS({ "answer", SV_COL_TEXT }, { "how", SV_COL_TEXT },
						       { "principal", SV_COL_TEXT }, { "role", SV_COL_TEXT },
						       { "version", SV_COL_INT }, { "from", SV_COL_TEXT },
						       { "until", SV_COL_TEXT }, { "request", SV_COL_INT },
						       { "seq", SV_COL_INT }), NULL, NULL,
				  "SELECT * FROM ("
				  " SELECT 'did read', CASE WHEN l.role = 'recipient' THEN 'release' ELSE 'checkout' END,"
				  "  p.name, CASE WHEN l.role = 'recipient' THEN NULL ELSE l.role END, l.version,"
				  "  l.released_at, NULL, l.access_request, l.audit_seq"
				  "  FROM releases l JOIN principals p ON p.id = l.principal_id WHERE l.doc_id = ?1"
				  " UNION ALL SELECT 'did read', 'release (age key)', 'outside reader: ' || b.to_recipient,"
				  "  NULL, b.version, b.released_at, NULL, b.access_request, b.audit_seq"
				  "  FROM bundle_releases b WHERE b.doc_id = ?1 AND b.to_principal IS NULL"
				  " UNION ALL SELECT 'did read', 'paper copy #' || k.number || ' ' || e.event,"
				  "  CASE WHEN e.event = 'print' THEN pb.name ELSE coalesce(h.name, k.ext_name ||"
				  "  coalesce(' (' || k.ext_org || ')', '')) END, NULL, k.version, e.at, NULL,"
				  "  k.access_request, e.audit_seq"
				  "  FROM copy_events e JOIN copies k ON k.id = e.copy_id JOIN principals pb ON pb.id = e.by_id"
				  "  LEFT JOIN principals h ON h.id = e.holder_id"
				  "  WHERE k.doc_id = ?1 AND k.kind = 'paper' AND e.event IN ('print', 'issue')"
				  ") ORDER BY 6, 3", "t", doc)) < 0 ||
	    (error = spans_load(&l, v)) < 0)
		goto done;
	if (l.n)
		qsort(l.s, l.n, sizeof(*l.s), span_cmp);
	for (size_t i = 0; i < l.n; i++) {
		const span *s = &l.s[i];

		/* The row, if the role reads the class and the grant reaches the
		 * document; bounded by the principal's keys (principal_keys). */
		if ((error = sv_row_one_json(&row, v->db, SV_COLS({ "answer", SV_COL_TEXT }, { "how", SV_COL_TEXT },
								    { "principal", SV_COL_TEXT }, { "role", SV_COL_TEXT },
								    { "version", SV_COL_INT }, { "from", SV_COL_TEXT },
								    { "until", SV_COL_TEXT }, { "request", SV_COL_INT },
								    { "seq", SV_COL_INT }),
					     "SELECT 'could read', 'role ' || ?2 || CASE WHEN ?3 <> '' THEN ' for case ' || ?3"
					     "  ELSE '' END || CASE WHEN ?4 <> '' THEN ' and agency ' || ?4 ELSE '' END,"
					     "  p.name, ?2, NULL, max(?5, coalesce(k.first_at, '')),"
					     "  CASE WHEN ?6 = '' THEN k.last_at WHEN k.last_at IS NULL THEN ?6"
					     "  ELSE min(?6, k.last_at) END, NULL, NULLIF(?7, 0)"
					     " FROM principals p JOIN policy_roles r ON r.role = ?2"
					     " LEFT JOIN (SELECT principal_id, min(from_at) AS first_at, CASE WHEN count(*) >"
					     "  count(until_at) THEN NULL ELSE max(until_at) END AS last_at FROM principal_keys"
					     "  GROUP BY principal_id) k ON k.principal_id = p.id"
					     " WHERE p.name = ?1 AND EXISTS (SELECT 1 FROM policy_allow a WHERE a.role = ?2"
					     "  AND a.action = 'doc.read' AND a.class IN ('', ?8))"
					     " AND (r.scope = 'board' OR (r.scope = 'case' AND ?3 = ?9)"
					     "  OR (r.scope = 'case-agency' AND ?3 = ?9 AND (?4 = ?10 OR NOT EXISTS"
					     "   (SELECT 1 FROM policy_classes pc WHERE pc.class = ?8 AND pc.agency = 1))))",
					     "ttttttittt", s->who, s->role, s->caseref, s->agency, s->from, s->until,
					     s->seq, cls, caseref, agency)) < 0)
			goto done;
		if (error == 1) {
			error = sv_json_append(arr, row);	/* owns row, even on failure */
			row = NULL;
			if (error < 0)
				goto done;
		}
	}
	error = 0;
	*out = arr;
	arr = NULL;
done:
	sv_json_free(row);
	sv_json_free(arr);
	free(l.s);
	return error;
}
