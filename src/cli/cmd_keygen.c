/*
 * cmd_keygen.c - scrvault keygen: a holder makes their own key file and
 * enrolment request (no vault; src/cli/keys.c, shared with scrvault-seal).
 */
#include "cli.h"

static const cli_optdef keygen_opts[] = { CLI_KEYGEN_OPTS, { NULL, 0, NULL, NULL } };

const cli_cmd cli_keygen_commands[] = {
	{ "keygen", NULL, cli_keygen_run, 0, NULL, "scrvault keygen " CLI_KEYGEN_ARGS, CLI_KEYGEN_HELP,
	  keygen_opts, 1, 1 },
	CLI_CMDS_END
};
