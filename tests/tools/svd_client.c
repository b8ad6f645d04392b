/*
 * svd_client - the custodian's and the user's side of scrvaultd for the
 * tests, through the public API only (what `scrvault unseal` and the agent
 * do on a person's own machine):
 *
 *   svd_client answer KEYFILE PASSFILE < OFFER.json   > ANSWER.json
 *       answer an unseal offer (scrvault_unseal_answer)
 *   svd_client sign KEYFILE PASSFILE < STATEMENT      > base64 signature
 *       sign a statement's bytes (a sign-in challenge, a sign-off)
 *
 * PASSFILE "-": a key file without a passphrase (a service principal's).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scrvault/scrvault.h"
#include "scrvault/session.h"
#include "scrvault/keyfile.h"

static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0, r;
	char *buf = malloc(cap + 1);

	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			char *b = realloc(buf, cap * 2 + 1);
			if (!b) { free(buf); return NULL; }
			buf = b;
			cap *= 2;
		}
	}
	if (buf)
		buf[n] = '\0';
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	scrvault_secret *pass = NULL;
	scrvault_json *offer = NULL, *answer = NULL;
	scrvault_key *key = NULL;
	char *in = NULL, *out = NULL;
	size_t len = 0;
	int rc = 1;

	if (argc != 4 || scrvault_global_init() < 0) {
		fprintf(stderr, "usage: svd_client answer|sign KEYFILE PASSFILE < INPUT\n");
		return 2;
	}
	if ((strcmp(argv[3], "-") && scrvault_secret_read_file(&pass, argv[3]) < 0) || !(in = read_all(stdin, &len)))
		goto done;
	if (strcmp(argv[1], "answer") == 0) {
		if (scrvault_json_parse(&offer, in, len) < 0 ||
		    scrvault_unseal_answer(&answer, offer, argv[2], pass) < 0 || !(out = scrvault_json_text(answer)))
			goto done;
	} else if (strcmp(argv[1], "sign") == 0) {
		if (scrvault_key_load(&key, argv[2], pass) < 0 || scrvault_key_sign(&out, key, in) < 0)
			goto done;
	} else {
		fprintf(stderr, "svd_client: answer or sign\n");
		rc = 2;
		goto done;
	}
	printf("%s\n", out);
	rc = 0;
done:
	if (rc == 1)
		fprintf(stderr, "svd_client: %s\n", scrvault_error_message());
	free(out);
	free(in);
	scrvault_json_free(offer);
	scrvault_json_free(answer);
	scrvault_key_free(key);
	scrvault_secret_free(pass);
	return rc;
}
