/*
 * signin.c - sessions: a person signs a one-time challenge with their own
 * Ed25519 key and gets a bearer token; a service acts for the session's
 * principal on each request that carries it.
 *
 * Rules (SECURITY.md, "Sessions"):
 *   - challenges live in memory on the handle (v->challenges), never in the
 *     database: one answers once, within SCRVAULT_CHALLENGE_SECONDS; a
 *     service that restarts has to be unsealed again, and everyone signs in
 *     again, so nothing is lost by forgetting them;
 *   - a token is 32 random bytes, base64url (43 characters); the database
 *     keeps only its SHA-256, so neither vault.db nor the audit log can give
 *     it back;
 *   - a session lives until it is ended, SCRVAULT_SESSION_IDLE_SECONDS
 *     without use, SCRVAULT_SESSION_MAX_SECONDS after sign-in, or its
 *     principal is revoked (principal.c ends their sessions in the revoking
 *     transaction); resuming checks each, and that the principal is active;
 *   - SCRVAULT_LOGIN_FAILURES_MAX failed sign-ins of a name from one client
 *     in 15 minutes refuse that client the next, even with a good signature,
 *     and no other client: a name is public, and whoever knows it must not
 *     be able to lock its holder out from elsewhere.  Past
 *     SCRVAULT_LOGIN_FAILURES_NAME_MAX failures of the name from everyone,
 *     a client that has failed for it is refused at once, a fresh one still
 *     gets its try (guessing stays bounded: one try a fresh address);
 *     SCRVAULT_SESSIONS_PER_PRINCIPAL live sessions refuse another;
 *   - every refusal that names a principal is a "session.login" (or
 *     "session.resume") entry with the reason, and a failed sign-in is
 *     counted in the same transaction; no entry holds a token, a signature
 *     or a challenge.  A sign-in's entry is the person's who signed in; a
 *     refusal before a signature verified is nobody's ("" and
 *     "unauthenticated": true), the claimed name its subject.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "records/signin.h"
#include "scrvault/keyfile.h"
#include "base/json.h"
#include "vault/authz.h"
#include "vault/find.h"
#include "vault/log.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "vault/unseal.h"
#include "storage/db.h"
#include "storage/rows.h"
#include "crypto/crypto.h"
#include "base/common.h"
#include "base/date.h"
#include "base/json.h"
#include "base/text.h"

#define CHALLENGE_LEN		32
#define CHALLENGES_MAX		1024		/* outstanding at once; the oldest goes first */
#define FAILURE_WINDOW		(15 * 60)
#define SESSION_ID_BYTES	6
#define STR_(x)			#x
#define STR(x)			STR_(x)
#define IDLE			STR(SCRVAULT_SESSION_IDLE_SECONDS)

struct sv_challenge {
	char principal[65];
	char challenge[48];		/* base64, as issued */
	int64_t expires;
};

/* base64url without padding of `len` bytes into `out`. */
static void b64url(char *out, size_t outlen, const unsigned char *in, size_t len)
{
	char *b = sv_base64url(in, len);

	snprintf(out, outlen, "%s", b ? b : "");
	if (b)
		sv_cleanse_free(b, strlen(b));
}

static void token_hash(unsigned char out[SV_SHA256_LEN], const char *token)
{
	sv_sha256(out, token, strlen(token));
}

char *scrvault_session_statement(const char *vault_id, const char *principal, const char *challenge)
{
	sv_json *j;
	char *text = NULL;

	if (!vault_id || !principal || !challenge)
		return NULL;
	/* Canonical JSON, the shape scrvault_key_sign_check (and so an agent) signs. */
	if ((j = sv_json_object()) && sv_json_set_str(j, "challenge", challenge) == 0 &&
	    sv_json_set_str(j, "principal", principal) == 0 &&
	    sv_json_set_str(j, "statement", SCRVAULT_SESSION_STATEMENT) == 0 && sv_json_set_str(j, "vault", vault_id) == 0)
		text = scrvault_json_text(j);
	sv_json_free(j);
	return text;
}

int scrvault_session_challenge(scrvault_json **out, scrvault *v, const char *principal)
{
	unsigned char raw[CHALLENGE_LEN];
	struct sv_challenge *c = NULL;
	char *b = NULL, *stmt = NULL;
	int64_t now = sv_now();
	int error;

	*out = NULL;
	if (!principal || !sv_name_valid(principal))
		return sv_error_field(SCRVAULT_EUSAGE, "principal", "say who is signing in (a principal's name)");
	/* Expired challenges go; at the cap, the oldest does. */
	if ((error = sv_session_challenge_room(&v->challenges, &v->nchallenges, sizeof(*v->challenges),
					       CHALLENGES_MAX, offsetof(struct sv_challenge, expires), now)) < 0 ||
	    (error = sv_random(raw, sizeof(raw))) < 0)
		return error;
	if (!(b = sv_base64(raw, sizeof(raw))) || !(stmt = scrvault_session_statement(v->id, principal, b))) {
		free(b);
		return SCRVAULT_ERROR;
	}
	c = &v->challenges[v->nchallenges++];
	snprintf(c->principal, sizeof(c->principal), "%s", principal);
	snprintf(c->challenge, sizeof(c->challenge), "%s", b);
	c->expires = now + SCRVAULT_CHALLENGE_SECONDS;
	error = sv_json_new(out, SV_FIELDS(SV_STR("challenge", b), SV_STR("statement", stmt),
					   SV_INT("expires", c->expires)));
	free(b);
	free(stmt);
	return error;
}

/* Take the challenge issued to `principal` (it answers once): 1 if live,
 * 0 if there is none, -1 if it expired. */
static int take_challenge(scrvault *v, const char *principal, const char *challenge)
{
	int64_t now = sv_now();

	for (size_t i = 0; i < v->nchallenges; i++) {
		struct sv_challenge *c = &v->challenges[i];

		if (strcmp(c->principal, principal) != 0 || strcmp(c->challenge, challenge) != 0)
			continue;
		int live = c->expires > now ? 1 : -1;

		memmove(c, c + 1, (v->nchallenges - i - 1) * sizeof(*c));
		v->nchallenges--;
		return live;
	}
	return 0;
}

/*
 * A refused sign-in or resume: the entry (and, for a failed sign-in, its
 * count) in one transaction, the message kept.
 */
static int refuse(scrvault *v, const char *action, const char *name, const char *client, const char *session,
		  const char *why, bool count, bool authenticated)
{
	char saved[1024], field[32];
	int error;

	snprintf(saved, sizeof(saved), "%s", scrvault_error_message());
	snprintf(field, sizeof(field), "%s", scrvault_error_field() ? scrvault_error_field() : "");
	if (sv_db_in_txn(v->db))
		sv_vault_abort(v);
	/* Nobody's entry unless the signature verified (then the signer's). */
	if ((error = sv_unseal_speak_for(v, authenticated ? name : NULL)) < 0 || (error = sv_vault_begin(v)) < 0)
		goto failed;
	if (count && (error = sv_db_run(v->db, "INSERT INTO login_failures(principal, client, at) VALUES (?, ?, ?)",
					"tti", name, client, sv_now())) < 0) {
		sv_vault_abort(v);
		goto failed;
	}
	if ((error = sv_audit_append(v, action, "denied", SV_ABOUT(.principal = name),
				     SV_FIELDS(SV_STR("reason", why), SV_OPT("client", client),
					       SV_OPT("session", session),
					       SV_IF(!authenticated, SV_BOOL("unauthenticated", true))))) < 0 ||
	    (error = sv_vault_commit(v)) < 0) {
		if (sv_db_in_txn(v->db))
			sv_vault_abort(v);
		goto failed;
	}
	sv_unseal_reset(v);
	/* The field says which limit, if one refused it (a service answers 429). */
	return field[0] ? sv_error_field(SCRVAULT_EDENIED, field, "%s", saved) : sv_error(SCRVAULT_EDENIED, "%s", saved);
failed:
	sv_unseal_reset(v);
	return sv_error(SCRVAULT_EDENIED, "%s (and the audit entry of this refusal could not be written: %s)", saved,
			scrvault_error_message());
}

/* Live sessions: not ended, not idle too long, not past their end. */
#define LIVE "ended_at IS NULL AND expires > ?1 AND last_seen > ?1 - coalesce(idle_seconds, " IDLE ")"

int sv_session_refuse(scrvault *v, const char *action, const char *name, const char *client, const char *why,
		      bool count)
{
	return refuse(v, action, name, client, NULL, why, count, false);
}

/* This client's failures for the name, and everyone's (the header says why
 * both): 0, or the refusal, on record. */
int sv_session_limits(scrvault *v, const char *name, const char *client)
{
	int64_t failures = 0, all = 0, now = sv_now();
	int error;

	if ((error = sv_db_int(&failures, v->db, "SELECT count(*) FROM login_failures WHERE principal = ? AND at > ?"
			       " AND coalesce(client, '') = ?", "tit", name, now - FAILURE_WINDOW, client ? client : "")) < 0 ||
	    (error = sv_db_int(&all, v->db, "SELECT count(*) FROM login_failures WHERE principal = ? AND at > ?",
			       "ti", name, now - FAILURE_WINDOW)) < 0)
		return error;
	if (failures >= SCRVAULT_LOGIN_FAILURES_MAX || (all >= SCRVAULT_LOGIN_FAILURES_NAME_MAX && failures > 0)) {
		sv_error_field(SCRVAULT_EDENIED, "failures", "too many failed sign-ins for '%s' from here: wait 15 "
			       "minutes", name);
		return refuse(v, "session.login", name, client, NULL, "too many failures", false, false);
	}
	return 0;
}

int scrvault_session_login(scrvault_json **out, scrvault *v, const scrvault_login_spec *s)
{
	unsigned char *sig = NULL;
	char *stmt = NULL;
	const char *name, *client;
	size_t siglen = 0;
	sv_principal p;
	int error, c;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(s, SCRVAULT_LOGIN_SPEC_VERSION, "scrvault_login_spec")) < 0)
		return error;
	name = s->principal;
	client = s->client;
	if (!name || !sv_name_valid(name))
		return sv_error_field(SCRVAULT_EUSAGE, "principal", "say who is signing in (a principal's name)");
	if (!s->challenge || !*s->challenge)
		return sv_error_field(SCRVAULT_EUSAGE, "challenge", "give the challenge that was signed");
	if (!s->signature || !*s->signature)
		return sv_error_field(SCRVAULT_EUSAGE, "signature", "give the signature of the challenge's statement");
	if (client && sv_text_check("client", client, 0) < 0)
		return sv_error_field(SCRVAULT_EUSAGE, "client", "the client is one line of printable text");
	/* The entries are the service's, about the person signing in. */
	sv_unseal_reset(v);
	/* The challenge is spent whatever happens next. */
	c = take_challenge(v, name, s->challenge);
	if ((error = sv_session_limits(v, name, client)) < 0)
		return error;
	if (c <= 0) {
		sv_error(SCRVAULT_EDENIED, "the challenge %s: ask for a new one", c < 0 ? "expired" : "is unknown or "
			 "was already used");
		return refuse(v, "session.login", name, client, NULL, c < 0 ? "challenge expired" : "unknown challenge",
			      true, false);
	}
	if ((error = sv_find_principal(&p, v, name)) < 0)
		return error;
	if (error == 0 || !p.active || !p.keys_ok) {
		sv_error(SCRVAULT_EDENIED, "the sign-in of '%s' is refused", name);
		return refuse(v, "session.login", name, client, NULL, error == 0 ? "unknown principal" : !p.active ?
			      "principal revoked" : "key replaced", true, false);
	}
	if (sv_unbase64(&sig, &siglen, s->signature) < 0 || siglen != SV_SIG_LEN ||
	    !(stmt = scrvault_session_statement(v->id, name, s->challenge)) ||
	    sv_ed25519_verify(sig, p.ed_pub, stmt, strlen(stmt)) < 0) {
		free(sig);
		free(stmt);
		sv_error(SCRVAULT_EDENIED, "the signature does not verify with the key '%s' registered: sign-in refused",
			 name);
		return refuse(v, "session.login", name, client, NULL, "bad signature", true, false);
	}
	free(sig);
	free(stmt);
	return sv_session_open(out, v, &p, client, SCRVAULT_SESSION_IDLE_SECONDS, "key", NULL);
}

int sv_session_open(scrvault_json **out, scrvault *v, const sv_principal *p, const char *client, int idle,
		    const char *method, const char *passkey)
{
	unsigned char tok[32], hash[SV_SHA256_LEN], rid[SESSION_ID_BYTES];
	char token[48], sid[2 * SESSION_ID_BYTES + 1];
	const char *name = p->name;
	int64_t live = 0, now = sv_now();
	int error;

	if ((error = sv_db_int(&live, v->db, "SELECT count(*) FROM sessions WHERE principal_id = ?2 AND " LIVE,
			       "ii", now, p->id)) < 0)
		return error;
	if (live >= SCRVAULT_SESSIONS_PER_PRINCIPAL) {
		sv_error_field(SCRVAULT_EDENIED, "sessions", "'%s' has %d live sessions already: sign out of one (or "
			       "revoke it) first",
			 name, SCRVAULT_SESSIONS_PER_PRINCIPAL);
		return refuse(v, "session.login", name, client, NULL, "too many sessions", false, true);
	}
	if ((error = sv_random(tok, sizeof(tok))) < 0 || (error = sv_random(rid, sizeof(rid))) < 0)
		return error;
	b64url(token, sizeof(token), tok, sizeof(tok));
	sv_cleanse(tok, sizeof(tok));
	token_hash(hash, token);
	sv_hex(sid, rid, sizeof(rid));
	/* The entry is the person's who signed in (the handle is reset after). */
	if ((error = sv_unseal_speak_for(v, name)) < 0 || (error = sv_vault_begin(v)) < 0)
		goto done;
	if ((error = sv_db_run(v->db, "INSERT INTO sessions(id, token_sha256, principal_id, client, created, last_seen,"
			       " expires, idle_seconds, method, passkey) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			       "tbitiiiitt", sid, hash, sizeof(hash), p->id, client, now, now,
			       now + SCRVAULT_SESSION_MAX_SECONDS, (int64_t)idle, method, passkey)) < 0) {
		error = sv_vault_fail(v, error);
		goto done;
	}
	if ((error = sv_vault_finish(v, "session.login", SV_ABOUT(.principal = name),
				     SV_FIELDS(SV_STR("session", sid), SV_OPT("client", client),
					       SV_IF(strcmp(method, "key") != 0, SV_STR("method", method)),
					       SV_OPT("passkey", passkey)))) < 0)
		goto done;
	error = sv_json_new(out, SV_FIELDS(SV_STR("token", token), SV_STR("session", sid), SV_STR("principal", name),
					   SV_INT("expires", now + SCRVAULT_SESSION_MAX_SECONDS),
					   SV_INT("idle_expires", now + idle)));
done:
	sv_unseal_reset(v);
	sv_cleanse(token, sizeof(token));
	return error;
}

typedef struct {
	char id[2 * SESSION_ID_BYTES + 1];
	char principal[65];
	int64_t principal_id, last_seen, expires, idle;
	bool ended, active;
	char end_reason[32];
} session_row;

/* The session `token` names: 1, 0 when none does. */
static int session_by_token(session_row *r, scrvault *v, const char *token)
{
	unsigned char hash[SV_SHA256_LEN];
	sv_stmt *st = NULL;
	int error;

	memset(r, 0, sizeof(*r));
	if (!token || strlen(token) != 43)
		return 0;
	token_hash(hash, token);
	if ((error = sv_db_query(&st, v->db, "SELECT s.id, p.name, s.principal_id, s.last_seen, s.expires,"
				 " s.ended_at IS NOT NULL, p.status = 'active', coalesce(s.end_reason, ''),"
				 " coalesce(s.idle_seconds, " IDLE ")"
				 " FROM sessions s JOIN principals p ON p.id = s.principal_id WHERE s.token_sha256 = ?",
				 "b", hash, sizeof(hash))) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1) {
		snprintf(r->id, sizeof(r->id), "%s", sv_stmt_text(st, 0));
		snprintf(r->principal, sizeof(r->principal), "%s", sv_stmt_text(st, 1));
		r->principal_id = sv_stmt_int(st, 2);
		r->last_seen = sv_stmt_int(st, 3);
		r->expires = sv_stmt_int(st, 4);
		r->ended = sv_stmt_int(st, 5) != 0;
		r->active = sv_stmt_int(st, 6) != 0;
		snprintf(r->end_reason, sizeof(r->end_reason), "%s", sv_stmt_text(st, 7));
		r->idle = sv_stmt_int(st, 8);
	}
	sv_stmt_free(st);
	return error;
}

int scrvault_session_resume(scrvault *v, const char *token, const scrvault_act_options *opts)
{
	scrvault_act_options a = SCRVAULT_ACT_OPTIONS_INIT;
	session_row r;
	int64_t now = sv_now();
	const char *why = NULL;
	int error;

	if (opts && (error = SV_STRUCT_CHECK(opts, SCRVAULT_ACT_OPTIONS_VERSION, "scrvault_act_options")) < 0)
		return error;
	sv_unseal_reset(v);
	if ((error = session_by_token(&r, v, token)) < 0)
		return error;
	if (error == 0)
		return sv_error(SCRVAULT_EDENIED, "no such session: sign in again");
	if (r.ended)
		why = !strcmp(r.end_reason, "principal-revoked") ? "principal revoked" :
			!strcmp(r.end_reason, "signed-out") ? "signed out" :
			!strcmp(r.end_reason, "passkey-removed") ? "passkey removed" : "revoked";
	else if (!r.active)
		why = "principal revoked";
	else if (now >= r.expires || now - r.last_seen >= r.idle)
		why = "session expired";
	if (why) {
		sv_error(SCRVAULT_EDENIED, "the session is not live (%s): sign in again", why);
		return refuse(v, "session.resume", r.principal, opts ? opts->client : NULL, r.id, why, false, false);
	}
	/* Its idle time: refreshed at most once a minute (not an audited change). */
	if (now - r.last_seen >= 60) {
		if ((error = sv_vault_begin(v)) < 0)
			return error;
		if ((error = sv_db_run(v->db, "UPDATE sessions SET last_seen = ? WHERE id = ?", "it", now, r.id)) < 0) {
			sv_vault_abort(v);
			return error;
		}
		if ((error = sv_vault_commit(v)) < 0)
			return error;
	}
	if (opts)
		a = *opts;
	a.principal = r.principal;
	a.session = r.id;
	return sv_vault_act(v, &a, "session.resume");
}

int scrvault_session_end(scrvault *v, const char *token)
{
	session_row r;
	int64_t changed = 0;
	int error;

	if ((error = session_by_token(&r, v, token)) < 0)
		return error;
	if (error == 0 || r.ended)
		return sv_error(SCRVAULT_ENOTFOUND, "no such live session");
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_db_run(v->db, "UPDATE sessions SET ended_at = ?, end_reason = 'signed-out' WHERE id = ?"
			       " AND ended_at IS NULL", "it", sv_now(), r.id)) < 0 ||
	    (error = sv_db_int(&changed, v->db, "SELECT changes()", "")) < 0)
		return sv_vault_fail(v, error);
	return sv_vault_finish(v, "session.end", SV_ABOUT(.principal = r.principal), SV_FIELDS(SV_STR("session", r.id)));
}

/* May the session see and end everyone's sessions? */
static bool manages(scrvault *v)
{
	return v->custodian || sv_authz_role_has(v, "session.manage");
}

int scrvault_session_list(scrvault_json **out, scrvault *v)
{
	bool all = manages(v);

	*out = NULL;
	return sv_rows_json(out, v->db, SV_COLS({ "session", SV_COL_TEXT }, { "principal", SV_COL_TEXT },
			{ "client", SV_COL_TEXT }, { "created", SV_COL_TEXT }, { "last_seen", SV_COL_TEXT },
			{ "expires", SV_COL_TEXT }), NULL, NULL,
			"SELECT s.id, p.name, s.client, strftime('%Y-%m-%dT%H:%M:%SZ', s.created, 'unixepoch'),"
			" strftime('%Y-%m-%dT%H:%M:%SZ', s.last_seen, 'unixepoch'),"
			" strftime('%Y-%m-%dT%H:%M:%SZ', min(s.expires, s.last_seen + coalesce(s.idle_seconds, "
			IDLE ")), 'unixepoch')"
			" FROM sessions s JOIN principals p ON p.id = s.principal_id"
			" WHERE s.ended_at IS NULL AND s.expires > ?1 AND s.last_seen > ?1 - coalesce(s.idle_seconds, "
			IDLE ") AND (?2 OR s.principal_id = ?3)"
			" ORDER BY s.created, s.id", "iii", sv_now(), (int64_t)all, v->principal_id);
}

int scrvault_session_revoke(scrvault_json **out, scrvault *v, const char *id)
{
	char owner[65] = "";
	int64_t pid = 0, ended = 0;
	sv_stmt *st = NULL;
	int error;

	*out = NULL;
	if (!id || !*id)
		return sv_error_field(SCRVAULT_EUSAGE, "session", "say which session (see 'scrvault session list')");
	if ((error = sv_db_query(&st, v->db, "SELECT p.name, s.principal_id, s.ended_at IS NOT NULL FROM sessions s"
				 " JOIN principals p ON p.id = s.principal_id WHERE s.id = ?", "t", id)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1) {
		snprintf(owner, sizeof(owner), "%s", sv_stmt_text(st, 0));
		pid = sv_stmt_int(st, 1);
		ended = sv_stmt_int(st, 2);
	}
	sv_stmt_free(st);
	if (error < 0)
		return error;
	/* Someone else's session is no one's business but a manager's. */
	if (error == 0 || (pid != v->principal_id && !manages(v)))
		return sv_error_field(SCRVAULT_ENOTFOUND, "session", "no session '%s' (see 'scrvault session list')", id);
	if (ended)
		return sv_error(SCRVAULT_ECONFLICT, "session '%s' has already ended", id);
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_db_run(v->db, "UPDATE sessions SET ended_at = ?, end_reason = 'revoked' WHERE id = ?",
			       "it", sv_now(), id)) < 0)
		return sv_vault_fail(v, error);
	if ((error = sv_vault_finish(v, "session.revoke", SV_ABOUT(.principal = owner),
				     SV_FIELDS(SV_STR("session", id)))) < 0)
		return error;
	return sv_json_new(out, SV_FIELDS(SV_STR("session", id), SV_STR("principal", owner)));
}

int sv_sessions_end_principal(scrvault *v, int64_t principal_id)
{
	return sv_db_run(v->db, "UPDATE sessions SET ended_at = ?, end_reason = 'principal-revoked'"
			 " WHERE principal_id = ? AND ended_at IS NULL", "ii", sv_now(), principal_id);
}
