/*
 * date.c - the one date and time module: the clock, ISO 8601 times and
 * YYYY-MM-DD dates, and date arithmetic.  Every date the library accepts
 * is checked here, the same way.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include "base/date.h"
#include "base/fault.h"
#include "base/common.h"

/* ---- small helpers ----------------------------------------------------------- */

/* The one range of years any date may have, everywhere. */
#define DATE_YEAR_MIN 1900
#define DATE_YEAR_MAX 2999

/*
 * Dates <-> day numbers use Howard Hinnant's days_from_civil and
 * civil_from_days ("chrono-Compatible Low-Level Date Algorithms"): exact
 * integer arithmetic over 400-year eras, no tables, no time_t, no locale.
 */


/* The days of 0000-01-01 and 9999-12-31: what sv_day_format can write. */
#define DAY_FORMAT_MIN (-719528)

#define DAY_FORMAT_MAX 2932896

/*
 * Date arithmetic
 */

int64_t sv_floor_div(int64_t a, int64_t b)
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
	era = sv_floor_div(y, 400);
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
	era = sv_floor_div(z, 146097);
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
	    y < DATE_YEAR_MIN || y > DATE_YEAR_MAX || m < 1 || m > 12 ||
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

/* `day` as YYYY-MM-DD into out, if its year is in range. */
static int day_out(char out[11], int64_t day)
{
	int64_t y;
	unsigned m, d;

	civil_from_days(day, &y, &m, &d);
	if (y < DATE_YEAR_MIN || y > DATE_YEAR_MAX)
		return -1;
	sv_day_format(out, day);
	return 0;
}

int64_t sv_now(void)
{
	/* Test builds only: SCRVAULT_TEST_CLOCK_SKEW seconds added (sessions'
	 * expiry tests move time on). */
	const char *skew = SV_TEST_GETENV("SCRVAULT_TEST_CLOCK_SKEW");

	return (int64_t)time(NULL) + (skew ? strtoll(skew, NULL, 10) : 0);
}

double sv_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sv_time_iso(char out[21], int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int64_t sv_time_parse(const char *s)
{
	char ymd[11];
	unsigned hh, mm, ss;
	int64_t day;

	/* "YYYY-MM-DDTHH:MM:SSZ": the date as any date, then the time. */
	if (!s || strlen(s) != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return -1;
	memcpy(ymd, s, 10);
	ymd[10] = '\0';
	if (sv_day_parse(&day, ymd) < 0 || !digits(&hh, s + 11, 2) || !digits(&mm, s + 14, 2) ||
	    !digits(&ss, s + 17, 2) || hh > 23 || mm > 59 || ss > 59)
		return -1;
	return day * 86400 + hh * 3600 + mm * 60 + ss;
}

void sv_today(char out[11])
{
	char now[21];

	sv_time_iso(now, sv_now());
	snprintf(out, 11, "%.10s", now);
}

bool sv_date_valid(const char *s)
{
	int64_t day;

	return sv_day_parse(&day, s) == 0;
}

/* YYYY-MM-DD plus a period ('d', 'm', 'y'); months clamp the day. */
int sv_date_add(char out[11], const char *from, int64_t amount, char unit)
{
	int64_t day, y, months;
	unsigned m, d, max;

	if (sv_day_parse(&day, from) < 0)
		return -1;
	if (unit == 'd')
		return day_out(out, day + amount);
	if (unit != 'm' && unit != 'y')
		return -1;
	if (amount > 12 * (DATE_YEAR_MAX - DATE_YEAR_MIN + 1) || amount < -12 * (DATE_YEAR_MAX - DATE_YEAR_MIN + 1))
		return -1;
	civil_from_days(day, &y, &m, &d);
	months = y * 12 + (m - 1) + (unit == 'y' ? amount * 12 : amount);
	y = sv_floor_div(months, 12);
	m = (unsigned)(months - y * 12) + 1;
	if (y < DATE_YEAR_MIN || y > DATE_YEAR_MAX)
		return -1;
	max = days_in_month(y, m);
	return day_out(out, days_from_civil(y, m, d > max ? max : d));
}

int sv_as_of(char out[11], const char *as_of)
{
	int error;

	if (!as_of) {
		sv_today(out);
		return 0;
	}
	if ((error = sv_date_check("as_of", "the day", as_of, SV_DATE_ANY, NULL, NULL)) < 0)
		return error;
	snprintf(out, 11, "%s", as_of);
	return 0;
}

int sv_date_check(const char *field, const char *what, const char *s, unsigned rule,
		  const char *after, const char *after_what)
{
	char today[11];
	int64_t day, now, first;

	if (!s)
		return 0;
	if (sv_day_parse(&day, s) < 0)
		return sv_error_field(SCRVAULT_EUSAGE, field, "%s '%s' is not a date (YYYY-MM-DD)", what, s);
	sv_today(today);
	if (sv_day_parse(&now, today) < 0)
		return sv_error(SCRVAULT_ERROR, "the clock is outside the years %d-%d", DATE_YEAR_MIN, DATE_YEAR_MAX);
	if ((rule & SV_DATE_PAST) && day > now)
		return sv_error_field(SCRVAULT_EUSAGE, field, "%s %s is in the future", what, s);
	if ((rule & SV_DATE_FUTURE) && day < now)
		return sv_error_field(SCRVAULT_EUSAGE, field, "%s %s is in the past", what, s);
	if (after && *after && sv_day_parse(&first, after) == 0 && day < first)
		return sv_error_field(SCRVAULT_EUSAGE, field, "%s %s is before %s (%s)", what, s,
				      after_what ? after_what : "the day it follows", after);
	return 0;
}
