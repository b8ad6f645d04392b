/*
 * rows.h - query rows as JSON objects, for listings (rows.c).
 *
 * One description of the columns replaces a hand-written converter per
 * listing:
 *
 *   sv_rows_json(&arr, db, SV_COLS({ "ref", SV_COL_TEXT }, { "documents", SV_COL_INT }),
 *                "SELECT ref, (SELECT count(*) ...) FROM cases ORDER BY ref", "");
 *
 * Column i of the row becomes member cols[i].key; a NULL key skips the
 * column (a value the caller uses some other way).
 */
#ifndef SV_STORAGE_ROWS_H
#define SV_STORAGE_ROWS_H

#include "storage/db.h"
#include "base/json.h"
#include "base/common.h"

typedef enum {
	SV_COL_TEXT = 1,	/* a string; SQL NULL is null */
	SV_COL_OPT,		/* a string; left out when NULL or empty */
	SV_COL_INT,		/* an integer; SQL NULL is null */
	SV_COL_BOOL,		/* an integer read as true / false */
	SV_COL_HEX,		/* a blob as lower-case hex; NULL is null */
	SV_COL_SHA256		/* a 32-byte digest as hex; anything else is "damaged" */
} sv_col_type;

typedef struct {
	const char *key;
	sv_col_type type;
} sv_col;

#define SV_COLS(...)	((const sv_col[]){ __VA_ARGS__, { NULL, 0 } })

/* The current row of `st` as an object (NULL on failure, error set). */
sv_json *sv_row_json(sv_stmt *st, const sv_col *cols);

/*
 * Every row of the query as an array of objects.  `keep` (NULL: keep all)
 * may leave a row out: it is called with the row before conversion and
 * returns false to skip it (a listing filtered by what the session sees).
 */
typedef bool (*sv_row_keep_fn)(void *ctx, sv_stmt *st);
int sv_rows_json(sv_json **out, sv_db *db, const sv_col *cols, sv_row_keep_fn keep, void *ctx,
		 const char *sql, const char *fmt, ...);

/*
 * Every row of the query through `add`, which appends what it makes of it
 * to `arr` (or nothing; <0 stops with that error): the array, or the error
 * and nothing.  For listings whose rows are more than their columns.
 */
typedef int (*sv_row_add_fn)(void *ctx, sv_stmt *st, sv_json *arr);
int sv_rows_build(sv_json **out, sv_db *db, sv_row_add_fn add, void *ctx, const char *sql, const char *fmt, ...);

/* The first row of the query as an object: 1 and *out set; 0 (*out NULL)
 * when there is none. */
int sv_row_one_json(sv_json **out, sv_db *db, const sv_col *cols, const char *sql, const char *fmt, ...);

#endif
