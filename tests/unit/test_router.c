/*
 * test_router.c - scrvaultd's route matching and parameter checks
 * (src/daemon/routes.c, its table without handlers: SVD_ROUTES_ONLY).
 * Each path trick is tried and must be refused before any route sees it.
 */
#include "unit.h"
#define SVD_ROUTES_ONLY
#include "../../src/daemon/routes.c"

static int match(svd_match *m, const char *method, const char *path)
{
	return svd_route_match(m, method, path, strlen(path));
}

static void test_matches(void **state)
{
	svd_match m;
	(void)state;

	assert_int_equal(match(&m, "GET", "/v1/status"), SVD_MATCH_OK);
	assert_string_equal(m.route->pattern, "/v1/status");
	assert_int_equal(m.nparams, 0);
	assert_int_equal(match(&m, "GET", "/v1/docs/a1b2c3/versions/12/content"), SVD_MATCH_OK);
	assert_string_equal(m.route->pattern, "/v1/docs/{doc}/versions/{version}/content");
	assert_int_equal(m.nparams, 2);
	assert_string_equal(m.params[0], "a1b2c3");
	assert_string_equal(m.params[1], "12");
	assert_int_equal(match(&m, "PUT", "/v1/uploads/u-1"), SVD_MATCH_OK);
	assert_string_equal(m.route->method, "PUT");
	assert_int_equal(match(&m, "DELETE", "/v1/uploads/u-1"), SVD_MATCH_OK);
	assert_string_equal(m.route->method, "DELETE");
	assert_int_equal(match(&m, "POST", "/v1/session"), SVD_MATCH_OK);
	assert_int_equal(match(&m, "DELETE", "/v1/session"), SVD_MATCH_OK);
	/* the pages: "/" alone, and one name under /app */
	assert_int_equal(match(&m, "GET", "/"), SVD_MATCH_OK);
	assert_string_equal(m.route->pattern, "/");
	assert_int_equal(match(&m, "GET", "/app/main.js"), SVD_MATCH_OK);
	assert_string_equal(m.params[0], "main.js");
	assert_int_equal(match(&m, "POST", "/"), SVD_MATCH_METHOD);
}

static void test_refusals(void **state)
{
	static const char *const bad[] = {
		"/v1/docs/../../etc/passwd", "/v1/docs/%2e%2e/log", "/v1/./status", "//v1/status",
		"/v1/status/", "v1/status", "", "/v1/docs/a b", "/v1/docs/a\\b", "/v1/docs/\x7f",
		"/v1/docs/\xc3\xa9", "/v1/docs/..", "/app/../x", "/app/%2e%2e/x", "/app/./main.js",
		"//", "/app//main.js", NULL
	};
	char longpath[SVD_PATH_MAX + 8];
	svd_match m;
	(void)state;

	for (size_t i = 0; bad[i]; i++)
		if (match(&m, "GET", bad[i]) != SVD_MATCH_BAD)
			fail_msg("'%s' was not refused as malformed", bad[i]);
	assert_int_equal(svd_route_match(&m, "GET", "/v1/docs/a\0b", 12), SVD_MATCH_BAD);
	memset(longpath, 'a', sizeof(longpath));
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(match(&m, "GET", longpath), SVD_MATCH_BAD);
	assert_null(m.route);
	/* a malformed name matches no route */
	assert_int_equal(match(&m, "GET", "/v1/docs/.hidden"), SVD_MATCH_NONE);
	assert_int_equal(match(&m, "GET", "/v1/docs/a:b"), SVD_MATCH_NONE);
	assert_int_equal(match(&m, "GET", "/app/.main.js"), SVD_MATCH_NONE);
	assert_int_equal(match(&m, "GET", "/app/js/main.js"), SVD_MATCH_NONE);
	memset(longpath, 'a', sizeof(longpath));
	memcpy(longpath, "/v1/docs/", 9);
	longpath[9 + SVD_PARAM_MAX] = '\0';
	assert_int_equal(match(&m, "GET", longpath), SVD_MATCH_OK);
	longpath[9 + SVD_PARAM_MAX] = 'a';
	longpath[10 + SVD_PARAM_MAX] = '\0';
	assert_int_equal(match(&m, "GET", longpath), SVD_MATCH_NONE);
	assert_int_equal(match(&m, "GET", "/v1/nothing"), SVD_MATCH_NONE);
	assert_int_equal(match(&m, "GET", "/v2/status"), SVD_MATCH_NONE);
	assert_int_equal(match(&m, "DELETE", "/v1/status"), SVD_MATCH_METHOD);
	assert_int_equal(match(&m, "PATCH", "/v1/cases"), SVD_MATCH_METHOD);
}

static void test_query(void **state)
{
	static const char *const keys[] = { "offset", "as_of", NULL };
	char buf[16];
	(void)state;

	assert_int_equal(svd_query_get(buf, sizeof(buf), "offset=8&as_of=2026-01-02", "as_of"), 1);
	assert_string_equal(buf, "2026-01-02");
	assert_int_equal(svd_query_get(buf, sizeof(buf), "offset=8", "as_of"), 0);
	assert_int_equal(svd_query_get(buf, sizeof(buf), NULL, "as_of"), 0);
	assert_int_equal(svd_query_get(buf, sizeof(buf), "offset=1&offset=2", "offset"), -1);
	assert_int_equal(svd_query_get(buf, sizeof(buf), "offset=%31", "offset"), -1);
	assert_int_equal(svd_query_get(buf, sizeof(buf), "offset=1+1", "offset"), -1);
	assert_int_equal(svd_query_get(buf, sizeof(buf), "=1", "offset"), -1);
	assert_int_equal(svd_query_get(buf, sizeof(buf), "offset", "offset"), -1);
	assert_int_equal(svd_query_get(buf, sizeof(buf), "offset=12345678901234567", "offset"), -1);
	assert_int_equal(svd_query_check("offset=1&as_of=x", keys), 0);
	assert_int_equal(svd_query_check("offset=1&evil=x", keys), -1);
	assert_int_equal(svd_query_check("", keys), 0);
}

static void test_token(void **state)
{
	(void)state;
	assert_true(svd_token_ok("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ-_01234"));
	assert_false(svd_token_ok("short"));
	assert_false(svd_token_ok("abcdefghijklmnopqrstuvwxyz+/=="));
	assert_false(svd_token_ok(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_token),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
