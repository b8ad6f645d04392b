/*
 * remote.c - the command line as a client of scrvaultd: which service to
 * use (--server URL, $SCRVAULT_SERVER, or the host's socket), trusting only
 * the vault's own CA over HTTPS, signing in with the person's own key
 * (through `scrvault agent` when one runs, else the key file and its
 * passphrase), and one call of the API (docs/API.md).
 *
 * libcurl (Debian's, built on OpenSSL) is the one HTTP client and only this
 * file uses it.  Over HTTPS the client first fetches the service's CA
 * certificate without trusting it, checks that the vault the key file is
 * pinned to endorsed it (scrvault_tls_ca_pin: the endorsement is signed by
 * the vault's audit key), and from then on trusts that CA alone, with TLS
 * 1.3 only: a man in the middle holding a publicly trusted certificate, or
 * another vault's, fails before anything is sent.  Nothing secret is sent
 * on the untrusted fetch.  The session token lives in this process only
 * and is ended when the command ends, except when the agent signs: then
 * the agent keeps the session for the person's next command (its locked
 * memory, never disk, the environment or argv), the command asks it for the
 * token instead of signing in, and a session the service refuses (401:
 * expired, revoked, sealed) is dropped there and a new one signed for with
 * the agent's key, once.
 */
#include <errno.h>
#include <strings.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include "cli.h"
#include "agent.h"
#include "remote.h"
#include "tls.h"

#define SV_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* An answer held in memory (JSON) is at most this large; content streams. */
#define ANSWER_MAX	(64u << 20)

struct cli_remote {
	CURL *curl;
	char *base;		/* "https://host:port" or "http://localhost" (a socket) */
	char *socket;		/* the Unix socket's path, or NULL */
	char host[256];		/* the service's host name or address (HTTPS) */
	char ca_path[256];	/* the vault's CA, endorsed (HTTPS): a private temporary file */
	bool ca_file;		/* ca_path exists (removed at close) */
	bool ca_trusted;	/* it is the key file's vault's: verify against it alone */
	unsigned char pin[32];	/* its SHA-256: required in the server's chain */
	char *token;		/* the session's bearer token */
	char *service;		/* the URL as named: the agent keeps its session under it */
	bool agent_session;	/* the agent keeps this session: not ended at close */
	bool renewed;		/* the agent's session was refused once and signed for again */
	bool quiet;		/* no messages (ending a session at agent stop) */
	char *role, *request;
	char *principal;
	char *vault;		/* the vault id the signing key is pinned to */
	scrvault_key *key;	/* the person's key, when not the agent's */
	char sha256[65];	/* X-Scrvault-SHA256 of the last answer ("": none) */
	char got[65];		/* the SHA-256 of the content the last answer wrote to a file ("": none) */
	scrvault_json *error;	/* the last error answer's JSON (NULL: none) */
	char *hdr[3];		/* the last answer's base64 headers (hdr_names), or NULL */
};

/* ---- where the service is ------------------------------------------------------ */

/*
 * The first byte (1-based) of s that does not begin a UTF-8 sequence (the
 * shortest form, no surrogates, at most U+10FFFF), or 0.
 */
static size_t utf8_bad(const unsigned char *s)
{
	size_t len = strlen((const char *)s);

	for (size_t i = 0; i < len;) {
		unsigned long c;
		int n = cli_utf8_at(s + i, len - i, &c);

		if (n <= 0)
			return i + 1;
		i += (size_t)n;
	}
	return 0;
}

int cli_remote_check_text(const cli_args *a)
{
	for (int i = 0; i < a->nopts; i++) {
		const cli_optdef *o = a->cmd->opts;
		char field[64], msg[256];
		size_t bad;

		if (!a->values[i] || !(bad = utf8_bad((const unsigned char *)a->values[i])))
			continue;
		while (o && o->name && strcmp(o->name, a->names[i]) != 0)
			o++;
		/* A file's name stays here: only what is sent must be UTF-8. */
		if (!o || !o->name || !o->field || !o->metavar || strstr(o->metavar, "FILE") || strstr(o->metavar, "DIR"))
			continue;
		snprintf(field, sizeof(field), "%.*s", (int)strcspn(o->field, ","), o->field);
		snprintf(msg, sizeof(msg), "the %s is not valid UTF-8 (byte %zu): give UTF-8 text", field, bad);
		return cli_fail_message(2, msg, field);
	}
	return 0;
}

int cli_remote_url(const cli_args *a, const char **url)
{
	const char *s = cli_opt(a, "server");
	struct stat sb;

	/* --server, then --vault (this vault, directly), then the environment. */
	if (s && *s) {
		*url = s;
		return 1;
	}
	if (cli_opt(a, "vault"))
		return 0;
	if ((s = getenv("SCRVAULT_SERVER")) && *s) {
		*url = s;
		return 1;
	}
	if (stat(CLI_REMOTE_SOCKET, &sb) == 0 && S_ISSOCK(sb.st_mode)) {
		*url = "unix:" CLI_REMOTE_SOCKET;
		return 1;
	}
	return 0;
}

/* ---- one exchange -------------------------------------------------------------- */

typedef struct {
	char *buf;
	size_t len, cap;
	int fd;			/* content goes here instead, when >= 0 */
	bool failed;
	CURL *curl;		/* with fd: an error answer goes to buf instead */
	EVP_MD_CTX *md;		/* with fd: the SHA-256 of what was written there */
} sink;

static size_t sink_write(char *p, size_t size, size_t n, void *ctx)
{
	sink *s = ctx;
	size_t len = size * n;
	long status = 0;

	/* Content to a file only when the answer is a success: an error's
	 * explanation is read like any other. */
	if (s->fd >= 0 && s->curl && curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
	    (status < 200 || status > 299))
		s->fd = -1;
	if (s->fd >= 0) {
		if (s->md && EVP_DigestUpdate(s->md, p, len) != 1) {
			s->failed = true;
			return 0;
		}
		for (size_t off = 0; off < len;) {
			ssize_t w = write(s->fd, p + off, len - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				s->failed = true;
				return 0;
			}
			off += (size_t)w;
		}
		return len;
	}
	if (s->len + len + 1 > ANSWER_MAX) {
		s->failed = true;
		return 0;
	}
	if (s->len + len + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		char *b;

		while (cap < s->len + len + 1)
			cap *= 2;
		if (!(b = realloc(s->buf, cap))) {
			s->failed = true;
			return 0;
		}
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, len);
	s->len += len;
	s->buf[s->len] = '\0';
	return len;
}

/* The base64 headers kept from an answer (cli_remote_header). */
static const char *const hdr_names[3] = { "x-scrvault-result", "x-scrvault-signature", "x-scrvault-csv" };

/* The content's SHA-256, when the service announces it. */
static size_t header_seen(char *p, size_t size, size_t n, void *ctx)
{
	static const char name[] = "x-scrvault-sha256:";
	cli_remote *r = ctx;
	size_t len = size * n, i;

	for (size_t k = 0; k < sizeof(r->hdr) / sizeof(r->hdr[0]); k++) {
		size_t hn = strlen(hdr_names[k]);

		if (len > hn + 1 && strncasecmp(p, hdr_names[k], hn) == 0 && p[hn] == ':') {
			p += hn + 1;
			len -= hn + 1;
			while (len && (*p == ' ' || *p == '\t'))
				p++, len--;
			while (len && (p[len - 1] == '\r' || p[len - 1] == '\n' || p[len - 1] == ' '))
				len--;
			free(r->hdr[k]);
			r->hdr[k] = strndup(p, len);
			return size * n;
		}
	}
	if (len > sizeof(name) - 1 + 64 && strncasecmp(p, name, sizeof(name) - 1) == 0) {
		p += sizeof(name) - 1;
		len -= sizeof(name) - 1;
		while (len && (*p == ' ' || *p == '\t'))
			p++, len--;
		for (i = 0; i < 64 && i < len && strchr("0123456789abcdef", p[i]); i++)
			;
		if (i == 64) {
			memcpy(r->sha256, p, 64);
			r->sha256[64] = '\0';
		}
	}
	return size * n;
}

/* The exit status of an error answer, with its message on standard error. */
static int answer_error(long status, const sink *s)
{
	scrvault_json *j = NULL;
	const scrvault_json *e;
	int code = status == 401 || status == 403 ? 3 : status == 404 ? 4 : status == 409 ? 6 :
		   status == 400 || status == 413 || status == 422 || status == 431 ? 2 : 1;

	if (s->buf && scrvault_json_parse(&j, s->buf, s->len) == 0 &&
	    (e = scrvault_json_get(j, "error")) != NULL) {
		const scrvault_json *c = scrvault_json_get(e, "code");
		const scrvault_json *f = scrvault_json_get(e, "field");

		if (c && scrvault_json_int(c) > 0 && scrvault_json_int(c) < 64)
			code = (int)scrvault_json_int(c);
		cli_fail_message(code, scrvault_json_str(scrvault_json_get(e, "message")),
				 f && !scrvault_json_is_null(f) ? scrvault_json_str(f) : NULL);
	} else {
		char msg[160];

		snprintf(msg, sizeof(msg), "the service answered HTTP %ld without an explanation", status);
		cli_fail_message(code, msg, NULL);
	}
	scrvault_json_free(j);
	return code;
}

static int transport_error(const cli_remote *r, CURLcode rc, const char *errbuf)
{
	char msg[600];

	if (r->ca_trusted && (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR ||
			      rc == CURLE_SSL_CERTPROBLEM)) {
		snprintf(msg, sizeof(msg), "the service at %s did not prove it is the vault your key file belongs to "
			 "(%s); nothing was sent: check --server, or ask the vault's operator which certificate "
			 "it serves", r->base, *errbuf ? errbuf : curl_easy_strerror(rc));
		return cli_fail_message(5, msg, NULL);
	}
	snprintf(msg, sizeof(msg), "cannot reach the service at %s: %s", r->socket ? r->socket : r->base,
		 *errbuf ? errbuf : curl_easy_strerror(rc));
	return cli_fail_message(1, msg, NULL);
}

/* libcurl's TLS context, before it connects: TLS 1.3 only, the vault's CA
 * alone, the host's name, and the pin in the verified chain (tls.c). */
static CURLcode ssl_setup(CURL *curl, void *sslctx, void *arg)
{
	cli_remote *r = arg;

	(void)curl;
	if (cli_tls_client_setup(sslctx, r->host, r->ca_path, r->pin) < 0)
		return CURLE_SSL_CERTPROBLEM;
	return CURLE_OK;
}

/*
 * One request: `method` `path` with `body` (len bytes of `ctype`; NULL:
 * none); the answer's JSON into *out (NULL: discarded), or its bytes to
 * `fd` when fd >= 0.  0, or the exit status after the message.
 */
#define REFUSED_SESSION	(-401)

static int exchange_once(cli_remote *r, const char *method, const char *path, const void *body, size_t len,
			 const char *ctype, scrvault_json **out, int fd)
{
	char *url = NULL, errbuf[CURL_ERROR_SIZE] = "", hdr[600];
	struct curl_slist *h = NULL;
	sink s = { NULL, 0, 0, -1, false, NULL, NULL };
	long status = 0;
	CURLcode rc;
	int error = 0;

	if (out)
		*out = NULL;
	scrvault_json_free(r->error);
	r->error = NULL;
	if (asprintf(&url, "%s%s", r->base, path) < 0)
		return cli_fail(SCRVAULT_ERROR);
	curl_easy_reset(r->curl);
	curl_easy_setopt(r->curl, CURLOPT_URL, url);
	curl_easy_setopt(r->curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(r->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->curl, CURLOPT_PROTOCOLS_STR, r->socket ? "http" : "https");
	curl_easy_setopt(r->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(r->curl, CURLOPT_CONNECTTIMEOUT, 20L);
	curl_easy_setopt(r->curl, CURLOPT_CUSTOMREQUEST, method);
	if (r->socket) {
		curl_easy_setopt(r->curl, CURLOPT_UNIX_SOCKET_PATH, r->socket);
	} else {
		/* Until the vault's CA is trusted, only its certificate is fetched,
		 * and nothing secret is sent (no token exists yet). */
		curl_easy_setopt(r->curl, CURLOPT_SSLVERSION, (long)(CURL_SSLVERSION_TLSv1_3 | CURL_SSLVERSION_MAX_DEFAULT));
		curl_easy_setopt(r->curl, CURLOPT_SSL_VERIFYPEER, r->ca_trusted ? 1L : 0L);
		curl_easy_setopt(r->curl, CURLOPT_SSL_VERIFYHOST, r->ca_trusted ? 2L : 0L);
		curl_easy_setopt(r->curl, CURLOPT_CAPATH, NULL);
		curl_easy_setopt(r->curl, CURLOPT_CAINFO, r->ca_trusted ? r->ca_path : NULL);
		curl_easy_setopt(r->curl, CURLOPT_SSL_SESSIONID_CACHE, 0L);
		if (r->ca_trusted) {
			curl_easy_setopt(r->curl, CURLOPT_SSL_CTX_FUNCTION, ssl_setup);
			curl_easy_setopt(r->curl, CURLOPT_SSL_CTX_DATA, r);
		}
	}
	if (r->token) {
		snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", r->token);
		h = curl_slist_append(h, hdr);
		explicit_bzero(hdr, sizeof(hdr));
	}
	if (r->role) {
		snprintf(hdr, sizeof(hdr), "X-Scrvault-Role: %s", r->role);
		h = curl_slist_append(h, hdr);
	}
	if (r->request) {
		snprintf(hdr, sizeof(hdr), "X-Scrvault-Request: %s", r->request);
		h = curl_slist_append(h, hdr);
	}
	h = curl_slist_append(h, "Expect:");
	if (body) {
		snprintf(hdr, sizeof(hdr), "Content-Type: %s", ctype ? ctype : "application/json");
		h = curl_slist_append(h, hdr);
		curl_easy_setopt(r->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(r->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	curl_easy_setopt(r->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(r->curl, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(r->curl, CURLOPT_WRITEDATA, &s);
	/* An error answer is read into memory even when content goes to fd. */
	s.fd = -1;
	r->sha256[0] = '\0';
	for (size_t k = 0; k < sizeof(r->hdr) / sizeof(r->hdr[0]); k++) {
		free(r->hdr[k]);
		r->hdr[k] = NULL;
	}
	curl_easy_setopt(r->curl, CURLOPT_HEADERFUNCTION, header_seen);
	curl_easy_setopt(r->curl, CURLOPT_HEADERDATA, r);
	r->got[0] = '\0';
	if (fd >= 0) {
		s.fd = fd;
		s.curl = r->curl;
		/* Hashed as it is written: the download's check needs no second read. */
		if (!(s.md = EVP_MD_CTX_new()) || EVP_DigestInit_ex(s.md, EVP_sha256(), NULL) != 1) {
			EVP_MD_CTX_free(s.md);
			free(url);
			curl_slist_free_all(h);
			return cli_fail(SCRVAULT_ERROR);
		}
	}
	rc = curl_easy_perform(r->curl);
	if (s.md) {
		unsigned char d[32];
		unsigned dl = 0;

		if (rc == CURLE_OK && !s.failed && s.fd >= 0 && EVP_DigestFinal_ex(s.md, d, &dl) == 1 && dl == 32)
			for (unsigned k = 0; k < 32; k++)
				snprintf(r->got + 2 * k, 3, "%02x", d[k]);
		EVP_MD_CTX_free(s.md);
	}
	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &status);
	if (r->quiet && (rc != CURLE_OK || status < 200 || status > 299)) {
		error = 1;
	} else if (status == 401 && rc == CURLE_OK && r->agent_session && !r->renewed) {
		error = REFUSED_SESSION;	/* said nothing: exchange signs in again */
	} else if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && s.failed)) {
		error = transport_error(r, rc, errbuf);
	} else if (s.failed) {
		cli_fail_message(1, fd >= 0 ? "cannot write what the service sent" : "the service's answer is too large", NULL);
		error = 1;
	} else if (status < 200 || status > 299) {
		error = answer_error(status, &s);
		if (s.buf && scrvault_json_parse(&r->error, s.buf, s.len) < 0)
			r->error = NULL;
	} else if (out && s.len > 0 && scrvault_json_parse(out, s.buf, s.len) < 0) {
		cli_fail_message(1, "the service's answer is not JSON", NULL);
		error = 1;
	}
	curl_slist_free_all(h);
	free(url);
	free(s.buf);
	return error;
}

static int sign_in(cli_remote *r, const cli_args *a, scrvault_key *key, const char *name);

static void token_free(cli_remote *r)
{
	if (r->token) {
		explicit_bzero(r->token, strlen(r->token));
		free(r->token);
		r->token = NULL;
	}
}

/*
 * One request (exchange_once); when the service refuses the session the
 * agent kept, the agent forgets it, a new one is signed for with the
 * agent's key (a fresh challenge), kept, and the request made again, once.
 */
static int exchange(cli_remote *r, const char *method, const char *path, const void *body, size_t len,
		    const char *ctype, scrvault_json **out, int fd)
{
	int error = exchange_once(r, method, path, body, len, ctype, out, fd);
	char *who;

	if (error != REFUSED_SESSION)
		return error;
	cli_agent_session_drop(r->service, r->token);
	token_free(r);
	r->agent_session = false;
	r->renewed = true;
	who = r->principal;
	r->principal = NULL;
	error = sign_in(r, NULL, NULL, who ? who : "");
	free(who);
	if (error)
		return error;
	r->agent_session = cli_agent_session_keep(r->service, r->token) == 0;
	return exchange_once(r, method, path, body, len, ctype, out, fd);
}

int cli_remote_json(scrvault_json **out, cli_remote *r, const char *method, const char *path, const char *body)
{
	return exchange(r, method, path, body, body ? strlen(body) : 0, "application/json", out, -1);
}

int cli_remote_bytes(scrvault_json **out, cli_remote *r, const char *method, const char *path,
		     const void *body, size_t len)
{
	return exchange(r, method, path, body, len, "application/octet-stream", out, -1);
}

int cli_remote_call_fd(cli_remote *r, const char *method, const char *path, int fd)
{
	return exchange(r, method, path, NULL, 0, NULL, NULL, fd);
}

int cli_remote_fetch(cli_remote *r, const char *path, int fd)
{
	return exchange(r, "GET", path, NULL, 0, NULL, NULL, fd);
}

/* ---- trusting the vault's CA ------------------------------------------------------ */

/*
 * Fetch the CA certificate the service offers (over a connection not yet
 * trusted: nothing secret is sent), check that the vault of `vkey` endorsed
 * it, and trust it alone from now on.
 */
static int trust_vault_ca(cli_remote *r, const char *vkey, const char *keyfile)
{
	scrvault_json *j = NULL;
	const char *pem;
	int fd = -1, error;

	if ((error = cli_remote_json(&j, r, "GET", "/v1/tls/ca", NULL)) != 0)
		return error;
	pem = scrvault_json_str(scrvault_json_get(j, "certificate"));
	if (!pem || !*pem) {
		scrvault_json_free(j);
		cli_fail_message(5, "the service offered no CA certificate, so it cannot prove it is your vault; "
				 "nothing was sent", NULL);
		return 5;
	}
	/* scrvault_tls_ca_pin and OpenSSL read a file: a private one of this
	 * process (the certificate is public), removed when it ends. */
	{
		const char *dir = getenv("TMPDIR");

		snprintf(r->ca_path, sizeof(r->ca_path), "%s/scrvault-ca-XXXXXX", dir && *dir && strlen(dir) < 180 ? dir : "/tmp");
	}
	if ((fd = mkstemp(r->ca_path)) < 0 ||
	    sink_write((char *)pem, 1, strlen(pem), &(sink){ NULL, 0, 0, fd, false, NULL, NULL }) != strlen(pem)) {
		if (fd >= 0) {
			close(fd);
			unlink(r->ca_path);
		}
		r->ca_path[0] = '\0';
		scrvault_json_free(j);
		return cli_fail_message(1, "cannot keep the service's CA certificate in a temporary file", NULL);
	}
	scrvault_json_free(j);
	close(fd);
	r->ca_file = true;
	if ((error = scrvault_tls_ca_pin(r->pin, r->ca_path, vkey)) < 0) {
		char msg[900];

		snprintf(msg, sizeof(msg), "the service at %s is not the vault key file '%s' belongs to: %s; "
			 "nothing was sent", r->base, keyfile, scrvault_error_message());
		cli_fail_message(5, msg, NULL);
		return 5;
	}
	r->ca_trusted = true;
	return 0;
}

/* ---- signing in ---------------------------------------------------------------------- */

/* A JSON string of s (quoted), or NULL. */
static char *quote(const char *s)
{
	return scrvault_json_quote(s ? s : "");
}

/*
 * Sign in as `name`: a challenge, signed with `key` (the key file opened
 * here) or, when NULL, by the agent; then the session.  0 or the exit status.
 */
static int sign_in(cli_remote *r, const cli_args *a, scrvault_key *key, const char *name)
{
	scrvault_json *j = NULL, *s = NULL;
	char *body = NULL, *qn = NULL, *qc = NULL, *qs = NULL, *sig = NULL;
	const char *challenge, *statement;
	int error;

	(void)a;
	if (!(qn = quote(name)) || asprintf(&body, "{\"principal\":%s}", qn) < 0) {
		error = cli_fail(SCRVAULT_ERROR);
		body = NULL;
		goto done;
	}
	if ((error = cli_remote_json(&j, r, "POST", "/v1/session/challenge", body)) != 0)
		goto done;
	challenge = scrvault_json_str(scrvault_json_get(j, "challenge"));
	statement = scrvault_json_str(scrvault_json_get(j, "statement"));
	if (!challenge || !statement) {
		error = 1;
		cli_fail_message(1, "the service's challenge is malformed", NULL);
		goto done;
	}
	/* Sign only the statement this client would have built itself. */
	{
		char *expect = scrvault_session_statement(r->vault ? r->vault : "", name, challenge);

		if (!expect || strcmp(expect, statement) != 0) {
			free(expect);
			error = 5;
			cli_fail_message(5, "the service asked to sign a statement that is not a sign-in to your "
					 "vault; refused", NULL);
			goto done;
		}
		free(expect);
	}
	if (key) {
		if ((error = scrvault_key_sign(&sig, key, statement)) < 0) {
			error = cli_fail(error);
			goto done;
		}
	} else if ((error = cli_agent_sign(&sig, statement)) != 0) {
		goto done;
	}
	free(body);
	body = NULL;
	if (!(qc = quote(challenge)) || !(qs = quote(sig)) ||
	    asprintf(&body, "{\"principal\":%s,\"challenge\":%s,\"signature\":%s}", qn, qc, qs) < 0) {
		body = NULL;
		error = cli_fail(SCRVAULT_ERROR);
		goto done;
	}
	if ((error = cli_remote_json(&s, r, "POST", "/v1/session", body)) != 0)
		goto done;
	if (!scrvault_json_str(scrvault_json_get(s, "token")) ||
	    !(r->token = strdup(scrvault_json_str(scrvault_json_get(s, "token"))))) {
		error = 1;
		cli_fail_message(1, "the service opened no session", NULL);
		goto done;
	}
	r->principal = strdup(name);
done:
	scrvault_json_free(j);
	scrvault_json_free(s);
	free(body);
	free(qn);
	free(qc);
	free(qs);
	free(sig);
	return error;
}

/* The host of "HOST[:PORT]" or "[V6]:PORT" into out. 0 or -1. */
static int host_of(char *out, size_t len, const char *hp)
{
	const char *end;

	if (*hp == '[') {
		if (!(end = strchr(hp, ']')))
			return -1;
		hp++;
	} else if (!(end = strrchr(hp, ':'))) {
		end = hp + strlen(hp);
	}
	if (end == hp || (size_t)(end - hp) >= len)
		return -1;
	memcpy(out, hp, (size_t)(end - hp));
	out[end - hp] = '\0';
	return 0;
}

int cli_remote_open(cli_remote **out, cli_args *a, const char *url, unsigned flags)
{
	cli_remote *r = calloc(1, sizeof(*r));
	const char *keyfile = cli_opt(a, "key");
	scrvault_key *key = NULL;
	scrvault_json *agent = NULL;
	const char *name = NULL, *vkey = NULL, *vault = NULL;
	int error = 0;

	*out = NULL;
	if (!r)
		return cli_fail(SCRVAULT_ERROR);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 || !(r->curl = curl_easy_init())) {
		free(r);
		return cli_fail(SCRVAULT_ERROR);
	}
	if (strncmp(url, "unix:", 5) == 0 && url[5] == '/') {
		if (!(r->socket = strdup(url + 5)) || !(r->base = strdup("http://localhost"))) {
			error = cli_fail(SCRVAULT_ERROR);
			goto done;
		}
	} else if (strncmp(url, "https://", 8) == 0 && url[8] && !strpbrk(url + 8, "/?#@ \t\r\n%\\") &&
		   host_of(r->host, sizeof(r->host), url + 8) == 0) {
		if (!(r->base = strdup(url))) {
			error = cli_fail(SCRVAULT_ERROR);
			goto done;
		}
	} else {
		error = cli_usage(a, "--server takes https://HOST:PORT or unix:/PATH (not '%s')", url);
		goto done;
	}
	if (cli_opt(a, "role") && !(r->role = strdup(cli_opt(a, "role")))) {
		error = cli_fail(SCRVAULT_ERROR);
		goto done;
	}
	if (cli_opt(a, "request") && !(r->request = strdup(cli_opt(a, "request")))) {
		error = cli_fail(SCRVAULT_ERROR);
		goto done;
	}
	if (!(flags & CLI_REMOTE_SIGN_IN) && r->socket)
		goto ok;
	if (!keyfile)
		keyfile = getenv("SCRVAULT_KEY");
	/* Who signs: the agent when it holds a key (and it is this key file's
	 * principal, when one is named), else the key file opened here. */
	if (getenv("SCRVAULT_AGENT_SOCK") && *getenv("SCRVAULT_AGENT_SOCK") &&
	    cli_agent_identity(&agent) == 0 && agent) {
		name = scrvault_json_str(scrvault_json_get(agent, "name"));
		vkey = scrvault_json_str(scrvault_json_get(agent, "vkey"));
		vault = scrvault_json_str(scrvault_json_get(agent, "vault"));
	}
	if (!name || (keyfile && *keyfile && (flags & CLI_REMOTE_OWN_KEY))) {
		scrvault_secret *pp = NULL;

		if (!keyfile || !*keyfile) {
			error = cli_usage(a, "no key file given: use --key FILE or set SCRVAULT_KEY (or start "
					  "'scrvault agent')");
			goto done;
		}
		/* A passphrase the command already read (a->secret) is used, not asked again. */
		if ((!a->secret && (error = cli_passphrase(&pp, a, keyfile)) < 0) ||
		    (error = scrvault_key_load(&key, keyfile, a->secret ? a->secret : pp)) < 0) {
			scrvault_secret_free(pp);
			error = cli_fail(error);
			goto done;
		}
		scrvault_secret_free(pp);
		name = scrvault_key_name(key);
		vkey = scrvault_key_vkey(key);
		vault = scrvault_key_vault(key);
	}
	if (vault && *vault && !(r->vault = strdup(vault))) {
		error = cli_fail(SCRVAULT_ERROR);
		goto done;
	}
	if (!r->socket) {
		if (!vkey || !*vkey) {
			cli_fail_message(5, "the key file pins no vault verifier key, so it cannot tell the vault's "
					 "service from an impostor: pin it first ('scrvault keyfile pin')", NULL);
			error = 5;
			goto done;
		}
		if ((error = trust_vault_ca(r, vkey, keyfile ? keyfile : "(agent)")) != 0)
			goto done;
	}
	if (flags & CLI_REMOTE_SIGN_IN) {
		/* Signing with the agent: the session it keeps for this service, if
		 * any; else a new one, handed to it for the next command. */
		if (!key && (!(r->service = strdup(url)) || !(r->principal = strdup(name)))) {
			error = cli_fail(SCRVAULT_ERROR);
			goto done;
		}
		if (!key && cli_agent_session(&r->token, url) == 0) {
			r->agent_session = true;
		} else {
			free(r->principal);
			r->principal = NULL;
			if ((error = sign_in(r, a, key, name)) != 0)
				goto done;
			if (!key)
				r->agent_session = cli_agent_session_keep(url, r->token) == 0;
		}
	}
	r->key = key;
	key = NULL;
ok:
	*out = r;
	r = NULL;
done:
	scrvault_json_free(agent);
	scrvault_key_free(key);
	cli_remote_close(r);
	return error;
}

void cli_remote_forget(cli_remote *r)
{
	if (r && r->token) {
		if (r->agent_session)
			cli_agent_session_drop(r->service, r->token);
		token_free(r);
	}
}

void cli_remote_close(cli_remote *r)
{
	if (!r)
		return;
	/* A session the agent keeps lives on for the person's next command. */
	if (r->token && !r->agent_session)
		(void)exchange_once(r, "DELETE", "/v1/session", NULL, 0, NULL, NULL, -1);
	token_free(r);
	free(r->service);
	curl_easy_cleanup(r->curl);
	free(r->base);
	free(r->socket);
	if (r->ca_file)
		unlink(r->ca_path);
	free(r->role);
	for (size_t k = 0; k < sizeof(r->hdr) / sizeof(r->hdr[0]); k++)
		free(r->hdr[k]);
	free(r->request);
	free(r->principal);
	free(r->vault);
	scrvault_key_free(r->key);
	scrvault_json_free(r->error);
	free(r);
}

int cli_remote_end_session(const char *service, const char *vkey, const char *token)
{
	cli_remote *r = calloc(1, sizeof(*r));
	int error = 1;

	if (!r)
		return 1;
	r->quiet = true;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 || !(r->curl = curl_easy_init()) || !(r->token = strdup(token)))
		goto done;
	if (strncmp(service, "unix:", 5) == 0 && service[5] == '/') {
		if (!(r->socket = strdup(service + 5)) || !(r->base = strdup("http://localhost")))
			goto done;
	} else if (strncmp(service, "https://", 8) == 0 && service[8] && !strpbrk(service + 8, "/?#@ \t\r\n%\\") &&
		   host_of(r->host, sizeof(r->host), service + 8) == 0 && vkey && *vkey) {
		/* The token goes only to the service its vault's CA vouches for. */
		if (!(r->base = strdup(service)) || trust_vault_ca(r, vkey, "(agent)") != 0)
			goto done;
	} else {
		goto done;
	}
	error = exchange_once(r, "DELETE", "/v1/session", NULL, 0, NULL, NULL, -1);
done:
	token_free(r);
	cli_remote_close(r);
	return error;
}

const scrvault_json *cli_remote_error(const cli_remote *r)
{
	return r ? r->error : NULL;
}

/* ---- what commands use ---------------------------------------------------------------- */

static void jb_add(cli_jb *b, const char *text)
{
	size_t n = strlen(text);

	if (b->oom)
		return;
	if (b->len + n + 2 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		char *p;

		while (cap < b->len + n + 2)
			cap *= 2;
		if (!(p = realloc(b->buf, cap))) {
			b->oom = true;
			return;
		}
		b->buf = p;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, text, n + 1);
	b->len += n;
}

static void jb_key(cli_jb *b, const char *key)
{
	char *q = scrvault_json_quote(key);

	jb_add(b, b->len ? "," : "{");
	if (!q) {
		b->oom = true;
		return;
	}
	jb_add(b, q);
	jb_add(b, ":");
	free(q);
}

void cli_jb_str(cli_jb *b, const char *key, const char *val)
{
	char *q;

	if (!val)
		return;
	jb_key(b, key);
	if (!(q = scrvault_json_quote(val))) {
		b->oom = true;
		return;
	}
	jb_add(b, q);
	free(q);
}

void cli_jb_bool(cli_jb *b, const char *key, bool val)
{
	jb_key(b, key);
	jb_add(b, val ? "true" : "false");
}

void cli_jb_int(cli_jb *b, const char *key, long long val)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", val);
	jb_key(b, key);
	jb_add(b, num);
}

void cli_jb_raw(cli_jb *b, const char *key, const char *json)
{
	if (!json)
		return;
	jb_key(b, key);
	jb_add(b, json);
}

int cli_remote_post(scrvault_json **out, cli_remote *r, const char *path, cli_jb *b)
{
	char *body = cli_jb_end(b);
	int st;

	if (out)
		*out = NULL;
	if (!body)
		return cli_fail(SCRVAULT_ERROR);
	st = cli_remote_json(out, r, "POST", path, body);
	free(body);
	return st;
}

int cli_remote_arg_path(char *path, size_t len, const cli_args *a, const char *what, const char *base,
			const char *sub)
{
	if (!cli_remote_seg(a, what, a->args[0]))
		return 2;
	snprintf(path, len, "%s/%s%s%s", base, a->args[0], sub ? "/" : "", sub ? sub : "");
	return 0;
}

int cli_remote_arg_call(scrvault_json **out, const cli_args *a, cli_remote *r, const char *method,
			const char *what, const char *base, const char *sub, cli_jb *b)
{
	char path[256], *body = NULL;
	int st;

	if (out)
		*out = NULL;
	if ((st = cli_remote_arg_path(path, sizeof(path), a, what, base, sub)) != 0) {
		if (b)
			free(cli_jb_end(b));
		return st;
	}
	if (b && !(body = cli_jb_end(b)))
		return cli_fail(SCRVAULT_ERROR);
	st = cli_remote_json(out, r, method, path, body);
	free(body);
	return st;
}

int cli_remote_get_list(const cli_args *a, cli_remote *r, const char *path, const cli_col *cols)
{
	scrvault_json *j = NULL;

	return cli_remote_listing(a, cli_remote_json(&j, r, "GET", path, NULL), &j, cols);
}

int cli_remote_show_arg(const cli_args *a, cli_remote *r, const char *what, const char *base,
			const cli_col *fields, int (*more)(const scrvault_json *j))
{
	scrvault_json *j = NULL;
	int st;

	if ((st = cli_remote_arg_call(&j, a, r, "GET", what, base, NULL, NULL)) != 0)
		return st;
	return cli_show(a, 0, &j, fields, more);
}

char *cli_jb_end(cli_jb *b)
{
	char *out;

	jb_add(b, b->len ? "}" : "{}");
	if (b->oom) {
		free(b->buf);
		b->buf = NULL;
		return NULL;
	}
	out = b->buf;
	b->buf = NULL;
	b->len = b->cap = 0;
	return out;
}

bool cli_remote_seg(const cli_args *a, const char *what, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n >= 1 && n <= 64 && s[0] != '.' && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
						       "0123456789._@-") == n)
		return true;
	cli_usage(a, "%s '%s' is not one the service can name (letters, digits, '.', '_', '@', '-', at most 64)",
		  what, s ? s : "");
	return false;
}

int cli_remote_check_ref(const cli_args *a)
{
	return a->nargs < 1 || cli_remote_seg(a, "the case", a->args[0]) ? 0 : 2;
}

bool cli_remote_qval(const cli_args *a, const char *what, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n >= 1 && n <= 200 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					    "0123456789._@:,-") == n)
		return true;
	cli_usage(a, "%s '%s' cannot be sent to the service (letters, digits, '.', '_', '@', ':', ',', '-')",
		  what, s ? s : "");
	return false;
}

int cli_remote_query(const cli_args *a, char *path, size_t len, const char *key, const char *val)
{
	size_t at = strlen(path);

	if (!val)
		return 0;
	if (!cli_remote_qval(a, key, val))
		return 2;
	if ((size_t)snprintf(path + at, len - at, "%s%s=%s", strchr(path, '?') ? "&" : "?", key, val) >= len - at)
		return cli_usage(a, "the request is too long");
	return 0;
}

int cli_remote_sign(cli_remote *r, const char *statement, char **sig)
{
	int error;

	*sig = NULL;
	if (r->key) {
		if ((error = scrvault_key_sign(sig, r->key, statement)) < 0)
			return cli_fail(error);
		return 0;
	}
	return cli_agent_sign(sig, statement);
}

/* Decode base64 text `in`: the bytes (NUL-terminated, the caller frees), or NULL. */
static char *unbase64(const char *in)
{
	size_t n = strlen(in), o = 0;
	unsigned v = 0;
	int bits = 0;
	char *out = malloc(n / 4 * 3 + 4);

	if (!out)
		return NULL;
	for (size_t i = 0; i < n && in[i] != '='; i++) {
		const char *A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		const char *c = strchr(A, in[i]);

		if (!c || !in[i]) {
			free(out);
			return NULL;
		}
		v = v << 6 | (unsigned)(c - A);
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[o++] = (char)(v >> bits & 0xff);
		}
	}
	out[o] = '\0';
	return out;
}

int cli_remote_outfile_free(const char *outpath, const char *field)
{
	struct stat sb;
	char msg[4200];

	if (!outpath || lstat(outpath, &sb) < 0)
		return 0;
	snprintf(msg, sizeof(msg), "'%s' already exists: choose another name (nothing is ever replaced)", outpath);
	return cli_fail_message(6, msg, field);
}

static int download(scrvault_json **result, cli_remote *r, const char *method, const char *path,
		    const char *body, const char *outpath, bool force, bool durable);

/*
 * A check-out: not fsynced, as the library's check-outs to a directory are
 * not (a copy, not the master; the release was on record before any key
 * was unwrapped), and as git's are not.
 */
int cli_remote_download(cli_remote *r, const char *path, const char *outpath, bool force)
{
	return download(NULL, r, "GET", path, NULL, outpath, force, false);
}

int cli_remote_download_call(scrvault_json **result, cli_remote *r, const char *method, const char *path,
			     const char *body, const char *outpath, bool force)
{
	return download(result, r, method, path, body, outpath, force, true);
}

static int download(scrvault_json **result, cli_remote *r, const char *method, const char *path,
		    const char *body, const char *outpath, bool force, bool durable)
{
	char tmp[4096], sha[65];
	const char *slash;
	int fd, error;

	if (result)
		*result = NULL;
	if (!outpath)
		return exchange(r, method, path, body, body ? strlen(body) : 0, "application/json", NULL, 1);
	/* A hidden file beside the output, renamed into place when whole. */
	slash = strrchr(outpath, '/');
	if ((size_t)snprintf(tmp, sizeof(tmp), "%.*s.scrvault-dl-XXXXXX", slash ? (int)(slash - outpath + 1) : 0,
			     outpath) >= sizeof(tmp))
		return cli_fail_message(2, "the output path is too long", "output");
	if ((fd = mkstemp(tmp)) < 0) {
		char msg[4200];

		snprintf(msg, sizeof(msg), "cannot create a file beside '%s': %s", outpath, strerror(errno));
		return cli_fail_message(1, msg, NULL);
	}
	(void)fchmod(fd, 0600);
	error = exchange(r, method, path, body, body ? strlen(body) : 0, "application/json", NULL, fd);
	if (!error && durable && fsync(fd) < 0)
		error = cli_fail_message(1, "cannot write the file to disk", NULL);
	close(fd);
	if (!error && r->sha256[0]) {
		if (r->got[0] ? strcmp(r->got, r->sha256) != 0 :
		    (scrvault_file_sha256(sha, tmp) < 0 || strcmp(sha, r->sha256) != 0))
			error = cli_fail_message(5, "what arrived is not what the service sent (its SHA-256 differs): "
						 "nothing was kept; try again", NULL);
	}
	if (!error) {
		if (force) {
			if (rename(tmp, outpath) < 0)
				error = -1;
		} else if (link(tmp, outpath) < 0) {
			error = -1;
		}
		if (error < 0) {
			char msg[4200];

			snprintf(msg, sizeof(msg), errno == EEXIST ? "'%s' exists: choose another file, or --force to "
				 "replace it" : "cannot write '%s': %s", outpath, strerror(errno));
			error = cli_fail_message(errno == EEXIST ? 6 : 1, msg, errno == EEXIST ? "output" : NULL);
		}
	}
	unlink(tmp);
	if (!error && result && (error = cli_remote_result(result, r)) != 0)
		unlink(outpath);
	return error;
}

char *cli_remote_header(cli_remote *r, const char *name)
{
	for (size_t k = 0; k < sizeof(r->hdr) / sizeof(r->hdr[0]); k++)
		if (!strcasecmp(name, hdr_names[k]))
			return r->hdr[k] ? unbase64(r->hdr[k]) : NULL;
	return NULL;
}

int cli_remote_result(scrvault_json **result, cli_remote *r)
{
	char *text = cli_remote_header(r, "x-scrvault-result");
	int error = 0;

	*result = NULL;
	if (!text || scrvault_json_parse(result, text, strlen(text)) < 0)
		error = cli_fail_message(1, "the service did not say what it did (no X-Scrvault-Result)", NULL);
	free(text);
	return error;
}

/* Read up to len bytes of fd at offset off into buf: the count, or -1. */
static ssize_t read_at(int fd, char *buf, size_t len, off_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, off + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* A body given up before cli_jb_end: its buffer freed. */
static void jb_drop(cli_jb *b)
{
	free(b->buf);
	b->buf = NULL;
	b->len = b->cap = 0;
}

int cli_remote_upload(scrvault_json **receipt, cli_remote *r, cli_jb *fields, const char *file)
{
	scrvault_json *j = NULL;
	char sha[65], path[160], *body = NULL, *buf = NULL;
	const char *id;
	struct stat sb;
	uint64_t received = 0, size, chunk;
	int fd = -1, error, tries = 0;

	*receipt = NULL;
	/* As the library opens a file to check in: never a symbolic link (an
	 * inbox folder's link to a passphrase file), never a wait on a FIFO. */
	if ((fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)) < 0) {
		char msg[4200];
		int e = errno;

		if (e == ELOOP)
			snprintf(msg, sizeof(msg), "'%s' is a symbolic link: give the file itself", file);
		else
			snprintf(msg, sizeof(msg), "cannot open '%s': %s", file, strerror(e));
		jb_drop(fields);
		return cli_fail_message(e == ENOENT ? 4 : e == ELOOP ? 2 : 1, msg, NULL);
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		char msg[4200];

		close(fd);
		jb_drop(fields);
		snprintf(msg, sizeof(msg), "'%s' is not a regular file (a FIFO, a device or a directory is never "
			 "checked in)", file);
		return cli_fail_message(2, msg, NULL);
	}
	if ((error = scrvault_file_sha256(sha, file)) < 0) {
		close(fd);
		jb_drop(fields);
		return cli_fail(error);
	}
	size = (uint64_t)sb.st_size;
	cli_jb_str(fields, "sha256", sha);
	cli_jb_int(fields, "size", (long long)size);
	if (!(body = cli_jb_end(fields))) {
		close(fd);
		return cli_fail(SCRVAULT_ERROR);
	}
	error = cli_remote_json(&j, r, "POST", "/v1/uploads", body);
	free(body);
	if (error)
		goto done;
	id = scrvault_json_str(scrvault_json_get(j, "upload"));
	chunk = (uint64_t)scrvault_json_int(scrvault_json_get(j, "chunk_max"));
	if (!id || strlen(id) > 64 || chunk == 0 || chunk > SCRVAULT_UPLOAD_CHUNK_MAX) {
		error = cli_fail_message(1, "the service's answer to the upload is malformed", NULL);
		goto done;
	}
	snprintf(path, sizeof(path), "/v1/uploads/%s", id);
	if (!(buf = malloc((size_t)chunk))) {
		error = cli_fail(SCRVAULT_ERROR);
		goto done;
	}
	while (received < size) {
		size_t want = (size_t)(size - received < chunk ? size - received : chunk);
		char put[200];
		scrvault_json *ack = NULL;
		ssize_t n = read_at(fd, buf, want, (off_t)received);

		if (n != (ssize_t)want) {
			error = cli_fail_message(1, "the file changed while it was being sent: nothing was checked in", NULL);
			break;
		}
		snprintf(put, sizeof(put), "%s?offset=%llu", path, (unsigned long long)received);
		error = cli_remote_bytes(&ack, r, "PUT", put, buf, want);
		if (error == 0) {
			received = (uint64_t)scrvault_json_int(scrvault_json_get(ack, "received"));
			scrvault_json_free(ack);
			tries = 0;
			continue;
		}
		scrvault_json_free(ack);
		/* A dropped connection: ask where the service stopped, and go on. */
		if (error != 1 || ++tries > 5)
			break;
		fprintf(stderr, "%s: the connection dropped; resuming\n", cli_program);
		sleep((unsigned)tries);
		ack = NULL;
		if (cli_remote_json(&ack, r, "GET", path, NULL) == 0)
			received = (uint64_t)scrvault_json_int(scrvault_json_get(ack, "received"));
		scrvault_json_free(ack);
		error = 0;
	}
	if (error == 0) {
		char fin[200];

		snprintf(fin, sizeof(fin), "%s/finish", path);
		error = cli_remote_json(receipt, r, "POST", fin, NULL);
	} else {
		(void)exchange(r, "DELETE", path, NULL, 0, NULL, NULL, -1);
	}
done:
	free(buf);
	scrvault_json_free(j);
	close(fd);
	return error;
}

int cli_remote_listing(const cli_args *a, int status, scrvault_json **j, const cli_col *cols)
{
	if (status) {
		scrvault_json_free(*j);
		*j = NULL;
		return status;
	}
	return cli_print_list(a, *j, cols);
}

int cli_remote_outcome(const cli_args *a, int status, scrvault_json **j, cli_printer print)
{
	scrvault_json *o = *j;

	*j = NULL;
	if (status) {
		scrvault_json_free(o);
		return status;
	}
	return print(a, o);
}

int cli_remote_rows(const cli_args *a, int status, scrvault_json **j, const char *member, const cli_col *cols)
{
	const scrvault_json *rows;
	cli_rows *out;
	size_t n;

	if (status) {
		scrvault_json_free(*j);
		*j = NULL;
		return status;
	}
	rows = member ? scrvault_json_get(*j, member) : *j;
	n = scrvault_json_count(rows);
	out = cli_rows_new(a, cols);
	for (size_t i = 0; out && i < n; i++)
		if (cli_rows_add(out, scrvault_json_at(rows, i)) < 0)
			break;
	scrvault_json_free(*j);
	*j = NULL;
	return cli_rows_print(out);
}
