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

#endif
