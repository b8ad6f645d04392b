/*
 * forge_vault - what an attacker who can write a vault directory and knows
 * a custodian's public keys (and their vault's id, all public) can build,
 * for the substitution tests (tests/cli/enrol.sh).  Test tool only.
 *
 *   forge_vault vault DIR VAULT-ID NAME ED25519 X25519 ATTACKER-KEY PASSFILE
 *     A vault with the given id whose custodians are NAME (the victim's public
 *     keys, coordinator; the master key wrapped to their X25519 key) and
 *     "mallory" (a key the attacker holds, written to ATTACKER-KEY and
 *     pinned to this forged vault, so the attacker can use the CLI).
 *   forge_vault request KEYFILE PASSFILE NAME OUT
 *     An enrolment request for KEYFILE's keys under another NAME, properly
 *     self-signed (a holder, or a thief of the key, registering one key twice).
 *   forge_vault unpin KEYFILE PASSFILE OUT
 *     KEYFILE as written before key files pinned their vault: the vault line,
 *     no vault-key line, sealed afresh under the passphrase.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "records/principal.h"
#include "vault/keyring.h"
#include "vault/log.h"
#include "vault/meta.h"
#include "vault/policydb.h"
#include "vault/policyfile.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "storage/schema.h"
#include "storage/store.h"
#include "crypto/crypto.h"
#include "crypto/enrol.h"
#include "crypto/identity.h"
#include "crypto/note.h"
#include "base/common.h"
#include "base/date.h"
#include "base/file.h"
#include "scrvault/scrvault.h"

static int die(const char *what)
{
	fprintf(stderr, "forge_vault: %s: %s\n", what, scrvault_error_message());
	return 1;
}

static int key32(unsigned char out[SV_KEY_LEN], const char *b64)
{
	unsigned char *raw = NULL;
	size_t len = 0;
	int ok = sv_unbase64(&raw, &len, b64) == 0 && len == SV_KEY_LEN;

	if (ok)
		memcpy(out, raw, SV_KEY_LEN);
	free(raw);
	return ok ? 0 : -1;
}

static int grant(scrvault *v, int64_t pid, const char *name)
{
	char when[21];

	sv_time_iso(when, sv_now());
	if (sv_db_run(v->db, "INSERT INTO grants(principal_id, role, granted_at, granted_by) VALUES (?, 'coordinator', ?, ?)",
		      "iti", pid, when, pid) < 0)
		return -1;
	return sv_audit_append(v, "principal.grant", "ok", SV_ABOUT(.principal = name),
			       SV_FIELDS(SV_STR("role", "coordinator")));
}

static int forge(char **argv)
{
	const char *dir = argv[0], *vid = argv[1], *name = argv[2], *akey = argv[5], *apass = argv[6];
	scrvault_principal_spec victim = SCRVAULT_PRINCIPAL_SPEC_INIT, mal = SCRVAULT_PRINCIPAL_SPEC_INIT;
	sv_identity vic, *att = NULL;
	sv_keyring *kr = NULL;
	sv_secret *dbkey = NULL, *wrap = NULL, *audit = NULL, *pp = NULL;
	unsigned char apub[SV_KEY_LEN], sealed[SV_SEALED_LEN(SV_KEY_LEN)];
	char commit[SV_OID_HEXLEN + 1], blob[SV_OID_HEXLEN + 1], *path, *ident, *vkey, when[21];
	sv_argon2_params kdf = sv_kdf_params(19);
	sv_policy *pol = NULL;
	scrvault *v = NULL;
	int64_t vpid = 0, apid = 0;

	memset(&vic, 0, sizeof(vic));
	vic.name = (char *)name;
	if (key32(vic.ed_pub, argv[3]) < 0 || key32(vic.x_pub, argv[4]) < 0 || strlen(vid) != 32)
		return fprintf(stderr, "forge_vault: bad keys or id\n"), 2;
	victim.name = name;
	victim.kind = "person";
	victim.custodian = true;
	mal.name = "mallory";
	mal.kind = "person";
	mal.custodian = true;
	if (mkdir(dir, 0700) < 0 || !(kr = sv_calloc(1, sizeof(*kr))))
		return die("mkdir");
	snprintf(kr->id, sizeof(kr->id), "%s", vid);
	if (scrvault_secret_read_file(&pp, apass) < 0 || sv_session_new(&v, dir, vid) < 0 ||
	    sv_vault_lock(&v->lockfd, dir) < 0 || sv_secret_random(&v->vmk, SV_KEY_LEN) < 0 ||
	    sv_identity_generate(&att, "mallory", vid) < 0 ||
	    sv_keyring_add(kr, name, vic.x_pub, v->vmk) < 0 || sv_keyring_add(kr, "mallory", att->x_pub, v->vmk) < 0 ||
	    sv_vault_subkey(&dbkey, v->vmk, vid, SV_LABEL_DB) < 0 || sv_vault_subkey(&v->kek, v->vmk, vid, SV_LABEL_KEK) < 0 ||
	    sv_vault_subkey(&wrap, v->vmk, vid, SV_LABEL_AUDIT) < 0)
		return die("keys");
	if (!(path = sv_path(dir, "store.git")) || sv_store_init(path) < 0 || sv_store_open(&v->store, path) < 0)
		return die("store");
	free(path);
	if (!(path = sv_path(dir, "vault.db")) || sv_db_open(&v->db, path, dbkey, true) < 0 || sv_schema_create(v->db) < 0)
		return die("database");
	free(path);
	if (sv_ed25519_keygen(&audit, apub) < 0 || sv_seal(sealed, wrap, sv_secret_data(audit), SV_KEY_LEN, vid, strlen(vid)) < 0)
		return die("audit key");
	v->audit_key = audit;
	memcpy(v->audit_pub, apub, SV_KEY_LEN);
	if (!(vkey = sv_note_vkey(v->origin, apub)) || sv_identity_set_vault(att, vid, vkey) < 0 ||
	    sv_identity_save(att, akey, pp, &kdf) < 0)
		return die("attacker key");
	if (!(ident = sv_printf("scrvault vault %s\n", vid)))
		return die("memory");
	{
		sv_store_update up = { "vault", blob };

		if (sv_store_blob_put(blob, v->store, ident, strlen(ident)) < 0 ||
		    sv_store_commit(commit, v->store, NULL, &up, 1, "init", sv_now()) < 0)
			return die("commit");
	}
	sv_time_iso(when, sv_now());
	if (sv_vault_begin(v) < 0 ||
	    sv_db_run(v->db, "INSERT INTO meta(key, value) VALUES ('vault_id', ?), ('created_at', ?)", "tt", vid, when) < 0 ||
	    sv_db_run(v->db, "INSERT INTO vault_keys(name, public, wrapped) VALUES ('audit', ?, ?)", "bb", apub,
		      (size_t)SV_KEY_LEN, sealed, sizeof(sealed)) < 0 ||
	    sv_principal_insert(v, &victim, &vic, &vpid) < 0 || sv_principal_insert(v, &mal, att, &apid) < 0 ||
	    !(v->principal = sv_strdup("mallory")) || !(v->role = sv_strdup("coordinator")) ||
	    (v->principal_id = apid, sv_vault_record_commit(v, commit) < 0) ||
	    sv_audit_append(v, "vault.init", "ok", NULL, SV_FIELDS(SV_INT("schema", SV_SCHEMA_VERSION))) < 0 ||
	    sv_policy_default(&pol) < 0 || sv_policy_apply(v, pol, "built-in default", NULL) < 0 ||
	    grant(v, vpid, name) < 0 || grant(v, apid, "mallory") < 0 ||
	    sv_keyring_save(kr, dir, true) < 0 || sv_vault_commit(v) < 0)
		return die("vault");
	v->opened = true;
	scrvault_vault_close(v);	/* frees the audit key with the session */
	printf("forged vault %s at %s: custodians %s (their public keys) and mallory\n", vid, dir, name);
	sv_keyring_free(kr);
	sv_identity_free(att);
	sv_secret_free(dbkey);
	sv_secret_free(wrap);
	sv_secret_free(pp);
	sv_policy_free(pol);
	free(ident);
	free(vkey);
	return 0;
}

static int request(char **argv)
{
	sv_identity *id = NULL;
	sv_secret *pp = NULL;
	sv_enrolment e;
	char *text = NULL;

	if (scrvault_secret_read_file(&pp, argv[1]) < 0 || sv_identity_load(&id, argv[0], pp) < 0)
		return die("key file");
	memset(&e, 0, sizeof(e));
	e.name = argv[2];
	e.kind = "person";
	memcpy(e.ed_pub, id->ed_pub, SV_KEY_LEN);
	memcpy(e.x_pub, id->x_pub, SV_KEY_LEN);
	if (sv_enrolment_make(&text, &e, id->ed_priv, NULL) < 0 || sv_file_create(argv[3], text, strlen(text), 0644) < 0)
		return die("request");
	printf("%s\n", e.fingerprint);
	free(text);
	sv_identity_free(id);
	sv_secret_free(pp);
	return 0;
}

static int unpin(char **argv)
{
	sv_identity *id = NULL;
	sv_secret *pp = NULL;

	if (scrvault_secret_read_file(&pp, argv[1]) < 0 || sv_identity_load(&id, argv[0], pp) < 0)
		return die("key file");
	free(id->vault_key);
	id->vault_key = NULL;
	if (sv_identity_save(id, argv[2], pp, &id->kdf) < 0)
		return die("save");
	sv_identity_free(id);
	sv_secret_free(pp);
	return 0;
}

int main(int argc, char **argv)
{
	if (scrvault_global_init() < 0)
		return die("init");
	if (argc == 9 && strcmp(argv[1], "vault") == 0)
		return forge(argv + 2);
	if (argc == 6 && strcmp(argv[1], "request") == 0)
		return request(argv + 2);
	if (argc == 5 && strcmp(argv[1], "unpin") == 0)
		return unpin(argv + 2);
	fprintf(stderr, "usage: forge_vault vault DIR VAULT-ID NAME ED25519 X25519 ATTACKER-KEY PASSFILE\n"
		"       forge_vault request KEYFILE PASSFILE NAME OUT\n       forge_vault unpin KEYFILE PASSFILE OUT\n");
	return 2;
}
