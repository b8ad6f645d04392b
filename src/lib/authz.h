/*
 * authz.h - permission checks.
 */
#ifndef SV_AUTHZ_H
#define SV_AUTHZ_H

#include "vault_int.h"

/*
 * May this session's principal, in its role, do `action` on `objects`?
 * 0 if so (objects freed); otherwise a denial audit entry is written and
 * SCRVAULT_EDENIED returned with "role 'R' does not have permission 'A'".
 */
int sv_authorize(scrvault *v, const char *action, sv_json *objects);
bool sv_role_known(const char *role);

#endif
