/*
 * authz.c - the permission check every entry point makes before it acts.
 *
 * Until policy files are loaded (policy.c), the built-in roles are:
 * coordinator (every action), auditor (audit and listing actions only, never
 * document content).  A refusal is itself an audit entry.
 */
#include <string.h>
#include "vault_int.h"
#include "authz.h"

static const char *const auditor_actions[] = {
	"audit.read", "principal.list", "case.list", "doc.list", "fsck", NULL
};

static bool allowed(const char *role, const char *action)
{
	if (strcmp(role, "coordinator") == 0)
		return true;
	if (strcmp(role, "auditor") == 0) {
		for (int i = 0; auditor_actions[i]; i++)
			if (strcmp(auditor_actions[i], action) == 0)
				return true;
	}
	return false;
}

int sv_authorize(scrvault *v, const char *action, sv_json *objects)
{
	sv_json *det;

	if (allowed(v->role, action)) {
		sv_json_free(objects);
		return 0;
	}
	sv_error(SCRVAULT_EDENIED, "role '%s' does not have permission '%s'", v->role, action);
	det = sv_json_object();
	if (det)
		sv_json_set_str(det, "missing_permission", action);
	return sv_audit_denied(v, action, objects, det, SCRVAULT_EDENIED);
}

bool sv_role_known(const char *role)
{
	return strcmp(role, "coordinator") == 0 || strcmp(role, "auditor") == 0;
}
