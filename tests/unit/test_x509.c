/*
 * test_x509.c - the vault's certificates (crypto/x509.c): host names, the
 * CA certificate and its endorsement read back, server certificates.
 */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "crypto/crypto.h"
#include "crypto/x509.h"
#include "base/common.h"

static int setup(void **state)
{
	(void)state;
	return sv_crypto_init();
}

/* Names go into OpenSSL's configuration syntax: nothing may add a field. */
static void test_host_check(void **state)
{
	const char *good[] = { "localhost", "vault.example.org", "a-b.c0", "127.0.0.1", "::1", "fe80::1",
			       "x", NULL };
	const char *bad[] = { "", "*.example.org", "a,IP:1.2.3.4", "a b", "a..b", ".a", "a.", "-a", "a-",
			      "a:b", "é.org", "a/b", "DNS:x", NULL };
	char big[300];

	(void)state;
	for (int i = 0; good[i]; i++)
		if (sv_x509_host_check(good[i]) != 0)
			fail_msg("'%s' was refused", good[i]);
	for (int i = 0; bad[i]; i++)
		if (sv_x509_host_check(bad[i]) != SCRVAULT_EUSAGE)
			fail_msg("'%s' was accepted", bad[i]);
	memset(big, 'a', 64);
	strcpy(big + 64, ".org");
	assert_int_equal(sv_x509_host_check(big), SCRVAULT_EUSAGE);	/* a 64-character label */
	strcpy(big + 63, ".org");
	assert_int_equal(sv_x509_host_check(big), 0);			/* 63 is the most */
	memset(big, 'a', 254);
	for (int i = 60; i < 254; i += 61)
		big[i] = '.';
	big[254] = '\0';
	assert_int_equal(sv_x509_host_check(big), SCRVAULT_EUSAGE);	/* 254 characters */
}

static void test_ca_round_trip(void **state)
{
	sv_secret *key = NULL;
	unsigned char spki[SV_SHA256_LEN], sha[SV_SHA256_LEN], *der = NULL;
	const char *note = "scrvault tls-ca v1\nvault x\n\n— test AAAA\n";
	size_t len = 0;
	char *pem = NULL;
	sv_x509_ca ca;

	(void)state;
	assert_int_equal(sv_p256_keygen(&key, spki), 0);
	assert_int_equal(sv_x509_ca_make(&der, &len, key, "scrvault vault test", note, 1800000000, 3650), 0);
	assert_int_equal(sv_x509_pem(&pem, der, len), 0);
	assert_int_equal(sv_x509_ca_parse(&ca, pem, strlen(pem)), 0);
	assert_int_equal(ca.len, len);
	assert_memory_equal(ca.der, der, len);
	sv_sha256(sha, der, len);
	assert_memory_equal(ca.cert_sha, sha, SV_SHA256_LEN);
	assert_memory_equal(ca.spki_sha, spki, SV_SHA256_LEN);	/* the key the endorsement names */
	assert_non_null(ca.endorsement);
	assert_string_equal(ca.endorsement, note);
	assert_string_equal(ca.not_after, "2037-01-12T08:00:00Z");
	sv_x509_ca_clear(&ca);

	/* Not a certificate; a certificate cut short. */
	assert_int_equal(sv_x509_ca_parse(&ca, "hello", 5), SCRVAULT_EUSAGE);
	assert_int_equal(sv_x509_ca_parse(&ca, pem, strlen(pem) / 2), SCRVAULT_EUSAGE);
	free(pem);
	free(der);
	sv_secret_free(key);
}

static void test_leaf(void **state)
{
	sv_secret *key = NULL, *leafkey = NULL;
	unsigned char spki[SV_SHA256_LEN], *der = NULL;
	const char *hosts[] = { "vault.example.org", "10.0.0.5" };
	const char *inject[] = { "a,IP:1.2.3.4" };
	const char *many[SV_X509_MAX_HOSTS + 1];
	size_t len = 0;
	char *chain = NULL, serial[33];
	sv_x509_ca ca;

	(void)state;
	assert_int_equal(sv_p256_keygen(&key, spki), 0);
	assert_int_equal(sv_x509_ca_make(&der, &len, key, "ca", "e\n", 1800000000, 10), 0);
	assert_int_equal(sv_x509_leaf_make(&chain, &leafkey, serial, key, der, len, hosts, 2, 1800000000, 90), 0);
	assert_int_equal(strlen(serial), 32);
	assert_non_null(strstr((const char *)sv_secret_data(leafkey), "-----BEGIN PRIVATE KEY-----"));
	/* The chain: the server's certificate (no CA) first, then the CA's. */
	assert_int_equal(sv_x509_ca_parse(&ca, chain, strlen(chain)), SCRVAULT_EUSAGE);
	{
		const char *second = strstr(chain + 1, "-----BEGIN CERTIFICATE-----");

		assert_non_null(second);
		assert_int_equal(sv_x509_ca_parse(&ca, second, strlen(second)), 0);
		assert_memory_equal(ca.der, der, len);
		sv_x509_ca_clear(&ca);
	}
	free(chain);
	sv_secret_free(leafkey);

	/* A name that would add a field to the subjectAltName is refused by the maker itself. */
	assert_int_equal(sv_x509_leaf_make(&chain, &leafkey, serial, key, der, len, inject, 1, 1800000000, 90),
			 SCRVAULT_EUSAGE);
	assert_null(chain);
	assert_null(leafkey);
	for (int i = 0; i <= SV_X509_MAX_HOSTS; i++)
		many[i] = "localhost";
	assert_int_equal(sv_x509_leaf_make(&chain, &leafkey, serial, key, der, len, many, SV_X509_MAX_HOSTS + 1,
					   1800000000, 90), SCRVAULT_EUSAGE);
	assert_int_equal(sv_x509_leaf_make(&chain, &leafkey, serial, key, der, len, many, 0, 1800000000, 90),
			 SCRVAULT_EUSAGE);
	free(der);
	sv_secret_free(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_check),
		cmocka_unit_test(test_ca_round_trip),
		cmocka_unit_test(test_leaf),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
