/*
 * backup.c - encrypted backups of the database and keyring.
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
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "services/backup.h"
#include "vault/authz.h"
#include "vault/log.h"
#include "vault/meta.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "storage/schema.h"
#include "storage/store.h"
#include "crypto/crypto.h"
#include "crypto/merkle.h"
#include "crypto/note.h"
#include "base/common.h"
#include "base/date.h"
#include "base/file.h"
#include "base/json.h"

#define BACKUP_MAGIC "scrvault-backup v1"
#define BACKUP_TYPE  "scrvault-backup v1"

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
/* Beside the database, under the vault lock (see scrvault_backup_create). */
#define BACKUP_WORKDIR "backup.tmp"

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
	/*
	 * A working directory for the database copy (encrypted) inside the
	 * vault, where the vault's exclusive lock proves that whatever an
	 * interrupted backup left there is stale: it is removed first.  The
	 * output itself is an unnamed file until complete (sv_outfile).
	 */
	snprintf(tmpdir, sizeof(tmpdir), "%s/" BACKUP_WORKDIR, v->dir);
	(void)sv_rmtree(tmpdir);
	if (mkdir(tmpdir, 0700) < 0) {
		error = sv_error(SCRVAULT_ERROR, "cannot create the working directory '%s': %s", tmpdir, strerror(errno));
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
	if (!(key64 = sv_base64(v->audit_pub, SV_KEY_LEN)) ||
	    !(m = sv_json_of(SV_FIELDS(SV_STR("audit_root", rootx), SV_INT("audit_size", size),
				       SV_STR("created_at", when), SV_STR("created_by", v->principal),
				       SV_STR("database_sha256", dbsha), SV_INT("database_size", dblen),
				       SV_STR("keyring_sha256", krsha), SV_INT("schema", SV_SCHEMA_VERSION),
				       SV_STR("signer_key", key64), SV_STR("store_head", head),
				       SV_STR("type", BACKUP_TYPE), SV_STR("vault", v->id)))))
		goto oom;
	if ((error = sv_json_write(&text, &tlen, m)) < 0 ||
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
	*out = SV_TAKE(m);
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
	if (tmpdir[0])
		(void)sv_rmtree(tmpdir);
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


void sv_backup_free(sv_backup_file *b)
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
int sv_backup_read(sv_backup_file *b, const char *path)
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
int sv_check_vkey(const sv_backup_file *b, const char *vkey)
{
	char origin[128];
	unsigned char pub[SV_KEY_LEN];
	const char *vault = sv_json_str(sv_json_get(b->manifest, "vault"));

	if (sv_note_vkey_parse(origin, pub, vkey) < 0 || strncmp(origin, "scrvault.local/", 15) != 0)
		return sv_error_field(SCRVAULT_EUSAGE, "vkey", "'%s' is not a vault verifier key (the audit log's "
				      "public key, 'scrvault.local/...+...')", vkey);
	if (memcmp(pub, b->signer, SV_KEY_LEN) != 0 || !vault || strcmp(origin + 15, vault) != 0)
		return sv_error(SCRVAULT_EINTEGRITY, "the backup is not signed by the vault of that verifier key");
	return 0;
}

int scrvault_backup_verify(scrvault_json **out, const char *path, const char *vkey)
{
	sv_backup_file b;
	char *text = NULL;
	size_t len = 0;
	int error;

	*out = NULL;
	if ((error = sv_backup_read(&b, path)) < 0 || (vkey && (error = sv_check_vkey(&b, vkey)) < 0)) {
		sv_backup_free(&b);
		return error;
	}
	/* A copy of the manifest, with what was checked. */
	if ((error = sv_json_write(&text, &len, b.manifest)) >= 0 && (error = sv_json_parse(out, text, len, NULL)) >= 0)
		error = sv_json_set_bool(*out, "signer_checked", vkey != NULL);
	free(text);
	sv_backup_free(&b);
	return error;
}
