/*
 * meta.c - the vault's settings and store head in the database's meta table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include "vault/meta.h"
#include "vault/session.h"
#include "storage/db.h"
#include "storage/store.h"

int64_t sv_meta_int(scrvault *v, const char *key, int64_t dflt)
{
	int64_t n = 0;

	if (sv_db_int(&n, v->db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?", "t", key) != 1 || n <= 0)
		return dflt;
	return n;
}

int sv_vault_store_head(char out[SV_OID_HEXLEN + 1], scrvault *v)
{
	int error;

	out[0] = '\0';
	error = sv_db_text_int(out, SV_OID_HEXLEN + 1, NULL, v->db, "SELECT value FROM meta WHERE key = 'store_head'", "");
	return error < 0 ? error : 0;
}

int sv_vault_record_commit(scrvault *v, const char *commit)
{
	int error;

	if ((error = sv_store_sync(v->store)) < 0 ||
	    (error = sv_db_run(v->db, "INSERT OR REPLACE INTO meta(key, value) VALUES ('store_head', ?)",
			       "t", commit)) < 0)
		return error;
	snprintf(v->pending_head, sizeof(v->pending_head), "%s", commit);
	return 0;
}
