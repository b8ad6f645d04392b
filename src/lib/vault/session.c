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
#include "vault/txn.h"
#include "vault/unlockfail.h"
#include "vault/vaultdir.h"
#include "storage/db.h"
#include "storage/schema.h"
#include "storage/store.h"
#include "crypto/crypto.h"
#include "crypto/identity.h"
#include "base/common.h"
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
	free(path);
	if (fd < 0)
		return sv_error(SCRVAULT_ERROR, "cannot open the vault lock in '%s': %s", dir, strerror(errno));
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close(fd);
			return sv_error(SCRVAULT_ERROR, "cannot lock the vault: %s", strerror(errno));
		}
	}
	*fdout = fd;
	return 0;
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
 * the key of a registered, active principal.  A failed attempt is an audit
 * entry of the unlocking custodian's session.
 */
static int act_as(scrvault *v, const char *keyfile, const scrvault_secret *pp)
{
	sv_identity *pub = NULL, *id = NULL;
	const char *why = NULL;
	sv_principal p;
	int error;

	if ((error = key_load(&pub, &id, keyfile, pp, "as_passphrase")) < 0) {
		if (error != SCRVAULT_EDENIED || !pub)
			goto done;
		why = "wrong passphrase";
	} else if (strcmp(id->vault_id, v->id) != 0) {
		why = "key file of another vault";
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
	sv_identity_free(pub);
	sv_identity_free(id);
	return error;
}

int scrvault_vault_open(scrvault **out, const scrvault_open_options *opts)
{
	const char *dir, *keyfile, *as_keyfile, *role;
	const scrvault_secret *passphrase, *as_passphrase;
	sv_keyring *kr = NULL;
	sv_identity *id = NULL, *pub = NULL;
	sv_secret *dbkey = NULL;
	const sv_keyring_entry *entry = NULL;
	scrvault *v = NULL;
	char *path = NULL, aad[160];
	struct stat sb;
	int error;

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
	for (size_t i = 0; i < kr->n; i++)
		if (strcmp(kr->entries[i].name, id->name) == 0 &&
		    memcmp(kr->entries[i].x_pub, id->x_pub, SV_KEY_LEN) == 0)
			entry = &kr->entries[i];
	if (!entry) {
		sv_unlock_failure_note(dir, id->name, strcmp(id->vault_id, kr->id)
				       ? SV_UNLOCK_OTHER_VAULT : SV_UNLOCK_NOT_CUSTODIAN);
		error = sv_error(SCRVAULT_EDENIED,
				 "key file '%s' (principal '%s') cannot unlock this vault: %s",
				 keyfile, id->name, strcmp(id->vault_id, kr->id)
				 ? "it belongs to another vault" : "the principal is not a custodian");
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
	if ((error = sv_schema_migrate(v->db)) < 0 || (error = load_audit_key(v)) < 0)
		goto done;
	free(path);
	if (!(path = sv_path(dir, "store.git"))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = sv_store_open(&v->store, path)) < 0 || (error = sv_vault_check_head(v)) < 0 ||
	    (error = sv_audit_check_store(v)) < 0)
		goto done;

	/* The principal must be registered, active and hold these very keys. */
	{
		sv_principal p;

		if ((error = sv_find_principal(&p, v, id->name)) < 0)
			goto done;
		if (error == 0) {
			error = sv_error(SCRVAULT_EDENIED, "principal '%s' is not registered in this vault", id->name);
			goto done;
		}
		if (!p.keys_ok || memcmp(p.ed_pub, id->ed_pub, SV_KEY_LEN) != 0 || !p.active || !p.custodian) {
			sv_unlock_failure_note(dir, id->name, SV_UNLOCK_REVOKED);
			error = sv_error(SCRVAULT_EDENIED, "principal '%s' may not unlock this vault (revoked or key replaced)", id->name);
			goto done;
		}
		v->principal_id = p.id;
		v->custodian = true;
	}
	/* Until the role is settled below, what the session does (moving failed
	 * unlocks into the log, loading the default policy into an older vault)
	 * it does as the custodian who unlocked. */
	if (!(v->principal = sv_strdup(id->name)) || !(v->role = sv_strdup("custodian"))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	v->ident = SV_TAKE(id);
	if (!v->rolled_back && ((error = sv_unlock_failures_ingest(v)) < 0 ||
				(error = sv_policy_ensure(v)) < 0))
		goto done;
	if (as_keyfile && (error = act_as(v, as_keyfile, as_passphrase)) < 0)
		goto done;
	if ((error = sv_session_role(v, role)) < 0)
		goto done;
	if (opts->request < 0) {
		error = sv_error_field(SCRVAULT_EUSAGE, "request", "an access request is given by its number");
		goto done;
	}
	v->access_request = opts->request;
	v->opened = true;
	*out = SV_TAKE(v);
done:
	scrvault_vault_close(v);
	sv_keyring_free(kr);
	sv_identity_free(id);
	sv_identity_free(pub);
	sv_secret_free(dbkey);
	free(path);
	return error;
}

void scrvault_vault_close(scrvault *v)
{
	if (!v)
		return;
	if (v->db && sv_db_in_txn(v->db))
		sv_vault_abort(v);
	/*
	 * A session ends with its latest signed checkpoint in the store, so a
	 * database restored from an older copy is caught by the next command.
	 * A failure here loses nothing (the database holds the checkpoint, and
	 * the next session copies it), so it must not replace the message of
	 * what the caller did.
	 */
	if (v->db && v->store && v->opened && !v->rolled_back) {
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
	if (v->lockfd >= 0)
		close(v->lockfd);
	free(v->dir);
	free(v->principal);
	free(v->role);
	free(v);
}
