/*
 * replication.c - mirrors, backups and restores (scrvault/replication.h).
 *
 * Backup file (binary, one file):
 *
 *   scrvault-backup v1\n
 *   manifest <base64 canonical JSON>\n
 *   signature <base64 Ed25519 signature over the manifest's bytes>\n
 *   keyring <N>\n <N bytes: VAULT/keyring>
 *   database <N>\n <N bytes: a SQLCipher copy of vault.db under the same key>
 *
 * The manifest names the vault, the time, the audit log's size and root, the
 * store head and the SHA-256 of both parts; it is signed with the audit key,
 * so `backup verify` checks it with the published verifier key alone.  The
 * parts are as encrypted as the vault itself: the database under its key
 * (derived from the master key), the master key wrapped per custodian.
 *
 * Restore: the backup's keyring and database, a bare clone of the mirror as
 * the store, a custodian's key.  The mirror's signed checkpoint and history
 * say what the backup does not have: audit entries (a sequence range) and
 * store commits (state changes); a mirror without a checkpoint that verifies
 * is a gap of unknown size.  A version the backup holds live whose blob the
 * mirror's head no longer holds is destroyed again (its key deleted) only if
 * a destruction record signed by the vault's audit key, in a store commit
 * after the backup, names it and its blob: a backup never undoes a
 * destruction the vault recorded, and a commit anyone could push to a
 * mirror destroys nothing (such removals are reported and undone).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "vault_int.h"
#include "authz.h"
#include "fsutil.h"
#include "note.h"
#include "scrvault/replication.h"

#define BACKUP_MAGIC "scrvault-backup v1"
#define BACKUP_TYPE  "scrvault-backup v1"
#define CHECKPOINT_REF "refs/audit/checkpoint"

static bool mirror_name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n <= 32 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/*
 * Where a URL's userinfo is (what comes before the host's '@': "user" or
 * "user:password"): its offset and length, false when it has none.  For
 * "scheme://" URLs it is the authority's part before its last '@' (RFC 3986);
 * for anything else (scp-like "user@host:path", a path) the part before an
 * '@' that comes before any '/'.
 */
static bool url_userinfo(const char *url, size_t *at, size_t *len)
{
	size_t s = strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
	const char *start, *a = NULL;
	size_t end;

	if (s > 0 && strncmp(url + s, "://", 3) == 0) {
		start = url + s + 3;
		end = strcspn(start, "/?#");
		for (size_t i = 0; i < end; i++)
			if (start[i] == '@')
				a = start + i;
	} else {
		start = url;
		end = strcspn(start, "/");
		a = memchr(start, '@', end);
	}
	if (!a)
		return false;
	*at = (size_t)(start - url);
	*len = (size_t)(a - start);
	return true;
}

/* A URL's password, if it carries one: offset and length ("" counts). */
static bool url_password(const char *url, size_t *at, size_t *len)
{
	size_t u, ulen;
	const char *c;

	if (!url_userinfo(url, &u, &ulen) || !(c = memchr(url + u, ':', ulen)))
		return false;
	*at = (size_t)(c + 1 - url);
	*len = u + ulen - *at;
	return true;
}

/*
 * A copy of `url` to show (caller frees): for the audit log (`all`) without
 * any userinfo ("***@host"); for the terminal without the password only.
 */
static char *url_redacted(const char *url, bool all)
{
	size_t at, len;

	if (all ? !url_userinfo(url, &at, &len) : !url_password(url, &at, &len))
		return sv_strdup(url);
	return sv_printf("%.*s***%s", (int)at, url, url + at + len);
}

/* A copy of `text` (caller frees) with every occurrence of the URL's password as "***". */
static char *text_redacted(const char *text, const char *url)
{
	size_t at, len, n = 0, tlen = strlen(text);
	const char *p = text, *hit;
	char *out, *o;

	if (!url_password(url, &at, &len) || len == 0)
		return sv_strdup(text);
	/* At most one "***" per character of the text. */
	if (!(out = o = sv_malloc(3 * tlen + 1)))
		return NULL;
	while ((hit = memmem(p, tlen - (size_t)(p - text), url + at, len))) {
		n = (size_t)(hit - p);
		memcpy(o, p, n);
		memcpy(o + n, "***", 3);
		o += n + 3;
		p = hit + len;
	}
	n = tlen - (size_t)(p - text);	/* the rest, and its NUL */
	memcpy(o, p, n + 1);
	return out;
}

#define MIRROR_URL_MAX 1000

int scrvault_mirror_add(scrvault *v, const char *name, const char *url)
{
	char key[48], *shown = NULL;
	size_t at, len;
	int error;

	if ((error = sv_authorize(v, "mirror.manage", NULL)) < 0)
		return error;
	if (!mirror_name_ok(name))
		return sv_error(SCRVAULT_EUSAGE, "a mirror's name is 1-32 of a-z 0-9 -");
	if (!url || !*url)
		return sv_error(SCRVAULT_EUSAGE, "give the mirror's git URL (file:///path, ssh://host/path, ...)");
	if (strlen(url) > MIRROR_URL_MAX)
		return sv_error(SCRVAULT_EUSAGE, "the mirror's URL is %zu characters long; at most %d are accepted: use a "
				"shorter path, or a host alias in the ssh configuration", strlen(url), MIRROR_URL_MAX);
	for (const char *c = url; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return sv_error(SCRVAULT_EUSAGE, "the mirror's URL contains a control character");
	/* A password in the URL would be kept in the vault and in its signed,
	 * exported audit log for good.  A user name alone is no secret. */
	if (url_password(url, &at, &len))
		return sv_error(SCRVAULT_EUSAGE, "the mirror's URL carries a password (user:password@): it would be kept "
				"in the vault and could not be removed from its audit log; give the URL without it (a user "
				"name alone, as in ssh://backup@host/path, is fine) and keep the credential outside the URL "
				"(an ssh key for ssh:// mirrors)");
	snprintf(key, sizeof(key), "mirror.%s", name);
	if (!(shown = url_redacted(url, true)))
		return SCRVAULT_ERROR;
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	if ((error = sv_db_run(v->db, "INSERT INTO meta(key, value) VALUES (?, ?)", "tt", key, url)) < 0) {
		sv_vault_abort(v);
		if (error == SCRVAULT_ECONFLICT)
			error = sv_error(SCRVAULT_ECONFLICT, "a mirror '%s' exists already", name);
		goto done;
	}
	/* The audit entry names the URL without its user. */
	if ((error = sv_audit_append(v, "mirror.add", "ok", sv_obj1("mirror", name), sv_obj1("url", shown))) < 0 ||
	    (error = sv_vault_commit(v)) < 0)
		sv_vault_abort(v);
done:
	free(shown);
	return error;
}

static sv_json *mirror_row(sv_stmt *st)
{
	char *url = url_redacted(sv_stmt_text(st, 1), false);
	sv_json *o = url ? sv_obj1("mirror", sv_stmt_text(st, 0)) : NULL;

	if (o && sv_json_set_str(o, "url", url) < 0) {
		sv_json_free(o);
		o = NULL;
	}
	free(url);
	return o;
}

int scrvault_mirror_list(scrvault_json **out, scrvault *v)
{
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "mirror.push", NULL)) < 0)
		return error;
	return sv_query_array(out, v, mirror_row, "SELECT substr(key, 8), value FROM meta"
			      " WHERE key LIKE 'mirror.%' ORDER BY key", "", NULL);
}

/*
 * Whether a failed push was refused because the mirror's main is not an
 * ancestor of the store's.  libgit2 finds that before sending anything and
 * returns GIT_ENONFASTFORWARD, which store.c reports as a plain error with
 * libgit2's text; a mirror that refuses by itself reports "non-fast-forward"
 * or "fetch first" as the ref's status (SCRVAULT_ECONFLICT).
 */
static bool push_not_fast_forward(int rc, const char *msg)
{
	return rc < 0 && msg && (strstr(msg, "non-fastforwardable") || strstr(msg, "not present locally") ||
				 strstr(msg, "non-fast-forward") || strstr(msg, "fetch first"));
}

int scrvault_mirror_push(scrvault_json **out, scrvault *v, const char *name)
{
	sv_json *res = NULL;
	sv_stmt *st = NULL;
	char key[48];
	int error, failed = 0, nonff = 0, n = 0;

	*out = NULL;
	if ((error = sv_authorize(v, "mirror.push", NULL)) < 0)
		return error;
	if (name && !mirror_name_ok(name))
		return sv_error(SCRVAULT_EUSAGE, "no mirror '%s'", name);
	/* The mirror gets the newest signed checkpoint with the store. */
	if ((error = sv_audit_checkpoint(v)) < 0)
		return error;
	snprintf(key, sizeof(key), "mirror.%s", name ? name : "%");
	if (!(res = sv_json_array()))
		return SCRVAULT_ERROR;
	if ((error = sv_db_query(&st, v->db, "SELECT substr(key, 8), value FROM meta WHERE key LIKE ? ORDER BY key",
				 "t", key)) < 0)
		goto done;
	while ((error = sv_stmt_step(st)) == 1) {
		char mname[40], refwhy[512] = "", *url = NULL, *shown = NULL, *why = NULL;
		const char *reason = NULL;
		sv_json *o, *d;
		int rc;

		n++;
		snprintf(mname, sizeof(mname), "%s", sv_stmt_text(st, 0));
		if (!(url = sv_strdup(sv_stmt_text(st, 1))) || !(shown = url_redacted(url, false))) {
			free(url);
			error = SCRVAULT_ERROR;
			break;
		}
		rc = sv_store_push(v->store, url, refwhy, sizeof(refwhy));
		if (rc < 0) {
			/* The terminal gets the reason without the URL's password (a
			 * URL stored before passwords were refused); the audit entry
			 * gets a fixed word only. */
			const char *msg = scrvault_error_message();

			if (push_not_fast_forward(rc, msg)) {
				char *detail = text_redacted(msg, url);

				rc = SCRVAULT_ECONFLICT;
				reason = "not-fast-forward";
				why = sv_printf("the mirror's main has store commits this vault does not have (not a "
						"fast-forward): it is another vault's mirror, or holds history this vault "
						"lost; nothing was overwritten (%s)", detail ? detail : "");
				free(detail);
				nonff++;
			} else {
				reason = rc == SCRVAULT_ECONFLICT ? "refused" : rc == SCRVAULT_ENOTFOUND ? "not-found" : "error";
				why = text_redacted(msg, url);
			}
			failed++;
		}
		free(url);
		o = rc < 0 && !why ? NULL : sv_obj1("mirror", mname);
		if (!o || sv_json_set_str(o, "url", shown) < 0 || sv_json_set_str(o, "outcome", rc < 0 ? "failed" : "ok") < 0 ||
		    (rc < 0 && sv_json_set_str(o, "why", why) < 0)) {
			sv_json_free(o);
			o = NULL;
		}
		free(shown);
		free(why);
		if (!o || sv_json_append(res, o) < 0) {
			error = SCRVAULT_ERROR;
			break;
		}
		/* Each push is an audit entry; a failure's reason is a fixed word
		 * (libgit2's text can repeat the URL). */
		d = sv_obj1("outcome", rc < 0 ? "failed" : "ok");
		if (d && reason && sv_json_set_str(d, "reason", reason) < 0) {
			sv_json_free(d);
			d = NULL;
		}
		if (!d) {
			error = SCRVAULT_ERROR;
			break;
		}
		if ((error = sv_vault_begin(v)) < 0) {
			sv_json_free(d);
			break;
		}
		if ((error = sv_audit_append(v, "mirror.push", rc < 0 ? sv_audit_outcome(rc) : "ok",
					     sv_obj1("mirror", mname), d)) < 0 ||
		    (error = sv_vault_commit(v)) < 0) {
			sv_vault_abort(v);
			break;
		}
	}
	sv_stmt_free(st);
	if (error < 0)
		goto done;
	if (n == 0) {
		error = sv_error(SCRVAULT_ENOTFOUND, name ? "no mirror '%s' (see 'scrvault mirror list')" :
				 "no mirror yet: add one with 'scrvault mirror add NAME URL'", name);
		goto done;
	}
	*out = res;
	res = NULL;
	error = 0;
	if (failed && nonff == failed)
		error = sv_error(SCRVAULT_ECONFLICT, "%d of %d pushes refused (see above); nothing changed locally. A "
				 "mirror's history is never overwritten: check that the URL is this vault's mirror; if "
				 "it is not (or is an abandoned copy), move it aside, create an empty bare repository "
				 "there ('git init --bare') and push again", failed, n);
	else if (failed)
		error = sv_error(SCRVAULT_ERROR, "%d of %d pushes failed (see above); nothing changed locally", failed, n);
done:
	sv_json_free(res);
	return error;
}

/* ---- backups ------------------------------------------------------------------------ */

static int read_all(unsigned char **out, size_t *len, const char *path, size_t max)
{
	return sv_file_read((char **)out, len, path, max);
}

/* SHA-256 and size of a file, reading it in chunks. */
static int file_digest(unsigned char sha[SV_SHA256_LEN], size_t *size, const char *path)
{
	unsigned char *buf = NULL;
	sv_sha256_ctx *h = NULL;
	int fd, error;

	*size = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return sv_error(SCRVAULT_ERROR, "cannot read '%s': %s", path, strerror(errno));
	error = SCRVAULT_ERROR;
	if (!(buf = sv_malloc(1 << 20)) || (error = sv_sha256_new(&h)) < 0)
		goto done;
	for (;;) {
		long n = sv_read_full(fd, buf, 1 << 20);

		if (n < 0) {
			error = sv_error(SCRVAULT_ERROR, "cannot read '%s': %s", path, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		*size += (size_t)n;
		if ((error = sv_sha256_update(h, buf, (size_t)n)) < 0)
			goto done;
	}
	error = sv_sha256_final(h, sha);
done:
	free(buf);
	sv_sha256_free(h);
	close(fd);
	return error;
}

/* Append a file to `out` in chunks; it must still be `size` bytes. */
static int copy_into(int out, const char *path, size_t size)
{
	unsigned char *buf;
	size_t done = 0;
	int fd, error = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return sv_error(SCRVAULT_ERROR, "cannot read '%s': %s", path, strerror(errno));
	if (!(buf = sv_malloc(1 << 20))) {
		close(fd);
		return SCRVAULT_ERROR;
	}
	for (;;) {
		long n = sv_read_full(fd, buf, 1 << 20);

		if (n < 0 || (n > 0 && sv_write_all(out, buf, (size_t)n) < 0)) {
			error = sv_error(SCRVAULT_ERROR, "cannot copy the database into the backup: %s", strerror(errno));
			break;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	if (!error && done != size)
		error = sv_error(SCRVAULT_ERROR, "the database copy changed while it was being written");
	free(buf);
	close(fd);
	return error;
}

int scrvault_backup_create(scrvault_json **out, scrvault *v, const char *path)
{
	char tmpdir[4096], *dbpath = NULL, *krpath = NULL, *text = NULL, *m64 = NULL, *s64 = NULL;
	char *copy = NULL, *hdr = NULL, head[SV_OID_HEXLEN + 1], rootx[2 * SV_HASH_LEN + 1], when[21];
	char krsha[2 * SV_SHA256_LEN + 1], dbsha[2 * SV_SHA256_LEN + 1], *key64 = NULL;
	unsigned char *kr = NULL, sig[SV_SIG_LEN], h[SV_SHA256_LEN];
	size_t krlen = 0, dblen = 0, tlen = 0;
	sv_secret *dbkey = NULL;
	sv_outfile o = { .fd = -1 };
	sv_json *m = NULL;
	uint64_t size = 0;
	sv_hash root;
	int error;

	*out = NULL;
	tmpdir[0] = '\0';
	if ((error = sv_authorize(v, "backup.create", NULL)) < 0)
		return error;
	if (!path)
		return sv_error(SCRVAULT_EUSAGE, "give the backup file to write (-o FILE)");
	if ((error = sv_outfile_open(&o, path)) < 0)
		return error;
	/* The backup records its own making. */
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	if ((error = sv_audit_append(v, "backup.create", "ok", NULL, NULL)) < 0 || (error = sv_vault_commit(v)) < 0) {
		sv_vault_abort(v);
		goto done;
	}
	/* A working directory next to the output, for the database copy (encrypted). */
	if (!(copy = sv_strdup(path)))
		goto oom;
	{
		char *slash = strrchr(copy, '/');

		snprintf(tmpdir, sizeof(tmpdir), "%s/.scrvault-backup-XXXXXX", slash ? (*slash = '\0', *copy ? copy : "/") : ".");
	}
	if (!mkdtemp(tmpdir)) {
		error = sv_error(SCRVAULT_ERROR, "cannot create a working directory next to '%s': %s", path, strerror(errno));
		tmpdir[0] = '\0';
		goto done;
	}
	if (!(dbpath = sv_path(tmpdir, "vault.db")) || !(krpath = sv_path(v->dir, "keyring")))
		goto oom;
	if ((error = sv_vault_subkey(&dbkey, v->vmk, v->id, SV_LABEL_DB)) < 0 ||
	    (error = sv_db_backup_to(v->db, dbpath, dbkey)) < 0 ||
	    (error = file_digest(h, &dblen, dbpath)) < 0 ||
	    (error = read_all(&kr, &krlen, krpath, 1 << 20)) < 0)
		goto done;
	sv_hex(dbsha, h, sizeof(h));
	if ((error = sv_audit_size(&size, v)) < 0 || (error = sv_merkle_root(&root, size, sv_audit_node, v)) < 0 ||
	    (error = sv_vault_store_head(head, v)) < 0)
		goto done;
	sv_hex(rootx, root.h, SV_HASH_LEN);
	sv_sha256(h, kr, krlen);
	sv_hex(krsha, h, sizeof(h));
	sv_time_iso(when, sv_now());
	if (!(key64 = sv_base64(v->audit_pub, SV_KEY_LEN)) || !(m = sv_json_object()))
		goto oom;
	if ((error = sv_json_set_str(m, "audit_root", rootx)) < 0 ||
	    (error = sv_json_set_int(m, "audit_size", (int64_t)size)) < 0 ||
	    (error = sv_json_set_str(m, "created_at", when)) < 0 ||
	    (error = sv_json_set_str(m, "created_by", v->principal)) < 0 ||
	    (error = sv_json_set_str(m, "database_sha256", dbsha)) < 0 ||
	    (error = sv_json_set_int(m, "database_size", (int64_t)dblen)) < 0 ||
	    (error = sv_json_set_str(m, "keyring_sha256", krsha)) < 0 ||
	    (error = sv_json_set_int(m, "schema", SV_SCHEMA_VERSION)) < 0 ||
	    (error = sv_json_set_str(m, "signer_key", key64)) < 0 ||
	    (error = sv_json_set_str(m, "store_head", head)) < 0 ||
	    (error = sv_json_set_str(m, "type", BACKUP_TYPE)) < 0 ||
	    (error = sv_json_set_str(m, "vault", v->id)) < 0 ||
	    (error = sv_json_write(&text, &tlen, m)) < 0 ||
	    (error = sv_ed25519_sign(sig, v->audit_key, text, tlen)) < 0)
		goto done;
	if (!(m64 = sv_base64((const unsigned char *)text, tlen)) || !(s64 = sv_base64(sig, sizeof(sig))) ||
	    !(hdr = sv_printf(BACKUP_MAGIC "\nmanifest %s\nsignature %s\nkeyring %zu\n", m64, s64, krlen)))
		goto oom;
	if (sv_write_all(o.fd, hdr, strlen(hdr)) < 0 || sv_write_all(o.fd, kr, krlen) < 0)
		goto werr;
	free(hdr);
	if (!(hdr = sv_printf("database %zu\n", dblen)))
		goto oom;
	if (sv_write_all(o.fd, hdr, strlen(hdr)) < 0)
		goto werr;
	if ((error = copy_into(o.fd, dbpath, dblen)) < 0)
		goto done;
	if (fsync(o.fd) < 0)
		goto werr;
	if ((error = sv_outfile_commit(&o)) < 0)
		goto done;
	*out = m;
	m = NULL;
	error = 0;
	goto done;
werr:
	error = sv_error(SCRVAULT_ERROR, "cannot write '%s': %s", path, strerror(errno));
	goto done;
oom:
	error = SCRVAULT_ERROR;
done:
	if (error < 0)
		sv_outfile_abort(&o);
	if (dbpath) {
		unlink(dbpath);
		free(dbpath);
	}
	if (tmpdir[0]) {
		char *w = sv_printf("%s/vault.db-wal", tmpdir), *sh = sv_printf("%s/vault.db-shm", tmpdir);

		if (w)
			unlink(w);
		if (sh)
			unlink(sh);
		free(w);
		free(sh);
		rmdir(tmpdir);
	}
	sv_secret_free(dbkey);
	sv_json_free(m);
	free(krpath);
	free(copy);
	free(hdr);
	free(text);
	free(m64);
	free(s64);
	free(key64);
	free(kr);
	return error;
}

/* A parsed backup file (the parts point into `data`). */
typedef struct {
	unsigned char *data;
	size_t len;
	sv_json *manifest;
	char *mtext;
	const unsigned char *keyring;
	size_t keyring_len;
	const unsigned char *database;
	size_t database_len;
	unsigned char signer[SV_KEY_LEN];
} backup_file;

static void backup_free(backup_file *b)
{
	free(b->data);
	sv_json_free(b->manifest);
	free(b->mtext);
	memset(b, 0, sizeof(*b));
}

static const char *next_line(const unsigned char **p, const unsigned char *end, char *buf, size_t len)
{
	const unsigned char *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n;

	if (!nl || (n = (size_t)(nl - *p)) >= len)
		return NULL;
	memcpy(buf, *p, n);
	buf[n] = '\0';
	*p = nl + 1;
	return buf;
}

static int section(const unsigned char **p, const unsigned char *end, const char *name,
		   const unsigned char **out, size_t *outlen)
{
	char line[64], *e = NULL;
	unsigned long long n;
	size_t nl = strlen(name);

	if (!next_line(p, end, line, sizeof(line)) || strncmp(line, name, nl) != 0 || line[nl] != ' ')
		return -1;
	errno = 0;
	n = strtoull(line + nl + 1, &e, 10);
	if (errno || *e || n > (unsigned long long)(end - *p))
		return -1;
	*out = *p;
	*outlen = (size_t)n;
	*p += n;
	return 0;
}

/* Read and check a backup file: structure, signature, digests. */
static int backup_read(backup_file *b, const char *path)
{
	char line[16384];
	const unsigned char *p, *end;
	unsigned char *raw = NULL, *key = NULL, *sig = NULL, h[SV_SHA256_LEN];
	size_t rawlen = 0, keylen = 0, siglen = 0;
	char hex[2 * SV_SHA256_LEN + 1];
	bool canonical = false;
	int error;

	memset(b, 0, sizeof(*b));
	if ((error = sv_file_read((char **)&b->data, &b->len, path, (size_t)16 << 30)) < 0)
		return error;
	p = b->data;
	end = b->data + b->len;
	error = SCRVAULT_EINTEGRITY;
	if (!next_line(&p, end, line, sizeof(line)) || strcmp(line, BACKUP_MAGIC) != 0)
		return sv_error(error, "'%s' is not a scrvault backup", path);
	if (!next_line(&p, end, line, sizeof(line)) || strncmp(line, "manifest ", 9) != 0 ||
	    sv_unbase64(&raw, &rawlen, line + 9) < 0 || !(b->mtext = sv_strndup((char *)raw, rawlen)) ||
	    strlen(b->mtext) != rawlen || sv_json_parse(&b->manifest, b->mtext, rawlen, &canonical) < 0 || !canonical) {
		free(raw);
		return sv_error(error, "the backup's manifest is damaged");
	}
	free(raw);
	if (!next_line(&p, end, line, sizeof(line)) || strncmp(line, "signature ", 10) != 0 ||
	    sv_unbase64(&sig, &siglen, line + 10) < 0 || siglen != SV_SIG_LEN) {
		free(sig);
		return sv_error(error, "the backup's signature is damaged");
	}
	if (!sv_json_str(sv_json_get(b->manifest, "signer_key")) ||
	    sv_unbase64(&key, &keylen, sv_json_str(sv_json_get(b->manifest, "signer_key"))) < 0 || keylen != SV_KEY_LEN) {
		free(sig);
		free(key);
		return sv_error(error, "the backup's manifest names no signing key");
	}
	memcpy(b->signer, key, SV_KEY_LEN);
	free(key);
	if (sv_ed25519_verify(sig, b->signer, b->mtext, strlen(b->mtext)) < 0) {
		free(sig);
		return sv_error(error, "the backup's manifest signature does not verify: it was altered");
	}
	free(sig);
	if (strcmp(sv_json_str(sv_json_get(b->manifest, "type")) ? sv_json_str(sv_json_get(b->manifest, "type")) : "",
		   BACKUP_TYPE) != 0)
		return sv_error(error, "the backup's manifest is of an unknown type");
	if (section(&p, end, "keyring", &b->keyring, &b->keyring_len) < 0 ||
	    section(&p, end, "database", &b->database, &b->database_len) < 0 || p != end)
		return sv_error(error, "the backup is truncated or has extra data");
	sv_sha256(h, b->keyring, b->keyring_len);
	sv_hex(hex, h, sizeof(h));
	if (strcmp(hex, sv_json_str(sv_json_get(b->manifest, "keyring_sha256")) ?
		   sv_json_str(sv_json_get(b->manifest, "keyring_sha256")) : "") != 0)
		return sv_error(error, "the backup's keyring does not match its manifest");
	sv_sha256(h, b->database, b->database_len);
	sv_hex(hex, h, sizeof(h));
	if (strcmp(hex, sv_json_str(sv_json_get(b->manifest, "database_sha256")) ?
		   sv_json_str(sv_json_get(b->manifest, "database_sha256")) : "") != 0)
		return sv_error(error, "the backup's database does not match its manifest");
	return 0;
}

/* The manifest against a published verifier key: its key and its vault. */
static int check_vkey(const backup_file *b, const char *vkey)
{
	char origin[128];
	unsigned char pub[SV_KEY_LEN];
	const char *vault = sv_json_str(sv_json_get(b->manifest, "vault"));

	if (sv_note_vkey_parse(origin, pub, vkey) < 0 || strncmp(origin, "scrvault.local/", 15) != 0)
		return sv_error(SCRVAULT_EUSAGE, "--vkey '%s' is not a vault verifier key (as 'scrvault audit pubkey' "
				"prints it)", vkey);
	if (memcmp(pub, b->signer, SV_KEY_LEN) != 0 || !vault || strcmp(origin + 15, vault) != 0)
		return sv_error(SCRVAULT_EINTEGRITY, "the backup is not signed by the vault of that verifier key");
	return 0;
}

int scrvault_backup_verify(scrvault_json **out, const char *path, const char *vkey)
{
	backup_file b;
	char *text = NULL;
	size_t len = 0;
	int error;

	*out = NULL;
	if ((error = backup_read(&b, path)) < 0 || (vkey && (error = check_vkey(&b, vkey)) < 0)) {
		backup_free(&b);
		return error;
	}
	/* A copy of the manifest, with what was checked. */
	if ((error = sv_json_write(&text, &len, b.manifest)) >= 0 && (error = sv_json_parse(out, text, len, NULL)) >= 0)
		error = sv_json_set_bool(*out, "signer_checked", vkey != NULL);
	free(text);
	backup_free(&b);
	return error;
}

/* ---- destruction records ------------------------------------------------------------------- */

/*
 * A store commit that removes destroyed versions' blobs (the purge's, a
 * restore's) carries a destruction record signed by the audit key, so that a
 * restore re-applies a destruction only on the vault's word, never on a
 * mirror's history alone (anyone who can push to a mirror can write a commit
 * without a blob):
 *
 *   <title>\n
 *   \n
 *   scrvault destruction record v1\n
 *   vault <vault id>\n
 *   at <UTC time>\n
 *   destroy <doc> <version> <blob id>\n	(one per removed blob)
 *   signature <base64 Ed25519 by the audit key over the lines from the first>\n
 *
 * Ids and hashes only, like every commit message.  The first line keeps the
 * record apart from the audit key's other signed texts (checkpoints begin
 * with the log's origin, backup manifests with '{').
 */
#define RECORD_HEAD "scrvault destruction record v1\n"

/* The document and version of a blob path ("d/ab/cd/<doc>.<version>"). */
static int path_version(char doc[SV_DOC_ID_LEN + 1], unsigned *version, const char *path)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
	char check[96], *e = NULL;
	unsigned long n;

	if (!slash || !dot || dot < slash || (size_t)(dot - slash - 1) != SV_DOC_ID_LEN)
		return sv_error(SCRVAULT_ERROR, "'%s' is not a document version's path", path);
	memcpy(doc, slash + 1, SV_DOC_ID_LEN);
	doc[SV_DOC_ID_LEN] = '\0';
	errno = 0;
	n = strtoul(dot + 1, &e, 10);
	if (errno || *e || n == 0 || n > 0xffffffffUL)
		return sv_error(SCRVAULT_ERROR, "'%s' is not a document version's path", path);
	*version = (unsigned)n;
	sv_blob_path(check, sizeof(check), doc, *version);
	return strcmp(check, path) == 0 ? 0 : sv_error(SCRVAULT_ERROR, "'%s' is not a document version's path", path);
}

int sv_replication_destruction_note(char **out, scrvault *v, const char *title, const char *base,
				    const sv_store_update *ups, size_t n)
{
	char when[21], *body = NULL, *sig64 = NULL;
	unsigned char sig[SV_SIG_LEN];
	int error = 0;

	*out = NULL;
	if (n == 0)
		return (*out = sv_printf("%s\n", title)) ? 0 : SCRVAULT_ERROR;
	sv_time_iso(when, sv_now());
	if (!(body = sv_printf(RECORD_HEAD "vault %s\nat %s\n", v->id, when)))
		return SCRVAULT_ERROR;
	for (size_t i = 0; i < n; i++) {
		char doc[SV_DOC_ID_LEN + 1], blob[SV_OID_HEXLEN + 1], *grown;
		unsigned version = 0;

		if (ups[i].blob) {
			error = sv_error(SCRVAULT_ERROR, "a destruction record lists removed blobs only");
			goto done;
		}
		if ((error = path_version(doc, &version, ups[i].path)) < 0 ||
		    (error = sv_store_lookup(blob, v->store, base, ups[i].path)) < 0)
			goto done;
		if (!(grown = sv_printf("%sdestroy %s %u %s\n", body, doc, version, blob))) {
			error = SCRVAULT_ERROR;
			goto done;
		}
		free(body);
		body = grown;
	}
	if ((error = sv_ed25519_sign(sig, v->audit_key, body, strlen(body))) < 0)
		goto done;
	if (!(sig64 = sv_base64(sig, sizeof(sig))) || !(*out = sv_printf("%s\n\n%ssignature %s\n", title, body, sig64)))
		error = SCRVAULT_ERROR;
done:
	free(body);
	free(sig64);
	return error;
}

/* A destruction that a verified record in the mirror's history vouches for. */
typedef struct {
	char doc[SV_DOC_ID_LEN + 1];
	unsigned version;
	char blob[SV_OID_HEXLEN + 1];
	char commit[SV_OID_HEXLEN + 1];
} signed_destruction;

/* What the mirror's history after the backup holds. */
typedef struct {
	scrvault *v;
	sv_json *list;			/* the state changes */
	signed_destruction *rec;	/* destructions vouched for by a verified record */
	size_t nrec, cap;
	size_t bad;			/* records that do not verify: ignored */
} walk_ctx;

/* The lines of a record's body after its first, into w->rec; -1 if malformed. */
static int record_parse(walk_ctx *w, const char *commit, char *body)
{
	char *line = body + strlen(RECORD_HEAD), *nl;
	size_t first = w->nrec;
	int k = 0;

	for (; *line; line = nl + 1, k++) {
		char doc[SV_DOC_ID_LEN + 2], blob[SV_OID_HEXLEN + 2];
		unsigned version = 0;
		int used = 0;

		if (!(nl = strchr(line, '\n')))
			goto bad;
		*nl = '\0';
		if (k == 0) {
			if (strncmp(line, "vault ", 6) != 0 || strcmp(line + 6, w->v->id) != 0)
				goto bad;
			continue;
		}
		if (k == 1) {
			if (strncmp(line, "at ", 3) != 0)
				goto bad;
			continue;
		}
		if (sscanf(line, "destroy %33s %u %41s%n", doc, &version, blob, &used) != 3 || line[used] ||
		    strlen(doc) != SV_DOC_ID_LEN || strlen(blob) != SV_OID_HEXLEN || version == 0)
			goto bad;
		if (w->nrec == w->cap) {
			size_t nc = w->cap ? 2 * w->cap : 16;
			signed_destruction *g = sv_realloc(w->rec, nc * sizeof(*g));

			if (!g)
				return SCRVAULT_ERROR;
			w->rec = g;
			w->cap = nc;
		}
		memcpy(w->rec[w->nrec].doc, doc, SV_DOC_ID_LEN + 1);
		w->rec[w->nrec].version = version;
		memcpy(w->rec[w->nrec].blob, blob, SV_OID_HEXLEN + 1);
		snprintf(w->rec[w->nrec].commit, sizeof(w->rec[0].commit), "%s", commit);
		w->nrec++;
	}
	if (k >= 3)
		return 0;
bad:
	w->nrec = first;
	return -1;
}

/* A commit message's destruction record, if it has one that verifies. */
static int record_scan(walk_ctx *w, const char *commit, const char *message)
{
	const char *h = message, *s, *e;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	char *body = NULL, *sig64 = NULL;
	int error = 0;

	while ((h = strstr(h, RECORD_HEAD)) && h != message && h[-1] != '\n')
		h++;
	if (!h)
		return 0;
	if (!(s = strstr(h, "\nsignature ")) ) {
		w->bad++;
		return 0;
	}
	s++;
	e = s + 10 + strcspn(s + 10, "\n");
	if (!(body = sv_strndup(h, (size_t)(s - h))) || !(sig64 = sv_strndup(s + 10, (size_t)(e - s - 10)))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if (sv_unbase64(&sig, &siglen, sig64) < 0 || siglen != SV_SIG_LEN ||
	    sv_ed25519_verify(sig, w->v->audit_pub, body, strlen(body)) < 0) {
		w->bad++;
		goto done;
	}
	if ((error = record_parse(w, commit, body)) == -1) {
		error = 0;
		w->bad++;
	}
done:
	free(body);
	free(sig64);
	free(sig);
	return error;
}

static int walk_cb(void *ctx, const char *commit, const char *message, int64_t when)
{
	walk_ctx *w = ctx;
	char at[21], msg[128];
	sv_json *o = sv_obj1("commit", commit);
	size_t n;

	sv_time_iso(at, when);
	snprintf(msg, sizeof(msg), "%s", message ? message : "");
	n = strcspn(msg, "\n");
	msg[n] = '\0';
	if (!o || sv_json_set_str(o, "at", at) < 0 || sv_json_set_str(o, "change", msg) < 0 ||
	    sv_json_append(w->list, o) < 0)
		return SCRVAULT_ERROR;
	return message ? record_scan(w, commit, message) : 0;
}

static const signed_destruction *record_find(const walk_ctx *w, const char *doc, unsigned version)
{
	for (size_t i = 0; i < w->nrec; i++)
		if (w->rec[i].version == version && strcmp(w->rec[i].doc, doc) == 0)
			return &w->rec[i];
	return NULL;
}

/* ---- restore ------------------------------------------------------------------------------ */

static int write_new(const char *dir, const char *name, const void *data, size_t len)
{
	char *p = sv_path(dir, name);
	int error = p ? sv_file_create(p, data, len, 0600) : SCRVAULT_ERROR;

	free(p);
	return error;
}

/* A live version of the backup whose blob the mirror's head no longer holds. */
typedef struct {
	char doc[SV_DOC_ID_LEN + 1];
	unsigned version;
	char *cls, *caseref;
	char path[96];
	const signed_destruction *rec;	/* the record vouching for it; NULL: none */
} removal;

static void removals_free(removal *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].cls);
		free(r[i].caseref);
	}
	free(r);
}

/*
 * The backup's live versions missing from the mirror's head, each with the
 * verified record that vouches for its destruction (same document, version
 * and blob as the backup's store), or none.
 */
static int removals_find(removal **out, size_t *count, scrvault *v, const char *mhead, const char *dbhead,
			 const walk_ctx *w)
{
	removal *r = NULL;
	size_t n = 0, cap = 0;
	sv_stmt *st = NULL;
	int error;

	*out = NULL;
	*count = 0;
	if ((error = sv_db_query(&st, v->db, "SELECT ve.doc_id, ve.version, d.class, c.ref"
				 " FROM versions ve JOIN documents d ON d.id = ve.doc_id JOIN cases c ON c.id = d.case_id"
				 " WHERE ve.state = 'live' ORDER BY ve.doc_id, ve.version", "")) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1) {
		char path[96], oid[SV_OID_HEXLEN + 1], bblob[SV_OID_HEXLEN + 1];
		const char *doc = sv_stmt_text(st, 0);
		unsigned version = (unsigned)sv_stmt_int(st, 1);
		const signed_destruction *rec;
		removal *x;

		sv_blob_path(path, sizeof(path), doc, version);
		if (sv_store_lookup(oid, v->store, mhead, path) == 0)
			continue;
		if (strlen(doc) != SV_DOC_ID_LEN) {
			error = sv_error(SCRVAULT_EINTEGRITY, "the backup's database has a malformed document id");
			break;
		}
		if (n == cap) {
			size_t nc = cap ? 2 * cap : 16;
			removal *g = sv_realloc(r, nc * sizeof(*g));

			if (!g) {
				error = SCRVAULT_ERROR;
				break;
			}
			r = g;
			cap = nc;
		}
		x = &r[n++];
		memset(x, 0, sizeof(*x));
		memcpy(x->doc, doc, SV_DOC_ID_LEN + 1);
		x->version = version;
		snprintf(x->path, sizeof(x->path), "%s", path);
		if (!(x->cls = sv_strdup(sv_stmt_text(st, 2))) || !(x->caseref = sv_strdup(sv_stmt_text(st, 3)))) {
			error = SCRVAULT_ERROR;
			break;
		}
		/* The record must name the blob the backup's store holds for it. */
		rec = record_find(w, doc, version);
		if (rec && dbhead[0] && sv_store_lookup(bblob, v->store, dbhead, path) == 0 && strcmp(bblob, rec->blob) != 0)
			rec = NULL;
		x->rec = rec;
	}
	sv_stmt_free(st);
	if (error < 0) {
		removals_free(r, n);
		return error;
	}
	*out = r;
	*count = n;
	return 0;
}

/* {"doc","version"} of each removal with (signed) or without a record, into `arr`. */
static int removals_json(sv_json *arr, const removal *r, size_t n, bool signed_ones)
{
	for (size_t i = 0; i < n; i++) {
		sv_json *o;

		if ((r[i].rec != NULL) != signed_ones)
			continue;
		if (!(o = sv_obj1("doc", r[i].doc)) || sv_json_set_int(o, "version", r[i].version) < 0) {
			sv_json_free(o);
			return SCRVAULT_ERROR;
		}
		if (sv_json_append(arr, o) < 0)
			return SCRVAULT_ERROR;
	}
	return 0;
}

/* The report's and the audit entry's account of the gap (both get the same). */
static int gap_fields(sv_json *o, const backup_file *b, int64_t bsize, const char *cpstate, uint64_t msize,
		      size_t nchanges, size_t nunsigned)
{
	if (sv_json_set_str(o, "backup_created_at", sv_json_str(sv_json_get(b->manifest, "created_at"))) < 0 ||
	    sv_json_set_int(o, "backup_audit_size", bsize) < 0 ||
	    sv_json_set_str(o, "mirror_checkpoint", cpstate) < 0 ||
	    sv_json_set_int(o, "mirror_audit_size", (int64_t)msize) < 0 ||
	    ((int64_t)msize > bsize && (sv_json_set_int(o, "missing_audit_from", bsize + 1) < 0 ||
					 sv_json_set_int(o, "missing_audit_to", (int64_t)msize) < 0)) ||
	    sv_json_set_int(o, "missing_state_changes", (int64_t)nchanges) < 0 ||
	    sv_json_set_int(o, "removals_not_applied", (int64_t)nunsigned) < 0)
		return SCRVAULT_ERROR;
	return 0;
}

int scrvault_restore(scrvault_json **out, const scrvault_restore_spec *s)
{
	char mhead[SV_OID_HEXLEN + 1], dbhead[SV_OID_HEXLEN + 1], commit[SV_OID_HEXLEN + 1], *storepath = NULL;
	char *note = NULL, *message = NULL, cpwhy[512] = "";
	const char *bvault, *cpstate = "verified";
	backup_file b;
	scrvault *v = NULL;
	sv_json *report = NULL, *changes = NULL, *redo = NULL, *unsigned_list = NULL, *d;
	walk_ctx w = { 0 };
	removal *rm = NULL;
	size_t nrm = 0, nredo = 0, nchanges;
	sv_checkpoint cp;
	int64_t bsize;
	uint64_t msize = 0;
	bool made = false, gap;
	int error;

	*out = NULL;
	memset(&cp, 0, sizeof(cp));
	if (!s->backup || !s->mirror || !s->dir || !s->keyfile)
		return sv_error(SCRVAULT_EUSAGE, "restore needs --from-backup FILE, --from-mirror URL, --to DIR and a "
				"custodian's key file (--key)");
	if ((error = backup_read(&b, s->backup)) < 0)
		return error;
	bvault = sv_json_str(sv_json_get(b.manifest, "vault"));
	bsize = sv_json_as_int(sv_json_get(b.manifest, "audit_size"));
	if (mkdir(s->dir, 0700) < 0) {
		error = sv_error(errno == EEXIST ? SCRVAULT_ECONFLICT : SCRVAULT_ERROR, "cannot create '%s': %s "
				 "(restore into a new directory)", s->dir, strerror(errno));
		goto done;
	}
	made = true;
	if ((error = write_new(s->dir, "keyring", b.keyring, b.keyring_len)) < 0 ||
	    (error = write_new(s->dir, "vault.db", b.database, b.database_len)) < 0 ||
	    (error = write_new(s->dir, "lock", "", 0)) < 0)
		goto done;
	if (!(storepath = sv_path(s->dir, "store.git"))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = sv_store_clone(s->mirror, storepath)) < 0)
		goto done;
	/* Unlock as the custodian: the store's newer checkpoint makes the vault
	 * read-only (rolled_back) until this restore settles it. */
	if ((error = scrvault_open(&v, s->dir, s->keyfile, s->passphrase, NULL)) < 0)
		goto done;
	if (strcmp(v->id, bvault ? bvault : "") != 0 || memcmp(v->audit_pub, b.signer, SV_KEY_LEN) != 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "the backup's database is not the vault its manifest names");
		goto done;
	}
	if ((error = sv_authorize(v, "vault.restore", NULL)) < 0)
		goto done;
	if ((error = sv_vault_store_head(dbhead, v)) < 0 || (error = sv_store_head(mhead, v->store)) < 0)
		goto done;
	if (dbhead[0] && sv_store_descends(v->store, mhead, dbhead) != 1) {
		error = sv_error(SCRVAULT_EINTEGRITY, "the mirror does not hold the store the backup refers to (commit "
				 "%.12s): it is older than the backup or another vault's; push a current mirror first",
				 dbhead);
		goto done;
	}
	/* What the backup missed: audit entries by the mirror's checkpoint.
	 * Without one that verifies (signed by the backup's audit key, for its
	 * vault) nothing says how many there are, nor whether database-only
	 * changes (holds, decisions, releases, copies) came after the backup:
	 * that is a gap of unknown size. */
	error = sv_store_tag_get(&note, v->store, CHECKPOINT_REF);
	if (error == SCRVAULT_ENOTFOUND) {
		cpstate = "missing";
		snprintf(cpwhy, sizeof(cpwhy), "the mirror has no audit checkpoint (%s)", CHECKPOINT_REF);
	} else if (error < 0 && error != SCRVAULT_EINTEGRITY) {
		goto done;
	} else if (error < 0 || sv_checkpoint_open(&cp, note, strlen(note), v->origin, v->audit_pub) < 0) {
		cpstate = "unverifiable";
		snprintf(cpwhy, sizeof(cpwhy), "the mirror's audit checkpoint (%s) does not verify with this vault's "
			 "audit key (%s)", CHECKPOINT_REF, scrvault_error_message());
	} else {
		msize = cp.size;
	}
	/* ... state changes and signed destruction records by its history ... */
	error = SCRVAULT_ERROR;
	if (!(report = sv_json_object()) || !(changes = sv_json_array()) || !(redo = sv_json_array()) ||
	    !(unsigned_list = sv_json_array()))
		goto done;
	w.v = v;
	w.list = changes;
	if ((error = sv_store_walk(v->store, dbhead[0] ? dbhead : NULL, mhead, walk_cb, &w)) < 0)
		goto done;
	/* ... and removals: versions the backup holds live that the mirror's head
	 * no longer has.  Only those a verified record vouches for are destroyed
	 * again; the others are reported and kept. */
	if ((error = removals_find(&rm, &nrm, v, mhead, dbhead, &w)) < 0 ||
	    (error = removals_json(redo, rm, nrm, true)) < 0 ||
	    (error = removals_json(unsigned_list, rm, nrm, false)) < 0)
		goto done;
	nredo = sv_json_count(redo);
	nchanges = sv_json_count(changes);
	gap = strcmp(cpstate, "verified") != 0 || (int64_t)msize > bsize || nchanges > 0;
	if ((error = gap_fields(report, &b, bsize, cpstate, msize, nchanges, sv_json_count(unsigned_list))) < 0 ||
	    (cpwhy[0] && (error = sv_json_set_str(report, "mirror_checkpoint_problem", cpwhy)) < 0) ||
	    (w.bad && (error = sv_json_set_int(report, "destruction_records_rejected", (int64_t)w.bad)) < 0))
		goto done;
	error = sv_json_set(report, "state_changes", changes);
	changes = NULL;
	if (error < 0)
		goto done;
	error = sv_json_set(report, "removals_not_applied_list", unsigned_list);
	unsigned_list = NULL;
	if (error < 0)
		goto done;
	if (gap && !s->accept_gap) {
		char what[1024];

		if (cpwhy[0])
			snprintf(what, sizeof(what), "%s, so neither the audit entries nor the database-only changes "
				 "(holds, request decisions, releases, copies) made after the backup can be counted; and "
				 "it shows %zu state change%s after the backup (listed)", cpwhy, nchanges,
				 nchanges == 1 ? "" : "s");
		else if ((int64_t)msize > bsize)
			snprintf(what, sizeof(what), "it misses audit entries %lld to %llu and %zu state change%s (listed)",
				 (long long)bsize + 1, (unsigned long long)msize, nchanges, nchanges == 1 ? "" : "s");
		else
			snprintf(what, sizeof(what), "it misses %zu state change%s (listed)", nchanges,
				 nchanges == 1 ? "" : "s");
		*out = report;
		report = NULL;
		error = sv_error(SCRVAULT_ECONFLICT, "the backup may be older than the mirror: %s; nothing was restored. "
				 "Restore a newer backup (or use a mirror with this vault's checkpoint), or accept the "
				 "loss with --accept-gap (it is recorded)", what);
		goto done;
	}

	/* Settle it: destructions vouched for by a signed record are re-applied,
	 * the store gets a commit with the database's tree on top of the
	 * mirror's history (with the blobs of versions removed without a record
	 * put back), and the restore with its gap is the next audit entry. */
	v->rolled_back = false;
	{
		sv_store_update *ups = NULL;
		size_t k = 0;

		if ((error = sv_vault_begin(v)) < 0)
			goto done;
		if (!(ups = sv_calloc(nredo ? nredo : 1, sizeof(*ups)))) {
			sv_vault_abort(v);
			error = SCRVAULT_ERROR;
			goto done;
		}
		for (size_t i = 0; i < nrm; i++) {
			char today[11], auth[128];
			int64_t rec = 0;
			sv_destruction dd = {
				.doc = rm[i].doc, .version = rm[i].version, .cls = rm[i].cls,
				.caseref = rm[i].caseref, .rule = "re-applied at restore",
				.due_on = today, .authorised_by = auth, .master = -1,
			};

			if (!rm[i].rec)
				continue;
			sv_today(today);
			snprintf(auth, sizeof(auth), "this vault's signed destruction record (store commit %.12s)",
				 rm[i].rec->commit);
			if ((error = sv_version_destroy(v, &dd, &rec)) < 0)
				break;
			ups[k++].path = rm[i].path;
		}
		if (error >= 0 && (error = sv_replication_destruction_note(&message, v, "restore", dbhead[0] ? dbhead : NULL,
									   ups, k)) >= 0)
			error = sv_store_commit_on(commit, v->store, mhead, dbhead[0] ? dbhead : NULL, ups, k,
						   message, sv_now());
		free(ups);
		if (error < 0) {
			sv_vault_abort(v);
			goto done;
		}
		d = sv_json_object();
		if (!d || gap_fields(d, &b, bsize, cpstate, msize, nchanges, nrm - nredo) < 0 ||
		    sv_json_set_int(d, "destructions_reapplied", (int64_t)nredo) < 0) {
			sv_json_free(d);
			sv_vault_abort(v);
			error = SCRVAULT_ERROR;
			goto done;
		}
		if (nrm > nredo) {
			sv_json *l = sv_json_array();

			if (l && removals_json(l, rm, nrm, false) < 0) {
				sv_json_free(l);
				l = NULL;
			}
			if (!l || sv_json_set(d, "removals_not_applied_list", l) < 0) {
				sv_json_free(d);
				sv_vault_abort(v);
				error = SCRVAULT_ERROR;
				goto done;
			}
		}
		if ((error = sv_audit_append(v, "vault.restore", "ok", NULL, d)) < 0 ||
		    (error = sv_vault_record_commit(v, commit)) < 0 ||
		    (error = sv_vault_commit(v)) < 0) {
			sv_vault_abort(v);
			goto done;
		}
		if ((error = sv_audit_publish(v, true)) < 0 || (error = sv_db_exec(v->db, "PRAGMA wal_checkpoint(TRUNCATE)")) < 0)
			goto done;
	}
	error = sv_json_set(report, "destructions_reapplied", redo);
	redo = NULL;
	if (error < 0)
		goto done;
	*out = report;
	report = NULL;
	error = 0;
done:
	if (v)
		scrvault_close(v);
	if (error < 0 && made)
		sv_rmtree(s->dir);	/* nothing is left of a restore that did not finish */
	free(storepath);
	free(note);
	free(message);
	free(w.rec);
	removals_free(rm, nrm);
	sv_json_free(report);
	sv_json_free(changes);
	sv_json_free(redo);
	sv_json_free(unsigned_list);
	backup_free(&b);
	return error;
}
