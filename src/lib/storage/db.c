/*
 * db.c - the SQLCipher database.
 *
 * The only file that includes <sqlite3.h>.  It owns the database key only for
 * the moment of keying the connection: the hex form of the key is built in a
 * stack buffer and cleansed before return.  It never logs SQL or values.
 *
 * SQLCipher 3.4.1 accepts unknown cipher_* pragmas silently, so every
 * setting that matters is read back and checked.
 */
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#define SQLITE_HAS_CODEC 1
#include <sqlite3.h>
#include "storage/db.h"
#include "crypto/crypto.h"
#include "base/common.h"


#define SV_DB_PAGE_SIZE 4096
#define SV_DB_CACHE 48		/* prepared statements kept */
#define SV_DB_CACHE_KIB 8192	/* page cache, KiB */
#define SV_QUOTE_(x) #x
#define SV_QUOTE(x) SV_QUOTE_(x)

struct sv_stmt {
	sqlite3_stmt *h;
	sv_db *db;
	const char *sql;	/* the caller's pointer it was prepared from (cache key) */
	char *text;		/* cached: a copy of the text, checked on every hit */
	bool cached;		/* lives in db->cache: reset, never freed by callers */
	bool busy;
};

/*
 * Prepared statements are cached by the address of their SQL text, and a hit
 * counts only when the text there is still the text the statement was
 * prepared from.  Most callers pass string constants, where the address alone
 * would do; a caller that builds SQL in a buffer (a listing with optional
 * filters) passes the same address with different text from call to call,
 * and must get a statement for the text it passed, not the one before.  The
 * check is one strcmp of a few hundred bytes; preparing costs far more than
 * that, and more than running most of the small statements here.
 */
struct sv_db {
	sqlite3 *h;
	bool readonly;			/* the file or its file system cannot be written */
	struct sv_stmt cache[SV_DB_CACHE];
	int ncache;
};

static int db_fail(sv_db *db, const char *what)
{
	int rc = sqlite3_errcode(db->h);

	if (rc == SQLITE_NOTADB)
		return sv_error(SCRVAULT_EDENIED,
				"database does not open with this vault's key (wrong key or not a vault database)");
	if (rc == SQLITE_CORRUPT)
		return sv_error(SCRVAULT_EINTEGRITY, "database is corrupt: %s",
				sqlite3_errmsg(db->h));
	if (rc == SQLITE_CONSTRAINT)
		return sv_error(SCRVAULT_ECONFLICT, "%s: %s", what, sqlite3_errmsg(db->h));
	return sv_error(SCRVAULT_ERROR, "%s: %s", what, sqlite3_errmsg(db->h));
}

/* Read one pragma's value into buf; "" when it returned no row. */
static int pragma_value(sv_db *db, const char *sql, char *buf, size_t len)
{
	sqlite3_stmt *st = NULL;
	int rc;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "pragma");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		snprintf(buf, len, "%s", t ? (const char *)t : "");
	} else if (rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		return db_fail(db, "pragma");
	}
	sqlite3_finalize(st);
	return 0;
}

static int expect_pragma(sv_db *db, const char *set, const char *get,
			 const char *want)
{
	char got[64];
	int error;

	if (set && sqlite3_exec(db->h, set, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, set);
	if ((error = pragma_value(db, get, got, sizeof(got))) < 0)
		return error;
	if (strcmp(got, want) != 0)
		return sv_error(SCRVAULT_ERROR,
				"database setting '%s' is '%s', expected '%s'", get, got, want);
	return 0;
}

/*
 * A vault on a read-only file system, or whose files the user may not
 * write (a copy made read-only), is opened read-only.  SQLite cannot open a
 * WAL database read-only where it cannot make the -shm file, unless told it
 * is immutable; it is, while the caller holds the vault's exclusive lock
 * (nobody can be writing it) and no -wal file holds unmerged pages (the last
 * writer's clean close merged and removed it).  With a -wal left by a
 * killed writer, the read-only open is tried the ordinary way.
 */
static bool read_only_place(const char *path)
{
	char *copy = sv_strdup(path);
	bool ro;

	if (!copy)
		return false;
	ro = access(path, W_OK) != 0 || access(dirname(copy), W_OK) != 0;
	free(copy);
	return ro;
}

static char *ro_uri(const char *path)
{
	char *wal = sv_printf("%s-wal", path), *uri, *p;
	struct stat sb;
	bool immutable;

	if (!wal)
		return NULL;
	immutable = lstat(wal, &sb) != 0 || sb.st_size == 0;
	free(wal);
	/* "file:" + at most 3 bytes a path byte + "?mode=ro&immutable=1" + NUL */
	size_t cap = 3 * strlen(path) + 64, n;
	static const char hexd[] = "0123456789ABCDEF";

	if (!(uri = sv_calloc(1, cap)))
		return NULL;
	memcpy(uri, "file:", 5);
	p = uri + 5;
	for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
		if (*c == '%' || *c == '?' || *c == '#' || *c <= ' ' || *c >= 0x7f) {
			*p++ = '%';
			*p++ = hexd[*c >> 4];
			*p++ = hexd[*c & 15];
		} else {
			*p++ = (char)*c;
		}
	}
	n = (size_t)(p - uri);
	snprintf(p, cap - n, "?mode=ro%s", immutable ? "&immutable=1" : "");
	return uri;
}

int sv_db_open(sv_db **out, const char *path, const sv_secret *key, bool create)
{
	char keysql[2 * SV_KEY_LEN + 16], hex[2 * SV_KEY_LEN + 1];
	char page[16];
	struct stat sb;
	sv_db *db = NULL;
	char *uri = NULL;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	int error = SCRVAULT_ERROR;

	*out = NULL;
	if (sv_secret_len(key) != SV_KEY_LEN)
		return sv_error(SCRVAULT_ERROR, "database key has the wrong length");
	if (create && lstat(path, &sb) == 0)
		return sv_error(SCRVAULT_ECONFLICT, "'%s' already exists", path);
	if (!create && lstat(path, &sb) != 0)
		return sv_error(SCRVAULT_ENOTFOUND, "no database at '%s'", path);
	if (create)
		flags |= SQLITE_OPEN_CREATE;
	if (!(db = sv_calloc(1, sizeof(*db))))
		return SCRVAULT_ERROR;
	if (!create && read_only_place(path)) {
		if (!(uri = ro_uri(path))) {
			error = SCRVAULT_ERROR;
			goto done;
		}
		db->readonly = true;
		flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
	}
	if (sqlite3_open_v2(uri ? uri : path, &db->h, flags, NULL) != SQLITE_OK) {
		error = sv_error(SCRVAULT_ERROR, "cannot open '%s': %s", path,
				 db->h ? sqlite3_errmsg(db->h) : "out of memory");
		goto done;
	}
	sqlite3_extended_result_codes(db->h, 0);

	/* Raw key: x'<64 hex>' skips SQLCipher's passphrase KDF. */
	sv_hex(hex, sv_secret_data(key), SV_KEY_LEN);
	snprintf(keysql, sizeof(keysql), "x'%s'", hex);
	sv_cleanse(hex, sizeof(hex));
	error = sqlite3_key(db->h, keysql, (int)strlen(keysql));
	sv_cleanse(keysql, sizeof(keysql));
	if (error != SQLITE_OK) {
		error = sv_error(SCRVAULT_ERROR, "cannot key the database (is this SQLCipher?)");
		goto done;
	}
	snprintf(page, sizeof(page), "%d", SV_DB_PAGE_SIZE);
	if ((error = expect_pragma(db, "PRAGMA cipher_page_size = 4096;",
				   "PRAGMA cipher_page_size;", page)) < 0)
		goto done;
	/* The first read proves the key. */
	if (sqlite3_exec(db->h, "SELECT count(*) FROM sqlite_master;", NULL, NULL,
			 NULL) != SQLITE_OK) {
		error = db_fail(db, "open database");
		goto done;
	}
	sqlite3_busy_timeout(db->h, 30000);
	if ((!db->readonly && (error = expect_pragma(db, "PRAGMA journal_mode = WAL;",
						    "PRAGMA journal_mode;", "wal")) < 0) ||
	    (error = expect_pragma(db, "PRAGMA secure_delete = ON;",
				   "PRAGMA secure_delete;", "1")) < 0 ||
	    (error = expect_pragma(db, "PRAGMA synchronous = FULL;",
				   "PRAGMA synchronous;", "2")) < 0 ||
	    (error = expect_pragma(db, "PRAGMA foreign_keys = ON;",
				   "PRAGMA foreign_keys;", "1")) < 0 ||
	    (error = expect_pragma(db, "PRAGMA cipher_use_hmac = ON;",
				   "PRAGMA cipher_use_hmac;", "1")) < 0)
		goto done;
	sqlite3_exec(db->h, "PRAGMA temp_store = MEMORY;", NULL, NULL, NULL);
	/*
	 * Every page read is decrypted and authenticated (AES and HMAC of 4 KiB),
	 * so a page evicted and read again costs that again.  The SQLite default
	 * of 2 000 KiB is small next to what one listing of a register of
	 * 100 000 copies reads (the copies still out, their documents, the
	 * documents' index); 8 MiB holds it (docs/PERFORMANCE.md, "Copy register
	 * at scale").  The cache holds only pages actually read, so a small
	 * vault or a session that reads little stays small, and 8 MiB bounds
	 * what a large one adds to peak memory.
	 */
	sqlite3_exec(db->h, "PRAGMA cache_size = -" SV_QUOTE(SV_DB_CACHE_KIB) ";", NULL, NULL, NULL);
	*out = SV_TAKE(db);
	error = 0;
done:
	free(uri);
	sv_db_close(db);
	return error;
}

bool sv_db_readonly(const sv_db *db)
{
	return db->readonly;
}

void sv_db_close(sv_db *db)
{
	if (!db)
		return;
	for (int i = 0; i < db->ncache; i++) {
		sqlite3_finalize(db->cache[i].h);
		free(db->cache[i].text);
	}
	sqlite3_close_v2(db->h);
	free(db);
}

int sv_db_exec(sv_db *db, const char *sql)
{
	if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, "database");
	return 0;
}

static int bind_args(sv_stmt *st, const char *fmt, va_list ap)
{
	int i, rc = SQLITE_OK;

	for (i = 0; fmt && fmt[i] && rc == SQLITE_OK; i++) {
		int col = i + 1;

		switch (fmt[i]) {
		case 't': {
			const char *s = va_arg(ap, const char *);
			rc = s ? sqlite3_bind_text(st->h, col, s, -1, SQLITE_TRANSIENT)
			       : sqlite3_bind_null(st->h, col);
			break;
		}
		case 'i':
			rc = sqlite3_bind_int64(st->h, col, va_arg(ap, int64_t));
			break;
		case 'b': {
			const void *p = va_arg(ap, const void *);
			size_t n = va_arg(ap, size_t);
			rc = p ? sqlite3_bind_blob(st->h, col, p, (int)n, SQLITE_TRANSIENT)
			       : sqlite3_bind_null(st->h, col);
			break;
		}
		case 'n':
			rc = sqlite3_bind_null(st->h, col);
			break;
		default:
			return sv_error(SCRVAULT_ERROR, "bad bind format '%c'", fmt[i]);
		}
	}
	if (rc != SQLITE_OK)
		return db_fail(st->db, "bind");
	return 0;
}

/*
 * A statement for `sql`: a cached one when the cache holds an idle statement
 * prepared from the same pointer and the same text, else a new one.  A cache
 * slot whose pointer matches but whose text does not (a buffer reused for
 * other SQL) is prepared afresh in place; a slot left empty by a failed
 * prepare (h NULL) is taken by the next new statement.
 */
static int vquery(sv_stmt **out, sv_db *db, const char *sql, const char *fmt,
		  va_list ap)
{
	sv_stmt *st = NULL, *empty = NULL, *stale = NULL;
	int error;

	*out = NULL;
	for (int i = 0; i < db->ncache; i++) {
		sv_stmt *c = &db->cache[i];

		if (c->busy)
			continue;
		if (!c->h) {
			if (!empty)
				empty = c;
			continue;
		}
		if (c->sql != sql)
			continue;
		if (strcmp(c->text, sql) == 0) {
			st = c;
			st->busy = true;
			goto bind;
		}
		if (!stale)
			stale = c;
	}
	if (stale) {
		sqlite3_finalize(stale->h);
		free(stale->text);
		stale->h = NULL;
		stale->text = NULL;
		stale->sql = NULL;
		empty = stale;
	}
	if (empty) {
		st = empty;
	} else if (db->ncache < SV_DB_CACHE) {
		st = &db->cache[db->ncache++];
		memset(st, 0, sizeof(*st));
		st->cached = true;
	} else if (!(st = sv_calloc(1, sizeof(*st)))) {
		return SCRVAULT_ERROR;
	}
	st->db = db;
	if (st->cached && !(st->text = sv_strdup(sql)))
		return SCRVAULT_ERROR;		/* the slot stays empty */
	if (sqlite3_prepare_v2(db->h, sql, -1, &st->h, NULL) != SQLITE_OK) {
		error = db_fail(db, "prepare");
		sqlite3_finalize(st->h);	/* NULL after a failed prepare; NULL-safe */
		st->h = NULL;
		if (st->cached) {
			free(st->text);
			st->text = NULL;
		} else {
			free(st);
		}
		return error;
	}
	st->sql = sql;
	st->busy = true;
bind:
	if ((error = bind_args(st, fmt, ap)) < 0) {
		sv_stmt_free(st);
		return error;
	}
	*out = st;
	return 0;
}

int sv_db_vquery(sv_stmt **out, sv_db *db, const char *sql, const char *fmt, va_list ap)
{
	return vquery(out, db, sql, fmt, ap);
}

int sv_db_query(sv_stmt **out, sv_db *db, const char *sql, const char *fmt, ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = vquery(out, db, sql, fmt, ap);
	va_end(ap);
	return error;
}

/*
 * Run a query and give each row to `row` (NULL: none) while it returns 0;
 * 1 stops.  0 when the query is done, 1 when `row` stopped it, or the first
 * error (of the query, a step or `row`).  sv_db_run, sv_db_int and
 * sv_db_each are this.
 */
int sv_db_veach(sv_db *db, sv_stmt_fn row, void *ctx, const char *sql, const char *fmt, va_list ap)
{
	sv_stmt *st = NULL;
	int error;

	if ((error = vquery(&st, db, sql, fmt, ap)) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1 && (!row || (error = row(ctx, st)) == 0))
		;
	sv_stmt_free(st);
	return error;
}

int sv_db_run(sv_db *db, const char *sql, const char *fmt, ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = sv_db_veach(db, NULL, NULL, sql, fmt, ap);
	va_end(ap);
	return error;
}

/* sv_db_int's row: the first column of the first row. */
static int first_int(void *out, sv_stmt *st)
{
	*(int64_t *)out = sv_stmt_int(st, 0);
	return 1;
}

int sv_db_int(int64_t *out, sv_db *db, const char *sql, const char *fmt, ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = sv_db_veach(db, first_int, out, sql, fmt, ap);
	va_end(ap);
	return error;
}

/* sv_db_text_int's row: its text and its integer. */
typedef struct {
	char *text;
	size_t len;
	int64_t *n;
} text_int;

static int first_text_int(void *ctx, sv_stmt *st)
{
	text_int *t = ctx;

	snprintf(t->text, t->len, "%s", sv_stmt_text(st, 0) ? sv_stmt_text(st, 0) : "");
	if (t->n)
		*t->n = sv_stmt_int(st, 1);
	return 1;
}

int sv_db_text_int(char *text, size_t len, int64_t *n, sv_db *db, const char *sql, const char *fmt, ...)
{
	text_int t = { text, len, n };
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = sv_db_veach(db, first_text_int, &t, sql, fmt, ap);
	va_end(ap);
	return error;
}

int sv_db_each(sv_db *db, sv_stmt_fn row, void *ctx, const char *sql, const char *fmt, ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = sv_db_veach(db, row, ctx, sql, fmt, ap);
	va_end(ap);
	return error;
}

void sv_stmt_texts(sv_stmt *st, int col, ...)
{
	va_list ap;
	char *buf;

	va_start(ap, col);
	while ((buf = va_arg(ap, char *)) != NULL) {
		size_t len = va_arg(ap, size_t);
		const char *t = sv_stmt_text(st, col++);

		snprintf(buf, len, "%s", t ? t : "");
	}
	va_end(ap);
}

int sv_stmt_step(sv_stmt *st)
{
	int rc = sqlite3_step(st->h);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_fail(st->db, "database");
}

const char *sv_stmt_text(sv_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st->h, col);
}

int64_t sv_stmt_int(sv_stmt *st, int col)
{
	return sqlite3_column_int64(st->h, col);
}

const unsigned char *sv_stmt_blob(sv_stmt *st, int col, size_t *len)
{
	const unsigned char *p = sqlite3_column_blob(st->h, col);

	*len = (size_t)sqlite3_column_bytes(st->h, col);
	return p;
}

bool sv_stmt_null(sv_stmt *st, int col)
{
	return sqlite3_column_type(st->h, col) == SQLITE_NULL;
}

void sv_stmt_free(sv_stmt *st)
{
	if (!st)
		return;
	if (st->cached) {
		sqlite3_reset(st->h);
		sqlite3_clear_bindings(st->h);
		st->busy = false;
		return;
	}
	sqlite3_finalize(st->h);
	free(st);
}

int sv_db_begin(sv_db *db)
{
	if (db->readonly)
		return sv_error(SCRVAULT_ECONFLICT, "the vault is read-only (its files or their file system cannot be "
				"written): only commands that read it work here");
	return sv_db_exec(db, "BEGIN IMMEDIATE;");
}

int sv_db_commit(sv_db *db)
{
	return sv_db_exec(db, "COMMIT;");
}

void sv_db_rollback(sv_db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK;", NULL, NULL, NULL);
}

bool sv_db_in_txn(sv_db *db)
{
	return !sqlite3_get_autocommit(db->h);
}

int64_t sv_db_last_rowid(sv_db *db)
{
	return sqlite3_last_insert_rowid(db->h);
}

int sv_db_changes(sv_db *db)
{
	return sqlite3_changes(db->h);
}

int sv_db_check(sv_db *db, char **detail)
{
	char buf[256];
	int error;

	*detail = NULL;
	if ((error = pragma_value(db, "PRAGMA integrity_check;", buf, sizeof(buf))) < 0)
		return error;
	if (strcmp(buf, "ok") == 0)
		return 0;
	*detail = sv_strdup(buf);
	return SCRVAULT_EINTEGRITY;
}

/* ---- backups ------------------------------------------------------------------ */

int sv_db_backup_to(sv_db *src, const char *path, const sv_secret *key)
{
	sqlite3_backup *b;
	sv_db *dst = NULL;
	int error, rc;

	/* The copy is keyed like the original: its pages are encrypted under
	 * the same database key; nothing is written in the clear. */
	if ((error = sv_db_open(&dst, path, key, true)) < 0)
		return error;
	/* A throwaway copy the caller reads once: no journal, no syncs (each
	 * page would otherwise be written to the WAL and again to the file). */
	if ((error = sv_db_exec(dst, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")) < 0)
		goto done;
	if (!(b = sqlite3_backup_init(dst->h, "main", src->h, "main"))) {
		error = db_fail(dst, "backup");
		goto done;
	}
	/* One step: a consistent snapshot even while others write (WAL readers
	 * see the last committed state). */
	rc = sqlite3_backup_step(b, -1);
	if (sqlite3_backup_finish(b) != SQLITE_OK || rc != SQLITE_DONE) {
		error = db_fail(dst, "backup");
		goto done;
	}
	error = 0;
done:
	sv_db_close(dst);
	return error;
}
