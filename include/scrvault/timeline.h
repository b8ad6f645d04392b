/*
 * scrvault/timeline.h - a review's statutory clocks: IMR commissions,
 * extensions, Ofsted's evaluation, the milestones that stop each clock,
 * and the timeline of a case against its deadlines.
 *
 * The clocks come from the policy's [timescales] (policy/default.conf):
 * the decision (1 month after the case came to attention), each IMR (10
 * weeks after the decision, or 1 month after its commission for serious
 * case reviews), completion (6 months after the decision, moved by an
 * extension), the executive summary to Ofsted (1 month after its
 * evaluation letter), an improvement plan (3 months after an "inadequate"
 * evaluation) and action-plan reviews (every 6 or 3 months until the plan
 * is closed).  Every recorded milestone is one audit entry carrying its
 * dates; the timeline names that entry (audit_seq) for each milestone.
 *
 * Milestones stay recordable on a concluded case: the freeze is about
 * documents, and plan reviews happen after conclusion.
 */
#ifndef SCRVAULT_TIMELINE_H
#define SCRVAULT_TIMELINE_H

#include "scrvault/json.h"
#include "scrvault/vault.h"

/* Days ahead within which an open milestone is "due" (else "open"). */
#define SCRVAULT_CLOCK_HORIZON_DEFAULT 14

typedef struct {
	unsigned int version;
	const char *agency;		/* the agency asked for an IMR (required) */
	const char *author;		/* who writes it (required): a name, kept in the database */
	const char *commissioned_on;	/* YYYY-MM-DD, not in the future; NULL: today */
	const char *due;		/* YYYY-MM-DD; NULL: from the imr clock */
} scrvault_commission_spec;
#define SCRVAULT_COMMISSION_SPEC_VERSION 1
#define SCRVAULT_COMMISSION_SPEC_INIT { SCRVAULT_COMMISSION_SPEC_VERSION }

/*
 * Commission an IMR from an agency for case `ref` (permission
 * case.commission).  *out: {"commission":ID,"case","agency","commissioned_on",
 * "due","due_from":"policy"|"set","audit_seq"}.  One commission per agency
 * and case (SCRVAULT_ECONFLICT for a second).  Its progress (commissioned,
 * draft received, signed off) is derived from what the vault records: the
 * agency's first IMR version checked in for the case on or after the
 * commission day, and the first sign-off of such a version.
 */
int scrvault_case_commission(scrvault_json **out, scrvault *v, const char *ref,
			     const scrvault_commission_spec *s);

/*
 * Extend the completion clock of case `ref` to `to` (after the current due
 * date: SCRVAULT_EUSAGE field "to" otherwise), for `reason` (kept in the
 * database, never in the audit log), Ofsted told on `told_ofsted_on` (000
 * §5.9, §5.34; not in the future, not before the decision).  Permission
 * case.extend.  *out: {"case","from","to","told_ofsted_on","audit_seq"}.
 */
int scrvault_case_extend(scrvault_json **out, scrvault *v, const char *ref, const char *to,
			 const char *reason, const char *told_ofsted_on);

/*
 * Ofsted's evaluation letter for case `ref`, received on `received_on`,
 * with `rating` outstanding|good|adequate|inadequate: starts the Ofsted
 * summary clock and, when inadequate, the improvement-plan clock.  Once per
 * case.  Permission case.evaluation.  *out: {"case","received_on","rating",
 * "audit_seq"}.
 */
int scrvault_case_evaluation(scrvault_json **out, scrvault *v, const char *ref, const char *received_on,
			     const char *rating);

/*
 * Record that a clock's milestone happened on `on` (not in the future, not
 * before its anchor; field "on"): `kind` is "completed" (the review),
 * "summary-sent" (the final executive summary and publication date to
 * Ofsted), "plan-sent" (the improvement plan), "plan-review" (an action-plan
 * review held; any number) or "plan-closed".  Each but plan-review once.
 * SCRVAULT_ECONFLICT when its anchor is not recorded yet.  Permission
 * case.milestone.  *out: {"case","milestone","on","audit_seq"} (its audit entry carries the day as "happened_on").
 */
int scrvault_case_milestone(scrvault_json **out, scrvault *v, const char *ref, const char *kind,
			    const char *on);

/*
 * The review's history against its deadlines, as of `as_of` (NULL: today).
 * Permission case.read.  *out:
 *   {"case","review_type","as_of","horizon_days",
 *    "milestones":[{"clock","label","agency"|null,"anchor_event","anchor_on"|null,
 *       "due"|null,"original_due"|null,"extended","done_on"|null,"status","late_days",
 *       "audit_seq"|null,"recorded_at"|null,
 *       imr only: "commission","author","commissioned_on","stage","draft_on","signed_off_on"}],
 *    "events":[{"event","on","audit_seq"|null,"recorded_at"|null, "agency"|"rating"|"to"|"told_ofsted_on"}]}
 * status: "not started", "open", "due" (within horizon_days), "extended",
 * "overdue", "done on time", "done late", "done" (no deadline known);
 * late_days: days past due (done late, overdue).  audit_seq: the audit
 * entry that recorded the milestone done (its dates in the details);
 * recorded_at: that entry's time, beside the date it claims.  The decision
 * milestone's entry is the case's referral.decide (null for a case opened
 * directly, whose case.open entry carries no date).  A referral not yet
 * decided, or decided "none", has the decision milestone alone.
 */
int scrvault_case_timeline(scrvault_json **out, scrvault *v, const char *ref, const char *as_of);
/*
 * The same timeline as a proof file at `path`: the audit entries that
 * recorded its milestones and events (each milestone's and event's
 * audit_seq), with their inclusion proofs and the title "timeline of case
 * REF as of DATE" signed in it (scrvault_audit_prove_set: needs audit.prove;
 * never replaces a file).  `scrvault audit verify --vkey VKEY FILE` checks
 * it offline and prints each entry with the date it claims and when the log
 * recorded it.  SCRVAULT_ECONFLICT when no milestone is on record yet.
 */
int scrvault_case_timeline_prove(scrvault_json **out, scrvault *v, const char *ref, const char *as_of,
				 const char *path);

typedef struct {
	unsigned int version;
	const char *as_of;		/* the day statuses are judged on; NULL: today */
	const char *due_before;		/* only milestones due before this day */
	bool open_only;			/* only milestones not done */
	const char *done_from;		/* only milestones done in [done_from, done_to] */
	const char *done_to;
	const char *case_ref;		/* one case only */
	int horizon_days;		/* 0: SCRVAULT_CLOCK_HORIZON_DEFAULT */
} scrvault_clock_filter;
#define SCRVAULT_CLOCK_FILTER_VERSION 1
#define SCRVAULT_CLOCK_FILTER_INIT { SCRVAULT_CLOCK_FILTER_VERSION }

/*
 * Every milestone of every case the session reaches (case.read), filtered,
 * given to `fn` one row at a time in case then clock order:
 *   {"case","clock","agency"|null,"anchor_on"|null,"due"|null,"done_on"|null,
 *    "status","late_days","extended","audit_seq"|null}
 * audit_seq is the entry that recorded the milestone (a checked-in draft's
 * and a referral decision's are given by scrvault_case_timeline only).  One
 * query per table.
 */
int scrvault_clock_list_each(scrvault *v, const scrvault_clock_filter *f, scrvault_row_fn fn, void *ctx);

/*
 * Every IMR commission the session sees, with its progress: the rows of
 * scrvault_clock_list_each (the same checks, filter and order) that are IMR
 * first drafts, each only where the role reads that agency's IMRs
 * (case.read for class imr and the agency: an agency's author sees its
 * agency's commissions only), given to `fn` one at a time:
 *   {"case","commission","agency","author","commissioned_on","due",
 *    "original_due"|null,"extended","stage","draft_on"|null,
 *    "signed_off_on"|null,"status","late_days"}
 * stage: "commissioned", "draft received" or "signed off", as the case's
 * timeline gives it (the sign-offs as recorded; the timeline verifies each
 * again).  What the pages' list of commissions shows, in one query per table.
 */
int scrvault_commission_list_each(scrvault *v, const scrvault_clock_filter *f, scrvault_row_fn fn, void *ctx);

#endif
