/*
 * http.c - one request's way through scrvaultd: target checked and routed
 * (routes.c), sealed or not, body read within the route's limit, the
 * session resumed, the handler called, the library's code answered, one
 * log line written.
 *
 * libevent's evhttp parses HTTP (no parser of ours); this file is the one
 * that reads a request from it.  It must never log a token, a body or a
 * header's value, and never answer with a library message that was not
 * meant for the caller (every library message is: it names the input).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include "daemon.h"
#include "http.h"
#include "tls.h"

int svd_status_of(int rc)
{
	switch (rc) {
	case SCRVAULT_EUSAGE: return 422;
	case SCRVAULT_EDENIED: return 403;
	case SCRVAULT_ENOTFOUND: return 404;
	case SCRVAULT_ECONFLICT: return 409;
	default: return 500;
	}
}

static const char *reason_of(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

/*
 * The headers every answer carries, the API's and the pages' alike, errors
 * included: the pages run only their own scripts and styles and talk only
 * to this origin; nothing is framed, sniffed, cached, referred or opened
 * across origins.  A browser ignores the ones that do not apply to JSON.
 */
static void add_security_headers(struct evkeyvalq *h)
{
	/* Once: a reply function called twice for one answer must not double them. */
	if (evhttp_find_header(h, "Content-Security-Policy"))
		return;
	evhttp_add_header(h, "Content-Security-Policy",
			  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
			  "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
	evhttp_add_header(h, "Strict-Transport-Security", "max-age=63072000");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Cross-Origin-Opener-Policy", "same-origin");
	evhttp_add_header(h, "Cross-Origin-Resource-Policy", "same-origin");
	evhttp_add_header(h, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
	evhttp_add_header(h, "Cache-Control", "no-store");
}

void svd_reply_headers(svd_req *r)
{
	add_security_headers(evhttp_request_get_output_headers(r->ev));
}

void svd_reply_text(svd_req *r, int status, const char *ctype, const char *buf, size_t len)
{
	struct evbuffer *b = evbuffer_new();
	struct evkeyvalq *h = evhttp_request_get_output_headers(r->ev);

	evhttp_add_header(h, "Content-Type", ctype);
	add_security_headers(h);
	if (b)
		evbuffer_add(b, buf, len);
	r->status = status;
	evhttp_send_reply(r->ev, status, reason_of(status), b);
	if (b)
		evbuffer_free(b);
}

int svd_reply_file(svd_req *r, const char *ctype, const char *path, const char *name)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct evkeyvalq *h = evhttp_request_get_output_headers(r->ev);
	struct evbuffer *b = NULL;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(b = evbuffer_new()) ||
	    evbuffer_add_file(b, fd, 0, st.st_size) < 0) {	/* owns fd from here */
		if (b)
			evbuffer_free(b);
		else if (fd >= 0)
			close(fd);
		(void)unlink(path);
		return SCRVAULT_ERROR;
	}
	(void)unlink(path);	/* the open descriptor keeps it until sent */
	evhttp_add_header(h, "Content-Type", ctype);
	add_security_headers(h);
	if (name) {
		char cd[160];
		snprintf(cd, sizeof(cd), "attachment; filename=\"%s\"", name);
		evhttp_add_header(h, "Content-Disposition", cd);
	}
	r->status = 200;
	evhttp_send_reply(r->ev, 200, "OK", b);
	evbuffer_free(b);
	return 0;
}

void svd_reply_json(svd_req *r, int status, scrvault_json *j)
{
	char *text;

	if (!j) {	/* a call that answers nothing but success */
		svd_reply_text(r, status, "application/json", "{}", 2);
		return;
	}
	text = scrvault_json_text(j);
	scrvault_json_free(j);
	if (!text) {
		svd_reply_error(r, 500, 1, "the answer could not be written", NULL);
		return;
	}
	svd_reply_text(r, status, "application/json", text, strlen(text));
	free(text);
}

int svd_reply_result(svd_req *r, int rc, scrvault_json **j)
{
	if (rc < 0) {
		scrvault_json_free(*j);
		*j = NULL;
		return rc;
	}
	svd_reply_json(r, 200, *j);
	*j = NULL;
	return 0;
}

void svd_reply_error(svd_req *r, int status, int code, const char *message, const char *field)
{
	char *m = scrvault_json_quote(message ? message : "error");
	char *f = field ? scrvault_json_quote(field) : NULL;
	char *text = NULL;
	int n;

	n = asprintf(&text, "{\"error\":{\"code\":%d,\"field\":%s,\"message\":%s}}", code, f ? f : "null",
		     m ? m : "\"error\"");
	free(m);
	free(f);
	if (n < 0) {
		r->status = 500;
		add_security_headers(evhttp_request_get_output_headers(r->ev));
		evhttp_send_error(r->ev, 500, NULL);
		return;
	}
	svd_reply_text(r, status, "application/json", text, (size_t)n);
	free(text);
}

int svd_fail(svd_req *r, int rc)
{
	int code = rc < 0 && rc >= SCRVAULT_ECONFLICT ? -rc : 1;

	svd_reply_error(r, svd_status_of(rc), code, scrvault_error_message(), scrvault_error_field());
	return 0;
}

const char *svd_str(const svd_req *r, const char *key)
{
	return r->body ? scrvault_json_str(scrvault_json_get(r->body, key)) : NULL;
}

int64_t svd_int(const svd_req *r, const char *key, bool *found)
{
	const scrvault_json *j = r->body ? scrvault_json_get(r->body, key) : NULL;
	char *t = j ? scrvault_json_text(j) : NULL;
	bool is_int = t && ((t[0] >= '0' && t[0] <= '9') || t[0] == '-');

	free(t);
	*found = is_int;
	return is_int ? scrvault_json_int(j) : 0;
}

/* ---- limits on addresses ----------------------------------------------------------------- */

static svd_addr_count *addr_slot(svd_daemon *d, const char *addr, bool make)
{
	svd_addr_count *oldest = &d->addrs[0];
	time_t now = time(NULL);

	for (size_t i = 0; i < SVD_ADDRS; i++) {
		svd_addr_count *a = &d->addrs[i];
		if (a->addr[0] && now - a->since > SVD_ADDR_WINDOW)
			memset(a, 0, sizeof(*a));
		if (a->addr[0] && strcmp(a->addr, addr) == 0)
			return a;
		if (a->since < oldest->since)
			oldest = a;
	}
	if (!make)
		return NULL;
	memset(oldest, 0, sizeof(*oldest));
	snprintf(oldest->addr, sizeof(oldest->addr), "%s", addr);
	oldest->since = now;
	return oldest;
}

bool svd_addr_blocked(svd_daemon *d, const char *addr)
{
	svd_addr_count *a = addr_slot(d, addr, false);

	return a && a->failures >= SVD_ADDR_FAILURES_MAX;
}

void svd_addr_failed(svd_daemon *d, const char *addr)
{
	svd_addr_count *a = addr_slot(d, addr, true);

	if (a)
		a->failures++;
}

/* ---- connections: a cap in all and per address ------------------------------------------- */

static void conn_closed(struct evhttp_connection *c, void *arg)
{
	svd_daemon *d = arg;

	for (size_t i = 0; i < SVD_CONNS_MAX; i++)
		if (d->conns[i].conn == c) {
			memset(&d->conns[i], 0, sizeof(d->conns[i]));
			d->nconns--;
			return;
		}
}

/*
 * A connection's first request counts it (its close uncounts it): false
 * when the service has max_conns connections, or the address max_conns_addr,
 * already (libevent 2.1 has no cap of its own; a connection that never
 * sends a request is dropped by the client timeout).
 */
static bool conn_admit(svd_req *r)
{
	svd_daemon *d = r->d;
	struct evhttp_connection *c = evhttp_request_get_connection(r->ev);
	svd_conn *free_slot = NULL;
	unsigned same = 0;

	if (!c)
		return true;
	for (size_t i = 0; i < SVD_CONNS_MAX; i++) {
		if (d->conns[i].conn == c)
			return true;
		if (!d->conns[i].conn && !free_slot)
			free_slot = &d->conns[i];
		else if (d->conns[i].conn && !strcmp(d->conns[i].addr, r->client))
			same++;
	}
	if (!free_slot || d->nconns >= d->max_conns || same >= d->max_conns_addr)
		return false;
	free_slot->conn = c;
	snprintf(free_slot->addr, sizeof(free_slot->addr), "%s", r->client);
	d->nconns++;
	evhttp_connection_set_closecb(c, conn_closed, d);
	/*
	 * Small answers go at once: with Nagle's algorithm a TLS record's last
	 * segment waited for the client's delayed ACK, 40 ms on every small
	 * answer (bench/pages).  Not a TCP socket (the local one): no matter.
	 */
	{
		struct bufferevent *bev = evhttp_connection_get_bufferevent(c);
		evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;
		int one = 1;

		if (fd >= 0)
			(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	return true;
}

/* ---- the whole-request deadline ---------------------------------------------------------- */

/*
 * libevent 2.1 times a connection out per read and per write only: a client
 * that sends its headers a byte at a time, each just inside the client
 * timeout, would hold a connection for ever.  So each connection has a
 * deadline, set when evhttp asks for its bufferevent (at accept) and again
 * after each answer (kept alive, the next request's time starts there), and
 * a timer of its own that looks once a second: svd_http_request, called
 * once the headers and body are all in, answers within the deadline; past
 * it, the socket is shut down and evhttp, reading its end, frees the
 * connection as if the client had gone.  2.1 has no evhttp_set_newreqcb
 * (2.2 has), so the deadline is keyed by the bufferevent, of which it holds
 * a reference: once evhttp has freed it its callbacks are gone, and the next
 * look lets go (the socket stays open, shut down for writing by evhttp, a
 * second at most).
 */
struct svd_deadline {
	struct svd_deadline *next, *prev;
	svd_daemon *d;
	struct bufferevent *bev;
	struct event *timer;			/* once a second */
	struct timespec due;			/* tv_sec 0: answering now */
	bool dropped;
};

static struct timespec mono_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t;
}

static void deadline_free(struct svd_deadline *dl)
{
	if (dl->prev)
		dl->prev->next = dl->next;
	else
		dl->d->deadlines = dl->next;
	if (dl->next)
		dl->next->prev = dl->prev;
	event_free(dl->timer);		/* safe from the timer's own callback */
	bufferevent_decref(dl->bev);
	free(dl);
}

static void deadline_set(struct svd_deadline *dl)
{
	dl->due = mono_now();
	dl->due.tv_sec += dl->d->request_timeout;
}

static bool bev_gone(struct bufferevent *bev)
{
	bufferevent_data_cb rd = NULL, wr = NULL;
	bufferevent_event_cb ev = NULL;

	bufferevent_getcb(bev, &rd, &wr, &ev, NULL);
	return !rd && !wr && !ev;
}

static void deadline_look(evutil_socket_t fd, short what, void *arg)
{
	struct svd_deadline *dl = arg;
	evutil_socket_t sock = bufferevent_getfd(dl->bev);
	struct timespec now = mono_now();
	(void)fd;
	(void)what;

	if (dl->dropped || bev_gone(dl->bev) || sock < 0) {
		deadline_free(dl);	/* the connection is over: let go */
		return;
	}
	if (!dl->due.tv_sec || now.tv_sec < dl->due.tv_sec ||
	    (now.tv_sec == dl->due.tv_sec && now.tv_nsec < dl->due.tv_nsec))
		return;
	/* Still answering (a large file to a slow reader): the write timeout
	 * watches that; the next request's time starts again from here. */
	if (evbuffer_get_length(bufferevent_get_output(dl->bev)) > 0) {
		deadline_set(dl);
		return;
	}
	fprintf(stderr, "scrvaultd: a request not all in within %us: connection dropped\n", dl->d->request_timeout);
	(void)shutdown(sock, SHUT_RDWR);
	dl->dropped = true;		/* evhttp frees it; the next look lets go */
}

static struct bufferevent *deadline_track(svd_daemon *d, struct bufferevent *bev)
{
	struct timeval second = { 1, 0 };
	struct svd_deadline *dl;

	if (!bev || !d->request_timeout)
		return bev;
	if (!(dl = calloc(1, sizeof(*dl))) ||
	    !(dl->timer = event_new(bufferevent_get_base(bev), -1, EV_PERSIST, deadline_look, dl)) ||
	    event_add(dl->timer, &second) < 0) {
		if (dl && dl->timer)
			event_free(dl->timer);
		free(dl);
		bufferevent_free(bev);	/* no deadline, no connection */
		return NULL;
	}
	dl->d = d;
	dl->bev = bev;
	bufferevent_incref(bev);
	dl->next = d->deadlines;
	if (dl->next)
		dl->next->prev = dl;
	d->deadlines = dl;
	deadline_set(dl);
	return bev;
}

struct bufferevent *svd_http_bev(struct event_base *base, void *arg)
{
	return deadline_track(arg, bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE));
}

struct bufferevent *svd_http_bev_tls(struct event_base *base, void *arg)
{
	svd_daemon *d = arg;

	return deadline_track(d, svd_tls_bev(base, d->tls_ctx));
}

void svd_deadlines_free(svd_daemon *d)
{
	while (d->deadlines)
		deadline_free(d->deadlines);
}

/* ---- one request ------------------------------------------------------------------------- */

static const char *method_name(enum evhttp_cmd_type t)
{
	switch (t) {
	case EVHTTP_REQ_GET: return "GET";
	case EVHTTP_REQ_POST: return "POST";
	case EVHTTP_REQ_PUT: return "PUT";
	case EVHTTP_REQ_DELETE: return "DELETE";
	default: return NULL;
	}
}

/* "unix:uid=N" for the local socket, else the peer's address. */
static void peer_of(svd_req *r)
{
	struct evhttp_connection *c = evhttp_request_get_connection(r->ev);
	struct bufferevent *bev = c ? evhttp_connection_get_bufferevent(c) : NULL;
	evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	snprintf(r->client, sizeof(r->client), "unknown");
	if (fd >= 0 && getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 && ss.ss_family == AF_UNIX) {
		struct ucred uc;
		socklen_t ul = sizeof(uc);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &ul) == 0)
			snprintf(r->client, sizeof(r->client), "unix:uid=%u", (unsigned)uc.uid);
		else
			snprintf(r->client, sizeof(r->client), "unix");
		return;
	}
	if (c) {
		const char *host = NULL;
		ev_uint16_t port = 0;
		evhttp_connection_get_peer(c, (char **)&host, &port);
		if (host)
			snprintf(r->client, sizeof(r->client), "%s", host);
	}
}

/* Whether the request's Content-Type is `want` (parameters after ';' ignored). */
static bool ctype_is(svd_req *r, const char *want)
{
	const char *ct = evhttp_find_header(evhttp_request_get_input_headers(r->ev), "Content-Type");
	size_t n = strlen(want);

	return ct && strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';');
}

/*
 * Authorization: Bearer TOKEN (the command line), or the pages' cookie
 * (web.c: a state-changing request must also carry the anti-forgery token
 * and come from the pages' own origin), X-Scrvault-Role,
 * X-Scrvault-Request -> the session.
 */
int svd_authenticate(svd_req *r)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(r->ev);
	const char *auth = evhttp_find_header(h, "Authorization");
	const char *role = evhttp_find_header(h, "X-Scrvault-Role");
	const char *reqh = evhttp_find_header(h, "X-Scrvault-Request");
	scrvault_act_options o = SCRVAULT_ACT_OPTIONS_INIT;
	int rc;

	if (auth) {
		if (strncmp(auth, "Bearer ", 7) != 0 || !svd_token_ok(auth + 7)) {
			svd_reply_error(r, 401, 3, "sign in first: POST /v1/session, then send Authorization: Bearer "
					"TOKEN", NULL);
			return -1;
		}
		snprintf(r->token, sizeof(r->token), "%s", auth + 7);
	} else if ((rc = svd_web_cookie(r)) <= 0) {
		if (rc == 0)
			svd_reply_error(r, 401, 3, "sign in first: POST /v1/session, then send Authorization: Bearer "
					"TOKEN (or sign in on the pages)", NULL);
		return -1;
	}
	if (role) {
		for (const char *p = role; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || *p == '-' || *p == '_') || p - role > 32) {
				svd_reply_error(r, 400, 2, "X-Scrvault-Role is a role name", "role");
				return -1;
			}
		o.role = role;
	}
	if (reqh) {
		char *end = NULL;
		long long n = strtoll(reqh, &end, 10);
		if (!*reqh || *end || n <= 0 || reqh[0] < '1' || reqh[0] > '9' || strlen(reqh) > 18 ||
		    strspn(reqh, "0123456789") != strlen(reqh)) {
			svd_reply_error(r, 400, 2, "X-Scrvault-Request is an access request's number", "request");
			return -1;
		}
		o.request = n;
	}
	o.client = r->client;
	if ((rc = scrvault_session_resume(r->d->v, r->token, &o)) < 0) {
		char msg[512], field[64];
		scrvault_act_options plain = SCRVAULT_ACT_OPTIONS_INIT;

		snprintf(msg, sizeof(msg), "%s", scrvault_error_message());
		snprintf(field, sizeof(field), "%s", scrvault_error_field() ? scrvault_error_field() : "");
		/*
		 * A live session that asked for a role it does not hold, or an
		 * access request it may not use, is refused (403), not unknown
		 * (401): tell them apart by resuming it without those.
		 */
		plain.client = r->client;
		if (rc == SCRVAULT_EDENIED && (o.role || o.request) &&
		    scrvault_session_resume(r->d->v, r->token, &plain) == 0) {
			svd_reply_error(r, 403, 3, msg, field[0] ? field : o.role ? "role" : "request");
			return -1;
		}
		if (rc == SCRVAULT_EDENIED)
			svd_reply_error(r, 401, 3, msg, NULL);
		else
			svd_reply_error(r, svd_status_of(rc), rc >= SCRVAULT_ECONFLICT ? -rc : 1, msg,
					field[0] ? field : NULL);
		return -1;
	}
	r->d->last_auth = time(NULL);
	return 0;
}

static void log_line(const svd_req *r, const char *method, const char *what)
{
	/* Method, route pattern (or what was refused), status, peer: no id, token or body. */
	fprintf(stderr, "scrvaultd: %s %s %d %s\n", method ? method : "?", what, r->status, r->client);
}

static void answer(svd_req *r, const char *method, const char *uri, struct evbuffer *in, size_t len);

void svd_http_request(struct evhttp_request *ev, void *arg)
{
	svd_daemon *d = arg;
	svd_req req, *r = &req;
	struct evbuffer *in = evhttp_request_get_input_buffer(ev);
	struct evhttp_connection *c = evhttp_request_get_connection(ev);
	/* Held by its deadline: still ours to look at after the answer. */
	struct bufferevent *bev = c ? evhttp_connection_get_bufferevent(c) : NULL;
	struct svd_deadline *dl;

	memset(r, 0, sizeof(*r));
	r->d = d;
	r->ev = ev;
	peer_of(r);
	/* The request is in, within its deadline. */
	for (dl = bev ? d->deadlines : NULL; dl && dl->bev != bev; dl = dl->next)
		;
	if (dl)
		dl->due.tv_sec = 0;
	answer(r, method_name(evhttp_request_get_command(ev)), evhttp_request_get_uri(ev), in,
	       in ? evbuffer_get_length(in) : 0);
	/* Kept alive, the next request's time starts now (closed, the next look lets go). */
	if (dl && !dl->dropped)
		deadline_set(dl);
}

static void answer(svd_req *r, const char *method, const char *uri, struct evbuffer *in, size_t len)
{
	struct evhttp_request *ev = r->ev;
	const char *q;
	size_t plen;
	int m;

	scrvault_error_clear();
	if (!conn_admit(r)) {
		evhttp_add_header(evhttp_request_get_output_headers(ev), "Connection", "close");
		svd_reply_error(r, 429, 1, "too many connections to the service (from this address, or in all): "
			     "close one and try again", NULL);
		log_line(r, method, "-");
		return;
	}
	if (!method) {
		svd_reply_error(r, 405, 2, "the service answers GET, POST, PUT and DELETE only", NULL);
		log_line(r, method, "-");
		return;
	}
	if (!uri || strlen(uri) > SVD_PATH_MAX + 1 + SVD_QUERY_MAX || strchr(uri, '#')) {
		svd_reply_error(r, 400, 2, "the request target is malformed or too long", NULL);
		log_line(r, method, "-");
		return;
	}
	q = strchr(uri, '?');
	plen = q ? (size_t)(q - uri) : strlen(uri);
	r->query = q ? q + 1 : NULL;
	if ((m = svd_route_match(&r->m, method, uri, plen)) != SVD_MATCH_OK) {
		if (m == SVD_MATCH_BAD)
			svd_reply_error(r, 400, 2, "the path is malformed: no route has '%', '..', empty "
				     "segments or characters outside [A-Za-z0-9._@-] in a name", NULL);
		else if (m == SVD_MATCH_METHOD)
			svd_reply_error(r, 405, 2, "this route does not take that method (docs/API.md)", NULL);
		else
			svd_reply_error(r, 404, 4, "no such route (docs/API.md lists them)", NULL);
		log_line(r, method, "-");
		return;
	}
	const svd_route *rt = r->m.route;
	if (!r->d->v && !(rt->flags & SVD_SEALED)) {
		svd_reply_error(r, 503, 3, "the vault is sealed: a custodian unseals it (scrvault unseal)", NULL);
		goto done;
	}
	if (len > rt->max_body) {
		svd_reply_error(r, 413, 2, rt->max_body ? "the body is larger than this route takes"
					       : "this route takes no body", NULL);
		goto done;
	}
	if (rt->flags & SVD_JSON) {
		const char *text = len ? (const char *)evbuffer_pullup(in, (ev_ssize_t)len) : NULL;
		int rc;
		if (!ctype_is(r, "application/json")) {
			svd_reply_error(r, 415, 2, "send the body as Content-Type: application/json", NULL);
			goto done;
		}
		if (!text || text[0] != '{' || (rc = scrvault_json_parse(&r->body, text, len)) < 0) {
			svd_reply_error(r, 400, 2, text && text[0] == '{' ? scrvault_error_message()
					: "the body must be one JSON object", NULL);
			goto done;
		}
	} else if (rt->flags & SVD_BYTES) {
		if (!ctype_is(r, "application/octet-stream")) {
			svd_reply_error(r, 415, 2, "send the bytes as Content-Type: application/octet-stream", NULL);
			goto done;
		}
		r->bytes = len ? evbuffer_pullup(in, (ev_ssize_t)len) : (const unsigned char *)"";
		r->nbytes = len;
	}
	if ((rt->flags & SVD_AUTH) && svd_authenticate(r) < 0)
		goto done;
	if (!rt->fn) {
		svd_reply_error(r, 500, 1, "this route has no handler", NULL);
		goto done;
	}
	{
		int rc = rt->fn(r);
		if (rc < 0)
			svd_fail(r, rc);
	}
done:
	log_line(r, method, rt->pattern);
	scrvault_json_free(r->body);
	explicit_bzero(r->token, sizeof(r->token));
}
