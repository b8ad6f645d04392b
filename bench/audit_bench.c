/*
 * audit_bench.c - throughput of the audit log.
 *
 *   build/bench/audit_bench DIR [N]
 *
 * In a fresh vault under DIR: append throughput one entry per transaction
 * (with and without the signed checkpoint a command adds) and batched;
 * grows the log to N entries (default 1 000 000); exports it and times the
 * offline verification; times inclusion and consistency proofs at N; and
 * measures the audit share of a small state-changing command (case open)
 * and of a 1 MB check-in.  Prints one "name value unit" line per figure.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	fprintf(stderr, "audit_bench: %s: %s\n", what, scrvault_error_message());
	exit(1);
}

/* What entry i is about (one at a time: the result is reused). */
static const sv_about *objs(uint64_t i)
{
	static char doc[33];
	static sv_about a;

	snprintf(doc, sizeof(doc), "%032" PRIx64, i * 2654435761u);
	a = (sv_about){ .caseref = "SCR-2026-03", .doc = doc, .version = 1 };
	return &a;
}

int main(int argc, char **argv)
{
	scrvault_principal_spec s = { .version = SCRVAULT_PRINCIPAL_SPEC_VERSION, .name = "coord", .kind = "person", .custodian = true, .kdf_mib = 19 };
	scrvault_secret *pp = NULL;
	scrvault *v = NULL;
	char *vault, *key, *export;
	uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000, size = 0;
	double t0, t;
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: audit_bench DIR [N]\n");
		return 2;
	}
	if (scrvault_global_init() < 0 || asprintf(&vault, "%s/vault", argv[1]) < 0 ||
	    asprintf(&key, "%s/coord.key", argv[1]) < 0 || asprintf(&export, "%s/export.jsonl", argv[1]) < 0)
		die("set-up");
	if (scrvault_secret_new(&pp, "benchmark passphrase", 20) < 0 ||
	    scrvault_vault_init(vault, &s, key, pp) < 0 || scrvault_vault_open(&v, &(scrvault_open_options){ .version = SCRVAULT_OPEN_OPTIONS_VERSION, .dir = vault, .keyfile = key, .passphrase = pp }) < 0)
		die("vault");

	/* One entry per transaction, as a command without its checkpoint. */
	t0 = now();
	for (int i = 0; i < 2000; i++)
		if (sv_vault_begin(v) < 0 || sv_audit_append(v, "bench.single", "ok", objs((uint64_t)i), NULL) < 0 ||
		    sv_db_commit(v->db) < 0)
			die("append");
	t = now() - t0;
	printf("append_one_per_txn %.0f entries/s\n", 2000 / t);
	/* ... and with the signed checkpoint committed to the store. */
	t0 = now();
	for (int i = 0; i < 300; i++)
		if (sv_vault_begin(v) < 0 || sv_audit_append(v, "bench.single", "ok", objs((uint64_t)i), NULL) < 0 ||
		    sv_vault_commit(v) < 0)
			die("append+checkpoint");
	t = now() - t0;
	printf("append_with_checkpoint %.0f entries/s (%.2f ms per transaction; signed in it, copied to the store every %d)\n",
	       300 / t, t * 1000 / 300, 64);

	/* Batched, up to N. */
	if (sv_audit_size(&size, v) < 0)
		die("size");
	t0 = now();
	while (size < n) {
		uint64_t batch = n - size < 10000 ? n - size : 10000;

		if (sv_vault_begin(v) < 0)
			die("begin");
		for (uint64_t i = 0; i < batch; i++)
			if (sv_audit_append(v, "bench.batch", "ok", objs(size + i), NULL) < 0)
				die("append");
		if (sv_db_commit(v->db) < 0)
			die("commit");
		size += batch;
	}
	t = now() - t0;
	printf("append_batched %.0f entries/s (to %" PRIu64 " entries)\n", (double)(n - 2300) / t, size);
	if (sv_audit_checkpoint(v) < 0)
		die("checkpoint");

	/* Proofs at N. */
	{
		char *proof = NULL;
		int reps = 200;

		t0 = now();
		for (int i = 0; i < reps; i++) {
			if (scrvault_audit_prove(&proof, v, 1 + ((uint64_t)i * 7919u) % size) < 0)
				die("prove");
			free(proof);
		}
		printf("inclusion_proof %.3f ms at %" PRIu64 " entries\n", (now() - t0) * 1000 / reps, size);
		int64_t first = 0;

		/* From the first signed checkpoint (vault creation) to the newest. */
		if (sv_db_int(&first, v->db, "SELECT min(size) FROM checkpoints", "") < 0)
			die("checkpoints");
		t0 = now();
		for (int i = 0; i < 50; i++) {
			if (scrvault_audit_consistency(&proof, v, (uint64_t)first, 0) < 0)
				die("consistency");
			free(proof);
		}
		printf("consistency_proof %.3f ms at %" PRIu64 " entries\n", (now() - t0) * 1000 / 50, size);
	}

	/* Export and offline verification. */
	{
		scrvault_json *r = NULL;
		uint64_t count = 0;

		unlink(export);
		if ((fd = open(export, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0)
			die("export file");
		t0 = now();
		if (scrvault_audit_export(v, NULL, fd, &count) < 0)
			die("export");
		close(fd);
		printf("export %.0f entries/s\n", (double)count / (now() - t0));
		{
			char *vkey = NULL;

			if (scrvault_audit_pubkey(&vkey, v) < 0)
				die("pubkey");
			t0 = now();
			if (scrvault_audit_verify_file(&r, export, vkey) < 0)
				die("verify");
			t = now() - t0;
			printf("verify_export %.0f entries/s (%" PRIu64 " entries in %.2f s)\n", (double)count / t, count, t);
			scrvault_json_free(r);
			free(vkey);
		}
		t0 = now();
		if (scrvault_audit_verify_live(&r, v, NULL) < 0)
			die("verify live");
		printf("verify_live %.0f entries/s\n", (double)count / (now() - t0));
		scrvault_json_free(r);
	}

	/*
	 * Audit share of state-changing commands: the time spent inside the
	 * audit code (entry, tree nodes, signed checkpoint, copying it to the
	 * store; counted by the library in v->audit_seconds) over the time of
	 * the whole command.  Two ways: in a long-lived session (one
	 * transaction per command: a service's view) and one session per
	 * command (unlock with an 8 MiB key file, the command, the end of the
	 * session that copies the checkpoint to the store: the CLI's view).
	 */
	{
		scrvault_case_spec c = { .version = SCRVAULT_CASE_SPEC_VERSION, .title = "t", .review_type = "scr" };
		scrvault_checkin_spec ci = { .version = SCRVAULT_CHECKIN_SPEC_VERSION, .case_ref = "SCR-2026-03", .doc_class = "imr" };
		scrvault_checkin_file cf = { .path = NULL };
		char ref[32], *small, *big, *key2 = NULL;
		double full, a0;
		scrvault_json *res = NULL;
		int reps = 200;

		if (asprintf(&small, "%s/small.bin", argv[1]) < 0 || asprintf(&big, "%s/big.bin", argv[1]) < 0)
			die("paths");
		{
			unsigned char *buf = calloc(1, 1 << 20);
			FILE *f1 = fopen(small, "wb"), *f2 = fopen(big, "wb");

			if (!buf || !f1 || !f2 || sv_random(buf, 1 << 20) < 0 ||
			    fwrite(buf, 1, 8192, f1) != 8192 || fwrite(buf, 1, 1 << 20, f2) != 1 << 20)
				die("test files");
			fclose(f1);
			fclose(f2);
			free(buf);
		}
		c.ref = "SCR-2026-03";
		if (scrvault_case_open(v, &c) < 0)
			die("case");
		if (sv_audit_publish(v, true) < 0)
			die("publish");
		a0 = v->audit_seconds;
		t0 = now();
		for (int i = 0; i < reps; i++) {
			snprintf(ref, sizeof(ref), "B-%d", i);
			c.ref = ref;
			if (scrvault_case_open(v, &c) < 0)
				die("case open");
		}
		full = now() - t0;
		printf("share_session_case_open %.3f ms per command, audit %.3f ms = %.1f%%\n",
		       full * 1000 / reps, (v->audit_seconds - a0) * 1000 / reps, 100 * (v->audit_seconds - a0) / full);
		for (int k = 0; k < 2; k++) {
			cf.path = k ? big : small;
			reps = k ? 50 : 200;
			a0 = v->audit_seconds;
			t0 = now();
			for (int i = 0; i < reps; i++) {
				if (scrvault_doc_checkin(&res, v, &ci, &cf, 1) < 0)
					die("checkin");
				scrvault_json_free(res);
			}
			full = now() - t0;
			printf("share_session_checkin_%s %.3f ms per command, audit %.3f ms = %.1f%%\n", k ? "1MiB" : "8KiB",
			       full * 1000 / reps, (v->audit_seconds - a0) * 1000 / reps, 100 * (v->audit_seconds - a0) / full);
		}
		/* A second custodian with the default (46 MiB) Argon2id key file. */
		{
			scrvault_principal_spec d = { .version = SCRVAULT_PRINCIPAL_SPEC_VERSION, .name = "coord2", .kind = "service", .custodian = true };
			scrvault_json *held = NULL;	/* one custodian so far: runs at once */

			if (asprintf(&key2, "%s/coord2.key", argv[1]) < 0 || scrvault_principal_add(&held, v, &d, key2, pp) < 0 || held ||
			    scrvault_principal_grant(&held, v, "coord2", "coordinator", NULL, NULL) < 0 || held)
				die("second custodian");
		}
		scrvault_vault_close(v);
		v = NULL;

		/* One session per command, as the CLI runs them. */
		for (int k = 0; k < 6; k++) {
			const char *kf = k < 3 ? key : key2;
			double audit = 0;

			reps = k < 3 ? 30 : 10;
			cf.path = k % 3 == 2 ? big : small;
			t0 = now();
			for (int i = 0; i < reps; i++) {
				if (scrvault_vault_open(&v, &(scrvault_open_options){ .version = SCRVAULT_OPEN_OPTIONS_VERSION, .dir = vault, .keyfile = kf, .passphrase = pp }) < 0)
					die("open");
				a0 = v->audit_seconds;
				if (k % 3 == 0) {
					snprintf(ref, sizeof(ref), "C-%d-%d", k, i);
					c.ref = ref;
					if (scrvault_case_open(v, &c) < 0)
						die("case open");
				} else {
					if (scrvault_doc_checkin(&res, v, &ci, &cf, 1) < 0)
						die("checkin");
					scrvault_json_free(res);
				}
				/* What scrvault_close does at the end of every session. */
				if (sv_audit_publish(v, true) < 0)
					die("publish");
				audit += v->audit_seconds - a0;
				scrvault_vault_close(v);
				v = NULL;
			}
			full = now() - t0;
			printf("share_command_%s_%s %.2f ms per command, audit %.3f ms = %.1f%%\n",
			       k % 3 == 0 ? "case_open" : k % 3 == 1 ? "checkin_8KiB" : "checkin_1MiB",
			       k < 3 ? "kdf8MiB" : "kdf_default",
			       full * 1000 / reps, audit * 1000 / reps, 100 * audit / full);
		}
		free(small);
		free(big);
		free(key2);
	}
	scrvault_vault_close(v);
	scrvault_secret_free(pp);
	free(vault);
	free(key);
	free(export);
	return 0;
}
