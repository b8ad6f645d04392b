/*
 * tls.h - scrvaultd's TLS server context (tls.c): the only daemon file that
 * uses OpenSSL's TLS.
 */
#ifndef SVD_TLS_H
#define SVD_TLS_H

#include <openssl/ssl.h>

/*
 * A server context for cert_pem (the certificate, then its chain: what
 * 'scrvault tls issue' or an operator's CA wrote) and key_pem (its private
 * key, which must be a regular file, not a link, owned by the daemon's user
 * and readable by nobody else).  TLS 1.3 only; no session tickets and no
 * session cache (nothing outlives the connection); no client certificates
 * (clients prove who they are by signed challenges).  The key must match
 * the certificate and the certificate must be within its validity.  0, or
 * -1 with the reason and its fix in svd_tls_error(); *out NULL then.
 */
int svd_tls_server_ctx(SSL_CTX **out, const char *cert_pem, const char *key_pem);

/* The message of the last failure of this thread ("" if none). */
const char *svd_tls_error(void);

struct bufferevent;
struct event_base;
/*
 * evhttp's bevcb for the HTTPS listener (tls_bev.c, with libevent_openssl):
 * a TLS server bufferevent for each accepted connection; `ctx` is the
 * SSL_CTX svd_tls_server_ctx made.
 */
struct bufferevent *svd_tls_bev(struct event_base *base, void *ctx);
/* NULL-safe. */
void svd_tls_free(SSL_CTX *ctx);

#endif
