/*
 * fuzz_webauthn.c - libFuzzer target for the passkey verifier
 * (src/lib/crypto/webauthn.c), which reads what a browser sends: the
 * clientDataJSON, the CBOR attestation object with its authenticator data
 * and COSE key, an assertion's authenticator data and signature.
 *
 * The first byte's low two bits choose the mode; bit 2 the stored key of
 * the assertion modes (0 Ed25519, 1 P-256):
 *   0  sv_webauthn_register, the rest the attestation object, with a
 *      clientDataJSON that passes (so the CBOR is reached);
 *   1  sv_webauthn_register, the rest: clientDataJSON's length (2 bytes,
 *      big-endian), clientDataJSON, the attestation object;
 *   2  sv_webauthn_assert, the rest the authenticator data, with a
 *      clientDataJSON that passes and a fixed signature;
 *   3  sv_webauthn_assert, the rest: clientDataJSON's length (2 bytes),
 *      clientDataJSON, authData's length (2 bytes), authData, the signature.
 * Each piece is handed over in a buffer of exactly its size, so a read past
 * it is an ASan report.  The stored keys are fixed (the Ed25519 key of
 * fuzz_keys.h, P-256's generator point), the expected rp id "localhost",
 * origin "https://localhost:8443", challenge 32 bytes of 0x01.  What must
 * never happen: a crash, a sanitizer report, a leak, a hang, a success with
 * an incoherent credential, or a failure that leaves one behind.  Built and
 * run by `make fuzz` (tests/fuzz/README.md); the seeds in
 * corpus/fuzz_webauthn are well-formed registrations ("none" with ES256
 * and Ed25519 keys that pass, "packed" with a bad signature), assertions'
 * authenticator data (with and without extensions) and one assertion
 * signed by the Ed25519 key that passes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "crypto/crypto.h"
#include "crypto/webauthn.h"
#include "fuzz_keys.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char challenge[32];
static unsigned char *spki[2];
static size_t spki_len[2];
static const char CDJ_CREATE[] = "{\"type\":\"webauthn.create\",\"challenge\":"
	"\"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE\",\"origin\":\"https://localhost:8443\"}";
static const char CDJ_GET[] = "{\"type\":\"webauthn.get\",\"challenge\":"
	"\"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE\",\"origin\":\"https://localhost:8443\"}";

static const unsigned char P256_G[65] = {
	0x04,
	0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2,
	0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
	0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16,
	0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5,
};

static void keep_spki(int i, EVP_PKEY *k)
{
	unsigned char *der = NULL;
	int n;

	if (!k || (n = i2d_PUBKEY(k, &der)) <= 0 || !(spki[i] = malloc((size_t)n)))
		abort();
	memcpy(spki[i], der, (size_t)n);
	spki_len[i] = (size_t)n;
	OPENSSL_free(der);
	EVP_PKEY_free(k);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char group[] = "prime256v1";
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *ec = NULL;

	(void)argc;
	(void)argv;
	if (sv_crypto_init() < 0)
		abort();
	memset(challenge, 1, sizeof(challenge));
	keep_spki(0, EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, FUZZ_ED25519, 32));
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)P256_G, sizeof(P256_G));
	params[2] = OSSL_PARAM_construct_end();
	if (!(ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &ec, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		abort();
	EVP_PKEY_CTX_free(ctx);
	keep_spki(1, ec);
	return 0;
}

/* A buffer of exactly the n bytes at p (n may be 0). */
static unsigned char *copy_of(const void *p, size_t n)
{
	unsigned char *b = malloc(n ? n : 1);

	if (!b)
		abort();
	memcpy(b, p, n);
	return b;
}

/* The same of the next n bytes of the input (n <= *left), taken off it. */
static unsigned char *take(const uint8_t **p, size_t *left, size_t n)
{
	unsigned char *b = copy_of(*p, n);

	*p += n;
	*left -= n;
	return b;
}

static size_t take_len(const uint8_t **p, size_t *left)
{
	size_t n;

	if (*left < 2)
		return 0;
	n = (size_t)(*p)[0] << 8 | (*p)[1];
	*p += 2;
	*left -= 2;
	return n < *left ? n : *left;
}

static void fuzz_register(const uint8_t *p, size_t left, bool own_cdj)
{
	sv_webauthn_expect e = { "localhost", "https://localhost:8443", challenge, sizeof(challenge), false };
	sv_webauthn_credential cred;
	size_t cdj_len = own_cdj ? take_len(&p, &left) : sizeof(CDJ_CREATE) - 1;
	unsigned char *cdj = own_cdj ? take(&p, &left, cdj_len) : copy_of(CDJ_CREATE, cdj_len);
	size_t ao_len = left;
	unsigned char *ao = take(&p, &left, ao_len);

	if (sv_webauthn_register(&cred, &e, cdj, cdj_len, ao, ao_len) == 0) {
		if (!cred.spki || cred.spki_len == 0 || cred.id_len == 0 || cred.id_len > SV_WEBAUTHN_CRED_ID_MAX ||
		    (cred.alg != SV_WEBAUTHN_ES256 && cred.alg != SV_WEBAUTHN_EDDSA))
			abort();
	} else if (cred.spki || cred.spki_len) {
		abort();
	}
	sv_webauthn_credential_clear(&cred);
	free(cdj);
	free(ao);
}

static void fuzz_assert(const uint8_t *p, size_t left, bool own_all, int key)
{
	sv_webauthn_expect e = { "localhost", "https://localhost:8443", challenge, sizeof(challenge), true };
	static const unsigned char fixed_sig[64];
	size_t cdj_len = own_all ? take_len(&p, &left) : sizeof(CDJ_GET) - 1;
	unsigned char *cdj = own_all ? take(&p, &left, cdj_len) : copy_of(CDJ_GET, cdj_len);
	size_t ad_len = own_all ? take_len(&p, &left) : left;
	unsigned char *ad = take(&p, &left, ad_len);
	size_t sig_len = own_all ? left : sizeof(fixed_sig);
	unsigned char *sig = own_all ? take(&p, &left, sig_len) : copy_of(fixed_sig, sig_len);
	uint32_t count = 0;

	(void)sv_webauthn_assert(&count, &e, spki[key], spki_len[key],
				 key ? SV_WEBAUTHN_ES256 : SV_WEBAUTHN_EDDSA, 3,
				 cdj, cdj_len, ad, ad_len, sig, sig_len);
	free(cdj);
	free(ad);
	free(sig);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] & 3) {
	case 0: fuzz_register(data + 1, size - 1, false); break;
	case 1: fuzz_register(data + 1, size - 1, true); break;
	case 2: fuzz_assert(data + 1, size - 1, false, data[0] >> 2 & 1); break;
	default: fuzz_assert(data + 1, size - 1, true, data[0] >> 2 & 1); break;
	}
	return 0;
}
