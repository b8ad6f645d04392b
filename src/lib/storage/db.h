/*
 * db.h - the encrypted database (VAULT/vault.db).
 *
 * db.c is the only file that includes <sqlite3.h> (SQLCipher).  It opens the
 * database with a raw 256-bit key (no KDF on open), checks that every cipher
 * setting took, and offers a small statement API with printf-like binding:
 *
 *   sv_db_run(db, "INSERT INTO t(a, b, c) VALUES (?, ?, ?)", "tib",
 *             "text", (int64_t)42, blob, (size_t)bloblen);
 *
 * Prepared statements are cached by the address of the SQL passed to
 * sv_db_run, sv_db_query and sv_db_int and reused only while the text at that
 * address is unchanged, so SQL may be a string literal or built at run time in
 * a buffer (a listing's optional filters).  Values are always bound, never
 * formatted into the text.
 *
 * Binding letters: t = const char * (NULL binds NULL), i = int64_t,
 * b = const void *, size_t (NULL binds NULL), n = NULL (no argument).
 */
#ifndef SV_DB_H
#define SV_DB_H

#include "crypto/crypto.h"
#include "base/common.h"
#include <stdarg.h>

typedef struct sv_db sv_db;
typedef struct sv_stmt sv_stmt;

/*
 * Open (or, with `create`, create) the database at `path` keyed with the
 * 32-byte `key`.  A wrong key or a file that is not a vault database returns
 * SCRVAULT_EDENIED; an existing file with `create` returns SCRVAULT_ECONFLICT.
 */
int sv_db_open(sv_db **out, const char *path, const sv_secret *key, bool create);
void sv_db_close(sv_db *db);
/* Opened read-only (a read-only file system or files the user cannot
 * write): every change fails, reading works. */
bool sv_db_readonly(const sv_db *db);

/* Run SQL with no result rows (may hold several statements, no binding). */
int sv_db_exec(sv_db *db, const char *sql);
/* Prepare, bind, step to completion. */
int sv_db_run(sv_db *db, const char *sql, const char *fmt, ...);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK (rollback never fails loudly). */
int sv_db_begin(sv_db *db);
int sv_db_commit(sv_db *db);
void sv_db_rollback(sv_db *db);
bool sv_db_in_txn(sv_db *db);

int64_t sv_db_last_rowid(sv_db *db);
int sv_db_changes(sv_db *db);

/* Prepare and bind; then step. */
int sv_db_query(sv_stmt **out, sv_db *db, const char *sql, const char *fmt, ...);
int sv_db_vquery(sv_stmt **out, sv_db *db, const char *sql, const char *fmt, va_list ap);
/* 1 when a row is ready, 0 when done, <0 on error. */
int sv_stmt_step(sv_stmt *st);
const char *sv_stmt_text(sv_stmt *st, int col);		/* NULL for NULL */
int64_t sv_stmt_int(sv_stmt *st, int col);
const unsigned char *sv_stmt_blob(sv_stmt *st, int col, size_t *len);
bool sv_stmt_null(sv_stmt *st, int col);
void sv_stmt_free(sv_stmt *st);
/*
 * Columns col, col + 1, ... of the current row as text into the buffers
 * given after it as (char *buf, size_t len) pairs, ended by NULL: each cut
 * to its buffer, NULL as "".  Loading a row into a record's fixed fields.
 */
void sv_stmt_texts(sv_stmt *st, int col, ...);

/*
 * Run a query and give each row to `row` while it returns 0 (1 stops it;
 * <0 is an error): 0 when the query is done, 1 when `row` stopped it, or the
 * first error.  The loop of every listing that builds its rows by hand.
 */
typedef int (*sv_stmt_fn)(void *ctx, sv_stmt *st);
int sv_db_each(sv_db *db, sv_stmt_fn row, void *ctx, const char *sql, const char *fmt, ...);
int sv_db_veach(sv_db *db, sv_stmt_fn row, void *ctx, const char *sql, const char *fmt, va_list ap);

/* Run a query expected to give at most one integer; *out unchanged if none.
 * Returns 1 if a row was found, 0 if not, <0 on error. */
int sv_db_int(int64_t *out, sv_db *db, const char *sql, const char *fmt, ...);

/* The same for a row of a text (into text[len], cut there; NULL as "") and an
 * integer (n NULL: the text alone); both unchanged if there is none. */
int sv_db_text_int(char *text, size_t len, int64_t *n, sv_db *db, const char *sql, const char *fmt, ...);

/* PRAGMA integrity_check; 0 when "ok". */
int sv_db_check(sv_db *db, char **detail);
/*
 * A consistent copy of `src` into a new database file at `path` keyed with
 * `key` (the same database key), through SQLite's online backup API.  The
 * copy is written without journal or syncs: the caller fsyncs what it keeps.
 */
int sv_db_backup_to(sv_db *src, const char *path, const sv_secret *key);


#endif
