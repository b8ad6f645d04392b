/* http.h - evhttp's callback for every request (http.c). */
#ifndef SVD_HTTP_H
#define SVD_HTTP_H

struct evhttp_request;
/* `arg` is the svd_daemon. */
void svd_http_request(struct evhttp_request *ev, void *arg);

/*
 * evhttp's bevcb for each new connection (`arg` the svd_daemon): the
 * bufferevent it reads from, plain for the local socket or TLS when the
 * daemon has a TLS context (d->tls_ctx), with the whole-request deadline
 * (d->request_timeout seconds) armed from this accept.
 */
struct event_base;
struct bufferevent *svd_http_bev(struct event_base *base, void *arg);
struct bufferevent *svd_http_bev_tls(struct event_base *base, void *arg);

/* At exit, after the listeners are freed: the deadlines' timers and references. */
struct svd_daemon;
void svd_deadlines_free(struct svd_daemon *d);

#endif
