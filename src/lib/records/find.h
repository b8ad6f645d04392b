/*
 * find.h - resolving documents and versions (find.c).
 */
#ifndef SV_RECORDS_FIND_H
#define SV_RECORDS_FIND_H

#include "vault/keyrelease.h"
#include "vault/session.h"
#include "base/common.h"

/* Load a version's record (*version 0: the latest, set on return). */
int sv_version_load(sv_version_row *r, scrvault *v, const char *doc, unsigned *version);

/*
 * A document id or unique prefix (at least 6 hex characters) to the full id
 * and its case reference (doc.c).
 */
int sv_doc_resolve(char out[SV_DOC_ID_LEN + 1], char caseref[40], scrvault *v, const char *doc);

#endif
