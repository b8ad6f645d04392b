/*
 * fuzz_policy.c - libFuzzer target for the policy parser
 * (src/lib/vault/policyfile.c): the input is a policy file.
 *
 * It is parsed twice: as text (sv_policy_from_text, which stops at the
 * first error) and as a file (sv_policy_read, which reads it with its size
 * bound and collects every problem with its line).  A policy that parses is
 * read back (its name and text).  What must never happen, whatever the
 * input: a crash, a sanitizer report, a leak, a hang or unbounded memory.
 * Errors are expected and ignored.  Built and run by `make fuzz`
 * (tests/fuzz/README.md).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "crypto/crypto.h"
#include "vault/policyfile.h"
#include "fuzz_file.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sv_crypto_init() < 0)
		abort();
	fuzz_file_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sv_policy *p = NULL;
	sv_json *problems = NULL;
	char *text;

	/* as text: what comes before a NUL byte, as a C string */
	if (!(text = malloc(size + 1)))
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	if (sv_policy_from_text(&p, text, "fuzz.conf") == 0) {
		if (!p || !sv_policy_text(p))
			abort();
		(void)sv_policy_name(p);
	} else if (p) {
		abort();	/* the contract: *out is NULL on failure */
	}
	sv_policy_free(p);
	free(text);

	/* as a file, every problem collected */
	p = NULL;
	if (sv_policy_read(&p, &problems, fuzz_file_write(data, size)) == 0) {
		if (!p)
			abort();
		(void)sv_policy_text(p);
	}
	sv_policy_free(p);
	sv_json_free(problems);
	return 0;
}
