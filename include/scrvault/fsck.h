/*
 * scrvault/fsck.h - checking a vault: database, store and audit log agree,
 * and every live version decrypts to what was checked in.
 */
#ifndef SCRVAULT_FSCK_H
#define SCRVAULT_FSCK_H

#include "scrvault/vault.h"

/*
 * Check database <-> git <-> audit consistency and decrypt every live
 * version (the check is on record first).  *report gets
 * {"problems":[...],"warnings":[...],"checked":{...}}.  Returns 0 when there
 * are no problems, SCRVAULT_EINTEGRITY otherwise.
 */
int scrvault_fsck(scrvault_json **report, scrvault *v);

#endif
