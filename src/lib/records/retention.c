/*
 * retention.c - case conclusion, holds, the retention plan, the purge job
 * and destruction records (scrvault/retention.h).
 *
 * The plan is computed, never stored: for every live version, the rules of
 * its class (or the policy's default rules), the trigger dates from the
 * case (concluded, subject's birth, published), the version (checked in)
 * or its successor (superseded), the holds, and the disposal batches.
 *
 * A purge is one store commit (the destroyed versions' blobs leave the
 * current tree) written before one database transaction that deletes every
 * destroyed version's wrapped key, writes each destruction record and its
 * audit entry, and moves the store's head.  A crash anywhere leaves either
 * everything before or everything after: no version is half destroyed, and
 * the next run starts again from the plan.  After the transaction the WAL is
 * checkpointed and truncated so no page image holding a destroyed key stays
 * in it (secure_delete zeroes the freed bytes in the database file).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "records/audit.h"
#include "records/destruction.h"
#include "records/due.h"
#include "records/master.h"
#include "vault/authz.h"
#include "vault/find.h"
#include "vault/keyrelease.h"
#include "vault/log.h"
#include "vault/meta.h"
#include "vault/policydb.h"
#include "vault/policyfile.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "storage/rows.h"
#include "storage/store.h"
#include "crypto/crypto.h"
#include "base/calendar.h"
#include "base/common.h"
#include "base/date.h"
#include "base/json.h"

static const char *unit_name(char u, int64_t n)
{
	return u == 'd' ? (n == 1 ? "day" : "days") : u == 'm' ? (n == 1 ? "month" : "months") : (n == 1 ? "year" : "years");
}

/* ---- the plan ------------------------------------------------------------------------ */

typedef struct {
	char doc[SV_DOC_ID_LEN + 1];
	unsigned version;
	bool master;
	const char *master_basis;	/* why it is the master (records/master.c) */
	char superseded_on[11];	/* a draft's: its successor's check-in, or the
				   case's conclusion for one newer than the master */
	bool reviewable;	/* its rule is a review */
	char cls[48];
	char caseref[40];
	char title[256];
	char status[24];	/* due, held, scheduled, waiting, keep, review */
	char rule[96];		/* the governing rule */
	char trigger_on[11];
	char due_on[11];	/* destroy (or review) date, "" if unknown */
	char hold[160];		/* why held */
	bool needs_approval;	/* a master under dual control */
	int64_t batch;		/* an approved batch that covers it */
	int64_t proposed;	/* a proposed batch that covers it */
} plan_item;

typedef struct {
	plan_item *items;
	size_t n, cap;
} plan;

static void plan_free(plan *p)
{
	free(p->items);
	memset(p, 0, sizeof(*p));
}

/* The policy's retention rules, read once per plan (policy_retention in rowid order). */
typedef struct {
	char cls[48], action[16], unit[8], trigger[48];
	int64_t amount;
} rule;

typedef struct {
	rule *r;
	size_t n, cap;
} rules;

static int rules_load(rules *rs, scrvault *v)
{
	sv_stmt *st = NULL;
	int error;

	memset(rs, 0, sizeof(*rs));
	if ((error = sv_db_query(&st, v->db, "SELECT class, action, amount, coalesce(unit, ''), coalesce(trigger, '')"
				 " FROM policy_retention ORDER BY rowid", "")) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1) {
		rule *r;

		if (sv_grow(&rs->r, &rs->cap, rs->n + 1, sizeof(*rs->r), 16) < 0) {
			error = SCRVAULT_ERROR;
			break;
		}
		r = &rs->r[rs->n++];
		snprintf(r->cls, sizeof(r->cls), "%s", sv_stmt_text(st, 0) ? sv_stmt_text(st, 0) : "");
		snprintf(r->action, sizeof(r->action), "%s", sv_stmt_text(st, 1) ? sv_stmt_text(st, 1) : "");
		r->amount = sv_stmt_int(st, 2);
		snprintf(r->unit, sizeof(r->unit), "%s", sv_stmt_text(st, 3));
		snprintf(r->trigger, sizeof(r->trigger), "%s", sv_stmt_text(st, 4));
	}
	sv_stmt_free(st);
	if (error < 0) {
		free(rs->r);
		memset(rs, 0, sizeof(*rs));
	}
	return error < 0 ? error : 0;
}

/* How many rules class `cls` has (with `trigger`: only those). */
static int64_t rules_count(const rules *rs, const char *cls, const char *trigger)
{
	int64_t n = 0;

	for (size_t i = 0; i < rs->n; i++)
		n += !strcmp(rs->r[i].cls, cls) && (!trigger || !strcmp(rs->r[i].trigger, trigger));
	return n;
}

/* The trigger date for a version (empty if not known yet). */
static void trigger_date(char out[11], const char *trigger, sv_stmt *st, const plan_item *it)
{
	const char *s = NULL;

	out[0] = '\0';
	if (!strcmp(trigger, "case-concluded"))
		s = sv_stmt_text(st, 5);
	else if (!strcmp(trigger, "subject-birth"))
		s = sv_stmt_text(st, 6);
	else if (!strcmp(trigger, "published"))
		s = sv_stmt_text(st, 7);
	else if (!strcmp(trigger, "checkin"))
		s = sv_stmt_text(st, 8);
	else if (!strcmp(trigger, "superseded"))
		s = it->superseded_on;
	if (s && *s)
		snprintf(out, 11, "%.10s", s);
}

/*
 * What can hold a version, read once per plan (three queries): the holds in
 * force, in id order, and the FOI requests with the documents they name.
 */
typedef struct {
	int64_t id;
	char scope[8];
	char *reason, *cls, *caseref, *doc;	/* NULL where the column is */
} hold_row;

typedef struct {
	int64_t id, case_id;			/* case_id 0: none */
	char responded[11];			/* "" while open */
	char (*docs)[SV_DOC_ID_LEN + 1];	/* request_docs */
	size_t ndocs, capdocs;
} foi_row;

/* Copies not destroyed of one version (read at the first version held() asks about). */
typedef struct {
	char doc[SV_DOC_ID_LEN + 1];
	int64_t version, n;
} left_row;

typedef struct {
	hold_row *h;
	size_t nh, caph;
	foi_row *f;
	size_t nf, capf;
	left_row *l;
	size_t nl, capl;
	bool l_loaded;
} holdset;

static char *dup_or_null(const char *s)
{
	return s ? sv_strdup(s) : NULL;
}

static void holdset_free(holdset *hs)
{
	for (size_t i = 0; i < hs->nh; i++) {
		free(hs->h[i].reason);
		free(hs->h[i].cls);
		free(hs->h[i].caseref);
		free(hs->h[i].doc);
	}
	for (size_t i = 0; i < hs->nf; i++)
		free(hs->f[i].docs);
	free(hs->h);
	free(hs->f);
	free(hs->l);
	memset(hs, 0, sizeof(*hs));
}

static int hold_load(void *ctx, sv_stmt *st)
{
	holdset *hs = ctx;
	hold_row *h;

	if (sv_grow(&hs->h, &hs->caph, hs->nh + 1, sizeof(*hs->h), 8) < 0)
		return SCRVAULT_ERROR;
	h = &hs->h[hs->nh++];
	memset(h, 0, sizeof(*h));
	h->id = sv_stmt_int(st, 0);
	snprintf(h->scope, sizeof(h->scope), "%s", sv_stmt_text(st, 1));
	if (!(h->reason = dup_or_null(sv_stmt_text(st, 2) ? sv_stmt_text(st, 2) : "")) ||
	    (sv_stmt_text(st, 3) && !(h->cls = dup_or_null(sv_stmt_text(st, 3)))) ||
	    (sv_stmt_text(st, 4) && !(h->caseref = dup_or_null(sv_stmt_text(st, 4)))) ||
	    (sv_stmt_text(st, 5) && !(h->doc = dup_or_null(sv_stmt_text(st, 5)))))
		return SCRVAULT_ERROR;
	return 0;
}

static int foi_load(void *ctx, sv_stmt *st)
{
	holdset *hs = ctx;
	foi_row *f;

	if (sv_grow(&hs->f, &hs->capf, hs->nf + 1, sizeof(*hs->f), 8) < 0)
		return SCRVAULT_ERROR;
	f = &hs->f[hs->nf++];
	memset(f, 0, sizeof(*f));
	f->id = sv_stmt_int(st, 0);
	f->case_id = sv_stmt_int(st, 1);
	snprintf(f->responded, sizeof(f->responded), "%s", sv_stmt_text(st, 2) ? sv_stmt_text(st, 2) : "");
	return 0;
}

static int foi_doc_load(void *ctx, sv_stmt *st)
{
	holdset *hs = ctx;
	int64_t id = sv_stmt_int(st, 0);

	for (size_t i = 0; i < hs->nf; i++) {
		foi_row *f = &hs->f[i];

		if (f->id != id)
			continue;
		if (sv_grow(&f->docs, &f->capdocs, f->ndocs + 1, sizeof(*f->docs), 4) < 0)
			return SCRVAULT_ERROR;
		snprintf(f->docs[f->ndocs++], sizeof(*f->docs), "%s", sv_stmt_text(st, 1));
		break;
	}
	return 0;
}

static int left_load(void *ctx, sv_stmt *st)
{
	holdset *hs = ctx;
	left_row *l;

	if (sv_grow(&hs->l, &hs->capl, hs->nl + 1, sizeof(*hs->l), 64) < 0)
		return SCRVAULT_ERROR;
	l = &hs->l[hs->nl++];
	snprintf(l->doc, sizeof(l->doc), "%s", sv_stmt_text(st, 0));
	l->version = sv_stmt_int(st, 1);
	l->n = sv_stmt_int(st, 2);
	return 0;
}

static int left_cmp(const void *pa, const void *pb)
{
	const left_row *a = pa, *b = pb;
	int c = strcmp(a->doc, b->doc);

	return c ? c : (a->version > b->version) - (a->version < b->version);
}

/* How many copies of a version are not destroyed (nor transferred): one query for every version. */
static int copies_left(int64_t *n, holdset *hs, scrvault *v, const plan_item *it)
{
	left_row key, *hit;
	int error;

	*n = 0;
	if (!hs->l_loaded) {
		if ((error = sv_db_each(v->db, left_load, hs, "SELECT doc_id, version, count(*) FROM copies"
					" WHERE state NOT IN ('destroyed', 'transferred') GROUP BY doc_id, version", "")) < 0)
			return error;
		if (hs->nl)
			qsort(hs->l, hs->nl, sizeof(*hs->l), left_cmp);
		hs->l_loaded = true;
	}
	snprintf(key.doc, sizeof(key.doc), "%s", it->doc);
	key.version = it->version;
	if (hs->nl && (hit = bsearch(&key, hs->l, hs->nl, sizeof(*hs->l), left_cmp)))
		*n = hit->n;
	return 0;
}

static int holdset_load(holdset *hs, scrvault *v)
{
	int error;

	memset(hs, 0, sizeof(*hs));
	if ((error = sv_db_each(v->db, hold_load, hs, "SELECT h.id, h.scope, h.reason, h.class, c.ref, h.doc_id"
				" FROM holds h LEFT JOIN cases c ON c.id = h.case_id WHERE h.released_at IS NULL"
				" ORDER BY h.id", "")) < 0 ||
	    (error = sv_db_each(v->db, foi_load, hs, "SELECT id, coalesce(case_id, 0), responded_on FROM requests"
				" WHERE channel = 'foi' ORDER BY id", "")) < 0 ||
	    (error = sv_db_each(v->db, foi_doc_load, hs, "SELECT q.request_id, q.doc_id FROM request_docs q"
				" JOIN requests r ON r.id = q.request_id WHERE r.channel = 'foi' AND q.doc_id IS NOT NULL",
				"")) < 0)
		holdset_free(hs);
	return error < 0 ? error : 0;
}

/*
 * Why `item` is held, if it is (holds table and automatic FOI holds):
 * `case_id` its document's case.  The copies not destroyed are read once,
 * for every version, at the first version due or scheduled.
 */
static int held(char *why, size_t len, scrvault *v, holdset *hs, const plan_item *it, int64_t case_id,
		const sv_calendar *cal, int64_t as_of, int64_t appeal_days)
{
	int64_t left = 0;
	int error;

	why[0] = '\0';
	/* the first hold in force (by id) on the board (or the version's class), its case or its document */
	for (size_t i = 0; i < hs->nh; i++) {
		const hold_row *h = &hs->h[i];

		if ((!strcmp(h->scope, "board") && (!h->cls || !strcmp(h->cls, it->cls))) ||
		    (!strcmp(h->scope, "case") && h->caseref && !strcmp(h->caseref, it->caseref)) ||
		    (!strcmp(h->scope, "doc") && h->doc && !strcmp(h->doc, it->doc))) {
			snprintf(why, len, "hold %lld (%s): %s", (long long)h->id, h->scope, h->reason);
			return 0;
		}
	}
	/* A version with a copy not yet destroyed (in store, out, returned or
	 * lost; paper or electronic) waits for it: what the register holds a copy
	 * of is not destroyed behind its back (000 §11.9).  A copy transferred
	 * to a body that keeps it under its own retention is theirs now. */
	if ((error = copies_left(&left, hs, v, it)) < 0)
		return error;
	if (left > 0) {
		snprintf(why, len, "%lld cop%s not destroyed (document %s): recall and destroy %s "
			 "first (the document's copy list names %s)", (long long)left, left == 1 ? "y" : "ies",
			 it->doc, left == 1 ? "it" : "them", left == 1 ? "it" : "them");
		return 0;
	}
	/* FOIA s.77: what an open FOI request covers is not destroyed, nor until
	 * the window for a review or complaint after the answer has passed. */
	for (size_t i = 0; i < hs->nf && !why[0]; i++) {
		const foi_row *f = &hs->f[i];
		bool covers = case_id && f->case_id == case_id;
		int64_t r = 0;

		for (size_t j = 0; j < f->ndocs && !covers; j++)
			covers = !strcmp(f->docs[j], it->doc);
		if (!covers)
			continue;
		if (!f->responded[0]) {
			snprintf(why, len, "FOI request %lld is open", (long long)f->id);
		} else if (sv_day_parse(&r, f->responded) == 0) {
			int64_t until = sv_calendar_add_working(cal, r, (unsigned)appeal_days, NULL, 0);

			if (until >= as_of) {
				char u[11];

				sv_day_format(u, until);
				snprintf(why, len, "FOI request %lld: the review window runs until %s",
					 (long long)f->id, u);
			}
		}
	}
	return 0;
}

/*
 * The recorded outcome of a version's review (scrvault_retention_review),
 * the latest one: kept until a date (reviewed again after it), or due for
 * destruction through the normal purge (a master in an approved batch).
 */
static int review_outcome(plan_item *it, scrvault *v, const char *now, bool dual)
{
	sv_stmt *st = NULL;
	int error;

	if ((error = sv_db_query(&st, v->db, "SELECT r.decision, coalesce(r.keep_until, ''), substr(r.decided_at, 1, 10),"
				 " p.name FROM retention_reviews r JOIN principals p ON p.id = r.decided_by"
				 " WHERE r.doc_id = ? AND r.version = ? ORDER BY r.id DESC LIMIT 1", "ti", it->doc,
				 (int64_t)it->version)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1) {
		const char *decision = sv_stmt_text(st, 0), *until = sv_stmt_text(st, 1);

		if (!strcmp(decision, "keep")) {
			snprintf(it->due_on, sizeof(it->due_on), "%s", until);
			snprintf(it->rule, sizeof(it->rule), "review: kept until %s (%s, %s)", until, sv_stmt_text(st, 3),
				 sv_stmt_text(st, 2));
			snprintf(it->status, sizeof(it->status), strcmp(until, now) <= 0 ? "review due" : "keep");
		} else {
			snprintf(it->due_on, sizeof(it->due_on), "%s", sv_stmt_text(st, 2));
			snprintf(it->trigger_on, sizeof(it->trigger_on), "%s", sv_stmt_text(st, 2));
			snprintf(it->rule, sizeof(it->rule), "review: destroy (%s, %s)", sv_stmt_text(st, 3),
				 sv_stmt_text(st, 2));
			snprintf(it->status, sizeof(it->status), "due");
			it->needs_approval = it->master && dual;
		}
	}
	sv_stmt_free(st);
	return error < 0 ? error : 0;
}

/* Evaluate the rules of one version (row of the plan query) into `it`. */
static int evaluate(plan_item *it, scrvault *v, sv_stmt *row, const char *now, bool dual, const rules *rs)
{
	char cls_rules[48];
	int64_t n = 0;
	bool keep = false, unknown = false, any_destroy = false;
	char latest[11] = "", review[11] = "";

	/* The class's own rules, else the default ones; drafts follow the
	 * superseded rules when there are any, masters the others. */
	n = rules_count(rs, it->cls, NULL);
	snprintf(cls_rules, sizeof(cls_rules), "%s", n ? it->cls : "*");
	if (!it->master)
		n = rules_count(rs, cls_rules, "superseded");
	for (size_t i = 0; i < rs->n; i++) {
		const char *action = rs->r[i].action, *unit = rs->r[i].unit, *trig = rs->r[i].trigger;
		int64_t amount = rs->r[i].amount;
		char tdate[11], due[11];
		bool draft_rule = !strcmp(trig, "superseded");

		if (strcmp(rs->r[i].cls, cls_rules) != 0)
			continue;
		if (it->master ? draft_rule : (n > 0 && !draft_rule))
			continue;
		if (!strcmp(action, "keep")) {
			keep = true;
			snprintf(it->rule, sizeof(it->rule), "keep");
			continue;
		}
		trigger_date(tdate, trig, row, it);
		if (!tdate[0]) {
			if (!strcmp(action, "destroy")) {
				unknown = true;
				snprintf(it->rule, sizeof(it->rule), "%s %lld %s after %s", action, (long long)amount,
					 unit_name(unit[0], amount), trig);
			}
			continue;
		}
		if (sv_date_add(due, tdate, amount, unit[0]) < 0)
			continue;
		if (!strcmp(action, "review")) {
			if (!review[0] || strcmp(due, review) < 0)
				snprintf(review, sizeof(review), "%s", due);
			continue;
		}
		any_destroy = true;
		if (!latest[0] || strcmp(due, latest) > 0) {
			snprintf(latest, sizeof(latest), "%s", due);
			snprintf(it->trigger_on, sizeof(it->trigger_on), "%s", tdate);
			if (!unknown)
				snprintf(it->rule, sizeof(it->rule), "%s %lld %s after %s", action, (long long)amount,
					 unit_name(unit[0], amount), trig);
		}
	}
	if (keep) {
		snprintf(it->status, sizeof(it->status), "keep");
	} else if (unknown) {
		snprintf(it->status, sizeof(it->status), "waiting");
	} else if (any_destroy) {
		snprintf(it->due_on, sizeof(it->due_on), "%s", latest);
		snprintf(it->status, sizeof(it->status), strcmp(latest, now) <= 0 ? "due" : "scheduled");
		it->needs_approval = it->master && dual;
	} else if (review[0]) {
		it->reviewable = true;
		snprintf(it->due_on, sizeof(it->due_on), "%s", review);
		snprintf(it->status, sizeof(it->status), strcmp(review, now) <= 0 ? "review due" : "review");
		snprintf(it->rule, sizeof(it->rule), "review");
		return review_outcome(it, v, now, dual);
	} else {
		snprintf(it->status, sizeof(it->status), "keep");
		snprintf(it->rule, sizeof(it->rule), "no rule: kept");
	}
	return 0;
}

/*
 * The agenda's horizon (build_plan with `by`): for each trigger, the latest
 * trigger day from which some rule (of any class, destroy or review) falls
 * due on or before `by`; "" where no such rule has that trigger.  A destroy
 * falls due on its latest rule and a review on its earliest, so a version
 * none of whose trigger dates is on or before its trigger's cutoff (and
 * without a recorded review outcome) cannot be due by `by`: the plan's
 * query leaves it out before any per-version work.  A due date is
 * monotone in its trigger day (sv_date_add clamps to the month's end), so
 * the cutoff is found by stepping on from `by` less the period while the
 * next day still falls due by `by`; where that cannot be computed, no
 * cutoff ("9999-12-31": every known date passes).
 */
static const char *const plan_triggers[] = { "case-concluded", "subject-birth", "published", "checkin",
					     "superseded" };
#define NTRIGGERS (sizeof(plan_triggers) / sizeof(plan_triggers[0]))

static void rule_cutoff(char out[11], const rule *r, const char *by)
{
	char next[11], due[11];
	int steps = 0;

	if (sv_date_add(out, by, -r->amount, r->unit[0]) < 0) {
		snprintf(out, 11, "9999-12-31");
		return;
	}
	for (;;) {
		if (sv_date_add(next, out, 1, 'd') < 0 || sv_date_add(due, next, r->amount, r->unit[0]) < 0 ||
		    strcmp(due, by) > 0)
			return;
		snprintf(out, 11, "%s", next);
		if (++steps > 400) {	/* never: a month's end moves a date by three days at most */
			snprintf(out, 11, "9999-12-31");
			return;
		}
	}
}

static void horizon_cutoffs(char cut[NTRIGGERS][11], const rules *rs, const char *by)
{
	for (size_t t = 0; t < NTRIGGERS; t++)
		cut[t][0] = '\0';
	for (size_t i = 0; i < rs->n; i++) {
		const rule *r = &rs->r[i];
		char c[11];

		if (strcmp(r->action, "destroy") != 0 && strcmp(r->action, "review") != 0)
			continue;	/* keep: never due */
		for (size_t t = 0; t < NTRIGGERS; t++) {
			if (strcmp(r->trigger, plan_triggers[t]) != 0)
				continue;
			rule_cutoff(c, r, by);
			if (!cut[t][0] || strcmp(c, cut[t]) > 0)
				snprintf(cut[t], sizeof(cut[t]), "%s", c);
		}
	}
}

/* The plan's query: every live version with its document, case and trigger dates. */
#define PLAN_CONCLUDED \
	/* a referral decided "none" concluded on its decision (records/referral.c) */ \
	"coalesce(c.concluded_on, CASE WHEN c.status = 'no-review' THEN c.decision_date END)"
#define PLAN_SELECT \
	"SELECT ve.doc_id, ve.version, d.class, c.ref, d.title," \
	" " PLAN_CONCLUDED ", c.subject_dob," \
	" c.published_on, ve.checked_in_at," \
	" (SELECT min(n.checked_in_at) FROM versions n WHERE n.doc_id = ve.doc_id AND n.version > ve.version)," \
	/* the master's facts (records/master.c), read here for every document at once */ \
	" coalesce(d.master_basis, ''), coalesce(d.master_version, 0)," \
	" (SELECT count(*) FROM signoffs s WHERE s.doc_id = ve.doc_id)," \
	" (SELECT coalesce(max(x.version), 0) FROM versions x WHERE x.doc_id = ve.doc_id)," \
	/* what held() needs: the document's case */ \
	" d.case_id" \
	" FROM versions ve JOIN documents d ON d.id = ve.doc_id JOIN cases c ON c.id = d.case_id" \
	" WHERE ve.state = 'live'"
/*
 * With a horizon: only the versions that can fall due (?1-?5: the cutoffs in
 * plan_triggers' order, NULL where no rule has the trigger), found from the
 * small sides first -- the cases with a date on or before its cutoff (their
 * versions through documents_case), the versions checked in on or before
 * theirs (read only when a rule has that trigger), every version of a
 * document with more than one (a draft's superseded date is its
 * successor's check-in, or the case's conclusion: the cases above), and
 * the versions with a recorded review outcome.
 */
#define PLAN_CASE_CONCLUDED \
	"coalesce(k.concluded_on, CASE WHEN k.status = 'no-review' THEN k.decision_date END)"
#define PLAN_DUE_BY \
	" AND ve.rowid IN (" \
	"SELECT x.rowid FROM documents y JOIN versions x ON x.doc_id = y.id WHERE y.case_id IN" \
	" (SELECT k.id FROM cases k WHERE substr(" PLAN_CASE_CONCLUDED ", 1, 10) <= ?1" \
	"  OR substr(k.subject_dob, 1, 10) <= ?2 OR substr(k.published_on, 1, 10) <= ?3" \
	"  OR substr(" PLAN_CASE_CONCLUDED ", 1, 10) <= ?5)" \
	" UNION ALL SELECT rowid FROM versions WHERE ?4 IS NOT NULL AND substr(checked_in_at, 1, 10) <= ?4" \
	" UNION ALL SELECT x.rowid FROM versions x WHERE ?5 IS NOT NULL AND x.doc_id IN" \
	"  (SELECT doc_id FROM versions GROUP BY doc_id HAVING count(*) > 1)" \
	" UNION ALL SELECT x.rowid FROM retention_reviews r JOIN versions x ON x.doc_id = r.doc_id" \
	"  AND x.version = r.version)"
#define PLAN_ORDER " ORDER BY c.ref, ve.doc_id, ve.version"

/*
 * The plan as of `now`: every live version, or with `by` (the agenda) only
 * those that can fall due on or before `by` -- each evaluated the same way.
 */
static int build_plan(plan *p, scrvault *v, const char *now, const char *by)
{
	char cut[NTRIGGERS][11];
	const char *cutp[NTRIGGERS] = { NULL };
	sv_calendar *cal = NULL;
	sv_stmt *st = NULL;
	int64_t as_of = 0, appeal = 0, dual = 0;
	char mdoc[SV_DOC_ID_LEN + 1] = "";
	sv_master m = { 0, NULL };
	rules rs = { 0 };
	holdset hs = { 0 };
	int error;

	memset(p, 0, sizeof(*p));
	if ((error = sv_day_parse(&as_of, now)) < 0 || (error = rules_load(&rs, v)) < 0)
		return error;
	if ((error = sv_policy_calendar(&cal, v)) < 0 || (error = holdset_load(&hs, v)) < 0)
		goto done;
	appeal = sv_meta_int(v, "foi_appeal_days", SV_FOI_APPEAL_DAYS_DEFAULT);
	if ((error = sv_db_int(&dual, v->db, "SELECT count(*) FROM policy_dual WHERE action = 'doc.destroy'", "")) < 0)
		goto done;
	if (by) {
		horizon_cutoffs(cut, &rs, by);
		for (size_t t = 0; t < NTRIGGERS; t++)
			cutp[t] = cut[t][0] ? cut[t] : NULL;
	}
	if ((error = by ? sv_db_query(&st, v->db, PLAN_SELECT PLAN_DUE_BY PLAN_ORDER, "ttttt", cutp[0], cutp[1],
				      cutp[2], cutp[3], cutp[4])
			: sv_db_query(&st, v->db, PLAN_SELECT PLAN_ORDER, "")) < 0)
		goto done;
	while ((error = sv_stmt_step(st)) == 1) {
		plan_item *it;
		const char *next = sv_stmt_text(st, 9), *concluded = sv_stmt_text(st, 5);

		if (sv_grow(&p->items, &p->cap, p->n + 1, sizeof(*p->items), 64) < 0) {
			error = SCRVAULT_ERROR;
			break;
		}
		it = &p->items[p->n++];
		memset(it, 0, sizeof(*it));
		snprintf(it->doc, sizeof(it->doc), "%s", sv_stmt_text(st, 0));
		it->version = (unsigned)sv_stmt_int(st, 1);
		snprintf(it->cls, sizeof(it->cls), "%s", sv_stmt_text(st, 2));
		snprintf(it->caseref, sizeof(it->caseref), "%s", sv_stmt_text(st, 3));
		snprintf(it->title, sizeof(it->title), "%s", sv_stmt_text(st, 4));
		/* One rule for the master, shared with doc show and the registers. */
		if (strcmp(mdoc, it->doc) != 0) {
			if ((error = sv_doc_master_from(&m, v, it->doc, sv_stmt_text(st, 10), sv_stmt_int(st, 11),
							     sv_stmt_int(st, 12), sv_stmt_int(st, 13))) < 0)
				break;
			snprintf(mdoc, sizeof(mdoc), "%s", it->doc);
		}
		it->master = it->version == m.version;
		it->master_basis = it->master ? m.basis : NULL;
		/* A draft is superseded by its successor; one newer than the master
		 * (never approved) by the case's conclusion, which fixed the master. */
		if (!it->master && it->version > m.version)
			next = concluded;
		if (next && *next)
			snprintf(it->superseded_on, sizeof(it->superseded_on), "%.10s", next);
		if ((error = evaluate(it, v, st, now, dual > 0, &rs)) < 0)
			break;
		if (!strcmp(it->status, "due") || !strcmp(it->status, "scheduled")) {
			if ((error = held(it->hold, sizeof(it->hold), v, &hs, it, sv_stmt_int(st, 14), cal, as_of,
					  appeal)) < 0)
				break;
			if (it->hold[0] && !strcmp(it->status, "due"))
				snprintf(it->status, sizeof(it->status), "held");
		}
		if (it->needs_approval &&
		    ((error = sv_db_int(&it->batch, v->db, "SELECT b.id FROM disposal_batches b JOIN disposal_items i"
					" ON i.batch_id = b.id WHERE b.state = 'approved' AND i.doc_id = ? AND i.version = ?"
					" ORDER BY b.id LIMIT 1", "ti", it->doc, (int64_t)it->version)) < 0 ||
		     (error = sv_db_int(&it->proposed, v->db, "SELECT b.id FROM disposal_batches b JOIN disposal_items i"
					" ON i.batch_id = b.id WHERE b.state = 'proposed' AND i.doc_id = ? AND i.version = ?"
					" ORDER BY b.id LIMIT 1", "ti", it->doc, (int64_t)it->version)) < 0))
			break;
	}
	error = error < 0 ? error : 0;
done:
	sv_stmt_free(st);
	sv_calendar_free(cal);
	free(rs.r);
	holdset_free(&hs);
	if (error < 0)
		plan_free(p);
	return error;
}

/* Would a purge now destroy it? */
static bool destroyable(const plan_item *it)
{
	return !strcmp(it->status, "due") && (!it->needs_approval || it->batch > 0);
}

static sv_json *item_json(const plan_item *it)
{
	sv_json *o = sv_json_object();
	const char *action = !strcmp(it->status, "due") ?
		(destroyable(it) ? "destroy" : it->proposed ? "awaiting approval" : "needs a disposal batch") : NULL;

	if (!o || sv_json_set_fields(o, SV_FIELDS(
			SV_STR("doc", it->doc), SV_INT("version", it->version), SV_STR("case", it->caseref),
			SV_STR("class", it->cls), SV_STR("title", it->title), SV_BOOL("master", it->master),
			SV_OPT("master_basis", it->master_basis),
			SV_STR("status", it->status), SV_STR("rule", it->rule[0] ? it->rule : NULL),
			SV_STR("trigger_on", it->trigger_on[0] ? it->trigger_on : NULL),
			SV_STR("due_on", it->due_on[0] ? it->due_on : NULL),
			SV_STR("held", it->hold[0] ? it->hold : NULL), SV_STR("action", action),
			SV_IF(it->batch, SV_INT("batch", it->batch)))) < 0) {
		sv_json_free(o);
		return NULL;
	}
	return o;
}

/*
 * Published executive summaries: how long each must stay on the web site
 * ("keep_until": published + min-months) and when it comes off
 * ("remove_by": published + max-months), by the case's review type
 * ([publication "TYPE"]); a type without a section of its own comes off
 * after [publication] executive-summary-months.  No max-months: it stays
 * (002: then on request), so there is no take-down date.
 */
static void publication_dates(char off[11], char keep[11], scrvault *v, int64_t fallback, const char *type,
			      const char *on)
{
	char key[64];
	int64_t min, max;

	off[0] = keep[0] = '\0';
	snprintf(key, sizeof(key), "publication_min_months.%s", type ? type : "");
	min = sv_meta_int(v, key, -1);
	snprintf(key, sizeof(key), "publication_max_months.%s", type ? type : "");
	max = sv_meta_int(v, key, -1);
	if (max < 0 && min < 0)		/* no section of its own */
		max = fallback, min = 0;
	if (max > 0 && sv_date_add(off, on, max, 'm') < 0)
		off[0] = '\0';
	if (min > 0 && sv_date_add(keep, on, min, 'm') < 0)
		keep[0] = '\0';
}

static int publication_rows(sv_json *arr, scrvault *v, const char *now)
{
	int64_t fallback = sv_meta_int(v, "publication_months", SV_PUBLICATION_MONTHS_DEFAULT);
	sv_stmt *st = NULL;
	int error;

	if ((error = sv_db_query(&st, v->db, "SELECT ref, review_type, published_on FROM cases"
				 " WHERE published_on IS NOT NULL ORDER BY ref", "")) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1) {
		char off[11] = "", keep[11] = "";
		const char *type = sv_stmt_text(st, 1), *on = sv_stmt_text(st, 2);
		sv_json *o = sv_row_json(st, SV_COLS({ "case", SV_COL_TEXT }, { "review_type", SV_COL_TEXT },
						     { "published_on", SV_COL_TEXT }));

		publication_dates(off, keep, v, fallback, type, on);
		if (!o || sv_json_set_str(o, "remove_by", off[0] ? off : NULL) < 0 ||
		    sv_json_set_str(o, "keep_until", keep[0] ? keep : NULL) < 0 ||
		    sv_json_set_bool(o, "overdue", off[0] && strcmp(off, now) < 0) < 0 || sv_json_append(arr, o) < 0) {
			error = SCRVAULT_ERROR;
			break;
		}
	}
	sv_stmt_free(st);
	return error < 0 ? error : 0;
}

/*
 * The plan's answer as of `as_of`: every live version, or with `within`
 * only those whose review or destruction falls due within `days` days
 * (build_plan with that horizon, the agenda's; held or not).
 */
static int plan_answer(scrvault_json **out, scrvault *v, const char *as_of, bool within, unsigned days)
{
	char now[11], by[11] = "";
	plan p;
	sv_json *res = NULL, *items = NULL, *pubs = NULL;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "retention.read", NULL)) < 0 || (error = sv_as_of(now, as_of)) < 0)
		return error;
	if (within && sv_date_add(by, now, days, 'd') < 0)
		return sv_error_field(SCRVAULT_EUSAGE, "days", "%u days from %s is not a date", days, now);
	if ((error = build_plan(&p, v, now, within ? by : NULL)) < 0)
		return error;
	error = SCRVAULT_ERROR;
	if (!(res = sv_json_object()) || !(items = sv_json_array()) || !(pubs = sv_json_array()))
		goto done;
	for (size_t i = 0; i < p.n; i++) {
		/* the horizon's query leaves out what cannot be due by then; it
		 * keeps some that are not (their other dates), left out here */
		if (within && (!p.items[i].due_on[0] || strcmp(p.items[i].due_on, by) > 0))
			continue;
		if (sv_json_append(items, item_json(&p.items[i])) < 0)
			goto done;
	}
	if ((error = publication_rows(pubs, v, now)) < 0)
		goto done;
	error = sv_json_set_str(res, "as_of", now);
	if (error >= 0 && within)
		error = sv_json_set_str(res, "due_by", by);
	if (error >= 0)
		error = sv_json_set(res, "versions", SV_TAKE(items));
	if (error >= 0)
		error = sv_json_set(res, "publications", SV_TAKE(pubs));
	if (error >= 0) {
		int64_t conf = 0, cur = 0;

		conf = sv_meta_int(v, "retention_confirmed_policy", 0);
		sv_db_int(&cur, v->db, "SELECT max(version) FROM policy_versions", "");
		error = sv_json_set_bool(res, "confirmed", conf && conf == cur);
	}
	if (error >= 0)
		*out = SV_TAKE(res);
done:
	plan_free(&p);
	sv_json_free(res);
	sv_json_free(items);
	sv_json_free(pubs);
	return error;
}

int scrvault_retention_plan(scrvault_json **out, scrvault *v, const char *as_of)
{
	return plan_answer(out, v, as_of, false, 0);
}

int scrvault_retention_plan_due(scrvault_json **out, scrvault *v, const char *as_of, unsigned days)
{
	*out = NULL;
	if (days > SCRVAULT_RETENTION_DAYS_MAX)
		return sv_error_field(SCRVAULT_EUSAGE, "days", "the horizon is 0 to %d days", SCRVAULT_RETENTION_DAYS_MAX);
	return plan_answer(out, v, as_of, true, days);
}

/* ---- confirm, propose, decide -------------------------------------------------------------- */

int scrvault_retention_confirm(scrvault *v)
{
	int64_t cur = 0;
	int error;

	if ((error = sv_authorize(v, "retention.confirm", NULL)) < 0)
		return error;
	if ((error = sv_db_int(&cur, v->db, "SELECT max(version) FROM policy_versions", "")) < 0)
		return error;
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_db_run(v->db, "INSERT OR REPLACE INTO meta(key, value) VALUES ('retention_confirmed_policy', ?)",
			       "i", cur)) < 0 ||
	    (error = sv_audit_append(v, "retention.confirm", "ok", NULL, SV_FIELDS(SV_INT("policy_version", cur)))) < 0 ||
	    (error = sv_vault_commit(v)) < 0) {
		sv_vault_abort(v);
		return error;
	}
	return 0;
}

int scrvault_retention_propose(scrvault_json **out, scrvault *v)
{
	char now[11], when[21];
	int64_t id = 0;
	size_t count = 0;
	plan p;
	sv_json *items = NULL;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "retention.propose", NULL)) < 0)
		return error;
	sv_today(now);
	if ((error = build_plan(&p, v, now, NULL)) < 0)
		return error;
	for (size_t i = 0; i < p.n; i++)
		if (!strcmp(p.items[i].status, "due") && p.items[i].needs_approval && !p.items[i].batch &&
		    !p.items[i].proposed)
			count++;
	if (!count) {
		plan_free(&p);
		return sv_error(SCRVAULT_ECONFLICT, "no master is due for destruction without a batch: nothing to propose "
				"(see 'scrvault retention plan')");
	}
	sv_time_iso(when, sv_now());
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	if ((error = sv_db_run(v->db, "INSERT INTO disposal_batches(proposed_at, proposed_by) VALUES (?, ?)", "ti",
			       when, v->principal_id)) < 0 ||
	    (error = sv_db_int(&id, v->db, "SELECT last_insert_rowid()", "")) < 0)
		goto fail;
	error = SCRVAULT_ERROR;
	if (!(items = sv_json_array()))
		goto fail;
	for (size_t i = 0; i < p.n; i++) {
		plan_item *it = &p.items[i];

		if (strcmp(it->status, "due") != 0 || !it->needs_approval || it->batch || it->proposed)
			continue;
		if ((error = sv_db_run(v->db, "INSERT INTO disposal_items(batch_id, doc_id, version) VALUES (?, ?, ?)",
				       "iti", id, it->doc, (int64_t)it->version)) < 0 ||
		    (error = sv_json_append(items, item_json(it))) < 0)
			goto fail;
	}
	if ((error = sv_audit_append(v, "retention.propose", "ok", NULL,
				     SV_FIELDS(SV_INT("batch", id), SV_INT("versions", (int64_t)count)))) < 0 ||
	    (error = sv_vault_commit(v)) < 0)
		goto fail;
	error = sv_json_new(out, SV_FIELDS(SV_INT("batch", id), SV_VAL("versions", items)));
	goto done;
fail:
	sv_vault_abort(v);
done:
	plan_free(&p);
	sv_json_free(items);
	return error;
}

static int retention_decide(scrvault_json **out, scrvault *v, int64_t batch, bool approve)
{
	char when[21], state[16] = "";
	int64_t proposer = 0, changed = 0;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "retention.approve", NULL)) < 0 ||
	    (error = sv_db_text_int(state, sizeof(state), &proposer, v->db,
				    "SELECT state, proposed_by FROM disposal_batches WHERE id = ?", "i", batch)) < 0)
		return error;
	if (!state[0])
		return sv_error(SCRVAULT_ENOTFOUND, "no disposal batch %lld (see 'scrvault retention plan')", (long long)batch);
	if (strcmp(state, "proposed") != 0)
		return sv_error(SCRVAULT_ECONFLICT, "disposal batch %lld is %s", (long long)batch, state);
	if (proposer == v->principal_id) {
		sv_error(SCRVAULT_EDENIED, "'%s' proposed disposal batch %lld: someone else (a records manager) must "
			 "decide it", v->principal, (long long)batch);
		return sv_audit_denied(v, "retention.approve", NULL, SV_FIELDS(SV_STR("reason", "own proposal")), SCRVAULT_EDENIED);
	}
	sv_time_iso(when, sv_now());
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_db_run(v->db, "UPDATE disposal_batches SET state = ?, decided_at = ?, decided_by = ?"
			       " WHERE id = ? AND state = 'proposed'", "ttii", approve ? "approved" : "refused", when,
			       v->principal_id, batch)) < 0 ||
	    (error = sv_db_int(&changed, v->db, "SELECT changes()", "")) < 0)
		return sv_vault_fail(v, error);
	if (changed != 1)
		return sv_vault_fail(v, sv_error(SCRVAULT_ECONFLICT, "disposal batch %lld changed while this command ran",
						 (long long)batch));
	if ((error = sv_vault_finish(v, "retention.approve", NULL, SV_FIELDS(SV_INT("batch", batch),
				     SV_STR("decision", approve ? "approved" : "refused")))) < 0)
		return error;
	return sv_json_new(out, SV_FIELDS(SV_INT("batch", batch), SV_STR("state", approve ? "approved" : "refused")));
}

int scrvault_retention_approve(scrvault_json **out, scrvault *v, int64_t batch)
{
	return retention_decide(out, v, batch, true);
}

int scrvault_retention_refuse(scrvault_json **out, scrvault *v, int64_t batch)
{
	return retention_decide(out, v, batch, false);
}

/*
 * One batch's row with the destruction records the purge left for its
 * versions: an approved batch's only (a version in a refused batch may be
 * destroyed later under another, which carries its record).
 */
static int batch_row(void *ctx, sv_stmt *st, sv_json *arr)
{
	scrvault *v = ctx;
	const char *state = sv_stmt_text(st, 1);
	bool carried = state && (!strcmp(state, "approved") || !strcmp(state, "done"));
	sv_json *o = sv_row_json(st, SV_COLS({ "batch", SV_COL_INT }, { "state", SV_COL_TEXT },
					     { "proposed_at", SV_COL_TEXT }, { "proposed_by", SV_COL_TEXT },
					     { "decided_at", SV_COL_OPT }, { "decided_by", SV_COL_OPT },
					     { "versions", SV_COL_INT }));
	sv_json *records = NULL;
	int error;

	if (!o)
		return SCRVAULT_ERROR;
	if (!carried)
		error = (records = sv_json_array()) ? 0 : SCRVAULT_ERROR;
	else
		error = sv_rows_json(&records, v->db, SV_COLS({ "record", SV_COL_INT }, { "doc", SV_COL_TEXT },
							    { "version", SV_COL_INT }, { "destroyed_at", SV_COL_TEXT }),
				  NULL, NULL, "SELECT d.id, d.doc_id, d.version, d.destroyed_at FROM disposal_items i"
				  " JOIN destructions d ON d.doc_id = i.doc_id AND d.version = i.version"
				  " WHERE i.batch_id = ? ORDER BY d.id", "i", sv_stmt_int(st, 0));
	if (error < 0 || (error = sv_json_set(o, "destructions", SV_TAKE(records))) < 0 ||
	    (error = sv_json_append(arr, SV_TAKE(o))) < 0) {
		sv_json_free(records);
		sv_json_free(o);
		return error;
	}
	return 0;
}

int scrvault_retention_batches(scrvault_json **out, scrvault *v)
{
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "retention.read", NULL)) < 0)
		return error;
	return sv_rows_build(out, v->db, batch_row, v, "SELECT b.id, b.state, b.proposed_at, p.name, b.decided_at,"
			     " q.name, (SELECT count(*) FROM disposal_items i WHERE i.batch_id = b.id)"
			     " FROM disposal_batches b JOIN principals p ON p.id = b.proposed_by"
			     " LEFT JOIN principals q ON q.id = b.decided_by ORDER BY b.id DESC", "");
}

int scrvault_retention_purge(scrvault_json **out, scrvault *v, unsigned flags)
{
	const bool dry_run = flags & SCRVAULT_PURGE_DRY_RUN;
	char now[11], head[SV_OID_HEXLEN + 1], commit[SV_OID_HEXLEN + 1];
	char (*paths)[96] = NULL, *msg = NULL;
	sv_store_update *ups = NULL;
	size_t count = 0, k = 0;
	int64_t conf = 0, cur = 0;
	plan p;
	sv_json *res = NULL, *gone = NULL;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "retention.purge", NULL)) < 0)
		return error;
	if ((error = sv_db_int(&conf, v->db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'retention_confirmed_policy'",
			       "")) < 0 ||
	    (error = sv_db_int(&cur, v->db, "SELECT max(version) FROM policy_versions", "")) < 0)
		return error;
	if (!conf || conf != cur) {
		sv_error(SCRVAULT_EDENIED, "the board has not confirmed the retention rules of policy version %lld: a "
			 "custodian reviews them (the policy's text and the retention plan) and confirms them; nothing "
			 "is destroyed before that", (long long)cur);
		return sv_audit_denied(v, "retention.purge", NULL, SV_FIELDS(SV_STR("reason", "rules not confirmed")), SCRVAULT_EDENIED);
	}
	sv_today(now);
	if ((error = build_plan(&p, v, now, NULL)) < 0)
		return error;
	for (size_t i = 0; i < p.n; i++)
		if (destroyable(&p.items[i]))
			count++;
	error = SCRVAULT_ERROR;
	if (!(res = sv_json_object()) || !(gone = sv_json_array()))
		goto done;
	for (size_t i = 0; dry_run && i < p.n; i++)
		if (destroyable(&p.items[i]) && sv_json_append(gone, item_json(&p.items[i])) < 0)
			goto done;
	if (sv_json_set_bool(res, "dry_run", dry_run) < 0 || sv_json_set_str(res, "as_of", now) < 0)
		goto done;
	if (dry_run || count == 0) {
		if (!dry_run) {
			/* A run that finds nothing still leaves its mark. */
			if ((error = sv_vault_begin(v)) < 0)
				goto done;
			if ((error = sv_audit_append(v, "retention.purge", "ok", NULL, SV_FIELDS(SV_INT("destroyed", 0)))) < 0 ||
			    (error = sv_vault_commit(v)) < 0) {
				sv_vault_abort(v);
				goto done;
			}
		}
		if ((error = sv_json_set(res, "destroyed", SV_TAKE(gone))) >= 0)
			*out = SV_TAKE(res);
		goto done;
	}

	/* 1. The store: one commit without the destroyed blobs (not yet the head). */
	if (!(paths = sv_calloc(count, sizeof(*paths))) || !(ups = sv_calloc(count, sizeof(*ups))))
		goto done;
	for (size_t i = 0; i < p.n; i++) {
		if (!destroyable(&p.items[i]))
			continue;
		sv_blob_path(paths[k], sizeof(paths[k]), p.items[i].doc, p.items[i].version);
		ups[k].path = paths[k];
		ups[k].blob = NULL;
		k++;
	}
	/* its message carries a destruction record signed by the audit key: what
	 * a restore from an older backup re-applies (services/restore.c) */
	if ((error = sv_vault_store_head(head, v)) < 0 ||
	    (error = sv_destruction_note(&msg, v, "retention purge", head[0] ? head : NULL, ups,
						     count)) < 0 ||
	    (error = sv_store_commit(commit, v->store, head[0] ? head : NULL, ups, count, msg, sv_now())) < 0)
		goto done;

	/* 2. One transaction: keys deleted, records and audit entries written. */
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	for (size_t i = 0; i < p.n; i++) {
		plan_item *it = &p.items[i];
		char auth[160];
		int64_t rec = 0;
		sv_json *o;

		if (!destroyable(it))
			continue;
		if (it->batch) {
			char approver[128] = "";
			sv_stmt *st = NULL;

			if ((error = sv_db_query(&st, v->db, "SELECT p.name FROM disposal_batches b JOIN principals p"
						 " ON p.id = b.decided_by WHERE b.id = ?", "i", it->batch)) < 0)
				goto fail;
			if (sv_stmt_step(st) == 1)
				snprintf(approver, sizeof(approver), "%s", sv_stmt_text(st, 0));
			sv_stmt_free(st);
			snprintf(auth, sizeof(auth), "disposal batch %lld approved by %s", (long long)it->batch, approver);
		} else {
			snprintf(auth, sizeof(auth), "policy rule (a superseded draft)");
			if (it->master)
				snprintf(auth, sizeof(auth), "policy rule (no dual control on doc.destroy)");
		}
		{
			sv_destruction dd = {
				.doc = it->doc, .version = it->version, .cls = it->cls, .caseref = it->caseref,
				.rule = it->rule, .trigger_on = it->trigger_on[0] ? it->trigger_on : NULL,
				.due_on = it->due_on, .authorised_by = auth, .master = it->master ? 1 : 0,
			};

			if ((error = sv_version_destroy(v, &dd, &rec)) < 0)
				goto fail;
		}
		/* Appended first: then `gone` owns it whatever fails. */
		if (!(o = item_json(it)) || sv_json_append(gone, o) < 0 || sv_json_set_int(o, "record", rec) < 0) {
			error = SCRVAULT_ERROR;
			goto fail;
		}
	}
	if ((error = sv_db_exec(v->db, "UPDATE disposal_batches SET state = 'done' WHERE state = 'approved' AND NOT EXISTS"
				" (SELECT 1 FROM disposal_items i JOIN versions ve ON ve.doc_id = i.doc_id AND"
				" ve.version = i.version WHERE i.batch_id = disposal_batches.id AND ve.state = 'live')")) < 0)
		goto fail;
	if ((error = sv_audit_append(v, "retention.purge", "ok", NULL, SV_FIELDS(SV_INT("destroyed", (int64_t)count)))) < 0 ||
	    (error = sv_vault_record_commit(v, commit)) < 0 ||
	    (error = sv_vault_commit(v)) < 0)
		goto fail;
	/* No page image with a destroyed key stays in the WAL. */
	if ((error = sv_db_exec(v->db, "PRAGMA wal_checkpoint(TRUNCATE)")) < 0) {
		error = sv_error_wrap(error, "the versions were destroyed and the change saved, but the database's "
				      "log could not be emptied of their old pages");
		goto done;
	}
	if ((error = sv_json_set(res, "destroyed", SV_TAKE(gone))) < 0) {
		error = sv_error_wrap(error, "the versions were destroyed and the change saved, but the list of them "
				      "could not be made");
		goto done;
	}
	*out = SV_TAKE(res);
	goto done;
fail:
	sv_vault_abort(v);
done:
	plan_free(&p);
	free(paths);
	free(msg);
	free(ups);
	sv_json_free(res);
	sv_json_free(gone);
	return error;
}

int scrvault_retention_review(scrvault_json **out, scrvault *v, const scrvault_review_spec *spec)
{
	char doc[SV_DOC_ID_LEN + 1], caseref[40], now[11], when[21];
	const plan_item *it = NULL;
	unsigned version;
	plan p;
	int error;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(spec, SCRVAULT_REVIEW_SPEC_VERSION, "scrvault_review_spec")) < 0)
		return error;
	if ((error = sv_doc_resolve(doc, caseref, v, "retention.review", spec->doc)) < 0)
		return error;
	if ((error = sv_authorize(v, "retention.review", SV_ABOUT(.caseref = caseref, .doc = doc))) < 0)
		return error;
	sv_today(now);
	if (!spec->keep_until == !spec->destroy)
		return sv_error_field(SCRVAULT_EUSAGE, "keep_until", "a review ends in one outcome: kept until a date, "
				      "or destroyed with a reason");
	if (spec->keep_until && (!sv_date_valid(spec->keep_until) || strcmp(spec->keep_until, now) <= 0))
		return sv_error_field(SCRVAULT_EUSAGE, "keep_until", "keep it until a date after today (YYYY-MM-DD), "
				      "when it is reviewed again");
	if (spec->destroy && (!spec->reason || !*spec->reason))
		return sv_error_field(SCRVAULT_EUSAGE, "reason", "a decision to destroy needs its reason");
	version = spec->doc_version;
	if (!version) {
		sv_master m;

		if ((error = sv_doc_master(&m, v, doc)) < 0)
			return error;
		version = m.version;
	}
	if ((error = build_plan(&p, v, now, NULL)) < 0)
		return error;
	for (size_t i = 0; i < p.n && !it; i++)
		if (!strcmp(p.items[i].doc, doc) && p.items[i].version == version)
			it = &p.items[i];
	if (!it) {
		error = sv_error(SCRVAULT_ENOTFOUND, "document '%s' has no live version %u (see 'scrvault doc log %s')",
				 doc, version, doc);
		goto done;
	}
	if (!it->reviewable) {
		error = sv_error(SCRVAULT_ECONFLICT, "document '%s' version %u follows no review rule (its rule: %s): "
				 "there is nothing to review", doc, version, it->rule[0] ? it->rule : it->status);
		goto done;
	}
	sv_time_iso(when, sv_now());
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	if ((error = sv_db_run(v->db, "INSERT INTO retention_reviews(doc_id, version, decision, keep_until, reason,"
			       " decided_at, decided_by) VALUES (?, ?, ?, ?, ?, ?, ?)", "titttti", doc, (int64_t)version,
			       spec->destroy ? "destroy" : "keep", spec->keep_until, spec->reason, when,
			       v->principal_id)) < 0) {
		error = sv_vault_fail(v, error);
		goto done;
	}
	if ((error = sv_vault_finish(v, "retention.review", SV_ABOUT(.caseref = caseref, .doc = doc, .version = version),
				     SV_FIELDS(SV_STR("decision", spec->destroy ? "destroy" : "keep"),
					       SV_OPT("keep_until", spec->keep_until), SV_OPT("reason", spec->reason)))) < 0)
		goto done;
	error = sv_json_new(out, SV_FIELDS(SV_STR("doc", doc), SV_INT("version", version),
					   SV_STR("decision", spec->destroy ? "destroy" : "keep"),
					   SV_OPT("keep_until", spec->keep_until)));
done:
	plan_free(&p);
	return error;
}

int scrvault_retention_certificate(scrvault_json **out, scrvault *v, int64_t id)
{
	char sha[2 * SV_SHA256_LEN + 1], ctsha[2 * SV_SHA256_LEN + 1], *proof = NULL;
	sv_stmt *st = NULL;
	sv_json *rec = NULL;
	int64_t seq = 0;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "retention.read", NULL)) < 0)
		return error;
	if ((error = sv_db_query(&st, v->db, "SELECT d.doc_id, d.version, d.class, d.case_ref, d.rule, d.trigger_on,"
				 " d.due_on, d.destroyed_at, d.sha256, d.ct_sha256, d.authorised_by, p.name, d.audit_seq"
				 " FROM destructions d JOIN principals p ON p.id = d.job_principal WHERE d.id = ?", "i", id)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1) {
		size_t l1 = 0, l2 = 0;
		const unsigned char *b1 = sv_stmt_blob(st, 8, &l1), *b2 = sv_stmt_blob(st, 9, &l2);

		sha[0] = ctsha[0] = '\0';
		if (b1 && l1 == SV_SHA256_LEN)
			sv_hex(sha, b1, l1);
		if (b2 && l2 == SV_SHA256_LEN)
			sv_hex(ctsha, b2, l2);
		seq = sv_stmt_int(st, 12);
		if (!(rec = sv_json_object()) || sv_json_set_int(rec, "record", id) < 0 ||
		    sv_json_set_str(rec, "doc", sv_stmt_text(st, 0)) < 0 ||
		    sv_json_set_int(rec, "version", sv_stmt_int(st, 1)) < 0 ||
		    sv_json_set_str(rec, "class", sv_stmt_text(st, 2)) < 0 ||
		    sv_json_set_str(rec, "case", sv_stmt_text(st, 3)) < 0 ||
		    sv_json_set_str(rec, "rule", sv_stmt_text(st, 4)) < 0 ||
		    sv_json_set_str(rec, "trigger_on", sv_stmt_text(st, 5)) < 0 ||
		    sv_json_set_str(rec, "due_on", sv_stmt_text(st, 6)) < 0 ||
		    sv_json_set_str(rec, "destroyed_at", sv_stmt_text(st, 7)) < 0 ||
		    sv_json_set_str(rec, "sha256", sha) < 0 || sv_json_set_str(rec, "ct_sha256", ctsha) < 0 ||
		    sv_json_set_str(rec, "authorised_by", sv_stmt_text(st, 10)) < 0 ||
		    sv_json_set_str(rec, "carried_out_by", sv_stmt_text(st, 11)) < 0 ||
		    sv_json_set_int(rec, "audit_seq", seq) < 0 || sv_json_set_str(rec, "vault", v->id) < 0)
			error = SCRVAULT_ERROR;
	}
	sv_stmt_free(st);
	if (error < 0)
		goto done;
	if (!rec) {
		error = sv_error(SCRVAULT_ENOTFOUND, "no destruction record %lld (see 'scrvault retention plan' and the "
				 "audit log)", (long long)id);
		goto done;
	}
	if ((error = sv_audit_prove(&proof, v, (uint64_t)seq)) >= 0)
		error = sv_json_new(out, SV_FIELDS(SV_VAL("record", rec), SV_STR("proof", proof)));
done:
	sv_json_free(rec);
	free(proof);
	return error;
}

/* ---- the agenda --------------------------------------------------------------------- */

/* Disposal batches proposed and not yet decided, from the day proposed. */
static int disposal_row(void *ctx, sv_stmt *st)
{
	const sv_due_sink *s = ctx;
	char ids[24], what[96], cmd[64];
	int64_t id = sv_stmt_int(st, 0), n = sv_stmt_int(st, 2);
	int error;

	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	snprintf(what, sizeof(what), "disposal batch %lld (%lld version%s): awaiting approval", (long long)id,
		 (long long)n, n == 1 ? "" : "s");
	snprintf(cmd, sizeof(cmd), "scrvault retention approve %lld", (long long)id);
	error = s->fn(s->ctx, &(sv_due){ .due_on = sv_stmt_text(st, 1), .id = ids, .what = what, .command = cmd });
	return error < 0 ? error : 0;
}

int sv_disposal_due(scrvault *v, const char *now, const char *by, sv_due_fn fn, void *ctx)
{
	(void)now;
	return sv_db_each(v->db, disposal_row, &(sv_due_sink){ fn, ctx }, "SELECT b.id, substr(b.proposed_at, 1, 10),"
			  " (SELECT count(*) FROM disposal_items i WHERE i.batch_id = b.id)"
			  " FROM disposal_batches b WHERE b.state = 'proposed' AND substr(b.proposed_at, 1, 10) <= ?"
			  " ORDER BY b.id", "t", by);
}

/*
 * The retention plan's versions (build_plan, the one rule) whose review or
 * destruction falls due on or before `by`.  What a hold keeps is not on the
 * agenda (nothing can be done about it); nor a version whose rule waits for
 * an event.  The command is the next step: a review's outcome, a batch to
 * propose or approve, or the purge.
 */
int sv_retention_due(scrvault *v, const char *now, const char *by, sv_due_fn fn, void *ctx)
{
	plan p;
	int error = 0;

	if ((error = build_plan(&p, v, now, by)) < 0)
		return error;
	for (size_t i = 0; i < p.n; i++) {
		const plan_item *it = &p.items[i];
		char ids[64], what[160], cmd[128];
		bool review = !strcmp(it->status, "review") || !strcmp(it->status, "review due");

		if (!it->due_on[0] || strcmp(it->due_on, by) > 0 || it->hold[0] ||
		    !(review || !strcmp(it->status, "due") || !strcmp(it->status, "scheduled")))
			continue;
		snprintf(ids, sizeof(ids), "%s@%u", it->doc, it->version);
		snprintf(what, sizeof(what), "%s %s (%s%s)", review ? "review" : "destroy", ids, it->cls,
			 it->master ? ", master" : "");
		if (review)
			snprintf(cmd, sizeof(cmd), "scrvault retention review %s", ids);
		else if (strcmp(it->status, "due") != 0)
			snprintf(cmd, sizeof(cmd), "scrvault retention plan");
		else if (destroyable(it))
			snprintf(cmd, sizeof(cmd), "scrvault retention purge");
		else if (it->proposed)
			snprintf(cmd, sizeof(cmd), "scrvault retention approve %lld", (long long)it->proposed);
		else
			snprintf(cmd, sizeof(cmd), "scrvault retention propose");
		if ((error = fn(ctx, &(sv_due){ .due_on = it->due_on, .caseref = it->caseref, .doc_class = it->cls,
					       .id = ids, .what = what, .command = cmd })) < 0)
			break;
	}
	plan_free(&p);
	return error < 0 ? error : 0;
}

/* Published executive summaries whose take-down date (publication_dates) is on or before `by`. */
int sv_takedown_due(scrvault *v, const char *now, const char *by, sv_due_fn fn, void *ctx)
{
	int64_t fallback = sv_meta_int(v, "publication_months", SV_PUBLICATION_MONTHS_DEFAULT);
	sv_stmt *st = NULL;
	int error;

	(void)now;
	if ((error = sv_db_query(&st, v->db, "SELECT ref, review_type, published_on FROM cases"
				 " WHERE published_on IS NOT NULL ORDER BY ref", "")) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1) {
		char off[11], keep[11], what[96];

		publication_dates(off, keep, v, fallback, sv_stmt_text(st, 1), sv_stmt_text(st, 2));
		if (!off[0] || strcmp(off, by) > 0)
			continue;
		snprintf(what, sizeof(what), "take the published executive summary off the web site");
		if ((error = fn(ctx, &(sv_due){ .due_on = off, .caseref = sv_stmt_text(st, 0), .id = sv_stmt_text(st, 0),
					       .what = what, .command = "scrvault retention plan" })) < 0)
			break;
	}
	sv_stmt_free(st);
	return error < 0 ? error : 0;
}
