/*
 * scrvault/case.h - cases (reviews): opening, listing, showing, concluding
 * and publishing.
 */
#ifndef SCRVAULT_CASE_H
#define SCRVAULT_CASE_H

#include "scrvault/vault.h"

typedef struct {
	unsigned int version;
	const char *ref;		/* "SCR-2026-03": [A-Za-z0-9-], unique */
	const char *title;
	const char *review_type;	/* "scr", "sir" or "interagency" */
	const char *subject_dob;	/* YYYY-MM-DD or NULL */
	const char *decision_date;	/* YYYY-MM-DD or NULL */
	/* Since version 2: the day the case came to the Board's attention
	 * (the referral received), YYYY-MM-DD or NULL; not after the decision. */
	const char *received_on;
} scrvault_case_spec;
#define SCRVAULT_CASE_SPEC_VERSION 2
#define SCRVAULT_CASE_SPEC_INIT { SCRVAULT_CASE_SPEC_VERSION }

int scrvault_case_open(scrvault *v, const scrvault_case_spec *spec);
/* The cases the session reaches: [{"ref","title","review_type","status",...}]. */
int scrvault_case_list(scrvault_json **out, scrvault *v);
/* One case, with "document_list". */
int scrvault_case_show(scrvault_json **out, scrvault *v, const char *ref);

/*
 * Conclude a case once its action plan is approved by the LSCB and by
 * Ofsted (YYYY-MM-DD, not in the future).  Refused while any copy of its
 * documents is not destroyed (listed in *out as {"blocking":[...]}); starts
 * the case-concluded retention clocks, fixes each document's master (named
 * in *out as "masters") and freezes the case (scrvault_case_reopen).
 */
int scrvault_case_conclude(scrvault_json **out, scrvault *v, const char *ref,
			   const char *action_plan_approved_on, const char *ofsted_approved_on);
/*
 * The same, naming versions the Board approved as their documents' masters
 * (each a live version of a document of this case, each document once);
 * they take the place of a declaration.  Every other document keeps the
 * master the ordinary rule gives it (declared, signed off, else latest).
 */
typedef struct {
	const char *doc;		/* an id or unique prefix */
	unsigned int version;
} scrvault_case_master;
typedef struct {
	unsigned int version;
	const char *ref;
	const char *action_plan_approved_on;	/* YYYY-MM-DD, not in the future */
	const char *ofsted_approved_on;		/* YYYY-MM-DD, not in the future */
	const scrvault_case_master *masters;	/* NULL or n_masters of them */
	size_t n_masters;
} scrvault_case_conclude_options;
#define SCRVAULT_CASE_CONCLUDE_OPTIONS_VERSION 1
#define SCRVAULT_CASE_CONCLUDE_OPTIONS_INIT { SCRVAULT_CASE_CONCLUDE_OPTIONS_VERSION }
int scrvault_case_conclude_ext(scrvault_json **out, scrvault *v, const scrvault_case_conclude_options *o);
/*
 * Reopen a concluded case (a custodian, with a reason): while concluded a
 * case is frozen (no check-in, declaration or sign-off; exit 6, audited).
 * Under dual control (case.reopen listed) it waits for a second custodian:
 * *out gets {"pending":ID,...}; else {"case","reopened"}.  The masters its
 * conclusion fixed are released; concluding again fixes them anew.
 */
int scrvault_case_reopen(scrvault_json **out, scrvault *v, const char *ref, const char *reason);
/*
 * The executive summary was published on `on`; `retention plan` shows how
 * long it must stay on the web site and when it comes off (the policy's
 * [publication "TYPE"] for the case's review type).  Refused
 * (SCRVAULT_ECONFLICT, audited, the reason and the fix in the message)
 * while a criminal-proceedings or coroner hold covers the case, or while
 * no executive summary of the case has a declared master (or one fixed at
 * its conclusion): a draft is not what the Board approved; unless a
 * custodian gives `override_reason`, which [dual-control] action
 * case.publish-override holds for a second custodian (*out is then
 * {"pending":ID,...}; else {"case","published_on","overridden"}).
 */
typedef struct {
	unsigned int version;
	const char *ref;
	const char *on;			/* YYYY-MM-DD, not in the future */
	const char *override_reason;	/* NULL: no override */
} scrvault_case_publish_options;
#define SCRVAULT_CASE_PUBLISH_OPTIONS_VERSION 1
#define SCRVAULT_CASE_PUBLISH_OPTIONS_INIT { SCRVAULT_CASE_PUBLISH_OPTIONS_VERSION }
int scrvault_case_publish_ext(scrvault_json **out, scrvault *v, const scrvault_case_publish_options *o);
/* The same without an override. */
int scrvault_case_publish(scrvault *v, const char *ref, const char *on);

#endif
