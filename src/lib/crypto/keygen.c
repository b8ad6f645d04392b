/*
 * keygen.c - a principal's key file made by its holder (scrvault_keygen,
 * include/scrvault/keyfile.h), with no vault: the key pairs come from
 * identity.c and go to a new file under the holder's passphrase, with the
 * enrolment request (enrol.c) that registers them; and what the holder does
 * with the vault's answer: importing its acceptance (scrvault_keyfile_accept)
 * or pinning the board's published key into an older file
 * (scrvault_keyfile_pin).
 *
 * It must never write over an existing file (but the key file it repins,
 * by rename), never put a private key anywhere but the sealed key file, and
 * never return anything secret.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "base/common.h"
#include "base/json.h"
#include "base/text.h"
#include "base/file.h"
#include <stdio.h>
#include "crypto/age.h"
#include "crypto/enrol.h"
#include "crypto/identity.h"
#include "crypto/passphrase.h"
#include "scrvault/keyfile.h"

int scrvault_keygen_check(const scrvault_keygen_spec *s)
{
	struct stat sb;
	int error = 0;

	if ((error = SV_STRUCT_CHECK(s, SCRVAULT_KEYGEN_SPEC_VERSION, "keygen spec")) < 0 ||
	    (error = sv_name_check(s->name)) < 0)
		return error;
	if (s->kind && strcmp(s->kind, "person") != 0 && strcmp(s->kind, "agency") != 0)
		return sv_error_field(SCRVAULT_EUSAGE, "kind",
				      "a key made by its holder is a person's or an agency's, not '%s'", s->kind);
	if (s->agency && !*s->agency)
		return sv_error_field(SCRVAULT_EUSAGE, "agency", "the agency name is empty");
	if ((error = sv_text_check("agency", s->agency, 0)) < 0)
		return error;
	if ((error = sv_kdf_new_check(s->kdf_mib)) < 0)
		return error;
	if (!s->keyfile || !*s->keyfile)
		return sv_error_field(SCRVAULT_EUSAGE, "keyfile", "no key file to write");
	/* Early, before the KDF's work; O_EXCL at the end is what guarantees it. */
	if (lstat(s->keyfile, &sb) == 0)
		return sv_error_field(SCRVAULT_ECONFLICT, "keyfile", "'%s' already exists; refusing to overwrite it",
				      s->keyfile);
	if (s->enrolment && lstat(s->enrolment, &sb) == 0)
		return sv_error_field(SCRVAULT_ECONFLICT, "enrolment", "'%s' already exists; refusing to overwrite it",
				      s->enrolment);
	if (!s->enrolment) {
		char *def = sv_printf("%s.enrol", s->keyfile);
		int exists = def ? lstat(def, &sb) == 0 : 0;

		if (exists)
			error = sv_error_field(SCRVAULT_ECONFLICT, "enrolment", "'%s' already exists; refusing to overwrite it",
					       def);
		free(def);
		if (error < 0)
			return error;
	}
	if (s->rotate_keyfile && lstat(s->rotate_keyfile, &sb) != 0)
		return sv_error_field(SCRVAULT_ENOTFOUND, "rotate_keyfile", "key file '%s' does not exist", s->rotate_keyfile);
	return 0;
}

/* What the holder gives the coordinator: public keys, names; nothing secret. */
static int keygen_result(sv_json **out, const scrvault_keygen_spec *s, const sv_identity *id,
			 const char *enrolment, const sv_enrolment *e)
{
	char *ed = NULL, *x = NULL, *rcpt = NULL;
	int error = SCRVAULT_ERROR;

	*out = NULL;
	if ((ed = sv_base64(id->ed_pub, SV_KEY_LEN)) && (x = sv_base64(id->x_pub, SV_KEY_LEN)) &&
	    (error = sv_age_recipient_encode(&rcpt, id->x_pub)) >= 0)
		error = sv_json_new(out, SV_FIELDS(SV_STR("agency", s->agency), SV_STR("ed25519", ed),
				     SV_STR("enrolment", enrolment), SV_STR("fingerprint", e->fingerprint),
				     SV_STR("keyfile", s->keyfile), SV_STR("kind", s->kind ? s->kind : "person"),
				     SV_STR("name", id->name), SV_STR("recipient", rcpt),
				     SV_BOOL("rotates", e->rotates), SV_STR("vault", NULL), SV_STR("x25519", x)));
	free(ed);
	free(x);
	free(rcpt);
	return error;
}

/* A rotation: the holder's current key file, of the same principal. */
static int old_key(sv_identity **out, const scrvault_keygen_spec *s)
{
	sv_identity *old = NULL;
	int error;

	*out = NULL;
	if ((error = sv_identity_load_private(&old, s->rotate_keyfile, s->rotate_passphrase, "rotate_passphrase")) < 0)
		return error;
	if (strcmp(old->name, s->name) != 0) {
		error = sv_error_field(SCRVAULT_EUSAGE, "rotate_keyfile", "key file '%s' is '%s''s, not '%s''s: "
				       "a rotation replaces the holder's own key", s->rotate_keyfile, old->name, s->name);
		sv_identity_free(old);
		return error;
	}
	*out = old;
	return 0;
}

int scrvault_keygen(scrvault_json **out, const scrvault_keygen_spec *s)
{
	sv_argon2_params kdf;
	sv_identity *id = NULL, *old = NULL;
	sv_enrolment e;
	sv_json *res = NULL;
	char *request = NULL, *enrol_path = NULL;
	int error;

	*out = NULL;
	if ((error = scrvault_keygen_check(s)) < 0)
		return error;
	if (!s->passphrase)
		return sv_error_field(SCRVAULT_EUSAGE, "passphrase",
				      "a key file made by its holder needs a passphrase");
	if ((error = sv_passphrase_check(s->passphrase, "passphrase")) < 0)
		return error;
	kdf = sv_kdf_params(s->kdf_mib);
	if (s->rotate_keyfile && (error = old_key(&old, s)) < 0)
		goto done;
	memset(&e, 0, sizeof(e));
	e.name = (char *)s->name;
	e.kind = (char *)(s->kind ? s->kind : "person");
	e.agency = (char *)s->agency;
	if (!(enrol_path = s->enrolment ? sv_strdup(s->enrolment) : sv_printf("%s.enrol", s->keyfile))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	/* The result and the request first: once the files exist, nothing is left to fail. */
	if ((error = sv_identity_generate(&id, s->name, NULL)) < 0)
		goto done;
	memcpy(e.ed_pub, id->ed_pub, SV_KEY_LEN);
	memcpy(e.x_pub, id->x_pub, SV_KEY_LEN);
	if (old) {
		e.rotates = true;
		memcpy(e.old_ed_pub, old->ed_pub, SV_KEY_LEN);
	}
	if ((error = sv_enrolment_make(&request, &e, id->ed_priv, old ? old->ed_priv : NULL)) < 0 ||
	    (error = keygen_result(&res, s, id, enrol_path, &e)) < 0 ||
	    (error = sv_identity_save(id, s->keyfile, s->passphrase, &kdf)) < 0)
		goto done;
	if ((error = sv_file_create(enrol_path, request, strlen(request), 0644)) < 0) {
		remove(s->keyfile);
		goto done;
	}
	*out = SV_TAKE(res);
done:
	sv_json_free(res);
	sv_identity_free(id);
	sv_identity_free(old);
	free(request);
	free(enrol_path);
	return error;
}

/* ---- the vault's answer ------------------------------------------------------------ */

int scrvault_enrolment_inspect(scrvault_json **out, const char *path)
{
	sv_enrolment *e = NULL;
	char *ed = NULL, *x = NULL, *old = NULL;
	int error;

	*out = NULL;
	if (!path || !*path)
		return sv_error_field(SCRVAULT_EUSAGE, "enrolment", "no enrolment request given");
	if ((error = sv_enrolment_read(&e, path)) < 0)
		return error;
	error = SCRVAULT_ERROR;
	if ((ed = sv_base64(e->ed_pub, SV_KEY_LEN)) && (x = sv_base64(e->x_pub, SV_KEY_LEN)) &&
	    (!e->rotates || (old = sv_base64(e->old_ed_pub, SV_KEY_LEN))))
		error = sv_json_new(out, SV_FIELDS(SV_STR("agency", e->agency), SV_STR("created", e->created),
				     SV_STR("ed25519", ed), SV_STR("fingerprint", e->fingerprint),
				     SV_STR("kind", e->kind), SV_STR("name", e->name), SV_STR("rotates", old),
				     SV_STR("x25519", x)));
	free(ed);
	free(x);
	free(old);
	sv_enrolment_free(e);
	return error;
}

/*
 * The end of accept and pin: record the vault in key file `keyfile` (holding
 * `id`, opened with `pp`), and answer its fingerprint, name and vault.
 */
static int pin_keyfile(scrvault_json **out, sv_identity *id, const char *keyfile, const scrvault_secret *pp,
		       const char *vault_id, const char *vault_key)
{
	char fp[SV_FINGERPRINT_MAX];
	sv_json *res = NULL;
	int error;

	sv_fingerprint(fp, id->ed_pub, id->x_pub);
	if ((error = sv_identity_set_vault(id, vault_id, vault_key)) < 0 ||
	    (error = sv_json_new(&res, SV_FIELDS(SV_STR("fingerprint", fp), SV_STR("keyfile", keyfile),
						  SV_STR("name", id->name), SV_STR("vault", id->vault_id),
						  SV_STR("vault_key", id->vault_key)))) < 0 ||
	    (error = sv_identity_repin(id, keyfile, pp)) < 0) {
		sv_json_free(res);
		return error;
	}
	*out = res;
	return 0;
}

int scrvault_keyfile_accept(scrvault_json **out, const scrvault_keyfile_accept_spec *s)
{
	sv_acceptance *acc = NULL;
	sv_identity *id = NULL;
	int error;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(s, SCRVAULT_KEYFILE_ACCEPT_SPEC_VERSION, "keyfile accept spec")) < 0)
		return error;
	if (!s->acceptance || !*s->acceptance)
		return sv_error_field(SCRVAULT_EUSAGE, "acceptance", "no acceptance given");
	if ((error = sv_acceptance_read(&acc, s->acceptance)) < 0)
		return error;
	if (s->vault_key) {
		unsigned char pub[SV_KEY_LEN];
		char vid[33];

		if ((error = sv_vkey_vault(vid, pub, s->vault_key)) < 0) {
			error = sv_error_field(error, "vault_key", "%s", scrvault_error_message());
			goto done;
		}
		if (strcmp(vid, acc->vault_id) != 0 || memcmp(pub, acc->vault_pub, SV_KEY_LEN) != 0) {
			error = sv_error(SCRVAULT_EINTEGRITY, "the acceptance '%s' is signed by verifier key %s, not by the "
					 "board's published key %s: it is not from the vault you enrolled in; refused",
					 s->acceptance, acc->vault_key, s->vault_key);
			goto done;
		}
	}
	if ((error = sv_identity_load_private(&id, s->keyfile, s->passphrase, "passphrase")) < 0)
		goto done;
	if (strcmp(id->name, acc->name) != 0 || memcmp(id->ed_pub, acc->ed_pub, SV_KEY_LEN) != 0 ||
	    memcmp(id->x_pub, acc->x_pub, SV_KEY_LEN) != 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "the acceptance '%s' accepts '%s' with keys %s, not key file '%s' "
				 "(principal '%s'); refused", s->acceptance, acc->name, acc->fingerprint, s->keyfile, id->name);
		goto done;
	}
	if (id->vault_id[0] && strcmp(id->vault_id, acc->vault_id) != 0) {
		error = sv_error(SCRVAULT_ECONFLICT, "key file '%s' belongs to vault %s; an acceptance of vault %s "
				 "cannot move it (a key file belongs to one vault: make a new key with 'keygen')",
				 s->keyfile, id->vault_id, acc->vault_id);
		goto done;
	}
	if (id->vault_key && memcmp(id->vault_pub, acc->vault_pub, SV_KEY_LEN) != 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "key file '%s' is pinned to verifier key %s, and the acceptance "
				 "is signed by %s: refused", s->keyfile, id->vault_key, acc->vault_key);
		goto done;
	}
	error = pin_keyfile(out, id, s->keyfile, s->passphrase, acc->vault_id, acc->vault_key);
done:
	sv_identity_free(id);
	sv_acceptance_free(acc);
	return error;
}

int scrvault_keyfile_pin(scrvault_json **out, const scrvault_keyfile_pin_spec *s)
{
	unsigned char pub[SV_KEY_LEN];
	sv_identity *id = NULL;
	char vid[33];
	int error;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(s, SCRVAULT_KEYFILE_PIN_SPEC_VERSION, "keyfile pin spec")) < 0)
		return error;
	if (!s->vault_key)
		return sv_error_field(SCRVAULT_EUSAGE, "vault_key", "pinning needs the vault's verifier key as the "
				      "board publishes it ('scrvault audit pubkey' prints it)");
	if ((error = sv_vkey_vault(vid, pub, s->vault_key)) < 0)
		return sv_error_field(error, "vault_key", "%s", scrvault_error_message());
	if ((error = sv_identity_load_private(&id, s->keyfile, s->passphrase, "passphrase")) < 0)
		goto done;
	if (!id->vault_id[0]) {
		error = sv_error(SCRVAULT_EUSAGE, "key file '%s' is enrolled in no vault: import the vault's acceptance "
				 "instead ('keyfile accept')", s->keyfile);
		goto done;
	}
	if (strcmp(vid, id->vault_id) != 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "verifier key %s is vault %s's; key file '%s' belongs to vault %s: "
				 "refused", s->vault_key, vid, s->keyfile, id->vault_id);
		goto done;
	}
	if (id->vault_key && memcmp(id->vault_pub, pub, SV_KEY_LEN) != 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "key file '%s' is already pinned to verifier key %s; a vault's "
				 "verifier key does not change: refused", s->keyfile, id->vault_key);
		goto done;
	}
	error = pin_keyfile(out, id, s->keyfile, s->passphrase, vid, s->vault_key);
done:
	sv_identity_free(id);
	return error;
}
