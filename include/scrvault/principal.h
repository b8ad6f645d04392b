/*
 * scrvault/principal.h - principals: people, agencies and scheduled jobs,
 * their roles, revocation, new keys, and what was ever released to them.
 */
#ifndef SCRVAULT_PRINCIPAL_H
#define SCRVAULT_PRINCIPAL_H

#include "scrvault/vault.h"

/*
 * Register a service principal (kind "service": the scheduled jobs) and
 * write its key file (0600, never overwritten) under `passphrase` (NULL:
 * none), naming this vault and its verifier key; a custodian also gets a
 * wrap of the vault master key.  A person or an agency makes their own key
 * (scrvault_keygen) and is registered from their request
 * (scrvault_principal_enrol): for them this is SCRVAULT_EUSAGE, with the fix.
 * Under dual control (a service principal, by default) the key file is
 * written and *out gets {"pending":ID,...}: the principal exists only once a
 * second custodian approves.  Otherwise *out is NULL.
 */
int scrvault_principal_add(scrvault_json **out, scrvault *v, const scrvault_principal_spec *spec,
			   const char *keyfile, const scrvault_secret *passphrase);

/* Registering a holder's own key from their enrolment request. */
typedef struct {
	unsigned int version;
	const char *enrolment;		/* the request file (scrvault_keygen) */
	const char *fingerprint;	/* the six words the holder read out; must be the request's */
	const char *display_name;	/* a person's or agency's name (NULL: the name) */
	const char *contact;		/* phone / e-mail for recall */
	bool custodian;			/* may unlock the vault (add only) */
	const char *acceptance_out;	/* the acceptance to write (O_EXCL); NULL: "<name>.accept" */
} scrvault_enrol_spec;
#define SCRVAULT_ENROL_SPEC_VERSION 1
#define SCRVAULT_ENROL_SPEC_INIT { SCRVAULT_ENROL_SPEC_VERSION }

/*
 * Register the principal of an enrolment request: its self-signature must
 * verify, its name be new, neither key be any principal's (current or
 * retired), and `fingerprint` be the request's words (the coordinator's
 * confirmation of what the holder read out).  Writes the vault's
 * acceptance, signed with the audit key, for the holder to import
 * (scrvault_keyfile_accept).  *out: {"acceptance","custodian","fingerprint",
 * "kind","name","vault","vault_key"}, and "pending" and "expires_at" when
 * dual control holds the registration (a custodian, by default) for a
 * second custodian: the acceptance is written (it pins this vault and
 * nothing more) and the principal exists only once approved.  Errors: SCRVAULT_EINTEGRITY for an
 * altered request or other words, SCRVAULT_ECONFLICT for a taken name or
 * key or an existing acceptance file.
 */
int scrvault_principal_enrol(scrvault_json **out, scrvault *v, const scrvault_enrol_spec *s);
/*
 * The holder's rotation: a request made with scrvault_keygen's
 * rotate_keyfile, signed by the new key and by `name`'s registered one,
 * replaces their keys (the old ones are kept as retired; a custodian's wrap
 * is re-made for the new key) and writes an acceptance as enrol does;
 * a custodian's rotation waits for a second custodian the same way.
 */
int scrvault_principal_rotate_enrol(scrvault_json **out, scrvault *v, const char *name,
				    const scrvault_enrol_spec *s);
/* [{"name","display_name","kind","agency","contact","custodian","status","created_at"}] */
int scrvault_principal_list(scrvault_json **out, scrvault *v);
/* One principal, with "roles": [{"role","case","agency","granted_at"}]. */
int scrvault_principal_show(scrvault_json **out, scrvault *v, const char *name);
/*
 * The agency of this session's principal, from its record (caller frees):
 * *agency NULL when it names none (or the session acts for no one).  It
 * needs no permission: it is the principal's own.
 */
int scrvault_principal_agency(char **agency, scrvault *v);

/*
 * Give `name` the policy role `role`: board-wide roles take no case or
 * agency; case roles a case; case-and-agency roles both.  Audited.  A role
 * the policy's [separation] keeps apart from one `name` holds on that case
 * is refused (SCRVAULT_ECONFLICT, audited).  Under dual control (a role
 * that can approve or decide, by default) *out gets {"pending":ID,...};
 * otherwise *out is NULL.
 */
int scrvault_principal_grant(scrvault_json **out, scrvault *v, const char *name, const char *role,
			     const char *case_ref, const char *agency);
int scrvault_principal_ungrant(scrvault *v, const char *name, const char *role,
			       const char *case_ref, const char *agency);
/*
 * Revoke a principal: they can do nothing from then on; a custodian's wrap
 * of the master key is removed and the others' are rewritten.  Under dual
 * control *out gets {"pending":ID,...} and nothing changes until approved.
 */
int scrvault_principal_revoke(scrvault_json **out, scrvault *v, const char *name,
			      const char *reason);
/*
 * New keys for a service principal, written to a new key file; the old one
 * stops working.  People rotate their own keys
 * (scrvault_principal_rotate_enrol).  Under dual control (a custodian, by
 * default) the new file is written, *out gets {"pending":ID,...} and the
 * keys change only when a second custodian approves; otherwise *out is NULL.
 */
int scrvault_principal_rotate(scrvault_json **out, scrvault *v, const char *name, const char *keyfile,
			      const scrvault_secret *passphrase, unsigned kdf_mib);
/* Every document version ever released to `name` (the release ledger). */
int scrvault_principal_impact(scrvault_json **out, scrvault *v, const char *name);

#endif
