/*
 * common.c - error messages, checked allocation, hex.
 *
 * The last error message is kept per thread.  It never holds secret material:
 * callers put only ids, paths and reasons into it.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/common.h"

static _Thread_local char last_error[1024] = "no error";
static _Thread_local char last_field[64];

const char *scrvault_error_message(void)
{
	return last_error;
}

const char *scrvault_error_field(void)
{
	return last_field[0] ? last_field : NULL;
}

void scrvault_error_clear(void)
{
	snprintf(last_error, sizeof(last_error), "no error");
	last_field[0] = '\0';
}

/*
 * Formatted into a buffer of its own first: a message may quote the last one
 * (scrvault_error_message() as an argument), which vsnprintf must not read
 * while it writes over it.
 */
__attribute__((format(printf, 2, 0)))
static void set_error(const char *field, const char *fmt, va_list ap)
{
	char buf[sizeof(last_error)];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	memcpy(last_error, buf, sizeof(buf));
	snprintf(last_field, sizeof(last_field), "%s", field ? field : "");
}

int sv_error(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_error(NULL, fmt, ap);
	va_end(ap);
	return code;
}

int sv_error_field(int code, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_error(field, fmt, ap);
	va_end(ap);
	return code;
}

int sv_error_wrap(int code, const char *fmt, ...)
{
	char prefix[512], old[sizeof(last_error)];
	va_list ap;

	memcpy(old, last_error, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	/* Truncation is fine here; using the result keeps gcc's
	 * -Wformat-truncation quiet at every optimisation level. */
	if (snprintf(last_error, sizeof(last_error), "%s: %s", prefix, old) < 0)
		last_error[0] = '\0';
	return code;
}

int sv_struct_check(bool present, unsigned int version, unsigned int want, const char *name)
{
	if (!present)
		return sv_error(SCRVAULT_EUSAGE, "no %s given", name);
	if (version != want)
		return sv_error_field(SCRVAULT_EUSAGE, "version", "%s of version %u, but this library takes version %u: build the "
				"program against this library's headers (and initialise the struct with its _INIT macro)",
				name, version, want);
	return 0;
}

void *sv_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		sv_error(SCRVAULT_ERROR, "out of memory");
	return p;
}

void *sv_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		sv_error(SCRVAULT_ERROR, "out of memory");
	return p;
}

void *sv_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		sv_error(SCRVAULT_ERROR, "out of memory");
	return q;
}

char *sv_strdup(const char *s)
{
	return sv_strndup(s, strlen(s));
}

char *sv_strndup(const char *s, size_t n)
{
	char *p = sv_malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

char *sv_printf(const char *fmt, ...)
{
	va_list ap;
	char *p = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0) {
		sv_error(SCRVAULT_ERROR, "out of memory");
		return NULL;
	}
	return p;
}

void sv_hex(char *out, const unsigned char *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

int sv_char_index(const char *alphabet, int c)
{
	const char *at = c ? strchr(alphabet, c) : NULL;

	return at ? (int)(at - alphabet) : -1;
}

/* A hex digit's value (either case), or -1. */
static int hexval(char c)
{
	int i = sv_char_index("0123456789abcdefABCDEF", c);

	return i < 16 ? i : i - 6;
}

int sv_unhex(unsigned char *out, size_t len, const char *hex)
{
	size_t i;

	if (strlen(hex) != 2 * len)
		return -1;
	for (i = 0; i < len; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

int sv_grow(void *arrp, size_t *cap, size_t need, size_t size, size_t first)
{
	size_t c = *cap ? *cap : first;
	void *p;

	if (need <= *cap)
		return 0;
	while (c < need) {
		if (c > SIZE_MAX / 2 / size)
			return sv_error(SCRVAULT_ERROR, "out of memory");
		c *= 2;
	}
	memcpy(&p, arrp, sizeof(p));
	if ((p = sv_realloc(p, c * size)) == NULL)
		return SCRVAULT_ERROR;
	memcpy(arrp, &p, sizeof(p));
	*cap = c;
	return 0;
}

int sv_write_at(int fd, const void *buf, size_t len, off_t off)
{
	const unsigned char *p = buf;

	while (len > 0) {
		size_t want = len > SSIZE_MAX ? SSIZE_MAX : len;
		ssize_t n = off < 0 ? write(fd, p, want) : pwrite(fd, p, want, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = 0;	/* no progress */
			return -1;
		}
		p += n;
		len -= (size_t)n;
		if (off >= 0)
			off += n;
	}
	return 0;
}

int sv_write_all(int fd, const void *buf, size_t len)
{
	return sv_write_at(fd, buf, len, -1);
}

void sv_put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

uint32_t sv_get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
