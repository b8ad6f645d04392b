/*
 * signoff.h - sign-offs verified (signoff.c).
 */
#ifndef SV_RECORDS_SIGNOFF_H
#define SV_RECORDS_SIGNOFF_H

#include "vault/session.h"
#include "crypto/crypto.h"
#include "crypto/identity.h"
#include "base/json.h"
#include "base/common.h"

/*
 * A statement signed with the session principal's own key (a sign-off, a
 * holder's receipt for a copy): `fields`, with `key_field` the base64 of
 * their Ed25519 public key, "statement", "time" and "vault", as canonical
 * JSON into *text (the caller frees it) and its signature into sig.
 */
int sv_sign_statement(char **text, unsigned char sig[SV_SIG_LEN], scrvault *v, const char *key_field,
		      const char *statement, const char *when, const sv_field *fields);

/* The statement alone, naming the Ed25519 key `pub` (a statement signed elsewhere). */
int sv_statement_text(char **text, scrvault *v, const unsigned char pub[SV_KEY_LEN], const char *key_field,
		      const char *statement, const char *when, const sv_field *fields);

/*
 * A statement signed elsewhere (a sign-off, a copy's receipt), checked:
 * `text` is byte for byte what `derive` makes for the time it names (copied
 * into `when`), that time within SV_SIGNED_SKEW seconds of now, and `sig64`
 * an Ed25519 signature of it by `pub` (the signer's registered key), then
 * decoded into sig.  0, or SCRVAULT_EDENIED with the message (field
 * "statement" or "signature") and *why the audit reason, for the caller to
 * audit (sv_audit_denied); another code (out of memory) with *why NULL.
 * `what` names the act in messages ("the sign-off of ...").
 */
#define SV_SIGNED_SKEW	(5 * 60)
typedef int (*sv_statement_fn)(char **text, scrvault *v, const void *ctx, const char *when);
/*
 * Signed with a passkey instead (pk not NULL, pk->a set): the assertion is
 * checked by sv_passkey_sign_check for the session principal, and its
 * record left in pk->proof (the caller keeps and frees it); sig untouched.
 */
typedef struct {
	const char *origin;
	const scrvault_passkey_assertion *a;
	sv_json *proof;
} sv_passkey_sig;
int sv_signed_check(const char **why, char when[21], unsigned char sig[SV_SIG_LEN], scrvault *v,
		    const unsigned char pub[SV_KEY_LEN], const char *text, const char *sig64, sv_passkey_sig *pk,
		    sv_statement_fn derive, const void *ctx, const char *what);

/* The statement `derive` makes of `ctx` for signing now, into *statement (the caller frees it). */
int sv_statement_now(char **statement, scrvault *v, sv_statement_fn derive, const void *ctx);

/* The same with another principal's keys (a copy destruction's witness, in the session). */
int sv_sign_statement_as(char **text, unsigned char sig[SV_SIG_LEN], scrvault *v, const sv_identity *who,
			 const char *key_field, const char *statement, const char *when, const sv_field *fields);

/* Every sign-off of a document, each verified again (signoff.c). */
int sv_signoffs(sv_json **out, scrvault *v, const char *doc);

/*
 * Sign off `version` of an IMR as the session's principal, with their own
 * key (scrvault_doc_signoff).
 */
int sv_signoff_make(sv_json **out, scrvault *v, const char *doc, unsigned version);
/* The statement for that sign-off, to be signed elsewhere (scrvault_doc_signoff_statement). */
int sv_signoff_statement(char **statement, scrvault *v, const char *doc, unsigned version);
/* Record a sign-off signed elsewhere (scrvault_doc_signoff_signed). */
int sv_signoff_signed(sv_json **out, scrvault *v, const char *doc, unsigned version,
		      const char *statement, const char *sig, sv_passkey_sig *pk);

#endif
