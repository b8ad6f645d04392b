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

#endif
