/*
 * cli.h - what the command files share: the command table, parsed arguments,
 * passphrases, and printing tables or JSON.  The command line uses only the
 * public API (include/scrvault).  common.c and bundles.c are shared with
 * scrvault-seal (src/seal), and so call only what needs no vault; output.c
 * prints tables; main.c is scrvault's part of the dispatch (cli_main, in
 * common.c, is both programs').
 *
 * `scrvault GROUP VERB` lives in src/cli/cmd_GROUP.c, which exports
 * cli_GROUP_commands[]; main.c collects the tables (scripts/check-layers
 * holds every command to its group's file; the few top-level aliases it
 * lists are the exceptions).  A command's run function does its one job:
 * the dispatch parses the options, checks what the table says the command
 * needs and calls the command's check (usage errors, before anything is
 * unlocked); scrvault's main.c opens the vault for a CLI_VAULT command and
 * closes it again, whatever the command returned.
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
#define CLI_ID_ARG		(1u << 2)	/* the first argument is a number ID (need_msg
						 * when it is not) */

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
	/* Optional: the option the command cannot do without, checked before
	 * `check`; need_msg is the usage error when it (or with CLI_ID_ARG, the
	 * number ID) is missing. */
	const char *need, *need_msg;
};

/* The all-NULL entry that ends a table of commands. */
#define CLI_CMDS_END { NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, 0, 0, NULL, NULL }

/* ---- common.c: shared with scrvault-seal ---------------------------------------- */

/*
 * Text on its way to a reader, made harmless: valid UTF-8 stays as it is;
 * control characters (C0, DEL, C1), Unicode's bidirectional overrides and
 * bytes that are not UTF-8 become visible escapes (\n, \t, \r, \xNN,
 * \uNNNN), so that nothing read from a record or a bundle can move the
 * cursor, recolour the screen, forge a table row or reorder a line.  With
 * CLI_ESC_LINES newlines and tabs stay (the program's own line structure);
 * with CLI_ESC_PARTIAL an incomplete UTF-8 sequence at the end is left
 * unread (a stream cut between two writes).  `out` has room for 6 * len + 1
 * bytes; it is NUL-terminated; *used gets the input bytes read.
 */
#define CLI_ESC_LINES	1u
#define CLI_ESC_PARTIAL	2u
size_t cli_escape(char *out, const char *s, size_t len, unsigned flags, size_t *used);
/* Bytes in the UTF-8 sequence at s (len available; the shortest form, no
 * surrogates, at most U+10FFFF): the code point in *cp; 0 if not valid, -1
 * if valid so far but cut short. */
int cli_utf8_at(const unsigned char *s, size_t len, unsigned long *cp);
/* The same into a new string (NULL if out of memory), every control escaped. */
char *cli_escape_dup(const char *s);
/*
 * Standard output and error, when they are terminals, pass through
 * cli_escape (CLI_ESC_LINES): whatever a command prints, a terminal never
 * receives a control sequence.  cli_main calls it first.
 */
void cli_guard_terminal(void);

/* The program's name, which messages begin with; each program's main.c defines it. */
extern const char cli_program[];

/*
 * Parse argv (argv[0] stands for the program, the command words removed)
 * into a->names/values and a->args with getopt_long: the options of
 * `global_opts` (which must hold "help", for -h) and of a->cmd; -o is
 * --output.  Remembers the command and the global options for the hints of
 * cli_fail.  Returns 0, or the exit status of a usage error (2).
 */
int cli_parse(cli_args *a, int argc, char **argv, const cli_optdef *global_opts);
/* While main unlocks the vault, hints name the global options first. */
void cli_opening(bool on);

/* The value of option `name`, or NULL. */
const char *cli_opt(const cli_args *a, const char *name);
bool cli_flag(const cli_args *a, const char *name);

/*
 * Report a library failure and return its exit code: "scrvault: <message>",
 * and when scrvault_error_field() names inputs that options of the running
 * command (or the global options) give, the options: " (--case REF)".
 */
int cli_fail(int code);
/* The same for a failure reported by someone else (the service): its
 * message (escaped) and the hint of the option `field` names; returns code. */
int cli_fail_message(int code, const char *message, const char *field);
/* Report a usage error (exit 2). */
int cli_usage(const cli_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The passphrase for an existing key file: --passphrase-file,
 * $SCRVAULT_PASSPHRASE_FILE, or a prompt on the terminal; NULL if none. */
int cli_passphrase(scrvault_secret **out, const cli_args *a, const char *keyfile);
/* The passphrase for a new key file: --new-passphrase-file or two prompts. */
int cli_new_passphrase(scrvault_secret **out, const cli_args *a, const char *who);
/* A yes/no question on the terminal (echoed): 1 yes, 0 anything else, -1
 * when standard input is not a terminal. */
int cli_ask(const char *question);
/* A passphrase typed at the terminal for `keyfile`; none (NULL) if no terminal. */
int cli_prompt_secret(scrvault_secret **out, const char *keyfile);

/*
 * main.c: the SCRVAULT_OPEN_* flags of the global options
 * (--allow-unlocked-memory or $SCRVAULT_ALLOW_UNLOCKED_MEMORY=1), with a
 * warning on stderr when that allowance is used; and the warning of an
 * unlocked vault (scrvault_warning), if any, on stderr.
 */
unsigned cli_open_flags(const cli_args *a);
void cli_vault_warning(const scrvault *v);

/* Print one JSON value (canonical) and a newline on stdout. */
void cli_print_json(const scrvault_json *j);

/*
 * `s` as a whole decimal number from `min` to `max` (read by strtoll, so
 * leading blanks and a sign are taken): true and *out set, or false (NULL
 * included).  (Audit sequence numbers and log sizes, unsigned 64-bit and
 * digits only, have their own in cmd_audit.c.)
 */
bool cli_number(long long *out, const char *s, long long min, long long max);
/* The number ID given as the first argument (a request, a hold, a batch), or
 * 0 when it is not a positive number. */
long long cli_id_arg(const cli_args *a);
/*
 * DOC[@VERSION]: the version, 0 when none is given, -1 when it is not a
 * number from 1 to 1000000; with `doc`, the document id is copied into
 * doc[len], cut at the '@'.
 */
long cli_doc_version(const char *arg, char *doc, size_t len);
/* --kdf-memory MIB of a new key file: 0 when not given, -1 when it is not a
 * number of MiB (the library checks the least it takes). */
long cli_kdf_memory(const cli_args *a);
#define CLI_KDF_MEMORY_USAGE "--kdf-memory takes a number of MiB (8 to 4096)"

/* Member `key` of object j: a string (NULL when not one), an integer (0). */
const char *cli_str(const scrvault_json *j, const char *key);
long long cli_int(const scrvault_json *j, const char *key);
/*
 * What most commands end with: j as JSON with --json, else the line(s) of
 * `fmt` (NULL: nothing) on stdout; frees j and returns 0.  The arguments are
 * read before j is freed, so they may point into it.
 */
int cli_result(const cli_args *a, scrvault_json *j, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*
 * The passphrase of `keyfile` (none when NULL: an identity file needs none)
 * into a->secret, which the dispatcher frees after the command: 0, or the
 * exit status after the message.
 */
int cli_key_passphrase(cli_args *a, const char *keyfile);

/*
 * A program's dispatch (scrvault, scrvault-seal): the command words found
 * among the options (GROUP VERB, or one word), -h, --version and 'help',
 * unknown commands, argument counts, the command's check, then its run.
 */
typedef struct {
	const cli_cmd *cmds;		/* ended by an all-NULL entry */
	const cli_optdef *global_opts;	/* must hold "help" */
	int nwords;			/* command words: 2 (GROUP VERB) or 1 */
	/* Whether an option takes the next word as its value. */
	bool (*takes_value)(const char *arg);
	void (*usage)(FILE *f);				/* the program's usage */
	void (*cmd_usage)(FILE *f, const cli_cmd *c);	/* a command's -h */
	/* Runs a->cmd (with what it needs set up and torn down); NULL: the
	 * command's run with no vault. */
	int (*run)(cli_args *a);
} cli_program_def;
/* Run the program for argv: its exit status.  a->secret is freed after the command. */
int cli_main(const cli_program_def *p, int argc, char **argv);

/*
 * ---- bundles.c: the commands that need no vault, the same in both programs
 * (scrvault intake seal and open; scrvault-seal seal and open).  Each
 * program's table gives them these options besides its own --key and
 * --passphrase-file, these usage words after its command words, and this
 * help.
 */
int cli_seal_check(cli_args *a);
int cli_seal_run(cli_args *a, scrvault *unused);
int cli_open_check(cli_args *a);
int cli_open_run(cli_args *a, scrvault *unused);
/* The key file of a command that needs no vault: --key or $SCRVAULT_KEY. */
const char *cli_own_key(const cli_args *a);
#define CLI_SEAL_OPTS \
	{ "to", 1, "recipient", "age1...|FILE" }, { "case", 1, "case_ref", "REF" }, \
	{ "class", 1, "doc_class", "CLASS" }, { "agency", 1, "agency", "NAME" }, { "title", 1, "title", "TEXT" }, \
	{ "filename", 1, "filename", "NAME" }, { "output", 1, "output", "OUT" }
#define CLI_OPEN_OPTS \
	{ "identity", 1, "identity", "FILE" }, { "vault-key", 1, "vault_key", "VKEY" }, { "output", 1, "output", "OUT" }
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

/*
 * ---- keys.c: a holder's own key, the same in both programs (scrvault keygen
 * and keyfile accept|pin; scrvault-seal keygen, accept and pin).
 */
int cli_keygen_run(cli_args *a, scrvault *unused);
int cli_accept_check(cli_args *a);
int cli_accept_run(cli_args *a, scrvault *unused);
int cli_pin_run(cli_args *a, scrvault *unused);
#define CLI_KEYGEN_OPTS \
	{ "key-out", 1, "keyfile", "FILE" }, { "kind", 1, "kind", "person|agency" }, { "agency", 1, "agency", "NAME" }, \
	{ "kdf-memory", 1, "kdf_mib", "MIB" }, { "new-passphrase-file", 1, "passphrase", "FILE" }, \
	{ "enrolment-out", 1, "enrolment", "FILE" }, { "rotate", 1, "rotate_keyfile", "OLDKEY" }, \
	{ "old-passphrase-file", 1, "rotate_passphrase", "FILE" }
#define CLI_KEYGEN_ARGS "--key-out FILE [--kind person|agency] [--agency NAME] [--kdf-memory MIB] [--rotate OLDKEY] NAME"
#define CLI_KEYGEN_HELP \
	"Make your own key pair and key file, where you work, and an enrolment request\n" \
	"(FILE.enrol, or --enrolment-out): your name, kind, agency and public keys,\n" \
	"signed with the new key. Send the request to the vault's coordinator by any\n" \
	"channel and read them the fingerprint (six words) this prints, on the phone or\n" \
	"in person: they register you only if the words match. They send back the\n" \
	"vault's acceptance, which you import with 'accept'. The private keys stay in\n" \
	"the file, sealed under your passphrase (typed twice, or --new-passphrase-file);\n" \
	"nobody else ever needs them. Until accepted the file belongs to no vault; it\n" \
	"already seals bundles and opens releases.\n\n" \
	"options:\n" \
	"  --key-out FILE    the key file to create (mode 0600; never replaces a file)\n" \
	"  --enrolment-out FILE  the request to write (default FILE.enrol)\n" \
	"  --kind KIND       person (default) or agency\n" \
	"  --agency NAME     your agency\n" \
	"  --kdf-memory MIB  Argon2id memory for the passphrase (default 46)\n" \
	"  --new-passphrase-file FILE  read the new passphrase from FILE\n" \
	"  --rotate OLDKEY   replace your key: the request is signed by OLDKEY too, and\n" \
	"                    the coordinator registers it with 'principal rotate'\n" \
	"  --old-passphrase-file FILE  OLDKEY's passphrase (else a prompt)\n"
#define CLI_ACCEPT_ARGS "--key FILE [--vkey VKEY] ACCEPTANCE"
#define CLI_ACCEPT_HELP \
	"Import the vault's acceptance of your enrolment into your key file: its\n" \
	"signature is checked with the vault's verifier key it carries (and that key\n" \
	"against --vkey, the key the board publishes), and it must accept your own name\n" \
	"and keys. The key file then names, authenticated, the vault it belongs to (its\n" \
	"id and verifier key): it unlocks or acts in no other vault.\n\n" \
	"options:\n" \
	"  --key FILE        your key file (default $SCRVAULT_KEY), rewritten in place\n" \
	"  --vkey VKEY       the vault's verifier key as the board publishes it\n" \
	"                    (recommended: without it, check the key printed yourself)\n"
#define CLI_PIN_ARGS "--key FILE --vkey VKEY"
#define CLI_PIN_HELP \
	"Pin the vault's verifier key into a key file written before key files named\n" \
	"it (a 'vault' line and no 'vault-key' line), which every command refuses until\n" \
	"then. VKEY must be the key the board publishes for the vault the file names\n" \
	"(never one read from the vault itself: that is what the pin guards against).\n\n" \
	"options:\n" \
	"  --key FILE        your key file (default $SCRVAULT_KEY), rewritten in place\n" \
	"  --vkey VKEY       the vault's verifier key as the board publishes it\n"

/* ---- output.c ------------------------------------------------------------------ */
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
/*
 * The end of a listing command: the failure `error` of the library call that
 * filled *j, or the list (cli_print_list).  *j is freed either way; it is
 * read only here, so the call may stand in the arguments:
 *   return cli_listing(a, scrvault_case_list(&j, v), &j, case_cols);
 */
int cli_listing(const cli_args *a, int error, scrvault_json **j, const cli_col *cols);
/* A table only when it has rows, after `title` ("\n" for a blank line). */
void cli_table_if(const scrvault_json *rows, const char *title, const cli_col *cols);
/* An operation under dual control that waits (its "pending" id and
 * "expires_at" in j): `what` ("loading a policy") and how to decide it. */
void cli_print_pending(const scrvault_json *j, const char *what);
/* What a command prints of the JSON j a call gave (j freed): the exit status. */
typedef int (*cli_printer)(const cli_args *a, scrvault_json *j);
/*
 * The end of a command that prints what one library call gave: the failure
 * `error` of the call that filled *j, or what `print` prints of it.  *j is
 * freed either way; it is read only here, so the call may stand in the
 * arguments, as with cli_listing.
 */
int cli_outcome(const cli_args *a, int error, scrvault_json **j, cli_printer print);
/* The end of a command whose operation waits so: j as JSON with --json, else
 * cli_print_pending; frees j and returns 0. */
int cli_result_pending(const cli_args *a, scrvault_json *j, const char *what);
/* Each string of the array as a line "label: string" (problems, warnings). */
void cli_print_each(const scrvault_json *arr, const char *label);
/* Print one object as "key  value" lines. */
void cli_print_fields(const scrvault_json *j, const cli_col *fields);
/*
 * The end of a command that shows one thing: the failure `error` of the
 * call that filled *j; else with --json the object (cli_print_object), else
 * its `fields` and then what `more` prints (NULL: nothing), whose return is
 * the exit status.  *j is freed; it is read only here, so the call may
 * stand in the arguments, as with cli_listing.
 */
int cli_show(const cli_args *a, int error, scrvault_json **j, const cli_col *fields,
	     int (*more)(const scrvault_json *j));
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

/* Each cmd_<group>.c exports its table, ended by CLI_CMDS_END. */
extern const cli_cmd cli_init_commands[];
extern const cli_cmd cli_principal_commands[];
extern const cli_cmd cli_keygen_commands[];
extern const cli_cmd cli_keyfile_commands[];
extern const cli_cmd cli_fsck_commands[];
extern const cli_cmd cli_agent_commands[];
extern const cli_cmd cli_service_commands[];
extern const cli_cmd cli_case_commands[];
extern const cli_cmd cli_referral_commands[];
extern const cli_cmd cli_doc_commands[];
extern const cli_cmd cli_audit_commands[];
extern const cli_cmd cli_policy_commands[];
extern const cli_cmd cli_op_commands[];
extern const cli_cmd cli_intake_commands[];
extern const cli_cmd cli_open_commands[];
extern const cli_cmd cli_copy_commands[];
extern const cli_cmd cli_request_commands[];
extern const cli_cmd cli_hold_commands[];
extern const cli_cmd cli_session_commands[];
extern const cli_cmd cli_timeline_commands[];	/* group "case": the clocks */
extern const cli_cmd cli_retention_commands[];
extern const cli_cmd cli_mirror_commands[];
extern const cli_cmd cli_backup_commands[];
extern const cli_cmd cli_restore_commands[];
extern const cli_cmd cli_agenda_commands[];
extern const cli_cmd cli_report_commands[];
extern const cli_cmd cli_tls_commands[];

#endif
