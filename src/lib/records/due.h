/*
 * due.h - what falls due: the one shape in which each register gives the
 * agenda (agenda.c) its items.  A register that has dates computes them
 * itself (the FOI clock in request.c, the retention plan in retention.c,
 * the copy register's due dates in copy.c, ...) and hands each item due on
 * or before a day to a function, with the attributes the agenda filters
 * the asker's scope by.  Nothing here is about a child or a family: `what`
 * is fixed words with ids and principal names, never a title, a summary or
 * an outside person's name.
 */
#ifndef SV_RECORDS_DUE_H
#define SV_RECORDS_DUE_H

#include "vault/session.h"
#include "base/common.h"

typedef struct {
	const char *kind;	/* the agenda kind, for a source of several kinds; else NULL */
	const char *due_on;	/* YYYY-MM-DD */
	const char *caseref;	/* the case, or NULL: the board's (an operation, a batch) */
	const char *doc_class;	/* the document's class and agency (scope), or NULL */
	const char *agency;
	int64_t holder;		/* a copy's holder (a principal id), else 0 */
	const char *id;		/* the item's own number or id ("12", "d-...@2") */
	const char *what;	/* short: fixed words, ids, principal names */
	const char *command;	/* the command that deals with it */
} sv_due;

/* Called for each item; a negative return stops the source with that code. */
typedef int (*sv_due_fn)(void *ctx, const sv_due *d);

/* Where a source that reads its items with sv_db_each (storage/db.h) gives them. */
typedef struct {
	sv_due_fn fn;
	void *ctx;
} sv_due_sink;

/*
 * The sources, each one indexed query in its own module: every item due on
 * or before `by` (YYYY-MM-DD; overdue ones included) as of `now`, in a
 * stable order.  Each is called only for a session whose role may read the
 * kind (agenda.c filters each item's case scope).
 */
/* Copies issued and not returned, by their due date (copy.c). */
int sv_copy_due(scrvault *v, const char *now, const char *by, sv_due_fn fn, void *ctx);
/* Open FOI requests by their answer's due date, and stopped clocks (request.c). */
int sv_request_foi_due(scrvault *v, const char *now, const char *by, sv_due_fn fn, void *ctx);
/* Outside (external) requests not yet decided, since their receipt (request.c). */
int sv_request_undecided_due(scrvault *v, const char *now, const char *by, sv_due_fn fn, void *ctx);
/* Pending dual-control operations by their expiry (op.c). */
int sv_op_due(scrvault *v, const char *now, const char *by, sv_due_fn fn, void *ctx);
/* Disposal batches waiting for approval, since proposed (retention.c). */
int sv_disposal_due(scrvault *v, const char *now, const char *by, sv_due_fn fn, void *ctx);
/* Versions due for review or destruction by the retention plan (retention.c). */
int sv_retention_due(scrvault *v, const char *now, const char *by, sv_due_fn fn, void *ctx);
/* Published executive summaries by their take-down date (retention.c). */
int sv_takedown_due(scrvault *v, const char *now, const char *by, sv_due_fn fn, void *ctx);

/* Running statutory clocks, kinds decision, imr, completion, ofsted and
 * plan-review, by their due dates; one query set for the vault (timeline.c). */
int sv_clock_due(scrvault *v, const char *now, const char *by, sv_due_fn fn, void *ctx);
/* Referrals awaiting the sub-committee's recommendation, since received (referral.c). */
int sv_referral_due(scrvault *v, const char *now, const char *by, sv_due_fn fn, void *ctx);

#endif
