/*
 * sign_in - open sessions the way a service would, for the CLI tests of
 * `scrvault session`: unseal VAULT with the custodian's key file (offer,
 * answer, unseal, all in this process), sign in WHO with their own key file
 * N times, print "SESSION TOKEN" per line, seal.
 *
 *   sign_in VAULT CUSTODIAN_KEY WHO WHO_KEY PASSPHRASE_FILE [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crypto/crypto.h"
#include "crypto/identity.h"
#include "base/common.h"
#include "scrvault/vault.h"
#include "scrvault/session.h"

static int die(const char *what)
{
	fprintf(stderr, "sign_in: %s: %s\n", what, scrvault_error_message());
	return 1;
}

int main(int argc, char **argv)
{
	scrvault_unseal_offer *o = NULL;
	scrvault_json *offer = NULL, *answer = NULL;
	scrvault_secret *pp = NULL;
	sv_identity *id = NULL;
	scrvault *v = NULL;
	char line[256];
	FILE *fp;
	int n = argc > 6 ? atoi(argv[6]) : 1;

	if (argc < 6)
		return fprintf(stderr, "usage: sign_in VAULT CUSTODIAN_KEY WHO WHO_KEY PASSPHRASE_FILE [N]\n"), 2;
	if (scrvault_global_init() < 0)
		return die("init");
	if (!(fp = fopen(argv[5], "r")) || !fgets(line, sizeof(line), fp))
		return die("passphrase file");
	fclose(fp);
	line[strcspn(line, "\n")] = '\0';
	if (scrvault_secret_new(&pp, line, strlen(line)) < 0)
		return die("passphrase");
	if (scrvault_unseal_offer_new(&o, &offer, argv[1]) < 0)
		return die("offer");
	if (scrvault_unseal_answer(&answer, offer, argv[2], pp) < 0)
		return die("answer");
	if (scrvault_vault_unseal(&v, o, answer, SCRVAULT_OPEN_ALLOW_UNLOCKED_MEMORY) < 0)
		return die("unseal");
	if (sv_identity_load(&id, argv[4], pp) < 0)
		return die("key file");
	for (int i = 0; i < n; i++) {
		scrvault_login_spec s = SCRVAULT_LOGIN_SPEC_INIT;
		scrvault_json *c = NULL, *r = NULL;
		unsigned char sig[SV_SIG_LEN];
		const char *stmt;
		char *b;

		if (scrvault_session_challenge(&c, v, argv[3]) < 0)
			return die("challenge");
		stmt = scrvault_json_str(scrvault_json_get(c, "statement"));
		if (sv_ed25519_sign(sig, id->ed_priv, stmt, strlen(stmt)) < 0 || !(b = sv_base64(sig, sizeof(sig))))
			return die("sign");
		s.principal = argv[3];
		s.challenge = scrvault_json_str(scrvault_json_get(c, "challenge"));
		s.signature = b;
		s.client = "198.51.100.9";
		if (scrvault_session_login(&r, v, &s) < 0)
			return die("login");
		printf("%s %s\n", scrvault_json_str(scrvault_json_get(r, "session")),
		       scrvault_json_str(scrvault_json_get(r, "token")));
		free(b);
		scrvault_json_free(c);
		scrvault_json_free(r);
	}
	sv_identity_free(id);
	scrvault_vault_seal(v, "shutdown");
	scrvault_json_free(offer);
	scrvault_json_free(answer);
	scrvault_unseal_offer_free(o);
	scrvault_secret_free(pp);
	return 0;
}
