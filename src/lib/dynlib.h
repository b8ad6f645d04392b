/*
 * dynlib.h - libraries loaded when first needed (dlopen) instead of linked.
 *
 * Linking a library makes every run of scrvault map it and everything it
 * depends on, needed or not: libgit2 and SQLCipher (with krb5, mbedTLS,
 * libssh2, PCRE2, ...) cost each command about 1 ms before main, and
 * `intake seal` and `open` use neither; libqpdf (libstdc++, GnuTLS, ...)
 * cost 3.7 ms and only `copy print` uses it.  Each such library is instead
 * used through a table of function pointers that the one module calling it
 * fills on first use:
 *
 *   #define FOO_FUNCS(X) X(foo_open) X(foo_close)    every function called
 *   static struct foo_fns { FOO_FUNCS(SV_DYN_MEMBER) } foo;
 *   #define FOO_SYM(f) SV_DYN_SYM(struct foo_fns, f)
 *   static const sv_dynsym foo_syms[] = { FOO_FUNCS(FOO_SYM) };
 *   static sv_dynlib foo_lib = { "libfoo.so.1", NULL, "libfoo",
 *       "install the Debian package libfoo1", foo_syms,
 *       SV_ARRAY_SIZE(foo_syms), &foo };
 *   #define foo_open foo.foo_open                     after all of the above
 *   #define foo_close foo.foo_close
 *
 * and every entry point that can reach a foo_ call first checks
 * sv_dynlib_load(&foo_lib).  The library's header is still included: it
 * declares the functions (SV_DYN_MEMBER types each pointer from its
 * declaration), constants and types.  A function left out of the list keeps
 * its direct call, which is an undefined reference when scrvault is linked.
 *
 * A library is loaded by its soname through the dynamic linker's usual
 * search, as a linked library would be; it is loaded once per process,
 * RTLD_NOW | RTLD_LOCAL, and never unloaded.  If a test program links the
 * same library itself, dlopen returns that copy.
 */
#ifndef SV_DYNLIB_H
#define SV_DYNLIB_H

#include <stddef.h>
#include "common.h"

/* One function: its name and where its pointer sits in the table. */
typedef struct {
	const char *name;
	size_t off;
} sv_dynsym;

typedef struct {
	const char *soname;	/* dlopen'd first */
	const char *fallback;	/* tried if the soname fails to load, or NULL */
	const char *what;	/* the library in messages: "libqpdf" */
	const char *hint;	/* what to do if it cannot be loaded */
	const sv_dynsym *syms;
	size_t nsyms;
	void *table;		/* a struct of SV_DYN_MEMBER pointers */
	/* set by sv_dynlib_load, under its lock */
	int state;		/* 0 not tried, 1 loaded, -1 failed */
	char why[256];		/* why it failed */
} sv_dynlib;

/* A table member: a pointer typed from the function's declaration. */
#define SV_DYN_MEMBER(f) __typeof__(&f) f;
/* The symbol list entry for function f of table type T. */
#define SV_DYN_SYM(T, f) { #f, offsetof(T, f) },

/*
 * Load the library and fill its table, once per process (later calls return
 * the first one's result).  0, or SCRVAULT_ERROR with the message
 * "cannot load <what> (<reason>): <hint>".
 */
int sv_dynlib_load(sv_dynlib *l);

#endif
