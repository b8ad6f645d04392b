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
#include "records/case.h"
#include "records/hold.h"
#include "records/pending.h"
#include "records/master.h"
#include "vault/authz.h"
#include "vault/find.h"
#include "vault/policyfile.h"
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
	return sv_review_type_index(t) >= 0;
}

int scrvault_case_open(scrvault *v, const scrvault_case_spec *spec)
{
	char when[21];
	int error;

	const char *received = NULL;

	if ((error = SV_STRUCT_CHECK(spec, SCRVAULT_CASE_SPEC_VERSION, "scrvault_case_spec")) < 0 ||
	    (error = sv_authorize(v, "case.open", SV_ABOUT(.caseref = spec->ref))) < 0)
		return error;
	if (!sv_ref_valid(spec->ref))
		return sv_error_field(SCRVAULT_EUSAGE, "ref",
				      "case reference '%s' is not valid: use 1-32 of A-Z a-z 0-9 -, like SCR-2026-03",
				      spec->ref ? spec->ref : "");
	if (!spec->title || !*spec->title)
		return sv_error_field(SCRVAULT_EUSAGE, "title", "a case needs a title");
	if ((error = sv_text_check("title", spec->title, 0)) < 0)
		return error;
	if (!review_type_valid(spec->review_type))
		return sv_error_field(SCRVAULT_EUSAGE, "review_type", "review type must be scr, sir or interagency");
	/* Both happened: neither is in the future, and the decision to hold
	 * the review comes after the child's birth. */
	if ((error = sv_date_check("subject_dob", "the subject's date of birth", spec->subject_dob, SV_DATE_PAST,
				   NULL, NULL)) < 0 ||
	    (error = sv_date_check("decision_date", "the decision date", spec->decision_date, SV_DATE_PAST,
				   spec->subject_dob, "the subject's date of birth")) < 0)
		return error;
	if (spec->version >= 2 && (received = spec->received_on) &&
	    ((error = sv_date_check("received_on", "the day the case came to the Board's attention", received,
				    SV_DATE_PAST, spec->subject_dob, "the subject's date of birth")) < 0 ||
	     (error = sv_date_check("decision_date", "the decision date", spec->decision_date, SV_DATE_ANY,
				    received, "the day the case came to the Board's attention")) < 0))
		return error;
	sv_time_iso(when, sv_now());
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	error = sv_db_run(v->db,
			  "INSERT INTO cases(ref, title, review_type, subject_dob, decision_date, received_on, opened_at,"
			  " opened_by) VALUES (?,?,?,?,?,?,?,?)", "ttttttti", spec->ref, spec->title, spec->review_type,
			  spec->subject_dob, spec->decision_date, received, when, v->principal_id);
	if (error == SCRVAULT_ECONFLICT) {
		sv_vault_abort(v);
		return sv_error(SCRVAULT_ECONFLICT, "case '%s' already exists", spec->ref);
	}
	if (error < 0)
		goto fail;
	if ((error = sv_audit_append(v, "case.open", "ok", SV_ABOUT(.caseref = spec->ref),
				     SV_FIELDS(SV_STR("review_type", spec->review_type),
					       /* the milestones' dates, for the case's timeline (never the dob) */
					       SV_OPT("decided_on", spec->decision_date), SV_OPT("received_on", received)))) < 0)
		goto fail;
	return sv_vault_commit(v);
fail:
	sv_vault_abort(v);
	return error;
}

/* A case from a referral (records/referral.c) also shows its recommendation. */
#define CASE_SELECT "SELECT ref, title, review_type, subject_dob, decision_date, status, opened_at," \
	" (SELECT count(*) FROM documents d WHERE d.case_id = c.id), received_on, r.recommended, r.recommended_on" \
	" FROM cases c LEFT JOIN referrals r ON r.case_id = c.id"
#define CASE_COLUMNS SV_COLS({ "ref", SV_COL_TEXT }, { "title", SV_COL_TEXT }, { "review_type", SV_COL_TEXT }, \
	{ "subject_dob", SV_COL_TEXT }, { "decision_date", SV_COL_TEXT }, { "status", SV_COL_TEXT }, \
	{ "opened_at", SV_COL_TEXT }, { "documents", SV_COL_INT }, { "received_on", SV_COL_TEXT }, \
	{ "recommended", SV_COL_OPT }, { "recommended_on", SV_COL_OPT })

/*
 * A referral not decided yet, or decided "none", is no review: nothing of
 * it concludes or is published.  0, or SCRVAULT_ECONFLICT with the reason.
 */
static int case_is_review(scrvault *v, int64_t case_id, const char *ref, const char *doing)
{
	char status[16] = "";
	int64_t id = 0;
	int error;

	if ((error = sv_db_text_int(status, sizeof(status), &id, v->db, "SELECT status, id FROM cases WHERE id = ?",
				    "i", case_id)) < 0)
		return error;
	if (!strcmp(status, "referred"))
		return sv_error(SCRVAULT_ECONFLICT, "case '%s' is a referral not decided yet: it is %s only once "
				"the chair has decided a review ('scrvault referral decide %s')", ref, doing, ref);
	if (!strcmp(status, "no-review"))
		return sv_error(SCRVAULT_ECONFLICT, "case '%s' was decided 'no further action': no review is %s "
				"(its documents' retention runs from the decision date)", ref, doing);
	return 0;
}

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
	return sv_rows_json(out, v->db, CASE_COLUMNS, case_seen, v, CASE_SELECT " ORDER BY c.ref", "");
}

int scrvault_case_show(scrvault_json **out, scrvault *v, const char *ref)
{
	sv_json *c = NULL, *docs = NULL;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "case.read", SV_ABOUT(.caseref = ref))) < 0)
		return error;
	if ((error = sv_row_one_json(&c, v->db, CASE_COLUMNS, CASE_SELECT " WHERE c.ref = ?", "t", ref)) < 0)
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

/*
 * A date of something that happens during review `case_id` (an approval, a
 * publication): not before the decision to hold the review, nor before the
 * subject's birth, when the case records them.
 */
static int case_dates_after(scrvault *v, int64_t case_id, const char *field, const char *what, const char *day)
{
	char decided[16] = "", dob[16] = "";
	int64_t id = 0;
	int error;

	if ((error = sv_db_text_int(decided, sizeof(decided), &id, v->db,
				    "SELECT coalesce(decision_date, ''), id FROM cases WHERE id = ?", "i", case_id)) < 0 ||
	    (error = sv_db_text_int(dob, sizeof(dob), &id, v->db,
				    "SELECT coalesce(subject_dob, ''), id FROM cases WHERE id = ?", "i", case_id)) < 0)
		return error;
	if ((error = sv_date_check(field, what, day, SV_DATE_ANY, decided, "the decision to hold the review")) < 0 ||
	    (error = sv_date_check(field, what, day, SV_DATE_ANY, dob, "the subject's date of birth")) < 0)
		return error;
	return 0;
}

/*
 * The versions named at conclusion, checked before anything is written:
 * each a live version of a document of case `ref`, each document once.
 * Their full ids go to `docs`.
 */
static int named_masters(char (*docs)[SV_DOC_ID_LEN + 1], scrvault *v, const char *ref,
			 const scrvault_case_master *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char caseref[40], state[16] = "";
		int64_t exists = 0;
		int error;

		if (!m[i].doc || !m[i].version)
			return sv_error_field(SCRVAULT_EUSAGE, "masters", "name each master as DOC@VERSION");
		if ((error = sv_doc_resolve(docs[i], caseref, v, "case.conclude", m[i].doc)) < 0)
			return error;
		if (strcmp(caseref, ref) != 0)
			return sv_error_field(SCRVAULT_EUSAGE, "masters", "document '%s' belongs to case '%s', not "
					      "'%s': a conclusion names masters of its own case only", docs[i],
					      caseref, ref);
		for (size_t k = 0; k < i; k++)
			if (!strcmp(docs[k], docs[i]))
				return sv_error_field(SCRVAULT_EUSAGE, "masters", "document '%s' is named twice: "
						      "a document has one master", docs[i]);
		if ((error = sv_db_text_int(state, sizeof(state), &exists, v->db, "SELECT state, 1 FROM versions"
					    " WHERE doc_id = ? AND version = ?", "ti", docs[i],
					    (int64_t)m[i].version)) < 0)
			return error;
		if (!exists)
			return sv_error(SCRVAULT_ENOTFOUND, "document '%s' has no version %u (see 'scrvault doc "
					"log %s')", docs[i], m[i].version, docs[i]);
		if (strcmp(state, "live") != 0)
			return sv_error(SCRVAULT_ECONFLICT, "document '%s' version %u is %s: it cannot be the "
					"master", docs[i], m[i].version, state);
	}
	return 0;
}

int scrvault_case_conclude(scrvault_json **out, scrvault *v, const char *ref, const char *ap, const char *ofsted)
{
	scrvault_case_conclude_options o = SCRVAULT_CASE_CONCLUDE_OPTIONS_INIT;

	o.ref = ref;
	o.action_plan_approved_on = ap;
	o.ofsted_approved_on = ofsted;
	return scrvault_case_conclude_ext(out, v, &o);
}

int scrvault_case_conclude_ext(scrvault_json **out, scrvault *v, const scrvault_case_conclude_options *o)
{
	char now[11], concluded[16] = "";
	char (*named)[SV_DOC_ID_LEN + 1] = NULL;
	const char *ref, *ap, *ofsted;
	int64_t case_id = 0;
	sv_json *blocking = NULL, *masters = NULL;
	int error;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(o, SCRVAULT_CASE_CONCLUDE_OPTIONS_VERSION, "scrvault_case_conclude_options")) < 0)
		return error;
	ref = o->ref;
	ap = o->action_plan_approved_on;
	ofsted = o->ofsted_approved_on;
	if ((error = sv_authorize(v, "case.conclude", SV_ABOUT(.caseref = ref))) < 0)
		return error;
	sv_today(now);
	if (!ap || !ofsted)
		return sv_error_field(SCRVAULT_EUSAGE, !ap ? "action_plan_approved_on" : "ofsted_approved_on",
				      "a case concludes once its action plan is approved by the LSCB and by Ofsted: "
				      "give both dates (not in the future)");
	if ((error = sv_date_check("action_plan_approved_on", "the action plan's approval", ap, SV_DATE_PAST,
				   NULL, NULL)) < 0 ||
	    (error = sv_date_check("ofsted_approved_on", "Ofsted's approval", ofsted, SV_DATE_PAST, NULL, NULL)) < 0)
		return error;
	if ((error = sv_db_text_int(concluded, sizeof(concluded), &case_id, v->db,
				    "SELECT coalesce(concluded_on, ''), id FROM cases WHERE ref = ?", "t", ref)) < 0)
		return error;
	if (!case_id)
		return sv_error(SCRVAULT_ENOTFOUND, SV_NOT_FOUND_CASE, ref);
	if ((error = case_dates_after(v, case_id, "action_plan_approved_on", "the action plan's approval", ap)) < 0 ||
	    (error = case_dates_after(v, case_id, "ofsted_approved_on", "Ofsted's approval", ofsted)) < 0)
		return error;
	if (concluded[0])
		return sv_error(SCRVAULT_ECONFLICT, "case '%s' concluded on %s", ref, concluded);
	if ((error = case_is_review(v, case_id, ref, "concluded")) < 0)
		return error;
	if (o->n_masters > 1000 || (o->n_masters && !o->masters))
		return sv_error_field(SCRVAULT_EUSAGE, "masters", "name each master as DOC@VERSION");
	if (o->n_masters && !(named = calloc(o->n_masters, sizeof(*named))))
		return sv_error(SCRVAULT_ERROR, "out of memory");
	if ((error = named_masters(named, v, ref, o->masters, o->n_masters)) < 0) {
		free(named);
		return error;
	}
	/*
	 * Every hard copy must be back and destroyed first (000 §11.9); an
	 * electronic release must have ended: deleted (destroyed), or
	 * transferred to a body that keeps it under its own retention.
	 */
	if ((error = sv_rows_json(&blocking, v->db, SV_COLS({ "copy", SV_COL_INT }, { "doc", SV_COL_TEXT },
				  { "version", SV_COL_INT }, { "kind", SV_COL_TEXT }, { "number", SV_COL_INT },
				  { "state", SV_COL_TEXT }, { "holder", SV_COL_TEXT }, { "contact", SV_COL_TEXT }),
				  NULL, NULL, "SELECT c.id, c.doc_id, c.version, c.kind, coalesce(c.number, 0), c.state,"
				  " NULLIF(coalesce(p.name, c.ext_name, ''), ''), NULLIF(coalesce(c.contact, ''), '')"
				  " FROM copies c JOIN documents d ON d.id = c.doc_id LEFT JOIN principals p ON p.id = c.holder_id"
				  " WHERE d.case_id = ? AND c.state <> 'destroyed' AND NOT (c.kind = 'electronic' AND c.state = 'transferred')"
				  " ORDER BY c.id", "i", case_id)) < 0)
		return error;
	if (sv_json_count(blocking)) {
		size_t n = sv_json_count(blocking);

		if ((error = sv_json_new(out, SV_FIELDS(SV_VAL("blocking", blocking)))) < 0) {
			sv_json_free(blocking);
			return error;
		}
		sv_json_free(blocking);
		free(named);
		sv_error(SCRVAULT_ECONFLICT, "case '%s' cannot conclude: %zu cop%s of its documents %s not ended "
			 "(recall them: 'scrvault copy recall %s'; return and destroy each paper copy; record each "
			 "electronic one as destroyed, or as transferred to a body that keeps it: 'copy transfer')",
			 ref, n, n == 1 ? "y" : "ies", n == 1 ? "is" : "are", ref);
		return sv_audit_denied(v, "case.conclude", SV_ABOUT(.caseref = ref),
				       SV_FIELDS(SV_INT("copies_outstanding", (int64_t)n)), SCRVAULT_ECONFLICT);
	}
	sv_json_free(blocking);
	if ((error = sv_vault_begin(v)) < 0) {
		free(named);
		return error;
	}
	/* Its masters are fixed (the named ones first) and the case frozen (records/master.c). */
	if ((error = sv_db_run(v->db, "UPDATE cases SET concluded_on = ?, action_plan_approved_on = ?, ofsted_approved_on = ?,"
			       " status = 'concluded' WHERE id = ?", "ttti", now, ap, ofsted, case_id)) < 0)
		goto fail;
	for (size_t i = 0; i < o->n_masters; i++) {
		char when[21];

		sv_time_iso(when, sv_now());
		if ((error = sv_db_run(v->db, "UPDATE documents SET master_version = ?, master_basis = '"
				       SV_MASTER_CONCLUDED "', master_at = ?, master_by = ? WHERE id = ?", "itit",
				       (int64_t)o->masters[i].version, when, v->principal_id, named[i])) < 0)
			goto fail;
	}
	free(named);
	named = NULL;
	if ((error = sv_case_fix_masters(&masters, v, case_id)) < 0)
		goto fail;
	if ((error = sv_vault_finish(v, "case.conclude", SV_ABOUT(.caseref = ref),
				     SV_FIELDS(SV_STR("concluded_on", now), SV_STR("action_plan_approved_on", ap),
					       SV_STR("ofsted_approved_on", ofsted), SV_VAL("masters", masters)))) < 0) {
		sv_json_free(masters);
		return error;
	}
	error = sv_json_new(out, SV_FIELDS(SV_STR("case", ref), SV_STR("concluded_on", now), SV_VAL("masters", masters)));
	sv_json_free(masters);
	return error;
fail:
	free(named);
	return sv_vault_fail(v, error);
}

/* ---- publication -------------------------------------------------------------------------------- */

int sv_case_publish_txn(scrvault *v, const char *ref, const char *on, const char *override_reason,
			const char *gates, const char *dual)
{
	int64_t changed = 0;
	int error;

	if ((error = sv_db_run(v->db, "UPDATE cases SET published_on = ?, publish_override = ? WHERE ref = ?", "ttt",
			       on, override_reason, ref)) < 0 ||
	    (error = sv_db_int(&changed, v->db, "SELECT changes()", "")) < 0)
		return error;
	if (changed != 1)
		return sv_error(SCRVAULT_ENOTFOUND, SV_NOT_FOUND_CASE, ref);
	/* the override's reason is free text: it stays in the database */
	return sv_audit_append(v, "case.publish", "ok", SV_ABOUT(.caseref = ref),
			       SV_FIELDS(SV_STR("published_on", on), SV_OPT("overridden", gates),
					 SV_OPT("dual_control", dual)));
}

/*
 * What stops case `case_id` being published now, as fixed words for the
 * audit entry (`gates`, "" if nothing) and as a message with the fix
 * (`msg`).  000 §5.46, §6.3: not before coronial or criminal proceedings
 * have concluded; §5.43: the executive summary is what is published, so
 * it is the version the Board approved: declared, or fixed at conclusion.
 */
static int publish_gates(char *gates, size_t glen, char *msg, size_t mlen, scrvault *v, const char *ref,
			 int64_t case_id)
{
	char hold[64] = "";
	int64_t summaries = 0;
	int error;

	gates[0] = msg[0] = '\0';
	if ((error = sv_hold_stops_publication(hold, sizeof(hold), v, case_id)) < 0 ||
	    (error = sv_db_int(&summaries, v->db, "SELECT count(*) FROM documents d JOIN versions ve"
			       " ON ve.doc_id = d.id AND ve.version = d.master_version"
			       " WHERE d.case_id = ? AND d.class = 'executive-summary' AND ve.state = 'live'"
			       " AND d.master_basis IN ('" SV_MASTER_DECLARED "', '" SV_MASTER_CONCLUDED "')",
			       "i", case_id)) < 0)
		return error;
	if (hold[0]) {
		snprintf(gates, glen, "%s", strstr(hold, "coroner") ? "coroner hold" : "criminal-proceedings hold");
		snprintf(msg, mlen, "the case is under %s: an executive summary is published only once criminal "
			 "and coroner's proceedings have concluded (000 §5.46); release the hold when they have "
			 "('scrvault hold release'), or a custodian overrides it with a reason (dual control)", hold);
	}
	if (!summaries) {
		size_t g = strlen(gates), m = strlen(msg);

		snprintf(gates + g, glen - g, "%sno executive summary", g ? ", " : "");
		snprintf(msg + m, mlen - m, "%scase '%s' has no executive summary declared: check in the one the "
			 "Board approved ('scrvault doc checkin --case %s --class executive-summary ...') and declare "
			 "that version its master ('scrvault doc declare DOC@VERSION') before recording its "
			 "publication%s", m ? "; and " : "", ref, ref,
			 m ? "" : ", or a custodian overrides it with a reason (dual control)");
	}
	return 0;
}

int scrvault_case_publish_ext(scrvault_json **out, scrvault *v, const scrvault_case_publish_options *o)
{
	char gates[96], msg[768];
	int64_t case_id = 0;
	sv_dual mode;
	int error;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(o, SCRVAULT_CASE_PUBLISH_OPTIONS_VERSION, "scrvault_case_publish_options")) < 0 ||
	    (error = sv_authorize(v, "case.publish", SV_ABOUT(.caseref = o->ref))) < 0)
		return error;
	if (!o->on)
		return sv_error_field(SCRVAULT_EUSAGE, "on", "give the day the executive summary was published "
				      "(YYYY-MM-DD, not in the future)");
	if ((error = sv_date_check("on", "the day of publication", o->on, SV_DATE_PAST, NULL, NULL)) < 0)
		return error;
	if (o->override_reason && !*o->override_reason)
		return sv_error_field(SCRVAULT_EUSAGE, "override_reason", "an override needs its reason");
	if ((error = sv_db_int(&case_id, v->db, "SELECT id FROM cases WHERE ref = ?", "t", o->ref)) < 0)
		return error;
	if (!case_id)
		return sv_error(SCRVAULT_ENOTFOUND, SV_NOT_FOUND_CASE, o->ref);
	if ((error = case_dates_after(v, case_id, "on", "the day of publication", o->on)) < 0 ||
	    (error = case_is_review(v, case_id, o->ref, "published")) < 0)
		return error;
	if ((error = publish_gates(gates, sizeof(gates), msg, sizeof(msg), v, o->ref, case_id)) < 0)
		return error;
	if (!gates[0] && o->override_reason)
		return sv_error_field(SCRVAULT_EUSAGE, "override_reason", "nothing stops the publication of case "
				      "'%s': record it without an override", o->ref);
	if (gates[0] && !o->override_reason) {
		sv_error_field(SCRVAULT_ECONFLICT, "override_reason", "case '%s' cannot be published: %s", o->ref, msg);
		return sv_audit_denied(v, "case.publish", SV_ABOUT(.caseref = o->ref),
				       SV_FIELDS(SV_STR("reason", gates)), SCRVAULT_ECONFLICT);
	}
	if (gates[0] && !v->custodian) {
		sv_error_field(SCRVAULT_EDENIED, "override_reason", "only a custodian can override what stops a "
			       "publication (%s)", gates);
		return sv_audit_denied(v, "case.publish-override", SV_ABOUT(.caseref = o->ref),
				       SV_FIELDS(SV_STR("reason", "not a custodian"), SV_STR("gates", gates)),
				       SCRVAULT_EDENIED);
	}
	mode = gates[0] ? sv_dual_mode(v, sv_dual_required(v, "case.publish-override")) : SV_DUAL_NO;
	if (mode == SV_DUAL_HOLD)
		return sv_op_request(out, v, "case.publish-override", NULL,
				     SV_FIELDS(SV_STR("case", o->ref), SV_STR("on", o->on),
					       SV_STR("reason", o->override_reason), SV_STR("gates", gates)));
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_case_publish_txn(v, o->ref, o->on, gates[0] ? o->override_reason : NULL,
					 gates[0] ? gates : NULL, SV_DUAL_DETAIL(mode))) < 0 ||
	    (error = sv_vault_commit(v)) < 0) {
		sv_vault_abort(v);
		return error;
	}
	return sv_json_new(out, SV_FIELDS(SV_STR("case", o->ref), SV_STR("published_on", o->on),
					  SV_OPT("overridden", gates[0] ? gates : NULL)));
}

int scrvault_case_publish(scrvault *v, const char *ref, const char *on)
{
	scrvault_case_publish_options o = SCRVAULT_CASE_PUBLISH_OPTIONS_INIT;
	scrvault_json *j = NULL;
	int error;

	o.ref = ref;
	o.on = on;
	error = scrvault_case_publish_ext(&j, v, &o);
	sv_json_free(j);
	return error;
}
