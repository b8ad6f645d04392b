/*
 * fault.h - test hooks, compiled into test builds only.
 *
 * A test build (make test builds one beside the release build) defines
 * SV_TEST_HOOKS; there SV_TEST_GETENV(name) reads the environment, which the
 * test suites use to steer a hook (make the k-th audit append fail, run the
 * batch check-out on N threads).  In every other build it is a constant NULL
 * and the name is not even compiled in, so no shipped binary can be steered
 * by such a variable.
 */
#ifndef SV_BASE_FAULT_H
#define SV_BASE_FAULT_H

#include <stdlib.h>
#include "base/common.h"

#ifdef SV_TEST_HOOKS
#define SV_TEST_GETENV(name) getenv(name)
#else
#define SV_TEST_GETENV(name) ((const char *)NULL)
#endif

/*
 * SV_TEST_POINT(name): a named point a crash test can aim a SIGKILL at
 * (SCRVAULT_TEST_KILL_AT=name), for instance the moment a ref's lock file
 * is held (store.c, "lock:refs/heads/main").  Nothing in other builds.
 */
#ifdef SV_TEST_HOOKS
#include <signal.h>
#include <string.h>
#define SV_TEST_POINT(name) do { \
		const char *at_ = getenv("SCRVAULT_TEST_KILL_AT"); \
		if (at_ && strcmp(at_, (name)) == 0) \
			raise(SIGKILL); \
	} while (0)
#else
#define SV_TEST_POINT(name) ((void)0)
#endif

#endif
