/*
 * crypto.c - every cryptographic primitive libscrvault uses (see crypto.h).
 *
 * This is the only file that includes OpenSSL's crypto headers.  Secrets
 * live in OpenSSL's secure heap; every intermediate buffer that holds key material
 * (shared secrets, derived keys, plaintext keys) is cleansed on every path,
 * including failures.  Error messages carry reasons only, never secret bytes.
 *
 * Functions return 0 or a negative SCRVAULT_* code with a message set through
 * sv_error().  When OpenSSL fails, its thread error queue is cleared so stale
 * entries never leak into later, unrelated reports.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include "crypto/crypto.h"
#include "base/common.h"

/* The one-shot SHA-256 below uses the low-level SHA256 functions, which
 * OpenSSL 3 marks deprecated but keeps: for the millions of 65-byte node
 * hashes of the audit tree, EVP's per-call set-up costs more than the hash. */

#define SECURE_HEAP_SIZE   131072
#define SECURE_HEAP_MINSIZE 32

/* HKDF-SHA256 can produce at most 255 blocks of output (RFC 5869 §2.3). */
#define HKDF_MAX_OUT       (255 * SV_SHA256_LEN)

struct sv_secret {
	unsigned char *data;	/* OPENSSL_secure_zalloc'd, max(len, 1) bytes */
	size_t len;
};

/* A streaming digest (SHA-256 or SHA-1): `name` for messages, `len` its size. */
struct sv_digest {
	EVP_MD_CTX *md;
	const char *name;
	unsigned int len;
};

/*
 * One direction of a blob stream.  The cipher context is keyed once and only
 * re-IV'd per chunk; `aad` is header || context and is the same for every
 * chunk.  `counter` is the index of the next chunk.  Once `finished` (the last
 * chunk went through) or `failed` (a chunk was rejected or OpenSSL failed)
 * the stream accepts nothing more.
 */
struct blob_stream {
	EVP_CIPHER_CTX *cipher;
	unsigned char *aad;
	size_t aadlen;
	uint64_t counter;
	bool finished;
	bool failed;
};

struct sv_blob_enc {
	struct blob_stream s;
};

struct sv_blob_dec {
	struct blob_stream s;
};

static const unsigned char blob_header[SV_BLOB_HEADER_LEN] = {
	'S', 'C', 'R', 'V', 'B', 'L', 'O', 'B',
	0x01,	/* format version */
	0x01,	/* algorithm: AES-256-GCM */
	0x10,	/* log2 of the chunk size (65536) */
	0x00	/* reserved */
};

/*
 * Record `msg` as the current error and drop whatever OpenSSL queued, so the
 * next failure does not find stale entries.
 */
static int ossl_error(int code, const char *msg)
{
	ERR_clear_error();
	return sv_error(code, "%s", msg);
}

/* ---- process and secret memory ------------------------------------------ */

/*
 * Under AddressSanitizer OpenSSL keeps its exit handler: LeakSanitizer does
 * not look into the secure heap (a mapping of OpenSSL's own), where the
 * random generators keep pointers to blocks of the ordinary heap, and would
 * report those blocks as leaked at exit.
 */
#if defined(__SANITIZE_ADDRESS__)

#define SV_ASAN 1

#elif defined(__has_feature)

#if __has_feature(address_sanitizer)

#define SV_ASAN 1

#endif

#endif

#ifdef SV_ASAN

#define SV_OSSL_INIT	OPENSSL_INIT_LOAD_CONFIG

#else

#define SV_OSSL_INIT	(OPENSSL_INIT_LOAD_CONFIG | OPENSSL_INIT_NO_ATEXIT)

#endif

/* What sv_crypto_init_lean leaves out. */
#define SV_OSSL_LEAN	(OPENSSL_INIT_NO_ADD_ALL_CIPHERS | OPENSSL_INIT_NO_ADD_ALL_DIGESTS | \
			 OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS)

static CRYPTO_ONCE init_once = CRYPTO_ONCE_STATIC_INIT;

static uint64_t init_lean = 0;	/* SV_OSSL_LEAN if the first call was sv_crypto_init_lean */

static int init_ossl = 0;	/* what OPENSSL_init_crypto returned */

static int init_result = 0;	/* what CRYPTO_secure_malloc_init returned */

static void crypto_init_once(void)
{
	/*
	 * The configuration is loaded as OpenSSL would by itself; what is left
	 * out (but under AddressSanitizer, above) is its exit handler, which
	 * frees every table it built (about 0.15 ms of a 4 ms command) just
	 * before the process ends.  No secret
	 * depends on it: ours are cleansed as they are freed, and the secure
	 * heap goes with the process.  This is the first OpenSSL call of a
	 * scrvault process; in a program that initialised OpenSSL before, the
	 * flag changes nothing.
	 */
	init_ossl = OPENSSL_init_crypto(SV_OSSL_INIT | init_lean, NULL);
	if (CRYPTO_secure_malloc_initialized())
		init_result = 1;
	else
		init_result = CRYPTO_secure_malloc_init(SECURE_HEAP_SIZE,
							SECURE_HEAP_MINSIZE);
}

/*
 * Initialise OpenSSL and set up the 128 KiB secure heap once per process.
 * CRYPTO_secure_malloc_init returns 1 for a heap locked in memory, 2 for one
 * that could not be mlocked (RLIMIT_MEMLOCK too low, no CAP_IPC_LOCK), 0 for
 * none.  A heap that could not be mlocked is accepted here (sealing and
 * opening bundles still work) and reported by sv_secure_heap_locked, which
 * the unlock consults; one that could not be had at all is an error, and
 * stays one on every later call.
 */
int sv_crypto_init(void)
{
	if (!CRYPTO_THREAD_run_once(&init_once, crypto_init_once) || !init_ossl)
		return ossl_error(SCRVAULT_ERROR, "cannot initialise the crypto library");
	if (init_result == 0)
		return sv_error(SCRVAULT_ERROR, "cannot set up the secure memory heap");
	return 0;
}

bool sv_secure_heap_locked(void)
{
	return sv_crypto_init() == 0 && init_result == 1;
}

int sv_crypto_init_lean(void)
{
	/*
	 * OpenSSL's once-only set-up marks the name tables and the error
	 * strings as done without building them: nothing later in the process
	 * builds them.  The configuration is still loaded.  Set before the
	 * once, on the one thread there is.
	 */
	init_lean = SV_OSSL_LEAN;
	return sv_crypto_init();
}

/*
 * A new zeroed secret of `len` bytes in the secure heap.  Initialises the
 * heap if the caller has not, so a secret never lands in ordinary memory.
 */
int sv_secret_new(sv_secret **out, size_t len)
{
	sv_secret *s;
	int error;

	*out = NULL;
	if ((error = sv_crypto_init()) < 0)
		return error;
	if (len > SECURE_HEAP_SIZE)
		return sv_error(SCRVAULT_EUSAGE, "secret of %zu bytes is too large", len);
	if ((s = sv_malloc(sizeof(*s))) == NULL)
		return SCRVAULT_ERROR;
	if ((s->data = OPENSSL_secure_zalloc(len ? len : 1)) == NULL) {
		free(s);
		return ossl_error(SCRVAULT_ERROR, "out of secure memory");
	}
	s->len = len;
	*out = s;
	return 0;
}

int sv_secret_random(sv_secret **out, size_t len)
{
	sv_secret *s = NULL;
	int error;

	*out = NULL;
	if ((error = sv_secret_new(&s, len)) < 0)
		return error;
	if (len > 0 && RAND_priv_bytes(s->data, (int)len) != 1) {
		sv_secret_free(s);
		return ossl_error(SCRVAULT_ERROR, "cannot get random bytes");
	}
	*out = s;
	return 0;
}

int sv_secret_from(sv_secret **out, const void *data, size_t len)
{
	int error;

	if ((error = sv_secret_new(out, len)) < 0)
		return error;
	if (len > 0)
		memcpy((*out)->data, data, len);
	return 0;
}

void sv_secret_free(sv_secret *s)
{
	if (!s)
		return;
	OPENSSL_secure_clear_free(s->data, s->len ? s->len : 1);
	free(s);
}

unsigned char *sv_secret_data(const sv_secret *s)
{
	return s->data;
}

size_t sv_secret_len(const sv_secret *s)
{
	return s->len;
}

void sv_cleanse(void *p, size_t len)
{
	if (p && len)
		OPENSSL_cleanse(p, len);
}

void sv_cleanse_free(void *p, size_t len)
{
	sv_cleanse(p, len);
	free(p);
}

int sv_memcmp_ct(const void *a, const void *b, size_t len)
{
	if (len == 0)
		return 0;
	return CRYPTO_memcmp(a, b, len) != 0;
}

/*
 * Public random bytes (salts, nonces, ids) from the public DRBG.  Keys come
 * from sv_secret_random, which draws from the private one.
 */
int sv_random(void *out, size_t len)
{
	unsigned char *p = out;

	while (len > 0) {
		int n = len > INT_MAX ? INT_MAX : (int)len;

		if (RAND_bytes(p, n) != 1)
			return ossl_error(SCRVAULT_ERROR, "cannot get random bytes");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- hashing --------------------------------------------------------------- */

/*
 * One-shot SHA-256 with OpenSSL's low-level SHA-256, whose state is the
 * stack context: no memory, no provider, nothing that can fail.
 */
void sv_sha256(unsigned char out[SV_SHA256_LEN], const void *data, size_t len)
{
	static const unsigned char empty;
	SHA256_CTX c;

	/* Only public data is hashed this way (tree nodes, key ids, digests of
	 * ciphertext), so the context is not cleansed.  The low-level SHA-256 of
	 * OpenSSL 3 keeps its state in `c` and cannot fail; the checks are for
	 * form. */
	if (!SHA256_Init(&c) || !SHA256_Update(&c, len ? data : &empty, len) || !SHA256_Final(out, &c))
		memset(out, 0, SV_SHA256_LEN);
}

void sv_sha256_parts(unsigned char out[SV_SHA256_LEN], const void *a, size_t alen, const void *b, size_t blen)
{
	static const unsigned char empty;
	SHA256_CTX c;

	/* As sv_sha256: the context is on the stack and these cannot fail. */
	if (!SHA256_Init(&c) || !SHA256_Update(&c, alen ? a : &empty, alen) ||
	    !SHA256_Update(&c, blen ? b : &empty, blen) || !SHA256_Final(out, &c))
		memset(out, 0, SV_SHA256_LEN);
}

/*
 * The streaming digests, SHA-256 and SHA-1, are one EVP digest of either
 * kind; each kind's calls below are these.
 */
static void digest_free(sv_digest *c)
{
	if (!c)
		return;
	EVP_MD_CTX_free(c->md);
	free(c);
}

static int digest_new(sv_digest **out, const EVP_MD *type, const char *name, unsigned int len)
{
	sv_digest *c;

	*out = NULL;
	if ((c = sv_calloc(1, sizeof(*c))) == NULL)
		return SCRVAULT_ERROR;
	c->name = name;
	c->len = len;
	if ((c->md = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex(c->md, type, NULL) != 1) {
		digest_free(c);
		ERR_clear_error();
		return sv_error(SCRVAULT_ERROR, "cannot start a %s digest", name);
	}
	*out = c;
	return 0;
}

static int digest_update(sv_digest *c, const void *data, size_t len)
{
	if (len == 0)
		return 0;
	if (EVP_DigestUpdate(c->md, data, len) == 1)
		return 0;
	ERR_clear_error();
	return sv_error(SCRVAULT_ERROR, "%s digest failed", c->name);
}

static int digest_final(sv_digest *c, unsigned char *out)
{
	unsigned int outlen = 0;

	if (EVP_DigestFinal_ex(c->md, out, &outlen) == 1 && outlen == c->len)
		return 0;
	ERR_clear_error();
	return sv_error(SCRVAULT_ERROR, "%s digest failed", c->name);
}

int sv_sha256_new(sv_sha256_ctx **out) { return digest_new(out, EVP_sha256(), "sha-256", SV_SHA256_LEN); }
int sv_sha256_update(sv_sha256_ctx *c, const void *data, size_t len) { return digest_update(c, data, len); }
int sv_sha256_final(sv_sha256_ctx *c, unsigned char out[SV_SHA256_LEN]) { return digest_final(c, out); }
void sv_sha256_free(sv_sha256_ctx *c) { digest_free(c); }

/*
 * Streaming SHA-1 for git object ids (store.c).  OpenSSL's, not a
 * collision-detecting one: see store.c for why that is enough there.
 */
int sv_sha1_new(sv_sha1_ctx **out) { return digest_new(out, EVP_sha1(), "sha-1", SV_SHA1_LEN); }
int sv_sha1_update(sv_sha1_ctx *c, const void *data, size_t len) { return digest_update(c, data, len); }
int sv_sha1_final(sv_sha1_ctx *c, unsigned char out[SV_SHA1_LEN]) { return digest_final(c, out); }
void sv_sha1_free(sv_sha1_ctx *c) { digest_free(c); }

/*
 * Run OpenSSL's KDF `name` with `params` into a new secret of `len` bytes:
 * 0 and *out, or the error `failed` (nothing allocated is left).
 */
static int kdf_derive(sv_secret **out, size_t len, const char *name, const OSSL_PARAM *params,
		      const char *failed)
{
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *kctx = NULL;
	sv_secret *okm = NULL;
	int error;

	if ((error = sv_secret_new(&okm, len)) < 0)
		return error;
	if ((kdf = EVP_KDF_fetch(NULL, name, NULL)) == NULL
	    || (kctx = EVP_KDF_CTX_new(kdf)) == NULL
	    || EVP_KDF_derive(kctx, okm->data, len, params) != 1) {
		error = ossl_error(SCRVAULT_ERROR, failed);
		sv_secret_free(okm);
	} else {
		*out = okm;
	}
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	return error;
}

/*
 * HKDF-SHA256 (extract and expand) straight into a new secret.  An empty
 * salt means the RFC's default (HashLen zero bytes); `len` must be 1..8160.
 */
int sv_hkdf(sv_secret **out, size_t len, const sv_secret *ikm,
	    const void *salt, size_t saltlen, const void *info, size_t infolen)
{
	static unsigned char empty[1];
	OSSL_PARAM params[5], *p = params;

	*out = NULL;
	if (len == 0 || len > HKDF_MAX_OUT)
		return sv_error(SCRVAULT_EUSAGE, "hkdf output of %zu bytes is out of range", len);
	if ((saltlen && !salt) || (infolen && !info))
		return sv_error(SCRVAULT_EUSAGE, "hkdf salt or info is missing");

	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
		ikm->len ? ikm->data : empty, ikm->len);
	if (saltlen)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
			(void *)salt, saltlen);
	if (infolen)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
			(void *)info, infolen);
	*p = OSSL_PARAM_construct_end();
	return kdf_derive(out, len, "HKDF", params, "hkdf key derivation failed");
}

/* ---- sealing small secrets (key wrapping) --------------------------------- */

/*
 * AES-256-GCM under `key` with a fresh random nonce: out = nonce || ct ||
 * tag.  Inputs are bounded by what an EVP call takes (INT_MAX bytes).
 */
int sv_seal(unsigned char *out, const sv_secret *key,
	    const void *plain, size_t len, const void *aad, size_t aadlen)
{
	EVP_CIPHER_CTX *c = NULL;
	unsigned char *nonce = out, *ct = out + SV_GCM_NONCE_LEN;
	int n = 0, error = SCRVAULT_ERROR;

	if (key->len != SV_KEY_LEN)
		return sv_error(SCRVAULT_EUSAGE, "sealing key must be %d bytes", SV_KEY_LEN);
	if (len > INT_MAX - SV_GCM_NONCE_LEN - SV_GCM_TAG_LEN || aadlen > INT_MAX)
		return sv_error(SCRVAULT_EUSAGE, "data to seal is too large");

	if (RAND_bytes(nonce, SV_GCM_NONCE_LEN) != 1) {
		error = ossl_error(SCRVAULT_ERROR, "cannot get random bytes");
		goto done;
	}
	if ((c = EVP_CIPHER_CTX_new()) == NULL
	    || EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key->data, nonce) != 1
	    || (aadlen && EVP_EncryptUpdate(c, NULL, &n, aad, (int)aadlen) != 1)
	    || (len && (EVP_EncryptUpdate(c, ct, &n, plain, (int)len) != 1
			|| (size_t)n != len))
	    || EVP_EncryptFinal_ex(c, ct + len, &n) != 1 || n != 0
	    || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, SV_GCM_TAG_LEN,
				   ct + len) != 1) {
		error = ossl_error(SCRVAULT_ERROR, "aes-256-gcm encryption failed");
		goto done;
	}
	error = 0;

done:
	EVP_CIPHER_CTX_free(c);
	if (error < 0)
		OPENSSL_cleanse(out, SV_SEALED_LEN(len));
	return error;
}

int sv_gcm_seal_at(unsigned char *out, const sv_secret *key, const unsigned char nonce[SV_GCM_NONCE_LEN],
		   const void *plain, size_t len, const void *aad, size_t aadlen)
{
	EVP_CIPHER_CTX *c = NULL;
	int n = 0, error = 0;

	if (key->len != SV_KEY_LEN)
		return sv_error(SCRVAULT_EUSAGE, "sealing key must be %d bytes", SV_KEY_LEN);
	if (len > INT_MAX - SV_GCM_TAG_LEN || aadlen > INT_MAX)
		return sv_error(SCRVAULT_EUSAGE, "data to seal is too large");
	if ((c = EVP_CIPHER_CTX_new()) == NULL
	    || EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key->data, nonce) != 1
	    || (aadlen && EVP_EncryptUpdate(c, NULL, &n, aad, (int)aadlen) != 1)
	    || (len && (EVP_EncryptUpdate(c, out, &n, plain, (int)len) != 1 || (size_t)n != len))
	    || EVP_EncryptFinal_ex(c, out + len, &n) != 1 || n != 0
	    || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, SV_GCM_TAG_LEN, out + len) != 1) {
		error = ossl_error(SCRVAULT_ERROR, "aes-256-gcm encryption failed");
		OPENSSL_cleanse(out, len + SV_GCM_TAG_LEN);
	}
	EVP_CIPHER_CTX_free(c);
	return error;
}

int sv_gcm_open_at(unsigned char *out, const sv_secret *key, const unsigned char nonce[SV_GCM_NONCE_LEN],
		   const unsigned char *in, size_t inlen, const void *aad, size_t aadlen)
{
	EVP_CIPHER_CTX *c = NULL;
	size_t len;
	int n = 0, error = 0;

	if (key->len != SV_KEY_LEN)
		return sv_error(SCRVAULT_EUSAGE, "sealing key must be %d bytes", SV_KEY_LEN);
	if (inlen < SV_GCM_TAG_LEN)
		return sv_error(SCRVAULT_EINTEGRITY, "sealed data is truncated");
	if (inlen > INT_MAX || aadlen > INT_MAX)
		return sv_error(SCRVAULT_EUSAGE, "sealed data is too large");
	len = inlen - SV_GCM_TAG_LEN;
	if ((c = EVP_CIPHER_CTX_new()) == NULL
	    || EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key->data, nonce) != 1
	    || (aadlen && EVP_DecryptUpdate(c, NULL, &n, aad, (int)aadlen) != 1)
	    || (len && (EVP_DecryptUpdate(c, out, &n, in, (int)len) != 1 || (size_t)n != len))
	    || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, SV_GCM_TAG_LEN, (void *)(in + len)) != 1)
		error = ossl_error(SCRVAULT_ERROR, "aes-256-gcm decryption failed");
	else if (EVP_DecryptFinal_ex(c, out + len, &n) != 1)
		error = ossl_error(SCRVAULT_EINTEGRITY, "sealed data failed to authenticate: wrong key or damaged data");
	if (error < 0)
		OPENSSL_cleanse(out, len);
	EVP_CIPHER_CTX_free(c);
	return error;
}

/*
 * Decrypt and verify what sv_seal made, straight into a new secret.  Any
 * damage - short input, flipped bit, wrong key or aad - is
 * SCRVAULT_EINTEGRITY and no plaintext escapes.
 */
int sv_open(sv_secret **out, const sv_secret *key, const unsigned char *sealed,
	    size_t sealedlen, const void *aad, size_t aadlen)
{
	EVP_CIPHER_CTX *c = NULL;
	sv_secret *plain = NULL;
	const unsigned char *nonce = sealed, *ct = sealed + SV_GCM_NONCE_LEN;
	size_t len;
	int n = 0, error = SCRVAULT_ERROR;

	*out = NULL;
	if (key->len != SV_KEY_LEN)
		return sv_error(SCRVAULT_EUSAGE, "sealing key must be %d bytes", SV_KEY_LEN);
	if (sealedlen < SV_SEALED_LEN(0))
		return sv_error(SCRVAULT_EINTEGRITY, "sealed data is truncated");
	if (sealedlen > INT_MAX || aadlen > INT_MAX)
		return sv_error(SCRVAULT_EUSAGE, "sealed data is too large");
	len = sealedlen - SV_SEALED_LEN(0);

	if ((error = sv_secret_new(&plain, len)) < 0)
		goto done;
	if ((c = EVP_CIPHER_CTX_new()) == NULL
	    || EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key->data, nonce) != 1
	    || (aadlen && EVP_DecryptUpdate(c, NULL, &n, aad, (int)aadlen) != 1)
	    || (len && (EVP_DecryptUpdate(c, plain->data, &n, ct, (int)len) != 1
			|| (size_t)n != len))
	    || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, SV_GCM_TAG_LEN,
				   (void *)(ct + len)) != 1) {
		error = ossl_error(SCRVAULT_ERROR, "aes-256-gcm decryption failed");
		goto done;
	}
	if (EVP_DecryptFinal_ex(c, plain->data + len, &n) != 1) {
		error = ossl_error(SCRVAULT_EINTEGRITY,
				   "sealed data failed to authenticate: wrong key or damaged data");
		goto done;
	}

	*out = SV_TAKE(plain);
	error = 0;

done:
	sv_secret_free(plain);
	EVP_CIPHER_CTX_free(c);
	return error;
}

/* ---- public-key primitives ------------------------------------------------- */

/* An EVP_PKEY of `type` holding the 32-byte private key in `priv`. */
static int pkey_from_private(EVP_PKEY **out, int type, const sv_secret *priv)
{
	*out = NULL;
	if (priv->len != SV_KEY_LEN)
		return sv_error(SCRVAULT_EUSAGE, "private key must be %d bytes", SV_KEY_LEN);
	if ((*out = EVP_PKEY_new_raw_private_key(type, NULL, priv->data,
						  SV_KEY_LEN)) == NULL)
		return ossl_error(SCRVAULT_ERROR, "cannot load a private key");
	return 0;
}

/* The raw public half of the 32-byte private key `priv` of `type`. */
static int public_of(unsigned char pub[SV_KEY_LEN], int type, const sv_secret *priv)
{
	EVP_PKEY *pkey = NULL;
	size_t publen = SV_KEY_LEN;
	int error;

	if ((error = pkey_from_private(&pkey, type, priv)) < 0)
		goto done;
	if (EVP_PKEY_get_raw_public_key(pkey, pub, &publen) != 1
	    || publen != SV_KEY_LEN) {
		error = ossl_error(SCRVAULT_ERROR, "cannot compute a public key");
		goto done;
	}

done:
	EVP_PKEY_free(pkey);
	return error;
}

/* A fresh private key (RAND_priv_bytes) of `type` and its public half. */
static int keygen(sv_secret **priv, unsigned char pub[SV_KEY_LEN], int type)
{
	sv_secret *key = NULL;
	int error;

	*priv = NULL;
	if ((error = sv_secret_random(&key, SV_KEY_LEN)) < 0
	    || (error = public_of(pub, type, key)) < 0)
		goto done;
	*priv = SV_TAKE(key);

done:
	sv_secret_free(key);
	return error;
}

int sv_x25519_keygen(sv_secret **priv, unsigned char pub[SV_KEY_LEN])
{
	return keygen(priv, pub, EVP_PKEY_X25519);
}

int sv_ed25519_keygen(sv_secret **priv, unsigned char pub[SV_KEY_LEN])
{
	return keygen(priv, pub, EVP_PKEY_ED25519);
}

int sv_x25519_public(unsigned char pub[SV_KEY_LEN], const sv_secret *priv)
{
	return public_of(pub, EVP_PKEY_X25519, priv);
}

int sv_ed25519_public(unsigned char pub[SV_KEY_LEN], const sv_secret *priv)
{
	return public_of(pub, EVP_PKEY_ED25519, priv);
}

/*
 * X25519(priv, peer) into a new 32-byte secret.  A low-order peer point
 * gives an all-zero result, which OpenSSL already refuses to derive; either
 * way it is reported as SCRVAULT_EINTEGRITY (the peer key is bad).
 */
int sv_x25519(sv_secret **out, const sv_secret *priv,
	      const unsigned char peer[SV_KEY_LEN])
{
	static const unsigned char zero[SV_KEY_LEN];
	EVP_PKEY *pkey = NULL, *peerkey = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	sv_secret *shared = NULL;
	size_t len = SV_KEY_LEN;
	int error;

	*out = NULL;
	if ((error = pkey_from_private(&pkey, EVP_PKEY_X25519, priv)) < 0
	    || (error = sv_secret_new(&shared, SV_KEY_LEN)) < 0)
		goto done;
	if ((peerkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer,
						   SV_KEY_LEN)) == NULL
	    || (pctx = EVP_PKEY_CTX_new(pkey, NULL)) == NULL
	    || EVP_PKEY_derive_init(pctx) != 1
	    || EVP_PKEY_derive_set_peer(pctx, peerkey) != 1) {
		error = ossl_error(SCRVAULT_ERROR, "cannot set up x25519 key agreement");
		goto done;
	}
	if (EVP_PKEY_derive(pctx, shared->data, &len) != 1 || len != SV_KEY_LEN
	    || CRYPTO_memcmp(shared->data, zero, SV_KEY_LEN) == 0)
		error = ossl_error(SCRVAULT_EINTEGRITY,
				   "x25519 key agreement failed: invalid (low-order) public key");
	else
		*out = SV_TAKE(shared);
done:
	sv_secret_free(shared);
	EVP_PKEY_CTX_free(pctx);
	EVP_PKEY_free(peerkey);
	EVP_PKEY_free(pkey);
	return error;
}

/* Pure Ed25519 (RFC 8032) signature of `msg`. */
int sv_ed25519_sign(unsigned char sig[SV_SIG_LEN], const sv_secret *priv,
		    const void *msg, size_t len)
{
	static const unsigned char empty;
	EVP_PKEY *pkey = NULL;
	EVP_MD_CTX *md = NULL;
	size_t siglen = SV_SIG_LEN;
	int error;

	if ((error = pkey_from_private(&pkey, EVP_PKEY_ED25519, priv)) < 0)
		goto done;
	if ((md = EVP_MD_CTX_new()) == NULL
	    || EVP_DigestSignInit(md, NULL, NULL, NULL, pkey) != 1
	    || EVP_DigestSign(md, sig, &siglen, len ? msg : &empty, len) != 1
	    || siglen != SV_SIG_LEN) {
		error = ossl_error(SCRVAULT_ERROR, "ed25519 signing failed");
		goto done;
	}

done:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	return error;
}

/*
 * Check an Ed25519 signature.  Anything but a valid signature by `pub` -
 * including a malformed key or signature - is SCRVAULT_EINTEGRITY.
 */
int sv_ed25519_verify(const unsigned char sig[SV_SIG_LEN],
		      const unsigned char pub[SV_KEY_LEN],
		      const void *msg, size_t len)
{
	static const unsigned char empty;
	EVP_PKEY *pkey = NULL;
	EVP_MD_CTX *md = NULL;
	int error = 0;

	if ((pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub,
						SV_KEY_LEN)) == NULL
	    || (md = EVP_MD_CTX_new()) == NULL
	    || EVP_DigestVerifyInit(md, NULL, NULL, NULL, pkey) != 1) {
		error = ossl_error(SCRVAULT_ERROR, "cannot set up ed25519 verification");
		goto done;
	}
	if (EVP_DigestVerify(md, sig, SV_SIG_LEN, len ? msg : &empty, len) != 1) {
		error = ossl_error(SCRVAULT_EINTEGRITY, "ed25519 signature is not valid");
		goto done;
	}

done:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	return error;
}

/*
 * The key that wraps to `recipient`: HKDF(ikm = shared, salt = eph_pub ||
 * recipient_pub, info = label).
 */
static int wrap_key(sv_secret **out, const sv_secret *shared,
		    const unsigned char eph_pub[SV_KEY_LEN],
		    const unsigned char recipient[SV_KEY_LEN], const char *label)
{
	unsigned char salt[2 * SV_KEY_LEN];

	memcpy(salt, eph_pub, SV_KEY_LEN);
	memcpy(salt + SV_KEY_LEN, recipient, SV_KEY_LEN);
	return sv_hkdf(out, SV_KEY_LEN, shared, salt, sizeof(salt), label, strlen(label));
}

/*
 * ECIES-style wrap of `secret` to the X25519 public key `recipient`:
 * out = eph_pub || sv_seal(HKDF(X25519(eph, recipient)), secret, aad).
 * The ephemeral private key, the shared secret and the wrap key are
 * cleansed on every path.
 */
int sv_wrap_to(unsigned char *out, const unsigned char recipient[SV_KEY_LEN],
	       const sv_secret *secret, const char *label,
	       const void *aad, size_t aadlen)
{
	sv_secret *eph = NULL, *shared = NULL, *wk = NULL;
	unsigned char *eph_pub = out;
	int error;

	if (!label)
		return sv_error(SCRVAULT_EUSAGE, "wrap needs a label");

	if ((error = sv_x25519_keygen(&eph, eph_pub)) < 0)
		goto done;
	if ((error = sv_x25519(&shared, eph, recipient)) < 0) {
		sv_error_wrap(error, "cannot wrap to this public key");
		goto done;
	}
	if ((error = wrap_key(&wk, shared, eph_pub, recipient, label)) < 0
	    || (error = sv_seal(out + SV_KEY_LEN, wk, secret->data, secret->len,
				aad, aadlen)) < 0)
		goto done;

done:
	sv_secret_free(wk);
	sv_secret_free(shared);
	sv_secret_free(eph);
	if (error < 0)
		OPENSSL_cleanse(out, SV_WRAP_LEN(secret->len));
	return error;
}

/*
 * Undo sv_wrap_to with the recipient's X25519 private key.  A wrong key,
 * label or aad, or damaged input, is SCRVAULT_EINTEGRITY; the caller may
 * rewrap.
 */
int sv_unwrap_with(sv_secret **out, const sv_secret *x25519_priv,
		   const unsigned char *wrapped, size_t wrappedlen,
		   const char *label, const void *aad, size_t aadlen)
{
	sv_secret *shared = NULL, *wk = NULL;
	unsigned char recipient[SV_KEY_LEN];
	int error;

	*out = NULL;
	if (!label)
		return sv_error(SCRVAULT_EUSAGE, "unwrap needs a label");
	if (wrappedlen < SV_WRAP_LEN(0))
		return sv_error(SCRVAULT_EINTEGRITY, "cannot unwrap: wrapped key is truncated");

	if ((error = sv_x25519_public(recipient, x25519_priv)) < 0)
		goto done;
	if ((error = sv_x25519(&shared, x25519_priv, wrapped)) < 0
	    || (error = wrap_key(&wk, shared, wrapped, recipient, label)) < 0)
		goto done;
	if ((error = sv_open(out, wk, wrapped + SV_KEY_LEN, wrappedlen - SV_KEY_LEN,
			     aad, aadlen)) < 0)
		goto done;

done:
	sv_secret_free(wk);
	sv_secret_free(shared);
	if (error == SCRVAULT_EINTEGRITY)
		sv_error(error, "cannot unwrap: wrong key or damaged data");
	return error;
}

/* ---- the blob stream ----------------------------------------------------- */

uint64_t sv_blob_size(uint64_t plainlen)
{
	uint64_t chunks = plainlen / SV_BLOB_CHUNK + (plainlen % SV_BLOB_CHUNK != 0);
	uint64_t overhead;

	if (chunks == 0)
		chunks = 1;
	overhead = SV_BLOB_HEADER_LEN + chunks * SV_GCM_TAG_LEN;
	if (plainlen > UINT64_MAX - overhead)
		return UINT64_MAX;	/* saturate rather than wrap */
	return plainlen + overhead;
}

void sv_chunk_nonce(unsigned char nonce[SV_GCM_NONCE_LEN], uint64_t counter, bool last)
{
	int i;

	memset(nonce, 0, SV_GCM_NONCE_LEN);
	for (i = 0; i < 8; i++)
		nonce[10 - i] = (unsigned char)(counter >> (8 * i));
	nonce[11] = last ? 0x01 : 0x00;
}

/*
 * Key a stream's cipher context once (encrypting or decrypting) and keep
 * header || ctx as the aad of every chunk.
 */
static int blob_stream_init(struct blob_stream *s, const sv_secret *dek,
			    const void *ctx, size_t ctxlen, bool encrypt)
{
	if (dek->len != SV_KEY_LEN)
		return sv_error(SCRVAULT_EUSAGE, "blob key must be %d bytes", SV_KEY_LEN);
	if (ctxlen > INT_MAX - SV_BLOB_HEADER_LEN || (ctxlen && !ctx))
		return sv_error(SCRVAULT_EUSAGE, "bad blob context");

	s->aadlen = SV_BLOB_HEADER_LEN + ctxlen;
	if ((s->aad = sv_malloc(s->aadlen)) == NULL)
		return SCRVAULT_ERROR;
	memcpy(s->aad, blob_header, SV_BLOB_HEADER_LEN);
	if (ctxlen)
		memcpy(s->aad + SV_BLOB_HEADER_LEN, ctx, ctxlen);

	if ((s->cipher = EVP_CIPHER_CTX_new()) == NULL
	    || EVP_CipherInit_ex(s->cipher, EVP_aes_256_gcm(), NULL, dek->data,
				 NULL, encrypt ? 1 : 0) != 1)
		return ossl_error(SCRVAULT_ERROR, "cannot set up aes-256-gcm");
	return 0;
}

/* Free an encryptor or decryptor `w` (NULL-safe) and its stream s. */
static void blob_stream_free(void *w, struct blob_stream *s)
{
	if (!w)
		return;
	EVP_CIPHER_CTX_free(s->cipher);
	free(s->aad);
	free(w);
}

/* A chunk went through: the next is numbered one more, none after the last. */
static int blob_chunk_done(struct blob_stream *s, bool last)
{
	s->counter++;
	s->finished = last;
	return 0;
}

/*
 * Start an encryption stream: write the header to `hdr` and key the cipher
 * with `dek`.  The same DEK must never start two streams (nonces are
 * counters).
 */
int sv_blob_enc_new(sv_blob_enc **out, unsigned char hdr[SV_BLOB_HEADER_LEN],
		    const sv_secret *dek, const void *ctx, size_t ctxlen)
{
	sv_blob_enc *e;
	int error;

	*out = NULL;
	if ((e = sv_calloc(1, sizeof(*e))) == NULL)
		return SCRVAULT_ERROR;
	if ((error = blob_stream_init(&e->s, dek, ctx, ctxlen, true)) < 0) {
		sv_blob_enc_free(e);
		return error;
	}
	memcpy(hdr, blob_header, SV_BLOB_HEADER_LEN);
	*out = e;
	return 0;
}

/*
 * Encrypt chunk number e->s.counter.  Misuse is refused with
 * SCRVAULT_EUSAGE and leaves the stream as it was: a non-last chunk that is
 * not exactly SV_BLOB_CHUNK bytes, a last chunk larger than that, an empty
 * last chunk that is not also the first, anything after the last chunk, and
 * a counter that would wrap.  An OpenSSL failure kills the stream.
 */
int sv_blob_enc_chunk(sv_blob_enc *e, unsigned char *out,
		      const unsigned char *in, size_t inlen, bool last)
{
	struct blob_stream *s = &e->s;
	unsigned char nonce[SV_GCM_NONCE_LEN];
	int n = 0;

	if (s->failed)
		return sv_error(SCRVAULT_EUSAGE, "blob encryption already failed");
	if (s->finished)
		return sv_error(SCRVAULT_EUSAGE, "blob chunk after the last one");
	if (!last && inlen != SV_BLOB_CHUNK)
		return sv_error(SCRVAULT_EUSAGE,
				"blob chunk of %zu bytes: all but the last must be %d",
				inlen, SV_BLOB_CHUNK);
	if (last && inlen > SV_BLOB_CHUNK)
		return sv_error(SCRVAULT_EUSAGE, "last blob chunk of %zu bytes is too large",
				inlen);
	if (last && inlen == 0 && s->counter != 0)
		return sv_error(SCRVAULT_EUSAGE, "empty last blob chunk after data");
	if (s->counter == UINT64_MAX)
		return sv_error(SCRVAULT_EUSAGE, "blob chunk counter overflow");

	sv_chunk_nonce(nonce, s->counter, last);
	if (EVP_EncryptInit_ex(s->cipher, NULL, NULL, NULL, nonce) != 1
	    || EVP_EncryptUpdate(s->cipher, NULL, &n, s->aad, (int)s->aadlen) != 1
	    || (inlen && (EVP_EncryptUpdate(s->cipher, out, &n, in, (int)inlen) != 1
			  || (size_t)n != inlen))
	    || EVP_EncryptFinal_ex(s->cipher, out + inlen, &n) != 1 || n != 0
	    || EVP_CIPHER_CTX_ctrl(s->cipher, EVP_CTRL_AEAD_GET_TAG, SV_GCM_TAG_LEN,
				   out + inlen) != 1) {
		s->failed = true;
		OPENSSL_cleanse(out, inlen + SV_GCM_TAG_LEN);
		return ossl_error(SCRVAULT_ERROR, "blob chunk encryption failed");
	}
	return blob_chunk_done(s, last);
}

void sv_blob_enc_free(sv_blob_enc *e) { blob_stream_free(e, e ? &e->s : NULL); }

/*
 * Start a decryption stream after checking the header byte for byte: any
 * other magic, version, algorithm, chunk size or reserved byte is
 * SCRVAULT_EINTEGRITY.
 */
int sv_blob_dec_new(sv_blob_dec **out, const unsigned char hdr[SV_BLOB_HEADER_LEN],
		    const sv_secret *dek, const void *ctx, size_t ctxlen)
{
	sv_blob_dec *d;
	int error;

	*out = NULL;
	if (memcmp(hdr, blob_header, 8) != 0)
		return sv_error(SCRVAULT_EINTEGRITY, "not a scrvault blob (bad header)");
	if (memcmp(hdr, blob_header, SV_BLOB_HEADER_LEN) != 0)
		return sv_error(SCRVAULT_EINTEGRITY,
				"blob header: unknown version, algorithm or chunk size");
	if ((d = sv_calloc(1, sizeof(*d))) == NULL)
		return SCRVAULT_ERROR;
	if ((error = blob_stream_init(&d->s, dek, ctx, ctxlen, false)) < 0) {
		sv_blob_dec_free(d);
		return error;
	}
	*out = d;
	return 0;
}

/*
 * Decrypt and verify chunk number d->s.counter.  Every rule the encryptor
 * keeps is checked again, and any violation or failed tag is
 * SCRVAULT_EINTEGRITY: the stream is then dead and `out` is cleansed, so
 * unverified plaintext never escapes.
 */
int sv_blob_dec_chunk(sv_blob_dec *d, unsigned char *out,
		      const unsigned char *in, size_t inlen, bool last)
{
	struct blob_stream *s = &d->s;
	unsigned char nonce[SV_GCM_NONCE_LEN];
	size_t len;
	int n = 0;

	if (s->failed)
		return sv_error(SCRVAULT_EINTEGRITY, "blob already failed to authenticate");
	if (s->finished) {
		s->failed = true;
		return sv_error(SCRVAULT_EINTEGRITY, "blob has data after its last chunk");
	}
	if ((!last && inlen != SV_BLOB_CHUNK + SV_GCM_TAG_LEN)
	    || (last && (inlen < SV_GCM_TAG_LEN || inlen > SV_BLOB_CHUNK + SV_GCM_TAG_LEN))
	    || (last && inlen == SV_GCM_TAG_LEN && s->counter != 0)
	    || s->counter == UINT64_MAX) {
		s->failed = true;
		return sv_error(SCRVAULT_EINTEGRITY, "blob chunk %llu has a bad length",
				(unsigned long long)s->counter);
	}
	len = inlen - SV_GCM_TAG_LEN;

	sv_chunk_nonce(nonce, s->counter, last);
	if (EVP_DecryptInit_ex(s->cipher, NULL, NULL, NULL, nonce) != 1
	    || EVP_DecryptUpdate(s->cipher, NULL, &n, s->aad, (int)s->aadlen) != 1
	    || (len && (EVP_DecryptUpdate(s->cipher, out, &n, in, (int)len) != 1
			|| (size_t)n != len))
	    || EVP_CIPHER_CTX_ctrl(s->cipher, EVP_CTRL_AEAD_SET_TAG, SV_GCM_TAG_LEN,
				   (void *)(in + len)) != 1) {
		s->failed = true;
		OPENSSL_cleanse(out, len);
		return ossl_error(SCRVAULT_ERROR, "blob chunk decryption failed");
	}
	if (EVP_DecryptFinal_ex(s->cipher, out + len, &n) != 1) {
		s->failed = true;
		OPENSSL_cleanse(out, len);
		ERR_clear_error();
		return sv_error(SCRVAULT_EINTEGRITY,
				"blob chunk %llu failed to authenticate: wrong key, "
				"wrong document or damaged data",
				(unsigned long long)s->counter);
	}
	return blob_chunk_done(s, last);
}

void sv_blob_dec_free(sv_blob_dec *d) { blob_stream_free(d, d ? &d->s : NULL); }

/* ---- base64 (declared in common.h) -------------------------------------- */

/* Encode in slices that EVP_EncodeBlock's int length can take. */
#define B64_SLICE ((size_t)3 * 1024 * 1024)	/* multiple of 3 */

char *sv_base64(const unsigned char *in, size_t len)
{
	size_t outlen, done = 0;
	char *out, *p;

	if (len > (SIZE_MAX - 1) / 4 * 3 - 3) {
		sv_error(SCRVAULT_EUSAGE, "data too large for base64");
		return NULL;
	}
	outlen = (len + 2) / 3 * 4;
	if ((out = sv_malloc(outlen + 1)) == NULL)
		return NULL;
	p = out;
	while (done < len) {
		size_t n = len - done > B64_SLICE ? B64_SLICE : len - done;
		int w = EVP_EncodeBlock((unsigned char *)p, in + done, (int)n);

		p += w;
		done += n;
	}
	*p = '\0';
	return out;
}

static int b64_value(unsigned char c)
{
	return sv_char_index("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", c);
}

/*
 * Decode canonical padded base64 (RFC 4648 §4) only: the length is a
 * multiple of 4, every character is in the alphabet, '=' appears only as
 * one or two final padding characters, and the bits the padding discards
 * are zero.  No whitespace.  The validation is done here; EVP_DecodeBlock
 * only does the arithmetic.  The caller frees *out.
 */
int sv_unbase64(unsigned char **out, size_t *outlen, const char *in)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t len = strlen(in), i, pad = 0, done = 0, w = 0;
	unsigned char *buf;

	*out = NULL;
	*outlen = 0;
	if (len % 4 != 0)
		return sv_error(SCRVAULT_ERROR, "invalid base64: bad length");
	if (len > 0 && s[len - 1] == '=')
		pad = s[len - 2] == '=' ? 2 : 1;
	for (i = 0; i < len - pad; i++)
		if (b64_value(s[i]) < 0)
			return sv_error(SCRVAULT_ERROR, "invalid base64: bad character");
	if (pad == 2 && (b64_value(s[len - 3]) & 0x0f) != 0)
		return sv_error(SCRVAULT_ERROR, "invalid base64: non-zero padding bits");
	if (pad == 1 && (b64_value(s[len - 2]) & 0x03) != 0)
		return sv_error(SCRVAULT_ERROR, "invalid base64: non-zero padding bits");

	if ((buf = sv_malloc(len / 4 * 3 + 1)) == NULL)
		return SCRVAULT_ERROR;
	while (done < len) {
		size_t n = len - done > 4 * B64_SLICE / 3 ? 4 * B64_SLICE / 3 : len - done;
		int r = EVP_DecodeBlock(buf + w, s + done, (int)n);

		if (r < 0 || (size_t)r != n / 4 * 3) {
			OPENSSL_cleanse(buf, len / 4 * 3 + 1);
			free(buf);
			return sv_error(SCRVAULT_ERROR, "invalid base64");
		}
		w += (size_t)r;
		done += n;
	}
	*out = buf;
	*outlen = w - pad;
	return 0;
}

/* base64url without padding (RFC 4648 §5), as WebAuthn and tokens use it. */
char *sv_base64url(const unsigned char *in, size_t len)
{
	char *b = sv_base64(in, len);
	size_t j = 0;

	if (!b)
		return NULL;
	for (size_t i = 0; b[i] && b[i] != '='; i++)
		b[j++] = b[i] == '+' ? '-' : b[i] == '/' ? '_' : b[i];
	b[j] = '\0';
	return b;
}

int sv_unbase64url(unsigned char **out, size_t *outlen, const char *in)
{
	size_t len = strlen(in);
	char *t;
	int error;

	*out = NULL;
	*outlen = 0;
	if (len % 4 == 1 || len > SIZE_MAX / 2)
		return sv_error(SCRVAULT_ERROR, "invalid base64url: bad length");
	if ((t = sv_malloc(len + 3)) == NULL)
		return SCRVAULT_ERROR;
	for (size_t i = 0; i < len; i++) {
		if (in[i] == '+' || in[i] == '/' || in[i] == '=') {
			free(t);
			return sv_error(SCRVAULT_ERROR, "invalid base64url: bad character");
		}
		t[i] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
	}
	while (len % 4)
		t[len++] = '=';
	t[len] = '\0';
	error = sv_unbase64(out, outlen, t);
	free(t);
	return error;
}

/* ---- primitives of the age format ------------------------------------------ */

static int chacha_crypt(unsigned char *out, const sv_secret *key,
			const unsigned char nonce[SV_CHACHA_NONCE_LEN],
			const unsigned char *in, size_t len, unsigned char *tag,
			bool enc)
{
	EVP_CIPHER_CTX *c = NULL;
	int n = 0, error = SCRVAULT_ERROR;

	if (key->len != SV_KEY_LEN)
		return sv_error(SCRVAULT_EUSAGE, "chacha20-poly1305 key must be %d bytes",
				SV_KEY_LEN);
	if (len > INT_MAX - SV_CHACHA_TAG_LEN)
		return sv_error(SCRVAULT_EUSAGE, "data to encrypt is too large");
	if ((c = EVP_CIPHER_CTX_new()) == NULL
	    || EVP_CipherInit_ex(c, EVP_chacha20_poly1305(), NULL, NULL, NULL, enc) != 1
	    || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, SV_CHACHA_NONCE_LEN, NULL) != 1
	    || EVP_CipherInit_ex(c, NULL, NULL, key->data, nonce, enc) != 1
	    || (!enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, SV_CHACHA_TAG_LEN,
					    tag) != 1)
	    || (len && (EVP_CipherUpdate(c, out, &n, in, (int)len) != 1
			|| (size_t)n != len))) {
		error = ossl_error(SCRVAULT_ERROR, "chacha20-poly1305 failed");
		goto done;
	}
	if (EVP_CipherFinal_ex(c, out + len, &n) != 1 || n != 0) {
		error = enc ? ossl_error(SCRVAULT_ERROR, "chacha20-poly1305 failed")
			    : ossl_error(SCRVAULT_EINTEGRITY,
					 "chacha20-poly1305 authentication failed");
		goto done;
	}
	if (enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, SV_CHACHA_TAG_LEN,
				       tag) != 1) {
		error = ossl_error(SCRVAULT_ERROR, "chacha20-poly1305 failed");
		goto done;
	}
	error = 0;

done:
	EVP_CIPHER_CTX_free(c);
	if (error < 0 && len)
		OPENSSL_cleanse(out, len);
	return error;
}

int sv_chacha20poly1305_seal(unsigned char *out, const sv_secret *key,
			     const unsigned char nonce[SV_CHACHA_NONCE_LEN],
			     const void *plain, size_t len)
{
	return chacha_crypt(out, key, nonce, plain, len, out + len, true);
}

int sv_chacha20poly1305_open(unsigned char *out, const sv_secret *key,
			     const unsigned char nonce[SV_CHACHA_NONCE_LEN],
			     const unsigned char *in, size_t inlen)
{
	unsigned char tag[SV_CHACHA_TAG_LEN];

	if (inlen < SV_CHACHA_TAG_LEN)
		return sv_error(SCRVAULT_EINTEGRITY, "chacha20-poly1305 ciphertext is too short");
	memcpy(tag, in + inlen - SV_CHACHA_TAG_LEN, SV_CHACHA_TAG_LEN);
	return chacha_crypt(out, key, nonce, in, inlen - SV_CHACHA_TAG_LEN, tag, false);
}

int sv_hmac_sha256(unsigned char out[SV_SHA256_LEN], const sv_secret *key,
		   const void *data, size_t len)
{
	static unsigned char empty[1];
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *mctx = NULL;
	OSSL_PARAM params[2];
	size_t outlen = 0;
	int error = SCRVAULT_ERROR;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL
	    || (mctx = EVP_MAC_CTX_new(mac)) == NULL
	    || EVP_MAC_init(mctx, key->len ? key->data : empty, key->len, params) != 1
	    || (len && EVP_MAC_update(mctx, data, len) != 1)
	    || EVP_MAC_final(mctx, out, &outlen, SV_SHA256_LEN) != 1
	    || outlen != SV_SHA256_LEN) {
		error = ossl_error(SCRVAULT_ERROR, "hmac-sha256 failed");
		goto done;
	}
	error = 0;

done:
	EVP_MAC_CTX_free(mctx);	/* frees (and cleanses) the keyed state */
	EVP_MAC_free(mac);
	return error;
}

int sv_scrypt(sv_secret **out, size_t len, const sv_secret *passphrase,
	      const void *salt, size_t saltlen, unsigned log_n,
	      uint32_t r, uint32_t p)
{
	static unsigned char empty[1];
	OSSL_PARAM params[7], *q = params;
	uint64_t n, maxmem;

	*out = NULL;
	if (log_n < 1 || log_n > 30 || r == 0 || p == 0 || len == 0
	    || (saltlen && !salt))
		return sv_error(SCRVAULT_EUSAGE, "scrypt parameters are out of range");
	n = (uint64_t)1 << log_n;
	maxmem = 128 * (uint64_t)r * n + 128 * (uint64_t)r * p + (1u << 20);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
		passphrase->len ? passphrase->data : empty, passphrase->len);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
		saltlen ? (void *)salt : empty, saltlen);
	*q++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
	*q++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
	*q++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p);
	*q++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem);
	*q = OSSL_PARAM_construct_end();
	return kdf_derive(out, len, "SCRYPT", params, "scrypt key derivation failed");
}

int sv_ed25519_sign_base64(char **out, const sv_secret *priv, const char *text)
{
	unsigned char sig[SV_SIG_LEN];
	int error;

	*out = NULL;
	if ((error = sv_ed25519_sign(sig, priv, text, strlen(text))) < 0)
		return error;
	if (!(*out = sv_base64(sig, sizeof(sig))))
		return SCRVAULT_ERROR;
	return 0;
}
