/*
 * cmd_referral.c - scrvault referral new|recommend|decide|notify|list|show:
 * a case from the referral that brought it to the Board's attention to the
 * chair's decision and the notifications sent.  Each runs on a vault or
 * through the service, which gets a form or rationale file's bytes from here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "remote.h"

/* What recording a referral did (j freed here), directly or through the service. */
static int print_new(const cli_args *a, scrvault_json *j)
{
	return cli_result(a, j, "referral %s received on %s recorded%s: the sub-committee recommends next "
			  "('scrvault referral recommend %s')\n", a->args[0], cli_opt(a, "received"),
			  scrvault_json_get(j, "form") ? " with its notification form" : "", a->args[0]);
}

/* What recording a recommendation, the decision or a notice did (j freed here). */
static int print_decision(const cli_args *a, scrvault_json *j, bool decide)
{
	const char *rationale = cli_str(scrvault_json_get(j, "rationale"), "doc");

	if (!decide)
		return cli_result(a, j, "recommended for %s on %s: %s (rationale %s)\n", a->args[0],
				  cli_str(j, "recommended_on"), cli_opt(a, "review"), rationale);
	return cli_result(a, j, "decided for %s on %s: %s; the case is %s (rationale %s)\n", a->args[0],
			  cli_str(j, "decided_on"), cli_opt(a, "review"), cli_str(j, "status"), rationale);
}

static int print_notified(const cli_args *a, scrvault_json *j)
{
	return cli_result(a, j, "recorded: %s notified of %s on %s\n", cli_opt(a, "to"), a->args[0], cli_opt(a, "on"));
}

static int cmd_new(cli_args *a, scrvault *v)
{
	scrvault_referral_spec s = SCRVAULT_REFERRAL_SPEC_INIT;
	scrvault_json *j = NULL;

	s.ref = a->args[0];
	s.title = cli_opt(a, "title");
	s.received_on = cli_opt(a, "received");
	s.notifier = cli_opt(a, "notifier");
	s.notifier_agency = cli_opt(a, "notifier-agency");
	s.summary = cli_opt(a, "summary");
	s.form_path = cli_opt(a, "form");
	s.subject_dob = cli_opt(a, "subject-dob");
	return cli_outcome(a, scrvault_referral_new(&j, v, &s), &j, print_new);
}

static int decision(cli_args *a, scrvault *v, bool decide)
{
	scrvault_referral_decision d = SCRVAULT_REFERRAL_DECISION_INIT;
	scrvault_json *j = NULL;
	int error;

	d.ref = a->args[0];
	d.review = cli_opt(a, "review");
	d.rationale_path = cli_opt(a, "rationale");
	d.on = cli_opt(a, "on");
	if ((error = (decide ? scrvault_referral_decide : scrvault_referral_recommend)(&j, v, &d)) < 0)
		return cli_fail(error);
	return print_decision(a, j, decide);
}

static int cmd_recommend(cli_args *a, scrvault *v)
{
	return decision(a, v, false);
}

static int cmd_decide(cli_args *a, scrvault *v)
{
	return decision(a, v, true);
}

static int cmd_notify(cli_args *a, scrvault *v)
{
	scrvault_referral_notice n = SCRVAULT_REFERRAL_NOTICE_INIT;
	scrvault_json *j = NULL;

	n.ref = a->args[0];
	n.to = cli_opt(a, "to");
	n.on = cli_opt(a, "on");
	return cli_outcome(a, scrvault_referral_notify(&j, v, &n), &j, print_notified);
}

static const cli_col list_cols[] = {
	{ "case", "CASE" }, { "status", "STATUS" }, { "received_on", "RECEIVED" }, { "notifier_agency", "FROM" },
	{ "recommended", "RECOMMENDED" }, { "recommended_on", "ON" }, { "decision", "DECISION" },
	{ "decided_on", "DECIDED" }, { "notified", "NOTICES" }, { "title", "TITLE" }, { NULL, NULL }
};

static int cmd_list(cli_args *a, scrvault *v)
{
	scrvault_referral_filter f = SCRVAULT_REFERRAL_FILTER_INIT;
	cli_rows *rows = cli_rows_new(a, list_cols);
	int error;

	if (!rows)
		return cli_rows_print(NULL);
	f.status = cli_opt(a, "status");
	if ((error = scrvault_referral_list_each(v, &f, cli_rows_add, rows)) < 0) {
		cli_rows_free(rows);
		return cli_fail(error);
	}
	return cli_rows_print(rows);
}

static const cli_col show_fields[] = {
	{ "case", "case" }, { "title", "title" }, { "status", "status" }, { "review_type", "review type" },
	{ "subject_dob", "subject born" }, { "received_on", "received" }, { "notifier", "notifier" },
	{ "notifier_agency", "agency" }, { "summary", "summary" }, { "form", "form" },
	{ "recommended", "recommended" }, { "recommended_on", "recommended on" },
	{ "recommendation_rationale", "its rationale" }, { "decision", "decision" }, { "decided_on", "decided on" },
	{ "decided_by", "decided by" }, { "decision_rationale", "its rationale" }, { NULL, NULL }
};
static const cli_col notice_cols[] = {
	{ "to", "NOTIFIED" }, { "sent_on", "SENT" }, { "recorded_by", "RECORDED BY" }, { NULL, NULL }
};
static const cli_col doc_cols[] = {
	{ "doc", "DOCUMENT" }, { "class", "CLASS" }, { "latest", "VER" }, { "title", "TITLE" }, { NULL, NULL }
};

static int show_more(const scrvault_json *j)
{
	cli_table_if(scrvault_json_get(j, "notifications"), "\n", notice_cols);
	cli_table_if(scrvault_json_get(j, "document_list"), "\n", doc_cols);
	return 0;
}

static int cmd_show(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_show(a, scrvault_referral_show(&j, v, a->args[0]), &j, show_fields, show_more);
}

static const cli_optdef new_opts[] = {
	{ "received", 1, "received_on", "DATE" }, { "notifier", 1, "notifier", "TEXT" },
	{ "notifier-agency", 1, "notifier_agency", "AGENCY" }, { "title", 1, "title", "TEXT" },
	{ "summary", 1, "summary", "TEXT" }, { "form", 1, "form_path", "FILE" },
	{ "subject-dob", 1, "subject_dob", "DATE" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef decision_opts[] = {
	{ "review", 1, "review", "scr|sir|interagency|none" }, { "rationale", 1, "rationale_path", "FILE" },
	{ "on", 1, "on", "DATE" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef notify_opts[] = {
	{ "to", 1, "to", "ofsted|dfe|national-panel|notifier" }, { "on", 1, "on", "DATE" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef list_opts[] = {
	{ "status", 1, "status", "referred|decided|none" }, { NULL, 0, NULL, NULL }
};

const cli_cmd cli_referral_commands[] = {
	{ "referral", "new", cmd_new, CLI_VAULT, NULL,
	  "scrvault referral new --received DATE --notifier TEXT --notifier-agency AGENCY --title TEXT\n"
	  "                      [--summary TEXT] [--form FILE] [--subject-dob DATE] REF",
	  "Record a referral: a case came to the Board's attention. It opens case REF as\n"
	  "'referred' (review type undecided) and checks the notification form in as its\n"
	  "first document (class notification-form).\n\n"
	  "options:\n"
	  "  --received DATE         the day the referral was received (the decision is due a\n"
	  "                          month later)\n"
	  "  --notifier TEXT         who notified the Board, and --notifier-agency their agency\n"
	  "  --title TEXT            the case title; --summary TEXT what happened (the title,\n"
	  "                          the notifier's name and the summary are never in the log)\n"
	  "  --form FILE             the notification form\n"
	  "  --subject-dob DATE      the child's date of birth (retention)\n",
	  new_opts, 1, 1, "received", "a referral needs the day it was received: --received DATE" },
	{ "referral", "recommend", cmd_recommend, CLI_VAULT, NULL,
	  "scrvault referral recommend --review scr|sir|interagency|none --rationale FILE [--on DATE] REF",
	  "Record the SCR sub-committee's recommendation (once), its rationale checked in as a\n"
	  "document (class decision-rationale). --on: the day it was made (default today).\n",
	  decision_opts, 1, 1, "rationale", "a recommendation needs its rationale: --rationale FILE" },
	{ "referral", "decide", cmd_decide, CLI_VAULT, NULL,
	  "scrvault referral decide --review scr|sir|interagency|none --rationale FILE [--on DATE] REF",
	  "The LSCB chair's decision (once, after the recommendation), its rationale checked in\n"
	  "(class decision-rationale). scr, sir or interagency opens the case for that review;\n"
	  "none (no further action) keeps it as 'no-review', its documents kept under their\n"
	  "retention rules, which run from the decision date. --on: the day of the decision\n"
	  "(default today), not before the referral or the recommendation.\n",
	  decision_opts, 1, 1, "rationale", "a decision needs its rationale: --rationale FILE" },
	{ "referral", "notify", cmd_notify, CLI_VAULT, NULL,
	  "scrvault referral notify --to ofsted|dfe|national-panel|notifier --on DATE REF",
	  "Record a notification sent, once per recipient: Ofsted, the DfE, the National Panel\n"
	  "(not before the referral was received) or the notifier (told the decision: not\n"
	  "before it).\n",
	  notify_opts, 1, 1, "on", "give the day the notification was sent: --on DATE" },
	{ "referral", "list", cmd_list, CLI_VAULT, NULL, "scrvault referral list [--status referred|decided|none] [--json]",
	  "List referrals, oldest first: referred (no decision yet), decided (a review), none\n"
	  "(no further action).\n", list_opts, 0, 0 },
	{ "referral", "show", cmd_show, CLI_VAULT, NULL, "scrvault referral show [--json] REF",
	  "Show a referral: received, notifier and agency, recommendation, decision,\n"
	  "notifications and documents.\n", NULL, 1, 1 },
	CLI_CMDS_END
};

/* ---- through the service ---------------------------------------------------------- */

#define FILE_MAX (6u * 1000u * 1000u)	/* base64, under the routes' 8 MiB body */

/* Read the file option `opt` names (a form, a rationale), any bytes, as
 * base64: 0 with *enc (the caller frees), or the status after the message. */
static int read_b64(const cli_args *a, const char *opt, char **enc)
{
	static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *path = cli_opt(a, opt);
	unsigned char *buf;
	FILE *f;
	size_t n;
	char *o;

	*enc = NULL;
	if (!(f = fopen(path, "rb")))
		return cli_usage(a, "cannot read '%s' (--%s)", path, opt);
	if (!(buf = malloc(FILE_MAX + 1))) {
		fclose(f);
		return cli_fail(SCRVAULT_ERROR);
	}
	n = fread(buf, 1, FILE_MAX + 1, f);
	if (ferror(f) || n == 0 || n > FILE_MAX) {
		bool big = n > FILE_MAX;

		fclose(f);
		free(buf);
		return cli_usage(a, "'%s' (--%s) %s: the service takes up to 6 MB; run this on the vault host with "
				 "--vault DIR for a larger file", path, opt, big ? "is too large" : "is empty or unreadable");
	}
	fclose(f);
	if (!(o = *enc = malloc((n + 2) / 3 * 4 + 1))) {
		free(buf);
		return cli_fail(SCRVAULT_ERROR);
	}
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)buf[i] << 16 | (i + 1 < n ? (unsigned)buf[i + 1] << 8 : 0) |
			     (i + 2 < n ? buf[i + 2] : 0);

		*o++ = A[v >> 18 & 63];
		*o++ = A[v >> 12 & 63];
		*o++ = i + 1 < n ? A[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? A[v & 63] : '=';
	}
	*o = '\0';
	explicit_bzero(buf, n);
	free(buf);
	return 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int remote_new(cli_args *a, cli_remote *r)
{
	cli_jb b = { 0 };
	scrvault_json *j = NULL;
	char *form = NULL;
	int st;

	if (!cli_remote_seg(a, "the case", a->args[0]))
		return 2;
	if (cli_opt(a, "form") && (st = read_b64(a, "form", &form)) != 0)
		return st;
	cli_jb_str(&b, "case", a->args[0]);
	cli_jb_str(&b, "title", cli_opt(a, "title"));
	cli_jb_str(&b, "received_on", cli_opt(a, "received"));
	cli_jb_str(&b, "notifier", cli_opt(a, "notifier"));
	cli_jb_str(&b, "notifier_agency", cli_opt(a, "notifier-agency"));
	cli_jb_str(&b, "summary", cli_opt(a, "summary"));
	cli_jb_str(&b, "subject_dob", cli_opt(a, "subject-dob"));
	cli_jb_str(&b, "form_base64", form);
	cli_jb_str(&b, "form_filename", form ? base_name(cli_opt(a, "form")) : NULL);
	if (form)
		explicit_bzero(form, strlen(form));
	free(form);
	return cli_remote_outcome(a, cli_remote_post(&j, r, "/v1/referrals", &b), &j, print_new);
}

static int remote_decision(cli_args *a, cli_remote *r, bool decide)
{
	cli_jb b = { 0 };
	scrvault_json *j = NULL;
	char *text = NULL;
	int st;

	if ((st = read_b64(a, "rationale", &text)) != 0)
		return st;
	cli_jb_str(&b, "review", cli_opt(a, "review"));
	cli_jb_str(&b, "rationale_base64", text);
	cli_jb_str(&b, "rationale_filename", base_name(cli_opt(a, "rationale")));
	cli_jb_str(&b, "on", cli_opt(a, "on"));
	explicit_bzero(text, strlen(text));
	free(text);
	if ((st = cli_remote_arg_call(&j, a, r, "POST", "the case", "/v1/referrals",
				      decide ? "decision" : "recommendation", &b)) != 0)
		return st;
	return print_decision(a, j, decide);
}

static int remote_recommend(cli_args *a, cli_remote *r)
{
	return remote_decision(a, r, false);
}

static int remote_decide(cli_args *a, cli_remote *r)
{
	return remote_decision(a, r, true);
}

static int remote_notify(cli_args *a, cli_remote *r)
{
	cli_jb b = { 0 };
	scrvault_json *j = NULL;

	cli_jb_str(&b, "to", cli_opt(a, "to"));
	cli_jb_str(&b, "on", cli_opt(a, "on"));
	return cli_remote_outcome(a, cli_remote_arg_call(&j, a, r, "POST", "the case", "/v1/referrals", "notices", &b),
				  &j, print_notified);
}

static int remote_list(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;
	char path[128] = "/v1/referrals";
	int st;

	if ((st = cli_remote_query(a, path, sizeof(path), "status", cli_opt(a, "status"))) != 0)
		return st;
	return cli_remote_rows(a, cli_remote_json(&j, r, "GET", path, NULL), &j, NULL, list_cols);
}

static int remote_show(cli_args *a, cli_remote *r)
{
	return cli_remote_show_arg(a, r, "the case", "/v1/referrals", show_fields, show_more);
}

/* --status's value, before anything is sent. */
static int remote_check_list(const cli_args *a)
{
	return !cli_opt(a, "status") || cli_remote_qval(a, "status", cli_opt(a, "status")) ? 0 : 2;
}

const cli_remote_cmd cli_referral_remote[] = {
	{ "referral", "new", remote_new, cli_remote_check_ref },
	{ "referral", "recommend", remote_recommend, cli_remote_check_ref },
	{ "referral", "decide", remote_decide, cli_remote_check_ref },
	{ "referral", "notify", remote_notify, cli_remote_check_ref },
	{ "referral", "list", remote_list, remote_check_list },
	{ "referral", "show", remote_show, cli_remote_check_ref }, CLI_REMOTE_END
};
