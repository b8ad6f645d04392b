/*
 * request.c - the access-request register (scrvault/request.h).
 *
 * A request's personal data (an outside requester's name, organisation and
 * contact, the reasons given and decided) lives only in the encrypted
 * database: audit entries carry the request's number, its channel, the
 * documents or case and the principals' names.
 *
 * FOI due dates: the policy's [foi] working-days (20) after the day of
 * receipt, counting only working days of the policy's calendar (weekends and
 * every UK bank holiday).  The clock: a fees notice pauses the count (the
 * days from the notice to the fee's arrival are disregarded, FOIA s.10(2));
 * a request for clarification starts it again from the day the
 * clarification arrives (s.1(3)).  While either is outstanding there is no
 * due date.
 *
 * Restricted documents leave the vault only under an agreed request:
 * sv_request_check before the release's transaction (a refusal is audited),
 * sv_request_consume inside it (counts the release, guarded against a
 * concurrent use of the last one).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "records/request.h"
#include "records/due.h"
#include "records/keys.h"
#include "vault/authz.h"
#include "vault/find.h"
#include "vault/log.h"
#include "vault/meta.h"
#include "vault/policydb.h"
#include "vault/policyfile.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "storage/rows.h"
#include "crypto/age.h"
#include "crypto/crypto.h"
#include "base/calendar.h"
#include "base/common.h"
#include "base/date.h"
#include "base/json.h"
#include "base/text.h"

/*
 * The due date of FOI request `id` received on `received`: *due = -1 while
 * the clock is stopped.
 */
static int foi_due(int64_t *due, scrvault *v, const sv_calendar *cal, int64_t id, const char *received)
{
	sv_day_range pauses[32];
	size_t np = 0;
	int64_t start;
	sv_stmt *st = NULL;
	bool stopped = false;
	int error;

	*due = -1;
	if ((error = sv_day_parse(&start, received)) < 0)
		return error;
	if ((error = sv_db_query(&st, v->db, "SELECT kind, stopped_on, coalesce(resumed_on, '') FROM request_clock"
				 " WHERE request_id = ? ORDER BY stopped_on, id", "i", id)) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1) {
		int64_t from = 0, to = 0;
		const char *resumed = sv_stmt_text(st, 2);

		if (!*resumed) {
			stopped = true;
			continue;
		}
		if (sv_day_parse(&from, sv_stmt_text(st, 1)) < 0 || sv_day_parse(&to, resumed) < 0) {
			error = SCRVAULT_EINTEGRITY;
			break;
		}
		if (!strcmp(sv_stmt_text(st, 0), "clarification")) {
			start = to;	/* a clarified request is counted afresh */
			np = 0;
		} else if (np < SV_ARRAY_SIZE(pauses)) {
			pauses[np].from = from;
			pauses[np].to = to;
			np++;
		}
	}
	sv_stmt_free(st);
	if (error < 0)
		return error;
	if (!stopped)
		*due = sv_calendar_add_working(cal, start, (unsigned)sv_meta_int(v, "foi_days", SV_FOI_DAYS_DEFAULT),
					       pauses, np);
	return 0;
}

int sv_request_foi_due_day(int64_t *due, scrvault *v, const sv_calendar *cal, int64_t id, const char *received)
{
	return foi_due(due, v, cal, id, received);
}

/* ---- new ------------------------------------------------------------------------------ */

static const char *const channels[] = { "internal", "external", "foi", NULL };

static const char *const ext_kinds[] = { "media", "public", "council", "partner", "inspectorate", NULL };

static int principal_id(int64_t *id, scrvault *v, const char *name, bool active, const char *action)
{
	sv_principal p;
	int error;

	*id = 0;
	if ((error = sv_find_principal(&p, v, name)) < 0)
		return error;
	if (!error)
		return sv_error(SCRVAULT_ENOTFOUND, "no principal '%s' (see 'scrvault principal list')", name);
	*id = p.id;
	if (active && !p.active) {
		sv_error(SCRVAULT_EDENIED, "principal '%s' is revoked", name);
		return sv_audit_denied(v, action, SV_ABOUT(.principal = name), SV_FIELDS(SV_STR("reason", "principal revoked")),
				       SCRVAULT_EDENIED);
	}
	return 0;
}

/* A request's audit objects: its number and case. */
#define REQUEST_ABOUT(id_, ref_) SV_ABOUT(.request = (id_), .caseref = (ref_))

int scrvault_request_new(scrvault_json **out, scrvault *v, const scrvault_request_spec *s)
{
	char now[11], when[21], (*docs)[SV_DOC_ID_LEN + 1] = NULL, caseref[40] = "", rcpt[128] = "";
	const char *received = s->received;
	int64_t requester = 0, case_id = 0, id = 0;
	int error;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(s, SCRVAULT_REQUEST_SPEC_VERSION, "scrvault_request_spec")) < 0 ||
	    (error = sv_text_check_all(SV_TEXTS(SV_TEXT("ext_name", s->ext_name), SV_TEXT("ext_org", s->ext_org),
						SV_TEXT("ext_contact", s->ext_contact),
						SV_TEXT_NOTE("reason", s->reason)))) < 0 ||
	    (error = sv_authorize(v, "request.create", SV_ABOUT(.caseref = s->case_ref))) < 0)
		return error;
	if (!sv_text_one_of(s->channel, channels))
		return sv_error_field(SCRVAULT_EUSAGE, "channel", "the channel must be internal, external or foi");
	if (!s->reason || !*s->reason)
		return sv_error_field(SCRVAULT_EUSAGE, "reason", "record the reason the requester gave");
	if (!!s->case_ref == (s->ndocs > 0))
		return sv_error_field(SCRVAULT_EUSAGE, "docs,case_ref", "say what is asked for: one or more documents, "
				      "or a case");
	sv_today(now);
	if (!received)
		received = now;
	if ((error = sv_date_check("received", "the date received", received, SV_DATE_PAST, NULL, NULL)) < 0)
		return error;
	if (!strcmp(s->channel, "internal")) {
		if (!s->requester || s->ext_kind || s->ext_name)
			return sv_error_field(SCRVAULT_EUSAGE, "requester", "an internal request is made by a principal");
		if (s->ext_recipient)
			return sv_error_field(SCRVAULT_EUSAGE, "ext_recipient", "an age recipient is for a requester "
					      "outside the vault: a principal receives releases to their own key");
		if ((error = principal_id(&requester, v, s->requester, true, "request.create")) < 0)
			return error;
	} else {
		if (s->requester)
			return sv_error_field(SCRVAULT_EUSAGE, "requester", "an %s request comes from outside: give who "
					      "is asking (kind, name, contact) instead of a principal", s->channel);
		if (!sv_text_one_of(s->ext_kind, ext_kinds))
			return sv_error_field(SCRVAULT_EUSAGE, "ext_kind", "say who is asking: media, public, council, "
					      "partner or inspectorate");
		if (!s->ext_name || !*s->ext_name || !s->ext_contact || !*s->ext_contact)
			return sv_error_field(SCRVAULT_EUSAGE, !s->ext_name || !*s->ext_name ? "ext_name" : "ext_contact",
					      "an outside requester needs a name and contact details (and an "
					      "organisation, if any)");
		if (s->ext_recipient) {
			unsigned char pub[SV_KEY_LEN];
			char *enc = NULL;

			/* kept as encoded again, so that it compares equal to a release's */
			if (sv_age_recipient_decode(pub, s->ext_recipient) < 0 || sv_age_recipient_encode(&enc, pub) < 0)
				return sv_error_field(SCRVAULT_EUSAGE, "ext_recipient", "the recipient must be the "
						      "requester's age recipient (age1...)");
			snprintf(rcpt, sizeof(rcpt), "%s", enc);
			free(enc);
			if ((error = sv_recipient_check(v, "request.create", SV_ABOUT(.caseref = s->case_ref), pub,
							s->ext_recipient)) < 0)
				return error;
		}
	}
	if (s->case_ref) {
		if ((error = sv_db_int(&case_id, v->db, "SELECT id FROM cases WHERE ref = ?", "t", s->case_ref)) < 0)
			return error;
		if (!case_id)
			return sv_error(SCRVAULT_ENOTFOUND, "no case '%s'", s->case_ref);
		snprintf(caseref, sizeof(caseref), "%s", s->case_ref);
	} else {
		if (!(docs = sv_calloc(s->ndocs, sizeof(*docs))))
			return SCRVAULT_ERROR;
		for (size_t i = 0; i < s->ndocs; i++)
			if ((error = sv_doc_resolve(docs[i], caseref, v, "request.create", s->docs[i])) < 0)
				goto done;
	}
	sv_time_iso(when, sv_now());
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	if ((error = sv_db_run(v->db, "INSERT INTO requests(channel, requester_id, ext_kind, ext_name, ext_org,"
			       " ext_contact, ext_recipient, case_id, reason, received_on, created_at, created_by)"
			       " VALUES (?, NULLIF(?, 0), ?, ?, ?, ?, ?, NULLIF(?, 0), ?, ?, ?, ?)", "titttttittti",
			       s->channel, requester, s->ext_kind, s->ext_name, s->ext_org, s->ext_contact,
			       rcpt[0] ? rcpt : NULL,
			       case_id, s->reason, received, when, v->principal_id)) < 0 ||
	    (error = sv_db_int(&id, v->db, "SELECT last_insert_rowid()", "")) < 0)
		goto fail;
	for (size_t i = 0; docs && i < s->ndocs; i++)
		if ((error = sv_db_run(v->db, "INSERT OR IGNORE INTO request_docs(request_id, doc_id) VALUES (?, ?)",
				       "it", id, docs[i])) < 0)
			goto fail;
	if ((error = sv_audit_append(v, "request.new", "ok", REQUEST_ABOUT(id, caseref),
				     SV_FIELDS(SV_STR("channel", s->channel),
					       SV_STR("requester", requester ? s->requester : s->ext_kind),
					       SV_STR("received", received),
					       SV_IF(s->ndocs, SV_INT("documents", (int64_t)s->ndocs))))) < 0 ||
	    (error = sv_vault_commit(v)) < 0)
		goto fail;
	free(docs);
	return scrvault_request_show(out, v, id);
fail:
	sv_vault_abort(v);
done:
	free(docs);
	return error;
}

/* ---- decide, respond, clock --------------------------------------------------------------- */

typedef struct {
	int64_t id;
	char channel[16];
	char state[16];
	int64_t requester;
	int64_t recorder;	/* who recorded it (created_by) */
	char caseref[40];
	char responded[16];
	char received[16];
} req_row;

/* req_load's row. */
static int req_row_load(void *ctx, sv_stmt *st)
{
	req_row *r = ctx;

	r->id = sv_stmt_int(st, 0);
	r->requester = sv_stmt_int(st, 1);
	r->recorder = sv_stmt_int(st, 7);
	sv_stmt_texts(st, 2, r->channel, sizeof(r->channel), r->state, sizeof(r->state), r->caseref,
		      sizeof(r->caseref), r->responded, sizeof(r->responded), r->received, sizeof(r->received), NULL);
	return 1;
}

/* Request `id` into r, and `action` on it authorised (a refusal audited). */
static int req_load(req_row *r, scrvault *v, int64_t id, const char *action)
{
	int error;

	memset(r, 0, sizeof(*r));
	if (id <= 0)
		return sv_error(SCRVAULT_EUSAGE, "a request is given by its number (see 'scrvault request list')");
	if ((error = sv_db_each(v->db, req_row_load, r, "SELECT r.id, coalesce(r.requester_id, 0), r.channel,"
				" r.state, coalesce(c.ref, (SELECT k.ref FROM request_docs q JOIN documents d"
				" ON d.id = q.doc_id JOIN cases k ON k.id = d.case_id WHERE q.request_id = r.id LIMIT 1), ''),"
				" coalesce(r.responded_on, ''), r.received_on, r.created_by"
				" FROM requests r LEFT JOIN cases c ON c.id = r.case_id WHERE r.id = ?", "i", id)) < 0)
		return error;
	if (!r->id)
		return sv_error(SCRVAULT_ENOTFOUND, "no request %lld (see 'scrvault request list')", (long long)id);
	return sv_authorize(v, action, REQUEST_ABOUT(r->id, r->caseref));
}

/* The day `on` of an event of request r (NULL: today, in now[11]), which
 * must lie from its day of receipt to today: else the usage error about
 * `what`. */
static int req_on(const char **on, char now[11], const req_row *r, const char *what)
{
	sv_today(now);
	if (!*on)
		*on = now;
	return sv_date_check("on", what, *on, SV_DATE_PAST, r->received, "the day the request was received");
}

/* The end of a change to request r: its audit entry and the commit, then
 * the request as it now is (scrvault_request_show). */
static int req_changed(scrvault_json **out, scrvault *v, const req_row *r, const char *action,
		       const sv_field *details)
{
	int error;

	if ((error = sv_vault_finish(v, action, REQUEST_ABOUT(r->id, r->caseref), details)) < 0)
		return error;
	return scrvault_request_show(out, v, r->id);
}

/* Does the request cover a document of class `cls` (its docs, or its case's)? */
static int covers_class(bool *yes, scrvault *v, int64_t id, const char *cls)
{
	int64_t n = 0;
	int error = sv_db_int(&n, v->db, "SELECT count(*) FROM documents d WHERE d.class = ?1 AND"
			      " (d.id IN (SELECT doc_id FROM request_docs WHERE request_id = ?2)"
			      " OR d.case_id = (SELECT case_id FROM requests WHERE id = ?2))", "ti", cls, id);

	*yes = error >= 0 && n > 0;
	return error < 0 ? error : 0;
}

/* FOIA exemptions are cited by section: "s.40 ...", "section 41 ...". */
static bool exemption_valid(const char *e)
{
	const char *p = e;

	if (!e)
		return false;
	if (!strncmp(p, "s.", 2))
		p += 2;
	else if (!strncasecmp(p, "section ", 8))
		p += 8;
	else
		return false;
	return *p >= '1' && *p <= '9';
}

int scrvault_request_decide(scrvault_json **out, scrvault *v, const scrvault_request_decision *dd)
{
	char when[21], now[11];
	int64_t consulted = 0, changed = 0;
	req_row r;
	int error;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(dd, SCRVAULT_REQUEST_DECISION_VERSION, "scrvault_request_decision")) < 0 ||
	    (error = sv_text_check_all(SV_TEXTS(SV_TEXT_NOTE("reason", dd->reason),
						SV_TEXT("exemption", dd->exemption)))) < 0 ||
	    (error = req_load(&r, v, dd->id, "request.decide")) < 0)
		return error;
	if (strcmp(r.state, "open") != 0)
		return sv_error(SCRVAULT_ECONFLICT, "request %lld is already %s", (long long)r.id, r.state);
	/* Separation of duties: neither the requester nor whoever recorded the
	 * request decides it (a coordinator who could record an outside request
	 * for an age key they hold, then agree it, would release to themselves). */
	if (r.requester && r.requester == v->principal_id) {
		sv_error(SCRVAULT_EDENIED, "'%s' made request %lld and cannot decide it: another person must",
			 v->principal, (long long)r.id);
		return sv_audit_denied(v, "request.decide", REQUEST_ABOUT(r.id, NULL),
				       SV_FIELDS(SV_STR("reason", "own request")), SCRVAULT_EDENIED);
	}
	if (r.recorder == v->principal_id) {
		sv_error(SCRVAULT_EDENIED, "'%s' recorded request %lld and cannot decide it: another person with "
			 "request.decide must (the LSCB chair, or another coordinator)", v->principal, (long long)r.id);
		return sv_audit_denied(v, "request.decide", REQUEST_ABOUT(r.id, NULL),
				       SV_FIELDS(SV_STR("reason", "recorded the request")), SCRVAULT_EDENIED);
	}
	if (!dd->reason || !*dd->reason)
		return sv_error_field(SCRVAULT_EUSAGE, "reason", "record the reasons for the decision");
	if (!dd->agree && !strcmp(r.channel, "foi") && !exemption_valid(dd->exemption))
		return sv_error_field(SCRVAULT_EUSAGE, "exemption", "refusing an FOI request must cite the exemption "
				      "relied on, by section (\"s.40 personal information\", \"s.41 information provided "
				      "in confidence\", \"s.36 prejudice to the conduct of public affairs\", ...)");
	if (dd->exemption && dd->agree)
		return sv_error_field(SCRVAULT_EUSAGE, "exemption", "an exemption is cited only in a refusal");
	if ((dd->until || dd->max_releases) && !dd->agree)
		return sv_error_field(SCRVAULT_EUSAGE, dd->until ? "until" : "max_releases",
				      "a time limit and a number of releases limit an agreed request only");
	sv_today(now);
	if ((error = sv_date_check("until", "the end of the agreement", dd->until, SV_DATE_FUTURE, NULL, NULL)) < 0)
		return error;
	if (dd->max_releases < 0)
		return sv_error_field(SCRVAULT_EUSAGE, "max_releases", "the number of releases must be positive");
	if (dd->consulted && (error = principal_id(&consulted, v, dd->consulted, true, "request.decide")) < 0)
		return error;
	/* The executive summary goes out only after consulting the chair (000 §11.8). */
	if (strcmp(r.channel, "internal") != 0) {
		bool es = false;
		int64_t chair = 0;

		if ((error = covers_class(&es, v, r.id, "executive-summary")) < 0)
			return error;
		if (es && consulted &&
		    (error = sv_db_int(&chair, v->db, "SELECT count(*) FROM grants WHERE principal_id = ? AND role = 'lscb-chair'",
				       "i", consulted)) < 0)
			return error;
		if (es && !chair)
			return sv_error_field(SCRVAULT_EUSAGE, "consulted", "request %lld asks for an executive summary: "
					      "the decision is made in consultation with the LSCB chair; name them (a "
					      "principal holding the lscb-chair role)", (long long)r.id);
	}
	sv_time_iso(when, sv_now());
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_db_run(v->db, "UPDATE requests SET state = ?, decided_at = ?, decided_by = ?, decision_reason = ?,"
			       " exemption = ?, consulted_id = NULLIF(?, 0), valid_until = ?, max_releases = NULLIF(?, 0)"
			       " WHERE id = ? AND state = 'open'", "ttittitii", dd->agree ? "agreed" : "refused", when,
			       v->principal_id, dd->reason, dd->exemption, consulted, dd->until, dd->max_releases,
			       r.id)) < 0 ||
	    (error = sv_db_int(&changed, v->db, "SELECT changes()", "")) < 0)
		return sv_vault_fail(v, error);
	if (changed != 1)
		return sv_vault_fail(v, sv_error(SCRVAULT_ECONFLICT, "request %lld was decided while this command ran",
						 (long long)r.id));
	return req_changed(out, v, &r, "request.decide",
			   SV_FIELDS(SV_STR("decision", dd->agree ? "agreed" : "refused"),
				     SV_IF(dd->exemption, SV_STR("exemption", dd->exemption)),
				     SV_IF(dd->consulted, SV_STR("consulted", dd->consulted)),
				     SV_IF(dd->until, SV_STR("until", dd->until)),
				     SV_IF(dd->max_releases, SV_INT("max_releases", dd->max_releases))));
}

int scrvault_request_respond(scrvault_json **out, scrvault *v, int64_t id, const char *on)
{
	char now[11], dues[11] = "";
	int64_t due = -1;
	sv_calendar *cal = NULL;
	req_row r;
	int error;

	*out = NULL;
	if ((error = req_load(&r, v, id, "request.respond")) < 0)
		return error;
	if ((error = req_on(&on, now, &r, "the answer's date")) < 0)
		return error;
	if (!strcmp(r.state, "open"))
		return sv_error(SCRVAULT_ECONFLICT, "request %lld is not decided yet: decide it first "
				"('scrvault request decide %lld')", (long long)r.id, (long long)r.id);
	if (r.responded[0])
		return sv_error(SCRVAULT_ECONFLICT, "request %lld was answered on %s", (long long)r.id, r.responded);
	if (!strcmp(r.channel, "foi")) {
		if ((error = sv_policy_calendar(&cal, v)) < 0 || (error = foi_due(&due, v, cal, r.id, r.received)) < 0) {
			sv_calendar_free(cal);
			return error;
		}
		sv_calendar_free(cal);
	}
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_db_run(v->db, "UPDATE requests SET responded_on = ? WHERE id = ?", "ti", on, r.id)) < 0)
		return sv_vault_fail(v, error);
	if (due >= 0)
		sv_day_format(dues, due);
	return req_changed(out, v, &r, "request.respond",
			   SV_FIELDS(SV_STR("responded", on), SV_IF(due >= 0, SV_STR("due", dues)),
				     SV_IF(due >= 0, SV_BOOL("late", strcmp(on, dues) > 0))));
}

int scrvault_request_clock(scrvault_json **out, scrvault *v, int64_t id, const char *kind, const char *on,
			   const char *note)
{
	char now[11];
	int64_t open_stop = 0;
	req_row r;
	int error;

	*out = NULL;
	if ((error = sv_text_check("note", note, SV_TEXT_LINES)) < 0 ||
	    (error = req_load(&r, v, id, "request.respond")) < 0)
		return error;
	if (strcmp(r.channel, "foi") != 0)
		return sv_error(SCRVAULT_EUSAGE, "only an FOI request has a statutory clock");
	if (r.responded[0])
		return sv_error(SCRVAULT_ECONFLICT, "request %lld was answered on %s", (long long)r.id, r.responded);
	if ((error = req_on(&on, now, &r, "the date")) < 0)
		return error;
	if (kind && strcmp(kind, "fee") != 0 && strcmp(kind, "clarification") != 0)
		return sv_error_field(SCRVAULT_EUSAGE, "kind", "the clock stops for a fee notice (fee) or a "
				      "clarification (clarification)");
	if ((error = sv_db_int(&open_stop, v->db, "SELECT id FROM request_clock WHERE request_id = ? AND resumed_on IS NULL",
			       "i", r.id)) < 0)
		return error;
	if (kind && open_stop)
		return sv_error(SCRVAULT_ECONFLICT, "the clock of request %lld is already stopped", (long long)r.id);
	if (!kind && !open_stop)
		return sv_error(SCRVAULT_ECONFLICT, "the clock of request %lld is running", (long long)r.id);
	if (!kind) {
		char stopped[16] = "";
		sv_stmt *st = NULL;

		if ((error = sv_db_query(&st, v->db, "SELECT stopped_on FROM request_clock WHERE id = ?", "i", open_stop)) < 0)
			return error;
		if ((error = sv_stmt_step(st)) == 1)
			snprintf(stopped, sizeof(stopped), "%s", sv_stmt_text(st, 0));
		sv_stmt_free(st);
		if (error < 0)
			return error;
		if (strcmp(on, stopped) < 0)
			return sv_error(SCRVAULT_EUSAGE, "the clock was stopped on %s: it cannot restart before that", stopped);
	}
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if (kind)
		error = sv_db_run(v->db, "INSERT INTO request_clock(request_id, kind, stopped_on, note) VALUES (?, ?, ?, ?)",
				  "ittt", r.id, kind, on, note);
	else
		error = sv_db_run(v->db, "UPDATE request_clock SET resumed_on = ? WHERE id = ?", "ti", on, open_stop);
	if (error < 0)
		return sv_vault_fail(v, error);
	return req_changed(out, v, &r, "request.clock",
			   SV_FIELDS(SV_STR(kind ? "stopped" : "restarted", on), SV_IF(kind, SV_STR("for", kind))));
}

/* ---- listings ----------------------------------------------------------------------------------- */

#define REQ_SELECT \
	"SELECT r.id, r.channel, coalesce(p.name, r.ext_kind || ': ' || r.ext_name), r.ext_org, r.ext_contact," \
	" coalesce(c.ref, (SELECT k.ref FROM request_docs q JOIN documents d ON d.id = q.doc_id" \
	"   JOIN cases k ON k.id = d.case_id WHERE q.request_id = r.id LIMIT 1)), r.reason, r.received_on," \
	" r.state, r.decided_at, db.name, r.decision_reason, r.exemption, cp.name, r.valid_until," \
	" r.max_releases, r.releases_used, r.responded_on, (SELECT count(*) FROM request_docs q WHERE q.request_id = r.id)," \
	" r.case_id IS NOT NULL, r.ext_recipient" \
	" FROM requests r LEFT JOIN principals p ON p.id = r.requester_id LEFT JOIN cases c ON c.id = r.case_id" \
	" LEFT JOIN principals db ON db.id = r.decided_by LEFT JOIN principals cp ON cp.id = r.consulted_id"

/* The columns of REQ_SELECT as a listing shows them (full: a request shown alone). */
#define REQ_COLUMNS(full) SV_COLS({ "request", SV_COL_INT }, { "channel", SV_COL_TEXT }, \
	{ "requester", SV_COL_TEXT }, { (full) ? "organisation" : NULL, SV_COL_TEXT }, \
	{ (full) ? "contact" : NULL, SV_COL_TEXT }, { "case", SV_COL_TEXT }, { (full) ? "reason" : NULL, SV_COL_TEXT }, \
	{ "received", SV_COL_TEXT }, { "state", SV_COL_TEXT }, { (full) ? "decided_at" : NULL, SV_COL_TEXT }, \
	{ (full) ? "decided_by" : NULL, SV_COL_TEXT }, { (full) ? "decision_reason" : NULL, SV_COL_TEXT }, \
	{ (full) ? "exemption" : NULL, SV_COL_TEXT }, { (full) ? "consulted" : NULL, SV_COL_TEXT }, \
	{ (full) ? "valid_until" : NULL, SV_COL_TEXT }, { NULL, SV_COL_INT }, \
	{ (full) ? "releases_used" : NULL, SV_COL_INT }, { "responded", SV_COL_TEXT }, \
	{ "documents", SV_COL_INT }, { NULL, SV_COL_INT }, { (full) ? "recipient" : NULL, SV_COL_TEXT })

static sv_json *req_json(sv_stmt *st, scrvault *v, const sv_calendar *cal, const char *now, bool full)
{
	sv_json *o = sv_row_json(st, REQ_COLUMNS(full));
	const char *channel = sv_stmt_text(st, 1), *responded = sv_stmt_text(st, 17);
	char dues[11] = "";
	int64_t due = -1;
	bool overdue = false, stopped = false;

	if (!o)
		return NULL;
	if (!strcmp(channel, "foi") && cal) {
		if (foi_due(&due, v, cal, sv_stmt_int(st, 0), sv_stmt_text(st, 7)) < 0) {
			sv_json_free(o);
			return NULL;
		}
		stopped = due < 0;
		if (due >= 0) {
			sv_day_format(dues, due);
			overdue = !responded && strcmp(dues, now) < 0;
		}
	}
	if (sv_json_set_fields(o, SV_FIELDS(SV_STR("due", dues[0] ? dues : stopped ? "clock stopped" : NULL),
					    SV_BOOL("overdue", overdue),
					    SV_STR("scope", sv_stmt_int(st, 19) ? "case" : "documents"),
					    SV_IF(full && sv_stmt_text(st, 15),
						  SV_INT("max_releases", sv_stmt_int(st, 15))))) < 0)
		goto bad;
	return o;
bad:
	sv_json_free(o);
	return NULL;
}

/* A due date on or before `by` (a stopped clock has none). */
static bool due_within(const char *due, int64_t by)
{
	int64_t d = 0;

	return due && sv_date_valid(due) && sv_day_parse(&d, due) == 0 && d <= by;
}

/* A listing's rows as they are kept: each request, due date worked out. */
typedef struct {
	scrvault *v;
	const sv_calendar *cal;
	const char *now;
	bool full, only_overdue;
	int64_t due_by;
} req_rows;

static int req_row_add(void *ctx, sv_stmt *st, sv_json *arr)
{
	req_rows *q = ctx;
	sv_json *o = req_json(st, q->v, q->cal, q->now, q->full);
	bool overdue;

	if (!o)
		return SCRVAULT_ERROR;
	overdue = sv_json_as_bool(sv_json_get(o, "overdue"));
	if ((q->only_overdue && !overdue) ||
	    (q->due_by >= 0 && !overdue && !due_within(sv_json_str(sv_json_get(o, "due")), q->due_by))) {
		sv_json_free(o);
		return 0;
	}
	return sv_json_append(arr, o) < 0 ? SCRVAULT_ERROR : 0;
}

static int req_query(sv_json **out, scrvault *v, const char *where, const char *as_of, int64_t id,
		     bool full, bool only_overdue, int64_t due_by)
{
	char now[11], sql[2048];
	sv_calendar *cal = NULL;
	int error;

	*out = NULL;
	if ((error = sv_as_of(now, as_of)) < 0 || (error = sv_policy_calendar(&cal, v)) < 0)
		return error;
	snprintf(sql, sizeof(sql), REQ_SELECT " WHERE coalesce(?1, 0) = coalesce(?1, 0)%s ORDER BY r.id", where);
	error = sv_rows_build(out, v->db, req_row_add, &(req_rows){ v, cal, now, full, only_overdue, due_by },
			      sql, "i", id);
	sv_calendar_free(cal);
	return error;
}

int scrvault_request_list(scrvault_json **out, scrvault *v, const scrvault_request_filter *f)
{
	static const scrvault_request_filter all = SCRVAULT_REQUEST_FILTER_INIT;
	char where[256] = "";
	int error;

	*out = NULL;
	if (!f)
		f = &all;
	if ((error = SV_STRUCT_CHECK(f, SCRVAULT_REQUEST_FILTER_VERSION, "scrvault_request_filter")) < 0 ||
	    (error = sv_authorize(v, "request.read", NULL)) < 0)
		return error;
	if (f->channel && !sv_text_one_of(f->channel, channels))
		return sv_error_field(SCRVAULT_EUSAGE, "channel", "the channel must be internal, external or foi");
	if (f->channel)
		snprintf(where, sizeof(where), " AND r.channel = '%s'", f->channel);	/* one of three literals */
	if (f->open || f->overdue)
		snprintf(where + strlen(where), sizeof(where) - strlen(where), " AND r.responded_on IS NULL");
	if (f->overdue)
		snprintf(where + strlen(where), sizeof(where) - strlen(where), " AND r.channel = 'foi'");
	return req_query(out, v, where, f->as_of, 0, false, f->overdue, -1);
}

int scrvault_request_due(scrvault_json **out, scrvault *v, unsigned days, const char *as_of)
{
	char now[11];
	int64_t today_d = 0, by;
	sv_calendar *cal = NULL;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "request.read", NULL)) < 0)
		return error;
	if ((error = sv_as_of(now, as_of)) < 0 ||
	    (error = sv_day_parse(&today_d, now)) < 0 || (error = sv_policy_calendar(&cal, v)) < 0)
		return error;
	by = days ? sv_calendar_add_working(cal, today_d, days, NULL, 0) : today_d;
	sv_calendar_free(cal);
	return req_query(out, v, " AND r.channel = 'foi' AND r.responded_on IS NULL", now, 0, false, false, by);
}

int scrvault_request_show(scrvault_json **out, scrvault *v, int64_t id)
{
	sv_json *arr = NULL, *docs = NULL, *clock = NULL, *uses = NULL, *o;
	req_row r;
	int error;

	*out = NULL;
	if ((error = req_load(&r, v, id, "request.read")) < 0)
		return error;
	if ((error = req_query(&arr, v, " AND r.id = ?1", NULL, id, true, false, -1)) < 0)
		return error;
	/* the request with what it covers, its clock and its releases (set takes each) */
	if (!(o = (sv_json *)sv_json_at(arr, 0))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = sv_rows_json(&docs, v->db, SV_COLS({ "doc", SV_COL_TEXT }, { "class", SV_COL_TEXT },
					{ "title", SV_COL_TEXT }), NULL, NULL,
					"SELECT d.id, d.class, d.title FROM documents d WHERE d.id IN"
					" (SELECT doc_id FROM request_docs WHERE request_id = ?1) OR d.case_id ="
					" (SELECT case_id FROM requests WHERE id = ?1) ORDER BY d.id", "i", id)) < 0 ||
	    (error = sv_json_set(o, "documents_covered", docs)) < 0 ||
	    (error = sv_rows_json(&clock, v->db, SV_COLS({ "for", SV_COL_TEXT }, { "stopped", SV_COL_TEXT },
					{ "restarted", SV_COL_TEXT }, { "note", SV_COL_TEXT }), NULL, NULL,
					"SELECT kind, stopped_on, resumed_on, note FROM request_clock"
					" WHERE request_id = ? ORDER BY id", "i", id)) < 0 ||
	    (error = sv_json_set(o, "clock", clock)) < 0 ||
	    (error = sv_rows_json(&uses, v->db, SV_COLS({ "kind", SV_COL_TEXT }, { "doc", SV_COL_TEXT },
					{ "version", SV_COL_INT }, { "to", SV_COL_TEXT }, { "at", SV_COL_TEXT }), NULL, NULL,
					"SELECT 'checkout', r.doc_id, r.version, p.name, r.released_at FROM releases r"
					" JOIN principals p ON p.id = r.principal_id WHERE r.access_request = ?1"
					" UNION ALL SELECT 'release', b.doc_id, b.version, coalesce(p.name, b.to_recipient),"
					" b.released_at FROM bundle_releases b LEFT JOIN principals p ON p.id = b.to_principal"
					" WHERE b.access_request = ?1"
					" UNION ALL SELECT 'copy', c.doc_id, c.version, coalesce(p.name, c.ext_name), c.issued_at"
					" FROM copies c LEFT JOIN principals p ON p.id = c.holder_id"
					" WHERE c.access_request = ?1 AND c.kind = 'paper' ORDER BY 5", "i", id)) < 0 ||
	    (error = sv_json_set(o, "releases", uses)) < 0)
		goto done;
	if (!(*out = sv_json_copy(o)))	/* hand over the one object, out of the array */
		error = SCRVAULT_ERROR;
done:
	sv_json_free(arr);
	return error < 0 ? error : 0;
}

/* ---- releases under a request -------------------------------------------------------------- */

void scrvault_request_use(scrvault *v, int64_t id)
{
	v->access_request = id > 0 ? id : 0;
}

/* A document's class and case, and whether the class is restricted. */
typedef struct {
	int64_t restricted;
	char cls[48], caseref[40];
} doc_class;

static int doc_class_load(void *ctx, sv_stmt *st)
{
	doc_class *d = ctx;

	d->restricted = sv_stmt_int(st, 0);
	sv_stmt_texts(st, 1, d->cls, sizeof(d->cls), d->caseref, sizeof(d->caseref), NULL);
	return 1;
}

static int request_check(scrvault *v, const char *doc, int64_t recipient, const sv_outside *outside,
			 bool *restricted, bool always)
{
	const char *field = NULL;	/* the input at fault, if any */
	char now[11], state[16] = "", until[16] = "";
	doc_class dc = { 0, "", "" };
	char *ext_name = NULL, *ext_org = NULL, *ext_rcpt = NULL;
	int64_t covered = 0, requester = 0, maxr = 0, used = 0, found = 0;
	sv_stmt *st = NULL;
	const char *why = NULL;
	char whybuf[300];
	int error;

	*restricted = false;
	if ((error = sv_db_each(v->db, doc_class_load, &dc, "SELECT coalesce(pc.restricted, 0), d.class, c.ref"
				" FROM documents d JOIN cases c ON c.id = d.case_id"
				" LEFT JOIN policy_classes pc ON pc.class = d.class WHERE d.id = ?", "t", doc)) < 0)
		return error;
	if (!dc.restricted && !always)
		return 0;
	*restricted = true;
	if (!v->access_request) {
		snprintf(whybuf, sizeof(whybuf), "class '%s' is restricted: it is released only under an agreed access "
			 "request that covers it (see 'scrvault request list')", dc.cls);
		why = "no request";
		field = "request";
		goto refuse;
	}
	sv_today(now);
	if ((error = sv_db_query(&st, v->db, "SELECT r.state, coalesce(r.valid_until, ''), coalesce(r.requester_id, 0),"
				 " coalesce(r.max_releases, 0), r.releases_used,"
				 " (r.case_id = (SELECT case_id FROM documents WHERE id = ?2)"
				 "  OR EXISTS (SELECT 1 FROM request_docs q WHERE q.request_id = r.id AND q.doc_id = ?2)),"
				 " coalesce(r.ext_name, ''), coalesce(r.ext_org, ''), coalesce(r.ext_recipient, '')"
				 " FROM requests r WHERE r.id = ?1", "it", v->access_request, doc)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1) {
		found = 1;
		snprintf(state, sizeof(state), "%s", sv_stmt_text(st, 0));
		snprintf(until, sizeof(until), "%s", sv_stmt_text(st, 1));
		requester = sv_stmt_int(st, 2);
		maxr = sv_stmt_int(st, 3);
		used = sv_stmt_int(st, 4);
		covered = sv_stmt_int(st, 5);
		if (!(ext_name = sv_strdup(sv_stmt_text(st, 6))) || !(ext_org = sv_strdup(sv_stmt_text(st, 7))) ||
		    !(ext_rcpt = sv_strdup(sv_stmt_text(st, 8))))
			error = SCRVAULT_ERROR;
	}
	sv_stmt_free(st);
	if (error < 0)
		goto done;
	if (!found) {
		snprintf(whybuf, sizeof(whybuf), "there is no request %lld", (long long)v->access_request);
		why = "no such request";
		error = SCRVAULT_ENOTFOUND;
		goto refuse_code;
	}
	error = 0;
	if (strcmp(state, "agreed") != 0) {
		snprintf(whybuf, sizeof(whybuf), "request %lld is %s, not agreed", (long long)v->access_request, state);
		why = "request not agreed";
	} else if (until[0] && strcmp(until, now) < 0) {
		snprintf(whybuf, sizeof(whybuf), "request %lld expired on %s", (long long)v->access_request, until);
		why = "request expired";
	} else if (maxr && used >= maxr) {
		snprintf(whybuf, sizeof(whybuf), "request %lld has been used for all its %lld release%s",
			 (long long)v->access_request, (long long)maxr, maxr == 1 ? "" : "s");
		why = "request used up";
	} else if (!covered) {
		snprintf(whybuf, sizeof(whybuf), "request %lld does not cover document %s", (long long)v->access_request, doc);
		why = "not covered";
	} else if (outside ? requester != 0 : requester != recipient) {
		snprintf(whybuf, sizeof(whybuf), "request %lld was made by %s, not by the person receiving this release",
			 (long long)v->access_request, requester ? "a principal" : "someone outside the vault");
		why = "another requester";
	} else if (outside && outside->age_recipient && !ext_rcpt[0]) {
		snprintf(whybuf, sizeof(whybuf), "request %lld names no age recipient: a restricted document goes to "
			 "someone outside the vault only to the age recipient they gave with their request",
			 (long long)v->access_request);
		why = "request names no recipient key";
	} else if (outside && outside->age_recipient && strcmp(ext_rcpt, outside->age_recipient) != 0) {
		snprintf(whybuf, sizeof(whybuf), "request %lld is for another recipient key than %.80s",
			 (long long)v->access_request, outside->age_recipient);
		why = "another recipient key";
	} else if (outside && !outside->age_recipient &&
		   (!outside->name || !outside->org || strcasecmp(outside->name, ext_name) != 0 ||
		    strcasecmp(outside->org, ext_org) != 0)) {
		snprintf(whybuf, sizeof(whybuf), "request %lld was made by someone else: the copy goes only to the "
			 "requester it names, with the same name and organisation", (long long)v->access_request);
		why = "another outside holder";
	} else {
		goto done;
	}
refuse:
	error = SCRVAULT_EDENIED;
refuse_code:
	sv_error_field(error, field, "%s", whybuf);
	error = sv_audit_denied(v, "request.use", SV_ABOUT(.doc = doc, .caseref = dc.caseref),
				SV_FIELDS(SV_STR("reason", why), SV_IF(v->access_request,
									SV_INT("request", v->access_request))),
				error);
done:
	free(ext_name);
	free(ext_org);
	free(ext_rcpt);
	return error;
}

int sv_request_check(scrvault *v, const char *doc, int64_t recipient, const sv_outside *outside, bool *restricted)
{
	return request_check(v, doc, recipient, outside, restricted, false);
}

int sv_request_require(scrvault *v, const char *doc, int64_t recipient, const sv_outside *outside, bool *restricted)
{
	return request_check(v, doc, recipient, outside, restricted, true);
}

int sv_request_consume(scrvault *v)
{
	int64_t changed = 0;
	int error;

	if ((error = sv_db_run(v->db, "UPDATE requests SET releases_used = releases_used + 1 WHERE id = ?"
			       " AND state = 'agreed' AND (max_releases IS NULL OR releases_used < max_releases)",
			       "i", v->access_request)) < 0 ||
	    (error = sv_db_int(&changed, v->db, "SELECT changes()", "")) < 0)
		return error;
	if (changed != 1)
		return sv_error(SCRVAULT_ECONFLICT, "request %lld was used up or changed while this command ran",
				(long long)v->access_request);
	return 0;
}

/* ---- the agenda --------------------------------------------------------------------- */

/*
 * Open FOI requests (requests_open) whose answer falls due on or before
 * `by`, by foi_due, the one FOI clock; a request whose clock is stopped has
 * no due date and is listed from the day it stopped (waiting for the fee
 * or the clarification).  Undecided: decide it; decided: send the answer.
 */
int sv_request_foi_due(scrvault *v, const char *now, const char *by, sv_due_fn fn, void *ctx)
{
	sv_calendar *cal = NULL;
	sv_stmt *st = NULL;
	int error;

	(void)now;
	if ((error = sv_policy_calendar(&cal, v)) < 0)
		return error;
	if ((error = sv_db_query(&st, v->db, "SELECT r.id, k.ref, r.received_on, r.state FROM requests r"
				 " LEFT JOIN cases k ON k.id = r.case_id"
				 " WHERE r.responded_on IS NULL AND r.channel = 'foi' ORDER BY r.id", "")) < 0)
		goto done;
	while ((error = sv_stmt_step(st)) == 1) {
		int64_t id = sv_stmt_int(st, 0), due = -1;
		char dues[11] = "", ids[24], what[96], cmd[64];
		bool open = !strcmp(sv_stmt_text(st, 3), "open");

		if ((error = foi_due(&due, v, cal, id, sv_stmt_text(st, 2))) < 0)
			break;
		snprintf(ids, sizeof(ids), "%lld", (long long)id);
		if (due >= 0) {
			sv_day_format(dues, due);
			snprintf(what, sizeof(what), "FOI request %lld: answer due%s", (long long)id,
				 open ? " (not decided)" : "");
			snprintf(cmd, sizeof(cmd), "scrvault request %s %lld", open ? "decide" : "respond", (long long)id);
		} else {
			char kind[24] = "";
			sv_stmt *cs = NULL;

			if ((error = sv_db_query(&cs, v->db, "SELECT stopped_on, kind FROM request_clock"
						 " WHERE request_id = ? AND resumed_on IS NULL ORDER BY id DESC LIMIT 1",
						 "i", id)) < 0)
				break;
			if ((error = sv_stmt_step(cs)) == 1) {
				snprintf(dues, sizeof(dues), "%s", sv_stmt_text(cs, 0));
				snprintf(kind, sizeof(kind), "%s", sv_stmt_text(cs, 1));
			}
			sv_stmt_free(cs);
			if (error < 0)
				break;
			snprintf(what, sizeof(what), "FOI request %lld: clock stopped (%s)", (long long)id, kind);
			snprintf(cmd, sizeof(cmd), "scrvault request clock %lld --restart", (long long)id);
		}
		if (!sv_date_valid(dues) || strcmp(dues, by) > 0)
			continue;
		if ((error = fn(ctx, &(sv_due){ .due_on = dues, .caseref = sv_stmt_text(st, 1), .id = ids,
					       .what = what, .command = cmd })) < 0)
			break;
	}
	error = error < 0 ? error : 0;
done:
	sv_stmt_free(st);
	sv_calendar_free(cal);
	return error;
}

/*
 * Outside requests (the external channel; FOI has its clock above) waiting
 * for a decision, listed from the day they were received.
 */
static int undecided_row(void *ctx, sv_stmt *st)
{
	const sv_due_sink *s = ctx;
	int64_t id = sv_stmt_int(st, 0);
	char ids[24], what[96], cmd[64];
	int error;

	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	snprintf(what, sizeof(what), "outside request %lld: awaiting a decision", (long long)id);
	snprintf(cmd, sizeof(cmd), "scrvault request decide %lld", (long long)id);
	error = s->fn(s->ctx, &(sv_due){ .due_on = sv_stmt_text(st, 2), .caseref = sv_stmt_text(st, 1), .id = ids,
					 .what = what, .command = cmd });
	return error < 0 ? error : 0;
}

int sv_request_undecided_due(scrvault *v, const char *now, const char *by, sv_due_fn fn, void *ctx)
{
	(void)now;
	return sv_db_each(v->db, undecided_row, &(sv_due_sink){ fn, ctx }, "SELECT r.id, k.ref, r.received_on"
			  " FROM requests r LEFT JOIN cases k ON k.id = r.case_id WHERE r.responded_on IS NULL"
			  " AND r.channel = 'external' AND r.state = 'open' AND r.received_on <= ?"
			  " ORDER BY r.received_on, r.id", "t", by);
}
