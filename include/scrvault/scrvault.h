/*
 * scrvault.h - the public API of libscrvault, a vault for Serious Case Review
 * records.  The command line (src/cli) uses nothing else.
 */
#ifndef SCRVAULT_H
#define SCRVAULT_H

#include "scrvault/error.h"
#include "scrvault/json.h"
#include "scrvault/vault.h"
#include "scrvault/records.h"
#include "scrvault/audit.h"
#include "scrvault/policy.h"

#define SCRVAULT_VERSION "0.1.0"

#endif
