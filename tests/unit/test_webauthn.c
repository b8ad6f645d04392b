/*
 * test_webauthn.c - passkey verification (crypto/webauthn.c) against a
 * virtual authenticator built here with OpenSSL and libcbor: it makes a
 * key, builds authenticator data, attestation objects ("none", "packed"
 * self-attestation) and clientDataJSON, and signs assertions.  Every check
 * of the verifier has an attack below that it must refuse: another origin,
 * relying party, challenge or ceremony type, missing flags, forged or
 * foreign signatures, cloned counters, inconsistent or off-curve keys,
 * attestation the vault cannot verify, malformed and oversized input.
 */
#include <stdlib.h>
#include <string.h>
#include <cbor.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "unit.h"
#include "crypto/crypto.h"
#include "crypto/webauthn.h"
#include "base/common.h"

#define RP "localhost"
#define ORIGIN "https://localhost:8443"

static const unsigned char CHAL[32] = {
	0x9e, 0x01, 0x22, 0x35, 0x4f, 0x50, 0x61, 0x7f, 0x80, 0x9a, 0xab, 0xbc, 0xcd, 0xde, 0xef, 0xf0,
	0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0xff,
};
static const unsigned char CRED_ID[20] = "credential-id-123456";
static const unsigned char AAGUID[16] = "aaguid-of-vauth!";

/* ---- the virtual authenticator ------------------------------------------ */

typedef struct {
	unsigned char *p;
	size_t len;
} buf;

static void buf_free(buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = 0;
}

static void buf_add(buf *b, const void *p, size_t n)
{
	assert_non_null(b->p = realloc(b->p, b->len + n + 1));
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* What the authenticator and browser do, and how an attacker bends it. */
typedef struct {
	const char *type;		/* NULL: the ceremony's own */
	const char *origin;		/* NULL: ORIGIN */
	const char *rp_id;		/* NULL: RP */
	const unsigned char *challenge;	/* NULL: CHAL */
	const char *cdj_extra;		/* members appended to clientDataJSON */
	int flags;			/* 0: UP|UV, and AT in a registration */
	int kty, alg, crv;		/* 0: the key's own */
	bool off_curve;			/* y + 1: a point not on P-256 */
	const char *fmt;		/* NULL: "none" */
	bool x5c;			/* packed with a certificate chain */
	int stmt_alg;			/* packed: 0: the key's alg */
	bool flip_sig;			/* one bit of the signature flipped */
	EVP_PKEY *signer;		/* NULL: the credential's key */
	bool ext;			/* an extensions map (ED set) */
	const buf *ext_raw;		/* these bytes as the extensions instead */
	size_t ad_trailing;		/* zero bytes after authData's end */
	size_t ad_cut;			/* bytes cut off authData's end */
	size_t ao_trailing;		/* bytes after the attestation object */
	bool dup_fmt;			/* the attestation object repeats "fmt" */
	uint32_t count;
} opts;

typedef struct {
	EVP_PKEY *key;
	int alg;
} vauth;

static void vauth_new(vauth *v, int alg)
{
	v->alg = alg;
	v->key = alg == SV_WEBAUTHN_ES256 ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256") :
					    EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(v->key);
}

static cbor_item_t *cint(int v)
{
	return v >= 0 ? cbor_build_uint8((uint8_t)v) : cbor_build_negint8((uint8_t)(-1 - v));
}

static void map_put(cbor_item_t *map, cbor_item_t *k, cbor_item_t *v)
{
	assert_true(cbor_map_add(map, (struct cbor_pair){ .key = cbor_move(k), .value = cbor_move(v) }));
}

static buf serialise(cbor_item_t *item)
{
	buf b = { 0 };
	size_t cap = 0;

	b.len = cbor_serialize_alloc(item, &b.p, &cap);
	assert_true(b.len > 0);
	cbor_decref(&item);
	return b;
}

static buf cose_key(const vauth *v, const opts *o)
{
	cbor_item_t *m = cbor_new_definite_map(5);
	unsigned char pub[65];
	size_t n = 0;

	if (v->alg == SV_WEBAUTHN_ES256) {
		assert_int_equal(EVP_PKEY_get_octet_string_param(v->key, OSSL_PKEY_PARAM_PUB_KEY, pub,
								 sizeof(pub), &n), 1);
		assert_int_equal(n, 65);
		if (o->off_curve)
			pub[64] ^= 1;
		map_put(m, cint(1), cint(o->kty ? o->kty : 2));
		map_put(m, cint(3), cint(o->alg ? o->alg : -7));
		map_put(m, cint(-1), cint(o->crv ? o->crv : 1));
		map_put(m, cint(-2), cbor_build_bytestring(pub + 1, 32));
		map_put(m, cint(-3), cbor_build_bytestring(pub + 33, 32));
	} else {
		n = 32;
		assert_int_equal(EVP_PKEY_get_raw_public_key(v->key, pub, &n), 1);
		map_put(m, cint(1), cint(o->kty ? o->kty : 1));
		map_put(m, cint(3), cint(o->alg ? o->alg : -8));
		map_put(m, cint(-1), cint(o->crv ? o->crv : 6));
		map_put(m, cint(-2), cbor_build_bytestring(pub, 32));
	}
	return serialise(m);
}

static buf auth_data(const vauth *v, const opts *o, bool registration)
{
	unsigned char head[37];
	buf b = { 0 };
	int flags = o->flags ? o->flags : 0x01 | 0x04 | (registration ? 0x40 : 0);

	if (o->ext)
		flags |= 0x80;
	sv_sha256(head, o->rp_id ? o->rp_id : RP, strlen(o->rp_id ? o->rp_id : RP));
	head[32] = (unsigned char)flags;
	head[33] = (unsigned char)(o->count >> 24);
	head[34] = (unsigned char)(o->count >> 16);
	head[35] = (unsigned char)(o->count >> 8);
	head[36] = (unsigned char)o->count;
	buf_add(&b, head, sizeof(head));
	if (registration) {
		unsigned char len[2] = { 0, sizeof(CRED_ID) };
		buf key = cose_key(v, o);

		buf_add(&b, AAGUID, sizeof(AAGUID));
		buf_add(&b, len, 2);
		buf_add(&b, CRED_ID, sizeof(CRED_ID));
		buf_add(&b, key.p, key.len);
		buf_free(&key);
	}
	if (o->ext_raw)
		buf_add(&b, o->ext_raw->p, o->ext_raw->len);
	else if (o->ext) {
		cbor_item_t *m = cbor_new_definite_map(1);
		buf e;

		map_put(m, cbor_build_string("credProtect"), cint(2));
		e = serialise(m);
		buf_add(&b, e.p, e.len);
		buf_free(&e);
	}
	for (size_t i = 0; i < o->ad_trailing; i++)
		buf_add(&b, "", 1);
	assert_true(o->ad_cut <= b.len);
	b.len -= o->ad_cut;
	return b;
}

static void b64url(char *out, const unsigned char *in, size_t len)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t o = 0;
	uint32_t acc = 0;
	int bits = 0;

	for (size_t i = 0; i < len; i++) {
		acc = acc << 8 | in[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out[o++] = a[acc >> bits & 63];
		}
	}
	if (bits)
		out[o++] = a[acc << (6 - bits) & 63];
	out[o] = '\0';
}

static buf client_data(const opts *o, const char *ceremony)
{
	char chal[64], *s = NULL;
	buf b = { 0 };
	int n;

	b64url(chal, o->challenge ? o->challenge : CHAL, sizeof(CHAL));
	n = asprintf(&s, "{\"type\":\"%s\",\"challenge\":\"%s\",\"origin\":\"%s\"%s}",
		     o->type ? o->type : ceremony, chal, o->origin ? o->origin : ORIGIN,
		     o->cdj_extra ? o->cdj_extra : "");
	assert_true(n > 0);
	b.p = (unsigned char *)s;
	b.len = (size_t)n;
	return b;
}

/* The signature WebAuthn makes: over authData || SHA-256(clientDataJSON). */
static buf sign(EVP_PKEY *key, const buf *ad, const buf *cdj, bool flip)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	buf msg = { 0 }, sig = { 0 };
	unsigned char h[32];

	sv_sha256(h, cdj->p, cdj->len);
	buf_add(&msg, ad->p, ad->len);
	buf_add(&msg, h, sizeof(h));
	assert_non_null(md);
	assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_PKEY_is_a(key, "EC") ? EVP_sha256() : NULL,
					    NULL, key), 1);
	assert_int_equal(EVP_DigestSign(md, NULL, &sig.len, msg.p, msg.len), 1);
	assert_non_null(sig.p = malloc(sig.len));
	assert_int_equal(EVP_DigestSign(md, sig.p, &sig.len, msg.p, msg.len), 1);
	if (flip)
		sig.p[sig.len / 2] ^= 0x01;
	EVP_MD_CTX_free(md);
	buf_free(&msg);
	return sig;
}

static buf attestation_object(const vauth *v, const opts *o, const buf *ad, const buf *cdj)
{
	const char *fmt = o->fmt ? o->fmt : "none";
	cbor_item_t *m = cbor_new_definite_map(o->dup_fmt ? 4 : 3);
	cbor_item_t *stmt;
	buf b;

	if (strcmp(fmt, "packed") == 0) {
		buf sig = sign(o->signer ? o->signer : v->key, ad, cdj, o->flip_sig);

		stmt = cbor_new_definite_map(o->x5c ? 3 : 2);
		map_put(stmt, cbor_build_string("alg"), cint(o->stmt_alg ? o->stmt_alg : v->alg));
		map_put(stmt, cbor_build_string("sig"), cbor_build_bytestring(sig.p, sig.len));
		if (o->x5c) {
			cbor_item_t *chain = cbor_new_definite_array(1);

			assert_true(cbor_array_push(chain, cbor_move(cbor_build_bytestring((const unsigned char *)"cert", 4))));
			map_put(stmt, cbor_build_string("x5c"), chain);
		}
		buf_free(&sig);
	} else {
		stmt = cbor_new_definite_map(0);
	}
	map_put(m, cbor_build_string("fmt"), cbor_build_string(fmt));
	map_put(m, cbor_build_string("attStmt"), stmt);
	map_put(m, cbor_build_string("authData"), cbor_build_bytestring(ad->p, ad->len));
	if (o->dup_fmt)
		map_put(m, cbor_build_string("fmt"), cbor_build_string("none"));
	b = serialise(m);
	for (size_t i = 0; i < o->ao_trailing; i++)
		buf_add(&b, "\x00", 1);
	return b;
}

static sv_webauthn_expect expect(bool uv)
{
	return (sv_webauthn_expect){ .rp_id = RP, .origin = ORIGIN, .challenge = CHAL,
				     .challenge_len = sizeof(CHAL), .require_uv = uv };
}

static int do_register(sv_webauthn_credential *cred, const vauth *v, const opts *o, bool uv)
{
	sv_webauthn_expect e = expect(uv);
	buf cdj = client_data(o, "webauthn.create");
	buf ad = auth_data(v, o, true);
	buf ao = attestation_object(v, o, &ad, &cdj);
	int error = sv_webauthn_register(cred, &e, cdj.p, cdj.len, ao.p, ao.len);

	buf_free(&cdj);
	buf_free(&ad);
	buf_free(&ao);
	return error;
}

static int do_assert(uint32_t *count, const vauth *v, const sv_webauthn_credential *cred, uint32_t stored,
		     const opts *o, bool uv)
{
	sv_webauthn_expect e = expect(uv);
	buf cdj = client_data(o, "webauthn.get");
	buf ad = auth_data(v, o, false);
	buf sig = sign(o->signer ? o->signer : v->key, &ad, &cdj, o->flip_sig);
	int error = sv_webauthn_assert(count, &e, cred->spki, cred->spki_len, cred->alg, stored,
				       cdj.p, cdj.len, ad.p, ad.len, sig.p, sig.len);

	buf_free(&cdj);
	buf_free(&ad);
	buf_free(&sig);
	return error;
}

/* Registration with `o` must be refused with a message containing `msg`. */
static void refuse_register(const vauth *v, const opts *o, bool uv, const char *msg)
{
	sv_webauthn_credential cred;

	assert_int_equal(do_register(&cred, v, o, uv), SCRVAULT_EDENIED);
	assert_null(cred.spki);
	if (!strstr(scrvault_error_message(), msg))
		fail_msg("'%s' lacks '%s'", scrvault_error_message(), msg);
}

static void refuse_assert(const vauth *v, const sv_webauthn_credential *cred, uint32_t stored,
			  const opts *o, bool uv, const char *msg)
{
	uint32_t count = 12345;

	assert_int_equal(do_assert(&count, v, cred, stored, o, uv), SCRVAULT_EDENIED);
	assert_int_equal(count, 12345);
	if (!strstr(scrvault_error_message(), msg))
		fail_msg("'%s' lacks '%s'", scrvault_error_message(), msg);
}

/* ---- fixtures ------------------------------------------------------------ */

typedef struct {
	vauth es, ed, other_es, other_ed;
	sv_webauthn_credential es_cred, ed_cred;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	opts o = { 0 };

	if (!f || sv_crypto_init() < 0)
		return -1;
	vauth_new(&f->es, SV_WEBAUTHN_ES256);
	vauth_new(&f->ed, SV_WEBAUTHN_EDDSA);
	vauth_new(&f->other_es, SV_WEBAUTHN_ES256);
	vauth_new(&f->other_ed, SV_WEBAUTHN_EDDSA);
	if (do_register(&f->es_cred, &f->es, &o, true) < 0 || do_register(&f->ed_cred, &f->ed, &o, true) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	sv_webauthn_credential_clear(&f->es_cred);
	sv_webauthn_credential_clear(&f->ed_cred);
	EVP_PKEY_free(f->es.key);
	EVP_PKEY_free(f->ed.key);
	EVP_PKEY_free(f->other_es.key);
	EVP_PKEY_free(f->other_ed.key);
	free(f);
	return 0;
}

/* ---- good ceremonies ----------------------------------------------------- */

static void check_good(const vauth *v, const char *fmt, bool ext)
{
	sv_webauthn_credential cred;
	opts o = { .fmt = fmt, .ext = ext, .flags = 0x01 | 0x04 | 0x08 | 0x10 | 0x40, .count = 7 };
	unsigned char der_want[200], *p = der_want;
	uint32_t count = 0;
	int n;

	if (do_register(&cred, v, &o, true) != 0)
		fail_msg("%s registration refused: %s", fmt, scrvault_error_message());
	assert_int_equal(cred.alg, v->alg);
	assert_int_equal(cred.id_len, sizeof(CRED_ID));
	assert_memory_equal(cred.id, CRED_ID, sizeof(CRED_ID));
	assert_memory_equal(cred.aaguid, AAGUID, sizeof(AAGUID));
	assert_int_equal(cred.sign_count, 7);
	assert_true(cred.uv && cred.backup_eligible && cred.backed_up);
	n = i2d_PUBKEY(v->key, &p);
	assert_int_equal(cred.spki_len, (size_t)n);
	assert_memory_equal(cred.spki, der_want, (size_t)n);	/* the key, as SPKI DER */

	/* members a browser may add, and Chromium's warning against templates */
	o = (opts){ .count = 8, .ext = ext,
		    .cdj_extra = ",\"crossOrigin\":false,\"other_keys_can_be_added_here\":"
				 "\"do not compare clientDataJSON against a template. See https://goo.gl/yabPex\"" };
	if (do_assert(&count, v, &cred, 7, &o, true) != 0)
		fail_msg("assertion refused: %s", scrvault_error_message());
	assert_int_equal(count, 8);
	o.count = 1000;
	assert_int_equal(do_assert(&count, v, &cred, 8, &o, true), 0);
	assert_int_equal(count, 1000);
	sv_webauthn_credential_clear(&cred);
	assert_null(cred.spki);
	assert_int_equal(cred.spki_len, 0);
}

static void test_good_es256(void **state)
{
	fixture *f = *state;

	check_good(&f->es, "none", false);
	check_good(&f->es, "packed", false);
	check_good(&f->es, "none", true);	/* extensions parsed and skipped */
}

static void test_good_ed25519(void **state)
{
	fixture *f = *state;

	check_good(&f->ed, "none", false);
	check_good(&f->ed, "packed", false);
	check_good(&f->ed, "packed", true);
}

/* ---- client data attacks ------------------------------------------------- */

static void test_wrong_origin(void **state)
{
	fixture *f = *state;
	opts o = { .origin = "https://evil.example" };

	refuse_register(&f->es, &o, true, "another site (origin https://evil.example)");
	refuse_assert(&f->es, &f->es_cred, 0, &o, true, "another site (origin https://evil.example)");
	o.origin = "https://localhost:8443/";		/* exact: not a prefix */
	refuse_assert(&f->ed, &f->ed_cred, 0, &o, true, "another site");
	o.origin = "http://localhost:8443";
	refuse_assert(&f->ed, &f->ed_cred, 0, &o, true, "another site");
	o.origin = "https://localhost:8443\\u0007";	/* control characters never quoted */
	refuse_assert(&f->ed, &f->ed_cred, 0, &o, true, "(origin (unprintable))");
}

static void test_cross_origin(void **state)
{
	fixture *f = *state;
	opts o = { .cdj_extra = ",\"crossOrigin\":true,\"topOrigin\":\"https://evil.example\"" };
	uint32_t count;

	refuse_register(&f->es, &o, true, "crossOrigin");
	refuse_assert(&f->es, &f->es_cred, 0, &o, true, "crossOrigin");
	o.cdj_extra = ",\"crossOrigin\":\"true\"";	/* not a boolean */
	refuse_assert(&f->es, &f->es_cred, 0, &o, true, "crossOrigin");
	o.cdj_extra = ",\"crossOrigin\":false";
	assert_int_equal(do_assert(&count, &f->es, &f->es_cred, 0, &o, true), 0);
}

static void test_wrong_challenge(void **state)
{
	fixture *f = *state;
	unsigned char other[sizeof(CHAL)];
	opts o = { .challenge = other };

	memcpy(other, CHAL, sizeof(CHAL));
	other[31] ^= 0x80;
	refuse_register(&f->es, &o, true, "another challenge");
	refuse_assert(&f->es, &f->es_cred, 0, &o, true, "another challenge");
	refuse_assert(&f->ed, &f->ed_cred, 0, &o, true, "another challenge");
}

static void test_type_swapped(void **state)
{
	fixture *f = *state;
	opts o = { .type = "webauthn.get" };

	refuse_register(&f->es, &o, true, "of type 'webauthn.get', not 'webauthn.create'");
	o.type = "webauthn.create";
	refuse_assert(&f->es, &f->es_cred, 0, &o, true, "of type 'webauthn.create', not 'webauthn.get'");
	o.type = "payment.get";
	refuse_assert(&f->ed, &f->ed_cred, 0, &o, true, "of type");
}

static void test_wrong_rp_id(void **state)
{
	fixture *f = *state;
	opts o = { .rp_id = "evil.example" };

	refuse_register(&f->es, &o, true, "another relying party");
	refuse_assert(&f->es, &f->es_cred, 0, &o, true, "another relying party");
	o.rp_id = "localhost.";
	refuse_assert(&f->ed, &f->ed_cred, 0, &o, true, "another relying party");
}

/* ---- flags --------------------------------------------------------------- */

static void test_up_missing(void **state)
{
	fixture *f = *state;
	opts o = { .flags = 0x04 | 0x40 };

	refuse_register(&f->es, &o, false, "UP flag");
	o.flags = 0x04;
	refuse_assert(&f->es, &f->es_cred, 0, &o, false, "UP flag");
}

static void test_uv_missing(void **state)
{
	fixture *f = *state;
	sv_webauthn_credential cred;
	opts o = { .flags = 0x01 | 0x40 };
	uint32_t count;

	refuse_register(&f->ed, &o, true, "UV flag");
	assert_int_equal(do_register(&cred, &f->ed, &o, false), 0);	/* when not required */
	assert_false(cred.uv);
	sv_webauthn_credential_clear(&cred);
	o.flags = 0x01;
	refuse_assert(&f->ed, &f->ed_cred, 0, &o, true, "UV flag");
	assert_int_equal(do_assert(&count, &f->ed, &f->ed_cred, 0, &o, false), 0);
}

static void test_at_flag(void **state)
{
	fixture *f = *state;
	opts o = { .flags = 0x01 | 0x04 };

	refuse_register(&f->es, &o, true, "AT flag unset");
	o.flags = 0x01 | 0x04 | 0x40;			/* an assertion claiming credential data */
	refuse_assert(&f->es, &f->es_cred, 0, &o, true, "AT flag set");
	o.flags = 0x01 | 0x04 | 0x10 | 0x40;		/* backed up, not backup-eligible */
	refuse_register(&f->es, &o, true, "not backup-eligible");
}

/* ---- signatures ---------------------------------------------------------- */

static void test_bad_signature(void **state)
{
	fixture *f = *state;
	opts o = { .flip_sig = true, .count = 1 };

	refuse_assert(&f->es, &f->es_cred, 0, &o, true, "does not verify");
	refuse_assert(&f->ed, &f->ed_cred, 0, &o, true, "does not verify");
	o.fmt = "packed";
	refuse_register(&f->es, &o, true, "does not verify");
	refuse_register(&f->ed, &o, true, "does not verify");
}

static void test_other_key(void **state)
{
	fixture *f = *state;
	opts o = { .signer = f->other_es.key, .count = 1 };

	refuse_assert(&f->es, &f->es_cred, 0, &o, true, "does not verify");
	o.fmt = "packed";
	refuse_register(&f->es, &o, true, "does not verify");
	o.signer = f->other_ed.key;
	refuse_register(&f->ed, &o, true, "does not verify");
	o.fmt = NULL;
	refuse_assert(&f->ed, &f->ed_cred, 0, &o, true, "does not verify");
}

/* An assertion signed over another authData than the one sent. */
static void test_tampered_auth_data(void **state)
{
	fixture *f = *state;
	sv_webauthn_expect e = expect(true);
	opts o = { .count = 5, .cdj_extra = ",\"other\":\"a\"" };
	buf cdj = client_data(&o, "webauthn.get");
	buf ad = auth_data(&f->es, &o, false);
	buf sig = sign(f->es.key, &ad, &cdj, false);
	uint32_t count = 0;

	ad.p[36] = 6;		/* the counter raised after signing */
	assert_int_equal(sv_webauthn_assert(&count, &e, f->es_cred.spki, f->es_cred.spki_len, f->es_cred.alg,
					    0, cdj.p, cdj.len, ad.p, ad.len, sig.p, sig.len), SCRVAULT_EDENIED);
	ad.p[36] = 5;
	cdj.p[cdj.len - 3] = 'b';	/* the client data changed after signing, still well formed */
	assert_int_equal(sv_webauthn_assert(&count, &e, f->es_cred.spki, f->es_cred.spki_len, f->es_cred.alg,
					    0, cdj.p, cdj.len, ad.p, ad.len, sig.p, sig.len), SCRVAULT_EDENIED);
	buf_free(&cdj);
	buf_free(&ad);
	buf_free(&sig);
}

/* ---- counter ------------------------------------------------------------- */

static void test_counter(void **state)
{
	fixture *f = *state;
	opts o = { .count = 41 };
	uint32_t count = 0;

	refuse_assert(&f->es, &f->es_cred, 41, &o, true, "counter went back");	/* replayed */
	refuse_assert(&f->es, &f->es_cred, 42, &o, true, "counter went back");	/* regression */
	o.count = 0;
	refuse_assert(&f->ed, &f->ed_cred, 42, &o, true, "counter went back");	/* reset to 0 */
	assert_int_equal(do_assert(&count, &f->ed, &f->ed_cred, 0, &o, true), 0);	/* 0/0: none kept */
	assert_int_equal(count, 0);
	o.count = 0xffffffff;
	assert_int_equal(do_assert(&count, &f->es, &f->es_cred, 0xfffffffe, &o, true), 0);
	assert_int_equal(count, 0xffffffff);
}

/* ---- keys ---------------------------------------------------------------- */

static void test_key_mismatch(void **state)
{
	fixture *f = *state;
	opts o = { .alg = SV_WEBAUTHN_EDDSA };		/* an EC2 key with EdDSA */

	refuse_register(&f->es, &o, true, "key type, algorithm and curve");
	o = (opts){ .alg = SV_WEBAUTHN_ES256 };		/* an OKP key with ES256 */
	refuse_register(&f->ed, &o, true, "key type, algorithm and curve");
	o = (opts){ .crv = 2 };				/* P-384's number with P-256's size */
	refuse_register(&f->es, &o, true, "key type, algorithm and curve");
	o = (opts){ .kty = 3 };				/* RSA */
	refuse_register(&f->es, &o, true, "key type, algorithm and curve");
	o = (opts){ .crv = 7 };				/* Ed448 */
	refuse_register(&f->ed, &o, true, "key type, algorithm and curve");
	o = (opts){ .fmt = "packed", .stmt_alg = SV_WEBAUTHN_EDDSA };
	refuse_register(&f->es, &o, true, "another algorithm");
}

static void test_off_curve(void **state)
{
	fixture *f = *state;
	opts o = { .off_curve = true };

	refuse_register(&f->es, &o, true, "not a point on the curve");
}

/* A stored key of another kind than its alg: the server's own data is wrong. */
static void test_stored_key_mismatch(void **state)
{
	fixture *f = *state;
	sv_webauthn_credential c = f->es_cred;
	opts o = { .count = 1 };
	uint32_t count;

	c.alg = SV_WEBAUTHN_EDDSA;
	assert_int_equal(do_assert(&count, &f->es, &c, 0, &o, true), SCRVAULT_EUSAGE);
	c = f->ed_cred;
	c.alg = SV_WEBAUTHN_ES256;
	assert_int_equal(do_assert(&count, &f->ed, &c, 0, &o, true), SCRVAULT_EUSAGE);
	c.spki_len--;
	c.alg = SV_WEBAUTHN_EDDSA;
	assert_int_equal(do_assert(&count, &f->ed, &c, 0, &o, true), SCRVAULT_EUSAGE);
}

/* ---- attestation --------------------------------------------------------- */

static void test_attestation_formats(void **state)
{
	fixture *f = *state;
	opts o = { .fmt = "tpm" };

	refuse_register(&f->es, &o, true, "attestation format");
	o.fmt = "fido-u2f";
	refuse_register(&f->es, &o, true, "attestation format");
	o.fmt = "packed";
	o.x5c = true;
	refuse_register(&f->es, &o, true, "certificate chain");
	o = (opts){ .dup_fmt = true };
	refuse_register(&f->es, &o, true, "repeated member");
}

/* ---- malformed and oversized input --------------------------------------- */

static void test_trailing_bytes(void **state)
{
	fixture *f = *state;
	opts o = { .ao_trailing = 1 };

	refuse_register(&f->es, &o, true, "not one well-formed CBOR item");
	o = (opts){ .ad_trailing = 1 };
	refuse_register(&f->es, &o, true, "bytes after its end");
	refuse_assert(&f->es, &f->es_cred, 0, &o, true, "bytes after its end");
	o = (opts){ .ad_trailing = 1, .ext = true };
	refuse_register(&f->ed, &o, true, "bytes after its end");
}

static void test_truncated_auth_data(void **state)
{
	fixture *f = *state;
	opts o = { .ad_cut = 1 };

	refuse_register(&f->es, &o, true, "not well-formed CBOR");	/* the key cut short */
	o.ad_cut = 80;
	refuse_register(&f->es, &o, true, "credential id");
	o.ad_cut = 100;
	refuse_register(&f->es, &o, true, "truncated");
	o.ad_cut = 1;
	refuse_assert(&f->es, &f->es_cred, 0, &o, true, "truncated");
	o = (opts){ .ext = true, .ad_cut = 1 };
	refuse_assert(&f->ed, &f->ed_cred, 0, &o, true, "extensions");
	o = (opts){ .flags = 0x01 | 0x04 | 0x80 };	/* ED with no extensions */
	refuse_assert(&f->ed, &f->ed_cred, 0, &o, true, "extensions");
}

static void test_oversized(void **state)
{
	fixture *f = *state;
	sv_webauthn_expect e = expect(false);
	sv_webauthn_credential cred;
	char pad[5000];
	opts o = { .cdj_extra = pad };
	buf ao = { 0 }, cdj, ad;
	uint32_t count;

	/* clientDataJSON above 4 KiB */
	memcpy(pad, ",\"x\":\"", 6);
	memset(pad + 6, 'a', 4200);
	strcpy(pad + 4206, "\"");
	refuse_register(&f->es, &o, true, "longer than 4 KiB");
	refuse_assert(&f->es, &f->es_cred, 0, &o, true, "longer than 4 KiB");

	/* an attestation object above 16 KiB */
	o = (opts){ 0 };
	cdj = client_data(&o, "webauthn.create");
	buf_add(&ao, "\xa0", 1);
	for (int i = 0; i < 16384; i++)
		buf_add(&ao, "\x00", 1);
	assert_int_equal(sv_webauthn_register(&cred, &e, cdj.p, cdj.len, ao.p, ao.len), SCRVAULT_EDENIED);
	assert_non_null(strstr(scrvault_error_message(), "longer than 16 KiB"));
	/* nesting deeper than allowed: 100 arrays in each other */
	memset(ao.p, 0x81, 100);
	ao.p[100] = 0x00;
	assert_int_equal(sv_webauthn_register(&cred, &e, cdj.p, cdj.len, ao.p, 101), SCRVAULT_EDENIED);
	/* a count the bytes cannot hold: an array of 2^32 items, a map of 2^60 */
	memcpy(ao.p, "\x9a\xff\xff\xff\xff\x00", 6);
	assert_int_equal(sv_webauthn_register(&cred, &e, cdj.p, cdj.len, ao.p, 6), SCRVAULT_EDENIED);
	memcpy(ao.p, "\xbb\x10\x00\x00\x00\x00\x00\x00\x00\x00", 10);
	assert_int_equal(sv_webauthn_register(&cred, &e, cdj.p, cdj.len, ao.p, 10), SCRVAULT_EDENIED);
	/* indefinite lengths and a lone break */
	memcpy(ao.p, "\xbf\x63" "fmt\x64" "none\xff", 11);
	assert_int_equal(sv_webauthn_register(&cred, &e, cdj.p, cdj.len, ao.p, 11), SCRVAULT_EDENIED);
	assert_int_equal(sv_webauthn_register(&cred, &e, cdj.p, cdj.len, (const unsigned char *)"\xff", 1),
			 SCRVAULT_EDENIED);
	buf_free(&cdj);

	/* authenticator data and a signature above their bounds */
	o = (opts){ .ad_trailing = 17000 };
	refuse_assert(&f->es, &f->es_cred, 0, &o, true, "too long");
	o = (opts){ .count = 1 };
	cdj = client_data(&o, "webauthn.get");
	ad = auth_data(&f->es, &o, false);
	assert_int_equal(sv_webauthn_assert(&count, &e, f->es_cred.spki, f->es_cred.spki_len, f->es_cred.alg,
					    0, cdj.p, cdj.len, ad.p, ad.len, ao.p, 4096), SCRVAULT_EDENIED);
	assert_non_null(strstr(scrvault_error_message(), "wrong length"));
	buf_free(&cdj);
	buf_free(&ad);
	buf_free(&ao);
}

/*
 * CBOR nesting deeper than 16 and more than 1024 items are refused, where
 * libcbor would have taken them: inside the extensions of an assertion.
 */
static void check_extensions(const fixture *f, const buf *ext, bool good)
{
	opts o = { .ext = true, .ext_raw = ext, .count = 1 };
	uint32_t count;

	if (good)
		assert_int_equal(do_assert(&count, &f->ed, &f->ed_cred, 0, &o, false), 0);
	else
		refuse_assert(&f->ed, &f->ed_cred, 0, &o, false, "extensions are not a well-formed CBOR map");
}

static void test_cbor_bounds(void **state)
{
	fixture *f = *state;
	buf ext = { 0 };

	/* {"x": [[...[0]...]]}: the map at depth 0, n arrays, 0 at depth n + 1 */
	buf_add(&ext, "\xa1\x61x", 3);
	for (int i = 0; i < 15; i++)
		buf_add(&ext, "\x81", 1);
	buf_add(&ext, "\x00", 1);
	check_extensions(f, &ext, true);			/* 0 at depth 16 */
	buf_free(&ext);
	buf_add(&ext, "\xa1\x61x", 3);
	for (int i = 0; i < 16; i++)
		buf_add(&ext, "\x81", 1);
	buf_add(&ext, "\x00", 1);
	check_extensions(f, &ext, false);			/* 0 at depth 17 */
	buf_free(&ext);

	/* {"x": [0 x n]}: n + 3 items, 1024 the most */
	buf_add(&ext, "\xa1\x61x\x99\x03\xfd", 6);	/* 1021 */
	for (int i = 0; i < 1021; i++)
		buf_add(&ext, "\x00", 1);
	check_extensions(f, &ext, true);
	ext.p[5] = 0xfe;				/* 1022 */
	buf_add(&ext, "\x00", 1);
	check_extensions(f, &ext, false);
	buf_free(&ext);
}

static void test_bad_expectation(void **state)
{
	fixture *f = *state;
	sv_webauthn_expect e = expect(true);
	sv_webauthn_credential cred;
	uint32_t count;

	e.challenge_len = 8;		/* too short to be unguessable */
	assert_int_equal(sv_webauthn_register(&cred, &e, (const unsigned char *)"{}", 2,
					      (const unsigned char *)"\xa0", 1), SCRVAULT_EUSAGE);
	e = expect(true);
	e.origin = NULL;
	assert_int_equal(sv_webauthn_assert(&count, &e, f->es_cred.spki, f->es_cred.spki_len, f->es_cred.alg, 0,
					    (const unsigned char *)"{}", 2, (const unsigned char *)"", 0,
					    (const unsigned char *)"", 0), SCRVAULT_EUSAGE);
	sv_webauthn_credential_clear(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_es256),
		cmocka_unit_test(test_good_ed25519),
		cmocka_unit_test(test_wrong_origin),
		cmocka_unit_test(test_cross_origin),
		cmocka_unit_test(test_wrong_challenge),
		cmocka_unit_test(test_type_swapped),
		cmocka_unit_test(test_wrong_rp_id),
		cmocka_unit_test(test_up_missing),
		cmocka_unit_test(test_uv_missing),
		cmocka_unit_test(test_at_flag),
		cmocka_unit_test(test_bad_signature),
		cmocka_unit_test(test_other_key),
		cmocka_unit_test(test_tampered_auth_data),
		cmocka_unit_test(test_counter),
		cmocka_unit_test(test_key_mismatch),
		cmocka_unit_test(test_off_curve),
		cmocka_unit_test(test_stored_key_mismatch),
		cmocka_unit_test(test_attestation_formats),
		cmocka_unit_test(test_trailing_bytes),
		cmocka_unit_test(test_truncated_auth_data),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_cbor_bounds),
		cmocka_unit_test(test_bad_expectation),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
