/*
 * test_enrol.c - the enrolment request, the acceptance and the fingerprint
 * (crypto/enrol.c): known answers for the fingerprint (computed apart from
 * the C code, from the SHA-256 and the word list), round trips, and every
 * kind of tampering refused: a changed field, a swapped key, a signature by
 * another key, a rotation without the old key's signature, trailing data,
 * a carriage return, a missing line, an acceptance whose verifier key is
 * another vault's.
 */
#include "unit.h"
#include <string.h>
#include "crypto/crypto.h"
#include "crypto/enrol.h"
#include "crypto/note.h"
#include "crypto/words.h"
#include "base/common.h"
#include "scrvault/scrvault.h"

static void test_fingerprint_known(void **state)
{
	unsigned char zero[SV_KEY_LEN] = { 0 }, a[SV_KEY_LEN], b[SV_KEY_LEN];
	char fp[SV_FINGERPRINT_MAX];

	(void)state;
	/* SHA-256("scrvault key fingerprint v1\n" || ed || x), 6 x 11 bits. */
	sv_fingerprint(fp, zero, zero);
	assert_string_equal(fp, "coupe hones scary endue poppy halt");
	for (int i = 0; i < SV_KEY_LEN; i++) {
		a[i] = (unsigned char)i;
		b[i] = (unsigned char)(32 + i);
	}
	sv_fingerprint(fp, a, b);
	assert_string_equal(fp, "wist ages biped keel cough cress");
	sv_fingerprint(fp, b, a);
	assert_string_not_equal(fp, "wist ages biped keel cough cress");
}

static void test_fingerprint_words(void **state)
{
	(void)state;
	/* The list: 2048 distinct words of 4-5 letters a-z, in order. */
	for (int i = 0; i < SV_WORDS; i++) {
		size_t n = strlen(sv_words[i]);

		assert_true(n >= 4 && n <= 5);
		assert_int_equal(strspn(sv_words[i], "abcdefghijklmnopqrstuvwxyz"), n);
		if (i)
			assert_true(strcmp(sv_words[i - 1], sv_words[i]) < 0);
	}
	assert_true(sv_fingerprint_matches("coupe hones scary endue poppy halt", "coupe hones scary endue poppy halt"));
	assert_true(sv_fingerprint_matches("  Coupe-HONES, scary\tendue  poppy halt\n", "coupe hones scary endue poppy halt"));
	assert_false(sv_fingerprint_matches("coupe hones scary endue poppy", "coupe hones scary endue poppy halt"));
	assert_false(sv_fingerprint_matches("coupehones scary endue poppy halt", "coupe hones scary endue poppy halt"));
	assert_false(sv_fingerprint_matches("coupe hones scary endue poppy halt2", "coupe hones scary endue poppy halt"));
	assert_false(sv_fingerprint_matches(NULL, "coupe hones scary endue poppy halt"));
}

/* A request for a fresh key pair (old: a rotation signed by it too). */
static char *request(sv_secret **edpriv, sv_enrolment *e, const sv_secret *old, const unsigned char *oldpub)
{
	sv_secret *xpriv = NULL;
	char *text = NULL;

	memset(e, 0, sizeof(*e));
	e->name = "alice";
	e->kind = "person";
	e->agency = "Health trust";
	assert_int_equal(sv_ed25519_keygen(edpriv, e->ed_pub), 0);
	assert_int_equal(sv_x25519_keygen(&xpriv, e->x_pub), 0);
	if (old) {
		e->rotates = true;
		memcpy(e->old_ed_pub, oldpub, SV_KEY_LEN);
	}
	assert_int_equal(sv_enrolment_make(&text, e, *edpriv, old), 0);
	sv_secret_free(xpriv);
	return text;
}

/* Replace the first occurrence of `from` in text by `to` (a new string). */
static char *edit(const char *text, const char *from, const char *to)
{
	const char *p = strstr(text, from);
	char *out;

	assert_non_null(p);
	out = sv_printf("%.*s%s%s", (int)(p - text), text, to, p + strlen(from));
	assert_non_null(out);
	return out;
}

static int parse(const char *text)
{
	sv_enrolment *e = NULL;
	int error = sv_enrolment_parse(&e, text, strlen(text), "request");

	sv_enrolment_free(e);
	return error;
}

static void test_request(void **state)
{
	sv_secret *ed = NULL, *ed2 = NULL;
	sv_enrolment e, e2, *got = NULL;
	char *text, *other, *bad, *b64;
	size_t body;

	(void)state;
	text = request(&ed, &e, NULL, NULL);
	{
		const char *head = "scrvault-enrolment v1\nname alice\nkind person\nagency Health trust\ned25519 ";

		assert_int_equal(strncmp(text, head, strlen(head)), 0);
	}
	assert_int_equal(sv_enrolment_parse(&got, text, strlen(text), "request"), 0);
	assert_string_equal(got->name, "alice");
	assert_string_equal(got->agency, "Health trust");
	assert_memory_equal(got->ed_pub, e.ed_pub, SV_KEY_LEN);
	assert_string_equal(got->fingerprint, e.fingerprint);
	assert_false(got->rotates);
	sv_enrolment_free(got);

	/* Tampering: the name, the kind, the agency, the time, a key. */
	bad = edit(text, "name alice", "name alicf");
	assert_int_equal(parse(bad), SCRVAULT_EINTEGRITY);
	free(bad);
	bad = edit(text, "kind person", "kind agency");
	assert_int_equal(parse(bad), SCRVAULT_EINTEGRITY);
	free(bad);
	bad = edit(text, "agency Health trust", "agency -");
	assert_int_equal(parse(bad), SCRVAULT_EINTEGRITY);
	free(bad);
	other = request(&ed2, &e2, NULL, NULL);
	b64 = sv_base64(e2.x_pub, SV_KEY_LEN);
	{
		char *mine = sv_base64(e.x_pub, SV_KEY_LEN);

		bad = edit(text, mine, b64);
		assert_int_equal(parse(bad), SCRVAULT_EINTEGRITY);
		free(bad);
		free(mine);
	}
	/* Another key's signature over this body. */
	{
		unsigned char sig[SV_SIG_LEN];
		char *sigb64, *mine;

		body = (size_t)(strstr(text, "signature ") - text);
		assert_int_equal(sv_ed25519_sign(sig, ed2, text, body), 0);
		sigb64 = sv_base64(sig, SV_SIG_LEN);
		mine = sv_strndup(strstr(text, "signature ") + 10, 88);
		bad = edit(text, mine, sigb64);
		assert_int_equal(parse(bad), SCRVAULT_EINTEGRITY);
		free(bad);
		free(sigb64);
		free(mine);
	}
	/* Strictness. */
	bad = sv_printf("%sextra\n", text);
	assert_int_equal(parse(bad), SCRVAULT_EUSAGE);
	free(bad);
	bad = edit(text, "kind person\n", "kind person\r\n");
	assert_int_equal(parse(bad), SCRVAULT_EUSAGE);
	free(bad);
	bad = edit(text, "kind person\n", "");
	assert_int_equal(parse(bad), SCRVAULT_EUSAGE);
	free(bad);
	bad = edit(text, "scrvault-enrolment v1", "scrvault-acceptance v1");
	assert_int_equal(parse(bad), SCRVAULT_EUSAGE);
	free(bad);
	bad = edit(text, "kind person", "kind service");
	assert_int_equal(parse(bad), SCRVAULT_EUSAGE);
	free(bad);
	assert_int_equal(sv_enrolment_parse(&got, text, strlen(text) - 1, "request"), SCRVAULT_EUSAGE);

	/* A rotation: signed by the new key and the old one. */
	{
		sv_secret *ed3 = NULL;
		sv_enrolment e3;
		char *rot = request(&ed3, &e3, ed, e.ed_pub), *no;

		assert_int_equal(sv_enrolment_parse(&got, rot, strlen(rot), "rotation"), 0);
		assert_true(got->rotates);
		assert_memory_equal(got->old_ed_pub, e.ed_pub, SV_KEY_LEN);
		sv_enrolment_free(got);
		/* the old key's signature removed: not a rotation request any more */
		no = sv_strndup(rot, (size_t)(strstr(rot, "old-signature ") - rot));
		assert_int_equal(parse(no), SCRVAULT_EUSAGE);
		free(no);
		/* claiming another old key */
		{
			char *oldb64 = sv_base64(e.ed_pub, SV_KEY_LEN), *nb = sv_base64(e2.ed_pub, SV_KEY_LEN);

			bad = edit(rot, oldb64, nb);
			assert_int_equal(parse(bad), SCRVAULT_EINTEGRITY);
			free(bad);
			free(oldb64);
			free(nb);
		}
		free(rot);
		sv_secret_free(ed3);
	}
	free(b64);
	free(other);
	free(text);
	sv_secret_free(ed);
	sv_secret_free(ed2);
}

static void test_acceptance(void **state)
{
	const char *vid = "0123456789abcdef0123456789abcdef";
	sv_secret *audit = NULL, *audit2 = NULL;
	unsigned char apub[SV_KEY_LEN], apub2[SV_KEY_LEN];
	sv_acceptance a, *got = NULL;
	char *text = NULL, *bad, *vk2;

	(void)state;
	assert_int_equal(sv_ed25519_keygen(&audit, apub), 0);
	assert_int_equal(sv_ed25519_keygen(&audit2, apub2), 0);
	memset(&a, 0, sizeof(a));
	snprintf(a.vault_id, sizeof(a.vault_id), "%s", vid);
	a.vault_key = sv_note_vkey("scrvault.local/0123456789abcdef0123456789abcdef", apub);
	a.name = "alice";
	memset(a.ed_pub, 7, SV_KEY_LEN);
	memset(a.x_pub, 9, SV_KEY_LEN);
	snprintf(a.accepted_at, sizeof(a.accepted_at), "2026-12-07T10:00:00Z");
	assert_int_equal(sv_acceptance_make(&text, &a, audit), 0);
	assert_int_equal(sv_acceptance_parse(&got, text, strlen(text), "acceptance"), 0);
	assert_string_equal(got->vault_id, vid);
	assert_memory_equal(got->vault_pub, apub, SV_KEY_LEN);
	sv_acceptance_free(got);

	/* Signed by another key but naming this vault's verifier key: forged. */
	free(text);
	assert_int_equal(sv_acceptance_make(&text, &a, audit2), 0);
	assert_int_equal(sv_acceptance_parse(&got, text, strlen(text), "acceptance"), SCRVAULT_EINTEGRITY);
	free(text);
	assert_int_equal(sv_acceptance_make(&text, &a, audit), 0);
	/* Altered: the name, the time. */
	bad = edit(text, "name alice", "name alicf");
	assert_int_equal(sv_acceptance_parse(&got, bad, strlen(bad), "acceptance"), SCRVAULT_EINTEGRITY);
	free(bad);
	bad = edit(text, "T10:00:00Z", "T11:00:00Z");
	assert_int_equal(sv_acceptance_parse(&got, bad, strlen(bad), "acceptance"), SCRVAULT_EINTEGRITY);
	free(bad);
	/* A verifier key of another vault than the one named. */
	vk2 = sv_note_vkey("scrvault.local/ffffffffffffffffffffffffffffffff", apub);
	free(a.vault_key);
	a.vault_key = vk2;
	free(text);
	assert_int_equal(sv_acceptance_make(&text, &a, audit), 0);
	assert_int_equal(sv_acceptance_parse(&got, text, strlen(text), "acceptance"), SCRVAULT_EINTEGRITY);
	free(text);
	free(a.vault_key);
	sv_secret_free(audit);
	sv_secret_free(audit2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fingerprint_known),
		cmocka_unit_test(test_fingerprint_words),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_acceptance),
	};

	if (scrvault_global_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
