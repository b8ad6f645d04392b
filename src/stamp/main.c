/*
 * main.c - scrvault-stamp: the keyless helper that makes the numbered copies
 * `scrvault copy print` hands out.  Its client is sv_pdf_stamp
 * (src/lib/crypto/stamp.c); the protocol is in crypto/stamp.h.
 *
 * It is the only process that parses a PDF, and agency-supplied PDFs are
 * hostile input, so it is built to be taken over without loss: it links no
 * code of the vault (src/lib/base/common.c only, for messages and
 * allocation), reads no key, has no environment and no descriptor but 0, 1
 * and 2, and before it reads a byte of its input it:
 *   1. turns off core dumps (it is about to hold the master's plaintext);
 *   2. reserves all the memory it will ever use: malloc is told never to
 *      mmap (M_MMAP_MAX 0) and never to give memory back (M_TRIM_THRESHOLD
 *      above the heap), the heap is grown once to --heap-mib N MiB and
 *      freed, and every later allocation is carved out of it with no system
 *      call;
 *   3. installs a seccomp filter whose default is to kill the process, and
 *      which allows read from fd 0, write to fd 1 and 2, exit and exit_group,
 *      the futex wake that pthread_once makes and getrandom, which qpdf's
 *      crypto provider calls on an encrypted PDF (filter_install says why
 *      each is there).  brk, which malloc calls
 *      only once that heap is used up, is trapped instead: the handler exits
 *      with SV_STAMP_EXIT_NOMEM, which the client reports as "the document
 *      is too large to print".  That is the bound on what a PDF may decode
 *      to.
 * Then it reads the request strictly (lengths bounded, no trailing bytes),
 * runs qpdf (pdf.c) and answers with a status and the copy or a message.
 *
 * Test hooks, compiled only with SV_TEST_HOOKS (build/tests/scrvault-stamp-test,
 * never the shipped program): SCRVAULT_STAMP_TEST_OPEN makes it open a file
 * once the filter is in place, which must kill it; SCRVAULT_STAMP_TEST_HANG
 * makes it wait forever before it reads anything, for the client's time limit.
 */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <seccomp.h>
#ifdef SV_TEST_HOOKS
#include <fcntl.h>
#endif
#include "base/common.h"
#include "crypto/stamp.h"
#include "pdf.h"

/* ---- set-up, before any input --------------------------------------------- */

/*
 * What is worth doing before the filter: no core file (SIGSYS dumps core by
 * default, and this process holds the master), nothing ptrace can attach to,
 * and no descriptor but 0, 1 and 2 whatever the parent left open.
 */
static void harden(void)
{
	struct rlimit no = { 0, 0 };
	struct rlimit nofile;
	unsigned fd, max = 65536;

	setrlimit(RLIMIT_CORE, &no);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (close_range(3, ~0U, 0) == 0)
		return;
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < max)
		max = (unsigned)nofile.rlim_cur;
	for (fd = 3; fd < max; fd++)
		close((int)fd);
}

/*
 * Make every later allocation come out of a heap reserved now: no mmap, no
 * trimming (both thresholds are ints: the heap stays below INT_MAX bytes),
 * one arena, and the heap grown to `bytes` once.  The pages are only
 * reserved (touched as used).  -1 if malloc refuses a setting or the memory.
 */
static int heap_reserve(size_t bytes)
{
	void *p;

	if (mallopt(M_MMAP_MAX, 0) != 1 || mallopt(M_TRIM_THRESHOLD, INT_MAX) != 1 ||
	    mallopt(M_TOP_PAD, 0) != 1 || mallopt(M_ARENA_MAX, 1) != 1)
		return -1;
	if (!(p = malloc(bytes)))
		return -1;
	free(p);	/* back into the top chunk, which is never trimmed */
	return 0;
}

/* brk was trapped: the reserved heap is used up (see the top of the file). */
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	_exit(si->si_syscall == SYS_brk ? SV_STAMP_EXIT_NOMEM : 125);
}

/*
 * The filter.  Everything not listed kills the process (SIGSYS, no core).
 *   read, fd 0 only      the request; fd 0 is the socket to the client
 *   write, fd 1          the answer; fd 1 is the same socket
 *   write, fd 2          /dev/null: a library that prints a warning (qpdf's
 *                        are suppressed, but a stray one must not kill it)
 *   exit_group           how _exit ends the process
 *   exit                 glibc's _exit calls it if exit_group ever returns
 *   futex, FUTEX_WAKE_PRIVATE only
 *                        pthread_once wakes any waiters when its routine has
 *                        run, whether or not there are any; libgcc's unwinder
 *                        initialises itself that way on the first C++
 *                        exception, which qpdf throws for every damaged PDF.
 *                        This process has one thread, so the wake finds no
 *                        one; waiting (or requeueing) stays forbidden
 *   getrandom, flags 0 only
 *                        qpdf asks its crypto provider (GnuTLS) for random
 *                        bytes while it opens an encrypted PDF, before it
 *                        can say that it is encrypted (which we refuse), and
 *                        GnuTLS may reseed from the kernel at any call.  It
 *                        only writes random bytes into this process's memory:
 *                        no file, no other process, nothing of the system.
 *                        (The copy's /ID needs none: it is deterministic.)
 *   brk: trap            not allowed: the SIGSYS handler exits with
 *                        SV_STAMP_EXIT_NOMEM, so that running out of the
 *                        reserved heap reads as what it is
 * Reading fd 1 or 2 and writing fd 0 are not needed and not allowed.  Nothing for
 * rt_sigreturn: the handler never returns.  Calls of another ABI (x32,
 * i386 on x86_64) kill too.  libseccomp sets no_new_privs first.
 * 0, or -1 with a reason in `why`.
 */
static int filter_install(char *why, size_t n)
{
	scmp_filter_ctx ctx;
	struct sigaction sa;
	sigset_t sys;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&sa.sa_mask);
	sigemptyset(&sys);
	sigaddset(&sys, SIGSYS);
	if (sigaction(SIGSYS, &sa, NULL) < 0 || sigprocmask(SIG_UNBLOCK, &sys, NULL) < 0) {
		snprintf(why, n, "sigaction: %s", strerror(errno));
		return -1;
	}
	if (!(ctx = seccomp_init(SCMP_ACT_KILL_PROCESS))) {
		snprintf(why, n, "seccomp_init failed");
		return -1;
	}
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) < 0 ||
	    (rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(read), 1, SCMP_A0(SCMP_CMP_EQ, 0))) < 0 ||
	    (rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_EQ, 1))) < 0 ||
	    (rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_EQ, 2))) < 0 ||
	    (rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(exit_group), 0)) < 0 ||
	    (rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(exit), 0)) < 0 ||
	    (rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(futex), 1,
		SCMP_A1(SCMP_CMP_EQ, FUTEX_WAKE_PRIVATE))) < 0 ||
	    (rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(getrandom), 1,
		SCMP_A2(SCMP_CMP_EQ, 0))) < 0 ||
	    (rc = seccomp_rule_add(ctx, SCMP_ACT_TRAP, SCMP_SYS(brk), 0)) < 0 ||
	    (rc = seccomp_load(ctx)) < 0) {
		snprintf(why, n, "seccomp: %s", strerror(-rc));
		seccomp_release(ctx);
		return -1;
	}
	seccomp_release(ctx);
	return 0;
}

/* ---- the exchange ----------------------------------------------------------- */

/* Read exactly `n` bytes from fd 0: 0, 1 at end of input before that, -1 on error. */
static int read_full(void *buf, size_t n)
{
	unsigned char *p = buf;

	while (n > 0) {
		ssize_t got = read(0, p, n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0)
			return 1;
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

static bool answered;	/* the answer has begun: there can be no other */

/* The answer: status, length, body.  -1 if the client is gone. */
static int answer(uint32_t status, const void *body, size_t len)
{
	unsigned char head[SV_STAMP_MAGIC_LEN + 8];

	answered = true;
	memcpy(head, SV_STAMP_MAGIC, SV_STAMP_MAGIC_LEN);
	sv_put_be32(head + SV_STAMP_MAGIC_LEN, status);
	sv_put_be32(head + SV_STAMP_MAGIC_LEN + 4, (uint32_t)len);
	return sv_write_all(1, head, sizeof(head)) < 0 || sv_write_all(1, body, len) < 0 ? -1 : 0;
}

/* An error answer with a message (cut to SV_STAMP_MSG_MAX). */
static int answer_msg(uint32_t status, const char *msg)
{
	size_t n = strlen(msg);

	return answer(status, msg, n > SV_STAMP_MSG_MAX ? SV_STAMP_MSG_MAX : n);
}

/* pdf.c's sink: the whole copy, as the answer. */
static int send_copy(void *ctx, const unsigned char *pdf, size_t len)
{
	(void)ctx;
	if (len > UINT32_MAX)
		return sv_error(SCRVAULT_ERROR, "the copy is larger than 4 GiB");
	if (answer(SV_STAMP_OK, pdf, len) < 0)
		return sv_error(SCRVAULT_ERROR, "cannot send the copy: %s", strerror(errno));
	return 0;
}

typedef struct {
	char *field[SV_STAMP_NFIELDS];
	unsigned char *master;
	uint32_t mlen;
} request;

static void request_free(request *r)
{
	size_t i;

	for (i = 0; i < SV_STAMP_NFIELDS; i++)
		free(r->field[i]);
	free(r->master);
	memset(r, 0, sizeof(*r));
}

/* The names of the fields, in the protocol's order, for messages. */
static const char *const field_names[SV_STAMP_NFIELDS] = {
	"copy_label", "case_ref", "marking", "holder", "title", "doc", "contact",
	"purpose", "due", "issued_at", "issued_by"
};

/* Read a u32 length prefix: 0, or -1 with the reason in `why`. */
static int read_len(uint32_t *v, uint32_t max, const char *what, char *why, size_t n)
{
	unsigned char b[4];
	int rc = read_full(b, sizeof(b));

	if (rc != 0) {
		snprintf(why, n, "the request ends before the length of %s", what);
		return -1;
	}
	*v = sv_get_be32(b);
	if (*v > max) {
		snprintf(why, n, "%s is %lu bytes, more than %lu", what, (unsigned long)*v,
			(unsigned long)max);
		return -1;
	}
	return 0;
}

/*
 * Read and check the whole request (crypto/stamp.h).  0, or -1 with the
 * reason in `why`: a malformed request is never stamped.
 */
static int read_request(request *r, char *why, size_t n)
{
	unsigned char magic[SV_STAMP_MAGIC_LEN], extra;
	uint32_t len;
	size_t i;
	int rc;

	memset(r, 0, sizeof(*r));
	if (read_full(magic, sizeof(magic)) != 0 || memcmp(magic, SV_STAMP_MAGIC, sizeof(magic))) {
		snprintf(why, n, "not a stamping request");
		return -1;
	}
	for (i = 0; i < SV_STAMP_NFIELDS; i++) {
		if (read_len(&len, SV_STAMP_FIELD_MAX, field_names[i], why, n) < 0)
			return -1;
		if (!(r->field[i] = malloc((size_t)len + 1))) {
			snprintf(why, n, "out of memory");
			return -1;
		}
		if (read_full(r->field[i], len) != 0) {
			snprintf(why, n, "the request ends inside %s", field_names[i]);
			return -1;
		}
		r->field[i][len] = '\0';
		if (strlen(r->field[i]) != len) {
			snprintf(why, n, "%s holds a NUL byte", field_names[i]);
			return -1;
		}
	}
	if (read_len(&r->mlen, SV_STAMP_MASTER_MAX, "the master", why, n) < 0)
		return -1;
	if (r->mlen > 0) {
		if (!(r->master = malloc(r->mlen))) {
			snprintf(why, n, "out of memory");
			return -1;
		}
		if ((rc = read_full(r->master, r->mlen)) != 0) {
			snprintf(why, n, rc > 0 ? "the request ends inside the master" :
				"cannot read the master");
			return -1;
		}
	}
	if ((rc = read_full(&extra, 1)) != 1) {
		snprintf(why, n, rc == 0 ? "bytes after the end of the request" :
			"cannot read the end of the request");
		return -1;
	}
	return 0;
}

/* --heap-mib N, N in range: the size in bytes, or 0. */
static size_t parse_args(int argc, char **argv)
{
	unsigned long v = 0;
	const char *p;

	if (argc != 3 || strcmp(argv[1], "--heap-mib") != 0 || !argv[2][0] || strlen(argv[2]) > 5)
		return 0;
	for (p = argv[2]; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < SV_STAMP_HEAP_MIN_MIB || v > SV_STAMP_HEAP_MAX_MIB)
		return 0;
	return (size_t)v << 20;
}

int main(int argc, char **argv)
{
	sv_pdf_stamp_spec spec;
	char why[256];
	request r = { { NULL }, NULL, 0 };
	size_t heap;
	int error;
#ifdef SV_TEST_HOOKS
	bool hook_open = getenv("SCRVAULT_STAMP_TEST_OPEN") != NULL;

	if (getenv("SCRVAULT_STAMP_TEST_HANG"))
		for (;;)
			pause();
#endif

	harden();
	if (!(heap = parse_args(argc, argv))) {
		fprintf(stderr, "usage: scrvault-stamp --heap-mib N (%d..%d)\n"
			"run by 'scrvault copy print', which speaks to it on stdin and stdout\n",
			SV_STAMP_HEAP_MIN_MIB, SV_STAMP_HEAP_MAX_MIB);
		return 2;
	}
	if (heap_reserve(heap) < 0) {
		snprintf(why, sizeof(why), "cannot reserve %zu MiB for the stamping helper", heap >> 20);
		answer_msg(SV_STAMP_EFAIL, why);
		_exit(0);
	}
	if (filter_install(why, sizeof(why)) < 0) {
		char msg[320];

		snprintf(msg, sizeof(msg), "cannot confine the stamping helper (%s)", why);
		answer_msg(SV_STAMP_EFAIL, msg);
		_exit(0);
	}
	/* From here on: read, write, exit.  Nothing hostile has been read yet. */
#ifdef SV_TEST_HOOKS
	if (hook_open) {
		/* must be killed by the filter before open returns */
		int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);

		snprintf(why, sizeof(why), "the filter let open() through (fd %d)", fd);
		answer_msg(SV_STAMP_EFAIL, why);
		_exit(0);
	}
#endif
	if (read_request(&r, why, sizeof(why)) < 0) {
		answer_msg(SV_STAMP_EREQUEST, why);
		request_free(&r);
		_exit(0);
	}
	spec = (sv_pdf_stamp_spec){
		.copy_label = r.field[0], .case_ref = r.field[1], .marking = r.field[2],
		.holder = r.field[3], .title = r.field[4], .doc = r.field[5], .contact = r.field[6],
		.purpose = r.field[7], .due = r.field[8], .issued_at = r.field[9], .issued_by = r.field[10],
	};
	error = sv_pdf_make_copy(r.mlen ? r.master : NULL, r.mlen, &spec, send_copy, NULL);
	request_free(&r);
	if (error < 0 && answered)
		_exit(1);	/* the copy was cut off: the client is gone */
	if (error < 0)
		answer_msg(error == SCRVAULT_EUSAGE ? SV_STAMP_EPDF : SV_STAMP_EFAIL,
			scrvault_error_message());
	/* _exit: no atexit handlers or C++ destructors, which might want more calls */
	_exit(0);
}
