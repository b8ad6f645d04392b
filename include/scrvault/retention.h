/*
 * scrvault/retention.h - case conclusion, holds, the retention plan, the
 * purge job and destruction records (000 §11.9).
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

/* Refused while any copy of the case is not destroyed (the copies are listed
 * in *out as {"blocking":[...]}); starts the case-concluded clocks. */
int scrvault_case_conclude(scrvault_json **out, scrvault *v, const char *ref,
			   const char *action_plan_approved_on, const char *ofsted_approved_on);
/* The executive summary was published on `on`; it comes off the web site
 * after the policy's publication window. */
int scrvault_case_publish(scrvault *v, const char *ref, const char *on);

/* A hold on a case or document (`target`), or with `board` on everything (of
 * `doc_class`, if given). */
int scrvault_hold_add(scrvault_json **out, scrvault *v, const char *target, bool board,
		      const char *doc_class, const char *reason);
int scrvault_hold_release(scrvault_json **out, scrvault *v, int64_t id, const char *reason);
/* Active holds and the automatic FOI holds. */
int scrvault_hold_list(scrvault_json **out, scrvault *v);

/* The board confirms the retention rules of the current policy. */
int scrvault_retention_confirm(scrvault *v);
/* Every live version with its rule, dates and status, as of a date. */
int scrvault_retention_plan(scrvault_json **out, scrvault *v, const char *as_of);
/* A disposal batch of the masters now due (they wait for its approval). */
int scrvault_retention_propose(scrvault_json **out, scrvault *v);
int scrvault_retention_decide(scrvault_json **out, scrvault *v, int64_t batch, bool approve);
/* Destroy what is due and allowed; with dry_run only say what would go. */
int scrvault_retention_purge(scrvault_json **out, scrvault *v, bool dry_run);
/* A destruction record with the inclusion proof of its audit entry
 * ({"record":{...},"proof":"..."}; the proof verifies with 'audit verify'). */
int scrvault_retention_certificate(scrvault_json **out, scrvault *v, int64_t id);

#endif
