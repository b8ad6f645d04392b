/*
 * vault.c - creating, unlocking and closing a vault; the keyring; the
 * transaction that every state change runs in.
 *
 * Key hierarchy (DESIGN §3): the vault master key (VMK, 32 random bytes)
 * exists on disk only wrapped to each custodian's X25519 key in `keyring`.
 * HKDF-SHA256 of the VMK (salt: the vault id) gives the SQLCipher key, the
 * key-encryption key for document keys, and the key that wraps the audit
 * signing key.  None of them is ever written anywhere in clear.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include "vault_int.h"
#include "authz.h"
#include "policy.h"
#include "fsutil.h"
#include "schema.h"

#define KEYRING_MAGIC "scrvault-keyring v1"
#define KEYRING_MAX   (1 << 20)

/* ---- process set-up -------------------------------------------------------- */

int scrvault_global_init(void)
{
	return scrvault_global_init_ex(0);
}

int scrvault_global_init_ex(unsigned flags)
{
	struct rlimit rl = { 0, 0 };
	int fd;

	/* fds 0-2 open, so a file we open never becomes stdout by accident. */
	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
	/* Core dumps off: an unlocked vault holds keys in memory. */
	if (setrlimit(RLIMIT_CORE, &rl) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return sv_error(SCRVAULT_ERROR, "cannot disable core dumps: %s", strerror(errno));
	umask(077);
	return (flags & SCRVAULT_INIT_BUNDLES_ONLY) ? sv_crypto_init_lean() : sv_crypto_init();
}

int scrvault_secret_new(scrvault_secret **out, const void *buf, size_t len)
{
	return sv_secret_from(out, buf, len);
}

void scrvault_secret_free(scrvault_secret *s)
{
	sv_secret_free(s);
}

int scrvault_secret_read_file(scrvault_secret **out, const char *path)
{
	char *text = NULL;
	size_t len = 0, n;
	int error;

	*out = NULL;
	if ((error = sv_file_read(&text, &len, path, 4096)) < 0)
		return sv_error_wrap(error, "passphrase file");
	n = strcspn(text, "\r\n");
	if (n == 0)
		error = sv_error(SCRVAULT_EUSAGE, "passphrase file '%s' is empty", path);
	else
		error = sv_secret_from(out, text, n);
	sv_cleanse(text, len);
	free(text);
	return error;
}

/* ---- small helpers ----------------------------------------------------------- */

int64_t sv_now(void)
{
	return (int64_t)time(NULL);
}

double sv_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sv_time_iso(char out[21], int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int64_t sv_time_parse(const char *s)
{
	struct tm tm;
	char z = 0;

	memset(&tm, 0, sizeof(tm));
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			 &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z) != 7 || z != 'Z')
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm);
}

void sv_today(char out[11])
{
	char now[21];

	sv_time_iso(now, sv_now());
	snprintf(out, 11, "%.10s", now);
}

int64_t sv_meta_int(scrvault *v, const char *key, int64_t dflt)
{
	int64_t n = 0;

	if (sv_db_int(&n, v->db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?", "t", key) != 1 || n <= 0)
		return dflt;
	return n;
}

bool sv_date_valid(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;
	char tail;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	return true;
}

bool sv_name_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '.' || s[i] == '_' || s[i] == '@' || s[i] == '-'))
			return false;
	return s[0] != '.' && s[0] != '-';
}

bool sv_ref_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return s[0] != '-';
}

int sv_vault_subkey(sv_secret **out, const sv_secret *vmk, const char *vault_id,
		    const char *label)
{
	return sv_hkdf(out, SV_KEY_LEN, vmk, vault_id, strlen(vault_id),
		       label, strlen(label));
}

void sv_blob_path(char *out, size_t len, const char *doc, unsigned version)
{
	/* Two levels of 256-way fan-out, then one file per version: no tree
	 * per document, so a check-in of n new documents writes about n
	 * trees, not 2n. */
	snprintf(out, len, "d/%.2s/%.2s/%s.%u", doc, doc + 2, doc, version);
}

void sv_blob_context(char *out, size_t len, const scrvault *v, const char *doc,
		     unsigned version)
{
	snprintf(out, len, "scrvault v1 blob|%s|%s|%u", v->id, doc, version);
}

const char *scrvault_whoami(const scrvault *v) { return v->principal; }
const char *scrvault_role(const scrvault *v) { return v->role; }
const char *scrvault_id(const scrvault *v) { return v->id; }

/* ---- keyring ------------------------------------------------------------------- */

static void keyring_aad(char *out, size_t len, const char *vault_id, const char *name)
{
	snprintf(out, len, KEYRING_MAGIC "|%s|%s", vault_id, name);
}

void sv_keyring_free(sv_keyring *kr)
{
	if (!kr)
		return;
	for (size_t i = 0; i < kr->n; i++) {
		free(kr->entries[i].name);
		free(kr->entries[i].wrap);
	}
	free(kr->entries);
	free(kr);
}

int sv_keyring_add(sv_keyring *kr, const char *name,
		   const unsigned char x_pub[SV_KEY_LEN], const sv_secret *vmk)
{
	sv_keyring_entry *e, *grown;
	char aad[160];
	int error;

	if (!(grown = sv_realloc(kr->entries, (kr->n + 1) * sizeof(*grown))))
		return SCRVAULT_ERROR;
	kr->entries = grown;
	e = &kr->entries[kr->n];
	memset(e, 0, sizeof(*e));
	if (!(e->name = sv_strdup(name)) ||
	    !(e->wrap = sv_malloc(SV_WRAP_LEN(SV_KEY_LEN)))) {
		free(e->name);
		return SCRVAULT_ERROR;
	}
	memcpy(e->x_pub, x_pub, SV_KEY_LEN);
	keyring_aad(aad, sizeof(aad), kr->id, name);
	if ((error = sv_wrap_to(e->wrap, x_pub, vmk, SV_LABEL_VMKWRAP, aad, strlen(aad))) < 0) {
		free(e->name);
		free(e->wrap);
		return error;
	}
	kr->n++;
	return 0;
}

int sv_keyring_rewrap(scrvault *v, const char *drop, const char *name,
		      const unsigned char x_pub[SV_KEY_LEN])
{
	sv_keyring *old = NULL, *kr = NULL;
	int error;

	if ((error = sv_keyring_load(&old, v->dir)) < 0)
		return error;
	if (!(kr = sv_calloc(1, sizeof(*kr)))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	memcpy(kr->id, old->id, sizeof(kr->id));
	for (size_t i = 0; i < old->n; i++) {
		const sv_keyring_entry *e = &old->entries[i];

		if (drop && !strcmp(e->name, drop))
			continue;
		if ((error = sv_keyring_add(kr, e->name, name && !strcmp(e->name, name) ? x_pub : e->x_pub,
					    v->vmk)) < 0)
			goto done;
	}
	if (kr->n == 0) {
		error = sv_error(SCRVAULT_ECONFLICT, "that would leave the vault with no custodian");
		goto done;
	}
	error = sv_keyring_save(kr, v->dir, false);
done:
	sv_keyring_free(old);
	sv_keyring_free(kr);
	return error;
}

int sv_keyring_save(const sv_keyring *kr, const char *dir, bool create)
{
	char *path = sv_path(dir, "keyring"), *text = NULL, *line = NULL, *grown;
	size_t len;
	int error = SCRVAULT_ERROR;

	if (!path || !(text = sv_printf(KEYRING_MAGIC "\nvault %s\n", kr->id)))
		goto done;
	for (size_t i = 0; i < kr->n; i++) {
		char *pub = sv_base64(kr->entries[i].x_pub, SV_KEY_LEN);
		char *wrap = sv_base64(kr->entries[i].wrap, SV_WRAP_LEN(SV_KEY_LEN));

		line = (pub && wrap) ? sv_printf("custodian %s %s %s\n", kr->entries[i].name, pub, wrap) : NULL;
		free(pub);
		free(wrap);
		if (!line || !(grown = sv_printf("%s%s", text, line)))
			goto done;
		free(text);
		free(line);
		line = NULL;
		text = grown;
	}
	len = strlen(text);
	error = create ? sv_file_create(path, text, len, 0600) : sv_file_replace(path, text, len);
done:
	free(line);
	free(text);
	free(path);
	return error;
}

int sv_keyring_load(sv_keyring **out, const char *dir)
{
	char *path = sv_path(dir, "keyring"), *text = NULL, *cur, *nl;
	sv_keyring *kr = NULL;
	size_t len;
	int error = SCRVAULT_ERROR, lineno = 0;

	*out = NULL;
	if (!path)
		return SCRVAULT_ERROR;
	if ((error = sv_file_read(&text, &len, path, KEYRING_MAX)) < 0) {
		if (error == SCRVAULT_ENOTFOUND)
			error = sv_error(SCRVAULT_ENOTFOUND,
					 "'%s' is not a scrvault vault (no keyring); check --vault or $SCRVAULT_DIR", dir);
		goto done;
	}
	error = SCRVAULT_ERROR;
	if (!(kr = sv_calloc(1, sizeof(*kr))))
		goto done;
	for (cur = text; cur && *cur; cur = nl ? nl + 1 : NULL) {
		char name[80], pub[64], wrap[256];
		unsigned char *raw = NULL;
		size_t rawlen = 0;

		if ((nl = strchr(cur, '\n')))
			*nl = '\0';
		lineno++;
		if (lineno == 1 && strcmp(cur, KEYRING_MAGIC) == 0)
			continue;
		if (lineno == 2 && sscanf(cur, "vault %32s", kr->id) == 1 &&
		    strlen(kr->id) == SV_VAULT_ID_LEN)
			continue;
		if (lineno > 2 && sscanf(cur, "custodian %79s %63s %255s", name, pub, wrap) == 3) {
			sv_keyring_entry e = { 0 };
			sv_keyring_entry *grown;

			if (sv_unbase64(&raw, &rawlen, pub) < 0 || rawlen != SV_KEY_LEN) {
				free(raw);
				break;
			}
			memcpy(e.x_pub, raw, SV_KEY_LEN);
			free(raw);
			if (sv_unbase64(&e.wrap, &rawlen, wrap) < 0 ||
			    rawlen != SV_WRAP_LEN(SV_KEY_LEN) || !(e.name = sv_strdup(name)) ||
			    !(grown = sv_realloc(kr->entries, (kr->n + 1) * sizeof(*grown)))) {
				free(e.wrap);
				free(e.name);
				break;
			}
			kr->entries = grown;
			kr->entries[kr->n++] = e;
			continue;
		}
		break;
	}
	if (cur && *cur) {
		error = sv_error(SCRVAULT_EINTEGRITY, "keyring '%s' is damaged at line %d", path, lineno);
		goto done;
	}
	if (lineno < 2 || kr->n == 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "keyring '%s' is damaged (no custodians)", path);
		goto done;
	}
	*out = kr;
	kr = NULL;
	error = 0;
done:
	sv_keyring_free(kr);
	free(text);
	free(path);
	return error;
}

/* ---- locking, transactions, store head ----------------------------------- */

static int take_lock(int *fdout, const char *dir)
{
	char *path = sv_path(dir, "lock");
	int fd;

	*fdout = -1;
	if (!path)
		return SCRVAULT_ERROR;
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	free(path);
	if (fd < 0)
		return sv_error(SCRVAULT_ERROR, "cannot open the vault lock in '%s': %s", dir, strerror(errno));
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close(fd);
			return sv_error(SCRVAULT_ERROR, "cannot lock the vault: %s", strerror(errno));
		}
	}
	*fdout = fd;
	return 0;
}

int sv_vault_store_head(char out[SV_OID_HEXLEN + 1], scrvault *v)
{
	sv_stmt *st = NULL;
	int error;

	out[0] = '\0';
	if ((error = sv_db_query(&st, v->db, "SELECT value FROM meta WHERE key = 'store_head'", "")) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1) {
		const char *t = sv_stmt_text(st, 0);
		snprintf(out, SV_OID_HEXLEN + 1, "%s", t ? t : "");
		error = 0;
	}
	sv_stmt_free(st);
	return error;
}

int sv_vault_record_commit(scrvault *v, const char *commit)
{
	int error;

	if ((error = sv_store_sync(v->store)) < 0 ||
	    (error = sv_db_run(v->db, "INSERT OR REPLACE INTO meta(key, value) VALUES ('store_head', ?)",
			       "t", commit)) < 0)
		return error;
	snprintf(v->pending_head, sizeof(v->pending_head), "%s", commit);
	return 0;
}

/*
 * The published ref must be the database's store head or an ancestor of it
 * (a command that died after its database commit and before publishing its
 * checkpoint leaves the ref behind: publish it now).  A ref that is not an
 * ancestor means the store holds history the database does not know: the
 * database was rolled back (restored from an older backup) or the store was
 * altered.  State changes are then refused until that is resolved.
 */
static int check_head(scrvault *v)
{
	char dbhead[SV_OID_HEXLEN + 1], ref[SV_OID_HEXLEN + 1];
	int error, rc;

	if ((error = sv_vault_store_head(dbhead, v)) < 0)
		return error;
	error = sv_store_head(ref, v->store);
	if (error == SCRVAULT_ENOTFOUND)
		return dbhead[0] ? sv_store_set_head(v->store, dbhead) : 0;
	if (error < 0)
		return error;
	if (strcmp(ref, dbhead) == 0)
		return 0;
	rc = dbhead[0] ? sv_store_descends(v->store, dbhead, ref) : 0;
	if (rc == 1)
		return sv_store_set_head(v->store, dbhead);
	v->rolled_back = true;
	snprintf(v->rollback_msg, sizeof(v->rollback_msg),
		 "the store holds audit history newer than the database (store %.12s, database %.12s): "
		 "the database was rolled back or the store altered; run 'scrvault audit verify'",
		 ref, dbhead[0] ? dbhead : "none");
	return 0;
}

int sv_vault_begin(scrvault *v)
{
	if (v->rolled_back)
		return sv_error(SCRVAULT_EINTEGRITY, "refusing to change the vault: %s", v->rollback_msg);
	v->dirty_before = v->audit_dirty;
	return sv_db_begin(v->db);
}

int sv_vault_commit(scrvault *v)
{
	int error;

	/* The entries and their signed checkpoint commit together. */
	if ((v->audit_dirty && (error = sv_audit_sign(v)) < 0) ||
	    (error = sv_db_commit(v->db)) < 0) {
		sv_vault_abort(v);
		return error;
	}
	/* The ref follows the database, never leads it. */
	if (v->pending_head[0]) {
		error = sv_store_set_head(v->store, v->pending_head);
		v->pending_head[0] = '\0';
		if (error < 0)
			return sv_error_wrap(error, "the change was saved, but the store's ref could not be moved "
					     "(the next command moves it)");
	}
	if ((error = sv_audit_publish(v, false)) < 0)
		return sv_error_wrap(error, "the change was saved and its audit checkpoint signed, but the "
				     "checkpoint could not be copied to the store (the next command does it, "
				     "or run 'scrvault audit checkpoint')");
	return 0;
}

void sv_vault_abort(scrvault *v)
{
	sv_db_rollback(v->db);
	v->audit_dirty = v->dirty_before;
	v->pending_head[0] = '\0';
}

/* ---- unlock failures ---------------------------------------------------------- */

int sv_unlock_failure_note(const char *dir, const char *principal, const char *reason)
{
	char when[21], *line = NULL, *path = NULL;
	sv_json *o = sv_json_object();
	size_t len;
	int error = SCRVAULT_ERROR;

	sv_time_iso(when, sv_now());
	if (!o || sv_json_set_str(o, "principal", principal) < 0 ||
	    sv_json_set_str(o, "reason", reason) < 0 ||
	    sv_json_set_str(o, "time", when) < 0 ||
	    sv_json_write(&line, &len, o) < 0 || !(path = sv_path(dir, "unlock-failures")))
		goto done;
	{
		char *withnl = sv_printf("%s\n", line);

		if (!withnl)
			goto done;
		error = sv_file_append(path, withnl);
		free(withnl);
	}
done:
	sv_json_free(o);
	free(line);
	free(path);
	return error;
}

int sv_unlock_failures_ingest(scrvault *v)
{
	char *path = sv_path(v->dir, "unlock-failures"), *text = NULL, *cur, *nl;
	size_t len;
	int error;

	if (!path)
		return SCRVAULT_ERROR;
	if ((error = sv_file_read(&text, &len, path, 16 << 20)) < 0) {
		free(path);
		return error == SCRVAULT_ENOTFOUND ? 0 : error;
	}
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	for (cur = text; cur && *cur; cur = nl ? nl + 1 : NULL) {
		sv_json *rec = NULL, *obj = NULL, *det = NULL;
		const char *who, *why, *when;

		if ((nl = strchr(cur, '\n')))
			*nl = '\0';
		if (sv_json_parse(&rec, cur, strlen(cur), NULL) < 0 ||
		    !(who = sv_json_str(sv_json_get(rec, "principal"))) ||
		    !(why = sv_json_str(sv_json_get(rec, "reason"))) ||
		    !(when = sv_json_str(sv_json_get(rec, "time")))) {
			sv_json_free(rec);
			det = sv_json_object();
			if (!det || sv_json_set_str(det, "reason", "unreadable record in unlock-failures") < 0 ||
			    (error = sv_audit_append(v, "vault.unlock", "denied", NULL, det)) < 0)
				goto fail;
			continue;
		}
		obj = sv_json_object();
		det = sv_json_object();
		if (!obj || !det || sv_json_set_str(obj, "principal", who) < 0 ||
		    sv_json_set_str(det, "reason", why) < 0 ||
		    sv_json_set_str(det, "attempted_at", when) < 0) {
			sv_json_free(rec);
			sv_json_free(obj);
			sv_json_free(det);
			error = SCRVAULT_ERROR;
			goto fail;
		}
		sv_json_free(rec);
		if ((error = sv_audit_append(v, "vault.unlock", "denied", obj, det)) < 0)
			goto fail;
	}
	if ((error = sv_vault_commit(v)) < 0)
		goto done;
	/* Recorded: the pending file can go.  A crash right here would record the
	 * same attempts twice, never lose one. */
	unlink(path);
	goto done;
fail:
	sv_vault_abort(v);
done:
	free(text);
	free(path);
	return error;
}

/* ---- init --------------------------------------------------------------------- */

static bool dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool empty = true;

	if (!d)
		return false;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = false;
	closedir(d);
	return empty;
}

int sv_principal_spec_check(const scrvault_principal_spec *s)
{
	if (!sv_name_valid(s->name))
		return sv_error(SCRVAULT_EUSAGE,
				"principal name '%s' is not valid: use 1-64 of a-z 0-9 . _ @ -",
				s->name ? s->name : "");
	if (!s->kind || (strcmp(s->kind, "person") && strcmp(s->kind, "agency") &&
			 strcmp(s->kind, "service")))
		return sv_error(SCRVAULT_EUSAGE, "principal kind must be person, agency or service");
	/* A scheduled job (the retention purge) must unlock on its own: a
	 * service principal may hold a wrap of the master key; its role limits
	 * what it can do with it. */
	if (s->custodian && strcmp(s->kind, "person") != 0 && strcmp(s->kind, "service") != 0)
		return sv_error(SCRVAULT_EUSAGE, "only a person or a service principal (a scheduled job) can be a custodian");
	if (s->kdf_mib && (s->kdf_mib < SV_ARGON2_MIN_KIB / 1024 || s->kdf_mib > 4096))
		return sv_error(SCRVAULT_EUSAGE, "--kdf-memory must be between %d and 4096 MiB",
				SV_ARGON2_MIN_KIB / 1024);
	return 0;
}

sv_argon2_params sv_kdf_params(unsigned mib)
{
	sv_argon2_params p = SV_ARGON2_DEFAULT;

	if (mib)
		p.m_cost_kib = mib * 1024;
	return p;
}

/* Create the session struct around an open database and store. */
static int session_new(scrvault **out, const char *dir, const char *vault_id)
{
	scrvault *v = sv_calloc(1, sizeof(*v));
	unsigned char rid[8];

	*out = NULL;
	if (!v)
		return SCRVAULT_ERROR;
	v->lockfd = -1;
	if (!(v->dir = sv_strdup(dir))) {
		free(v);
		return SCRVAULT_ERROR;
	}
	snprintf(v->id, sizeof(v->id), "%s", vault_id);
	snprintf(v->origin, sizeof(v->origin), "scrvault.local/%s", vault_id);
	if (sv_random(rid, sizeof(rid)) < 0) {
		scrvault_close(v);
		return SCRVAULT_ERROR;
	}
	sv_hex(v->request, rid, sizeof(rid));
	*out = v;
	return 0;
}

int scrvault_init(const char *dir, const scrvault_principal_spec *first,
		  const char *keyfile, const scrvault_secret *passphrase)
{
	unsigned char vid[SV_VAULT_ID_LEN / 2];
	sv_argon2_params kdf;
	sv_keyring *kr = NULL;
	sv_identity *id = NULL;
	sv_secret *dbkey = NULL, *auditwrap = NULL, *auditkey = NULL;
	unsigned char auditpub[SV_KEY_LEN], sealed[SV_SEALED_LEN(SV_KEY_LEN)];
	char *path = NULL, commit[SV_OID_HEXLEN + 1], blob[SV_OID_HEXLEN + 1];
	char *ident = NULL;
	scrvault *v = NULL;
	struct stat sb;
	bool made_dir = false, made_contents = false, wrote_key = false;
	int error;

	if ((error = sv_principal_spec_check(first)) < 0)
		return error;
	if (!first->custodian)
		return sv_error(SCRVAULT_EUSAGE, "the first principal must be a custodian");
	if (!passphrase)
		return sv_error(SCRVAULT_EUSAGE, "the first custodian's key file needs a passphrase");
	if (lstat(keyfile, &sb) == 0)
		return sv_error(SCRVAULT_ECONFLICT, "key file '%s' already exists; choose another path", keyfile);
	if (lstat(dir, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode) || !dir_is_empty(dir))
			return sv_error(SCRVAULT_ECONFLICT,
					"'%s' already exists and is not an empty directory; choose a new path", dir);
	} else if (mkdir(dir, 0700) < 0) {
		return sv_error(SCRVAULT_ERROR, "cannot create '%s': %s", dir, strerror(errno));
	} else {
		made_dir = true;
	}
	made_contents = true;
	kdf = sv_kdf_params(first->kdf_mib);

	if ((error = sv_random(vid, sizeof(vid))) < 0 ||
	    (error = (kr = sv_calloc(1, sizeof(*kr))) ? 0 : SCRVAULT_ERROR) < 0)
		goto done;
	sv_hex(kr->id, vid, sizeof(vid));
	if ((error = session_new(&v, dir, kr->id)) < 0 ||
	    (error = take_lock(&v->lockfd, dir)) < 0 ||
	    (error = sv_secret_random(&v->vmk, SV_KEY_LEN)) < 0 ||
	    (error = sv_identity_generate(&id, first->name, kr->id)) < 0 ||
	    (error = sv_keyring_add(kr, first->name, id->x_pub, v->vmk)) < 0 ||
	    (error = sv_vault_subkey(&dbkey, v->vmk, v->id, SV_LABEL_DB)) < 0 ||
	    (error = sv_vault_subkey(&v->kek, v->vmk, v->id, SV_LABEL_KEK)) < 0 ||
	    (error = sv_vault_subkey(&auditwrap, v->vmk, v->id, SV_LABEL_AUDIT)) < 0)
		goto done;
	if (!(path = sv_path(dir, "store.git"))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = sv_store_init(path)) < 0 || (error = sv_store_open(&v->store, path)) < 0)
		goto done;
	free(path);
	if (!(path = sv_path(dir, "vault.db"))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = sv_db_open(&v->db, path, dbkey, true)) < 0 ||
	    (error = sv_schema_create(v->db)) < 0)
		goto done;

	/* The audit signing key, wrapped under a VMK subkey. */
	if ((error = sv_ed25519_keygen(&auditkey, auditpub)) < 0 ||
	    (error = sv_seal(sealed, auditwrap, sv_secret_data(auditkey), SV_KEY_LEN,
			     v->id, strlen(v->id))) < 0)
		goto done;
	v->audit_key = auditkey;
	auditkey = NULL;
	memcpy(v->audit_pub, auditpub, SV_KEY_LEN);

	/* The store's first commit names the vault (an opaque id). */
	if (!(ident = sv_printf("scrvault vault %s\n", v->id))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	{
		sv_store_update up = { "vault", blob };

		if ((error = sv_store_blob_put(blob, v->store, ident, strlen(ident))) < 0 ||
		    (error = sv_store_commit(commit, v->store, NULL, &up, 1, "init", sv_now())) < 0)
			goto done;
	}

	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	{
		char when[21];
		sv_json *det = sv_json_object();

		sv_time_iso(when, sv_now());
		if ((error = sv_db_run(v->db, "INSERT INTO meta(key, value) VALUES ('vault_id', ?), ('created_at', ?)",
				       "tt", v->id, when)) < 0 ||
		    (error = sv_db_run(v->db, "INSERT INTO vault_keys(name, public, wrapped) VALUES ('audit', ?, ?)",
				       "bb", auditpub, (size_t)SV_KEY_LEN, sealed, sizeof(sealed))) < 0 ||
		    (error = sv_principal_insert(v, first, id, &v->principal_id)) < 0 ||
		    !(v->principal = sv_strdup(first->name)) || !(v->role = sv_strdup("coordinator")) ||
		    (error = sv_vault_record_commit(v, commit)) < 0 || !det ||
		    (error = sv_json_set_int(det, "schema", SV_SCHEMA_VERSION)) < 0 ||
		    (error = sv_audit_append(v, "vault.init", "ok", NULL, det)) < 0) {
			if (!error)
				error = SCRVAULT_ERROR;
			sv_vault_abort(v);
			goto done;
		}
		{
			sv_json *obj = sv_json_object(), *d2 = sv_json_object();

			if (!obj || !d2 || sv_json_set_str(obj, "principal", first->name) < 0 ||
			    sv_json_set_str(d2, "kind", first->kind) < 0 ||
			    sv_json_set_bool(d2, "custodian", true) < 0) {
				sv_json_free(obj);
				sv_json_free(d2);
				error = SCRVAULT_ERROR;
				sv_vault_abort(v);
				goto done;
			}
			if ((error = sv_audit_append(v, "principal.add", "ok", obj, d2)) < 0) {
				sv_vault_abort(v);
				goto done;
			}
		}
		/* The default policy, and the first custodian is its coordinator. */
		{
			sv_policy *pol = NULL;
			sv_json *gobj = sv_obj1("principal", first->name), *gdet = sv_obj1("role", "coordinator");

			if (!gobj || !gdet) {
				sv_json_free(gobj);
				sv_json_free(gdet);
				error = SCRVAULT_ERROR;
			} else if ((error = sv_policy_default(&pol)) < 0 ||
				   (error = sv_policy_apply(v, pol, "built-in default")) < 0 ||
				   (error = sv_db_run(v->db, "INSERT INTO grants(principal_id, role, granted_at, granted_by)"
						      " VALUES (?, 'coordinator', ?, ?)", "iti", v->principal_id, when,
						      v->principal_id)) < 0) {
				sv_json_free(gobj);
				sv_json_free(gdet);
			} else {
				error = sv_audit_append(v, "principal.grant", "ok", gobj, gdet);
			}
			sv_policy_free(pol);
			if (error < 0) {
				sv_vault_abort(v);
				goto done;
			}
		}
	}
	/* Key file and keyring before the commit: without them the vault could
	 * never be opened again. */
	if ((error = sv_identity_save(id, keyfile, passphrase, &kdf)) < 0) {
		sv_vault_abort(v);
		goto done;
	}
	wrote_key = true;
	if ((error = sv_keyring_save(kr, dir, true)) < 0) {
		sv_vault_abort(v);
		goto done;
	}
	if ((error = sv_vault_commit(v)) < 0)
		goto done;
	made_contents = false;
	v->opened = true;
done:
	if (error < 0 && made_contents) {
		/* Leave nothing half-made behind. */
		char *cmd_paths[] = { "keyring", "vault.db", "vault.db-wal", "vault.db-shm", "lock", NULL };

		if (v) {
			sv_db_close(v->db);
			v->db = NULL;
		}
		for (int i = 0; cmd_paths[i]; i++) {
			char *p = sv_path(dir, cmd_paths[i]);
			if (p)
				unlink(p);
			free(p);
		}
		{
			char *p = sv_path(dir, "store.git");
			if (p)
				sv_rmtree(p);
			free(p);
		}
		if (made_dir)
			rmdir(dir);
		if (wrote_key)
			unlink(keyfile);
	}
	scrvault_close(v);
	sv_keyring_free(kr);
	sv_identity_free(id);
	sv_secret_free(dbkey);
	sv_secret_free(auditwrap);
	sv_secret_free(auditkey);
	free(path);
	free(ident);
	return error;
}

/* Unwrap the audit signing key and check it against its public half. */
static int load_audit_key(scrvault *v)
{
	sv_secret *wrap = NULL;
	sv_stmt *st = NULL;
	const unsigned char *pub, *sealed;
	unsigned char check[SV_KEY_LEN];
	size_t publen = 0, sealedlen = 0;
	int error;

	if ((error = sv_db_query(&st, v->db, "SELECT public, wrapped FROM vault_keys WHERE name = 'audit'", "")) < 0)
		return error;
	if ((error = sv_stmt_step(st)) != 1) {
		sv_stmt_free(st);
		return error < 0 ? error : sv_error(SCRVAULT_EINTEGRITY, "the vault has no audit signing key");
	}
	pub = sv_stmt_blob(st, 0, &publen);
	sealed = sv_stmt_blob(st, 1, &sealedlen);
	if (!pub || publen != SV_KEY_LEN || !sealed) {
		error = sv_error(SCRVAULT_EINTEGRITY, "the audit signing key record is damaged");
		goto done;
	}
	memcpy(v->audit_pub, pub, SV_KEY_LEN);
	if ((error = sv_vault_subkey(&wrap, v->vmk, v->id, SV_LABEL_AUDIT)) < 0)
		goto done;
	if ((error = sv_open(&v->audit_key, wrap, sealed, sealedlen, v->id, strlen(v->id))) < 0 ||
	    (error = sv_ed25519_public(check, v->audit_key)) < 0 ||
	    memcmp(check, v->audit_pub, SV_KEY_LEN) != 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "the audit signing key does not open or does not match");
		goto done;
	}
done:
	sv_secret_free(wrap);
	sv_stmt_free(st);
	return error;
}

/* ---- open / close ---------------------------------------------------------------- */

/*
 * Switch the session to the principal of `keyfile` (not a custodian, or
 * another custodian) after the vault was unlocked: they must prove they hold
 * the key of a registered, active principal.  A failed attempt is an audit
 * entry of the unlocking custodian's session.
 */
static int act_as(scrvault *v, const char *keyfile, const scrvault_secret *pp)
{
	sv_identity *pub = NULL, *id = NULL;
	const char *why = NULL;
	sv_stmt *st = NULL;
	int error;

	if ((error = sv_identity_load(&pub, keyfile, NULL)) < 0)
		return error;
	if (pub->has_passphrase && !pp) {
		error = sv_error(SCRVAULT_EUSAGE, "key file '%s' needs its passphrase: use --as-passphrase-file FILE",
				 keyfile);
		goto done;
	}
	if ((error = sv_identity_load(&id, keyfile, pp)) < 0) {
		if (error == SCRVAULT_EDENIED)
			why = "wrong passphrase";
		else
			goto done;
	} else if (strcmp(id->vault_id, v->id) != 0) {
		why = "key file of another vault";
	} else {
		size_t elen = 0, xlen = 0;
		const unsigned char *ed, *x;

		if ((error = sv_db_query(&st, v->db, "SELECT id, ed25519_pub, x25519_pub, status, custodian"
					 " FROM principals WHERE name = ?", "t", id->name)) < 0)
			goto done;
		if ((error = sv_stmt_step(st)) < 0)
			goto done;
		if (error == 0) {
			why = "not registered";
		} else {
			ed = sv_stmt_blob(st, 1, &elen);
			x = sv_stmt_blob(st, 2, &xlen);
			if (elen != SV_KEY_LEN || xlen != SV_KEY_LEN || memcmp(ed, id->ed_pub, SV_KEY_LEN) ||
			    memcmp(x, id->x_pub, SV_KEY_LEN))
				why = "key replaced";
			else if (strcmp(sv_stmt_text(st, 3), "active") != 0)
				why = "revoked";
		}
	}
	if (why) {
		sv_json *det = sv_json_object();

		if (det)
			sv_json_set_str(det, "reason", why);
		sv_error(SCRVAULT_EDENIED, "key file '%s' (principal '%s') may not act in this vault: %s",
			 keyfile, pub->name, why);
		error = v->rolled_back ? SCRVAULT_EDENIED
			: sv_audit_denied(v, "session.act-as", sv_obj1("principal", pub->name), det, SCRVAULT_EDENIED);
		if (v->rolled_back)
			sv_json_free(det);
		goto done;
	}
	if (strcmp(id->name, v->principal) == 0) {
		error = 0;	/* the custodian as themselves: nothing to switch */
		goto done;
	}
	free(v->unlocker);
	v->unlocker = v->principal;
	v->principal = NULL;
	if (!(v->principal = sv_strdup(id->name))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	v->principal_id = sv_stmt_int(st, 0);
	v->custodian = sv_stmt_int(st, 4) != 0;
	sv_identity_free(v->ident);
	v->ident = id;
	id = NULL;
	error = 0;
done:
	sv_stmt_free(st);
	sv_identity_free(pub);
	sv_identity_free(id);
	return error;
}

int scrvault_open(scrvault **out, const char *dir, const char *keyfile,
		  const scrvault_secret *passphrase, const char *role)
{
	return scrvault_open_as(out, dir, keyfile, passphrase, NULL, NULL, role);
}

int scrvault_open_as(scrvault **out, const char *dir, const char *keyfile,
		     const scrvault_secret *passphrase, const char *as_keyfile,
		     const scrvault_secret *as_passphrase, const char *role)
{
	sv_keyring *kr = NULL;
	sv_identity *id = NULL, *pub = NULL;
	sv_secret *dbkey = NULL;
	const sv_keyring_entry *entry = NULL;
	scrvault *v = NULL;
	char *path = NULL, aad[160];
	struct stat sb;
	int error;

	*out = NULL;
	if (!dir || !*dir)
		return sv_error(SCRVAULT_EUSAGE, "no vault given: use --vault DIR or set SCRVAULT_DIR");
	if (!keyfile || !*keyfile)
		return sv_error(SCRVAULT_EUSAGE, "no key file given: use --key FILE or set SCRVAULT_KEY");
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return sv_error(SCRVAULT_ENOTFOUND, "vault directory '%s' does not exist", dir);
	if ((error = sv_keyring_load(&kr, dir)) < 0)
		return error;

	/* Who claims to be unlocking: read the public part first, so a failure can
	 * be recorded under that name. */
	if ((error = sv_identity_load(&pub, keyfile, NULL)) < 0)
		goto done;
	if (pub->has_passphrase && !passphrase) {
		error = sv_error(SCRVAULT_EUSAGE,
				 "key file '%s' needs its passphrase: use --passphrase-file FILE or a terminal",
				 keyfile);
		goto done;
	}
	if ((error = sv_identity_load(&id, keyfile, passphrase)) < 0) {
		if (error == SCRVAULT_EDENIED)
			sv_unlock_failure_note(dir, pub->name, "wrong passphrase");
		goto done;
	}
	for (size_t i = 0; i < kr->n; i++)
		if (strcmp(kr->entries[i].name, id->name) == 0 &&
		    memcmp(kr->entries[i].x_pub, id->x_pub, SV_KEY_LEN) == 0)
			entry = &kr->entries[i];
	if (!entry) {
		sv_unlock_failure_note(dir, id->name, strcmp(id->vault_id, kr->id)
				       ? "key file of another vault" : "not a custodian");
		error = sv_error(SCRVAULT_EDENIED,
				 "key file '%s' (principal '%s') cannot unlock this vault: %s",
				 keyfile, id->name, strcmp(id->vault_id, kr->id)
				 ? "it belongs to another vault" : "the principal is not a custodian");
		goto done;
	}
	if ((error = session_new(&v, dir, kr->id)) < 0)
		goto done;
	keyring_aad(aad, sizeof(aad), kr->id, entry->name);
	if ((error = sv_unwrap_with(&v->vmk, id->x_priv, entry->wrap, SV_WRAP_LEN(SV_KEY_LEN),
				    SV_LABEL_VMKWRAP, aad, strlen(aad))) < 0) {
		sv_unlock_failure_note(dir, id->name, "keyring entry does not open");
		error = sv_error(SCRVAULT_EDENIED,
				 "the keyring entry of '%s' does not open with key file '%s'",
				 id->name, keyfile);
		goto done;
	}
	if ((error = take_lock(&v->lockfd, dir)) < 0 ||
	    (error = sv_vault_subkey(&dbkey, v->vmk, v->id, SV_LABEL_DB)) < 0 ||
	    (error = sv_vault_subkey(&v->kek, v->vmk, v->id, SV_LABEL_KEK)) < 0)
		goto done;
	if (!(path = sv_path(dir, "vault.db"))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = sv_db_open(&v->db, path, dbkey, false)) < 0) {
		if (error == SCRVAULT_EDENIED)
			error = sv_error(SCRVAULT_EINTEGRITY,
					 "vault.db does not open with the vault master key: it was replaced or damaged");
		goto done;
	}
	if ((error = sv_schema_migrate(v->db)) < 0 || (error = load_audit_key(v)) < 0)
		goto done;
	free(path);
	if (!(path = sv_path(dir, "store.git"))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = sv_store_open(&v->store, path)) < 0 || (error = check_head(v)) < 0 ||
	    (error = sv_audit_check_store(v)) < 0)
		goto done;

	/* The principal must be registered, active and hold these very keys. */
	{
		sv_stmt *st = NULL;
		size_t edlen = 0;
		const unsigned char *ed;

		if ((error = sv_db_query(&st, v->db,
					 "SELECT id, ed25519_pub, status, custodian FROM principals WHERE name = ?",
					 "t", id->name)) < 0)
			goto done;
		if ((error = sv_stmt_step(st)) != 1) {
			sv_stmt_free(st);
			error = error < 0 ? error : sv_error(SCRVAULT_EDENIED, "principal '%s' is not registered in this vault", id->name);
			goto done;
		}
		ed = sv_stmt_blob(st, 1, &edlen);
		if (edlen != SV_KEY_LEN || memcmp(ed, id->ed_pub, SV_KEY_LEN) != 0 ||
		    strcmp(sv_stmt_text(st, 2), "active") != 0 || sv_stmt_int(st, 3) != 1) {
			sv_stmt_free(st);
			sv_unlock_failure_note(dir, id->name, "revoked or replaced key");
			error = sv_error(SCRVAULT_EDENIED, "principal '%s' may not unlock this vault (revoked or key replaced)", id->name);
			goto done;
		}
		v->principal_id = sv_stmt_int(st, 0);
		v->custodian = true;
		sv_stmt_free(st);
	}
	/* Until the role is settled below, what the session does (moving failed
	 * unlocks into the log, loading the default policy into an older vault)
	 * it does as the custodian who unlocked. */
	if (!(v->principal = sv_strdup(id->name)) || !(v->role = sv_strdup("custodian"))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	v->ident = id;
	id = NULL;
	if (!v->rolled_back && ((error = sv_unlock_failures_ingest(v)) < 0 ||
				(error = sv_policy_ensure(v)) < 0))
		goto done;
	if (as_keyfile && (error = act_as(v, as_keyfile, as_passphrase)) < 0)
		goto done;
	if ((error = sv_session_role(v, role)) < 0)
		goto done;
	v->opened = true;
	*out = v;
	v = NULL;
done:
	scrvault_close(v);
	sv_keyring_free(kr);
	sv_identity_free(id);
	sv_identity_free(pub);
	sv_secret_free(dbkey);
	free(path);
	return error;
}

void scrvault_close(scrvault *v)
{
	if (!v)
		return;
	if (v->db && sv_db_in_txn(v->db))
		sv_vault_abort(v);
	/*
	 * A session ends with its latest signed checkpoint in the store, so a
	 * database restored from an older copy is caught by the next command.
	 * A failure here loses nothing (the database holds the checkpoint, and
	 * the next session copies it), so it must not replace the message of
	 * what the caller did.
	 */
	if (v->db && v->store && v->opened && !v->rolled_back) {
		char saved[1024];

		snprintf(saved, sizeof(saved), "%s", scrvault_error_message());
		(void)sv_audit_publish(v, true);
		sv_error(0, "%s", saved);
	}
	sv_db_close(v->db);
	sv_store_free(v->store);
	sv_secret_free(v->vmk);
	sv_secret_free(v->kek);
	sv_secret_free(v->audit_key);
	sv_identity_free(v->ident);
	free(v->unlocker);
	if (v->lockfd >= 0)
		close(v->lockfd);
	free(v->dir);
	free(v->principal);
	free(v->role);
	free(v);
}
