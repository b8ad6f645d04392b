/*
 * seal.c - the two ends of a bundle that need no vault: an agency sealing a
 * document for the vault (intake seal), and a reader opening a release
 * (open) or only verifying it (verify: the same checks, nothing written).
 * Formats and checks in bundle.h and bundle.c.
 *
 * Both ends hash the plaintext (SHA-256, for the signed manifest), a large one
 * on a second thread while this one encrypts or decrypts and writes
 * (hash_pipe).  Sealing into a file reads its input once, on that thread,
 * which starts before the key file is opened: the header, which carries the
 * manifest and so the digest, has a length known before the digest is
 * (seal_one_pass), so the payload is written after a gap of that length and
 * the header into the gap at the end.  Sealing to standard output hashes
 * first and then encrypts through the age writer (seal_two_pass).  Plaintext goes nowhere but the output; every buffer that
 * held it is cleansed before it is freed, and a failure leaves nothing at the
 * output path.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "scrvault/seal.h"
#include "crypto/age.h"
#include "crypto/bundle.h"
#include "crypto/crypto.h"
#include "crypto/identity.h"
#include "crypto/note.h"
#include "base/common.h"
#include "base/date.h"
#include "base/file.h"
#include "base/json.h"
#include "base/text.h"

/* ---- hashing on a second thread ------------------------------------------------------ */

/*
 * A ring of plaintext chunks (SV_AGE_CHUNK bytes each) between this thread
 * and a second one that hashes them (SHA-256), in order.  It runs one of two
 * ways:
 *
 *   feeding (hash_pipe_start): this thread reads each chunk into the next
 *   free slot (hash_pipe_slot), hands it over (hash_pipe_submit) and goes on
 *   encrypting or writing it while the other hashes it.  A slot is handed out
 *   again once its chunk has been hashed and `ring` - 1 later chunks have
 *   been taken; the callers hold at most two at a time.
 *
 *   reading (hash_pipe_start_reading, the one-pass seal): the other thread
 *   reads the input itself, hashes each chunk and hands it over; this thread
 *   takes them in order (hash_pipe_take).  It starts before the digest and
 *   the key file are set up, so the input is read (and, once the digest is
 *   there, hashed) while OpenSSL sets itself up, about 1.3 ms of a 1 MB seal.
 *   A slot is read into again once this thread has taken two later chunks:
 *   the age writer holds on to the last chunk it was given until the next
 *   one comes (or the end).
 *
 * Without a thread this thread hashes (and reads) each chunk itself, in a
 * ring of two: for an input expected to be smaller than HASH_THREAD_MIN
 * (below it, measured, the thread's start and hand-overs cost about what
 * hashing alongside saves), or when pthread_create failed.  The slots used
 * are cleansed when the pipe is freed.
 */
#define HASH_RING	4	/* feeding */
#define READ_RING	18	/* reading: 1 MiB ahead and the two held */
#define HASH_THREAD_MIN	(512 * 1024)	/* bytes: docs/PERFORMANCE.md, "Bundles" */

typedef struct {
	sv_sha256_ctx *h;
	unsigned char *slot[READ_RING];
	size_t len[READ_RING];
	size_t ring;			/* slots in use */
	int fd;				/* reading: the input */
	uint64_t head;			/* chunks submitted (feeding), read and hashed (reading) */
	uint64_t tail;			/* chunks hashed (feeding), taken (reading) */
	uint64_t nread;			/* reading: chunks read (`head` of them hashed) */
	int rerrno;			/* reading: why the read failed, 0 at the end */
	bool eof;			/* reading: the thread is done */
	bool ready;			/* h is set up */
	bool stop;			/* no more chunks (finish or abandon) */
	bool failed;			/* a hash update failed */
	bool locks;			/* lock and cond initialised */
	bool threaded;			/* th is running */
	pthread_mutex_t lock;		/* guards head, tail, len, rerrno, eof, ready, h, stop, failed */
	pthread_cond_t cond;
	pthread_t th;
} hash_pipe;

/* Feeding: hash each chunk submitted, until stopped with none left. */
static void *hash_pipe_run(void *arg)
{
	hash_pipe *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		size_t i, len;
		bool bad;

		while (p->tail == p->head && !p->stop)
			pthread_cond_wait(&p->cond, &p->lock);
		if (p->tail == p->head)
			break;
		i = (size_t)(p->tail % p->ring);
		len = p->len[i];
		pthread_mutex_unlock(&p->lock);
		/* The message sv_sha256_update sets stays on this thread: the
		 * caller reports the failure in its own words. */
		bad = sv_sha256_update(p->h, p->slot[i], len) < 0;
		pthread_mutex_lock(&p->lock);
		if (bad)
			p->failed = true;
		p->tail++;
		pthread_cond_broadcast(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/*
 * Reading: read, hash and hand over each chunk, until the end, a failure or a
 * stop.  The thread starts before the digest is set up (`ready`; the first
 * one in a process sets OpenSSL up, about 0.45 ms): until then it reads ahead.
 */
static void *hash_pipe_read_run(void *arg)
{
	hash_pipe *p = arg;
	bool end = false;		/* a read found the end or failed */
	int e = 0;			/* and why it failed */

	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		size_t i;
		long n;
		bool bad;

		if (p->ready && p->head < p->nread) {
			/* hash the oldest chunk read and hand it over */
			i = (size_t)(p->head % p->ring);
			pthread_mutex_unlock(&p->lock);
			bad = sv_sha256_update(p->h, p->slot[i], p->len[i]) < 0;
			pthread_mutex_lock(&p->lock);
			if (bad) {
				p->failed = true;
				p->eof = true;
				break;
			}
			p->head++;
			pthread_cond_broadcast(&p->cond);
		} else if (end && p->head == p->nread) {
			p->rerrno = e;
			p->eof = true;
			break;
		} else if (!end && p->nread + 2 - p->tail < p->ring) {
			/* the slot of chunk `nread` is free once `nread` - `ring` + 2 were taken */
			i = (size_t)(p->nread % p->ring);
			pthread_mutex_unlock(&p->lock);
			n = sv_read_full(p->fd, p->slot[i], SV_AGE_CHUNK);
			e = n < 0 ? errno : 0;
			pthread_mutex_lock(&p->lock);
			if (n <= 0) {
				end = true;
			} else {
				p->len[i] = (size_t)n;
				p->nread++;
			}
		} else {
			pthread_cond_wait(&p->cond, &p->lock);
		}
	}
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/*
 * Start the thread, on another CPU than this thread's if there is one it may
 * use.  With a chunk handed over every 64 KiB, each side waking the other,
 * the kernel tends to move the woken thread onto the waker's CPU; left to it
 * the pair often shares one CPU and nothing overlaps (a 1 MB seal's loop took
 * 1.4 ms instead of 0.85).  Whether the thread started.
 */
static bool hash_pipe_spawn(hash_pipe *p, void *(*run)(void *))
{
	pthread_attr_t attr;
	cpu_set_t cpus;
	int cpu = sched_getcpu();
	bool started;

	if (pthread_attr_init(&attr) != 0)
		return pthread_create(&p->th, NULL, run, p) == 0;
	if (cpu >= 0 && cpu < CPU_SETSIZE && sched_getaffinity(0, sizeof(cpus), &cpus) == 0 &&
	    CPU_ISSET(cpu, &cpus) && CPU_COUNT(&cpus) > 1) {
		CPU_CLR(cpu, &cpus);
		/* without it the thread runs wherever the kernel puts it */
		(void)pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
	}
	started = pthread_create(&p->th, &attr, run, p) == 0 ||
		  pthread_create(&p->th, NULL, run, p) == 0;
	pthread_attr_destroy(&attr);
	return started;
}

/*
 * Allocate `ring` slots and the digest and, if `run` is given, start the
 * thread; *p must be zeroed.
 */
static int hash_pipe_init(hash_pipe *p, size_t ring, void *(*run)(void *))
{
	sv_sha256_ctx *h = NULL;
	int error;

	p->ring = ring;
	for (size_t i = 0; i < ring; i++)
		if (!(p->slot[i] = sv_malloc(SV_AGE_CHUNK)))
			return SCRVAULT_ERROR;
	if (run) {
		if (pthread_mutex_init(&p->lock, NULL) != 0)
			return sv_error(SCRVAULT_ERROR, "cannot set up the hashing thread");
		if (pthread_cond_init(&p->cond, NULL) != 0) {
			pthread_mutex_destroy(&p->lock);
			return sv_error(SCRVAULT_ERROR, "cannot set up the hashing thread");
		}
		p->locks = true;
		p->threaded = hash_pipe_spawn(p, run);
	}
	/* after the thread's start: a reading thread reads meanwhile */
	if ((error = sv_sha256_new(&h)) < 0)
		return error;
	if (p->threaded)
		pthread_mutex_lock(&p->lock);
	p->h = h;
	p->ready = true;
	if (p->threaded) {
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);
	}
	return 0;
}

/* Feeding, for an input expected to be `size` bytes (a hint only); *p zeroed. */
static int hash_pipe_start(hash_pipe *p, uint64_t size)
{
	p->fd = -1;
	return size >= HASH_THREAD_MIN ? hash_pipe_init(p, HASH_RING, hash_pipe_run)
				       : hash_pipe_init(p, 2, NULL);
}

/* Reading `fd` from where it is, `size` bytes expected (a hint); *p zeroed. */
static int hash_pipe_start_reading(hash_pipe *p, int fd, uint64_t size)
{
	p->fd = fd;
	return size >= HASH_THREAD_MIN ? hash_pipe_init(p, READ_RING, hash_pipe_read_run)
				       : hash_pipe_init(p, 2, NULL);
}

/* Feeding: the next slot to fill (room for SV_AGE_CHUNK bytes), once it is free. */
static unsigned char *hash_pipe_slot(hash_pipe *p)
{
	if (p->threaded) {
		pthread_mutex_lock(&p->lock);
		while (p->head - p->tail >= p->ring)
			pthread_cond_wait(&p->cond, &p->lock);
		pthread_mutex_unlock(&p->lock);
	}
	return p->slot[p->head % p->ring];
}

/* Feeding: hand over the slot hash_pipe_slot gave, filled with `len` bytes. */
static int hash_pipe_submit(hash_pipe *p, size_t len)
{
	size_t i = (size_t)(p->head % p->ring);

	if (!p->threaded) {
		p->head++;
		p->tail++;
		return sv_sha256_update(p->h, p->slot[i], len);
	}
	pthread_mutex_lock(&p->lock);
	p->len[i] = len;
	p->head++;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

/*
 * Reading: the next chunk of the input, read and hashed: *buf, *len bytes,
 * *len 0 at the end.  It stays as it is until two more have been taken.
 * The input is called `name` in messages.
 */
static int hash_pipe_take(hash_pipe *p, unsigned char **buf, size_t *len, const char *name)
{
	size_t i = (size_t)(p->tail % p->ring);
	long n;
	int e = 0;
	bool bad = false;

	*buf = NULL;
	*len = 0;
	if (!p->threaded) {
		if ((n = sv_read_full(p->fd, p->slot[i], SV_AGE_CHUNK)) < 0)
			return sv_error(SCRVAULT_ERROR, "cannot read '%s': %s", name, strerror(errno));
		p->head++;	/* the slots written, for hash_pipe_free */
		if (n == 0)
			return 0;
		p->tail++;
		*buf = p->slot[i];
		*len = (size_t)n;
		return sv_sha256_update(p->h, *buf, *len);
	}
	pthread_mutex_lock(&p->lock);
	while (p->tail == p->head && !p->eof)
		pthread_cond_wait(&p->cond, &p->lock);
	if (p->tail < p->head) {
		*buf = p->slot[i];
		*len = p->len[i];
		p->tail++;
		pthread_cond_broadcast(&p->cond);
	} else {
		e = p->rerrno;
		bad = p->failed;
	}
	pthread_mutex_unlock(&p->lock);
	if (e)
		return sv_error(SCRVAULT_ERROR, "cannot read '%s': %s", name, strerror(e));
	if (bad)
		return sv_error(SCRVAULT_ERROR, "sha-256 digest failed");
	return 0;
}

/* Stop the thread (once it has hashed what it was given) and wait for it. */
static void hash_pipe_join(hash_pipe *p)
{
	if (!p->threaded)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->th, NULL);
	p->threaded = false;
}

/* The digest of everything submitted, or read and taken to the end. */
static int hash_pipe_finish(hash_pipe *p, unsigned char sha[SV_SHA256_LEN])
{
	hash_pipe_join(p);
	if (p->failed)
		return sv_error(SCRVAULT_ERROR, "sha-256 digest failed");
	return sv_sha256_final(p->h, sha);
}

/* Stop the thread if it runs, cleanse the slots used and free; safe on a zeroed pipe. */
static void hash_pipe_free(hash_pipe *p)
{
	uint64_t used;

	hash_pipe_join(p);
	/* a slot past the chunks counted may hold part of a failed read */
	used = (p->nread > p->head ? p->nread : p->head) + 1;
	if (used > p->ring)
		used = p->ring;
	if (p->locks) {
		pthread_cond_destroy(&p->cond);
		pthread_mutex_destroy(&p->lock);
	}
	for (size_t i = 0; i < p->ring; i++)
		if (p->slot[i]) {
			if (i < used)
				sv_cleanse(p->slot[i], SV_AGE_CHUNK);
			free(p->slot[i]);
		}
	sv_sha256_free(p->h);
	memset(p, 0, sizeof(*p));
}

/* The end of a seal or an open: the output abandoned when it failed, the
 * hash pipe freed and the input closed. */
static void io_finish(int error, sv_outfile *o, hash_pipe *hp, int fd)
{
	if (error < 0)
		sv_outfile_abort(o);
	hash_pipe_free(hp);
	if (fd >= 0)
		close(fd);
}

/* ---- seal (agency side, no vault) ---------------------------------------------------- */

/* What a seal's manifest holds besides the digest and the size. */
typedef struct {
	const scrvault_seal_spec *s;
	const sv_identity *ident;
	const char *to;			/* the recipient, "age1..." */
	const char *key64;		/* the signer's Ed25519 key, base64 */
	char idhex[33];			/* the bundle id */
	char when[21];			/* sealed_at */
} seal_fields;

/* A new manifest of the fields, the digest (64 hex characters) and the size. */
static int seal_manifest(sv_json **out, const seal_fields *f, const char *shahex, uint64_t size)
{
	const scrvault_seal_spec *s = f->s;
	const char *fname = s->filename ? s->filename : sv_bundle_base_name(s->input);
	sv_json *m;
	int error;

	*out = NULL;
	if (!(m = sv_json_object()))
		return SCRVAULT_ERROR;
	if ((error = sv_json_set_str(m, "agency", s->agency)) < 0 ||
	    (error = sv_json_set_str(m, "bundle", f->idhex)) < 0 ||
	    (error = sv_json_set_str(m, "case", s->case_ref)) < 0 ||
	    (error = sv_json_set_str(m, "class", s->doc_class)) < 0 ||
	    (error = sv_json_set_str(m, "filename", fname)) < 0 ||
	    (error = sv_json_set_str(m, "sealed_at", f->when)) < 0 ||
	    (error = sv_json_set_str(m, "sha256", shahex)) < 0 ||
	    (error = sv_json_set_str(m, "signer", f->ident->name)) < 0 ||
	    (error = sv_json_set_str(m, "signer_key", f->key64)) < 0 ||
	    (error = sv_json_set_int(m, "size", (int64_t)size)) < 0 ||
	    (error = sv_json_set_str(m, "title", s->title ? s->title : fname)) < 0 ||
	    (error = sv_json_set_str(m, "to", f->to)) < 0 ||
	    (error = sv_json_set_str(m, "type", SV_INTAKE_TYPE)) < 0 ||
	    (error = sv_json_set_str(m, "vault", f->ident->vault_id)) < 0) {
		sv_json_free(m);
		return error;
	}
	*out = m;
	return 0;
}

/*
 * Read the input (`fd`, called `name` in messages) to its end in chunks and
 * count its bytes into *total, for the two-pass seal.  Each chunk goes to the
 * hash pipe `hp` (if not NULL, feeding), to be hashed, and meanwhile to the
 * age writer `w` (if not NULL), to be encrypted and written.
 */
static int seal_read(uint64_t *total, int fd, const char *name, hash_pipe *hp, sv_age_writer *w)
{
	unsigned char *own = NULL;
	int error = 0;

	*total = 0;
	if (!hp && !(own = sv_malloc(SV_AGE_CHUNK)))
		return SCRVAULT_ERROR;
	for (;;) {
		unsigned char *buf = hp ? hash_pipe_slot(hp) : own;
		long n = sv_read_full(fd, buf, SV_AGE_CHUNK);

		if (n < 0) {
			error = sv_error(SCRVAULT_ERROR, "cannot read '%s': %s", name, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		*total += (uint64_t)n;
		if ((hp && (error = hash_pipe_submit(hp, (size_t)n)) < 0) ||
		    (w && (error = sv_age_writer_write(w, buf, (size_t)n)) < 0))
			break;
	}
	sv_cleanse_free(own, SV_AGE_CHUNK);
	return error;
}

/*
 * The first pass of a two-pass seal: the SHA-256 and the size of the input,
 * read to its end (through a hash pipe, as everywhere here).
 */
static int hash_file(unsigned char sha[SV_SHA256_LEN], uint64_t *size, int fd, const char *name)
{
	hash_pipe hp = { 0 };
	struct stat sb;
	int error;

	*size = 0;
	if ((error = hash_pipe_start(&hp, fstat(fd, &sb) == 0 ? (uint64_t)sb.st_size : 0)) == 0 &&
	    (error = seal_read(size, fd, name, &hp, NULL)) == 0)
		error = hash_pipe_finish(&hp, sha);
	hash_pipe_free(&hp);
	return error;
}

/*
 * Seal through the age writer: hash the whole input first (the manifest,
 * with the digest, is signed and goes in the header, which the writer writes
 * before the payload), then read it again and encrypt it.  For standard
 * output, which cannot be written out of order.  The output is open;
 * *mout gets the manifest.
 */
static int seal_two_pass(sv_json **mout, int ofd, const seal_fields *f, int fd, const unsigned char pub[SV_KEY_LEN])
{
	const char *input = f->s->input;
	unsigned char sha[SV_SHA256_LEN];
	char shahex[2 * SV_SHA256_LEN + 1];
	sv_age_writer *w = NULL;
	sv_json *m = NULL;
	uint64_t size = 0, done_bytes = 0;
	int error;

	*mout = NULL;
	if ((error = hash_file(sha, &size, fd, input)) < 0)
		goto done;
	sv_hex(shahex, sha, sizeof(sha));
	if ((error = seal_manifest(&m, f, shahex, size)) < 0 ||
	    (error = sv_age_writer_new(&w, (const unsigned char (*)[SV_KEY_LEN])pub, 1)) < 0 ||
	    (error = sv_bundle_add_manifest(w, m, f->ident->ed_priv, NULL, NULL)) < 0 ||
	    (error = sv_age_writer_start(w, sv_bundle_write_fd, &ofd)) < 0)
		goto done;
	if (lseek(fd, 0, SEEK_SET) != 0) {
		error = sv_error(SCRVAULT_ERROR, "cannot read '%s' again: %s", input, strerror(errno));
		goto done;
	}
	if ((error = seal_read(&done_bytes, fd, input, NULL, w)) < 0)
		goto done;
	if (done_bytes != size) {
		error = sv_error(SCRVAULT_ERROR, "'%s' changed while it was being sealed: seal it again", input);
		goto done;
	}
	if ((error = sv_age_writer_finish(w)) < 0)
		goto done;
	*mout = SV_TAKE(m);
done:
	sv_age_writer_free(w);
	sv_json_free(m);
	return error;
}

#define SEAL_AGAIN		1	/* the header came out another length: seal in two passes */

/* Write all of buf at `off` (sv_write_at), or say why not. */
static int seal_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	if (sv_write_at(fd, buf, len, off) < 0)
		return sv_error(SCRVAULT_ERROR, "cannot write the output: %s", errno ? strerror(errno) : "no progress");
	return 0;
}

/*
 * Seal into the output file (open, empty) in one read of the input, which
 * `hp` reads and hashes (hash_pipe_start_reading), and whose size `size`
 * (fstat) goes in the manifest and must be what is read.  The manifest's
 * length does not depend on the digest (64 hex characters whatever it is),
 * so the header with a stand-in manifest (a digest and a signature of zeros,
 * sv_bundle_add_standin) has the real header's length: the age writer, header last
 * (sv_age_writer_start_payload), writes the payload nonce and payload after
 * that many bytes as the chunks come out of the pipe, hashed; at the end
 * the real manifest is signed and replaces the stand-in
 * (sv_bundle_set_manifest), and the header is written at offset 0.  Returns
 * SEAL_AGAIN, having written only to the output, if the real header is not
 * the length reserved (the caller then empties the output and seals in two
 * passes).  *mout gets the manifest.
 */
static int seal_one_pass(sv_json **mout, int ofd, const seal_fields *f, hash_pipe *hp, uint64_t size,
			 const unsigned char pub[SV_KEY_LEN])
{
	const char *input = f->s->input;
	unsigned char sha[SV_SHA256_LEN], *hdr = NULL, *chunk;
	char shahex[2 * SV_SHA256_LEN + 1];
	sv_age_writer *w = NULL;
	sv_json *m = NULL;
	size_t reserved = 0, hdrlen = 0, n;
	uint64_t total = 0;
	int error;

	*mout = NULL;
	memset(shahex, '0', 2 * SV_SHA256_LEN);
	shahex[2 * SV_SHA256_LEN] = '\0';
	if ((error = seal_manifest(&m, f, shahex, size)) < 0 ||
	    (error = sv_age_writer_new(&w, (const unsigned char (*)[SV_KEY_LEN])pub, 1)) < 0 ||
	    (error = sv_bundle_add_standin(w, m)) < 0 ||
	    (error = sv_age_writer_header(w, &hdr, &reserved)) < 0)
		goto done;
	free(hdr);
	hdr = NULL;
	sv_json_free(m);
	m = NULL;
	if (lseek(ofd, (off_t)reserved, SEEK_SET) != (off_t)reserved) {
		error = sv_error(SCRVAULT_ERROR, "cannot write the output: %s", strerror(errno));
		goto done;
	}
	if ((error = sv_age_writer_start_payload(w, sv_bundle_write_fd, &ofd)) < 0)
		goto done;
	for (;;) {
		if ((error = hash_pipe_take(hp, &chunk, &n, input)) < 0)
			goto done;
		if (n == 0)
			break;
		total += n;
		if ((error = sv_age_writer_write(w, chunk, n)) < 0)
			goto done;
	}
	if ((error = sv_age_writer_finish(w)) < 0 ||
	    (error = hash_pipe_finish(hp, sha)) < 0)
		goto done;
	if (total != size) {
		error = sv_error(SCRVAULT_ERROR, "'%s' changed while it was being sealed: seal it again", input);
		goto done;
	}
	sv_hex(shahex, sha, sizeof(sha));
	if ((error = seal_manifest(&m, f, shahex, size)) < 0 ||
	    (error = sv_bundle_set_manifest(w, 0, m, f->ident->ed_priv, NULL, NULL)) < 0 ||
	    (error = sv_age_writer_header(w, &hdr, &hdrlen)) < 0)
		goto done;
	if (hdrlen != reserved) {
		error = SEAL_AGAIN;
		goto done;
	}
	if ((error = seal_pwrite(ofd, hdr, hdrlen, 0)) < 0)
		goto done;
	*mout = SV_TAKE(m);
done:
	free(hdr);
	sv_age_writer_free(w);
	sv_json_free(m);
	return error;
}

int scrvault_intake_seal(scrvault_json **out, const scrvault_seal_spec *s)
{
	unsigned char pub[SV_KEY_LEN], id[16];
	char *to = NULL, *key64 = NULL;
	sv_identity *ident = NULL;
	sv_json *m = NULL;
	sv_outfile o = { .fd = -1 };
	seal_fields f = { .s = s };
	hash_pipe hp = { 0 };
	struct stat sb;
	int fd = -1, open_errno = 0, error;
	bool regular = false;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(s, SCRVAULT_SEAL_SPEC_VERSION, "seal spec")) < 0 ||
	    (error = sv_text_check_all(SV_TEXTS(SV_TEXT("agency", s->agency), SV_TEXT("title", s->title),
						SV_TEXT("filename", s->filename ? s->filename : s->input ?
								sv_bundle_base_name(s->input) : NULL)))) < 0)
		return error;
	if (!s->input)
		return sv_error_field(SCRVAULT_EUSAGE, "input", "give the file to seal");
	if (!s->output)
		return sv_error_field(SCRVAULT_EUSAGE, "output", "give the bundle to write");
	if (!s->case_ref || !sv_ref_valid(s->case_ref))
		return sv_error_field(SCRVAULT_EUSAGE, "case_ref", "a bundle needs the case reference (like SCR-2026-03)");
	if (!s->doc_class || !*s->doc_class)
		return sv_error_field(SCRVAULT_EUSAGE, "doc_class", "a bundle needs the document class (e.g. imr)");
	if ((error = sv_bundle_recipient_arg(pub, &to, s->recipient)) < 0)
		return error;
	/*
	 * Sealing into a file starts reading and hashing the input on a second
	 * thread here, while the key file is opened (hash_pipe_start_reading);
	 * a problem with the input is still reported after one with the key.
	 */
	if ((fd = open(s->input, O_RDONLY | O_CLOEXEC)) < 0)
		open_errno = errno;
	else
		regular = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
	if (regular && strcmp(s->output, "-") != 0 &&
	    (error = hash_pipe_start_reading(&hp, fd, (uint64_t)sb.st_size)) < 0)
		goto done;
	if ((error = sv_identity_load_private(&ident, s->keyfile, s->passphrase, "passphrase")) < 0)
		goto done;
	if (fd < 0) {
		error = sv_error(open_errno == ENOENT ? SCRVAULT_ENOTFOUND : SCRVAULT_ERROR,
				 "cannot open '%s': %s", s->input, strerror(open_errno));
		goto done;
	}
	if (!regular) {
		error = sv_error(SCRVAULT_EUSAGE, "'%s' is not a regular file", s->input);
		goto done;
	}
	if ((error = sv_random(id, sizeof(id))) < 0)
		goto done;
	sv_hex(f.idhex, id, sizeof(id));
	sv_time_iso(f.when, sv_now());
	error = SCRVAULT_ERROR;
	if (!(key64 = sv_base64(ident->ed_pub, SV_KEY_LEN)))
		goto done;
	f.ident = ident;
	f.to = to;
	f.key64 = key64;
	if ((error = sv_outfile_open(&o, s->output)) < 0)
		goto done;
	error = SEAL_AGAIN;
	if (o.fd != STDOUT_FILENO && hp.ring)
		error = seal_one_pass(&m, o.fd, &f, &hp, (uint64_t)sb.st_size, pub);
	hash_pipe_free(&hp);	/* done with fd's position */
	if (error == SEAL_AGAIN) {
		if (o.fd != STDOUT_FILENO && (ftruncate(o.fd, 0) < 0 || lseek(o.fd, 0, SEEK_SET) != 0)) {
			error = sv_error(SCRVAULT_ERROR, "cannot write the output: %s", strerror(errno));
			goto done;
		}
		if (lseek(fd, 0, SEEK_SET) != 0) {
			error = sv_error(SCRVAULT_ERROR, "cannot read '%s' again: %s", s->input, strerror(errno));
			goto done;
		}
		error = seal_two_pass(&m, o.fd, &f, fd, pub);
	}
	if (error < 0 || (error = sv_outfile_commit(&o)) < 0)
		goto done;
	*out = SV_TAKE(m);
done:
	io_finish(error, &o, &hp, fd);
	sv_identity_free(ident);
	sv_json_free(m);
	free(to);
	free(key64);
	return error;
}

/* ---- open (reader, no vault) -------------------------------------------------------------- */

/* An age identity file: identity lines (upper-case Bech32, HRP "age-secret-key-"), comments, blank lines. */
static int read_identity_file(sv_secret **priv, const char *path)
{
	char *data = NULL, *line, *save = NULL;
	size_t len = 0;
	int error;

	*priv = NULL;
	if ((error = sv_file_read(&data, &len, path, 65536)) < 0)
		return sv_error(error, "cannot read the identity file '%s': %s", path, scrvault_error_message());
	error = sv_error(SCRVAULT_EUSAGE, "'%s' holds no age identity", path);
	for (line = strtok_r(data, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		line += strspn(line, " \t");
		if (!*line || *line == '#')
			continue;
		error = sv_age_identity_decode(priv, line);
		if (error < 0)
			error = sv_error(SCRVAULT_EUSAGE, "'%s' holds a line that is not an age identity", path);
		break;
	}
	sv_cleanse_free(data, len);
	return error;
}

/*
 * Open a release (scrvault_open_release) or, with `keep` false, only verify
 * it (scrvault_verify): the same checks in the same order, the plaintext
 * hashed and then written to the output, or hashed and dropped.  *out gets
 * the manifest and "signer_checked", and "output" when kept.
 */
static int open_release(sv_json **out, const scrvault_open_spec *s, bool keep)
{
	char shahex[2 * SV_SHA256_LEN + 1], name[256];
	unsigned char sha[SV_SHA256_LEN], *want = NULL;
	const char *outpath;
	sv_identity *ident = NULL;
	sv_secret *priv = NULL;
	sv_bundle *b = NULL;
	hash_pipe hp = { 0 };
	sv_age_status status = SV_AGE_OK;
	sv_json *res = NULL;
	sv_outfile o = { .fd = -1 };
	uint64_t size = 0;
	int64_t expect;
	size_t wantlen = 0;
	char *vault_pin = NULL;
	bool checked = false;
	int fd = -1, error;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(s, SCRVAULT_OPEN_SPEC_VERSION, "open spec")) < 0)
		return error;
	if (!s->input)
		return sv_error_field(SCRVAULT_EUSAGE, "input", "give the release file to open");
	if (s->identity) {
		if ((error = read_identity_file(&priv, s->identity)) < 0)
			return error;
	} else {
		if (!s->keyfile)
			return sv_error_field(SCRVAULT_EUSAGE, "keyfile,identity", "give your key file or an age identity");
		if ((error = sv_identity_load_private(&ident, s->keyfile, s->passphrase, "passphrase")) < 0)
			return error;
	}
	if (s->vault_key) {
		char origin[128];

		/* The vault's verifier key as 'scrvault audit pubkey' prints it (the
		 * one a board publishes), or the bare base64 key. */
		if (!strncmp(s->vault_key, "scrvault.local/", 15)) {
			if (!(want = sv_malloc(SV_KEY_LEN)) || sv_note_vkey_parse(origin, want, s->vault_key) < 0 ||
			    strncmp(origin, "scrvault.local/", 15) != 0 ||
			    !(vault_pin = sv_strdup(origin + 15))) {
				error = sv_error_field(SCRVAULT_EUSAGE, "vault_key", "'%s' is not a vault verifier key "
						       "(scrvault.local/<vault id>+<key id>+<key>, as the vault's audit "
						       "public key is published)", s->vault_key);
				goto done;
			}
		} else if (sv_unbase64(&want, &wantlen, s->vault_key) < 0 || wantlen != SV_KEY_LEN) {
			error = sv_error_field(SCRVAULT_EUSAGE, "vault_key", "the vault key must be the vault's verifier "
					       "key as its audit public key is published (scrvault.local/...)");
			goto done;
		}
	}
	if ((fd = open(s->input, O_RDONLY | O_CLOEXEC)) < 0) {
		error = sv_error(errno == ENOENT ? SCRVAULT_ENOTFOUND : SCRVAULT_ERROR,
				 "cannot open '%s': %s", s->input, strerror(errno));
		goto done;
	}
	{
		const sv_secret *const keys[] = { ident ? ident->x_priv : priv };
		sv_age_identities ids = { .x25519 = keys, .n_x25519 = 1 };

		if ((error = sv_bundle_open(&b, sv_bundle_fd_read, &fd, &ids, &status)) < 0) {
			if (status == SV_AGE_NO_MATCH)
				error = sv_error(SCRVAULT_EDENIED, "'%s' was not released to you: your key does not open it",
						 s->input);
			else if (status != SV_AGE_OK || error == SCRVAULT_EINTEGRITY)
				error = sv_error_wrap(SCRVAULT_EINTEGRITY, "'%s' is malformed or damaged (%s)", s->input,
						      sv_age_status_name(status));
			goto done;
		}
	}
	if (!b->manifest || strcmp(sv_bundle_str(b->manifest, "type"), SV_RELEASE_TYPE) != 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "'%s' is not a release from a vault (no vault manifest): it "
				 "cannot be verified; open it with 'age -d' if you trust its sender", s->input);
		goto done;
	}
	if (!b->signature_ok) {
		error = sv_error(SCRVAULT_EINTEGRITY, "the vault's signature on '%s' does not verify: it was altered "
				 "or forged; nothing was written", s->input);
		goto done;
	}
	if (want) {
		if (memcmp(want, b->signer, SV_KEY_LEN) != 0 ||
		    (vault_pin && strcmp(vault_pin, sv_bundle_str(b->manifest, "vault")) != 0)) {
			error = sv_error(SCRVAULT_EINTEGRITY, "'%s' is signed by another key than the vault key you "
					 "gave (--vault-key): nothing was written", s->input);
			goto done;
		}
		checked = true;
	}
	if (ident && ident->vault_id[0] && strcmp(ident->vault_id, sv_bundle_str(b->manifest, "vault")) != 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "'%s' comes from vault %s, not from the vault of your key file (%s)",
				 s->input, sv_bundle_str(b->manifest, "vault"), ident->vault_id);
		goto done;
	}
	sv_safe_filename(name, sizeof(name), sv_bundle_str(b->manifest, "filename"), "released-document");
	outpath = s->output ? s->output : name;
	expect = sv_json_as_int(sv_json_get(b->manifest, "size"));
	if ((keep && (error = sv_outfile_open(&o, outpath)) < 0) ||
	    (error = hash_pipe_start(&hp, expect > 0 ? (uint64_t)expect : 0)) < 0)
		goto done;
	/* Each chunk is hashed (on the second thread, if there is one) while it
	 * is written and the next one decrypted. */
	for (;;) {
		unsigned char *chunk = hash_pipe_slot(&hp);
		size_t n = 0;

		if ((error = sv_age_reader_read(b->reader, chunk, &n, &status)) < 0) {
			error = sv_error_wrap(SCRVAULT_EINTEGRITY, "'%s' is truncated or damaged: nothing was written",
					      s->input);
			goto done;
		}
		if (n == 0)
			break;
		size += n;
		if ((error = hash_pipe_submit(&hp, n)) < 0 ||
		    (keep && (error = sv_bundle_write_fd(&o.fd, chunk, n)) < 0))
			goto done;
	}
	if ((error = hash_pipe_finish(&hp, sha)) < 0)
		goto done;
	sv_hex(shahex, sha, sizeof(sha));
	if (strcmp(shahex, sv_bundle_str(b->manifest, "sha256")) != 0 ||
	    sv_json_as_int(sv_json_get(b->manifest, "size")) != (int64_t)size) {
		error = sv_error(SCRVAULT_EINTEGRITY, "the content of '%s' does not match the vault's manifest: "
				 "nothing was written", s->input);
		goto done;
	}
	if (keep && (error = sv_outfile_commit(&o)) < 0)
		goto done;
	error = SCRVAULT_ERROR;
	if (!(res = sv_json_object()))
		goto done;
	for (size_t i = 0; i < sv_json_count(b->manifest); i++) {
		const char *k = sv_json_key_at(b->manifest, i);
		const sv_json *val = sv_json_get(b->manifest, k);

		if (sv_json_type_of(val) == SV_JSON_STRING)
			error = sv_json_set_str(res, k, sv_json_str(val));
		else if (sv_json_type_of(val) == SV_JSON_INT)
			error = sv_json_set_int(res, k, sv_json_as_int(val));
		else
			error = sv_json_set(res, k, sv_json_null());
		if (error < 0)
			goto done;
	}
	if ((error = sv_json_set_bool(res, "signer_checked", checked)) < 0 ||
	    (keep && (error = sv_json_set_str(res, "output", outpath)) < 0))
		goto done;
	*out = SV_TAKE(res);
	error = 0;
done:
	io_finish(error, &o, &hp, fd);
	free(want);
	free(vault_pin);
	sv_bundle_free(b);
	sv_identity_free(ident);
	sv_secret_free(priv);
	sv_json_free(res);
	return error;
}

int scrvault_open_release(scrvault_json **out, const scrvault_open_spec *s)
{
	return open_release(out, s, true);
}

/* ---- verify (reader or anyone, no vault) ------------------------------------------------ */

/* What scrvault_verify can check; a signed receipt is to come. */
typedef enum {
	VERIFY_RELEASE,		/* an age file: a release bundle */
} verify_kind;

/*
 * What the file at `path` claims to be, from its first bytes: only a claim,
 * which the check of that kind then proves or refutes.
 */
static int verify_kind_of(verify_kind *kind, const char *path)
{
	static const char age_bin[] = "age-encryption.org/v1\n";
	static const char age_armor[] = "-----BEGIN AGE ENCRYPTED FILE-----";
	char head[64];
	long n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return sv_error_field(errno == ENOENT ? SCRVAULT_ENOTFOUND : SCRVAULT_ERROR, "input",
				      "cannot open '%s': %s", path, strerror(errno));
	n = sv_read_full(fd, head, sizeof(head));
	close(fd);
	if (n < 0)
		return sv_error_field(SCRVAULT_ERROR, "input", "cannot read '%s': %s", path, strerror(errno));
	if (((size_t)n >= sizeof(age_bin) - 1 && !memcmp(head, age_bin, sizeof(age_bin) - 1)) ||
	    ((size_t)n >= sizeof(age_armor) - 1 && !memcmp(head, age_armor, sizeof(age_armor) - 1))) {
		*kind = VERIFY_RELEASE;
		return 0;
	}
	return sv_error_field(SCRVAULT_EINTEGRITY, "input", "'%s' is not a release bundle (an age file) nor "
			      "anything else that can be verified", path);
}

int scrvault_verify(scrvault_json **out, const scrvault_verify_spec *s)
{
	verify_kind kind;
	sv_json *res = NULL;
	int error;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(s, SCRVAULT_VERIFY_SPEC_VERSION, "verify spec")) < 0)
		return error;
	if (!s->input)
		return sv_error_field(SCRVAULT_EUSAGE, "input", "give the file to verify");
	if (!s->vault_key)
		return sv_error_field(SCRVAULT_EUSAGE, "vault_key", "verifying needs the vault's verifier key, as "
				      "the board publishes it ('scrvault audit pubkey')");
	if ((error = verify_kind_of(&kind, s->input)) < 0)
		return error;
	switch (kind) {
	case VERIFY_RELEASE: {
		scrvault_open_spec o = {
			.version = SCRVAULT_OPEN_SPEC_VERSION,
			.keyfile = s->keyfile,
			.passphrase = s->passphrase,
			.identity = s->identity,
			.vault_key = s->vault_key,
			.input = s->input,
		};

		if ((error = open_release(&res, &o, false)) < 0 ||
		    (error = sv_json_set_str(res, "kind", "release")) < 0)
			goto done;
		break;
	}
	}
	*out = SV_TAKE(res);
done:
	sv_json_free(res);
	return error;
}
