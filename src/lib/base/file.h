/*
 * fsutil.h - careful file handling: no symlink following for files the vault
 * owns, new files created exclusively with explicit modes, replacements made
 * atomic (write, fsync, rename, fsync the directory).
 */
#ifndef SV_FSUTIL_H
#define SV_FSUTIL_H

#include "base/common.h"



/* Read a whole file of at most `max` bytes (O_NOFOLLOW); adds a NUL. */
int sv_file_read(char **out, size_t *len, const char *path, size_t max);
/* Create `path` (must not exist) with `mode`, write, fsync. */
int sv_file_create(const char *path, const void *data, size_t len, int mode);
/* Atomically replace `path` with new contents (mode 0600). */
int sv_file_replace(const char *path, const void *data, size_t len);
/* Append one line (O_APPEND, created 0600), fsync. */
int sv_file_append(const char *path, const char *line);
int sv_fsync_dir(const char *dir);
/* Remove a directory tree (no symlinks followed); best effort. */
int sv_rmtree(const char *path);
/* Join dir and name into a new string. */
char *sv_path(const char *dir, const char *name);
/* (sv_write_all is in common.h.) */
/* Read up to len bytes, retrying short reads: returns bytes read (< len only at EOF) or -1. */
long sv_read_full(int fd, void *buf, size_t len);

/*
 * An output file that appears only when complete: an unnamed file
 * (O_TMPFILE, 0600; a hidden named one where the file system has none) in
 * the target's directory, linked to the name at commit, or standard output
 * for "-".  sv_outfile_open never replaces a file (an existing name is
 * SCRVAULT_ECONFLICT at open and at commit); sv_outfile_open_replace
 * renames the complete file over it.  abort leaves nothing behind.
 */
typedef struct {
	const char *path;
	char *tmp;
	int fd;
	bool unnamed, replace;
} sv_outfile;
int sv_outfile_open(sv_outfile *o, const char *path);
int sv_outfile_open_replace(sv_outfile *o, const char *path);
int sv_outfile_commit(sv_outfile *o);
void sv_outfile_abort(sv_outfile *o);

#endif
