/*
 * copy.h - the copy register inside the library (copy.c).
 */
#ifndef SV_RECORDS_COPY_H
#define SV_RECORDS_COPY_H

#include "vault/session.h"
#include "base/common.h"

/*
 * Paper copies are made and issued only while `caseref` is open; a release
 * (`release`) of a concluded case's document needs an access request.  0 if
 * open; 1 if concluded, `release`, and the session names a request, which the
 * caller must then hold the release to (sv_request_require); else an audited
 * SCRVAULT_ECONFLICT for `action` (copy.c).
 */
int sv_copy_case_open(scrvault *v, const char *action, const char *caseref, const char *doc, bool release);

/*
 * Inside a transaction: an electronic copy of DOC@VERSION in the register,
 * issued by a release (copy.c).  *number gets its number, *id its
 * register number.
 */
int sv_copy_electronic(scrvault *v, const char *doc, unsigned version, int64_t release_id,
		       int64_t holder_id, const char *outside, int64_t *number, int64_t *id);

/*
 * fsck: every destruction's witness signature checked again: *bad counts
 * those that do not verify for their copy (altered, replayed from another
 * copy, a key the witness never held), *unverified those with a name only.
 */
int sv_copy_witness_check(int64_t *bad, int64_t *unverified, scrvault *v);

#endif
