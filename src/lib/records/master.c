/*
 * master.c - a document's master version (the one rule every register
 * follows), declaring one, and the freeze of a concluded case.
 *
 * The master is what the board keeps under the master's retention rule and
 * destroys only in an approved disposal batch (000 §11.3, §11.9); every
 * other version is a draft.  Nothing here decides by "the latest version"
 * when something better is on record: a declaration, the conclusion of the
 * case, or an agency's sign-off.
 *
 * A concluded case is frozen (freeze.c refuses check-in, declaration and
 * sign-off) until a custodian reopens it here with a reason, under dual
 * control while case.reopen is listed; reopening is audited, and so is
 * concluding again (case.c), which fixes the masters anew.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "records/freeze.h"
#include "records/master.h"
#include "records/pending.h"
#include "records/signoff.h"
#include "vault/authz.h"
#include "vault/find.h"
#include "vault/log.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "storage/rows.h"
#include "base/common.h"
#include "base/date.h"
#include "base/json.h"

static const char *basis_word(const char *b)
{
	return !strcmp(b, SV_MASTER_DECLARED) ? SV_MASTER_DECLARED :
	       !strcmp(b, SV_MASTER_CONCLUDED) ? SV_MASTER_CONCLUDED : NULL;
}

int sv_doc_master(sv_master *out, scrvault *v, const char *doc)
{
	char basis[16] = "";
	int64_t n = 0, signoffs = 0, latest = 0;
	int error;

	if ((error = sv_db_text_int(basis, sizeof(basis), &n, v->db, "SELECT coalesce(master_basis, ''),"
				    " coalesce(master_version, 0) FROM documents WHERE id = ?", "t", doc)) < 0 ||
	    (error = sv_db_int(&signoffs, v->db, "SELECT count(*) FROM signoffs WHERE doc_id = ?", "t", doc)) < 0 ||
	    (error = sv_db_int(&latest, v->db, "SELECT coalesce(max(version), 0) FROM versions WHERE doc_id = ?", "t",
			       doc)) < 0)
		return error;
	return sv_doc_master_from(out, v, doc, basis, n, signoffs, latest);
}

int sv_doc_master_from(sv_master *out, scrvault *v, const char *doc, const char *basis, int64_t master_version,
		       int64_t signoffs, int64_t latest)
{
	int error;

	out->version = 0;
	out->basis = SV_MASTER_LATEST;
	/* 1. declared, or fixed by the conclusion */
	if (master_version > 0 && basis && basis_word(basis)) {
		out->version = (unsigned)master_version;
		out->basis = basis_word(basis);
		return 0;
	}
	/* 2. the newest version with a sign-off that verifies */
	if (signoffs > 0) {
		sv_json *so = NULL;
		int64_t best = 0;

		if ((error = sv_signoffs(&so, v, doc)) < 0)
			return error;
		for (size_t i = 0; i < sv_json_count(so); i++) {
			const sv_json *s = sv_json_at(so, i);
			const char *ver = sv_json_str(sv_json_get(s, "verification"));

			if (ver && !strncmp(ver, "valid", 5) && sv_json_as_int(sv_json_get(s, "version")) > best)
				best = sv_json_as_int(sv_json_get(s, "version"));
		}
		sv_json_free(so);
		if (best > 0) {
			out->version = (unsigned)best;
			out->basis = SV_MASTER_SIGNED_OFF;
			return 0;
		}
	}
	/* 3. the latest version */
	out->version = (unsigned)latest;
	return 0;
}

int sv_case_fix_masters(sv_json **out, scrvault *v, int64_t case_id)
{
	sv_stmt *st = NULL;
	sv_json *arr = NULL;
	char (*docs)[SV_DOC_ID_LEN + 1] = NULL;
	size_t n = 0, cap = 0;
	int error;

	*out = NULL;
	if ((error = sv_db_query(&st, v->db, "SELECT id FROM documents WHERE case_id = ? ORDER BY created_at, id",
				 "i", case_id)) < 0)
		return error;
	while ((error = sv_stmt_step(st)) == 1) {
		if (sv_grow(&docs, &cap, n + 1, sizeof(*docs), 16) < 0) {
			error = SCRVAULT_ERROR;
			break;
		}
		snprintf(docs[n++], sizeof(*docs), "%s", sv_stmt_text(st, 0));
	}
	sv_stmt_free(st);
	if (error < 0 || !(arr = sv_json_array())) {
		error = error < 0 ? error : SCRVAULT_ERROR;
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		sv_master m;
		const char *basis;
		bool declared;

		if ((error = sv_doc_master(&m, v, docs[i])) < 0)
			goto done;
		if (!m.version)
			continue;
		declared = !strcmp(m.basis, SV_MASTER_DECLARED);
		basis = declared ? SV_MASTER_DECLARED : SV_MASTER_CONCLUDED;
		if (!declared) {
			char when[21];

			sv_time_iso(when, sv_now());
			if ((error = sv_db_run(v->db, "UPDATE documents SET master_version = ?, master_basis = ?,"
					       " master_at = ?, master_by = ? WHERE id = ?", "ittit", (int64_t)m.version,
					       basis, when, v->principal_id, docs[i])) < 0)
				goto done;
		}
		if (sv_json_append(arr, sv_json_of(SV_FIELDS(SV_STR("doc", docs[i]), SV_INT("version", m.version),
							      SV_STR("basis", basis)))) < 0) {
			error = SCRVAULT_ERROR;
			goto done;
		}
	}
	*out = arr;
	arr = NULL;
	error = 0;
done:
	sv_json_free(arr);
	free(docs);
	return error;
}

/*
 * The concluded case `ref` to reopen: its id into *id and its day of
 * conclusion into concluded[16]; an error when there is no such case or it is
 * not concluded.
 */
static int concluded_case(int64_t *id, char concluded[16], scrvault *v, const char *ref)
{
	int error;

	if ((error = sv_db_text_int(concluded, 16, id, v->db, "SELECT coalesce(concluded_on, ''), id"
				    " FROM cases WHERE ref = ?", "t", ref ? ref : "")) < 0)
		return error;
	if (!*id)
		return sv_error(SCRVAULT_ENOTFOUND, SV_NOT_FOUND_CASE, ref ? ref : "");
	if (!concluded[0])
		return sv_error(SCRVAULT_ECONFLICT, "case '%s' is not concluded: there is nothing to reopen", ref);
	return 0;
}

int sv_case_reopen_txn(scrvault *v, const char *ref, const char *reason, const char *dual)
{
	char concluded[16] = "";
	int64_t id = 0;
	int error;

	if ((error = concluded_case(&id, concluded, v, ref)) < 0)
		return error;
	if ((error = sv_db_run(v->db, "UPDATE cases SET status = 'open', concluded_on = NULL WHERE id = ?", "i", id)) < 0 ||
	    (error = sv_db_run(v->db, "UPDATE documents SET master_version = NULL, master_basis = NULL, master_at = NULL,"
			       " master_by = NULL WHERE case_id = ? AND master_basis = 'concluded'", "i", id)) < 0)
		return error;
	return sv_audit_append(v, "case.reopen", "ok", SV_ABOUT(.caseref = ref),
			       SV_FIELDS(SV_STR("reason", reason), SV_STR("concluded_on", concluded),
					 SV_OPT("dual_control", dual)));
}

int scrvault_case_reopen(scrvault_json **out, scrvault *v, const char *ref, const char *reason)
{
	char concluded[16] = "";
	int64_t id = 0;
	sv_dual mode;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "case.reopen", SV_ABOUT(.caseref = ref))) < 0)
		return error;
	if (!reason || !*reason)
		return sv_error_field(SCRVAULT_EUSAGE, "reason", "reopening a concluded case needs a reason");
	if (!v->custodian) {
		sv_error(SCRVAULT_EDENIED, "only a custodian reopens a concluded case ('%s' is not one)", v->principal);
		return sv_audit_denied(v, "case.reopen", SV_ABOUT(.caseref = ref),
				       SV_FIELDS(SV_STR("reason", "not a custodian")), SCRVAULT_EDENIED);
	}
	if ((error = concluded_case(&id, concluded, v, ref)) < 0)
		return error;
	if ((mode = sv_dual_mode(v, sv_dual_required(v, "case.reopen"))) == SV_DUAL_HOLD)
		return sv_op_request(out, v, "case.reopen", NULL, SV_FIELDS(SV_STR("case", ref), SV_STR("reason", reason)));
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_case_reopen_txn(v, ref, reason, SV_DUAL_DETAIL(mode))) < 0 || (error = sv_vault_commit(v)) < 0)
		return sv_vault_fail(v, error);
	return sv_json_new(out, SV_FIELDS(SV_STR("case", ref), SV_STR("reopened", "yes")));
}

int scrvault_doc_declare(scrvault_json **out, scrvault *v, const char *docarg, unsigned version)
{
	char doc[SV_DOC_ID_LEN + 1], caseref[40], when[21], state[16] = "";
	int64_t exists = 0;
	sv_master before;
	int error;

	*out = NULL;
	if ((error = sv_doc_resolve(doc, caseref, v, "doc.declare", docarg)) < 0)
		return error;
	if (version == 0)
		return sv_error_field(SCRVAULT_EUSAGE, "version", "give the version to declare the master: DOC@VERSION");
	if ((error = sv_authorize(v, "doc.declare", SV_ABOUT(.caseref = caseref, .doc = doc, .version = version))) < 0 ||
	    (error = sv_case_frozen(v, "doc.declare", SV_ABOUT(.caseref = caseref, .doc = doc, .version = version))) < 0)
		return error;
	if ((error = sv_db_text_int(state, sizeof(state), &exists, v->db, "SELECT state, 1 FROM versions"
				    " WHERE doc_id = ? AND version = ?", "ti", doc, (int64_t)version)) < 0)
		return error;
	if (!exists)
		return sv_error(SCRVAULT_ENOTFOUND, "document '%s' has no version %u (see 'scrvault doc log %s')", doc,
				version, doc);
	if (strcmp(state, "live") != 0)
		return sv_error(SCRVAULT_ECONFLICT, "document '%s' version %u is %s: it cannot be the master", doc,
				version, state);
	if ((error = sv_doc_master(&before, v, doc)) < 0)
		return error;
	sv_time_iso(when, sv_now());
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_db_run(v->db, "UPDATE documents SET master_version = ?, master_basis = 'declared', master_at = ?,"
			       " master_by = ? WHERE id = ?", "itit", (int64_t)version, when, v->principal_id, doc)) < 0)
		return sv_vault_fail(v, error);
	if ((error = sv_vault_finish(v, "doc.declare", SV_ABOUT(.caseref = caseref, .doc = doc, .version = version),
				     SV_FIELDS(SV_INT("previous_master", before.version),
					       SV_STR("previous_basis", before.basis)))) < 0)
		return error;
	return sv_json_new(out, SV_FIELDS(SV_STR("doc", doc), SV_STR("case", caseref), SV_INT("version", version),
					  SV_INT("previous_master", before.version), SV_STR("previous_basis", before.basis)));
}
