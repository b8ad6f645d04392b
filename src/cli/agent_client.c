/*
 * agent_client.c - talking to `scrvault agent` (cmd_agent.c) over its Unix
 * socket: what the agent's own status and stop commands use, and what a
 * command line talking to a service signs with (cli_agent_sign).
 *
 * The wire (docs/ARCHITECTURE.md, "The agent"): each message is a 4-byte
 * big-endian length and that many bytes of JSON, one request and one
 * response a connection.  Requests {"op":"identity"|"status"|"stop"} and
 * {"op":"sign","statement":TEXT}; responses the op's object or
 * {"error":{"code":EXIT,"message":TEXT}}.  Nothing secret travels but a
 * signature.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include "agent.h"
#include "cli.h"

const char *cli_agent_socket(const char *given)
{
	const char *s = given ? given : getenv("SCRVAULT_AGENT_SOCK");

	return s && *s ? s : NULL;
}

int cli_agent_write(int fd, const char *buf, size_t len)
{
	unsigned char hdr[4] = { (unsigned char)(len >> 24), (unsigned char)(len >> 16),
				 (unsigned char)(len >> 8), (unsigned char)len };
	const char *parts[2] = { (const char *)hdr, buf };
	size_t lens[2] = { sizeof(hdr), len };

	if (len > CLI_AGENT_MSG_MAX)
		return -1;
	for (int i = 0; i < 2; i++)
		for (size_t off = 0; off < lens[i];) {
			ssize_t n = send(fd, parts[i] + off, lens[i] - off, MSG_NOSIGNAL);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return -1;
			off += (size_t)n;
		}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = read(fd, (char *)buf + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

int cli_agent_read(char **out, size_t *len, int fd)
{
	unsigned char hdr[4];
	size_t n;
	char *buf;

	*out = NULL;
	if (read_all(fd, hdr, sizeof(hdr)) < 0)
		return -1;
	n = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
	if (n == 0 || n > CLI_AGENT_MSG_MAX || !(buf = malloc(n + 1)))
		return -1;
	if (read_all(fd, buf, n) < 0) {
		free(buf);
		return -1;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

char *cli_json_quote(const char *s)
{
	size_t n = strlen(s), k = 0;
	char *out = malloc(6 * n + 3);

	if (!out)
		return NULL;
	out[k++] = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			out[k++] = '\\';
			out[k++] = (char)*p;
		} else if (*p < 0x20) {
			k += (size_t)snprintf(out + k, 7, "\\u%04x", *p);
		} else {
			out[k++] = (char)*p;
		}
	}
	out[k++] = '"';
	out[k] = '\0';
	return out;
}

static int agent_call(scrvault_json **out, const char *sock, const char *request, bool quiet);

/* Connect to the agent at `path`: the fd, or the exit status (negated) after the message. */
static int agent_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { CLI_AGENT_TIMEOUT, 0 };
	int fd, e;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "%s: agent socket path '%s' is too long\n", cli_program, path);
		return -2;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		fprintf(stderr, "%s: cannot make a socket: %s\n", cli_program, strerror(errno));
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		struct ucred cred;
		socklen_t clen = sizeof(cred);

		/* Only an agent of this user is told anything (a session token) or
		 * believed: a socket another account planted is refused. */
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0 && clen == sizeof(cred) &&
		    cred.uid == getuid())
			return fd;
		close(fd);
		fprintf(stderr, "%s: the agent socket '%s' is served by uid %ld, not by you: refused "
			"(nothing was sent)\n", cli_program, path, clen == sizeof(cred) ? (long)cred.uid : -1L);
		return -3;
	}
	e = errno;
	close(fd);
	if (e == EACCES || e == EPERM) {
		fprintf(stderr, "%s: no access to the agent socket '%s': %s (an agent serves only its own user)\n",
			cli_program, path, strerror(e));
		return -3;
	}
	fprintf(stderr, "%s: no agent at '%s' (%s): start one with 'eval \"$(scrvault agent start)\"'\n",
		cli_program, path, strerror(e));
	return -4;
}

int cli_agent_call(scrvault_json **out, const char *sock, const char *request)
{
	return agent_call(out, sock, request, false);
}

static int agent_call(scrvault_json **out, const char *sock, const char *request, bool quiet)
{
	const scrvault_json *err;
	char *resp = NULL;
	size_t len = 0;
	int fd, rc = 0;

	*out = NULL;
	if (!(sock = cli_agent_socket(sock))) {
		fprintf(stderr, "%s: no agent: set SCRVAULT_AGENT_SOCK (eval \"$(scrvault agent start)\")\n", cli_program);
		return 4;
	}
	if ((fd = agent_connect(sock)) < 0)
		return -fd;
	/* A refusal may come before the request is read: read the answer either way. */
	(void)cli_agent_write(fd, request, strlen(request));
	if (cli_agent_read(&resp, &len, fd) < 0 ||
	    scrvault_json_parse(out, resp, len) < 0) {
		fprintf(stderr, "%s: the agent at '%s' did not answer\n", cli_program, sock);
		rc = 1;
	} else if ((err = scrvault_json_get(*out, "error"))) {
		rc = quiet ? 1 : 0;
	}
	if (!rc && *out && (err = scrvault_json_get(*out, "error"))) {
		const char *msg = cli_str(err, "message");
		long long code = cli_int(err, "code");
		char *safe = cli_escape_dup(msg ? msg : "refused");

		fprintf(stderr, "%s: agent: %s\n", cli_program, safe ? safe : "refused");
		free(safe);
		rc = code > 0 && code < 7 ? (int)code : 1;
	}
	if (rc) {
		scrvault_json_free(*out);
		*out = NULL;
	}
	if (resp)
		explicit_bzero(resp, len);	/* it may have held a session token */
	free(resp);
	close(fd);
	return rc;
}

int cli_agent_identity(scrvault_json **out)
{
	return cli_agent_call(out, NULL, "{\"op\":\"identity\"}");
}

/* A request with a service and, optionally, a token: quiet, 0 or 1. */
static int session_call(scrvault_json **out, const char *op, const char *service, const char *token)
{
	char *qs = cli_json_quote(service), *qt = token ? cli_json_quote(token) : NULL, *req = NULL;
	int rc = 1;

	if (qs && (!token || qt) &&
	    asprintf(&req, "{\"op\":\"%s\",\"service\":%s%s%s}", op, qs, qt ? ",\"token\":" : "", qt ? qt : "") >= 0) {
		rc = agent_call(out, NULL, req, true) ? 1 : 0;
		explicit_bzero(req, strlen(req));
		free(req);
	}
	if (qt)
		explicit_bzero(qt, strlen(qt));
	free(qs);
	free(qt);
	return rc;
}

int cli_agent_session(char **token, const char *service)
{
	scrvault_json *j = NULL;
	const char *t;

	*token = NULL;
	if (session_call(&j, "session", service, NULL) == 0 && (t = cli_str(j, "token")) && *t)
		*token = strdup(t);
	scrvault_json_free(j);
	return *token ? 0 : 1;
}

int cli_agent_session_keep(const char *service, const char *token)
{
	scrvault_json *j = NULL;
	int rc = session_call(&j, "session-keep", service, token);

	scrvault_json_free(j);
	return rc;
}

void cli_agent_session_drop(const char *service, const char *token)
{
	scrvault_json *j = NULL;

	(void)session_call(&j, "session-drop", service, token);
	scrvault_json_free(j);
}

int cli_agent_sign(char **sig, const char *statement)
{
	scrvault_json *j = NULL;
	char *q = cli_json_quote(statement), *req = NULL;
	const char *s;
	int rc = 1;

	*sig = NULL;
	if (q && (req = malloc(strlen(q) + 40))) {
		snprintf(req, strlen(q) + 40, "{\"op\":\"sign\",\"statement\":%s}", q);
		if ((rc = cli_agent_call(&j, NULL, req)) == 0) {
			if ((s = cli_str(j, "sig")) && (*sig = strdup(s)))
				rc = 0;
			else
				rc = 1;
		}
	}
	scrvault_json_free(j);
	free(q);
	free(req);
	return rc;
}

char *cli_read_file(const char *path, size_t max)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t n = 0;

	if (!f) {
		fprintf(stderr, "%s: cannot open '%s': %s\n", cli_program, path, strerror(errno));
		return NULL;
	}
	if ((buf = malloc(max + 1)))
		n = fread(buf, 1, max + 1, f);
	fclose(f);
	if (!buf || n > max || memchr(buf, '\0', n)) {
		fprintf(stderr, "%s: '%s' is too long or not text\n", cli_program, path);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

char *cli_read_text(const char *path, size_t max)
{
	char *buf = cli_read_file(path, max);
	size_t n = buf ? strlen(buf) : 0;

	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return buf;
}

/* Write the statement to sign to a new file (0600, never replacing one). */
int cli_write_new(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	size_t len = strlen(text);

	if (fd < 0) {
		fprintf(stderr, "%s: cannot create '%s': %s\n", cli_program, path, strerror(errno));
		return errno == EEXIST ? 6 : 1;
	}
	if (write(fd, text, len) != (ssize_t)len || close(fd) < 0) {
		fprintf(stderr, "%s: cannot write '%s'\n", cli_program, path);
		return 1;
	}
	return 0;
}
