/*
 * main.c - scrvault-seal, the small program for agencies and outside
 * readers: make one's own key file, seal a document for a vault, open or
 * verify what a vault released.  It never touches a vault, and links only
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

static const cli_optdef keygen_opts[] = {
	{ "key-out", 1, "keyfile", "FILE" }, { "kind", 1, "kind", "person|agency" }, { "agency", 1, "agency", "NAME" },
	{ "kdf-memory", 1, "kdf_mib", "MIB" }, { "new-passphrase-file", 1, "passphrase", "FILE" }, END_OPTS
};
static const cli_optdef seal_opts[] = { KEY_OPTS, CLI_SEAL_OPTS, END_OPTS };
static const cli_optdef open_opts[] = { KEY_OPTS, CLI_OPEN_OPTS, END_OPTS };
static const cli_optdef verify_opts[] = {
	KEY_OPTS, { "identity", 1, "identity", "FILE" }, { "vault-key", 1, "vault_key", "VKEY" }, END_OPTS
};

#define PASS_HELP \
	"  --passphrase-file FILE  read your key file's passphrase from FILE\n" \
	"                    (default $SCRVAULT_PASSPHRASE_FILE, else a prompt)\n"
#define COMMON_HELP \
	"  --json            machine-readable output\n" \
	"  -h, --help        this help\n"

static const cli_cmd commands[] = {
	{ "keygen", NULL, seal_cmd_keygen, 0, NULL,
	  "scrvault-seal keygen --key-out FILE [--kind person|agency] [--agency NAME] [--kdf-memory MIB] NAME",
	  "Make your own key pair and key file, where you work, and print its public\n"
	  "keys (Ed25519 and X25519 in base64, and the X25519 key as an age recipient,\n"
	  "age1...) to give the vault's coordinator, who registers you as NAME. The\n"
	  "private keys stay in the file, sealed under your passphrase (typed twice on\n"
	  "the terminal, or --new-passphrase-file); nobody else ever needs them. The\n"
	  "file is enrolled in no vault yet; it already seals bundles and opens releases.\n\n"
	  "options:\n"
	  "  --key-out FILE    the key file to create (mode 0600; never replaces a file)\n"
	  "  --kind KIND       person (default) or agency\n"
	  "  --agency NAME     your agency, to tell the coordinator\n"
	  "  --kdf-memory MIB  Argon2id memory for the passphrase (default 46)\n"
	  "  --new-passphrase-file FILE  read the new passphrase from FILE\n" COMMON_HELP,
	  keygen_opts, 1, 1 },
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
	  "manifest; the document itself is not written anywhere. (The vault does not\n"
	  "sign upload receipts yet; when it does, verify will check those too.)\n\n"
	  "options:\n"
	  "  --vault-key VKEY  the vault's verifier key as the board publishes it (scrvault\n"
	  "                    audit pubkey; default $SCRVAULT_VAULT_KEY); required\n"
	  "  --key FILE        your key file (default $SCRVAULT_KEY)\n"
	  "  --identity FILE   an age identity file instead (a reader outside the vault)\n"
	  PASS_HELP COMMON_HELP,
	  verify_opts, 1, 1 },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, 0, 0 }
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
		commands, global_opts, 1, takes_value, usage, print_usage, NULL
	};

	return cli_main(&program, argc, argv);
}
