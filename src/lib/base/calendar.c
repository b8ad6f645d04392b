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

/* Days (and range bounds) are clamped to +/- this, so nothing overflows. */
#define DAY_LIMIT ((int64_t)1 << 40)

/* 1970-01-05, the first Monday on or after the epoch. */
#define EPOCH_MONDAY 4

/* The days of 0000-01-01 and 9999-12-31: what sv_day_format can write. */
#define DAY_FORMAT_MIN (-719528)
#define DAY_FORMAT_MAX 2932896

struct sv_calendar {
	int64_t *all;		/* every holiday, sorted, unique */
	size_t nall;
	int64_t *weekday;	/* the ones falling Monday-Friday, sorted */
	size_t nweekday;
};

/*
 * Date arithmetic
 */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* Day number of y-m-d (m 1-12, d 1-31), Hinnant's days_from_civil. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;					/* [0, 399] */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;	/* [0, 365] */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;		/* [0, 146096] */
	return era * 146097 + doe - 719468;
}

/* The y-m-d of a day number, Hinnant's civil_from_days. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;					/* [0, 146096] */
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);		/* [0, 365] */
	mp = (5 * doy + 2) / 153;				/* [0, 11] */
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool leap_year(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned char dim[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && leap_year(y) ? 29 : dim[m - 1];
}

/* `len` decimal digits at s into *v; false on anything else (NUL too). */
static bool digits(unsigned *v, const char *s, size_t len)
{
	size_t i;

	*v = 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return true;
}

int sv_day_parse(int64_t *day, const char *ymd)
{
	unsigned y, m, d;

	/*
	 * Position by position, so a short string stops at its NUL (which is
	 * never a digit or '-') before anything past it is read.
	 */
	if (!ymd || !digits(&y, ymd, 4) || ymd[4] != '-' ||
	    !digits(&m, ymd + 5, 2) || ymd[7] != '-' ||
	    !digits(&d, ymd + 8, 2) || ymd[10] != '\0' ||
	    y < 1900 || y > 2999 || m < 1 || m > 12 ||
	    d < 1 || d > days_in_month(y, m))
		return sv_error(SCRVAULT_EUSAGE, "'%s' is not a date (YYYY-MM-DD)",
				ymd ? ymd : "(null)");
	*day = days_from_civil(y, m, d);
	return 0;
}

/* `len` decimal digits of v, zero-padded, at out. */
static void put_digits(char *out, unsigned v, size_t len)
{
	while (len-- > 0) {
		out[len] = (char)('0' + v % 10);
		v /= 10;
	}
}

void sv_day_format(char out[11], int64_t day)
{
	int64_t y;
	unsigned m, d;

	if (day < DAY_FORMAT_MIN || day > DAY_FORMAT_MAX) {
		memcpy(out, "0000-00-00", 11);
		return;
	}
	civil_from_days(day, &y, &m, &d);
	put_digits(out, (unsigned)y, 4);
	out[4] = '-';
	put_digits(out + 5, m, 2);
	out[7] = '-';
	put_digits(out + 8, d, 2);
	out[10] = '\0';
}

int sv_day_of_week(int64_t day)
{
	int64_t r = day % 7;	/* 1970-01-01 was a Thursday (3) */

	if (r < 0)
		r += 7;
	return (int)((r + 3) % 7);
}

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
	*out = c;
	c = NULL;
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
	int64_t k = x - EPOCH_MONDAY, q = floor_div(k, 7), r = k - 7 * q;

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
