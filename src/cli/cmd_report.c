/*
 * cmd_report.c - scrvault report board|case|verify: reports people file, as
 * PDFs signed by the vault, and their offline check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

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
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, 0, 0 }
};
