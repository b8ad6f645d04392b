/*
 * cmd_open.c - scrvault open: a document the vault released to you, opened
 * with your own key (no vault needed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/* The key file of a command that needs no vault: --key or $SCRVAULT_KEY. */
static const char *own_key(const cli_args *a)
{
	const char *k = cli_opt(a, "key");

	return k ? k : getenv("SCRVAULT_KEY");
}

static int check_open(cli_args *a)
{
	if (!cli_opt(a, "identity") && !own_key(a))
		return cli_usage(a, "give your key file (--key FILE or $SCRVAULT_KEY) or an age identity (--identity FILE)");
	return 0;
}

static int cmd_open(cli_args *a, scrvault *unused)
{
	scrvault_open_spec s = {
		.version = SCRVAULT_OPEN_SPEC_VERSION,
		.keyfile = own_key(a),
		.identity = cli_opt(a, "identity"),
		.vault_key = cli_opt(a, "vault-key"),
		.input = a->args[0],
		.output = cli_opt(a, "output"),
	};
	scrvault_secret *pp = NULL;
	scrvault_json *j = NULL;
	int error;

	(void)unused;
	if (!s.vault_key)
		s.vault_key = getenv("SCRVAULT_VAULT_KEY");
	if (s.identity)
		s.keyfile = NULL;
	if (s.keyfile && (error = cli_passphrase(&pp, a, s.keyfile)) < 0)
		return cli_fail(error);
	s.passphrase = pp;
	error = scrvault_open_release(&j, &s);
	scrvault_secret_free(pp);
	if (error < 0)
		return cli_fail(error);
	if (a->json) {
		cli_print_json(j);
	} else if (strcmp(scrvault_json_str(scrvault_json_get(j, "output")), "-") != 0) {
		printf("opened release %lld of vault %s: document %s version %lld (%s) into '%s'\n",
		       (long long)scrvault_json_int(scrvault_json_get(j, "release")),
		       scrvault_json_str(scrvault_json_get(j, "vault")),
		       scrvault_json_str(scrvault_json_get(j, "doc")),
		       (long long)scrvault_json_int(scrvault_json_get(j, "version")),
		       scrvault_json_str(scrvault_json_get(j, "title")),
		       scrvault_json_str(scrvault_json_get(j, "output")));
	}
	if (!scrvault_json_bool(scrvault_json_get(j, "signer_checked")))
		fprintf(stderr, "scrvault: warning: the vault's signature is valid, but was not checked against the "
			"vault's published verifier key (signed by key %s): pass --vault-key VKEY, as the board "
			"publishes it ('scrvault audit pubkey'), to be sure who sent it\n",
			scrvault_json_str(scrvault_json_get(j, "signer_key")));
	scrvault_json_free(j);
	return 0;
}

static const cli_optdef open_opts[] = {
	{ "identity", 1, "identity", "FILE" }, { "vault-key", 1, "vault_key", "VKEY" }, { "output", 1, "output", "OUT" },
	{ NULL, 0, NULL, NULL }
};

const cli_cmd cli_open_commands[] = {
	{ "open", NULL, cmd_open, CLI_BUNDLES_ONLY, check_open,
	  "scrvault open (--key FILE | --identity FILE) [--vault-key KEY] [-o OUT] RELEASE",
	  "Open a document the vault released to you: decrypt it with your own key,\n"
	  "verify the vault's signature and the content against the signed manifest.\n"
	  "The output appears only once everything verified (with -o -, it streams and\n"
	  "the exit status says whether it verified).\n\n"
	  "options:\n"
	  "  --key FILE        your key file (default $SCRVAULT_KEY)\n"
	  "  --identity FILE   an age identity file instead (a reader outside the vault)\n"
	  "  --vault-key VKEY  the vault's verifier key as the board publishes it (scrvault\n"
	  "                    audit pubkey; default $SCRVAULT_VAULT_KEY): the release must\n"
	  "                    be signed by it, for that vault\n"
	  "  -o, --output OUT  where to write (default: the recorded file name, here)\n",
	  open_opts, 1, 1 },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, 0, 0 }
};
