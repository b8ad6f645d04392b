/*
 * fuzz_file.h - for targets whose entry point reads a file: the input is
 * written to one file in a private directory (on /dev/shm when there is
 * one) made at start and removed at exit.  The file is rewritten for every
 * input; it is a real file, as the library opens with O_NOFOLLOW.
 */
#ifndef SV_FUZZ_FILE_H
#define SV_FUZZ_FILE_H

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char fuzz_dir[PATH_MAX], fuzz_path[PATH_MAX];

static void fuzz_file_cleanup(void)
{
	unlink(fuzz_path);
	rmdir(fuzz_dir);
}

/* Make the directory; abort if the harness cannot run (not a finding). */
static void fuzz_file_init(void)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/svfuzz.XXXXXX", base);
	if (!mkdtemp(fuzz_dir))
		abort();
	snprintf(fuzz_path, sizeof(fuzz_path), "%s/input", fuzz_dir);
	atexit(fuzz_file_cleanup);
}

/* Write `size` bytes of `data` as the file; its path. */
static const char *fuzz_file_write(const unsigned char *data, size_t size)
{
	int fd = open(fuzz_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		abort();
	while (size > 0) {
		ssize_t n = write(fd, data, size);

		if (n <= 0)
			abort();
		data += n;
		size -= (size_t)n;
	}
	if (close(fd) < 0)
		abort();
	return fuzz_path;
}

#endif
