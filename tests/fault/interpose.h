/*
 * interpose.h - the allocator and the disk-changing I/O calls of the fault
 * test program, counted and failed on demand (interpose.c).
 *
 * The program defines malloc, calloc, realloc, free, ..., write, pwrite64,
 * fsync, rename, open (with a flag that writes), ... itself and exports them
 * (-rdynamic), so the dynamic linker binds SQLCipher's, libgit2's,
 * OpenSSL's and libc's own calls to them, as it binds scrvault's (linked
 * into the program).  Nothing of this is in the library.
 *
 * While armed, every allocation and every disk-changing I/O call is counted
 * in one sequence per kind; the call numbered `fail_at` of the armed kind
 * fails (an allocation returns NULL with errno ENOMEM, an I/O call -1 with
 * errno EIO) and no other does.  Unarmed, the calls are only passed on.
 */
#ifndef FAULT_INTERPOSE_H
#define FAULT_INTERPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fault_kind { FAULT_ALLOC, FAULT_IO, FAULT_NKINDS };

/* Where a call came from: the object holding its return address. */
enum fault_origin {
	ORIGIN_PROGRAM,		/* this program: scrvault (linked in) and the test */
	ORIGIN_SQLCIPHER,
	ORIGIN_GIT2,
	ORIGIN_CRYPTO,
	ORIGIN_LIBC,
	ORIGIN_OTHER,
	ORIGIN_N
};

/* Resolve the real calls and map the loaded objects (call once, unarmed). */
void fault_init(void);
const char *fault_origin_name(enum fault_origin o);
const char *fault_kind_name(enum fault_kind k);

/*
 * Start counting both kinds from zero; the call number `fail_at` (1, 2, ...)
 * of `kind` fails; fail_at 0 fails nothing (count only).
 */
void fault_arm(enum fault_kind kind, uint64_t fail_at);
void fault_disarm(void);

/* What the last armed window saw. */
uint64_t fault_count(enum fault_kind kind);
uint64_t fault_count_from(enum fault_kind kind, enum fault_origin o);
/* Whether the failure was injected, and which call it was ("pwrite64"). */
bool fault_injected(void);
const char *fault_injected_call(void);
enum fault_origin fault_injected_origin(void);
/* The failed call's stack, to `fd`. */
void fault_injected_report(int fd);
/* That stack (the caller of the allocator or I/O call first). */
int fault_injected_frames(void **out, int max);
/* The functions of the first `nframes` of `frames`, "f < g < h", in `buf`. */
void fault_frames_where(char *buf, size_t size, void *const *frames, int depth, int nframes);
/* The object that holds an address. */
enum fault_origin fault_origin_of(const void *addr);

/*
 * Deterministic randomness and clock for the children of the loops:
 * getrandom and getentropy return a fixed stream, time() and
 * CLOCK_REALTIME a fixed second, so that call k is the same call in every
 * iteration (no object name, id or fan-out directory differs).
 */
void fault_deterministic(uint64_t seed, int64_t now);

/*
 * Live-allocation tracking: from fault_track_begin, every allocation is
 * remembered until it is freed.  fault_track_live() is how many are still
 * live; with `backtraces`, each remembers its call stack and
 * fault_track_report writes those still live to `fd` (at most `max`).
 */
void fault_track_begin(bool backtraces);
size_t fault_track_live(void);
bool fault_track_overflowed(void);
void fault_track_end(void);
void fault_track_report(int fd, size_t max);

/*
 * The calls of the last armed window that order what is durable: syncs
 * (fsync, fdatasync, syncfs: the file or directory synced) and renames and
 * links (the new name), in the order made, and whether each succeeded.
 */
typedef struct {
	char call[12];
	char path[256];
	bool ok;
} fault_io_event;
size_t fault_io_log(const fault_io_event **out);

/* The real write(2), for reporting while anything may be armed. */
long fault_real_write(int fd, const void *buf, size_t len);

#endif
