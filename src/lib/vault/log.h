/*
 * log.h - appending to the audit log, its Merkle tree and signed checkpoints (log.c).
 */
#ifndef SV_VAULT_LOG_H
#define SV_VAULT_LOG_H

#include "vault/session.h"
#include "crypto/merkle.h"
#include "base/json.h"
#include "base/common.h"

/*
 * What an action is about: what sv_authorize checks, and what an audit
 * entry's "objects" names (each member that is set, under the name in the
 * comment).  Typed, so that nothing is built as JSON to be read back.
 *
 *   sv_authorize(v, "doc.read", SV_ABOUT(.caseref = ref, .doc = id, .version = n))
 */
typedef struct {
	const char *caseref;		/* "case" */
	const char *doc;		/* "doc": a document id */
	int64_t version;		/* "version" (0: none) */
	const char *doc_class;		/* "class": a document to be made (else its own) */
	const char *agency;		/* "agency": likewise */
	const char *principal;		/* "principal": a name */
	int64_t copy;			/* "copy": a register number */
	int64_t request;		/* "request": an access request */
	int64_t hold;			/* "hold" */
	int64_t release;		/* "release": a bundle release */
	int64_t intake;			/* "intake": an imported bundle */
	const char *op;			/* "op": a pending operation's id */
	const char *mirror;		/* "mirror": its name */
	const char *policy;		/* "policy": a policy version */
	const char *bundle_sha256;	/* "bundle_sha256": a refused bundle */
} sv_about;
#define SV_ABOUT(...)	(&(const sv_about){ __VA_ARGS__ })

/*
 * Audit entries (DESIGN §8).  sv_audit_append adds one entry inside the
 * current transaction: objects from `about` (NULL: none), details from the
 * typed `details` (NULL: none; see sv_json_set_fields).
 */
int sv_audit_append(scrvault *v, const char *action, const char *outcome,
		    const sv_about *about, const sv_field *details);

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

/* The outcome word for an error code: "denied", "not-found", ... */
const char *sv_audit_outcome(int code);

#endif
