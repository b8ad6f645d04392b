/*
 * cmd_session.c - scrvault session list|revoke: the sessions people opened
 * on a service by signing a challenge (listing them and ending one needs
 * the vault unlocked as for any other command).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "remote.h"

static const cli_col session_cols[] = {
	{ "session", "SESSION" }, { "principal", "PRINCIPAL" }, { "client", "CLIENT" }, { "created", "SIGNED IN" },
	{ "last_seen", "LAST SEEN" }, { "expires", "EXPIRES" }, { NULL, NULL }
};

static int cmd_list(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_listing(a, scrvault_session_list(&j, v), &j, session_cols);
}

/* What ending a session did (j freed here). */
static int print_revoked(const cli_args *a, scrvault_json *j)
{
	return cli_result(a, j, "session %s of %s revoked\n", a->args[0], cli_str(j, "principal"));
}

static int cmd_revoke(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_outcome(a, scrvault_session_revoke(&j, v, a->args[0]), &j, print_revoked);
}

const cli_cmd cli_session_commands[] = {
	{ "session", "list", cmd_list, CLI_VAULT, NULL, "scrvault session list [--json]",
	  "Live sessions on a service: your own, or everyone's for a custodian or a role\n"
	  "with session.manage (a coordinator).\n", NULL, 0, 0 },
	{ "session", "revoke", cmd_revoke, CLI_VAULT, NULL, "scrvault session revoke ID",
	  "End a session at once (your own, or anyone's for a custodian or a role with\n"
	  "session.manage); its token is refused from then on.\n", NULL, 1, 1 },
	CLI_CMDS_END
};

/* ---- through the service ---------------------------------------------------------- */

static int remote_list(cli_args *a, cli_remote *r)
{
	return cli_remote_get_list(a, r, "/v1/sessions", session_cols);
}

static int remote_revoke(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;

	return cli_remote_outcome(a, cli_remote_arg_call(&j, a, r, "DELETE", "the session", "/v1/sessions", NULL, NULL),
				  &j, print_revoked);
}

const cli_remote_cmd cli_session_remote[] = {
	{ "session", "list", remote_list }, { "session", "revoke", remote_revoke }, CLI_REMOTE_END
};
