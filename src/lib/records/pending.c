/*
 * pending.c - asking for an operation under dual control: whether the
 * policy holds an action for a second custodian, and recording the request
 * (ops.c decides it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "records/pending.h"
#include "vault/session.h"
#include "vault/log.h"
#include "storage/db.h"
#include "base/common.h"
#include "base/json.h"
#include "base/date.h"
#include "records/principal.h"
#include "crypto/crypto.h"
#include "vault/txn.h"

bool sv_dual_required(scrvault *v, const char *action)
{
	int64_t n = 0;

	return sv_db_int(&n, v->db, "SELECT count(*) FROM policy_dual WHERE action = ?", "t", action) >= 0 && n > 0;
}

int sv_op_request(sv_json **out, scrvault *v, const char *action, sv_json *params)
{
	unsigned char raw[8];
	char id[17], when[21], until[21], *text = NULL;
	int64_t hours = 72;
	sv_json *det = NULL, *res = NULL;
	size_t len = 0;
	int error;

	*out = NULL;
	if ((error = sv_db_int(&hours, v->db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'dual_expiry_hours'",
			       "")) < 0 ||
	    (error = sv_random(raw, sizeof(raw))) < 0 ||
	    (error = sv_json_write(&text, &len, params)) < 0)
		goto done;
	sv_hex(id, raw, sizeof(raw));
	sv_time_iso(when, sv_now());
	sv_time_iso(until, sv_now() + hours * 3600);
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	if ((error = sv_db_run(v->db, "INSERT INTO pending_ops(id, action, params, requested_by, requested_at, expires_at)"
			       " VALUES (?, ?, ?, ?, ?, ?)", "tttitt", id, action, text, v->principal_id, when, until)) < 0)
		goto fail;
	error = SCRVAULT_ERROR;
	if (!(det = sv_json_object()) || sv_json_set_str(det, "action", action) < 0 ||
	    sv_json_set_str(det, "expires_at", until) < 0)
		goto fail;
	/* The entry names the operation's objects (a principal), not its
	 * parameters: a policy's text is in the database, not in the log. */
	{
		const char *who = sv_json_str(sv_json_get(params, "principal"));
		sv_json *obj = sv_obj1("op", id);

		if (!obj || (who && sv_json_set_str(obj, "principal", who) < 0)) {
			sv_json_free(obj);
			goto fail;
		}
		error = sv_audit_append(v, "op.request", "ok", obj, det);
		det = NULL;
		if (error < 0)
			goto fail;
	}
	if ((error = sv_vault_commit(v)) < 0)
		goto done;
	if (!(res = sv_json_object()) || sv_json_set_str(res, "pending", id) < 0 ||
	    sv_json_set_str(res, "action", action) < 0 || sv_json_set_str(res, "expires_at", until) < 0) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	*out = res;
	res = NULL;
	goto done;
fail:
	sv_vault_abort(v);
done:
	sv_json_free(det);
	sv_json_free(res);
	sv_json_free(params);
	free(text);
	return error;
}
