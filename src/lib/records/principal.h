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

/* Inside a transaction: revoke a principal (principal.c). */
int sv_principal_revoke_txn(scrvault *v, const char *name, const char *reason);


#endif
