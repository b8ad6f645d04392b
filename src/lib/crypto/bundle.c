/*
 * bundle.c - the bundle format: an age v1 file with a signed, encrypted
 * manifest stanza (see bundle.h).  Reading, writing and signing; no vault.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "crypto/bundle.h"
#include "crypto/age.h"
#include "crypto/crypto.h"
#include "base/common.h"
#include "base/file.h"
#include "base/json.h"

static const unsigned char zero_nonce[SV_CHACHA_NONCE_LEN];

/* ---- reading -------------------------------------------------------------------- */

void sv_bundle_free(sv_bundle *b)
{
	if (!b)
		return;
	sv_age_reader_free(b->reader);
	sv_json_free(b->manifest);
	free(b->text);
	free(b);
}

int sv_bundle_manifest_parse(sv_bundle *b, const unsigned char *plain, size_t len)
{
	const char *key64;
	unsigned char *key = NULL;
	size_t keylen = 0;
	bool canonical = false;
	int error;

	if (len <= SV_SIG_LEN || len - SV_SIG_LEN > SV_MANIFEST_MAX)
		return sv_error(SCRVAULT_EINTEGRITY, "the bundle's manifest is malformed (wrong length)");
	memcpy(b->sig, plain, SV_SIG_LEN);
	b->textlen = len - SV_SIG_LEN;
	if (!(b->text = sv_strndup((const char *)plain + SV_SIG_LEN, b->textlen)))
		return SCRVAULT_ERROR;
	if (strlen(b->text) != b->textlen ||
	    sv_json_parse(&b->manifest, b->text, b->textlen, &canonical) < 0 || !canonical ||
	    sv_json_type_of(b->manifest) != SV_JSON_OBJECT)
		return sv_error(SCRVAULT_EINTEGRITY, "the bundle's manifest is malformed (not canonical JSON)");
	if (!(key64 = sv_json_str(sv_json_get(b->manifest, "signer_key"))) ||
	    sv_unbase64(&key, &keylen, key64) < 0 || keylen != SV_KEY_LEN) {
		free(key);
		return sv_error(SCRVAULT_EINTEGRITY, "the bundle's manifest names no valid signing key");
	}
	memcpy(b->signer, key, SV_KEY_LEN);
	free(key);
	error = sv_ed25519_verify(b->sig, b->signer, b->text, b->textlen);
	b->signature_ok = error == 0;
	return 0;
}

static bool is_manifest_stanza(const sv_age_stanza *s)
{
	return s->nargs >= 1 && strcmp(s->args[0], SV_MANIFEST_STANZA) == 0;
}

int sv_bundle_open(sv_bundle **out, sv_age_read_fn fn, void *ctx,
		   const sv_age_identities *ids, sv_age_status *status)
{
	const sv_age_header *h;
	const sv_age_stanza *ms = NULL;
	unsigned char *plain = NULL;
	sv_secret *key = NULL;
	sv_bundle *b;
	size_t plen = 0;
	int error;

	*out = NULL;
	if (!(b = sv_calloc(1, sizeof(*b))))
		return SCRVAULT_ERROR;
	if ((error = sv_age_reader_open(&b->reader, fn, ctx, ids, status)) < 0)
		goto fail;
	h = sv_age_reader_header(b->reader);
	for (size_t i = 0; i < h->n; i++) {
		if (!is_manifest_stanza(&h->stanzas[i]))
			continue;
		if (ms) {
			error = sv_error(SCRVAULT_EINTEGRITY, "the bundle has two manifests");
			goto fail;
		}
		ms = &h->stanzas[i];
	}
	if (status)
		*status = SV_AGE_OTHER;
	if (ms) {
		if (ms->nargs != 2 || strcmp(ms->args[1], "v1") != 0 ||
		    ms->bodylen <= SV_CHACHA_TAG_LEN + SV_SIG_LEN ||
		    ms->bodylen > SV_MANIFEST_MAX + SV_SIG_LEN + SV_CHACHA_TAG_LEN) {
			error = sv_error(SCRVAULT_EINTEGRITY, "the bundle's manifest stanza is malformed");
			goto fail;
		}
		plen = ms->bodylen - SV_CHACHA_TAG_LEN;
		error = SCRVAULT_ERROR;
		if (!(plain = sv_malloc(plen)) ||
		    (error = sv_age_reader_derive(&key, b->reader, SV_MANIFEST_LABEL)) < 0)
			goto fail;
		if ((error = sv_chacha20poly1305_open(plain, key, zero_nonce, ms->body, ms->bodylen)) < 0) {
			error = sv_error(SCRVAULT_EINTEGRITY, "the bundle's manifest does not decrypt");
			goto fail;
		}
		if ((error = sv_bundle_manifest_parse(b, plain, plen)) < 0)
			goto fail;
	}
	if (status)
		*status = SV_AGE_OK;
	sv_secret_free(key);
	sv_cleanse_free(plain, plen);
	*out = b;
	return 0;
fail:
	sv_secret_free(key);
	sv_cleanse_free(plain, plen);
	sv_bundle_free(b);
	return error;
}

/* ---- writing -------------------------------------------------------------------- */

/* Sign `m` with `priv`, and add it to the writer as the manifest stanza. */
int sv_bundle_add_manifest(sv_age_writer *w, const sv_json *m, const sv_secret *priv,
			char **text_out, unsigned char sig_out[SV_SIG_LEN])
{
	return sv_bundle_set_manifest(w, SV_MANIFEST_NEW, m, priv, text_out, sig_out);
}

/*
 * The manifest stanza, added or in place of extra stanza `index`, signed with
 * `priv`, or with a signature of 64 zero bytes if `standin`.
 */
static int set_manifest(sv_age_writer *w, size_t index, const sv_json *m, const sv_secret *priv,
			bool standin, char **text_out, unsigned char sig_out[SV_SIG_LEN])
{
	const char *args[] = { SV_MANIFEST_STANZA, "v1" };
	unsigned char *plain = NULL, *body = NULL;
	sv_secret *key = NULL;
	char *text = NULL;
	size_t len = 0, plen = 0;
	int error;

	if ((error = sv_json_write(&text, &len, m)) < 0)
		return error;
	if (len > SV_MANIFEST_MAX) {
		free(text);
		return sv_error(SCRVAULT_EUSAGE, "the manifest is too long (%zu bytes; at most %d): shorten the title",
				len, SV_MANIFEST_MAX);
	}
	plen = SV_SIG_LEN + len;
	error = SCRVAULT_ERROR;
	if (!(plain = sv_malloc(plen)) || !(body = sv_malloc(plen + SV_CHACHA_TAG_LEN)))
		goto done;
	if (standin)
		memset(plain, 0, SV_SIG_LEN);
	else if ((error = sv_ed25519_sign(plain, priv, text, len)) < 0)
		goto done;
	memcpy(plain + SV_SIG_LEN, text, len);
	if ((error = sv_age_writer_derive(&key, w, SV_MANIFEST_LABEL)) < 0 ||
	    (error = sv_chacha20poly1305_seal(body, key, zero_nonce, plain, plen)) < 0 ||
	    (error = index == SV_MANIFEST_NEW
		     ? sv_age_writer_add_stanza(w, args, 2, body, plen + SV_CHACHA_TAG_LEN)
		     : sv_age_writer_replace_stanza(w, index, args, 2, body, plen + SV_CHACHA_TAG_LEN)) < 0)
		goto done;
	if (sig_out)
		memcpy(sig_out, plain, SV_SIG_LEN);
	if (text_out) {
		*text_out = SV_TAKE(text);
	}
done:
	sv_cleanse_free(plain, plen);
	free(body);
	free(text);
	sv_secret_free(key);
	return error;
}

int sv_bundle_set_manifest(sv_age_writer *w, size_t index, const sv_json *m, const sv_secret *priv,
			   char **text_out, unsigned char sig_out[SV_SIG_LEN])
{
	if (!priv)
		return sv_error(SCRVAULT_ERROR, "a manifest needs its signing key");
	return set_manifest(w, index, m, priv, false, text_out, sig_out);
}

int sv_bundle_add_standin(sv_age_writer *w, const sv_json *m)
{
	return set_manifest(w, SV_MANIFEST_NEW, m, NULL, true, NULL, NULL);
}

int sv_bundle_write_fd(void *ctx, const void *buf, size_t len)
{
	if (sv_write_all(*(int *)ctx, buf, len) < 0)
		return sv_error(SCRVAULT_ERROR, "cannot write the output: %s", strerror(errno));
	return 0;
}

const char *sv_bundle_base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* A recipient argument: "age1..." or a file whose first non-comment line is one. */
int sv_bundle_recipient_arg(unsigned char pub[SV_KEY_LEN], char **text, const char *arg)
{
	char *data = NULL, *line, *save = NULL;
	size_t len = 0;
	int error;

	if (!arg || !*arg)
		return sv_error_field(SCRVAULT_EUSAGE, "recipient", "no recipient: give the vault's age1... recipient");
	if (!strncmp(arg, "age1", 4)) {
		if (sv_age_recipient_decode(pub, arg) < 0)
			return sv_error_field(SCRVAULT_EUSAGE, "recipient", "'%s' is not a valid age recipient (age1... "
					      "as the vault publishes it)", arg);
		return (*text = sv_strdup(arg)) ? 0 : SCRVAULT_ERROR;
	}
	if ((error = sv_file_read(&data, &len, arg, 4096)) < 0)
		return sv_error_field(error, "recipient", "cannot read the recipient file '%s': %s", arg,
				      scrvault_error_message());
	for (line = strtok_r(data, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		line += strspn(line, " \t");
		if (*line && *line != '#')
			break;
	}
	if (!line || sv_age_recipient_decode(pub, line) < 0) {
		free(data);
		return sv_error_field(SCRVAULT_EUSAGE, "recipient", "'%s' holds no valid age recipient (age1...)", arg);
	}
	*text = sv_strdup(line);
	free(data);
	return *text ? 0 : SCRVAULT_ERROR;
}

const char *sv_bundle_str(const sv_json *m, const char *key)
{
	const char *s = sv_json_str(sv_json_get(m, key));

	return s ? s : "";
}

long sv_bundle_fd_read(void *ctx, void *buf, size_t len)
{
	long n = sv_read_full(*(int *)ctx, buf, len);

	return n < 0 ? sv_error(SCRVAULT_ERROR, "cannot read the bundle: %s", strerror(errno)) : n;
}
