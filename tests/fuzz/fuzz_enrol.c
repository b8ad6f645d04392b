/*
 * fuzz_enrol.c - libFuzzer target for the enrolment request and acceptance
 * files (src/lib/crypto/enrol.c), which travel between a person's machine
 * and the coordinator's by hand: the strict line parser, the keys, times
 * and signatures (an enrolment signed by its new key, and in a rotation by
 * the old one; an acceptance by the vault's audit key, named by the vkey it
 * carries).
 *
 * The first byte's low bit chooses the parser: 0 sv_enrolment_parse,
 * 1 sv_acceptance_parse, of the rest; the rest is handed over as exactly
 * its bytes (no NUL after them), as the parsers take a length.  What must
 * never happen: a crash, a sanitizer report, a leak, a hang or unbounded
 * memory.  Errors are expected and ignored.  Built and run by `make fuzz`
 * (tests/fuzz/README.md).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "crypto/crypto.h"
#include "crypto/enrol.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sv_crypto_init() < 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size < 1)
		return 0;
	/* a copy of exactly the bytes: a read past them is an ASan report */
	if (!(text = malloc(size - 1 ? size - 1 : 1)))
		abort();
	memcpy(text, data + 1, size - 1);
	if (data[0] & 1) {
		sv_acceptance *a = NULL;

		if (sv_acceptance_parse(&a, text, size - 1, "fuzz.accept") == 0) {
			if (!a || strlen(a->vault_id) != 32)
				abort();
		} else if (a) {
			abort();
		}
		sv_acceptance_free(a);
	} else {
		sv_enrolment *e = NULL;

		if (sv_enrolment_parse(&e, text, size - 1, "fuzz.enrol") == 0) {
			if (!e)
				abort();
		} else if (e) {
			abort();
		}
		sv_enrolment_free(e);
	}
	free(text);
	return 0;
}
