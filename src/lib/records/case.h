/*
 * case.h - cases inside the library (case.c).
 */
#ifndef SV_RECORDS_CASE_H
#define SV_RECORDS_CASE_H

#include "vault/session.h"
#include "base/common.h"

/*
 * Inside a transaction: record that case `ref`'s executive summary was
 * published `on`, with the custodian's `override_reason` (kept in the
 * database) when `gates` (fixed words, in the entry) stood in its way, and
 * the case.publish entry (`dual`: SV_DUAL_DETAIL or NULL).  Run directly,
 * or by op.c when a second custodian approves a case.publish-override.
 */
int sv_case_publish_txn(scrvault *v, const char *ref, const char *on, const char *override_reason,
			const char *gates, const char *dual);

#endif
