/*
 * cmd_intake.c - scrvault intake seal|import, and the top-level
 * `scrvault recipient` (what agencies seal to).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static int cmd_recipient(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;
	int error;

	if ((error = scrvault_intake_recipient(&j, v)) < 0)
		return cli_fail(error);
	if (a->json)
		cli_print_json(j);
	else if (cli_flag(a, "signing-key"))
		printf("%s\n", scrvault_json_str(scrvault_json_get(j, "signing_key")));
	else
		printf("%s\n", scrvault_json_str(scrvault_json_get(j, "recipient")));
	scrvault_json_free(j);
	return 0;
}

/* The key file of a command that needs no vault: --key or $SCRVAULT_KEY. */
static const char *own_key(const cli_args *a)
{
	const char *k = cli_opt(a, "key");

	return k ? k : getenv("SCRVAULT_KEY");
}

static int check_seal(cli_args *a)
{
	if (!own_key(a))
		return cli_usage(a, "give your key file (--key FILE or $SCRVAULT_KEY)");
	if (!cli_opt(a, "to"))
		return cli_usage(a, "give the vault's recipient (--to age1... or --to FILE)");
	if (!cli_opt(a, "case") || !cli_opt(a, "class"))
		return cli_usage(a, "give the case and class (--case REF --class CLASS)");
	if (!cli_opt(a, "output"))
		return cli_usage(a, "give the bundle to write (-o FILE)");
	return 0;
}

static int cmd_seal(cli_args *a, scrvault *unused)
{
	scrvault_seal_spec s = {
		.version = SCRVAULT_SEAL_SPEC_VERSION,
		.keyfile = own_key(a),
		.recipient = cli_opt(a, "to"),
		.case_ref = cli_opt(a, "case"),
		.doc_class = cli_opt(a, "class"),
		.agency = cli_opt(a, "agency"),
		.title = cli_opt(a, "title"),
		.filename = cli_opt(a, "filename"),
		.input = a->args[0],
		.output = cli_opt(a, "output"),
	};
	scrvault_secret *pp = NULL;
	scrvault_json *j = NULL;
	int error;

	(void)unused;
	if ((error = cli_passphrase(&pp, a, s.keyfile)) < 0)
		return cli_fail(error);
	s.passphrase = pp;
	error = scrvault_intake_seal(&j, &s);
	scrvault_secret_free(pp);
	if (error < 0)
		return cli_fail(error);
	if (a->json)
		cli_print_json(j);
	else if (strcmp(s.output, "-") != 0)
		fprintf(stderr, "sealed '%s' for case %s (%s, %lld bytes, sha256 %s) into '%s'\n", s.input,
			scrvault_json_str(scrvault_json_get(j, "case")), scrvault_json_str(scrvault_json_get(j, "class")),
			(long long)scrvault_json_int(scrvault_json_get(j, "size")),
			scrvault_json_str(scrvault_json_get(j, "sha256")), s.output);
	scrvault_json_free(j);
	return 0;
}

static int check_import(cli_args *a)
{
	if (cli_opt(a, "received-from") && !cli_flag(a, "unauthenticated"))
		return cli_usage(a, "--received-from goes with --unauthenticated (a signed bundle names its sender)");
	return 0;
}

static int cmd_import(cli_args *a, scrvault *v)
{
	scrvault_import_spec s = {
		.version = SCRVAULT_IMPORT_SPEC_VERSION,
		.path = a->args[0],
		.doc = cli_opt(a, "doc"),
		.unauthenticated = cli_flag(a, "unauthenticated"),
		.received_from = cli_opt(a, "received-from"),
		.case_ref = cli_opt(a, "case"),
		.doc_class = cli_opt(a, "class"),
		.agency = cli_opt(a, "agency"),
		.title = cli_opt(a, "title"),
		.filename = cli_opt(a, "filename"),
		.note = cli_opt(a, "note"),
	};
	scrvault_json *j = NULL;
	const scrvault_json *row;
	int error;

	if ((error = scrvault_intake_import(&j, v, &s)) < 0)
		return cli_fail(error);
	row = scrvault_json_at(j, 0);
	if (a->json)
		cli_print_json(row);
	else if (scrvault_json_bool(scrvault_json_get(row, "authenticated")))
		printf("imported %s version %lld for case %s (%s), signed by %s\n",
		       scrvault_json_str(scrvault_json_get(row, "doc")),
		       (long long)scrvault_json_int(scrvault_json_get(row, "version")),
		       scrvault_json_str(scrvault_json_get(row, "case")),
		       scrvault_json_str(scrvault_json_get(row, "class")),
		       scrvault_json_str(scrvault_json_get(row, "signer")));
	else
		printf("imported %s version %lld for case %s (%s), UNAUTHENTICATED (recorded as received from the "
		       "sender you named)\n", scrvault_json_str(scrvault_json_get(row, "doc")),
		       (long long)scrvault_json_int(scrvault_json_get(row, "version")),
		       scrvault_json_str(scrvault_json_get(row, "case")),
		       scrvault_json_str(scrvault_json_get(row, "class")));
	scrvault_json_free(j);
	return 0;
}

static const cli_optdef recipient_opts[] = { { "signing-key", 0, NULL, NULL }, { NULL, 0, NULL, NULL } };
static const cli_optdef seal_opts[] = {
	{ "to", 1, "recipient", "age1...|FILE" }, { "case", 1, "case_ref", "REF" }, { "class", 1, "doc_class", "CLASS" },
	{ "agency", 1, "agency", "NAME" }, { "title", 1, "title", "TEXT" }, { "filename", 1, "filename", "NAME" },
	{ "output", 1, "output", "OUT" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef import_opts[] = {
	{ "doc", 1, "doc", "ID" }, { "unauthenticated", 0, "unauthenticated", NULL },
	{ "received-from", 1, "received_from", "TEXT" }, { "case", 1, "case_ref", "REF" },
	{ "class", 1, "doc_class", "CLASS" }, { "agency", 1, "agency", "NAME" }, { "title", 1, "title", "TEXT" },
	{ "filename", 1, "filename", "NAME" }, { "note", 1, "note", "TEXT" }, { NULL, 0, NULL, NULL }
};

const cli_cmd cli_intake_commands[] = {
	{ "recipient", NULL, cmd_recipient, CLI_VAULT, NULL, "scrvault recipient [--signing-key] [--json]",
	  "Print the vault's intake recipient (age1...), which agencies seal bundles to\n"
	  "(made at first use). With --signing-key, print instead the vault's public\n"
	  "signing key in base64 (the key of 'scrvault audit pubkey', which signs audit\n"
	  "checkpoints and releases; readers pin it with 'scrvault open --vault-key').\n"
	  "keys/README in the source tree says how a board hands both out.\n",
	  recipient_opts, 0, 0 },
	{ "intake", "seal", cmd_seal, CLI_BUNDLES_ONLY, check_seal,
	  "scrvault intake seal --key FILE --to age1...|FILE --case REF --class CLASS -o OUT [options] FILE",
	  "Seal FILE for the vault: encrypt it to the vault's recipient (age format) with\n"
	  "a manifest (case, class, agency, title, file name, size, SHA-256, time) signed\n"
	  "with your own key. Needs no access to the vault. Send OUT by any channel.\n\n"
	  "options:\n"
	  "  --key FILE        your key file (default $SCRVAULT_KEY)\n"
	  "  --to age1...|FILE the vault's recipient, or a file holding it\n"
	  "  --case REF        the case the document is for\n"
	  "  --class CLASS     its class (imr, single-agency-chronology, ...)\n"
	  "  --agency NAME     your agency (default: as the vault registered you)\n"
	  "  --title TEXT      title (default: the file name)\n"
	  "  --filename NAME   recorded file name (default: FILE's base name)\n"
	  "  -o, --output OUT  the bundle to write (never replaces a file; - for stdout)\n",
	  seal_opts, 1, 1 },
	{ "intake", "import", cmd_import, CLI_VAULT, check_import,
	  "scrvault intake import [--doc ID] [--unauthenticated --received-from TEXT --case REF --class CLASS] BUNDLE",
	  "Check a sealed bundle in: its signature must verify against a registered,\n"
	  "active principal allowed to submit that class for that case (doc.submit);\n"
	  "its content must match its manifest; a bundle is imported once (exit 6 after).\n"
	  "A plain age file (no signature) is accepted only with --unauthenticated and\n"
	  "--received-from, and is recorded as unauthenticated.\n\n"
	  "options:\n"
	  "  --doc ID                 import as a new version of this document\n"
	  "  --unauthenticated        accept an unsigned age file\n"
	  "  --received-from TEXT     who sent it, and how (recorded)\n"
	  "  --case, --class, --agency, --title, --filename  for an unsigned file\n"
	  "  --note TEXT              a note on this version\n",
	  import_opts, 1, 1 },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, 0, 0 }
};
