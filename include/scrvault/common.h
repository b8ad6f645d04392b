/*
 * scrvault/common.h - what every public header shares: the handle, secrets
 * and the conventions of option structs.
 *
 * Every options struct starts with `unsigned int version`; initialise it
 * with its *_INIT macro, which sets the version the program was compiled
 * against, and fill in the members that matter:
 *
 *   scrvault_case_spec s = SCRVAULT_CASE_SPEC_INIT;
 *   s.ref = "SCR-2026-03";
 *   s.title = "...";
 *   error = scrvault_case_open(v, &s);
 *
 * A struct of a version the library does not know is SCRVAULT_EUSAGE, so a
 * program built against a newer header fails cleanly with an older library.
 */
#ifndef SCRVAULT_COMMON_H
#define SCRVAULT_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "scrvault/error.h"
#include "scrvault/json.h"

/* One unlocked session of one principal acting in one role (vault.h). */
typedef struct scrvault scrvault;

/* A passphrase in secure memory (vault.h). */
typedef struct sv_secret scrvault_secret;

#endif
