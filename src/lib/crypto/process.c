/*
 * process.c - what every program of scrvault does first, and the secrets it
 * is handed: process set-up (scrvault_global_init) and passphrases
 * (scrvault_secret_*), the public calls of include/scrvault/vault.h that need
 * no vault.  Here, in the crypto layer, so that a program that links only
 * base and crypto (scrvault-seal) has them too.
 *
 * It must never print or exit, and never leave a passphrase's bytes outside
 * secure memory once read: the buffer a file was read into is cleansed on
 * every path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/common.h"
#include "base/file.h"
#include "crypto/crypto.h"
#include "scrvault/vault.h"

int scrvault_global_init(void)
{
	return scrvault_global_init_ex(0);
}

int scrvault_global_init_ex(unsigned flags)
{
	struct rlimit rl = { 0, 0 };
	int fd;

	/* fds 0-2 open, so a file we open never becomes stdout by accident. */
	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
	/* Core dumps off: an unlocked vault holds keys in memory. */
	if (setrlimit(RLIMIT_CORE, &rl) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return sv_error(SCRVAULT_ERROR, "cannot disable core dumps: %s", strerror(errno));
	umask(077);
	return (flags & SCRVAULT_INIT_BUNDLES_ONLY) ? sv_crypto_init_lean() : sv_crypto_init();
}

bool scrvault_secure_memory_locked(void)
{
	return sv_secure_heap_locked();
}

int scrvault_secret_new(scrvault_secret **out, const void *buf, size_t len)
{
	return sv_secret_from(out, buf, len);
}

void scrvault_secret_free(scrvault_secret *s)
{
	sv_secret_free(s);
}

int scrvault_secret_read_file(scrvault_secret **out, const char *path)
{
	char *text = NULL;
	size_t len = 0, n;
	int error;

	*out = NULL;
	if ((error = sv_file_read(&text, &len, path, 4096)) < 0)
		return sv_error_wrap(error, "passphrase file");
	n = strcspn(text, "\r\n");
	if (n == 0)
		error = sv_error(SCRVAULT_EUSAGE, "passphrase file '%s' is empty", path);
	else
		error = sv_secret_from(out, text, n);
	sv_cleanse_free(text, len);
	return error;
}
