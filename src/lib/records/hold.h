/*
 * hold.h - legal holds inside the library (hold.c).
 */
#ifndef SV_RECORDS_HOLD_H
#define SV_RECORDS_HOLD_H

#include "vault/session.h"
#include "base/common.h"

/* criminal-proceedings, coroner, inquiry, foi-appeal, other */
bool sv_hold_kind_valid(const char *kind);

/*
 * Whether an active hold of kind criminal-proceedings or coroner covers
 * case `case_id` (on the case, one of its documents, or board-wide): `why`
 * gets "hold N (KIND)", else "".  0 or a database error.
 */
int sv_hold_stops_publication(char *why, size_t len, scrvault *v, int64_t case_id);

#endif
