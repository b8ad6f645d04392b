/*
 * remote.h - the command line as a client of scrvaultd (remote.c).
 */
#ifndef CLI_REMOTE_H
#define CLI_REMOTE_H

#include "cli.h"

/* The host's service socket: the command line uses it when it exists and
 * no --vault or --server says otherwise. */
#define CLI_REMOTE_SOCKET	"/run/scrvault/scrvaultd.sock"

typedef struct cli_remote cli_remote;

/* The service to use: 1 with *url (--server, $SCRVAULT_SERVER, the host's
 * socket), or 0: act on a vault directory. */
int cli_remote_url(const cli_args *a, const char **url);

/* cli_remote_open flags */
#define CLI_REMOTE_SIGN_IN	1u	/* sign in with the person's key (else: no session) */
#define CLI_REMOTE_OWN_KEY	2u	/* the key file itself, even when an agent runs */

/*
 * Connect to the service at `url` ("https://HOST:PORT" or "unix:/PATH");
 * over HTTPS trust only the CA the key file's vault endorsed; with
 * CLI_REMOTE_SIGN_IN open a session as the holder of --key (or the agent's
 * key).  0, or the exit status after the message.
 */
int cli_remote_open(cli_remote **out, cli_args *a, const char *url, unsigned flags);
/* Drop the session token without signing out (the service ended it). */
void cli_remote_forget(cli_remote *r);
/* End the session and free.  NULL-safe. */
void cli_remote_close(cli_remote *r);
/* End the session `token` at `service` (as the agent kept it; over HTTPS only
 * after the service proves it is the vault of `vkey`), quietly: 0 or 1. */
int cli_remote_end_session(const char *service, const char *vkey, const char *token);

/* One call with a JSON body (NULL: none); the answer's JSON in *out (NULL
 * to discard).  0, or the exit status after the service's message. */
int cli_remote_json(scrvault_json **out, cli_remote *r, const char *method, const char *path, const char *body);
/* The same with `len` bytes of application/octet-stream. */
int cli_remote_bytes(scrvault_json **out, cli_remote *r, const char *method, const char *path,
		     const void *body, size_t len);
/* The JSON of the last call's error answer (its "error" and whatever the
 * route adds, e.g. a refused conclusion's "blocking"), or NULL; valid until
 * the next call. */
const scrvault_json *cli_remote_error(const cli_remote *r);
/* GET `path`'s content into fd.  0 or the exit status. */
int cli_remote_fetch(cli_remote *r, const char *path, int fd);
/* The same with `method` (no body). */
int cli_remote_call_fd(cli_remote *r, const char *method, const char *path, int fd);

/* A key of one remote call's JSON body, built up (values escaped). */
typedef struct {
	char *buf;
	size_t len, cap;
	bool oom;
} cli_jb;
/* Add "key": value (a NULL string is left out). */
void cli_jb_str(cli_jb *b, const char *key, const char *val);
void cli_jb_int(cli_jb *b, const char *key, long long val);
void cli_jb_bool(cli_jb *b, const char *key, bool val);
/* Add "key": json, json already JSON text (true, a list the caller built);
 * NULL is left out. */
void cli_jb_raw(cli_jb *b, const char *key, const char *json);
/* The object's text ("{...}", the caller frees), or NULL out of memory. */
char *cli_jb_end(cli_jb *b);
/* POST the object b holds (ended and freed here) to `path`: as cli_remote_json. */
int cli_remote_post(scrvault_json **out, cli_remote *r, const char *path, cli_jb *b);

/*
 * The route "BASE/ARG" (or "BASE/ARG/SUB") into path[len], ARG the first
 * argument, which must stand in it as one {param} (else the usage error
 * naming `what`, as cli_remote_seg): 0 or 2.
 */
int cli_remote_arg_path(char *path, size_t len, const cli_args *a, const char *what, const char *base,
			const char *sub);
/* One call to that route (cli_remote_arg_path) with the object b holds as
 * its body (ended and freed here; NULL: none): as cli_remote_json. */
int cli_remote_arg_call(scrvault_json **out, const cli_args *a, cli_remote *r, const char *method,
			const char *what, const char *base, const char *sub, cli_jb *b);
/* GET `path` and print the answer as a listing (cli_remote_listing). */
int cli_remote_get_list(const cli_args *a, cli_remote *r, const char *path, const cli_col *cols);
/* GET BASE/ARG (cli_remote_arg_call) and print it as cli_show does. */
int cli_remote_show_arg(const cli_args *a, cli_remote *r, const char *what, const char *base,
			const cli_col *fields, int (*more)(const scrvault_json *j));

/* As directly, before anything is sent: an option's text that is not UTF-8
 * (a JSON body cannot carry it) is a usage error naming the option.  0 or
 * the exit status. */
int cli_remote_check_text(const cli_args *a);
/* Whether s may stand in a route as one {param}: 1-64 bytes of
 * [A-Za-z0-9._@-], not starting with '.'; else a usage error naming `what`
 * is printed and 0 returned. */
bool cli_remote_seg(const cli_args *a, const char *what, const char *s);
/* Whether s may be a query value ([A-Za-z0-9._@:,-]); else as above. */
bool cli_remote_qval(const cli_args *a, const char *what, const char *s);
/* Append "&key=val" (or "?key=val" first) to path[len] when val is set:
 * 0, or the usage error's status. */
int cli_remote_query(const cli_args *a, char *path, size_t len, const char *key, const char *val);

/* Sign `statement` as the signed-in person (agent or key file): base64 in
 * *sig.  0 or the exit status. */
int cli_remote_sign(cli_remote *r, const char *statement, char **sig);

/* GET `path` into the new file `outpath` (0600, never replacing one unless
 * force), kept only when the transfer completed (and its SHA-256 is the one
 * the service announced); NULL outpath: standard output.  0 or the status. */
int cli_remote_download(cli_remote *r, const char *path, const char *outpath, bool force);
/* Before a call the service records (a release, a printed copy): 0 when
 * `outpath` does not exist yet, else the message the library gives for it
 * and 6 (`field` the option the hint names, or NULL), so nothing is
 * recorded for a file that could not be written. */
int cli_remote_outfile_free(const char *outpath, const char *field);
/* The same for `method` with a JSON `body` (NULL: none); with result, the
 * answer's X-Scrvault-Result (what the call did) parsed into *result. */
int cli_remote_download_call(scrvault_json **result, cli_remote *r, const char *method, const char *path,
			     const char *body, const char *outpath, bool force);

/* Upload `file` as the check-in `fields` describe (a JSON object's members
 * without braces' closing: built by the caller), resuming after a dropped
 * connection; the receipt in *receipt.  0 or the exit status. */
int cli_remote_upload(scrvault_json **receipt, cli_remote *r, cli_jb *fields, const char *file);

/* The last answer's base64 header `name` (X-Scrvault-Result, -Signature
 * or -CSV) decoded (NUL-terminated; the caller frees), or NULL. */
char *cli_remote_header(cli_remote *r, const char *name);
/* The last answer's X-Scrvault-Result (what a call answered with a file, or
 * with something else, did) parsed into *result: 0, or 1 after the message. */
int cli_remote_result(scrvault_json **result, cli_remote *r);

/* Each group's commands that run through the service (cmd_GROUP.c). */
typedef struct {
	const char *group, *name;
	int (*run)(cli_args *a, cli_remote *r);
	/* Or NULL: checks the arguments before anything is sent (not even a
	 * sign-in): 0, or the usage error's status. */
	int (*check)(const cli_args *a);
} cli_remote_cmd;

/* The all-NULL entry that ends such a table. */
#define CLI_REMOTE_END { NULL, NULL, NULL, NULL }

/* A check: the first argument may stand in a route as one {param} (a case). */
int cli_remote_check_ref(const cli_args *a);

extern const cli_remote_cmd cli_case_remote[], cli_doc_remote[], cli_audit_remote[], cli_agenda_remote[],
	cli_session_remote[], cli_principal_remote[], cli_copy_remote[], cli_hold_remote[], cli_request_remote[],
	cli_retention_remote[], cli_backup_remote[], cli_mirror_remote[], cli_timeline_remote[], cli_referral_remote[],
	cli_policy_remote[], cli_op_remote[], cli_report_remote[], cli_intake_remote[];

/* A listing through the service: status (0 or an exit status from a
 * cli_remote_* call) and its JSON, printed as cli_listing would. */
int cli_remote_listing(const cli_args *a, int status, scrvault_json **j, const cli_col *cols);

/* The same for a command that prints one answer as its local twin does
 * (cli_outcome): status, or what `print` prints of *j. */
int cli_remote_outcome(const cli_args *a, int status, scrvault_json **j, cli_printer print);

/* The same for a listing the local command prints row by row (cli_rows):
 * the rows of member `member` of *j (NULL: *j itself). */
int cli_remote_rows(const cli_args *a, int status, scrvault_json **j, const char *member, const cli_col *cols);

#endif
