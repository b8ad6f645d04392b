/*
 * test_unseal.c - a vault unsealed for a service and the sessions people
 * open on it, under attack, through the library: an answer from another
 * vault's key file, from a non-custodian, a revoked custodian or the wrong
 * key, a replayed or tampered answer; sign-ins with a replayed or expired
 * challenge, another person's signature, an unknown name, too many
 * failures or sessions; sessions idle, past their end, revoked, or of a
 * principal revoked since.  Each refused with its code and recorded, and
 * no token anywhere in the vault.
 */
#include "unit.h"
#include <unistd.h>
#include "vault/session.h"
#include <sys/stat.h>
#include <unistd.h>
#include "scrvault/session.h"
#include "crypto/crypto.h"
#include "crypto/identity.h"
#include "storage/db.h"
#include "base/common.h"
#include "base/json.h"

typedef struct {
	char *dir, *vault, *coord, *alice, *mgr, *eve, *other_vault, *other;
	scrvault_secret *pp;
} fixture;

static char *path_in(const char *dir, const char *name)
{
	char *p = NULL;

	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

static scrvault *as(fixture *f, const char *keyfile)
{
	scrvault *v = NULL;

	assert_int_equal(scrvault_vault_open(&v, &(scrvault_open_options){ .version = SCRVAULT_OPEN_OPTIONS_VERSION, .dir = f->vault, .keyfile = f->coord, .passphrase = f->pp, .as_keyfile = keyfile, .as_passphrase = keyfile ? f->pp : NULL, .flags = SCRVAULT_OPEN_ALLOW_UNLOCKED_MEMORY }), 0);
	return v;
}

static void enrol(fixture *f, scrvault *v, const char *name, bool custodian, const char *key)
{
	scrvault_keygen_spec g = SCRVAULT_KEYGEN_SPEC_INIT;
	scrvault_enrol_spec e = SCRVAULT_ENROL_SPEC_INIT;
	scrvault_keyfile_accept_spec a = SCRVAULT_KEYFILE_ACCEPT_SPEC_INIT;
	scrvault_json *j = NULL, *r = NULL;
	char *req = path_in(f->dir, "req"), *acc = path_in(f->dir, "acc");

	unlink(req);
	unlink(acc);
	g.name = name;
	g.agency = custodian ? NULL : "police";
	g.keyfile = key;
	g.passphrase = f->pp;
	g.kdf_mib = 19;
	g.enrolment = req;
	assert_int_equal(scrvault_keygen(&j, &g), 0);
	e.enrolment = req;
	e.fingerprint = scrvault_json_str(scrvault_json_get(j, "fingerprint"));
	e.custodian = custodian;
	e.acceptance_out = acc;
	assert_int_equal(scrvault_principal_enrol(&r, v, &e), 0);
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
	scrvault_principal_spec o = { .version = SCRVAULT_PRINCIPAL_SPEC_VERSION, .name = "coord", .kind = "person", .custodian = true, .kdf_mib = 19 };
	scrvault_case_spec c = { .version = SCRVAULT_CASE_SPEC_VERSION, .ref = "SCR-1", .title = "t", .review_type = "scr" };
	scrvault_json *held = NULL;
	fixture *f = calloc(1, sizeof(*f));
	scrvault *v;

	assert_non_null(f);
	assert_int_equal(scrvault_global_init(), 0);
	f->dir = unit_tmpdir();
	f->vault = path_in(f->dir, "v");
	f->coord = path_in(f->dir, "coord.key");
	f->alice = path_in(f->dir, "alice.key");
	f->mgr = path_in(f->dir, "mgr.key");
	f->eve = path_in(f->dir, "eve.key");
	f->other_vault = path_in(f->dir, "w");
	f->other = path_in(f->dir, "other.key");
	assert_int_equal(scrvault_secret_new(&f->pp, "a good passphrase", 17), 0);
	assert_int_equal(scrvault_vault_init(f->vault, &s, f->coord, f->pp), 0);
	/* Another vault whose first custodian is also called coord. */
	assert_int_equal(scrvault_vault_init(f->other_vault, &o, f->other, f->pp), 0);
	v = as(f, NULL);
	assert_int_equal(scrvault_case_open(v, &c), 0);
	enrol(f, v, "alice", false, f->alice);
	enrol(f, v, "mgr", false, f->mgr);
	enrol(f, v, "eve", true, f->eve);
	assert_int_equal(scrvault_principal_grant(&held, v, "alice", "imr-author", "SCR-1", "police"), 0);
	assert_int_equal(scrvault_principal_grant(&held, v, "mgr", "authorising-manager", "SCR-1", "police"), 0);
	assert_int_equal(scrvault_principal_grant(&held, v, "eve", "coordinator", NULL, NULL), 0);
	scrvault_vault_close(v);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	unit_rmtree(f->dir);
	scrvault_secret_free(f->pp);
	free(f->dir); free(f->vault); free(f->coord); free(f->alice); free(f->mgr); free(f->eve);
	free(f->other_vault); free(f->other);
	free(f);
	return 0;
}

/* ---- helpers ------------------------------------------------------------------------ */

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);
	size_t n;

	assert_non_null(buf);
	if (!fp)
		return buf;
	n = fread(buf, 1, (1 << 20) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* Does VAULT/unlock-failures hold a record with `reason`? */
static bool failure_noted(fixture *f, const char *reason)
{
	char *p = path_in(f->vault, "unlock-failures"), *text = slurp(p);
	bool found = strstr(text, reason) != NULL;

	free(p);
	free(text);
	return found;
}

static void forget_failures(fixture *f)
{
	char *p = path_in(f->vault, "unlock-failures");

	unlink(p);
	free(p);
}

/* Audit entries with `action`, `outcome` and (optionally) this reason. */
static int64_t entries(scrvault *v, const char *action, const char *outcome, const char *reason)
{
	int64_t n = -1;
	char a[96], o[64], r[128];

	snprintf(a, sizeof(a), "%%\"action\":\"%s\"%%", action);
	snprintf(o, sizeof(o), "%%\"outcome\":\"%s\"%%", outcome);
	snprintf(r, sizeof(r), "%%\"reason\":\"%s\"%%", reason ? reason : "");
	assert_true(sv_db_int(&n, v->db, "SELECT count(*) FROM audit WHERE entry LIKE ? AND entry LIKE ? AND"
			      " (? = 0 OR entry LIKE ?)", "ttit", a, o, (int64_t)(reason != NULL), r) >= 0);
	return n;
}

/* The whole audit log contains `s`? */
static bool audit_has(scrvault *v, const char *s)
{
	int64_t n = 0;
	char *like = NULL;

	assert_true(asprintf(&like, "%%%s%%", s) > 0);
	assert_true(sv_db_int(&n, v->db, "SELECT count(*) FROM audit WHERE entry LIKE ?", "t", like) >= 0);
	free(like);
	return n > 0;
}

static scrvault_json *answer(fixture *f, const scrvault_json *offer, const char *key, int want)
{
	scrvault_json *a = NULL;

	assert_int_equal(scrvault_unseal_answer(&a, offer, key, f->pp), want);
	if (want < 0)
		assert_null(a);
	return a;
}

/* A fresh unsealed handle (acting as coord), its offer freed. */
static scrvault *unseal(fixture *f)
{
	scrvault_unseal_offer *o = NULL;
	scrvault_json *j = NULL, *a;
	scrvault *v = NULL;

	assert_int_equal(scrvault_unseal_offer_new(&o, &j, f->vault), 0);
	a = answer(f, j, f->coord, 0);
	assert_int_equal(scrvault_vault_unseal(&v, o, a, SCRVAULT_OPEN_ALLOW_UNLOCKED_MEMORY), 0);
	scrvault_json_free(a);
	scrvault_json_free(j);
	scrvault_unseal_offer_free(o);
	return v;
}

/* An answer rebuilt with other members (the attacks). */
static scrvault_json *forge(const scrvault_json *a, const char *custodian, const char *wrap, const char *sig)
{
	char *text = NULL;
	scrvault_json *j = NULL;

	assert_true(asprintf(&text, "{\"custodian\":\"%s\",\"sig\":\"%s\",\"wrap\":\"%s\"}",
			     custodian ? custodian : scrvault_json_str(scrvault_json_get(a, "custodian")),
			     sig ? sig : scrvault_json_str(scrvault_json_get(a, "sig")),
			     wrap ? wrap : scrvault_json_str(scrvault_json_get(a, "wrap"))) > 0);
	assert_int_equal(sv_json_parse(&j, text, strlen(text), NULL), 0);
	free(text);
	return j;
}

/* The answer statement of unseal.c, signed with `key`'s Ed25519 key. */
static char *sign_answer(fixture *f, const scrvault_json *offer, const char *custodian, const char *wrap,
			 const char *key)
{
	sv_identity *id = NULL;
	unsigned char sig[SV_SIG_LEN];
	char *stmt = NULL, *b;

	assert_int_equal(sv_identity_load(&id, key, f->pp), 0);
	assert_true(asprintf(&stmt, "scrvault unseal answer v1\nvault %s\nnonce %s\nkey %s\ncustodian %s\nwrap %s\n",
			     scrvault_json_str(scrvault_json_get(offer, "vault")),
			     scrvault_json_str(scrvault_json_get(offer, "nonce")),
			     scrvault_json_str(scrvault_json_get(offer, "epk")), custodian, wrap) > 0);
	assert_int_equal(sv_ed25519_sign(sig, id->ed_priv, stmt, strlen(stmt)), 0);
	b = sv_base64(sig, sizeof(sig));
	free(stmt);
	sv_identity_free(id);
	return b;
}

/* ---- unsealing ---------------------------------------------------------------------- */

static void test_unseal_and_replay(void **state)
{
	fixture *f = *state;
	scrvault_unseal_offer *o = NULL;
	scrvault_json *j = NULL, *a;
	scrvault *v = NULL, *w = NULL;

	forget_failures(f);
	assert_int_equal(scrvault_unseal_offer_new(&o, &j, f->vault), 0);
	/* Nothing secret in the offer: public key, nonce, wraps, checkpoint. */
	assert_non_null(scrvault_json_get(j, "epk"));
	assert_non_null(scrvault_json_get(scrvault_json_get(j, "custodians"), "coord"));
	assert_non_null(scrvault_json_get(j, "checkpoint"));
	a = answer(f, j, f->coord, 0);
	assert_int_equal(scrvault_vault_unseal(&v, o, a, SCRVAULT_OPEN_ALLOW_UNLOCKED_MEMORY), 0);
	assert_string_equal(scrvault_whoami(v), "coord");
	assert_int_equal(entries(v, "vault.unseal", "ok", NULL), 1);
	/* No custodian's private key on the service. */
	assert_null(v->ident);
	scrvault_vault_seal(v, "requested");
	/* The same answer to the same offer again: refused, recorded. */
	assert_int_equal(scrvault_vault_unseal(&w, o, a, SCRVAULT_OPEN_ALLOW_UNLOCKED_MEMORY), SCRVAULT_EDENIED);
	assert_null(w);
	assert_true(failure_noted(f, "replayed-unseal-answer"));
	/* The seal was recorded; the next unlock moves the failure into the log. */
	v = as(f, NULL);
	assert_int_equal(entries(v, "vault.seal", "ok", NULL), 1);
	assert_true(entries(v, "vault.unlock", "denied", NULL) >= 1);
	assert_true(audit_has(v, "replayed-unseal-answer"));
	scrvault_vault_close(v);
	scrvault_json_free(a);
	scrvault_json_free(j);
	scrvault_unseal_offer_free(o);
}

static void test_answer_other_vault(void **state)
{
	fixture *f = *state;
	scrvault_unseal_offer *o = NULL;
	scrvault_json *j = NULL;

	assert_int_equal(scrvault_unseal_offer_new(&o, &j, f->vault), 0);
	/* A key file of another vault (its custodian even has the same name). */
	answer(f, j, f->other, SCRVAULT_EINTEGRITY);
	assert_non_null(strstr(scrvault_error_message(), "not the vault the key file belongs to"));
	scrvault_json_free(j);
	scrvault_unseal_offer_free(o);
	/* And the other way round: that vault's offer, this vault's key. */
	assert_int_equal(scrvault_unseal_offer_new(&o, &j, f->other_vault), 0);
	answer(f, j, f->coord, SCRVAULT_EINTEGRITY);
	scrvault_json_free(j);
	scrvault_unseal_offer_free(o);
	/* A substitute offer: this vault's id and wraps, the other's checkpoint. */
	{
		scrvault_json *j2 = NULL;
		scrvault_unseal_offer *o2 = NULL;
		char *text;

		assert_int_equal(scrvault_unseal_offer_new(&o, &j, f->vault), 0);
		assert_int_equal(scrvault_unseal_offer_new(&o2, &j2, f->other_vault), 0);
		sv_json_set_str((sv_json *)j, "checkpoint", scrvault_json_str(scrvault_json_get(j2, "checkpoint")));
		text = scrvault_json_text(j);
		assert_non_null(text);
		answer(f, j, f->coord, SCRVAULT_EINTEGRITY);
		free(text);
		scrvault_json_free(j);
		scrvault_json_free(j2);
		scrvault_unseal_offer_free(o);
		scrvault_unseal_offer_free(o2);
	}
}

static void test_forged_answers(void **state)
{
	fixture *f = *state;
	scrvault_unseal_offer *o = NULL;
	scrvault_json *j = NULL, *a, *bad;
	scrvault *v = NULL;
	char *sig, *wrap;

	/* alice is no custodian: her client has nothing to unwrap. */
	assert_int_equal(scrvault_unseal_offer_new(&o, &j, f->vault), 0);
	answer(f, j, f->alice, SCRVAULT_EDENIED);
	a = answer(f, j, f->coord, 0);

	/* coord's wrap, claimed and signed by alice: not a custodian. */
	forget_failures(f);
	sig = sign_answer(f, j, "alice", scrvault_json_str(scrvault_json_get(a, "wrap")), f->alice);
	bad = forge(a, "alice", NULL, sig);
	assert_int_equal(scrvault_vault_unseal(&v, o, bad, SCRVAULT_OPEN_ALLOW_UNLOCKED_MEMORY), SCRVAULT_EDENIED);
	assert_null(v);
	assert_true(failure_noted(f, "not-custodian"));
	scrvault_json_free(bad);
	free(sig);
	scrvault_unseal_offer_free(o);
	scrvault_json_free(j);
	scrvault_json_free(a);

	/* coord's answer signed with eve's key (the wrong key). */
	forget_failures(f);
	assert_int_equal(scrvault_unseal_offer_new(&o, &j, f->vault), 0);
	a = answer(f, j, f->coord, 0);
	sig = sign_answer(f, j, "coord", scrvault_json_str(scrvault_json_get(a, "wrap")), f->eve);
	bad = forge(a, NULL, NULL, sig);
	assert_int_equal(scrvault_vault_unseal(&v, o, bad, SCRVAULT_OPEN_ALLOW_UNLOCKED_MEMORY), SCRVAULT_EDENIED);
	assert_true(failure_noted(f, "bad-unseal-answer"));
	/* The offer is spent: the genuine answer is now refused too. */
	assert_int_equal(scrvault_vault_unseal(&v, o, a, SCRVAULT_OPEN_ALLOW_UNLOCKED_MEMORY), SCRVAULT_EDENIED);
	scrvault_json_free(bad);
	free(sig);
	scrvault_unseal_offer_free(o);
	scrvault_json_free(j);
	scrvault_json_free(a);

	/* A tampered wrap (one character changed), re-signed by coord is
	 * impossible without coord's key: signed as it is, it does not open. */
	forget_failures(f);
	assert_int_equal(scrvault_unseal_offer_new(&o, &j, f->vault), 0);
	a = answer(f, j, f->coord, 0);
	wrap = strdup(scrvault_json_str(scrvault_json_get(a, "wrap")));
	wrap[40] = wrap[40] == 'A' ? 'B' : 'A';
	bad = forge(a, NULL, wrap, NULL);
	assert_int_equal(scrvault_vault_unseal(&v, o, bad, SCRVAULT_OPEN_ALLOW_UNLOCKED_MEMORY), SCRVAULT_EDENIED);
	assert_true(failure_noted(f, "bad-unseal-answer"));
	scrvault_json_free(bad);
	free(wrap);
	scrvault_unseal_offer_free(o);
	scrvault_json_free(j);
	scrvault_json_free(a);

	/* An answer made for another offer. */
	{
		scrvault_unseal_offer *o2 = NULL;
		scrvault_json *j2 = NULL;

		assert_int_equal(scrvault_unseal_offer_new(&o, &j, f->vault), 0);
		assert_int_equal(scrvault_unseal_offer_new(&o2, &j2, f->vault), 0);
		a = answer(f, j2, f->coord, 0);
		assert_int_equal(scrvault_vault_unseal(&v, o, a, SCRVAULT_OPEN_ALLOW_UNLOCKED_MEMORY), SCRVAULT_EDENIED);
		scrvault_json_free(a);
		scrvault_json_free(j);
		scrvault_json_free(j2);
		scrvault_unseal_offer_free(o);
		scrvault_unseal_offer_free(o2);
	}
	/* The vault is unchanged by all this: it unseals as before. */
	v = unseal(f);
	scrvault_vault_seal(v, "shutdown");
}

static void test_revoked_custodian(void **state)
{
	fixture *f = *state;
	scrvault_unseal_offer *o = NULL;
	scrvault_json *j = NULL, *a;
	scrvault *v = NULL;

	/* eve answers; then she is marked revoked in the database (her keyring
	 * entry still there: the registered state is what counts). */
	assert_int_equal(scrvault_unseal_offer_new(&o, &j, f->vault), 0);
	a = answer(f, j, f->eve, 0);
	v = as(f, NULL);
	assert_int_equal(sv_db_exec(v->db, "UPDATE principals SET status = 'revoked' WHERE name = 'eve'"), 0);
	scrvault_vault_close(v);
	v = NULL;
	forget_failures(f);
	assert_int_equal(scrvault_vault_unseal(&v, o, a, SCRVAULT_OPEN_ALLOW_UNLOCKED_MEMORY), SCRVAULT_EDENIED);
	assert_null(v);
	assert_true(failure_noted(f, "revoked-or-replaced"));
	v = as(f, NULL);
	assert_int_equal(sv_db_exec(v->db, "UPDATE principals SET status = 'active' WHERE name = 'eve'"), 0);
	scrvault_vault_close(v);
	scrvault_json_free(a);
	scrvault_json_free(j);
	scrvault_unseal_offer_free(o);
}

/* ---- acting and sessions ------------------------------------------------------------ */

/* A challenge for `who`, signed with `key`: the login spec's strings. */
typedef struct {
	char challenge[64];
	char *sig;
} signed_challenge;

static void sign_in_prepare(fixture *f, scrvault *v, const char *who, const char *key, signed_challenge *c)
{
	scrvault_json *j = NULL;
	sv_identity *id = NULL;
	unsigned char sig[SV_SIG_LEN];
	const char *stmt;
	char *mine;

	assert_int_equal(scrvault_session_challenge(&j, v, who), 0);
	snprintf(c->challenge, sizeof(c->challenge), "%s", scrvault_json_str(scrvault_json_get(j, "challenge")));
	stmt = scrvault_json_str(scrvault_json_get(j, "statement"));
	/* The statement is the one documented, for this vault and person. */
	mine = scrvault_session_statement(scrvault_id(v), who, c->challenge);
	assert_string_equal(stmt, mine);
	free(mine);
	assert_int_equal(sv_identity_load(&id, key, f->pp), 0);
	assert_int_equal(sv_ed25519_sign(sig, id->ed_priv, stmt, strlen(stmt)), 0);
	c->sig = sv_base64(sig, sizeof(sig));
	sv_identity_free(id);
	scrvault_json_free(j);
}

static const char *login_client = "203.0.113.7";

static int login(scrvault *v, const char *who, signed_challenge *c, scrvault_json **out)
{
	scrvault_login_spec s = SCRVAULT_LOGIN_SPEC_INIT;

	s.principal = who;
	s.challenge = c->challenge;
	s.signature = c->sig;
	s.client = login_client;
	return scrvault_session_login(out, v, &s);
}

/* Sign in `who` with their own key: the token (caller frees) and the id. */
static char *sign_in(fixture *f, scrvault *v, const char *who, const char *key, char sid[32])
{
	signed_challenge c;
	scrvault_json *j = NULL;
	char *token;

	sign_in_prepare(f, v, who, key, &c);
	assert_int_equal(login(v, who, &c, &j), 0);
	token = strdup(scrvault_json_str(scrvault_json_get(j, "token")));
	assert_int_equal(strlen(token), 43);
	if (sid)
		snprintf(sid, 32, "%s", scrvault_json_str(scrvault_json_get(j, "session")));
	scrvault_json_free(j);
	free(c.sig);
	return token;
}

static int resume(scrvault *v, const char *token)
{
	scrvault_act_options a = SCRVAULT_ACT_OPTIONS_INIT;

	a.client = "203.0.113.7";
	return scrvault_session_resume(v, token, &a);
}

static void skew(int64_t seconds)
{
	char s[32];

	snprintf(s, sizeof(s), "%lld", (long long)seconds);
	setenv("SCRVAULT_TEST_CLOCK_SKEW", s, 1);
}

static void test_sign_in_and_resume(void **state)
{
	fixture *f = *state;
	scrvault *v = unseal(f);
	scrvault_json *j = NULL;
	signed_challenge c;
	char sid[32], *token;

	token = sign_in(f, v, "alice", f->alice, sid);
	assert_int_equal(resume(v, token), 0);
	assert_string_equal(scrvault_whoami(v), "alice");
	assert_string_equal(scrvault_role(v), "imr-author");
	/* Her entries name her, the custodian who unsealed, the session and client. */
	assert_int_equal(scrvault_session_list(&j, v), 0);
	assert_int_equal(scrvault_json_count(j), 1);
	assert_string_equal(scrvault_json_str(scrvault_json_get(scrvault_json_at(j, 0), "session")), sid);
	scrvault_json_free(j);
	/* No private key of hers on the service: a sign-off must come from her. */
	assert_int_equal(scrvault_doc_signoff(&j, v, "nosuchdoc", 1) < 0, 1);
	{
		/* A sign-off of a real document: EUSAGE naming the client. */
		scrvault_checkin_spec ci = { .version = SCRVAULT_CHECKIN_SPEC_VERSION, .case_ref = "SCR-1", .doc_class = "imr", .agency = "police" };
		scrvault_checkin_file cf = { .path = NULL };
		char *file = path_in(f->dir, "imr.txt");
		FILE *fp = fopen(file, "w");
		scrvault_json *res = NULL;
		char doc[SV_DOC_ID_LEN + 1];
		signed_challenge m;

		fputs("an IMR\n", fp);
		fclose(fp);
		cf.path = file;
		assert_int_equal(scrvault_doc_checkin(&res, v, &ci, &cf, 1), 0);
		snprintf(doc, sizeof(doc), "%s", scrvault_json_str(scrvault_json_get(scrvault_json_at(res, 0), "doc")));
		scrvault_json_free(res);
		assert_true(audit_has(v, "\"unlocked_by\":\"coord\""));
		assert_true(audit_has(v, sid));
		sign_in_prepare(f, v, "mgr", f->mgr, &m);
		assert_int_equal(login(v, "mgr", &m, &res), 0);
		assert_int_equal(resume(v, scrvault_json_str(scrvault_json_get(res, "token"))), 0);
		scrvault_json_free(res);
		assert_int_equal(scrvault_doc_signoff(&res, v, doc, 1), SCRVAULT_EUSAGE);
		assert_non_null(strstr(scrvault_error_message(), "must come from"));
		free(m.sig);
		free(file);
	}

	/* Replayed challenge: the same signed challenge again. */
	sign_in_prepare(f, v, "alice", f->alice, &c);
	assert_int_equal(login(v, "alice", &c, &j), 0);
	scrvault_json_free(j);
	j = NULL;
	assert_int_equal(login(v, "alice", &c, &j), SCRVAULT_EDENIED);
	assert_null(j);
	assert_int_equal(entries(v, "session.login", "denied", "unknown challenge"), 1);
	free(c.sig);

	/* Expired challenge: signed, but answered after 60 s. */
	sign_in_prepare(f, v, "alice", f->alice, &c);
	skew(SCRVAULT_CHALLENGE_SECONDS + 1);
	assert_int_equal(login(v, "alice", &c, &j), SCRVAULT_EDENIED);
	unsetenv("SCRVAULT_TEST_CLOCK_SKEW");
	assert_int_equal(entries(v, "session.login", "denied", "challenge expired"), 1);
	free(c.sig);

	/* alice's challenge signed with mgr's key. */
	sign_in_prepare(f, v, "alice", f->mgr, &c);
	assert_int_equal(login(v, "alice", &c, &j), SCRVAULT_EDENIED);
	assert_int_equal(entries(v, "session.login", "denied", "bad signature"), 1);
	free(c.sig);

	/* An unknown name: a challenge all the same (no oracle), then refused. */
	sign_in_prepare(f, v, "nobody", f->alice, &c);
	assert_int_equal(login(v, "nobody", &c, &j), SCRVAULT_EDENIED);
	assert_int_equal(entries(v, "session.login", "denied", "unknown principal"), 1);
	free(c.sig);

	/* Secrets never on record: not the token, not a signature. */
	assert_false(audit_has(v, token));
	{
		int64_t n = -1;

		assert_true(sv_db_int(&n, v->db, "SELECT count(*) FROM sessions WHERE id = ?1 OR client = ?1 OR"
				      " CAST(token_sha256 AS TEXT) = ?1", "t", token) >= 0);
		assert_int_equal(n, 0);
	}
	/* Signing out ends it. */
	assert_int_equal(scrvault_session_end(v, token), 0);
	assert_int_equal(resume(v, token), SCRVAULT_EDENIED);
	assert_int_equal(entries(v, "session.resume", "denied", "signed out"), 1);
	free(token);
	scrvault_vault_seal(v, "shutdown");
}

static void test_session_expiry_and_revocation(void **state)
{
	fixture *f = *state;
	scrvault *v = unseal(f);
	scrvault_json *j = NULL;
	char sid[32], *idle, *max, *revoked, *gone;
	int64_t t;

	/* Idle past SCRVAULT_SESSION_IDLE_SECONDS. */
	idle = sign_in(f, v, "alice", f->alice, NULL);
	skew(SCRVAULT_SESSION_IDLE_SECONDS + 1);
	assert_int_equal(resume(v, idle), SCRVAULT_EDENIED);
	assert_int_equal(entries(v, "session.resume", "denied", "session expired"), 1);
	unsetenv("SCRVAULT_TEST_CLOCK_SKEW");

	/* Kept busy, but past SCRVAULT_SESSION_MAX_SECONDS. */
	max = sign_in(f, v, "alice", f->alice, NULL);
	for (t = 0; t < SCRVAULT_SESSION_MAX_SECONDS; t += SCRVAULT_SESSION_IDLE_SECONDS - 120) {
		skew(t);
		assert_int_equal(resume(v, max), 0);
	}
	skew(SCRVAULT_SESSION_MAX_SECONDS);
	assert_int_equal(resume(v, max), SCRVAULT_EDENIED);
	assert_int_equal(entries(v, "session.resume", "denied", "session expired"), 2);
	unsetenv("SCRVAULT_TEST_CLOCK_SKEW");

	/* Revoked by a coordinator (eve), who sees everyone's sessions. */
	revoked = sign_in(f, v, "alice", f->alice, sid);
	{
		char *et = sign_in(f, v, "eve", f->eve, NULL);
		char *mt = sign_in(f, v, "mgr", f->mgr, NULL);
		size_t n;

		/* mgr sees only his own and may not revoke alice's. */
		assert_int_equal(resume(v, mt), 0);
		assert_int_equal(scrvault_session_list(&j, v), 0);
		assert_true(scrvault_json_count(j) >= 1);
		for (size_t i = 0; i < scrvault_json_count(j); i++)
			assert_string_equal(scrvault_json_str(scrvault_json_get(scrvault_json_at(j, i), "principal")), "mgr");
		scrvault_json_free(j);
		assert_int_equal(scrvault_session_revoke(&j, v, sid), SCRVAULT_ENOTFOUND);
		assert_int_equal(resume(v, revoked), 0);
		assert_int_equal(resume(v, et), 0);
		assert_int_equal(scrvault_session_list(&j, v), 0);
		n = scrvault_json_count(j);
		assert_true(n >= 3);
		scrvault_json_free(j);
		assert_int_equal(scrvault_session_revoke(&j, v, sid), 0);
		scrvault_json_free(j);
		assert_int_equal(resume(v, revoked), SCRVAULT_EDENIED);
		assert_int_equal(entries(v, "session.resume", "denied", "revoked"), 1);
		assert_int_equal(entries(v, "session.revoke", "ok", NULL), 1);

		/* mgr revoked as a principal: his session ends with him. */
		gone = mt;
		assert_int_equal(resume(v, et), 0);
		assert_int_equal(scrvault_principal_revoke(&j, v, "mgr", "left"), 0);
		scrvault_json_free(j);
		/* Ended in the revoking transaction: gone from everyone's list. */
		assert_int_equal(scrvault_session_list(&j, v), 0);
		for (size_t i = 0; i < scrvault_json_count(j); i++)
			assert_string_not_equal(scrvault_json_str(scrvault_json_get(scrvault_json_at(j, i), "principal")), "mgr");
		scrvault_json_free(j);
		assert_int_equal(resume(v, gone), SCRVAULT_EDENIED);
		assert_int_equal(entries(v, "session.resume", "denied", "principal revoked"), 1);
		/* And he cannot sign in again. */
		{
			signed_challenge c;

			sign_in_prepare(f, v, "mgr", f->mgr, &c);
			assert_int_equal(login(v, "mgr", &c, &j), SCRVAULT_EDENIED);
			assert_int_equal(entries(v, "session.login", "denied", "principal revoked"), 1);
			free(c.sig);
		}
		assert_int_equal(scrvault_session_end(v, et), 0);
		free(et);
		free(mt);
	}
	/* A token nobody issued. */
	assert_int_equal(resume(v, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), SCRVAULT_EDENIED);
	free(idle);
	free(max);
	free(revoked);
	scrvault_vault_seal(v, "shutdown");
}

static void test_limits(void **state)
{
	fixture *f = *state;
	scrvault *v = unseal(f);
	scrvault_json *j = NULL;
	signed_challenge c;
	char *tokens[SCRVAULT_SESSIONS_PER_PRINCIPAL];

	/* Too many sessions. */
	for (int i = 0; i < SCRVAULT_SESSIONS_PER_PRINCIPAL; i++)
		tokens[i] = sign_in(f, v, "eve", f->eve, NULL);
	sign_in_prepare(f, v, "eve", f->eve, &c);
	assert_int_equal(login(v, "eve", &c, &j), SCRVAULT_EDENIED);
	assert_int_equal(entries(v, "session.login", "denied", "too many sessions"), 1);
	free(c.sig);
	for (int i = 0; i < SCRVAULT_SESSIONS_PER_PRINCIPAL; i++) {
		assert_int_equal(scrvault_session_end(v, tokens[i]), 0);
		free(tokens[i]);
	}
	/* Too many failures: then even a good signature is refused. */
	for (int i = 0; i < SCRVAULT_LOGIN_FAILURES_MAX; i++) {
		sign_in_prepare(f, v, "eve", f->alice, &c);
		assert_int_equal(login(v, "eve", &c, &j), SCRVAULT_EDENIED);
		free(c.sig);
	}
	sign_in_prepare(f, v, "eve", f->eve, &c);
	assert_int_equal(login(v, "eve", &c, &j), SCRVAULT_EDENIED);
	assert_int_equal(entries(v, "session.login", "denied", "too many failures"), 1);
	free(c.sig);
	/* Those failures were one client's: from another, eve signs in. */
	login_client = "198.51.100.2";
	sign_in_prepare(f, v, "eve", f->eve, &c);
	assert_int_equal(login(v, "eve", &c, &j), 0);
	scrvault_json_free(j);
	j = NULL;
	free(c.sig);
	/* Past the name's cap from many clients: a client that failed is
	 * refused at once, a fresh one still gets its try. */
	{
		static const char *clients[] = { "192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4" };
		for (size_t k = 0; k < 4; k++)
			for (int i = 0; i < SCRVAULT_LOGIN_FAILURES_MAX; i++) {
				login_client = clients[k];
				sign_in_prepare(f, v, "eve", f->alice, &c);
				assert_int_equal(login(v, "eve", &c, &j), SCRVAULT_EDENIED);
				free(c.sig);
			}
		login_client = "192.0.2.9";
		sign_in_prepare(f, v, "eve", f->alice, &c);
		assert_int_equal(login(v, "eve", &c, &j), SCRVAULT_EDENIED);
		assert_string_not_equal(scrvault_error_field() ? scrvault_error_field() : "", "failures");
		free(c.sig);
		sign_in_prepare(f, v, "eve", f->eve, &c);
		assert_int_equal(login(v, "eve", &c, &j), SCRVAULT_EDENIED);	/* 51 failures, one here */
		assert_string_equal(scrvault_error_field(), "failures");
		free(c.sig);
		login_client = "192.0.2.10";
		sign_in_prepare(f, v, "eve", f->eve, &c);
		assert_int_equal(login(v, "eve", &c, &j), 0);			/* fresh: in */
		scrvault_json_free(j);
		j = NULL;
		free(c.sig);
	}
	login_client = "203.0.113.7";
	/* 15 minutes on, she may sign in again. */
	skew(15 * 60 + 1);
	sign_in_prepare(f, v, "eve", f->eve, &c);
	assert_int_equal(login(v, "eve", &c, &j), 0);
	scrvault_json_free(j);
	free(c.sig);
	unsetenv("SCRVAULT_TEST_CLOCK_SKEW");
	scrvault_vault_seal(v, "shutdown");
}

static void test_act(void **state)
{
	fixture *f = *state;
	scrvault *v = unseal(f);
	scrvault_act_options a = SCRVAULT_ACT_OPTIONS_INIT;

	a.principal = "nobody";
	a.client = "unix:uid=1001";
	assert_int_equal(scrvault_vault_act(v, &a), SCRVAULT_EDENIED);
	assert_int_equal(entries(v, "session.act", "denied", "not registered"), 1);
	/* Refused, the handle acts for nobody: no permission holds. */
	assert_true(scrvault_vault_may_seal(v) < 0);
	a.principal = "alice";
	a.role = "coordinator";
	assert_int_equal(scrvault_vault_act(v, &a), SCRVAULT_EDENIED);
	a.role = NULL;
	assert_int_equal(scrvault_vault_act(v, &a), 0);
	assert_string_equal(scrvault_whoami(v), "alice");
	assert_int_equal(scrvault_vault_may_seal(v), SCRVAULT_EDENIED);
	a.principal = "eve";
	assert_int_equal(scrvault_vault_act(v, &a), 0);
	assert_int_equal(scrvault_vault_may_seal(v), 0);
	assert_int_equal(scrvault_vault_flush(v), 0);
	scrvault_vault_seal(v, "requested");
	/* The seal is the unsealing custodian's entry. */
	v = as(f, NULL);
	assert_true(audit_has(v, "\"action\":\"vault.seal\""));
	scrvault_vault_close(v);
}

/* What a killed service left in the upload spool is wiped when the vault is
 * unsealed again (upload.h): the upload's key died with that service. */
static void test_unseal_sweeps_spool(void **state)
{
	fixture *f = *state;
	char *spool = path_in(f->vault, "spool"), *left = path_in(spool, "0123456789abcdef");
	FILE *fp;
	scrvault *v;

	(void)mkdir(spool, 0700);
	assert_non_null(fp = fopen(left, "w"));
	fputs("ciphertext of an upload whose key is gone", fp);
	fclose(fp);
	v = unseal(f);
	assert_int_equal(access(left, F_OK), -1);
	scrvault_vault_seal(v, "shutdown");
	free(left);
	free(spool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unseal_and_replay),
		cmocka_unit_test(test_answer_other_vault),
		cmocka_unit_test(test_forged_answers),
		cmocka_unit_test(test_revoked_custodian),
		cmocka_unit_test(test_sign_in_and_resume),
		cmocka_unit_test(test_session_expiry_and_revocation),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_act),
		cmocka_unit_test(test_unseal_sweeps_spool),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
