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
