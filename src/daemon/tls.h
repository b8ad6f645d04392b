/*
 * tls.h - the HTTPS listener's TLS (tls.c): the one file of scrvaultd that
 * includes OpenSSL's TLS headers.
 */
#ifndef SVD_TLS_H
#define SVD_TLS_H

typedef struct ssl_ctx_st SSL_CTX;

/*
 * A TLS 1.3-only server context with the certificate chain and private key
 * of the PEM files `cert_pem` and `key_pem`.  0, or -1 with a message on
 * stderr; *out NULL on failure.
 */
int svd_tls_server_ctx(SSL_CTX **out, const char *cert_pem, const char *key_pem);

struct bufferevent;
struct event_base;
/* evhttp's bevcb for the HTTPS listener (tls_bev.c): a TLS server
 * bufferevent for each accepted connection; `ctx` is the SSL_CTX. */
struct bufferevent *svd_tls_bev(struct event_base *base, void *ctx);
/* NULL-safe. */
void svd_tls_free(SSL_CTX *ctx);

#endif
