/*
 * cmd_keyfile.c - scrvault keyfile accept|pin: what a holder does to their
 * own key file with the vault's answer (no vault; src/cli/keys.c, shared
 * with scrvault-seal).  The key file is --key (or $SCRVAULT_KEY), its
 * passphrase --passphrase-file as for every command.
 */
#include "cli.h"

static const cli_optdef vkey_opts[] = { { "vkey", 1, "vault_key", "VKEY" }, { NULL, 0, NULL, NULL } };

const cli_cmd cli_keyfile_commands[] = {
	{ "keyfile", "accept", cli_accept_run, 0, cli_accept_check, "scrvault keyfile accept " CLI_ACCEPT_ARGS,
	  CLI_ACCEPT_HELP, vkey_opts, 1, 1 },
	{ "keyfile", "pin", cli_pin_run, 0, cli_accept_check, "scrvault keyfile pin " CLI_PIN_ARGS,
	  CLI_PIN_HELP, vkey_opts, 0, 0 },
	CLI_CMDS_END
};
