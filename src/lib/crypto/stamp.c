/*
 * stamp.c - numbered copies of PDFs, made by the helper scrvault-stamp
 * (see stamp.h for the contract and the protocol).
 *
 * This is the client: it must never parse a PDF, link libqpdf, or hand the
 * helper anything but the master and the stamp's text (no key, no
 * environment, no descriptor but its socket).  The master goes from the
 * caller's memory to the helper through a socket, never through a file, and
 * the copy comes back the same way; nothing reaches the caller's descriptor
 * until the helper has exited cleanly and its whole answer has been checked.
 *
 * The helper is a child run with posix_spawn: stdin and stdout one end of a
 * socketpair (send(MSG_NOSIGNAL) to it, so a helper that dies while the
 * master is on its way is an error here, never a SIGPIPE), stderr /dev/null,
 * every other descriptor closed, signals at their defaults, an empty
 * environment.  One poll loop sends the request and reads the answer under a
 * single deadline; past it the helper is killed.  It is always waited for.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "crypto/stamp.h"
#include "crypto/crypto.h"

#ifndef SV_LIBEXECDIR
#define SV_LIBEXECDIR "/usr/local/libexec/scrvault"	/* mk/stamp.mk gives $(LIBEXECDIR)/scrvault */
#endif
#define HELPER_NAME	"scrvault-stamp"

/*
 * The helper's heap (all the memory it will have): a base for qpdf, the
 * sheet and the stamps, and per MiB of master room for the master, qpdf's
 * objects and the copy, which qpdf holds twice while it hands it over.
 */
#define HEAP_BASE_MIB		64
#define HEAP_PER_MASTER		6

/* The longest copy accepted back: about the master's size, with room to spare. */
#define ANSWER_BASE		((size_t)64 << 20)
#define ANSWER_PER_MASTER	4

#define ANSWER_HEAD		(SV_STAMP_MAGIC_LEN + 8)

static char helper_override[PATH_MAX];
static unsigned timeout_override;

void sv_pdf_stamp_use_helper(const char *path, unsigned timeout_ms)
{
	snprintf(helper_override, sizeof(helper_override), "%s", path ? path : "");
	timeout_override = timeout_ms;
}

int sv_pdf_stamp_helper_path(char *buf, size_t n)
{
	char self[PATH_MAX], *slash;
	struct stat st;
	ssize_t len;
	int k;

	if (helper_override[0]) {
		k = snprintf(buf, n, "%s", helper_override);
		goto check;
	}
	/*
	 * Beside the running program (build/scrvault, build/scrvault-stamp),
	 * then where an installed tree keeps it relative to the program
	 * (PREFIX/bin/scrvault, PREFIX/libexec/scrvault/scrvault-stamp), so a
	 * staged or moved installation runs its own helper.
	 */
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len > 0) {
		self[len] = '\0';
		if ((slash = strrchr(self, '/'))) {
			*slash = '\0';
			k = snprintf(buf, n, "%s/%s", self, HELPER_NAME);
			if (k > 0 && (size_t)k < n && stat(buf, &st) == 0)
				return 0;
			k = snprintf(buf, n, "%s/../libexec/scrvault/%s", self, HELPER_NAME);
			if (k > 0 && (size_t)k < n && stat(buf, &st) == 0)
				return 0;
		}
	}
	/* installed */
	k = snprintf(buf, n, "%s/%s", SV_LIBEXECDIR, HELPER_NAME);
check:
	if (k < 0 || (size_t)k >= n)
		return sv_error(SCRVAULT_ERROR, "cannot run the stamping helper: its path is too long");
	return 0;
}

/* ---- time ----------------------------------------------------------------------- */

static struct timespec deadline_in(unsigned ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

/* Milliseconds until `d` (rounded up), 0 once it has passed. */
static int ms_left(const struct timespec *d)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(d->tv_sec - now.tv_sec) * 1000 + (d->tv_nsec - now.tv_nsec + 999999) / 1000000;
	return ms <= 0 ? 0 : ms > INT_MAX ? INT_MAX : (int)ms;
}

/* ---- the request -------------------------------------------------------------------- */

/*
 * The request up to the master's bytes (which are sent from `in` as they
 * are): magic, the fields, the master's length.  *out is the caller's (cleanse it).
 */
static int request_head(unsigned char **out, size_t *outlen, const sv_pdf_stamp_spec *s, size_t mlen)
{
	static const char *const names[SV_STAMP_NFIELDS] = {
		"copy_label", "case_ref", "marking", "holder", "title", "doc", "contact",
		"purpose", "due", "issued_at", "issued_by"
	};
	const char *f[SV_STAMP_NFIELDS] = {
		s->copy_label, s->case_ref, s->marking, s->holder, s->title, s->doc, s->contact,
		s->purpose, s->due, s->issued_at, s->issued_by
	};
	size_t flen[SV_STAMP_NFIELDS], total = SV_STAMP_MAGIC_LEN + 4, i;
	unsigned char *p, *q;

	*out = NULL;
	for (i = 0; i < SV_STAMP_NFIELDS; i++) {
		flen[i] = f[i] ? strlen(f[i]) : 0;
		if (flen[i] > SV_STAMP_FIELD_MAX)
			return sv_error_field(SCRVAULT_EUSAGE, names[i], "the %s of a printed copy is "
				"%zu bytes, more than %d", names[i], flen[i], SV_STAMP_FIELD_MAX);
		total += 4 + flen[i];
	}
	if (!(p = sv_malloc(total)))
		return SCRVAULT_ERROR;
	memcpy(p, SV_STAMP_MAGIC, SV_STAMP_MAGIC_LEN);
	q = p + SV_STAMP_MAGIC_LEN;
	for (i = 0; i < SV_STAMP_NFIELDS; i++) {
		sv_put_be32(q, (uint32_t)flen[i]);
		if (flen[i])
			memcpy(q + 4, f[i], flen[i]);
		q += 4 + flen[i];
	}
	sv_put_be32(q, (uint32_t)mlen);
	*out = p;
	*outlen = total;
	return 0;
}

/* ---- the helper ---------------------------------------------------------------------- */

/*
 * Start `path` with one end of a new socketpair as its stdin and stdout;
 * the other end (close-on-exec) in *sock.  0, or SCRVAULT_ERROR with nothing
 * left running or open.
 */
static int helper_start(pid_t *pid, int *sock, const char *path, unsigned heap_mib)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	char mib[16], *argv[4], *envp[1] = { NULL };
	int sv[2], rc;

	*sock = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return sv_error(SCRVAULT_ERROR, "cannot start the stamping helper: %s", strerror(errno));
	snprintf(mib, sizeof(mib), "%u", heap_mib);
	argv[0] = (char *)HELPER_NAME;
	argv[1] = (char *)"--heap-mib";
	argv[2] = mib;
	argv[3] = NULL;
	sigemptyset(&none);
	sigfillset(&all);
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		goto fail_fa;
	if ((rc = posix_spawnattr_init(&at)) != 0)
		goto fail_at;
	if ((rc = posix_spawn_file_actions_adddup2(&fa, sv[1], 0)) != 0 ||
	    (rc = posix_spawn_file_actions_adddup2(&fa, sv[1], 1)) != 0 ||
	    (rc = posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0)) != 0 ||
	    (rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) != 0 ||
	    (rc = posix_spawnattr_setsigmask(&at, &none)) != 0 ||
	    (rc = posix_spawnattr_setsigdefault(&at, &all)) != 0 ||
	    (rc = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)) != 0)
		goto fail;
	rc = posix_spawn(pid, path, &fa, &at, argv, envp);
fail:
	posix_spawnattr_destroy(&at);
fail_at:
	posix_spawn_file_actions_destroy(&fa);
fail_fa:
	close(sv[1]);
	if (rc != 0) {
		close(sv[0]);
		if (rc == ENOENT)
			return sv_error(SCRVAULT_ERROR, "cannot run the stamping helper '%s': "
				"install scrvault-stamp", path);
		return sv_error(SCRVAULT_ERROR, "cannot run the stamping helper '%s': %s", path,
			strerror(rc));
	}
	*sock = sv[0];
	return 0;
}

/* What happened in the exchange, beyond the answer's bytes. */
enum { X_DONE, X_TIMEOUT, X_TOOLONG, X_FAILED };

typedef struct {
	const unsigned char *part[2];	/* the request: its head, then the master */
	size_t plen[2], sent[2];
	unsigned char *buf;		/* the answer so far (cleansed when it grows) */
	size_t len, cap, max;
	int err;			/* errno of X_FAILED */
} xchg;

/* Room for more of the answer: double, up to max + 1 (one byte more is too long). */
static int grow(xchg *x)
{
	size_t cap = x->cap ? x->cap * 2 : 65536;
	unsigned char *p;

	if (cap > x->max + 1)
		cap = x->max + 1;
	if (cap <= x->cap || !(p = malloc(cap)))
		return -1;
	if (x->len)
		memcpy(p, x->buf, x->len);
	sv_cleanse_free(x->buf, x->cap);
	x->buf = p;
	x->cap = cap;
	return 0;
}

/*
 * Send the request and read the answer until the helper closes its end,
 * the deadline passes or the answer is longer than x->max.
 */
static int exchange(xchg *x, int sock, const struct timespec *deadline)
{
	int k = 0;
	bool sending = true;

	if (fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) | O_NONBLOCK) < 0) {
		x->err = errno;
		return X_FAILED;
	}
	for (;;) {
		struct pollfd p = { sock, (short)(POLLIN | (sending ? POLLOUT : 0)), 0 };
		int left = ms_left(deadline), rc;
		ssize_t n;

		if (left == 0)
			return X_TIMEOUT;
		if ((rc = poll(&p, 1, left)) < 0 && errno == EINTR)
			continue;
		if (rc < 0) {
			x->err = errno;
			return X_FAILED;
		}
		if (rc == 0)
			return X_TIMEOUT;
		if (sending && (p.revents & (POLLOUT | POLLERR | POLLHUP))) {
			while (k < 2 && x->sent[k] == x->plen[k])
				k++;
			n = k < 2 ? send(sock, x->part[k] + x->sent[k], x->plen[k] - x->sent[k],
				MSG_NOSIGNAL | MSG_DONTWAIT) : 0;
			if (n > 0)
				x->sent[k] += (size_t)n;
			else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				sending = false;	/* the helper is gone: its status will say why */
			while (k < 2 && x->sent[k] == x->plen[k])
				k++;
			if (sending && k == 2) {
				shutdown(sock, SHUT_WR);	/* the end of the request */
				sending = false;
			}
		}
		if (p.revents & (POLLIN | POLLERR | POLLHUP)) {
			if (x->len == x->cap && grow(x) < 0) {
				x->err = ENOMEM;
				return X_FAILED;
			}
			n = recv(sock, x->buf + x->len, x->cap - x->len, MSG_DONTWAIT);
			if (n > 0) {
				x->len += (size_t)n;
				if (x->len > x->max)
					return X_TOOLONG;
			} else if (n == 0 || errno == ECONNRESET) {
				return X_DONE;	/* the helper has closed its end */
			} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
				x->err = errno;
				return X_FAILED;
			}
		}
	}
}

/*
 * Reap the helper; if it has not exited by the deadline (or `kill_now`),
 * kill it first.  *killed says whether we did.  0, or -1 if its status
 * cannot be had (SIGCHLD ignored: it was reaped already).
 */
static int helper_wait(pid_t pid, int *status, const struct timespec *deadline, bool kill_now,
	bool *killed)
{
	int nap = 1;
	pid_t r;

	*killed = false;
	for (;;) {
		if (!kill_now) {
			r = waitpid(pid, status, WNOHANG);
			if (r == pid)
				return 0;
			if (r < 0 && errno != EINTR)
				return -1;
			if (r == 0 && ms_left(deadline) > 0) {
				poll(NULL, 0, nap);
				nap = nap < 64 ? nap * 2 : nap;
				continue;
			}
			if (r < 0)
				continue;
		}
		kill(pid, SIGKILL);
		*killed = true;
		while ((r = waitpid(pid, status, 0)) < 0 && errno == EINTR)
			;
		return r == pid ? 0 : -1;
	}
}

/* The helper's message, printable ASCII only (it is not trusted). */
static void clean_msg(char *out, size_t n, const unsigned char *p, size_t len)
{
	size_t i;

	if (len >= n)
		len = n - 1;
	for (i = 0; i < len; i++)
		out[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	out[len] = '\0';
}

/* What the helper's exit and answer mean; 0 with the copy in *pdf, *pdflen. */
static int verdict(const xchg *x, int status, unsigned heap_mib,
	const unsigned char **pdf, size_t *pdflen)
{
	char msg[SV_STAMP_MSG_MAX + 1];
	uint32_t st, blen;

	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		return sv_error(SCRVAULT_ERROR, "the stamping helper was stopped for a forbidden system call");
	if (WIFSIGNALED(status))
		return sv_error(SCRVAULT_ERROR, "the stamping helper died of signal %d (%s)",
			WTERMSIG(status), strsignal(WTERMSIG(status)));
	if (WIFEXITED(status) && WEXITSTATUS(status) == SV_STAMP_EXIT_NOMEM)
		return sv_error(SCRVAULT_ERROR, "the document is too large to print: it needs more than "
			"the %u MiB the stamping helper may use", heap_mib);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return sv_error(SCRVAULT_ERROR, "the stamping helper failed (exit %d)",
			WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	if (x->len < ANSWER_HEAD || memcmp(x->buf, SV_STAMP_MAGIC, SV_STAMP_MAGIC_LEN))
		return sv_error(SCRVAULT_ERROR, "the stamping helper gave no answer");
	st = sv_get_be32(x->buf + SV_STAMP_MAGIC_LEN);
	blen = sv_get_be32(x->buf + SV_STAMP_MAGIC_LEN + 4);
	if ((size_t)blen != x->len - ANSWER_HEAD || (st == SV_STAMP_OK && blen == 0) ||
	    (st != SV_STAMP_OK && blen > SV_STAMP_MSG_MAX))
		return sv_error(SCRVAULT_ERROR, "the stamping helper gave a malformed answer");
	if (st == SV_STAMP_OK) {
		*pdf = x->buf + ANSWER_HEAD;
		*pdflen = blen;
		return 0;
	}
	clean_msg(msg, sizeof(msg), x->buf + ANSWER_HEAD, blen);
	switch (st) {
	case SV_STAMP_EPDF:
		return sv_error(SCRVAULT_EUSAGE, "%s", msg);
	case SV_STAMP_EFAIL:
		return sv_error(SCRVAULT_ERROR, "%s", msg);
	case SV_STAMP_EREQUEST:
		return sv_error(SCRVAULT_ERROR, "the stamping helper refused the request (%s)", msg);
	default:
		return sv_error(SCRVAULT_ERROR, "the stamping helper gave a malformed answer");
	}
}

static int write_full(int fd, const unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sv_error(SCRVAULT_ERROR, "cannot write the stamped copy: %s",
				strerror(errno));
		if (n == 0)
			return sv_error(SCRVAULT_ERROR, "cannot write the stamped copy: short write");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int sv_pdf_stamp(int outfd, const unsigned char *in, size_t len, const sv_pdf_stamp_spec *s)
{
	char path[PATH_MAX];
	unsigned char *head = NULL;
	const unsigned char *pdf = NULL;
	size_t headlen = 0, pdflen = 0, mib;
	unsigned timeout = timeout_override ? timeout_override : SV_STAMP_TIMEOUT_MS, heap;
	struct timespec deadline;
	xchg x;
	pid_t pid;
	int sock = -1, status = 0, error, how;
	bool killed;

	memset(&x, 0, sizeof(x));
	if (outfd < 0 || !s)
		return sv_error(SCRVAULT_EUSAGE, "stamping needs an output and a stamp");
	if (in && len == 0)
		return sv_error(SCRVAULT_EUSAGE, "the master is not a PDF that can be stamped (it is empty)");
	if (len > SV_STAMP_MASTER_MAX)
		return sv_error(SCRVAULT_EUSAGE, "the document is too large to print (%zu MiB, at most %lu)",
			len >> 20, (unsigned long)(SV_STAMP_MASTER_MAX >> 20));
	if (!in)
		len = 0;
	mib = (len + (1u << 20) - 1) >> 20;
	heap = (unsigned)(HEAP_BASE_MIB + HEAP_PER_MASTER * mib);
	if (heap > SV_STAMP_HEAP_MAX_MIB)
		heap = SV_STAMP_HEAP_MAX_MIB;
	x.max = ANSWER_HEAD + ANSWER_BASE + ANSWER_PER_MASTER * len;

	if ((error = request_head(&head, &headlen, s, len)) < 0 ||
	    (error = sv_pdf_stamp_helper_path(path, sizeof(path))) < 0)
		goto done;
	x.part[0] = head;
	x.plen[0] = headlen;
	x.part[1] = in;
	x.plen[1] = len;

	deadline = deadline_in(timeout);
	if ((error = helper_start(&pid, &sock, path, heap)) < 0)
		goto done;
	how = exchange(&x, sock, &deadline);
	close(sock);
	if (helper_wait(pid, &status, &deadline, how != X_DONE, &killed) < 0) {
		error = sv_error(SCRVAULT_ERROR, "cannot read the stamping helper's exit status: %s",
			strerror(errno));
		goto done;
	}
	if (how == X_TIMEOUT || (how == X_DONE && killed))
		error = sv_error(SCRVAULT_ERROR, "the stamping helper did not finish within %u s: "
			"it was stopped", (timeout + 999) / 1000);
	else if (how == X_TOOLONG)
		error = sv_error(SCRVAULT_ERROR, "the stamping helper answered with more than %zu MiB: "
			"it was stopped", x.max >> 20);
	else if (how == X_FAILED)
		error = sv_error(SCRVAULT_ERROR, "cannot talk to the stamping helper: %s",
			strerror(x.err));
	else if ((error = verdict(&x, status, heap, &pdf, &pdflen)) == 0)
		error = write_full(outfd, pdf, pdflen);
done:
	sv_cleanse_free(head, headlen);
	sv_cleanse_free(x.buf, x.cap);
	return error;
}
