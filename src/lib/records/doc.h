/*
 * doc.h - check-in from other sources than files (doc.c).
 */
#ifndef SV_RECORDS_DOC_H
#define SV_RECORDS_DOC_H

#include "vault/session.h"
#include "base/common.h"

/*
 * Where check-in reads a document from other than a file: exactly `size`
 * bytes, then end of input.  read() returns what it read (full reads; 0 at
 * the end) or a negative code; with keep_error that code and its message
 * are passed on (an integrity failure of a bundle), else a generic one.
 */
typedef struct {
	const char *name;
	uint64_t size;
	long (*read)(void *ctx, void *buf, size_t len);
	void *ctx;
	bool keep_error;
	bool submit;	/* an agency's upload: doc.submit will do (SV_CHECKIN_SUBMIT) */
} sv_checkin_source;

/* Runs inside the check-in's transaction with the (first) new version. */
typedef int (*sv_checkin_hook)(scrvault *v, void *arg, const char *doc, unsigned version);

/*
 * scrvault_doc_checkin with the documents read from `srcs` (NULL: from
 * files[i].path; files[i].filename and title are used either way) and a
 * hook that adds rows and audit entries to the same transaction.
 */
int sv_doc_checkin(scrvault_json **out, scrvault *v, const scrvault_checkin_spec *spec,
		   const scrvault_checkin_file *files, const sv_checkin_source *srcs, size_t n,
		   sv_checkin_hook hook, void *hook_arg);

/*
 * The same for documents of a case the check-in's own transaction makes
 * (a referral's notification form: records/referral.c): `open_case` runs
 * first in the transaction, inserts the case spec->case_ref (which the
 * caller has checked does not exist yet) and gives its id; then the
 * documents, then `hook`.  Both get `hook_arg`.
 */
typedef int (*sv_checkin_case_fn)(int64_t *case_id, scrvault *v, void *arg);
int sv_doc_checkin_new_case(scrvault_json **out, scrvault *v, const scrvault_checkin_spec *spec,
			    const scrvault_checkin_file *files, size_t n, sv_checkin_case_fn open_case,
			    sv_checkin_hook hook, void *hook_arg);

/*
 * What a check-in checks before it writes anything, for one that has not
 * begun (an upload's start, upload.c, makes the same checks): the texts of
 * `files` (their filename or path's last part, title), the document
 * (spec->doc: resolved, n must be 1) or the case and class, doc.checkin,
 * the freeze.  Fills `t`.  Flags: SV_CHECKIN_NEW_CASE, the case does not
 * exist yet; SV_CHECKIN_SUBMIT, an agency's upload of a new document: a
 * role without doc.checkin may add it under the rule a sealed bundle's
 * import applies (sv_doc_submit_allowed), acting for itself.
 */
#define SV_CHECKIN_NEW_CASE	1u
#define SV_CHECKIN_SUBMIT	2u
typedef struct {
	char caseref[40];
	char doc[SV_DOC_ID_LEN + 1];	/* spec->doc resolved ("" for a new document) */
	int64_t case_id;		/* 0 when new_case or spec->doc */
	int64_t latest;			/* spec->doc: its newest version */
} sv_checkin_target;
int sv_doc_checkin_check(sv_checkin_target *t, scrvault *v, const scrvault_checkin_spec *spec,
			 const scrvault_checkin_file *files, size_t n, unsigned flags);

/*
 * The one rule for what an agency may send (a sealed bundle's import,
 * intake.c; an agency's upload, SV_CHECKIN_SUBMIT): the document's agency
 * is the sender's registered one (a claim of another is refused; none
 * claimed: the registered one), and the sender, principal `pid` in any
 * role it holds, has doc.submit for that case, class and agency.  *ok
 * says; `why` names the reason when not; *agency gets the agency to record
 * (`claimed` or `registered`).  No audit entry: the caller writes it.
 */
int sv_doc_submit_allowed(bool *ok, char *why, size_t whylen, const char **agency, scrvault *v, int64_t pid,
			  const char *registered, const char *caseref, const char *doc_class, const char *claimed);

#endif
