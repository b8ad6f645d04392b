/*
 * txn.c - the one transaction of every state change (ARCHITECTURE.md, "One
 * operation, one transaction"), and refusals recorded in their own.
 *
 * sv_vault_begin starts it; sv_vault_commit signs the audit checkpoint of
 * what it appended, commits, then moves the store ref and publishes the
 * checkpoint; sv_vault_abort rolls everything back.  The store ref never
 * runs ahead of the database.
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
#include "vault/txn.h"
#include "vault/log.h"
#include "vault/meta.h"
#include "vault/session.h"
#include "storage/db.h"
#include "storage/store.h"
#include "base/common.h"
#include "base/json.h"

/*
 * The published ref must be the database's store head or an ancestor of it
 * (a command that died after its database commit and before publishing its
 * checkpoint leaves the ref behind: publish it now).  A ref that is not an
 * ancestor means the store holds history the database does not know: the
 * database was rolled back (restored from an older backup) or the store was
 * altered.  State changes are then refused until that is resolved.
 */
int sv_vault_check_head(scrvault *v)
{
	char dbhead[SV_OID_HEXLEN + 1], ref[SV_OID_HEXLEN + 1];
	int error, rc;

	if ((error = sv_vault_store_head(dbhead, v)) < 0)
		return error;
	error = sv_store_head(ref, v->store);
	if (error == SCRVAULT_ENOTFOUND)
		return dbhead[0] && !sv_db_readonly(v->db) ? sv_store_set_head(v->store, dbhead) : 0;
	if (error < 0)
		return error;
	if (strcmp(ref, dbhead) == 0)
		return 0;
	rc = dbhead[0] ? sv_store_descends(v->store, dbhead, ref) : 0;
	if (rc == 1)	/* (a read-only vault is read as the database says) */
		return sv_db_readonly(v->db) ? 0 : sv_store_set_head(v->store, dbhead);
	v->rolled_back = true;
	snprintf(v->rollback_msg, sizeof(v->rollback_msg),
		 "the store holds audit history newer than the database (store %.12s, database %.12s): "
		 "the database was rolled back or the store altered; run 'scrvault audit verify'",
		 ref, dbhead[0] ? dbhead : "none");
	return 0;
}

int sv_vault_begin(scrvault *v)
{
	if (v->rolled_back)
		return sv_error(SCRVAULT_EINTEGRITY, "refusing to change the vault: %s", v->rollback_msg);
	v->dirty_before = v->audit_dirty;
	v->txn_nnamed = v->txn_entries = 0;
	return sv_db_begin(v->db);
}

int sv_vault_commit(scrvault *v)
{
	int error;

	/* The entries and their signed checkpoint commit together. */
	if ((v->audit_dirty && (error = sv_audit_sign(v)) < 0) ||
	    (error = sv_db_commit(v->db)) < 0) {
		sv_vault_abort(v);
		return error;
	}
	v->txn_nnamed = v->txn_entries = 0;
	/* The ref follows the database, never leads it. */
	if (v->pending_head[0]) {
		error = sv_store_set_head(v->store, v->pending_head);
		v->pending_head[0] = '\0';
		if (error < 0)
			return sv_error_wrap(error, "the change was saved, but the store's ref could not be moved "
					     "(the next command moves it)");
	}
	if ((error = sv_audit_publish(v, false)) < 0)
		return sv_error_wrap(error, "the change was saved and its audit checkpoint signed, but the "
				     "checkpoint could not be copied to the store (the next command does it, "
				     "or run 'scrvault audit checkpoint')");
	return 0;
}

void sv_vault_abort(scrvault *v)
{
	sv_db_rollback(v->db);
	v->audit_dirty = v->dirty_before;
	v->pending_head[0] = '\0';
	v->txn_nnamed = v->txn_entries = 0;
}

int sv_vault_fail(scrvault *v, int error)
{
	sv_vault_abort(v);
	return error;
}

int sv_vault_finish(scrvault *v, const char *action, const sv_about *about, const sv_field *details)
{
	int error;

	if ((error = sv_audit_append(v, action, "ok", about, details)) < 0 ||
	    (error = sv_vault_commit(v)) < 0)
		return sv_vault_fail(v, error);
	return 0;
}

int sv_audit_denied(scrvault *v, const char *action, const sv_about *about,
		    const sv_field *details, int code)
{
	char saved[1024], field[64];
	const char *f = scrvault_error_field();
	int error;

	/* Keep the caller's message: it is what the user needs to read. */
	snprintf(saved, sizeof(saved), "%s", scrvault_error_message());
	snprintf(field, sizeof(field), "%s", f ? f : "");
	if (sv_db_in_txn(v->db))
		sv_vault_abort(v);
	/* The message is not copied into the entry: it may quote a file name
	 * or other free text.  Callers put structured reasons in `details`. */
	if ((error = sv_vault_begin(v)) < 0 ||
	    (error = sv_audit_append(v, action, sv_audit_outcome(code), about, details)) < 0 ||
	    (error = sv_vault_commit(v)) < 0) {
		if (sv_db_in_txn(v->db))
			sv_vault_abort(v);
		return sv_error_field(code, field, "%s (and the audit entry of this failure could not be written: %s)",
				      saved, scrvault_error_message());
	}
	sv_error_field(code, field, "%s", saved);
	return code;
}

int sv_audit_checkpoint(scrvault *v)
{
	int error;

	/* A read-only vault is read with the checkpoints it has. */
	if (v->rolled_back || sv_db_readonly(v->db))
		return 0;
	if ((error = sv_db_begin(v->db)) < 0)
		return error;
	v->audit_dirty = true;
	if ((error = sv_audit_sign(v)) < 0 || (error = sv_db_commit(v->db)) < 0) {
		sv_db_rollback(v->db);
		return error;
	}
	return sv_audit_publish(v, true);
}
