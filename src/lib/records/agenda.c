/*
 * agenda.c - one agenda (scrvault/agenda.h): what falls due across the
 * vault for the person asking, gathered from the registers that keep the
 * dates, filtered to the asker's role and scope, most urgent first.
 *
 * This file computes no due date: each source (records/due.h) is the
 * register's own function, one indexed query, and gives its items due on or
 * before the horizon.  Adding a kind is one function in its register and
 * one line in `sources` below.  It must never put a title, a summary or an
 * outside person's name into an item: the sources give fixed words, ids and
 * principals' names, and the digest escapes everything outside printable
 * ASCII.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "records/due.h"
#include "vault/authz.h"
#include "vault/session.h"
#include "base/common.h"
#include "base/date.h"
#include "base/json.h"

typedef int (*source_fn)(scrvault *v, const char *now, const char *by, sv_due_fn fn, void *ctx);

/*
 * The sources, in the order ties list them.  A role sees a kind with
 * `perm` (or `perm2`) for the item's case (an IMR's also for its agency);
 * `whole`: only through a grant of the whole case (board or case scope: a
 * review's own deadlines are not an agency's); `mine`: also the items it is
 * itself the holder of, in a case its grants reach.  A source of several kinds (the clocks) is one function on each of
 * its kinds' lines: it runs once and names each item's kind.
 */
static const struct source {
	const char *kind;
	const char *perm, *perm2;
	bool whole, mine;
	source_fn each;
} sources[] = {
	{ "decision",	"referral.decide",	"referral.read",	true,	false,	sv_clock_due },
	{ "referral",	"referral.recommend",	NULL,			true,	false,	sv_referral_due },
	{ "imr",	"case.read",		NULL,			false,	false,	sv_clock_due },
	{ "completion",	"case.read",		NULL,			true,	false,	sv_clock_due },
	{ "ofsted",	"case.read",		NULL,			true,	false,	sv_clock_due },
	{ "plan-review", "case.read",		NULL,			true,	false,	sv_clock_due },
	{ "copy",	"copy.read",		NULL,			false,	true,	sv_copy_due },
	{ "foi",	"request.read",		NULL,			false,	false,	sv_request_foi_due },
	{ "request",	"request.decide",	NULL,			false,	false,	sv_request_undecided_due },
	{ "operation",	"op.approve",		NULL,			false,	false,	sv_op_due },
	{ "disposal",	"retention.approve",	"retention.propose",	false,	false,	sv_disposal_due },
	{ "retention",	"retention.read",	NULL,			false,	false,	sv_retention_due },
	{ "take-down",	"retention.read",	NULL,			false,	false,	sv_takedown_due },
};
#define NSOURCES (sizeof(sources) / sizeof(sources[0]))

/* One item, with what it is sorted by (its case: the row's own text). */
typedef struct {
	int64_t day;
	size_t src, seq;
	const char *caseref;
	sv_json *row;
} item;

/* Whether the session sees objects of one case, class and agency (asked once each). */
typedef struct {
	char key[256];
	bool yes;
} seen;

typedef struct {
	scrvault *v;
	int64_t now_day;
	size_t src;		/* the source running (an item's kind may name another) */
	bool wanted[NSOURCES];	/* asked for */
	bool board[NSOURCES];	/* the role reaches every case with the kind's permission */
	bool any[NSOURCES];	/* the role has the permission somewhere */
	item *items;
	size_t n, cap;
	seen *memo;
	size_t nmemo, capmemo;
} gather;

static bool memo_sees(gather *g, char kindc, const char *perm, const sv_due *d)
{
	char key[256];
	bool yes;

	snprintf(key, sizeof(key), "%c|%s|%s|%s|%s", kindc, perm ? perm : "", d->caseref ? d->caseref : "",
		 d->doc_class ? d->doc_class : "", d->agency ? d->agency : "");
	for (size_t i = 0; i < g->nmemo; i++)
		if (!strcmp(g->memo[i].key, key))
			return g->memo[i].yes;
	yes = kindc == 'm' ? sv_authz_reaches(g->v, d->caseref, d->doc_class, d->agency)
	    : kindc == 'w' ? sv_authz_whole_case(g->v, d->caseref)
			   : sv_authz_sees(g->v, perm, d->caseref, d->doc_class, d->agency);
	if (sv_grow(&g->memo, &g->capmemo, g->nmemo + 1, sizeof(*g->memo), 16) == 0) {
		snprintf(g->memo[g->nmemo].key, sizeof(g->memo[g->nmemo].key), "%s", key);
		g->memo[g->nmemo++].yes = yes;
	}
	return yes;
}

/* May the session see this item of source `src`? */
static bool visible(gather *g, size_t src, const sv_due *d)
{
	const struct source *s = &sources[src];

	if (g->board[src])
		return true;
	if (s->whole && (!d->caseref || !memo_sees(g, 'w', NULL, d)))
		return false;
	if (g->any[src] && (memo_sees(g, 'p', s->perm, d) || (s->perm2 && memo_sees(g, 'p', s->perm2, d))))
		return true;
	return s->mine && d->holder && d->holder == g->v->principal_id && d->caseref && memo_sees(g, 'm', NULL, d);
}

static void when_text(char *out, size_t len, int64_t days)
{
	if (days < 0)
		snprintf(out, len, "overdue %lld day%s", (long long)-days, days == -1 ? "" : "s");
	else if (days == 0)
		snprintf(out, len, "today");
	else
		snprintf(out, len, "in %lld day%s", (long long)days, days == 1 ? "" : "s");
}

/* The source of an item: the running one, or the one of the kind it names. */
static size_t item_source(const gather *g, const sv_due *d)
{
	if (!d->kind)
		return g->src;
	for (size_t i = 0; i < NSOURCES; i++)
		if (sources[i].each == sources[g->src].each && !strcmp(sources[i].kind, d->kind))
			return i;
	return NSOURCES;
}

static int add_item(void *ctx, const sv_due *d)
{
	gather *g = ctx;
	int64_t day = 0;
	char when[48];
	size_t src = item_source(g, d);
	item *it;

	if (src == NSOURCES)
		return sv_error(SCRVAULT_ERROR, "an agenda source gave an item of no kind it has ('%s')", d->kind);
	if (!g->wanted[src] || !visible(g, src, d))
		return 0;
	if (sv_day_parse(&day, d->due_on) < 0)
		return sv_error(SCRVAULT_EINTEGRITY, "a %s item has no valid due date ('%s')", sources[src].kind,
				d->due_on ? d->due_on : "");
	if (sv_grow(&g->items, &g->cap, g->n + 1, sizeof(*g->items), 64) < 0)
		return SCRVAULT_ERROR;
	it = &g->items[g->n];
	memset(it, 0, sizeof(*it));
	it->day = day;
	it->src = src;
	it->seq = g->n;
	when_text(when, sizeof(when), day - g->now_day);
	it->row = sv_json_of(SV_FIELDS(SV_STR("due", d->due_on), SV_INT("days", day - g->now_day),
				       SV_STR("when", when), SV_STR("kind", sources[src].kind),
				       SV_OPT("case", d->caseref), SV_STR("id", d->id), SV_STR("what", d->what),
				       SV_STR("command", d->command)));
	if (!it->row)
		return SCRVAULT_ERROR;
	it->caseref = sv_json_str(sv_json_get(it->row, "case"));
	g->n++;
	return 0;
}

static int item_cmp(const void *pa, const void *pb)
{
	const item *a = pa, *b = pb;
	int c;

	if (a->day != b->day)	/* the due day: a valid date (add_item), so as its text sorts */
		return a->day < b->day ? -1 : 1;
	if (a->src != b->src)
		return a->src < b->src ? -1 : 1;
	if ((c = strcmp(a->caseref ? a->caseref : "", b->caseref ? b->caseref : "")) != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void gather_free(gather *g)
{
	for (size_t i = 0; i < g->n; i++) {
		sv_json_free(g->items[i].row);
	}
	free(g->items);
	free(g->memo);
	memset(g, 0, sizeof(*g));
}

/* Is `kind` in the comma-separated list `kinds` (NULL: every kind)? */
static bool kind_wanted(const char *kinds, const char *kind)
{
	size_t n = strlen(kind);

	if (!kinds)
		return true;
	for (const char *p = kinds; *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len == n && !strncmp(p, kind, n))
			return true;
		p += len + (e ? 1 : 0);
	}
	return false;
}

static int kinds_check(const char *kinds)
{
	char names[256] = "";

	for (size_t i = 0; i < NSOURCES; i++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", i ? ", " : "", sources[i].kind);
	if (!kinds)
		return 0;
	for (const char *p = kinds;;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		bool known = false;

		for (size_t i = 0; i < NSOURCES && !known; i++)
			known = strlen(sources[i].kind) == len && !strncmp(p, sources[i].kind, len);
		if (!known)
			return sv_error_field(SCRVAULT_EUSAGE, "kinds", "no agenda kind '%.*s': use %s, separated by "
					      "commas", (int)(len > 40 ? 40 : len), p, names);
		if (!e)
			return 0;
		p = e + 1;
	}
}

/* The options checked, the items gathered and sorted; *now and *until set. */
static int agenda_build(gather *g, char now[11], char until[11], scrvault *v, const scrvault_agenda_options *o)
{
	static const scrvault_agenda_options defaults = SCRVAULT_AGENDA_OPTIONS_INIT;
	bool board;
	int error;

	memset(g, 0, sizeof(*g));
	if (!o)
		o = &defaults;
	if ((error = SV_STRUCT_CHECK(o, SCRVAULT_AGENDA_OPTIONS_VERSION, "scrvault_agenda_options")) < 0)
		return error;
	if (o->days < 0 || o->days > SCRVAULT_AGENDA_DAYS_MAX)
		return sv_error_field(SCRVAULT_EUSAGE, "days", "the agenda looks 0 to %d days ahead, not %d",
				      SCRVAULT_AGENDA_DAYS_MAX, o->days);
	if ((error = sv_as_of(now, o->as_of)) < 0 || (error = kinds_check(o->kinds)) < 0)
		return error;
	if ((error = sv_authorize(v, "agenda.read", NULL)) < 0)
		return error;
	if (sv_date_add(until, now, o->days, 'd') < 0 || sv_day_parse(&g->now_day, now) < 0)
		return sv_error_field(SCRVAULT_EUSAGE, "days", "%d days after %s is not a date", o->days, now);
	g->v = v;
	board = sv_authz_board(v);
	for (size_t i = 0; i < NSOURCES; i++) {
		const struct source *s = &sources[i];

		g->wanted[i] = kind_wanted(o->kinds, s->kind);
		g->any[i] = g->wanted[i] && (sv_authz_role_has(v, s->perm) ||
					     (s->perm2 && sv_authz_role_has(v, s->perm2)));
		g->board[i] = g->any[i] && board && (sv_authz_sees(v, s->perm, NULL, NULL, NULL) ||
					    (s->perm2 && sv_authz_sees(v, s->perm2, NULL, NULL, NULL)));
	}
	for (size_t i = 0; i < NSOURCES; i++) {
		bool run = false, ran = false;

		/* a function of several kinds runs once, at its first line, if any of its kinds may show */
		for (size_t j = 0; j < NSOURCES; j++)
			if (sources[j].each == sources[i].each) {
				ran |= j < i;
				run |= g->any[j] || (g->wanted[j] && sources[j].mine);
			}
		if (ran || !run)
			continue;
		g->src = i;
		if ((error = sources[i].each(v, now, until, add_item, g)) < 0) {
			gather_free(g);
			return error;
		}
	}
	if (g->n > 1)	/* (qsort of nothing: a NULL array is undefined) */
		qsort(g->items, g->n, sizeof(*g->items), item_cmp);
	return 0;
}

int scrvault_agenda_each(scrvault *v, const scrvault_agenda_options *o, scrvault_row_fn row, void *ctx)
{
	char now[11], until[11];
	gather g;
	int error;

	if (!row)
		return sv_error(SCRVAULT_EUSAGE, "the agenda needs a function for the rows");
	if ((error = agenda_build(&g, now, until, v, o)) < 0)
		return error;
	for (size_t i = 0; i < g.n && (!o || !o->limit || i < o->limit) && error >= 0; i++)
		error = row(ctx, g.items[i].row);
	gather_free(&g);
	return error < 0 ? error : 0;
}

int scrvault_agenda(scrvault_json **out, scrvault *v, const scrvault_agenda_options *o)
{
	char now[11], until[11];
	sv_json *items = NULL, *res = NULL;
	int64_t overdue = 0;
	gather g;
	int error;

	*out = NULL;
	if ((error = agenda_build(&g, now, until, v, o)) < 0)
		return error;
	error = SCRVAULT_ERROR;
	if (!(items = sv_json_array()))
		goto done;
	for (size_t i = 0; i < g.n; i++) {
		if (sv_json_as_int(sv_json_get(g.items[i].row, "days")) < 0)
			overdue++;
		if (o && o->limit && i >= o->limit)
			continue;
		if (sv_json_append(items, g.items[i].row) < 0) {
			g.items[i].row = NULL;
			goto done;
		}
		g.items[i].row = NULL;
	}
	if (!(res = sv_json_of(SV_FIELDS(SV_STR("as_of", now), SV_STR("until", until),
					 SV_INT("days", o ? o->days : SCRVAULT_AGENDA_DAYS_DEFAULT),
					 SV_STR("principal", v->principal), SV_STR("role", v->role),
					 SV_INT("overdue", overdue), SV_INT("due", (int64_t)g.n - overdue)))) ||
	    sv_json_set(res, "items", SV_TAKE(items)) < 0)
		goto done;
	*out = SV_TAKE(res);
	error = 0;
done:
	sv_json_free(items);
	sv_json_free(res);
	gather_free(&g);
	return error;
}

/* ---- the mail digest ------------------------------------------------------------------ */

typedef struct {
	char *s;
	size_t len, cap;
	bool failed;
} text;

static void put(text *t, const char *s, size_t n)
{
	if (t->failed)
		return;
	if (sv_grow(&t->s, &t->cap, t->len + n + 1, 1, 1024) < 0) {
		t->failed = true;
		return;
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

/*
 * `s` as printable ASCII: every other byte sequence escaped (\uXXXX for a
 * UTF-8 character, \xNN for a byte that is not one).
 */
static char *ascii(const char *s)
{
	text t = { 0 };

	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;) {
		char esc[16];
		unsigned cp = 0;
		int n = 0;

		if (*p >= 0x20 && *p < 0x7f && *p != '\\') {
			put(&t, (const char *)p++, 1);
			continue;
		}
		if (*p == '\\') {
			put(&t, "\\\\", 2);
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			n = 1, cp = *p & 0x1f;
		else if (*p >= 0xe0 && *p <= 0xef)
			n = 2, cp = *p & 0x0f;
		else if (*p >= 0xf0 && *p <= 0xf4)
			n = 3, cp = *p & 0x07;
		for (int k = 1; k <= n; k++) {
			if ((p[k] & 0xc0) != 0x80) {
				n = 0;
				break;
			}
			cp = cp << 6 | (p[k] & 0x3f);
		}
		if (n) {
			snprintf(esc, sizeof(esc), cp > 0xffff ? "\\U%08X" : "\\u%04X", cp);
			p += n + 1;
		} else {
			snprintf(esc, sizeof(esc), "\\x%02X", *p++);
		}
		put(&t, esc, strlen(esc));
	}
	if (!t.s && !t.failed)
		put(&t, "", 0);
	return t.failed ? (free(t.s), NULL) : t.s;
}

/* Digest lines are at most this long (under 78, with room for a relay's CR). */
#define DIGEST_WIDTH 76

/* `s` (ASCII) as lines of at most DIGEST_WIDTH: the first after `first`, the
 * rest indented by `indent` spaces; long words are cut. */
static void wrap(text *t, const char *first, size_t indent, const char *s)
{
	size_t col;

	put(t, first, strlen(first));
	col = strlen(first);
	while (*s) {
		size_t room = DIGEST_WIDTH > col ? DIGEST_WIDTH - col : 1, n = strlen(s), cut;

		if (n <= room) {
			put(t, s, n);
			break;
		}
		for (cut = room; cut > 0 && s[cut] != ' '; cut--)
			;
		if (cut == 0)
			cut = room;
		put(t, s, cut);
		put(t, "\n", 1);
		s += cut;
		while (*s == ' ')
			s++;
		for (col = 0; col < indent; col++)
			put(t, " ", 1);
	}
	put(t, "\n", 1);
}

int scrvault_agenda_digest(char **out, scrvault *v, const scrvault_agenda_options *o)
{
	scrvault_json *a = NULL;
	const sv_json *items;
	char line[160], *who = NULL;
	text t = { 0 };
	int error;

	*out = NULL;
	if ((error = scrvault_agenda(&a, v, o)) < 0)
		return error;
	items = sv_json_get(a, "items");
	snprintf(line, sizeof(line), "Subject: scrvault agenda %s: %lld overdue, %lld due by %s\n\n",
		 sv_json_str(sv_json_get(a, "as_of")), (long long)sv_json_as_int(sv_json_get(a, "overdue")),
		 (long long)sv_json_as_int(sv_json_get(a, "due")), sv_json_str(sv_json_get(a, "until")));
	put(&t, line, strlen(line));
	if (!(who = ascii(v->principal)))
		goto oom;
	snprintf(line, sizeof(line), "For %.40s (%.30s), as of %s, up to %s.", who, v->role ? v->role : "",
		 sv_json_str(sv_json_get(a, "as_of")), sv_json_str(sv_json_get(a, "until")));
	wrap(&t, "", 0, line);
	snprintf(line, sizeof(line), "Overdue: %lld. Due: %lld.", (long long)sv_json_as_int(sv_json_get(a, "overdue")),
		 (long long)sv_json_as_int(sv_json_get(a, "due")));
	wrap(&t, "", 0, line);
	for (size_t i = 0; i < sv_json_count(items); i++) {
		const sv_json *r = sv_json_at(items, i);
		char *what = ascii(sv_json_str(sv_json_get(r, "what"))), *cmd = ascii(sv_json_str(sv_json_get(r, "command")));
		char *cs = ascii(sv_json_str(sv_json_get(r, "case")));
		char head[160];

		if (!what || !cmd || !cs) {
			free(what), free(cmd), free(cs);
			goto oom;
		}
		snprintf(head, sizeof(head), "%zu. %s  due %s  %s  %s", i + 1, sv_json_str(sv_json_get(r, "when")),
			 sv_json_str(sv_json_get(r, "due")), sv_json_str(sv_json_get(r, "kind")),
			 *cs ? cs : "(board)");
		put(&t, "\n", 1);
		wrap(&t, "", 3, head);
		wrap(&t, "   ", 3, what);
		wrap(&t, "   ", 3, cmd);
		free(what), free(cmd), free(cs);
	}
	if (!sv_json_count(items))
		put(&t, "\nNothing is due.\n", 17);
	if (t.failed)
		goto oom;
	*out = t.s;
	free(who);
	scrvault_json_free(a);
	return 0;
oom:
	free(who);
	free(t.s);
	scrvault_json_free(a);
	return sv_error(SCRVAULT_ERROR, "out of memory");
}
