/*
 * cmd_session.c - scrvault session list|revoke: the sessions people opened
 * on a service by signing a challenge (listing them and ending one needs
 * the vault unlocked as for any other command).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const cli_col session_cols[] = {
	{ "session", "SESSION" }, { "principal", "PRINCIPAL" }, { "client", "CLIENT" }, { "created", "SIGNED IN" },
	{ "last_seen", "LAST SEEN" }, { "expires", "EXPIRES" }, { NULL, NULL }
};

static int cmd_list(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_listing(a, scrvault_session_list(&j, v), &j, session_cols);
}

static int cmd_revoke(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;
	int error;

	if ((error = scrvault_session_revoke(&j, v, a->args[0])) < 0)
		return cli_fail(error);
	return cli_result(a, j, "session %s of %s revoked\n", a->args[0], cli_str(j, "principal"));
}

const cli_cmd cli_session_commands[] = {
	{ "session", "list", cmd_list, CLI_VAULT, NULL, "scrvault session list [--json]",
	  "Live sessions on a service: your own, or everyone's for a custodian or a role\n"
	  "with session.manage (a coordinator).\n", NULL, 0, 0 },
	{ "session", "revoke", cmd_revoke, CLI_VAULT, NULL, "scrvault session revoke ID",
	  "End a session at once (your own, or anyone's for a custodian or a role with\n"
	  "session.manage); its token is refused from then on.\n", NULL, 1, 1 },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, 0, 0 }
};
