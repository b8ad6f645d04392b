/*
 * txn.h - the transaction of a state change, and refusals on record (txn.c).
 */
#ifndef SV_VAULT_TXN_H
#define SV_VAULT_TXN_H

#include "vault/log.h"
#include "vault/session.h"
#include "base/json.h"
#include "base/common.h"

/*
 * Transactions.  sv_vault_begin starts the one transaction of a state
 * change; sv_vault_commit signs the checkpoint of what it appended and
 * commits it.  On any failure in between, call sv_vault_abort, which rolls
 * the database back and the store ref with it.
 */
int sv_vault_begin(scrvault *v);
int sv_vault_commit(scrvault *v);
void sv_vault_abort(scrvault *v);
/* sv_vault_abort, then `error`: return sv_vault_fail(v, error). */
int sv_vault_fail(scrvault *v, int error);
/*
 * The end of most state changes: the "ok" audit entry of `action` (about,
 * details) appended and the transaction committed; on a failure of either
 * it is rolled back (sv_vault_abort).  0, or the error.
 */
int sv_vault_finish(scrvault *v, const char *action, const sv_about *about, const sv_field *details);

/*
 * Record a refused or failed attempt in its own transaction (any open one
 * is rolled back first), then return `code` with the message and field the
 * caller had set, so callers write
 *   return sv_audit_denied(v, "doc.checkout", SV_ABOUT(.doc = id), NULL, error);
 * The message is never copied into the entry (it may quote free text):
 * structured reasons go in `details`.
 */
int sv_audit_denied(scrvault *v, const char *action, const sv_about *about,
		    const sv_field *details, int code);

/* Sign any unsigned entries and publish the latest checkpoint now. */
int sv_audit_checkpoint(scrvault *v);

/*
 * At unlock: the store ref must be the database's store head or an ancestor
 * of it (then it is moved up); otherwise v->rolled_back is set and every
 * state change is refused.
 */
int sv_vault_check_head(scrvault *v);

#endif
