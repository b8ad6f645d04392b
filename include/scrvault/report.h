/*
 * scrvault/report.h - reports people file: the Board's report for a period
 * and a case's report, as PDFs signed by the vault, with their figures as
 * JSON (and CSV); and the offline check of a report and its signature.
 *
 * A report is written to `output` (never replacing a file) and its
 * signature beside it, `output`.sig: a C2SP signed note by the vault's audit
 * key naming the report's kind, period or case, as-of day and the PDF's
 * SHA-256.  Its making is an audit entry carrying the same SHA-256.  The
 * same vault and dates give the same bytes.
 *
 * Case titles and the names of children, families and other outside people
 * appear in no report: cases are named by their references.
 */
#ifndef SCRVAULT_REPORT_H
#define SCRVAULT_REPORT_H

#include "scrvault/vault.h"

typedef struct {
	unsigned int version;
	const char *from;	/* board: the period, YYYY-MM-DD, inclusive; neither in the future */
	const char *to;		/* board: its last day, which is the report's as-of day */
	const char *case_ref;	/* case: the case */
	const char *output;	/* the PDF to write (required); its signature goes to output.sig */
	const char *csv;	/* also the figures as CSV here (NULL: none; "-" not allowed) */
	const char *as_of;	/* case: the day it is as of (YYYY-MM-DD, not in the future; NULL:
				 * today): its dates, statuses and the PDF's date; board: NULL */
} scrvault_report_spec;
#define SCRVAULT_REPORT_SPEC_VERSION 2
#define SCRVAULT_REPORT_SPEC_INIT { SCRVAULT_REPORT_SPEC_VERSION }

/*
 * Make a report.  *out gets {"kind","from","to"|"case","as_of","vault",
 * "sha256","pdf","sig","figures":{TABLE:{"title","columns":[...],
 * "rows":[[...],...]},...}}: every figure the PDF prints, cells as text.
 * The CSV holds the same cells, one a line: table,row,column,value (row: the
 * row's first cell).
 */
/*
 * The Board's report adds the statutory clocks (scrvault_clock_list_each as
 * of the period's last day): decisions (to review or "no further action")
 * made on time or late, reviews completed on time, on time extended or late
 * (each late or extended one by reference with its status; the reason given
 * for an extension stays in the vault), IMRs received on time or late and
 * overdue at the end by agency (a table and a chart), and Ofsted's and the
 * action plan's deadlines met, missed and overdue.  The case report's
 * timeline shows each milestone against its deadline (scrvault_case_timeline).
 */
int scrvault_report_board(scrvault_json **out, scrvault *v, const scrvault_report_spec *s);
int scrvault_report_case(scrvault_json **out, scrvault *v, const scrvault_report_spec *s);

/*
 * Check a report offline (no vault): the signature `sig` (NULL: pdf.sig) by
 * the vault's verifier key `vkey` (scrvault_audit_pubkey) over the PDF's
 * SHA-256.  0 and {"ok":true,"kind","period"|"case","as_of","sha256",
 * "vault"}; SCRVAULT_EINTEGRITY when the PDF, the note or the key do not
 * match (the message says which).
 */
int scrvault_report_verify(scrvault_json **out, const char *pdf, const char *sig, const char *vkey);

#endif
