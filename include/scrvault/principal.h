/*
 * scrvault/principal.h - principals: people, agencies and scheduled jobs,
 * their roles, revocation, new keys, and what was ever released to them.
 */
#ifndef SCRVAULT_PRINCIPAL_H
#define SCRVAULT_PRINCIPAL_H

#include "scrvault/vault.h"

/*
 * Register a principal and write their key file (0600, never overwritten)
 * under `passphrase`; a custodian also gets a wrap of the vault master key.
 * Under dual control (a custodian or a service principal, by default) the
 * key file is written and *out gets {"pending":ID,...}: the principal
 * exists only once a second custodian approves.  Otherwise *out is NULL.
 */
int scrvault_principal_add(scrvault_json **out, scrvault *v, const scrvault_principal_spec *spec,
			   const char *keyfile, const scrvault_secret *passphrase);
/* [{"name","display_name","kind","agency","contact","custodian","status","created_at"}] */
int scrvault_principal_list(scrvault_json **out, scrvault *v);
/* One principal, with "roles": [{"role","case","agency","granted_at"}]. */
int scrvault_principal_show(scrvault_json **out, scrvault *v, const char *name);

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
 * New keys for a principal, written to a new key file; the old one stops
 * working.  Under dual control (a custodian, by default) the new file is
 * written, *out gets {"pending":ID,...} and the keys change only when a
 * second custodian approves; otherwise *out is NULL.
 */
int scrvault_principal_rotate(scrvault_json **out, scrvault *v, const char *name, const char *keyfile,
			      const scrvault_secret *passphrase, unsigned kdf_mib);
/* Every document version ever released to `name` (the release ledger). */
int scrvault_principal_impact(scrvault_json **out, scrvault *v, const char *name);

#endif
