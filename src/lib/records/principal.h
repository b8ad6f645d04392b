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
 * Inside a transaction: make (ed_pub, x_pub) the keys of principal `name`
 * (row `pid`; for a new principal, `fresh`, the row just inserted with
 * them).  Refused (SCRVAULT_ECONFLICT) if either key is any other
 * principal's, or any principal's before a rotation; the keys replaced are
 * kept as retired (principal_old_keys); a custodian's wrap of the master key
 * is added (fresh) or re-made for the new X25519 key.  The one place keys
 * are registered: principal add, enrol and rotate, and dual control's
 * pending operations (op.c) when they carry out such a change.
 */
int sv_principal_keys_set(scrvault *v, int64_t pid, const char *name, const unsigned char ed_pub[SV_KEY_LEN],
			  const unsigned char x_pub[SV_KEY_LEN], bool custodian, bool fresh);

/* Inside a transaction: revoke a principal (principal.c). */
int sv_principal_revoke_txn(scrvault *v, const char *name, const char *reason);


#endif
