/*
 * odb.c - the loose-object backend of a store's object database: libgit2's
 * entry points over loose.c, placement of objects and their sync, see
 * odb.h.
 *
 * This file sees ciphertext and opaque ids only.  It must never fsync an
 * object as it writes it (objects are flushed in batches by sv_odb_sync);
 * never replace an object file that is already there; never leave a
 * temporary file behind on any path of its own; never move a ref or write
 * anything in the repository but objects/; and never put anything but ids,
 * paths and reasons into an error message.
 *
 * The backend sits in the store's object database above libgit2's pack
 * backend (if that is there at all: see sv_store_open).  It writes standard
 * loose objects with loose.c's writer (stored deflate blocks) to
 * objects/tmp_obj_* and renames each into place without replacing an
 * object that is already there, so concurrent writers are safe.  It reads
 * loose objects itself (stored or compressed); objects it does not have,
 * such as packed ones written by real git, fall through to libgit2's pack
 * backend.
 *
 * Every object file written or found already present since the last
 * sv_odb_sync() is remembered, and sv_odb_sync() makes them durable: with
 * an fsync of each file and directory for a few objects, or with one
 * syncfs(2) for many (an fsync each costs 0.1 ms and more per object; a
 * syncfs also waits for every other dirty file of the file system).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "storage/odb.h"
#include "storage/git.h"
#include "storage/loose.h"
#include "base/common.h"

/* loose.h's types are numbered as git's, so that they convert by a cast. */
_Static_assert(SV_LOOSE_COMMIT == (int)GIT_OBJECT_COMMIT &&
	       SV_LOOSE_TREE == (int)GIT_OBJECT_TREE &&
	       SV_LOOSE_BLOB == (int)GIT_OBJECT_BLOB &&
	       SV_LOOSE_TAG == (int)GIT_OBJECT_TAG, "object type numbers differ");
_Static_assert(SV_LOOSE_IDLEN == GIT_OID_RAWSZ && SV_LOOSE_HEXLEN == GIT_OID_HEXSZ,
	       "object id sizes differ");

/* Up to this many objects, sv_odb_sync fsyncs each; above, one syncfs. */
#define SV_SYNC_FSYNC_MAX 32

/* "xx/" + 38 hex digits + NUL */
#define SV_RELPATH_LEN (GIT_OID_HEXSZ + 2)

struct sv_odb {
	git_odb_backend parent;
	int objfd;			/* the objects/ directory */
	sv_loose_tmpnames names;	/* temp names of our writers */
	git_oid *dirty;			/* objects to flush at the next sync */
	size_t ndirty, dirtycap;
	unsigned char dirtydirs[32];	/* fan-out directories to flush */
};

/* A libgit2 write stream: one loose writer. */
typedef struct {
	git_odb_stream parent;
	sv_loose_writer *w;
} sv_odb_wstream;

/* Hand our current failure to libgit2 from a backend callback. */
static int be_fail(int code)
{
	git_error_set_str(GIT_ERROR_ODB, scrvault_error_message());
	if (code == SCRVAULT_ENOTFOUND)
		return GIT_ENOTFOUND;
	if (code == SCRVAULT_EINTEGRITY)
		return GIT_EMISMATCH;
	return GIT_ERROR;
}

/* "xx/yyyy..." of an object, relative to objects/. */
static void oid_relpath(char out[SV_RELPATH_LEN], const git_oid *oid)
{
	char hex[GIT_OID_HEXSZ + 1];

	sv_git_oid_hex(hex, oid);
	out[0] = hex[0];
	out[1] = hex[1];
	out[2] = '/';
	memcpy(out + 3, hex + 2, GIT_OID_HEXSZ - 2);
	out[SV_RELPATH_LEN - 1] = '\0';
}

/*
 * Objects to sync
 */

/* Remember that `oid` (and its fan-out directory) must be flushed. */
static int dirty_add(sv_odb *be, const git_oid *oid)
{
	if (sv_grow(&be->dirty, &be->dirtycap, be->ndirty + 1, sizeof(*be->dirty), 64) < 0)
		return SCRVAULT_ERROR;
	git_oid_cpy(&be->dirty[be->ndirty++], oid);
	be->dirtydirs[oid->id[0] >> 3] |= (unsigned char)(1u << (oid->id[0] & 7));
	return 0;
}

static int oid_qsort_cmp(const void *a, const void *b)
{
	return git_oid_cmp(a, b);
}

static int fsync_at(int dirfd, const char *rel, int flags)
{
	int fd, error;

	if ((fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC | flags)) < 0)
		return -1;
	error = fsync(fd);
	close(fd);
	return error;
}

/* Sorted, without repeats; then fsync each and their directories, or syncfs. */
int sv_odb_sync(sv_odb *be)
{
	size_t i, n = 0;

	if (be->ndirty == 0)
		return 0;
	qsort(be->dirty, be->ndirty, sizeof(*be->dirty), oid_qsort_cmp);
	for (i = 0; i < be->ndirty; i++)
		if (n == 0 || !git_oid_equal(&be->dirty[n - 1], &be->dirty[i]))
			git_oid_cpy(&be->dirty[n++], &be->dirty[i]);
	be->ndirty = n;

	if (n > SV_SYNC_FSYNC_MAX) {
		if (syncfs(be->objfd) < 0)
			return sv_error(SCRVAULT_ERROR, "cannot sync objects: %s",
					strerror(errno));
	} else {
		char rel[SV_RELPATH_LEN];

		for (i = 0; i < n; i++) {
			oid_relpath(rel, &be->dirty[i]);
			if (fsync_at(be->objfd, rel, 0) < 0)
				return sv_error(SCRVAULT_ERROR, "cannot sync object "
						"'%.2s%s': %s", rel, rel + 3,
						strerror(errno));
		}
		for (i = 0; i < 256; i++) {
			if (!(be->dirtydirs[i >> 3] & (1u << (i & 7))))
				continue;
			snprintf(rel, sizeof(rel), "%02zx", i);
			if (fsync_at(be->objfd, rel, O_DIRECTORY) < 0)
				return sv_error(SCRVAULT_ERROR, "cannot sync objects/%s: %s",
						rel, strerror(errno));
		}
		/* the fan-out directories may be new (ours or another's) */
		if (fsync(be->objfd) < 0)
			return sv_error(SCRVAULT_ERROR, "cannot sync objects: %s",
					strerror(errno));
	}
	be->ndirty = 0;
	memset(be->dirtydirs, 0, sizeof(be->dirtydirs));
	return 0;
}

/*
 * Writing and placing
 */

/* A loose writer in objects/, with our temp names. */
int sv_odb_writer(sv_loose_writer **out, sv_odb *be, git_object_t type, uint64_t size,
		  unsigned int flags)
{
	return sv_loose_writer_open(out, be->objfd, &be->names, (sv_loose_type)type,
				    size, flags);
}

/*
 * Move the finished temp file `tmp` to objects/xx/yyy... unless the object is
 * already there, and remember it for the next sync.  The temp file is gone
 * afterwards either way.
 */
static int be_place(sv_odb *be, const char *tmp, const git_oid *oid)
{
	char hex[GIT_OID_HEXSZ + 1], rel[SV_RELPATH_LEN], dir[3];
	int tries, error;

	sv_git_oid_hex(hex, oid);
	oid_relpath(rel, oid);
	memcpy(dir, rel, 2);
	dir[2] = '\0';

	for (tries = 0;; tries++) {
		/* The fan-out directory usually exists: make it only when asked. */
		if (tries > 0 && mkdirat(be->objfd, dir, 0777) < 0 && errno != EEXIST)
			break;
		if (renameat2(be->objfd, tmp, be->objfd, rel, RENAME_NOREPLACE) == 0)
			goto placed;
		if (errno == EEXIST)
			goto exists;
		if (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP) {
			/* no RENAME_NOREPLACE here: link, or replace in place */
			if (linkat(be->objfd, tmp, be->objfd, rel, 0) == 0 ||
			    errno == EEXIST)
				goto exists;
			if (errno != ENOENT &&
			    renameat(be->objfd, tmp, be->objfd, rel) == 0)
				goto placed;
		}
		/* ENOENT: the fan-out directory was pruned meanwhile; retry */
		if (errno != ENOENT || tries == 3)
			break;
	}
	error = sv_error(SCRVAULT_ERROR, "cannot store object '%s': %s", hex,
			 strerror(errno));
	unlinkat(be->objfd, tmp, 0);
	return error;

exists:
	unlinkat(be->objfd, tmp, 0);
placed:
	return dirty_add(be, oid);
}

/* Trailer and close (loose.c), then place as `oid` or as the id hashed. */
int sv_odb_finish(git_oid *out, sv_odb *be, sv_loose_writer *w, const git_oid *oid)
{
	unsigned char raw[SV_LOOSE_IDLEN];
	char tmp[SV_LOOSE_TMPNAME];
	git_oid id;
	int error;

	if ((error = sv_loose_writer_finish(tmp, raw, w)) < 0)
		return error;
	if (!oid) {
		if (git_oid_fromraw(&id, raw) < 0) {
			unlinkat(be->objfd, tmp, 0);
			return sv_git_error(GIT_ERROR, "cannot write object");
		}
		oid = &id;
	}
	if ((error = be_place(be, tmp, oid)) < 0)
		return error;
	if (out)
		git_oid_cpy(out, oid);
	return 0;
}

/*
 * Reading
 */

int sv_odb_reader(sv_loose_reader **out, git_object_t *type, uint64_t *size,
		  sv_odb *be, const git_oid *oid, unsigned int flags)
{
	char hex[GIT_OID_HEXSZ + 1], rel[SV_RELPATH_LEN];
	sv_loose_type t;
	int error;

	sv_git_oid_hex(hex, oid);
	oid_relpath(rel, oid);
	if ((error = sv_loose_reader_open(out, &t, size, be->objfd, rel, hex, flags)) < 0)
		return error;
	*type = (git_object_t)t;
	return 0;
}

/*
 * libgit2's entry points
 */

static int be_read(void **out, size_t *len, git_object_t *type,
		   git_odb_backend *_be, const git_oid *oid)
{
	sv_odb *be = (sv_odb *)_be;
	unsigned char *data = NULL;
	sv_loose_reader *lr = NULL;
	git_object_t t;
	uint64_t size;
	size_t got = 0;
	long n;
	int error;

	if ((error = sv_odb_reader(&lr, &t, &size, be, oid, SV_LOOSE_WHOLE)) < 0)
		return be_fail(error);
	if (size >= SIZE_MAX) {
		char hex[GIT_OID_HEXSZ + 1];

		sv_git_oid_hex(hex, oid);
		error = be_fail(sv_error(SCRVAULT_ERROR, "object '%s' too large", hex));
		goto done;
	}
	if (!(data = git_odb_backend_data_alloc(_be, (size_t)size + 1))) {
		error = be_fail(sv_error(SCRVAULT_ERROR, "out of memory"));
		goto done;
	}
	while ((n = sv_loose_reader_read(lr, data + got, (size_t)size - got)) > 0)
		got += (size_t)n;
	if (n < 0) {
		error = be_fail((int)n);
		git_odb_backend_data_free(_be, data);
		goto done;
	}
	data[got] = '\0';
	*out = data;
	*len = got;
	*type = t;
done:
	sv_loose_reader_free(lr);
	return error;
}

static int be_read_header(size_t *len, git_object_t *type, git_odb_backend *_be,
			  const git_oid *oid)
{
	sv_loose_reader *lr = NULL;
	uint64_t size;
	int error;

	if ((error = sv_odb_reader(&lr, type, &size, (sv_odb *)_be, oid, 0)) < 0)
		return be_fail(error);
	*len = (size_t)size;
	sv_loose_reader_free(lr);
	return 0;
}

static int be_write(git_odb_backend *_be, const git_oid *oid, const void *data,
		    size_t len, git_object_t type)
{
	sv_odb *be = (sv_odb *)_be;
	sv_loose_writer *w = NULL;
	int error;

	if ((error = sv_odb_writer(&w, be, type, len, 0)) < 0)
		return be_fail(error);
	if ((error = sv_loose_writer_put(w, data, len)) < 0 ||
	    (error = sv_odb_finish(NULL, be, w, oid)) < 0)
		error = be_fail(error);
	sv_loose_writer_free(w);
	return error;
}

static int be_ws_write(git_odb_stream *st, const char *buf, size_t len)
{
	sv_odb_wstream *ws = (sv_odb_wstream *)st;
	int error;

	if ((error = sv_loose_writer_put(ws->w, buf, len)) < 0)
		return be_fail(error);
	return 0;
}

static int be_ws_finalize(git_odb_stream *st, const git_oid *oid)
{
	sv_odb_wstream *ws = (sv_odb_wstream *)st;
	int error;

	if ((error = sv_odb_finish(NULL, (sv_odb *)st->backend, ws->w, oid)) < 0)
		return be_fail(error);
	return 0;
}

static void be_ws_free(git_odb_stream *st)
{
	sv_odb_wstream *ws = (sv_odb_wstream *)st;

	sv_loose_writer_free(ws->w);
	free(ws);
}

static int be_writestream(git_odb_stream **out, git_odb_backend *_be,
			  git_object_size_t size, git_object_t type)
{
	sv_odb_wstream *ws;
	int error;

	if (!(ws = sv_calloc(1, sizeof(*ws))))
		return be_fail(SCRVAULT_ERROR);
	if ((error = sv_odb_writer(&ws->w, (sv_odb *)_be, type, size, 0)) < 0) {
		free(ws);
		return be_fail(error);
	}
	ws->parent.backend = _be;
	ws->parent.mode = GIT_STREAM_WRONLY;
	ws->parent.write = be_ws_write;
	ws->parent.finalize_write = be_ws_finalize;
	ws->parent.free = be_ws_free;
	*out = &ws->parent;
	return 0;
}

static int be_exists(git_odb_backend *_be, const git_oid *oid)
{
	sv_odb *be = (sv_odb *)_be;
	char rel[SV_RELPATH_LEN];

	oid_relpath(rel, oid);
	return faccessat(be->objfd, rel, F_OK, 0) == 0;
}

/*
 * libgit2 asks this before writing an object: 0 means it is there already.
 * It may have been written by another process that has not synced it yet,
 * so it goes into the next sync all the same.
 */
static int be_freshen(git_odb_backend *_be, const git_oid *oid)
{
	sv_odb *be = (sv_odb *)_be;

	if (!be_exists(_be, oid))
		return GIT_ENOTFOUND;
	if (dirty_add(be, oid) < 0)
		return be_fail(SCRVAULT_ERROR);
	return 0;
}

static void be_free(git_odb_backend *_be)
{
	sv_odb *be = (sv_odb *)_be;

	if (be->objfd >= 0)
		close(be->objfd);
	free(be->dirty);
	free(be);
}

/*
 * The backend
 */

/* Open objects/ and fill in libgit2's entry points. */
int sv_odb_new(sv_odb **out, const char *objdir)
{
	sv_odb *be;

	*out = NULL;
	if (!(be = sv_calloc(1, sizeof(*be))))
		return SCRVAULT_ERROR;
	if (git_odb_init_backend(&be->parent, GIT_ODB_BACKEND_VERSION) < 0) {
		free(be);
		return sv_git_error(GIT_ERROR, "cannot set up the object backend");
	}
	if ((be->objfd = open(objdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		int error = sv_error(SCRVAULT_ERROR, "cannot open '%s': %s", objdir,
				     strerror(errno));
		free(be);
		return error;
	}
	sv_loose_tmpnames_init(&be->names);
	be->parent.read = be_read;
	be->parent.read_header = be_read_header;
	be->parent.write = be_write;
	be->parent.writestream = be_writestream;
	be->parent.exists = be_exists;
	be->parent.freshen = be_freshen;
	be->parent.free = be_free;
	*out = be;
	return 0;
}

git_odb_backend *sv_odb_backend(sv_odb *be)
{
	return &be->parent;
}

void sv_odb_free(sv_odb *be)
{
	if (be)
		be_free(&be->parent);
}
