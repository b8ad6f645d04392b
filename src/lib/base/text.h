/*
 * text.h - the rules for names, references and file names (text.c): one
 * function per rule, used everywhere the rule applies.
 */
#ifndef SV_BASE_TEXT_H
#define SV_BASE_TEXT_H

#include "base/common.h"

/* A principal's name: [a-z0-9._@-]{1,64}, not starting with '.' or '-'. */
bool sv_name_valid(const char *s);
/* The same as a check: 0, or the usage error (field "name") that says the rule. */
int sv_name_check(const char *s);

/* A case reference: [A-Za-z0-9-]{1,32}, not starting with '-'. */
bool sv_ref_valid(const char *s);

/* The longest file name sv_safe_filename makes, in bytes. */
#define SV_SAFE_NAME_MAX 200

/*
 * A recorded file name (from a check-in, or from a sender's bundle: hostile
 * input) made safe to create in a directory of the reader's choosing: its
 * last component only (after the last '/' or '\\'), control characters and
 * DEL as '_', a leading '.' as '_', at most SV_SAFE_NAME_MAX bytes (never
 * cutting a UTF-8 sequence).  An empty result, "_" or ".." gives `fallback`
 * (which must itself be safe, like a document id).  `out` has `len` bytes.
 */
void sv_safe_filename(char *out, size_t len, const char *name, const char *fallback);

/*
 * Free text the vault records (titles, display names, agencies, reasons,
 * notes, purposes, contact details, file names): valid UTF-8 with no
 * control character (C0, DEL, C1), and at most SV_TEXT_MAX bytes.  With
 * SV_TEXT_LINES, newlines and tabs are allowed (a note or a reason of
 * several lines); never a carriage return or any other control.
 */
#define SV_TEXT_LINES	1u
#define SV_TEXT_MAX	4096

/*
 * Whether `s` is such text: NULL is (an absent optional field); else 0 when
 * it is, or the byte offset + 1 of the first byte that is not.
 */
size_t sv_text_bad(const char *s, unsigned flags);
/*
 * The same as a check: 0, or SCRVAULT_EUSAGE naming `field` (the library's
 * name for the input, as sv_error_field) and what is wrong, never quoting
 * the text itself.
 */
int sv_text_check(const char *field, const char *s, unsigned flags);

/* Several at once: the first that fails.  SV_TEXTS(SV_TEXT("title", t), ...) */
typedef struct {
	const char *field;
	const char *s;
	unsigned flags;
} sv_text_in;
#define SV_TEXT(f, s)		((sv_text_in){ (f), (s), 0 })
#define SV_TEXT_NOTE(f, s)	((sv_text_in){ (f), (s), SV_TEXT_LINES })
#define SV_TEXTS(...)		((const sv_text_in[]){ __VA_ARGS__, { NULL, NULL, 0 } })
int sv_text_check_all(const sv_text_in *in);

/* Whether `s` is one of the words of `list` (NULL-terminated); false for a NULL `s`. */
bool sv_text_one_of(const char *s, const char *const *list);

#endif
