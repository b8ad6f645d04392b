/*
 * test_challenge.c - a session's in-memory challenge tables
 * (sv_session_challenge_room, vault/session.c): expired challenges go,
 * the live ones keep their order, and at the cap the oldest goes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "unit.h"
#include "vault/session.h"

struct ch {
	int id;
	int64_t expires;
};

static int room(struct ch **t, size_t *n, size_t max, int64_t now)
{
	return sv_session_challenge_room(t, n, sizeof(**t), max, offsetof(struct ch, expires), now);
}

/* The table is made on first use, empty. */
static void test_first_use(void **state)
{
	struct ch *t = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(room(&t, &n, 4, 100), 0);
	assert_non_null(t);
	assert_int_equal(n, 0);
	free(t);
}

/* Expired challenges go (expiry at or before now), the live keep their order. */
static void test_expired_go(void **state)
{
	struct ch *t = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(room(&t, &n, 8, 0), 0);
	t[n++] = (struct ch){ 1, 50 };
	t[n++] = (struct ch){ 2, 200 };
	t[n++] = (struct ch){ 3, 100 };
	t[n++] = (struct ch){ 4, 300 };
	assert_int_equal(room(&t, &n, 8, 100), 0);
	assert_int_equal(n, 2);
	assert_int_equal(t[0].id, 2);
	assert_int_equal(t[1].id, 4);
	free(t);
}

/* A full table of live challenges loses its oldest, and only that one. */
static void test_cap(void **state)
{
	struct ch *t = NULL;
	size_t n = 0;

	(void)state;
	for (int i = 1; i <= 5; i++) {
		assert_int_equal(room(&t, &n, 3, 0), 0);
		assert_true(n < 3);
		t[n++] = (struct ch){ i, 1000 };
	}
	assert_int_equal(n, 3);
	assert_int_equal(t[0].id, 3);
	assert_int_equal(t[1].id, 4);
	assert_int_equal(t[2].id, 5);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_use),
		cmocka_unit_test(test_expired_go),
		cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
