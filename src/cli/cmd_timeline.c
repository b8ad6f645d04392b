/*
 * cmd_timeline.c - scrvault case commission|extend|evaluation|milestone|
 * timeline|clocks: a review's statutory clocks (scrvault/timeline.h).  The
 * commands of group "case" that are about time live here; the rest of the
 * group is cmd_case.c's.  Each runs on a vault or through the service.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "remote.h"

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* What recording a commission, an extension, Ofsted's evaluation or a
 * milestone did (j freed here), directly or through the service. */
static int print_commissioned(const cli_args *a, scrvault_json *j)
{
	return cli_result(a, j, "IMR commissioned from %s for %s on %s, due %s (%s)\n", cli_str(j, "agency"),
			  cli_str(j, "case"), cli_str(j, "commissioned_on"), or_dash(cli_str(j, "due")),
			  !strcmp(or_dash(cli_str(j, "due_from")), "set") ? "as set" : "the policy's imr clock");
}

static int print_extended(const cli_args *a, scrvault_json *j)
{
	return cli_result(a, j, "case %s: completion due %s, extended from %s (Ofsted told %s)\n", cli_str(j, "case"),
			  cli_str(j, "to"), cli_str(j, "from"), cli_str(j, "told_ofsted_on"));
}

static int print_evaluation(const cli_args *a, scrvault_json *j)
{
	return cli_result(a, j, "case %s: Ofsted's evaluation (%s) received %s\n", cli_str(j, "case"),
			  cli_str(j, "rating"), cli_str(j, "received_on"));
}

static int print_milestone(const cli_args *a, scrvault_json *j)
{
	return cli_result(a, j, "case %s: %s on %s\n", cli_str(j, "case"), cli_str(j, "milestone"), cli_str(j, "on"));
}

static int cmd_commission(cli_args *a, scrvault *v)
{
	scrvault_commission_spec s = SCRVAULT_COMMISSION_SPEC_INIT;
	scrvault_json *j = NULL;

	s.agency = cli_opt(a, "agency");
	s.author = cli_opt(a, "author");
	s.commissioned_on = cli_opt(a, "on");
	s.due = cli_opt(a, "due");
	return cli_outcome(a, scrvault_case_commission(&j, v, a->args[0], &s), &j, print_commissioned);
}

/* --told ofsted:DATE: the day Ofsted was told. */
static int check_extend(cli_args *a)
{
	const char *told = cli_opt(a, "told");

	if (told && strncmp(told, "ofsted:", 7) != 0)
		return cli_usage(a, "--told takes ofsted:DATE, the day Ofsted was told of the extension (000 §5.9)");
	return 0;
}

static int cmd_extend(cli_args *a, scrvault *v)
{
	const char *told = cli_opt(a, "told");
	scrvault_json *j = NULL;

	return cli_outcome(a, scrvault_case_extend(&j, v, a->args[0], cli_opt(a, "to"), cli_opt(a, "reason"),
						   told ? told + 7 : NULL), &j, print_extended);
}

static int cmd_evaluation(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_outcome(a, scrvault_case_evaluation(&j, v, a->args[0], cli_opt(a, "received"), cli_opt(a, "rating")),
			   &j, print_evaluation);
}

static int cmd_milestone(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_outcome(a, scrvault_case_milestone(&j, v, a->args[0], a->args[1], cli_opt(a, "on")), &j,
			   print_milestone);
}

/* "done late (3 days)", "overdue (1 day)", "extended (from 2026-08-02)". */
static void result_text(char *out, size_t len, const scrvault_json *m)
{
	const char *status = or_dash(cli_str(m, "status"));
	long long late = cli_int(m, "late_days");

	if (late > 0)
		snprintf(out, len, "%s (%lld day%s)", status, late, late == 1 ? "" : "s");
	else
		snprintf(out, len, "%s", status);
	if (scrvault_json_bool(scrvault_json_get(m, "extended")) && cli_str(m, "original_due"))
		snprintf(out + strlen(out), len - strlen(out), ", extended from %s", cli_str(m, "original_due"));
}

static int print_timeline(const cli_args *a, scrvault_json *j);

static int cmd_timeline(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;
	int error;

	if (cli_flag(a, "proof")) {
		if ((error = scrvault_case_timeline_prove(&j, v, a->args[0], cli_opt(a, "as-of"),
							  cli_opt(a, "output"))) < 0)
			return cli_fail(error);
		return cli_result(a, j, "wrote '%s': the %lld audit entries of the %s, with their inclusion proofs "
				  "(anyone checks it offline: 'scrvault audit verify --vkey VKEY %s')\n", cli_str(j, "path"),
				  cli_int(j, "entries"), cli_str(j, "title"), cli_str(j, "path"));
	}
	return cli_outcome(a, scrvault_case_timeline(&j, v, a->args[0], cli_opt(a, "as-of")), &j, print_timeline);
}

/* A timeline (scrvault_case_timeline's *j, freed here) as a table, or its JSON. */
static int print_timeline(const cli_args *a, scrvault_json *j)
{
	const scrvault_json *ms, *ev;

	if (a->json)
		return cli_result(a, j, NULL);
	ms = scrvault_json_get(j, "milestones");
	ev = scrvault_json_get(j, "events");
	printf("case %s (%s), as of %s\n\n", cli_str(j, "case"), cli_str(j, "review_type"), cli_str(j, "as_of"));
	printf("%-34s %-10s %-10s %-10s %-40s %s\n", "MILESTONE", "FROM", "DUE", "DONE", "RESULT", "RECORDED (SEQ)");
	for (size_t i = 0; i < scrvault_json_count(ms); i++) {
		const scrvault_json *m = scrvault_json_at(ms, i);
		char result[96], rec[48] = "-";

		result_text(result, sizeof(result), m);
		if (cli_str(m, "recorded_at"))
			snprintf(rec, sizeof(rec), "%s (%lld)", cli_str(m, "recorded_at"), cli_int(m, "audit_seq"));
		printf("%-34s %-10s %-10s %-10s %-40s %s\n", cli_str(m, "label"), or_dash(cli_str(m, "anchor_on")),
		       or_dash(cli_str(m, "due")), or_dash(cli_str(m, "done_on")), result, rec);
		if (cli_str(m, "stage"))
			printf("  %s, commissioned %s: %s%s%s%s%s\n", cli_str(m, "agency"), cli_str(m, "commissioned_on"),
			       cli_str(m, "stage"), cli_str(m, "draft_on") ? ", draft " : "",
			       cli_str(m, "draft_on") ? cli_str(m, "draft_on") : "",
			       cli_str(m, "signed_off_on") ? ", signed off " : "",
			       cli_str(m, "signed_off_on") ? cli_str(m, "signed_off_on") : "");
	}
	if (scrvault_json_count(ev)) {
		printf("\n%-14s %-10s %-32s %s\n", "EVENT", "DATE", "DETAIL", "RECORDED (SEQ)");
		for (size_t i = 0; i < scrvault_json_count(ev); i++) {
			const scrvault_json *e = scrvault_json_at(ev, i);
			char detail[64] = "", rec[48] = "-";

			if (cli_str(e, "agency"))
				snprintf(detail, sizeof(detail), "%s", cli_str(e, "agency"));
			else if (cli_str(e, "rating"))
				snprintf(detail, sizeof(detail), "rated %s", cli_str(e, "rating"));
			else if (cli_str(e, "told_ofsted_on"))
				snprintf(detail, sizeof(detail), "Ofsted told %s", cli_str(e, "told_ofsted_on"));
			if (cli_str(e, "recorded_at"))
				snprintf(rec, sizeof(rec), "%s (%lld)", cli_str(e, "recorded_at"), cli_int(e, "audit_seq"));
			printf("%-14s %-10s %-32s %s\n", cli_str(e, "event"),
			       or_dash(cli_str(e, "on") ? cli_str(e, "on") : cli_str(e, "to")), or_dash(detail), rec);
		}
	}
	scrvault_json_free(j);
	return 0;
}

static const cli_col clock_cols[] = {
	{ "case", "CASE" }, { "clock", "CLOCK" }, { "agency", "AGENCY" }, { "anchor_on", "FROM" }, { "due", "DUE" },
	{ "done_on", "DONE" }, { "status", "STATUS" }, { "late_days", "LATE" }, { "audit_seq", "SEQ" }, { NULL, NULL }
};

static int cmd_clocks(cli_args *a, scrvault *v)
{
	scrvault_clock_filter f = SCRVAULT_CLOCK_FILTER_INIT;
	cli_rows *r = cli_rows_new(a, clock_cols);
	int error;

	if (!r)
		return 1;
	f.as_of = cli_opt(a, "as-of");
	f.due_before = cli_opt(a, "due-before");
	f.open_only = cli_flag(a, "open");
	f.done_from = cli_opt(a, "done-from");
	f.done_to = cli_opt(a, "done-to");
	f.case_ref = cli_opt(a, "case");
	if ((error = scrvault_clock_list_each(v, &f, cli_rows_add, r)) < 0) {
		cli_rows_free(r);
		return cli_fail(error);
	}
	return cli_rows_print(r);
}

static const cli_optdef commission_opts[] = {
	{ "agency", 1, "agency", "AGENCY" }, { "author", 1, "author", "NAME" }, { "on", 1, "commissioned_on", "DATE" },
	{ "due", 1, "due", "DATE" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef extend_opts[] = {
	{ "to", 1, "to", "DATE" }, { "reason", 1, "reason", "TEXT" }, { "told", 1, "told_ofsted_on", "ofsted:DATE" },
	{ NULL, 0, NULL, NULL }
};
static const cli_optdef evaluation_opts[] = {
	{ "received", 1, "received_on", "DATE" }, { "rating", 1, "rating", "RATING" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef milestone_opts[] = { { "on", 1, "on", "DATE" }, { NULL, 0, NULL, NULL } };
static const cli_optdef timeline_opts[] = {
	{ "as-of", 1, "as_of", "DATE" }, { "proof", 0, NULL, NULL }, { "output", 1, "output", "FILE" },
	{ NULL, 0, NULL, NULL }
};

/* --proof writes a file (-o); -o alone is not a proof. */
static int check_timeline(cli_args *a)
{
	if (cli_flag(a, "proof") && !cli_opt(a, "output"))
		return cli_usage(a, "give the proof file to write (--proof -o FILE)");
	if (!cli_flag(a, "proof") && cli_opt(a, "output"))
		return cli_usage(a, "-o FILE writes the timeline's proof: add --proof");
	return 0;
}
static const cli_optdef clocks_opts[] = {
	{ "as-of", 1, "as_of", "DATE" }, { "due-before", 1, "due_before", "DATE" }, { "open", 0, "open_only", NULL },
	{ "done-from", 1, "done_from", "DATE" }, { "done-to", 1, "done_to", "DATE" }, { "case", 1, "case_ref", "REF" },
	{ NULL, 0, NULL, NULL }
};

const cli_cmd cli_timeline_commands[] = {
	{ "case", "commission", cmd_commission, CLI_VAULT, NULL,
	  "scrvault case commission --agency AGENCY --author NAME [--on DATE] [--due DATE] REF",
	  "Commission an individual management review from an agency. Its first draft is\n"
	  "due by the policy's imr clock (10 weeks after the decision; for a serious case\n"
	  "review 1 month after the commission) unless --due sets the day. Its progress\n"
	  "(commissioned, draft received, signed off) follows from the agency's IMR\n"
	  "versions and sign-offs: see 'case timeline'.\n\n"
	  "options:\n"
	  "  --agency AGENCY   the agency, as its principals' agency is written\n"
	  "  --author NAME     who writes the IMR (kept in the database, not the audit log)\n"
	  "  --on DATE         the day it was commissioned (default today)\n"
	  "  --due DATE        the day the first draft is due\n",
	  commission_opts, 1, 1 },
	{ "case", "extend", cmd_extend, CLI_VAULT, check_extend,
	  "scrvault case extend --to DATE --reason TEXT --told ofsted:DATE REF",
	  "Extend the time to complete the review (000 §5.9, §5.34) to a later date, with\n"
	  "the reason (kept in the database, not the audit log) and the day Ofsted was\n"
	  "told.\n",
	  extend_opts, 1, 1 },
	{ "case", "evaluation", cmd_evaluation, CLI_VAULT, NULL,
	  "scrvault case evaluation --received DATE --rating outstanding|good|adequate|inadequate REF",
	  "Record Ofsted's evaluation letter: the final executive summary and its\n"
	  "publication date are due to Ofsted a month later (000 §8.20) and, after an\n"
	  "\"inadequate\" rating, an improvement plan within three months (000 §8.7).\n",
	  evaluation_opts, 1, 1 },
	{ "case", "milestone", cmd_milestone, CLI_VAULT, NULL,
	  "scrvault case milestone --on DATE REF completed|summary-sent|plan-sent|plan-review|plan-closed",
	  "Record that a clock's milestone happened: the review completed, the summary and\n"
	  "publication date sent to Ofsted, the improvement plan sent, an action-plan\n"
	  "review held (each due a set time after the one before), the action plan\n"
	  "closed. Recordable after the case is concluded.\n",
	  milestone_opts, 2, 2 },
	{ "case", "timeline", cmd_timeline, CLI_VAULT, check_timeline,
	  "scrvault case timeline [--as-of DATE] [--json] [--proof -o FILE] REF",
	  "The review's history against its deadlines: each milestone's start, due date,\n"
	  "the day it was done and whether on time, late by N days, extended or overdue;\n"
	  "beside it, when the audit log recorded it (and the entry's number).\n\n"
	  "options:\n"
	  "  --proof -o FILE  write the audit entries behind it with their inclusion proofs,\n"
	  "                   signed by the vault: 'scrvault audit verify --vkey VKEY FILE'\n"
	  "                   checks it offline (the coordinator or an auditor; never replaces)\n",
	  timeline_opts, 1, 1 },
	{ "case", "clocks", cmd_clocks, CLI_VAULT, NULL,
	  "scrvault case clocks [--as-of DATE] [--open] [--due-before DATE] [--done-from DATE --done-to DATE]\n"
	  "                     [--case REF] [--json]",
	  "Every clock of every case you can read, filtered.\n",
	  clocks_opts, 0, 0 },
	CLI_CMDS_END
};

/* ---- through the service ---------------------------------------------------------- */

/* POST the body b to /v1/cases/REF/what, REF checked first; the answer in *j. */
static int case_post(scrvault_json **j, cli_args *a, cli_remote *r, const char *what, cli_jb *b)
{
	return cli_remote_arg_call(j, a, r, "POST", "the case", "/v1/cases", what, b);
}

static int remote_commission(cli_args *a, cli_remote *r)
{
	cli_jb b = { 0 };
	scrvault_json *j = NULL;

	cli_jb_str(&b, "agency", cli_opt(a, "agency"));
	cli_jb_str(&b, "author", cli_opt(a, "author"));
	cli_jb_str(&b, "commissioned_on", cli_opt(a, "on"));
	cli_jb_str(&b, "due", cli_opt(a, "due"));
	return cli_remote_outcome(a, case_post(&j, a, r, "commissions", &b), &j, print_commissioned);
}

static int remote_extend(cli_args *a, cli_remote *r)
{
	const char *told = cli_opt(a, "told");
	cli_jb b = { 0 };
	scrvault_json *j = NULL;

	cli_jb_str(&b, "to", cli_opt(a, "to"));
	cli_jb_str(&b, "reason", cli_opt(a, "reason"));
	cli_jb_str(&b, "told_ofsted_on", told ? told + 7 : NULL);
	return cli_remote_outcome(a, case_post(&j, a, r, "extension", &b), &j, print_extended);
}

static int remote_evaluation(cli_args *a, cli_remote *r)
{
	cli_jb b = { 0 };
	scrvault_json *j = NULL;

	cli_jb_str(&b, "received_on", cli_opt(a, "received"));
	cli_jb_str(&b, "rating", cli_opt(a, "rating"));
	return cli_remote_outcome(a, case_post(&j, a, r, "evaluation", &b), &j, print_evaluation);
}

static int remote_milestone(cli_args *a, cli_remote *r)
{
	cli_jb b = { 0 };
	scrvault_json *j = NULL;

	cli_jb_str(&b, "kind", a->args[1]);
	cli_jb_str(&b, "on", cli_opt(a, "on"));
	return cli_remote_outcome(a, case_post(&j, a, r, "milestones", &b), &j, print_milestone);
}

static int remote_timeline(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;
	char path[160];
	int st;

	if (cli_flag(a, "proof"))
		return cli_usage(a, "the service writes no timeline proof yet: run 'case timeline --proof -o FILE' on "
				 "the vault host with --vault DIR");
	if ((st = cli_remote_arg_path(path, sizeof(path), a, "the case", "/v1/cases", "timeline")) != 0 ||
	    (st = cli_remote_query(a, path, sizeof(path), "as_of", cli_opt(a, "as-of"))) != 0)
		return st;
	return cli_remote_outcome(a, cli_remote_json(&j, r, "GET", path, NULL), &j, print_timeline);
}

static int remote_clocks(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;
	char path[512] = "/v1/clocks";
	int st;

	if ((st = cli_remote_query(a, path, sizeof(path), "as_of", cli_opt(a, "as-of"))) != 0 ||
	    (st = cli_remote_query(a, path, sizeof(path), "due_before", cli_opt(a, "due-before"))) != 0 ||
	    (st = cli_remote_query(a, path, sizeof(path), "open", cli_flag(a, "open") ? "true" : NULL)) != 0 ||
	    (st = cli_remote_query(a, path, sizeof(path), "done_from", cli_opt(a, "done-from"))) != 0 ||
	    (st = cli_remote_query(a, path, sizeof(path), "done_to", cli_opt(a, "done-to"))) != 0 ||
	    (st = cli_remote_query(a, path, sizeof(path), "case", cli_opt(a, "case"))) != 0)
		return st;
	return cli_remote_rows(a, cli_remote_json(&j, r, "GET", path, NULL), &j, NULL, clock_cols);
}

/* --case's value, before anything is sent. */
static int remote_check_clocks(const cli_args *a)
{
	return !cli_opt(a, "case") || cli_remote_qval(a, "case", cli_opt(a, "case")) ? 0 : 2;
}

const cli_remote_cmd cli_timeline_remote[] = {
	{ "case", "commission", remote_commission, cli_remote_check_ref },
	{ "case", "extend", remote_extend, cli_remote_check_ref },
	{ "case", "evaluation", remote_evaluation, cli_remote_check_ref },
	{ "case", "milestone", remote_milestone, cli_remote_check_ref },
	{ "case", "timeline", remote_timeline, cli_remote_check_ref },
	{ "case", "clocks", remote_clocks, remote_check_clocks }, CLI_REMOTE_END
};
