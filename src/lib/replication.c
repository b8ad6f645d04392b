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
 * store commits (state changes).  Versions whose blobs the mirror's head no
 * longer holds were destroyed after the backup: they are destroyed again
 * (their keys deleted) before the restored vault is used, so a backup can
 * never undo a destruction the mirror knows of.
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

int scrvault_mirror_add(scrvault *v, const char *name, const char *url)
{
	char key[48];
	int error;

	if ((error = sv_authorize(v, "mirror.manage", NULL)) < 0)
		return error;
	if (!mirror_name_ok(name))
		return sv_error(SCRVAULT_EUSAGE, "a mirror's name is 1-32 of a-z 0-9 -");
	if (!url || !*url || strchr(url, '\n'))
		return sv_error(SCRVAULT_EUSAGE, "give the mirror's git URL (file:///path, ssh://host/path, ...)");
	snprintf(key, sizeof(key), "mirror.%s", name);
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_db_run(v->db, "INSERT INTO meta(key, value) VALUES (?, ?)", "tt", key, url)) < 0) {
		sv_vault_abort(v);
		return error == SCRVAULT_ECONFLICT ? sv_error(SCRVAULT_ECONFLICT, "a mirror '%s' exists already", name) : error;
	}
	if ((error = sv_audit_append(v, "mirror.add", "ok", sv_obj1("mirror", name), sv_obj1("url", url))) < 0 ||
	    (error = sv_vault_commit(v)) < 0) {
		sv_vault_abort(v);
		return error;
	}
	return 0;
}

static sv_json *mirror_row(sv_stmt *st)
{
	sv_json *o = sv_obj1("mirror", sv_stmt_text(st, 0));

	if (o && sv_json_set_str(o, "url", sv_stmt_text(st, 1)) < 0) {
		sv_json_free(o);
		return NULL;
	}
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

int scrvault_mirror_push(scrvault_json **out, scrvault *v, const char *name)
{
	sv_json *res = NULL;
	sv_stmt *st = NULL;
	char key[48];
	int error, failed = 0, n = 0;

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
		char mname[40], url[1024], why[512] = "";
		sv_json *o, *d;
		int rc;

		n++;
		snprintf(mname, sizeof(mname), "%s", sv_stmt_text(st, 0));
		snprintf(url, sizeof(url), "%s", sv_stmt_text(st, 1));
		rc = sv_store_push(v->store, url, why, sizeof(why));
		if (rc < 0) {
			snprintf(why, sizeof(why), "%s", scrvault_error_message());
			failed++;
		}
		o = sv_obj1("mirror", mname);
		if (!o || sv_json_set_str(o, "url", url) < 0 || sv_json_set_str(o, "outcome", rc < 0 ? "failed" : "ok") < 0 ||
		    (rc < 0 && sv_json_set_str(o, "why", why) < 0) || sv_json_append(res, o) < 0) {
			error = SCRVAULT_ERROR;
			break;
		}
		/* Each push is an audit entry; a failure's reason is libgit2's text. */
		d = sv_obj1("outcome", rc < 0 ? "failed" : "ok");
		if (d && rc < 0)
			sv_json_set_str(d, "why", why);
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
	error = failed ? sv_error(SCRVAULT_ERROR, "%d of %d pushes failed (see above); nothing changed locally",
				  failed, n) : 0;
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

/* ---- restore ------------------------------------------------------------------------------ */

typedef struct {
	sv_json *list;
} walk_ctx;

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
	return 0;
}

static int write_new(const char *dir, const char *name, const void *data, size_t len)
{
	char *p = sv_path(dir, name);
	int error = p ? sv_file_create(p, data, len, 0600) : SCRVAULT_ERROR;

	free(p);
	return error;
}

int scrvault_restore(scrvault_json **out, const scrvault_restore_spec *s)
{
	char mhead[SV_OID_HEXLEN + 1], dbhead[SV_OID_HEXLEN + 1], commit[SV_OID_HEXLEN + 1], *storepath = NULL;
	char *note = NULL;
	const char *bvault;
	backup_file b;
	scrvault *v = NULL;
	sv_json *report = NULL, *changes = NULL, *redo = NULL, *d;
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
	/* What the backup missed: audit entries by the mirror's checkpoint ... */
	if (sv_store_tag_get(&note, v->store, CHECKPOINT_REF) == 0 &&
	    sv_checkpoint_open(&cp, note, strlen(note), v->origin, v->audit_pub) == 0)
		msize = cp.size;
	/* ... and state changes by its history. */
	error = SCRVAULT_ERROR;
	if (!(report = sv_json_object()) || !(changes = sv_json_array()) || !(redo = sv_json_array()))
		goto done;
	{
		walk_ctx w = { changes };

		if ((error = sv_store_walk(v->store, dbhead[0] ? dbhead : NULL, mhead, walk_cb, &w)) < 0)
			goto done;
	}
	gap = (int64_t)msize > bsize || sv_json_count(changes) > 0;
	if ((error = sv_json_set_str(report, "vault", v->id)) < 0 ||
	    (error = sv_json_set_str(report, "backup_created_at", sv_json_str(sv_json_get(b.manifest, "created_at")))) < 0 ||
	    (error = sv_json_set_int(report, "backup_audit_size", bsize)) < 0 ||
	    (error = sv_json_set_int(report, "mirror_audit_size", (int64_t)msize)) < 0 ||
	    ((int64_t)msize > bsize && ((error = sv_json_set_int(report, "missing_audit_from", bsize + 1)) < 0 ||
					(error = sv_json_set_int(report, "missing_audit_to", (int64_t)msize)) < 0)) ||
	    (error = sv_json_set_int(report, "missing_state_changes", (int64_t)sv_json_count(changes))) < 0)
		goto done;
	error = sv_json_set(report, "state_changes", changes);
	changes = NULL;
	if (error < 0)
		goto done;
	if (gap && !s->accept_gap) {
		*out = report;
		report = NULL;
		error = sv_error(SCRVAULT_ECONFLICT, "the backup is older than the mirror: it misses audit entries "
				 "%lld to %llu and %zu state change%s (listed); nothing was restored. Restore a newer "
				 "backup, or accept the loss with --accept-gap (it is recorded)",
				 (long long)bsize + 1, (unsigned long long)msize,
				 sv_json_count(sv_json_get(*out, "state_changes")),
				 sv_json_count(sv_json_get(*out, "state_changes")) == 1 ? "" : "s");
		goto done;
	}

	/* Settle it: destructions the mirror shows are re-applied, the store gets
	 * a commit with the database's tree on top of the mirror's history, and
	 * the restore with its gap is the next audit entry. */
	v->rolled_back = false;
	{
		sv_store_update *ups = NULL;
		char (*paths)[96] = NULL;
		size_t n = 0, cap = 0;
		sv_stmt *st = NULL;

		if ((error = sv_db_query(&st, v->db, "SELECT ve.doc_id, ve.version, d.class, c.ref"
					 " FROM versions ve JOIN documents d ON d.id = ve.doc_id JOIN cases c ON c.id = d.case_id"
					 " WHERE ve.state = 'live' ORDER BY ve.doc_id, ve.version", "")) < 0)
			goto done;
		if ((error = sv_vault_begin(v)) < 0) {
			sv_stmt_free(st);
			goto done;
		}
		while ((error = sv_stmt_step(st)) == 1) {
			char path[96], oid[SV_OID_HEXLEN + 1];
			const char *doc = sv_stmt_text(st, 0);
			unsigned version = (unsigned)sv_stmt_int(st, 1);
			sv_json *o;

			sv_blob_path(path, sizeof(path), doc, version);
			if (sv_store_lookup(oid, v->store, mhead, path) == 0)
				continue;
			/* Not in the mirror's head: destroyed after the backup. */
			if (n == cap) {
				size_t nc = cap ? 2 * cap : 16;
				char (*pg)[96] = sv_realloc(paths, nc * sizeof(*paths));

				if (!pg) {
					error = SCRVAULT_ERROR;
					break;
				}
				paths = pg;
				cap = nc;
			}
			snprintf(paths[n++], sizeof(paths[0]), "%s", path);
			{
				char today[11];
				int64_t rec = 0;
				sv_destruction dd = {
					.doc = doc, .version = version, .cls = sv_stmt_text(st, 2),
					.caseref = sv_stmt_text(st, 3), .rule = "re-applied at restore",
					.due_on = today, .authorised_by = "the mirror: destroyed after the backup",
					.master = -1,
				};

				sv_today(today);
				if ((error = sv_version_destroy(v, &dd, &rec)) < 0)
					break;
			}
			if (!(o = sv_obj1("doc", doc)) || sv_json_set_int(o, "version", version) < 0 || sv_json_append(redo, o) < 0) {
				error = SCRVAULT_ERROR;
				break;
			}
		}
		sv_stmt_free(st);
		if (error >= 0 && !(ups = sv_calloc(n ? n : 1, sizeof(*ups))))
			error = SCRVAULT_ERROR;
		for (size_t i = 0; error >= 0 && i < n; i++)
			ups[i].path = paths[i];
		if (error >= 0)
			error = sv_store_commit_on(commit, v->store, mhead, dbhead[0] ? dbhead : NULL, ups, n,
						   "restore\n", sv_now());
		free(ups);
		free(paths);
		if (error < 0) {
			sv_vault_abort(v);
			goto done;
		}
		d = sv_json_object();
		if (!d || sv_json_set_str(d, "backup_created_at", sv_json_str(sv_json_get(b.manifest, "created_at"))) < 0 ||
		    sv_json_set_int(d, "backup_audit_size", bsize) < 0 ||
		    sv_json_set_int(d, "mirror_audit_size", (int64_t)msize) < 0 ||
		    ((int64_t)msize > bsize && (sv_json_set_int(d, "missing_audit_from", bsize + 1) < 0 ||
						 sv_json_set_int(d, "missing_audit_to", (int64_t)msize) < 0)) ||
		    sv_json_set_int(d, "missing_state_changes",
				    sv_json_as_int(sv_json_get(report, "missing_state_changes"))) < 0 ||
		    sv_json_set_int(d, "destructions_reapplied", (int64_t)n) < 0) {
			sv_json_free(d);
			sv_vault_abort(v);
			error = SCRVAULT_ERROR;
			goto done;
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
	sv_json_free(report);
	sv_json_free(changes);
	sv_json_free(redo);
	backup_free(&b);
	return error;
}
