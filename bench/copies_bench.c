/*
 * copies_bench.c - the numbered-copy register at scale.
 *
 *   build/bench/copies_bench DIR [N [REVIEWS [VERSIONS]]]
 *
 * In a fresh vault under DIR (custodian "coord", 8 MiB Argon2id key file
 * DIR/coord.key, passphrase in DIR/pass): 200 holders, 50 cases, N/8
 * documents and N copies (default 100 000), the documents, holders and
 * copies inserted directly into the database in one transaction (what the
 * listings read; no history rows, no audit entries).  The mix: 70%
 * destroyed, 8% in store, 7% returned, 14% issued with due dates spread
 * over a year around today (about half of them overdue), 1% lost.
 *
 * Then, each in a session of its own: the median wall time of the library
 * calls `copy list --state issued`, `copy overdue`, `--state outstanding`,
 * `--holder`, `--case` and `copy recall CASE` (the call, including building
 * its JSON result), over 21 runs after 2 warm-ups, and the time of the first
 * call of the session (what the CLI pays), with the rows returned
 * checked against a count made independently; the SQL alone (prepare, bind,
 * step every row) for the issued and overdue questions; and EXPLAIN QUERY
 * PLAN of each question's SQL, written as copies.c writes it.  It must
 * never measure a listing it has not checked.  Prints one "name value unit
 * [rows]" line per figure and leaves the vault for bench/copies to time the
 * CLI against.
 *
 * With REVIEWS (bench/agenda: 500), the vault is the agenda vault:
 * REVIEWS cases instead of 50, each a review with its statutory clocks (a
 * referral's received and decision days spread over the last two years, 10
 * IMR commissions, half of them with a checked-in IMR and a quarter signed
 * off, every second review completed, every fourth evaluated by Ofsted,
 * every eighth "inadequate", a plan review on every sixth), 5 000
 * commissions in all, and each document given VERSIONS live versions
 * (default 1), so the retention plan has that many to judge.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "vault/txn.h"
#include "base/date.h"

#define RUNS     21
#define WARMUP   2
#define HOLDERS  200
#define CASES    50		/* without REVIEWS */
#define AGENCIES 10		/* commissions per review */
#define PER_DOC  8

/* As copies.c's LIST_SELECT (recall), LIST_SELECT_SHORT and scrvault_copy_list build them. */
#define COPY_TOTAL \
	" CASE WHEN c.kind <> 'paper' THEN 0 WHEN c.paper_total IS NOT NULL THEN c.paper_total" \
	" ELSE (SELECT count(*) FROM copies x WHERE x.doc_id = c.doc_id AND x.version = c.version" \
	" AND x.kind = 'paper') END"
#define LIST_FROM \
	" FROM copies c JOIN documents d ON d.id = c.doc_id JOIN cases k ON k.id = d.case_id" \
	" LEFT JOIN principals p ON p.id = c.holder_id"
#define LIST_SELECT \
	"SELECT c.id, c.doc_id, c.version, c.kind, c.number, c.state, coalesce(c.holder_id, 0)," \
	" coalesce(p.name, c.ext_name, ''), k.ref, d.class, coalesce(d.agency, ''), coalesce(c.due, '')," \
	COPY_TOTAL ", c.contact, c.ext_org, c.purpose, c.issued_at, c.ack_kind, d.title" LIST_FROM
#define LIST_SELECT_SHORT \
	"SELECT c.id, c.doc_id, c.version, c.kind, c.number, c.state, coalesce(c.holder_id, 0)," \
	" coalesce(p.name, c.ext_name, ''), k.ref, d.class, coalesce(d.agency, ''), coalesce(c.due, '')," \
	COPY_TOTAL ", NULL, NULL, NULL, c.issued_at, c.ack_kind, d.title" LIST_FROM
#define LIST_WHERE LIST_SELECT_SHORT " WHERE coalesce(?1, ?2, ?3, ?4, ?5) IS NOT NULL"
#define COPIES_OUT "c.state IN ('issued', 'lost')"

static const char *const classes[] = { "imr", "overview-report", "combined-chronology", "panel-minutes",
				       "interview-record", "single-agency-chronology" };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "copies_bench: %s: %s\n", what, scrvault_error_message());
	exit(1);
}

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* YYYY-MM-DD of today (UTC) plus `days`. */
static void day(char out[11], int days)
{
	time_t t = time(NULL) + (time_t)days * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *t, int n)
{
	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	return t[n / 2];
}

/* The clocks of review `c` (cases.id `id`, 0-based index `c`): dates, commissions, events. */
static void review(scrvault *v, int64_t id, int c)
{
	static const unsigned char zero[32];
	char rec[11], dec[11], done[11], when[21];
	int64_t me = v->principal_id;

	day(rec, -700 + (c * 7) % 690);
	day(dec, -690 + (c * 7) % 690);
	day(done, -30 - (c * 3) % 200);
	sv_time_iso(when, sv_now());
	if (sv_db_run(v->db, "UPDATE cases SET received_on = ?, decision_date = ? WHERE id = ?", "tti", rec, dec, id) < 0)
		die("review dates");
	for (int a = 0; a < AGENCIES; a++) {
		char agency[24], doc[SV_DOC_ID_LEN + 1];

		snprintf(agency, sizeof(agency), "agency%02d", a);
		if (sv_db_run(v->db, "INSERT INTO commissions(case_id, agency, author, commissioned_on, created_at,"
			      " created_by) VALUES (?, ?, 'author', ?, ?, ?)", "ittti", id, agency, dec, when, me) < 0)
			die("commission");
		if (a % 2)
			continue;
		snprintf(doc, sizeof(doc), "%016llx%016x", (unsigned long long)(0xfeed0000u + (unsigned)c), a);
		if (sv_db_run(v->db, "INSERT INTO documents(id, case_id, class, agency, title, created_at, created_by)"
			      " VALUES (?, ?, 'imr', ?, 'IMR', ?, ?)", "titti", doc, id, agency, when, me) < 0 ||
		    sv_db_run(v->db, "INSERT INTO versions(doc_id, version, filename, size, sha256, ct_sha256, blob_oid,"
			      " commit_oid, checked_in_at, checked_in_by) VALUES (?, 1, 'imr.pdf', 1, ?, ?, 'x', 'x', ?, ?)",
			      "tbbti", doc, zero, sizeof(zero), zero, sizeof(zero), when, me) < 0)
			die("imr version");
		if (a % 4 == 0 && sv_db_run(v->db, "INSERT INTO signoffs(doc_id, version, principal_id, statement,"
					     " signature, signed_at) VALUES (?, 1, ?, '{}', ?, ?)", "tibt", doc, me, zero,
					     sizeof(zero), when) < 0)
			die("signoff");
	}
	if (c % 2 == 0 && sv_db_run(v->db, "INSERT INTO case_events(case_id, kind, on_day, created_at, created_by)"
				     " VALUES (?, 'completed', ?, ?, ?)", "itti", id, done, when, me) < 0)
		die("completed");
	if (c % 4 == 0 && sv_db_run(v->db, "INSERT INTO case_events(case_id, kind, on_day, rating, created_at, created_by)"
				     " VALUES (?, 'evaluation', ?, ?, ?, ?)", "ittti", id, done,
				     c % 8 == 0 ? "inadequate" : "good", when, me) < 0)
		die("evaluation");
	if (c % 6 == 0 && sv_db_run(v->db, "INSERT INTO case_events(case_id, kind, on_day, created_at, created_by)"
				     " VALUES (?, 'plan-review', ?, ?, ?)", "itti", id, done, when, me) < 0)
		die("plan review");
}

/* Fill the register: holders, cases (reviews), documents, versions, copies. */
static void populate(scrvault *v, uint64_t n, int reviews, int versions)
{
	static const unsigned char zero[32];
	scrvault_case_spec c = { .version = SCRVAULT_CASE_SPEC_VERSION, .title = "Benchmark case", .review_type = "scr" };
	char ref[32], name[32], doc[SV_DOC_ID_LEN + 1], when[21], due[11], contact[64];
	uint64_t docs = (n + PER_DOC - 1) / PER_DOC;
	int cases = reviews ? reviews : CASES;
	int64_t *case_id = calloc((size_t)cases, sizeof(*case_id)), holder_id[HOLDERS], me = v->principal_id;
	double t0 = now();

	if (!case_id)
		die("memory");
	for (int i = 0; i < cases; i++) {
		snprintf(ref, sizeof(ref), "SCR-2026-%02d", i + 1);
		c.ref = ref;
		if (scrvault_case_open(v, &c) < 0 ||
		    sv_db_int(&case_id[i], v->db, "SELECT id FROM cases WHERE ref = ?", "t", ref) != 1)
			die("case");
	}
	sv_time_iso(when, sv_now());
	if (sv_vault_begin(v) < 0)
		die("begin");
	for (int i = 0; i < reviews; i++)
		review(v, case_id[i], i);
	for (int i = 0; i < HOLDERS; i++) {
		snprintf(name, sizeof(name), "holder-%03d", i);
		snprintf(contact, sizeof(contact), "holder-%03d@example.org, 01632 960%03d", i, i);
		if (sv_db_run(v->db, "INSERT INTO principals(name, display_name, kind, contact, ed25519_pub, x25519_pub,"
			      " created_at, created_by) VALUES (?, ?, 'person', ?, ?, ?, ?, ?)", "tttbbti", name, name,
			      contact, zero, sizeof(zero), zero, sizeof(zero), when, me) < 0)
			die("holder");
		holder_id[i] = sv_db_last_rowid(v->db);
	}
	for (uint64_t d = 0; d < docs; d++) {
		char title[64];

		snprintf(doc, sizeof(doc), "%016" PRIx64 "%016" PRIx64, d + 1, (d + 1) * 0x9e3779b97f4a7c15u);
		snprintf(title, sizeof(title), "Benchmark document %" PRIu64, d + 1);
		if (sv_db_run(v->db, "INSERT INTO documents(id, case_id, class, agency, title, created_at, created_by)"
			      " VALUES (?, ?, ?, 'Benchmark agency', ?, ?, ?)", "tittti",
			      doc, case_id[d % (uint64_t)cases], classes[d % (sizeof(classes) / sizeof(*classes))], title,
			      when, me) < 0)
			die("document");
		for (int k = 1; reviews && k <= versions; k++) {
			if (sv_db_run(v->db, "INSERT INTO versions(doc_id, version, filename, size, sha256, ct_sha256,"
				      " blob_oid, commit_oid, checked_in_at, checked_in_by) VALUES (?, ?, 'doc.pdf', 1, ?, ?,"
				      " 'x', 'x', ?, ?)", "tibbti", doc, (int64_t)k, zero, sizeof(zero), zero, sizeof(zero),
				      when, me) < 0)
				die("version");
		}
	}
	for (uint64_t i = 0; i < n; i++) {
		unsigned r = (unsigned)(next() % 100);
		const char *state = r < 70 ? "destroyed" : r < 78 ? "in-store" : r < 85 ? "returned" : r < 99 ? "issued" : "lost";
		bool was_issued = strcmp(state, "in-store") != 0;
		int64_t holder = 0;
		int dd = (int)(next() % 365) - 182;

		/* The holder is kept after the copy comes back (the last holder). */
		if (was_issued)
			holder = holder_id[next() % HOLDERS];
		day(due, strcmp(state, "issued") && strcmp(state, "lost") ? dd - 183 : dd);
		snprintf(doc, sizeof(doc), "%016" PRIx64 "%016" PRIx64, i / PER_DOC + 1,
			 (i / PER_DOC + 1) * 0x9e3779b97f4a7c15u);
		/* paper_total: what copy create stores, the paper copies of the version */
		if (sv_db_run(v->db, "INSERT INTO copies(doc_id, version, kind, number, paper_total, state, holder_id,"
			      " contact, purpose, due, issued_at, issued_by, created_at, created_by)"
			      " VALUES (?, 1, 'paper', ?, ?, ?, NULLIF(?, 0), ?, ?, ?, ?, NULLIF(?, 0), ?, ?)", "tiitittttiti",
			      doc, (int64_t)(i % PER_DOC + 1),
			      (int64_t)(n - i / PER_DOC * PER_DOC < PER_DOC ? n - i / PER_DOC * PER_DOC : PER_DOC),
			      state, holder, was_issued ? "on record at issue" : NULL,
			      was_issued ? "panel meeting" : NULL, was_issued ? due : NULL, was_issued ? when : NULL,
			      was_issued ? me : (int64_t)0, when, me) < 0)
			die("copy");
	}
	if (sv_vault_commit(v) < 0)
		die("commit");
	printf("populate %.2f s (%d holders, %d cases, %" PRIu64 " documents, %" PRIu64 " copies",
	       now() - t0, HOLDERS, cases, docs, n);
	if (reviews)
		printf(", %d reviews with %d commissions, %" PRIu64 " versions", reviews, reviews * AGENCIES,
		       docs * (uint64_t)versions + (uint64_t)reviews * AGENCIES / 2);
	printf(")\n");
	free(case_id);
}

typedef struct {
	const char *name;
	scrvault_copy_filter f;		/* a listing, or */
	const char *recall;		/* a recall of this case */
	const char *count_sql;		/* the rows it must return */
	const char *count_arg;
	bool each;			/* row by row (scrvault_copy_list_each), as the CLI lists */
} question;

static int count_row(void *ctx, const scrvault_json *row)
{
	(void)row;
	(*(size_t *)ctx)++;
	return 0;
}

/* Ask q; *rows gets how many rows came back. */
static int ask(scrvault_json **out, size_t *rows, scrvault *v, const question *q)
{
	int error;

	*out = NULL;
	*rows = 0;
	if (q->each)
		return scrvault_copy_list_each(v, &q->f, count_row, rows);
	error = q->recall ? scrvault_copy_recall(out, v, q->recall) : scrvault_copy_list(out, v, &q->f);
	*rows = scrvault_json_count(*out);
	return error;
}

/* Print each step of the plan of `sql` (a listing's five values bound, or a recall's case). */
static void plan(scrvault *v, const char *name, const char *sql, const char *today)
{
	sv_stmt *st = NULL;
	int error;

	if ((!strcmp(name, "recall") ? sv_db_query(&st, v->db, sql, "t", "SCR-2026-07") :
	     !strcmp(name, "agenda") ? sv_db_query(&st, v->db, sql, "t", today) :
	     sv_db_query(&st, v->db, sql, "ttttt", "issued", today, "SCR-2026-07", "", "holder-007")) < 0)
		die("explain");
	while ((error = sv_stmt_step(st)) == 1)
		printf("plan_%s %s\n", name, sv_stmt_text(st, 3));
	sv_stmt_free(st);
	if (error < 0)
		die("explain step");
}

/* The SQL alone: prepare (cached after the first run), bind, read every column of every row. */
static double sql_only(scrvault *v, const char *sql, const char *today, int64_t *rows)
{
	double t[RUNS];

	for (int k = 0; k < WARMUP + RUNS; k++) {
		sv_stmt *st = NULL;
		double t0 = now();
		int error;

		*rows = 0;
		if (sv_db_query(&st, v->db, sql, "ttttt", "issued", today, "", "", "") < 0)
			die("sql");
		while ((error = sv_stmt_step(st)) == 1) {
			for (int c = 0; c < 19; c++)
				(void)sv_stmt_text(st, c);
			(*rows)++;
		}
		sv_stmt_free(st);
		if (error < 0)
			die("sql step");
		if (k >= WARMUP)
			t[k - WARMUP] = now() - t0;
	}
	return median(t, RUNS);
}

int main(int argc, char **argv)
{
	scrvault_principal_spec s = { .version = SCRVAULT_PRINCIPAL_SPEC_VERSION, .name = "coord", .kind = "person", .custodian = true, .kdf_mib = 19 };
	static const char pass[] = "benchmark passphrase";
	scrvault_secret *pp = NULL;
	scrvault *v = NULL;
	char *vault, *key, *passfile, today[11];
	uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 100000;
	int reviews = argc > 3 ? atoi(argv[3]) : 0, versions = argc > 4 ? atoi(argv[4]) : 1, fd;

	if (argc < 2 || n < PER_DOC || reviews < 0 || reviews > 9999 || versions < 1 || versions > 100) {
		fprintf(stderr, "usage: copies_bench DIR [N >= %d [REVIEWS [VERSIONS]]]\n", PER_DOC);
		return 2;
	}
	if (scrvault_global_init() < 0 || asprintf(&vault, "%s/vault", argv[1]) < 0 ||
	    asprintf(&key, "%s/coord.key", argv[1]) < 0 || asprintf(&passfile, "%s/pass", argv[1]) < 0)
		die("set-up");
	if ((fd = open(passfile, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0 ||
	    write(fd, pass, sizeof(pass) - 1) != (ssize_t)sizeof(pass) - 1 || close(fd) < 0) {
		perror("copies_bench: passphrase file");
		return 1;
	}
	if (scrvault_secret_new(&pp, pass, sizeof(pass) - 1) < 0 ||
	    scrvault_vault_init(vault, &s, key, pp) < 0 || scrvault_vault_open(&v, &(scrvault_open_options){ .version = SCRVAULT_OPEN_OPTIONS_VERSION, .dir = vault, .keyfile = key, .passphrase = pp }) < 0)
		die("vault");
	populate(v, n, reviews, versions);
	day(today, 0);

	/* Index use: the SQL of each question as copies.c builds it. */
	plan(v, "issued", "EXPLAIN QUERY PLAN " LIST_WHERE " AND c.state = 'issued' AND " COPIES_OUT " ORDER BY c.id",
	     today);
	plan(v, "overdue", "EXPLAIN QUERY PLAN " LIST_WHERE " AND c.state = 'issued' AND " COPIES_OUT " AND c.due < ?2"
	     " ORDER BY c.due, c.id", today);
	plan(v, "outstanding", "EXPLAIN QUERY PLAN " LIST_WHERE " AND " COPIES_OUT " ORDER BY c.id", today);
	plan(v, "holder", "EXPLAIN QUERY PLAN " LIST_WHERE " AND c.holder_id = (SELECT id FROM principals WHERE name = ?5)"
	     " ORDER BY c.id", today);
	plan(v, "case", "EXPLAIN QUERY PLAN " LIST_WHERE " AND k.ref = ?3 ORDER BY c.id", today);
	plan(v, "recall", "EXPLAIN QUERY PLAN " LIST_SELECT " WHERE k.ref = ? AND +c.state IN ('issued', 'lost')"
	     " ORDER BY c.due, c.id", today);
	/* The agenda's copies (copy.c, sv_copy_due): issued, due on or before the horizon. */
	plan(v, "agenda", "EXPLAIN QUERY PLAN SELECT c.id, c.doc_id, c.version, c.kind, c.number, c.state,"
	     " coalesce(c.holder_id, 0), coalesce(p.name, c.ext_name, ''), k.ref, d.class, coalesce(d.agency, ''),"
	     " coalesce(c.due, ''), " COPY_TOTAL LIST_FROM " WHERE c.state = 'issued' AND " COPIES_OUT
	     " AND c.due <= ? ORDER BY c.due, c.id", today);

	/* The SQL alone, no JSON. */
	{
		int64_t rows = 0;
		double t = sql_only(v, LIST_WHERE " AND c.state = 'issued' AND " COPIES_OUT " ORDER BY c.id", today, &rows);

		printf("sql_issued %.2f ms %" PRId64 "\n", t * 1000, rows);
		t = sql_only(v, LIST_WHERE " AND c.state = 'issued' AND " COPIES_OUT " AND c.due < ?2 ORDER BY c.due, c.id",
			     today, &rows);
		printf("sql_overdue %.2f ms %" PRId64 "\n", t * 1000, rows);
	}
	scrvault_vault_close(v);
	v = NULL;

	/*
	 * The library calls, each question in a session of its own (the CLI's
	 * case: the first run of the session pays for decrypting the pages it
	 * reads; the median is of later runs).  Then two different listings in
	 * one session, whose SQL is built in the same stack buffer: the second
	 * must get its own statement ("sql_cache_check").
	 */
	{
		const question qs[] = {
			{ "list_issued", { .version = SCRVAULT_COPY_FILTER_VERSION, .state = "issued" }, NULL,
			  "SELECT count(*) FROM copies WHERE state = ?", "issued", false },
			{ "each_issued", { .version = SCRVAULT_COPY_FILTER_VERSION, .state = "issued" }, NULL,
			  "SELECT count(*) FROM copies WHERE state = ?", "issued", true },
			{ "list_overdue", { .version = SCRVAULT_COPY_FILTER_VERSION, .state = "overdue" }, NULL,
			  "SELECT count(*) FROM copies WHERE state = 'issued' AND due < ?", today },
			{ "list_outstanding", { .version = SCRVAULT_COPY_FILTER_VERSION, .state = "outstanding" }, NULL,
			  "SELECT count(*) FROM copies WHERE state IN ('issued', 'lost') AND ? IS NOT NULL", "x" },
			{ "list_holder", { .version = SCRVAULT_COPY_FILTER_VERSION, .holder = "holder-007" }, NULL,
			  "SELECT count(*) FROM copies c JOIN principals p ON p.id = c.holder_id WHERE p.name = ?",
			  "holder-007" },
			{ "list_case", { .version = SCRVAULT_COPY_FILTER_VERSION, .case_ref = "SCR-2026-07" }, NULL,
			  "SELECT count(*) FROM copies c JOIN documents d ON d.id = c.doc_id JOIN cases k"
			  " ON k.id = d.case_id WHERE k.ref = ?", "SCR-2026-07" },
			{ "recall_case", { 0 }, "SCR-2026-07",
			  "SELECT count(*) FROM copies c JOIN documents d ON d.id = c.doc_id JOIN cases k"
			  " ON k.id = d.case_id WHERE k.ref = ? AND c.state IN ('issued', 'lost')", "SCR-2026-07" },
		};

		for (size_t i = 0; i < sizeof(qs) / sizeof(*qs); i++) {
			double t[RUNS], first = 0;
			int64_t want = -1;
			size_t rows = 0;

			if (scrvault_vault_open(&v, &(scrvault_open_options){ .version = SCRVAULT_OPEN_OPTIONS_VERSION, .dir = vault, .keyfile = key, .passphrase = pp }) < 0)
				die("open");
			if (sv_db_int(&want, v->db, qs[i].count_sql, "t", qs[i].count_arg) != 1)
				die("count");
			for (int k = 0; k < WARMUP + RUNS; k++) {
				scrvault_json *j = NULL;
				double t0 = now();

				if (ask(&j, &rows, v, &qs[i]) < 0)
					die(qs[i].name);
				if (k == 0)
					first = now() - t0;
				if (k >= WARMUP)
					t[k - WARMUP] = now() - t0;
				scrvault_json_free(j);
				if ((int64_t)rows != want) {
					fprintf(stderr, "copies_bench: %s returned %zu rows, the register has %" PRId64 "\n",
						qs[i].name, rows, want);
					return 1;
				}
			}
			printf("%s %.2f ms %zu %.2f\n", qs[i].name, median(t, RUNS) * 1000, rows, first * 1000);
			scrvault_vault_close(v);
			v = NULL;
		}

		/* Two different listings in one session. */
		{
			const question *holder = &qs[4];
			scrvault_json *a = NULL, *b = NULL;
			int64_t want = -1;
			size_t na = 0, nb = 0;

			if (strcmp(holder->name, "list_holder") != 0)
				die("the cache check needs list_holder");
			if (scrvault_vault_open(&v, &(scrvault_open_options){ .version = SCRVAULT_OPEN_OPTIONS_VERSION, .dir = vault, .keyfile = key, .passphrase = pp }) < 0 ||
			    sv_db_int(&want, v->db, holder->count_sql, "t", holder->count_arg) != 1 ||
			    ask(&a, &na, v, &qs[0]) < 0 || ask(&b, &nb, v, holder) < 0)
				die("cache check");
			printf("sql_cache_check %s: list --state issued then --holder holder-007 in one session gave "
			       "%zu rows for the second, want %" PRId64 "\n",
			       (int64_t)scrvault_json_count(b) == want ? "ok" : "WRONG", scrvault_json_count(b), want);
			scrvault_json_free(a);
			scrvault_json_free(b);
			scrvault_vault_close(v);
			v = NULL;
		}
	}
	scrvault_secret_free(pp);
	free(vault);
	free(key);
	free(passfile);
	return 0;
}
