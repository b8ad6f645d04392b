/*
 * scrvault/vault.h - the process, secrets, and a vault: creating it,
 * unlocking it, closing it.
 *
 * A scrvault handle is one unlocked session of one principal acting in one
 * role.  It holds the vault's keys in secure memory and the vault lock until
 * scrvault_vault_close().  Every call that changes state is one database
 * transaction that includes its audit entry; a call that is refused still
 * writes an audit entry saying so.
 */
#ifndef SCRVAULT_VAULT_H
#define SCRVAULT_VAULT_H

#include "scrvault/common.h"

/* Process set-up: secure heap, core dumps off, fds 0-2 open.  Call first. */
int scrvault_global_init(void);
/*
 * The process will only seal bundles and open releases (scrvault/seal.h):
 * no vault, no TLS, no certificates.  It starts faster (OpenSSL's legacy
 * name tables and error strings are not built); anything else may then fail.
 */
#define SCRVAULT_INIT_BUNDLES_ONLY	1u
/* scrvault_global_init with SCRVAULT_INIT_ flags. */
int scrvault_global_init_ex(unsigned flags);

/* A passphrase in secure memory, copied from `len` bytes at `buf`. */
int scrvault_secret_new(scrvault_secret **out, const void *buf, size_t len);
/* Read a passphrase file (first line, without its newline). */
int scrvault_secret_read_file(scrvault_secret **out, const char *path);
void scrvault_secret_free(scrvault_secret *s);
/*
 * Whether `passphrase` may protect a new key file: 0, or SCRVAULT_EUSAGE
 * (field "passphrase") when it is missing, shorter than 12 characters, or
 * one of the 10 000 most common passwords, in any case.  Every call that
 * writes a key file under a new passphrase applies it itself; a program
 * calls it to refuse early, before it asks for anything else.
 */
int scrvault_passphrase_check(const scrvault_secret *passphrase);
/*
 * Whether the secure heap that holds keys is locked in memory (it cannot be
 * swapped to disk).  When it is not (RLIMIT_MEMLOCK too low, no
 * CAP_IPC_LOCK), scrvault_vault_open refuses to unwrap a custodian's key
 * unless SCRVAULT_OPEN_ALLOW_UNLOCKED_MEMORY is given.
 */
bool scrvault_secure_memory_locked(void);

/* A principal to create (scrvault_vault_init, scrvault_principal_add). */
typedef struct {
	unsigned int version;
	const char *name;		/* principal name, [a-z0-9._@-], unique */
	const char *display_name;	/* a person's or agency's name */
	const char *kind;		/* "person", "agency" or "service" */
	const char *contact;		/* phone / e-mail for recall */
	const char *agency;		/* for agency accounts and their staff */
	bool custodian;			/* may unlock the vault */
	unsigned kdf_mib;		/* Argon2id memory of the key file in MiB (0: 46; at least 19) */
} scrvault_principal_spec;
#define SCRVAULT_PRINCIPAL_SPEC_VERSION 1
#define SCRVAULT_PRINCIPAL_SPEC_INIT { SCRVAULT_PRINCIPAL_SPEC_VERSION }

/*
 * Create a vault at `dir` (must not exist, or be an empty directory) with
 * `first` as its first custodian, whose key file is written to `keyfile`
 * (created 0600, never overwritten) under `passphrase`.
 */
int scrvault_vault_init(const char *dir, const scrvault_principal_spec *first,
			const char *keyfile, const scrvault_secret *passphrase);

/* How the vault directory is shared (scrvault_vault_init_ex). */
typedef struct {
	unsigned int version;
	/*
	 * NULL: the directory is 0700, the owner's alone.  A group name: the
	 * directory is 2750 with that group (setgid, so what is added later
	 * keeps it), and the keyring, vault.db and store.git are readable by
	 * the group: its members can copy the vault's ciphertext (a file-level
	 * backup, a monitor) but never change it, and without a custodian's key
	 * file read nothing in it.  The lock and unlock-failures stay the
	 * owner's (0600).
	 */
	const char *group;
} scrvault_init_options;
#define SCRVAULT_INIT_OPTIONS_VERSION 1
#define SCRVAULT_INIT_OPTIONS_INIT { SCRVAULT_INIT_OPTIONS_VERSION }

/* scrvault_vault_init, the directory shared as `opts` says (NULL: 0700). */
int scrvault_vault_init_ex(const char *dir, const scrvault_principal_spec *first,
			   const char *keyfile, const scrvault_secret *passphrase,
			   const scrvault_init_options *opts);

/* How to unlock a vault and whom the session acts as. */
typedef struct {
	unsigned int version;
	const char *dir;			/* the vault */
	const char *keyfile;			/* a custodian's key file */
	const scrvault_secret *passphrase;	/* NULL for a key file without one */
	const char *as_keyfile;			/* act as this principal (NULL: the custodian) */
	const scrvault_secret *as_passphrase;
	const char *role;			/* NULL: coordinator if held, else the only role */
	int64_t request;			/* releases under this agreed access request (0: none) */
	unsigned flags;				/* SCRVAULT_OPEN_* */
} scrvault_open_options;
#define SCRVAULT_OPEN_OPTIONS_VERSION 2
/*
 * Unwrap the custodian's key even though the secure heap could not be locked
 * in memory (scrvault_secure_memory_locked() false), so keys may reach swap.
 * Without it such an unlock is SCRVAULT_EDENIED (field
 * "allow_unlocked_memory").
 */
#define SCRVAULT_OPEN_ALLOW_UNLOCKED_MEMORY	1u
#define SCRVAULT_OPEN_OPTIONS_INIT { SCRVAULT_OPEN_OPTIONS_VERSION }

/*
 * Unlock the vault with a custodian's key file; with as_keyfile, act as the
 * principal of that file (registered, active, holding that key; every entry
 * names them with the custodian as "unlocked_by").  The role must be one
 * the acting principal holds.  A failed unlock is recorded for the audit
 * trail before this returns.
 *
 * Before any key is used, the vault directory, keyring, vault.db (-wal,
 * -shm), store.git (and its top level) and lock must be
 * owned by the user running and writable by nobody else: otherwise
 * SCRVAULT_EINTEGRITY, naming the file and the fix (chmod -R go-w DIR),
 * with nothing written.  In a vault shared with a group (init's group) the
 * process umask becomes 027, so that what the session adds stays readable
 * by the group.
 *
 * One process at a time holds a vault (its lock file): another waits for
 * it, up to SCRVAULT_LOCK_WAIT_SECONDS, then SCRVAULT_ECONFLICT naming the
 * likely holder (a service that has it unsealed holds it for as long).
 * A program says so before it waits: scrvault_vault_in_use.
 */
int scrvault_vault_open(scrvault **out, const scrvault_open_options *opts);

#define SCRVAULT_LOCK_WAIT_SECONDS	60

/*
 * Whether another process holds the vault in `dir` now: 1 (opening it would
 * wait), 0 (it would not, or there is no vault there), or an error.  A
 * probe: it takes and at once releases the lock, changing nothing.
 */
int scrvault_vault_in_use(const char *dir);
/* Publish the latest audit checkpoint, wipe the keys, release the lock. NULL-safe. */
void scrvault_vault_close(scrvault *v);

/* Name of the principal and role of this session; the vault id (32 hex). */
const char *scrvault_whoami(const scrvault *v);
const char *scrvault_role(const scrvault *v);
const char *scrvault_id(const scrvault *v);
/*
 * What the unlock found and set aside that the user should know of (a
 * record of failed unlocks that scrvault did not write), or NULL.  The
 * audit log has it too.
 */
const char *scrvault_warning(const scrvault *v);

#endif
