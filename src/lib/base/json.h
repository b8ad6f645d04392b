/*
 * json.h - the one JSON module: canonical writer and strict parser.
 *
 * Canonical form (the audit entry format, DESIGN §8): UTF-8, object keys
 * sorted by their UTF-8 bytes, no insignificant whitespace, integers only
 * (no fractions or exponents), strings escaped minimally: '"', '\\' and the
 * control characters below 0x20 (as \b \f \n \r \t or \u00XX), everything
 * else literal.  The same value always serialises to the same bytes.
 *
 * The parser accepts standard JSON (RFC 8259) with integer numbers only,
 * rejects duplicate keys, invalid UTF-8 and nesting deeper than 64, and can
 * tell whether its input was canonical.
 */
#ifndef SV_JSON_H
#define SV_JSON_H

#include "base/common.h"

typedef enum {
	SV_JSON_NULL, SV_JSON_BOOL, SV_JSON_INT, SV_JSON_STRING,
	SV_JSON_ARRAY, SV_JSON_OBJECT
} sv_json_type;

typedef struct sv_json sv_json;

/* Constructors; NULL on allocation failure (error set). */
sv_json *sv_json_object(void);
sv_json *sv_json_array(void);
sv_json *sv_json_string(const char *s);		/* must be valid UTF-8 */
sv_json *sv_json_int(int64_t v);
sv_json *sv_json_bool(bool v);
sv_json *sv_json_null(void);
void sv_json_free(sv_json *j);			/* NULL-safe, recursive */

/*
 * Object and array building.  The set/append functions take ownership of
 * `v` in every case (freed on failure), so calls can be chained without
 * leaks: sv_json_set(o, "k", sv_json_string(x)) fails cleanly if the
 * constructor returned NULL.  Setting an existing key replaces its value.
 */
int sv_json_set(sv_json *obj, const char *key, sv_json *v);
int sv_json_append(sv_json *arr, sv_json *v);
/* Conveniences: set a string (NULL value sets null), an integer, a bool. */
int sv_json_set_str(sv_json *obj, const char *key, const char *s);
int sv_json_set_int(sv_json *obj, const char *key, int64_t v);
int sv_json_set_bool(sv_json *obj, const char *key, bool v);

/* Canonical serialisation into a new NUL-terminated string. */
int sv_json_write(char **out, size_t *len, const sv_json *j);

/*
 * Parse `len` bytes.  *canonical (if not NULL) is set to whether the input
 * was byte-for-byte the canonical serialisation of what it parsed to.
 * Malformed input returns SCRVAULT_EINTEGRITY with a message giving the
 * byte offset.
 */
int sv_json_parse(sv_json **out, const char *text, size_t len, bool *canonical);

/* Reading. */
sv_json_type sv_json_type_of(const sv_json *j);
const sv_json *sv_json_get(const sv_json *obj, const char *key);	/* NULL if absent */
const char *sv_json_str(const sv_json *j);	/* NULL unless a string */
int64_t sv_json_as_int(const sv_json *j);	/* 0 unless an integer */
bool sv_json_as_bool(const sv_json *j);
size_t sv_json_count(const sv_json *j);		/* array items or object members */
const sv_json *sv_json_at(const sv_json *arr, size_t i);
/* i-th member of an object in key order. */
const char *sv_json_key_at(const sv_json *obj, size_t i);

#endif
