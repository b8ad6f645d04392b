/*
 * copy.c - the numbered-copy register (scrvault/copy.h).
 *
 * One row per copy (`copies`), one row per transition (`copy_events`), one
 * audit entry per transition, all in one transaction.  Each transition is
 * an UPDATE guarded by the state it expects, so two coordinators racing on
 * one copy cannot both succeed.  What a holder left (contact details, the
 * purpose, condition notes) is personal data: it stays in the encrypted
 * database; audit entries carry the copy's number, document and version and
 * the principals' names only.
 *
 * Listings are indexed for the questions asked every day.  The copies still
 * out (issued, lost) have a partial covering index of their own, copies_out
 * (state, due, id, and every column a listing reads), so `list --state
 * issued`, `overdue` and `--state outstanding` read a few hundred pages of it
 * instead of every page of the table; SQLite uses a partial index only when
 * the query states its condition, `c.state IN ('issued', 'lost')`, literally,
 * so those listings do.  The N of a paper copy's "#n of N" is stored with the
 * copy (paper_total, set on the copies a `copy create` makes, to the count
 * after it, and never changed: the label is fixed when the copy is made)
 * rather than counted for each row listed.  By holder: the
 * principal's id, so copies_holder is used; a recall goes through the case's
 * or document's copies (`+c.state`: not through the state indexes).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "records/copy.h"
#include "records/due.h"
#include "records/master.h"
#include "records/signoff.h"
#include "records/passkey.h"
#include "records/request.h"
#include "vault/authz.h"
#include "vault/find.h"
#include "vault/keyrelease.h"
#include "vault/log.h"
#include "vault/policyfile.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "storage/rows.h"
#include "crypto/crypto.h"
#include "crypto/stamp.h"
#include "base/common.h"
#include "base/date.h"
#include "base/file.h"
#include "base/json.h"
#include "base/text.h"

/* One copy with what its label and checks need. */
typedef struct {
	int64_t id;
	char doc[SV_DOC_ID_LEN + 1];
	unsigned version;
	char kind[16];
	int64_t number;
	int64_t total;		/* paper: copies of this version (the N of "#n of N") */
	char state[16];
	int64_t holder_id;
	char holder[128];
	char caseref[40];
	char cls[48];
	char agency[128];
	char due[16];
} copy_row;

/*
 * The N of a paper copy's "#n of N": stored by copy create; counted only if a
 * row has none (never after migration 9).  Electronic copies have no N.
 */
#define COPY_TOTAL \
	" CASE WHEN c.kind <> 'paper' THEN 0 WHEN c.paper_total IS NOT NULL THEN c.paper_total" \
	" ELSE (SELECT count(*) FROM copies x WHERE x.doc_id = c.doc_id AND x.version = c.version" \
	" AND x.kind = 'paper') END"

#define COPY_SELECT \
	"SELECT c.id, c.doc_id, c.version, c.kind, c.number, c.state, coalesce(c.holder_id, 0)," \
	" coalesce(p.name, c.ext_name, ''), k.ref, d.class, coalesce(d.agency, ''), coalesce(c.due, '')," \
	COPY_TOTAL \
	" FROM copies c JOIN documents d ON d.id = c.doc_id JOIN cases k ON k.id = d.case_id" \
	" LEFT JOIN principals p ON p.id = c.holder_id"

/*
 * Column `col` into `out` (`len` bytes), cut to fit as snprintf would.  The
 * text columns row_fill reads (the first twelve of COPY_SELECT and
 * LIST_SELECT) are NOT NULL or coalesced.
 */
static void col_text(char *out, size_t len, sv_stmt *st, int col)
{
	const char *s = sv_stmt_text(st, col);
	size_t n = s ? strlen(s) : 0;

	if (n >= len)
		n = len - 1;
	if (n)
		memcpy(out, s, n);
	out[n] = '\0';
}

/* One row of COPY_SELECT (a listing reads thousands: no formatting per column). */
static void row_fill(copy_row *c, sv_stmt *st)
{
	memset(c, 0, sizeof(*c));
	c->id = sv_stmt_int(st, 0);
	col_text(c->doc, sizeof(c->doc), st, 1);
	c->version = (unsigned)sv_stmt_int(st, 2);
	col_text(c->kind, sizeof(c->kind), st, 3);
	c->number = sv_stmt_int(st, 4);
	col_text(c->state, sizeof(c->state), st, 5);
	c->holder_id = sv_stmt_int(st, 6);
	col_text(c->holder, sizeof(c->holder), st, 7);
	col_text(c->caseref, sizeof(c->caseref), st, 8);
	col_text(c->cls, sizeof(c->cls), st, 9);
	col_text(c->agency, sizeof(c->agency), st, 10);
	col_text(c->due, sizeof(c->due), st, 11);
	c->total = sv_stmt_int(st, 12);
}

/* "SCR-2026-03/overview-report/v2 #3 of 8" (paper), "... electronic #2". */
static void copy_label(char *out, size_t len, const copy_row *c)
{
	if (!strcmp(c->kind, "paper"))
		snprintf(out, len, "%s/%s/v%u #%lld of %lld", c->caseref, c->cls, c->version,
			 (long long)c->number, (long long)c->total);
	else
		snprintf(out, len, "%s/%s/v%u electronic #%lld", c->caseref, c->cls, c->version,
			 (long long)c->number);
}

/* A copy's audit objects: the copy, its document, version and case. */
#define COPY_ABOUT(c) SV_ABOUT(.copy = (c)->id, .doc = (c)->doc, .version = (c)->version, .caseref = (c)->caseref)

/*
 * COPY: a register number, or DOC@VERSION#N (a paper copy), for `action`.
 * A copy of a document the session's role does not reach (unless the
 * session is its holder) is not found, as one that does not exist.  NULL
 * action: the caller decides (copy witness: its named witness may sign).
 */
static int copy_load(copy_row *c, scrvault *v, const char *arg, const char *action)
{
	sv_stmt *st = NULL;
	char buf[96], *hash, *at, *end = NULL, doc[SV_DOC_ID_LEN + 1];
	int64_t id = 0;
	int error;

	if (!arg || !*arg)
		return sv_error(SCRVAULT_EUSAGE, "which copy? give its register number or DOC@VERSION#N");
	if (strspn(arg, "0123456789") == strlen(arg)) {
		errno = 0;
		id = strtoll(arg, &end, 10);
		if (errno || id <= 0)
			return sv_error(SCRVAULT_EUSAGE, "'%s' is not a copy number", arg);
		error = sv_db_query(&st, v->db, COPY_SELECT " WHERE c.id = ?", "i", id);
	} else {
		unsigned long ver, num;

		snprintf(buf, sizeof(buf), "%s", arg);
		if (!(hash = strchr(buf, '#')) || !(at = strchr(buf, '@')) || at > hash)
			return sv_error(SCRVAULT_EUSAGE, "'%s' is not a copy: give its register number (see 'scrvault "
					"copy list') or DOC@VERSION#N", arg);
		*hash++ = '\0';
		*at++ = '\0';
		ver = strtoul(at, &end, 10);
		if (*end || ver == 0)
			return sv_error(SCRVAULT_EUSAGE, "'%s': the version must be a positive number", arg);
		num = strtoul(hash, &end, 10);
		if (*end || num == 0)
			return sv_error(SCRVAULT_EUSAGE, "'%s': the copy number must be a positive number", arg);
		if ((error = sv_doc_resolve(doc, NULL, v, action, buf)) < 0)
			return error;
		error = sv_db_query(&st, v->db, COPY_SELECT " WHERE c.doc_id = ? AND c.version = ? AND c.kind = 'paper'"
				    " AND c.number = ?", "tii", doc, (int64_t)ver, (int64_t)num);
	}
	if (error < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1)
		row_fill(c, st);
	sv_stmt_free(st);
	if (error < 0)
		return error;
	if (error == 0 ||
	    (action && c->holder_id != v->principal_id && !sv_authz_reaches(v, c->caseref, c->cls, c->agency))) {
		sv_error(SCRVAULT_ENOTFOUND, SV_NOT_FOUND_COPY, arg);
		return error == 0 ? SCRVAULT_ENOTFOUND : sv_authz_conceal(v, action, COPY_ABOUT(c));
	}
	return 0;
}


int sv_copy_case_open(scrvault *v, const char *action, const char *caseref, const char *doc, bool release)
{
	char concluded[16] = "";
	sv_stmt *st = NULL;
	int error;

	if ((error = sv_db_query(&st, v->db, "SELECT coalesce(concluded_on, '') FROM cases WHERE ref = ?", "t",
				 caseref)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1)
		snprintf(concluded, sizeof(concluded), "%s", sv_stmt_text(st, 0));
	sv_stmt_free(st);
	if (error < 0)
		return error;
	if (!concluded[0])
		return 0;
	if (release && v->access_request)
		return 1;	/* the caller holds the release to its request (sv_request_require) */
	if (release)
		sv_error_field(SCRVAULT_ECONFLICT, "request", "case '%s' concluded on %s: a document of a concluded "
			       "review is released only under an agreed access request", caseref, concluded);
	else
		sv_error(SCRVAULT_ECONFLICT, "case '%s' concluded on %s: no copies are made or issued after a review "
			 "concludes (every copy was destroyed then)", caseref, concluded);
	return sv_audit_denied(v, action, SV_ABOUT(.doc = doc, .caseref = caseref),
			       SV_FIELDS(SV_STR("reason", "case concluded")), SCRVAULT_ECONFLICT);
}

/* Authorise `action` on the copy's document; a refusal is audited. */
static int copy_authorize(scrvault *v, const char *action, const copy_row *c)
{
	return sv_authorize(v, action, SV_ABOUT(.doc = c->doc, .caseref = c->caseref));
}

/* COPY loaded and `action` on it authorised. */
static int copy_get(copy_row *c, scrvault *v, const char *arg, const char *action)
{
	int error;

	if ((error = copy_load(c, v, arg, action)) < 0)
		return error;
	return copy_authorize(v, action, c);
}

/* A refused transition: the current state named, audited. */
static int bad_state(scrvault *v, const char *action, const copy_row *c, const char *want)
{
	char label[160];

	copy_label(label, sizeof(label), c);
	sv_error(SCRVAULT_ECONFLICT, "copy %lld (%s) is %s%s%s: it cannot be %s", (long long)c->id, label,
		 c->state, !strcmp(c->state, "issued") && c->holder[0] ? " to " : "",
		 !strcmp(c->state, "issued") ? c->holder : "", want);
	return sv_audit_denied(v, action, COPY_ABOUT(c), SV_FIELDS(SV_STR("state", c->state)), SCRVAULT_ECONFLICT);
}

/*
 * Inside a transaction: record an event of copy `c` and its audit entry.
 * The copy's row has been updated by the caller.
 */
static int copy_event(scrvault *v, const copy_row *c, const char *action, const char *event,
		      const char *from, const char *to, int64_t holder, int64_t witness,
		      const char *note, const sv_field *details)
{
	char when[21];
	uint64_t seq = 0;
	int error;

	sv_time_iso(when, sv_now());
	if ((error = sv_audit_append(v, action, "ok", COPY_ABOUT(c),
				     SV_FIELDS(SV_SPLICE(details), SV_STR("from", from), SV_STR("to", to)))) < 0 ||
	    (error = sv_audit_size(&seq, v)) < 0)
		return error;
	return sv_db_run(v->db, "INSERT INTO copy_events(copy_id, event, from_state, to_state, at, by_id, holder_id,"
			 " witness_id, note, audit_seq) VALUES (?, ?, ?, ?, ?, ?, NULLIF(?, 0), NULLIF(?, 0), ?, ?)",
			 "ittttiiiti", c->id, event, from, to, when, v->principal_id, holder, witness, note,
			 (int64_t)seq);
}

/* Move `c` from its current state to `to` (guarded), with an event. */
static int copy_move(scrvault *v, copy_row *c, const char *action, const char *event, const char *to,
		     int64_t witness, const char *note, const sv_field *details)
{
	int64_t changed = 0;
	int error;

	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_db_run(v->db, "UPDATE copies SET state = ? WHERE id = ? AND state = ?", "tit",
			       to, c->id, c->state)) < 0 ||
	    (error = sv_db_int(&changed, v->db, "SELECT changes()", "")) < 0)
		goto fail;
	if (changed != 1) {
		error = sv_error(SCRVAULT_ECONFLICT, "copy %lld changed while this command ran: look again "
				 "('scrvault copy history %lld')", (long long)c->id, (long long)c->id);
		goto fail;
	}
	if ((error = copy_event(v, c, action, event, c->state, to, c->holder_id, witness, note, details)) < 0 ||
	    (error = sv_vault_commit(v)) < 0)
		goto fail;
	snprintf(c->state, sizeof(c->state), "%s", to);
	return 0;
fail:
	sv_vault_abort(v);
	return error;
}

static int copy_result(scrvault_json **out, const copy_row *c)
{
	char label[160];
	sv_json *o = sv_json_object();

	copy_label(label, sizeof(label), c);
	if (!o || sv_json_set_fields(o, SV_FIELDS(SV_INT("copy", c->id), SV_STR("doc", c->doc),
						  SV_INT("version", c->version), SV_STR("case", c->caseref),
						  SV_STR("label", label), SV_STR("state", c->state),
						  SV_STR("kind", c->kind), SV_INT("number", c->number),
						  SV_STR("holder", c->holder[0] ? c->holder : NULL))) < 0) {
		sv_json_free(o);
		return SCRVAULT_ERROR;
	}
	*out = o;
	return 0;
}

/* ---- create ------------------------------------------------------------------------- */

int scrvault_copy_create(scrvault_json **out, scrvault *v, const char *docarg, unsigned version, unsigned count)
{
	char doc[SV_DOC_ID_LEN + 1], caseref[40], when[21];
	int64_t have = 0, cap = SV_COPIES_DEFAULT_MAX, first;
	sv_version_row r;
	sv_json *res = NULL;
	int error;

	*out = NULL;
	if ((error = sv_doc_resolve(doc, caseref, v, "copy.create", docarg)) < 0)
		return error;
	if ((error = sv_authorize(v, "copy.create", SV_ABOUT(.doc = doc, .caseref = caseref))) < 0)
		return error;
	if ((error = sv_copy_case_open(v, "copy.create", caseref, doc, false)) < 0)
		return error;
	if (count < 1 || count > 999)
		return sv_error_field(SCRVAULT_EUSAGE, "count", "the number of copies must be from 1 to 999");
	if (!version) {
		sv_master m;	/* copies are of the master unless a version is named */

		if ((error = sv_doc_master(&m, v, doc)) < 0)
			return error;
		version = m.version;
	}
	if ((error = sv_version_load(&r, v, doc, &version)) < 0)
		return error;
	if (strcmp(r.state, "live") != 0)
		return sv_error(SCRVAULT_ECONFLICT, "document '%s' version %u is %s: no copies can be made", doc,
				version, r.state);
	if ((error = sv_db_int(&cap, v->db, "SELECT pc.max_copies FROM documents d JOIN policy_classes pc"
			       " ON pc.class = d.class WHERE d.id = ?", "t", doc)) < 0)
		return error;
	if (error == 0)
		cap = SV_COPIES_DEFAULT_MAX;
	if ((error = sv_db_int(&have, v->db, "SELECT count(*) FROM copies WHERE doc_id = ? AND version = ?"
			       " AND kind = 'paper'", "ti", doc, (int64_t)version)) < 0)
		return error;
	if (have + count > cap) {
		sv_error(SCRVAULT_EDENIED, "the policy allows at most %lld paper copies of a version of this class; "
			 "version %u already has %lld, so %u more would be too many (destroyed copies still count: "
			 "their numbers are never reused)", (long long)cap, version, (long long)have, count);
		return sv_audit_denied(v, "copy.create", SV_ABOUT(.doc = doc, .version = version),
				       SV_FIELDS(SV_INT("requested", count), SV_INT("existing", have), SV_INT("limit", cap)),
				       SCRVAULT_EDENIED);
	}
	first = have + 1;
	sv_time_iso(when, sv_now());
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	for (unsigned i = 0; i < count; i++) {
		copy_row c;

		if ((error = sv_db_run(v->db, "INSERT INTO copies(doc_id, version, kind, number, state, created_at,"
				       " created_by) VALUES (?, ?, 'paper', ?, 'in-store', ?, ?)", "tiiti", doc,
				       (int64_t)version, first + i, when, v->principal_id)) < 0)
			goto fail;
		memset(&c, 0, sizeof(c));
		if ((error = sv_db_int(&c.id, v->db, "SELECT last_insert_rowid()", "")) < 0)
			goto fail;
		snprintf(c.doc, sizeof(c.doc), "%s", doc);
		snprintf(c.caseref, sizeof(c.caseref), "%s", caseref);
		c.version = version;
		if ((error = sv_db_run(v->db, "INSERT INTO copy_events(copy_id, event, to_state, at, by_id, audit_seq)"
				       " VALUES (?, 'create', 'in-store', ?, ?, 0)", "iti", c.id, when, v->principal_id)) < 0)
			goto fail;
	}
	if ((error = sv_audit_append(v, "copy.create", "ok", SV_ABOUT(.doc = doc, .version = version, .caseref = caseref),
				     SV_FIELDS(SV_INT("first", first), SV_INT("last", first + count - 1)))) < 0)
		goto fail;
	/* The new copies carry the N of their making; an earlier copy's label
	 * ("#1 of 3", perhaps printed on its sheets already) never changes. */
	if ((error = sv_db_run(v->db, "UPDATE copies SET paper_total = ? WHERE doc_id = ? AND version = ?"
			       " AND kind = 'paper' AND number >= ?", "itii", first + count - 1, doc,
			       (int64_t)version, first)) < 0)
		goto fail;
	{
		uint64_t seq = 0;

		if ((error = sv_audit_size(&seq, v)) < 0 ||
		    (error = sv_db_run(v->db, "UPDATE copy_events SET audit_seq = ? WHERE audit_seq = 0 AND event = 'create'",
				       "i", (int64_t)seq)) < 0)
			goto fail;
	}
	if ((error = sv_vault_commit(v)) < 0)
		goto fail;
	{
		scrvault_copy_filter f = SCRVAULT_COPY_FILTER_INIT;

		f.doc = doc;

		if ((error = scrvault_copy_list(&res, v, &f)) < 0)
			return error;
	}
	*out = res;
	return 0;
fail:
	sv_vault_abort(v);
	return error;
}

/* ---- issue, acknowledge, return, lost, destroy ---------------------------------------- */

int scrvault_copy_issue(scrvault_json **out, scrvault *v, const scrvault_copy_issue_spec *s)
{
	char when[21], now[11], why[300] = "", contact[512] = "";
	bool restricted = false;
	int64_t pid = 0, changed = 0;
	copy_row c;
	int error;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(s, SCRVAULT_COPY_ISSUE_SPEC_VERSION, "scrvault_copy_issue_spec")) < 0 ||
	    (error = sv_text_check_all(SV_TEXTS(SV_TEXT("ext_name", s->ext_name), SV_TEXT("ext_org", s->ext_org),
						SV_TEXT("contact", s->contact), SV_TEXT("purpose", s->purpose)))) < 0 ||
	    (error = copy_get(&c, v, s->copy, "copy.issue")) < 0)
		return error;
	if (!s->purpose || !*s->purpose)
		return sv_error_field(SCRVAULT_EUSAGE, "purpose", "say what the copy is for");
	sv_today(now);
	if (!s->due)
		return sv_error_field(SCRVAULT_EUSAGE, "due", "give the date it is due back (YYYY-MM-DD)");
	if ((error = sv_date_check("due", "the due date", s->due, SV_DATE_FUTURE, NULL, NULL)) < 0)
		return error;
	if (strcmp(c.kind, "paper") != 0)
		return sv_error(SCRVAULT_ECONFLICT, "copy %lld is an electronic release: it was issued when it was "
				"released", (long long)c.id);
	if (strcmp(c.state, "in-store") != 0 && strcmp(c.state, "returned") != 0)
		return bad_state(v, "copy.issue", &c, "issued");
	if ((error = sv_copy_case_open(v, "copy.issue", c.caseref, c.doc, false)) < 0)
		return error;
	{
		unsigned ver = c.version;
		sv_version_row r;

		if ((error = sv_version_load(&r, v, c.doc, &ver)) < 0)
			return error;
		if (strcmp(r.state, "live") != 0)
			return sv_error(SCRVAULT_ECONFLICT, "document '%s' version %u is %s: its copies can only be "
					"destroyed now", c.doc, ver, r.state);
	}
	if (s->to) {
		sv_principal to;
		bool ok = false;

		if ((error = sv_find_principal(&to, v, s->to)) < 0)
			return error;
		if (!error)
			return sv_error_field(SCRVAULT_ENOTFOUND, "to", "no principal '%s' (an outside holder is given "
					      "by name, organisation and contact details instead)", s->to);
		pid = to.id;
		snprintf(contact, sizeof(contact), "%s", to.contact);
		if (!to.active) {
			sv_error(SCRVAULT_EDENIED, "principal '%s' is revoked: a copy is issued only to an active "
				 "principal", s->to);
			return sv_audit_denied(v, "copy.issue", COPY_ABOUT(&c),
					       SV_FIELDS(SV_STR("reason", "holder revoked"), SV_STR("to", s->to)),
					       SCRVAULT_EDENIED);
		}
		if ((error = sv_authz_principal(&ok, why, sizeof(why), v, pid, "doc.read", c.caseref, c.cls,
						c.agency, v->access_request > 0)) < 0)
			return error;
		if (!ok) {
			sv_error(SCRVAULT_EDENIED, "'%s' may not read this document, so cannot hold a copy of it: %s",
				 s->to, why);
			return sv_audit_denied(v, "copy.issue", COPY_ABOUT(&c),
					       SV_FIELDS(SV_STR("reason", "holder may not read the class"),
							 SV_STR("to", s->to)), SCRVAULT_EDENIED);
		}
		if (s->contact)
			snprintf(contact, sizeof(contact), "%s", s->contact);
		if (!contact[0])
			return sv_error_field(SCRVAULT_EUSAGE, "contact", "'%s' has no contact details on record: give "
					      "them (needed to get the copy back swiftly)", s->to);
		snprintf(c.holder, sizeof(c.holder), "%s", s->to);
	} else {
		if (!s->ext_name || !*s->ext_name || !s->ext_org || !*s->ext_org || !s->contact || !*s->contact)
			return sv_error_field(SCRVAULT_EUSAGE, !s->ext_name || !*s->ext_name ? "ext_name" :
					      !s->ext_org || !*s->ext_org ? "ext_org" : "contact",
					      "an outside holder needs a name, an organisation and contact details "
					      "(or give a principal)");
		snprintf(contact, sizeof(contact), "%s", s->contact);
		snprintf(c.holder, sizeof(c.holder), "%s", s->ext_name);
	}
	{
		sv_outside ext = { .name = s->ext_name, .org = s->ext_org };

		if ((error = sv_request_check(v, c.doc, pid, s->to ? NULL : &ext, &restricted)) < 0)
			return error;
	}
	sv_time_iso(when, sv_now());
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((restricted && (error = sv_request_consume(v)) < 0) ||
	    (error = sv_db_run(v->db, "UPDATE copies SET access_request = NULLIF(?, 0) WHERE id = ?", "ii",
			       restricted ? v->access_request : (int64_t)0, c.id)) < 0)
		goto fail;
	if ((error = sv_db_run(v->db, "UPDATE copies SET state = 'issued', holder_id = NULLIF(?, 0), ext_name = ?,"
			       " ext_org = ?, contact = ?, purpose = ?, due = ?, issued_at = ?, issued_by = ?,"
			       " ack_at = NULL, ack_kind = NULL, ack_statement = NULL, ack_signature = NULL"
			       " WHERE id = ? AND state = ?", "ittttttiit", pid, s->to ? NULL : s->ext_name, s->to ? NULL : s->ext_org, contact,
			       s->purpose, s->due, when, v->principal_id, c.id, c.state)) < 0 ||
	    (error = sv_db_int(&changed, v->db, "SELECT changes()", "")) < 0)
		goto fail;
	if (changed != 1) {
		error = sv_error(SCRVAULT_ECONFLICT, "copy %lld changed while this command ran", (long long)c.id);
		goto fail;
	}
	c.holder_id = pid;
	snprintf(c.due, sizeof(c.due), "%s", s->due);
	if ((error = copy_event(v, &c, "copy.issue", "issue", c.state, "issued", pid, 0, NULL,
				SV_FIELDS(SV_STR("holder", s->to ? s->to : "outside holder"), SV_STR("due", s->due),
					  SV_IF(restricted, SV_INT("request", v->access_request))))) < 0 ||
	    (error = sv_vault_commit(v)) < 0)
		goto fail;
	snprintf(c.state, sizeof(c.state), "issued");
	return copy_result(out, &c);
fail:
	sv_vault_abort(v);
	return error;
}

/*
 * What an acknowledgement of `copy` must pass before anything is signed or
 * recorded: an issued copy not yet acknowledged; with `paper`, permission
 * to record a paper signature; else the session's principal is its holder,
 * whose registered key (into pub) signs.
 */
static int ack_check(copy_row *c, unsigned char pub[SV_KEY_LEN], scrvault *v, const char *copy, bool paper)
{
	int64_t acked = 0;
	sv_principal p;
	int error;

	if ((error = copy_load(c, v, copy, "copy.acknowledge")) < 0)
		return error;
	if (strcmp(c->state, "issued") != 0)
		return bad_state(v, "copy.acknowledge", c, "acknowledged");
	if ((error = sv_db_int(&acked, v->db, "SELECT count(*) FROM copies WHERE id = ? AND ack_at IS NOT NULL",
			       "i", c->id)) < 0)
		return error;
	if (acked)
		return sv_error(SCRVAULT_ECONFLICT, "copy %lld has already been acknowledged", (long long)c->id);
	if (paper)
		return copy_authorize(v, "copy.issue", c);
	if (!c->holder_id || c->holder_id != v->principal_id) {
		sv_error_field(SCRVAULT_EDENIED, "paper", "only the holder of copy %lld (%s) can sign for it with "
			       "their own key; a coordinator records a paper signature instead", (long long)c->id,
			       c->holder[0] ? c->holder : "an outside holder");
		return sv_audit_denied(v, "copy.acknowledge", COPY_ABOUT(c),
				       SV_FIELDS(SV_STR("reason", "not the holder")), SCRVAULT_EDENIED);
	}
	if ((error = sv_find_principal(&p, v, v->principal)) < 0)
		return error;
	if (error == 0 || !p.keys_ok)
		return sv_error(SCRVAULT_EDENIED, "principal '%s' has no registered key to sign with", v->principal);
	memcpy(pub, p.ed_pub, SV_KEY_LEN);
	return 0;
}

/* The holder's receipt for copy c at `when`, naming their registered key. */
typedef struct {
	const copy_row *c;
	const unsigned char *pub;
} ack_ctx;

static int ack_text(char **text, scrvault *v, const void *ctx, const char *when)
{
	const ack_ctx *a = ctx;
	char label[160];

	copy_label(label, sizeof(label), a->c);
	return sv_statement_text(text, v, a->pub, "holder_key", SCRVAULT_COPY_RECEIPT_STATEMENT, when,
				 SV_FIELDS(SV_INT("copy", a->c->id), SV_STR("doc", a->c->doc),
					   SV_STR("holder", v->principal), SV_STR("label", label),
					   SV_INT("version", a->c->version)));
}

/*
 * Record the acknowledgement: a paper signature (text NULL), or the
 * holder's receipt `text` signed with sig64, checked by sv_signed_check
 * (the same for a receipt signed here and one signed on the holder's own
 * machine).
 */
static int ack_record(sv_json **out, scrvault *v, copy_row *c, const unsigned char pub[SV_KEY_LEN],
		      const char *text, const char *sig64)
{
	const bool paper = !text;
	unsigned char sig[SV_SIG_LEN];
	const char *why = NULL;
	char when[21], what[64];
	int error;

	if (paper) {
		sv_time_iso(when, sv_now());
	} else {
		snprintf(what, sizeof(what), "the receipt for copy %lld", (long long)c->id);
		if ((error = sv_signed_check(&why, when, sig, v, pub, text, sig64, NULL, ack_text,
					     &(ack_ctx){ c, pub }, what)) < 0)
			return why ? sv_audit_denied(v, "copy.acknowledge", COPY_ABOUT(c),
						     SV_FIELDS(SV_STR("reason", why)), error) : error;
	}
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_db_run(v->db, "UPDATE copies SET ack_at = ?, ack_kind = ?, ack_statement = ?, ack_signature = ?"
			       " WHERE id = ? AND state = 'issued' AND ack_at IS NULL", "tttbi", when,
			       paper ? "paper" : "signature", text, paper ? NULL : sig, (size_t)SV_SIG_LEN, c->id)) < 0 ||
	    (error = copy_event(v, c, "copy.acknowledge", paper ? "acknowledge (paper)" : "acknowledge (signed)",
				"issued", "issued", c->holder_id, 0, NULL,
				SV_FIELDS(SV_STR("kind", paper ? "paper signature recorded" : "signed by holder")))) < 0 ||
	    (error = sv_vault_commit(v)) < 0) {
		sv_vault_abort(v);
		return error;
	}
	return copy_result(out, c);
}

int scrvault_copy_acknowledge(scrvault_json **out, scrvault *v, const char *copy, unsigned flags)
{
	const bool paper = flags & SCRVAULT_ACK_PAPER;
	unsigned char pub[SV_KEY_LEN];
	char when[21], *text = NULL, *sig64 = NULL;
	copy_row c;
	int error;

	*out = NULL;
	if ((error = ack_check(&c, pub, v, copy, paper)) < 0)
		return error;
	if (paper)
		return ack_record(out, v, &c, pub, NULL, NULL);
	if ((error = sv_need_own_key(v, "holder")) < 0)
		return error;
	sv_time_iso(when, sv_now());
	if ((error = ack_text(&text, v, &(ack_ctx){ &c, pub }, when)) == 0 &&
	    (error = sv_ed25519_sign_base64(&sig64, v->ident->ed_priv, text)) == 0)
		error = ack_record(out, v, &c, pub, text, sig64);
	free(text);
	free(sig64);
	return error;
}

int scrvault_copy_acknowledge_statement(char **statement, scrvault *v, const char *copy)
{
	unsigned char pub[SV_KEY_LEN];
	copy_row c;
	int error;

	*statement = NULL;
	if ((error = ack_check(&c, pub, v, copy, false)) < 0)
		return error;
	return sv_statement_now(statement, v, ack_text, &(ack_ctx){ &c, pub });
}

int scrvault_copy_acknowledge_signed(scrvault_json **out, scrvault *v, const char *copy,
				     const char *statement, const char *sig)
{
	unsigned char pub[SV_KEY_LEN];
	copy_row c;
	int error;

	*out = NULL;
	if ((error = ack_check(&c, pub, v, copy, false)) < 0)
		return error;
	return ack_record(out, v, &c, pub, statement ? statement : "", sig);
}

int scrvault_copy_return(scrvault_json **out, scrvault *v, const char *copy, const char *condition)
{
	copy_row c;
	int error;

	*out = NULL;
	if ((error = sv_text_check("condition", condition, SV_TEXT_LINES)) < 0 ||
	    (error = copy_get(&c, v, copy, "copy.return")) < 0)
		return error;
	if (strcmp(c.kind, "paper") != 0)
		return sv_error(SCRVAULT_ECONFLICT, "copy %lld is electronic: it cannot be handed back; record its "
				"deletion with 'scrvault copy destroy'", (long long)c.id);
	if (strcmp(c.state, "issued") != 0 && strcmp(c.state, "lost") != 0)
		return bad_state(v, "copy.return", &c, "returned");
	if ((error = copy_move(v, &c, "copy.return", !strcmp(c.state, "lost") ? "found and returned" : "return",
			       "returned", 0, condition, NULL)) < 0)
		return error;
	return copy_result(out, &c);
}

int scrvault_copy_lost(scrvault_json **out, scrvault *v, const char *copy, const char *reason)
{
	copy_row c;
	int error;

	*out = NULL;
	if ((error = sv_text_check("reason", reason, 0)) < 0 ||
	    (error = copy_get(&c, v, copy, "copy.return")) < 0)
		return error;
	if (!reason || !*reason)
		return sv_error_field(SCRVAULT_EUSAGE, "reason", "say how it was lost");
	if (strcmp(c.state, "issued") != 0)
		return bad_state(v, "copy.lost", &c, "reported lost");
	if ((error = copy_move(v, &c, "copy.lost", "lost", "lost", 0, reason, NULL)) < 0)
		return error;
	return copy_result(out, &c);
}

/* ---- destruction, witnessed ------------------------------------------------------------ */

/*
 * A witness proves presence by signing, with their own Ed25519 key, the
 * canonical statement (sv_sign_statement_as) of: vault, copy (register id),
 * document, version, kind, number, destroyed_at, witness name, their key and
 * the time they signed.  Stored with the destroy event; a witness named
 * without a signature is recorded and shown as "unverified" until they sign
 * in their own session (`copy witness`).
 */
#define WITNESS_STATEMENT SCRVAULT_COPY_WITNESS_STATEMENT	/* keyfile.h */

static int witness_sign(char **text, unsigned char sig[SV_SIG_LEN], scrvault *v, const sv_identity *who,
			const copy_row *c, const char *destroyed_at, const char *witness, const char *when)
{
	return sv_sign_statement_as(text, sig, v, who, "witness_key", WITNESS_STATEMENT, when,
				    SV_FIELDS(SV_INT("copy", c->id), SV_STR("destroyed_at", destroyed_at),
					      SV_STR("doc", c->doc), SV_STR("kind", c->kind),
					      SV_INT("number", c->number), SV_INT("version", c->version),
					      SV_STR("witness", witness)));
}

static bool str_is(const sv_json *o, const char *key, const char *want)
{
	const char *s = sv_json_str(sv_json_get(o, key));

	return s && want && !strcmp(s, want);
}

/*
 * The witness of copy `c`'s destruction (event at `at`, witness `wid`
 * named `witness`): "signed" when `text`/`sig` is a canonical statement of
 * exactly this destruction, signed by a key the witness held when they
 * signed (principal_keys: a later rotation does not undo it), "unverified"
 * when there is none, else "invalid".
 */
static const char *witness_status(scrvault *v, const copy_row *c, const char *at, int64_t wid,
				  const char *witness, const char *text, const unsigned char *sig, size_t siglen,
				  const char *proof_text)
{
	sv_json *st = NULL, *proof = NULL;
	unsigned char *key = NULL;
	size_t keylen = 0;
	int64_t held = 0;
	bool canonical = false, ok = false;
	const bool by_passkey = proof_text && *proof_text;

	if (!text || (!sig && !by_passkey))
		return "unverified";
	/* A passkey's: its assertion of this very statement, by a passkey the witness registered. */
	if (by_passkey && (sv_json_parse(&proof, proof_text, strlen(proof_text), NULL) < 0 ||
			   scrvault_passkey_proof_check(text, proof) != 0 ||
			   sv_passkey_proof_registered(v, wid, proof) != 1)) {
		scrvault_error_clear();
		sv_json_free(proof);
		return "invalid";
	}
	sv_json_free(proof);
	if ((by_passkey || siglen == SV_SIG_LEN) && sv_json_parse(&st, text, strlen(text), &canonical) == 0 && canonical &&
	    str_is(st, "statement", WITNESS_STATEMENT) && str_is(st, "vault", v->id) &&
	    sv_json_as_int(sv_json_get(st, "copy")) == c->id && str_is(st, "doc", c->doc) &&
	    sv_json_as_int(sv_json_get(st, "version")) == (int64_t)c->version && str_is(st, "kind", c->kind) &&
	    sv_json_as_int(sv_json_get(st, "number")) == c->number && str_is(st, "destroyed_at", at) &&
	    str_is(st, "witness", witness) && sv_json_str(sv_json_get(st, "witness_key")) &&
	    sv_unbase64(&key, &keylen, sv_json_str(sv_json_get(st, "witness_key"))) == 0 && keylen == SV_KEY_LEN &&
	    sv_json_str(sv_json_get(st, "time")) &&
	    sv_db_int(&held, v->db, "SELECT count(*) FROM principal_keys WHERE principal_id = ?1 AND ed25519_pub = ?2"
		      " AND from_at <= ?3 AND (until_at IS NULL OR until_at >= ?3)", "ibt", wid, key, keylen,
		      sv_json_str(sv_json_get(st, "time"))) >= 0 && held > 0 &&
	    (by_passkey || sv_ed25519_verify(sig, key, text, strlen(text)) == 0))
		ok = true;
	free(key);
	sv_json_free(st);
	return ok ? "signed" : "invalid";
}

/*
 * The witness named for a destruction by the session's principal: a
 * registered, active principal other than them.  With `keyfile`, the key
 * file must open with `pp` and hold that principal's current keys: *who
 * gets the identity to sign with.  Refusals are audited against copy `c`.
 */
static int witness_check(sv_principal *w, sv_identity **who, scrvault *v, const copy_row *c,
			 const char *witness, const char *keyfile, const scrvault_secret *pp)
{
	sv_identity *id = NULL;
	const char *why = NULL;
	int error;

	*who = NULL;
	if (!witness || !*witness)
		return sv_error_field(SCRVAULT_EUSAGE, "witness", "a destruction needs a witness (a principal)");
	if ((error = sv_find_principal(w, v, witness)) < 0)
		return error;
	if (!error)
		return sv_error_field(SCRVAULT_ENOTFOUND, "witness", "no principal '%s' to witness the destruction",
				      witness);
	if (w->id == v->principal_id) {
		sv_error(SCRVAULT_EDENIED, "the witness must be someone other than the person destroying the copy (%s)",
			 v->principal);
		return sv_audit_denied(v, "copy.destroy", COPY_ABOUT(c), SV_FIELDS(SV_STR("reason", "self-witnessed")),
				       SCRVAULT_EDENIED);
	}
	if (!w->active) {
		sv_error(SCRVAULT_EDENIED, "the witness '%s' is revoked: a destruction is witnessed by an active "
			 "principal", witness);
		return sv_audit_denied(v, "copy.destroy", COPY_ABOUT(c), SV_FIELDS(SV_STR("reason", "witness revoked")),
				       SCRVAULT_EDENIED);
	}
	if (!keyfile)
		return 0;
	if ((error = sv_identity_load(&id, keyfile, pp)) < 0) {
		if (error != SCRVAULT_EDENIED)
			return error;
		why = "wrong passphrase";
	} else if (!id->ed_priv) {
		why = "no private key";
	} else if (strcmp(id->vault_id, v->id) != 0) {
		why = "key file of another vault";
	} else if (strcmp(id->name, witness) != 0 || !w->keys_ok ||
		   memcmp(w->ed_pub, id->ed_pub, SV_KEY_LEN) != 0 || memcmp(w->x_pub, id->x_pub, SV_KEY_LEN) != 0) {
		why = "not the witness's key";
	}
	if (why) {
		sv_identity_free(id);
		sv_error_field(SCRVAULT_EDENIED, "witness_keyfile", "key file '%s' cannot sign as witness '%s': %s",
			       keyfile, witness, why);
		return sv_audit_denied(v, "copy.destroy", COPY_ABOUT(c),
				       SV_FIELDS(SV_STR("reason", "witness key refused"), SV_STR("why", why),
						 SV_STR("witness", witness)), SCRVAULT_EDENIED);
	}
	*who = id;
	return 0;
}

int scrvault_copy_destroy_ext(scrvault_json **out, scrvault *v, const char *copy,
			      const scrvault_copy_destroy_options *o)
{
	char when[21], *text = NULL;
	unsigned char sig[SV_SIG_LEN];
	sv_identity *who = NULL;
	int64_t changed = 0, event = 0;
	uint64_t seq = 0;
	sv_principal w;
	copy_row c;
	int error;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(o, SCRVAULT_COPY_DESTROY_OPTIONS_VERSION, "scrvault_copy_destroy_options")) < 0 ||
	    (error = sv_text_check("note", o->note, SV_TEXT_LINES)) < 0 ||
	    (error = copy_get(&c, v, copy, "copy.destroy")) < 0)
		return error;
	if ((error = witness_check(&w, &who, v, &c, o->witness, o->witness_keyfile, o->witness_passphrase)) < 0)
		return error;
	/* An electronic copy is never handed back: its holder's deletion of it,
	 * witnessed, is its destruction. */
	if ((!strcmp(c.state, "issued") && strcmp(c.kind, "electronic") != 0) || !strcmp(c.state, "destroyed")) {
		error = bad_state(v, "copy.destroy", &c, !strcmp(c.state, "issued") ?
				  "destroyed until it is returned (or reported lost)" : "destroyed again");
		goto done;
	}
	sv_time_iso(when, sv_now());
	if (who && (error = witness_sign(&text, sig, v, who, &c, when, o->witness, when)) < 0)
		goto done;
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	if ((error = sv_db_run(v->db, "UPDATE copies SET state = 'destroyed' WHERE id = ? AND state = ?", "it",
			       c.id, c.state)) < 0 ||
	    (error = sv_db_int(&changed, v->db, "SELECT changes()", "")) < 0)
		goto fail;
	if (changed != 1) {
		error = sv_error(SCRVAULT_ECONFLICT, "copy %lld changed while this command ran: look again "
				 "('scrvault copy history %lld')", (long long)c.id, (long long)c.id);
		goto fail;
	}
	if ((error = sv_audit_append(v, "copy.destroy", "ok", COPY_ABOUT(&c),
				     SV_FIELDS(SV_STR("witness", o->witness), SV_STR("destroyed_by", v->principal),
					       SV_STR("witness_signature", who ? "signed" : "unverified"),
					       SV_STR("from", c.state), SV_STR("to", "destroyed")))) < 0 ||
	    (error = sv_audit_size(&seq, v)) < 0 ||
	    (error = sv_db_run(v->db, "INSERT INTO copy_events(copy_id, event, from_state, to_state, at, by_id, holder_id,"
			       " witness_id, note, audit_seq, witness_name, witness_statement, witness_signature)"
			       " VALUES (?, 'destroy', ?, 'destroyed', ?, ?, NULLIF(?, 0), ?, ?, ?, ?, ?, ?)",
			       "ittiiitittb", c.id, c.state, when, v->principal_id, c.holder_id, w.id, o->note,
			       (int64_t)seq, o->witness, text, who ? sig : NULL, (size_t)SV_SIG_LEN)) < 0 ||
	    (error = sv_db_int(&event, v->db, "SELECT last_insert_rowid()", "")) < 0 ||
	    (error = sv_vault_commit(v)) < 0)
		goto fail;
	snprintf(c.state, sizeof(c.state), "destroyed");
	if ((error = copy_result(out, &c)) >= 0)
		error = sv_json_set_str(*out, "witness_signature", who ? "signed" : "unverified");
	goto done;
fail:
	sv_vault_abort(v);
done:
	free(text);
	sv_identity_free(who);
	return error;
}

int scrvault_copy_destroy(scrvault_json **out, scrvault *v, const char *copy, const char *witness,
			  const char *note)
{
	scrvault_copy_destroy_options o = SCRVAULT_COPY_DESTROY_OPTIONS_INIT;

	o.witness = witness;
	o.note = note;
	return scrvault_copy_destroy_ext(out, v, copy, &o);
}

/*
 * An electronic release kept by its recipient under their own retention
 * (Ofsted's, the DfE's): its end is a transfer, recorded with the
 * organisation (000 §11.9 asks that hard copies be destroyed; nobody can
 * witness the deletion of what another body keeps).  The organisation and
 * the note stay in the database; the audit entry names the copy only.
 */
int scrvault_copy_transfer(scrvault_json **out, scrvault *v, const char *copy, const char *organisation,
			   const char *note)
{
	int64_t changed = 0;
	uint64_t seq = 0;
	char when[21];
	copy_row c;
	int error;

	*out = NULL;
	if ((error = copy_get(&c, v, copy, "copy.destroy")) < 0)
		return error;
	if (!organisation || !*organisation)
		return sv_error_field(SCRVAULT_EUSAGE, "organisation", "name the organisation that keeps the copy "
				      "under its own retention (e.g. Ofsted)");
	if (strcmp(c.kind, "electronic") != 0) {
		sv_error(SCRVAULT_ECONFLICT, "copy %lld is a paper copy: a hard copy is returned and destroyed "
			 "(000 §11.9), never transferred ('scrvault copy return', then 'copy destroy')", (long long)c.id);
		return sv_audit_denied(v, "copy.transfer", COPY_ABOUT(&c), SV_FIELDS(SV_STR("reason", "paper copy"),
				       SV_STR("state", c.state)), SCRVAULT_ECONFLICT);
	}
	if (strcmp(c.state, "issued") != 0)
		return bad_state(v, "copy.transfer", &c, "transferred");
	sv_time_iso(when, sv_now());
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_db_run(v->db, "UPDATE copies SET state = 'transferred', transferred_to = ? WHERE id = ?"
			       " AND state = 'issued'", "ti", organisation, c.id)) < 0 ||
	    (error = sv_db_int(&changed, v->db, "SELECT changes()", "")) < 0)
		goto fail;
	if (changed != 1) {
		error = sv_error(SCRVAULT_ECONFLICT, "copy %lld changed while this command ran: look again "
				 "('scrvault copy history %lld')", (long long)c.id, (long long)c.id);
		goto fail;
	}
	if ((error = sv_audit_append(v, "copy.transfer", "ok", COPY_ABOUT(&c),
				     SV_FIELDS(SV_STR("from", "issued"), SV_STR("to", "transferred")))) < 0 ||
	    (error = sv_audit_size(&seq, v)) < 0 ||
	    (error = sv_db_run(v->db, "INSERT INTO copy_events(copy_id, event, from_state, to_state, at, by_id,"
			       " holder_id, note, audit_seq) VALUES (?, 'transfer', 'issued', 'transferred', ?, ?,"
			       " NULLIF(?, 0), ?, ?)", "itiiti", c.id, when, v->principal_id, c.holder_id, note,
			       (int64_t)seq)) < 0 ||
	    (error = sv_vault_commit(v)) < 0)
		goto fail;
	snprintf(c.state, sizeof(c.state), "transferred");
	if ((error = copy_result(out, &c)) >= 0)
		error = sv_json_set_str(*out, "organisation", organisation);
	return error;
fail:
	sv_vault_abort(v);
	return error;
}

/* The destroy event of a destroyed copy. */
typedef struct {
	int64_t id, witness_id;
	char at[32], witness[80];
	bool signed_;
} destroy_event;

static int destroy_event_load(destroy_event *e, scrvault *v, int64_t copy_id)
{
	sv_stmt *st = NULL;
	int error;

	memset(e, 0, sizeof(*e));
	if ((error = sv_db_query(&st, v->db, "SELECT e.id, coalesce(e.witness_id, 0), e.at,"
				 " coalesce(e.witness_name, w.name, ''), e.witness_signature IS NOT NULL"
				 " FROM copy_events e LEFT JOIN principals w ON w.id = e.witness_id"
				 " WHERE e.copy_id = ? AND e.event = 'destroy' ORDER BY e.id DESC LIMIT 1",
				 "i", copy_id)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1) {
		e->id = sv_stmt_int(st, 0);
		e->witness_id = sv_stmt_int(st, 1);
		sv_stmt_texts(st, 2, e->at, sizeof(e->at), e->witness, sizeof(e->witness), NULL);
		e->signed_ = sv_stmt_int(st, 4) != 0;
	}
	sv_stmt_free(st);
	return error;
}

/*
 * What the witness's signature for copy `copy` must pass before anything is
 * signed or recorded: a destroyed copy whose destruction names the
 * session's principal as its witness and is not yet signed.  Refusals are
 * audited (or concealed) as scrvault_copy_witness does.
 */
static int witness_self_check(copy_row *c, destroy_event *e, scrvault *v, const char *copy)
{
	int error;

	if ((error = copy_load(c, v, copy, NULL)) < 0)
		return error;
	if ((error = destroy_event_load(e, v, c->id)) < 0)
		return error;
	if (e->witness_id != v->principal_id && !sv_authz_reaches(v, c->caseref, c->cls, c->agency)) {
		sv_error(SCRVAULT_ENOTFOUND, SV_NOT_FOUND_COPY, copy);
		return sv_authz_conceal(v, "copy.witness", COPY_ABOUT(c));
	}
	if (strcmp(c->state, "destroyed") != 0 || !e->id)
		return bad_state(v, "copy.witness", c, "witnessed as destroyed");
	if (e->witness_id != v->principal_id) {
		/* only the named witness, in their own session; anyone else learns no more than that */
		sv_error(SCRVAULT_EDENIED, "only the witness named for the destruction of copy %lld can sign for it, "
			 "acting as themselves (--as-key)", (long long)c->id);
		return sv_audit_denied(v, "copy.witness", COPY_ABOUT(c), SV_FIELDS(SV_STR("reason", "not the witness")),
				       SCRVAULT_EDENIED);
	}
	if (e->signed_)
		return sv_error(SCRVAULT_ECONFLICT, "the destruction of copy %lld is already signed by its witness",
				(long long)c->id);
	return 0;
}

/* The witness's statement for sv_signed_check: their registered key `pub`. */
typedef struct {
	const copy_row *c;
	const destroy_event *e;
	const unsigned char *pub;
} witness_ctx;

static int witness_text(char **text, scrvault *v, const void *ctx, const char *when)
{
	const witness_ctx *w = ctx;

	return sv_statement_text(text, v, w->pub, "witness_key", WITNESS_STATEMENT, when,
				 SV_FIELDS(SV_INT("copy", w->c->id), SV_STR("destroyed_at", w->e->at),
					   SV_STR("doc", w->c->doc), SV_STR("kind", w->c->kind),
					   SV_INT("number", w->c->number), SV_INT("version", w->c->version),
					   SV_STR("witness", w->e->witness)));
}

/* The session principal's registered Ed25519 key into pub. */
static int own_registered_key(unsigned char pub[SV_KEY_LEN], scrvault *v)
{
	sv_principal p;
	int error;

	if ((error = sv_find_principal(&p, v, v->principal)) < 0)
		return error;
	if (error == 0 || !p.keys_ok)
		return sv_error(SCRVAULT_EDENIED, "principal '%s' has no registered key to sign with", v->principal);
	memcpy(pub, p.ed_pub, SV_KEY_LEN);
	return 0;
}

/* Record the witness's signed statement `text` (signature sig) on event e. */
static int witness_record(scrvault_json **out, scrvault *v, const copy_row *c, const destroy_event *e,
			  const char *text, const unsigned char sig[SV_SIG_LEN], const char *proof)
{
	int64_t changed = 0;
	int error;

	if ((error = sv_vault_begin(v)) < 0)
		return error;
	/* A passkey's witnessing: its assertion kept as the proof, an empty signature. */
	if ((error = sv_db_run(v->db, "UPDATE copy_events SET witness_statement = ?, witness_signature = ?,"
			       " witness_proof = ? WHERE id = ? AND witness_signature IS NULL", "tbti", text, sig,
			       proof ? (size_t)0 : (size_t)SV_SIG_LEN, proof, e->id)) < 0 ||
	    (error = sv_db_int(&changed, v->db, "SELECT changes()", "")) < 0)
		goto fail;
	if (changed != 1) {
		error = sv_error(SCRVAULT_ECONFLICT, "copy %lld changed while this command ran", (long long)c->id);
		goto fail;
	}
	if ((error = sv_audit_append(v, "copy.witness", "ok", COPY_ABOUT(c),
				     SV_FIELDS(SV_STR("witness", e->witness), SV_STR("destroyed_at", e->at),
					       SV_IF(proof != NULL, SV_STR("method", "passkey"))))) < 0 ||
	    (error = sv_vault_commit(v)) < 0)
		goto fail;
	if ((error = copy_result(out, c)) >= 0)
		error = sv_json_set_str(*out, "witness_signature", "signed");
	return error;
fail:
	sv_vault_abort(v);
	return error;
}

int scrvault_copy_witness(scrvault_json **out, scrvault *v, const char *copy)
{
	char when[21], *text = NULL;
	unsigned char sig[SV_SIG_LEN];
	destroy_event e;
	copy_row c;
	int error;

	*out = NULL;
	if ((error = witness_self_check(&c, &e, v, copy)) < 0)
		return error;
	if ((error = sv_need_own_key(v, "witness")) < 0)
		return error;
	sv_time_iso(when, sv_now());
	if ((error = witness_sign(&text, sig, v, v->ident, &c, e.at, e.witness, when)) < 0)
		return error;
	error = witness_record(out, v, &c, &e, text, sig, NULL);
	free(text);
	return error;
}

int scrvault_copy_witness_statement(char **statement, scrvault *v, const char *copy)
{
	unsigned char pub[SV_KEY_LEN];
	destroy_event e;
	copy_row c;
	int error;

	*statement = NULL;
	if ((error = witness_self_check(&c, &e, v, copy)) < 0 || (error = own_registered_key(pub, v)) < 0)
		return error;
	return sv_statement_now(statement, v, witness_text, &(witness_ctx){ &c, &e, pub });
}

/* The witness's statement signed elsewhere: with their key (sig64) or a passkey (pk). */
static int witness_signed(scrvault_json **out, scrvault *v, const char *copy, const char *statement,
			  const char *sig64, sv_passkey_sig *pk)
{
	unsigned char pub[SV_KEY_LEN], sig[SV_SIG_LEN] = { 0 };
	const char *why = NULL;
	char when[21], what[64], *proof = NULL;
	destroy_event e;
	copy_row c;
	int error;

	*out = NULL;
	if ((error = witness_self_check(&c, &e, v, copy)) < 0 || (error = own_registered_key(pub, v)) < 0)
		return error;
	snprintf(what, sizeof(what), "the destruction of copy %lld", (long long)c.id);
	if ((error = sv_signed_check(&why, when, sig, v, pub, statement ? statement : "", sig64, pk, witness_text,
				     &(witness_ctx){ &c, &e, pub }, what)) < 0)
		return why ? sv_audit_denied(v, "copy.witness", COPY_ABOUT(&c), SV_FIELDS(SV_STR("reason", why)),
					     error) : error;
	if (pk && pk->proof && !(proof = scrvault_json_text(pk->proof)))
		return SCRVAULT_ERROR;
	error = witness_record(out, v, &c, &e, statement, sig, proof);
	free(proof);
	return error;
}

int scrvault_copy_witness_signed(scrvault_json **out, scrvault *v, const char *copy, const char *statement,
				 const char *sig64)
{
	return witness_signed(out, v, copy, statement, sig64, NULL);
}

int scrvault_copy_witness_passkey(scrvault_json **out, scrvault *v, const char *copy, const char *statement,
				  const char *origin, const scrvault_passkey_assertion *a)
{
	sv_passkey_sig pk = { .origin = origin, .a = a };
	int error;

	*out = NULL;
	if (!a)
		return sv_error_field(SCRVAULT_EUSAGE, "passkey", "give the passkey's assertion");
	error = witness_signed(out, v, copy, statement, NULL, &pk);
	sv_json_free(pk.proof);
	return error;
}

int sv_copy_witness_check(int64_t *bad, int64_t *unverified, scrvault *v)
{
	sv_stmt *st = NULL;
	int error;

	*bad = *unverified = 0;
	if ((error = sv_db_query(&st, v->db, "SELECT e.copy_id, e.at, coalesce(e.witness_id, 0),"
				 " coalesce(e.witness_name, w.name, ''), e.witness_statement, e.witness_signature,"
				 " e.witness_proof"
				 " FROM copy_events e LEFT JOIN principals w ON w.id = e.witness_id"
				 " WHERE e.event = 'destroy'", "")) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1) {
		copy_row c;
		sv_stmt *cs = NULL;
		size_t siglen = 0;
		const unsigned char *sig = sv_stmt_blob(st, 5, &siglen);
		const char *status = "invalid";
		int e2;

		if ((e2 = sv_db_query(&cs, v->db, COPY_SELECT " WHERE c.id = ?", "i", sv_stmt_int(st, 0))) < 0) {
			error = e2;
			break;
		}
		if ((e2 = sv_stmt_step(cs)) == 1) {
			row_fill(&c, cs);
			status = witness_status(v, &c, sv_stmt_text(st, 1), sv_stmt_int(st, 2), sv_stmt_text(st, 3),
						sv_stmt_text(st, 4), sig, siglen, sv_stmt_text(st, 6));
		}
		sv_stmt_free(cs);
		if (e2 < 0) {
			error = e2;
			break;
		}
		if (!strcmp(status, "invalid"))
			(*bad)++;
		else if (!strcmp(status, "unverified"))
			(*unverified)++;
	}
	sv_stmt_free(st);
	return error < 0 ? error : 0;
}

/* ---- electronic copies (doc release) ----------------------------------------------------- */

int sv_copy_electronic(scrvault *v, const char *doc, unsigned version, int64_t release_id,
		       int64_t holder_id, const char *outside, int64_t *number, int64_t *idp)
{
	char when[21];
	int64_t id = 0;
	uint64_t seq = 0;
	int error;

	sv_time_iso(when, sv_now());
	if ((error = sv_db_int(number, v->db, "SELECT coalesce(max(number), 0) + 1 FROM copies WHERE doc_id = ?"
			       " AND version = ? AND kind = 'electronic'", "ti", doc, (int64_t)version)) < 0)
		return error;
	if ((error = sv_db_run(v->db, "INSERT INTO copies(doc_id, version, kind, number, state, holder_id, ext_name,"
			       " issued_at, issued_by, release_id, created_at, created_by, contact)"
			       " VALUES (?, ?, 'electronic', ?, 'issued', NULLIF(?4, 0), ?, ?, ?, ?, ?, ?,"
			       " (SELECT contact FROM principals WHERE id = ?4))",
			       "tiiittiiti", doc, (int64_t)version, *number, holder_id, outside, when,
			       v->principal_id, release_id, when, v->principal_id)) < 0 ||
	    (error = sv_db_int(&id, v->db, "SELECT last_insert_rowid()", "")) < 0 ||
	    (error = sv_audit_size(&seq, v)) < 0)
		return error;
	*idp = id;
	return sv_db_run(v->db, "INSERT INTO copy_events(copy_id, event, to_state, at, by_id, holder_id, audit_seq)"
			 " VALUES (?, 'release', 'issued', ?, ?, NULLIF(?, 0), ?)", "itiii", id, when,
			 v->principal_id, holder_id, (int64_t)seq);
}

/* ---- listings -------------------------------------------------------------------------- */

#define LIST_FROM \
	" FROM copies c JOIN documents d ON d.id = c.doc_id JOIN cases k ON k.id = d.case_id" \
	" LEFT JOIN principals p ON p.id = c.holder_id"

/* With the holder's details (recall, history). */
/*
 * A destroyed copy's witness: "signed" when a signature is recorded (copy
 * history and fsck verify it), else "unverified".  Read only for destroyed
 * copies, so the listings of copies out keep to copies_out.
 */
#define LIST_WITNESS \
	" CASE WHEN c.state = 'destroyed' THEN (SELECT CASE WHEN e.witness_signature IS NULL THEN 'unverified'" \
	" ELSE 'signed' END FROM copy_events e WHERE e.copy_id = c.id AND e.event = 'destroy'" \
	" ORDER BY e.id DESC LIMIT 1) END"

#define LIST_SELECT \
	"SELECT c.id, c.doc_id, c.version, c.kind, c.number, c.state, coalesce(c.holder_id, 0)," \
	" coalesce(p.name, c.ext_name, ''), k.ref, d.class, coalesce(d.agency, ''), coalesce(c.due, '')," \
	COPY_TOTAL ", c.contact, coalesce(c.transferred_to, c.ext_org), c.purpose, c.issued_at, c.ack_kind, d.title," LIST_WITNESS LIST_FROM

/* Without them (copy list): every column of copies it reads is in copies_out. */
#define LIST_SELECT_SHORT \
	"SELECT c.id, c.doc_id, c.version, c.kind, c.number, c.state, coalesce(c.holder_id, 0)," \
	" coalesce(p.name, c.ext_name, ''), k.ref, d.class, coalesce(d.agency, ''), coalesce(c.due, '')," \
	COPY_TOTAL ", NULL, NULL, NULL, c.issued_at, c.ack_kind, d.title," LIST_WITNESS LIST_FROM

/* The condition of the partial index copies_out, as it must be written to use it. */
#define COPIES_OUT "c.state IN ('issued', 'lost')"

static sv_json *list_row(sv_stmt *st, const char *now, bool contact)
{
	char label[160];
	copy_row c;
	sv_json *o;
	bool overdue;

	row_fill(&c, st);
	copy_label(label, sizeof(label), &c);
	overdue = !strcmp(c.state, "issued") && c.due[0] && strcmp(c.due, now) < 0;
	if (!(o = sv_json_object()) ||
	    sv_json_set_fields(o, SV_FIELDS(SV_INT("copy", c.id), SV_STR("doc", c.doc), SV_INT("version", c.version),
					    SV_STR("case", c.caseref))) < 0 ||
	    sv_json_set_str(o, "label", label) < 0 ||
	    sv_json_set_str(o, "kind", c.kind) < 0 || sv_json_set_int(o, "number", c.number) < 0 ||
	    sv_json_set_str(o, "state", overdue ? "overdue" : c.state) < 0 ||
	    sv_json_set_str(o, "holder", c.holder[0] ? c.holder : NULL) < 0 ||
	    sv_json_set_str(o, "due", c.due[0] ? c.due : NULL) < 0 ||
	    sv_json_set_str(o, "issued_at", sv_stmt_text(st, 16)) < 0 ||
	    sv_json_set_str(o, "acknowledged", sv_stmt_text(st, 17)) < 0 ||
	    sv_json_set_str(o, "title", sv_stmt_text(st, 18)) < 0 ||
	    sv_json_set_str(o, "witness_signature", sv_stmt_text(st, 19)) < 0 ||
	    (contact && (sv_json_set_str(o, "contact", sv_stmt_text(st, 13)) < 0 ||
			 sv_json_set_str(o, "organisation", sv_stmt_text(st, 14)) < 0 ||
			 sv_json_set_str(o, "purpose", sv_stmt_text(st, 15)) < 0))) {
		sv_json_free(o);
		return NULL;
	}
	return o;
}

/*
 * Where listing rows go: appended to a list (which takes them), or handed to
 * a caller's function one at a time and freed, so that a register of any size
 * can be listed without holding it (scrvault_copy_list_each).
 */
typedef struct {
	sv_json *arr;			/* the list being built, or NULL */
	scrvault_row_fn fn;
	void *ctx;
} row_sink;

/*
 * The master version of each document a listing meets, asked once per
 * document (the rule is records/master.c's: a register agrees with
 * retention and `doc show` on which copies are of the master).
 */
typedef struct {
	char doc[SV_DOC_ID_LEN + 1];
	unsigned version;
} master_memo;

static int row_master(sv_json *o, scrvault *v, master_memo **memo, size_t *n, size_t *cap)
{
	const char *doc = sv_json_str(sv_json_get(o, "doc"));
	unsigned version = (unsigned)sv_json_as_int(sv_json_get(o, "version")), master = 0;
	size_t i;
	int error;

	if (!doc)
		return SCRVAULT_ERROR;
	for (i = 0; i < *n && strcmp((*memo)[i].doc, doc) != 0; i++)
		;
	if (i < *n) {
		master = (*memo)[i].version;
	} else {
		sv_master m;

		if ((error = sv_doc_master(&m, v, doc)) < 0)
			return error;
		master = m.version;
		if (sv_grow(memo, cap, *n + 1, sizeof(**memo), 16) < 0)
			return SCRVAULT_ERROR;
		snprintf((*memo)[*n].doc, sizeof((*memo)[*n].doc), "%s", doc);
		(*memo)[(*n)++].version = master;
	}
	return sv_json_set_bool(o, "master", master == version);
}

/* Every row of `st` (then freed) into `k`, in order. */
static int list_rows(row_sink *k, scrvault *v, sv_stmt *st, const char *now, bool contact)
{
	master_memo *memo = NULL;
	size_t nmemo = 0, cap = 0;
	int error;

	while ((error = sv_stmt_step(st)) == 1) {
		sv_json *o = list_row(st, now, contact);

		if (!o) {
			error = SCRVAULT_ERROR;
			break;
		}
		if ((error = row_master(o, v, &memo, &nmemo, &cap)) < 0) {
			sv_json_free(o);
			break;
		}
		if (k->arr) {
			error = sv_json_append(k->arr, o);	/* frees o if it fails */
		} else {
			error = k->fn(k->ctx, o);
			sv_json_free(o);
		}
		if (error < 0)
			break;
	}
	sv_stmt_free(st);
	free(memo);
	return error < 0 ? error : 0;
}

static int run_list(sv_json **out, scrvault *v, const char *sql, const char *fmt, const char *a1,
		    const char *a2, const char *now, bool contact)
{
	row_sink k = { .arr = sv_json_array() };
	sv_stmt *st = NULL;
	int error;

	*out = NULL;
	if (!k.arr)
		return SCRVAULT_ERROR;
	if ((error = sv_db_query(&st, v->db, sql, fmt, a1, a2)) < 0 ||
	    (error = list_rows(&k, v, st, now, contact)) < 0) {
		sv_json_free(k.arr);
		return error;
	}
	*out = k.arr;
	return 0;
}

static bool state_valid(const char *s)
{
	static const char *const states[] = { "in-store", "issued", "returned", "lost", "destroyed",
					      "transferred", "overdue", "outstanding", NULL };

	for (int i = 0; states[i]; i++)
		if (!strcmp(states[i], s))
			return true;
	return false;
}

static int copy_list(row_sink *k, scrvault *v, const scrvault_copy_filter *f)
{
	static const scrvault_copy_filter all = SCRVAULT_COPY_FILTER_INIT;
	char now[11], doc[SV_DOC_ID_LEN + 1] = "", sql[1280], cond[128] = "";
	const char *state;
	sv_stmt *st = NULL;
	int error;

	if (!f)
		f = &all;
	if ((error = SV_STRUCT_CHECK(f, SCRVAULT_COPY_FILTER_VERSION, "scrvault_copy_filter")) < 0)
		return error;
	state = f->state;

	if (f->as_of) {
		if ((error = sv_date_check("as_of", "the day", f->as_of, SV_DATE_ANY, NULL, NULL)) < 0)
			return error;
		snprintf(now, sizeof(now), "%s", f->as_of);
	} else {
		sv_today(now);
	}
	if (state && !state_valid(state))
		return sv_error_field(SCRVAULT_EUSAGE, "state", "no copy state '%s': use in-store, issued, overdue, "
				      "returned, lost, destroyed, transferred or outstanding", state);
	if (f->doc && (error = sv_doc_resolve(doc, NULL, v, "copy.read", f->doc)) < 0)
		return error;
	if ((error = sv_authorize(v, "copy.read", SV_ABOUT(.caseref = f->case_ref))) < 0)
		return error;
	/*
	 * One indexed query per question; the filters that are not given match
	 * all.  (The coalesce names every parameter so all five can be bound; it
	 * is constant.)  The states still out add COPIES_OUT, literally, so that
	 * copies_out serves them.  With --doc the document's few copies are the
	 * way in: `+c.state` keeps the planner off the state indexes.
	 */
	if (state) {
		const char *col = f->doc ? "+c.state" : "c.state";
		bool out_state = !strcmp(state, "issued") || !strcmp(state, "lost") || !strcmp(state, "overdue");

		if (!strcmp(state, "overdue"))
			snprintf(cond, sizeof(cond), " AND %s = 'issued' AND c.due < ?2", col);
		else if (!strcmp(state, "outstanding"))
			snprintf(cond, sizeof(cond), " AND %s IN ('issued', 'lost')", col);	/* = COPIES_OUT */
		else
			snprintf(cond, sizeof(cond), " AND %s = ?1", col);
		if (out_state && !f->doc)
			snprintf(cond + strlen(cond), sizeof(cond) - strlen(cond), " AND " COPIES_OUT);
	}
	if ((size_t)snprintf(sql, sizeof(sql), LIST_SELECT_SHORT " WHERE coalesce(?1, ?2, ?3, ?4, ?5) IS NOT NULL"
			     "%s%s%s%s ORDER BY %s LIMIT ?6", cond,
			     f->case_ref ? " AND k.ref = ?3" : "",
			     f->doc ? " AND c.doc_id = ?4" : "",
			     f->holder ? " AND c.holder_id = (SELECT id FROM principals WHERE name = ?5)" : "",
			     state && !strcmp(state, "overdue") ? "c.due, c.id" : "c.id") >= sizeof(sql))
		return sv_error(SCRVAULT_ERROR, "copy listing query too long");	/* cannot happen: all literals */
	/* (LIMIT -1: every row) */
	if ((error = sv_db_query(&st, v->db, sql, "ttttti", state ? state : "", now, f->case_ref ? f->case_ref : "",
				 doc, f->holder ? f->holder : "", f->limit ? (int64_t)f->limit : (int64_t)-1)) < 0)
		return error;
	return list_rows(k, v, st, now, false);
}

int scrvault_copy_list(scrvault_json **out, scrvault *v, const scrvault_copy_filter *f)
{
	row_sink k = { .arr = sv_json_array() };
	int error;

	*out = NULL;
	if (!k.arr)
		return SCRVAULT_ERROR;
	if ((error = copy_list(&k, v, f)) < 0) {
		sv_json_free(k.arr);
		return error;
	}
	*out = k.arr;
	return 0;
}

int scrvault_copy_list_each(scrvault *v, const scrvault_copy_filter *f, scrvault_row_fn row, void *ctx)
{
	row_sink k = { .fn = row, .ctx = ctx };

	if (!row)
		return sv_error(SCRVAULT_EUSAGE, "copy listing needs a function for the rows");
	return copy_list(&k, v, f);
}

#define RECALL_NOT_FOUND "'%s' is neither a case nor a document (see 'scrvault case list')"

int scrvault_copy_recall(scrvault_json **out, scrvault *v, const char *what)
{
	char now[11], doc[SV_DOC_ID_LEN + 1], caseref[40];
	int error;
	int64_t is_case = 0;

	*out = NULL;
	sv_today(now);
	if (!what || !*what)
		return sv_error(SCRVAULT_EUSAGE, "recall what? give a case reference or a document id");
	if ((error = sv_db_int(&is_case, v->db, "SELECT count(*) FROM cases WHERE ref = ?", "t", what)) < 0)
		return error;
	if (is_case && !sv_authz_reaches(v, what, NULL, NULL)) {
		sv_error(SCRVAULT_ENOTFOUND, RECALL_NOT_FOUND, what);
		return sv_authz_conceal(v, "copy.read", SV_ABOUT(.caseref = what));
	}
	if (is_case) {
		if ((error = sv_authorize(v, "copy.read", SV_ABOUT(.caseref = what))) < 0)
			return error;
		return run_list(out, v, LIST_SELECT " WHERE k.ref = ? AND +c.state IN ('issued', 'lost')"
				" ORDER BY c.due, c.id", "t", what, NULL, now, true);
	}
	if ((error = sv_doc_resolve(doc, caseref, v, "copy.read", what)) < 0)
		return error == SCRVAULT_EUSAGE || error == SCRVAULT_ENOTFOUND
		       ? sv_error(SCRVAULT_ENOTFOUND, RECALL_NOT_FOUND, what) : error;
	if ((error = sv_authorize(v, "copy.read", SV_ABOUT(.doc = doc, .caseref = caseref))) < 0)
		return error;
	return run_list(out, v, LIST_SELECT " WHERE c.doc_id = ? AND +c.state IN ('issued', 'lost')"
			" ORDER BY c.due, c.id", "t", doc, NULL, now, true);
}

/* "witness" and "witness_signature" (signed, unverified, invalid) of destroyed copy c into o. */
static int witness_show(sv_json *o, scrvault *v, const copy_row *c)
{
	sv_stmt *st = NULL;
	const char *status = "unverified";
	char witness[80] = "";
	int error;

	if ((error = sv_db_query(&st, v->db, "SELECT e.at, coalesce(e.witness_id, 0), coalesce(e.witness_name, w.name, ''),"
				 " e.witness_statement, e.witness_signature, e.witness_proof FROM copy_events e"
				 " LEFT JOIN principals w ON w.id = e.witness_id"
				 " WHERE e.copy_id = ? AND e.event = 'destroy' ORDER BY e.id DESC LIMIT 1", "i", c->id)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1) {
		size_t siglen = 0;
		const unsigned char *sig = sv_stmt_blob(st, 4, &siglen);

		snprintf(witness, sizeof(witness), "%s", sv_stmt_text(st, 2));
		status = witness_status(v, c, sv_stmt_text(st, 0), sv_stmt_int(st, 1), witness, sv_stmt_text(st, 3),
					sig, siglen, sv_stmt_text(st, 5));
	}
	sv_stmt_free(st);
	if (error < 0)
		return error;
	if (sv_json_set_str(o, "witness", witness[0] ? witness : NULL) < 0 ||
	    sv_json_set_str(o, "witness_signature", status) < 0)
		return SCRVAULT_ERROR;
	return 0;
}

int scrvault_copy_history(scrvault_json **out, scrvault *v, const char *copy)
{
	char now[11];
	sv_json *head = NULL, *events = NULL;
	sv_stmt *st = NULL;
	copy_row c;
	int error;

	*out = NULL;
	sv_today(now);
	if ((error = copy_get(&c, v, copy, "copy.read")) < 0 ||
	    (error = sv_db_query(&st, v->db, LIST_SELECT " WHERE c.id = ?", "i", c.id)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1 && !(head = list_row(st, now, true)))
		error = SCRVAULT_ERROR;
	sv_stmt_free(st);
	if (error >= 0) {
		master_memo *memo = NULL;
		size_t n = 0, cap = 0;

		error = row_master(head, v, &memo, &n, &cap);
		free(memo);
	}
	/* a destroyed copy: its witness, and whether they signed (verified again) */
	if (error >= 0 && !strcmp(c.state, "destroyed"))
		error = witness_show(head, v, &c);
	/* the copy as listed, with the holder's details, and its events */
	if (error >= 0 &&
	    (error = sv_rows_json(&events, v->db, SV_COLS({ "at", SV_COL_TEXT }, { "event", SV_COL_TEXT },
				  { "from", SV_COL_TEXT }, { "to", SV_COL_TEXT }, { "by", SV_COL_TEXT },
				  { "holder", SV_COL_TEXT }, { "witness", SV_COL_TEXT }, { "note", SV_COL_TEXT },
				  { "audit_seq", SV_COL_INT }), NULL, NULL,
				  "SELECT e.at, e.event, NULLIF(e.from_state, ''), e.to_state, b.name, h.name, w.name,"
				  " e.note, coalesce(e.audit_seq, 0) FROM copy_events e"
				  " JOIN principals b ON b.id = e.by_id LEFT JOIN principals h ON h.id = e.holder_id"
				  " LEFT JOIN principals w ON w.id = e.witness_id WHERE e.copy_id = ? ORDER BY e.id",
				  "i", c.id)) >= 0)
		error = sv_json_new(out, SV_FIELDS(SV_VAL("copy", head), SV_VAL("events", events)));
	sv_json_free(head);
	sv_json_free(events);
	return error;
}

/* ---- print ------------------------------------------------------------------------------------ */

#define PRINT_MAX ((size_t)256 * 1024 * 1024)

typedef struct {
	unsigned char *buf;
	size_t len, cap;
} membuf;

static int mem_sink(void *ctx, const void *data, size_t len)
{
	membuf *m = ctx;

	if (m->len + len > m->cap)
		return sv_error(SCRVAULT_ERROR, "the master is larger than expected");
	memcpy(m->buf + m->len, data, len);
	m->len += len;
	return 0;
}

/*
 * May the issued paper copy `c` be printed now?  Its holder must still be an
 * active principal; a restricted class (released only under an agreed access
 * request) prints once per issue, while the request it was issued under is
 * still agreed and unexpired: a reprint is a new issue under a request with
 * releases left.  A refusal is audited.
 */
static int print_allowed(scrvault *v, const copy_row *c)
{
	char now[11], status[16] = "", rstate[16] = "", until[16] = "";
	int64_t restricted = 0, request = 0, prints = 0;
	const char *why = NULL;
	sv_stmt *st = NULL;
	int error;

	sv_today(now);
	if ((error = sv_db_query(&st, v->db, "SELECT coalesce(p.status, ''), coalesce(pc.restricted, 0),"
				 " coalesce(c.access_request, 0), coalesce(r.state, ''), coalesce(r.valid_until, ''),"
				 " (SELECT count(*) FROM copy_events e WHERE e.copy_id = c.id AND e.event = 'print' AND e.id >"
				 "  (SELECT coalesce(max(i.id), 0) FROM copy_events i WHERE i.copy_id = c.id AND i.event = 'issue'))"
				 " FROM copies c JOIN documents d ON d.id = c.doc_id"
				 " LEFT JOIN principals p ON p.id = c.holder_id"
				 " LEFT JOIN policy_classes pc ON pc.class = d.class"
				 " LEFT JOIN requests r ON r.id = c.access_request WHERE c.id = ?", "i", c->id)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1) {
		snprintf(status, sizeof(status), "%s", sv_stmt_text(st, 0));
		restricted = sv_stmt_int(st, 1);
		request = sv_stmt_int(st, 2);
		snprintf(rstate, sizeof(rstate), "%s", sv_stmt_text(st, 3));
		snprintf(until, sizeof(until), "%s", sv_stmt_text(st, 4));
		prints = sv_stmt_int(st, 5);
	}
	sv_stmt_free(st);
	if (error < 0)
		return error;
	if (c->holder_id && strcmp(status, "active") != 0) {
		sv_error(SCRVAULT_EDENIED, "copy %lld is held by '%s', who is revoked: recall it ('scrvault copy return' "
			 "or 'copy lost') instead of printing it", (long long)c->id, c->holder);
		why = "holder revoked";
	} else if (restricted && !request) {
		sv_error(SCRVAULT_EDENIED, "copy %lld is of a restricted class and was not issued under an access "
			 "request: return it and issue it again under an agreed request", (long long)c->id);
		why = "no request";
	} else if (restricted && strcmp(rstate, "agreed") != 0) {
		sv_error(SCRVAULT_EDENIED, "copy %lld was issued under request %lld, which is now %s", (long long)c->id,
			 (long long)request, rstate[0] ? rstate : "gone");
		why = "request not agreed";
	} else if (restricted && until[0] && strcmp(until, now) < 0) {
		sv_error(SCRVAULT_EDENIED, "copy %lld was issued under request %lld, which expired on %s",
			 (long long)c->id, (long long)request, until);
		why = "request expired";
	} else if (restricted && prints > 0) {
		sv_error(SCRVAULT_EDENIED, "copy %lld of a restricted class has been printed since it was issued: a "
			 "reprint is a new issue (return it, then issue it again under a request with releases left)",
			 (long long)c->id);
		why = "printed once";
	} else {
		return 0;
	}
	return sv_audit_denied(v, "copy.print", COPY_ABOUT(c),
			       SV_FIELDS(SV_STR("reason", why), SV_IF(request, SV_INT("request", request))),
			       SCRVAULT_EDENIED);
}

int scrvault_copy_print(scrvault_json **out, scrvault *v, const char *copy, const char *outpath)
{
	char label[160], holder[300], title[512] = "", contact[512] = "", purpose[512] = "", issued_at[32] = "";
	char issued_by[128] = "", marking[64] = SV_MARKING_DEFAULT, docv[64];
	unsigned version;
	sv_release_item it;
	sv_release *rel = NULL;
	sv_version_row *r = &it.row;
	sv_outfile o = { .fd = -1 };
	membuf m = { 0 };
	bool is_pdf;
	copy_row c;
	sv_json *res = NULL;
	int error;

	*out = NULL;
	memset(&it, 0, sizeof(it));
	if (!outpath)
		return sv_error_field(SCRVAULT_EUSAGE, "output", "give the PDF file to write");
	if ((error = copy_get(&c, v, copy, "copy.print")) < 0)
		return error;
	if (strcmp(c.kind, "paper") != 0)
		return sv_error(SCRVAULT_ECONFLICT, "copy %lld is an electronic release: only paper copies are printed",
				(long long)c.id);
	if (strcmp(c.state, "issued") != 0)
		return bad_state(v, "copy.print", &c, "printed (issue it first: the sheet names its holder)");
	if ((error = print_allowed(v, &c)) < 0)
		return error;
	version = c.version;
	if ((error = sv_version_load(r, v, c.doc, &version)) < 0)
		return error;
	if (strcmp(r->state, "live") != 0)
		return sv_error(SCRVAULT_ECONFLICT, "document '%s' version %u is %s", c.doc, version, r->state);
	if (r->size > PRINT_MAX)
		return sv_error(SCRVAULT_EUSAGE, "the master is %llu bytes; copies are printed from masters of at most "
				"%zu MiB", (unsigned long long)r->size, PRINT_MAX >> 20);
	snprintf(it.doc, sizeof(it.doc), "%s", c.doc);
	it.version = version;
	{
		sv_stmt *st = NULL;

		if ((error = sv_db_query(&st, v->db, "SELECT d.title, coalesce(c.contact, ''), coalesce(c.purpose, ''),"
					 " coalesce(c.issued_at, ''), coalesce(ib.name, ''), coalesce(pc.marking, ?),"
					 " coalesce(p.display_name, c.ext_name, ''), coalesce(c.ext_org, '')"
					 " FROM copies c JOIN documents d ON d.id = c.doc_id"
					 " LEFT JOIN principals ib ON ib.id = c.issued_by"
					 " LEFT JOIN principals p ON p.id = c.holder_id"
					 " LEFT JOIN policy_classes pc ON pc.class = d.class WHERE c.id = ?", "ti",
					 SV_MARKING_DEFAULT, c.id)) < 0)
			return error;
		if ((error = sv_stmt_step(st)) == 1) {
			sv_stmt_texts(st, 0, title, sizeof(title), contact, sizeof(contact), purpose, sizeof(purpose),
				      issued_at, sizeof(issued_at), issued_by, sizeof(issued_by), marking, sizeof(marking),
				      NULL);
			if (c.holder_id)
				snprintf(holder, sizeof(holder), "%s (%s)", sv_stmt_text(st, 6), c.holder);
			else
				snprintf(holder, sizeof(holder), "%s, %s", sv_stmt_text(st, 6), sv_stmt_text(st, 7));
		}
		sv_stmt_free(st);
		if (error < 0)
			return error;
	}
	copy_label(label, sizeof(label), &c);
	snprintf(docv, sizeof(docv), "%s@%u", c.doc, version);
	if ((error = sv_outfile_open(&o, outpath)) < 0)
		return error;

	/* Fail closed: the print is on record before the key is unwrapped. */
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	/* an event in the copy's history too: a restricted copy prints once per issue */
	/* An outside holder's name stays in the encrypted register, never in
	 * the signed log (as at issue). */
	if ((error = copy_event(v, &c, "copy.print", "print", "issued", "issued", c.holder_id, 0, NULL,
				SV_FIELDS(SV_STR("holder", c.holder_id ? c.holder : "outside holder")))) < 0 ||
	    (error = sv_release_record(v, c.doc, version, 0)) < 0) {
		sv_vault_abort(v);
		goto done;
	}
	if ((error = sv_release_commit(&rel, v, SV_RELEASE_PLAINTEXT, &it, 1)) < 0)
		goto done;
	error = SCRVAULT_ERROR;
	m.cap = (size_t)r->size;
	if (!(m.buf = sv_malloc(m.cap ? m.cap : 1)))
		goto done;
	if ((error = sv_release_decrypt(rel, 0, mem_sink, &m)) < 0)
		goto done;
	is_pdf = m.len >= 5 && memmem(m.buf, m.len < 1024 ? m.len : 1024, "%PDF-", 5) != NULL;
	{
		sv_pdf_stamp_spec spec = {
			.copy_label = label, .case_ref = c.caseref, .marking = marking, .holder = holder,
			.title = title, .doc = docv, .contact = contact, .purpose = purpose, .due = c.due,
			.issued_at = issued_at, .issued_by = issued_by,
		};

		if ((error = sv_pdf_stamp(o.fd, is_pdf ? m.buf : NULL, is_pdf ? m.len : 0, &spec)) < 0 ||
		    (error = sv_outfile_commit(&o)) < 0)
			goto done;
	}
	if ((error = copy_result(&res, &c)) < 0 || (error = sv_json_set_bool(res, "sheet_only", !is_pdf)) < 0 ||
	    (error = sv_json_set_str(res, "output", outpath)) < 0 || (error = sv_json_set_str(res, "marking", marking)) < 0)
		goto done;
	*out = SV_TAKE(res);
done:
	if (error < 0)
		sv_outfile_abort(&o);
	sv_release_free(rel);
	sv_cleanse_free(m.buf, m.cap);
	sv_json_free(res);
	return error;
}

/* ---- the agenda --------------------------------------------------------------------- */

/*
 * Copies issued and not back, due on or before `by`: one query through
 * copies_out (its condition stated literally), in due-date order.  An
 * outside holder is "an outside holder" here: the agenda and its mail
 * digest name principals only.
 */
static int copy_due_row(void *ctx, sv_stmt *st)
{
	const sv_due_sink *s = ctx;
	char label[160], what[320], id[24], cmd[64];
	copy_row c;
	int error;

	row_fill(&c, st);
	copy_label(label, sizeof(label), &c);
	snprintf(id, sizeof(id), "%lld", (long long)c.id);
	snprintf(what, sizeof(what), "copy %lld (%s) back from %s", (long long)c.id, label,
		 c.holder_id ? c.holder : "an outside holder");
	snprintf(cmd, sizeof(cmd), "scrvault copy return %lld", (long long)c.id);
	error = s->fn(s->ctx, &(sv_due){ .due_on = c.due, .caseref = c.caseref, .doc_class = c.cls, .agency = c.agency,
					 .holder = c.holder_id, .id = id, .what = what, .command = cmd });
	return error < 0 ? error : 0;
}

int sv_copy_due(scrvault *v, const char *now, const char *by, sv_due_fn fn, void *ctx)
{
	(void)now;
	return sv_db_each(v->db, copy_due_row, &(sv_due_sink){ fn, ctx }, COPY_SELECT " WHERE c.state = 'issued' AND "
			  COPIES_OUT " AND c.due <= ? ORDER BY c.due, c.id", "t", by);
}
