/*
 * test_crypto.c - known answers and attack cases for crypto.c.
 *
 * Known answers come from RFC 5869 (HKDF), RFC 8032 §7.1 (Ed25519),
 * RFC 7748 §6.1 (X25519) and the Debian `argon2` reference CLI.  The blob
 * tests play the attacker: flipped bytes, dropped, appended and swapped
 * chunks, another document's context and another key.
 */
#include <openssl/evp.h>
#include "unit.h"
#include "crypto/kdf.h"
#include "crypto/note.h"

/*
 * Declared here instead of including <openssl/crypto.h> (crypto.c is the
 * only file that includes OpenSSL); the test links with libcrypto anyway.
 */
extern int CRYPTO_secure_allocated(const void *ptr);

/* ---- helpers ------------------------------------------------------------- */

static void unhex(unsigned char *out, size_t len, const char *hex)
{
	assert_int_equal(sv_unhex(out, len, hex), 0);
}

static sv_secret *secret_hex(const char *hex)
{
	unsigned char buf[128];
	size_t len = strlen(hex) / 2;
	sv_secret *s = NULL;

	assert_true(len <= sizeof(buf));
	unhex(buf, len, hex);
	assert_int_equal(sv_secret_from(&s, buf, len), 0);
	return s;
}

static sv_secret *secret_str(const char *str)
{
	sv_secret *s = NULL;

	assert_int_equal(sv_secret_from(&s, str, strlen(str)), 0);
	return s;
}

static void assert_hex(const unsigned char *got, size_t len, const char *want)
{
	char hex[2 * 256 + 1];

	assert_true(len <= 256);
	sv_hex(hex, got, len);
	assert_string_equal(hex, want);
}

static void pattern(unsigned char *p, size_t len, unsigned seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 131 + seed + (i >> 8) * 7);
}

/* ---- secrets, hashing ---------------------------------------------------- */

static void test_init_idempotent(void **state)
{
	(void)state;
	assert_int_equal(sv_crypto_init(), 0);
	assert_int_equal(sv_crypto_init(), 0);
}

/*
 * The full set-up (every command but intake seal and open) keeps what
 * sv_crypto_init_lean leaves out: OpenSSL's legacy name tables, where its
 * X.509 verification (a mirror over https) looks digests up by name.
 */
static void test_init_keeps_legacy_names(void **state)
{
	(void)state;
	assert_non_null(EVP_get_digestbyname("SHA256"));
	assert_non_null(EVP_get_cipherbyname("AES-256-GCM"));
}

static void test_secret_memory(void **state)
{
	sv_secret *a = NULL, *b = NULL, *z = NULL, *c = NULL;
	unsigned char zero[48] = { 0 };
	(void)state;

	assert_int_equal(sv_secret_new(&z, 48), 0);
	assert_int_equal(sv_secret_len(z), 48);
	assert_memory_equal(sv_secret_data(z), zero, 48);
	assert_true(CRYPTO_secure_allocated(sv_secret_data(z)));

	assert_int_equal(sv_secret_random(&a, 32), 0);
	assert_int_equal(sv_secret_random(&b, 32), 0);
	assert_true(CRYPTO_secure_allocated(sv_secret_data(a)));
	assert_int_not_equal(sv_memcmp_ct(sv_secret_data(a), sv_secret_data(b), 32), 0);
	assert_int_not_equal(sv_memcmp_ct(sv_secret_data(a), zero, 32), 0);

	assert_int_equal(sv_secret_from(&c, "hello", 5), 0);
	assert_int_equal(sv_secret_len(c), 5);
	assert_memory_equal(sv_secret_data(c), "hello", 5);
	assert_true(CRYPTO_secure_allocated(sv_secret_data(c)));
	assert_int_equal(sv_memcmp_ct("abc", "abc", 3), 0);
	assert_int_not_equal(sv_memcmp_ct("abc", "abd", 3), 0);

	sv_secret_free(a);
	sv_secret_free(b);
	sv_secret_free(c);
	sv_secret_free(z);
	sv_secret_free(NULL);
}

static void test_random(void **state)
{
	unsigned char a[32] = { 0 }, b[32] = { 0 }, zero[32] = { 0 };
	(void)state;

	assert_int_equal(sv_random(a, sizeof(a)), 0);
	assert_int_equal(sv_random(b, sizeof(b)), 0);
	assert_memory_not_equal(a, zero, 32);
	assert_memory_not_equal(a, b, 32);
}

static void test_sha256(void **state)
{
	unsigned char out[SV_SHA256_LEN], out2[SV_SHA256_LEN];
	sv_sha256_ctx *c = NULL;
	(void)state;

	sv_sha256(out, "abc", 3);
	assert_hex(out, sizeof(out),
		   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sv_sha256(out, NULL, 0);
	assert_hex(out, sizeof(out),
		   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

	assert_int_equal(sv_sha256_new(&c), 0);
	assert_int_equal(sv_sha256_update(c, "a", 1), 0);
	assert_int_equal(sv_sha256_update(c, NULL, 0), 0);
	assert_int_equal(sv_sha256_update(c, "bc", 2), 0);
	assert_int_equal(sv_sha256_final(c, out2), 0);
	sv_sha256_free(c);
	sv_sha256(out, "abc", 3);
	assert_memory_equal(out, out2, SV_SHA256_LEN);
	sv_sha256_free(NULL);
}

/* FIPS 180 examples: "abc", the empty string, and the two-block message. */
static void test_sha1(void **state)
{
	static const char two[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	unsigned char out[SV_SHA1_LEN], out2[SV_SHA1_LEN];
	sv_sha1_ctx *c = NULL;
	size_t i;
	(void)state;

	assert_int_equal(sv_sha1_new(&c), 0);
	assert_int_equal(sv_sha1_update(c, "abc", 3), 0);
	assert_int_equal(sv_sha1_final(c, out), 0);
	sv_sha1_free(c);
	assert_hex(out, sizeof(out), "a9993e364706816aba3e25717850c26c9cd0d89d");

	assert_int_equal(sv_sha1_new(&c), 0);
	assert_int_equal(sv_sha1_update(c, NULL, 0), 0);
	assert_int_equal(sv_sha1_final(c, out), 0);
	sv_sha1_free(c);
	assert_hex(out, sizeof(out), "da39a3ee5e6b4b0d3255bfef95601890afd80709");

	/* split anywhere, the same digest */
	for (i = 0; i <= strlen(two); i += 5) {
		assert_int_equal(sv_sha1_new(&c), 0);
		assert_int_equal(sv_sha1_update(c, two, i), 0);
		assert_int_equal(sv_sha1_update(c, two + i, strlen(two) - i), 0);
		assert_int_equal(sv_sha1_final(c, out2), 0);
		sv_sha1_free(c);
		assert_hex(out2, sizeof(out2), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	}

	/* a git blob id: "blob 6\0hello\n" */
	assert_int_equal(sv_sha1_new(&c), 0);
	assert_int_equal(sv_sha1_update(c, "blob 6", 7), 0);
	assert_int_equal(sv_sha1_update(c, "hello\n", 6), 0);
	assert_int_equal(sv_sha1_final(c, out), 0);
	sv_sha1_free(c);
	assert_hex(out, sizeof(out), "ce013625030ba8dba906f756967f9e9ca394464a");
	sv_sha1_free(NULL);
}

/* ---- HKDF (RFC 5869 appendix A) ----------------------------------------- */

static void test_hkdf_rfc5869_case1(void **state)
{
	unsigned char salt[13], info[10];
	sv_secret *ikm = secret_hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
	sv_secret *okm = NULL;
	(void)state;

	unhex(salt, sizeof(salt), "000102030405060708090a0b0c");
	unhex(info, sizeof(info), "f0f1f2f3f4f5f6f7f8f9");
	assert_int_equal(sv_hkdf(&okm, 42, ikm, salt, sizeof(salt), info, sizeof(info)), 0);
	assert_int_equal(sv_secret_len(okm), 42);
	assert_true(CRYPTO_secure_allocated(sv_secret_data(okm)));
	assert_hex(sv_secret_data(okm), 42,
		   "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
		   "34007208d5b887185865");
	sv_secret_free(okm);
	sv_secret_free(ikm);
}

static void test_hkdf_rfc5869_case3(void **state)
{
	sv_secret *ikm = secret_hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
	sv_secret *okm = NULL;
	(void)state;

	assert_int_equal(sv_hkdf(&okm, 42, ikm, NULL, 0, NULL, 0), 0);
	assert_hex(sv_secret_data(okm), 42,
		   "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
		   "9d201395faa4b61a96c8");
	sv_secret_free(okm);

	/* out of range lengths are usage errors */
	assert_int_equal(sv_hkdf(&okm, 0, ikm, NULL, 0, NULL, 0), SCRVAULT_EUSAGE);
	assert_int_equal(sv_hkdf(&okm, 255 * 32 + 1, ikm, NULL, 0, NULL, 0), SCRVAULT_EUSAGE);
	assert_null(okm);
	sv_secret_free(ikm);
}

/* ---- Ed25519 (RFC 8032 §7.1) -------------------------------------------- */

static void check_ed25519(const char *sk_hex, const char *pk_hex,
			  const char *msg_hex, const char *sig_hex)
{
	unsigned char pub[SV_KEY_LEN], want_pub[SV_KEY_LEN];
	unsigned char sig[SV_SIG_LEN], want_sig[SV_SIG_LEN], msg[16];
	size_t msglen = strlen(msg_hex) / 2;
	sv_secret *sk = secret_hex(sk_hex);

	unhex(want_pub, sizeof(want_pub), pk_hex);
	unhex(want_sig, sizeof(want_sig), sig_hex);
	unhex(msg, msglen, msg_hex);

	assert_int_equal(sv_ed25519_public(pub, sk), 0);
	assert_memory_equal(pub, want_pub, SV_KEY_LEN);
	assert_int_equal(sv_ed25519_sign(sig, sk, msg, msglen), 0);
	assert_memory_equal(sig, want_sig, SV_SIG_LEN);
	assert_int_equal(sv_ed25519_verify(sig, pub, msg, msglen), 0);

	/* a flipped bit in the signature */
	sig[10] ^= 0x01;
	assert_int_equal(sv_ed25519_verify(sig, pub, msg, msglen), SCRVAULT_EINTEGRITY);
	sig[10] ^= 0x01;
	sig[63] ^= 0x80;
	assert_int_equal(sv_ed25519_verify(sig, pub, msg, msglen), SCRVAULT_EINTEGRITY);
	sig[63] ^= 0x80;

	/* a flipped bit in the message (or one byte more for the empty one) */
	if (msglen > 0) {
		msg[0] ^= 0x01;
		assert_int_equal(sv_ed25519_verify(sig, pub, msg, msglen),
				 SCRVAULT_EINTEGRITY);
		msg[0] ^= 0x01;
	} else {
		msg[0] = 0;
		assert_int_equal(sv_ed25519_verify(sig, pub, msg, 1), SCRVAULT_EINTEGRITY);
	}
	/* a flipped bit in the public key */
	pub[0] ^= 0x01;
	assert_int_equal(sv_ed25519_verify(sig, pub, msg, msglen), SCRVAULT_EINTEGRITY);

	sv_secret_free(sk);
}

static void test_ed25519_rfc8032_test1(void **state)
{
	(void)state;
	check_ed25519("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
		      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
		      "",
		      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
		      "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
}

static void test_ed25519_rfc8032_test2(void **state)
{
	(void)state;
	check_ed25519("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
		      "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
		      "72",
		      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
		      "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");
}

static void test_ed25519_keygen(void **state)
{
	unsigned char pub[SV_KEY_LEN], pub2[SV_KEY_LEN], sig[SV_SIG_LEN];
	sv_secret *sk = NULL, *bad = NULL;
	(void)state;

	assert_int_equal(sv_ed25519_keygen(&sk, pub), 0);
	assert_int_equal(sv_secret_len(sk), SV_KEY_LEN);
	assert_true(CRYPTO_secure_allocated(sv_secret_data(sk)));
	assert_int_equal(sv_ed25519_public(pub2, sk), 0);
	assert_memory_equal(pub, pub2, SV_KEY_LEN);
	assert_int_equal(sv_ed25519_sign(sig, sk, "doc", 3), 0);
	assert_int_equal(sv_ed25519_verify(sig, pub, "doc", 3), 0);
	assert_int_equal(sv_ed25519_verify(sig, pub, "dog", 3), SCRVAULT_EINTEGRITY);

	assert_int_equal(sv_secret_new(&bad, 31), 0);
	assert_int_equal(sv_ed25519_sign(sig, bad, "doc", 3), SCRVAULT_EUSAGE);
	sv_secret_free(bad);
	sv_secret_free(sk);
}

/* A signed note that is not a checkpoint (an export's statement) verifies as
 * a note, is never taken for a checkpoint, and fails once its body changes. */
static void test_note_not_checkpoint(void **state)
{
	static const char name[] = "scrvault.local/0123456789abcdef0123456789abcdef";
	unsigned char pub[SV_KEY_LEN];
	sv_secret *sk = NULL;
	sv_checkpoint cp;
	char *note = NULL;
	size_t bodylen = 0;
	(void)state;

	assert_int_equal(sv_ed25519_keygen(&sk, pub), 0);
	assert_int_equal(sv_note_sign(&note, "scrvault-audit-export/v2\nentries 3\n", name, sk), 0);
	assert_int_equal(sv_note_open(&bodylen, note, strlen(note), name, pub), 0);
	assert_int_equal(bodylen, strlen("scrvault-audit-export/v2\nentries 3\n"));
	assert_int_equal(sv_checkpoint_open(&cp, note, strlen(note), name, pub), SCRVAULT_EINTEGRITY);
	note[strlen("scrvault-audit-export/v2\nentries ")] = '4';
	assert_int_equal(sv_note_open(&bodylen, note, strlen(note), name, pub), SCRVAULT_EINTEGRITY);
	free(note);
	/* A body with a blank line could hide a second body: refused. */
	assert_true(sv_note_sign(&note, "a\n\nb\n", name, sk) < 0);
	assert_null(note);
	sv_secret_free(sk);
}

/* ---- X25519 (RFC 7748 §6.1) --------------------------------------------- */

static void test_x25519_rfc7748(void **state)
{
	sv_secret *a = secret_hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	sv_secret *b = secret_hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
	sv_secret *k1 = NULL, *k2 = NULL;
	unsigned char apub[SV_KEY_LEN], bpub[SV_KEY_LEN];
	static const char shared[] =
		"4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
	(void)state;

	assert_int_equal(sv_x25519_public(apub, a), 0);
	assert_hex(apub, SV_KEY_LEN,
		   "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	assert_int_equal(sv_x25519_public(bpub, b), 0);
	assert_hex(bpub, SV_KEY_LEN,
		   "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");

	assert_int_equal(sv_x25519(&k1, a, bpub), 0);
	assert_int_equal(sv_x25519(&k2, b, apub), 0);
	assert_hex(sv_secret_data(k1), SV_KEY_LEN, shared);
	assert_hex(sv_secret_data(k2), SV_KEY_LEN, shared);
	assert_true(CRYPTO_secure_allocated(sv_secret_data(k1)));

	sv_secret_free(k1);
	sv_secret_free(k2);
	sv_secret_free(a);
	sv_secret_free(b);
}

static void test_x25519_low_order(void **state)
{
	/* points of order 1, 2, 4 and 8 and their non-canonical encodings */
	static const char *low[] = {
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"0000000000000000000000000000000000000000000000000000000000000080",
	};
	unsigned char pub[SV_KEY_LEN], wrapped[SV_WRAP_LEN(32)];
	sv_secret *priv = NULL, *k = NULL, *dek = NULL;
	size_t i;
	(void)state;

	assert_int_equal(sv_x25519_keygen(&priv, pub), 0);
	assert_int_equal(sv_secret_random(&dek, 32), 0);
	for (i = 0; i < SV_ARRAY_SIZE(low); i++) {
		unhex(pub, SV_KEY_LEN, low[i]);
		assert_int_equal(sv_x25519(&k, priv, pub), SCRVAULT_EINTEGRITY);
		assert_null(k);
		assert_int_equal(sv_wrap_to(wrapped, pub, dek, "t", NULL, 0),
				 SCRVAULT_EINTEGRITY);
	}
	sv_secret_free(dek);
	sv_secret_free(priv);
}

static void test_x25519_keygen(void **state)
{
	unsigned char apub[SV_KEY_LEN], bpub[SV_KEY_LEN], pub2[SV_KEY_LEN];
	sv_secret *a = NULL, *b = NULL, *k1 = NULL, *k2 = NULL;
	(void)state;

	assert_int_equal(sv_x25519_keygen(&a, apub), 0);
	assert_int_equal(sv_x25519_keygen(&b, bpub), 0);
	assert_memory_not_equal(apub, bpub, SV_KEY_LEN);
	assert_int_equal(sv_x25519_public(pub2, a), 0);
	assert_memory_equal(apub, pub2, SV_KEY_LEN);
	assert_int_equal(sv_x25519(&k1, a, bpub), 0);
	assert_int_equal(sv_x25519(&k2, b, apub), 0);
	assert_memory_equal(sv_secret_data(k1), sv_secret_data(k2), SV_KEY_LEN);
	sv_secret_free(k1);
	sv_secret_free(k2);
	sv_secret_free(a);
	sv_secret_free(b);
}

/* ---- seal / open --------------------------------------------------------- */

static void test_seal_open(void **state)
{
	static const char aad[] = "vault:case-1:doc-7";
	unsigned char plain[32], sealed[SV_SEALED_LEN(32)], sealed2[SV_SEALED_LEN(32)];
	sv_secret *key = NULL, *key2 = NULL, *out = NULL;
	size_t i;
	(void)state;

	pattern(plain, sizeof(plain), 1);
	assert_int_equal(sv_secret_random(&key, SV_KEY_LEN), 0);
	assert_int_equal(sv_secret_random(&key2, SV_KEY_LEN), 0);
	assert_int_equal(sv_seal(sealed, key, plain, sizeof(plain), aad, strlen(aad)), 0);
	assert_memory_not_equal(sealed + SV_GCM_NONCE_LEN, plain, sizeof(plain));

	assert_int_equal(sv_open(&out, key, sealed, sizeof(sealed), aad, strlen(aad)), 0);
	assert_int_equal(sv_secret_len(out), sizeof(plain));
	assert_memory_equal(sv_secret_data(out), plain, sizeof(plain));
	assert_true(CRYPTO_secure_allocated(sv_secret_data(out)));
	sv_secret_free(out);
	out = NULL;

	/* fresh nonce every time */
	assert_int_equal(sv_seal(sealed2, key, plain, sizeof(plain), aad, strlen(aad)), 0);
	assert_memory_not_equal(sealed, sealed2, SV_GCM_NONCE_LEN);

	/* wrong key, wrong aad, no aad */
	assert_int_equal(sv_open(&out, key2, sealed, sizeof(sealed), aad, strlen(aad)),
			 SCRVAULT_EINTEGRITY);
	assert_int_equal(sv_open(&out, key, sealed, sizeof(sealed), "vault:case-1:doc-8",
				 strlen(aad)), SCRVAULT_EINTEGRITY);
	assert_int_equal(sv_open(&out, key, sealed, sizeof(sealed), NULL, 0),
			 SCRVAULT_EINTEGRITY);

	/* every single flipped byte */
	for (i = 0; i < sizeof(sealed); i++) {
		sealed[i] ^= 0x20;
		assert_int_equal(sv_open(&out, key, sealed, sizeof(sealed), aad, strlen(aad)),
				 SCRVAULT_EINTEGRITY);
		sealed[i] ^= 0x20;
	}

	/* truncated, by one byte and below the minimum */
	assert_int_equal(sv_open(&out, key, sealed, sizeof(sealed) - 1, aad, strlen(aad)),
			 SCRVAULT_EINTEGRITY);
	assert_int_equal(sv_open(&out, key, sealed, SV_SEALED_LEN(0) - 1, aad, strlen(aad)),
			 SCRVAULT_EINTEGRITY);
	assert_null(out);

	sv_secret_free(key);
	sv_secret_free(key2);
}

static void test_seal_empty(void **state)
{
	unsigned char sealed[SV_SEALED_LEN(0)];
	sv_secret *key = NULL, *out = NULL, *shortkey = NULL;
	(void)state;

	assert_int_equal(sv_secret_random(&key, SV_KEY_LEN), 0);
	assert_int_equal(sv_seal(sealed, key, NULL, 0, NULL, 0), 0);
	assert_int_equal(sv_open(&out, key, sealed, sizeof(sealed), NULL, 0), 0);
	assert_int_equal(sv_secret_len(out), 0);
	sv_secret_free(out);
	out = NULL;
	sealed[SV_GCM_NONCE_LEN] ^= 1;
	assert_int_equal(sv_open(&out, key, sealed, sizeof(sealed), NULL, 0),
			 SCRVAULT_EINTEGRITY);

	assert_int_equal(sv_secret_random(&shortkey, 16), 0);
	assert_int_equal(sv_seal(sealed, shortkey, NULL, 0, NULL, 0), SCRVAULT_EUSAGE);
	sv_secret_free(shortkey);
	sv_secret_free(key);
}

/* ---- wrap_to / unwrap_with ---------------------------------------------- */

static void test_wrap_unwrap(void **state)
{
	static const char aad[] = "case-42";
	unsigned char apub[SV_KEY_LEN], bpub[SV_KEY_LEN];
	unsigned char w[SV_WRAP_LEN(32)], w2[SV_WRAP_LEN(32)];
	sv_secret *a = NULL, *b = NULL, *dek = NULL, *out = NULL;
	size_t i;
	(void)state;

	assert_int_equal(sv_x25519_keygen(&a, apub), 0);
	assert_int_equal(sv_x25519_keygen(&b, bpub), 0);
	assert_int_equal(sv_secret_random(&dek, 32), 0);

	assert_int_equal(sv_wrap_to(w, apub, dek, "scrvault dek", aad, strlen(aad)), 0);
	assert_int_equal(sv_unwrap_with(&out, a, w, sizeof(w), "scrvault dek",
					aad, strlen(aad)), 0);
	assert_int_equal(sv_secret_len(out), 32);
	assert_memory_equal(sv_secret_data(out), sv_secret_data(dek), 32);
	sv_secret_free(out);
	out = NULL;

	/*
	 * The documented layout, rebuilt from the primitives: eph_pub || sealed
	 * under HKDF(X25519(a, eph_pub), salt = eph_pub || apub, info = label).
	 */
	{
		unsigned char salt[2 * SV_KEY_LEN];
		sv_secret *shared = NULL, *wk = NULL;

		memcpy(salt, w, SV_KEY_LEN);
		memcpy(salt + SV_KEY_LEN, apub, SV_KEY_LEN);
		assert_int_equal(sv_x25519(&shared, a, w), 0);
		assert_int_equal(sv_hkdf(&wk, 32, shared, salt, sizeof(salt),
					 "scrvault dek", 12), 0);
		assert_int_equal(sv_open(&out, wk, w + SV_KEY_LEN, sizeof(w) - SV_KEY_LEN,
					 aad, strlen(aad)), 0);
		assert_memory_equal(sv_secret_data(out), sv_secret_data(dek), 32);
		sv_secret_free(out);
		sv_secret_free(wk);
		sv_secret_free(shared);
		out = NULL;
	}

	/* a fresh ephemeral key every time */
	assert_int_equal(sv_wrap_to(w2, apub, dek, "scrvault dek", aad, strlen(aad)), 0);
	assert_memory_not_equal(w, w2, SV_KEY_LEN);

	/* another recipient's key, another label, another aad */
	assert_int_equal(sv_unwrap_with(&out, b, w, sizeof(w), "scrvault dek",
					aad, strlen(aad)), SCRVAULT_EINTEGRITY);
	assert_non_null(strstr(scrvault_error_message(), "cannot unwrap"));
	assert_int_equal(sv_unwrap_with(&out, a, w, sizeof(w), "scrvault kek",
					aad, strlen(aad)), SCRVAULT_EINTEGRITY);
	assert_int_equal(sv_unwrap_with(&out, a, w, sizeof(w), "scrvault dek",
					"case-43", 7), SCRVAULT_EINTEGRITY);

	/* damage anywhere, truncation */
	for (i = 0; i < sizeof(w); i++) {
		w[i] ^= 0x04;
		assert_int_equal(sv_unwrap_with(&out, a, w, sizeof(w), "scrvault dek",
						aad, strlen(aad)), SCRVAULT_EINTEGRITY);
		w[i] ^= 0x04;
	}
	assert_int_equal(sv_unwrap_with(&out, a, w, sizeof(w) - 1, "scrvault dek",
					aad, strlen(aad)), SCRVAULT_EINTEGRITY);
	assert_int_equal(sv_unwrap_with(&out, a, w, 10, "scrvault dek",
					aad, strlen(aad)), SCRVAULT_EINTEGRITY);
	assert_null(out);

	sv_secret_free(dek);
	sv_secret_free(a);
	sv_secret_free(b);
}

/* ---- argon2id ------------------------------------------------------------ */

static void test_argon2id_known_answer(void **state)
{
	/* echo -n password | argon2 somesalt -id -t 2 -m 13 -p 1 -l 32 -r */
	sv_argon2_params p = { 2, 8192, 1 };
	sv_secret *pw = secret_str("password"), *k = NULL;
	(void)state;

	assert_int_equal(sv_argon2id(&k, pw, (const unsigned char *)"somesalt", 8, &p), 0);
	assert_int_equal(sv_secret_len(k), 32);
	assert_true(CRYPTO_secure_allocated(sv_secret_data(k)));
	assert_hex(sv_secret_data(k), 32,
		   "a50ec845f90cb14c461a8f910b220f0cb6db9cddd3e58bdc4a3b7cab5d580d42");
	sv_secret_free(k);
	sv_secret_free(pw);
}

static void test_argon2id_inputs(void **state)
{
	sv_argon2_params p = { 1, SV_ARGON2_MIN_KIB, 1 }, bad;
	const unsigned char *salt1 = (const unsigned char *)"0123456789abcdef";
	const unsigned char *salt2 = (const unsigned char *)"0123456789abcdeF";
	sv_secret *pw = secret_str("correct horse"), *pw2 = secret_str("correct horsf");
	sv_secret *k1 = NULL, *k2 = NULL, *k3 = NULL, *k4 = NULL;
	(void)state;

	assert_int_equal(sv_argon2id(&k1, pw, salt1, 16, &p), 0);
	assert_int_equal(sv_argon2id(&k2, pw, salt1, 16, &p), 0);
	assert_int_equal(sv_argon2id(&k3, pw, salt2, 16, &p), 0);
	assert_int_equal(sv_argon2id(&k4, pw2, salt1, 16, &p), 0);
	assert_memory_equal(sv_secret_data(k1), sv_secret_data(k2), 32);
	assert_memory_not_equal(sv_secret_data(k1), sv_secret_data(k3), 32);
	assert_memory_not_equal(sv_secret_data(k1), sv_secret_data(k4), 32);
	sv_secret_free(k1);
	sv_secret_free(k2);
	sv_secret_free(k3);
	sv_secret_free(k4);
	k1 = NULL;

	bad = p;
	bad.m_cost_kib = SV_ARGON2_MIN_KIB - 1;
	assert_int_equal(sv_argon2id(&k1, pw, salt1, 16, &bad), SCRVAULT_EUSAGE);
	bad.m_cost_kib = 4u * 1024 * 1024 + 1;
	assert_int_equal(sv_argon2id(&k1, pw, salt1, 16, &bad), SCRVAULT_EUSAGE);
	bad = p;
	bad.t_cost = 0;
	assert_int_equal(sv_argon2id(&k1, pw, salt1, 16, &bad), SCRVAULT_EUSAGE);
	bad.t_cost = 101;
	assert_int_equal(sv_argon2id(&k1, pw, salt1, 16, &bad), SCRVAULT_EUSAGE);
	bad = p;
	bad.parallelism = 0;
	assert_int_equal(sv_argon2id(&k1, pw, salt1, 16, &bad), SCRVAULT_EUSAGE);
	assert_int_equal(sv_argon2id(&k1, pw, salt1, 4, &p), SCRVAULT_EUSAGE);
	assert_int_equal(sv_argon2id(&k1, pw, salt1, 16, NULL), SCRVAULT_EUSAGE);
	assert_null(k1);

	sv_secret_free(pw);
	sv_secret_free(pw2);
}

/* ---- base64 -------------------------------------------------------------- */

static void test_base64(void **state)
{
	static const char *bad[] = {
		"Zg=", "Zh==", "Zg", "Zm9=", "Zm9v\n", " Zm9v", "Zm 9v", "Zm9v\t",
		"Zg==Zg==", "Z===", "====", "Zm9v=", "Zm-v", "Zm_v", "Zg=A", "=Zg=",
	};
	static const struct { const char *plain, *b64; } good[] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	unsigned char bin[300], *out = NULL;
	size_t outlen = 99, i;
	char *enc;
	(void)state;

	for (i = 0; i < SV_ARRAY_SIZE(good); i++) {
		enc = sv_base64((const unsigned char *)good[i].plain, strlen(good[i].plain));
		assert_non_null(enc);
		assert_string_equal(enc, good[i].b64);
		free(enc);
		assert_int_equal(sv_unbase64(&out, &outlen, good[i].b64), 0);
		assert_int_equal(outlen, strlen(good[i].plain));
		assert_memory_equal(out, good[i].plain, outlen);
		free(out);
	}

	for (i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)i;
	for (i = 0; i <= sizeof(bin); i += 1) {
		enc = sv_base64(bin, i);
		assert_non_null(enc);
		assert_int_equal(strlen(enc), (i + 2) / 3 * 4);
		assert_int_equal(sv_unbase64(&out, &outlen, enc), 0);
		assert_int_equal(outlen, i);
		assert_memory_equal(out, bin, i);
		free(out);
		free(enc);
	}

	for (i = 0; i < SV_ARRAY_SIZE(bad); i++) {
		out = NULL;
		outlen = 99;
		assert_int_equal(sv_unbase64(&out, &outlen, bad[i]), -1);
		assert_null(out);
	}
}

/* ---- blob stream --------------------------------------------------------- */

static const char ctx_a[] = "doc-00000001:v3";
static const char ctx_b[] = "doc-00000002:v3";

/* Encrypt `plain` through the chunk API into a new buffer of *outlen bytes. */
static unsigned char *blob_encrypt(const sv_secret *dek, const char *ctx,
				   const unsigned char *plain, size_t len, size_t *outlen)
{
	size_t total = (size_t)sv_blob_size(len), off = 0, pos = SV_BLOB_HEADER_LEN;
	unsigned char *out = malloc(total);
	sv_blob_enc *e = NULL;

	assert_non_null(out);
	assert_int_equal(sv_blob_enc_new(&e, out, dek, ctx, strlen(ctx)), 0);
	assert_memory_equal(out, "SCRVBLOB\x01\x01\x10\x00", SV_BLOB_HEADER_LEN);
	do {
		size_t n = len - off > SV_BLOB_CHUNK ? SV_BLOB_CHUNK : len - off;
		bool last = off + n == len;

		assert_true(pos + n + SV_GCM_TAG_LEN <= total);
		assert_int_equal(sv_blob_enc_chunk(e, out + pos, plain + off, n, last), 0);
		off += n;
		pos += n + SV_GCM_TAG_LEN;
	} while (off < len);
	/* nothing more is accepted after the last chunk */
	assert_int_equal(sv_blob_enc_chunk(e, out, plain, 0, true), SCRVAULT_EUSAGE);
	sv_blob_enc_free(e);
	assert_int_equal(pos, total);
	*outlen = pos;
	return out;
}

/*
 * Decrypt a whole blob the way a reader does: chunk boundaries follow from
 * the total length, the final piece is the last chunk.  Returns 0 or the
 * first error; *plain is malloc'd.
 */
static int blob_decrypt(const sv_secret *dek, const char *ctx,
			const unsigned char *blob, size_t len,
			unsigned char **plain, size_t *plainlen)
{
	size_t pos = SV_BLOB_HEADER_LEN, w = 0;
	unsigned char *out = malloc(len + 1);
	sv_blob_dec *d = NULL;
	int error;

	assert_non_null(out);
	*plain = NULL;
	if (len < SV_BLOB_HEADER_LEN) {
		error = SCRVAULT_EINTEGRITY;
		goto done;
	}
	if ((error = sv_blob_dec_new(&d, blob, dek, ctx, strlen(ctx))) < 0)
		goto done;
	do {
		size_t rest = len - pos;
		size_t n = rest > SV_BLOB_CHUNK + SV_GCM_TAG_LEN ?
			SV_BLOB_CHUNK + SV_GCM_TAG_LEN : rest;
		bool last = pos + n == len;

		if ((error = sv_blob_dec_chunk(d, out + w, blob + pos, n, last)) < 0)
			goto done;
		pos += n;
		w += n - SV_GCM_TAG_LEN;
	} while (pos < len);
	*plain = out;
	*plainlen = w;
	out = NULL;

done:
	free(out);
	sv_blob_dec_free(d);
	return error;
}

static void blob_round_trip(size_t len)
{
	unsigned char *plain = malloc(len + 1), *blob, *back = NULL;
	size_t bloblen = 0, backlen = 0;
	sv_secret *dek = NULL;

	assert_non_null(plain);
	pattern(plain, len, (unsigned)len);
	assert_int_equal(sv_secret_random(&dek, SV_KEY_LEN), 0);
	blob = blob_encrypt(dek, ctx_a, plain, len, &bloblen);
	assert_int_equal(bloblen, sv_blob_size(len));
	assert_int_equal(bloblen, SV_BLOB_HEADER_LEN + len +
			 SV_GCM_TAG_LEN * (len ? (len + SV_BLOB_CHUNK - 1) / SV_BLOB_CHUNK : 1));
	assert_int_equal(blob_decrypt(dek, ctx_a, blob, bloblen, &back, &backlen), 0);
	assert_int_equal(backlen, len);
	assert_memory_equal(back, plain, len);
	free(back);
	free(blob);
	free(plain);
	sv_secret_free(dek);
}

/*
 * Known answers for the exact byte layout (header, big-endian counter nonce,
 * last flag, aad = header || ctx), computed independently with Python's
 * `cryptography` AESGCM:  key = 00 01 .. 1f, ctx = "doc-00000001:v3",
 * plaintext[i] = i * 7 + 3 (mod 256) for 65539 bytes, and the empty blob.
 */
static void test_blob_known_answer(void **state)
{
	unsigned char key[32], *plain = malloc(65539), *blob, digest[SV_SHA256_LEN];
	unsigned char *back = NULL;
	size_t i, bloblen = 0, backlen = 0;
	sv_secret *dek = NULL;
	(void)state;

	assert_non_null(plain);
	for (i = 0; i < sizeof(key); i++)
		key[i] = (unsigned char)i;
	for (i = 0; i < 65539; i++)
		plain[i] = (unsigned char)(i * 7 + 3);
	assert_int_equal(sv_secret_from(&dek, key, sizeof(key)), 0);

	blob = blob_encrypt(dek, ctx_a, plain, 65539, &bloblen);
	assert_int_equal(bloblen, 65583);
	sv_sha256(digest, blob, bloblen);
	assert_hex(digest, sizeof(digest),
		   "865d27b1a4825ab9682eb5b384e669fb6e07be7ef966e4376c247934f0ef219b");
	assert_hex(blob + bloblen - 19, 19, "6b079185d50ef503e23f2b2727a5e693fcb2c9");
	assert_int_equal(blob_decrypt(dek, ctx_a, blob, bloblen, &back, &backlen), 0);
	assert_int_equal(backlen, 65539);
	assert_memory_equal(back, plain, backlen);
	free(back);
	free(blob);

	blob = blob_encrypt(dek, ctx_a, plain, 0, &bloblen);
	assert_hex(blob, bloblen,
		   "53435256424c4f420101100032810397360807d1c32decd669b7a0b5");
	free(blob);
	free(plain);
	sv_secret_free(dek);
}

static void test_blob_size(void **state)
{
	(void)state;
	assert_int_equal(sv_blob_size(0), 12 + 16);
	assert_int_equal(sv_blob_size(1), 12 + 1 + 16);
	assert_int_equal(sv_blob_size(65536), 12 + 65536 + 16);
	assert_int_equal(sv_blob_size(65537), 12 + 65537 + 32);
	assert_int_equal(sv_blob_size(3 * 65536 + 5), 12 + 3 * 65536 + 5 + 64);
	assert_true(sv_blob_size(UINT64_MAX) == UINT64_MAX);
}

static void test_blob_round_trip(void **state)
{
	static const size_t sizes[] = { 0, 1, 65535, 65536, 65537, 3 * 65536 + 5 };
	size_t i;
	(void)state;

	for (i = 0; i < SV_ARRAY_SIZE(sizes); i++)
		blob_round_trip(sizes[i]);
}

/* A three-and-a-bit chunk blob used by the attack tests. */
struct attack {
	sv_secret *dek;
	unsigned char *plain, *blob;
	size_t len, bloblen;
};

#define ATTACK_LEN (3 * SV_BLOB_CHUNK + 5)
#define CT_CHUNK   (SV_BLOB_CHUNK + SV_GCM_TAG_LEN)

static int attack_setup(void **state)
{
	struct attack *a = calloc(1, sizeof(*a));

	if (!a || sv_secret_random(&a->dek, SV_KEY_LEN) < 0)
		return -1;
	a->len = ATTACK_LEN;
	if ((a->plain = malloc(a->len)) == NULL)
		return -1;
	pattern(a->plain, a->len, 9);
	a->blob = blob_encrypt(a->dek, ctx_a, a->plain, a->len, &a->bloblen);
	*state = a;
	return 0;
}

static int attack_teardown(void **state)
{
	struct attack *a = *state;

	sv_secret_free(a->dek);
	free(a->plain);
	free(a->blob);
	free(a);
	return 0;
}

static int attack_decrypt(struct attack *a, const unsigned char *blob, size_t len)
{
	unsigned char *back = NULL;
	size_t backlen = 0;
	int error = blob_decrypt(a->dek, ctx_a, blob, len, &back, &backlen);

	if (error == 0) {
		assert_int_equal(backlen, a->len);
		assert_memory_equal(back, a->plain, a->len);
	}
	free(back);
	return error;
}

static void test_blob_attack_flip(void **state)
{
	struct attack *a = *state;
	/* header bytes, first, middle and last chunk (data and tag) */
	size_t where[] = {
		0, 7, 8, 9, 10, 11,
		SV_BLOB_HEADER_LEN, SV_BLOB_HEADER_LEN + CT_CHUNK - 1,
		SV_BLOB_HEADER_LEN + CT_CHUNK + 1000,
		SV_BLOB_HEADER_LEN + 2 * CT_CHUNK + 65535,
		SV_BLOB_HEADER_LEN + 3 * CT_CHUNK + 2,
		SV_BLOB_HEADER_LEN + 3 * CT_CHUNK + 5 + 15,
	};
	size_t i;

	assert_int_equal(attack_decrypt(a, a->blob, a->bloblen), 0);
	for (i = 0; i < SV_ARRAY_SIZE(where); i++) {
		assert_true(where[i] < a->bloblen);
		a->blob[where[i]] ^= 0x01;
		assert_int_equal(attack_decrypt(a, a->blob, a->bloblen), SCRVAULT_EINTEGRITY);
		a->blob[where[i]] ^= 0x01;
	}
	assert_int_equal(attack_decrypt(a, a->blob, a->bloblen), 0);
}

static void test_blob_attack_drop_last(void **state)
{
	struct attack *a = *state;
	unsigned char out[SV_BLOB_CHUNK];
	sv_blob_dec *d = NULL;
	const unsigned char *c = a->blob + SV_BLOB_HEADER_LEN;

	/* the reader sees three full chunks and takes the third for the last */
	assert_int_equal(attack_decrypt(a, a->blob, SV_BLOB_HEADER_LEN + 3 * CT_CHUNK),
			 SCRVAULT_EINTEGRITY);
	assert_int_equal(attack_decrypt(a, a->blob, SV_BLOB_HEADER_LEN + CT_CHUNK),
			 SCRVAULT_EINTEGRITY);
	/* only the header left */
	assert_int_equal(attack_decrypt(a, a->blob, SV_BLOB_HEADER_LEN), SCRVAULT_EINTEGRITY);

	/* directly: chunks 0 and 1 fine, chunk 2 presented as last fails */
	assert_int_equal(sv_blob_dec_new(&d, a->blob, a->dek, ctx_a, strlen(ctx_a)), 0);
	assert_int_equal(sv_blob_dec_chunk(d, out, c, CT_CHUNK, false), 0);
	assert_int_equal(sv_blob_dec_chunk(d, out, c + CT_CHUNK, CT_CHUNK, false), 0);
	assert_int_equal(sv_blob_dec_chunk(d, out, c + 2 * CT_CHUNK, CT_CHUNK, true),
			 SCRVAULT_EINTEGRITY);
	sv_blob_dec_free(d);
}

static void test_blob_attack_append(void **state)
{
	struct attack *a = *state;
	unsigned char *big = malloc(a->bloblen + CT_CHUNK), out[SV_BLOB_CHUNK];
	const unsigned char *c = a->blob + SV_BLOB_HEADER_LEN;
	sv_blob_dec *d = NULL;

	/* a copy of chunk 0 appended after the last chunk */
	assert_non_null(big);
	memcpy(big, a->blob, a->bloblen);
	memcpy(big + a->bloblen, c, CT_CHUNK);
	assert_int_equal(attack_decrypt(a, big, a->bloblen + CT_CHUNK), SCRVAULT_EINTEGRITY);
	/* a few stray bytes appended */
	memcpy(big + a->bloblen, "garbage garbage garbage", 20);
	assert_int_equal(attack_decrypt(a, big, a->bloblen + 20), SCRVAULT_EINTEGRITY);
	free(big);

	/* directly: anything after the real last chunk is refused */
	assert_int_equal(sv_blob_dec_new(&d, a->blob, a->dek, ctx_a, strlen(ctx_a)), 0);
	assert_int_equal(sv_blob_dec_chunk(d, out, c, CT_CHUNK, false), 0);
	assert_int_equal(sv_blob_dec_chunk(d, out, c + CT_CHUNK, CT_CHUNK, false), 0);
	assert_int_equal(sv_blob_dec_chunk(d, out, c + 2 * CT_CHUNK, CT_CHUNK, false), 0);
	assert_int_equal(sv_blob_dec_chunk(d, out, c + 3 * CT_CHUNK, 5 + 16, true), 0);
	assert_memory_equal(out, a->plain + 3 * SV_BLOB_CHUNK, 5);
	assert_int_equal(sv_blob_dec_chunk(d, out, c, CT_CHUNK, false), SCRVAULT_EINTEGRITY);
	assert_int_equal(sv_blob_dec_chunk(d, out, c + 3 * CT_CHUNK, 5 + 16, true),
			 SCRVAULT_EINTEGRITY);
	sv_blob_dec_free(d);

	/* the real last chunk presented as non-last fails too */
	assert_int_equal(sv_blob_dec_new(&d, a->blob, a->dek, ctx_a, strlen(ctx_a)), 0);
	assert_int_equal(sv_blob_dec_chunk(d, out, c, CT_CHUNK, false), 0);
	assert_int_equal(sv_blob_dec_chunk(d, out, c + CT_CHUNK, CT_CHUNK, false), 0);
	assert_int_equal(sv_blob_dec_chunk(d, out, c + 2 * CT_CHUNK, CT_CHUNK, false), 0);
	assert_int_equal(sv_blob_dec_chunk(d, out, c + 3 * CT_CHUNK, 5 + 16, false),
			 SCRVAULT_EINTEGRITY);
	sv_blob_dec_free(d);
}

static void test_blob_attack_swap(void **state)
{
	struct attack *a = *state;
	unsigned char *copy = malloc(a->bloblen);
	unsigned char *c;

	assert_non_null(copy);
	memcpy(copy, a->blob, a->bloblen);
	c = copy + SV_BLOB_HEADER_LEN;
	memcpy(c, a->blob + SV_BLOB_HEADER_LEN + CT_CHUNK, CT_CHUNK);
	memcpy(c + CT_CHUNK, a->blob + SV_BLOB_HEADER_LEN, CT_CHUNK);
	assert_int_equal(attack_decrypt(a, copy, a->bloblen), SCRVAULT_EINTEGRITY);
	/* chunk 1 duplicated over chunk 2 */
	memcpy(copy, a->blob, a->bloblen);
	memcpy(c + 2 * CT_CHUNK, c + CT_CHUNK, CT_CHUNK);
	assert_int_equal(attack_decrypt(a, copy, a->bloblen), SCRVAULT_EINTEGRITY);
	free(copy);
}

static void test_blob_attack_context_and_key(void **state)
{
	struct attack *a = *state;
	unsigned char *back = NULL;
	size_t backlen;
	sv_secret *other = NULL;

	assert_int_equal(blob_decrypt(a->dek, ctx_b, a->blob, a->bloblen, &back, &backlen),
			 SCRVAULT_EINTEGRITY);
	assert_int_equal(blob_decrypt(a->dek, "", a->blob, a->bloblen, &back, &backlen),
			 SCRVAULT_EINTEGRITY);
	assert_int_equal(sv_secret_random(&other, SV_KEY_LEN), 0);
	assert_int_equal(blob_decrypt(other, ctx_a, a->blob, a->bloblen, &back, &backlen),
			 SCRVAULT_EINTEGRITY);
	assert_null(back);
	sv_secret_free(other);
}

static void test_blob_enc_rules(void **state)
{
	static unsigned char in[SV_BLOB_CHUNK + 1], out[SV_BLOB_CHUNK + 1 + SV_GCM_TAG_LEN];
	unsigned char hdr[SV_BLOB_HEADER_LEN];
	sv_secret *dek = NULL, *shortkey = NULL;
	sv_blob_enc *e = NULL;
	(void)state;

	assert_int_equal(sv_secret_random(&dek, SV_KEY_LEN), 0);
	assert_int_equal(sv_blob_enc_new(&e, hdr, dek, ctx_a, strlen(ctx_a)), 0);
	/* non-last chunk not exactly full */
	assert_int_equal(sv_blob_enc_chunk(e, out, in, SV_BLOB_CHUNK - 1, false), SCRVAULT_EUSAGE);
	assert_int_equal(sv_blob_enc_chunk(e, out, in, SV_BLOB_CHUNK + 1, false), SCRVAULT_EUSAGE);
	assert_int_equal(sv_blob_enc_chunk(e, out, in, 0, false), SCRVAULT_EUSAGE);
	/* last chunk too large */
	assert_int_equal(sv_blob_enc_chunk(e, out, in, SV_BLOB_CHUNK + 1, true), SCRVAULT_EUSAGE);
	/* a full chunk, then an empty last one is refused */
	assert_int_equal(sv_blob_enc_chunk(e, out, in, SV_BLOB_CHUNK, false), 0);
	assert_int_equal(sv_blob_enc_chunk(e, out, in, 0, true), SCRVAULT_EUSAGE);
	/* a real last chunk, then nothing more */
	assert_int_equal(sv_blob_enc_chunk(e, out, in, 3, true), 0);
	assert_int_equal(sv_blob_enc_chunk(e, out, in, 3, true), SCRVAULT_EUSAGE);
	assert_int_equal(sv_blob_enc_chunk(e, out, in, SV_BLOB_CHUNK, false), SCRVAULT_EUSAGE);
	sv_blob_enc_free(e);
	e = NULL;

	assert_int_equal(sv_secret_random(&shortkey, 16), 0);
	assert_int_equal(sv_blob_enc_new(&e, hdr, shortkey, ctx_a, strlen(ctx_a)),
			 SCRVAULT_EUSAGE);
	assert_null(e);
	sv_blob_enc_free(NULL);
	sv_secret_free(shortkey);
	sv_secret_free(dek);
}

static void test_blob_dec_rules(void **state)
{
	struct attack *a = *state;
	unsigned char out[SV_BLOB_CHUNK + 1], hdr[SV_BLOB_HEADER_LEN];
	const unsigned char *c = a->blob + SV_BLOB_HEADER_LEN;
	unsigned char empty_blob[SV_BLOB_HEADER_LEN + SV_GCM_TAG_LEN];
	sv_blob_dec *d = NULL;
	sv_blob_enc *e = NULL;

	/* wrong lengths: short non-last, oversize last, below a tag */
	assert_int_equal(sv_blob_dec_new(&d, a->blob, a->dek, ctx_a, strlen(ctx_a)), 0);
	assert_int_equal(sv_blob_dec_chunk(d, out, c, CT_CHUNK - 1, false), SCRVAULT_EINTEGRITY);
	/* a failed stream stays failed, even for the right chunk */
	assert_int_equal(sv_blob_dec_chunk(d, out, c, CT_CHUNK, false), SCRVAULT_EINTEGRITY);
	sv_blob_dec_free(d);
	assert_int_equal(sv_blob_dec_new(&d, a->blob, a->dek, ctx_a, strlen(ctx_a)), 0);
	assert_int_equal(sv_blob_dec_chunk(d, out, c, CT_CHUNK + 1, true), SCRVAULT_EINTEGRITY);
	sv_blob_dec_free(d);
	assert_int_equal(sv_blob_dec_new(&d, a->blob, a->dek, ctx_a, strlen(ctx_a)), 0);
	assert_int_equal(sv_blob_dec_chunk(d, out, c, SV_GCM_TAG_LEN - 1, true),
			 SCRVAULT_EINTEGRITY);
	sv_blob_dec_free(d);

	/* an empty last chunk is only valid as chunk 0 */
	assert_int_equal(sv_blob_enc_new(&e, empty_blob, a->dek, ctx_a, strlen(ctx_a)), 0);
	assert_int_equal(sv_blob_enc_chunk(e, empty_blob + SV_BLOB_HEADER_LEN, NULL, 0, true), 0);
	sv_blob_enc_free(e);
	assert_int_equal(sv_blob_dec_new(&d, empty_blob, a->dek, ctx_a, strlen(ctx_a)), 0);
	assert_int_equal(sv_blob_dec_chunk(d, out, empty_blob + SV_BLOB_HEADER_LEN,
					   SV_GCM_TAG_LEN, true), 0);
	sv_blob_dec_free(d);
	assert_int_equal(sv_blob_dec_new(&d, a->blob, a->dek, ctx_a, strlen(ctx_a)), 0);
	assert_int_equal(sv_blob_dec_chunk(d, out, c, CT_CHUNK, false), 0);
	assert_int_equal(sv_blob_dec_chunk(d, out, empty_blob + SV_BLOB_HEADER_LEN,
					   SV_GCM_TAG_LEN, true), SCRVAULT_EINTEGRITY);
	sv_blob_dec_free(d);

	/* unknown headers */
	memcpy(hdr, a->blob, sizeof(hdr));
	hdr[8] = 0x02;
	assert_int_equal(sv_blob_dec_new(&d, hdr, a->dek, ctx_a, strlen(ctx_a)),
			 SCRVAULT_EINTEGRITY);
	memcpy(hdr, a->blob, sizeof(hdr));
	hdr[0] = 's';
	assert_int_equal(sv_blob_dec_new(&d, hdr, a->dek, ctx_a, strlen(ctx_a)),
			 SCRVAULT_EINTEGRITY);
	assert_null(d);
	sv_blob_dec_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_idempotent),
		cmocka_unit_test(test_init_keeps_legacy_names),
		cmocka_unit_test(test_secret_memory),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_sha1),
		cmocka_unit_test(test_hkdf_rfc5869_case1),
		cmocka_unit_test(test_hkdf_rfc5869_case3),
		cmocka_unit_test(test_ed25519_rfc8032_test1),
		cmocka_unit_test(test_ed25519_rfc8032_test2),
		cmocka_unit_test(test_ed25519_keygen),
		cmocka_unit_test(test_x25519_rfc7748),
		cmocka_unit_test(test_x25519_low_order),
		cmocka_unit_test(test_x25519_keygen),
		cmocka_unit_test(test_seal_open),
		cmocka_unit_test(test_seal_empty),
		cmocka_unit_test(test_wrap_unwrap),
		cmocka_unit_test(test_argon2id_known_answer),
		cmocka_unit_test(test_argon2id_inputs),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_blob_size),
		cmocka_unit_test(test_blob_known_answer),
		cmocka_unit_test(test_blob_round_trip),
		cmocka_unit_test(test_blob_enc_rules),
		cmocka_unit_test(test_note_not_checkpoint),
		cmocka_unit_test_setup_teardown(test_blob_attack_flip, attack_setup, attack_teardown),
		cmocka_unit_test_setup_teardown(test_blob_attack_drop_last, attack_setup, attack_teardown),
		cmocka_unit_test_setup_teardown(test_blob_attack_append, attack_setup, attack_teardown),
		cmocka_unit_test_setup_teardown(test_blob_attack_swap, attack_setup, attack_teardown),
		cmocka_unit_test_setup_teardown(test_blob_attack_context_and_key, attack_setup,
						attack_teardown),
		cmocka_unit_test_setup_teardown(test_blob_dec_rules, attack_setup, attack_teardown),
	};

	if (sv_crypto_init() < 0) {
		fprintf(stderr, "sv_crypto_init: %s\n", scrvault_error_message());
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
