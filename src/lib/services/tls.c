/*
 * tls.c - the vault's certificate authority (scrvault/tls.h): made at init
 * or on request, its certificate published, server certificates issued,
 * and a client's check that a CA certificate is its vault's.
 *
 * The CA's private key exists in clear only in secure memory, for the
 * moment it signs: it is stored in vault_keys ('tls-ca': public = the
 * certificate's DER, wrapped = the key's DER sealed with AES-256-GCM under
 * an HKDF subkey of the VMK, the vault id bound).  A server certificate's
 * key is made here, written once to the file the caller names (0600) and
 * never kept.  The endorsement that lets a key file's holder recognise the
 * CA is a signed note by the audit key:
 *
 *   scrvault tls-ca v1
 *   vault <vault id>
 *   spki-sha256 <hex SHA-256 of the CA's SubjectPublicKeyInfo>
 *
 * carried in the CA certificate itself (crypto/x509.c), so the certificate
 * a coordinator hands out is the whole of what a client needs besides its
 * key file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "services/tls.h"
#include "vault/authz.h"
#include "vault/log.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "crypto/crypto.h"
#include "crypto/enrol.h"
#include "crypto/note.h"
#include "crypto/x509.h"
#include "base/common.h"
#include "base/date.h"
#include "base/file.h"
#include "base/json.h"
#include "scrvault/tls.h"

#define SV_LABEL_TLS_CA "scrvault v1 tls ca key wrap"
#define ENDORSE_FORMAT "scrvault tls-ca v1\nvault %s\nspki-sha256 %s\n"
#define CA_DAYS 3650		/* ten years: the clients install it once */
#define LEAF_DAYS 90
#define LEAF_MAX_DAYS 397	/* the most a browser accepts */
#define NO_CA "this vault has no TLS certificate authority yet: run 'scrvault tls ca'"

static char *endorsement_body(const char *vault_id, const unsigned char spki_sha[SV_SHA256_LEN])
{
	char hex[2 * SV_SHA256_LEN + 1];

	sv_hex(hex, spki_sha, SV_SHA256_LEN);
	return sv_printf(ENDORSE_FORMAT, vault_id, hex);
}

int sv_tls_ca_make(scrvault *v, unsigned char sha256[32])
{
	sv_secret *key = NULL, *wrap = NULL;
	unsigned char spki[SV_SHA256_LEN], cert_sha[SV_SHA256_LEN], *der = NULL, *sealed = NULL;
	char *body = NULL, *note = NULL, *cn = NULL, hex[2 * SV_SHA256_LEN + 1];
	size_t derlen = 0, slen = 0;
	int error = SCRVAULT_ERROR;

	if ((error = sv_p256_keygen(&key, spki)) < 0)
		goto done;
	error = SCRVAULT_ERROR;
	if (!(body = endorsement_body(v->id, spki)) || !(cn = sv_printf("scrvault vault %s", v->id)))
		goto done;
	if ((error = sv_note_sign(&note, body, v->origin, v->audit_key)) < 0 ||
	    (error = sv_x509_ca_make(&der, &derlen, key, cn, note, sv_now(), CA_DAYS)) < 0 ||
	    (error = sv_vault_subkey(&wrap, v->vmk, v->id, SV_LABEL_TLS_CA)) < 0)
		goto done;
	slen = SV_SEALED_LEN(sv_secret_len(key));
	error = SCRVAULT_ERROR;
	if (!(sealed = sv_malloc(slen)))
		goto done;
	if ((error = sv_seal(sealed, wrap, sv_secret_data(key), sv_secret_len(key), v->id, strlen(v->id))) < 0)
		goto done;
	sv_sha256(cert_sha, der, derlen);
	sv_hex(hex, cert_sha, SV_SHA256_LEN);
	if ((error = sv_db_run(v->db, "INSERT INTO vault_keys(name, public, wrapped) VALUES ('tls-ca', ?, ?)",
			       "bb", der, derlen, sealed, slen)) < 0 ||
	    (error = sv_audit_append(v, "tls.ca", "ok", NULL, SV_FIELDS(SV_STR("sha256", hex)))) < 0)
		goto done;
	if (sha256)
		memcpy(sha256, cert_sha, SV_SHA256_LEN);
done:
	sv_secret_free(key);
	sv_secret_free(wrap);
	free(der);
	free(sealed);
	free(body);
	free(note);
	free(cn);
	return error;
}

/* The CA certificate (DER, caller frees) and, if `key`, its private key. */
static int ca_load(scrvault *v, unsigned char **der, size_t *len, sv_secret **key)
{
	sv_secret *wrap = NULL;
	sv_stmt *st = NULL;
	const unsigned char *p, *sealed;
	size_t plen = 0, slen = 0;
	int error;

	*der = NULL;
	if (key)
		*key = NULL;
	if ((error = sv_db_query(&st, v->db, "SELECT public, wrapped FROM vault_keys WHERE name = 'tls-ca'", "")) < 0)
		return error;
	if ((error = sv_stmt_step(st)) != 1) {
		if (error == 0)
			error = sv_error(SCRVAULT_ENOTFOUND, NO_CA);
		goto done;
	}
	p = sv_stmt_blob(st, 0, &plen);
	sealed = sv_stmt_blob(st, 1, &slen);
	if (!p || !plen || !sealed || slen <= SV_SEALED_LEN(0)) {
		error = sv_error(SCRVAULT_EINTEGRITY, "the vault's TLS CA record is damaged");
		goto done;
	}
	if (key && ((error = sv_vault_subkey(&wrap, v->vmk, v->id, SV_LABEL_TLS_CA)) < 0 ||
		    (error = sv_open(key, wrap, sealed, slen, v->id, strlen(v->id))) < 0)) {
		error = sv_error(SCRVAULT_EINTEGRITY, "the vault's TLS CA key does not open");
		goto done;
	}
	error = SCRVAULT_ERROR;
	if (!(*der = sv_malloc(plen))) {
		if (key) {
			sv_secret_free(*key);
			*key = NULL;
		}
		goto done;
	}
	memcpy(*der, p, plen);
	*len = plen;
	error = 0;
done:
	sv_stmt_free(st);
	sv_secret_free(wrap);
	return error;
}

int scrvault_tls_ca_create(scrvault_json **out, scrvault *v)
{
	unsigned char *der = NULL, sha[SV_SHA256_LEN];
	size_t len = 0;
	char hex[2 * SV_SHA256_LEN + 1];
	char *pem = NULL;
	sv_x509_ca ca;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "tls.manage", NULL)) < 0)
		return error;
	if ((error = ca_load(v, &der, &len, NULL)) == 0) {
		free(der);
		return sv_error(SCRVAULT_ECONFLICT, "this vault has its TLS certificate authority already "
				"(see 'scrvault tls ca-cert')");
	}
	if (error != SCRVAULT_ENOTFOUND)
		return error;
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_tls_ca_make(v, sha)) < 0 || (error = sv_vault_commit(v)) < 0)
		return sv_vault_fail(v, error);
	if ((error = ca_load(v, &der, &len, NULL)) < 0 || (error = sv_x509_pem(&pem, der, len)) < 0 ||
	    (error = sv_x509_ca_parse(&ca, pem, strlen(pem))) < 0)
		goto done;
	sv_hex(hex, sha, SV_SHA256_LEN);
	error = sv_json_new(out, SV_FIELDS(SV_STR("not_after", ca.not_after), SV_STR("sha256", hex)));
	sv_x509_ca_clear(&ca);
done:
	free(der);
	free(pem);
	return error;
}

int scrvault_tls_ca_cert(scrvault_json **out, scrvault *v, const char *path)
{
	unsigned char *der = NULL;
	size_t len = 0;
	char *pem = NULL, hex[2 * SV_SHA256_LEN + 1];
	sv_outfile o = { .fd = -1 };
	sv_x509_ca ca;
	struct stat sb;
	int error;

	*out = NULL;
	if (!path || !*path)
		return sv_error_field(SCRVAULT_EUSAGE, "path", "name the file to write the CA certificate to");
	if ((error = ca_load(v, &der, &len, NULL)) < 0 || (error = sv_x509_pem(&pem, der, len)) < 0)
		goto done;
	if ((error = sv_x509_ca_parse(&ca, pem, strlen(pem))) < 0)
		goto done;
	sv_hex(hex, ca.cert_sha, SV_SHA256_LEN);
	error = strcmp(path, "-") && lstat(path, &sb) == 0 ? sv_outfile_open_replace(&o, path)
							  : sv_outfile_open(&o, path);
	if (error == 0 && sv_write_all(o.fd, pem, strlen(pem)) < 0) {
		sv_outfile_abort(&o);
		error = sv_error(SCRVAULT_ERROR, "cannot write '%s'", path);
	} else if (error == 0) {
		if (strcmp(path, "-"))
			(void)fchmod(o.fd, 0644);	/* a public certificate */
		error = sv_outfile_commit(&o);
	}
	if (error == 0)
		error = sv_json_new(out, SV_FIELDS(SV_STR("not_after", ca.not_after), SV_STR("path", path),
						   SV_STR("sha256", hex)));
	sv_x509_ca_clear(&ca);
done:
	free(der);
	free(pem);
	return error;
}

/* The current message, now naming `field` (the message copied first). */
static int refield(int error, const char *field, const char *prefix)
{
	char m[512];

	snprintf(m, sizeof(m), "%s", scrvault_error_message());
	if (prefix)
		return sv_error_field(error, field, "'%s': %s", prefix, m);
	return sv_error_field(error, field, "%s", m);
}

/* Split "a,b,c" into at most SV_X509_MAX_HOSTS names (in `buf`, modified). */
static int split_hosts(const char **hosts, size_t *n, char *buf)
{
	char *p = buf, *comma;

	*n = 0;
	for (;;) {
		if (*n == SV_X509_MAX_HOSTS)
			return sv_error_field(SCRVAULT_EUSAGE, "hosts", "a server certificate names at most %d hosts",
					      SV_X509_MAX_HOSTS);
		if ((comma = strchr(p, ',')))
			*comma = '\0';
		if (sv_x509_host_check(p) < 0)
			return SCRVAULT_EUSAGE;
		hosts[(*n)++] = p;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

/* Write a file the caller names, refusing an existing one; contents are linked in only when complete. */
static int outfile_write(sv_outfile *o, const char *path, const void *data, size_t len, const char *field)
{
	int error;

	if ((error = sv_outfile_open(o, path)) < 0)
		return refield(error, field, NULL);
	if (sv_write_all(o->fd, data, len) < 0 || fsync(o->fd) < 0) {
		sv_outfile_abort(o);
		return sv_error_field(SCRVAULT_ERROR, field, "cannot write '%s'", path);
	}
	return 0;
}

int scrvault_tls_issue(scrvault_json **out, scrvault *v, const scrvault_tls_issue_spec *s)
{
	const char *hosts[SV_X509_MAX_HOSTS];
	sv_secret *cakey = NULL, *keypem = NULL;
	unsigned char *der = NULL;
	size_t len = 0, nhosts = 0;
	char *buf = NULL, *cert = NULL, serial[33], not_after[21];
	sv_outfile co = { .fd = -1 }, ko = { .fd = -1 };
	bool copen = false, kopen = false;
	unsigned days;
	int64_t now = sv_now();
	int error;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(s, SCRVAULT_TLS_ISSUE_SPEC_VERSION, "scrvault_tls_issue_spec")) < 0)
		return error;
	days = s->days ? s->days : LEAF_DAYS;
	if (!s->hosts || !*s->hosts)
		return sv_error_field(SCRVAULT_EUSAGE, "hosts", "name the host(s) the server is reached by");
	if (!s->cert_out || !*s->cert_out || !strcmp(s->cert_out, "-"))
		return sv_error_field(SCRVAULT_EUSAGE, "cert_out", "name the file to write the certificate to");
	if (!s->key_out || !*s->key_out || !strcmp(s->key_out, "-"))
		return sv_error_field(SCRVAULT_EUSAGE, "key_out", "name the file to write the private key to");
	if (!strcmp(s->cert_out, s->key_out))
		return sv_error_field(SCRVAULT_EUSAGE, "key_out", "the certificate and the key need two files");
	if (days > LEAF_MAX_DAYS)
		return sv_error_field(SCRVAULT_EUSAGE, "days", "a server certificate is valid for at most %d days",
				      LEAF_MAX_DAYS);
	if (!(buf = sv_strdup(s->hosts)))
		return SCRVAULT_ERROR;
	if ((error = split_hosts(hosts, &nhosts, buf)) < 0 ||
	    (error = sv_authorize(v, "tls.manage", NULL)) < 0 ||
	    (error = ca_load(v, &der, &len, &cakey)) < 0 ||
	    (error = sv_x509_leaf_make(&cert, &keypem, serial, cakey, der, len, hosts, nhosts, now, days)) < 0)
		goto done;
	sv_time_iso(not_after, now + (int64_t)days * 86400);
	if ((error = outfile_write(&ko, s->key_out, sv_secret_data(keypem), sv_secret_len(keypem), "key_out")) < 0)
		goto done;
	kopen = true;
	if ((error = outfile_write(&co, s->cert_out, cert, strlen(cert), "cert_out")) < 0)
		goto done;
	copen = true;
	/* The audit entry first: if it cannot be written, no file appears. */
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	if ((error = sv_audit_append(v, "tls.issue", "ok", NULL,
				     SV_FIELDS(SV_STR("hosts", s->hosts), SV_STR("not_after", not_after),
					       SV_STR("serial", serial)))) < 0 ||
	    (error = sv_vault_commit(v)) < 0) {
		sv_vault_abort(v);
		goto done;
	}
	kopen = false;
	if ((error = sv_outfile_commit(&ko)) < 0)
		goto done;
	copen = false;
	if ((error = sv_outfile_commit(&co)) < 0)
		goto done;
	error = sv_json_new(out, SV_FIELDS(SV_STR("cert", s->cert_out), SV_STR("hosts", s->hosts),
					   SV_STR("key", s->key_out), SV_STR("not_after", not_after),
					   SV_STR("serial", serial)));
done:
	if (kopen)
		sv_outfile_abort(&ko);
	if (copen)
		sv_outfile_abort(&co);
	sv_secret_free(cakey);
	sv_secret_free(keypem);
	free(der);
	free(cert);
	free(buf);
	return error;
}

int scrvault_tls_ca_pin(unsigned char pin[32], const char *ca_path, const char *vault_key)
{
	char vault_id[33], name[128], *pem = NULL, *body = NULL;
	unsigned char pub[SV_KEY_LEN], check[SV_KEY_LEN];
	size_t len = 0, bodylen = 0;
	sv_x509_ca ca;
	int error;

	memset(pin, 0, 32);
	memset(&ca, 0, sizeof(ca));
	if (!vault_key || sv_vkey_vault(vault_id, pub, vault_key) < 0 ||
	    sv_note_vkey_parse(name, check, vault_key) < 0)
		return sv_error_field(SCRVAULT_EUSAGE, "vault_key", "this is not a vault's verifier key");
	if (!ca_path)
		return sv_error_field(SCRVAULT_EUSAGE, "ca_path", "name the vault's CA certificate");
	if ((error = sv_file_read(&pem, &len, ca_path, 65536)) < 0)
		return refield(error, "ca_path", NULL);
	if ((error = sv_x509_ca_parse(&ca, pem, len)) < 0) {
		error = refield(error, "ca_path", ca_path);
		goto done;
	}
	if (!ca.endorsement) {
		error = sv_error_field(SCRVAULT_EINTEGRITY, "ca_path", "'%s' is not a vault's CA certificate "
				       "(it carries no vault endorsement)", ca_path);
		goto done;
	}
	error = SCRVAULT_ERROR;
	if (!(body = endorsement_body(vault_id, ca.spki_sha)))
		goto done;
	if (sv_note_open(&bodylen, ca.endorsement, strlen(ca.endorsement), name, pub) < 0 ||
	    bodylen != strlen(body) || memcmp(ca.endorsement, body, bodylen) != 0) {
		error = sv_error_field(SCRVAULT_EINTEGRITY, "ca_path", "'%s' is not the CA of vault %s: its "
				       "endorsement is not by that vault's key or names another key", ca_path, vault_id);
		goto done;
	}
	memcpy(pin, ca.cert_sha, 32);
	error = 0;
done:
	sv_x509_ca_clear(&ca);
	free(pem);
	free(body);
	return error;
}
