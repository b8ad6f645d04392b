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
