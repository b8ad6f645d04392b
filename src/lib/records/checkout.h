/*
 * checkout.h - released versions written to files (checkout.c).
 */
#ifndef SV_RECORDS_CHECKOUT_H
#define SV_RECORDS_CHECKOUT_H

#include "vault/keyrelease.h"
#include "base/common.h"

/* One item of a release written into a directory. */
typedef struct {
	char name[260];		/* its file name in the directory (safe, unique) */
	bool done;		/* set: a worker wrote it or failed it */
	int rc;			/* then: 0, SCRVAULT_EINTEGRITY (nothing written), ... */
} sv_checkout_target;

/*
 * Write item i of `rel` into the directory `dirfd` (named `outdir` in
 * messages) under t[i].name, on up to 4 threads, replacing a file there.
 * Every item is tried; an integrity failure is that item's rc only.  Any
 * other failure stops the taking of new items and is returned (the first
 * item's, in order).
 */
int sv_checkout_to_dir(const sv_release *rel, int dirfd, const char *outdir, sv_checkout_target *t);
/* Write item i of `rel` to `outpath` (NULL: standard output), complete or not at all. */
int sv_checkout_to_file(const sv_release *rel, size_t i, const char *outpath);

#endif
