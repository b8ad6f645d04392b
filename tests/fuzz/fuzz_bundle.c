/*
 * fuzz_bundle.c - libFuzzer target for the bundle reader: the age header
 * (version line, stanzas, MAC), the stanzas' unwrapping, the armor, the
 * scrvault manifest stanza (decryption, canonical JSON, Ed25519 signature)
 * and the STREAM payload.
 *
 * The first byte chooses the mode (fuzz_keys.h):
 *
 *   whole file   sv_bundle_open from a read callback with the one fixed
 *                X25519 identity (FUZZ_X25519), then every payload chunk;
 *                the callback returns at most N bytes a call (N from the
 *                first byte), and in one mode fails at the end of the input
 *                instead of returning 0, so short reads and source errors
 *                are exercised as well as EOF
 *   manifest     sv_bundle_manifest_parse of the rest (64-byte signature ||
 *                JSON) into a fresh sv_bundle, as after decryption
 *   header       sv_age_header_parse and sv_age_dearmor of the rest
 *
 * Mutated input rarely gets past a header MAC, which is why the manifest
 * parser has a mode of its own.  No passphrase is offered, so an scrypt
 * stanza never runs scrypt (which at age's work factor 22 needs 1 GiB).
 *
 * What must never happen, whatever the input: a crash, a sanitizer report,
 * a leak, a hang (libFuzzer's -timeout) or memory growing without bound
 * (-rss_limit_mb).  Errors are expected and ignored.  Built and run by
 * `make fuzz` (tests/fuzz/README.md).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "crypto/age.h"
#include "crypto/bundle.h"
#include "crypto/crypto.h"
#include "fuzz_keys.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sv_secret *identity;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sv_crypto_init() < 0 || sv_secret_from(&identity, FUZZ_X25519, sizeof(FUZZ_X25519)) < 0)
		abort();	/* the harness itself cannot run: not a finding */
	return 0;
}

/* The input as a source: at most `max` bytes a call (0: no limit). */
typedef struct {
	const uint8_t *p;
	size_t len, off, max;
	int eof_error;		/* at the end, fail instead of returning 0 */
} source;

static long source_read(void *ctx, void *buf, size_t len)
{
	source *s = ctx;
	size_t n = s->len - s->off;

	if (n == 0)
		return s->eof_error ? sv_error(SCRVAULT_ERROR, "fuzz: read error at the end") : 0;
	if (n > len)
		n = len;
	if (s->max && n > s->max)
		n = s->max;
	memcpy(buf, s->p + s->off, n);
	s->off += n;
	return (long)n;
}

static void fuzz_bundle(const uint8_t *data, size_t size, size_t max, int eof_error)
{
	const sv_secret *const keys[] = { identity };
	sv_age_identities ids = { .x25519 = keys, .n_x25519 = 1 };
	source src = { .p = data, .len = size, .max = max, .eof_error = eof_error };
	sv_age_status status = SV_AGE_OK;
	sv_bundle *b = NULL;
	unsigned char *chunk;

	if (sv_bundle_open(&b, source_read, &src, &ids, &status) < 0) {
		if (b)
			abort();	/* the contract: *out is NULL on failure */
		return;
	}
	if (!(chunk = malloc(SV_AGE_CHUNK)))
		abort();
	/* Every chunk to the end or the first error; the input bounds the count. */
	for (;;) {
		size_t n = 0;

		if (sv_age_reader_read(b->reader, chunk, &n, &status) < 0 || n == 0)
			break;
		if (n > SV_AGE_CHUNK)
			abort();
	}
	free(chunk);
	sv_bundle_free(b);
}

static void fuzz_manifest(const uint8_t *data, size_t size)
{
	sv_bundle *b = calloc(1, sizeof(*b));

	if (!b)
		abort();
	(void)sv_bundle_manifest_parse(b, data, size);
	sv_bundle_free(b);
}

static void fuzz_header(const uint8_t *data, size_t size)
{
	sv_age_header *h = NULL;
	unsigned char *plain = NULL;
	size_t plen = 0;

	if (sv_age_header_parse(&h, data, size) == 0) {
		if (h->len > size || h->mac_input_len > h->len || h->n == 0)
			abort();
		sv_age_header_free(h);
	}
	(void)sv_age_is_armored(data, size);
	if (sv_age_dearmor(&plain, &plen, data, size) == 0)
		free(plain);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (FUZZ_MODE(data[0])) {
	case FUZZ_MODE_BUNDLE:
		fuzz_bundle(data + 1, size - 1, FUZZ_READ_MAX(data[0]), 0);
		break;
	case FUZZ_MODE_BUNDLE_EIO:
		fuzz_bundle(data + 1, size - 1, FUZZ_READ_MAX(data[0]), 1);
		break;
	case FUZZ_MODE_MANIFEST:
		fuzz_manifest(data + 1, size - 1);
		break;
	case FUZZ_MODE_HEADER:
		fuzz_header(data + 1, size - 1);
		break;
	}
	return 0;
}
