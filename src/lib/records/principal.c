/*
 * principal.c - principals, their roles (grants), revocation, key rotation
 * and the release ledger's view of one principal (impact).
 *
 * Names and contact details live only in the encrypted database; audit
 * entries name principals, never their contact details.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include "records/principal.h"
#include "records/pending.h"
#include "vault/authz.h"
#include "vault/find.h"
#include "vault/keyring.h"
#include "vault/log.h"
#include "vault/policyfile.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "storage/rows.h"
#include "crypto/crypto.h"
#include "crypto/identity.h"
#include "crypto/kdf.h"
#include "crypto/passphrase.h"
#include "base/common.h"
#include "base/date.h"
#include "base/json.h"
#include "base/text.h"

/* ---- principals ------------------------------------------------------------ */

int sv_principal_insert(scrvault *v, const scrvault_principal_spec *s,
			const sv_identity *id, int64_t *rowid)
{
	char when[21];
	int error;

	sv_time_iso(when, sv_now());
	error = sv_db_run(v->db,
			  "INSERT INTO principals(name, display_name, kind, agency, contact, custodian,"
			  " ed25519_pub, x25519_pub, created_at, created_by) VALUES (?,?,?,?,?,?,?,?,?,?)",
			  "tttttibbti", s->name, s->display_name ? s->display_name : s->name,
			  s->kind, s->agency, s->contact, (int64_t)(s->custodian ? 1 : 0),
			  id->ed_pub, (size_t)SV_KEY_LEN, id->x_pub, (size_t)SV_KEY_LEN, when,
			  v->principal_id);
	if (error == SCRVAULT_ECONFLICT)
		return sv_error(SCRVAULT_ECONFLICT, "principal '%s' already exists", s->name);
	if (error == 0 && rowid)
		*rowid = sv_db_last_rowid(v->db);
	return error;
}

int scrvault_principal_add(scrvault *v, const scrvault_principal_spec *spec,
			   const char *keyfile, const scrvault_secret *passphrase)
{
	sv_argon2_params kdf = sv_kdf_params(spec->kdf_mib);
	sv_keyring *kr = NULL;
	sv_identity *id = NULL;
	struct stat sb;
	sv_principal found;
	int error;

	if ((error = sv_principal_spec_check(spec)) < 0 ||
	    (error = sv_authorize(v, "principal.add", SV_ABOUT(.principal = spec->name))) < 0)
		return error;
	if (!passphrase && strcmp(spec->kind, "service") != 0)
		return sv_error(SCRVAULT_EUSAGE,
				"a %s's key file needs a passphrase (only a service principal may have none)",
				spec->kind);
	if (passphrase && (error = sv_passphrase_check(passphrase, "passphrase")) < 0)
		return error;
	if (!keyfile || lstat(keyfile, &sb) == 0)
		return sv_error(SCRVAULT_ECONFLICT, "key file '%s' already exists; choose another path",
				keyfile ? keyfile : "");
	if ((error = sv_find_principal(&found, v, spec->name)) < 0)
		return error;
	if (error == 1)
		return sv_error(SCRVAULT_ECONFLICT, "principal '%s' already exists", spec->name);
	if ((error = sv_identity_generate(&id, spec->name, v->id)) < 0)
		return error;
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	if ((error = sv_principal_insert(v, spec, id, NULL)) < 0)
		goto fail;
	if ((error = sv_audit_append(v, "principal.add", "ok", SV_ABOUT(.principal = spec->name),
				     SV_FIELDS(SV_STR("kind", spec->kind), SV_BOOL("custodian", spec->custodian)))) < 0)
		goto fail;
	if ((error = sv_identity_save(id, keyfile, passphrase, &kdf)) < 0)
		goto fail;
	if (spec->custodian) {
		/* A keyring entry without a committed principal row opens nothing:
		 * the unlock also requires the registered, active principal. */
		if ((error = sv_keyring_load(&kr, v->dir)) < 0 ||
		    (error = sv_keyring_add(kr, spec->name, id->x_pub, v->vmk)) < 0 ||
		    (error = sv_keyring_save(kr, v->dir, false)) < 0) {
			remove(keyfile);
			goto fail;
		}
	}
	if ((error = sv_vault_commit(v)) < 0)
		remove(keyfile);
	goto done;
fail:
	sv_vault_abort(v);
done:
	sv_keyring_free(kr);
	sv_identity_free(id);
	return error;
}

/* A principal as listings show it. */
#define PRINCIPAL_SELECT "SELECT name, display_name, kind, agency, contact, custodian, status, created_at FROM principals"
#define PRINCIPAL_COLUMNS SV_COLS({ "name", SV_COL_TEXT }, { "display_name", SV_COL_TEXT }, \
	{ "kind", SV_COL_TEXT }, { "agency", SV_COL_TEXT }, { "contact", SV_COL_TEXT }, \
	{ "custodian", SV_COL_BOOL }, { "status", SV_COL_TEXT }, { "created_at", SV_COL_TEXT })

int scrvault_principal_list(scrvault_json **out, scrvault *v)
{
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "principal.read", NULL)) < 0)
		return error;
	return sv_rows_json(out, v->db, PRINCIPAL_COLUMNS, NULL, NULL, PRINCIPAL_SELECT " ORDER BY name", "");
}

int scrvault_principal_show(scrvault_json **out, scrvault *v, const char *name)
{
	sv_json *o = NULL, *roles = NULL;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "principal.read", SV_ABOUT(.principal = name))) < 0)
		return error;
	if ((error = sv_row_one_json(&o, v->db, PRINCIPAL_COLUMNS, PRINCIPAL_SELECT " WHERE name = ?", "t", name)) < 0)
		return error;
	if (!o)
		return sv_error(SCRVAULT_ENOTFOUND, "no principal '%s' (see 'scrvault principal list')", name);
	if ((error = sv_rows_json(&roles, v->db, SV_COLS({ "role", SV_COL_TEXT }, { "case", SV_COL_OPT },
							 { "agency", SV_COL_OPT }, { "granted_at", SV_COL_TEXT }),
				  NULL, NULL, "SELECT g.role, g.case_ref, g.agency, g.granted_at FROM grants g"
				  " JOIN principals p ON p.id = g.principal_id WHERE p.name = ?"
				  " ORDER BY g.role, g.case_ref, g.agency", "t", name)) < 0 ||
	    (error = sv_json_set(o, "roles", roles)) < 0) {
		sv_json_free(o);
		return error;
	}
	*out = o;
	return 0;
}

/* A principal by name into p; SCRVAULT_ENOTFOUND if there is none. */
static int principal_lookup(sv_principal *p, scrvault *v, const char *name)
{
	int error;

	if ((error = sv_find_principal(p, v, name)) < 0)
		return error;
	if (!error)
		return sv_error(SCRVAULT_ENOTFOUND, "no principal '%s' (see 'scrvault principal list')",
				name ? name : "");
	return 0;
}

/* The principal to revoke into p: active, and not the last active custodian. */
static int principal_revocable(sv_principal *p, scrvault *v, const char *name)
{
	int64_t others = 0;
	int error;

	if ((error = principal_lookup(p, v, name)) < 0)
		return error;
	if (strcmp(p->status, "active") != 0)
		return sv_error(SCRVAULT_ECONFLICT, "principal '%s' is already %s", name, p->status);
	if (p->custodian) {
		if ((error = sv_db_int(&others, v->db, "SELECT count(*) FROM principals WHERE custodian = 1"
				       " AND status = 'active' AND id <> ?", "i", p->id)) < 0)
			return error;
		if (others == 0)
			return sv_error(SCRVAULT_ECONFLICT, "'%s' is the last custodian: add another before revoking", name);
	}
	return 0;
}

/* A grant's audit entry: objects principal and case, details role and agency. */
#define GRANT_ABOUT(name, case_ref) SV_ABOUT(.principal = (name), .caseref = (case_ref))
#define GRANT_DETAILS(role, agency) SV_FIELDS(SV_STR("role", (role)), SV_OPT("agency", (agency)))

/* Check role, case and agency against the role's scope. */
static int grant_check(scrvault *v, const char *role, const char *case_ref, const char *agency)
{
	sv_stmt *st = NULL;
	sv_scope scope = SV_SCOPE_NONE;
	int64_t n = 0;
	int error;

	if ((error = sv_db_query(&st, v->db, "SELECT scope FROM policy_roles WHERE role = ?", "t", role)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1)
		scope = sv_scope_parse(sv_stmt_text(st, 0));
	sv_stmt_free(st);
	if (error < 0)
		return error;
	if (scope == SV_SCOPE_NONE)
		return sv_error(SCRVAULT_EUSAGE, "the policy has no role '%s' (see 'scrvault policy show')", role);
	if (scope == SV_SCOPE_BOARD && ((case_ref && *case_ref) || (agency && *agency)))
		return sv_error_field(SCRVAULT_EUSAGE, case_ref && *case_ref ? "case_ref" : "agency",
				      "role '%s' is board-wide: give no case or agency", role);
	if (scope != SV_SCOPE_BOARD && !(case_ref && *case_ref))
		return sv_error_field(SCRVAULT_EUSAGE, "case_ref", "role '%s' is held for a case: give the case", role);
	if (scope == SV_SCOPE_CASE && agency && *agency)
		return sv_error_field(SCRVAULT_EUSAGE, "agency", "role '%s' is held for a whole case: give no agency", role);
	if (scope == SV_SCOPE_CASE_AGENCY && !(agency && *agency))
		return sv_error_field(SCRVAULT_EUSAGE, "agency", "role '%s' is held for a case and an agency: give the agency",
				      role);
	if (scope != SV_SCOPE_BOARD) {
		if ((error = sv_db_int(&n, v->db, "SELECT count(*) FROM cases WHERE ref = ?", "t", case_ref)) < 0)
			return error;
		if (n == 0)
			return sv_error(SCRVAULT_ENOTFOUND, "no case '%s' (see 'scrvault case list')", case_ref);
	}
	return 0;
}

int scrvault_principal_grant(scrvault *v, const char *name, const char *role,
			     const char *case_ref, const char *agency)
{
	char when[21];
	sv_principal p;
	int error;

	if ((error = sv_authorize(v, "principal.grant", GRANT_ABOUT(name, case_ref))) < 0)
		return error;
	if ((error = principal_lookup(&p, v, name)) < 0 ||
	    (error = grant_check(v, role ? role : "", case_ref, agency)) < 0)
		return error;
	if (strcmp(p.status, "active") != 0)
		return sv_error(SCRVAULT_ECONFLICT, "principal '%s' is %s and can hold no role", name, p.status);
	sv_time_iso(when, sv_now());
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	error = sv_db_run(v->db, "INSERT INTO grants(principal_id, role, case_ref, agency, granted_at, granted_by)"
			  " VALUES (?, ?, ?, ?, ?, ?)", "itttti", p.id, role, case_ref ? case_ref : "",
			  agency ? agency : "", when, v->principal_id);
	if (error == SCRVAULT_ECONFLICT)
		error = sv_error(SCRVAULT_ECONFLICT, "principal '%s' already holds that role there", name);
	if (error < 0 ||
	    (error = sv_audit_append(v, "principal.grant", "ok", GRANT_ABOUT(name, case_ref),
				     GRANT_DETAILS(role, agency))) < 0) {
		sv_vault_abort(v);
		return error;
	}
	return sv_vault_commit(v);
}

int scrvault_principal_ungrant(scrvault *v, const char *name, const char *role,
			       const char *case_ref, const char *agency)
{
	int64_t left = 0;
	sv_principal p;
	int error;

	if ((error = sv_authorize(v, "principal.grant", GRANT_ABOUT(name, case_ref))) < 0)
		return error;
	if ((error = principal_lookup(&p, v, name)) < 0)
		return error;
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_db_run(v->db, "DELETE FROM grants WHERE principal_id = ? AND role = ? AND case_ref = ?"
			       " AND agency = ?", "ittt", p.id, role ? role : "", case_ref ? case_ref : "",
			       agency ? agency : "")) < 0)
		goto fail;
	if (sv_db_changes(v->db) == 0) {
		error = sv_error(SCRVAULT_ENOTFOUND, "principal '%s' does not hold role '%s'%s%s%s%s",
				 name, role ? role : "", case_ref && *case_ref ? " for case " : "",
				 case_ref && *case_ref ? case_ref : "", agency && *agency ? " and agency " : "",
				 agency && *agency ? agency : "");
		goto fail;
	}
	/* Never leave the vault with nobody able to grant roles. */
	if ((error = sv_db_int(&left, v->db, "SELECT count(*) FROM grants g JOIN principals p ON p.id = g.principal_id"
			       " JOIN policy_roles r ON r.role = g.role JOIN policy_allow a ON a.role = g.role"
			       " WHERE p.status = 'active' AND p.custodian = 1 AND r.scope = 'board'"
			       " AND a.action = 'principal.grant' AND a.class = ''", "")) < 0)
		goto fail;
	if (left == 0) {
		error = sv_error(SCRVAULT_ECONFLICT, "no active custodian would be left able to grant roles: "
				 "grant the role to another custodian first");
		goto fail;
	}
	if ((error = sv_audit_append(v, "principal.ungrant", "ok", GRANT_ABOUT(name, case_ref),
				     GRANT_DETAILS(role ? role : "", agency))) < 0)
		goto fail;
	return sv_vault_commit(v);
fail:
	sv_vault_abort(v);
	return error;
}

/* Inside a transaction: revoke `name` (checked by the caller). */
int sv_principal_revoke_txn(scrvault *v, const char *name, const char *reason)
{
	char when[21];
	sv_principal p;
	int error;

	if ((error = principal_revocable(&p, v, name)) < 0)
		return error;
	sv_time_iso(when, sv_now());
	if ((error = sv_db_run(v->db, "UPDATE principals SET status = 'revoked', revoked_at = ? WHERE id = ?",
			       "ti", when, p.id)) < 0)
		return error;
	if ((error = sv_audit_append(v, "principal.revoke", "ok", SV_ABOUT(.principal = name),
				     SV_FIELDS(SV_BOOL("custodian", p.custodian), SV_OPT("reason", reason)))) < 0)
		return error;
	/* A custodian's wrap of the master key goes; the others are wrapped afresh.
	 * Written before the commit: if the commit then fails, the principal is
	 * still active but can no longer unlock (fail safe). */
	if (p.custodian && (error = sv_keyring_rewrap(v, name, NULL, NULL)) < 0)
		return error;
	return 0;
}

int scrvault_principal_revoke(scrvault_json **out, scrvault *v, const char *name, const char *reason)
{
	sv_principal p;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "principal.revoke", SV_ABOUT(.principal = name))) < 0 ||
	    (error = principal_revocable(&p, v, name)) < 0)
		return error;
	if (sv_dual_required(v, "principal.revoke") ||
	    (p.custodian && sv_dual_required(v, "principal.revoke-custodian"))) {
		return sv_op_request(out, v, "principal.revoke", name,
				     SV_FIELDS(SV_STR("principal", name), SV_OPT("reason", reason)));
	}
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_principal_revoke_txn(v, name, reason)) < 0) {
		sv_vault_abort(v);
		return error;
	}
	return sv_vault_commit(v);
}

int scrvault_principal_rotate(scrvault *v, const char *name, const char *keyfile,
			      const scrvault_secret *passphrase, unsigned kdf_mib)
{
	sv_argon2_params kdf = sv_kdf_params(kdf_mib);
	sv_identity *id = NULL;
	sv_principal p;
	struct stat sb;
	int error;

	if ((error = sv_authorize(v, "principal.rotate", SV_ABOUT(.principal = name))) < 0 ||
	    (error = sv_kdf_new_check(kdf_mib)) < 0 ||
	    (passphrase && (error = sv_passphrase_check(passphrase, "passphrase")) < 0))
		return error;
	if ((error = principal_lookup(&p, v, name)) < 0)
		return error;
	if (strcmp(p.status, "active") != 0)
		return sv_error(SCRVAULT_ECONFLICT, "principal '%s' is %s: its keys cannot be replaced", name, p.status);
	if (!keyfile || lstat(keyfile, &sb) == 0)
		return sv_error(SCRVAULT_ECONFLICT, "key file '%s' already exists; choose another path",
				keyfile ? keyfile : "");
	if ((error = sv_identity_generate(&id, name, v->id)) < 0)
		return error;
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	if ((error = sv_db_run(v->db, "UPDATE principals SET ed25519_pub = ?, x25519_pub = ? WHERE id = ?",
			       "bbi", id->ed_pub, (size_t)SV_KEY_LEN, id->x_pub, (size_t)SV_KEY_LEN, p.id)) < 0 ||
	    (error = sv_audit_append(v, "principal.rotate", "ok", SV_ABOUT(.principal = name), NULL)) < 0 ||
	    (error = sv_identity_save(id, keyfile, passphrase, &kdf)) < 0) {
		sv_vault_abort(v);
		goto done;
	}
	if (p.custodian && (error = sv_keyring_rewrap(v, NULL, name, id->x_pub)) < 0) {
		remove(keyfile);
		sv_vault_abort(v);
		goto done;
	}
	if ((error = sv_vault_commit(v)) < 0)
		remove(keyfile);
done:
	sv_identity_free(id);
	return error;
}

int scrvault_principal_impact(scrvault_json **out, scrvault *v, const char *name)
{
	sv_principal p;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "principal.impact", SV_ABOUT(.principal = name))) < 0 ||
	    (error = principal_lookup(&p, v, name)) < 0)
		return error;
	return sv_rows_json(out, v->db, SV_COLS({ "doc", SV_COL_TEXT }, { "version", SV_COL_INT },
						{ "case", SV_COL_TEXT }, { "class", SV_COL_TEXT },
						{ "role", SV_COL_TEXT }, { "released_at", SV_COL_TEXT },
						{ "request", SV_COL_TEXT }, { "audit_seq", SV_COL_INT }), NULL, NULL,
			    "SELECT r.doc_id, r.version, c.ref, d.class, r.role, r.released_at, r.request, r.audit_seq"
			      " FROM releases r JOIN principals p ON p.id = r.principal_id"
			      " JOIN documents d ON d.id = r.doc_id JOIN cases c ON c.id = d.case_id"
			      " WHERE p.name = ? ORDER BY r.id", "t", name);
}

int sv_principal_spec_check(const scrvault_principal_spec *s)
{
	int error;

	if ((error = SV_STRUCT_CHECK(s, SCRVAULT_PRINCIPAL_SPEC_VERSION, "scrvault_principal_spec")) < 0 ||
	    (error = sv_name_check(s->name)) < 0)
		return error;
	if (!s->kind || (strcmp(s->kind, "person") && strcmp(s->kind, "agency") &&
			 strcmp(s->kind, "service")))
		return sv_error_field(SCRVAULT_EUSAGE, "kind", "principal kind must be person, agency or service");
	/* A scheduled job (the retention purge) must unlock on its own: a
	 * service principal may hold a wrap of the master key; its role limits
	 * what it can do with it. */
	if (s->custodian && strcmp(s->kind, "person") != 0 && strcmp(s->kind, "service") != 0)
		return sv_error_field(SCRVAULT_EUSAGE, "custodian",
				      "only a person or a service principal (a scheduled job) can be a custodian");
	return sv_kdf_new_check(s->kdf_mib);
}
