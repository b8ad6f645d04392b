/*
 * scrvault/retention.h - the retention plan, disposal batches, the purge
 * job and destruction records (000 §11.9).
 *
 * Rules come from the policy ([retention "CLASS"] rule = ...): the master
 * (latest version) of each document follows its class's rules on
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
/* A disposal batch of the masters now due (they wait for its approval). */
int scrvault_retention_propose(scrvault_json **out, scrvault *v);
/* A different person (a records manager) approves or refuses a batch. */
int scrvault_retention_approve(scrvault_json **out, scrvault *v, int64_t batch);
int scrvault_retention_refuse(scrvault_json **out, scrvault *v, int64_t batch);
/* Destroy what is due and allowed; with SCRVAULT_PURGE_DRY_RUN only say what would go. */
#define SCRVAULT_PURGE_DRY_RUN	1u
int scrvault_retention_purge(scrvault_json **out, scrvault *v, unsigned flags);
/* A destruction record with the inclusion proof of its audit entry
 * ({"record":{...},"proof":"..."}; the proof verifies with 'audit verify'). */
int scrvault_retention_certificate(scrvault_json **out, scrvault *v, int64_t id);

#endif
