/*
 * op.c - dual control: operations that wait for a second custodian.
 *
 * When the policy lists an action under [dual-control], asking for it
 * records a pending operation (what, with which parameters, asked by whom,
 * until when) and an "op.request" audit entry, and changes nothing else.
 * A different custodian, in a role with op.approve, then approves it (the
 * operation runs, in the same transaction as the "op.approve" entry) or
 * refuses it.  An operation not decided by its expiry time lapses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "records/principal.h"
#include "vault/authz.h"
#include "vault/log.h"
#include "vault/policydb.h"
#include "vault/policyfile.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "storage/rows.h"
#include "base/common.h"
#include "base/date.h"
#include "base/json.h"

/* Run an approved operation inside the current transaction. */
static int run_op(scrvault *v, const char *id, const char *action, const sv_json *params)
{
	if (!strcmp(action, "principal.revoke"))
		return sv_principal_revoke_txn(v, sv_json_str(sv_json_get(params, "principal")),
					       sv_json_str(sv_json_get(params, "reason")));
	if (!strcmp(action, "policy.load")) {
		const char *text = sv_json_str(sv_json_get(params, "text"));
		char source[64];
		sv_policy *p = NULL;
		int error;

		if (!text)
			return sv_error(SCRVAULT_EINTEGRITY, "pending operation %s has no policy text", id);
		if ((error = sv_policy_from_text(&p, text, "the pending policy")) < 0)
			return error;
		snprintf(source, sizeof(source), "operation %s", id);
		error = sv_policy_apply(v, p, source);
		sv_policy_free(p);
		return error;
	}
	return sv_error(SCRVAULT_EUSAGE, "operation %s: '%s' cannot be run by this version", id, action);
}

static int op_decide(scrvault *v, const char *id, bool approve)
{
	char action[64] = "", when[21], expires[21] = "", state[16] = "";
	int64_t requester = 0;
	sv_json *params = NULL;
	sv_stmt *st = NULL;
	int error;

	if ((error = sv_authorize(v, "op.approve", SV_ABOUT(.op = id ? id : ""))) < 0)
		return error;
	if ((error = sv_db_query(&st, v->db, "SELECT action, params, requested_by, expires_at, state"
				 " FROM pending_ops WHERE id = ?", "t", id ? id : "")) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1) {
		const char *ptext = sv_stmt_text(st, 1);

		snprintf(action, sizeof(action), "%s", sv_stmt_text(st, 0));
		requester = sv_stmt_int(st, 2);
		snprintf(expires, sizeof(expires), "%s", sv_stmt_text(st, 3));
		snprintf(state, sizeof(state), "%s", sv_stmt_text(st, 4));
		error = sv_json_parse(&params, ptext, strlen(ptext), NULL);
	} else if (error == 0) {
		error = sv_error(SCRVAULT_ENOTFOUND, "no pending operation '%s' (see 'scrvault op list')", id ? id : "");
	}
	sv_stmt_free(st);
	if (error < 0)
		goto done;
	if (strcmp(state, "pending") != 0) {
		error = sv_error(SCRVAULT_ECONFLICT, "operation %s is %s, not pending", id, state);
		goto done;
	}
	if (!v->custodian || requester == v->principal_id) {
		sv_error(SCRVAULT_EDENIED, requester == v->principal_id
			 ? "operation %s was asked for by '%s': a second, different custodian must decide it"
			 : "operation %s must be decided by a custodian ('%s' is not one)", id, v->principal);
		error = sv_audit_denied(v, approve ? "op.approve" : "op.refuse", SV_ABOUT(.op = id),
					SV_FIELDS(SV_STR("reason", requester == v->principal_id ? "own request"
										    : "not a custodian")),
					SCRVAULT_EDENIED);
		goto done;
	}
	sv_time_iso(when, sv_now());
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	if (strcmp(when, expires) > 0) {
		/* Lapsed: record that, and refuse. */
		if ((error = sv_db_run(v->db, "UPDATE pending_ops SET state = 'expired' WHERE id = ?", "t", id)) < 0 ||
		    (error = sv_audit_append(v, "op.expire", "ok", SV_ABOUT(.op = id), NULL)) < 0 ||
		    (error = sv_vault_commit(v)) < 0) {
			if (sv_db_in_txn(v->db))
				sv_vault_abort(v);
			goto done;
		}
		error = sv_error(SCRVAULT_ECONFLICT, "operation %s expired at %s: ask for it again", id, expires);
		goto done;
	}
	if ((error = sv_db_run(v->db, "UPDATE pending_ops SET state = ?, decided_by = ?, decided_at = ? WHERE id = ?",
			       "titt", approve ? "approved" : "refused", v->principal_id, when, id)) < 0)
		goto fail;
	if ((error = sv_audit_append(v, approve ? "op.approve" : "op.refuse", "ok", SV_ABOUT(.op = id),
				     SV_FIELDS(SV_STR("action", action)))) < 0 || (approve && (error = run_op(v, id, action, params)) < 0))
		goto fail;
	error = sv_vault_commit(v);
	goto done;
fail:
	sv_vault_abort(v);
done:
	sv_json_free(params);
	return error;
}

int scrvault_op_approve(scrvault *v, const char *id)
{
	return op_decide(v, id, true);
}

int scrvault_op_refuse(scrvault *v, const char *id)
{
	return op_decide(v, id, false);
}

int scrvault_op_list(scrvault_json **out, scrvault *v)
{
	char now[21];
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "op.approve", NULL)) < 0)
		return error;
	sv_time_iso(now, sv_now());
	/* A pending operation past its time shows as expired. */
	return sv_rows_json(out, v->db, SV_COLS({ "id", SV_COL_TEXT }, { "action", SV_COL_TEXT },
						{ "requested_by", SV_COL_TEXT }, { "requested_at", SV_COL_TEXT },
						{ "expires_at", SV_COL_TEXT }, { "state", SV_COL_TEXT },
						{ "decided_by", SV_COL_OPT }), NULL, NULL,
			    "SELECT o.id, o.action, p.name, o.requested_at, o.expires_at,"
			      " CASE WHEN o.state = 'pending' AND o.expires_at < ? THEN 'expired' ELSE o.state END,"
			      " d.name FROM pending_ops o JOIN principals p ON p.id = o.requested_by"
			      " LEFT JOIN principals d ON d.id = o.decided_by ORDER BY o.requested_at, o.id", "t", now);
}
