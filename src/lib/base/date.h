/*
 * date.h - the clock, ISO 8601 times and YYYY-MM-DD dates (date.c).
 */
#ifndef SV_BASE_DATE_H
#define SV_BASE_DATE_H

#include "base/common.h"



/* Current UTC time: seconds and "YYYY-MM-DDTHH:MM:SSZ". */
int64_t sv_now(void);

/* Seconds on the monotonic clock (for measuring). */
double sv_monotonic(void);

void sv_time_iso(char out[21], int64_t t);

/* Seconds since the epoch of "YYYY-MM-DDTHH:MM:SSZ", or -1 if malformed. */
int64_t sv_time_parse(const char *s);

/* Validate a YYYY-MM-DD date (a real calendar date). */
bool sv_date_valid(const char *s);

/* Today's date, YYYY-MM-DD (UTC). */
void sv_today(char out[11]);

/* `from` (YYYY-MM-DD) plus `amount` days ('d'), months ('m') or years ('y'),
 * months clamping the day; -1 if the result is not a date. */
int sv_date_add(char out[11], const char *from, int64_t amount, char unit);

#endif
