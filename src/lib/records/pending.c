/*
 * pending.c - asking for an operation under dual control: whether the
 * policy holds an action for a second custodian, and recording the request
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

int sv_op_request(sv_json **out, scrvault *v, const char *action, const char *principal,
		  const sv_field *params)
{
	unsigned char raw[8];
	char id[17], when[21], until[21], *text = NULL;
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
	    (error = sv_random(raw, sizeof(raw))) < 0 ||
	    (error = sv_json_write(&text, &len, pj)) < 0)
		goto done;
	sv_hex(id, raw, sizeof(raw));
	sv_time_iso(when, sv_now());
	sv_time_iso(until, sv_now() + hours * 3600);
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	if ((error = sv_db_run(v->db, "INSERT INTO pending_ops(id, action, params, requested_by, requested_at, expires_at)"
			       " VALUES (?, ?, ?, ?, ?, ?)", "tttitt", id, action, text, v->principal_id, when, until)) < 0)
		goto fail;
	/* The entry names the operation's objects (a principal), not its
	 * parameters: a policy's text is in the database, not in the log. */
	if ((error = sv_audit_append(v, "op.request", "ok", SV_ABOUT(.op = id, .principal = principal),
				     SV_FIELDS(SV_STR("action", action), SV_STR("expires_at", until)))) < 0)
		goto fail;
	if ((error = sv_vault_commit(v)) >= 0)
		error = sv_json_new(out, SV_FIELDS(SV_STR("pending", id), SV_STR("action", action),
						   SV_STR("expires_at", until)));
	goto done;
fail:
	sv_vault_abort(v);
done:
	sv_json_free(pj);
	free(text);
	return error;
}
