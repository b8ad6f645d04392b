/*
 * json.c - canonical JSON writer and strict parser (see json.h).
 *
 * Values are a small tagged tree.  Objects keep their members sorted by key
 * bytes (unsigned memcmp, a key that is a prefix of another sorts first), so
 * serialisation needs no sorting and lookup is a binary search.  Strings are
 * NUL-terminated and always valid UTF-8: the constructors check what callers
 * pass in and the parser checks what it decodes, so the writer can copy
 * bytes without looking at them again.
 *
 * The parser is a recursive descent bounded by SV_JSON_MAX_DEPTH nested
 * containers; the writer enforces the same bound so that anything it emits
 * can be parsed back (and so a cycle built by mistake fails instead of
 * recursing forever).  While parsing it notes every place where the input
 * differs from the canonical form - whitespace, an escape the writer would
 * not use, "-0", keys out of order - which is exactly the set of ways an
 * accepted document can differ from its canonical serialisation.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/json.h"
#include "base/common.h"
#include "scrvault/json.h"

#define SV_JSON_MAX_DEPTH 64

typedef struct {
	char *key;
	size_t keylen;
	sv_json *val;
} json_member;

struct sv_json {
	sv_json_type type;
	union {
		bool b;
		int64_t i;
		struct {
			char *s;
			size_t len;
		} str;
		struct {
			sv_json **items;
			size_t n, cap;
		} arr;
		struct {
			json_member *m;
			size_t n, cap;
		} obj;
	} u;
};

/*
 * UTF-8
 */

/*
 * Length of the well-formed UTF-8 sequence at `s` (at most `avail` bytes),
 * or 0 if it is not one: overlong forms, surrogates, code points above
 * U+10FFFF, stray continuation bytes and truncated sequences are rejected.
 */
static size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (avail < n)
		return 0;

	/* The second byte carries the overlong, surrogate and range limits. */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static bool utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		if (s[i] < 0x80) {	/* ASCII, most of what is written: no call */
			i++;
			continue;
		}
		if ((n = utf8_seq_len(s + i, len - i)) == 0)
			return false;
		i += n;
	}
	return true;
}

/* Encode a scalar value (not a surrogate, at most U+10FFFF); returns bytes. */
static size_t utf8_encode(unsigned char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Construction and destruction
 */

static sv_json *json_new(sv_json_type type)
{
	sv_json *j = sv_calloc(1, sizeof(*j));

	if (j)
		j->type = type;
	return j;
}

sv_json *sv_json_object(void)
{
	return json_new(SV_JSON_OBJECT);
}

sv_json *sv_json_array(void)
{
	return json_new(SV_JSON_ARRAY);
}

sv_json *sv_json_null(void)
{
	return json_new(SV_JSON_NULL);
}

sv_json *sv_json_bool(bool v)
{
	sv_json *j = json_new(SV_JSON_BOOL);

	if (j)
		j->u.b = v;
	return j;
}

sv_json *sv_json_int(int64_t v)
{
	sv_json *j = json_new(SV_JSON_INT);

	if (j)
		j->u.i = v;
	return j;
}

/* Wrap an allocated, valid UTF-8 string; takes ownership of `s` always. */
static sv_json *json_string_owned(char *s, size_t len)
{
	sv_json *j = json_new(SV_JSON_STRING);

	if (!j) {
		free(s);
		return NULL;
	}
	j->u.str.s = s;
	j->u.str.len = len;
	return j;
}

sv_json *sv_json_string(const char *s)
{
	size_t len;
	char *copy;

	if (!s) {
		sv_error(SCRVAULT_EUSAGE, "json string is null");
		return NULL;
	}
	len = strlen(s);
	if (!utf8_valid((const unsigned char *)s, len)) {
		sv_error(SCRVAULT_EUSAGE, "json string is not valid utf-8");
		return NULL;
	}
	if ((copy = sv_strndup(s, len)) == NULL)
		return NULL;
	return json_string_owned(copy, len);
}

void sv_json_free(sv_json *j)
{
	size_t i;

	if (!j)
		return;
	switch (j->type) {
	case SV_JSON_STRING:
		free(j->u.str.s);
		break;
	case SV_JSON_ARRAY:
		for (i = 0; i < j->u.arr.n; i++)
			sv_json_free(j->u.arr.items[i]);
		free(j->u.arr.items);
		break;
	case SV_JSON_OBJECT:
		for (i = 0; i < j->u.obj.n; i++) {
			free(j->u.obj.m[i].key);
			sv_json_free(j->u.obj.m[i].val);
		}
		free(j->u.obj.m);
		break;
	default:
		break;
	}
	free(j);
}

/*
 * Object members
 */

static int key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/*
 * Find `key` in `obj`.  Returns true if present; *at is its index, or where
 * it would be inserted to keep the members sorted.  Sorted input appends,
 * so the last member is checked before searching.
 */
static bool obj_find(const sv_json *obj, const char *key, size_t keylen, size_t *at)
{
	const json_member *m = obj->u.obj.m;
	size_t lo = 0, hi = obj->u.obj.n;
	int c;

	if (hi > 0 && (c = key_cmp(m[hi - 1].key, m[hi - 1].keylen, key, keylen)) <= 0) {
		*at = c ? hi : hi - 1;
		return c == 0;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		c = key_cmp(m[mid].key, m[mid].keylen, key, keylen);
		if (c == 0) {
			*at = mid;
			return true;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return false;
}

/*
 * Insert a new member at index `at` (from obj_find).  Takes ownership of
 * `key` and `v` on success only.
 */
static int obj_insert(sv_json *obj, size_t at, char *key, size_t keylen, sv_json *v)
{
	json_member *m;
	int error;

	if ((error = sv_grow(&obj->u.obj.m, &obj->u.obj.cap, obj->u.obj.n + 1, sizeof(*m), 4)) < 0)
		return error;
	m = obj->u.obj.m;
	memmove(m + at + 1, m + at, (obj->u.obj.n - at) * sizeof(*m));
	m[at].key = key;
	m[at].keylen = keylen;
	m[at].val = v;
	obj->u.obj.n++;
	return 0;
}

int sv_json_set(sv_json *obj, const char *key, sv_json *v)
{
	size_t keylen, at;
	char *copy = NULL;
	int error;

	if (!v) {
		error = sv_error_wrap(SCRVAULT_ERROR, "json member '%s'", key ? key : "(null)");
		goto cleanup;
	}
	if (v == obj)	/* not ours to free: the caller still owns `obj` */
		return sv_error(SCRVAULT_EUSAGE, "json object cannot contain itself");
	if (!obj || obj->type != SV_JSON_OBJECT || !key) {
		error = sv_error(SCRVAULT_EUSAGE, "json set needs an object and a key");
		goto cleanup;
	}
	keylen = strlen(key);
	if (!utf8_valid((const unsigned char *)key, keylen)) {
		error = sv_error(SCRVAULT_EUSAGE, "json key is not valid utf-8");
		goto cleanup;
	}

	if (obj_find(obj, key, keylen, &at)) {
		if (obj->u.obj.m[at].val != v)
			sv_json_free(obj->u.obj.m[at].val);
		obj->u.obj.m[at].val = v;
		return 0;
	}
	if ((copy = sv_strndup(key, keylen)) == NULL) {
		error = SCRVAULT_ERROR;
		goto cleanup;
	}
	if ((error = obj_insert(obj, at, copy, keylen, v)) < 0)
		goto cleanup;
	return 0;

cleanup:
	free(copy);
	sv_json_free(v);
	return error;
}

int sv_json_append(sv_json *arr, sv_json *v)
{
	int error;

	if (!v) {
		error = sv_error_wrap(SCRVAULT_ERROR, "json array item");
		goto cleanup;
	}
	if (v == arr)	/* not ours to free: the caller still owns `arr` */
		return sv_error(SCRVAULT_EUSAGE, "json array cannot contain itself");
	if (!arr || arr->type != SV_JSON_ARRAY) {
		error = sv_error(SCRVAULT_EUSAGE, "json append needs an array");
		goto cleanup;
	}
	if ((error = sv_grow(&arr->u.arr.items, &arr->u.arr.cap, arr->u.arr.n + 1, sizeof(sv_json *), 4)) < 0)
		goto cleanup;
	arr->u.arr.items[arr->u.arr.n++] = v;
	return 0;

cleanup:
	sv_json_free(v);
	return error;
}

int sv_json_set_str(sv_json *obj, const char *key, const char *s)
{
	size_t len;
	char *copy;

	if (!s)
		return sv_json_set(obj, key, sv_json_null());
	/* Checked here (once) so that bad input reports a usage error, not a generic one. */
	len = strlen(s);
	if (!utf8_valid((const unsigned char *)s, len))
		return sv_error(SCRVAULT_EUSAGE, "json member '%s' is not valid utf-8",
			key ? key : "(null)");
	copy = sv_strndup(s, len);
	return sv_json_set(obj, key, copy ? json_string_owned(copy, len) : NULL);
}

int sv_json_set_int(sv_json *obj, const char *key, int64_t v)
{
	return sv_json_set(obj, key, sv_json_int(v));
}

int sv_json_set_bool(sv_json *obj, const char *key, bool v)
{
	return sv_json_set(obj, key, sv_json_bool(v));
}

sv_json *sv_json_copy(const sv_json *j)
{
	sv_json *c = NULL;
	size_t i;

	if (!j)
		return sv_json_null();
	switch (j->type) {
	case SV_JSON_NULL:
		return sv_json_null();
	case SV_JSON_BOOL:
		return sv_json_bool(j->u.b);
	case SV_JSON_INT:
		return sv_json_int(j->u.i);
	case SV_JSON_STRING: {
		char *copy = sv_malloc(j->u.str.len + 1);

		if (!copy)
			return NULL;
		memcpy(copy, j->u.str.s, j->u.str.len + 1);
		return json_string_owned(copy, j->u.str.len);
	}
	case SV_JSON_ARRAY:
		if (!(c = sv_json_array()))
			return NULL;
		for (i = 0; i < j->u.arr.n; i++)
			if (sv_json_append(c, sv_json_copy(j->u.arr.items[i])) < 0)
				goto fail;
		return c;
	case SV_JSON_OBJECT:
		if (!(c = sv_json_object()))
			return NULL;
		for (i = 0; i < j->u.obj.n; i++)
			if (sv_json_set(c, j->u.obj.m[i].key, sv_json_copy(j->u.obj.m[i].val)) < 0)
				goto fail;
		return c;
	}
fail:
	sv_json_free(c);
	return NULL;
}

sv_json *sv_json_of(const sv_field *fields)
{
	sv_json *o = sv_json_object();
	size_t n = 0;

	/* room for the members named at the top level, in one allocation */
	while (fields && fields[n].type != SV_F_END)
		n++;
	if (o && n && sv_grow(&o->u.obj.m, &o->u.obj.cap, n, sizeof(*o->u.obj.m), n) < 0) {
		sv_json_free(o);
		return NULL;
	}
	if (o && sv_json_set_fields(o, fields) < 0) {
		sv_json_free(o);
		return NULL;
	}
	return o;
}

int sv_json_new(sv_json **out, const sv_field *fields)
{
	return (*out = sv_json_of(fields)) ? 0 : SCRVAULT_ERROR;
}

int sv_json_set_fields(sv_json *obj, const sv_field *f)
{
	int error = 0;

	for (; f && f->type != SV_F_END && error == 0; f++) {
		switch (f->type) {
		case SV_F_STR:
			error = sv_json_set_str(obj, f->key, f->s);
			break;
		case SV_F_OPT:
			if (f->s && *f->s)
				error = sv_json_set_str(obj, f->key, f->s);
			break;
		case SV_F_INT:
			error = sv_json_set_int(obj, f->key, f->i);
			break;
		case SV_F_BOOL:
			error = sv_json_set_bool(obj, f->key, f->i != 0);
			break;
		case SV_F_SUB: {
			sv_json *sub = sv_json_object();

			if (!sub || (error = sv_json_set_fields(sub, f->sub)) < 0) {
				sv_json_free(sub);
				error = SCRVAULT_ERROR;
				break;
			}
			error = sv_json_set(obj, f->key, sub);
			break;
		}
		case SV_F_VAL:
			error = sv_json_set(obj, f->key, sv_json_copy(f->val));
			break;
		case SV_F_MERGE:
			for (size_t i = 0; error == 0 && f->val && f->val->type == SV_JSON_OBJECT &&
					   i < f->val->u.obj.n; i++)
				error = sv_json_set(obj, f->val->u.obj.m[i].key, sv_json_copy(f->val->u.obj.m[i].val));
			break;
		case SV_F_SPLICE:
			error = sv_json_set_fields(obj, f->sub);
			break;
		case SV_F_END:
		case SV_F_SKIP:
			break;
		}
	}
	return error < 0 ? error : 0;
}

/*
 * Reading
 */

sv_json_type sv_json_type_of(const sv_json *j)
{
	return j ? j->type : SV_JSON_NULL;
}

const sv_json *sv_json_get(const sv_json *obj, const char *key)
{
	size_t at;

	if (!obj || obj->type != SV_JSON_OBJECT || !key)
		return NULL;
	if (!obj_find(obj, key, strlen(key), &at))
		return NULL;
	return obj->u.obj.m[at].val;
}

const char *sv_json_str(const sv_json *j)
{
	return j && j->type == SV_JSON_STRING ? j->u.str.s : NULL;
}

int64_t sv_json_as_int(const sv_json *j)
{
	return j && j->type == SV_JSON_INT ? j->u.i : 0;
}

bool sv_json_as_bool(const sv_json *j)
{
	return j && j->type == SV_JSON_BOOL ? j->u.b : false;
}

size_t sv_json_count(const sv_json *j)
{
	if (!j)
		return 0;
	if (j->type == SV_JSON_ARRAY)
		return j->u.arr.n;
	if (j->type == SV_JSON_OBJECT)
		return j->u.obj.n;
	return 0;
}

const sv_json *sv_json_at(const sv_json *arr, size_t i)
{
	if (!arr || arr->type != SV_JSON_ARRAY || i >= arr->u.arr.n)
		return NULL;
	return arr->u.arr.items[i];
}

const char *sv_json_key_at(const sv_json *obj, size_t i)
{
	if (!obj || obj->type != SV_JSON_OBJECT || i >= obj->u.obj.n)
		return NULL;
	return obj->u.obj.m[i].key;
}

/*
 * Writer
 */

typedef struct {
	char *buf;
	size_t len, cap;
} json_buf;

static int buf_put(json_buf *b, const char *s, size_t n)
{
	if (n < b->cap - b->len) {	/* room for the bytes and the NUL: most calls */
		memcpy(b->buf + b->len, s, n);
		b->len += n;
		b->buf[b->len] = '\0';
		return 0;
	}
	if (n >= SIZE_MAX - b->len)
		return sv_error(SCRVAULT_ERROR, "out of memory");
	if (sv_grow(&b->buf, &b->cap, b->len + n + 1, 1, 256) < 0)
		return SCRVAULT_ERROR;
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
	return 0;
}

/* The canonical escape for byte `c`, or NULL if it is written as itself. */
static const char *escape_for(unsigned char c, char tmp[7])
{
	static const char hex[] = "0123456789abcdef";

	switch (c) {
	case '"': return "\\\"";
	case '\\': return "\\\\";
	case '\b': return "\\b";
	case '\f': return "\\f";
	case '\n': return "\\n";
	case '\r': return "\\r";
	case '\t': return "\\t";
	default:
		break;
	}
	if (c >= 0x20)
		return NULL;
	memcpy(tmp, "\\u00", 4);
	tmp[4] = hex[c >> 4];
	tmp[5] = hex[c & 15];
	tmp[6] = '\0';
	return tmp;
}

/* 1 for a byte written as itself in a string: not a control, '"' or '\\'. */
static const unsigned char json_plain[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static int write_string(json_buf *b, const char *s, size_t len)
{
	size_t i, run = 0;
	char tmp[7];
	const char *esc;
	int error;

	if ((error = buf_put(b, "\"", 1)) < 0)
		return error;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		/* only controls, '"' and '\\' are escaped (escape_for) */
		if (json_plain[c] || (esc = escape_for(c, tmp)) == NULL)
			continue;
		if ((error = buf_put(b, s + run, i - run)) < 0 ||
		    (error = buf_put(b, esc, strlen(esc))) < 0)
			return error;
		run = i + 1;
	}
	if ((error = buf_put(b, s + run, len - run)) < 0)
		return error;
	return buf_put(b, "\"", 1);
}

static int write_value(json_buf *b, const sv_json *j, int depth)
{
	char num[32];
	size_t i;
	int n, error = 0;

	if ((j->type == SV_JSON_ARRAY || j->type == SV_JSON_OBJECT) &&
	    depth >= SV_JSON_MAX_DEPTH)
		return sv_error(SCRVAULT_EUSAGE, "json nesting deeper than %d",
			SV_JSON_MAX_DEPTH);

	switch (j->type) {
	case SV_JSON_NULL:
		return buf_put(b, "null", 4);
	case SV_JSON_BOOL:
		return j->u.b ? buf_put(b, "true", 4) : buf_put(b, "false", 5);
	case SV_JSON_INT:
		n = snprintf(num, sizeof(num), "%" PRId64, j->u.i);
		return buf_put(b, num, (size_t)n);
	case SV_JSON_STRING:
		return write_string(b, j->u.str.s, j->u.str.len);
	case SV_JSON_ARRAY:
		if ((error = buf_put(b, "[", 1)) < 0)
			return error;
		for (i = 0; i < j->u.arr.n; i++) {
			if ((i > 0 && (error = buf_put(b, ",", 1)) < 0) ||
			    (error = write_value(b, j->u.arr.items[i], depth + 1)) < 0)
				return error;
		}
		return buf_put(b, "]", 1);
	case SV_JSON_OBJECT:
		if ((error = buf_put(b, "{", 1)) < 0)
			return error;
		for (i = 0; i < j->u.obj.n; i++) {
			const json_member *m = &j->u.obj.m[i];

			if ((i > 0 && (error = buf_put(b, ",", 1)) < 0) ||
			    (error = write_string(b, m->key, m->keylen)) < 0 ||
			    (error = buf_put(b, ":", 1)) < 0 ||
			    (error = write_value(b, m->val, depth + 1)) < 0)
				return error;
		}
		return buf_put(b, "}", 1);
	}
	return sv_error(SCRVAULT_ERROR, "json value of unknown type");
}

int sv_json_write(char **out, size_t *len, const sv_json *j)
{
	json_buf b = { NULL, 0, 0 };
	int error;

	if (!out)
		return sv_error(SCRVAULT_EUSAGE, "json write needs an output");
	*out = NULL;
	if (len)
		*len = 0;
	if (!j)
		return sv_error(SCRVAULT_EUSAGE, "json write needs a value");

	if ((error = write_value(&b, j, 0)) < 0)
		goto cleanup;
	*out = b.buf;
	if (len)
		*len = b.len;
	return 0;

cleanup:
	free(b.buf);
	return error;
}

/*
 * Parser
 */

typedef struct {
	const unsigned char *p;
	size_t len, pos;
	bool canonical;
} json_parser;

/* Report malformed input at the current offset. */
static int parse_fail(const json_parser *ps, const char *what)
{
	if (ps->pos >= ps->len)
		what = "unexpected end of input";
	return sv_error(SCRVAULT_EINTEGRITY, "invalid json at byte %zu: %s", ps->pos, what);
}

static int parse_fail_at(json_parser *ps, size_t pos, const char *what)
{
	ps->pos = pos;
	return parse_fail(ps, what);
}

static void skip_ws(json_parser *ps)
{
	size_t start = ps->pos;

	while (ps->pos < ps->len) {
		unsigned char c = ps->p[ps->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		ps->pos++;
	}
	if (ps->pos != start)
		ps->canonical = false;
}

static int hex4(const unsigned char *s, uint32_t *out, bool *lower)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		unsigned char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9') {
			v |= (uint32_t)(c - '0');
		} else if (c >= 'a' && c <= 'f') {
			v |= (uint32_t)(c - 'a' + 10);
		} else if (c >= 'A' && c <= 'F') {
			v |= (uint32_t)(c - 'A' + 10);
			*lower = false;
		} else {
			return -1;
		}
	}
	*out = v;
	return 0;
}

/*
 * Decode the \u escape at ps->pos (pointing at the backslash), including
 * the low half of a surrogate pair.  Advances past it.
 */
static int parse_u_escape(json_parser *ps, uint32_t *cp)
{
	const unsigned char *p = ps->p;
	size_t at = ps->pos;
	uint32_t lo;
	bool lower = true;

	if (ps->len - at < 6 || hex4(p + at + 2, cp, &lower) < 0)
		return parse_fail(ps, "invalid \\u escape");
	ps->pos += 6;
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return parse_fail_at(ps, at, "lone surrogate in \\u escape");
	if (*cp >= 0xd800 && *cp <= 0xdbff) {
		if (ps->len - ps->pos < 6 || p[ps->pos] != '\\' || p[ps->pos + 1] != 'u' ||
		    hex4(p + ps->pos + 2, &lo, &lower) < 0 || lo < 0xdc00 || lo > 0xdfff)
			return parse_fail_at(ps, at, "lone surrogate in \\u escape");
		*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
		ps->pos += 6;
	}
	if (*cp == 0)
		return parse_fail_at(ps, at, "nul character in string");

	/* The writer uses \u only for control characters without a short form. */
	if (*cp >= 0x20 || !lower || *cp == '\b' || *cp == '\f' || *cp == '\n' ||
	    *cp == '\r' || *cp == '\t')
		ps->canonical = false;
	return 0;
}

/*
 * Parse the string starting at ps->pos (a '"') into a new NUL-terminated,
 * valid UTF-8 buffer.
 */
static int parse_string(json_parser *ps, char **out, size_t *outlen)
{
	const unsigned char *p = ps->p;
	unsigned char *buf = NULL;
	size_t end, n = 0, seq;
	uint32_t cp;
	int error;

	*out = NULL;
	/* Find the closing quote: the decoded string is never longer. */
	for (end = ps->pos + 1; end < ps->len && p[end] != '"'; end++)
		if (p[end] == '\\')
			end++;
	if (end >= ps->len)
		return parse_fail_at(ps, ps->len, "unterminated string");
	if ((buf = sv_malloc(end - ps->pos)) == NULL)
		return SCRVAULT_ERROR;

	ps->pos++;
	while (p[ps->pos] != '"') {
		unsigned char c = p[ps->pos];

		if (c < 0x20) {
			error = parse_fail(ps, c ? "control character in string" :
				"nul character in string");
			goto cleanup;
		}
		if (c != '\\') {
			if ((seq = utf8_seq_len(p + ps->pos, ps->len - ps->pos)) == 0) {
				error = parse_fail(ps, "invalid utf-8 in string");
				goto cleanup;
			}
			memcpy(buf + n, p + ps->pos, seq);
			n += seq;
			ps->pos += seq;
			continue;
		}

		switch (p[ps->pos + 1]) {
		case '"': buf[n++] = '"'; break;
		case '\\': buf[n++] = '\\'; break;
		case '/': buf[n++] = '/'; ps->canonical = false; break;
		case 'b': buf[n++] = '\b'; break;
		case 'f': buf[n++] = '\f'; break;
		case 'n': buf[n++] = '\n'; break;
		case 'r': buf[n++] = '\r'; break;
		case 't': buf[n++] = '\t'; break;
		case 'u':
			if ((error = parse_u_escape(ps, &cp)) < 0)
				goto cleanup;
			n += utf8_encode(buf + n, cp);
			continue;
		default:
			error = parse_fail(ps, "invalid escape");
			goto cleanup;
		}
		ps->pos += 2;
	}
	ps->pos++;
	buf[n] = '\0';
	*out = (char *)buf;
	*outlen = n;
	return 0;

cleanup:
	free(buf);
	return error;
}

static int parse_int(json_parser *ps, int64_t *out)
{
	const unsigned char *p = ps->p;
	size_t start = ps->pos;
	uint64_t mag = 0, limit = (uint64_t)INT64_MAX;
	bool neg = false;

	if (p[ps->pos] == '-') {
		neg = true;
		limit++;
		ps->pos++;
	}
	if (ps->pos >= ps->len || p[ps->pos] < '0' || p[ps->pos] > '9')
		return parse_fail(ps, "expected a digit");
	if (p[ps->pos] == '0') {
		ps->pos++;
		if (ps->pos < ps->len && p[ps->pos] >= '0' && p[ps->pos] <= '9')
			return parse_fail(ps, "leading zero in number");
	} else {
		while (ps->pos < ps->len && p[ps->pos] >= '0' && p[ps->pos] <= '9') {
			unsigned d = p[ps->pos] - '0';

			if (mag > (limit - d) / 10)
				return parse_fail_at(ps, start, "integer out of range");
			mag = mag * 10 + d;
			ps->pos++;
		}
	}
	if (ps->pos < ps->len && p[ps->pos] == '.')
		return parse_fail(ps, "fractions are not allowed");
	if (ps->pos < ps->len && (p[ps->pos] == 'e' || p[ps->pos] == 'E'))
		return parse_fail(ps, "exponents are not allowed");

	if (!neg) {
		*out = (int64_t)mag;
		return 0;
	}
	if (mag == 0)
		ps->canonical = false;	/* "-0" */
	*out = mag == limit ? INT64_MIN : -(int64_t)mag;
	return 0;
}

/* true, false or null at ps->pos into *out. */
static int parse_literal(json_parser *ps, sv_json **out)
{
	static const char *const words[] = { "true", "false", "null" };

	for (size_t i = 0; i < SV_ARRAY_SIZE(words); i++) {
		size_t n = strlen(words[i]);

		if (ps->len - ps->pos >= n && memcmp(ps->p + ps->pos, words[i], n) == 0) {
			ps->pos += n;
			*out = i == 2 ? sv_json_null() : sv_json_bool(i == 0);
			return 0;
		}
	}
	return parse_fail(ps, "invalid literal");
}
static int parse_value(json_parser *ps, int depth, sv_json **out);

/* One member of an array or object at ps->pos, added to `c`. */
typedef int (*member_fn)(json_parser *ps, int depth, sv_json *c);

/*
 * An array or object `c` (NULL: out of memory) from its opening bracket at
 * ps->pos to `close`: each member by `member`, separated by ','.  *out is c,
 * or c is freed and the error returned.
 */
static int parse_container(json_parser *ps, int depth, sv_json **out, sv_json *c, char close, member_fn member)
{
	int error;

	if (c == NULL)
		return SCRVAULT_ERROR;
	ps->pos++;
	skip_ws(ps);
	if (ps->pos < ps->len && ps->p[ps->pos] == close) {
		ps->pos++;
		*out = c;
		return 0;
	}
	for (;;) {
		if ((error = member(ps, depth, c)) < 0)
			goto cleanup;
		skip_ws(ps);
		if (ps->pos < ps->len && ps->p[ps->pos] == close)
			break;
		if (ps->pos >= ps->len || ps->p[ps->pos] != ',') {
			error = parse_fail(ps, close == ']' ? "expected ',' or ']'" : "expected ',' or '}'");
			goto cleanup;
		}
		ps->pos++;
		skip_ws(ps);
	}
	ps->pos++;
	*out = c;
	return 0;

cleanup:
	sv_json_free(c);
	return error;
}

static int array_item(json_parser *ps, int depth, sv_json *arr)
{
	sv_json *item;
	int error;

	if ((error = parse_value(ps, depth, &item)) < 0)
		return error;
	return sv_json_append(arr, item);
}

/* "key": value, inserted in key order (a key out of order: not canonical). */
static int object_member(json_parser *ps, int depth, sv_json *obj)
{
	sv_json *val = NULL;
	char *key = NULL;
	size_t keylen, keypos = ps->pos, at;
	int error;

	if (ps->pos >= ps->len || ps->p[ps->pos] != '"')
		return parse_fail(ps, "expected a string key");
	if ((error = parse_string(ps, &key, &keylen)) < 0)
		goto cleanup;
	if (obj_find(obj, key, keylen, &at)) {
		error = parse_fail_at(ps, keypos, "duplicate key");
		goto cleanup;
	}
	if (at != obj->u.obj.n)
		ps->canonical = false;
	skip_ws(ps);
	if (ps->pos >= ps->len || ps->p[ps->pos] != ':') {
		error = parse_fail(ps, "expected ':'");
		goto cleanup;
	}
	ps->pos++;
	skip_ws(ps);
	if ((error = parse_value(ps, depth, &val)) < 0 ||
	    (error = obj_insert(obj, at, key, keylen, val)) < 0)
		goto cleanup;
	return 0;

cleanup:
	free(key);
	sv_json_free(val);
	return error;
}

static int parse_array(json_parser *ps, int depth, sv_json **out)
{
	return parse_container(ps, depth, out, sv_json_array(), ']', array_item);
}

static int parse_object(json_parser *ps, int depth, sv_json **out)
{
	return parse_container(ps, depth, out, sv_json_object(), '}', object_member);
}

/*
 * Parse one value at ps->pos (no leading whitespace).  `depth` is the
 * number of containers already open around it.
 */
static int parse_value(json_parser *ps, int depth, sv_json **out)
{
	char *s;
	size_t n;
	int64_t i = 0;
	int error;

	*out = NULL;
	if (ps->pos >= ps->len)
		return parse_fail(ps, "expected a value");

	switch (ps->p[ps->pos]) {
	case '{':
	case '[':
		if (depth >= SV_JSON_MAX_DEPTH)
			return parse_fail(ps, "nesting deeper than 64");
		if (ps->p[ps->pos] == '{')
			return parse_object(ps, depth + 1, out);
		return parse_array(ps, depth + 1, out);
	case '"':
		if ((error = parse_string(ps, &s, &n)) < 0)
			return error;
		*out = json_string_owned(s, n);
		break;
	case 't': case 'f': case 'n':
		if ((error = parse_literal(ps, out)) < 0)
			return error;
		break;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		if ((error = parse_int(ps, &i)) < 0)
			return error;
		*out = sv_json_int(i);
		break;
	default:
		return parse_fail(ps, "expected a value");
	}
	return *out ? 0 : SCRVAULT_ERROR;
}

int sv_json_parse(sv_json **out, const char *text, size_t len, bool *canonical)
{
	json_parser ps = { (const unsigned char *)text, len, 0, true };
	sv_json *j = NULL;
	int error;

	if (canonical)
		*canonical = false;
	if (!out)
		return sv_error(SCRVAULT_EUSAGE, "json parse needs an output");
	*out = NULL;
	if (!text && len)
		return sv_error(SCRVAULT_EUSAGE, "json parse needs input");
	if (len == 0)
		return sv_error(SCRVAULT_EINTEGRITY, "invalid json at byte 0: empty input");

	skip_ws(&ps);
	if ((error = parse_value(&ps, 0, &j)) < 0)
		goto cleanup;
	skip_ws(&ps);
	if (ps.pos != ps.len) {
		error = parse_fail(&ps, "trailing data after value");
		goto cleanup;
	}
	*out = j;
	if (canonical)
		*canonical = ps.canonical;
	return 0;

cleanup:
	sv_json_free(j);
	return error;
}

void scrvault_json_free(scrvault_json *j) { sv_json_free(j); }

int scrvault_json_parse(scrvault_json **out, const char *text, size_t len)
{
	return sv_json_parse(out, text, len, NULL);
}

char *scrvault_json_text(const scrvault_json *j)
{
	char *out = NULL;
	size_t len;

	return sv_json_write(&out, &len, j) < 0 ? NULL : out;
}

char *scrvault_json_quote(const char *s)
{
	sv_json *j = sv_json_string(s ? s : "");
	char *out = NULL;
	size_t len;

	if (!j)
		return NULL;
	if (sv_json_write(&out, &len, j) < 0)
		out = NULL;
	sv_json_free(j);
	return out;
}

const scrvault_json *scrvault_json_get(const scrvault_json *o, const char *k) { return o ? sv_json_get(o, k) : NULL; }

const char *scrvault_json_str(const scrvault_json *j) { return j ? sv_json_str(j) : NULL; }

int64_t scrvault_json_int(const scrvault_json *j) { return j ? sv_json_as_int(j) : 0; }

bool scrvault_json_bool(const scrvault_json *j) { return j ? sv_json_as_bool(j) : false; }

bool scrvault_json_is_null(const scrvault_json *j) { return !j || sv_json_type_of(j) == SV_JSON_NULL; }

int scrvault_json_set_str(scrvault_json *obj, const char *key, const char *s)
{
	if (!obj || !key || sv_json_type_of(obj) != SV_JSON_OBJECT)
		return sv_error(SCRVAULT_EUSAGE, "not a JSON object");
	return sv_json_set_str(obj, key, s);
}

size_t scrvault_json_count(const scrvault_json *j) { return j ? sv_json_count(j) : 0; }

const scrvault_json *scrvault_json_at(const scrvault_json *a, size_t i) { return a ? sv_json_at(a, i) : NULL; }

/* ---- CSV: a spreadsheet's table of rows ----------------------------------------- */

void sv_csv_field(FILE *out, const char *s, bool last)
{
	bool formula = s && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@');

	if (formula || (s && strpbrk(s, ",\"\r\n"))) {
		fputc('"', out);
		if (formula)
			fputc('\'', out);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', out);
			fputc(*s, out);
		}
		fputc('"', out);
	} else if (s) {
		fputs(s, out);
	}
	fputc(last ? '\n' : ',', out);
}

char *scrvault_json_csv(const scrvault_json *rows)
{
	const sv_json *first = sv_json_at(rows, 0);
	size_t ncols = first ? sv_json_count(first) : 0, len = 0;
	char *text = NULL;
	FILE *out;

	if (sv_json_type_of(rows) != SV_JSON_ARRAY || (first && sv_json_type_of(first) != SV_JSON_OBJECT) ||
	    !(out = open_memstream(&text, &len)))
		return NULL;
	for (size_t c = 0; c < ncols; c++)
		sv_csv_field(out, sv_json_key_at(first, c), c + 1 == ncols);
	for (size_t i = 0; i < sv_json_count(rows); i++) {
		const sv_json *row = sv_json_at(rows, i);

		for (size_t c = 0; c < ncols; c++) {
			const sv_json *x = sv_json_get(row, sv_json_key_at(first, c));
			char num[24];

			switch (x ? sv_json_type_of(x) : SV_JSON_NULL) {
			case SV_JSON_STRING:
				sv_csv_field(out, sv_json_str(x), c + 1 == ncols);
				break;
			case SV_JSON_INT:
				snprintf(num, sizeof(num), "%" PRId64, sv_json_as_int(x));
				sv_csv_field(out, num, c + 1 == ncols);
				break;
			case SV_JSON_BOOL:
				sv_csv_field(out, sv_json_as_bool(x) ? "true" : "false", c + 1 == ncols);
				break;
			default:
				sv_csv_field(out, NULL, c + 1 == ncols);
			}
		}
	}
	if (fclose(out) != 0) {
		free(text);
		return NULL;
	}
	return text;
}
