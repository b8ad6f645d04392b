/*
 * scrvault/request.h - the access-request register (000 §9.6-9.8, §11.5,
 * §11.8).
 *
 * A request names who asks (a principal, or an outside party: media, a
 * member of the public, a council member, a partner organisation, an
 * inspectorate), what they ask for (documents, or a whole case), why, and
 * through which channel (internal, external, foi).  A decision agrees or
 * refuses it; an FOI refusal cites an exemption; an agreed request may be
 * limited in time and in number of releases, and is what lets a restricted
 * document out of the vault.  FOI requests fall due on the 20th working day
 * after receipt (the policy's calendar); the clock stops while a fee notice
 * or a request for clarification is outstanding.
 */
#ifndef SCRVAULT_REQUEST_H
#define SCRVAULT_REQUEST_H

#include "scrvault/vault.h"

typedef struct {
	unsigned int version;
	const char *channel;		/* "internal", "external" or "foi" */
	const char *requester;		/* a principal (internal requests) */
	const char *ext_kind;		/* media, public, council, partner, inspectorate */
	const char *ext_name;
	const char *ext_org;
	const char *ext_contact;
	const char *ext_recipient;	/* their age1... key, for a release of a restricted class */
	const char *case_ref;		/* the whole case, or */
	const char *const *docs;	/* these documents */
	size_t ndocs;
	const char *reason;		/* the reason the requester gave */
	const char *received;		/* YYYY-MM-DD (NULL: today); may be a weekend */
} scrvault_request_spec;
#define SCRVAULT_REQUEST_SPEC_VERSION 1
#define SCRVAULT_REQUEST_SPEC_INIT { SCRVAULT_REQUEST_SPEC_VERSION }

int scrvault_request_new(scrvault_json **out, scrvault *v, const scrvault_request_spec *s);

typedef struct {
	unsigned int version;
	int64_t id;
	bool agree;
	const char *reason;		/* the decision's reasons (required) */
	const char *consulted;		/* a principal consulted (the chair, for an executive summary) */
	const char *exemption;		/* an FOI refusal: "s.40 personal information", ... */
	const char *until;		/* an agreed request: valid until this date */
	int64_t max_releases;		/* an agreed request: at most this many releases (0: no limit) */
} scrvault_request_decision;
#define SCRVAULT_REQUEST_DECISION_VERSION 1
#define SCRVAULT_REQUEST_DECISION_INIT { SCRVAULT_REQUEST_DECISION_VERSION }

int scrvault_request_decide(scrvault_json **out, scrvault *v, const scrvault_request_decision *d);
/* The answer was sent on `on` (NULL: today). */
int scrvault_request_respond(scrvault_json **out, scrvault *v, int64_t id, const char *on);
/*
 * Stop an FOI request's clock (`kind` "fee": a fees notice; "clarification":
 * the request needs clarifying) on `on`, or with kind NULL restart it on
 * `on` (the fee or the clarification arrived).  A fee pauses the count; a
 * clarification starts it again from the day it arrives.
 */
int scrvault_request_clock(scrvault_json **out, scrvault *v, int64_t id, const char *kind,
			   const char *on, const char *note);

typedef struct {
	unsigned int version;
	bool open;			/* not yet answered */
	bool overdue;			/* FOI past its due date, not answered */
	const char *channel;
	const char *as_of;		/* YYYY-MM-DD (NULL: today) */
} scrvault_request_filter;
#define SCRVAULT_REQUEST_FILTER_VERSION 1
#define SCRVAULT_REQUEST_FILTER_INIT { SCRVAULT_REQUEST_FILTER_VERSION }

int scrvault_request_list(scrvault_json **out, scrvault *v, const scrvault_request_filter *f);
int scrvault_request_show(scrvault_json **out, scrvault *v, int64_t id);
/* Open FOI requests due within the next `days` working days, and overdue ones. */
int scrvault_request_due(scrvault_json **out, scrvault *v, unsigned days, const char *as_of);

/*
 * Release restricted documents in this session under agreed request `id`
 * (scrvault_open_options.request does the same at unlock): check-outs,
 * releases and copies of restricted classes need one that is agreed,
 * unexpired, not used up, covers the document and was made by the person
 * receiving it.  Each such release counts against it.
 */
void scrvault_request_use(scrvault *v, int64_t id);

#endif
