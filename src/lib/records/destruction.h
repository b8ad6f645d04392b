/*
 * destruction.h - destroying a version and the signed destruction note (destruction.c).
 */
#ifndef SV_RECORDS_DESTRUCTION_H
#define SV_RECORDS_DESTRUCTION_H

#include "vault/session.h"
#include "storage/store.h"
#include "base/common.h"

/* A destruction (retention.c): the version, what it was, and why it goes. */
typedef struct {
	const char *doc;
	unsigned version;
	const char *cls, *caseref;
	const char *rule, *trigger_on, *due_on;	/* trigger_on may be NULL */
	const char *authorised_by;
	int master;				/* 1, 0, or -1 unknown */
} sv_destruction;

/*
 * Inside a transaction: destroy a live version - its wrapped key deleted
 * (guarded by state = 'live'), a retention.destroy audit entry carrying the
 * record, and the destruction record (*record gets its id).
 */
int sv_version_destroy(scrvault *v, const sv_destruction *d, int64_t *record);

/* The store commit message of a destruction: `title`, then a record of each
 * removed version (document, version, blob) signed by the audit key, which a
 * restore from an older backup verifies before destroying again (services/restore.c). */
int sv_destruction_note(char **out, scrvault *v, const char *title, const char *base,
				    const sv_store_update *ups, size_t n);

/* "document D version N was destroyed on DATE under rule R" (ENOTFOUND). */
int sv_destroyed_message(scrvault *v, const char *doc, unsigned version);

/* The first line of each signed destruction record in a store commit message. */
#define SV_DESTRUCTION_RECORD_HEAD "scrvault destruction record v1\n"

#endif
