/*
 * clock.c - the statutory clocks of a review: timescales parsed, due dates,
 * and each milestone's status on a given day (clock.h has the rules).
 *
 * Pure computation: no I/O, no database, no clock.  It must never read the
 * time itself: the day to judge on is the caller's (sv_as_of), so a
 * timeline "as of" any day is reproducible.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/clock.h"
#include "base/date.h"

const char *const sv_clock_names[SV_CLOCKS] = {
	"decision", "imr", "completion", "ofsted-summary", "improvement-plan", "plan-review"
};

const char *const sv_anchor_names[SV_ANCHORS] = {
	"received", "decision", "commissioned", "evaluation", "completed"
};

int sv_clock_index(const char *name)
{
	for (int i = 0; name && i < SV_CLOCKS; i++)
		if (!strcmp(sv_clock_names[i], name))
			return i;
	return -1;
}

bool sv_clock_anchor_ok(sv_clock_id clock, sv_anchor anchor)
{
	switch (clock) {
	case SV_CLOCK_DECISION:		return anchor == SV_ANCHOR_RECEIVED;
	case SV_CLOCK_IMR:		return anchor == SV_ANCHOR_DECISION || anchor == SV_ANCHOR_COMMISSIONED;
	case SV_CLOCK_COMPLETION:	return anchor == SV_ANCHOR_DECISION;
	case SV_CLOCK_OFSTED_SUMMARY:
	case SV_CLOCK_IMPROVEMENT_PLAN:	return anchor == SV_ANCHOR_EVALUATION;
	case SV_CLOCK_PLAN_REVIEW:	return anchor == SV_ANCHOR_COMPLETED;
	default:			return false;
	}
}

const char *sv_timescale_unit_name(char unit)
{
	switch (unit) {
	case SV_TS_DAYS:	return "days";
	case SV_TS_WORKING:	return "working-days";
	case SV_TS_WEEKS:	return "weeks";
	case SV_TS_MONTHS:	return "months";
	default:		return "?";
	}
}

char sv_timescale_unit_parse(const char *name)
{
	static const char units[] = { SV_TS_DAYS, SV_TS_WORKING, SV_TS_WEEKS, SV_TS_MONTHS };

	for (size_t i = 0; name && i < sizeof(units); i++)
		if (!strcmp(sv_timescale_unit_name(units[i]), name))
			return units[i];
	return 0;
}

/* The next word of *p (spaces skipped) into w[len]; false at the end. */
static bool word(char *w, size_t len, const char **p)
{
	size_t n;

	*p += strspn(*p, " \t");
	n = strcspn(*p, " \t");
	if (!n || n >= len)
		return n ? (*p += n, w[0] = '\0', true) : false;
	memcpy(w, *p, n);
	w[n] = '\0';
	*p += n;
	return true;
}

int sv_timescale_parse(sv_timescale *out, sv_clock_id clock, const char *text, char *why, size_t len)
{
	const char *p = text ? text : "";
	char num[16], u1[16], u2[16] = "", after[16], anchor[16], extra[16], *end = NULL;
	sv_timescale t = { 0 };
	long long n;
	int a = -1;

	if (!word(num, sizeof(num), &p) || !word(u1, sizeof(u1), &p))
		goto bad;
	errno = 0;
	n = strtoll(num, &end, 10);
	if (errno || end == num || *end || num[0] == '-' || num[0] == '+' || n < 1 || n > 3650)
		goto bad;
	if (!strcmp(u1, "working")) {
		if (!word(u2, sizeof(u2), &p) || (strcmp(u2, "day") && strcmp(u2, "days")))
			goto bad;
		t.unit = SV_TS_WORKING;
	} else if (!strcmp(u1, "day") || !strcmp(u1, "days")) {
		t.unit = SV_TS_DAYS;
	} else if (!strcmp(u1, "week") || !strcmp(u1, "weeks")) {
		t.unit = SV_TS_WEEKS;
	} else if (!strcmp(u1, "month") || !strcmp(u1, "months")) {
		t.unit = SV_TS_MONTHS;
	} else {
		goto bad;
	}
	if (!word(after, sizeof(after), &p) || strcmp(after, "after") || !word(anchor, sizeof(anchor), &p) ||
	    word(extra, sizeof(extra), &p))
		goto bad;
	for (int i = 0; i < SV_ANCHORS; i++)
		if (!strcmp(sv_anchor_names[i], anchor))
			a = i;
	if (a < 0 || !sv_clock_anchor_ok(clock, (sv_anchor)a)) {
		snprintf(why, len, "the %s clock cannot run from '%s' (it runs from %s)", sv_clock_names[clock], anchor,
			 clock == SV_CLOCK_IMR ? "decision or commissioned" :
			 sv_anchor_names[clock == SV_CLOCK_DECISION ? SV_ANCHOR_RECEIVED :
					 clock == SV_CLOCK_COMPLETION ? SV_ANCHOR_DECISION :
					 clock == SV_CLOCK_PLAN_REVIEW ? SV_ANCHOR_COMPLETED : SV_ANCHOR_EVALUATION]);
		return -1;
	}
	t.amount = n;
	t.anchor = (sv_anchor)a;
	*out = t;
	return 0;
bad:
	snprintf(why, len, "write 'N days|working days|weeks|months after EVENT' (1 to 3650; for example "
		 "'1 month after received'), not '%s'", text ? text : "");
	return -1;
}

void sv_timescale_format(char *out, size_t len, const sv_timescale *t)
{
	const char *u = t->unit == SV_TS_WORKING ? "working day" : t->unit == SV_TS_WEEKS ? "week" :
			t->unit == SV_TS_MONTHS ? "month" : "day";

	snprintf(out, len, "%lld %s%s after %s", (long long)t->amount, u, t->amount == 1 ? "" : "s",
		 sv_anchor_names[t->anchor]);
}

int64_t sv_timescale_due(const sv_timescale *t, const sv_calendar *cal, int64_t anchor)
{
	char from[11], to[11];
	int64_t due = -1;

	if (anchor < 0 || t->amount < 1)
		return -1;
	switch (t->unit) {
	case SV_TS_DAYS:
		return anchor + t->amount;
	case SV_TS_WEEKS:
		return anchor + 7 * t->amount;
	case SV_TS_WORKING:
		return sv_calendar_add_working(cal, anchor, (unsigned)t->amount, NULL, 0);
	case SV_TS_MONTHS:
		sv_day_format(from, anchor);
		if (sv_date_add(to, from, t->amount, 'm') < 0 || sv_day_parse(&due, to) < 0)
			return -1;
		return due;
	default:
		return -1;
	}
}

const char *sv_ms_status_name(sv_ms_status s)
{
	static const char *const names[] = { "not started", "open", "due", "extended", "overdue",
					     "done on time", "done late", "done" };

	return (unsigned)s < SV_ARRAY_SIZE(names) ? names[s] : "?";
}

/* Status from anchor, due and done as of a day. */
static void judge(sv_milestone *m, int64_t as_of, int64_t horizon)
{
	m->late_days = 0;
	if (m->done >= 0) {
		if (m->due < 0) {
			m->status = SV_MS_DONE;
		} else if (m->done <= m->due) {
			m->status = SV_MS_DONE_ON_TIME;
		} else {
			m->status = SV_MS_DONE_LATE;
			m->late_days = m->done - m->due;
		}
	} else if (m->anchor < 0 || m->anchor > as_of || m->due < 0) {
		m->status = SV_MS_NOT_STARTED;
	} else if (as_of > m->due) {
		m->status = SV_MS_OVERDUE;
		m->late_days = as_of - m->due;
	} else if (m->extended) {
		m->status = SV_MS_EXTENDED;
	} else {
		m->status = m->due - as_of <= horizon ? SV_MS_DUE : SV_MS_OPEN;
	}
}

static sv_milestone *add(sv_milestone *ms, size_t *n, sv_clock_id clock, size_t index, int64_t anchor,
			 const sv_timescale *t, const sv_calendar *cal, sv_clock_event done)
{
	sv_milestone *m = &ms[(*n)++];

	m->clock = clock;
	m->index = index;
	m->anchor = anchor;
	m->due = m->original_due = anchor >= 0 ? sv_timescale_due(t, cal, anchor) : -1;
	m->done = done.day;
	m->seq = done.seq;
	m->extended = false;
	return m;
}

int sv_clock_run(sv_milestone **out, size_t *n, const sv_clock_case *c, const sv_calendar *cal,
		 int64_t as_of, int64_t horizon)
{
	const sv_timescale *ts = c->ts;
	size_t cap = 6 + c->ncommissions + c->nplan_reviews, k = 0;
	sv_milestone *ms = sv_calloc(cap, sizeof(*ms)), *m;
	int64_t prev;

	*out = NULL;
	*n = 0;
	if (!ms)
		return SCRVAULT_ERROR;
	add(ms, &k, SV_CLOCK_DECISION, 0, c->received.day, &ts[SV_CLOCK_DECISION], cal, c->decision);
	if (c->no_review)
		goto judge;
	for (size_t i = 0; i < c->ncommissions; i++) {
		const sv_clock_commission *cm = &c->commissions[i];
		const sv_timescale *t = &ts[SV_CLOCK_IMR];
		int64_t anchor = t->anchor == SV_ANCHOR_COMMISSIONED ? cm->commissioned.day : c->decision.day;

		/* A due date set at commission runs from the commission. */
		if (cm->due >= 0 && anchor < 0)
			anchor = cm->commissioned.day;
		m = add(ms, &k, SV_CLOCK_IMR, i, anchor, t, cal, cm->draft);
		if (cm->due >= 0)
			m->due = m->original_due = cm->due;
	}
	m = add(ms, &k, SV_CLOCK_COMPLETION, 0, c->decision.day, &ts[SV_CLOCK_COMPLETION], cal, c->completed);
	if (c->extension.day >= 0 && m->due >= 0 && c->extension.day > m->due) {
		m->due = c->extension.day;
		m->extended = true;
	}
	add(ms, &k, SV_CLOCK_OFSTED_SUMMARY, 0, c->evaluation.day, &ts[SV_CLOCK_OFSTED_SUMMARY], cal, c->summary_sent);
	if (c->evaluation.day >= 0 && c->inadequate)
		add(ms, &k, SV_CLOCK_IMPROVEMENT_PLAN, 0, c->evaluation.day, &ts[SV_CLOCK_IMPROVEMENT_PLAN], cal,
		    c->plan_sent);
	/* Plan reviews: each due its length after the one before (the first
	 * after the review completed); the next one until the plan is closed. */
	prev = c->completed.day;
	for (size_t i = 0; i < c->nplan_reviews; i++) {
		add(ms, &k, SV_CLOCK_PLAN_REVIEW, i + 1, prev, &ts[SV_CLOCK_PLAN_REVIEW], cal, c->plan_reviews[i]);
		prev = c->plan_reviews[i].day;
	}
	if (c->plan_closed.day < 0)
		add(ms, &k, SV_CLOCK_PLAN_REVIEW, c->nplan_reviews + 1, prev, &ts[SV_CLOCK_PLAN_REVIEW], cal,
		    SV_NO_EVENT);
judge:
	for (size_t i = 0; i < k; i++) {
		/* As of a past day, what happened later has not happened yet. */
		if (ms[i].done > as_of)
			ms[i].done = -1, ms[i].seq = 0;
		judge(&ms[i], as_of, horizon);
	}
	*out = ms;
	*n = k;
	return 0;
}
