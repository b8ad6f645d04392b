/*
 * age.c - the age v1 file format (see age.h and https://age-encryption.org/v1).
 *
 * Parsing is strict where the spec and the C2SP test vectors are: anything
 * that is not exactly what an encoder would have written is rejected.  All
 * cryptography goes through crypto.h; the file key, wrap keys, payload
 * key and derived keys live in sv_secret, and plaintext buffers are cleansed
 * before free.
 *
 * The payload has one implementation, the streams (sv_age_writer,
 * sv_age_reader); the whole-file functions at the end run on them.  The
 * reader never holds more than the header and one sealed chunk (armored
 * input aside), and must never release plaintext that did not authenticate.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "crypto/age.h"
#include "crypto/crypto.h"
#include "base/common.h"

#define VERSION_LINE  "age-encryption.org/v1"
#define X25519_LABEL  "age-encryption.org/v1/X25519"
#define SCRYPT_LABEL  "age-encryption.org/v1/scrypt"
#define ARMOR_BEGIN   "-----BEGIN AGE ENCRYPTED FILE-----"
#define ARMOR_END     "-----END AGE ENCRYPTED FILE-----"
#define BODY_COLS     64
#define ENC_CHUNK     (SV_AGE_CHUNK + SV_CHACHA_TAG_LEN)

const char *sv_age_status_name(sv_age_status s)
{
	switch (s) {
	case SV_AGE_OK:       return "success";
	case SV_AGE_ARMOR:    return "armor failure";
	case SV_AGE_HEADER:   return "header failure";
	case SV_AGE_NO_MATCH: return "no match";
	case SV_AGE_HMAC:     return "HMAC failure";
	case SV_AGE_PAYLOAD:  return "payload failure";
	default:              return "error";
	}
}

void sv_age_free_plain(unsigned char *p, size_t len)
{
	sv_cleanse_free(p, len);
}

/* ---- a growable byte buffer (public data only) ------------------------------- */

struct buf {
	unsigned char *p;
	size_t n, cap;
};

/* Make room for `len` more bytes (and a NUL). */
static int buf_reserve(struct buf *b, size_t len)
{
	if (len > SIZE_MAX - 1 - b->n)
		return sv_error(SCRVAULT_EUSAGE, "age data is too large");
	return sv_grow(&b->p, &b->cap, b->n + len + 1, 1, 256);
}

static int buf_add(struct buf *b, const void *data, size_t len)
{
	int error;

	if ((error = buf_reserve(b, len)) < 0)
		return error;
	if (len)
		memcpy(b->p + b->n, data, len);
	b->n += len;
	b->p[b->n] = '\0';
	return 0;
}

static int buf_str(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

/* ---- base64 ----------------------------------------------------------------- */

/*
 * age's base64 is the standard alphabet without padding, canonical only.
 * The one base64 codec is sv_base64/sv_unbase64 (crypto.c, strict, padded):
 * these adapt it.
 */
static int b64_encode(char **out, const unsigned char *in, size_t len, bool pad)
{
	char *s = sv_base64(in, len);
	size_t n;

	*out = NULL;
	if (!s)
		return SCRVAULT_ERROR;
	n = strlen(s);
	while (!pad && n && s[n - 1] == '=')
		s[--n] = '\0';
	*out = s;
	return 0;
}

/* Strict unpadded decoding of `len` characters. */
static int b64_decode(unsigned char **out, size_t *outlen, const char *in, size_t len)
{
	size_t padn = (4 - len % 4) % 4;
	char *t;
	int error;

	*out = NULL;
	*outlen = 0;
	if (len % 4 == 1)
		return sv_error(SCRVAULT_EINTEGRITY, "base64 of impossible length");
	if (memchr(in, '=', len) || memchr(in, '\0', len))
		return sv_error(SCRVAULT_EINTEGRITY, "invalid base64 character");
	if ((t = sv_malloc(len + padn + 1)) == NULL)
		return SCRVAULT_ERROR;
	memcpy(t, in, len);
	memset(t + len, '=', padn);
	t[len + padn] = '\0';
	error = sv_unbase64(out, outlen, t);
	free(t);
	if (error < 0)
		return sv_error(SCRVAULT_EINTEGRITY, "base64 is not canonical or has an invalid character");
	return 0;
}

int sv_age_b64_encode(char **out, const unsigned char *in, size_t len)
{
	return b64_encode(out, in, len, false);
}

int sv_age_b64_decode(unsigned char **out, size_t *outlen, const char *in, size_t len)
{
	return b64_decode(out, outlen, in, len);
}

/* Decode exactly `want` bytes of unpadded base64 into `out`. */
static int b64_decode_fixed(unsigned char *out, size_t want, const char *in)
{
	unsigned char *d = NULL;
	size_t n = 0;
	int error;

	if ((error = b64_decode(&d, &n, in, strlen(in))) < 0)
		return error;
	if (n != want) {
		sv_cleanse_free(d, n);
		return sv_error(SCRVAULT_EINTEGRITY, "base64 value of %zu bytes, want %zu",
				n, want);
	}
	memcpy(out, d, n);
	sv_cleanse_free(d, n);
	return 0;
}

/* ---- Bech32 ------------------------------------------------------------------ */

static const char bech32_chars[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t bech32_polymod(uint32_t chk, unsigned v)
{
	static const uint32_t gen[5] = {
		0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3
	};
	uint32_t top = chk >> 25;
	int i;

	chk = ((chk & 0x1ffffff) << 5) ^ v;
	for (i = 0; i < 5; i++)
		if ((top >> i) & 1)
			chk ^= gen[i];
	return chk;
}

static uint32_t bech32_hrp_chk(const char *hrp, size_t hlen)
{
	uint32_t chk = 1;
	size_t i;

	for (i = 0; i < hlen; i++)
		chk = bech32_polymod(chk, (unsigned char)hrp[i] >> 5);
	chk = bech32_polymod(chk, 0);
	for (i = 0; i < hlen; i++)
		chk = bech32_polymod(chk, (unsigned char)hrp[i] & 31);
	return chk;
}

int sv_bech32_encode(char **out, const char *hrp, const unsigned char *data,
		     size_t len, bool upper)
{
	size_t hlen = strlen(hrp), i, o = 0, n5 = (len * 8 + 4) / 5;
	unsigned char *five = NULL;
	uint32_t chk, acc = 0;
	int bits = 0;
	char *s = NULL;

	*out = NULL;
	for (i = 0; i < hlen; i++)
		if (hrp[i] < 33 || hrp[i] > 126 || (hrp[i] >= 'A' && hrp[i] <= 'Z'))
			return sv_error(SCRVAULT_EUSAGE, "invalid bech32 prefix");
	if (hlen == 0 || len > SIZE_MAX / 16)
		return sv_error(SCRVAULT_EUSAGE, "invalid bech32 input");
	if ((five = sv_malloc(n5 + 1)) == NULL
	    || (s = sv_malloc(hlen + 1 + n5 + 6 + 1)) == NULL) {
		free(five);
		return SCRVAULT_ERROR;
	}
	for (i = 0; i < len; i++) {
		acc = (acc << 8) | data[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			five[o++] = (acc >> bits) & 31;
		}
		acc &= (1u << bits) - 1;
	}
	if (bits)
		five[o++] = (acc << (5 - bits)) & 31;
	chk = bech32_hrp_chk(hrp, hlen);
	for (i = 0; i < o; i++)
		chk = bech32_polymod(chk, five[i]);
	for (i = 0; i < 6; i++)
		chk = bech32_polymod(chk, 0);
	chk ^= 1;

	memcpy(s, hrp, hlen);
	s[hlen] = '1';
	for (i = 0; i < o; i++)
		s[hlen + 1 + i] = bech32_chars[five[i]];
	for (i = 0; i < 6; i++)
		s[hlen + 1 + o + i] = bech32_chars[(chk >> (5 * (5 - i))) & 31];
	s[hlen + 1 + o + 6] = '\0';
	if (upper)
		for (i = 0; s[i]; i++)
			if (s[i] >= 'a' && s[i] <= 'z')
				s[i] = (char)(s[i] - 'a' + 'A');
	sv_cleanse_free(five, n5 + 1);
	*out = s;
	return 0;
}

int sv_bech32_decode(char **hrp, unsigned char **data, size_t *len, const char *s)
{
	size_t slen = strlen(s), sep, i, o = 0, ndata = 0;
	bool lower = false, upper = false;
	unsigned char *d = NULL;
	char *h = NULL;
	uint32_t chk, acc = 0;
	int bits = 0;

	*hrp = NULL;
	*data = NULL;
	*len = 0;
	for (i = 0; i < slen; i++) {
		if (s[i] < 33 || s[i] > 126)
			return sv_error(SCRVAULT_EINTEGRITY, "invalid bech32 character");
		lower |= s[i] >= 'a' && s[i] <= 'z';
		upper |= s[i] >= 'A' && s[i] <= 'Z';
	}
	if (lower && upper)
		return sv_error(SCRVAULT_EINTEGRITY, "bech32 string of mixed case");
	if ((h = sv_strdup(s)) == NULL)
		return SCRVAULT_ERROR;
	for (i = 0; i < slen; i++)
		if (h[i] >= 'A' && h[i] <= 'Z')
			h[i] = (char)(h[i] - 'A' + 'a');
	if ((sep = (size_t)(strrchr(h, '1') ? strrchr(h, '1') - h : 0)) == 0
	    || slen - sep - 1 < 6)
		goto bad;
	chk = bech32_hrp_chk(h, sep);
	ndata = slen - sep - 1 - 6;
	if ((d = sv_malloc(ndata * 5 / 8 + 1)) == NULL) {
		sv_cleanse_free(h, slen);
		return SCRVAULT_ERROR;
	}
	for (i = sep + 1; i < slen; i++) {
		const char *c = strchr(bech32_chars, h[i]);

		if (!c || !*c)
			goto bad;
		chk = bech32_polymod(chk, (unsigned)(c - bech32_chars));
		if (i < slen - 6) {
			acc = (acc << 5) | (uint32_t)(c - bech32_chars);
			bits += 5;
			if (bits >= 8) {
				bits -= 8;
				d[o++] = (unsigned char)(acc >> bits);
				acc &= (1u << bits) - 1;
			}
		}
	}
	if (chk != 1 || bits >= 5 || acc != 0)
		goto bad;
	h[sep] = '\0';
	sv_cleanse(h + sep, slen - sep);
	*hrp = h;
	*data = d;
	*len = o;
	return 0;

bad:
	sv_cleanse_free(d, ndata * 5 / 8 + 1);
	sv_cleanse_free(h, slen);
	return sv_error(SCRVAULT_EINTEGRITY, "invalid bech32 string");
}

/* ---- recipients and identities ----------------------------------------------- */

int sv_age_recipient_encode(char **out, const unsigned char pub[SV_KEY_LEN])
{
	return sv_bech32_encode(out, "age", pub, SV_KEY_LEN, false);
}

int sv_age_recipient_decode(unsigned char pub[SV_KEY_LEN], const char *s)
{
	unsigned char *d = NULL;
	char *hrp = NULL;
	size_t n = 0;
	int error;

	if (strncmp(s, "age1", 4) != 0)
		return sv_error(SCRVAULT_EINTEGRITY, "not an age recipient (want lower-case 'age1...')");
	if ((error = sv_bech32_decode(&hrp, &d, &n, s)) < 0)
		return error;
	if (strcmp(hrp, "age") != 0 || n != SV_KEY_LEN)
		error = sv_error(SCRVAULT_EINTEGRITY, "not an X25519 age recipient");
	else
		memcpy(pub, d, SV_KEY_LEN);
	free(hrp);
	free(d);
	return error;
}

int sv_age_identity_encode(sv_secret **out, const sv_secret *priv)
{
	char *s = NULL;
	int error;

	*out = NULL;
	if (sv_secret_len(priv) != SV_KEY_LEN)
		return sv_error(SCRVAULT_EUSAGE, "an X25519 identity is %d bytes", SV_KEY_LEN);
	if ((error = sv_bech32_encode(&s, "age-secret-key-", sv_secret_data(priv),
				      SV_KEY_LEN, true)) < 0)
		return error;
	error = sv_secret_from(out, s, strlen(s) + 1);
	sv_cleanse_free(s, strlen(s));
	return error;
}

int sv_age_identity_decode(sv_secret **priv, const char *s)
{
	unsigned char *d = NULL;
	char *hrp = NULL;
	size_t n = 0;
	int error;

	*priv = NULL;
	/* Identities are written upper case only (Bech32 forbids mixed case). */
	for (const char *c = s; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			return sv_error(SCRVAULT_EINTEGRITY,
					"not an age X25519 identity (identities are upper case)");
	if ((error = sv_bech32_decode(&hrp, &d, &n, s)) < 0)
		return error;
	if (strcmp(hrp, "age-secret-key-") != 0 || n != SV_KEY_LEN)
		error = sv_error(SCRVAULT_EINTEGRITY, "not an age X25519 identity");
	else
		error = sv_secret_from(priv, d, SV_KEY_LEN);
	sv_cleanse_free(d, n);
	free(hrp);
	return error;
}

/*
 * The scrypt stanza's work factor: plain decimal, no leading zero, 1 to
 * SV_AGE_MAX_WORK_FACTOR; 0 when it is anything else.
 */
static unsigned work_factor(const char *w)
{
	char *end = NULL;
	unsigned long v;

	if (!w || w[0] < '1' || w[0] > '9' || strlen(w) > 2 || strspn(w, "0123456789") != strlen(w))
		return 0;
	v = strtoul(w, &end, 10);
	return *end == '\0' && v <= SV_AGE_MAX_WORK_FACTOR ? (unsigned)v : 0;
}

/* ---- the header -------------------------------------------------------------- */

static void stanza_clear(sv_age_stanza *s)
{
	size_t i;

	for (i = 0; i < s->nargs; i++)
		free(s->args[i]);
	free(s->args);
	sv_cleanse_free(s->body, s->bodylen);
	memset(s, 0, sizeof(*s));
}

/* The n stanzas of an array, and the array. */
static void stanzas_free(sv_age_stanza *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		stanza_clear(&s[i]);
	free(s);
}

void sv_age_header_free(sv_age_header *h)
{
	if (!h)
		return;
	stanzas_free(h->stanzas, h->n);
	free(h);
}

/* The next LF-terminated line at *pos: its start and length (without LF). */
static bool next_line(const unsigned char *in, size_t len, size_t *pos,
		      const char **line, size_t *llen)
{
	const unsigned char *nl;

	if (*pos >= len || (nl = memchr(in + *pos, '\n', len - *pos)) == NULL)
		return false;
	*line = (const char *)in + *pos;
	*llen = (size_t)(nl - (in + *pos));
	*pos += *llen + 1;
	return true;
}

static int parse_stanza(sv_age_stanza *st, const unsigned char *in, size_t len,
			size_t *pos, const char *line, size_t llen)
{
	struct buf body = { NULL, 0, 0 };
	size_t i, start;
	int error = SCRVAULT_EINTEGRITY;

	/* "-> " then args separated by single spaces, each non-empty VCHAR */
	for (i = 3, start = 3; i <= llen; i++) {
		if (i < llen && line[i] != ' ') {
			if ((unsigned char)line[i] < 33 || (unsigned char)line[i] > 126)
				goto bad;
			continue;
		}
		if (i == start)
			goto bad;
		{
			char **a = sv_realloc(st->args, (st->nargs + 1) * sizeof(*a));

			if (!a) {
				error = SCRVAULT_ERROR;
				goto fail;
			}
			st->args = a;
			if ((a[st->nargs] = sv_strndup(line + start, i - start)) == NULL) {
				error = SCRVAULT_ERROR;
				goto fail;
			}
			st->nargs++;
		}
		start = i + 1;
	}
	if (st->nargs == 0)
		goto bad;
	/* body lines: full 64-column lines, then one shorter (maybe empty) line */
	for (;;) {
		const char *b;
		size_t blen;

		/* (the characters are checked when the body is decoded below) */
		if (!next_line(in, len, pos, &b, &blen) || blen > BODY_COLS)
			goto bad;
		if ((error = buf_add(&body, b, blen)) < 0)
			goto fail;
		error = SCRVAULT_EINTEGRITY;
		if (blen < BODY_COLS)
			break;
	}
	if (b64_decode(&st->body, &st->bodylen, body.n ? (char *)body.p : "", body.n) < 0)
		goto bad;
	free(body.p);
	return 0;

bad:
	error = sv_error(SCRVAULT_EINTEGRITY, "malformed age header: bad recipient stanza");
fail:
	free(body.p);
	stanza_clear(st);
	return error;
}

int sv_age_header_parse(sv_age_header **out, const unsigned char *in, size_t len)
{
	sv_age_header *h;
	const char *line;
	size_t pos = 0, llen;
	int error;

	*out = NULL;
	if ((h = sv_calloc(1, sizeof(*h))) == NULL)
		return SCRVAULT_ERROR;
	if (!next_line(in, len, &pos, &line, &llen)
	    || llen != strlen(VERSION_LINE) || memcmp(line, VERSION_LINE, llen) != 0) {
		error = sv_error(SCRVAULT_EINTEGRITY,
				 "not an age v1 file (bad or unsupported version line)");
		goto fail;
	}
	for (;;) {
		size_t lstart = pos;

		if (!next_line(in, len, &pos, &line, &llen)) {
			error = sv_error(SCRVAULT_EINTEGRITY, "malformed age header: no MAC line");
			goto fail;
		}
		if (llen >= 3 && memcmp(line, "-> ", 3) == 0) {
			sv_age_stanza *s = sv_realloc(h->stanzas, (h->n + 1) * sizeof(*s));

			if (!s) {
				error = SCRVAULT_ERROR;
				goto fail;
			}
			h->stanzas = s;
			memset(&s[h->n], 0, sizeof(*s));
			if ((error = parse_stanza(&s[h->n], in, len, &pos, line, llen)) < 0)
				goto fail;
			h->n++;
			continue;
		}
		if (llen == 4 + 43 && memcmp(line, "--- ", 4) == 0) {
			char mac[44];

			memcpy(mac, line + 4, 43);
			mac[43] = '\0';
			if (b64_decode_fixed(h->mac, SV_AGE_MAC_LEN, mac) < 0) {
				error = sv_error(SCRVAULT_EINTEGRITY,
						 "malformed age header: bad MAC encoding");
				goto fail;
			}
			h->mac_input_len = lstart + 3;
			h->len = pos;
			break;
		}
		error = sv_error(SCRVAULT_EINTEGRITY, "malformed age header: unexpected line");
		goto fail;
	}
	if (h->n == 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "age header has no recipient stanza");
		goto fail;
	}
	*out = h;
	return 0;

fail:
	sv_age_header_free(h);
	return error;
}

int sv_age_header_mac(unsigned char mac[SV_AGE_MAC_LEN], const sv_secret *file_key,
		      const void *hdr, size_t len)
{
	sv_secret *k = NULL;
	int error;

	if ((error = sv_hkdf(&k, SV_SHA256_LEN, file_key, NULL, 0, "header", 6)) == 0)
		error = sv_hmac_sha256(mac, k, hdr, len);
	sv_secret_free(k);
	return error;
}

static int write_stanza(struct buf *b, const sv_age_stanza *st)
{
	char *enc = NULL;
	size_t i, elen;
	int error;

	if (st->nargs == 0)
		return sv_error(SCRVAULT_EUSAGE, "a stanza needs a type");
	if ((error = buf_str(b, "->")) < 0)
		return error;
	for (i = 0; i < st->nargs; i++) {
		const char *a = st->args[i];

		if (!*a || strspn(a, "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~") != strlen(a))
			return sv_error(SCRVAULT_EUSAGE, "invalid stanza argument");
		if ((error = buf_str(b, " ")) < 0 || (error = buf_str(b, a)) < 0)
			return error;
	}
	if ((error = buf_str(b, "\n")) < 0
	    || (error = b64_encode(&enc, st->body, st->bodylen, false)) < 0)
		return error;
	elen = strlen(enc);
	for (i = 0; i <= elen; i += BODY_COLS) {
		size_t n = elen - i < BODY_COLS ? elen - i : BODY_COLS;

		if ((error = buf_add(b, enc + i, n)) < 0 || (error = buf_str(b, "\n")) < 0)
			break;
		if (n < BODY_COLS)
			break;
	}
	free(enc);
	return error;
}

int sv_age_header_encode(unsigned char **out, size_t *outlen,
			 const sv_age_stanza *stanzas, size_t n,
			 const sv_secret *file_key)
{
	struct buf b = { NULL, 0, 0 };
	unsigned char mac[SV_AGE_MAC_LEN];
	char *enc = NULL;
	size_t i;
	int error;

	*out = NULL;
	*outlen = 0;
	if ((error = buf_str(&b, VERSION_LINE "\n")) < 0)
		goto fail;
	for (i = 0; i < n; i++)
		if ((error = write_stanza(&b, &stanzas[i])) < 0)
			goto fail;
	if ((error = buf_str(&b, "---")) < 0
	    || (error = sv_age_header_mac(mac, file_key, b.p, b.n)) < 0
	    || (error = b64_encode(&enc, mac, sizeof(mac), false)) < 0
	    || (error = buf_str(&b, " ")) < 0 || (error = buf_str(&b, enc)) < 0
	    || (error = buf_str(&b, "\n")) < 0)
		goto fail;
	free(enc);
	*out = b.p;
	*outlen = b.n;
	return 0;

fail:
	free(enc);
	free(b.p);
	return error;
}

/* ---- ASCII armor ------------------------------------------------------------- */

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool sv_age_is_armored(const unsigned char *in, size_t len)
{
	size_t i = 0;

	while (i < len && is_space(in[i]))
		i++;
	return len - i >= 5 && memcmp(in + i, "-----", 5) == 0;
}

int sv_age_armor(char **out, size_t *outlen, const unsigned char *in, size_t len)
{
	struct buf b = { NULL, 0, 0 };
	char *enc = NULL;
	size_t i, elen;
	int error;

	*out = NULL;
	*outlen = 0;
	if ((error = b64_encode(&enc, in, len, true)) < 0)
		return error;
	elen = strlen(enc);
	if ((error = buf_str(&b, ARMOR_BEGIN "\n")) < 0)
		goto done;
	for (i = 0; i < elen; i += BODY_COLS) {
		size_t n = elen - i < BODY_COLS ? elen - i : BODY_COLS;

		if ((error = buf_add(&b, enc + i, n)) < 0 || (error = buf_str(&b, "\n")) < 0)
			goto done;
	}
	if ((error = buf_str(&b, ARMOR_END "\n")) < 0)
		goto done;
	*out = (char *)b.p;
	*outlen = b.n;
	b.p = NULL;

done:
	free(b.p);
	free(enc);
	return error;
}

int sv_age_dearmor(unsigned char **out, size_t *outlen, const unsigned char *in,
		   size_t len)
{
	struct buf b64 = { NULL, 0, 0 };
	size_t start = 0, end = len, pos, llen, pad;
	const char *line;
	bool ended = false, short_seen = false;
	int error = SCRVAULT_EINTEGRITY;

	*out = NULL;
	*outlen = 0;
	while (start < end && is_space(in[start]))
		start++;
	while (end > start && is_space(in[end - 1]))
		end--;
	pos = start;
	while (pos < end) {
		const unsigned char *nl = memchr(in + pos, '\n', end - pos);

		line = (const char *)in + pos;
		llen = nl ? (size_t)(nl - (in + pos)) : end - pos;
		pos += llen + (nl ? 1 : 0);
		if (llen && line[llen - 1] == '\r')
			llen--;
		if (line == (const char *)in + start) {
			if (llen != strlen(ARMOR_BEGIN) || memcmp(line, ARMOR_BEGIN, llen) != 0)
				goto bad;
			continue;
		}
		if (llen == strlen(ARMOR_END) && memcmp(line, ARMOR_END, llen) == 0) {
			if (pos != end || nl)
				goto bad;
			ended = true;
			break;
		}
		/* (the characters are checked when the whole is decoded below) */
		if (short_seen || llen == 0 || llen > BODY_COLS)
			goto bad;
		if (llen < BODY_COLS)
			short_seen = true;
		if ((error = buf_add(&b64, line, llen)) < 0)
			goto fail;
		error = SCRVAULT_EINTEGRITY;
	}
	if (!ended || b64.n % 4 != 0)
		goto bad;
	/* padding: at most two '=', only at the very end */
	for (pad = 0; pad < b64.n && b64.p[b64.n - 1 - pad] == '='; pad++)
		;
	if (pad > 2 || (b64.n && memchr(b64.p, '=', b64.n - pad)))
		goto bad;
	if (b64_decode(out, outlen, b64.n ? (char *)b64.p : "", b64.n - pad) < 0)
		goto bad;
	free(b64.p);
	return 0;

bad:
	error = sv_error(SCRVAULT_EINTEGRITY, "malformed age armor");
fail:
	free(b64.p);
	return error;
}

/* ---- recipient stanzas ------------------------------------------------------- */

static const unsigned char zero_nonce[SV_CHACHA_NONCE_LEN];

/* X25519 wrap key: HKDF(shared, eph || recipient, X25519_LABEL). */
static int x25519_wrap_key(sv_secret **key, const sv_secret *shared,
			   const unsigned char eph[SV_KEY_LEN],
			   const unsigned char recipient[SV_KEY_LEN])
{
	unsigned char salt[2 * SV_KEY_LEN];

	memcpy(salt, eph, SV_KEY_LEN);
	memcpy(salt + SV_KEY_LEN, recipient, SV_KEY_LEN);
	return sv_hkdf(key, SV_KEY_LEN, shared, salt, sizeof(salt),
		       X25519_LABEL, strlen(X25519_LABEL));
}

/* Check a stanza of a known type: 0, or SCRVAULT_EINTEGRITY (header failure). */
static int check_stanza(const sv_age_stanza *st, size_t nstanzas)
{
	unsigned char tmp[SV_KEY_LEN];
	const char *w;

	if (strcmp(st->args[0], "X25519") == 0) {
		if (st->nargs != 2 || b64_decode_fixed(tmp, SV_KEY_LEN, st->args[1]) < 0
		    || st->bodylen != SV_AGE_FILE_KEY_LEN + SV_CHACHA_TAG_LEN)
			return sv_error(SCRVAULT_EINTEGRITY, "malformed X25519 stanza");
	} else if (strcmp(st->args[0], "scrypt") == 0) {
		if (nstanzas != 1)
			return sv_error(SCRVAULT_EINTEGRITY,
					"an scrypt stanza must be the only one");
		if (st->nargs != 3 || b64_decode_fixed(tmp, 16, st->args[1]) < 0
		    || st->bodylen != SV_AGE_FILE_KEY_LEN + SV_CHACHA_TAG_LEN)
			return sv_error(SCRVAULT_EINTEGRITY, "malformed scrypt stanza");
		w = st->args[2];
		if (work_factor(w) == 0)
			return sv_error(SCRVAULT_EINTEGRITY,
					"scrypt work factor is invalid or above %d",
					SV_AGE_MAX_WORK_FACTOR);
	}
	return 0;
}

/*
 * Open a stanza body (the file key sealed under `wrap`, zero nonce): 0 with
 * *file_key set, 1 when it does not open (not this recipient), <0 on error.
 */
static int open_file_key(sv_secret **file_key, const sv_secret *wrap, const sv_age_stanza *st)
{
	sv_secret *fk = NULL;
	int error;

	if ((error = sv_secret_new(&fk, SV_AGE_FILE_KEY_LEN)) < 0)
		return error;
	if (sv_chacha20poly1305_open(sv_secret_data(fk), wrap, zero_nonce, st->body, st->bodylen) < 0) {
		sv_secret_free(fk);
		return 1;
	}
	*file_key = fk;
	return 0;
}

/*
 * Try to unwrap one stanza (unwrap_x25519, unwrap_scrypt): 0 with *file_key
 * set; 1 when it is not for this identity; negative (SCRVAULT_EINTEGRITY =
 * header failure) when it is invalid in a way no identity could fix.
 */
static int unwrap_x25519(sv_secret **file_key, const sv_age_stanza *st,
			 const sv_secret *priv)
{
	unsigned char eph[SV_KEY_LEN], me[SV_KEY_LEN];
	sv_secret *shared = NULL, *wrap = NULL;
	int error;

	*file_key = NULL;
	if ((error = b64_decode_fixed(eph, SV_KEY_LEN, st->args[1])) < 0
	    || (error = sv_x25519_public(me, priv)) < 0)
		return error;
	if ((error = sv_x25519(&shared, priv, eph)) < 0) {
		error = sv_error(SCRVAULT_EINTEGRITY,
				 "X25519 stanza with a low-order share");
		goto done;
	}
	if ((error = x25519_wrap_key(&wrap, shared, eph, me)) == 0)
		error = open_file_key(file_key, wrap, st);

done:
	sv_secret_free(wrap);
	sv_secret_free(shared);
	return error;
}

static int unwrap_scrypt(sv_secret **file_key, const sv_age_stanza *st,
			 const sv_secret *pass)
{
	unsigned char salt[sizeof(SCRYPT_LABEL) - 1 + 16];
	sv_secret *wrap = NULL;
	int error;

	*file_key = NULL;
	memcpy(salt, SCRYPT_LABEL, sizeof(SCRYPT_LABEL) - 1);
	if ((error = b64_decode_fixed(salt + sizeof(SCRYPT_LABEL) - 1, 16, st->args[1])) == 0 &&
	    (error = sv_scrypt(&wrap, SV_KEY_LEN, pass, salt, sizeof(salt),
			       work_factor(st->args[2]), 8, 1)) == 0)
		error = open_file_key(file_key, wrap, st);
	sv_secret_free(wrap);
	return error;
}

/* ---- the payload ------------------------------------------------------------- */

static int payload_key(sv_secret **key, const sv_secret *file_key,
		       const unsigned char nonce[SV_AGE_NONCE_LEN])
{
	return sv_hkdf(key, SV_KEY_LEN, file_key, nonce, SV_AGE_NONCE_LEN,
		       "payload", 7);
}

/*
 * A key for an extension stanza: HKDF-SHA256(file key, no salt, label).
 * "header" would hand out the header MAC key itself, so the labels age uses
 * are refused.
 */
static int derive_key(sv_secret **key, const sv_secret *file_key, const char *label)
{
	*key = NULL;
	if (!file_key)
		return sv_error(SCRVAULT_EUSAGE, "no age file key to derive a key from");
	if (!label || !*label)
		return sv_error(SCRVAULT_EUSAGE, "a key derived from an age file key needs a label");
	if (strcmp(label, "header") == 0 || strcmp(label, "payload") == 0)
		return sv_error(SCRVAULT_EUSAGE, "label '%s' is reserved by age", label);
	return sv_hkdf(key, SV_KEY_LEN, file_key, NULL, 0, label, strlen(label));
}

/* ---- sources and sinks ------------------------------------------------------- */

long sv_age_read_fd(void *ctx, void *buf, size_t len)
{
	int fd = *(const int *)ctx;
	ssize_t n;

	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return sv_error(SCRVAULT_ERROR, "cannot read the age input: %s", strerror(errno));
	return (long)n;
}

int sv_age_write_fd(void *ctx, const void *buf, size_t len)
{
	if (sv_write_all(*(const int *)ctx, buf, len) < 0)
		return sv_error(SCRVAULT_ERROR, "cannot write the age output: %s", errno ? strerror(errno) : "no progress");
	return 0;
}

/* A sink that appends to a struct buf (sv_age_encrypt). */
static int buf_sink(void *ctx, const void *data, size_t len)
{
	return buf_add(ctx, data, len);
}

/* ---- the writer -------------------------------------------------------------- */

enum { W_NEW, W_STARTED, W_DONE, W_FAILED };

struct sv_age_writer {
	sv_secret *file_key;
	sv_secret *payload_key;		/* from start to finish */
	sv_age_stanza *stanzas;		/* recipients, then extensions */
	size_t n;
	size_t nrecip;			/* the recipient stanzas, first in stanzas */
	bool header_out;		/* sv_age_writer_start wrote the header */
	sv_age_write_fn fn;
	void *ctx;
	unsigned char *plain;		/* the chunk being filled: SV_AGE_CHUNK */
	size_t fill;
	unsigned char *sealed;		/* one sealed chunk: ENC_CHUNK */
	bool pending;			/* sealed holds chunk `counter`, a whole
					   one sealed as not the last, unwritten */
	uint64_t counter;
	int state;
};

/* An X25519 stanza wrapping `file_key` to `recipient` (a fresh ephemeral key). */
static int x25519_stanza(sv_age_stanza *st, const sv_secret *file_key,
			 const unsigned char recipient[SV_KEY_LEN])
{
	unsigned char eph[SV_KEY_LEN];
	sv_secret *ephpriv = NULL, *shared = NULL, *wrap = NULL;
	int error = SCRVAULT_ERROR;

	memset(st, 0, sizeof(*st));
	if ((st->args = sv_calloc(2, sizeof(char *))) == NULL)
		goto done;
	st->nargs = 2;
	if ((st->body = sv_malloc(SV_AGE_FILE_KEY_LEN + SV_CHACHA_TAG_LEN)) == NULL)
		goto done;
	st->bodylen = SV_AGE_FILE_KEY_LEN + SV_CHACHA_TAG_LEN;
	if ((error = sv_x25519_keygen(&ephpriv, eph)) < 0
	    || (error = sv_x25519(&shared, ephpriv, recipient)) < 0
	    || (error = x25519_wrap_key(&wrap, shared, eph, recipient)) < 0
	    || (error = sv_chacha20poly1305_seal(st->body, wrap, zero_nonce,
						 sv_secret_data(file_key),
						 SV_AGE_FILE_KEY_LEN)) < 0)
		goto done;
	if ((st->args[0] = sv_strdup("X25519")) == NULL) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	error = b64_encode(&st->args[1], eph, SV_KEY_LEN, false);

done:
	sv_secret_free(wrap);
	sv_secret_free(shared);
	sv_secret_free(ephpriv);
	if (error < 0)
		stanza_clear(st);
	return error;
}

void sv_age_writer_free(sv_age_writer *w)
{
	if (!w)
		return;
	stanzas_free(w->stanzas, w->n);
	sv_cleanse_free(w->plain, SV_AGE_CHUNK);
	sv_cleanse_free(w->sealed, ENC_CHUNK);
	sv_secret_free(w->payload_key);
	sv_secret_free(w->file_key);
	free(w);
}

int sv_age_writer_new(sv_age_writer **out, const unsigned char (*recipients)[SV_KEY_LEN],
		      size_t n)
{
	sv_age_writer *w;
	size_t i;
	int error;

	*out = NULL;
	if (n == 0 || !recipients)
		return sv_error(SCRVAULT_EUSAGE, "an age file needs at least one recipient");
	if ((w = sv_calloc(1, sizeof(*w))) == NULL)
		return SCRVAULT_ERROR;
	if ((w->stanzas = sv_calloc(n, sizeof(*w->stanzas))) == NULL) {
		error = SCRVAULT_ERROR;
		goto fail;
	}
	if ((error = sv_secret_random(&w->file_key, SV_AGE_FILE_KEY_LEN)) < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		if ((error = x25519_stanza(&w->stanzas[i], w->file_key, recipients[i])) < 0)
			goto fail;
		w->n++;
	}
	w->nrecip = n;
	*out = w;
	return 0;

fail:
	sv_age_writer_free(w);
	return error;
}

int sv_age_writer_derive(sv_secret **key, const sv_age_writer *w, const char *label)
{
	return derive_key(key, w ? w->file_key : NULL, label);
}

/* One stanza argument: non-empty, printable ASCII, no space. */
static bool valid_arg(const char *a)
{
	if (!a || !*a)
		return false;
	for (; *a; a++)
		if ((unsigned char)*a < 33 || (unsigned char)*a > 126)
			return false;
	return true;
}

/*
 * A checked copy of a stanza for sv_age_writer_add_stanza and
 * sv_age_writer_replace_stanza into *st (cleared on failure).
 */
static int stanza_copy(sv_age_stanza *st, const char *const *args, size_t nargs,
		       const unsigned char *body, size_t bodylen)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	if (!args || nargs == 0)
		return sv_error(SCRVAULT_EUSAGE, "an age stanza needs a type");
	if (bodylen && !body)
		return sv_error(SCRVAULT_EUSAGE, "an age stanza body of %zu bytes is missing", bodylen);
	for (i = 0; i < nargs; i++)
		if (!valid_arg(args[i]))
			return sv_error(SCRVAULT_EUSAGE,
					"age stanza argument %zu is empty or not printable ASCII without spaces",
					i);
	if (strcmp(args[0], "X25519") == 0 || strcmp(args[0], "scrypt") == 0)
		return sv_error(SCRVAULT_EUSAGE,
				"age stanza type '%s' is for recipients, not an extension", args[0]);
	if ((st->args = sv_calloc(nargs, sizeof(char *))) == NULL)
		goto fail;
	st->nargs = nargs;
	for (i = 0; i < nargs; i++)
		if ((st->args[i] = sv_strdup(args[i])) == NULL)
			goto fail;
	if ((st->body = sv_malloc(bodylen ? bodylen : 1)) == NULL)
		goto fail;
	if (bodylen)
		memcpy(st->body, body, bodylen);
	st->bodylen = bodylen;
	return 0;

fail:
	stanza_clear(st);
	return SCRVAULT_ERROR;
}

int sv_age_writer_add_stanza(sv_age_writer *w, const char *const *args, size_t nargs,
			     const unsigned char *body, size_t bodylen)
{
	sv_age_stanza st, *s;
	int error;

	if (!w)
		return sv_error(SCRVAULT_EUSAGE, "no age writer");
	if (w->state != W_NEW)
		return sv_error(SCRVAULT_EUSAGE,
				"age stanzas can only be added before the header is written");
	if ((error = stanza_copy(&st, args, nargs, body, bodylen)) < 0)
		return error;
	if ((s = sv_realloc(w->stanzas, (w->n + 1) * sizeof(*s))) == NULL) {
		stanza_clear(&st);
		return SCRVAULT_ERROR;
	}
	w->stanzas = s;
	s[w->n++] = st;
	return 0;
}

int sv_age_writer_replace_stanza(sv_age_writer *w, size_t i, const char *const *args,
				 size_t nargs, const unsigned char *body, size_t bodylen)
{
	sv_age_stanza st;
	int error;

	if (!w)
		return sv_error(SCRVAULT_EUSAGE, "no age writer");
	if (w->state == W_FAILED)
		return sv_error(SCRVAULT_ERROR, "the age writer failed earlier");
	if (w->header_out)
		return sv_error(SCRVAULT_EUSAGE,
				"age stanzas can only be replaced before the header is written");
	if (i >= w->n - w->nrecip)
		return sv_error(SCRVAULT_EUSAGE, "the age file has no extra stanza %zu", i);
	if ((error = stanza_copy(&st, args, nargs, body, bodylen)) < 0)
		return error;
	stanza_clear(&w->stanzas[w->nrecip + i]);
	w->stanzas[w->nrecip + i] = st;
	return 0;
}

/* The header as it stands, at most SV_AGE_MAX_HEADER bytes. */
static int writer_header(const sv_age_writer *w, unsigned char **out, size_t *len)
{
	int error;

	if ((error = sv_age_header_encode(out, len, w->stanzas, w->n, w->file_key)) < 0)
		return error;
	if (*len > SV_AGE_MAX_HEADER) {
		error = sv_error(SCRVAULT_EUSAGE, "age header of %zu bytes is longer than %u",
				 *len, SV_AGE_MAX_HEADER);
		free(*out);
		*out = NULL;
		*len = 0;
	}
	return error;
}

int sv_age_writer_header(const sv_age_writer *w, unsigned char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	if (!w)
		return sv_error(SCRVAULT_EUSAGE, "no age writer");
	if (w->state == W_FAILED)
		return sv_error(SCRVAULT_ERROR, "the age writer failed earlier");
	return writer_header(w, out, len);
}

/*
 * Start the payload: buffers, a fresh nonce and the payload key; write the
 * header (sv_age_writer_start) or not (sv_age_writer_start_payload), then
 * the nonce.
 */
static int writer_begin(sv_age_writer *w, sv_age_write_fn fn, void *ctx, bool header)
{
	unsigned char *hdr = NULL, nonce[SV_AGE_NONCE_LEN];
	size_t hdrlen = 0;
	int error = SCRVAULT_ERROR;

	if (!w || !fn)
		return sv_error(SCRVAULT_EUSAGE, "no age writer or sink");
	if (w->state != W_NEW)
		return sv_error(SCRVAULT_EUSAGE, "the age header has already been written");
	if ((w->plain = sv_malloc(SV_AGE_CHUNK)) == NULL
	    || (w->sealed = sv_malloc(ENC_CHUNK)) == NULL)
		goto done;
	if (header && (error = writer_header(w, &hdr, &hdrlen)) < 0)
		goto done;
	if ((error = sv_random(nonce, sizeof(nonce))) < 0
	    || (error = payload_key(&w->payload_key, w->file_key, nonce)) < 0)
		goto done;
	w->fn = fn;
	w->ctx = ctx;
	w->header_out = header;
	if ((header && (error = fn(ctx, hdr, hdrlen)) < 0)
	    || (error = fn(ctx, nonce, sizeof(nonce))) < 0)
		goto done;
	w->state = W_STARTED;
	error = 0;

done:
	free(hdr);
	if (error < 0)
		w->state = W_FAILED;
	return error;
}

int sv_age_writer_start(sv_age_writer *w, sv_age_write_fn fn, void *ctx)
{
	return writer_begin(w, fn, ctx, true);
}

int sv_age_writer_start_payload(sv_age_writer *w, sv_age_write_fn fn, void *ctx)
{
	return writer_begin(w, fn, ctx, false);
}

static int writer_ready(const sv_age_writer *w)
{
	if (!w)
		return sv_error(SCRVAULT_EUSAGE, "no age writer");
	switch (w->state) {
	case W_STARTED:
		return 0;
	case W_NEW:
		return sv_error(SCRVAULT_EUSAGE, "the age header has not been written yet");
	case W_DONE:
		return sv_error(SCRVAULT_EUSAGE, "the age file is already finished");
	default:
		return sv_error(SCRVAULT_ERROR, "the age writer failed earlier");
	}
}

/* Seal `len` bytes at `src` as chunk `counter` into w->sealed. */
static int writer_seal(sv_age_writer *w, const unsigned char *src, size_t len, bool last)
{
	unsigned char nonce[SV_CHACHA_NONCE_LEN];
	int error;

	sv_chunk_nonce(nonce, w->counter, last);
	if ((error = sv_chacha20poly1305_seal(w->sealed, w->payload_key, nonce,
					      len ? src : NULL, len)) < 0)
		w->state = W_FAILED;
	return error;
}

/* Write w->sealed, chunk `counter` of `len` plaintext bytes, and count it. */
static int writer_emit(sv_age_writer *w, size_t len)
{
	int error;

	if ((error = w->fn(w->ctx, w->sealed, len + SV_CHACHA_TAG_LEN)) < 0) {
		w->state = W_FAILED;
		return error;
	}
	w->pending = false;
	w->counter++;
	return 0;
}

/* Seal the buffered plaintext as chunk `counter` and write it. */
static int writer_flush(sv_age_writer *w, bool last)
{
	int error;

	if ((error = writer_seal(w, w->plain, w->fill, last)) < 0
	    || (error = writer_emit(w, w->fill)) < 0)
		return error;
	sv_cleanse(w->plain, w->fill);
	w->fill = 0;
	return 0;
}

int sv_age_writer_write(sv_age_writer *w, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	int error;

	if ((error = writer_ready(w)) < 0)
		return error;
	if (len && !buf)
		return sv_error(SCRVAULT_EUSAGE, "no data to write to the age file");
	while (len) {
		size_t k;

		/* a full chunk is sealed only when more follows: the last
		 * chunk must be flagged, and only an empty file ends with an
		 * empty one */
		if (w->pending && (error = writer_emit(w, SV_AGE_CHUNK)) < 0)
			return error;
		if (w->fill == SV_AGE_CHUNK && (error = writer_flush(w, false)) < 0)
			return error;
		if (w->fill == 0 && len >= SV_AGE_CHUNK) {
			/* a whole chunk of the caller's, sealed where it is (no
			 * copy) as not the last, and written when more follows;
			 * if nothing does, _finish seals it again as the last */
			if ((error = writer_seal(w, p, SV_AGE_CHUNK, false)) < 0)
				return error;
			w->pending = true;
			p += SV_AGE_CHUNK;
			len -= SV_AGE_CHUNK;
			continue;
		}
		k = SV_AGE_CHUNK - w->fill < len ? SV_AGE_CHUNK - w->fill : len;
		memcpy(w->plain + w->fill, p, k);
		w->fill += k;
		p += k;
		len -= k;
	}
	return 0;
}

int sv_age_writer_finish(sv_age_writer *w)
{
	unsigned char nonce[SV_CHACHA_NONCE_LEN];
	int error;

	if ((error = writer_ready(w)) < 0)
		return error;
	if (w->pending) {
		/* the chunk sealed ahead is the last: back to plaintext, and
		 * sealed again under the last-chunk nonce (the first sealing
		 * is never written) */
		sv_chunk_nonce(nonce, w->counter, false);
		if ((error = sv_chacha20poly1305_open(w->plain, w->payload_key, nonce, w->sealed,
						      ENC_CHUNK)) < 0) {
			w->state = W_FAILED;
			return error;
		}
		w->fill = SV_AGE_CHUNK;
		w->pending = false;
	}
	if ((error = writer_flush(w, true)) < 0)
		return error;
	w->state = W_DONE;
	sv_secret_free(w->payload_key);
	w->payload_key = NULL;
	return 0;
}

/* ---- the reader -------------------------------------------------------------- */

#define HDR_BLOCK 4096

struct sv_age_reader {
	sv_age_read_fn fn;		/* the source; NULL once it has ended */
	void *ctx;
	unsigned char *own;		/* what the reader read ahead or de-armored */
	size_t ownlen;
	const unsigned char *pre;	/* bytes to read before the source's */
	size_t prelen, prepos;
	sv_age_header *h;
	sv_secret *file_key, *payload_key;
	unsigned char *sealed;		/* one sealed chunk: ENC_CHUNK */
	uint64_t counter;
	bool last;			/* the last chunk has been returned */
	bool trailing;			/* and input follows it */
	int error;			/* < 0 once a call has failed */
	sv_age_status failed;		/* and why */
};

/* One call to the source: *got bytes, 0 at the end (which is remembered). */
static int src_call(sv_age_reader *r, unsigned char *buf, size_t len, size_t *got)
{
	long n;

	*got = 0;
	if (!r->fn || len == 0)
		return 0;
	if ((n = r->fn(r->ctx, buf, len)) < 0)
		return n < INT_MIN ? SCRVAULT_ERROR : (int)n;
	if ((unsigned long)n > len)
		return sv_error(SCRVAULT_EUSAGE, "the age source returned more than was asked for");
	if (n == 0)
		r->fn = NULL;
	*got = (size_t)n;
	return 0;
}

/* Read `len` bytes (fewer only at the end of the input) into `buf`. */
static int src_read(sv_age_reader *r, unsigned char *buf, size_t len, size_t *got)
{
	size_t k;
	int error;

	*got = 0;
	if (r->prepos < r->prelen) {
		k = r->prelen - r->prepos < len ? r->prelen - r->prepos : len;
		memcpy(buf, r->pre + r->prepos, k);
		r->prepos += k;
		*got = k;
	}
	while (*got < len && r->fn) {
		if ((error = src_call(r, buf + *got, len - *got, &k)) < 0)
			return error;
		*got += k;
	}
	return 0;
}

/* Armored input: read the rest of it into `b`, up to SV_AGE_MAX_ARMORED bytes. */
static int read_rest(sv_age_reader *r, struct buf *b, sv_age_status *st)
{
	size_t got, room;
	int error;

	while (r->fn) {
		room = SV_AGE_MAX_ARMORED + 1 - b->n;
		if (room > SV_AGE_CHUNK)
			room = SV_AGE_CHUNK;
		if ((error = buf_reserve(b, room)) < 0
		    || (error = src_call(r, b->p + b->n, room, &got)) < 0) {
			*st = SV_AGE_OTHER;
			return error;
		}
		b->n += got;
		if (b->n > SV_AGE_MAX_ARMORED) {
			*st = SV_AGE_ARMOR;
			return sv_error(SCRVAULT_EINTEGRITY,
					"armored age input is larger than %u MiB (decrypt it unarmored)",
					SV_AGE_MAX_ARMORED >> 20);
		}
	}
	return 0;
}

/*
 * Read the start of a streamed input into `b`.  Binary input is read in
 * small blocks until the MAC line is complete (the first line after the
 * version line that begins "---": no other header line begins with '-' but
 * a stanza's "-> "), until the input stops looking like an age file, or until
 * it ends; the parser then says whether it is a header.  Input that begins
 * with white space or '-' could only be armor: all of it is read and
 * *armored set.
 */
static int read_head(sv_age_reader *r, struct buf *b, bool *armored, sv_age_status *st)
{
	static const char want[] = VERSION_LINE "\n";
	size_t scan = 0, got, k;
	const unsigned char *nl;
	int error;

	*armored = false;
	for (;;) {
		if (b->n && (is_space(b->p[0]) || b->p[0] == '-')) {
			*armored = true;
			return read_rest(r, b, st);
		}
		k = b->n < sizeof(want) - 1 ? b->n : sizeof(want) - 1;
		if (k && memcmp(b->p, want, k) != 0)
			return 0;
		while (scan < b->n && (nl = memchr(b->p + scan, '\n', b->n - scan)) != NULL) {
			size_t llen = (size_t)(nl - (b->p + scan));

			if (scan > 0 && llen >= 3 && memcmp(b->p + scan, "---", 3) == 0)
				return 0;
			scan += llen + 1;
		}
		if (b->n >= SV_AGE_MAX_HEADER) {
			*st = SV_AGE_HEADER;
			return sv_error(SCRVAULT_EINTEGRITY, "age header is longer than %u bytes",
					SV_AGE_MAX_HEADER);
		}
		if (!r->fn)
			return 0;
		if ((error = buf_reserve(b, HDR_BLOCK)) < 0
		    || (error = src_call(r, b->p + b->n, HDR_BLOCK, &got)) < 0) {
			*st = SV_AGE_OTHER;
			return error;
		}
		b->n += got;
	}
}

void sv_age_reader_free(sv_age_reader *r)
{
	if (!r)
		return;
	sv_cleanse_free(r->own, r->ownlen);
	sv_cleanse_free(r->sealed, ENC_CHUNK);
	sv_age_header_free(r->h);
	sv_secret_free(r->payload_key);
	sv_secret_free(r->file_key);
	free(r);
}

/* Unwrap the file key from the parsed header with `ids` into r->file_key. */
static int reader_unwrap(sv_age_reader *r, const sv_age_identities *ids, sv_age_status *st)
{
	const sv_age_header *h = r->h;
	size_t i, j;
	int error;

	for (i = 0; i < h->n; i++)
		if ((error = check_stanza(&h->stanzas[i], h->n)) < 0) {
			*st = SV_AGE_HEADER;
			return error;
		}
	for (i = 0; i < h->n && !r->file_key; i++) {
		const sv_age_stanza *s = &h->stanzas[i];

		error = 1;
		if (strcmp(s->args[0], "X25519") == 0) {
			for (j = 0; j < ids->n_x25519 && error == 1; j++)
				error = unwrap_x25519(&r->file_key, s, ids->x25519[j]);
		} else if (strcmp(s->args[0], "scrypt") == 0) {
			for (j = 0; j < ids->n_passphrases && error == 1; j++)
				error = unwrap_scrypt(&r->file_key, s, ids->passphrases[j]);
		}
		if (error < 0) {
			*st = error == SCRVAULT_EINTEGRITY ? SV_AGE_HEADER : SV_AGE_OTHER;
			return error;
		}
	}
	if (!r->file_key) {
		*st = SV_AGE_NO_MATCH;
		return sv_error(SCRVAULT_EDENIED, "no identity matches a recipient of the age file");
	}
	return 0;
}

/*
 * Open a reader on a source (`fn`, streamed) or on a whole input in memory
 * (`mem`, for sv_age_decrypt: no header limit, `form` as given, and the
 * memory must outlive the reader).
 */
static int reader_open(sv_age_reader **out, sv_age_read_fn fn, void *ctx,
		       const unsigned char *mem, size_t memlen, sv_age_form form,
		       const sv_age_identities *ids, sv_age_status *status)
{
	sv_age_status st = SV_AGE_OTHER;
	struct buf b = { NULL, 0, 0 };
	unsigned char mac[SV_AGE_MAC_LEN], nonce[SV_AGE_NONCE_LEN];
	const unsigned char *data = mem;
	size_t len = memlen, got;
	sv_age_reader *r = NULL;
	bool armored = false;
	int error;

	*out = NULL;
	if (!ids || (ids->n_x25519 && !ids->x25519)
	    || (ids->n_passphrases && !ids->passphrases)) {
		error = sv_error(SCRVAULT_EUSAGE, "no identities to decrypt with");
		goto fail;
	}
	if ((r = sv_calloc(1, sizeof(*r))) == NULL) {
		error = SCRVAULT_ERROR;
		goto fail;
	}
	if (fn) {
		r->fn = fn;
		r->ctx = ctx;
		error = read_head(r, &b, &armored, &st);
		r->own = b.p;
		r->ownlen = b.cap;
		if (error < 0)
			goto fail;
		data = b.p ? b.p : (const unsigned char *)"";
		len = b.n;
		armored = armored && sv_age_is_armored(data, len);
	} else {
		armored = form == SV_AGE_FORM_ARMORED
			  || (form == SV_AGE_FORM_AUTO && sv_age_is_armored(mem, memlen));
	}
	if (armored) {
		unsigned char *bin = NULL;
		size_t binlen = 0;

		if ((error = sv_age_dearmor(&bin, &binlen, data, len)) < 0) {
			st = error == SCRVAULT_EINTEGRITY ? SV_AGE_ARMOR : SV_AGE_OTHER;
			goto fail;
		}
		sv_cleanse_free(r->own, r->ownlen);
		r->own = bin;
		r->ownlen = binlen;
		data = bin ? bin : (const unsigned char *)"";
		len = binlen;
	}
	if ((error = sv_age_header_parse(&r->h, data, len)) < 0) {
		st = error == SCRVAULT_EINTEGRITY ? SV_AGE_HEADER : SV_AGE_OTHER;
		goto fail;
	}
	if (fn && r->h->len > SV_AGE_MAX_HEADER) {
		error = sv_error(SCRVAULT_EINTEGRITY, "age header is longer than %u bytes",
				 SV_AGE_MAX_HEADER);
		st = SV_AGE_HEADER;
		goto fail;
	}
	if ((error = reader_unwrap(r, ids, &st)) < 0)
		goto fail;
	if ((error = sv_age_header_mac(mac, r->file_key, data, r->h->mac_input_len)) < 0)
		goto fail;
	if (sv_memcmp_ct(mac, r->h->mac, SV_AGE_MAC_LEN) != 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "age header MAC does not verify");
		st = SV_AGE_HMAC;
		goto fail;
	}
	/* what was read past the header is the start of the payload */
	r->pre = data;
	r->prelen = len;
	r->prepos = r->h->len;
	if ((error = src_read(r, nonce, sizeof(nonce), &got)) < 0)
		goto fail;
	if (got < sizeof(nonce)) {
		error = sv_error(SCRVAULT_EINTEGRITY, "age file has no payload nonce");
		st = SV_AGE_HEADER;
		goto fail;
	}
	if ((error = payload_key(&r->payload_key, r->file_key, nonce)) < 0)
		goto fail;
	if ((r->sealed = sv_malloc(ENC_CHUNK)) == NULL) {
		error = SCRVAULT_ERROR;
		goto fail;
	}
	*out = r;
	if (status)
		*status = SV_AGE_OK;
	return 0;

fail:
	if (r)
		sv_age_reader_free(r);
	else
		free(b.p);
	if (status)
		*status = st;
	return error;
}

int sv_age_reader_open(sv_age_reader **out, sv_age_read_fn fn, void *ctx,
		       const sv_age_identities *ids, sv_age_status *status)
{
	if (!fn) {
		*out = NULL;
		if (status)
			*status = SV_AGE_OTHER;
		return sv_error(SCRVAULT_EUSAGE, "no source to read the age file from");
	}
	return reader_open(out, fn, ctx, NULL, 0, SV_AGE_FORM_AUTO, ids, status);
}

const sv_age_header *sv_age_reader_header(const sv_age_reader *r)
{
	return r ? r->h : NULL;
}

int sv_age_reader_derive(sv_secret **key, const sv_age_reader *r, const char *label)
{
	return derive_key(key, r ? r->file_key : NULL, label);
}

static int reader_fail(sv_age_reader *r, int error, sv_age_status st, sv_age_status *status)
{
	r->error = error;
	r->failed = st;
	if (status)
		*status = st;
	return error;
}

/*
 * The next chunk into `buf`.  It writes only the chunk's plaintext (16 bytes
 * less than the chunk read), so sv_age_decrypt can pass a buffer that is
 * merely as large as what is left of its input.
 *
 * A chunk is the last one if it is short, or if it is full and opens only
 * with the last-chunk nonce.  As age does, an authentic chunk is released
 * even when what follows it makes the file fail: an unflagged full chunk
 * at the end of the input (the file was cut at a chunk boundary: the next call
 * fails), and a last chunk that input follows (the next call fails).
 */
static int reader_chunk(sv_age_reader *r, unsigned char *buf, size_t *n,
			sv_age_status *status)
{
	unsigned char nonce[SV_CHACHA_NONCE_LEN], extra;
	size_t got = 0, more = 0;
	bool last;
	int error;

	*n = 0;
	if (r->error < 0) {
		if (status)
			*status = r->failed;
		return sv_error(r->error, "the age stream failed earlier");
	}
	if (status)
		*status = SV_AGE_OK;
	if (r->last) {
		if (r->trailing)
			return reader_fail(r, sv_error(SCRVAULT_EINTEGRITY,
						       "age payload has data after the last chunk"),
					   SV_AGE_PAYLOAD, status);
		return 0;
	}
	if ((error = src_read(r, r->sealed, ENC_CHUNK, &got)) < 0)
		return reader_fail(r, error, SV_AGE_OTHER, status);
	if (got == 0)
		return reader_fail(r, sv_error(SCRVAULT_EINTEGRITY, r->counter == 0
					       ? "age payload has no chunks"
					       : "age payload is truncated (no last chunk)"),
				   SV_AGE_PAYLOAD, status);
	if (got < SV_CHACHA_TAG_LEN)
		return reader_fail(r, sv_error(SCRVAULT_EINTEGRITY, "age payload is truncated"),
				   SV_AGE_PAYLOAD, status);
	if (got == SV_CHACHA_TAG_LEN && r->counter > 0)
		return reader_fail(r, sv_error(SCRVAULT_EINTEGRITY,
					       "age payload ends with an empty chunk"),
				   SV_AGE_PAYLOAD, status);
	last = got < ENC_CHUNK;
	sv_chunk_nonce(nonce, r->counter, last);
	if (sv_chacha20poly1305_open(buf, r->payload_key, nonce, r->sealed, got) < 0) {
		error = SCRVAULT_EINTEGRITY;
		if (!last) {
			/* a full chunk may be the last one */
			last = true;
			sv_chunk_nonce(nonce, r->counter, true);
			error = sv_chacha20poly1305_open(buf, r->payload_key, nonce,
							 r->sealed, got);
		}
		if (error < 0)
			return reader_fail(r, sv_error(SCRVAULT_EINTEGRITY,
						       "age payload chunk %llu does not authenticate",
						       (unsigned long long)r->counter),
					   SV_AGE_PAYLOAD, status);
	}
	r->counter++;
	if (last) {
		/* the input must end here */
		r->last = true;
		if ((error = src_read(r, &extra, 1, &more)) < 0) {
			sv_cleanse(buf, got - SV_CHACHA_TAG_LEN);
			return reader_fail(r, error, SV_AGE_OTHER, status);
		}
		r->trailing = more > 0;
		if (r->trailing && got == SV_CHACHA_TAG_LEN)
			return reader_fail(r, sv_error(SCRVAULT_EINTEGRITY,
						       "age payload has data after the last chunk"),
					   SV_AGE_PAYLOAD, status);
	}
	*n = got - SV_CHACHA_TAG_LEN;
	return 0;
}

int sv_age_reader_read(sv_age_reader *r, unsigned char *buf, size_t *n,
		       sv_age_status *status)
{
	if (!r || !buf || !n) {
		if (n)
			*n = 0;
		if (status)
			*status = SV_AGE_OTHER;
		return sv_error(SCRVAULT_EUSAGE, "no age reader or buffer");
	}
	return reader_chunk(r, buf, n, status);
}

/* ---- whole files ------------------------------------------------------------- */

int sv_age_decrypt(unsigned char **out, size_t *outlen, const unsigned char *in,
		   size_t len, sv_age_form form, const sv_age_identities *ids,
		   sv_age_status *status)
{
	sv_age_status st = SV_AGE_OTHER;
	sv_age_reader *r = NULL;
	unsigned char *plain = NULL;
	size_t cap = 0, plen = 0, n = 0;
	int error;

	*out = NULL;
	*outlen = 0;
	if ((error = reader_open(&r, NULL, NULL, in ? in : (const unsigned char *)"", len,
				 form, ids, &st)) < 0)
		goto done;
	/* each chunk's plaintext is 16 bytes shorter than the chunk, so what
	 * is left of the input bounds the plaintext (see reader_chunk) */
	cap = r->prelen - r->prepos;
	if ((plain = sv_malloc(cap ? cap : 1)) == NULL) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	do {
		if ((error = reader_chunk(r, plain + plen, &n, &st)) < 0)
			break;
		plen += n;
	} while (n);
	if (error < 0 && st != SV_AGE_PAYLOAD)
		goto done;
	/* on a payload failure, the authenticated prefix */
	*out = plain;
	*outlen = plen;
	plain = NULL;

done:
	sv_cleanse_free(plain, cap);
	sv_age_reader_free(r);
	if (status)
		*status = st;
	return error;
}

int sv_age_encrypt(unsigned char **out, size_t *outlen, const unsigned char *plain,
		   size_t len, const unsigned char (*recipients)[SV_KEY_LEN], size_t n,
		   bool armor)
{
	struct buf b = { NULL, 0, 0 };
	sv_age_writer *w = NULL;
	size_t nchunks;
	int error;

	*out = NULL;
	*outlen = 0;
	nchunks = len == 0 ? 1 : (len - 1) / SV_AGE_CHUNK + 1;
	if (nchunks > (SIZE_MAX - len) / SV_CHACHA_TAG_LEN)
		return sv_error(SCRVAULT_EUSAGE, "plaintext is too large");
	if ((error = sv_age_writer_new(&w, recipients, n)) < 0
	    || (error = sv_age_writer_start(w, buf_sink, &b)) < 0
	    || (error = buf_reserve(&b, len + nchunks * SV_CHACHA_TAG_LEN)) < 0
	    || (error = sv_age_writer_write(w, plain, len)) < 0
	    || (error = sv_age_writer_finish(w)) < 0)
		goto done;
	if (armor) {
		char *a = NULL;

		if ((error = sv_age_armor(&a, outlen, b.p, b.n)) < 0)
			goto done;
		*out = (unsigned char *)a;
	} else {
		*out = b.p;
		*outlen = b.n;
		b.p = NULL;
	}

done:
	free(b.p);
	sv_age_writer_free(w);
	return error;
}
