/*
 * store.c - the git object store (VAULT/store.git), see store.h.
 *
 * This is the only file of scrvault that includes <git2.h> and <zlib.h>.
 * It handles ciphertext and opaque ids only.  It must never see a key, a
 * title, a file name or any plaintext; never write anything but git objects,
 * its config at init and the one ref refs/heads/main; never put anything but
 * ids, paths and reasons into an error message; never move a ref except in
 * sv_store_set_head; and never fsync an object as it writes it (objects are
 * flushed in batches by sv_store_sync).
 *
 * Objects are written by a custom libgit2 ODB backend that sits above the
 * default loose and pack backends.  It writes standard loose objects
 * (objects/xx/yyyy...: a zlib stream of "<type> <size>\0<data>") whose
 * deflate data is made of stored blocks, written by hand here: ciphertext
 * does not compress and deflate would cap throughput at about 50 MB/s.  Any
 * zlib reader, so git and libgit2 too, reads them as usual.  An object is
 * written to objects/tmp_obj_* and renamed into place without replacing an
 * object that is already there, so concurrent writers are safe.  The backend
 * reads loose objects itself (stored or compressed); objects it does not
 * have, such as packed ones written by real git, fall through to libgit2's
 * own backends.  Blob streams skip libgit2 altogether and drive the same
 * writer themselves, hashing with OpenSSL's SHA-1 instead of libgit2's much
 * slower collision-detecting one (see "Blob streams" below for why that is
 * safe); trees, commits, refs and small blobs go through libgit2.
 *
 * Every object file written or found already present since the last
 * sv_store_sync() is remembered, and sv_store_sync() makes them durable:
 * with an fsync of each file and directory for a few objects, or with one
 * syncfs(2) for many (an fsync each costs 0.1 ms and more per object; a
 * syncfs also waits for every other dirty file of the file system).  Large
 * objects have their writeback started while they are written
 * (sync_file_range, no durability implied), so the sync has little to wait
 * for.
 *
 * A sv_store handle and its streams belong to one thread at a time, with
 * one exception: several threads may read blobs at once (sv_store_blob_reader
 * and sv_store_blob_read, one stream each) while nothing writes to the store.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <git2.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>
#include <zlib.h>
#include <tmmintrin.h>
#include "storage/store.h"
#include "crypto/crypto.h"
#include "base/common.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

#define SV_ADLER_SSSE3 1

#endif

/* Above libgit2's default loose (1) and pack (2) backends. */
#define SV_BACKEND_PRIORITY 100

/* Largest stored deflate block, and the bytes of its header. */
#define SV_BLOCK_MAX 65535
#define SV_BLOCK_HDR 5

/* Output buffer of an object being written: 16 full stored blocks. */
#define SV_WBUF (16 * (SV_BLOCK_MAX + SV_BLOCK_HDR))

/*
 * Start writeback of a large object's file every so many bytes, so that the
 * disk works while the rest is hashed and sv_store_sync has little left.
 */
#define SV_WRITEOUT (8 * 1024 * 1024)

/*
 * Input buffer of an object being read (so one read(2) per 512 KiB), and
 * the first read of one when only its header is wanted.
 */
#define SV_RBUF (512 * 1024)
#define SV_RFIRST 4096

/* lr_direct's answer when the stream needs zlib after all (see lr_produce). */
#define SV_LR_FALLBACK 1

/* "commit 18446744073709551615\0" fits; a header is looked for in so many. */
#define SV_HDR_MAX 32

/* Up to this many objects, sv_store_sync fsyncs each; above, one syncfs. */
#define SV_SYNC_FSYNC_MAX 32

/* "xx/" + 38 hex digits + NUL */
#define SV_RELPATH_LEN (SV_OID_HEXLEN + 2)

typedef struct {
	git_odb_backend parent;
	int objfd;			/* the objects/ directory */
	uint64_t tmpsalt;		/* makes temp names unlikely to collide */
	uint64_t tmpseq;
	git_oid *dirty;			/* objects to flush at the next sync */
	size_t ndirty, dirtycap;
	unsigned char dirtydirs[32];	/* fan-out directories to flush */
} sv_backend;

struct sv_store {
	git_repository *repo;
	git_odb *odb;
	sv_backend *be;			/* owned by odb */
	pthread_mutex_t rlock;		/* readers' use of odb (see blob reading) */
	char *objdir;			/* objects/ */
	bool packs;			/* libgit2's pack backend is in odb */
};

/* A loose object being written to a temp file. */
typedef struct {
	sv_backend *be;
	sv_sha1_ctx *sha;		/* if set, hashes what is put (not owned) */
	int fd;
	char tmp[40];			/* temp name in objects/, "" once gone */
	unsigned char *buf;
	size_t cap, len;
	size_t blk;			/* offset of the open block, or SIZE_MAX */
	size_t blklen;
	uint64_t total;			/* header + data bytes of the object */
	uint64_t done;			/* those taken so far */
	uint64_t written;		/* bytes written to the file */
	uint64_t kicked;		/* writeback started up to here */
	uLong adler;
} sv_lw;

/*
 * A loose object being read.  It starts in direct mode: the stored blocks
 * our writer makes are copied out of the file as they are, and their
 * adler32 checked here.  At the first thing that is not exactly that (a
 * compressed block, a bad length, a bad checksum, a short file...) it
 * starts again from the top in zlib mode, which reads anything zlib reads
 * and reports what is wrong, and drops the bytes already delivered.
 */
typedef struct {
	int fd;
	bool direct;			/* stored blocks read here, not by zlib */
	z_stream z;
	bool zinit;
	bool ended;			/* the end of the stream was seen and checked */
	bool checked;			/* the end of the file was verified too */
	int failed;			/* sticky error code */
	unsigned char *in;
	size_t incap;
	size_t rfirst;			/* largest first read */
	size_t inoff, inlen;		/* direct: unread bytes are in[inoff..inlen) */
	uint32_t blkleft;		/* direct: bytes left in the open block */
	bool inblock, final;		/* direct: a block is open; it is the last */
	uLong adler;			/* direct: of the bytes produced so far */
	uint64_t produced;		/* bytes produced, object header included */
	uint64_t fsize, foff;
	char hex[SV_OID_HEXLEN + 1];
	git_object_t type;
	uint64_t size;			/* data size from the header */
	uint64_t left;			/* data bytes not yet delivered */
	unsigned char hdr[64];		/* header, then the first data bytes */
	size_t hoff, hlen;		/* data bytes left in hdr */
} sv_lr;

typedef struct {
	git_odb_stream parent;
	sv_lw w;
} sv_odb_wstream;

/* A blob stream: written by our loose writer, hashed here (see below). */
struct sv_store_wstream {
	sv_lw w;
	sv_sha1_ctx *sha;		/* of "blob <size>\0" and the data */
	uint64_t size, done;
	int state;			/* 0 open, 1 finished, <0 failed */
};

struct sv_store_rstream {
	bool loose;
	sv_lr lr;
	sv_store *s;
	git_odb_object *obj;		/* when not loose */
	uint64_t size, off;
};

/*
 * libgit2 setup
 */

static pthread_once_t sv_git_once = PTHREAD_ONCE_INIT;

static int sv_git_status;

static void sv_git_setup(void)
{
	if (git_libgit2_init() < 0 ||
	    git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1) < 0 ||
	    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 1) < 0 ||
	    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 1) < 0)
		sv_git_status = -1;
}

/*
 * Initialise libgit2 once per process, with refs fsynced and hashes
 * checked.  Every way into this file that reaches libgit2 starts here (the
 * others take a store that was opened through it).
 */
static int sv_git_init(void)
{
	if (pthread_once(&sv_git_once, sv_git_setup) != 0 || sv_git_status < 0)
		return sv_error(SCRVAULT_ERROR, "cannot initialise libgit2");
	return 0;
}

/*
 * Record a libgit2 failure `gerr` as ours: "<what>: <libgit2's message>",
 * with the code that matches.
 */
static int sv_git_error(int gerr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int sv_git_error(int gerr, const char *fmt, ...)
{
	const git_error *e = git_error_last();
	char what[256];
	va_list ap;
	int code;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);

	switch (gerr) {
	case GIT_ENOTFOUND:
		code = SCRVAULT_ENOTFOUND;
		break;
	case GIT_EMISMATCH:
		code = SCRVAULT_EINTEGRITY;
		break;
	case GIT_ELOCKED:
	case GIT_EEXISTS:
	case GIT_EMODIFIED:
	case GIT_ENONFASTFORWARD:
		code = SCRVAULT_ECONFLICT;
		break;
	default:
		code = SCRVAULT_ERROR;
		break;
	}
	return sv_error(code, "%s: %s", what,
			e && e->message ? e->message : "unknown error");
}

/* Hand our current failure to libgit2 from a backend callback. */
static int be_fail(int code)
{
	git_error_set_str(GIT_ERROR_ODB, scrvault_error_message());
	if (code == SCRVAULT_ENOTFOUND)
		return GIT_ENOTFOUND;
	if (code == SCRVAULT_EINTEGRITY)
		return GIT_EMISMATCH;
	return GIT_ERROR;
}

/*
 * Small helpers
 */

/* Parse a 40-digit lower-case hex object id; SCRVAULT_EUSAGE if it is not. */
static int parse_oid(git_oid *out, const char *hex)
{
	size_t i;

	if (!hex)
		return sv_error(SCRVAULT_EUSAGE, "missing object id");
	for (i = 0; i < SV_OID_HEXLEN; i++) {
		char c = hex[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return sv_error(SCRVAULT_EUSAGE, "bad object id '%.64s'", hex);
	}
	if (hex[SV_OID_HEXLEN] != '\0' || git_oid_fromstr(out, hex) < 0)
		return sv_error(SCRVAULT_EUSAGE, "bad object id '%.64s'", hex);
	return 0;
}

static void oid_hex(char out[SV_OID_HEXLEN + 1], const git_oid *oid)
{
	git_oid_fmt(out, oid);
	out[SV_OID_HEXLEN] = '\0';
}

/* "xx/yyyy..." of an object, relative to objects/. */
static void oid_relpath(char out[SV_RELPATH_LEN], const git_oid *oid)
{
	char hex[SV_OID_HEXLEN + 1];

	oid_hex(hex, oid);
	out[0] = hex[0];
	out[1] = hex[1];
	out[2] = '/';
	memcpy(out + 3, hex + 2, SV_OID_HEXLEN - 2);
	out[SV_RELPATH_LEN - 1] = '\0';
}

/*
 * A tree path: '/'-separated non-empty components of [A-Za-z0-9._-], none
 * of them ".", ".." or ".git"; SCRVAULT_EUSAGE otherwise.
 */
static int check_path(const char *path)
{
	const char *p, *comp;

	if (!path)
		return sv_error(SCRVAULT_EUSAGE, "missing store path");
	if (strnlen(path, 4097) > 4096)
		return sv_error(SCRVAULT_EUSAGE, "store path too long");
	for (p = comp = path;; p++) {
		if (*p == '/' || *p == '\0') {
			size_t n = (size_t)(p - comp);

			if (n == 0 || (n == 1 && comp[0] == '.') ||
			    (n == 2 && comp[0] == '.' && comp[1] == '.') ||
			    (n == 4 && strncasecmp(comp, ".git", 4) == 0))
				goto bad;
			if (*p == '\0')
				return 0;
			comp = p + 1;
		} else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
			     *p == '-')) {
			goto bad;
		}
	}
bad:
	return sv_error(SCRVAULT_EUSAGE, "bad store path '%.200s'", path);
}

static int type_from_name(git_object_t *out, const char *name, size_t len)
{
	static const struct {
		const char *name;
		git_object_t type;
	} types[] = {
		{ "blob", GIT_OBJECT_BLOB }, { "tree", GIT_OBJECT_TREE },
		{ "commit", GIT_OBJECT_COMMIT }, { "tag", GIT_OBJECT_TAG },
	};
	size_t i;

	for (i = 0; i < SV_ARRAY_SIZE(types); i++) {
		if (strlen(types[i].name) == len && !memcmp(types[i].name, name, len)) {
			*out = types[i].type;
			return 0;
		}
	}
	return -1;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (k == 0) {
			errno = EIO;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/*
 * Adler-32 (RFC 1950) of what goes into an object.  zlib 1.2's adler32 is
 * byte-at-a-time (about 1.6 GB/s here) and was a fifth of the CPU time of a
 * blob write, so on x86-64 with SSSE3 it is done 32 bytes at a time (8 GB/s).
 */
#define SV_ADLER_BASE 65521u

#ifdef SV_ADLER_SSSE3

/*
 * For a run of N = 32K bytes b[i] (chunk k = i / 32, lane j = i % 32):
 *   s1' = s1 + sum b[i]
 *   s2' = s2 + N s1 + sum (N - i) b[i]
 *       = s2 + N s1 + 32 sum_k (K - 1 - k) sum_j b[k][j] + sum (32 - j) b[i]
 * vs1 collects the byte sums (psadbw), vps the sum over chunks of vs1 taken
 * before each chunk (the middle term), vs2 the (32 - j)-weighted bytes
 * (pmaddubsw).  Runs are at most K = SV_ADLER_RUN chunks, so no 32-bit
 * lane overflows: a lane of vs1 grows by at most 2 * 8 * 255 = 4080 a chunk,
 * so a lane of vps ends below 4080 K^2 / 2 < 2^30, and one of vs2 below
 * 255 * (32 + 31 + 30 + 29 + 16 + 15 + 14 + 13) K < 2^25; the lanes and the
 * terms are added up in 64 bits.  (pmaddubsw does not saturate: a pair is
 * at most 255 * (32 + 31) < 2^15.)
 */
#define SV_ADLER_RUN 512

__attribute__((target("ssse3")))
static uLong adler32_ssse3(uLong adler, const unsigned char *p, size_t n)
{
	const __m128i zero = _mm_setzero_si128();
	const __m128i ones = _mm_set1_epi16(1);
	const __m128i wlo = _mm_setr_epi8(32, 31, 30, 29, 28, 27, 26, 25,
					  24, 23, 22, 21, 20, 19, 18, 17);
	const __m128i whi = _mm_setr_epi8(16, 15, 14, 13, 12, 11, 10, 9,
					  8, 7, 6, 5, 4, 3, 2, 1);
	uint32_t s1 = (uint32_t)(adler & 0xffff), s2 = (uint32_t)(adler >> 16);

	while (n >= 32) {
		size_t k = n / 32 < SV_ADLER_RUN ? n / 32 : SV_ADLER_RUN;
		__m128i vs1 = zero, vps = zero, vs2 = zero;
		uint32_t l1[4], lps[4], l2[4];
		uint64_t t1, tps, t2;
		size_t i;

		for (i = 0; i < k; i++) {
			__m128i lo = _mm_loadu_si128((const __m128i *)(const void *)p);
			__m128i hi = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));

			vps = _mm_add_epi32(vps, vs1);
			vs1 = _mm_add_epi32(vs1, _mm_sad_epu8(lo, zero));
			vs1 = _mm_add_epi32(vs1, _mm_sad_epu8(hi, zero));
			vs2 = _mm_add_epi32(vs2, _mm_madd_epi16(_mm_maddubs_epi16(lo, wlo),
								ones));
			vs2 = _mm_add_epi32(vs2, _mm_madd_epi16(_mm_maddubs_epi16(hi, whi),
								ones));
			p += 32;
		}
		_mm_storeu_si128((__m128i *)(void *)l1, vs1);
		_mm_storeu_si128((__m128i *)(void *)lps, vps);
		_mm_storeu_si128((__m128i *)(void *)l2, vs2);
		t1 = (uint64_t)l1[0] + l1[1] + l1[2] + l1[3];
		tps = (uint64_t)lps[0] + lps[1] + lps[2] + lps[3];
		t2 = (uint64_t)l2[0] + l2[1] + l2[2] + l2[3];
		s2 = (uint32_t)(((uint64_t)s2 + 32 * (uint64_t)k * s1 + 32 * tps + t2) %
				SV_ADLER_BASE);
		s1 = (uint32_t)(((uint64_t)s1 + t1) % SV_ADLER_BASE);
		n -= 32 * k;
	}
	return adler32_z(((uLong)s2 << 16) | s1, p, n);
}

#endif

static uLong sv_adler32(uLong adler, const unsigned char *p, size_t n)
{
#ifdef SV_ADLER_SSSE3
	if (n >= 64 && __builtin_cpu_supports("ssse3"))
		return adler32_ssse3(adler, p, n);
#endif
	return adler32_z(adler, p, n);
}

/*
 * Objects to sync
 */

/* Remember that `oid` (and its fan-out directory) must be flushed. */
static int dirty_add(sv_backend *be, const git_oid *oid)
{
	if (be->ndirty == be->dirtycap) {
		size_t cap = be->dirtycap ? 2 * be->dirtycap : 64;
		git_oid *d = sv_realloc(be->dirty, cap * sizeof(*d));

		if (!d)
			return SCRVAULT_ERROR;
		be->dirty = d;
		be->dirtycap = cap;
	}
	git_oid_cpy(&be->dirty[be->ndirty++], oid);
	be->dirtydirs[oid->id[0] >> 3] |= (unsigned char)(1u << (oid->id[0] & 7));
	return 0;
}

static int oid_qsort_cmp(const void *a, const void *b)
{
	return git_oid_cmp(a, b);
}

/*
 * Writing loose objects: a zlib stream (header 78 01, stored blocks, adler32
 * of the uncompressed bytes) written through a bounded buffer.
 */

/*
 * `n` more bytes are in the file.  Once SV_WRITEOUT of them have gathered,
 * ask the kernel to start writing them out (SYNC_FILE_RANGE_WRITE does not
 * wait for the disk and makes nothing durable: that is still the job of
 * sv_store_sync).  So only objects over SV_WRITEOUT are concerned.  A
 * failure is ignored: it is only a hint, and the fsync at the sync reports
 * real I/O errors.
 */
static void lw_wrote(sv_lw *w, size_t n)
{
	w->written += n;
	if (w->written - w->kicked >= SV_WRITEOUT) {
		sync_file_range(w->fd, (off_t)w->kicked,
				(off_t)(w->written - w->kicked), SYNC_FILE_RANGE_WRITE);
		w->kicked = w->written;
	}
}

static int lw_flush(sv_lw *w)
{
	if (write_all(w->fd, w->buf, w->len) < 0)
		return sv_error(SCRVAULT_ERROR, "cannot write object: %s",
				strerror(errno));
	lw_wrote(w, w->len);
	w->len = 0;
	return 0;
}

static void lw_close_block(sv_lw *w)
{
	unsigned char *h = w->buf + w->blk;
	unsigned int n = (unsigned int)w->blklen;

	h[0] = w->done == w->total ? 1 : 0;	/* BFINAL, BTYPE 00 */
	h[1] = (unsigned char)(n & 0xff);
	h[2] = (unsigned char)(n >> 8);
	h[3] = (unsigned char)(~n & 0xff);
	h[4] = (unsigned char)((~n >> 8) & 0xff);
	w->blk = SIZE_MAX;
}

/*
 * Add `n` bytes of the uncompressed object; never more than declared.  They
 * are gathered in the buffer, so that each write(2) is about SV_WBUF (1 MiB)
 * whatever the size of the puts.
 */
static int lw_put(sv_lw *w, const void *data, size_t n)
{
	const unsigned char *p = data;
	int error;

	if (n > w->total - w->done)
		return sv_error(SCRVAULT_EUSAGE, "object gets more than its %" PRIu64
				" bytes", w->total);
	if (n == 0)
		return 0;
	if (w->sha && (error = sv_sha1_update(w->sha, p, n)) < 0)
		return error;
	w->adler = sv_adler32(w->adler, p, n);
	while (n > 0) {
		size_t k;

		if (w->blk == SIZE_MAX) {
			if (w->cap - w->len < SV_BLOCK_HDR + 1 &&
			    (error = lw_flush(w)) < 0)
				return error;
			w->blk = w->len;
			w->len += SV_BLOCK_HDR;
			w->blklen = 0;
		}
		k = n;
		if (k > SV_BLOCK_MAX - w->blklen)
			k = SV_BLOCK_MAX - w->blklen;
		if (k > w->cap - w->len)
			k = w->cap - w->len;
		memcpy(w->buf + w->len, p, k);
		w->len += k;
		w->blklen += k;
		w->done += k;
		p += k;
		n -= k;
		if (w->blklen == SV_BLOCK_MAX || w->done == w->total ||
		    w->len == w->cap)
			lw_close_block(w);
		if (w->len == w->cap && (error = lw_flush(w)) < 0)
			return error;
	}
	return 0;
}

/* Drop an unfinished object: close and remove the temp file. */
static void lw_discard(sv_lw *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	if (w->tmp[0])
		unlinkat(w->be->objfd, w->tmp, 0);
	w->tmp[0] = '\0';
	free(w->buf);
	w->buf = NULL;
}

/*
 * Start an object of `type` and `size` in a new temp file.  With `sha`, the
 * header and every byte put are hashed into it as well.  On failure `w` is
 * left discarded (lw_discard is safe on it).
 */
static int lw_open(sv_lw *w, sv_backend *be, git_object_t type, uint64_t size,
		   sv_sha1_ctx *sha)
{
	char hdr[64];
	int hlen, tries, error;

	memset(w, 0, sizeof(*w));
	w->be = be;
	w->sha = sha;
	w->fd = -1;
	w->blk = SIZE_MAX;
	if (type != GIT_OBJECT_BLOB && type != GIT_OBJECT_TREE &&
	    type != GIT_OBJECT_COMMIT && type != GIT_OBJECT_TAG)
		return sv_error(SCRVAULT_ERROR, "cannot write object of type %d", (int)type);
	hlen = snprintf(hdr, sizeof(hdr), "%s %" PRIu64, git_object_type2string(type),
			size) + 1;
	if (size > UINT64_MAX - (uint64_t)hlen)
		return sv_error(SCRVAULT_EUSAGE, "object too large");
	w->total = (uint64_t)hlen + size;

	w->cap = SV_WBUF;
	if (w->total < SV_WBUF)	/* room for all blocks, zlib header and trailer */
		w->cap = (size_t)w->total +
			 SV_BLOCK_HDR * ((size_t)w->total / SV_BLOCK_MAX + 1) + 16;
	if (!(w->buf = sv_malloc(w->cap)))
		return SCRVAULT_ERROR;

	for (tries = 0; w->fd < 0; tries++) {
		uint64_t r = be->tmpsalt ^ (++be->tmpseq * 0x9e3779b97f4a7c15ULL);

		snprintf(w->tmp, sizeof(w->tmp), "tmp_obj_%016" PRIx64, r);
		w->fd = openat(be->objfd, w->tmp,
			       O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
		if (w->fd < 0 && (errno != EEXIST || tries == 100)) {
			error = sv_error(SCRVAULT_ERROR, "cannot create object file: %s",
					 strerror(errno));
			w->tmp[0] = '\0';
			lw_discard(w);
			return error;
		}
	}

	w->buf[0] = 0x78;	/* deflate, 32K window */
	w->buf[1] = 0x01;	/* no dictionary, "fastest" level */
	w->len = 2;
	w->adler = adler32(0L, Z_NULL, 0);
	if ((error = lw_put(w, hdr, (size_t)hlen)) < 0)
		lw_discard(w);
	return error;
}

/*
 * Move the finished temp file `tmp` to objects/xx/yyy... unless the object is
 * already there, and remember it for the next sync.
 */
static int be_place(sv_backend *be, char *tmp, const git_oid *oid)
{
	char hex[SV_OID_HEXLEN + 1], rel[SV_RELPATH_LEN], dir[3];
	int tries;

	oid_hex(hex, oid);
	oid_relpath(rel, oid);
	memcpy(dir, rel, 2);
	dir[2] = '\0';

	for (tries = 0;; tries++) {
		/* The fan-out directory usually exists: make it only when asked. */
		if (tries > 0 && mkdirat(be->objfd, dir, 0777) < 0 && errno != EEXIST)
			break;
		if (renameat2(be->objfd, tmp, be->objfd, rel, RENAME_NOREPLACE) == 0)
			goto placed;
		if (errno == EEXIST)
			goto exists;
		if (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP) {
			/* no RENAME_NOREPLACE here: link, or replace in place */
			if (linkat(be->objfd, tmp, be->objfd, rel, 0) == 0 ||
			    errno == EEXIST)
				goto exists;
			if (errno != ENOENT &&
			    renameat(be->objfd, tmp, be->objfd, rel) == 0)
				goto placed;
		}
		/* ENOENT: the fan-out directory was pruned meanwhile; retry */
		if (errno != ENOENT || tries == 3)
			break;
	}
	return sv_error(SCRVAULT_ERROR, "cannot store object '%s': %s", hex,
			strerror(errno));

exists:
	unlinkat(be->objfd, tmp, 0);
placed:
	tmp[0] = '\0';
	return dirty_add(be, oid);
}

/* Complete the object: trailer, flush, close, then place it as `oid`. */
static int lw_finish(sv_lw *w, const git_oid *oid)
{
	int error;

	if (w->done != w->total)
		return sv_error(SCRVAULT_EUSAGE, "object got %" PRIu64 " of its %"
				PRIu64 " bytes", w->done, w->total);
	if (w->cap - w->len < 4 && (error = lw_flush(w)) < 0)
		return error;
	w->buf[w->len++] = (unsigned char)(w->adler >> 24);
	w->buf[w->len++] = (unsigned char)(w->adler >> 16);
	w->buf[w->len++] = (unsigned char)(w->adler >> 8);
	w->buf[w->len++] = (unsigned char)w->adler;
	if ((error = lw_flush(w)) < 0)
		return error;
	error = close(w->fd);
	w->fd = -1;
	if (error < 0)
		return sv_error(SCRVAULT_ERROR, "cannot write object: %s",
				strerror(errno));
	return be_place(w->be, w->tmp, oid);
}

/*
 * Reading loose objects, stored or compressed, with bounded memory.
 *
 * Our own objects (see the writer above) are read in direct mode: one
 * read(2) per SV_RBUF, the zlib header and each stored block's header
 * (BFINAL, BTYPE 00, LEN and its complement NLEN) parsed here, the data
 * copied out and the adler32 trailer checked with sv_adler32.  Anything
 * else (objects written by git or libgit2, which may be compressed, and any
 * damage) sends the object back to zlib from its first byte: lr_fallback.
 * zlib then finds and names whatever was wrong, so a damaged object fails
 * with the same SCRVAULT_EINTEGRITY and the same message as if zlib had read
 * it all along.  The object header, the sizes and the end of the file are
 * checked the same way in both modes.
 */

static int lr_corrupt(sv_lr *lr, const char *why)
{
	return sv_error(SCRVAULT_EINTEGRITY, "object '%s' is corrupt: %s",
			lr->hex, why);
}

static void lr_close(sv_lr *lr)
{
	if (lr->zinit)
		inflateEnd(&lr->z);
	lr->zinit = false;
	if (lr->fd >= 0)
		close(lr->fd);
	lr->fd = -1;
	free(lr->in);
	lr->in = NULL;
}

/* read(2) at most `want` more bytes to `buf`: how many, or a negative error. */
static long lr_readfile(sv_lr *lr, unsigned char *buf, size_t want)
{
	ssize_t n;

	if (lr->foff == 0 && want > lr->rfirst)
		want = lr->rfirst;
	if (want > lr->fsize - lr->foff)
		want = (size_t)(lr->fsize - lr->foff);
	if (want == 0)
		return 0;
	do
		n = read(lr->fd, buf, want);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return sv_error(SCRVAULT_ERROR, "cannot read object '%s': %s",
				lr->hex, strerror(errno));
	lr->foff += (uint64_t)n;
	return (long)n;
}

/* zlib mode: read the next piece of the file into the input buffer. */
static int lr_fill(sv_lr *lr)
{
	long n = lr_readfile(lr, lr->in, lr->incap);

	if (n < 0)
		return (int)n;
	if (n == 0)
		return lr_corrupt(lr, "truncated");
	lr->z.next_in = lr->in;
	lr->z.avail_in = (uInt)n;
	return 0;
}

/*
 * zlib mode: inflate into `out` until it is full or the stream ends; *got
 * receives the bytes produced.
 */
static int lr_inflate(sv_lr *lr, unsigned char *out, size_t len, size_t *got)
{
	int error, zr;

	if (len > (1u << 30))
		len = 1u << 30;
	lr->z.next_out = out;
	lr->z.avail_out = (uInt)len;
	while (lr->z.avail_out > 0 && !lr->ended) {
		if (lr->z.avail_in == 0 && (error = lr_fill(lr)) < 0)
			return error;
		zr = inflate(&lr->z, Z_NO_FLUSH);
		if (zr == Z_STREAM_END)
			lr->ended = true;
		else if (zr == Z_MEM_ERROR)
			return sv_error(SCRVAULT_ERROR, "out of memory");
		else if (zr != Z_OK && !(zr == Z_BUF_ERROR && lr->z.avail_in == 0))
			return lr_corrupt(lr, lr->z.msg ? lr->z.msg : "bad zlib stream");
	}
	*got = len - lr->z.avail_out;
	return 0;
}

/*
 * Direct mode: have at least `need` (<= incap) unread bytes in the buffer,
 * reading as much as fits.  SV_LR_FALLBACK if the file ends first.
 */
static int lr_dfill(sv_lr *lr, size_t need)
{
	size_t have = lr->inlen - lr->inoff;

	if (have >= need)
		return 0;
	if (have > 0 && lr->inoff > 0)
		memmove(lr->in, lr->in + lr->inoff, have);
	lr->inoff = 0;
	lr->inlen = have;
	while (lr->inlen < need) {
		long n = lr_readfile(lr, lr->in + lr->inlen, lr->incap - lr->inlen);

		if (n < 0)
			return (int)n;
		if (n == 0)
			return SV_LR_FALLBACK;
		lr->inlen += (size_t)n;
	}
	return 0;
}

/*
 * Direct mode: copy stored-block data into `out` until it is full or the
 * stream ends (its adler32 checked); *got receives the bytes produced, also
 * when the answer is SV_LR_FALLBACK (something here is not our plain stored
 * format: zlib must read the object) or an error.
 */
static int lr_direct(sv_lr *lr, unsigned char *out, size_t len, size_t *got)
{
	size_t n = 0;
	int error = 0;

	while (n < len && !lr->ended) {
		const unsigned char *p;

		if (lr->blkleft == 0) {
			if (lr->inblock && lr->final) {
				uLong check;

				if ((error = lr_dfill(lr, 4)) != 0)
					break;
				p = lr->in + lr->inoff;
				check = (uLong)p[0] << 24 | (uLong)p[1] << 16 |
					(uLong)p[2] << 8 | (uLong)p[3];
				if (check != lr->adler) {
					error = SV_LR_FALLBACK;
					break;
				}
				lr->inoff += 4;
				lr->ended = true;
				break;
			}
			if ((error = lr_dfill(lr, SV_BLOCK_HDR)) != 0)
				break;
			p = lr->in + lr->inoff;
			/* BFINAL, BTYPE 00 (stored), the padding bits zero as we
			 * write them, and NLEN the complement of LEN */
			if (p[0] > 1 || (p[1] ^ p[3]) != 0xff || (p[2] ^ p[4]) != 0xff) {
				error = SV_LR_FALLBACK;
				break;
			}
			lr->blkleft = (uint32_t)p[1] | (uint32_t)p[2] << 8;
			lr->final = p[0] == 1;
			lr->inblock = true;
			lr->inoff += SV_BLOCK_HDR;
			continue;
		}
		if (lr->inoff == lr->inlen && (error = lr_dfill(lr, 1)) != 0)
			break;
		{
			size_t k = len - n;

			if (k > lr->blkleft)
				k = lr->blkleft;
			if (k > lr->inlen - lr->inoff)
				k = lr->inlen - lr->inoff;
			memcpy(out + n, lr->in + lr->inoff, k);
			lr->adler = sv_adler32(lr->adler, out + n, k);
			lr->inoff += k;
			lr->blkleft -= (uint32_t)k;
			n += k;
		}
	}
	*got = n;
	return error;
}

/*
 * Leave direct mode: start zlib on the file from its first byte and drop
 * the `produced` bytes that direct mode delivered already.  They are the
 * same bytes (zlib reads stored blocks as we did), and zlib checks the
 * adler32 of all of them at the end.
 */
static int lr_fallback(sv_lr *lr)
{
	unsigned char *skip = NULL;
	uint64_t left = lr->produced;
	size_t got;
	int error = 0;

	lr->direct = false;
	lr->ended = false;
	if (inflateInit(&lr->z) != Z_OK)
		return sv_error(SCRVAULT_ERROR, "cannot start zlib");
	lr->zinit = true;
	if (lseek(lr->fd, 0, SEEK_SET) != 0)
		return sv_error(SCRVAULT_ERROR, "cannot read object '%s': %s",
				lr->hex, strerror(errno));
	lr->foff = 0;
	lr->inoff = lr->inlen = 0;
	if (left > 0 && !(skip = sv_malloc(SV_BLOCK_MAX)))
		return SCRVAULT_ERROR;
	while (left > 0) {
		size_t want = left < SV_BLOCK_MAX ? (size_t)left : SV_BLOCK_MAX;

		if ((error = lr_inflate(lr, skip, want, &got)) < 0)
			break;
		if (got < want) {	/* the file changed under us */
			error = lr_corrupt(lr, "shorter than its header says");
			break;
		}
		left -= got;
	}
	free(skip);
	return error;
}

/*
 * Produce up to `len` bytes of the object (header included) into `out`:
 * fewer only at the end of the stream.  Direct mode while it lasts, then zlib.
 */
static int lr_produce(sv_lr *lr, unsigned char *out, size_t len, size_t *got)
{
	size_t n = 0, k;
	int error;

	if (lr->direct) {
		error = lr_direct(lr, out, len, &n);
		lr->produced += n;
		if (error < 0)
			return error;
		if (error == 0) {
			*got = n;
			return 0;
		}
		if ((error = lr_fallback(lr)) < 0)
			return error;
	}
	if ((error = lr_inflate(lr, out + n, len - n, &k)) < 0)
		return error;
	lr->produced += k;
	*got = n + k;
	return 0;
}

/* All data was delivered: the stream must end here, cleanly, and the file. */
static int lr_check_end(sv_lr *lr)
{
	unsigned char extra;
	size_t got;
	int error;

	if (!lr->ended) {
		if ((error = lr_produce(lr, &extra, 1, &got)) < 0)
			return error;
		if (got)
			return lr_corrupt(lr, "longer than its header says");
	}
	if (lr->direct ? lr->inoff < lr->inlen : lr->z.avail_in > 0)
		return lr_corrupt(lr, "garbage after the zlib stream");
	if (lr->foff != lr->fsize)
		return lr_corrupt(lr, "garbage after the zlib stream");
	lr->checked = true;
	return 0;
}

/* Parse the zlib header for direct mode; SV_LR_FALLBACK if it is not ours. */
static int lr_zheader(sv_lr *lr)
{
	const unsigned char *p;
	int error;

	if ((error = lr_dfill(lr, 2)) != 0)
		return error;
	p = lr->in + lr->inoff;
	/* deflate, window at most 32K, no preset dictionary, check bits */
	if ((p[0] & 0x0f) != 8 || (p[0] >> 4) > 7 || (p[1] & 0x20) != 0 ||
	    ((unsigned)p[0] << 8 | p[1]) % 31 != 0)
		return SV_LR_FALLBACK;
	lr->inoff += 2;
	return 0;
}

/* Read and parse "<type> <size>\0". */
static int lr_header(sv_lr *lr)
{
	const unsigned char *nul, *sp, *p;
	size_t got, scan;
	int error;

	if (lr->direct && (error = lr_zheader(lr)) != 0) {
		if (error < 0 || (error = lr_fallback(lr)) < 0)
			return error;
	}
	if ((error = lr_produce(lr, lr->hdr, sizeof(lr->hdr), &got)) < 0)
		return error;
	scan = got < SV_HDR_MAX ? got : SV_HDR_MAX;
	if (!(nul = memchr(lr->hdr, '\0', scan)) ||
	    !(sp = memchr(lr->hdr, ' ', (size_t)(nul - lr->hdr))) ||
	    type_from_name(&lr->type, (const char *)lr->hdr,
			   (size_t)(sp - lr->hdr)) < 0)
		return lr_corrupt(lr, "bad object header");
	p = sp + 1;
	if (p == nul || (*p == '0' && p + 1 != nul))
		return lr_corrupt(lr, "bad object size");
	for (lr->size = 0; p < nul; p++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (d > 9 || lr->size > (UINT64_MAX - d) / 10)
			return lr_corrupt(lr, "bad object size");
		lr->size = lr->size * 10 + d;
	}
	lr->hoff = (size_t)(nul + 1 - lr->hdr);
	lr->hlen = got - lr->hoff;
	if (lr->hlen > lr->size)
		return lr_corrupt(lr, "longer than its header says");
	lr->left = lr->size;
	if (lr->size == 0)
		return lr_check_end(lr);
	return 0;
}

/*
 * Open the loose object `oid` and read its header: SCRVAULT_ENOTFOUND when
 * there is no such file.  `whole`: the data will be read too, so read the
 * file in large pieces from the start (else the first read is small).
 * Nothing is left open on failure.
 */
static int lr_open(sv_lr *lr, int objfd, const git_oid *oid, bool whole)
{
	char rel[SV_RELPATH_LEN];
	struct stat st;
	int error;

	memset(lr, 0, sizeof(*lr));
	oid_hex(lr->hex, oid);
	oid_relpath(rel, oid);
	if ((lr->fd = openat(objfd, rel, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return sv_error(SCRVAULT_ENOTFOUND, "no object '%s'", lr->hex);
		return sv_error(SCRVAULT_ERROR, "cannot open object '%s': %s",
				lr->hex, strerror(errno));
	}
	if (fstat(lr->fd, &st) < 0) {
		error = sv_error(SCRVAULT_ERROR, "cannot open object '%s': %s",
				 lr->hex, strerror(errno));
		goto fail;
	}
	lr->fsize = (uint64_t)st.st_size;
	lr->incap = lr->fsize < SV_RBUF ? (size_t)lr->fsize : SV_RBUF;
	if (lr->incap < SV_BLOCK_HDR)	/* room for a block header, even if short */
		lr->incap = SV_BLOCK_HDR;
	lr->rfirst = whole ? lr->incap : SV_RFIRST;
	if (!(lr->in = sv_malloc(lr->incap))) {
		error = SCRVAULT_ERROR;
		goto fail;
	}
	lr->direct = true;
	lr->adler = adler32(0L, Z_NULL, 0);
	if ((error = lr_header(lr)) < 0)
		goto fail;
	return 0;

fail:
	lr_close(lr);
	return error;
}

/*
 * Deliver up to `len` data bytes: how many, 0 at the end, or an error.  The
 * end of the stream is verified as soon as the last byte is delivered.
 */
static long lr_read(sv_lr *lr, void *buf, size_t len)
{
	unsigned char *out = buf;
	size_t n = 0, got;
	int error;

	if (lr->failed)
		return lr->failed;
	if (len > LONG_MAX)
		len = LONG_MAX;
	if (len > lr->left)
		len = (size_t)lr->left;
	if (lr->hlen > 0) {
		n = len < lr->hlen ? len : lr->hlen;
		memcpy(out, lr->hdr + lr->hoff, n);
		lr->hoff += n;
		lr->hlen -= n;
	}
	while (n < len) {
		if ((error = lr_produce(lr, out + n, len - n, &got)) < 0)
			goto fail;
		n += got;
		if (n < len && lr->ended) {
			error = lr_corrupt(lr, "shorter than its header says");
			goto fail;
		}
	}
	lr->left -= n;
	if (lr->left == 0 && !lr->checked && (error = lr_check_end(lr)) < 0)
		goto fail;
	return (long)n;

fail:
	lr->failed = error;
	return error;
}

/*
 * The ODB backend
 */

static int be_read(void **out, size_t *len, git_object_t *type,
		   git_odb_backend *_be, const git_oid *oid)
{
	sv_backend *be = (sv_backend *)_be;
	unsigned char *data = NULL;
	sv_lr lr;
	size_t got = 0;
	long n;
	int error;

	if ((error = lr_open(&lr, be->objfd, oid, true)) < 0)
		return be_fail(error);
	if (lr.size >= SIZE_MAX) {
		error = be_fail(sv_error(SCRVAULT_ERROR, "object '%s' too large",
					 lr.hex));
		goto done;
	}
	if (!(data = git_odb_backend_data_alloc(_be, (size_t)lr.size + 1))) {
		error = be_fail(sv_error(SCRVAULT_ERROR, "out of memory"));
		goto done;
	}
	while ((n = lr_read(&lr, data + got, (size_t)lr.size - got)) > 0)
		got += (size_t)n;
	if (n < 0) {
		error = be_fail((int)n);
		git_odb_backend_data_free(_be, data);
		goto done;
	}
	data[got] = '\0';
	*out = data;
	*len = got;
	*type = lr.type;
done:
	lr_close(&lr);
	return error;
}

static int be_read_header(size_t *len, git_object_t *type, git_odb_backend *_be,
			  const git_oid *oid)
{
	sv_backend *be = (sv_backend *)_be;
	sv_lr lr;
	int error;

	if ((error = lr_open(&lr, be->objfd, oid, false)) < 0)
		return be_fail(error);
	*len = (size_t)lr.size;
	*type = lr.type;
	lr_close(&lr);
	return 0;
}

static int be_write(git_odb_backend *_be, const git_oid *oid, const void *data,
		    size_t len, git_object_t type)
{
	sv_lw w;
	int error;

	if ((error = lw_open(&w, (sv_backend *)_be, type, len, NULL)) < 0)
		return be_fail(error);
	if ((error = lw_put(&w, data, len)) < 0 ||
	    (error = lw_finish(&w, oid)) < 0)
		error = be_fail(error);
	lw_discard(&w);
	return error;
}

static int be_ws_write(git_odb_stream *st, const char *buf, size_t len)
{
	sv_odb_wstream *ws = (sv_odb_wstream *)st;
	int error;

	if ((error = lw_put(&ws->w, buf, len)) < 0)
		return be_fail(error);
	return 0;
}

static int be_ws_finalize(git_odb_stream *st, const git_oid *oid)
{
	sv_odb_wstream *ws = (sv_odb_wstream *)st;
	int error;

	if ((error = lw_finish(&ws->w, oid)) < 0)
		return be_fail(error);
	return 0;
}

static void be_ws_free(git_odb_stream *st)
{
	sv_odb_wstream *ws = (sv_odb_wstream *)st;

	lw_discard(&ws->w);
	free(ws);
}

static int be_writestream(git_odb_stream **out, git_odb_backend *_be,
			  git_object_size_t size, git_object_t type)
{
	sv_odb_wstream *ws;
	int error;

	if (!(ws = sv_calloc(1, sizeof(*ws))))
		return be_fail(SCRVAULT_ERROR);
	if ((error = lw_open(&ws->w, (sv_backend *)_be, type, size, NULL)) < 0) {
		free(ws);
		return be_fail(error);
	}
	ws->parent.backend = _be;
	ws->parent.mode = GIT_STREAM_WRONLY;
	ws->parent.write = be_ws_write;
	ws->parent.finalize_write = be_ws_finalize;
	ws->parent.free = be_ws_free;
	*out = &ws->parent;
	return 0;
}

static int be_exists(git_odb_backend *_be, const git_oid *oid)
{
	sv_backend *be = (sv_backend *)_be;
	char rel[SV_RELPATH_LEN];

	oid_relpath(rel, oid);
	return faccessat(be->objfd, rel, F_OK, 0) == 0;
}

/*
 * libgit2 asks this before writing an object: 0 means it is there already.
 * It may have been written by another process that has not synced it yet,
 * so it goes into the next sync all the same.
 */
static int be_freshen(git_odb_backend *_be, const git_oid *oid)
{
	sv_backend *be = (sv_backend *)_be;

	if (!be_exists(_be, oid))
		return GIT_ENOTFOUND;
	if (dirty_add(be, oid) < 0)
		return be_fail(SCRVAULT_ERROR);
	return 0;
}

static void be_free(git_odb_backend *_be)
{
	sv_backend *be = (sv_backend *)_be;

	if (be->objfd >= 0)
		close(be->objfd);
	free(be->dirty);
	free(be);
}

/* A backend for the loose objects in `objdir`. */
static int be_new(sv_backend **out, const char *objdir)
{
	sv_backend *be;

	if (!(be = sv_calloc(1, sizeof(*be))))
		return SCRVAULT_ERROR;
	if (git_odb_init_backend(&be->parent, GIT_ODB_BACKEND_VERSION) < 0) {
		free(be);
		return sv_git_error(GIT_ERROR, "cannot set up the object backend");
	}
	if ((be->objfd = open(objdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		int error = sv_error(SCRVAULT_ERROR, "cannot open '%s': %s", objdir,
				     strerror(errno));
		free(be);
		return error;
	}
	if (getrandom(&be->tmpsalt, sizeof(be->tmpsalt), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(be->tmpsalt))
		be->tmpsalt = ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)be;
	be->parent.read = be_read;
	be->parent.read_header = be_read_header;
	be->parent.write = be_write;
	be->parent.writestream = be_writestream;
	be->parent.exists = be_exists;
	be->parent.freshen = be_freshen;
	be->parent.free = be_free;
	*out = be;
	return 0;
}

/*
 * Init, open, sync
 */

static bool has_packs(const char *objdir);

/*
 * Add libgit2's pack backend once objects/pack holds a pack: 1 if it was
 * added now, 0 if not (already there, or no pack), <0 on error.  Called at
 * open and again when an object is not found (a pack may have arrived since,
 * from git gc or a restore).  Callers that share odb hold rlock.
 */
static int add_packs(sv_store *s)
{
	git_odb_backend *pack = NULL;
	int error;

	if (s->packs || !has_packs(s->objdir))
		return 0;
	if ((error = git_odb_backend_pack(&pack, s->objdir)) < 0 ||
	    (error = git_odb_add_backend(s->odb, pack, 1)) < 0) {
		if (pack)
			pack->free(pack);
		return sv_git_error(error, "cannot read the store's packs");
	}
	s->packs = true;
	return 1;
}

/* Whether objects/pack holds a pack. */
static bool has_packs(const char *objdir)
{
	char path[4096];
	struct dirent *e;
	DIR *d;
	bool found = false;

	snprintf(path, sizeof(path), "%s/pack", objdir);
	if (!(d = opendir(path)))
		return false;
	while (!found && (e = readdir(d))) {
		size_t n = strlen(e->d_name);

		found = n > 5 && strcmp(e->d_name + n - 5, ".pack") == 0;
	}
	closedir(d);
	return found;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	remove(p);
	return 0;
}

static int fsync_entry(const char *p, const struct stat *sb, int flag,
		       struct FTW *f)
{
	int fd, error;

	(void)sb;
	(void)f;
	if (flag != FTW_F && flag != FTW_D && flag != FTW_DP)
		return 0;
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	error = fsync(fd);
	close(fd);
	return error;
}

/* Flush the new repository at `path`, and its entry in the parent. */
static int init_sync(const char *path)
{
	char *copy;
	int error;

	if (nftw(path, fsync_entry, 16, FTW_PHYS) != 0)
		return sv_error(SCRVAULT_ERROR, "cannot sync '%s': %s", path,
				strerror(errno));
	if (!(copy = sv_strdup(path)))
		return SCRVAULT_ERROR;
	error = fsync_entry(dirname(copy), NULL, FTW_D, NULL);
	free(copy);
	if (error < 0)
		return sv_error(SCRVAULT_ERROR, "cannot sync the parent of '%s': %s",
				path, strerror(errno));
	return 0;
}

/*
 * Create the bare repository: HEAD -> refs/heads/main (unborn), config that
 * keeps real git from recompressing or delta-searching ciphertext, all of it
 * flushed.  Fails if `path` exists; removes what it made if it fails.
 */
/*
 * The store's settings: never gc, no compression or delta search over
 * ciphertext, objects checked on transfer.  libgit2 1.5 reads its big-file
 * threshold for delta search from pack.deltaCacheSize (git reads that key
 * only as a cache size), so it is set too: no delta search when packing for
 * a push.
 */
static int store_configure(git_repository *repo)
{
	git_config *cfg = NULL, *local = NULL;
	int error;

	if ((error = git_repository_config(&cfg, repo)) < 0 ||
	    (error = git_config_open_level(&local, cfg, GIT_CONFIG_LEVEL_LOCAL)) < 0 ||
	    (error = git_config_set_int32(local, "gc.auto", 0)) < 0 ||
	    (error = git_config_set_int32(local, "core.compression", 0)) < 0 ||
	    (error = git_config_set_int32(local, "pack.window", 0)) < 0 ||
	    (error = git_config_set_int32(local, "pack.depth", 0)) < 0 ||
	    (error = git_config_set_int32(local, "pack.deltaCacheSize", 1)) < 0 ||
	    (error = git_config_set_int32(local, "core.bigFileThreshold", 1)) < 0 ||
	    (error = git_config_set_bool(local, "transfer.fsckObjects", 1)) < 0) {
		/* error set */
	}
	git_config_free(local);
	git_config_free(cfg);
	return error;
}

int sv_store_init(const char *path)
{
	git_repository_init_options opts = GIT_REPOSITORY_INIT_OPTIONS_INIT;
	git_repository *repo = NULL;
	bool made = false;
	int error;

	if ((error = sv_git_init()) < 0)
		return error;
	if (!path || !*path)
		return sv_error(SCRVAULT_EUSAGE, "missing store path");
	if (mkdir(path, 0700) < 0) {
		if (errno == EEXIST)
			return sv_error(SCRVAULT_ECONFLICT, "'%s' already exists", path);
		return sv_error(SCRVAULT_ERROR, "cannot create '%s': %s", path,
				strerror(errno));
	}
	made = true;

	opts.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_NO_REINIT;
	opts.initial_head = "main";
	if ((error = git_repository_init_ext(&repo, path, &opts)) < 0) {
		error = sv_git_error(error, "cannot create store '%s'", path);
		goto cleanup;
	}
	if ((error = store_configure(repo)) < 0) {
		error = sv_git_error(error, "cannot configure store '%s'", path);
		goto cleanup;
	}
	error = init_sync(path);

cleanup:
	git_repository_free(repo);
	if (error < 0 && made)
		nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return error;
}

/*
 * Open the bare repository at `path` exactly (no search, no .git) and put
 * our backend in front of libgit2's.
 */
int sv_store_open(sv_store **out, const char *path)
{
	sv_store *s = NULL;
	git_buf objdir = GIT_BUF_INIT;
	sv_backend *be = NULL;
	int error;

	*out = NULL;
	if ((error = sv_git_init()) < 0)
		return error;
	if (!path || !*path)
		return sv_error(SCRVAULT_EUSAGE, "missing store path");
	if (!(s = sv_calloc(1, sizeof(*s))))
		return SCRVAULT_ERROR;
	if (pthread_mutex_init(&s->rlock, NULL) != 0) {
		free(s);
		return sv_error(SCRVAULT_ERROR, "cannot open store '%s': no mutex", path);
	}

	error = git_repository_open_ext(&s->repo, path,
					GIT_REPOSITORY_OPEN_NO_SEARCH |
					GIT_REPOSITORY_OPEN_NO_DOTGIT, NULL);
	if (error == GIT_ENOTFOUND || (!error && !git_repository_is_bare(s->repo))) {
		error = sv_error(SCRVAULT_ENOTFOUND, "no store at '%s'", path);
		goto cleanup;
	}
	if (error < 0) {
		error = sv_git_error(error, "cannot open store '%s'", path);
		goto cleanup;
	}
	/*
	 * Ref updates name the same identity as the commits.  Without one set
	 * here, libgit2 reads it from a snapshot of the git configuration for
	 * every ref it moves, and libgit2 1.5 crashes when that snapshot runs
	 * out of memory.
	 */
	if ((error = git_repository_set_ident(s->repo, "scrvault", "scrvault@localhost")) < 0) {
		error = sv_git_error(error, "cannot open store '%s'", path);
		goto cleanup;
	}
	/*
	 * Our own object database: our backend reads and writes every loose
	 * object (libgit2's loose backend would only add a second existence
	 * probe per object written), and libgit2's pack backend joins only when
	 * the store holds packs (git gc, a restored mirror).  Without packs
	 * there is nothing for it to find, and libgit2 rescans objects/pack on
	 * every object that is not there yet, that is, on every write.
	 */
	if ((error = git_repository_item_path(&objdir, s->repo, GIT_REPOSITORY_ITEM_OBJECTS)) < 0 ||
	    (error = git_odb_new(&s->odb)) < 0) {
		error = sv_git_error(error, "cannot open store '%s'", path);
		goto cleanup;
	}
	if (!(s->objdir = sv_strdup(objdir.ptr))) {
		error = SCRVAULT_ERROR;
		goto cleanup;
	}
	if ((error = add_packs(s)) < 0)
		goto cleanup;
	if ((error = be_new(&be, objdir.ptr)) < 0)
		goto cleanup;
	if ((error = git_odb_add_backend(s->odb, &be->parent,
					 SV_BACKEND_PRIORITY)) < 0) {
		be_free(&be->parent);
		error = sv_git_error(error, "cannot open store '%s'", path);
		goto cleanup;
	}
	s->be = be;
	git_repository_set_odb(s->repo, s->odb);

cleanup:
	git_buf_dispose(&objdir);
	if (error < 0)
		sv_store_free(s);
	else
		*out = s;
	return error;
}

/* Close the store; objects not synced yet are simply no longer tracked. */
void sv_store_free(sv_store *s)
{
	if (!s)
		return;
	git_odb_free(s->odb);
	git_repository_free(s->repo);
	pthread_mutex_destroy(&s->rlock);
	free(s->objdir);
	free(s);
}

static int fsync_at(int dirfd, const char *rel, int flags)
{
	int fd, error;

	if ((fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC | flags)) < 0)
		return -1;
	error = fsync(fd);
	close(fd);
	return error;
}

/*
 * Make every object written (or found present) since the last sync durable,
 * with the directory entries that name them.
 */
int sv_store_sync(sv_store *s)
{
	sv_backend *be = s->be;
	size_t i, n = 0;

	if (be->ndirty == 0)
		return 0;
	qsort(be->dirty, be->ndirty, sizeof(*be->dirty), oid_qsort_cmp);
	for (i = 0; i < be->ndirty; i++)
		if (n == 0 || !git_oid_equal(&be->dirty[n - 1], &be->dirty[i]))
			git_oid_cpy(&be->dirty[n++], &be->dirty[i]);
	be->ndirty = n;

	if (n > SV_SYNC_FSYNC_MAX) {
		if (syncfs(be->objfd) < 0)
			return sv_error(SCRVAULT_ERROR, "cannot sync objects: %s",
					strerror(errno));
	} else {
		char rel[SV_RELPATH_LEN];

		for (i = 0; i < n; i++) {
			oid_relpath(rel, &be->dirty[i]);
			if (fsync_at(be->objfd, rel, 0) < 0)
				return sv_error(SCRVAULT_ERROR, "cannot sync object "
						"'%.2s%s': %s", rel, rel + 3,
						strerror(errno));
		}
		for (i = 0; i < 256; i++) {
			if (!(be->dirtydirs[i >> 3] & (1u << (i & 7))))
				continue;
			snprintf(rel, sizeof(rel), "%02zx", i);
			if (fsync_at(be->objfd, rel, O_DIRECTORY) < 0)
				return sv_error(SCRVAULT_ERROR, "cannot sync objects/%s: %s",
						rel, strerror(errno));
		}
		/* the fan-out directories may be new (ours or another's) */
		if (fsync(be->objfd) < 0)
			return sv_error(SCRVAULT_ERROR, "cannot sync objects: %s",
					strerror(errno));
	}
	be->ndirty = 0;
	memset(be->dirtydirs, 0, sizeof(be->dirtydirs));
	return 0;
}

/*
 * Blob streams
 */

/*
 * Blob streams do not go through git_odb_open_wstream: libgit2 would hash
 * every byte with its collision-detecting SHA-1 (sha1dc), which runs at
 * about a fifth of the speed of OpenSSL's and capped blob writes at some
 * 120 MB/s.  Instead the stream writes the loose object itself with the
 * backend's writer (same temp file, stored blocks, adler32, mode, rename
 * without replacing and sync bookkeeping as be_write) and hashes
 * "blob <size>\0" + data with plain SHA-1 (sv_sha1, OpenSSL) as it goes.
 *
 * Collision detection buys nothing here.  It guards against someone who
 * chooses colliding inputs (a SHAttered-style pair) to make two contents
 * share an id.  The bytes hashed are ciphertext that the vault has just
 * produced under a fresh random key (and header and tags bound to it), so
 * nobody can choose them, and an accidental SHA-1 collision is out of
 * reach.  And whoever reads the objects back still checks: git fsck and
 * libgit2 (strict hash verification is on) hash with sha1dc, and
 * sv_store_blob_get checks the id.
 *
 * The blob is placed as the backend places any object: if it is already
 * there (loose), the temp file goes and the existing one is queued for the
 * next sync.  Unlike libgit2's stream, this does not look in packs first: a
 * blob that is packed already (only real git packs, and fresh ciphertext
 * never repeats) gets a redundant loose copy, which git accepts.
 */

/* Start a blob of exactly `size` bytes. */
int sv_store_blob_open(sv_store_wstream **out, sv_store *s, uint64_t size)
{
	sv_store_wstream *w;
	int error;

	*out = NULL;
	if (!(w = sv_calloc(1, sizeof(*w))))
		return SCRVAULT_ERROR;
	w->w.fd = -1;			/* nothing to discard yet */
	w->size = size;
	if ((error = sv_sha1_new(&w->sha)) < 0 ||
	    (error = lw_open(&w->w, s->be, GIT_OBJECT_BLOB, size, w->sha)) < 0) {
		sv_store_wstream_free(w);
		return error;
	}
	*out = w;
	return 0;
}

/* Add bytes; more than the declared size fails and spoils the stream. */
int sv_store_blob_write(sv_store_wstream *w, const void *buf, size_t len)
{
	int error;

	if (w->state != 0)
		return sv_error(SCRVAULT_EUSAGE, "blob stream is %s",
				w->state > 0 ? "finished" : "failed");
	if (len > w->size - w->done) {
		w->state = SCRVAULT_EUSAGE;
		return sv_error(SCRVAULT_EUSAGE, "blob stream given more than its %"
				PRIu64 " bytes", w->size);
	}
	if (len == 0)
		return 0;
	if ((error = lw_put(&w->w, buf, len)) < 0) {
		w->state = error;
		return error;
	}
	w->done += len;
	return 0;
}

/*
 * Check the size, place the object and give its id.  The stream must still
 * be freed with sv_store_wstream_free.
 */
int sv_store_blob_finish(char oid[SV_OID_HEXLEN + 1], sv_store_wstream *w)
{
	unsigned char digest[SV_SHA1_LEN];
	git_oid id;
	int error;

	if (w->state != 0)
		return sv_error(SCRVAULT_EUSAGE, "blob stream is %s",
				w->state > 0 ? "finished" : "failed");
	if (w->done != w->size) {
		w->state = SCRVAULT_EUSAGE;
		return sv_error(SCRVAULT_EUSAGE, "blob stream got %" PRIu64 " of its %"
				PRIu64 " bytes", w->done, w->size);
	}
	if ((error = sv_sha1_final(w->sha, digest)) < 0)
		goto fail;
	if (git_oid_fromraw(&id, digest) < 0) {
		error = sv_git_error(GIT_ERROR, "cannot write blob");
		goto fail;
	}
	if ((error = lw_finish(&w->w, &id)) < 0)
		goto fail;
	w->state = 1;
	oid_hex(oid, &id);
	return 0;

fail:
	w->state = error;
	return error;
}

/* Free a stream; an unfinished one leaves no object (its temp file goes). */
void sv_store_wstream_free(sv_store_wstream *w)
{
	if (!w)
		return;
	lw_discard(&w->w);
	sv_sha1_free(w->sha);
	free(w);
}

/* Write a small blob in one call (through our backend's write). */
int sv_store_blob_put(char oid[SV_OID_HEXLEN + 1], sv_store *s,
		      const void *buf, size_t len)
{
	git_oid id;
	int error;

	if ((error = git_odb_write(&id, s->odb, buf, len, GIT_OBJECT_BLOB)) < 0)
		return sv_git_error(error, "cannot write blob");
	oid_hex(oid, &id);
	return 0;
}

/*
 * Open a blob for streaming: a loose one is read piece by piece, its stored
 * blocks copied out directly or, if it is compressed, inflated (no SHA-1
 * check; the adler32 and the size are checked at the end); any other is read
 * whole by libgit2, which checks its SHA-1.
 *
 * Several threads may read blobs of one store at once, each with its own
 * stream, while nothing writes to the store: a loose object is read through
 * its own file descriptor (openat on the objects/ directory), the error
 * message is per thread, and libgit2's object database, which the other
 * objects come from, is only used under s->rlock.
 */
int sv_store_blob_reader(sv_store_rstream **out, uint64_t *size, sv_store *s,
			 const char *oid)
{
	sv_store_rstream *r;
	git_oid id;
	int error;

	*out = NULL;
	if ((error = parse_oid(&id, oid)) < 0)
		return error;
	if (!(r = sv_calloc(1, sizeof(*r))))
		return SCRVAULT_ERROR;

	error = lr_open(&r->lr, s->be->objfd, &id, true);
	if (error == 0) {
		r->loose = true;
		if (r->lr.type != GIT_OBJECT_BLOB) {
			error = sv_error(SCRVAULT_EINTEGRITY, "object '%s' is not a blob",
					 oid);
			goto fail;
		}
		r->size = r->lr.size;
	} else if (error == SCRVAULT_ENOTFOUND) {
		pthread_mutex_lock(&s->rlock);
		error = git_odb_read(&r->obj, s->odb, &id);
		if (error == GIT_ENOTFOUND && add_packs(s) == 1)
			error = git_odb_read(&r->obj, s->odb, &id);
		if (error < 0) {
			r->obj = NULL;
			if (error == GIT_ENOTFOUND)
				error = sv_error(SCRVAULT_ENOTFOUND, "no blob '%s'", oid);
			else
				error = sv_git_error(error, "cannot read blob '%s'", oid);
		}
		pthread_mutex_unlock(&s->rlock);
		if (error < 0)
			goto fail;
		r->s = s;
		if (git_odb_object_type(r->obj) != GIT_OBJECT_BLOB) {
			error = sv_error(SCRVAULT_EINTEGRITY, "object '%s' is not a blob",
					 oid);
			goto fail;
		}
		r->size = git_odb_object_size(r->obj);
	} else {
		goto fail;
	}
	*size = r->size;
	*out = r;
	return 0;

fail:
	sv_store_rstream_free(r);
	return error;
}

/* Up to `len` bytes of the blob; 0 at its (verified) end; <0 on error. */
long sv_store_blob_read(sv_store_rstream *r, void *buf, size_t len)
{
	size_t n;

	if (r->loose)
		return lr_read(&r->lr, buf, len);
	if (len > LONG_MAX)
		len = LONG_MAX;
	n = r->size - r->off < len ? (size_t)(r->size - r->off) : len;
	memcpy(buf, (const unsigned char *)git_odb_object_data(r->obj) + r->off, n);
	r->off += n;
	return (long)n;
}

void sv_store_rstream_free(sv_store_rstream *r)
{
	if (!r)
		return;
	if (r->loose)
		lr_close(&r->lr);
	if (r->obj) {
		pthread_mutex_lock(&r->s->rlock);
		git_odb_object_free(r->obj);
		pthread_mutex_unlock(&r->s->rlock);
	}
	free(r);
}

/*
 * Read a blob of at most `max` bytes whole and check its SHA-1 against its
 * id.  The caller frees *out.
 */
int sv_store_blob_get(unsigned char **out, size_t *len, sv_store *s,
		      const char *oid, size_t max)
{
	sv_store_rstream *r = NULL;
	unsigned char *buf = NULL;
	uint64_t size;
	size_t got = 0;
	git_oid id, hashed;
	long n;
	int error;

	*out = NULL;
	*len = 0;
	if ((error = sv_store_blob_reader(&r, &size, s, oid)) < 0)
		return error;
	if (size > max) {
		error = sv_error(SCRVAULT_EINTEGRITY, "blob '%s' is larger than %zu "
				 "bytes", oid, max);
		goto cleanup;
	}
	if (!(buf = sv_malloc((size_t)size))) {
		error = SCRVAULT_ERROR;
		goto cleanup;
	}
	while ((n = sv_store_blob_read(r, buf + got, (size_t)size - got)) > 0)
		got += (size_t)n;
	if (n < 0) {
		error = (int)n;
		goto cleanup;
	}
	git_oid_fromstr(&id, oid);
	if (got != size ||
	    (error = git_odb_hash(&hashed, buf, got, GIT_OBJECT_BLOB)) < 0 ||
	    !git_oid_equal(&id, &hashed)) {
		error = sv_error(SCRVAULT_EINTEGRITY, "blob '%s' does not match its id",
				 oid);
		goto cleanup;
	}
	*out = buf;
	*len = got;
	buf = NULL;

cleanup:
	free(buf);
	sv_store_rstream_free(r);
	return error;
}

/*
 * Commits and refs
 */

/* Look up a commit by hex id: SCRVAULT_EUSAGE, SCRVAULT_ENOTFOUND, ... */
static int lookup_commit(git_commit **out, sv_store *s, const char *hex)
{
	git_oid id;
	int error;

	*out = NULL;
	if ((error = parse_oid(&id, hex)) < 0)
		return error;
	error = git_commit_lookup(out, s->repo, &id);
	if (error == GIT_ENOTFOUND && add_packs(s) == 1)
		error = git_commit_lookup(out, s->repo, &id);
	if (error < 0) {
		*out = NULL;
		if (error == GIT_ENOTFOUND)
			return sv_error(SCRVAULT_ENOTFOUND, "no commit '%s'", hex);
		return sv_git_error(error, "cannot read commit '%s'", hex);
	}
	return 0;
}

/*
 * New commit: the tree of `parent` (or the empty tree) with `updates`
 * applied by git_tree_create_updated, which rewrites only the trees on the
 * changed paths and drops trees left empty.  No ref moves.
 */
int sv_store_commit(char out[SV_OID_HEXLEN + 1], sv_store *s, const char *parent,
		    const sv_store_update *updates, size_t n, const char *message,
		    int64_t when)
{
	return sv_store_commit_on(out, s, parent, parent, updates, n, message, when);
}

int sv_store_commit_on(char out[SV_OID_HEXLEN + 1], sv_store *s, const char *parent,
		       const char *base_commit, const sv_store_update *updates, size_t n,
		       const char *message, int64_t when)
{
	git_commit *pc = NULL, *bc = NULL;
	git_tree *base = NULL, *tree = NULL;
	git_tree_update *tu = NULL;
	git_signature *sig = NULL;
	const git_commit *parents[1];
	git_oid tree_id, id;
	size_t i;
	int error;

	if (!message || (n > 0 && !updates))
		return sv_error(SCRVAULT_EUSAGE, "missing commit message or updates");
	if (!(tu = sv_calloc(n, sizeof(*tu))))
		return SCRVAULT_ERROR;
	for (i = 0; i < n; i++) {
		if ((error = check_path(updates[i].path)) < 0)
			goto cleanup;
		tu[i].path = updates[i].path;
		if (updates[i].blob) {
			if ((error = parse_oid(&tu[i].id, updates[i].blob)) < 0)
				goto cleanup;
			tu[i].action = GIT_TREE_UPDATE_UPSERT;
			tu[i].filemode = GIT_FILEMODE_BLOB;
		} else {
			tu[i].action = GIT_TREE_UPDATE_REMOVE;
		}
	}

	if (parent && (error = lookup_commit(&pc, s, parent)) < 0)
		goto cleanup;
	if (base_commit) {
		if ((error = lookup_commit(&bc, s, base_commit)) < 0)
			goto cleanup;
		if ((error = git_commit_tree(&base, bc)) < 0) {
			error = sv_git_error(error, "cannot read the tree of '%s'", base_commit);
			goto cleanup;
		}
	}

	if ((error = git_tree_create_updated(&tree_id, s->repo, base, n, tu)) < 0) {
		error = sv_git_error(error, "cannot update tree");
		/* name what is missing rather than pass on libgit2's -1 */
		for (i = 0; i < n; i++) {
			git_tree_entry *e = NULL;

			if (tu[i].action == GIT_TREE_UPDATE_UPSERT &&
			    !git_odb_exists(s->odb, &tu[i].id)) {
				error = sv_error(SCRVAULT_ENOTFOUND, "no blob '%s'",
						 updates[i].blob);
				break;
			}
			if (tu[i].action == GIT_TREE_UPDATE_REMOVE &&
			    (!base || git_tree_entry_bypath(&e, base, tu[i].path) < 0)) {
				error = sv_error(SCRVAULT_ENOTFOUND, "no '%s' to remove",
						 tu[i].path);
				break;
			}
			git_tree_entry_free(e);
		}
		goto cleanup;
	}
	if ((error = git_tree_lookup(&tree, s->repo, &tree_id)) < 0 ||
	    (error = git_signature_new(&sig, "scrvault", "scrvault@localhost",
				       (git_time_t)when, 0)) < 0) {
		error = sv_git_error(error, "cannot make commit");
		goto cleanup;
	}
	parents[0] = pc;
	if ((error = git_commit_create(&id, s->repo, NULL, sig, sig, NULL, message,
				       tree, pc ? 1 : 0, parents)) < 0) {
		error = sv_git_error(error, "cannot make commit");
		goto cleanup;
	}
	oid_hex(out, &id);

cleanup:
	git_signature_free(sig);
	git_tree_free(tree);
	git_tree_free(base);
	git_commit_free(pc);
	git_commit_free(bc);
	free(tu);
	return error;
}

/*
 * Point refs/heads/main at `commit`.  Pending objects are synced first, so
 * the ref never names an object that a crash could lose; libgit2 then
 * fsyncs the ref (GIT_OPT_ENABLE_FSYNC_GITDIR).
 */
int sv_store_set_head(sv_store *s, const char *commit)
{
	git_commit *c = NULL;
	git_reference *ref = NULL;
	int error;

	if ((error = lookup_commit(&c, s, commit)) < 0)
		return error;
	if ((error = sv_store_sync(s)) < 0)
		goto cleanup;
	if ((error = git_reference_create(&ref, s->repo, "refs/heads/main",
					  git_commit_id(c), 1, NULL)) < 0)
		error = sv_git_error(error, "cannot set head to '%s'", commit);

cleanup:
	git_reference_free(ref);
	git_commit_free(c);
	return error;
}

/* refs/heads/main, or SCRVAULT_ENOTFOUND while it is unborn. */
int sv_store_head(char out[SV_OID_HEXLEN + 1], sv_store *s)
{
	git_oid id;
	int error;

	if ((error = git_reference_name_to_id(&id, s->repo, "refs/heads/main")) < 0) {
		if (error == GIT_ENOTFOUND)
			return sv_error(SCRVAULT_ENOTFOUND, "no head yet");
		return sv_git_error(error, "cannot read head");
	}
	oid_hex(out, &id);
	return 0;
}

/* The blob at `path` in `commit`'s tree; SCRVAULT_ENOTFOUND if none. */
int sv_store_lookup(char out[SV_OID_HEXLEN + 1], sv_store *s, const char *commit,
		    const char *path)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	int error;

	if ((error = check_path(path)) < 0 ||
	    (error = lookup_commit(&c, s, commit)) < 0)
		return error;
	if ((error = git_commit_tree(&tree, c)) < 0) {
		error = sv_git_error(error, "cannot read the tree of '%s'", commit);
		goto cleanup;
	}
	if ((error = git_tree_entry_bypath(&e, tree, path)) < 0) {
		e = NULL;
		if (error == GIT_ENOTFOUND)
			error = sv_error(SCRVAULT_ENOTFOUND, "no '%s' in commit '%s'",
					 path, commit);
		else
			error = sv_git_error(error, "cannot look up '%s'", path);
		goto cleanup;
	}
	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB) {
		error = sv_error(SCRVAULT_ENOTFOUND, "'%s' in commit '%s' is not a blob",
				 path, commit);
		goto cleanup;
	}
	oid_hex(out, git_tree_entry_id(e));

cleanup:
	git_tree_entry_free(e);
	git_tree_free(tree);
	git_commit_free(c);
	return error;
}

/* 1 if `ancestor` is `commit` or one of its ancestors, 0 if not. */
int sv_store_descends(sv_store *s, const char *commit, const char *ancestor)
{
	git_commit *c = NULL, *a = NULL;
	int error;

	if ((error = lookup_commit(&c, s, commit)) < 0 ||
	    (error = lookup_commit(&a, s, ancestor)) < 0)
		goto cleanup;
	if (git_oid_equal(git_commit_id(c), git_commit_id(a))) {
		error = 1;
		goto cleanup;
	}
	if ((error = git_graph_descendant_of(s->repo, git_commit_id(c),
					     git_commit_id(a))) < 0)
		error = sv_git_error(error, "cannot walk from '%s'", commit);

cleanup:
	git_commit_free(a);
	git_commit_free(c);
	return error;
}

/* The first (only) parent; SCRVAULT_ENOTFOUND for a root commit. */
int sv_store_parent(char out[SV_OID_HEXLEN + 1], sv_store *s, const char *commit)
{
	git_commit *c = NULL;
	int error;

	if ((error = lookup_commit(&c, s, commit)) < 0)
		return error;
	if (git_commit_parentcount(c) == 0)
		error = sv_error(SCRVAULT_ENOTFOUND, "commit '%s' has no parent", commit);
	else
		oid_hex(out, git_commit_parent_id(c, 0));
	git_commit_free(c);
	return error;
}

/*
 * An annotated tag object on `commit` carrying `message`, and the ref `ref`
 * pointed at it (the object synced first, the ref fsynced by libgit2).  One
 * object and one ref: the cheapest durable record the store can carry.
 */
int sv_store_tag_set(sv_store *s, const char *ref, const char *commit,
		     const char *message, int64_t when)
{
	git_commit *c = NULL;
	git_signature *sig = NULL;
	git_reference *r = NULL;
	git_oid id;
	int error;

	if ((error = lookup_commit(&c, s, commit)) < 0)
		return error;
	if ((error = git_signature_new(&sig, "scrvault", "scrvault@localhost",
				       (git_time_t)when, 0)) < 0 ||
	    (error = git_tag_annotation_create(&id, s->repo, "audit-checkpoint",
					       (const git_object *)c, sig, message)) < 0) {
		error = sv_git_error(error, "cannot make tag");
		goto cleanup;
	}
	if ((error = sv_store_sync(s)) < 0)
		goto cleanup;
	if ((error = git_reference_create(&r, s->repo, ref, &id, 1, NULL)) < 0)
		error = sv_git_error(error, "cannot set '%s'", ref);

cleanup:
	git_reference_free(r);
	git_signature_free(sig);
	git_commit_free(c);
	return error;
}

/* The message of the tag `ref` names; SCRVAULT_ENOTFOUND if there is no ref. */
int sv_store_tag_get(char **message, sv_store *s, const char *ref)
{
	git_tag *t = NULL;
	git_oid id;
	int error;

	*message = NULL;
	if ((error = git_reference_name_to_id(&id, s->repo, ref)) < 0) {
		if (error == GIT_ENOTFOUND)
			return sv_error(SCRVAULT_ENOTFOUND, "no '%s' in the store", ref);
		return sv_git_error(error, "cannot read '%s'", ref);
	}
	if ((error = git_tag_lookup(&t, s->repo, &id)) < 0)
		return sv_error(SCRVAULT_EINTEGRITY, "'%s' does not name a readable tag", ref);
	if (!(*message = sv_strdup(git_tag_message(t) ? git_tag_message(t) : "")))
		error = SCRVAULT_ERROR;
	git_tag_free(t);
	return error;
}

/*
 * Policy files are git-config text: libgit2's parser reads them (there is
 * no second parser).  Entries come back in file order, names as libgit2
 * gives them ("section.subsection.key", section and key lower-cased).
 */
void sv_conf_free(sv_conf_entry *e, size_t n)
{
	for (size_t i = 0; e && i < n; i++) {
		free(e[i].name);
		free(e[i].value);
	}
	free(e);
}

int sv_conf_read(sv_conf_entry **out, size_t *n, const char *path)
{
	git_config *cfg = NULL;
	git_config_iterator *it = NULL;
	git_config_entry *entry;
	sv_conf_entry *list = NULL;
	size_t count = 0;
	int error;

	*out = NULL;
	*n = 0;
	if ((error = sv_git_init()) < 0)
		return error;
	if ((error = git_config_open_ondisk(&cfg, path)) < 0) {
		const git_error *e = git_error_last();

		return sv_error(SCRVAULT_EUSAGE, "%s", e && e->message ? e->message : "the file does not parse");
	}
	if ((error = git_config_iterator_new(&it, cfg)) < 0) {
		error = sv_git_error(error, "cannot read the configuration");
		goto done;
	}
	while ((error = git_config_next(&entry, it)) == 0) {
		sv_conf_entry *grown = sv_realloc(list, (count + 1) * sizeof(*list));

		if (!grown) {
			error = SCRVAULT_ERROR;
			goto done;
		}
		list = grown;
		list[count].name = sv_strdup(entry->name);
		list[count].value = entry->value ? sv_strdup(entry->value) : NULL;
		count++;
		if (!list[count - 1].name || (entry->value && !list[count - 1].value)) {
			error = SCRVAULT_ERROR;
			goto done;
		}
	}
	if (error != GIT_ITEROVER) {
		error = sv_git_error(error, "cannot read the configuration");
		goto done;
	}
	error = 0;
	*out = list;
	*n = count;
	list = NULL;
	count = 0;
done:
	sv_conf_free(list, count);
	git_config_iterator_free(it);
	git_config_free(cfg);
	return error;
}

/* ---- mirrors ------------------------------------------------------------------ */

typedef struct {
	char *why;
	size_t whylen;
	int tries;		/* credential requests answered */
} push_report;

/*
 * Credentials for an ssh mirror, offered once (libgit2 asks again after a
 * refusal; the second time it gets none and the push fails unauthenticated):
 * the private key file $SCRVAULT_SSH_KEY names (a job's key, without a
 * passphrase, readable only by the job's account), else the key the user's
 * ssh agent holds.  A password is never taken from the URL (mirror add
 * refuses one) nor asked for.
 */
static int cred_cb(git_credential **out, const char *url, const char *user, unsigned int allowed, void *payload)
{
	const char *keyfile = secure_getenv("SCRVAULT_SSH_KEY");
	int *tries = payload;

	(void)url;
	if (!(allowed & GIT_CREDENTIAL_SSH_KEY) || (*tries)++ > 0)
		return GIT_PASSTHROUGH;
	if (!user || !*user)
		user = "git";
	if (keyfile && *keyfile)
		return git_credential_ssh_key_new(out, user, NULL, keyfile, NULL);
	return git_credential_ssh_key_from_agent(out, user);
}

static int push_cred_cb(git_credential **out, const char *url, const char *user, unsigned int allowed,
			void *payload)
{
	return cred_cb(out, url, user, allowed, &((push_report *)payload)->tries);
}

static int push_ref_cb(const char *refname, const char *status, void *payload)
{
	push_report *r = payload;

	if (status && !r->why[0])
		snprintf(r->why, r->whylen, "the mirror refused %s: %s", refname, status);
	return 0;
}

int sv_store_push(sv_store *s, const char *url, char *why, size_t whylen)
{
	/* The store only moves forward; the checkpoint tag is replaced each time. */
	char *specs[] = { "refs/heads/main:refs/heads/main", "+refs/audit/checkpoint:refs/audit/checkpoint" };
	git_strarray refspecs = { specs, 2 };
	git_push_options opts = GIT_PUSH_OPTIONS_INIT;
	git_remote *remote = NULL;
	git_reference *ref = NULL;
	push_report r = { why, whylen };
	int error;

	why[0] = '\0';
	/* Stores made before the setting existed: no delta search over ciphertext. */
	{
		git_config *cfg = NULL, *local = NULL;

		if (git_repository_config(&cfg, s->repo) == 0 &&
		    git_config_open_level(&local, cfg, GIT_CONFIG_LEVEL_LOCAL) == 0)
			(void)git_config_set_int32(local, "pack.deltaCacheSize", 1);
		git_config_free(local);
		git_config_free(cfg);
	}
	if (git_reference_lookup(&ref, s->repo, "refs/audit/checkpoint") < 0)
		refspecs.count = 1;	/* no checkpoint yet */
	git_reference_free(ref);
	opts.callbacks.push_update_reference = push_ref_cb;
	opts.callbacks.credentials = push_cred_cb;
	opts.callbacks.payload = &r;
	if ((error = git_remote_create_anonymous(&remote, s->repo, url)) < 0) {
		error = sv_git_error(error, "'%s' is not a usable git remote", url);
		goto done;
	}
	if ((error = git_remote_push(remote, &refspecs, &opts)) < 0) {
		if (error == GIT_ENONFASTFORWARD)	/* SCRVAULT_ECONFLICT */
			error = sv_git_error(error, "pushing to '%s' refused: its main is not an ancestor of this "
					     "store's (non-fast-forward)", url);
		else
			error = sv_git_error(error, "pushing to '%s' failed", url);
		goto done;
	}
	if (why[0])
		error = sv_error(SCRVAULT_ECONFLICT, "%s", why);
done:
	git_remote_free(remote);
	return error;
}

int sv_store_clone(const char *url, const char *path)
{
	git_clone_options opts = GIT_CLONE_OPTIONS_INIT;
	git_fetch_options fetch = GIT_FETCH_OPTIONS_INIT;
	git_repository *repo = NULL;
	git_remote *remote = NULL;
	char *specs[] = { "+refs/audit/checkpoint:refs/audit/checkpoint" };
	git_strarray refspecs = { specs, 1 };
	int error, tries = 0, tries2 = 0;

	if ((error = sv_git_init()) < 0)
		return error;
	opts.bare = 1;
	/* A mirror on a local disk: copy its packs (never hard links, so the
	 * restored store shares no file with the mirror) instead of packing anew. */
	opts.local = GIT_CLONE_LOCAL_NO_LINKS;
	opts.fetch_opts.callbacks.credentials = cred_cb;
	opts.fetch_opts.callbacks.payload = &tries;
	fetch.callbacks.credentials = cred_cb;
	fetch.callbacks.payload = &tries2;
	if ((error = git_clone(&repo, url, path, &opts)) < 0)
		return sv_git_error(error, "cannot clone the mirror '%s'", url);
	/* The checkpoint tag is outside refs/tags: fetch it by name (it may be absent). */
	if (git_remote_lookup(&remote, repo, "origin") == 0)
		(void)git_remote_fetch(remote, &refspecs, &fetch, NULL);
	git_remote_free(remote);
	/* A bare clone keeps the mirror's branch as origin/main (the mirror's
	 * HEAD may name another branch): make it the store's main. */
	{
		git_reference *src = NULL, *dst = NULL;

		if ((error = git_reference_lookup(&src, repo, "refs/remotes/origin/main")) < 0 &&
		    (error = git_reference_lookup(&src, repo, "refs/heads/main")) < 0) {
			git_repository_free(repo);
			return sv_git_error(error, "the mirror '%s' has no branch main: it holds no scrvault store", url);
		}
		error = git_reference_create(&dst, repo, "refs/heads/main", git_reference_target(src), 1,
					     "restore from mirror");
		git_reference_free(src);
		git_reference_free(dst);
		if (error < 0 || (error = git_repository_set_head(repo, "refs/heads/main")) < 0) {
			git_repository_free(repo);
			return sv_git_error(error, "cannot set up the restored store");
		}
		if (git_reference_lookup(&src, repo, "refs/remotes/origin/main") == 0) {
			git_reference_delete(src);
			git_reference_free(src);
		}
	}
	/* The same settings as a store made by sv_store_init. */
	if ((error = store_configure(repo)) < 0)
		error = sv_git_error(error, "cannot configure the restored store '%s'", path);
	git_repository_free(repo);
	return error < 0 ? error : init_sync(path);
}

int sv_store_walk(sv_store *s, const char *from, const char *to,
		  int (*fn)(void *ctx, const char *commit, const char *message, int64_t when), void *ctx)
{
	git_revwalk *w = NULL;
	git_oid id, stop;
	int error;

	if ((error = git_revwalk_new(&w, s->repo)) < 0 || (error = parse_oid(&id, to)) < 0)
		goto done;
	git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	if ((error = git_revwalk_push(w, &id)) < 0)
		goto done;
	if (from && *from) {
		if ((error = parse_oid(&stop, from)) < 0 || (error = git_revwalk_hide(w, &stop)) < 0)
			goto done;
	}
	while ((error = git_revwalk_next(&id, w)) == 0) {
		git_commit *c = NULL;
		char hex[SV_OID_HEXLEN + 1];

		if ((error = git_commit_lookup(&c, s->repo, &id)) < 0)
			break;
		oid_hex(hex, &id);
		error = fn(ctx, hex, git_commit_message(c), (int64_t)git_commit_time(c));
		git_commit_free(c);
		if (error < 0)
			break;
	}
	if (error == GIT_ITEROVER)
		error = 0;
done:
	if (error < 0 && error > -100)
		error = sv_git_error(error, "cannot walk the store's history");
	git_revwalk_free(w);
	return error;
}
