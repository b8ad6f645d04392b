/*
 * test_age.c - the age v1 format (age.h) and its primitives (crypto.h).
 *
 * Known answers: RFC 4231 (HMAC-SHA256), RFC 7914 (scrypt), BIP 173
 * (Bech32), then every C2SP CCTV age vector under shared/vectors/age (or
 * the copy in tests/data/vectors/age): each is decrypted with the identities
 * and passphrases it names and must end exactly as its "expect" says, with
 * the SHA-256 of the released plaintext equal to its "payload".  Vectors for
 * recipient types age.c does not implement (the ML-KEM hybrid) are listed as
 * skipped, never passed.  Then round trips, tampering, and interoperability
 * with the age command when it is installed; then the same for the streaming
 * API (sv_age_writer, sv_age_reader), including 200 MB files both ways with
 * the age command, a file with an extension stanza that age must ignore, and
 * files written header last (the payload first, the header at offset 0).
 */
#include "unit.h"
#include "crypto/age.h"
#include "crypto/crypto.h"
#include "crypto/bundle.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* ---- helpers ------------------------------------------------------------- */

static void unhex(unsigned char *out, size_t len, const char *hex)
{
	assert_int_equal(strlen(hex), 2 * len);
	assert_int_equal(sv_unhex(out, len, hex), 0);
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 65536;
			assert_non_null(buf = realloc(buf, cap + 1));
		}
		if ((r = fread(buf + n, 1, cap - n, f)) == 0)
			break;
		n += r;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int write_all(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	if (fwrite(data, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

static void decrypt_with(const unsigned char *file, size_t len, sv_secret **ids,
			 size_t nids, unsigned char **out, size_t *outlen,
			 sv_age_status *st, int *rc)
{
	sv_age_identities id = { (const sv_secret *const *)ids, nids, NULL, 0 };

	*rc = sv_age_decrypt(out, outlen, file, len, SV_AGE_FORM_AUTO, &id, st);
}

/* ---- primitives ---------------------------------------------------------- */

static void test_hmac_kat(void **state)
{
	unsigned char mac[32], want[32];
	sv_secret *k = NULL;

	(void)state;
	assert_int_equal(sv_secret_from(&k, "Jefe", 4), 0);
	assert_int_equal(sv_hmac_sha256(mac, k, "what do ya want for nothing?", 28), 0);
	unhex(want, 32, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	assert_memory_equal(mac, want, 32);
	sv_secret_free(k);
}

static void test_scrypt_kat(void **state)
{
	unsigned char want[64];
	sv_secret *p = NULL, *out = NULL;

	(void)state;
	assert_int_equal(sv_secret_from(&p, "password", 8), 0);
	assert_int_equal(sv_scrypt(&out, 64, p, "NaCl", 4, 10, 8, 16), 0);
	unhex(want, 64, "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
		  "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640");
	assert_memory_equal(sv_secret_data(out), want, 64);
	sv_secret_free(out);
	sv_secret_free(p);
}

static void test_chacha_roundtrip(void **state)
{
	unsigned char nonce[12] = { 1, 2, 3 }, ct[64 + 16], pt[64];
	sv_secret *k = NULL;

	(void)state;
	assert_int_equal(sv_secret_random(&k, 32), 0);
	assert_int_equal(sv_chacha20poly1305_seal(ct, k, nonce, "0123456789abcdef", 16), 0);
	assert_int_equal(sv_chacha20poly1305_open(pt, k, nonce, ct, 32), 0);
	assert_memory_equal(pt, "0123456789abcdef", 16);
	ct[3] ^= 1;
	assert_int_equal(sv_chacha20poly1305_open(pt, k, nonce, ct, 32), SCRVAULT_EINTEGRITY);
	assert_int_equal(sv_chacha20poly1305_open(pt, k, nonce, ct, 15), SCRVAULT_EINTEGRITY);
	sv_secret_free(k);
}

/* ---- Bech32, base64 ------------------------------------------------------ */

static void test_bech32(void **state)
{
	static const char *valid[] = {
		"A12UEL5L", "a12uel5l",
		"an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
		"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
		"split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
	};
	static const char *invalid[] = {
		"pzry9x0s0muk", "1pzry9x0s0muk", "x1b4n0q5v", "li1dgmt3", "A1G7SGD8",
		"10a06t8", "1qzzfhee", "A12uEL5L", "a12uel5m", "a1",
	};
	unsigned char *d = NULL;
	char *hrp = NULL, *enc = NULL;
	size_t n, i;

	(void)state;
	for (i = 0; i < sizeof(valid) / sizeof(*valid); i++) {
		assert_int_equal(sv_bech32_decode(&hrp, &d, &n, valid[i]), 0);
		/* BIP 173 data parts are 5-bit groups; only the byte-aligned ones
		 * re-encode exactly */
		free(hrp);
		free(d);
	}
	for (i = 0; i < sizeof(invalid) / sizeof(*invalid); i++)
		if (sv_bech32_decode(&hrp, &d, &n, invalid[i]) == 0)
			fail_msg("bech32 accepted '%s'", invalid[i]);
	/* empty data round trip */
	assert_int_equal(sv_bech32_encode(&enc, "a", NULL, 0, true), 0);
	assert_string_equal(enc, "A12UEL5L");
	free(enc);
}

static void test_keys(void **state)
{
	/* the identity of the C2SP vectors and its recipient (age-keygen -y) */
	const char *id = "AGE-SECRET-KEY-1XMWWC06LY3EE5RYTXM9MFLAZ2U56JJJ36S0MYPDRWSVLUL66MV4QX3S7F6";
	unsigned char pub[32], pub2[32];
	sv_secret *priv = NULL, *idstr = NULL;
	char *r = NULL, *lower;

	(void)state;
	assert_int_equal(sv_age_identity_decode(&priv, id), 0);
	assert_int_equal(sv_age_identity_encode(&idstr, priv), 0);
	assert_string_equal((char *)sv_secret_data(idstr), id);
	assert_int_equal(sv_x25519_public(pub, priv), 0);
	assert_int_equal(sv_age_recipient_encode(&r, pub), 0);
	assert_int_equal(strncmp(r, "age1", 4), 0);
	assert_int_equal(sv_age_recipient_decode(pub2, r), 0);
	assert_memory_equal(pub, pub2, 32);
	/* case rules: identity upper case only, recipient lower case only */
	assert_non_null(lower = strdup(id));
	for (size_t i = 0; lower[i]; i++)
		lower[i] = (char)(lower[i] >= 'A' && lower[i] <= 'Z' ? lower[i] - 'A' + 'a' : lower[i]);
	sv_secret *p2 = NULL;
	assert_int_not_equal(sv_age_identity_decode(&p2, lower), 0);
	for (size_t i = 0; r[i]; i++)
		r[i] = (char)(r[i] >= 'a' && r[i] <= 'z' ? r[i] - 'a' + 'A' : r[i]);
	assert_int_not_equal(sv_age_recipient_decode(pub2, r), 0);
	/* a flipped character breaks the checksum */
	lower[20] = lower[20] == 'q' ? 'p' : 'q';
	for (size_t i = 0; lower[i]; i++)
		lower[i] = (char)(lower[i] >= 'a' && lower[i] <= 'z' ? lower[i] - 'a' + 'A' : lower[i]);
	assert_int_not_equal(sv_age_identity_decode(&p2, lower), 0);
	free(lower);
	free(r);
	sv_secret_free(idstr);
	sv_secret_free(priv);
}

static void test_b64(void **state)
{
	unsigned char *d = NULL;
	size_t n;
	char *e = NULL;

	(void)state;
	assert_int_equal(sv_age_b64_decode(&d, &n, "YQ", 2), 0);
	assert_int_equal(n, 1);
	assert_int_equal(d[0], 'a');
	free(d);
	assert_int_not_equal(sv_age_b64_decode(&d, &n, "YR", 2), 0);	/* not canonical */
	assert_int_not_equal(sv_age_b64_decode(&d, &n, "YQ==", 4), 0);	/* padding */
	assert_int_not_equal(sv_age_b64_decode(&d, &n, "Y", 1), 0);
	assert_int_not_equal(sv_age_b64_decode(&d, &n, "Y-", 2), 0);
	assert_int_equal(sv_age_b64_encode(&e, (const unsigned char *)"ab", 2), 0);
	assert_string_equal(e, "YWI");
	free(e);
}

/* ---- the C2SP vectors ---------------------------------------------------- */

static char *vectors_dir(void)
{
	const char *v = getenv("SCRVAULT_VECTORS"), *root = getenv("SCRVAULT_ROOT");
	char *p = NULL;

	if (v && *v)
		p = sv_printf("%s/age", v);
	else if (root && *root)
		p = sv_printf("%s/../shared/vectors/age", root);
	else
		fail_msg("set SCRVAULT_ROOT (the repository) or SCRVAULT_VECTORS to find the vectors");
	assert_non_null(p);
	return p;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

#define MAX_IDS 8

/* Run one vector: 1 passed, 0 skipped, -1 failed (with a message printed). */
static int run_vector(const char *dir, const char *name, char **why)
{
	char *path = sv_printf("%s/%s", dir, name), *text, *line, *body, *save = NULL;
	char expect[64] = "", payload[65] = "";
	sv_secret *ids[MAX_IDS], *pass[MAX_IDS];
	size_t nids = 0, npass = 0, len, flen, outlen = 0, i;
	bool zlib = false, armored = false, skip = false;
	unsigned char *file, *out = NULL, got[32], want[32];
	sv_age_status st = SV_AGE_OTHER;
	int rc, result = -1;

	*why = NULL;
	assert_non_null(text = read_all(path, &len));
	free(path);
	assert_non_null(body = strstr(text, "\n\n"));
	*body = '\0';
	body += 2;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "expect: ", 8) == 0)
			snprintf(expect, sizeof(expect), "%s", line + 8);
		else if (strncmp(line, "payload: ", 9) == 0)
			snprintf(payload, sizeof(payload), "%s", line + 9);
		else if (strncmp(line, "compressed: ", 12) == 0)
			zlib = strcmp(line + 12, "zlib") == 0;
		else if (strncmp(line, "armored: ", 9) == 0)
			armored = strcmp(line + 9, "yes") == 0;
		else if (strncmp(line, "passphrase: ", 12) == 0) {
			assert_true(npass < MAX_IDS);
			assert_int_equal(sv_secret_from(&pass[npass], line + 12,
							strlen(line + 12)), 0);
			npass++;
		} else if (strncmp(line, "identity: ", 10) == 0) {
			if (strncmp(line + 10, "AGE-SECRET-KEY-1", 16) != 0) {
				skip = true;	/* not an X25519 identity (hybrid) */
				continue;
			}
			assert_true(nids < MAX_IDS);
			assert_int_equal(sv_age_identity_decode(&ids[nids], line + 10), 0);
			nids++;
		}
	}
	if (skip) {
		*why = sv_printf("%s (identity type not implemented)", name);
		result = 0;
		goto done;
	}
	flen = len - (size_t)(body - text);
	file = (unsigned char *)body;
	if (zlib) {
		uLongf cap = 64u << 20;	/* the largest vector is ~17 MB */
		unsigned char *z = malloc(cap);

		assert_non_null(z);
		assert_int_equal(uncompress(z, &cap, file, flen), Z_OK);
		file = z;
		flen = cap;
	}
	/* auto-detection agrees with the vector, except for leading garbage */
	if (sv_age_is_armored(file, flen) != armored
	    && strcmp(name, "armor_garbage_leading") != 0) {
		printf("# vector %s: armor detection %d, 'armored' says %d\n", name,
		       sv_age_is_armored(file, flen), armored);
		goto cleanup;
	}
	{
		sv_age_identities id = { (const sv_secret *const *)ids, nids,
					 (const sv_secret *const *)pass, npass };

		rc = sv_age_decrypt(&out, &outlen, file, flen,
				   armored ? SV_AGE_FORM_ARMORED : SV_AGE_FORM_BINARY, &id, &st);
	}
	if (strcmp(sv_age_status_name(st), expect) != 0) {
		printf("# vector %s: got '%s' (%s), want '%s'\n", name, sv_age_status_name(st),
		       rc < 0 ? scrvault_error_message() : "ok", expect);
	} else if ((st == SV_AGE_OK) != (rc == 0)) {
		printf("# vector %s: return %d does not match status\n", name, rc);
	} else if (st == SV_AGE_OK || st == SV_AGE_PAYLOAD) {
		sv_sha256(got, out ? out : (unsigned char *)"", outlen);
		unhex(want, 32, payload);
		if (memcmp(got, want, 32) != 0)
			printf("# vector %s: payload hash differs (%zu bytes released)\n",
			       name, outlen);
		else
			result = 1;
	} else if (out) {
		printf("# vector %s: plaintext released on %s\n", name, expect);
	} else {
		result = 1;
	}
	sv_age_free_plain(out, outlen);
cleanup:
	if (zlib)
		free(file);
done:
	for (i = 0; i < nids; i++)
		sv_secret_free(ids[i]);
	for (i = 0; i < npass; i++)
		sv_secret_free(pass[i]);
	free(text);
	return result;
}

static void test_vectors(void **state)
{
	char *dir = vectors_dir(), **names = NULL, *why;
	size_t n = 0, i, passed = 0, skipped = 0, failed = 0;
	struct dirent *e;
	DIR *d;

	(void)state;
	if ((d = opendir(dir)) == NULL)
		fail_msg("cannot open %s", dir);
	while ((e = readdir(d)) != NULL) {
		char *p = sv_printf("%s/%s", dir, e->d_name);
		struct stat sb;

		if (e->d_name[0] != '.' && strcmp(e->d_name, "README.md") != 0
		    && strcmp(e->d_name, "LICENSE") != 0 && stat(p, &sb) == 0
		    && S_ISREG(sb.st_mode)) {
			assert_non_null(names = realloc(names, (n + 1) * sizeof(*names)));
			assert_non_null(names[n++] = strdup(e->d_name));
		}
		free(p);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		int r = run_vector(dir, names[i], &why);

		if (r > 0)
			passed++;
		else if (r < 0)
			failed++;
		else {
			skipped++;
			printf("# skipped vector: %s\n", why);
			free(why);
		}
		free(names[i]);
	}
	printf("# age vectors: %zu total, %zu passed, %zu skipped, %zu failed\n",
	       n, passed, skipped, failed);
	free(names);
	free(dir);
	assert_true(n >= 140);
	assert_int_equal(failed, 0);
}

/* ---- round trips and tampering ------------------------------------------- */

static void keypair(sv_secret **priv, unsigned char pub[32])
{
	assert_int_equal(sv_x25519_keygen(priv, pub), 0);
}

static void test_roundtrip_sizes(void **state)
{
	static const size_t sizes[] = { 0, 1, 65535, 65536, 65537, 3 * 65536 };
	unsigned char pub[1][32], *plain, *file, *out;
	size_t i, flen, olen;
	sv_secret *priv;
	sv_age_status st;
	int rc;

	(void)state;
	keypair(&priv, pub[0]);
	assert_non_null(plain = malloc(3 * 65536));
	assert_int_equal(sv_random(plain, 3 * 65536), 0);
	for (i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		for (int armor = 0; armor < 2; armor++) {
			assert_int_equal(sv_age_encrypt(&file, &flen, plain, sizes[i],
							 pub, 1, armor), 0);
			decrypt_with(file, flen, &priv, 1, &out, &olen, &st, &rc);
			assert_int_equal(rc, 0);
			assert_int_equal(st, SV_AGE_OK);
			assert_int_equal(olen, sizes[i]);
			if (olen)
				assert_memory_equal(out, plain, olen);
			sv_age_free_plain(out, olen);
			free(file);
		}
	}
	free(plain);
	sv_secret_free(priv);
}

static void test_multiple_and_wrong(void **state)
{
	unsigned char pub[3][32], wrongpub[32], *file, *out;
	sv_secret *priv[3], *wrong;
	size_t flen, olen, i;
	sv_age_status st;
	int rc;

	(void)state;
	for (i = 0; i < 3; i++)
		keypair(&priv[i], pub[i]);
	keypair(&wrong, wrongpub);
	assert_int_equal(sv_age_encrypt(&file, &flen, (const unsigned char *)"hello", 5,
					pub, 3, false), 0);
	for (i = 0; i < 3; i++) {
		decrypt_with(file, flen, &priv[i], 1, &out, &olen, &st, &rc);
		assert_int_equal(rc, 0);
		assert_int_equal(olen, 5);
		assert_memory_equal(out, "hello", 5);
		sv_age_free_plain(out, olen);
	}
	decrypt_with(file, flen, &wrong, 1, &out, &olen, &st, &rc);
	assert_int_not_equal(rc, 0);
	assert_int_equal(st, SV_AGE_NO_MATCH);
	assert_null(out);
	{	/* the wrong identity first, then a right one */
		sv_secret *two[2] = { wrong, priv[2] };

		decrypt_with(file, flen, two, 2, &out, &olen, &st, &rc);
		assert_int_equal(rc, 0);
		sv_age_free_plain(out, olen);
	}
	free(file);
	for (i = 0; i < 3; i++)
		sv_secret_free(priv[i]);
	sv_secret_free(wrong);
}

static void test_tamper(void **state)
{
	unsigned char pub[1][32], *plain, *file, *out;
	size_t flen, olen, hlen, i, plen = 70000;
	sv_age_header *h;
	sv_secret *priv;
	sv_age_status st;
	int rc;

	(void)state;
	keypair(&priv, pub[0]);
	assert_non_null(plain = malloc(plen));
	memset(plain, 'x', plen);
	assert_int_equal(sv_age_encrypt(&file, &flen, plain, plen, pub, 1, false), 0);
	assert_int_equal(sv_age_header_parse(&h, file, flen), 0);
	hlen = h->len;
	sv_age_header_free(h);
	/* flip one bit at a spread of offsets: header, MAC, nonce, payload */
	for (i = 0; i < flen; i += (i < hlen + 64 ? 1 : 997)) {
		file[i] ^= 0x01;
		decrypt_with(file, flen, &priv, 1, &out, &olen, &st, &rc);
		if (rc == 0)
			fail_msg("flipped bit at offset %zu went unnoticed", i);
		assert_int_not_equal(st, SV_AGE_OK);
		sv_age_free_plain(out, olen);
		file[i] ^= 0x01;
	}
	/* every truncation point near the ends and chunk boundary */
	for (i = 0; i < flen; i += (i < hlen + 32 || i > flen - 40 ? 1 : 4099)) {
		decrypt_with(file, i, &priv, 1, &out, &olen, &st, &rc);
		if (rc == 0)
			fail_msg("truncation to %zu bytes went unnoticed", i);
		sv_age_free_plain(out, olen);
	}
	/* trailing data */
	assert_non_null(file = realloc(file, flen + 1));
	file[flen] = 0;
	decrypt_with(file, flen + 1, &priv, 1, &out, &olen, &st, &rc);
	assert_int_not_equal(rc, 0);
	assert_int_equal(st, SV_AGE_PAYLOAD);
	sv_age_free_plain(out, olen);
	free(file);
	free(plain);
	sv_secret_free(priv);
}

/* ---- interoperability with the age command ------------------------------- */

static bool have(const char *cmd)
{
	char *c = sv_printf("command -v %s >/dev/null 2>&1", cmd);
	int rc = system(c);

	free(c);
	return rc == 0;
}

static void test_interop(void **state)
{
	unsigned char pub[1][32], msg[100000], *file, *out, *got;
	char *dir, *cmd, *recip, *keyfile, *in, *enc, *dec, *text;
	sv_secret *priv = NULL, *idstr = NULL;
	size_t flen, olen, glen;
	sv_age_status st;
	int rc;

	(void)state;
	if (!have("age") || !have("age-keygen")) {
		printf("# interop skipped: age / age-keygen not on PATH\n");
		skip();
	}
	dir = unit_tmpdir();
	keyfile = sv_printf("%s/key.txt", dir);
	in = sv_printf("%s/in", dir);
	enc = sv_printf("%s/enc.age", dir);
	dec = sv_printf("%s/dec", dir);
	assert_int_equal(sv_random(msg, sizeof(msg)), 0);
	assert_int_equal(write_all(in, msg, sizeof(msg)), 0);

	/* 1. age-keygen's key, age encrypts (binary and armored), we decrypt */
	cmd = sv_printf("age-keygen -o '%s' 2>/dev/null", keyfile);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	assert_non_null(text = read_all(keyfile, &flen));
	{
		char *k = strstr(text, "AGE-SECRET-KEY-1"), *nl;

		assert_non_null(k);
		if ((nl = strchr(k, '\n')))
			*nl = '\0';
		assert_int_equal(sv_age_identity_decode(&priv, k), 0);
	}
	sv_cleanse(text, flen);
	free(text);
	assert_int_equal(sv_x25519_public(pub[0], priv), 0);
	assert_int_equal(sv_age_recipient_encode(&recip, pub[0]), 0);
	{	/* our recipient string is the one age-keygen -y prints */
		FILE *p;
		char line[256] = "";

		cmd = sv_printf("age-keygen -y '%s'", keyfile);
		assert_non_null(p = popen(cmd, "r"));
		assert_non_null(fgets(line, sizeof(line), p));
		pclose(p);
		free(cmd);
		line[strcspn(line, "\n")] = '\0';
		assert_string_equal(line, recip);
	}
	for (int armor = 0; armor < 2; armor++) {
		cmd = sv_printf("age %s -r %s -o '%s' '%s'", armor ? "-a" : "", recip, enc, in);
		assert_int_equal(system(cmd), 0);
		free(cmd);
		assert_non_null(file = (unsigned char *)read_all(enc, &flen));
		decrypt_with(file, flen, &priv, 1, &out, &olen, &st, &rc);
		assert_int_equal(rc, 0);
		assert_int_equal(olen, sizeof(msg));
		assert_memory_equal(out, msg, olen);
		sv_age_free_plain(out, olen);
		free(file);
	}

	/* 2. we encrypt (binary and armored), age -d decrypts */
	for (int armor = 0; armor < 2; armor++) {
		assert_int_equal(sv_age_encrypt(&file, &flen, msg, sizeof(msg), pub, 1, armor), 0);
		assert_int_equal(write_all(enc, file, flen), 0);
		free(file);
		unlink(dec);
		cmd = sv_printf("age -d -i '%s' -o '%s' '%s'", keyfile, dec, enc);
		assert_int_equal(system(cmd), 0);
		free(cmd);
		assert_non_null(got = (unsigned char *)read_all(dec, &glen));
		assert_int_equal(glen, sizeof(msg));
		assert_memory_equal(got, msg, glen);
		free(got);
	}
	/* 3. our identity string works as an age key file */
	assert_int_equal(sv_x25519_keygen(&idstr, pub[0]) == 0 ? 0 : -1, 0);
	{
		sv_secret *s = NULL;

		assert_int_equal(sv_age_identity_encode(&s, idstr), 0);
		assert_int_equal(write_all(keyfile, sv_secret_data(s), sv_secret_len(s) - 1), 0);
		sv_secret_free(s);
	}
	assert_int_equal(sv_age_encrypt(&file, &flen, msg, 10, pub, 1, false), 0);
	assert_int_equal(write_all(enc, file, flen), 0);
	free(file);
	unlink(dec);
	cmd = sv_printf("age -d -i '%s' -o '%s' '%s'", keyfile, dec, enc);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	assert_non_null(got = (unsigned char *)read_all(dec, &glen));
	assert_int_equal(glen, 10);
	assert_memory_equal(got, msg, 10);
	free(got);

	sv_secret_free(idstr);
	sv_secret_free(priv);
	free(recip);
	free(keyfile);
	free(in);
	free(enc);
	free(dec);
	unit_rmtree(dir);
	free(dir);
}

/* ---- streams: helpers ---------------------------------------------------- */

#define ENC_CHUNK (SV_AGE_CHUNK + 16)

/* A sink into a growable buffer. */
struct msink {
	unsigned char *p;
	size_t n, cap;
	int fail_at;		/* > 0: the fail_at-th write fails */
	int calls;
};

static int msink_write(void *ctx, const void *buf, size_t len)
{
	struct msink *m = ctx;

	if (m->fail_at && ++m->calls == m->fail_at)
		return sv_error(SCRVAULT_ERROR, "test sink refuses write %d", m->calls);
	if (m->cap - m->n < len) {
		while (m->cap - m->n < len)
			m->cap = m->cap ? 2 * m->cap : 4096;
		assert_non_null(m->p = realloc(m->p, m->cap));
	}
	memcpy(m->p + m->n, buf, len);
	m->n += len;
	return 0;
}

/* A source over memory giving at most `step` bytes a call (0: no limit). */
struct msrc {
	const unsigned char *p;
	size_t n, pos, step;
	size_t fail_after;	/* > 0: fail once this many bytes were read */
};

static long msrc_read(void *ctx, void *buf, size_t len)
{
	struct msrc *m = ctx;
	size_t k = m->n - m->pos;

	if (m->fail_after && m->pos >= m->fail_after)
		return sv_error(SCRVAULT_ERROR, "test source fails at %zu", m->pos);
	if (k > len)
		k = len;
	if (m->step && k > m->step)
		k = m->step;
	memcpy(buf, m->p + m->pos, k);
	m->pos += k;
	return (long)k;
}

/* Deterministic bytes (splitmix64) for large files. */
static void gen(uint64_t *state, unsigned char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += 8) {
		uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		memcpy(buf + i, &z, len - i < 8 ? len - i : 8);
	}
}

/* Encrypt with writes of `step` bytes to one recipient, plus an optional stanza. */
static void stream_encrypt(struct msink *out, const unsigned char *plain, size_t len,
			   size_t step, const unsigned char pub[1][32])
{
	sv_age_writer *w = NULL;
	size_t off;

	memset(out, 0, sizeof(*out));
	assert_int_equal(sv_age_writer_new(&w, pub, 1), 0);
	assert_int_equal(sv_age_writer_start(w, msink_write, out), 0);
	for (off = 0; off < len; off += step)
		assert_int_equal(sv_age_writer_write(w, plain + off,
						     len - off < step ? len - off : step), 0);
	assert_int_equal(sv_age_writer_finish(w), 0);
	sv_age_writer_free(w);
}

/*
 * Decrypt through a reader with a source of `step` bytes a call; *out is the
 * plaintext released (also on failure), the return is that of the failing
 * (or final) call.  A failure must repeat on the next call.
 */
static int stream_decrypt(const unsigned char *file, size_t flen, size_t step,
			  sv_secret *priv, unsigned char **out, size_t *outlen,
			  sv_age_status *st)
{
	sv_age_identities id = { (const sv_secret *const *)&priv, 1, NULL, 0 };
	struct msrc src = { file, flen, 0, step, 0 };
	unsigned char *buf = malloc(SV_AGE_CHUNK);
	sv_age_reader *r = NULL;
	size_t n = 0, cap = 0;
	int rc;

	assert_non_null(buf);
	*out = NULL;
	*outlen = 0;
	if ((rc = sv_age_reader_open(&r, msrc_read, &src, &id, st)) < 0) {
		assert_null(r);
		free(buf);
		return rc;
	}
	assert_int_equal(*st, SV_AGE_OK);
	for (;;) {
		if ((rc = sv_age_reader_read(r, buf, &n, st)) < 0)
			break;
		if (n == 0)
			break;
		assert_true(n <= SV_AGE_CHUNK);
		if (cap - *outlen < n) {
			cap = cap ? 2 * cap : SV_AGE_CHUNK;
			assert_non_null(*out = realloc(*out, cap));
		}
		memcpy(*out + *outlen, buf, n);
		*outlen += n;
	}
	if (rc < 0) {
		sv_age_status again = SV_AGE_OK;

		assert_int_not_equal(sv_age_reader_read(r, buf, &n, &again), 0);
		assert_int_equal(again, *st);
		assert_int_equal(n, 0);
	} else {	/* the end stays the end */
		assert_int_equal(sv_age_reader_read(r, buf, &n, st), 0);
		assert_int_equal(n, 0);
	}
	sv_age_reader_free(r);
	free(buf);
	return rc;
}

static size_t header_len(const unsigned char *file, size_t flen)
{
	sv_age_header *h = NULL;
	size_t n;

	assert_int_equal(sv_age_header_parse(&h, file, flen), 0);
	n = h->len;
	sv_age_header_free(h);
	return n;
}

/* ---- streams: round trips ------------------------------------------------ */

static void test_stream_roundtrip(void **state)
{
	static const size_t sizes[] = { 0, 1, 65535, 65536, 65537, 131072, 131073, 3000000 };
	static const size_t steps[] = { 1, 7, 65537, 65536, 131073 };
	static const size_t srcsteps[] = { 1, 4093, 0, 100, 65552 };
	unsigned char pub[1][32], *plain, *out;
	size_t i, j, olen, chunks;
	uint64_t seed = 1;
	sv_secret *priv;
	sv_age_status st;
	struct msink f;
	int rc;

	(void)state;
	keypair(&priv, pub[0]);
	assert_non_null(plain = malloc(3000000));
	gen(&seed, plain, 3000000);
	for (i = 0; i < SV_ARRAY_SIZE(sizes); i++) {
		for (j = 0; j < SV_ARRAY_SIZE(steps); j++) {
			stream_encrypt(&f, plain, sizes[i], steps[j], pub);
			/* exactly one chunk per 64 KiB begun; one empty chunk only
			 * for an empty file */
			chunks = sizes[i] ? (sizes[i] + SV_AGE_CHUNK - 1) / SV_AGE_CHUNK : 1;
			assert_int_equal(f.n, header_len(f.p, f.n) + SV_AGE_NONCE_LEN + sizes[i]
					 + 16 * chunks);
			assert_int_equal(stream_decrypt(f.p, f.n, srcsteps[j], priv, &out,
							&olen, &st), 0);
			assert_int_equal(st, SV_AGE_OK);
			assert_int_equal(olen, sizes[i]);
			if (olen)
				assert_memory_equal(out, plain, olen);
			free(out);
			/* the in-memory API reads what the stream wrote */
			decrypt_with(f.p, f.n, &priv, 1, &out, &olen, &st, &rc);
			assert_int_equal(rc, 0);
			assert_int_equal(st, SV_AGE_OK);
			assert_int_equal(olen, sizes[i]);
			if (olen)
				assert_memory_equal(out, plain, olen);
			sv_age_free_plain(out, olen);
			free(f.p);
		}
		/* and the stream reads what the in-memory API wrote */
		{
			unsigned char *file;
			size_t flen;

			assert_int_equal(sv_age_encrypt(&file, &flen, plain, sizes[i], pub, 1,
							false), 0);
			assert_int_equal(stream_decrypt(file, flen, 0, priv, &out, &olen, &st), 0);
			assert_int_equal(olen, sizes[i]);
			if (olen)
				assert_memory_equal(out, plain, olen);
			free(out);
			free(file);
		}
	}
	free(plain);
	sv_secret_free(priv);
}

static void test_stream_stanza(void **state)
{
	static const char *const args[] = { "scrvault-manifest", "v1" };
	unsigned char pub[1][32], body[100], *buf;
	const sv_age_header *h;
	sv_secret *priv, *kw = NULL, *kr = NULL, *other = NULL;
	sv_age_writer *w = NULL;
	sv_age_reader *r = NULL;
	sv_age_identities id;
	struct msink f = { 0 };
	struct msrc src;
	sv_age_status st;
	size_t n;

	(void)state;
	keypair(&priv, pub[0]);
	id = (sv_age_identities){ (const sv_secret *const *)&priv, 1, NULL, 0 };
	assert_int_equal(sv_random(body, sizeof(body)), 0);
	assert_int_equal(sv_age_writer_new(&w, pub, 1), 0);
	assert_int_equal(sv_age_writer_add_stanza(w, args, 2, body, sizeof(body)), 0);
	assert_int_equal(sv_age_writer_derive(&kw, w, "scrvault manifest key"), 0);
	assert_int_equal(sv_secret_len(kw), 32);
	/* the labels age uses itself are not handed out */
	assert_int_equal(sv_age_writer_derive(&other, w, "header"), SCRVAULT_EUSAGE);
	assert_null(other);
	assert_int_equal(sv_age_writer_derive(&other, w, ""), SCRVAULT_EUSAGE);
	{	/* recipient types and malformed arguments are refused */
		static const char *const x[] = { "X25519", "abc" };
		static const char *const sp[] = { "my type" };
		static const char *const empty[] = { "t", "" };

		assert_int_equal(sv_age_writer_add_stanza(w, x, 2, body, 32), SCRVAULT_EUSAGE);
		assert_int_equal(sv_age_writer_add_stanza(w, sp, 1, body, 32), SCRVAULT_EUSAGE);
		assert_int_equal(sv_age_writer_add_stanza(w, empty, 2, body, 32), SCRVAULT_EUSAGE);
		assert_int_equal(sv_age_writer_add_stanza(w, x, 0, body, 32), SCRVAULT_EUSAGE);
	}
	assert_int_equal(sv_age_writer_start(w, msink_write, &f), 0);
	assert_int_equal(sv_age_writer_add_stanza(w, args, 2, body, 10), SCRVAULT_EUSAGE);
	assert_int_equal(sv_age_writer_write(w, "hello", 5), 0);
	assert_int_equal(sv_age_writer_finish(w), 0);
	assert_int_equal(sv_age_writer_finish(w), SCRVAULT_EUSAGE);
	assert_int_equal(sv_age_writer_write(w, "x", 1), SCRVAULT_EUSAGE);
	sv_age_writer_free(w);

	src = (struct msrc){ f.p, f.n, 0, 100, 0 };
	assert_int_equal(sv_age_reader_open(&r, msrc_read, &src, &id, &st), 0);
	assert_non_null(h = sv_age_reader_header(r));
	assert_int_equal(h->n, 2);
	assert_string_equal(h->stanzas[0].args[0], "X25519");
	assert_int_equal(h->stanzas[1].nargs, 2);
	assert_string_equal(h->stanzas[1].args[0], "scrvault-manifest");
	assert_string_equal(h->stanzas[1].args[1], "v1");
	assert_int_equal(h->stanzas[1].bodylen, sizeof(body));
	assert_memory_equal(h->stanzas[1].body, body, sizeof(body));
	assert_int_equal(sv_age_reader_derive(&kr, r, "scrvault manifest key"), 0);
	assert_memory_equal(sv_secret_data(kr), sv_secret_data(kw), 32);
	assert_int_equal(sv_age_reader_derive(&other, r, "another label"), 0);
	assert_memory_not_equal(sv_secret_data(other), sv_secret_data(kw), 32);
	sv_secret_free(other);
	assert_int_equal(sv_age_reader_derive(&other, r, "payload"), SCRVAULT_EUSAGE);
	assert_null(other);
	assert_non_null(buf = malloc(SV_AGE_CHUNK));
	assert_int_equal(sv_age_reader_read(r, buf, &n, &st), 0);
	assert_int_equal(n, 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(sv_age_reader_read(r, buf, &n, &st), 0);
	assert_int_equal(n, 0);
	free(buf);
	sv_age_reader_free(r);
	sv_secret_free(kw);
	sv_secret_free(kr);
	sv_secret_free(priv);
	free(f.p);
}

/*
 * Header last (sv_age_writer_start_payload, _replace_stanza, _header): the
 * header measured before the payload has the final header's length when the
 * replacement stanza has the same length, and is the same for the same
 * stanzas; a replacement of another length gives another length, which the
 * caller must notice (the writer does not know what was reserved).
 */
static void test_stream_header_last(void **state)
{
	static const char *const args[] = { "scrvault-manifest", "v1" };
	static const char *const other[] = { "my-ext", "v2", "x" };
	unsigned char pub[1][32], a[100], b[100], *h1 = NULL, *h2 = NULL, *h3 = NULL, *plain,
		      *file, *out;
	size_t len1, len2, len3, plen = 2 * SV_AGE_CHUNK + 5, olen;
	const sv_age_header *h;
	sv_secret *priv;
	sv_age_writer *w = NULL;
	sv_age_reader *r = NULL;
	sv_age_identities id;
	struct msink f = { 0 };
	struct msrc src;
	sv_age_status st;
	uint64_t seed = 3;
	int rc;

	(void)state;
	keypair(&priv, pub[0]);
	id = (sv_age_identities){ (const sv_secret *const *)&priv, 1, NULL, 0 };
	assert_non_null(plain = malloc(plen));
	gen(&seed, plain, plen);
	assert_int_equal(sv_random(a, sizeof(a)), 0);
	assert_int_equal(sv_random(b, sizeof(b)), 0);

	assert_int_equal(sv_age_writer_new(&w, pub, 1), 0);
	/* no extra stanza yet */
	assert_int_equal(sv_age_writer_replace_stanza(w, 0, args, 2, b, sizeof(b)), SCRVAULT_EUSAGE);
	assert_int_equal(sv_age_writer_add_stanza(w, args, 2, a, sizeof(a)), 0);
	assert_int_equal(sv_age_writer_header(w, &h1, &len1), 0);
	/* deterministic: the same stanzas encode to the same bytes */
	assert_int_equal(sv_age_writer_header(w, &h2, &len2), 0);
	assert_int_equal(len2, len1);
	assert_memory_equal(h2, h1, len1);
	free(h2);
	assert_int_equal(sv_age_writer_start_payload(w, msink_write, &f), 0);
	/* only the nonce so far: no header */
	assert_int_equal(f.n, SV_AGE_NONCE_LEN);
	assert_int_equal(sv_age_writer_start_payload(w, msink_write, &f), SCRVAULT_EUSAGE);
	assert_int_equal(sv_age_writer_start(w, msink_write, &f), SCRVAULT_EUSAGE);
	assert_int_equal(sv_age_writer_add_stanza(w, args, 2, b, sizeof(b)), SCRVAULT_EUSAGE);
	assert_int_equal(sv_age_writer_write(w, plain, plen), 0);
	/* replacing is checked as adding is, and needs an existing index */
	assert_int_equal(sv_age_writer_replace_stanza(w, 1, args, 2, b, sizeof(b)), SCRVAULT_EUSAGE);
	assert_int_equal(sv_age_writer_replace_stanza(w, (size_t)-1, args, 2, b, sizeof(b)),
			 SCRVAULT_EUSAGE);
	{
		static const char *const x[] = { "X25519", "abc" };
		static const char *const sp[] = { "a b" };

		assert_int_equal(sv_age_writer_replace_stanza(w, 0, x, 2, b, 32), SCRVAULT_EUSAGE);
		assert_int_equal(sv_age_writer_replace_stanza(w, 0, sp, 1, b, 32), SCRVAULT_EUSAGE);
		assert_int_equal(sv_age_writer_replace_stanza(w, 0, args, 0, b, 32), SCRVAULT_EUSAGE);
		assert_int_equal(sv_age_writer_replace_stanza(w, 0, args, 2, NULL, 32), SCRVAULT_EUSAGE);
	}
	assert_int_equal(sv_age_writer_finish(w), 0);
	/* a different length: the header's length changes and the caller sees it */
	assert_int_equal(sv_age_writer_replace_stanza(w, 0, other, 3, b, sizeof(b) - 1), 0);
	assert_int_equal(sv_age_writer_header(w, &h3, &len3), 0);
	assert_int_not_equal(len3, len1);
	free(h3);
	/* the same length, after the payload: the length measured holds */
	assert_int_equal(sv_age_writer_replace_stanza(w, 0, args, 2, b, sizeof(b)), 0);
	assert_int_equal(sv_age_writer_header(w, &h2, &len2), 0);
	assert_int_equal(len2, len1);
	assert_memory_not_equal(h2, h1, len1);
	sv_age_writer_free(w);

	/* the file: the final header in front of the payload */
	assert_non_null(file = malloc(len2 + f.n));
	memcpy(file, h2, len2);
	memcpy(file + len2, f.p, f.n);
	src = (struct msrc){ file, len2 + f.n, 0, 0, 0 };
	assert_int_equal(sv_age_reader_open(&r, msrc_read, &src, &id, &st), 0);
	assert_non_null(h = sv_age_reader_header(r));
	assert_int_equal(h->n, 2);
	assert_string_equal(h->stanzas[1].args[0], "scrvault-manifest");
	assert_int_equal(h->stanzas[1].bodylen, sizeof(b));
	assert_memory_equal(h->stanzas[1].body, b, sizeof(b));
	sv_age_reader_free(r);
	assert_int_equal(stream_decrypt(file, len2 + f.n, 4093, priv, &out, &olen, &st), 0);
	assert_int_equal(olen, plen);
	assert_memory_equal(out, plain, plen);
	free(out);
	/* the header measured first (the stand-in stanza) is valid too */
	memcpy(file, h1, len1);
	decrypt_with(file, len1 + f.n, &priv, 1, &out, &olen, &st, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(olen, plen);
	sv_age_free_plain(out, olen);
	free(file);
	free(h1);
	free(h2);
	free(f.p);

	/* header first: sv_age_writer_header is what start wrote, and stanzas
	 * cannot be replaced once it is written */
	memset(&f, 0, sizeof(f));
	assert_int_equal(sv_age_writer_new(&w, pub, 1), 0);
	assert_int_equal(sv_age_writer_add_stanza(w, args, 2, a, sizeof(a)), 0);
	assert_int_equal(sv_age_writer_start(w, msink_write, &f), 0);
	assert_int_equal(sv_age_writer_header(w, &h1, &len1), 0);
	assert_true(f.n == len1 + SV_AGE_NONCE_LEN);
	assert_memory_equal(f.p, h1, len1);
	assert_int_equal(sv_age_writer_replace_stanza(w, 0, args, 2, b, sizeof(b)), SCRVAULT_EUSAGE);
	assert_int_equal(sv_age_writer_finish(w), 0);
	assert_int_equal(sv_age_writer_replace_stanza(w, 0, args, 2, b, sizeof(b)), SCRVAULT_EUSAGE);
	sv_age_writer_free(w);
	free(h1);
	free(f.p);

	/* after a failure: no header, no replacement */
	memset(&f, 0, sizeof(f));
	f.fail_at = 1;
	assert_int_equal(sv_age_writer_new(&w, pub, 1), 0);
	assert_int_equal(sv_age_writer_add_stanza(w, args, 2, a, sizeof(a)), 0);
	assert_int_equal(sv_age_writer_start_payload(w, msink_write, &f), SCRVAULT_ERROR);
	assert_int_equal(sv_age_writer_header(w, &h1, &len1), SCRVAULT_ERROR);
	assert_null(h1);
	assert_int_equal(len1, 0);
	assert_int_equal(sv_age_writer_replace_stanza(w, 0, args, 2, b, sizeof(b)), SCRVAULT_ERROR);
	sv_age_writer_free(w);
	free(f.p);
	assert_int_equal(sv_age_writer_header(NULL, &h1, &len1), SCRVAULT_EUSAGE);
	assert_int_equal(sv_age_writer_replace_stanza(NULL, 0, args, 2, b, 1), SCRVAULT_EUSAGE);
	assert_int_equal(sv_age_writer_start_payload(NULL, msink_write, &f), SCRVAULT_EUSAGE);

	free(plain);
	sv_secret_free(priv);
}

/* ---- streams: attacks ---------------------------------------------------- */

/* Decrypt a damaged file: it must fail as a payload failure, after releasing a prefix. */
static void expect_payload_failure(const unsigned char *file, size_t flen, sv_secret *priv,
				   const unsigned char *plain, size_t plen, const char *what)
{
	static const size_t steps[] = { 0, 1000 };
	unsigned char *out;
	size_t olen, i;
	sv_age_status st;
	int rc;

	for (i = 0; i < SV_ARRAY_SIZE(steps); i++) {
		rc = stream_decrypt(file, flen, steps[i], priv, &out, &olen, &st);
		if (rc != SCRVAULT_EINTEGRITY || st != SV_AGE_PAYLOAD)
			fail_msg("%s: return %d, status '%s', want a payload failure", what, rc,
				 sv_age_status_name(st));
		assert_true(olen <= plen);
		if (olen)
			assert_memory_equal(out, plain, olen);
		free(out);
	}
}

static void test_stream_tamper(void **state)
{
	unsigned char pub[1][32], *plain, *bad, *out;
	size_t plen = 2 * SV_AGE_CHUNK + 1000, hlen, p, olen, i;
	uint64_t seed = 7;
	sv_secret *priv;
	sv_age_status st;
	struct msink f;
	char what[64];

	(void)state;
	keypair(&priv, pub[0]);
	assert_non_null(plain = malloc(plen));
	gen(&seed, plain, plen);
	stream_encrypt(&f, plain, plen, 4096, pub);
	hlen = header_len(f.p, f.n);
	p = hlen + SV_AGE_NONCE_LEN;	/* the first chunk */
	assert_int_equal(f.n, p + 2 * ENC_CHUNK + 1000 + 16);

	/* truncated at each chunk boundary, mid-chunk and inside the last tag */
	{
		const size_t cuts[] = { p, p + ENC_CHUNK, p + 2 * ENC_CHUNK, p + 1, p + 100,
					p + ENC_CHUNK + 5000, p + 2 * ENC_CHUNK + 1, p + 2 * ENC_CHUNK + 500,
					p + 2 * ENC_CHUNK + 15, p + 2 * ENC_CHUNK + 16, f.n - 16, f.n - 1 };

		for (i = 0; i < SV_ARRAY_SIZE(cuts); i++) {
			snprintf(what, sizeof(what), "truncated to %zu of %zu", cuts[i], f.n);
			expect_payload_failure(f.p, cuts[i], priv, plain, plen, what);
		}
	}
	/* cut at a chunk boundary: the authentic chunks before it are released */
	assert_int_equal(stream_decrypt(f.p, p + ENC_CHUNK, 0, priv, &out, &olen, &st),
			 SCRVAULT_EINTEGRITY);
	assert_int_equal(olen, SV_AGE_CHUNK);
	free(out);
	/* truncated inside the nonce: a header failure */
	assert_int_equal(stream_decrypt(f.p, p - 1, 0, priv, &out, &olen, &st),
			 SCRVAULT_EINTEGRITY);
	assert_int_equal(st, SV_AGE_HEADER);

	/* appended bytes */
	assert_non_null(bad = malloc(f.n + 100));
	memcpy(bad, f.p, f.n);
	memset(bad + f.n, 0, 100);
	expect_payload_failure(bad, f.n + 1, priv, plain, plen, "one byte appended");
	expect_payload_failure(bad, f.n + 100, priv, plain, plen, "100 bytes appended");
	expect_payload_failure(bad, f.n + 16, priv, plain, plen, "an empty chunk's length appended");

	/* a flipped byte in the last chunk (body and tag), and in the first */
	{
		const size_t flips[] = { p + 2 * ENC_CHUNK, p + 2 * ENC_CHUNK + 999, f.n - 1,
					 f.n - 16, p, p + ENC_CHUNK - 1 };

		for (i = 0; i < SV_ARRAY_SIZE(flips); i++) {
			memcpy(bad, f.p, f.n);
			bad[flips[i]] ^= 0x20;
			snprintf(what, sizeof(what), "byte %zu flipped", flips[i]);
			expect_payload_failure(bad, f.n, priv, plain, plen, what);
		}
	}
	/* chunks swapped */
	memcpy(bad, f.p, f.n);
	memcpy(bad + p, f.p + p + ENC_CHUNK, ENC_CHUNK);
	memcpy(bad + p + ENC_CHUNK, f.p + p, ENC_CHUNK);
	expect_payload_failure(bad, f.n, priv, plain, plen, "chunks swapped");
	/* a flipped header byte is no payload failure, but fails the open */
	memcpy(bad, f.p, f.n);
	bad[hlen - 10] ^= 0x01;
	assert_int_not_equal(stream_decrypt(bad, f.n, 0, priv, &out, &olen, &st), 0);
	assert_true(st == SV_AGE_HEADER || st == SV_AGE_HMAC);
	assert_null(out);

	free(bad);
	free(f.p);
	free(plain);
	sv_secret_free(priv);
}

/* A source that never ends: a prefix, then one byte (or line) over and over. */
struct endless {
	const char *prefix, *repeat;
	size_t pos, total;
};

static long endless_read(void *ctx, void *buf, size_t len)
{
	struct endless *e = ctx;
	size_t plen = strlen(e->prefix), rlen = strlen(e->repeat), i;
	unsigned char *b = buf;

	for (i = 0; i < len; i++, e->pos++)
		b[i] = (unsigned char)(e->pos < plen ? e->prefix[e->pos]
				       : e->repeat[(e->pos - plen) % rlen]);
	e->total += len;
	return (long)len;
}

static void test_stream_limits(void **state)
{
	static const char *const args[] = { "big" };
	unsigned char pub[1][32], *body;
	size_t bodylen = 800000;
	sv_age_identities id;
	sv_age_writer *w = NULL;
	sv_age_reader *r = NULL;
	sv_age_stanza stz[2];
	sv_secret *priv, *fk = NULL;
	struct msink f = { 0 };
	sv_age_status st;
	int rc;

	(void)state;
	keypair(&priv, pub[0]);
	id = (sv_age_identities){ (const sv_secret *const *)&priv, 1, NULL, 0 };
	assert_non_null(body = calloc(1, bodylen));

	/* the writer does not write a header the reader would refuse */
	assert_int_equal(sv_age_writer_new(&w, pub, 1), 0);
	assert_int_equal(sv_age_writer_add_stanza(w, args, 1, body, bodylen), 0);
	assert_int_equal(sv_age_writer_start(w, msink_write, &f), SCRVAULT_EUSAGE);
	assert_int_equal(f.n, 0);
	assert_int_not_equal(sv_age_writer_write(w, "x", 1), 0);
	sv_age_writer_free(w);

	/* a complete header over the limit is refused, having read little more */
	{
		struct msrc src;
		unsigned char *hdr = NULL;
		size_t hlen = 0;

		memset(stz, 0, sizeof(stz));
		stz[0].args = (char *[]){ "X25519", "TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc" };
		stz[0].nargs = 2;
		stz[0].body = body;
		stz[0].bodylen = 32;
		stz[1].args = (char *[]){ "big" };
		stz[1].nargs = 1;
		stz[1].body = body;
		stz[1].bodylen = bodylen;
		assert_int_equal(sv_secret_random(&fk, 16), 0);
		assert_int_equal(sv_age_header_encode(&hdr, &hlen, stz, 2, fk), 0);
		assert_true(hlen > SV_AGE_MAX_HEADER);
		assert_non_null(hdr = realloc(hdr, hlen + 1000));
		memset(hdr + hlen, 0, 1000);
		src = (struct msrc){ hdr, hlen + 1000, 0, 0, 0 };
		rc = sv_age_reader_open(&r, msrc_read, &src, &id, &st);
		assert_int_equal(rc, SCRVAULT_EINTEGRITY);
		assert_int_equal(st, SV_AGE_HEADER);
		assert_null(r);
		free(hdr);
		sv_secret_free(fk);
	}
	/* a header that never ends: refused after about SV_AGE_MAX_HEADER bytes */
	{
		struct endless e = { "age-encryption.org/v1\n", "-> a\nAAAA\n", 0, 0 };

		rc = sv_age_reader_open(&r, endless_read, &e, &id, &st);
		assert_int_equal(rc, SCRVAULT_EINTEGRITY);
		assert_int_equal(st, SV_AGE_HEADER);
		assert_true(e.total >= SV_AGE_MAX_HEADER && e.total <= SV_AGE_MAX_HEADER + 65536);
	}
	/* something else entirely: refused at once */
	{
		struct endless e = { "", "\x01\x02", 0, 0 };

		rc = sv_age_reader_open(&r, endless_read, &e, &id, &st);
		assert_int_equal(st, SV_AGE_HEADER);
		assert_true(e.total <= 65536);
	}
	/* armor that never ends: refused after SV_AGE_MAX_ARMORED bytes */
	if (!getenv("SCRVAULT_TEST_QUICK")) {
		struct endless e = { "-----BEGIN AGE ENCRYPTED FILE-----\n", "A", 0, 0 };

		rc = sv_age_reader_open(&r, endless_read, &e, &id, &st);
		assert_int_equal(rc, SCRVAULT_EINTEGRITY);
		assert_int_equal(st, SV_AGE_ARMOR);
		assert_true(e.total > SV_AGE_MAX_ARMORED && e.total <= SV_AGE_MAX_ARMORED + 65536);
	}
	free(body);
	free(f.p);
	sv_secret_free(priv);
}

static void test_stream_misuse(void **state)
{
	unsigned char pub[1][32], wpub[32], *out;
	sv_secret *priv, *wrong;
	sv_age_writer *w = NULL;
	sv_age_reader *r = NULL;
	sv_age_identities id;
	struct msink f = { 0 };
	sv_age_status st;
	size_t olen, n;
	int k;

	(void)state;
	keypair(&priv, pub[0]);
	keypair(&wrong, wpub);
	assert_int_equal(sv_age_writer_new(&w, pub, 0), SCRVAULT_EUSAGE);
	assert_null(w);
	assert_int_equal(sv_age_writer_new(&w, pub, 1), 0);
	assert_int_equal(sv_age_writer_write(w, "x", 1), SCRVAULT_EUSAGE);
	assert_int_equal(sv_age_writer_finish(w), SCRVAULT_EUSAGE);
	sv_age_writer_free(w);
	sv_age_writer_free(NULL);
	sv_age_reader_free(NULL);

	/* a sink failing at each write in turn: the writer fails and stays failed */
	for (k = 1; k <= 4; k++) {
		unsigned char big[2 * SV_AGE_CHUNK + 1] = { 0 };
		int rc;

		memset(&f, 0, sizeof(f));
		f.fail_at = k;
		assert_int_equal(sv_age_writer_new(&w, pub, 1), 0);
		if ((rc = sv_age_writer_start(w, msink_write, &f)) == 0
		    && (rc = sv_age_writer_write(w, big, sizeof(big))) == 0)
			rc = sv_age_writer_finish(w);
		assert_int_equal(rc, SCRVAULT_ERROR);
		assert_int_not_equal(sv_age_writer_write(w, big, 1), 0);
		assert_int_not_equal(sv_age_writer_finish(w), 0);
		sv_age_writer_free(w);
		free(f.p);
	}

	stream_encrypt(&f, (const unsigned char *)"some text", 9, 9, pub);
	/* the wrong identity */
	assert_int_equal(stream_decrypt(f.p, f.n, 0, wrong, &out, &olen, &st), SCRVAULT_EDENIED);
	assert_int_equal(st, SV_AGE_NO_MATCH);
	/* an empty input and not an age file */
	assert_int_equal(stream_decrypt(f.p, 0, 0, priv, &out, &olen, &st), SCRVAULT_EINTEGRITY);
	assert_int_equal(st, SV_AGE_HEADER);
	assert_int_equal(stream_decrypt((const unsigned char *)"age-encryption.org/v2\n", 22, 0,
					priv, &out, &olen, &st), SCRVAULT_EINTEGRITY);
	assert_int_equal(st, SV_AGE_HEADER);
	/* no identities */
	assert_int_equal(sv_age_reader_open(&r, msrc_read, &f, NULL, &st), SCRVAULT_EUSAGE);
	assert_int_equal(st, SV_AGE_OTHER);
	/* the source fails in the header, then in the payload: SV_AGE_OTHER */
	id = (sv_age_identities){ (const sv_secret *const *)&priv, 1, NULL, 0 };
	{
		struct msrc src = { f.p, f.n, 0, 10, 20 };

		assert_int_equal(sv_age_reader_open(&r, msrc_read, &src, &id, &st), SCRVAULT_ERROR);
		assert_int_equal(st, SV_AGE_OTHER);
		assert_null(r);
	}
	{
		struct msrc src = { f.p, f.n, 0, 1, f.n - 5 };

		assert_int_equal(sv_age_reader_open(&r, msrc_read, &src, &id, &st), 0);
		assert_int_equal(sv_age_reader_read(r, (unsigned char[SV_AGE_CHUNK]){ 0 }, &n, &st),
				 SCRVAULT_ERROR);
		assert_int_equal(st, SV_AGE_OTHER);
		assert_int_equal(n, 0);
		assert_int_equal(sv_age_reader_read(r, (unsigned char[SV_AGE_CHUNK]){ 0 }, &n, &st),
				 SCRVAULT_ERROR);
		sv_age_reader_free(r);
	}
	free(f.p);
	sv_secret_free(wrong);
	sv_secret_free(priv);
}

/* Files through the ready-made fd source and sink; armored input. */
static void test_stream_fd_armor(void **state)
{
	unsigned char pub[1][32], *plain, *file, *out;
	size_t plen = 200001, flen, olen, i;
	char *dir = unit_tmpdir(), *path = sv_printf("%s/f.age", dir);
	sv_age_writer *w = NULL;
	sv_age_reader *r = NULL;
	sv_age_identities id;
	uint64_t seed = 3;
	sv_secret *priv;
	sv_age_status st;
	int fd;

	(void)state;
	keypair(&priv, pub[0]);
	id = (sv_age_identities){ (const sv_secret *const *)&priv, 1, NULL, 0 };
	assert_non_null(plain = malloc(plen));
	gen(&seed, plain, plen);
	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0);
	assert_int_equal(sv_age_writer_new(&w, pub, 1), 0);
	assert_int_equal(sv_age_writer_start(w, sv_age_write_fd, &fd), 0);
	for (i = 0; i < plen; i += 1000)
		assert_int_equal(sv_age_writer_write(w, plain + i, plen - i < 1000 ? plen - i : 1000), 0);
	assert_int_equal(sv_age_writer_finish(w), 0);
	sv_age_writer_free(w);
	assert_int_equal(close(fd), 0);

	assert_true((fd = open(path, O_RDONLY)) >= 0);
	assert_int_equal(sv_age_reader_open(&r, sv_age_read_fd, &fd, &id, &st), 0);
	assert_non_null(out = malloc(plen + SV_AGE_CHUNK));
	for (olen = 0;;) {
		size_t n;

		assert_int_equal(sv_age_reader_read(r, out + olen, &n, &st), 0);
		if (n == 0)
			break;
		olen += n;
	}
	assert_int_equal(olen, plen);
	assert_memory_equal(out, plain, plen);
	sv_age_reader_free(r);
	close(fd);
	free(out);

	/* armored, also with white space before it, and byte by byte */
	assert_int_equal(sv_age_encrypt(&file, &flen, plain, plen, pub, 1, true), 0);
	assert_int_equal(stream_decrypt(file, flen, 1, priv, &out, &olen, &st), 0);
	assert_int_equal(olen, plen);
	assert_memory_equal(out, plain, plen);
	free(out);
	assert_non_null(file = realloc(file, flen + 3));
	memmove(file + 3, file, flen);
	memcpy(file, " \n\t", 3);
	assert_int_equal(stream_decrypt(file, flen + 3, 0, priv, &out, &olen, &st), 0);
	assert_int_equal(olen, plen);
	free(out);
	file[flen + 3 - 20] = '!';	/* damaged armor */
	assert_int_equal(stream_decrypt(file, flen + 3, 0, priv, &out, &olen, &st),
			 SCRVAULT_EINTEGRITY);
	assert_int_equal(st, SV_AGE_ARMOR);
	free(file);

	unlink(path);
	free(path);
	unit_rmtree(dir);
	free(dir);
	free(plain);
	sv_secret_free(priv);
}

/* ---- streams: interoperability with the age command ---------------------- */

struct interop {
	char *dir, *keyfile, *recip, *enc;
	sv_secret *priv;
};

/*
 * The peak resident set size (VmHWM, KiB) since the last reset; -1 when
 * /proc cannot tell.  Resetting it (clear_refs 5) lets a test measure its
 * own peak, not that of earlier tests.
 */
static long peak_rss_kib(bool reset)
{
	char line[256];
	long kib = -1;
	FILE *f;

	if (reset && (f = fopen("/proc/self/clear_refs", "w")) != NULL) {
		fputs("5", f);
		fclose(f);
	}
	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "VmHWM:", 6) == 0) {
			char *end = NULL;

			kib = strtol(line + 6, &end, 10);
			if (end == line + 6)
				kib = -1;
		}
	fclose(f);
	return kib;
}

/* age -r encrypts `len` generated bytes (with -a if armor); we stream-decrypt. */
static void interop_age_to_us(struct interop *t, size_t len, bool armor)
{
	unsigned char *buf, want[32], got[32];
	sv_age_identities id = { (const sv_secret *const *)&t->priv, 1, NULL, 0 };
	sv_sha256_ctx *h = NULL;
	sv_age_reader *r = NULL;
	uint64_t seed = len;
	size_t off, n, total = 0;
	sv_age_status st;
	char *cmd;
	FILE *p;
	int fd;

	assert_non_null(buf = malloc(SV_AGE_CHUNK));
	cmd = sv_printf("age %s -r %s -o '%s'", armor ? "-a" : "", t->recip, t->enc);
	assert_non_null(p = popen(cmd, "w"));
	free(cmd);
	assert_int_equal(sv_sha256_new(&h), 0);
	for (off = 0; off < len; off += n) {
		n = len - off < 40000 ? len - off : 40000;
		gen(&seed, buf, n);
		assert_int_equal(sv_sha256_update(h, buf, n), 0);
		assert_int_equal(fwrite(buf, 1, n, p), n);
	}
	assert_int_equal(pclose(p), 0);
	assert_int_equal(sv_sha256_final(h, want), 0);
	sv_sha256_free(h);

	assert_true((fd = open(t->enc, O_RDONLY)) >= 0);
	if (sv_age_reader_open(&r, sv_age_read_fd, &fd, &id, &st) < 0)
		fail_msg("age %zu B%s: open: %s", len, armor ? " armored" : "",
			 scrvault_error_message());
	assert_int_equal(sv_sha256_new(&h), 0);
	for (;;) {
		if (sv_age_reader_read(r, buf, &n, &st) < 0)
			fail_msg("age %zu B: read: %s", len, scrvault_error_message());
		if (n == 0)
			break;
		total += n;
		assert_int_equal(sv_sha256_update(h, buf, n), 0);
	}
	assert_int_equal(sv_sha256_final(h, got), 0);
	sv_sha256_free(h);
	sv_age_reader_free(r);
	close(fd);
	unlink(t->enc);
	assert_int_equal(total, len);
	assert_memory_equal(got, want, 32);
	free(buf);
}

/*
 * We stream-encrypt `len` generated bytes; age -d decrypts.  With `stanza`,
 * the file has an extension stanza, which age must ignore.  With `last` too,
 * it is written header last, as the one-pass seal writes it: the payload
 * after a gap of the header's measured length, then the stanza replaced by
 * one of the same length that carries what only the end knew (the digest),
 * and the header pwritten at offset 0.
 */
static void interop_us_to_age(struct interop *t, size_t len, bool stanza, bool last)
{
	static const char *const args[] = { "scrvault-manifest", "v1" };
	unsigned char *buf, *hdr = NULL, want[32], got[32], body[100];
	unsigned char pub[1][32];
	sv_sha256_ctx *h = NULL;
	sv_age_writer *w = NULL;
	uint64_t seed = len + 1;
	size_t off, n, total = 0, reserved = 0, hdrlen = 0;
	char *cmd;
	FILE *p;
	int fd;

	assert_non_null(buf = malloc(SV_AGE_CHUNK + 1));
	assert_int_equal(sv_x25519_public(pub[0], t->priv), 0);
	assert_int_equal(sv_random(body, sizeof(body)), 0);
	assert_true((fd = open(t->enc, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0);
	assert_int_equal(sv_age_writer_new(&w, pub, 1), 0);
	if (stanza)
		assert_int_equal(sv_age_writer_add_stanza(w, args, 2, body, sizeof(body)), 0);
	if (last) {
		assert_int_equal(sv_age_writer_header(w, &hdr, &reserved), 0);
		free(hdr);
		assert_int_equal(lseek(fd, (off_t)reserved, SEEK_SET), (off_t)reserved);
		assert_int_equal(sv_age_writer_start_payload(w, sv_age_write_fd, &fd), 0);
	} else {
		assert_int_equal(sv_age_writer_start(w, sv_age_write_fd, &fd), 0);
	}
	assert_int_equal(sv_sha256_new(&h), 0);
	for (off = 0; off < len; off += n) {	/* writes of 65537 bytes */
		n = len - off < SV_AGE_CHUNK + 1 ? len - off : SV_AGE_CHUNK + 1;
		gen(&seed, buf, n);
		assert_int_equal(sv_sha256_update(h, buf, n), 0);
		assert_int_equal(sv_age_writer_write(w, buf, n), 0);
	}
	assert_int_equal(sv_age_writer_finish(w), 0);
	assert_int_equal(sv_sha256_final(h, want), 0);
	sv_sha256_free(h);
	if (last) {
		memcpy(body, want, sizeof(want));
		assert_int_equal(sv_age_writer_replace_stanza(w, 0, args, 2, body, sizeof(body)), 0);
		assert_int_equal(sv_age_writer_header(w, &hdr, &hdrlen), 0);
		assert_int_equal(hdrlen, reserved);
		assert_int_equal(pwrite(fd, hdr, hdrlen, 0), (ssize_t)hdrlen);
		free(hdr);
	}
	sv_age_writer_free(w);
	assert_int_equal(close(fd), 0);

	cmd = sv_printf("age -d -i '%s' '%s'", t->keyfile, t->enc);
	assert_non_null(p = popen(cmd, "r"));
	free(cmd);
	assert_int_equal(sv_sha256_new(&h), 0);
	while ((n = fread(buf, 1, SV_AGE_CHUNK, p)) > 0) {
		total += n;
		assert_int_equal(sv_sha256_update(h, buf, n), 0);
	}
	if (pclose(p) != 0)
		fail_msg("age -d failed on our %zu-byte file%s", len,
			 last ? " written header last" : stanza ? " with an extension stanza" : "");
	assert_int_equal(sv_sha256_final(h, got), 0);
	sv_sha256_free(h);
	unlink(t->enc);
	assert_int_equal(total, len);
	assert_memory_equal(got, want, 32);
	free(buf);
}

static void test_stream_interop(void **state)
{
	static const size_t sizes[] = { 0, 65536, 65537, 200u * 1000 * 1000 };
	struct interop t = { 0 };
	char *cmd, *text;
	size_t i, flen;

	(void)state;
	if (!have("age") || !have("age-keygen")) {
		printf("# interop skipped: age / age-keygen not on PATH\n");
		skip();
	}
	t.dir = unit_tmpdir();
	t.keyfile = sv_printf("%s/key.txt", t.dir);
	t.enc = sv_printf("%s/enc.age", t.dir);
	cmd = sv_printf("age-keygen -o '%s' 2>/dev/null", t.keyfile);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	assert_non_null(text = read_all(t.keyfile, &flen));
	{
		char *k = strstr(text, "AGE-SECRET-KEY-1"), *nl;
		unsigned char pub[32];

		assert_non_null(k);
		if ((nl = strchr(k, '\n')))
			*nl = '\0';
		assert_int_equal(sv_age_identity_decode(&t.priv, k), 0);
		assert_int_equal(sv_x25519_public(pub, t.priv), 0);
		assert_int_equal(sv_age_recipient_encode(&t.recip, pub), 0);
	}
	sv_cleanse(text, flen);
	free(text);

	for (i = 0; i < SV_ARRAY_SIZE(sizes); i++) {
		long before = peak_rss_kib(true), after;

		interop_age_to_us(&t, sizes[i], false);
		interop_us_to_age(&t, sizes[i], false, false);
		after = peak_rss_kib(false);
		/* constant memory: the peak grows far less than the file */
		if (before >= 0 && after - before > 32 * 1024)
			fail_msg("%zu-byte stream grew the peak RSS by %ld KiB", sizes[i],
				 after - before);
		printf("# interop %zu B both ways ok (peak RSS %ld KiB, +%ld KiB)\n", sizes[i],
		       after, after - before);
	}
	/* age -a output */
	interop_age_to_us(&t, 0, true);
	interop_age_to_us(&t, 65537, true);
	interop_age_to_us(&t, 300000, true);
	/* an extension stanza stock age must ignore */
	interop_us_to_age(&t, 0, true, false);
	interop_us_to_age(&t, 100, true, false);
	interop_us_to_age(&t, 65537, true, false);
	/* written header last, as the one-pass seal writes */
	interop_us_to_age(&t, 0, true, true);
	interop_us_to_age(&t, 65536, true, true);
	interop_us_to_age(&t, 3 * SV_AGE_CHUNK + 17, true, true);

	sv_secret_free(t.priv);
	free(t.recip);
	free(t.keyfile);
	free(t.enc);
	unit_rmtree(t.dir);
	free(t.dir);
}

/*
 * The one-pass seal's stand-in manifest (sv_bundle_add_standin) must never
 * pass for a signed one: a bundle carrying it opens with signature_ok false,
 * where the same manifest signed opens with it true; and asking for a
 * signed manifest without a key is an error, not an unsigned manifest.
 */
static void seal_with_manifest(struct msink *out, const unsigned char pub[1][32], const sv_json *m,
			       const sv_secret *ed, bool standin)
{
	sv_age_writer *w = NULL;

	memset(out, 0, sizeof(*out));
	assert_int_equal(sv_age_writer_new(&w, pub, 1), 0);
	if (standin)
		assert_int_equal(sv_bundle_add_standin(w, m), 0);
	else
		assert_int_equal(sv_bundle_add_manifest(w, m, ed, NULL, NULL), 0);
	assert_int_equal(sv_age_writer_start(w, msink_write, out), 0);
	assert_int_equal(sv_age_writer_write(w, "report", 6), 0);
	assert_int_equal(sv_age_writer_finish(w), 0);
	sv_age_writer_free(w);
}

static void test_bundle_standin_never_verifies(void **state)
{
	unsigned char pub[1][32], edpub[32];
	sv_secret *priv = NULL, *ed = NULL;
	sv_age_identities id;
	sv_age_writer *w = NULL;
	sv_bundle *b = NULL;
	sv_age_status st;
	struct msink f;
	struct msrc src;
	sv_json *m = NULL;
	char *key64 = NULL;
	(void)state;

	assert_int_equal(sv_x25519_keygen(&priv, pub[0]), 0);
	assert_int_equal(sv_ed25519_keygen(&ed, edpub), 0);
	assert_non_null(key64 = sv_base64(edpub, sizeof(edpub)));
	assert_non_null(m = sv_json_object());
	assert_int_equal(sv_json_set_str(m, "signer_key", key64), 0);
	assert_int_equal(sv_json_set_str(m, "type", SV_INTAKE_TYPE), 0);
	id = (sv_age_identities){ (const sv_secret *const *)&priv, 1, NULL, 0 };

	assert_int_equal(sv_age_writer_new(&w, (const unsigned char (*)[32])pub, 1), 0);
	assert_true(sv_bundle_set_manifest(w, SV_MANIFEST_NEW, m, NULL, NULL, NULL) < 0);
	sv_age_writer_free(w);

	for (int standin = 0; standin < 2; standin++) {
		seal_with_manifest(&f, (const unsigned char (*)[32])pub, m, ed, standin);
		src = (struct msrc){ f.p, f.n, 0, 0, 0 };
		assert_int_equal(sv_bundle_open(&b, msrc_read, &src, &id, &st), 0);
		assert_non_null(b->manifest);
		assert_int_equal(memcmp(b->signer, edpub, 32), 0);
		assert_int_equal(b->signature_ok, !standin);
		sv_bundle_free(b);
		b = NULL;
		free(f.p);
	}
	sv_json_free(m);
	free(key64);
	sv_secret_free(priv);
	sv_secret_free(ed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmac_kat),
		cmocka_unit_test(test_scrypt_kat),
		cmocka_unit_test(test_chacha_roundtrip),
		cmocka_unit_test(test_bech32),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_b64),
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_roundtrip_sizes),
		cmocka_unit_test(test_multiple_and_wrong),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_interop),
		cmocka_unit_test(test_stream_roundtrip),
		cmocka_unit_test(test_stream_stanza),
		cmocka_unit_test(test_stream_header_last),
		cmocka_unit_test(test_stream_tamper),
		cmocka_unit_test(test_stream_limits),
		cmocka_unit_test(test_stream_misuse),
		cmocka_unit_test(test_stream_fd_armor),
		cmocka_unit_test(test_stream_interop),
		cmocka_unit_test(test_bundle_standin_never_verifies),
	};

	/* as `intake seal` and `open` set up: everything here must work so */
	if (sv_crypto_init_lean() < 0)
		return 1;
	return cmocka_run_group_tests_name("age", tests, NULL, NULL);
}
