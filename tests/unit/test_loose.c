/*
 * test_loose.c - the loose-object format (storage/loose.c) on its own:
 * objects it writes are read by git and by zlib and are the same files as
 * before the split (known answers); objects git writes are read by it;
 * damage of every kind is SCRVAULT_EINTEGRITY; the direct stored-block path
 * and the zlib fallback give the same bytes; memory stays bounded for
 * objects larger than the reader's buffers.
 *
 * Each test works in a bare repository made by git in a fresh tmpdir; the
 * objects are placed into objects/xx/... by the test itself (placement is
 * the object database's job, not loose.c's).
 */
#include "unit.h"
#include "storage/loose.h"
#include "crypto/crypto.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#define MB (1024 * 1024)

typedef struct {
	char *dir;		/* unit_tmpdir */
	char *repo;		/* dir/r.git, made by git init --bare */
	int objfd;		/* repo/objects */
	sv_loose_tmpnames names;
} fixture;

/* Deterministic test data: xorshift64* seeded with `seed`. */
static void fill(unsigned char *b, size_t n, uint64_t seed)
{
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 1;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((i & 7) == 0) {
			s ^= s >> 12;
			s ^= s << 25;
			s ^= s >> 27;
		}
		b[i] = (unsigned char)((s * 0x2545f4914f6cdd1dULL) >> (8 * (i & 7)));
	}
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
	char *objdir;

	assert_non_null(f);
	f->dir = unit_tmpdir();
	assert_true(asprintf(&f->repo, "%s/r.git", f->dir) > 0);
	assert_int_equal(run(NULL, 0, "git init -q --bare '%s' >/dev/null 2>&1", f->repo), 0);
	assert_true(asprintf(&objdir, "%s/objects", f->repo) > 0);
	f->objfd = open(objdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(f->objfd >= 0);
	free(objdir);
	sv_loose_tmpnames_init(&f->names);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	close(f->objfd);
	unit_rmtree(f->dir);
	free(f->dir);
	free(f->repo);
	free(f);
	return 0;
}

/* "xx/yyyy..." of a hex id, relative to objects/. */
static void relpath(char out[SV_LOOSE_HEXLEN + 2], const char *hex)
{
	out[0] = hex[0];
	out[1] = hex[1];
	out[2] = '/';
	memcpy(out + 3, hex + 2, SV_LOOSE_HEXLEN - 2);
	out[SV_LOOSE_HEXLEN + 1] = '\0';
}

static char *obj_path(fixture *f, const char *hex)
{
	char *p;

	assert_true(asprintf(&p, "%s/objects/%.2s/%s", f->repo, hex, hex + 2) > 0);
	return p;
}

/* Regular files directly in objects/ (temp files). */
static int count_tmp_files(fixture *f)
{
	char out[64];

	assert_int_equal(run(out, sizeof(out), "find '%s/objects' -maxdepth 1 -type f | wc -l",
			     f->repo), 0);
	return atoi(out);
}

static unsigned char *read_file(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

/* Replace the object file of `hex` with `len` bytes of `data`. */
static void put_file(fixture *f, const char *hex, const void *data, size_t len)
{
	char *path = obj_path(f, hex), *dir;
	FILE *fp;

	assert_true(asprintf(&dir, "%s/objects/%.2s", f->repo, hex) > 0);
	mkdir(dir, 0777);
	unlink(path);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	free(dir);
	free(path);
}

/*
 * Write an object with the loose writer in puts of `chunk` bytes, then
 * place it as objects/xx/... under the id the writer hashed.
 */
static void write_obj(fixture *f, char hex[SV_LOOSE_HEXLEN + 1], sv_loose_type type,
		      const unsigned char *data, size_t len, size_t chunk)
{
	unsigned char id[SV_LOOSE_IDLEN];
	char tmp[SV_LOOSE_TMPNAME], rel[SV_LOOSE_HEXLEN + 2], dir[3];
	sv_loose_writer *w;
	size_t off = 0;

	assert_int_equal(sv_loose_writer_open(&w, f->objfd, &f->names, type, len,
					      SV_LOOSE_HASH), 0);
	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk;

		assert_int_equal(sv_loose_writer_put(w, data + off, n), 0);
		off += n;
	}
	assert_int_equal(sv_loose_writer_finish(tmp, id, w), 0);
	sv_loose_writer_free(w);
	sv_hex(hex, id, SV_LOOSE_IDLEN);
	relpath(rel, hex);
	memcpy(dir, rel, 2);
	dir[2] = '\0';
	mkdirat(f->objfd, dir, 0777);
	unlinkat(f->objfd, rel, 0);
	assert_int_equal(renameat(f->objfd, tmp, f->objfd, rel), 0);
}

/*
 * Read the object `hex` whole in reads of `chunk` bytes: 0, or the first
 * error (from the open or a read).  *out (caller frees) and *outlen only
 * on success.
 */
static int read_obj(fixture *f, const char *hex, sv_loose_type *type,
		    unsigned char **out, size_t *outlen, size_t chunk)
{
	char rel[SV_LOOSE_HEXLEN + 2];
	sv_loose_reader *r = NULL;
	unsigned char *buf;
	uint64_t size;
	size_t got = 0;
	long n;
	int error;

	*out = NULL;
	relpath(rel, hex);
	if ((error = sv_loose_reader_open(&r, type, &size, f->objfd, rel, hex,
					  SV_LOOSE_WHOLE)) < 0) {
		assert_null(r);
		return error;
	}
	buf = malloc(size + chunk);
	assert_non_null(buf);
	while ((n = sv_loose_reader_read(r, buf + got, chunk)) > 0) {
		got += (size_t)n;
		assert_true(got <= size);
	}
	if (n < 0) {
		/* errors are sticky */
		assert_int_equal(sv_loose_reader_read(r, buf, chunk), n);
		sv_loose_reader_free(r);
		free(buf);
		return (int)n;
	}
	assert_int_equal(got, size);
	assert_int_equal(sv_loose_reader_read(r, buf, chunk), 0);
	sv_loose_reader_free(r);
	*out = buf;
	*outlen = got;
	return 0;
}

/* Read `hex` and expect exactly `data` as a blob. */
static void expect_blob(fixture *f, const char *hex, const unsigned char *data, size_t len,
			size_t chunk)
{
	sv_loose_type type;
	unsigned char *back;
	size_t got;

	assert_int_equal(read_obj(f, hex, &type, &back, &got, chunk), 0);
	assert_int_equal(type, SV_LOOSE_BLOB);
	assert_int_equal(got, len);
	assert_memory_equal(back, data, len);
	free(back);
}

/* Expect SCRVAULT_EINTEGRITY naming the object (and `why`, if given). */
static void expect_corrupt(fixture *f, const char *hex, const char *why)
{
	sv_loose_type type;
	unsigned char *back;
	size_t got;

	assert_int_equal(read_obj(f, hex, &type, &back, &got, 65536), SCRVAULT_EINTEGRITY);
	assert_non_null(strstr(scrvault_error_message(), hex));
	if (why && !strstr(scrvault_error_message(), why)) {
		fprintf(stderr, "expected '%s' in: %s\n", why, scrvault_error_message());
		fail();
	}
}

/* "<type> <len>\0" + data, the uncompressed object; caller frees. */
static unsigned char *raw_object(const char *type, const unsigned char *data, size_t len,
				 size_t *rawlen)
{
	char hdr[64];
	int h = snprintf(hdr, sizeof(hdr), "%s %zu", type, len) + 1;
	unsigned char *raw = malloc((size_t)h + len + 1);

	assert_non_null(raw);
	memcpy(raw, hdr, (size_t)h);
	if (len)
		memcpy(raw + h, data, len);
	*rawlen = (size_t)h + len;
	return raw;
}

/* The id of an uncompressed object, in hex. */
static void object_id(char hex[SV_LOOSE_HEXLEN + 1], const unsigned char *raw, size_t len)
{
	unsigned char id[SV_SHA1_LEN];
	sv_sha1_ctx *c;

	assert_int_equal(sv_sha1_new(&c), 0);
	assert_int_equal(sv_sha1_update(c, raw, len), 0);
	assert_int_equal(sv_sha1_final(c, id), 0);
	sv_sha1_free(c);
	sv_hex(hex, id, SV_SHA1_LEN);
}

/*
 * zlib-compress `raw`: the first `split` bytes at level `lvl1` and the rest
 * at `lvl2` (deflateParams between them), so that one stream can hold our
 * stored blocks first and compressed ones after.  Caller frees.
 */
static unsigned char *deflate_split(const unsigned char *raw, size_t len, size_t split,
				    int lvl1, int lvl2, size_t *outlen)
{
	size_t cap = compressBound((uLong)len) + 1024;
	unsigned char *out = malloc(cap);
	z_stream z;

	assert_non_null(out);
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit(&z, lvl1), Z_OK);
	z.next_out = out;
	z.avail_out = (uInt)cap;
	z.next_in = (unsigned char *)(uintptr_t)raw;
	z.avail_in = (uInt)split;
	assert_int_equal(deflate(&z, Z_FULL_FLUSH), Z_OK);
	assert_int_equal(z.avail_in, 0);
	assert_int_equal(deflateParams(&z, lvl2, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)(uintptr_t)raw + split;
	z.avail_in = (uInt)(len - split);
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*outlen = z.total_out;
	deflateEnd(&z);
	return out;
}

/* Inflate a whole object file with zlib (uncompress); caller frees. */
static unsigned char *zlib_inflate_file(const char *path, size_t expect, size_t *outlen)
{
	size_t flen;
	unsigned char *file = read_file(path, &flen), *out = malloc(expect + 1);
	uLongf n = (uLongf)expect + 1;

	assert_non_null(out);
	assert_int_equal(uncompress(out, &n, file, (uLong)flen), Z_OK);
	free(file);
	*outlen = n;
	return out;
}

/*
 * Tests
 */

/*
 * The files the writer makes, byte for byte.  Small objects against the
 * format written out by hand here; larger ones against the SHA-256 of the
 * files that store.c's writer made before loose.c was split out of it, for
 * sizes around one block, two, and the 1 MiB output buffer.
 */
static const struct {
	size_t len;
	const char *id;
	const char *file_sha256;
} known_files[] = {
	{ 0, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391",
	  "15143dc5818d93cc473bc312a5e1ed9c38dcd4aee8ac17f01a2cf85a2c3a35ba" },
	{ 5, "f9a7699ee0fdc405f400f204ba55079766e69bdc",
	  "b7bbd2d00b0e2459f9a0fbf7059a8e33cc4f7bbdef85eeb201c54b2e1f0effa3" },
	{ 65524, "8ba290fffb64f8925a93ac441bd28b27e2495b03",
	  "b214689044e0cb1ddf1431ba95bfebf25548e126c7aae0ab740a5a4de42708a0" },
	{ 65525, "b6d019f7df91dfc5df1890a8845a81423212fb39",
	  "2e0dfb08560dbd3c47b18d27882f8b9c973436c58c17fdb005f18d6e8a448462" },
	{ 131059, "0287a55085d11aece1f5fa984993b3b35ac8cf5b",
	  "0b77b92b9e8585b4acc08d156a448eab895e15c6e14abf5de9281531cb7e7283" },
	{ 1048576, "28c326667c65c38799ab29a74582ca02ffdc76f7",
	  "26a764b43ea560f6f163a946f76dc04784c2908d3dec13b6d304a025e4c62ce4" },
	{ 1048629, "77e3cee443d5635e3f31bab6aff94cdbbf7cf412",
	  "908fb485006a73d3e689ffc316a246cd2f614b5762ae7a62b08a8bfe8e7ceebf" },
	{ 1048630, "0439e4e9d7232a241dad28d54b38c7d2014a05fe",
	  "b2f08fe1d2f3fcea6b89b9619bde29f31d8306d79f932561566c529b59f45207" },
	{ 1048631, "d5072c9c365f1ea028c96a53292ebd928d382618",
	  "451b489b9f69c567b943cd4dcd34cdbde9e2e76211e96f342b2cb68554f77a4d" },
	{ 3145733, "1fd2855d7a2a84a91e2c8a8a5d2b28620e9e9974",
	  "b563490f8c2906ac36882b399107c17f580322217fd63146f735df97154ed708" },
};

static void test_known_files(void **state)
{
	static const size_t chunks[] = { 10007, 1, 65536, 3 * MB };
	fixture *f = *state;
	unsigned char *data = malloc(4 * MB), *file, digest[SV_SHA256_LEN];
	char hex[SV_LOOSE_HEXLEN + 1], dhex[2 * SV_SHA256_LEN + 1], *path;
	size_t i, k, flen;

	assert_non_null(data);
	/* "hello\n" as a blob, by hand: 78 01, one final stored block, adler32 */
	{
		static const unsigned char expect[] = {
			0x78, 0x01, 0x01, 0x0d, 0x00, 0xf2, 0xff,
			'b', 'l', 'o', 'b', ' ', '6', 0, 'h', 'e', 'l', 'l', 'o', '\n',
			0x1d, 0xc5, 0x04, 0x14,
		};

		write_obj(f, hex, SV_LOOSE_BLOB, (const unsigned char *)"hello\n", 6, 2);
		assert_string_equal(hex, "ce013625030ba8dba906f756967f9e9ca394464a");
		path = obj_path(f, hex);
		file = read_file(path, &flen);
		assert_int_equal(flen, sizeof(expect));
		assert_memory_equal(file, expect, sizeof(expect));
		assert_int_equal(adler32(1, expect + 7, 13), 0x1dc50414);
		free(file);
		free(path);
	}
	/* the empty tree */
	write_obj(f, hex, SV_LOOSE_TREE, (const unsigned char *)"", 0, 1);
	assert_string_equal(hex, "4b825dc642cb6eb9a060e54bf8d69288fbee4904");

	for (i = 0; i < SV_ARRAY_SIZE(known_files); i++) {
		size_t len = known_files[i].len;

		fill(data, len, i);
		for (k = 0; k < SV_ARRAY_SIZE(chunks); k++) {
			if (len > 200000 && chunks[k] == 1)
				continue;
			/* the same file whatever the sizes of the puts */
			write_obj(f, hex, SV_LOOSE_BLOB, data, len, chunks[k]);
			assert_string_equal(hex, known_files[i].id);
			path = obj_path(f, hex);
			file = read_file(path, &flen);
			sv_sha256(digest, file, flen);
			sv_hex(dhex, digest, SV_SHA256_LEN);
			if (strcmp(dhex, known_files[i].file_sha256) != 0) {
				fprintf(stderr, "object of %zu bytes in puts of %zu: file %s\n",
					len, chunks[k], dhex);
				fail();
			}
			/* stored blocks: the file is the object plus a few bytes */
			assert_true(flen < len + 32 + 5 * (len / 65535 + 1));
			free(file);
			free(path);
		}
	}
	assert_int_equal(count_tmp_files(f), 0);
	free(data);
}

/* What the writer makes, git and zlib read (and git fsck is content). */
static void test_git_reads_ours(void **state)
{
	static const size_t sizes[] = { 0, 1, 31, 65524, 65535, 65536, 200000,
					MB + 13, 3 * MB + 7 };
	fixture *f = *state;
	unsigned char *data = malloc(3 * MB + 7), *raw, *inflated;
	char hex[SV_LOOSE_HEXLEN + 1], tree[SV_LOOSE_HEXLEN + 1], out[256];
	char *file, *path, commit[512];
	size_t i, k, rawlen, got;

	assert_non_null(data);
	assert_true(asprintf(&file, "%s/content", f->dir) > 0);
	for (i = 0; i < SV_ARRAY_SIZE(sizes); i++) {
		for (k = 0; k < 2; k++) {
			size_t len = sizes[i];
			FILE *fp;

			if (k == 0)
				memset(data, 0xff, len);	/* the largest adler32 sums */
			else
				fill(data, len, 100 + i);
			write_obj(f, hex, SV_LOOSE_BLOB, data, len, k ? 4097 : 65552);

			fp = fopen(file, "wb");
			assert_non_null(fp);
			assert_int_equal(fwrite(data, 1, len, fp), len);
			fclose(fp);
			assert_int_equal(run(out, sizeof(out), "git hash-object '%s'", file), 0);
			assert_int_equal(strncmp(out, hex, SV_LOOSE_HEXLEN), 0);
			assert_int_equal(run(NULL, 0, "git --git-dir='%s' cat-file blob %s | "
					     "cmp -s - '%s'", f->repo, hex, file), 0);

			/* zlib itself: the whole file inflates to the object */
			raw = raw_object("blob", data, len, &rawlen);
			path = obj_path(f, hex);
			inflated = zlib_inflate_file(path, rawlen, &got);
			assert_int_equal(got, rawlen);
			assert_memory_equal(inflated, raw, rawlen);
			free(inflated);
			free(path);
			free(raw);
		}
	}

	/* a tree and a commit written by us, as git sees them */
	{
		unsigned char entry[64];
		size_t n;

		write_obj(f, hex, SV_LOOSE_BLOB, (const unsigned char *)"x\n", 2, 1);
		n = (size_t)snprintf((char *)entry, sizeof(entry), "100644 f") + 1;
		assert_int_equal(sv_unhex(entry + n, SV_LOOSE_IDLEN, hex), 0);
		write_obj(f, tree, SV_LOOSE_TREE, entry, n + SV_LOOSE_IDLEN, 3);
		n = (size_t)snprintf(commit, sizeof(commit), "tree %s\nauthor a <a@b> 1 +0000\n"
				     "committer a <a@b> 1 +0000\n\nm\n", tree);
		write_obj(f, hex, SV_LOOSE_COMMIT, (const unsigned char *)commit, n, 7);
		assert_int_equal(run(out, sizeof(out), "git --git-dir='%s' cat-file -t %s",
				     f->repo, hex), 0);
		assert_string_equal(out, "commit\n");
		assert_int_equal(run(out, sizeof(out), "git --git-dir='%s' ls-tree %s",
				     f->repo, hex), 0);
		assert_non_null(strstr(out, "blob "));
		assert_non_null(strstr(out, "\tf\n"));
		assert_int_equal(run(NULL, 0, "git --git-dir='%s' update-ref refs/heads/main %s",
				     f->repo, hex), 0);
	}
	assert_int_equal(run(out, sizeof(out), "git --git-dir='%s' fsck --full --strict "
			     "--no-dangling 2>&1", f->repo), 0);
	assert_null(strstr(out, "error"));
	assert_null(strstr(out, "corrupt"));
	free(file);
	free(data);
}

/* Objects written by git (compressed, or at level 0 in zlib's own blocks). */
static void test_reads_git_written(void **state)
{
	static const int levels[] = { 9, 1, 0 };
	static const size_t sizes[] = { 0, 3, 70000, 600000 + 11 };
	fixture *f = *state;
	unsigned char *data = malloc(600000 + 11), *back;
	char hex[SV_LOOSE_HEXLEN + 1], *file, *path;
	sv_loose_type type;
	size_t i, k, got;

	assert_non_null(data);
	assert_true(asprintf(&file, "%s/plain", f->dir) > 0);
	for (i = 0; i < SV_ARRAY_SIZE(sizes); i++) {
		size_t len = sizes[i], j;
		FILE *fp;

		for (j = 0; j < len; j++)	/* compressible */
			data[j] = (unsigned char)("scrvault test data "[j % 19] + (j / 5000) % 3);
		data[0] ^= (unsigned char)i;
		for (k = 0; k < SV_ARRAY_SIZE(levels); k++) {
			data[len ? len - 1 : 0] ^= (unsigned char)(k + 1);
			fp = fopen(file, "wb");
			assert_non_null(fp);
			assert_int_equal(fwrite(data, 1, len, fp), len);
			fclose(fp);
			assert_int_equal(run(hex, sizeof(hex), "git --git-dir='%s' -c "
					     "core.compression=%d -c core.bigFileThreshold=512m "
					     "hash-object -w '%s'", f->repo, levels[k], file), 0);
			hex[SV_LOOSE_HEXLEN] = '\0';
			path = obj_path(f, hex);
			if (levels[k] == 9 && len > 1000) {	/* really compressed */
				size_t flen;

				free(read_file(path, &flen));
				assert_true(flen < len / 4);
			}
			free(path);
			expect_blob(f, hex, data, len, 1000);
			expect_blob(f, hex, data, len, 3 * MB);
		}
	}
	/* git's own tree and commit */
	assert_int_equal(run(hex, sizeof(hex), "printf '100644 blob %%s\\tf\\n' "
			     "$(git --git-dir='%s' hash-object -w --stdin </dev/null) | "
			     "git --git-dir='%s' mktree", f->repo, f->repo), 0);
	hex[SV_LOOSE_HEXLEN] = '\0';
	assert_int_equal(read_obj(f, hex, &type, &back, &got, 7), 0);
	assert_int_equal(type, SV_LOOSE_TREE);
	assert_int_equal(got, 29);
	free(back);
	assert_int_equal(run(hex, sizeof(hex), "GIT_AUTHOR_NAME=a GIT_AUTHOR_EMAIL=a@b "
			     "GIT_COMMITTER_NAME=a GIT_COMMITTER_EMAIL=a@b git --git-dir='%s' "
			     "commit-tree -m m %.40s", f->repo, hex), 0);
	hex[SV_LOOSE_HEXLEN] = '\0';
	assert_int_equal(read_obj(f, hex, &type, &back, &got, 1 << 20), 0);
	assert_int_equal(type, SV_LOOSE_COMMIT);
	assert_int_equal(strncmp((const char *)back, "tree ", 5), 0);
	free(back);
	free(file);
	free(data);
}

/* A byte changed anywhere: each place caught, with zlib's words. */
static void test_corrupt(void **state)
{
	static const struct {
		long off;		/* from the end if negative */
		const char *why;
	} flips[] = {
		{ 0, "incorrect header check" },	/* zlib header */
		{ 3, "invalid stored block lengths" },	/* first block's LEN */
		{ 5, "invalid stored block lengths" },	/* its NLEN */
		{ 8, "bad object header" },		/* "blob" */
		{ 150000, "incorrect data check" },	/* data: adler32 */
		{ 2 + 5 + 65535 + 1, "invalid stored block lengths" },	/* 2nd block's LEN */
		{ -1, "incorrect data check" },		/* adler32 itself */
		{ -3, "incorrect data check" },
	};
	fixture *f = *state;
	unsigned char *data = malloc(300000), *file;
	char hex[SV_LOOSE_HEXLEN + 1], *path;
	size_t i, flen;

	assert_non_null(data);
	for (i = 0; i < SV_ARRAY_SIZE(flips); i++) {
		size_t at;

		fill(data, 300000, 200 + i);
		write_obj(f, hex, SV_LOOSE_BLOB, data, 300000, 65552);
		expect_blob(f, hex, data, 300000, 65536);
		path = obj_path(f, hex);
		file = read_file(path, &flen);
		at = flips[i].off >= 0 ? (size_t)flips[i].off : flen - (size_t)-flips[i].off;
		file[at] ^= 0x40;
		put_file(f, hex, file, flen);
		expect_corrupt(f, hex, flips[i].why);
		/* zlib agrees that it is damaged */
		{
			uLongf n = 300000 + 64;
			unsigned char *out = malloc(n);

			assert_int_not_equal(uncompress(out, &n, file, (uLong)flen), Z_OK);
			free(out);
		}
		free(file);
		free(path);
	}
	free(data);
}

/* Cut short anywhere, or with bytes after the stream. */
static void test_truncated(void **state)
{
	static const long cuts[] = { 0, 1, 2, 6, 10, 1000, 65547, 150000, 524288, -5, -4, -1 };
	fixture *f = *state;
	unsigned char *data = malloc(600000), *file;
	char hex[SV_LOOSE_HEXLEN + 1], *path;
	size_t i, flen;

	assert_non_null(data);
	fill(data, 600000, 300);
	write_obj(f, hex, SV_LOOSE_BLOB, data, 600000, 65552);
	path = obj_path(f, hex);
	file = read_file(path, &flen);
	for (i = 0; i < SV_ARRAY_SIZE(cuts); i++) {
		size_t to = cuts[i] >= 0 ? (size_t)cuts[i] : flen - (size_t)-cuts[i];

		put_file(f, hex, file, to);
		expect_corrupt(f, hex, NULL);
	}
	/* one byte, or a whole valid stream, after the end */
	file = realloc(file, 2 * flen);
	assert_non_null(file);
	file[flen] = 'x';
	put_file(f, hex, file, flen + 1);
	expect_corrupt(f, hex, "garbage after the zlib stream");
	memcpy(file + flen, file, flen);
	put_file(f, hex, file, 2 * flen);
	expect_corrupt(f, hex, "garbage after the zlib stream");
	/* the same bytes whole again: fine */
	put_file(f, hex, file, flen);
	expect_blob(f, hex, data, 600000, 4096);
	free(file);
	free(path);
	free(data);
}

/*
 * Objects whose header says something else than the stream holds (valid
 * zlib around them, so only the object header is wrong).
 */
static void put_raw(fixture *f, const char *hex, const void *raw, size_t len, int level)
{
	uLongf n = compressBound((uLong)len);
	unsigned char *z = malloc(n);

	assert_non_null(z);
	assert_int_equal(compress2(z, &n, raw, (uLong)len, level), Z_OK);
	put_file(f, hex, z, n);
	free(z);
}

static void test_bad_headers(void **state)
{
	static const struct {
		const char *raw;
		size_t len;
		const char *why;
	} bad[] = {
		{ "blob 10\0abcde", 13, "shorter than its header says" },
		{ "blob 2\0abcde", 12, "longer than its header says" },
		{ "blub 3\0abc", 10, "bad object header" },
		{ "blob 03\0abc", 11, "bad object size" },
		{ "blob 3x\0abc", 11, "bad object size" },
		{ "blob \0", 6, "bad object size" },
		{ "blob -1\0", 8, "bad object size" },
		{ "blob 99999999999999999999999\0", 29, "bad object size" },
		{ "blob3\0abc", 9, "bad object header" },
		{ "", 0, "bad object header" },
	};
	fixture *f = *state;
	const char *hex = "1111111111111111111111111111111111111111";
	char payload[100000];
	sv_loose_type type;
	unsigned char *back;
	size_t i, got;
	int n, level;

	for (level = 0; level <= 9; level += 9) {
		for (i = 0; i < SV_ARRAY_SIZE(bad); i++) {
			put_raw(f, hex, bad[i].raw, bad[i].len, level);
			expect_corrupt(f, hex, bad[i].why);
		}
		/* no NUL in the first 32 bytes */
		memset(payload, 'z', 100);
		put_raw(f, hex, payload, 100, level);
		expect_corrupt(f, hex, "bad object header");
		/* the size lies, either way, beyond the first bytes */
		n = snprintf(payload, sizeof(payload), "blob 500%c", 0);
		memset(payload + n, 'x', 400);
		put_raw(f, hex, payload, (size_t)n + 400, level);
		expect_corrupt(f, hex, "shorter than its header says");
		n = snprintf(payload, sizeof(payload), "blob 100%c", 0);
		memset(payload + n, 'y', 90000);
		put_raw(f, hex, payload, (size_t)n + 90000, level);
		expect_corrupt(f, hex, "longer than its header says");
		/* a header that says 0 and is followed by data */
		put_raw(f, hex, "tag 0\0x", 7, level);
		expect_corrupt(f, hex, "longer than its header says");
		/* and a good one under any id: no SHA-1 check here */
		put_raw(f, hex, "tree 3\0abc", 10, level);
		assert_int_equal(read_obj(f, hex, &type, &back, &got, 1), 0);
		assert_int_equal(type, SV_LOOSE_TREE);
		assert_int_equal(got, 3);
		assert_memory_equal(back, "abc", 3);
		free(back);
	}
}

/*
 * Objects several times larger than the reader's 512 KiB buffer, read in
 * reads smaller and larger than it, and only the header of one.
 */
static void test_large(void **state)
{
	static const size_t reads[] = { 1 << 12, 65535, 524288 + 3, 5 * MB };
	const size_t len = 5 * MB + 3;
	fixture *f = *state;
	unsigned char *data = malloc(len), *raw, *z;
	char hex[SV_LOOSE_HEXLEN + 1], rel[SV_LOOSE_HEXLEN + 2];
	sv_loose_reader *r;
	sv_loose_type type;
	uint64_t size;
	size_t i, rawlen, zlen;

	assert_non_null(data);
	fill(data, len, 400);
	write_obj(f, hex, SV_LOOSE_BLOB, data, len, MB);
	for (i = 0; i < SV_ARRAY_SIZE(reads); i++)
		expect_blob(f, hex, data, len, reads[i]);

	/* only the header: a small first read, and the size from it */
	relpath(rel, hex);
	assert_int_equal(sv_loose_reader_open(&r, &type, &size, f->objfd, rel, hex, 0), 0);
	assert_int_equal(type, SV_LOOSE_BLOB);
	assert_int_equal(size, len);
	sv_loose_reader_free(r);

	/* the same object compressed by zlib: through the fallback */
	raw = raw_object("blob", data, len, &rawlen);
	z = deflate_split(raw, rawlen, 0, 6, 6, &zlen);
	put_file(f, hex, z, zlen);
	for (i = 0; i < SV_ARRAY_SIZE(reads); i++)
		expect_blob(f, hex, data, len, reads[i]);
	free(z);
	free(raw);
	free(data);
}

/*
 * The direct path and the zlib fallback give the same bytes: one object in
 * several encodings, among them ours turning into compressed blocks part
 * way (so the reader has delivered data directly, over several buffer
 * refills, before it has to start again with zlib and skip it), each read
 * in reads of several sizes.  Damage after the switch is still caught.
 */
static void test_direct_and_fallback(void **state)
{
	static const size_t splits[] = { 11, 65546, 700001, 2 * MB };
	static const size_t reads[] = { 1 << 12, 65536, 3 * MB };
	const size_t len = 3 * MB + 5;
	fixture *f = *state;
	unsigned char *data = malloc(len), *raw, *z, *ours, *inflated;
	char hex[SV_LOOSE_HEXLEN + 1], id[SV_LOOSE_HEXLEN + 1], *path;
	size_t i, k, rawlen, zlen, ourlen, ndamaged = 0;

	assert_non_null(data);
	fill(data, len, 500);
	memset(data + len - MB, 'a', MB);	/* for deflate to compress, after every split */
	write_obj(f, hex, SV_LOOSE_BLOB, data, len, 65552);
	raw = raw_object("blob", data, len, &rawlen);
	inflated = malloc(rawlen + 1);
	assert_non_null(inflated);
	object_id(id, raw, rawlen);
	assert_string_equal(hex, id);
	path = obj_path(f, hex);
	ours = read_file(path, &ourlen);

	/* zlib's stored blocks (level 0): other block sizes, direct all the way */
	z = deflate_split(raw, rawlen, rawlen, 0, 0, &zlen);
	put_file(f, hex, z, zlen);
	for (k = 0; k < SV_ARRAY_SIZE(reads); k++)
		expect_blob(f, hex, data, len, reads[k]);
	free(z);

	/* stored blocks, then compressed ones from `split` on */
	for (i = 0; i < SV_ARRAY_SIZE(splits); i++) {
		z = deflate_split(raw, rawlen, splits[i], 0, 6, &zlen);
		assert_true(zlen < ourlen);
		put_file(f, hex, z, zlen);
		for (k = 0; k < SV_ARRAY_SIZE(reads); k++)
			expect_blob(f, hex, data, len, reads[k]);
		/*
		 * A bit flipped after the split (in the compressed blocks, or
		 * the last stored one): the reader says what zlib says.  A flip
		 * in deflate data may decode to the same bytes (a distance of 2
		 * instead of 1 inside a run of one byte), which is no damage.
		 */
		for (k = 1; k <= 16; k++) {
			size_t at = zlen - 4 - k * (zlen - splits[i] - 8) / 17;
			uLongf n = (uLongf)rawlen + 1;
			int zr;

			z[at] ^= (unsigned char)(1u << (k & 7));
			zr = uncompress(inflated, &n, z, (uLong)zlen);
			put_file(f, hex, z, zlen);
			if (zr == Z_OK && n == rawlen && !memcmp(inflated, raw, rawlen)) {
				expect_blob(f, hex, data, len, 65536);
			} else {
				expect_corrupt(f, hex, NULL);
				ndamaged++;
			}
			z[at] ^= (unsigned char)(1u << (k & 7));
		}
		/* and the adler32, as zlib says it */
		z[zlen - 2] ^= 0x01;
		put_file(f, hex, z, zlen);
		expect_corrupt(f, hex, "incorrect data check");
		free(z);
	}

	/*
	 * Ours with its adler32 wrong: the direct path notices at the very end,
	 * after delivering everything, and zlib then says the same as for the
	 * compressed stream above.
	 */
	ours[ourlen - 1] ^= 0x01;
	put_file(f, hex, ours, ourlen);
	expect_corrupt(f, hex, "incorrect data check");
	ours[ourlen - 1] ^= 0x01;
	put_file(f, hex, ours, ourlen);
	expect_blob(f, hex, data, len, 65536);
	/* most flips above were damage, and caught */
	assert_true(ndamaged > 2 * SV_ARRAY_SIZE(splits));

	free(inflated);
	free(ours);
	free(path);
	free(raw);
	free(data);
}

/* The writer's contract: sizes, temp files, failures, types. */
static void test_writer_misuse(void **state)
{
	fixture *f = *state;
	unsigned char id[SV_LOOSE_IDLEN], untouched[SV_LOOSE_IDLEN];
	char tmp[SV_LOOSE_TMPNAME];
	sv_loose_writer *w = (sv_loose_writer *)1;

	/* not one of the four types: nothing made */
	assert_int_equal(sv_loose_writer_open(&w, f->objfd, &f->names, (sv_loose_type)6, 1, 0),
			 SCRVAULT_ERROR);
	assert_null(w);
	assert_int_equal(count_tmp_files(f), 0);

	/* more than declared */
	assert_int_equal(sv_loose_writer_open(&w, f->objfd, &f->names, SV_LOOSE_BLOB, 10,
					      SV_LOOSE_HASH), 0);
	assert_int_equal(count_tmp_files(f), 1);
	assert_int_equal(sv_loose_writer_put(w, "abcde", 5), 0);
	assert_int_equal(sv_loose_writer_put(w, "abcdef", 6), SCRVAULT_EUSAGE);
	/* spoiled from then on */
	assert_int_equal(sv_loose_writer_put(w, "a", 1), SCRVAULT_EUSAGE);
	assert_int_equal(sv_loose_writer_finish(tmp, id, w), SCRVAULT_EUSAGE);
	sv_loose_writer_free(w);
	assert_int_equal(count_tmp_files(f), 0);

	/* fewer than declared */
	assert_int_equal(sv_loose_writer_open(&w, f->objfd, &f->names, SV_LOOSE_BLOB, 10, 0), 0);
	assert_int_equal(sv_loose_writer_put(w, "abc", 3), 0);
	assert_int_equal(sv_loose_writer_finish(tmp, NULL, w), SCRVAULT_EUSAGE);
	assert_non_null(strstr(scrvault_error_message(), "of its"));
	sv_loose_writer_free(w);
	assert_int_equal(count_tmp_files(f), 0);

	/* freed untouched */
	assert_int_equal(sv_loose_writer_open(&w, f->objfd, &f->names, SV_LOOSE_BLOB, 0, 0), 0);
	sv_loose_writer_free(w);
	sv_loose_writer_free(NULL);
	assert_int_equal(count_tmp_files(f), 0);

	/* finished: the temp file is the caller's, the writer takes nothing more */
	memset(untouched, 0xa5, sizeof(untouched));
	memcpy(id, untouched, sizeof(id));
	assert_int_equal(sv_loose_writer_open(&w, f->objfd, &f->names, SV_LOOSE_COMMIT, 3, 0), 0);
	assert_int_equal(sv_loose_writer_put(w, "abc", 3), 0);
	assert_int_equal(sv_loose_writer_finish(tmp, id, w), 0);
	assert_memory_equal(id, untouched, sizeof(id));	/* not hashed */
	assert_int_equal(strncmp(tmp, "tmp_obj_", 8), 0);
	assert_int_equal(strlen(tmp), 8 + 16);
	assert_int_equal(sv_loose_writer_finish(tmp, id, w), SCRVAULT_EUSAGE);
	assert_int_equal(sv_loose_writer_put(w, "", 0), SCRVAULT_EUSAGE);
	sv_loose_writer_free(w);
	assert_int_equal(count_tmp_files(f), 1);
	{
		struct stat st;

		assert_int_equal(fstatat(f->objfd, tmp, &st, 0), 0);
		assert_int_equal(st.st_mode & 0777, 0444);
	}
	assert_int_equal(unlinkat(f->objfd, tmp, 0), 0);

	/* a reader of nothing */
	{
		sv_loose_reader *r = (sv_loose_reader *)1;
		sv_loose_type type;
		uint64_t size;

		assert_int_equal(sv_loose_reader_open(&r, &type, &size, f->objfd, "ab/cdef",
						      "abcdef", SV_LOOSE_WHOLE), SCRVAULT_ENOTFOUND);
		assert_null(r);
		assert_non_null(strstr(scrvault_error_message(), "abcdef"));
		sv_loose_reader_free(NULL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_known_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_git_reads_ours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reads_git_written, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_direct_and_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_misuse, setup, teardown),
	};

	return cmocka_run_group_tests_name("loose", tests, NULL, NULL);
}
