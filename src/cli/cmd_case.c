/*
 * cmd_case.c - scrvault case open|list|show|conclude|reopen|publish, on a
 * vault or through the service (the same output either way).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "remote.h"

static int cmd_open(cli_args *a, scrvault *v)
{
	scrvault_case_spec s = SCRVAULT_CASE_SPEC_INIT;
	int error;

	s.ref = a->args[0];
	s.title = cli_opt(a, "title");
	s.review_type = cli_opt(a, "type") ? cli_opt(a, "type") : "scr";
	s.subject_dob = cli_opt(a, "subject-dob");
	s.decision_date = cli_opt(a, "decision-date");
	s.received_on = cli_opt(a, "received");
	if ((error = scrvault_case_open(v, &s)) < 0)
		return cli_fail(error);
	printf("opened case %s\n", s.ref);
	return 0;
}

static const cli_col case_cols[] = {
	{ "ref", "CASE" }, { "review_type", "TYPE" }, { "status", "STATUS" },
	{ "documents", "DOCS" }, { "received_on", "RECEIVED" }, { "decision_date", "DECIDED" }, { "opened_at", "OPENED" },
	{ "title", "TITLE" }, { NULL, NULL }
};

static int cmd_list(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_listing(a, scrvault_case_list(&j, v), &j, case_cols);
}

static const cli_col case_fields[] = {
	{ "ref", "case" }, { "title", "title" }, { "review_type", "review type" },
	{ "status", "status" }, { "subject_dob", "subject born" },
	{ "received_on", "received" }, { "recommended", "recommended" }, { "recommended_on", "recommended on" },
	{ "decision_date", "decision date" }, { "opened_at", "opened" },
	{ "documents", "documents" }, { NULL, NULL }
};

static const cli_col doc_cols[] = {
	{ "doc", "DOCUMENT" }, { "class", "CLASS" }, { "agency", "AGENCY" },
	{ "latest", "VER" }, { "updated_at", "UPDATED" }, { "title", "TITLE" }, { NULL, NULL }
};

/* After a case's fields: its documents. */
static int show_documents(const scrvault_json *j)
{
	printf("\n");
	cli_table(scrvault_json_get(j, "document_list"), doc_cols);
	return 0;
}

static int cmd_show(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_show(a, scrvault_case_show(&j, v, a->args[0]), &j, case_fields, show_documents);
}

static const cli_col blocking_cols[] = {
	{ "copy", "COPY" }, { "doc", "DOCUMENT" }, { "version", "VER" }, { "kind", "KIND" }, { "number", "NO" },
	{ "state", "STATE" }, { "holder", "HOLDER" }, { "contact", "CONTACT" }, { NULL, NULL }
};

/* --master DOC@VERSION, as often as given. */
static int check_conclude(cli_args *a)
{
	for (int i = 0; i < a->nopts; i++)
		if (!strcmp(a->names[i], "master") && cli_doc_version(a->values[i], NULL, 0) <= 0)
			return cli_usage(a, "name each master as DOC@VERSION (--master %s)", a->values[i]);
	return 0;
}

/* What stops a conclusion (the "blocking" of j, when there is any), after the message. */
static void print_blocking(const cli_args *a, const scrvault_json *j)
{
	if (!scrvault_json_get(j, "blocking"))
		return;
	if (a->json)
		cli_print_json(j);
	else
		cli_table(scrvault_json_get(j, "blocking"), blocking_cols);
}

/* What concluding, reopening or publishing the case did (j freed here). */
static int print_concluded(const cli_args *a, scrvault_json *j)
{
	size_t n = scrvault_json_count(scrvault_json_get(j, "masters"));

	return cli_result(a, j, "case %s concluded on %s: its retention clocks have started, its %zu master%s "
			  "fixed and the case frozen (no check-in, declaration or sign-off until reopened)\n",
			  a->args[0], cli_str(j, "concluded_on"), n, n == 1 ? " is" : "s are");
}

static int print_reopened(const cli_args *a, scrvault_json *j)
{
	if (scrvault_json_get(j, "pending"))
		return cli_result_pending(a, j, "reopening a concluded case");
	return cli_result(a, j, "case %s reopened: it takes check-ins, declarations and sign-offs again; "
			  "conclude it again to refreeze it\n", a->args[0]);
}

static int print_published(const cli_args *a, scrvault_json *j)
{
	if (scrvault_json_get(j, "pending"))
		return cli_result_pending(a, j, "publishing against what stops it");
	if (cli_str(j, "overridden") && !a->json)
		fprintf(stderr, "%s: recorded against what stood in its way (%s): the override and its reason "
			"are on record\n", cli_program, cli_str(j, "overridden"));
	return cli_result(a, j, "recorded: the executive summary of %s was published on %s ('retention plan' says "
			  "how long it stays on the web site)\n", a->args[0], cli_str(j, "published_on"));
}

static int cmd_conclude(cli_args *a, scrvault *v)
{
	scrvault_case_conclude_options o = SCRVAULT_CASE_CONCLUDE_OPTIONS_INIT;
	scrvault_case_master masters[CLI_MAX_OPTS];
	char docs[CLI_MAX_OPTS][96];
	scrvault_json *j = NULL;
	int error;

	o.ref = a->args[0];
	o.action_plan_approved_on = cli_opt(a, "action-plan-approved-on");
	o.ofsted_approved_on = cli_opt(a, "ofsted-approved-on");
	for (int i = 0; i < a->nopts; i++) {
		if (strcmp(a->names[i], "master") != 0)
			continue;
		masters[o.n_masters].version = (unsigned)cli_doc_version(a->values[i], docs[o.n_masters],
									 sizeof(docs[0]));
		masters[o.n_masters].doc = docs[o.n_masters];
		o.n_masters++;
	}
	o.masters = masters;
	error = scrvault_case_conclude_ext(&j, v, &o);
	if (error < 0) {
		int rc = cli_fail(error);

		print_blocking(a, j);
		scrvault_json_free(j);
		return rc;
	}
	return print_concluded(a, j);
}

static int cmd_reopen(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_outcome(a, scrvault_case_reopen(&j, v, a->args[0], cli_opt(a, "reason")), &j, print_reopened);
}

static int cmd_publish(cli_args *a, scrvault *v)
{
	scrvault_case_publish_options o = SCRVAULT_CASE_PUBLISH_OPTIONS_INIT;
	scrvault_json *j = NULL;

	o.ref = a->args[0];
	o.on = cli_opt(a, "on");
	o.override_reason = cli_opt(a, "override-reason");
	return cli_outcome(a, scrvault_case_publish_ext(&j, v, &o), &j, print_published);
}

static const cli_optdef open_opts[] = {
	{ "title", 1, "title", "TEXT" }, { "type", 1, "review_type", "scr|sir|interagency" },
	{ "subject-dob", 1, "subject_dob", "DATE" }, { "decision-date", 1, "decision_date", "DATE" },
	{ "received", 1, "received_on", "DATE" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef conclude_opts[] = {
	{ "action-plan-approved-on", 1, "action_plan_approved_on", "DATE" },
	{ "ofsted-approved-on", 1, "ofsted_approved_on", "DATE" }, { "master", 1, "masters", "DOC@VERSION" },
	{ NULL, 0, NULL, NULL }
};
static const cli_optdef publish_opts[] = {
	{ "on", 1, "on", "DATE" }, { "override-reason", 1, "override_reason", "TEXT" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef reopen_opts[] = { { "reason", 1, "reason", "TEXT" }, { NULL, 0, NULL, NULL } };

const cli_cmd cli_case_commands[] = {
	{ "case", "open", cmd_open, CLI_VAULT, NULL,
	  "scrvault case open --title TEXT [--type scr|sir|interagency] [--subject-dob DATE] [--received DATE]\n"
	  "                   [--decision-date DATE] REF",
	  "Open a case (a review) under reference REF, like SCR-2026-03.\n\n"
	  "options:\n"
	  "  --title TEXT          the case title (kept encrypted; never in the audit log)\n"
	  "  --type TYPE           scr (serious case review, default), sir (serious incident\n"
	  "                        review) or interagency (interagency management review)\n"
	  "  --subject-dob DATE    the child's date of birth, YYYY-MM-DD (retention)\n"
	  "  --received DATE       when the case came to the board's attention (the referral\n"
	  "                        received), YYYY-MM-DD: the decision is due a month later\n"
	  "  --decision-date DATE  when the board decided to hold the review, YYYY-MM-DD\n",
	  open_opts, 1, 1, "title", "a case needs a title: --title TEXT" },
	{ "case", "list", cmd_list, CLI_VAULT, NULL, "scrvault case list [--json]", "List cases.\n", NULL, 0, 0 },
	{ "case", "show", cmd_show, CLI_VAULT, NULL, "scrvault case show [--json] REF",
	  "Show a case and its documents.\n", NULL, 1, 1 },
	{ "case", "conclude", cmd_conclude, CLI_VAULT, check_conclude,
	  "scrvault case conclude --action-plan-approved-on DATE --ofsted-approved-on DATE\n"
	  "                       [--master DOC@VERSION]... REF",
	  "Conclude a review once its action plan is approved by the LSCB and Ofsted: refused\n"
	  "(exit 6, listing them) while any hard copy of its documents is not destroyed (or an\n"
	  "electronic one neither destroyed nor transferred); starts the retention clocks that\n"
	  "run from case-concluded, fixes each document's master and freezes the case: no\n"
	  "check-in, declaration or sign-off (exit 6) until reopened.\n\n"
	  "options:\n"
	  "  --master DOC@VERSION  the version the Board approved is that document's master\n"
	  "                        (repeat for each; others: declared, signed off, else latest)\n",
	  conclude_opts, 1, 1 },
	{ "case", "reopen", cmd_reopen, CLI_VAULT, NULL, "scrvault case reopen --reason TEXT REF",
	  "Reopen a concluded case (a custodian, with a reason; a second custodian approves\n"
	  "while case.reopen is under dual control). Concluding it again refreezes it.\n",
	  reopen_opts, 1, 1, "reason", "reopening a concluded case needs a reason: --reason TEXT" },
	{ "case", "publish", cmd_publish, CLI_VAULT, NULL, "scrvault case publish --on DATE [--override-reason TEXT] REF",
	  "Record when the executive summary was published; 'retention plan' shows how long\n"
	  "it stays on the web site and when it comes off (policy [publication \"TYPE\"]).\n"
	  "Refused (exit 6) while a criminal-proceedings or coroner hold covers the case, or\n"
	  "while it has no executive summary checked in, unless a custodian overrides with\n"
	  "--override-reason TEXT, which a second custodian approves (case.publish-override\n"
	  "under [dual-control]).\n", publish_opts, 1, 1 },
	CLI_CMDS_END
};

/* ---- through the service ---------------------------------------------------------- */

static int remote_list(cli_args *a, cli_remote *r)
{
	return cli_remote_get_list(a, r, "/v1/cases", case_cols);
}

static int remote_show(cli_args *a, cli_remote *r)
{
	return cli_remote_show_arg(a, r, "the case", "/v1/cases", case_fields, show_documents);
}

static int remote_open(cli_args *a, cli_remote *r)
{
	cli_jb b = { 0 };
	int st;

	if (!cli_remote_seg(a, "the case", a->args[0]))
		return 2;
	cli_jb_str(&b, "case", a->args[0]);
	cli_jb_str(&b, "title", cli_opt(a, "title"));
	cli_jb_str(&b, "review_type", cli_opt(a, "type") ? cli_opt(a, "type") : "scr");
	cli_jb_str(&b, "subject_dob", cli_opt(a, "subject-dob"));
	cli_jb_str(&b, "decision_date", cli_opt(a, "decision-date"));
	cli_jb_str(&b, "received_on", cli_opt(a, "received"));
	if ((st = cli_remote_post(NULL, r, "/v1/cases", &b)) != 0)
		return st;
	printf("opened case %s\n", a->args[0]);
	return 0;
}

static int remote_conclude(cli_args *a, cli_remote *r)
{
	cli_jb b = { 0 };
	scrvault_json *j = NULL;
	char path[128], *list = NULL;
	size_t len = 0;
	int st;

	if ((st = cli_remote_arg_path(path, sizeof(path), a, "the case", "/v1/cases", "conclude")) != 0)
		return st;
	for (int i = 0; i < a->nopts; i++) {
		char doc[96], *q, *p;
		long v;

		if (strcmp(a->names[i], "master") != 0)
			continue;
		v = cli_doc_version(a->values[i], doc, sizeof(doc));
		if (!cli_remote_seg(a, "the master's document", doc)) {
			free(list);
			return 2;
		}
		if (!(q = scrvault_json_quote(doc)) || !(p = realloc(list, len + strlen(q) + 48))) {
			free(q);
			free(list);
			return cli_fail(SCRVAULT_ERROR);
		}
		list = p;
		len += (size_t)snprintf(list + len, strlen(q) + 48, "%s{\"doc\":%s,\"version\":%ld}", len ? "," : "[",
					q, v);
		free(q);
	}
	if (list)
		memcpy(list + len, "]", 2);	/* room kept above */
	cli_jb_str(&b, "action_plan_approved_on", cli_opt(a, "action-plan-approved-on"));
	cli_jb_str(&b, "ofsted_approved_on", cli_opt(a, "ofsted-approved-on"));
	cli_jb_raw(&b, "masters", list);
	free(list);
	if ((st = cli_remote_post(&j, r, path, &b)) != 0) {
		print_blocking(a, scrvault_json_get(cli_remote_error(r), "detail"));	/* as directly */
		return st;
	}
	return print_concluded(a, j);
}

static int remote_reopen(cli_args *a, cli_remote *r)
{
	cli_jb b = { 0 };
	scrvault_json *j = NULL;

	cli_jb_str(&b, "reason", cli_opt(a, "reason"));
	return cli_remote_outcome(a, cli_remote_arg_call(&j, a, r, "POST", "the case", "/v1/cases", "reopen", &b), &j,
				  print_reopened);
}

static int remote_publish(cli_args *a, cli_remote *r)
{
	cli_jb b = { 0 };
	scrvault_json *j = NULL;

	cli_jb_str(&b, "on", cli_opt(a, "on"));
	cli_jb_str(&b, "override_reason", cli_opt(a, "override-reason"));
	return cli_remote_outcome(a, cli_remote_arg_call(&j, a, r, "POST", "the case", "/v1/cases", "publish", &b), &j,
				  print_published);
}

/* The case and each --master's document, before anything is sent. */
static int remote_check_conclude(const cli_args *a)
{
	char doc[96];

	if (cli_remote_check_ref(a) != 0)
		return 2;
	for (int i = 0; i < a->nopts; i++)
		if (!strcmp(a->names[i], "master") &&
		    (cli_doc_version(a->values[i], doc, sizeof(doc)) <= 0 || !cli_remote_seg(a, "the master's document", doc)))
			return 2;
	return 0;
}

const cli_remote_cmd cli_case_remote[] = {
	{ "case", "open", remote_open, cli_remote_check_ref }, { "case", "list", remote_list, NULL },
	{ "case", "show", remote_show, cli_remote_check_ref },
	{ "case", "conclude", remote_conclude, remote_check_conclude },
	{ "case", "reopen", remote_reopen, cli_remote_check_ref },
	{ "case", "publish", remote_publish, cli_remote_check_ref }, CLI_REMOTE_END
};
