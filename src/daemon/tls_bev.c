/*
 * tls_bev.c - each HTTPS connection's TLS: an OpenSSL server bufferevent
 * over the socket evhttp accepted, from the context tls.c made.  With
 * tls.c, the only file of scrvaultd that includes OpenSSL's headers.
 */
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/ssl.h>
#include "tls.h"

struct bufferevent *svd_tls_bev(struct event_base *base, void *ctx)
{
	SSL *ssl = SSL_new(ctx);

	if (!ssl)
		return NULL;
	return bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
}

void svd_tls_free(SSL_CTX *ctx)
{
	SSL_CTX_free(ctx);
}
