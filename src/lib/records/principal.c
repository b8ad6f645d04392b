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
#include "records/signin.h"
#include "records/keys.h"
#include "records/pending.h"
#include "records/separation.h"
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
#include "crypto/enrol.h"
#include "crypto/identity.h"
#include "crypto/kdf.h"
#include "crypto/note.h"
#include "base/file.h"
#include "crypto/passphrase.h"
#include "base/common.h"
#include "base/date.h"
#include "base/json.h"
#include "base/text.h"

/* ---- principals ------------------------------------------------------------ */

static int principal_lookup(sv_principal *p, scrvault *v, const char *name);

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
	if (error < 0)
		return error;
	if (rowid)
		*rowid = sv_db_last_rowid(v->db);
	/* the first row of its key history */
	return sv_principal_keys_replace(v, sv_db_last_rowid(v->db), id->ed_pub, id->x_pub, NULL);
}

/*
 * Whether either key is, or ever was, anyone's but the current keys of
 * principal `except` (0: anyone's at all): ECONFLICT naming whose, or 0.  A
 * key is registered once: never again for another principal, nor for the
 * same one after it was rotated away or revoked.
 */
static int keys_unused(scrvault *v, int64_t except, const unsigned char ed[SV_KEY_LEN],
		       const unsigned char x[SV_KEY_LEN])
{
	sv_stmt *st = NULL;
	int error;

	if ((error = sv_db_query(&st, v->db,
				 "SELECT p.name, CASE WHEN k.until_at IS NULL THEN 'current' ELSE 'earlier' END"
				 " FROM principal_keys k JOIN principals p ON p.id = k.principal_id"
				 " WHERE NOT (k.principal_id = ? AND k.until_at IS NULL)"
				 " AND (k.ed25519_pub IN (?, ?) OR k.x25519_pub IN (?, ?)) LIMIT 1",
				 "ibbbb", except, ed, (size_t)SV_KEY_LEN, x, (size_t)SV_KEY_LEN,
				 ed, (size_t)SV_KEY_LEN, x, (size_t)SV_KEY_LEN)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1)
		error = sv_error(SCRVAULT_ECONFLICT, "these keys are already registered, as %s keys of principal '%s': "
				 "a key is registered once; the holder makes a new one with 'scrvault keygen'",
				 sv_stmt_text(st, 1), sv_stmt_text(st, 0));
	sv_stmt_free(st);
	return error;
}

/* The verifier key a key file of this vault pins (caller frees). */
static char *vault_vkey(const scrvault *v)
{
	return sv_note_vkey(v->origin, v->audit_pub);
}

int sv_principal_register_txn(scrvault *v, const scrvault_principal_spec *spec,
			      const unsigned char ed_pub[SV_KEY_LEN], const unsigned char x_pub[SV_KEY_LEN],
			      const char *fingerprint, const char *dual)
{
	sv_identity pub = { .name = (char *)spec->name };
	sv_keyring *kr = NULL;
	int64_t pid = 0;
	int error;

	memcpy(pub.ed_pub, ed_pub, SV_KEY_LEN);
	memcpy(pub.x_pub, x_pub, SV_KEY_LEN);
	if ((error = sv_principal_insert(v, spec, &pub, &pid)) < 0 ||
	    (error = keys_unused(v, pid, ed_pub, x_pub)) < 0 ||
	    (error = sv_audit_append(v, "principal.add", "ok", SV_ABOUT(.principal = spec->name),
				     SV_FIELDS(SV_STR("kind", spec->kind), SV_BOOL("custodian", spec->custodian),
					       SV_OPT("enrolment", fingerprint ? "holder" : NULL),
					       SV_OPT("fingerprint", fingerprint),
					       SV_OPT("dual_control", dual)))) < 0)
		return error;
	/* A keyring entry without a committed principal row opens nothing:
	 * the unlock also requires the registered, active principal. */
	if (spec->custodian &&
	    ((error = sv_keyring_load(&kr, v->dir)) < 0 ||
	     (error = sv_keyring_add(kr, spec->name, x_pub, v->vmk)) < 0 ||
	     (error = sv_keyring_save(kr, v->dir, false)) < 0)) {
		sv_keyring_free(kr);
		return error;
	}
	sv_keyring_free(kr);
	return 0;
}

/* Does the policy hold adding a principal like `spec` for a second custodian? */
/*
 * A service principal's new key file (principal add and rotate with
 * --key-out): made here, bound to this vault and written to `keyfile`; then
 * either held for a second custodian (operation `action` on `target` with
 * `params` and the new public keys) or, in one transaction, put on record by
 * `apply`.  The key file is removed again on every failure: it exists only
 * if its key works, now or once approved.
 */
typedef int (*service_key_apply)(scrvault *v, const void *ctx, const unsigned char ed_pub[SV_KEY_LEN],
				 const unsigned char x_pub[SV_KEY_LEN], const char *dual);

static int service_key_write(scrvault_json **out, scrvault *v, const char *name, const char *keyfile,
			     const scrvault_secret *passphrase, unsigned kdf_mib, bool listed, const char *action,
			     const sv_field *params, service_key_apply apply, const void *ctx)
{
	sv_argon2_params kdf = sv_kdf_params(kdf_mib);
	sv_identity *id = NULL;
	char *vkey = NULL, *ed = NULL, *x = NULL;
	sv_dual mode;
	int error;

	if ((error = sv_identity_generate(&id, name, v->id)) < 0)
		return error;
	if (!(vkey = vault_vkey(v)) || (error = sv_identity_set_vault(id, v->id, vkey)) < 0) {
		error = error < 0 ? error : SCRVAULT_ERROR;
		goto done;
	}
	if ((mode = sv_dual_mode(v, listed)) == SV_DUAL_HOLD) {
		sv_field all[16];
		size_t n = 0;

		while (params[n].type != SV_F_END && n < SV_ARRAY_SIZE(all) - 3) {
			all[n] = params[n];
			n++;
		}
		if (!(ed = sv_base64(id->ed_pub, SV_KEY_LEN)) || !(x = sv_base64(id->x_pub, SV_KEY_LEN))) {
			error = SCRVAULT_ERROR;
			goto done;
		}
		all[n++] = SV_STR("ed25519_pub", ed);
		all[n++] = SV_STR("x25519_pub", x);
		all[n] = (sv_field){ .type = SV_F_END };
		if ((error = sv_identity_save(id, keyfile, passphrase, &kdf)) == 0 &&
		    (error = sv_op_request(out, v, action, name, all)) < 0)
			remove(keyfile);
		goto done;
	}
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	/* The key file first: a custodian's wrap is written to the new key
	 * only once the file that opens it exists. */
	if ((error = sv_identity_save(id, keyfile, passphrase, &kdf)) < 0) {
		sv_vault_abort(v);
		goto done;
	}
	if ((error = apply(v, ctx, id->ed_pub, id->x_pub, SV_DUAL_DETAIL(mode))) < 0) {
		remove(keyfile);
		sv_vault_abort(v);
		goto done;
	}
	if ((error = sv_vault_commit(v)) < 0)
		remove(keyfile);
done:
	free(ed);
	free(x);
	sv_identity_free(id);
	free(vkey);
	return error;
}

static int add_apply(scrvault *v, const void *spec, const unsigned char ed_pub[SV_KEY_LEN],
		     const unsigned char x_pub[SV_KEY_LEN], const char *dual)
{
	return sv_principal_register_txn(v, spec, ed_pub, x_pub, NULL, dual);
}

static int rotate_apply(scrvault *v, const void *name, const unsigned char ed_pub[SV_KEY_LEN],
			const unsigned char x_pub[SV_KEY_LEN], const char *dual)
{
	return sv_principal_rekey_txn(v, name, ed_pub, x_pub, NULL, dual);
}

static bool add_listed(scrvault *v, const scrvault_principal_spec *spec)
{
	return (spec->custodian && !strcmp(spec->kind, "person") && sv_dual_required(v, "principal.add-custodian")) ||
	       (!strcmp(spec->kind, "service") && sv_dual_required(v, "principal.add-service"));
}

int scrvault_principal_add(scrvault_json **out, scrvault *v, const scrvault_principal_spec *spec,
			   const char *keyfile, const scrvault_secret *passphrase)
{
	struct stat sb;
	sv_principal found;
	int error;

	*out = NULL;
	if ((error = sv_principal_spec_check(spec)) < 0 ||
	    (error = sv_authorize(v, "principal.add", SV_ABOUT(.principal = spec->name))) < 0)
		return error;
	if (strcmp(spec->kind, "service") != 0)
		return sv_error_field(SCRVAULT_EUSAGE, "keyfile",
				      "a %s makes their own key, which nobody else may hold: they run 'scrvault keygen' "
				      "(or 'scrvault-seal keygen') on their own machine and send you the enrolment "
				      "request it writes, which you register with its fingerprint ('principal add "
				      "--enrolment'); only a service principal's key file is made here", spec->kind);
	if (passphrase && (error = sv_passphrase_check(passphrase, "passphrase")) < 0)
		return error;
	if (!keyfile || lstat(keyfile, &sb) == 0)
		return sv_error(SCRVAULT_ECONFLICT, "key file '%s' already exists; choose another path",
				keyfile ? keyfile : "");
	if ((error = sv_find_principal(&found, v, spec->name)) < 0)
		return error;
	if (error == 1)
		return sv_error(SCRVAULT_ECONFLICT, "principal '%s' already exists", spec->name);
	return service_key_write(out, v, spec->name, keyfile, passphrase, spec->kdf_mib, add_listed(v, spec),
				 "principal.add",
				 SV_FIELDS(SV_STR("name", spec->name), SV_STR("kind", spec->kind),
					   SV_OPT("display_name", spec->display_name), SV_OPT("agency", spec->agency),
					   SV_OPT("contact", spec->contact), SV_BOOL("custodian", spec->custodian)),
				 add_apply, spec);
}

/* ---- enrolment: the holder's own keys ---------------------------------------------- */

/* The request of s, checked against the words the coordinator confirmed. */
static int enrolment_load(sv_enrolment **out, const scrvault_enrol_spec *s)
{
	sv_enrolment *e = NULL;
	int error;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(s, SCRVAULT_ENROL_SPEC_VERSION, "scrvault_enrol_spec")) < 0)
		return error;
	if (!s->enrolment || !*s->enrolment)
		return sv_error_field(SCRVAULT_EUSAGE, "enrolment", "no enrolment request given");
	if ((error = sv_enrolment_read(&e, s->enrolment)) < 0)
		return error;
	if (!s->fingerprint || !*s->fingerprint) {
		error = sv_error_field(SCRVAULT_EUSAGE, "fingerprint", "registering a key needs its fingerprint as "
				       "the holder reads it to you from their own screen (the request's is: %s)",
				       e->fingerprint);
	} else if (!sv_fingerprint_matches(s->fingerprint, e->fingerprint)) {
		error = sv_error_field(SCRVAULT_EINTEGRITY, "fingerprint",
				       "the fingerprint the holder read (%s) is not this request's (%s): the request "
				       "is not the one the holder made; nothing registered, ask them to send it again",
				       s->fingerprint, e->fingerprint);
	}
	if (error < 0) {
		sv_enrolment_free(e);
		return error;
	}
	*out = e;
	return 0;
}

/* The acceptance path of s for `name` (caller frees); ECONFLICT if it exists. */
static int acceptance_path(char **out, const scrvault_enrol_spec *s, const char *name)
{
	struct stat sb;

	*out = s->acceptance_out ? sv_strdup(s->acceptance_out) : sv_printf("%s.accept", name);
	if (!*out)
		return SCRVAULT_ERROR;
	if (lstat(*out, &sb) == 0) {
		int error = sv_error_field(SCRVAULT_ECONFLICT, "acceptance_out", "'%s' already exists; refusing to "
					   "overwrite it", *out);

		free(*out);
		*out = NULL;
		return error;
	}
	return 0;
}

/* Inside the transaction: sign the acceptance of e and write it to `path`;
 * *res gets the answer. */
static int acceptance_write(sv_json **res, scrvault *v, const sv_enrolment *e, const char *path, bool custodian)
{
	sv_acceptance a;
	char *text = NULL;
	int error;

	*res = NULL;
	memset(&a, 0, sizeof(a));
	snprintf(a.vault_id, sizeof(a.vault_id), "%s", v->id);
	a.name = e->name;
	memcpy(a.ed_pub, e->ed_pub, SV_KEY_LEN);
	memcpy(a.x_pub, e->x_pub, SV_KEY_LEN);
	sv_time_iso(a.accepted_at, sv_now());
	if (!(a.vault_key = vault_vkey(v)))
		return SCRVAULT_ERROR;
	if ((error = sv_acceptance_make(&text, &a, v->audit_key)) == 0 &&
	    (error = sv_json_new(res, SV_FIELDS(SV_STR("acceptance", path), SV_BOOL("custodian", custodian),
					       SV_STR("fingerprint", e->fingerprint), SV_STR("kind", e->kind),
					       SV_STR("name", e->name), SV_STR("vault", v->id),
					       SV_STR("vault_key", a.vault_key)))) == 0 &&
	    (error = sv_file_create(path, text, strlen(text), 0644)) < 0) {
		sv_json_free(*res);
		*res = NULL;
	}
	free(text);
	free(a.vault_key);
	return error;
}

/* The request of an enrolment held for a second custodian: its parameters
 * (op.c's run_op registers them when approved).  *out gets the acceptance's
 * answer with the pending operation's id. */
static int enrol_hold(sv_json *res, scrvault *v, const char *action, const char *name,
		      const scrvault_principal_spec *ps, const sv_enrolment *e)
{
	char *ed = sv_base64(e->ed_pub, SV_KEY_LEN), *x = sv_base64(e->x_pub, SV_KEY_LEN);
	sv_json *held = NULL;
	int error = SCRVAULT_ERROR;

	if (ed && x)
		error = ps ? sv_op_request(&held, v, action, name,
					   SV_FIELDS(SV_STR("name", ps->name), SV_STR("kind", ps->kind),
						     SV_OPT("display_name", ps->display_name),
						     SV_OPT("agency", ps->agency), SV_OPT("contact", ps->contact),
						     SV_BOOL("custodian", ps->custodian), SV_STR("ed25519_pub", ed),
						     SV_STR("x25519_pub", x), SV_STR("fingerprint", e->fingerprint)))
			   : sv_op_request(&held, v, action, name,
					   SV_FIELDS(SV_STR("principal", name), SV_STR("ed25519_pub", ed),
						     SV_STR("x25519_pub", x), SV_STR("fingerprint", e->fingerprint)));
	if (error == 0)
		error = sv_json_set_fields(res, SV_FIELDS(SV_STR("pending", sv_json_str(sv_json_get(held, "pending"))),
							 SV_STR("expires_at", sv_json_str(sv_json_get(held, "expires_at")))));
	sv_json_free(held);
	free(ed);
	free(x);
	return error;
}

/*
 * Register enrolment `e` as `action` (principal.add with the new principal
 * `ps`, or principal.rotate of `name` when `ps` is NULL) and write its
 * acceptance to `path`: held for a second custodian under SV_DUAL_HOLD (the
 * acceptance now, the principal when approved), else in one transaction.
 * On success *out owns the answer; on failure no acceptance is left at `path`.
 */
static int enrol_register(scrvault_json **out, scrvault *v, sv_dual mode, const char *action, const char *name,
			  const scrvault_principal_spec *ps, const sv_enrolment *e, const char *path, bool custodian)
{
	sv_json *res = NULL;
	int error;

	if (mode == SV_DUAL_HOLD) {
		/* The acceptance now (it pins this vault and nothing more); the
		 * principal exists only when a second custodian approves. */
		if ((error = acceptance_write(&res, v, e, path, custodian)) == 0 &&
		    (error = enrol_hold(res, v, action, name, ps, e)) < 0)
			remove(path);
	} else if ((error = sv_vault_begin(v)) == 0) {
		if ((error = ps ? sv_principal_register_txn(v, ps, e->ed_pub, e->x_pub, e->fingerprint,
							    SV_DUAL_DETAIL(mode))
				: sv_principal_rekey_txn(v, name, e->ed_pub, e->x_pub, e->fingerprint,
							 SV_DUAL_DETAIL(mode))) < 0 ||
		    (error = acceptance_write(&res, v, e, path, custodian)) < 0)
			sv_vault_abort(v);
		else if ((error = sv_vault_commit(v)) < 0)
			remove(path);
	}
	if (error == 0)
		*out = SV_TAKE(res);
	sv_json_free(res);
	return error;
}

int scrvault_principal_enrol(scrvault_json **out, scrvault *v, const scrvault_enrol_spec *s)
{
	scrvault_principal_spec ps = SCRVAULT_PRINCIPAL_SPEC_INIT;
	sv_enrolment *e = NULL;
	sv_principal found;
	char *path = NULL;
	sv_dual mode;
	int error;

	*out = NULL;
	if ((error = enrolment_load(&e, s)) < 0)
		return error;
	/* The request's agency is the holder's text: refused like any other. */
	if (sv_text_bad(e->agency, 0)) {
		error = sv_error_field(SCRVAULT_EUSAGE, "enrolment", "the enrolment request '%s' names an agency that "
				       "is not valid text (invalid UTF-8 or a control character): the holder makes a "
				       "new request", s->enrolment);
		goto done;
	}
	ps.name = e->name;
	ps.display_name = s->display_name;
	ps.kind = e->kind;
	ps.contact = s->contact;
	ps.agency = e->agency;
	ps.custodian = s->custodian;
	if ((error = sv_principal_spec_check(&ps)) < 0 ||
	    (error = sv_authorize(v, "principal.add", SV_ABOUT(.principal = e->name))) < 0)
		goto done;
	if (e->rotates) {
		error = sv_error_field(SCRVAULT_EUSAGE, "enrolment", "'%s' asks to rotate the keys of '%s': register it "
				       "with 'principal rotate'", s->enrolment, e->name);
		goto done;
	}
	if ((error = sv_find_principal(&found, v, e->name)) < 0)
		goto done;
	if (error == 1) {
		error = sv_error(SCRVAULT_ECONFLICT, "principal '%s' already exists: a new key for them is a rotation "
				 "(the holder runs 'scrvault keygen --rotate'), or revoke and enrol another name", e->name);
		goto done;
	}
	if ((error = keys_unused(v, 0, e->ed_pub, e->x_pub)) < 0 ||
	    (error = acceptance_path(&path, s, e->name)) < 0)
		goto done;
	mode = sv_dual_mode(v, add_listed(v, &ps));
	error = enrol_register(out, v, mode, "principal.add", e->name, &ps, e, path, s->custodian);
done:
	sv_enrolment_free(e);
	free(path);
	return error;
}

int scrvault_principal_rotate_enrol(scrvault_json **out, scrvault *v, const char *name,
				    const scrvault_enrol_spec *s)
{
	sv_enrolment *e = NULL;
	sv_principal p;
	char *path = NULL;
	sv_dual mode;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "principal.rotate", SV_ABOUT(.principal = name))) < 0)
		return error;
	if ((error = principal_lookup(&p, v, name)) < 0 || (error = enrolment_load(&e, s)) < 0)
		return error;
	if (strcmp(p.status, "active") != 0) {
		error = sv_error(SCRVAULT_ECONFLICT, "principal '%s' is %s: its keys cannot be replaced", name, p.status);
		goto done;
	}
	if (strcmp(e->name, name) != 0) {
		error = sv_error(SCRVAULT_EUSAGE, "'%s' is a request of '%s', not of '%s'", s->enrolment, e->name, name);
		goto done;
	}
	if (!e->rotates) {
		error = sv_error_field(SCRVAULT_EUSAGE, "enrolment", "'%s' is not signed by an old key: a rotation "
				       "request is made with 'scrvault keygen --rotate OLDKEY'", s->enrolment);
		goto done;
	}
	if (!p.keys_ok || sv_memcmp_ct(p.ed_pub, e->old_ed_pub, SV_KEY_LEN) != 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "'%s' is signed by a key that is not the registered key of '%s': "
				 "refused (a holder who lost their key is revoked and enrols anew)", s->enrolment, name);
		goto done;
	}
	if ((error = keys_unused(v, p.id, e->ed_pub, e->x_pub)) < 0 ||
	    (error = acceptance_path(&path, s, name)) < 0)
		goto done;
	mode = sv_dual_mode(v, p.custodian && sv_dual_required(v, "principal.rotate-custodian"));
	error = enrol_register(out, v, mode, "principal.rotate", name, NULL, e, path, p.custodian);
done:
	sv_enrolment_free(e);
	free(path);
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

int scrvault_principal_agency(char **agency, scrvault *v)
{
	sv_stmt *st = NULL;
	const char *a;
	int error;

	*agency = NULL;
	if (!v->principal)
		return 0;	/* acting for no one: no agency */
	if ((error = sv_db_query(&st, v->db, "SELECT agency FROM principals WHERE id = ?", "i", v->principal_id)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1) {
		error = 0;
		if ((a = sv_stmt_text(st, 0)) && *a && !(*agency = sv_strdup(a)))
			error = SCRVAULT_ERROR;
	}
	sv_stmt_free(st);
	return error;
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

/* A grant's checks: the principal active, the role's scope, separation of duties. */
static int grant_checks(sv_principal *p, char other[64], scrvault *v, const char *name, const char *role,
			const char *case_ref, const char *agency)
{
	int error;

	other[0] = '\0';
	if ((error = sv_text_check("agency", agency, 0)) < 0 ||
	    (error = principal_lookup(p, v, name)) < 0 ||
	    (error = grant_check(v, role ? role : "", case_ref, agency)) < 0)
		return error;
	if (strcmp(p->status, "active") != 0)
		return sv_error(SCRVAULT_ECONFLICT, "principal '%s' is %s and can hold no role", name, p->status);
	return sv_separation_grant(other, v, p->id, name, role, case_ref);
}

int sv_principal_grant_txn(scrvault *v, const char *name, const char *role, const char *case_ref,
			   const char *agency, const char *dual)
{
	char when[21], other[64];
	sv_principal p;
	int error;

	if ((error = grant_checks(&p, other, v, name, role, case_ref, agency)) < 0)
		return error;
	sv_time_iso(when, sv_now());
	error = sv_db_run(v->db, "INSERT INTO grants(principal_id, role, case_ref, agency, granted_at, granted_by)"
			  " VALUES (?, ?, ?, ?, ?, ?)", "itttti", p.id, role, case_ref ? case_ref : "",
			  agency ? agency : "", when, v->principal_id);
	if (error == SCRVAULT_ECONFLICT)
		error = sv_error(SCRVAULT_ECONFLICT, "principal '%s' already holds that role there", name);
	if (error < 0)
		return error;
	return sv_audit_append(v, "principal.grant", "ok", GRANT_ABOUT(name, case_ref),
			       SV_FIELDS(SV_STR("role", role), SV_OPT("agency", agency), SV_OPT("dual_control", dual)));
}

int scrvault_principal_grant(scrvault_json **out, scrvault *v, const char *name, const char *role,
			     const char *case_ref, const char *agency)
{
	char other[64];
	sv_principal p;
	bool approver = false;
	sv_dual mode;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "principal.grant", GRANT_ABOUT(name, case_ref))) < 0)
		return error;
	if ((error = grant_checks(&p, other, v, name, role, case_ref, agency)) < 0) {
		/* A conflict of duties is a refusal on record. */
		if (other[0])
			return sv_audit_denied(v, "principal.grant", GRANT_ABOUT(name, case_ref),
					       SV_FIELDS(SV_STR("role", role), SV_OPT("agency", agency),
							 SV_STR("reason", "separation of duties"),
							 SV_STR("conflicts_with", other)), SCRVAULT_ECONFLICT);
		return error;
	}
	if ((error = sv_role_approves(&approver, v, role)) < 0)
		return error;
	if ((mode = sv_dual_mode(v, approver && sv_dual_required(v, "principal.grant-approver"))) == SV_DUAL_HOLD)
		return sv_op_request(out, v, "principal.grant", name,
				     SV_FIELDS(SV_STR("principal", name), SV_STR("role", role),
					       SV_OPT("case", case_ref), SV_OPT("agency", agency)));
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_principal_grant_txn(v, name, role, case_ref, agency, SV_DUAL_DETAIL(mode))) < 0)
		return sv_vault_fail(v, error);
	return sv_vault_commit(v);
}

int scrvault_principal_ungrant(scrvault *v, const char *name, const char *role,
			       const char *case_ref, const char *agency)
{
	int64_t left = 0, approvers = 0, after = 0;
	sv_principal p;
	int error;

	if ((error = sv_authorize(v, "principal.grant", GRANT_ABOUT(name, case_ref))) < 0)
		return error;
	if ((error = principal_lookup(&p, v, name)) < 0 ||
	    (error = sv_dual_approvers(&approvers, v)) < 0)
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
	/* Nor take dual control out of force by taking a role away: that would
	 * let the one custodian left act alone. */
	if ((error = sv_dual_approvers(&after, v)) < 0)
		goto fail;
	if (approvers >= 2 && after < 2 && sv_dual_required(v, "principal.grant-approver")) {
		error = sv_error(SCRVAULT_ECONFLICT, "taking '%s' from '%s' would leave one custodian able to approve, "
				 "and dual control would stop: add and approve another custodian first", role ? role : "", name);
		return sv_audit_denied(v, "principal.ungrant", GRANT_ABOUT(name, case_ref),
				       SV_FIELDS(SV_STR("role", role), SV_STR("reason", "dual control would stop")),
				       error);
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
int sv_principal_revoke_txn(scrvault *v, const char *name, const char *reason, const char *dual)
{
	char when[21];
	sv_principal p;
	int error;

	if ((error = principal_revocable(&p, v, name)) < 0)
		return error;
	sv_time_iso(when, sv_now());
	if ((error = sv_db_run(v->db, "UPDATE principals SET status = 'revoked', revoked_at = ? WHERE id = ?",
			       "ti", when, p.id)) < 0 ||
	    (error = sv_principal_keys_replace(v, p.id, NULL, NULL, "revoked")) < 0 ||
	    (error = sv_sessions_end_principal(v, p.id)) < 0)
		return error;
	if ((error = sv_audit_append(v, "principal.revoke", "ok", SV_ABOUT(.principal = name),
				     SV_FIELDS(SV_BOOL("custodian", p.custodian), SV_OPT("reason", reason),
					       SV_OPT("dual_control", dual)))) < 0)
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
	sv_dual mode;
	int error;

	*out = NULL;
	if ((error = sv_text_check("reason", reason, 0)) < 0 ||
	    (error = sv_authorize(v, "principal.revoke", SV_ABOUT(.principal = name))) < 0 ||
	    (error = principal_revocable(&p, v, name)) < 0)
		return error;
	if ((mode = sv_dual_mode(v, sv_dual_required(v, "principal.revoke") ||
				 (p.custodian && sv_dual_required(v, "principal.revoke-custodian")))) == SV_DUAL_HOLD)
		return sv_op_request(out, v, "principal.revoke", name,
				     SV_FIELDS(SV_STR("principal", name), SV_OPT("reason", reason)));
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_principal_revoke_txn(v, name, reason, SV_DUAL_DETAIL(mode))) < 0) {
		sv_vault_abort(v);
		return error;
	}
	return sv_vault_commit(v);
}

int sv_principal_rekey_txn(scrvault *v, const char *name, const unsigned char ed_pub[SV_KEY_LEN],
			   const unsigned char x_pub[SV_KEY_LEN], const char *fingerprint, const char *dual)
{
	sv_principal p;
	int error;

	if ((error = principal_lookup(&p, v, name)) < 0)
		return error;
	if (strcmp(p.status, "active") != 0)
		return sv_error(SCRVAULT_ECONFLICT, "principal '%s' is %s: its keys cannot be replaced", name, p.status);
	if ((error = keys_unused(v, p.id, ed_pub, x_pub)) < 0 ||
	    (error = sv_principal_keys_replace(v, p.id, ed_pub, x_pub, "rotated")) < 0 ||
	    (error = sv_audit_append(v, "principal.rotate", "ok", SV_ABOUT(.principal = name),
				     SV_FIELDS(SV_OPT("enrolment", fingerprint ? "holder" : NULL),
					       SV_OPT("fingerprint", fingerprint), SV_OPT("dual_control", dual)))) < 0)
		return error;
	if (p.custodian)
		return sv_keyring_rewrap(v, NULL, name, x_pub);
	return 0;
}

int scrvault_principal_rotate(scrvault_json **out, scrvault *v, const char *name, const char *keyfile,
			      const scrvault_secret *passphrase, unsigned kdf_mib)
{
	sv_principal p;
	struct stat sb;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "principal.rotate", SV_ABOUT(.principal = name))) < 0 ||
	    (error = sv_kdf_new_check(kdf_mib)) < 0 ||
	    (passphrase && (error = sv_passphrase_check(passphrase, "passphrase")) < 0))
		return error;
	if ((error = principal_lookup(&p, v, name)) < 0)
		return error;
	if (strcmp(p.status, "active") != 0)
		return sv_error(SCRVAULT_ECONFLICT, "principal '%s' is %s: its keys cannot be replaced", name, p.status);
	if (strcmp(p.kind, "service") != 0)
		return sv_error_field(SCRVAULT_EUSAGE, "keyfile", "'%s' is a %s, who rotates their own key: they run "
				      "'scrvault keygen --rotate OLDKEY' and send you the request, which you register "
				      "('principal rotate --enrolment'); a lost key is revoked and its holder enrols anew",
				      name, p.kind);
	if (!keyfile || lstat(keyfile, &sb) == 0)
		return sv_error(SCRVAULT_ECONFLICT, "key file '%s' already exists; choose another path",
				keyfile ? keyfile : "");
	return service_key_write(out, v, name, keyfile, passphrase, kdf_mib,
				 p.custodian && sv_dual_required(v, "principal.rotate-custodian"), "principal.rotate",
				 SV_FIELDS(SV_STR("principal", name)), rotate_apply, name);
}

int scrvault_principal_impact(scrvault_json **out, scrvault *v, const char *name)
{
	sv_principal p;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "principal.impact", SV_ABOUT(.principal = name))) < 0 ||
	    (error = principal_lookup(&p, v, name)) < 0)
		return error;
	return sv_principal_releases(out, v, p.id);
}

int sv_principal_spec_check(const scrvault_principal_spec *s)
{
	int error;

	if ((error = SV_STRUCT_CHECK(s, SCRVAULT_PRINCIPAL_SPEC_VERSION, "scrvault_principal_spec")) < 0 ||
	    (error = sv_name_check(s->name)) < 0 ||
	    (error = sv_text_check_all(SV_TEXTS(SV_TEXT("display_name", s->display_name),
						SV_TEXT("contact", s->contact), SV_TEXT("agency", s->agency)))) < 0)
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
