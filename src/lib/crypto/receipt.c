/*
 * receipt.c - a check-in's signed receipt checked offline (receipt.h).
 *
 * Needs no vault: the verifier key, the receipt and (optionally) the file.
 * Must never call a receipt valid unless all of these hold: the signature
 * by the vault's audit key over every other member, the checkpoint signed
 * by the same key under the vault's own name, the entry's inclusion in that
 * checkpoint, and the entry being the check-in the receipt names (action,
 * document, version, SHA-256, size, sequence, outcome).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "crypto/receipt.h"
#include "crypto/crypto.h"
#include "crypto/merkle.h"
#include "crypto/note.h"
#include "base/common.h"
#include "base/file.h"
#include "base/json.h"
#include "scrvault/upload.h"

int sv_receipt_text(char **out, size_t *len, const sv_json *receipt)
{
	sv_json *copy = sv_json_object();
	char *body = NULL;
	int error = SCRVAULT_ERROR;

	*out = NULL;
	*len = 0;
	if (!copy)
		return SCRVAULT_ERROR;
	for (size_t i = 0; i < sv_json_count(receipt); i++) {
		const char *k = sv_json_key_at(receipt, i);

		if (strcmp(k, "sig") != 0 && sv_json_set(copy, k, sv_json_copy(sv_json_get(receipt, k))) < 0)
			goto done;
	}
	if ((error = sv_json_write(&body, len, copy)) < 0)
		goto done;
	if (!(*out = sv_printf("%s%s", SV_RECEIPT_LABEL, body))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	*len += strlen(SV_RECEIPT_LABEL);
	error = 0;
done:
	free(body);
	sv_json_free(copy);
	return error;
}

/* A member of the receipt: a string, or a positive integer. */
static const char *want_str(const sv_json *r, const char *key)
{
	const sv_json *j = sv_json_get(r, key);

	return j && sv_json_type_of(j) == SV_JSON_STRING ? sv_json_str(j) : NULL;
}

static bool want_int(int64_t *out, const sv_json *r, const char *key, int64_t min)
{
	const sv_json *j = sv_json_get(r, key);

	if (!j || sv_json_type_of(j) != SV_JSON_INT || sv_json_as_int(j) < min)
		return false;
	*out = sv_json_as_int(j);
	return true;
}

static int bad(const char *what)
{
	return sv_error(SCRVAULT_EINTEGRITY, "the receipt does not verify: %s", what);
}

/* SHA-256 of the file at `path`, streamed. */
static int file_sha256(unsigned char out[SV_SHA256_LEN], const char *path)
{
	unsigned char *buf = NULL;
	sv_sha256_ctx *c = NULL;
	int fd, error = SCRVAULT_ERROR;
	long got;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return sv_error_field(errno == ENOENT ? SCRVAULT_ENOTFOUND : SCRVAULT_ERROR, "file",
				      "cannot open '%s': %s", path, strerror(errno));
	if (!(buf = sv_malloc(65536)) || (error = sv_sha256_new(&c)) < 0)
		goto done;
	while ((got = sv_read_full(fd, buf, 65536)) > 0)
		if ((error = sv_sha256_update(c, buf, (size_t)got)) < 0)
			goto done;
	if (got < 0) {
		error = sv_error_field(SCRVAULT_ERROR, "file", "cannot read '%s'", path);
		goto done;
	}
	error = sv_sha256_final(c, out);
done:
	close(fd);
	free(buf);
	sv_sha256_free(c);
	return error;
}

/* The check-in entry must say what the receipt says. */
static int check_entry(const unsigned char *entry, size_t len, int64_t seq, const char *doc, int64_t version,
		       const char *sha, int64_t size)
{
	sv_json *e = NULL;
	const sv_json *obj, *det;
	int64_t n;
	int error = 0;

	if (sv_json_parse(&e, (const char *)entry, len, NULL) < 0)
		return bad("its audit entry is not JSON");
	obj = sv_json_get(e, "objects");
	det = sv_json_get(e, "details");
	if (!want_int(&n, e, "seq", 1) || n != seq)
		error = bad("its audit entry has another sequence number");
	else if (!want_str(e, "action") || strcmp(want_str(e, "action"), "doc.checkin") != 0 ||
		 !want_str(e, "outcome") || strcmp(want_str(e, "outcome"), "ok") != 0)
		error = bad("its audit entry is not a check-in");
	else if (!obj || !want_str(obj, "doc") || strcmp(want_str(obj, "doc"), doc) != 0 ||
		 !want_int(&n, obj, "version", 1) || n != version)
		error = bad("its audit entry is the check-in of another document or version");
	else if (!det || !want_str(det, "sha256") || strcmp(want_str(det, "sha256"), sha) != 0 ||
		 !want_int(&n, det, "size", 0) || n != size)
		error = bad("its audit entry records another SHA-256 or size");
	sv_json_free(e);
	return error;
}

static int verify(sv_json **report, const char *text, size_t textlen, const char *vkey, const char *file)
{
	char name[128], *origin = NULL, *signed_text = NULL;
	unsigned char pub[SV_KEY_LEN], *sig = NULL, *entry = NULL, fsha[SV_SHA256_LEN];
	size_t siglen = 0, entrylen = 0, slen = 0, nproof;
	sv_hash proof[SV_MERKLE_MAX_PROOF], leaf;
	sv_json *r = NULL;
	const sv_json *pj;
	const char *vault, *doc, *sha, *at, *cp, *sig64, *entry64;
	int64_t kind, version, size, seq;
	sv_checkpoint c;
	int error;

	if ((error = sv_note_vkey_parse(name, pub, vkey)) < 0)
		return sv_error_field(SCRVAULT_EUSAGE, "vkey", "the verifier key is malformed: %s",
				      scrvault_error_message());
	if (sv_json_parse(&r, text, textlen, NULL) < 0 || sv_json_type_of(r) != SV_JSON_OBJECT) {
		error = bad("it is not a receipt (JSON object)");
		goto done;
	}
	vault = want_str(r, "vault");
	doc = want_str(r, "doc");
	sha = want_str(r, "sha256");
	at = want_str(r, "at");
	cp = want_str(r, "checkpoint");
	sig64 = want_str(r, "sig");
	entry64 = want_str(r, "entry");
	pj = sv_json_get(r, "proof");
	if (!want_int(&kind, r, "receipt", 1) || kind != 1 || !vault || !doc || !sha || strlen(sha) != 64 ||
	    !at || !cp || !sig64 || !entry64 || !pj || sv_json_type_of(pj) != SV_JSON_ARRAY ||
	    !want_int(&version, r, "version", 1) || !want_int(&size, r, "size", 0) || !want_int(&seq, r, "seq", 1)) {
		error = bad("a member is missing or of the wrong type");
		goto done;
	}
	/* The verifier key is the vault's: its name is the vault's log. */
	if (!(origin = sv_printf("scrvault.local/%s", vault))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if (strcmp(origin, name) != 0) {
		error = bad("the verifier key is another vault's");
		goto done;
	}
	if (sv_unbase64(&sig, &siglen, sig64) < 0 || siglen != SV_SIG_LEN) {
		error = bad("the signature is malformed");
		goto done;
	}
	if ((error = sv_receipt_text(&signed_text, &slen, r)) < 0)
		goto done;
	if (sv_ed25519_verify(sig, pub, signed_text, slen) < 0) {
		error = bad("the vault's signature does not match its contents");
		goto done;
	}
	if (sv_checkpoint_open(&c, cp, strlen(cp), name, pub) < 0) {
		error = bad("its checkpoint is not signed by the vault");
		goto done;
	}
	nproof = sv_json_count(pj);
	if (nproof > SV_MERKLE_MAX_PROOF) {
		error = bad("its proof is too long");
		goto done;
	}
	for (size_t i = 0; i < nproof; i++) {
		unsigned char *raw = NULL;
		size_t rl = 0;
		const char *h = sv_json_str(sv_json_at(pj, i));

		if (!h || sv_unbase64(&raw, &rl, h) < 0 || rl != SV_HASH_LEN) {
			free(raw);
			error = bad("a hash of its proof is malformed");
			goto done;
		}
		memcpy(proof[i].h, raw, SV_HASH_LEN);
		free(raw);
	}
	if (sv_unbase64(&entry, &entrylen, entry64) < 0) {
		error = bad("its audit entry is not base64");
		goto done;
	}
	sv_merkle_leaf_hash(&leaf, entry, entrylen);
	if ((uint64_t)seq > c.size ||
	    sv_merkle_verify_inclusion((uint64_t)seq - 1, c.size, &leaf, proof, nproof, &c.root) < 0) {
		error = bad("its audit entry is not in the signed log");
		goto done;
	}
	if ((error = check_entry(entry, entrylen, seq, doc, version, sha, size)) < 0)
		goto done;
	if (file) {
		char hex[2 * SV_SHA256_LEN + 1];

		if ((error = file_sha256(fsha, file)) < 0)
			goto done;
		sv_hex(hex, fsha, sizeof(fsha));
		if (strcmp(hex, sha) != 0) {
			error = sv_error_field(SCRVAULT_EINTEGRITY, "file", "'%s' is not the file of the receipt "
					       "(its SHA-256 is %s, the receipt's %s)", file, hex, sha);
			goto done;
		}
	}
	if (!(*report = sv_json_of(SV_FIELDS(SV_BOOL("valid", true), SV_STR("doc", doc), SV_INT("version", version),
					     SV_STR("sha256", sha), SV_INT("size", size), SV_STR("at", at),
					     SV_INT("seq", seq), SV_IF(file, SV_BOOL("file_matches", true)))))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	error = 0;
done:
	sv_json_free(r);
	free(origin);
	free(signed_text);
	free(sig);
	free(entry);
	return error;
}

int scrvault_file_sha256(char out[65], const char *path)
{
	unsigned char sha[SV_SHA256_LEN];
	int error;

	out[0] = '\0';
	if ((error = file_sha256(sha, path)) < 0)
		return error;
	sv_hex(out, sha, sizeof(sha));
	return 0;
}

int scrvault_receipt_verify(scrvault_json **report, const char *receipt_path, const char *vkey, const char *file)
{
	char *text = NULL;
	size_t len = 0;
	int error;

	*report = NULL;
	if (!receipt_path || !vkey)
		return sv_error_field(SCRVAULT_EUSAGE, receipt_path ? "vkey" : "receipt",
				      "name the receipt and the vault's verifier key");
	if ((error = sv_file_read(&text, &len, receipt_path, SV_RECEIPT_MAX)) < 0)
		return error;
	error = verify(report, text, len, vkey, file);
	free(text);
	return error;
}
