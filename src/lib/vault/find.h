/*
 * find.h - finding what a user names: a principal, a document, a version (find.c).
 */
#ifndef SV_VAULT_FIND_H
#define SV_VAULT_FIND_H

#include "vault/keyrelease.h"
#include "vault/session.h"
#include "crypto/crypto.h"
#include "base/common.h"

/* Load a version's record (*version 0: the latest, set on return). */
int sv_version_load(sv_version_row *r, scrvault *v, const char *doc, unsigned *version);

/*
 * A document id or unique prefix (at least 6 hex characters) to the full id
 * and its case reference.  `action` (what the caller will do with it): a
 * document the session's role does not reach is not found, as one that
 * does not exist, and the refusal of `action` is audited (sv_authz_conceal);
 * NULL only where no user names the document.
 */
int sv_doc_resolve(char out[SV_DOC_ID_LEN + 1], char caseref[40], scrvault *v, const char *action,
		   const char *doc);

/* A registered principal, as the checks need it. */
typedef struct {
	int64_t id;
	char name[65];
	char kind[16];			/* person, agency, service */
	char status[16];		/* active, revoked */
	bool active;
	bool custodian;
	char contact[512];		/* "" if none recorded */
	unsigned char ed_pub[SV_KEY_LEN];
	unsigned char x_pub[SV_KEY_LEN];
	bool keys_ok;			/* both public keys are whole */
} sv_principal;

/*
 * The one lookup of a principal by name: 1 with *p filled, 0 with *p zeroed
 * when nobody of that name is registered (the caller says what that means
 * where it is), or a negative code.
 */
int sv_find_principal(sv_principal *p, scrvault *v, const char *name);

#endif
