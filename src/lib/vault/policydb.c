/*
 * policydb.c - the vault's current policy: installing a version (its text
 * in policy_versions and, encrypted, in the store; its tables for the
 * checks), the built-in default for a vault that has none, and the working
 * day calendar the deadlines use.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "vault/policydb.h"
#include "vault/keyrelease.h"
#include "vault/log.h"
#include "vault/meta.h"
#include "vault/policyfile.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "storage/store.h"
#include "crypto/crypto.h"
#include "base/calendar.h"
#include "base/common.h"
#include "base/date.h"
#include "base/json.h"

/* ---- installing ----------------------------------------------------------------- */

void sv_policy_context(char *out, size_t len, const scrvault *v, int64_t version)
{
	snprintf(out, len, "scrvault policy v1 %s %lld", v->id, (long long)version);
}

int sv_policy_install(scrvault *v, const sv_policy *p, int64_t *version,
		      char blob[SV_OID_HEXLEN + 1], char path[64])
{
	unsigned char hdr[SV_BLOB_HEADER_LEN], sha[SV_SHA256_LEN], *ct = NULL;
	unsigned char wrapped[SV_SEALED_LEN(SV_KEY_LEN)];
	size_t len = strlen(p->text);
	char ctx[160], when[21];
	sv_secret *dek = NULL;
	sv_blob_enc *enc = NULL;
	sv_store_wstream *w = NULL;
	int64_t last = 0;
	int error;

	if ((error = sv_db_int(&last, v->db, "SELECT coalesce(max(version), 0) FROM policy_versions", "")) < 0)
		return error;
	*version = last + 1;
	sv_policy_context(ctx, sizeof(ctx), v, *version);
	/* One chunk: a policy is at most SV_POLICY_MAX bytes. */
	error = SCRVAULT_ERROR;
	if (!(ct = sv_malloc(len + SV_GCM_TAG_LEN + 1)))
		goto done;
	sv_sha256(sha, p->text, len);
	if ((error = sv_secret_random(&dek, SV_KEY_LEN)) < 0 ||
	    (error = sv_blob_enc_new(&enc, hdr, dek, ctx, strlen(ctx))) < 0 ||
	    (error = sv_blob_enc_chunk(enc, ct, (const unsigned char *)p->text, len, true)) < 0 ||
	    (error = sv_store_blob_open(&w, v->store, sv_blob_size(len))) < 0 ||
	    (error = sv_store_blob_write(w, hdr, sizeof(hdr))) < 0 ||
	    (error = sv_store_blob_write(w, ct, len + SV_GCM_TAG_LEN)) < 0 ||
	    (error = sv_store_blob_finish(blob, w)) < 0 ||
	    (error = sv_kek_wrap(wrapped, v, dek, ctx)) < 0)
		goto done;
	snprintf(path, 64, "policy/%lld", (long long)*version);
	sv_time_iso(when, sv_now());
	if ((error = sv_db_run(v->db, "INSERT INTO policy_versions(version, name, text, sha256, blob_oid,"
			       " wrapped_dek, loaded_at, loaded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			       "ittbtbti", *version, p->name, p->text, sha, sizeof(sha), blob,
			       wrapped, sizeof(wrapped), when, v->principal_id)) < 0 ||
	    (error = sv_db_exec(v->db, "DELETE FROM policy_roles; DELETE FROM policy_allow;"
				" DELETE FROM policy_classes; DELETE FROM policy_dual;"
				" DELETE FROM policy_conflicts;")) < 0)
		goto done;
	for (size_t i = 0; i < p->nroles; i++)
		if ((error = sv_db_run(v->db, "INSERT INTO policy_roles(role, scope) VALUES (?, ?)", "tt",
				       p->roles[i].name, sv_scope_name(p->roles[i].scope))) < 0)
			goto done;
	for (size_t i = 0; i < p->nallows; i++)
		if ((error = sv_db_run(v->db, "INSERT OR IGNORE INTO policy_allow(role, action, class) VALUES (?, ?, ?)",
				       "ttt", p->allows[i].role, p->allows[i].action,
				       p->allows[i].doc_class ? p->allows[i].doc_class : "")) < 0)
			goto done;
	for (size_t i = 0; i < p->nclasses; i++)
		if ((error = sv_db_run(v->db, "INSERT INTO policy_classes(class, title, restricted, agency, max_copies, marking)"
				       " VALUES (?, ?, ?, ?, ?, ?)",
				       "ttiiit", p->classes[i].name, p->classes[i].title,
				       (int64_t)p->classes[i].restricted, (int64_t)p->classes[i].agency,
				       p->classes[i].max_copies ? p->classes[i].max_copies : (int64_t)SV_COPIES_DEFAULT_MAX,
				       p->classes[i].marking ? p->classes[i].marking : SV_MARKING_DEFAULT)) < 0)
			goto done;
	for (size_t i = 0; i < p->ndual; i++)
		if ((error = sv_db_run(v->db, "INSERT OR IGNORE INTO policy_dual(action) VALUES (?)", "t", p->dual[i])) < 0)
			goto done;
	for (size_t i = 0; i < p->nconflicts; i++) {
		const char *r = p->conflicts[i];

		while (*r) {
			size_t n = strcspn(r, " ");
			char role[64];

			snprintf(role, sizeof(role), "%.*s", (int)n, r);
			if ((error = sv_db_run(v->db, "INSERT OR IGNORE INTO policy_conflicts(conflict, role) VALUES (?, ?)",
					       "it", (int64_t)i + 1, role)) < 0)
				goto done;
			r += n;
			r += *r == ' ';
		}
	}
	if ((error = sv_db_run(v->db, "INSERT OR REPLACE INTO meta(key, value) VALUES ('dual_expiry_hours', ?)",
			       "i", p->expiry_hours ? p->expiry_hours : (int64_t)72)) < 0)
		goto done;
	if ((error = sv_db_run(v->db, "INSERT OR REPLACE INTO meta(key, value) VALUES ('intake_max_bytes', ?)",
			       "i", p->intake_max ? p->intake_max : (int64_t)SV_INTAKE_MAX_DEFAULT)) < 0 ||
	    (error = sv_db_run(v->db, "INSERT OR REPLACE INTO meta(key, value) VALUES ('foi_days', ?)",
			       "i", p->foi_days ? p->foi_days : (int64_t)SV_FOI_DAYS_DEFAULT)) < 0 ||
	    (error = sv_db_run(v->db, "INSERT OR REPLACE INTO meta(key, value) VALUES ('foi_appeal_days', ?)",
			       "i", p->appeal_days ? p->appeal_days : (int64_t)SV_FOI_APPEAL_DAYS_DEFAULT)) < 0 ||
	    (error = sv_db_exec(v->db, "DELETE FROM policy_holidays")) < 0)
		goto done;
	if ((error = sv_db_exec(v->db, "DELETE FROM policy_retention")) < 0 ||
	    (error = sv_db_run(v->db, "INSERT OR REPLACE INTO meta(key, value) VALUES ('publication_months', ?)",
			       "i", p->pub_months ? p->pub_months : (int64_t)SV_PUBLICATION_MONTHS_DEFAULT)) < 0)
		goto done;
	/* per review type: -1 = no section of its own (publication_months is its take-down), 0 = none */
	for (int t = 0; t < SV_REVIEW_TYPES; t++) {
		char kmin[64], kmax[64];

		snprintf(kmin, sizeof(kmin), "publication_min_months.%s", sv_review_types[t]);
		snprintf(kmax, sizeof(kmax), "publication_max_months.%s", sv_review_types[t]);
		if ((error = sv_db_run(v->db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", "ti", kmin,
				       p->pub_typed[t] ? p->pub_min[t] : (int64_t)-1)) < 0 ||
		    (error = sv_db_run(v->db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", "ti", kmax,
				       p->pub_typed[t] ? p->pub_max[t] : (int64_t)-1)) < 0)
			goto done;
	}
	for (size_t i = 0; i < p->nrules; i++) {
		char unit[2] = { p->rules[i].unit, 0 };

		if ((error = sv_db_run(v->db, "INSERT INTO policy_retention(class, action, amount, unit, trigger)"
				       " VALUES (?, ?, ?, ?, ?)", "ttitt", p->rules[i].doc_class ? p->rules[i].doc_class : "*",
				       p->rules[i].action, p->rules[i].amount, p->rules[i].unit ? unit : NULL,
				       p->rules[i].trigger)) < 0)
			goto done;
	}
	if ((error = sv_db_exec(v->db, "DELETE FROM policy_timescales")) < 0)
		goto done;
	for (int t = 0; t < SV_REVIEW_TYPES; t++)
		for (int k = 0; k < SV_CLOCKS; k++) {
			const sv_timescale *ts = &p->timescales[t][k];

			if ((error = sv_db_run(v->db, "INSERT INTO policy_timescales(clock, review_type, amount, unit, anchor)"
					       " VALUES (?, ?, ?, ?, ?)", "ttitt", sv_clock_names[k], sv_review_types[t],
					       ts->amount, sv_timescale_unit_name(ts->unit),
					       sv_anchor_names[ts->anchor])) < 0)
				goto done;
		}
	for (size_t i = 0; i < p->nholidays; i++) {
		char date[11];

		snprintf(date, sizeof(date), "%.10s", p->holidays[i]);
		if ((error = sv_db_run(v->db, "INSERT OR REPLACE INTO policy_holidays(day, name) VALUES (?, ?)", "tt",
				       date, p->holidays[i] + 11)) < 0)
			goto done;
	}
done:
	sv_cleanse_free(ct, len + SV_GCM_TAG_LEN + 1);
	sv_secret_free(dek);
	sv_blob_enc_free(enc);
	sv_store_wstream_free(w);
	return error;
}

int sv_policy_apply(scrvault *v, const sv_policy *p, const char *source, const char *dual)
{
	char blob[SV_OID_HEXLEN + 1], head[SV_OID_HEXLEN + 1], commit[SV_OID_HEXLEN + 1];
	char path[64], msg[64], ver[24], sha[SV_SHA256_LEN * 2 + 1];
	unsigned char digest[SV_SHA256_LEN];
	sv_store_update up = { path, blob };
	int64_t version = 0;
	int error;

	if ((error = sv_policy_install(v, p, &version, blob, path)) < 0)
		return error;
	snprintf(msg, sizeof(msg), "policy %lld\n", (long long)version);
	if ((error = sv_vault_store_head(head, v)) < 0 ||
	    (error = sv_store_commit(commit, v->store, head[0] ? head : NULL, &up, 1, msg, sv_now())) < 0 ||
	    (error = sv_vault_record_commit(v, commit)) < 0)
		return error;
	sv_sha256(digest, p->text, strlen(p->text));
	sv_hex(sha, digest, sizeof(digest));
	snprintf(ver, sizeof(ver), "%lld", (long long)version);
	return sv_audit_append(v, "policy.load", "ok", SV_ABOUT(.policy = ver),
			       SV_FIELDS(SV_INT("version", version), SV_STR("name", p->name),
					 SV_STR("sha256", sha), SV_STR("source", source), SV_OPT("dual_control", dual)));
}

int sv_policy_ensure(scrvault *v)
{
	sv_policy *p = NULL;
	int64_t n = 0;
	int error;

	if ((error = sv_db_int(&n, v->db, "SELECT count(*) FROM policy_versions", "")) < 0 || n > 0)
		return error < 0 ? error : 0;
	if (v->rolled_back)
		return sv_error(SCRVAULT_EINTEGRITY, "the vault has no policy and cannot be changed: %s", v->rollback_msg);
	if ((error = sv_policy_default(&p)) < 0)
		return error;
	if ((error = sv_vault_begin(v)) == 0) {
		if ((error = sv_policy_apply(v, p, "built-in default", NULL)) < 0)
			sv_vault_abort(v);
		else
			error = sv_vault_commit(v);
	}
	sv_policy_free(p);
	return error;
}

int sv_policy_calendar(sv_calendar **out, scrvault *v)
{
	char **days = NULL;
	size_t n = 0, cap = 0;
	sv_stmt *st = NULL;
	int error;

	*out = NULL;
	if ((error = sv_db_query(&st, v->db, "SELECT day FROM policy_holidays ORDER BY day", "")) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1) {
		if (sv_grow(&days, &cap, n + 1, sizeof(*days), 64) < 0) {
			error = SCRVAULT_ERROR;
			break;
		}
		if (!(days[n] = sv_strdup(sv_stmt_text(st, 0)))) {
			error = SCRVAULT_ERROR;
			break;
		}
		n++;
	}
	sv_stmt_free(st);
	if (error >= 0)
		error = sv_calendar_new(out, (const char *const *)days, n);
	for (size_t i = 0; i < n; i++)
		free(days[i]);
	free(days);
	return error;
}
