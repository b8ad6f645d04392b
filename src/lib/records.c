/*
 * records.c - principals and cases.
 *
 * Titles, names and contact details live only in the encrypted database;
 * audit entries name principals and case references, never a case title.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "vault_int.h"
#include "authz.h"

/* {"<key>": "<value>"} or NULL on allocation failure. */
sv_json *sv_obj1(const char *key, const char *value)
{
	sv_json *o = sv_json_object();

	if (o && sv_json_set_str(o, key, value) < 0) {
		sv_json_free(o);
		return NULL;
	}
	return o;
}

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
	sv_json *det = NULL;
	struct stat sb;
	int64_t exists = 0;
	int error;

	if ((error = sv_authorize(v, "principal.add", sv_obj1("principal", spec->name))) < 0)
		return error;
	if ((error = sv_principal_spec_check(spec)) < 0)
		return error;
	if (!passphrase && strcmp(spec->kind, "service") != 0)
		return sv_error(SCRVAULT_EUSAGE,
				"a %s's key file needs a passphrase (only a service principal may have none)",
				spec->kind);
	if (!keyfile || lstat(keyfile, &sb) == 0)
		return sv_error(SCRVAULT_ECONFLICT, "key file '%s' already exists; choose another path",
				keyfile ? keyfile : "");
	if ((error = sv_db_int(&exists, v->db, "SELECT count(*) FROM principals WHERE name = ?",
			       "t", spec->name)) < 0)
		return error;
	if (exists)
		return sv_error(SCRVAULT_ECONFLICT, "principal '%s' already exists", spec->name);
	if ((error = sv_identity_generate(&id, spec->name, v->id)) < 0)
		return error;
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	if ((error = sv_principal_insert(v, spec, id, NULL)) < 0)
		goto fail;
	if (!(det = sv_json_object()) || sv_json_set_str(det, "kind", spec->kind) < 0 ||
	    sv_json_set_bool(det, "custodian", spec->custodian) < 0) {
		error = SCRVAULT_ERROR;
		goto fail;
	}
	error = sv_audit_append(v, "principal.add", "ok", sv_obj1("principal", spec->name), det);
	det = NULL;
	if (error < 0)
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
	sv_json_free(det);
	sv_keyring_free(kr);
	sv_identity_free(id);
	return error;
}

static sv_json *principal_row(sv_stmt *st)
{
	sv_json *o = sv_json_object();

	if (!o || sv_json_set_str(o, "name", sv_stmt_text(st, 0)) < 0 ||
	    sv_json_set_str(o, "display_name", sv_stmt_text(st, 1)) < 0 ||
	    sv_json_set_str(o, "kind", sv_stmt_text(st, 2)) < 0 ||
	    sv_json_set_str(o, "agency", sv_stmt_text(st, 3)) < 0 ||
	    sv_json_set_str(o, "contact", sv_stmt_text(st, 4)) < 0 ||
	    sv_json_set_bool(o, "custodian", sv_stmt_int(st, 5) != 0) < 0 ||
	    sv_json_set_str(o, "status", sv_stmt_text(st, 6)) < 0 ||
	    sv_json_set_str(o, "created_at", sv_stmt_text(st, 7)) < 0) {
		sv_json_free(o);
		return NULL;
	}
	return o;
}

#define PRINCIPAL_COLS "name, display_name, kind, agency, contact, custodian, status, created_at"

int sv_query_array(sv_json **out, scrvault *v, sv_json *(*row)(sv_stmt *),
		   const char *sql, const char *fmt, const char *a1)
{
	sv_json *arr = sv_json_array();
	sv_stmt *st = NULL;
	int error;

	*out = NULL;
	if (!arr)
		return SCRVAULT_ERROR;
	if ((error = sv_db_query(&st, v->db, sql, fmt, a1)) < 0)
		goto done;
	while ((error = sv_stmt_step(st)) == 1)
		if ((error = sv_json_append(arr, row(st))) < 0)
			goto done;
	if (error == 0) {
		*out = arr;
		arr = NULL;
	}
done:
	sv_stmt_free(st);
	sv_json_free(arr);
	return error;
}

int scrvault_principal_list(scrvault_json **out, scrvault *v)
{
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "principal.list", NULL)) < 0)
		return error;
	return sv_query_array(out, v, principal_row,
			      "SELECT " PRINCIPAL_COLS " FROM principals ORDER BY name", "", NULL);
}

int scrvault_principal_show(scrvault_json **out, scrvault *v, const char *name)
{
	sv_json *arr = NULL;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "principal.list", sv_obj1("principal", name))) < 0)
		return error;
	if ((error = sv_query_array(&arr, v, principal_row,
				    "SELECT " PRINCIPAL_COLS " FROM principals WHERE name = ?", "t", name)) < 0)
		return error;
	if (sv_json_count(arr) == 0) {
		sv_json_free(arr);
		return sv_error(SCRVAULT_ENOTFOUND, "no principal '%s' (see 'scrvault principal list')", name);
	}
	/* Detach the one row from the array. */
	{
		char *text = NULL;
		size_t len;

		if ((error = sv_json_write(&text, &len, sv_json_at(arr, 0))) == 0)
			error = sv_json_parse(out, text, len, NULL);
		free(text);
	}
	sv_json_free(arr);
	return error;
}

/* ---- cases ------------------------------------------------------------------- */

static bool review_type_valid(const char *t)
{
	return t && (!strcmp(t, "scr") || !strcmp(t, "sir") || !strcmp(t, "interagency"));
}

int scrvault_case_open(scrvault *v, const scrvault_case_spec *spec)
{
	sv_json *det = NULL;
	char when[21];
	int error;

	if ((error = sv_authorize(v, "case.open", sv_obj1("case", spec->ref))) < 0)
		return error;
	if (!sv_ref_valid(spec->ref))
		return sv_error(SCRVAULT_EUSAGE,
				"case reference '%s' is not valid: use 1-32 of A-Z a-z 0-9 -, like SCR-2026-03",
				spec->ref ? spec->ref : "");
	if (!spec->title || !*spec->title)
		return sv_error(SCRVAULT_EUSAGE, "a case needs a title (--title)");
	if (!review_type_valid(spec->review_type))
		return sv_error(SCRVAULT_EUSAGE, "review type must be scr, sir or interagency");
	if (spec->subject_dob && !sv_date_valid(spec->subject_dob))
		return sv_error(SCRVAULT_EUSAGE, "subject's date of birth '%s' is not a date (YYYY-MM-DD)",
				spec->subject_dob);
	if (spec->decision_date && !sv_date_valid(spec->decision_date))
		return sv_error(SCRVAULT_EUSAGE, "decision date '%s' is not a date (YYYY-MM-DD)",
				spec->decision_date);
	sv_time_iso(when, sv_now());
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	error = sv_db_run(v->db,
			  "INSERT INTO cases(ref, title, review_type, subject_dob, decision_date, opened_at, opened_by)"
			  " VALUES (?,?,?,?,?,?,?)", "tttttti", spec->ref, spec->title, spec->review_type,
			  spec->subject_dob, spec->decision_date, when, v->principal_id);
	if (error == SCRVAULT_ECONFLICT) {
		sv_vault_abort(v);
		return sv_error(SCRVAULT_ECONFLICT, "case '%s' already exists", spec->ref);
	}
	if (error < 0)
		goto fail;
	if (!(det = sv_json_object()) || sv_json_set_str(det, "review_type", spec->review_type) < 0) {
		sv_json_free(det);
		error = SCRVAULT_ERROR;
		goto fail;
	}
	if ((error = sv_audit_append(v, "case.open", "ok", sv_obj1("case", spec->ref), det)) < 0)
		goto fail;
	return sv_vault_commit(v);
fail:
	sv_vault_abort(v);
	return error;
}

static sv_json *case_row(sv_stmt *st)
{
	sv_json *o = sv_json_object();

	if (!o || sv_json_set_str(o, "ref", sv_stmt_text(st, 0)) < 0 ||
	    sv_json_set_str(o, "title", sv_stmt_text(st, 1)) < 0 ||
	    sv_json_set_str(o, "review_type", sv_stmt_text(st, 2)) < 0 ||
	    sv_json_set_str(o, "subject_dob", sv_stmt_text(st, 3)) < 0 ||
	    sv_json_set_str(o, "decision_date", sv_stmt_text(st, 4)) < 0 ||
	    sv_json_set_str(o, "status", sv_stmt_text(st, 5)) < 0 ||
	    sv_json_set_str(o, "opened_at", sv_stmt_text(st, 6)) < 0 ||
	    sv_json_set_int(o, "documents", sv_stmt_int(st, 7)) < 0) {
		sv_json_free(o);
		return NULL;
	}
	return o;
}

#define CASE_SELECT "SELECT ref, title, review_type, subject_dob, decision_date, status, opened_at," \
	" (SELECT count(*) FROM documents d WHERE d.case_id = c.id) FROM cases c"

int scrvault_case_list(scrvault_json **out, scrvault *v)
{
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "case.list", NULL)) < 0)
		return error;
	return sv_query_array(out, v, case_row, CASE_SELECT " ORDER BY ref", "", NULL);
}

int scrvault_case_show(scrvault_json **out, scrvault *v, const char *ref)
{
	sv_json *arr = NULL, *c = NULL, *docs = NULL;
	char *text = NULL;
	size_t len;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "case.list", sv_obj1("case", ref))) < 0)
		return error;
	if ((error = sv_query_array(&arr, v, case_row, CASE_SELECT " WHERE ref = ?", "t", ref)) < 0)
		return error;
	if (sv_json_count(arr) == 0) {
		error = sv_error(SCRVAULT_ENOTFOUND, "no case '%s' (see 'scrvault case list')", ref);
		goto done;
	}
	if ((error = sv_json_write(&text, &len, sv_json_at(arr, 0))) < 0 ||
	    (error = sv_json_parse(&c, text, len, NULL)) < 0 ||
	    (error = scrvault_doc_list(&docs, v, ref)) < 0 ||
	    (error = sv_json_set(c, "document_list", docs)) < 0)
		goto done;
	*out = c;
	c = NULL;
done:
	free(text);
	sv_json_free(arr);
	sv_json_free(c);
	return error;
}
