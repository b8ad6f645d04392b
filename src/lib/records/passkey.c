/*
 * passkey.c - passkeys (WebAuthn credentials) for the service's web pages:
 * links to register one, registration, sign-in, listing and removal.
 *
 * Rules (SECURITY.md, "Passkeys"):
 *   - the verification itself (CBOR, COSE keys, signatures, flags,
 *     counters) is crypto/webauthn.c's; this file decides who a credential
 *     belongs to and what is on record;
 *   - challenges live in memory on the handle, as sign-in challenges do:
 *     each answers once, within SCRVAULT_CHALLENGE_SECONDS, for the kind
 *     (registration, sign-in), the origin and, for a registration, the
 *     principal and link it was issued for;
 *   - a link is 32 random bytes, base64url, kept only as its SHA-256; it
 *     answers once, for SCRVAULT_PASSKEY_LINK_SECONDS; none is made for a
 *     service principal, nor for a custodian by anyone but themselves;
 *   - user verification is required at registration and sign-in: a
 *     passkey stands for the person, not for whoever holds the device;
 *   - a sign-in spends its challenge first, so a replayed assertion finds
 *     none; the signature counter is stored before the session is opened;
 *   - a passkey session ends after SCRVAULT_WEB_IDLE_SECONDS idle, with the
 *     principal's revocation (signin.c) or the passkey's removal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scrvault/passkey.h"
#include "records/passkey.h"
#include "records/signin.h"
#include "crypto/webauthn.h"
#include "crypto/crypto.h"
#include "vault/authz.h"
#include "vault/find.h"
#include "vault/log.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "vault/unseal.h"
#include "storage/db.h"
#include "storage/rows.h"
#include "base/common.h"
#include "base/json.h"
#include "base/date.h"
#include "base/text.h"

#define CHALLENGE_LEN	32
#define CHALLENGES_MAX	1024
#define LINK_LEN	32
#define ID_BYTES	6
#define ORIGIN_MAX	255
#define INPUT_MAX	(64 * 1024)	/* base64url of any one response field */

enum { WA_REGISTER = 1, WA_ASSERT = 2 };

struct sv_wa_challenge {
	unsigned char raw[CHALLENGE_LEN];
	int kind;
	int64_t principal_id;			/* WA_REGISTER: whose */
	unsigned char link[SV_SHA256_LEN];	/* WA_REGISTER through a link: its hash */
	bool by_link;
	char origin[ORIGIN_MAX + 1];
	int64_t expires;
};

/* The relying party id of `origin`: its host.  "https://host[:port]" only. */
static int site_of(char rp[ORIGIN_MAX + 1], const char *origin)
{
	const char *h, *end;
	size_t n;

	if (!origin || strncmp(origin, "https://", 8) != 0 || strlen(origin) > ORIGIN_MAX)
		return sv_error_field(SCRVAULT_EUSAGE, "origin", "the service's origin is https://HOST[:PORT]");
	h = origin + 8;
	end = h + strcspn(h, ":/");
	n = (size_t)(end - h);
	if (n == 0 || (*end == '/') || (*end == ':' && strspn(end + 1, "0123456789") != strlen(end + 1)))
		return sv_error_field(SCRVAULT_EUSAGE, "origin", "the service's origin is https://HOST[:PORT]");
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789.-", h[i]))
			return sv_error_field(SCRVAULT_EUSAGE, "origin", "the origin's host is a lower-case DNS name");
	memcpy(rp, h, n);
	rp[n] = '\0';
	return 0;
}

static void hash_token(unsigned char out[SV_SHA256_LEN], const char *token)
{
	sv_sha256(out, token, strlen(token));
}

/* Issue a challenge of `kind`: *out (the handle's) or an error. */
static int challenge_new(struct sv_wa_challenge **out, scrvault *v, int kind, const char *origin)
{
	int64_t now = sv_now();
	int error;

	if ((error = sv_session_challenge_room(&v->wa_challenges, &v->nwa_challenges,
					       sizeof(*v->wa_challenges), CHALLENGES_MAX,
					       offsetof(struct sv_wa_challenge, expires), now)) < 0)
		return error;
	struct sv_wa_challenge *c = &v->wa_challenges[v->nwa_challenges];

	memset(c, 0, sizeof(*c));
	if ((error = sv_random(c->raw, sizeof(c->raw))) < 0)
		return error;
	c->kind = kind;
	c->expires = now + SCRVAULT_CHALLENGE_SECONDS;
	snprintf(c->origin, sizeof(c->origin), "%s", origin);
	v->nwa_challenges++;
	*out = c;
	return 0;
}

/* Take (spend) the challenge `b64` of `kind` for `origin` into *c: 1 live,
 * 0 none, -1 expired. */
static int challenge_take(struct sv_wa_challenge *c, scrvault *v, int kind, const char *origin, const char *b64)
{
	unsigned char *raw = NULL;
	size_t len = 0;
	int64_t now = sv_now();
	int found = 0;

	if (!b64 || sv_unbase64url(&raw, &len, b64) < 0 || len != CHALLENGE_LEN) {
		free(raw);
		return 0;
	}
	for (size_t i = 0; i < v->nwa_challenges; i++) {
		struct sv_wa_challenge *w = &v->wa_challenges[i];

		if (w->kind != kind || strcmp(w->origin, origin) != 0 || sv_memcmp_ct(w->raw, raw, len) != 0)
			continue;
		*c = *w;
		found = c->expires > now ? 1 : -1;
		memmove(w, w + 1, (v->nwa_challenges - i - 1) * sizeof(*w));
		v->nwa_challenges--;
		break;
	}
	free(raw);
	return found;
}

/* A principal by id: 1, 0 when none. */
static int principal_by_id(sv_principal *p, scrvault *v, int64_t id)
{
	char name[65] = "";
	sv_stmt *st = NULL;
	int error;

	memset(p, 0, sizeof(*p));
	if ((error = sv_db_query(&st, v->db, "SELECT name FROM principals WHERE id = ?", "i", id)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1)
		snprintf(name, sizeof(name), "%s", sv_stmt_text(st, 0));
	sv_stmt_free(st);
	if (error <= 0)
		return error;
	return sv_find_principal(p, v, name);
}

/* The live link `token` names: its principal's id into *pid; 1, 0 none. */
static int link_find(int64_t *pid, scrvault *v, const unsigned char hash[SV_SHA256_LEN])
{
	return sv_db_int(pid, v->db, "SELECT principal_id FROM passkey_links WHERE token_sha256 = ? AND used_at IS NULL"
			 " AND expires > ?", "bi", hash, (size_t)SV_SHA256_LEN, sv_now());
}

static const char *alg_name(int alg)
{
	return alg == SV_WEBAUTHN_EDDSA ? "Ed25519" : alg == SV_WEBAUTHN_ES256 ? "ES256" : "?";
}

/* ---- links ------------------------------------------------------------------------ */

int scrvault_passkey_link(scrvault_json **out, scrvault *v, const char *principal)
{
	unsigned char raw[LINK_LEN], hash[SV_SHA256_LEN];
	char *token = NULL;
	int64_t now = sv_now(), expires = now + SCRVAULT_PASSKEY_LINK_SECONDS;
	sv_principal p;
	int error;

	*out = NULL;
	if (!principal || !sv_name_valid(principal))
		return sv_error_field(SCRVAULT_EUSAGE, "principal", "say whose passkey link it is (a principal's name)");
	if ((error = sv_authorize(v, "principal.add", SV_ABOUT(.principal = principal))) < 0)
		return error;
	if ((error = sv_find_principal(&p, v, principal)) < 0)
		return error;
	if (error == 0)
		return sv_error_field(SCRVAULT_ENOTFOUND, "principal", "no principal '%s' (see 'scrvault principal list')",
				      principal);
	if (!p.active)
		return sv_error(SCRVAULT_ECONFLICT, "'%s' is revoked: a revoked principal gets no passkey", principal);
	if (p.custodian && p.id != v->principal_id)
		return sv_error(SCRVAULT_EDENIED, "'%s' is a custodian: only they make their own passkey link (signed "
				"in with their key file), never someone else", principal);
	if (!strcmp(p.kind, "service"))
		return sv_error(SCRVAULT_EUSAGE, "'%s' is a service principal: services sign in with their key file",
				principal);
	if ((error = sv_random(raw, sizeof(raw))) < 0)
		return error;
	if (!(token = sv_base64url(raw, sizeof(raw)))) {
		sv_cleanse(raw, sizeof(raw));
		return SCRVAULT_ERROR;
	}
	sv_cleanse(raw, sizeof(raw));
	hash_token(hash, token);
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	/* A newer link replaces an unused older one. */
	if ((error = sv_db_run(v->db, "UPDATE passkey_links SET used_at = ? WHERE principal_id = ? AND used_at IS NULL",
			       "ii", now, p.id)) < 0 ||
	    (error = sv_db_run(v->db, "INSERT INTO passkey_links(token_sha256, principal_id, created, created_by, expires)"
			       " VALUES (?, ?, ?, ?, ?)", "biiii", hash, sizeof(hash), p.id, now, v->principal_id,
			       expires)) < 0) {
		error = sv_vault_fail(v, error);
		goto done;
	}
	if ((error = sv_vault_finish(v, "principal.passkey-link", SV_ABOUT(.principal = principal),
				     SV_FIELDS(SV_INT("expires", expires)))) < 0)
		goto done;
	error = sv_json_new(out, SV_FIELDS(SV_STR("link", token), SV_STR("principal", principal),
					   SV_INT("expires", expires)));
done:
	sv_cleanse_free(token, strlen(token));
	return error;
}

/* ---- registration ------------------------------------------------------------------ */

/* The stable, opaque user handle of a principal on this vault. */
static char *user_handle(scrvault *v, int64_t pid)
{
	unsigned char h[SV_SHA256_LEN];
	char buf[128];

	snprintf(buf, sizeof(buf), "scrvault passkey user\n%s\n%lld", v->id, (long long)pid);
	sv_sha256(h, buf, strlen(buf));
	return sv_base64url(h, 16);
}

int scrvault_passkey_registration(scrvault_json **out, scrvault *v, const scrvault_passkey_begin *b)
{
	char rp[ORIGIN_MAX + 1], *chal = NULL, *uid = NULL;
	unsigned char hash[SV_SHA256_LEN];
	struct sv_wa_challenge *c = NULL;
	sv_json *ex = NULL;
	sv_stmt *st = NULL;
	int64_t pid = 0;
	sv_principal p;
	int error;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(b, SCRVAULT_PASSKEY_BEGIN_VERSION, "scrvault_passkey_begin")) < 0 ||
	    (error = site_of(rp, b->origin)) < 0)
		return error;
	if (b->link) {
		hash_token(hash, b->link);
		if ((error = link_find(&pid, v, hash)) < 0)
			return error;
		if (error == 0)
			return sv_error_field(SCRVAULT_EDENIED, "link", "the passkey link is unknown, used or expired: "
					      "ask the coordinator for a new one");
	} else {
		if (v->principal_id <= 0)
			return sv_error(SCRVAULT_EDENIED, "sign in first, or open the link you were given");
		pid = v->principal_id;
	}
	if ((error = principal_by_id(&p, v, pid)) < 0)
		return error;
	if (error == 0 || !p.active)
		return sv_error(SCRVAULT_EDENIED, "the principal is revoked: no passkey can be registered");
	if ((error = challenge_new(&c, v, WA_REGISTER, b->origin)) < 0)
		return error;
	c->principal_id = pid;
	c->by_link = b->link != NULL;
	if (b->link)
		memcpy(c->link, hash, sizeof(hash));
	error = SCRVAULT_ERROR;
	if (!(chal = sv_base64url(c->raw, sizeof(c->raw))) || !(uid = user_handle(v, pid)) || !(ex = sv_json_array()))
		goto done;
	if ((error = sv_db_query(&st, v->db, "SELECT credential FROM passkeys WHERE principal_id = ? AND rp_id = ?"
				 " AND removed_at IS NULL ORDER BY created", "it", pid, rp)) < 0)
		goto done;
	while ((error = sv_stmt_step(st)) == 1) {
		size_t n = 0;
		const unsigned char *raw = sv_stmt_blob(st, 0, &n);
		char *id = sv_base64url(raw, n);

		error = id ? sv_json_append(ex, sv_json_string(id)) : SCRVAULT_ERROR;
		free(id);
		if (error < 0)
			goto done;
	}
	if (error < 0)
		goto done;
	sv_json *algs = sv_json_array();

	if (!algs || sv_json_append(algs, sv_json_int(SV_WEBAUTHN_EDDSA)) < 0 ||
	    sv_json_append(algs, sv_json_int(SV_WEBAUTHN_ES256)) < 0) {
		sv_json_free(algs);
		error = SCRVAULT_ERROR;
		goto done;
	}
	error = sv_json_new(out, SV_FIELDS(SV_STR("challenge", chal),
					   SV_SUB("rp", SV_FIELDS(SV_STR("id", rp), SV_STR("name", "scrvault"))),
					   SV_SUB("user", SV_FIELDS(SV_STR("id", uid), SV_STR("name", p.name),
								    SV_STR("displayName", p.name))),
					   SV_VAL("algs", algs), SV_VAL("exclude", ex),
					   SV_INT("timeout", SCRVAULT_CHALLENGE_SECONDS * 1000)));
	sv_json_free(algs);	/* SV_VAL copies */
done:
	sv_stmt_free(st);
	sv_json_free(ex);
	free(chal);
	free(uid);
	return error;
}

/* Decode the base64url field `what` (bounded) into *out. */
static int field_bytes(unsigned char **out, size_t *len, const char *b64, const char *what)
{
	*out = NULL;
	*len = 0;
	if (!b64 || !*b64)
		return sv_error_field(SCRVAULT_EUSAGE, what, "give the passkey's %s (base64url)", what);
	if (strlen(b64) > INPUT_MAX || sv_unbase64url(out, len, b64) < 0)
		return sv_error_field(SCRVAULT_EUSAGE, what, "the %s is not base64url of at most %d bytes", what,
				      INPUT_MAX * 3 / 4);
	return 0;
}

static int new_id(char out[2 * ID_BYTES + 1])
{
	unsigned char r[ID_BYTES];
	int error;

	if ((error = sv_random(r, sizeof(r))) < 0)
		return error;
	sv_hex(out, r, sizeof(r));
	return 0;
}

int scrvault_passkey_register(scrvault_json **out, scrvault *v, const scrvault_passkey_reg_spec *s)
{
	char rp[ORIGIN_MAX + 1], id[2 * ID_BYTES + 1], saved[768];
	unsigned char *cd = NULL, *ao = NULL, hash[SV_SHA256_LEN];
	size_t cdlen = 0, aolen = 0;
	sv_webauthn_credential cred;
	struct sv_wa_challenge c;
	int64_t pid = 0, have = 0, dup = 0, now = sv_now();
	sv_principal p;
	int error, live;

	*out = NULL;
	memset(&cred, 0, sizeof(cred));
	if ((error = SV_STRUCT_CHECK(s, SCRVAULT_PASSKEY_REG_SPEC_VERSION, "scrvault_passkey_reg_spec")) < 0 ||
	    (error = site_of(rp, s->origin)) < 0)
		return error;
	if (!s->name || !*s->name || strlen(s->name) > 64 || sv_text_check("name", s->name, 0) < 0)
		return sv_error_field(SCRVAULT_EUSAGE, "name", "name the passkey (one line, at most 64 characters: "
				      "\"work laptop\")");
	if (s->client && sv_text_check("client", s->client, 0) < 0)
		return sv_error_field(SCRVAULT_EUSAGE, "client", "the client is one line of printable text");
	if ((error = field_bytes(&cd, &cdlen, s->client_data, "client_data")) < 0 ||
	    (error = field_bytes(&ao, &aolen, s->attestation_object, "attestation_object")) < 0)
		goto done;
	live = challenge_take(&c, v, WA_REGISTER, s->origin, s->challenge);
	if (s->link) {
		hash_token(hash, s->link);
		if ((error = link_find(&pid, v, hash)) < 0)
			goto done;
		if (error == 0) {
			error = sv_error_field(SCRVAULT_EDENIED, "link", "the passkey link is unknown, used or expired: "
					       "ask the coordinator for a new one");
			goto done;
		}
	} else if ((pid = v->principal_id) <= 0) {
		error = sv_error(SCRVAULT_EDENIED, "sign in first, or open the link you were given");
		goto done;
	}
	if ((error = principal_by_id(&p, v, pid)) < 0)
		goto done;
	if (error == 0 || !p.active) {
		error = sv_error(SCRVAULT_EDENIED, "the principal is revoked: no passkey can be registered");
		goto done;
	}
	/* The challenge must be the one issued for this very person and link. */
	if (live <= 0 || c.principal_id != pid || c.by_link != (s->link != NULL) ||
	    (s->link && sv_memcmp_ct(c.link, hash, sizeof(hash)) != 0)) {
		sv_error(SCRVAULT_EDENIED, "the registration's challenge %s: start again", live < 0 ? "expired" :
			 "is unknown, was already used or was issued for someone else");
		error = sv_session_refuse(v, "passkey.register", p.name, s->client,
					  live < 0 ? "challenge expired" : "unknown challenge", false);
		goto done;
	}
	sv_webauthn_expect e = { .rp_id = rp, .origin = s->origin, .challenge = c.raw,
				 .challenge_len = sizeof(c.raw), .require_uv = true };

	if ((error = sv_webauthn_register(&cred, &e, cd, cdlen, ao, aolen)) < 0) {
		snprintf(saved, sizeof(saved), "%s", scrvault_error_message());
		sv_error(SCRVAULT_EDENIED, "the passkey was not registered: %s", saved);
		error = sv_session_refuse(v, "passkey.register", p.name, s->client, saved, false);
		goto done;
	}
	if ((error = sv_db_int(&have, v->db, "SELECT count(*) FROM passkeys WHERE principal_id = ? AND removed_at IS NULL",
			       "i", pid)) < 0 ||
	    (error = sv_db_int(&dup, v->db, "SELECT count(*) FROM passkeys WHERE rp_id = ? AND credential = ?", "tb",
			       rp, cred.id, cred.id_len)) < 0)
		goto done;
	if (dup) {
		error = sv_error(SCRVAULT_ECONFLICT, "this passkey is registered already");
		goto done;
	}
	if (have >= SCRVAULT_PASSKEYS_PER_PRINCIPAL) {
		error = sv_error(SCRVAULT_ECONFLICT, "'%s' has %d passkeys already: remove one first", p.name,
				 SCRVAULT_PASSKEYS_PER_PRINCIPAL);
		goto done;
	}
	if ((error = new_id(id)) < 0)
		goto done;
	/* The entry is the holder's: the link (or their session) is their proof. */
	if ((s->link && (error = sv_unseal_speak_for(v, p.name)) < 0) || (error = sv_vault_begin(v)) < 0)
		goto reset;
	if ((error = sv_db_run(v->db, "INSERT INTO passkeys(id, principal_id, credential, rp_id, spki, alg, sign_count,"
			       " name, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", "tibtbiiti", id, pid, cred.id,
			       cred.id_len, rp, cred.spki, cred.spki_len, (int64_t)cred.alg, (int64_t)cred.sign_count,
			       s->name, now)) < 0 ||
	    (s->link && (error = sv_db_run(v->db, "UPDATE passkey_links SET used_at = ? WHERE token_sha256 = ?", "ib",
					   now, hash, sizeof(hash))) < 0)) {
		error = sv_vault_fail(v, error);
		goto reset;
	}
	if ((error = sv_vault_finish(v, "passkey.register", SV_ABOUT(.principal = p.name),
				     SV_FIELDS(SV_STR("passkey", id), SV_STR("name", s->name),
					       SV_STR("alg", alg_name(cred.alg)), SV_STR("rp_id", rp),
					       SV_STR("via", s->link ? "link" : "session"), SV_OPT("client", s->client)))) < 0)
		goto reset;
	error = sv_json_new(out, SV_FIELDS(SV_STR("id", id), SV_STR("name", s->name), SV_STR("alg", alg_name(cred.alg)),
					   SV_STR("principal", p.name), SV_INT("created", now)));
reset:
	if (s->link)
		sv_unseal_reset(v);
done:
	sv_webauthn_credential_clear(&cred);
	free(cd);
	free(ao);
	return error;
}

/* ---- sign-in ----------------------------------------------------------------------- */

int scrvault_passkey_challenge(scrvault_json **out, scrvault *v, const char *origin)
{
	char rp[ORIGIN_MAX + 1], *chal;
	struct sv_wa_challenge *c = NULL;
	int error;

	*out = NULL;
	if ((error = site_of(rp, origin)) < 0 || (error = challenge_new(&c, v, WA_ASSERT, origin)) < 0)
		return error;
	if (!(chal = sv_base64url(c->raw, sizeof(c->raw))))
		return SCRVAULT_ERROR;
	error = sv_json_new(out, SV_FIELDS(SV_STR("challenge", chal), SV_STR("rp_id", rp),
					   SV_INT("timeout", SCRVAULT_CHALLENGE_SECONDS * 1000)));
	free(chal);
	return error;
}

typedef struct {
	char id[2 * ID_BYTES + 1];
	int64_t principal_id, sign_count;
	int alg;
	unsigned char *spki;
	size_t spki_len;
} passkey_row;

/* The live passkey with credential id `cred` on `rp`: 1, 0 none. */
static int passkey_by_credential(passkey_row *k, scrvault *v, const char *rp, const unsigned char *cred, size_t len)
{
	sv_stmt *st = NULL;
	int error;

	memset(k, 0, sizeof(*k));
	if ((error = sv_db_query(&st, v->db, "SELECT id, principal_id, alg, sign_count, spki FROM passkeys"
				 " WHERE rp_id = ? AND credential = ? AND removed_at IS NULL", "tb", rp, cred, len)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1) {
		snprintf(k->id, sizeof(k->id), "%s", sv_stmt_text(st, 0));
		k->principal_id = sv_stmt_int(st, 1);
		k->alg = (int)sv_stmt_int(st, 2);
		k->sign_count = sv_stmt_int(st, 3);
		const unsigned char *der = sv_stmt_blob(st, 4, &k->spki_len);

		if (!(k->spki = sv_malloc(k->spki_len ? k->spki_len : 1)))
			error = SCRVAULT_ERROR;
		else if (k->spki_len)
			memcpy(k->spki, der, k->spki_len);
	}
	sv_stmt_free(st);
	return error;
}

/* An assertion's fields, decoded from base64url (each bounded). */
typedef struct {
	unsigned char *cred, *cd, *ad, *sig;
	size_t credlen, cdlen, adlen, siglen;
} assertion_bytes;

static void assertion_free(assertion_bytes *b)
{
	free(b->cred);
	free(b->cd);
	free(b->ad);
	free(b->sig);
	memset(b, 0, sizeof(*b));
}

/* `cred` may be NULL (a signature record names its key, not its credential). */
static int assertion_decode(assertion_bytes *b, const char *cred, const char *cd, const char *ad, const char *sig)
{
	int error;

	memset(b, 0, sizeof(*b));
	if ((cred && (error = field_bytes(&b->cred, &b->credlen, cred, "credential")) < 0) ||
	    (error = field_bytes(&b->cd, &b->cdlen, cd, "client_data")) < 0 ||
	    (error = field_bytes(&b->ad, &b->adlen, ad, "authenticator_data")) < 0 ||
	    (error = field_bytes(&b->sig, &b->siglen, sig, "signature")) < 0) {
		assertion_free(b);
		return error;
	}
	return 0;
}

/* crypto/webauthn.c's verdict on b, for the site and challenge, user verified. */
static int assertion_check(uint32_t *count, const assertion_bytes *b, const char *rp, const char *origin,
			   const unsigned char *challenge, size_t challenge_len, const unsigned char *spki,
			   size_t spki_len, int alg, uint32_t stored)
{
	sv_webauthn_expect e = { .rp_id = rp, .origin = origin, .challenge = challenge,
				 .challenge_len = challenge_len, .require_uv = true };

	return sv_webauthn_assert(count, &e, spki, spki_len, alg, stored, b->cd, b->cdlen, b->ad, b->adlen, b->sig,
				  b->siglen);
}

/* The passkey's new counter and last use, in their own transaction: an
 * assertion is good once, whatever follows. */
static int counter_store(scrvault *v, const char *id, uint32_t count)
{
	int error;

	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_db_run(v->db, "UPDATE passkeys SET sign_count = ?, last_used = ? WHERE id = ?", "iit",
			       (int64_t)count, sv_now(), id)) < 0) {
		sv_vault_abort(v);
		return error;
	}
	return sv_vault_commit(v);
}

int scrvault_passkey_login(scrvault_json **out, scrvault *v, const scrvault_passkey_login_spec *s)
{
	char rp[ORIGIN_MAX + 1], saved[768];
	assertion_bytes b;
	struct sv_wa_challenge c;
	passkey_row k;
	uint32_t count = 0;
	sv_principal p;
	int error, live;

	*out = NULL;
	memset(&k, 0, sizeof(k));
	if ((error = SV_STRUCT_CHECK(s, SCRVAULT_PASSKEY_LOGIN_SPEC_VERSION, "scrvault_passkey_login_spec")) < 0 ||
	    (error = site_of(rp, s->origin)) < 0)
		return error;
	if (s->client && sv_text_check("client", s->client, 0) < 0)
		return sv_error_field(SCRVAULT_EUSAGE, "client", "the client is one line of printable text");
	if (!s->credential)
		return sv_error_field(SCRVAULT_EUSAGE, "credential", "give the passkey's credential (base64url)");
	if ((error = assertion_decode(&b, s->credential, s->client_data, s->authenticator_data, s->signature)) < 0)
		return error;
	sv_unseal_reset(v);
	/* The challenge is spent whatever happens next: a replay finds none. */
	live = challenge_take(&c, v, WA_ASSERT, s->origin, s->challenge);
	if ((error = passkey_by_credential(&k, v, rp, b.cred, b.credlen)) < 0)
		goto done;
	if (error == 0) {
		sv_error(SCRVAULT_EDENIED, "this passkey is not registered here (or was removed): sign in another way "
			 "or register it again");
		error = sv_session_refuse(v, "session.login", NULL, s->client, "unknown passkey", false);
		goto done;
	}
	if ((error = principal_by_id(&p, v, k.principal_id)) < 0)
		goto done;
	if ((error = sv_session_limits(v, p.name, s->client)) < 0)
		goto done;
	if (live <= 0) {
		sv_error(SCRVAULT_EDENIED, "the sign-in's challenge %s: start again", live < 0 ? "expired" :
			 "is unknown or was already used");
		error = sv_session_refuse(v, "session.login", p.name, s->client,
					  live < 0 ? "challenge expired" : "unknown challenge", true);
		goto done;
	}
	if (!p.active) {
		sv_error(SCRVAULT_EDENIED, "the sign-in of '%s' is refused", p.name);
		error = sv_session_refuse(v, "session.login", p.name, s->client, "principal revoked", true);
		goto done;
	}
	if ((error = assertion_check(&count, &b, rp, s->origin, c.raw, sizeof(c.raw), k.spki, k.spki_len, k.alg,
				     (uint32_t)k.sign_count)) < 0) {
		snprintf(saved, sizeof(saved), "%s", scrvault_error_message());
		sv_error(SCRVAULT_EDENIED, "the passkey's answer does not verify: %s", saved);
		error = sv_session_refuse(v, "session.login", p.name, s->client, saved, true);
		goto done;
	}
	/* The counter first. */
	if ((error = counter_store(v, k.id, count)) < 0)
		goto done;
	error = sv_session_open(out, v, &p, s->client, SCRVAULT_WEB_IDLE_SECONDS, "passkey", k.id);
done:
	free(k.spki);
	assertion_free(&b);
	return error;
}

/* ---- statements signed with a passkey ---------------------------------------------- */

int sv_passkey_sign_check(sv_json **proof, scrvault *v, const char *origin, const char *statement,
			  const scrvault_passkey_assertion *a)
{
	char rp[ORIGIN_MAX + 1], *key64 = NULL;
	unsigned char challenge[SV_SHA256_LEN];
	assertion_bytes b;
	passkey_row k;
	uint32_t count = 0;
	int error;

	*proof = NULL;
	memset(&k, 0, sizeof(k));
	if ((error = site_of(rp, origin)) < 0)
		return error;
	if (!a || !statement || !a->credential)
		return sv_error_field(SCRVAULT_EUSAGE, "passkey", "give the passkey's assertion of the statement");
	if ((error = assertion_decode(&b, a->credential, a->client_data, a->authenticator_data, a->signature)) < 0)
		return error;
	if ((error = passkey_by_credential(&k, v, rp, b.cred, b.credlen)) < 0)
		goto done;
	if (error == 0 || k.principal_id != v->principal_id) {
		error = sv_error_field(SCRVAULT_EDENIED, "passkey", "the passkey is not one of '%s''s for these pages",
				       v->principal ? v->principal : "");
		goto done;
	}
	sv_sha256(challenge, statement, strlen(statement));
	if ((error = assertion_check(&count, &b, rp, origin, challenge, sizeof(challenge), k.spki, k.spki_len, k.alg,
				     (uint32_t)k.sign_count)) < 0) {
		error = sv_error_field(SCRVAULT_EDENIED, "passkey", "the passkey's signature of the statement does not "
				       "verify: %s", scrvault_error_message());
		goto done;
	}
	if ((error = counter_store(v, k.id, count)) < 0)
		goto done;
	if (!(key64 = sv_base64(k.spki, k.spki_len))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	error = sv_json_new(proof, SV_FIELDS(SV_STR("method", "passkey"), SV_STR("passkey", k.id),
					     SV_STR("alg", alg_name(k.alg)), SV_STR("public_key", key64),
					     SV_STR("origin", origin), SV_STR("rp_id", rp),
					     SV_STR("credential", a->credential), SV_STR("client_data", a->client_data),
					     SV_STR("authenticator_data", a->authenticator_data),
					     SV_STR("signature", a->signature)));
done:
	free(key64);
	free(k.spki);
	assertion_free(&b);
	return error;
}

int scrvault_passkey_proof_check(const char *statement, const scrvault_json *proof)
{
	const char *origin = sv_json_str(sv_json_get(proof, "origin"));
	const char *rp_id = sv_json_str(sv_json_get(proof, "rp_id"));
	const char *alg = sv_json_str(sv_json_get(proof, "alg"));
	const char *key64 = sv_json_str(sv_json_get(proof, "public_key"));
	unsigned char *spki = NULL, challenge[SV_SHA256_LEN];
	size_t spkilen = 0;
	assertion_bytes b = { 0 };
	char rp[ORIGIN_MAX + 1];
	uint32_t count = 0;
	int error;

	if (!statement || !proof || !origin || !rp_id || !alg || !key64 ||
	    strcmp(sv_json_str(sv_json_get(proof, "method")) ? sv_json_str(sv_json_get(proof, "method")) : "",
		   "passkey") != 0)
		return sv_error(SCRVAULT_EDENIED, "not a passkey's signature record");
	if ((error = site_of(rp, origin)) < 0 || strcmp(rp, rp_id) != 0)
		return sv_error(SCRVAULT_EDENIED, "the record's relying party is not its origin's host");
	if (sv_unbase64(&spki, &spkilen, key64) < 0) {
		error = sv_error(SCRVAULT_EDENIED, "the record's public key is not base64");
		goto done;
	}
	if (assertion_decode(&b, NULL, sv_json_str(sv_json_get(proof, "client_data")),
			     sv_json_str(sv_json_get(proof, "authenticator_data")),
			     sv_json_str(sv_json_get(proof, "signature"))) < 0) {
		error = sv_error(SCRVAULT_EDENIED, "the record is damaged: %s", scrvault_error_message());
		goto done;
	}
	sv_sha256(challenge, statement, strlen(statement));
	/* A counter of 0 stored: any counter the record shows is good here. */
	error = assertion_check(&count, &b, rp, origin, challenge, sizeof(challenge), spki, spkilen,
				!strcmp(alg, "Ed25519") ? SV_WEBAUTHN_EDDSA : SV_WEBAUTHN_ES256, 0);
done:
	free(spki);
	assertion_free(&b);
	return error;
}

int sv_passkey_proof_registered(scrvault *v, int64_t principal_id, const sv_json *proof)
{
	const char *key64 = sv_json_str(sv_json_get(proof, "public_key"));
	unsigned char *spki = NULL;
	size_t len = 0;
	int64_t n = 0;
	int error;

	if (!key64 || sv_unbase64(&spki, &len, key64) < 0)
		return 0;
	error = sv_db_int(&n, v->db, "SELECT count(*) FROM passkeys WHERE principal_id = ? AND spki = ?", "ib",
			  principal_id, spki, len);
	free(spki);
	return error < 0 ? error : n > 0;
}

/* ---- list and remove --------------------------------------------------------------- */

int scrvault_passkey_list(scrvault_json **out, scrvault *v, const char *principal)
{
	int64_t pid = v->principal_id;
	sv_principal p;
	int error;

	*out = NULL;
	if (principal && strcmp(principal, v->principal ? v->principal : "") != 0) {
		if ((error = sv_authorize(v, "principal.read", SV_ABOUT(.principal = principal))) < 0)
			return error;
		if ((error = sv_find_principal(&p, v, principal)) < 0)
			return error;
		if (error == 0)
			return sv_error_field(SCRVAULT_ENOTFOUND, "principal", "no principal '%s'", principal);
		pid = p.id;
	}
	return sv_rows_json(out, v->db, SV_COLS({ "id", SV_COL_TEXT }, { "name", SV_COL_TEXT }, { "alg", SV_COL_TEXT },
			{ "created", SV_COL_TEXT }, { "last_used", SV_COL_TEXT }), NULL, NULL,
			"SELECT id, name, CASE alg WHEN -8 THEN 'Ed25519' WHEN -7 THEN 'ES256' ELSE '?' END,"
			" strftime('%Y-%m-%dT%H:%M:%SZ', created, 'unixepoch'),"
			" strftime('%Y-%m-%dT%H:%M:%SZ', last_used, 'unixepoch')"
			" FROM passkeys WHERE principal_id = ? AND removed_at IS NULL ORDER BY created, id", "i", pid);
}

int scrvault_passkey_remove(scrvault_json **out, scrvault *v, const char *id)
{
	char owner[65] = "", name[65] = "";
	int64_t pid = 0;
	sv_stmt *st = NULL;
	int error;

	*out = NULL;
	if (!id || !*id || strlen(id) != 2 * ID_BYTES || strspn(id, "0123456789abcdef") != 2 * ID_BYTES)
		return sv_error_field(SCRVAULT_EUSAGE, "passkey", "say which passkey (its id, from the list)");
	if ((error = sv_db_query(&st, v->db, "SELECT k.principal_id, p.name, k.name FROM passkeys k"
				 " JOIN principals p ON p.id = k.principal_id WHERE k.id = ? AND k.removed_at IS NULL",
				 "t", id)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1) {
		pid = sv_stmt_int(st, 0);
		snprintf(owner, sizeof(owner), "%s", sv_stmt_text(st, 1));
		snprintf(name, sizeof(name), "%s", sv_stmt_text(st, 2));
	}
	sv_stmt_free(st);
	if (error < 0)
		return error;
	/* Someone else's passkey is no one's business but a manager's. */
	if (error == 0 || (pid != v->principal_id && sv_authorize(v, "principal.revoke",
								   SV_ABOUT(.principal = owner)) < 0))
		return sv_error_field(SCRVAULT_ENOTFOUND, "passkey", "no passkey '%s' (see your passkeys)", id);
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_db_run(v->db, "UPDATE passkeys SET removed_at = ? WHERE id = ?", "it", sv_now(), id)) < 0 ||
	    (error = sv_db_run(v->db, "UPDATE sessions SET ended_at = ?, end_reason = 'passkey-removed'"
			       " WHERE passkey = ? AND ended_at IS NULL", "it", sv_now(), id)) < 0)
		return sv_vault_fail(v, error);
	if ((error = sv_vault_finish(v, "passkey.remove", SV_ABOUT(.principal = owner),
				     SV_FIELDS(SV_STR("passkey", id), SV_STR("name", name)))) < 0)
		return error;
	return sv_json_new(out, SV_FIELDS(SV_STR("id", id), SV_STR("principal", owner)));
}
