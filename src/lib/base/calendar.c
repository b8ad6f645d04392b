/*
 * calendar.c - calendar days and working days (see calendar.h).
 *
 * Dates <-> day numbers use Howard Hinnant's days_from_civil and
 * civil_from_days ("chrono-Compatible Low-Level Date Algorithms"): exact
 * integer arithmetic over 400-year eras, no tables, no time_t, no locale.
 *
 * Working days are counted, not walked: the weekdays in a span come from a
 * closed formula, the holidays in it from two binary searches over the
 * sorted weekday holidays, so a count costs O(log h) whatever its length.
 * Paused ranges are few (a fees notice, a clarification) and arrive in any
 * order, possibly overlapping; they are swept in place without sorting or
 * allocating, O(p^2) per free stretch, which is nothing for p of a handful.
 * sv_calendar_add_working searches forward with windows exactly as long as
 * the working days still needed: a window that holds that many counted days
 * ends on the answer, and otherwise the next window starts after it.
 *
 * This file must never read a file, the clock or the environment: the
 * holidays are data handed in by the caller (policy/calendar-uk.conf).
 */
#include <stdlib.h>

#include <string.h>

#include "base/calendar.h"
#include "base/common.h"
#include "base/date.h"


/* 1970-01-05, the first Monday on or after the epoch. */
#define EPOCH_MONDAY 4

/* Days (and range bounds) are clamped to +/- this, so nothing overflows. */
#define DAY_LIMIT ((int64_t)1 << 40)

struct sv_calendar {
	int64_t *all;		/* every holiday, sorted, unique */
	size_t nall;
	int64_t *weekday;	/* the ones falling Monday-Friday, sorted */
	size_t nweekday;
};

/*
 * The calendar
 */

static int cmp_day(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int sv_calendar_new(sv_calendar **out, const char *const *holidays, size_t n)
{
	sv_calendar *c = NULL;
	size_t i, j;
	int error;

	*out = NULL;
	if (n > 0 && !holidays)
		return sv_error(SCRVAULT_EUSAGE, "no holiday list for %zu holidays", n);
	if (n > SIZE_MAX / (2 * sizeof(int64_t)))
		return sv_error(SCRVAULT_EUSAGE, "too many holidays (%zu)", n);
	if (!(c = sv_calloc(1, sizeof(*c))) ||
	    !(c->all = sv_calloc(n ? 2 * n : 1, sizeof(int64_t)))) {
		error = SCRVAULT_ERROR;		/* message set by sv_calloc */
		goto done;
	}
	c->weekday = c->all + n;
	for (i = 0; i < n; i++) {
		if ((error = sv_day_parse(&c->all[i], holidays[i])) < 0) {
			sv_error_wrap(error, "holiday %zu", i + 1);
			goto done;
		}
	}
	if (n > 0)
		qsort(c->all, n, sizeof(int64_t), cmp_day);
	for (i = 0, j = 0; i < n; i++)
		if (j == 0 || c->all[j - 1] != c->all[i])
			c->all[j++] = c->all[i];
	c->nall = j;
	for (i = 0; i < c->nall; i++)
		if (sv_day_of_week(c->all[i]) < 5)
			c->weekday[c->nweekday++] = c->all[i];
	*out = SV_TAKE(c);
	error = 0;
done:
	sv_calendar_free(c);
	return error;
}

void sv_calendar_free(sv_calendar *c)
{
	if (!c)
		return;
	free(c->all);
	free(c);
}

/* The first index of a[0..n) holding a value >= x (n if none). */
static size_t lower_bound(const int64_t *a, size_t n, int64_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool is_holiday(const sv_calendar *c, int64_t day)
{
	size_t i;

	if (!c)
		return false;
	i = lower_bound(c->all, c->nall, day);
	return i < c->nall && c->all[i] == day;
}

bool sv_calendar_working(const sv_calendar *c, int64_t day)
{
	return sv_day_of_week(day) < 5 && !is_holiday(c, day);
}

int64_t sv_calendar_last(const sv_calendar *c)
{
	return c && c->nall ? c->all[c->nall - 1] : -1;
}

/*
 * Counting
 */

static int64_t clamp_day(int64_t day)
{
	return day < -DAY_LIMIT ? -DAY_LIMIT : day > DAY_LIMIT ? DAY_LIMIT : day;
}

/*
 * Weekdays in [EPOCH_MONDAY, x), negated for x before it: the difference of
 * two of these is the weekdays in between.
 */
static int64_t weekdays_before(int64_t x)
{
	int64_t k = x - EPOCH_MONDAY, q = sv_floor_div(k, 7), r = k - 7 * q;

	return 5 * q + (r < 5 ? r : 5);
}

/* Working days in [a, b], pauses aside. */
static int64_t working_in(const sv_calendar *c, int64_t a, int64_t b)
{
	int64_t n;

	if (b < a)
		return 0;
	n = weekdays_before(b + 1) - weekdays_before(a);
	if (c)
		n -= (int64_t)(lower_bound(c->weekday, c->nweekday, b + 1) -
			       lower_bound(c->weekday, c->nweekday, a));
	return n;
}

/*
 * The first day >= d outside every paused range.  Each pass that moves d
 * leaves one more range behind for good, so there are at most np + 1.
 */
static int64_t next_free(int64_t d, const sv_day_range *p, size_t np)
{
	bool moved;
	size_t i;

	do {
		moved = false;
		for (i = 0; i < np; i++) {
			int64_t lo = clamp_day(p[i].from), hi = clamp_day(p[i].to);

			if (lo <= d && d <= hi) {
				d = hi + 1;
				moved = true;
			}
		}
	} while (moved);
	return d;
}

/* Working days in [a, b] outside every paused range. */
static int64_t count_span(const sv_calendar *c, int64_t a, int64_t b,
			  const sv_day_range *p, size_t np)
{
	int64_t total = 0, cur = next_free(a, p, np);
	size_t i;

	while (cur <= b) {
		/* cur is free, so [cur, the next range start) is all free. */
		int64_t next = b + 1;

		for (i = 0; i < np; i++) {
			int64_t lo = clamp_day(p[i].from);

			if (lo > cur && lo < next && lo <= clamp_day(p[i].to))
				next = lo;
		}
		total += working_in(c, cur, next - 1);
		if (next > b)
			break;
		cur = next_free(next, p, np);
	}
	return total;
}

int64_t sv_calendar_count_working(const sv_calendar *c, int64_t from, int64_t to,
				  const sv_day_range *paused, size_t npaused)
{
	from = clamp_day(from);
	to = clamp_day(to);
	if (to <= from)
		return 0;
	return count_span(c, from + 1, to, paused, npaused);
}

int64_t sv_calendar_add_working(const sv_calendar *c, int64_t start, unsigned n,
				const sv_day_range *paused, size_t npaused)
{
	int64_t cur = clamp_day(start), need = n;

	/*
	 * Invariant: `need` working days are still to be found after `cur`.
	 * The window (cur, cur + need] holds at most `need` of them; if it
	 * holds exactly that many, every day in it counts and its last day is
	 * the answer.  Otherwise go on from its end with fewer still needed.
	 * Jumping over a pause first keeps a long pause from costing a step
	 * per day.  cur stays below DAY_LIMIT + 2^33 + the paused days (at
	 * most 2^41 + 1), far from overflow.
	 */
	while (need > 0) {
		int64_t end, got;

		cur = next_free(cur + 1, paused, npaused) - 1;
		end = cur + need;
		got = count_span(c, cur + 1, end, paused, npaused);
		cur = end;
		need -= got;
	}
	return cur;
}


