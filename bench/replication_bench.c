/*
 * replication_bench.c - grow a vault's audit log for bench/replication.
 *
 *   build/bench/replication_bench VAULT KEY PASSPHRASE_FILE N [PLAIN_DB]
 *
 * Unlocks VAULT (made by `scrvault init`, documents already checked in by
 * the CLI) and appends audit entries until the log holds N, 10 000 per
 * transaction (sv_vault_begin / sv_audit_append / sv_vault_commit: each
 * batch is signed as a command's would be), then publishes the checkpoint
 * to the store.  Entries are ~260 bytes of canonical JSON, like a
 * check-in's, as bench/audit_bench.c makes them.  A benchmark helper only:
 * the internal API lets it build a 1 M-entry log in seconds instead of the
 * hours a million CLI commands would take.  Prints "entries N seconds S".
 *
 * With PLAIN_DB (a new file), it then writes an unencrypted copy of the
 * database there (sqlcipher_export): the peer that stock `sqlite3 .backup`
 * is timed on, since the stock shell cannot read the encrypted original.
 * The vault's content is the benchmark's random data, nothing else.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "vault/log.h"
#include "vault/txn.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "replication_bench: %s: %s\n", what, scrvault_error_message());
	exit(1);
}

/* The objects of entry `i`: a case, a document id, a version. */
/* What entry i is about (one at a time: the result is reused). */
static const sv_about *objs(uint64_t i)
{
	static char doc[33];
	static sv_about a;

	snprintf(doc, sizeof(doc), "%032" PRIx64, i * 2654435761u);
	a = (sv_about){ .caseref = "BENCH-1", .doc = doc, .version = 1 };
	return &a;
}

int main(int argc, char **argv)
{
	scrvault_secret *pp = NULL;
	scrvault *v = NULL;
	uint64_t n, size = 0;
	double t0;
	int fd;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: replication_bench VAULT KEY PASSPHRASE_FILE N [PLAIN_DB]\n");
		return 2;
	}
	n = strtoull(argv[4], NULL, 10);
	if (scrvault_global_init() < 0 || scrvault_secret_read_file(&pp, argv[3]) < 0 ||
	    scrvault_vault_open(&v, &(scrvault_open_options){ .version = SCRVAULT_OPEN_OPTIONS_VERSION, .dir = argv[1], .keyfile = argv[2], .passphrase = pp }) < 0)
		die("unlock");
	if (sv_audit_size(&size, v) < 0)
		die("audit size");
	t0 = now();
	while (size < n) {
		uint64_t batch = n - size < 10000 ? n - size : 10000;

		if (sv_vault_begin(v) < 0)
			die("begin");
		for (uint64_t i = 0; i < batch; i++)
			if (sv_audit_append(v, "bench.fill", "ok", objs(size + i), NULL) < 0) {
				sv_vault_abort(v);
				die("append");
			}
		if (sv_vault_commit(v) < 0)
			die("commit");
		size += batch;
	}
	if (sv_audit_checkpoint(v) < 0)
		die("checkpoint");
	printf("entries %" PRIu64 " seconds %.1f\n", size, now() - t0);
	/* The vault opens its database without SQLITE_OPEN_CREATE, and ATTACH
	 * inherits that: the file must exist (empty) first. */
	if (argc == 6 && ((fd = open(argv[5], O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0 || close(fd) < 0 ||
			  sv_db_run(v->db, "ATTACH DATABASE ? AS plain KEY ''", "t", argv[5]) < 0 ||
			  sv_db_exec(v->db, "SELECT sqlcipher_export('plain')") < 0 ||
			  sv_db_exec(v->db, "DETACH DATABASE plain") < 0))
		die("plain copy");
	scrvault_vault_close(v);
	scrvault_secret_free(pp);
	return 0;
}
