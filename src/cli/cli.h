/*
 * cli.h - what the command files share: parsed arguments, opening the vault,
 * passphrases, and printing tables or JSON.  The command line uses only the
 * public API (include/scrvault).
 */
#ifndef SV_CLI_H
#define SV_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include "scrvault/scrvault.h"

#define CLI_MAX_OPTS 32
#define CLI_MAX_ARGS 65536

typedef struct {
	const char *name;	/* long option name */
	int has_arg;		/* 0 flag, 1 required argument */
} cli_optdef;

typedef struct cli_cmd cli_cmd;

typedef struct {
	const cli_cmd *cmd;
	const char *names[CLI_MAX_OPTS];
	const char *values[CLI_MAX_OPTS];
	int nopts;
	char **args;		/* positional arguments */
	int nargs;
	bool json;
} cli_args;

struct cli_cmd {
	const char *group;
	const char *name;	/* NULL for a command without subcommand */
	int (*run)(cli_args *a);
	const char *usage;	/* "scrvault doc checkin [options] FILE..." */
	const char *help;	/* option descriptions */
	const cli_optdef *opts;
	int min_args, max_args;
	/* Seals or opens a bundle and touches nothing else (SCRVAULT_INIT_BUNDLES_ONLY). */
	bool bundles_only;
};

/*
 * common.c: what scrvault and scrvault-seal share.  cli_program is the name
 * messages begin with; each program's main.c defines it.
 */
extern const char cli_program[];

/*
 * Parse argv (argv[0] stands for the program, the command words removed)
 * into a->names/values and a->args with getopt_long: the options of
 * `global_opts` (which must hold "help", for -h) and of a->cmd; -o is
 * --output.  Returns 0, or the exit status of a usage error (2).
 */
int cli_parse(cli_args *a, int argc, char **argv, const cli_optdef *global_opts);

/* The value of option `name`, or NULL. */
const char *cli_opt(const cli_args *a, const char *name);
bool cli_flag(const cli_args *a, const char *name);

/* Report a library failure and return its exit code. */
int cli_fail(int code);
/* Report a usage error (exit 2). */
int cli_usage(const cli_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The passphrase for an existing key file: --passphrase-file,
 * $SCRVAULT_PASSPHRASE_FILE, or a prompt on the terminal; NULL if none. */
int cli_passphrase(scrvault_secret **out, const cli_args *a, const char *keyfile);
/* The passphrase for a new key file: --new-passphrase-file or two prompts. */
int cli_new_passphrase(scrvault_secret **out, const cli_args *a, const char *who);
/* A passphrase typed at the terminal for `keyfile`; none (NULL) if no terminal. */
int cli_prompt_secret(scrvault_secret **out, const char *keyfile);

/* Unlock the vault named by --vault/--key (or the environment). */
int cli_open(scrvault **out, const cli_args *a);

/* Print one JSON value (canonical) and a newline on stdout. */
void cli_print_json(const scrvault_json *j);
/* Print a JSON array as a table with these columns (key, header). */
typedef struct {
	const char *key;
	const char *header;
} cli_col;
void cli_table(const scrvault_json *rows, const cli_col *cols);
/* Print JSON (with --json) or the table; frees `j`. */
int cli_print_list(const cli_args *a, scrvault_json *j, const cli_col *cols);
/*
 * The same for a listing given one row at a time (the library's *_each
 * calls): cli_rows_add is their scrvault_row_fn; cli_rows_print writes the
 * JSON array or the table, frees, and returns the exit code (1 if out of
 * memory, NULL included).  Nothing is written before cli_rows_print.
 */
typedef struct cli_rows cli_rows;
cli_rows *cli_rows_new(const cli_args *a, const cli_col *cols);
int cli_rows_add(void *ctx, const scrvault_json *row);
int cli_rows_print(cli_rows *r);
void cli_rows_free(cli_rows *r);
/* Print one object as "key  value" lines. */
void cli_print_fields(const scrvault_json *j, const cli_col *fields);
/* Print one object as "key: value" lines, or JSON with --json. */
int cli_print_object(const cli_args *a, scrvault_json *j, const cli_col *fields);

/*
 * cmd_seal.c: the commands that need no vault, the same in both programs
 * (scrvault intake seal and open; scrvault-seal seal and open).  Each
 * program's table gives them these options besides its own --key and
 * --passphrase-file, these usage words after its command words, and this
 * help.
 */
int cli_seal_run(cli_args *a);
int cli_open_run(cli_args *a);
/* The key file of a command that needs no vault: --key or $SCRVAULT_KEY. */
const char *cli_own_key(const cli_args *a);
#define CLI_SEAL_OPTS \
	{ "to", 1 }, { "case", 1 }, { "class", 1 }, { "agency", 1 }, { "title", 1 }, \
	{ "filename", 1 }, { "output", 1 }
#define CLI_OPEN_OPTS { "identity", 1 }, { "vault-key", 1 }, { "output", 1 }
#define CLI_SEAL_ARGS "--key FILE --to age1...|FILE --case REF --class CLASS -o OUT [options] FILE"
#define CLI_OPEN_ARGS "(--key FILE | --identity FILE) [--vault-key KEY] [-o OUT] RELEASE"
#define CLI_SEAL_HELP \
	"Seal FILE for the vault: encrypt it to the vault's recipient (age format) with\n" \
	"a manifest (case, class, agency, title, file name, size, SHA-256, time) signed\n" \
	"with your own key. Needs no access to the vault. Send OUT by any channel.\n\n" \
	"options:\n" \
	"  --key FILE        your key file (default $SCRVAULT_KEY)\n" \
	"  --to age1...|FILE the vault's recipient, or a file holding it\n" \
	"  --case REF        the case the document is for\n" \
	"  --class CLASS     its class (imr, single-agency-chronology, ...)\n" \
	"  --agency NAME     your agency (default: as the vault registered you)\n" \
	"  --title TEXT      title (default: the file name)\n" \
	"  --filename NAME   recorded file name (default: FILE's base name)\n" \
	"  -o, --output OUT  the bundle to write (never replaces a file; - for stdout)\n"
#define CLI_OPEN_HELP \
	"Open a document the vault released to you: decrypt it with your own key,\n" \
	"verify the vault's signature and the content against the signed manifest.\n" \
	"The output appears only once everything verified (with -o -, it streams and\n" \
	"the exit status says whether it verified).\n\n" \
	"options:\n" \
	"  --key FILE        your key file (default $SCRVAULT_KEY)\n" \
	"  --identity FILE   an age identity file instead (a reader outside the vault)\n" \
	"  --vault-key VKEY  the vault's verifier key as the board publishes it (scrvault\n" \
	"                    audit pubkey; default $SCRVAULT_VAULT_KEY): the release must\n" \
	"                    be signed by it, for that vault\n" \
	"  -o, --output OUT  where to write (default: the recorded file name, here)\n"

/* Each cmd_<group>.c exports its table, ended by an all-NULL entry. */
extern const cli_cmd cli_vault_commands[];
extern const cli_cmd cli_case_commands[];
extern const cli_cmd cli_doc_commands[];
extern const cli_cmd cli_audit_commands[];
extern const cli_cmd cli_policy_commands[];
extern const cli_cmd cli_bundle_commands[];
extern const cli_cmd cli_copy_commands[];
extern const cli_cmd cli_request_commands[];
extern const cli_cmd cli_retention_commands[];
extern const cli_cmd cli_replication_commands[];

#endif
