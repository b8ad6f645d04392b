/*
 * vault_int.h - the inside of an unlocked vault session, shared by the
 * modules that implement the public API (vault.c, audit.c, records.c,
 * doc.c, fsck.c).
 *
 * Layout of a vault directory:
 *   keyring          custodians' wraps of the vault master key (text)
 *   vault.db         SQLCipher database (+ -wal, -shm)
 *   store.git/       bare git repository of ciphertext and checkpoints
 *   lock             flock(2) target: one writer at a time
 *   unlock-failures  failed unlock attempts not yet in the audit log
 */
#ifndef SV_VAULT_INT_H
#define SV_VAULT_INT_H

#include "scrvault/scrvault.h"
#include "common.h"
#include "crypto.h"
#include "db.h"
#include "store.h"
#include "json.h"
#include "identity.h"
#include "merkle.h"
#include "note.h"

#define SV_VAULT_ID_LEN   32		/* hex characters */
#define SV_SCHEMA_VERSION 10
#define SV_DOC_ID_LEN     32		/* hex characters */

/* HKDF labels: fixed forever for format version 1. */
#define SV_LABEL_DB       "scrvault v1 database key"
#define SV_LABEL_KEK      "scrvault v1 document key-encryption key"
#define SV_LABEL_AUDIT    "scrvault v1 audit signing key wrap"
#define SV_LABEL_VMKWRAP  "scrvault v1 vault master key wrap"

struct scrvault {
	char *dir;
	char id[SV_VAULT_ID_LEN + 1];
	char request[17];		/* this session's request id */
	int lockfd;
	sv_db *db;
	sv_store *store;
	sv_secret *vmk;
	sv_secret *kek;
	sv_secret *audit_key;		/* Ed25519 private key of the audit log */
	unsigned char audit_pub[SV_KEY_LEN];
	char origin[80];		/* "scrvault.local/<vault id>" */
	bool audit_dirty;		/* entries appended since the last checkpoint */
	bool dirty_before;		/* audit_dirty when the transaction began */
	bool rolled_back;		/* the store holds a newer checkpoint */
	char pending_head[SV_OID_HEXLEN + 1];	/* store head recorded in this transaction */
	int64_t signed_size;		/* size of the last checkpoint this session signed */
	int64_t published_size;		/* the store's checkpoint covers this many */
	int64_t published_at;		/* when this session last wrote it (0: never) */
	double audit_seconds;		/* time spent in audit work (benchmarks) */
	bool opened;			/* fully unlocked: scrvault_close publishes */
	char rollback_msg[256];
	int64_t principal_id;
	char *principal;		/* name */
	char *role;
	char *unlocker;			/* the custodian who unlocked, when someone else acts */
	sv_identity *ident;		/* the acting principal's keys (signing) */
	int64_t access_request;		/* restricted releases happen under this agreed request */
	bool custodian;
};

/* Current UTC time: seconds and "YYYY-MM-DDTHH:MM:SSZ". */
int64_t sv_now(void);
/* Seconds on the monotonic clock (for measuring). */
double sv_monotonic(void);
void sv_time_iso(char out[21], int64_t t);
/* Seconds since the epoch of "YYYY-MM-DDTHH:MM:SSZ", or -1 if malformed. */
int64_t sv_time_parse(const char *s);
/* Validate a YYYY-MM-DD date (a real calendar date). */
bool sv_date_valid(const char *s);
/* Today's date, YYYY-MM-DD (UTC). */
void sv_today(char out[11]);
/* An integer setting in meta (the policy's, mostly); `dflt` when absent or not positive. */
int64_t sv_meta_int(scrvault *v, const char *key, int64_t dflt);
/* Names: principals [a-z0-9._@-]{1,64}; case refs [A-Za-z0-9-]{1,32}. */
bool sv_name_valid(const char *s);
bool sv_ref_valid(const char *s);

/* Keys derived from the vault master key. */
int sv_vault_subkey(sv_secret **out, const sv_secret *vmk, const char *vault_id,
		    const char *label);

/* The keyring file. */
typedef struct {
	char *name;
	unsigned char x_pub[SV_KEY_LEN];
	unsigned char *wrap;	/* SV_WRAP_LEN(SV_KEY_LEN) bytes */
} sv_keyring_entry;

typedef struct {
	char id[SV_VAULT_ID_LEN + 1];
	sv_keyring_entry *entries;
	size_t n;
} sv_keyring;

int sv_keyring_load(sv_keyring **out, const char *dir);
int sv_keyring_save(const sv_keyring *kr, const char *dir, bool create);
int sv_keyring_add(sv_keyring *kr, const char *name,
		   const unsigned char x_pub[SV_KEY_LEN], const sv_secret *vmk);
void sv_keyring_free(sv_keyring *kr);
/*
 * Rewrite the keyring with a fresh wrap of the master key for every
 * custodian but `drop` (NULL: none), giving `name` (NULL: none) the public
 * key `x_pub` instead of its old one.
 */
int sv_keyring_rewrap(scrvault *v, const char *drop, const char *name,
		      const unsigned char x_pub[SV_KEY_LEN]);

/*
 * Transactions.  sv_vault_begin starts the one transaction of a state
 * change; sv_vault_commit commits it.  On any failure in between, call
 * sv_vault_abort, which rolls the database back and the store ref with it.
 */
int sv_vault_begin(scrvault *v);
int sv_vault_commit(scrvault *v);
void sv_vault_abort(scrvault *v);

/* The store commit the database knows as current ("" when none). */
int sv_vault_store_head(char out[SV_OID_HEXLEN + 1], scrvault *v);
/*
 * Inside the transaction: flush the store's new objects to disk and record
 * `commit` as the database's store head.  sv_vault_commit moves the ref
 * after the database commit, so the ref never runs ahead of the database.
 */
int sv_vault_record_commit(scrvault *v, const char *commit);

/*
 * Audit entries (DESIGN §8).  sv_audit_append adds one entry inside the
 * current transaction; `objects` and `details` (owned, may be NULL) are JSON
 * objects.  sv_audit_denied records a refused or failed attempt in its own
 * transaction and then returns `code` with the message it had, so callers
 * write `return sv_audit_denied(v, "doc.checkout", objs, NULL, error);`.
 */
int sv_audit_append(scrvault *v, const char *action, const char *outcome,
		    sv_json *objects, sv_json *details);
int sv_audit_denied(scrvault *v, const char *action, sv_json *objects,
		    sv_json *details, int code);
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
/* Sign any unsigned entries and publish the latest checkpoint now. */
int sv_audit_checkpoint(scrvault *v);
/* scrvault_audit_prove without the permission check (for callers that made their own). */
int sv_audit_prove(char **proof, scrvault *v, uint64_t seq);
/* Leaf hash of an entry: SHA-256(0x00 || entry). */
void sv_audit_leaf(unsigned char out[SV_SHA256_LEN], const char *entry, size_t len);
/* The outcome word for an error code: "denied", "not-found", ... */
const char *sv_audit_outcome(int code);

/* Records of a failed unlock, kept outside the database until the next
 * successful unlock moves them into the audit log. */
int sv_unlock_failure_note(const char *dir, const char *principal, const char *reason);
int sv_unlock_failures_ingest(scrvault *v);

/* Argon2id parameters for a new key file with `mib` MiB (0: default). */
sv_argon2_params sv_kdf_params(unsigned mib);
/* Check a principal spec; 0 or SCRVAULT_EUSAGE with the reason. */
int sv_principal_spec_check(const scrvault_principal_spec *s);
/* Insert a principal row (inside a transaction). */
int sv_principal_insert(scrvault *v, const scrvault_principal_spec *s,
			const sv_identity *id, int64_t *rowid);

/* Dual control (ops.c): does the policy hold `action` for a second custodian? */
bool sv_dual_required(scrvault *v, const char *action);
/* Record a pending operation (params owned); *out gets {"pending":ID,...}. */
int sv_op_request(sv_json **out, scrvault *v, const char *action, sv_json *params);
/* Inside a transaction: revoke a principal (records.c). */
int sv_principal_revoke_txn(scrvault *v, const char *name, const char *reason);
/* Inside a transaction, after its audit entry: a key release in the ledger. */
int sv_release_record(scrvault *v, const char *doc, unsigned version, int64_t access_request);
/*
 * Before releasing `doc` to `recipient` (a principal; or `outside`, NULL for
 * a principal): if its class is restricted (*restricted), the session's access
 * request must be agreed, unexpired, not used up, cover it and be the
 * recipient's (for someone outside: an outside request naming that age key,
 * or that name and organisation); else an audited refusal (requests.c).
 * sv_request_consume counts the release, inside its transaction.
 */
typedef struct {
	const char *age_recipient;	/* a release to an age1... key, or */
	const char *name, *org;		/* a paper copy to an outside holder */
} sv_outside;
int sv_request_check(scrvault *v, const char *doc, int64_t recipient, const sv_outside *outside, bool *restricted);
/* The same checks whatever the class (a concluded case's release); sets *restricted. */
int sv_request_require(scrvault *v, const char *doc, int64_t recipient, const sv_outside *outside, bool *restricted);
int sv_request_consume(scrvault *v);
/*
 * Paper copies are made and issued only while `caseref` is open; a release
 * (`release`) of a concluded case's document needs an access request.  0 if
 * open; 1 if concluded, `release`, and the session names a request, which the
 * caller must then hold the release to (sv_request_require); else an audited
 * SCRVAULT_ECONFLICT for `action` (copies.c).
 */
int sv_copy_case_open(scrvault *v, const char *action, const char *caseref, const char *doc, bool release);
/* A destruction (retention.c): the version, what it was, and why it goes. */
typedef struct {
	const char *doc;
	unsigned version;
	const char *cls, *caseref;
	const char *rule, *trigger_on, *due_on;	/* trigger_on may be NULL */
	const char *authorised_by;
	int master;				/* 1, 0, or -1 unknown */
} sv_destruction;
/*
 * Inside a transaction: destroy a live version - its wrapped key deleted
 * (guarded by state = 'live'), a retention.destroy audit entry carrying the
 * record, and the destruction record (*record gets its id).
 */
int sv_version_destroy(scrvault *v, const sv_destruction *d, int64_t *record);
/* The store commit message of a destruction: `title`, then a record of each
 * removed version (document, version, blob) signed by the audit key, which a
 * restore from an older backup verifies before destroying again (replication.c). */
int sv_replication_destruction_note(char **out, scrvault *v, const char *title, const char *base,
				    const sv_store_update *ups, size_t n);
/* "document D version N was destroyed on DATE under rule R" (ENOTFOUND). */
int sv_destroyed_message(scrvault *v, const char *doc, unsigned version);
/*
 * Inside a transaction: an electronic copy of DOC@VERSION in the register,
 * issued by a release (copies.c).  *number gets its number, *id its
 * register number.
 */
int sv_copy_electronic(scrvault *v, const char *doc, unsigned version, int64_t release_id,
		       int64_t holder_id, const char *outside, int64_t *number, int64_t *id);

/* {"key": "value"}, or NULL on allocation failure. */
sv_json *sv_obj1(const char *key, const char *value);
/* Collect the rows of a query (one optional text argument) into an array. */
int sv_query_array(sv_json **out, scrvault *v, sv_json *(*row)(sv_stmt *),
		   const char *sql, const char *fmt, const char *a1);

/* What the database records of one document version. */
typedef struct {
	uint64_t size;
	unsigned char sha[SV_SHA256_LEN];
	unsigned char ct_sha[SV_SHA256_LEN];
	char oid[SV_OID_HEXLEN + 1];
	unsigned char wrapped[SV_SEALED_LEN(SV_KEY_LEN)];
	char state[16];
} sv_version_row;

/* Load a version's record (*version 0: the latest, set on return). */
int sv_version_load(sv_version_row *r, scrvault *v, const char *doc, unsigned *version);
/*
 * Decrypt and verify a version into fd (fd < 0: verify only): blob size,
 * every chunk's tag, plaintext and ciphertext SHA-256.  SCRVAULT_EINTEGRITY
 * with a message naming the document on any mismatch.
 */
int sv_doc_decrypt(scrvault *v, const char *doc, unsigned version,
		   const sv_version_row *r, int fd);
/* The same into a sink (0 or a negative code with the message set). */
typedef int (*sv_sink_fn)(void *ctx, const void *buf, size_t len);
int sv_doc_decrypt_to(scrvault *v, const char *doc, unsigned version,
		      const sv_version_row *r, sv_sink_fn sink, void *sink_ctx);

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
 * A document id or unique prefix (at least 6 hex characters) to the full id
 * and its case reference (doc.c).
 */
int sv_doc_resolve(char out[SV_DOC_ID_LEN + 1], char caseref[40], scrvault *v, const char *doc);
/* Every sign-off of a document, each verified again (signoff.c). */
int sv_signoffs(sv_json **out, scrvault *v, const char *doc);

/* Fan-out path of a version's blob in the store. */
void sv_blob_path(char *out, size_t len, const char *doc, unsigned version);
/* Associated data binding a blob or wrapped key to vault, document, version. */
void sv_blob_context(char *out, size_t len, const scrvault *v, const char *doc,
		     unsigned version);

#endif
