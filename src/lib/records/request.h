/*
 * request.h - releases under an access request (request.c).
 */
#ifndef SV_RECORDS_REQUEST_H
#define SV_RECORDS_REQUEST_H

#include "vault/session.h"
#include "base/calendar.h"
#include "base/common.h"

/*
 * Before releasing `doc` to `recipient` (a principal; or `outside`, NULL for
 * a principal): if its class is restricted (*restricted), the session's access
 * request must be agreed, unexpired, not used up, cover it and be the
 * recipient's (for someone outside: an outside request naming that age key,
 * or that name and organisation); else an audited refusal (request.c).
 * sv_request_consume counts the release, inside its transaction.
 */
typedef struct {
	const char *age_recipient;	/* a release to an age1... key, or */
	const char *name, *org;		/* a paper copy to an outside holder */
} sv_outside;

int sv_request_check(scrvault *v, const char *doc, int64_t recipient, const sv_outside *outside, bool *restricted);

/* The same checks whatever the class (a concluded case's release); sets *restricted. */
int sv_request_require(scrvault *v, const char *doc, int64_t recipient, const sv_outside *outside, bool *restricted);

int sv_request_consume(scrvault *v);

/*
 * The due date (a day number) of FOI request `id` received on `received`
 * (YYYY-MM-DD) by the calendar `cal`, its clock's pauses counted; -1 while
 * the clock is stopped (reports, the agenda).
 */
int sv_request_foi_due_day(int64_t *due, scrvault *v, const sv_calendar *cal, int64_t id, const char *received);

#endif
