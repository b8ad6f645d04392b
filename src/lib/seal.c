/*
 * seal.c - the two ends of a bundle that need no vault: an agency sealing a
 * document for the vault (intake seal), and a reader opening a release
 * (open).  Formats and checks in bundle.h and bundle.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "vault_int.h"
#include "bundle.h"
#include "fsutil.h"
#include "note.h"
#include "scrvault/bundle.h"

/* ---- seal (agency side, no vault) ---------------------------------------------------- */

static int hash_file(unsigned char sha[SV_SHA256_LEN], uint64_t *size, int fd, const char *name)
{
	unsigned char *buf;
	sv_sha256_ctx *h = NULL;
	int error;

	*size = 0;
	if (!(buf = sv_malloc(SV_AGE_CHUNK)))
		return SCRVAULT_ERROR;
	if ((error = sv_sha256_new(&h)) < 0)
		goto done;
	for (;;) {
		long n = sv_read_full(fd, buf, SV_AGE_CHUNK);

		if (n < 0) {
			error = sv_error(SCRVAULT_ERROR, "cannot read '%s': %s", name, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		*size += (uint64_t)n;
		if ((error = sv_sha256_update(h, buf, (size_t)n)) < 0)
			goto done;
	}
	error = sv_sha256_final(h, sha);
done:
	sv_cleanse(buf, SV_AGE_CHUNK);
	free(buf);
	sv_sha256_free(h);
	return error;
}

int scrvault_intake_seal(scrvault_json **out, const scrvault_seal_spec *s)
{
	unsigned char pub[SV_KEY_LEN], sha[SV_SHA256_LEN], id[16], *buf = NULL;
	char shahex[2 * SV_SHA256_LEN + 1], idhex[33], when[21];
	char *to = NULL, *key64 = NULL;
	sv_identity *ident = NULL;
	sv_age_writer *w = NULL;
	sv_json *m = NULL;
	sv_outfile o = { .fd = -1 };
	struct stat sb;
	uint64_t size = 0, done_bytes = 0;
	int fd = -1, error;

	*out = NULL;
	if (!s->input || !s->output)
		return sv_error(SCRVAULT_EUSAGE, "give the file to seal and the output (-o FILE)");
	if (!s->case_ref || !sv_ref_valid(s->case_ref))
		return sv_error(SCRVAULT_EUSAGE, "a bundle needs the case reference (--case REF, like SCR-2026-03)");
	if (!s->doc_class || !*s->doc_class)
		return sv_error(SCRVAULT_EUSAGE, "a bundle needs the document class (--class, e.g. imr)");
	if ((error = sv_bundle_recipient_arg(pub, &to, s->recipient)) < 0)
		return error;
	if ((error = sv_identity_load(&ident, s->keyfile, s->passphrase)) < 0)
		goto done;
	if (!ident->ed_priv) {
		error = sv_error(SCRVAULT_EUSAGE, "key file '%s' needs its passphrase (--passphrase-file)", s->keyfile);
		goto done;
	}
	if ((fd = open(s->input, O_RDONLY | O_CLOEXEC)) < 0) {
		error = sv_error(errno == ENOENT ? SCRVAULT_ENOTFOUND : SCRVAULT_ERROR,
				 "cannot open '%s': %s", s->input, strerror(errno));
		goto done;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		error = sv_error(SCRVAULT_EUSAGE, "'%s' is not a regular file", s->input);
		goto done;
	}
	/* The manifest, with the content's digest, is signed before the content is
	 * encrypted (it goes in the header): one pass to hash, one to encrypt. */
	if ((error = hash_file(sha, &size, fd, s->input)) < 0 || (error = sv_random(id, sizeof(id))) < 0)
		goto done;
	sv_hex(shahex, sha, sizeof(sha));
	sv_hex(idhex, id, sizeof(id));
	sv_time_iso(when, sv_now());
	error = SCRVAULT_ERROR;
	if (!(key64 = sv_base64(ident->ed_pub, SV_KEY_LEN)) || !(m = sv_json_object()))
		goto done;
	if ((error = sv_json_set_str(m, "agency", s->agency)) < 0 ||
	    (error = sv_json_set_str(m, "bundle", idhex)) < 0 ||
	    (error = sv_json_set_str(m, "case", s->case_ref)) < 0 ||
	    (error = sv_json_set_str(m, "class", s->doc_class)) < 0 ||
	    (error = sv_json_set_str(m, "filename", s->filename ? s->filename : sv_bundle_base_name(s->input))) < 0 ||
	    (error = sv_json_set_str(m, "sealed_at", when)) < 0 ||
	    (error = sv_json_set_str(m, "sha256", shahex)) < 0 ||
	    (error = sv_json_set_str(m, "signer", ident->name)) < 0 ||
	    (error = sv_json_set_str(m, "signer_key", key64)) < 0 ||
	    (error = sv_json_set_int(m, "size", (int64_t)size)) < 0 ||
	    (error = sv_json_set_str(m, "title", s->title ? s->title :
				     s->filename ? s->filename : sv_bundle_base_name(s->input))) < 0 ||
	    (error = sv_json_set_str(m, "to", to)) < 0 ||
	    (error = sv_json_set_str(m, "type", SV_INTAKE_TYPE)) < 0 ||
	    (error = sv_json_set_str(m, "vault", ident->vault_id)) < 0)
		goto done;
	if ((error = sv_age_writer_new(&w, (const unsigned char (*)[SV_KEY_LEN])pub, 1)) < 0 ||
	    (error = sv_bundle_add_manifest(w, m, ident->ed_priv, NULL, NULL)) < 0 ||
	    (error = sv_outfile_open(&o, s->output)) < 0 ||
	    (error = sv_age_writer_start(w, sv_bundle_write_fd, &o.fd)) < 0)
		goto done;
	if (lseek(fd, 0, SEEK_SET) != 0) {
		error = sv_error(SCRVAULT_ERROR, "cannot read '%s' again: %s", s->input, strerror(errno));
		goto done;
	}
	error = SCRVAULT_ERROR;
	if (!(buf = sv_malloc(SV_AGE_CHUNK)))
		goto done;
	for (;;) {
		long n = sv_read_full(fd, buf, SV_AGE_CHUNK);

		if (n < 0) {
			error = sv_error(SCRVAULT_ERROR, "cannot read '%s': %s", s->input, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		done_bytes += (uint64_t)n;
		if ((error = sv_age_writer_write(w, buf, (size_t)n)) < 0)
			goto done;
	}
	if (done_bytes != size) {
		error = sv_error(SCRVAULT_ERROR, "'%s' changed while it was being sealed: seal it again", s->input);
		goto done;
	}
	if ((error = sv_age_writer_finish(w)) < 0 || (error = sv_outfile_commit(&o)) < 0)
		goto done;
	*out = m;
	m = NULL;
done:
	if (error < 0)
		sv_outfile_abort(&o);
	if (buf) {
		sv_cleanse(buf, SV_AGE_CHUNK);
		free(buf);
	}
	if (fd >= 0)
		close(fd);
	sv_age_writer_free(w);
	sv_identity_free(ident);
	sv_json_free(m);
	free(to);
	free(key64);
	return error;
}

/* ---- open (reader, no vault) -------------------------------------------------------------- */

/* An age identity file: lines "AGE-SECRET-KEY-1...", comments, blank lines. */
static int read_identity_file(sv_secret **priv, const char *path)
{
	char *data = NULL, *line, *save = NULL;
	size_t len = 0;
	int error;

	*priv = NULL;
	if ((error = sv_file_read(&data, &len, path, 65536)) < 0)
		return sv_error(error, "cannot read the identity file '%s': %s", path, scrvault_error_message());
	error = sv_error(SCRVAULT_EUSAGE, "'%s' holds no age identity", path);
	for (line = strtok_r(data, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		line += strspn(line, " \t");
		if (!*line || *line == '#')
			continue;
		error = sv_age_identity_decode(priv, line);
		if (error < 0)
			error = sv_error(SCRVAULT_EUSAGE, "'%s' holds a line that is not an age identity", path);
		break;
	}
	sv_cleanse(data, len);
	free(data);
	return error;
}


static void safe_name(char *out, size_t len, const char *name)
{
	const char *b = sv_bundle_base_name(name);
	size_t j = 0;

	for (size_t i = 0; b[i] && j + 1 < len; i++) {
		unsigned char c = (unsigned char)b[i];

		char ch = (c < 0x20 || c == 0x7f || (j == 0 && c == '.')) ? '_' : (char)c;

		out[j++] = ch;
	}
	out[j] = '\0';
	if (!out[0])
		snprintf(out, len, "released-document");
}

int scrvault_open_release(scrvault_json **out, const scrvault_open_spec *s)
{
	char shahex[2 * SV_SHA256_LEN + 1], name[256];
	unsigned char sha[SV_SHA256_LEN], *chunk = NULL, *want = NULL;
	const char *outpath;
	sv_identity *ident = NULL;
	sv_secret *priv = NULL;
	sv_bundle *b = NULL;
	sv_sha256_ctx *h = NULL;
	sv_age_status status = SV_AGE_OK;
	sv_json *res = NULL;
	sv_outfile o = { .fd = -1 };
	uint64_t size = 0;
	size_t wantlen = 0;
	char *vault_pin = NULL;
	bool checked = false;
	int fd = -1, error;

	*out = NULL;
	if (!s->input)
		return sv_error(SCRVAULT_EUSAGE, "give the release file to open");
	if (s->identity) {
		if ((error = read_identity_file(&priv, s->identity)) < 0)
			return error;
	} else {
		if (!s->keyfile)
			return sv_error(SCRVAULT_EUSAGE, "give your key file (--key FILE) or an age identity (--identity FILE)");
		if ((error = sv_identity_load(&ident, s->keyfile, s->passphrase)) < 0)
			return error;
		if (!ident->x_priv) {
			sv_identity_free(ident);
			return sv_error(SCRVAULT_EUSAGE, "key file '%s' needs its passphrase (--passphrase-file)", s->keyfile);
		}
	}
	if (s->vault_key) {
		char origin[128];

		/* The vault's verifier key as 'scrvault audit pubkey' prints it (the
		 * one a board publishes), or the bare base64 key. */
		if (!strncmp(s->vault_key, "scrvault.local/", 15)) {
			if (!(want = sv_malloc(SV_KEY_LEN)) || sv_note_vkey_parse(origin, want, s->vault_key) < 0 ||
			    strncmp(origin, "scrvault.local/", 15) != 0 ||
			    !(vault_pin = sv_strdup(origin + 15))) {
				error = sv_error(SCRVAULT_EUSAGE, "--vault-key '%s' is not a vault verifier key "
						 "(scrvault.local/<vault id>+<key id>+<key>, as 'scrvault audit pubkey' "
						 "prints it)", s->vault_key);
				goto done;
			}
		} else if (sv_unbase64(&want, &wantlen, s->vault_key) < 0 || wantlen != SV_KEY_LEN) {
			error = sv_error(SCRVAULT_EUSAGE, "--vault-key must be the vault's verifier key as "
					 "'scrvault audit pubkey' prints it");
			goto done;
		}
	}
	if ((fd = open(s->input, O_RDONLY | O_CLOEXEC)) < 0) {
		error = sv_error(errno == ENOENT ? SCRVAULT_ENOTFOUND : SCRVAULT_ERROR,
				 "cannot open '%s': %s", s->input, strerror(errno));
		goto done;
	}
	{
		const sv_secret *const keys[] = { ident ? ident->x_priv : priv };
		sv_age_identities ids = { .x25519 = keys, .n_x25519 = 1 };

		if ((error = sv_bundle_open(&b, sv_bundle_fd_read, &fd, &ids, &status)) < 0) {
			if (status == SV_AGE_NO_MATCH)
				error = sv_error(SCRVAULT_EDENIED, "'%s' was not released to you: your key does not open it",
						 s->input);
			else if (status != SV_AGE_OK || error == SCRVAULT_EINTEGRITY)
				error = sv_error_wrap(SCRVAULT_EINTEGRITY, "'%s' is malformed or damaged (%s)", s->input,
						      sv_age_status_name(status));
			goto done;
		}
	}
	if (!b->manifest || strcmp(sv_bundle_str(b->manifest, "type"), SV_RELEASE_TYPE) != 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "'%s' is not a release from a vault (no vault manifest): it "
				 "cannot be verified; open it with 'age -d' if you trust its sender", s->input);
		goto done;
	}
	if (!b->signature_ok) {
		error = sv_error(SCRVAULT_EINTEGRITY, "the vault's signature on '%s' does not verify: it was altered "
				 "or forged; nothing was written", s->input);
		goto done;
	}
	if (want) {
		if (memcmp(want, b->signer, SV_KEY_LEN) != 0 ||
		    (vault_pin && strcmp(vault_pin, sv_bundle_str(b->manifest, "vault")) != 0)) {
			error = sv_error(SCRVAULT_EINTEGRITY, "'%s' is signed by another key than the vault key you "
					 "gave (--vault-key): nothing was written", s->input);
			goto done;
		}
		checked = true;
	}
	if (ident && ident->vault_id[0] && strcmp(ident->vault_id, sv_bundle_str(b->manifest, "vault")) != 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "'%s' comes from vault %s, not from the vault of your key file (%s)",
				 s->input, sv_bundle_str(b->manifest, "vault"), ident->vault_id);
		goto done;
	}
	safe_name(name, sizeof(name), sv_bundle_str(b->manifest, "filename"));
	outpath = s->output ? s->output : name;
	if ((error = sv_outfile_open(&o, outpath)) < 0 || (error = sv_sha256_new(&h)) < 0)
		goto done;
	error = SCRVAULT_ERROR;
	if (!(chunk = sv_malloc(SV_AGE_CHUNK)))
		goto done;
	for (;;) {
		size_t n = 0;

		if ((error = sv_age_reader_read(b->reader, chunk, &n, &status)) < 0) {
			error = sv_error_wrap(SCRVAULT_EINTEGRITY, "'%s' is truncated or damaged: nothing was written",
					      s->input);
			goto done;
		}
		if (n == 0)
			break;
		size += n;
		if ((error = sv_sha256_update(h, chunk, n)) < 0 || (error = sv_bundle_write_fd(&o.fd, chunk, n)) < 0)
			goto done;
	}
	if ((error = sv_sha256_final(h, sha)) < 0)
		goto done;
	sv_hex(shahex, sha, sizeof(sha));
	if (strcmp(shahex, sv_bundle_str(b->manifest, "sha256")) != 0 ||
	    sv_json_as_int(sv_json_get(b->manifest, "size")) != (int64_t)size) {
		error = sv_error(SCRVAULT_EINTEGRITY, "the content of '%s' does not match the vault's manifest: "
				 "nothing was written", s->input);
		goto done;
	}
	if ((error = sv_outfile_commit(&o)) < 0)
		goto done;
	error = SCRVAULT_ERROR;
	if (!(res = sv_json_object()))
		goto done;
	for (size_t i = 0; i < sv_json_count(b->manifest); i++) {
		const char *k = sv_json_key_at(b->manifest, i);
		const sv_json *val = sv_json_get(b->manifest, k);

		if (sv_json_type_of(val) == SV_JSON_STRING)
			error = sv_json_set_str(res, k, sv_json_str(val));
		else if (sv_json_type_of(val) == SV_JSON_INT)
			error = sv_json_set_int(res, k, sv_json_as_int(val));
		else
			error = sv_json_set(res, k, sv_json_null());
		if (error < 0)
			goto done;
	}
	if ((error = sv_json_set_bool(res, "signer_checked", checked)) < 0 ||
	    (error = sv_json_set_str(res, "output", outpath)) < 0)
		goto done;
	*out = res;
	res = NULL;
	error = 0;
done:
	if (error < 0)
		sv_outfile_abort(&o);
	if (chunk) {
		sv_cleanse(chunk, SV_AGE_CHUNK);
		free(chunk);
	}
	if (fd >= 0)
		close(fd);
	free(want);
	free(vault_pin);
	sv_sha256_free(h);
	sv_bundle_free(b);
	sv_identity_free(ident);
	sv_secret_free(priv);
	sv_json_free(res);
	return error;
}
