/*
 * cmd_init.c - scrvault init: create a vault and its first custodian.
 *
 * The one command that makes a vault rather than opening one: it is not a
 * CLI_VAULT command, and with --confirm-retention it opens the new vault
 * itself, with the passphrase it was just given, to confirm the rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/* The vault directory: --vault or $SCRVAULT_DIR. */
static const char *vault_dir(const cli_args *a)
{
	const char *dir = cli_opt(a, "vault");

	return dir ? dir : getenv("SCRVAULT_DIR");
}

static int check_init(cli_args *a)
{
	const char *dir = vault_dir(a);
	int error;

	if (!dir || !*dir)
		return cli_usage(a, "no vault directory: use --vault DIR or set SCRVAULT_DIR");
	if (!cli_opt(a, "key-out"))
		return cli_usage(a, "give --key-out FILE for the first custodian's key file");
	if ((error = cli_principal_check(a)) != 0)
		return error;
	if ((error = cli_new_passphrase(&a->secret, a, a->args[0])) < 0)
		return -error;
	return 0;
}

static int cmd_init(cli_args *a, scrvault *unused)
{
	const char *dir = vault_dir(a), *key = cli_opt(a, "key-out");
	scrvault_principal_spec s;
	int error;

	(void)unused;
	cli_principal_spec(&s, a, a->args[0]);
	s.custodian = true;
	{
		scrvault_init_options io = SCRVAULT_INIT_OPTIONS_INIT;

		io.group = cli_opt(a, "group");
		error = scrvault_vault_init_ex(dir, &s, key, a->secret, &io);
	}
	if (error >= 0 && cli_flag(a, "confirm-retention")) {
		/* The board confirms the default retention rules as it creates the vault. */
		scrvault_open_options o = SCRVAULT_OPEN_OPTIONS_INIT;
		scrvault *v = NULL;

		o.dir = dir;
		o.keyfile = key;
		o.passphrase = a->secret;
		o.flags = cli_open_flags(a);
		if ((error = scrvault_vault_open(&v, &o)) >= 0) {
			error = scrvault_retention_confirm(v);
			scrvault_vault_close(v);
		}
	}
	if (error < 0)
		return cli_fail(error);
	printf("created vault '%s' with custodian '%s'\nkey file: %s (keep it safe; it and its passphrase unlock the vault)\n",
	       dir, s.name, key);
	if (cli_flag(a, "confirm-retention"))
		printf("the retention rules of the default policy are confirmed ('scrvault retention plan' shows them at work)\n");
	else
		printf("the retention rules are not confirmed yet: review them ('scrvault policy show --text', [retention])\n"
		       "and run 'scrvault retention confirm'; nothing is destroyed until then\n");
	return 0;
}

static const cli_optdef init_opts[] = {
	CLI_PRINCIPAL_OPTS, { "confirm-retention", 0, NULL, NULL }, { "group", 1, "group", "NAME" },
	{ NULL, 0, NULL, NULL }
};

const cli_cmd cli_init_commands[] = {
	{ "init", NULL, cmd_init, 0, check_init,
	  "scrvault init --vault DIR --key-out FILE [--group NAME] [options] NAME",
	  "Create a vault with NAME as its first custodian.\n\n" CLI_PRINCIPAL_HELP
	  "  --confirm-retention         the board confirms the default policy's retention\n"
	  "                              rules now (else later: 'scrvault retention confirm')\n"
	  "  --group NAME                share the vault directory with group NAME: 2750, the\n"
	  "                              group may read the ciphertext, never change it\n"
	  "                              (default: 0700, the owner's alone)\n",
	  init_opts, 1, 1 },
	CLI_CMDS_END
};
