/*
 * test_clock.c - the statutory clocks (base/clock.h) with the timescales of
 * the built-in default policy (policy/default.conf's [timescales] and
 * [calendar]).
 *
 * Every due date is worked out by hand in the comments and written out
 * literally, around weekends, bank holidays, month ends and leap years.
 */
#include <string.h>
#include "unit.h"
#include "days.h"
#include "base/clock.h"
#include "base/date.h"
#include "vault/policyfile.h"

static sv_policy *pol;
static sv_calendar *uk;
enum { SCR = 0, SIR = 1 };

static sv_clock_event ev(const char *ymd, int64_t seq)
{
	return (sv_clock_event){ day(ymd), seq };
}

static int setup(void **state)
{
	const char *days[SV_POLICY_MAX / 16];
	char dates[SV_POLICY_MAX / 16][11];

	(void)state;
	if (sv_policy_default(&pol) < 0 || pol->nholidays > SV_ARRAY_SIZE(days))
		return -1;
	for (size_t i = 0; i < pol->nholidays; i++) {
		snprintf(dates[i], sizeof(dates[i]), "%.10s", pol->holidays[i]);
		days[i] = dates[i];
	}
	return sv_calendar_new(&uk, days, pol->nholidays) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	sv_calendar_free(uk);
	sv_policy_free(pol);
	return 0;
}

/* The default policy's clocks, as the seeds give them. */
static void test_default_timescales(void **state)
{
	char s[64];

	(void)state;
	sv_timescale_format(s, sizeof(s), &pol->timescales[SIR][SV_CLOCK_DECISION]);
	assert_string_equal(s, "1 month after received");
	sv_timescale_format(s, sizeof(s), &pol->timescales[SIR][SV_CLOCK_IMR]);
	assert_string_equal(s, "10 weeks after decision");
	sv_timescale_format(s, sizeof(s), &pol->timescales[SCR][SV_CLOCK_IMR]);
	assert_string_equal(s, "1 month after commissioned");
	sv_timescale_format(s, sizeof(s), &pol->timescales[SCR][SV_CLOCK_COMPLETION]);
	assert_string_equal(s, "6 months after decision");
	sv_timescale_format(s, sizeof(s), &pol->timescales[SIR][SV_CLOCK_OFSTED_SUMMARY]);
	assert_string_equal(s, "1 month after evaluation");
	sv_timescale_format(s, sizeof(s), &pol->timescales[SIR][SV_CLOCK_IMPROVEMENT_PLAN]);
	assert_string_equal(s, "3 months after evaluation");
	sv_timescale_format(s, sizeof(s), &pol->timescales[SIR][SV_CLOCK_PLAN_REVIEW]);
	assert_string_equal(s, "6 months after completed");
	sv_timescale_format(s, sizeof(s), &pol->timescales[SCR][SV_CLOCK_PLAN_REVIEW]);
	assert_string_equal(s, "3 months after completed");
	/* the built-in fallback agrees with default.conf, clock by clock */
	for (int t = 0; t < SV_REVIEW_TYPES; t++)
		for (int k = 0; k < SV_CLOCKS; k++) {
			sv_timescale b = sv_timescale_builtin(t, (sv_clock_id)k), *p = &pol->timescales[t][k];

			assert_int_equal(b.amount, p->amount);
			assert_int_equal(b.unit, p->unit);
			assert_int_equal(b.anchor, p->anchor);
		}
}

static void test_parse(void **state)
{
	sv_timescale t;
	char why[256];

	(void)state;
	assert_int_equal(sv_timescale_parse(&t, SV_CLOCK_IMR, "20 working days after commissioned", why, sizeof(why)), 0);
	assert_int_equal(t.unit, SV_TS_WORKING);
	assert_int_equal(t.amount, 20);
	assert_int_equal(t.anchor, SV_ANCHOR_COMMISSIONED);
	assert_int_equal(sv_timescale_parse(&t, SV_CLOCK_COMPLETION, "1 week after decision", why, sizeof(why)), 0);
	assert_int_equal(t.unit, SV_TS_WEEKS);
	assert_int_equal(sv_timescale_parse(&t, SV_CLOCK_DECISION, "30 days after received", why, sizeof(why)), 0);
	assert_int_equal(t.unit, SV_TS_DAYS);
	/* refused: each with a sentence that says what to write */
	assert_int_equal(sv_timescale_parse(&t, SV_CLOCK_DECISION, "1 month after decision", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "runs from received"));
	assert_int_equal(sv_timescale_parse(&t, SV_CLOCK_IMR, "1 month after received", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "decision or commissioned"));
	assert_int_equal(sv_timescale_parse(&t, SV_CLOCK_IMR, "0 days after decision", why, sizeof(why)), -1);
	assert_int_equal(sv_timescale_parse(&t, SV_CLOCK_IMR, "-1 days after decision", why, sizeof(why)), -1);
	assert_int_equal(sv_timescale_parse(&t, SV_CLOCK_IMR, "3651 days after decision", why, sizeof(why)), -1);
	assert_int_equal(sv_timescale_parse(&t, SV_CLOCK_IMR, "2 fortnights after decision", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "N days|working days|weeks|months after EVENT"));
	assert_int_equal(sv_timescale_parse(&t, SV_CLOCK_IMR, "2 working weeks after decision", why, sizeof(why)), -1);
	assert_int_equal(sv_timescale_parse(&t, SV_CLOCK_IMR, "2 weeks before decision", why, sizeof(why)), -1);
	assert_int_equal(sv_timescale_parse(&t, SV_CLOCK_IMR, "2 weeks after decision today", why, sizeof(why)), -1);
	assert_int_equal(sv_timescale_parse(&t, SV_CLOCK_IMR, "2x weeks after decision", why, sizeof(why)), -1);
	assert_int_equal(sv_timescale_parse(&t, SV_CLOCK_IMR, "", why, sizeof(why)), -1);
	assert_int_equal(sv_timescale_parse(&t, SV_CLOCK_IMR, NULL, why, sizeof(why)), -1);
}

/* Months: the same day N months on, or that month's last day. */
static void test_months(void **state)
{
	sv_timescale m1 = { SV_ANCHOR_RECEIVED, 1, SV_TS_MONTHS }, m3 = { SV_ANCHOR_EVALUATION, 3, SV_TS_MONTHS };
	sv_timescale m6 = { SV_ANCHOR_DECISION, 6, SV_TS_MONTHS };

	(void)state;
	assert_day(sv_timescale_due(&m1, uk, day("2026-01-15")), "2026-02-15");
	assert_day(sv_timescale_due(&m1, uk, day("2026-01-31")), "2026-02-28");	/* no 31 February */
	assert_day(sv_timescale_due(&m1, uk, day("2024-01-31")), "2024-02-29");	/* leap year */
	assert_day(sv_timescale_due(&m1, uk, day("2024-01-29")), "2024-02-29");
	assert_day(sv_timescale_due(&m1, uk, day("2023-01-29")), "2023-02-28");	/* no 29 February 2023 */
	assert_day(sv_timescale_due(&m1, uk, day("2026-12-31")), "2027-01-31");	/* over the year end */
	assert_day(sv_timescale_due(&m1, uk, day("2026-03-31")), "2026-04-30");
	assert_day(sv_timescale_due(&m3, uk, day("2026-11-30")), "2027-02-28");
	assert_day(sv_timescale_due(&m3, uk, day("2027-11-30")), "2028-02-29");
	assert_day(sv_timescale_due(&m6, uk, day("2026-08-31")), "2027-02-28");
	assert_day(sv_timescale_due(&m6, uk, day("2027-08-31")), "2028-02-29");
	/* a due date on a Saturday stays there: 7 February 2026 was a Saturday */
	assert_int_equal(sv_day_of_week(day("2026-03-07")), 5);
	assert_day(sv_timescale_due(&m1, uk, day("2026-02-07")), "2026-03-07");
	/* and on a bank holiday: 25 November + 1 month is Christmas Day */
	assert_day(sv_timescale_due(&m1, uk, day("2026-11-25")), "2026-12-25");
	assert_int_equal(sv_timescale_due(&m1, uk, -1), -1);
}

static void test_weeks_days(void **state)
{
	sv_timescale w10 = { SV_ANCHOR_DECISION, 10, SV_TS_WEEKS }, d30 = { SV_ANCHOR_RECEIVED, 30, SV_TS_DAYS };

	(void)state;
	/* Monday 2 March 2026 + 70 days = Monday 11 May 2026 */
	assert_day(sv_timescale_due(&w10, uk, day("2026-03-02")), "2026-05-11");
	/* over the leap day: 2028-02-01 + 30 days = 2028-03-02 */
	assert_day(sv_timescale_due(&d30, uk, day("2028-02-01")), "2028-03-02");
	/* 2027-02-01 + 30 days = 2027-03-03 */
	assert_day(sv_timescale_due(&d30, uk, day("2027-02-01")), "2027-03-03");
	/* weeks count weekends and holidays: 2026-12-21 + 2 weeks = 2027-01-04 */
	w10.amount = 2;
	assert_day(sv_timescale_due(&w10, uk, day("2026-12-21")), "2027-01-04");
}

static void test_working_days(void **state)
{
	sv_timescale w5 = { SV_ANCHOR_COMMISSIONED, 5, SV_TS_WORKING }, w2 = { SV_ANCHOR_COMMISSIONED, 2, SV_TS_WORKING };

	(void)state;
	/*
	 * Wednesday 23 December 2026: Thu 24 (1); Fri 25 Christmas; Sat, Sun;
	 * Mon 28 Boxing Day substitute; Tue 29 (2), Wed 30 (3), Thu 31 (4); Fri 1
	 * January New Year; Sat, Sun; Mon 4 January 2nd January substitute
	 * (Scotland: any part of the UK counts); Tue 5 January 2027 (5).
	 */
	assert_day(sv_timescale_due(&w5, uk, day("2026-12-23")), "2027-01-05");
	/* Thursday 2 April 2026: Good Friday, the weekend, Easter Monday; Tue 7 (1), Wed 8 (2) */
	assert_day(sv_timescale_due(&w2, uk, day("2026-04-02")), "2026-04-08");
	/* from a Saturday: the anchor never counts; Mon 9, Tue 10 February 2026 */
	assert_day(sv_timescale_due(&w2, uk, day("2026-02-07")), "2026-02-10");
	/* without a calendar only weekends stop it: Thu 24 (1), Fri 25 December 2026 (2) */
	assert_day(sv_timescale_due(&w2, NULL, day("2026-12-23")), "2026-12-25");
}

/* One milestone's status from its dates. */
static sv_milestone one(const char *received, const char *decided, const char *as_of, int64_t horizon)
{
	sv_clock_case c = { .ts = pol->timescales[SIR], .received = received ? ev(received, 7) : SV_NO_EVENT,
			    .decision = decided ? ev(decided, 9) : SV_NO_EVENT, .extension = SV_NO_EVENT,
			    .completed = SV_NO_EVENT, .evaluation = SV_NO_EVENT, .summary_sent = SV_NO_EVENT,
			    .plan_sent = SV_NO_EVENT, .plan_closed = SV_NO_EVENT };
	sv_milestone *ms = NULL, m;
	size_t n = 0;

	assert_int_equal(sv_clock_run(&ms, &n, &c, uk, day(as_of), horizon), 0);
	assert_true(n >= 1);
	assert_int_equal(ms[0].clock, SV_CLOCK_DECISION);
	m = ms[0];
	free(ms);
	return m;
}

static void test_status(void **state)
{
	sv_milestone m;

	(void)state;
	/* received 31 January 2026: due 28 February */
	m = one("2026-01-31", "2026-02-28", "2026-06-01", 14);
	assert_day(m.anchor, "2026-01-31");
	assert_day(m.due, "2026-02-28");
	assert_int_equal(m.status, SV_MS_DONE_ON_TIME);	/* on the due date is on time */
	assert_int_equal(m.seq, 9);
	m = one("2026-01-31", "2026-03-01", "2026-06-01", 14);
	assert_int_equal(m.status, SV_MS_DONE_LATE);
	assert_int_equal(m.late_days, 1);
	m = one("2026-01-31", NULL, "2026-03-03", 14);
	assert_int_equal(m.status, SV_MS_OVERDUE);
	assert_int_equal(m.late_days, 3);
	assert_string_equal(sv_ms_status_name(m.status), "overdue");
	m = one("2026-01-31", NULL, "2026-02-28", 14);
	assert_int_equal(m.status, SV_MS_DUE);			/* due today */
	m = one("2026-01-31", NULL, "2026-02-14", 14);
	assert_int_equal(m.status, SV_MS_DUE);			/* 14 days ahead */
	m = one("2026-01-31", NULL, "2026-02-13", 14);
	assert_int_equal(m.status, SV_MS_OPEN);			/* 15 days ahead */
	m = one("2026-01-31", NULL, "2026-01-30", 14);
	assert_int_equal(m.status, SV_MS_NOT_STARTED);		/* as of before the anchor */
	m = one(NULL, NULL, "2026-01-30", 14);
	assert_int_equal(m.status, SV_MS_NOT_STARTED);
	assert_int_equal(m.due, -1);
	/* as of a day before it was done, it was not done yet */
	m = one("2026-01-31", "2026-02-20", "2026-02-19", 14);
	assert_int_equal(m.status, SV_MS_DUE);
	assert_int_equal(m.done, -1);
	assert_int_equal(m.seq, 0);
	m = one(NULL, "2026-02-02", "2026-03-01", 14);
	assert_int_equal(m.status, SV_MS_DONE);			/* no anchor recorded: no deadline */
	assert_string_equal(sv_ms_status_name(m.status), "done");
}

/* A serious case review from the case's arrival to its plan closed. */
static void test_case_scr(void **state)
{
	sv_clock_commission cm[2] = {
		{ .commissioned = ev("2026-02-10", 20), .due = -1, .draft = ev("2026-03-12", 31),
		  .signed_off = ev("2026-03-20", 35) },
		{ .commissioned = ev("2026-02-10", 21), .due = day("2026-04-30"), .draft = SV_NO_EVENT,
		  .signed_off = SV_NO_EVENT },
	};
	sv_clock_event reviews[2] = { ev("2027-01-19", 60), ev("2027-05-01", 61) };
	sv_clock_case c = { .ts = pol->timescales[SCR], .received = ev("2026-01-05", 1), .decision = ev("2026-02-02", 2),
			    .commissions = cm, .ncommissions = 2, .extension = ev("2026-10-30", 40),
			    .completed = SV_NO_EVENT, .evaluation = SV_NO_EVENT, .summary_sent = SV_NO_EVENT,
			    .plan_sent = SV_NO_EVENT, .plan_closed = SV_NO_EVENT };
	sv_milestone *ms = NULL;
	size_t n = 0;

	(void)state;
	/* as of Monday 4 May 2026, the review in progress */
	assert_int_equal(sv_clock_run(&ms, &n, &c, uk, day("2026-05-04"), 14), 0);
	assert_int_equal(n, 6);	/* decision, 2 IMRs, completion, Ofsted summary, plan review */
	assert_int_equal(ms[0].status, SV_MS_DONE_ON_TIME);	/* due 2026-02-05 */
	assert_day(ms[0].due, "2026-02-05");
	/* police: 1 month after commissioned (003 §5.2), 10 February -> 10 March; draft 12 March */
	assert_int_equal(ms[1].clock, SV_CLOCK_IMR);
	assert_day(ms[1].anchor, "2026-02-10");
	assert_day(ms[1].due, "2026-03-10");
	assert_int_equal(ms[1].status, SV_MS_DONE_LATE);
	assert_int_equal(ms[1].late_days, 2);
	assert_int_equal(ms[1].seq, 31);
	/* health: due set at commission, 30 April; nothing by 4 May */
	assert_day(ms[2].due, "2026-04-30");
	assert_int_equal(ms[2].status, SV_MS_OVERDUE);
	assert_int_equal(ms[2].late_days, 4);
	assert_int_equal(ms[2].index, 1);
	/* completion: 2 August, extended to 30 October */
	assert_int_equal(ms[3].clock, SV_CLOCK_COMPLETION);
	assert_day(ms[3].original_due, "2026-08-02");
	assert_day(ms[3].due, "2026-10-30");
	assert_true(ms[3].extended);
	assert_int_equal(ms[3].status, SV_MS_EXTENDED);
	assert_int_equal(ms[4].clock, SV_CLOCK_OFSTED_SUMMARY);
	assert_int_equal(ms[4].status, SV_MS_NOT_STARTED);
	assert_int_equal(ms[5].clock, SV_CLOCK_PLAN_REVIEW);
	assert_int_equal(ms[5].status, SV_MS_NOT_STARTED);
	assert_int_equal(ms[5].index, 1);
	free(ms);

	/* Later: completed, evaluated "inadequate", two plan reviews, closed. */
	c.completed = ev("2026-10-20", 50);
	c.evaluation = ev("2026-11-30", 51);
	c.inadequate = true;
	c.summary_sent = ev("2026-12-31", 52);
	c.plan_sent = ev("2027-02-28", 53);
	c.plan_reviews = reviews;
	c.nplan_reviews = 2;
	c.plan_closed = ev("2027-06-01", 62);
	assert_int_equal(sv_clock_run(&ms, &n, &c, uk, day("2027-07-20"), 14), 0);
	assert_int_equal(n, 8);
	assert_int_equal(ms[3].status, SV_MS_DONE_ON_TIME);	/* against the extended date */
	assert_true(ms[3].extended);
	assert_day(ms[4].due, "2026-12-30");			/* 30 November + 1 month */
	assert_int_equal(ms[4].status, SV_MS_DONE_LATE);
	assert_int_equal(ms[4].late_days, 1);
	assert_int_equal(ms[5].clock, SV_CLOCK_IMPROVEMENT_PLAN);
	assert_day(ms[5].due, "2027-02-28");			/* 30 November + 3 months: no 30 February */
	assert_int_equal(ms[5].status, SV_MS_DONE_ON_TIME);
	/* quarterly reviews: 20 October -> 20 January (held 19th); 19 January -> 19 April (held 1 May) */
	assert_day(ms[6].due, "2027-01-20");
	assert_int_equal(ms[6].status, SV_MS_DONE_ON_TIME);
	assert_int_equal(ms[6].index, 1);
	assert_day(ms[7].anchor, "2027-01-19");
	assert_day(ms[7].due, "2027-04-19");
	assert_int_equal(ms[7].status, SV_MS_DONE_LATE);
	assert_int_equal(ms[7].late_days, 12);
	free(ms);

	/* not closed: a third review, due 1 August 2027, is due within 14 days of 20 July */
	c.plan_closed = SV_NO_EVENT;
	assert_int_equal(sv_clock_run(&ms, &n, &c, uk, day("2027-07-20"), 14), 0);
	assert_int_equal(n, 9);
	assert_day(ms[8].due, "2027-08-01");
	assert_int_equal(ms[8].status, SV_MS_DUE);
	assert_int_equal(ms[8].index, 3);
	free(ms);
}

/* An extension to a day before the due date changes nothing (the library
 * refuses one; the engine does not trust that). */
static void test_extension_earlier(void **state)
{
	sv_clock_case c = { .ts = pol->timescales[SIR], .received = SV_NO_EVENT, .decision = ev("2026-02-02", 2),
			    .extension = ev("2026-07-01", 3), .completed = SV_NO_EVENT, .evaluation = SV_NO_EVENT,
			    .summary_sent = SV_NO_EVENT, .plan_sent = SV_NO_EVENT, .plan_closed = ev("2027-01-01", 4) };
	sv_milestone *ms = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(sv_clock_run(&ms, &n, &c, uk, day("2026-07-10"), 14), 0);
	assert_int_equal(ms[1].clock, SV_CLOCK_COMPLETION);
	assert_day(ms[1].due, "2026-08-02");
	assert_false(ms[1].extended);
	assert_int_equal(ms[1].status, SV_MS_OPEN);
	free(ms);
}

/* A referral not yet decided, or decided "none": the decision clock alone. */
static void test_no_review(void **state)
{
	sv_clock_case c = { .ts = pol->timescales[SIR], .received = ev("2026-03-31", 1), .decision = SV_NO_EVENT,
			    .extension = SV_NO_EVENT, .completed = SV_NO_EVENT, .evaluation = SV_NO_EVENT,
			    .summary_sent = SV_NO_EVENT, .plan_sent = SV_NO_EVENT, .plan_closed = SV_NO_EVENT,
			    .no_review = true };
	sv_milestone *ms = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(sv_clock_run(&ms, &n, &c, uk, day("2026-05-04"), 14), 0);
	assert_int_equal(n, 1);
	assert_day(ms[0].due, "2026-04-30");	/* 31 March + 1 month */
	assert_int_equal(ms[0].status, SV_MS_OVERDUE);
	assert_int_equal(ms[0].late_days, 4);
	free(ms);
	c.decision = ev("2026-04-29", 5);	/* decided "none": kept, on time */
	assert_int_equal(sv_clock_run(&ms, &n, &c, uk, day("2026-05-04"), 14), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ms[0].status, SV_MS_DONE_ON_TIME);
	free(ms);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_timescales),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_months),
		cmocka_unit_test(test_weeks_days),
		cmocka_unit_test(test_working_days),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_case_scr),
		cmocka_unit_test(test_extension_earlier),
		cmocka_unit_test(test_no_review),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
