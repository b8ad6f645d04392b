/*
 * pdf.h - numbered copies of PDF documents: a sign-out sheet in front and a
 * copy label stamped on every page.
 *
 * pdf.c is the only file that includes the qpdf headers.  It is linked into
 * scrvault-stamp (and into test_pdf), never into libscrvault: it parses
 * hostile PDFs and must only run in a process that holds no key (see
 * crypto/stamp.h).  It works in memory only and has no file of its own.
 */
#ifndef SV_PDF_H
#define SV_PDF_H

#include "base/common.h"
#include "crypto/stamp.h"

/*
 * Where the finished copy goes: called once with the whole PDF (owned by the
 * caller of the sink, valid during the call only); 0 or a negative code with
 * the message set.
 */
typedef int (*sv_pdf_sink)(void *ctx, const unsigned char *pdf, size_t len);

/*
 * Build the copy that sv_pdf_stamp describes (crypto/stamp.h): the sign-out
 * sheet, then every page of the PDF in memory `in` (len bytes) stamped; in ==
 * NULL: the sheet alone.  The copy is handed to `sink` (with `ctx`) only once
 * it is whole; its /ID is derived from its content (no random numbers, so the
 * same input gives the same bytes).
 * A PDF that qpdf cannot read (or that is encrypted) is SCRVAULT_EUSAGE with a message
 * "the master is not a PDF that can be stamped (<qpdf's reason>)"; other failures
 * SCRVAULT_ERROR; a sink's failure is returned as it is.
 */
int sv_pdf_make_copy(const unsigned char *in, size_t len, const sv_pdf_stamp_spec *s,
	sv_pdf_sink sink, void *ctx);

#endif
