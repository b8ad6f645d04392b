/*
 * cmd_report.c - scrvault report board|case|verify: reports people file, as
 * PDFs signed by the vault, and their offline check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "agent.h"
#include "cli.h"
#include "remote.h"

/* What both reports print: where they went, or the figures with --json. */
static int made(const cli_args *a, int error, scrvault_json *j)
{
	if (error < 0)
		return cli_fail(error);
	return cli_result(a, j, "report written to %s (sha256 %s), signed in %s%s%s\n", cli_str(j, "pdf"),
			  cli_str(j, "sha256"), cli_str(j, "sig"), cli_str(j, "csv") ? "; figures in " : "",
			  cli_str(j, "csv") ? cli_str(j, "csv") : "");
}

static int cmd_board(cli_args *a, scrvault *v)
{
	scrvault_report_spec s = SCRVAULT_REPORT_SPEC_INIT;
	scrvault_json *j = NULL;

	s.from = cli_opt(a, "from");
	s.to = cli_opt(a, "to");
	s.output = cli_opt(a, "output");
	s.csv = cli_opt(a, "csv");
	int error = scrvault_report_board(&j, v, &s);

	return made(a, error, j);
}

static int cmd_case(cli_args *a, scrvault *v)
{
	scrvault_report_spec s = SCRVAULT_REPORT_SPEC_INIT;
	scrvault_json *j = NULL;

	s.case_ref = a->args[0];
	s.as_of = cli_opt(a, "as-of");
	s.output = cli_opt(a, "output");
	s.csv = cli_opt(a, "csv");
	int error = scrvault_report_case(&j, v, &s);

	return made(a, error, j);
}

static int cmd_verify(cli_args *a, scrvault *unused)
{
	scrvault_json *j = NULL;
	const char *vkey = cli_opt(a, "vkey");
	int error;

	(void)unused;
	if (!vkey)
		vkey = getenv("SCRVAULT_VAULT_KEY");
	if ((error = scrvault_report_verify(&j, a->args[0], cli_opt(a, "sig"), vkey)) < 0)
		return cli_fail(error);
	if (cli_str(j, "period"))
		return cli_result(a, j, "%s: a board report for %s as of %s, signed by %s (sha256 %s)\n", a->args[0],
				  cli_str(j, "period"), cli_str(j, "as_of"), cli_str(j, "vault"), cli_str(j, "sha256"));
	return cli_result(a, j, "%s: a report of case %s as of %s, signed by %s (sha256 %s)\n", a->args[0],
			  cli_str(j, "case"), cli_str(j, "as_of"), cli_str(j, "vault"), cli_str(j, "sha256"));
}

static const cli_optdef board_opts[] = {
	{ "from", 1, "from", "DATE" }, { "to", 1, "to", "DATE" }, { "output", 1, "output", "FILE.pdf" },
	{ "csv", 1, "csv", "FILE" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef case_opts[] = {
	{ "as-of", 1, "as_of", "DATE" }, { "output", 1, "output", "FILE.pdf" }, { "csv", 1, "csv", "FILE" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef verify_opts[] = {
	{ "vkey", 1, "vkey", "VKEY" }, { "sig", 1, NULL, "FILE" }, { NULL, 0, NULL, NULL }
};

#define REPORT_SIGNED \
	"The PDF is signed by the vault: FILE.pdf.sig, a signed note naming the report,\n" \
	"its as-of day and the PDF's SHA-256 ('scrvault report verify' checks it), and\n" \
	"its making is on the audit log with the same SHA-256. Cases are named by their\n" \
	"references only. Never replaces a file.\n\n"

const cli_cmd cli_report_commands[] = {
	{ "report", "board", cmd_board, CLI_VAULT, NULL,
	  "scrvault report board --from DATE --to DATE -o FILE.pdf [--csv FILE] [--json]",
	  "The Board's report for a period (as of its last day): reviews opened, decided,\n"
	  "concluded and published by type and open at the end; the statutory clocks:\n"
	  "decisions (\"no further action\" included) and completions on time, extended or\n"
	  "late, IMRs late and overdue by agency, Ofsted's deadlines met or missed;\n"
	  "numbered copies issued,\n"
	  "returned, out and overdue; FOI requests received and answered on time or late;\n"
	  "destructions with their certificates; legal holds in force.\n" REPORT_SIGNED
	  "options:\n"
	  "  --from DATE       the period's first day\n"
	  "  --to DATE         its last day (not in the future): the report's as-of day\n"
	  "  -o, --output FILE the PDF to write\n"
	  "  --csv FILE        the same figures as CSV (table,row,column,value)\n"
	  "  --json            print the figures as JSON\n",
	  board_opts, 0, 0, "output", "name the PDF to write (-o FILE.pdf)" },
	{ "report", "case", cmd_case, CLI_VAULT, NULL, "scrvault report case REF [--as-of DATE] -o FILE.pdf [--csv FILE] [--json]",
	  "A case's report as of today: its dates, documents and masters, copies,\n"
	  "access requests, holds and a timeline of its milestones against their\n"
	  "statutory deadlines (due, done on time, late by N days, extended,\n"
	  "overdue). For whoever reads the case, showing what their role may see.\n" REPORT_SIGNED
	  "options:\n"
	  "  --as-of DATE      the day it is as of (not in the future; default today)\n"
	  "  -o, --output FILE the PDF to write\n"
	  "  --csv FILE        the same figures as CSV (table,row,column,value)\n"
	  "  --json            print the figures as JSON\n",
	  case_opts, 1, 1, "output", "name the PDF to write (-o FILE.pdf)" },
	{ "report", "verify", cmd_verify, 0, NULL, "scrvault report verify --vkey VKEY FILE.pdf [--sig FILE]",
	  "Check a report offline (no vault): its signature (FILE.pdf.sig, or --sig) must\n"
	  "be the vault's, by the verifier key the board publishes, over this very PDF.\n"
	  "Exit 5 when anything differs.\n\n"
	  "options:\n"
	  "  --vkey VKEY       the vault's verifier key (scrvault audit pubkey; default\n"
	  "                    $SCRVAULT_VAULT_KEY)\n"
	  "  --sig FILE        the signature (default FILE.pdf.sig)\n",
	  verify_opts, 1, 1 },
	CLI_CMDS_END
};

/* ---- through the service ---------------------------------------------------------- */

/*
 * The report is made by the service and arrives as the answer: the PDF
 * written here to -o FILE.pdf, its signature to FILE.pdf.sig and, with
 * --csv FILE, its figures to FILE; none of them replaces a file, all are
 * checked before anything is asked (a report's making is audited).
 */
static int remote_report(cli_args *a, cli_remote *r, const char *url, cli_jb *b)
{
	const char *out = cli_opt(a, "output"), *csv = cli_opt(a, "csv");
	scrvault_json *j = NULL;
	char *sigpath = NULL, *sig = NULL, *figures = NULL, *body = NULL;
	int st;

	if (!out || !strcmp(out, "-")) {
		st = cli_usage(a, "through the service the report is written to a file here: give -o FILE.pdf");
		goto done;
	}
	if (asprintf(&sigpath, "%s.sig", out) < 0) {
		sigpath = NULL;
		st = cli_fail(SCRVAULT_ERROR);
		goto done;
	}
	if ((st = cli_remote_outfile_free(out, "output")) != 0 ||
	    (st = cli_remote_outfile_free(sigpath, "output")) != 0 || (st = cli_remote_outfile_free(csv, "csv")) != 0)
		goto done;
	if (csv)
		cli_jb_bool(b, "csv", true);
	if (!(body = cli_jb_end(b))) {
		st = cli_fail(SCRVAULT_ERROR);
		goto done;
	}
	if ((st = cli_remote_download_call(&j, r, "POST", url, body, out, false)) != 0)
		goto done;
	if (!(sig = cli_remote_header(r, "x-scrvault-signature")) || (csv && !(figures = cli_remote_header(r, "x-scrvault-csv")))) {
		unlink(out);
		st = cli_fail_message(1, "the service did not send the report's signature or figures", NULL);
		goto done;
	}
	if ((st = cli_write_new(sigpath, sig)) != 0 || (csv && (st = cli_write_new(csv, figures)) != 0)) {
		unlink(out);
		goto done;
	}
	if (scrvault_json_set_str(j, "pdf", out) < 0 || scrvault_json_set_str(j, "sig", sigpath) < 0 ||
	    (csv && scrvault_json_set_str(j, "csv", csv) < 0)) {
		st = cli_fail(SCRVAULT_ERROR);
		goto done;
	}
	st = made(a, 0, j);
	j = NULL;
done:
	scrvault_json_free(j);
	free(b->buf);
	free(body);
	free(sigpath);
	free(sig);
	free(figures);
	return st;
}

static int remote_board(cli_args *a, cli_remote *r)
{
	cli_jb b = { 0 };

	cli_jb_str(&b, "from", cli_opt(a, "from"));
	cli_jb_str(&b, "to", cli_opt(a, "to"));
	return remote_report(a, r, "/v1/reports/board", &b);
}

static int remote_case(cli_args *a, cli_remote *r)
{
	char url[160];
	cli_jb b = { 0 };

	snprintf(url, sizeof(url), "/v1/cases/%s/report", a->args[0]);
	cli_jb_str(&b, "as_of", cli_opt(a, "as-of"));
	return remote_report(a, r, url, &b);
}

static int seg_case(const cli_args *a)
{
	return cli_remote_seg(a, "the case", a->args[0]) ? 0 : 2;
}

const cli_remote_cmd cli_report_remote[] = {
	{ "report", "board", remote_board, NULL }, { "report", "case", remote_case, seg_case }, CLI_REMOTE_END
};
