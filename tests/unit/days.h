/*
 * days.h - day numbers in the unit tests of the calendar and the clocks:
 * a "YYYY-MM-DD" to its day (the test fails on a bad one), and a day
 * checked against the date it should be.
 */
#ifndef SV_UNIT_DAYS_H
#define SV_UNIT_DAYS_H

#include "unit.h"
#include "base/date.h"

static int64_t day(const char *ymd)
{
	int64_t d = -1;

	if (sv_day_parse(&d, ymd) < 0)
		fail_msg("'%s': %s", ymd, scrvault_error_message());
	return d;
}

static void assert_day(int64_t got, const char *want)
{
	char s[11];

	sv_day_format(s, got);
	assert_string_equal(s, want);
}

#endif
