/*
 * enrol.c - enrolment requests, acceptances and fingerprints (formats in
 * enrol.h).  Parsing is strict: every field in its place, once, no
 * carriage return, no control character, nothing after the last line; a
 * signature that does not verify is an integrity failure.  Holds no secret
 * but what the caller passes to sign with.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crypto/enrol.h"
#include "crypto/crypto.h"
#include "crypto/note.h"
#include "crypto/words.h"
#include "base/common.h"
#include "base/date.h"
#include "base/file.h"
#include "base/text.h"

#define ENROL_MAGIC  "scrvault-enrolment v1"
#define ACCEPT_MAGIC "scrvault-acceptance v1"
#define FORMAT_MAX   4096
#define FP_LABEL     "scrvault key fingerprint v1\n"

void sv_fingerprint(char out[SV_FINGERPRINT_MAX], const unsigned char ed_pub[SV_KEY_LEN],
		    const unsigned char x_pub[SV_KEY_LEN])
{
	unsigned char buf[sizeof(FP_LABEL) - 1 + 2 * SV_KEY_LEN], h[SV_SHA256_LEN];
	size_t pos = 0;

	memcpy(buf, FP_LABEL, sizeof(FP_LABEL) - 1);
	memcpy(buf + sizeof(FP_LABEL) - 1, ed_pub, SV_KEY_LEN);
	memcpy(buf + sizeof(FP_LABEL) - 1 + SV_KEY_LEN, x_pub, SV_KEY_LEN);
	sv_sha256(h, buf, sizeof(buf));
	out[0] = '\0';
	for (int i = 0; i < SV_FINGERPRINT_WORDS; i++) {
		unsigned bit = (unsigned)i * 11, idx = 0;

		for (unsigned b = 0; b < 11; b++, bit++)
			idx = (idx << 1) | ((h[bit / 8] >> (7 - bit % 8)) & 1u);
		pos += (size_t)snprintf(out + pos, SV_FINGERPRINT_MAX - pos, "%s%s", i ? " " : "", sv_words[idx]);
	}
}

bool sv_fingerprint_matches(const char *typed, const char *fp)
{
	char norm[SV_FINGERPRINT_MAX];
	size_t n = 0;
	bool gap = false;

	if (!typed)
		return false;
	for (const char *s = typed; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalpha(c)) {
			if (gap && n > 0) {
				if (n + 1 >= sizeof(norm))
					return false;
				norm[n++] = ' ';
			}
			gap = false;
			if (n + 1 >= sizeof(norm))
				return false;
			norm[n++] = (char)tolower(c);
		} else if (c == ' ' || c == '\t' || c == '-' || c == ',' || c == '\n') {
			gap = true;
		} else {
			return false;
		}
	}
	norm[n] = '\0';
	return strcmp(norm, fp) == 0;
}

/* ---- lines ------------------------------------------------------------------ */

typedef struct {
	const char *text, *cur, *end;
	const char *what;		/* for messages */
	const char *line_start;		/* of the current line */
	char val[FORMAT_MAX + 1];	/* the current value */
} reader;

/*
 * The next line must be "<key> <value>" (or "<key>" alone for the magic);
 * its value into r->val.  0, or SCRVAULT_EUSAGE naming the field.
 */
static int expect_line(reader *r, const char *key, bool optional, bool *present)
{
	const char *nl, *p;
	size_t klen = strlen(key), vlen;

	if (present)
		*present = false;
	r->line_start = r->cur;
	if (r->cur >= r->end || !(nl = memchr(r->cur, '\n', (size_t)(r->end - r->cur)))) {
		if (optional)
			return 0;
		return sv_error(SCRVAULT_EUSAGE, "%s is not complete: no '%s' line", r->what, key);
	}
	if ((size_t)(nl - r->cur) <= klen || memcmp(r->cur, key, klen) != 0 || r->cur[klen] != ' ') {
		if (optional)
			return 0;
		return sv_error(SCRVAULT_EUSAGE, "%s has no '%s' line where it belongs", r->what, key);
	}
	p = r->cur + klen + 1;
	vlen = (size_t)(nl - p);
	for (size_t i = 0; i < vlen; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return sv_error(SCRVAULT_EUSAGE, "%s: the '%s' line holds a control character", r->what, key);
	if (vlen == 0)
		return sv_error(SCRVAULT_EUSAGE, "%s: the '%s' line is empty", r->what, key);
	memcpy(r->val, p, vlen);
	r->val[vlen] = '\0';
	r->cur = nl + 1;
	if (present)
		*present = true;
	return 0;
}

/* A base64 value of exactly `len` bytes (`kind` names it in messages). */
static int bin_value(unsigned char *out, size_t want, reader *r, const char *key, const char *kind)
{
	unsigned char *raw = NULL;
	size_t len = 0;
	int error;

	if ((error = expect_line(r, key, false, NULL)) < 0)
		return error;
	if (sv_unbase64(&raw, &len, r->val) < 0 || len != want) {
		free(raw);
		return sv_error(SCRVAULT_EUSAGE, "%s: '%s' is not a base64 %s", r->what, key, kind);
	}
	memcpy(out, raw, want);
	free(raw);
	return 0;
}

static int key_value(unsigned char out[SV_KEY_LEN], reader *r, const char *key)
{
	return bin_value(out, SV_KEY_LEN, r, key, "32-byte key");
}

static int sig_value(unsigned char sig[SV_SIG_LEN], reader *r, const char *key)
{
	return bin_value(sig, SV_SIG_LEN, r, key, "Ed25519 signature");
}

/* The "name" line: a valid principal name, copied into *out. */
static int name_value(char **out, reader *r)
{
	int error;

	if ((error = expect_line(r, "name", false, NULL)) < 0)
		return error;
	if (!sv_name_valid(r->val))
		return sv_error(SCRVAULT_EUSAGE, "%s: '%s' is not a valid principal name", r->what, r->val);
	return (*out = sv_strdup(r->val)) ? 0 : SCRVAULT_ERROR;
}

/* The holder's two public keys, "ed25519" then "x25519". */
static int keys_value(unsigned char ed_pub[SV_KEY_LEN], unsigned char x_pub[SV_KEY_LEN], reader *r)
{
	int error;

	if ((error = key_value(ed_pub, r, "ed25519")) < 0)
		return error;
	return key_value(x_pub, r, "x25519");
}

static int time_value(char out[21], reader *r, const char *key)
{
	int error;

	if ((error = expect_line(r, key, false, NULL)) < 0)
		return error;
	if (strlen(r->val) != 20 || sv_time_parse(r->val) < 0)
		return sv_error(SCRVAULT_EUSAGE, "%s: '%s' is not a UTC time", r->what, key);
	memcpy(out, r->val, 21);
	return 0;
}

static int reader_start(reader *r, const char *text, size_t len, const char *what, const char *magic)
{
	size_t mlen = strlen(magic);

	memset(r, 0, sizeof(*r));
	r->text = r->cur = text;
	r->end = text + len;
	r->what = what;
	if (len > FORMAT_MAX || memchr(text, '\0', len) || memchr(text, '\r', len))
		return sv_error(SCRVAULT_EUSAGE, "%s is not a %s file", what, magic);
	if (len <= mlen || memcmp(text, magic, mlen) != 0 || text[mlen] != '\n')
		return sv_error(SCRVAULT_EUSAGE, "%s is not a %s file", what, magic);
	r->cur = text + mlen + 1;
	return 0;
}

static int reader_end(reader *r)
{
	if (r->cur != r->end)
		return sv_error(SCRVAULT_EUSAGE, "%s has something after its last line", r->what);
	return 0;
}

/* Append "key value\n" to *text. */
static int add_line(char **text, const char *key, const char *value)
{
	char *t = sv_printf("%s%s %s\n", *text, key, value);

	if (!t)
		return SCRVAULT_ERROR;
	free(*text);
	*text = t;
	return 0;
}

static int add_key(char **text, const char *key, const unsigned char k[], size_t len)
{
	char *b = sv_base64(k, len);
	int error = b ? add_line(text, key, b) : SCRVAULT_ERROR;

	free(b);
	return error;
}

/* One line of a record: text, or `bin` (SV_KEY_LEN bytes) in base64. */
typedef struct {
	const char *key;
	const char *text;
	const unsigned char *bin;
} field;

/* The magic line, then each of the n fields in order, into a new *out. */
static int add_fields(char **out, const char *magic, const field *f, size_t n)
{
	int error = 0;

	if (!(*out = sv_printf("%s\n", magic)))
		return SCRVAULT_ERROR;
	for (size_t i = 0; i < n && error == 0; i++)
		error = f[i].bin ? add_key(out, f[i].key, f[i].bin, SV_KEY_LEN) : add_line(out, f[i].key, f[i].text);
	return error;
}

/* Text a request carries: not empty, and the vault's rule for free text. */
static bool plain_text(const char *s)
{
	return *s && sv_text_bad(s, 0) == 0;
}

/* ---- enrolment requests ------------------------------------------------------------ */

void sv_enrolment_free(sv_enrolment *e)
{
	if (!e)
		return;
	free(e->name);
	free(e->kind);
	free(e->agency);
	free(e);
}

int sv_enrolment_make(char **out, sv_enrolment *e, const sv_secret *ed_priv, const sv_secret *old_priv)
{
	unsigned char sig[SV_SIG_LEN];
	char *text = NULL;
	int error = SCRVAULT_ERROR;

	*out = NULL;
	if (!e->name || !sv_name_valid(e->name) || !e->kind || (strcmp(e->kind, "person") && strcmp(e->kind, "agency")) ||
	    (e->agency && (!plain_text(e->agency) || strcmp(e->agency, "-") == 0)) || (e->rotates != (old_priv != NULL)))
		return sv_error(SCRVAULT_EUSAGE, "an enrolment request needs a valid name, kind and agency");
	if (!e->created[0])
		sv_time_iso(e->created, sv_now());
	{
		const field f[] = {
			{ "name", e->name, NULL }, { "kind", e->kind, NULL }, { "agency", e->agency ? e->agency : "-", NULL },
			{ "ed25519", NULL, e->ed_pub }, { "x25519", NULL, e->x_pub }, { "created", e->created, NULL },
			{ "rotates", NULL, e->old_ed_pub },
		};

		unsigned char osig[SV_SIG_LEN];
		size_t body;

		if ((error = add_fields(&text, ENROL_MAGIC, f, e->rotates ? 7 : 6)) < 0)
			goto done;
		body = strlen(text);
		if ((error = sv_ed25519_sign(sig, ed_priv, text, body)) < 0 ||
		    (old_priv && (error = sv_ed25519_sign(osig, old_priv, text, body)) < 0) ||
		    (error = add_key(&text, "signature", sig, SV_SIG_LEN)) < 0 ||
		    (old_priv && (error = add_key(&text, "old-signature", osig, SV_SIG_LEN)) < 0))
			goto done;
	}
	sv_fingerprint(e->fingerprint, e->ed_pub, e->x_pub);
	*out = SV_TAKE(text);
	error = 0;
done:
	free(text);
	return error;
}

int sv_enrolment_parse(sv_enrolment **out, const char *text, size_t len, const char *what)
{
	unsigned char sig[SV_SIG_LEN], osig[SV_SIG_LEN];
	sv_enrolment *e = NULL;
	size_t body;
	reader r;
	int error;

	*out = NULL;
	if ((error = reader_start(&r, text, len, what, ENROL_MAGIC)) < 0)
		return error;
	if (!(e = sv_calloc(1, sizeof(*e))))
		return SCRVAULT_ERROR;
	if ((error = name_value(&e->name, &r)) < 0 || (error = expect_line(&r, "kind", false, NULL)) < 0)
		goto done;
	if (strcmp(r.val, "person") && strcmp(r.val, "agency")) {
		error = sv_error(SCRVAULT_EUSAGE, "%s: kind '%s' is neither person nor agency", what, r.val);
		goto done;
	}
	if (!(e->kind = sv_strdup(r.val)) || (error = expect_line(&r, "agency", false, NULL)) < 0)
		goto done;
	if (strcmp(r.val, "-") && !(e->agency = sv_strdup(r.val))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = keys_value(e->ed_pub, e->x_pub, &r)) < 0 || (error = time_value(e->created, &r, "created")) < 0 ||
	    (error = expect_line(&r, "rotates", true, &e->rotates)) < 0)
		goto done;
	if (e->rotates) {
		r.cur = r.line_start;
		if ((error = key_value(e->old_ed_pub, &r, "rotates")) < 0)
			goto done;
	}
	body = (size_t)(r.cur - text);
	if ((error = sig_value(sig, &r, "signature")) < 0 ||
	    (e->rotates && (error = sig_value(osig, &r, "old-signature")) < 0) ||
	    (error = reader_end(&r)) < 0)
		goto done;
	if (sv_ed25519_verify(sig, e->ed_pub, text, body) < 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "%s: its self-signature does not verify: it was altered "
				 "after its holder signed it; ask the holder for the request again", what);
		goto done;
	}
	if (e->rotates && sv_ed25519_verify(osig, e->old_ed_pub, text, body) < 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "%s: the signature by the old key does not verify", what);
		goto done;
	}
	sv_fingerprint(e->fingerprint, e->ed_pub, e->x_pub);
	*out = SV_TAKE(e);
	error = 0;
done:
	sv_enrolment_free(e);
	return error;
}

/* ---- acceptances -------------------------------------------------------------- */

int sv_vkey_vault(char vault_id[33], unsigned char pub[SV_KEY_LEN], const char *vkey)
{
	char name[128];
	const char *id;
	int error;

	if (!vkey || (error = sv_note_vkey_parse(name, pub, vkey)) < 0)
		return sv_error(SCRVAULT_EUSAGE, "'%s' is not a vault's verifier key (scrvault audit pubkey prints it)",
				vkey ? vkey : "");
	if (strncmp(name, "scrvault.local/", 15) != 0 || strlen(id = name + 15) != 32 ||
	    strspn(id, "0123456789abcdef") != 32)
		return sv_error(SCRVAULT_EUSAGE, "'%s' is not a scrvault vault's verifier key", vkey);
	memcpy(vault_id, id, 33);
	return 0;
}

void sv_acceptance_free(sv_acceptance *a)
{
	if (!a)
		return;
	free(a->vault_key);
	free(a->name);
	free(a);
}

int sv_acceptance_make(char **out, const sv_acceptance *a, const sv_secret *audit_key)
{
	const field f[] = {
		{ "vault", a->vault_id, NULL }, { "vault-key", a->vault_key, NULL }, { "name", a->name, NULL },
		{ "ed25519", NULL, a->ed_pub }, { "x25519", NULL, a->x_pub }, { "accepted-at", a->accepted_at, NULL },
	};
	unsigned char sig[SV_SIG_LEN];
	char *text = NULL;
	int error;

	*out = NULL;
	if ((error = add_fields(&text, ACCEPT_MAGIC, f, sizeof(f) / sizeof(f[0]))) < 0 ||
	    (error = sv_ed25519_sign(sig, audit_key, text, strlen(text))) < 0 ||
	    (error = add_key(&text, "signature", sig, SV_SIG_LEN)) < 0)
		goto done;
	*out = SV_TAKE(text);
done:
	free(text);
	return error;
}

int sv_acceptance_parse(sv_acceptance **out, const char *text, size_t len, const char *what)
{
	unsigned char sig[SV_SIG_LEN];
	sv_acceptance *a = NULL;
	char vid[33];
	size_t body;
	reader r;
	int error;

	*out = NULL;
	if ((error = reader_start(&r, text, len, what, ACCEPT_MAGIC)) < 0)
		return error;
	if (!(a = sv_calloc(1, sizeof(*a))))
		return SCRVAULT_ERROR;
	if ((error = expect_line(&r, "vault", false, NULL)) < 0)
		goto done;
	if (strlen(r.val) != 32 || strspn(r.val, "0123456789abcdef") != 32) {
		error = sv_error(SCRVAULT_EUSAGE, "%s: '%s' is not a vault id", what, r.val);
		goto done;
	}
	memcpy(a->vault_id, r.val, 33);
	if ((error = expect_line(&r, "vault-key", false, NULL)) < 0)
		goto done;
	if ((error = sv_vkey_vault(vid, a->vault_pub, r.val)) < 0)
		goto done;
	if (strcmp(vid, a->vault_id) != 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "%s: its verifier key is another vault's (%s) than the one it names (%s)",
				 what, vid, a->vault_id);
		goto done;
	}
	if (!(a->vault_key = sv_strdup(r.val))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = name_value(&a->name, &r)) < 0 || (error = keys_value(a->ed_pub, a->x_pub, &r)) < 0 ||
	    (error = time_value(a->accepted_at, &r, "accepted-at")) < 0)
		goto done;
	body = (size_t)(r.cur - text);
	if ((error = sig_value(sig, &r, "signature")) < 0 || (error = reader_end(&r)) < 0)
		goto done;
	if (sv_ed25519_verify(sig, a->vault_pub, text, body) < 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "%s: its signature does not verify with the vault's verifier key "
				 "it names: it was forged or altered", what);
		goto done;
	}
	sv_fingerprint(a->fingerprint, a->ed_pub, a->x_pub);
	*out = SV_TAKE(a);
	error = 0;
done:
	sv_acceptance_free(a);
	return error;
}

/*
 * Read the file at `path` and parse it as an acceptance (or, when not
 * `acceptance`, an enrolment request) into *out, the file named in messages.
 */
static int read_format(void *out, const char *path, bool acceptance)
{
	const char *kind = acceptance ? "acceptance" : "enrolment request";
	char *text = NULL, *what = NULL;
	size_t len = 0;
	int error;

	if ((error = sv_file_read(&text, &len, path, FORMAT_MAX + 1)) < 0)
		return error == SCRVAULT_ENOTFOUND ? sv_error(SCRVAULT_ENOTFOUND, "%s '%s' does not exist", kind, path)
						   : error;
	if (!(what = sv_printf("%s '%s'", kind, path)))
		error = SCRVAULT_ERROR;
	else if (acceptance)
		error = sv_acceptance_parse(out, text, len, what);
	else
		error = sv_enrolment_parse(out, text, len, what);
	free(text);
	free(what);
	return error;
}

int sv_enrolment_read(sv_enrolment **out, const char *path)
{
	*out = NULL;
	return read_format(out, path, false);
}

int sv_acceptance_read(sv_acceptance **out, const char *path)
{
	*out = NULL;
	return read_format(out, path, true);
}
