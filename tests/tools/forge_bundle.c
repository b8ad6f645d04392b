/*
 * forge_bundle - make hostile intake bundles for the CLI tests: a bundle
 * that is well-formed age, encrypted to the vault, but whose manifest lies,
 * is signed by the wrong key, or whose signature is broken.
 *
 *   forge_bundle --to age1... --key FILE [--passphrase-file F] --content FILE
 *                --case REF --class CLASS -o OUT
 *                [--set KEY=VALUE]... [--int KEY=N]... [--sign-with FILE]
 *                [--break-signature] [--two-manifests] [--bad-stanza-version]
 *
 * --set/--int change manifest fields after the honest values are filled in
 * (before signing); --sign-with signs with another key file (kdf none or the
 * same passphrase); --break-signature flips a bit of the signature.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "crypto/age.h"
#include "crypto/bundle.h"
#include "base/file.h"
#include "crypto/identity.h"
#include "base/json.h"
#include "base/date.h"
#include "scrvault/vault.h"

static int die(const char *what)
{
	fprintf(stderr, "forge_bundle: %s: %s\n", what, scrvault_error_message());
	return 1;
}

static int write_out(void *ctx, const void *buf, size_t len)
{
	return sv_write_all(*(int *)ctx, buf, len) < 0 ? SCRVAULT_ERROR : 0;
}

int main(int argc, char **argv)
{
	const char *to = NULL, *key = NULL, *ppf = NULL, *content = NULL, *caseref = NULL;
	const char *cls = NULL, *out = NULL, *signwith = NULL;
	const char *sets[16], *ints[16];
	size_t nsets = 0, nints = 0;
	bool breaksig = false, two = false, badver = false;
	unsigned char pub[SV_KEY_LEN], sha[SV_SHA256_LEN], *data = NULL, *plain, *body;
	char shahex[65], when[21], *text = NULL, *k64, *buf = NULL;
	size_t len = 0, tlen = 0, blen = 0;
	sv_secret *pp = NULL, *mk = NULL;
	sv_identity *id = NULL, *sid = NULL;
	sv_age_writer *w = NULL;
	sv_json *m;
	int fd;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--to") && v) to = v, i++;
		else if (!strcmp(a, "--key") && v) key = v, i++;
		else if (!strcmp(a, "--passphrase-file") && v) ppf = v, i++;
		else if (!strcmp(a, "--content") && v) content = v, i++;
		else if (!strcmp(a, "--case") && v) caseref = v, i++;
		else if (!strcmp(a, "--class") && v) cls = v, i++;
		else if (!strcmp(a, "-o") && v) out = v, i++;
		else if (!strcmp(a, "--sign-with") && v) signwith = v, i++;
		else if (!strcmp(a, "--set") && v && nsets < 16) sets[nsets++] = v, i++;
		else if (!strcmp(a, "--int") && v && nints < 16) ints[nints++] = v, i++;
		else if (!strcmp(a, "--break-signature")) breaksig = true;
		else if (!strcmp(a, "--two-manifests")) two = true;
		else if (!strcmp(a, "--bad-stanza-version")) badver = true;
		else {
			fprintf(stderr, "forge_bundle: bad argument '%s'\n", a);
			return 2;
		}
	}
	if (!to || !key || !content || !caseref || !cls || !out)
		return fprintf(stderr, "forge_bundle: missing arguments\n"), 2;
	if (scrvault_global_init() < 0)
		return die("init");
	if (ppf) {
		if (sv_file_read(&buf, &len, ppf, 1024) < 0)
			return die("passphrase");
		while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			len--;
		if (sv_secret_from(&pp, buf, len) < 0)
			return die("passphrase");
		free(buf);
	}
	if (sv_age_recipient_decode(pub, to) < 0 || sv_identity_load(&id, key, pp) < 0)
		return die("key");
	if (signwith && sv_identity_load(&sid, signwith, pp) < 0)
		return die("sign-with key");
	if (sv_file_read((char **)&data, &len, content, 1u << 30) < 0)
		return die("content");
	sv_sha256(sha, data, len);
	sv_hex(shahex, sha, sizeof(sha));
	sv_time_iso(when, sv_now());
	k64 = sv_base64((sid ? sid : id)->ed_pub, SV_KEY_LEN);
	m = sv_json_object();
	sv_json_set_str(m, "agency", NULL);
	sv_json_set_str(m, "bundle", "0123456789abcdef0123456789abcdef");
	{
		unsigned char rnd[16];
		char hex[33];

		sv_random(rnd, sizeof(rnd));
		sv_hex(hex, rnd, sizeof(rnd));
		sv_json_set_str(m, "bundle", hex);
	}
	sv_json_set_str(m, "case", caseref);
	sv_json_set_str(m, "class", cls);
	sv_json_set_str(m, "filename", "forged.pdf");
	sv_json_set_str(m, "sealed_at", when);
	sv_json_set_str(m, "sha256", shahex);
	sv_json_set_str(m, "signer", id->name);
	sv_json_set_str(m, "signer_key", k64);
	sv_json_set_int(m, "size", (int64_t)len);
	sv_json_set_str(m, "title", "Forged");
	sv_json_set_str(m, "to", to);
	sv_json_set_str(m, "type", SV_INTAKE_TYPE);
	sv_json_set_str(m, "vault", id->vault_id);
	for (size_t i = 0; i < nsets; i++) {
		char *kv = strdup(sets[i]), *eq = strchr(kv, '=');

		if (!eq)
			return 2;
		*eq = '\0';
		sv_json_set_str(m, kv, eq + 1);
		free(kv);
	}
	for (size_t i = 0; i < nints; i++) {
		char *kv = strdup(ints[i]), *eq = strchr(kv, '=');

		if (!eq)
			return 2;
		*eq = '\0';
		sv_json_set_int(m, kv, strtoll(eq + 1, NULL, 10));
		free(kv);
	}
	if (sv_json_write(&text, &tlen, m) < 0)
		return die("manifest");
	plain = malloc(SV_SIG_LEN + tlen);
	body = malloc(SV_SIG_LEN + tlen + SV_CHACHA_TAG_LEN);
	blen = SV_SIG_LEN + tlen + SV_CHACHA_TAG_LEN;
	if (sv_ed25519_sign(plain, (sid ? sid : id)->ed_priv, text, tlen) < 0)
		return die("sign");
	if (breaksig)
		plain[7] ^= 0x01;
	memcpy(plain + SV_SIG_LEN, text, tlen);
	if (sv_age_writer_new(&w, (const unsigned char (*)[SV_KEY_LEN])pub, 1) < 0 ||
	    sv_age_writer_derive(&mk, w, SV_MANIFEST_LABEL) < 0 ||
	    sv_chacha20poly1305_seal(body, mk, (const unsigned char[SV_CHACHA_NONCE_LEN]){ 0 },
				     plain, SV_SIG_LEN + tlen) < 0)
		return die("encrypt manifest");
	{
		const char *args[] = { SV_MANIFEST_STANZA, badver ? "v9" : "v1" };

		if (sv_age_writer_add_stanza(w, args, 2, body, blen) < 0 ||
		    (two && sv_age_writer_add_stanza(w, args, 2, body, blen) < 0))
			return die("stanza");
	}
	if ((fd = open(out, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0)
		return die("output");
	if (sv_age_writer_start(w, write_out, &fd) < 0 || sv_age_writer_write(w, data, len) < 0 ||
	    sv_age_writer_finish(w) < 0)
		return die("write");
	close(fd);
	sv_age_writer_free(w);
	sv_secret_free(mk);
	sv_secret_free(pp);
	sv_identity_free(id);
	sv_identity_free(sid);
	sv_json_free(m);
	free(text);
	free(plain);
	free(body);
	free(k64);
	free(data);
	return 0;
}
