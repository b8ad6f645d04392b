/*
 * cmd_intake.c - scrvault intake seal|import, and the top-level
 * `scrvault recipient` (what agencies seal to).  intake seal runs
 * bundles.c, which scrvault-seal shares.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "remote.h"

static int cmd_recipient(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;
	int error;

	if ((error = scrvault_intake_recipient(&j, v)) < 0)
		return cli_fail(error);
	return cli_result(a, j, "%s\n", cli_str(j, cli_flag(a, "signing-key") ? "signing_key" : "recipient"));
}

static int check_import(cli_args *a)
{
	if (cli_opt(a, "received-from") && !cli_flag(a, "unauthenticated"))
		return cli_usage(a, "--received-from goes with --unauthenticated (a signed bundle names its sender)");
	return 0;
}

static int print_imported(const cli_args *a, scrvault_json *j);

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

	return cli_outcome(a, scrvault_intake_import(&j, v, &s), &j, print_imported);
}

/* What 'intake import' prints of the import's answer [{...}] (or the row itself); frees j. */
static int print_imported(const cli_args *a, scrvault_json *j)
{
	const scrvault_json *row = scrvault_json_at(j, 0) ? scrvault_json_at(j, 0) : j;

	if (a->json)
		cli_print_json(row);
	else if (scrvault_json_bool(scrvault_json_get(row, "authenticated")))
		printf("imported %s version %lld for case %s (%s), signed by %s\n", cli_str(row, "doc"),
		       cli_int(row, "version"), cli_str(row, "case"), cli_str(row, "class"), cli_str(row, "signer"));
	else
		printf("imported %s version %lld for case %s (%s), UNAUTHENTICATED (recorded as received from the "
		       "sender you named)\n", cli_str(row, "doc"), cli_int(row, "version"), cli_str(row, "case"),
		       cli_str(row, "class"));
	scrvault_json_free(j);
	return 0;
}

static const cli_optdef recipient_opts[] = { { "signing-key", 0, NULL, NULL }, { NULL, 0, NULL, NULL } };
static const cli_optdef seal_opts[] = { CLI_SEAL_OPTS, { NULL, 0, NULL, NULL } };
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
	{ "intake", "seal", cli_seal_run, CLI_BUNDLES_ONLY, cli_seal_check, "scrvault intake seal " CLI_SEAL_ARGS,
	  CLI_SEAL_HELP,
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
	CLI_CMDS_END
};

/* ---- through the service ---------------------------------------------------------- */

#define INTAKE_MAX	(8u * 1024u * 1024u)

/* The sealed bundle posted as it is (application/octet-stream); the import's answer in X-Scrvault-Result. */
static int remote_import(cli_args *a, cli_remote *r)
{
	const char *path = a->args[0];
	scrvault_json *receipt = NULL, *j = NULL;
	char url[160] = "/v1/intake", *buf = NULL;
	size_t n = 0;
	struct stat sb;
	FILE *f;
	int fd, st;

	if (cli_flag(a, "unauthenticated") || cli_opt(a, "case") || cli_opt(a, "class") || cli_opt(a, "agency") ||
	    cli_opt(a, "title") || cli_opt(a, "filename") || cli_opt(a, "note"))
		return cli_usage(a, "through the service only a signed bundle is imported, as it is: leave out "
				 "--unauthenticated and its options (import an unsigned one on the vault host)");
	if ((st = cli_remote_query(a, url, sizeof(url), "doc", cli_opt(a, "doc"))) != 0)
		return st;
	/* As the library opens it: no symbolic link, no FIFO waited on. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)) < 0) {
		char msg[4200];

		if (errno == ELOOP) {
			snprintf(msg, sizeof(msg), "'%s' is a symbolic link: give the bundle itself", path);
			return cli_fail_message(2, msg, NULL);
		}
		snprintf(msg, sizeof(msg), "cannot open '%s': %s", path, strerror(errno));
		return cli_fail_message(errno == ENOENT ? 4 : 1, msg, NULL);
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0 ||
	    !(f = fdopen(fd, "rb"))) {
		char msg[4200];

		close(fd);
		snprintf(msg, sizeof(msg), "'%s' is not a regular file", path);
		return cli_fail_message(2, msg, NULL);
	}
	if ((buf = malloc(INTAKE_MAX + 1)))
		n = fread(buf, 1, INTAKE_MAX + 1, f);
	fclose(f);
	if (!buf)
		return cli_fail(SCRVAULT_ERROR);
	if (n > INTAKE_MAX) {
		free(buf);
		return cli_usage(a, "'%s' is larger than the service takes in one bundle (8 MiB): import it on the "
				 "vault host", path);
	}
	st = cli_remote_bytes(&receipt, r, "POST", url, buf, n);
	free(buf);
	scrvault_json_free(receipt);
	if (st || (st = cli_remote_result(&j, r)) != 0)
		return st;
	return print_imported(a, j);
}

const cli_remote_cmd cli_intake_remote[] = { { "intake", "import", remote_import, NULL }, CLI_REMOTE_END };
