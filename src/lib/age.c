/*
 * age.c - the age v1 file format (see age.h and https://age-encryption.org/v1).
 *
 * Parsing is strict where the spec and the C2SP test vectors are: anything
 * that is not exactly what an encoder would have written is rejected.  All
 * cryptography goes through crypto.h; the file key, wrap keys and payload
 * key live in sv_secret, and plaintext buffers are cleansed before free.
 */
#include "age.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

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
	if (!p)
		return;
	sv_cleanse(p, len);
	free(p);
}

/* ---- a growable byte buffer (public data only) ------------------------------- */

struct buf {
	unsigned char *p;
	size_t n, cap;
};

static int buf_add(struct buf *b, const void *data, size_t len)
{
	if (b->cap - b->n < len + 1) {
		size_t cap = b->cap ? b->cap : 256;
		unsigned char *p;

		while (cap - b->n < len + 1) {
			if (cap > SIZE_MAX / 2)
				return sv_error(SCRVAULT_EUSAGE, "age data is too large");
			cap *= 2;
		}
		if ((p = sv_realloc(b->p, cap)) == NULL)
			return SCRVAULT_ERROR;
		b->p = p;
		b->cap = cap;
	}
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
		sv_cleanse(d, n);
		free(d);
		return sv_error(SCRVAULT_EINTEGRITY, "base64 value of %zu bytes, want %zu",
				n, want);
	}
	memcpy(out, d, n);
	sv_cleanse(d, n);
	free(d);
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
	sv_cleanse(five, n5 + 1);
	free(five);
	*out = s;
	return 0;
}

int sv_bech32_decode(char **hrp, unsigned char **data, size_t *len, const char *s)
{
	size_t slen = strlen(s), sep, i, o = 0, ndata;
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
		sv_cleanse(h, slen);
		free(h);
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
	if (d) {
		sv_cleanse(d, ndata * 5 / 8 + 1);
		free(d);
	}
	sv_cleanse(h, slen);
	free(h);
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
	sv_cleanse(s, strlen(s));
	free(s);
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
	sv_cleanse(d, n);
	free(d);
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
	if (s->body) {
		sv_cleanse(s->body, s->bodylen);
		free(s->body);
	}
	memset(s, 0, sizeof(*s));
}

void sv_age_header_free(sv_age_header *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->n; i++)
		stanza_clear(&h->stanzas[i]);
	free(h->stanzas);
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
 * Try to unwrap one stanza.  0 with *file_key set; 1 when it is not for
 * this identity; negative (SCRVAULT_EINTEGRITY = header failure) when it is
 * invalid in a way no identity could fix.
 */
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

static void stream_nonce(unsigned char n[SV_CHACHA_NONCE_LEN], uint64_t counter, bool last)
{
	int i;

	memset(n, 0, SV_CHACHA_NONCE_LEN);
	for (i = 0; i < 8; i++)
		n[10 - i] = (unsigned char)(counter >> (8 * i));
	n[11] = last ? 1 : 0;
}

static int payload_key(sv_secret **key, const sv_secret *file_key,
		       const unsigned char nonce[SV_AGE_NONCE_LEN])
{
	return sv_hkdf(key, SV_KEY_LEN, file_key, nonce, SV_AGE_NONCE_LEN,
		       "payload", 7);
}

/*
 * Decrypt the STREAM payload (after the 16-byte nonce) into `out` (room for
 * `len` bytes); *outlen counts the verified plaintext even on failure.
 */
static int stream_open(unsigned char *out, size_t *outlen, const sv_secret *key,
		       const unsigned char *in, size_t len)
{
	unsigned char nonce[SV_CHACHA_NONCE_LEN];
	uint64_t counter = 0;
	size_t pos = 0;

	*outlen = 0;
	if (len == 0)
		return sv_error(SCRVAULT_EINTEGRITY, "age payload has no chunks");
	for (;;) {
		size_t rem = len - pos;

		if (rem > ENC_CHUNK) {
			stream_nonce(nonce, counter, false);
			if (sv_chacha20poly1305_open(out + *outlen, key, nonce, in + pos,
						     ENC_CHUNK) < 0) {
				stream_nonce(nonce, counter, true);
				if (sv_chacha20poly1305_open(out + *outlen, key, nonce,
							     in + pos, ENC_CHUNK) == 0) {
					/* an authentic last chunk is released,
					 * as age does, before the failure */
					*outlen += SV_AGE_CHUNK;
					return sv_error(SCRVAULT_EINTEGRITY,
							"age payload has data after the last chunk");
				}
				return sv_error(SCRVAULT_EINTEGRITY,
						"age payload chunk %llu does not authenticate",
						(unsigned long long)counter);
			}
			*outlen += SV_AGE_CHUNK;
			pos += ENC_CHUNK;
			counter++;
			continue;
		}
		if (rem < SV_CHACHA_TAG_LEN)
			return sv_error(SCRVAULT_EINTEGRITY, "age payload is truncated");
		stream_nonce(nonce, counter, true);
		if (sv_chacha20poly1305_open(out + *outlen, key, nonce, in + pos, rem) < 0) {
			/* a full chunk that is authentic but not flagged last: the
			 * file was cut at a chunk boundary; release it, as age does */
			stream_nonce(nonce, counter, false);
			if (rem == ENC_CHUNK
			    && sv_chacha20poly1305_open(out + *outlen, key, nonce, in + pos,
							rem) == 0)
				*outlen += SV_AGE_CHUNK;
			return sv_error(SCRVAULT_EINTEGRITY,
					"age payload's last chunk does not authenticate (truncated?)");
		}
		if (rem == SV_CHACHA_TAG_LEN && counter > 0)
			return sv_error(SCRVAULT_EINTEGRITY,
					"age payload ends with an empty chunk");
		*outlen += rem - SV_CHACHA_TAG_LEN;
		return 0;
	}
}

/* ---- whole files ------------------------------------------------------------- */

int sv_age_decrypt(unsigned char **out, size_t *outlen, const unsigned char *in,
		   size_t len, sv_age_form form, const sv_age_identities *ids,
		   sv_age_status *status)
{
	sv_age_status st = SV_AGE_OTHER;
	unsigned char *bin = NULL, *plain = NULL;
	unsigned char mac[SV_AGE_MAC_LEN];
	size_t binlen = 0, i, j, plen = 0, cap = 0;
	sv_age_header *h = NULL;
	sv_secret *fk = NULL, *pk = NULL;
	const unsigned char *data = in;
	int error;

	*out = NULL;
	*outlen = 0;
	if (!ids || (ids->n_x25519 && !ids->x25519)
	    || (ids->n_passphrases && !ids->passphrases)) {
		error = sv_error(SCRVAULT_EUSAGE, "no identities to decrypt with");
		goto done;
	}
	if (form == SV_AGE_FORM_ARMORED
	    || (form == SV_AGE_FORM_AUTO && sv_age_is_armored(in, len))) {
		if ((error = sv_age_dearmor(&bin, &binlen, in, len)) < 0) {
			st = error == SCRVAULT_EINTEGRITY ? SV_AGE_ARMOR : SV_AGE_OTHER;
			goto done;
		}
		data = bin;
		len = binlen;
	}
	if ((error = sv_age_header_parse(&h, data, len)) < 0) {
		st = error == SCRVAULT_EINTEGRITY ? SV_AGE_HEADER : SV_AGE_OTHER;
		goto done;
	}
	for (i = 0; i < h->n; i++)
		if ((error = check_stanza(&h->stanzas[i], h->n)) < 0) {
			st = SV_AGE_HEADER;
			goto done;
		}
	for (i = 0; i < h->n && !fk; i++) {
		const sv_age_stanza *s = &h->stanzas[i];

		error = 1;
		if (strcmp(s->args[0], "X25519") == 0) {
			for (j = 0; j < ids->n_x25519 && error == 1; j++)
				error = unwrap_x25519(&fk, s, ids->x25519[j]);
		} else if (strcmp(s->args[0], "scrypt") == 0) {
			for (j = 0; j < ids->n_passphrases && error == 1; j++)
				error = unwrap_scrypt(&fk, s, ids->passphrases[j]);
		}
		if (error < 0) {
			st = error == SCRVAULT_EINTEGRITY ? SV_AGE_HEADER : SV_AGE_OTHER;
			goto done;
		}
	}
	if (!fk) {
		error = sv_error(SCRVAULT_EDENIED, "no identity matches a recipient of the age file");
		st = SV_AGE_NO_MATCH;
		goto done;
	}
	if ((error = sv_age_header_mac(mac, fk, data, h->mac_input_len)) < 0)
		goto done;
	if (sv_memcmp_ct(mac, h->mac, SV_AGE_MAC_LEN) != 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "age header MAC does not verify");
		st = SV_AGE_HMAC;
		goto done;
	}
	if (len - h->len < SV_AGE_NONCE_LEN) {
		error = sv_error(SCRVAULT_EINTEGRITY, "age file has no payload nonce");
		st = SV_AGE_HEADER;
		goto done;
	}
	if ((error = payload_key(&pk, fk, data + h->len)) < 0)
		goto done;
	cap = len - h->len - SV_AGE_NONCE_LEN;
	if ((plain = sv_malloc(cap ? cap : 1)) == NULL) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	error = stream_open(plain, &plen, pk, data + h->len + SV_AGE_NONCE_LEN, cap);
	if (error < 0 && error != SCRVAULT_EINTEGRITY)
		goto done;
	*out = plain;
	*outlen = plen;
	plain = NULL;
	st = error < 0 ? SV_AGE_PAYLOAD : SV_AGE_OK;

done:
	if (plain) {
		sv_cleanse(plain, cap);
		free(plain);
	}
	if (bin) {
		sv_cleanse(bin, binlen);
		free(bin);
	}
	sv_secret_free(pk);
	sv_secret_free(fk);
	sv_age_header_free(h);
	if (status)
		*status = st;
	return error;
}

int sv_age_encrypt(unsigned char **out, size_t *outlen, const unsigned char *plain,
		   size_t len, const unsigned char (*recipients)[SV_KEY_LEN], size_t n,
		   bool armor)
{
	sv_age_stanza *st = NULL;
	sv_secret *fk = NULL, *pk = NULL;
	unsigned char *hdr = NULL, *file = NULL, nonce[SV_CHACHA_NONCE_LEN];
	size_t hdrlen = 0, i, nchunks, filelen, pos;
	int error;

	*out = NULL;
	*outlen = 0;
	if (n == 0 || !recipients)
		return sv_error(SCRVAULT_EUSAGE, "an age file needs at least one recipient");
	if ((st = sv_calloc(n, sizeof(*st))) == NULL)
		return SCRVAULT_ERROR;
	if ((error = sv_secret_random(&fk, SV_AGE_FILE_KEY_LEN)) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		unsigned char eph[SV_KEY_LEN];
		sv_secret *ephpriv = NULL, *shared = NULL, *wrap = NULL;

		if ((st[i].args = sv_calloc(2, sizeof(char *))) == NULL
		    || (st[i].body = sv_malloc(SV_AGE_FILE_KEY_LEN + SV_CHACHA_TAG_LEN)) == NULL) {
			error = SCRVAULT_ERROR;
			goto done;
		}
		st[i].bodylen = SV_AGE_FILE_KEY_LEN + SV_CHACHA_TAG_LEN;
		if ((error = sv_x25519_keygen(&ephpriv, eph)) == 0
		    && (error = sv_x25519(&shared, ephpriv, recipients[i])) == 0
		    && (error = x25519_wrap_key(&wrap, shared, eph, recipients[i])) == 0)
			error = sv_chacha20poly1305_seal(st[i].body, wrap, zero_nonce,
							 sv_secret_data(fk), SV_AGE_FILE_KEY_LEN);
		sv_secret_free(wrap);
		sv_secret_free(shared);
		sv_secret_free(ephpriv);
		if (error < 0)
			goto done;
		st[i].nargs = 2;
		if ((st[i].args[0] = sv_strdup("X25519")) == NULL) {
			error = SCRVAULT_ERROR;
			goto done;
		}
		if ((error = b64_encode(&st[i].args[1], eph, SV_KEY_LEN, false)) < 0)
			goto done;
	}
	if ((error = sv_age_header_encode(&hdr, &hdrlen, st, n, fk)) < 0)
		goto done;

	nchunks = len == 0 ? 1 : (len + SV_AGE_CHUNK - 1) / SV_AGE_CHUNK;
	if (nchunks > (SIZE_MAX - hdrlen - len - SV_AGE_NONCE_LEN) / SV_CHACHA_TAG_LEN) {
		error = sv_error(SCRVAULT_EUSAGE, "plaintext is too large");
		goto done;
	}
	filelen = hdrlen + SV_AGE_NONCE_LEN + len + nchunks * SV_CHACHA_TAG_LEN;
	if ((file = sv_malloc(filelen)) == NULL) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	memcpy(file, hdr, hdrlen);
	pos = hdrlen;
	if ((error = sv_random(file + pos, SV_AGE_NONCE_LEN)) < 0
	    || (error = payload_key(&pk, fk, file + pos)) < 0)
		goto done;
	pos += SV_AGE_NONCE_LEN;
	for (i = 0; i < nchunks; i++) {
		size_t off = i * SV_AGE_CHUNK;
		size_t clen = len - off < SV_AGE_CHUNK ? len - off : SV_AGE_CHUNK;

		stream_nonce(nonce, i, i + 1 == nchunks);
		if ((error = sv_chacha20poly1305_seal(file + pos, pk, nonce,
						      len ? plain + off : NULL, clen)) < 0)
			goto done;
		pos += clen + SV_CHACHA_TAG_LEN;
	}
	if (armor) {
		char *a = NULL;

		if ((error = sv_age_armor(&a, outlen, file, filelen)) < 0)
			goto done;
		*out = (unsigned char *)a;
	} else {
		*out = file;
		*outlen = filelen;
		file = NULL;
	}
	error = 0;

done:
	free(file);
	free(hdr);
	if (st) {
		for (i = 0; i < n; i++)
			stanza_clear(&st[i]);
		free(st);
	}
	sv_secret_free(pk);
	sv_secret_free(fk);
	return error;
}
