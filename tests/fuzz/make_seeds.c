/*
 * make_seeds - write the seed corpus of fuzz_bundle: valid bundles and age
 * files for the fixed identity of fuzz_keys.h, and valid manifests.
 *
 *   make_seeds DIR          writes DIR/<name> for every seed; prints the
 *                           identity's recipient (age1...) on stdout, so
 *                           tests/fuzz/make-corpus can add stock-age files
 *
 * Each seed starts with the mode byte fuzz_bundle reads (fuzz_keys.h); the
 * rest is the file itself.  The file keys are random, so the seeds differ
 * from one generation to the next; what they cover does not.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "crypto/age.h"
#include "crypto/bundle.h"
#include "base/file.h"
#include "base/json.h"
#include "fuzz_keys.h"

static const unsigned char zero_nonce[SV_CHACHA_NONCE_LEN];
static const char *outdir;

/* A growing memory buffer as the writer's sink. */
typedef struct {
	unsigned char *p;
	size_t len, cap;
} membuf;

static int mem_write(void *ctx, const void *buf, size_t len)
{
	membuf *m = ctx;

	if (m->len + len > m->cap) {
		size_t cap = (m->cap ? m->cap : 4096);
		unsigned char *p;

		while (cap < m->len + len)
			cap *= 2;
		if (!(p = realloc(m->p, cap)))
			return sv_error(SCRVAULT_ERROR, "out of memory");
		m->p = p;
		m->cap = cap;
	}
	memcpy(m->p + m->len, buf, len);
	m->len += len;
	return 0;
}

static void die(const char *what)
{
	fprintf(stderr, "make_seeds: %s: %s\n", what, scrvault_error_message());
	exit(1);
}

/* Write mode byte || data to outdir/name. */
static void seed(const char *name, unsigned char selector, const void *data, size_t len)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0 ||
	    sv_write_all(fd, &selector, 1) < 0 || sv_write_all(fd, data, len) < 0 || close(fd) < 0) {
		fprintf(stderr, "make_seeds: cannot write '%s'\n", path);
		exit(1);
	}
}

/*
 * A signed intake-style manifest: signature (64) || canonical JSON, in new
 * memory (*len bytes).  `break_sig` flips a bit of the signature.
 */
static unsigned char *manifest(size_t *len, const sv_secret *signer, size_t payload,
			       bool break_sig)
{
	unsigned char pub[SV_KEY_LEN], *plain;
	char *text = NULL, *key64;
	size_t tlen = 0;
	sv_json *m;

	if (sv_ed25519_public(pub, signer) < 0 || !(key64 = sv_base64(pub, SV_KEY_LEN)) ||
	    !(m = sv_json_object()))
		die("manifest");
	if (sv_json_set_str(m, "agency", "police") < 0 ||
	    sv_json_set_str(m, "bundle", "00112233445566778899aabbccddeeff") < 0 ||
	    sv_json_set_str(m, "case", "SCR-2026-01") < 0 ||
	    sv_json_set_str(m, "class", "imr") < 0 ||
	    sv_json_set_str(m, "filename", "report.pdf") < 0 ||
	    sv_json_set_str(m, "sealed_at", "2026-11-30T12:00:00Z") < 0 ||
	    sv_json_set_str(m, "sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") < 0 ||
	    sv_json_set_str(m, "signer", "police") < 0 ||
	    sv_json_set_str(m, "signer_key", key64) < 0 ||
	    sv_json_set_int(m, "size", (int64_t)payload) < 0 ||
	    sv_json_set_str(m, "title", "Individual management review \xc3\xa9") < 0 ||
	    sv_json_set_str(m, "type", SV_INTAKE_TYPE) < 0 ||
	    sv_json_set_str(m, "vault", "050b8e2c5cf5a7eb0b5830e40f4ddcf3") < 0 ||
	    sv_json_write(&text, &tlen, m) < 0)
		die("manifest");
	if (!(plain = malloc(SV_SIG_LEN + tlen)) || sv_ed25519_sign(plain, signer, text, tlen) < 0)
		die("sign");
	memcpy(plain + SV_SIG_LEN, text, tlen);
	if (break_sig)
		plain[5] ^= 0x10;
	*len = SV_SIG_LEN + tlen;
	sv_json_free(m);
	free(text);
	free(key64);
	return plain;
}

typedef struct {
	bool manifest, break_sig, armor, extra_stanza;
} bundle_opts;

/* A bundle (or plain age file) of `payload` pattern bytes to `to`. */
static void bundle(membuf *out, const unsigned char to[SV_KEY_LEN], const sv_secret *signer,
		   size_t payload, const bundle_opts *o)
{
	sv_age_writer *w = NULL;
	unsigned char *buf;

	out->len = 0;
	if (sv_age_writer_new(&w, (const unsigned char (*)[SV_KEY_LEN])to, 1) < 0)
		die("writer");
	if (o->extra_stanza) {
		const char *args[] = { "fuzz-unknown", "arg1", "arg2" };
		static const unsigned char body[70] = { 1, 2, 3 };

		if (sv_age_writer_add_stanza(w, args, 3, body, sizeof(body)) < 0)
			die("extra stanza");
	}
	if (o->manifest) {
		const char *args[] = { SV_MANIFEST_STANZA, "v1" };
		size_t plen = 0;
		unsigned char *plain = manifest(&plen, signer, payload, o->break_sig), *body;
		sv_secret *key = NULL;

		if (!(body = malloc(plen + SV_CHACHA_TAG_LEN)) ||
		    sv_age_writer_derive(&key, w, SV_MANIFEST_LABEL) < 0 ||
		    sv_chacha20poly1305_seal(body, key, zero_nonce, plain, plen) < 0 ||
		    sv_age_writer_add_stanza(w, args, 2, body, plen + SV_CHACHA_TAG_LEN) < 0)
			die("manifest stanza");
		sv_secret_free(key);
		free(plain);
		free(body);
	}
	if (!(buf = malloc(payload + 1)))
		die("payload");
	for (size_t i = 0; i < payload; i++)
		buf[i] = (unsigned char)(i * 131 + 7);
	if (sv_age_writer_start(w, mem_write, out) < 0 || sv_age_writer_write(w, buf, payload) < 0 ||
	    sv_age_writer_finish(w) < 0)
		die("payload");
	sv_age_writer_free(w);
	free(buf);
	if (o->armor) {
		char *arm = NULL;
		size_t alen = 0;

		if (sv_age_armor(&arm, &alen, out->p, out->len) < 0)
			die("armor");
		out->len = 0;
		if (mem_write(out, arm, alen) < 0)
			die("armor");
		free(arm);
	}
}

int main(int argc, char **argv)
{
	unsigned char pub[SV_KEY_LEN], other[SV_KEY_LEN];
	sv_secret *priv = NULL, *signer = NULL, *otherpriv = NULL;
	const unsigned char B = FUZZ_SELECTOR(FUZZ_MODE_BUNDLE, 0);
	membuf mb = { 0 };
	unsigned char *m;
	char *rcp = NULL;
	size_t mlen = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: make_seeds DIR\n");
		return 2;
	}
	outdir = argv[1];
	if (sv_crypto_init() < 0 ||
	    sv_secret_from(&priv, FUZZ_X25519, sizeof(FUZZ_X25519)) < 0 ||
	    sv_secret_from(&signer, FUZZ_ED25519, sizeof(FUZZ_ED25519)) < 0 ||
	    sv_x25519_public(pub, priv) < 0 || sv_x25519_keygen(&otherpriv, other) < 0 ||
	    sv_age_recipient_encode(&rcp, pub) < 0)
		die("keys");

	/* plain age files (no manifest), from the library's writer */
	bundle(&mb, pub, signer, 0, &(bundle_opts){ 0 });
	seed("age-0", B, mb.p, mb.len);
	bundle(&mb, pub, signer, 1, &(bundle_opts){ 0 });
	seed("age-1", B, mb.p, mb.len);
	seed("age-1-eio", FUZZ_SELECTOR(FUZZ_MODE_BUNDLE_EIO, 0), mb.p, mb.len);
	bundle(&mb, pub, signer, 65536, &(bundle_opts){ 0 });
	seed("age-65536", B, mb.p, mb.len);

	/* bundles with a signed manifest */
	bundle(&mb, pub, signer, 0, &(bundle_opts){ .manifest = true });
	seed("bundle-0", B, mb.p, mb.len);
	bundle(&mb, pub, signer, 1, &(bundle_opts){ .manifest = true });
	seed("bundle-1", B, mb.p, mb.len);
	seed("bundle-1-read7", FUZZ_SELECTOR(FUZZ_MODE_BUNDLE, 7), mb.p, mb.len);
	bundle(&mb, pub, signer, 65536, &(bundle_opts){ .manifest = true });
	seed("bundle-65536", B, mb.p, mb.len);
	seed("bundle-65536-eio-read63", FUZZ_SELECTOR(FUZZ_MODE_BUNDLE_EIO, 63), mb.p, mb.len);
	bundle(&mb, pub, signer, 1, &(bundle_opts){ .manifest = true, .armor = true });
	seed("bundle-1-armored", B, mb.p, mb.len);
	bundle(&mb, pub, signer, 1, &(bundle_opts){ .manifest = true, .break_sig = true });
	seed("bundle-1-badsig", B, mb.p, mb.len);
	bundle(&mb, pub, signer, 1, &(bundle_opts){ .manifest = true, .extra_stanza = true });
	seed("bundle-1-unknown-stanza", B, mb.p, mb.len);
	/* to another recipient: no stanza unwraps */
	bundle(&mb, other, signer, 1, &(bundle_opts){ .manifest = true });
	seed("bundle-1-not-for-us", B, mb.p, mb.len);

	/* the header alone, and the armor alone */
	bundle(&mb, pub, signer, 0, &(bundle_opts){ .manifest = true });
	seed("header-bundle", FUZZ_SELECTOR(FUZZ_MODE_HEADER, 0), mb.p, mb.len);
	bundle(&mb, pub, signer, 1, &(bundle_opts){ .armor = true });
	seed("header-armored", FUZZ_SELECTOR(FUZZ_MODE_HEADER, 0), mb.p, mb.len);

	/* decrypted manifests */
	m = manifest(&mlen, signer, 1, false);
	seed("manifest", FUZZ_SELECTOR(FUZZ_MODE_MANIFEST, 0), m, mlen);
	free(m);
	m = manifest(&mlen, signer, 65536, true);
	seed("manifest-badsig", FUZZ_SELECTOR(FUZZ_MODE_MANIFEST, 0), m, mlen);
	free(m);

	printf("%s\n", rcp);
	free(rcp);
	free(mb.p);
	sv_secret_free(priv);
	sv_secret_free(signer);
	sv_secret_free(otherpriv);
	return 0;
}
