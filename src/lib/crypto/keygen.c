/*
 * keygen.c - a principal's key file made by its holder (scrvault_keygen,
 * include/scrvault/keyfile.h), with no vault: the key pairs come from
 * identity.c and go to a new file under the holder's passphrase.
 *
 * It must never write over an existing file, never put a private key
 * anywhere but the sealed key file, and never return anything secret.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "base/common.h"
#include "base/json.h"
#include "base/text.h"
#include "crypto/age.h"
#include "crypto/identity.h"
#include "crypto/passphrase.h"
#include "scrvault/keyfile.h"

/* Printable text: no control characters (it is printed for the coordinator). */
static bool plain_text(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

int scrvault_keygen_check(const scrvault_keygen_spec *s)
{
	struct stat sb;

	int error;

	if ((error = SV_STRUCT_CHECK(s, SCRVAULT_KEYGEN_SPEC_VERSION, "keygen spec")) < 0 ||
	    (error = sv_name_check(s->name)) < 0)
		return error;
	if (s->kind && strcmp(s->kind, "person") != 0 && strcmp(s->kind, "agency") != 0)
		return sv_error_field(SCRVAULT_EUSAGE, "kind",
				      "a key made by its holder is a person's or an agency's, not '%s'", s->kind);
	if (s->agency && (!*s->agency || !plain_text(s->agency)))
		return sv_error_field(SCRVAULT_EUSAGE, "agency", "the agency name is empty or not plain text");
	if ((error = sv_kdf_new_check(s->kdf_mib)) < 0)
		return error;
	if (!s->keyfile || !*s->keyfile)
		return sv_error_field(SCRVAULT_EUSAGE, "keyfile", "no key file to write");
	/* Early, before the KDF's work; O_EXCL at the end is what guarantees it. */
	if (lstat(s->keyfile, &sb) == 0)
		return sv_error_field(SCRVAULT_ECONFLICT, "keyfile", "'%s' already exists; refusing to overwrite it",
				      s->keyfile);
	return 0;
}

/* What the holder gives the coordinator: public keys, names; nothing secret. */
static int keygen_result(sv_json **out, const scrvault_keygen_spec *s, const sv_identity *id)
{
	char *ed = NULL, *x = NULL, *rcpt = NULL;
	int error = SCRVAULT_ERROR;

	*out = NULL;
	if ((ed = sv_base64(id->ed_pub, SV_KEY_LEN)) && (x = sv_base64(id->x_pub, SV_KEY_LEN)) &&
	    (error = sv_age_recipient_encode(&rcpt, id->x_pub)) >= 0)
		error = sv_json_new(out, SV_FIELDS(SV_STR("agency", s->agency), SV_STR("ed25519", ed),
				     SV_STR("keyfile", s->keyfile), SV_STR("kind", s->kind ? s->kind : "person"),
				     SV_STR("name", id->name), SV_STR("recipient", rcpt), SV_STR("vault", NULL),
				     SV_STR("x25519", x)));
	free(ed);
	free(x);
	free(rcpt);
	return error;
}

int scrvault_keygen(scrvault_json **out, const scrvault_keygen_spec *s)
{
	sv_argon2_params kdf;
	sv_identity *id = NULL;
	sv_json *res = NULL;
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
	/* The result first: once the file exists, nothing is left to fail. */
	if ((error = sv_identity_generate(&id, s->name, NULL)) < 0 ||
	    (error = keygen_result(&res, s, id)) < 0 ||
	    (error = sv_identity_save(id, s->keyfile, s->passphrase, &kdf)) < 0)
		goto done;
	*out = SV_TAKE(res);
done:
	sv_json_free(res);
	sv_identity_free(id);
	return error;
}
