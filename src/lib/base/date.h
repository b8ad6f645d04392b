/*
 * date.h - the one date and time module (date.c): the clock, ISO 8601
 * times, YYYY-MM-DD dates and day numbers.  Every date the vault accepts is
 * checked by sv_day_parse, the same way and with the same range of years
 * (1900-2999), whatever the command.
 */
#ifndef SV_BASE_DATE_H
#define SV_BASE_DATE_H

#include "base/common.h"

/* Current UTC time in seconds. */
int64_t sv_now(void);

/* Seconds on the monotonic clock (for measuring). */
double sv_monotonic(void);

/* t as "YYYY-MM-DDTHH:MM:SSZ" (UTC). */
void sv_time_iso(char out[21], int64_t t);

/* Seconds since the epoch of "YYYY-MM-DDTHH:MM:SSZ" (a valid date and time), or -1. */
int64_t sv_time_parse(const char *s);

/* Today's date, YYYY-MM-DD (UTC). */
void sv_today(char out[11]);

/* Days are counted from 1970-01-01 (day 0), proleptic Gregorian. */

/*
 * Parse a strict "YYYY-MM-DD": exactly ten characters, a real date, years
 * 1900-2999.  On success *day is set; on failure it is left untouched and
 * SCRVAULT_EUSAGE "'%s' is not a date (YYYY-MM-DD)" is returned (NULL too).
 */
int sv_day_parse(int64_t *day, const char *ymd);

/* Whether `s` is a date sv_day_parse accepts. */
bool sv_date_valid(const char *s);
/*
 * A date argument, checked the one way every command checks its dates:
 * `s` must be a date sv_day_parse accepts and, as `rule` says, not after
 * today (SV_DATE_PAST: something that happened) or not before today
 * (SV_DATE_FUTURE: something due); and not before `after` when that is a
 * date (a decision after its referral).  0, or SCRVAULT_EUSAGE naming
 * `field`, with `what` ("the received date") and `after_what` in the message.
 * A NULL `s` is 0: required dates are the caller's to demand.
 */
#define SV_DATE_ANY	0u
#define SV_DATE_PAST	1u
#define SV_DATE_FUTURE	2u
int sv_date_check(const char *field, const char *what, const char *s, unsigned rule,
		  const char *after, const char *after_what);

/*
 * The day a listing is as of into out[11]: `as_of` or, when NULL, today.
 * 0, or SCRVAULT_EUSAGE (field "as_of") when as_of is not a YYYY-MM-DD date.
 */
int sv_as_of(char out[11], const char *as_of);

/*
 * Write `day` as "YYYY-MM-DD" and a NUL.  Years 0000-9999 only; any day
 * outside them is written as "0000-00-00" (no real date: month 00).
 */
void sv_day_format(char out[11], int64_t day);

/* 0 = Monday ... 6 = Sunday, for any day (negative ones too). */
int sv_day_of_week(int64_t day);

/*
 * `from` (YYYY-MM-DD) plus `amount` days ('d'), months ('m') or years ('y'),
 * months clamping the day (31 January + 1 month is 28 or 29 February); -1 if
 * `from` or the result is not a date in range.
 */
int sv_date_add(char out[11], const char *from, int64_t amount, char unit);

/* a / b rounded towards minus infinity. */
int64_t sv_floor_div(int64_t a, int64_t b);

#endif
