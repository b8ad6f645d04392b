/*
 * test_keygen.c - scrvault_keygen: a key file made by its holder, enrolled
 * in no vault ("vault none"), that loads with its keys; every bad spec and
 * an existing file refused, with the field at fault named and nothing
 * written.
 */
#include "unit.h"
#include <sys/stat.h>
#include "crypto/identity.h"
#include "crypto/kdf.h"
#include "crypto/passphrase.h"
#include "scrvault/keyfile.h"

static scrvault_secret *pass(void)
{
	scrvault_secret *pp = NULL;

	assert_int_equal(scrvault_secret_new(&pp, "correct horse battery staple", 28), 0);
	return pp;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 8192);

	assert_non_null(f);
	assert_non_null(buf);
	assert_true(fread(buf, 1, 8191, f) > 0);
	fclose(f);
	return buf;
}

static void test_keygen_unenrolled(void **state)
{
	char *dir = unit_tmpdir(), *path, *text;
	scrvault_keygen_spec s = SCRVAULT_KEYGEN_SPEC_INIT;
	scrvault_secret *pp = pass();
	scrvault_json *j = NULL;
	sv_identity *id = NULL;
	struct stat sb;
	char *ed = NULL, *x = NULL;

	(void)state;
	assert_true(asprintf(&path, "%s/holder.key", dir) > 0);
	s.name = "holder";
	s.kind = "agency";
	s.agency = "Health trust";
	s.keyfile = path;
	s.passphrase = pp;
	s.kdf_mib = 19;
	assert_int_equal(scrvault_keygen(&j, &s), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	text = slurp(path);
	assert_non_null(strstr(text, "\nvault none\n"));
	assert_string_equal(scrvault_json_str(scrvault_json_get(j, "kind")), "agency");
	assert_string_equal(scrvault_json_str(scrvault_json_get(j, "agency")), "Health trust");
	assert_true(scrvault_json_is_null(scrvault_json_get(j, "vault")));
	assert_int_equal(strncmp(scrvault_json_str(scrvault_json_get(j, "recipient")), "age1", 4), 0);
	/* the file loads, names no vault, and holds the keys the answer gave */
	assert_int_equal(sv_identity_load(&id, path, pp), 0);
	assert_string_equal(id->vault_id, "");
	assert_string_equal(id->name, "holder");
	assert_non_null(id->ed_priv);
	ed = sv_base64(id->ed_pub, SV_KEY_LEN);
	x = sv_base64(id->x_pub, SV_KEY_LEN);
	assert_string_equal(scrvault_json_str(scrvault_json_get(j, "ed25519")), ed);
	assert_string_equal(scrvault_json_str(scrvault_json_get(j, "x25519")), x);
	/* nothing secret in the answer */
	{
		char *t = scrvault_json_text(j);

		assert_null(strstr(t, "secret"));
		free(t);
	}
	free(ed);
	free(x);
	free(text);
	sv_identity_free(id);
	scrvault_json_free(j);
	scrvault_secret_free(pp);
	unit_rmtree(dir);
	free(path);
	free(dir);
}

/* keygen with `s` fails with `code`, naming `field`, and writes no file. */
static void refused(const scrvault_keygen_spec *s, int code, const char *field)
{
	scrvault_json *j = (scrvault_json *)1;
	struct stat sb;

	assert_int_equal(scrvault_keygen(&j, s), code);
	assert_null(j);
	assert_non_null(scrvault_error_field());
	assert_string_equal(scrvault_error_field(), field);
	if (code != SCRVAULT_ECONFLICT && s->keyfile)
		assert_int_not_equal(lstat(s->keyfile, &sb), 0);
}

static void test_keygen_refusals(void **state)
{
	char *dir = unit_tmpdir(), *path, *before, *after;
	scrvault_keygen_spec ok = SCRVAULT_KEYGEN_SPEC_INIT, s;
	scrvault_secret *pp = pass();
	scrvault_json *j = NULL;

	(void)state;
	assert_true(asprintf(&path, "%s/k.key", dir) > 0);
	ok.name = "reader";
	ok.keyfile = path;
	ok.passphrase = pp;
	ok.kdf_mib = 19;
	s = ok; s.version = 0;			refused(&s, SCRVAULT_EUSAGE, "version");
	s = ok; s.name = "Not A Name";		refused(&s, SCRVAULT_EUSAGE, "name");
	s = ok; s.name = NULL;			refused(&s, SCRVAULT_EUSAGE, "name");
	s = ok; s.kind = "service";		refused(&s, SCRVAULT_EUSAGE, "kind");
	s = ok; s.agency = "";			refused(&s, SCRVAULT_EUSAGE, "agency");
	s = ok; s.agency = "bad\nname";		refused(&s, SCRVAULT_EUSAGE, "agency");
	s = ok; s.kdf_mib = 1;			refused(&s, SCRVAULT_EUSAGE, "kdf_mib");
	s = ok; s.kdf_mib = 5000;		refused(&s, SCRVAULT_EUSAGE, "kdf_mib");
	s = ok; s.keyfile = NULL;		refused(&s, SCRVAULT_EUSAGE, "keyfile");
	s = ok; s.passphrase = NULL;		refused(&s, SCRVAULT_EUSAGE, "passphrase");
	/* the check alone needs no passphrase */
	s = ok; s.passphrase = NULL;
	assert_int_equal(scrvault_keygen_check(&s), 0);
	/* an existing file: refused, left as it was */
	assert_int_equal(scrvault_keygen(&j, &ok), 0);
	scrvault_json_free(j);
	before = slurp(path);
	s = ok; s.name = "other";		refused(&s, SCRVAULT_ECONFLICT, "keyfile");
	assert_int_equal(scrvault_keygen_check(&s), SCRVAULT_ECONFLICT);
	after = slurp(path);
	assert_string_equal(before, after);
	free(before);
	free(after);
	scrvault_secret_free(pp);
	unit_rmtree(dir);
	free(path);
	free(dir);
}

/* A secret from a C string (the tests' passphrases). */
static scrvault_secret *secret_of(const char *s)
{
	scrvault_secret *pp = NULL;

	assert_int_equal(scrvault_secret_new(&pp, s, strlen(s)), 0);
	return pp;
}

static int check_of(const char *s)
{
	scrvault_secret *pp = secret_of(s);
	int rc = scrvault_passphrase_check(pp);

	scrvault_secret_free(pp);
	return rc;
}

/*
 * The passphrase floor, through the public check and through every call
 * that writes a key file under a new passphrase: too short, common in any
 * case, refused with the field named; entries from across the list are found.
 */
static void test_passphrase_floor(void **state)
{
	char *dir = unit_tmpdir(), *path;
	scrvault_keygen_spec s = SCRVAULT_KEYGEN_SPEC_INIT;
	sv_argon2_params low = SV_ARGON2_DEFAULT, floor = SV_ARGON2_DEFAULT;
	sv_identity *id = NULL;
	scrvault_secret *pp;
	scrvault_json *j = NULL;
	struct stat sb;

	(void)state;
	assert_int_equal(scrvault_passphrase_check(NULL), SCRVAULT_EUSAGE);
	assert_string_equal(scrvault_error_field(), "passphrase");
	assert_int_equal(check_of("eleven char"), SCRVAULT_EUSAGE);		/* 11 */
	assert_non_null(strstr(scrvault_error_message(), "at least 12"));
	assert_int_equal(check_of("twelve chars"), 0);				/* 12 */
	assert_int_equal(check_of("\xc3\xb1\xc3\xb1\xc3\xb1\xc3\xb1\xc3\xb1"), SCRVAULT_EUSAGE);	/* 5 chars, 10 bytes */
	assert_int_equal(check_of("\xc3\xb1\xc3\xb1\xc3\xb1\xc3\xb1\xc3\xb1\xc3\xb1xxxxxx"), 0);	/* 12 chars */
	/* on the list, in any case */
	assert_int_equal(check_of("qwerty123456"), SCRVAULT_EUSAGE);
	assert_non_null(strstr(scrvault_error_message(), "most common"));
	assert_null(strstr(scrvault_error_message(), "qwerty"));
	assert_int_equal(check_of("QwErTy123456"), SCRVAULT_EUSAGE);
	assert_int_equal(check_of("123456789987654321"), SCRVAULT_EUSAGE);
	assert_int_equal(check_of("zaq1xsw2cde3"), SCRVAULT_EUSAGE);
	assert_int_equal(check_of("1qaz2wsx3edc"), SCRVAULT_EUSAGE);
	assert_int_equal(check_of("qwerty1234567"), 0);				/* a neighbour, not on it */
	assert_int_equal(check_of("qwerty123456 "), 0);

	/* every writer of a new key file applies it, and the KDF floor */
	assert_true(asprintf(&path, "%s/k.key", dir) > 0);
	s.name = "holder";
	s.keyfile = path;
	s.kdf_mib = 19;
	s.passphrase = pp = secret_of("LeaveMeAlone");
	assert_int_equal(scrvault_keygen(&j, &s), SCRVAULT_EUSAGE);
	assert_string_equal(scrvault_error_field(), "passphrase");
	assert_int_not_equal(lstat(path, &sb), 0);
	scrvault_secret_free(pp);
	s.passphrase = pp = secret_of("a quiet harbour at dawn");
	s.kdf_mib = 18;
	assert_int_equal(scrvault_keygen(&j, &s), SCRVAULT_EUSAGE);
	assert_string_equal(scrvault_error_field(), "kdf_mib");
	assert_int_equal(sv_identity_generate(&id, "holder", NULL), 0);
	low.m_cost_kib = SV_ARGON2_NEW_MIN_KIB - 1;
	assert_int_equal(sv_identity_save(id, path, pp, &low), SCRVAULT_EUSAGE);
	assert_int_not_equal(lstat(path, &sb), 0);
	{
		scrvault_secret *weak = secret_of("QAZWSXEDCRFV");

		floor.m_cost_kib = SV_ARGON2_NEW_MIN_KIB;
		assert_int_equal(sv_identity_save(id, path, weak, &floor), SCRVAULT_EUSAGE);
		assert_int_not_equal(lstat(path, &sb), 0);
		scrvault_secret_free(weak);
	}
	assert_int_equal(sv_identity_save(id, path, pp, &floor), 0);
	sv_identity_free(id);
	/* read back: the memory it was made with */
	assert_int_equal(sv_identity_load(&id, path, NULL), 0);
	assert_int_equal(id->kdf.m_cost_kib, SV_ARGON2_NEW_MIN_KIB);
	sv_identity_free(id);
	scrvault_secret_free(pp);
	unit_rmtree(dir);
	free(path);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keygen_unenrolled),
		cmocka_unit_test(test_keygen_refusals),
		cmocka_unit_test(test_passphrase_floor),
	};

	if (scrvault_global_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
