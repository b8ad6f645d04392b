/*
 * freeze.h - a concluded case is frozen (freeze.c).
 */
#ifndef SV_RECORDS_FREEZE_H
#define SV_RECORDS_FREEZE_H

#include "vault/session.h"
#include "vault/log.h"

/*
 * Refuse `action` on a concluded case (`about->caseref`): exit 6 with the
 * way out (a custodian reopens it), audited as denied.  0 while it is open
 * (or `about` names no case).
 */
int sv_case_frozen(scrvault *v, const char *action, const sv_about *about);

#endif
