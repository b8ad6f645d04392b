/*
 * referral.c - referrals and decisions (000 §5.7; 001 Introduction,
 * Appendix 1): the first stage of a case record.  A referral makes its case
 * (status 'referred', review type 'undecided'); the sub-committee's
 * recommendation and the LSCB chair's decision are recorded with their
 * rationales checked in as documents of the case; the decision opens the
 * case ('open', its review type and decision date) or keeps it as
 * 'no-review'; each notification sent is recorded once per recipient.
 *
 * Never in the audit log: the notifier's name, the summary, the title (they
 * stay in the encrypted database).  The entries carry the case reference,
 * the dates (received_on, recommended_on, decided_on, sent_on), the review
 * and the notifier's agency: the milestones a timeline reads.
 *
 * Every check that can refuse runs before anything is written (the rationale
 * and the form go through doc.c's one check-in path, whose store writes come
 * first): a refused step leaves the vault as it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "records/doc.h"
#include "records/due.h"
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

/* What a decision may be; the first three are review types (cases.review_type). */
static const char *const reviews[] = { "scr", "sir", "interagency", "none", NULL };

static const char *const recipients[] = { "ofsted", "dfe", "national-panel", "notifier", NULL };

/* A file to check in must be there to read: refused before anything is written. */
static int readable_file(const char *field, const char *what, const char *path)
{
	struct stat sb;

	if (!path || !*path)
		return sv_error_field(SCRVAULT_EUSAGE, field, "give %s: a file to check in", what);
	if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode) || access(path, R_OK) < 0)
		return sv_error_field(SCRVAULT_EUSAGE, field, "cannot read '%s' (%s): give a readable file", path, what);
	return 0;
}

/* A referral's state, read before a step is checked. */
typedef struct {
	int64_t case_id;
	bool referral;
	char status[16], received[11], recommended[16], recommended_on[11], decision[16], decided_on[11];
} ref_state;

static void copy_text(char *dst, size_t len, sv_stmt *st, int col)
{
	const char *s = sv_stmt_text(st, col);

	snprintf(dst, len, "%s", s ? s : "");
}

/* The case `ref` and its referral: ENOTFOUND for no case, or a case without one. */
static int load_state(ref_state *rs, scrvault *v, const char *ref)
{
	sv_stmt *st = NULL;
	int error;

	memset(rs, 0, sizeof(*rs));
	if ((error = sv_db_query(&st, v->db, "SELECT c.id, c.status, c.received_on, r.case_id IS NOT NULL,"
				 " r.recommended, r.recommended_on, r.decision, r.decided_on FROM cases c"
				 " LEFT JOIN referrals r ON r.case_id = c.id WHERE c.ref = ?", "t", ref)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1) {
		rs->case_id = sv_stmt_int(st, 0);
		copy_text(rs->status, sizeof(rs->status), st, 1);
		copy_text(rs->received, sizeof(rs->received), st, 2);
		rs->referral = sv_stmt_int(st, 3) != 0;
		copy_text(rs->recommended, sizeof(rs->recommended), st, 4);
		copy_text(rs->recommended_on, sizeof(rs->recommended_on), st, 5);
		copy_text(rs->decision, sizeof(rs->decision), st, 6);
		copy_text(rs->decided_on, sizeof(rs->decided_on), st, 7);
	}
	sv_stmt_free(st);
	if (error < 0)
		return error;
	if (!rs->case_id)
		return sv_error(SCRVAULT_ENOTFOUND, SV_NOT_FOUND_CASE, ref);
	if (!rs->referral)
		return sv_error(SCRVAULT_ENOTFOUND, "case '%s' has no referral (it was opened with 'case open', "
				"not 'referral new')", ref);
	return 0;
}

/* ---- referral new ---------------------------------------------------------------------------- */

typedef struct {
	const scrvault_referral_spec *s;
	char when[21];
	char form[SV_DOC_ID_LEN + 1];
	unsigned form_version;
} new_ctx;

/* The case and its referral row, in the transaction. */
static int new_rows(int64_t *case_id, scrvault *v, void *arg)
{
	new_ctx *c = arg;
	const scrvault_referral_spec *s = c->s;
	int error;

	error = sv_db_run(v->db, "INSERT INTO cases(ref, title, review_type, subject_dob, received_on, status,"
			  " opened_at, opened_by) VALUES (?, ?, 'undecided', ?, ?, 'referred', ?, ?)", "ttttti",
			  s->ref, s->title, s->subject_dob, s->received_on, c->when, v->principal_id);
	if (error == SCRVAULT_ECONFLICT)
		return sv_error(SCRVAULT_ECONFLICT, "case '%s' already exists", s->ref);
	if (error < 0 || (error = sv_db_int(case_id, v->db, "SELECT id FROM cases WHERE ref = ?", "t", s->ref)) < 0)
		return error;
	return sv_db_run(v->db, "INSERT INTO referrals(case_id, notifier, notifier_agency, summary, recorded_at,"
			 " recorded_by) VALUES (?, ?, ?, ?, ?, ?)", "itttti", *case_id, s->notifier,
			 s->notifier_agency, s->summary, c->when, v->principal_id);
}

/* The form's id on the referral, and the referral's entry. */
static int new_entry(scrvault *v, void *arg, const char *doc, unsigned version)
{
	new_ctx *c = arg;

	int error;

	if (doc) {
		snprintf(c->form, sizeof(c->form), "%s", doc);
		c->form_version = version;
		if ((error = sv_db_run(v->db, "UPDATE referrals SET form_doc = ? WHERE case_id = (SELECT id FROM cases"
				       " WHERE ref = ?)", "tt", doc, c->s->ref)) < 0)
			return error;
	}
	return sv_audit_append(v, "referral.new", "ok", SV_ABOUT(.caseref = c->s->ref, .doc = doc, .version = version),
			       SV_FIELDS(SV_STR("received_on", c->s->received_on),
					 SV_STR("notifier_agency", c->s->notifier_agency),
					 SV_IF(doc, SV_STR("form_class", "notification-form"))));
}

int scrvault_referral_new(scrvault_json **out, scrvault *v, const scrvault_referral_spec *s)
{
	new_ctx c;
	int64_t exists = 0;
	sv_json *docs = NULL;
	int error;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(s, SCRVAULT_REFERRAL_SPEC_VERSION, "scrvault_referral_spec")) < 0 ||
	    (error = sv_authorize(v, "referral.new", SV_ABOUT(.caseref = s->ref))) < 0)
		return error;
	if (!sv_ref_valid(s->ref))
		return sv_error_field(SCRVAULT_EUSAGE, "ref", "case reference '%s' is not valid: use 1-32 of "
				      "A-Z a-z 0-9 -, like SCR-2026-03", s->ref ? s->ref : "");
	if (!s->title || !*s->title)
		return sv_error_field(SCRVAULT_EUSAGE, "title", "a referral's case needs a title");
	if (!s->notifier || !*s->notifier)
		return sv_error_field(SCRVAULT_EUSAGE, "notifier", "say who notified the Board (their name)");
	if (!s->notifier_agency || !*s->notifier_agency)
		return sv_error_field(SCRVAULT_EUSAGE, "notifier_agency", "say which agency notified the Board "
				      "(police, health, children's social care, ...)");
	if (!s->received_on)
		return sv_error_field(SCRVAULT_EUSAGE, "received_on", "give the day the referral was received "
				      "(YYYY-MM-DD): the decision is due within a month of it");
	if ((error = sv_text_check_all(SV_TEXTS(SV_TEXT("title", s->title), SV_TEXT("notifier", s->notifier),
						SV_TEXT("notifier_agency", s->notifier_agency),
						SV_TEXT_NOTE("summary", s->summary)))) < 0)
		return error;
	if ((error = sv_date_check("subject_dob", "the subject's date of birth", s->subject_dob, SV_DATE_PAST,
				   NULL, NULL)) < 0 ||
	    (error = sv_date_check("received_on", "the day the referral was received", s->received_on, SV_DATE_PAST,
				   s->subject_dob, "the subject's date of birth")) < 0)
		return error;
	if (s->form_path && (error = readable_file("form_path", "the notification form", s->form_path)) < 0)
		return error;
	if ((error = sv_db_int(&exists, v->db, "SELECT count(*) FROM cases WHERE ref = ?", "t", s->ref)) < 0)
		return error;
	if (exists)
		return sv_error(SCRVAULT_ECONFLICT, "case '%s' already exists", s->ref);

	memset(&c, 0, sizeof(c));
	c.s = s;
	sv_time_iso(c.when, sv_now());
	if (s->form_path) {
		scrvault_checkin_spec cs = SCRVAULT_CHECKIN_SPEC_INIT;
		scrvault_checkin_file f = { s->form_path, NULL, "Notification form" };

		cs.case_ref = s->ref;
		cs.doc_class = "notification-form";
		cs.agency = s->notifier_agency;
		if ((error = sv_doc_checkin_new_case(&docs, v, &cs, &f, 1, new_rows, new_entry, &c)) < 0)
			return error;
		sv_json_free(docs);
	} else {
		int64_t case_id = 0;

		if ((error = sv_vault_begin(v)) < 0)
			return error;
		if ((error = new_rows(&case_id, v, &c)) < 0 || (error = new_entry(v, &c, NULL, 0)) < 0 ||
		    (error = sv_vault_commit(v)) < 0)
			return sv_vault_fail(v, error);
	}
	return sv_json_new(out, SV_FIELDS(SV_STR("case", s->ref), SV_STR("received_on", s->received_on),
					  SV_IF(c.form[0], SV_SUB("form", SV_FIELDS(SV_STR("doc", c.form),
										     SV_INT("version", c.form_version))))));
}

/* ---- recommendation and decision --------------------------------------------------------------- */

typedef struct {
	const scrvault_referral_decision *d;
	bool decide;
	const char *on;
	int64_t case_id;
	char doc[SV_DOC_ID_LEN + 1];
	unsigned version;
} decision_ctx;

/* The recommendation or decision on the referral (and the case), and its entry. */
static int decision_entry(scrvault *v, void *arg, const char *doc, unsigned version)
{
	decision_ctx *c = arg;
	const char *review = c->d->review;
	bool opens = strcmp(review, "none") != 0;
	int64_t changed = 0;
	int error;

	snprintf(c->doc, sizeof(c->doc), "%s", doc);
	c->version = version;
	/* Once each: another session may have recorded it since the checks. */
	if (!c->decide)
		error = sv_db_run(v->db, "UPDATE referrals SET recommended = ?, recommended_on = ?, recommendation_doc = ?,"
				  " recommended_by = ? WHERE case_id = ? AND recommended IS NULL AND decision IS NULL",
				  "tttii", review, c->on, doc, v->principal_id, c->case_id);
	else
		error = sv_db_run(v->db, "UPDATE referrals SET decision = ?, decided_on = ?, decision_doc = ?,"
				  " decided_by = ? WHERE case_id = ? AND decision IS NULL AND recommended IS NOT NULL",
				  "tttii", review, c->on, doc, v->principal_id, c->case_id);
	if (error < 0 || (error = sv_db_int(&changed, v->db, "SELECT changes()", "")) < 0)
		return error;
	if (changed != 1)
		return sv_error(SCRVAULT_ECONFLICT, "the referral of case '%s' changed meanwhile: see 'scrvault "
				"referral show %s'", c->d->ref, c->d->ref);
	if (c->decide &&
	    (error = sv_db_run(v->db, "UPDATE cases SET status = ?, review_type = ?, decision_date = ? WHERE id = ?",
			       "ttti", opens ? "open" : "no-review", review, c->on, c->case_id)) < 0)
		return error;
	return sv_audit_append(v, c->decide ? "referral.decide" : "referral.recommend", "ok",
			       SV_ABOUT(.caseref = c->d->ref, .doc = doc, .version = version),
			       SV_FIELDS(SV_STR("review", review),
					 SV_STR(c->decide ? "decided_on" : "recommended_on", c->on)));
}

static int record_decision(scrvault_json **out, scrvault *v, const scrvault_referral_decision *d, bool decide)
{
	const char *action = decide ? "referral.decide" : "referral.recommend";
	const char *what = decide ? "the decision" : "the recommendation";
	char today[11];
	decision_ctx c;
	ref_state rs;
	sv_json *docs = NULL;
	scrvault_checkin_spec cs = SCRVAULT_CHECKIN_SPEC_INIT;
	scrvault_checkin_file f = { NULL, NULL, NULL };
	int error;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(d, SCRVAULT_REFERRAL_DECISION_VERSION, "scrvault_referral_decision")) < 0 ||
	    (error = sv_authorize(v, action, SV_ABOUT(.caseref = d->ref))) < 0)
		return error;
	if (!sv_text_one_of(d->review, reviews))
		return sv_error_field(SCRVAULT_EUSAGE, "review", "say which review: scr (serious case review), sir "
				      "(serious incident review), interagency (interagency management review) or "
				      "none (no further action)");
	if ((error = readable_file("rationale_path", decide ? "the chair's rationale" : "the sub-committee's rationale",
				   d->rationale_path)) < 0)
		return error;
	sv_today(today);
	memset(&c, 0, sizeof(c));
	c.d = d;
	c.decide = decide;
	c.on = d->on ? d->on : today;
	if ((error = sv_date_check("on", what, c.on, SV_DATE_PAST, NULL, NULL)) < 0 ||
	    (error = load_state(&rs, v, d->ref)) < 0)
		return error;
	c.case_id = rs.case_id;
	if (rs.decision[0])
		return sv_error(SCRVAULT_ECONFLICT, "the referral of case '%s' was decided on %s (%s): a decision is "
				"recorded once", d->ref, rs.decided_on, rs.decision);
	if (!decide && rs.recommended[0])
		return sv_error(SCRVAULT_ECONFLICT, "the sub-committee recommended %s for case '%s' on %s: a "
				"recommendation is recorded once", rs.recommended, d->ref, rs.recommended_on);
	if (decide && !rs.recommended[0])
		return sv_error(SCRVAULT_ECONFLICT, "case '%s' has no recommendation yet: the SCR sub-committee "
				"recommends first ('scrvault referral recommend %s'), then the chair decides", d->ref,
				d->ref);
	if ((error = sv_date_check("on", what, c.on, SV_DATE_ANY, rs.received, "the day the referral was received")) < 0 ||
	    (decide && (error = sv_date_check("on", what, c.on, SV_DATE_ANY, rs.recommended_on,
					      "the sub-committee's recommendation")) < 0))
		return error;
	cs.case_ref = d->ref;
	cs.doc_class = "decision-rationale";
	f.path = d->rationale_path;
	f.title = decide ? "Decision rationale (LSCB chair)" : "Recommendation rationale (SCR sub-committee)";
	if ((error = sv_doc_checkin(&docs, v, &cs, &f, NULL, 1, decision_entry, &c)) < 0)
		return error;
	sv_json_free(docs);
	return sv_json_new(out, SV_FIELDS(SV_STR("case", d->ref), SV_STR("review", d->review),
					  SV_STR(decide ? "decided_on" : "recommended_on", c.on),
					  SV_IF(decide, SV_STR("status", strcmp(d->review, "none") ? "open" : "no-review")),
					  SV_SUB("rationale", SV_FIELDS(SV_STR("doc", c.doc), SV_INT("version", c.version)))));
}

int scrvault_referral_recommend(scrvault_json **out, scrvault *v, const scrvault_referral_decision *d)
{
	return record_decision(out, v, d, false);
}

int scrvault_referral_decide(scrvault_json **out, scrvault *v, const scrvault_referral_decision *d)
{
	return record_decision(out, v, d, true);
}

/* ---- notifications ----------------------------------------------------------------------------- */

int scrvault_referral_notify(scrvault_json **out, scrvault *v, const scrvault_referral_notice *n)
{
	char when[21], sent[11] = "";
	int64_t found = 0;
	ref_state rs;
	int error;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(n, SCRVAULT_REFERRAL_NOTICE_VERSION, "scrvault_referral_notice")) < 0 ||
	    (error = sv_authorize(v, "referral.notify", SV_ABOUT(.caseref = n->ref))) < 0)
		return error;
	if (!sv_text_one_of(n->to, recipients))
		return sv_error_field(SCRVAULT_EUSAGE, "to", "say who was notified: ofsted, dfe, national-panel or "
				      "notifier");
	if (!n->on)
		return sv_error_field(SCRVAULT_EUSAGE, "on", "give the day the notification was sent (YYYY-MM-DD)");
	if ((error = sv_date_check("on", "the notification", n->on, SV_DATE_PAST, NULL, NULL)) < 0 ||
	    (error = load_state(&rs, v, n->ref)) < 0 ||
	    (error = sv_date_check("on", "the notification", n->on, SV_DATE_ANY, rs.received,
				   "the day the referral was received")) < 0)
		return error;
	/* The notifier is told what was decided (001 Appendix 1). */
	if (!strcmp(n->to, "notifier")) {
		if (!rs.decision[0])
			return sv_error(SCRVAULT_ECONFLICT, "the notifier is told the decision, and case '%s' has "
					"none yet ('scrvault referral decide')", n->ref);
		if ((error = sv_date_check("on", "the notification", n->on, SV_DATE_ANY, rs.decided_on,
					   "the decision")) < 0)
			return error;
	}
	if ((error = sv_db_text_int(sent, sizeof(sent), &found, v->db, "SELECT sent_on, 1 FROM referral_notices"
				    " WHERE case_id = ? AND recipient = ?", "it", rs.case_id, n->to)) < 0)
		return error;
	if (found)
		return sv_error(SCRVAULT_ECONFLICT, "%s was notified of case '%s' on %s: each notification is "
				"recorded once", n->to, n->ref, sent);
	sv_time_iso(when, sv_now());
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_db_run(v->db, "INSERT INTO referral_notices(case_id, recipient, sent_on, recorded_at,"
			       " recorded_by) VALUES (?, ?, ?, ?, ?)", "ittti", rs.case_id, n->to, n->on,
			       when, v->principal_id)) < 0)
		return sv_vault_fail(v, error);
	if ((error = sv_vault_finish(v, "referral.notify", SV_ABOUT(.caseref = n->ref),
				     SV_FIELDS(SV_STR("to", n->to), SV_STR("sent_on", n->on)))) < 0)
		return error;
	return sv_json_new(out, SV_FIELDS(SV_STR("case", n->ref), SV_STR("to", n->to), SV_STR("sent_on", n->on)));
}

/* ---- listing and showing ----------------------------------------------------------------------- */

#define REFERRAL_COLUMNS SV_COLS({ "case", SV_COL_TEXT }, { "status", SV_COL_TEXT }, \
	{ "received_on", SV_COL_TEXT }, { "notifier_agency", SV_COL_TEXT }, { "recommended", SV_COL_TEXT }, \
	{ "recommended_on", SV_COL_TEXT }, { "decision", SV_COL_TEXT }, { "decided_on", SV_COL_TEXT }, \
	{ "notified", SV_COL_INT }, { "title", SV_COL_TEXT })
#define REFERRAL_SELECT "SELECT c.ref, c.status, c.received_on, r.notifier_agency, r.recommended," \
	" r.recommended_on, r.decision, r.decided_on," \
	" (SELECT count(*) FROM referral_notices n WHERE n.case_id = c.id), c.title" \
	" FROM referrals r JOIN cases c ON c.id = r.case_id"

typedef struct {
	scrvault *v;
	scrvault_row_fn fn;
	void *ctx;
} list_sink;

static int list_row(void *ctx, sv_stmt *st)
{
	list_sink *k = ctx;
	sv_json *o;
	int error;

	if (!sv_authz_sees(k->v, "referral.read", sv_stmt_text(st, 0), NULL, NULL))
		return 0;
	if (!(o = sv_row_json(st, REFERRAL_COLUMNS)))
		return SCRVAULT_ERROR;
	error = k->fn(k->ctx, o);
	sv_json_free(o);
	return error < 0 ? error : 0;
}

int scrvault_referral_list_each(scrvault *v, const scrvault_referral_filter *f, scrvault_row_fn row, void *ctx)
{
	list_sink k = { v, row, ctx };
	const char *where = "";
	char sql[768];
	int error;

	if (!row)
		return sv_error(SCRVAULT_EUSAGE, "a referral listing needs a function for the rows");
	if (f && (error = SV_STRUCT_CHECK(f, SCRVAULT_REFERRAL_FILTER_VERSION, "scrvault_referral_filter")) < 0)
		return error;
	if (f && f->status) {
		if (!strcmp(f->status, "referred"))
			where = " WHERE r.decision IS NULL";
		else if (!strcmp(f->status, "decided"))
			where = " WHERE r.decision IN ('scr', 'sir', 'interagency')";
		else if (!strcmp(f->status, "none"))
			where = " WHERE r.decision = 'none'";
		else
			return sv_error_field(SCRVAULT_EUSAGE, "status", "list referrals by status: referred (not "
					      "decided yet), decided (a review decided) or none (no further action)");
	}
	if ((error = sv_authorize(v, "referral.read", NULL)) < 0)
		return error;
	snprintf(sql, sizeof(sql), "%s%s ORDER BY c.received_on, c.ref", REFERRAL_SELECT, where);
	return sv_db_each(v->db, list_row, &k, sql, "");
}

static int collect_row(void *ctx, const scrvault_json *row)
{
	return sv_json_append(ctx, sv_json_copy(row));
}

int scrvault_referral_list(scrvault_json **out, scrvault *v, const scrvault_referral_filter *f)
{
	sv_json *arr;
	int error;

	*out = NULL;
	if (!(arr = sv_json_array()))
		return SCRVAULT_ERROR;
	if ((error = scrvault_referral_list_each(v, f, collect_row, arr)) < 0) {
		sv_json_free(arr);
		return error;
	}
	*out = arr;
	return 0;
}

int scrvault_referral_show(scrvault_json **out, scrvault *v, const char *ref)
{
	sv_json *r = NULL, *notes = NULL, *docs = NULL;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "referral.read", SV_ABOUT(.caseref = ref))) < 0)
		return error;
	if ((error = sv_row_one_json(&r, v->db, SV_COLS({ "case", SV_COL_TEXT }, { "title", SV_COL_TEXT },
				     { "status", SV_COL_TEXT }, { "review_type", SV_COL_TEXT },
				     { "subject_dob", SV_COL_TEXT }, { "received_on", SV_COL_TEXT },
				     { "notifier", SV_COL_TEXT }, { "notifier_agency", SV_COL_TEXT },
				     { "summary", SV_COL_TEXT }, { "form", SV_COL_TEXT },
				     { "recommended", SV_COL_TEXT }, { "recommended_on", SV_COL_TEXT },
				     { "recommendation_rationale", SV_COL_TEXT }, { "recommended_by", SV_COL_TEXT },
				     { "decision", SV_COL_TEXT }, { "decided_on", SV_COL_TEXT },
				     { "decision_rationale", SV_COL_TEXT }, { "decided_by", SV_COL_TEXT },
				     { "recorded_by", SV_COL_TEXT }),
				     "SELECT c.ref, c.title, c.status, c.review_type, c.subject_dob, c.received_on,"
				     " r.notifier, r.notifier_agency, r.summary, r.form_doc, r.recommended, r.recommended_on,"
				     " r.recommendation_doc, (SELECT name FROM principals WHERE id = r.recommended_by),"
				     " r.decision, r.decided_on, r.decision_doc,"
				     " (SELECT name FROM principals WHERE id = r.decided_by),"
				     " (SELECT name FROM principals WHERE id = r.recorded_by)"
				     " FROM referrals r JOIN cases c ON c.id = r.case_id WHERE c.ref = ?", "t", ref)) < 0)
		return error;
	if (!r) {
		int64_t exists = 0;

		if ((error = sv_db_int(&exists, v->db, "SELECT count(*) FROM cases WHERE ref = ?", "t", ref)) < 0)
			return error;
		return exists ? sv_error(SCRVAULT_ENOTFOUND, "case '%s' has no referral (it was opened with 'case "
					 "open', not 'referral new')", ref)
			      : sv_error(SCRVAULT_ENOTFOUND, SV_NOT_FOUND_CASE, ref);
	}
	if ((error = sv_rows_json(&notes, v->db, SV_COLS({ "to", SV_COL_TEXT }, { "sent_on", SV_COL_TEXT },
				  { "recorded_by", SV_COL_TEXT }), NULL, NULL,
				  "SELECT n.recipient, n.sent_on, p.name FROM referral_notices n JOIN cases c ON c.id = n.case_id"
				  " JOIN principals p ON p.id = n.recorded_by WHERE c.ref = ? ORDER BY n.sent_on, n.recipient",
				  "t", ref)) < 0 ||
	    (error = sv_json_set(r, "notifications", notes)) < 0 ||
	    (error = scrvault_doc_list(&docs, v, ref)) < 0 ||
	    (error = sv_json_set(r, "document_list", docs)) < 0) {
		sv_json_free(r);
		return error;
	}
	*out = r;
	return 0;
}

/* ---- the agenda's source ------------------------------------------------------------------------- */

/* Referrals with no recommendation yet, from the day received (records/due.h). */
static int referral_due_row(void *ctx, sv_stmt *st)
{
	const sv_due_sink *s = ctx;
	const char *ref = sv_stmt_text(st, 0);
	char what[192], cmd[256];
	int error;

	snprintf(what, sizeof(what), "referral %s: awaiting the sub-committee's recommendation", ref);
	snprintf(cmd, sizeof(cmd), "scrvault referral recommend --review scr|sir|interagency|none --rationale FILE %s",
		 ref);
	error = s->fn(s->ctx, &(sv_due){ .due_on = sv_stmt_text(st, 1), .caseref = ref, .id = ref, .what = what,
					 .command = cmd });
	return error < 0 ? error : 0;
}

int sv_referral_due(scrvault *v, const char *now, const char *by, sv_due_fn fn, void *ctx)
{
	(void)now;
	return sv_db_each(v->db, referral_due_row, &(sv_due_sink){ fn, ctx }, "SELECT c.ref, c.received_on"
			  " FROM referrals r JOIN cases c ON c.id = r.case_id WHERE r.recommended IS NULL"
			  " AND r.decision IS NULL AND c.received_on <= ? ORDER BY c.received_on, c.ref", "t", by);
}
