/*
 * contract_stubs.c - TEMPORARY: weak stand-ins for the parts of the public
 * API (session.h) that another branch implements (lib20), so scrvaultd links and its sealed-state behaviour can be
 * tested before they are merged.  Each refuses.  The library's own
 * definitions, once merged, replace these at link time; this file is then
 * deleted.
 */
#include "scrvault/scrvault.h"
#include "scrvault/session.h"

#define WEAK __attribute__((weak))
#define NOT_YET SCRVAULT_ERROR

WEAK int scrvault_unseal_offer_new(scrvault_unseal_offer **o, scrvault_json **out, const char *dir)
{ (void)dir; *o = NULL; *out = NULL; return NOT_YET; }
WEAK void scrvault_unseal_offer_free(scrvault_unseal_offer *o) { (void)o; }
WEAK int scrvault_vault_unseal(scrvault **out, scrvault_unseal_offer *o, const scrvault_json *a, unsigned f)
{ (void)o; (void)a; (void)f; *out = NULL; return NOT_YET; }
WEAK void scrvault_vault_seal(scrvault *v, const char *reason) { (void)reason; scrvault_vault_close(v); }
WEAK int scrvault_vault_flush(scrvault *v) { (void)v; return 0; }
WEAK int scrvault_session_challenge(scrvault_json **out, scrvault *v, const char *p)
{ (void)v; (void)p; *out = NULL; return NOT_YET; }
WEAK int scrvault_session_login(scrvault_json **out, scrvault *v, const scrvault_login_spec *s)
{ (void)v; (void)s; *out = NULL; return NOT_YET; }
WEAK int scrvault_session_resume(scrvault *v, const char *t, const scrvault_act_options *o)
{ (void)v; (void)t; (void)o; return SCRVAULT_EDENIED; }
WEAK int scrvault_session_end(scrvault *v, const char *t) { (void)v; (void)t; return NOT_YET; }
WEAK int scrvault_session_list(scrvault_json **out, scrvault *v) { (void)v; *out = NULL; return NOT_YET; }
WEAK int scrvault_session_revoke(scrvault_json **out, scrvault *v, const char *id)
{ (void)v; (void)id; *out = NULL; return NOT_YET; }
