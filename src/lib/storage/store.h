/*
 * store.h - the git object store (VAULT/store.git): the repository, blob
 * streams, commits, refs and tags.
 *
 * storage/ is the only directory whose files include <git2.h> (and zlib,
 * which loose.c needs for the object format); the rest of the library
 * reaches the store through this header, storage/remote.h (mirrors) and
 * storage/conf.h (policy files).  The store sees ciphertext and opaque ids
 * only: it never gets a key, a title, a file name or any plaintext, and it
 * writes nothing but git objects, the branch ref and the tags it is asked
 * for.
 *
 * Objects are written as standard loose objects whose zlib stream uses stored
 * (uncompressed) blocks (storage/loose.h): ciphertext does not compress, and
 * deflate would cap throughput at about 50 MB/s.  git and libgit2 read them
 * back as usual.  Blobs are written and read as streams so memory does not
 * grow with size.
 *
 * Durability: objects are written without an fsync each; sv_store_sync()
 * flushes all of them (and their directories) to disk before the caller
 * commits the database transaction that refers to them.  Refs are written
 * with libgit2's gitdir fsync enabled.
 *
 * Object ids are passed around as 40-character lower-case hex strings
 * (SV_OID_HEXLEN + 1 bytes with the NUL).
 */
#ifndef SV_STORE_H
#define SV_STORE_H

#include "base/common.h"



#define SV_OID_HEXLEN 40

typedef struct sv_store sv_store;
typedef struct sv_store_wstream sv_store_wstream;
typedef struct sv_store_rstream sv_store_rstream;

/* Create a new bare repository at `path` (which must not exist). */
int sv_store_init(const char *path);
/* Open an existing store; SCRVAULT_ENOTFOUND if it is not one. */
int sv_store_open(sv_store **out, const char *path);
void sv_store_free(sv_store *s);
/* Remove what a killed writer left in the store at `path` (lock files,
 * unfinished objects); only under the vault's exclusive lock. */
int sv_store_clear_stale(int *cleared, const char *path);

/*
 * Blob writing: the exact size must be known up front (the git object header
 * carries it).  Write exactly `size` bytes with any number of writes, then
 * finish to get the blob id.  A stream that is freed unfinished leaves no
 * object behind.
 */
int sv_store_blob_open(sv_store_wstream **out, sv_store *s, uint64_t size);
int sv_store_blob_write(sv_store_wstream *w, const void *buf, size_t len);
int sv_store_blob_finish(char oid[SV_OID_HEXLEN + 1], sv_store_wstream *w);
void sv_store_wstream_free(sv_store_wstream *w);

/* Write a small blob in one call. */
int sv_store_blob_put(char oid[SV_OID_HEXLEN + 1], sv_store *s,
		      const void *buf, size_t len);

/*
 * Blob reading as a stream.  *size receives the blob size.  sv_store_blob_read
 * fills up to `len` bytes and returns how many (0 at the end) or a negative
 * error; SCRVAULT_ENOTFOUND if the object is missing, SCRVAULT_EINTEGRITY if
 * it is not a blob, is corrupt or is shorter than its header says.  The
 * stored blocks of our own objects are copied out without zlib; any other
 * loose object (written by git, compressed) is inflated.
 *
 * Unlike the rest of this interface, readers may run on several threads at
 * once on one store (a stream each), as long as nothing writes to it then.
 */
int sv_store_blob_reader(sv_store_rstream **out, uint64_t *size, sv_store *s,
			 const char *oid);
long sv_store_blob_read(sv_store_rstream *r, void *buf, size_t len);
void sv_store_rstream_free(sv_store_rstream *r);

/* Read a small blob whole (at most `max` bytes, else SCRVAULT_EINTEGRITY). */
int sv_store_blob_get(unsigned char **out, size_t *len, sv_store *s,
		      const char *oid, size_t max);

/* One change to the tree: put `blob` at `path`, or remove `path` (blob NULL). */
typedef struct {
	const char *path;	/* like "d/ab/cd/<id>/1": '/'-separated, no ".." */
	const char *blob;	/* hex oid, or NULL to remove */
} sv_store_update;

/*
 * Make a commit whose tree is the tree of `parent` (NULL: empty tree) with
 * `updates` applied, using libgit2's incremental tree update so the cost is
 * per changed path, not per entry.  The commit has `parent` as its only
 * parent, a fixed author "scrvault <scrvault@localhost>", the time `when`
 * (seconds since the epoch, UTC) and `message` (opaque ids only).  The ref is
 * not moved: see sv_store_set_head.
 */
int sv_store_commit(char out[SV_OID_HEXLEN + 1], sv_store *s, const char *parent,
		    const sv_store_update *updates, size_t n, const char *message,
		    int64_t when);

/* The same with the tree of `base_commit` (NULL: empty) as the starting point. */
int sv_store_commit_on(char out[SV_OID_HEXLEN + 1], sv_store *s, const char *parent,
		       const char *base_commit, const sv_store_update *updates, size_t n,
		       const char *message, int64_t when);

/* Commits reachable from `to` and not from `from` (NULL: all), oldest first. */
int sv_store_walk(sv_store *s, const char *from, const char *to,
		  int (*fn)(void *ctx, const char *commit, const char *message, int64_t when), void *ctx);

/* Point refs/heads/main at `commit` (fsynced).  */
int sv_store_set_head(sv_store *s, const char *commit);
/* Current refs/heads/main; SCRVAULT_ENOTFOUND when there is none yet. */
int sv_store_head(char out[SV_OID_HEXLEN + 1], sv_store *s);

/*
 * An annotated tag on `commit` whose message is `message` (opaque or signed
 * text only), with the ref `ref` (like "refs/audit/checkpoint") moved to it;
 * durable when it returns.  sv_store_tag_get reads the message back
 * (SCRVAULT_ENOTFOUND when the ref does not exist).
 */
int sv_store_tag_set(sv_store *s, const char *ref, const char *commit,
		     const char *message, int64_t when);
int sv_store_tag_get(char **message, sv_store *s, const char *ref);

/* Flush every object written since the last sync to stable storage. */
int sv_store_sync(sv_store *s);

/*
 * The blob id at `path` in the tree of `commit`; SCRVAULT_ENOTFOUND when the
 * path is not there.
 */
int sv_store_lookup(char out[SV_OID_HEXLEN + 1], sv_store *s, const char *commit,
		    const char *path);

/* Whether `ancestor` is `commit` or reachable from it (1 yes, 0 no, <0 error). */
int sv_store_descends(sv_store *s, const char *commit, const char *ancestor);

/* Parent of a commit (SCRVAULT_ENOTFOUND for a root commit). */
int sv_store_parent(char out[SV_OID_HEXLEN + 1], sv_store *s, const char *commit);

#endif
