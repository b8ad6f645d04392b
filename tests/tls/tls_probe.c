/*
 * tls_probe.c - the TLS contexts of scrvaultd (src/daemon/tls.c) and of the
 * remote command line (src/cli/tls.c) on loopback, for tests/cli/tls.sh.
 *
 *   tls_probe ctx CERT KEY              build the server context: 0, or 1 and why
 *   tls_probe server CERT KEY N         listen on 127.0.0.1 (port printed), answer
 *                                       N connections ("hello" after the handshake),
 *                                       svd_notify READY=1 once listening
 *   tls_probe client HOST PORT CA PIN   CA: a PEM file or "-" (the system's CAs);
 *                                       PIN: 64 hex or "-"; 0 if the handshake and
 *                                       "hello" came through, else 3 and why
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include "../../src/daemon/tls.h"
#include "../../src/daemon/notify.h"
#include "../../src/cli/tls.h"

static int server(const char *cert, const char *key, int n)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	SSL_CTX *ctx;
	int s, c, one = 1;

	if (svd_tls_server_ctx(&ctx, cert, key) < 0) {
		fprintf(stderr, "tls_probe: %s\n", svd_tls_error());
		return 1;
	}
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 8) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &alen) < 0) {
		perror("tls_probe: listen");
		return 1;
	}
	printf("%d\n", ntohs(a.sin_port));
	fflush(stdout);
	svd_notify("READY=1\nSTATUS=listening");
	while (n-- > 0 && (c = accept(s, NULL, NULL)) >= 0) {
		SSL *ssl = SSL_new(ctx);

		SSL_set_fd(ssl, c);
		if (SSL_accept(ssl) == 1) {
			fprintf(stderr, "tls_probe: accepted %s\n", SSL_get_version(ssl));
			SSL_write(ssl, "hello\n", 6);
			SSL_shutdown(ssl);
		} else {
			fprintf(stderr, "tls_probe: refused a handshake\n");
		}
		ERR_clear_error();
		SSL_free(ssl);
		close(c);
	}
	svd_notify("STOPPING=1");
	SSL_CTX_free(ctx);
	close(s);
	return 0;
}

static int client(const char *host, const char *port, const char *ca, const char *pinhex)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	unsigned char pin[32];
	char buf[16] = "";
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	int s = -1, got, rc = 3;

	if (strcmp(pinhex, "-")) {
		if (strlen(pinhex) != 64)
			return 2;
		for (int i = 0; i < 32; i++)
			if (sscanf(pinhex + 2 * i, "%2hhx", &pin[i]) != 1)
				return 2;
	}
	if (cli_tls_client_ctx(&ctx, host, strcmp(ca, "-") ? ca : NULL, strcmp(pinhex, "-") ? pin : NULL) < 0) {
		fprintf(stderr, "tls_probe: %s\n", cli_tls_error(NULL));
		goto done;
	}
	a.sin_port = htons((unsigned short)atoi(port));
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("tls_probe: connect");
		rc = 1;
		goto done;
	}
	if (cli_tls_client_ssl(&ssl, ctx, host) < 0) {
		fprintf(stderr, "tls_probe: %s\n", cli_tls_error(NULL));
		goto done;
	}
	SSL_set_fd(ssl, s);
	if (SSL_connect(ssl) != 1) {
		fprintf(stderr, "tls_probe: %s\n", cli_tls_error(ssl));
		goto done;
	}
	got = SSL_read(ssl, buf, sizeof(buf) - 1);
	printf("%s %s", SSL_get_version(ssl), got > 0 ? buf : "(nothing)\n");
	rc = got > 0 && strncmp(buf, "hello", 5) == 0 ? 0 : 3;
done:
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	if (s >= 0)
		close(s);
	return rc;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc == 4 && !strcmp(argv[1], "ctx")) {
		SSL_CTX *ctx;

		if (svd_tls_server_ctx(&ctx, argv[2], argv[3]) < 0) {
			fprintf(stderr, "tls_probe: %s\n", svd_tls_error());
			return 1;
		}
		SSL_CTX_free(ctx);
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "server"))
		return server(argv[2], argv[3], atoi(argv[4]));
	if (argc == 6 && !strcmp(argv[1], "client"))
		return client(argv[2], argv[3], argv[4], argv[5]);
	fprintf(stderr, "usage: tls_probe ctx CERT KEY | server CERT KEY N | client HOST PORT CA|- PIN|-\n");
	return 2;
}
