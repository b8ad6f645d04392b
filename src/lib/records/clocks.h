/*
 * records/clocks.h - the vault-wide clocks without JSON (timeline.c): each
 * milestone as the clock engine gives it, for the library's own reports
 * (services/report.c), which count thousands of them.
 * scrvault_clock_list_each is this with each row made into JSON.
 */
#ifndef SV_RECORDS_CLOCKS_H
#define SV_RECORDS_CLOCKS_H

#include "scrvault/timeline.h"
#include "base/clock.h"

typedef struct {
	const char *ref;		/* the case */
	const char *agency;		/* an IMR's agency, else NULL */
	const sv_milestone *m;		/* the engine's milestone: status, due, done, late_days, extended */
	/* an IMR's commission, else 0 and NULL: its id, author and days
	 * (commissioned, draft, signed off) */
	int64_t commission;
	const char *author;
	const sv_clock_commission *cm;
	int64_t today;			/* the day the statuses are judged on */
} sv_clock_row;
typedef int (*sv_clock_row_fn)(void *ctx, const sv_clock_row *row);

/* As scrvault_clock_list_each (the same checks, filter and order); `fn` returns < 0 to stop. */
int sv_clock_each(scrvault *v, const scrvault_clock_filter *f, sv_clock_row_fn fn, void *ctx);

#endif
