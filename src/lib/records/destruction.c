/*
 * destruction.c - destroying a version (its wrapped key deleted, a
 * destruction record and its audit entry written) and the signed record of
 * destructions that the store carries for a restore to apply again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "records/destruction.h"
#include "vault/find.h"
#include "vault/keyrelease.h"
#include "vault/log.h"
#include "vault/session.h"
#include "storage/db.h"
#include "storage/store.h"
#include "crypto/crypto.h"
#include "base/common.h"
#include "base/date.h"
#include "base/json.h"

/* ---- purge -------------------------------------------------------------------------------------- */

int sv_version_destroy(scrvault *v, const sv_destruction *d, int64_t *record)
{
	char when[21], sha[2 * SV_SHA256_LEN + 1], ctsha[2 * SV_SHA256_LEN + 1];
	unsigned version = d->version;
	int64_t changed = 0;
	uint64_t seq = 0;
	sv_version_row r;
	int error;

	if ((error = sv_version_load(&r, v, d->doc, &version)) < 0)
		return error;
	/* Crypto-shredding: the only copy of the wrapped key goes (secure_delete). */
	if ((error = sv_db_run(v->db, "UPDATE versions SET wrapped_dek = NULL, state = 'destroyed'"
			       " WHERE doc_id = ? AND version = ? AND state = 'live'", "ti", d->doc,
			       (int64_t)d->version)) < 0 ||
	    (error = sv_db_int(&changed, v->db, "SELECT changes()", "")) < 0)
		return error;
	if (changed != 1)
		return sv_error(SCRVAULT_ECONFLICT, "document %s version %u changed while it was being destroyed",
				d->doc, d->version);
	sv_time_iso(when, sv_now());
	sv_hex(sha, r.sha, SV_SHA256_LEN);
	sv_hex(ctsha, r.ct_sha, SV_SHA256_LEN);
	/* The audit entry carries the whole record: its proof is the certificate. */
	if ((error = sv_audit_append(v, "retention.destroy", "ok",
				     SV_ABOUT(.doc = d->doc, .version = d->version, .caseref = d->caseref),
				     SV_FIELDS(SV_STR("class", d->cls), SV_STR("rule", d->rule),
					       SV_STR("trigger_on", d->trigger_on), SV_STR("due_on", d->due_on),
					       SV_STR("sha256", sha), SV_STR("ct_sha256", ctsha),
					       SV_STR("authorised_by", d->authorised_by),
					       SV_IF(d->master >= 0, SV_BOOL("master", d->master > 0))))) < 0 ||
	    (error = sv_audit_size(&seq, v)) < 0 ||
	    (error = sv_db_run(v->db, "INSERT INTO destructions(doc_id, version, class, case_ref, rule, trigger_on,"
			       " due_on, destroyed_at, sha256, ct_sha256, authorised_by, job_principal, audit_seq)"
			       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "tittttttbbtii",
			       d->doc, (int64_t)d->version, d->cls, d->caseref, d->rule, d->trigger_on, d->due_on, when,
			       r.sha, (size_t)SV_SHA256_LEN, r.ct_sha, (size_t)SV_SHA256_LEN, d->authorised_by,
			       v->principal_id, (int64_t)seq)) < 0)
		return error;
	return sv_db_int(record, v->db, "SELECT last_insert_rowid()", "") < 0 ? SCRVAULT_ERROR : 0;
}

int sv_destroyed_message(scrvault *v, const char *doc, unsigned version)
{
	char at[32] = "", rule[128] = "";
	sv_stmt *st = NULL;

	if (sv_db_query(&st, v->db, "SELECT destroyed_at, rule FROM destructions WHERE doc_id = ? AND version = ?",
			"ti", doc, (int64_t)version) >= 0 && sv_stmt_step(st) == 1) {
		snprintf(at, sizeof(at), "%.10s", sv_stmt_text(st, 0));
		snprintf(rule, sizeof(rule), "%s", sv_stmt_text(st, 1));
	}
	sv_stmt_free(st);
	if (!at[0])
		return sv_error(SCRVAULT_ENOTFOUND, "document '%s' version %u is destroyed", doc, version);
	return sv_error(SCRVAULT_ENOTFOUND, "document '%s' version %u was destroyed on %s under rule '%s' "
			"(see 'scrvault retention certificate')", doc, version, at, rule);
}

/* ---- destruction records ------------------------------------------------------------------- */

/*
 * A store commit that removes destroyed versions' blobs (the purge's, a
 * restore's) carries a destruction record signed by the audit key, so that a
 * restore re-applies a destruction only on the vault's word, never on a
 * mirror's history alone (anyone who can push to a mirror can write a commit
 * without a blob):
 *
 *   <title>\n
 *   \n
 *   scrvault destruction record v1\n
 *   vault <vault id>\n
 *   at <UTC time>\n
 *   destroy <doc> <version> <blob id>\n	(one per removed blob)
 *   signature <base64 Ed25519 by the audit key over the lines from the first>\n
 *
 * Ids and hashes only, like every commit message.  The first line keeps the
 * record apart from the audit key's other signed texts (checkpoints begin
 * with the log's origin, backup manifests with '{').
 */

/* The document and version of a blob path ("d/ab/cd/<doc>.<version>"). */
static int path_version(char doc[SV_DOC_ID_LEN + 1], unsigned *version, const char *path)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
	char check[96], *e = NULL;
	unsigned long n;

	if (!slash || !dot || dot < slash || (size_t)(dot - slash - 1) != SV_DOC_ID_LEN)
		return sv_error(SCRVAULT_ERROR, "'%s' is not a document version's path", path);
	memcpy(doc, slash + 1, SV_DOC_ID_LEN);
	doc[SV_DOC_ID_LEN] = '\0';
	errno = 0;
	n = strtoul(dot + 1, &e, 10);
	if (errno || *e || n == 0 || n > 0xffffffffUL)
		return sv_error(SCRVAULT_ERROR, "'%s' is not a document version's path", path);
	*version = (unsigned)n;
	sv_blob_path(check, sizeof(check), doc, *version);
	return strcmp(check, path) == 0 ? 0 : sv_error(SCRVAULT_ERROR, "'%s' is not a document version's path", path);
}

int sv_destruction_note(char **out, scrvault *v, const char *title, const char *base,
				    const sv_store_update *ups, size_t n)
{
	char when[21], *body = NULL, *sig64 = NULL;
	unsigned char sig[SV_SIG_LEN];
	int error = 0;

	*out = NULL;
	if (n == 0)
		return (*out = sv_printf("%s\n", title)) ? 0 : SCRVAULT_ERROR;
	sv_time_iso(when, sv_now());
	if (!(body = sv_printf(SV_DESTRUCTION_RECORD_HEAD "vault %s\nat %s\n", v->id, when)))
		return SCRVAULT_ERROR;
	for (size_t i = 0; i < n; i++) {
		char doc[SV_DOC_ID_LEN + 1], blob[SV_OID_HEXLEN + 1], *grown;
		unsigned version = 0;

		if (ups[i].blob) {
			error = sv_error(SCRVAULT_ERROR, "a destruction record lists removed blobs only");
			goto done;
		}
		if ((error = path_version(doc, &version, ups[i].path)) < 0 ||
		    (error = sv_store_lookup(blob, v->store, base, ups[i].path)) < 0)
			goto done;
		if (!(grown = sv_printf("%sdestroy %s %u %s\n", body, doc, version, blob))) {
			error = SCRVAULT_ERROR;
			goto done;
		}
		free(body);
		body = grown;
	}
	if ((error = sv_ed25519_sign(sig, v->audit_key, body, strlen(body))) < 0)
		goto done;
	if (!(sig64 = sv_base64(sig, sizeof(sig))) || !(*out = sv_printf("%s\n\n%ssignature %s\n", title, body, sig64)))
		error = SCRVAULT_ERROR;
done:
	free(body);
	free(sig64);
	return error;
}
