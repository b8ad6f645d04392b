/*
 * cmd_agent.c - scrvault agent start|status|stop|sign: a person's key held
 * for a working session (like ssh-agent), so the passphrase is typed once.
 *
 * `start` opens the key file with its passphrase (scrvault_key_load: the
 * private key in the library's locked secure heap), binds a Unix socket
 * (0600, in a directory of the user's that is 0700), forks into the
 * background and prints the shell lines that name the socket.  The agent
 * serves only peers of its own uid (SO_PEERCRED), signs only what
 * scrvault_key_sign_check allows (session challenges and sign-offs of its
 * own vault and principal: no general signing oracle), and exits, wiping
 * the key, at the end of its lifetime, on `stop`, or on SIGTERM/SIGINT/
 * SIGHUP.  Core dumps are off and the process is not dumpable (no ptrace by
 * another process of the same user); its memory is locked.
 *
 * It must never write the key, the passphrase or a statement anywhere, nor
 * serve another user.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include "agent.h"
#include "cli.h"
#include "remote.h"

#define DEFAULT_LIFETIME	(8 * 3600)
#define MAX_LIFETIME		(7 * 24 * 3600)

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* "8h", "30m", "2s", "1d" or plain seconds: seconds, or -1. */
static long parse_duration(const char *s)
{
	char *end = NULL;
	long n, mul = 1;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || n <= 0)
		return -1;
	if (*end && end[1])
		return -1;
	switch (*end) {
	case '\0': case 's': mul = 1; break;
	case 'm': mul = 60; break;
	case 'h': mul = 3600; break;
	case 'd': mul = 86400; break;
	default: return -1;
	}
	if (n > MAX_LIFETIME / mul)
		return -1;
	return n * mul;
}

/* The default socket: $XDG_RUNTIME_DIR/scrvault/agent.sock, else /tmp/scrvault-UID/agent.sock. */
static int default_socket(char *out, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n = xdg && *xdg ? snprintf(out, len, "%s/scrvault/agent.sock", xdg)
			    : snprintf(out, len, "/tmp/scrvault-%u/agent.sock", (unsigned)getuid());

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/*
 * The socket's directory: made 0700, or an existing one that is a real
 * directory of ours that nobody else may enter or write.  0, or the exit
 * status after the message.
 */
static int socket_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;
	struct stat sb;

	snprintf(dir, sizeof(dir), "%s", path);
	if (!(slash = strrchr(dir, '/')))
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "%s: cannot make the agent's directory '%s': %s\n", cli_program, dir, strerror(errno));
		return 1;
	}
	if (lstat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode) || sb.st_uid != getuid() || (sb.st_mode & 077)) {
		fprintf(stderr, "%s: the agent's directory '%s' must be a directory of yours that only you may use "
			"(chmod 700 '%s', or give another --socket)\n", cli_program, dir, dir);
		return 3;
	}
	return 0;
}

/* Bind and listen at `path` (a stale socket there, with no agent behind it, is replaced). */
static int listen_at(int *fdout, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat sb;
	mode_t old;
	int fd, rc;

	*fdout = -1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "%s: agent socket path '%s' is too long\n", cli_program, path);
		return 2;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((rc = socket_dir(path)))
		return rc;
	if (lstat(path, &sb) == 0) {
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		bool live = probe >= 0 && S_ISSOCK(sb.st_mode) &&
			    connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0;

		if (probe >= 0)
			close(probe);
		if (live || !S_ISSOCK(sb.st_mode)) {
			fprintf(stderr, "%s: %s at '%s': stop it first (scrvault agent stop) or give another --socket\n",
				cli_program, live ? "an agent is already running" : "something else is", path);
			return 6;
		}
		(void)unlink(path);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		fprintf(stderr, "%s: cannot make a socket: %s\n", cli_program, strerror(errno));
		return 1;
	}
	old = umask(0177);	/* the socket is created 0600 */
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc < 0 || chmod(path, 0600) < 0 || listen(fd, 16) < 0) {
		fprintf(stderr, "%s: cannot listen at '%s': %s\n", cli_program, path, strerror(errno));
		close(fd);
		return 1;
	}
	*fdout = fd;
	return 0;
}

/*
 * Sessions the agent keeps for its person (per service URL: the agent holds
 * one key, so one vault and one principal): the bearer token a command line
 * opened with this key's signature, handed to the next command line of the
 * same uid so it need not sign in again.  In the agent's locked memory only;
 * wiped on stop, at the end of the lifetime, or when a command line says the
 * service refused it (then the next sign-in is signed afresh by the key).
 */
#define AGENT_SESSIONS		8
#define AGENT_FIELD_MAX		512

typedef struct {
	char *service;
	char *token;
} agent_session;

typedef struct {
	scrvault_key *key;
	agent_session sess[AGENT_SESSIONS];
	const char *path;
	time_t expires;		/* wall clock, for status */
	bool stop;
} agent_state;

static void session_wipe(agent_session *e)
{
	if (e->token) {
		explicit_bzero(e->token, strlen(e->token));
		free(e->token);
	}
	free(e->service);
	e->service = e->token = NULL;
}

static void sessions_wipe(agent_state *s)
{
	for (size_t i = 0; i < AGENT_SESSIONS; i++)
		session_wipe(&s->sess[i]);
}

static agent_session *session_of(agent_state *s, const char *service)
{
	for (size_t i = 0; i < AGENT_SESSIONS; i++)
		if (s->sess[i].service && strcmp(s->sess[i].service, service) == 0)
			return &s->sess[i];
	return NULL;
}

/* A service URL or token: printable ASCII, no quote or backslash, bounded. */
static bool field_ok(const char *f)
{
	size_t n = f ? strlen(f) : 0;

	if (n == 0 || n > AGENT_FIELD_MAX)
		return false;
	for (const unsigned char *c = (const unsigned char *)f; *c; c++)
		if (*c <= 0x20 || *c >= 0x7f || *c == '"' || *c == '\\')
			return false;
	return true;
}

/* An error response. */
static char *error_reply(int code, const char *msg)
{
	char *q = cli_json_quote(msg), *r = NULL;
	size_t n;

	if (q && (r = malloc((n = strlen(q) + 48))))
		snprintf(r, n, "{\"error\":{\"code\":%d,\"message\":%s}}", code, q);
	free(q);
	return r;
}

static char *identity_reply(const agent_state *s, bool status)
{
	char *name = cli_json_quote(scrvault_key_name(s->key)), *vault = cli_json_quote(scrvault_key_vault(s->key));
	char *vkey = cli_json_quote(scrvault_key_vkey(s->key)), *r = NULL;
	size_t n;

	if (name && vault && vkey && (r = malloc((n = strlen(name) + strlen(vault) + strlen(vkey) + 96)))) {
		if (status)
			snprintf(r, n, "{\"expires\":%lld,\"name\":%s,\"pid\":%ld,\"vault\":%s,\"vkey\":%s}",
				 (long long)s->expires, name, (long)getpid(), vault, vkey);
		else
			snprintf(r, n, "{\"name\":%s,\"vault\":%s,\"vkey\":%s}", name, vault, vkey);
	}
	free(name);
	free(vault);
	free(vkey);
	return r;
}

static char *sign_reply(const agent_state *s, const char *statement)
{
	char *sig = NULL, *r = NULL;
	size_t n;
	int error;

	if (!statement)
		return error_reply(2, "a sign request names its statement");
	if ((error = scrvault_key_sign_check(s->key, statement)) < 0 ||
	    (error = scrvault_key_sign(&sig, s->key, statement)) < 0)
		return error_reply(-error, scrvault_error_message());
	if ((r = malloc((n = strlen(sig) + 16))))
		snprintf(r, n, "{\"sig\":\"%s\"}", sig);
	free(sig);
	return r;
}

/* {"op":"session","service":S}: {"token":T} or {"token":null}. */
static char *session_reply(agent_state *s, const char *service)
{
	agent_session *e;
	char *r = NULL;
	size_t n;

	if (!field_ok(service))
		return error_reply(2, "a session request names its service");
	if (!(e = session_of(s, service)))
		return strdup("{\"token\":null}");
	if ((r = malloc((n = strlen(e->token) + 16))))
		snprintf(r, n, "{\"token\":\"%s\"}", e->token);
	return r;
}

/* {"op":"session-keep","service":S,"token":T}: kept (replacing the service's last). */
static char *keep_reply(agent_state *s, const char *service, const char *token)
{
	agent_session *e;

	if (!field_ok(service) || !field_ok(token))
		return error_reply(2, "a session to keep names its service and token");
	if (!(e = session_of(s, service)))
		for (size_t i = 0; i < AGENT_SESSIONS && !e; i++)
			if (!s->sess[i].service)
				e = &s->sess[i];
	if (!e)
		e = &s->sess[0];	/* the oldest slot gives way */
	session_wipe(e);
	if (!(e->service = strdup(service)) || !(e->token = strdup(token))) {
		session_wipe(e);
		return error_reply(1, "out of memory");
	}
	return strdup("{\"kept\":true}");
}

/* {"op":"session-drop","service":S,"token":T}: forgotten if it is still that token. */
static char *drop_reply(agent_state *s, const char *service, const char *token)
{
	agent_session *e = field_ok(service) ? session_of(s, service) : NULL;
	bool dropped = e && token && strcmp(e->token, token) == 0;

	if (dropped)
		session_wipe(e);
	return strdup(dropped ? "{\"dropped\":true}" : "{\"dropped\":false}");
}

/* The stop answer: the sessions it held, for the stopping command line to end at each service. */
static char *stop_reply(agent_state *s)
{
	size_t n = 64;
	char *r;

	for (size_t i = 0; i < AGENT_SESSIONS; i++)
		if (s->sess[i].service)
			n += strlen(s->sess[i].service) + strlen(s->sess[i].token) + 40;
	if (s->key)
		n += strlen(scrvault_key_vkey(s->key)) + 16;
	if (!(r = malloc(n)))
		return NULL;
	snprintf(r, n, "{\"stopped\":true,\"vkey\":\"%s\",\"sessions\":[", s->key ? scrvault_key_vkey(s->key) : "");
	for (size_t i = 0, k = 0; i < AGENT_SESSIONS; i++)
		if (s->sess[i].service) {
			size_t l = strlen(r);
			snprintf(r + l, n - l, "%s{\"service\":\"%s\",\"token\":\"%s\"}", k++ ? "," : "",
				 s->sess[i].service, s->sess[i].token);
		}
	strncat(r, "]}", n - strlen(r) - 1);
	return r;
}

/* Serve one connection (already accepted). */
static void serve(agent_state *s, int fd)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	struct timeval tv = { CLI_AGENT_TIMEOUT, 0 };
	scrvault_json *req = NULL;
	char *msg = NULL, *reply = NULL;
	const char *op;
	size_t len = 0;

	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 || cred.uid != getuid()) {
		char why[160];

		snprintf(why, sizeof(why), "this agent serves only its own user (uid %u), not uid %ld",
			 (unsigned)getuid(), clen == sizeof(cred) ? (long)cred.uid : -1L);
		reply = error_reply(3, why);
		goto send;
	}
	if (cli_agent_read(&msg, &len, fd) < 0)
		goto done;
	if (scrvault_json_parse(&req, msg, len) < 0 || !(op = cli_str(req, "op"))) {
		reply = error_reply(2, "not an agent request");
	} else if (strcmp(op, "identity") == 0) {
		reply = identity_reply(s, false);
	} else if (strcmp(op, "status") == 0) {
		reply = identity_reply(s, true);
	} else if (strcmp(op, "sign") == 0) {
		reply = sign_reply(s, cli_str(req, "statement"));
	} else if (strcmp(op, "session") == 0) {
		reply = session_reply(s, cli_str(req, "service"));
	} else if (strcmp(op, "session-keep") == 0) {
		reply = keep_reply(s, cli_str(req, "service"), cli_str(req, "token"));
	} else if (strcmp(op, "session-drop") == 0) {
		reply = drop_reply(s, cli_str(req, "service"), cli_str(req, "token"));
	} else if (strcmp(op, "stop") == 0) {
		/* The key and the sessions are gone and the socket removed before
		 * the answer, which hands the sessions to the stopping command
		 * line (of the same uid) to end at their services. */
		reply = stop_reply(s);
		sessions_wipe(s);
		scrvault_key_free(s->key);
		s->key = NULL;
		(void)unlink(s->path);
		s->stop = true;
	} else {
		reply = error_reply(2, "unknown agent request");
	}
send:
	if (reply)
		(void)cli_agent_write(fd, reply, strlen(reply));
done:
	scrvault_json_free(req);
	if (msg)
		explicit_bzero(msg, len);
	free(msg);
	if (reply)
		explicit_bzero(reply, strlen(reply));
	free(reply);
}

/* The agent's life: serve until stopped or expired, then wipe the key. */
static int agent_run(agent_state *s, int lfd, long lifetime)
{
	struct timespec now, end;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += lifetime;
	while (!s->stop && !stop_signal) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		long long ms;
		int n;

		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (long long)(end.tv_sec - now.tv_sec) * 1000 + (end.tv_nsec - now.tv_nsec) / 1000000;
		if (ms <= 0)
			break;
		n = poll(&p, 1, ms > 60000 ? 60000 : (int)ms);
		if (n > 0) {
			int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

			if (fd >= 0) {
				serve(s, fd);
				close(fd);
			}
		}
	}
	sessions_wipe(s);
	scrvault_key_free(s->key);
	s->key = NULL;
	close(lfd);
	(void)unlink(s->path);
	return 0;
}

/* Standard streams to /dev/null, a session of its own: the agent detaches. */
static void detach(void)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	(void)setsid();
	if (chdir("/") < 0)
		_exit(1);
}

static int check_start(cli_args *a)
{
	const char *l = cli_opt(a, "lifetime");

	if (l && parse_duration(l) < 0)
		return cli_usage(a, "--lifetime takes a duration up to 7d: 8h, 30m, 90s or seconds");
	if (!cli_own_key(a))
		return cli_usage(a, "give your key file (--key FILE or $SCRVAULT_KEY)");
	return 0;
}

static int cmd_start(cli_args *a, scrvault *unused)
{
	const char *lt = cli_opt(a, "lifetime"), *keyfile = cli_own_key(a), *sock = cli_opt(a, "socket");
	long lifetime = lt ? parse_duration(lt) : DEFAULT_LIFETIME;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	scrvault_secret *pp = NULL;
	agent_state s = { 0 };
	int lfd = -1, error, rc;
	pid_t pid;

	(void)unused;
	if (sock)
		snprintf(path, sizeof(path), "%s", sock);
	else if (default_socket(path, sizeof(path)) < 0)
		return cli_usage(a, "the default agent socket path is too long: give --socket PATH");
	/* The path goes into shell lines to eval: nothing there may end the quoting. */
	for (const unsigned char *c = (const unsigned char *)path; *c; c++)
		if (*c == '\'' || *c < 0x20 || *c == 0x7f)
			return cli_usage(a, "the agent socket path may not hold quotes or control characters: "
					 "give another --socket PATH");
	if (!scrvault_secure_memory_locked() && !(cli_open_flags(a) & SCRVAULT_OPEN_ALLOW_UNLOCKED_MEMORY)) {
		fprintf(stderr, "%s: the memory that would hold your key cannot be locked (it could be swapped "
			"to disk): raise RLIMIT_MEMLOCK, or allow it with --allow-unlocked-memory\n", cli_program);
		return 3;
	}
	/* The passphrase, once; the key into secure memory; then the socket. */
	if ((error = cli_passphrase(&pp, a, keyfile)) < 0)
		return cli_fail(error);
	error = scrvault_key_load(&s.key, keyfile, pp);
	scrvault_secret_free(pp);
	if (error < 0)
		return cli_fail(error);
	if ((rc = listen_at(&lfd, path))) {
		scrvault_key_free(s.key);
		return rc;
	}
	s.path = path;
	s.expires = time(NULL) + lifetime;
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		fprintf(stderr, "%s: cannot start the agent: %s\n", cli_program, strerror(errno));
		scrvault_key_free(s.key);
		close(lfd);
		(void)unlink(path);
		return 1;
	}
	if (pid == 0) {
		detach();
		(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		(void)mlockall(MCL_CURRENT | MCL_FUTURE);	/* the key itself is on the locked secure heap */
		agent_run(&s, lfd, lifetime);
		_exit(0);
	}
	/* The parent wipes its copy and tells the shell where the agent is. */
	scrvault_key_free(s.key);
	close(lfd);
	{
		char *q = cli_json_quote(path);

		if (cli_flag(a, "json"))
			printf("{\"expires\":%lld,\"pid\":%ld,\"socket\":%s}\n", (long long)s.expires, (long)pid, q ? q : "null");
		else
			printf("SCRVAULT_AGENT_SOCK='%s'; export SCRVAULT_AGENT_SOCK;\n"
			       "SCRVAULT_AGENT_PID=%ld; export SCRVAULT_AGENT_PID;\n"
			       "echo scrvault agent pid %ld;\n", path, (long)pid, (long)pid);
		free(q);
	}
	return 0;
}

static int cmd_status(cli_args *a, scrvault *unused)
{
	scrvault_json *j = NULL;
	char when[32] = "";
	time_t t;
	int rc;

	(void)unused;
	if ((rc = cli_agent_call(&j, cli_opt(a, "socket"), "{\"op\":\"status\"}")))
		return rc;
	t = (time_t)cli_int(j, "expires");
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	return cli_result(a, j, "agent pid %lld holds the key of %s (vault %s) until %s\n", cli_int(j, "pid"),
			  cli_str(j, "name"), *cli_str(j, "vault") ? cli_str(j, "vault") : "none", when);
}

static int cmd_stop(cli_args *a, scrvault *unused)
{
	scrvault_json *j = NULL;
	int rc;
	const scrvault_json *ss;
	unsigned ended = 0;

	(void)unused;
	if ((rc = cli_agent_call(&j, cli_opt(a, "socket"), "{\"op\":\"stop\"}")))
		return rc;
	/* The sessions it kept are ended at their services (best effort: one
	 * that cannot be reached ends by its own expiry), and forgotten here. */
	ss = scrvault_json_get(j, "sessions");
	for (size_t i = 0; ss && i < scrvault_json_count(ss); i++) {
		const scrvault_json *e = scrvault_json_at(ss, i);
		const char *svc = cli_str(e, "service"), *tok = cli_str(e, "token");

		if (svc && tok && cli_remote_end_session(svc, cli_str(j, "vkey"), tok) == 0)
			ended++;
		if (tok)
			explicit_bzero((char *)tok, strlen(tok));
	}
	scrvault_json_free(j);
	j = NULL;
	if (cli_flag(a, "json")) {
		printf("{\"sessions_ended\":%u,\"stopped\":true}\n", ended);
		return 0;
	}
	printf("agent stopped: the key is wiped\n");
	if (ended)
		printf("sessions ended at the service: %u\n", ended);
	return 0;
}

static int cmd_sign(cli_args *a, scrvault *unused)
{
	char *statement = cli_read_text(a->args[0], CLI_AGENT_MSG_MAX), *sig = NULL;
	int rc;

	(void)unused;
	if (!statement)
		return 1;
	rc = cli_agent_sign(&sig, statement);
	free(statement);
	if (rc)
		return rc;
	printf("%s\n", sig);
	free(sig);
	return 0;
}

static const cli_optdef start_opts[] = {
	{ "lifetime", 1, NULL, "DURATION" }, { "socket", 1, NULL, "PATH" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef sock_opts[] = { { "socket", 1, NULL, "PATH" }, { NULL, 0, NULL, NULL } };

const cli_cmd cli_agent_commands[] = {
	{ "agent", "start", cmd_start, 0, check_start, "scrvault agent start [--lifetime DURATION] [--socket PATH]",
	  "Hold your key for a working session, like ssh-agent: asks for the key file's\n"
	  "passphrase once (--key FILE or $SCRVAULT_KEY), then serves signatures on a\n"
	  "Unix socket only you can reach (0600, in a 0700 directory) from the\n"
	  "background, until the lifetime ends or 'agent stop', and wipes the key.\n"
	  "It signs only sign-in challenges, sign-offs, copy receipts and destruction\n"
	  "witness statements of your own vault.\n"
	  "Use:\n"
	  "  eval \"$(scrvault agent start)\"\n\n"
	  "options:\n"
	  "  --lifetime DURATION  how long it holds the key: 8h (default), 30m, 90s; at most 7d\n"
	  "  --socket PATH     the socket (default $XDG_RUNTIME_DIR/scrvault/agent.sock,\n"
	  "                    else /tmp/scrvault-UID/agent.sock)\n",
	  start_opts, 0, 0 },
	{ "agent", "status", cmd_status, 0, NULL, "scrvault agent status [--socket PATH]",
	  "Say whose key the agent holds and until when (exit 4: no agent).\n\n"
	  "options:\n"
	  "  --socket PATH     the agent's socket (default $SCRVAULT_AGENT_SOCK)\n",
	  sock_opts, 0, 0 },
	{ "agent", "stop", cmd_stop, 0, NULL, "scrvault agent stop [--socket PATH]",
	  "Stop the agent: it wipes the key and removes its socket before it answers.\n\n"
	  "options:\n"
	  "  --socket PATH     the agent's socket (default $SCRVAULT_AGENT_SOCK)\n",
	  sock_opts, 0, 0 },
	{ "agent", "sign", cmd_sign, 0, NULL, "scrvault agent sign STATEMENT-FILE",
	  "Have the agent sign a statement the vault asked you to sign (a sign-off's,\n"
	  "from 'doc signoff --statement-out'): prints the signature (base64). The\n"
	  "agent refuses anything but a sign-in challenge, a sign-off, a copy receipt or\n"
	  "a destruction's witness statement of its vault.\n",
	  NULL, 1, 1 },
	CLI_CMDS_END
};
