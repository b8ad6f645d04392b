/*
 * session.c - unlocking and closing a vault, acting as another principal,
 * the role (the transaction every state change runs in is txn.c's).
 *
 * Key hierarchy (DESIGN §3): the vault master key (VMK, 32 random bytes)
 * exists on disk only wrapped to each custodian's X25519 key in `keyring`.
 * HKDF-SHA256 of the VMK (salt: the vault id) gives the SQLCipher key, the
 * key-encryption key for document keys, and the key that wraps the audit
 * signing key.  None of them is ever written anywhere in clear.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include "vault/session.h"
#include "vault/authz.h"
#include "vault/find.h"
#include "vault/keyring.h"
#include "vault/log.h"
#include "vault/policydb.h"
#include "vault/spool.h"
#include "vault/txn.h"
#include "vault/unlockfail.h"
#include "vault/vaultdir.h"
#include "storage/db.h"
#include "storage/schema.h"
#include "storage/store.h"
#include "crypto/crypto.h"
#include "crypto/identity.h"
#include "crypto/note.h"
#include "base/common.h"
#include "base/fault.h"
#include "base/file.h"
#include "base/json.h"

int sv_vault_subkey(sv_secret **out, const sv_secret *vmk, const char *vault_id,
		    const char *label)
{
	return sv_hkdf(out, SV_KEY_LEN, vmk, vault_id, strlen(vault_id),
		       label, strlen(label));
}


const char *scrvault_whoami(const scrvault *v) { return v->principal; }

const char *scrvault_role(const scrvault *v) { return v->role; }

const char *scrvault_id(const scrvault *v) { return v->id; }

const char *scrvault_warning(const scrvault *v) { return v && v->warning[0] ? v->warning : NULL; }

/* ---- locking, transactions, store head ----------------------------------- */

int sv_vault_lock(int *fdout, const char *dir)
{
	char *path = sv_path(dir, "lock");
	int fd;

	*fdout = -1;
	if (!path)
		return SCRVAULT_ERROR;
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	/* A read-only vault is still locked: flock needs no write access. */
	if (fd < 0 && (errno == EROFS || errno == EACCES))
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return sv_error(SCRVAULT_ERROR, "cannot open the vault lock in '%s': %s", dir, strerror(errno));
	/* Held by another process: try again, a little less often each time (to
	 * 100 ms), for SCRVAULT_LOCK_WAIT_SECONDS; a service that has the vault
	 * unsealed holds it for as long, so waiting for ever would hang quietly. */
	{
		struct timespec start, now, nap = { 0, 5 * 1000 * 1000 };
		/* Test builds: SCRVAULT_TEST_LOCK_WAIT seconds instead (the suite
		 * cannot wait a minute). */
		const char *hook = SV_TEST_GETENV("SCRVAULT_TEST_LOCK_WAIT");
		long wait = hook ? strtol(hook, NULL, 10) : 0;

		if (wait <= 0)
			wait = SCRVAULT_LOCK_WAIT_SECONDS;

		clock_gettime(CLOCK_MONOTONIC, &start);
		while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			if (errno != EWOULDBLOCK && errno != EINTR) {
				close(fd);
				return sv_error(SCRVAULT_ERROR, "cannot lock the vault: %s", strerror(errno));
			}
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec - start.tv_sec >= wait) {
				close(fd);
				return sv_error(SCRVAULT_ECONFLICT, "the vault '%s' is still in use by another process after "
						"%ld s: if the service scrvaultd has it, send the command through it "
						"(--server) or stop it; else try again when the other command is done",
						dir, wait);
			}
			nanosleep(&nap, NULL);
			if (nap.tv_nsec < 100 * 1000 * 1000)
				nap.tv_nsec += 5 * 1000 * 1000;
		}
	}
	*fdout = fd;
	return 0;
}

int scrvault_vault_in_use(const char *dir)
{
	char *path;
	int fd, busy;

	if (!dir || !*dir)
		return sv_error(SCRVAULT_EUSAGE, "no vault given");
	if (!(path = sv_path(dir, "lock")))
		return SCRVAULT_ERROR;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return 0;	/* no vault here (opening says so) */
	while ((busy = flock(fd, LOCK_EX | LOCK_NB)) < 0 && errno == EINTR)
		;
	busy = busy < 0 && errno == EWOULDBLOCK;
	close(fd);		/* releases the lock if it was taken */
	return busy;
}

/* Create the session struct around an open database and store. */
int sv_session_new(scrvault **out, const char *dir, const char *vault_id)
{
	scrvault *v = sv_calloc(1, sizeof(*v));
	unsigned char rid[8];

	*out = NULL;
	if (!v)
		return SCRVAULT_ERROR;
	v->lockfd = -1;
	if (!(v->dir = sv_strdup(dir))) {
		free(v);
		return SCRVAULT_ERROR;
	}
	snprintf(v->id, sizeof(v->id), "%s", vault_id);
	snprintf(v->origin, sizeof(v->origin), "scrvault.local/%s", vault_id);
	if (sv_random(rid, sizeof(rid)) < 0) {
		scrvault_vault_close(v);
		return SCRVAULT_ERROR;
	}
	sv_hex(v->request, rid, sizeof(rid));
	*out = v;
	return 0;
}

/* Unwrap the audit signing key and check it against its public half. */
static int load_audit_key(scrvault *v)
{
	sv_secret *wrap = NULL;
	sv_stmt *st = NULL;
	const unsigned char *pub, *sealed;
	unsigned char check[SV_KEY_LEN];
	size_t publen = 0, sealedlen = 0;
	int error;

	if ((error = sv_db_query(&st, v->db, "SELECT public, wrapped FROM vault_keys WHERE name = 'audit'", "")) < 0)
		return error;
	if ((error = sv_stmt_step(st)) != 1) {
		sv_stmt_free(st);
		return error < 0 ? error : sv_error(SCRVAULT_EINTEGRITY, "the vault has no audit signing key");
	}
	pub = sv_stmt_blob(st, 0, &publen);
	sealed = sv_stmt_blob(st, 1, &sealedlen);
	if (!pub || publen != SV_KEY_LEN || !sealed) {
		error = sv_error(SCRVAULT_EINTEGRITY, "the audit signing key record is damaged");
		goto done;
	}
	memcpy(v->audit_pub, pub, SV_KEY_LEN);
	if ((error = sv_vault_subkey(&wrap, v->vmk, v->id, SV_LABEL_AUDIT)) < 0)
		goto done;
	if ((error = sv_open(&v->audit_key, wrap, sealed, sealedlen, v->id, strlen(v->id))) < 0 ||
	    (error = sv_ed25519_public(check, v->audit_key)) < 0 ||
	    memcmp(check, v->audit_pub, SV_KEY_LEN) != 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "the audit signing key does not open or does not match");
		goto done;
	}
done:
	sv_secret_free(wrap);
	sv_stmt_free(st);
	return error;
}

/* ---- the vault a key file belongs to ------------------------------------------------ */

int sv_vault_pin_check(const sv_identity *id, const char *keyfile, const char *vault_id,
		       const unsigned char *audit_pub)
{
	if (!id->vault_id[0])
		return sv_error(SCRVAULT_EINTEGRITY, "key file '%s' (principal '%s') is enrolled in no vault yet, so it "
				"cannot tell a vault from a substitute: import the vault's acceptance first ('scrvault "
				"keyfile accept --key %s ACCEPTANCE'); refused", keyfile, id->name, keyfile);
	if (!id->vault_key)
		return sv_error(SCRVAULT_EINTEGRITY, "key file '%s' (principal '%s') names vault %s but not its verifier "
				"key, so it cannot tell that vault from a substitute: pin the verifier key the board "
				"publishes ('scrvault keyfile pin --key %s --vkey VKEY'); refused",
				keyfile, id->name, id->vault_id, keyfile);
	if (strcmp(id->vault_id, vault_id ? vault_id : "") != 0 ||
	    (audit_pub && memcmp(id->vault_pub, audit_pub, SV_KEY_LEN) != 0)) {
		char *vk = audit_pub && vault_id ? sv_note_vkey("", audit_pub) : NULL;
		int error = sv_error(SCRVAULT_EINTEGRITY, "this is not the vault the key file belongs to: key file '%s' "
				     "(principal '%s') belongs to vault %s (verifier key %s); this is vault %s%s%s; "
				     "refused, nothing written", keyfile, id->name, id->vault_id, id->vault_key,
				     vault_id ? vault_id : "?", vk ? " with verifier key " : "",
				     vk ? strchr(vk, '+') + 1 : "");

		free(vk);
		return error;
	}
	return 0;
}

/*
 * Right after the database opened, before anything is written: the
 * database's vault id and audit verifier key, and the store's latest signed
 * checkpoint, must be those the key file pins (the key file of the session
 * and the one it acts as).  A vault built by someone who knows every public
 * key fails here: they cannot sign with the vault's audit key.
 */
static int pin_check_vault(scrvault *v, const sv_identity *id, const char *keyfile, bool store)
{
	unsigned char pub[SV_KEY_LEN];
	char vid[SV_VAULT_ID_LEN + 1] = "", *note = NULL, origin[80];
	sv_checkpoint cp;
	sv_stmt *st = NULL;
	const unsigned char *b;
	size_t blen = 0;
	int error;

	memset(pub, 0, sizeof(pub));
	if ((error = sv_db_query(&st, v->db, "SELECT public FROM vault_keys WHERE name = 'audit'", "")) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1 && (b = sv_stmt_blob(st, 0, &blen)) && blen == SV_KEY_LEN)
		memcpy(pub, b, SV_KEY_LEN);
	sv_stmt_free(st);
	if (error < 0)
		return error;
	if ((error = sv_db_text_int(vid, sizeof(vid), NULL, v->db, "SELECT value FROM meta WHERE key = 'vault_id'", "")) < 0)
		return error;
	if (strcmp(vid, v->id) != 0)
		return sv_vault_pin_check(id, keyfile, vid, pub);
	if ((error = sv_vault_pin_check(id, keyfile, v->id, pub)) < 0 || !store)
		return error;
	error = sv_store_tag_get(&note, v->store, "refs/audit/checkpoint");
	if (error == SCRVAULT_ENOTFOUND)
		return 0;	/* the database's key was checked; the session writes it again */
	if (error < 0 && error != SCRVAULT_EINTEGRITY)
		return error;
	snprintf(origin, sizeof(origin), "scrvault.local/%s", id->vault_id);
	if (error < 0 || sv_checkpoint_open(&cp, note, strlen(note), origin, id->vault_pub) < 0)
		error = sv_error(SCRVAULT_EINTEGRITY, "this is not the vault the key file belongs to, or its store was "
				 "altered: the store's latest signed checkpoint does not verify with the verifier key "
				 "key file '%s' pins for vault %s (%s); refused, nothing written", keyfile,
				 id->vault_id, id->vault_key);
	free(note);
	return error;
}

/*
 * Without a key file to pin against (an unseal): the database opened with
 * the master key must say it is this vault.  Its checkpoint in the store is
 * then checked against its own audit key (sv_audit_check_store).
 */
static int db_is_vault(scrvault *v)
{
	char vid[SV_VAULT_ID_LEN + 1] = "";
	int error;

	if ((error = sv_db_text_int(vid, sizeof(vid), NULL, v->db, "SELECT value FROM meta WHERE key = 'vault_id'", "")) < 0)
		return error;
	if (strcmp(vid, v->id) != 0)
		return sv_error(SCRVAULT_EINTEGRITY, "vault.db is of vault %s, the keyring of vault %s: the directory "
				"was altered; refused, nothing written", vid[0] ? vid : "?", v->id);
	return 0;
}

/*
 * The steps every unlock takes once v->vmk holds the vault master key (the
 * key file's unwrap in vault_open, a custodian's answer in an unseal): the
 * lock, the database and store, the pin checks, then (only then) writes:
 * migrations, the audit key, the checkpoint, the unlocking custodian's
 * registration, failed unlocks moved into the log, the default policy.  One
 * rule, one place: scrvault_vault_open and scrvault_vault_unseal both call
 * it.  On success the session acts as the custodian u->name (v->ident is
 * the caller's to set).
 */
int sv_vault_open_vmk(scrvault *v, sv_unlocker *u, bool store_pin)
{
	const char *dir = v->dir;
	sv_secret *dbkey = NULL;
	char *path = NULL;
	int error;

	/* The lock before the database opens (its settings need it), though
	 * nothing is written until the vault is known to be the key file's. */
	if ((error = sv_vault_lock(&v->lockfd, dir)) < 0 ||
	    (error = sv_vault_subkey(&dbkey, v->vmk, v->id, SV_LABEL_DB)) < 0 ||
	    (error = sv_vault_subkey(&v->kek, v->vmk, v->id, SV_LABEL_KEK)) < 0)
		goto done;
	if (!(path = sv_path(dir, "vault.db"))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = sv_db_open(&v->db, path, dbkey, false)) < 0) {
		if (error == SCRVAULT_EDENIED)
			error = sv_error(SCRVAULT_EINTEGRITY,
					 "vault.db does not open with the vault master key: it was replaced or damaged");
		goto done;
	}
	free(path);
	if (!(path = sv_path(dir, "store.git"))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	/* Holding the vault's exclusive lock proves that no other process is
	 * writing the store: a lock file found there was left by a killed one. */
	{
		int cleared = 0;

		if ((error = sv_store_clear_stale(&cleared, path)) < 0)
			goto done;
		if (cleared > 0 && !v->warning[0])
			snprintf(v->warning, sizeof(v->warning),
				 "removed %d lock or temporary file%s that an interrupted command left in the store",
				 cleared, cleared == 1 ? "" : "s");
	}
	if ((error = sv_store_open(&v->store, path)) < 0 ||
	    (u->id && (error = pin_check_vault(v, u->id, u->keyfile, store_pin)) < 0) ||
	    (u->as_id && (error = pin_check_vault(v, u->as_id, u->as_keyfile, store_pin)) < 0) ||
	    (!u->id && (error = db_is_vault(v)) < 0) ||
	    (u->verify && (error = u->verify(v, u)) < 0))
		goto done;
	/* The vault is the key file's: from here on the session may write. */
	if ((error = sv_schema_migrate(v->db)) < 0 ||
	    (error = load_audit_key(v)) < 0 ||
	    (error = sv_vault_check_head(v)) < 0 || (error = sv_audit_check_store(v)) < 0)
		goto done;
	/* A checkpoint an interrupted command signed but did not copy to the
	 * store is copied now (a failure here is tried again at close).  Not in
	 * a vault restore has just written: whether the mirror it came from had
	 * a checkpoint is the restore's gap report to make. */
	if (store_pin && !v->rolled_back && !sv_db_readonly(v->db))
		(void)sv_audit_publish(v, true);

	/* The principal must be registered, active and hold these very keys. */
	{
		sv_principal p;

		if ((error = sv_find_principal(&p, v, u->name)) < 0)
			goto done;
		if (error == 0) {
			error = sv_error(SCRVAULT_EDENIED, "principal '%s' is not registered in this vault", u->name);
			goto done;
		}
		if (!p.keys_ok || memcmp(p.ed_pub, u->ed_pub, SV_KEY_LEN) != 0 || !p.active || !p.custodian) {
			sv_unlock_failure_note(dir, u->name, SV_UNLOCK_REVOKED);
			error = sv_error(SCRVAULT_EDENIED, "principal '%s' may not unlock this vault (revoked or key replaced)", u->name);
			goto done;
		}
		v->principal_id = p.id;
		v->custodian = true;
	}
	/* Until the role is settled below, what the session does (moving failed
	 * unlocks into the log, loading the default policy into an older vault)
	 * it does as the custodian who unlocked. */
	if (!(v->principal = sv_strdup(u->name)) || !(v->role = sv_strdup("custodian"))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if (!v->rolled_back && !sv_db_readonly(v->db) && ((error = sv_unlock_failures_ingest(v)) < 0 ||
				(error = sv_policy_ensure(v)) < 0))
		goto done;
done:
	sv_secret_free(dbkey);
	free(path);
	return error;
}

int sv_need_own_key(scrvault *v, const char *who)
{
	if (v->ident && v->ident->ed_priv)
		return 0;
	if (v->sealer)
		return sv_error(SCRVAULT_EUSAGE, "the %s's signature must come from their own machine: a service "
				"holds no one's private key (the client signs the statement and sends the signature)", who);
	return sv_error(SCRVAULT_ERROR, "the %s's private key is not available", who);
}

/* ---- open / close ---------------------------------------------------------------- */

/*
 * Key file `keyfile` with its passphrase pp: the public part into *pub first
 * (so that a failure can be recorded under its name), then all of it into
 * *id.  One that needs a passphrase and has none is a usage error about
 * `field`.  A wrong passphrase is SCRVAULT_EDENIED with *pub set (a refused
 * public part, *pub NULL, can be too).
 */
static int key_load(sv_identity **pub, sv_identity **id, const char *keyfile, const scrvault_secret *pp,
		    const char *field)
{
	int error;

	if ((error = sv_identity_load(pub, keyfile, NULL)) < 0)
		return error;
	if ((*pub)->has_passphrase && !pp)
		return sv_error_field(SCRVAULT_EUSAGE, field, "key file '%s' needs its passphrase", keyfile);
	return sv_identity_load(id, keyfile, pp);
}

/*
 * Switch the session to the principal of `keyfile` (not a custodian, or
 * another custodian) after the vault was unlocked: they must prove they hold
 * the key of a registered, active principal.  `pub` and `id` are its key
 * file as read before the vault was opened (`loaded` the code of reading it;
 * its vault was checked then); act_as takes `id`.  A failed attempt is an
 * audit entry of the unlocking custodian's session.
 */
static int act_as(scrvault *v, const char *keyfile, sv_identity *pub, sv_identity *id, int loaded)
{
	const char *why = NULL;
	sv_principal p;
	int error = loaded;

	if (loaded < 0) {
		if (loaded != SCRVAULT_EDENIED || !pub)
			goto done;
		why = "wrong passphrase";
	} else {
		if ((error = sv_find_principal(&p, v, id->name)) < 0)
			goto done;
		if (error == 0)
			why = "not registered";
		else if (!p.keys_ok || memcmp(p.ed_pub, id->ed_pub, SV_KEY_LEN) || memcmp(p.x_pub, id->x_pub, SV_KEY_LEN))
			why = "key replaced";
		else if (!p.active)
			why = "revoked";
	}
	if (why) {
		sv_error(SCRVAULT_EDENIED, "key file '%s' (principal '%s') may not act in this vault: %s",
			 keyfile, pub->name, why);
		error = v->rolled_back ? SCRVAULT_EDENIED
			: sv_audit_denied(v, "session.act-as", SV_ABOUT(.principal = pub->name),
					  SV_FIELDS(SV_STR("reason", why)), SCRVAULT_EDENIED);
		goto done;
	}
	if (strcmp(id->name, v->principal) == 0) {
		error = 0;	/* the custodian as themselves: nothing to switch */
		goto done;
	}
	free(v->unlocker);
	v->unlocker = v->principal;
	v->principal = NULL;
	if (!(v->principal = sv_strdup(id->name))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	v->principal_id = p.id;
	v->custodian = p.custodian;
	sv_identity_free(v->ident);
	v->ident = SV_TAKE(id);
	error = 0;
done:
	sv_identity_free(id);
	return error;
}

static int vault_open(scrvault **out, const scrvault_open_options *opts, bool store_pin)
{
	const char *dir, *keyfile, *as_keyfile, *role;
	const scrvault_secret *passphrase, *as_passphrase;
	sv_keyring *kr = NULL;
	sv_identity *id = NULL, *pub = NULL;
	const sv_keyring_entry *entry = NULL;
	sv_identity *aspub = NULL, *asid = NULL;
	scrvault *v = NULL;
	char *path = NULL, aad[160];
	struct stat sb;
	int error, asloaded = 0;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(opts, SCRVAULT_OPEN_OPTIONS_VERSION, "scrvault_open_options")) < 0)
		return error;
	dir = opts->dir;
	keyfile = opts->keyfile;
	passphrase = opts->passphrase;
	as_keyfile = opts->as_keyfile;
	as_passphrase = opts->as_passphrase;
	role = opts->role;
	if (!dir || !*dir)
		return sv_error_field(SCRVAULT_EUSAGE, "dir", "no vault given");
	if (!keyfile || !*keyfile)
		return sv_error_field(SCRVAULT_EUSAGE, "keyfile", "no key file given");
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return sv_error(SCRVAULT_ENOTFOUND, "vault directory '%s' does not exist", dir);
	/* Nothing of a vault is read before nobody else can have changed it (a
	 * directory without a keyring is no vault: keyring_load says so). */
	if ((path = sv_path(dir, "keyring")) && lstat(path, &sb) == 0 && (error = sv_vault_dir_check(dir)) < 0)
		goto done;
	free(path);
	path = NULL;
	if ((error = sv_keyring_load(&kr, dir)) < 0)
		goto done;
	if (!sv_secure_heap_locked() && !(opts->flags & SCRVAULT_OPEN_ALLOW_UNLOCKED_MEMORY)) {
		error = sv_error_field(SCRVAULT_EDENIED, "allow_unlocked_memory",
				       "the secure memory that would hold the vault's keys could not be locked in "
				       "memory, so they could be written to swap: raise the locked-memory limit "
				       "(ulimit -l, LimitMEMLOCK=) to at least 256 KiB, or accept the risk explicitly");
		goto done;
	}
	/* A vault shared with a group keeps new files readable by it. */
	if (sv_vault_dir_shared(dir))
		umask(027);

	/* Who claims to be unlocking: read the public part first, so a failure can
	 * be recorded under that name. */
	if ((error = key_load(&pub, &id, keyfile, passphrase, "passphrase")) < 0) {
		if (error == SCRVAULT_EDENIED && pub)
			sv_unlock_failure_note(dir, pub->name, SV_UNLOCK_WRONG_PASSPHRASE);
		goto done;
	}
	/* The vault the key file belongs to: before anything is written here. */
	if ((error = sv_vault_pin_check(id, keyfile, kr->id, NULL)) < 0)
		goto done;
	if (as_keyfile) {
		/* Its passphrase once, here; a wrong one is recorded by act_as. */
		asloaded = key_load(&aspub, &asid, as_keyfile, as_passphrase, "as_passphrase");
		if (asloaded < 0 && (asloaded != SCRVAULT_EDENIED || !aspub)) {
			error = asloaded;
			goto done;
		}
		if (asloaded == 0 && (error = sv_vault_pin_check(asid, as_keyfile, kr->id, NULL)) < 0)
			goto done;
	}
	for (size_t i = 0; i < kr->n; i++)
		if (strcmp(kr->entries[i].name, id->name) == 0 &&
		    memcmp(kr->entries[i].x_pub, id->x_pub, SV_KEY_LEN) == 0)
			entry = &kr->entries[i];
	if (!entry) {
		sv_unlock_failure_note(dir, id->name, SV_UNLOCK_NOT_CUSTODIAN);
		error = sv_error(SCRVAULT_EDENIED,
				 "key file '%s' (principal '%s') cannot unlock this vault: the principal is not a custodian",
				 keyfile, id->name);
		goto done;
	}
	if ((error = sv_session_new(&v, dir, kr->id)) < 0)
		goto done;
	sv_keyring_aad(aad, sizeof(aad), kr->id, entry->name);
	if ((error = sv_unwrap_with(&v->vmk, id->x_priv, entry->wrap, SV_WRAP_LEN(SV_KEY_LEN),
				    SV_LABEL_VMKWRAP, aad, strlen(aad))) < 0) {
		sv_unlock_failure_note(dir, id->name, SV_UNLOCK_KEYRING_MISMATCH);
		error = sv_error(SCRVAULT_EDENIED,
				 "the keyring entry of '%s' does not open with key file '%s'",
				 id->name, keyfile);
		goto done;
	}
	{
		sv_unlocker u = { .name = id->name, .id = id, .keyfile = keyfile,
				  .as_id = asloaded == 0 ? asid : NULL, .as_keyfile = as_keyfile };

		memcpy(u.ed_pub, id->ed_pub, SV_KEY_LEN);
		if ((error = sv_vault_open_vmk(v, &u, store_pin)) < 0)
			goto done;
		v->ident = SV_TAKE(id);
	}
	if (as_keyfile && (error = act_as(v, as_keyfile, aspub, SV_TAKE(asid), asloaded)) < 0)
		goto done;
	if ((error = sv_session_role(v, role)) < 0)
		goto done;
	if (opts->request < 0) {
		error = sv_error_field(SCRVAULT_EUSAGE, "request", "an access request is given by its number");
		goto done;
	}
	v->access_request = opts->request;
	/* What a killed session left in the upload spool: its keys are gone. */
	sv_spool_sweep(v->dir);
	v->opened = true;
	*out = SV_TAKE(v);
done:
	scrvault_vault_close(v);
	sv_keyring_free(kr);
	sv_identity_free(id);
	sv_identity_free(pub);
	sv_identity_free(asid);
	sv_identity_free(aspub);
	free(path);
	return error;
}

int scrvault_vault_open(scrvault **out, const scrvault_open_options *opts)
{
	return vault_open(out, opts, true);
}

int sv_vault_open_restored(scrvault **out, const scrvault_open_options *opts)
{
	return vault_open(out, opts, false);
}

void scrvault_vault_close(scrvault *v)
{
	if (!v)
		return;
	if (v->db && sv_db_in_txn(v->db))
		sv_vault_abort(v);
	sv_spool_close(v);
	/*
	 * A session ends with its latest signed checkpoint in the store, so a
	 * database restored from an older copy is caught by the next command.
	 * A failure here loses nothing (the database holds the checkpoint, and
	 * the next session copies it), so it must not replace the message of
	 * what the caller did.
	 */
	if (v->db && v->store && v->opened && !v->rolled_back && !sv_db_readonly(v->db)) {
		char saved[1024];

		snprintf(saved, sizeof(saved), "%s", scrvault_error_message());
		(void)sv_audit_publish(v, true);
		sv_error(0, "%s", saved);
	}
	sv_db_close(v->db);
	sv_store_free(v->store);
	sv_secret_free(v->vmk);
	sv_secret_free(v->kek);
	sv_secret_free(v->audit_key);
	sv_identity_free(v->ident);
	free(v->txn_named);
	free(v->unlocker);
	free(v->sealer);
	free(v->act_session);
	free(v->act_client);
	free(v->challenges);
	free(v->wa_challenges);
	if (v->lockfd >= 0)
		close(v->lockfd);
	free(v->dir);
	free(v->principal);
	free(v->role);
	free(v);
}

int sv_session_challenge_room(void *tablep, size_t *n, size_t size, size_t max, size_t expires_at, int64_t now)
{
	unsigned char *t;
	size_t keep = 0;

	memcpy(&t, tablep, sizeof(t));
	for (size_t i = 0; i < *n; i++) {
		int64_t expires;

		memcpy(&expires, t + i * size + expires_at, sizeof(expires));
		if (expires > now) {
			if (keep != i)
				memcpy(t + keep * size, t + i * size, size);
			keep++;
		}
	}
	*n = keep;
	if (!t) {
		if (!(t = sv_calloc(max, size)))
			return SCRVAULT_ERROR;
		memcpy(tablep, &t, sizeof(t));
	}
	if (*n == max) {
		memmove(t, t + size, (max - 1) * size);
		(*n)--;
	}
	return 0;
}
