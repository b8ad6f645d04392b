/*
 * bundles.c - the bundle commands that need no vault, run alike by
 * `scrvault intake seal` / `scrvault open` and by `scrvault-seal seal` /
 * `scrvault-seal open` (their options, usage words and help: cli.h).  The
 * command-line side of crypto/seal.c: an agency seals a document for the
 * vault with its own key file; a reader opens a release made to them.
 *
 * It calls only public calls that need no vault, so that scrvault-seal,
 * which links base and crypto alone, can link it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

const char *cli_own_key(const cli_args *a)
{
	const char *k = cli_opt(a, "key");

	return k ? k : getenv("SCRVAULT_KEY");
}

int cli_seal_check(cli_args *a)
{
	if (!cli_own_key(a))
		return cli_usage(a, "give your key file (--key FILE or $SCRVAULT_KEY)");
	if (!cli_opt(a, "to"))
		return cli_usage(a, "give the vault's recipient (--to age1... or --to FILE)");
	if (!cli_opt(a, "case") || !cli_opt(a, "class"))
		return cli_usage(a, "give the case and class (--case REF --class CLASS)");
	if (!cli_opt(a, "output"))
		return cli_usage(a, "give the bundle to write (-o FILE)");
	return 0;
}

int cli_seal_run(cli_args *a, scrvault *unused)
{
	scrvault_seal_spec s = {
		.version = SCRVAULT_SEAL_SPEC_VERSION,
		.keyfile = cli_own_key(a),
		.recipient = cli_opt(a, "to"),
		.case_ref = cli_opt(a, "case"),
		.doc_class = cli_opt(a, "class"),
		.agency = cli_opt(a, "agency"),
		.title = cli_opt(a, "title"),
		.filename = cli_opt(a, "filename"),
		.input = a->args[0],
		.output = cli_opt(a, "output"),
	};
	scrvault_json *j = NULL;
	int error;

	(void)unused;
	if ((error = cli_key_passphrase(a, s.keyfile)) != 0)
		return error;
	s.passphrase = a->secret;
	if ((error = scrvault_intake_seal(&j, &s)) < 0)
		return cli_fail(error);
	if (!a->json && strcmp(s.output, "-") != 0)
		fprintf(stderr, "sealed '%s' for case %s (%s, %lld bytes, sha256 %s) into '%s'\n", s.input,
			cli_str(j, "case"), cli_str(j, "class"), cli_int(j, "size"), cli_str(j, "sha256"), s.output);
	return cli_result(a, j, NULL);
}

int cli_open_check(cli_args *a)
{
	if (!cli_opt(a, "identity") && !cli_own_key(a))
		return cli_usage(a, "give your key file (--key FILE or $SCRVAULT_KEY) or an age identity (--identity FILE)");
	return 0;
}

int cli_open_run(cli_args *a, scrvault *unused)
{
	scrvault_open_spec s = {
		.version = SCRVAULT_OPEN_SPEC_VERSION,
		.keyfile = cli_own_key(a),
		.identity = cli_opt(a, "identity"),
		.vault_key = cli_opt(a, "vault-key"),
		.input = a->args[0],
		.output = cli_opt(a, "output"),
	};
	scrvault_json *j = NULL;
	int error;

	(void)unused;
	if (!s.vault_key)
		s.vault_key = getenv("SCRVAULT_VAULT_KEY");
	if (s.identity)
		s.keyfile = NULL;
	if ((error = cli_key_passphrase(a, s.keyfile)) != 0)
		return error;
	s.passphrase = a->secret;
	if ((error = scrvault_open_release(&j, &s)) < 0)
		return cli_fail(error);
	if (a->json)
		cli_print_json(j);
	else if (strcmp(cli_str(j, "output"), "-") != 0)
		printf("opened release %lld of vault %s: document %s version %lld (%s) into '%s'\n", cli_int(j, "release"),
		       cli_str(j, "vault"), cli_str(j, "doc"), cli_int(j, "version"), cli_str(j, "title"),
		       cli_str(j, "output"));
	if (!scrvault_json_bool(scrvault_json_get(j, "signer_checked")))
		fprintf(stderr, "%s: warning: the vault's signature is valid, but was not checked against the "
			"vault's published verifier key (signed by key %s): pass --vault-key VKEY, as the board "
			"publishes it ('scrvault audit pubkey'), to be sure who sent it\n",
			cli_program, cli_str(j, "signer_key"));
	scrvault_json_free(j);
	return 0;
}
