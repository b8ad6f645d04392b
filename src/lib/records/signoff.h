/*
 * signoff.h - sign-offs verified (signoff.c).
 */
#ifndef SV_RECORDS_SIGNOFF_H
#define SV_RECORDS_SIGNOFF_H

#include "vault/session.h"
#include "base/json.h"
#include "base/common.h"

/* Every sign-off of a document, each verified again (signoff.c). */
int sv_signoffs(sv_json **out, scrvault *v, const char *doc);

/*
 * Sign off `version` of an IMR as the session's principal, with their own
 * key (scrvault_doc_signoff).
 */
int sv_signoff_make(sv_json **out, scrvault *v, const char *doc, unsigned version);

#endif
