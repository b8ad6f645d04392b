/*
 * store_git.h - the libgit2 side of a store, for the other files of
 * storage/ (remote.c): what store.h keeps to itself because it needs
 * libgit2's types.
 *
 * Only files of storage/ include this header.  It gives no way to write an
 * object or move a ref that store.h does not give already; the repository
 * it hands out is the store's own, not to be freed.
 */
#ifndef SV_STORAGE_STORE_GIT_H
#define SV_STORAGE_STORE_GIT_H

#include <git2.h>
#include "storage/store.h"
#include "base/common.h"

/* The store's libgit2 repository (owned by `s`: never freed by the caller). */
git_repository *sv_store_repo(sv_store *s);

/*
 * Give `repo` the store's settings: never gc, no compression or delta
 * search over ciphertext, objects checked on transfer.  Returns 0 or
 * libgit2's (negative) code, with its message in git_error_last(): the
 * caller says what failed (sv_git_error).
 */
int sv_store_configure(git_repository *repo);

/*
 * Flush the new repository at `path` (every file and directory in it) and
 * its entry in the parent directory.  SCRVAULT_ERROR if one cannot be.
 */
int sv_store_sync_new(const char *path);

#endif
