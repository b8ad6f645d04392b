/*
 * cmd_service.c - scrvault status|unseal|seal: the vault's service
 * (scrvaultd), reached with --server URL, $SCRVAULT_SERVER or the host's
 * socket.
 *
 * Unsealing never sends the custodian's key or passphrase: the service
 * offers a one-time key, and this program (on the custodian's own machine)
 * checks the offer is of the vault the key file belongs to, re-wraps the
 * vault's master key to it and signs the answer (scrvault_unseal_answer).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "remote.h"

/* The service to talk to, or a usage error. */
static int service_url(cli_args *a, const char **url)
{
	if (!cli_remote_url(a, url))
		return cli_usage(a, "name the service: --server https://HOST:PORT or unix:/PATH, or set "
				 "SCRVAULT_SERVER");
	return 0;
}

static void print_status(const cli_args *a, scrvault_json *j)
{
	if (a->json) {
		cli_print_json(j);
		return;
	}
	printf("%-10s %s\n", "state", scrvault_json_bool(scrvault_json_get(j, "sealed")) ? "sealed" : "unsealed");
	printf("%-10s %s\n", "vault", cli_str(j, "vault") ? cli_str(j, "vault") : "-");
	printf("%-10s %s\n", "vkey", cli_str(j, "vkey") ? cli_str(j, "vkey") : "- (known from the service's first unseal)");
	printf("%-10s %s\n", "version", cli_str(j, "version") ? cli_str(j, "version") : "-");
}

static int cmd_status(cli_args *a, scrvault *unused)
{
	cli_remote *r = NULL;
	scrvault_json *j = NULL;
	const char *url;
	int st;

	(void)unused;
	if ((st = service_url(a, &url)) != 0 || (st = cli_remote_open(&r, a, url, 0)) != 0)
		return st;
	if ((st = cli_remote_json(&j, r, "GET", "/v1/status", NULL)) == 0)
		print_status(a, j);
	scrvault_json_free(j);
	cli_remote_close(r);
	return st;
}

static int cmd_unseal(cli_args *a, scrvault *unused)
{
	const char *keyfile = cli_own_key(a), *url;
	scrvault_json *offer = NULL, *answer = NULL, *j = NULL;
	cli_remote *r = NULL;
	char *body = NULL;
	int st, error;

	(void)unused;
	if ((st = service_url(a, &url)) != 0)
		return st;
	if (!keyfile)
		return cli_usage(a, "name your key file: --key FILE or SCRVAULT_KEY");
	/* The passphrase once, for both the connection's pin and the answer. */
	if (!a->secret && (error = cli_passphrase(&a->secret, a, keyfile)) < 0)
		return cli_fail(error);
	if ((st = cli_remote_open(&r, a, url, CLI_REMOTE_OWN_KEY)) != 0)
		goto done;
	if ((st = cli_remote_json(&offer, r, "POST", "/v1/unseal/offer", NULL)) != 0)
		goto done;
	if ((error = scrvault_unseal_answer(&answer, offer, keyfile, a->secret)) < 0) {
		st = cli_fail(error);
		goto done;
	}
	if (!(body = scrvault_json_text(answer))) {
		st = cli_fail(SCRVAULT_ERROR);
		goto done;
	}
	if ((st = cli_remote_json(&j, r, "POST", "/v1/unseal", body)) != 0)
		goto done;
	if (!a->json)
		printf("unsealed vault %s\n", cli_str(j, "vault") ? cli_str(j, "vault") : "");
	else
		cli_print_json(j);
done:
	free(body);
	scrvault_json_free(offer);
	scrvault_json_free(answer);
	scrvault_json_free(j);
	cli_remote_close(r);
	return st;
}

static int cmd_seal(cli_args *a, scrvault *unused)
{
	cli_remote *r = NULL;
	scrvault_json *j = NULL;
	const char *url;
	int st;

	(void)unused;
	if ((st = service_url(a, &url)) != 0 || (st = cli_remote_open(&r, a, url, CLI_REMOTE_SIGN_IN)) != 0)
		return st;
	st = cli_remote_json(&j, r, "POST", "/v1/seal", NULL);
	scrvault_json_free(j);
	/* The session ended with the seal: nothing to sign out of. */
	cli_remote_forget(r);
	cli_remote_close(r);
	if (st == 0)
		printf("sealed: the service holds no key until a custodian unseals it\n");
	return st;
}

const cli_cmd cli_service_commands[] = {
	{ "status", NULL, cmd_status, 0, NULL, "scrvault status [--server URL]",
	  "Whether the vault's service is sealed, its vault id and verifier key.\n", NULL, 0, 0 },
	{ "unseal", NULL, cmd_unseal, 0, NULL, "scrvault unseal --key FILE [--server URL]",
	  "Unseal the service as a custodian, from this machine: the service offers a\n"
	  "one-time key; this checks the offer is of the vault your key file belongs to,\n"
	  "re-wraps the vault's master key to that key and signs the answer. Your key and\n"
	  "passphrase never leave this machine. Audited.\n", NULL, 0, 0 },
	{ "seal", NULL, cmd_seal, 0, NULL, "scrvault seal [--server URL]",
	  "Seal the service now (a custodian, or a role with vault.seal): it wipes the\n"
	  "vault's keys and answers nothing until a custodian unseals it. Audited.\n", NULL, 0, 0 },
	CLI_CMDS_END
};
