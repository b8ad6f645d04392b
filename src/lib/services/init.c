/*
 * init.c - creating a vault: directory, keyring, database, store, audit
 * key, the first custodian and the default policy, all or nothing.
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
#include "services/tls.h"
#include "records/principal.h"
#include "vault/keyring.h"
#include "vault/log.h"
#include "vault/meta.h"
#include "vault/policydb.h"
#include "vault/policyfile.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "vault/vaultdir.h"
#include "storage/db.h"
#include "storage/schema.h"
#include "storage/store.h"
#include "crypto/crypto.h"
#include "crypto/identity.h"
#include "crypto/kdf.h"
#include "crypto/note.h"
#include "crypto/passphrase.h"
#include "base/common.h"
#include "base/fault.h"
#include "base/date.h"
#include "base/file.h"
#include "base/json.h"

/* ---- init --------------------------------------------------------------------- */

static bool dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool empty = true;

	if (!d)
		return false;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = false;
	closedir(d);
	return empty;
}

int scrvault_vault_init(const char *dir, const scrvault_principal_spec *first,
		  const char *keyfile, const scrvault_secret *passphrase)
{
	return scrvault_vault_init_ex(dir, first, keyfile, passphrase, NULL);
}

int scrvault_vault_init_ex(const char *dir, const scrvault_principal_spec *first,
			   const char *keyfile, const scrvault_secret *passphrase,
			   const scrvault_init_options *opts)
{
	unsigned char vid[SV_VAULT_ID_LEN / 2];
	sv_argon2_params kdf;
	sv_keyring *kr = NULL;
	sv_identity *id = NULL;
	sv_secret *dbkey = NULL, *auditwrap = NULL, *auditkey = NULL;
	unsigned char auditpub[SV_KEY_LEN], sealed[SV_SEALED_LEN(SV_KEY_LEN)];
	char *path = NULL, commit[SV_OID_HEXLEN + 1], blob[SV_OID_HEXLEN + 1];
	char *ident = NULL;
	scrvault *v = NULL;
	struct stat sb;
	bool made_dir = false, made_contents = false, wrote_key = false;
	int error;

	if ((error = sv_principal_spec_check(first)) < 0)
		return error;
	if (opts && (error = SV_STRUCT_CHECK(opts, SCRVAULT_INIT_OPTIONS_VERSION, "scrvault_init_options")) < 0)
		return error;
	if (!first->custodian)
		return sv_error(SCRVAULT_EUSAGE, "the first principal must be a custodian");
	if (!passphrase)
		return sv_error(SCRVAULT_EUSAGE, "the first custodian's key file needs a passphrase");
	if ((error = sv_passphrase_check(passphrase, "passphrase")) < 0)
		return error;
	if (lstat(keyfile, &sb) == 0)
		return sv_error(SCRVAULT_ECONFLICT, "key file '%s' already exists; choose another path", keyfile);
	if (lstat(dir, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode) || !dir_is_empty(dir))
			return sv_error(SCRVAULT_ECONFLICT,
					"'%s' already exists and is not an empty directory; choose a new path", dir);
	} else if (mkdir(dir, 0700) < 0) {
		return sv_error(SCRVAULT_ERROR, "cannot create '%s': %s", dir, strerror(errno));
	} else {
		made_dir = true;
	}
	made_contents = true;
	/* 0700, or 2750 for a group; then as every command will check it. */
	if ((error = sv_vault_dir_setup(dir, opts ? opts->group : NULL)) < 0 ||
	    (error = sv_vault_dir_check(dir)) < 0)
		goto done;
	if (opts && opts->group)
		umask(027);
	kdf = sv_kdf_params(first->kdf_mib);

	if ((error = sv_random(vid, sizeof(vid))) < 0 ||
	    (error = (kr = sv_calloc(1, sizeof(*kr))) ? 0 : SCRVAULT_ERROR) < 0)
		goto done;
	sv_hex(kr->id, vid, sizeof(vid));
	if ((error = sv_session_new(&v, dir, kr->id)) < 0 ||
	    (error = sv_vault_lock(&v->lockfd, dir)) < 0 ||
	    (error = sv_secret_random(&v->vmk, SV_KEY_LEN)) < 0 ||
	    (error = sv_identity_generate(&id, first->name, kr->id)) < 0 ||
	    (error = sv_keyring_add(kr, first->name, id->x_pub, v->vmk)) < 0 ||
	    (error = sv_vault_subkey(&dbkey, v->vmk, v->id, SV_LABEL_DB)) < 0 ||
	    (error = sv_vault_subkey(&v->kek, v->vmk, v->id, SV_LABEL_KEK)) < 0 ||
	    (error = sv_vault_subkey(&auditwrap, v->vmk, v->id, SV_LABEL_AUDIT)) < 0)
		goto done;
	if (!(path = sv_path(dir, "store.git"))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = sv_store_init(path)) < 0 || (error = sv_store_open(&v->store, path)) < 0)
		goto done;
	free(path);
	if (!(path = sv_path(dir, "vault.db"))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = sv_db_open(&v->db, path, dbkey, true)) < 0 ||
	    (error = sv_schema_create(v->db)) < 0)
		goto done;

	/* The audit signing key, wrapped under a VMK subkey. */
	if ((error = sv_ed25519_keygen(&auditkey, auditpub)) < 0 ||
	    (error = sv_seal(sealed, auditwrap, sv_secret_data(auditkey), SV_KEY_LEN,
			     v->id, strlen(v->id))) < 0)
		goto done;
	v->audit_key = SV_TAKE(auditkey);
	memcpy(v->audit_pub, auditpub, SV_KEY_LEN);
	/* The first custodian's key file pins this vault: its id and verifier key. */
	{
		char *vkey = sv_note_vkey(v->origin, v->audit_pub);

		error = vkey ? sv_identity_set_vault(id, v->id, vkey) : SCRVAULT_ERROR;
		free(vkey);
		if (error < 0)
			goto done;
	}

	/* The store's first commit names the vault (an opaque id). */
	if (!(ident = sv_printf("scrvault vault %s\n", v->id))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	{
		sv_store_update up = { "vault", blob };

		if ((error = sv_store_blob_put(blob, v->store, ident, strlen(ident))) < 0 ||
		    (error = sv_store_commit(commit, v->store, NULL, &up, 1, "init", sv_now())) < 0)
			goto done;
	}

	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	{
		char when[21];

		sv_time_iso(when, sv_now());
		if ((error = sv_db_run(v->db, "INSERT INTO meta(key, value) VALUES ('vault_id', ?), ('created_at', ?)",
				       "tt", v->id, when)) < 0 ||
		    (error = sv_db_run(v->db, "INSERT INTO vault_keys(name, public, wrapped) VALUES ('audit', ?, ?)",
				       "bb", auditpub, (size_t)SV_KEY_LEN, sealed, sizeof(sealed))) < 0 ||
		    (error = sv_principal_insert(v, first, id, &v->principal_id)) < 0 ||
		    !(v->principal = sv_strdup(first->name)) || !(v->role = sv_strdup("coordinator")) ||
		    (error = sv_vault_record_commit(v, commit)) < 0 ||
		    (error = sv_audit_append(v, "vault.init", "ok", NULL,
					     SV_FIELDS(SV_INT("schema", SV_SCHEMA_VERSION)))) < 0) {
			if (!error)
				error = SCRVAULT_ERROR;
			sv_vault_abort(v);
			goto done;
		}
		if ((error = sv_audit_append(v, "principal.add", "ok", SV_ABOUT(.principal = first->name),
					     SV_FIELDS(SV_STR("kind", first->kind), SV_BOOL("custodian", true)))) < 0) {
			sv_vault_abort(v);
			goto done;
		}
		/* The default policy, and the first custodian is its coordinator. */
		{
			sv_policy *pol = NULL;

			if ((error = sv_policy_default(&pol)) == 0 &&
			    (error = sv_policy_apply(v, pol, "built-in default", NULL)) == 0 &&
			    (error = sv_db_run(v->db, "INSERT INTO grants(principal_id, role, granted_at, granted_by)"
					       " VALUES (?, 'coordinator', ?, ?)", "iti", v->principal_id, when,
					       v->principal_id)) == 0)
				error = sv_audit_append(v, "principal.grant", "ok", SV_ABOUT(.principal = first->name),
							SV_FIELDS(SV_STR("role", "coordinator")));
			sv_policy_free(pol);
			if (error < 0) {
				sv_vault_abort(v);
				goto done;
			}
		}
	}
	/* The vault's TLS CA (services/tls.c), for the service's HTTPS.  The
	 * test build can make a vault as they were made before (no CA). */
	if (!SV_TEST_GETENV("SCRVAULT_TEST_NO_TLS_CA") && (error = sv_tls_ca_make(v, NULL)) < 0) {
		sv_vault_abort(v);
		goto done;
	}
	/* Key file and keyring before the commit: without them the vault could
	 * never be opened again. */
	if ((error = sv_identity_save(id, keyfile, passphrase, &kdf)) < 0) {
		sv_vault_abort(v);
		goto done;
	}
	wrote_key = true;
	if ((error = sv_keyring_save(kr, dir, true)) < 0) {
		sv_vault_abort(v);
		goto done;
	}
	if ((error = sv_vault_commit(v)) < 0)
		goto done;
	made_contents = false;
	v->opened = true;
	sv_vault_dir_share_files(dir);
done:
	if (error < 0 && made_contents) {
		/* Leave nothing half-made behind. */
		char *cmd_paths[] = { "keyring", "vault.db", "vault.db-wal", "vault.db-shm", "lock", NULL };

		if (v) {
			sv_db_close(v->db);
			v->db = NULL;
		}
		for (int i = 0; cmd_paths[i]; i++) {
			char *p = sv_path(dir, cmd_paths[i]);
			if (p)
				unlink(p);
			free(p);
		}
		{
			char *p = sv_path(dir, "store.git");
			if (p)
				sv_rmtree(p);
			free(p);
		}
		if (made_dir)
			rmdir(dir);
		if (wrote_key)
			unlink(keyfile);
	}
	scrvault_vault_close(v);
	sv_keyring_free(kr);
	sv_identity_free(id);
	sv_secret_free(dbkey);
	sv_secret_free(auditwrap);
	sv_secret_free(auditkey);
	free(path);
	free(ident);
	return error;
}
