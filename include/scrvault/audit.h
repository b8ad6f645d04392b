/*
 * scrvault/audit.h - the audit log as auditors see it: the verifier key,
 * signed checkpoints, readable listings, exports, proofs and verification.
 *
 * Verification of an export or a proof needs no vault: only the file and
 * the vault's verifier key (the C2SP vkey printed by scrvault_audit_pubkey).
 */
#ifndef SCRVAULT_AUDIT_H
#define SCRVAULT_AUDIT_H

#include "scrvault/vault.h"

/* The verifier key "scrvault.local/<id>+<key id>+<base64 key>" (caller frees). */
int scrvault_audit_pubkey(char **vkey, scrvault *v);

/* Sign a checkpoint if the log grew; *note gets the latest signed checkpoint. */
int scrvault_audit_checkpoint(char **note, scrvault *v);

/* The last `n` entries, oldest first; and one entry by sequence number. */
int scrvault_audit_tail(scrvault_json **out, scrvault *v, unsigned n);
int scrvault_audit_show(scrvault_json **out, scrvault *v, uint64_t seq);

typedef struct {
	unsigned int version;
	const char *since;	/* YYYY-MM-DD or full time; inclusive */
	const char *until;	/* YYYY-MM-DD (whole day) or full time; inclusive */
	const char *actor;	/* principal name */
	const char *case_ref;
	const char *doc;
	const char *action;	/* exact, or a prefix ending in '.', like "doc." */
	const char *outcome;
	bool csv;		/* a spreadsheet table instead of a verifiable export */
} scrvault_audit_filter;
#define SCRVAULT_AUDIT_FILTER_VERSION 1
#define SCRVAULT_AUDIT_FILTER_INIT { SCRVAULT_AUDIT_FILTER_VERSION }

/*
 * Write an export to fd: JSON Lines, first a header with the latest signed
 * checkpoint, then one line per entry (f NULL: every entry).  A filtered export carries an
 * inclusion proof with each entry; an unfiltered one carries every signed
 * checkpoint after the entry it covers.  *count gets the number of entries.
 */
int scrvault_audit_export(scrvault *v, const scrvault_audit_filter *f, int fd, uint64_t *count);

/* An inclusion proof of entry `seq` as a C2SP tlog-proof (caller frees). */
int scrvault_audit_prove(char **proof, scrvault *v, uint64_t seq);
/*
 * A proof set: chosen audit entries, each with its inclusion proof in the
 * latest signed checkpoint, in one file that `scrvault audit verify --vkey`
 * checks offline.  It is an export (format v2) whose signed filter is the
 * set itself: {"case":REF,"made_at":TIME,"seqs":[N,...],"title":TEXT}, so
 * the title and the exact list of entries are signed by the vault, and an
 * entry dropped, added, duplicated or moved is detected.
 *
 *   seqs, nseqs  the entries (sequence numbers; any order, repeats counted
 *                once; the file lists them in log order).  None with
 *                case_ref: every entry about that case.
 *   case_ref     optional: the case the set is about; every entry must name
 *                it, and a case the session does not reach is not found.
 *   title        optional free text ("timeline of case SCR-2026-03"); it is
 *                signed in the file and never written to the audit log.
 *
 * Needs audit.prove: for case_ref, or else for each entry's own case (an
 * entry of no case: board-wide).  An entry of a case the session does not
 * reach answers like a missing one (SCRVAULT_ENOTFOUND, audited).  Making the file is audited
 * (audit.prove, with the case and the numbers, not the title).  The file
 * is written through a safe output: it appears only when complete and never
 * replaces one (SCRVAULT_ECONFLICT, nothing audited).  *out gets
 * {"path","title","case","entries","seqs","size"} (size: the checkpoint's).
 */
typedef struct {
	unsigned int version;
	const uint64_t *seqs;
	size_t nseqs;
	const char *case_ref;
	const char *title;
} scrvault_audit_set;
#define SCRVAULT_AUDIT_SET_VERSION 1
#define SCRVAULT_AUDIT_SET_INIT { SCRVAULT_AUDIT_SET_VERSION }

int scrvault_audit_prove_set(scrvault_json **out, scrvault *v, const scrvault_audit_set *set, const char *path);

/*
 * An entry recorded more than this many days after a date it claims (a
 * member of its details named *_on, other than due_on, holding a date) is
 * flagged "recorded late" when a proof set is verified.
 */
#define SCRVAULT_AUDIT_LATE_DAYS 7

/*
 * The auditor's questions that join the registers.  Each answer is a list
 * of rows, each naming in "seq" the audit entry it rests on (null where the
 * ledger has none, as for a grant made when the vault was made): a proof
 * set of those entries proves the answer offline.  Each needs audit.read;
 * a refusal is an audit entry.  No answer carries document content.
 *
 * restricted_releases: every release of a version whose class the policy
 *   marks restricted, oldest first: {"kind" ("release": to a principal or
 *   an outside reader's key; "checkout": to its reader), "release",
 *   "released_at","doc","version","case","class","to","recipient" (the age
 *   key of a release), "released_by","request" (the access request it was
 *   made under), "requester","authorised_by" (who agreed the request),"seq"}.
 * destructions: every version destroyed under retention and every numbered
 *   copy destroyed: {"kind" ("version" or "copy"),"record" (a version's
 *   destruction record: its certificate is scrvault_retention_certificate),
 *   "destroyed_at","doc","version","case","class","copy","authorised_by"
 *   (a copy: who destroyed it),"witness","seq"}.
 * readers: for document `doc`, first who did read it ("answer":"did read":
 *   every check-out, release and paper copy printed or issued on record),
 *   then who could have ("answer":"could read": every span in which a
 *   principal held a role that the policy in force allows doc.read on its
 *   class, granted for its case (and agency), bounded by the principal's
 *   keys): {"answer","how","principal","role","version","from","until"
 *   (null: still),"request","seq"}.  A document outside the session's
 *   scope answers as a missing one (SCRVAULT_ENOTFOUND).
 */
int scrvault_audit_restricted_releases(scrvault_json **out, scrvault *v);
int scrvault_audit_destructions(scrvault_json **out, scrvault *v);
int scrvault_audit_readers(scrvault_json **out, scrvault *v, const char *doc);

/* A consistency proof between two signed checkpoints (0 = latest). */
int scrvault_audit_consistency(char **proof, scrvault *v, uint64_t old_size, uint64_t new_size);

/*
 * Verification.  Each returns 0 when everything verifies, else
 * SCRVAULT_EINTEGRITY (or a usage / not-found error) and a report
 * {"ok":bool,"problems":[...],"first_bad_seq":N|null,"size":N,...}.
 * A proof set's report adds "set":{"title","case","made_at","seqs"} and,
 * only when it verifies, "timeline":[{"seq","time","recorded_on","action",
 * "outcome","case","principal","claims":[{"name","date"}],"late":bool,
 * "late_days":N}] (late_days: the most days recorded after a claimed date).
 */
int scrvault_audit_verify_live(scrvault_json **report, scrvault *v, const char *vkey);
int scrvault_audit_verify_file(scrvault_json **report, const char *path, const char *vkey);

#endif
