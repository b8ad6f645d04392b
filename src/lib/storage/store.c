/*
 * store.c - the git object store (VAULT/store.git): the repository, blob
 * streams, commits, refs and tags, see store.h.
 *
 * It handles ciphertext and opaque ids only.  It must never see a key, a
 * title, a file name or any plaintext; never write anything but git
 * objects, its config at init and the refs refs/heads/main and the tags it
 * is asked for; never put anything but ids, paths and reasons into an error
 * message; never move refs/heads/main except in sv_store_set_head; never
 * move a ref before the objects it names are synced; and never fsync an
 * object as it writes it (objects are flushed in batches by sv_store_sync).
 *
 * Objects are written and read by our own backend in libgit2's object
 * database (storage/odb.c), in the loose format of storage/loose.c: stored
 * deflate blocks, renamed into place, synced in batches.  Blob streams skip
 * libgit2 altogether and drive the same writer themselves, hashing with
 * OpenSSL's SHA-1 instead of libgit2's much slower collision-detecting one
 * (see "Blob streams" below for why that is safe); trees, commits, refs and
 * small blobs go through libgit2.  Mirrors are in storage/remote.c.
 *
 * A sv_store handle and its streams belong to one thread at a time, with
 * one exception: several threads may read blobs at once (sv_store_blob_reader
 * and sv_store_blob_read, one stream each) while nothing writes to the store.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <git2.h>
#include <git2/sys/repository.h>
#include "storage/store.h"
#include "storage/git.h"
#include "storage/loose.h"
#include "storage/odb.h"
#include "storage/store_git.h"
#include "base/common.h"
#include "base/fault.h"

struct sv_store {
	git_repository *repo;
	git_odb *odb;
	sv_odb *be;			/* owned by odb */
	pthread_mutex_t rlock;		/* readers' use of odb (see blob reading) */
	char *objdir;			/* objects/ */
	bool packs;			/* libgit2's pack backend is in odb */
};

/* A blob stream: written by our loose writer, hashed by it (see below). */
struct sv_store_wstream {
	sv_loose_writer *w;		/* hashes "blob <size>\0" and the data */
	sv_odb *be;
	uint64_t size, done;
	int state;			/* 0 open, 1 finished, <0 failed */
};

struct sv_store_rstream {
	sv_loose_reader *lr;		/* when loose */
	sv_store *s;
	git_odb_object *obj;		/* when not loose */
	uint64_t size, off;
};

/*
 * Small helpers
 */

/* Parse a 40-digit lower-case hex object id; SCRVAULT_EUSAGE if it is not. */
static int parse_oid(git_oid *out, const char *hex)
{
	size_t i;

	if (!hex)
		return sv_error(SCRVAULT_EUSAGE, "missing object id");
	for (i = 0; i < SV_OID_HEXLEN; i++) {
		char c = hex[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return sv_error(SCRVAULT_EUSAGE, "bad object id '%.64s'", hex);
	}
	if (hex[SV_OID_HEXLEN] != '\0' || git_oid_fromstr(out, hex) < 0)
		return sv_error(SCRVAULT_EUSAGE, "bad object id '%.64s'", hex);
	return 0;
}

/*
 * A tree path: '/'-separated non-empty components of [A-Za-z0-9._-], none
 * of them ".", ".." or ".git"; SCRVAULT_EUSAGE otherwise.
 */
static int check_path(const char *path)
{
	const char *p, *comp;

	if (!path)
		return sv_error(SCRVAULT_EUSAGE, "missing store path");
	if (strnlen(path, 4097) > 4096)
		return sv_error(SCRVAULT_EUSAGE, "store path too long");
	for (p = comp = path;; p++) {
		if (*p == '/' || *p == '\0') {
			size_t n = (size_t)(p - comp);

			if (n == 0 || (n == 1 && comp[0] == '.') ||
			    (n == 2 && comp[0] == '.' && comp[1] == '.') ||
			    (n == 4 && strncasecmp(comp, ".git", 4) == 0))
				goto bad;
			if (*p == '\0')
				return 0;
			comp = p + 1;
		} else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
			     *p == '-')) {
			goto bad;
		}
	}
bad:
	return sv_error(SCRVAULT_EUSAGE, "bad store path '%.200s'", path);
}

/*
 * Init, open, sync
 */

static bool has_packs(const char *objdir);

/*
 * Add libgit2's pack backend once objects/pack holds a pack: 1 if it was
 * added now, 0 if not (already there, or no pack), <0 on error.  Called at
 * open and again when an object is not found (a pack may have arrived since,
 * from git gc or a restore).  Callers that share odb hold rlock.
 */
static int add_packs(sv_store *s)
{
	git_odb_backend *pack = NULL;
	int error;

	if (s->packs || !has_packs(s->objdir))
		return 0;
	if ((error = git_odb_backend_pack(&pack, s->objdir)) < 0 ||
	    (error = git_odb_add_backend(s->odb, pack, 1)) < 0) {
		if (pack)
			pack->free(pack);
		return sv_git_error(error, "cannot read the store's packs");
	}
	s->packs = true;
	return 1;
}

/* Whether objects/pack holds a pack. */
static bool has_packs(const char *objdir)
{
	char path[4096];
	struct dirent *e;
	DIR *d;
	bool found = false;

	snprintf(path, sizeof(path), "%s/pack", objdir);
	if (!(d = opendir(path)))
		return false;
	while (!found && (e = readdir(d))) {
		size_t n = strlen(e->d_name);

		found = n > 5 && strcmp(e->d_name + n - 5, ".pack") == 0;
	}
	closedir(d);
	return found;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	remove(p);
	return 0;
}

static int fsync_entry(const char *p, const struct stat *sb, int flag,
		       struct FTW *f)
{
	int fd, error;

	(void)sb;
	(void)f;
	if (flag != FTW_F && flag != FTW_D && flag != FTW_DP)
		return 0;
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	error = fsync(fd);
	close(fd);
	return error;
}

/* Flush the new repository at `path`, and its entry in the parent. */
int sv_store_sync_new(const char *path)
{
	char *copy;
	int error;

	if (nftw(path, fsync_entry, 16, FTW_PHYS) != 0)
		return sv_error(SCRVAULT_ERROR, "cannot sync '%s': %s", path,
				strerror(errno));
	if (!(copy = sv_strdup(path)))
		return SCRVAULT_ERROR;
	error = fsync_entry(dirname(copy), NULL, FTW_D, NULL);
	free(copy);
	if (error < 0)
		return sv_error(SCRVAULT_ERROR, "cannot sync the parent of '%s': %s",
				path, strerror(errno));
	return 0;
}

/*
 * The store's settings: never gc, no compression or delta search over
 * ciphertext, objects checked on transfer.  libgit2 1.5 reads its big-file
 * threshold for delta search from pack.deltaCacheSize (git reads that key
 * only as a cache size), so it is set too: no delta search when packing for
 * a push.
 */
int sv_store_configure(git_repository *repo)
{
	git_config *cfg = NULL, *local = NULL;
	int error;

	if ((error = git_repository_config(&cfg, repo)) < 0 ||
	    (error = git_config_open_level(&local, cfg, GIT_CONFIG_LEVEL_LOCAL)) < 0 ||
	    (error = git_config_set_int32(local, "gc.auto", 0)) < 0 ||
	    (error = git_config_set_int32(local, "core.compression", 0)) < 0 ||
	    (error = git_config_set_int32(local, "pack.window", 0)) < 0 ||
	    (error = git_config_set_int32(local, "pack.depth", 0)) < 0 ||
	    (error = git_config_set_int32(local, "pack.deltaCacheSize", 1)) < 0 ||
	    (error = git_config_set_int32(local, "core.bigFileThreshold", 1)) < 0 ||
	    (error = git_config_set_bool(local, "transfer.fsckObjects", 1)) < 0) {
		/* error set */
	}
	git_config_free(local);
	git_config_free(cfg);
	return error;
}

/*
 * Create the bare repository: HEAD -> refs/heads/main (unborn), config that
 * keeps real git from recompressing or delta-searching ciphertext, all of it
 * flushed.  Fails if `path` exists; removes what it made if it fails.
 */
int sv_store_init(const char *path)
{
	git_repository_init_options opts = GIT_REPOSITORY_INIT_OPTIONS_INIT;
	git_repository *repo = NULL;
	bool made = false;
	int error;

	if ((error = sv_git_init()) < 0)
		return error;
	if (!path || !*path)
		return sv_error(SCRVAULT_EUSAGE, "missing store path");
	if (mkdir(path, 0700) < 0) {
		if (errno == EEXIST)
			return sv_error(SCRVAULT_ECONFLICT, "'%s' already exists", path);
		return sv_error(SCRVAULT_ERROR, "cannot create '%s': %s", path,
				strerror(errno));
	}
	made = true;

	opts.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_NO_REINIT;
	opts.initial_head = "main";
	if ((error = git_repository_init_ext(&repo, path, &opts)) < 0) {
		error = sv_git_error(error, "cannot create store '%s'", path);
		goto cleanup;
	}
	if ((error = sv_store_configure(repo)) < 0) {
		error = sv_git_error(error, "cannot configure store '%s'", path);
		goto cleanup;
	}
	error = sv_store_sync_new(path);

cleanup:
	git_repository_free(repo);
	if (error < 0 && made)
		nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return error;
}

/*
 * Open the bare repository at `path` exactly (no search, no .git) and put
 * our backend in front of libgit2's.
 */
/*
 * Files a killed process left in the store: libgit2's lock files (NAME.lock
 * beside a ref, packed-refs, config, HEAD) and unfinished object files
 * (tmp_obj_*, libgit2's tmp_object_git2_*).  Called only under the vault's
 * exclusive lock, which every process that writes the store holds for its
 * whole session: any such file is then stale.  Nothing else is touched.
 */
static _Thread_local int stale_count;

static bool stale_name(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && strcmp(name + n - 5, ".lock") == 0) ||
	       strncmp(name, "tmp_obj_", 8) == 0 || strncmp(name, "tmp_object_git2_", 16) == 0;
}

static int clear_entry(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	if (flag == FTW_F && S_ISREG(sb->st_mode) && stale_name(p + f->base) && unlink(p) == 0)
		stale_count++;
	return 0;
}

int sv_store_clear_stale(int *cleared, const char *path)
{
	stale_count = 0;
	if (nftw(path, clear_entry, 16, FTW_PHYS) < 0 && errno != ENOENT)
		return sv_error(SCRVAULT_ERROR, "cannot look for stale lock files in '%s': %s", path, strerror(errno));
	if (cleared)
		*cleared = stale_count;
	return 0;
}

int sv_store_open(sv_store **out, const char *path)
{
	sv_store *s = NULL;
	git_buf objdir = GIT_BUF_INIT;
	sv_odb *be = NULL;
	int error;

	*out = NULL;
	if ((error = sv_git_init()) < 0)
		return error;
	if (!path || !*path)
		return sv_error(SCRVAULT_EUSAGE, "missing store path");
	if (!(s = sv_calloc(1, sizeof(*s))))
		return SCRVAULT_ERROR;
	if (pthread_mutex_init(&s->rlock, NULL) != 0) {
		free(s);
		return sv_error(SCRVAULT_ERROR, "cannot open store '%s': no mutex", path);
	}

	error = git_repository_open_ext(&s->repo, path,
					GIT_REPOSITORY_OPEN_NO_SEARCH |
					GIT_REPOSITORY_OPEN_NO_DOTGIT, NULL);
	if (error == GIT_ENOTFOUND || (!error && !git_repository_is_bare(s->repo))) {
		error = sv_error(SCRVAULT_ENOTFOUND, "no store at '%s'", path);
		goto cleanup;
	}
	if (error < 0) {
		error = sv_git_error(error, "cannot open store '%s'", path);
		goto cleanup;
	}
	/*
	 * Ref updates name the same identity as the commits.  Without one set
	 * here, libgit2 reads it from a snapshot of the git configuration for
	 * every ref it moves, and libgit2 1.5 crashes when that snapshot runs
	 * out of memory.
	 */
	if ((error = git_repository_set_ident(s->repo, "scrvault", "scrvault@localhost")) < 0) {
		error = sv_git_error(error, "cannot open store '%s'", path);
		goto cleanup;
	}
	/*
	 * Our own object database: our backend reads and writes every loose
	 * object (libgit2's loose backend would only add a second existence
	 * probe per object written), and libgit2's pack backend joins only when
	 * the store holds packs (git gc, a restored mirror).  Without packs
	 * there is nothing for it to find, and libgit2 rescans objects/pack on
	 * every object that is not there yet, that is, on every write.
	 */
	if ((error = git_repository_item_path(&objdir, s->repo, GIT_REPOSITORY_ITEM_OBJECTS)) < 0 ||
	    (error = git_odb_new(&s->odb)) < 0) {
		error = sv_git_error(error, "cannot open store '%s'", path);
		goto cleanup;
	}
	if (!(s->objdir = sv_strdup(objdir.ptr))) {
		error = SCRVAULT_ERROR;
		goto cleanup;
	}
	if ((error = add_packs(s)) < 0)
		goto cleanup;
	if ((error = sv_odb_new(&be, objdir.ptr)) < 0)
		goto cleanup;
	if ((error = git_odb_add_backend(s->odb, sv_odb_backend(be),
					 SV_ODB_PRIORITY)) < 0) {
		sv_odb_free(be);
		error = sv_git_error(error, "cannot open store '%s'", path);
		goto cleanup;
	}
	s->be = be;
	git_repository_set_odb(s->repo, s->odb);

cleanup:
	git_buf_dispose(&objdir);
	if (error < 0)
		sv_store_free(s);
	else
		*out = s;
	return error;
}

/* Close the store; objects not synced yet are simply no longer tracked. */
void sv_store_free(sv_store *s)
{
	if (!s)
		return;
	git_odb_free(s->odb);
	git_repository_free(s->repo);
	pthread_mutex_destroy(&s->rlock);
	free(s->objdir);
	free(s);
}

/*
 * Make every object written (or found present) since the last sync durable,
 * with the directory entries that name them.
 */
int sv_store_sync(sv_store *s)
{
	return sv_odb_sync(s->be);
}

/* The repository of an open store, for storage/ (store_git.h). */
git_repository *sv_store_repo(sv_store *s)
{
	return s->repo;
}

/*
 * Blob streams
 */

/*
 * Blob streams do not go through git_odb_open_wstream: libgit2 would hash
 * every byte with its collision-detecting SHA-1 (sha1dc), which runs at
 * about a fifth of the speed of OpenSSL's and capped blob writes at some
 * 120 MB/s.  Instead the stream writes the loose object itself with the
 * backend's writer (sv_odb_writer and sv_odb_finish: the same temp file,
 * stored blocks, adler32, mode, rename without replacing and sync
 * bookkeeping as any object libgit2 writes through the backend), which
 * hashes "blob <size>\0" + data with plain SHA-1 (SV_LOOSE_HASH: sv_sha1,
 * OpenSSL) as it goes.
 *
 * Collision detection buys nothing here.  It guards against someone who
 * chooses colliding inputs (a SHAttered-style pair) to make two contents
 * share an id.  The bytes hashed are ciphertext that the vault has just
 * produced under a fresh random key (and header and tags bound to it), so
 * nobody can choose them, and an accidental SHA-1 collision is out of
 * reach.  And whoever reads the objects back still checks: git fsck and
 * libgit2 (strict hash verification is on) hash with sha1dc, and
 * sv_store_blob_get checks the id.
 *
 * The blob is placed as the backend places any object: if it is already
 * there (loose), the temp file goes and the existing one is queued for the
 * next sync.  Unlike libgit2's stream, this does not look in packs first: a
 * blob that is packed already (only real git packs, and fresh ciphertext
 * never repeats) gets a redundant loose copy, which git accepts.
 */

/* Start a blob of exactly `size` bytes. */
int sv_store_blob_open(sv_store_wstream **out, sv_store *s, uint64_t size)
{
	sv_store_wstream *w;
	int error;

	*out = NULL;
	if (!(w = sv_calloc(1, sizeof(*w))))
		return SCRVAULT_ERROR;
	w->be = s->be;
	w->size = size;
	if ((error = sv_odb_writer(&w->w, s->be, GIT_OBJECT_BLOB, size,
				   SV_LOOSE_HASH)) < 0) {
		sv_store_wstream_free(w);
		return error;
	}
	*out = w;
	return 0;
}

/* Add bytes; more than the declared size fails and spoils the stream. */
int sv_store_blob_write(sv_store_wstream *w, const void *buf, size_t len)
{
	int error;

	if (w->state != 0)
		return sv_error(SCRVAULT_EUSAGE, "blob stream is %s",
				w->state > 0 ? "finished" : "failed");
	if (len > w->size - w->done) {
		w->state = SCRVAULT_EUSAGE;
		return sv_error(SCRVAULT_EUSAGE, "blob stream given more than its %"
				PRIu64 " bytes", w->size);
	}
	if (len == 0)
		return 0;
	if ((error = sv_loose_writer_put(w->w, buf, len)) < 0) {
		w->state = error;
		return error;
	}
	w->done += len;
	return 0;
}

/*
 * Check the size, place the object and give its id.  The stream must still
 * be freed with sv_store_wstream_free.
 */
int sv_store_blob_finish(char oid[SV_OID_HEXLEN + 1], sv_store_wstream *w)
{
	git_oid id;
	int error;

	if (w->state != 0)
		return sv_error(SCRVAULT_EUSAGE, "blob stream is %s",
				w->state > 0 ? "finished" : "failed");
	if (w->done != w->size) {
		w->state = SCRVAULT_EUSAGE;
		return sv_error(SCRVAULT_EUSAGE, "blob stream got %" PRIu64 " of its %"
				PRIu64 " bytes", w->done, w->size);
	}
	if ((error = sv_odb_finish(&id, w->be, w->w, NULL)) < 0)
		goto fail;
	w->state = 1;
	sv_git_oid_hex(oid, &id);
	return 0;

fail:
	w->state = error;
	return error;
}

/* Free a stream; an unfinished one leaves no object (its temp file goes). */
void sv_store_wstream_free(sv_store_wstream *w)
{
	if (!w)
		return;
	sv_loose_writer_free(w->w);
	free(w);
}

/* Write a small blob in one call (through our backend's write). */
int sv_store_blob_put(char oid[SV_OID_HEXLEN + 1], sv_store *s,
		      const void *buf, size_t len)
{
	git_oid id;
	int error;

	if ((error = git_odb_write(&id, s->odb, buf, len, GIT_OBJECT_BLOB)) < 0)
		return sv_git_error(error, "cannot write blob");
	sv_git_oid_hex(oid, &id);
	return 0;
}

/*
 * Open a blob for streaming: a loose one is read piece by piece, its stored
 * blocks copied out directly or, if it is compressed, inflated (no SHA-1
 * check; the adler32 and the size are checked at the end); any other is read
 * whole by libgit2, which checks its SHA-1.
 *
 * Several threads may read blobs of one store at once, each with its own
 * stream, while nothing writes to the store: a loose object is read through
 * its own file descriptor (openat on the objects/ directory), the error
 * message is per thread, and libgit2's object database, which the other
 * objects come from, is only used under s->rlock.
 */
int sv_store_blob_reader(sv_store_rstream **out, uint64_t *size, sv_store *s,
			 const char *oid)
{
	sv_store_rstream *r;
	git_object_t type;
	git_oid id;
	int error;

	*out = NULL;
	if ((error = parse_oid(&id, oid)) < 0)
		return error;
	if (!(r = sv_calloc(1, sizeof(*r))))
		return SCRVAULT_ERROR;

	error = sv_odb_reader(&r->lr, &type, &r->size, s->be, &id, SV_LOOSE_WHOLE);
	if (error == 0) {
		if (type != GIT_OBJECT_BLOB) {
			error = sv_error(SCRVAULT_EINTEGRITY, "object '%s' is not a blob",
					 oid);
			goto fail;
		}
	} else if (error == SCRVAULT_ENOTFOUND) {
		pthread_mutex_lock(&s->rlock);
		error = git_odb_read(&r->obj, s->odb, &id);
		if (error == GIT_ENOTFOUND && add_packs(s) == 1)
			error = git_odb_read(&r->obj, s->odb, &id);
		if (error < 0) {
			r->obj = NULL;
			if (error == GIT_ENOTFOUND)
				error = sv_error(SCRVAULT_ENOTFOUND, "no blob '%s'", oid);
			else
				error = sv_git_error(error, "cannot read blob '%s'", oid);
		}
		pthread_mutex_unlock(&s->rlock);
		if (error < 0)
			goto fail;
		r->s = s;
		if (git_odb_object_type(r->obj) != GIT_OBJECT_BLOB) {
			error = sv_error(SCRVAULT_EINTEGRITY, "object '%s' is not a blob",
					 oid);
			goto fail;
		}
		r->size = git_odb_object_size(r->obj);
	} else {
		goto fail;
	}
	*size = r->size;
	*out = r;
	return 0;

fail:
	sv_store_rstream_free(r);
	return error;
}

/* Up to `len` bytes of the blob; 0 at its (verified) end; <0 on error. */
long sv_store_blob_read(sv_store_rstream *r, void *buf, size_t len)
{
	size_t n;

	if (r->lr)
		return sv_loose_reader_read(r->lr, buf, len);
	if (len > LONG_MAX)
		len = LONG_MAX;
	n = r->size - r->off < len ? (size_t)(r->size - r->off) : len;
	memcpy(buf, (const unsigned char *)git_odb_object_data(r->obj) + r->off, n);
	r->off += n;
	return (long)n;
}

void sv_store_rstream_free(sv_store_rstream *r)
{
	if (!r)
		return;
	sv_loose_reader_free(r->lr);
	if (r->obj) {
		pthread_mutex_lock(&r->s->rlock);
		git_odb_object_free(r->obj);
		pthread_mutex_unlock(&r->s->rlock);
	}
	free(r);
}

/*
 * Read a blob of at most `max` bytes whole and check its SHA-1 against its
 * id.  The caller frees *out.
 */
int sv_store_blob_get(unsigned char **out, size_t *len, sv_store *s,
		      const char *oid, size_t max)
{
	sv_store_rstream *r = NULL;
	unsigned char *buf = NULL;
	uint64_t size;
	size_t got = 0;
	git_oid id, hashed;
	long n;
	int error;

	*out = NULL;
	*len = 0;
	if ((error = sv_store_blob_reader(&r, &size, s, oid)) < 0)
		return error;
	if (size > max) {
		error = sv_error(SCRVAULT_EINTEGRITY, "blob '%s' is larger than %zu "
				 "bytes", oid, max);
		goto cleanup;
	}
	if (!(buf = sv_malloc((size_t)size))) {
		error = SCRVAULT_ERROR;
		goto cleanup;
	}
	while ((n = sv_store_blob_read(r, buf + got, (size_t)size - got)) > 0)
		got += (size_t)n;
	if (n < 0) {
		error = (int)n;
		goto cleanup;
	}
	git_oid_fromstr(&id, oid);
	if (got != size ||
	    (error = git_odb_hash(&hashed, buf, got, GIT_OBJECT_BLOB)) < 0 ||
	    !git_oid_equal(&id, &hashed)) {
		error = sv_error(SCRVAULT_EINTEGRITY, "blob '%s' does not match its id",
				 oid);
		goto cleanup;
	}
	*out = buf;
	*len = got;
	buf = NULL;

cleanup:
	free(buf);
	sv_store_rstream_free(r);
	return error;
}

/*
 * Commits and refs
 */

/* Look up a commit by hex id: SCRVAULT_EUSAGE, SCRVAULT_ENOTFOUND, ... */
static int lookup_commit(git_commit **out, sv_store *s, const char *hex)
{
	git_oid id;
	int error;

	*out = NULL;
	if ((error = parse_oid(&id, hex)) < 0)
		return error;
	error = git_commit_lookup(out, s->repo, &id);
	if (error == GIT_ENOTFOUND && add_packs(s) == 1)
		error = git_commit_lookup(out, s->repo, &id);
	if (error < 0) {
		*out = NULL;
		if (error == GIT_ENOTFOUND)
			return sv_error(SCRVAULT_ENOTFOUND, "no commit '%s'", hex);
		return sv_git_error(error, "cannot read commit '%s'", hex);
	}
	return 0;
}

/*
 * New commit: the tree of `parent` (or the empty tree) with `updates`
 * applied by git_tree_create_updated, which rewrites only the trees on the
 * changed paths and drops trees left empty.  No ref moves.
 */
int sv_store_commit(char out[SV_OID_HEXLEN + 1], sv_store *s, const char *parent,
		    const sv_store_update *updates, size_t n, const char *message,
		    int64_t when)
{
	return sv_store_commit_on(out, s, parent, parent, updates, n, message, when);
}

int sv_store_commit_on(char out[SV_OID_HEXLEN + 1], sv_store *s, const char *parent,
		       const char *base_commit, const sv_store_update *updates, size_t n,
		       const char *message, int64_t when)
{
	git_commit *pc = NULL, *bc = NULL;
	git_tree *base = NULL, *tree = NULL;
	git_tree_update *tu = NULL;
	git_signature *sig = NULL;
	const git_commit *parents[1];
	git_oid tree_id, id;
	size_t i;
	int error;

	if (!message || (n > 0 && !updates))
		return sv_error(SCRVAULT_EUSAGE, "missing commit message or updates");
	if (!(tu = sv_calloc(n, sizeof(*tu))))
		return SCRVAULT_ERROR;
	for (i = 0; i < n; i++) {
		if ((error = check_path(updates[i].path)) < 0)
			goto cleanup;
		tu[i].path = updates[i].path;
		if (updates[i].blob) {
			if ((error = parse_oid(&tu[i].id, updates[i].blob)) < 0)
				goto cleanup;
			tu[i].action = GIT_TREE_UPDATE_UPSERT;
			tu[i].filemode = GIT_FILEMODE_BLOB;
		} else {
			tu[i].action = GIT_TREE_UPDATE_REMOVE;
		}
	}

	if (parent && (error = lookup_commit(&pc, s, parent)) < 0)
		goto cleanup;
	if (base_commit) {
		if ((error = lookup_commit(&bc, s, base_commit)) < 0)
			goto cleanup;
		if ((error = git_commit_tree(&base, bc)) < 0) {
			error = sv_git_error(error, "cannot read the tree of '%s'", base_commit);
			goto cleanup;
		}
	}

	if ((error = git_tree_create_updated(&tree_id, s->repo, base, n, tu)) < 0) {
		error = sv_git_error(error, "cannot update tree");
		/* name what is missing rather than pass on libgit2's -1 */
		for (i = 0; i < n; i++) {
			git_tree_entry *e = NULL;

			if (tu[i].action == GIT_TREE_UPDATE_UPSERT &&
			    !git_odb_exists(s->odb, &tu[i].id)) {
				error = sv_error(SCRVAULT_ENOTFOUND, "no blob '%s'",
						 updates[i].blob);
				break;
			}
			if (tu[i].action == GIT_TREE_UPDATE_REMOVE &&
			    (!base || git_tree_entry_bypath(&e, base, tu[i].path) < 0)) {
				error = sv_error(SCRVAULT_ENOTFOUND, "no '%s' to remove",
						 tu[i].path);
				break;
			}
			git_tree_entry_free(e);
		}
		goto cleanup;
	}
	if ((error = git_tree_lookup(&tree, s->repo, &tree_id)) < 0 ||
	    (error = git_signature_new(&sig, "scrvault", "scrvault@localhost",
				       (git_time_t)when, 0)) < 0) {
		error = sv_git_error(error, "cannot make commit");
		goto cleanup;
	}
	parents[0] = pc;
	if ((error = git_commit_create(&id, s->repo, NULL, sig, sig, NULL, message,
				       tree, pc ? 1 : 0, parents)) < 0) {
		error = sv_git_error(error, "cannot make commit");
		goto cleanup;
	}
	sv_git_oid_hex(out, &id);

cleanup:
	git_signature_free(sig);
	git_tree_free(tree);
	git_tree_free(base);
	git_commit_free(pc);
	git_commit_free(bc);
	free(tu);
	return error;
}

/*
 * Move `name` to `id`: libgit2 writes NAME.lock, fsyncs it
 * (GIT_OPT_ENABLE_FSYNC_GITDIR) and renames it over the ref.  A process
 * killed while it holds the lock leaves the file behind; the next session
 * clears it (sv_store_clear_stale).  (git_transaction would let a test stop
 * inside the lock, but libgit2 1.5 crashes in git_transaction_commit when an
 * allocation fails, so the test-hooks build leaves the same lock file itself
 * and dies at the point SCRVAULT_TEST_KILL_AT=lock:NAME.)
 */
static int ref_write(sv_store *s, const char *name, const git_oid *id)
{
	git_reference *ref = NULL;
	int error;

#ifdef SV_TEST_HOOKS
	{
		char point[96], *lock = NULL, hex[GIT_OID_HEXSZ + 1];
		const char *at = getenv("SCRVAULT_TEST_KILL_AT");
		int fd;

		snprintf(point, sizeof(point), "lock:%s", name);
		if (at && !strcmp(at, point) && (lock = sv_printf("%s%s.lock", git_repository_path(s->repo), name)) &&
		    (fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) >= 0) {
			git_oid_tostr(hex, sizeof(hex), id);
			(void)!write(fd, hex, strlen(hex) / 2);	/* killed mid-write */
			SV_TEST_POINT(point);
		}
		free(lock);
	}
#endif
	error = git_reference_create(&ref, s->repo, name, id, 1, NULL);
	git_reference_free(ref);
	return error;
}

/*
 * Point refs/heads/main at `commit`.  Pending objects are synced first, so
 * the ref never names an object that a crash could lose; libgit2 then
 * fsyncs the ref (GIT_OPT_ENABLE_FSYNC_GITDIR).
 */
int sv_store_set_head(sv_store *s, const char *commit)
{
	git_commit *c = NULL;
	int error;

	if ((error = lookup_commit(&c, s, commit)) < 0)
		return error;
	if ((error = sv_store_sync(s)) < 0)
		goto cleanup;
	if ((error = ref_write(s, "refs/heads/main", git_commit_id(c))) < 0)
		error = sv_git_error(error, "cannot set head to '%s'", commit);

cleanup:
	git_commit_free(c);
	return error;
}

/* refs/heads/main, or SCRVAULT_ENOTFOUND while it is unborn. */
int sv_store_head(char out[SV_OID_HEXLEN + 1], sv_store *s)
{
	git_oid id;
	int error;

	if ((error = git_reference_name_to_id(&id, s->repo, "refs/heads/main")) < 0) {
		if (error == GIT_ENOTFOUND)
			return sv_error(SCRVAULT_ENOTFOUND, "no head yet");
		return sv_git_error(error, "cannot read head");
	}
	sv_git_oid_hex(out, &id);
	return 0;
}

/* The blob at `path` in `commit`'s tree; SCRVAULT_ENOTFOUND if none. */
int sv_store_lookup(char out[SV_OID_HEXLEN + 1], sv_store *s, const char *commit,
		    const char *path)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	int error;

	if ((error = check_path(path)) < 0 ||
	    (error = lookup_commit(&c, s, commit)) < 0)
		return error;
	if ((error = git_commit_tree(&tree, c)) < 0) {
		error = sv_git_error(error, "cannot read the tree of '%s'", commit);
		goto cleanup;
	}
	if ((error = git_tree_entry_bypath(&e, tree, path)) < 0) {
		e = NULL;
		if (error == GIT_ENOTFOUND)
			error = sv_error(SCRVAULT_ENOTFOUND, "no '%s' in commit '%s'",
					 path, commit);
		else
			error = sv_git_error(error, "cannot look up '%s'", path);
		goto cleanup;
	}
	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB) {
		error = sv_error(SCRVAULT_ENOTFOUND, "'%s' in commit '%s' is not a blob",
				 path, commit);
		goto cleanup;
	}
	sv_git_oid_hex(out, git_tree_entry_id(e));

cleanup:
	git_tree_entry_free(e);
	git_tree_free(tree);
	git_commit_free(c);
	return error;
}

/* 1 if `ancestor` is `commit` or one of its ancestors, 0 if not. */
int sv_store_descends(sv_store *s, const char *commit, const char *ancestor)
{
	git_commit *c = NULL, *a = NULL;
	int error;

	if ((error = lookup_commit(&c, s, commit)) < 0 ||
	    (error = lookup_commit(&a, s, ancestor)) < 0)
		goto cleanup;
	if (git_oid_equal(git_commit_id(c), git_commit_id(a))) {
		error = 1;
		goto cleanup;
	}
	if ((error = git_graph_descendant_of(s->repo, git_commit_id(c),
					     git_commit_id(a))) < 0)
		error = sv_git_error(error, "cannot walk from '%s'", commit);

cleanup:
	git_commit_free(a);
	git_commit_free(c);
	return error;
}

/* The first (only) parent; SCRVAULT_ENOTFOUND for a root commit. */
int sv_store_parent(char out[SV_OID_HEXLEN + 1], sv_store *s, const char *commit)
{
	git_commit *c = NULL;
	int error;

	if ((error = lookup_commit(&c, s, commit)) < 0)
		return error;
	if (git_commit_parentcount(c) == 0)
		error = sv_error(SCRVAULT_ENOTFOUND, "commit '%s' has no parent", commit);
	else
		sv_git_oid_hex(out, git_commit_parent_id(c, 0));
	git_commit_free(c);
	return error;
}

/*
 * An annotated tag object on `commit` carrying `message`, and the ref `ref`
 * pointed at it (the object synced first, the ref fsynced by libgit2).  One
 * object and one ref: the cheapest durable record the store can carry.
 */
int sv_store_tag_set(sv_store *s, const char *ref, const char *commit,
		     const char *message, int64_t when)
{
	git_commit *c = NULL;
	git_signature *sig = NULL;
	git_oid id;
	int error;

	if ((error = lookup_commit(&c, s, commit)) < 0)
		return error;
	if ((error = git_signature_new(&sig, "scrvault", "scrvault@localhost",
				       (git_time_t)when, 0)) < 0 ||
	    (error = git_tag_annotation_create(&id, s->repo, "audit-checkpoint",
					       (const git_object *)c, sig, message)) < 0) {
		error = sv_git_error(error, "cannot make tag");
		goto cleanup;
	}
	if ((error = sv_store_sync(s)) < 0)
		goto cleanup;
	if ((error = ref_write(s, ref, &id)) < 0)
		error = sv_git_error(error, "cannot set '%s'", ref);

cleanup:
	git_signature_free(sig);
	git_commit_free(c);
	return error;
}

/* The message of the tag `ref` names; SCRVAULT_ENOTFOUND if there is no ref. */
int sv_store_tag_get(char **message, sv_store *s, const char *ref)
{
	git_tag *t = NULL;
	git_oid id;
	int error;

	*message = NULL;
	if ((error = git_reference_name_to_id(&id, s->repo, ref)) < 0) {
		if (error == GIT_ENOTFOUND)
			return sv_error(SCRVAULT_ENOTFOUND, "no '%s' in the store", ref);
		return sv_git_error(error, "cannot read '%s'", ref);
	}
	if ((error = git_tag_lookup(&t, s->repo, &id)) < 0)
		return sv_error(SCRVAULT_EINTEGRITY, "'%s' does not name a readable tag", ref);
	if (!(*message = sv_strdup(git_tag_message(t) ? git_tag_message(t) : "")))
		error = SCRVAULT_ERROR;
	git_tag_free(t);
	return error;
}

/*
 * The commits reachable from `to` and not from `from`, oldest first
 * (topological order), each handed to `fn` until it returns <0.
 */
int sv_store_walk(sv_store *s, const char *from, const char *to,
		  int (*fn)(void *ctx, const char *commit, const char *message, int64_t when), void *ctx)
{
	git_revwalk *w = NULL;
	git_oid id, stop;
	int gerr = 0, error;

	/* Our codes (parse_oid, fn) pass through; libgit2's are converted where they arise. */
	if ((error = parse_oid(&id, to)) < 0 || (from && *from && (error = parse_oid(&stop, from)) < 0))
		return error;
	if ((gerr = git_revwalk_new(&w, s->repo)) < 0)
		goto done;
	git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	if ((gerr = git_revwalk_push(w, &id)) < 0 || (from && *from && (gerr = git_revwalk_hide(w, &stop)) < 0))
		goto done;
	while ((gerr = git_revwalk_next(&id, w)) == 0) {
		git_commit *c = NULL;
		char hex[SV_OID_HEXLEN + 1];

		if ((gerr = git_commit_lookup(&c, s->repo, &id)) < 0)
			break;
		sv_git_oid_hex(hex, &id);
		error = fn(ctx, hex, git_commit_message(c), (int64_t)git_commit_time(c));
		git_commit_free(c);
		if (error < 0)
			break;
		error = 0;
	}
	if (gerr == GIT_ITEROVER)
		gerr = 0;
done:
	if (gerr < 0)
		error = sv_git_error(gerr, "cannot walk the store's history");
	git_revwalk_free(w);
	return error;
}
