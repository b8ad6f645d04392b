/*
 * key.c - a person's key file opened into memory (scrvault_key_*,
 * include/scrvault/keyfile.h): what `scrvault agent` holds for a working
 * session and what a command line talking to a service signs with.
 *
 * The private keys stay in the sv_secret of the identity identity.c read
 * (the secure heap, wiped at scrvault_key_free); nothing here copies them,
 * returns them or writes them anywhere.  It signs what it is given: which
 * statements may be signed is the caller's rule (the agent's).
 */
#include <stdlib.h>
#include <string.h>
#include "base/common.h"
#include "crypto/crypto.h"
#include "crypto/identity.h"
#include "base/json.h"
#include "scrvault/keyfile.h"

struct scrvault_key {
	sv_identity *id;
};

int scrvault_key_load(scrvault_key **out, const char *keyfile, const scrvault_secret *passphrase)
{
	scrvault_key *k = NULL;
	sv_identity *id = NULL;
	int error;

	*out = NULL;
	if ((error = sv_identity_load_private(&id, keyfile, passphrase, "passphrase")) < 0)
		return error;
	if (!(k = sv_calloc(1, sizeof(*k)))) {
		sv_identity_free(id);
		return SCRVAULT_ERROR;
	}
	k->id = id;
	*out = k;
	return 0;
}

void scrvault_key_free(scrvault_key *k)
{
	if (!k)
		return;
	sv_identity_free(k->id);	/* wipes the private keys */
	free(k);
}

const char *scrvault_key_name(const scrvault_key *k)
{
	return k->id->name;
}

const char *scrvault_key_vault(const scrvault_key *k)
{
	return k->id->vault_id;
}

const char *scrvault_key_vkey(const scrvault_key *k)
{
	return k->id->vault_key ? k->id->vault_key : "";
}

int scrvault_key_sign(char **sig, const scrvault_key *k, const char *statement)
{
	unsigned char raw[SV_SIG_LEN];
	int error;

	*sig = NULL;
	if (!statement)
		return sv_error_field(SCRVAULT_EUSAGE, "statement", "no statement to sign");
	if ((error = sv_ed25519_sign(raw, k->id->ed_priv, statement, strlen(statement))) < 0)
		return error;
	if (!(*sig = sv_base64(raw, sizeof(raw))))
		return SCRVAULT_ERROR;
	return 0;
}

/* A member of `o` that is a string equal to `want`. */
static bool member_is(const sv_json *o, const char *key, const char *want)
{
	const char *s = sv_json_str(sv_json_get(o, key));

	return s && want && strcmp(s, want) == 0;
}

int scrvault_key_sign_check(const scrvault_key *k, const char *statement)
{
	sv_json *st = NULL;
	bool canonical = false, ok = false;
	char *pub = NULL;
	const char *kind;

	if (!statement || strlen(statement) > SCRVAULT_KEY_STATEMENT_MAX)
		return sv_error_field(SCRVAULT_EDENIED, "statement", "not a statement this key signs: "
				      "empty or longer than %d bytes", SCRVAULT_KEY_STATEMENT_MAX);
	if (sv_json_parse(&st, statement, strlen(statement), &canonical) < 0 || !canonical ||
	    sv_json_type_of(st) != SV_JSON_OBJECT || !(pub = sv_base64(k->id->ed_pub, SV_KEY_LEN)))
		goto done;
	kind = sv_json_str(sv_json_get(st, "statement"));
	if (!kind || !k->id->vault_id[0] || !member_is(st, "vault", k->id->vault_id))
		goto done;
	if (strcmp(kind, SCRVAULT_SIGNOFF_STATEMENT) == 0)
		ok = member_is(st, "signer", k->id->name) && member_is(st, "signer_key", pub);
	else if (strcmp(kind, SCRVAULT_COPY_RECEIPT_STATEMENT) == 0)
		ok = member_is(st, "holder", k->id->name) && member_is(st, "holder_key", pub);
	else if (strcmp(kind, SCRVAULT_COPY_WITNESS_STATEMENT) == 0)
		ok = member_is(st, "witness", k->id->name) && member_is(st, "witness_key", pub);
	else if (strcmp(kind, SCRVAULT_SESSION_STATEMENT) == 0)
		ok = member_is(st, "principal", k->id->name) && sv_json_str(sv_json_get(st, "challenge"));
done:
	sv_json_free(st);
	free(pub);
	if (!ok)
		return sv_error_field(SCRVAULT_EDENIED, "statement", "not a statement this key signs: only a session "
				      "challenge, a sign-off, a copy's receipt or a destruction's witness statement "
				      "of its own vault, naming its own principal and key");
	return 0;
}
