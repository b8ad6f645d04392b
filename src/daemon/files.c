/*
 * files.c - private temporary files (files.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "files.h"

int svd_tmp_make(svd_tmp *t)
{
	const char *base = getenv("TMPDIR");

	if (!base || base[0] != '/')
		base = "/tmp";
	if (snprintf(t->dir, sizeof(t->dir), "%s/scrvaultd.XXXXXX", base) >= (int)sizeof(t->dir) ||
	    !mkdtemp(t->dir)) {
		t->dir[0] = '\0';
		return -1;
	}
	return 0;
}

int svd_tmp_path(const svd_tmp *t, const char *name, char *out, size_t len)
{
	return snprintf(out, len, "%s/%s", t->dir, name) >= (int)len ? -1 : 0;
}

void svd_tmp_remove(svd_tmp *t)
{
	DIR *d;
	struct dirent *e;

	if (!t->dir[0])
		return;
	if ((d = opendir(t->dir))) {
		int dfd = dirfd(d);
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				(void)unlinkat(dfd, e->d_name, 0);
		closedir(d);
	}
	(void)rmdir(t->dir);
	t->dir[0] = '\0';
}

int svd_file_read(const char *path, size_t max, char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	char *b = NULL;
	size_t n = 0;

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max ||
	    !(b = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return -1;
	}
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, b + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n != (size_t)st.st_size) {
		free(b);
		return -1;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}
