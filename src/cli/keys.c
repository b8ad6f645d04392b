/*
 * keys.c - a holder's own key, the same in scrvault and scrvault-seal:
 * keygen (the key file and its enrolment request, with the fingerprint to
 * read to the coordinator), accept (the vault's acceptance into the key
 * file) and pin (the board's published verifier key into an older key
 * file).  Needs no vault: calls only include/scrvault/keyfile.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static void field(const scrvault_json *j, const char *key, const char *label)
{
	const char *v = cli_str(j, key);

	if (v)
		printf("  %-11s %s\n", label, v);
}

int cli_keygen_run(cli_args *a, scrvault *unused)
{
	scrvault_keygen_spec s = SCRVAULT_KEYGEN_SPEC_INIT;
	scrvault_secret *old = NULL;
	long mib = cli_kdf_memory(a);
	scrvault_json *j = NULL;
	int error;

	(void)unused;
	s.name = a->args[0];
	s.kind = cli_opt(a, "kind");
	s.agency = cli_opt(a, "agency");
	s.keyfile = cli_opt(a, "key-out");
	s.enrolment = cli_opt(a, "enrolment-out");
	s.rotate_keyfile = cli_opt(a, "rotate");
	if (!s.keyfile)
		return cli_usage(a, "give --key-out FILE for the new key file");
	if (mib < 0)
		return cli_usage(a, CLI_KDF_MEMORY_USAGE);
	if (mib)
		s.kdf_mib = (unsigned)mib;
	/* Everything but the passphrases first: no one types them in vain. */
	if ((error = scrvault_keygen_check(&s)) < 0)
		return cli_fail(error);
	if (s.rotate_keyfile) {
		const char *file = cli_opt(a, "old-passphrase-file");

		error = file ? scrvault_secret_read_file(&old, file) : cli_prompt_secret(&old, s.rotate_keyfile);
		if (error < 0)
			return cli_fail(error);
		s.rotate_passphrase = old;
	}
	if ((error = cli_new_passphrase(&a->secret, a, s.name)) < 0) {
		scrvault_secret_free(old);
		return -error;
	}
	s.passphrase = a->secret;
	error = scrvault_keygen(&j, &s);
	scrvault_secret_free(old);
	if (error < 0)
		return cli_fail(error);
	if (!a->json) {
		printf("made key file '%s' for %s '%s'%s, enrolled in no vault yet\n"
		       "enrolment request: %s (public: send it to the coordinator by any channel)\n",
		       s.keyfile, cli_str(j, "kind"), s.name, s.rotate_keyfile ? " to replace your current key" : "",
		       cli_str(j, "enrolment"));
		field(j, "name", "name");
		field(j, "kind", "kind");
		field(j, "agency", "agency");
		field(j, "ed25519", "ed25519");
		field(j, "x25519", "x25519");
		field(j, "recipient", "recipient");
		printf("fingerprint: %s\n"
		       "read these words to the coordinator yourself (phone or in person): they register\n"
		       "the request only if their screen shows the same words. Then import the vault's\n"
		       "acceptance they send you ('keyfile accept' / 'scrvault-seal accept').\n"
		       "keep the key file and its passphrase to yourself: nobody else ever needs them\n",
		       cli_str(j, "fingerprint"));
	}
	(void)cli_result(a, j, NULL);
	return fflush(stdout) == 0 ? 0 : 1;
}

int cli_accept_check(cli_args *a)
{
	if (!cli_own_key(a))
		return cli_usage(a, "give your key file (--key FILE or $SCRVAULT_KEY)");
	return 0;
}

/* What accept and pin print. */
static int pinned(cli_args *a, int error, scrvault_json *j, const char *what)
{
	if (error < 0)
		return cli_fail(error);
	if (!a->json)
		printf("%s: key file '%s' (principal '%s') now belongs to vault %s\n"
		       "  verifier key %s\n  fingerprint  %s\n"
		       "check the verifier key against the one the board publishes; the key file unlocks\n"
		       "and acts in that vault only\n", what, cli_str(j, "keyfile"), cli_str(j, "name"),
		       cli_str(j, "vault"), cli_str(j, "vault_key"), cli_str(j, "fingerprint"));
	return cli_result(a, j, NULL);
}

int cli_accept_run(cli_args *a, scrvault *unused)
{
	scrvault_keyfile_accept_spec s = SCRVAULT_KEYFILE_ACCEPT_SPEC_INIT;
	scrvault_json *j = NULL;
	int error;

	(void)unused;
	s.keyfile = cli_own_key(a);
	s.acceptance = a->args[0];
	s.vault_key = cli_opt(a, "vkey");
	if ((error = cli_key_passphrase(a, s.keyfile)) != 0)
		return error;
	s.passphrase = a->secret;
	error = scrvault_keyfile_accept(&j, &s);
	return pinned(a, error, j, "accepted");
}

int cli_pin_run(cli_args *a, scrvault *unused)
{
	scrvault_keyfile_pin_spec s = SCRVAULT_KEYFILE_PIN_SPEC_INIT;
	scrvault_json *j = NULL;
	int error;

	(void)unused;
	s.keyfile = cli_own_key(a);
	s.vault_key = cli_opt(a, "vkey");
	if (!s.vault_key)
		return cli_usage(a, "give the vault's verifier key as the board publishes it (--vkey VKEY)");
	if ((error = cli_key_passphrase(a, s.keyfile)) != 0)
		return error;
	s.passphrase = a->secret;
	error = scrvault_keyfile_pin(&j, &s);
	return pinned(a, error, j, "pinned");
}
