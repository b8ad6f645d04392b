/*
 * scrvault/mirror.h - mirrors of the store: any git remote that receives the
 * ciphertext, the opaque ids, policy versions and the signed audit
 * checkpoint (DESIGN §4).  A mirror reveals no plaintext.
 */
#ifndef SCRVAULT_MIRROR_H
#define SCRVAULT_MIRROR_H

#include "scrvault/vault.h"

/*
 * Register a mirror.  SCRVAULT_EUSAGE for a URL with a password in it
 * (user:password@), longer than 1000 bytes or with a control character.
 */
int scrvault_mirror_add(scrvault *v, const char *name, const char *url);
int scrvault_mirror_list(scrvault_json **out, scrvault *v);
/*
 * Push to one mirror, or to all (name NULL).  *out lists each with its
 * outcome.  SCRVAULT_ECONFLICT when every failed push was refused as not a
 * fast-forward (the mirror has commits the store lacks), SCRVAULT_ERROR for
 * any other failure.
 */
int scrvault_mirror_push(scrvault_json **out, scrvault *v, const char *name);

#endif
