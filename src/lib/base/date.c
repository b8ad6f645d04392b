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
#include "base/calendar.h"

/* ---- small helpers ----------------------------------------------------------- */

int64_t sv_now(void)
{
	return (int64_t)time(NULL);
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
	struct tm tm;
	char z = 0;

	memset(&tm, 0, sizeof(tm));
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			 &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z) != 7 || z != 'Z')
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm);
}

void sv_today(char out[11])
{
	char now[21];

	sv_time_iso(now, sv_now());
	snprintf(out, 11, "%.10s", now);
}

bool sv_date_valid(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;
	char tail;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	return true;
}

/* YYYY-MM-DD plus a period ('d', 'm', 'y'); months clamp the day. */
int sv_date_add(char out[11], const char *from, int64_t amount, char unit)
{
	int y, m, d;
	int64_t day;

	if (!sv_date_valid(from) || sscanf(from, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return -1;
	if (unit == 'd') {
		if (sv_day_parse(&day, from) < 0)
			return -1;
		sv_day_format(out, day + amount);
		return 0;
	}
	if (unit == 'y')
		amount *= 12;
	{
		static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
		int64_t months = (int64_t)y * 12 + (m - 1) + amount;
		int ny = (int)(months / 12), nm = (int)(months % 12) + 1, max = mdays[nm - 1];

		if (nm == 2 && ((ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0))
			max = 29;
		if (ny < 1900 || ny > 9999 || nm < 1 || nm > 12)
			return -1;
		snprintf(out, 11, "%04u-%02u-%02u", (unsigned)ny % 10000u, (unsigned)nm % 100u,
			 (unsigned)(d > max ? max : d) % 100u);
	}
	return 0;
}
