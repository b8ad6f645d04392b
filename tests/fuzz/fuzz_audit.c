/*
 * fuzz_audit.c - libFuzzer target for the audit-file verifier
 * (scrvault_audit_verify_file, src/lib/records/audit.c): what
 * `scrvault audit verify --file FILE --vkey KEY` reads without a vault, an
 * export (header, entries, checkpoints), an inclusion proof or a
 * consistency proof.
 *
 * The input is the verifier key (the vkey text) up to the first newline,
 * then the file: so the seeds, each with its own vault's vkey, verify, and
 * the fuzzer can change the key as well as the file.  The file is written
 * to disk (fuzz_file.h) as the verifier reads a path.  What must never
 * happen: a crash, a sanitizer report, a leak, a hang or unbounded memory.
 * A report or an error is the expected answer.  Built and run by
 * `make fuzz` (tests/fuzz/README.md).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "crypto/crypto.h"
#include "scrvault/audit.h"
#include "scrvault/json.h"
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
	const uint8_t *nl = memchr(data, '\n', size);
	scrvault_json *report = NULL;
	size_t klen;
	char *vkey;
	int rc;

	if (!nl)
		return 0;
	klen = (size_t)(nl - data);
	if (!(vkey = malloc(klen + 1)))
		abort();
	memcpy(vkey, data, klen);
	vkey[klen] = '\0';
	/* a report comes back with 0 (verified) or SCRVAULT_EINTEGRITY (problems) only */
	rc = scrvault_audit_verify_file(&report, fuzz_file_write(nl + 1, size - klen - 1), vkey);
	if (report ? rc != 0 && rc != SCRVAULT_EINTEGRITY : rc == 0)
		abort();
	scrvault_json_free(report);
	free(vkey);
	return 0;
}
