/*
 * op.c - dual control: operations that wait for a second custodian.
 *
 * When the policy lists an action under [dual-control], asking for it
 * records a pending operation (what, with which parameters, asked by whom,
 * concerning whom, until when) and an "op.request" entry (pending.c), and
 * changes nothing else.  Another person then approves it (the operation
 * runs, in the same transaction as the "op.approve" entry) or refuses it.
 * An operation not decided by its expiry time lapses.
 *
 * Dual control counts people, not key files.  The decider must be
 *   - a custodian, a person (not a service), in a role with op.approve;
 *   - not the one who asked for it;
 *   - not the principal it concerns (its target: revoking, re-keying or
 *     granting them, adding them) - for refusing as much as approving;
 *   - not made, re-keyed or granted a role after it was asked for (the
 *     pending window: the log's length then, request_seq, against the
 *     lengths the triggers of schema 12 note on principals and grants).
 * Each refusal is a denied entry with the reason.  Both steps record the
 * key fingerprint of who took them (pending_ops and the entries).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "records/due.h"
#include "records/case.h"
#include "records/master.h"
#include "records/pending.h"
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

/* A public key parameter (base64) of a pending operation. */
static int param_key(unsigned char out[SV_KEY_LEN], const sv_json *params, const char *key, const char *id)
{
	const char *b64 = sv_json_str(sv_json_get(params, key));
	unsigned char *raw = NULL;
	size_t len = 0;

	if (!b64 || sv_unbase64(&raw, &len, b64) < 0 || len != SV_KEY_LEN) {
		free(raw);
		return sv_error(SCRVAULT_EINTEGRITY, "pending operation %s has no valid %s", id, key);
	}
	memcpy(out, raw, SV_KEY_LEN);
	free(raw);
	return 0;
}

#define PARAM(name) sv_json_str(sv_json_get(params, (name)))

/*
 * Run an approved operation inside the current transaction, from the
 * parameters its request recorded.  Every principal change goes through
 * the same *_txn function as when it is not held (principal.c), which
 * checks it again against the vault as it is now.
 */
static int run_op(scrvault *v, const char *id, const char *action, const sv_json *params)
{
	int error;

	if (!strcmp(action, "principal.revoke"))
		return sv_principal_revoke_txn(v, PARAM("principal"), PARAM("reason"), NULL);
	if (!strcmp(action, "principal.grant"))
		return sv_principal_grant_txn(v, PARAM("principal"), PARAM("role"), PARAM("case"), PARAM("agency"), NULL);
	if (!strcmp(action, "principal.add")) {
		scrvault_principal_spec spec = SCRVAULT_PRINCIPAL_SPEC_INIT;
		unsigned char ed[SV_KEY_LEN], x[SV_KEY_LEN];

		spec.name = PARAM("name");
		spec.kind = PARAM("kind");
		spec.display_name = PARAM("display_name");
		spec.agency = PARAM("agency");
		spec.contact = PARAM("contact");
		spec.custodian = sv_json_as_bool(sv_json_get(params, "custodian"));
		if ((error = sv_principal_spec_check(&spec)) < 0 ||
		    (error = param_key(ed, params, "ed25519_pub", id)) < 0 ||
		    (error = param_key(x, params, "x25519_pub", id)) < 0)
			return error;
		return sv_principal_register_txn(v, &spec, ed, x, PARAM("fingerprint"), NULL);
	}
	if (!strcmp(action, "principal.rotate")) {
		unsigned char ed[SV_KEY_LEN], x[SV_KEY_LEN];

		if ((error = param_key(ed, params, "ed25519_pub", id)) < 0 ||
		    (error = param_key(x, params, "x25519_pub", id)) < 0)
			return error;
		return sv_principal_rekey_txn(v, PARAM("principal"), ed, x, PARAM("fingerprint"), NULL);
	}
	if (!strcmp(action, "case.reopen"))
		return sv_case_reopen_txn(v, PARAM("case"), PARAM("reason"), NULL);
	if (!strcmp(action, "policy.load")) {
		const char *text = PARAM("text");
		char source[64];
		sv_policy *p = NULL;

		if (!text)
			return sv_error(SCRVAULT_EINTEGRITY, "pending operation %s has no policy text", id);
		if ((error = sv_policy_from_text(&p, text, "the pending policy")) < 0)
			return error;
		snprintf(source, sizeof(source), "operation %s", id);
		error = sv_policy_apply(v, p, source, NULL);
		sv_policy_free(p);
		return error;
	}
	if (!strcmp(action, "case.publish-override"))
		return sv_case_publish_txn(v, PARAM("case"), PARAM("on"), PARAM("reason"), PARAM("gates"), NULL);
	return sv_error(SCRVAULT_EUSAGE, "operation %s: '%s' cannot be run by this version", id, action);
}

/* A pending operation as the decision needs it. */
typedef struct {
	char action[64];
	char expires[21];
	char state[16];
	char target[65];
	char requester_name[65];
	char requested_fpr[33];
	int64_t requester;
	int64_t seq;
	char *params;
} op_row;

static int op_row_load(void *ctx, sv_stmt *st)
{
	op_row *r = ctx;

	sv_stmt_texts(st, 0, r->action, sizeof(r->action), r->expires, sizeof(r->expires), r->state,
		      sizeof(r->state), r->target, sizeof(r->target), r->requester_name, sizeof(r->requester_name),
		      r->requested_fpr, sizeof(r->requested_fpr), NULL);
	r->requester = sv_stmt_int(st, 6);
	r->seq = sv_stmt_int(st, 7);
	return (r->params = sv_strdup(sv_stmt_text(st, 8))) ? 1 : SCRVAULT_ERROR;
}

/*
 * Why the session's principal may not decide operation r: NULL if they may,
 * else the reason word for the denied entry, with the message set.
 */
static const char *undecidable(scrvault *v, const char *id, const op_row *r, int *error)
{
	int64_t kind_person = 0, made = 0, rekeyed = 0, granted = 0;

	*error = 0;
	if (!v->custodian) {
		sv_error(SCRVAULT_EDENIED, "operation %s must be decided by a custodian ('%s' is not one)", id, v->principal);
		return "not a custodian";
	}
	if (r->requester == v->principal_id) {
		sv_error(SCRVAULT_EDENIED, "operation %s was asked for by '%s': a second, different custodian must decide it",
			 id, v->principal);
		return "own request";
	}
	if (r->target[0] && !strcmp(r->target, v->principal)) {
		sv_error(SCRVAULT_EDENIED, "operation %s (%s) concerns '%s': nobody decides an operation about "
			 "themselves; another custodian must", id, r->action, v->principal);
		return "own operation";
	}
	if ((*error = sv_db_int(&kind_person, v->db, "SELECT kind = 'person' FROM principals WHERE id = ?", "i",
				v->principal_id)) < 0 ||
	    (*error = sv_db_int(&made, v->db, "SELECT created_seq > ? FROM principals WHERE id = ?", "ii",
				r->seq, v->principal_id)) < 0 ||
	    (*error = sv_db_int(&rekeyed, v->db, "SELECT keys_seq > ? FROM principals WHERE id = ?", "ii",
				r->seq, v->principal_id)) < 0 ||
	    (*error = sv_db_int(&granted, v->db, "SELECT count(*) FROM grants WHERE principal_id = ? AND granted_seq > ?",
				"ii", v->principal_id, r->seq)) < 0)
		return NULL;
	if (!kind_person) {
		sv_error(SCRVAULT_EDENIED, "operation %s must be decided by a person: '%s' is a service principal",
			 id, v->principal);
		return "not a person";
	}
	if (made) {
		sv_error(SCRVAULT_EDENIED, "'%s' was registered after operation %s was asked for: a principal enrolled "
			 "during its pending window cannot decide it; a custodian registered before must", v->principal, id);
		return "enrolled during the pending window";
	}
	if (rekeyed) {
		sv_error(SCRVAULT_EDENIED, "the keys of '%s' were replaced after operation %s was asked for: a principal "
			 "re-keyed during its pending window cannot decide it; ask for the operation again", v->principal, id);
		return "keys replaced during the pending window";
	}
	if (granted) {
		sv_error(SCRVAULT_EDENIED, "'%s' was granted a role after operation %s was asked for: a principal "
			 "granted a role during its pending window cannot decide it; ask for the operation again",
			 v->principal, id);
		return "granted a role during the pending window";
	}
	return NULL;
}

static int op_decide(scrvault *v, const char *id, bool approve)
{
	const char *verb = approve ? "op.approve" : "op.refuse", *why;
	char when[21], fpr[33];
	op_row r;
	sv_json *params = NULL;
	int error;

	memset(&r, 0, sizeof(r));
	if ((error = sv_authorize(v, "op.approve", SV_ABOUT(.op = id ? id : ""))) < 0)
		return error;
	if ((error = sv_db_each(v->db, op_row_load, &r, "SELECT o.action, o.expires_at, o.state, coalesce(o.target, ''),"
				" p.name, coalesce(o.requested_fpr, ''), o.requested_by, o.request_seq, o.params"
				" FROM pending_ops o JOIN principals p ON p.id = o.requested_by WHERE o.id = ?",
				"t", id ? id : "")) < 0)
		goto done;
	if (!r.params) {
		error = sv_error(SCRVAULT_ENOTFOUND, "no pending operation '%s' (see 'scrvault op list')", id ? id : "");
		goto done;
	}
	if ((error = sv_json_parse(&params, r.params, strlen(r.params), NULL)) < 0)
		goto done;
	if (strcmp(r.state, "pending") != 0) {
		error = sv_error(SCRVAULT_ECONFLICT, "operation %s is %s, not pending", id, r.state);
		goto done;
	}
	if ((why = undecidable(v, id, &r, &error))) {
		error = sv_audit_denied(v, verb, SV_ABOUT(.op = id, .principal = r.target[0] ? r.target : NULL),
					SV_FIELDS(SV_STR("action", r.action), SV_STR("reason", why)), SCRVAULT_EDENIED);
		goto done;
	}
	if (error < 0 || (error = sv_key_fpr(fpr, v, v->principal_id)) < 0)
		goto done;
	sv_time_iso(when, sv_now());
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	if (strcmp(when, r.expires) > 0) {
		/* Lapsed: record that, and refuse. */
		if ((error = sv_db_run(v->db, "UPDATE pending_ops SET state = 'expired' WHERE id = ?", "t", id)) < 0 ||
		    (error = sv_audit_append(v, "op.expire", "ok", SV_ABOUT(.op = id), NULL)) < 0 ||
		    (error = sv_vault_commit(v)) < 0) {
			if (sv_db_in_txn(v->db))
				sv_vault_abort(v);
			goto done;
		}
		error = sv_error(SCRVAULT_ECONFLICT, "operation %s expired at %s: ask for it again", id, r.expires);
		goto done;
	}
	if ((error = sv_db_run(v->db, "UPDATE pending_ops SET state = ?, decided_by = ?, decided_at = ?, decided_fpr = ?"
			       " WHERE id = ? AND state = 'pending'", "tittt", approve ? "approved" : "refused",
			       v->principal_id, when, fpr, id)) < 0)
		goto fail;
	if (sv_db_changes(v->db) != 1) {
		error = sv_error(SCRVAULT_ECONFLICT, "operation %s was decided while this command ran", id);
		goto fail;
	}
	if ((error = sv_audit_append(v, verb, "ok", SV_ABOUT(.op = id, .principal = r.target[0] ? r.target : NULL),
				     SV_FIELDS(SV_STR("action", r.action), SV_STR("key_fpr", fpr),
					       SV_STR("requested_by", r.requester_name),
					       SV_OPT("requested_fpr", r.requested_fpr)))) < 0 ||
	    (approve && (error = run_op(v, id, r.action, params)) < 0))
		goto fail;
	error = sv_vault_commit(v);
	goto done;
fail:
	sv_vault_abort(v);
done:
	free(r.params);
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
	/* A pending operation past its time shows as expired.  Who asked and
	 * who decided by name, with the fingerprints of the keys they used. */
	return sv_rows_json(out, v->db, SV_COLS({ "id", SV_COL_TEXT }, { "action", SV_COL_TEXT },
						{ "target", SV_COL_OPT }, { "requested_by", SV_COL_TEXT },
						{ "requested_fpr", SV_COL_OPT }, { "requested_at", SV_COL_TEXT },
						{ "expires_at", SV_COL_TEXT }, { "state", SV_COL_TEXT },
						{ "decided_by", SV_COL_OPT }, { "decided_fpr", SV_COL_OPT },
						{ "decided_at", SV_COL_OPT }), NULL, NULL,
			    "SELECT o.id, o.action, o.target, p.name, o.requested_fpr, o.requested_at, o.expires_at,"
			      " CASE WHEN o.state = 'pending' AND o.expires_at < ? THEN 'expired' ELSE o.state END,"
			      " d.name, o.decided_fpr, o.decided_at FROM pending_ops o JOIN principals p ON p.id = o.requested_by"
			      " LEFT JOIN principals d ON d.id = o.decided_by ORDER BY o.requested_at, o.id", "t", now);
}

int scrvault_op_status(scrvault_json **out, scrvault *v)
{
	int64_t n = 0;
	int error;

	*out = NULL;
	if ((error = sv_dual_approvers(&n, v)) < 0)
		return error;
	return sv_json_new(out, SV_FIELDS(SV_BOOL("in_force", n >= 2), SV_INT("approvers", n),
					  SV_IF(n < 2, SV_STR("message", "dual control is not in force: fewer than two "
							     "custodians (people holding a board-wide role with op.approve) "
							     "could approve, so the actions it holds run at once, marked "
							     "\"dual_control\":\"single-custodian\"; add a second custodian"))));
}

/* ---- the agenda --------------------------------------------------------------------- */

/*
 * Operations still waiting for a second custodian, by the day they expire
 * (one not decided by then lapses): those expiring on or before `by` and
 * not already past their time as of `now`.
 */
int sv_op_due(scrvault *v, const char *now, const char *by, sv_due_fn fn, void *ctx)
{
	sv_stmt *st = NULL;
	int error;

	if ((error = sv_db_query(&st, v->db, "SELECT id, action, substr(expires_at, 1, 10) FROM pending_ops"
				 " WHERE state = 'pending' AND substr(expires_at, 1, 10) >= ?"
				 " AND substr(expires_at, 1, 10) <= ? ORDER BY expires_at, id", "tt", now, by)) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1) {
		char what[160], cmd[96];

		snprintf(what, sizeof(what), "operation %.40s (%.48s): approve or refuse before it lapses",
			 sv_stmt_text(st, 0), sv_stmt_text(st, 1));
		snprintf(cmd, sizeof(cmd), "scrvault op approve %.40s", sv_stmt_text(st, 0));
		if ((error = fn(ctx, &(sv_due){ .due_on = sv_stmt_text(st, 2), .id = sv_stmt_text(st, 0),
					       .what = what, .command = cmd })) < 0)
			break;
	}
	sv_stmt_free(st);
	return error < 0 ? error : 0;
}
