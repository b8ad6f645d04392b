/*
 * unseal.c - a vault held open by a service: unsealing it with a
 * custodian's answer (no private key or passphrase leaves the custodian's
 * machine), sealing it, publishing its checkpoint, and acting for one
 * authenticated person per request.
 *
 * The exchange (SECURITY.md, "Unsealing a service"):
 *   offer   the service: a fresh X25519 key pair (private half in secure
 *           memory, on the offer), 32 random bytes of nonce, the vault id,
 *           the store's latest signed checkpoint and every custodian's
 *           keyring wrap, all read from the directory without unlocking.
 *   answer  the custodian's client: the offer must be of the vault the key
 *           file pins (its id, and the checkpoint must verify with the
 *           verifier key it pins; else SCRVAULT_EINTEGRITY); it unwraps the
 *           master key from its keyring wrap, wraps it to the offer's key
 *           (sv_wrap_to: ephemeral-static X25519, HKDF, AES-256-GCM; the
 *           associated data binds the vault id, the nonce and the
 *           custodian) and signs with Ed25519 the answer statement (vault,
 *           nonce, offer key, custodian, wrap).
 *   unseal  the service: the offer is consumed (a second answer to it is
 *           refused); the wrap opens to the master key; the vault opens as
 *           every unlock does (sv_vault_open_vmk) and, before anything is
 *           written, the signature must verify with the key the database
 *           registers for that active custodian, whose keyring entry must
 *           hold the registered X25519 key.  A refusal is a failed unlock
 *           (unlockfail.c) the next unlock moves into the audit log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vault/unseal.h"
#include "vault/authz.h"
#include "vault/find.h"
#include "vault/keyring.h"
#include "vault/log.h"
#include "vault/session.h"
#include "vault/spool.h"
#include "vault/txn.h"
#include "vault/unlockfail.h"
#include "vault/vaultdir.h"
#include "storage/db.h"
#include "storage/store.h"
#include "crypto/crypto.h"
#include "crypto/identity.h"
#include "crypto/note.h"
#include "base/common.h"
#include "base/file.h"
#include "base/json.h"
#include "base/text.h"

#define SV_LABEL_UNSEAL "scrvault v1 unseal wrap"
#define NONCE_LEN 32

struct scrvault_unseal_offer {
	char *dir;
	char id[SV_VAULT_ID_LEN + 1];
	sv_secret *priv;			/* the offer's X25519 private key */
	unsigned char epk[SV_KEY_LEN];
	unsigned char nonce[NONCE_LEN];
	bool used;
};

void scrvault_unseal_offer_free(scrvault_unseal_offer *o)
{
	if (!o)
		return;
	sv_secret_free(o->priv);
	free(o->dir);
	free(o);
}

int scrvault_unseal_offer_new(scrvault_unseal_offer **offer, scrvault_json **out, const char *dir)
{
	scrvault_unseal_offer *o = NULL;
	sv_keyring *kr = NULL;
	sv_store *store = NULL;
	sv_json *wraps = NULL, *j = NULL;
	char *path = NULL, *note = NULL, *epk = NULL, *nonce = NULL;
	int error;

	*offer = NULL;
	*out = NULL;
	if (!dir || !*dir)
		return sv_error_field(SCRVAULT_EUSAGE, "dir", "no vault given");
	if ((error = sv_keyring_load(&kr, dir)) < 0)
		return error;
	error = SCRVAULT_ERROR;
	if (!(o = sv_calloc(1, sizeof(*o))) || !(o->dir = sv_strdup(dir)))
		goto done;
	snprintf(o->id, sizeof(o->id), "%s", kr->id);
	if ((error = sv_x25519_keygen(&o->priv, o->epk)) < 0 || (error = sv_random(o->nonce, NONCE_LEN)) < 0)
		goto done;
	/* The store's latest signed checkpoint: the custodian's client checks
	 * it with the verifier key their key file pins. */
	if (!(path = sv_path(dir, "store.git"))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = sv_store_open(&store, path)) < 0)
		goto done;
	error = sv_store_tag_get(&note, store, "refs/audit/checkpoint");
	if (error < 0 && error != SCRVAULT_ENOTFOUND)
		goto done;
	error = SCRVAULT_ERROR;
	if (!(wraps = sv_json_object()))
		goto done;
	for (size_t i = 0; i < kr->n; i++) {
		char *w = sv_base64(kr->entries[i].wrap, SV_WRAP_LEN(SV_KEY_LEN));

		if (!w || sv_json_set_str(wraps, kr->entries[i].name, w) < 0) {
			free(w);
			goto done;
		}
		free(w);
	}
	if (!(epk = sv_base64(o->epk, SV_KEY_LEN)) || !(nonce = sv_base64(o->nonce, NONCE_LEN)) ||
	    (error = sv_json_new(&j, SV_FIELDS(SV_STR("vault", o->id), SV_STR("epk", epk), SV_STR("nonce", nonce),
						SV_OPT("checkpoint", note)))) < 0)
		goto done;
	if ((error = sv_json_set(j, "custodians", SV_TAKE(wraps))) < 0)
		goto done;
	*offer = SV_TAKE(o);
	*out = SV_TAKE(j);
	error = 0;
done:
	scrvault_unseal_offer_free(o);
	sv_keyring_free(kr);
	sv_store_free(store);
	sv_json_free(wraps);
	sv_json_free(j);
	free(path);
	free(note);
	free(epk);
	free(nonce);
	return error;
}

/* The associated data of the wrap and the text the custodian signs. */
static char *answer_aad(const char *vault, const char *nonce, const char *custodian)
{
	return sv_printf("scrvault unseal v1\n%s\n%s\n%s\n", vault, nonce, custodian);
}

static char *answer_statement(const char *vault, const char *nonce, const char *epk, const char *custodian,
			      const char *wrap)
{
	return sv_printf("scrvault unseal answer v1\nvault %s\nnonce %s\nkey %s\ncustodian %s\nwrap %s\n",
			 vault, nonce, epk, custodian, wrap);
}

/* A base64 member of exactly `len` bytes, or NULL. */
static unsigned char *b64_member(const sv_json *j, const char *key, size_t len)
{
	unsigned char *b = NULL;
	size_t n = 0;
	const char *s = sv_json_str(sv_json_get(j, key));

	if (!s || sv_unbase64(&b, &n, s) < 0)
		return NULL;
	if (n != len) {
		free(b);
		return NULL;
	}
	return b;
}

int scrvault_unseal_answer(scrvault_json **out, const scrvault_json *offer, const char *keyfile,
			   const scrvault_secret *passphrase)
{
	sv_identity *id = NULL;
	sv_secret *vmk = NULL;
	unsigned char *wrap = NULL, *epk = NULL, wrapped[SV_WRAP_LEN(SV_KEY_LEN)], sig[SV_SIG_LEN];
	const char *vault, *nonce, *epk64, *note;
	char *aad = NULL, *stmt = NULL, *w64 = NULL, *s64 = NULL;
	int error;

	*out = NULL;
	vault = sv_json_str(sv_json_get(offer, "vault"));
	nonce = sv_json_str(sv_json_get(offer, "nonce"));
	epk64 = sv_json_str(sv_json_get(offer, "epk"));
	note = sv_json_str(sv_json_get(offer, "checkpoint"));
	if (!vault || !nonce || !epk64 || !(epk = b64_member(offer, "epk", SV_KEY_LEN)) ||
	    sv_json_type_of(sv_json_get(offer, "custodians")) != SV_JSON_OBJECT)
		return sv_error_field(SCRVAULT_EUSAGE, "offer", "this is not an unseal offer (it needs vault, epk, "
				      "nonce and custodians)");
	if ((error = sv_identity_load_private(&id, keyfile, passphrase, "passphrase")) < 0 ||
	    (error = sv_vault_pin_check(id, keyfile, vault, NULL)) < 0)
		goto done;
	/* The verifier key: the store's latest checkpoint must verify with the
	 * one the key file pins (a substitute vault cannot sign it). */
	{
		char origin[80];
		sv_checkpoint cp;

		snprintf(origin, sizeof(origin), "scrvault.local/%s", id->vault_id);
		if (!note || sv_checkpoint_open(&cp, note, strlen(note), origin, id->vault_pub) < 0) {
			error = sv_error(SCRVAULT_EINTEGRITY, "this is not the vault the key file belongs to, or its "
					 "store was altered: the offer's signed checkpoint %s with the verifier key key "
					 "file '%s' pins for vault %s (%s); refused, nothing sent", note ? "does not verify"
					 : "is missing, so it cannot be checked", keyfile, id->vault_id, id->vault_key);
			goto done;
		}
	}
	{
		char kaad[160];

		if (!(wrap = b64_member(sv_json_get(offer, "custodians"), id->name, SV_WRAP_LEN(SV_KEY_LEN)))) {
			error = sv_error(SCRVAULT_EDENIED, "principal '%s' (key file '%s') is not a custodian of vault %s: "
					 "the offer has no keyring wrap for them", id->name, keyfile, vault);
			goto done;
		}
		sv_keyring_aad(kaad, sizeof(kaad), vault, id->name);
		if (sv_unwrap_with(&vmk, id->x_priv, wrap, SV_WRAP_LEN(SV_KEY_LEN), SV_LABEL_VMKWRAP, kaad,
				   strlen(kaad)) < 0) {
			error = sv_error(SCRVAULT_EDENIED, "the keyring entry of '%s' does not open with key file '%s'",
					 id->name, keyfile);
			goto done;
		}
	}
	error = SCRVAULT_ERROR;
	if (!(aad = answer_aad(vault, nonce, id->name)))
		goto done;
	if ((error = sv_wrap_to(wrapped, epk, vmk, SV_LABEL_UNSEAL, aad, strlen(aad))) < 0)
		goto done;
	error = SCRVAULT_ERROR;
	if (!(w64 = sv_base64(wrapped, sizeof(wrapped))) ||
	    !(stmt = answer_statement(vault, nonce, epk64, id->name, w64)))
		goto done;
	if ((error = sv_ed25519_sign(sig, id->ed_priv, stmt, strlen(stmt))) < 0)
		goto done;
	if (!(s64 = sv_base64(sig, SV_SIG_LEN))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	error = sv_json_new(out, SV_FIELDS(SV_STR("custodian", id->name), SV_STR("wrap", w64), SV_STR("sig", s64)));
done:
	sv_identity_free(id);
	sv_secret_free(vmk);
	sv_cleanse(wrapped, sizeof(wrapped));
	free(wrap);
	free(epk);
	free(aad);
	free(stmt);
	free(w64);
	free(s64);
	return error;
}

/* What the unseal's verify step checks (sv_vault_open_vmk calls it before
 * anything is written). */
typedef struct {
	const scrvault_unseal_offer *o;
	const char *custodian, *wrap64;
	const unsigned char *sig;
	const unsigned char *x_pub;	/* the keyring entry's */
	const char *why;		/* a refusal's reason, for the unlock-failure record */
} unseal_check;

static int verify_answer(scrvault *v, sv_unlocker *u)
{
	unseal_check *c = u->ctx;
	sv_stmt *st = NULL;
	const unsigned char *ed, *x;
	size_t edlen = 0, xlen = 0;
	char *nonce = NULL, *epk = NULL, *stmt = NULL;
	int error;

	/* The core columns only: the schema may not be migrated yet. */
	if ((error = sv_db_query(&st, v->db, "SELECT ed25519_pub, x25519_pub, status, custodian FROM principals"
				 " WHERE name = ?", "t", c->custodian)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) < 0)
		goto done;
	if (error == 0 || !(ed = sv_stmt_blob(st, 0, &edlen)) || edlen != SV_KEY_LEN ||
	    !(x = sv_stmt_blob(st, 1, &xlen)) || xlen != SV_KEY_LEN ||
	    strcmp(sv_stmt_text(st, 2) ? sv_stmt_text(st, 2) : "", "active") != 0 || !sv_stmt_int(st, 3)) {
		c->why = SV_UNLOCK_REVOKED;
		error = sv_error(SCRVAULT_EDENIED, "the answer is not from an active custodian of this vault ('%s'); "
				 "refused", c->custodian);
		goto done;
	}
	if (memcmp(x, c->x_pub, SV_KEY_LEN) != 0) {
		c->why = SV_UNLOCK_KEYRING_MISMATCH;
		error = sv_error(SCRVAULT_EDENIED, "the keyring entry of '%s' is not for the key the vault registers; "
				 "refused", c->custodian);
		goto done;
	}
	error = SCRVAULT_ERROR;
	if (!(nonce = sv_base64(c->o->nonce, NONCE_LEN)) || !(epk = sv_base64(c->o->epk, SV_KEY_LEN)) ||
	    !(stmt = answer_statement(c->o->id, nonce, epk, c->custodian, c->wrap64)))
		goto done;
	if (sv_ed25519_verify(c->sig, ed, stmt, strlen(stmt)) < 0) {
		c->why = SV_UNLOCK_BAD_ANSWER;
		error = sv_error(SCRVAULT_EDENIED, "the answer's signature does not verify with the key the vault "
				 "registers for custodian '%s'; refused", c->custodian);
		goto done;
	}
	memcpy(u->ed_pub, ed, SV_KEY_LEN);
	error = 0;
done:
	sv_stmt_free(st);
	free(nonce);
	free(epk);
	free(stmt);
	return error;
}

int scrvault_vault_unseal(scrvault **out, scrvault_unseal_offer *o, const scrvault_json *answer, unsigned flags)
{
	const char *custodian, *wrap64;
	unsigned char *wrap = NULL, *sig = NULL;
	sv_keyring *kr = NULL;
	const sv_keyring_entry *entry = NULL;
	unseal_check c = { .o = o };
	scrvault *v = NULL;
	char *aad = NULL, *nonce = NULL;
	int error;

	*out = NULL;
	if (!o)
		return sv_error_field(SCRVAULT_EUSAGE, "offer", "no unseal offer given");
	custodian = sv_json_str(sv_json_get(answer, "custodian"));
	wrap64 = sv_json_str(sv_json_get(answer, "wrap"));
	if (!custodian || !sv_name_valid(custodian))
		custodian = NULL;
	/* An offer answers once: whatever happens now, it is spent. */
	if (o->used) {
		sv_unlock_failure_note(o->dir, custodian ? custodian : "unknown", SV_UNLOCK_REPLAYED);
		return sv_error(SCRVAULT_EDENIED, "this unseal offer was already answered: a replayed answer is "
				"refused (ask for a new offer)");
	}
	o->used = true;
	if (!custodian || !wrap64 || !(wrap = b64_member(answer, "wrap", SV_WRAP_LEN(SV_KEY_LEN))) ||
	    !(sig = b64_member(answer, "sig", SV_SIG_LEN))) {
		sv_unlock_failure_note(o->dir, custodian ? custodian : "unknown", SV_UNLOCK_BAD_ANSWER);
		error = sv_error_field(SCRVAULT_EDENIED, "answer", "this is not an unseal answer (custodian, wrap and "
				       "sig, base64); refused");
		goto done;
	}
	if (!sv_secure_heap_locked() && !(flags & SCRVAULT_OPEN_ALLOW_UNLOCKED_MEMORY)) {
		error = sv_error_field(SCRVAULT_EDENIED, "allow_unlocked_memory",
				       "the secure memory that would hold the vault's keys could not be locked in "
				       "memory, so they could be written to swap: raise the locked-memory limit "
				       "(ulimit -l, LimitMEMLOCK=) to at least 256 KiB, or accept the risk explicitly");
		goto done;
	}
	if ((error = sv_vault_dir_check(o->dir)) < 0 || (error = sv_keyring_load(&kr, o->dir)) < 0)
		goto done;
	if (strcmp(kr->id, o->id) != 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "the keyring of '%s' changed to another vault since the offer; "
				 "refused", o->dir);
		goto done;
	}
	for (size_t i = 0; i < kr->n; i++)
		if (strcmp(kr->entries[i].name, custodian) == 0)
			entry = &kr->entries[i];
	if (!entry) {
		sv_unlock_failure_note(o->dir, custodian, SV_UNLOCK_NOT_CUSTODIAN);
		error = sv_error(SCRVAULT_EDENIED, "'%s' is not a custodian of this vault: the answer is refused",
				 custodian);
		goto done;
	}
	if ((error = sv_session_new(&v, o->dir, kr->id)) < 0)
		goto done;
	error = SCRVAULT_ERROR;
	if (!(nonce = sv_base64(o->nonce, NONCE_LEN)) || !(aad = answer_aad(o->id, nonce, custodian)))
		goto done;
	if (sv_unwrap_with(&v->vmk, o->priv, wrap, SV_WRAP_LEN(SV_KEY_LEN), SV_LABEL_UNSEAL, aad, strlen(aad)) < 0 ||
	    sv_secret_len(v->vmk) != SV_KEY_LEN) {
		sv_unlock_failure_note(o->dir, custodian, SV_UNLOCK_BAD_ANSWER);
		error = sv_error(SCRVAULT_EDENIED, "the answer's wrap does not open with this offer's key (altered, or "
				 "made for another offer); refused");
		goto done;
	}
	c.custodian = custodian;
	c.wrap64 = wrap64;
	c.sig = sig;
	c.x_pub = entry->x_pub;
	{
		sv_unlocker u = { .name = custodian, .verify = verify_answer, .ctx = &c };

		if ((error = sv_vault_open_vmk(v, &u, true)) < 0) {
			if (c.why)
				sv_unlock_failure_note(o->dir, custodian, c.why);
			else if (error == SCRVAULT_EDENIED)
				sv_unlock_failure_note(o->dir, custodian, SV_UNLOCK_REVOKED);
			goto done;
		}
	}
	if (v->rolled_back) {
		error = sv_error(SCRVAULT_EINTEGRITY, "the vault cannot be served: %s", v->rollback_msg);
		goto done;
	}
	if (!(v->sealer = sv_strdup(custodian)))
		goto done;
	/* It acts as that custodian, in no role, until scrvault_vault_act. */
	if ((error = sv_vault_begin(v)) < 0 ||
	    (error = sv_vault_finish(v, "vault.unseal", SV_ABOUT(.principal = custodian), NULL)) < 0)
		goto done;
	/* What a killed service left in the upload spool: its keys died with it
	 * (upload.h); as vault_open does for a killed command line. */
	sv_spool_sweep(v->dir);
	v->opened = true;
	*out = SV_TAKE(v);
done:
	scrvault_vault_close(v);
	sv_keyring_free(kr);
	free(wrap);
	free(sig);
	free(aad);
	free(nonce);
	return error;
}

void scrvault_vault_seal(scrvault *v, const char *reason)
{
	if (!v)
		return;
	/* Back to the custodian who unsealed: the entry is theirs. */
	if (v->db && v->opened && !v->rolled_back && !sv_db_readonly(v->db) && v->sealer) {
		sv_unseal_reset(v);
		if (sv_vault_begin(v) == 0)
			(void)sv_vault_finish(v, "vault.seal", NULL,
					      SV_FIELDS(SV_STR("reason", reason && *reason ? reason : "requested")));
	}
	scrvault_vault_close(v);
}

int scrvault_vault_may_seal(scrvault *v)
{
	if (v->custodian)
		return 0;
	return sv_authorize(v, "vault.seal", NULL);
}

int scrvault_vault_vkey(char **vkey, scrvault *v)
{
	*vkey = NULL;
	if (!v || !v->db || !v->origin[0])
		return sv_error(SCRVAULT_EUSAGE, "no vault");
	return (*vkey = sv_note_vkey(v->origin, v->audit_pub)) ? 0 : SCRVAULT_ERROR;
}

int scrvault_vault_flush(scrvault *v)
{
	if (!v || !v->db)
		return sv_error(SCRVAULT_EUSAGE, "no vault");
	if (v->rolled_back || sv_db_readonly(v->db))
		return 0;
	return sv_audit_publish(v, true);
}

/* ---- acting for one person ------------------------------------------------------------- */

void sv_unseal_reset(scrvault *v)
{
	free(v->act_session);
	free(v->act_client);
	v->act_session = v->act_client = NULL;
	free(v->unlocker);
	v->unlocker = NULL;
	v->access_request = 0;
	if (v->sealer) {
		sv_principal p;

		free(v->principal);
		v->principal = sv_strdup(v->sealer);
		if (sv_find_principal(&p, v, v->sealer) == 1) {
			v->principal_id = p.id;
			v->custodian = p.custodian && p.active;
		}
		free(v->role);
		v->role = sv_strdup("custodian");
	}
}

/* Nobody: every permission check fails until the next successful act. */
static void act_nobody(scrvault *v)
{
	free(v->role);
	v->role = NULL;
	v->principal_id = 0;
	v->custodian = false;
}

int sv_unseal_speak_for(scrvault *v, const char *name)
{
	char *who;

	sv_unseal_reset(v);
	if (!v->sealer)
		return 0;	/* not a service's handle: the entry is the opener's */
	if (!(who = sv_strdup(name ? name : "")))
		return SCRVAULT_ERROR;
	act_nobody(v);
	if (name && strcmp(name, v->sealer) != 0) {
		v->unlocker = v->principal;
		v->principal = who;
	} else {
		free(v->principal);
		v->principal = who;
	}
	return 0;
}

int sv_vault_act(scrvault *v, const scrvault_act_options *opts, const char *via)
{
	sv_principal p;
	const char *why = NULL;
	int error;

	if ((error = SV_STRUCT_CHECK(opts, SCRVAULT_ACT_OPTIONS_VERSION, "scrvault_act_options")) < 0)
		return error;
	if (!v->sealer)
		return sv_error(SCRVAULT_EUSAGE, "only a vault unsealed for a service acts for others this way");
	if (!opts->principal || !*opts->principal)
		return sv_error_field(SCRVAULT_EUSAGE, "principal", "say who the request is for");
	if (opts->request < 0)
		return sv_error_field(SCRVAULT_EUSAGE, "request", "an access request is given by its number");
	/* The service's own entries (the refusal below) are the unsealer's. */
	sv_unseal_reset(v);
	if ((error = sv_find_principal(&p, v, opts->principal)) < 0) {
		act_nobody(v);
		return error;
	}
	if (error == 0)
		why = "not registered";
	else if (!p.active)
		why = "revoked";
	else if (!p.keys_ok)
		why = "key replaced";
	if (why) {
		sv_error(SCRVAULT_EDENIED, "principal '%s' may not act in this vault: %s", opts->principal, why);
		error = sv_audit_denied(v, via, SV_ABOUT(.principal = opts->principal),
					SV_FIELDS(SV_STR("reason", why), SV_OPT("session", opts->session),
						  SV_OPT("client", opts->client)), SCRVAULT_EDENIED);
		act_nobody(v);
		return error;
	}
	if ((opts->session && !(v->act_session = sv_strdup(opts->session))) ||
	    (opts->client && !(v->act_client = sv_strdup(opts->client)))) {
		act_nobody(v);
		return SCRVAULT_ERROR;
	}
	if (strcmp(p.name, v->sealer) != 0) {
		v->unlocker = v->principal;
		if (!(v->principal = sv_strdup(p.name))) {
			act_nobody(v);
			return SCRVAULT_ERROR;
		}
	}
	v->principal_id = p.id;
	v->custodian = p.custodian;
	/* No one's private key is on a service (sv_need_own_key). */
	sv_identity_free(v->ident);
	v->ident = NULL;
	if ((error = sv_session_role(v, opts->role)) < 0) {
		if (error == SCRVAULT_EDENIED)
			error = sv_audit_denied(v, via, SV_ABOUT(.principal = p.name),
						SV_FIELDS(SV_STR("reason", "role not held"), SV_OPT("role", opts->role)),
						SCRVAULT_EDENIED);
		act_nobody(v);
		return error;
	}
	v->access_request = opts->request;
	return 0;
}

int scrvault_vault_act(scrvault *v, const scrvault_act_options *opts)
{
	return sv_vault_act(v, opts, "session.act");
}
