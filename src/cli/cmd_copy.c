/*
 * cmd_copy.c - scrvault copy create|issue|acknowledge|return|lost|destroy|
 * transfer|witness|list|overdue|recall|history|print: the numbered-copy register.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent.h"
#include "cli.h"
#include "remote.h"

static const cli_col list_cols[] = {
	{ "copy", "COPY" }, { "label", "LABEL" }, { "master", "MASTER" }, { "state", "STATE" }, { "holder", "HOLDER" },
	{ "due", "DUE" }, { "acknowledged", "RECEIPT" }, { "witness_signature", "WITNESSED" }, { NULL, NULL }
};
static const cli_col recall_cols[] = {
	{ "copy", "COPY" }, { "label", "LABEL" }, { "state", "STATE" }, { "holder", "HOLDER" },
	{ "organisation", "ORGANISATION" }, { "contact", "CONTACT" }, { "due", "DUE" }, { NULL, NULL }
};

/* Print the copy a register change returns (or the failure); frees j. */
static int print_copy(const cli_args *a, const char *verb, int error, scrvault_json *j)
{
	if (error < 0) {
		scrvault_json_free(j);
		return cli_fail(error);
	}
	{
		const char *to = !strcmp(verb, "issued") ? cli_str(j, "holder") : NULL;

		return cli_result(a, j, "copy %lld (%s) %s%s%s\n", cli_int(j, "copy"), cli_str(j, "label"), verb,
				  to ? " to " : "", to ? to : "");
	}
}

/* --count N: the number, or 0 when it is not one from 1 to 999. */
static unsigned count_of(const cli_args *a)
{
	long long n = 0;

	return cli_number(&n, cli_opt(a, "count"), 1, 999) ? (unsigned)n : 0;
}

static int check_create(cli_args *a)
{
	char doc[96];

	if (cli_doc_version(a->args[0], doc, sizeof(doc)) < 0)
		return cli_usage(a, "version must be a positive number: DOC@VERSION");
	if (!cli_opt(a, "count"))
		return cli_usage(a, "how many copies? (--count N)");
	if (!count_of(a))
		return cli_usage(a, "--count takes a number from 1 to 999");
	return 0;
}

static int cmd_create(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;
	char doc[96];
	unsigned version = (unsigned)cli_doc_version(a->args[0], doc, sizeof(doc));

	return cli_listing(a, scrvault_copy_create(&j, v, doc, version, count_of(a)), &j, list_cols);
}

static int check_issue(cli_args *a)
{
	if (!!cli_opt(a, "to") == !!cli_opt(a, "external"))
		return cli_usage(a, "give the holder: --to PRINCIPAL, or --external NAME --organisation ORG --contact TEXT");
	if (!cli_opt(a, "purpose") || !cli_opt(a, "due"))
		return cli_usage(a, "give --purpose TEXT and --due YYYY-MM-DD");
	return 0;
}

static int cmd_issue(cli_args *a, scrvault *v)
{
	scrvault_copy_issue_spec s = SCRVAULT_COPY_ISSUE_SPEC_INIT;
	scrvault_json *j = NULL;
	int error;

	s.copy = a->args[0];
	s.to = cli_opt(a, "to");
	s.ext_name = cli_opt(a, "external");
	s.ext_org = cli_opt(a, "organisation");
	s.contact = cli_opt(a, "contact");
	s.purpose = cli_opt(a, "purpose");
	s.due = cli_opt(a, "due");
	error = scrvault_copy_issue(&j, v, &s);
	return print_copy(a, "issued", error, j);
}

static int check_ack(cli_args *a)
{
	bool out = cli_opt(a, "statement-out"), st = cli_opt(a, "statement"), sg = cli_opt(a, "signature");

	if ((out || st) && cli_flag(a, "paper"))
		return cli_usage(a, "--paper records a signature on paper: no statement to sign");
	if (out && (st || sg))
		return cli_usage(a, "--statement-out asks for the receipt; --statement and --signature give it signed: not both");
	if (st != sg)
		return cli_usage(a, "give the signed receipt with its signature: --statement FILE --signature FILE");
	return 0;
}

static int cmd_ack(cli_args *a, scrvault *v)
{
	const char *out = cli_opt(a, "statement-out"), *stf = cli_opt(a, "statement"), *sgf = cli_opt(a, "signature");
	scrvault_json *j = NULL;
	char *text = NULL, *sig = NULL;
	int error, rc;

	if (out) {
		/* The receipt to sign elsewhere (with 'scrvault agent sign'). */
		if ((error = scrvault_copy_acknowledge_statement(&text, v, a->args[0])) < 0)
			return cli_fail(error);
		rc = cli_write_new(out, text);
		free(text);
		if (rc == 0)
			printf("the receipt to sign for copy %s is in %s (valid for 5 minutes)\n", a->args[0], out);
		return rc;
	}
	if (stf) {
		if (!(text = cli_read_text(stf, 8192)) || !(sig = cli_read_text(sgf, 1024))) {
			free(text);
			return 1;
		}
		error = scrvault_copy_acknowledge_signed(&j, v, a->args[0], text, sig);
		free(text);
		free(sig);
	} else {
		error = scrvault_copy_acknowledge(&j, v, a->args[0], cli_flag(a, "paper") ? SCRVAULT_ACK_PAPER : 0);
	}
	return print_copy(a, "acknowledged", error, j);
}

static int cmd_return(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;
	int error = scrvault_copy_return(&j, v, a->args[0], cli_opt(a, "condition"));

	return print_copy(a, "returned", error, j);
}

static int cmd_lost(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;
	int error = scrvault_copy_lost(&j, v, a->args[0], cli_opt(a, "reason"));

	return print_copy(a, "recorded as lost", error, j);
}

/* Through the service the witness signs in their own session ('copy witness'). */
static int no_witness_key(const cli_args *a)
{
	return cli_usage(a, "through the service the witness signs in their own session, not with a key file here: "
			 "leave out --witness-key; they run 'scrvault copy witness %s' as themselves", a->args[0]);
}

/* The witness's passphrase, before the vault's, when they sign now. */
static int check_destroy(cli_args *a)
{
	const char *key = cli_opt(a, "witness-key"), *file = cli_opt(a, "witness-passphrase-file");
	int error;

	const char *url;

	if (!key)
		return file ? cli_usage(a, "--witness-passphrase-file goes with --witness-key FILE") : 0;
	if (cli_remote_url(a, &url))	/* refused before any prompt */
		return no_witness_key(a);
	error = file ? scrvault_secret_read_file(&a->secret, file) : cli_prompt_secret(&a->secret, key);
	return error < 0 ? cli_fail(error) : 0;
}

static int print_destroyed(const cli_args *a, const char *verb, int error, scrvault_json *j)
{
	const char *ws = error >= 0 ? cli_str(j, "witness_signature") : NULL;

	if (ws && !a->json && !strcmp(ws, "unverified"))
		fprintf(stderr, "%s: the witness did not sign: recorded as unverified until they run "
			"'scrvault copy witness %lld' as themselves\n", cli_program, cli_int(j, "copy"));
	return print_copy(a, verb, error, j);
}

static int cmd_destroy(cli_args *a, scrvault *v)
{
	scrvault_copy_destroy_options o = SCRVAULT_COPY_DESTROY_OPTIONS_INIT;
	scrvault_json *j = NULL;
	int error;

	o.witness = cli_opt(a, "witness");
	o.witness_keyfile = cli_opt(a, "witness-key");
	o.witness_passphrase = a->secret;
	o.note = cli_opt(a, "note");
	error = scrvault_copy_destroy_ext(&j, v, a->args[0], &o);
	return print_destroyed(a, "destroyed", error, j);
}

static int cmd_transfer(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;
	int error = scrvault_copy_transfer(&j, v, a->args[0], cli_opt(a, "organisation"), cli_opt(a, "note"));

	return print_copy(a, "transferred: kept by the recipient under their own retention", error, j);
}

static int cmd_witness(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;
	int error = scrvault_copy_witness(&j, v, a->args[0]);	/* before j is read */

	return print_copy(a, "destruction signed by its witness:", error, j);
}

/* A register listing, one row at a time (it may be a hundred thousand long). */
static int list_with(cli_args *a, scrvault *v, const scrvault_copy_filter *f)
{
	cli_rows *rows = cli_rows_new(a, list_cols);
	int error;

	if (!rows)
		return cli_rows_print(NULL);
	if ((error = scrvault_copy_list_each(v, f, cli_rows_add, rows)) < 0) {
		cli_rows_free(rows);
		return cli_fail(error);
	}
	return cli_rows_print(rows);
}

static int cmd_list(cli_args *a, scrvault *v)
{
	scrvault_copy_filter f = SCRVAULT_COPY_FILTER_INIT;

	f.case_ref = cli_opt(a, "case");
	f.doc = cli_opt(a, "doc");
	f.state = cli_opt(a, "state");
	f.holder = cli_opt(a, "holder");
	return list_with(a, v, &f);
}

static int cmd_overdue(cli_args *a, scrvault *v)
{
	scrvault_copy_filter f = SCRVAULT_COPY_FILTER_INIT;

	f.case_ref = cli_opt(a, "case");
	f.state = "overdue";
	f.as_of = cli_opt(a, "as-of");
	return list_with(a, v, &f);
}

/* The copies still out, as 'copy recall' prints them; frees j. */
static int print_recall(const cli_args *a, scrvault_json *j)
{
	if (!a->json)
		printf("%zu cop%s of %s still out:\n", scrvault_json_count(j), scrvault_json_count(j) == 1 ? "y" : "ies",
		       a->args[0]);
	return cli_print_list(a, j, recall_cols);
}

static int cmd_recall(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_outcome(a, scrvault_copy_recall(&j, v, a->args[0]), &j, print_recall);
}

static const cli_col event_cols[] = {
	{ "at", "WHEN" }, { "event", "EVENT" }, { "from", "FROM" }, { "to", "TO" }, { "by", "BY" },
	{ "holder", "HOLDER" }, { "witness", "WITNESS" }, { "note", "NOTE" }, { "audit_seq", "AUDIT" },
	{ NULL, NULL }
};
static const cli_col history_fields[] = {
	{ "copy", "copy" }, { "label", "label" }, { "title", "document" }, { "master", "of the master" }, { "state", "state" },
	{ "holder", "holder" }, { "organisation", "organisation" }, { "contact", "contact" },
	{ "purpose", "purpose" }, { "issued_at", "issued" }, { "due", "due" },
	{ "acknowledged", "receipt" }, { "witness", "witness" }, { "witness_signature", "witness signature" },
	{ NULL, NULL }
};

static int history_print(const cli_args *a, scrvault_json *j);

static int cmd_history(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_outcome(a, scrvault_copy_history(&j, v, a->args[0]), &j, history_print);
}

/* Print a copy's history as 'copy history' does; frees j. */
static int history_print(const cli_args *a, scrvault_json *j)
{
	if (!a->json) {
		cli_print_fields(scrvault_json_get(j, "copy"), history_fields);
		printf("\n");
		cli_table(scrvault_json_get(j, "events"), event_cols);
	}
	return cli_result(a, j, NULL);
}

static int print_printed(const cli_args *a, scrvault_json *j);

static int cmd_print(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_outcome(a, scrvault_copy_print(&j, v, a->args[0], cli_opt(a, "output")), &j, print_printed);
}

/* What 'copy print' says it did; frees j. */
static int print_printed(const cli_args *a, scrvault_json *j)
{
	if (scrvault_json_bool(scrvault_json_get(j, "sheet_only")))
		return cli_result(a, j, "the master of copy %lld is not a PDF: '%s' holds only the sign-out sheet; print "
				  "the master with its own program and attach the sheet\n", cli_int(j, "copy"),
				  cli_opt(a, "output"));
	return cli_result(a, j, "printed copy %lld (%s) to '%s': a sign-out sheet, then every page marked %s\n",
			  cli_int(j, "copy"), cli_str(j, "label"), cli_opt(a, "output"), cli_str(j, "marking"));
}

static const cli_optdef create_opts[] = { { "count", 1, "count", "N" }, { NULL, 0, NULL, NULL } };
static const cli_optdef issue_opts[] = {
	{ "to", 1, "to", "PRINCIPAL" }, { "external", 1, "ext_name", "NAME" }, { "organisation", 1, "ext_org", "ORG" },
	{ "contact", 1, "contact", "TEXT" }, { "purpose", 1, "purpose", "TEXT" }, { "due", 1, "due", "DATE" },
	CLI_OPT_REQUEST, { NULL, 0, NULL, NULL }
};
static const cli_optdef ack_opts[] = {
	{ "paper", 0, "paper", NULL }, { "statement-out", 1, NULL, "FILE" }, { "statement", 1, "statement", "FILE" },
	{ "signature", 1, "signature", "FILE" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef return_opts[] = { { "condition", 1, "condition", "TEXT" }, { NULL, 0, NULL, NULL } };
static const cli_optdef lost_opts[] = { { "reason", 1, "reason", "TEXT" }, { NULL, 0, NULL, NULL } };
static const cli_optdef destroy_opts[] = {
	{ "witness", 1, "witness", "PRINCIPAL" }, { "witness-key", 1, "witness_keyfile", "FILE" },
	{ "witness-passphrase-file", 1, "witness_passphrase", "FILE" }, { "note", 1, "note", "TEXT" },
	{ NULL, 0, NULL, NULL }
};
static const cli_optdef transfer_opts[] = {
	{ "organisation", 1, "organisation", "ORG" }, { "note", 1, "note", "TEXT" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef list_opts[] = {
	{ "case", 1, "case_ref", "REF" }, { "doc", 1, "doc", "DOC" }, { "state", 1, "state", "STATE" },
	{ "holder", 1, "holder", "NAME" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef overdue_opts[] = {
	{ "case", 1, "case_ref", "REF" }, { "as-of", 1, "as_of", "DATE" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef print_opts[] = { { "output", 1, "output,outpath", "FILE.pdf" }, { NULL, 0, NULL, NULL } };

#define COPY_ARG "COPY is the register number (see 'copy list') or DOC@VERSION#N.\n"

const cli_cmd cli_copy_commands[] = {
	{ "copy", "create", cmd_create, CLI_VAULT, check_create, "scrvault copy create DOC[@VERSION] --count N",
	  "Make N more numbered paper copies of a version (without @VERSION: the document's\n"
	  "master; the class's max-copies in the policy caps them; numbers are never reused).\n", create_opts, 1, 1 },
	{ "copy", "issue", cmd_issue, CLI_VAULT, check_issue,
	  "scrvault copy issue COPY (--to PRINCIPAL | --external NAME --organisation ORG) [--contact TEXT] --purpose TEXT --due DATE",
	  "Sign a copy out to a named person who may read the document (or a recorded\n"
	  "outside holder, e.g. an inspector), with their contact details as they are now,\n"
	  "the purpose and the date it is due back. An issued copy cannot be issued again.\n"
	  "A restricted document needs the holder's agreed access request (--request ID).\n"
	  COPY_ARG, issue_opts, 1, 1 },
	{ "copy", "acknowledge", cmd_ack, CLI_VAULT, check_ack,
	  "scrvault copy acknowledge [--paper | --statement-out FILE | --statement FILE --signature FILE] COPY",
	  "The holder signs for the copy with their own key (act as them with --as-key), or,\n"
	  "with --paper, the coordinator records their signature on the sign-out sheet.\n"
	  "To sign on their own machine: --statement-out writes the receipt to sign,\n"
	  "'scrvault agent sign' signs it, --statement with --signature records it (within\n"
	  "5 minutes; that very receipt, signed by their registered key).\n"
	  COPY_ARG, ack_opts, 1, 1 },
	{ "copy", "return", cmd_return, CLI_VAULT, NULL, "scrvault copy return [--condition TEXT] COPY",
	  "Check a copy back in (also a lost one that was found), with condition notes.\n" COPY_ARG,
	  return_opts, 1, 1 },
	{ "copy", "lost", cmd_lost, CLI_VAULT, NULL, "scrvault copy lost --reason TEXT COPY",
	  "Record that an issued copy is lost.\n" COPY_ARG, lost_opts, 1, 1,
	  "reason", "say how it was lost (--reason TEXT)" },
	{ "copy", "destroy", cmd_destroy, CLI_VAULT, check_destroy,
	  "scrvault copy destroy --witness PRINCIPAL [--witness-key FILE [--witness-passphrase-file FILE]] [--note TEXT] COPY",
	  "Record the destruction of a copy that is back (or lost), witnessed by someone\n"
	  "other than you. The witness proves they were there by signing with their own\n"
	  "key file (--witness-key, their passphrase from the file or a prompt); without\n"
	  "it the witness is recorded as unverified until they run 'copy witness'.\n"
	  COPY_ARG, destroy_opts, 1, 1,
	  "witness", "a destruction needs a witness (--witness PRINCIPAL)" },
	{ "copy", "transfer", cmd_transfer, CLI_VAULT, NULL,
	  "scrvault copy transfer --organisation ORG [--note TEXT] COPY",
	  "Record that an electronic copy (a release) is kept by the recipient under their\n"
	  "own retention, e.g. Ofsted's or the DfE's: its end instead of a destruction. A\n"
	  "paper copy is never transferred: it is returned and destroyed.\n"
	  COPY_ARG, transfer_opts, 1, 1,
	  "organisation", "name the organisation that keeps the copy (--organisation ORG)" },
	{ "copy", "witness", cmd_witness, CLI_VAULT, NULL, "scrvault copy witness COPY",
	  "The witness named for a copy's destruction signs for it with their own key\n"
	  "(act as them: --as-key).\n" COPY_ARG, NULL, 1, 1 },
	{ "copy", "list", cmd_list, CLI_VAULT, NULL,
	  "scrvault copy list [--case REF] [--doc DOC] [--state STATE] [--holder NAME] [--json]",
	  "The register. STATE: in-store, issued, overdue, returned, lost, destroyed,\n"
	  "transferred, or outstanding (issued or lost).\n", list_opts, 0, 0 },
	{ "copy", "overdue", cmd_overdue, CLI_VAULT, NULL, "scrvault copy overdue [--case REF] [--as-of DATE] [--json]",
	  "Issued copies past their due date, the longest overdue first.\n", overdue_opts, 0, 0 },
	{ "copy", "recall", cmd_recall, CLI_VAULT, NULL, "scrvault copy recall [--json] CASE|DOC",
	  "Every copy of a case or document still out, with holder and contact details.\n", NULL, 1, 1 },
	{ "copy", "history", cmd_history, CLI_VAULT, NULL, "scrvault copy history [--json] COPY",
	  "A copy's full chain of custody.\n" COPY_ARG, NULL, 1, 1 },
	{ "copy", "print", cmd_print, CLI_VAULT, NULL, "scrvault copy print COPY -o FILE.pdf",
	  "Print an issued paper copy: a sign-out sheet, then every page of a PDF master\n"
	  "stamped with the copy number, case, classification marking and holder. A master\n"
	  "that is not a PDF gives the sheet only, and says so.\n" COPY_ARG, print_opts, 1, 1,
	  "output", "give the PDF to write (-o FILE.pdf)" },
	CLI_CMDS_END
};

/* ---- through the service ---------------------------------------------------------- */

static int remote_list(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;
	char path[512] = "/v1/copies";
	int st;

	if ((st = cli_remote_query(a, path, sizeof(path), "case", cli_opt(a, "case"))) != 0 ||
	    (st = cli_remote_query(a, path, sizeof(path), "doc", cli_opt(a, "doc"))) != 0 ||
	    (st = cli_remote_query(a, path, sizeof(path), "state", cli_opt(a, "state"))) != 0 ||
	    (st = cli_remote_query(a, path, sizeof(path), "holder", cli_opt(a, "holder"))) != 0)
		return st;
	return cli_remote_rows(a, cli_remote_json(&j, r, "GET", path, NULL), &j, NULL, list_cols);
}

/*
 * COPY as a route parameter (checked before any request): its register
 * number, or DOC@VERSION#N, whose DOC must be a route parameter too.  With
 * r (signed in), DOC@VERSION#N is found in the register the role reaches
 * (GET /v1/copies?doc=DOC: the paper copy N of VERSION) and a->args[0]
 * becomes its register number; the text as given stays in copy_given for
 * what is printed.  One not in the register is not found (exit 4), as
 * directly; a holder whose role may not read the register (directly, the
 * library lets them name their own copy so) is refused (exit 3) as one
 * who may not read it: they give the number.  0 or the exit status.
 */
static char copy_given[128], copy_number[24];

static int copy_seg(cli_args *a, cli_remote *r)
{
	const char *copy = a->args[0], *hash = copy ? strchr(copy, '#') : NULL, *at;
	char doc[96], path[200] = "/v1/copies", msg[256];
	scrvault_json *j = NULL;
	unsigned long ver, num;
	char *end;
	bool found = false;
	int st;

	if (!hash)
		return cli_remote_seg(a, "the copy", copy) ? 0 : 2;
	at = memchr(copy, '@', (size_t)(hash - copy));
	if (!at || at == copy || (size_t)(at - copy) >= sizeof(doc) || strlen(copy) >= sizeof(copy_given)) {
		snprintf(msg, sizeof(msg), "'%s' is not a copy: give its register number (see 'scrvault copy list') "
			 "or DOC@VERSION#N", copy);
		return cli_fail_message(2, msg, NULL);
	}
	memcpy(doc, copy, (size_t)(at - copy));
	doc[at - copy] = '\0';
	errno = 0;
	ver = strtoul(at + 1, &end, 10);
	if (end != hash || ver == 0 || errno) {
		snprintf(msg, sizeof(msg), "'%s': the version must be a positive number", copy);
		return cli_fail_message(2, msg, NULL);	/* the library's words, directly */
	}
	num = strtoul(hash + 1, &end, 10);
	if (*end || num == 0 || errno) {
		snprintf(msg, sizeof(msg), "'%s': the copy number must be a positive number", copy);
		return cli_fail_message(2, msg, NULL);
	}
	if (!cli_remote_seg(a, "the document", doc))
		return 2;
	if (!r)
		return 0;
	snprintf(copy_given, sizeof(copy_given), "%s", copy);
	if ((st = cli_remote_query(a, path, sizeof(path), "doc", doc)) != 0 ||
	    (st = cli_remote_json(&j, r, "GET", path, NULL)) != 0)
		return st;	/* said already */
	for (size_t i = 0; i < scrvault_json_count(j) && !found; i++) {
		const scrvault_json *c = scrvault_json_at(j, i);
		const char *kind = scrvault_json_str(scrvault_json_get(c, "kind"));

		if (kind && !strcmp(kind, "paper") && scrvault_json_int(scrvault_json_get(c, "version")) == (int64_t)ver &&
		    scrvault_json_int(scrvault_json_get(c, "number")) == (int64_t)num) {
			snprintf(copy_number, sizeof(copy_number), "%lld",
				 (long long)scrvault_json_int(scrvault_json_get(c, "copy")));
			found = true;
		}
	}
	scrvault_json_free(j);
	if (!found) {
		snprintf(msg, sizeof(msg), "no copy '%s' in the register (see 'scrvault copy list')", copy);
		return cli_fail_message(4, msg, NULL);
	}
	a->args[0] = copy_number;
	return 0;
}

/* "/v1/copies/COPY/what" into path, COPY found as copy_seg does: 0 or the exit status. */
static int copy_path(cli_args *a, cli_remote *r, char *path, size_t len, const char *what)
{
	int st;

	if ((st = copy_seg(a, r)) != 0)
		return st;
	snprintf(path, len, "/v1/copies/%s/%s", a->args[0], what);
	return 0;
}

/* POST body to /v1/copies/COPY/ACTION and print the copy as the local command does. */
static int copy_call(cli_args *a, cli_remote *r, const char *action, const char *verb, char *body,
		     bool destroyed)
{
	scrvault_json *j = NULL;
	char path[160];
	int st;

	if (!body) {
		st = cli_fail(SCRVAULT_ERROR);
		goto done;
	}
	if ((st = copy_path(a, r, path, sizeof(path), action)) != 0 ||
	    (st = cli_remote_json(&j, r, "POST", path, body)) != 0)
		goto done;
	st = destroyed ? print_destroyed(a, verb, 0, j) : print_copy(a, verb, 0, j);
done:
	free(body);
	return st;
}

static int remote_create(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;
	char doc[96], path[200], ver[24] = "master";
	long v = cli_doc_version(a->args[0], doc, sizeof(doc));
	cli_jb b = { 0 };

	if (v < 0 || !cli_remote_seg(a, "the document", doc))
		return 2;
	if (v > 0)
		snprintf(ver, sizeof(ver), "%ld", v);
	cli_jb_int(&b, "count", (long long)count_of(a));
	snprintf(path, sizeof(path), "/v1/docs/%s/versions/%s/copies", doc, ver);
	return cli_remote_listing(a, cli_remote_post(&j, r, path, &b), &j, list_cols);
}

static int remote_issue(cli_args *a, cli_remote *r)
{
	cli_jb b = { 0 };

	cli_jb_str(&b, "to", cli_opt(a, "to"));
	cli_jb_str(&b, "ext_name", cli_opt(a, "external"));
	cli_jb_str(&b, "ext_org", cli_opt(a, "organisation"));
	cli_jb_str(&b, "contact", cli_opt(a, "contact"));
	cli_jb_str(&b, "purpose", cli_opt(a, "purpose"));
	cli_jb_str(&b, "due", cli_opt(a, "due"));
	return copy_call(a, r, "issue", "issued", cli_jb_end(&b), false);
}

/* GET the statement at /v1/copies/COPY/WHAT: its exact text into *text. */
static int statement_of(char **text, cli_remote *r, const char *copy, const char *what)
{
	scrvault_json *j = NULL;
	char path[160];
	int st;

	*text = NULL;
	snprintf(path, sizeof(path), "/v1/copies/%s/%s", copy, what);
	if ((st = cli_remote_json(&j, r, "GET", path, NULL)) != 0)
		return st;
	/* The statement is canonical JSON: its canonical text is its bytes. */
	*text = scrvault_json_text(j);
	scrvault_json_free(j);
	return *text ? 0 : cli_fail(SCRVAULT_ERROR);
}

/* Sign the statement at WHAT here (the agent or --key) and POST it to ACTION. */
static int sign_and_post(cli_args *a, cli_remote *r, const char *what, const char *action, const char *verb)
{
	char *text = NULL, *sig = NULL;
	cli_jb b = { 0 };
	int st;

	if ((st = copy_seg(a, r)) != 0)
		return st;
	if ((st = statement_of(&text, r, a->args[0], what)) != 0 || (st = cli_remote_sign(r, text, &sig)) != 0)
		goto done;
	cli_jb_str(&b, "statement", text);
	cli_jb_str(&b, "signature", sig);
	st = copy_call(a, r, action, verb, cli_jb_end(&b), false);
done:
	free(text);
	free(sig);
	return st;
}

static int remote_ack(cli_args *a, cli_remote *r)
{
	const char *out = cli_opt(a, "statement-out"), *stf = cli_opt(a, "statement"), *sgf = cli_opt(a, "signature");
	char *text = NULL, *sig = NULL;
	cli_jb b = { 0 };
	int st;

	if ((st = copy_seg(a, r)) != 0)
		return st;
	if (cli_flag(a, "paper"))
		return copy_call(a, r, "acknowledge", "acknowledged", strdup("{\"paper\":true}"), false);
	if (out) {
		/* The receipt to sign elsewhere (with 'scrvault agent sign'). */
		if ((st = statement_of(&text, r, a->args[0], "receipt-statement")) != 0)
			return st;
		st = cli_write_new(out, text);
		free(text);
		if (st == 0)
			printf("the receipt to sign for copy %s is in %s (valid for 5 minutes)\n",
			       *copy_given ? copy_given : a->args[0], out);
		return st;
	}
	if (!stf)
		return sign_and_post(a, r, "receipt-statement", "acknowledge", "acknowledged");
	if (!(text = cli_read_text(stf, 8192)) || !(sig = cli_read_text(sgf, 1024))) {
		free(text);
		return 1;
	}
	cli_jb_str(&b, "statement", text);
	cli_jb_str(&b, "signature", sig);
	free(text);
	free(sig);
	return copy_call(a, r, "acknowledge", "acknowledged", cli_jb_end(&b), false);
}

static int remote_return(cli_args *a, cli_remote *r)
{
	cli_jb b = { 0 };

	cli_jb_str(&b, "condition", cli_opt(a, "condition"));
	return copy_call(a, r, "return", "returned", cli_jb_end(&b), false);
}

static int remote_lost(cli_args *a, cli_remote *r)
{
	cli_jb b = { 0 };

	cli_jb_str(&b, "reason", cli_opt(a, "reason"));
	return copy_call(a, r, "lost", "recorded as lost", cli_jb_end(&b), false);
}

static int remote_destroy(cli_args *a, cli_remote *r)
{
	cli_jb b = { 0 };

	cli_jb_str(&b, "witness", cli_opt(a, "witness"));
	cli_jb_str(&b, "note", cli_opt(a, "note"));
	return copy_call(a, r, "destroy", "destroyed", cli_jb_end(&b), true);
}

static int remote_transfer(cli_args *a, cli_remote *r)
{
	cli_jb b = { 0 };

	cli_jb_str(&b, "organisation", cli_opt(a, "organisation"));
	cli_jb_str(&b, "note", cli_opt(a, "note"));
	return copy_call(a, r, "transfer", "transferred: kept by the recipient under their own retention",
			 cli_jb_end(&b), false);
}

static int remote_witness(cli_args *a, cli_remote *r)
{
	return sign_and_post(a, r, "witness-statement", "witness", "destruction signed by its witness:");
}

static int remote_overdue(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;
	char path[512] = "/v1/copies?state=overdue";
	int st;

	if ((st = cli_remote_query(a, path, sizeof(path), "case", cli_opt(a, "case"))) != 0 ||
	    (st = cli_remote_query(a, path, sizeof(path), "as_of", cli_opt(a, "as-of"))) != 0)
		return st;
	return cli_remote_rows(a, cli_remote_json(&j, r, "GET", path, NULL), &j, NULL, list_cols);
}

static int remote_recall(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;

	return cli_remote_outcome(a, cli_remote_arg_call(&j, a, r, "GET", "the case or document", "/v1/recall", NULL, NULL),
				  &j, print_recall);
}

static int remote_history(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;
	char path[160];
	int st;

	if ((st = copy_path(a, r, path, sizeof(path), "history")) != 0)
		return st;
	return cli_remote_outcome(a, cli_remote_json(&j, r, "GET", path, NULL), &j, history_print);
}

static int remote_print(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;
	char path[160];
	int st;

	if ((st = copy_path(a, r, path, sizeof(path), "print")) != 0 ||
	    (st = cli_remote_outfile_free(cli_opt(a, "output"), NULL)) != 0 ||
	    (st = cli_remote_download_call(&j, r, "POST", path, NULL, cli_opt(a, "output"), false)) != 0)
		return st;
	/* The service printed to a file of its own: the file is the one written here. */
	if (scrvault_json_set_str(j, "output", cli_opt(a, "output")) < 0) {
		scrvault_json_free(j);
		return cli_fail(SCRVAULT_ERROR);
	}
	return print_printed(a, j);
}

/* Checked before the sign-in: nothing reaches the service with a path trick. */
static int seg_copy(const cli_args *a)
{
	return copy_seg((cli_args *)a, NULL);
}

static int seg_destroy(const cli_args *a)
{
	if (cli_opt(a, "witness-key"))
		return no_witness_key(a);
	return seg_copy(a);
}

static int seg_doc(const cli_args *a)
{
	char doc[96];

	return cli_doc_version(a->args[0], doc, sizeof(doc)) >= 0 && cli_remote_seg(a, "the document", doc) ? 0 : 2;
}

static int seg_subject(const cli_args *a)
{
	return cli_remote_seg(a, "the case or document", a->args[0]) ? 0 : 2;
}

const cli_remote_cmd cli_copy_remote[] = {
	{ "copy", "list", remote_list, NULL }, { "copy", "create", remote_create, seg_doc },
	{ "copy", "issue", remote_issue, seg_copy }, { "copy", "acknowledge", remote_ack, seg_copy },
	{ "copy", "return", remote_return, seg_copy }, { "copy", "lost", remote_lost, seg_copy },
	{ "copy", "destroy", remote_destroy, seg_destroy }, { "copy", "transfer", remote_transfer, seg_copy },
	{ "copy", "witness", remote_witness, seg_copy }, { "copy", "overdue", remote_overdue, NULL },
	{ "copy", "recall", remote_recall, seg_subject }, { "copy", "history", remote_history, seg_copy },
	{ "copy", "print", remote_print, seg_copy }, CLI_REMOTE_END
};
