/*
 * cmd_open.c - scrvault open: a document the vault released to you, opened
 * with your own key (no vault needed); it runs bundles.c, which
 * scrvault-seal shares.
 */
#include "cli.h"

static const cli_optdef open_opts[] = { CLI_OPEN_OPTS, { NULL, 0, NULL, NULL } };

const cli_cmd cli_open_commands[] = {
	{ "open", NULL, cli_open_run, CLI_BUNDLES_ONLY, cli_open_check, "scrvault open " CLI_OPEN_ARGS,
	  CLI_OPEN_HELP,
	  open_opts, 1, 1 },
	CLI_CMDS_END
};
