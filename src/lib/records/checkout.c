/*
 * checkout.c - released versions written to files: one to a path or to
 * standard output, or many into a directory on worker threads.
 *
 * Only what sv_release_commit released (vault/keyrelease.h) is written; the
 * records, the checks and the names are the caller's (doc.c).  A file
 * appears under its name only once every chunk authenticated and the
 * plaintext SHA-256 matched: decrypted into an unnamed file (O_TMPFILE)
 * linked in, or a temporary file beside it renamed; a failure leaves
 * nothing.  Checked-out files are not fsynced: they are copies, and the
 * release is on record before any key was unwrapped.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include "records/checkout.h"
#include "vault/keyrelease.h"
#include "base/common.h"
#include "base/fault.h"
#include "base/file.h"

/*
 * The documents of a batch check-out are decrypted by up to CO_THREADS
 * workers, after the releases are on record.  Each worker takes the next
 * document, decrypts it into a temporary file in the directory and renames
 * it into place (sv_release_decrypt reads only the KEK, the vault id and the
 * store's blob reader, and keeps its error message per thread).  The
 * database is never touched by the workers: the caller loaded every version
 * record before, and records the failures after they are done.
 */
#define CO_THREADS 4

typedef struct {
	const sv_release *rel;
	sv_checkout_target *items;
	size_t count;
	const char *outdir;
	int dirfd;			/* outdir, open */
	pthread_mutex_t lock;		/* guards what follows */
	size_t next;			/* the next document to take */
	bool stop;			/* a failure other than integrity: take no more */
	size_t err_item;		/* the first document that failed so, or SIZE_MAX */
	int err_code;
	char err_msg[1024];
} co_batch;

/*
 * A new temporary file ".scrvault-checkout-XXXXXX" (mode 0600) in the
 * directory, as mkostemp makes them, but relative to its descriptor.
 */
static int co_tmpfile(char name[32], int dirfd)
{
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

	for (int tries = 0; tries < 100; tries++) {
		unsigned char r[6];
		int fd;

		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return -1;
		memcpy(name, ".scrvault-checkout-", 19);
		for (int i = 0; i < 6; i++)
			name[19 + i] = chars[r[i] % (sizeof(chars) - 1)];
		name[25] = '\0';
		if ((fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) >= 0 ||
		    errno != EEXIST)
			return fd;
	}
	return -1;
}

/*
 * Decrypt into an unnamed file (O_TMPFILE) and link it in under its name
 * only once it verified: nothing is ever visible at the name before, and a
 * document that fails, or a crash, leaves nothing behind.  1 when done this
 * way (result in *rc); 0 when it cannot be (an existing file to replace, no
 * O_TMPFILE, no /proc): the caller then uses a named temporary file.
 */
static int co_write_unnamed(co_batch *b, size_t i, int *rc)
{
	char proc[64];
	int fd;

	if ((fd = openat(b->dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600)) < 0)
		return 0;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	*rc = sv_release_decrypt_fd(b->rel, i, fd);
	if (*rc == 0 && linkat(AT_FDCWD, proc, b->dirfd, b->items[i].name, AT_SYMLINK_FOLLOW) < 0) {
		close(fd);
		if (errno == EEXIST || errno == ENOENT)
			return 0;	/* --force over a file, or no /proc: decrypt again the other way */
		*rc = sv_error(SCRVAULT_ERROR, "cannot write '%s/%s': %s", b->outdir, b->items[i].name, strerror(errno));
		return 1;
	}
	close(fd);
	return 1;
}

/* Decrypt one document into a temporary file and rename it into place. */
static int co_write(co_batch *b, size_t i)
{
	const char *name = b->items[i].name;
	char tmp[32];
	int fd, rc;

	if (co_write_unnamed(b, i, &rc))
		return rc;
	if ((fd = co_tmpfile(tmp, b->dirfd)) < 0)
		return sv_error(SCRVAULT_ERROR, "cannot create a file in '%s': %s", b->outdir, strerror(errno));
	rc = sv_release_decrypt_fd(b->rel, i, fd);
	/* No fsync: a checked-out copy is not the master, and the release was
	 * made durable (audit entry committed) before any key was unwrapped. */
	if (rc == 0 && renameat(b->dirfd, tmp, b->dirfd, name) < 0)
		rc = sv_error(SCRVAULT_ERROR, "cannot write '%s/%s': %s", b->outdir, name, strerror(errno));
	close(fd);
	if (rc < 0)
		unlinkat(b->dirfd, tmp, 0);
	return rc;
}

static void *co_worker(void *arg)
{
	co_batch *b = arg;

	for (;;) {
		size_t i;
		int rc;

		pthread_mutex_lock(&b->lock);
		if (b->stop || b->next >= b->count) {
			pthread_mutex_unlock(&b->lock);
			break;
		}
		i = b->next++;
		pthread_mutex_unlock(&b->lock);

		rc = co_write(b, i);

		pthread_mutex_lock(&b->lock);
		b->items[i].rc = rc;
		b->items[i].done = true;
		if (rc < 0 && rc != SCRVAULT_EINTEGRITY) {
			b->stop = true;
			if (i < b->err_item) {
				b->err_item = i;
				b->err_code = rc;
				snprintf(b->err_msg, sizeof(b->err_msg), "%s", scrvault_error_message());
			}
		}
		pthread_mutex_unlock(&b->lock);
	}
	return NULL;
}

/*
 * How many workers for `count` documents: the online CPUs, at most
 * CO_THREADS, at most one per document.  In test builds (base/fault.h),
 * SCRVAULT_TEST_CHECKOUT_THREADS sets the number (1-16) whatever the CPUs, so
 * the tests run several threads on any machine.
 */
static size_t co_threads(size_t count)
{
	const char *t = SV_TEST_GETENV("SCRVAULT_TEST_CHECKOUT_THREADS");
	long n = t ? strtol(t, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if (!t && n > CO_THREADS)
		n = CO_THREADS;
	if (n > 16)
		n = 16;
	return (size_t)n < count ? (size_t)n : count;
}

/* Run the workers (on this thread alone for one document or one CPU). */
static void co_run(co_batch *b)
{
	pthread_t th[16];
	size_t n = co_threads(b->count), started = 0;

	if (n > 1)
		for (; started < n; started++)
			if (pthread_create(&th[started], NULL, co_worker, b) != 0)
				break;
	if (started == 0)
		co_worker(b);
	for (size_t k = 0; k < started; k++)
		pthread_join(th[k], NULL);
}

int sv_checkout_to_dir(const sv_release *rel, int dirfd, const char *outdir, sv_checkout_target *t)
{
	co_batch b = { .rel = rel, .items = t, .count = sv_release_count(rel), .outdir = outdir,
		       .dirfd = dirfd, .err_item = SIZE_MAX };

	if (pthread_mutex_init(&b.lock, NULL) != 0)
		return sv_error(SCRVAULT_ERROR, "cannot start the check-out workers");
	co_run(&b);
	pthread_mutex_destroy(&b.lock);
	if (b.err_item != SIZE_MAX)
		return sv_error(b.err_code, "%s", b.err_msg);
	return 0;
}

int sv_checkout_to_file(const sv_release *rel, size_t i, const char *outpath)
{
	sv_outfile o = { .fd = -1 };
	struct stat sb;
	int error;

	/* An unnamed file linked in only once the plaintext verified: a kill
	 * at any point leaves nothing (the caller refused an existing name
	 * unless told to replace it).  Only a replacement goes through a hidden
	 * name (linked, then renamed over the old file); a new name is linked
	 * directly, so not even that instant exists for it. */
	if (outpath && lstat(outpath, &sb) == 0)
		error = sv_outfile_open_replace(&o, outpath);
	else
		error = sv_outfile_open(&o, outpath ? outpath : "-");
	if (error < 0)
		return error;
	if ((error = sv_release_decrypt_fd(rel, i, o.fd)) < 0) {
		sv_outfile_abort(&o);
		return outpath ? sv_error_wrap(error, "nothing was written to '%s'", outpath) : error;
	}
	if (outpath && fsync(o.fd) < 0) {
		error = sv_error(SCRVAULT_ERROR, "cannot write '%s': %s", outpath, strerror(errno));
		sv_outfile_abort(&o);
		return error;
	}
	return sv_outfile_commit(&o);
}
