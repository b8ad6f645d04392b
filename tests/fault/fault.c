/*
 * fault.c - fault-injection loops in the manner of SQLite's malloc and I/O
 * error tests and curl's torture mode (tests/cli/fault.sh runs them).
 *
 *   fault_loops LOOP [--only K] [--from K] [--to K] [--stride N] [--show N]
 *               [--verbose] [--keep] [--workdir DIR]
 *
 * LOOP is one of
 *   reach          one counted check-in and one counted purge, with no
 *                  failure: how many allocations and I/O calls each made,
 *                  and from which object (the proof that SQLCipher's,
 *                  libgit2's and OpenSSL's calls reach the interposer)
 *   checkin-alloc  fail allocation k of scrvault_doc_checkin (two new files)
 *   checkin-io     fail disk-changing I/O call k of the same check-in
 *   purge-alloc    fail allocation k of scrvault_retention_purge (three
 *                  versions due)
 *   purge-io       fail I/O call k of the same purge
 * for k = 1, 2, ... until the operation completes without reaching call k.
 * --only K runs one k and shows the failed call's stack (and a crash's).
 *
 * Each k runs in a child process forked from a parent that has built the
 * vault and run the operation once (so every lazily made global is made):
 * the child copies the pristine vault, unlocks it, arms the interposer
 * (interpose.c), runs the operation, disarms, closes the session, and then
 *   - checks that every object the operation stored was synced before
 *     anything named it durably (the interposer's log of syncs and renames);
 *   - checks that every block allocated since it began is freed again (when
 *     one is still live it attempts twice more, counting across both, with
 *     call stacks: a leak grows, a library's cache does not);
 *   - unlocks the vault again and checks that either nothing changed
 *     (document and version counts, destroyed versions and their records,
 *     the audit log's size, the database's store head and the store's ref
 *     as before, and the operation reported SCRVAULT_ERROR with a message)
 *     or the operation is complete (exactly the counts a successful run
 *     gives, a new head that the ref follows, the new versions' recorded
 *     SHA-256 that of the files, every due version destroyed, key gone, and
 *     its check-out refused; an error after the commit must say the change
 *     was saved);
 *   - runs scrvault_fsck (no problem) and scrvault_audit_verify_live.
 * A crash of the child is a failure too.  Defects of SQLCipher and libgit2
 * that scrvault cannot mend are recognised by the failed call's stack and
 * counted apart (known[] below).  Randomness and the wall clock are fixed
 * in the children (interpose.h), so call k is the same call in every
 * iteration and a failure can be run again alone with --only K.
 *
 * Under SCRVAULT_TEST_QUICK every k up to QUICK_ALL is tried and then every
 * QUICK_STRIDE-th; the output says so.
 */
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <argon2.h>
#include <openssl/err.h>
#include <dlfcn.h>
#include "scrvault/scrvault.h"
#include "vault/session.h"
#include "storage/db.h"
#include "storage/store.h"
#include "crypto/crypto.h"
#include "interpose.h"

#define QUICK_ALL	300
#define QUICK_STRIDE	11
#define CHILD_SECONDS	120
#define SEED		0x5eed5eed5eedull
#define MAX_SHOWN	25
#define NDUE		3
/* Callers kept of a failed call: OpenSSL's fetches alone nest a dozen deep, so the
 * frame that names a known defect (sqlcipher_page_cipher) lies deeper. */
#define SV_FRAMES	40

typedef struct {
	const char *name;
	enum fault_kind kind;
	bool purge;
} loop_def;

static const loop_def loops[] = {
	{ "checkin-alloc", FAULT_ALLOC, false },
	{ "checkin-io", FAULT_IO, false },
	{ "purge-alloc", FAULT_ALLOC, true },
	{ "purge-io", FAULT_IO, true },
};

/* What a vault holds, as far as the loops compare it. */
typedef struct {
	int64_t docs, versions, live, destroyed, destructions, keyless, audit, audit_max;
	char head[SV_OID_HEXLEN + 1], ref[SV_OID_HEXLEN + 1];
} vstate;

/* One iteration's answer, from the child. */
typedef struct {
	int rc;				/* the operation's return */
	uint64_t count;			/* calls of the loop's kind it made */
	bool injected;
	char call[24];
	void *frames[SV_FRAMES];		/* the failed call's callers */
	int depth;
	int signal;			/* the child died of it */
	void *crash[12];		/* there */
	int crash_depth;
	int origin;
	int outcome;			/* below */
	bool bad;
	bool other;			/* a problem other than a leak */
	size_t leaked;
	char msg[400];			/* the operation's message */
	char problem[1200];		/* what is wrong, if bad */
} result;

enum { OUT_UNCHANGED, OUT_COMPLETE, OUT_COMPLETE_ERROR, OUT_NEITHER };

static char g_dir[1024], g_pristine[1100], g_vault[1100], g_coord_key[1100], g_purger_key[1100],
	    g_file[2][1100], g_out[1100];
static scrvault_secret *g_pass;
static vstate g_before, g_after;
static char g_sha[2][2 * SV_SHA256_LEN + 1];
static struct { char doc[SV_DOC_ID_LEN + 1]; unsigned version; } g_due[NDUE];
static int64_t g_clock;
static bool g_verbose;
static char g_order[400];	/* why a run without failure was out of order */
static uint64_t g_max_shown = MAX_SHOWN, g_to;

/* ---- the key file's KDF, once ---------------------------------------------------------- */

/*
 * Every iteration unlocks the vault twice, and Argon2id, even at the 8 MiB
 * minimum, is most of an unlock.  Its result for the same passphrase, salt
 * and parameters is always the same, so this program computes it once and
 * answers again from memory (the library, linked in, binds argon2_ctx here;
 * nothing is ever armed during an unlock).  The rest of each unlock (key
 * file, keyring, database, head) runs every time.
 */
int argon2_ctx(argon2_context *ctx, argon2_type type);

static struct kdf_memo {
	argon2_type type;
	uint32_t t_cost, m_cost, lanes, pwdlen, saltlen, outlen;
	uint8_t pwd[256], salt[64], out[64];
} g_kdf[8];
static size_t g_nkdf;

int argon2_ctx(argon2_context *ctx, argon2_type type)
{
	static int (*real)(argon2_context *, argon2_type);
	struct kdf_memo *m;
	int rc;

	for (size_t i = 0; i < g_nkdf; i++) {
		m = &g_kdf[i];
		if (m->type == type && m->t_cost == ctx->t_cost && m->m_cost == ctx->m_cost && m->lanes == ctx->lanes &&
		    m->pwdlen == ctx->pwdlen && m->saltlen == ctx->saltlen && m->outlen == ctx->outlen &&
		    !memcmp(m->pwd, ctx->pwd, ctx->pwdlen) && !memcmp(m->salt, ctx->salt, ctx->saltlen)) {
			memcpy(ctx->out, m->out, ctx->outlen);
			return ARGON2_OK;
		}
	}
	if (!real && !(real = (int (*)(argon2_context *, argon2_type))dlsym(RTLD_NEXT, "argon2_ctx")))
		return ARGON2_MISSING_ARGS;
	if ((rc = real(ctx, type)) != ARGON2_OK || g_nkdf == sizeof(g_kdf) / sizeof(g_kdf[0]) ||
	    ctx->pwdlen > sizeof(m->pwd) || ctx->saltlen > sizeof(m->salt) || ctx->outlen > sizeof(m->out))
		return rc;
	m = &g_kdf[g_nkdf++];
	m->type = type;
	m->t_cost = ctx->t_cost;
	m->m_cost = ctx->m_cost;
	m->lanes = ctx->lanes;
	m->pwdlen = ctx->pwdlen;
	m->saltlen = ctx->saltlen;
	m->outlen = ctx->outlen;
	memcpy(m->pwd, ctx->pwd, ctx->pwdlen);
	memcpy(m->salt, ctx->salt, ctx->saltlen);
	memcpy(m->out, ctx->out, ctx->outlen);
	return rc;
}

/* ---- small helpers ----------------------------------------------------------------------- */

static void die(const char *what)
{
	fprintf(stderr, "fault_loops: %s: %s\n", what, scrvault_error_message());
	exit(2);
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Append to a fixed buffer (never overflows, may truncate). */
static void addf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void addf(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb; (void)f;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

static void rm_tree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static size_t g_srclen;
static const char *g_dst;

static int copy_entry(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	char to[8192], buf[65536];
	int in, out;
	ssize_t n;

	(void)f;
	snprintf(to, sizeof(to), "%s%s", g_dst, p + g_srclen);
	if (flag == FTW_D)
		return mkdir(to, sb->st_mode & 07777) < 0 && errno != EEXIST ? -1 : 0;
	if (flag != FTW_F)
		return -1;
	if ((in = open(p, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, sb->st_mode & 07777)) < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	close(in);
	close(out);
	return n < 0 ? -1 : 0;
}

static int copy_tree(const char *from, const char *to)
{
	g_srclen = strlen(from);
	g_dst = to;
	return nftw(from, copy_entry, 16, FTW_PHYS);
}

/* The working vault, as the pristine one. */
static int restore(void)
{
	rm_tree(g_vault);
	unlink(g_out);
	return copy_tree(g_pristine, g_vault);
}

static scrvault *open_vault(bool purger)
{
	scrvault_open_options o = SCRVAULT_OPEN_OPTIONS_INIT;
	scrvault *v = NULL;

	o.dir = g_vault;
	o.keyfile = g_coord_key;
	o.passphrase = g_pass;
	if (purger)
		o.as_keyfile = g_purger_key;
	return scrvault_vault_open(&v, &o) < 0 ? NULL : v;
}

static int text_of(char *out, size_t size, sv_db *db, const char *sql)
{
	sv_stmt *st = NULL;
	int error;

	out[0] = '\0';
	if ((error = sv_db_query(&st, db, sql, "")) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1)
		snprintf(out, size, "%s", sv_stmt_text(st, 0) ? sv_stmt_text(st, 0) : "");
	sv_stmt_free(st);
	return error < 0 ? error : 0;
}

static int measure(vstate *s, scrvault *v)
{
	memset(s, 0, sizeof(*s));
	if (sv_db_int(&s->docs, v->db, "SELECT count(*) FROM documents", "") < 0 ||
	    sv_db_int(&s->versions, v->db, "SELECT count(*) FROM versions", "") < 0 ||
	    sv_db_int(&s->live, v->db, "SELECT count(*) FROM versions WHERE state = 'live'", "") < 0 ||
	    sv_db_int(&s->destroyed, v->db, "SELECT count(*) FROM versions WHERE state = 'destroyed'", "") < 0 ||
	    sv_db_int(&s->keyless, v->db, "SELECT count(*) FROM versions WHERE wrapped_dek IS NULL", "") < 0 ||
	    sv_db_int(&s->destructions, v->db, "SELECT count(*) FROM destructions", "") < 0 ||
	    sv_db_int(&s->audit, v->db, "SELECT count(*) FROM audit", "") < 0 ||
	    sv_db_int(&s->audit_max, v->db, "SELECT coalesce(max(seq), 0) FROM audit", "") < 0 ||
	    text_of(s->head, sizeof(s->head), v->db, "SELECT value FROM meta WHERE key = 'store_head'") < 0 ||
	    sv_store_head(s->ref, v->store) < 0)
		return -1;
	return 0;
}

static bool counts_equal(const vstate *a, const vstate *b)
{
	return a->docs == b->docs && a->versions == b->versions && a->live == b->live &&
	       a->destroyed == b->destroyed && a->keyless == b->keyless && a->destructions == b->destructions &&
	       a->audit == b->audit && a->audit_max == b->audit_max;
}

static void describe(char *buf, size_t size, const char *name, const vstate *s)
{
	addf(buf, size, "%s: %lld documents, %lld versions (%lld live, %lld destroyed, %lld without key, "
	     "%lld records), audit %lld (max %lld), head %.12s, ref %.12s", name, (long long)s->docs,
	     (long long)s->versions, (long long)s->live, (long long)s->destroyed, (long long)s->keyless,
	     (long long)s->destructions, (long long)s->audit, (long long)s->audit_max, s->head, s->ref);
}

static void sha_hex(char out[2 * SV_SHA256_LEN + 1], const char *path)
{
	unsigned char buf[16384], md[SV_SHA256_LEN];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));

	if (fd >= 0)
		close(fd);
	sv_sha256(md, buf, n > 0 ? (size_t)n : 0);
	sv_hex(out, md, sizeof(md));
}

static void write_file(const char *path, size_t size, unsigned seed)
{
	char buf[16384];
	FILE *f;

	for (size_t i = 0; i < size && i < sizeof(buf); i++)
		buf[i] = (char)('a' + (i * 7 + seed) % 26);
	if (!(f = fopen(path, "w")) || fwrite(buf, 1, size, f) != size || fclose(f) != 0) {
		fprintf(stderr, "fault_loops: cannot write '%s'\n", path);
		exit(2);
	}
}

/* ---- the operations -------------------------------------------------------------------------- */

static int do_checkin(scrvault *v, scrvault_json **out, const char *caseref, const char *cls,
		      const char *doc, const char *path, size_t n)
{
	scrvault_checkin_spec s = SCRVAULT_CHECKIN_SPEC_INIT;
	scrvault_checkin_file f[2] = { { .path = path }, { .path = g_file[1] } };

	s.case_ref = doc ? NULL : caseref;
	s.doc_class = doc ? NULL : cls;
	s.doc = doc;
	return scrvault_doc_checkin(out, v, &s, f, n);
}

/* The operation under test, on an open session. */
static int operation(const loop_def *L, scrvault *v)
{
	scrvault_json *out = NULL;
	int rc;

	if (L->purge)
		rc = scrvault_retention_purge(&out, v, 0);
	else
		rc = do_checkin(v, &out, "FT-1", "panel-minutes", NULL, g_file[0], 2);
	scrvault_json_free(out);
	return rc;
}

static void problem(result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(result *r, const char *fmt, ...)
{
	size_t len = strlen(r->problem);
	va_list ap;

	r->bad = true;
	r->other = true;
	if (len && len + 3 < sizeof(r->problem))
		addf(r->problem, sizeof(r->problem), "; ");
	len = strlen(r->problem);
	va_start(ap, fmt);
	vsnprintf(r->problem + len, sizeof(r->problem) - len, fmt, ap);
	va_end(ap);
}

static bool is_sync(const fault_io_event *e)
{
	return !strcmp(e->call, "fsync") || !strcmp(e->call, "fdatasync") || !strcmp(e->call, "syncfs");
}

static bool is_naming(const fault_io_event *e)
{
	return !strncmp(e->call, "rename", 6) || !strncmp(e->call, "link", 4);
}

static bool ends_with(const char *s, const char *end)
{
	size_t a = strlen(s), b = strlen(end);

	return a >= b && !strcmp(s + a - b, end);
}

/*
 * Durability in order, from the interposer's log of the armed window:
 * every object the operation put in the store is synced (its file and its
 * fan-out directory, or the whole file system) before anything can name
 * it durably: the next sync of the database's log (a commit) or the next
 * ref moved into place.  Returns -1 with the reason in `why`.
 */
static int check_order(char *why, size_t len)
{
	const fault_io_event *e;
	size_t n = fault_io_log(&e);

	for (size_t i = 0; i < n; i++) {
		const char *obj = strstr(e[i].path, "/store.git/objects/");
		char dir[sizeof(e[i].path)];
		bool file = false, fan = false;
		size_t j;

		if (!e[i].ok || !is_naming(&e[i]) || !obj || strstr(obj, "/pack/") || !strrchr(obj, '/'))
			continue;
		snprintf(dir, sizeof(dir), "%s", e[i].path);
		*strrchr(dir, '/') = '\0';
		for (j = i + 1; j < n; j++) {
			if (!e[j].ok)
				continue;
			if (is_sync(&e[j])) {
				if (!strcmp(e[j].call, "syncfs"))
					file = fan = true;
				else if (!strcmp(e[j].path, e[i].path))
					file = true;
				else if (!strcmp(e[j].path, dir))
					fan = true;
				else if (ends_with(e[j].path, "/vault.db-wal"))
					break;
			} else if (is_naming(&e[j]) && strstr(e[j].path, "/store.git/") &&
				   !strstr(e[j].path, "/store.git/objects/")) {
				break;
			}
		}
		if (j < n && !(file && fan)) {
			snprintf(why, len, "object %s was not synced (%s%s%s) before %s of %s", obj + 19, file ? "" : "its file",
				 !file && !fan ? ", " : "", fan ? "" : "its directory", e[j].call, strrchr(e[j].path, '/') + 1);
			return -1;
		}
	}
	return 0;
}

/* Unlock, arm, run, disarm, close: one attempt at call k. */
static int attempt(const loop_def *L, uint64_t k, result *r)
{
	scrvault *v;

	if (!(v = open_vault(L->purge))) {
		snprintf(r->problem, sizeof(r->problem), "cannot unlock the vault for the operation: %s",
			 scrvault_error_message());
		r->bad = true;
		return -1;
	}
	scrvault_error_clear();
	fault_arm(L->kind, k);
	r->rc = operation(L, v);
	fault_disarm();
	r->count = fault_count(L->kind);
	r->injected = fault_injected();
	{
		char why[400];

		if (check_order(why, sizeof(why)) < 0)
			problem(r, "durability: %s", why);
	}
	snprintf(r->call, sizeof(r->call), "%s", fault_injected_call());
	r->origin = fault_injected_origin();
	r->depth = fault_injected_frames(r->frames, SV_FRAMES);
	if (g_verbose && r->injected) {
		fprintf(stderr, "# call %llu failed here:\n", (unsigned long long)k);
		fflush(stderr);
		fault_injected_report(2);
	}
	snprintf(r->msg, sizeof(r->msg), "%s", r->rc < 0 ? scrvault_error_message() : "");
	scrvault_vault_close(v);
	/* OpenSSL keeps the errors it raised (and copies of their file and
	 * function names) in a per-thread queue of 16 until it is cleared; a
	 * call that failed inside and then succeeded leaves them there. */
	ERR_clear_error();
	return 0;
}

/* ---- the checks after an attempt ------------------------------------------------------------ */

/* The due versions: destroyed with no key and no check-out, or all live. */
static int check_due(result *r, scrvault *v, bool destroyed)
{
	for (int i = 0; i < NDUE; i++) {
		int64_t keyless = -1, gone = -1;
		struct stat sb;
		int rc;

		if (sv_db_int(&gone, v->db, "SELECT state = 'destroyed' FROM versions WHERE doc_id = ? AND version = ?", "ti",
			      g_due[i].doc, (int64_t)g_due[i].version) < 0 ||
		    sv_db_int(&keyless, v->db, "SELECT wrapped_dek IS NULL FROM versions WHERE doc_id = ? AND version = ?",
			      "ti", g_due[i].doc, (int64_t)g_due[i].version) < 0)
			return -1;
		if (gone != destroyed || keyless != destroyed)
			problem(r, "version %.8s/%u is %s%s", g_due[i].doc, g_due[i].version,
				gone ? "destroyed" : "live", keyless ? " without its key" : " with its key");
		if (!destroyed)
			continue;
		rc = scrvault_doc_checkout(v, g_due[i].doc, g_due[i].version, g_out, 0);
		if (rc == 0 || lstat(g_out, &sb) == 0)
			problem(r, "destroyed version %.8s/%u was checked out", g_due[i].doc, g_due[i].version);
		unlink(g_out);
	}
	return 0;
}

static void verify(const loop_def *L, result *r)
{
	scrvault_json *rep = NULL;
	scrvault *v;
	vstate now;
	bool unchanged, complete;
	int rc;

	if (!(v = open_vault(false))) {
		problem(r, "the vault does not unlock after the attempt: %s", scrvault_error_message());
		return;
	}
	if (measure(&now, v) < 0) {
		problem(r, "cannot read the vault's state: %s", scrvault_error_message());
		goto done;
	}
	unchanged = counts_equal(&now, &g_before) && !strcmp(now.head, g_before.head) && !strcmp(now.ref, g_before.ref);
	complete = counts_equal(&now, &g_after) && strcmp(now.head, g_before.head) != 0 && !strcmp(now.ref, now.head);
	if (complete && !L->purge) {
		char sha[2 * SV_SHA256_LEN + 1];

		for (int i = 0; i < 2; i++) {
			const char *base = strrchr(g_file[i], '/') + 1;

			if (text_of(sha, sizeof(sha), v->db, i ? "SELECT lower(hex(sha256)) FROM versions WHERE filename = 'fault-b.txt'" :
				    "SELECT lower(hex(sha256)) FROM versions WHERE filename = 'fault-a.txt'") < 0 ||
			    strcmp(sha, g_sha[i]) != 0) {
				problem(r, "'%s' is recorded with SHA-256 %.16s, not its own %.16s", base, sha, g_sha[i]);
				complete = false;
			}
		}
	}
	if (L->purge && (unchanged || complete) && check_due(r, v, complete) < 0)
		problem(r, "cannot read the due versions: %s", scrvault_error_message());
	if (unchanged) {
		r->outcome = OUT_UNCHANGED;
		if (r->rc == 0)
			problem(r, "the operation reported success but changed nothing");
		else if (r->rc != SCRVAULT_ERROR)
			problem(r, "the operation failed with code %d, not SCRVAULT_ERROR (%d)", r->rc, SCRVAULT_ERROR);
		if (r->rc < 0 && !r->msg[0])
			problem(r, "the operation failed without a message");
	} else if (complete) {
		r->outcome = r->rc == 0 ? OUT_COMPLETE : OUT_COMPLETE_ERROR;
		/* An error after the commit must say the change was made. */
		if (r->rc < 0 && !strstr(r->msg, "saved"))
			problem(r, "the operation is complete but reported a failure (%d) that does not say so", r->rc);
	} else {
		r->outcome = OUT_NEITHER;
		problem(r, "the vault is neither unchanged nor completely changed: ");
		describe(r->problem, sizeof(r->problem), "now", &now);
		describe(r->problem, sizeof(r->problem), "; before", &g_before);
		describe(r->problem, sizeof(r->problem), "; complete", &g_after);
	}
	if ((rc = scrvault_fsck(&rep, v)) != 0) {
		char *t = rep ? scrvault_json_text(rep) : NULL;

		problem(r, "fsck: %s %s", scrvault_error_message(), t ? t : "");
		free(t);
	}
	scrvault_json_free(rep);
	rep = NULL;
	if ((rc = scrvault_audit_verify_live(&rep, v, NULL)) != 0) {
		char *t = rep ? scrvault_json_text(rep) : NULL;

		problem(r, "audit verify: %s %s", scrvault_error_message(), t ? t : "");
		free(t);
	}
	scrvault_json_free(rep);
done:
	scrvault_vault_close(v);
}

/* ---- one iteration in a child ------------------------------------------------------------------ */

static result *g_result;
static int g_result_fd = -1;

/*
 * A crash in a child: where it happened and which call had failed go to the
 * parent (which can name them: the child is its copy), the whole stack to
 * stderr with --verbose; then the signal as before.
 */
static void crashed(int sig)
{
	void *frames[40];
	int n = backtrace(frames, 40);

	if (g_result && g_result_fd >= 0) {
		g_result->signal = sig;
		g_result->crash_depth = n > 2 ? (n - 2 < 12 ? n - 2 : 12) : 0;
		memcpy(g_result->crash, frames + 2, sizeof(frames[0]) * (size_t)g_result->crash_depth);
		g_result->depth = fault_injected_frames(g_result->frames, SV_FRAMES);
		g_result->injected = fault_injected();
		g_result->origin = fault_injected_origin();
		snprintf(g_result->call, sizeof(g_result->call), "%s", fault_injected_call());
		fault_real_write(g_result_fd, g_result, sizeof(*g_result));
		g_result_fd = -1;
	}
	if (g_verbose) {
		static const char crash[] = "# crashed here:\n", failed[] = "# after this call failed:\n";

		fault_real_write(2, crash, sizeof(crash) - 1);
		backtrace_symbols_fd(frames, n, 2);
		if (fault_injected()) {
			fault_real_write(2, failed, sizeof(failed) - 1);
			fault_injected_report(2);
		}
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void child(const loop_def *L, uint64_t k, int fd)
{
	result r;

	memset(&r, 0, sizeof(r));
	g_result = &r;
	g_result_fd = fd;
	signal(SIGSEGV, crashed);
	signal(SIGBUS, crashed);
	signal(SIGABRT, crashed);
	signal(SIGFPE, crashed);
	alarm(CHILD_SECONDS);
	fault_deterministic(SEED, g_clock);
	if (restore() < 0) {
		problem(&r, "cannot copy the pristine vault");
		goto out;
	}
	fault_track_begin(false);
	attempt(L, k, &r);
	fault_track_end();
	if (fault_track_live() > 0 && !r.bad) {
		/*
		 * Blocks still live may be a leak, or a library's global made on
		 * first use or replaced (OpenSSL's cache of fetched algorithms,
		 * whose entry a failed fetch drops and the next one makes again).
		 * Attempt twice more with one count across both: a leak grows with
		 * each attempt, a global does not.
		 */
		result again;
		size_t once;
		bool other = r.other;

		memset(&again, 0, sizeof(again));
		g_result = &again;
		fault_deterministic(SEED, g_clock);
		if (restore() < 0) {
			problem(&r, "cannot copy the pristine vault");
			goto out;
		}
		fault_track_begin(true);
		attempt(L, k, &again);
		once = fault_track_live();
		fault_deterministic(SEED, g_clock);
		if (restore() < 0) {
			problem(&r, "cannot copy the pristine vault");
			goto out;
		}
		attempt(L, k, &again);
		fault_track_end();
		g_result = &r;
		if (fault_track_live() > once) {
			r.leaked = fault_track_live() - once;
			problem(&r, "%zu blocks allocated during the attempt are still allocated after the session closed "
				"(call stacks on stderr)", r.leaked);
			r.other = other;
			fprintf(stderr, "# %s k=%llu: blocks still allocated after two attempts:\n", L->name,
				(unsigned long long)k);
			fflush(stderr);
			fault_track_report(2, 8);
		}
	}
	if (fault_track_overflowed())
		problem(&r, "too many live blocks to track");
	verify(L, &r);
out:
	g_result_fd = -1;
	fault_real_write(fd, &r, sizeof(r));
	_exit(0);
}

static int run_child(const loop_def *L, uint64_t k, result *r, char *why, size_t whylen)
{
	int p[2], status;
	pid_t pid;
	ssize_t n;

	memset(r, 0, sizeof(*r));
	fflush(stdout);
	fflush(stderr);
	if (pipe(p) < 0 || (pid = fork()) < 0) {
		snprintf(why, whylen, "cannot fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		child(L, k, p[1]);
	}
	close(p[1]);
	n = read(p[0], r, sizeof(*r));
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status)) {
		char at[300] = "";
		int len;

		if (n == (ssize_t)sizeof(*r) && r->signal)
			fault_frames_where(at, sizeof(at), r->crash, r->crash_depth, 5);
		len = snprintf(why, whylen, "the child died of signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
		if (at[0] && len > 0 && (size_t)len < whylen)
			snprintf(why + len, whylen - (size_t)len, " in %s", at);
		return n == (ssize_t)sizeof(*r) && r->signal ? -2 : -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || n != (ssize_t)sizeof(*r)) {
		snprintf(why, whylen, "the child exited with status %d without an answer", WEXITSTATUS(status));
		return -1;
	}
	return 0;
}

/* ---- set-up -------------------------------------------------------------------------------- */

/* The doc id of the first entry of a check-in's answer. */
static void first_doc(char out[SV_DOC_ID_LEN + 1], scrvault_json *j)
{
	snprintf(out, SV_DOC_ID_LEN + 1, "%s", scrvault_json_str(scrvault_json_get(scrvault_json_at(j, 0), "doc")));
}

static void setup(bool purge)
{
	scrvault_principal_spec c = SCRVAULT_PRINCIPAL_SPEC_INIT;
	scrvault_case_spec cs = SCRVAULT_CASE_SPEC_INIT;
	scrvault_json *out = NULL;
	char old[1100], draft[1100], notif[SV_DOC_ID_LEN + 1], other[SV_DOC_ID_LEN + 1];
	scrvault *v;

	snprintf(g_pristine, sizeof(g_pristine), "%s/pristine", g_dir);
	snprintf(g_vault, sizeof(g_vault), "%s/vault", g_dir);
	snprintf(g_coord_key, sizeof(g_coord_key), "%s/coord.key", g_dir);
	snprintf(g_purger_key, sizeof(g_purger_key), "%s/purger.key", g_dir);
	snprintf(g_file[0], sizeof(g_file[0]), "%s/fault-a.txt", g_dir);
	snprintf(g_file[1], sizeof(g_file[1]), "%s/fault-b.txt", g_dir);
	snprintf(g_out, sizeof(g_out), "%s/checked-out", g_dir);
	snprintf(old, sizeof(old), "%s/minutes.txt", g_dir);
	snprintf(draft, sizeof(draft), "%s/draft.txt", g_dir);
	write_file(g_file[0], 700, 1);
	write_file(g_file[1], 3000, 2);
	write_file(old, 500, 3);
	sha_hex(g_sha[0], g_file[0]);
	sha_hex(g_sha[1], g_file[1]);
	if (!g_pass && scrvault_secret_new(&g_pass, "fault loops passphrase", 22) < 0)
		die("passphrase");

	c.name = "coord";
	c.display_name = "Coordinator";
	c.kind = "person";
	c.contact = "01234 567890";
	c.custodian = true;
	c.kdf_mib = 19;
	if (scrvault_vault_init(g_pristine, &c, g_coord_key, g_pass) < 0)
		die("init");
	snprintf(g_vault, sizeof(g_vault), "%s", g_pristine);	/* set up in place */
	if (!(v = open_vault(false)))
		die("open");
	cs.ref = "FT-1";
	cs.title = "Fault loops";
	cs.review_type = "scr";
	if (scrvault_case_open(v, &cs) < 0)
		die("case open");
	if (do_checkin(v, &out, "FT-1", "panel-minutes", NULL, old, 1) < 0)
		die("check-in");
	scrvault_json_free(out);
	if (purge) {
		scrvault_principal_spec p = SCRVAULT_PRINCIPAL_SPEC_INIT;
		scrvault_json *held = NULL;	/* one custodian: dual control is not in force */

		p.name = "purger";
		p.kind = "service";
		p.contact = "ops";
		if (scrvault_principal_add(&held, v, &p, g_purger_key, NULL) < 0 || held ||
		    scrvault_principal_grant(&held, v, "purger", "retention-job", NULL, NULL) < 0 || held ||
		    scrvault_retention_confirm(v) < 0)
			die("purge job");
		/* A notification form in three versions: its two drafts are due at
		 * once ("destroy 0 days after superseded"). */
		write_file(draft, 400, 4);
		if (do_checkin(v, &out, "FT-1", "notification-form", NULL, draft, 1) < 0)
			die("check-in");
		first_doc(notif, out);
		scrvault_json_free(out);
		for (int i = 0; i < 2; i++) {
			write_file(draft, 410 + (size_t)i, 5 + (unsigned)i);
			if (do_checkin(v, &out, NULL, NULL, notif, draft, 1) < 0)
				die("new version");
			scrvault_json_free(out);
		}
		/* Other minutes in two versions, the second checked in a year ago:
		 * the first is due (the default "destroy 6 months after superseded"). */
		write_file(draft, 420, 7);
		if (do_checkin(v, &out, "FT-1", "panel-minutes", NULL, draft, 1) < 0)
			die("check-in");
		first_doc(other, out);
		scrvault_json_free(out);
		write_file(draft, 430, 8);
		if (do_checkin(v, &out, NULL, NULL, other, draft, 1) < 0)
			die("new version");
		scrvault_json_free(out);
		if (sv_db_run(v->db, "UPDATE versions SET checked_in_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?)"
			      " WHERE doc_id = ? AND version = ?", "tti", "-2 years", other, (int64_t)1) < 0 ||
		    sv_db_run(v->db, "UPDATE versions SET checked_in_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?)"
			      " WHERE doc_id = ? AND version = ?", "tti", "-1 years", other, (int64_t)2) < 0)
			die("moving a check-in into the past");
		snprintf(g_due[0].doc, sizeof(g_due[0].doc), "%s", notif);
		g_due[0].version = 1;
		snprintf(g_due[1].doc, sizeof(g_due[1].doc), "%s", notif);
		g_due[1].version = 2;
		snprintf(g_due[2].doc, sizeof(g_due[2].doc), "%s", other);
		g_due[2].version = 1;
	}
	scrvault_vault_close(v);
	snprintf(g_vault, sizeof(g_vault), "%s/vault", g_dir);
}

/* The state before, and after a run without failure (which also makes every global). */
static void reference(const loop_def *L, uint64_t counts[FAULT_NKINDS], uint64_t from[FAULT_NKINDS][ORIGIN_N])
{
	scrvault *v;
	int rc;

	if (restore() < 0)
		die("copy");
	if (!(v = open_vault(false)))
		die("open");
	if (measure(&g_before, v) < 0)
		die("state");
	scrvault_vault_close(v);
	if (!(v = open_vault(L->purge)))
		die("open");
	fault_arm(L->kind, 0);
	rc = operation(L, v);
	fault_disarm();
	if (rc < 0)
		die(L->purge ? "purge" : "check-in");
	if (check_order(g_order, sizeof(g_order)) < 0)
		printf("# durability of a run without failure: %s\n", g_order);
	if (g_verbose) {
		const fault_io_event *e;
		size_t n = fault_io_log(&e);

		for (size_t i = 0; i < n; i++)
			printf("#   %s %s%s\n", e[i].call, e[i].path, e[i].ok ? "" : " (failed)");
	}
	for (int k = 0; k < FAULT_NKINDS; k++) {
		counts[k] = fault_count((enum fault_kind)k);
		for (int o = 0; o < ORIGIN_N; o++)
			from[k][o] = fault_count_from((enum fault_kind)k, (enum fault_origin)o);
	}
	scrvault_vault_close(v);
	if (!(v = open_vault(false)))
		die("open");
	if (measure(&g_after, v) < 0)
		die("state");
	scrvault_vault_close(v);
	if (L->purge && g_after.destroyed - g_before.destroyed != NDUE) {
		fprintf(stderr, "fault_loops: the purge destroyed %lld versions, not %d\n",
			(long long)(g_after.destroyed - g_before.destroyed), NDUE);
		exit(2);
	}
}

static void print_origins(const char *what, const uint64_t from[ORIGIN_N])
{
	printf("#   %s:", what);
	for (int o = 0; o < ORIGIN_N; o++)
		printf(" %s %llu", fault_origin_name((enum fault_origin)o), (unsigned long long)from[o]);
	printf("\n");
}

/* ---- defects of the libraries ------------------------------------------------------------- */

/*
 * What the loops find in the libraries the vault uses and scrvault cannot
 * mend, each read in the library's source.  An iteration whose failed call
 * has `in` on its stack, made by `lib`, and whose only problems are those
 * the entry excuses, is counted apart under its name: it does not fail the
 * loop, and --verbose shows it in full.
 */
static const struct known_defect {
	const char *name;
	enum fault_origin lib;		/* the failed call was made by */
	const char *in;			/* a function on its stack */
	bool any;			/* any problem, not only a leak or a crash */
	const char *why;
} known[] = {
	{ "sqlcipher-codec", ORIGIN_CRYPTO, "sqlcipher_page_cipher", true,
	  "SQLCipher 3.4.1's page codec ignores OpenSSL's failures: it crashes, or writes a page it could not "
	  "encrypt or authenticate and commits it (SQLCipher 4 refuses to)" },
	{ "git-signature", ORIGIN_GIT2, "git_signature_new", false,
	  "libgit2's git_signature_new leaks the signature when a copy of a name fails" },
	{ "git-tree-update", ORIGIN_OTHER, "git_tree_create_updated", false,
	  "libgit2's git_tree_create_updated returns from the middle (GIT_ERROR_CHECK_ALLOC) without freeing "
	  "its stack of trees, and crashes after some failed lookups" },
	{ "git-reference", ORIGIN_OTHER, "git_reference_create_matching", false,
	  "libgit2's ref update leaks, or crashes on a reference it failed to allocate" },
	/* libgit2's object cache (cache_store hands back the raw object as the
	 * parsed one when an allocation fails) is off: storage/git.c. */
};

/* The known defect an iteration shows, or -1. */
static int known_defect(const result *r)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (!r->injected || (known[i].lib != ORIGIN_OTHER && r->origin != (int)known[i].lib) ||
		    (r->other && !known[i].any))
			continue;
		for (int f = 0; f < r->depth; f++) {
			Dl_info info;

			if (dladdr(r->frames[f], &info) && info.dli_sname && !strcmp(info.dli_sname, known[i].in))
				return (int)i;
		}
	}
	return -1;
}

/* ---- the loops ---------------------------------------------------------------------------------- */

static int reach(void)
{
	int failed = 0;

	for (int purge = 0; purge < 2; purge++) {
		const loop_def *L = &loops[purge ? 2 : 0];
		uint64_t counts[FAULT_NKINDS], from[FAULT_NKINDS][ORIGIN_N];
		size_t len = strlen(g_dir);

		strcat(g_dir, purge ? "/reach-1" : "/reach-0");
		mkdir(g_dir, 0700);
		setup(purge);
		reference(L, counts, from);
		g_dir[len] = '\0';
		printf("# %s: %llu allocations, %llu disk-changing I/O calls\n", purge ? "purge" : "check-in",
		       (unsigned long long)counts[FAULT_ALLOC], (unsigned long long)counts[FAULT_IO]);
		print_origins("allocations from", from[FAULT_ALLOC]);
		print_origins("I/O calls from", from[FAULT_IO]);
		/* Each library the vault uses must have been seen. */
		if (!from[FAULT_ALLOC][ORIGIN_PROGRAM] || !from[FAULT_ALLOC][ORIGIN_SQLCIPHER] ||
		    !from[FAULT_ALLOC][ORIGIN_GIT2] || !from[FAULT_ALLOC][ORIGIN_CRYPTO] ||
		    !from[FAULT_IO][ORIGIN_PROGRAM] || !from[FAULT_IO][ORIGIN_SQLCIPHER] || !from[FAULT_IO][ORIGIN_GIT2]) {
			printf("# the interposer did not see calls from every library\n");
			failed = 1;
		}
	}
	printf("%s reach: allocations and I/O calls of scrvault, SQLCipher, libgit2 and OpenSSL counted\n",
	       failed ? "FAIL" : "PASS");
	return failed;
}

static int loop(const loop_def *L, uint64_t from, uint64_t only, uint64_t stride)
{
	enum { NKNOWN = sizeof(known) / sizeof(known[0]) };
	uint64_t counts[FAULT_NKINDS], origins[FAULT_NKINDS][ORIGIN_N], injected_from[ORIGIN_N] = { 0 };
	uint64_t iterations = 0, injected = 0, n[4] = { 0 }, bad = 0, shown = 0, k, last = 0, crashes = 0;
	uint64_t excused[NKNOWN] = { 0 }, excused_crash[NKNOWN] = { 0 }, excused_other[NKNOWN] = { 0 };
	const char *quick = getenv("SCRVAULT_TEST_QUICK");
	bool quick_mode = quick && *quick && !only && !stride;
	double t0 = seconds(), t1;

	setup(L->purge);
	reference(L, counts, origins);
	g_clock = (int64_t)time(NULL);	/* the children's fixed clock: after every entry made so far */
	t1 = seconds();
	printf("# %s: a successful run makes %llu %ss (set-up %.1f s)\n", L->name,
	       (unsigned long long)counts[L->kind], fault_kind_name(L->kind), t1 - t0);
	if (quick_mode)
		printf("# quick run (SCRVAULT_TEST_QUICK): every k up to %d, then every %dth\n", QUICK_ALL, QUICK_STRIDE);
	fflush(stdout);
	for (k = only ? only : from ? from : 1;; k++) {
		char why[640] = "", where[600] = "";
		bool crashed, answered;
		result r;
		int rc, kd;

		if (quick_mode && k > QUICK_ALL && (k - QUICK_ALL) % QUICK_STRIDE)
			continue;
		if (stride > 1 && k % stride)
			continue;
		iterations++;
		last = k;
		rc = run_child(L, k, &r, why, sizeof(why));
		crashed = rc < 0;
		answered = rc == 0 || rc == -2;	/* a crash that said where */
		if (crashed) {
			crashes++;
			r.bad = true;
			snprintf(r.problem, sizeof(r.problem), "%s", why);
		}
		if (answered && r.injected) {
			injected++;
			injected_from[r.origin < ORIGIN_N ? r.origin : ORIGIN_OTHER]++;
		}
		if (!crashed)
			n[r.outcome]++;
		fault_frames_where(where, sizeof(where), r.frames, answered ? r.depth : 0, 10);
		kd = r.bad && answered ? known_defect(&r) : -1;
		if (kd >= 0) {
			excused[kd]++;
			excused_crash[kd] += crashed;
			excused_other[kd] += !crashed && r.other;
		} else if (r.bad) {
			bad++;
		}
		if ((r.bad && kd < 0 && shown++ < g_max_shown) || g_verbose) {
			char ret[480] = "";

			if (!crashed)
				snprintf(ret, sizeof(ret), ", returned %d (%s)", r.rc, r.msg);
			printf("# k=%llu: %s %s from %s [%s]%s: %s%s%s\n", (unsigned long long)k,
			       r.injected ? "failed" : "(no failure)", r.call, fault_origin_name((enum fault_origin)r.origin),
			       where, ret, r.bad ? r.problem : r.outcome == OUT_UNCHANGED ? "unchanged" : "complete",
			       kd >= 0 ? " -- known: " : "", kd >= 0 ? known[kd].name : "");
		}
		fflush(stdout);
		if (only || (g_to && k >= g_to) || (!crashed && !r.injected && r.count < k))
			break;
		if (crashed && k > 20 * counts[L->kind] + 100)
			break;	/* never reaches the end: give up */
	}
	printf("# %s: %llu iterations (k = %llu..%llu), %llu failures injected: unchanged %llu, complete %llu, "
	       "complete but reported an error (saying the change was saved) %llu, neither %llu, crashed %llu; %.1f s\n",
	       L->name, (unsigned long long)iterations, (unsigned long long)(only ? only : from ? from : 1),
	       (unsigned long long)last, (unsigned long long)injected, (unsigned long long)n[OUT_UNCHANGED],
	       (unsigned long long)n[OUT_COMPLETE], (unsigned long long)n[OUT_COMPLETE_ERROR],
	       (unsigned long long)n[OUT_NEITHER], (unsigned long long)crashes, seconds() - t1);
	print_origins("failures injected into calls from", injected_from);
	for (size_t i = 0; i < NKNOWN; i++)
		if (excused[i])
			printf("# known defect %s: %llu iterations (%llu crashed, %llu with the vault or a check wrong): %s\n",
			       known[i].name, (unsigned long long)excused[i], (unsigned long long)excused_crash[i],
			       (unsigned long long)excused_other[i], known[i].why);
	bad += g_order[0] != '\0';
	printf("%s %s: %llu iterations, %llu failures injected, %llu bad, %.1f s%s\n", bad ? "FAIL" : "PASS", L->name,
	       (unsigned long long)iterations, (unsigned long long)injected, (unsigned long long)bad, seconds() - t0,
	       quick_mode ? " (quick: a stride after the first k)" : "");
	return bad ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: fault_loops reach|checkin-alloc|checkin-io|purge-alloc|purge-io"
		" [--only K] [--from K] [--to K] [--stride N] [--show N] [--verbose] [--keep] [--workdir DIR]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *name = NULL, *workdir = NULL;
	uint64_t from = 0, only = 0, stride = 0;
	bool keep = false;
	int rc = 2;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--from") && i + 1 < argc)
			from = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--to") && i + 1 < argc)
			g_to = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--stride") && i + 1 < argc)
			stride = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--workdir") && i + 1 < argc)
			workdir = argv[++i];
		else if (!strcmp(argv[i], "--keep"))
			keep = true;
		else if (!strcmp(argv[i], "--show") && i + 1 < argc)
			g_max_shown = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--verbose"))
			g_verbose = true;
		else if (argv[i][0] == '-' || name)
			usage();
		else
			name = argv[i];
	}
	if (!name)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* glibc's mktime (libgit2's signatures) strdups the time zone name
	 * again each time TZ is unset, which would look like a leak. */
	if (!getenv("TZ"))
		setenv("TZ", ":/etc/localtime", 1);
	fault_init();
	if (scrvault_global_init() < 0)
		die("global init");
	if (only)
		g_verbose = true;
	if (workdir) {
		if (strlen(workdir) > 900)
			usage();
		snprintf(g_dir, sizeof(g_dir), "%s", workdir);
		if (mkdir(g_dir, 0700) < 0 && errno != EEXIST)
			die("workdir");
	} else {
		const char *tmp = getenv("TMPDIR");

		snprintf(g_dir, sizeof(g_dir), "%s/sv-fault.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(g_dir))
			die("workdir");
	}
	if (!strcmp(name, "reach")) {
		rc = reach();
	} else {
		for (size_t i = 0; i < sizeof(loops) / sizeof(loops[0]); i++)
			if (!strcmp(name, loops[i].name))
				rc = loop(&loops[i], from, only, stride);
		if (rc == 2)
			usage();
	}
	scrvault_secret_free(g_pass);
	if (keep)
		printf("# work directory kept: %s\n", g_dir);
	else
		rm_tree(g_dir);
	return rc;
}
