/*
 * scrvault/copy.h - the numbered-copy register (000 §11.6-11.7, §11.9).
 *
 * Every copy of a document version outside the vault is numbered and in the
 * register: paper copies the coordinator makes (`copy create`) and prints,
 * and electronic ones (each `doc release`).  A copy moves through
 *
 *   in-store -> issued -> returned -> issued ... -> destroyed
 *                      -> lost -> returned (found) | destroyed
 *   electronic: issued (by the release) -> destroyed | transferred
 *
 * ("overdue" is an issued copy past its due date).  Every transition is an
 * audit entry and an event in the copy's history; an invalid one is
 * SCRVAULT_ECONFLICT naming the current state.
 *
 * COPY arguments: the register number ("17") or DOC@VERSION#N (paper copy N).
 */
#ifndef SCRVAULT_COPY_H
#define SCRVAULT_COPY_H

#include "scrvault/vault.h"
#include "scrvault/passkey.h"

/* Paper copies `count` more of DOC@VERSION (version 0: latest), within the
 * class's max-copies.  *out gets the new copies. */
int scrvault_copy_create(scrvault_json **out, scrvault *v, const char *doc,
			 unsigned version, unsigned count);

typedef struct {
	unsigned int version;
	const char *copy;
	const char *to;			/* a principal's name, or NULL for an outside holder */
	const char *ext_name;		/* outside holder (an inspector): name, */
	const char *ext_org;		/* organisation */
	const char *contact;		/* contact details (default: the principal's) */
	const char *purpose;
	const char *due;		/* YYYY-MM-DD, today or later */
} scrvault_copy_issue_spec;
#define SCRVAULT_COPY_ISSUE_SPEC_VERSION 1
#define SCRVAULT_COPY_ISSUE_SPEC_INIT { SCRVAULT_COPY_ISSUE_SPEC_VERSION }

int scrvault_copy_issue(scrvault_json **out, scrvault *v, const scrvault_copy_issue_spec *s);
/* The holder signs for it with their own key (the session's principal is the
 * holder); or, with SCRVAULT_ACK_PAPER, the coordinator records the holder's
 * signature on paper. */
#define SCRVAULT_ACK_PAPER	1u
int scrvault_copy_acknowledge(scrvault_json **out, scrvault *v, const char *copy, unsigned flags);
/*
 * The holder's receipt signed on their own machine (a service acting for
 * them holds no private key), as scrvault_doc_signoff_statement/_signed:
 * the exact statement, canonical JSON {"copy","doc","holder","holder_key"
 * (their registered key),"label","statement":SCRVAULT_COPY_RECEIPT_STATEMENT
 * (keyfile.h),
 * "time","vault","version"}, after every check scrvault_copy_acknowledge
 * makes; then the record, refused (SCRVAULT_EDENIED, audited, nothing
 * recorded) unless `statement` is exactly that statement, its time within 5
 * minutes of now, and `sig` (base64) the holder's registered key's.
 */
int scrvault_copy_acknowledge_statement(char **statement, scrvault *v, const char *copy);
int scrvault_copy_acknowledge_signed(scrvault_json **out, scrvault *v, const char *copy,
				     const char *statement, const char *sig);
int scrvault_copy_return(scrvault_json **out, scrvault *v, const char *copy, const char *condition);
int scrvault_copy_lost(scrvault_json **out, scrvault *v, const char *copy, const char *reason);
/*
 * Destroyed by the session principal, witnessed by another principal: a
 * registered, active principal other than the destroyer.  With
 * witness_keyfile (and its passphrase) the witness signs the destruction
 * now, with their own key; without it they are recorded as a witness whose
 * presence is unverified until they sign with scrvault_copy_witness.  A key
 * file that is not the witness's current key is refused (SCRVAULT_EDENIED).
 */
typedef struct {
	unsigned int version;
	const char *witness;				/* a principal's name */
	const char *witness_keyfile;			/* NULL: unverified (a name only) */
	const scrvault_secret *witness_passphrase;	/* NULL for a key file without one */
	const char *note;
} scrvault_copy_destroy_options;
#define SCRVAULT_COPY_DESTROY_OPTIONS_VERSION 1
#define SCRVAULT_COPY_DESTROY_OPTIONS_INIT { SCRVAULT_COPY_DESTROY_OPTIONS_VERSION, NULL, NULL, NULL, NULL }
int scrvault_copy_destroy_ext(scrvault_json **out, scrvault *v, const char *copy,
			      const scrvault_copy_destroy_options *opts);
/* The same with the witness by name only (unverified). */
int scrvault_copy_destroy(scrvault_json **out, scrvault *v, const char *copy,
			  const char *witness, const char *note);
/*
 * An electronic copy (a release) kept by the recipient under their own
 * retention, e.g. Ofsted's or the DfE's: it ends "transferred", recorded
 * with the recipient `organisation` (required) and an optional note, both
 * kept in the database only.  A paper copy is never transferred
 * (SCRVAULT_ECONFLICT: it is returned and destroyed).  Needs copy.destroy.
 */
int scrvault_copy_transfer(scrvault_json **out, scrvault *v, const char *copy, const char *organisation,
			   const char *note);
/*
 * The witness named for a destroyed copy signs for it later, in their own
 * session (the session principal must be that witness).
 */
int scrvault_copy_witness(scrvault_json **out, scrvault *v, const char *copy);
/*
 * The witness's signature made on their own machine (a service acting for
 * them holds no private key), as scrvault_copy_acknowledge_statement/_signed:
 * the exact statement, canonical JSON {"copy","destroyed_at","doc","kind",
 * "number","statement","time","vault","version","witness","witness_key"
 * (their registered key)}, after every check scrvault_copy_witness makes;
 * then the record, refused (SCRVAULT_EDENIED, audited, nothing recorded)
 * unless `statement` is exactly that statement, its time within 5 minutes
 * of now, and `sig` (base64) the witness's registered key's.
 */
int scrvault_copy_witness_statement(char **statement, scrvault *v, const char *copy);
int scrvault_copy_witness_signed(scrvault_json **out, scrvault *v, const char *copy,
				 const char *statement, const char *sig);
/*
 * The same, confirmed in the browser with the witness's passkey
 * (scrvault/passkey.h): an assertion whose challenge is the SHA-256 of
 * `statement`, by one of the session principal's passkeys for the pages at
 * `origin`, kept as the witnessing's proof (checked again by fsck).
 */
int scrvault_copy_witness_passkey(scrvault_json **out, scrvault *v, const char *copy, const char *statement,
				  const char *origin, const scrvault_passkey_assertion *a);

typedef struct {
	unsigned int version;
	const char *case_ref;
	const char *doc;
	const char *state;		/* a state, or "overdue", or "outstanding" */
	const char *holder;		/* principal name */
	const char *as_of;		/* YYYY-MM-DD for "overdue" (default today) */
	unsigned limit;			/* at most this many rows, the first in order (0: all) */
} scrvault_copy_filter;
#define SCRVAULT_COPY_FILTER_VERSION 2
#define SCRVAULT_COPY_FILTER_INIT { SCRVAULT_COPY_FILTER_VERSION }

/* The register, filtered (f NULL: everything the session reaches). */
int scrvault_copy_list(scrvault_json **out, scrvault *v, const scrvault_copy_filter *f);
/* The same rows given one at a time to `row` (scrvault/json.h), without
 * holding them all: the CLI lists a register of any size this way. */
int scrvault_copy_list_each(scrvault *v, const scrvault_copy_filter *f, scrvault_row_fn row, void *ctx);
/* Every copy still out (issued or lost) of a case or document, with the
 * holder's contact details as recorded at issue. */
int scrvault_copy_recall(scrvault_json **out, scrvault *v, const char *case_or_doc);
/* The copy and its full chain of custody. */
int scrvault_copy_history(scrvault_json **out, scrvault *v, const char *copy);
/*
 * Print an issued paper copy to a new PDF file: a sign-out sheet, then every
 * page of a PDF master stamped with the copy number, case, marking and
 * holder.  A master that is not a PDF gives the sheet only
 * ({"sheet_only":true}).  Audited before the document key is used.
 */
int scrvault_copy_print(scrvault_json **out, scrvault *v, const char *copy, const char *outpath);

#endif
