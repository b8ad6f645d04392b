/*
 * tls.h - the remote command line's TLS client context (tls.c).
 */
#ifndef CLI_TLS_H
#define CLI_TLS_H

#include <openssl/ssl.h>

/*
 * A client context for the service at `host` (a DNS name or an IP address):
 * TLS 1.3 only; the server's chain must verify to ca_pem (a PEM file of
 * trusted CA certificates) or, when NULL, to the system's trusted CAs
 * (SSL_CERT_FILE / SSL_CERT_DIR as OpenSSL reads them); its certificate
 * must name `host`; and when pin_sha256 is given, some certificate of the
 * verified chain must have that SHA-256 (the vault's CA: scrvault_tls_ca_pin
 * from the key file's vault-key), so a certificate from any other CA, a
 * publicly trusted one included, is refused.  Set SNI on each SSL with
 * cli_tls_client_ssl.  0, or -1 with the reason in cli_tls_error().
 */
int cli_tls_client_ctx(SSL_CTX **out, const char *host, const char *ca_pem,
		       const unsigned char pin_sha256[32]);

/* The same rules set on a context someone else made (libcurl's, for the
 * remote command line: remote.c).  0, or -1 with the reason. */
int cli_tls_client_setup(SSL_CTX *ctx, const char *host, const char *ca_pem,
			 const unsigned char pin_sha256[32]);

/* A new connection of ctx to `host` (SNI set for a DNS name). 0 or -1. */
int cli_tls_client_ssl(SSL **out, SSL_CTX *ctx, const char *host);

/* Why the last call failed, or why the handshake of `ssl` (may be NULL) did. */
const char *cli_tls_error(const SSL *ssl);

#endif
