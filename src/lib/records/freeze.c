/*
 * freeze.c - a concluded case is frozen: its masters are what the board
 * approved (000 §11.3, §11.9).  Check-in (single, batch, intake import),
 * declaring a master and signing off ask here first; the refusal is exit 6
 * and an audited denial.  Only 'case reopen' (records/master.c), by a
 * custodian with a reason and under dual control, unfreezes a case.  This
 * module reads; it never changes a case.
 */
#include <stdio.h>
#include "records/freeze.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "base/common.h"

int sv_case_frozen(scrvault *v, const char *action, const sv_about *about)
{
	char concluded[16] = "";
	int64_t id = 0;
	int error;

	if (!about || !about->caseref)
		return 0;
	if ((error = sv_db_text_int(concluded, sizeof(concluded), &id, v->db, "SELECT coalesce(concluded_on, ''), id"
				    " FROM cases WHERE ref = ?", "t", about->caseref)) < 0)
		return error;
	if (!concluded[0])
		return 0;
	sv_error(SCRVAULT_ECONFLICT, "case '%s' concluded on %s and is frozen: its masters are what the board "
		 "approved (a custodian reopens it with 'scrvault case reopen %s --reason TEXT', which a second "
		 "custodian approves)", about->caseref, concluded, about->caseref);
	return sv_audit_denied(v, action, about, SV_FIELDS(SV_STR("reason", "case concluded")), SCRVAULT_ECONFLICT);
}
