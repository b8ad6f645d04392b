/*
 * jsonpub.c - the public, read-only face of the JSON module.
 */
#include <stdlib.h>
#include "scrvault/json.h"
#include "json.h"

void scrvault_json_free(scrvault_json *j) { sv_json_free(j); }

char *scrvault_json_text(const scrvault_json *j)
{
	char *out = NULL;
	size_t len;

	return sv_json_write(&out, &len, j) < 0 ? NULL : out;
}

const scrvault_json *scrvault_json_get(const scrvault_json *o, const char *k) { return o ? sv_json_get(o, k) : NULL; }
const char *scrvault_json_str(const scrvault_json *j) { return j ? sv_json_str(j) : NULL; }
int64_t scrvault_json_int(const scrvault_json *j) { return j ? sv_json_as_int(j) : 0; }
bool scrvault_json_bool(const scrvault_json *j) { return j ? sv_json_as_bool(j) : false; }
bool scrvault_json_is_null(const scrvault_json *j) { return !j || sv_json_type_of(j) == SV_JSON_NULL; }
size_t scrvault_json_count(const scrvault_json *j) { return j ? sv_json_count(j) : 0; }
const scrvault_json *scrvault_json_at(const scrvault_json *a, size_t i) { return a ? sv_json_at(a, i) : NULL; }
