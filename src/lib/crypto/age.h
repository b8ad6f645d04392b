/*
 * age.h - the age v1 file format (https://age-encryption.org/v1, C2SP).
 *
 * Internal to libscrvault.  What exists: the header (version line, stanzas,
 * MAC line) parser and writer, X25519 recipient stanzas (wrap and unwrap),
 * scrypt recipient stanzas (unwrap only, work factor at most
 * SV_AGE_MAX_WORK_FACTOR), the header MAC, the STREAM payload, Bech32
 * recipients ("age1...") and identities (upper-case Bech32, HRP "age-secret-key-"), and the
 * ASCII armor.  Whole files are handled in memory (sv_age_encrypt,
 * sv_age_decrypt) or streamed in constant memory (sv_age_writer,
 * sv_age_reader); the in-memory functions are built on the streams, so there
 * is one payload implementation.  Cryptography goes through crypto.h only.
 *
 * Every function returns 0 or a negative SCRVAULT_* code with a message set.
 * Malformed or unauthentic input is SCRVAULT_EINTEGRITY; the finer reason a
 * decryption failed is reported as an sv_age_status.
 */
#ifndef SV_AGE_H
#define SV_AGE_H

#include "crypto/crypto.h"
#include "base/common.h"

#define SV_AGE_FILE_KEY_LEN     16
#define SV_AGE_CHUNK            65536
#define SV_AGE_MAC_LEN          32
#define SV_AGE_NONCE_LEN        16
/* The largest scrypt work factor (log2 N) decryption accepts (as age does). */
#define SV_AGE_MAX_WORK_FACTOR  22
/* The longest header a stream reader accepts (and a writer writes). */
#define SV_AGE_MAX_HEADER       (1u << 20)
/* The largest armored input a stream reader de-armors (in memory). */
#define SV_AGE_MAX_ARMORED      (64u << 20)

/* Why a decryption failed; the categories of the C2SP test vectors. */
typedef enum {
	SV_AGE_OK = 0,
	SV_AGE_ARMOR,		/* the ASCII armor is malformed */
	SV_AGE_HEADER,		/* the header does not parse, or a stanza of a
				   known type is malformed or invalid */
	SV_AGE_NO_MATCH,	/* no stanza could be unwrapped */
	SV_AGE_HMAC,		/* a file key was unwrapped, the header MAC is wrong */
	SV_AGE_PAYLOAD,		/* the payload is truncated, extended or corrupt */
	SV_AGE_OTHER		/* usage error, out of memory, library failure */
} sv_age_status;

/* A short lower-case name for a status ("header failure", ...). */
const char *sv_age_status_name(sv_age_status s);

/* ---- Bech32 (BIP 173, no length limit, as age uses it) ------------------- */

/*
 * Encode `len` bytes under `hrp` (lower case).  *out is a new NUL-terminated
 * string; `upper` produces the all-upper-case form.  The caller frees it (or,
 * if it encodes a secret, cleanses it first).
 */
int sv_bech32_encode(char **out, const char *hrp, const unsigned char *data,
		     size_t len, bool upper);
/*
 * Decode `s` (all lower or all upper case, valid checksum, zero padding
 * bits).  *hrp is a new lower-case string, *data new memory of *len bytes;
 * the caller frees both (cleansing *data if it is secret).  Any defect is
 * SCRVAULT_EINTEGRITY.
 */
int sv_bech32_decode(char **hrp, unsigned char **data, size_t *len, const char *s);

/* ---- recipients and identities -------------------------------------------- */

/* "age1..." (lower case) <-> a 32-byte X25519 public key. */
int sv_age_recipient_encode(char **out, const unsigned char pub[SV_KEY_LEN]);
int sv_age_recipient_decode(unsigned char pub[SV_KEY_LEN], const char *s);
/*
 * the upper-case Bech32 identity (HRP "age-secret-key-") <-> a 32-byte X25519 private key.
 * Encoding returns the string in a new secret (NUL-terminated, length
 * includes the NUL); decoding returns a new 32-byte secret.
 */
int sv_age_identity_encode(sv_secret **out, const sv_secret *priv);
int sv_age_identity_decode(sv_secret **priv, const char *s);

/* ---- base64 as age writes it -------------------------------------------------- */

/* Standard alphabet, no padding.  *out is new, NUL-terminated. */
int sv_age_b64_encode(char **out, const unsigned char *in, size_t len);
/*
 * Strict decoding: standard alphabet only, no padding, no whitespace, and
 * canonical (the unused low bits of the last character are zero).  *out is
 * new memory of *outlen bytes.
 */
int sv_age_b64_decode(unsigned char **out, size_t *outlen, const char *in, size_t len);

/* ---- the header ---------------------------------------------------------------- */

/* One recipient stanza.  args[0] is the type; every arg is NUL-terminated. */
typedef struct {
	char **args;
	size_t nargs;
	unsigned char *body;
	size_t bodylen;
} sv_age_stanza;

typedef struct {
	sv_age_stanza *stanzas;
	size_t n;
	unsigned char mac[SV_AGE_MAC_LEN];
	size_t mac_input_len;	/* bytes the MAC covers: up to and including "---" */
	size_t len;		/* the whole header, through the MAC line's LF */
} sv_age_header;

/*
 * Parse the header at the start of `in`.  Strict: LF line ends only, every
 * argument non-empty printable ASCII, body lines of 64 columns ending with a
 * shorter one, canonical unpadded base64, "--- " and a 43-character MAC.
 * At least one stanza.  Malformed: SCRVAULT_EINTEGRITY.  Stanza contents are
 * not interpreted here.  Free with sv_age_header_free.
 */
int sv_age_header_parse(sv_age_header **out, const unsigned char *in, size_t len);
void sv_age_header_free(sv_age_header *h);

/*
 * Write a header of `n` stanzas and its MAC under `file_key` into new memory
 * (*out, *outlen; the caller frees).
 */
int sv_age_header_encode(unsigned char **out, size_t *outlen,
			 const sv_age_stanza *stanzas, size_t n,
			 const sv_secret *file_key);

/*
 * The header MAC: HMAC-SHA256 under HKDF-SHA256(file key, no salt, "header")
 * of `len` bytes of header text (through "---").
 */
int sv_age_header_mac(unsigned char mac[SV_AGE_MAC_LEN], const sv_secret *file_key,
		      const void *hdr, size_t len);

/* ---- ASCII armor ------------------------------------------------------------------ */

/* Armor `len` bytes: BEGIN line, padded base64 in 64-column lines, END line. */
int sv_age_armor(char **out, size_t *outlen, const unsigned char *in, size_t len);
/*
 * Remove the armor.  Whitespace before and after is allowed; LF or CRLF line
 * ends; every line 64 columns but the last (1..64); canonical padded base64;
 * nothing else.  Malformed: SCRVAULT_EINTEGRITY.
 */
int sv_age_dearmor(unsigned char **out, size_t *outlen, const unsigned char *in,
		   size_t len);
/* True when `in` looks armored (optional whitespace, then "-----"). */
bool sv_age_is_armored(const unsigned char *in, size_t len);

/* ---- whole files ----------------------------------------------------------------- */

/* What decryption may use: X25519 identities and/or passphrases. */
typedef struct {
	const sv_secret *const *x25519;	/* 32-byte private keys */
	size_t n_x25519;
	const sv_secret *const *passphrases;	/* tried on an scrypt stanza */
	size_t n_passphrases;
} sv_age_identities;

/* How the input is encoded. */
typedef enum {
	SV_AGE_FORM_AUTO = 0,	/* armored if sv_age_is_armored, else binary */
	SV_AGE_FORM_BINARY,
	SV_AGE_FORM_ARMORED	/* anything but valid armor is SV_AGE_ARMOR */
} sv_age_form;

/*
 * Decrypt a whole age file in the given form.  On success *out
 * holds the plaintext (*outlen bytes, never NULL).  On failure the return is
 * negative and *status says why; for SV_AGE_PAYLOAD only, *out holds the
 * authenticated prefix (every chunk verified before the failure), which the
 * caller must treat as incomplete; otherwise *out is NULL.  Free the
 * plaintext with sv_age_free_plain.  `status` may be NULL.
 */
int sv_age_decrypt(unsigned char **out, size_t *outlen, const unsigned char *in,
		   size_t len, sv_age_form form, const sv_age_identities *ids,
		   sv_age_status *status);

/*
 * Encrypt `len` bytes to `n` (>= 1) X25519 recipients with a fresh file key;
 * `armor` produces the ASCII-armored form.  *out is new (*outlen bytes).
 */
int sv_age_encrypt(unsigned char **out, size_t *outlen, const unsigned char *plain,
		   size_t len, const unsigned char (*recipients)[SV_KEY_LEN], size_t n,
		   bool armor);

/* Cleanse and free a plaintext buffer; NULL-safe. */
void sv_age_free_plain(unsigned char *p, size_t len);

/* ---- streams ---------------------------------------------------------------------- */

/*
 * Where a stream reads from / writes to.  read: the number of bytes read
 * (fewer than `len` is fine; 0 only at the end of the input), or < 0 on
 * error with sv_error set.  write: 0, or < 0 with sv_error set; it must
 * write all `len` bytes.
 */
typedef long (*sv_age_read_fn)(void *ctx, void *buf, size_t len);
typedef int (*sv_age_write_fn)(void *ctx, const void *buf, size_t len);
/* Ready-made source and sink: `ctx` points to an int file descriptor. */
long sv_age_read_fd(void *ctx, void *buf, size_t len);
int sv_age_write_fd(void *ctx, const void *buf, size_t len);

/*
 * Writing an age file in constant memory (one plaintext and one ciphertext
 * chunk):
 *
 *	sv_age_writer_new -> [sv_age_writer_add_stanza ...] -> sv_age_writer_start
 *	-> sv_age_writer_write ... -> sv_age_writer_finish -> sv_age_writer_free
 *
 * or, header last, for a header that depends on the payload (a stanza that
 * carries its digest) and a sink that can be written out of order:
 *
 *	sv_age_writer_new -> [sv_age_writer_add_stanza ...] -> sv_age_writer_header
 *	(its length: reserve that many bytes) -> sv_age_writer_start_payload
 *	-> sv_age_writer_write ... -> sv_age_writer_finish
 *	-> sv_age_writer_replace_stanza ... -> sv_age_writer_header (write it
 *	into the reserved bytes) -> sv_age_writer_free
 *
 * After any failure the writer refuses every further call but _free (what was
 * already written to the sink is not a valid file).
 */
typedef struct sv_age_writer sv_age_writer;

/*
 * A new file to `n` (>= 1) X25519 recipients with a fresh random file key.
 * The recipient stanzas are made here, once (an ephemeral key each), so the
 * header's encoding depends only on the stanzas.  Nothing is written yet.
 */
int sv_age_writer_new(sv_age_writer **out, const unsigned char (*recipients)[SV_KEY_LEN],
		      size_t n);
/*
 * A new 32-byte secret for an extension stanza: HKDF-SHA256(ikm = the file
 * key, salt = empty, info = `label`).  `label` must be non-empty and not one
 * age itself derives from the file key ("header", "payload").
 */
int sv_age_writer_derive(sv_secret **key, const sv_age_writer *w, const char *label);
/*
 * Add a stanza (copied) after the recipient stanzas; only before
 * sv_age_writer_start.  args[0] is the type; every argument non-empty
 * printable ASCII without spaces.  The types age defines ("X25519",
 * "scrypt") are refused: stock age ignores only stanzas it does not know.
 */
int sv_age_writer_add_stanza(sv_age_writer *w, const char *const *args, size_t nargs,
			     const unsigned char *body, size_t bodylen);
/*
 * Write the header (binary form, at most SV_AGE_MAX_HEADER bytes) and the
 * payload nonce to the sink; the payload then goes through _write and
 * _finish.  The sink is kept until sv_age_writer_free.
 */
int sv_age_writer_start(sv_age_writer *w, sv_age_write_fn fn, void *ctx);
/*
 * Header last: as sv_age_writer_start, but write only the payload nonce (and
 * then the payload); the caller has reserved the header's bytes in front of
 * it and writes sv_age_writer_header there once the file is finished.
 */
int sv_age_writer_start_payload(sv_age_writer *w, sv_age_write_fn fn, void *ctx);
/*
 * Replace extra stanza `i` (0 is the first added with
 * sv_age_writer_add_stanza) with a copy of the given one, checked as
 * sv_age_writer_add_stanza checks it.  Allowed until the header is written:
 * before sv_age_writer_start, or at any time (during the payload, after
 * _finish) in a file started with sv_age_writer_start_payload.  A stanza of
 * another encoded length changes the header's length: the writer cannot know
 * what the caller reserved, so the caller compares sv_age_writer_header's
 * length with it and must not write a header of another length into the gap.
 */
int sv_age_writer_replace_stanza(sv_age_writer *w, size_t i, const char *const *args,
				 size_t nargs, const unsigned char *body, size_t bodylen);
/*
 * Encode the header as it stands (version line, recipient stanzas, extra
 * stanzas, MAC) into new memory (*out, *len; the caller frees): the same
 * bytes for the same stanzas, so a length measured before
 * sv_age_writer_start_payload holds at the end unless a stanza changed
 * length.  Any time but after a failure; longer than SV_AGE_MAX_HEADER is
 * SCRVAULT_EUSAGE.
 */
int sv_age_writer_header(const sv_age_writer *w, unsigned char **out, size_t *len);
/* Payload bytes, any length; whole 64 KiB chunks are written as they fill. */
int sv_age_writer_write(sv_age_writer *w, const void *buf, size_t len);
/*
 * Write the last chunk (empty only when the whole file is empty, as the spec
 * requires).  The file is complete only when this returns 0.
 */
int sv_age_writer_finish(sv_age_writer *w);
/* Cleanse the file key, payload key and buffers, and free; NULL-safe. */
void sv_age_writer_free(sv_age_writer *w);

/*
 * Reading an age file in constant memory (one ciphertext chunk and the
 * header), except armored input, which is de-armored whole in memory.
 */
typedef struct sv_age_reader sv_age_reader;

/*
 * Read and parse the header from the source, unwrap the file key with `ids`
 * (X25519 and/or scrypt, with the rules of sv_age_decrypt: stanzas of unknown
 * types are ignored, an scrypt stanza must be alone), verify the header MAC
 * and read the payload nonce.  The header is read in small blocks; one longer
 * than SV_AGE_MAX_HEADER is SV_AGE_HEADER.  Armored input (sv_age_is_armored
 * on the first bytes) is read whole (more than SV_AGE_MAX_ARMORED bytes is
 * SV_AGE_ARMOR), de-armored in memory and then streamed from there.  On
 * failure *out is NULL and *status (may be NULL) says why, as for
 * sv_age_decrypt.
 */
int sv_age_reader_open(sv_age_reader **out, sv_age_read_fn fn, void *ctx,
		       const sv_age_identities *ids, sv_age_status *status);
/* The parsed header: every stanza, including those of unknown types. */
const sv_age_header *sv_age_reader_header(const sv_age_reader *r);
/* As sv_age_writer_derive, with the file key the reader unwrapped. */
int sv_age_reader_derive(sv_secret **key, const sv_age_reader *r, const char *label);
/*
 * The next chunk of authenticated plaintext into `buf` (room for
 * SV_AGE_CHUNK bytes): *n bytes.  *n == 0 is the end: the last chunk has
 * authenticated and the input has ended (and every later call says so
 * again).  Each chunk returned is authentic, but the file is complete only
 * when the end is reached: truncation, trailing data (reported on the call
 * after the last chunk), an empty chunk that is not the only one and a chunk
 * that does not authenticate are SCRVAULT_EINTEGRITY with *status
 * SV_AGE_PAYLOAD; an error from the source is returned with SV_AGE_OTHER.
 * After an error every further call fails.  `status` may be NULL.
 */
int sv_age_reader_read(sv_age_reader *r, unsigned char *buf, size_t *n,
		       sv_age_status *status);
/* Cleanse and free; NULL-safe. */
void sv_age_reader_free(sv_age_reader *r);

#endif
