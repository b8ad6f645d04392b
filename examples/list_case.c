/*
 * list_case.c - a program of someone else's, using libscrvault's public
 * API only: unlock a vault, list the documents of one case, close.
 *
 *   list_case VAULT KEYFILE PASSPHRASE-FILE CASE
 *
 * Build against an installed library:
 *   cc -o list_case list_case.c $(pkg-config --cflags --libs scrvault)
 */
#include <stdio.h>
#include <scrvault/scrvault.h>

int main(int argc, char **argv)
{
	scrvault_open_options opts = SCRVAULT_OPEN_OPTIONS_INIT;
	scrvault_secret *pass = NULL;
	scrvault_json *docs = NULL;
	scrvault *v = NULL;
	int error;

	if (argc != 5) {
		fprintf(stderr, "usage: list_case VAULT KEYFILE PASSPHRASE-FILE CASE\n");
		return 2;
	}
	if ((error = scrvault_global_init()) < 0 ||
	    (error = scrvault_secret_read_file(&pass, argv[3])) < 0)
		goto done;
	opts.dir = argv[1];
	opts.keyfile = argv[2];
	opts.passphrase = pass;
	if ((error = scrvault_vault_open(&v, &opts)) < 0 ||
	    (error = scrvault_doc_list(&docs, v, argv[4])) < 0)
		goto done;
	printf("case %s: %zu document%s\n", argv[4], scrvault_json_count(docs),
	       scrvault_json_count(docs) == 1 ? "" : "s");
	for (size_t i = 0; i < scrvault_json_count(docs); i++) {
		const scrvault_json *d = scrvault_json_at(docs, i);

		printf("%s  %-20s v%lld  %s\n", scrvault_json_str(scrvault_json_get(d, "doc")),
		       scrvault_json_str(scrvault_json_get(d, "class")),
		       (long long)scrvault_json_int(scrvault_json_get(d, "latest")),
		       scrvault_json_str(scrvault_json_get(d, "title")));
	}
done:
	if (error < 0)
		fprintf(stderr, "list_case: %s\n", scrvault_error_message());
	scrvault_json_free(docs);
	scrvault_vault_close(v);
	scrvault_secret_free(pass);
	return error < 0 ? -error : 0;
}
