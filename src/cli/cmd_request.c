/*
 * cmd_request.c - scrvault request new|decide|respond|clock|list|show|due:
 * the access-request register and FOI deadlines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "remote.h"

static const cli_col list_cols[] = {
	{ "request", "REQ" }, { "channel", "CHANNEL" }, { "requester", "REQUESTER" }, { "case", "CASE" },
	{ "received", "RECEIVED" }, { "state", "STATE" }, { "due", "DUE" }, { "responded", "ANSWERED" },
	{ NULL, NULL }
};
static const cli_col show_fields[] = {
	{ "request", "request" }, { "channel", "channel" }, { "requester", "requester" },
	{ "organisation", "organisation" }, { "contact", "contact" }, { "recipient", "recipient key" },
	{ "case", "case" }, { "scope", "asks for" }, { "reason", "reason given" }, { "received", "received" }, { "due", "due" },
	{ "state", "state" }, { "decided_at", "decided" }, { "decided_by", "decided by" },
	{ "consulted", "consulted" }, { "decision_reason", "decision" }, { "exemption", "exemption" },
	{ "valid_until", "valid until" }, { "max_releases", "max releases" },
	{ "releases_used", "releases used" }, { "responded", "answered" }, { NULL, NULL }
};
static const cli_col doc_cols[] = {
	{ "doc", "DOCUMENT" }, { "class", "CLASS" }, { "title", "TITLE" }, { NULL, NULL }
};
static const cli_col clock_cols[] = {
	{ "for", "CLOCK STOPPED FOR" }, { "stopped", "ON" }, { "restarted", "RESTARTED" }, { "note", "NOTE" },
	{ NULL, NULL }
};
static const cli_col use_cols[] = {
	{ "kind", "RELEASED AS" }, { "doc", "DOCUMENT" }, { "version", "VER" }, { "to", "TO" }, { "at", "AT" },
	{ NULL, NULL }
};

static int print_request(const cli_args *a, scrvault_json *j)
{
	if (!a->json) {
		cli_print_fields(j, show_fields);
		printf("\n");
		cli_table(scrvault_json_get(j, "documents_covered"), doc_cols);
		cli_table_if(scrvault_json_get(j, "clock"), "\n", clock_cols);
		cli_table_if(scrvault_json_get(j, "releases"), "\n", use_cols);
	}
	return cli_result(a, j, NULL);
}

/*
 * What recording, deciding or answering a request, or stopping or restarting
 * its clock did (j freed here), directly or through the service: a line, or
 * with --json the request.
 */
static int print_recorded(const cli_args *a, scrvault_json *j)
{
	const char *due = cli_str(j, "due");

	if (a->json)
		return print_request(a, j);
	return cli_result(a, j, "recorded request %lld (%s)%s%s\n", cli_int(j, "request"), cli_opt(a, "channel"),
			  due ? ", due " : "", due ? due : "");
}

static int print_decided(const cli_args *a, scrvault_json *j)
{
	if (a->json)
		return print_request(a, j);
	return cli_result(a, j, "request %lld %s\n", cli_id_arg(a), cli_flag(a, "agree") ? "agreed" : "refused");
}

static int print_responded(const cli_args *a, scrvault_json *j)
{
	if (a->json)
		return print_request(a, j);
	return cli_result(a, j, "request %lld answered on %s\n", cli_id_arg(a), cli_str(j, "responded"));
}

static int print_clock(const cli_args *a, scrvault_json *j)
{
	if (a->json)
		return print_request(a, j);
	return cli_result(a, j, "request %lld: clock %s; due %s\n", cli_id_arg(a),
			  cli_opt(a, "stop") ? "stopped" : "restarted", cli_str(j, "due") ? cli_str(j, "due") : "-");
}

static int cmd_new(cli_args *a, scrvault *v)
{
	const char *docs[CLI_MAX_OPTS];
	size_t ndocs = 0;
	scrvault_request_spec s = SCRVAULT_REQUEST_SPEC_INIT;
	scrvault_json *j = NULL;

	s.channel = cli_opt(a, "channel");
	s.requester = cli_opt(a, "by");
	s.ext_kind = cli_opt(a, "kind");
	s.ext_name = cli_opt(a, "name");
	s.ext_org = cli_opt(a, "organisation");
	s.ext_contact = cli_opt(a, "contact");
	s.ext_recipient = cli_opt(a, "recipient");
	s.case_ref = cli_opt(a, "case");
	s.reason = cli_opt(a, "reason");
	s.received = cli_opt(a, "received");
	for (int i = 0; i < a->nopts; i++)
		if (!strcmp(a->names[i], "doc") && ndocs < CLI_MAX_OPTS)
			docs[ndocs++] = a->values[i];
	s.docs = docs;
	s.ndocs = ndocs;
	return cli_outcome(a, scrvault_request_new(&j, v, &s), &j, print_recorded);
}

/* --max-releases N: 0 when not given, -1 when not a positive number. */
static long long max_releases(const cli_args *a)
{
	long long n = 0;

	if (cli_opt(a, "max-releases") && !cli_number(&n, cli_opt(a, "max-releases"), 1, 1000000))
		return -1;
	return n;
}

static int check_decide(cli_args *a)
{
	if (cli_flag(a, "agree") == cli_flag(a, "refuse"))
		return cli_usage(a, "decide: --agree or --refuse");
	if (!cli_opt(a, "reason"))
		return cli_usage(a, "record the reasons for the decision (--reason TEXT)");
	if (max_releases(a) < 0)
		return cli_usage(a, "--max-releases takes a positive number");
	return 0;
}

static int cmd_decide(cli_args *a, scrvault *v)
{
	scrvault_request_decision d = SCRVAULT_REQUEST_DECISION_INIT;
	scrvault_json *j = NULL;

	d.id = cli_id_arg(a);
	d.agree = cli_flag(a, "agree");
	d.reason = cli_opt(a, "reason");
	d.consulted = cli_opt(a, "consulted");
	d.exemption = cli_opt(a, "exemption");
	d.until = cli_opt(a, "until");
	d.max_releases = max_releases(a);
	return cli_outcome(a, scrvault_request_decide(&j, v, &d), &j, print_decided);
}

static int cmd_respond(cli_args *a, scrvault *v)
{
	long long id = cli_id_arg(a);
	scrvault_json *j = NULL;

	return cli_outcome(a, scrvault_request_respond(&j, v, id, cli_opt(a, "on")), &j, print_responded);
}

static int check_clock(cli_args *a)
{
	if (!!cli_opt(a, "stop") == cli_flag(a, "restart"))
		return cli_usage(a, "--stop fee|clarification, or --restart");
	return 0;
}

static int cmd_clock(cli_args *a, scrvault *v)
{
	long long id = cli_id_arg(a);
	const char *stop = cli_opt(a, "stop");
	scrvault_json *j = NULL;

	return cli_outcome(a, scrvault_request_clock(&j, v, id, stop, cli_opt(a, "on"), cli_opt(a, "note")), &j,
			   print_clock);
}

static int cmd_list(cli_args *a, scrvault *v)
{
	scrvault_request_filter f = SCRVAULT_REQUEST_FILTER_INIT;
	scrvault_json *j = NULL;

	f.open = cli_flag(a, "open");
	f.overdue = cli_flag(a, "overdue");
	f.channel = cli_opt(a, "channel");
	f.as_of = cli_opt(a, "as-of");
	return cli_listing(a, scrvault_request_list(&j, v, &f), &j, list_cols);
}

static int cmd_show(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_outcome(a, scrvault_request_show(&j, v, cli_id_arg(a)), &j, print_request);
}

/* --days N: the number (default 5), or -1 when it is not one from 0 to 365. */
static long days_of(const cli_args *a)
{
	long long n = 5;

	if (cli_opt(a, "days") && !cli_number(&n, cli_opt(a, "days"), 0, 365))
		return -1;
	return (long)n;
}

static int check_due(cli_args *a)
{
	if (days_of(a) < 0)
		return cli_usage(a, "--days takes a number of working days from 0 to 365");
	return 0;
}

/* The requests due, as 'request due' prints them (j freed here). */
static int print_due(const cli_args *a, scrvault_json *j)
{
	unsigned long days = (unsigned long)days_of(a);

	if (!a->json)
		printf("FOI requests overdue or due within %lu working day%s:\n", days, days == 1 ? "" : "s");
	return cli_print_list(a, j, list_cols);
}

static int cmd_due(cli_args *a, scrvault *v)
{
	unsigned long days = (unsigned long)days_of(a);
	scrvault_json *j = NULL;

	return cli_outcome(a, scrvault_request_due(&j, v, (unsigned)days, cli_opt(a, "as-of")), &j, print_due);
}

static const cli_optdef new_opts[] = {
	{ "channel", 1, "channel", "internal|external|foi" }, { "by", 1, "requester", "PRINCIPAL" },
	{ "kind", 1, "ext_kind", "KIND" }, { "name", 1, "ext_name", "NAME" }, { "organisation", 1, "ext_org", "ORG" },
	{ "contact", 1, "ext_contact", "TEXT" }, { "doc", 1, "docs", "DOC" }, { "case", 1, "case_ref", "REF" },
	{ "reason", 1, "reason", "TEXT" }, { "received", 1, "received", "DATE" },
	{ "recipient", 1, "ext_recipient", "AGE1" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef decide_opts[] = {
	{ "agree", 0, NULL, NULL }, { "refuse", 0, NULL, NULL }, { "reason", 1, "reason", "TEXT" },
	{ "consulted", 1, "consulted", "PRINCIPAL" }, { "exemption", 1, "exemption", "TEXT" },
	{ "until", 1, "until", "DATE" }, { "max-releases", 1, "max_releases", "N" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef respond_opts[] = { { "on", 1, "on", "DATE" }, { NULL, 0, NULL, NULL } };
static const cli_optdef clock_opts[] = {
	{ "stop", 1, "kind", "fee|clarification" }, { "restart", 0, NULL, NULL }, { "on", 1, "on", "DATE" },
	{ "note", 1, "note", "TEXT" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef list_opts[] = {
	{ "open", 0, "open", NULL }, { "overdue", 0, "overdue", NULL }, { "channel", 1, "channel", "C" },
	{ "as-of", 1, "as_of", "DATE" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef due_opts[] = {
	{ "days", 1, "days", "N" }, { "as-of", 1, "as_of", "DATE" }, { NULL, 0, NULL, NULL }
};

#define REQUEST_ID_USAGE "a request is given by its number (see 'scrvault request list')"

const cli_cmd cli_request_commands[] = {
	{ "request", "new", cmd_new, CLI_VAULT, NULL,
	  "scrvault request new --channel internal|external|foi (--by PRINCIPAL | --kind KIND --name NAME [--organisation ORG] --contact TEXT [--recipient AGE1]) (--doc DOC... | --case REF) --reason TEXT [--received DATE]",
	  "Record a request for documents: who asks (a principal, or an outside party of\n"
	  "KIND media, public, council, partner or inspectorate), what for (--doc, repeatable,\n"
	  "or a whole --case), the reason they gave, the channel and the date received (which\n"
	  "may be a weekend; default today). An FOI request is due on the 20th working day\n"
	  "after receipt (weekends and UK bank holidays in the policy's calendar excluded).\n"
	  "An outside requester who is to receive a restricted document electronically gives\n"
	  "their age recipient (--recipient age1...): it goes to that key only. A paper copy\n"
	  "goes only to the requester named, with the same organisation.\n",
	  new_opts, 0, 0, "channel", "give the channel: --channel internal|external|foi" },
	{ "request", "decide", cmd_decide, CLI_VAULT | CLI_ID_ARG, check_decide,
	  "scrvault request decide ID (--agree | --refuse) --reason TEXT [--consulted PRINCIPAL] [--exemption TEXT] [--until DATE] [--max-releases N]",
	  "Agree or refuse a request (not your own). Refusing an FOI request cites the\n"
	  "exemption by section (e.g. \"s.40 personal information\", \"s.41 information provided\n"
	  "in confidence\", \"s.36 prejudice to the conduct of public affairs\"). An outside\n"
	  "request for an executive summary names the LSCB chair consulted (--consulted).\n"
	  "An agreed request may be limited in time (--until) and in releases (--max-releases).\n",
	  decide_opts, 1, 1,
	  NULL, REQUEST_ID_USAGE },
	{ "request", "respond", cmd_respond, CLI_VAULT | CLI_ID_ARG, NULL, "scrvault request respond ID [--on DATE]",
	  "Record the day the answer was sent (default today).\n", respond_opts, 1, 1,
	  NULL, REQUEST_ID_USAGE },
	{ "request", "clock", cmd_clock, CLI_VAULT | CLI_ID_ARG, check_clock,
	  "scrvault request clock ID (--stop fee|clarification | --restart) [--on DATE] [--note TEXT]",
	  "Stop an FOI request's clock while a fees notice (the days until the fee arrives\n"
	  "are not counted) or a request for clarification (the count starts again when it\n"
	  "arrives) is outstanding; --restart when it arrives.\n", clock_opts, 1, 1,
	  NULL, REQUEST_ID_USAGE },
	{ "request", "list", cmd_list, CLI_VAULT, NULL, "scrvault request list [--open] [--overdue] [--channel C] [--as-of DATE] [--json]",
	  "The register: --open (not yet answered), --overdue (FOI past its due date).\n", list_opts, 0, 0 },
	{ "request", "show", cmd_show, CLI_VAULT | CLI_ID_ARG, NULL, "scrvault request show [--json] ID",
	  "A request, what it covers, its clock and every release made under it.\n", NULL, 1, 1,
	  NULL, REQUEST_ID_USAGE },
	{ "request", "due", cmd_due, CLI_VAULT, check_due, "scrvault request due [--days N] [--as-of DATE] [--json]",
	  "Open FOI requests due within the next N working days (default 5), and overdue ones.\n",
	  due_opts, 0, 0 },
	CLI_CMDS_END
};

/* ---- through the service ---------------------------------------------------------- */

static int remote_list(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;
	char path[512] = "/v1/requests";
	int st;

	if ((st = cli_remote_query(a, path, sizeof(path), "open", cli_flag(a, "open") ? "true" : NULL)) != 0 ||
	    (st = cli_remote_query(a, path, sizeof(path), "overdue", cli_flag(a, "overdue") ? "true" : NULL)) != 0 ||
	    (st = cli_remote_query(a, path, sizeof(path), "channel", cli_opt(a, "channel"))) != 0 ||
	    (st = cli_remote_query(a, path, sizeof(path), "as_of", cli_opt(a, "as-of"))) != 0)
		return st;
	return cli_remote_listing(a, cli_remote_json(&j, r, "GET", path, NULL), &j, list_cols);
}

static int remote_show(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;
	char path[128];

	snprintf(path, sizeof(path), "/v1/requests/%lld", (long long)cli_id_arg(a));
	return cli_remote_outcome(a, cli_remote_json(&j, r, "GET", path, NULL), &j, print_request);
}

/* The --doc options as a JSON list of strings (NULL: none given, or out of memory with *oom). */
static char *doc_list(const cli_args *a, bool *oom)
{
	char *list = NULL;
	size_t len = 0;

	for (int i = 0; i < a->nopts; i++) {
		char *q, *p;

		if (strcmp(a->names[i], "doc") != 0)
			continue;
		if (!(q = scrvault_json_quote(a->values[i])) || !(p = realloc(list, len + strlen(q) + 3))) {
			free(q);
			free(list);
			*oom = true;
			return NULL;
		}
		list = p;
		len += (size_t)snprintf(list + len, strlen(q) + 3, "%s%s", len ? "," : "[", q);
		free(q);
	}
	if (list)
		memcpy(list + len, "]", 2);	/* room kept above */
	return list;
}

static int remote_new(cli_args *a, cli_remote *r)
{
	cli_jb b = { 0 };
	scrvault_json *j = NULL;
	bool oom = false;
	char *docs = doc_list(a, &oom);

	if (oom)
		return cli_fail(SCRVAULT_ERROR);
	cli_jb_str(&b, "channel", cli_opt(a, "channel"));
	cli_jb_str(&b, "requester", cli_opt(a, "by"));
	cli_jb_str(&b, "ext_kind", cli_opt(a, "kind"));
	cli_jb_str(&b, "ext_name", cli_opt(a, "name"));
	cli_jb_str(&b, "ext_org", cli_opt(a, "organisation"));
	cli_jb_str(&b, "ext_contact", cli_opt(a, "contact"));
	cli_jb_str(&b, "ext_recipient", cli_opt(a, "recipient"));
	cli_jb_str(&b, "case", cli_opt(a, "case"));
	cli_jb_raw(&b, "docs", docs);
	cli_jb_str(&b, "reason", cli_opt(a, "reason"));
	cli_jb_str(&b, "received", cli_opt(a, "received"));
	free(docs);
	return cli_remote_outcome(a, cli_remote_post(&j, r, "/v1/requests", &b), &j, print_recorded);
}

static int remote_decide(cli_args *a, cli_remote *r)
{
	long long id = cli_id_arg(a), max = max_releases(a);
	cli_jb b = { 0 };
	scrvault_json *j = NULL;
	char path[64];

	cli_jb_raw(&b, "agree", cli_flag(a, "agree") ? "true" : "false");
	cli_jb_str(&b, "reason", cli_opt(a, "reason"));
	cli_jb_str(&b, "consulted", cli_opt(a, "consulted"));
	cli_jb_str(&b, "exemption", cli_opt(a, "exemption"));
	cli_jb_str(&b, "until", cli_opt(a, "until"));
	if (max > 0)
		cli_jb_int(&b, "max_releases", max);
	snprintf(path, sizeof(path), "/v1/requests/%lld/decision", id);
	return cli_remote_outcome(a, cli_remote_post(&j, r, path, &b), &j, print_decided);
}

static int remote_respond(cli_args *a, cli_remote *r)
{
	long long id = cli_id_arg(a);
	cli_jb b = { 0 };
	scrvault_json *j = NULL;
	char path[64];

	cli_jb_str(&b, "on", cli_opt(a, "on"));
	snprintf(path, sizeof(path), "/v1/requests/%lld/response", id);
	return cli_remote_outcome(a, cli_remote_post(&j, r, path, &b), &j, print_responded);
}

static int remote_clock(cli_args *a, cli_remote *r)
{
	long long id = cli_id_arg(a);
	const char *stop = cli_opt(a, "stop");
	cli_jb b = { 0 };
	scrvault_json *j = NULL;
	char path[64];

	cli_jb_str(&b, "kind", stop);
	cli_jb_str(&b, "on", cli_opt(a, "on"));
	cli_jb_str(&b, "note", cli_opt(a, "note"));
	snprintf(path, sizeof(path), "/v1/requests/%lld/clock", id);
	return cli_remote_outcome(a, cli_remote_post(&j, r, path, &b), &j, print_clock);
}

static int remote_due(cli_args *a, cli_remote *r)
{
	unsigned long days = (unsigned long)days_of(a);
	scrvault_json *j = NULL;
	char path[128], n[16];
	int st;

	snprintf(path, sizeof(path), "/v1/requests/due");
	snprintf(n, sizeof(n), "%lu", days);
	if ((st = cli_remote_query(a, path, sizeof(path), "days", n)) != 0 ||
	    (st = cli_remote_query(a, path, sizeof(path), "as_of", cli_opt(a, "as-of"))) != 0)
		return st;
	return cli_remote_outcome(a, cli_remote_json(&j, r, "GET", path, NULL), &j, print_due);
}

const cli_remote_cmd cli_request_remote[] = {
	{ "request", "new", remote_new }, { "request", "decide", remote_decide },
	{ "request", "respond", remote_respond }, { "request", "clock", remote_clock },
	{ "request", "list", remote_list }, { "request", "show", remote_show }, { "request", "due", remote_due },
	CLI_REMOTE_END
};
