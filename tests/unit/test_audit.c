/*
 * test_audit.c - the live audit log under attack: entries edited, deleted,
 * inserted, reordered or truncated directly in the database (as someone
 * holding the database key could), and checkpoints that must not be signed
 * over a rewritten history.
 */
#include "unit.h"
#include <unistd.h>
#include "vault/log.h"
#include "vault/txn.h"
#include "storage/db.h"

typedef struct {
	char *dir;
	char *vault;
	char *key;
	scrvault *v;
} fixture;

static int setup(void **state)
{
	scrvault_principal_spec s = { .version = SCRVAULT_PRINCIPAL_SPEC_VERSION, .name = "coord", .kind = "person", .custodian = true, .kdf_mib = 19 };
	scrvault_case_spec c = { .version = SCRVAULT_CASE_SPEC_VERSION, .ref = "SCR-2026-01", .title = "t", .review_type = "scr" };
	scrvault_secret *pp = NULL;
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(scrvault_global_init(), 0);
	f->dir = unit_tmpdir();
	assert_true(asprintf(&f->vault, "%s/v", f->dir) > 0);
	assert_true(asprintf(&f->key, "%s/k", f->dir) > 0);
	assert_int_equal(scrvault_secret_new(&pp, "a good passphrase", 17), 0);
	assert_int_equal(scrvault_vault_init(f->vault, &s, f->key, pp), 0);
	assert_int_equal(scrvault_vault_open(&f->v, &(scrvault_open_options){ .version = SCRVAULT_OPEN_OPTIONS_VERSION, .dir = f->vault, .keyfile = f->key, .passphrase = pp }), 0);
	scrvault_secret_free(pp);
	/* A few commands: init made entries 1-5 (one checkpoint), then one
	 * entry and checkpoint per case opened: 6, 7, 8, 9. */
	for (int i = 0; i < 4; i++) {
		char ref[32];

		snprintf(ref, sizeof(ref), "SCR-2026-%02d", i + 1);
		c.ref = ref;
		assert_int_equal(scrvault_case_open(f->v, &c), 0);
	}
	/* As the end of a session does: the latest checkpoint into the store. */
	assert_int_equal(sv_audit_publish(f->v, true), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	scrvault_vault_close(f->v);
	unit_rmtree(f->dir);
	free(f->dir);
	free(f->vault);
	free(f->key);
	free(f);
	return 0;
}

/* Verify and return the first bad sequence number (0 when it verifies). */
static int64_t verify(fixture *f)
{
	scrvault_json *r = NULL;
	int error = scrvault_audit_verify_live(&r, f->v, NULL);
	int64_t bad = 0;

	assert_non_null(r);
	if (error == 0)
		assert_true(scrvault_json_bool(scrvault_json_get(r, "ok")));
	else {
		assert_int_equal(error, SCRVAULT_EINTEGRITY);
		bad = scrvault_json_int(scrvault_json_get(r, "first_bad_seq"));
		if (bad == 0)
			bad = -1;
	}
	scrvault_json_free(r);
	return bad;
}

static void run(fixture *f, const char *sql)
{
	assert_int_equal(sv_db_exec(f->v->db, sql), 0);
}

static void test_clean_log_verifies(void **state)
{
	fixture *f = *state;
	uint64_t n = 0;

	assert_int_equal(sv_audit_size(&n, f->v), 0);
	assert_true(n >= 6);
	assert_int_equal(verify(f), 0);
}

static void test_edited_entry(void **state)
{
	fixture *f = *state;

	run(f, "UPDATE audit SET entry = replace(entry, '\"outcome\":\"ok\"', '\"outcome\":\"denied\"') WHERE seq = 6");
	assert_int_equal(verify(f), 6);
}

static void test_edited_entry_and_leaf(void **state)
{
	fixture *f = *state;
	sv_stmt *st = NULL;
	char *text;
	sv_hash leaf;

	/* Someone with the database key recomputes the leaf hash too: the
	 * signed checkpoints still catch it, located to one command. */
	run(f, "UPDATE audit SET entry = replace(entry, '\"outcome\":\"ok\"', '\"outcome\":\"denied\"') WHERE seq = 6");
	assert_int_equal(sv_db_query(&st, f->v->db, "SELECT entry FROM audit WHERE seq = 6", ""), 0);
	assert_int_equal(sv_stmt_step(st), 1);
	text = strdup(sv_stmt_text(st, 0));
	sv_stmt_free(st);
	sv_merkle_leaf_hash(&leaf, text, strlen(text));
	free(text);
	assert_int_equal(sv_db_run(f->v->db, "UPDATE audit SET leaf = ? WHERE seq = 6", "b", leaf.h, sizeof(leaf.h)), 0);
	{
		int64_t bad = verify(f);

		assert_true(bad >= 5 && bad <= 6);
	}
}

static void test_deleted_entry(void **state)
{
	fixture *f = *state;

	run(f, "DELETE FROM audit WHERE seq = 6");
	assert_int_equal(verify(f), 6);
}

static void test_inserted_entry(void **state)
{
	fixture *f = *state;

	run(f, "UPDATE audit SET seq = seq + 1000 WHERE seq >= 6;"
	       "UPDATE audit SET seq = seq - 999 WHERE seq >= 1006;"
	       "INSERT INTO audit(seq, entry, leaf) SELECT 6, entry, leaf FROM audit WHERE seq = 5;");
	assert_int_equal(verify(f), 6);
}

static void test_reordered_entries(void **state)
{
	fixture *f = *state;

	run(f, "UPDATE audit SET seq = -1 WHERE seq = 6;"
	       "UPDATE audit SET seq = 6 WHERE seq = 7;"
	       "UPDATE audit SET seq = 7 WHERE seq = -1;");
	assert_int_equal(verify(f), 6);
}

/* Every committed entry is covered by a signed checkpoint at once: the
 * checkpoint is signed inside the command's own transaction. */
static void test_signed_with_each_command(void **state)
{
	fixture *f = *state;
	scrvault_case_spec c = { .version = SCRVAULT_CASE_SPEC_VERSION, .ref = "SCR-2026-77", .title = "t", .review_type = "scr" };
	uint64_t n = 0;
	int64_t signed_size = 0;

	assert_int_equal(scrvault_case_open(f->v, &c), 0);
	assert_int_equal(sv_audit_size(&n, f->v), 0);
	assert_int_equal(sv_db_int(&signed_size, f->v->db, "SELECT max(size) FROM checkpoints", ""), 1);
	assert_int_equal((uint64_t)signed_size, n);
	/* Not yet in the store (a small command does not pay for that)... */
	assert_true(f->v->published_size < (int64_t)n);
	/* ...until the session publishes it: the store's tag carries the note. */
	assert_int_equal(sv_audit_publish(f->v, true), 0);
	assert_int_equal(f->v->published_size, (int64_t)n);
	{
		char *tag = NULL;
		sv_stmt *st = NULL;

		assert_int_equal(sv_store_tag_get(&tag, f->v->store, "refs/audit/checkpoint"), 0);
		assert_int_equal(sv_db_query(&st, f->v->db, "SELECT note FROM checkpoints WHERE size = ?", "i",
					     (int64_t)n), 0);
		assert_int_equal(sv_stmt_step(st), 1);
		assert_string_equal(tag, sv_stmt_text(st, 0));
		sv_stmt_free(st);
		free(tag);
	}
	assert_int_equal(verify(f), 0);
}

static void test_truncated_log(void **state)
{
	fixture *f = *state;
	uint64_t n = 0;

	assert_int_equal(sv_audit_size(&n, f->v), 0);
	run(f, "DELETE FROM audit WHERE seq > 4");
	assert_true(verify(f) != 0);
	/* Even with the checkpoints deleted too, the store's checkpoint remains. */
	run(f, "DELETE FROM checkpoints WHERE size > 4");
	assert_true(verify(f) != 0);
	(void)n;
}

static void test_never_signs_over_rewritten_history(void **state)
{
	fixture *f = *state;
	unsigned char leaf[32];

	/* Rewrite entry 3 consistently (entry, leaf and nodes would all need
	 * rewriting; the leaf alone is enough for the check to bite), between
	 * sessions, as someone holding the database key would. */
	{
		scrvault_secret *pp = NULL;

		scrvault_vault_close(f->v);
		assert_int_equal(scrvault_secret_new(&pp, "a good passphrase", 17), 0);
		assert_int_equal(scrvault_vault_open(&f->v, &(scrvault_open_options){ .version = SCRVAULT_OPEN_OPTIONS_VERSION, .dir = f->vault, .keyfile = f->key, .passphrase = pp }), 0);
		scrvault_secret_free(pp);
	}
	memset(leaf, 0x42, sizeof(leaf));
	assert_int_equal(sv_db_run(f->v->db, "UPDATE audit SET leaf = ? WHERE seq = 3", "b", leaf, sizeof(leaf)), 0);
	run(f, "DELETE FROM audit_nodes");
	assert_int_equal(sv_vault_begin(f->v), 0);
	assert_int_equal(sv_audit_append(f->v, "test", "ok", NULL, NULL), 0);
	assert_int_equal(sv_db_commit(f->v->db), 0);
	assert_true(sv_audit_checkpoint(f->v) < 0);
}

static void test_fail_closed(void **state)
{
	fixture *f = *state;
	scrvault_case_spec c = { .version = SCRVAULT_CASE_SPEC_VERSION, .ref = "SCR-2026-77", .title = "t", .review_type = "scr" };
	scrvault_json *list = NULL;
	uint64_t before = 0, after = 0;

	assert_int_equal(sv_audit_size(&before, f->v), 0);
	setenv("SCRVAULT_TEST_FAIL_AUDIT", "1", 1);
	assert_true(scrvault_case_open(f->v, &c) < 0);
	unsetenv("SCRVAULT_TEST_FAIL_AUDIT");
	assert_int_equal(sv_audit_size(&after, f->v), 0);
	assert_true(after == before);
	assert_int_equal(scrvault_case_show(&list, f->v, "SCR-2026-77"), SCRVAULT_ENOTFOUND);
	assert_int_equal(verify(f), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_clean_log_verifies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edited_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edited_entry_and_leaf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inserted_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reordered_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signed_with_each_command, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_signs_over_rewritten_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fail_closed, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
