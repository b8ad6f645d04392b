/*
 * cmd_op.c - scrvault op list|approve|refuse: operations under dual control,
 * which wait for a second custodian; and the top-level `scrvault approve ID`
 * and `scrvault refuse ID`, the same decisions by their first names.  Each
 * also runs through the service: the decider signs in with their own key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "remote.h"

static const cli_col op_cols[] = {
	{ "id", "ID" }, { "action", "ACTION" }, { "target", "CONCERNS" }, { "state", "STATE" },
	{ "requested_by", "ASKED BY" }, { "requested_fpr", "ASKER'S KEY" }, { "requested_at", "ASKED" },
	{ "expires_at", "EXPIRES" }, { "decided_by", "DECIDED BY" }, { "decided_fpr", "DECIDER'S KEY" },
	{ "decided_at", "DECIDED" }, { NULL, NULL }
};

/* Whether dual control is in force: a note on stderr when it is not. */
static void dual_note(scrvault *v)
{
	scrvault_json *s = NULL;

	if (scrvault_op_status(&s, v) == 0 && cli_str(s, "message"))
		fprintf(stderr, "scrvault: note: %s\n", cli_str(s, "message"));
	scrvault_json_free(s);
}

static int cmd_list(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;
	int error = scrvault_op_list(&j, v);

	if (error == 0)
		dual_note(v);
	return cli_listing(a, error, &j, op_cols);
}

static int decide(cli_args *a, scrvault *v, bool approve)
{
	int error = approve ? scrvault_op_approve(v, a->args[0]) : scrvault_op_refuse(v, a->args[0]);

	if (error < 0)
		return cli_fail(error);
	printf("%s operation %s\n", approve ? "approved and carried out" : "refused", a->args[0]);
	return 0;
}

static int cmd_approve(cli_args *a, scrvault *v) { return decide(a, v, true); }
static int cmd_refuse(cli_args *a, scrvault *v) { return decide(a, v, false); }

#define DECIDER_HELP \
	"The decider is a custodian (a person) in a role with op.approve: not the one who\n" \
	"asked, not the principal the operation concerns, and not registered, re-keyed or\n" \
	"granted a role since it was asked for (exit 3 otherwise, on record).\n"
#define APPROVE_HELP "Approve a pending operation and carry it out.\n" DECIDER_HELP
#define REFUSE_HELP "Refuse a pending operation.\n" DECIDER_HELP

const cli_cmd cli_op_commands[] = {
	{ "op", "list", cmd_list, CLI_VAULT, NULL, "scrvault op list [--json]",
	  "Operations waiting for a second custodian, and what became of earlier ones: who\n"
	  "asked and who decided, by name and key fingerprint, and whom each concerns.\n"
	  "Says so (on stderr) while dual control is not in force.\n", NULL, 0, 0 },
	{ "op", "approve", cmd_approve, CLI_VAULT, NULL, "scrvault op approve ID", APPROVE_HELP, NULL, 1, 1 },
	{ "op", "refuse", cmd_refuse, CLI_VAULT, NULL, "scrvault op refuse ID", REFUSE_HELP, NULL, 1, 1 },
	/* The first names of the two decisions, kept: names are the contract. */
	{ "approve", NULL, cmd_approve, CLI_VAULT, NULL, "scrvault approve ID", APPROVE_HELP, NULL, 1, 1 },
	{ "refuse", NULL, cmd_refuse, CLI_VAULT, NULL, "scrvault refuse ID", REFUSE_HELP, NULL, 1, 1 },
	CLI_CMDS_END
};

/* ---- through the service ---------------------------------------------------------- */

static int remote_list(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL, *s = NULL;
	int st = cli_remote_json(&j, r, "GET", "/v1/ops", NULL);

	if (st == 0 && cli_remote_json(&s, r, "GET", "/v1/ops/status", NULL) == 0 && cli_str(s, "message"))
		fprintf(stderr, "scrvault: note: %s\n", cli_str(s, "message"));
	scrvault_json_free(s);
	return cli_remote_listing(a, st, &j, op_cols);
}

static int remote_decide(cli_args *a, cli_remote *r, bool approve)
{
	int st;

	if ((st = cli_remote_arg_call(NULL, a, r, "POST", "the operation", "/v1/ops", approve ? "approve" : "refuse",
				      NULL)) != 0)
		return st;
	printf("%s operation %s\n", approve ? "approved and carried out" : "refused", a->args[0]);
	return 0;
}

static int remote_approve(cli_args *a, cli_remote *r) { return remote_decide(a, r, true); }
static int remote_refuse(cli_args *a, cli_remote *r) { return remote_decide(a, r, false); }

/* The operation's id, before anything is sent. */
static int remote_check_id(const cli_args *a)
{
	return cli_remote_seg(a, "the operation", a->args[0]) ? 0 : 2;
}

const cli_remote_cmd cli_op_remote[] = {
	{ "op", "list", remote_list, NULL }, { "op", "approve", remote_approve, remote_check_id },
	{ "op", "refuse", remote_refuse, remote_check_id },
	{ "approve", NULL, remote_approve, remote_check_id }, { "refuse", NULL, remote_refuse, remote_check_id },
	CLI_REMOTE_END
};
