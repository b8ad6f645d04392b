/*
 * principal.h - principals inside the library (principal.c).
 */
#ifndef SV_RECORDS_PRINCIPAL_H
#define SV_RECORDS_PRINCIPAL_H

#include "vault/session.h"
#include "crypto/identity.h"
#include "base/common.h"

/* Check a principal spec; 0 or SCRVAULT_EUSAGE with the reason. */
int sv_principal_spec_check(const scrvault_principal_spec *s);

/* Insert a principal row (inside a transaction). */
int sv_principal_insert(scrvault *v, const scrvault_principal_spec *s,
			const sv_identity *id, int64_t *rowid);

/*
 * Inside a transaction, each with its audit entry (`dual`: the entry's
 * "dual_control" detail, or NULL), the principal changes that dual control
 * may hold: op.c's run_op carries them out when approved.  Keys are
 * registered only here (register, rekey): refused (SCRVAULT_ECONFLICT) if
 * either key is, or ever was, another principal's or was rotated away;
 * `fingerprint` (NULL: keys made by the vault) is the holder's enrolment's.
 */
/* Revoke a principal (checked again: active, not the last custodian). */
int sv_principal_revoke_txn(scrvault *v, const char *name, const char *reason, const char *dual);
/* Register a principal with these public keys; a custodian gets a wrap of
 * the master key.  Whoever made the keys holds the key file. */
int sv_principal_register_txn(scrvault *v, const scrvault_principal_spec *spec,
			      const unsigned char ed_pub[SV_KEY_LEN], const unsigned char x_pub[SV_KEY_LEN],
			      const char *fingerprint, const char *dual);
/* Grant a role (checked again: scope, active, separation of duties). */
int sv_principal_grant_txn(scrvault *v, const char *name, const char *role, const char *case_ref,
			   const char *agency, const char *dual);
/* New public keys for a principal; a custodian's wrap is rewritten to them. */
int sv_principal_rekey_txn(scrvault *v, const char *name, const unsigned char ed_pub[SV_KEY_LEN],
			   const unsigned char x_pub[SV_KEY_LEN], const char *fingerprint, const char *dual);


#endif
