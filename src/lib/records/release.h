/*
 * release.h - a version released to a reader as a bundle (release.c).
 */
#ifndef SV_RECORDS_RELEASE_H
#define SV_RECORDS_RELEASE_H

#include "vault/session.h"
#include "base/json.h"
#include "base/common.h"

/* scrvault_doc_release once its options struct is checked. */
int sv_release_bundle(sv_json **out, scrvault *v, const scrvault_release_spec *s);

#endif
