/*
 * fuzz_keys.h - the fixed keys shared by the bundle fuzz target and the
 * seed generator.  Public test values: they protect nothing.
 *
 * FUZZ_X25519 is the one identity the target decrypts with, so seeds made
 * for its recipient get past the header MAC into the manifest and payload
 * code.  FUZZ_ED25519 signs the seeds' manifests.
 */
#ifndef SV_FUZZ_KEYS_H
#define SV_FUZZ_KEYS_H

static const unsigned char FUZZ_X25519[32] = {
	0x66, 0x75, 0x7a, 0x7a, 0x2d, 0x62, 0x75, 0x6e, 0x64, 0x6c, 0x65, 0x2d,
	0x78, 0x32, 0x35, 0x35, 0x31, 0x39, 0x2d, 0x69, 0x64, 0x65, 0x6e, 0x74,
	0x69, 0x74, 0x79, 0x2d, 0x30, 0x30, 0x30, 0x31
};

static const unsigned char FUZZ_ED25519[32] = {
	0x66, 0x75, 0x7a, 0x7a, 0x2d, 0x62, 0x75, 0x6e, 0x64, 0x6c, 0x65, 0x2d,
	0x65, 0x64, 0x32, 0x35, 0x35, 0x31, 0x39, 0x2d, 0x73, 0x69, 0x67, 0x6e,
	0x65, 0x72, 0x2d, 0x2d, 0x30, 0x30, 0x30, 0x31
};

/*
 * The first input byte: its low two bits choose what is fuzzed, the high six
 * (whole-file modes) how many bytes each read of the source returns at most
 * (0: as many as asked).
 */
enum {
	FUZZ_MODE_BUNDLE = 0,		/* sv_bundle_open + the payload, source ends at EOF */
	FUZZ_MODE_MANIFEST = 1,		/* sv_bundle_manifest_parse of the rest */
	FUZZ_MODE_HEADER = 2,		/* sv_age_header_parse and sv_age_dearmor of the rest */
	FUZZ_MODE_BUNDLE_EIO = 3	/* as BUNDLE, but the source fails at the end */
};
#define FUZZ_MODE(b)		((b) & 0x03)
#define FUZZ_READ_MAX(b)	((size_t)((b) >> 2))
#define FUZZ_SELECTOR(mode, readmax)	((unsigned char)(((readmax) << 2) | (mode)))

#endif
