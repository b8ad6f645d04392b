/*
 * files.h - the daemon's private temporary files, for the library calls
 * that write their result to a path (a report, a release bundle, a printed
 * copy, the CA certificate): made in a fresh 0700 directory under $TMPDIR
 * (the unit's PrivateTmp), streamed to the client and removed.  Never in
 * the vault's directory; nothing in them is plaintext of the vault's
 * documents except what the route answers with (a release bundle is
 * encrypted to its recipient; a printed copy is what the caller asked for).
 */
#ifndef SVD_FILES_H
#define SVD_FILES_H

#include <limits.h>
#include <stddef.h>

typedef struct {
	char dir[PATH_MAX];	/* "" when not made */
} svd_tmp;

/* A fresh private directory; 0 or -1 (errno). */
int svd_tmp_make(svd_tmp *t);
/* dir/name into out[len]; -1 if it does not fit. */
int svd_tmp_path(const svd_tmp *t, const char *name, char *out, size_t len);
/* Remove the directory and every file in it (idempotent). */
void svd_tmp_remove(svd_tmp *t);
/* A whole (small) file into a malloc'd buffer; 0 or -1. */
int svd_file_read(const char *path, size_t max, char **buf, size_t *len);

#endif
