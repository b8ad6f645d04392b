/*
 * loose.c - the git loose-object format: writing and reading one object
 * file, see loose.h.
 *
 * This file knows the bytes of one loose object (a zlib stream of
 * "<type> <size>\0<data>") and nothing else of git.  It must never include
 * <git2.h>; never decide where an object goes, rename one into place, fsync
 * one or remember it for a sync (storage/odb.c does all of that); never hold
 * more of an object in memory than its bounded buffers; never return the
 * end of an object before its checksum, its size and the end of its file
 * were verified; and never put anything but ids and reasons into an error
 * message.
 *
 * The writer makes a zlib stream by hand: header 78 01, stored blocks of at
 * most 65535 bytes, the adler32 of the uncompressed bytes.  Its output is
 * gathered in a buffer of 16 full blocks, so each write(2) is about 1 MiB,
 * and where the blocks end depends only on the object's size, never on the
 * sizes of the puts: the same object is always the same file.  Large
 * objects have their writeback started while they are written
 * (sync_file_range, no durability implied), so that a later sync has
 * little to wait for.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "storage/loose.h"
#include "crypto/crypto.h"
#include "base/common.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

#define SV_ADLER_SSSE3 1
#include <tmmintrin.h>

#endif

/* Largest stored deflate block, and the bytes of its header. */
#define SV_BLOCK_MAX 65535
#define SV_BLOCK_HDR 5

/* Output buffer of an object being written: 16 full stored blocks. */
#define SV_WBUF (16 * (SV_BLOCK_MAX + SV_BLOCK_HDR))

/*
 * Start writeback of a large object's file every so many bytes, so that the
 * disk works while the rest is hashed and the sync has little left.
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

/* An object being written to a temp file. */
struct sv_loose_writer {
	int dirfd;			/* the directory it is written in (not owned) */
	sv_sha1_ctx *sha;		/* with SV_LOOSE_HASH: of what is put */
	int fd;
	char tmp[SV_LOOSE_TMPNAME];	/* temp name in dirfd, "" once gone */
	unsigned char *buf;
	size_t cap, len;
	size_t blk;			/* offset of the open block, or SIZE_MAX */
	size_t blklen;
	uint64_t total;			/* header + data bytes of the object */
	uint64_t done;			/* those taken so far */
	uint64_t written;		/* bytes written to the file */
	uint64_t kicked;		/* writeback started up to here */
	uLong adler;
	int state;			/* 0 open, 1 finished, <0 failed */
};

/*
 * An object being read.  It starts in direct mode: the stored blocks our
 * writer makes are copied out of the file as they are, and their adler32
 * checked here.  At the first thing that is not exactly that (a compressed
 * block, a bad length, a bad checksum, a short file...) it starts again
 * from the top in zlib mode, which reads anything zlib reads and reports
 * what is wrong, and drops the bytes already delivered.  The input buffer
 * is allocated with the struct, right after it.
 */
struct sv_loose_reader {
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
	char hex[SV_LOOSE_HEXLEN + 1];
	sv_loose_type type;
	uint64_t size;			/* data size from the header */
	uint64_t left;			/* data bytes not yet delivered */
	unsigned char hdr[64];		/* header, then the first data bytes */
	size_t hoff, hlen;		/* data bytes left in hdr */
};

/*
 * Small helpers
 */

static const struct {
	const char *name;
	sv_loose_type type;
} sv_loose_types[] = {
	{ "blob", SV_LOOSE_BLOB }, { "tree", SV_LOOSE_TREE },
	{ "commit", SV_LOOSE_COMMIT }, { "tag", SV_LOOSE_TAG },
};

/* The header name of `type`, or NULL if it is not one of the four. */
static const char *type_name(sv_loose_type type)
{
	size_t i;

	for (i = 0; i < SV_ARRAY_SIZE(sv_loose_types); i++)
		if (sv_loose_types[i].type == type)
			return sv_loose_types[i].name;
	return NULL;
}

static int type_from_name(sv_loose_type *out, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < SV_ARRAY_SIZE(sv_loose_types); i++) {
		if (strlen(sv_loose_types[i].name) == len &&
		    !memcmp(sv_loose_types[i].name, name, len)) {
			*out = sv_loose_types[i].type;
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
 * Temporary names
 */

void sv_loose_tmpnames_init(sv_loose_tmpnames *t)
{
	t->seq = 0;
	if (getrandom(&t->salt, sizeof(t->salt), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(t->salt))
		t->salt = ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)t;
}

/*
 * Writing: a zlib stream (header 78 01, stored blocks, adler32 of the
 * uncompressed bytes) written through a bounded buffer.
 */

/*
 * `n` more bytes are in the file.  Once SV_WRITEOUT of them have gathered,
 * ask the kernel to start writing them out (SYNC_FILE_RANGE_WRITE does not
 * wait for the disk and makes nothing durable: that is still the job of the
 * object database's sync).  So only objects over SV_WRITEOUT are concerned.
 * A failure is ignored: it is only a hint, and the fsync at the sync
 * reports real I/O errors.
 */
static void lw_wrote(sv_loose_writer *w, size_t n)
{
	w->written += n;
	if (w->written - w->kicked >= SV_WRITEOUT) {
		sync_file_range(w->fd, (off_t)w->kicked,
				(off_t)(w->written - w->kicked), SYNC_FILE_RANGE_WRITE);
		w->kicked = w->written;
	}
}

static int lw_flush(sv_loose_writer *w)
{
	if (write_all(w->fd, w->buf, w->len) < 0)
		return sv_error(SCRVAULT_ERROR, "cannot write object: %s",
				strerror(errno));
	lw_wrote(w, w->len);
	w->len = 0;
	return 0;
}

static void lw_close_block(sv_loose_writer *w)
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

/* Add `n` bytes of the uncompressed object (header or data). */
static int lw_put(sv_loose_writer *w, const void *data, size_t n)
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

/* A writer that failed or finished takes nothing more. */
static int lw_usable(const sv_loose_writer *w)
{
	if (w->state != 0)
		return sv_error(SCRVAULT_EUSAGE, "object is %s",
				w->state > 0 ? "finished" : "failed");
	return 0;
}

/* Header, buffer, hash and temp file; the zlib and object headers put. */
int sv_loose_writer_open(sv_loose_writer **out, int dirfd, sv_loose_tmpnames *names,
			 sv_loose_type type, uint64_t size, unsigned int flags)
{
	sv_loose_writer *w = NULL;
	const char *tname;
	char hdr[64];
	int hlen, tries, error = 0;

	*out = NULL;
	if (!(tname = type_name(type)))
		return sv_error(SCRVAULT_ERROR, "cannot write object of type %d", (int)type);
	hlen = snprintf(hdr, sizeof(hdr), "%s %" PRIu64, tname, size) + 1;
	if (size > UINT64_MAX - (uint64_t)hlen)
		return sv_error(SCRVAULT_EUSAGE, "object too large");
	if (!(w = sv_calloc(1, sizeof(*w))))
		return SCRVAULT_ERROR;
	w->dirfd = dirfd;
	w->fd = -1;
	w->blk = SIZE_MAX;
	w->total = (uint64_t)hlen + size;

	w->cap = SV_WBUF;
	if (w->total < SV_WBUF)	/* room for all blocks, zlib header and trailer */
		w->cap = (size_t)w->total +
			 SV_BLOCK_HDR * ((size_t)w->total / SV_BLOCK_MAX + 1) + 16;
	if (!(w->buf = sv_malloc(w->cap))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((flags & SV_LOOSE_HASH) && (error = sv_sha1_new(&w->sha)) < 0)
		goto done;

	for (tries = 0; w->fd < 0; tries++) {
		uint64_t r = names->salt ^ (++names->seq * 0x9e3779b97f4a7c15ULL);

		snprintf(w->tmp, sizeof(w->tmp), "tmp_obj_%016" PRIx64, r);
		w->fd = openat(dirfd, w->tmp,
			       O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
		if (w->fd < 0 && (errno != EEXIST || tries == 100)) {
			error = sv_error(SCRVAULT_ERROR, "cannot create object file: %s",
					 strerror(errno));
			w->tmp[0] = '\0';
			goto done;
		}
	}

	w->buf[0] = 0x78;	/* deflate, 32K window */
	w->buf[1] = 0x01;	/* no dictionary, "fastest" level */
	w->len = 2;
	w->adler = adler32(0L, Z_NULL, 0);
	if ((error = lw_put(w, hdr, (size_t)hlen)) < 0)
		goto done;
	*out = SV_TAKE(w);
done:
	sv_loose_writer_free(w);
	return error;
}

/* Never more than declared; a failure spoils the writer. */
int sv_loose_writer_put(sv_loose_writer *w, const void *data, size_t len)
{
	int error;

	if ((error = lw_usable(w)) < 0)
		return error;
	if ((error = lw_put(w, data, len)) < 0)
		w->state = error;
	return error;
}

/* Trailer, flush, close; the temp file is handed to the caller. */
int sv_loose_writer_finish(char tmp[SV_LOOSE_TMPNAME], unsigned char id[SV_LOOSE_IDLEN],
			   sv_loose_writer *w)
{
	int error;

	if ((error = lw_usable(w)) < 0)
		return error;
	if (w->done != w->total) {
		error = sv_error(SCRVAULT_EUSAGE, "object got %" PRIu64 " of its %"
				 PRIu64 " bytes", w->done, w->total);
		goto done;
	}
	if (w->sha && (error = sv_sha1_final(w->sha, id)) < 0)
		goto done;
	if (w->cap - w->len < 4 && (error = lw_flush(w)) < 0)
		goto done;
	w->buf[w->len++] = (unsigned char)(w->adler >> 24);
	w->buf[w->len++] = (unsigned char)(w->adler >> 16);
	w->buf[w->len++] = (unsigned char)(w->adler >> 8);
	w->buf[w->len++] = (unsigned char)w->adler;
	if ((error = lw_flush(w)) < 0)
		goto done;
	error = close(w->fd);
	w->fd = -1;
	if (error < 0) {
		error = sv_error(SCRVAULT_ERROR, "cannot write object: %s",
				 strerror(errno));
		goto done;
	}
	memcpy(tmp, w->tmp, SV_LOOSE_TMPNAME);
	w->tmp[0] = '\0';		/* the caller's now */
done:
	w->state = error < 0 ? error : 1;
	return error;
}

/* Close and remove an unfinished object's temp file; free the rest. */
void sv_loose_writer_free(sv_loose_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	if (w->tmp[0])
		unlinkat(w->dirfd, w->tmp, 0);
	free(w->buf);
	sv_sha1_free(w->sha);
	free(w);
}

/*
 * Reading, stored or compressed, with bounded memory.
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

static int lr_corrupt(sv_loose_reader *lr, const char *why)
{
	return sv_error(SCRVAULT_EINTEGRITY, "object '%s' is corrupt: %s",
			lr->hex, why);
}

/* read(2) at most `want` more bytes to `buf`: how many, or a negative error. */
static long lr_readfile(sv_loose_reader *lr, unsigned char *buf, size_t want)
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
static int lr_fill(sv_loose_reader *lr)
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
static int lr_inflate(sv_loose_reader *lr, unsigned char *out, size_t len, size_t *got)
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
static int lr_dfill(sv_loose_reader *lr, size_t need)
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
static int lr_direct(sv_loose_reader *lr, unsigned char *out, size_t len, size_t *got)
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
static int lr_fallback(sv_loose_reader *lr)
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
static int lr_produce(sv_loose_reader *lr, unsigned char *out, size_t len, size_t *got)
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
static int lr_check_end(sv_loose_reader *lr)
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
static int lr_zheader(sv_loose_reader *lr)
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
static int lr_header(sv_loose_reader *lr)
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

/* Open, size the buffer to the file, read and parse the header. */
int sv_loose_reader_open(sv_loose_reader **out, sv_loose_type *type, uint64_t *size,
			 int dirfd, const char *path, const char *hex, unsigned int flags)
{
	sv_loose_reader *lr = NULL;
	struct stat st;
	size_t incap;
	int fd, error;

	*out = NULL;
	if ((fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return sv_error(SCRVAULT_ENOTFOUND, "no object '%s'", hex);
		return sv_error(SCRVAULT_ERROR, "cannot open object '%s': %s",
				hex, strerror(errno));
	}
	if (fstat(fd, &st) < 0) {
		error = sv_error(SCRVAULT_ERROR, "cannot open object '%s': %s",
				 hex, strerror(errno));
		close(fd);
		return error;
	}
	incap = (uint64_t)st.st_size < SV_RBUF ? (size_t)st.st_size : SV_RBUF;
	if (incap < SV_BLOCK_HDR)	/* room for a block header, even if short */
		incap = SV_BLOCK_HDR;
	if (!(lr = sv_malloc(sizeof(*lr) + incap))) {
		close(fd);
		return SCRVAULT_ERROR;
	}
	memset(lr, 0, sizeof(*lr));
	lr->fd = fd;
	lr->in = (unsigned char *)(lr + 1);
	lr->incap = incap;
	lr->fsize = (uint64_t)st.st_size;
	lr->rfirst = (flags & SV_LOOSE_WHOLE) ? lr->incap : SV_RFIRST;
	snprintf(lr->hex, sizeof(lr->hex), "%s", hex);
	lr->direct = true;
	lr->adler = adler32(0L, Z_NULL, 0);
	if ((error = lr_header(lr)) < 0)
		goto done;
	*type = lr->type;
	*size = lr->size;
	*out = SV_TAKE(lr);
done:
	sv_loose_reader_free(lr);
	return error;
}

/* Data bytes; the end of the stream verified as the last one goes out. */
long sv_loose_reader_read(sv_loose_reader *lr, void *buf, size_t len)
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

void sv_loose_reader_free(sv_loose_reader *lr)
{
	if (!lr)
		return;
	if (lr->zinit)
		inflateEnd(&lr->z);
	if (lr->fd >= 0)
		close(lr->fd);
	free(lr);
}
