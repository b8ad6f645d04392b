/*
 * handlers.c - each route's thin mapping onto one public call.
 *
 * A handler reads its params (already checked by routes.c) and its body,
 * calls the library acting for the request's session, and answers.  It
 * decides nothing the library decides: permissions, scope, states and
 * their audit entries are the library's.  It never logs a body or a token.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include "daemon.h"
#include "files.h"
#include "handlers.h"
#include "notify.h"

#define P(i) (r->m.params[i])

static char *b64(const unsigned char *in, size_t n);
static int result_header(svd_req *r, const scrvault_json *j);

/* A decimal number 1..max from a param or query value; 0 when malformed. */
static uint64_t number(const char *s, uint64_t max)
{
	uint64_t n = 0;

	if (!s || !*s || strlen(s) > 19 || (s[0] == '0'))
		return 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	return n <= max ? n : 0;
}

/* The query value `key` into buf, or NULL when absent; *bad set when malformed. */
static const char *query(svd_req *r, const char *key, char *buf, size_t len, bool *bad)
{
	int rc = svd_query_get(buf, len, r->query, key);

	if (rc < 0)
		*bad = true;
	return rc == 1 ? buf : NULL;
}

static int bad_query(svd_req *r, const char *what)
{
	svd_reply_error(r, 400, 2, what, NULL);
	return 0;
}

static int only(svd_req *r, const char *const *keys)
{
	if (svd_query_check(r->query, keys) < 0) {
		bad_query(r, "the query has a parameter this route does not take, or a malformed one "
			     "(key=value pairs of [A-Za-z0-9._@:,-], nothing percent-encoded)");
		return -1;
	}
	return 0;
}
static const char *const NO_QUERY[] = { NULL };
#define NOQ() do { if (only(r, NO_QUERY) < 0) return 0; } while (0)

/*
 * The route's first parameter as a number from 1 (a request, a hold, a
 * batch, an audit sequence ...), or 0 after a 404 naming what it should be.
 */
static uint64_t id_param(svd_req *r, const char *what, const char *field)
{
	uint64_t id = number(P(0), INT64_MAX);
	char msg[96];

	if (!id) {
		snprintf(msg, sizeof(msg), "%s is a number from 1", what);
		svd_reply_error(r, 404, 4, msg, field);
	}
	return id;
}

/*
 * A failed call that still produced JSON into *j (what the command line
 * prints beside the error: the copies that stop a conclusion, each
 * mirror's outcome): the error answer with that JSON as its "detail".
 */
static int error_with_detail(svd_req *r, int rc, scrvault_json **j)
{
	char *m = scrvault_json_quote(scrvault_error_message() ? scrvault_error_message() : "error");
	char *list = scrvault_json_text(*j), *text = NULL;
	int n = m && list ? asprintf(&text, "{\"detail\":%s,\"error\":{\"code\":%d,\"field\":null,"
				     "\"message\":%s}}", list, rc >= SCRVAULT_ECONFLICT ? -rc : 1, m) : -1;

	free(m);
	free(list);
	scrvault_json_free(*j);
	*j = NULL;
	if (n < 0)
		return rc;
	svd_reply_text(r, svd_status_of(rc), "application/json", text, (size_t)n);
	free(text);
	return 0;
}

/* ---- the service ---------------------------------------------------------------- */

void svd_keep_facts(svd_daemon *d, const scrvault_json *offer)
{
	const char *id = scrvault_json_str(scrvault_json_get(offer, "vault"));
	const char *vkey = scrvault_json_str(scrvault_json_get(offer, "vkey"));

	if (id && strlen(id) < sizeof(d->vault_id))
		snprintf(d->vault_id, sizeof(d->vault_id), "%s", id);
	if (vkey && strlen(vkey) < sizeof(d->vkey))
		snprintf(d->vkey, sizeof(d->vkey), "%s", vkey);
}

/*
 * Public facts only, the same sealed or not: they come from an offer (made
 * at start-up and with each unseal), never from the handle, which acts for
 * whoever made the last request.
 */
int svd_h_status(svd_req *r)
{
	svd_daemon *d = r->d;
	char *vault, *vkey, *text = NULL;
	int n;

	NOQ();
	vault = d->vault_id[0] ? scrvault_json_quote(d->vault_id) : NULL;
	vkey = d->vkey[0] ? scrvault_json_quote(d->vkey) : NULL;
	n = asprintf(&text, "{\"sealed\":%s,\"vault\":%s,\"version\":\"%s\",\"vkey\":%s}",
		     d->v ? "false" : "true", vault ? vault : "null", SCRVAULT_VERSION, vkey ? vkey : "null");
	free(vault);
	free(vkey);
	if (n < 0)
		return SCRVAULT_ERROR;
	svd_reply_text(r, 200, "application/json", text, (size_t)n);
	free(text);
	return 0;
}

int svd_h_unseal_offer(svd_req *r)
{
	svd_daemon *d = r->d;
	scrvault_json *offer = NULL;
	int rc;

	NOQ();
	if (d->v) {
		svd_reply_error(r, 409, 6, "the vault is not sealed", NULL);
		return 0;
	}
	scrvault_unseal_offer_free(d->offer);
	d->offer = NULL;
	if ((rc = scrvault_unseal_offer_new(&d->offer, &offer, d->dir)) < 0)
		return rc;
	d->offer_at = time(NULL);
	svd_keep_facts(d, offer);
	return svd_reply_result(r, 0, &offer);
}

int svd_h_unseal(svd_req *r)
{
	svd_daemon *d = r->d;
	scrvault_unseal_offer *offer = d->offer;
	int rc;

	NOQ();
	if (d->v) {
		svd_reply_error(r, 409, 6, "the vault is not sealed", NULL);
		return 0;
	}
	/* An offer is answered once, within its minute. */
	d->offer = NULL;
	if (!offer || time(NULL) - d->offer_at > SVD_OFFER_SECONDS) {
		scrvault_unseal_offer_free(offer);
		svd_reply_error(r, 409, 6, "no unseal offer is pending: ask for one (POST /v1/unseal/offer) "
			     "and answer it within a minute", NULL);
		return 0;
	}
	rc = scrvault_vault_unseal(&d->v, offer, r->body, d->unseal_flags);
	scrvault_unseal_offer_free(offer);
	if (rc < 0)
		return rc;
	d->last_auth = time(NULL);
	{	/* the verifier key is in the encrypted database: status shows it from the
		 * first unseal on, sealed again too (public: no one's permission) */
		char *vkey = NULL;
		if (scrvault_vault_vkey(&vkey, d->v) == 0 && strlen(vkey) < sizeof(d->vkey))
			snprintf(d->vkey, sizeof(d->vkey), "%s", vkey);
		free(vkey);
		scrvault_error_clear();
	}
	svd_keep_ca(d);
	svd_notify("STATUS=unsealed");
	fprintf(stderr, "scrvaultd: unsealed by %s\n", scrvault_whoami(d->v));
	return svd_h_status(r);
}

void svd_keep_ca(svd_daemon *d)
{
	scrvault_json *out = NULL;
	char path[PATH_MAX];
	svd_tmp t;

	if (d->ca_pem || !d->v || svd_tmp_make(&t) < 0)
		return;
	/* Public, changes nothing; ENOTFOUND for a vault without a CA (none kept). */
	if (svd_tmp_path(&t, "ca.pem", path, sizeof(path)) == 0 &&
	    scrvault_tls_ca_cert(&out, d->v, path) == 0 &&
	    svd_file_read(path, 64 * 1024, &d->ca_pem, &d->ca_len) < 0)
		d->ca_pem = NULL;
	scrvault_json_free(out);
	scrvault_error_clear();
	svd_tmp_remove(&t);
}

/*
 * The vault CA's certificate, exactly the PEM bytes (a client checks its
 * endorsement under the vault key it pinned, scrvault_tls_ca_pin, before
 * trusting it: it trusts nothing of this connection).  Sealed too: from
 * --ca, or kept from the last unseal.
 */
int svd_h_tls_ca(svd_req *r)
{
	char *pem, *q, *text = NULL;
	int n;

	NOQ();
	if (!r->d->ca_pem) {
		svd_reply_error(r, 404, 4, r->d->v ? "the vault has no CA (scrvault tls ca-create)"
				: "the CA certificate is known once the vault is unsealed, or from scrvaultd --ca FILE",
				NULL);
		return 0;
	}
	if (!(pem = strndup(r->d->ca_pem, r->d->ca_len)))
		return SCRVAULT_ERROR;
	q = scrvault_json_quote(pem);
	free(pem);
	n = q ? asprintf(&text, "{\"certificate\":%s}", q) : -1;
	free(q);
	if (n < 0)
		return SCRVAULT_ERROR;
	svd_reply_text(r, 200, "application/json", text, (size_t)n);
	free(text);
	return 0;
}

int svd_h_seal(svd_req *r)
{
	int rc;

	NOQ();
	/* Custodians (or a role with vault.seal): the library decides and audits a refusal. */
	if ((rc = scrvault_vault_may_seal(r->d->v)) < 0)
		return rc;
	svd_seal(r->d, "requested");
	svd_reply_text(r, 200, "application/json", "{\"sealed\":true}", 15);
	return 0;
}

/* ---- sessions -------------------------------------------------------------------- */

int svd_h_challenge(svd_req *r)
{
	scrvault_json *out = NULL;
	const char *who = svd_str(r, "principal");

	NOQ();
	if (!who) {
		svd_reply_error(r, 422, 2, "name the principal signing in", "principal");
		return 0;
	}
	return svd_reply_result(r, scrvault_session_challenge(&out, r->d->v, who), &out);
}

int svd_h_login(svd_req *r)
{
	scrvault_login_spec s = SCRVAULT_LOGIN_SPEC_INIT;
	scrvault_json *out = NULL;
	int rc;

	NOQ();
	if (svd_addr_blocked(r->d, r->client)) {
		svd_reply_error(r, 429, 3, "too many failed sign-ins from this address: wait 15 minutes", NULL);
		return 0;
	}
	s.principal = svd_str(r, "principal");
	s.challenge = svd_str(r, "challenge");
	s.signature = svd_str(r, "signature");
	s.client = r->client;
	if (!s.principal || !s.challenge || !s.signature) {
		svd_reply_error(r, 422, 2, "a sign-in needs principal, challenge and signature",
				!s.principal ? "principal" : !s.challenge ? "challenge" : "signature");
		return 0;
	}
	if ((rc = scrvault_session_login(&out, r->d->v, &s)) == SCRVAULT_EDENIED) {
		const char *f = scrvault_error_field();
		/* A limit, not a bad sign-in: too many live sessions or failures. */
		if (f && (!strcmp(f, "sessions") || !strcmp(f, "failures"))) {
			svd_reply_error(r, 429, 3, scrvault_error_message(), f);
			return 0;
		}
		svd_addr_failed(r->d, r->client);
		svd_reply_error(r, 401, 3, scrvault_error_message(), scrvault_error_field());
		return 0;
	}
	if (rc == 0)
		r->d->last_auth = time(NULL);
	return svd_reply_result(r, rc, &out);
}

int svd_h_logout(svd_req *r)
{
	int rc;

	NOQ();
	if ((rc = scrvault_session_end(r->d->v, r->token)) < 0)
		return rc;
	if (r->by_cookie)	/* the pages' cookie goes with the session */
		evhttp_add_header(evhttp_request_get_output_headers(r->ev), "Set-Cookie",
				  "__Host-scrvault=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
	svd_reply_text(r, 200, "application/json", "{\"ended\":true}", 14);
	return 0;
}

int svd_h_sessions(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_session_list(&out, r->d->v), &out);
}

int svd_h_session_revoke(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_session_revoke(&out, r->d->v, P(0)), &out);
}

int svd_h_whoami(svd_req *r)
{
	char *who, *role, *agency = NULL, *qagency, *text = NULL;
	int n, rc;

	NOQ();
	/* The principal's agency, from its record: the pages never ask for it. */
	if ((rc = scrvault_principal_agency(&agency, r->d->v)) < 0)
		return rc;
	who = scrvault_json_quote(scrvault_whoami(r->d->v));
	role = scrvault_json_quote(scrvault_role(r->d->v));
	qagency = agency ? scrvault_json_quote(agency) : strdup("null");
	/* The pages get their anti-forgery token again here after a reload. */
	if (r->by_cookie) {
		char csrf[64];

		svd_web_csrf(r, csrf);
		n = (who && role && qagency) ? asprintf(&text, "{\"principal\":%s,\"role\":%s,\"agency\":%s,"
							"\"csrf\":\"%s\"}", who, role, qagency, csrf) : -1;
	} else
		n = (who && role && qagency) ? asprintf(&text, "{\"principal\":%s,\"role\":%s,\"agency\":%s}",
							who, role, qagency) : -1;
	free(who);
	free(role);
	free(agency);
	free(qagency);
	if (n < 0)
		return SCRVAULT_ERROR;
	svd_reply_text(r, 200, "application/json", text, (size_t)n);
	free(text);
	return 0;
}

/* ---- cases and documents ------------------------------------------------------------ */

int svd_h_cases(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_case_list(&out, r->d->v), &out);
}

int svd_h_case(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_case_show(&out, r->d->v, P(0)), &out);
}

int svd_h_case_timeline(svd_req *r)
{
	static const char *const keys[] = { "as_of", NULL };
	scrvault_json *out = NULL;
	char as_of[16];
	bool bad = false;
	const char *a;

	if (only(r, keys) < 0)
		return 0;
	a = query(r, "as_of", as_of, sizeof(as_of), &bad);
	if (bad)
		return bad_query(r, "as_of is a date, YYYY-MM-DD");
	return svd_reply_result(r, scrvault_case_timeline(&out, r->d->v, P(0), a), &out);
}

int svd_h_case_docs(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_doc_list(&out, r->d->v, P(0)), &out);
}

int svd_h_docs(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_doc_list(&out, r->d->v, NULL), &out);
}

/* What agencies sent and how far it has gone, the most recent first (the pages' sent page). */
int svd_h_sent(svd_req *r)
{
	static const char *const keys[] = { "case", "limit", NULL };
	scrvault_json *out = NULL;
	char c[72], l[8];
	bool bad = false;
	const char *ref, *lv;
	unsigned limit = 0;

	if (only(r, keys) < 0)
		return 0;
	ref = query(r, "case", c, sizeof(c), &bad);
	if ((lv = query(r, "limit", l, sizeof(l), &bad)) && !(limit = (unsigned)number(lv, SCRVAULT_SENT_MAX)))
		bad = true;
	if (bad)
		return bad_query(r, "case is a case reference; limit a number of versions, 1 to 1000");
	return svd_reply_result(r, scrvault_doc_sent(&out, r->d->v, ref, limit), &out);
}

int svd_h_doc(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_doc_show(&out, r->d->v, P(0)), &out);
}

int svd_h_doc_log(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_doc_log(&out, r->d->v, P(0)), &out);
}

/*
 * A check-out streamed as it authenticates, in bounded memory: the reply
 * (chunked, X-Scrvault-SHA256 the version's recorded digest) starts with
 * the first authenticated piece, so a refusal before it is an ordinary
 * error; a piece that fails its check later aborts the connection (the
 * client sees a truncated, failed transfer and keeps nothing: it checks
 * the digest).  On the local socket the daemon writes out what is queued
 * whenever it passes STREAM_HIGH (the loop serves one request at a time
 * anyway, and a client that stops reading for the client timeout is
 * dropped); over TLS libevent queues the answer until it is sent.
 */
#define STREAM_HIGH	(1024u * 1024u)
#define STREAM_WAIT_MS	(30 * 1000)

typedef struct {
	svd_req *r;
	const char *sha256;		/* the recorded digest, or NULL */
	struct evbuffer *chunk;
	bool started;
	bool local;			/* the connection is the Unix socket */
	int fd;
} stream_ctx;

static int drain(stream_ctx *c, struct evbuffer *out)
{
	while (evbuffer_get_length(out) > STREAM_HIGH / 4) {
		struct pollfd p = { .fd = c->fd, .events = POLLOUT };
		int n = poll(&p, 1, STREAM_WAIT_MS), w;
		if (n <= 0 || (p.revents & (POLLERR | POLLHUP | POLLNVAL)))
			return SCRVAULT_ERROR;	/* the client went away or stopped reading */
		/* A socket bufferevent keeps its output's front frozen (only its
		 * own writer drains it): evbuffer_write on it fails without a
		 * system call.  Thaw it for this write, as that writer does. */
		errno = 0;
		evbuffer_unfreeze(out, 1);
		w = evbuffer_write(out, c->fd);
		evbuffer_freeze(out, 1);
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return SCRVAULT_ERROR;
		/* Nothing went: leave the rest to the loop rather than spin. */
		if (w <= 0)
			return 0;
	}
	return 0;
}

static int to_stream(void *ctx, const void *buf, size_t len)
{
	stream_ctx *c = ctx;
	struct evhttp_connection *conn = evhttp_request_get_connection(c->r->ev);
	struct bufferevent *bev = conn ? evhttp_connection_get_bufferevent(conn) : NULL;
	struct evbuffer *out = bev ? bufferevent_get_output(bev) : NULL;

	if (!out)
		return SCRVAULT_ERROR;
	if (!c->started) {
		struct evkeyvalq *h = evhttp_request_get_output_headers(c->r->ev);
		evhttp_add_header(h, "Content-Type", "application/octet-stream");
		svd_reply_headers(c->r);
		if (c->sha256)
			evhttp_add_header(h, "X-Scrvault-SHA256", c->sha256);
		c->r->status = 200;
		evhttp_send_reply_start(c->r->ev, 200, "OK");
		c->started = true;
	}
	if (evbuffer_add(c->chunk, buf, len) < 0)
		return SCRVAULT_ERROR;
	evhttp_send_reply_chunk(c->r->ev, c->chunk);
	return c->local && evbuffer_get_length(out) > STREAM_HIGH ? drain(c, out) : 0;
}

/* The recorded SHA-256 of a version (doc log), into out[65]; "" if not found. */
static void version_sha(svd_req *r, const char *doc, uint64_t version, char out[65])
{
	scrvault_json *log = NULL;

	out[0] = '\0';
	if (scrvault_doc_log(&log, r->d->v, doc) == 0)
		for (size_t i = 0; i < scrvault_json_count(log); i++) {
			const scrvault_json *e = scrvault_json_at(log, i);
			const char *sha = scrvault_json_str(scrvault_json_get(e, "sha256"));
			if ((uint64_t)scrvault_json_int(scrvault_json_get(e, "version")) == version && sha &&
			    strlen(sha) == 64)
				memcpy(out, sha, 65);
		}
	scrvault_json_free(log);
	scrvault_error_clear();
}

int svd_h_doc_content(svd_req *r)
{
	struct evhttp_connection *conn = evhttp_request_get_connection(r->ev);
	struct bufferevent *bev = conn ? evhttp_connection_get_bufferevent(conn) : NULL;
	stream_ctx c = { .r = r, .fd = -1 };
	char sha[65];
	uint64_t version;
	int rc;

	NOQ();
	if (!(version = number(P(1), UINT32_MAX))) {
		svd_reply_error(r, 404, 4, "a version is a number from 1", "version");
		return 0;
	}
	version_sha(r, P(0), version, sha);
	c.sha256 = sha[0] ? sha : NULL;
	c.local = strncmp(r->client, "unix", 4) == 0;
	c.fd = bev ? bufferevent_getfd(bev) : -1;
	if (!(c.chunk = evbuffer_new()))
		return SCRVAULT_ERROR;
	rc = scrvault_doc_checkout_write(r->d->v, P(0), (unsigned)version, to_stream, &c);
	evbuffer_free(c.chunk);
	if (!c.started && rc < 0)
		return rc;
	if (!c.started) {	/* an empty version */
		if (c.sha256)
			evhttp_add_header(evhttp_request_get_output_headers(r->ev), "X-Scrvault-SHA256", c.sha256);
		svd_reply_text(r, 200, "application/octet-stream", "", 0);
		return 0;
	}
	if (rc < 0) {
		/* Part was sent: end the connection without the last chunk. */
		fprintf(stderr, "scrvaultd: a check-out failed after it began (%s): connection aborted\n",
			scrvault_error_message());
		r->status = 599;
		if (c.fd >= 0)
			shutdown(c.fd, SHUT_RDWR);
	}
	evhttp_send_reply_end(r->ev);
	return 0;
}

int svd_h_signoff_statement(svd_req *r)
{
	char *statement = NULL;
	uint64_t version;
	int rc;

	NOQ();
	if (!(version = number(P(1), UINT32_MAX))) {
		svd_reply_error(r, 404, 4, "a version is a number from 1", "version");
		return 0;
	}
	if ((rc = scrvault_doc_signoff_statement(&statement, r->d->v, P(0), (unsigned)version)) < 0)
		return rc;
	svd_reply_text(r, 200, "application/json", statement, strlen(statement));
	free(statement);
	return 0;
}

int svd_h_doc_receipt(svd_req *r)
{
	scrvault_json *out = NULL;
	uint64_t version;

	NOQ();
	if (!(version = number(P(1), UINT32_MAX))) {
		svd_reply_error(r, 404, 4, "a version is a number from 1", "version");
		return 0;
	}
	return svd_reply_result(r, scrvault_receipt_make(&out, r->d->v, P(0), (unsigned)version), &out);
}

/*
 * A statement signed in the browser: the body's "passkey" member (the
 * assertion's fields) into *a.  1 when there is one, 0 when not, -1 after
 * a 404 when the service has no pages (so no passkeys).
 */
static int passkey_member(svd_req *r, scrvault_passkey_assertion *a)
{
	const scrvault_json *pk = scrvault_json_get(r->body, "passkey");

	if (!pk)
		return 0;
	if (!r->d->origin[0]) {
		svd_reply_error(r, 404, 4, "this service has no web pages, so no passkeys (--listen, --origin)", "passkey");
		return -1;
	}
	a->credential = scrvault_json_str(scrvault_json_get(pk, "credential"));
	a->client_data = scrvault_json_str(scrvault_json_get(pk, "client_data"));
	a->authenticator_data = scrvault_json_str(scrvault_json_get(pk, "authenticator_data"));
	a->signature = scrvault_json_str(scrvault_json_get(pk, "signature"));
	return 1;
}

int svd_h_signoff(svd_req *r)
{
	scrvault_json *out = NULL;
	uint64_t version;

	NOQ();
	if (!(version = number(P(1), UINT32_MAX))) {
		svd_reply_error(r, 404, 4, "a version is a number from 1", "version");
		return 0;
	}
	/* Signed in the browser: the passkey's assertion of the statement. */
	scrvault_passkey_assertion a;
	int pk = passkey_member(r, &a);
	if (pk < 0)
		return 0;
	if (pk)
		return svd_reply_result(r, scrvault_doc_signoff_passkey(&out, r->d->v, P(0), (unsigned)version,
								    svd_str(r, "statement"), r->d->origin, &a), &out);
	return svd_reply_result(r, scrvault_doc_signoff_signed(&out, r->d->v, P(0), (unsigned)version,
							   svd_str(r, "statement"), svd_str(r, "signature")), &out);
}

/* ---- registers ---------------------------------------------------------------------- */

int svd_h_agenda(svd_req *r)
{
	static const char *const keys[] = { "as_of", "days", "kinds", "limit", NULL };
	scrvault_agenda_options o = SCRVAULT_AGENDA_OPTIONS_INIT;
	scrvault_json *out = NULL;
	char as_of[16], days[8], kinds[256], limit[12];
	bool bad = false;
	const char *dv, *lv;

	if (only(r, keys) < 0)
		return 0;
	o.as_of = query(r, "as_of", as_of, sizeof(as_of), &bad);
	o.kinds = query(r, "kinds", kinds, sizeof(kinds), &bad);
	o.days = SCRVAULT_AGENDA_DAYS_DEFAULT;
	if ((dv = query(r, "days", days, sizeof(days), &bad)))
		o.days = strcmp(dv, "0") == 0 ? 0 : (int)number(dv, SCRVAULT_AGENDA_DAYS_MAX);
	if ((lv = query(r, "limit", limit, sizeof(limit), &bad)) && !(o.limit = (unsigned)number(lv, UINT32_MAX)))
		bad = true;
	if (bad || (dv && strcmp(dv, "0") != 0 && o.days == 0))
		return bad_query(r, "as_of is YYYY-MM-DD, days a number of days, kinds a comma-separated list, "
				 "limit a number of items");
	return svd_reply_result(r, scrvault_agenda(&out, r->d->v, &o), &out);
}

int svd_h_principals(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_principal_list(&out, r->d->v), &out);
}

int svd_h_principal(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_principal_show(&out, r->d->v, P(0)), &out);
}

int svd_h_principal_impact(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_principal_impact(&out, r->d->v, P(0)), &out);
}

int svd_h_principal_revoke(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_principal_revoke(&out, r->d->v, P(0), svd_str(r, "reason")), &out);
}

int svd_h_copies(svd_req *r)
{
	static const char *const keys[] = { "case", "doc", "state", "holder", "as_of", "limit", NULL };
	scrvault_copy_filter f = SCRVAULT_COPY_FILTER_INIT;
	scrvault_json *out = NULL;
	char c[72], dc[72], st[32], h[72], a[16], l[12];
	bool bad = false;
	const char *lv;

	if (only(r, keys) < 0)
		return 0;
	f.case_ref = query(r, "case", c, sizeof(c), &bad);
	f.doc = query(r, "doc", dc, sizeof(dc), &bad);
	f.state = query(r, "state", st, sizeof(st), &bad);
	f.holder = query(r, "holder", h, sizeof(h), &bad);
	f.as_of = query(r, "as_of", a, sizeof(a), &bad);
	if ((lv = query(r, "limit", l, sizeof(l), &bad)) && !(f.limit = (unsigned)number(lv, UINT32_MAX)))
		bad = true;
	if (bad)
		return bad_query(r, "a filter value is malformed or too long");
	return svd_reply_result(r, scrvault_copy_list(&out, r->d->v, &f), &out);
}

int svd_h_copy_history(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_copy_history(&out, r->d->v, P(0)), &out);
}

int svd_h_copy_issue(svd_req *r)
{
	scrvault_copy_issue_spec s = SCRVAULT_COPY_ISSUE_SPEC_INIT;
	scrvault_json *out = NULL;

	NOQ();
	s.copy = P(0);
	s.to = svd_str(r, "to");
	s.ext_name = svd_str(r, "ext_name");
	s.ext_org = svd_str(r, "ext_org");
	s.contact = svd_str(r, "contact");
	s.purpose = svd_str(r, "purpose");
	s.due = svd_str(r, "due");
	return svd_reply_result(r, scrvault_copy_issue(&out, r->d->v, &s), &out);
}

int svd_h_copy_return(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_copy_return(&out, r->d->v, P(0), svd_str(r, "condition")), &out);
}

int svd_h_requests(svd_req *r)
{
	static const char *const keys[] = { "open", "overdue", "channel", "as_of", NULL };
	scrvault_request_filter f = SCRVAULT_REQUEST_FILTER_INIT;
	scrvault_json *out = NULL;
	char o[8], od[8], ch[32], a[16];
	bool bad = false;
	const char *ov, *odv;

	if (only(r, keys) < 0)
		return 0;
	ov = query(r, "open", o, sizeof(o), &bad);
	odv = query(r, "overdue", od, sizeof(od), &bad);
	f.channel = query(r, "channel", ch, sizeof(ch), &bad);
	f.as_of = query(r, "as_of", a, sizeof(a), &bad);
	if (bad || (ov && strcmp(ov, "true") && strcmp(ov, "false")) ||
	    (odv && strcmp(odv, "true") && strcmp(odv, "false")))
		return bad_query(r, "open and overdue are true or false; as_of is YYYY-MM-DD");
	f.open = ov && !strcmp(ov, "true");
	f.overdue = odv && !strcmp(odv, "true");
	return svd_reply_result(r, scrvault_request_list(&out, r->d->v, &f), &out);
}

#define DOCS_MAX 256

int svd_h_request_new(svd_req *r)
{
	scrvault_request_spec s = SCRVAULT_REQUEST_SPEC_INIT;
	const scrvault_json *docs = scrvault_json_get(r->body, "docs");
	const char *ids[DOCS_MAX];
	scrvault_json *out = NULL;

	NOQ();
	s.ndocs = docs ? scrvault_json_count(docs) : 0;
	if (s.ndocs > DOCS_MAX) {
		svd_reply_error(r, 422, 2, "at most 256 documents in one request", "docs");
		return 0;
	}
	for (size_t i = 0; i < s.ndocs; i++)
		if (!(ids[i] = scrvault_json_str(scrvault_json_at(docs, i)))) {
			svd_reply_error(r, 422, 2, "docs is a list of document ids", "docs");
			return 0;
		}
	s.docs = s.ndocs ? ids : NULL;
	s.channel = svd_str(r, "channel");
	s.requester = svd_str(r, "requester");
	s.ext_kind = svd_str(r, "ext_kind");
	s.ext_name = svd_str(r, "ext_name");
	s.ext_org = svd_str(r, "ext_org");
	s.ext_contact = svd_str(r, "ext_contact");
	s.ext_recipient = svd_str(r, "ext_recipient");
	s.case_ref = svd_str(r, "case");
	s.reason = svd_str(r, "reason");
	s.received = svd_str(r, "received");
	return svd_reply_result(r, scrvault_request_new(&out, r->d->v, &s), &out);
}

int svd_h_request_decide(svd_req *r)
{
	scrvault_request_decision d = SCRVAULT_REQUEST_DECISION_INIT;
	const scrvault_json *agree = scrvault_json_get(r->body, "agree");
	char *t = agree ? scrvault_json_text(agree) : NULL;
	bool is_bool = t && (!strcmp(t, "true") || !strcmp(t, "false")), found = false;
	scrvault_json *out = NULL;
	uint64_t id;

	free(t);
	NOQ();
	if (!(id = id_param(r, "an access request", "request")))
		return 0;
	if (!is_bool) {
		svd_reply_error(r, 422, 2, "say whether the request is agreed: \"agree\": true or false", "agree");
		return 0;
	}
	d.id = (int64_t)id;
	d.agree = scrvault_json_bool(agree);
	d.reason = svd_str(r, "reason");
	d.consulted = svd_str(r, "consulted");
	d.exemption = svd_str(r, "exemption");
	d.until = svd_str(r, "until");
	d.max_releases = svd_int(r, "max_releases", &found);
	if (d.max_releases < 0) {
		svd_reply_error(r, 422, 2, "max_releases is a number of releases, 0 for no limit", "max_releases");
		return 0;
	}
	return svd_reply_result(r, scrvault_request_decide(&out, r->d->v, &d), &out);
}

int svd_h_request(svd_req *r)
{
	scrvault_json *out = NULL;
	uint64_t id;

	NOQ();
	if (!(id = id_param(r, "an access request", "request")))
		return 0;
	return svd_reply_result(r, scrvault_request_show(&out, r->d->v, (int64_t)id), &out);
}

int svd_h_holds(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_hold_list(&out, r->d->v), &out);
}

int svd_h_hold_place(svd_req *r)
{
	scrvault_hold_spec s = SCRVAULT_HOLD_SPEC_INIT;
	scrvault_json *out = NULL;
	const scrvault_json *b;

	NOQ();
	s.target = svd_str(r, "target");
	s.doc_class = svd_str(r, "class");
	s.reason = svd_str(r, "reason");
	s.kind = svd_str(r, "kind");
	s.board = (b = scrvault_json_get(r->body, "board")) && scrvault_json_bool(b);
	return svd_reply_result(r, scrvault_hold_add(&out, r->d->v, &s), &out);
}

int svd_h_hold_lift(svd_req *r)
{
	scrvault_json *out = NULL;
	uint64_t id;

	NOQ();
	if (!(id = id_param(r, "a hold", "hold")))
		return 0;
	return svd_reply_result(r, scrvault_hold_release(&out, r->d->v, (int64_t)id, svd_str(r, "reason")), &out);
}

int svd_h_retention_plan(svd_req *r)
{
	static const char *const keys[] = { "as_of", "days", NULL };
	scrvault_json *out = NULL;
	char a[16], db[8];
	bool bad = false;
	const char *as_of, *dv;
	uint64_t days = 0;

	if (only(r, keys) < 0)
		return 0;
	as_of = query(r, "as_of", a, sizeof(a), &bad);
	/* days: only what falls due within them (0: due now) */
	if ((dv = query(r, "days", db, sizeof(db), &bad)) && strcmp(dv, "0") != 0 &&
	    !(days = number(dv, SCRVAULT_RETENTION_DAYS_MAX)))
		bad = true;
	if (bad)
		return bad_query(r, "as_of is a date, YYYY-MM-DD; days a number from 0 to 36600");
	return svd_reply_result(r, dv ? scrvault_retention_plan_due(&out, r->d->v, as_of, (unsigned)days)
			      : scrvault_retention_plan(&out, r->d->v, as_of), &out);
}

int svd_h_retention_batches(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_retention_batches(&out, r->d->v), &out);
}

/* ---- audit --------------------------------------------------------------------------- */

int svd_h_audit_tail(svd_req *r)
{
	static const char *const keys[] = { "n", NULL };
	scrvault_json *out = NULL;
	char nb[8];
	bool bad = false;
	const char *nv;
	uint64_t n = 20;

	if (only(r, keys) < 0)
		return 0;
	if ((nv = query(r, "n", nb, sizeof(nb), &bad)) && !(n = number(nv, 10000)))
		bad = true;
	if (bad)
		return bad_query(r, "n is a number from 1 to 10000");
	return svd_reply_result(r, scrvault_audit_tail(&out, r->d->v, (unsigned)n), &out);
}

int svd_h_audit_show(svd_req *r)
{
	scrvault_json *out = NULL;
	uint64_t seq;

	NOQ();
	if (!(seq = id_param(r, "an audit sequence", "seq")))
		return 0;
	return svd_reply_result(r, scrvault_audit_show(&out, r->d->v, seq), &out);
}

int svd_h_audit_export(svd_req *r)
{
	static const char *const keys[] = { "since", "until", "actor", "case", "doc", "action", "outcome", "csv", NULL };
	scrvault_audit_filter f = SCRVAULT_AUDIT_FILTER_INIT;
	char since[40], until[40], actor[72], c[72], dc[72], act[72], oc[32], cv[8];
	const char *csv;
	struct evbuffer *out = NULL;
	bool bad = false;
	uint64_t count = 0;
	int fd, rc;

	if (only(r, keys) < 0)
		return 0;
	f.since = query(r, "since", since, sizeof(since), &bad);
	f.until = query(r, "until", until, sizeof(until), &bad);
	f.actor = query(r, "actor", actor, sizeof(actor), &bad);
	f.case_ref = query(r, "case", c, sizeof(c), &bad);
	f.doc = query(r, "doc", dc, sizeof(dc), &bad);
	f.action = query(r, "action", act, sizeof(act), &bad);
	f.outcome = query(r, "outcome", oc, sizeof(oc), &bad);
	/* csv=true: the same entries as a spreadsheet table (scrvault audit export --csv) */
	if ((csv = query(r, "csv", cv, sizeof(cv), &bad)) && strcmp(csv, "true") != 0 && strcmp(csv, "false") != 0)
		bad = true;
	f.csv = csv && !strcmp(csv, "true");
	if (bad)
		return bad_query(r, "a filter value is malformed or too long, or csv is not true or false");
	/* The export is written to memory (a memfd), never to a file. */
	if ((fd = memfd_create("scrvaultd-export", MFD_CLOEXEC)) < 0)
		return SCRVAULT_ERROR;
	if ((rc = scrvault_audit_export(r->d->v, &f, fd, &count)) < 0) {
		close(fd);
		return rc;
	}
	if (!(out = evbuffer_new()) || lseek(fd, 0, SEEK_SET) < 0) {
		evbuffer_free(out);
		close(fd);
		return SCRVAULT_ERROR;
	}
	for (;;) {
		int n = evbuffer_read(out, fd, 65536);
		if (n == 0)
			break;
		if (n < 0 && errno != EINTR) {
			evbuffer_free(out);
			close(fd);
			return SCRVAULT_ERROR;
		}
	}
	close(fd);
	evhttp_add_header(evhttp_request_get_output_headers(r->ev), "Content-Type",
			  f.csv ? "text/csv; charset=utf-8" : "application/jsonl");
	svd_reply_headers(r);
	r->status = 200;
	evhttp_send_reply(r->ev, 200, "OK", out);
	evbuffer_free(out);
	return 0;
}

/*
 * The auditor's questions that join the registers (each row names its audit
 * entry): the rows as JSON, or with csv=true as a CSV table for spreadsheets.
 */
static int question_answer(svd_req *r, int rc, scrvault_json **out, bool csv)
{
	char *text;

	if (rc < 0 || !csv)
		return svd_reply_result(r, rc, out);
	text = scrvault_json_csv(*out);
	scrvault_json_free(*out);
	*out = NULL;
	if (!text)
		return SCRVAULT_ERROR;
	svd_reply_text(r, 200, "text/csv; charset=utf-8", text, strlen(text));
	free(text);
	return 0;
}

/* csv=true or false (absent: false); 0, or -1 with the 400 answered. */
static int question_csv(svd_req *r, bool *csv)
{
	static const char *const keys[] = { "csv", NULL };
	char cv[8];
	bool bad = false;
	const char *c;

	if (only(r, keys) < 0)
		return -1;
	c = query(r, "csv", cv, sizeof(cv), &bad);
	if (bad || (c && strcmp(c, "true") != 0 && strcmp(c, "false") != 0)) {
		bad_query(r, "csv is true or false");
		return -1;
	}
	*csv = c && !strcmp(c, "true");
	return 0;
}

int svd_h_audit_restricted(svd_req *r)
{
	scrvault_json *out = NULL;
	bool csv;

	if (question_csv(r, &csv) < 0)
		return 0;
	return question_answer(r, scrvault_audit_restricted_releases(&out, r->d->v), &out, csv);
}

int svd_h_audit_destructions(svd_req *r)
{
	scrvault_json *out = NULL;
	bool csv;

	if (question_csv(r, &csv) < 0)
		return 0;
	return question_answer(r, scrvault_audit_destructions(&out, r->d->v), &out, csv);
}

int svd_h_audit_readers(svd_req *r)
{
	scrvault_json *out = NULL;
	bool csv;

	if (question_csv(r, &csv) < 0)
		return 0;
	return question_answer(r, scrvault_audit_readers(&out, r->d->v, P(0)), &out, csv);
}

/* Sign a checkpoint if the log grew: the latest signed checkpoint (text). */
int svd_h_audit_checkpoint(svd_req *r)
{
	char *note = NULL;
	int rc;

	NOQ();
	if ((rc = scrvault_audit_checkpoint(&note, r->d->v)) < 0)
		return rc;
	svd_reply_text(r, 200, "text/plain; charset=utf-8", note, strlen(note));
	free(note);
	return 0;
}

int svd_h_audit_prove(svd_req *r)
{
	char *proof = NULL;
	uint64_t seq;
	int rc;

	NOQ();
	if (!(seq = id_param(r, "an audit sequence", "seq")))
		return 0;
	if ((rc = scrvault_audit_prove(&proof, r->d->v, seq)) < 0)
		return rc;
	svd_reply_text(r, 200, "text/plain; charset=utf-8", proof, strlen(proof));
	free(proof);
	return 0;
}

int svd_h_audit_pubkey(svd_req *r)
{
	char *vkey = NULL, *q, *text = NULL;
	int rc, n;

	NOQ();
	if ((rc = scrvault_audit_pubkey(&vkey, r->d->v)) < 0)
		return rc;
	q = scrvault_json_quote(vkey);
	free(vkey);
	n = q ? asprintf(&text, "{\"vkey\":%s}", q) : -1;
	free(q);
	if (n < 0)
		return SCRVAULT_ERROR;
	svd_reply_text(r, 200, "application/json", text, (size_t)n);
	free(text);
	return 0;
}

/* ---- uploads --------------------------------------------------------------------------- */

int svd_h_upload_begin(svd_req *r)
{
	scrvault_checkin_spec c = SCRVAULT_CHECKIN_SPEC_INIT;
	scrvault_upload_spec s = SCRVAULT_UPLOAD_SPEC_INIT;
	scrvault_json *out = NULL;
	bool found = false;
	int64_t size;

	NOQ();
	c.case_ref = svd_str(r, "case");
	c.doc_class = svd_str(r, "class");
	c.agency = svd_str(r, "agency");
	c.doc = svd_str(r, "doc");
	c.note = svd_str(r, "note");
	s.checkin = &c;
	s.filename = svd_str(r, "filename");
	s.title = svd_str(r, "title");
	s.sha256 = svd_str(r, "sha256");
	size = svd_int(r, "size", &found);
	if (!found || size < 0) {
		svd_reply_error(r, 422, 2, "give the file's size in bytes", "size");
		return 0;
	}
	s.size = (uint64_t)size;
	return svd_reply_result(r, scrvault_upload_begin(&out, r->d->v, &s), &out);
}

int svd_h_upload_chunk(svd_req *r)
{
	static const char *const keys[] = { "offset", NULL };
	scrvault_json *out = NULL;
	char ob[24];
	bool bad = false;
	const char *ov;
	uint64_t offset = 0;

	if (only(r, keys) < 0)
		return 0;
	ov = query(r, "offset", ob, sizeof(ob), &bad);
	if (!ov || bad || (strcmp(ov, "0") != 0 && !(offset = number(ov, INT64_MAX))))
		return bad_query(r, "a chunk names its place: ?offset=N, N the bytes received so far");
	return svd_reply_result(r, scrvault_upload_chunk(&out, r->d->v, P(0), offset, r->bytes, r->nbytes), &out);
}

int svd_h_upload_status(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_upload_status(&out, r->d->v, P(0)), &out);
}

int svd_h_upload_finish(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_upload_finish(&out, r->d->v, P(0)), &out);
}

int svd_h_upload_abort(svd_req *r)
{
	int rc;

	NOQ();
	if ((rc = scrvault_upload_abort(r->d->v, P(0))) < 0)
		return rc;
	svd_reply_text(r, 200, "application/json", "{\"aborted\":true}", 16);
	return 0;
}

/* ---- the jobs ------------------------------------------------------------------------ */

/* A boolean member of the body: 1 true, 0 false or absent, -1 present and not a boolean. */
static int body_bool(svd_req *r, const char *key)
{
	const scrvault_json *j = r->body ? scrvault_json_get(r->body, key) : NULL;
	char *t = j ? scrvault_json_text(j) : NULL;
	int v = !j ? 0 : !t ? -1 : !strcmp(t, "true") ? 1 : !strcmp(t, "false") ? 0 : -1;

	free(t);
	return v;
}

/* A call that answers nothing but success: {}. */
static int empty_answer(svd_req *r, int rc)
{
	if (rc < 0)
		return rc;
	svd_reply_text(r, 200, "application/json", "{}", 2);
	return 0;
}

int svd_h_retention_confirm(svd_req *r)
{
	NOQ();
	return empty_answer(r, scrvault_retention_confirm(r->d->v));
}

int svd_h_retention_review(svd_req *r)
{
	scrvault_review_spec s = SCRVAULT_REVIEW_SPEC_INIT;
	scrvault_json *out = NULL;
	bool has_version = false;
	int64_t version = svd_int(r, "version", &has_version);
	int destroy = body_bool(r, "destroy");

	NOQ();
	if (destroy < 0 || (has_version && version < 1) ||
	    (!has_version && r->body && scrvault_json_get(r->body, "version"))) {
		svd_reply_error(r, 422, 2, destroy < 0 ? "destroy is true or false" :
				"version is a number from 1 (leave it out for the master)",
				destroy < 0 ? "destroy" : "version");
		return 0;
	}
	s.doc = svd_str(r, "doc");
	s.doc_version = has_version ? (unsigned)version : 0;
	s.keep_until = svd_str(r, "keep_until");
	s.destroy = destroy == 1;
	s.reason = svd_str(r, "reason");
	return svd_reply_result(r, scrvault_retention_review(&out, r->d->v, &s), &out);
}

int svd_h_retention_propose(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_retention_propose(&out, r->d->v), &out);
}

static int batch_decide(svd_req *r, bool approve)
{
	scrvault_json *out = NULL;
	uint64_t id;

	NOQ();
	if (!(id = id_param(r, "a disposal batch", "batch")))
		return 0;
	return svd_reply_result(r, approve ? scrvault_retention_approve(&out, r->d->v, (int64_t)id) :
			   scrvault_retention_refuse(&out, r->d->v, (int64_t)id), &out);
}

int svd_h_retention_approve(svd_req *r) { return batch_decide(r, true); }
int svd_h_retention_refuse(svd_req *r) { return batch_decide(r, false); }

int svd_h_retention_certificate(svd_req *r)
{
	scrvault_json *out = NULL;
	uint64_t id;

	NOQ();
	if (!(id = id_param(r, "a destruction record", "record")))
		return 0;
	return svd_reply_result(r, scrvault_retention_certificate(&out, r->d->v, (int64_t)id), &out);
}

int svd_h_mirrors(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_mirror_list(&out, r->d->v), &out);
}

int svd_h_mirror_add(svd_req *r)
{
	NOQ();
	return empty_answer(r, scrvault_mirror_add(r->d->v, svd_str(r, "name"), svd_str(r, "url")));
}

int svd_h_retention_purge(svd_req *r)
{
	scrvault_json *out = NULL;
	int dry = body_bool(r, "dry_run");

	NOQ();
	if (dry < 0) {
		svd_reply_error(r, 422, 2, "dry_run is true or false", "dry_run");
		return 0;
	}
	return svd_reply_result(r, scrvault_retention_purge(&out, r->d->v, dry ? SCRVAULT_PURGE_DRY_RUN : 0), &out);
}

/*
 * A backup into the operator's --backup-dir, named by the time
 * (vault-YYYY-MM-DDTHHMMSSZ.bak, as scrvault-backup-job names them): the
 * request chooses no path.  The library checks backup.create and audits.
 */
int svd_h_backup(svd_req *r)
{
	scrvault_json *out = NULL;
	char path[PATH_MAX], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	NOQ();
	if (!r->d->backup_dir) {
		svd_reply_error(r, 409, 6, "this service takes no backups: its operator names a directory "
			     "(scrvaultd --backup-dir DIR)", NULL);
		return 0;
	}
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H%M%SZ", &tm);
	if (snprintf(path, sizeof(path), "%s/vault-%s.bak", r->d->backup_dir, stamp) >= (int)sizeof(path))
		return SCRVAULT_ERROR;
	if ((rc = scrvault_backup_create(&out, r->d->v, path)) < 0)
		return rc;
	/* The manifest's members and where the file is: {"path": ..., ...}. */
	{
		char *m = scrvault_json_text(out), *q = scrvault_json_quote(path), *text = NULL;
		int n = m && q ? asprintf(&text, "{\"path\":%s%s%s", q, strcmp(m, "{}") ? "," : "}", m + 1) : -1;

		scrvault_json_free(out);
		free(m);
		free(q);
		if (n < 0)
			return SCRVAULT_ERROR;
		svd_reply_text(r, 200, "application/json", text, (size_t)n);
		free(text);
	}
	return 0;
}

int svd_h_mirror_push(svd_req *r)
{
	scrvault_json *out = NULL;

	int rc;

	NOQ();
	if ((rc = scrvault_mirror_push(&out, r->d->v, svd_str(r, "name"))) < 0 && out)
		return error_with_detail(r, rc, &out);	/* each mirror's outcome, as directly */
	return svd_reply_result(r, rc, &out);
}

/* ---- the writes: cases, operations, roles, declarations, referrals ------------------ */

int svd_h_case_open(svd_req *r)
{
	scrvault_case_spec s = SCRVAULT_CASE_SPEC_INIT;
	int rc;

	NOQ();
	s.ref = svd_str(r, "case");
	s.title = svd_str(r, "title");
	s.review_type = svd_str(r, "review_type");
	s.subject_dob = svd_str(r, "subject_dob");
	s.decision_date = svd_str(r, "decision_date");
	s.received_on = svd_str(r, "received_on");
	if ((rc = scrvault_case_open(r->d->v, &s)) < 0)
		return rc;
	{
		scrvault_json *out = NULL;
		return svd_reply_result(r, scrvault_case_show(&out, r->d->v, s.ref), &out);
	}
}

#define MASTERS_MAX 64

int svd_h_case_conclude(svd_req *r)
{
	scrvault_case_conclude_options o = SCRVAULT_CASE_CONCLUDE_OPTIONS_INIT;
	scrvault_case_master masters[MASTERS_MAX];
	const scrvault_json *ms = scrvault_json_get(r->body, "masters");
	scrvault_json *out = NULL;
	int rc;

	NOQ();
	if ((o.n_masters = scrvault_json_count(ms)) > MASTERS_MAX) {
		svd_reply_error(r, 422, 2, "at most 64 masters", "masters");
		return 0;
	}
	for (size_t i = 0; i < o.n_masters; i++) {
		const scrvault_json *m = scrvault_json_at(ms, i);
		int64_t version = scrvault_json_int(scrvault_json_get(m, "version"));

		masters[i].doc = scrvault_json_str(scrvault_json_get(m, "doc"));
		if (!masters[i].doc || version < 1 || version > UINT32_MAX) {
			svd_reply_error(r, 422, 2, "masters is a list of {\"doc\", \"version\"}", "masters");
			return 0;
		}
		masters[i].version = (unsigned)version;
	}
	o.ref = P(0);
	o.action_plan_approved_on = svd_str(r, "action_plan_approved_on");
	o.ofsted_approved_on = svd_str(r, "ofsted_approved_on");
	o.masters = o.n_masters ? masters : NULL;
	if ((rc = scrvault_case_conclude_ext(&out, r->d->v, &o)) < 0 && scrvault_json_get(out, "blocking"))
		return error_with_detail(r, rc, &out);	/* the copies that stop it */
	return svd_reply_result(r, rc, &out);
}

int svd_h_case_reopen(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_case_reopen(&out, r->d->v, P(0), svd_str(r, "reason")), &out);
}

int svd_h_case_publish(svd_req *r)
{
	scrvault_case_publish_options o = SCRVAULT_CASE_PUBLISH_OPTIONS_INIT;
	scrvault_json *out = NULL;

	NOQ();
	o.ref = P(0);
	o.on = svd_str(r, "on");
	o.override_reason = svd_str(r, "override_reason");
	return svd_reply_result(r, scrvault_case_publish_ext(&out, r->d->v, &o), &out);
}

int svd_h_ops(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_op_list(&out, r->d->v), &out);
}

/* A second custodian approves or refuses from their own session. */
int svd_h_op_approve(svd_req *r)
{
	int rc;

	NOQ();
	if ((rc = scrvault_op_approve(r->d->v, P(0))) < 0)
		return rc;
	svd_reply_text(r, 200, "application/json", "{\"approved\":true}", 17);
	return 0;
}

int svd_h_op_refuse(svd_req *r)
{
	int rc;

	NOQ();
	if ((rc = scrvault_op_refuse(r->d->v, P(0))) < 0)
		return rc;
	svd_reply_text(r, 200, "application/json", "{\"refused\":true}", 16);
	return 0;
}

int svd_h_principal_grant(svd_req *r)
{
	scrvault_json *out = NULL;
	const char *role = svd_str(r, "role");

	NOQ();
	if (!role) {
		svd_reply_error(r, 422, 2, "name the role to grant", "role");
		return 0;
	}
	return svd_reply_result(r, scrvault_principal_grant(&out, r->d->v, P(0), role, svd_str(r, "case"),
						       svd_str(r, "agency")), &out);
}

int svd_h_principal_ungrant(svd_req *r)
{
	int rc;

	NOQ();
	if (!svd_str(r, "role")) {
		svd_reply_error(r, 422, 2, "name the role to take away", "role");
		return 0;
	}
	if ((rc = scrvault_principal_ungrant(r->d->v, P(0), svd_str(r, "role"), svd_str(r, "case"),
					     svd_str(r, "agency"))) < 0)
		return rc;
	svd_reply_text(r, 200, "application/json", "{\"ungranted\":true}", 18);
	return 0;
}

int svd_h_doc_declare(svd_req *r)
{
	scrvault_json *out = NULL;
	uint64_t version;

	NOQ();
	if (!(version = number(P(1), UINT32_MAX))) {
		svd_reply_error(r, 404, 4, "a version is a number from 1", "version");
		return 0;
	}
	return svd_reply_result(r, scrvault_doc_declare(&out, r->d->v, P(0), (unsigned)version), &out);
}

int svd_h_referrals(svd_req *r)
{
	static const char *const keys[] = { "status", NULL };
	scrvault_referral_filter f = SCRVAULT_REFERRAL_FILTER_INIT;
	scrvault_json *out = NULL;
	char st[16];
	bool bad = false;

	if (only(r, keys) < 0)
		return 0;
	f.status = query(r, "status", st, sizeof(st), &bad);
	if (bad)
		return bad_query(r, "status is referred, decided or none");
	return svd_reply_result(r, scrvault_referral_list(&out, r->d->v, &f), &out);
}

int svd_h_referral(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_referral_show(&out, r->d->v, P(0)), &out);
}

static int write_new(const char *path, const void *buf, size_t len);

/* Standard base64 (padded) decoded into a new buffer, its length in *n; NULL when malformed. */
static unsigned char *unb64(const char *in, size_t *n)
{
	size_t len = strlen(in), o = 0;
	unsigned char *out;

	if (len == 0 || len % 4 != 0 || !(out = malloc(len / 4 * 3)))
		return NULL;
	for (size_t i = 0; i < len; i += 4) {
		unsigned v = 0;
		int pad = 0;

		for (size_t k = 0; k < 4; k++) {
			const char c = in[i + k];
			unsigned d;

			if (c == '=' && i + 4 == len && k >= 2 && (k == 3 || in[i + 3] == '=')) {
				pad++;
				d = 0;
			} else if (!pad && c >= 'A' && c <= 'Z') {
				d = (unsigned)(c - 'A');
			} else if (!pad && c >= 'a' && c <= 'z') {
				d = (unsigned)(c - 'a' + 26);
			} else if (!pad && c >= '0' && c <= '9') {
				d = (unsigned)(c - '0' + 52);
			} else if (!pad && (c == '+' || c == '/')) {
				d = c == '+' ? 62u : 63u;
			} else {
				free(out);
				return NULL;
			}
			v = v << 6 | d;
		}
		out[o++] = (unsigned char)(v >> 16);
		if (pad < 2)
			out[o++] = (unsigned char)(v >> 8);
		if (pad < 1)
			out[o++] = (unsigned char)v;
	}
	*n = o;
	return out;
}

/*
 * A file's content from the body: "KEY" (its text) or "KEY_base64" (any
 * bytes).  0 with *buf (NULL: neither given; the caller frees) and *len, or
 * -1 when malformed (a 422 answered).
 */
static int body_file(svd_req *r, const char *key, unsigned char **buf, size_t *len)
{
	char k64[64];
	const char *text = svd_str(r, key), *enc;

	snprintf(k64, sizeof(k64), "%s_base64", key);
	enc = svd_str(r, k64);
	*buf = NULL;
	*len = 0;
	if ((text && enc) || (text && !*text) || (enc && !(*buf = unb64(enc, len)))) {
		svd_reply_error(r, 422, 2, "send the file as its text or its bytes in base64, not empty", key);
		return -1;
	}
	if (text) {
		*len = strlen(text);
		if (!(*buf = malloc(*len))) {
			svd_reply_error(r, 500, 1, "out of memory", NULL);
			return -1;
		}
		memcpy(*buf, text, *len);
	}
	return 0;
}

/* A plain file name for a document sent as text (NULL: none given). */
static bool plain_name(const char *name)
{
	return !name || (*name && name[0] != '.' && !strchr(name, '/') && strlen(name) <= 128);
}

/* A referral; its notification form, when sent ("form": its text), checked in from a private file. */
int svd_h_referral_new(svd_req *r)
{
	scrvault_referral_spec s = SCRVAULT_REFERRAL_SPEC_INIT;
	scrvault_json *out = NULL;
	const char *name = svd_str(r, "form_filename");
	unsigned char *form = NULL;
	size_t len;
	char path[PATH_MAX];
	svd_tmp t;
	int rc;

	NOQ();
	if (!plain_name(name)) {
		svd_reply_error(r, 422, 2, "form_filename is a plain file name", "form_filename");
		return 0;
	}
	if (body_file(r, "form", &form, &len) < 0)
		return 0;
	if (form) {
		if (svd_tmp_make(&t) < 0) {
			free(form);
			return SCRVAULT_ERROR;
		}
		if (svd_tmp_path(&t, name ? name : "notification-form", path, sizeof(path)) < 0 ||
		    write_new(path, form, len) < 0) {
			svd_tmp_remove(&t);
			free(form);
			return SCRVAULT_ERROR;
		}
		explicit_bzero(form, len);
		free(form);
		s.form_path = path;
	}
	s.ref = svd_str(r, "case");
	s.title = svd_str(r, "title");
	s.received_on = svd_str(r, "received_on");
	s.notifier = svd_str(r, "notifier");
	s.notifier_agency = svd_str(r, "notifier_agency");
	s.summary = svd_str(r, "summary");
	s.subject_dob = svd_str(r, "subject_dob");
	rc = scrvault_referral_new(&out, r->d->v, &s);
	if (s.form_path)
		svd_tmp_remove(&t);
	return svd_reply_result(r, rc, &out);
}

/* ---- bodies that are files: a sealed bundle in, a report out --------------------------- */

/* Write all of buf to a new 0600 file at path; 0 or -1. */
static int write_new(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	const unsigned char *p = buf;

	if (fd < 0)
		return -1;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return close(fd);
}

/*
 * A bundle as scrvault-seal wrote it, posted as it is (encrypted to the
 * vault's intake key: only ciphertext touches the private temporary
 * directory): imported exactly as `scrvault intake import` does (the
 * signer's doc.submit, the content against the signed manifest, a replay
 * refused; every refusal audited, nothing stored), answered with the
 * version's signed receipt.
 */
int svd_h_intake(svd_req *r)
{
	static const char *const keys[] = { "doc", NULL };
	scrvault_import_spec s = SCRVAULT_IMPORT_SPEC_INIT;
	scrvault_json *res = NULL, *receipt = NULL;
	char path[PATH_MAX], doc[80], *docid = NULL;
	bool bad = false;
	svd_tmp t;
	int rc;

	if (only(r, keys) < 0)
		return 0;
	s.doc = query(r, "doc", doc, sizeof(doc), &bad);
	if (bad)
		return bad_query(r, "doc is a document id (a new version of it)");
	if (svd_tmp_make(&t) < 0)
		return SCRVAULT_ERROR;
	if (svd_tmp_path(&t, "bundle", path, sizeof(path)) < 0 || write_new(path, r->bytes, r->nbytes) < 0) {
		svd_tmp_remove(&t);
		return SCRVAULT_ERROR;
	}
	s.path = path;
	rc = scrvault_intake_import(&res, r->d->v, &s);
	svd_tmp_remove(&t);
	if (rc < 0)
		return rc;
	{
		const scrvault_json *row = scrvault_json_at(res, 0);	/* [{"doc","version",...}] */
		const char *d = scrvault_json_str(scrvault_json_get(row, "doc"));
		int64_t version = scrvault_json_int(scrvault_json_get(row, "version"));
		if (!d || version <= 0 || !(docid = strdup(d)) || result_header(r, row) < 0) {
			free(docid);
			scrvault_json_free(res);
			return SCRVAULT_ERROR;
		}
		scrvault_json_free(res);
		rc = scrvault_receipt_make(&receipt, r->d->v, docid, (unsigned)version);
		free(docid);
	}
	return svd_reply_result(r, rc, &receipt);
}

static char *b64(const unsigned char *in, size_t n)
{
	static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
			     (i + 2 < n ? in[i + 2] : 0);
		*o++ = A[v >> 18 & 63];
		*o++ = A[v >> 12 & 63];
		*o++ = i + 1 < n ? A[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? A[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

/*
 * A report: the PDF is the body, its signature (report.pdf.sig) base64 in
 * X-Scrvault-Signature, what the report did base64 in X-Scrvault-Result
 * and, with {"csv": true}, its figures (CSV) base64 in X-Scrvault-CSV.
 */
#define REPORT_CSV_MAX	(48u * 1024u)
static int report(svd_req *r, bool board)
{
	scrvault_report_spec s = SCRVAULT_REPORT_SPEC_INIT;
	scrvault_json *out = NULL;
	char pdf[PATH_MAX], sig[PATH_MAX], csv[PATH_MAX], *sigtext = NULL, *csvtext = NULL, *enc;
	size_t siglen = 0, csvlen = 0;
	int want_csv = body_bool(r, "csv");
	svd_tmp t;
	int rc;

	NOQ();
	if (want_csv < 0) {
		svd_reply_error(r, 422, 2, "csv is true or false", "csv");
		return 0;
	}
	if (svd_tmp_make(&t) < 0)
		return SCRVAULT_ERROR;
	if (svd_tmp_path(&t, "report.pdf", pdf, sizeof(pdf)) < 0 ||
	    svd_tmp_path(&t, "report.pdf.sig", sig, sizeof(sig)) < 0 ||
	    svd_tmp_path(&t, "report.csv", csv, sizeof(csv)) < 0) {
		svd_tmp_remove(&t);
		return SCRVAULT_ERROR;
	}
	s.output = pdf;
	s.csv = want_csv ? csv : NULL;
	if (board) {
		s.from = svd_str(r, "from");
		s.to = svd_str(r, "to");
	} else {
		s.case_ref = P(0);
		s.as_of = svd_str(r, "as_of");
	}
	rc = board ? scrvault_report_board(&out, r->d->v, &s) : scrvault_report_case(&out, r->d->v, &s);
	if (rc == 0 && svd_file_read(sig, 64 * 1024, &sigtext, &siglen) < 0)
		rc = SCRVAULT_ERROR;
	if (rc == 0 && want_csv && svd_file_read(csv, REPORT_CSV_MAX, &csvtext, &csvlen) < 0) {
		svd_reply_error(r, 500, 1, "the report's figures are too large to send as a header: make the "
				"report with --csv on the vault host", "csv");
		rc = 0;
		goto done;
	}
	if (rc == 0)
		rc = result_header(r, out);
	if (rc == 0 && want_csv) {
		if (!(enc = b64((const unsigned char *)csvtext, csvlen)))
			rc = SCRVAULT_ERROR;
		else {
			evhttp_add_header(evhttp_request_get_output_headers(r->ev), "X-Scrvault-CSV", enc);
			free(enc);
		}
	}
	if (rc == 0) {
		if (!(enc = b64((const unsigned char *)sigtext, siglen)))
			rc = SCRVAULT_ERROR;
		else {
			evhttp_add_header(evhttp_request_get_output_headers(r->ev), "X-Scrvault-Signature", enc);
			free(enc);
			rc = svd_reply_file(r, "application/pdf", pdf, board ? "board-report.pdf" : "case-report.pdf");
		}
	}
done:
	scrvault_json_free(out);
	free(sigtext);
	free(csvtext);
	svd_tmp_remove(&t);
	return rc;
}

int svd_h_report_board(svd_req *r)
{
	return report(r, true);
}

int svd_h_report_case(svd_req *r)
{
	return report(r, false);
}

/* ---- copies and releases ------------------------------------------------------------- */

int svd_h_copy_create(svd_req *r)
{
	scrvault_json *out = NULL;
	uint64_t version = 0, count;
	bool found = false;
	int64_t n;

	NOQ();
	/* "master": the document's master, as 'copy create DOC' without @VERSION */
	if (strcmp(P(1), "master") != 0 && !(version = number(P(1), UINT32_MAX))) {
		svd_reply_error(r, 404, 4, "a version is a number from 1, or master", "version");
		return 0;
	}
	n = svd_int(r, "count", &found);
	count = found ? (uint64_t)n : 1;
	if (found && (n < 1 || n > 1000)) {
		svd_reply_error(r, 422, 2, "count is a number of copies from 1", "count");
		return 0;
	}
	return svd_reply_result(r, scrvault_copy_create(&out, r->d->v, P(0), (unsigned)version, (unsigned)count), &out);
}

int svd_h_copy_ack_statement(svd_req *r)
{
	char *statement = NULL;
	int rc;

	NOQ();
	if ((rc = scrvault_copy_acknowledge_statement(&statement, r->d->v, P(0))) < 0)
		return rc;
	svd_reply_text(r, 200, "application/json", statement, strlen(statement));
	free(statement);
	return 0;
}

/* The holder's receipt signed on their own machine; or, {"paper": true}, the coordinator records it. */
int svd_h_copy_acknowledge(svd_req *r)
{
	scrvault_json *out = NULL;
	int paper = body_bool(r, "paper");

	NOQ();
	if (paper < 0) {
		svd_reply_error(r, 422, 2, "paper is true or false", "paper");
		return 0;
	}
	if (paper)
		return svd_reply_result(r, scrvault_copy_acknowledge(&out, r->d->v, P(0), SCRVAULT_ACK_PAPER), &out);
	return svd_reply_result(r, scrvault_copy_acknowledge_signed(&out, r->d->v, P(0), svd_str(r, "statement"),
							       svd_str(r, "signature")), &out);
}

/*
 * Destroyed, witnessed by a principal named: unverified (the witness's own
 * signature needs their key, which a service never holds).
 */
int svd_h_copy_destroy(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_copy_destroy(&out, r->d->v, P(0), svd_str(r, "witness"), svd_str(r, "note")),
			   &out);
}

int svd_h_copy_transfer(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_copy_transfer(&out, r->d->v, P(0), svd_str(r, "organisation"),
						     svd_str(r, "note")), &out);
}

int svd_h_copy_witness_statement(svd_req *r)
{
	char *statement = NULL;
	int rc;

	NOQ();
	if ((rc = scrvault_copy_witness_statement(&statement, r->d->v, P(0))) < 0)
		return rc;
	svd_reply_text(r, 200, "application/json", statement, strlen(statement));
	free(statement);
	return 0;
}

/* The witness of a destruction, in their own session, signed on their own machine. */
int svd_h_copy_witness(svd_req *r)
{
	scrvault_json *out = NULL;

	scrvault_passkey_assertion a;
	int pk;

	NOQ();
	if ((pk = passkey_member(r, &a)) < 0)
		return 0;
	if (pk)
		return svd_reply_result(r, scrvault_copy_witness_passkey(&out, r->d->v, P(0), svd_str(r, "statement"),
								    r->d->origin, &a), &out);
	return svd_reply_result(r, scrvault_copy_witness_signed(&out, r->d->v, P(0), svd_str(r, "statement"),
							   svd_str(r, "signature")), &out);
}

int svd_h_copy_recall(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_copy_recall(&out, r->d->v, P(0)), &out);
}

int svd_h_copy_lost(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_copy_lost(&out, r->d->v, P(0), svd_str(r, "reason")), &out);
}

/* A file answer's JSON result (what the local command prints), base64 in X-Scrvault-Result. */
static int result_header(svd_req *r, const scrvault_json *j)
{
	char *text = scrvault_json_text(j), *enc = NULL;
	int rc = SCRVAULT_ERROR;

	if (text && (enc = b64((const unsigned char *)text, strlen(text))) != NULL) {
		evhttp_add_header(evhttp_request_get_output_headers(r->ev), "X-Scrvault-Result", enc);
		rc = 0;
	}
	free(text);
	free(enc);
	return rc;
}

/* The stamped PDF of a paper copy is the answer (its result in X-Scrvault-Result). */
int svd_h_copy_print(svd_req *r)
{
	scrvault_json *out = NULL;
	char path[PATH_MAX];
	svd_tmp t;
	int rc;

	NOQ();
	if (svd_tmp_make(&t) < 0)
		return SCRVAULT_ERROR;
	if (svd_tmp_path(&t, "copy.pdf", path, sizeof(path)) < 0) {
		svd_tmp_remove(&t);
		return SCRVAULT_ERROR;
	}
	rc = scrvault_copy_print(&out, r->d->v, P(0), path);
	if (rc == 0)
		rc = result_header(r, out);
	scrvault_json_free(out);
	if (rc == 0)
		rc = svd_reply_file(r, "application/pdf", path, "copy.pdf");
	svd_tmp_remove(&t);
	return rc;
}

/*
 * A release: the age bundle (encrypted to the reader, signed by the vault)
 * is the answer; X-Scrvault-Release its number in the ledger.
 */
int svd_h_release(svd_req *r)
{
	scrvault_release_spec s = SCRVAULT_RELEASE_SPEC_INIT;
	scrvault_json *out = NULL;
	char path[PATH_MAX], num[24];
	uint64_t version;
	svd_tmp t;
	int rc;

	NOQ();
	if (!(version = number(P(1), UINT32_MAX))) {
		svd_reply_error(r, 404, 4, "a version is a number from 1", "version");
		return 0;
	}
	if (svd_tmp_make(&t) < 0)
		return SCRVAULT_ERROR;
	if (svd_tmp_path(&t, "release.age", path, sizeof(path)) < 0) {
		svd_tmp_remove(&t);
		return SCRVAULT_ERROR;
	}
	s.doc = P(0);
	s.doc_version = (unsigned)version;
	s.to = svd_str(r, "to");
	s.reason = svd_str(r, "reason");
	s.output = path;
	rc = scrvault_doc_release(&out, r->d->v, &s);
	if (rc == 0) {
		snprintf(num, sizeof(num), "%" PRId64, scrvault_json_int(scrvault_json_get(out, "release")));
		evhttp_add_header(evhttp_request_get_output_headers(r->ev), "X-Scrvault-Release", num);
		if ((rc = result_header(r, out)) == 0)
			rc = svd_reply_file(r, "application/octet-stream", path, "release.age");
	}
	scrvault_json_free(out);
	svd_tmp_remove(&t);
	return rc;
}

/* ---- case clocks, policy, proofs ------------------------------------------------------- */

int svd_h_case_commission(svd_req *r)
{
	scrvault_commission_spec s = SCRVAULT_COMMISSION_SPEC_INIT;
	scrvault_json *out = NULL;

	NOQ();
	s.agency = svd_str(r, "agency");
	s.author = svd_str(r, "author");
	s.commissioned_on = svd_str(r, "commissioned_on");
	s.due = svd_str(r, "due");
	return svd_reply_result(r, scrvault_case_commission(&out, r->d->v, P(0), &s), &out);
}

int svd_h_case_extend(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_case_extend(&out, r->d->v, P(0), svd_str(r, "to"), svd_str(r, "reason"),
						   svd_str(r, "told_ofsted_on")), &out);
}

int svd_h_case_evaluation(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_case_evaluation(&out, r->d->v, P(0), svd_str(r, "received_on"),
						       svd_str(r, "rating")), &out);
}

int svd_h_case_milestone(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_case_milestone(&out, r->d->v, P(0), svd_str(r, "kind"), svd_str(r, "on")),
			   &out);
}

int svd_h_policy_show(svd_req *r)
{
	static const char *const keys[] = { "version", NULL };
	scrvault_json *out = NULL;
	char vb[24];
	bool bad = false;
	const char *vs;
	uint64_t version = 0;

	if (only(r, keys) < 0)
		return 0;
	if ((vs = query(r, "version", vb, sizeof(vb), &bad)) && !(version = number(vs, INT64_MAX)))
		bad = true;
	if (bad)
		return bad_query(r, "version is a policy version, a number from 1");
	return svd_reply_result(r, scrvault_policy_show(&out, r->d->v, (int64_t)version), &out);
}

/*
 * Load a policy: the body is the policy file's text (JSON {"text"}),
 * written to a private temporary file for the library to read.  Under dual
 * control the answer is {"pending"} for a second custodian (POST
 * /v1/ops/{op}/approve from their own session).
 */
int svd_h_policy_load(svd_req *r)
{
	scrvault_json *out = NULL;
	const char *text = svd_str(r, "text");
	char path[PATH_MAX];
	svd_tmp t;
	int rc;

	NOQ();
	if (!text || !*text) {
		svd_reply_error(r, 422, 2, "send the policy file's text as \"text\"", "text");
		return 0;
	}
	if (svd_tmp_make(&t) < 0)
		return SCRVAULT_ERROR;
	if (svd_tmp_path(&t, "policy.conf", path, sizeof(path)) < 0 || write_new(path, text, strlen(text)) < 0) {
		svd_tmp_remove(&t);
		return SCRVAULT_ERROR;
	}
	rc = scrvault_policy_load(&out, r->d->v, path);
	svd_tmp_remove(&t);
	if (rc < 0 && scrvault_error_message() && strstr(scrvault_error_message(), path)) {
		/* The message names the file as sent, never the private directory. */
		const char *m = scrvault_error_message(), *at = strstr(m, path);
		char *msg = NULL;

		scrvault_json_free(out);
		if (asprintf(&msg, "%.*spolicy.conf%s", (int)(at - m), m, at + strlen(path)) < 0)
			return rc;
		svd_reply_error(r, svd_status_of(rc), rc >= SCRVAULT_ECONFLICT ? -rc : 1, msg, scrvault_error_field());
		free(msg);
		return 0;
	}
	return svd_reply_result(r, rc, &out);
}

#define SEQS_MAX 1024

/* A signed proof file of chosen audit entries (audit prove-set): the file is the answer. */
int svd_h_audit_prove_set(svd_req *r)
{
	scrvault_audit_set set = SCRVAULT_AUDIT_SET_INIT;
	const scrvault_json *seqs = scrvault_json_get(r->body, "seqs");
	uint64_t nums[SEQS_MAX];
	scrvault_json *out = NULL;
	char path[PATH_MAX];
	size_t n = seqs ? scrvault_json_count(seqs) : 0;
	svd_tmp t;
	int rc;

	NOQ();
	if ((n == 0 && !svd_str(r, "case")) || n > SEQS_MAX) {
		svd_reply_error(r, 422, 2, "seqs is a list of 1 to 1024 audit sequence numbers (or give a case)", "seqs");
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		int64_t s = scrvault_json_int(scrvault_json_at(seqs, i));
		if (s <= 0) {
			svd_reply_error(r, 422, 2, "seqs is a list of audit sequence numbers, each from 1", "seqs");
			return 0;
		}
		nums[i] = (uint64_t)s;
	}
	set.seqs = nums;
	set.nseqs = n;
	set.case_ref = svd_str(r, "case");
	set.title = svd_str(r, "title");
	if (svd_tmp_make(&t) < 0)
		return SCRVAULT_ERROR;
	if (svd_tmp_path(&t, "proof", path, sizeof(path)) < 0) {
		svd_tmp_remove(&t);
		return SCRVAULT_ERROR;
	}
	rc = scrvault_audit_prove_set(&out, r->d->v, &set, path);
	if (rc == 0)
		rc = result_header(r, out);
	scrvault_json_free(out);
	if (rc == 0)
		rc = svd_reply_file(r, "application/octet-stream", path, "audit-proof");
	svd_tmp_remove(&t);
	return rc;
}

/*
 * Register a holder from their enrolment request (principal add
 * --enrolment): the request's text and the six words they read out; the
 * answer carries the vault's acceptance (text) for the holder to import.
 * Both files pass through a private temporary directory.
 */
int svd_h_principal_enrol(svd_req *r)
{
	scrvault_enrol_spec s = SCRVAULT_ENROL_SPEC_INIT;
	scrvault_json *out = NULL;
	const char *request = svd_str(r, "request");
	char req_path[PATH_MAX], acc_path[PATH_MAX], *acc = NULL, *qacc = NULL, *text = NULL;
	size_t acclen = 0;
	int custodian = body_bool(r, "custodian"), rc, n;
	svd_tmp t;

	NOQ();
	if (!request || !*request) {
		svd_reply_error(r, 422, 2, "send the enrolment request's text as \"request\"", "request");
		return 0;
	}
	if (custodian < 0) {
		svd_reply_error(r, 422, 2, "custodian is true or false", "custodian");
		return 0;
	}
	if (svd_tmp_make(&t) < 0)
		return SCRVAULT_ERROR;
	if (svd_tmp_path(&t, "request.enrol", req_path, sizeof(req_path)) < 0 ||
	    svd_tmp_path(&t, "request.accept", acc_path, sizeof(acc_path)) < 0 ||
	    write_new(req_path, request, strlen(request)) < 0) {
		svd_tmp_remove(&t);
		return SCRVAULT_ERROR;
	}
	s.enrolment = req_path;
	s.fingerprint = svd_str(r, "fingerprint");
	s.display_name = svd_str(r, "display_name");
	s.contact = svd_str(r, "contact");
	s.custodian = custodian == 1;
	s.acceptance_out = acc_path;
	rc = scrvault_principal_enrol(&out, r->d->v, &s);
	if (rc == 0 && svd_file_read(acc_path, 64 * 1024, &acc, &acclen) < 0)
		rc = SCRVAULT_ERROR;
	svd_tmp_remove(&t);
	if (rc < 0) {
		scrvault_json_free(out);
		return rc;
	}
	/* The library's answer, the acceptance's text in place of its (temporary, removed) path. */
	{
		static const char *const keys[] = { "custodian", "expires_at", "fingerprint", "kind", "name",
						    "pending", "vault", "vault_key", NULL };
		size_t cap = acclen * 2 + 4096, len = 0;

		qacc = scrvault_json_quote(acc);
		text = malloc(cap);
		n = text && qacc ? snprintf(text, cap, "{\"acceptance\":%s", qacc) : -1;
		for (size_t i = 0; n >= 0 && keys[i]; i++) {
			const scrvault_json *j = scrvault_json_get(out, keys[i]);
			char *jt = j ? scrvault_json_text(j) : NULL;
			len = (size_t)n;
			if (jt && len + strlen(keys[i]) + strlen(jt) + 8 < cap)
				n = (int)len + snprintf(text + len, cap - len, ",\"%s\":%s", keys[i], jt);
			free(jt);
		}
		if (n >= 0 && (size_t)n + 2 < cap)
			n += snprintf(text + n, cap - (size_t)n, "}");
		else
			n = -1;
	}
	scrvault_json_free(out);
	free(qacc);
	free(acc);
	if (n < 0) {
		free(text);
		return SCRVAULT_ERROR;
	}
	svd_reply_text(r, 200, "application/json", text, (size_t)n);
	free(text);
	return 0;
}

/* ---- referral decisions, notices; request answers and clocks ------------------------- */

/* A recommendation or decision: the rationale's text (checked in as decision-rationale) via a private file. */
static int referral_decision(svd_req *r, bool decide)
{
	scrvault_referral_decision d = SCRVAULT_REFERRAL_DECISION_INIT;
	scrvault_json *out = NULL;
	const char *name = svd_str(r, "rationale_filename");
	unsigned char *text = NULL;
	size_t len;
	char path[PATH_MAX];
	svd_tmp t;
	int rc;

	NOQ();
	if (body_file(r, "rationale", &text, &len) < 0)
		return 0;
	if (!text) {
		free(text);
		svd_reply_error(r, 422, 2, "send the rationale as \"rationale\" (its text) or \"rationale_base64\"",
				"rationale");
		return 0;
	}
	if (!plain_name(name)) {
		free(text);
		svd_reply_error(r, 422, 2, "rationale_filename is a plain file name", "rationale_filename");
		return 0;
	}
	if (svd_tmp_make(&t) < 0) {
		free(text);
		return SCRVAULT_ERROR;
	}
	rc = svd_tmp_path(&t, name ? name : "rationale.txt", path, sizeof(path)) < 0 || write_new(path, text, len) < 0;
	explicit_bzero(text, len);
	free(text);
	if (rc) {
		svd_tmp_remove(&t);
		return SCRVAULT_ERROR;
	}
	d.ref = P(0);
	d.review = svd_str(r, "review");
	d.on = svd_str(r, "on");
	d.rationale_path = path;
	rc = decide ? scrvault_referral_decide(&out, r->d->v, &d) : scrvault_referral_recommend(&out, r->d->v, &d);
	svd_tmp_remove(&t);
	return svd_reply_result(r, rc, &out);
}

int svd_h_referral_recommend(svd_req *r)
{
	return referral_decision(r, false);
}

int svd_h_referral_decide(svd_req *r)
{
	return referral_decision(r, true);
}

int svd_h_referral_notify(svd_req *r)
{
	scrvault_referral_notice n = SCRVAULT_REFERRAL_NOTICE_INIT;
	scrvault_json *out = NULL;

	NOQ();
	n.ref = P(0);
	n.to = svd_str(r, "to");
	n.on = svd_str(r, "on");
	return svd_reply_result(r, scrvault_referral_notify(&out, r->d->v, &n), &out);
}

int svd_h_request_respond(svd_req *r)
{
	scrvault_json *out = NULL;
	uint64_t id;

	NOQ();
	if (!(id = id_param(r, "an access request", "request")))
		return 0;
	return svd_reply_result(r, scrvault_request_respond(&out, r->d->v, (int64_t)id, svd_str(r, "on")), &out);
}

int svd_h_request_clock(svd_req *r)
{
	scrvault_json *out = NULL;
	uint64_t id;

	NOQ();
	if (!(id = id_param(r, "an access request", "request")))
		return 0;
	return svd_reply_result(r, scrvault_request_clock(&out, r->d->v, (int64_t)id, svd_str(r, "kind"), svd_str(r, "on"),
						     svd_str(r, "note")), &out);
}

/* ---- FOI requests due, every case's clocks, whether dual control is in force ------- */

/* Open FOI requests due within ?days=N working days (default 5, 0-365) and overdue ones. */
int svd_h_requests_due(svd_req *r)
{
	static const char *const keys[] = { "days", "as_of", NULL };
	scrvault_json *out = NULL;
	char db[8], a[16];
	bool bad = false;
	const char *dv, *as_of;
	uint64_t days = 5;

	if (only(r, keys) < 0)
		return 0;
	dv = query(r, "days", db, sizeof(db), &bad);
	as_of = query(r, "as_of", a, sizeof(a), &bad);
	if (dv)
		days = strcmp(dv, "0") == 0 ? 0 : number(dv, 365);
	if (bad || (dv && strcmp(dv, "0") != 0 && days == 0))
		return bad_query(r, "days is a number of working days from 0 to 365; as_of is YYYY-MM-DD");
	return svd_reply_result(r, scrvault_request_due(&out, r->d->v, (unsigned)days, as_of), &out);
}

/* The rows of a *_each call, gathered as one JSON list's text. */
typedef struct {
	char *buf;
	size_t len, cap;
	bool oom;
} rows_text;

static int rows_add(void *ctx, const scrvault_json *row)
{
	rows_text *t = ctx;
	char *s = scrvault_json_text(row);
	size_t n = s ? strlen(s) : 0;

	if (!s) {
		t->oom = true;
		return SCRVAULT_ERROR;
	}
	if (t->len + n + 3 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 4096;
		char *p;

		while (cap < t->len + n + 3)
			cap *= 2;
		if (!(p = realloc(t->buf, cap))) {
			free(s);
			t->oom = true;
			return SCRVAULT_ERROR;
		}
		t->buf = p;
		t->cap = cap;
	}
	t->buf[t->len] = t->len ? ',' : '[';
	t->len++;
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	free(s);
	return 0;
}

/* Every clock of every case the session reaches (`scrvault case clocks`), filtered. */
int svd_h_clocks(svd_req *r)
{
	static const char *const keys[] = { "as_of", "due_before", "open", "done_from", "done_to", "case", NULL };
	scrvault_clock_filter f = SCRVAULT_CLOCK_FILTER_INIT;
	rows_text t = { 0 };
	char a[16], db[16], o[8], df[16], dt[16], c[72];
	bool bad = false;
	const char *ov;
	int rc;

	if (only(r, keys) < 0)
		return 0;
	f.as_of = query(r, "as_of", a, sizeof(a), &bad);
	f.due_before = query(r, "due_before", db, sizeof(db), &bad);
	ov = query(r, "open", o, sizeof(o), &bad);
	f.done_from = query(r, "done_from", df, sizeof(df), &bad);
	f.done_to = query(r, "done_to", dt, sizeof(dt), &bad);
	f.case_ref = query(r, "case", c, sizeof(c), &bad);
	if (bad || (ov && strcmp(ov, "true") && strcmp(ov, "false")))
		return bad_query(r, "open is true or false; the dates are YYYY-MM-DD; case a case reference");
	f.open_only = ov && !strcmp(ov, "true");
	if ((rc = scrvault_clock_list_each(r->d->v, &f, rows_add, &t)) < 0 || t.oom) {
		free(t.buf);
		return rc < 0 ? rc : SCRVAULT_ERROR;
	}
	if (!t.buf)
		svd_reply_text(r, 200, "application/json", "[]", 2);
	else {
		t.buf[t.len++] = ']';
		svd_reply_text(r, 200, "application/json", t.buf, t.len);
	}
	free(t.buf);
	return 0;
}

/* Every IMR commission the session sees, with its progress (the pages' commissions and sent pages). */
int svd_h_commissions(svd_req *r)
{
	static const char *const keys[] = { "as_of", "case", NULL };
	scrvault_clock_filter f = SCRVAULT_CLOCK_FILTER_INIT;
	rows_text t = { 0 };
	char a[16], c[72];
	bool bad = false;
	int rc;

	if (only(r, keys) < 0)
		return 0;
	f.as_of = query(r, "as_of", a, sizeof(a), &bad);
	f.case_ref = query(r, "case", c, sizeof(c), &bad);
	if (bad)
		return bad_query(r, "as_of is YYYY-MM-DD; case a case reference");
	if ((rc = scrvault_commission_list_each(r->d->v, &f, rows_add, &t)) < 0 || t.oom) {
		free(t.buf);
		return rc < 0 ? rc : SCRVAULT_ERROR;
	}
	if (!t.buf)
		svd_reply_text(r, 200, "application/json", "[]", 2);
	else {
		t.buf[t.len++] = ']';
		svd_reply_text(r, 200, "application/json", t.buf, t.len);
	}
	free(t.buf);
	return 0;
}

/* Whether dual control is in force (`scrvault op list` says so when it is not). */
int svd_h_ops_status(svd_req *r)
{
	scrvault_json *out = NULL;

	NOQ();
	return svd_reply_result(r, scrvault_op_status(&out, r->d->v), &out);
}
