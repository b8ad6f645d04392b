/*
 * tls.c - STUB until the TLS work lands (branch tls20 replaces this file):
 * the HTTPS listener is wired (main.c: evhttp_set_bevcb with
 * bufferevent_openssl_socket_new) against svd_tls_server_ctx, which here
 * refuses, so scrvaultd never serves plain HTTP on a network port.
 */
#include <stdio.h>
#include "tls.h"

int svd_tls_server_ctx(SSL_CTX **out, const char *cert_pem, const char *key_pem)
{
	(void)cert_pem;
	(void)key_pem;
	*out = NULL;
	fprintf(stderr, "scrvaultd: HTTPS is not built in yet (src/daemon/tls.c is a stub): use --socket\n");
	return -1;
}
