/*
 * cmd_fsck.c - scrvault fsck: database, store and audit log checked against
 * each other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static int cmd_fsck(cli_args *a, scrvault *v)
{
	scrvault_json *r = NULL;
	int error = scrvault_fsck(&r, v);

	if (!r)
		return cli_fail(error);
	if (a->json) {
		cli_print_json(r);
	} else {
		const scrvault_json *p = scrvault_json_get(r, "problems");
		const scrvault_json *c = scrvault_json_get(r, "checked");

		cli_print_each(p, "problem");
		cli_print_each(scrvault_json_get(r, "warnings"), "warning");
		printf("checked %lld document versions and %lld audit entries: %s\n", cli_int(c, "versions"),
		       cli_int(c, "audit_entries"), scrvault_json_count(p) ? "PROBLEMS FOUND" : "clean");
	}
	scrvault_json_free(r);
	if (error < 0) {
		fprintf(stderr, "scrvault: fsck found problems (listed above)\n");
		return -error;
	}
	return 0;
}

const cli_cmd cli_fsck_commands[] = {
	{ "fsck", NULL, cmd_fsck, CLI_VAULT, NULL, "scrvault fsck [--json]",
	  "Check database, store and audit log against each other and decrypt every\nlive document version. Exit 5 when a problem is found.\n",
	  NULL, 0, 0 },
	CLI_CMDS_END
};
