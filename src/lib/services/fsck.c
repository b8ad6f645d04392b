/*
 * fsck.c - consistency of database, git store and audit log.
 *
 * Problems (exit 5): the database fails its integrity check; the store head
 * the database records is missing; a live version's blob is not at its path
 * in the head tree, is not the recorded object, does not decrypt, or its
 * SHA-256 differs from the check-in record; an audit entry's leaf hash is
 * wrong, its sequence number is out of place, or it is not canonical JSON.
 *
 * Warnings (exit 0): the store ref is ahead of the database head (a command
 * was interrupted between its git commit and its database commit; the next
 * command puts the ref back).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "records/copy.h"
#include "records/pending.h"
#include "records/policy.h"
#include "records/signoff.h"
#include "vault/authz.h"
#include "vault/find.h"
#include "vault/keyrelease.h"
#include "vault/log.h"
#include "vault/meta.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "storage/store.h"
#include "crypto/crypto.h"
#include "crypto/merkle.h"
#include "base/common.h"
#include "base/json.h"

static int note(sv_json *list, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int note(sv_json *list, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return sv_json_append(list, sv_json_string(buf));
}

/*
 * Every live version: its blob where the record says, and (with `rel`, a
 * verification on record) decrypted and checked.  A vault that was rolled
 * back can put nothing on record, so its content is not decrypted then.
 */
static int check_versions(scrvault *v, const sv_release *rel, const char *head, sv_json *problems,
			  int64_t *count)
{
	sv_stmt *st = NULL;
	int error;

	if ((error = sv_db_query(&st, v->db,
				 "SELECT doc_id, version FROM versions WHERE state = 'live' ORDER BY doc_id, version",
				 "")) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1) {
		char doc[SV_DOC_ID_LEN + 1], path[96], oid[SV_OID_HEXLEN + 1];
		unsigned version = (unsigned)sv_stmt_int(st, 1);
		sv_version_row r;
		int rc;

		snprintf(doc, sizeof(doc), "%s", sv_stmt_text(st, 0));
		(*count)++;
		memset(&r, 0, sizeof(r));
		if ((rc = sv_version_load(&r, v, doc, &version)) < 0) {
			note(problems, "document %s version %u: %s", doc, version, scrvault_error_message());
			continue;
		}
		sv_blob_path(path, sizeof(path), doc, version);
		rc = head[0] ? sv_store_lookup(oid, v->store, head, path) : SCRVAULT_ENOTFOUND;
		if (rc == SCRVAULT_ENOTFOUND) {
			note(problems, "document %s version %u: blob missing from the store tree", doc, version);
			continue;
		} else if (rc < 0) {
			note(problems, "document %s version %u: %s", doc, version, scrvault_error_message());
			continue;
		}
		if (strcmp(oid, r.oid) != 0) {
			note(problems, "document %s version %u: store tree holds another blob than recorded", doc, version);
			continue;
		}
		if (rel && (rc = sv_release_verify(rel, doc, version, &r)) < 0)
			note(problems, "%s", scrvault_error_message());
	}
	sv_stmt_free(st);
	return error;
}

/*
 * A destroyed version: no key left, a destruction record, and its blob gone
 * from the current tree (it stays in history, unreadable).
 */
static int check_destroyed(scrvault *v, const char *head, sv_json *problems)
{
	sv_stmt *st = NULL;
	int error;

	if ((error = sv_db_query(&st, v->db, "SELECT ve.doc_id, ve.version, ve.wrapped_dek IS NULL,"
				 " (SELECT count(*) FROM destructions d WHERE d.doc_id = ve.doc_id AND d.version = ve.version)"
				 " FROM versions ve WHERE ve.state = 'destroyed' ORDER BY ve.doc_id, ve.version", "")) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1) {
		char path[96], oid[SV_OID_HEXLEN + 1];
		const char *doc = sv_stmt_text(st, 0);
		unsigned version = (unsigned)sv_stmt_int(st, 1);

		if (!sv_stmt_int(st, 2))
			note(problems, "document %s version %u is destroyed but its key is still stored", doc, version);
		if (!sv_stmt_int(st, 3))
			note(problems, "document %s version %u is destroyed without a destruction record", doc, version);
		sv_blob_path(path, sizeof(path), doc, version);
		if (head[0] && sv_store_lookup(oid, v->store, head, path) == 0)
			note(problems, "document %s version %u is destroyed but its blob is still in the store tree",
			     doc, version);
	}
	sv_stmt_free(st);
	return error;
}

static int check_audit(scrvault *v, sv_json *problems, int64_t *count)
{
	sv_stmt *st = NULL;
	int64_t expect = 1;
	int error;

	if ((error = sv_db_query(&st, v->db, "SELECT seq, entry, leaf FROM audit ORDER BY seq", "")) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1) {
		int64_t seq = sv_stmt_int(st, 0);
		const char *entry = sv_stmt_text(st, 1);
		size_t leaflen = 0, len = entry ? strlen(entry) : 0;
		const unsigned char *leaf = sv_stmt_blob(st, 2, &leaflen);
		sv_hash want;
		sv_json *j = NULL;
		bool canonical = false;

		(*count)++;
		if (seq != expect)
			note(problems, "audit entry %lld out of sequence (expected %lld)", (long long)seq, (long long)expect);
		expect = seq + 1;
		if (!entry) {
			note(problems, "audit entry %lld is empty", (long long)seq);
			continue;
		}
		sv_merkle_leaf_hash(&want, entry, len);
		if (!leaf || leaflen != SV_SHA256_LEN || memcmp(want.h, leaf, SV_SHA256_LEN) != 0)
			note(problems, "audit entry %lld does not match its leaf hash", (long long)seq);
		if (sv_json_parse(&j, entry, len, &canonical) < 0 || !canonical ||
		    sv_json_as_int(sv_json_get(j, "seq")) != seq)
			note(problems, "audit entry %lld is malformed", (long long)seq);
		sv_json_free(j);
	}
	sv_stmt_free(st);
	return error;
}

/* Every sign-off verifies again (signoff.c). */
static int check_signoffs(scrvault *v, sv_json *problems, int64_t *count)
{
	sv_stmt *st = NULL;
	int error;

	*count = 0;
	if ((error = sv_db_query(&st, v->db, "SELECT DISTINCT doc_id FROM signoffs ORDER BY doc_id", "")) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1) {
		sv_json *so = NULL;

		if ((error = sv_signoffs(&so, v, sv_stmt_text(st, 0))) < 0)
			break;
		for (size_t i = 0; i < sv_json_count(so); i++) {
			const sv_json *o = sv_json_at(so, i);
			const char *ver = sv_json_str(sv_json_get(o, "verification"));

			(*count)++;
			if (!ver || strncmp(ver, "valid", 5) != 0)
				note(problems, "sign-off of document %s version %lld by %s: %s", sv_stmt_text(st, 0),
				     (long long)sv_json_as_int(sv_json_get(o, "version")),
				     sv_json_str(sv_json_get(o, "signer")), ver ? ver : "?");
		}
		sv_json_free(so);
	}
	sv_stmt_free(st);
	return error < 0 ? error : 0;
}

int scrvault_fsck(scrvault_json **report, scrvault *v)
{
	char head[SV_OID_HEXLEN + 1], ref[SV_OID_HEXLEN + 1], *detail = NULL;
	sv_json *r = NULL, *problems = NULL, *warnings = NULL, *checked = NULL, *moved;
	int64_t nversions = 0, nentries = 0, npolicies = 0, nsignoffs = 0;
	sv_release *rel = NULL;
	int error, rc;

	*report = NULL;
	if ((error = sv_authorize(v, "fsck", NULL)) < 0)
		return error;
	if (!(r = sv_json_object()) || !(problems = sv_json_array()) ||
	    !(warnings = sv_json_array()) || !(checked = sv_json_object())) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((rc = sv_db_check(v->db, &detail)) < 0)
		note(problems, "database integrity check: %s", detail ? detail : scrvault_error_message());
	if ((error = sv_vault_store_head(head, v)) < 0)
		goto done;
	if (!head[0])
		note(problems, "the database records no store head");
	else if ((rc = sv_store_descends(v->store, head, head)) != 1)
		note(problems, "store commit %s recorded by the database is missing", head);
	rc = sv_store_head(ref, v->store);
	if (rc == 0 && strcmp(ref, head) != 0) {
		if (sv_store_descends(v->store, head, ref) == 1)
			note(warnings, "the store's ref is behind the database (a command stopped after its commit); the next command moves it");
		else
			note(problems, "store ref %s is not in the database's history (the database was rolled back or the store altered)", ref);
	} else if (rc < 0) {
		note(problems, "store has no head ref");
	}
	{
		int64_t approvers = 0;

		if ((error = sv_dual_approvers(&approvers, v)) < 0)
			goto done;
		if (approvers < 2)
			note(warnings, "dual control is not in force: fewer than two custodians (people holding a "
			     "board-wide role with op.approve) could approve, so the actions it holds run at once; "
			     "add a second custodian");
	}
	/* A key file made before the 19 MiB floor still opens (its header is
	 * sealed: the memory it names is the memory it was made with). */
	if (v->ident && v->ident->has_passphrase && v->ident->kdf.m_cost_kib < SV_ARGON2_NEW_MIN_KIB)
		note(warnings, "the key file of '%s' was made with %u MiB of Argon2id memory, below the %d MiB "
		     "floor for new key files: replace it with a new one", v->ident->name,
		     v->ident->kdf.m_cost_kib / 1024, SV_ARGON2_NEW_MIN_KIB / 1024);
	/* Decrypting every version to check it is on record first (so not in
	 * a rolled-back vault, nor in one that cannot be written). */
	if (!v->rolled_back && !sv_db_readonly(v->db)) {
		int64_t live = 0;

		if ((error = sv_db_int(&live, v->db, "SELECT count(*) FROM versions WHERE state = 'live'", "")) < 0 ||
		    (error = sv_vault_begin(v)) < 0)
			goto done;
		if ((error = sv_audit_append(v, "fsck.verify", "ok", NULL, SV_FIELDS(SV_INT("versions", live)))) < 0) {
			sv_vault_abort(v);
			goto done;
		}
		if ((error = sv_release_commit(&rel, v, SV_RELEASE_VERIFY, NULL, 0)) < 0)
			goto done;
	} else {
		note(warnings, "document contents were not decrypted: the vault is %s, so the check "
		     "cannot be put on record", v->rolled_back ? "rolled back" : "read-only");
	}
	if ((error = check_versions(v, rel, head, problems, &nversions)) < 0 ||
	    (error = check_destroyed(v, head, problems)) < 0 ||
	    (error = check_audit(v, problems, &nentries)) < 0 ||
	    (error = sv_policy_fsck(v, head, problems, &npolicies)) < 0 ||
	    (error = check_signoffs(v, problems, &nsignoffs)) < 0)
		goto done;
	/* Copy destructions: every witness signature verified again. */
	{
		int64_t bad = 0, unverified = 0;

		if ((error = sv_copy_witness_check(&bad, &unverified, v)) < 0)
			goto done;
		if (bad)
			note(problems, "the witness signature of %lld copy destruction%s does not verify (see 'scrvault "
			     "copy history')", (long long)bad, bad == 1 ? "" : "s");
		if (unverified)
			note(warnings, "%lld cop%s destroyed with a witness who has not signed (unverified)",
			     (long long)unverified, unverified == 1 ? "y" : "ies");
	}
	/* The signed checkpoints, the stored tree and the store's newest checkpoint. */
	{
		scrvault_json *ar = NULL;
		const sv_json *ps;

		rc = scrvault_audit_verify_live(&ar, v, NULL);
		if (!ar) {
			error = rc;
			goto done;
		}
		ps = sv_json_get(ar, "problems");
		for (size_t i = 0; i < sv_json_count(ps); i++)
			note(problems, "audit: %s", sv_json_str(sv_json_at(ps, i)));
		sv_json_free(ar);
	}
	if ((error = sv_json_set_int(checked, "versions", nversions)) < 0 ||
	    (error = sv_json_set_int(checked, "audit_entries", nentries)) < 0 ||
	    (error = sv_json_set_int(checked, "policy_versions", npolicies)) < 0 ||
	    (error = sv_json_set_int(checked, "signoffs", nsignoffs)) < 0)
		goto done;
	error = sv_json_count(problems) ? SCRVAULT_EINTEGRITY : 0;
	{
		int64_t np = (int64_t)sv_json_count(problems);

		if (v->rolled_back || sv_db_readonly(v->db)) {
			;	/* nothing may be written: report only */
		} else if ((rc = sv_vault_begin(v)) < 0 ||
		    (rc = sv_audit_append(v, "fsck", error ? "integrity-failure" : "ok", NULL,
					  SV_FIELDS(SV_INT("problems", np)))) < 0 ||
		    (rc = sv_vault_commit(v)) < 0) {
			sv_vault_abort(v);
			error = rc;
			goto done;
		}
	}
	/* sv_json_set owns the value even when it fails: hand each over first. */
	if ((moved = problems, problems = NULL, sv_json_set(r, "problems", moved) < 0) ||
	    (moved = warnings, warnings = NULL, sv_json_set(r, "warnings", moved) < 0) ||
	    (moved = checked, checked = NULL, sv_json_set(r, "checked", moved) < 0)) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	*report = r;
	r = NULL;
	if (error)
		sv_error(error, "fsck found problems");
done:
	free(detail);
	sv_release_free(rel);
	sv_json_free(r);
	sv_json_free(problems);
	sv_json_free(warnings);
	sv_json_free(checked);
	return error;
}
