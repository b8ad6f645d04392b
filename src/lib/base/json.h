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

#include <stdio.h>

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

/*
 * Typed members, for building an object from C values without building a
 * tree by hand (an audit entry's details, a result):
 *
 *   sv_json_set_fields(o, SV_FIELDS(SV_STR("sha256", hex), SV_INT("size", n)));
 *
 * SV_STR sets a string (NULL sets null, as sv_json_set_str); SV_OPT leaves
 * the member out when the string is NULL or empty; SV_INT, SV_BOOL; SV_SUB
 * a nested object of its own fields; SV_VAL a value the caller owns (copied);
 * SV_MERGE every member of an object the caller owns (copied), for a report
 * that a result and an audit entry share; SV_IF(cond, field) a field only
 * when cond holds.
 */
typedef enum { SV_F_END = 0, SV_F_STR, SV_F_OPT, SV_F_INT, SV_F_BOOL, SV_F_SUB, SV_F_VAL, SV_F_MERGE,
	       SV_F_SKIP, SV_F_SPLICE } sv_field_type;
typedef struct sv_field {
	const char *key;
	sv_field_type type;
	const char *s;
	int64_t i;
	const struct sv_field *sub;
	const struct sv_json *val;
} sv_field;
#define SV_STR(k, v)	((sv_field){ .key = (k), .type = SV_F_STR, .s = (v) })
#define SV_OPT(k, v)	((sv_field){ .key = (k), .type = SV_F_OPT, .s = (v) })
#define SV_INT(k, v)	((sv_field){ .key = (k), .type = SV_F_INT, .i = (int64_t)(v) })
#define SV_BOOL(k, v)	((sv_field){ .key = (k), .type = SV_F_BOOL, .i = (v) ? 1 : 0 })
#define SV_SUB(k, f)	((sv_field){ .key = (k), .type = SV_F_SUB, .sub = (f) })
#define SV_VAL(k, j)	((sv_field){ .key = (k), .type = SV_F_VAL, .val = (j) })
#define SV_MERGE(j)	((sv_field){ .type = SV_F_MERGE, .val = (j) })
/* The fields of another list, here (NULL: none). */
#define SV_SPLICE(f)	((sv_field){ .type = SV_F_SPLICE, .sub = (f) })
/* Field `f` only when `c` holds. */
#define SV_IF(c, f)	((c) ? (f) : (sv_field){ .type = SV_F_SKIP })
/* A field list, ended for you. */
#define SV_FIELDS(...)	((const sv_field[]){ __VA_ARGS__, { .type = SV_F_END } })

/* Set each field of `fields` (NULL: none) on `obj`; <0 with nothing half-set
 * reported as success. */
int sv_json_set_fields(sv_json *obj, const sv_field *fields);
/* A new object of `fields` (NULL on failure, as the constructors: it may be
 * given straight to sv_json_append or sv_json_set). */
sv_json *sv_json_of(const sv_field *fields);
/* The same into *out (a call's result): 0, or SCRVAULT_ERROR with *out NULL. */
int sv_json_new(sv_json **out, const sv_field *fields);
/* A deep copy of `j` (NULL on failure). */
sv_json *sv_json_copy(const sv_json *j);

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

/*
 * One CSV field and its separator (a newline when last): quoted when it
 * holds a comma, quote or line break; a text starting =, +, - or @ is
 * quoted and led by an apostrophe, so that no spreadsheet reads a formula
 * from it.  NULL is an empty field.
 */
void sv_csv_field(FILE *out, const char *s, bool last);

#endif
