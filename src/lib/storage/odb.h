/*
 * odb.h - the loose-object backend of a store's libgit2 object database,
 * and where its objects go and how they are made durable.
 *
 * An sv_odb writes and reads the loose objects of one objects/ directory
 * in the format of storage/loose.h, places each finished object at
 * objects/xx/yyyy... without replacing one that is there, and remembers
 * every object written or found present until sv_odb_sync makes them
 * durable.  It sits in libgit2's object database above libgit2's own
 * backends (sv_odb_backend), so trees, commits, tags and small blobs that
 * libgit2 writes go through it too.  For storage/ only (store.c).
 */
#ifndef SV_STORAGE_ODB_H
#define SV_STORAGE_ODB_H

#include <git2.h>
#include <git2/sys/odb_backend.h>
#include "storage/loose.h"
#include "base/common.h"

/* The priority to add the backend with: above libgit2's loose (1) and pack (2). */
#define SV_ODB_PRIORITY 100

typedef struct sv_odb sv_odb;

/*
 * A backend for the loose objects in the directory `objdir`, which must
 * exist.  The backend is freed by the git_odb it is added to (through
 * sv_odb_backend); until then, by sv_odb_free.
 */
int sv_odb_new(sv_odb **out, const char *objdir);

/* The libgit2 backend of `be`, to pass to git_odb_add_backend. */
git_odb_backend *sv_odb_backend(sv_odb *be);

/* Free a backend that was never added to a git_odb.  NULL-safe. */
void sv_odb_free(sv_odb *be);

/*
 * Start an object of `type` and exactly `size` bytes in a temporary file
 * in objects/ (see sv_loose_writer_open for `flags`).  Put its data with
 * sv_loose_writer_put, complete it with sv_odb_finish, and free the writer
 * with sv_loose_writer_free either way (an unfinished object leaves no
 * file).
 */
int sv_odb_writer(sv_loose_writer **out, sv_odb *be, git_object_t type, uint64_t size,
		  unsigned int flags);

/*
 * Complete the object `w` (sv_loose_writer_finish) and move it to
 * objects/xx/yyy... as `oid`, or, when `oid` is NULL, as the id the writer
 * hashed (it must have been opened with SV_LOOSE_HASH).  An object already
 * there is not replaced: the new file is removed and the existing one is
 * used.  Either way the object is remembered for the next sync, and *out
 * (if not NULL) receives its id.  No temporary file is left, whether this
 * succeeds or fails; the writer can then only be freed.
 */
int sv_odb_finish(git_oid *out, sv_odb *be, sv_loose_writer *w, const git_oid *oid);

/*
 * Open the loose object `oid` for reading: *type and *size from its header
 * (see sv_loose_reader_open for `flags`, errors and what is checked).
 * SCRVAULT_ENOTFOUND when it is not a loose object (it may still be packed).
 * Several threads may read at once while nothing writes.
 */
int sv_odb_reader(sv_loose_reader **out, git_object_t *type, uint64_t *size,
		  sv_odb *be, const git_oid *oid, unsigned int flags);

/*
 * Flush every object written (or found present) since the last sync to
 * stable storage, with the directory entries that name them: an fsync of
 * each file and fan-out directory for a few, one syncfs(2) for many.
 */
int sv_odb_sync(sv_odb *be);

#endif
