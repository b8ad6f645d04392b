/*
 * policy.c - the policy noun: checking a file, showing a version, loading a
 * new one (under dual control when the policy says so), and fsck's check
 * that every version's text in the store matches its record.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "records/policy.h"
#include "records/pending.h"
#include "records/separation.h"
#include "vault/authz.h"
#include "vault/keyrelease.h"
#include "vault/policydb.h"
#include "vault/policyfile.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "storage/rows.h"
#include "storage/store.h"
#include "crypto/crypto.h"
#include "base/common.h"
#include "base/json.h"

/* ---- the public calls ------------------------------------------------------------- */

int scrvault_policy_check(scrvault_json **problems, const char *path)
{
	sv_policy *p = NULL;
	int error;

	*problems = NULL;
	error = sv_policy_read(&p, problems, path);
	sv_policy_free(p);
	return error;
}

int scrvault_policy_check_grants(scrvault_json **out, scrvault *v, const char *path)
{
	sv_policy *p = NULL;
	sv_json *problems = NULL;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "principal.read", NULL)) < 0)
		return error;
	error = sv_policy_read(&p, &problems, path);
	sv_json_free(problems);
	if (error >= 0)
		error = sv_separation_violations(out, v, p);
	sv_policy_free(p);
	return error;
}

int scrvault_policy_load(scrvault_json **out, scrvault *v, const char *path)
{
	sv_policy *p = NULL;
	sv_json *problems = NULL, *res = NULL;
	sv_dual mode;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "policy.load", NULL)) < 0)
		return error;
	error = sv_policy_read(&p, &problems, path);
	sv_json_free(problems);
	if (error < 0)
		return error;
	if ((mode = sv_dual_mode(v, sv_dual_required(v, "policy.load"))) == SV_DUAL_HOLD) {
		error = sv_op_request(out, v, "policy.load", NULL, SV_FIELDS(SV_STR("text", p->text)));
		goto done;
	}
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	if ((error = sv_policy_apply(v, p, "file", SV_DUAL_DETAIL(mode))) < 0) {
		sv_vault_abort(v);
		goto done;
	}
	if ((error = sv_vault_commit(v)) < 0)
		goto done;
	if (!(res = sv_json_object()) || sv_json_set_str(res, "loaded", p->name) < 0) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	*out = SV_TAKE(res);
done:
	sv_json_free(res);
	sv_policy_free(p);
	return error;
}

int scrvault_policy_show(scrvault_json **out, scrvault *v, int64_t version)
{
	sv_json *o = NULL, *arr = NULL;
	sv_stmt *st = NULL;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "policy.read", NULL)) < 0)
		return error;
	if (version == 0 &&
	    (error = sv_db_int(&version, v->db, "SELECT coalesce(max(version), 0) FROM policy_versions", "")) < 0)
		return error;
	if ((error = sv_db_query(&st, v->db, "SELECT pv.version, pv.name, pv.text, pv.sha256, pv.loaded_at,"
				 " coalesce(p.name, ''), (SELECT max(version) FROM policy_versions)"
				 " FROM policy_versions pv LEFT JOIN principals p ON p.id = pv.loaded_by"
				 " WHERE pv.version = ?", "i", version)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) != 1) {
		sv_stmt_free(st);
		return error < 0 ? error : sv_error(SCRVAULT_ENOTFOUND, "no policy version %lld", (long long)version);
	}
	{
		char sha[SV_SHA256_LEN * 2 + 1] = "";
		size_t len = 0;
		const unsigned char *d = sv_stmt_blob(st, 3, &len);

		if (d && len == SV_SHA256_LEN)
			sv_hex(sha, d, len);
		if (!(o = sv_json_object()) || sv_json_set_int(o, "version", sv_stmt_int(st, 0)) < 0 ||
		    sv_json_set_bool(o, "current", sv_stmt_int(st, 0) == sv_stmt_int(st, 6)) < 0 ||
		    sv_json_set_str(o, "name", sv_stmt_text(st, 1)) < 0 ||
		    sv_json_set_str(o, "sha256", sha) < 0 ||
		    sv_json_set_str(o, "loaded_at", sv_stmt_text(st, 4)) < 0 ||
		    sv_json_set_str(o, "loaded_by", sv_stmt_text(st, 5)) < 0 ||
		    sv_json_set_str(o, "text", sv_stmt_text(st, 2)) < 0)
			error = SCRVAULT_ERROR;
		else
			error = 0;
	}
	sv_stmt_free(st);
	if (error < 0)
		goto done;
	/* The tables in force (for the current version). */
	if ((error = sv_rows_json(&arr, v->db, SV_COLS({ "role", SV_COL_TEXT }, { "scope", SV_COL_TEXT },
						       { "allow", SV_COL_TEXT }), NULL, NULL,
				  "SELECT r.role, r.scope, coalesce(group_concat(CASE WHEN a.class = '' THEN a.action"
				    " ELSE a.action || ':' || a.class END, ' '), '') FROM policy_roles r"
				  " LEFT JOIN policy_allow a ON a.role = r.role GROUP BY r.role ORDER BY r.role", "")) < 0 ||
	    (error = sv_json_set(o, "roles", arr)) < 0)
		goto done;
	if ((error = sv_rows_json(&arr, v->db, SV_COLS({ "class", SV_COL_TEXT }, { "title", SV_COL_TEXT },
						       { "restricted", SV_COL_BOOL }, { "agency", SV_COL_BOOL }), NULL, NULL,
				  "SELECT class, title, restricted, agency FROM policy_classes ORDER BY class", "")) < 0 ||
	    (error = sv_json_set(o, "classes", arr)) < 0)
		goto done;
	*out = SV_TAKE(o);
done:
	sv_json_free(o);
	return error;
}

/* fsck: every policy version is in the store, decrypts, and matches its text and digest. */
int sv_policy_fsck(scrvault *v, const char *head, sv_json *problems, int64_t *count)
{
	sv_stmt *st = NULL;
	int error;

	*count = 0;
	if ((error = sv_db_query(&st, v->db, "SELECT version, text, sha256, blob_oid, wrapped_dek FROM policy_versions"
				 " ORDER BY version", "")) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1) {
		int64_t ver = sv_stmt_int(st, 0);
		const char *text = sv_stmt_text(st, 1), *oid = sv_stmt_text(st, 3);
		size_t shalen = 0, wlen = 0, blen = 0;
		const unsigned char *sha = sv_stmt_blob(st, 2, &shalen), *wrapped = sv_stmt_blob(st, 4, &wlen);
		unsigned char digest[SV_SHA256_LEN], *blob = NULL, *plain = NULL;
		char path[64], at[SV_OID_HEXLEN + 1], ctx[160], msg[200] = "";
		sv_secret *dek = NULL;
		sv_blob_dec *dec = NULL;

		(*count)++;
		snprintf(path, sizeof(path), "policy/%lld", (long long)ver);
		sv_policy_context(ctx, sizeof(ctx), v, ver);
		sv_sha256(digest, text ? text : "", text ? strlen(text) : 0);
		if (!sha || shalen != SV_SHA256_LEN || memcmp(sha, digest, SV_SHA256_LEN) != 0)
			snprintf(msg, sizeof(msg), "its text does not match its recorded SHA-256");
		else if (head && head[0] && (sv_store_lookup(at, v->store, head, path) < 0 || strcmp(at, oid ? oid : "")))
			snprintf(msg, sizeof(msg), "the store has no %s, or another blob there", path);
		else if (!wrapped || wlen != SV_SEALED_LEN(SV_KEY_LEN) ||
			 sv_kek_open_policy(&dek, v, wrapped, wlen, ctx) < 0)
			snprintf(msg, sizeof(msg), "its key does not open");
		else if (sv_store_blob_get(&blob, &blen, v->store, oid, SV_POLICY_MAX + 64) < 0 ||
			 blen < SV_BLOB_HEADER_LEN + SV_GCM_TAG_LEN ||
			 sv_blob_dec_new(&dec, blob, dek, ctx, strlen(ctx)) < 0 ||
			 !(plain = sv_malloc(blen)) ||
			 sv_blob_dec_chunk(dec, plain, blob + SV_BLOB_HEADER_LEN, blen - SV_BLOB_HEADER_LEN, true) < 0 ||
			 blen - SV_BLOB_HEADER_LEN - SV_GCM_TAG_LEN != strlen(text) ||
			 memcmp(plain, text, strlen(text)) != 0)
			snprintf(msg, sizeof(msg), "its stored copy does not decrypt to its text");
		if (msg[0]) {
			char line[300];

			snprintf(line, sizeof(line), "policy version %lld: %s", (long long)ver, msg);
			if ((error = sv_json_append(problems, sv_json_string(line))) < 0)
				break;
		}
		free(plain);
		free(blob);
		sv_secret_free(dek);
		sv_blob_dec_free(dec);
	}
	sv_stmt_free(st);
	return error < 0 ? error : 0;
}
