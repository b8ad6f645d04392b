/*
 * test_db.c - the database layer's statement cache: SQL built at run time in
 * one buffer must get a statement for the text passed, not for the text the
 * buffer held the time before; string literals still share one statement.
 */
#include "unit.h"
#include "storage/db.h"
#include "storage/rows.h"

#include <string.h>

typedef struct {
	char *dir;
	sv_db *db;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	sv_secret *key = NULL;
	char *path = NULL;

	if (!f || sv_secret_random(&key, SV_KEY_LEN) < 0)
		return -1;
	f->dir = unit_tmpdir();
	if (asprintf(&path, "%s/t.db", f->dir) < 0)
		return -1;
	if (sv_db_open(&f->db, path, key, true) < 0)
		return -1;
	free(path);
	sv_secret_free(key);
	if (sv_db_exec(f->db, "CREATE TABLE t(id INTEGER PRIMARY KEY, state TEXT, holder TEXT);") < 0)
		return -1;
	/* 1..100: state 'issued' for even ids, holder 'h<id % 7>' */
	for (int64_t i = 1; i <= 100; i++) {
		char holder[8];

		snprintf(holder, sizeof(holder), "h%d", (int)(i % 7));
		if (sv_db_run(f->db, "INSERT INTO t(id, state, holder) VALUES (?, ?, ?)", "itt", i,
			      i % 2 ? "in-store" : "issued", holder) < 0)
			return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	sv_db_close(f->db);
	unit_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* Rows of `sql` (one text parameter) as a count, with the sum of their ids. */
static int64_t rows(sv_db *db, const char *sql, const char *arg, int64_t *sum)
{
	sv_stmt *st = NULL;
	int64_t n = 0;
	int rc;

	*sum = 0;
	assert_int_equal(sv_db_query(&st, db, sql, "t", arg), 0);
	while ((rc = sv_stmt_step(st)) == 1) {
		n++;
		*sum += sv_stmt_int(st, 0);
	}
	assert_int_equal(rc, 0);
	sv_stmt_free(st);
	return n;
}

/* The bug: `--state issued` then `--holder X` in one session, one buffer. */
static void test_same_buffer_other_text(void **state)
{
	fixture *f = *state;
	char sql[256];
	int64_t sum;

	snprintf(sql, sizeof(sql), "SELECT id FROM t WHERE %s = ?1 ORDER BY id", "state");
	assert_int_equal(rows(f->db, sql, "issued", &sum), 50);
	assert_int_equal(sum, 2550);		/* 2 + 4 + ... + 100 */
	snprintf(sql, sizeof(sql), "SELECT id FROM t WHERE %s = ?1 ORDER BY id", "holder");
	assert_int_equal(rows(f->db, sql, "h3", &sum), 14);	/* 3, 10, ..., 94 */
	assert_int_equal(sum, 3 * 14 + 7 * (13 * 14 / 2));
	/* and back: the first text again, same buffer */
	snprintf(sql, sizeof(sql), "SELECT id FROM t WHERE %s = ?1 ORDER BY id", "state");
	assert_int_equal(rows(f->db, sql, "in-store", &sum), 50);
	assert_int_equal(sum, 2500);
	/* same length, one character different */
	snprintf(sql, sizeof(sql), "SELECT id FROM t WHERE id < 10 AND state = ?1");
	assert_int_equal(rows(f->db, sql, "issued", &sum), 4);
	snprintf(sql, sizeof(sql), "SELECT id FROM t WHERE id < 20 AND state = ?1");
	assert_int_equal(rows(f->db, sql, "issued", &sum), 9);
}

/* The buffer is rewritten while its first statement is still being stepped. */
static void test_same_buffer_nested(void **state)
{
	fixture *f = *state;
	char sql[256];
	sv_stmt *outer = NULL;
	int64_t n = 0, sum;

	snprintf(sql, sizeof(sql), "SELECT id FROM t WHERE state = ?1 ORDER BY id");
	assert_int_equal(sv_db_query(&outer, f->db, sql, "t", "issued"), 0);
	assert_int_equal(sv_stmt_step(outer), 1);
	assert_int_equal(sv_stmt_int(outer, 0), 2);
	snprintf(sql, sizeof(sql), "SELECT id FROM t WHERE holder = ?1 ORDER BY id");
	assert_int_equal(rows(f->db, sql, "h0", &sum), 14);
	n = 1;
	while (sv_stmt_step(outer) == 1) {
		assert_int_equal(sv_stmt_int(outer, 0), 2 * (n + 1));
		n++;
	}
	assert_int_equal(n, 50);
	sv_stmt_free(outer);
	/* the buffer's text is the holder query now: it is the one run */
	assert_int_equal(rows(f->db, sql, "h0", &sum), 14);
}

/* Bad SQL in a buffer, then good SQL in it: the failure leaves no stale statement. */
static void test_same_buffer_after_error(void **state)
{
	fixture *f = *state;
	char sql[256];
	sv_stmt *st = NULL;
	int64_t sum;

	snprintf(sql, sizeof(sql), "SELECT id FROM t WHERE state = ?1");
	assert_int_equal(rows(f->db, sql, "issued", &sum), 50);
	snprintf(sql, sizeof(sql), "SELECT id FROM nowhere WHERE state = ?1");
	assert_true(sv_db_query(&st, f->db, sql, "t", "issued") < 0);
	assert_null(st);
	snprintf(sql, sizeof(sql), "SELECT id FROM t WHERE holder = ?1");
	assert_int_equal(rows(f->db, sql, "h1", &sum), 15);
}

/* More distinct texts than the cache holds, each from the same buffer and from literals. */
static void test_many_texts(void **state)
{
	fixture *f = *state;
	char sql[256];

	for (int round = 0; round < 2; round++)
		for (int i = 1; i <= 120; i++) {
			int64_t n = 0;

			snprintf(sql, sizeof(sql), "SELECT count(*) FROM t WHERE id <= %d", i);
			assert_int_equal(sv_db_int(&n, f->db, sql, ""), 1);
			assert_int_equal(n, i < 100 ? i : 100);
			n = 0;
			assert_int_equal(sv_db_int(&n, f->db, "SELECT count(*) FROM t WHERE id <= ?", "i",
						   (int64_t)i), 1);
			assert_int_equal(n, i < 100 ? i : 100);
		}
}

/* Two buffers with the same text, and a literal used again: all right answers. */
static void test_literals_and_copies(void **state)
{
	fixture *f = *state;
	char a[128], b[128];
	int64_t sum;

	snprintf(a, sizeof(a), "SELECT id FROM t WHERE holder = ?1");
	snprintf(b, sizeof(b), "%s", a);
	assert_int_equal(rows(f->db, a, "h2", &sum), 15);
	assert_int_equal(rows(f->db, b, "h2", &sum), 15);
	for (int i = 0; i < 3; i++)
		assert_int_equal(rows(f->db, "SELECT id FROM t WHERE state = ?1", "issued", &sum), 50);
	assert_int_equal(sv_db_run(f->db, "UPDATE t SET state = ?1 WHERE id = 1", "t", "issued"), 0);
	assert_int_equal(rows(f->db, "SELECT id FROM t WHERE state = ?1", "issued", &sum), 51);
}

/* sv_db_each's row function: counts rows, sums ids, stops at `stop`. */
typedef struct {
	int64_t n, sum, stop;
} counted;

static int count_row(void *ctx, sv_stmt *st)
{
	counted *c = ctx;

	c->n++;
	c->sum += sv_stmt_int(st, 0);
	return sv_stmt_int(st, 0) == c->stop ? 1 : 0;
}

/* sv_rows_build's row function: the ids of the rows kept (even ones), or an error at 13. */
static int even_ids(void *ctx, sv_stmt *st, sv_json *arr)
{
	(void)ctx;
	if (sv_stmt_int(st, 0) == 13)
		return SCRVAULT_ECONFLICT;
	return sv_stmt_int(st, 0) % 2 ? 0 : sv_json_append(arr, sv_json_int(sv_stmt_int(st, 0)));
}

/* The one query loop: every row, a row that stops it, the first row's values. */
static void test_each_and_first_row(void **state)
{
	fixture *f = *state;
	counted c = { 0, 0, 0 };
	char text[3] = "", holder[8] = "", none[8] = "x";
	int64_t n = -1;
	sv_json *arr = NULL;
	sv_stmt *st = NULL;

	assert_int_equal(sv_db_each(f->db, count_row, &c, "SELECT id FROM t WHERE state = ?", "t", "issued"), 0);
	assert_int_equal(c.n, 50);
	assert_int_equal(c.sum, 2550);
	c = (counted){ 0, 0, 10 };
	assert_int_equal(sv_db_each(f->db, count_row, &c, "SELECT id FROM t ORDER BY id", ""), 1);
	assert_int_equal(c.n, 10);
	/* sv_db_run and sv_db_int are the same loop */
	assert_int_equal(sv_db_int(&n, f->db, "SELECT count(*) FROM t WHERE holder = ?", "t", "h3"), 1);
	assert_int_equal(n, 14);
	assert_int_equal(sv_db_int(&n, f->db, "SELECT id FROM t WHERE id > 1000", ""), 0);
	assert_int_equal(n, 14);	/* unchanged when there is no row */
	/* a text and an integer, the text cut to its buffer */
	assert_int_equal(sv_db_text_int(text, sizeof(text), &n, f->db, "SELECT state, id FROM t WHERE id = ?", "i",
					(int64_t)4), 1);
	assert_string_equal(text, "is");
	assert_int_equal(n, 4);
	/* columns into buffers; NULL as "" */
	assert_int_equal(sv_db_query(&st, f->db, "SELECT holder, NULL FROM t WHERE id = 10", ""), 0);
	assert_int_equal(sv_stmt_step(st), 1);
	sv_stmt_texts(st, 0, holder, sizeof(holder), none, sizeof(none), NULL);
	sv_stmt_free(st);
	assert_string_equal(holder, "h3");
	assert_string_equal(none, "");
	/* an array of what a row function makes; an error leaves nothing */
	assert_int_equal(sv_rows_build(&arr, f->db, even_ids, NULL, "SELECT id FROM t WHERE id <= 12 ORDER BY id", ""), 0);
	assert_int_equal(sv_json_count(arr), 6);
	assert_int_equal(sv_json_as_int(sv_json_at(arr, 5)), 12);
	sv_json_free(arr);
	assert_int_equal(sv_rows_build(&arr, f->db, even_ids, NULL, "SELECT id FROM t ORDER BY id", ""),
			 SCRVAULT_ECONFLICT);
	assert_null(arr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_buffer_other_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_buffer_nested, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_buffer_after_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_texts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_literals_and_copies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_and_first_row, setup, teardown),
	};

	if (sv_crypto_init() < 0)
		return 1;
	return cmocka_run_group_tests_name("db", tests, NULL, NULL);
}
