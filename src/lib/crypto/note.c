/*
 * note.c - C2SP signed notes and tlog checkpoints (see note.h).
 *
 * Parsing is strict: exactly the three checkpoint lines (no extension
 * lines), a blank line, then signature lines; a signature by another key is
 * ignored, and at least one valid signature by the expected key is needed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crypto/note.h"
#include "crypto/crypto.h"
#include "crypto/merkle.h"
#include "base/common.h"

#define EM_DASH "\xe2\x80\x94"

uint32_t sv_note_keyid(const char *name, const unsigned char pub[SV_KEY_LEN])
{
	unsigned char buf[256 + 2 + SV_KEY_LEN], h[SV_SHA256_LEN];
	size_t n = strlen(name);

	if (n > 256)
		n = 256;
	memcpy(buf, name, n);
	buf[n] = 0x0a;
	buf[n + 1] = 0x01;
	memcpy(buf + n + 2, pub, SV_KEY_LEN);
	sv_sha256(h, buf, n + 2 + SV_KEY_LEN);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

char *sv_note_vkey(const char *name, const unsigned char pub[SV_KEY_LEN])
{
	unsigned char typed[1 + SV_KEY_LEN];
	char *b64, *out;

	typed[0] = 0x01;
	memcpy(typed + 1, pub, SV_KEY_LEN);
	if (!(b64 = sv_base64(typed, sizeof(typed))))
		return NULL;
	out = sv_printf("%s+%08" PRIx32 "+%s", name, sv_note_keyid(name, pub), b64);
	free(b64);
	return out;
}

int sv_note_vkey_parse(char name[128], unsigned char pub[SV_KEY_LEN], const char *vkey)
{
	const char *p1 = strchr(vkey, '+'), *p2;
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	char hex[9];
	unsigned long id;
	char *end;

	if (!p1 || (size_t)(p1 - vkey) >= 128 || p1 == vkey || !(p2 = strchr(p1 + 1, '+')) ||
	    p2 - p1 - 1 != 8)
		return sv_error(SCRVAULT_EUSAGE, "not a verifier key (name+keyid+key)");
	memcpy(name, vkey, (size_t)(p1 - vkey));
	name[p1 - vkey] = '\0';
	memcpy(hex, p1 + 1, 8);
	hex[8] = '\0';
	id = strtoul(hex, &end, 16);
	if (*end || sv_unbase64(&raw, &rawlen, p2 + 1) < 0 || rawlen != 1 + SV_KEY_LEN ||
	    raw[0] != 0x01) {
		free(raw);
		return sv_error(SCRVAULT_EUSAGE, "not an Ed25519 verifier key");
	}
	memcpy(pub, raw + 1, SV_KEY_LEN);
	free(raw);
	if (sv_note_keyid(name, pub) != (uint32_t)id)
		return sv_error(SCRVAULT_EUSAGE, "verifier key id does not match its key");
	return 0;
}

static char *checkpoint_body(const sv_checkpoint *c)
{
	char *root = sv_base64(c->root.h, SV_HASH_LEN), *body;

	if (!root)
		return NULL;
	body = sv_printf("%s\n%" PRIu64 "\n%s\n", c->origin, c->size, root);
	free(root);
	return body;
}

int sv_checkpoint_sign(char **out, const sv_checkpoint *c, const sv_secret *key)
{
	unsigned char pub[SV_KEY_LEN], sig[4 + SV_SIG_LEN];
	uint32_t id;
	char *body = NULL, *b64 = NULL;
	int error;

	*out = NULL;
	if ((error = sv_ed25519_public(pub, key)) < 0)
		return error;
	if (!(body = checkpoint_body(c)))
		return SCRVAULT_ERROR;
	id = sv_note_keyid(c->origin, pub);
	sv_put_be32(sig, id);
	if ((error = sv_ed25519_sign(sig + 4, key, body, strlen(body))) < 0)
		goto done;
	error = SCRVAULT_ERROR;
	if (!(b64 = sv_base64(sig, sizeof(sig))) ||
	    !(*out = sv_printf("%s\n" EM_DASH " %s %s\n", body, c->origin, b64)))
		goto done;
	error = 0;
done:
	free(body);
	free(b64);
	return error;
}

int sv_note_sign(char **out, const char *body, const char *name, const sv_secret *key)
{
	unsigned char pub[SV_KEY_LEN], sig[4 + SV_SIG_LEN];
	size_t n = strlen(body);
	char *b64 = NULL;
	int error;

	*out = NULL;
	if (n == 0 || body[n - 1] != '\n' || strstr(body, "\n\n"))
		return sv_error(SCRVAULT_ERROR, "a signed note's body must be lines without a blank one");
	if ((error = sv_ed25519_public(pub, key)) < 0)
		return error;
	sv_put_be32(sig, sv_note_keyid(name, pub));
	if ((error = sv_ed25519_sign(sig + 4, key, body, n)) < 0)
		return error;
	if (!(b64 = sv_base64(sig, sizeof(sig))) ||
	    !(*out = sv_printf("%s\n" EM_DASH " %s %s\n", body, name, b64)))
		error = SCRVAULT_ERROR;
	free(b64);
	return error;
}

int sv_note_open(size_t *bodylen, const char *note, size_t len, const char *name,
		 const unsigned char pub[SV_KEY_LEN])
{
	const char *sep = NULL, *p, *end = note + len;
	uint32_t want = sv_note_keyid(name, pub);
	bool signed_ok = false;

	*bodylen = 0;
	for (p = note; p + 1 < end; p++)
		if (p[0] == '\n' && p[1] == '\n') {
			sep = p;
			break;
		}
	if (!sep || memchr(note, '\0', len))
		return sv_error(SCRVAULT_EINTEGRITY, "not a signed note (no blank line before the signatures)");
	for (p = sep + 2; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *sp;
		unsigned char *raw = NULL;
		size_t n, rawlen = 0;
		char line[512];

		if (!nl)
			return sv_error(SCRVAULT_EINTEGRITY, "a signature line does not end in a newline");
		n = (size_t)(nl - p);
		if (n >= sizeof(line) || n < 4 || memcmp(p, EM_DASH " ", 4) != 0)
			return sv_error(SCRVAULT_EINTEGRITY, "a signature line is malformed");
		memcpy(line, p + 4, n - 4);
		line[n - 4] = '\0';
		if (!(sp = strrchr(line, ' ')) || sv_unbase64(&raw, &rawlen, sp + 1) < 0) {
			free(raw);
			return sv_error(SCRVAULT_EINTEGRITY, "a signature line is malformed");
		}
		if ((size_t)(sp - line) == strlen(name) && memcmp(line, name, strlen(name)) == 0 &&
		    rawlen == 4 + SV_SIG_LEN && sv_get_be32(raw) == want) {
			if (sv_ed25519_verify(raw + 4, pub, note, (size_t)(sep - note) + 1) < 0) {
				free(raw);
				return sv_error(SCRVAULT_EINTEGRITY, "the signature does not verify (the signed text was altered)");
			}
			signed_ok = true;
		}
		free(raw);
		p = nl + 1;
	}
	if (!signed_ok)
		return sv_error(SCRVAULT_EINTEGRITY, "not signed by the expected key");
	*bodylen = (size_t)(sep - note) + 1;
	return 0;
}

static int bad(const char *why)
{
	return sv_error(SCRVAULT_EINTEGRITY, "checkpoint %s", why);
}

int sv_checkpoint_open(sv_checkpoint *out, const char *note, size_t len,
		       const char *name, const unsigned char pub[SV_KEY_LEN])
{
	const char *sep = NULL, *p, *end = note + len;
	char line[512], sizebuf[32];
	size_t bodylen;
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	bool signed_ok = false, other = false;
	uint32_t want = sv_note_keyid(name, pub);
	int error;

	memset(out, 0, sizeof(*out));
	for (p = note; p + 1 < end; p++)
		if (p[0] == '\n' && p[1] == '\n') {
			sep = p;
			break;
		}
	if (!sep || memchr(note, '\0', len))
		return bad("is not a signed note (no blank line before the signatures)");
	bodylen = (size_t)(sep - note) + 1;
	/* Body: origin, size, root, nothing else. */
	{
		const char *l1 = note, *l2 = memchr(l1, '\n', bodylen), *l3, *l4;
		unsigned char *root = NULL;
		size_t rootlen = 0;
		char *endp;

		if (!l2 || !(l3 = memchr(l2 + 1, '\n', (size_t)(note + bodylen - l2 - 1))) ||
		    !(l4 = memchr(l3 + 1, '\n', (size_t)(note + bodylen - l3 - 1))) ||
		    l4 + 1 != note + bodylen)
			return bad("body is not exactly origin, size and root");
		if ((size_t)(l2 - l1) >= sizeof(out->origin) || l2 == l1 ||
		    (size_t)(l3 - l2 - 1) >= sizeof(sizebuf) || l3 == l2 + 1)
			return bad("has a malformed origin or size");
		memcpy(out->origin, l1, (size_t)(l2 - l1));
		memcpy(sizebuf, l2 + 1, (size_t)(l3 - l2 - 1));
		sizebuf[l3 - l2 - 1] = '\0';
		if (strspn(sizebuf, "0123456789") != strlen(sizebuf) ||
		    (sizebuf[0] == '0' && sizebuf[1]))
			return bad("size is not a decimal number");
		out->size = strtoull(sizebuf, &endp, 10);
		if ((size_t)(l4 - l3 - 1) >= sizeof(line))
			return bad("root is malformed");
		memcpy(line, l3 + 1, (size_t)(l4 - l3 - 1));
		line[l4 - l3 - 1] = '\0';
		if (sv_unbase64(&root, &rootlen, line) < 0 || rootlen != SV_HASH_LEN) {
			free(root);
			return bad("root is not a base64 SHA-256 hash");
		}
		memcpy(out->root.h, root, SV_HASH_LEN);
		free(root);
	}
	if (strcmp(out->origin, name) != 0)
		return sv_error(SCRVAULT_EINTEGRITY, "checkpoint is for log '%s', not '%s'", out->origin, name);
	/* Signature lines. */
	for (p = sep + 2; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *sp;
		size_t n;

		if (!nl)
			return bad("signature line does not end in a newline");
		n = (size_t)(nl - p);
		if (n >= sizeof(line) || n < 4 || memcmp(p, EM_DASH " ", 4) != 0)
			return bad("has a malformed signature line");
		memcpy(line, p + 4, n - 4);
		line[n - 4] = '\0';
		if (!(sp = strrchr(line, ' ')))
			return bad("has a malformed signature line");
		if (sv_unbase64(&raw, &rawlen, sp + 1) < 0 || rawlen < 5) {
			free(raw);
			raw = NULL;
			return bad("signature is not base64");
		}
		if ((size_t)(sp - line) == strlen(name) && memcmp(line, name, strlen(name)) == 0 &&
		    rawlen == 4 + SV_SIG_LEN &&
		    ((uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 | (uint32_t)raw[2] << 8 | raw[3]) == want) {
			if ((error = sv_ed25519_verify(raw + 4, pub, note, bodylen)) < 0) {
				free(raw);
				return sv_error(SCRVAULT_EINTEGRITY, "checkpoint signature does not verify");
			}
			signed_ok = true;
		} else {
			other = true;
		}
		free(raw);
		raw = NULL;
		p = nl + 1;
	}
	if (!signed_ok)
		return sv_error(SCRVAULT_EINTEGRITY, "checkpoint is not signed by the expected key%s",
				other ? " (it is signed by another key)" : "");
	return 0;
}
