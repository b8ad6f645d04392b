/*
 * scrvault/referral.h - referrals and decisions: a case comes to the
 * Board's attention, the SCR sub-committee recommends, the LSCB chair
 * decides (a serious case review, a serious incident review, an
 * interagency management review, or none), and Ofsted, the DfE, the
 * National Panel and the notifier are told.
 *
 * A referral is the first stage of a case record: `referral new` makes the
 * case (status "referred", review type "undecided"), so the notification
 * form and the rationales are ordinary documents of the case.  A decision
 * to review opens it (status "open" with the review type and its decision
 * date); "none" is kept like any other decision (status "no-review",
 * review type "none"), its documents under their retention rules, the
 * case-concluded clock running from the decision date.
 *
 * Every step is one audit entry (referral.new, referral.recommend,
 * referral.decide, referral.notify) whose details carry its dates
 * (received_on, recommended_on, decided_on, sent_on) and the review
 * recommended or decided (review); the notifier's name, the summary and the
 * title stay in the encrypted database.
 */
#ifndef SCRVAULT_REFERRAL_H
#define SCRVAULT_REFERRAL_H

#include "scrvault/json.h"
#include "scrvault/vault.h"

typedef struct {
	unsigned int version;
	const char *ref;		/* the case reference, like SCR-2026-03 (new, unique) */
	const char *title;		/* the case title (required; never in the log) */
	const char *received_on;	/* YYYY-MM-DD, not in the future (required) */
	const char *notifier;		/* who notified the Board (required; never in the log) */
	const char *notifier_agency;	/* their agency (required) */
	const char *summary;		/* what happened, or NULL (never in the log) */
	const char *form_path;		/* the notification form, a file to check in, or NULL */
	const char *subject_dob;	/* YYYY-MM-DD or NULL; not after received_on */
} scrvault_referral_spec;
#define SCRVAULT_REFERRAL_SPEC_VERSION 1
#define SCRVAULT_REFERRAL_SPEC_INIT { SCRVAULT_REFERRAL_SPEC_VERSION }

/*
 * Record a referral: the case row (status "referred") and, with form_path,
 * the notification form checked in as a document of class
 * notification-form, in one transaction.  *out gets
 * {"case","received_on","form":{"doc","version"}?}.
 */
int scrvault_referral_new(scrvault_json **out, scrvault *v, const scrvault_referral_spec *s);

/* A recommendation (the SCR sub-committee's) or a decision (the LSCB chair's). */
typedef struct {
	unsigned int version;
	const char *ref;		/* the referral's case */
	const char *review;		/* "scr", "sir", "interagency" or "none" */
	const char *rationale_path;	/* the rationale, a file checked in as decision-rationale (required) */
	const char *on;			/* YYYY-MM-DD, not in the future; NULL: today */
} scrvault_referral_decision;
#define SCRVAULT_REFERRAL_DECISION_VERSION 1
#define SCRVAULT_REFERRAL_DECISION_INIT { SCRVAULT_REFERRAL_DECISION_VERSION }

/*
 * The sub-committee's recommendation (permission referral.recommend), once
 * per referral, on or after the day it was received.  *out gets
 * {"case","review","recommended_on","rationale":{"doc","version"}}.
 */
int scrvault_referral_recommend(scrvault_json **out, scrvault *v, const scrvault_referral_decision *d);
/*
 * The LSCB chair's decision (permission referral.decide), once: refused
 * (SCRVAULT_ECONFLICT) before a recommendation; SCRVAULT_EUSAGE naming "on"
 * for a day before the referral was received or before the recommendation.
 * scr/sir/interagency open the case; none keeps it as "no-review".  *out
 * gets {"case","review","decided_on","status","rationale":{"doc","version"}}.
 */
int scrvault_referral_decide(scrvault_json **out, scrvault *v, const scrvault_referral_decision *d);

typedef struct {
	unsigned int version;
	const char *ref;
	const char *to;			/* "ofsted", "dfe", "national-panel" or "notifier" */
	const char *on;			/* YYYY-MM-DD the notice was sent, not in the future (required) */
} scrvault_referral_notice;
#define SCRVAULT_REFERRAL_NOTICE_VERSION 1
#define SCRVAULT_REFERRAL_NOTICE_INIT { SCRVAULT_REFERRAL_NOTICE_VERSION }

/*
 * A notification sent (permission referral.notify), once per recipient
 * (SCRVAULT_ECONFLICT the second time), not before the referral was
 * received; the notifier is told the decision, so not before it.  *out gets
 * {"case","to","sent_on"}.
 */
int scrvault_referral_notify(scrvault_json **out, scrvault *v, const scrvault_referral_notice *n);

typedef struct {
	unsigned int version;
	/* NULL: every referral; "referred" (no decision yet), "decided" (a
	 * review decided) or "none" (no further action) */
	const char *status;
} scrvault_referral_filter;
#define SCRVAULT_REFERRAL_FILTER_VERSION 1
#define SCRVAULT_REFERRAL_FILTER_INIT { SCRVAULT_REFERRAL_FILTER_VERSION }

/*
 * Referrals (permission referral.read), oldest received first:
 * [{"case","status","received_on","notifier_agency","recommended",
 * "recommended_on","decision","decided_on","notified"}...]; f may be NULL.
 * The _each form hands each row to `row` instead.
 */
int scrvault_referral_list(scrvault_json **out, scrvault *v, const scrvault_referral_filter *f);
int scrvault_referral_list_each(scrvault *v, const scrvault_referral_filter *f, scrvault_row_fn row, void *ctx);
/*
 * One referral: the case's fields, "notifier", "notifier_agency",
 * "summary", the recommendation and decision with their rationale
 * documents, "notifications" [{"to","sent_on"}] and "document_list".
 */
int scrvault_referral_show(scrvault_json **out, scrvault *v, const char *ref);

#endif
