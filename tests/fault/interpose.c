/*
 * interpose.c - the allocator and the disk-changing I/O calls of the fault
 * test program, counted and failed on demand (interpose.h).
 *
 * This file must never be linked into the library or into a program that
 * ships: it replaces malloc and friends and a score of system calls for the
 * whole process.  It is compiled without _FORTIFY_SOURCE (whose inline
 * wrappers of open and friends would clash with these definitions) and
 * linked with -rdynamic, so that the shared libraries' references bind here.
 *
 * The real allocator is glibc's own (__libc_malloc and friends); under
 * AddressSanitizer it is ASan's (__interceptor_malloc and friends), so ASan
 * still sees every block.  The real I/O calls are the next definitions
 * (dlsym(RTLD_NEXT)): libc's, or ASan's interceptors in front of them.
 *
 * Nothing here may allocate on the paths that count: the counters are
 * atomics, the live-allocation table is an mmap'd array, and calls the hooks
 * make themselves (dlsym, backtrace) are marked per thread and passed on.
 * Only globals are read until something is armed or tracked, because the
 * dynamic linker calls malloc before this program's thread-local storage
 * exists.
 */
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <link.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif
#include "interpose.h"

/* ---- the real allocator ---------------------------------------------------------------- */

#ifdef __SANITIZE_ADDRESS__
#define REAL_ALLOC(f) __interceptor_##f
#else
#define REAL_ALLOC(f) __libc_##f
#endif
extern void *REAL_ALLOC(malloc)(size_t n);
extern void *REAL_ALLOC(calloc)(size_t n, size_t size);
extern void *REAL_ALLOC(realloc)(void *p, size_t n);
extern void REAL_ALLOC(free)(void *p);
extern void *REAL_ALLOC(memalign)(size_t align, size_t n);
extern void *REAL_ALLOC(valloc)(size_t n);
extern void *REAL_ALLOC(pvalloc)(size_t n);

/* ---- state ------------------------------------------------------------------------------- */

/* Armed or tracking: only then is anything but the globals read. */
static volatile int g_active;
static volatile int g_armed;
static enum fault_kind g_kind;
static uint64_t g_fail_at;
static uint64_t g_count[FAULT_NKINDS];
static uint64_t g_from[FAULT_NKINDS][ORIGIN_N];
static volatile int g_injected;
static const char *g_injected_call = "";
static enum fault_origin g_injected_origin;
static void *g_injected_frames[48];
static int g_injected_depth;

/* The order of syncs, renames and links of the armed window. */
#define LOG_MAX 1024
static fault_io_event g_log[LOG_MAX];
static size_t g_nlog;

/* Calls the hooks make themselves pass straight on. */
static __thread int t_inhook;

/* ---- origins: the executable segments of the loaded objects ---------------------------- */

static struct range {
	uintptr_t lo, hi;
	enum fault_origin o;
} g_ranges[96];
static size_t g_nranges;

static int map_object(struct dl_phdr_info *info, size_t size, void *data)
{
	const char *name = info->dlpi_name ? info->dlpi_name : "";
	enum fault_origin o = ORIGIN_OTHER;
	int *first = data;

	(void)size;
	if (*first) {
		o = ORIGIN_PROGRAM;	/* the first object is the program */
		*first = 0;
	} else if (strstr(name, "libsqlcipher")) {
		o = ORIGIN_SQLCIPHER;
	} else if (strstr(name, "libgit2")) {
		o = ORIGIN_GIT2;
	} else if (strstr(name, "libcrypto")) {
		o = ORIGIN_CRYPTO;
	} else if (strstr(name, "/libc.so")) {
		o = ORIGIN_LIBC;
	}
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X) || g_nranges == sizeof(g_ranges) / sizeof(g_ranges[0]))
			continue;
		g_ranges[g_nranges].lo = info->dlpi_addr + ph->p_vaddr;
		g_ranges[g_nranges].hi = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
		g_ranges[g_nranges].o = o;
		g_nranges++;
	}
	return 0;
}

enum fault_origin fault_origin_of(const void *ra)
{
	uintptr_t a = (uintptr_t)ra;

	for (size_t i = 0; i < g_nranges; i++)
		if (a >= g_ranges[i].lo && a < g_ranges[i].hi)
			return g_ranges[i].o;
	return ORIGIN_OTHER;
}

const char *fault_origin_name(enum fault_origin o)
{
	static const char *const names[ORIGIN_N] = {
		"scrvault", "libsqlcipher", "libgit2", "libcrypto", "libc", "other"
	};

	return o < ORIGIN_N ? names[o] : "?";
}

const char *fault_kind_name(enum fault_kind k)
{
	return k == FAULT_ALLOC ? "allocation" : "I/O call";
}

/* ---- counting ---------------------------------------------------------------------------- */

/* Count one call of `kind`; true if it is the one to fail. */
static bool count_call(enum fault_kind kind, const char *name, const void *ra)
{
	enum fault_origin o;
	uint64_t n;

	if (!g_armed || t_inhook)
		return false;
	n = __atomic_add_fetch(&g_count[kind], 1, __ATOMIC_RELAXED);
	o = fault_origin_of(ra);
	__atomic_add_fetch(&g_from[kind][o], 1, __ATOMIC_RELAXED);
	if (kind != g_kind || n != g_fail_at)
		return false;
	g_injected_call = name;
	g_injected_origin = o;
	t_inhook = 1;
	g_injected_depth = backtrace(g_injected_frames, 48);
	t_inhook = 0;
	__atomic_store_n(&g_injected, 1, __ATOMIC_RELEASE);
	return true;
}

void fault_arm(enum fault_kind kind, uint64_t fail_at)
{
	memset(g_count, 0, sizeof(g_count));
	memset(g_from, 0, sizeof(g_from));
	g_injected = 0;
	g_injected_depth = 0;
	g_injected_call = "";
	g_injected_origin = ORIGIN_OTHER;
	g_kind = kind;
	g_fail_at = fail_at;
	g_nlog = 0;
	__atomic_store_n(&g_armed, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&g_active, 1, __ATOMIC_SEQ_CST);
}

void fault_disarm(void)
{
	__atomic_store_n(&g_armed, 0, __ATOMIC_SEQ_CST);
}

uint64_t fault_count(enum fault_kind kind)
{
	return g_count[kind];
}

uint64_t fault_count_from(enum fault_kind kind, enum fault_origin o)
{
	return g_from[kind][o];
}

bool fault_injected(void)
{
	return g_injected != 0;
}

const char *fault_injected_call(void)
{
	return g_injected_call;
}

enum fault_origin fault_injected_origin(void)
{
	return g_injected_origin;
}

int fault_injected_frames(void **out, int max)
{
	int n = g_injected && g_injected_depth > 2 ? g_injected_depth - 2 : 0;	/* not count_call, malloc */

	if (n > max)
		n = max;
	memcpy(out, g_injected_frames + 2, sizeof(out[0]) * (size_t)n);
	return n;
}

void fault_frames_where(char *buf, size_t size, void *const *frames, int depth, int nframes)
{
	char **names;
	size_t len = 0;

	buf[0] = '\0';
	if (depth < 1 || !(names = backtrace_symbols(frames, depth)))
		return;
	for (int i = 0, shown = 0, anon = 0; i < depth && shown < nframes && len + 2 < size; i++) {
		const char *open = strchr(names[i], '('), *end = open ? strpbrk(open, "+)") : NULL;
		const char *obj = strrchr(names[i], '/');
		int n;

		if (open && end && end > open + 1) {
			n = snprintf(buf + len, size - len, "%s%.*s", shown ? " < " : "", (int)(end - open - 1), open + 1);
			anon = 0;
		} else if (anon++) {
			continue;	/* a run of unnamed frames is shown once, by its first object */
		} else {
			n = snprintf(buf + len, size - len, "%s%.*s", shown ? " < " : "",
				     open ? (int)(open - (obj ? obj + 1 : names[i])) : 24, obj ? obj + 1 : names[i]);
		}
		if (n < 0)
			break;
		len += (size_t)n < size - len ? (size_t)n : size - len - 1;
		shown++;
	}
	free(names);
}

void fault_injected_report(int fd)
{
	if (g_injected && g_injected_depth > 1)
		backtrace_symbols_fd(g_injected_frames + 1, g_injected_depth - 1, fd);
}

/* ---- live-allocation tracking ------------------------------------------------------------- */

#define TRACK_BITS  15
#define TRACK_SLOTS (1u << TRACK_BITS)
#define TRACK_DEPTH 14
#define TRACK_STACKS 20000

/*
 * The table is shared (MAP_SHARED) between the parent and the children it
 * forks one at a time, so that a child does not pay a copy-on-write fault
 * for each page it touches; only a child tracks.  Call stacks, when asked
 * for, go to a separate pool in order of allocation.
 */
static struct slot {
	uintptr_t p;
	uint32_t stack;		/* 1 + index into g_stacks, or 0 */
} *g_tab;
static struct stack {
	int depth;
	void *frames[TRACK_DEPTH];
} *g_stacks;
static uint32_t g_nstacks;
static volatile int g_tracking;
static int g_track_bt;
static size_t g_live;
static int g_overflow;
static int g_lock;

static void lock(void)
{
	while (__atomic_test_and_set(&g_lock, __ATOMIC_ACQUIRE))
		;
}

static void unlock(void)
{
	__atomic_clear(&g_lock, __ATOMIC_RELEASE);
}

static size_t slot_of(uintptr_t p)
{
	return (size_t)(((uint64_t)p >> 4) * 0x9e3779b97f4a7c15ull >> (64 - TRACK_BITS));
}

static void track_add(void *ptr)
{
	void *frames[TRACK_DEPTH];
	int depth = 0;
	size_t i;

	if (!ptr || !g_tracking || t_inhook)
		return;
	if (g_track_bt) {
		t_inhook = 1;
		depth = backtrace(frames, TRACK_DEPTH);
		t_inhook = 0;
	}
	lock();
	if (g_live >= TRACK_SLOTS / 4 * 3) {
		g_overflow = 1;
		unlock();
		return;
	}
	for (i = slot_of((uintptr_t)ptr); g_tab[i].p; i = (i + 1) & (TRACK_SLOTS - 1))
		;
	g_tab[i].p = (uintptr_t)ptr;
	g_tab[i].stack = 0;
	if (depth && g_stacks && g_nstacks < TRACK_STACKS) {
		g_stacks[g_nstacks].depth = depth;
		memcpy(g_stacks[g_nstacks].frames, frames, sizeof(frames[0]) * (size_t)depth);
		g_tab[i].stack = ++g_nstacks;
	}
	g_live++;
	unlock();
}

static void track_remove(void *ptr)
{
	size_t i, j;

	if (!ptr || !g_tracking)
		return;
	lock();
	for (i = slot_of((uintptr_t)ptr); g_tab[i].p && g_tab[i].p != (uintptr_t)ptr; i = (i + 1) & (TRACK_SLOTS - 1))
		;
	if (!g_tab[i].p) {
		unlock();	/* allocated before tracking began */
		return;
	}
	/* Backward-shift deletion keeps every probe chain unbroken. */
	for (j = (i + 1) & (TRACK_SLOTS - 1); g_tab[j].p; j = (j + 1) & (TRACK_SLOTS - 1)) {
		size_t home = slot_of(g_tab[j].p);

		if (((j - home) & (TRACK_SLOTS - 1)) >= ((j - i) & (TRACK_SLOTS - 1))) {
			g_tab[i] = g_tab[j];
			i = j;
		}
	}
	g_tab[i].p = 0;
	g_live--;
	unlock();
}

static void *map(size_t size, int flags)
{
	void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);

	return m == MAP_FAILED ? NULL : m;
}

void fault_track_begin(bool backtraces)
{
	lock();
	if (!g_tab)
		g_tab = map(sizeof(*g_tab) * TRACK_SLOTS, MAP_SHARED);
	if (backtraces && !g_stacks)
		g_stacks = map(sizeof(*g_stacks) * TRACK_STACKS, MAP_PRIVATE);
	if (g_tab)
		memset(g_tab, 0, sizeof(*g_tab) * TRACK_SLOTS);
	g_nstacks = 0;
	g_live = 0;
	g_overflow = 0;
	g_track_bt = backtraces;
	unlock();
	if (g_tab) {
		__atomic_store_n(&g_active, 1, __ATOMIC_SEQ_CST);
		__atomic_store_n(&g_tracking, 1, __ATOMIC_SEQ_CST);
	}
}

size_t fault_track_live(void)
{
	return g_live;
}

bool fault_track_overflowed(void)
{
	return g_overflow != 0;
}

void fault_track_end(void)
{
	__atomic_store_n(&g_tracking, 0, __ATOMIC_SEQ_CST);
}

void fault_track_report(int fd, size_t max)
{
	size_t shown = 0;

	if (!g_tab)
		return;
	t_inhook = 1;
	for (size_t i = 0; i < TRACK_SLOTS && shown < max; i++) {
		char line[64];
		int n;

		if (!g_tab[i].p)
			continue;
		n = snprintf(line, sizeof(line), "# live block %zu:\n", ++shown);
		fault_real_write(fd, line, (size_t)n);
		if (g_tab[i].stack && g_stacks[g_tab[i].stack - 1].depth > 1)
			backtrace_symbols_fd(g_stacks[g_tab[i].stack - 1].frames + 1, g_stacks[g_tab[i].stack - 1].depth - 1, fd);
	}
	t_inhook = 0;
}

/* ---- the allocator ------------------------------------------------------------------------ */

#define ALLOC_FAILS(name) \
	(g_active && count_call(FAULT_ALLOC, name, __builtin_return_address(0)))

static void *nomem(void)
{
	errno = ENOMEM;
	return NULL;
}

void *malloc(size_t n)
{
	void *p;

	if (ALLOC_FAILS("malloc"))
		return nomem();
	p = REAL_ALLOC(malloc)(n);
	if (g_active)
		track_add(p);
	return p;
}

void *calloc(size_t n, size_t size)
{
	void *p;

	if (ALLOC_FAILS("calloc"))
		return nomem();
	p = REAL_ALLOC(calloc)(n, size);
	if (g_active)
		track_add(p);
	return p;
}

void *realloc(void *old, size_t n)
{
	void *p;

	if (old && n == 0) {	/* glibc frees: not an allocation */
		if (g_active)
			track_remove(old);
		return REAL_ALLOC(realloc)(old, n);
	}
	if (ALLOC_FAILS("realloc"))
		return nomem();	/* `old` stays as it was */
	p = REAL_ALLOC(realloc)(old, n);
	if (g_active && p) {
		track_remove(old);
		track_add(p);
	}
	return p;
}

void *reallocarray(void *old, size_t n, size_t size)
{
	size_t total;
	void *p;

	if (__builtin_mul_overflow(n, size, &total))
		return nomem();
	if (old && total == 0) {
		if (g_active)
			track_remove(old);
		return REAL_ALLOC(realloc)(old, total);
	}
	if (ALLOC_FAILS("reallocarray"))
		return nomem();
	p = REAL_ALLOC(realloc)(old, total);
	if (g_active && p) {
		track_remove(old);
		track_add(p);
	}
	return p;
}

void free(void *p)
{
	if (g_active)
		track_remove(p);
	REAL_ALLOC(free)(p);
}

void *memalign(size_t align, size_t n)
{
	void *p;

	if (ALLOC_FAILS("memalign"))
		return nomem();
	p = REAL_ALLOC(memalign)(align, n);
	if (g_active)
		track_add(p);
	return p;
}

void *aligned_alloc(size_t align, size_t n)
{
	void *p;

	if (ALLOC_FAILS("aligned_alloc"))
		return nomem();
	p = REAL_ALLOC(memalign)(align, n);
	if (g_active)
		track_add(p);
	return p;
}

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	if (ALLOC_FAILS("posix_memalign"))
		return ENOMEM;
	if (!(p = REAL_ALLOC(memalign)(align, n)))
		return ENOMEM;
	if (g_active)
		track_add(p);
	*out = p;
	return 0;
}

void *valloc(size_t n)
{
	void *p;

	if (ALLOC_FAILS("valloc"))
		return nomem();
	p = REAL_ALLOC(valloc)(n);
	if (g_active)
		track_add(p);
	return p;
}

void *pvalloc(size_t n)
{
	void *p;

	if (ALLOC_FAILS("pvalloc"))
		return nomem();
	p = REAL_ALLOC(pvalloc)(n);
	if (g_active)
		track_add(p);
	return p;
}

/* ---- the disk-changing I/O calls ---------------------------------------------------------- */

static void *next_symbol(const char *name)
{
	void *p;

	t_inhook++;
	p = dlsym(RTLD_NEXT, name);
	t_inhook--;
	if (!p) {
		static const char msg[] = "fault: cannot find the real I/O call\n";

		syscall(SYS_write, 2, msg, sizeof(msg) - 1);
		syscall(SYS_write, 2, name, strlen(name));
		_exit(99);
	}
	return p;
}

static void *resolve(void **slot, const char *name)
{
	if (!*slot)
		*slot = next_symbol(name);
	return *slot;
}

/* REAL(name): the next definition of `name`, found once. */
#define REAL(name) ((__typeof__(real_##name))resolve((void **)&real_##name, #name))

#define IO_FAILS(name) \
	(g_active && count_call(FAULT_IO, name, __builtin_return_address(0)))

static int eio(void)
{
	errno = EIO;
	return -1;
}

/* ---- the order of syncs, renames and links (interpose.h) ---- */


static void fd_path(char *out, size_t size, int fd)
{
	char link[40];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, out, size - 1);
	out[n > 0 ? n : 0] = '\0';
}

static void log_event(const char *call, int fd, int dirfd, const char *path, int rc)
{
	fault_io_event *e;

	if (!g_armed || t_inhook || g_nlog == LOG_MAX)
		return;
	e = &g_log[g_nlog++];
	snprintf(e->call, sizeof(e->call), "%s", call);
	e->ok = rc == 0;
	if (!path) {
		fd_path(e->path, sizeof(e->path), fd);
	} else if (path[0] == '/' || dirfd == AT_FDCWD) {
		snprintf(e->path, sizeof(e->path), "%s", path);
	} else {
		char dir[sizeof(e->path)];

		fd_path(dir, sizeof(dir), dirfd);
		snprintf(e->path, sizeof(e->path), "%.*s/%s", (int)(sizeof(e->path) / 2), dir, path);
	}
}

size_t fault_io_log(const fault_io_event **out)
{
	*out = g_log;
	return g_nlog;
}

/* Does an open with these flags change the disk (create, truncate, write)? */
static bool writes(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
}

static bool has_mode(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_openat64)(int, const char *, int, ...);
static int (*real___open_2)(const char *, int);
static int (*real___open64_2)(const char *, int);
static int (*real___openat_2)(int, const char *, int);
static int (*real___openat64_2)(int, const char *, int);
static int (*real_creat)(const char *, mode_t);
static int (*real_creat64)(const char *, mode_t);
static int (*real_mkstemp)(char *);
static int (*real_mkstemp64)(char *);
static int (*real_mkostemp)(char *, int);
static int (*real_mkostemp64)(char *, int);
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off64_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static ssize_t (*real_pwritev)(int, const struct iovec *, int, off_t);
static ssize_t (*real_pwritev64)(int, const struct iovec *, int, off64_t);
static ssize_t (*real_pwritev2)(int, const struct iovec *, int, off_t, int);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_syncfs)(int);
static int (*real_ftruncate)(int, off_t);
static int (*real_ftruncate64)(int, off64_t);
static int (*real_truncate)(const char *, off_t);
static int (*real_fallocate)(int, int, off_t, off_t);
static int (*real_posix_fallocate)(int, off_t, off_t);
static int (*real_rename)(const char *, const char *);
static int (*real_renameat)(int, const char *, int, const char *);
static int (*real_renameat2)(int, const char *, int, const char *, unsigned int);
static int (*real_link)(const char *, const char *);
static int (*real_linkat)(int, const char *, int, const char *, int);
static int (*real_symlink)(const char *, const char *);
static int (*real_unlink)(const char *);
static int (*real_unlinkat)(int, const char *, int);
static int (*real_rmdir)(const char *);
static int (*real_mkdir)(const char *, mode_t);
static int (*real_mkdirat)(int, const char *, mode_t);
static int (*real_chmod)(const char *, mode_t);
static int (*real_fchmod)(int, mode_t);
static int (*real_fchmodat)(int, const char *, mode_t, int);

long fault_real_write(int fd, const void *buf, size_t len)
{
	return REAL(write)(fd, buf, len);
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (has_mode(flags)) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (writes(flags) && IO_FAILS("open"))
		return eio();
	return REAL(open)(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (has_mode(flags)) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (writes(flags) && IO_FAILS("open64"))
		return eio();
	return REAL(open64)(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (has_mode(flags)) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (writes(flags) && IO_FAILS("openat"))
		return eio();
	return REAL(openat)(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (has_mode(flags)) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (writes(flags) && IO_FAILS("openat64"))
		return eio();
	return REAL(openat64)(dirfd, path, flags, mode);
}

/* _FORTIFY_SOURCE's open without a mode (flags not known at compile time). */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

int __open_2(const char *path, int flags)
{
	if (writes(flags) && IO_FAILS("__open_2"))
		return eio();
	return REAL(__open_2)(path, flags);
}

int __open64_2(const char *path, int flags)
{
	if (writes(flags) && IO_FAILS("__open64_2"))
		return eio();
	return REAL(__open64_2)(path, flags);
}

int __openat_2(int dirfd, const char *path, int flags)
{
	if (writes(flags) && IO_FAILS("__openat_2"))
		return eio();
	return REAL(__openat_2)(dirfd, path, flags);
}

int __openat64_2(int dirfd, const char *path, int flags)
{
	if (writes(flags) && IO_FAILS("__openat64_2"))
		return eio();
	return REAL(__openat64_2)(dirfd, path, flags);
}

int creat(const char *path, mode_t mode)
{
	return IO_FAILS("creat") ? eio() : REAL(creat)(path, mode);
}

int creat64(const char *path, mode_t mode)
{
	return IO_FAILS("creat64") ? eio() : REAL(creat64)(path, mode);
}

int mkstemp(char *tmpl)
{
	return IO_FAILS("mkstemp") ? eio() : REAL(mkstemp)(tmpl);
}

int mkstemp64(char *tmpl)
{
	return IO_FAILS("mkstemp64") ? eio() : REAL(mkstemp64)(tmpl);
}

int mkostemp(char *tmpl, int flags)
{
	return IO_FAILS("mkostemp") ? eio() : REAL(mkostemp)(tmpl, flags);
}

int mkostemp64(char *tmpl, int flags)
{
	return IO_FAILS("mkostemp64") ? eio() : REAL(mkostemp64)(tmpl, flags);
}

ssize_t write(int fd, const void *buf, size_t len)
{
	return IO_FAILS("write") ? eio() : REAL(write)(fd, buf, len);
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	return IO_FAILS("pwrite") ? eio() : REAL(pwrite)(fd, buf, len, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t len, off64_t off)
{
	return IO_FAILS("pwrite64") ? eio() : REAL(pwrite64)(fd, buf, len, off);
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
	return IO_FAILS("writev") ? eio() : REAL(writev)(fd, iov, n);
}

ssize_t pwritev(int fd, const struct iovec *iov, int n, off_t off)
{
	return IO_FAILS("pwritev") ? eio() : REAL(pwritev)(fd, iov, n, off);
}

ssize_t pwritev64(int fd, const struct iovec *iov, int n, off64_t off)
{
	return IO_FAILS("pwritev64") ? eio() : REAL(pwritev64)(fd, iov, n, off);
}

ssize_t pwritev2(int fd, const struct iovec *iov, int n, off_t off, int flags)
{
	return IO_FAILS("pwritev2") ? eio() : REAL(pwritev2)(fd, iov, n, off, flags);
}

int fsync(int fd)
{
	int rc = IO_FAILS("fsync") ? eio() : REAL(fsync)(fd);

	log_event("fsync", fd, 0, NULL, rc);
	return rc;
}

int fdatasync(int fd)
{
	int rc = IO_FAILS("fdatasync") ? eio() : REAL(fdatasync)(fd);

	log_event("fdatasync", fd, 0, NULL, rc);
	return rc;
}

int syncfs(int fd)
{
	int rc = IO_FAILS("syncfs") ? eio() : REAL(syncfs)(fd);

	log_event("syncfs", fd, 0, NULL, rc);
	return rc;
}

int ftruncate(int fd, off_t len)
{
	return IO_FAILS("ftruncate") ? eio() : REAL(ftruncate)(fd, len);
}

int ftruncate64(int fd, off64_t len)
{
	return IO_FAILS("ftruncate64") ? eio() : REAL(ftruncate64)(fd, len);
}

int truncate(const char *path, off_t len)
{
	return IO_FAILS("truncate") ? eio() : REAL(truncate)(path, len);
}

int fallocate(int fd, int mode, off_t off, off_t len)
{
	return IO_FAILS("fallocate") ? eio() : REAL(fallocate)(fd, mode, off, len);
}

int posix_fallocate(int fd, off_t off, off_t len)
{
	return IO_FAILS("posix_fallocate") ? EIO : REAL(posix_fallocate)(fd, off, len);
}

int rename(const char *from, const char *to)
{
	int rc = IO_FAILS("rename") ? eio() : REAL(rename)(from, to);

	log_event("rename", 0, AT_FDCWD, to, rc);
	return rc;
}

int renameat(int fromfd, const char *from, int tofd, const char *to)
{
	int rc = IO_FAILS("renameat") ? eio() : REAL(renameat)(fromfd, from, tofd, to);

	log_event("renameat", 0, tofd, to, rc);
	return rc;
}

int renameat2(int fromfd, const char *from, int tofd, const char *to, unsigned int flags)
{
	int rc = IO_FAILS("renameat2") ? eio() : REAL(renameat2)(fromfd, from, tofd, to, flags);

	log_event("renameat2", 0, tofd, to, rc);
	return rc;
}

int link(const char *from, const char *to)
{
	int rc = IO_FAILS("link") ? eio() : REAL(link)(from, to);

	log_event("link", 0, AT_FDCWD, to, rc);
	return rc;
}

int linkat(int fromfd, const char *from, int tofd, const char *to, int flags)
{
	int rc = IO_FAILS("linkat") ? eio() : REAL(linkat)(fromfd, from, tofd, to, flags);

	log_event("linkat", 0, tofd, to, rc);
	return rc;
}

int symlink(const char *target, const char *path)
{
	return IO_FAILS("symlink") ? eio() : REAL(symlink)(target, path);
}

int unlink(const char *path)
{
	return IO_FAILS("unlink") ? eio() : REAL(unlink)(path);
}

int unlinkat(int dirfd, const char *path, int flags)
{
	return IO_FAILS("unlinkat") ? eio() : REAL(unlinkat)(dirfd, path, flags);
}

int rmdir(const char *path)
{
	return IO_FAILS("rmdir") ? eio() : REAL(rmdir)(path);
}

int mkdir(const char *path, mode_t mode)
{
	return IO_FAILS("mkdir") ? eio() : REAL(mkdir)(path, mode);
}

int mkdirat(int dirfd, const char *path, mode_t mode)
{
	return IO_FAILS("mkdirat") ? eio() : REAL(mkdirat)(dirfd, path, mode);
}

int chmod(const char *path, mode_t mode)
{
	return IO_FAILS("chmod") ? eio() : REAL(chmod)(path, mode);
}

int fchmod(int fd, mode_t mode)
{
	return IO_FAILS("fchmod") ? eio() : REAL(fchmod)(fd, mode);
}

int fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
	return IO_FAILS("fchmodat") ? eio() : REAL(fchmodat)(dirfd, path, mode, flags);
}

/* ---- deterministic randomness and clock ----------------------------------------------------- */

static volatile int g_determ;
static uint64_t g_rng;
static int64_t g_now;
static ssize_t (*real_getrandom)(void *, size_t, unsigned int);
static int (*real_getentropy)(void *, size_t);
static time_t (*real_time)(time_t *);
static int (*real_gettimeofday)(struct timeval *, void *);
static int (*real_clock_gettime)(clockid_t, struct timespec *);

static void fill(void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len > 0) {
		uint64_t z = (g_rng += 0x9e3779b97f4a7c15ull);
		size_t k = len < 8 ? len : 8;

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		z ^= z >> 31;
		memcpy(p, &z, k);
		p += k;
		len -= k;
	}
}

void fault_deterministic(uint64_t seed, int64_t now)
{
	g_rng = seed;
	g_now = now;
	g_determ = 1;
}

ssize_t getrandom(void *buf, size_t len, unsigned int flags)
{
	if (!g_determ)
		return REAL(getrandom)(buf, len, flags);
	fill(buf, len);
	return (ssize_t)len;
}

int getentropy(void *buf, size_t len)
{
	if (!g_determ)
		return REAL(getentropy)(buf, len);
	if (len > 256) {
		errno = EIO;
		return -1;
	}
	fill(buf, len);
	return 0;
}

time_t time(time_t *t)
{
	time_t now;

	if (!g_determ)
		return REAL(time)(t);
	now = (time_t)g_now;
	if (t)
		*t = now;
	return now;
}

int gettimeofday(struct timeval *tv, void *tz)
{
	if (!g_determ)
		return REAL(gettimeofday)(tv, tz);
	tv->tv_sec = (time_t)g_now;
	tv->tv_usec = 0;
	return 0;
}

int clock_gettime(clockid_t clk, struct timespec *ts)
{
	if (!g_determ || (clk != CLOCK_REALTIME && clk != CLOCK_REALTIME_COARSE))
		return REAL(clock_gettime)(clk, ts);
	ts->tv_sec = (time_t)g_now;
	ts->tv_nsec = 0;
	return 0;
}

/* ---- set-up ------------------------------------------------------------------------------- */

void fault_init(void)
{
	void *frames[4];
	int first = 1;

	t_inhook++;
	if (!g_tab)
		g_tab = map(sizeof(*g_tab) * TRACK_SLOTS, MAP_SHARED);
	g_nranges = 0;
	dl_iterate_phdr(map_object, &first);
	/*
	 * backtrace() loads the unwinder (libgcc_s) with dlopen on first use:
	 * now, not inside malloc.  LeakSanitizer does not take the loader's
	 * blocks for leaks when the loader calls its malloc itself, but here
	 * this file's malloc stands between them.
	 */
#ifdef __SANITIZE_ADDRESS__
	__lsan_disable();
#endif
	backtrace(frames, 4);
#ifdef __SANITIZE_ADDRESS__
	__lsan_enable();
#endif
	/* Every real call resolved now, while nothing is armed. */
	(void)REAL(open); (void)REAL(open64); (void)REAL(openat); (void)REAL(openat64);
	(void)REAL(__open_2); (void)REAL(__open64_2); (void)REAL(__openat_2); (void)REAL(__openat64_2);
	(void)REAL(creat); (void)REAL(creat64); (void)REAL(mkstemp); (void)REAL(mkstemp64);
	(void)REAL(mkostemp); (void)REAL(mkostemp64);
	(void)REAL(write); (void)REAL(pwrite); (void)REAL(pwrite64); (void)REAL(writev);
	(void)REAL(pwritev); (void)REAL(pwritev64); (void)REAL(pwritev2);
	(void)REAL(fsync); (void)REAL(fdatasync); (void)REAL(syncfs);
	(void)REAL(ftruncate); (void)REAL(ftruncate64); (void)REAL(truncate);
	(void)REAL(fallocate); (void)REAL(posix_fallocate);
	(void)REAL(rename); (void)REAL(renameat); (void)REAL(renameat2);
	(void)REAL(link); (void)REAL(linkat); (void)REAL(symlink);
	(void)REAL(unlink); (void)REAL(unlinkat); (void)REAL(rmdir);
	(void)REAL(mkdir); (void)REAL(mkdirat); (void)REAL(chmod); (void)REAL(fchmod); (void)REAL(fchmodat);
	(void)REAL(getrandom); (void)REAL(getentropy); (void)REAL(time); (void)REAL(gettimeofday);
	(void)REAL(clock_gettime);
	t_inhook--;
}
