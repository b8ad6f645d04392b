/*
 * clock.h - the statutory clocks of a review (clock.c): pure computation.
 *
 * A clock runs from an anchor event (the case came to the Board's
 * attention, the decision to review, an IMR commissioned, Ofsted's
 * evaluation letter, the review completed) for a length in days, working
 * days, weeks or months (the policy's [timescales]).  Given a case's events
 * and a day to judge on, sv_clock_run gives each milestone its anchor, due
 * date (an extension moves the completion clock's), done date and status.
 *
 * No I/O, no database, no clock of its own: the caller loads the events and
 * says what day it is, so every rule here is unit-tested on literal dates
 * (tests/unit/test_clock.c).  Days are calendar.h's day numbers.
 *
 * Rules written down:
 *   - months: the same day N months on, or that month's last day when it has
 *     no such day (31 January + 1 month = 28 or 29 February);
 *   - weeks: 7 calendar days each; days: calendar days;
 *   - working days: sv_calendar_add_working (weekends and the policy's bank
 *     holidays do not count; the anchor day itself never counts);
 *   - a due date on a weekend or holiday stays where it falls (the seeds
 *     say "within one month", not "within one month's working days");
 *   - late and overdue are counted in calendar days past the due date; a
 *     milestone done on its due date is on time.
 */
#ifndef SV_BASE_CLOCK_H
#define SV_BASE_CLOCK_H

#include "base/calendar.h"
#include "base/common.h"

/* The clocks, in the order a timeline lists them. */
typedef enum {
	SV_CLOCK_DECISION = 0,		/* decide whether to review (000 §5.7; 003 §3.3) */
	SV_CLOCK_IMR,			/* each IMR's first draft (000 §5.23; 003 §5.2) */
	SV_CLOCK_COMPLETION,		/* the review completed (000 §5.8; 003 §4.1) */
	SV_CLOCK_OFSTED_SUMMARY,	/* final executive summary and publication date to Ofsted (000 §8.20) */
	SV_CLOCK_IMPROVEMENT_PLAN,	/* after an "inadequate" evaluation (000 §8.7) */
	SV_CLOCK_PLAN_REVIEW,		/* action-plan reviews, recurring until closed (001; 003 §7.3) */
	SV_CLOCKS
} sv_clock_id;
extern const char *const sv_clock_names[SV_CLOCKS];	/* "decision", "imr", ... */
int sv_clock_index(const char *name);			/* -1 for another word */

/* The events a clock may run from. */
typedef enum {
	SV_ANCHOR_RECEIVED = 0,		/* the case came to the Board's attention (cases.received_on) */
	SV_ANCHOR_DECISION,		/* the decision to review (cases.decision_date) */
	SV_ANCHOR_COMMISSIONED,		/* the IMR commissioned (case commission) */
	SV_ANCHOR_EVALUATION,		/* Ofsted's evaluation letter received (case evaluation) */
	SV_ANCHOR_COMPLETED,		/* the review completed; then each plan review the one before */
	SV_ANCHORS
} sv_anchor;
extern const char *const sv_anchor_names[SV_ANCHORS];

/* Units of a length. */
#define SV_TS_DAYS	'd'
#define SV_TS_WORKING	'w'
#define SV_TS_WEEKS	'k'
#define SV_TS_MONTHS	'm'

typedef struct {
	sv_anchor anchor;
	int64_t amount;			/* 1 .. 3650 */
	char unit;			/* SV_TS_* */
} sv_timescale;

/* Whether `clock` may run from `anchor` (the IMR clock: decision or
 * commissioned; every other clock its one anchor). */
bool sv_clock_anchor_ok(sv_clock_id clock, sv_anchor anchor);

/*
 * Parse "N UNIT after ANCHOR" (UNIT: day(s), working day(s), week(s),
 * month(s)) for `clock` into *out.  0, or -1 with the problem in why[len]
 * (a sentence naming the fix, without the setting's name).
 */
int sv_timescale_parse(sv_timescale *out, sv_clock_id clock, const char *text, char *why, size_t len);

/* The text sv_timescale_parse reads back: "10 weeks after decision". */
void sv_timescale_format(char *out, size_t len, const sv_timescale *t);

/* The unit's name as stored and shown: "days", "working-days", "weeks", "months". */
const char *sv_timescale_unit_name(char unit);
char sv_timescale_unit_parse(const char *name);	/* 0 for another word */

/* The due date of a clock started on `anchor`; -1 when out of range. */
int64_t sv_timescale_due(const sv_timescale *t, const sv_calendar *cal, int64_t anchor);

/* Something that happened: its day (-1: not yet) and the audit entry that
 * recorded it (0: none known). */
typedef struct {
	int64_t day;
	int64_t seq;
} sv_clock_event;
#define SV_NO_EVENT ((sv_clock_event){ -1, 0 })

/* One IMR commission and its progress (derived by the caller). */
typedef struct {
	sv_clock_event commissioned;
	int64_t due;			/* set with --due; -1: from the clock */
	sv_clock_event draft;		/* the agency's first IMR version after it */
	sv_clock_event signed_off;	/* the first valid sign-off of such a version */
} sv_clock_commission;

/* A case's events.  Plan reviews in date order. */
typedef struct {
	const sv_timescale *ts;		/* [SV_CLOCKS], for the case's review type */
	sv_clock_event received, decision;
	const sv_clock_commission *commissions;
	size_t ncommissions;
	sv_clock_event extension;	/* the latest: its day is the new due date */
	sv_clock_event completed, evaluation;
	bool inadequate;		/* the evaluation's rating */
	sv_clock_event summary_sent, plan_sent, plan_closed;
	const sv_clock_event *plan_reviews;
	size_t nplan_reviews;
	bool no_review;			/* a referral undecided or decided "none": the decision clock only */
} sv_clock_case;

typedef enum {
	SV_MS_NOT_STARTED = 0,		/* the anchor has not happened (or is after as_of) */
	SV_MS_OPEN,			/* running, due beyond the horizon */
	SV_MS_DUE,			/* running, due within the horizon */
	SV_MS_EXTENDED,			/* running against an extended due date */
	SV_MS_OVERDUE,			/* running, past its due date */
	SV_MS_DONE_ON_TIME,
	SV_MS_DONE_LATE,
	SV_MS_DONE			/* done, but with no deadline known (no anchor recorded) */
} sv_ms_status;
/* "not started", "open", "due", "extended", "overdue", "done on time", "done late", "done" */
const char *sv_ms_status_name(sv_ms_status s);

typedef struct {
	sv_clock_id clock;
	size_t index;			/* IMR: the commission's index; plan review: 1, 2, ... */
	int64_t anchor, due, original_due, done;	/* days, -1: none */
	sv_ms_status status;
	int64_t late_days;		/* done late or overdue: calendar days past due, else 0 */
	int64_t seq;			/* the audit entry that recorded it done (0: none) */
	bool extended;
} sv_milestone;

/*
 * The milestones of case `c` as of day `as_of`, `horizon` days ahead
 * counting as "due" (a milestone done after `as_of` is not done yet): decision, one per commission, completion, the Ofsted
 * summary, the improvement plan (an "inadequate" evaluation only), and the
 * plan reviews held plus the next one (none once the plan is closed).
 * *out (free it) gets *n of them.  0, or SCRVAULT_ERROR (memory).
 */
int sv_clock_run(sv_milestone **out, size_t *n, const sv_clock_case *c, const sv_calendar *cal,
		 int64_t as_of, int64_t horizon);

#endif
