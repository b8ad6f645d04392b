/*
 * keys.c - every key each principal ever had (principal_keys: public keys,
 * from, until, why it ended), so that a release cannot be addressed to a key
 * its holder has rotated away from or lost with their revocation, and so
 * that `principal impact` finds what went to any of them.
 *
 * principal_keys is written only here (sv_principal_keys_replace), by
 * principal add, rotate and revoke; the principals row keeps the current
 * keys, which unlock and act-as compare.  Private keys are never seen here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "records/keys.h"
#include "vault/log.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "storage/rows.h"
#include "crypto/age.h"
#include "crypto/crypto.h"
#include "base/common.h"
#include "base/date.h"
#include "base/json.h"

int sv_principal_keys_replace(scrvault *v, int64_t pid, const unsigned char *ed_pub,
			      const unsigned char *x_pub, const char *why)
{
	char when[21];
	int error;

	if (!ed_pub != !x_pub)
		return sv_error(SCRVAULT_ERROR, "a principal's keys change together");
	sv_time_iso(when, sv_now());
	if ((error = sv_db_run(v->db, "UPDATE principal_keys SET until_at = ?, ended_by = ?"
			       " WHERE principal_id = ? AND until_at IS NULL", "tti", when,
			       why ? why : "replaced", pid)) < 0 || !ed_pub)
		return error;
	if ((error = sv_db_run(v->db, "UPDATE principals SET ed25519_pub = ?, x25519_pub = ? WHERE id = ?", "bbi",
			       ed_pub, (size_t)SV_KEY_LEN, x_pub, (size_t)SV_KEY_LEN, pid)) < 0)
		return error;
	return sv_db_run(v->db, "INSERT INTO principal_keys(principal_id, ed25519_pub, x25519_pub, from_at)"
			 " VALUES (?, ?, ?, ?)", "ibbt", pid, ed_pub, (size_t)SV_KEY_LEN, x_pub, (size_t)SV_KEY_LEN,
			 when);
}

int sv_recipient_check(scrvault *v, const char *action, const sv_about *about,
		       const unsigned char x_pub[SV_KEY_LEN], const char *given)
{
	char name[80] = "", until[32] = "", why[16] = "";
	sv_stmt *st = NULL;
	int error;

	/* A key that ended, or any key of a principal who is no longer active
	 * (a revocation recorded before the history was kept included). */
	if ((error = sv_db_query(&st, v->db,
				 "SELECT p.name, coalesce(k.until_at, p.revoked_at, ''),"
				 " CASE WHEN p.status <> 'active' THEN 'revoked' ELSE coalesce(k.ended_by, 'rotated') END"
				 " FROM principal_keys k JOIN principals p ON p.id = k.principal_id"
				 " WHERE k.x25519_pub = ?1 AND (k.until_at IS NOT NULL OR p.status <> 'active')"
				 " UNION ALL SELECT name, coalesce(revoked_at, ''), 'revoked' FROM principals"
				 " WHERE x25519_pub = ?1 AND status <> 'active' LIMIT 1",
				 "b", x_pub, (size_t)SV_KEY_LEN)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1)
		sv_stmt_texts(st, 0, name, sizeof(name), until, sizeof(until), why, sizeof(why), NULL);
	sv_stmt_free(st);
	if (error <= 0)
		return error;
	if (!strcmp(why, "revoked"))
		sv_error(SCRVAULT_EDENIED, "'%.80s' is a key of principal '%s', revoked%s%.20s: nothing is "
			       "released or addressed to it", given, name, until[0] ? " on " : "", until);
	else
		sv_error(SCRVAULT_EDENIED, "'%.80s' is a key principal '%s' replaced%s%.20s: nothing is "
			       "released or addressed to it (use their current key: give their name)", given, name,
			       until[0] ? " on " : "", until);
	return sv_audit_denied(v, action, about, SV_FIELDS(SV_STR("reason", !strcmp(why, "revoked") ?
								   "recipient key revoked" : "recipient key replaced"),
							   SV_STR("key_of", name)), SCRVAULT_EDENIED);
}

int sv_principal_releases(sv_json **out, scrvault *v, int64_t pid)
{
	sv_stmt *st = NULL;
	char *keys = NULL, *enc = NULL;
	size_t len = 1, used = 0;
	int error;

	/* " age1... age1... ": every X25519 key the principal ever had, as a
	 * release ledger records a recipient. */
	if (!(keys = sv_strdup(" ")))
		return SCRVAULT_ERROR;
	if ((error = sv_db_query(&st, v->db, "SELECT x25519_pub FROM principal_keys WHERE principal_id = ?1"
				 " UNION SELECT x25519_pub FROM principals WHERE id = ?1", "i", pid)) < 0)
		goto done;
	while ((error = sv_stmt_step(st)) == 1) {
		size_t blen = 0;
		const unsigned char *b = sv_stmt_blob(st, 0, &blen);
		char *grown;

		if (!b || blen != SV_KEY_LEN)
			continue;
		if ((error = sv_age_recipient_encode(&enc, b)) < 0)
			break;
		used = strlen(keys);
		len = used + strlen(enc) + 2;
		if (!(grown = sv_realloc(keys, len))) {
			error = SCRVAULT_ERROR;
			break;
		}
		keys = grown;
		snprintf(keys + used, len - used, "%s ", enc);
		free(enc);
		enc = NULL;
	}
	sv_stmt_free(st);
	if (error < 0)
		goto done;
	error = sv_rows_json(out, v->db, SV_COLS({ "kind", SV_COL_TEXT }, { "doc", SV_COL_TEXT },
						 { "version", SV_COL_INT }, { "case", SV_COL_TEXT },
						 { "class", SV_COL_TEXT }, { "role", SV_COL_TEXT },
						 { "released_at", SV_COL_TEXT }, { "to", SV_COL_TEXT },
						 { "request", SV_COL_TEXT }, { "audit_seq", SV_COL_INT }), NULL, NULL,
			     "SELECT * FROM ("
			     " SELECT CASE WHEN r.role = 'recipient' THEN 'release' ELSE 'checkout' END, r.doc_id,"
			     "  r.version, c.ref, d.class, r.role, r.released_at,"
			     "  (SELECT b.to_recipient FROM bundle_releases b WHERE b.audit_seq = r.audit_seq),"
			     "  r.request, r.audit_seq"
			     "  FROM releases r JOIN documents d ON d.id = r.doc_id JOIN cases c ON c.id = d.case_id"
			     "  WHERE r.principal_id = ?1"
			     " UNION ALL SELECT 'release (age key)', b.doc_id, b.version, c.ref, d.class, NULL,"
			     "  b.released_at, b.to_recipient, b.request, b.audit_seq"
			     "  FROM bundle_releases b JOIN documents d ON d.id = b.doc_id JOIN cases c ON c.id = d.case_id"
			     "  WHERE b.to_principal IS NULL AND instr(?2, ' ' || b.to_recipient || ' ') > 0"
			     " UNION ALL SELECT 'paper copy', k.doc_id, k.version, c.ref, d.class, NULL, e.at, NULL,"
			     "  NULL, e.audit_seq"
			     "  FROM copy_events e JOIN copies k ON k.id = e.copy_id JOIN documents d ON d.id = k.doc_id"
			     "  JOIN cases c ON c.id = d.case_id"
			     "  WHERE e.event = 'issue' AND e.holder_id = ?1 AND k.kind = 'paper'"
			     ") ORDER BY 10", "it", pid, keys);
done:
	free(enc);
	free(keys);
	return error;
}
