/*
 * main.c - the scrvault command: global options, the command table, exit
 * codes (DESIGN §9): 0 ok, 1 error, 2 usage, 3 denied, 4 not found,
 * 5 integrity failure, 6 conflict with the current state.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "remote.h"

#define SV_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

const char cli_program[] = "scrvault";

/* The command tables, one per command group (cmd_GROUP.c), in the order
 * 'scrvault help' lists them. */
static const cli_cmd *const tables[] = {
	cli_init_commands, cli_principal_commands, cli_keygen_commands, cli_keyfile_commands, cli_fsck_commands, cli_case_commands,
	cli_referral_commands,
	cli_timeline_commands,
	cli_doc_commands, cli_audit_commands, cli_policy_commands, cli_op_commands,
	cli_intake_commands, cli_open_commands, cli_copy_commands, cli_request_commands,
	cli_hold_commands, cli_retention_commands, cli_mirror_commands, cli_backup_commands,
	cli_restore_commands, cli_agenda_commands, cli_report_commands, cli_tls_commands, cli_agent_commands, cli_session_commands, cli_service_commands, NULL
};
static cli_cmd cli_commands[192];

/* The commands that also run through the service (each group's file says
 * how), looked up by group and name. */
static const cli_remote_cmd *const remote_tables[] = {
	cli_case_remote, cli_doc_remote, cli_audit_remote, cli_agenda_remote, cli_session_remote,
	cli_principal_remote, cli_copy_remote, cli_hold_remote, cli_request_remote, cli_retention_remote,
	cli_backup_remote, cli_mirror_remote, cli_timeline_remote, cli_referral_remote, cli_policy_remote, cli_op_remote,
	cli_report_remote, cli_intake_remote, NULL
};

static const cli_remote_cmd *remote_for(const cli_cmd *c)
{
	for (int t = 0; remote_tables[t]; t++)
		for (const cli_remote_cmd *r = remote_tables[t]; r->group; r++)
			if (!strcmp(r->group, c->group) && !strcmp(r->name ? r->name : "", c->name ? c->name : ""))
				return r;
	return NULL;
}

static void collect_commands(void)
{
	size_t n = 0;

	for (int t = 0; tables[t]; t++)
		for (const cli_cmd *c = tables[t]; c->group && n + 1 < SV_ARRAY_LEN(cli_commands); c++)
			cli_commands[n++] = *c;
}

/* The global options, with the names scrvault_open_options gives their
 * values (the fields of a library error about them). */
static const cli_optdef global_opts[] = {
	{ "vault", 1, "dir", "DIR" }, { "key", 1, "keyfile", "FILE" },
	{ "passphrase-file", 1, "passphrase", "FILE" }, { "role", 1, "role", "ROLE" },
	{ "as-key", 1, "as_keyfile", "FILE" }, { "as-passphrase-file", 1, "as_passphrase", "FILE" },
	{ "allow-unlocked-memory", 0, "allow_unlocked_memory", NULL },
	{ "server", 1, "server", "URL" },
	{ "json", 0, NULL, NULL }, { "help", 0, NULL, NULL }, { NULL, 0, NULL, NULL }
};

#define GLOBAL_HELP \
	"global options:\n" \
	"  --vault DIR             the vault (default $SCRVAULT_DIR)\n" \
	"  --key FILE              your key file (default $SCRVAULT_KEY)\n" \
	"  --passphrase-file FILE  read the passphrase from FILE\n" \
	"                          (default $SCRVAULT_PASSPHRASE_FILE, else a prompt)\n" \
	"  --role ROLE             the role you act in, one you hold\n" \
	"                          (default coordinator if held, else your only role)\n" \
	"  --as-key FILE           act as the principal of FILE (any principal) in a session\n" \
	"                          the custodian of --key unlocks (default $SCRVAULT_AS_KEY)\n" \
	"  --as-passphrase-file FILE  that key file's passphrase (else a prompt)\n" \
	"  --allow-unlocked-memory unlock although keys could be swapped to disk (the\n" \
	"                          memory for them cannot be locked; default: refuse;\n" \
	"                          $SCRVAULT_ALLOW_UNLOCKED_MEMORY=1 says the same)\n" \
	"  --server URL            act through the vault's service (scrvaultd):\n" \
	"                          https://HOST:PORT or unix:/PATH; without --vault, the\n" \
	"                          default is $SCRVAULT_SERVER, else " CLI_REMOTE_SOCKET "\n" \
	"                          when it exists; you sign in with --key or 'scrvault agent'\n" \
	"  --json                  machine-readable output\n" \
	"  -h, --help              this help\n"

static void print_usage(FILE *f, const cli_cmd *c)
{
	fprintf(f, "usage: %s\n", c->usage);
	if (c->help && *c->help)
		fprintf(f, "\n%s", c->help);
	fprintf(f, "\n" GLOBAL_HELP);
}

unsigned cli_open_flags(const cli_args *a)
{
	const char *env = getenv("SCRVAULT_ALLOW_UNLOCKED_MEMORY");

	if (!cli_flag(a, "allow-unlocked-memory") && !(env && strcmp(env, "1") == 0))
		return 0;
	if (!scrvault_secure_memory_locked())
		fprintf(stderr, "%s: warning: the memory holding the vault's keys is not locked: they may be "
			"written to swap (allowed by --allow-unlocked-memory)\n", cli_program);
	return SCRVAULT_OPEN_ALLOW_UNLOCKED_MEMORY;
}

void cli_vault_warning(const scrvault *v)
{
	if (scrvault_warning(v))
		fprintf(stderr, "%s: warning: %s\n", cli_program, scrvault_warning(v));
}

/*
 * Unlock the vault named by --vault/--key (or the environment), acting as
 * --as-key in --role, under --request: a CLI_VAULT command's set-up.
 * 0, or the exit status after the message.
 */
static int open_vault(scrvault **out, const cli_args *a)
{
	const char *dir = cli_opt(a, "vault"), *key = cli_opt(a, "key"), *as = cli_opt(a, "as-key");
	const char *req = cli_opt(a, "request");
	scrvault_secret *pp = NULL, *aspp = NULL;
	long long reqid = 0;
	int error;

	*out = NULL;
	if (req && !cli_number(&reqid, req, 1, LLONG_MAX))
		return cli_usage(a, "--request takes the number of an agreed access request");
	if (!dir)
		dir = getenv("SCRVAULT_DIR");
	if (!key)
		key = getenv("SCRVAULT_KEY");
	if (!dir || !*dir)
		return cli_usage(a, "no vault given: use --vault DIR or set SCRVAULT_DIR");
	if (!key || !*key)
		return cli_usage(a, "no key file given: use --key FILE or set SCRVAULT_KEY");
	if ((error = cli_passphrase(&pp, a, key)) < 0)
		return cli_fail(error);
	if (!as)
		as = getenv("SCRVAULT_AS_KEY");
	if (as && *as) {
		const char *file = cli_opt(a, "as-passphrase-file");

		if (file)
			error = scrvault_secret_read_file(&aspp, file);
		else
			error = cli_prompt_secret(&aspp, as);
		if (error < 0) {
			scrvault_secret_free(pp);
			return cli_fail(error);
		}
	}
	{
		scrvault_open_options o = SCRVAULT_OPEN_OPTIONS_INIT;

		o.dir = dir;
		o.keyfile = key;
		o.passphrase = pp;
		o.as_keyfile = as && *as ? as : NULL;
		o.as_passphrase = aspp;
		o.role = cli_opt(a, "role");
		o.request = (int64_t)reqid;
		o.flags = cli_open_flags(a);
		/* Said once, before the wait (which is bounded: exit 6 after it). */
		if (scrvault_vault_in_use(dir) == 1)
			fprintf(stderr, "scrvault: the vault '%s' is in use by another process: waiting up to %d s "
				"(the service scrvaultd holds it while unsealed: send the command through it with "
				"--server unix:/run/scrvault/scrvaultd.sock, or stop it)\n", dir, SCRVAULT_LOCK_WAIT_SECONDS);
		error = scrvault_vault_open(out, &o);
	}
	if (error >= 0)
		cli_vault_warning(*out);
	scrvault_secret_free(pp);
	scrvault_secret_free(aspp);
	if (error < 0)
		return cli_fail(error);
	return 0;
}

/* ---- dispatch ---------------------------------------------------------------- */

static void main_usage(FILE *f)
{
	const char *last = "";

	fprintf(f, "usage: scrvault [global options] COMMAND [options]\n\ncommands:\n");
	for (const cli_cmd *c = cli_commands; c->group; c++) {
		if (strcmp(last, c->group) != 0)
			fprintf(f, "  %-10s", c->group);
		else
			fprintf(f, "  %-10s", "");
		fprintf(f, "%s\n", c->usage + strlen("scrvault "));
		last = c->group;
	}
	fprintf(f, "\n" GLOBAL_HELP "\nexit codes: 0 ok, 1 error, 2 usage, 3 denied, 4 not found,\n"
		   "5 integrity failure, 6 conflict with the current state\n");
}

/* Whether argv[i] is a global option that takes the next word as its value. */
static bool takes_value(const char *arg)
{
	for (int i = 0; global_opts[i].name; i++)
		if (global_opts[i].has_arg && arg[0] == '-' && arg[1] == '-' &&
		    strcmp(arg + 2, global_opts[i].name) == 0)
			return true;
	return false;
}

/* A command through the service at url, signed in as the holder of --key. */
static int run_remote(cli_args *a, const char *url)
{
	const cli_remote_cmd *rc = remote_for(a->cmd);
	cli_remote *r = NULL;
	long long reqid;
	int error;

	if (!rc) {
		fprintf(stderr, "%s: 'scrvault %s%s%s' does not run through the service (%s) yet: run it on the "
			"vault host with --vault DIR\n", cli_program, a->cmd->group, a->cmd->name ? " " : "",
			a->cmd->name ? a->cmd->name : "", url);
		return 2;
	}
	if (cli_opt(a, "as-key") || getenv("SCRVAULT_AS_KEY"))
		return cli_usage(a, "--as-key acts in a vault unlocked here; through the service, sign in with "
				 "that key file as --key");
	/* As directly: a usage error before any passphrase is read. */
	if (cli_opt(a, "request") && !cli_number(&reqid, cli_opt(a, "request"), 1, LLONG_MAX))
		return cli_usage(a, "--request takes the number of an agreed access request");
	if ((error = cli_remote_check_text(a)) != 0 || (rc->check && (error = rc->check(a)) != 0))
		return error;	/* refused here: nothing was sent */
	if ((error = cli_remote_open(&r, a, url, CLI_REMOTE_SIGN_IN)) == 0)
		error = rc->run(a, r);
	cli_remote_close(r);
	return error;
}

/* A command's run, with the vault unlocked around it when it needs one. */
static int run(cli_args *a)
{
	scrvault *v = NULL;
	const char *url = NULL;
	int error = 0;

	if ((a->cmd->flags & CLI_VAULT) && !a->no_vault && cli_remote_url(a, &url))
		return run_remote(a, url);

	if ((a->cmd->flags & CLI_VAULT) && !a->no_vault) {
		cli_opening(true);
		error = open_vault(&v, a);
		cli_opening(false);
	}
	if (error == 0)
		error = a->cmd->run(a, v);
	scrvault_vault_close(v);
	return error;
}

int main(int argc, char **argv)
{
	static const cli_program_def program = {
		cli_commands, global_opts, 2, takes_value, main_usage, print_usage, run
	};

	collect_commands();
	return cli_main(&program, argc, argv);
}
