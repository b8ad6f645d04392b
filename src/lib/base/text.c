/*
 * text.c - the rules for names, references and file names (see text.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include "base/text.h"
#include "base/fault.h"

/*
 * Whether s is 1 to `max` characters of a-z, 0-9, A-Z when `upper`, and those
 * of `extra`, and does not begin with '.' or '-': the shape of every name
 * rule here.
 */
static bool word_valid(const char *s, size_t max, bool upper, const char *extra)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      (upper && s[i] >= 'A' && s[i] <= 'Z') || strchr(extra, s[i])))
			return false;
	return s[0] != '.' && s[0] != '-';
}

bool sv_name_valid(const char *s)
{
	return word_valid(s, 64, false, "._@-");
}

int sv_name_check(const char *s)
{
	if (sv_name_valid(s))
		return 0;
	return sv_error_field(SCRVAULT_EUSAGE, "name", "principal name '%s' is not valid: use 1-64 of a-z 0-9 . _ @ -",
			      s ? s : "");
}

bool sv_ref_valid(const char *s)
{
	return word_valid(s, 32, true, "-");
}

void sv_safe_filename(char *out, size_t len, const char *name, const char *fallback)
{
	const char *base = name ? name : "";
	size_t j = 0, max = len - 1 < SV_SAFE_NAME_MAX ? len - 1 : SV_SAFE_NAME_MAX;

	for (const char *p = base; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	for (size_t i = 0; base[i] && j < max; i++) {
		unsigned char c = (unsigned char)base[i];

		out[j] = (c < 0x20 || c == 0x7f || (j == 0 && c == '.')) ? '_' : (char)c;
		j++;
	}
	/* A cut must not leave half a UTF-8 character at the end. */
	if (base[0] && strlen(base) > j) {
		size_t k = j;

		while (k > 0 && ((unsigned char)out[k - 1] & 0xc0) == 0x80)
			k--;
		if (k > 0 && ((unsigned char)out[k - 1] & 0xc0) == 0xc0)
			j = k - 1;
	}
	out[j] = '\0';
	if (j == 0 || !strcmp(out, "_") || !strcmp(out, ".."))
		snprintf(out, len, "%s", fallback);
}

/*
 * The length of the UTF-8 sequence at s (shortest form, no surrogates, at
 * most U+10FFFF), or 0 when it is not one.  *cp gets the code point.
 */
static size_t utf8_seq(const unsigned char *s, uint32_t *cp)
{
	size_t n, i;
	uint32_t c = s[0];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* a NUL stops here too */
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

size_t sv_text_bad(const char *text, unsigned flags)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;

	/* Test builds only: records as an older version let them in, to show
	 * what the command line makes of them. */
	if (!s || SV_TEST_GETENV("SCRVAULT_TEST_TEXT_UNCHECKED"))
		return 0;
	while (s[i]) {
		uint32_t c;
		size_t n = utf8_seq(s + i, &c);

		if (n == 0 || i + n > SV_TEXT_MAX)
			return i + 1;
		if ((c < 0x20 || (c >= 0x7f && c <= 0x9f)) &&
		    !((flags & SV_TEXT_LINES) && (c == '\n' || c == '\t')))
			return i + 1;
		i += n;
	}
	return 0;
}

int sv_text_check(const char *field, const char *s, unsigned flags)
{
	size_t bad = sv_text_bad(s, flags);
	const unsigned char *u = (const unsigned char *)s;

	if (bad == 0)
		return 0;
	if (bad > SV_TEXT_MAX)
		return sv_error_field(SCRVAULT_EUSAGE, field, "the %s is longer than %d bytes: give a shorter text",
				      field, SV_TEXT_MAX);
	if (u[bad - 1] < 0x20 || u[bad - 1] == 0x7f || (u[bad - 1] == 0xc2 && u[bad] >= 0x80 && u[bad] <= 0x9f))
		return sv_error_field(SCRVAULT_EUSAGE, field,
				      "the %s holds a control character (byte %zu): give text without control "
				      "characters%s", field, bad, flags & SV_TEXT_LINES ? " (newlines and tabs may stay)" :
				      " or line breaks");
	return sv_error_field(SCRVAULT_EUSAGE, field, "the %s is not valid UTF-8 (byte %zu): give UTF-8 text",
			      field, bad);
}

int sv_text_check_all(const sv_text_in *in)
{
	int error;

	for (; in && in->field; in++)
		if ((error = sv_text_check(in->field, in->s, in->flags)) < 0)
			return error;
	return 0;
}

bool sv_text_one_of(const char *s, const char *const *list)
{
	for (int i = 0; s && list[i]; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}
