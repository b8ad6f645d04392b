/*
 * cmd_keygen.c - scrvault-seal keygen: a person or an agency makes their own
 * key file where they work, and prints the public keys to give the
 * coordinator.  The private keys never leave the new file (scrvault_keygen).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "seal.h"
#include "scrvault/keyfile.h"

static void field(const scrvault_json *j, const char *key, const char *label)
{
	const char *v = scrvault_json_str(scrvault_json_get(j, key));

	if (v)
		printf("  %-10s %s\n", label, v);
}

int seal_cmd_keygen(cli_args *a, scrvault *unused)
{
	scrvault_keygen_spec s = SCRVAULT_KEYGEN_SPEC_INIT;
	long mib = cli_kdf_memory(a);
	scrvault_json *j = NULL;
	int error;

	(void)unused;
	s.name = a->args[0];
	s.kind = cli_opt(a, "kind");
	s.agency = cli_opt(a, "agency");
	s.keyfile = cli_opt(a, "key-out");
	if (!s.keyfile)
		return cli_usage(a, "give --key-out FILE for the new key file");
	if (mib < 0)
		return cli_usage(a, CLI_KDF_MEMORY_USAGE);
	if (mib)
		s.kdf_mib = (unsigned)mib;
	/* Everything but the passphrase first: no one types it twice in vain. */
	if ((error = scrvault_keygen_check(&s)) < 0)
		return cli_fail(error);
	if ((error = cli_new_passphrase(&a->secret, a, s.name)) < 0)
		return -error;
	s.passphrase = a->secret;
	if ((error = scrvault_keygen(&j, &s)) < 0)
		return cli_fail(error);
	if (!a->json) {
		printf("made key file '%s' for %s '%s', enrolled in no vault yet\n"
		       "give the coordinator these public keys (they are not secret):\n",
		       s.keyfile, cli_str(j, "kind"), s.name);
		field(j, "name", "name");
		field(j, "kind", "kind");
		field(j, "agency", "agency");
		field(j, "ed25519", "ed25519");
		field(j, "x25519", "x25519");
		field(j, "recipient", "recipient");
		printf("keep the key file and its passphrase to yourself: nobody else ever needs them\n");
	}
	(void)cli_result(a, j, NULL);
	return fflush(stdout) == 0 ? 0 : 1;
}
