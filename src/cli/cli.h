/*
 * cli.h - what the command files share: the command table, parsed arguments,
 * passphrases, and printing tables or JSON.  The command line uses only the
 * public API (include/scrvault).
 *
 * `scrvault GROUP VERB` lives in src/cli/cmd_GROUP.c, which exports
 * cli_GROUP_commands[]; main.c collects the tables (scripts/check-layers
 * holds every command to its group's file; the few top-level aliases it
 * lists are the exceptions).  A command's run function does its one job:
 * main parses the options, calls the command's check (usage errors, before
 * anything is unlocked), opens the vault for a CLI_VAULT command and closes
 * it again, whatever the command returned.
 */
#ifndef SV_CLI_H
#define SV_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include "scrvault/scrvault.h"

#define CLI_MAX_OPTS 32
#define CLI_MAX_ARGS 65536

/*
 * One option of a command.  `field` is the library's name for the input the
 * option gives (the options-struct member or argument scrvault_error_field()
 * reports; several comma-separated when one option feeds several), so that a
 * library error about it can name the option: "... (--case REF)".
 * The option "output" is also -o, and a hint names it so.
 */
typedef struct {
	const char *name;	/* long option name */
	int has_arg;		/* 0 flag, 1 required argument */
	const char *field;	/* the library's name(s) for this input, or NULL */
	const char *metavar;	/* its value in a hint: "REF", "TEXT", "DATE", "FILE"; NULL for a flag */
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
	/* Set by a check: this invocation needs no vault (audit verify FILE). */
	bool no_vault;
	/* A secret a check read before the vault is unlocked (a new key file's
	 * passphrase); main frees it after the command, whatever happened. */
	scrvault_secret *secret;
} cli_args;

/* cli_cmd.flags */
#define CLI_VAULT		(1u << 0)	/* main unlocks the vault before run and closes it after */
#define CLI_BUNDLES_ONLY	(1u << 1)	/* seals or opens a bundle, touches nothing else
						 * (SCRVAULT_INIT_BUNDLES_ONLY) */

struct cli_cmd {
	const char *group;
	const char *name;	/* NULL for a command without subcommand */
	/* The command; v is the unlocked vault with CLI_VAULT, else NULL.
	 * Returns the exit status. */
	int (*run)(cli_args *a, scrvault *v);
	unsigned flags;		/* CLI_VAULT, CLI_BUNDLES_ONLY */
	/* Optional: usage checks that need no vault, called before it is
	 * unlocked (so a usage error never asks for a passphrase); 0 or the
	 * exit status. */
	int (*check)(cli_args *a);
	const char *usage;	/* "scrvault doc checkin [options] FILE..." */
	const char *help;	/* option descriptions */
	const cli_optdef *opts;
	int min_args, max_args;
};

/* The value of option `name`, or NULL. */
const char *cli_opt(const cli_args *a, const char *name);
bool cli_flag(const cli_args *a, const char *name);

/*
 * Report a library failure and return its exit code: "scrvault: <message>",
 * and when scrvault_error_field() names inputs that options of the running
 * command (or the global options) give, the options: " (--case REF)".
 */
int cli_fail(int code);
/* Report a usage error (exit 2). */
int cli_usage(const cli_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The passphrase for an existing key file: --passphrase-file,
 * $SCRVAULT_PASSPHRASE_FILE, or a prompt on the terminal; NULL if none. */
int cli_passphrase(scrvault_secret **out, const cli_args *a, const char *keyfile);
/* The passphrase for a new key file: --new-passphrase-file or two prompts. */
int cli_new_passphrase(scrvault_secret **out, const cli_args *a, const char *who);

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

/* --request ID, the agreed access request a release is made under: main
 * passes it to scrvault_vault_open (scrvault_open_options.request). */
#define CLI_OPT_REQUEST { "request", 1, "request", "ID" }

/*
 * A new principal's key file (cmd_principal.c; init makes the first one):
 * the options, their help, the check of --kdf-memory and --kind, and the
 * spec for NAME.
 */
#define CLI_PRINCIPAL_OPTS \
	{ "key-out", 1, "keyfile", "FILE" }, { "display-name", 1, "display_name", "TEXT" }, \
	{ "kind", 1, "kind", "person|agency|service" }, { "agency", 1, "agency", "NAME" }, \
	{ "contact", 1, "contact", "TEXT" }, { "new-passphrase-file", 1, "passphrase", "FILE" }, \
	{ "kdf-memory", 1, "kdf_mib", "MIB" }
#define CLI_PRINCIPAL_HELP \
	"options:\n" \
	"  --key-out FILE              where to write the key file (created 0600)\n" \
	"  --display-name TEXT         the person's or agency's name\n" \
	"  --kind person|agency|service  (default person)\n" \
	"  --agency NAME               the agency (for agency accounts and their staff)\n" \
	"  --contact TEXT              phone or e-mail, for recalling copies\n" \
	"  --new-passphrase-file FILE  the new key file's passphrase (else prompted twice)\n" \
	"  --kdf-memory MIB            Argon2id memory for the key file (default 46)\n"
int cli_principal_check(const cli_args *a);
void cli_principal_spec(scrvault_principal_spec *s, const cli_args *a, const char *name);

/* Each cmd_<group>.c exports its table, ended by an all-NULL entry. */
extern const cli_cmd cli_init_commands[];
extern const cli_cmd cli_principal_commands[];
extern const cli_cmd cli_fsck_commands[];
extern const cli_cmd cli_case_commands[];
extern const cli_cmd cli_doc_commands[];
extern const cli_cmd cli_audit_commands[];
extern const cli_cmd cli_policy_commands[];
extern const cli_cmd cli_op_commands[];
extern const cli_cmd cli_intake_commands[];
extern const cli_cmd cli_open_commands[];
extern const cli_cmd cli_copy_commands[];
extern const cli_cmd cli_request_commands[];
extern const cli_cmd cli_hold_commands[];
extern const cli_cmd cli_retention_commands[];
extern const cli_cmd cli_mirror_commands[];
extern const cli_cmd cli_backup_commands[];
extern const cli_cmd cli_restore_commands[];

#endif
