/*
 * stamp.h - numbered copies of PDF documents: a sign-out sheet in front and a
 * copy label stamped on every page, made by the helper program scrvault-stamp.
 *
 * No process that holds a key ever parses a PDF.  sv_pdf_stamp (stamp.c) is
 * a client: it starts scrvault-stamp (src/stamp), a program that links
 * libqpdf and libseccomp but no code of the vault and reads no key, hands it
 * the decrypted master over a socket, and reads the stamped copy back.  The
 * helper confines itself with a seccomp filter (read, write, exit) before it
 * reads a byte of the master, so a hostile PDF that takes over qpdf can do
 * nothing but answer.  The master's plaintext never touches disk: it goes
 * from the caller's memory to the helper's through the socket.
 *
 * This header is also the protocol between the two (the helper includes it
 * for the constants and the spec; it calls none of the library).
 */
#ifndef SV_STAMP_H
#define SV_STAMP_H

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
 * Strings in `s` are UTF-8 (NULL reads as empty, at most SV_STAMP_FIELD_MAX bytes);
 * characters that the standard Helvetica font cannot show (outside WinAnsi) print as '?', and
 * lines too long for the page are shrunk a little and then cut with "...".
 *
 * The copy is made by scrvault-stamp (see the top of this file; how it is
 * found: sv_pdf_stamp_helper_path).  Errors:
 *   SCRVAULT_EUSAGE  a PDF that qpdf cannot read (or that is encrypted):
 *                    "the master is not a PDF that can be stamped (<qpdf's reason>)";
 *                    pages whose content decodes to more than SV_STAMP_CONTENT_MAX
 *                    ("the document is too large to print: its pages' content
 *                    decodes to more than 128 MiB"); a field too long, no output
 *                    or no spec
 *   SCRVAULT_ERROR   the helper is not installed ("cannot run the stamping helper
 *                    '...': install scrvault-stamp"), ran out of its memory ("the
 *                    document is too large to print"), was stopped by its filter
 *                    ("... stopped for a forbidden system call"), crashed, did not
 *                    finish within SV_STAMP_TIMEOUT_MS (it is killed), answered
 *                    something malformed or too long; or the write to `outfd` failed
 * Nothing is written to `outfd` unless the whole copy came back; a failed
 * write may leave part of the copy in `outfd`.  The helper is always waited
 * for (no zombie), no descriptor is left open, and a helper that dies while
 * the master is being sent raises no SIGPIPE in the caller.  The copy is held
 * in memory while it is checked and is cleansed after.  If the caller has set
 * SIGCHLD to SIG_IGN the helper's status cannot be read: the call fails.
 */
int sv_pdf_stamp(int outfd, const unsigned char *in, size_t len, const sv_pdf_stamp_spec *s);

/*
 * The helper sv_pdf_stamp runs, found in this order (no $PATH search):
 *   1. the path given to sv_pdf_stamp_use_helper, if any;
 *   2. scrvault-stamp in the directory of the running program (/proc/self/exe),
 *      as in the build tree (build/scrvault, build/scrvault-stamp), then in
 *      ../libexec/scrvault from it, as in an installed tree (bin/scrvault,
 *      libexec/scrvault/scrvault-stamp) wherever it was put;
 *   3. SV_LIBEXECDIR/scrvault-stamp, the installed one ($(PREFIX)/libexec/scrvault,
 *      given by the Makefile).
 * The first that exists is used, even if it then fails to run.  Into `buf`
 * (size `n`); 0, or SCRVAULT_ERROR with the message naming the helper.
 */
int sv_pdf_stamp_helper_path(char *buf, size_t n);

/*
 * For tests and for programs that install the helper elsewhere: run `path`
 * (NULL: the search above) and stop it after `timeout_ms` (0: SV_STAMP_TIMEOUT_MS).
 * Process-wide; not thread-safe against a concurrent sv_pdf_stamp.
 */
void sv_pdf_stamp_use_helper(const char *path, unsigned timeout_ms);

/* ---- the protocol between sv_pdf_stamp and scrvault-stamp --------------------
 *
 * The helper is run as `scrvault-stamp --heap-mib N` with an empty environment,
 * stdin and stdout one end of a stream socket (the client holds the other),
 * stderr /dev/null and no other descriptor.  N (SV_STAMP_HEAP_MIN_MIB ..
 * SV_STAMP_HEAP_MAX_MIB) is the heap it reserves before its filter is in
 * place: all the memory it will ever have.
 *
 * All integers are 32-bit unsigned, big-endian.
 * Request (client to helper), then the client shuts down its side for writing:
 *   "SVSTAMP1"                        magic, 8 bytes
 *   SV_STAMP_NFIELDS times:           the spec's strings, in the order of
 *     u32 length, bytes                 sv_pdf_stamp_spec; at most
 *                                       SV_STAMP_FIELD_MAX bytes, no NUL
 *   u32 length, bytes                 the master (at most SV_STAMP_MASTER_MAX;
 *                                       0: the sign-out sheet alone)
 *   end of input                      anything more is refused
 * Answer (helper to client), then the helper exits 0:
 *   "SVSTAMP1"                        magic, 8 bytes
 *   u32 status                        SV_STAMP_OK or an SV_STAMP_E* below
 *   u32 length, bytes                 SV_STAMP_OK: the stamped PDF;
 *                                       else a message (at most SV_STAMP_MSG_MAX)
 *   end of output
 * Any other end is not an answer: the helper's exit status says what
 * happened (SV_STAMP_EXIT_NOMEM, or killed by SIGSYS: a forbidden call).
 */
#define SV_STAMP_MAGIC		"SVSTAMP1"
#define SV_STAMP_MAGIC_LEN	8
#define SV_STAMP_NFIELDS	11
#define SV_STAMP_FIELD_MAX	4096
#define SV_STAMP_MASTER_MAX	((uint32_t)1 << 30)	/* 1 GiB */
#define SV_STAMP_MSG_MAX	1024
#define SV_STAMP_HEAP_MIN_MIB	16
#define SV_STAMP_HEAP_MAX_MIB	2000	/* below INT_MAX bytes: mallopt's trim threshold */

enum {
	SV_STAMP_OK = 0,
	SV_STAMP_EPDF = 1,	/* the master cannot be stamped: SCRVAULT_EUSAGE */
	SV_STAMP_EFAIL = 2,	/* the helper failed otherwise: SCRVAULT_ERROR */
	SV_STAMP_EREQUEST = 3	/* the request was malformed (a bug of the client) */
};

/* The helper's exit status when its heap ran out (its brk was trapped). */
#define SV_STAMP_EXIT_NOMEM	3

/*
 * The most page content the helper decodes for one copy (every page's,
 * counted as often as it is used): more is refused as too large to print
 * (SCRVAULT_EUSAGE).  Text and drawings take kilobytes a page; a bomb that
 * inflates to gigabytes stops here, or at the helper's heap, within seconds.
 */
#define SV_STAMP_CONTENT_MAX	((size_t)128 << 20)

/* How long the client waits for the whole exchange before it kills the helper. */
#define SV_STAMP_TIMEOUT_MS	30000

#endif
