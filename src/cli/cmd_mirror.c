/*
 * cmd_mirror.c - scrvault mirror add|list|push: git remotes that receive the
 * encrypted store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "remote.h"

static const cli_col mirror_cols[] = {
	{ "mirror", "MIRROR" }, { "url", "URL" }, { "outcome", "PUSH" }, { "why", "WHY" }, { NULL, NULL }
};
static int print_added(const cli_args *a)
{
	printf("mirror '%s' added: 'scrvault mirror push' sends the store there\n", a->args[0]);
	return 0;
}

static int cmd_add(cli_args *a, scrvault *v)
{
	int error;

	if ((error = scrvault_mirror_add(v, a->args[0], a->args[1])) < 0)
		return cli_fail(error);
	return print_added(a);
}

static int cmd_list(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_listing(a, scrvault_mirror_list(&j, v), &j, mirror_cols);
}

static int cmd_push(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;
	int error, rc = 0;

	if ((error = scrvault_mirror_push(&j, v, a->nargs ? a->args[0] : NULL)) < 0)
		rc = cli_fail(error);
	if (j)
		cli_print_list(a, j, mirror_cols);
	return rc;
}

const cli_cmd cli_mirror_commands[] = {
	{ "mirror", "add", cmd_add, CLI_VAULT, NULL, "scrvault mirror add NAME URL",
	  "Register a git remote (a bare repository on another disk or host: file:///...,\n"
	  "ssh://host/path) that receives the encrypted store. A URL with a password\n"
	  "(user:password@) is refused: keep credentials out of the URL.\n", NULL, 2, 2 },
	{ "mirror", "list", cmd_list, CLI_VAULT, NULL, "scrvault mirror list [--json]", "The mirrors.\n", NULL, 0, 0 },
	{ "mirror", "push", cmd_push, CLI_VAULT, NULL, "scrvault mirror push [NAME]",
	  "Send the store (documents as ciphertext, policy versions, the signed audit\n"
	  "checkpoint) to a mirror, or to all. Fast-forward only; each push is audited; a\n"
	  "refused or failed push says why and changes nothing locally. Exit 6 when a\n"
	  "mirror has commits the vault lacks (not a fast-forward), 1 on other failures.\n", NULL, 0, 1 },
	CLI_CMDS_END
};

/* ---- through the service ---------------------------------------------------------- */

/* The nightly job's push (scrvault-backup-job): the service pushes with its
 * own SCRVAULT_SSH_KEY. */
static int remote_push(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;
	cli_jb b = { 0 };
	char *body;
	int st;

	if (a->nargs && !cli_remote_seg(a, "a mirror name", a->args[0]))
		return 2;
	cli_jb_str(&b, "name", a->nargs ? a->args[0] : NULL);
	if (!(body = cli_jb_end(&b)))
		return cli_fail(SCRVAULT_ERROR);
	st = cli_remote_json(&j, r, "POST", "/v1/mirrors/push", body);
	free(body);
	if (j) {
		cli_print_list(a, j, mirror_cols);	/* frees j */
	} else if (st != 0 && scrvault_json_get(cli_remote_error(r), "detail")) {
		/* As directly: each mirror's outcome beside the error. */
		const scrvault_json *d = scrvault_json_get(cli_remote_error(r), "detail");

		if (a->json)
			cli_print_json(d);
		else
			cli_table(d, mirror_cols);
		fflush(stdout);
	}
	return st;
}

static int remote_add(cli_args *a, cli_remote *r)
{
	cli_jb b = { 0 };
	int st;

	cli_jb_str(&b, "name", a->args[0]);
	cli_jb_str(&b, "url", a->args[1]);
	if ((st = cli_remote_post(NULL, r, "/v1/mirrors", &b)) != 0)
		return st;
	return print_added(a);
}

static int remote_list(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;

	return cli_remote_listing(a, cli_remote_json(&j, r, "GET", "/v1/mirrors", NULL), &j, mirror_cols);
}

const cli_remote_cmd cli_mirror_remote[] = {
	{ "mirror", "push", remote_push, NULL }, { "mirror", "add", remote_add, NULL },
	{ "mirror", "list", remote_list, NULL }, CLI_REMOTE_END
};
