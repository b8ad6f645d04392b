/*
 * clocks_bench.c - the vault-wide list of statutory clocks at scale.
 *
 *   build/bench/clocks_bench DIR [CASES [PER_CASE]]
 *
 * In a fresh vault under DIR: CASES reviews (default 500) with PER_CASE IMR
 * commissions each (default 10: 5 000), inserted directly into the database
 * in one transaction (no audit entries); every other agency has checked in
 * its IMR (a version row) and every fourth signed it off, so the derived
 * progress has work to do.  Then the median wall time of
 * scrvault_clock_list_each over every clock (21 runs after 2 warm-ups, one
 * session) and of the first call of a new session (what the CLI pays),
 * with the rows counted against the number expected.  Target: well under 100 ms.
 *
 *   build/bench/clocks_bench --into DIR [CASES [PER_CASE]]
 *
 * adds the same reviews and commissions to the vault already in DIR (DIR/vault,
 * DIR/coord.key, DIR/pass, as copies_bench leaves them) and stops: bench/report
 * times the Board's report on it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "vault/txn.h"
#include "storage/db.h"
#include "base/file.h"

#define RUNS 21
#define WARMUP 2

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "clocks_bench: %s: %s\n", what, scrvault_error_message());
	exit(1);
}

static int count_row(void *ctx, const scrvault_json *row)
{
	(void)row;
	(*(long *)ctx)++;
	return 0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void populate(scrvault *v, int cases, int per)
{
	static const unsigned char zero[32];
	int64_t base = 0;

	if (sv_vault_begin(v) < 0 || sv_db_int(&base, v->db, "SELECT coalesce(max(id), 0) FROM cases", "") < 0)
		die("begin");
	for (int64_t c = base + 1; c <= base + cases; c++) {
		char ref[32], rec[16], dec[16];

		snprintf(ref, sizeof(ref), "SCR-%04lld", (long long)c);
		snprintf(rec, sizeof(rec), "2026-%02d-%02d", (int)(1 + c % 9), (int)(1 + c % 27));
		snprintf(dec, sizeof(dec), "2026-%02d-%02d", (int)(2 + c % 9), (int)(1 + c % 27));
		if (sv_db_run(v->db, "INSERT INTO cases(id, ref, title, review_type, decision_date, received_on, opened_at,"
			      " opened_by) VALUES (?, ?, 'bench', ?, ?, ?, '2026-01-01T00:00:00Z', ?)", "itttti",
			      (int64_t)c, ref, c % 3 == 0 ? "scr" : c % 3 == 1 ? "sir" : "interagency", dec, rec,
			      v->principal_id) < 0)
			die("case");
		if (c % 2 == 0 && sv_db_run(v->db, "INSERT INTO case_events(case_id, kind, on_day, created_at, created_by)"
					     " VALUES (?, 'completed', '2026-11-01', '2026-11-01T00:00:00Z', ?)", "ii",
					     (int64_t)c, v->principal_id) < 0)
			die("event");
		for (int a = 0; a < per; a++) {
			char agency[24], doc[64];

			snprintf(agency, sizeof(agency), "agency%02d", a);
			if (sv_db_run(v->db, "INSERT INTO commissions(case_id, agency, author, commissioned_on, created_at,"
				      " created_by) VALUES (?, ?, 'author', ?, '2026-01-01T00:00:00Z', ?)", "itti",
				      (int64_t)c, agency, dec, v->principal_id) < 0)
				die("commission");
			if (a % 2)
				continue;
			snprintf(doc, sizeof(doc), "%08lld%024d", (long long)c, a);
			if (sv_db_run(v->db, "INSERT INTO documents(id, case_id, class, agency, title, created_at, created_by)"
				      " VALUES (?, ?, 'imr', ?, 'IMR', '2026-01-01T00:00:00Z', ?)", "titi", doc, (int64_t)c,
				      agency, v->principal_id) < 0 ||
			    sv_db_run(v->db, "INSERT INTO versions(doc_id, version, filename, size, sha256, ct_sha256, blob_oid,"
				      " commit_oid, checked_in_at, checked_in_by) VALUES (?, 1, 'imr.pdf', 1, ?, ?, 'x', 'x',"
				      " '2026-06-01T10:00:00Z', ?)", "tbbi", doc, zero, sizeof(zero), zero, sizeof(zero),
				      v->principal_id) < 0)
				die("version");
			if (a % 4 == 0 && sv_db_run(v->db, "INSERT INTO signoffs(doc_id, version, principal_id, statement,"
						     " signature, signed_at) VALUES (?, 1, ?, '{}', ?, '2026-06-10T10:00:00Z')",
						     "tib", doc, v->principal_id, zero, sizeof(zero)) < 0)
				die("signoff");
		}
	}
	if (sv_vault_commit(v) < 0)
		die("commit");
}

int main(int argc, char **argv)
{
	scrvault_principal_spec s = { .version = SCRVAULT_PRINCIPAL_SPEC_VERSION, .name = "coord", .kind = "person",
				      .custodian = true, .kdf_mib = 19 };
	static const char pass[] = "benchmark passphrase";
	scrvault_open_options o = { .version = SCRVAULT_OPEN_OPTIONS_VERSION };
	scrvault_clock_filter f = SCRVAULT_CLOCK_FILTER_INIT;
	scrvault_secret *pp = NULL;
	scrvault *v = NULL;
	char *vault, *key, *passfile;
	bool into = argc > 1 && !strcmp(argv[1], "--into");
	int cases, per, fd;
	double t[RUNS], t0, first;
	long rows = 0, want = 0;

	if (into) {
		argv++;
		argc--;
	}
	cases = argc > 2 ? atoi(argv[2]) : 500;
	per = argc > 3 ? atoi(argv[3]) : 10;
	if (argc < 2 || cases < 1 || per < 1) {
		fprintf(stderr, "usage: clocks_bench [--into] DIR [CASES [PER_CASE]]\n");
		return 2;
	}
	if (scrvault_global_init() < 0 || asprintf(&vault, "%s/vault", argv[1]) < 0 ||
	    asprintf(&key, "%s/coord.key", argv[1]) < 0 || asprintf(&passfile, "%s/pass", argv[1]) < 0)
		die("set-up");
	if (into) {
		char *pass_in = NULL;
		size_t plen = 0;

		o.dir = vault;
		o.keyfile = key;
		if (sv_file_read(&pass_in, &plen, passfile, 4096) < 0 ||
		    scrvault_secret_new(&pp, pass_in, plen) < 0 || (o.passphrase = pp, scrvault_vault_open(&v, &o)) < 0)
			die("vault");
		free(pass_in);
		t0 = now();
		populate(v, cases, per);
		printf("populate %.0f ms (%d cases, %d commissions added)\n", (now() - t0) * 1000, cases, cases * per);
		scrvault_vault_close(v);
		scrvault_secret_free(pp);
		return 0;
	}
	if ((fd = open(passfile, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0 ||
	    write(fd, pass, sizeof(pass) - 1) != (ssize_t)sizeof(pass) - 1 || close(fd) < 0) {
		perror("clocks_bench: passphrase file");
		return 1;
	}
	o.dir = vault;
	o.keyfile = key;
	if (scrvault_secret_new(&pp, pass, sizeof(pass) - 1) < 0 || scrvault_vault_init(vault, &s, key, pp) < 0 ||
	    (o.passphrase = pp, scrvault_vault_open(&v, &o)) < 0)
		die("vault");
	t0 = now();
	populate(v, cases, per);
	printf("populate %.0f ms (%d cases, %d commissions)\n", (now() - t0) * 1000, cases, cases * per);
	scrvault_vault_close(v);
	/* Each case: decision, PER_CASE IMRs, completion, Ofsted summary, the next plan review. */
	want = (long)cases * (per + 4);
	if (scrvault_vault_open(&v, &o) < 0)
		die("open");
	t0 = now();
	if (scrvault_clock_list_each(v, &f, count_row, &rows) < 0)
		die("list");
	first = now() - t0;
	if (rows != want) {
		fprintf(stderr, "clocks_bench: %ld rows, expected %ld\n", rows, want);
		return 1;
	}
	for (int i = 0; i < WARMUP + RUNS; i++) {
		rows = 0;
		t0 = now();
		if (scrvault_clock_list_each(v, &f, count_row, &rows) < 0)
			die("list");
		if (i >= WARMUP)
			t[i - WARMUP] = now() - t0;
		if (rows != want)
			die("row count changed");
	}
	qsort(t, RUNS, sizeof(t[0]), cmp);
	printf("clock_list_first %.2f ms %ld\n", first * 1000, want);
	printf("clock_list %.2f ms %ld\n", t[RUNS / 2] * 1000, want);
	f.open_only = true;
	rows = 0;
	t0 = now();
	if (scrvault_clock_list_each(v, &f, count_row, &rows) < 0)
		die("list");
	printf("clock_list_open %.2f ms %ld\n", (now() - t0) * 1000, rows);
	scrvault_vault_close(v);
	scrvault_secret_free(pp);
	return 0;
}
