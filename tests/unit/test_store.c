/*
 * test_store.c - the git object store: streams, loose object format read
 * back by real git, corruption detection, commits and refs.
 */
#include "unit.h"
#include "storage/store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MB (1024 * 1024)

typedef struct {
	char *dir;		/* unit_tmpdir */
	char *repo;		/* dir/store.git */
	sv_store *s;
} fixture;

/* xorshift64*: deterministic test data (rand() is banned). */
static uint64_t prng_state = 0x9e3779b97f4a7c15ULL;

static void fill_random(unsigned char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if ((i & 7) == 0) {
			prng_state ^= prng_state >> 12;
			prng_state ^= prng_state << 25;
			prng_state ^= prng_state >> 27;
		}
		buf[i] = (unsigned char)((prng_state * 0x2545f4914f6cdd1dULL) >> (8 * (i & 7)));
	}
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static bool quick(void)
{
	return getenv("SCRVAULT_TEST_QUICK") != NULL;
}

/* Run a shell command; its stdout into out (if given); returns exit status. */
static int run(char *out, size_t outlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int run(char *out, size_t outlen, const char *fmt, ...)
{
	char cmd[4096], sink[256];
	size_t n = 0, k;
	va_list ap;
	FILE *f;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	assert_non_null(f);
	if (out) {
		while (n + 1 < outlen && (k = fread(out + n, 1, outlen - 1 - n, f)) > 0)
			n += k;
		out[n] = '\0';
	}
	while (fread(sink, 1, sizeof(sink), f) > 0)
		;
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = unit_tmpdir();
	assert_true(asprintf(&f->repo, "%s/store.git", f->dir) > 0);
	assert_int_equal(sv_store_init(f->repo), 0);
	assert_int_equal(sv_store_open(&f->s, f->repo), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	sv_store_free(f->s);
	unit_rmtree(f->dir);
	free(f->dir);
	free(f->repo);
	free(f);
	return 0;
}

static char *obj_path(fixture *f, const char *oid)
{
	char *p;

	assert_true(asprintf(&p, "%s/objects/%.2s/%s", f->repo, oid, oid + 2) > 0);
	return p;
}

static off_t file_size(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -1;
	return st.st_size;
}

/* Regular files under objects/ (loose objects, temp files, packs). */
static int nfiles;

static int count_cb(const char *p, const struct stat *sb, int flag, struct FTW *w)
{
	(void)p; (void)sb; (void)w;
	if (flag == FTW_F)
		nfiles++;
	return 0;
}

static int count_objects_files(fixture *f)
{
	char *p;

	assert_true(asprintf(&p, "%s/objects", f->repo) > 0);
	nfiles = 0;
	assert_int_equal(nftw(p, count_cb, 16, FTW_PHYS), 0);
	free(p);
	return nfiles;
}

/* Write `len` bytes of `data` as a blob in writes of `chunk` bytes. */
static void stream_put(fixture *f, char oid[SV_OID_HEXLEN + 1],
		       const unsigned char *data, size_t len, size_t chunk)
{
	sv_store_wstream *w;
	size_t off = 0;

	assert_int_equal(sv_store_blob_open(&w, f->s, len), 0);
	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk;

		assert_int_equal(sv_store_blob_write(w, data + off, n), 0);
		off += n;
	}
	assert_int_equal(sv_store_blob_finish(oid, w), 0);
	sv_store_wstream_free(w);
}

/* Read a blob whole through the stream reader in reads of `chunk` bytes. */
static int stream_get(fixture *f, const char *oid, unsigned char **out,
		      size_t *outlen, size_t chunk)
{
	sv_store_rstream *r;
	unsigned char *buf;
	uint64_t size;
	size_t got = 0;
	long n;
	int error;

	*out = NULL;
	if ((error = sv_store_blob_reader(&r, &size, f->s, oid)) < 0)
		return error;
	buf = malloc(size + chunk);
	assert_non_null(buf);
	while ((n = sv_store_blob_read(r, buf + got, chunk)) > 0) {
		got += (size_t)n;
		assert_true(got <= size);
	}
	sv_store_rstream_free(r);
	if (n < 0) {
		free(buf);
		return (int)n;
	}
	assert_int_equal(got, size);
	*out = buf;
	*outlen = got;
	return 0;
}

static void write_file(const char *path, const unsigned char *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void git_fsck_clean(fixture *f)
{
	char out[4096];

	assert_int_equal(run(out, sizeof(out), "git --git-dir='%s' fsck --full --strict "
			     "--no-dangling 2>&1", f->repo), 0);
	if (out[0])
		fprintf(stderr, "fsck said: %s\n", out);
	assert_null(strstr(out, "error"));
	assert_null(strstr(out, "corrupt"));
}

/* Flip one byte of a file at `off` (objects are written 0444). */
static void flip_byte(const char *path, off_t off)
{
	unsigned char c;
	int fd;

	assert_int_equal(chmod(path, 0644), 0);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &c, 1, off), 1);
	c ^= 0x40;
	assert_int_equal(pwrite(fd, &c, 1, off), 1);
	close(fd);
}

/*
 * Tests
 */

static void test_init_open(void **state)
{
	char *dir = unit_tmpdir(), *repo, out[256];
	sv_store *s = NULL;

	(void)state;
	assert_true(asprintf(&repo, "%s/v.git", dir) > 0);
	assert_int_equal(sv_store_init(repo), 0);
	assert_int_equal(sv_store_open(&s, repo), 0);
	assert_non_null(s);
	sv_store_free(s);

	assert_int_equal(run(out, sizeof(out), "git --git-dir='%s' symbolic-ref HEAD",
			     repo), 0);
	assert_string_equal(out, "refs/heads/main\n");
	assert_int_equal(run(out, sizeof(out), "git --git-dir='%s' config "
			     "core.bigFileThreshold", repo), 0);
	assert_string_equal(out, "1\n");
	assert_int_equal(run(out, sizeof(out), "git --git-dir='%s' config core.compression",
			     repo), 0);
	assert_string_equal(out, "0\n");
	assert_int_equal(run(out, sizeof(out), "git --git-dir='%s' config gc.auto",
			     repo), 0);
	assert_string_equal(out, "0\n");
	assert_int_equal(run(out, sizeof(out), "git --git-dir='%s' rev-parse "
			     "--is-bare-repository", repo), 0);
	assert_string_equal(out, "true\n");

	/* a second init on the same path, or on any existing path, fails */
	assert_int_equal(sv_store_init(repo), SCRVAULT_ECONFLICT);
	assert_int_equal(sv_store_init(dir), SCRVAULT_ECONFLICT);
	assert_int_equal(sv_store_open(&s, repo), 0);
	sv_store_free(s);

	unit_rmtree(dir);
	free(repo);
	free(dir);
}

static void test_open_nonrepo(void **state)
{
	char *dir = unit_tmpdir(), *p;
	sv_store *s = (sv_store *)1;

	(void)state;
	assert_int_equal(sv_store_open(&s, dir), SCRVAULT_ENOTFOUND);
	assert_null(s);
	assert_non_null(strstr(scrvault_error_message(), dir));
	assert_true(asprintf(&p, "%s/nonexistent", dir) > 0);
	assert_int_equal(sv_store_open(&s, p), SCRVAULT_ENOTFOUND);
	free(p);
	/* a work tree with .git is not a store either */
	assert_int_equal(run(NULL, 0, "git init -q '%s/wt' >/dev/null 2>&1", dir), 0);
	assert_true(asprintf(&p, "%s/wt", dir) > 0);
	assert_int_equal(sv_store_open(&s, p), SCRVAULT_ENOTFOUND);
	free(p);
	unit_rmtree(dir);
	free(dir);
}

static void test_known_ids(void **state)
{
	fixture *f = *state;
	char oid[SV_OID_HEXLEN + 1];
	unsigned char *data;
	size_t len;

	stream_put(f, oid, (const unsigned char *)"", 0, 1);
	assert_string_equal(oid, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
	assert_int_equal(sv_store_blob_put(oid, f->s, "hello\n", 6), 0);
	assert_string_equal(oid, "ce013625030ba8dba906f756967f9e9ca394464a");
	assert_int_equal(sv_store_blob_get(&data, &len, f->s, oid, 100), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(data, "hello\n", 6);
	free(data);
	/* larger than max */
	assert_int_equal(sv_store_blob_get(&data, &len, f->s, oid, 5),
			 SCRVAULT_EINTEGRITY);
	assert_null(data);
	/* the same blob again: same id, no second file, no temp left */
	assert_int_equal(sv_store_blob_put(oid, f->s, "hello\n", 6), 0);
	stream_put(f, oid, (const unsigned char *)"hello\n", 6, 2);
	assert_string_equal(oid, "ce013625030ba8dba906f756967f9e9ca394464a");
	assert_int_equal(count_objects_files(f), 2);
	assert_int_equal(sv_store_sync(f->s), 0);
}

static void test_stream_sizes(void **state)
{
	static const size_t sizes[] = { 0, 1, 65535, 65536, 65537, 200000, 10 * MB };
	static const size_t chunks[] = { 1, 7777, 65536, 1 << 20 };
	fixture *f = *state;
	size_t i;

	for (i = 0; i < SV_ARRAY_SIZE(sizes); i++) {
		size_t len = sizes[i], chunk = chunks[i % SV_ARRAY_SIZE(chunks)], got;
		unsigned char *data = malloc(len + 1), *back;
		char oid[SV_OID_HEXLEN + 1], *path, *tmp;
		uint64_t size;
		sv_store_rstream *r;

		if (len > 1000 && chunk == 1)
			chunk = 3;
		fill_random(data, len);
		stream_put(f, oid, data, len, chunk);

		/* stored blocks: the file is about the size of the content */
		path = obj_path(f, oid);
		assert_true(file_size(path) > 0);
		assert_true((double)file_size(path) < (double)len * 1.01 + 64);
		free(path);

		assert_int_equal(stream_get(f, oid, &back, &got, 4096 + i), 0);
		assert_int_equal(got, len);
		assert_memory_equal(back, data, len);
		free(back);
		assert_int_equal(stream_get(f, oid, &back, &got, 3 * MB), 0);
		assert_int_equal(got, len);
		assert_memory_equal(back, data, len);
		free(back);

		assert_int_equal(sv_store_blob_reader(&r, &size, f->s, oid), 0);
		assert_int_equal(size, len);
		sv_store_rstream_free(r);	/* unread: fine */

		if (len <= 200000) {
			assert_int_equal(sv_store_blob_get(&back, &got, f->s, oid, len),
					 0);
			assert_int_equal(got, len);
			assert_memory_equal(back, data, len);
			free(back);
		}

		/* real git reads it back */
		assert_true(asprintf(&tmp, "%s/expect", f->dir) > 0);
		write_file(tmp, data, len);
		assert_int_equal(run(NULL, 0, "git --git-dir='%s' cat-file blob %s | "
				     "cmp -s - '%s'", f->repo, oid, tmp), 0);
		assert_int_equal(run(NULL, 0, "git hash-object '%s' | grep -q %s", tmp,
				     oid), 0);
		free(tmp);
		free(data);
	}
	assert_int_equal(sv_store_sync(f->s), 0);
	git_fsck_clean(f);
}

static void test_wrong_size(void **state)
{
	fixture *f = *state;
	char oid[SV_OID_HEXLEN + 1];
	unsigned char data[100000];
	sv_store_wstream *w;

	fill_random(data, sizeof(data));
	/* fewer bytes than declared */
	assert_int_equal(sv_store_blob_open(&w, f->s, sizeof(data)), 0);
	assert_int_equal(sv_store_blob_write(w, data, sizeof(data) - 1), 0);
	assert_true(count_objects_files(f) > 0);	/* the temp file */
	assert_int_equal(sv_store_blob_finish(oid, w), SCRVAULT_EUSAGE);
	assert_int_equal(sv_store_blob_finish(oid, w), SCRVAULT_EUSAGE);
	sv_store_wstream_free(w);
	assert_int_equal(count_objects_files(f), 0);

	/* more bytes than declared */
	assert_int_equal(sv_store_blob_open(&w, f->s, 10), 0);
	assert_int_equal(sv_store_blob_write(w, data, 5), 0);
	assert_int_equal(sv_store_blob_write(w, data, 6), SCRVAULT_EUSAGE);
	assert_int_equal(sv_store_blob_write(w, data, 5), SCRVAULT_EUSAGE);
	assert_int_equal(sv_store_blob_finish(oid, w), SCRVAULT_EUSAGE);
	sv_store_wstream_free(w);
	assert_int_equal(count_objects_files(f), 0);

	/* freed unfinished, and freed untouched */
	assert_int_equal(sv_store_blob_open(&w, f->s, sizeof(data)), 0);
	assert_int_equal(sv_store_blob_write(w, data, sizeof(data)), 0);
	sv_store_wstream_free(w);
	assert_int_equal(sv_store_blob_open(&w, f->s, 0), 0);
	sv_store_wstream_free(w);
	assert_int_equal(count_objects_files(f), 0);

	/* finish twice, write after finish */
	assert_int_equal(sv_store_blob_open(&w, f->s, 3), 0);
	assert_int_equal(sv_store_blob_write(w, "abc", 3), 0);
	assert_int_equal(sv_store_blob_finish(oid, w), 0);
	assert_int_equal(sv_store_blob_finish(oid, w), SCRVAULT_EUSAGE);
	assert_int_equal(sv_store_blob_write(w, "d", 1), SCRVAULT_EUSAGE);
	sv_store_wstream_free(w);
	assert_int_equal(count_objects_files(f), 1);
}

/*
 * Blob streams write loose objects and hash them themselves (not through
 * libgit2): the id must be git's for the same content, git must read the
 * object back, and the object file must be the standard format.  The
 * contents are chosen to stress the adler32 and the stored blocks: all 0xff
 * (the largest sums), lengths around the 64 KiB block and 16 KiB adler runs,
 * odd write sizes, and one larger than the writeback step (8 MiB).
 */
static void test_stream_matches_git(void **state)
{
	static const size_t sizes[] = { 31, 32, 63, 64, 65, 16383, 16384, 16385,
					65534, 65535, 65536, 65537, 131070, 131071,
					1048576 + 13, 9 * MB + 3 };
	fixture *f = *state;
	char oid[SV_OID_HEXLEN + 1], oid2[SV_OID_HEXLEN + 1], out[256], *file;
	unsigned char *data = malloc(9 * MB + 3);
	size_t i, k;

	assert_non_null(data);
	assert_true(asprintf(&file, "%s/content", f->dir) > 0);
	for (i = 0; i < SV_ARRAY_SIZE(sizes); i++) {
		for (k = 0; k < 2; k++) {
			size_t len = sizes[i];

			if (k == 0)
				memset(data, 0xff, len);
			else
				fill_random(data, len);
			/* write sizes that straddle blocks: 65552 as check-in does, 1 */
			stream_put(f, oid, data, len, k == 0 ? 65552 : (len < 100 ? 1 : 4097));
			write_file(file, data, len);
			assert_int_equal(run(out, sizeof(out), "git hash-object '%s'", file), 0);
			assert_int_equal(strncmp(out, oid, SV_OID_HEXLEN), 0);
			assert_int_equal(run(NULL, 0, "git --git-dir='%s' cat-file -p %s | "
					     "cmp -s - '%s'", f->repo, oid, file), 0);
			assert_int_equal(run(out, sizeof(out), "git --git-dir='%s' cat-file "
					     "-t %s", f->repo, oid), 0);
			assert_string_equal(out, "blob\n");
			if (len <= 200000) {
				/* libgit2's own write of the same blob finds it there */
				assert_int_equal(sv_store_blob_put(oid2, f->s, data, len), 0);
				assert_string_equal(oid2, oid);
			}
		}
	}
	/* zlib itself (python) agrees on the whole object file */
	if (run(NULL, 0, "command -v python3 >/dev/null") == 0) {
		memset(data, 0xff, 65537);
		stream_put(f, oid, data, 65537, 65552);
		assert_int_equal(run(out, sizeof(out), "python3 -c 'import zlib,sys,hashlib;"
				     "d=zlib.decompress(sys.stdin.buffer.read());"
				     "print(d[:d.index(0)].decode(), len(d), "
				     "hashlib.sha1(d).hexdigest())' < '%s/objects/%.2s/%s'",
				     f->repo, oid, oid + 2), 0);
		assert_int_equal(strncmp(out, "blob 65537 65548 ", 17), 0);
		assert_non_null(strstr(out, oid));
	}
	/* a short stream after 9 MiB (writeback started) still leaves nothing */
	{
		sv_store_wstream *w;
		int before = count_objects_files(f);

		assert_int_equal(sv_store_blob_open(&w, f->s, 9 * MB + 3), 0);
		assert_int_equal(sv_store_blob_write(w, data, 9 * MB + 2), 0);
		assert_int_equal(count_objects_files(f), before + 1);
		assert_int_equal(sv_store_blob_finish(oid, w), SCRVAULT_EUSAGE);
		sv_store_wstream_free(w);
		assert_int_equal(count_objects_files(f), before);
	}
	assert_int_equal(sv_store_sync(f->s), 0);
	git_fsck_clean(f);
	free(file);
	free(data);
}

/* Read a blob all through; return the first error (or 0). */
static int read_all(fixture *f, const char *oid)
{
	unsigned char *back;
	size_t got;
	int error = stream_get(f, oid, &back, &got, 65536);

	free(back);
	return error;
}

static void test_corrupt(void **state)
{
	fixture *f = *state;
	unsigned char data[300000], *back;
	char oid[SV_OID_HEXLEN + 1], *path;
	size_t len;
	off_t size;

	/* a byte flipped in the middle of the data: adler32 */
	fill_random(data, sizeof(data));
	stream_put(f, oid, data, sizeof(data), 65536);
	path = obj_path(f, oid);
	size = file_size(path);
	flip_byte(path, size / 2);
	assert_int_equal(read_all(f, oid), SCRVAULT_EINTEGRITY);
	assert_non_null(strstr(scrvault_error_message(), oid));
	assert_int_equal(sv_store_blob_get(&back, &len, f->s, oid, sizeof(data)),
			 SCRVAULT_EINTEGRITY);
	assert_int_not_equal(run(NULL, 0, "git --git-dir='%s' cat-file blob %s "
				 ">/dev/null 2>&1", f->repo, oid), 0);
	free(path);

	/* a stored block length */
	data[0] ^= 1;
	stream_put(f, oid, data, sizeof(data), 65536);
	path = obj_path(f, oid);
	flip_byte(path, 3);
	assert_int_equal(read_all(f, oid), SCRVAULT_EINTEGRITY);
	free(path);

	/* the object header */
	data[0] ^= 2;
	stream_put(f, oid, data, sizeof(data), 65536);
	path = obj_path(f, oid);
	flip_byte(path, 9);
	assert_int_equal(read_all(f, oid), SCRVAULT_EINTEGRITY);
	free(path);

	/* the last byte (adler32) */
	data[0] ^= 4;
	stream_put(f, oid, data, sizeof(data), 65536);
	path = obj_path(f, oid);
	flip_byte(path, file_size(path) - 1);
	assert_int_equal(read_all(f, oid), SCRVAULT_EINTEGRITY);
	free(path);

	/* a small blob whose content changed consistently is caught by SHA-1 */
	assert_int_equal(sv_store_blob_put(oid, f->s, "abc", 3), 0);
	{
		char oid2[SV_OID_HEXLEN + 1], *p2;

		assert_int_equal(sv_store_blob_put(oid2, f->s, "abd", 3), 0);
		path = obj_path(f, oid);
		p2 = obj_path(f, oid2);
		assert_int_equal(rename(p2, path), 0);
		assert_int_equal(sv_store_blob_get(&back, &len, f->s, oid, 10),
				 SCRVAULT_EINTEGRITY);
		free(p2);
		free(path);
	}
}

static void test_truncated(void **state)
{
	static const int cuts[] = { 0, 1, 2, 10, 1000, 150000, -4, -1 };
	fixture *f = *state;
	unsigned char data[300000], *back;
	char oid[SV_OID_HEXLEN + 1], *path;
	size_t i, len;

	for (i = 0; i < SV_ARRAY_SIZE(cuts); i++) {
		off_t to;

		fill_random(data, sizeof(data));
		stream_put(f, oid, data, sizeof(data), 65536);
		path = obj_path(f, oid);
		to = cuts[i] >= 0 ? cuts[i] : file_size(path) + cuts[i];
		assert_int_equal(chmod(path, 0644), 0);
		assert_int_equal(truncate(path, to), 0);
		assert_int_equal(read_all(f, oid), SCRVAULT_EINTEGRITY);
		assert_int_equal(sv_store_blob_get(&back, &len, f->s, oid, sizeof(data)),
				 SCRVAULT_EINTEGRITY);
		free(path);
	}

	/* trailing garbage after a valid stream */
	fill_random(data, sizeof(data));
	stream_put(f, oid, data, 1000, 65536);
	path = obj_path(f, oid);
	assert_int_equal(chmod(path, 0644), 0);
	{
		FILE *fp = fopen(path, "ab");

		assert_non_null(fp);
		fputc('x', fp);
		fclose(fp);
	}
	assert_int_equal(read_all(f, oid), SCRVAULT_EINTEGRITY);
	free(path);
}

/*
 * Write `payload` as loose object file `oid` by hand: zlib header, one final
 * stored block, adler32 - a valid zlib stream around whatever header.
 */
static void write_raw_object(fixture *f, const char *oid, const void *payload,
			     size_t len)
{
	const unsigned char *p = payload;
	unsigned char *buf = malloc(len + 11);
	uint32_t a = 1, b = 0;
	char *path = obj_path(f, oid), *dir;
	size_t i;

	assert_non_null(buf);
	assert_true(len <= 65535);
	for (i = 0; i < len; i++) {
		a = (a + p[i]) % 65521;
		b = (b + a) % 65521;
	}
	buf[0] = 0x78;
	buf[1] = 0x01;
	buf[2] = 1;
	buf[3] = (unsigned char)len;
	buf[4] = (unsigned char)(len >> 8);
	buf[5] = (unsigned char)~len;
	buf[6] = (unsigned char)(~len >> 8);
	memcpy(buf + 7, p, len);
	buf[len + 7] = (unsigned char)(b >> 8);
	buf[len + 8] = (unsigned char)b;
	buf[len + 9] = (unsigned char)(a >> 8);
	buf[len + 10] = (unsigned char)a;
	assert_true(asprintf(&dir, "%s/objects/%.2s", f->repo, oid) > 0);
	mkdir(dir, 0777);
	unlink(path);
	write_file(path, buf, len + 11);
	free(dir);
	free(path);
	free(buf);
}

static void test_bad_headers(void **state)
{
	fixture *f = *state;
	char payload[600], oid[SV_OID_HEXLEN + 1];
	const char *id = "1111111111111111111111111111111111111111";
	unsigned char *back;
	size_t len;
	int n;

	/* a hand-made object is read (no SHA-1 check when streaming) ... */
	write_raw_object(f, id, "blob 3\0abc", 10);
	assert_int_equal(stream_get(f, id, &back, &len, 2), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(back, "abc", 3);
	free(back);
	/* ... but blob_get checks the id, and under its right id it passes */
	assert_int_equal(sv_store_blob_get(&back, &len, f->s, id, 10),
			 SCRVAULT_EINTEGRITY);
	assert_int_equal(run(oid, sizeof(oid), "printf abc | git hash-object --stdin"), 0);
	oid[SV_OID_HEXLEN] = '\0';
	write_raw_object(f, oid, "blob 3\0abc", 10);
	assert_int_equal(sv_store_blob_get(&back, &len, f->s, oid, 10), 0);
	assert_memory_equal(back, "abc", 3);
	free(back);

	/* shorter than the header says */
	write_raw_object(f, id, "blob 10\0abcde", 13);
	assert_int_equal(read_all(f, id), SCRVAULT_EINTEGRITY);
	n = snprintf(payload, sizeof(payload), "blob 500%c", 0);
	memset(payload + n, 'x', 400);
	write_raw_object(f, id, payload, (size_t)n + 400);
	assert_int_equal(read_all(f, id), SCRVAULT_EINTEGRITY);
	/* longer: within the first bytes, and after them */
	write_raw_object(f, id, "blob 2\0abcde", 12);
	assert_int_equal(read_all(f, id), SCRVAULT_EINTEGRITY);
	n = snprintf(payload, sizeof(payload), "blob 100%c", 0);
	memset(payload + n, 'y', 200);
	write_raw_object(f, id, payload, (size_t)n + 200);
	assert_int_equal(read_all(f, id), SCRVAULT_EINTEGRITY);
	/* bad type, bad size, no NUL, not a blob */
	write_raw_object(f, id, "blub 3\0abc", 10);
	assert_int_equal(read_all(f, id), SCRVAULT_EINTEGRITY);
	write_raw_object(f, id, "blob 03\0abc", 11);
	assert_int_equal(read_all(f, id), SCRVAULT_EINTEGRITY);
	write_raw_object(f, id, "blob 3x\0abc", 11);
	assert_int_equal(read_all(f, id), SCRVAULT_EINTEGRITY);
	write_raw_object(f, id, "blob \0", 6);
	assert_int_equal(read_all(f, id), SCRVAULT_EINTEGRITY);
	write_raw_object(f, id, "blob 99999999999999999999999\0", 29);
	assert_int_equal(read_all(f, id), SCRVAULT_EINTEGRITY);
	memset(payload, 'z', 100);
	write_raw_object(f, id, payload, 100);
	assert_int_equal(read_all(f, id), SCRVAULT_EINTEGRITY);
	write_raw_object(f, id, "tree 3\0abc", 10);
	assert_int_equal(read_all(f, id), SCRVAULT_EINTEGRITY);
	assert_non_null(strstr(scrvault_error_message(), "not a blob"));
}

static void test_reader_errors(void **state)
{
	fixture *f = *state;
	sv_store_rstream *r = NULL;
	char commit[SV_OID_HEXLEN + 1];
	unsigned char *back;
	uint64_t size;
	size_t len;

	assert_int_equal(sv_store_blob_reader(&r, &size, f->s,
			 "0123456789012345678901234567890123456789"), SCRVAULT_ENOTFOUND);
	assert_null(r);
	assert_int_equal(sv_store_blob_get(&back, &len, f->s,
			 "0123456789012345678901234567890123456789", 10), SCRVAULT_ENOTFOUND);
	assert_int_equal(sv_store_blob_reader(&r, &size, f->s, "xyz"), SCRVAULT_EUSAGE);
	assert_int_equal(sv_store_blob_reader(&r, &size, f->s,
			 "0123456789012345678901234567890123456789a"), SCRVAULT_EUSAGE);
	assert_int_equal(sv_store_blob_reader(&r, &size, f->s,
			 "0123456789012345678901234567890123456ABC"), SCRVAULT_EUSAGE);
	/* a commit is not a blob */
	assert_int_equal(sv_store_commit(commit, f->s, NULL, NULL, 0, "empty", 0), 0);
	assert_int_equal(sv_store_blob_reader(&r, &size, f->s, commit),
			 SCRVAULT_EINTEGRITY);
	assert_null(r);
}

static void test_commit_lookup(void **state)
{
	fixture *f = *state;
	char blob[SV_OID_HEXLEN + 1], blob2[SV_OID_HEXLEN + 1];
	char c1[SV_OID_HEXLEN + 1], c2[SV_OID_HEXLEN + 1], c3[SV_OID_HEXLEN + 1];
	char got[SV_OID_HEXLEN + 1], path[128], path2[128], out[256];
	const char *id = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
	sv_store_update up[3];

	assert_int_equal(sv_store_blob_put(blob, f->s, "one", 3), 0);
	assert_int_equal(sv_store_blob_put(blob2, f->s, "two", 3), 0);
	snprintf(path, sizeof(path), "d/ab/cd/%s/1", id);
	snprintf(path2, sizeof(path2), "d/ab/cd/%s/2", id);

	up[0].path = path;
	up[0].blob = blob;
	up[1].path = path2;
	up[1].blob = blob2;
	up[2].path = "meta";
	up[2].blob = blob2;
	assert_int_equal(sv_store_commit(c1, f->s, NULL, up, 3, "c1", 1700000000), 0);
	assert_int_equal(sv_store_lookup(got, f->s, c1, path), 0);
	assert_string_equal(got, blob);
	assert_int_equal(sv_store_lookup(got, f->s, c1, path2), 0);
	assert_string_equal(got, blob2);
	assert_int_equal(sv_store_lookup(got, f->s, c1, "meta"), 0);
	assert_string_equal(got, blob2);
	/* a tree is not a blob; a missing path is not found */
	assert_int_equal(sv_store_lookup(got, f->s, c1, "d/ab"), SCRVAULT_ENOTFOUND);
	assert_int_equal(sv_store_lookup(got, f->s, c1, "d/ab/cd/x/1"),
			 SCRVAULT_ENOTFOUND);
	assert_int_equal(sv_store_parent(got, f->s, c1), SCRVAULT_ENOTFOUND);

	/* remove one: the other stays; the first commit is untouched */
	up[0].blob = NULL;
	assert_int_equal(sv_store_commit(c2, f->s, c1, up, 1, "c2", 1700000001), 0);
	assert_int_equal(sv_store_lookup(got, f->s, c2, path), SCRVAULT_ENOTFOUND);
	assert_int_equal(sv_store_lookup(got, f->s, c2, path2), 0);
	assert_string_equal(got, blob2);
	assert_int_equal(sv_store_lookup(got, f->s, c1, path), 0);
	assert_string_equal(got, blob);
	assert_int_equal(sv_store_parent(got, f->s, c2), 0);
	assert_string_equal(got, c1);

	/* remove the last one: the emptied trees go too */
	up[0].path = path2;
	assert_int_equal(sv_store_commit(c3, f->s, c2, up, 1, "c3", 1700000002), 0);
	assert_int_equal(sv_store_lookup(got, f->s, c3, path2), SCRVAULT_ENOTFOUND);
	assert_int_equal(run(out, sizeof(out), "git --git-dir='%s' ls-tree %s",
			     f->repo, c3), 0);
	assert_null(strstr(out, "\td\n"));
	assert_non_null(strstr(out, "\tmeta\n"));

	/* removing a path that is not there, or upserting a missing blob */
	assert_int_equal(sv_store_commit(got, f->s, c3, up, 1, "x", 0),
			 SCRVAULT_ENOTFOUND);
	up[0].blob = "0123456789012345678901234567890123456789";
	assert_int_equal(sv_store_commit(got, f->s, c3, up, 1, "x", 0),
			 SCRVAULT_ENOTFOUND);
	assert_int_equal(sv_store_commit(got, f->s,
			 "0123456789012345678901234567890123456789", NULL, 0, "x", 0),
			 SCRVAULT_ENOTFOUND);

	/* commit metadata as git sees it */
	assert_int_equal(run(out, sizeof(out), "git --git-dir='%s' log -1 "
			     "--format='%%an <%%ae> %%at %%ai %%s' %s", f->repo, c2), 0);
	assert_string_equal(out, "scrvault <scrvault@localhost> 1700000001 "
			    "2023-11-14 22:13:21 +0000 c2\n");
	/* no ref moved */
	assert_int_equal(sv_store_head(got, f->s), SCRVAULT_ENOTFOUND);

	assert_int_equal(sv_store_sync(f->s), 0);
	git_fsck_clean(f);
}

static void test_bad_paths(void **state)
{
	static const char *bad[] = {
		"../x", "a//b", "a/./b", "/a", "a/b/", "", ".", "..", "a/..",
		"a b", "a\\b", "a/b\n", "x/.git/y", ".GIT", "a/\xc3\xa9",
	};
	fixture *f = *state;
	char blob[SV_OID_HEXLEN + 1], c[SV_OID_HEXLEN + 1], got[SV_OID_HEXLEN + 1];
	sv_store_update up;
	size_t i;

	assert_int_equal(sv_store_blob_put(blob, f->s, "x", 1), 0);
	up.blob = blob;
	for (i = 0; i < SV_ARRAY_SIZE(bad); i++) {
		up.path = bad[i];
		assert_int_equal(sv_store_commit(c, f->s, NULL, &up, 1, "m", 0),
				 SCRVAULT_EUSAGE);
	}
	up.path = NULL;
	assert_int_equal(sv_store_commit(c, f->s, NULL, &up, 1, "m", 0),
			 SCRVAULT_EUSAGE);
	up.path = "ok/A-Z_a.z-0.9";
	up.blob = "not-an-id";
	assert_int_equal(sv_store_commit(c, f->s, NULL, &up, 1, "m", 0),
			 SCRVAULT_EUSAGE);
	up.blob = blob;
	assert_int_equal(sv_store_commit(c, f->s, NULL, &up, 1, "m", 0), 0);
	assert_int_equal(sv_store_lookup(got, f->s, c, "ok/A-Z_a.z-0.9"), 0);
	assert_int_equal(sv_store_lookup(got, f->s, c, "ok/../x"), SCRVAULT_EUSAGE);
	assert_int_equal(sv_store_commit(c, f->s, NULL, &up, 1, NULL, 0),
			 SCRVAULT_EUSAGE);
}

static void test_head(void **state)
{
	fixture *f = *state;
	char c1[SV_OID_HEXLEN + 1], c2[SV_OID_HEXLEN + 1], got[SV_OID_HEXLEN + 1];
	char blob[SV_OID_HEXLEN + 1], out[256];
	sv_store *s2;

	assert_int_equal(sv_store_head(got, f->s), SCRVAULT_ENOTFOUND);
	assert_int_equal(sv_store_commit(c1, f->s, NULL, NULL, 0, "c1", 1), 0);
	assert_int_equal(sv_store_blob_put(blob, f->s, "x", 1), 0);
	assert_int_equal(sv_store_set_head(f->s, blob), SCRVAULT_ENOTFOUND);
	assert_int_equal(sv_store_set_head(f->s, "nope"), SCRVAULT_EUSAGE);
	assert_int_equal(sv_store_set_head(f->s, c1), 0);
	assert_int_equal(sv_store_head(got, f->s), 0);
	assert_string_equal(got, c1);
	assert_int_equal(sv_store_commit(c2, f->s, c1, NULL, 0, "c2", 2), 0);
	assert_int_equal(sv_store_set_head(f->s, c2), 0);
	assert_int_equal(sv_store_head(got, f->s), 0);
	assert_string_equal(got, c2);
	/* back again (force) */
	assert_int_equal(sv_store_set_head(f->s, c1), 0);
	assert_int_equal(sv_store_set_head(f->s, c2), 0);

	/* another handle and real git agree; HEAD is still symbolic */
	assert_int_equal(sv_store_open(&s2, f->repo), 0);
	assert_int_equal(sv_store_head(got, s2), 0);
	assert_string_equal(got, c2);
	sv_store_free(s2);
	assert_int_equal(run(out, sizeof(out), "git --git-dir='%s' rev-parse HEAD",
			     f->repo), 0);
	assert_int_equal(strncmp(out, c2, SV_OID_HEXLEN), 0);
	assert_int_equal(run(out, sizeof(out), "git --git-dir='%s' symbolic-ref HEAD",
			     f->repo), 0);
	assert_string_equal(out, "refs/heads/main\n");
	git_fsck_clean(f);
}

static void test_descends(void **state)
{
	fixture *f = *state;
	char a[SV_OID_HEXLEN + 1], b[SV_OID_HEXLEN + 1], c[SV_OID_HEXLEN + 1];
	char x[SV_OID_HEXLEN + 1], blob[SV_OID_HEXLEN + 1];

	assert_int_equal(sv_store_commit(a, f->s, NULL, NULL, 0, "a", 1), 0);
	assert_int_equal(sv_store_commit(b, f->s, a, NULL, 0, "b", 2), 0);
	assert_int_equal(sv_store_commit(c, f->s, b, NULL, 0, "c", 3), 0);
	assert_int_equal(sv_store_commit(x, f->s, a, NULL, 0, "x", 4), 0);
	assert_int_equal(sv_store_descends(f->s, c, a), 1);
	assert_int_equal(sv_store_descends(f->s, c, b), 1);
	assert_int_equal(sv_store_descends(f->s, c, c), 1);
	assert_int_equal(sv_store_descends(f->s, a, c), 0);
	assert_int_equal(sv_store_descends(f->s, x, b), 0);
	assert_int_equal(sv_store_descends(f->s, c, x), 0);
	assert_int_equal(sv_store_descends(f->s, x, a), 1);
	assert_int_equal(sv_store_blob_put(blob, f->s, "q", 1), 0);
	assert_int_equal(sv_store_descends(f->s, c,
			 "0123456789012345678901234567890123456789"), SCRVAULT_ENOTFOUND);
	assert_int_equal(sv_store_descends(f->s, c, blob), SCRVAULT_ENOTFOUND);
}

typedef struct {
	int seen, fail_at;
	char msgs[8][8];
} walk_log;

static int walk_cb(void *ctx, const char *commit, const char *message, int64_t when)
{
	walk_log *w = ctx;

	(void)commit;
	(void)when;
	if (w->seen == w->fail_at)
		return sv_error(SCRVAULT_EINTEGRITY, "walk callback refused %s", message);
	snprintf(w->msgs[w->seen++ % 8], 8, "%s", message);
	return 1;	/* positive: not an error */
}

/* The walk hands commits oldest first and passes the callback's own error code and message through. */
static void test_walk(void **state)
{
	fixture *f = *state;
	char a[SV_OID_HEXLEN + 1], b[SV_OID_HEXLEN + 1], c[SV_OID_HEXLEN + 1];
	walk_log w = { .fail_at = -1 };

	assert_int_equal(sv_store_commit(a, f->s, NULL, NULL, 0, "a", 1), 0);
	assert_int_equal(sv_store_commit(b, f->s, a, NULL, 0, "b", 2), 0);
	assert_int_equal(sv_store_commit(c, f->s, b, NULL, 0, "c", 3), 0);
	assert_int_equal(sv_store_walk(f->s, NULL, c, walk_cb, &w), 0);
	assert_int_equal(w.seen, 3);
	assert_string_equal(w.msgs[0], "a");
	assert_string_equal(w.msgs[2], "c");
	memset(&w, 0, sizeof(w));
	w.fail_at = -1;
	assert_int_equal(sv_store_walk(f->s, a, c, walk_cb, &w), 0);
	assert_int_equal(w.seen, 2);
	assert_string_equal(w.msgs[0], "b");
	memset(&w, 0, sizeof(w));
	w.fail_at = 1;
	assert_int_equal(sv_store_walk(f->s, NULL, c, walk_cb, &w), SCRVAULT_EINTEGRITY);
	assert_string_equal(scrvault_error_message(), "walk callback refused b");
	assert_int_equal(sv_store_walk(f->s, NULL, "nothex", walk_cb, &w), SCRVAULT_EUSAGE);
	assert_non_null(strstr(scrvault_error_message(), "bad object id"));
	assert_int_equal(sv_store_walk(f->s, "0123456789012345678901234567890123456789", c, walk_cb, &w) < 0, 1);
}

static void test_git_written(void **state)
{
	fixture *f = *state;
	unsigned char *data, *back;
	char *file, *path, oid[SV_OID_HEXLEN + 1], out[256];
	size_t len = 300000, got, i;

	data = malloc(len);
	assert_non_null(data);
	for (i = 0; i < len; i++)	/* compressible */
		data[i] = (unsigned char)("scrvault test data "[i % 19] + (i / 5000) % 3);
	assert_true(asprintf(&file, "%s/plain", f->dir) > 0);
	write_file(file, data, len);

	/* a loose object compressed by git */
	assert_int_equal(run(out, sizeof(out), "git --git-dir='%s' -c core.compression=9 "
			     "-c core.bigFileThreshold=512m hash-object -w --stdin < '%s'",
			     f->repo, file), 0);
	memcpy(oid, out, SV_OID_HEXLEN);
	oid[SV_OID_HEXLEN] = '\0';
	path = obj_path(f, oid);
	assert_true(file_size(path) > 0 && file_size(path) < (off_t)len / 4);
	free(path);
	assert_int_equal(stream_get(f, oid, &back, &got, 1000), 0);
	assert_int_equal(got, len);
	assert_memory_equal(back, data, len);
	free(back);
	assert_int_equal(sv_store_blob_get(&back, &got, f->s, oid, len), 0);
	assert_memory_equal(back, data, len);
	free(back);

	/* a packed object: with core.bigFileThreshold=1, git streams to a pack */
	data[0] ^= 1;
	write_file(file, data, len);
	assert_int_equal(run(out, sizeof(out), "git --git-dir='%s' hash-object -w '%s'",
			     f->repo, file), 0);
	memcpy(oid, out, SV_OID_HEXLEN);
	path = obj_path(f, oid);
	assert_int_equal(file_size(path), -1);
	free(path);
	assert_int_equal(stream_get(f, oid, &back, &got, 65536), 0);
	assert_int_equal(got, len);
	assert_memory_equal(back, data, len);
	free(back);
	assert_int_equal(sv_store_blob_get(&back, &got, f->s, oid, len), 0);
	assert_memory_equal(back, data, len);
	free(back);
	/* and our commit can use it */
	{
		sv_store_update up = { "p", oid };
		char c[SV_OID_HEXLEN + 1];

		assert_int_equal(sv_store_commit(c, f->s, NULL, &up, 1, "p", 0), 0);
	}
	free(file);
	free(data);
	assert_int_equal(sv_store_sync(f->s), 0);
	git_fsck_clean(f);
}

static void test_concurrent_writers(void **state)
{
	fixture *f = *state;
	unsigned char data[5000];
	char oid[SV_OID_HEXLEN + 1];
	pid_t pid[2];
	int i, k, st;

	for (k = 0; k < 2; k++) {
		pid[k] = fork();
		assert_true(pid[k] >= 0);
		if (pid[k] == 0) {
			sv_store *s;

			if (sv_store_open(&s, f->repo) < 0)
				_exit(1);
			for (i = 0; i < 200; i++) {
				sv_store_wstream *w;

				memset(data, i, sizeof(data));
				if (sv_store_blob_open(&w, s, sizeof(data)) < 0 ||
				    sv_store_blob_write(w, data, sizeof(data)) < 0 ||
				    sv_store_blob_finish(oid, w) < 0)
					_exit(2);
				sv_store_wstream_free(w);
				if (sv_store_blob_put(oid, s, data, 100 + (size_t)i) < 0)
					_exit(3);
			}
			if (sv_store_sync(s) < 0)
				_exit(4);
			sv_store_free(s);
			_exit(0);
		}
	}
	for (k = 0; k < 2; k++) {
		assert_int_equal(waitpid(pid[k], &st, 0), pid[k]);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}
	/* 400 distinct objects, no temp files left */
	assert_int_equal(count_objects_files(f), 400);
	for (i = 0; i < 200; i++) {
		unsigned char *back;
		size_t got;

		memset(data, i, sizeof(data));
		assert_int_equal(sv_store_blob_put(oid, f->s, data, sizeof(data)), 0);
		assert_int_equal(sv_store_blob_get(&back, &got, f->s, oid, sizeof(data)), 0);
		assert_memory_equal(back, data, sizeof(data));
		free(back);
	}
	assert_int_equal(count_objects_files(f), 400);
	git_fsck_clean(f);
}

static void test_sync(void **state)
{
	fixture *f = *state;
	char oid[SV_OID_HEXLEN + 1];
	unsigned char buf[64];
	int i;

	assert_int_equal(sv_store_sync(f->s), 0);	/* nothing to do */
	for (i = 0; i < 5; i++) {			/* fsync each */
		fill_random(buf, sizeof(buf));
		assert_int_equal(sv_store_blob_put(oid, f->s, buf, sizeof(buf)), 0);
	}
	assert_int_equal(sv_store_sync(f->s), 0);
	for (i = 0; i < 300; i++) {			/* syncfs */
		fill_random(buf, sizeof(buf));
		assert_int_equal(sv_store_blob_put(oid, f->s, buf, sizeof(buf)), 0);
	}
	assert_int_equal(sv_store_sync(f->s), 0);
	assert_int_equal(sv_store_sync(f->s), 0);
}

/*
 * Blob write + sync throughput from memory, in writes of 64 KiB + 16 bytes as
 * check-in makes them (a GCM chunk and its tag), for a 20 MB and a 100 MB
 * blob (16 MB under SCRVAULT_TEST_QUICK); then a stream read of the last.
 */
static void test_timing(void **state)
{
	const size_t big[] = { 20 * (size_t)MB, 100 * (size_t)MB };
	const size_t small[] = { 16 * (size_t)MB };
	const size_t *totals = quick() ? small : big;
	size_t ntotals = quick() ? SV_ARRAY_SIZE(small) : SV_ARRAY_SIZE(big);
	fixture *f = *state;
	size_t chunk = 65536 + 16, total = 0, off, t;
	unsigned char *pool = malloc(MB + chunk), *buf = malloc(chunk);
	char oid[SV_OID_HEXLEN + 1];
	sv_store_wstream *w;
	sv_store_rstream *r;
	uint64_t size, sum = 0, expect = 0;
	double t0, ts, t1, t2;
	long n;

	assert_non_null(pool);
	assert_non_null(buf);
	fill_random(pool, MB + chunk);
	for (t = 0; t < ntotals; t++) {
		total = totals[t];
		pool[t] ^= 1;			/* a new blob each time */
		t0 = now();
		assert_int_equal(sv_store_blob_open(&w, f->s, total), 0);
		for (off = 0; off < total; off += chunk) {
			size_t k = total - off < chunk ? total - off : chunk;

			assert_int_equal(sv_store_blob_write(w, pool + (off * 7) % MB, k),
					 0);
		}
		assert_int_equal(sv_store_blob_finish(oid, w), 0);
		sv_store_wstream_free(w);
		ts = now();
		assert_int_equal(sv_store_sync(f->s), 0);
		t1 = now();
		printf("store timing: %zu MB blob in %zu-byte writes + sync: %.0f MB/s "
		       "(writes %.0f MB/s, sync %.3f s)\n", total / MB, chunk,
		       (double)total / MB / (t1 - t0), (double)total / MB / (ts - t0),
		       t1 - ts);
	}

	for (off = 0; off < total; off += chunk)
		expect += pool[(off * 7) % MB];
	t1 = now();
	assert_int_equal(sv_store_blob_reader(&r, &size, f->s, oid), 0);
	assert_int_equal(size, total);
	off = 0;
	while ((n = sv_store_blob_read(r, buf, chunk)) > 0) {
		assert_true(off % chunk == 0);
		sum += buf[0];
		off += (size_t)n;
	}
	assert_int_equal(n, 0);
	sv_store_rstream_free(r);
	t2 = now();
	assert_int_equal(off, total);
	assert_int_equal(sum, expect);
	printf("store timing: %zu MB stream read in %zu-byte reads: %.0f MB/s\n",
	       total / MB, chunk, (double)total / MB / (t2 - t1));
	free(pool);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_open),
		cmocka_unit_test(test_open_nonrepo),
		cmocka_unit_test_setup_teardown(test_known_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_matches_git, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reader_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_descends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_git_written, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_writers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timing, setup, teardown),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
