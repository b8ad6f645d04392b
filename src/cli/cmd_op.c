/*
 * cmd_op.c - scrvault op list|approve|refuse: operations under dual control,
 * which wait for a second custodian; and the top-level `scrvault approve ID`
 * and `scrvault refuse ID`, the same decisions by their first names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const cli_col op_cols[] = {
	{ "id", "ID" }, { "action", "ACTION" }, { "state", "STATE" }, { "requested_by", "ASKED BY" },
	{ "requested_at", "ASKED" }, { "expires_at", "EXPIRES" }, { "decided_by", "DECIDED BY" },
	{ NULL, NULL }
};

static int cmd_list(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_listing(a, scrvault_op_list(&j, v), &j, op_cols);
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

#define APPROVE_HELP \
	"Approve a pending operation and carry it out (a custodian other than the one\n" \
	"who asked for it).\n"
#define REFUSE_HELP "Refuse a pending operation.\n"

const cli_cmd cli_op_commands[] = {
	{ "op", "list", cmd_list, CLI_VAULT, NULL, "scrvault op list [--json]",
	  "Operations waiting for a second custodian, and what became of earlier ones.\n", NULL, 0, 0 },
	{ "op", "approve", cmd_approve, CLI_VAULT, NULL, "scrvault op approve ID", APPROVE_HELP, NULL, 1, 1 },
	{ "op", "refuse", cmd_refuse, CLI_VAULT, NULL, "scrvault op refuse ID", REFUSE_HELP, NULL, 1, 1 },
	/* The first names of the two decisions, kept: names are the contract. */
	{ "approve", NULL, cmd_approve, CLI_VAULT, NULL, "scrvault approve ID", APPROVE_HELP, NULL, 1, 1 },
	{ "refuse", NULL, cmd_refuse, CLI_VAULT, NULL, "scrvault refuse ID", REFUSE_HELP, NULL, 1, 1 },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, 0, 0 }
};
