/*
 * main.c - scrvaultd: the vault as a service.
 *
 * It starts sealed, holding nothing but the vault directory's name; a
 * custodian unseals it through the API (the master key arrives wrapped to
 * a one-time key of this process, scrvault/session.h) and from then on it
 * serves everyone over a local Unix socket and HTTPS, one request at a
 * time, each acting for its own session.  It seals on request, after
 * --idle-seal without an authenticated request, and on SIGTERM.
 *
 * A client of the public API only (scripts/check-layers holds it so), with
 * libevent for HTTP; OpenSSL's TLS only in tls.c and tls_bev.c.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/util.h>
#include "daemon.h"
#include "files.h"
#include "http.h"
#include "notify.h"
#include "tls.h"

#define DEFAULT_SOCKET "/run/scrvault/scrvaultd.sock"
#define HEADERS_MAX	(16 * 1024)
#define BODY_MAX	((8u << 20) + 64 * 1024)	/* a chunk and a little */
#define DEFAULT_CONNS	512	/* --max-connections */
#define DEFAULT_CONNS_ADDR 64	/* --max-per-address */
#define READ_TIMEOUT	30				/* seconds: a slow client is dropped (--client-timeout) */
#define REQUEST_TIMEOUT	60		/* seconds for a whole request, headers and body (--request-timeout):
					 * an 8 MiB upload chunk at 140 KB/s */

void svd_seal(svd_daemon *d, const char *reason)
{
	if (!d->v)
		return;
	scrvault_vault_seal(d->v, reason);
	d->v = NULL;
	svd_notify("STATUS=sealed");
	fprintf(stderr, "scrvaultd: sealed (%s)\n", reason);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	svd_daemon *d = arg;
	(void)what;

	fprintf(stderr, "scrvaultd: signal %d: sealing and stopping\n", (int)sig);
	svd_notify("STOPPING=1");
	svd_seal(d, "shutdown");
	d->stopping = true;
	event_base_loopbreak(d->base);
}

/* Once a second: the idle seal, the offer's minute, expired uploads. */
static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	svd_daemon *d = arg;
	time_t now = time(NULL);
	static unsigned ticks;
	(void)fd;
	(void)what;

	if (d->offer && now - d->offer_at > SVD_OFFER_SECONDS) {
		scrvault_unseal_offer_free(d->offer);
		d->offer = NULL;
	}
	if (d->v && d->idle_seal_seconds && now - d->last_auth >= (time_t)d->idle_seal_seconds)
		svd_seal(d, "idle");
	if (d->v && ++ticks % 60 == 0) {
		unsigned n = 0;
		if (scrvault_upload_expire(d->v, &n) < 0)
			fprintf(stderr, "scrvaultd: expiring uploads: %s\n", scrvault_error_message());
		if (scrvault_vault_flush(d->v) < 0)
			fprintf(stderr, "scrvaultd: publishing the checkpoint: %s\n", scrvault_error_message());
	}
}

/* The local socket: its directory 0750, the socket 0660, a stale one replaced. */
static int unix_listener(const char *path)
{
	struct sockaddr_un sa;
	char dir[PATH_MAX];
	struct stat st;
	char *slash;
	mode_t old;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "scrvaultd: the socket path '%s' is too long\n", path);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0750) == 0)
			chmod(dir, 0750);	/* whatever the umask */
		else if (errno != EEXIST) {
			fprintf(stderr, "scrvaultd: cannot make '%s': %s\n", dir, strerror(errno));
			return -1;
		}
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			fprintf(stderr, "scrvaultd: '%s' exists and is not a socket: remove it\n", path);
			return -1;
		}
		unlink(path);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path));
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0660) < 0 || listen(fd, SOMAXCONN) < 0) {
		umask(old);
		fprintf(stderr, "scrvaultd: cannot listen on '%s': %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	umask(old);
	return fd;
}

static struct evhttp *http_new(svd_daemon *d, long timeout)
{
	struct evhttp *h = evhttp_new(d->base);
	struct timeval tv = { timeout, 0 };

	if (!h)
		return NULL;
	evhttp_set_max_headers_size(h, HEADERS_MAX);
	evhttp_set_max_body_size(h, BODY_MAX);
	evhttp_set_timeout_tv(h, &tv);
	/* Every method reaches svd_http_request, which answers those it does not
	 * serve 405 with the API's JSON error (libevent's own answer is a 501
	 * HTML page: 2.1 has no evhttp_set_errorcb to replace it). */
	evhttp_set_allowed_methods(h, 0xffff);
	evhttp_set_gencb(h, svd_http_request, d);
	evhttp_set_bevcb(h, svd_http_bev, d);	/* each connection's request deadline */
	return h;
}

/* The table, one route a line: METHOD, pattern, auth, body, body limit in
 * bytes, tab-separated (tests/cli/api-doc.sh compares it with docs/API.md). */
static void print_routes(void)
{
	for (const svd_route *r = svd_routes; r->method; r++)
		printf("%s\t%s\t%s\t%s\t%zu\n", r->method, r->pattern,
		       r->flags & SVD_AUTH ? "session" : r->flags & SVD_SEALED ? "none, sealed too" : "none",
		       r->flags & SVD_JSON ? "json" : r->flags & SVD_BYTES ? "bytes" : "none", r->max_body);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: scrvaultd [--vault DIR] [--socket PATH] [--listen HOST:PORT --cert PEM --key PEM]\n"
		"                 [--idle-seal MINUTES] [--client-timeout Ns] [--request-timeout Ns]\n"
		"                 [--allow-unlocked-memory] [--origin https://NAME[:PORT]]\n"
		"                 [--ca PEM] [--backup-dir DIR] [--max-connections N] [--max-per-address N]\n"
		"       scrvaultd --routes\n"
		"\n"
		"  --vault DIR            the vault (default $SCRVAULT_DIR)\n"
		"  --socket PATH          the local socket (default " DEFAULT_SOCKET ")\n"
		"  --listen HOST:PORT     also serve HTTPS (TLS 1.3) with --cert and --key, and the web\n"
		"                         pages at https://HOST:PORT/ (a loopback address: localhost)\n"
		"  --origin URL           the pages' origin when HOST is another address or a proxy\n"
		"                         fronts the service: https://NAME[:PORT] (passkeys are NAME's)\n"
		"  --idle-seal MINUTES    seal after this long without an authenticated request\n"
		"                         (default 30; 0: never; Ns: N seconds)\n"
		"  --client-timeout Ns    drop a client silent this long (default 30s)\n"
		"  --request-timeout Ns   drop a client whose request (headers and body) is not all in\n"
		"                         this long after its connection or its previous answer\n"
		"                         (default 60s)\n"
		"  --ca PEM               the vault CA's certificate, served sealed too (GET /v1/tls/ca;\n"
		"                         else known from the first unseal)\n"
		"  --backup-dir DIR       where POST /v1/backups writes (none: backups refused)\n"
		"  --max-connections N    connections served at once (default 512)\n"
		"  --max-per-address N    of them from one address or local uid (default 64)\n"
		"  --allow-unlocked-memory  unseal although keys could be swapped to disk\n"
		"  --routes               print the route table and exit\n");
}

/* MINUTES, or Ns for seconds; -1 when malformed. */
static long idle_arg(const char *s)
{
	char *end = NULL;
	long n = strtol(s, &end, 10);

	if (end == s || n < 0 || n > 24 * 60 * 60)
		return -1;
	if (*end == 's' && end[1] == '\0')
		return n;
	return *end ? -1 : n * 60;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vault", required_argument, NULL, 'v' }, { "socket", required_argument, NULL, 's' },
		{ "listen", required_argument, NULL, 'l' }, { "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' }, { "idle-seal", required_argument, NULL, 'i' },
		{ "allow-unlocked-memory", no_argument, NULL, 'u' }, { "routes", no_argument, NULL, 'r' },
		{ "client-timeout", required_argument, NULL, 't' }, { "ca", required_argument, NULL, 'a' },
		{ "backup-dir", required_argument, NULL, 'b' }, { "max-connections", required_argument, NULL, 'm' },
		{ "max-per-address", required_argument, NULL, 'p' }, { "origin", required_argument, NULL, 'o' }, { "request-timeout", required_argument, NULL, 'q' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	static svd_daemon d;
	const char *sock = DEFAULT_SOCKET, *listen_at = NULL, *cert = NULL, *key = NULL, *ca = NULL, *origin = NULL;
	struct evhttp *local = NULL, *net = NULL;
	struct event *tick = NULL, *sigterm = NULL, *sigint = NULL;
	SSL_CTX *ctx = NULL;
	struct timeval second = { 1, 0 };
	long idle = 30 * 60, timeout = READ_TIMEOUT;
	int c, fd = -1, rc = 1;

	d.dir = getenv("SCRVAULT_DIR");
	d.max_conns = DEFAULT_CONNS;
	d.max_conns_addr = DEFAULT_CONNS_ADDR;
	d.request_timeout = REQUEST_TIMEOUT;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'v': d.dir = optarg; break;
		case 's': sock = optarg; break;
		case 'l': listen_at = optarg; break;
		case 'o': origin = optarg; break;
		case 'c': cert = optarg; break;
		case 'k': key = optarg; break;
		case 'i':
			if ((idle = idle_arg(optarg)) < 0) {
				fprintf(stderr, "scrvaultd: --idle-seal takes minutes (or Ns): '%s'\n", optarg);
				return 2;
			}
			break;
		case 't':
			if ((timeout = idle_arg(optarg)) <= 0 || optarg[strlen(optarg) - 1] != 's' || timeout > 600) {
				fprintf(stderr, "scrvaultd: --client-timeout takes seconds, like 30s: '%s'\n", optarg);
				return 2;
			}
			break;
		case 'q': {
			long n = idle_arg(optarg);
			if (n <= 0 || optarg[strlen(optarg) - 1] != 's' || n > 3600) {
				fprintf(stderr, "scrvaultd: --request-timeout takes seconds, like 60s: '%s'\n", optarg);
				return 2;
			}
			d.request_timeout = (unsigned)n;
			break;
		}
		case 'm':
		case 'p': {
			char *end = NULL;
			long n = strtol(optarg, &end, 10);
			if (end == optarg || *end || n < 1 || n > SVD_CONNS_MAX) {
				fprintf(stderr, "scrvaultd: --%s takes a number from 1 to %d: '%s'\n",
					c == 'm' ? "max-connections" : "max-per-address", SVD_CONNS_MAX, optarg);
				return 2;
			}
			if (c == 'm')
				d.max_conns = (unsigned)n;
			else
				d.max_conns_addr = (unsigned)n;
			break;
		}
		case 'a': ca = optarg; break;
		case 'b': d.backup_dir = optarg; break;
		case 'u': d.unseal_flags |= SCRVAULT_OPEN_ALLOW_UNLOCKED_MEMORY; break;
		case 'r': print_routes(); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || !d.dir || !*d.dir) {
		fprintf(stderr, "scrvaultd: name the vault: --vault DIR (or SCRVAULT_DIR)\n");
		return 2;
	}
	if (listen_at && (!cert || !key)) {
		fprintf(stderr, "scrvaultd: --listen needs --cert PEM and --key PEM (TLS 1.3 only)\n");
		return 2;
	}
	if (ca && (svd_file_read(ca, 64 * 1024, &d.ca_pem, &d.ca_len) < 0 ||
		   !strstr(d.ca_pem, "-----BEGIN CERTIFICATE-----"))) {
		fprintf(stderr, "scrvaultd: --ca '%s' is not a readable PEM certificate\n", ca);
		return 2;
	}
	if (d.backup_dir) {
		struct stat bst;
		if (d.backup_dir[0] != '/' || stat(d.backup_dir, &bst) < 0 || !S_ISDIR(bst.st_mode)) {
			fprintf(stderr, "scrvaultd: --backup-dir '%s' must be an existing directory, named by "
				"its absolute path\n", d.backup_dir);
			return 2;
		}
	}
	d.idle_seal_seconds = (unsigned)idle;
	if (scrvault_global_init() < 0) {
		fprintf(stderr, "scrvaultd: %s\n", scrvault_error_message());
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	{	/* the vault's public facts for status: a probe offer, its key wiped at once */
		scrvault_unseal_offer *probe = NULL;
		scrvault_json *facts = NULL;
		if (scrvault_unseal_offer_new(&probe, &facts, d.dir) == 0)
			svd_keep_facts(&d, facts);
		else
			fprintf(stderr, "scrvaultd: %s\n", scrvault_error_message());
		scrvault_unseal_offer_free(probe);
		scrvault_json_free(facts);
	}
	if (!(d.base = event_base_new()) || !(local = http_new(&d, timeout)))
		goto done;
	if ((fd = unix_listener(sock)) < 0 || evhttp_accept_socket(local, fd) < 0)
		goto done;
	fd = -1;
	if (listen_at) {
		char host[256];
		const char *colon = strrchr(listen_at, ':');
		char *end = NULL;
		long port = colon ? strtol(colon + 1, &end, 10) : 0;
		if (!colon || (size_t)(colon - listen_at) >= sizeof(host) || !end || *end || port <= 0 || port > 65535) {
			fprintf(stderr, "scrvaultd: --listen HOST:PORT: '%s'\n", listen_at);
			rc = 2;
			goto done;
		}
		snprintf(host, sizeof(host), "%.*s", (int)(colon - listen_at), listen_at);
		if (svd_web_origin(&d, origin, host, (int)port) < 0) {
			fprintf(stderr, "scrvaultd: --origin is https://NAME[:PORT], nothing after: '%s'\n", origin);
			rc = 2;
			goto done;
		}
		if (svd_tls_server_ctx(&ctx, cert, key) < 0) {
			fprintf(stderr, "scrvaultd: %s\n", svd_tls_error());
			goto done;
		}
		if (!(net = http_new(&d, timeout)))
			goto done;
		d.tls_ctx = ctx;
		evhttp_set_bevcb(net, svd_http_bev_tls, &d);
		if (evhttp_bind_socket(net, host, (ev_uint16_t)port) < 0) {
			fprintf(stderr, "scrvaultd: cannot listen on %s\n", listen_at);
			goto done;
		}
	}
	if (!listen_at && svd_web_origin(&d, origin, NULL, 0) < 0) {
		fprintf(stderr, "scrvaultd: --origin is https://NAME[:PORT], nothing after: '%s'\n", origin);
		rc = 2;
		goto done;
	}
	if (!(tick = event_new(d.base, -1, EV_PERSIST, on_tick, &d)) || event_add(tick, &second) < 0 ||
	    !(sigterm = evsignal_new(d.base, SIGTERM, on_signal, &d)) || event_add(sigterm, NULL) < 0 ||
	    !(sigint = evsignal_new(d.base, SIGINT, on_signal, &d)) || event_add(sigint, NULL) < 0)
		goto done;
	fprintf(stderr, "scrvaultd: sealed, listening on %s%s%s\n", sock, listen_at ? " and https://" : "",
		listen_at ? listen_at : "");
	svd_notify("READY=1\nSTATUS=sealed");
	if (event_base_dispatch(d.base) < 0)
		goto done;
	rc = 0;
done:
	svd_seal(&d, "shutdown");
	scrvault_unseal_offer_free(d.offer);
	if (fd >= 0)
		close(fd);
	if (tick)
		event_free(tick);
	if (sigterm)
		event_free(sigterm);
	if (sigint)
		event_free(sigint);
	if (local)
		evhttp_free(local);
	if (net)
		evhttp_free(net);
	svd_deadlines_free(&d);
	svd_tls_free(ctx);
	free(d.ca_pem);
	if (d.base)
		event_base_free(d.base);
	if (sock && rc == 0)
		unlink(sock);
	return rc;
}
