/*
 * x509.c - the vault's X.509 certificates (see x509.h): P-256 keys, the
 * CA certificate and the server certificates it signs.
 *
 * The only file of the library that includes OpenSSL's X.509 headers
 * (crypto.c holds the primitives).  It never sees a vault: the CA's
 * private key arrives and leaves as DER in secure memory (sv_secret), and
 * every OpenSSL object that held it is freed (EVP_PKEY_free cleanses
 * private key material) on every path.  Host names are checked before they
 * reach OpenSSL's configuration syntax, so no name can add a field.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "crypto/x509.h"
#include "base/common.h"

/* The endorsement extension: a UUID-based OID (ITU-T X.667, arc 2.25). */
#define ENDORSE_OID "2.25.330298512414511276011736124240068257330"

static int x509_error(int code, const char *msg)
{
	ERR_clear_error();
	return sv_error(code, "%s", msg);
}

static EVP_PKEY *key_from(const sv_secret *der)
{
	const unsigned char *p = sv_secret_data(der);

	return d2i_PrivateKey(EVP_PKEY_EC, NULL, &p, (long)sv_secret_len(der));
}

static int spki_hash(unsigned char out[SV_SHA256_LEN], X509_PUBKEY *pk)
{
	unsigned char *buf = NULL;
	int n = i2d_X509_PUBKEY(pk, &buf);

	if (n <= 0)
		return x509_error(SCRVAULT_ERROR, "cannot encode a public key");
	sv_sha256(out, buf, (size_t)n);
	OPENSSL_free(buf);
	return 0;
}

int sv_p256_keygen(sv_secret **out, unsigned char spki_sha[SV_SHA256_LEN])
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509_PUBKEY *pk = NULL;
	sv_secret *der = NULL;
	unsigned char *p;
	int n, error = SCRVAULT_ERROR;

	*out = NULL;
	if (!k || (n = i2d_PrivateKey(k, NULL)) <= 0) {
		error = x509_error(SCRVAULT_ERROR, "cannot make a P-256 key");
		goto done;
	}
	if ((error = sv_secret_new(&der, (size_t)n)) < 0)
		goto done;
	p = sv_secret_data(der);
	if (i2d_PrivateKey(k, &p) != n || X509_PUBKEY_set(&pk, k) != 1) {
		error = x509_error(SCRVAULT_ERROR, "cannot encode a P-256 key");
		goto done;
	}
	if ((error = spki_hash(spki_sha, pk)) < 0)
		goto done;
	*out = SV_TAKE(der);
done:
	X509_PUBKEY_free(pk);
	EVP_PKEY_free(k);
	sv_secret_free(der);
	return error;
}

/* One extension from OpenSSL's configuration syntax (values checked by the callers). */
static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	if (!(ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)))
		return x509_error(SCRVAULT_ERROR, "cannot make a certificate extension");
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? 0 : x509_error(SCRVAULT_ERROR, "cannot add a certificate extension");
}

static int add_endorsement(X509 *x, const char *text)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(ENDORSE_OID, 1);
	ASN1_UTF8STRING *s = ASN1_UTF8STRING_new();
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *ext = NULL;
	unsigned char *buf = NULL;
	int n, error = SCRVAULT_ERROR;

	if (!obj || !s || !os || ASN1_STRING_set(s, text, (int)strlen(text)) != 1 ||
	    (n = i2d_ASN1_UTF8STRING(s, &buf)) <= 0 || ASN1_OCTET_STRING_set(os, buf, n) != 1 ||
	    !(ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os)) || X509_add_ext(x, ext, -1) != 1)
		error = x509_error(SCRVAULT_ERROR, "cannot add the endorsement to the certificate");
	else
		error = 0;
	OPENSSL_free(buf);
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(os);
	ASN1_UTF8STRING_free(s);
	ASN1_OBJECT_free(obj);
	return error;
}

/* The endorsement's text, or NULL (none, or not a UTF8String). */
static char *get_endorsement(const X509 *x)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(ENDORSE_OID, 1);
	int i = obj ? X509_get_ext_by_OBJ(x, obj, -1) : -1;
	ASN1_OCTET_STRING *os;
	ASN1_UTF8STRING *s = NULL;
	const unsigned char *p;
	char *out = NULL;

	ASN1_OBJECT_free(obj);
	if (i < 0 || !(os = X509_EXTENSION_get_data(X509_get_ext(x, i))))
		return NULL;
	p = ASN1_STRING_get0_data(os);
	if ((s = d2i_ASN1_UTF8STRING(NULL, &p, ASN1_STRING_length(os))) &&
	    p == ASN1_STRING_get0_data(os) + ASN1_STRING_length(os) &&
	    !memchr(ASN1_STRING_get0_data(s), '\0', (size_t)ASN1_STRING_length(s)))
		out = sv_strndup((const char *)ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
	ASN1_UTF8STRING_free(s);
	ERR_clear_error();
	return out;
}

static int set_serial(X509 *x, char hex[33])
{
	unsigned char raw[16];
	BIGNUM *bn = NULL;
	int error;

	if ((error = sv_random(raw, sizeof(raw))) < 0)
		return error;
	raw[0] &= 0x7f;		/* positive */
	raw[0] |= 0x40;		/* and 16 bytes long */
	if (hex)
		sv_hex(hex, raw, sizeof(raw));
	if (!(bn = BN_bin2bn(raw, sizeof(raw), NULL)) || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)))
		error = x509_error(SCRVAULT_ERROR, "cannot set a serial number");
	BN_free(bn);
	return error;
}

/* A certificate's extension: its NID and its value in OpenSSL's config syntax. */
typedef struct {
	int nid;
	const char *value;
} cert_ext;

/*
 * What every certificate made here carries: a random serial (its hex into
 * `hex` unless NULL), a validity from five minutes before `now` for `days`
 * days, and the n extensions `ext` as `issuer` gives them.
 */
static int set_terms(X509 *x, X509 *issuer, char hex[33], int64_t now, unsigned days, const cert_ext *ext, size_t n)
{
	int error;

	if ((error = set_serial(x, hex)) < 0)
		return error;
	if (!ASN1_TIME_set(X509_getm_notBefore(x), (time_t)(now - 300)) ||
	    !ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(now + (int64_t)days * 86400)))
		return x509_error(SCRVAULT_ERROR, "cannot set a certificate's validity");
	for (size_t i = 0; i < n; i++)
		if ((error = add_ext(x, issuer, ext[i].nid, ext[i].value)) < 0)
			return error;
	return 0;
}

static int der_of(unsigned char **der, size_t *len, X509 *x)
{
	unsigned char *buf = NULL;
	int n = i2d_X509(x, &buf);

	if (n <= 0)
		return x509_error(SCRVAULT_ERROR, "cannot encode a certificate");
	if (!(*der = sv_malloc((size_t)n))) {
		OPENSSL_free(buf);
		return SCRVAULT_ERROR;
	}
	memcpy(*der, buf, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(buf);
	return 0;
}

int sv_x509_ca_make(unsigned char **der, size_t *len, const sv_secret *key, const char *cn,
		    const char *endorsement, int64_t now, unsigned days)
{
	static const cert_ext ca_ext[] = {
		{ NID_basic_constraints, "critical,CA:TRUE,pathlen:0" }, { NID_key_usage, "critical,keyCertSign,cRLSign" },
		{ NID_subject_key_identifier, "hash" },
	};
	EVP_PKEY *k = key_from(key);
	X509 *x = X509_new();
	X509_NAME *name;
	int error;

	*der = NULL;
	*len = 0;
	if (!k || !x) {
		error = x509_error(SCRVAULT_ERROR, "cannot read the CA key");
		goto done;
	}
	name = X509_get_subject_name(x);
	if (X509_set_version(x, X509_VERSION_3) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)"scrvault", -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, name) != 1 || X509_set_pubkey(x, k) != 1) {
		error = x509_error(SCRVAULT_ERROR, "cannot make the CA certificate");
		goto done;
	}
	if ((error = set_terms(x, x, NULL, now, days, ca_ext, sizeof(ca_ext) / sizeof(ca_ext[0]))) < 0 ||
	    (error = add_endorsement(x, endorsement)) < 0)
		goto done;
	if (X509_sign(x, k, EVP_sha256()) <= 0) {
		error = x509_error(SCRVAULT_ERROR, "cannot sign the CA certificate");
		goto done;
	}
	error = der_of(der, len, x);
done:
	X509_free(x);
	EVP_PKEY_free(k);
	return error;
}

static bool is_ip(const char *host)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

int sv_x509_host_check(const char *host)
{
	size_t len = host ? strlen(host) : 0, label = 0;
	const char *p;

	if (len == 0)
		return sv_error_field(SCRVAULT_EUSAGE, "hosts", "a host name is empty");
	if (is_ip(host))
		return 0;
	if (len > 253)
		return sv_error_field(SCRVAULT_EUSAGE, "hosts", "the host name '%.40s...' is longer than 253 characters",
				      host);
	for (p = host; ; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0 || label > 63 || p[-1] == '-' || p[-(long)label] == '-')
				return sv_error_field(SCRVAULT_EUSAGE, "hosts", "'%s' is not a host name or IP address "
						      "(labels of letters, digits and '-', 1-63 characters, "
						      "no wildcard)", host);
			if (*p == '\0')
				return 0;
			label = 0;
		} else if (isascii((unsigned char)*p) && (isalnum((unsigned char)*p) || *p == '-')) {
			label++;
		} else {
			return sv_error_field(SCRVAULT_EUSAGE, "hosts", "'%s' is not a host name or IP address "
					      "(labels of letters, digits and '-', 1-63 characters, no wildcard)", host);
		}
	}
}

int sv_x509_pem(char **out, const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long n;
	int error = SCRVAULT_ERROR;

	*out = NULL;
	if (!x || !b || PEM_write_bio_X509(b, x) != 1 || (n = BIO_get_mem_data(b, &data)) <= 0) {
		error = x509_error(SCRVAULT_ERROR, "cannot write a certificate as PEM");
		goto done;
	}
	if ((*out = sv_strndup(data, (size_t)n)))
		error = 0;
done:
	BIO_free(b);
	X509_free(x);
	return error;
}

int sv_x509_leaf_make(char **cert_pem, sv_secret **key_pem, char serial[33], const sv_secret *ca_key,
		      const unsigned char *ca_der, size_t ca_len, const char *const *hosts, size_t nhosts,
		      int64_t now, unsigned days)
{
	const unsigned char *p = ca_der;
	X509 *ca = d2i_X509(NULL, &p, (long)ca_len), *x = X509_new();
	EVP_PKEY *cak = key_from(ca_key), *k = NULL;
	BIO *kb = BIO_new(BIO_s_secmem()), *cb = BIO_new(BIO_s_mem());
	char *san = NULL, *more, *data;
	long n;
	size_t i;
	int error;

	*cert_pem = NULL;
	*key_pem = NULL;
	if (!ca || !x || !cak || !kb || !cb) {
		error = x509_error(SCRVAULT_ERROR, "cannot read the vault's CA");
		goto done;
	}
	if (nhosts == 0 || nhosts > SV_X509_MAX_HOSTS) {
		error = sv_error_field(SCRVAULT_EUSAGE, "hosts", "a server certificate names 1 to %d hosts",
				       SV_X509_MAX_HOSTS);
		goto done;
	}
	for (i = 0; i < nhosts; i++) {
		if ((error = sv_x509_host_check(hosts[i])) < 0)
			goto done;
		more = sv_printf("%s%s%s:%s", san ? san : "", san ? "," : "", is_ip(hosts[i]) ? "IP" : "DNS",
				 hosts[i]);
		free(san);
		if (!(san = more)) {
			error = SCRVAULT_ERROR;
			goto done;
		}
	}
	if (!(k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"))) {
		error = x509_error(SCRVAULT_ERROR, "cannot make a P-256 key");
		goto done;
	}
	if (X509_set_version(x, X509_VERSION_3) != 1 ||
	    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_UTF8,
				       (const unsigned char *)hosts[0], -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, X509_get_subject_name(ca)) != 1 || X509_set_pubkey(x, k) != 1) {
		error = x509_error(SCRVAULT_ERROR, "cannot make the server certificate");
		goto done;
	}
	{
		const cert_ext leaf_ext[] = {
			{ NID_basic_constraints, "critical,CA:FALSE" }, { NID_key_usage, "critical,digitalSignature" },
			{ NID_ext_key_usage, "serverAuth" }, { NID_subject_key_identifier, "hash" },
			{ NID_authority_key_identifier, "keyid:always" }, { NID_subject_alt_name, san },
		};

		if ((error = set_terms(x, ca, serial, now, days, leaf_ext, sizeof(leaf_ext) / sizeof(leaf_ext[0]))) < 0)
			goto done;
	}
	error = SCRVAULT_ERROR;
	if (X509_sign(x, cak, EVP_sha256()) <= 0 || PEM_write_bio_X509(cb, x) != 1 || PEM_write_bio_X509(cb, ca) != 1 ||
	    PEM_write_bio_PrivateKey(kb, k, NULL, NULL, 0, NULL, NULL) != 1) {
		error = x509_error(SCRVAULT_ERROR, "cannot sign the server certificate");
		goto done;
	}
	if ((n = BIO_get_mem_data(kb, &data)) <= 0 || (error = sv_secret_from(key_pem, data, (size_t)n)) < 0)
		goto done;
	error = SCRVAULT_ERROR;
	if ((n = BIO_get_mem_data(cb, &data)) <= 0 || !(*cert_pem = sv_strndup(data, (size_t)n))) {
		sv_secret_free(*key_pem);
		*key_pem = NULL;
		goto done;
	}
	error = 0;
done:
	free(san);
	BIO_free(kb);	/* secure memory, cleansed */
	BIO_free(cb);
	EVP_PKEY_free(k);
	EVP_PKEY_free(cak);
	X509_free(x);
	X509_free(ca);
	return error;
}

int sv_x509_ca_parse(sv_x509_ca *out, const char *pem, size_t len)
{
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	EVP_PKEY *k = x ? X509_get0_pubkey(x) : NULL;
	struct tm tm;
	int error;

	memset(out, 0, sizeof(*out));
	if (!x) {
		error = x509_error(SCRVAULT_EUSAGE, "this is not a PEM certificate");
		goto done;
	}
	if (!k || X509_check_issued(x, x) != X509_V_OK || X509_verify(x, k) != 1 || X509_check_ca(x) < 1) {
		error = x509_error(SCRVAULT_EUSAGE, "this is not a self-signed CA certificate");
		goto done;
	}
	if ((error = der_of(&out->der, &out->len, x)) < 0 ||
	    (error = spki_hash(out->spki_sha, X509_get_X509_PUBKEY(x))) < 0)
		goto done;
	sv_sha256(out->cert_sha, out->der, out->len);
	out->endorsement = get_endorsement(x);
	if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1)
		strftime(out->not_after, sizeof(out->not_after), "%Y-%m-%dT%H:%M:%SZ", &tm);
	error = 0;
done:
	if (error < 0)
		sv_x509_ca_clear(out);
	X509_free(x);
	BIO_free(b);
	ERR_clear_error();
	return error;
}

void sv_x509_ca_clear(sv_x509_ca *c)
{
	free(c->der);
	free(c->endorsement);
	memset(c, 0, sizeof(*c));
}
