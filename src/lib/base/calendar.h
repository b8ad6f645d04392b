/*
 * calendar.h - calendar days and working days (the FOI clock).
 *
 * A Freedom of Information request must be answered within 20 working days
 * of receipt (FOIA 2000 s.10).  A working day is any day that is not a
 * Saturday, a Sunday or a bank holiday in any part of the United Kingdom;
 * the bank holidays come from data (policy/calendar-uk.conf), never from
 * rules compiled in here.
 *
 * Pure computation: no I/O, no database, no clock.  Days are plain integers
 * counted from 1970-01-01 (day 0) in the proleptic Gregorian calendar, so
 * "the day after" is day + 1 and no time zone or DST can shift a date.
 */
#ifndef SV_CALENDAR_H
#define SV_CALENDAR_H

#include "base/common.h"

/* Days are counted from 1970-01-01 (day 0), proleptic Gregorian. */

typedef struct sv_calendar sv_calendar;

/*
 * A calendar of non-working days besides weekends: `n` dates "YYYY-MM-DD"
 * (duplicates allowed; `holidays` may be NULL when n is 0).  A bad or NULL
 * date is SCRVAULT_EUSAGE naming it.  The dates are copied, sorted and
 * deduplicated, so lookups are O(log n).  On failure *out is NULL.
 */
int sv_calendar_new(sv_calendar **out, const char *const *holidays, size_t n);

/* NULL-safe. */
void sv_calendar_free(sv_calendar *c);

/*
 * Whether `day` is a working day: Monday to Friday and not a holiday.  A
 * NULL calendar has no holidays (weekends only).
 */
bool sv_calendar_working(const sv_calendar *c, int64_t day);

/*
 * The last day the calendar knows holidays for (from the data): callers warn
 * when a computation runs past the last year covered.  Returns the last
 * holiday, or -1 if there is none (or c is NULL).
 */
int64_t sv_calendar_last(const sv_calendar *c);

typedef struct { int64_t from, to; } sv_day_range;	/* inclusive */

/*
 * The n-th working day after `start` (start itself is never counted, whether
 * or not it is a working day), not counting any day inside one of the
 * `paused` ranges (inclusive; they may overlap, be unsorted, or begin before
 * start; a range with from > to is empty).  n >= 1; n == 0 returns start.
 * `paused` may be NULL when npaused is 0.
 *
 * This is the FOI due date: received on day R, due =
 * sv_calendar_add_working(c, R, 20, ...).  A fees notice (s.9) or a
 * clarification request (s.1(3)) pauses the clock: pass the days between the
 * notice and the reply as a paused range.
 *
 * Days are meaningful within +/- 2^40 of the epoch; `start` and the range
 * bounds are clamped to that, so no input can overflow.
 */
int64_t sv_calendar_add_working(const sv_calendar *c, int64_t start, unsigned n,
				const sv_day_range *paused, size_t npaused);

/*
 * Working days in (from, to]: after `from`, up to and including `to`; 0 if
 * to <= from; paused ranges excluded as above.  So for the due date D of
 * sv_calendar_add_working(c, R, n, ...), count(c, R, D, ...) == n.
 */
int64_t sv_calendar_count_working(const sv_calendar *c, int64_t from, int64_t to,
				  const sv_day_range *paused, size_t npaused);


#endif
