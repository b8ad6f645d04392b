/*
 * file.c - careful file handling (see file.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/file.h"
#include "base/common.h"

char *sv_path(const char *dir, const char *name)
{
	return sv_printf("%s/%s", dir, name);
}

long sv_read_full(int fd, void *buf, size_t len)
{
	unsigned char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (long)got;
}

int sv_file_read(char **out, size_t *len, const char *path, size_t max)
{
	struct stat sb;
	char *buf = NULL;
	long n;
	int fd, error = SCRVAULT_ERROR;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return sv_error(SCRVAULT_ENOTFOUND, "'%s' does not exist", path);
		if (errno == ELOOP)
			return sv_error(SCRVAULT_EDENIED, "'%s' is a symbolic link; refusing to follow it", path);
		return sv_error(SCRVAULT_ERROR, "cannot open '%s': %s", path, strerror(errno));
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		error = sv_error(SCRVAULT_EUSAGE, "'%s' is not a regular file", path);
		goto done;
	}
	if ((size_t)sb.st_size > max) {
		error = sv_error(SCRVAULT_EUSAGE, "'%s' is too large (over %zu bytes)", path, max);
		goto done;
	}
	if (!(buf = sv_malloc((size_t)sb.st_size + 1)))
		goto done;
	if ((n = sv_read_full(fd, buf, (size_t)sb.st_size)) < 0) {
		error = sv_error(SCRVAULT_ERROR, "cannot read '%s': %s", path, strerror(errno));
		goto done;
	}
	buf[n] = '\0';
	*len = (size_t)n;
	*out = SV_TAKE(buf);
	error = 0;
done:
	free(buf);
	close(fd);
	return error;
}

int sv_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return sv_error(SCRVAULT_ERROR, "cannot open '%s': %s", dir, strerror(errno));
	rc = fsync(fd);
	close(fd);
	if (rc < 0)
		return sv_error(SCRVAULT_ERROR, "cannot fsync '%s': %s", dir, strerror(errno));
	return 0;
}

static char *parent_dir(const char *path)
{
	char *copy = sv_strdup(path), *d;

	if (!copy)
		return NULL;
	d = sv_strdup(dirname(copy));
	free(copy);
	return d;
}

int sv_file_create(const char *path, const void *data, size_t len, int mode)
{
	char *dir = NULL;
	int fd, error = SCRVAULT_ERROR;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		if (errno == EEXIST)
			return sv_error(SCRVAULT_ECONFLICT, "'%s' already exists; refusing to overwrite it", path);
		return sv_error(SCRVAULT_ERROR, "cannot create '%s': %s", path, strerror(errno));
	}
	if (sv_write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		error = sv_error(SCRVAULT_ERROR, "cannot write '%s': %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return error;
	}
	close(fd);
	if (!(dir = parent_dir(path)))
		return SCRVAULT_ERROR;
	error = sv_fsync_dir(dir);
	free(dir);
	return error;
}

int sv_file_replace(const char *path, const void *data, size_t len)
{
	char *tmp = sv_printf("%s.tmp.%ld", path, (long)getpid());
	char *dir = NULL;
	int error = SCRVAULT_ERROR;

	if (!tmp)
		return SCRVAULT_ERROR;
	unlink(tmp);
	if ((error = sv_file_create(tmp, data, len, 0600)) < 0)
		goto done;
	if (rename(tmp, path) < 0) {
		error = sv_error(SCRVAULT_ERROR, "cannot replace '%s': %s", path, strerror(errno));
		unlink(tmp);
		goto done;
	}
	if (!(dir = parent_dir(path))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	error = sv_fsync_dir(dir);
done:
	free(dir);
	free(tmp);
	return error;
}

int sv_file_append(const char *path, const char *line)
{
	int fd, error = 0;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return sv_error(SCRVAULT_ERROR, "cannot open '%s': %s", path, strerror(errno));
	if (sv_write_all(fd, line, strlen(line)) < 0 || fsync(fd) < 0)
		error = sv_error(SCRVAULT_ERROR, "cannot write '%s': %s", path, strerror(errno));
	close(fd);
	return error;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb; (void)f;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

int sv_rmtree(const char *path)
{
	return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0 ? SCRVAULT_ERROR : 0;
}

/*
 * Output files.  The data goes to an unnamed file (O_TMPFILE, 0600) in the
 * target's directory, linked to its name only when complete (linkat through
 * /proc/self/fd, or AT_EMPTY_PATH where /proc is missing): a process killed
 * at any point leaves nothing at all.  Where the file system has no
 * O_TMPFILE, a hidden named file (0600) is used instead and removed on every
 * path but a kill.  A replacement (sv_outfile_open_replace) is linked under
 * a hidden name and renamed over the target, so the target is always either
 * the old file or the whole new one.
 *
 * A hidden name is what a kill can leave behind, so its writer holds an
 * exclusive flock on the file for as long as it lives (the kernel drops it
 * with the process), and every output opened in a directory first removes
 * the hidden files there that nobody holds: the next output (check-out,
 * `open`, print, backup, export) into a directory clears what a killed one
 * left in it.
 */
#define OUTFILE_HIDDEN ".scrvault-out-"

/* Remove the hidden output files in `dir` whose writer is gone; best effort. */
static void outfile_sweep(const char *dir)
{
	DIR *d;
	struct dirent *e;

	if (!(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		struct stat a, b;
		int fd;

		if (strncmp(e->d_name, OUTFILE_HIDDEN, sizeof(OUTFILE_HIDDEN) - 1) != 0)
			continue;
		fd = openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			continue;
		/* a regular file nobody holds, still under that name */
		if (fstat(fd, &a) == 0 && S_ISREG(a.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
		    fstatat(dirfd(d), e->d_name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			unlinkat(dirfd(d), e->d_name, 0);
		close(fd);
	}
	closedir(d);
}

static int outfile_link(sv_outfile *o, const char *name)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (errno == ENOENT && access("/proc/self/fd", X_OK) != 0 &&
	    linkat(o->fd, "", AT_FDCWD, name, AT_EMPTY_PATH) == 0)
		return 0;
	return -1;
}

static char *outfile_hidden(const char *path)
{
	char *copy = sv_strdup(path), *tmp = NULL;

	if (copy)
		tmp = sv_printf("%s/" OUTFILE_HIDDEN "XXXXXX", dirname(copy));
	free(copy);
	return tmp;
}

static int outfile_open(sv_outfile *o, const char *path, bool replace)
{
	char *copy = NULL;
	struct stat sb;
	int e;

	o->path = path;
	o->tmp = NULL;
	o->fd = -1;
	o->unnamed = false;
	o->replace = replace;
	if (!strcmp(path, "-")) {
		o->fd = STDOUT_FILENO;
		return 0;
	}
	if (!replace && lstat(path, &sb) == 0)
		return sv_error(SCRVAULT_ECONFLICT, "'%s' already exists: choose another name (nothing is ever replaced)",
				path);
	if (!(copy = sv_strdup(path)))
		return SCRVAULT_ERROR;
	outfile_sweep(dirname(copy));
	free(copy);
	if (!(copy = sv_strdup(path)))
		return SCRVAULT_ERROR;
	o->fd = open(dirname(copy), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	e = errno;
	free(copy);
	if (o->fd >= 0) {
		o->unnamed = true;
		/* held from now: a hidden name it gets at commit is never swept */
		if (flock(o->fd, LOCK_EX | LOCK_NB) < 0) {
			e = errno;
			close(o->fd);
			o->fd = -1;
			return sv_error(SCRVAULT_ERROR, "cannot lock the output for '%s': %s", path, strerror(e));
		}
		return 0;
	}
	if (e != EOPNOTSUPP && e != EISDIR && e != EINVAL)
		return sv_error(e == ENOENT ? SCRVAULT_ENOTFOUND : SCRVAULT_ERROR,
				"cannot create '%s': %s", path, strerror(e));
	if (!(o->tmp = outfile_hidden(path)))
		return SCRVAULT_ERROR;
	if ((o->fd = mkostemp(o->tmp, O_CLOEXEC)) < 0) {
		e = errno;
		free(o->tmp);
		o->tmp = NULL;
		return sv_error(e == ENOENT ? SCRVAULT_ENOTFOUND : SCRVAULT_ERROR,
				"cannot create '%s': %s", path, strerror(e));
	}
	if (flock(o->fd, LOCK_EX | LOCK_NB) < 0) {
		/* (a sweep took it in the instant before: it is gone; so is this output) */
		e = errno;
		sv_outfile_abort(o);
		return sv_error(SCRVAULT_ERROR, "cannot lock the output for '%s': %s", path, strerror(e));
	}
	return 0;
}

int sv_outfile_open(sv_outfile *o, const char *path)
{
	return outfile_open(o, path, false);
}

int sv_outfile_open_replace(sv_outfile *o, const char *path)
{
	return outfile_open(o, path, true);
}

int sv_outfile_commit(sv_outfile *o)
{
	int error = 0;

	if (o->fd == STDOUT_FILENO || o->fd < 0)
		return 0;
	if (o->unnamed && !o->replace) {
		if (outfile_link(o, o->path) < 0)
			error = sv_error(errno == EEXIST ? SCRVAULT_ECONFLICT : SCRVAULT_ERROR,
					 "cannot create '%s': %s", o->path, strerror(errno));
	} else if (o->unnamed) {
		/* A hidden name for the instant between link and rename. */
		for (int tries = 0; tries < 100 && !o->tmp; tries++) {
			unsigned char r[8];
			char *copy = sv_strdup(o->path);

			if (!copy || getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r) ||
			    !(o->tmp = sv_printf("%s/" OUTFILE_HIDDEN "%02x%02x%02x%02x%02x%02x%02x%02x", dirname(copy),
						 r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]))) {
				free(copy);
				break;
			}
			free(copy);
			if (outfile_link(o, o->tmp) < 0) {
				int e = errno;

				free(o->tmp);
				o->tmp = NULL;
				errno = e;
				if (e != EEXIST)
					break;
			}
		}
		if (!o->tmp || rename(o->tmp, o->path) < 0)
			error = sv_error(SCRVAULT_ERROR, "cannot write '%s': %s", o->path, strerror(errno));
	} else if (o->replace) {
		if (rename(o->tmp, o->path) < 0)
			error = sv_error(SCRVAULT_ERROR, "cannot write '%s': %s", o->path, strerror(errno));
	} else if (link(o->tmp, o->path) < 0) {
		error = sv_error(errno == EEXIST ? SCRVAULT_ECONFLICT : SCRVAULT_ERROR,
				 "cannot create '%s': %s", o->path, strerror(errno));
	}
	if (o->tmp)
		unlink(o->tmp);
	close(o->fd);
	free(o->tmp);
	o->tmp = NULL;
	o->fd = -1;
	return error;
}

void sv_outfile_abort(sv_outfile *o)
{
	if (o->tmp) {
		unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
	}
	if (o->fd > STDOUT_FILENO)
		close(o->fd);
	o->fd = -1;
}
