/*
 * daemon.h - scrvaultd's state and the helpers its handlers answer with.
 *
 * One process, one event loop, one thread: requests are served one after
 * another on the one unsealed handle, each acting for the session that made
 * it (scrvault_session_resume) before any library call.  The daemon holds
 * no rule of its own about what a person may do: the library decides, and
 * the daemon maps its codes onto HTTP (svd_fail).
 */
#ifndef SVD_DAEMON_H
#define SVD_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "scrvault/scrvault.h"
#include "scrvault/session.h"
#include "scrvault/upload.h"
#include "router.h"

#define SVD_OFFER_SECONDS	60
#define SVD_ADDR_FAILURES_MAX	20	/* failed sign-ins per address per window */
#define SVD_ADDR_WINDOW		(15 * 60)
#define SVD_ADDRS		256

typedef struct {
	char addr[64];
	time_t since;
	unsigned failures;
} svd_addr_count;

#define SVD_CONNS_MAX		1024	/* connections the table can follow */

typedef struct {
	void *conn;				/* an evhttp_connection; NULL: free */
	char addr[64];
} svd_conn;

typedef struct svd_daemon {
	struct event_base *base;
	const char *dir;			/* the vault */
	scrvault *v;				/* NULL: sealed */
	scrvault_unseal_offer *offer;		/* the one pending offer */
	time_t offer_at;
	char vault_id[80];			/* public facts from an offer: status never */
	char vkey[256];				/* touches the handle (it acts for someone) */
	time_t last_auth;			/* the last authenticated request */
	unsigned idle_seal_seconds;		/* 0: never */
	unsigned unseal_flags;			/* SCRVAULT_OPEN_ALLOW_UNLOCKED_MEMORY */
	svd_addr_count addrs[SVD_ADDRS];	/* failed sign-ins per address */
	char *ca_pem;				/* the vault CA's certificate, exactly as */
	size_t ca_len;				/* --ca gave it or the vault wrote it */
	const char *backup_dir;			/* --backup-dir: where POST /v1/backups writes */
	svd_conn conns[SVD_CONNS_MAX];		/* connections that made a request */
	unsigned nconns;
	unsigned max_conns;			/* --max-connections (<= SVD_CONNS_MAX) */
	unsigned max_conns_addr;		/* --max-per-address */
	unsigned request_timeout;		/* --request-timeout: seconds for a whole request */
	void *tls_ctx;				/* the HTTPS listener's SSL_CTX (tls.c) */
	struct svd_deadline *deadlines;		/* connections' request deadlines (http.c) */
	char origin[256];			/* the web pages' origin ("": none; web.c) */
	unsigned char csrf_key[32];		/* anti-forgery tokens' key, this run only */
	bool stopping;
} svd_daemon;

typedef struct svd_req {
	svd_daemon *d;
	struct evhttp_request *ev;
	svd_match m;
	const char *query;			/* raw query after '?', or NULL */
	scrvault_json *body;			/* an SVD_JSON route's body */
	const unsigned char *bytes;		/* an SVD_BYTES route's body */
	size_t nbytes;
	char client[64];			/* "unix:uid=N" or the peer address */
	char token[130];			/* the bearer token (never logged) */
	bool by_cookie;				/* the token came in the pages' cookie */
	int status;				/* what was answered, for the log line */
} svd_req;

/* Answers; each sends the reply.  svd_reply_json frees j. */
void svd_reply_json(svd_req *r, int status, scrvault_json *j);
/*
 * Answer a library call that produced JSON into *j: rc < 0 is returned for
 * the caller's error answer (and *j freed); otherwise *j is answered with
 * 200.  *j is NULL after.  A pointer, read here: the call is usually an
 * argument of this one, and C does not say in which order arguments are
 * evaluated.
 */
int svd_reply_result(svd_req *r, int rc, scrvault_json **j);
void svd_reply_text(svd_req *r, int status, const char *ctype, const char *buf, size_t len);
void svd_reply_error(svd_req *r, int status, int code, const char *message, const char *field);
/*
 * The security headers every answer carries (CSP, HSTS, no-store...), for a
 * handler that sends its answer itself (a stream); the functions above add them.
 */
void svd_reply_headers(svd_req *r);
/* Answer the library's failure `rc` (its message and field) with the matching status. */
int svd_fail(svd_req *r, int rc);
/* The HTTP status of a library code. */
int svd_status_of(int rc);

/* A string member of the body (NULL if absent or not a string). */
const char *svd_str(const svd_req *r, const char *key);
/* An integer member of the body; *found false when absent. */
int64_t svd_int(const svd_req *r, const char *key, bool *found);

/* Keep the vault id and verifier key of an offer's public facts. */
void svd_keep_facts(svd_daemon *d, const scrvault_json *offer);

/* Keep the vault CA's certificate (PEM) once unsealed, if --ca gave none. */
void svd_keep_ca(svd_daemon *d);

/*
 * Answer 200 with the file at `path` as the body (streamed from its
 * descriptor, not read into memory) and unlink it; `name` (or NULL) for
 * Content-Disposition.  Returns the library-style code on failure.
 */
int svd_reply_file(svd_req *r, const char *ctype, const char *path, const char *name);

/* Seal now (reason "requested", "idle", "shutdown"). */
void svd_seal(svd_daemon *d, const char *reason);

/* Failed sign-ins from an address: whether it must wait; count one more. */
bool svd_addr_blocked(svd_daemon *d, const char *addr);

/* The session a request names (http.c): 0, or -1 with the refusal answered. */
int svd_authenticate(svd_req *r);

/*
 * The pages (web.c).  svd_web_cookie: the session token from the pages'
 * cookie into r->token, checked for a state-changing request (the
 * X-CSRF-Token, the Origin): 1, 0 no cookie, -1 refused (answered).
 * svd_web_csrf: the anti-forgery token of r->token into out[64].
 * svd_web_origin: set d->origin from --origin, or from --listen HOST:PORT.
 */
int svd_web_cookie(svd_req *r);
void svd_web_csrf(const svd_req *r, char out[64]);
int svd_web_origin(svd_daemon *d, const char *origin, const char *host, int port);
void svd_addr_failed(svd_daemon *d, const char *addr);

#endif
