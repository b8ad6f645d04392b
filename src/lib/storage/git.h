/*
 * git.h - libgit2 inside storage/: set-up, error mapping and object ids,
 * shared by the files of storage/ that call libgit2 (store.c, odb.c,
 * remote.c, conf.c).
 *
 * Only files of storage/ include this header, and with it <git2.h>: no
 * other layer sees a libgit2 type, code or message except through the
 * sv_error() message these functions set.
 */
#ifndef SV_STORAGE_GIT_H
#define SV_STORAGE_GIT_H

#include <git2.h>
#include "base/common.h"

/*
 * Initialise libgit2 once per process, with refs fsynced and hashes
 * checked.  Every way into storage/ that reaches libgit2 starts here (the
 * others take a store that was opened through it).  SCRVAULT_ERROR if
 * libgit2 cannot be set up; safe to call from several threads.
 */
int sv_git_init(void);

/*
 * Record a libgit2 failure `gerr` as ours: "<what>: <libgit2's message>",
 * with the code that matches (GIT_ENOTFOUND -> SCRVAULT_ENOTFOUND,
 * GIT_EMISMATCH -> SCRVAULT_EINTEGRITY, a lock, an existing or modified
 * ref or a non-fast-forward -> SCRVAULT_ECONFLICT, anything else
 * SCRVAULT_ERROR).  Returns that code.
 */
int sv_git_error(int gerr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The 40-digit lower-case hex of `oid`, NUL-terminated, into `out`. */
void sv_git_oid_hex(char out[GIT_OID_HEXSZ + 1], const git_oid *oid);

#endif
