/*
 * audit.c - writing the audit log (DESIGN §8).
 *
 * One entry per state change, key release, refusal and failed unlock, in
 * the same database transaction as what it records, so an action without
 * its entry cannot be committed (fail closed).  An entry is canonical JSON:
 *
 *   {"action":..,"details":{..},"objects":{..},"outcome":..,"principal":..,
 *    "request":..,"role":..,"seq":N,"time":"YYYY-MM-DDTHH:MM:SSZ","v":1}
 *
 * stored with its RFC 6962 leaf hash SHA-256(0x00 || entry).  Entries carry
 * ids, hashes and reasons; never document contents, titles, names of
 * children or families, passphrases or key material.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vault_int.h"

#define SV_AUDIT_FORMAT 1

void sv_audit_leaf(unsigned char out[SV_SHA256_LEN], const char *entry, size_t len)
{
	sv_sha256_ctx *c = NULL;
	const unsigned char zero = 0x00;

	if (sv_sha256_new(&c) < 0 || sv_sha256_update(c, &zero, 1) < 0 ||
	    sv_sha256_update(c, entry, len) < 0 || sv_sha256_final(c, out) < 0)
		memset(out, 0, SV_SHA256_LEN);
	sv_sha256_free(c);
}

const char *sv_audit_outcome(int code)
{
	switch (code) {
	case 0: return "ok";
	case SCRVAULT_EUSAGE: return "invalid";
	case SCRVAULT_EDENIED: return "denied";
	case SCRVAULT_ENOTFOUND: return "not-found";
	case SCRVAULT_EINTEGRITY: return "integrity-failure";
	case SCRVAULT_ECONFLICT: return "conflict";
	default: return "error";
	}
}

/* Test hook: SCRVAULT_TEST_FAIL_AUDIT=k makes the k-th append of this
 * process fail, to prove that an action whose entry cannot be written does
 * not happen.  It can only cause failures. */
static int injected_failure(void)
{
	static long calls;
	const char *k = getenv("SCRVAULT_TEST_FAIL_AUDIT");

	calls++;
	return k && strtol(k, NULL, 10) == calls;
}

int sv_audit_append(scrvault *v, const char *action, const char *outcome,
		    sv_json *objects, sv_json *details)
{
	unsigned char leaf[SV_SHA256_LEN];
	char when[21], *text = NULL;
	int64_t seq = 0;
	sv_json *e = NULL;
	size_t len = 0;
	int error = SCRVAULT_ERROR;

	if (!sv_db_in_txn(v->db)) {
		error = sv_error(SCRVAULT_ERROR, "audit entry outside a transaction");
		goto done;
	}
	if (injected_failure()) {
		error = sv_error(SCRVAULT_ERROR, "cannot write the audit entry (injected failure)");
		goto done;
	}
	if ((error = sv_db_int(&seq, v->db, "SELECT coalesce(max(seq), 0) FROM audit", "")) < 0)
		goto done;
	error = SCRVAULT_ERROR;
	sv_time_iso(when, sv_now());
	if (!objects && !(objects = sv_json_object()))
		goto done;
	if (!details && !(details = sv_json_object()))
		goto done;
	if (!(e = sv_json_object()) ||
	    sv_json_set_str(e, "action", action) < 0 ||
	    sv_json_set(e, "details", details) < 0 ||
	    (details = NULL, sv_json_set(e, "objects", objects) < 0) ||
	    (objects = NULL, sv_json_set_str(e, "outcome", outcome) < 0) ||
	    sv_json_set_str(e, "principal", v->principal ? v->principal : "") < 0 ||
	    sv_json_set_str(e, "request", v->request) < 0 ||
	    sv_json_set_str(e, "role", v->role ? v->role : "") < 0 ||
	    sv_json_set_int(e, "seq", seq + 1) < 0 ||
	    sv_json_set_str(e, "time", when) < 0 ||
	    sv_json_set_int(e, "v", SV_AUDIT_FORMAT) < 0 ||
	    sv_json_write(&text, &len, e) < 0)
		goto done;
	sv_audit_leaf(leaf, text, len);
	if ((error = sv_db_run(v->db, "INSERT INTO audit(seq, entry, leaf) VALUES (?, ?, ?)",
			       "itb", seq + 1, text, leaf, sizeof(leaf))) < 0)
		error = sv_error_wrap(error, "cannot write the audit entry");
done:
	sv_json_free(objects);
	sv_json_free(details);
	sv_json_free(e);
	free(text);
	return error;
}

int sv_audit_denied(scrvault *v, const char *action, sv_json *objects,
		    sv_json *details, int code)
{
	char saved[1024];
	int error;

	/* Keep the caller's message: it is what the user needs to read. */
	snprintf(saved, sizeof(saved), "%s", scrvault_error_message());
	if (sv_db_in_txn(v->db))
		sv_vault_abort(v);
	/* The message is not copied into the entry: it may quote a file name
	 * or other free text.  Callers put structured reasons in `details`. */
	if ((error = sv_vault_begin(v)) < 0) {
		sv_json_free(objects);
		sv_json_free(details);
	}
	if (error < 0 ||
	    (error = sv_audit_append(v, action, sv_audit_outcome(code), objects, details)) < 0 ||
	    (error = sv_vault_commit(v)) < 0) {
		if (sv_db_in_txn(v->db))
			sv_vault_abort(v);
		return sv_error(code, "%s (and the audit entry of this failure could not be written: %s)",
				saved, scrvault_error_message());
	}
	sv_error(code, "%s", saved);
	return code;
}
