/*
 * webauthn.h - server-side verification of passkeys (WebAuthn Level 2):
 * registrations (navigator.credentials.create) and assertions
 * (navigator.credentials.get), ES256 (P-256) and Ed25519 credentials.
 *
 * webauthn.c is the only file of the library that includes libcbor; it
 * holds no state and never sees a vault.  It trusts nothing it is given
 * from the browser: every size is bounded (clientDataJSON 4 KiB,
 * attestationObject and authenticator data 16 KiB, CBOR nesting 16 deep),
 * the CBOR must be well formed, definite-length and end exactly where its
 * container does.  Attestation: "none", and "packed" self-attestation
 * (signed by the credential's own key) are accepted; certificate chains are
 * not verified, so any attestation that carries one is refused.
 *
 * Every refusal is SCRVAULT_EDENIED with a message naming what failed; a
 * malformed expectation (the server's own input) is SCRVAULT_EUSAGE.
 */
#ifndef SV_WEBAUTHN_H
#define SV_WEBAUTHN_H

#include "base/common.h"

#define SV_WEBAUTHN_ES256  (-7)
#define SV_WEBAUTHN_EDDSA  (-8)
#define SV_WEBAUTHN_CRED_ID_MAX 1023

/* What the server expects of a ceremony. */
typedef struct {
	const char *rp_id;                 /* "localhost", "vault.lscb.example" */
	const char *origin;                /* "https://localhost:8443": exact match */
	const unsigned char *challenge;    /* the raw bytes the server issued (16..64) */
	size_t challenge_len;
	bool require_uv;                   /* user verification flag must be set */
} sv_webauthn_expect;

/* A verified registration: what to store for later assertions. */
typedef struct {
	unsigned char id[SV_WEBAUTHN_CRED_ID_MAX];
	size_t id_len;
	unsigned char *spki;               /* DER SubjectPublicKeyInfo, malloc'd */
	size_t spki_len;
	int alg;                           /* SV_WEBAUTHN_ES256 or SV_WEBAUTHN_EDDSA */
	uint32_t sign_count;
	bool uv, backup_eligible, backed_up;
	unsigned char aaguid[16];
} sv_webauthn_credential;

/*
 * Verify a registration (navigator.credentials.create): clientDataJSON's
 * type "webauthn.create", challenge (base64url of e->challenge), origin
 * (exact), crossOrigin not true; the attestationObject's authData: rpIdHash
 * = SHA-256(rp_id), UP set, UV set if required, AT set, BS only with BE,
 * extensions (ED) parsed and skipped, no trailing bytes; the COSE key
 * consistent (EC2 P-256 with -7, OKP Ed25519 with -8, a point on the
 * curve); attestation "none" (empty attStmt) or "packed" self-attestation
 * (no x5c, alg equal to the key's, signature over authData ||
 * SHA-256(clientDataJSON) by the credential's key).  Fills *out (free with
 * sv_webauthn_credential_clear); on failure *out holds nothing to free.
 * 0, SCRVAULT_EDENIED, SCRVAULT_EUSAGE (bad expectation) or SCRVAULT_ERROR.
 */
int sv_webauthn_register(sv_webauthn_credential *out, const sv_webauthn_expect *e,
			 const unsigned char *client_data_json, size_t cdj_len,
			 const unsigned char *attestation_object, size_t ao_len);

/*
 * Verify an assertion (navigator.credentials.get) against a registered
 * credential (`spki`, `alg` and `stored_count` as sv_webauthn_register
 * gave them): clientDataJSON type "webauthn.get", challenge, origin,
 * crossOrigin not true; authData rpIdHash, UP, UV if required, no AT, no
 * trailing bytes; the signature over authData || SHA-256(clientDataJSON)
 * with the stored key (ES256: DER ECDSA as WebAuthn sends it; Ed25519: the
 * raw 64 bytes); the signature counter: if either stored_count or the new
 * count is nonzero, the new one must be greater than stored_count.
 * *new_count gets the counter (on success only).  0, SCRVAULT_EDENIED,
 * SCRVAULT_EUSAGE (bad expectation or stored key) or SCRVAULT_ERROR.
 */
int sv_webauthn_assert(uint32_t *new_count, const sv_webauthn_expect *e,
		       const unsigned char *spki, size_t spki_len, int alg, uint32_t stored_count,
		       const unsigned char *client_data_json, size_t cdj_len,
		       const unsigned char *auth_data, size_t ad_len,
		       const unsigned char *sig, size_t sig_len);

/* Free c->spki and zero *c; NULL-safe. */
void sv_webauthn_credential_clear(sv_webauthn_credential *c);

#endif
