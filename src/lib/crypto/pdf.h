/*
 * pdf.h - numbered copies of PDF documents: a sign-out sheet in front and a
 * copy label stamped on every page.
 *
 * pdf.c is the only file that includes the qpdf headers.  It works in
 * memory only: the master's plaintext is never written anywhere but the
 * caller's output descriptor (no temporary files).
 */
#ifndef SV_PDF_H
#define SV_PDF_H

#include "base/common.h"



typedef struct {
	const char *copy_label;	/* "SCR-2026-03/overview-report/v2 #3 of 8" */
	const char *case_ref;	/* "SCR-2026-03" */
	const char *marking;	/* classification, e.g. "OFFICIAL-SENSITIVE" */
	const char *holder;	/* "Nina Patel (nina)" */
	/* the sign-out sheet */
	const char *title;	/* document title */
	const char *doc;	/* document id and version, e.g. "982561ff...@2" */
	const char *contact;	/* the holder's contact details at issue */
	const char *purpose;
	const char *due;	/* YYYY-MM-DD */
	const char *issued_at;	/* ISO time */
	const char *issued_by;
} sv_pdf_stamp_spec;

/*
 * Write to `outfd` a PDF that is: one sign-out sheet page (A4) listing the copy label, marking,
 * case, title, doc, holder, contact, purpose, due date, issued at/by, and a signature box
 * ("Signature of holder", "Date received", "Returned on", "Condition on return"), followed by
 * every page of the PDF in memory `in` (len bytes), each stamped with one line at the top and
 * one at the bottom: "<marking>  <copy label>  holder: <holder>" and "<case ref>  COPY <copy label>  -  do not copy".
 * in == NULL: only the sheet (a one-page PDF, for a master that is not a PDF).
 * A PDF that qpdf cannot read (or that is encrypted) is SCRVAULT_EUSAGE with a message
 * "the master is not a PDF that can be stamped (<qpdf's reason>)".
 * Nothing of `in` is written to disk by this function other than to outfd (no temp files).
 *
 * Strings in `s` are UTF-8 (NULL reads as empty); characters that the
 * standard Helvetica font cannot show (outside WinAnsi) print as '?', and
 * lines too long for the page are shrunk a little and then cut with "...".
 * Nothing is written to `outfd` unless the whole copy was built; a failed
 * write is SCRVAULT_ERROR and may leave part of the copy in `outfd`.
 * If libqpdf cannot be used, every call
 * is SCRVAULT_ERROR ("cannot load libqpdf (...)") and writes nothing.
 */
int sv_pdf_stamp(int outfd, const unsigned char *in, size_t len, const sv_pdf_stamp_spec *s);

#endif
