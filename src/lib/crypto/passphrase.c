/*
 * passphrase.c - the floor of a new passphrase: its length, and not one of
 * the 10 000 most common passwords.
 *
 * The list is data/common-passwords.txt, compiled in at build time
 * (build/gen/common_passwords.c, sorted byte-wise, lower-case): the check
 * needs no file at run time.  The lower-cased copy of the passphrase the
 * search compares lives in secure memory and is cleansed on every path;
 * nothing here prints or quotes the passphrase.
 */
#include <string.h>
#include "crypto/passphrase.h"
#include "crypto/crypto.h"
#include "scrvault/vault.h"
#include "base/common.h"

/* build/gen/common_passwords.c (the Makefile makes it from the list). */
extern const char *const sv_common_passwords[];
extern const size_t sv_common_passwords_count;

/* Characters of UTF-8 text: bytes that do not continue a sequence. */
static size_t utf8_chars(const unsigned char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/* strcmp order of the `len` bytes at `s` against the string `word`. */
static int cmp_word(const unsigned char *s, size_t len, const char *word)
{
	size_t wlen = strlen(word);
	int c = memcmp(s, word, len < wlen ? len : wlen);

	if (c)
		return c;
	return len < wlen ? -1 : len > wlen;
}

/* Whether the lower-case `len` bytes at `s` are on the list (binary search). */
static bool is_common(const unsigned char *s, size_t len)
{
	size_t lo = 0, hi = sv_common_passwords_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_word(s, len, sv_common_passwords[mid]);

		if (c == 0)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

int sv_passphrase_check(const sv_secret *passphrase, const char *field)
{
	sv_secret *low = NULL;
	const unsigned char *p;
	unsigned char *l;
	size_t len;
	bool common;
	int error;

	if (!passphrase)
		return sv_error_field(SCRVAULT_EUSAGE, field, "a new key file needs a passphrase");
	p = sv_secret_data(passphrase);
	len = sv_secret_len(passphrase);
	if (utf8_chars(p, len) < SV_PASSPHRASE_MIN_CHARS)
		return sv_error_field(SCRVAULT_EUSAGE, field, "the new passphrase is too short: it needs at least %d "
				      "characters (several unrelated words make a good one)", SV_PASSPHRASE_MIN_CHARS);
	if ((error = sv_secret_new(&low, len)) < 0)
		return error;
	l = sv_secret_data(low);
	for (size_t i = 0; i < len; i++)
		l[i] = (p[i] >= 'A' && p[i] <= 'Z') ? (unsigned char)(p[i] - 'A' + 'a') : p[i];
	common = is_common(l, len);
	sv_secret_free(low);
	if (common)
		return sv_error_field(SCRVAULT_EUSAGE, field, "the new passphrase is one of the 10 000 most common "
				      "passwords: choose another (several unrelated words make a good one)");
	return 0;
}

int scrvault_passphrase_check(const scrvault_secret *passphrase)
{
	return sv_passphrase_check(passphrase, "passphrase");
}
