/*
 * router.h - scrvaultd's routes: the one table of what the service answers
 * (method, path pattern, handler, what it needs), and the pure parts that
 * read a request's method, path and query before anything else sees them.
 *
 * Nothing here touches the network, the vault or a secret: the fuzz target
 * (tests/fuzz/fuzz_router.c) drives these functions directly.  A path is
 * matched as it arrived, never decoded: a '%' anywhere, an empty, "." or
 * ".." segment, a NUL, a control byte or an overlong path is refused before
 * any route is looked at, so no route ever sees a path trick.
 */
#ifndef SVD_ROUTER_H
#define SVD_ROUTER_H

#include <stddef.h>

/* What a route needs. */
#define SVD_AUTH	1u	/* a live session (Authorization: Bearer) */
#define SVD_SEALED	2u	/* answers while the vault is sealed */
#define SVD_JSON	4u	/* a JSON object body */
#define SVD_BYTES	8u	/* an application/octet-stream body */

#define SVD_PATH_MAX	512	/* bytes of a path, without its query */
#define SVD_QUERY_MAX	1024	/* bytes of a query */
#define SVD_PARAM_MAX	64	/* bytes of one {param} */
#define SVD_PARAMS_MAX	3

/* Outcomes of svd_route_match (HTTP statuses). */
#define SVD_MATCH_OK		0
#define SVD_MATCH_BAD		400	/* a path no route could ever have */
#define SVD_MATCH_NONE		404
#define SVD_MATCH_METHOD	405

struct svd_req;
typedef int (*svd_handler)(struct svd_req *r);

typedef struct {
	const char *method;	/* "GET", "POST", "PUT", "DELETE" */
	const char *pattern;	/* "/v1/docs/{doc}/versions/{version}/content" */
	svd_handler fn;
	unsigned flags;		/* SVD_* */
	size_t max_body;	/* bytes; 0: no body allowed */
	const char *summary;	/* one line, as docs/API.md has it */
} svd_route;

extern const svd_route svd_routes[];	/* ended by { NULL } */

typedef struct {
	const svd_route *route;
	size_t nparams;
	char params[SVD_PARAMS_MAX][SVD_PARAM_MAX + 1];
} svd_match;

/*
 * Find the route for `method` and `path` (the request target up to '?';
 * `len` its bytes, which may hold a NUL: refused).  SVD_MATCH_OK with
 * m->route and its {params} in order, or the status to answer.
 */
int svd_route_match(svd_match *m, const char *method, const char *path, size_t len);

/*
 * The value of `key` in the query `query` (NULL: none) into out[len]:
 * 1 found, 0 absent, -1 malformed (a '%', '+', a byte outside
 * [A-Za-z0-9._@:,-], an empty or repeated key, or a value longer than len-1).
 */
int svd_query_get(char *out, size_t len, const char *query, const char *key);
/* Whether every key of `query` is one of the NULL-ended `keys` and the query is well formed. */
int svd_query_check(const char *query, const char *const *keys);

/* A bearer token's shape: base64url, 16 to 128 characters. */
int svd_token_ok(const char *s);

#endif
