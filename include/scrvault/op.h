/*
 * scrvault/op.h - dual control: operations that wait for a second
 * custodian (loading a policy, adding, re-keying or revoking a custodian,
 * granting a role that approves, ...).  The call that asks for one answers
 * {"pending":ID,...}; another custodian approves it (it runs then) or
 * refuses it: not the one who asked, not the one it concerns, and nobody
 * registered, re-keyed or granted a role since it was asked for.
 */
#ifndef SCRVAULT_OP_H
#define SCRVAULT_OP_H

#include "scrvault/vault.h"

int scrvault_op_approve(scrvault *v, const char *id);
int scrvault_op_refuse(scrvault *v, const char *id);
/*
 * Every operation, pending or decided: [{"id","action","target","state",
 * "requested_by","requested_fpr","requested_at","expires_at","decided_by",
 * "decided_fpr","decided_at"}], names and key fingerprints (first 16 bytes
 * of the SHA-256 of the Ed25519 public key, hex) of who asked and decided.
 */
int scrvault_op_list(scrvault_json **out, scrvault *v);
/*
 * Whether dual control is in force: {"in_force","approvers"} and, when it
 * is not (fewer than two custodians who could approve), a "message".
 */
int scrvault_op_status(scrvault_json **out, scrvault *v);

#endif
