/*
 * scrvault/vault.h - creating, unlocking and checking a vault.
 *
 * A scrvault handle is one unlocked session of one principal acting in one
 * role.  It holds the vault's keys in secure memory and the vault lock until
 * scrvault_close().  Every call that changes state is one database
 * transaction that includes its audit entry; a call that is refused still
 * writes an audit entry saying so.
 */
#ifndef SCRVAULT_VAULT_H
#define SCRVAULT_VAULT_H

#include <stdbool.h>
#include <stdint.h>
#include "scrvault/error.h"
#include "scrvault/json.h"

typedef struct scrvault scrvault;
typedef struct sv_secret scrvault_secret;

/* Process set-up: secure heap, core dumps off, fds 0-2 open.  Call first. */
int scrvault_global_init(void);
/*
 * The process will only seal bundles and open releases
 * (scrvault_intake_seal, scrvault_open_release): no vault, no TLS, no
 * certificates.  It starts faster (OpenSSL's legacy name tables and error
 * strings are not built); anything else may then fail.
 */
#define SCRVAULT_INIT_BUNDLES_ONLY	1u
/* scrvault_global_init with SCRVAULT_INIT_ flags. */
int scrvault_global_init_ex(unsigned flags);

/* A passphrase in secure memory, copied from `len` bytes at `buf`. */
int scrvault_secret_new(scrvault_secret **out, const void *buf, size_t len);
/* Read a passphrase file (first line, without its newline). */
int scrvault_secret_read_file(scrvault_secret **out, const char *path);
void scrvault_secret_free(scrvault_secret *s);

/* A principal to create. kdf_mib: Argon2id memory for the key file in MiB (0: the default, 46). */
typedef struct {
	const char *name;		/* principal name, [a-z0-9._@-], unique */
	const char *display_name;	/* a person's or agency's name */
	const char *kind;		/* "person", "agency" or "service" */
	const char *contact;		/* phone / e-mail for recall */
	const char *agency;		/* for agency accounts and their staff */
	bool custodian;			/* may unlock the vault */
	unsigned kdf_mib;		/* 0 = default */
} scrvault_principal_spec;

/*
 * Create a vault at `dir` (must not exist, or be an empty directory) with
 * `first` as its first custodian, whose key file is written to `keyfile`
 * (created 0600, never overwritten) under `passphrase`.
 */
int scrvault_init(const char *dir, const scrvault_principal_spec *first,
		  const char *keyfile, const scrvault_secret *passphrase);

/*
 * Unlock the vault at `dir` with a custodian's key file.  `role` is the role
 * the principal acts in, one they hold (NULL: "coordinator" if held, else
 * their only role).  A failed unlock is recorded for the audit trail before
 * this returns.
 */
int scrvault_open(scrvault **out, const char *dir, const char *keyfile,
		  const scrvault_secret *passphrase, const char *role);
/*
 * The same, then act as the principal of `as_keyfile` (which need not be a
 * custodian): the custodian's key unlocks, the other principal is checked
 * (registered, active, holding that key) and every entry names them, with
 * the custodian as "unlocked_by".  `role` must be one the acting principal
 * holds (NULL: coordinator if held, else their only role).
 */
int scrvault_open_as(scrvault **out, const char *dir, const char *keyfile,
		     const scrvault_secret *passphrase, const char *as_keyfile,
		     const scrvault_secret *as_passphrase, const char *role);
void scrvault_close(scrvault *v);

/* Name of the principal and role of this session. */
const char *scrvault_whoami(const scrvault *v);
const char *scrvault_role(const scrvault *v);
/* The vault id (32 hex characters). */
const char *scrvault_id(const scrvault *v);

/*
 * Check database <-> git <-> audit consistency and decrypt every live
 * version.  *report gets {"problems":[...],"warnings":[...],"checked":{...}}.
 * Returns 0 when there are no problems, SCRVAULT_EINTEGRITY otherwise.
 */
int scrvault_fsck(scrvault_json **report, scrvault *v);

#endif
