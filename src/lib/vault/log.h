/*
 * log.h - appending to the audit log, its Merkle tree and signed checkpoints (log.c).
 */
#ifndef SV_VAULT_LOG_H
#define SV_VAULT_LOG_H

#include "vault/session.h"
#include "crypto/merkle.h"

/*
 * Audit entries (DESIGN §8).  sv_audit_append adds one entry inside the
 * current transaction; `objects` and `details` (owned, may be NULL) are JSON
 * objects.  sv_audit_denied records a refused or failed attempt in its own
 * transaction and then returns `code` with the message it had, so callers
 * write `return sv_audit_denied(v, "doc.checkout", objs, NULL, error);`.
 */
int sv_audit_append(scrvault *v, const char *action, const char *outcome,
		    sv_json *objects, sv_json *details);

/* Node source over the stored tree (merkle.h), ctx = the session. */
int sv_audit_node(sv_hash *out, void *ctx, unsigned level, uint64_t index);

/* The newest signed checkpoint: size (0: none yet) and, if `note`, its text. */
int sv_audit_latest(int64_t *size, char **note, scrvault *v);

/* Number of entries in the log. */
int sv_audit_size(uint64_t *out, scrvault *v);

/*
 * Inside the transaction, before it commits: sign a checkpoint of the whole
 * log if it grew since the last one, after checking that the new tree
 * extends the last signed one (sv_vault_commit calls it).
 */
int sv_audit_sign(scrvault *v);

/*
 * Put the latest signed checkpoint into the store (refs/audit/checkpoint):
 * with `force`, whenever the store's is older; otherwise only when it is
 * PUBLISH_ENTRIES entries or PUBLISH_SECONDS behind (audit.c).
 */
int sv_audit_publish(scrvault *v, bool force);

/*
 * At unlock: read the store's checkpoint; set v->rolled_back if it does not
 * verify, is longer than the database's log or disagrees with it.
 */
int sv_audit_check_store(scrvault *v);

/* Leaf hash of an entry: SHA-256(0x00 || entry). */
void sv_audit_leaf(unsigned char out[SV_SHA256_LEN], const char *entry, size_t len);

/* The outcome word for an error code: "denied", "not-found", ... */
const char *sv_audit_outcome(int code);

/* {"key": "value"}, or NULL on allocation failure. */
sv_json *sv_obj1(const char *key, const char *value);

#endif
