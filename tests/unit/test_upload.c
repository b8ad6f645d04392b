/*
 * test_upload.c - resumable uploads through the library, one handle as the
 * service holds one: chunks in order, a chunk out of order or changed when
 * resent refused, the last chunk resent acknowledged, a wrong SHA-256 at the
 * end refused with nothing checked in, another principal unable to see or
 * continue an upload, idle uploads expired and wiped, a chunk over the limit
 * refused, the check-in's checks made at the start, a closed handle's and a
 * killed process's spool wiped; the receipt of a finished one verified.
 */
#include "unit.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include "vault/session.h"
#include "vault/spool.h"
#include "crypto/crypto.h"

typedef struct {
	char *dir, *vault, *coord, *spool;
	scrvault_secret *pp;
	scrvault *v;
	unsigned char *data;
	size_t len;
	char sha[65];
	scrvault_checkin_spec ci;
} fixture;

static char *path_in(const char *dir, const char *name)
{
	char *p = NULL;

	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

static scrvault *open_vault(fixture *f)
{
	scrvault *v = NULL;

	assert_int_equal(scrvault_vault_open(&v, &(scrvault_open_options){ .version = SCRVAULT_OPEN_OPTIONS_VERSION,
			 .dir = f->vault, .keyfile = f->coord, .passphrase = f->pp }), 0);
	return v;
}

/* Files in the spool (0 when it does not exist). */
static int spool_files(fixture *f)
{
	DIR *d = opendir(f->spool);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static size_t docs(fixture *f)
{
	scrvault_json *j = NULL;
	size_t n;

	assert_int_equal(scrvault_doc_list(&j, f->v, "SCR-1"), 0);
	n = scrvault_json_count(j);
	scrvault_json_free(j);
	return n;
}

static int setup(void **state)
{
	scrvault_principal_spec s = { .version = SCRVAULT_PRINCIPAL_SPEC_VERSION, .name = "coord", .kind = "person",
				      .custodian = true, .kdf_mib = 19 };
	scrvault_case_spec c = { .version = SCRVAULT_CASE_SPEC_VERSION, .ref = "SCR-1", .title = "t", .review_type = "scr" };
	unsigned char sha[32];
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(scrvault_global_init(), 0);
	f->dir = unit_tmpdir();
	f->vault = path_in(f->dir, "v");
	f->coord = path_in(f->dir, "coord.key");
	f->spool = path_in(f->vault, "spool");
	assert_int_equal(scrvault_secret_new(&f->pp, "a good passphrase", 17), 0);
	assert_int_equal(scrvault_vault_init(f->vault, &s, f->coord, f->pp), 0);
	f->v = open_vault(f);
	assert_int_equal(scrvault_case_open(f->v, &c), 0);
	/* 300 000 bytes: several spool records per chunk, a short last one. */
	f->len = 300000;
	assert_non_null(f->data = malloc(f->len));
	for (size_t i = 0; i < f->len; i++)
		f->data[i] = (unsigned char)(i * 7 + i / 251);
	sv_sha256(sha, f->data, f->len);
	sv_hex(f->sha, sha, sizeof(sha));
	f->ci = (scrvault_checkin_spec){ .version = SCRVAULT_CHECKIN_SPEC_VERSION, .case_ref = "SCR-1",
					 .doc_class = "other" };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	scrvault_vault_close(f->v);
	unit_rmtree(f->dir);
	scrvault_secret_free(f->pp);
	free(f->dir); free(f->vault); free(f->coord); free(f->spool); free(f->data);
	free(f);
	return 0;
}

/* Begin an upload of f->data (announcing `sha`); its id into id[17]. */
static int begin(fixture *f, char id[17], const char *sha, const char *filename)
{
	scrvault_upload_spec s = SCRVAULT_UPLOAD_SPEC_INIT;
	scrvault_json *j = NULL;
	int error;

	s.checkin = &f->ci;
	s.filename = filename ? filename : "imr.pdf";
	s.size = f->len;
	s.sha256 = sha ? sha : f->sha;
	id[0] = '\0';
	if ((error = scrvault_upload_begin(&j, f->v, &s)) == 0) {
		snprintf(id, 17, "%s", scrvault_json_str(scrvault_json_get(j, "upload")));
		assert_int_equal(scrvault_json_int(scrvault_json_get(j, "received")), 0);
		assert_int_equal(scrvault_json_int(scrvault_json_get(j, "chunk_max")), SCRVAULT_UPLOAD_CHUNK_MAX);
	}
	scrvault_json_free(j);
	return error;
}

/* Send [off, off+len) of f->data; the acknowledged "received" or an error. */
static int64_t chunk(fixture *f, const char *id, size_t off, size_t len)
{
	scrvault_json *j = NULL;
	int64_t got;
	int error;

	if ((error = scrvault_upload_chunk(&j, f->v, id, off, f->data + off, len)) < 0)
		return error;
	got = scrvault_json_int(scrvault_json_get(j, "received"));
	scrvault_json_free(j);
	return got;
}

static void send_rest(fixture *f, const char *id, size_t from)
{
	for (size_t off = from; off < f->len; off += 100000) {
		size_t n = f->len - off < 100000 ? f->len - off : 100000;

		assert_int_equal(chunk(f, id, off, n), (int64_t)(off + n));
	}
}

static void test_in_order_finish_and_receipt(void **state)
{
	fixture *f = *state;
	scrvault_json *r = NULL, *rep = NULL;
	char id[17], *vkey = NULL, *rpath = path_in(f->dir, "receipt.json"), *out = path_in(f->dir, "out.bin"), *text;
	size_t before = docs(f);
	FILE *fp;

	assert_int_equal(begin(f, id, NULL, NULL), 0);
	assert_int_equal(spool_files(f), 1);
	send_rest(f, id, 0);
	assert_int_equal(scrvault_upload_finish(&r, f->v, id), 0);
	assert_int_equal(docs(f), before + 1);
	assert_int_equal(spool_files(f), 0);
	assert_string_equal(scrvault_json_str(scrvault_json_get(r, "sha256")), f->sha);
	assert_int_equal(scrvault_json_int(scrvault_json_get(r, "size")), (int64_t)f->len);
	/* The document checks out byte for byte. */
	assert_int_equal(scrvault_doc_checkout(f->v, scrvault_json_str(scrvault_json_get(r, "doc")), 1, out, 0), 0);
	{
		unsigned char *back = malloc(f->len + 1);
		int fd = open(out, O_RDONLY);

		assert_true(fd >= 0);
		assert_int_equal(read(fd, back, f->len + 1), (ssize_t)f->len);
		assert_memory_equal(back, f->data, f->len);
		close(fd);
		free(back);
	}
	/* Its receipt verifies offline; the upload is gone. */
	assert_int_equal(scrvault_audit_pubkey(&vkey, f->v), 0);
	assert_non_null(text = scrvault_json_text(r));
	assert_non_null(fp = fopen(rpath, "w"));
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(scrvault_receipt_verify(&rep, rpath, vkey, out), 0);
	assert_true(scrvault_json_get(rep, "valid") != NULL);
	scrvault_json_free(rep);
	rep = NULL;
	/* A file that is not the one received. */
	assert_non_null(fp = fopen(out, "w"));
	fputs("something else\n", fp);
	fclose(fp);
	assert_int_equal(scrvault_receipt_verify(&rep, rpath, vkey, out), SCRVAULT_EINTEGRITY);
	assert_int_equal(scrvault_upload_abort(f->v, id), SCRVAULT_ENOTFOUND);
	free(text);
	free(vkey);
	free(rpath);
	free(out);
	scrvault_json_free(r);
}

static void test_out_of_order_refused(void **state)
{
	fixture *f = *state;
	scrvault_json *j = NULL;
	char id[17];

	assert_int_equal(begin(f, id, NULL, NULL), 0);
	/* Ahead of what was received. */
	assert_int_equal(chunk(f, id, 100000, 100000), SCRVAULT_ECONFLICT);
	assert_non_null(strstr(scrvault_error_message(), "expects offset 0"));
	assert_int_equal(chunk(f, id, 0, 100000), 100000);
	/* On disk, synced, and ciphertext only: no 32-byte run of the file. */
	{
		unsigned char *disk = malloc(200000);
		int fd = open(f->v->uploads->path, O_RDONLY);
		ssize_t got;

		assert_true(fd >= 0);
		got = read(fd, disk, 200000);
		assert_true(got > 100000);
		for (size_t at = 0; at + 32 <= 100000; at += 4096)
			assert_null(memmem(disk, (size_t)got, f->data + at, 32));
		close(fd);
		free(disk);
	}
	/* Behind it (not the last chunk again), and ahead again. */
	assert_int_equal(chunk(f, id, 50000, 100000), SCRVAULT_ECONFLICT);
	assert_non_null(strstr(scrvault_error_message(), "expects offset 100000"));
	assert_int_equal(chunk(f, id, 250000, 50000), SCRVAULT_ECONFLICT);
	/* Past the announced size. */
	assert_int_equal(scrvault_upload_chunk(&j, f->v, id, 100000, f->data, 250000), SCRVAULT_EUSAGE);
	/* Finishing early is refused and keeps it. */
	assert_int_equal(scrvault_upload_finish(&j, f->v, id), SCRVAULT_ECONFLICT);
	assert_int_equal(scrvault_upload_status(&j, f->v, id), 0);
	assert_int_equal(scrvault_json_int(scrvault_json_get(j, "received")), 100000);
	scrvault_json_free(j);
	assert_int_equal(scrvault_upload_abort(f->v, id), 0);
	assert_int_equal(spool_files(f), 0);
}

static void test_duplicate_last_chunk(void **state)
{
	fixture *f = *state;
	scrvault_json *j = NULL;
	unsigned char *changed = malloc(100000);
	char id[17];
	size_t before = docs(f);

	assert_int_equal(begin(f, id, NULL, NULL), 0);
	assert_int_equal(chunk(f, id, 0, 100000), 100000);
	assert_int_equal(chunk(f, id, 100000, 100000), 200000);
	/* The acknowledgement was lost: the same chunk again is acknowledged. */
	assert_int_equal(chunk(f, id, 100000, 100000), 200000);
	/* The same offset with other bytes is not. */
	memcpy(changed, f->data + 100000, 100000);
	changed[99999] ^= 1;
	assert_int_equal(scrvault_upload_chunk(&j, f->v, id, 100000, changed, 100000), SCRVAULT_ECONFLICT);
	/* An earlier chunk is not the last one. */
	assert_int_equal(chunk(f, id, 0, 100000), SCRVAULT_ECONFLICT);
	send_rest(f, id, 200000);
	/* Resumed in the same handle, what was checked in is exactly the file. */
	assert_int_equal(scrvault_upload_finish(&j, f->v, id), 0);
	assert_string_equal(scrvault_json_str(scrvault_json_get(j, "sha256")), f->sha);
	assert_int_equal(docs(f), before + 1);
	scrvault_json_free(j);
	free(changed);
}

static void test_wrong_sha256_refused(void **state)
{
	fixture *f = *state;
	scrvault_json *j = NULL;
	char id[17], wrong[65];
	size_t before = docs(f);

	memcpy(wrong, f->sha, sizeof(wrong));
	wrong[0] = wrong[0] == '0' ? '1' : '0';
	assert_int_equal(begin(f, id, wrong, NULL), 0);
	send_rest(f, id, 0);
	assert_int_equal(scrvault_upload_finish(&j, f->v, id), SCRVAULT_EINTEGRITY);
	assert_null(j);
	assert_int_equal(docs(f), before);
	assert_int_equal(spool_files(f), 0);
	assert_int_equal(scrvault_upload_status(&j, f->v, id), SCRVAULT_ENOTFOUND);
}

static void test_tampered_spool_refused(void **state)
{
	fixture *f = *state;
	scrvault_json *j = NULL;
	unsigned char b;
	char id[17];
	size_t before = docs(f);
	int fd;

	assert_int_equal(begin(f, id, NULL, NULL), 0);
	send_rest(f, id, 0);
	/* A byte of the spool's ciphertext flipped on disk (in a later record). */
	assert_non_null(f->v->uploads);
	assert_true((fd = open(f->v->uploads->path, O_RDWR)) >= 0);
	assert_int_equal(pread(fd, &b, 1, 200000), 1);
	b ^= 0x20;
	assert_int_equal(pwrite(fd, &b, 1, 200000), 1);
	close(fd);
	assert_int_equal(scrvault_upload_finish(&j, f->v, id), SCRVAULT_EINTEGRITY);
	assert_null(j);
	assert_int_equal(docs(f), before);
	assert_int_equal(spool_files(f), 0);
}

static void test_other_principal_cannot_continue(void **state)
{
	fixture *f = *state;
	scrvault_json *j = NULL;
	int64_t me = f->v->principal_id;
	char id[17];

	assert_int_equal(begin(f, id, NULL, NULL), 0);
	assert_int_equal(chunk(f, id, 0, 100000), 100000);
	/* The service's handle acting for someone else (scrvault_vault_act). */
	f->v->principal_id = me + 1000;
	assert_int_equal(chunk(f, id, 100000, 100000), SCRVAULT_ENOTFOUND);
	assert_int_equal(scrvault_upload_status(&j, f->v, id), SCRVAULT_ENOTFOUND);
	assert_int_equal(scrvault_upload_finish(&j, f->v, id), SCRVAULT_ENOTFOUND);
	assert_int_equal(scrvault_upload_abort(f->v, id), SCRVAULT_ENOTFOUND);
	f->v->principal_id = me;
	assert_int_equal(chunk(f, id, 100000, 100000), 200000);
	assert_int_equal(scrvault_upload_abort(f->v, id), 0);
}

static void test_expiry_wipes(void **state)
{
	fixture *f = *state;
	scrvault_json *j = NULL;
	unsigned n = 99;
	char id[17], keep[17];

	assert_int_equal(begin(f, id, NULL, NULL), 0);
	assert_int_equal(begin(f, keep, NULL, NULL), 0);
	assert_int_equal(chunk(f, id, 0, 100000), 100000);
	assert_int_equal(scrvault_upload_expire(f->v, &n), 0);
	assert_int_equal(n, 0);
	/* Idle longer than the limit. */
	for (sv_upload *u = f->v->uploads; u; u = u->next)
		if (!strcmp(u->id, id))
			u->last -= SCRVAULT_UPLOAD_IDLE_SECONDS + 1;
	assert_int_equal(scrvault_upload_expire(f->v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(spool_files(f), 1);
	assert_int_equal(chunk(f, id, 100000, 100000), SCRVAULT_ENOTFOUND);
	assert_int_equal(scrvault_upload_status(&j, f->v, keep), 0);
	scrvault_json_free(j);
	assert_int_equal(scrvault_upload_abort(f->v, keep), 0);
	assert_int_equal(spool_files(f), 0);
}

static void test_chunk_over_limit_refused(void **state)
{
	fixture *f = *state;
	scrvault_json *j = NULL;
	unsigned char *big = calloc(1, SCRVAULT_UPLOAD_CHUNK_MAX + 1);
	char id[17];

	scrvault_upload_spec s = SCRVAULT_UPLOAD_SPEC_INIT;

	assert_non_null(big);
	/* Announced larger than the chunk, so only the chunk limit refuses it. */
	s.checkin = &f->ci;
	s.filename = "big.pdf";
	s.size = 2 * (uint64_t)SCRVAULT_UPLOAD_CHUNK_MAX;
	s.sha256 = f->sha;
	assert_int_equal(scrvault_upload_begin(&j, f->v, &s), 0);
	snprintf(id, sizeof(id), "%s", scrvault_json_str(scrvault_json_get(j, "upload")));
	scrvault_json_free(j);
	j = NULL;
	assert_int_equal(scrvault_upload_chunk(&j, f->v, id, 0, big, SCRVAULT_UPLOAD_CHUNK_MAX + 1), SCRVAULT_EUSAGE);
	assert_int_equal(scrvault_upload_status(&j, f->v, id), 0);
	assert_int_equal(scrvault_json_int(scrvault_json_get(j, "received")), 0);
	scrvault_json_free(j);
	assert_int_equal(scrvault_upload_abort(f->v, id), 0);
	free(big);
}

static void test_begin_checks_as_checkin(void **state)
{
	fixture *f = *state;
	scrvault_upload_spec s = SCRVAULT_UPLOAD_SPEC_INIT;
	scrvault_checkin_spec bad = f->ci;
	scrvault_json *j = NULL;
	char id[17], ids[SCRVAULT_UPLOADS_PER_PRINCIPAL][17];

	assert_int_equal(begin(f, id, NULL, "../../etc/passwd"), SCRVAULT_EUSAGE);
	assert_int_equal(begin(f, id, NULL, ".hidden"), SCRVAULT_EUSAGE);
	assert_int_equal(begin(f, id, "not-a-hash", NULL), SCRVAULT_EUSAGE);
	bad.doc_class = "nonsense";
	s.checkin = &bad;
	s.filename = "a.pdf";
	s.size = 1;
	s.sha256 = f->sha;
	assert_int_equal(scrvault_upload_begin(&j, f->v, &s), SCRVAULT_EUSAGE);
	bad = f->ci;
	bad.case_ref = "SCR-404";
	assert_int_equal(scrvault_upload_begin(&j, f->v, &s), SCRVAULT_ENOTFOUND);
	/* Larger than the policy accepts from an agency. */
	s.checkin = &f->ci;
	s.size = (uint64_t)1 << 40;
	assert_int_equal(scrvault_upload_begin(&j, f->v, &s), SCRVAULT_EDENIED);
	assert_int_equal(spool_files(f), 0);
	/* At most SCRVAULT_UPLOADS_PER_PRINCIPAL live. */
	for (int i = 0; i < SCRVAULT_UPLOADS_PER_PRINCIPAL; i++)
		assert_int_equal(begin(f, ids[i], NULL, NULL), 0);
	assert_int_equal(begin(f, id, NULL, NULL), SCRVAULT_ECONFLICT);
	for (int i = 0; i < SCRVAULT_UPLOADS_PER_PRINCIPAL; i++)
		assert_int_equal(scrvault_upload_abort(f->v, ids[i]), 0);
	assert_null(j);
}

static void test_close_and_unlock_wipe(void **state)
{
	fixture *f = *state;
	char id[17], *stale = path_in(f->spool, "0123456789abcdef"), *held = path_in(f->spool, "fedcba9876543210");
	int fd, hfd;

	assert_int_equal(begin(f, id, NULL, NULL), 0);
	assert_int_equal(chunk(f, id, 0, 100000), 100000);
	assert_int_equal(spool_files(f), 1);
	/* Closing the handle wipes its uploads (their keys die with it). */
	scrvault_vault_close(f->v);
	assert_int_equal(spool_files(f), 0);
	/* What a killed process left, and a file a live session still holds. */
	assert_true((fd = open(stale, O_CREAT | O_WRONLY, 0600)) >= 0);
	assert_int_equal(write(fd, "ciphertext", 10), 10);
	close(fd);
	assert_true((hfd = open(held, O_CREAT | O_WRONLY, 0600)) >= 0);
	assert_int_equal(flock(hfd, LOCK_EX), 0);
	f->v = open_vault(f);
	assert_int_equal(access(stale, F_OK), -1);
	assert_int_equal(access(held, F_OK), 0);
	close(hfd);
	scrvault_vault_close(f->v);
	f->v = open_vault(f);
	assert_int_equal(spool_files(f), 0);
	free(stale);
	free(held);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order_finish_and_receipt),
		cmocka_unit_test(test_out_of_order_refused),
		cmocka_unit_test(test_duplicate_last_chunk),
		cmocka_unit_test(test_wrong_sha256_refused),
		cmocka_unit_test(test_tampered_spool_refused),
		cmocka_unit_test(test_other_principal_cannot_continue),
		cmocka_unit_test(test_expiry_wipes),
		cmocka_unit_test(test_chunk_over_limit_refused),
		cmocka_unit_test(test_begin_checks_as_checkin),
		cmocka_unit_test(test_close_and_unlock_wipe),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
