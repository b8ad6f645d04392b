/*
 * session.h - an unlocked session (struct scrvault) and what every module of the
 * vault and records layers reads from it.  Layout of a vault directory:
 *   keyring          custodians' wraps of the vault master key (text)
 *   vault.db         SQLCipher database (+ -wal, -shm)
 *   store.git/       bare git repository of ciphertext and checkpoints
 *   lock             flock(2) target: one writer at a time
 *   unlock-failures  failed unlock attempts not yet in the audit log
 */
#ifndef SV_VAULT_SESSION_H
#define SV_VAULT_SESSION_H

#include "storage/db.h"
#include "storage/store.h"
#include "crypto/crypto.h"
#include "crypto/identity.h"
#include "base/common.h"
#include "scrvault/scrvault.h"

#define SV_VAULT_ID_LEN   32		/* hex characters */
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
	char *sealer;			/* an unsealed service's handle: the custodian who unsealed it */
	char *act_session;		/* acting for a session (audit entries name it), or NULL */
	char *act_client;		/* the peer a service acts for (audit entries name it), or NULL */
	struct sv_challenge *challenges;	/* sign-in challenges issued (signin.c), in memory only */
	size_t nchallenges;
	struct sv_wa_challenge *wa_challenges;	/* passkey challenges (passkey.c), in memory only */
	size_t nwa_challenges;
	sv_identity *ident;		/* the acting principal's keys (signing) */
	int64_t access_request;		/* restricted releases happen under this agreed request */
	bool custodian;
	/* What the open transaction has put on record (keyrelease.c checks it). */
	struct sv_named {
		char doc[SV_DOC_ID_LEN + 1];
		unsigned version;
	} *txn_named;			/* versions named by its audit entries */
	size_t txn_nnamed, txn_cap;
	size_t txn_entries;		/* entries it appended */
	char warning[512];		/* what the unlock set aside ("": nothing; scrvault_warning) */
	struct sv_upload *uploads;	/* live uploads (vault/spool.h; records/upload.c) */
};

/*
 * Who unlocks, and how they proved it, for sv_vault_open_vmk: a key file
 * (`id`, pinned to this vault; `as_id` too when given) or, without one (an
 * unseal), `verify`, called after the database and store opened and before
 * anything is written, which must check the custodian's proof and fill
 * `ed_pub` with the key it checked.  The custodian `name` must then be
 * registered, active, a custodian and hold `ed_pub`.
 */
typedef struct sv_unlocker {
	const char *name;
	unsigned char ed_pub[SV_KEY_LEN];
	const sv_identity *id;
	const char *keyfile;
	const sv_identity *as_id;
	const char *as_keyfile;
	int (*verify)(scrvault *v, struct sv_unlocker *u);
	void *ctx;
} sv_unlocker;

/* With v->vmk set (sv_session_new, then the master key): open the vault as
 * every unlock does (session.c); on success the session acts as u->name. */
int sv_vault_open_vmk(scrvault *v, sv_unlocker *u, bool store_pin);

/*
 * A call that signs with the acting principal's own key (`who`: "signer",
 * "holder", "witness"): 0 when the session holds it; on a service's handle
 * SCRVAULT_EUSAGE saying the signature must come from the client.
 */
int sv_need_own_key(scrvault *v, const char *who);

/* Keys derived from the vault master key. */
int sv_vault_subkey(sv_secret **out, const sv_secret *vmk, const char *vault_id,
		    const char *label);


/*
 * The vault key file `id` (read with its passphrase, so its header is
 * authenticated) belongs to must be `vault_id` with audit verifier key
 * `audit_pub` (NULL: the id only).  0, or SCRVAULT_EINTEGRITY: "this is not
 * the vault the key file belongs to" with both ids, or a file that pins no
 * vault (enrolled in none, or written before vaults were pinned) with the fix.
 */
int sv_vault_pin_check(const sv_identity *id, const char *keyfile, const char *vault_id,
		       const unsigned char *audit_pub);

/*
 * scrvault_vault_open for a vault a restore has just written from a backup
 * it checked against the key file's pin: the database's id and verifier key
 * are checked as always, the store's checkpoint (the mirror's) is left to
 * the restore, which reports a missing, foreign or altered one as a gap.
 */
int sv_vault_open_restored(scrvault **out, const scrvault_open_options *opts);

/* Take the vault's exclusive lock (flock on VAULT/lock); *fd holds it. */
int sv_vault_lock(int *fd, const char *dir);
/* A new, empty session of the vault `vault_id` at `dir` (nothing unlocked). */
int sv_session_new(scrvault **out, const char *dir, const char *vault_id);

/*
 * Make room for one more challenge in a session's table (`tablep` points to
 * the array's pointer, as sv_grow's) of *n
 * entries of `size` bytes (at most `max`; allocated here on first use) whose
 * int64_t expiry time stands at offset `expires_at`: the entries expired by
 * `now` go, and at the cap the oldest does.  0, or SCRVAULT_ERROR when out of memory.
 */
int sv_session_challenge_room(void *tablep, size_t *n, size_t size, size_t max, size_t expires_at, int64_t now);

#endif
