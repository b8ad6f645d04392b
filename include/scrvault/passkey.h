/*
 * scrvault/passkey.h - passkeys (WebAuthn credentials) for the service's
 * web pages: registered by their holder through a one-time link a
 * coordinator makes, or from a session opened with the holder's key file;
 * a sign-in with one opens a session like a signed challenge does, with a
 * shorter idle time.
 *
 * The site: every call takes the service's origin ("https://HOST[:PORT]"),
 * whose host is the relying party id the credential is scoped to; the
 * browser's clientDataJSON must name exactly that origin, and the
 * authenticator's data the SHA-256 of that host, so a passkey answers for
 * this vault's pages only (a look-alike site gets nothing it can use).
 * Verified with OpenSSL (ES256, Ed25519) and libcbor: challenge, type,
 * origin, relying party, user presence and verification, the signature
 * and the signature counter (a counter that goes back is a clone).
 */
#ifndef SCRVAULT_PASSKEY_H
#define SCRVAULT_PASSKEY_H

#include "scrvault/vault.h"
#include "scrvault/json.h"

#define SCRVAULT_PASSKEY_LINK_SECONDS	(24 * 60 * 60)
#define SCRVAULT_WEB_IDLE_SECONDS	(15 * 60)	/* a passkey session's idle time */
#define SCRVAULT_PASSKEYS_PER_PRINCIPAL	10

/*
 * A one-time link for `principal` to register a passkey (authorised as
 * "principal.add"; audited "principal.passkey-link"), good for
 * SCRVAULT_PASSKEY_LINK_SECONDS; a newer link replaces an unused older
 * one.  *out gets {"link": the token (43 characters, shown once, kept only
 * as its SHA-256), "principal", "expires"}.  Refused for a custodian by
 * anyone but that custodian, signed in with their own key file
 * (SCRVAULT_EDENIED: no one else can hold a way in as them), a service
 * principal and a revoked one.
 */
int scrvault_passkey_link(scrvault_json **out, scrvault *v, const char *principal);

typedef struct {
	unsigned int version;
	const char *origin;		/* the service's origin, "https://host[:port]" */
	const char *link;		/* a link's token, or NULL: the acting principal (a session) */
} scrvault_passkey_begin;
#define SCRVAULT_PASSKEY_BEGIN_VERSION 1
#define SCRVAULT_PASSKEY_BEGIN_INIT { SCRVAULT_PASSKEY_BEGIN_VERSION }

/*
 * Options for navigator.credentials.create: *out gets {"challenge":
 * base64url, "rp": {"id","name"}, "user": {"id": base64url,"name",
 * "displayName"}, "algs": [-8, -7], "exclude": [credential ids, base64url],
 * "timeout"}.  The challenge answers once, within SCRVAULT_CHALLENGE_SECONDS.
 * A link that is unknown, used or expired: SCRVAULT_EDENIED.
 */
int scrvault_passkey_registration(scrvault_json **out, scrvault *v, const scrvault_passkey_begin *b);

typedef struct {
	unsigned int version;
	const char *origin;
	const char *link;		/* as in the registration's options, or NULL */
	const char *challenge;		/* base64url, as issued */
	const char *client_data;	/* base64url clientDataJSON */
	const char *attestation_object;	/* base64url */
	const char *name;		/* the holder's label for it ("work laptop") */
	const char *client;		/* the peer, for the audit entry */
} scrvault_passkey_reg_spec;
#define SCRVAULT_PASSKEY_REG_SPEC_VERSION 1
#define SCRVAULT_PASSKEY_REG_SPEC_INIT { SCRVAULT_PASSKEY_REG_SPEC_VERSION }

/*
 * Register the credential the browser made: audited "passkey.register"
 * (the link, if one, is spent in the same transaction).  *out gets
 * {"id","name","alg","created"}.  Refused (SCRVAULT_EDENIED, audited where
 * it names a principal): a spent or expired challenge or link, a response
 * that does not verify; SCRVAULT_ECONFLICT: the credential is registered
 * already, or the principal has SCRVAULT_PASSKEYS_PER_PRINCIPAL.
 */
int scrvault_passkey_register(scrvault_json **out, scrvault *v, const scrvault_passkey_reg_spec *s);

/* A challenge for a passkey sign-in: {"challenge": base64url, "rp_id", "timeout"}. */
int scrvault_passkey_challenge(scrvault_json **out, scrvault *v, const char *origin);

typedef struct {
	unsigned int version;
	const char *origin;
	const char *challenge;		/* base64url, as issued */
	const char *credential;		/* base64url credential id (rawId) */
	const char *client_data;	/* base64url clientDataJSON */
	const char *authenticator_data;	/* base64url */
	const char *signature;		/* base64url */
	const char *client;
} scrvault_passkey_login_spec;
#define SCRVAULT_PASSKEY_LOGIN_SPEC_VERSION 1
#define SCRVAULT_PASSKEY_LOGIN_SPEC_INIT { SCRVAULT_PASSKEY_LOGIN_SPEC_VERSION }

/*
 * Check a passkey's assertion and open a session (as scrvault_session_login:
 * the same limits, "session.login" with "method": "passkey"), which ends
 * after SCRVAULT_WEB_IDLE_SECONDS without use.  *out as there.  A spent
 * challenge (a replayed assertion), an unknown or removed passkey, a
 * revoked principal, a bad signature or a counter that went back:
 * SCRVAULT_EDENIED, audited.
 */
int scrvault_passkey_login(scrvault_json **out, scrvault *v, const scrvault_passkey_login_spec *s);

/*
 * A statement signed with a passkey instead of a key file (a sign-off in
 * the browser): navigator.credentials.get with the challenge set to the
 * SHA-256 of the statement's exact bytes, so the assertion commits to it.
 */
typedef struct {
	const char *credential;		/* base64url credential id (rawId) */
	const char *client_data;	/* base64url clientDataJSON */
	const char *authenticator_data;	/* base64url */
	const char *signature;		/* base64url */
} scrvault_passkey_assertion;

/*
 * Check, with nothing but the two texts, that `proof` (the record a passkey
 * signature leaves: {"method":"passkey","passkey","alg","public_key":
 * base64 DER SubjectPublicKeyInfo,"origin","rp_id","credential",
 * "client_data","authenticator_data","signature"}) is a passkey's
 * signature of exactly `statement`: the challenge its browser signed is the
 * statement's SHA-256, for the origin and relying party it names, with the
 * user verified, under the public key it carries.  0, or SCRVAULT_EDENIED
 * naming what fails.  Whether that key is the signer's registered passkey
 * is the vault's side (scrvault_doc_show checks it).
 */
int scrvault_passkey_proof_check(const char *statement, const scrvault_json *proof);

/* Passkeys of `principal` (NULL: the caller's own; another's needs
 * "principal.read"): [{"id","name","alg","created","last_used"}]. */
int scrvault_passkey_list(scrvault_json **out, scrvault *v, const char *principal);

/* Remove passkey `id` (the caller's own, or anyone's with "principal.revoke"):
 * audited "passkey.remove"; the sessions opened with it end at once. */
int scrvault_passkey_remove(scrvault_json **out, scrvault *v, const char *id);

#endif
