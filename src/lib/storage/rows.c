/*
 * rows.c - query rows as JSON objects (see rows.h).
 *
 * The one converter from a database row to what a listing returns.  It
 * reads values through db.h only and never formats SQL.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "storage/rows.h"
#include "storage/db.h"
#include "base/common.h"
#include "base/json.h"

sv_json *sv_row_json(sv_stmt *st, const sv_col *cols)
{
	sv_json *o = sv_json_object();
	int error = 0;

	if (!o)
		return NULL;
	for (int i = 0; cols[i].type && error == 0; i++) {
		const char *key = cols[i].key, *s;

		if (!key)
			continue;
		switch (cols[i].type) {
		case SV_COL_TEXT:
			error = sv_json_set_str(o, key, sv_stmt_text(st, i));
			break;
		case SV_COL_OPT:
			if ((s = sv_stmt_text(st, i)) && *s)
				error = sv_json_set_str(o, key, s);
			break;
		case SV_COL_INT:
			error = sv_stmt_null(st, i) ? sv_json_set(o, key, sv_json_null())
						    : sv_json_set_int(o, key, sv_stmt_int(st, i));
			break;
		case SV_COL_BOOL:
			error = sv_json_set_bool(o, key, sv_stmt_int(st, i) != 0);
			break;
		case SV_COL_SHA256: {
			size_t len = 0;
			const unsigned char *b = sv_stmt_blob(st, i, &len);
			char hex[65];

			if (!b || len != 32)
				snprintf(hex, sizeof(hex), "damaged");
			else
				sv_hex(hex, b, len);
			error = sv_json_set_str(o, key, hex);
			break;
		}
		case SV_COL_HEX: {
			size_t len = 0;
			const unsigned char *b = sv_stmt_blob(st, i, &len);
			char *hex;

			if (!b) {
				error = sv_json_set(o, key, sv_json_null());
				break;
			}
			if (!(hex = sv_malloc(2 * len + 1))) {
				error = SCRVAULT_ERROR;
				break;
			}
			sv_hex(hex, b, len);
			error = sv_json_set_str(o, key, hex);
			free(hex);
			break;
		}
		}
	}
	if (error < 0) {
		sv_json_free(o);
		return NULL;
	}
	return o;
}

/* sv_rows_json's and sv_row_one_json's rows: converted by `cols`, kept or
 * not by `keep`; for one row, into *one. */
typedef struct {
	const sv_col *cols;
	sv_row_keep_fn keep;
	void *ctx;
	sv_json **one;
} rows_as;

static int row_as(void *r_, sv_stmt *st, sv_json *arr)
{
	rows_as *r = r_;

	if (r->one)
		return (*r->one = sv_row_json(st, r->cols)) ? 1 : SCRVAULT_ERROR;
	if (r->keep && !r->keep(r->ctx, st))
		return 0;
	return sv_json_append(arr, sv_row_json(st, r->cols));
}

/* An array being built: each row through `add`. */
typedef struct {
	sv_row_add_fn add;
	void *ctx;
	sv_json *arr;
} rows_build;

static int build_row(void *b_, sv_stmt *st)
{
	rows_build *b = b_;

	return b->add(b->ctx, st, b->arr);
}

static int vbuild(sv_json **out, sv_db *db, sv_row_add_fn add, void *ctx, const char *sql, const char *fmt,
		  va_list ap)
{
	rows_build b = { add, ctx, sv_json_array() };
	int error;

	*out = NULL;
	if (!b.arr)
		return SCRVAULT_ERROR;
	if ((error = sv_db_veach(db, build_row, &b, sql, fmt, ap)) < 0) {
		sv_json_free(b.arr);
		return error;
	}
	*out = b.arr;
	return 0;
}

int sv_rows_build(sv_json **out, sv_db *db, sv_row_add_fn add, void *ctx, const char *sql, const char *fmt, ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = vbuild(out, db, add, ctx, sql, fmt, ap);
	va_end(ap);
	return error;
}

int sv_rows_json(sv_json **out, sv_db *db, const sv_col *cols, sv_row_keep_fn keep, void *ctx,
		 const char *sql, const char *fmt, ...)
{
	rows_as r = { cols, keep, ctx, NULL };
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = vbuild(out, db, row_as, &r, sql, fmt, ap);
	va_end(ap);
	return error;
}

/* One row: no array is built, the row's function sets *one and stops. */
int sv_row_one_json(sv_json **out, sv_db *db, const sv_col *cols, const char *sql, const char *fmt, ...)
{
	rows_as r = { cols, NULL, NULL, out };
	va_list ap;
	int error;

	*out = NULL;
	va_start(ap, fmt);
	error = sv_db_veach(db, build_row, &(rows_build){ row_as, &r, NULL }, sql, fmt, ap);
	va_end(ap);
	return error;
}
