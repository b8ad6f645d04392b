/*
 * meta.h - settings and the store head kept in the meta table (meta.c).
 */
#ifndef SV_VAULT_META_H
#define SV_VAULT_META_H

#include "vault/session.h"
#include "storage/store.h"
#include "base/common.h"

/* An integer setting in meta (the policy's, mostly); `dflt` when absent or not positive. */
int64_t sv_meta_int(scrvault *v, const char *key, int64_t dflt);

/* The store commit the database knows as current ("" when none). */
int sv_vault_store_head(char out[SV_OID_HEXLEN + 1], scrvault *v);

/*
 * Inside the transaction: flush the store's new objects to disk and record
 * `commit` as the database's store head.  sv_vault_commit moves the ref
 * after the database commit, so the ref never runs ahead of the database.
 */
int sv_vault_record_commit(scrvault *v, const char *commit);

#endif
