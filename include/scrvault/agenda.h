/*
 * scrvault/agenda.h - one agenda: everything due or overdue across the
 * vault for the person asking, within their scope, most urgent first.
 *
 * Each kind of item comes from the register that keeps its dates (the
 * register computes them; the agenda only gathers):
 *
 *   decision     a referral's decision to review, due by the decision clock
 *                until decided (referral.decide or referral.read)
 *   referral     a referral awaiting the sub-committee's recommendation,
 *                from the day it was received (referral.recommend)
 *   imr          an IMR's first draft, per agency, by its due date
 *                (case.read; an agency-scoped role: its agency's only)
 *   completion   the review's completion, by its (extended) due date; the
 *                item's "what" says "extended" (case.read)
 *   ofsted       after Ofsted's evaluation: the final executive summary and
 *                publication date, and the improvement plan after an
 *                "inadequate" rating (case.read)
 *   plan-review  the next action-plan review (case.read)
 *                (completion, ofsted, plan-review, decision and referral:
 *                only through a grant of the whole case, board or case
 *                scope, never an agency's)
 *   copy         a copy issued and not returned, by its due date (copy.read,
 *                or the copy's own holder)
 *   foi          an open FOI request by its answer's due date on the FOI
 *                clock, or from the day its clock stopped (request.read)
 *   request      an outside request awaiting a decision, from the day it
 *                was received (request.decide)
 *   operation    a dual-control operation waiting for approval, by its
 *                expiry (op.approve)
 *   disposal     a disposal batch awaiting approval, from the day proposed
 *                (retention.approve or retention.propose)
 *   retention    a version due for review or destruction by the retention
 *                plan, unless held (retention.read)
 *   take-down    a published executive summary's take-down date
 *                (retention.read)
 *
 * An item is listed when it is due on or before as_of + days, overdue ones
 * included; only the kinds the session's role may read and only the cases
 * its grants reach.  Order: due date (the most days overdue first, then the
 * soonest due), then kind in the order above, case, id.  Nothing names a
 * case's title, a child, a family or an outside person: items carry case
 * references, ids, fixed words and principals' names.  Needs agenda.read.
 */
#ifndef SCRVAULT_AGENDA_H
#define SCRVAULT_AGENDA_H

#include "scrvault/vault.h"

#define SCRVAULT_AGENDA_DAYS_DEFAULT	14
#define SCRVAULT_AGENDA_DAYS_MAX	3660

typedef struct {
	unsigned int version;
	const char *as_of;	/* YYYY-MM-DD (NULL: today) */
	int days;		/* how far ahead: 0 to SCRVAULT_AGENDA_DAYS_MAX */
	const char *kinds;	/* comma-separated kinds (above); NULL: every kind */
	unsigned limit;		/* at most this many items, the most urgent (0: every item) */
} scrvault_agenda_options;
#define SCRVAULT_AGENDA_OPTIONS_VERSION 2
#define SCRVAULT_AGENDA_OPTIONS_INIT { SCRVAULT_AGENDA_OPTIONS_VERSION, NULL, SCRVAULT_AGENDA_DAYS_DEFAULT, NULL, 0 }

/*
 * The agenda (o NULL: the defaults): *out gets {"as_of","until","days",
 * "principal","role","overdue":N,"due":N,"items":[...]} ("overdue" and "due"
 * count every item, "items" holds the first o->limit of them when a limit
 * is given), each item
 * {"due","days" (negative: overdue by that many),"when" ("overdue 3 days",
 * "today", "in 5 days"),"kind","case" (absent for the board's),"id",
 * "what","command"}.  Bad options: SCRVAULT_EUSAGE naming "as_of", "days"
 * or "kinds".
 */
int scrvault_agenda(scrvault_json **out, scrvault *v, const scrvault_agenda_options *o);
/* The same items (at most o->limit) given one at a time to `row`, in order. */
int scrvault_agenda_each(scrvault *v, const scrvault_agenda_options *o, scrvault_row_fn row, void *ctx);
/*
 * The agenda as a plain-text digest for a mail relay: a "Subject:" line, a
 * blank line, the counts, then each item; ASCII only (anything else
 * escaped as \uXXXX), every line shorter than 78 characters; case
 * references, never titles or outside people's names.  *out is a new
 * NUL-terminated string (free with free()).
 */
int scrvault_agenda_digest(char **out, scrvault *v, const scrvault_agenda_options *o);

#endif
