/*
 * git.c - libgit2 set-up, error mapping and object ids for storage/, see
 * git.h.
 *
 * This file sets libgit2's process-wide options once and turns libgit2's
 * failures into ours.  It must never open a repository, read or write an
 * object, or put anything into an error message but what the caller and
 * libgit2 say (ids, paths and reasons: storage/ never sees plaintext).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include "storage/git.h"
#include "base/common.h"

static pthread_once_t sv_git_once = PTHREAD_ONCE_INIT;

static int sv_git_status;

/*
 * No object cache.  libgit2 1.5's cache_store, when it cannot put a parsed
 * object in the place of the raw one it holds (an allocation fails), hands
 * the raw object back as the parsed one: a tree read that way looks empty,
 * and a check-in built on it committed a tree without the earlier documents
 * (the fault loops found it; fsck reports it).  The vault reads each object a
 * few times per command at most, from its own object database.
 */
static void sv_git_setup(void)
{
	if (git_libgit2_init() < 0 ||
	    git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0) < 0 ||
	    git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1) < 0 ||
	    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 1) < 0 ||
	    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 1) < 0)
		sv_git_status = -1;
}

/* Once per process (pthread_once): no object cache, refs fsynced, hashes checked. */
int sv_git_init(void)
{
	if (pthread_once(&sv_git_once, sv_git_setup) != 0 || sv_git_status < 0)
		return sv_error(SCRVAULT_ERROR, "cannot initialise libgit2");
	return 0;
}

/* "<what>: <libgit2's message>" with the code that matches `gerr`. */
int sv_git_error(int gerr, const char *fmt, ...)
{
	const git_error *e = git_error_last();
	char what[256];
	va_list ap;
	int code;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);

	switch (gerr) {
	case GIT_ENOTFOUND:
		code = SCRVAULT_ENOTFOUND;
		break;
	case GIT_EMISMATCH:
		code = SCRVAULT_EINTEGRITY;
		break;
	case GIT_ELOCKED:
	case GIT_EEXISTS:
	case GIT_EMODIFIED:
	case GIT_ENONFASTFORWARD:
		code = SCRVAULT_ECONFLICT;
		break;
	default:
		code = SCRVAULT_ERROR;
		break;
	}
	return sv_error(code, "%s: %s", what,
			e && e->message ? e->message : "unknown error");
}

void sv_git_oid_hex(char out[GIT_OID_HEXSZ + 1], const git_oid *oid)
{
	git_oid_fmt(out, oid);
	out[GIT_OID_HEXSZ] = '\0';
}
