/*
 * crypto.h - every cryptographic primitive libscrvault uses.
 *
 * crypto.c is the only file that includes OpenSSL (kdf.c: libargon2).  The rest of
 * the library sees opaque secrets and fixed-size public values.  Nothing in
 * here prints, logs or writes a file.
 *
 * Secrets live in OpenSSL's secure heap (mlocked, never swapped where the
 * kernel allows) and are cleansed when freed.  sv_crypto_init() must be called
 * once before any other function here.
 */
#ifndef SV_CRYPTO_H
#define SV_CRYPTO_H

#include "base/common.h"



#define SV_KEY_LEN        32	/* symmetric keys, X25519 and Ed25519 keys */
#define SV_SHA256_LEN     32
#define SV_SIG_LEN        64	/* Ed25519 signature */
#define SV_GCM_NONCE_LEN  12
#define SV_GCM_TAG_LEN    16
/* A sealed key: nonce || ciphertext || tag (sv_crypto_seal). */
#define SV_SEALED_LEN(n)  (SV_GCM_NONCE_LEN + (n) + SV_GCM_TAG_LEN)

/* ---- process and secret memory ------------------------------------------ */

/*
 * Set up the secure heap (and fail if it cannot be had).  Idempotent.
 */
int sv_crypto_init(void);
/*
 * sv_crypto_init for a process that uses nothing of OpenSSL but what this
 * file does (sealing bundles and opening releases: no TLS, no certificates):
 * OpenSSL's legacy algorithm name tables (EVP_get_cipherbyname and the like,
 * which X.509 verification needs) and its error strings (never shown: see
 * ossl_error) are not built, about 0.45 ms of a 4 ms command.  Only the
 * first initialisation in a process counts: call it before anything else.
 */
int sv_crypto_init_lean(void);
/*
 * Whether the secure heap is locked in memory (mlock succeeded); false when
 * it could not be locked or not set up at all.  A key that unlocks a vault
 * is not unwrapped into an unlocked heap unless the caller allows it
 * (scrvault_open_options, SCRVAULT_OPEN_ALLOW_UNLOCKED_MEMORY).
 */
bool sv_secure_heap_locked(void);

/* A secret byte string in secure memory.  Opaque on purpose. */
typedef struct sv_secret sv_secret;

/* New zeroed secret of `len` bytes. */
int sv_secret_new(sv_secret **out, size_t len);
/* New secret of `len` fresh random bytes. */
int sv_secret_random(sv_secret **out, size_t len);
/* New secret holding a copy of `len` bytes at `data`. */
int sv_secret_from(sv_secret **out, const void *data, size_t len);
/* Cleanse and free; NULL-safe. */
void sv_secret_free(sv_secret *s);
unsigned char *sv_secret_data(const sv_secret *s);
size_t sv_secret_len(const sv_secret *s);

/* Cleanse ordinary memory (OPENSSL_cleanse). */
void sv_cleanse(void *p, size_t len);
/* Wipe `len` bytes at p, then free it (NULL-safe): the end of every buffer
 * that held plaintext or key material. */
void sv_cleanse_free(void *p, size_t len);
/* Constant-time comparison; 0 when equal. */
int sv_memcmp_ct(const void *a, const void *b, size_t len);

/* Fill with random bytes from the OpenSSL DRBG. */
int sv_random(void *out, size_t len);

/* ---- hashing --------------------------------------------------------------- */

/* One-shot SHA-256 of public data (the context is not cleansed); it needs
 * no memory and cannot fail. */
void sv_sha256(unsigned char out[SV_SHA256_LEN], const void *data, size_t len);
/* The same over `a` then `b` (a leaf hash: 0x00, then the entry). */
void sv_sha256_parts(unsigned char out[SV_SHA256_LEN], const void *a, size_t alen, const void *b, size_t blen);

/* SHA-256 and SHA-1 streams are one kind of context (crypto.c), each made
 * by its own _new. */
typedef struct sv_digest sv_digest;
typedef sv_digest sv_sha256_ctx;
int sv_sha256_new(sv_sha256_ctx **out);
int sv_sha256_update(sv_sha256_ctx *c, const void *data, size_t len);
int sv_sha256_final(sv_sha256_ctx *c, unsigned char out[SV_SHA256_LEN]);
void sv_sha256_free(sv_sha256_ctx *c);

/*
 * Streaming SHA-1, for git object ids only (loose.c hashes the blobs it
 * writes with it).  Never use it for anything that needs collision
 * resistance against chosen input.
 */
#define SV_SHA1_LEN       20

typedef sv_digest sv_sha1_ctx;
int sv_sha1_new(sv_sha1_ctx **out);
int sv_sha1_update(sv_sha1_ctx *c, const void *data, size_t len);
int sv_sha1_final(sv_sha1_ctx *c, unsigned char out[SV_SHA1_LEN]);
void sv_sha1_free(sv_sha1_ctx *c);

/*
 * HKDF-SHA256 (RFC 5869) of `ikm` with `salt` (may be NULL/0) and `info`
 * into a new secret of `len` bytes.
 */
int sv_hkdf(sv_secret **out, size_t len, const sv_secret *ikm,
	    const void *salt, size_t saltlen, const void *info, size_t infolen);

/* ---- sealing small secrets (key wrapping) --------------------------------- */

/*
 * AES-256-GCM with a random nonce: out (SV_SEALED_LEN(len) bytes) =
 * nonce || ciphertext || tag, `aad` bound.  Used to wrap DEKs under the KEK,
 * the audit key under its wrapping key, and key-file contents.
 */
int sv_seal(unsigned char *out, const sv_secret *key,
	    const void *plain, size_t len, const void *aad, size_t aadlen);
/*
 * Open what sv_seal made.  `sealedlen` must be SV_SEALED_LEN(n); on success
 * *out is a new secret of n bytes.  A bad tag returns SCRVAULT_EINTEGRITY.
 */
int sv_open(sv_secret **out, const sv_secret *key, const unsigned char *sealed,
	    size_t sealedlen, const void *aad, size_t aadlen);

/*
 * AES-256-GCM with the caller's nonce (never reuse a (key, nonce) pair: a
 * counter under a one-use key, as the upload spool does).  Seal: `out`
 * receives len + SV_GCM_TAG_LEN bytes (ciphertext || tag).  Open: `in` is
 * ciphertext || tag (inlen >= 16), `out` receives inlen - 16 bytes; a bad
 * tag is SCRVAULT_EINTEGRITY with `out` cleansed.
 */
int sv_gcm_seal_at(unsigned char *out, const sv_secret *key, const unsigned char nonce[SV_GCM_NONCE_LEN],
		   const void *plain, size_t len, const void *aad, size_t aadlen);
int sv_gcm_open_at(unsigned char *out, const sv_secret *key, const unsigned char nonce[SV_GCM_NONCE_LEN],
		   const unsigned char *in, size_t inlen, const void *aad, size_t aadlen);

/* ---- public-key primitives ------------------------------------------------- */

/* Fresh X25519 / Ed25519 private key (32 raw bytes) and its public half. */
int sv_x25519_keygen(sv_secret **priv, unsigned char pub[SV_KEY_LEN]);
int sv_ed25519_keygen(sv_secret **priv, unsigned char pub[SV_KEY_LEN]);
int sv_x25519_public(unsigned char pub[SV_KEY_LEN], const sv_secret *priv);
int sv_ed25519_public(unsigned char pub[SV_KEY_LEN], const sv_secret *priv);

/* X25519(priv, peer) into a new 32-byte secret; rejects an all-zero result. */
int sv_x25519(sv_secret **out, const sv_secret *priv,
	      const unsigned char peer[SV_KEY_LEN]);

int sv_ed25519_sign(unsigned char sig[SV_SIG_LEN], const sv_secret *priv,
		    const void *msg, size_t len);
/* 0 when valid, SCRVAULT_EINTEGRITY when not. */
int sv_ed25519_verify(const unsigned char sig[SV_SIG_LEN],
		      const unsigned char pub[SV_KEY_LEN],
		      const void *msg, size_t len);

/*
 * Wrap a secret to an X25519 public key: an ephemeral key pair, ECDH, HKDF
 * (salt = eph_pub || recipient_pub, info = `label`) and sv_seal with `aad`.
 * out: eph_pub (32) || sealed (SV_SEALED_LEN(len)).
 */
#define SV_WRAP_LEN(n) (SV_KEY_LEN + SV_SEALED_LEN(n))
int sv_wrap_to(unsigned char *out, const unsigned char recipient[SV_KEY_LEN],
	       const sv_secret *secret, const char *label,
	       const void *aad, size_t aadlen);
int sv_unwrap_with(sv_secret **out, const sv_secret *x25519_priv,
		   const unsigned char *wrapped, size_t wrappedlen,
		   const char *label, const void *aad, size_t aadlen);

/* ---- the blob stream (DESIGN §4) ------------------------------------------ */

/*
 * A document version's ciphertext:
 *
 *   header  "SCRVBLOB" | version 0x01 | alg 0x01 (AES-256-GCM) |
 *           log2 chunk 0x10 | reserved 0x00  (12 bytes)
 *   chunks  each min(64 KiB, rest) of plaintext -> ciphertext || 16-byte tag;
 *           nonce = 11-byte big-endian chunk counter || last-chunk flag;
 *           aad   = header || context (the document id and version)
 *
 * An empty plaintext is one empty final chunk.  Every chunk but the last is
 * full; the last is flagged, so truncation, extension, reordering and a blob
 * moved to another document or version are all detected.
 */
#define SV_BLOB_HEADER_LEN 12
#define SV_BLOB_CHUNK      65536
/* One chunk of ciphertext: its plaintext and the tag. */
#define SV_BLOB_CT_CHUNK   (SV_BLOB_CHUNK + SV_GCM_TAG_LEN)

/* Exact ciphertext size for a plaintext of `plainlen` bytes. */
uint64_t sv_blob_size(uint64_t plainlen);

typedef struct sv_blob_enc sv_blob_enc;
typedef struct sv_blob_dec sv_blob_dec;

/*
 * Encryption: sv_blob_enc_new writes the header into `hdr`.  Then call
 * sv_blob_enc_chunk once per chunk: `in` holds inlen bytes (SV_BLOB_CHUNK
 * except for the last), `last` is true for the final one, `out` receives
 * inlen + SV_GCM_TAG_LEN bytes.
 */
int sv_blob_enc_new(sv_blob_enc **out, unsigned char hdr[SV_BLOB_HEADER_LEN],
		    const sv_secret *dek, const void *ctx, size_t ctxlen);
int sv_blob_enc_chunk(sv_blob_enc *e, unsigned char *out,
		      const unsigned char *in, size_t inlen, bool last);
void sv_blob_enc_free(sv_blob_enc *e);

/*
 * Decryption: sv_blob_dec_new checks the header (SCRVAULT_EINTEGRITY on a
 * bad or unknown one).  sv_blob_dec_chunk takes one ciphertext chunk
 * (inlen = plaintext + 16) and whether it is the last one in the blob, and
 * writes inlen - 16 bytes of verified plaintext.  A chunk that fails to
 * authenticate returns SCRVAULT_EINTEGRITY and leaves `out` undefined.
 */
int sv_blob_dec_new(sv_blob_dec **out, const unsigned char hdr[SV_BLOB_HEADER_LEN],
		    const sv_secret *dek, const void *ctx, size_t ctxlen);
int sv_blob_dec_chunk(sv_blob_dec *d, unsigned char *out,
		      const unsigned char *in, size_t inlen, bool last);
void sv_blob_dec_free(sv_blob_dec *d);

/* ---- primitives of the age format (age.c) ---------------------------------- */

#define SV_CHACHA_NONCE_LEN  12

/*
 * The nonce of chunk `counter` of a chunked stream (the blob format's GCM
 * chunks, age's STREAM payload): an 11-byte big-endian counter, then 1 for
 * the last chunk, 0 before it.  12 bytes, both ciphers' nonce size.
 */
void sv_chunk_nonce(unsigned char nonce[SV_GCM_NONCE_LEN], uint64_t counter, bool last);
_Static_assert(SV_GCM_NONCE_LEN == SV_CHACHA_NONCE_LEN, "one chunk nonce for both ciphers");
#define SV_CHACHA_TAG_LEN    16

/*
 * ChaCha20-Poly1305 (RFC 8439) with the caller's 12-byte nonce and no
 * associated data.  Seal: out receives len + SV_CHACHA_TAG_LEN bytes
 * (ciphertext || tag).  Open: `in` is ciphertext || tag (inlen >= 16), out
 * receives inlen - 16 bytes, and a bad tag returns SCRVAULT_EINTEGRITY with
 * `out` cleansed.  The key must be SV_KEY_LEN bytes.  Never reuse a
 * (key, nonce) pair; age only ever uses each key once per nonce.
 */
int sv_chacha20poly1305_seal(unsigned char *out, const sv_secret *key,
			     const unsigned char nonce[SV_CHACHA_NONCE_LEN],
			     const void *plain, size_t len);
int sv_chacha20poly1305_open(unsigned char *out, const sv_secret *key,
			     const unsigned char nonce[SV_CHACHA_NONCE_LEN],
			     const unsigned char *in, size_t inlen);

/* HMAC-SHA256 of public data under a secret key. */
int sv_hmac_sha256(unsigned char out[SV_SHA256_LEN], const sv_secret *key,
		   const void *data, size_t len);

/*
 * scrypt (RFC 7914) with N = 2^log_n, r, p into a new secret of `len` bytes.
 * log_n must be 1..30; the memory ceiling is set to what the parameters need
 * (128 * r * N plus slack), so the caller must bound log_n itself.
 */
int sv_scrypt(sv_secret **out, size_t len, const sv_secret *passphrase,
	      const void *salt, size_t saltlen, unsigned log_n,
	      uint32_t r, uint32_t p);

/*
 * Sign the text `text` with `priv`: *out owns the signature in base64 (free
 * it), or is NULL on failure.
 */
int sv_ed25519_sign_base64(char **out, const sv_secret *priv, const char *text);

#endif
