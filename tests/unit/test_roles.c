/*
 * test_roles.c - sign-offs and pending operations under attack, through the
 * library: a sign-off statement or signature altered in the database, a
 * sign-off moved to another version, a signer whose key was replaced, an
 * operation approved after it expired, and the checks every call makes
 * (scope, the role held, the acting principal's key).
 */
#include "unit.h"
#include <unistd.h>
#include "vault/session.h"

extern const char sv_default_policy_text[];

typedef struct {
	char *dir, *vault, *coord, *mgr, *alice, *eve, *file, *policy;
	scrvault_secret *pp;
	char doc[SV_DOC_ID_LEN + 1];
} fixture;

static char *path_in(const char *dir, const char *name)
{
	char *p = NULL;

	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

static scrvault *as(fixture *f, const char *keyfile, const char *role)
{
	scrvault *v = NULL;

	assert_int_equal(scrvault_vault_open(&v, &(scrvault_open_options){ .version = SCRVAULT_OPEN_OPTIONS_VERSION, .dir = f->vault, .keyfile = f->coord, .passphrase = f->pp, .as_keyfile = keyfile, .as_passphrase = keyfile ? f->pp : NULL, .role = role }), 0);
	return v;
}

/*
 * `name` makes their own key at `key` (rotating `old` when given), the vault
 * registers the request with its fingerprint, the holder imports the
 * acceptance (the enrolment ceremony, through the library).
 */
static void enrol(fixture *f, scrvault *v, const char *name, const char *agency, bool custodian, const char *key,
		  const char *old)
{
	scrvault_keygen_spec g = SCRVAULT_KEYGEN_SPEC_INIT;
	scrvault_enrol_spec e = SCRVAULT_ENROL_SPEC_INIT;
	scrvault_keyfile_accept_spec a = SCRVAULT_KEYFILE_ACCEPT_SPEC_INIT;
	scrvault_json *j = NULL, *r = NULL;
	char *req = path_in(f->dir, "req"), *acc = path_in(f->dir, "acc");

	unlink(req);
	unlink(acc);
	g.name = name;
	g.agency = agency;
	g.keyfile = key;
	g.passphrase = f->pp;
	g.kdf_mib = 19;
	g.enrolment = req;
	g.rotate_keyfile = old;
	g.rotate_passphrase = old ? f->pp : NULL;
	assert_int_equal(scrvault_keygen(&j, &g), 0);
	e.enrolment = req;
	e.fingerprint = scrvault_json_str(scrvault_json_get(j, "fingerprint"));
	e.custodian = custodian;
	e.acceptance_out = acc;
	assert_int_equal(old ? scrvault_principal_rotate_enrol(&r, v, name, &e) : scrvault_principal_enrol(&r, v, &e), 0);
	a.keyfile = key;
	a.passphrase = f->pp;
	a.acceptance = acc;
	scrvault_json_free(r);
	assert_int_equal(scrvault_keyfile_accept(&r, &a), 0);
	scrvault_json_free(r);
	scrvault_json_free(j);
	free(req);
	free(acc);
}

static int setup(void **state)
{
	scrvault_principal_spec s = { .version = SCRVAULT_PRINCIPAL_SPEC_VERSION, .name = "coord", .kind = "person", .custodian = true, .kdf_mib = 19 };
	scrvault_case_spec c = { .version = SCRVAULT_CASE_SPEC_VERSION, .ref = "SCR-1", .title = "t", .review_type = "scr" };
	scrvault_checkin_spec ci = { .version = SCRVAULT_CHECKIN_SPEC_VERSION, .case_ref = "SCR-1", .doc_class = "imr", .agency = "police" };
	scrvault_checkin_file cf = { .path = NULL };
	scrvault_json *res = NULL, *held = NULL;
	fixture *f = calloc(1, sizeof(*f));
	scrvault *v;
	FILE *fp;

	assert_non_null(f);
	assert_int_equal(scrvault_global_init(), 0);
	f->dir = unit_tmpdir();
	f->vault = path_in(f->dir, "v");
	f->coord = path_in(f->dir, "coord.key");
	f->mgr = path_in(f->dir, "mgr.key");
	f->alice = path_in(f->dir, "alice.key");
	f->eve = path_in(f->dir, "eve.key");
	f->file = path_in(f->dir, "imr.txt");
	f->policy = path_in(f->dir, "p.conf");
	assert_non_null(fp = fopen(f->file, "w"));
	fputs("an IMR\n", fp);
	fclose(fp);
	assert_non_null(fp = fopen(f->policy, "w"));
	fputs(sv_default_policy_text, fp);
	fclose(fp);
	assert_int_equal(scrvault_secret_new(&f->pp, "a good passphrase", 17), 0);
	assert_int_equal(scrvault_vault_init(f->vault, &s, f->coord, f->pp), 0);
	v = as(f, NULL, NULL);
	assert_int_equal(scrvault_case_open(v, &c), 0);
	/* One custodian so far: dual control is not in force, nothing is held. */
	{
		scrvault_principal_spec m = { .version = SCRVAULT_PRINCIPAL_SPEC_VERSION, .name = "mgr", .kind = "person", .agency = "police", .kdf_mib = 19 };

		/* A person's key is theirs to make: the vault refuses to make it. */
		assert_int_equal(scrvault_principal_add(&held, v, &m, f->mgr, f->pp), SCRVAULT_EUSAGE);
		assert_int_equal(access(f->mgr, F_OK), -1);
		enrol(f, v, "mgr", "police", false, f->mgr, NULL);
		enrol(f, v, "alice", "police", false, f->alice, NULL);
		enrol(f, v, "eve", NULL, true, f->eve, NULL);
	}
	assert_int_equal(scrvault_principal_grant(&held, v, "mgr", "authorising-manager", "SCR-1", "police"), 0);
	assert_int_equal(scrvault_principal_grant(&held, v, "alice", "imr-author", "SCR-1", "police"), 0);
	assert_int_equal(scrvault_principal_grant(&held, v, "eve", "coordinator", NULL, NULL), 0);
	assert_null(held);
	scrvault_vault_close(v);
	/* alice checks the IMR in; mgr signs it off. */
	v = as(f, f->alice, NULL);
	cf.path = f->file;
	assert_int_equal(scrvault_doc_checkin(&res, v, &ci, &cf, 1), 0);
	snprintf(f->doc, sizeof(f->doc), "%s", scrvault_json_str(scrvault_json_get(scrvault_json_at(res, 0), "doc")));
	scrvault_json_free(res);
	scrvault_vault_close(v);
	v = as(f, f->mgr, NULL);
	assert_int_equal(scrvault_doc_signoff(&res, v, f->doc, 1), 0);
	scrvault_json_free(res);
	scrvault_vault_close(v);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	unit_rmtree(f->dir);
	scrvault_secret_free(f->pp);
	free(f->dir); free(f->vault); free(f->coord); free(f->mgr); free(f->alice);
	free(f->eve); free(f->file); free(f->policy);
	free(f);
	return 0;
}

/* The verification string of the only sign-off, and the master version. */
static void signoff_status(fixture *f, char *out, size_t len, int64_t *master)
{
	scrvault_json *d = NULL;
	scrvault *v = as(f, NULL, NULL);
	const scrvault_json *so;

	assert_int_equal(scrvault_doc_show(&d, v, f->doc), 0);
	so = scrvault_json_at(scrvault_json_get(d, "signoffs"), 0);
	assert_non_null(so);
	snprintf(out, len, "%s", scrvault_json_str(scrvault_json_get(so, "verification")));
	/* The master by sign-off only: without a valid one the master is the
	 * latest version ("master_basis":"latest"), not a signed-off one. */
	*master = scrvault_json_get(d, "master_version") && scrvault_json_str(scrvault_json_get(d, "master_basis")) &&
		  !strcmp(scrvault_json_str(scrvault_json_get(d, "master_basis")), "signed-off")
		  ? scrvault_json_int(scrvault_json_get(d, "master_version")) : 0;
	scrvault_json_free(d);
	scrvault_vault_close(v);
}

static void sql(fixture *f, const char *text)
{
	scrvault *v = as(f, NULL, NULL);

	assert_int_equal(sv_db_exec(v->db, text), 0);
	scrvault_vault_close(v);
}

static void test_signoff_verifies(void **state)
{
	fixture *f = *state;
	char st[128];
	int64_t master = 0;

	signoff_status(f, st, sizeof(st), &master);
	assert_string_equal(st, "valid");
	assert_int_equal(master, 1);
}

static void test_signoff_statement_edited(void **state)
{
	fixture *f = *state;
	char st[128];
	int64_t master = 0;

	/* Someone with the database key edits the signed statement. */
	sql(f, "UPDATE signoffs SET statement = replace(statement, '\"agency\":\"police\"', '\"agency\":\"health\"')");
	signoff_status(f, st, sizeof(st), &master);
	assert_non_null(strstr(st, "INVALID"));
	assert_int_equal(master, 0);
	/* fsck reports it too. */
	{
		scrvault_json *r = NULL;
		scrvault *v = as(f, NULL, NULL);

		assert_int_equal(scrvault_fsck(&r, v), SCRVAULT_EINTEGRITY);
		assert_non_null(strstr(scrvault_json_str(scrvault_json_at(scrvault_json_get(r, "problems"), 0)), "sign-off"));
		scrvault_json_free(r);
		scrvault_vault_close(v);
	}
}

static void test_signoff_signature_edited(void **state)
{
	fixture *f = *state;
	char st[128];
	int64_t master = 0;

	sql(f, "UPDATE signoffs SET signature = zeroblob(64)");
	signoff_status(f, st, sizeof(st), &master);
	assert_non_null(strstr(st, "does not verify"));
	assert_int_equal(master, 0);
}

static void test_signoff_moved_to_another_version(void **state)
{
	fixture *f = *state;
	scrvault_checkin_spec ci = { .version = SCRVAULT_CHECKIN_SPEC_VERSION, .doc = f->doc };
	scrvault_checkin_file cf = { .path = f->file };
	scrvault_json *res = NULL;
	scrvault *v = as(f, f->alice, NULL);
	char st[128];
	int64_t master = 0;

	assert_int_equal(scrvault_doc_checkin(&res, v, &ci, &cf, 1), 0);
	scrvault_json_free(res);
	scrvault_vault_close(v);
	/* The row claims version 2: the statement still says version 1. */
	sql(f, "UPDATE signoffs SET version = 2");
	signoff_status(f, st, sizeof(st), &master);
	assert_non_null(strstr(st, "other content"));
	assert_int_equal(master, 0);
}

static void test_signoff_key_replaced(void **state)
{
	fixture *f = *state;
	char *newkey = path_in(f->dir, "mgr2.key"), st[128];
	scrvault *v = as(f, NULL, NULL);
	scrvault_json *held = NULL;
	int64_t master = 0;

	/* The coordinator cannot make mgr's new key; mgr rotates it. */
	assert_int_equal(scrvault_principal_rotate(&held, v, "mgr", newkey, f->pp, 19), SCRVAULT_EUSAGE);
	enrol(f, v, "mgr", "police", false, newkey, f->mgr);
	scrvault_vault_close(v);
	signoff_status(f, st, sizeof(st), &master);
	assert_non_null(strstr(st, "since replaced"));
	assert_int_equal(master, 1);
	/* The old key file can no longer act. */
	assert_int_equal(scrvault_vault_open(&v, &(scrvault_open_options){ .version = SCRVAULT_OPEN_OPTIONS_VERSION, .dir = f->vault, .keyfile = f->coord, .passphrase = f->pp, .as_keyfile = f->mgr, .as_passphrase = f->pp, .role = NULL }), SCRVAULT_EDENIED);
	free(newkey);
}

static void test_scope_and_roles(void **state)
{
	fixture *f = *state;
	scrvault_json *res = NULL;
	scrvault *v = NULL;

	/* alice holds imr-author only: no other role can be taken. */
	assert_int_equal(scrvault_vault_open(&v, &(scrvault_open_options){ .version = SCRVAULT_OPEN_OPTIONS_VERSION, .dir = f->vault, .keyfile = f->coord, .passphrase = f->pp, .as_keyfile = f->alice, .as_passphrase = f->pp, .role = "coordinator" }),
			 SCRVAULT_EDENIED);
	v = as(f, f->alice, NULL);
	assert_string_equal(scrvault_role(v), "imr-author");
	assert_string_equal(scrvault_whoami(v), "alice");
	/* An imr-author signs nothing off and opens no case. */
	assert_int_equal(scrvault_doc_signoff(&res, v, f->doc, 1), SCRVAULT_EDENIED);
	{
		scrvault_case_spec c = { .version = SCRVAULT_CASE_SPEC_VERSION, .ref = "SCR-2", .title = "t", .review_type = "scr" };

		assert_int_equal(scrvault_case_open(v, &c), SCRVAULT_EDENIED);
	}
	scrvault_vault_close(v);
	/* A key file with the wrong passphrase cannot act. */
	{
		scrvault_secret *bad = NULL;

		assert_int_equal(scrvault_secret_new(&bad, "not the passphrase", 18), 0);
		assert_int_equal(scrvault_vault_open(&v, &(scrvault_open_options){ .version = SCRVAULT_OPEN_OPTIONS_VERSION, .dir = f->vault, .keyfile = f->coord, .passphrase = f->pp, .as_keyfile = f->alice, .as_passphrase = bad, .role = NULL }), SCRVAULT_EDENIED);
		scrvault_secret_free(bad);
	}
}

static void test_pending_op_expires(void **state)
{
	fixture *f = *state;
	scrvault_json *res = NULL, *list = NULL;
	scrvault *v = as(f, NULL, NULL);
	char id[32];

	assert_int_equal(scrvault_policy_load(&res, v, f->policy), 0);
	assert_non_null(scrvault_json_get(res, "pending"));
	snprintf(id, sizeof(id), "%s", scrvault_json_str(scrvault_json_get(res, "pending")));
	scrvault_json_free(res);
	/* Its time passes. */
	assert_int_equal(sv_db_exec(v->db, "UPDATE pending_ops SET expires_at = '2000-01-01T00:00:00Z'"), 0);
	assert_int_equal(scrvault_op_list(&list, v), 0);
	assert_string_equal(scrvault_json_str(scrvault_json_get(scrvault_json_at(list, 0), "state")), "expired");
	scrvault_json_free(list);
	scrvault_vault_close(v);
	assert_int_equal(scrvault_vault_open(&v, &(scrvault_open_options){ .version = SCRVAULT_OPEN_OPTIONS_VERSION, .dir = f->vault, .keyfile = f->eve, .passphrase = f->pp }), 0);
	assert_int_equal(scrvault_op_approve(v, id), SCRVAULT_ECONFLICT);
	assert_non_null(strstr(scrvault_error_message(), "expired"));
	/* Still version 1 of the policy. */
	assert_int_equal(scrvault_policy_show(&res, v, 0), 0);
	assert_int_equal(scrvault_json_int(scrvault_json_get(res, "version")), 1);
	scrvault_json_free(res);
	scrvault_vault_close(v);
}

/* The witness status of a copy's destruction, as copy history shows it. */
static void witness_of(fixture *f, const char *copy, char *out, size_t len)
{
	scrvault_json *h = NULL;
	scrvault *v = as(f, NULL, NULL);

	assert_int_equal(scrvault_copy_history(&h, v, copy), 0);
	snprintf(out, len, "%s", scrvault_json_str(scrvault_json_get(scrvault_json_get(h, "copy"), "witness_signature")));
	scrvault_json_free(h);
	scrvault_vault_close(v);
}

static void test_copy_witness_replayed(void **state)
{
	fixture *f = *state;
	scrvault_copy_destroy_options o = SCRVAULT_COPY_DESTROY_OPTIONS_INIT;
	scrvault_json *res = NULL;
	char st[32];
	scrvault *v = as(f, NULL, NULL);

	assert_int_equal(scrvault_copy_create(&res, v, f->doc, 1, 2), 0);
	scrvault_json_free(res);
	/* a key file of another principal, claiming to be the witness */
	o.witness = "mgr";
	o.witness_keyfile = f->alice;
	o.witness_passphrase = f->pp;
	assert_int_equal(scrvault_copy_destroy_ext(&res, v, "1", &o), SCRVAULT_EDENIED);
	assert_non_null(strstr(scrvault_error_message(), "not the witness's key"));
	/* the destroyer as their own witness, with their own key */
	o.witness = "coord";
	o.witness_keyfile = f->coord;
	assert_int_equal(scrvault_copy_destroy_ext(&res, v, "1", &o), SCRVAULT_EDENIED);
	/* both copies destroyed, each signed by the witness */
	o.witness = "mgr";
	o.witness_keyfile = f->mgr;
	assert_int_equal(scrvault_copy_destroy_ext(&res, v, "1", &o), 0);
	scrvault_json_free(res);
	assert_int_equal(scrvault_copy_destroy_ext(&res, v, "2", &o), 0);
	scrvault_json_free(res);
	scrvault_vault_close(v);
	witness_of(f, "2", st, sizeof(st));
	assert_string_equal(st, "signed");
	/* copy 1's signed statement replayed onto copy 2's destruction */
	sql(f, "UPDATE copy_events SET (witness_statement, witness_signature) = (SELECT witness_statement,"
	    " witness_signature FROM copy_events WHERE copy_id = 1 AND event = 'destroy')"
	    " WHERE copy_id = 2 AND event = 'destroy'");
	witness_of(f, "2", st, sizeof(st));
	assert_string_equal(st, "invalid");
	witness_of(f, "1", st, sizeof(st));
	assert_string_equal(st, "signed");
	{
		scrvault_json *r = NULL;

		v = as(f, NULL, NULL);
		assert_int_equal(scrvault_fsck(&r, v), SCRVAULT_EINTEGRITY);
		assert_non_null(strstr(scrvault_json_str(scrvault_json_at(scrvault_json_get(r, "problems"), 0)),
				       "witness signature"));
		scrvault_json_free(r);
		scrvault_vault_close(v);
	}
}

/* Sign `statement` with the key file `keyfile` (the passphrase of the fixture). */
static char *sign_with(fixture *f, const char *keyfile, const char *statement)
{
	scrvault_key *k = NULL;
	char *sig = NULL;

	assert_int_equal(scrvault_key_load(&k, keyfile, f->pp), 0);
	assert_int_equal(scrvault_key_sign(&sig, k, statement), 0);
	scrvault_key_free(k);
	return sig;
}

/*
 * The witness of a destruction signs on their own machine (a service acting
 * for them holds no key): the statement asked for is the one copy history
 * verifies, and a signature by another key, an edited statement, another
 * principal asking, or a second signature are refused, nothing recorded.
 */
static void test_copy_witness_signed_elsewhere(void **state)
{
	fixture *f = *state;
	scrvault_json *res = NULL;
	char st[32], *text = NULL, *sig = NULL, *edited;
	scrvault *v = as(f, NULL, NULL);

	assert_int_equal(scrvault_copy_create(&res, v, f->doc, 1, 2), 0);
	scrvault_json_free(res);
	assert_int_equal(scrvault_copy_destroy(&res, v, "1", "mgr", "shredded"), 0);
	scrvault_json_free(res);
	/* the destroyer cannot ask for the witness's statement */
	assert_int_equal(scrvault_copy_witness_statement(&text, v, "1"), SCRVAULT_EDENIED);
	assert_null(text);
	scrvault_vault_close(v);
	witness_of(f, "1", st, sizeof(st));
	assert_string_equal(st, "unverified");

	v = as(f, f->mgr, NULL);
	assert_int_equal(scrvault_copy_witness_statement(&text, v, "2"), SCRVAULT_ECONFLICT);	/* not destroyed */
	assert_int_equal(scrvault_copy_witness_statement(&text, v, "1"), 0);
	assert_non_null(strstr(text, "\"witness\":\"mgr\""));
	/* signed by another key */
	sig = sign_with(f, f->alice, text);
	assert_int_equal(scrvault_copy_witness_signed(&res, v, "1", text, sig), SCRVAULT_EDENIED);
	assert_null(res);
	free(sig);
	/* the statement edited after it was signed */
	sig = sign_with(f, f->mgr, text);
	assert_non_null(edited = strdup(text));
	memcpy(strstr(edited, "\"witness\":\"mgr\"") + 11, "eve", 3);
	assert_int_equal(scrvault_copy_witness_signed(&res, v, "1", edited, sig), SCRVAULT_EDENIED);
	free(edited);
	scrvault_vault_close(v);
	witness_of(f, "1", st, sizeof(st));
	assert_string_equal(st, "unverified");
	/* the witness's own signature of that very statement */
	v = as(f, f->mgr, NULL);
	assert_int_equal(scrvault_copy_witness_signed(&res, v, "1", text, sig), 0);
	assert_string_equal(scrvault_json_str(scrvault_json_get(res, "witness_signature")), "signed");
	scrvault_json_free(res);
	assert_int_equal(scrvault_copy_witness_signed(&res, v, "1", text, sig), SCRVAULT_ECONFLICT);
	scrvault_vault_close(v);
	free(text);
	free(sig);
	witness_of(f, "1", st, sizeof(st));
	assert_string_equal(st, "signed");	/* history verifies it as one signed here */
}

/*
 * Through the library: eve, a custodian with coordinator, is granted another
 * role after coord asked to load a policy, so she cannot approve it; nor can
 * she refuse her own revocation.  Nothing changes.
 */
static void test_pending_window(void **state)
{
	fixture *f = *state;
	scrvault_json *res = NULL, *held = NULL;
	scrvault *v = as(f, NULL, NULL);
	char id[32], rid[32];

	assert_int_equal(scrvault_policy_load(&res, v, f->policy), 0);
	assert_non_null(scrvault_json_get(res, "pending"));
	snprintf(id, sizeof(id), "%s", scrvault_json_str(scrvault_json_get(res, "pending")));
	scrvault_json_free(res);
	assert_int_equal(scrvault_principal_grant(&held, v, "eve", "auditor", NULL, NULL), 0);
	assert_null(held);	/* auditor decides nothing: not held */
	assert_int_equal(scrvault_principal_revoke(&res, v, "eve", "test"), 0);
	assert_non_null(scrvault_json_get(res, "pending"));
	snprintf(rid, sizeof(rid), "%s", scrvault_json_str(scrvault_json_get(res, "pending")));
	scrvault_json_free(res);
	scrvault_vault_close(v);
	assert_int_equal(scrvault_vault_open(&v, &(scrvault_open_options){ .version = SCRVAULT_OPEN_OPTIONS_VERSION, .dir = f->vault, .keyfile = f->eve, .passphrase = f->pp, .role = "coordinator" }), 0);
	assert_int_equal(scrvault_op_approve(v, id), SCRVAULT_EDENIED);
	assert_non_null(strstr(scrvault_error_message(), "granted a role after"));
	assert_int_equal(scrvault_op_refuse(v, rid), SCRVAULT_EDENIED);
	assert_non_null(strstr(scrvault_error_message(), "about themselves"));
	assert_int_equal(scrvault_policy_show(&res, v, 0), 0);
	assert_int_equal(scrvault_json_int(scrvault_json_get(res, "version")), 1);
	scrvault_json_free(res);
	scrvault_vault_close(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_signoff_verifies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signoff_statement_edited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signoff_signature_edited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signoff_moved_to_another_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signoff_key_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scope_and_roles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_op_expires, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_witness_replayed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_witness_signed_elsewhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_window, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
