/*
 * cmd_verify.c - scrvault-seal verify: check a file the vault made, all of
 * it, and write nothing but the verdict.  Today the one kind is a release
 * bundle; signed upload receipts are to come: the library tells the kinds
 * apart (scrvault_verify, "kind" in its answer) and `summaries` below says
 * what to print of each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "seal.h"
#include "scrvault/seal.h"

/* What a person sees of a verified file of one kind: key, label. */
typedef struct {
	const char *kind;
	const cli_col *fields;
} summary;

static const cli_col release_fields[] = {
	{ "release", "release" }, { "copy", "copy" }, { "vault", "vault" }, { "doc", "document" },
	{ "version", "version" }, { "case", "case" }, { "class", "class" }, { "agency", "agency" },
	{ "title", "title" }, { "filename", "file name" }, { "size", "size" }, { "sha256", "sha256" },
	{ "released_at", "released at" }, { "released_by", "released by" }, { "to", "to" },
	{ "signer_key", "signed by" }, { NULL, NULL }
};

static const summary summaries[] = {
	{ "release", release_fields },
	/* { "receipt", receipt_fields }, when the vault signs upload receipts */
	{ NULL, NULL }
};

static void print_summary(const scrvault_json *j)
{
	const char *kind = scrvault_json_str(scrvault_json_get(j, "kind"));

	for (const summary *s = summaries; s->kind; s++) {
		if (!kind || strcmp(kind, s->kind) != 0)
			continue;
		printf("%s\n", kind);
		for (const cli_col *f = s->fields; f->key; f++) {
			const scrvault_json *v = scrvault_json_get(j, f->key);

			if (!v || scrvault_json_is_null(v))
				continue;
			if (scrvault_json_str(v))
				printf("  %-12s %s\n", f->header, scrvault_json_str(v));
			else
				printf("  %-12s %lld\n", f->header, (long long)scrvault_json_int(v));
		}
	}
}

int seal_cmd_verify(cli_args *a, scrvault *unused)
{
	scrvault_verify_spec s = SCRVAULT_VERIFY_SPEC_INIT;
	scrvault_json *j = NULL;
	int error;

	(void)unused;
	s.keyfile = cli_own_key(a);
	s.identity = cli_opt(a, "identity");
	s.vault_key = cli_opt(a, "vault-key");
	s.input = a->args[0];
	if (!s.vault_key)
		s.vault_key = getenv("SCRVAULT_VAULT_KEY");
	if (!s.vault_key || !*s.vault_key)
		return cli_usage(a, "give the vault's verifier key as the board publishes it "
				 "(--vault-key KEY or $SCRVAULT_VAULT_KEY)");
	if (s.identity)
		s.keyfile = NULL;
	else if (!s.keyfile)
		return cli_usage(a, "give your key file (--key FILE or $SCRVAULT_KEY) or an age identity (--identity FILE)");
	if ((error = cli_key_passphrase(a, s.keyfile)) != 0)
		return error;
	s.passphrase = a->secret;
	if ((error = scrvault_verify(&j, &s)) < 0)
		return cli_fail(error);
	if (!a->json)
		print_summary(j);
	(void)cli_result(a, j, "verified\n");
	return fflush(stdout) == 0 ? 0 : 1;
}
