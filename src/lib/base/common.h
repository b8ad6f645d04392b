/*
 * common.h - what every module of libscrvault shares: error reporting,
 * checked allocation and small helpers.  It includes no external library.
 */
#ifndef SV_COMMON_H
#define SV_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>
#include "scrvault/error.h"

#define SV_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Hand over the pointer held in `p`, a local that the cleanup frees: its
 * value, with p left NULL, so that "*out = res; res = NULL;" is
 * "*out = SV_TAKE(res);".  A macro, since it serves pointers of every type
 * (GNU C's __typeof__ and statement expression, which GCC and Clang have).
 */
#define SV_TAKE(p) __extension__ ({ __typeof__(p) sv_take_ = (p); (p) = NULL; sv_take_; })

/*
 * Record the message for the current failure and return `code`, so callers
 * can write `return sv_error(SCRVAULT_ENOTFOUND, "no case '%s'", ref);`.
 * Messages are lower-case, no full stop, subject quoted; they must never
 * contain secret material.
 */
int sv_error(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The same, naming the input at fault: `field` is the name of the member of
 * the caller's options struct, or of the argument, that is wrong or missing
 * ("case_ref", "due"; several separated by ','), never a command-line flag.
 * A client turns it into its own words: the CLI names its option, the HTTP
 * API the JSON member.  sv_error clears it; sv_error_wrap keeps it.
 */
int sv_error_field(int code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix the current message with more context ("checkin 'x': <old>"). */
int sv_error_wrap(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * A caller's options struct `s`: 0 if it is there and of version `want`,
 * else SCRVAULT_EUSAGE naming it ("scrvault_case_spec"), so a program built
 * against other headers fails cleanly:
 *   if ((error = SV_STRUCT_CHECK(spec, SCRVAULT_CASE_SPEC_VERSION, "scrvault_case_spec")) < 0)
 */
#define SV_STRUCT_CHECK(s, want, name) sv_struct_check((s) != NULL, (s) ? (s)->version : 0, (want), (name))
int sv_struct_check(bool present, unsigned int version, unsigned int want, const char *name);

/* Allocation that sets an error message on failure (returns NULL). */
void *sv_malloc(size_t n);
void *sv_calloc(size_t n, size_t size);
void *sv_realloc(void *p, size_t n);
char *sv_strdup(const char *s);
char *sv_strndup(const char *s, size_t n);
/* asprintf that returns NULL (with an error set) on failure. */
char *sv_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The position of character c in `alphabet` (its value as a digit), or -1
 * (NUL too). */
int sv_char_index(const char *alphabet, int c);
/* Lower-case hex of `len` bytes into `out` (2*len+1 bytes). */
void sv_hex(char *out, const unsigned char *in, size_t len);
/* Parse exactly `len` bytes of hex; -1 on any bad character or length. */
int sv_unhex(unsigned char *out, size_t len, const char *hex);

/*
 * Room for `need` elements of `size` bytes in the array whose pointer is at
 * `arrp` (a T **, for any T) and whose capacity is *cap: doubled, from
 * `first`, until they fit.  0, or SCRVAULT_ERROR (out of memory; the array
 * and *cap are as they were).  The one growth rule of the library's arrays
 * and buffers.
 */
int sv_grow(void *arrp, size_t *cap, size_t need, size_t size, size_t first);

/* 32-bit big-endian integers in 4 bytes (the stamp helper's request and
 * answer, a signed note's key id). */
void sv_put_be32(unsigned char *p, uint32_t v);
uint32_t sv_get_be32(const unsigned char *p);

/*
 * Write all of buf to fd at offset `off` (pwrite), or at the file position
 * when off < 0, retrying on EINTR and short writes: 0, or -1 with errno set
 * (0 when a write made no progress).  The stamp helper, which links this
 * file alone, writes its answer with sv_write_all.
 */
int sv_write_at(int fd, const void *buf, size_t len, off_t off);
int sv_write_all(int fd, const void *buf, size_t len);

/* Standard base64 (RFC 4648, padded).  Caller frees. */
char *sv_base64(const unsigned char *in, size_t len);
/* Decode padded standard base64; returns -1 on any non-canonical input. */
int sv_unbase64(unsigned char **out, size_t *outlen, const char *in);
/* base64url without padding (RFC 4648 §5); decoding refuses padding and
 * non-canonical trailing bits.  Caller frees. */
char *sv_base64url(const unsigned char *in, size_t len);
int sv_unbase64url(unsigned char **out, size_t *outlen, const char *in);

#endif
