/*
 * scrvault/json.h - read-only access to the JSON values that listings and
 * reports return.  Every list or show call in the library answers with one
 * JSON value so that a program gets exactly what a person sees in a table.
 */
#ifndef SCRVAULT_JSON_H
#define SCRVAULT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sv_json scrvault_json;

void scrvault_json_free(scrvault_json *j);
/* Parse `len` bytes of JSON (a message from a peer): 0, or SCRVAULT_EINTEGRITY. */
int scrvault_json_parse(scrvault_json **out, const char *text, size_t len);
/* Canonical serialisation; caller frees with free(). NULL on failure. */
char *scrvault_json_text(const scrvault_json *j);
/* The JSON text of the string `s` (quoted, escaped canonically; "" for
 * NULL); the caller frees it.  NULL on failure or when `s` is not UTF-8. */
char *scrvault_json_quote(const char *s);
/*
 * A list of rows (an array of objects with the same members, as a listing
 * answers) as a CSV table: a header of the first row's member names, then
 * one line per row (null: an empty field; a text that a spreadsheet would
 * read as a formula is led by an apostrophe).  Caller frees; NULL on
 * failure or when `rows` is not an array of objects.
 */
char *scrvault_json_csv(const scrvault_json *rows);
const scrvault_json *scrvault_json_get(const scrvault_json *obj, const char *key);
const char *scrvault_json_str(const scrvault_json *j);
int64_t scrvault_json_int(const scrvault_json *j);
bool scrvault_json_bool(const scrvault_json *j);
bool scrvault_json_is_null(const scrvault_json *j);
/* Set member `key` of the object `obj` to the string s (NULL: null): 0 or an error code
 * (e.g. a client putting its own file name where a service answered with its own). */
int scrvault_json_set_str(scrvault_json *obj, const char *key, const char *s);
size_t scrvault_json_count(const scrvault_json *j);
const scrvault_json *scrvault_json_at(const scrvault_json *arr, size_t i);

/*
 * For listings too long to hold as one value: the *_each calls give each row
 * to a function like this, in order, and free it when it returns.  A negative
 * return stops the listing, which then returns that value.
 */
typedef int (*scrvault_row_fn)(void *ctx, const scrvault_json *row);

#endif
