/*
 * scrvault.h - the public API of libscrvault, a vault for Serious Case
 * Review records: every public header.  The programs (scrvault,
 * scrvault-seal) use nothing else.
 *
 * Conventions (libgit2's): functions are scrvault_<noun>_<verb>; the output
 * comes first and is named out; each returns 0 or a negative SCRVAULT_E*
 * code with scrvault_error_message() (and scrvault_error_field()) set;
 * _free and _close are safe on NULL; options structs carry a version and
 * are initialised with their *_INIT macro (scrvault/common.h).
 */
#ifndef SCRVAULT_H
#define SCRVAULT_H

#include "scrvault/common.h"
#include "scrvault/error.h"
#include "scrvault/json.h"
#include "scrvault/vault.h"
#include "scrvault/principal.h"
#include "scrvault/case.h"
#include "scrvault/referral.h"
#include "scrvault/doc.h"
#include "scrvault/copy.h"
#include "scrvault/request.h"
#include "scrvault/hold.h"
#include "scrvault/retention.h"
#include "scrvault/policy.h"
#include "scrvault/op.h"
#include "scrvault/audit.h"
#include "scrvault/intake.h"
#include "scrvault/seal.h"
#include "scrvault/keyfile.h"
#include "scrvault/mirror.h"
#include "scrvault/backup.h"
#include "scrvault/restore.h"
#include "scrvault/fsck.h"
#include "scrvault/agenda.h"
#include "scrvault/timeline.h"
#include "scrvault/report.h"
#include "scrvault/session.h"
#include "scrvault/passkey.h"
#include "scrvault/upload.h"
#include "scrvault/tls.h"

#define SCRVAULT_VERSION "0.2.0"

#endif
