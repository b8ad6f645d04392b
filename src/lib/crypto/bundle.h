/*
 * bundle.h - reading scrvault bundles (internal; the fuzz target uses it).
 *
 * A bundle is an age v1 file whose header carries, besides the recipient
 * stanzas, at most one stanza
 *
 *   -> scrvault-manifest v1
 *   <body: ChaCha20-Poly1305 under HKDF-SHA256(file key, "", label), nonce 0,
 *          of  signature (64 bytes, Ed25519)  ||  manifest (canonical JSON)>
 *
 * The manifest names its signer's public key ("signer_key", base64); the
 * signature is over the manifest's exact bytes.  age ignores the stanza, so
 * stock age decrypts a bundle; the header MAC covers it, so it cannot be
 * changed without the file key.
 */
#ifndef SV_BUNDLE_H
#define SV_BUNDLE_H

#include "crypto/age.h"
#include "crypto/crypto.h"
#include "base/json.h"
#include "base/common.h"

#define SV_MANIFEST_STANZA	"scrvault-manifest"
#define SV_MANIFEST_LABEL	"scrvault-manifest v1"
#define SV_MANIFEST_MAX		16384
#define SV_INTAKE_TYPE		"scrvault-intake v1"
#define SV_RELEASE_TYPE		"scrvault-release v1"

typedef struct {
	sv_age_reader *reader;
	sv_json *manifest;		/* NULL: no manifest stanza (a plain age file) */
	char *text;			/* the manifest's exact signed bytes */
	size_t textlen;
	unsigned char sig[SV_SIG_LEN];
	unsigned char signer[SV_KEY_LEN];
	bool signature_ok;
} sv_bundle;

/*
 * Read a bundle's header from the source with `ids`, and its manifest if it
 * has one (a malformed manifest is SCRVAULT_EINTEGRITY; a signature that
 * does not verify only leaves signature_ok false).  The payload is then
 * read with sv_age_reader_read(b->reader, ...).
 */
int sv_bundle_open(sv_bundle **out, sv_age_read_fn fn, void *ctx,
		   const sv_age_identities *ids, sv_age_status *status);
/* Parse a decrypted manifest stanza (signature || JSON) into b. */
int sv_bundle_manifest_parse(sv_bundle *b, const unsigned char *plain, size_t len);
void sv_bundle_free(sv_bundle *b);

/* Sign manifest `m` with `priv` and add it to the writer as the manifest
 * stanza; *text_out / sig_out (if not NULL) get the signed bytes and signature. */
int sv_bundle_add_manifest(sv_age_writer *w, const sv_json *m, const sv_secret *priv,
			   char **text_out, unsigned char sig_out[SV_SIG_LEN]);
/*
 * As sv_bundle_add_manifest, but put the manifest stanza in place of the
 * writer's extra stanza `index` (sv_age_writer_replace_stanza: a header
 * written last), or add it when `index` is SV_MANIFEST_NEW.  A manifest of
 * the same length makes a stanza of the same length.
 */
#define SV_MANIFEST_NEW ((size_t)-1)
int sv_bundle_set_manifest(sv_age_writer *w, size_t index, const sv_json *m, const sv_secret *priv,
			   char **text_out, unsigned char sig_out[SV_SIG_LEN]);
/*
 * Add a stand-in manifest stanza: `m` with a signature of 64 zero bytes, the
 * length of the signed one.  Only to learn the header's length: it must be
 * replaced (sv_bundle_set_manifest) before the header is written; an
 * importer rejects it.
 */
int sv_bundle_add_standin(sv_age_writer *w, const sv_json *m);
/* A manifest field as a string ("" if absent). */
const char *sv_bundle_str(const sv_json *m, const char *key);
/* "age1..." or a file whose first non-comment line is one. */
int sv_bundle_recipient_arg(unsigned char pub[SV_KEY_LEN], char **text, const char *arg);
const char *sv_bundle_base_name(const char *path);
/* Sources and sinks over an fd (ctx: int *). */
long sv_bundle_fd_read(void *ctx, void *buf, size_t len);
int sv_bundle_write_fd(void *ctx, const void *buf, size_t len);

#endif
