/*
 * master.h - a document's master version; fixing masters at conclusion and
 * releasing them at reopening (master.c).  The freeze itself: freeze.h.
 */
#ifndef SV_RECORDS_MASTER_H
#define SV_RECORDS_MASTER_H

#include "vault/session.h"
#include "vault/log.h"
#include "base/json.h"
#include "base/common.h"

/* Why a version is its document's master. */
#define SV_MASTER_DECLARED	"declared"	/* scrvault_doc_declare */
#define SV_MASTER_CONCLUDED	"concluded"	/* fixed when its case concluded */
#define SV_MASTER_SIGNED_OFF	"signed-off"	/* an IMR's newest validly signed-off version */
#define SV_MASTER_LATEST	"latest"	/* nothing declared or signed: the latest version */

typedef struct {
	unsigned version;	/* 0: the document has no version */
	const char *basis;	/* one of the SV_MASTER_* words (static) */
} sv_master;

/*
 * The one rule for a document's master version, which retention (plan,
 * propose, purge), doc show/list/log and the copy register all follow: the
 * version a coordinator declared or its case's conclusion fixed; else the
 * newest version with a valid sign-off (each signature verified again);
 * else the latest version.  Every other version is a draft.  The declared
 * version stays the master even once destroyed (through its own rule and
 * the disposal batch): no draft ever takes its place by default.
 */
int sv_doc_master(sv_master *out, scrvault *v, const char *doc);
/*
 * The same rule from the document's facts read by the caller (one query for
 * many documents: the retention plan): its master_basis ("" or NULL: none)
 * and master_version columns, its number of sign-offs and its latest
 * version (0: none).  Sign-offs are still verified one by one (sv_signoffs).
 */
int sv_doc_master_from(sv_master *out, scrvault *v, const char *doc, const char *basis, int64_t master_version,
		       int64_t signoffs, int64_t latest);

/*
 * Inside the conclusion's transaction: fix every document's master of
 * case `case_id` as it is now (basis "concluded" unless declared); *out
 * gets [{"doc","version","basis"}...].
 */
int sv_case_fix_masters(sv_json **out, scrvault *v, int64_t case_id);

/*
 * Inside a transaction: reopen concluded case `ref` (checked again), with
 * its "case.reopen" entry (reason; `dual` the SV_DUAL_DETAIL note or NULL).
 * The masters its conclusion fixed are released (declared ones stay).
 */
int sv_case_reopen_txn(scrvault *v, const char *ref, const char *reason, const char *dual);

#endif
