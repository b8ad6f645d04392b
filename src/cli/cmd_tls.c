/*
 * cmd_tls.c - scrvault tls ca|ca-cert|issue|pin: the vault's certificate
 * authority for the service's HTTPS (scrvault/tls.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static int cmd_ca(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;
	int error;

	if ((error = scrvault_tls_ca_create(&j, v)) < 0)
		return cli_fail(error);
	return cli_result(a, j, "made the vault's TLS certificate authority, sha256 %s\n"
			  "(write its certificate for the clients with 'scrvault tls ca-cert -o FILE')\n",
			  cli_str(j, "sha256"));
}

static int cmd_ca_cert(cli_args *a, scrvault *v)
{
	const char *path = cli_opt(a, "output");
	scrvault_json *j = NULL;
	int error;

	if ((error = scrvault_tls_ca_cert(&j, v, path)) < 0)
		return cli_fail(error);
	if (!strcmp(path, "-")) {
		scrvault_json_free(j);
		return 0;
	}
	return cli_result(a, j, "wrote the vault's CA certificate to '%s', sha256 %s, valid until %s\n", path,
			  cli_str(j, "sha256"), cli_str(j, "not_after"));
}

static int check_issue(cli_args *a)
{
	const char *days = cli_opt(a, "days");
	char *end = NULL;

	if (days && (strtoul(days, &end, 10) == 0 || *end || strtoul(days, NULL, 10) > 397 || days[0] == '-'))
		return cli_usage(a, "--days takes a number of days, 1 to 397");
	return 0;
}

static int cmd_issue(cli_args *a, scrvault *v)
{
	scrvault_tls_issue_spec s = SCRVAULT_TLS_ISSUE_SPEC_INIT;
	const char *days = cli_opt(a, "days");
	scrvault_json *j = NULL;
	int error;

	s.hosts = cli_opt(a, "host");
	s.cert_out = cli_opt(a, "out-cert");
	s.key_out = cli_opt(a, "out-key");
	s.days = days ? (unsigned)strtoul(days, NULL, 10) : 0;
	if ((error = scrvault_tls_issue(&j, v, &s)) < 0)
		return cli_fail(error);
	return cli_result(a, j, "issued a server certificate for %s to '%s' (key '%s'), valid until %s\n",
			  cli_str(j, "hosts"), cli_str(j, "cert"), cli_str(j, "key"), cli_str(j, "not_after"));
}

static int cmd_pin(cli_args *a, scrvault *unused)
{
	unsigned char pin[32];
	int error;

	(void)unused;
	if ((error = scrvault_tls_ca_pin(pin, cli_opt(a, "ca"), cli_opt(a, "vkey"))) < 0)
		return cli_fail(error);
	for (int i = 0; i < 32; i++)
		printf("%02x", pin[i]);
	printf("\n");
	return 0;
}

static const cli_optdef ca_cert_opts[] = { { "output", 1, "path", "FILE" }, { NULL, 0, NULL, NULL } };
static const cli_optdef issue_opts[] = {
	{ "host", 1, "hosts", "NAME[,NAME...]" }, { "out-cert", 1, "cert_out", "FILE" },
	{ "out-key", 1, "key_out", "FILE" }, { "days", 1, "days", "N" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef pin_opts[] = {
	{ "ca", 1, "ca_path", "FILE" }, { "vkey", 1, "vault_key", "VKEY" }, { NULL, 0, NULL, NULL }
};

const cli_cmd cli_tls_commands[] = {
	{ "tls", "ca", cmd_ca, CLI_VAULT, NULL, "scrvault tls ca",
	  "Make the vault's TLS certificate authority (a vault made before it existed;\n"
	  "init makes one): ECDSA P-256, its key sealed under the vault master key, its\n"
	  "certificate endorsed by the vault's audit key.\n", NULL, 0, 0 },
	{ "tls", "ca-cert", cmd_ca_cert, CLI_VAULT, NULL, "scrvault tls ca-cert -o FILE",
	  "Write the CA certificate (PEM) for the clients to install (README: Deployment).\n",
	  ca_cert_opts, 0, 0, "output", "name the file to write: -o FILE (- for standard output)" },
	{ "tls", "issue", cmd_issue, CLI_VAULT, check_issue,
	  "scrvault tls issue --host NAME[,NAME...] --out-cert FILE --out-key FILE [--days N]",
	  "Issue the service's server certificate (and its CA's, the chain scrvaultd\n"
	  "sends) with a new key, for host names and IP addresses, valid 90 days (--days,\n"
	  "at most 397). The key file is created 0600; neither file may exist.\n",
	  issue_opts, 0, 0, "host", "name the server's host names: --host NAME[,NAME...]" },
	{ "tls", "pin", cmd_pin, 0, NULL, "scrvault tls pin --ca FILE --vkey VKEY",
	  "Check that FILE is the CA certificate of the vault whose verifier key is VKEY\n"
	  "(the vault-key of a key file; 'scrvault audit pubkey') and print the SHA-256\n"
	  "a client pins. Needs no vault.\n",
	  pin_opts, 0, 0, "ca", "name the CA certificate: --ca FILE" },
	CLI_CMDS_END
};
