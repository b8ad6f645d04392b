/*
 * receipt.c - a check-in's receipt, signed by the vault (scrvault/upload.h;
 * crypto/receipt.h has the format and the offline verification).
 *
 * Must never put in a receipt anything but ids, hashes, sizes, dates and
 * the check-in's own audit entry (which names no child or family), and
 * never sign one whose entry is not in the signed checkpoint it carries.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "records/upload.h"
#include "vault/authz.h"
#include "vault/find.h"
#include "vault/log.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "crypto/crypto.h"
#include "crypto/merkle.h"
#include "crypto/receipt.h"
#include "base/common.h"
#include "base/json.h"
#include "scrvault/upload.h"

/*
 * The check-in entry of (doc, version): its sequence number and text.  The
 * log is canonical JSON, so the entries that can be it are found by their
 * text, then each is parsed and matched exactly.
 */
static int checkin_entry(int64_t *seq, char **entry, scrvault *v, const char *doc, unsigned version)
{
	char *pattern = sv_printf("%%\"doc\":\"%s\"%%", doc);
	sv_stmt *st = NULL;
	int error;

	*entry = NULL;
	if (!pattern)
		return SCRVAULT_ERROR;
	if ((error = sv_db_query(&st, v->db, "SELECT seq, entry FROM audit WHERE entry LIKE '%\"action\":\"doc.checkin\"%'"
				 " AND entry LIKE ? ORDER BY seq", "t", pattern)) < 0)
		goto done;
	while ((error = sv_stmt_step(st)) == 1) {
		const char *text = sv_stmt_text(st, 1);
		sv_json *e = NULL;
		const sv_json *o;
		bool match;

		if (!text || sv_json_parse(&e, text, strlen(text), NULL) < 0)
			continue;
		o = sv_json_get(e, "objects");
		match = sv_json_str(sv_json_get(e, "action")) && !strcmp(sv_json_str(sv_json_get(e, "action")), "doc.checkin") &&
			sv_json_str(sv_json_get(e, "outcome")) && !strcmp(sv_json_str(sv_json_get(e, "outcome")), "ok") &&
			sv_json_str(sv_json_get(o, "doc")) && !strcmp(sv_json_str(sv_json_get(o, "doc")), doc) &&
			sv_json_as_int(sv_json_get(o, "version")) == (int64_t)version;
		sv_json_free(e);
		if (match) {
			*seq = sv_stmt_int(st, 0);
			error = (*entry = sv_strdup(text)) ? 0 : SCRVAULT_ERROR;
			goto done;
		}
	}
	if (error == 0)
		error = sv_error(SCRVAULT_ENOTFOUND, "document '%s' version %u has no check-in in the audit log", doc,
				 version);
done:
	sv_stmt_free(st);
	free(pattern);
	return error;
}

int sv_receipt_make(scrvault_json **out, scrvault *v, const char *doc, unsigned version)
{
	char shahex[2 * SV_SHA256_LEN + 1], *entry = NULL, *note = NULL, *text = NULL, *entry64 = NULL,
	     *sig64 = NULL, *filename = NULL, *at = NULL;
	unsigned char sig[SV_SIG_LEN];
	const unsigned char *sha;
	sv_hash *proof = NULL;
	size_t plen = 0, shalen = 0, tlen = 0;
	int64_t seq = 0, size = 0, cpsize = 0;
	sv_json *r = NULL, *hashes = NULL;
	sv_stmt *st = NULL;
	int error;

	*out = NULL;
	if ((error = sv_db_query(&st, v->db, "SELECT size, sha256, filename, checked_in_at FROM versions"
				 " WHERE doc_id = ? AND version = ?", "ti", doc, (int64_t)version)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) != 1) {
		sv_stmt_free(st);
		return error < 0 ? error : sv_error(SCRVAULT_ENOTFOUND, "no version %u of document '%s'", version, doc);
	}
	size = sv_stmt_int(st, 0);
	sha = sv_stmt_blob(st, 1, &shalen);
	if (!sha || shalen != SV_SHA256_LEN) {
		sv_stmt_free(st);
		return sv_error(SCRVAULT_EINTEGRITY, "document '%s' version %u has no SHA-256 on record", doc, version);
	}
	sv_hex(shahex, sha, SV_SHA256_LEN);
	filename = sv_stmt_text(st, 2) ? sv_strdup(sv_stmt_text(st, 2)) : NULL;
	at = sv_strdup(sv_stmt_text(st, 3));
	sv_stmt_free(st);
	if (!at) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = checkin_entry(&seq, &entry, v, doc, version)) < 0)
		goto done;
	/* A signed checkpoint that covers it (signed and published now if not). */
	if (!v->rolled_back && (error = sv_audit_checkpoint(v)) < 0)
		goto done;
	if ((error = sv_audit_latest(&cpsize, &note, v)) < 0)
		goto done;
	if (cpsize < seq || !note) {
		error = sv_error(SCRVAULT_ECONFLICT, "no signed checkpoint covers audit entry %" PRId64 " yet", seq);
		goto done;
	}
	if ((error = sv_merkle_inclusion(&proof, &plen, (uint64_t)seq - 1, (uint64_t)cpsize, sv_audit_node, v)) < 0)
		goto done;
	if (!(hashes = sv_json_array()) ||
	    !(entry64 = sv_base64((const unsigned char *)entry, strlen(entry)))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	for (size_t i = 0; i < plen; i++) {
		char *b = sv_base64(proof[i].h, SV_HASH_LEN);

		if (!b || sv_json_append(hashes, sv_json_string(b)) < 0) {
			free(b);
			error = SCRVAULT_ERROR;
			goto done;
		}
		free(b);
	}
	if (!(r = sv_json_of(SV_FIELDS(SV_INT("receipt", 1), SV_STR("vault", v->id), SV_STR("doc", doc),
				       SV_INT("version", version), SV_STR("sha256", shahex), SV_INT("size", size),
				       SV_OPT("filename", filename), SV_STR("at", at), SV_INT("seq", seq),
				       SV_STR("entry", entry64), SV_STR("checkpoint", note))))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if (sv_json_set(r, "proof", SV_TAKE(hashes)) < 0) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = sv_receipt_text(&text, &tlen, r)) < 0 ||
	    (error = sv_ed25519_sign(sig, v->audit_key, text, tlen)) < 0)
		goto done;
	if (!(sig64 = sv_base64(sig, sizeof(sig))) || sv_json_set_str(r, "sig", sig64) < 0) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	*out = SV_TAKE(r);
	error = 0;
done:
	sv_json_free(r);
	sv_json_free(hashes);
	free(proof);
	free(entry);
	free(note);
	free(text);
	free(entry64);
	free(sig64);
	free(filename);
	free(at);
	return error;
}

int scrvault_receipt_make(scrvault_json **out, scrvault *v, const char *docarg, unsigned version)
{
	char doc[SV_DOC_ID_LEN + 1], caseref[40];
	int error;

	*out = NULL;
	if (!docarg || version == 0)
		return sv_error_field(SCRVAULT_EUSAGE, "version", "a receipt is of one version: name it (DOC@N)");
	/* A receipt shows what a listing shows (ids, hash, size, file name). */
	if ((error = sv_doc_resolve(doc, caseref, v, "doc.list", docarg)) < 0)
		return sv_audit_denied(v, "doc.receipt", SV_ABOUT(.doc = docarg), NULL, error);
	if ((error = sv_authorize(v, "doc.list", SV_ABOUT(.caseref = caseref, .doc = doc, .version = version))) < 0)
		return error;
	return sv_receipt_make(out, v, doc, version);
}
