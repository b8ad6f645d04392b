/*
 * report.c - reports people file (scrvault/report.h): the Board's report for
 * a period and a case's report, laid out by render.c, signed by the vault.
 *
 * A report is a list of parts (board_parts[], case_parts[] below); each part
 * is one function that reads the vault and states its figures through the
 * fig_* helpers, which put each figure at once into the PDF's model, the
 * JSON and so the CSV: what the PDF prints and what the JSON says are made
 * from the same cells.  Adding a figure, a table or a chart is one function
 * and one line in a parts table (or one fig_* call in an existing part).
 *
 * Figures are read as of the report's day from the records' own dates
 * (cases' dates, copy events, requests and their clocks, destruction
 * records, holds placed and released), never from the clock, so the same
 * vault and dates give the same bytes; the PDF's dates are the as-of day.
 *
 * What a report may name: case references, review types, document ids,
 * classes and agencies, principals' names, dates and counts.  Never a case
 * or document title, a reason given in free text, or an outside person's
 * name (SECURITY.md, "Reports").
 *
 * The signature is a C2SP signed note by the audit key over
 *   scrvault report v1 / vault ORIGIN / kind board|case /
 *   period FROM TO | case REF / as-of DAY / sha256 HEX
 * written to OUTPUT.sig; the making is the audit entry report.board or
 * report.case carrying the same sha256.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scrvault/report.h"
#include "scrvault/timeline.h"
#include "services/render.h"
#include "records/clocks.h"
#include "records/request.h"
#include "vault/authz.h"
#include "vault/log.h"
#include "vault/policydb.h"
#include "vault/policyfile.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "crypto/crypto.h"
#include "crypto/note.h"
#include "base/calendar.h"
#include "base/common.h"
#include "base/date.h"
#include "base/file.h"
#include "base/json.h"

#define NOTE_FORMAT "scrvault report v1"
#define MAX_EVENTS 256

typedef struct rctx rctx;
typedef int (*part_fn)(rctx *c);
typedef struct {
	const char *title;	/* the section's heading */
	part_fn fn;
} report_part;

struct rctx {
	scrvault *v;
	sv_render *r;
	sv_json *figures;	/* table id -> {"title","columns","rows"} */
	sv_json *rows;		/* the open table's rows */
	size_t ncols;
	char from[11], to[11], as_of[11];
	int64_t from_d, to_d, as_of_d;
	const char *caseref;
	int64_t case_id;
	sv_calendar *cal;
	sv_render_event ev[MAX_EVENTS];
	char *ev_label[MAX_EVENTS];
	char *ev_note[MAX_EVENTS];
	size_t nev;
};

/* ---- the figure helpers: one call puts a figure into the PDF and the JSON --------------------- */

static int fig_para(rctx *c, const char *text)
{
	return sv_render_para(c->r, text);
}

/*
 * A table `id` (a key of "figures") titled `title`, of `ncols` columns;
 * bit i of `numeric` marks column i a count (right-aligned).
 */
static int fig_table(rctx *c, const char *id, const char *title, size_t ncols, const char *const *cols,
		     unsigned numeric)
{
	sv_json *t = NULL, *colj = NULL;
	int error;

	if (!(t = sv_json_object()) || !(colj = sv_json_array()) || !(c->rows = sv_json_array())) {
		sv_json_free(t);
		sv_json_free(colj);
		return SCRVAULT_ERROR;
	}
	for (size_t i = 0; i < ncols; i++)
		if (sv_json_append(colj, sv_json_string(cols[i])) < 0) {
			sv_json_free(t);
			sv_json_free(colj);
			sv_json_free(c->rows);
			return SCRVAULT_ERROR;
		}
	if ((error = sv_json_set_str(t, "title", title)) < 0 || (error = sv_json_set(t, "columns", colj)) < 0) {
		sv_json_free(t);
		sv_json_free(c->rows);
		return error;
	}
	colj = c->rows;
	if ((error = sv_json_set(t, "rows", colj)) < 0 || (error = sv_json_set(c->figures, id, t)) < 0)
		return error;
	c->ncols = ncols;
	if (title && (error = sv_render_para(c->r, title)) < 0)
		return error;
	return sv_render_table(c->r, ncols, cols, numeric);
}

/* A row of the open table: `ncols` texts (NULL: empty). */
static int fig_row(rctx *c, const char *const *cells)
{
	const char *cs[16];
	sv_json *row = sv_json_array();

	if (!row || c->ncols > 16)
		return SCRVAULT_ERROR;
	for (size_t i = 0; i < c->ncols; i++) {
		cs[i] = cells[i] ? cells[i] : "";
		if (sv_json_append(row, sv_json_string(cs[i])) < 0) {
			sv_json_free(row);
			return SCRVAULT_ERROR;
		}
	}
	if (sv_json_append(c->rows, row) < 0)
		return SCRVAULT_ERROR;
	return sv_render_row(c->r, cs);
}

/* A row of a label and `n` counts. */
static int fig_counts(rctx *c, const char *label, size_t n, const int64_t *counts)
{
	char num[16][24];
	const char *cells[16];

	if (n + 1 > 16)
		return SCRVAULT_ERROR;
	cells[0] = label;
	for (size_t i = 0; i < n; i++) {
		snprintf(num[i], sizeof(num[i]), "%lld", (long long)counts[i]);
		cells[i + 1] = num[i];
	}
	return fig_row(c, cells);
}

/* A bar chart `id`: one count per category (also a table of the figures in the JSON). */
static int fig_bars(rctx *c, const char *id, const char *title, const char *what, size_t n,
		    const char *const *labels, const int64_t *values)
{
	sv_json *t = sv_json_object(), *cols = sv_json_array(), *rows = sv_json_array();
	int error = SCRVAULT_ERROR;

	if (!t || !cols || !rows || sv_json_append(cols, sv_json_string(what)) < 0 ||
	    sv_json_append(cols, sv_json_string("count")) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		sv_json *row = sv_json_array();
		char num[24];

		snprintf(num, sizeof(num), "%lld", (long long)values[i]);
		if (!row || sv_json_append(row, sv_json_string(labels[i])) < 0 ||
		    sv_json_append(row, sv_json_string(num)) < 0 || sv_json_append(rows, row) < 0) {
			sv_json_free(row);
			goto fail;
		}
	}
	if (sv_json_set_str(t, "title", title) < 0 || sv_json_set_str(t, "chart", "bars") < 0 ||
	    sv_json_set(t, "columns", cols) < 0) {
		cols = NULL;
		goto fail;
	}
	cols = NULL;
	if (sv_json_set(t, "rows", rows) < 0) {
		rows = NULL;
		goto fail;
	}
	rows = NULL;
	if ((error = sv_json_set(c->figures, id, t)) < 0)
		return error;
	return sv_render_bars(c->r, title, n, labels, values);
fail:
	sv_json_free(t);
	sv_json_free(cols);
	sv_json_free(rows);
	return error;
}

/*
 * A milestone of the case's timeline: `label`, the day it happened
 * (YYYY-MM-DD or a time; NULL: not yet; after the as-of day: not yet), its
 * deadline (a day number or SV_RENDER_NONE) and its status in words (NULL:
 * worked out from the two; the clocks give the engine's).  Drawn by
 * fig_timeline.
 */
static int fig_event(rctx *c, const char *label, const char *day, int64_t due, const char *note)
{
	char d[11] = "";
	int64_t n = SV_RENDER_NONE;

	if (day && strlen(day) >= 10) {
		memcpy(d, day, 10);
		if (sv_day_parse(&n, d) < 0 || n > c->as_of_d)
			n = SV_RENDER_NONE;
	}
	if (n == SV_RENDER_NONE && due == SV_RENDER_NONE)
		return 0;
	if (c->nev == MAX_EVENTS)
		return 0;
	if (!(c->ev_label[c->nev] = strdup(label)) || (note && !(c->ev_note[c->nev] = strdup(note)))) {
		free(c->ev_label[c->nev]);
		c->ev_label[c->nev] = NULL;
		return SCRVAULT_ERROR;
	}
	c->ev[c->nev] = (sv_render_event){ c->ev_label[c->nev], n, due, c->ev_note[c->nev] };
	c->nev++;
	return 0;
}

static int cmp_event(const void *a, const void *b)
{
	const sv_render_event *x = a, *y = b;
	int64_t kx = x->day != SV_RENDER_NONE ? x->day : x->due, ky = y->day != SV_RENDER_NONE ? y->day : y->due;

	if (kx != ky)
		return kx < ky ? -1 : 1;
	return strcmp(x->label, y->label);
}

/* The milestones so far, in date order: a chart `id` and a table. */
static int fig_timeline(rctx *c, const char *id, const char *title)
{
	static const char *const cols[] = { "milestone", "date", "deadline", "status" };
	int error;

	if (c->nev > 1)
		qsort(c->ev, c->nev, sizeof(c->ev[0]), cmp_event);
	if ((error = sv_render_timeline(c->r, title, c->nev, c->ev)) < 0 ||
	    (error = fig_table(c, id, NULL, 4, cols, 0)) < 0)
		return error;
	for (size_t i = 0; i < c->nev; i++) {
		const sv_render_event *e = &c->ev[i];
		char day[11] = "", due[11] = "", status[48] = "";

		if (e->day != SV_RENDER_NONE)
			sv_day_format(day, e->day);
		if (e->due != SV_RENDER_NONE)
			sv_day_format(due, e->due);
		if (e->note)
			snprintf(status, sizeof(status), "%s", e->note);
		else if (e->due == SV_RENDER_NONE)
			snprintf(status, sizeof(status), "%s", "");
		else if (e->day != SV_RENDER_NONE)
			snprintf(status, sizeof(status), e->day <= e->due ? "on time" : "late by %lld days",
				 (long long)(e->day - e->due));
		else if (e->due < c->as_of_d)
			snprintf(status, sizeof(status), "overdue by %lld days", (long long)(c->as_of_d - e->due));
		else
			snprintf(status, sizeof(status), "due");
		if ((error = fig_row(c, (const char *[]){ e->label, day, due, status })) < 0)
			return error;
	}
	return 0;
}

/*
 * A milestone's status in words, from the clock engine's status, late_days
 * and extended (scrvault_clock_list_each, scrvault_case_timeline): the one
 * place a report turns the engine's verdict into text.
 */
static void clock_words(char *out, size_t len, const char *status, int64_t late, bool extended)
{
	const char *plural = late == 1 ? "" : "s";

	if (!status)
		status = "";
	if (!strcmp(status, "done on time"))
		snprintf(out, len, extended ? "on time, extended" : "on time");
	else if (!strcmp(status, "done late"))
		snprintf(out, len, "late by %lld day%s%s", (long long)late, plural, extended ? ", extended" : "");
	else if (!strcmp(status, "overdue"))
		snprintf(out, len, "overdue by %lld day%s%s", (long long)late, plural, extended ? ", extended" : "");
	else if (!strcmp(status, "extended") || (extended && (!strcmp(status, "due") || !strcmp(status, "open"))))
		snprintf(out, len, "extended, %s", strcmp(status, "extended") ? status : "running");
	else
		snprintf(out, len, "%s", status);
}

/* ---- the Board's report --------------------------------------------------------------------------- */

/*
 * The statutory clocks over the period, from the clock engine as of the
 * period's last day (sv_clock_each, the rows of scrvault_clock_list_each: one place decides on time or
 * late): decisions made (a review or none), reviews completed (on time, on
 * time extended, late), IMRs received and overdue by agency, Ofsted's and
 * the action plan's deadlines.  One pass over every milestone, counted
 * here; the tables follow.
 */
#define MAX_AGENCIES 64
enum { K_ON_TIME, K_EXTENDED, K_LATE, K_OVERDUE, K_RUNNING_EXTENDED, K_N };

typedef struct {
	rctx *c;
	char **none;			/* the references of the cases decided "none" (sorted) */
	size_t nnone;
	int64_t decision[2][K_N];	/* [review, none] */
	int64_t completion[K_N];
	int64_t ofsted[3][K_N];		/* summary, improvement plan, action-plan reviews */
	char agency[MAX_AGENCIES][64];
	int64_t imr[MAX_AGENCIES][K_N];
	size_t nagency;
	sv_json *late;			/* [case, due, done, status] of completions late or extended */
} clock_tally;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int none_row(void *ctx, sv_stmt *st)
{
	clock_tally *t = ctx;
	char **grown;

	if (!(grown = realloc(t->none, (t->nnone + 1) * sizeof(*t->none))))
		return SCRVAULT_ERROR;
	t->none = grown;
	if (!(t->none[t->nnone] = strdup(sv_stmt_text(st, 0))))
		return SCRVAULT_ERROR;
	t->nnone++;
	return 0;
}

/* Which column of the counts a milestone falls in, or -1 when none (done outside the period, open). */
static int clock_kind(const clock_tally *t, const sv_milestone *m)
{
	if (m->done >= 0) {
		if (m->done < t->c->from_d || m->done > t->c->to_d)
			return -1;
		if (m->status == SV_MS_DONE_ON_TIME)
			return m->extended ? K_EXTENDED : K_ON_TIME;
		return m->status == SV_MS_DONE_LATE ? K_LATE : -1;
	}
	if (m->status == SV_MS_OVERDUE)
		return K_OVERDUE;
	return m->extended ? K_RUNNING_EXTENDED : -1;
}

static int clock_row(void *ctx, const sv_clock_row *row)
{
	clock_tally *t = ctx;
	const sv_milestone *m = row->m;
	const char *ref = row->ref;
	int k = clock_kind(t, m);

	if (k < 0)
		return 0;
	switch (m->clock) {
	case SV_CLOCK_DECISION: {
		bool none = t->nnone && bsearch(&ref, t->none, t->nnone, sizeof(*t->none), cmp_str);

		t->decision[none][k]++;
		break;
	}
	case SV_CLOCK_COMPLETION:
		t->completion[k]++;
		/* listed: completed late or by an extended date, or running extended (overdue: counted) */
		if (k == K_LATE || k == K_EXTENDED || k == K_RUNNING_EXTENDED) {
			char words[64], due[11] = "", done[11] = "";
			sv_json *r = sv_json_array();

			if (m->due >= 0)
				sv_day_format(due, m->due);
			if (m->done >= 0)
				sv_day_format(done, m->done);
			clock_words(words, sizeof(words), sv_ms_status_name(m->status), m->late_days, m->extended);
			if (!r || sv_json_append(r, sv_json_string(ref)) < 0 || sv_json_append(r, sv_json_string(due)) < 0 ||
			    sv_json_append(r, sv_json_string(done)) < 0 || sv_json_append(r, sv_json_string(words)) < 0 ||
			    sv_json_append(t->late, r) < 0) {
				sv_json_free(r);
				return SCRVAULT_ERROR;
			}
		}
		break;
	case SV_CLOCK_IMR: {
		size_t i;

		if (!row->agency)
			return 0;
		for (i = 0; i < t->nagency && strcmp(t->agency[i], row->agency); i++)
			;
		if (i == t->nagency) {
			if (t->nagency == MAX_AGENCIES)
				return sv_error(SCRVAULT_ERROR, "more than %d agencies asked for IMRs", MAX_AGENCIES);
			snprintf(t->agency[t->nagency++], sizeof(t->agency[0]), "%s", row->agency);
		}
		t->imr[i][k]++;
		break;
	}
	case SV_CLOCK_OFSTED_SUMMARY:
		t->ofsted[0][k]++;
		break;
	case SV_CLOCK_IMPROVEMENT_PLAN:
		t->ofsted[1][k]++;
		break;
	case SV_CLOCK_PLAN_REVIEW:
		t->ofsted[2][k]++;
		break;
	default:
		break;
	}
	return 0;
}

static int board_clocks(rctx *c)
{
	static const char *const dcols[] = { "decisions", "decided on time", "decided late", "overdue at end" };
	static const char *const ccols[] = { "completions", "on time", "on time, extended", "late", "overdue at end",
					     "running, extended" };
	static const char *const lcols[] = { "case", "due", "completed", "status" };
	static const char *const icols[] = { "agency", "received on time", "received late", "overdue at end" };
	static const char *const ocols[] = { "deadline", "met", "missed", "overdue at end" };
	static const char *const onames[] = { "summary to Ofsted", "improvement plan to Ofsted", "action-plan review" };
	scrvault_clock_filter f = SCRVAULT_CLOCK_FILTER_INIT;
	clock_tally *t = calloc(1, sizeof(*t));
	int error;

	if (!t || !(t->late = sv_json_array())) {
		free(t);
		return SCRVAULT_ERROR;
	}
	t->c = c;
	f.as_of = c->to;
	if ((error = sv_db_each(c->v->db, none_row, t, "SELECT ref FROM cases WHERE status = 'no-review'"
				" AND decision_date <= ?", "t", c->to)) < 0)
		goto done;
	if (t->nnone > 1)
		qsort(t->none, t->nnone, sizeof(*t->none), cmp_str);
	if ((error = sv_clock_each(c->v, &f, clock_row, t)) < 0)
		goto done;
	/* decisions: to review or not ("no further action" counted with the others) */
	if ((error = fig_table(c, "decisions", "Decisions whether to review, made in the period (the decision clock)", 4,
			       dcols, 0xe)) < 0 ||
	    (error = fig_counts(c, "review", 3, (int64_t[]){ t->decision[0][K_ON_TIME] + t->decision[0][K_EXTENDED],
							    t->decision[0][K_LATE], t->decision[0][K_OVERDUE] })) < 0 ||
	    (error = fig_counts(c, "no further action", 3,
				(int64_t[]){ t->decision[1][K_ON_TIME] + t->decision[1][K_EXTENDED], t->decision[1][K_LATE],
					     t->decision[1][K_OVERDUE] })) < 0)
		goto done;
	/* completion, extensions counted */
	if ((error = fig_table(c, "completion", "Reviews completed in the period (the completion clock, extensions counted)",
			       6, ccols, 0x3e)) < 0 ||
	    (error = fig_counts(c, "reviews", 5, (int64_t[]){ t->completion[K_ON_TIME], t->completion[K_EXTENDED],
							     t->completion[K_LATE], t->completion[K_OVERDUE],
							     t->completion[K_RUNNING_EXTENDED] })) < 0)
		goto done;
	if (sv_json_count(t->late)) {
		if ((error = fig_table(c, "completion_late", "Reviews completed late or extended (the reasons given for an "
				       "extension stay in the vault)", 4, lcols, 0)) < 0)
			goto done;
		for (size_t i = 0; i < sv_json_count(t->late); i++) {
			const sv_json *r = sv_json_at(t->late, i);

			if ((error = fig_row(c, (const char *[]){ sv_json_str(sv_json_at(r, 0)), sv_json_str(sv_json_at(r, 1)),
							       sv_json_str(sv_json_at(r, 2)),
							       sv_json_str(sv_json_at(r, 3)) })) < 0)
				goto done;
		}
	}
	/* IMRs by agency: a table and a chart of those late or overdue */
	if ((error = fig_table(c, "imrs", "IMRs by agency: first drafts received in the period, and overdue at its end",
			       4, icols, 0xe)) < 0)
		goto done;
	{
		const char *labels[MAX_AGENCIES];
		int64_t late[MAX_AGENCIES];
		size_t order[MAX_AGENCIES];

		/* the agencies in name order (counted in the order they came) */
		for (size_t i = 0; i < t->nagency; i++) {
			size_t j = i;

			for (; j > 0 && strcmp(t->agency[order[j - 1]], t->agency[i]) > 0; j--)
				order[j] = order[j - 1];
			order[j] = i;
		}
		for (size_t x = 0; x < t->nagency; x++) {
			size_t i = order[x];
			const int64_t *n = t->imr[i];

			labels[x] = t->agency[i];
			late[x] = n[K_LATE] + n[K_OVERDUE];
			if ((error = fig_counts(c, t->agency[i], 3,
						(int64_t[]){ n[K_ON_TIME] + n[K_EXTENDED], n[K_LATE], n[K_OVERDUE] })) < 0)
				goto done;
		}
		if (t->nagency &&
		    (error = fig_bars(c, "imrs_late", "IMRs received late or overdue at the end, by agency", "agency",
				      t->nagency, labels, late)) < 0)
			goto done;
	}
	/* Ofsted's deadlines and the action plan's reviews */
	if ((error = fig_table(c, "ofsted", "Ofsted's and the action plan's deadlines in the period", 4, ocols, 0xe)) < 0)
		goto done;
	for (int o = 0; o < 3; o++)
		if ((error = fig_counts(c, onames[o], 3,
					(int64_t[]){ t->ofsted[o][K_ON_TIME] + t->ofsted[o][K_EXTENDED], t->ofsted[o][K_LATE],
						     t->ofsted[o][K_OVERDUE] })) < 0)
			goto done;
done:
	for (size_t i = 0; i < t->nnone; i++)
		free(t->none[i]);
	free(t->none);
	sv_json_free(t->late);
	free(t);
	return error < 0 ? error : 0;
}

/* Reviews by type: opened, decided, concluded, published in the period, open at its end. */
static int board_reviews(rctx *c)
{
	static const char *const cols[] = { "review type", "opened", "decided", "concluded", "published",
					     "open at end" };
	static const char *const list_cols[] = { "case", "type", "received", "decided", "opened", "concluded",
						  "published" };
	int64_t total[5] = { 0 };
	sv_stmt *st = NULL;
	char after[11];
	int error;

	if (sv_date_add(after, c->to, 1, 'd') < 0)
		return sv_error_field(SCRVAULT_EUSAGE, "to", "'%s' is the last day there is", c->to);
	if ((error = fig_table(c, "reviews", "Reviews by type, in the period and open at its end", 6, cols,
			       0x3e)) < 0)
		return error;
	for (int t = 0; t < SV_REVIEW_TYPES; t++) {
		int64_t n[5] = { 0 };

		if ((error = sv_db_query(&st, c->v->db,
				"SELECT"
				" sum(substr(opened_at, 1, 10) BETWEEN ?2 AND ?3),"
				" sum(coalesce(decision_date BETWEEN ?2 AND ?3, 0)),"
				" sum(coalesce(concluded_on BETWEEN ?2 AND ?3, 0)),"
				" sum(coalesce(published_on BETWEEN ?2 AND ?3, 0)),"
				" sum(substr(opened_at, 1, 10) <= ?3 AND (concluded_on IS NULL OR concluded_on > ?3))"
				" FROM cases WHERE review_type = ?1", "ttt", sv_review_types[t], c->from, c->to)) < 0)
			return error;
		if ((error = sv_stmt_step(st)) == 1)
			for (int k = 0; k < 5; k++)
				total[k] += n[k] = sv_stmt_int(st, k);
		sv_stmt_free(st);
		if (error < 0 || (error = fig_counts(c, sv_review_types[t], 5, n)) < 0)
			return error;
	}
	if ((error = fig_counts(c, "all", 5, total)) < 0)
		return error;
	/* the reviews themselves, by reference only */
	/* only those with something in the period: the counts above answer for the rest */
	if ((error = fig_table(c, "review_list", "Reviews received, decided, opened, concluded or published in the "
			       "period (case references only)", 7, list_cols, 0)) < 0 ||
	    (error = sv_db_query(&st, c->v->db,
				 "SELECT ref, review_type, received_on, decision_date, substr(opened_at, 1, 10),"
				 " concluded_on, published_on FROM cases WHERE received_on BETWEEN ?1 AND ?2"
				 " OR decision_date BETWEEN ?1 AND ?2 OR opened_at BETWEEN ?1 AND ?3"
				 " OR concluded_on BETWEEN ?1 AND ?2 OR published_on BETWEEN ?1 AND ?2 ORDER BY ref", "ttt",
				 c->from, c->to, after)) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1) {
		const char *cells[7];

		for (int k = 0; k < 7; k++) {
			cells[k] = sv_stmt_text(st, k);
			/* a date after the period had not happened yet as of its end */
			if (k >= 2 && cells[k] && strncmp(cells[k], c->to, 10) > 0)
				cells[k] = NULL;
		}
		if ((error = fig_row(c, cells)) < 0)
			break;
	}
	sv_stmt_free(st);
	return error < 0 ? error : 0;
}

/* The copy register: issued and returned in the period; out and overdue at its end, by state. */
/* Count one copy (or `cnt` alike) in state `state` at the period's end; sign -1 takes it back. */
static void tally(int64_t by_state[7], int64_t n[2][2], int kind, const char *state, bool late, int64_t cnt)
{
	static const char *const states[] = { "in-store", "issued", "overdue", "lost", "returned", "destroyed",
					      "transferred" };

	if (!state)
		return;		/* made after the period */
	if (!strcmp(state, "issued") && late)
		state = "overdue";
	for (int i = 0; i < 7; i++)
		if (!strcmp(state, states[i]))
			by_state[i] += cnt;
	if (!strcmp(state, "issued") || !strcmp(state, "overdue") || !strcmp(state, "lost"))
		n[kind][0] += cnt;
	if (!strcmp(state, "overdue"))
		n[kind][1] += cnt;
}

static int board_copies(rctx *c)
{
	static const char *const cols[] = { "copies", "out at end", "overdue at end" };
	static const char *const moves[] = { "movements", "issued", "returned" };
	static const char *const states[] = { "in-store", "issued", "overdue", "lost", "returned", "destroyed",
					      "transferred" };
	static const char *const kinds[] = { "paper", "electronic" };
	int64_t by_state[7] = { 0 }, n[2][2] = { { 0 } }, total[2] = { 0 }, moved[2] = { 0 };
	char after[11];
	sv_stmt *st = NULL;
	int error;

	/* issued (or released) and returned in the period (the index copy_events_moves) */
	if (sv_date_add(after, c->to, 1, 'd') < 0)
		return sv_error_field(SCRVAULT_EUSAGE, "to", "'%s' is the last day there is", c->to);
	if ((error = sv_db_query(&st, c->v->db,
				 "SELECT to_state = 'returned', count(*) FROM copy_events WHERE to_state IN"
				 " ('issued', 'returned') AND at >= ?1 AND at < ?2 GROUP BY 1", "tt", c->from, after)) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1)
		moved[sv_stmt_int(st, 0) ? 1 : 0] += sv_stmt_int(st, 1);
	sv_stmt_free(st);
	if (error < 0)
		return error;
	/*
	 * Each copy's state at the end: today's state, then the few copies
	 * whose history moved on after the period taken back and counted again
	 * in their state then (their last event before it).  Today's states are
	 * counted over ranges of two narrow indexes: copies_state_due by
	 * state; the copies out (issued, lost) by kind and due from
	 * copies_state_kind (schema 19), a paper copy being any not electronic.
	 */
	if ((error = sv_db_query(&st, c->v->db,
				 "SELECT (SELECT count(*) FROM copies WHERE state = 'in-store'),"
				 " (SELECT count(*) FROM copies WHERE state = 'returned'),"
				 " (SELECT count(*) FROM copies WHERE state = 'destroyed'),"
				 " (SELECT count(*) FROM copies WHERE state = 'transferred'),"
				 " (SELECT count(*) FROM copies WHERE state = 'issued'),"
				 " (SELECT count(*) FROM copies WHERE state = 'issued' AND due < ?1),"
				 " (SELECT count(*) FROM copies WHERE state = 'issued' AND kind = 'electronic'),"
				 " (SELECT count(*) FROM copies WHERE state = 'issued' AND kind = 'electronic' AND due < ?1),"
				 " (SELECT count(*) FROM copies WHERE state = 'lost'),"
				 " (SELECT count(*) FROM copies WHERE state = 'lost' AND due < ?1),"
				 " (SELECT count(*) FROM copies WHERE state = 'lost' AND kind = 'electronic'),"
				 " (SELECT count(*) FROM copies WHERE state = 'lost' AND kind = 'electronic' AND due < ?1)",
				 "t", c->to)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1) {
		static const int stored[] = { 0, 4, 5, 6 };	/* in-store, returned, destroyed, transferred */

		for (int i = 0; i < 4; i++)
			by_state[stored[i]] = sv_stmt_int(st, i);
		for (int o = 0; o < 2; o++) {	/* issued, lost: all, late, electronic, electronic late */
			const char *state = o ? "lost" : "issued";
			int64_t all = sv_stmt_int(st, 4 + 4 * o), late = sv_stmt_int(st, 5 + 4 * o);
			int64_t e = sv_stmt_int(st, 6 + 4 * o), el = sv_stmt_int(st, 7 + 4 * o);

			tally(by_state, n, 0, state, false, all - late - (e - el));
			tally(by_state, n, 0, state, true, late - el);
			tally(by_state, n, 1, state, false, e - el);
			tally(by_state, n, 1, state, true, el);
		}
		error = 0;
	}
	sv_stmt_free(st);
	if (error < 0)
		return error;
	if ((error = sv_db_query(&st, c->v->db,
				 "SELECT x.kind = 'electronic', x.state, coalesce(x.due < ?1, 0),"
				 " (SELECT e.to_state FROM copy_events e WHERE e.copy_id = x.id AND e.at < ?2"
				 "  ORDER BY e.id DESC LIMIT 1) FROM copies x WHERE x.id IN (SELECT copy_id FROM copy_events"
				 " WHERE to_state IN ('in-store', 'issued', 'returned', 'lost', 'destroyed', 'transferred')"
				 " AND at >= ?2)", "tt", c->to, after)) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1) {
		int k = sv_stmt_int(st, 0) ? 1 : 0;
		bool late = sv_stmt_int(st, 2) != 0;

		tally(by_state, n, k, sv_stmt_text(st, 1), late, -1);
		tally(by_state, n, k, sv_stmt_text(st, 3), late, 1);
	}
	sv_stmt_free(st);
	if (error < 0)
		return error;
	if ((error = fig_table(c, "copy_moves", "Numbered copies issued and returned in the period", 3, moves,
			       0x6)) < 0 ||
	    (error = fig_counts(c, "all", 2, moved)) < 0 ||
	    (error = fig_table(c, "copies", "Numbered copies out at the end of the period", 3, cols, 0x6)) < 0)
		return error;
	for (int k = 0; k < 2; k++) {
		if ((error = fig_counts(c, kinds[k], 2, n[k])) < 0)
			return error;
		for (int i = 0; i < 2; i++)
			total[i] += n[k][i];
	}
	if ((error = fig_counts(c, "all", 2, total)) < 0)
		return error;
	return fig_bars(c, "copies_by_state", "Copies by state at the end of the period", "state", 7, states,
			by_state);
}

/* FOI requests: received in the period; answered in it, on time or late; open and overdue at its end. */
typedef struct {
	rctx *c;
	int64_t n[5];
	int error;
} foi_count;

static int foi_row(void *ctx, sv_stmt *st)
{
	foi_count *f = ctx;
	rctx *c = f->c;
	const char *received = sv_stmt_text(st, 1), *responded = sv_stmt_text(st, 2);
	int64_t due = -1, resp = 0;
	int error;

	if ((error = sv_request_foi_due_day(&due, c->v, c->cal, sv_stmt_int(st, 0), received)) < 0)
		return error;
	if (strcmp(received, c->from) >= 0 && strcmp(received, c->to) <= 0)
		f->n[0]++;
	if (responded && strcmp(responded, c->from) >= 0 && strcmp(responded, c->to) <= 0) {
		if (sv_day_parse(&resp, responded) < 0)
			return SCRVAULT_EINTEGRITY;
		f->n[due < 0 || resp <= due ? 1 : 2]++;
	}
	if (strcmp(received, c->to) <= 0 && (!responded || strcmp(responded, c->to) > 0)) {
		f->n[3]++;
		if (due >= 0 && due < c->to_d)
			f->n[4]++;
	}
	return 0;
}

static int board_foi(rctx *c)
{
	static const char *const cols[] = { "requests", "received", "answered on time", "answered late",
					     "open at end", "overdue at end" };
	foi_count f = { c, { 0 }, 0 };
	int error;

	if ((error = fig_table(c, "foi", "Freedom of Information requests (due in the policy's working days)", 6,
			       cols, 0x3e)) < 0 ||
	    (error = sv_db_each(c->v->db, foi_row, &f, "SELECT id, received_on, responded_on FROM requests"
				" WHERE channel = 'foi' AND received_on <= ? ORDER BY id", "t", c->to)) < 0)
		return error;
	return fig_counts(c, "FOI", 5, f.n);
}

/* Destructions done in the period, each with its certificate (the destruction record). */
static int board_destructions(rctx *c)
{
	static const char *const cols[] = { "certificate", "case", "class", "document", "destroyed", "authorised" };
	sv_stmt *st = NULL;
	int64_t n = 0;
	int error;

	if ((error = fig_table(c, "destructions", "Destructions done in the period, with their certificates", 6,
			       cols, 0x1)) < 0 ||
	    (error = sv_db_query(&st, c->v->db,
				 "SELECT id, case_ref, class, substr(doc_id, 1, 12) || '@' || version, substr(destroyed_at, 1, 10),"
				 " authorised_by FROM destructions WHERE substr(destroyed_at, 1, 10) BETWEEN ? AND ?"
				 " ORDER BY id", "tt", c->from, c->to)) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1) {
		char id[24];

		snprintf(id, sizeof(id), "%lld", (long long)sv_stmt_int(st, 0));
		n++;
		if ((error = fig_row(c, (const char *[]){ id, sv_stmt_text(st, 1), sv_stmt_text(st, 2),
						       sv_stmt_text(st, 3), sv_stmt_text(st, 4),
						       sv_stmt_text(st, 5) })) < 0)
			break;
	}
	sv_stmt_free(st);
	if (error < 0)
		return error;
	if (!n)
		return fig_para(c, "No destructions in the period.");
	return 0;
}

/* Legal holds in force at the end of the period (their reasons stay in the vault). */

/* Each row of `st` (a hold: its id, then four texts) into the table; frees st. */
static int hold_rows(rctx *c, sv_stmt *st)
{
	int error;

	while ((error = sv_stmt_step(st)) == 1) {
		char id[24];

		snprintf(id, sizeof(id), "%lld", (long long)sv_stmt_int(st, 0));
		if ((error = fig_row(c, (const char *[]){ id, sv_stmt_text(st, 1), sv_stmt_text(st, 2),
						       sv_stmt_text(st, 3), sv_stmt_text(st, 4) })) < 0)
			break;
	}
	sv_stmt_free(st);
	return error < 0 ? error : 0;
}
static int board_holds(rctx *c)
{
	static const char *const cols[] = { "hold", "kind", "scope", "case", "placed" };
	sv_stmt *st = NULL;
	int error;

	if ((error = fig_table(c, "holds", "Legal holds in force at the end of the period", 5, cols, 0x1)) < 0 ||
	    (error = sv_db_query(&st, c->v->db,
				 "SELECT h.id, h.kind, h.scope, coalesce(k.ref, (SELECT ref FROM cases WHERE id ="
				 " (SELECT case_id FROM documents WHERE id = h.doc_id))), substr(h.placed_at, 1, 10)"
				 " FROM holds h LEFT JOIN cases k ON k.id = h.case_id"
				 " WHERE substr(h.placed_at, 1, 10) <= ?1"
				 " AND (h.released_at IS NULL OR substr(h.released_at, 1, 10) > ?1) ORDER BY h.id",
				 "t", c->to)) < 0)
		return error;
	return hold_rows(c, st);
}

/* The Board's report, in order.  A new figure: a function above and a line here. */
static const report_part board_parts[] = {
	{ "Reviews", board_reviews },
	{ "Statutory timescales", board_clocks },
	{ "Copies", board_copies },
	{ "Freedom of Information", board_foi },
	{ "Destructions", board_destructions },
	{ "Legal holds", board_holds },
};

/* ---- a case's report ------------------------------------------------------------------------------ */

static int case_dates(rctx *c)
{
	static const char *const cols[] = { "field", "value" };
	static const char *const names[] = { "reference", "review type", "status", "received", "decided", "opened",
					     "concluded", "action plan approved", "Ofsted approved", "published" };
	sv_stmt *st = NULL;
	int error;

	if ((error = fig_table(c, "case", NULL, 2, cols, 0)) < 0 ||
	    (error = sv_db_query(&st, c->v->db,
				 "SELECT ref, review_type, status, received_on, decision_date, substr(opened_at, 1, 10),"
				 " concluded_on, action_plan_approved_on, ofsted_approved_on, published_on FROM cases"
				 " WHERE id = ?", "i", c->case_id)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1) {
		for (int k = 0; k < 10; k++) {
			const char *val = sv_stmt_text(st, k);

			/* a date after the as-of day had not happened yet */
			if (k >= 3 && val && strncmp(val, c->as_of, 10) > 0)
				val = NULL;
			if ((error = fig_row(c, (const char *[]){ names[k], val })) < 0)
				break;
		}
		if (error >= 0) {
			/* the timeline's milestones of the case itself (the statutory deadlines
			 * join them as the clocks come) */
			static const char *const what[] = { "came to the Board's attention", "case opened",
							    "concluded", "action plan approved", "approved by Ofsted",
							    "published" };
			static const int col[] = { 3, 5, 6, 7, 8, 9 };

			/* (the decision is the decision clock's milestone: case_clocks) */
			for (int k = 0; k < 6 && error >= 0; k++)
				error = fig_event(c, what[k], sv_stmt_text(st, col[k]), SV_RENDER_NONE, NULL);
		}
	}
	sv_stmt_free(st);
	return error < 0 ? error : 0;
}

static int case_documents(rctx *c)
{
	static const char *const cols[] = { "document", "class", "agency", "versions", "master", "first in",
					    "last in" };
	sv_stmt *st = NULL;
	int error;

	if ((error = fig_table(c, "documents", "Documents (by the start of their ids; titles stay in the vault)", 7, cols, 0x18)) < 0 ||
	    (error = sv_db_query(&st, c->v->db,
				 "SELECT d.id, d.class, d.agency, (SELECT count(*) FROM versions x WHERE x.doc_id = d.id),"
				 " d.master_version, (SELECT substr(min(checked_in_at), 1, 10) FROM versions x"
				 " WHERE x.doc_id = d.id), (SELECT substr(max(checked_in_at), 1, 10) FROM versions x"
				 " WHERE x.doc_id = d.id), substr(d.master_at, 1, 10) FROM documents d"
				 " WHERE d.case_id = ? ORDER BY d.created_at, d.id", "i", c->case_id)) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1) {
		char n[24], m[24] = "", label[96], shortid[16];
		const char *id = sv_stmt_text(st, 0), *cls = sv_stmt_text(st, 1);

		if (!sv_authz_sees(c->v, "doc.list", c->caseref, cls, sv_stmt_text(st, 2)))
			continue;	/* another agency's, for an IMR author */
		snprintf(n, sizeof(n), "%lld", (long long)sv_stmt_int(st, 3));
		if (!sv_stmt_null(st, 4))
			snprintf(m, sizeof(m), "%lld", (long long)sv_stmt_int(st, 4));
		snprintf(shortid, sizeof(shortid), "%.12s", id);
		if ((error = fig_row(c, (const char *[]){ shortid, cls, sv_stmt_text(st, 2), n, m, sv_stmt_text(st, 5),
						       sv_stmt_text(st, 6) })) < 0)
			break;
		snprintf(label, sizeof(label), "%s %.8s in", cls, id);
		if ((error = fig_event(c, label, sv_stmt_text(st, 5), SV_RENDER_NONE, NULL)) < 0)
			break;
		if (m[0]) {
			snprintf(label, sizeof(label), "%s %.8s master", cls, id);
			if ((error = fig_event(c, label, sv_stmt_text(st, 7), SV_RENDER_NONE, NULL)) < 0)
				break;
		}
	}
	sv_stmt_free(st);
	return error < 0 ? error : 0;
}

static int case_copies(rctx *c)
{
	static const char *const cols[] = { "copy", "kind", "holder", "issued", "due", "state" };
	static const char *const states[] = { "in-store", "issued", "overdue", "lost", "returned", "destroyed",
					      "transferred" };
	int64_t by_state[7] = { 0 };
	sv_stmt *st = NULL;
	int error;

	if ((error = fig_table(c, "copies", NULL, 6, cols, 0)) < 0 ||
	    (error = sv_db_query(&st, c->v->db,
				 "SELECT x.doc_id, x.version, x.number, x.kind, coalesce(p.name, CASE WHEN x.ext_name"
				 " IS NOT NULL THEN 'outside holder' END), substr(x.issued_at, 1, 10), x.due, x.state,"
				 " d.class, d.agency FROM copies x JOIN documents d ON d.id = x.doc_id LEFT JOIN principals p"
				 " ON p.id = x.holder_id WHERE d.case_id = ? ORDER BY x.doc_id, x.version, x.kind,"
				 " x.number", "i", c->case_id)) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1) {
		char copy[64];
		const char *state = sv_stmt_text(st, 7), *due = sv_stmt_text(st, 6);
		bool out = !strcmp(state, "issued") || !strcmp(state, "lost");

		if (!sv_authz_sees(c->v, "copy.read", c->caseref, sv_stmt_text(st, 8), sv_stmt_text(st, 9)))
			continue;
		if (!strcmp(state, "issued") && due && strcmp(due, c->as_of) < 0)
			state = "overdue";
		for (int i = 0; i < 7; i++)
			if (!strcmp(state, states[i]))
				by_state[i]++;
		snprintf(copy, sizeof(copy), "%.8s@%lld #%lld", sv_stmt_text(st, 0), (long long)sv_stmt_int(st, 1),
			 (long long)sv_stmt_int(st, 2));
		if ((error = fig_row(c, (const char *[]){ copy, sv_stmt_text(st, 3), out ? sv_stmt_text(st, 4) : NULL,
						       out ? sv_stmt_text(st, 5) : NULL, out ? due : NULL,
						       state })) < 0)
			break;
	}
	sv_stmt_free(st);
	if (error < 0)
		return error;
	return fig_bars(c, "copies_by_state", "Copies by state", "state", 7, states, by_state);
}

typedef struct {
	rctx *c;
	int error;
} req_ctx;

static int case_request_row(void *ctx, sv_stmt *st)
{
	req_ctx *q = ctx;
	rctx *c = q->c;
	int64_t id = sv_stmt_int(st, 0), due = -1, resp = 0;
	const char *channel = sv_stmt_text(st, 1), *received = sv_stmt_text(st, 2), *responded = sv_stmt_text(st, 4);
	char num[24], dues[11] = "", status[48] = "", label[48];
	int error;

	if (!strcmp(channel, "foi") && (error = sv_request_foi_due_day(&due, c->v, c->cal, id, received)) < 0)
		return error;
	if (due >= 0)
		sv_day_format(dues, due);
	if (responded && due >= 0 && sv_day_parse(&resp, responded) == 0)
		snprintf(status, sizeof(status), resp <= due ? "on time" : "late by %lld days", (long long)(resp - due));
	else if (!responded && due >= 0 && due < c->as_of_d)
		snprintf(status, sizeof(status), "overdue");
	snprintf(num, sizeof(num), "%lld", (long long)id);
	if ((error = fig_row(c, (const char *[]){ num, channel, received, sv_stmt_text(st, 3), dues, responded,
					       status })) < 0)
		return error;
	snprintf(label, sizeof(label), "%s request %lld answered", channel, (long long)id);
	return fig_event(c, label, responded, due >= 0 ? due : SV_RENDER_NONE, NULL);
}

static int case_requests(rctx *c)
{
	static const char *const cols[] = { "request", "channel", "received", "decision", "due", "answered",
					    "on time" };
	req_ctx q = { c, 0 };
	int error;

	if (!sv_authz_sees(c->v, "request.read", c->caseref, NULL, NULL))
		return fig_para(c, "(not shown: the register of access requests is not open to your role)");
	if ((error = fig_table(c, "requests", NULL, 7, cols, 0x1)) < 0)
		return error;
	return sv_db_each(c->v->db, case_request_row, &q,
			  "SELECT r.id, r.channel, r.received_on, r.state, r.responded_on FROM requests r"
			  " WHERE r.case_id = ?1 OR r.id IN (SELECT q.request_id FROM request_docs q JOIN documents d"
			  " ON d.id = q.doc_id WHERE d.case_id = ?1) ORDER BY r.id", "i", c->case_id);
}

static int case_holds(rctx *c)
{
	static const char *const cols[] = { "hold", "kind", "scope", "placed", "released" };
	sv_stmt *st = NULL;
	int error;

	if (!sv_authz_sees(c->v, "hold.read", c->caseref, NULL, NULL))
		return fig_para(c, "(not shown: legal holds are not open to your role)");
	if ((error = fig_table(c, "holds", NULL, 5, cols, 0x1)) < 0 ||
	    (error = sv_db_query(&st, c->v->db,
				 "SELECT h.id, h.kind, h.scope, substr(h.placed_at, 1, 10), substr(h.released_at, 1, 10)"
				 " FROM holds h WHERE h.case_id = ?1 OR h.scope = 'board'"
				 " OR h.doc_id IN (SELECT id FROM documents WHERE case_id = ?1) ORDER BY h.id",
				 "i", c->case_id)) < 0)
		return error;
	return hold_rows(c, st);
}

/* The case's statutory clocks (scrvault_case_timeline): each milestone on the timeline with its deadline. */
static int case_clocks(rctx *c)
{
	sv_json *tl = NULL;
	const sv_json *ms;
	int error;

	if ((error = scrvault_case_timeline((scrvault_json **)&tl, c->v, c->caseref, c->as_of)) < 0)
		return error;
	ms = sv_json_get(tl, "milestones");
	for (size_t i = 0; i < sv_json_count(ms) && error >= 0; i++) {
		const sv_json *m = sv_json_at(ms, i);
		const char *due = sv_json_str(sv_json_get(m, "due"));
		char words[64];
		int64_t d = SV_RENDER_NONE;

		if (due && sv_day_parse(&d, due) < 0)
			d = SV_RENDER_NONE;
		clock_words(words, sizeof(words), sv_json_str(sv_json_get(m, "status")),
			    sv_json_as_int(sv_json_get(m, "late_days")), sv_json_as_bool(sv_json_get(m, "extended")));
		error = fig_event(c, sv_json_str(sv_json_get(m, "label")), sv_json_str(sv_json_get(m, "done_on")), d, words);
	}
	sv_json_free(tl);
	return error < 0 ? error : 0;
}

static int case_timeline(rctx *c)
{
	int error;

	if ((error = case_clocks(c)) < 0)
		return error;
	return fig_timeline(c, "timeline", "Milestones against their deadlines");
}

/* A case's report, in order; the timeline last, after every part has added its milestones (and the
 * clocks theirs, with their deadlines). */
static const report_part case_parts[] = {
	{ "The case", case_dates },
	{ "Documents", case_documents },
	{ "Copies", case_copies },
	{ "Access requests", case_requests },
	{ "Legal holds", case_holds },
	{ "Timeline", case_timeline },
};

/* ---- making, signing, writing ------------------------------------------------------------------------ */

static char *csv_cell(char *p, const char *s)
{
	bool quote = strpbrk(s, ",\"\n\r") != NULL;

	if (quote)
		*p++ = '"';
	for (; *s; s++) {
		if (*s == '"')
			*p++ = '"';
		*p++ = *s;
	}
	if (quote)
		*p++ = '"';
	return p;
}

/* The figures as CSV: table,row,column,value (row: the row's first cell). */
static int figures_csv(char **out, size_t *len, const sv_json *figs)
{
	size_t cap = 64;
	char *buf, *p;

	for (size_t t = 0; t < sv_json_count(figs); t++) {
		const sv_json *tab = sv_json_get(figs, sv_json_key_at(figs, t)), *rows = sv_json_get(tab, "rows");

		for (size_t r = 0; r < sv_json_count(rows); r++)
			for (size_t k = 0; k < sv_json_count(sv_json_at(rows, r)); k++)
				cap += 2 * (strlen(sv_json_key_at(figs, t)) + strlen(sv_json_str(sv_json_at(sv_json_at(rows, r), 0))) +
					    strlen(sv_json_str(sv_json_at(sv_json_get(tab, "columns"), k))) +
					    strlen(sv_json_str(sv_json_at(sv_json_at(rows, r), k)))) + 16;
	}
	if (!(buf = malloc(cap)))
		return SCRVAULT_ERROR;
	p = buf + snprintf(buf, cap, "table,row,column,value\n");
	for (size_t t = 0; t < sv_json_count(figs); t++) {
		const sv_json *tab = sv_json_get(figs, sv_json_key_at(figs, t)), *rows = sv_json_get(tab, "rows"),
			      *cols = sv_json_get(tab, "columns");

		for (size_t r = 0; r < sv_json_count(rows); r++) {
			const sv_json *row = sv_json_at(rows, r);

			for (size_t k = 0; k < sv_json_count(row); k++) {
				p = csv_cell(p, sv_json_key_at(figs, t));
				*p++ = ',';
				p = csv_cell(p, sv_json_str(sv_json_at(row, 0)));
				*p++ = ',';
				p = csv_cell(p, sv_json_str(sv_json_at(cols, k)));
				*p++ = ',';
				p = csv_cell(p, sv_json_str(sv_json_at(row, k)));
				*p++ = '\n';
			}
		}
	}
	*out = buf;
	*len = (size_t)(p - buf);
	return 0;
}

/* The current failure again, naming `field` (the message copied first: it is the buffer written). */
static int with_field(int code, const char *field)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s", scrvault_error_message());
	return sv_error_field(code, field, "%s", msg);
}

static int write_out(sv_outfile *o, const char *path, const char *field, const void *data, size_t len)
{
	int error;

	if ((error = sv_outfile_open(o, path)) < 0)
		return with_field(error, field);
	if (sv_write_all(o->fd, data, len) < 0) {
		error = sv_error_field(SCRVAULT_ERROR, field, "cannot write '%s': %s", path, strerror(errno));
		sv_outfile_abort(o);
		return error;
	}
	return 0;
}

static int check_outputs(const scrvault_report_spec *s)
{
	if (!s->output || !*s->output || !strcmp(s->output, "-"))
		return sv_error_field(SCRVAULT_EUSAGE, "output", "name the PDF to write (its signature is written "
				      "beside it, as FILE.sig)");
	if (s->csv && (!*s->csv || !strcmp(s->csv, "-")))
		return sv_error_field(SCRVAULT_EUSAGE, "csv", "name the CSV file to write");
	return 0;
}

/*
 * Run the parts, lay the PDF out, sign it, write PDF, signature and CSV,
 * and put the making on record (the files appear only once it is).
 */
static int make(scrvault_json **out, rctx *c, const char *kind, const report_part *parts, size_t nparts,
		const char *title, const char *subtitle, const char *scope_line, const scrvault_report_spec *s)
{
	char footer[256], sha[2 * SV_SHA256_LEN + 1], *body = NULL, *note = NULL, *csv = NULL, *sigpath = NULL;
	unsigned char *pdf = NULL, digest[SV_SHA256_LEN];
	size_t pdflen = 0, csvlen = 0;
	sv_outfile opdf = { 0 }, osig = { 0 }, ocsv = { 0 };
	bool have_pdf = false, have_sig = false, have_csv = false;
	int error;

	snprintf(footer, sizeof(footer), "%s · %s", c->v->origin, scope_line);
	if (!(c->figures = sv_json_object()) ||
	    !(c->r = sv_render_new(&(sv_render_head){ .title = title, .subtitle = subtitle, .as_of = c->as_of,
						     .footer = footer }))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = sv_policy_calendar(&c->cal, c->v)) < 0)
		goto done;
	for (size_t i = 0; i < nparts; i++)
		if ((error = sv_render_heading(c->r, parts[i].title)) < 0 || (error = parts[i].fn(c)) < 0)
			goto done;
	if ((error = sv_render_pdf(&pdf, &pdflen, c->r)) < 0)
		goto done;
	sv_sha256(digest, pdf, pdflen);
	sv_hex(sha, digest, sizeof(digest));
	if (!(body = sv_printf(NOTE_FORMAT "\nvault %s\nkind %s\n%s\nas-of %s\nsha256 %s\n", c->v->origin, kind,
			       scope_line, c->as_of, sha)) ||
	    !(sigpath = sv_printf("%s.sig", s->output))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = sv_note_sign(&note, body, c->v->origin, c->v->audit_key)) < 0 ||
	    (s->csv && (error = figures_csv(&csv, &csvlen, c->figures)) < 0))
		goto done;
	if ((error = write_out(&opdf, s->output, "output", pdf, pdflen)) < 0)
		goto done;
	have_pdf = true;
	if ((error = write_out(&osig, sigpath, "output", note, strlen(note))) < 0)
		goto done;
	have_sig = true;
	if (s->csv) {
		if ((error = write_out(&ocsv, s->csv, "csv", csv, csvlen)) < 0)
			goto done;
		have_csv = true;
	}
	if ((error = sv_vault_begin(c->v)) < 0 ||
	    (error = sv_vault_finish(c->v, !strcmp(kind, "board") ? "report.board" : "report.case",
				     SV_ABOUT(.caseref = c->caseref),
				     SV_FIELDS(SV_STR("sha256", sha), SV_STR("as_of", c->as_of),
					       SV_IF(!c->caseref, SV_STR("from", c->from)),
					       SV_IF(!c->caseref, SV_STR("to", c->to))))) < 0)
		goto done;
	if ((error = sv_outfile_commit(&opdf)) < 0)
		goto done;
	have_pdf = false;
	if ((error = sv_outfile_commit(&osig)) < 0)
		goto done;
	have_sig = false;
	if (have_csv) {
		if ((error = sv_outfile_commit(&ocsv)) < 0)
			goto done;
		have_csv = false;
	}
	{
		const sv_json *figs = c->figures;

		error = sv_json_new(out, SV_FIELDS(SV_STR("kind", kind), SV_IF(!c->caseref, SV_STR("from", c->from)),
						   SV_IF(!c->caseref, SV_STR("to", c->to)),
						   SV_IF(c->caseref != NULL, SV_STR("case", c->caseref)),
						   SV_STR("as_of", c->as_of), SV_STR("vault", c->v->origin),
						   SV_STR("sha256", sha), SV_STR("pdf", s->output), SV_STR("sig", sigpath),
						   SV_OPT("csv", s->csv), SV_VAL("figures", figs)));
	}
done:
	if (have_pdf)
		sv_outfile_abort(&opdf);
	if (have_sig)
		sv_outfile_abort(&osig);
	if (have_csv)
		sv_outfile_abort(&ocsv);
	sv_json_free(c->figures);
	sv_render_free(c->r);
	sv_calendar_free(c->cal);
	for (size_t i = 0; i < c->nev; i++) {
		free(c->ev_label[i]);
		free(c->ev_note[i]);
	}
	free(pdf);
	free(body);
	free(note);
	free(csv);
	free(sigpath);
	return error;
}

int scrvault_report_board(scrvault_json **out, scrvault *v, const scrvault_report_spec *s)
{
	rctx c = { .v = v };
	char scope[64];
	int error;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(s, SCRVAULT_REPORT_SPEC_VERSION, "scrvault_report_spec")) < 0 ||
	    (error = check_outputs(s)) < 0)
		return error;
	if (s->as_of)
		return sv_error_field(SCRVAULT_EUSAGE, "as_of", "the Board's report is as of the period's last day: "
				      "give --to instead");
	if (!s->from)
		return sv_error_field(SCRVAULT_EUSAGE, "from", "give the period's first day (YYYY-MM-DD)");
	if (!s->to)
		return sv_error_field(SCRVAULT_EUSAGE, "to", "give the period's last day (YYYY-MM-DD)");
	if ((error = sv_date_check("from", "the period's first day", s->from, SV_DATE_PAST, NULL, NULL)) < 0 ||
	    (error = sv_date_check("to", "the period's last day", s->to, SV_DATE_PAST, s->from,
				   "the period's first day")) < 0)
		return error;
	if ((error = sv_authorize(v, "report.board", NULL)) < 0)
		return error;
	snprintf(c.from, sizeof(c.from), "%s", s->from);
	snprintf(c.to, sizeof(c.to), "%s", s->to);
	snprintf(c.as_of, sizeof(c.as_of), "%s", s->to);
	if ((error = sv_day_parse(&c.from_d, c.from)) < 0 || (error = sv_day_parse(&c.to_d, c.to)) < 0)
		return error;
	c.as_of_d = c.to_d;
	snprintf(scope, sizeof(scope), "period %s %s", c.from, c.to);
	{
		char sub[96];

		snprintf(sub, sizeof(sub), "Period %s to %s", c.from, c.to);
		return make(out, &c, "board", board_parts, SV_ARRAY_SIZE(board_parts), "Report to the Board", sub,
			    scope, s);
	}
}

int scrvault_report_case(scrvault_json **out, scrvault *v, const scrvault_report_spec *s)
{
	rctx c = { .v = v };
	char scope[96], sub[96];
	int error;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(s, SCRVAULT_REPORT_SPEC_VERSION, "scrvault_report_spec")) < 0 ||
	    (error = check_outputs(s)) < 0)
		return error;
	if (!s->case_ref || !*s->case_ref)
		return sv_error_field(SCRVAULT_EUSAGE, "case_ref", "name the case");
	/* whoever reads the case; a case out of scope answers as one that does not exist */
	if ((error = sv_authorize(v, "case.read", SV_ABOUT(.caseref = s->case_ref))) < 0 ||
	    (error = sv_authorize(v, "report.case", SV_ABOUT(.caseref = s->case_ref))) < 0)
		return error;
	if ((error = sv_db_int(&c.case_id, v->db, "SELECT id FROM cases WHERE ref = ?", "t", s->case_ref)) < 0)
		return error;
	if (!c.case_id)
		return sv_error_field(SCRVAULT_ENOTFOUND, "case_ref", "no case '%s' (see 'scrvault case list')",
				      s->case_ref);
	c.caseref = s->case_ref;
	if (s->as_of) {
		if ((error = sv_date_check("as_of", "the report's day", s->as_of, SV_DATE_PAST, NULL, NULL)) < 0)
			return error;
		snprintf(c.as_of, sizeof(c.as_of), "%s", s->as_of);
	} else {
		sv_today(c.as_of);
	}
	if ((error = sv_day_parse(&c.as_of_d, c.as_of)) < 0)
		return error;
	snprintf(scope, sizeof(scope), "case %s", s->case_ref);
	snprintf(sub, sizeof(sub), "Case %s", s->case_ref);
	return make(out, &c, "case", case_parts, SV_ARRAY_SIZE(case_parts), "Case report", sub, scope, s);
}

/* ---- verification (no vault) ------------------------------------------------------------------------ */

/* The value of line "key VALUE" of a note body, copied to out[len]; false if absent. */
static bool body_line(char *out, size_t len, const char *body, size_t blen, const char *key)
{
	size_t kl = strlen(key);

	for (const char *p = body; p < body + blen;) {
		const char *nl = memchr(p, '\n', (size_t)(body + blen - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(body + blen - p);

		if (ll > kl && !strncmp(p, key, kl) && p[kl] == ' ' && ll - kl - 1 < len) {
			memcpy(out, p + kl + 1, ll - kl - 1);
			out[ll - kl - 1] = '\0';
			return true;
		}
		p += ll + 1;
	}
	return false;
}

int scrvault_report_verify(scrvault_json **out, const char *pdfpath, const char *sigpath, const char *vkey)
{
	char name[128], *sigdefault = NULL, *note = NULL, *pdf = NULL;
	char kind[16], scope[160], as_of[16], sha[80], vault[128], want[2 * SV_SHA256_LEN + 1];
	unsigned char pub[SV_KEY_LEN], digest[SV_SHA256_LEN];
	size_t notelen = 0, pdflen = 0, bodylen = 0;
	int error;

	*out = NULL;
	if (!vkey)
		return sv_error_field(SCRVAULT_EUSAGE, "vkey", "verifying a report needs the vault's verifier key "
				      "(from 'scrvault audit pubkey')");
	if (!pdfpath)
		return sv_error_field(SCRVAULT_EUSAGE, "pdf", "name the report (FILE.pdf)");
	if ((error = sv_note_vkey_parse(name, pub, vkey)) < 0)
		return with_field(error, "vkey");
	if (!sigpath && !(sigpath = sigdefault = sv_printf("%s.sig", pdfpath)))
		return SCRVAULT_ERROR;
	if ((error = sv_file_read(&note, &notelen, sigpath, 1 << 16)) < 0 ||
	    (error = sv_file_read(&pdf, &pdflen, pdfpath, (size_t)1 << 30)) < 0)
		goto done;
	if ((error = sv_note_open(&bodylen, note, notelen, name, pub)) < 0) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", scrvault_error_message());
		error = sv_error(SCRVAULT_EINTEGRITY, "the signature '%s' is not the vault's verifier key's (%s)",
				 sigpath, msg);
		goto done;
	}
	if (bodylen < strlen(NOTE_FORMAT) + 1 || strncmp(note, NOTE_FORMAT "\n", strlen(NOTE_FORMAT) + 1) ||
	    !body_line(kind, sizeof(kind), note, bodylen, "kind") ||
	    !body_line(as_of, sizeof(as_of), note, bodylen, "as-of") ||
	    !body_line(sha, sizeof(sha), note, bodylen, "sha256") ||
	    !body_line(vault, sizeof(vault), note, bodylen, "vault") ||
	    (!body_line(scope, sizeof(scope), note, bodylen, "period") &&
	     !body_line(scope, sizeof(scope), note, bodylen, "case"))) {
		error = sv_error(SCRVAULT_EINTEGRITY, "'%s' is not the signature of a report", sigpath);
		goto done;
	}
	sv_sha256(digest, pdf, pdflen);
	sv_hex(want, digest, sizeof(digest));
	if (strcmp(want, sha)) {
		error = sv_error(SCRVAULT_EINTEGRITY, "'%s' is not the report the signature names: its SHA-256 is %s,"
				 " the signed one %s", pdfpath, want, sha);
		goto done;
	}
	error = sv_json_new(out, SV_FIELDS(SV_BOOL("ok", true), SV_STR("kind", kind),
					   SV_IF(!strcmp(kind, "board"), SV_STR("period", scope)),
					   SV_IF(strcmp(kind, "board") != 0, SV_STR("case", scope)),
					   SV_STR("as_of", as_of), SV_STR("sha256", sha), SV_STR("vault", vault)));
done:
	free(sigdefault);
	free(note);
	free(pdf);
	return error;
}
