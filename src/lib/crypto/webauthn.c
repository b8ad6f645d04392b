/*
 * webauthn.c - verification of passkey registrations and assertions
 * (see webauthn.h).
 *
 * The only file of the library that includes libcbor.  Everything it reads
 * comes from a browser and is hostile until checked, so the order is: sizes
 * first; then the CBOR's shape by our own bounded scanner (cbor_scan: depth,
 * item counts against the bytes left, definite lengths only, where each item
 * ends), and only then libcbor's cbor_load on exactly the bytes the scanner
 * measured, so libcbor never allocates for a count the input cannot hold nor
 * recurses deeper than CBOR_DEPTH_MAX when it frees.  It must never accept
 * a signature it did not verify, a key it did not check is on its curve, or
 * a ceremony for another origin, relying party, challenge or type.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cbor.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "crypto/webauthn.h"
#include "crypto/crypto.h"
#include "base/json.h"

#define CDJ_MAX            4096
#define AO_MAX             16384
#define AD_MAX             16384
#define SIG_MAX            512
#define CHALLENGE_MIN      16
#define CHALLENGE_MAX      64
#define CBOR_DEPTH_MAX     16
#define CBOR_ITEMS_MAX     1024

/* authenticator data flags (WebAuthn §6.1) */
#define FLAG_UP 0x01
#define FLAG_UV 0x04
#define FLAG_BE 0x08
#define FLAG_BS 0x10
#define FLAG_AT 0x40
#define FLAG_ED 0x80

/* rpIdHash (32), flags (1), signCount (4) */
#define AD_FIXED_LEN 37
/* aaguid (16), credentialIdLength (2) */
#define AD_ATTESTED_LEN 18

/* COSE (RFC 9053) */
#define COSE_KTY_OKP 1
#define COSE_KTY_EC2 2
#define COSE_CRV_P256 1
#define COSE_CRV_ED25519 6

static int denied(const char *msg)
{
	ERR_clear_error();
	return sv_error(SCRVAULT_EDENIED, "%s", msg);
}

static int out_of_memory(void)
{
	ERR_clear_error();
	return sv_error(SCRVAULT_ERROR, "out of memory verifying a passkey");
}

/* ---- CBOR shape ---------------------------------------------------------- */

/* The argument of the head at buf[*pos] (info already read); -1 if cut short. */
static int cbor_arg(uint64_t *arg, unsigned info, const unsigned char *buf, size_t len, size_t *pos)
{
	size_t n;

	if (info < 24) {
		*arg = info;
		return 0;
	}
	if (info > 27)		/* 28..30 reserved, 31 indefinite: refused */
		return -1;
	n = (size_t)1 << (info - 24);
	if (len - *pos < n)
		return -1;
	*arg = 0;
	for (size_t i = 0; i < n; i++)
		*arg = (*arg << 8) | buf[(*pos)++];
	return 0;
}

/*
 * Check one well-formed, definite-length CBOR data item starting at
 * buf[*pos], no deeper than CBOR_DEPTH_MAX, and advance *pos past it.
 * *items counts every item met, up to CBOR_ITEMS_MAX.  -1 if not.
 */
static int cbor_scan(const unsigned char *buf, size_t len, size_t *pos, int depth, size_t *items)
{
	unsigned major, info;
	uint64_t arg;

	if (depth > CBOR_DEPTH_MAX || ++*items > CBOR_ITEMS_MAX || *pos >= len)
		return -1;
	major = buf[*pos] >> 5;
	info = buf[*pos] & 31;
	(*pos)++;
	if (cbor_arg(&arg, info, buf, len, pos) < 0)
		return -1;
	switch (major) {
	case 0: case 1:		/* integers */
		return 0;
	case 2: case 3:		/* byte and text strings */
		if (arg > len - *pos)
			return -1;
		*pos += (size_t)arg;
		return 0;
	case 4:			/* array: each item takes a byte at least */
		if (arg > len - *pos)
			return -1;
		for (uint64_t i = 0; i < arg; i++)
			if (cbor_scan(buf, len, pos, depth + 1, items) < 0)
				return -1;
		return 0;
	case 5:			/* map: two items a pair */
		if (arg > (len - *pos) / 2)
			return -1;
		for (uint64_t i = 0; i < 2 * arg; i++)
			if (cbor_scan(buf, len, pos, depth + 1, items) < 0)
				return -1;
		return 0;
	case 6:			/* tag: one item follows */
		return cbor_scan(buf, len, pos, depth + 1, items);
	default:		/* simple values and floats: the head was all */
		return 0;
	}
}

/*
 * The length of the one CBOR item at the start of buf[0..len) (the rest
 * may follow it), or 0 if there is none well formed.
 */
static size_t cbor_item_len(const unsigned char *buf, size_t len)
{
	size_t pos = 0, items = 0;

	if (cbor_scan(buf, len, &pos, 0, &items) < 0)
		return 0;
	return pos;
}

/* Exactly the `len` bytes as one CBOR item, or NULL. */
static cbor_item_t *cbor_exact(const unsigned char *buf, size_t len)
{
	struct cbor_load_result res;
	cbor_item_t *item;

	if (len == 0 || cbor_item_len(buf, len) != len)
		return NULL;
	item = cbor_load(buf, len, &res);
	if (item && (res.error.code != CBOR_ERR_NONE || res.read != len))
		cbor_decref(&item);
	return item;
}

/* A CBOR integer as int64; -1 if not an integer or out of range. */
static int cbor_int(int64_t *v, const cbor_item_t *it)
{
	uint64_t u;

	if (!cbor_isa_uint((cbor_item_t *)it) && !cbor_isa_negint((cbor_item_t *)it))
		return -1;
	u = cbor_get_int((cbor_item_t *)it);
	if (u > INT64_MAX)
		return -1;
	*v = cbor_isa_uint((cbor_item_t *)it) ? (int64_t)u : -1 - (int64_t)u;
	return 0;
}

static bool cbor_text_is(const cbor_item_t *it, const char *s)
{
	size_t n = strlen(s);

	return cbor_isa_string((cbor_item_t *)it) && cbor_string_is_definite((cbor_item_t *)it) &&
	       cbor_string_length((cbor_item_t *)it) == n &&
	       memcmp(cbor_string_handle((cbor_item_t *)it), s, n) == 0;
}

/* A definite byte string's bytes and length, or NULL. */
static const unsigned char *cbor_bytes(size_t *len, const cbor_item_t *it)
{
	if (!cbor_isa_bytestring((cbor_item_t *)it) || !cbor_bytestring_is_definite((cbor_item_t *)it))
		return NULL;
	*len = cbor_bytestring_length((cbor_item_t *)it);
	return cbor_bytestring_handle((cbor_item_t *)it);
}

/* ---- keys and signatures ------------------------------------------------- */

static EVP_PKEY *ec_key_from_point(const unsigned char *x, const unsigned char *y)
{
	unsigned char point[65];
	char group[] = "prime256v1";
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx = NULL, *check = NULL;
	EVP_PKEY *pkey = NULL;

	point[0] = 0x04;
	memcpy(point + 1, x, 32);
	memcpy(point + 33, y, 32);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point));
	params[2] = OSSL_PARAM_construct_end();
	if (!(ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		goto fail;
	if (!(check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) || EVP_PKEY_public_check(check) != 1)
		goto fail;
	EVP_PKEY_CTX_free(check);
	EVP_PKEY_CTX_free(ctx);
	return pkey;
fail:
	EVP_PKEY_CTX_free(check);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	return NULL;
}

/* Whether `pkey` is the kind of key `alg` names (P-256 for ES256). */
static bool key_fits_alg(EVP_PKEY *pkey, int alg)
{
	char group[32];
	size_t glen = 0;

	if (alg == SV_WEBAUTHN_EDDSA)
		return EVP_PKEY_is_a(pkey, "ED25519");
	if (alg != SV_WEBAUTHN_ES256 || !EVP_PKEY_is_a(pkey, "EC"))
		return false;
	if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &glen) != 1)
		return false;
	return strcmp(group, "prime256v1") == 0;
}

/*
 * Whether `sig` is `pkey`'s signature (alg: ES256 DER ECDSA over SHA-256,
 * or raw Ed25519) over auth_data || SHA-256(client_data_json).  0 if it is,
 * SCRVAULT_EDENIED if not, SCRVAULT_ERROR on allocation failure.
 */
static int signature_check(EVP_PKEY *pkey, int alg, const unsigned char *auth_data, size_t ad_len,
			   const unsigned char *cdj, size_t cdj_len, const unsigned char *sig, size_t sig_len)
{
	EVP_MD_CTX *md = NULL;
	unsigned char *msg = NULL;
	int ok, error = 0;

	if (sig_len == 0 || sig_len > SIG_MAX || (alg == SV_WEBAUTHN_EDDSA && sig_len != 64))
		return denied("the passkey's signature has the wrong length for its algorithm: "
			      "sign in with the passkey again");
	if (!(msg = malloc(ad_len + SV_SHA256_LEN)) || !(md = EVP_MD_CTX_new())) {
		error = out_of_memory();
		goto done;
	}
	memcpy(msg, auth_data, ad_len);
	sv_sha256(msg + ad_len, cdj, cdj_len);
	ok = EVP_DigestVerifyInit(md, NULL, alg == SV_WEBAUTHN_ES256 ? EVP_sha256() : NULL, NULL, pkey) == 1 &&
	     EVP_DigestVerify(md, sig, sig_len, msg, ad_len + SV_SHA256_LEN) == 1;
	if (!ok)
		error = denied("the passkey's signature does not verify: the response was altered or "
			       "signed by another key");
done:
	EVP_MD_CTX_free(md);
	free(msg);
	return error;
}

/* ---- the COSE public key ------------------------------------------------- */

/*
 * The credential public key (a COSE_Key map) as an EVP_PKEY into *out and
 * its algorithm into *alg: EC2 P-256 with ES256, or OKP Ed25519 with EdDSA,
 * every label once; anything else refused.
 */
static int cose_key_parse(EVP_PKEY **out, int *alg, const unsigned char *buf, size_t len)
{
	const cbor_item_t *kty = NULL, *calg = NULL, *crv = NULL, *x = NULL, *y = NULL;
	const unsigned char *xb = NULL, *yb = NULL;
	cbor_item_t *map = cbor_exact(buf, len);
	struct cbor_pair *pairs;
	int64_t vkty, valg, vcrv;
	size_t xlen = 0, ylen = 0;
	int error;

	*out = NULL;
	if (!map || !cbor_isa_map(map) || !cbor_map_is_definite(map)) {
		error = denied("the passkey's public key is not a COSE key map: register the passkey again");
		goto done;
	}
	pairs = cbor_map_handle(map);
	for (size_t i = 0; i < cbor_map_size(map); i++) {
		const cbor_item_t **slot = NULL;
		int64_t label;

		if (cbor_int(&label, pairs[i].key) < 0)
			continue;	/* text labels: none we use */
		slot = label == 1 ? &kty : label == 3 ? &calg : label == -1 ? &crv :
		       label == -2 ? &x : label == -3 ? &y : NULL;
		if (!slot)
			continue;
		if (*slot) {
			error = denied("the passkey's public key repeats a COSE label: register the passkey again");
			goto done;
		}
		*slot = pairs[i].value;
	}
	if (!kty || !calg || !crv || cbor_int(&vkty, kty) < 0 || cbor_int(&valg, calg) < 0 ||
	    cbor_int(&vcrv, crv) < 0 || !x || !(xb = cbor_bytes(&xlen, x)) || xlen != 32) {
		error = denied("the passkey's public key lacks its type, algorithm, curve or coordinates: "
			       "register the passkey again");
		goto done;
	}
	if (vkty == COSE_KTY_EC2 && valg == SV_WEBAUTHN_ES256 && vcrv == COSE_CRV_P256) {
		if (!y || !(yb = cbor_bytes(&ylen, y)) || ylen != 32) {
			error = denied("the passkey's P-256 key lacks its 32-byte y coordinate: "
				       "register the passkey again");
			goto done;
		}
		if (!(*out = ec_key_from_point(xb, yb))) {
			error = denied("the passkey's P-256 key is not a point on the curve: "
				       "register the passkey again");
			goto done;
		}
	} else if (vkty == COSE_KTY_OKP && valg == SV_WEBAUTHN_EDDSA && vcrv == COSE_CRV_ED25519 && !y) {
		if (!(*out = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, xb, 32))) {
			error = denied("the passkey's Ed25519 key is not valid: register the passkey again");
			goto done;
		}
	} else {
		error = denied("the passkey's key type, algorithm and curve are not one of EC2 P-256 with "
			       "ES256 (-7) or OKP Ed25519 with EdDSA (-8): use a passkey that offers one of them");
		goto done;
	}
	*alg = (int)valg;
	error = 0;
done:
	if (map)
		cbor_decref(&map);
	return error;
}

/* ---- authenticator data -------------------------------------------------- */

typedef struct {
	uint8_t flags;
	uint32_t count;
	const unsigned char *aaguid;	/* registration only */
	const unsigned char *cred_id;
	size_t cred_id_len;
	const unsigned char *cose;
	size_t cose_len;
} auth_data;

/*
 * Split authenticator data and check what the server expects of it: the
 * relying party, UP, UV if required, BS only with BE, AT in a registration
 * and not in an assertion, extensions (ED) a well-formed map, nothing after.
 */
static int auth_data_parse(auth_data *ad, const sv_webauthn_expect *e, bool registration,
			   const unsigned char *p, size_t len)
{
	unsigned char rp_hash[SV_SHA256_LEN];
	size_t pos = AD_FIXED_LEN;

	memset(ad, 0, sizeof(*ad));
	if (len < AD_FIXED_LEN || len > AD_MAX)
		return denied("the passkey's authenticator data is truncated or too long: "
			      "try the passkey again");
	sv_sha256(rp_hash, e->rp_id, strlen(e->rp_id));
	if (CRYPTO_memcmp(rp_hash, p, SV_SHA256_LEN) != 0)
		return sv_error(SCRVAULT_EDENIED, "the passkey answered for another relying party "
				"(not '%s'): use a passkey registered for this site", e->rp_id);
	ad->flags = p[32];
	ad->count = (uint32_t)p[33] << 24 | (uint32_t)p[34] << 16 | (uint32_t)p[35] << 8 | p[36];
	if (!(ad->flags & FLAG_UP))
		return denied("the passkey did not confirm a person was present (UP flag unset): "
			      "touch the passkey when asked");
	if (e->require_uv && !(ad->flags & FLAG_UV))
		return denied("the passkey did not verify the person (UV flag unset): "
			      "unlock the passkey with its PIN or biometric");
	if ((ad->flags & FLAG_BS) && !(ad->flags & FLAG_BE))
		return denied("the passkey claims to be backed up but not backup-eligible: "
			      "its authenticator data is inconsistent");
	if (registration && !(ad->flags & FLAG_AT))
		return denied("the registration carries no credential (AT flag unset): "
			      "register the passkey again");
	if (!registration && (ad->flags & FLAG_AT))
		return denied("the sign-in carries credential data (AT flag set), which only a "
			      "registration may: try the passkey again");
	if (registration) {
		size_t n;

		if (len - pos < AD_ATTESTED_LEN)
			return denied("the passkey's authenticator data is truncated: register the passkey again");
		ad->aaguid = p + pos;
		ad->cred_id_len = (size_t)p[pos + 16] << 8 | p[pos + 17];
		pos += AD_ATTESTED_LEN;
		if (ad->cred_id_len == 0 || ad->cred_id_len > SV_WEBAUTHN_CRED_ID_MAX ||
		    ad->cred_id_len > len - pos)
			return denied("the passkey's credential id is empty, longer than 1023 bytes or "
				      "truncated: register the passkey again");
		ad->cred_id = p + pos;
		pos += ad->cred_id_len;
		if ((n = cbor_item_len(p + pos, len - pos)) == 0)
			return denied("the passkey's public key is not well-formed CBOR: "
				      "register the passkey again");
		ad->cose = p + pos;
		ad->cose_len = n;
		pos += n;
	}
	if (ad->flags & FLAG_ED) {
		size_t n = cbor_item_len(p + pos, len - pos);

		if (n == 0 || (p[pos] >> 5) != 5)
			return denied("the passkey's extensions are not a well-formed CBOR map: "
				      "try the passkey again");
		pos += n;
	}
	if (pos != len)
		return denied("the passkey's authenticator data has bytes after its end: "
			      "try the passkey again");
	return 0;
}

/* ---- client data --------------------------------------------------------- */

/* base64url without padding of `len` bytes; out holds 4 * len / 3 + 4. */
static void b64url(char *out, const unsigned char *in, size_t len)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i, o = 0;

	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		out[o++] = a[v >> 18 & 63];
		out[o++] = a[v >> 12 & 63];
		out[o++] = a[v >> 6 & 63];
		out[o++] = a[v & 63];
	}
	if (len - i == 1) {
		out[o++] = a[in[i] >> 2];
		out[o++] = a[(in[i] & 3) << 4];
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 8 | in[i + 1];

		out[o++] = a[v >> 10 & 63];
		out[o++] = a[v >> 4 & 63];
		out[o++] = a[(v & 15) << 2];
	}
	out[o] = '\0';
}

/* `s` fit to quote in a message: printable ASCII and short, else a stand-in. */
static const char *printable(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (s[n] < 0x20 || s[n] > 0x7e || n >= 200)
			return "(unprintable)";
	return s;
}

/*
 * Check clientDataJSON: a JSON object of `type`, the expected challenge and
 * origin, and crossOrigin absent or false.
 */
static int client_data_check(const sv_webauthn_expect *e, const char *type,
			     const unsigned char *cdj, size_t len)
{
	char want[CHALLENGE_MAX * 4 / 3 + 4];
	const sv_json *cross;
	const char *got_type, *challenge, *origin;
	sv_json *j = NULL;
	int error = SCRVAULT_EDENIED;

	if (!cdj || len == 0 || len > CDJ_MAX)
		return denied("the passkey's client data is empty or longer than 4 KiB: try the passkey again");
	if (sv_json_parse(&j, (const char *)cdj, len, NULL) < 0 || sv_json_type_of(j) != SV_JSON_OBJECT) {
		error = denied("the passkey's client data is not a JSON object: try the passkey again");
		goto done;
	}
	got_type = sv_json_str(sv_json_get(j, "type"));
	if (!got_type || strcmp(got_type, type) != 0) {
		error = sv_error(SCRVAULT_EDENIED, "the passkey's client data is of type '%s', not '%s': "
				 "the response belongs to another step", got_type ? printable(got_type) : "(none)",
				 type);
		goto done;
	}
	b64url(want, e->challenge, e->challenge_len);
	challenge = sv_json_str(sv_json_get(j, "challenge"));
	if (!challenge || strlen(challenge) != strlen(want) ||
	    CRYPTO_memcmp(challenge, want, strlen(want)) != 0) {
		error = denied("the passkey answered another challenge: it is stale or replayed; "
			       "start the sign-in again");
		goto done;
	}
	origin = sv_json_str(sv_json_get(j, "origin"));
	if (!origin || strcmp(origin, e->origin) != 0) {
		error = sv_error(SCRVAULT_EDENIED, "the passkey answered for another site (origin %s): "
				 "open the vault at %s", origin ? printable(origin) : "(none)", e->origin);
		goto done;
	}
	if ((cross = sv_json_get(j, "crossOrigin")) &&
	    (sv_json_type_of(cross) != SV_JSON_BOOL || sv_json_as_bool(cross))) {
		error = denied("the passkey answered inside a frame of another site (crossOrigin): "
			       "open the vault's own page");
		goto done;
	}
	error = 0;
done:
	sv_json_free(j);
	return error;
}

static int expect_check(const sv_webauthn_expect *e)
{
	if (!e || !e->rp_id || !*e->rp_id || !e->origin || !*e->origin || !e->challenge ||
	    e->challenge_len < CHALLENGE_MIN || e->challenge_len > CHALLENGE_MAX)
		return sv_error(SCRVAULT_EUSAGE, "a passkey check needs an rp id, an origin and a "
				"challenge of 16 to 64 bytes");
	return 0;
}

/* ---- attestation --------------------------------------------------------- */

typedef struct {
	const cbor_item_t *fmt, *att_stmt, *auth_data;
} attestation;

/* The attestation object's three members, each once, nothing else. */
static int attestation_split(attestation *a, const cbor_item_t *map)
{
	struct cbor_pair *pairs;

	memset(a, 0, sizeof(*a));
	if (!cbor_isa_map((cbor_item_t *)map) || !cbor_map_is_definite((cbor_item_t *)map))
		return denied("the passkey's attestation object is not a CBOR map: register the passkey again");
	pairs = cbor_map_handle((cbor_item_t *)map);
	for (size_t i = 0; i < cbor_map_size((cbor_item_t *)map); i++) {
		const cbor_item_t **slot = cbor_text_is(pairs[i].key, "fmt") ? &a->fmt :
					   cbor_text_is(pairs[i].key, "attStmt") ? &a->att_stmt :
					   cbor_text_is(pairs[i].key, "authData") ? &a->auth_data : NULL;

		if (!slot || *slot)
			return denied("the passkey's attestation object has an unknown or repeated member: "
				      "register the passkey again");
		*slot = pairs[i].value;
	}
	if (!a->fmt || !a->att_stmt || !a->auth_data || !cbor_isa_string((cbor_item_t *)a->fmt) ||
	    !cbor_isa_map((cbor_item_t *)a->att_stmt))
		return denied("the passkey's attestation object lacks fmt, attStmt or authData: "
			      "register the passkey again");
	return 0;
}

/* "packed" self-attestation: {alg, sig}, alg the key's, sig by the key. */
static int packed_self_check(const cbor_item_t *stmt, EVP_PKEY *pkey, int alg,
			     const unsigned char *ad, size_t ad_len, const unsigned char *cdj, size_t cdj_len)
{
	struct cbor_pair *pairs = cbor_map_handle((cbor_item_t *)stmt);
	const cbor_item_t *salg = NULL, *ssig = NULL;
	const unsigned char *sig;
	size_t sig_len = 0;
	int64_t v;

	for (size_t i = 0; i < cbor_map_size((cbor_item_t *)stmt); i++) {
		const cbor_item_t **slot;

		if (cbor_text_is(pairs[i].key, "x5c") || cbor_text_is(pairs[i].key, "ecdaaKeyId"))
			return denied("the passkey's attestation carries a certificate chain, which the vault "
				      "does not verify: register the passkey with attestation 'none'");
		slot = cbor_text_is(pairs[i].key, "alg") ? &salg : cbor_text_is(pairs[i].key, "sig") ? &ssig : NULL;
		if (!slot || *slot)
			return denied("the passkey's packed attestation has an unknown or repeated member: "
				      "register the passkey again");
		*slot = pairs[i].value;
	}
	if (!salg || !ssig || cbor_int(&v, salg) < 0 || !(sig = cbor_bytes(&sig_len, ssig)))
		return denied("the passkey's packed attestation lacks its alg or sig: register the passkey again");
	if (v != alg)
		return denied("the passkey's packed attestation names another algorithm than its key: "
			      "register the passkey again");
	return signature_check(pkey, alg, ad, ad_len, cdj, cdj_len, sig, sig_len);
}

/* Check the attestation statement of format `fmt`. */
static int attestation_check(const attestation *a, EVP_PKEY *pkey, int alg,
			     const unsigned char *ad, size_t ad_len, const unsigned char *cdj, size_t cdj_len)
{
	if (cbor_text_is(a->fmt, "none")) {
		if (cbor_map_size((cbor_item_t *)a->att_stmt) != 0)
			return denied("the passkey's attestation 'none' carries a statement: "
				      "register the passkey again");
		return 0;
	}
	if (cbor_text_is(a->fmt, "packed"))
		return packed_self_check(a->att_stmt, pkey, alg, ad, ad_len, cdj, cdj_len);
	return denied("the passkey's attestation format is neither 'none' nor 'packed' self-attestation, "
		      "and the vault verifies no attestation chains: register the passkey with attestation 'none'");
}

/* ---- the two ceremonies -------------------------------------------------- */

int sv_webauthn_register(sv_webauthn_credential *out, const sv_webauthn_expect *e,
			 const unsigned char *client_data_json, size_t cdj_len,
			 const unsigned char *attestation_object, size_t ao_len)
{
	cbor_item_t *ao = NULL;
	EVP_PKEY *pkey = NULL;
	unsigned char *der = NULL;
	const unsigned char *adp;
	attestation att;
	auth_data ad;
	size_t ad_len = 0;
	int alg = 0, n, error;

	if (!out)
		return sv_error(SCRVAULT_EUSAGE, "a passkey registration needs somewhere to put the credential");
	memset(out, 0, sizeof(*out));
	if ((error = expect_check(e)) < 0 ||
	    (error = client_data_check(e, "webauthn.create", client_data_json, cdj_len)) < 0)
		return error;
	if (!attestation_object || ao_len == 0 || ao_len > AO_MAX)
		return denied("the passkey's attestation object is empty or longer than 16 KiB: "
			      "register the passkey again");
	if (!(ao = cbor_exact(attestation_object, ao_len))) {
		error = denied("the passkey's attestation object is not one well-formed CBOR item "
			       "(nesting, lengths or bytes after its end): register the passkey again");
		goto done;
	}
	if ((error = attestation_split(&att, ao)) < 0)
		goto done;
	if (!(adp = cbor_bytes(&ad_len, att.auth_data))) {
		error = denied("the passkey's authData is not a byte string: register the passkey again");
		goto done;
	}
	if ((error = auth_data_parse(&ad, e, true, adp, ad_len)) < 0 ||
	    (error = cose_key_parse(&pkey, &alg, ad.cose, ad.cose_len)) < 0 ||
	    (error = attestation_check(&att, pkey, alg, adp, ad_len, client_data_json, cdj_len)) < 0)
		goto done;
	if ((n = i2d_PUBKEY(pkey, &der)) <= 0) {
		error = out_of_memory();
		goto done;
	}
	if (!(out->spki = malloc((size_t)n))) {
		error = out_of_memory();
		goto done;
	}
	memcpy(out->spki, der, (size_t)n);
	out->spki_len = (size_t)n;
	memcpy(out->id, ad.cred_id, ad.cred_id_len);
	out->id_len = ad.cred_id_len;
	out->alg = alg;
	out->sign_count = ad.count;
	out->uv = ad.flags & FLAG_UV;
	out->backup_eligible = ad.flags & FLAG_BE;
	out->backed_up = ad.flags & FLAG_BS;
	memcpy(out->aaguid, ad.aaguid, sizeof(out->aaguid));
	error = 0;
done:
	OPENSSL_free(der);
	EVP_PKEY_free(pkey);
	if (ao)
		cbor_decref(&ao);
	if (error < 0)
		sv_webauthn_credential_clear(out);
	return error;
}

/* The stored key, checked to be of `alg`. */
static int stored_key(EVP_PKEY **out, const unsigned char *spki, size_t spki_len, int alg)
{
	const unsigned char *p = spki;

	*out = NULL;
	if (spki && spki_len > 0 && spki_len < 1024)
		*out = d2i_PUBKEY(NULL, &p, (long)spki_len);
	if (!*out || p != spki + spki_len || !key_fits_alg(*out, alg)) {
		EVP_PKEY_free(*out);
		*out = NULL;
		ERR_clear_error();
		return sv_error(SCRVAULT_EUSAGE, "the stored passkey is not a %s public key: "
				"remove the passkey and register it again",
				alg == SV_WEBAUTHN_ES256 ? "P-256" : alg == SV_WEBAUTHN_EDDSA ? "Ed25519" : "supported");
	}
	return 0;
}

int sv_webauthn_assert(uint32_t *new_count, const sv_webauthn_expect *e,
		       const unsigned char *spki, size_t spki_len, int alg, uint32_t stored_count,
		       const unsigned char *client_data_json, size_t cdj_len,
		       const unsigned char *auth_data_bytes, size_t ad_len,
		       const unsigned char *sig, size_t sig_len)
{
	EVP_PKEY *pkey = NULL;
	auth_data ad;
	int error;

	if (!new_count)
		return sv_error(SCRVAULT_EUSAGE, "a passkey sign-in needs somewhere to put the counter");
	if ((error = expect_check(e)) < 0 || (error = stored_key(&pkey, spki, spki_len, alg)) < 0)
		return error;
	if ((error = client_data_check(e, "webauthn.get", client_data_json, cdj_len)) < 0)
		goto done;
	if (!auth_data_bytes || !sig) {
		error = denied("the passkey's sign-in lacks its authenticator data or signature: "
			       "try the passkey again");
		goto done;
	}
	if ((error = auth_data_parse(&ad, e, false, auth_data_bytes, ad_len)) < 0 ||
	    (error = signature_check(pkey, alg, auth_data_bytes, ad_len, client_data_json, cdj_len,
				     sig, sig_len)) < 0)
		goto done;
	if ((stored_count != 0 || ad.count != 0) && ad.count <= stored_count) {
		error = denied("the passkey's signature counter went back: it may have been cloned; "
			       "remove the passkey and register a new one");
		goto done;
	}
	*new_count = ad.count;
done:
	EVP_PKEY_free(pkey);
	return error;
}

void sv_webauthn_credential_clear(sv_webauthn_credential *c)
{
	if (!c)
		return;
	free(c->spki);
	memset(c, 0, sizeof(*c));
}
