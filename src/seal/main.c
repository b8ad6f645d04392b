/*
 * main.c - scrvault-seal, the small program for agencies and outside
 * readers: make one's own key file and enrolment request, import the vault's
 * acceptance, seal a document for a vault, open or verify what a vault
 * released.  keygen, accept and pin are scrvault's own (src/cli/keys.c).
 * It never touches a vault, and links only
 * libcrypto and libargon2 (the base and crypto layers of the library:
 * mk/seal.mk checks both).  seal and open are scrvault's own `intake seal`
 * and `open` (src/cli/bundles.c); exit codes as scrvault's (DESIGN §9):
 * 0 ok, 1 error, 2 usage, 3 denied, 4 not found, 5 integrity failure,
 * 6 conflict with the current state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "seal.h"

const char cli_program[] = "scrvault-seal";

#define END_OPTS { NULL, 0, NULL, NULL }

static const cli_optdef global_opts[] = { { "json", 0, NULL, NULL }, { "help", 0, NULL, NULL }, END_OPTS };

/* scrvault takes these two as global options; here only what reads a key file does. */
#define KEY_OPTS { "key", 1, "keyfile", "FILE" }, { "passphrase-file", 1, "passphrase", "FILE" }

static const cli_optdef keygen_opts[] = { CLI_KEYGEN_OPTS, END_OPTS };
static const cli_optdef accept_opts[] = { KEY_OPTS, { "vkey", 1, "vault_key", "VKEY" }, END_OPTS };
static const cli_optdef seal_opts[] = { KEY_OPTS, CLI_SEAL_OPTS, END_OPTS };
static const cli_optdef open_opts[] = { KEY_OPTS, CLI_OPEN_OPTS, END_OPTS };
static const cli_optdef verify_opts[] = {
	KEY_OPTS, { "identity", 1, "identity", "FILE" }, { "vault-key", 1, "vault_key", "VKEY" }, END_OPTS
};

static const cli_optdef receipt_opts[] = { { "vkey", 1, "vkey", "VKEY" }, { "file", 1, "file", "FILE" }, END_OPTS };

#define PASS_HELP \
	"  --passphrase-file FILE  read your key file's passphrase from FILE\n" \
	"                    (default $SCRVAULT_PASSPHRASE_FILE, else a prompt)\n"
#define COMMON_HELP \
	"  --json            machine-readable output\n" \
	"  -h, --help        this help\n"

static const cli_cmd commands[] = {
	{ "keygen", NULL, cli_keygen_run, 0, NULL, "scrvault-seal keygen " CLI_KEYGEN_ARGS,
	  CLI_KEYGEN_HELP COMMON_HELP, keygen_opts, 1, 1 },
	{ "accept", NULL, cli_accept_run, 0, cli_accept_check, "scrvault-seal accept " CLI_ACCEPT_ARGS,
	  CLI_ACCEPT_HELP PASS_HELP COMMON_HELP, accept_opts, 1, 1 },
	{ "pin", NULL, cli_pin_run, 0, cli_accept_check, "scrvault-seal pin " CLI_PIN_ARGS,
	  CLI_PIN_HELP PASS_HELP COMMON_HELP, accept_opts, 0, 0 },
	{ "seal", NULL, cli_seal_run, CLI_BUNDLES_ONLY, cli_seal_check, "scrvault-seal seal " CLI_SEAL_ARGS,
	  CLI_SEAL_HELP PASS_HELP COMMON_HELP, seal_opts, 1, 1 },
	{ "open", NULL, cli_open_run, CLI_BUNDLES_ONLY, cli_open_check, "scrvault-seal open " CLI_OPEN_ARGS,
	  CLI_OPEN_HELP PASS_HELP COMMON_HELP, open_opts, 1, 1 },
	{ "verify", NULL, seal_cmd_verify, CLI_BUNDLES_ONLY, NULL,
	  "scrvault-seal verify --vault-key KEY (--key FILE | --identity FILE) BUNDLE",
	  "Check a file the vault made, all of it, and write nothing but the verdict:\n"
	  "print what it says and \"verified\" (exit 0), or the problem (exit 5 if it was\n"
	  "altered, forged, damaged, truncated or is not something scrvault can verify;\n"
	  "exit 3 if your key does not open it).\n\n"
	  "BUNDLE is a release: it is decrypted with your key, the vault's signature\n"
	  "is checked against the vault's verifier key and the content against the signed\n"
	  "manifest; the document itself is not written anywhere. (A receipt of a\n"
	  "check-in is checked by 'scrvault-seal receipt verify'.)\n\n"
	  "options:\n"
	  "  --vault-key VKEY  the vault's verifier key as the board publishes it (scrvault\n"
	  "                    audit pubkey; default $SCRVAULT_VAULT_KEY); required\n"
	  "  --key FILE        your key file (default $SCRVAULT_KEY)\n"
	  "  --identity FILE   an age identity file instead (a reader outside the vault)\n"
	  PASS_HELP COMMON_HELP,
	  verify_opts, 1, 1 },
	{ "receipt", "verify", seal_cmd_receipt_verify, 0, NULL,
	  "scrvault-seal receipt verify --vkey VKEY [--file FILE] RECEIPT",
	  "Check a vault's signed receipt of a check-in, offline: the vault's signature,\n"
	  "its checkpoint's, the check-in's audit entry in that checkpoint (its inclusion\n"
	  "proof) and that the entry is the check-in the receipt names; with --file, that\n"
	  "FILE is the document received. Exit 0 when all hold, 5 when any does not.\n\n"
	  "options:\n"
	  "  --vkey VKEY       the vault's verifier key (scrvault audit pubkey; default\n"
	  "                    $SCRVAULT_VAULT_KEY)\n"
	  "  --file FILE       the document: its SHA-256 must be the receipt's\n"
	  COMMON_HELP,
	  receipt_opts, 1, 1 },
	CLI_CMDS_END
};

static void usage(FILE *f)
{
	fprintf(f, "usage: scrvault-seal COMMAND [options]\n\n"
		   "Make your own key, seal documents for a vault, open and verify what a vault\n"
		   "released: no vault needed.\n\ncommands:\n");
	for (const cli_cmd *c = commands; c->group; c++)
		fprintf(f, "  %-8s%s\n", c->group, c->usage + strlen("scrvault-seal ") + strlen(c->group));
	fprintf(f, "\n'scrvault-seal COMMAND -h' for its options; --json for machine-readable output;\n"
		   "'scrvault-seal --version'.\n\n"
		   "exit codes: 0 ok, 1 error, 2 usage, 3 denied, 4 not found,\n"
		   "5 integrity failure, 6 conflict with the current state\n");
}

static void print_usage(FILE *f, const cli_cmd *c)
{
	fprintf(f, "usage: %s\n\n%s", c->usage, c->help);
}

/* Whether `arg` is an option that takes the next word as its value (-o, or
 * one of any command). */
static bool takes_value(const char *arg)
{
	if (!strcmp(arg, "-o"))
		return true;
	if (arg[0] != '-' || arg[1] != '-' || strchr(arg, '='))
		return false;
	for (const cli_cmd *c = commands; c->group; c++)
		for (const cli_optdef *o = c->opts; o && o->name; o++)
			if (o->has_arg && strcmp(arg + 2, o->name) == 0)
				return true;
	return false;
}

int main(int argc, char **argv)
{
	static const cli_program_def program = {
		commands, global_opts, 2, takes_value, usage, print_usage, NULL
	};

	return cli_main(&program, argc, argv);
}
