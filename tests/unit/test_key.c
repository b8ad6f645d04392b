/*
 * test_key.c - scrvault_key_*: a key file opened into memory signs
 * statements that verify with its public key, a wrong passphrase opens
 * nothing, and scrvault_key_sign_check (what `scrvault agent` agrees to
 * sign) refuses every statement but a canonical sign-in challenge or
 * sign-off of the key's own vault naming its own principal and key.
 */
#include "unit.h"
#include "crypto/identity.h"
#include "crypto/kdf.h"
#include "scrvault/keyfile.h"

#define VAULT "0123456789abcdef0123456789abcdef"

static scrvault_secret *secret(const char *s)
{
	scrvault_secret *pp = NULL;

	assert_int_equal(scrvault_secret_new(&pp, s, strlen(s)), 0);
	return pp;
}

/* A key file for `name` of vault `vault` ("" none) under dir; its path. */
static char *make_key(const char *dir, const char *name, const char *vault, const scrvault_secret *pp,
		      unsigned char pub[SV_KEY_LEN])
{
	sv_argon2_params p = sv_kdf_params(19);
	sv_identity *id = NULL;
	char *path;

	assert_true(asprintf(&path, "%s/%s.key", dir, name) > 0);
	assert_int_equal(sv_identity_generate(&id, name, vault), 0);
	memcpy(pub, id->ed_pub, SV_KEY_LEN);
	assert_int_equal(sv_identity_save(id, path, pp, &p), 0);
	sv_identity_free(id);
	return path;
}

static void test_key_load_sign(void **state)
{
	char *dir = unit_tmpdir(), *path, *sig = NULL;
	scrvault_secret *pp = secret("correct horse battery staple"), *wrong = secret("not the passphrase!");
	unsigned char pub[SV_KEY_LEN], *raw = NULL;
	const char *msg = "{\"statement\":\"scrvault-signoff v1\"}";
	scrvault_key *k = NULL;
	size_t len = 0;

	(void)state;
	path = make_key(dir, "morgan", VAULT, pp, pub);
	assert_int_equal(scrvault_key_load(&k, path, wrong), SCRVAULT_EDENIED);
	assert_null(k);
	assert_int_equal(scrvault_key_load(&k, path, NULL), SCRVAULT_EUSAGE);
	assert_null(k);
	assert_int_equal(scrvault_key_load(&k, path, pp), 0);
	assert_string_equal(scrvault_key_name(k), "morgan");
	assert_string_equal(scrvault_key_vault(k), VAULT);
	assert_string_equal(scrvault_key_vkey(k), "");
	assert_int_equal(scrvault_key_sign(&sig, k, msg), 0);
	assert_int_equal(sv_unbase64(&raw, &len, sig), 0);
	assert_int_equal(len, SV_SIG_LEN);
	assert_int_equal(sv_ed25519_verify(raw, pub, msg, strlen(msg)), 0);
	/* a signature of the message, not of another */
	assert_true(sv_ed25519_verify(raw, pub, "{}", 2) < 0);
	scrvault_key_free(k);
	scrvault_key_free(NULL);
	free(raw);
	free(sig);
	scrvault_secret_free(pp);
	scrvault_secret_free(wrong);
	unit_rmtree(dir);
	free(path);
	free(dir);
}

static void test_key_sign_check(void **state)
{
	char *dir = unit_tmpdir(), *path, *lone, *b64, *st;
	scrvault_secret *pp = secret("correct horse battery staple");
	unsigned char pub[SV_KEY_LEN], pub2[SV_KEY_LEN];
	scrvault_key *k = NULL, *none = NULL;
	char big[SCRVAULT_KEY_STATEMENT_MAX + 64];

	(void)state;
	path = make_key(dir, "morgan", VAULT, pp, pub);
	lone = make_key(dir, "lone", "", pp, pub2);
	assert_int_equal(scrvault_key_load(&k, path, pp), 0);
	assert_int_equal(scrvault_key_load(&none, lone, pp), 0);
	b64 = sv_base64(pub, SV_KEY_LEN);

	/* what it signs */
	assert_int_equal(scrvault_key_sign_check(k, "{\"challenge\":\"AAAA\",\"principal\":\"morgan\","
						    "\"statement\":\"scrvault-session v1\",\"vault\":\"" VAULT "\"}"), 0);
	assert_true(asprintf(&st, "{\"agency\":\"police\",\"doc\":\"d\",\"sha256\":\"00\",\"signer\":\"morgan\","
			     "\"signer_key\":\"%s\",\"statement\":\"scrvault-signoff v1\",\"time\":\"t\","
			     "\"vault\":\"" VAULT "\",\"version\":1}", b64) > 0);
	assert_int_equal(scrvault_key_sign_check(k, st), 0);
	free(st);
	assert_true(asprintf(&st, "{\"copy\":1,\"holder\":\"morgan\",\"holder_key\":\"%s\","
			     "\"statement\":\"scrvault-copy-receipt v1\",\"vault\":\"" VAULT "\"}", b64) > 0);
	assert_int_equal(scrvault_key_sign_check(k, st), 0);
	free(st);
	/* a destruction's witness signing for it (scrvault_copy_witness_statement) */
	assert_true(asprintf(&st, "{\"copy\":1,\"statement\":\"scrvault-copy-destruction-witness v1\","
			     "\"vault\":\"" VAULT "\",\"witness\":\"morgan\",\"witness_key\":\"%s\"}", b64) > 0);
	assert_int_equal(scrvault_key_sign_check(k, st), 0);
	free(st);
	/* ...but not as another witness, nor naming the key otherwise */
	assert_true(asprintf(&st, "{\"copy\":1,\"statement\":\"scrvault-copy-destruction-witness v1\","
			     "\"vault\":\"" VAULT "\",\"witness\":\"pat\",\"witness_key\":\"%s\"}", b64) > 0);
	assert_int_equal(scrvault_key_sign_check(k, st), SCRVAULT_EDENIED);
	free(st);
	assert_true(asprintf(&st, "{\"copy\":1,\"holder_key\":\"%s\",\"statement\":\"scrvault-copy-destruction-witness v1\","
			     "\"vault\":\"" VAULT "\",\"witness\":\"morgan\"}", b64) > 0);
	assert_int_equal(scrvault_key_sign_check(k, st), SCRVAULT_EDENIED);
	free(st);
	/* a receipt naming the key as signer_key, not holder_key */
	assert_true(asprintf(&st, "{\"copy\":1,\"holder\":\"morgan\",\"signer_key\":\"%s\","
			     "\"statement\":\"scrvault-copy-receipt v1\",\"vault\":\"" VAULT "\"}", b64) > 0);
	assert_int_equal(scrvault_key_sign_check(k, st), SCRVAULT_EDENIED);
	free(st);

	/* what it refuses */
	assert_int_equal(scrvault_key_sign_check(k, "hello"), SCRVAULT_EDENIED);
	assert_int_equal(scrvault_key_sign_check(k, "{}"), SCRVAULT_EDENIED);
	assert_int_equal(scrvault_key_sign_check(k, "[\"scrvault-session v1\"]"), SCRVAULT_EDENIED);
	/* not canonical (a space), so not what a vault asks */
	assert_int_equal(scrvault_key_sign_check(k, "{\"challenge\":\"AAAA\", \"principal\":\"morgan\","
						    "\"statement\":\"scrvault-session v1\",\"vault\":\"" VAULT "\"}"),
			 SCRVAULT_EDENIED);
	/* another principal, another vault, no challenge, another kind */
	assert_int_equal(scrvault_key_sign_check(k, "{\"challenge\":\"AAAA\",\"principal\":\"pat\","
						    "\"statement\":\"scrvault-session v1\",\"vault\":\"" VAULT "\"}"),
			 SCRVAULT_EDENIED);
	assert_int_equal(scrvault_key_sign_check(k, "{\"challenge\":\"AAAA\",\"principal\":\"morgan\","
						    "\"statement\":\"scrvault-session v1\",\"vault\":\"ffff\"}"),
			 SCRVAULT_EDENIED);
	assert_int_equal(scrvault_key_sign_check(k, "{\"principal\":\"morgan\","
						    "\"statement\":\"scrvault-session v1\",\"vault\":\"" VAULT "\"}"),
			 SCRVAULT_EDENIED);
	assert_int_equal(scrvault_key_sign_check(k, "{\"challenge\":\"AAAA\",\"principal\":\"morgan\","
						    "\"statement\":\"scrvault-receipt v1\",\"vault\":\"" VAULT "\"}"),
			 SCRVAULT_EDENIED);
	assert_string_equal(scrvault_error_field(), "statement");
	/* a sign-off naming another key */
	assert_true(asprintf(&st, "{\"signer\":\"morgan\",\"signer_key\":\"%s\",\"statement\":\"scrvault-signoff v1\","
			     "\"vault\":\"" VAULT "\"}", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=") > 0);
	assert_int_equal(scrvault_key_sign_check(k, st), SCRVAULT_EDENIED);
	free(st);
	/* longer than the bound */
	memset(big, ' ', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "{\"challenge\":\"", 14);
	assert_int_equal(scrvault_key_sign_check(k, big), SCRVAULT_EDENIED);
	assert_int_equal(scrvault_key_sign_check(k, NULL), SCRVAULT_EDENIED);
	/* a key enrolled in no vault signs nothing */
	assert_int_equal(scrvault_key_sign_check(none, "{\"challenge\":\"AAAA\",\"principal\":\"lone\","
						       "\"statement\":\"scrvault-session v1\",\"vault\":\"\"}"),
			 SCRVAULT_EDENIED);

	free(b64);
	scrvault_key_free(k);
	scrvault_key_free(none);
	scrvault_secret_free(pp);
	unit_rmtree(dir);
	free(path);
	free(lone);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_load_sign),
		cmocka_unit_test(test_key_sign_check),
	};

	if (scrvault_global_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
