/*
 * spool.c - the upload spool's files and memory (spool.h).
 *
 * Must never: keep an upload's key after its upload ends, or leave a spool
 * file behind a session that ended normally.  Overwriting is not needed: a
 * spool file is ciphertext under a key that dies with its upload.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "vault/spool.h"
#include "base/common.h"
#include "base/file.h"

int sv_spool_dir(char **out, scrvault *v)
{
	char *dir = sv_path(v->dir, "spool");
	struct stat sb;

	*out = NULL;
	if (!dir)
		return SCRVAULT_ERROR;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		int e = errno;

		free(dir);
		return sv_error(SCRVAULT_ERROR, "cannot make the upload spool: %s", strerror(e));
	}
	if (lstat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode) || (sb.st_mode & 077) != 0 || sb.st_uid != geteuid()) {
		free(dir);
		return sv_error(SCRVAULT_ERROR, "the upload spool is not a private directory of the vault's owner "
				"(mode 0700)");
	}
	*out = dir;
	return 0;
}

void sv_upload_free(sv_upload *u)
{
	if (!u)
		return;
	if (u->path) {
		char *slash;

		(void)unlink(u->path);
		if ((slash = strrchr(u->path, '/'))) {
			*slash = '\0';
			(void)sv_fsync_dir(u->path);
		}
	}
	if (u->fd >= 0)
		close(u->fd);
	sv_secret_free(u->key);
	sv_sha256_free(u->running);
	free(u->path);
	free(u->case_ref);
	free(u->doc_class);
	free(u->agency);
	free(u->doc);
	free(u->note);
	free(u->filename);
	free(u->title);
	free(u);
}

void sv_spool_close(scrvault *v)
{
	while (v->uploads) {
		sv_upload *u = v->uploads;

		v->uploads = u->next;
		sv_upload_free(u);
	}
}

void sv_spool_sweep(const char *vault_dir)
{
	char *dir = sv_path(vault_dir, "spool");
	struct dirent *e;
	bool removed = false;
	DIR *d;
	int dfd;

	if (!dir || !(d = opendir(dir))) {
		free(dir);
		return;
	}
	dfd = dirfd(d);
	while ((e = readdir(d))) {
		int fd;

		if (e->d_name[0] == '.')
			continue;
		/* A file a live session holds (the service's) is left to it. */
		if ((fd = openat(dfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) >= 0) {
			if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
				close(fd);
				continue;
			}
			close(fd);
		}
		if (unlinkat(dfd, e->d_name, 0) == 0)
			removed = true;
	}
	closedir(d);
	if (removed)
		(void)sv_fsync_dir(dir);
	free(dir);
}
