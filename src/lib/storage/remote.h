/*
 * remote.h - mirrors of the store: pushing it to a git remote and cloning
 * one back.
 *
 * remote.c sends and receives only what the store holds (ciphertext, opaque
 * ids, the signed checkpoint).  It never takes a password (not from the
 * URL, not from a prompt), never pushes anything but refs/heads/main
 * (fast-forward only) and refs/audit/checkpoint, and never changes the
 * local store's refs when it pushes.
 */
#ifndef SV_STORAGE_REMOTE_H
#define SV_STORAGE_REMOTE_H

#include "storage/store.h"
#include "base/common.h"

/*
 * Push refs/heads/main (fast-forward only) and refs/audit/checkpoint to the
 * git remote `url`.  A ref the mirror refuses is SCRVAULT_ECONFLICT with
 * `why` naming it; nothing local changes either way.
 */
int sv_store_push(sv_store *s, const char *url, char *why, size_t whylen);
/* Clone the mirror at `url` into a new bare repository at `path`, with its checkpoint. */
int sv_store_clone(const char *url, const char *path);

#endif
