/*
 * conf.h - reading git-config files (policy files) with libgit2's parser.
 *
 * conf.c only reads: it never writes a file, never opens a repository and
 * never consults the system, global or any repository's configuration,
 * only the file it is given (and, as git does, files that one includes).
 */
#ifndef SV_STORAGE_CONF_H
#define SV_STORAGE_CONF_H

#include "base/common.h"

/*
 * Read a git-config file with libgit2's parser (policy files).  A file that
 * does not parse gives SCRVAULT_EUSAGE with libgit2's message, without the
 * file's name and place, and *errline (if not NULL) gets the line it names
 * (0 when it names none).  Entries in file order; names
 * "section.subsection.key".
 */
typedef struct {
	char *name;
	char *value;		/* NULL for a bare key */
} sv_conf_entry;
int sv_conf_read(sv_conf_entry **out, size_t *n, int *errline, const char *path);
void sv_conf_free(sv_conf_entry *e, size_t n);

#endif
