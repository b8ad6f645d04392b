/*
 * hold.c - legal holds: a case, a document, or the whole board (optionally
 * one class) kept from destruction while criminal proceedings, an inquest
 * or an FOI appeal need it.  Placing and lifting are audited with reasons.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "records/hold.h"
#include "vault/authz.h"
#include "vault/find.h"
#include "vault/log.h"
#include "vault/meta.h"
#include "vault/policydb.h"
#include "vault/policyfile.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "storage/rows.h"
#include "base/calendar.h"
#include "base/common.h"
#include "base/date.h"
#include "base/json.h"
#include "base/text.h"

/* ---- holds ---------------------------------------------------------------------------------------- */

bool sv_hold_kind_valid(const char *kind)
{
	static const char *const kinds[] = { "criminal-proceedings", "coroner", "inquiry", "foi-appeal", "other", NULL };

	return sv_text_one_of(kind, kinds);
}

int sv_hold_stops_publication(char *why, size_t len, scrvault *v, int64_t case_id)
{
	sv_stmt *st = NULL;
	int error;

	why[0] = '\0';
	/* a hold on the case, on one of its documents, or board-wide */
	if ((error = sv_db_query(&st, v->db, "SELECT h.id, h.kind FROM holds h WHERE h.released_at IS NULL"
				 " AND h.kind IN ('criminal-proceedings', 'coroner') AND (h.scope = 'board' OR h.case_id = ?1"
				 " OR h.doc_id IN (SELECT id FROM documents WHERE case_id = ?1)) ORDER BY h.id LIMIT 1",
				 "i", case_id)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1)
		snprintf(why, len, "hold %lld (%s)", (long long)sv_stmt_int(st, 0), sv_stmt_text(st, 1));
	sv_stmt_free(st);
	return error < 0 ? error : 0;
}

int scrvault_hold_add(scrvault_json **out, scrvault *v, const scrvault_hold_spec *s)
{
	char when[21], doc[SV_DOC_ID_LEN + 1] = "", caseref[40] = "";
	int64_t case_id = 0, id = 0, n = 0;
	const char *target, *cls, *reason;
	bool board;
	int error;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(s, SCRVAULT_HOLD_SPEC_VERSION, "scrvault_hold_spec")) < 0 ||
	    (error = sv_text_check("reason", s->reason, SV_TEXT_LINES)) < 0)
		return error;
	target = s->target;
	board = s->board;
	cls = s->doc_class;
	reason = s->reason;
	if ((error = sv_authorize(v, "hold.add", NULL)) < 0)
		return error;
	if (!sv_hold_kind_valid(s->kind))
		return sv_error_field(SCRVAULT_EUSAGE, "kind", "say what kind of hold: criminal-proceedings, "
				      "coroner, inquiry, foi-appeal or other (criminal and coroner's proceedings "
				      "also stop publication)");
	if (!reason || !*reason)
		return sv_error_field(SCRVAULT_EUSAGE, "reason", "say why: criminal proceedings, an inquest, a "
				      "public inquiry, an FOI appeal ...");
	if (board == !!target)
		return sv_error_field(SCRVAULT_EUSAGE, "target", "hold a case or a document, or everything (the "
				      "whole board)");
	if (cls && !board)
		return sv_error_field(SCRVAULT_EUSAGE, "doc_class", "a class is held only board-wide");
	if (cls && ((error = sv_db_int(&n, v->db, "SELECT count(*) FROM policy_classes WHERE class = ?", "t", cls)) < 0 || !n))
		return error < 0 ? error : sv_error_field(SCRVAULT_EUSAGE, "doc_class", "no class '%s' in the policy", cls);
	if (target) {
		if ((error = sv_db_int(&case_id, v->db, "SELECT id FROM cases WHERE ref = ?", "t", target)) < 0)
			return error;
		if (case_id) {
			snprintf(caseref, sizeof(caseref), "%s", target);
		} else if ((error = sv_doc_resolve(doc, caseref, v, "hold.add", target)) < 0) {
			return sv_error(error == SCRVAULT_EUSAGE ? SCRVAULT_ENOTFOUND : error,
					"'%s' is neither a case nor a document", target);
		}
	}
	sv_time_iso(when, sv_now());
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_db_run(v->db, "INSERT INTO holds(scope, case_id, doc_id, class, reason, placed_at, placed_by,"
			       " kind) VALUES (?, NULLIF(?, 0), ?, ?, ?, ?, ?, ?)", "tittttit",
			       board ? "board" : doc[0] ? "doc" : "case", case_id, doc[0] ? doc : NULL, cls, reason,
			       when, v->principal_id, s->kind)) < 0 ||
	    (error = sv_db_int(&id, v->db, "SELECT last_insert_rowid()", "")) < 0)
		return sv_vault_fail(v, error);
	if ((error = sv_vault_finish(v, "hold.add", SV_ABOUT(.hold = id, .caseref = caseref, .doc = doc),
				     SV_FIELDS(SV_STR("scope", board ? "board" : doc[0] ? "doc" : "case"),
					       SV_STR("kind", s->kind), SV_IF(cls, SV_STR("class", cls))))) < 0)
		return error;
	return sv_json_new(out, SV_FIELDS(SV_INT("hold", id)));
}

int scrvault_hold_release(scrvault_json **out, scrvault *v, int64_t id, const char *reason)
{
	char when[21];
	int64_t changed = 0, exists = 0;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "hold.release", NULL)) < 0)
		return error;
	if (!reason || !*reason)
		return sv_error_field(SCRVAULT_EUSAGE, "reason", "say why the hold ends");
	if ((error = sv_text_check("reason", reason, SV_TEXT_LINES)) < 0)
		return error;
	if ((error = sv_db_int(&exists, v->db, "SELECT count(*) FROM holds WHERE id = ?", "i", id)) < 0)
		return error;
	if (!exists)
		return sv_error(SCRVAULT_ENOTFOUND, "no hold %lld (see 'scrvault hold list')", (long long)id);
	sv_time_iso(when, sv_now());
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_db_run(v->db, "UPDATE holds SET released_at = ?, released_by = ?, release_reason = ?"
			       " WHERE id = ? AND released_at IS NULL", "titi", when, v->principal_id, reason, id)) < 0 ||
	    (error = sv_db_int(&changed, v->db, "SELECT changes()", "")) < 0)
		return sv_vault_fail(v, error);
	if (changed != 1)
		return sv_vault_fail(v, sv_error(SCRVAULT_ECONFLICT, "hold %lld was already released", (long long)id));
	if ((error = sv_vault_finish(v, "hold.release", SV_ABOUT(.hold = id), NULL)) < 0)
		return error;
	return sv_json_new(out, SV_FIELDS(SV_INT("hold", id)));
}

/* The automatic holds of FOI requests: open, or answered and within the
 * appeal window (`appeal` working days of the calendar). */
typedef struct {
	sv_json *arr;
	sv_calendar *cal;
	int64_t appeal;
	const char *now;
} foi_holds;

static int foi_hold_row(void *ctx, sv_stmt *st)
{
	foi_holds *f = ctx;
	const char *resp = sv_stmt_text(st, 2);
	char until[11] = "", reason[96];
	int64_t r = 0;

	if (resp) {
		if (sv_day_parse(&r, resp) < 0)
			return 0;
		sv_day_format(until, sv_calendar_add_working(f->cal, r, (unsigned)f->appeal, NULL, 0));
		if (strcmp(until, f->now) < 0)
			return 0;
	}
	snprintf(reason, sizeof(reason), "FOI request %lld %s", (long long)sv_stmt_int(st, 0),
		 resp ? "answered: review window" : "is open (FOIA s.77)");
	return sv_json_append(f->arr, sv_json_of(SV_FIELDS(
		SV_STR("scope", sv_stmt_text(st, 1) ? "case" : "doc"), SV_STR("case", sv_stmt_text(st, 1)),
		SV_INT("request", sv_stmt_int(st, 0)), SV_INT("documents", sv_stmt_int(st, 3)),
		SV_STR("reason", reason), SV_STR("until", until[0] ? until : NULL), SV_BOOL("automatic", true),
		SV_STR("kind", "foi-appeal"))));
}

int scrvault_hold_list(scrvault_json **out, scrvault *v)
{
	char now[11];
	int64_t today_d = 0;
	foi_holds f = { NULL, NULL, 0, now };
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "hold.read", NULL)) < 0)
		return error;
	sv_today(now);
	if ((error = sv_rows_json(&f.arr, v->db, SV_COLS({ "hold", SV_COL_INT }, { "scope", SV_COL_TEXT },
			{ "case", SV_COL_TEXT }, { "doc", SV_COL_TEXT }, { "class", SV_COL_TEXT }, { "reason", SV_COL_TEXT },
			{ "placed_at", SV_COL_TEXT }, { "placed_by", SV_COL_TEXT }, { "kind", SV_COL_TEXT }),
			NULL, NULL, "SELECT h.id, h.scope, c.ref, h.doc_id, h.class, h.reason, h.placed_at, p.name, h.kind"
			" FROM holds h LEFT JOIN cases c ON c.id = h.case_id JOIN principals p ON p.id = h.placed_by"
			" WHERE h.released_at IS NULL ORDER BY h.id", "")) < 0)
		return error;
	f.appeal = sv_meta_int(v, "foi_appeal_days", SV_FOI_APPEAL_DAYS_DEFAULT);
	if ((error = sv_day_parse(&today_d, now)) < 0 || (error = sv_policy_calendar(&f.cal, v)) < 0 ||
	    (error = sv_db_each(v->db, foi_hold_row, &f, "SELECT r.id, c.ref, r.responded_on, (SELECT count(*)"
				" FROM request_docs q WHERE q.request_id = r.id) FROM requests r LEFT JOIN cases c"
				" ON c.id = r.case_id WHERE r.channel = 'foi' ORDER BY r.id", "")) < 0)
		sv_json_free(f.arr);
	else
		*out = f.arr;
	sv_calendar_free(f.cal);
	return error < 0 ? error : 0;
}
