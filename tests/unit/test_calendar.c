/*
 * test_calendar.c - day numbers, working days and FOI due dates (calendar.h).
 *
 * The due dates are worked out by hand in the comments, day by day, against
 * the bank holidays in policy/default.conf, and written out literally:
 * a mistake in the module cannot hide behind the same mistake in the test.
 * A randomised comparison with a day-by-day reference then covers what the
 * hand-picked cases do not.
 */
#include <limits.h>
#include <string.h>
#include "unit.h"
#include "days.h"
#include "base/calendar.h"
#include "base/date.h"

#define MAX_HOLIDAYS 256

/* The UK calendar from policy/default.conf, loaded once. */
static char uk_dates[MAX_HOLIDAYS][11];
static size_t uk_count;
static sv_calendar *uk;

/*
 * Loading policy/default.conf
 */

static FILE *open_conf(void)
{
	static const char *const guesses[] = {
		"policy/default.conf",
		"../policy/default.conf",
		"../../policy/default.conf",
	};
	const char *root = getenv("SCRVAULT_ROOT");
	FILE *f;
	size_t i;

	if (root) {
		char *path;

		if (asprintf(&path, "%s/policy/default.conf", root) < 0)
			abort();
		f = fopen(path, "r");
		free(path);
		if (f)
			return f;
	}
	for (i = 0; i < SV_ARRAY_SIZE(guesses); i++)
		if ((f = fopen(guesses[i], "r")))
			return f;
	return NULL;
}

/*
 * Collect the dates of the `holiday = YYYY-MM-DD name` lines, as written
 * (not yet checked: test_conf_file does that).
 */
static int load_uk(void **state)
{
	char line[512];
	FILE *f = open_conf();
	const char *list[MAX_HOLIDAYS];
	size_t i;

	(void)state;
	if (!f) {
		fprintf(stderr, "cannot find policy/default.conf "
			"(set SCRVAULT_ROOT)\n");
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		const char *p = line;

		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "holiday", 7) != 0)
			continue;
		p += 7;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p++ != '=')
			continue;
		while (*p == ' ' || *p == '\t')
			p++;
		if (uk_count == MAX_HOLIDAYS || strlen(p) < 10)
			break;
		memcpy(uk_dates[uk_count], p, 10);
		uk_dates[uk_count][10] = '\0';
		uk_count++;
	}
	fclose(f);
	for (i = 0; i < uk_count; i++)
		list[i] = uk_dates[i];
	if (sv_calendar_new(&uk, list, uk_count) < 0) {
		fprintf(stderr, "default.conf: %s\n", scrvault_error_message());
		return -1;
	}
	return 0;
}

static int free_uk(void **state)
{
	(void)state;
	sv_calendar_free(uk);
	uk = NULL;
	return 0;
}

/* FOI due date: 20 working days after receipt, no pause. */
static void assert_due(const char *received, const char *due)
{
	int64_t r = day(received), d = sv_calendar_add_working(uk, r, 20, NULL, 0);
	char got[11];

	sv_day_format(got, d);
	if (strcmp(got, due) != 0)
		fail_msg("received %s: due %s, wanted %s", received, got, due);
	/* The same span counted the other way round. */
	assert_int_equal(sv_calendar_count_working(uk, r, d, NULL, 0), 20);
	assert_int_equal(sv_calendar_count_working(uk, r, d - 1, NULL, 0), 19);
	assert_true(sv_calendar_working(uk, d));
}

/*
 * Days
 */

static void test_parse_format_round_trip(void **state)
{
	static const char *const dates[] = {
		"1900-01-01", "1900-02-28", "1900-03-01", "1969-12-31",
		"1970-01-01", "1999-12-31", "2000-02-29", "2024-02-29",
		"2026-12-31", "2100-02-28", "2400-02-29", "2999-12-31",
	};
	int64_t d, prev = INT64_MIN;
	size_t i;

	(void)state;
	for (i = 0; i < SV_ARRAY_SIZE(dates); i++) {
		d = day(dates[i]);
		assert_day(d, dates[i]);
		assert_true(d > prev);
		prev = d;
	}
	assert_int_equal(day("1970-01-01"), 0);
	assert_int_equal(day("1969-12-31"), -1);
	assert_int_equal(day("1900-01-01"), -25567);
	assert_int_equal(day("2000-01-01"), 10957);
	assert_int_equal(day("2024-02-29"), 19782);
	assert_int_equal(day("2999-12-31"), 376199);
	/* Leap day and the day after it are neighbours. */
	assert_int_equal(day("2024-03-01") - day("2024-02-29"), 1);
	assert_int_equal(day("2025-01-01") - day("2024-01-01"), 366);
	assert_int_equal(day("2026-01-01") - day("2025-01-01"), 365);

	/* Every day of 1900-2999 formats and parses back to itself. */
	for (d = day("1900-01-01"); d <= day("2999-12-31"); d++) {
		char s[11];
		int64_t back = -1;

		sv_day_format(s, d);
		assert_int_equal(sv_day_parse(&back, s), 0);
		assert_int_equal(back, d);
	}
}

static void test_format_range(void **state)
{
	char s[11];

	(void)state;
	sv_day_format(s, -719528);		/* 0000-01-01 */
	assert_string_equal(s, "0000-01-01");
	sv_day_format(s, 2932896);		/* 9999-12-31 */
	assert_string_equal(s, "9999-12-31");
	sv_day_format(s, -719529);
	assert_string_equal(s, "0000-00-00");
	sv_day_format(s, 2932897);
	assert_string_equal(s, "0000-00-00");
	sv_day_format(s, INT64_MIN);
	assert_string_equal(s, "0000-00-00");
	sv_day_format(s, INT64_MAX);
	assert_string_equal(s, "0000-00-00");
}

static void test_parse_rejects(void **state)
{
	static const char *const bad[] = {
		"2026-02-29",		/* 2026 is not a leap year */
		"1900-02-29",		/* nor is 1900 */
		"2026-13-01", "2026-00-10", "2026-01-00", "2026-04-31",
		"2026-01-32",
		"2026-1-01", "2026-01-1", "26-01-01", "02026-01-01",
		"2026-01-01x", "2026-01-01 ", " 2026-01-01", "2026-01-01\n",
		"2026/01/01", "2026_01-01", "+026-01-01", "-026-01-01",
		"2026-0a-01", "2026-01-0 ", "20260101", "2026-01",
		"1899-12-31", "3000-01-01", "0000-01-01", "9999-12-31",
		"",
	};
	size_t i;

	(void)state;
	for (i = 0; i < SV_ARRAY_SIZE(bad); i++) {
		int64_t d = 12345;
		char want[64];

		if (sv_day_parse(&d, bad[i]) != SCRVAULT_EUSAGE)
			fail_msg("'%s' parsed", bad[i]);
		assert_int_equal(d, 12345);		/* untouched */
		snprintf(want, sizeof(want), "'%s' is not a date (YYYY-MM-DD)", bad[i]);
		assert_string_equal(scrvault_error_message(), want);
	}
	{
		int64_t d = 12345;

		assert_int_equal(sv_day_parse(&d, NULL), SCRVAULT_EUSAGE);
		assert_int_equal(d, 12345);
		assert_non_null(strstr(scrvault_error_message(), "is not a date"));
	}
	/* A NUL inside the ten characters ends the string there. */
	{
		const char s[] = "2026-01\0-01";
		int64_t d = 12345;

		assert_int_equal(sv_day_parse(&d, s), SCRVAULT_EUSAGE);
	}
}

/* One date rule for every date the vault takes: the same parse, the same
 * range, in dates, times and date arithmetic. */
static void test_one_date_rule(void **state)
{
	static const char *bad[] = {
		"1899-12-31", "3000-01-01", "2026-02-30", "2026-02-29", "2026-13-01", "2026-00-10",
		"2026-1-01", "26-01-01", " 2026-01-01", "2026-01-01 ", "2026/01/01", "",
	};
	char out[11];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(sv_date_valid(bad[i]));
		assert_int_equal(sv_date_add(out, bad[i], 1, 'd'), -1);
	}
	assert_false(sv_date_valid(NULL));
	assert_true(sv_date_valid("1900-01-01"));
	assert_true(sv_date_valid("2999-12-31"));
	assert_true(sv_date_valid("2028-02-29"));

	/* Times: the date part by the same rule, then a real time of day. */
	assert_int_equal(sv_time_parse("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(sv_time_parse("2026-12-07T03:57:42Z"), 1796615862);
	assert_int_equal(sv_time_parse("2026-02-30T00:00:00Z"), -1);
	assert_int_equal(sv_time_parse("2026-12-07T24:00:00Z"), -1);
	assert_int_equal(sv_time_parse("2026-12-07T23:60:00Z"), -1);
	assert_int_equal(sv_time_parse("2026-12-07T03:57:42"), -1);
	assert_int_equal(sv_time_parse("2026-12-07T03:57:42Z "), -1);
	assert_int_equal(sv_time_parse("1899-12-31T23:59:59Z"), -1);

	/* Arithmetic: months clamp the day, years count leap days, the range holds. */
	assert_int_equal(sv_date_add(out, "2026-01-31", 1, 'm'), 0);
	assert_string_equal(out, "2026-02-28");
	assert_int_equal(sv_date_add(out, "2028-01-31", 1, 'm'), 0);
	assert_string_equal(out, "2028-02-29");
	assert_int_equal(sv_date_add(out, "2028-02-29", 1, 'y'), 0);
	assert_string_equal(out, "2029-02-28");
	assert_int_equal(sv_date_add(out, "2026-03-31", -1, 'm'), 0);
	assert_string_equal(out, "2026-02-28");
	assert_int_equal(sv_date_add(out, "2026-12-31", 1, 'd'), 0);
	assert_string_equal(out, "2027-01-01");
	assert_int_equal(sv_date_add(out, "2999-12-01", 1, 'm'), -1);
	assert_int_equal(sv_date_add(out, "1900-01-01", -1, 'd'), -1);
	assert_int_equal(sv_date_add(out, "2026-01-01", 1, 'w'), -1);
}

static void test_day_of_week(void **state)
{
	(void)state;
	assert_int_equal(sv_day_of_week(day("1970-01-01")), 3);	/* Thursday */
	assert_int_equal(sv_day_of_week(day("1969-12-31")), 2);	/* Wednesday */
	assert_int_equal(sv_day_of_week(day("1900-01-01")), 0);	/* Monday */
	assert_int_equal(sv_day_of_week(day("2000-01-01")), 5);	/* Saturday */
	assert_int_equal(sv_day_of_week(day("2024-02-29")), 3);	/* Thursday */
	assert_int_equal(sv_day_of_week(day("2026-11-28")), 5);	/* Saturday */
	assert_int_equal(sv_day_of_week(day("2026-11-29")), 6);	/* Sunday */
	assert_int_equal(sv_day_of_week(day("2026-11-30")), 0);	/* Monday */
	assert_int_equal(sv_day_of_week(day("2026-12-25")), 4);	/* Friday */
	assert_int_equal(sv_day_of_week(day("2027-12-25")), 5);	/* Saturday */
	assert_int_equal(sv_day_of_week(day("2028-01-01")), 5);	/* Saturday */
	assert_int_equal(sv_day_of_week(day("2999-12-31")), 1);	/* Tuesday */
	/* Any day, however far out, is 0-6 and steps by one. */
	assert_int_equal(sv_day_of_week(-719528), 5);		/* 0000-01-01 Sat */
	assert_true(sv_day_of_week(INT64_MIN) >= 0 && sv_day_of_week(INT64_MIN) <= 6);
	assert_true(sv_day_of_week(INT64_MAX) >= 0 && sv_day_of_week(INT64_MAX) <= 6);
	assert_int_equal((sv_day_of_week(-8) + 1) % 7, sv_day_of_week(-7));
}

/*
 * The calendar object
 */

static void test_calendar_basics(void **state)
{
	const char *const hol[] = { "2026-12-28", "2026-12-25", "2026-12-25",
				    "2026-12-26" /* a Saturday */ };
	sv_calendar *c = NULL;

	(void)state;
	assert_int_equal(sv_calendar_new(&c, hol, SV_ARRAY_SIZE(hol)), 0);
	assert_false(sv_calendar_working(c, day("2026-12-25")));
	assert_false(sv_calendar_working(c, day("2026-12-26")));
	assert_false(sv_calendar_working(c, day("2026-12-27")));
	assert_false(sv_calendar_working(c, day("2026-12-28")));
	assert_true(sv_calendar_working(c, day("2026-12-24")));
	assert_true(sv_calendar_working(c, day("2026-12-29")));
	assert_int_equal(sv_calendar_last(c), day("2026-12-28"));
	/* Thu 24 Dec -> Tue 29 Dec: 25 holiday, 26-27 weekend, 28 holiday. */
	assert_day(sv_calendar_add_working(c, day("2026-12-24"), 1, NULL, 0),
		   "2026-12-29");
	/* A weekend holiday is not subtracted twice. */
	assert_int_equal(sv_calendar_count_working(c, day("2026-12-20"),
						   day("2027-01-03"), NULL, 0), 8);
	sv_calendar_free(c);

	/* No holidays: weekends only, and last is -1. */
	assert_int_equal(sv_calendar_new(&c, NULL, 0), 0);
	assert_int_equal(sv_calendar_last(c), -1);
	assert_true(sv_calendar_working(c, day("2026-12-25")));
	assert_day(sv_calendar_add_working(c, day("2026-12-25"), 1, NULL, 0),
		   "2026-12-28");
	sv_calendar_free(c);

	/* A NULL calendar behaves the same. */
	assert_int_equal(sv_calendar_last(NULL), -1);
	assert_true(sv_calendar_working(NULL, day("2026-12-25")));
	assert_false(sv_calendar_working(NULL, day("2026-12-26")));
	assert_day(sv_calendar_add_working(NULL, day("2026-12-25"), 1, NULL, 0),
		   "2026-12-28");
	sv_calendar_free(NULL);
}

static void test_calendar_rejects(void **state)
{
	const char *const bad[] = { "2026-12-25", "2026-02-30", "2026-12-26" };
	const char *const with_null[] = { "2026-12-25", NULL };
	sv_calendar *c = (sv_calendar *)&c;	/* must be reset to NULL */

	(void)state;
	assert_int_equal(sv_calendar_new(&c, bad, SV_ARRAY_SIZE(bad)),
			 SCRVAULT_EUSAGE);
	assert_null(c);
	assert_non_null(strstr(scrvault_error_message(),
			       "'2026-02-30' is not a date (YYYY-MM-DD)"));
	assert_non_null(strstr(scrvault_error_message(), "holiday 2"));

	c = (sv_calendar *)&c;
	assert_int_equal(sv_calendar_new(&c, with_null, 2), SCRVAULT_EUSAGE);
	assert_null(c);

	c = (sv_calendar *)&c;
	assert_int_equal(sv_calendar_new(&c, NULL, 3), SCRVAULT_EUSAGE);
	assert_null(c);
}

/*
 * policy/default.conf
 */

static void test_conf_file(void **state)
{
	/* Holidays per year: E&W 8 + Scotland-only 3 (2 Jan, first Monday of
	 * August, St Andrew's) + NI-only 2 (St Patrick's, 12 July) = 13; 2026
	 * also has the one-off Scottish bank holiday of 15 June. */
	static const size_t per_year[5] = { 13, 13, 14, 13, 13 };
	size_t n[5] = { 0 }, i;
	int64_t prev = INT64_MIN;

	(void)state;
	assert_int_equal(uk_count, 66);
	for (i = 0; i < uk_count; i++) {
		int64_t d = -1;
		char s[11];
		unsigned y;

		if (sv_day_parse(&d, uk_dates[i]) < 0)
			fail_msg("%s", scrvault_error_message());
		sv_day_format(s, d);
		assert_string_equal(s, uk_dates[i]);
		/* Sorted and unique: strictly increasing. */
		if (d <= prev)
			fail_msg("'%s' is out of order or repeated", uk_dates[i]);
		prev = d;
		/* Substitutes are resolved in the data: no weekend dates. */
		if (sv_day_of_week(d) > 4)
			fail_msg("'%s' is a weekend day", uk_dates[i]);
		y = (unsigned)((uk_dates[i][0] - '0') * 1000 + (uk_dates[i][1] - '0') * 100 +
			       (uk_dates[i][2] - '0') * 10 + (uk_dates[i][3] - '0'));
		assert_in_range(y, 2024, 2028);
		n[y - 2024]++;
	}
	for (i = 0; i < 5; i++)
		if (n[i] != per_year[i])
			fail_msg("%zu: %zu holidays, wanted %zu", 2024 + i, n[i],
				 per_year[i]);
	assert_int_equal(sv_calendar_last(uk), day("2028-12-26"));

	/* Spot checks of gov.uk's published substitute days. */
	assert_false(sv_calendar_working(uk, day("2024-03-18")));	/* St Patrick's */
	assert_false(sv_calendar_working(uk, day("2024-12-02")));	/* St Andrew's */
	assert_false(sv_calendar_working(uk, day("2025-07-14")));	/* 12 July */
	assert_false(sv_calendar_working(uk, day("2025-12-01")));	/* St Andrew's */
	assert_false(sv_calendar_working(uk, day("2026-12-28")));	/* Boxing Day */
	assert_false(sv_calendar_working(uk, day("2026-07-13")));	/* 12 July */
	assert_false(sv_calendar_working(uk, day("2026-08-03")));	/* Scottish summer */
	assert_false(sv_calendar_working(uk, day("2027-12-27")));	/* Christmas */
	assert_false(sv_calendar_working(uk, day("2027-12-28")));	/* Boxing Day */
	assert_false(sv_calendar_working(uk, day("2027-01-04")));	/* 2 January */
	assert_false(sv_calendar_working(uk, day("2028-01-03")));	/* New Year */
	assert_false(sv_calendar_working(uk, day("2028-01-04")));	/* 2 January */
	/* ... and days that are not holidays anywhere. */
	assert_true(sv_calendar_working(uk, day("2026-04-07")));	/* Easter Tue */
	assert_true(sv_calendar_working(uk, day("2026-12-29")));
	assert_true(sv_calendar_working(uk, day("2028-01-05")));

	/* Working days per year: weekdays less the 13 (14) holidays.
	 * 2024: 262 - 13; 2025: 261 - 13; 2026: 261 - 14; 2027: 261 - 13;
	 * 2028 (leap, starts on a Saturday): 260 - 13. */
	assert_int_equal(sv_calendar_count_working(uk, day("2023-12-31"),
						   day("2024-12-31"), NULL, 0), 249);
	assert_int_equal(sv_calendar_count_working(uk, day("2024-12-31"),
						   day("2025-12-31"), NULL, 0), 248);
	assert_int_equal(sv_calendar_count_working(uk, day("2025-12-31"),
						   day("2026-12-31"), NULL, 0), 247);
	assert_int_equal(sv_calendar_count_working(uk, day("2026-12-31"),
						   day("2027-12-31"), NULL, 0), 248);
	assert_int_equal(sv_calendar_count_working(uk, day("2027-12-31"),
						   day("2028-12-31"), NULL, 0), 247);
}

/*
 * FOI due dates (20 working days after receipt)
 *
 * In the comments, (k) after a day is the running count of working days.
 */

static void test_due_christmas(void **state)
{
	(void)state;
	/*
	 * Received Fri 18 Dec 2026.  Mon 21-Thu 24 (4); Fri 25 Christmas;
	 * Mon 28 Boxing Day substitute; Tue 29-Thu 31 (7); Fri 1 Jan New Year;
	 * Mon 4 Jan the Scottish 2 January substitute (2 Jan is a Saturday);
	 * Tue 5-Fri 8 (11); Mon 11-Fri 15 (16); Mon 18-Thu 21 (20).
	 */
	assert_due("2026-12-18", "2027-01-21");
	/*
	 * Received Mon 20 Dec 2027.  Tue 21-Fri 24 (4); Mon 27, Tue 28
	 * Christmas and Boxing Day substitutes; Wed 29-Fri 31 (7); Mon 3 Jan
	 * 2028 New Year substitute; Tue 4 Scottish 2 January substitute;
	 * Wed 5-Fri 7 (10); Mon 10-Fri 14 (15); Mon 17-Fri 21 (20).
	 */
	assert_due("2027-12-20", "2028-01-21");
	/*
	 * Received Mon 21 Dec 2026.  Tue 22-Thu 24 (3); 25, 28 holidays;
	 * Tue 29-Thu 31 (6); Fri 1 Jan, Mon 4 Jan holidays; Tue 5-Fri 8 (10);
	 * Mon 11-Fri 15 (15); Mon 18-Fri 22 (20).  Spans 28 Dec, 1 Jan and
	 * the 2 January substitute.
	 */
	assert_due("2026-12-21", "2027-01-22");
}

static void test_due_easter(void **state)
{
	(void)state;
	/*
	 * Received Fri 20 Mar 2026.  Mon 23-Fri 27 (5); Mon 30-Thu 2 Apr (9);
	 * Fri 3 Good Friday; Mon 6 Easter Monday; Tue 7-Fri 10 (13);
	 * Mon 13-Fri 17 (18); Mon 20, Tue 21 (20).
	 */
	assert_due("2026-03-20", "2026-04-21");
	/*
	 * Received Mon 15 Mar 2027.  Tue 16 (1); Wed 17 St Patrick's Day (NI);
	 * Thu 18, Fri 19 (3); Mon 22-Thu 25 (7); Fri 26 Good Friday;
	 * Mon 29 Easter Monday; Tue 30-Fri 2 Apr (11); Mon 5-Fri 9 (16);
	 * Mon 12-Thu 15 (20).
	 */
	assert_due("2027-03-15", "2027-04-15");
}

static void test_due_may_august(void **state)
{
	(void)state;
	/*
	 * Received Mon 27 Apr 2026.  Tue 28-Fri 1 May (4); Mon 4 early May;
	 * Tue 5-Fri 8 (8); Mon 11-Fri 15 (13); Mon 18-Fri 22 (18);
	 * Mon 25 spring bank holiday; Tue 26, Wed 27 (20).
	 */
	assert_due("2026-04-27", "2026-05-27");
	/*
	 * Received Fri 14 Aug 2026.  Mon 17-Fri 21 (5); Mon 24-Fri 28 (10);
	 * Mon 31 summer bank holiday (E&W, NI); Tue 1-Fri 4 Sep (14);
	 * Mon 7-Fri 11 (19); Mon 14 (20).
	 */
	assert_due("2026-08-14", "2026-09-14");
	/*
	 * Received Fri 24 Jul 2026.  Mon 27-Fri 31 (5); Mon 3 Aug Scottish
	 * summer bank holiday; Tue 4-Fri 7 (9); Mon 10-Fri 14 (14);
	 * Mon 17-Fri 21 (19); Mon 24 (20).
	 */
	assert_due("2026-07-24", "2026-08-24");
	/*
	 * Received Mon 1 Jun 2026.  Tue 2-Fri 5 (4); Mon 8-Fri 12 (9);
	 * Mon 15 the one-off Scottish bank holiday; Tue 16-Fri 19 (13);
	 * Mon 22-Fri 26 (18); Mon 29, Tue 30 (20).
	 */
	assert_due("2026-06-01", "2026-06-30");
}

static void test_due_scotland(void **state)
{
	(void)state;
	/*
	 * Received Fri 20 Nov 2026.  Mon 23-Fri 27 (5); Mon 30 St Andrew's
	 * Day; Tue 1-Fri 4 Dec (9); Mon 7-Fri 11 (14); Mon 14-Fri 18 (19);
	 * Mon 21 (20).
	 */
	assert_due("2026-11-20", "2026-12-21");
}

static void test_due_northern_ireland(void **state)
{
	(void)state;
	/*
	 * Received Tue 3 Mar 2026.  Wed 4-Fri 6 (3); Mon 9-Fri 13 (8);
	 * Mon 16 (9); Tue 17 St Patrick's Day; Wed 18-Fri 20 (12);
	 * Mon 23-Fri 27 (17); Mon 30-Wed 1 Apr (20).
	 */
	assert_due("2026-03-03", "2026-04-01");
	/*
	 * Received Mon 28 Jun 2027.  Tue 29-Fri 2 Jul (4); Mon 5-Fri 9 (9);
	 * Mon 12 Battle of the Boyne; Tue 13-Fri 16 (13); Mon 19-Fri 23 (18);
	 * Mon 26, Tue 27 (20).
	 */
	assert_due("2027-06-28", "2027-07-27");
}

static void test_due_weekend_and_holiday_receipt(void **state)
{
	(void)state;
	/*
	 * Received Sat 28 Nov 2026: the receipt day is never counted, and the
	 * first candidate, Mon 30 Nov, is St Andrew's Day.  Tue 1-Fri 4 Dec
	 * (4); Mon 7-Fri 11 (9); Mon 14-Fri 18 (14); Mon 21-Thu 24 (18);
	 * Fri 25, Mon 28 holidays; Tue 29, Wed 30 (20).
	 */
	assert_due("2026-11-28", "2026-12-30");
	/* Sunday 29 Nov is no different from the Saturday. */
	assert_due("2026-11-29", "2026-12-30");
	/*
	 * Received Mon 4 May 2026, the early May bank holiday.  Tue 5-Fri 8
	 * (4); Mon 11-Fri 15 (9); Mon 18-Fri 22 (14); Mon 25 spring bank
	 * holiday; Tue 26-Fri 29 (18); Mon 1 Jun, Tue 2 (20).
	 */
	assert_due("2026-05-04", "2026-06-02");
	/*
	 * Received Good Friday 3 Apr 2026.  Mon 6 Easter Monday; Tue 7-Fri 10
	 * (4); Mon 13-Fri 17 (9); Mon 20-Fri 24 (14); Mon 27-Fri 1 May (19);
	 * Mon 4 early May; Tue 5 (20).
	 */
	assert_due("2026-04-03", "2026-05-05");
}

static void test_due_paused(void **state)
{
	int64_t r = day("2026-01-12");
	sv_day_range fees = { day("2026-01-20"), day("2026-01-29") };
	sv_day_range messy[] = {
		{ day("2026-01-26"), day("2026-01-29") },
		{ day("2026-01-20"), day("2026-01-27") },	/* overlaps */
		{ day("2026-01-01"), day("2026-01-14") },	/* before receipt */
		{ day("2026-03-01"), day("2026-02-01") },	/* empty */
	};
	int64_t d;

	(void)state;
	/*
	 * Received Mon 12 Jan 2026, no pause.  Tue 13-Fri 16 (4);
	 * Mon 19-Fri 23 (9); Mon 26-Fri 30 (14); Mon 2-Fri 6 Feb (19);
	 * Mon 9 Feb (20).
	 */
	assert_due("2026-01-12", "2026-02-09");
	/*
	 * A fees notice on Tue 20 Jan, paid Thu 29 Jan: those days are
	 * disregarded (FOIA s.10(2)).  Tue 13-Fri 16 (4); Mon 19 (5);
	 * 20-29 paused; Fri 30 (6); Mon 2-Fri 6 Feb (11); Mon 9-Fri 13 (16);
	 * Mon 16-Thu 19 (20).  The 8 paused working days move 9 Feb to 19 Feb.
	 */
	d = sv_calendar_add_working(uk, r, 20, &fees, 1);
	assert_day(d, "2026-02-19");
	assert_int_equal(sv_calendar_count_working(uk, r, d, &fees, 1), 20);
	assert_int_equal(sv_calendar_count_working(uk, r, d, NULL, 0), 28);
	/*
	 * Unsorted, overlapping, one starting before receipt, one empty: the
	 * union is 1-14 Jan and 20-29 Jan.  Tue 13, Wed 14 paused; Thu 15,
	 * Fri 16 (2); Mon 19 (3); 20-29 paused; Fri 30 (4); Mon 2-Fri 6 Feb
	 * (9); Mon 9-Fri 13 (14); Mon 16-Fri 20 (19); Mon 23 (20).
	 */
	d = sv_calendar_add_working(uk, r, 20, messy, SV_ARRAY_SIZE(messy));
	assert_day(d, "2026-02-23");
	assert_int_equal(sv_calendar_count_working(uk, r, d, messy,
						   SV_ARRAY_SIZE(messy)), 20);
	/* A pause that swallows the would-be due date pushes past it. */
	{
		sv_day_range p = { day("2026-02-09"), day("2026-02-09") };

		/* Mon 9 Feb paused, so the 20th day is Tue 10 Feb. */
		assert_day(sv_calendar_add_working(uk, r, 20, &p, 1), "2026-02-10");
	}
}

static void test_count_working(void **state)
{
	int64_t a = day("2026-12-24");

	(void)state;
	/* (Thu 24 Dec 2026, Tue 5 Jan 2027]: Tue 29, Wed 30, Thu 31, Tue 5. */
	assert_int_equal(sv_calendar_count_working(uk, a, day("2027-01-05"),
						   NULL, 0), 4);
	/* Empty and backwards spans. */
	assert_int_equal(sv_calendar_count_working(uk, a, a, NULL, 0), 0);
	assert_int_equal(sv_calendar_count_working(uk, a, a - 10, NULL, 0), 0);
	/* `to` itself counts, `from` does not: (Wed 23, Thu 24] is 1. */
	assert_int_equal(sv_calendar_count_working(uk, a - 1, a, NULL, 0), 1);
	assert_int_equal(sv_calendar_count_working(uk, a, a + 1, NULL, 0), 0);
	/* A pause covering the whole span leaves nothing. */
	{
		sv_day_range all = { a - 100, a + 100 };

		assert_int_equal(sv_calendar_count_working(uk, a - 50, a + 50,
							   &all, 1), 0);
	}
	/* March 2026 (NI: St Patrick's): 22 weekdays less Tue 17 = 21. */
	assert_int_equal(sv_calendar_count_working(uk, day("2026-02-28"),
						   day("2026-03-31"), NULL, 0), 21);
}

static void test_extremes(void **state)
{
	sv_day_range everything = { INT64_MIN, INT64_MAX };
	int64_t d;

	(void)state;
	/* Clamped, so no overflow (UBSan watches) and no endless loop. */
	d = sv_calendar_add_working(uk, INT64_MAX, UINT_MAX, NULL, 0);
	assert_true(d > ((int64_t)1 << 40));
	d = sv_calendar_add_working(uk, 0, 5, &everything, 1);
	assert_true(d > ((int64_t)1 << 40));
	assert_true(sv_calendar_count_working(uk, INT64_MIN, INT64_MAX, NULL, 0) > 0);
	assert_int_equal(sv_calendar_count_working(uk, INT64_MIN, INT64_MAX,
						   &everything, 1), 0);
	assert_int_equal(sv_calendar_add_working(uk, 12345, 0, NULL, 0), 12345);
	/* A million working days is quick (counted, not walked). */
	d = sv_calendar_add_working(uk, day("2026-01-01"), 1000000, NULL, 0);
	assert_int_equal(sv_calendar_count_working(uk, day("2026-01-01"), d,
						   NULL, 0), 1000000);
}

/*
 * Randomised comparison with a day-by-day reference
 */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static bool ref_counted(int64_t d, const sv_day_range *p, size_t np)
{
	size_t i;

	if (!sv_calendar_working(uk, d))
		return false;
	for (i = 0; i < np; i++)
		if (p[i].from <= d && d <= p[i].to)
			return false;
	return true;
}

static void test_against_reference(void **state)
{
	int64_t lo = day("2023-12-01"), span = day("2028-10-01") - lo;
	int iter;

	(void)state;
	for (iter = 0; iter < 20000; iter++) {
		sv_day_range p[4];
		size_t np = rng() % 5, i;
		int64_t start = lo + (int64_t)(rng() % (uint64_t)span), d, to, want;
		unsigned n = 1 + (unsigned)(rng() % 60), k;

		for (i = 0; i < np; i++) {
			p[i].from = start - 20 + (int64_t)(rng() % 80);
			p[i].to = p[i].from - 2 + (int64_t)(rng() % 25);
		}
		for (d = start, k = 0; k < n; )
			if (ref_counted(++d, p, np))
				k++;
		if (sv_calendar_add_working(uk, start, n, p, np) != d) {
			char s[11];

			sv_day_format(s, start);
			fail_msg("start %s n %u np %zu", s, n, np);
		}
		to = start - 5 + (int64_t)(rng() % 120);
		for (d = start, want = 0; d < to; )
			if (ref_counted(++d, p, np))
				want++;
		assert_int_equal(sv_calendar_count_working(uk, start, to, p, np), want);
	}
}

/* sv_date_check: one way for every date argument, past / future / after. */
static void test_date_check(void **state)
{
	char today[11], tomorrow[11], yesterday[11];

	(void)state;
	sv_today(today);
	assert_int_equal(sv_date_add(tomorrow, today, 1, 'd'), 0);
	assert_int_equal(sv_date_add(yesterday, today, -1, 'd'), 0);
	assert_int_equal(sv_date_check("on", "the day", NULL, SV_DATE_PAST, NULL, NULL), 0);
	assert_int_equal(sv_date_check("on", "the day", "2026-02-30", SV_DATE_ANY, NULL, NULL), SCRVAULT_EUSAGE);
	assert_string_equal(scrvault_error_field(), "on");
	assert_int_equal(sv_date_check("on", "the day", "26-01-01", SV_DATE_ANY, NULL, NULL), SCRVAULT_EUSAGE);
	assert_int_equal(sv_date_check("on", "the day", today, SV_DATE_PAST, NULL, NULL), 0);
	assert_int_equal(sv_date_check("on", "the day", today, SV_DATE_FUTURE, NULL, NULL), 0);
	assert_int_equal(sv_date_check("on", "the day", tomorrow, SV_DATE_PAST, NULL, NULL), SCRVAULT_EUSAGE);
	assert_non_null(strstr(scrvault_error_message(), "is in the future"));
	assert_int_equal(sv_date_check("due", "the due date", yesterday, SV_DATE_FUTURE, NULL, NULL), SCRVAULT_EUSAGE);
	assert_non_null(strstr(scrvault_error_message(), "is in the past"));
	assert_int_equal(sv_date_check("on", "the decision", "2026-01-09", SV_DATE_ANY, "2026-01-10", "the referral"),
			 SCRVAULT_EUSAGE);
	assert_non_null(strstr(scrvault_error_message(), "is before the referral (2026-01-10)"));
	assert_int_equal(sv_date_check("on", "the decision", "2026-01-10", SV_DATE_ANY, "2026-01-10", "the referral"), 0);
	assert_int_equal(sv_date_check("on", "the decision", "2026-01-10", SV_DATE_ANY, "", "the referral"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format_round_trip),
		cmocka_unit_test(test_format_range),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_one_date_rule),
		cmocka_unit_test(test_date_check),
		cmocka_unit_test(test_day_of_week),
		cmocka_unit_test(test_calendar_basics),
		cmocka_unit_test(test_calendar_rejects),
		cmocka_unit_test(test_conf_file),
		cmocka_unit_test(test_due_christmas),
		cmocka_unit_test(test_due_easter),
		cmocka_unit_test(test_due_may_august),
		cmocka_unit_test(test_due_scotland),
		cmocka_unit_test(test_due_northern_ireland),
		cmocka_unit_test(test_due_weekend_and_holiday_receipt),
		cmocka_unit_test(test_due_paused),
		cmocka_unit_test(test_count_working),
		cmocka_unit_test(test_extremes),
		cmocka_unit_test(test_against_reference),
	};

	return cmocka_run_group_tests(tests, load_uk, free_uk);
}
