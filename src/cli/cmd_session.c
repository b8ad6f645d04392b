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

/* ---- through the service ---------------------------------------------------------- */

static int remote_list(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;

	return cli_remote_listing(a, cli_remote_json(&j, r, "GET", "/v1/sessions", NULL), &j, session_cols);
}

static int remote_revoke(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;
	char path[128];
	int st;

	if (!cli_remote_seg(a, "the session", a->args[0]))
		return 2;
	snprintf(path, sizeof(path), "/v1/sessions/%s", a->args[0]);
	if ((st = cli_remote_json(&j, r, "DELETE", path, NULL)) != 0)
		return st;
	return cli_result(a, j, "session %s of %s revoked\n", a->args[0], cli_str(j, "principal"));
}

const cli_remote_cmd cli_session_remote[] = {
	{ "session", "list", remote_list }, { "session", "revoke", remote_revoke }, { NULL, NULL, NULL }
};
