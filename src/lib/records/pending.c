/*
 * pending.c - asking for an operation under dual control: whether the
 * policy holds an action for a second custodian, whether dual control is in
 * force (two custodians who could approve), and recording the request
 * (op.c decides it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "records/pending.h"
#include "vault/log.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "crypto/crypto.h"
#include "base/common.h"
#include "base/date.h"
#include "base/json.h"

bool sv_dual_required(scrvault *v, const char *action)
{
	int64_t n = 0;

	return sv_db_int(&n, v->db, "SELECT count(*) FROM policy_dual WHERE action = ?", "t", action) >= 0 && n > 0;
}

int sv_dual_approvers(int64_t *n, scrvault *v)
{
	int error;

	*n = 0;
	error = sv_db_int(n, v->db, "SELECT count(DISTINCT p.id) FROM principals p"
			  " JOIN grants g ON g.principal_id = p.id"
			  " JOIN policy_roles r ON r.role = g.role AND r.scope = 'board'"
			  " JOIN policy_allow a ON a.role = g.role AND a.action = 'op.approve' AND a.class = ''"
			  " WHERE p.status = 'active' AND p.custodian = 1 AND p.kind = 'person'", "");
	return error < 0 ? error : 0;
}

sv_dual sv_dual_mode(scrvault *v, bool listed)
{
	int64_t n = 0;

	if (!listed)
		return SV_DUAL_NO;
	if (sv_dual_approvers(&n, v) < 0)
		return SV_DUAL_HOLD;
	return n >= 2 ? SV_DUAL_HOLD : SV_DUAL_SINGLE;
}

int sv_key_fpr(char out[33], scrvault *v, int64_t id)
{
	unsigned char digest[SV_SHA256_LEN];
	const unsigned char *pub;
	sv_stmt *st = NULL;
	size_t len = 0;
	int error;

	out[0] = '\0';
	if ((error = sv_db_query(&st, v->db, "SELECT ed25519_pub FROM principals WHERE id = ?", "i", id)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1 && (pub = sv_stmt_blob(st, 0, &len)) && len == SV_KEY_LEN) {
		sv_sha256(digest, pub, len);
		sv_hex(out, digest, 16);
		error = 0;
	} else if (error >= 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "the signing key of principal %lld is missing or damaged",
				 (long long)id);
	}
	sv_stmt_free(st);
	return error;
}

int sv_op_request(sv_json **out, scrvault *v, const char *action, const char *target,
		  const sv_field *params)
{
	unsigned char raw[8];
	char id[17], when[21], until[21], fpr[33], *text = NULL;
	int64_t hours = 72;
	sv_json *pj = NULL;
	size_t len = 0;
	int error;

	*out = NULL;
	/* The parameters are kept as JSON in the database until the decision. */
	if (!(pj = sv_json_object())) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = sv_json_set_fields(pj, params)) < 0 ||
	    (error = sv_db_int(&hours, v->db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'dual_expiry_hours'",
			       "")) < 0 ||
	    (error = sv_key_fpr(fpr, v, v->principal_id)) < 0 ||
	    (error = sv_random(raw, sizeof(raw))) < 0 ||
	    (error = sv_json_write(&text, &len, pj)) < 0)
		goto done;
	sv_hex(id, raw, sizeof(raw));
	sv_time_iso(when, sv_now());
	sv_time_iso(until, sv_now() + hours * 3600);
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	/* request_seq: the log's length before the op.request entry; whatever
	 * changes a principal after it (principals_made, principals_rekeyed,
	 * grants_made in schema.c) is inside the pending window. */
	if ((error = sv_db_run(v->db, "INSERT INTO pending_ops(id, action, params, requested_by, requested_at,"
			       " expires_at, target, requested_fpr, request_seq)"
			       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(seq), 0) FROM audit))",
			       "tttitttt", id, action, text, v->principal_id, when, until, target, fpr)) < 0)
		goto fail;
	/* The entry names the operation's objects (a principal), not its
	 * parameters: a policy's text is in the database, not in the log. */
	if ((error = sv_audit_append(v, "op.request", "ok", SV_ABOUT(.op = id, .principal = target),
				     SV_FIELDS(SV_STR("action", action), SV_STR("expires_at", until),
					       SV_STR("key_fpr", fpr)))) < 0)
		goto fail;
	if ((error = sv_vault_commit(v)) >= 0)
		error = sv_json_new(out, SV_FIELDS(SV_STR("pending", id), SV_STR("action", action),
						   SV_OPT("target", target), SV_STR("expires_at", until)));
	goto done;
fail:
	sv_vault_abort(v);
done:
	sv_json_free(pj);
	free(text);
	return error;
}
