/*
 * dynlib.c - libraries loaded when first needed (see dynlib.h).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "dynlib.h"

_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "dlsym: code and data pointers differ");

/* One lock for all libraries: loading is rare and each happens once. */
static pthread_mutex_t sv_dynlib_lock = PTHREAD_MUTEX_INITIALIZER;

static void dynlib_open(sv_dynlib *l)
{
	void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL), *sym;
	const char *name = l->soname, *e;

	if (!h) {
		/* the soname's failure is the one worth reporting */
		e = dlerror();
		snprintf(l->why, sizeof(l->why), "%s", e ? e : l->soname);
		if (!l->fallback || !(h = dlopen(l->fallback, RTLD_NOW | RTLD_LOCAL)))
			return;
		name = l->fallback;
	}
	for (size_t i = 0; i < l->nsyms; i++) {
		if (!(sym = dlsym(h, l->syms[i].name))) {
			snprintf(l->why, sizeof(l->why), "%s has no symbol %s", name, l->syms[i].name);
			return;
		}
		/* dlsym's data pointer copied into the function pointer, as POSIX allows */
		memcpy((char *)l->table + l->syms[i].off, &sym, sizeof(sym));
	}
	l->state = 1;	/* h stays open for the life of the process */
}

int sv_dynlib_load(sv_dynlib *l)
{
	int state;

	pthread_mutex_lock(&sv_dynlib_lock);
	if (l->state == 0) {
		l->state = -1;
		dynlib_open(l);
	}
	state = l->state;
	pthread_mutex_unlock(&sv_dynlib_lock);
	if (state < 0)
		return sv_error(SCRVAULT_ERROR, "cannot load %s (%s): %s", l->what, l->why, l->hint);
	return 0;
}
