/*
 * vault_probe - look inside a vault the way only a test may, to check what
 * crypto-shredding promises.
 *
 *   vault_probe VAULT KEYFILE PASSFILE wrapped DOC VERSION
 *       print the version's wrapped key and its unwrapped key, in hex
 *       (before a purge: the bytes the raw-file scan looks for afterwards)
 *   vault_probe VAULT KEYFILE PASSFILE trykeys DOC VERSION BLOBFILE
 *       try every document key still in the vault on a blob taken from git
 *       history: exit 0 if none opens it (under the destroyed version's
 *       binding or the key's own), 1 if one does
 *   vault_probe VAULT KEYFILE PASSFILE scanplain HEX
 *       decrypt every page of vault.db on its own (SQLCipher 3 page format:
 *       AES-256-CBC under the raw database key, the IV in each page's reserved
 *       tail), free pages and freed cell space included, and look for the
 *       bytes: exit 1 if found, 0 if not (what the raw-file scan cannot see,
 *       since every page is encrypted)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "vault/session.h"
#include "vault/find.h"
#include "base/file.h"

#define PAGE 4096
#define RESERVE 48	/* IV 16 + HMAC-SHA1 20, rounded up to the AES block */

/* Every page of the database file decrypted; 1 if `needle` is in one. */
static int scan_plain(const char *dbpath, const sv_secret *key, const unsigned char *needle, size_t nlen)
{
	unsigned char *file = NULL, plain[PAGE];
	size_t len = 0;
	int found = 0, outl = 0, fin = 0;

	if (sv_file_read((char **)&file, &len, dbpath, (size_t)1 << 31) < 0 || len % PAGE)
		return -1;
	for (size_t pg = 0; pg < len / PAGE; pg++) {
		const unsigned char *p = file + pg * PAGE;
		size_t off = pg == 0 ? 16 : 0;	/* page 1 starts with the salt */
		EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();

		if (!c || EVP_DecryptInit_ex(c, EVP_aes_256_cbc(), NULL, sv_secret_data(key), p + PAGE - RESERVE) != 1 ||
		    EVP_CIPHER_CTX_set_padding(c, 0) != 1 ||
		    EVP_DecryptUpdate(c, plain, &outl, p + off, (int)(PAGE - RESERVE - off)) != 1 ||
		    EVP_DecryptFinal_ex(c, plain + outl, &fin) != 1) {
			EVP_CIPHER_CTX_free(c);
			free(file);
			return -1;
		}
		EVP_CIPHER_CTX_free(c);
		/* page 1: the decrypted header begins with the page size (offset 16) */
		if (pg == 0 && (plain[0] != (PAGE >> 8) || plain[1] != (PAGE & 0xff))) {
			fprintf(stderr, "vault_probe: page 1 does not decrypt to a database header\n");
			free(file);
			return -1;
		}
		for (size_t i = 0; i + nlen <= (size_t)(outl + fin); i++)
			if (!memcmp(plain + i, needle, nlen))
				found = 1;
	}
	free(file);
	return found;
}

static int die(const char *what)
{
	fprintf(stderr, "vault_probe: %s: %s\n", what, scrvault_error_message());
	return 2;
}

static void hexline(const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
	printf("\n");
}

/* Does `dek` open the first chunk of `blob` under binding `ctx`? */
static bool opens(const sv_secret *dek, const char *ctx, const unsigned char *blob, size_t len)
{
	sv_blob_dec *dec = NULL;
	unsigned char *out;
	size_t clen = len - SV_BLOB_HEADER_LEN;
	bool ok = false;

	if (len <= SV_BLOB_HEADER_LEN + SV_GCM_TAG_LEN)
		return false;
	if (clen > SV_BLOB_CHUNK + SV_GCM_TAG_LEN)
		clen = SV_BLOB_CHUNK + SV_GCM_TAG_LEN;
	if (!(out = malloc(clen)))
		return false;
	if (sv_blob_dec_new(&dec, blob, dek, ctx, strlen(ctx)) == 0) {
		ok = sv_blob_dec_chunk(dec, out, blob + SV_BLOB_HEADER_LEN, clen,
				       len - SV_BLOB_HEADER_LEN <= SV_BLOB_CHUNK + SV_GCM_TAG_LEN) == 0;
		if (!ok)
			ok = sv_blob_dec_chunk(dec, out, blob + SV_BLOB_HEADER_LEN, clen, false) == 0;
	}
	sv_blob_dec_free(dec);
	free(out);
	return ok;
}

int main(int argc, char **argv)
{
	scrvault *v = NULL;
	scrvault_secret *pp = NULL;
	char ctx[160];
	int rc = 0;

	if (argc < 6 || (strcmp(argv[4], "scanplain") != 0 && argc < 7))
		return fprintf(stderr, "usage: see the comment at the top\n"), 2;
	if (scrvault_global_init() < 0 || scrvault_secret_read_file(&pp, argv[3]) < 0 ||
	    scrvault_vault_open(&v, &(scrvault_open_options){ .version = SCRVAULT_OPEN_OPTIONS_VERSION, .dir = argv[1], .keyfile = argv[2], .passphrase = pp }) < 0)
		return die("open");
	if (!strcmp(argv[4], "wrapped")) {
		sv_version_row r;
		unsigned version = (unsigned)strtoul(argv[6], NULL, 10);
		sv_secret *dek = NULL;

		if (sv_version_load(&r, v, argv[5], &version) < 0)
			return die("version");
		sv_blob_context(ctx, sizeof(ctx), v, argv[5], version);
		if (sv_open(&dek, v->kek, r.wrapped, sizeof(r.wrapped), ctx, strlen(ctx)) < 0)
			return die("unwrap");
		hexline(r.wrapped, sizeof(r.wrapped));
		hexline(sv_secret_data(dek), sv_secret_len(dek));
		sv_secret_free(dek);
	} else if (!strcmp(argv[4], "scanplain")) {
		size_t n = strlen(argv[5]) / 2;
		unsigned char *needle = malloc(n ? n : 1);
		char *db = sv_path(argv[1], "vault.db");
		sv_secret *dbkey = NULL;

		if (!needle || !db || sv_unhex(needle, n, argv[5]) < 0 ||
		    sv_vault_subkey(&dbkey, v->vmk, v->id, SV_LABEL_DB) < 0)
			return die("scanplain");
		rc = scan_plain(db, dbkey, needle, n);
		if (rc < 0)
			return die("decrypting the pages");
		printf("%s\n", rc ? "found" : "not found");
		sv_secret_free(dbkey);
		free(needle);
		free(db);
	} else if (!strcmp(argv[4], "trykeys") && argc >= 8) {
		unsigned char *blob = NULL;
		size_t len = 0, tried = 0;
		char target[160];
		sv_stmt *st = NULL;

		if (sv_file_read((char **)&blob, &len, argv[7], (size_t)1 << 30) < 0)
			return die("blob");
		sv_blob_context(target, sizeof(target), v, argv[5], (unsigned)strtoul(argv[6], NULL, 10));
		if (sv_db_query(&st, v->db, "SELECT doc_id, version, wrapped_dek FROM versions WHERE wrapped_dek IS NOT NULL",
				"") < 0)
			return die("query");
		while (sv_stmt_step(st) == 1) {
			size_t wl = 0;
			const unsigned char *w = sv_stmt_blob(st, 2, &wl);
			sv_secret *dek = NULL;

			sv_blob_context(ctx, sizeof(ctx), v, sv_stmt_text(st, 0), (unsigned)sv_stmt_int(st, 1));
			if (sv_open(&dek, v->kek, w, wl, ctx, strlen(ctx)) < 0)
				continue;
			tried++;
			if (opens(dek, target, blob, len) || opens(dek, ctx, blob, len)) {
				printf("key of %s version %lld opens it\n", sv_stmt_text(st, 0), (long long)sv_stmt_int(st, 1));
				rc = 1;
			}
			sv_secret_free(dek);
		}
		sv_stmt_free(st);
		printf("tried %zu keys\n", tried);
		free(blob);
	} else {
		rc = 2;
	}
	scrvault_vault_close(v);
	scrvault_secret_free(pp);
	return rc;
}
