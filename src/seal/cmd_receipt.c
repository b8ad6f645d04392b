/*
 * cmd_receipt.c - scrvault-seal receipt verify: check a vault's signed
 * receipt of a check-in offline, with the vault's verifier key alone (and
 * the file, when given).  The checks are the library's
 * (scrvault_receipt_verify); this prints the verdict.
 */
#include <stdio.h>
#include <stdlib.h>
#include "seal.h"
#include "scrvault/upload.h"

int seal_cmd_receipt_verify(cli_args *a, scrvault *unused)
{
	scrvault_json *j = NULL;
	const char *vkey = cli_opt(a, "vkey") ? cli_opt(a, "vkey") : getenv("SCRVAULT_VAULT_KEY");
	int error;

	(void)unused;
	if (!vkey || !*vkey)
		return cli_usage(a, "give the vault's verifier key: --vkey VKEY (or $SCRVAULT_VAULT_KEY)");
	if ((error = scrvault_receipt_verify(&j, a->args[0], vkey, cli_opt(a, "file"))) < 0)
		return cli_fail(error);
	return cli_result(a, j, "valid: %s version %lld, sha256 %s, %lld bytes, checked in at %s (audit entry %lld)%s\n",
			  cli_str(j, "doc"), cli_int(j, "version"), cli_str(j, "sha256"), cli_int(j, "size"),
			  cli_str(j, "at"), cli_int(j, "seq"), cli_opt(a, "file") ? "; the file is the one received" : "");
}
