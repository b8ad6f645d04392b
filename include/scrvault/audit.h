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
/* A consistency proof between two signed checkpoints (0 = latest). */
int scrvault_audit_consistency(char **proof, scrvault *v, uint64_t old_size, uint64_t new_size);

/*
 * Verification.  Each returns 0 when everything verifies, else
 * SCRVAULT_EINTEGRITY (or a usage / not-found error) and a report
 * {"ok":bool,"problems":[...],"first_bad_seq":N|null,"size":N,...}.
 */
int scrvault_audit_verify_live(scrvault_json **report, scrvault *v, const char *vkey);
int scrvault_audit_verify_file(scrvault_json **report, const char *path, const char *vkey);

#endif
