/*
 * tls.c - the TLS client of the remote command line (see tls.h): the only
 * file of src/cli that uses OpenSSL's TLS.
 *
 * It must never accept a protocol below TLS 1.3, a certificate that does not
 * name the host, or, with a pin, a chain that does not contain the pinned
 * certificate, whatever CAs the system trusts.  Pins compare in constant
 * time.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "tls.h"

static _Thread_local char message[512];
static int pin_index = -1;

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	ERR_clear_error();
	return -1;
}

static bool is_ip(const char *host)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

static void pin_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	(void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
	OPENSSL_free(ptr);
}

/* OpenSSL's verification, then the pin: a certificate of the verified chain. */
static int verify_pinned(X509_STORE_CTX *sctx, void *arg)
{
	const unsigned char *pin = arg;
	STACK_OF(X509) *chain;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	int ok = X509_verify_cert(sctx);

	if (ok <= 0 || !pin)
		return ok;
	chain = X509_STORE_CTX_get0_chain(sctx);
	for (int i = 0; chain && i < sk_X509_num(chain); i++)
		if (X509_digest(sk_X509_value(chain, i), EVP_sha256(), md, &mdlen) == 1 && mdlen == 32 &&
		    CRYPTO_memcmp(md, pin, 32) == 0)
			return 1;
	X509_STORE_CTX_set_error(sctx, X509_V_ERR_APPLICATION_VERIFICATION);
	return 0;
}

int cli_tls_client_setup(SSL_CTX *ctx, const char *host, const char *ca_pem,
			 const unsigned char pin_sha256[32])
{
	X509_VERIFY_PARAM *param;
	unsigned char *pin = NULL;

	message[0] = '\0';
	if (!host || !*host)
		return fail("name the server's host");
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1)
		return fail("cannot set up TLS");
	if (ca_pem ? SSL_CTX_load_verify_locations(ctx, ca_pem, NULL) != 1 : SSL_CTX_set_default_verify_paths(ctx) != 1)
		return fail(ca_pem ? "cannot read the CA certificate '%s'" : "cannot read the system's CA certificates%s",
			    ca_pem ? ca_pem : "");
	param = SSL_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if ((is_ip(host) ? X509_VERIFY_PARAM_set1_ip_asc(param, host) : X509_VERIFY_PARAM_set1_host(param, host, 0)) != 1)
		return fail("'%s' is not a host name or IP address", host);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (pin_sha256) {
		if (pin_index < 0)
			pin_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, pin_free);
		if (pin_index < 0 || !(pin = OPENSSL_malloc(32)))
			return fail("out of memory");
		memcpy(pin, pin_sha256, 32);
		if (SSL_CTX_set_ex_data(ctx, pin_index, pin) != 1) {
			OPENSSL_free(pin);
			return fail("out of memory");
		}
		SSL_CTX_set_cert_verify_callback(ctx, verify_pinned, pin);
	}
	return 0;
}

int cli_tls_client_ctx(SSL_CTX **out, const char *host, const char *ca_pem,
		       const unsigned char pin_sha256[32])
{
	SSL_CTX *ctx = NULL;

	*out = NULL;
	message[0] = '\0';
	if (!(ctx = SSL_CTX_new(TLS_client_method())))
		return fail("cannot set up TLS");
	if (cli_tls_client_setup(ctx, host, ca_pem, pin_sha256) < 0) {
		SSL_CTX_free(ctx);
		return -1;
	}
	*out = ctx;
	return 0;
}

int cli_tls_client_ssl(SSL **out, SSL_CTX *ctx, const char *host)
{
	SSL *ssl = SSL_new(ctx);

	*out = NULL;
	if (!ssl)
		return fail("cannot set up TLS");
	if (!is_ip(host) && SSL_set_tlsext_host_name(ssl, host) != 1) {
		SSL_free(ssl);
		return fail("'%s' is not a host name", host);
	}
	*out = ssl;
	return 0;
}

const char *cli_tls_error(const SSL *ssl)
{
	long v;

	if (ssl && (v = SSL_get_verify_result(ssl)) != X509_V_OK) {
		if (v == X509_V_ERR_APPLICATION_VERIFICATION)
			snprintf(message, sizeof(message), "the server's certificate does not chain to the vault's "
				 "CA that the key file pins: this is not the vault's server, or the connection is "
				 "intercepted");
		else
			snprintf(message, sizeof(message), "the server's certificate does not verify: %s",
				 X509_verify_cert_error_string(v));
	} else if (ssl && !message[0]) {
		unsigned long e = ERR_peek_last_error();

		snprintf(message, sizeof(message), "the TLS handshake failed%s%s", e ? ": " : "",
			 e ? ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "" : "");
	}
	return message;
}
