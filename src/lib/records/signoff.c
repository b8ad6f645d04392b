/*
 * signoff.c - IMR sign-off by the agency's authorising manager (000 §4.4.3,
 * §5.30; 003 §5.6).
 *
 * A sign-off is an Ed25519 signature, by the signer's own key, over a
 * canonical JSON statement:
 *
 *   {"agency":..,"doc":..,"sha256":<plaintext SHA-256 of that version>,
 *    "signer":..,"signer_key":<base64 Ed25519 public key>,"statement":
 *    "scrvault-signoff v1","time":..,"vault":..,"version":N}
 *
 * It names one version's exact content, so it never carries over to a later
 * version.  The newest signed-off version is the agency's master.  Its
 * author never signs it off (a second person confirms it): not whoever
 * checked it in or sent it in a bundle, nor anyone holding imr-author for
 * that case and agency (sv_separation_signoff, exit 6, audited).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "records/freeze.h"
#include "records/passkey.h"
#include "records/signoff.h"
#include "records/separation.h"
#include "vault/authz.h"
#include "vault/find.h"
#include "vault/keyrelease.h"
#include "vault/log.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "storage/rows.h"
#include "crypto/crypto.h"
#include "base/common.h"
#include "base/date.h"
#include "base/json.h"

#define STATEMENT SCRVAULT_SIGNOFF_STATEMENT

int sv_sign_statement(char **text, unsigned char sig[SV_SIG_LEN], scrvault *v, const char *key_field,
		      const char *statement, const char *when, const sv_field *fields)
{
	return sv_sign_statement_as(text, sig, v, v->ident, key_field, statement, when, fields);
}

int sv_statement_text(char **text, scrvault *v, const unsigned char pub[SV_KEY_LEN], const char *key_field,
		      const char *statement, const char *when, const sv_field *fields)
{
	char *key64 = sv_base64(pub, SV_KEY_LEN);
	sv_json *st = NULL;
	size_t len = 0;
	int error = SCRVAULT_ERROR;

	*text = NULL;
	if (key64 && (st = sv_json_of(SV_FIELDS(SV_SPLICE(fields), SV_STR(key_field, key64),
						 SV_STR("statement", statement), SV_STR("time", when),
						 SV_STR("vault", v->id)))) &&
	    sv_json_write(text, &len, st) >= 0)
		error = 0;
	sv_json_free(st);
	free(key64);
	return error;
}

int sv_sign_statement_as(char **text, unsigned char sig[SV_SIG_LEN], scrvault *v, const sv_identity *who,
			 const char *key_field, const char *statement, const char *when, const sv_field *fields)
{
	int error;

	if ((error = sv_statement_text(text, v, who->ed_pub, key_field, statement, when, fields)) < 0)
		return error;
	if ((error = sv_ed25519_sign(sig, who->ed_priv, *text, strlen(*text))) < 0) {
		free(*text);
		*text = NULL;
	}
	return error;
}

/* One sign-off being made: what the checks found, which the statement names. */
typedef struct {
	char doc[SV_DOC_ID_LEN + 1];
	char caseref[40];
	char agency[128];
	char sha[SV_SHA256_LEN * 2 + 1];
	unsigned version;
	unsigned char signer_pub[SV_KEY_LEN];	/* the signer's registered Ed25519 key */
} signoff_ctx;

/*
 * Everything a sign-off of DOC@VERSION by the session's principal must
 * pass, before anything is signed: the permission, the case not frozen, a
 * live version, the second-person rule, not already signed off by them.
 */
static int signoff_check(signoff_ctx *c, scrvault *v, const char *docarg, unsigned version)
{
	sv_version_row row;
	sv_principal p;
	int64_t author = 0, exists = 0;
	int error;

	memset(c, 0, sizeof(*c));
	if ((error = sv_doc_resolve(c->doc, c->caseref, v, "doc.signoff", docarg)) < 0)
		return error;
	if (version == 0)
		return sv_error_field(SCRVAULT_EUSAGE, "version", "give the version to sign off (a sign-off is for "
				      "one exact version)");
	c->version = version;
	if ((error = sv_authorize(v, "doc.signoff", SV_ABOUT(.doc = c->doc, .caseref = c->caseref, .version = version))) < 0 ||
	    (error = sv_case_frozen(v, "doc.signoff", SV_ABOUT(.doc = c->doc, .caseref = c->caseref, .version = version))) < 0)
		return error;
	if ((error = sv_version_load(&row, v, c->doc, &version)) < 0)
		return error;
	if (strcmp(row.state, "live") != 0)
		return sv_error(SCRVAULT_ECONFLICT, "document '%s' version %u is %s", c->doc, version, row.state);
	if ((error = sv_db_text_int(c->agency, sizeof(c->agency), &author, v->db, "SELECT coalesce(d.agency, ''),"
				    " ve.checked_in_by FROM documents d JOIN versions ve ON ve.doc_id = d.id"
				    " WHERE d.id = ? AND ve.version = ?", "ti", c->doc, (int64_t)version)) < 0)
		return error;
	if ((error = sv_separation_signoff(v, c->doc, version, c->caseref, c->agency, author)) < 0)
		return error;
	if ((error = sv_db_int(&exists, v->db, "SELECT count(*) FROM signoffs WHERE doc_id = ? AND version = ?"
			       " AND principal_id = ?", "tii", c->doc, (int64_t)version, v->principal_id)) < 0)
		return error;
	if (exists)
		return sv_error(SCRVAULT_ECONFLICT, "'%s' has already signed off '%s' version %u", v->principal, c->doc, version);
	if ((error = sv_find_principal(&p, v, v->principal)) < 0)
		return error;
	if (error == 0 || !p.keys_ok)
		return sv_error(SCRVAULT_EDENIED, "principal '%s' has no registered key to sign with", v->principal);
	memcpy(c->signer_pub, p.ed_pub, SV_KEY_LEN);
	sv_hex(c->sha, row.sha, SV_SHA256_LEN);
	return 0;
}

/* The statement the vault asks the signer to sign for c at `when`. */
static int signoff_text(char **text, scrvault *v, const signoff_ctx *c, const char *when)
{
	return sv_statement_text(text, v, c->signer_pub, "signer_key", STATEMENT, when,
				 SV_FIELDS(SV_STR("agency", c->agency), SV_STR("doc", c->doc), SV_STR("sha256", c->sha),
					   SV_STR("signer", v->principal), SV_INT("version", c->version)));
}

/* A refused signature made elsewhere: audited, the vault otherwise unchanged. */
static int signoff_refused(scrvault *v, const signoff_ctx *c, const char *why, int code)
{
	return sv_audit_denied(v, "doc.signoff", SV_ABOUT(.doc = c->doc, .caseref = c->caseref, .version = c->version),
			       SV_FIELDS(SV_STR("reason", why)), code);
}

int sv_statement_now(char **statement, scrvault *v, sv_statement_fn derive, const void *ctx)
{
	char when[21];

	sv_time_iso(when, sv_now());
	return derive(statement, v, ctx, when);
}

/*
 * Record `text` signed with `sig` (base64) for c, after checking that the
 * text is exactly the statement the vault asks for at the time it names,
 * that time within SV_SIGNOFF_SKEW seconds of now, and the signature by the
 * signer's registered key.  One rule for a signature made here and one
 * made on the signer's own machine.
 */
int sv_signed_check(const char **why, char when[21], unsigned char sig[SV_SIG_LEN], scrvault *v,
		    const unsigned char pub[SV_KEY_LEN], const char *text, const char *sig64, sv_passkey_sig *pk,
		    sv_statement_fn derive, const void *ctx, const char *what)
{
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	sv_json *st = NULL;
	char *expect = NULL;
	const char *t;
	int64_t at = -1;
	int error = SCRVAULT_EDENIED;

	*why = NULL;
	if (!text || strlen(text) > SCRVAULT_KEY_STATEMENT_MAX || sv_json_parse(&st, text, strlen(text), NULL) < 0 ||
	    !(t = sv_json_str(sv_json_get(st, "time"))) || strlen(t) > 20 || (at = sv_time_parse(t)) < 0) {
		*why = "not a statement of this vault";
		sv_error_field(error, "statement", "the statement is not %s of this vault", what);
		goto done;
	}
	snprintf(when, 21, "%s", t);
	if ((error = derive(&expect, v, ctx, when)) < 0)
		goto done;
	error = SCRVAULT_EDENIED;
	if (strcmp(expect, text) != 0) {
		*why = "statement differs";
		sv_error_field(error, "statement", "the statement is not the one to sign for %s by '%s' (ask the vault "
			       "for it again)", what, v->principal);
	} else if (at > sv_now() + SV_SIGNED_SKEW || at < sv_now() - SV_SIGNED_SKEW) {
		*why = "stale statement";
		sv_error_field(error, "statement", "the statement's time %s is more than %d minutes from now: "
			       "ask for a new statement and sign it", when, SV_SIGNED_SKEW / 60);
	} else if (pk && pk->a) {
		if ((error = sv_passkey_sign_check(&pk->proof, v, pk->origin, text, pk->a)) < 0)
			*why = error == SCRVAULT_EDENIED ? "bad passkey signature" : NULL;
	} else if (!sig64 || sv_unbase64(&raw, &rawlen, sig64) < 0 || rawlen != SV_SIG_LEN ||
		   sv_ed25519_verify(raw, pub, text, strlen(text)) < 0) {
		*why = "bad signature";
		sv_error_field(error, "signature", "the signature is not '%s''s registered key's over this statement",
			       v->principal);
	} else {
		memcpy(sig, raw, SV_SIG_LEN);
		error = 0;
	}
done:
	sv_json_free(st);
	free(expect);
	free(raw);
	return error;
}

/* signoff_text for sv_signed_check. */
static int signoff_derive(char **text, scrvault *v, const void *ctx, const char *when);

/*
 * Record `text` signed with `sig` (base64) for c, after sv_signed_check:
 * exactly the statement the vault asks for at the time it names, that time
 * within SV_SIGNED_SKEW seconds of now, and the signer's registered key.
 * One rule for a signature made here and one made on the signer's own
 * machine.
 */
static int signoff_record(sv_json **out, scrvault *v, const signoff_ctx *c, const char *text, const char *sig64,
			  sv_passkey_sig *pk)
{
	unsigned char sig[SV_SIG_LEN] = { 0 };
	const char *why = NULL;
	char when[21], what[96], *proof = NULL;
	int error;

	snprintf(what, sizeof(what), "the sign-off of '%s' version %u", c->doc, c->version);
	if ((error = sv_signed_check(&why, when, sig, v, c->signer_pub, text, sig64, pk, signoff_derive, c,
				     what)) < 0) {
		if (why)
			error = signoff_refused(v, c, why, error);
		return error;
	}
	/* A passkey's sign-off keeps the assertion as its proof, no Ed25519 signature. */
	if (pk && pk->proof && !(proof = scrvault_json_text(pk->proof))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	if ((error = sv_db_run(v->db, "INSERT INTO signoffs(doc_id, version, principal_id, statement, signature, signed_at,"
			       " proof) VALUES (?, ?, ?, ?, ?, ?, ?)", "tiitbtt", c->doc, (int64_t)c->version,
			       v->principal_id, text, sig, proof ? (size_t)0 : (size_t)SV_SIG_LEN, when, proof)) < 0) {
		error = sv_vault_fail(v, error);
		goto done;
	}
	if ((error = sv_vault_finish(v, "doc.signoff", SV_ABOUT(.doc = c->doc, .caseref = c->caseref, .version = c->version),
				     SV_FIELDS(SV_STR("sha256", c->sha), SV_IF(proof != NULL, SV_STR("method", "passkey")),
					       SV_OPT("passkey", proof ? sv_json_str(sv_json_get(pk->proof, "passkey"))
							      : NULL)))) < 0)
		goto done;
	error = sv_json_new(out, SV_FIELDS(SV_STR("doc", c->doc), SV_INT("version", c->version),
					   SV_STR("signer", v->principal), SV_STR("sha256", c->sha),
					   SV_IF(proof != NULL, SV_STR("method", "passkey"))));
done:
	free(proof);
	return error;
}

static int signoff_derive(char **text, scrvault *v, const void *ctx, const char *when)
{
	return signoff_text(text, v, ctx, when);
}

int sv_signoff_statement(char **statement, scrvault *v, const char *docarg, unsigned version)
{
	signoff_ctx c;
	char when[21];
	int error;

	*statement = NULL;
	if ((error = signoff_check(&c, v, docarg, version)) < 0)
		return error;
	sv_time_iso(when, sv_now());
	return signoff_text(statement, v, &c, when);
}

int sv_signoff_signed(sv_json **out, scrvault *v, const char *docarg, unsigned version,
		      const char *statement, const char *sig, sv_passkey_sig *pk)
{
	signoff_ctx c;
	int error;

	*out = NULL;
	if ((error = signoff_check(&c, v, docarg, version)) < 0)
		return error;
	return signoff_record(out, v, &c, statement, sig, pk);
}

int sv_signoff_make(sv_json **out, scrvault *v, const char *docarg, unsigned version)
{
	char when[21], *text = NULL, *sig64 = NULL;
	signoff_ctx c;
	int error;

	*out = NULL;
	if ((error = signoff_check(&c, v, docarg, version)) < 0)
		return error;
	if ((error = sv_need_own_key(v, "signer")) < 0)
		return error;
	if (!v->ident || !v->ident->ed_priv)
		return sv_error(SCRVAULT_ERROR, "the signer's private key is not available");
	sv_time_iso(when, sv_now());
	if ((error = signoff_text(&text, v, &c, when)) == 0 &&
	    (error = sv_ed25519_sign_base64(&sig64, v->ident->ed_priv, text)) == 0)
		error = signoff_record(out, v, &c, text, sig64, NULL);
	free(text);
	free(sig64);
	return error;
}

/* Whose sign-offs are listed: the document of the vault. */
typedef struct {
	scrvault *v;
	const char *doc;
} signoff_list;

/*
 * A sign-off checked again: the signature over the statement with the key
 * it names, the key against the signer's registered one, and the statement
 * against the version's recorded digest.
 */
static int signoff_row(void *ctx, sv_stmt *st, sv_json *arr)
{
	signoff_list *l = ctx;
	const char *text = sv_stmt_text(st, 1);
	size_t slen = 0, plen = 0, hlen = 0;
	const unsigned char *sig = sv_stmt_blob(st, 2, &slen), *pub = sv_stmt_blob(st, 4, &plen);
	const unsigned char *digest = sv_stmt_blob(st, 5, &hlen);
	char sha[SV_SHA256_LEN * 2 + 1] = "", *key64 = NULL;
	const char *status = "valid";
	sv_json *stmt = NULL;
	int error;

	const char *proof_text = sv_stmt_text(st, 7);
	sv_json *proof = NULL;
	bool by_passkey = proof_text && *proof_text;

	if (digest && hlen == SV_SHA256_LEN)
		sv_hex(sha, digest, hlen);
	if (!text || sv_json_parse(&stmt, text, strlen(text), NULL) < 0)
		status = "INVALID: the statement is damaged";
	else if (by_passkey ? sv_json_parse(&proof, proof_text, strlen(proof_text), NULL) < 0 :
		 slen != SV_SIG_LEN || !(key64 = sv_base64(pub, plen)))
		status = by_passkey ? "INVALID: the passkey's record is damaged" : "INVALID: no signature";
	else {
		const char *skey = sv_json_str(sv_json_get(stmt, "signer_key"));
		unsigned char *k = NULL;
		size_t klen = 0;
		bool good;

		/* A passkey's: its assertion of this very statement, by a passkey the signer registered. */
		if (by_passkey)
			good = scrvault_passkey_proof_check(text, proof) == 0 &&
			       sv_passkey_proof_registered(l->v, sv_stmt_int(st, 8), proof) == 1;
		else
			good = skey && sv_unbase64(&k, &klen, skey) == 0 && klen == SV_KEY_LEN &&
			       sv_ed25519_verify(sig, k, text, strlen(text)) == 0;
		free(k);
		if (!good)
			status = "INVALID: the signature does not verify";
		else if (strcmp(sv_json_str(sv_json_get(stmt, "sha256")) ? sv_json_str(sv_json_get(stmt, "sha256")) : "", sha) ||
			 strcmp(sv_json_str(sv_json_get(stmt, "doc")) ? sv_json_str(sv_json_get(stmt, "doc")) : "", l->doc) ||
			 sv_json_as_int(sv_json_get(stmt, "version")) != sv_stmt_int(st, 0) ||
			 strcmp(sv_json_str(sv_json_get(stmt, "vault")) ? sv_json_str(sv_json_get(stmt, "vault")) : "", l->v->id))
			status = "INVALID: it signs other content than this version";
		else if (by_passkey)
			status = "valid (a passkey's signature)";
		else if (strcmp(skey, key64) != 0)
			status = "valid (signed with a key the signer has since replaced)";
	}
	scrvault_error_clear();
	/* A passkey's sign-off carries what an outsider needs to check it offline. */
	error = sv_json_append(arr, sv_json_of(SV_FIELDS(SV_INT("version", sv_stmt_int(st, 0)),
			SV_STR("signer", sv_stmt_text(st, 3)), SV_STR("signed_at", sv_stmt_text(st, 6)),
			SV_STR("sha256", sha), SV_STR("verification", status),
			SV_IF(by_passkey && text, SV_STR("statement", text)),
			SV_IF(by_passkey && proof, SV_VAL("proof", proof))))) < 0 ? SCRVAULT_ERROR : 0;
	sv_json_free(proof);
	sv_json_free(stmt);
	free(key64);
	return error;
}

int sv_signoffs(sv_json **out, scrvault *v, const char *doc)
{
	return sv_rows_build(out, v->db, signoff_row, &(signoff_list){ v, doc },
			     "SELECT s.version, s.statement, s.signature, p.name, p.ed25519_pub, ve.sha256, s.signed_at,"
			     " s.proof, p.id"
			     " FROM signoffs s JOIN principals p ON p.id = s.principal_id JOIN versions ve"
			     " ON ve.doc_id = s.doc_id AND ve.version = s.version"
			     " WHERE s.doc_id = ? ORDER BY s.version, s.signed_at", "t", doc);
}
