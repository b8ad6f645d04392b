/*
 * cmd_hold.c - scrvault hold add|release|list: legal holds, under which
 * nothing is destroyed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "remote.h"

static const cli_col hold_cols[] = {
	{ "hold", "HOLD" }, { "request", "FOI" }, { "kind", "KIND" }, { "scope", "SCOPE" }, { "case", "CASE" },
	{ "doc", "DOCUMENT" },
	{ "class", "CLASS" }, { "reason", "REASON" }, { "until", "UNTIL" }, { "placed_by", "BY" }, { NULL, NULL }
};

/* What placing or releasing a hold did (j freed here), directly or through the service. */
static int print_placed(const cli_args *a, scrvault_json *j)
{
	return cli_result(a, j, "hold %lld placed on %s\n", cli_int(j, "hold"),
			  a->nargs ? a->args[0] : "everything of the board");
}

static int print_released(const cli_args *a, scrvault_json *j)
{
	scrvault_json_free(j);
	printf("hold %lld released\n", cli_id_arg(a));
	return 0;
}

static int cmd_add(cli_args *a, scrvault *v)
{
	scrvault_hold_spec s = SCRVAULT_HOLD_SPEC_INIT;
	scrvault_json *j = NULL;

	s.target = a->nargs ? a->args[0] : NULL;
	s.board = cli_flag(a, "board");
	s.doc_class = cli_opt(a, "class");
	s.reason = cli_opt(a, "reason");
	s.kind = cli_opt(a, "kind");
	return cli_outcome(a, scrvault_hold_add(&j, v, &s), &j, print_placed);
}

static int cmd_release(cli_args *a, scrvault *v)
{
	long long id = cli_id_arg(a);
	scrvault_json *j = NULL;

	return cli_outcome(a, scrvault_hold_release(&j, v, id, cli_opt(a, "reason")), &j, print_released);
}

static int cmd_list(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_listing(a, scrvault_hold_list(&j, v), &j, hold_cols);
}

static const cli_optdef add_opts[] = {
	{ "reason", 1, "reason", "TEXT" }, { "board", 0, "board", NULL }, { "class", 1, "doc_class", "CLASS" },
	{ "kind", 1, "kind", "KIND" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef release_opts[] = { { "reason", 1, "reason", "TEXT" }, { NULL, 0, NULL, NULL } };

const cli_cmd cli_hold_commands[] = {
	{ "hold", "add", cmd_add, CLI_VAULT, NULL, "scrvault hold add --kind KIND --reason TEXT (CASE|DOC | --board [--class CLASS])",
	  "Hold a case, a document, or everything of the board (of one class): nothing held\n"
	  "is destroyed. KIND: criminal-proceedings, coroner (an inquest), inquiry,\n"
	  "foi-appeal or other; a criminal-proceedings or coroner hold also stops the\n"
	  "case's publication ('case publish').\n",
	  add_opts, 0, 1 },
	{ "hold", "release", cmd_release, CLI_VAULT | CLI_ID_ARG, NULL, "scrvault hold release --reason TEXT ID",
	  "End a hold.\n", release_opts, 1, 1, NULL, "a hold is given by its number" },
	{ "hold", "list", cmd_list, CLI_VAULT, NULL, "scrvault hold list [--json]",
	  "Holds in force, and the automatic holds of FOI requests (open, or within their\n"
	  "review window).\n", NULL, 0, 0 },
	CLI_CMDS_END
};

/* ---- through the service ---------------------------------------------------------- */

static int remote_list(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;

	return cli_remote_listing(a, cli_remote_json(&j, r, "GET", "/v1/holds", NULL), &j, hold_cols);
}

static int remote_add(cli_args *a, cli_remote *r)
{
	cli_jb b = { 0 };
	scrvault_json *j = NULL;

	cli_jb_str(&b, "target", a->nargs ? a->args[0] : NULL);
	cli_jb_raw(&b, "board", cli_flag(a, "board") ? "true" : NULL);
	cli_jb_str(&b, "class", cli_opt(a, "class"));
	cli_jb_str(&b, "kind", cli_opt(a, "kind"));
	cli_jb_str(&b, "reason", cli_opt(a, "reason"));
	return cli_remote_outcome(a, cli_remote_post(&j, r, "/v1/holds", &b), &j, print_placed);
}

static int remote_release(cli_args *a, cli_remote *r)
{
	cli_jb b = { 0 };
	scrvault_json *j = NULL;
	char path[64];

	cli_jb_str(&b, "reason", cli_opt(a, "reason"));
	snprintf(path, sizeof(path), "/v1/holds/%lld/lift", cli_id_arg(a));
	return cli_remote_outcome(a, cli_remote_post(&j, r, path, &b), &j, print_released);
}

const cli_remote_cmd cli_hold_remote[] = {
	{ "hold", "add", remote_add }, { "hold", "release", remote_release }, { "hold", "list", remote_list },
	CLI_REMOTE_END
};
