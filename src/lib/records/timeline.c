/*
 * timeline.c - a review's statutory clocks in the vault: IMR commissions,
 * extensions, Ofsted's evaluation and the milestones that stop the clocks
 * (each one audit entry carrying its dates), the timeline of one case and
 * the vault-wide list of clocks (scrvault/timeline.h).
 *
 * The rules of the clocks are base/clock.c's; this file only loads a
 * case's facts from the database (load_facts: one query per table, for one
 * case or all of them) and records new ones.  An IMR commission's progress
 * is never stored: COMMISSION_SELECT derives it, in one place, from the
 * versions and sign-offs the vault already holds.
 *
 * It must never write a reason, an author's name or anything else typed
 * by a person into the audit log: details carry dates, kinds, agencies.
 * Milestones stay recordable on a concluded case on purpose: the freeze
 * (records/freeze.c) is about documents, and plan reviews and Ofsted's
 * letters come after conclusion.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scrvault/timeline.h"
#include "records/clocks.h"
#include "records/due.h"
#include "records/signoff.h"
#include "vault/authz.h"
#include "vault/log.h"
#include "vault/policydb.h"
#include "vault/policyfile.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "base/calendar.h"
#include "base/clock.h"
#include "base/common.h"
#include "base/date.h"
#include "base/json.h"
#include "base/text.h"

/* ---- a case's facts ------------------------------------------------------------------------------ */

typedef struct {
	int64_t id;
	char agency[64];
	char *author;
	sv_clock_commission c;
} commission;

typedef struct {
	int64_t id;
	char ref[64];
	int type;			/* sv_review_type_index */
	sv_clock_event received, decision, extension, completed, evaluation;
	sv_clock_event summary_sent, plan_sent, plan_closed;
	int64_t told_on;		/* the latest extension's day Ofsted was told */
	char rating[16];
	bool no_review;			/* a referral undecided, or decided "none" */
	commission *cms;
	size_t ncms, capcms;
	sv_clock_event *reviews;
	size_t nreviews, capreviews;
} facts;

typedef struct {
	facts *f;
	size_t n, cap;
	sv_timescale ts[SV_REVIEW_TYPES][SV_CLOCKS];
	/* Set for one case's timeline: each sign-off is verified again
	 * (records/signoff.c) before it counts; the vault-wide list takes the
	 * sign-offs as recorded (each was verified when it was made). */
	scrvault *verify;
	int verify_error;
} facts_set;

static void facts_free(facts_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		for (size_t j = 0; j < s->f[i].ncms; j++)
			free(s->f[i].cms[j].author);
		free(s->f[i].cms);
		free(s->f[i].reviews);
	}
	free(s->f);
	s->f = NULL;
	s->n = 0;
}

static sv_clock_event day_of(const char *ymd, int64_t seq)
{
	sv_clock_event e = { -1, seq };

	if (ymd && sv_day_parse(&e.day, ymd) < 0)
		e.day = -1;
	return e;
}

/* The case with database id `id` (cases come in id order). */
static facts *find_facts(facts_set *s, int64_t id)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->f[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->f[lo].id == id ? &s->f[lo] : NULL;
}

/*
 * An IMR commission and its progress, derived in one place (imr_row): the
 * draft is the agency's first IMR version checked in for the case on or
 * after the commission day; it is signed off with the first sign-off of
 * such a version.  IMR_SELECT gives every IMR version with its first
 * sign-off, one query for the whole vault.
 */
#define COMMISSION_SELECT \
	"SELECT cm.id, cm.case_id, cm.agency, cm.author, cm.commissioned_on, cm.due_on, cm.audit_seq FROM commissions cm"
#define IMR_SELECT \
	"SELECT d.case_id, d.agency, substr(ve.checked_in_at, 1, 10), substr(s.signed_at, 1, 10), ve.doc_id," \
	" ve.version, s.signed_at FROM documents d JOIN versions ve ON ve.doc_id = d.id LEFT JOIN signoffs s" \
	" ON s.doc_id = ve.doc_id AND s.version = ve.version WHERE d.class = 'imr' AND d.agency IS NOT NULL"

static int case_row(void *ctx, sv_stmt *st)
{
	facts_set *s = ctx;
	facts *f;

	if (sv_grow(&s->f, &s->cap, s->n + 1, sizeof(*s->f), 64) < 0)
		return SCRVAULT_ERROR;
	f = &s->f[s->n++];
	memset(f, 0, sizeof(*f));
	f->id = sv_stmt_int(st, 0);
	snprintf(f->ref, sizeof(f->ref), "%s", sv_stmt_text(st, 1));
	f->type = sv_review_type_index(sv_stmt_text(st, 2));
	/* A referral (status referred) or a decision not to review (no-review,
	 * type "none") has the decision clock alone (records/referral.c). */
	f->no_review = f->type < 0 || (sv_stmt_text(st, 5) && (!strcmp(sv_stmt_text(st, 5), "referred") ||
							      !strcmp(sv_stmt_text(st, 5), "no-review")));
	if (f->type < 0)
		f->type = 0;
	f->received = day_of(sv_stmt_text(st, 3), 0);
	/* The decision's audit entry, when the case came through a referral,
	 * is its referral.decide (found by the timeline: referral_seq). */
	f->decision = day_of(sv_stmt_text(st, 4), 0);
	f->extension = f->completed = f->evaluation = SV_NO_EVENT;
	f->summary_sent = f->plan_sent = f->plan_closed = SV_NO_EVENT;
	f->told_on = -1;
	return 0;
}

static int commission_row(void *ctx, sv_stmt *st)
{
	facts *f = find_facts(ctx, sv_stmt_int(st, 1));
	commission *c;

	if (!f)
		return 0;
	if (sv_grow(&f->cms, &f->capcms, f->ncms + 1, sizeof(*f->cms), 4) < 0)
		return SCRVAULT_ERROR;
	c = &f->cms[f->ncms++];
	memset(c, 0, sizeof(*c));
	c->id = sv_stmt_int(st, 0);
	snprintf(c->agency, sizeof(c->agency), "%s", sv_stmt_text(st, 2));
	if (!(c->author = sv_strdup(sv_stmt_text(st, 3) ? sv_stmt_text(st, 3) : "")))
		return SCRVAULT_ERROR;
	c->c.commissioned = day_of(sv_stmt_text(st, 4), sv_stmt_int(st, 6));
	c->c.due = day_of(sv_stmt_text(st, 5), 0).day;
	c->c.draft = c->c.signed_off = SV_NO_EVENT;
	return 0;
}

/* Whether the sign-off of `doc` version `version` made at `at` verifies. */
static bool signoff_valid(facts_set *s, const char *doc, int64_t version, const char *at)
{
	sv_json *arr = NULL;
	bool ok = false;
	int error;

	if (!s->verify)
		return true;
	if ((error = sv_signoffs(&arr, s->verify, doc)) < 0) {
		s->verify_error = error;
		return false;
	}
	for (size_t i = 0; i < sv_json_count(arr) && !ok; i++) {
		const sv_json *e = sv_json_at(arr, i);
		const char *when = sv_json_str(sv_json_get(e, "signed_at")), *how = sv_json_str(sv_json_get(e, "verification"));

		ok = sv_json_as_int(sv_json_get(e, "version")) == version && when && at && !strcmp(when, at) &&
		     how && !strncmp(how, "valid", 5);
	}
	sv_json_free(arr);
	return ok;
}

/* One IMR version and sign-off (IMR_SELECT): the progress of its agency's commission. */
static int imr_row(void *ctx, sv_stmt *st)
{
	facts_set *set = ctx;
	facts *f = find_facts(ctx, sv_stmt_int(st, 0));
	const char *agency = sv_stmt_text(st, 1);
	int64_t in = day_of(sv_stmt_text(st, 2), 0).day, signed_on = day_of(sv_stmt_text(st, 3), 0).day;
	bool checked = false, valid = false;

	for (size_t i = 0; f && agency && in >= 0 && i < f->ncms; i++) {
		sv_clock_commission *c = &f->cms[i].c;

		if (strcmp(f->cms[i].agency, agency) != 0 || in < c->commissioned.day)
			continue;
		if (c->draft.day < 0 || in < c->draft.day)
			c->draft.day = in;
		if (signed_on >= 0 && (c->signed_off.day < 0 || signed_on < c->signed_off.day)) {
			if (!checked)
				valid = signoff_valid(set, sv_stmt_text(st, 4), sv_stmt_int(st, 5), sv_stmt_text(st, 6)),
				checked = true;
			if (valid)
				c->signed_off.day = signed_on;
		}
	}
	return set->verify_error;
}

static int event_row(void *ctx, sv_stmt *st)
{
	facts *f = find_facts(ctx, sv_stmt_int(st, 0));
	const char *kind = sv_stmt_text(st, 1);
	sv_clock_event e = day_of(sv_stmt_text(st, 2), sv_stmt_int(st, 5));

	if (!f || !kind)
		return 0;
	if (!strcmp(kind, "extension")) {
		if (e.day > f->extension.day) {
			f->extension = e;
			f->told_on = day_of(sv_stmt_text(st, 3), 0).day;
		}
	} else if (!strcmp(kind, "evaluation")) {
		f->evaluation = e;
		snprintf(f->rating, sizeof(f->rating), "%s", sv_stmt_text(st, 4) ? sv_stmt_text(st, 4) : "");
	} else if (!strcmp(kind, "completed")) {
		f->completed = e;
	} else if (!strcmp(kind, "summary-sent")) {
		f->summary_sent = e;
	} else if (!strcmp(kind, "plan-sent")) {
		f->plan_sent = e;
	} else if (!strcmp(kind, "plan-closed")) {
		f->plan_closed = e;
	} else if (!strcmp(kind, "plan-review")) {
		if (sv_grow(&f->reviews, &f->capreviews, f->nreviews + 1, sizeof(*f->reviews), 4) < 0)
			return SCRVAULT_ERROR;
		f->reviews[f->nreviews++] = e;
	}
	return 0;
}

static int timescale_row(void *ctx, sv_stmt *st)
{
	facts_set *s = ctx;
	int k = sv_clock_index(sv_stmt_text(st, 0)), t = sv_review_type_index(sv_stmt_text(st, 1));
	const char *anchor = sv_stmt_text(st, 4);
	char unit = sv_timescale_unit_parse(sv_stmt_text(st, 3));

	if (k < 0 || t < 0 || !unit || !anchor)
		return 0;
	for (int a = 0; a < SV_ANCHORS; a++)
		if (!strcmp(sv_anchor_names[a], anchor) && sv_clock_anchor_ok((sv_clock_id)k, (sv_anchor)a))
			s->ts[t][k] = (sv_timescale){ (sv_anchor)a, sv_stmt_int(st, 2), unit };
	return 0;
}

/*
 * Everything the clocks need, for case `case_id` (0: every case), in five
 * queries (cases, commissions, IMR versions, events, timescales).
 */
static int load_facts(facts_set *s, scrvault *v, int64_t case_id, bool verify)
{
	int error;

	memset(s, 0, sizeof(*s));
	s->verify = verify ? v : NULL;
	for (int t = 0; t < SV_REVIEW_TYPES; t++)
		for (int k = 0; k < SV_CLOCKS; k++)
			s->ts[t][k] = sv_timescale_builtin(t, (sv_clock_id)k);
	if ((error = sv_db_each(v->db, case_row, s, "SELECT id, ref, review_type, received_on, decision_date, status FROM cases"
				" WHERE ?1 = 0 OR id = ?1 ORDER BY id", "i", case_id)) < 0 ||
	    (error = sv_db_each(v->db, commission_row, s, COMMISSION_SELECT " WHERE ?1 = 0 OR cm.case_id = ?1"
				" ORDER BY cm.case_id, cm.commissioned_on, cm.id", "i", case_id)) < 0 ||
	    (error = sv_db_each(v->db, imr_row, s, IMR_SELECT " AND (?1 = 0 OR d.case_id = ?1)", "i", case_id)) < 0 ||
	    (error = sv_db_each(v->db, event_row, s, "SELECT case_id, kind, on_day, told_on, rating, audit_seq"
				" FROM case_events WHERE ?1 = 0 OR case_id = ?1 ORDER BY case_id, on_day, id", "i",
				case_id)) < 0 ||
	    (error = sv_db_each(v->db, timescale_row, s, "SELECT clock, review_type, amount, unit, anchor"
				" FROM policy_timescales", "")) < 0)
		facts_free(s);
	return error;
}

/* The milestones of one case's facts. */
static int run_clocks(sv_milestone **ms, size_t *n, facts_set *s, facts *f, sv_clock_commission **cms,
		      const sv_calendar *cal, int64_t as_of, int64_t horizon)
{
	sv_clock_case c;

	*cms = NULL;
	if (f->ncms && !(*cms = sv_calloc(f->ncms, sizeof(**cms))))
		return SCRVAULT_ERROR;
	for (size_t i = 0; i < f->ncms; i++)
		(*cms)[i] = f->cms[i].c;
	c = (sv_clock_case){ .ts = s->ts[f->type], .received = f->received, .decision = f->decision,
			     .commissions = *cms, .ncommissions = f->ncms,
			     /* as of a day before Ofsted was told, there was no extension */
			     .extension = f->told_on <= as_of ? f->extension : SV_NO_EVENT,
			     .completed = f->completed, .evaluation = f->evaluation,
			     .inadequate = !strcmp(f->rating, "inadequate"), .summary_sent = f->summary_sent,
			     .plan_sent = f->plan_sent, .plan_closed = f->plan_closed, .plan_reviews = f->reviews,
			     .nplan_reviews = f->nreviews, .no_review = f->no_review };
	return sv_clock_run(ms, n, &c, cal, as_of, horizon);
}

/* The facts of case `ref` after the permission check: ENOTFOUND as for a missing case. */
static int case_facts(facts_set *s, facts **f, scrvault *v, const char *action, const char *ref)
{
	int64_t id = 0;
	int error;

	*f = NULL;
	if ((error = sv_authorize(v, action, SV_ABOUT(.caseref = ref))) < 0)
		return error;
	if (!ref || (error = sv_db_int(&id, v->db, "SELECT id FROM cases WHERE ref = ?", "t", ref)) < 0 || !id)
		return error < 0 ? error : sv_error(SCRVAULT_ENOTFOUND, SV_NOT_FOUND_CASE, ref ? ref : "");
	if ((error = load_facts(s, v, id, !strcmp(action, "case.read"))) < 0)
		return error;
	if (!(*f = find_facts(s, id))) {
		facts_free(s);
		return sv_error(SCRVAULT_ENOTFOUND, SV_NOT_FOUND_CASE, ref);
	}
	if ((*f)->no_review && strcmp(action, "case.read") != 0) {
		facts_free(s);
		*f = NULL;
		return sv_error(SCRVAULT_ECONFLICT, "case %s is not a review (a referral not decided, or decided "
				"\"none\"): it has no clocks but the decision's", ref);
	}
	return 0;
}

/* The due date of one clock of the case as it stands today (-1: not running). */
static int current_due(int64_t *due, facts_set *s, facts *f, scrvault *v, sv_clock_id clock, size_t index)
{
	sv_milestone *ms = NULL;
	sv_clock_commission *cms = NULL;
	sv_calendar *cal = NULL;
	char today[11];
	int64_t t = 0;
	size_t n = 0;
	int error;

	*due = -1;
	sv_today(today);
	if ((error = sv_day_parse(&t, today)) < 0 || (error = sv_policy_calendar(&cal, v)) < 0 ||
	    (error = run_clocks(&ms, &n, s, f, &cms, cal, t, 0)) < 0)
		goto done;
	for (size_t i = 0; i < n; i++)
		if (ms[i].clock == clock && ms[i].index == index)
			*due = ms[i].due;
done:
	free(ms);
	free(cms);
	sv_calendar_free(cal);
	return error;
}

/*
 * Finish a recording: its audit entry, the row's audit_seq set to it
 * (`table`, row `id`), commit.  In the caller's transaction.
 */
static int record(int64_t *seq, scrvault *v, const char *table, int64_t id, const char *action, const char *ref,
		  const char *agency, const sv_field *details)
{
	char sql[96];
	int error;

	snprintf(sql, sizeof(sql), "UPDATE %s SET audit_seq = (SELECT max(seq) FROM audit) WHERE id = ?", table);
	if ((error = sv_audit_append(v, action, "ok", SV_ABOUT(.caseref = ref, .agency = agency), details)) < 0 ||
	    (error = sv_db_run(v->db, sql, "i", id)) < 0 ||
	    (error = sv_db_int(seq, v->db, "SELECT max(seq) FROM audit", "")) < 0)
		return sv_vault_fail(v, error);
	return sv_vault_commit(v);
}

/* ---- commissions --------------------------------------------------------------------------------- */

int scrvault_case_commission(scrvault_json **out, scrvault *v, const char *ref, const scrvault_commission_spec *sp)
{
	facts_set s = { 0 };
	facts *f = NULL;
	sv_calendar *cal = NULL;
	char today[11], on[11], when[21], due_s[11] = "", decided[11] = "";
	int64_t exists = 0, id = 0, seq = 0, due = -1, onday = 0;
	const sv_timescale *t;
	int error;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(sp, SCRVAULT_COMMISSION_SPEC_VERSION, "scrvault_commission_spec")) < 0 ||
	    (error = case_facts(&s, &f, v, "case.commission", ref)) < 0)
		return error;
	sv_today(today);
	snprintf(on, sizeof(on), "%s", sp->commissioned_on ? sp->commissioned_on : today);
	if (f->decision.day >= 0)
		sv_day_format(decided, f->decision.day);
	if (!sp->agency || !*sp->agency || !sv_name_valid(sp->agency)) {
		error = sv_error_field(SCRVAULT_EUSAGE, "agency", "name the agency asked for the IMR (letters, digits, "
				       "'-', '_' or '.'), as its principals' agency is written: for example police");
		goto done;
	}
	if (!sp->author || !*sp->author) {
		error = sv_error_field(SCRVAULT_EUSAGE, "author", "name the IMR's author (000 §5.22: someone not "
				       "involved with the child or family)");
		goto done;
	}
	if ((error = sv_text_check("author", sp->author, 0)) < 0 ||
	    (error = sv_date_check("commissioned_on", "the commission date", on, SV_DATE_PAST,
				   decided[0] ? decided : NULL, "the decision to hold the review")) < 0 ||
	    (error = sv_date_check("due", "the due date", sp->due, SV_DATE_ANY, on, "the commission date")) < 0)
		goto done;
	if ((error = sv_db_int(&exists, v->db, "SELECT count(*) FROM commissions WHERE case_id = ? AND agency = ?", "it",
			       f->id, sp->agency)) < 0)
		goto done;
	if (exists) {
		error = sv_error(SCRVAULT_ECONFLICT, "case %s already has an IMR commissioned from %s (see 'scrvault "
				 "case timeline %s')", ref, sp->agency, ref);
		goto done;
	}
	/* The due date the clock gives, as the engine computes it. */
	if (sp->due) {
		snprintf(due_s, sizeof(due_s), "%s", sp->due);
	} else {
		t = &s.ts[f->type][SV_CLOCK_IMR];
		if ((error = sv_day_parse(&onday, on)) < 0 || (error = sv_policy_calendar(&cal, v)) < 0)
			goto done;
		due = sv_timescale_due(t, cal, t->anchor == SV_ANCHOR_COMMISSIONED ? onday : f->decision.day);
		if (due >= 0)
			sv_day_format(due_s, due);
	}
	sv_time_iso(when, sv_now());
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	if ((error = sv_db_run(v->db, "INSERT INTO commissions(case_id, agency, author, commissioned_on, due_on,"
			       " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)", "ittttti", f->id, sp->agency,
			       sp->author, on, sp->due, when, v->principal_id)) < 0 ||
	    (error = sv_db_int(&id, v->db, "SELECT last_insert_rowid()", "")) < 0) {
		error = sv_vault_fail(v, error);
		goto done;
	}
	if ((error = record(&seq, v, "commissions", id, "case.commission", ref, sp->agency,
			    SV_FIELDS(SV_STR("commissioned_on", on), SV_OPT("due", due_s[0] ? due_s : NULL),
				      SV_STR("due_from", sp->due ? "set" : "policy")))) < 0)
		goto done;
	error = sv_json_new(out, SV_FIELDS(SV_INT("commission", id), SV_STR("case", ref), SV_STR("agency", sp->agency),
					   SV_STR("commissioned_on", on), SV_OPT("due", due_s[0] ? due_s : NULL),
					   SV_STR("due_from", sp->due ? "set" : "policy"), SV_INT("audit_seq", seq)));
done:
	sv_calendar_free(cal);
	facts_free(&s);
	return error;
}

/* ---- extension, evaluation, milestones ----------------------------------------------------------- */

int scrvault_case_extend(scrvault_json **out, scrvault *v, const char *ref, const char *to, const char *reason,
			 const char *told_ofsted_on)
{
	facts_set s = { 0 };
	facts *f = NULL;
	char when[21], from[11] = "", decided[11] = "", told[11] = "";
	int64_t due = -1, id = 0, seq = 0;
	int error;

	*out = NULL;
	if ((error = case_facts(&s, &f, v, "case.extend", ref)) < 0)
		return error;
	if (!to || !*to) {
		error = sv_error_field(SCRVAULT_EUSAGE, "to", "give the revised completion date (000 §5.9)");
		goto done;
	}
	if (!reason || !*reason) {
		error = sv_error_field(SCRVAULT_EUSAGE, "reason", "say why the review needs longer (for example "
				       "court proceedings: 000 §5.8)");
		goto done;
	}
	if (!told_ofsted_on || !*told_ofsted_on) {
		error = sv_error_field(SCRVAULT_EUSAGE, "told_ofsted_on", "give the day Ofsted was told of the "
				       "extension (000 §5.9)");
		goto done;
	}
	if ((error = sv_text_check("reason", reason, SV_TEXT_LINES)) < 0)
		goto done;
	if (f->decision.day < 0) {
		error = sv_error(SCRVAULT_ECONFLICT, "case %s records no decision to hold the review: there is no "
				 "completion date to extend", ref);
		goto done;
	}
	if (f->completed.day >= 0) {
		error = sv_error(SCRVAULT_ECONFLICT, "case %s's review is already completed", ref);
		goto done;
	}
	sv_day_format(decided, f->decision.day);
	if ((error = current_due(&due, &s, f, v, SV_CLOCK_COMPLETION, 0)) < 0)
		goto done;
	sv_day_format(from, due);
	if ((error = sv_date_check("to", "the revised completion date", to, SV_DATE_ANY, NULL, NULL)) < 0 ||
	    (error = sv_date_check("told_ofsted_on", "the day Ofsted was told", told_ofsted_on, SV_DATE_PAST, decided,
				   "the decision to hold the review")) < 0)
		goto done;
	if (strcmp(to, from) <= 0) {
		error = sv_error_field(SCRVAULT_EUSAGE, "to", "the review is already due on %s: an extension moves "
				       "it later, not to %s", from, to);
		goto done;
	}
	snprintf(told, sizeof(told), "%s", told_ofsted_on);
	sv_time_iso(when, sv_now());
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	if ((error = sv_db_run(v->db, "INSERT INTO case_events(case_id, kind, on_day, told_on, reason, created_at,"
			       " created_by) VALUES (?, 'extension', ?, ?, ?, ?, ?)", "itttti",
			       f->id, to, told, reason, when, v->principal_id)) < 0) {
		error = sv_vault_fail(v, error);
		goto done;
	}
	id = sv_db_last_rowid(v->db);
	if ((error = record(&seq, v, "case_events", id, "case.extend", ref, NULL,
			    SV_FIELDS(SV_STR("from", from), SV_STR("to", to), SV_STR("told_ofsted_on", told)))) < 0)
		goto done;
	error = sv_json_new(out, SV_FIELDS(SV_STR("case", ref), SV_STR("from", from), SV_STR("to", to),
					   SV_STR("told_ofsted_on", told), SV_INT("audit_seq", seq)));
done:
	facts_free(&s);
	return error;
}

static bool rating_valid(const char *r)
{
	return r && (!strcmp(r, "outstanding") || !strcmp(r, "good") || !strcmp(r, "adequate") ||
		     !strcmp(r, "inadequate"));
}

/*
 * `day` (the input `field`, `what` in messages) checked as a past day not
 * before `anchor` (`anchor_what`) where that happened.
 */
static int day_after(const char *field, const char *what, const char *day, sv_clock_event anchor,
		     const char *anchor_what)
{
	char after[11] = "";

	if (anchor.day >= 0)
		sv_day_format(after, anchor.day);
	return sv_date_check(field, what, day, SV_DATE_PAST, after[0] ? after : NULL, anchor_what);
}

/* Insert a case event and its audit entry (the caller checked everything). */
static int add_event(int64_t *seq, scrvault *v, facts *f, const char *action, const char *kind, const char *on,
		     const char *rating, const sv_field *details)
{
	char when[21];
	int error;

	sv_time_iso(when, sv_now());
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_db_run(v->db, "INSERT INTO case_events(case_id, kind, on_day, rating, created_at, created_by)"
			       " VALUES (?, ?, ?, ?, ?, ?)", "itttti", f->id, kind, on, rating, when,
			       v->principal_id)) < 0)
		return sv_vault_fail(v, error);
	return record(seq, v, "case_events", sv_db_last_rowid(v->db), action, f->ref, NULL, details);
}

int scrvault_case_evaluation(scrvault_json **out, scrvault *v, const char *ref, const char *received_on,
			     const char *rating)
{
	facts_set s = { 0 };
	facts *f = NULL;
	int64_t seq = 0;
	int error;

	*out = NULL;
	if ((error = case_facts(&s, &f, v, "case.evaluation", ref)) < 0)
		return error;
	if (!received_on || !*received_on) {
		error = sv_error_field(SCRVAULT_EUSAGE, "received_on", "give the day Ofsted's evaluation letter "
				       "was received (000 §8.20)");
		goto done;
	}
	if (!rating_valid(rating)) {
		error = sv_error_field(SCRVAULT_EUSAGE, "rating", "Ofsted's rating is outstanding, good, adequate or "
				       "inadequate");
		goto done;
	}
	if ((error = day_after("received_on", "the day the evaluation letter was received", received_on,
			       f->completed.day >= 0 ? f->completed : f->decision, f->completed.day >= 0 ?
			       "the review's completion" : "the decision to hold the review")) < 0)
		goto done;
	if (f->evaluation.day >= 0) {
		error = sv_error(SCRVAULT_ECONFLICT, "case %s already has Ofsted's evaluation recorded", ref);
		goto done;
	}
	if ((error = add_event(&seq, v, f, "case.evaluation", "evaluation", received_on, rating,
			       SV_FIELDS(SV_STR("received_on", received_on), SV_STR("rating", rating)))) < 0)
		goto done;
	error = sv_json_new(out, SV_FIELDS(SV_STR("case", ref), SV_STR("received_on", received_on),
					   SV_STR("rating", rating), SV_INT("audit_seq", seq)));
done:
	facts_free(&s);
	return error;
}

int scrvault_case_milestone(scrvault_json **out, scrvault *v, const char *ref, const char *kind, const char *on)
{
	facts_set s = { 0 };
	facts *f = NULL;
	sv_clock_event anchor = SV_NO_EVENT, *once = NULL;
	const char *anchor_what = NULL, *missing = NULL;
	int64_t seq = 0;
	int error;

	*out = NULL;
	if ((error = case_facts(&s, &f, v, "case.milestone", ref)) < 0)
		return error;
	if (!kind || !*kind) {
		error = sv_error_field(SCRVAULT_EUSAGE, "kind", "say which milestone: completed, summary-sent, "
				       "plan-sent, plan-review or plan-closed");
		goto done;
	}
	if (!strcmp(kind, "completed")) {
		anchor = f->decision, once = &f->completed;
		anchor_what = "the decision to hold the review";
		missing = "no decision to hold the review recorded";
	} else if (!strcmp(kind, "summary-sent")) {
		anchor = f->evaluation, once = &f->summary_sent;
		anchor_what = "Ofsted's evaluation letter";
		missing = "no evaluation from Ofsted recorded: record it first ('case evaluation')";
	} else if (!strcmp(kind, "plan-sent")) {
		anchor = strcmp(f->rating, "inadequate") ? SV_NO_EVENT : f->evaluation, once = &f->plan_sent;
		anchor_what = "Ofsted's evaluation letter";
		missing = "no \"inadequate\" evaluation from Ofsted, which alone asks for an improvement plan (000 §8.7)";
	} else if (!strcmp(kind, "plan-review") || !strcmp(kind, "plan-closed")) {
		anchor = f->nreviews ? f->reviews[f->nreviews - 1] : f->completed;
		once = !strcmp(kind, "plan-closed") ? &f->plan_closed : NULL;
		anchor_what = f->nreviews ? "the last plan review" : "the review's completion";
		missing = "no completion of the review recorded: its action plan is reviewed after it "
			  "('case milestone REF completed')";
		if (f->plan_closed.day >= 0) {
			error = sv_error(SCRVAULT_ECONFLICT, "case %s's action plan is closed", ref);
			goto done;
		}
	} else {
		error = sv_error_field(SCRVAULT_EUSAGE, "kind", "no milestone '%s': use completed, summary-sent, "
				       "plan-sent, plan-review or plan-closed", kind);
		goto done;
	}
	if (!on || !*on) {
		error = sv_error_field(SCRVAULT_EUSAGE, "on", "give the day it happened (YYYY-MM-DD)");
		goto done;
	}
	if ((error = day_after("on", "the day", on, anchor, anchor_what)) < 0)
		goto done;
	if (anchor.day < 0) {
		error = sv_error(SCRVAULT_ECONFLICT, "case %s has %s", ref, missing);
		goto done;
	}
	if (once && once->day >= 0) {
		error = sv_error(SCRVAULT_ECONFLICT, "case %s already records '%s'", ref, kind);
		goto done;
	}
	if ((error = add_event(&seq, v, f, "case.milestone", kind, on, NULL,
			       SV_FIELDS(SV_STR("milestone", kind), SV_STR("happened_on", on)))) < 0)
		goto done;
	error = sv_json_new(out, SV_FIELDS(SV_STR("case", ref), SV_STR("milestone", kind), SV_STR("on", on),
					   SV_INT("audit_seq", seq)));
done:
	facts_free(&s);
	return error;
}

/* ---- the timeline -------------------------------------------------------------------------------- */

/* The time of audit entry `seq` into out[21] ("" when none). */
static int entry_time(char out[21], scrvault *v, int64_t seq)
{
	sv_stmt *st = NULL;
	sv_json *e = NULL;
	int error;

	out[0] = '\0';
	if (seq <= 0)
		return 0;
	if ((error = sv_db_query(&st, v->db, "SELECT entry FROM audit WHERE seq = ?", "i", seq)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1) {
		const char *text = sv_stmt_text(st, 0);

		error = 0;
		if (text && sv_json_parse(&e, text, strlen(text), NULL) == 0 && sv_json_str(sv_json_get(e, "time")))
			snprintf(out, 21, "%s", sv_json_str(sv_json_get(e, "time")));
	}
	sv_json_free(e);
	sv_stmt_free(st);
	return error < 0 ? error : 0;
}

/*
 * The audit entry that checked in an agency's draft (imr_row found its day,
 * `on`): the first IMR version of the agency checked in that day, found by the
 * canonical text of the entry (keys sorted: no JSON functions in this
 * SQLite).  0 when none is found.
 */
static int draft_seq(int64_t *seq, scrvault *v, int64_t case_id, const char *agency, const char *on)
{
	char doc[64] = "", pdoc[96], pver[32];
	int64_t ver = 0;
	int error;

	*seq = 0;
	if ((error = sv_db_text_int(doc, sizeof(doc), &ver, v->db, "SELECT ve.doc_id, ve.version FROM documents d"
				    " JOIN versions ve ON ve.doc_id = d.id WHERE d.case_id = ? AND d.class = 'imr'"
				    " AND d.agency = ? AND substr(ve.checked_in_at, 1, 10) = ?"
				    " ORDER BY ve.checked_in_at, ve.version LIMIT 1", "itt", case_id, agency, on)) <= 0)
		return error;
	snprintf(pdoc, sizeof(pdoc), "%%\"doc\":\"%s\"%%", doc);
	snprintf(pver, sizeof(pver), "%%\"version\":%lld}%%", (long long)ver);
	error = sv_db_int(seq, v->db, "SELECT min(seq) FROM audit WHERE (entry LIKE '{\"action\":\"doc.checkin\"%'"
			  " OR entry LIKE '{\"action\":\"intake.import\"%') AND entry LIKE '%\"outcome\":\"ok\"%'"
			  " AND entry LIKE ? AND entry LIKE ?", "tt", pdoc, pver);
	return error < 0 ? error : 0;
}

/*
 * The entry of `action` about case `ref` (with a detail `key` holding a
 * date, when key is given), found by its canonical text: the last one, or
 * the first; 0 when there is none.  The last referral.new / referral.decide
 * of a case that came by referral; for one opened directly, its case.open
 * entry, which carries the date (received_on, decided_on) when one was given.
 */
static int case_entry_seq(int64_t *seq, scrvault *v, const char *action, const char *ref, const char *key,
			  bool last)
{
	char pa[64], pc[96], pk[48] = "%";
	int error;

	*seq = 0;
	snprintf(pa, sizeof(pa), "{\"action\":\"%s\"%%", action);
	snprintf(pc, sizeof(pc), "%%\"case\":\"%s\"%%", ref);
	if (key)
		snprintf(pk, sizeof(pk), "%%\"%s\":\"%%", key);
	error = sv_db_int(seq, v->db, last ? "SELECT max(seq) FROM audit WHERE entry LIKE ? AND entry LIKE ?"
			  " AND entry LIKE ? AND entry LIKE '%\"outcome\":\"ok\"%'" :
			  "SELECT min(seq) FROM audit WHERE entry LIKE ? AND entry LIKE ? AND entry LIKE ?"
			  " AND entry LIKE '%\"outcome\":\"ok\"%'", "ttt", pa, pc, pk);
	return error < 0 ? error : 0;
}

static const char *clock_label(sv_clock_id k)
{
	static const char *const labels[SV_CLOCKS] = {
		"decision to review", "IMR first draft", "review completed", "summary to Ofsted",
		"improvement plan to Ofsted", "action-plan review"
	};

	return (unsigned)k < SV_CLOCKS ? labels[k] : "?";
}

static void fmt_day(char out[11], int64_t d)
{
	if (d >= 0)
		sv_day_format(out, d);
	else
		out[0] = '\0';
}

#define D(s) ((s)[0] ? (s) : NULL)

/* The case's events up to `as_of` (what happened later is not shown). */
static int timeline_events(sv_json *arr, scrvault *v, facts *f, const char *as_of)
{
	sv_stmt *st = NULL;
	char at[21], on[11];
	int error;

	for (int i = 0; i < 2; i++) {
		const sv_clock_event *e = i ? &f->decision : &f->received;

		fmt_day(on, e->day);
		if (!on[0] || strcmp(on, as_of) > 0)
			continue;
		if ((error = entry_time(at, v, e->seq)) < 0)
			return error;
		if (sv_json_append(arr, sv_json_of(SV_FIELDS(SV_STR("event", i ? "decision" : "received"),
				SV_STR("on", on), SV_IF(e->seq > 0, SV_INT("audit_seq", e->seq)),
				SV_IF(e->seq <= 0, SV_STR("audit_seq", NULL)), SV_STR("recorded_at", D(at))))) < 0)
			return SCRVAULT_ERROR;
	}
	if ((error = sv_db_query(&st, v->db, "SELECT * FROM (SELECT 'commission' AS kind, commissioned_on AS day,"
				 " audit_seq, agency, NULL AS rating, NULL AS told, id AS k FROM commissions WHERE case_id = ?1"
				 " UNION ALL SELECT kind, on_day, audit_seq, NULL, rating, told_on, id + 1000000000"
				 " FROM case_events WHERE case_id = ?1) ORDER BY coalesce(told, day), k", "i", f->id)) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1) {
		const char *kind = sv_stmt_text(st, 0);
		bool ext = kind && !strcmp(kind, "extension");
		sv_json *o;

		if (strcmp(sv_stmt_text(st, 5) ? sv_stmt_text(st, 5) : sv_stmt_text(st, 1), as_of) > 0)
			continue;
		if ((error = entry_time(at, v, sv_stmt_int(st, 2))) < 0)
			break;
		o = sv_json_of(SV_FIELDS(SV_STR("event", kind), SV_STR(ext ? "to" : "on", sv_stmt_text(st, 1)),
				SV_IF(sv_stmt_int(st, 2) > 0, SV_INT("audit_seq", sv_stmt_int(st, 2))),
				SV_IF(sv_stmt_int(st, 2) <= 0, SV_STR("audit_seq", NULL)),
				SV_STR("recorded_at", D(at)), SV_OPT("agency", sv_stmt_text(st, 3)),
				SV_OPT("rating", sv_stmt_text(st, 4)), SV_OPT("told_ofsted_on", sv_stmt_text(st, 5))));
		if (sv_json_append(arr, o) < 0) {
			error = SCRVAULT_ERROR;
			break;
		}
	}
	sv_stmt_free(st);
	return error < 0 ? error : 0;
}

/* An IMR commission's stage from its draft's and sign-off's days ("" for none). */
static const char *commission_stage(const char *draft_on, const char *signed_off_on)
{
	return signed_off_on[0] ? "signed off" : draft_on[0] ? "draft received" : "commissioned";
}

static const char *anchor_event(const sv_milestone *m, const sv_timescale *ts)
{
	if (m->clock == SV_CLOCK_PLAN_REVIEW && m->index > 1)
		return "plan-review";
	return sv_anchor_names[ts[m->clock].anchor];
}

int scrvault_case_timeline(scrvault_json **out, scrvault *v, const char *ref, const char *as_of)
{
	facts_set s = { 0 };
	facts *f = NULL;
	sv_milestone *ms = NULL;
	sv_clock_commission *cms = NULL;
	sv_calendar *cal = NULL;
	sv_json *arr = NULL, *events = NULL;
	char now[11];
	int64_t today = 0;
	size_t n = 0;
	int error;

	*out = NULL;
	if ((error = sv_as_of(now, as_of)) < 0 || (error = sv_day_parse(&today, now)) < 0 ||
	    (error = case_facts(&s, &f, v, "case.read", ref)) < 0)
		return error;
	if ((error = case_entry_seq(&f->received.seq, v, "referral.new", f->ref, NULL, true)) < 0 ||
	    (error = case_entry_seq(&f->decision.seq, v, "referral.decide", f->ref, NULL, true)) < 0 ||
	    (!f->received.seq &&
	     (error = case_entry_seq(&f->received.seq, v, "case.open", f->ref, "received_on", false)) < 0) ||
	    (!f->decision.seq &&
	     (error = case_entry_seq(&f->decision.seq, v, "case.open", f->ref, "decided_on", false)) < 0) ||
	    (error = sv_policy_calendar(&cal, v)) < 0 ||
	    (error = run_clocks(&ms, &n, &s, f, &cms, cal, today, SCRVAULT_CLOCK_HORIZON_DEFAULT)) < 0)
		goto done;
	error = SCRVAULT_ERROR;
	if (!(arr = sv_json_array()) || !(events = sv_json_array()))
		goto done;
	for (size_t i = 0; i < n; i++) {
		const sv_milestone *m = &ms[i];
		const commission *c = m->clock == SV_CLOCK_IMR ? &f->cms[m->index] : NULL;
		char anchor[11], due[11], orig[11], done[11], at[21], label[96], dr[11], so[11], co[11];
		int64_t seq = m->seq;

		if (c && m->done >= 0 &&
		    (error = draft_seq(&seq, v, f->id, c->agency, (fmt_day(co, m->done), co))) < 0)
			goto done;
		if ((error = entry_time(at, v, seq)) < 0)
			goto done;
		error = SCRVAULT_ERROR;
		fmt_day(anchor, m->anchor);
		fmt_day(due, m->due);
		fmt_day(orig, m->extended ? m->original_due : -1);
		fmt_day(done, m->done);
		if (c)
			snprintf(label, sizeof(label), "IMR first draft (%s)", c->agency);
		else if (m->clock == SV_CLOCK_PLAN_REVIEW)
			snprintf(label, sizeof(label), "action-plan review %zu", m->index);
		else
			snprintf(label, sizeof(label), "%s", clock_label(m->clock));
		/* as of a past day, a later draft or sign-off has not happened */
		fmt_day(dr, c && c->c.draft.day <= today ? c->c.draft.day : -1);
		fmt_day(so, c && c->c.signed_off.day <= today ? c->c.signed_off.day : -1);
		fmt_day(co, c ? c->c.commissioned.day : -1);
		if (sv_json_append(arr, sv_json_of(SV_FIELDS(
				SV_STR("clock", sv_clock_names[m->clock]), SV_STR("label", label),
				SV_STR("agency", c ? c->agency : NULL),
				SV_STR("anchor_event", anchor_event(m, s.ts[f->type])), SV_STR("anchor_on", D(anchor)),
				SV_STR("due", D(due)), SV_STR("original_due", D(orig)), SV_BOOL("extended", m->extended),
				SV_STR("done_on", D(done)), SV_STR("status", sv_ms_status_name(m->status)),
				SV_INT("late_days", m->late_days),
				SV_IF(seq > 0, SV_INT("audit_seq", seq)), SV_IF(seq <= 0, SV_STR("audit_seq", NULL)),
				SV_STR("recorded_at", D(at)),
				SV_IF(c, SV_INT("commission", c ? c->id : 0)), SV_IF(c, SV_STR("author", c ? c->author : NULL)),
				SV_IF(c, SV_STR("commissioned_on", D(co))),
				SV_IF(c, SV_STR("stage", commission_stage(dr, so))),
				SV_IF(c, SV_STR("draft_on", D(dr))), SV_IF(c, SV_STR("signed_off_on", D(so)))))) < 0)
			goto done;
	}
	if ((error = timeline_events(events, v, f, now)) < 0)
		goto done;
	error = sv_json_new(out, SV_FIELDS(SV_STR("case", f->ref), SV_STR("review_type", sv_review_types[f->type]),
					   SV_STR("as_of", now), SV_INT("horizon_days", SCRVAULT_CLOCK_HORIZON_DEFAULT),
					   SV_VAL("milestones", arr), SV_VAL("events", events)));
done:
	sv_json_free(arr);
	sv_json_free(events);
	free(ms);
	free(cms);
	sv_calendar_free(cal);
	facts_free(&s);
	return error;
}

/* ---- every clock --------------------------------------------------------------------------------- */

int sv_clock_each(scrvault *v, const scrvault_clock_filter *fl, sv_clock_row_fn fn, void *ctx)
{
	static const scrvault_clock_filter all = SCRVAULT_CLOCK_FILTER_INIT;
	facts_set s = { 0 };
	sv_calendar *cal = NULL;
	char now[11];
	int64_t today = 0, before = -1, from = -1, to = -1, case_id = 0;
	int error;

	if (!fl)
		fl = &all;
	if ((error = SV_STRUCT_CHECK(fl, SCRVAULT_CLOCK_FILTER_VERSION, "scrvault_clock_filter")) < 0)
		return error;
	if (!fn)
		return sv_error(SCRVAULT_EUSAGE, "the clock listing needs a function for the rows");
	if ((error = sv_as_of(now, fl->as_of)) < 0 || (error = sv_day_parse(&today, now)) < 0 ||
	    (error = sv_date_check("due_before", "the day", fl->due_before, SV_DATE_ANY, NULL, NULL)) < 0 ||
	    (error = sv_date_check("done_from", "the first day", fl->done_from, SV_DATE_ANY, NULL, NULL)) < 0 ||
	    (error = sv_date_check("done_to", "the last day", fl->done_to, SV_DATE_ANY, fl->done_from,
				   "the first day")) < 0)
		return error;
	if (fl->horizon_days < 0)
		return sv_error_field(SCRVAULT_EUSAGE, "horizon_days", "the horizon is a number of days, 0 or more");
	if (fl->due_before)
		sv_day_parse(&before, fl->due_before);
	if (fl->done_from)
		sv_day_parse(&from, fl->done_from);
	if (fl->done_to)
		sv_day_parse(&to, fl->done_to);
	if ((error = sv_authorize(v, "case.read", fl->case_ref ? SV_ABOUT(.caseref = fl->case_ref) : NULL)) < 0)
		return error;
	if (fl->case_ref) {
		if ((error = sv_db_int(&case_id, v->db, "SELECT id FROM cases WHERE ref = ?", "t", fl->case_ref)) < 0)
			return error;
		if (!case_id)
			return sv_error(SCRVAULT_ENOTFOUND, SV_NOT_FOUND_CASE, fl->case_ref);
	}
	if ((error = load_facts(&s, v, case_id, false)) < 0)
		return error;
	if ((error = sv_policy_calendar(&cal, v)) < 0)
		goto done;
	for (size_t i = 0; i < s.n && error >= 0; i++) {
		facts *f = &s.f[i];
		sv_milestone *ms = NULL;
		sv_clock_commission *cms = NULL;
		size_t n = 0;

		if (!sv_authz_sees(v, "case.read", f->ref, NULL, NULL))
			continue;
		if ((error = run_clocks(&ms, &n, &s, f, &cms, cal, today,
					fl->horizon_days ? fl->horizon_days : SCRVAULT_CLOCK_HORIZON_DEFAULT)) < 0)
			break;
		for (size_t j = 0; j < n && error >= 0; j++) {
			const sv_milestone *m = &ms[j];

			if ((fl->open_only && m->done >= 0) || (before >= 0 && (m->due < 0 || m->due >= before)) ||
			    ((from >= 0 || to >= 0) && (m->done < 0 || (from >= 0 && m->done < from) ||
							(to >= 0 && m->done > to))))
				continue;
			const commission *c = m->clock == SV_CLOCK_IMR ? &f->cms[m->index] : NULL;

			error = fn(ctx, &(sv_clock_row){ f->ref, c ? c->agency : NULL, m, c ? c->id : 0,
							c ? c->author : NULL, c ? &c->c : NULL, today });
			if (error > 0)
				error = 0;
		}
		free(ms);
		free(cms);
	}
done:
	sv_calendar_free(cal);
	facts_free(&s);
	return error < 0 ? error : 0;
}

/* scrvault_clock_list_each: each row of sv_clock_each as JSON. */
typedef struct {
	scrvault_row_fn fn;
	void *ctx;
} json_rows;

static int json_row(void *ctx, const sv_clock_row *r)
{
	json_rows *j = ctx;
	const sv_milestone *m = r->m;
	char anchor[11], due[11], done[11];
	sv_json *row;
	int error;

	fmt_day(anchor, m->anchor);
	fmt_day(due, m->due);
	fmt_day(done, m->done);
	row = sv_json_of(SV_FIELDS(SV_STR("case", r->ref), SV_STR("clock", sv_clock_names[m->clock]),
			SV_STR("agency", r->agency), SV_STR("anchor_on", D(anchor)), SV_STR("due", D(due)),
			SV_STR("done_on", D(done)), SV_STR("status", sv_ms_status_name(m->status)),
			SV_INT("late_days", m->late_days), SV_BOOL("extended", m->extended),
			SV_IF(m->seq > 0, SV_INT("audit_seq", m->seq)), SV_IF(m->seq <= 0, SV_STR("audit_seq", NULL))));
	if (!row)
		return SCRVAULT_ERROR;
	error = j->fn(j->ctx, (const scrvault_json *)row);
	sv_json_free(row);
	return error;
}

int scrvault_clock_list_each(scrvault *v, const scrvault_clock_filter *fl, scrvault_row_fn fn, void *ctx)
{
	json_rows j = { fn, ctx };

	if (!fn)
		return sv_error(SCRVAULT_EUSAGE, "the clock listing needs a function for the rows");
	return sv_clock_each(v, fl, json_row, &j);
}

/* scrvault_commission_list_each: the IMR rows of sv_clock_each, each agency's for those who see it. */
typedef struct {
	scrvault *v;
	scrvault_row_fn fn;
	void *ctx;
} commission_rows;

static int commission_json_row(void *ctx, const sv_clock_row *r)
{
	commission_rows *j = ctx;
	const sv_milestone *m = r->m;
	char due[11], orig[11], co[11], dr[11], so[11];
	sv_json *row;
	int error;

	if (!r->cm || !sv_authz_sees(j->v, "case.read", r->ref, "imr", r->agency))
		return 0;
	fmt_day(due, m->due);
	fmt_day(orig, m->extended ? m->original_due : -1);
	fmt_day(co, r->cm->commissioned.day);
	/* as of a past day, a later draft or sign-off has not happened (as the timeline) */
	fmt_day(dr, r->cm->draft.day <= r->today ? r->cm->draft.day : -1);
	fmt_day(so, r->cm->signed_off.day <= r->today ? r->cm->signed_off.day : -1);
	row = sv_json_of(SV_FIELDS(SV_STR("case", r->ref), SV_INT("commission", r->commission),
			SV_STR("agency", r->agency), SV_STR("author", r->author), SV_STR("commissioned_on", D(co)),
			SV_STR("due", D(due)), SV_STR("original_due", D(orig)), SV_BOOL("extended", m->extended),
			SV_STR("stage", commission_stage(dr, so)), SV_STR("draft_on", D(dr)),
			SV_STR("signed_off_on", D(so)), SV_STR("status", sv_ms_status_name(m->status)),
			SV_INT("late_days", m->late_days)));
	if (!row)
		return SCRVAULT_ERROR;
	error = j->fn(j->ctx, (const scrvault_json *)row);
	sv_json_free(row);
	return error;
}

int scrvault_commission_list_each(scrvault *v, const scrvault_clock_filter *fl, scrvault_row_fn fn, void *ctx)
{
	commission_rows j = { v, fn, ctx };

	if (!fn)
		return sv_error(SCRVAULT_EUSAGE, "the commission listing needs a function for the rows");
	return sv_clock_each(v, fl, commission_json_row, &j);
}

/* The audit_seq of each object of `arr` into seqs (no repeats). */
static void collect_seqs(uint64_t *seqs, size_t *n, size_t cap, const sv_json *arr)
{
	for (size_t i = 0; i < sv_json_count(arr); i++) {
		int64_t seq = sv_json_as_int(sv_json_get(sv_json_at(arr, i), "audit_seq"));
		size_t k;

		if (seq <= 0)
			continue;
		for (k = 0; k < *n && seqs[k] != (uint64_t)seq; k++)
			;
		if (k == *n && *n < cap)
			seqs[(*n)++] = (uint64_t)seq;
	}
}

int scrvault_case_timeline_prove(scrvault_json **out, scrvault *v, const char *ref, const char *as_of,
				 const char *path)
{
	scrvault_audit_set set = SCRVAULT_AUDIT_SET_INIT;
	sv_json *t = NULL;
	uint64_t *seqs = NULL;
	size_t n = 0, cap;
	char title[128];
	int error;

	*out = NULL;
	if ((error = scrvault_case_timeline(&t, v, ref, as_of)) < 0)
		return error;
	cap = sv_json_count(sv_json_get(t, "milestones")) + sv_json_count(sv_json_get(t, "events")) + 1;
	if (!(seqs = calloc(cap, sizeof(*seqs)))) {
		sv_json_free(t);
		return sv_error(SCRVAULT_ERROR, "out of memory");
	}
	collect_seqs(seqs, &n, cap, sv_json_get(t, "milestones"));
	collect_seqs(seqs, &n, cap, sv_json_get(t, "events"));
	snprintf(title, sizeof(title), "timeline of case %s as of %s", sv_json_str(sv_json_get(t, "case")),
		 sv_json_str(sv_json_get(t, "as_of")));
	if (!n) {
		error = sv_error(SCRVAULT_ECONFLICT, "case '%s' has no milestone on record yet: there is nothing to "
				 "prove", ref);
		goto done;
	}
	set.seqs = seqs;
	set.nseqs = n;
	set.case_ref = sv_json_str(sv_json_get(t, "case"));
	set.title = title;
	error = scrvault_audit_prove_set(out, v, &set, path);
done:
	free(seqs);
	sv_json_free(t);
	return error;
}

/* ---- the agenda's source ------------------------------------------------------------------------- */

/*
 * Every running milestone due on or before `by` as of `now` (records/due.h):
 * the same facts as the vault-wide list (five queries for the whole vault),
 * no permission check (the agenda filters each item by its case, and an
 * IMR's by its agency).  Each item names its kind: "decision", "imr",
 * "completion", "ofsted" (the summary and the improvement plan) or
 * "plan-review".
 */
int sv_clock_due(scrvault *v, const char *now, const char *by, sv_due_fn fn, void *ctx)
{
	facts_set s = { 0 };
	sv_calendar *cal = NULL;
	int64_t today = 0, until = 0;
	int error;

	if (sv_day_parse(&today, now) < 0 || sv_day_parse(&until, by) < 0)
		return sv_error(SCRVAULT_EUSAGE, "the clocks' agenda needs two dates");
	if ((error = load_facts(&s, v, 0, false)) < 0)
		return error;
	if ((error = sv_policy_calendar(&cal, v)) < 0)
		goto done;
	for (size_t i = 0; i < s.n && error >= 0; i++) {
		facts *f = &s.f[i];
		sv_milestone *ms = NULL;
		sv_clock_commission *cms = NULL;
		size_t n = 0;

		if ((error = run_clocks(&ms, &n, &s, f, &cms, cal, today, 0)) < 0)
			break;
		for (size_t j = 0; j < n && error >= 0; j++) {
			const sv_milestone *m = &ms[j];
			const commission *c = m->clock == SV_CLOCK_IMR ? &f->cms[m->index] : NULL;
			char due[11], orig[11], id[96], what[192], cmd[256];

			if (m->done >= 0 || m->status == SV_MS_NOT_STARTED || m->due < 0 || m->due > until)
				continue;
			static const char *const kinds[SV_CLOCKS] = {
				"decision", "imr", "completion", "ofsted", "ofsted", "plan-review"
			};
			fmt_day(due, m->due);
			fmt_day(orig, m->extended ? m->original_due : -1);
			snprintf(id, sizeof(id), "%s", f->ref);
			switch (m->clock) {
			case SV_CLOCK_DECISION:
				snprintf(what, sizeof(what), "referral %s: the decision to review or not", f->ref);
				snprintf(cmd, sizeof(cmd), "scrvault referral decide --review scr|sir|interagency|none"
					 " --rationale FILE %s", f->ref);
				break;
			case SV_CLOCK_IMR:
				snprintf(id, sizeof(id), "%lld", (long long)c->id);
				snprintf(what, sizeof(what), "IMR first draft from %s (commission %lld)", c->agency,
					 (long long)c->id);
				snprintf(cmd, sizeof(cmd), "scrvault doc checkin --case %s --class imr --agency %s FILE",
					 f->ref, c->agency);
				break;
			case SV_CLOCK_COMPLETION:
				if (m->extended)
					snprintf(what, sizeof(what), "review completed (extended from %s)", orig);
				else
					snprintf(what, sizeof(what), "review completed");
				snprintf(cmd, sizeof(cmd), "scrvault case milestone --on DATE %s completed", f->ref);
				break;
			case SV_CLOCK_OFSTED_SUMMARY:
				snprintf(id, sizeof(id), "%s/summary", f->ref);
				snprintf(what, sizeof(what), "final executive summary and publication date to Ofsted");
				snprintf(cmd, sizeof(cmd), "scrvault case milestone --on DATE %s summary-sent", f->ref);
				break;
			case SV_CLOCK_IMPROVEMENT_PLAN:
				snprintf(id, sizeof(id), "%s/plan", f->ref);
				snprintf(what, sizeof(what), "improvement plan to Ofsted (evaluation inadequate)");
				snprintf(cmd, sizeof(cmd), "scrvault case milestone --on DATE %s plan-sent", f->ref);
				break;
			default:
				snprintf(id, sizeof(id), "%s/%zu", f->ref, m->index);
				snprintf(what, sizeof(what), "action-plan review %zu", m->index);
				snprintf(cmd, sizeof(cmd), "scrvault case milestone --on DATE %s plan-review", f->ref);
				break;
			}
			error = fn(ctx, &(sv_due){ .kind = kinds[m->clock], .due_on = due, .caseref = f->ref, .doc_class = c ? "imr" : NULL,
						   .agency = c ? c->agency : NULL, .id = id, .what = what,
						   .command = cmd });
		}
		free(ms);
		free(cms);
	}
done:
	sv_calendar_free(cal);
	facts_free(&s);
	return error < 0 ? error : 0;
}
