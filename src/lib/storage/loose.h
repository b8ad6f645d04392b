/*
 * loose.h - the git loose-object format: writing and reading one object.
 *
 * A loose object file is a zlib stream (RFC 1950) of "<type> <size>\0"
 * followed by the object's data; its id is the SHA-1 of that uncompressed
 * text.  loose.c writes the stream by hand with stored (uncompressed)
 * deflate blocks, because ciphertext does not compress and deflate would
 * cap throughput at about 50 MB/s; any zlib reader (git, libgit2) reads
 * them as usual.  It reads any loose object, stored or compressed, with
 * bounded memory.
 *
 * This module works on one object file at a time in a directory given as a
 * file descriptor.  It does not include <git2.h> and knows nothing of
 * repositories: where an object goes (objects/xx/...), renaming it there and
 * making it durable are the object database's job (storage/odb.c).  Ids are
 * raw 20-byte SHA-1s or their 40-digit hex.
 *
 * A writer or reader belongs to one thread at a time; several may run at
 * once on different threads, even in one directory (a reader has its own
 * file descriptor; writers that share an sv_loose_tmpnames must not).
 */
#ifndef SV_STORAGE_LOOSE_H
#define SV_STORAGE_LOOSE_H

#include "base/common.h"

#define SV_LOOSE_IDLEN  20	/* a raw SHA-1 object id */
#define SV_LOOSE_HEXLEN 40	/* its hex */
#define SV_LOOSE_TMPNAME 32	/* a temporary file name, with its NUL */

/* The four object types, numbered as git (and libgit2's git_object_t) does. */
typedef enum {
	SV_LOOSE_COMMIT = 1,
	SV_LOOSE_TREE = 2,
	SV_LOOSE_BLOB = 3,
	SV_LOOSE_TAG = 4
} sv_loose_type;

typedef struct sv_loose_writer sv_loose_writer;
typedef struct sv_loose_reader sv_loose_reader;

/*
 * Where the temporary file names of a directory's writers come from: a
 * random salt, so that processes writing into one directory rarely pick
 * the same name, and a counter.  Set up with sv_loose_tmpnames_init; the
 * writers that share one must not run on several threads at once.
 */
typedef struct {
	uint64_t salt;
	uint64_t seq;
} sv_loose_tmpnames;

/* Fresh salt (getrandom; pid and address if that fails), counter zero. */
void sv_loose_tmpnames_init(sv_loose_tmpnames *t);

/*
 * Writing
 */

/* sv_loose_writer_open flag: hash the object as it is written (sv_sha1). */
#define SV_LOOSE_HASH 0x1

/*
 * Start an object of `type` with exactly `size` data bytes in a new file
 * "tmp_obj_<16 hex digits>" (mode 0444, created O_EXCL, name from `names`)
 * in the directory `dirfd`, and write its zlib header and object header.
 * With SV_LOOSE_HASH, the object header and every byte put are hashed, and
 * sv_loose_writer_finish gives the object id.  Memory is bounded (1 MiB of
 * output buffer, less for a small object) whatever `size` is.  On failure
 * *out is NULL and no file is left.
 */
int sv_loose_writer_open(sv_loose_writer **out, int dirfd, sv_loose_tmpnames *names,
			 sv_loose_type type, uint64_t size, unsigned int flags);

/*
 * Add `len` more data bytes; more than the declared size in all is
 * SCRVAULT_EUSAGE.  Bytes are gathered so that each write(2) is about
 * 1 MiB whatever the size of the puts.  After any failure the writer
 * accepts nothing more (SCRVAULT_EUSAGE) and can only be freed.
 */
int sv_loose_writer_put(sv_loose_writer *w, const void *data, size_t len);

/*
 * Complete the object: it must have had exactly its declared size
 * (SCRVAULT_EUSAGE otherwise).  Writes the adler32 trailer and closes the
 * file, which is then whole but not fsynced.  On success `tmp` receives the
 * file's name in `dirfd`, and the file belongs to the caller (to rename
 * into place or unlink: the writer no longer removes it); with
 * SV_LOOSE_HASH, `id` receives the object id (else `id` is left alone and
 * may be NULL).
 */
int sv_loose_writer_finish(char tmp[SV_LOOSE_TMPNAME], unsigned char id[SV_LOOSE_IDLEN],
			   sv_loose_writer *w);

/* Free a writer; an unfinished object's temporary file is removed.  NULL-safe. */
void sv_loose_writer_free(sv_loose_writer *w);

/*
 * Reading
 */

/*
 * sv_loose_reader_open flag: the data will be read too, so read the file in
 * large pieces (512 KiB) from the start; without it the first read is small
 * (4 KiB), for a caller that wants the header only.
 */
#define SV_LOOSE_WHOLE 0x1

/*
 * Open the loose object file `path` (relative to `dirfd`) and read its
 * header: *type and *size (the data size it declares).  `hex` names the
 * object in messages only (it is not checked against the contents).
 * SCRVAULT_ENOTFOUND when there is no such file, SCRVAULT_EINTEGRITY when
 * the header is not a valid object header; a header that declares size 0
 * has its whole stream checked here.  Memory is bounded (a 512 KiB input
 * buffer at most) whatever the object's size.  On failure *out is NULL
 * and nothing is left open.
 *
 * Our own objects (stored blocks) are read directly: each block's header
 * parsed and its LEN/NLEN checked here, the data copied out and the adler32
 * trailer checked with the writer's code.  At the first thing that is not
 * exactly that (a compressed block written by git, damage), the object is
 * read again by zlib from its first byte, so any damage is reported with
 * zlib's words, the same whichever path found it.
 */
int sv_loose_reader_open(sv_loose_reader **out, sv_loose_type *type, uint64_t *size,
			 int dirfd, const char *path, const char *hex, unsigned int flags);

/*
 * Up to `len` data bytes into `buf`: how many (fewer only at the end), 0
 * at the end, or a negative error.  When the last data byte is delivered,
 * the rest of the object is checked before that read returns: the stream
 * ends there, its adler32 is right and nothing follows it in the file;
 * otherwise SCRVAULT_EINTEGRITY ("object '<hex>' is corrupt: <why>").  An
 * object shorter than its header says is SCRVAULT_EINTEGRITY too.  The
 * SHA-1 is not checked.  Errors are sticky.
 */
long sv_loose_reader_read(sv_loose_reader *r, void *buf, size_t len);

/* Close and free a reader (read to the end or not).  NULL-safe. */
void sv_loose_reader_free(sv_loose_reader *r);

#endif
