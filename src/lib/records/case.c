/*
 * case.c - cases (reviews): opening, listing, showing, concluding and
 * publishing.
 *
 * A case's title lives only in the encrypted database; audit entries carry
 * its reference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <errno.h>
#include "records/master.h"
#include "vault/authz.h"
#include "vault/log.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "storage/rows.h"
#include "base/common.h"
#include "base/date.h"
#include "base/json.h"
#include "base/text.h"

/* ---- cases ------------------------------------------------------------------- */

static bool review_type_valid(const char *t)
{
	return t && (!strcmp(t, "scr") || !strcmp(t, "sir") || !strcmp(t, "interagency"));
}

int scrvault_case_open(scrvault *v, const scrvault_case_spec *spec)
{
	char when[21];
	int error;

	if ((error = SV_STRUCT_CHECK(spec, SCRVAULT_CASE_SPEC_VERSION, "scrvault_case_spec")) < 0 ||
	    (error = sv_authorize(v, "case.open", SV_ABOUT(.caseref = spec->ref))) < 0)
		return error;
	if (!sv_ref_valid(spec->ref))
		return sv_error_field(SCRVAULT_EUSAGE, "ref",
				      "case reference '%s' is not valid: use 1-32 of A-Z a-z 0-9 -, like SCR-2026-03",
				      spec->ref ? spec->ref : "");
	if (!spec->title || !*spec->title)
		return sv_error_field(SCRVAULT_EUSAGE, "title", "a case needs a title");
	if (!review_type_valid(spec->review_type))
		return sv_error_field(SCRVAULT_EUSAGE, "review_type", "review type must be scr, sir or interagency");
	if (spec->subject_dob && !sv_date_valid(spec->subject_dob))
		return sv_error_field(SCRVAULT_EUSAGE, "subject_dob",
				      "subject's date of birth '%s' is not a date (YYYY-MM-DD)", spec->subject_dob);
	if (spec->decision_date && !sv_date_valid(spec->decision_date))
		return sv_error_field(SCRVAULT_EUSAGE, "decision_date", "decision date '%s' is not a date (YYYY-MM-DD)",
				      spec->decision_date);
	sv_time_iso(when, sv_now());
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	error = sv_db_run(v->db,
			  "INSERT INTO cases(ref, title, review_type, subject_dob, decision_date, opened_at, opened_by)"
			  " VALUES (?,?,?,?,?,?,?)", "tttttti", spec->ref, spec->title, spec->review_type,
			  spec->subject_dob, spec->decision_date, when, v->principal_id);
	if (error == SCRVAULT_ECONFLICT) {
		sv_vault_abort(v);
		return sv_error(SCRVAULT_ECONFLICT, "case '%s' already exists", spec->ref);
	}
	if (error < 0)
		goto fail;
	if ((error = sv_audit_append(v, "case.open", "ok", SV_ABOUT(.caseref = spec->ref),
				     SV_FIELDS(SV_STR("review_type", spec->review_type)))) < 0)
		goto fail;
	return sv_vault_commit(v);
fail:
	sv_vault_abort(v);
	return error;
}

#define CASE_SELECT "SELECT ref, title, review_type, subject_dob, decision_date, status, opened_at," \
	" (SELECT count(*) FROM documents d WHERE d.case_id = c.id) FROM cases c"
#define CASE_COLUMNS SV_COLS({ "ref", SV_COL_TEXT }, { "title", SV_COL_TEXT }, { "review_type", SV_COL_TEXT }, \
	{ "subject_dob", SV_COL_TEXT }, { "decision_date", SV_COL_TEXT }, { "status", SV_COL_TEXT }, \
	{ "opened_at", SV_COL_TEXT }, { "documents", SV_COL_INT })

/* Only the cases the role reaches (a panel member: their own). */
static bool case_seen(void *ctx, sv_stmt *st)
{
	return sv_authz_sees(ctx, "case.read", sv_stmt_text(st, 0), NULL, NULL);
}

int scrvault_case_list(scrvault_json **out, scrvault *v)
{
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "case.read", NULL)) < 0)
		return error;
	return sv_rows_json(out, v->db, CASE_COLUMNS, case_seen, v, CASE_SELECT " ORDER BY ref", "");
}

int scrvault_case_show(scrvault_json **out, scrvault *v, const char *ref)
{
	sv_json *c = NULL, *docs = NULL;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "case.read", SV_ABOUT(.caseref = ref))) < 0)
		return error;
	if ((error = sv_row_one_json(&c, v->db, CASE_COLUMNS, CASE_SELECT " WHERE ref = ?", "t", ref)) < 0)
		return error;
	if (!c)
		return sv_error(SCRVAULT_ENOTFOUND, SV_NOT_FOUND_CASE, ref);
	if ((error = scrvault_doc_list(&docs, v, ref)) < 0 ||
	    (error = sv_json_set(c, "document_list", docs)) < 0) {
		sv_json_free(c);
		return error;
	}
	*out = c;
	return 0;
}

/* ---- cases ------------------------------------------------------------------------------------- */

int scrvault_case_conclude(scrvault_json **out, scrvault *v, const char *ref, const char *ap, const char *ofsted)
{
	char now[11], concluded[16] = "";
	int64_t case_id = 0;
	sv_json *blocking = NULL, *masters = NULL;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "case.conclude", SV_ABOUT(.caseref = ref))) < 0)
		return error;
	sv_today(now);
	if (!ap || !sv_date_valid(ap) || strcmp(ap, now) > 0 || !ofsted || !sv_date_valid(ofsted) || strcmp(ofsted, now) > 0)
		return sv_error_field(SCRVAULT_EUSAGE, !ap || !sv_date_valid(ap) || strcmp(ap, now) > 0
				      ? "action_plan_approved_on" : "ofsted_approved_on",
				      "a case concludes once its action plan is approved by the LSCB and by Ofsted: "
				      "give both dates (not in the future)");
	if ((error = sv_db_text_int(concluded, sizeof(concluded), &case_id, v->db,
				    "SELECT coalesce(concluded_on, ''), id FROM cases WHERE ref = ?", "t", ref)) < 0)
		return error;
	if (!case_id)
		return sv_error(SCRVAULT_ENOTFOUND, SV_NOT_FOUND_CASE, ref);
	if (concluded[0])
		return sv_error(SCRVAULT_ECONFLICT, "case '%s' concluded on %s", ref, concluded);
	/* Every non-master copy must be back and destroyed first (000 §11.9). */
	if ((error = sv_rows_json(&blocking, v->db, SV_COLS({ "copy", SV_COL_INT }, { "doc", SV_COL_TEXT },
				  { "version", SV_COL_INT }, { "kind", SV_COL_TEXT }, { "number", SV_COL_INT },
				  { "state", SV_COL_TEXT }, { "holder", SV_COL_TEXT }, { "contact", SV_COL_TEXT }),
				  NULL, NULL, "SELECT c.id, c.doc_id, c.version, c.kind, coalesce(c.number, 0), c.state,"
				  " NULLIF(coalesce(p.name, c.ext_name, ''), ''), NULLIF(coalesce(c.contact, ''), '')"
				  " FROM copies c JOIN documents d ON d.id = c.doc_id LEFT JOIN principals p ON p.id = c.holder_id"
				  " WHERE d.case_id = ? AND c.state <> 'destroyed' ORDER BY c.id", "i", case_id)) < 0)
		return error;
	if (sv_json_count(blocking)) {
		size_t n = sv_json_count(blocking);

		if ((error = sv_json_new(out, SV_FIELDS(SV_VAL("blocking", blocking)))) < 0) {
			sv_json_free(blocking);
			return error;
		}
		sv_json_free(blocking);
		sv_error(SCRVAULT_ECONFLICT, "case '%s' cannot conclude: %zu cop%s of its documents %s not destroyed "
			 "(recall them: 'scrvault copy recall %s'; then return and destroy each)", ref, n,
			 n == 1 ? "y" : "ies", n == 1 ? "is" : "are", ref);
		return sv_audit_denied(v, "case.conclude", SV_ABOUT(.caseref = ref),
				       SV_FIELDS(SV_INT("copies_outstanding", (int64_t)n)), SCRVAULT_ECONFLICT);
	}
	sv_json_free(blocking);
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	/* Its masters are fixed and the case frozen (records/master.c). */
	if ((error = sv_db_run(v->db, "UPDATE cases SET concluded_on = ?, action_plan_approved_on = ?, ofsted_approved_on = ?,"
			       " status = 'concluded' WHERE id = ?", "ttti", now, ap, ofsted, case_id)) < 0 ||
	    (error = sv_case_fix_masters(&masters, v, case_id)) < 0)
		return sv_vault_fail(v, error);
	if ((error = sv_vault_finish(v, "case.conclude", SV_ABOUT(.caseref = ref),
				     SV_FIELDS(SV_STR("concluded_on", now), SV_STR("action_plan_approved_on", ap),
					       SV_STR("ofsted_approved_on", ofsted), SV_VAL("masters", masters)))) < 0) {
		sv_json_free(masters);
		return error;
	}
	error = sv_json_new(out, SV_FIELDS(SV_STR("case", ref), SV_STR("concluded_on", now), SV_VAL("masters", masters)));
	sv_json_free(masters);
	return error;
}

int scrvault_case_publish(scrvault *v, const char *ref, const char *on)
{
	char now[11];
	int64_t changed = 0;
	int error;

	if ((error = sv_authorize(v, "case.publish", SV_ABOUT(.caseref = ref))) < 0)
		return error;
	sv_today(now);
	if (!on || !sv_date_valid(on) || strcmp(on, now) > 0)
		return sv_error_field(SCRVAULT_EUSAGE, "on", "give the day the executive summary was published "
				      "(YYYY-MM-DD, not in the future)");
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_db_run(v->db, "UPDATE cases SET published_on = ? WHERE ref = ?", "tt", on, ref)) < 0 ||
	    (error = sv_db_int(&changed, v->db, "SELECT changes()", "")) < 0)
		goto fail;
	if (changed != 1) {
		error = sv_error(SCRVAULT_ENOTFOUND, SV_NOT_FOUND_CASE, ref);
		goto fail;
	}
	if ((error = sv_audit_append(v, "case.publish", "ok", SV_ABOUT(.caseref = ref),
				     SV_FIELDS(SV_STR("published_on", on)))) < 0 ||
	    (error = sv_vault_commit(v)) < 0)
		goto fail;
	return 0;
fail:
	sv_vault_abort(v);
	return error;
}
