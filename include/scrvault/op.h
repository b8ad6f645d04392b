/*
 * scrvault/op.h - dual control: operations that wait for a second
 * custodian (loading a policy, revoking a custodian, ...).  The call that
 * asks for one answers {"pending":ID,...}; a different custodian approves
 * it (it runs then) or refuses it.
 */
#ifndef SCRVAULT_OP_H
#define SCRVAULT_OP_H

#include "scrvault/vault.h"

int scrvault_op_approve(scrvault *v, const char *id);
int scrvault_op_refuse(scrvault *v, const char *id);
/* Every operation, pending or decided: who asked, who decided, when. */
int scrvault_op_list(scrvault_json **out, scrvault *v);

#endif
