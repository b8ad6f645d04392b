/*
 * fuzz_router.c - libFuzzer target for scrvaultd's routing and parameter
 * checks (src/daemon/routes.c, built with SVD_ROUTES_ONLY: the table
 * without its handlers).  The input is a request's parts:
 *
 *   METHOD "\n" TARGET "\n" AUTHORIZATION-VALUE "\n" ...
 *
 * TARGET is split at '?' into the path (given to svd_route_match with its
 * length, NULs and all) and the query (svd_query_check against the matched
 * route's keys and svd_query_get of a few keys); the Authorization value
 * goes to svd_token_ok.  What must hold, whatever the input: no crash, no
 * sanitizer report, no leak; a match's route has that method and pattern
 * shape, and each param is 1..SVD_PARAM_MAX bytes of [A-Za-z0-9._@-] not
 * starting with '.'; a path with '%', "..", "." or "//" never matches.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *line(const uint8_t **p, const uint8_t *end, size_t *len)
{
	const uint8_t *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));

	*len = (size_t)((nl ? nl : end) - s);
	*p = nl ? nl + 1 : end;
	return (const char *)s;
}

static char *cstr(const char *s, size_t n)
{
	char *c = malloc(n + 1);

	if (!c)
		abort();
	memcpy(c, s, n);
	c[n] = '\0';
	return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	size_t mn, tn, an, pn;
	const char *ms = line(&p, end, &mn), *ts = line(&p, end, &tn), *as = line(&p, end, &an);
	char *method = cstr(ms, mn), *target = cstr(ts, tn), *auth = cstr(as, an);
	const char *q = memchr(ts, '?', tn);
	char *query = q ? cstr(q + 1, tn - (size_t)(q + 1 - ts)) : NULL;
	svd_match m;
	char buf[64];
	int rc;

	pn = q ? (size_t)(q - ts) : tn;
	rc = svd_route_match(&m, method, ts, pn);
	if (rc == SVD_MATCH_OK) {
		if (!m.route || strcmp(m.route->method, method) != 0 || m.nparams > SVD_PARAMS_MAX)
			abort();
		for (size_t i = 0; i < m.nparams; i++) {
			size_t n = strlen(m.params[i]);
			if (n == 0 || n > SVD_PARAM_MAX || m.params[i][0] == '.' ||
			    strspn(m.params[i], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-") != n)
				abort();
		}
		if (memchr(ts, '%', pn) || memmem(ts, pn, "/../", 4) || memmem(ts, pn, "//", 2) ||
		    memmem(ts, pn, "/./", 3) || memchr(ts, '\0', pn))
			abort();
	} else if (rc != SVD_MATCH_BAD && rc != SVD_MATCH_NONE && rc != SVD_MATCH_METHOD) {
		abort();
	}
	static const char *const keys[] = { "offset", "as_of", "since", "case", NULL };
	(void)svd_query_check(query, keys);
	for (size_t i = 0; keys[i]; i++) {
		int g = svd_query_get(buf, sizeof(buf), query, keys[i]);
		if (g == 1 && (strlen(buf) >= sizeof(buf) || strchr(buf, '%') || strchr(buf, '&')))
			abort();
	}
	(void)svd_token_ok(auth);
	free(method);
	free(target);
	free(auth);
	free(query);
	return 0;
}
