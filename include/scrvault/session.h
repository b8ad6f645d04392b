/*
 * scrvault/session.h - the vault as a long-running service: unsealing it
 * without any custodian's private key leaving their machine, acting for
 * one authenticated person per request, and the sessions people open by
 * signing a challenge with their own Ed25519 key.
 *
 * A service (scrvaultd) holds one handle from scrvault_vault_unseal until
 * it seals; before each request it calls scrvault_session_resume (or, for
 * its own jobs on the local socket, scrvault_vault_act after the peer's
 * credentials were checked), then the same public calls the command line
 * makes.  Every refusal here is an audit entry where it names a principal.
 */
#ifndef SCRVAULT_SESSION_H
#define SCRVAULT_SESSION_H

#include "scrvault/vault.h"
#include "scrvault/json.h"

/* ---- unsealing ---------------------------------------------------------------- */

/*
 * A sealed service's offer for one unseal: a fresh X25519 key (its private
 * half in secure memory, in *offer) and the public facts a custodian's
 * client checks before answering.  *out gets {"vault": id,
 * "checkpoint": the store's latest signed checkpoint, which the custodian's
 * client verifies with the verifier key their key file pins (the verifier
 * key itself is only in the encrypted database), "epk": base64 public key,
 * "nonce": base64, "custodians": {name: base64 keyring wrap, ...}}.  Read from the vault
 * directory `dir` alone (keyring, public parts); nothing is unlocked.
 */
typedef struct scrvault_unseal_offer scrvault_unseal_offer;
int scrvault_unseal_offer_new(scrvault_unseal_offer **offer, scrvault_json **out, const char *dir);
void scrvault_unseal_offer_free(scrvault_unseal_offer *offer);

/*
 * The custodian's side, on their own machine: check that `offer` is of the
 * vault `keyfile` belongs to (its id and verifier key; else
 * SCRVAULT_EINTEGRITY, "not the vault the key file belongs to"; the offer's
 * checkpoint must verify with the verifier key the key file pins), unwrap the
 * vault master key from their keyring wrap, wrap it again to the offer's
 * key, and sign the answer.  *out gets {"custodian", "wrap", "sig"} (base64).
 */
int scrvault_unseal_answer(scrvault_json **out, const scrvault_json *offer, const char *keyfile,
			   const scrvault_secret *passphrase);

/*
 * The service's side: open the vault at `dir` with the master key in
 * `answer`, which must be signed by a registered, active custodian over
 * this very offer (an offer answers once: a replayed answer is
 * SCRVAULT_EDENIED).  The handle acts as that custodian until
 * scrvault_vault_act; the unseal is an audit entry ("vault.unseal").
 * opts: flags as scrvault_open_options (ALLOW_UNLOCKED_MEMORY).
 */
int scrvault_vault_unseal(scrvault **out, scrvault_unseal_offer *offer, const scrvault_json *answer,
			  unsigned flags);

/*
 * Seal: an audit entry ("vault.seal", `reason`: "requested", "idle",
 * "shutdown"), the latest checkpoint published, the keys wiped, the lock
 * released.  Frees v.  NULL-safe.
 */
void scrvault_vault_seal(scrvault *v, const char *reason);

/*
 * May the principal v acts for ask for the vault to be sealed?  0 for a
 * custodian or a role with "vault.seal"; otherwise SCRVAULT_EDENIED,
 * audited.  (A service seals on its own for "idle" and "shutdown".)
 */
int scrvault_vault_may_seal(scrvault *v);

/* Publish the latest signed checkpoint now (a service does so after each
 * change it acknowledges and on a timer); 0 or an error. */
int scrvault_vault_flush(scrvault *v);

/*
 * The vault's audit verifier key (the note verifier key boards publish, as
 * 'scrvault audit pubkey' prints it) of an unsealed vault, for a service to
 * show while sealed: public, so no permission is asked and nothing is
 * audited.  *vkey is the caller's to free.  It lives in the encrypted
 * database, so a service that has never been unsealed cannot know it.
 */
int scrvault_vault_vkey(char **vkey, scrvault *v);

/* ---- acting for one person ------------------------------------------------------ */

typedef struct {
	unsigned int version;
	const char *principal;	/* registered and active */
	const char *role;	/* NULL: coordinator if held, else the only role */
	int64_t request;	/* releases under this agreed access request (0: none) */
	const char *session;	/* the session id this request came in (audit entries name it) */
	const char *client;	/* "unix:uid=1001" or "203.0.113.7": audit entries name it */
} scrvault_act_options;
#define SCRVAULT_ACT_OPTIONS_VERSION 1
#define SCRVAULT_ACT_OPTIONS_INIT { SCRVAULT_ACT_OPTIONS_VERSION }

/*
 * Make the unsealed handle act for another principal, as scrvault_vault_open
 * with as_keyfile does, once the caller has authenticated them (a session,
 * or a job's peer credentials on the local socket).  A handle acting this
 * way holds no private key of the person: calls that need their signature
 * (sign-off, acknowledgement, witnessing) take it from the client instead
 * (the *_statement and *_signed calls).  Refused (not registered, revoked,
 * role not held): SCRVAULT_EDENIED, audited.
 */
int scrvault_vault_act(scrvault *v, const scrvault_act_options *opts);

/* ---- sessions --------------------------------------------------------------------- */

/* Lifetimes, seconds. */
#define SCRVAULT_CHALLENGE_SECONDS	60
#define SCRVAULT_SESSION_IDLE_SECONDS	(30 * 60)
#define SCRVAULT_SESSION_MAX_SECONDS	(10 * 60 * 60)
#define SCRVAULT_SESSIONS_PER_PRINCIPAL	16
/*
 * Failed sign-ins in 15 minutes.  SCRVAULT_LOGIN_FAILURES_MAX of a name from
 * one client (the login spec's `client`: a peer address, or the local
 * socket's uid) refuse that client the name, even with a good signature;
 * other clients are not refused by them, so whoever knows a name cannot
 * lock its holder out from elsewhere.  Past SCRVAULT_LOGIN_FAILURES_NAME_MAX
 * failures of the name from all clients, a client that has failed for it
 * at all is refused and a client that has not still gets its try.
 */
#define SCRVAULT_LOGIN_FAILURES_MAX	10
#define SCRVAULT_LOGIN_FAILURES_NAME_MAX 50

/*
 * A challenge for `principal` to sign.  *out gets {"challenge": base64 (32
 * random bytes), "statement": the exact text to sign, "expires": unix time}.
 * The statement names the vault id, the principal and the challenge, so a
 * signature is good for this vault, this person and this sign-in only.
 * A challenge is answered once, within SCRVAULT_CHALLENGE_SECONDS.  Asked
 * for an unknown principal the call still answers (no oracle of names).
 */
int scrvault_session_challenge(scrvault_json **out, scrvault *v, const char *principal);

/*
 * The statement scrvault_session_challenge asks `principal` to sign:
 * canonical JSON {"challenge","principal","statement":SCRVAULT_SESSION_STATEMENT
 * ("scrvault-session v1", keyfile.h),"vault"} (what scrvault_key_sign_check,
 * and so `scrvault agent`, agrees to sign).
 */
char *scrvault_session_statement(const char *vault_id, const char *principal, const char *challenge);

typedef struct {
	unsigned int version;
	const char *principal;
	const char *challenge;	/* base64, as issued */
	const char *signature;	/* base64 Ed25519 signature of the statement */
	const char *client;	/* the peer, for the audit entry and the limits */
} scrvault_login_spec;
#define SCRVAULT_LOGIN_SPEC_VERSION 1
#define SCRVAULT_LOGIN_SPEC_INIT { SCRVAULT_LOGIN_SPEC_VERSION }

/*
 * Check the signed challenge against the principal's registered key and
 * open a session.  *out gets {"token": 43 characters, shown once and kept
 * only as its SHA-256, "session": a short id for list/revoke, "principal",
 * "expires", "idle_expires"}.  Refused with SCRVAULT_EDENIED (audited,
 * "session.login"): an unknown, used or expired challenge, a bad signature,
 * a revoked principal, too many failures (of the name from this client, or
 * past the name's cap from a client that has failed: see above), too many
 * sessions.  The entry's actor is the principal who signed in; a refused
 * sign-in's is nobody ("", "unauthenticated": true), the claimed name its
 * subject.
 */
int scrvault_session_login(scrvault_json **out, scrvault *v, const scrvault_login_spec *s);

/*
 * Act for the session `token` names (scrvault_vault_act with its principal;
 * `role` and `request` as there): SCRVAULT_EDENIED ("session expired",
 * "revoked", "principal revoked"; the caller answers 401) when it is not
 * live.  Refreshes its idle time.  *principal (optional) gets its name.
 */
int scrvault_session_resume(scrvault *v, const char *token, const scrvault_act_options *opts);

/* End the session `token` names (sign-out). */
int scrvault_session_end(scrvault *v, const char *token);

/* Live sessions: the caller's own, or everyone's for a custodian or
 * coordinator: [{"session","principal","client","created","last_seen","expires"}]. */
int scrvault_session_list(scrvault_json **out, scrvault *v);

/* Revoke session `id` (the caller's own, or any for a custodian or
 * coordinator); audited.  Revoking a principal ends their sessions. */
int scrvault_session_revoke(scrvault_json **out, scrvault *v, const char *id);

#endif
