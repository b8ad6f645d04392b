/*
 * scrvault/retention.h - the retention plan, disposal batches, the purge
 * job and destruction records (000 §11.9).
 *
 * Rules come from the policy ([retention "CLASS"] rule = ...): the master
 * of each document (scrvault_doc_declare says which) follows its class's rules on
 * case-concluded, subject-birth, published or checkin; superseded versions
 * (drafts) follow the "after superseded" rules.  The longest destroy rule
 * governs; a keep rule keeps.  Nothing held is destroyed: holds on a case, a
 * document or the whole board (optionally one class), and the automatic hold
 * on what an open FOI request covers (until its appeal window has passed).
 * Destroying a master needs an approved disposal batch while doc.destroy is
 * under dual control.  Destruction deletes the version's wrapped key
 * (crypto-shredding) and its blob from the store's current tree, and leaves
 * a destruction record with an audit entry, forever.
 */
#ifndef SCRVAULT_RETENTION_H
#define SCRVAULT_RETENTION_H

#include "scrvault/vault.h"

/* The board confirms the retention rules of the current policy. */
int scrvault_retention_confirm(scrvault *v);
/* Every live version with its rule, dates and status, as of a date. */
int scrvault_retention_plan(scrvault_json **out, scrvault *v, const char *as_of);
/*
 * The plan as of a date with only the versions whose review or destruction
 * falls due within `days` days of it (0 to SCRVAULT_RETENTION_DAYS_MAX; held
 * ones too), and "due_by", the last day: the due part of the plan without
 * computing every version's.
 */
#define SCRVAULT_RETENTION_DAYS_MAX 36600
int scrvault_retention_plan_due(scrvault_json **out, scrvault *v, const char *as_of, unsigned days);
/* A disposal batch of the masters now due (they wait for its approval). */
int scrvault_retention_propose(scrvault_json **out, scrvault *v);
/* A different person (a records manager) approves or refuses a batch. */
int scrvault_retention_approve(scrvault_json **out, scrvault *v, int64_t batch);
int scrvault_retention_refuse(scrvault_json **out, scrvault *v, int64_t batch);
/*
 * Every disposal batch, newest first: {"batch","state" (proposed, approved,
 * refused, or done once the purge destroyed its versions),"proposed_at",
 * "proposed_by","decided_at"?,"decided_by"?,"versions" (how many),
 * "destructions": [{"record","doc","version","destroyed_at"}]} (each record's
 * certificate: scrvault_retention_certificate).
 */
int scrvault_retention_batches(scrvault_json **out, scrvault *v);
typedef struct {
	unsigned int version;
	const char *doc;
	unsigned doc_version;		/* 0: the document's master */
	const char *keep_until;		/* YYYY-MM-DD after today: kept, reviewed again then */
	int destroy;			/* or: destroyed through the normal purge (and batch) */
	const char *reason;		/* required with destroy */
} scrvault_review_spec;
#define SCRVAULT_REVIEW_SPEC_VERSION 1
#define SCRVAULT_REVIEW_SPEC_INIT { SCRVAULT_REVIEW_SPEC_VERSION }
/*
 * Record the outcome of a version's `review` rule: kept until a date (the
 * plan shows "keep" until then, "review due" after), or to be destroyed
 * (the plan shows it due; a master still needs an approved disposal batch).
 * Refused (exit 6) for a version whose rule is not a review.  *out gets
 * {"doc","version","decision","keep_until"}.
 */
int scrvault_retention_review(scrvault_json **out, scrvault *v, const scrvault_review_spec *spec);
/* Destroy what is due and allowed; with SCRVAULT_PURGE_DRY_RUN only say what would go. */
#define SCRVAULT_PURGE_DRY_RUN	1u
int scrvault_retention_purge(scrvault_json **out, scrvault *v, unsigned flags);
/* A destruction record with the inclusion proof of its audit entry
 * ({"record":{...},"proof":"..."}; the proof verifies with 'audit verify'). */
int scrvault_retention_certificate(scrvault_json **out, scrvault *v, int64_t id);

#endif
