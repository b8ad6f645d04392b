/*
 * find.c - finding what a user names: a principal by name, a document id or
 * unique prefix, a version's record.  Lookups only; no checks of
 * permission, no writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include "vault/find.h"
#include "vault/authz.h"
#include "vault/keyrelease.h"
#include "vault/session.h"
#include "storage/db.h"
#include "crypto/crypto.h"
#include "base/common.h"

/*
 * Resolve a document id or unique prefix (at least 6 hex characters) to the
 * full id; also gives its case reference.  With an action, only documents
 * the session's role reaches count: one it does not reach is answered as
 * one that does not exist (and recorded as a refusal of `action`), and
 * never makes a prefix ambiguous.
 */
int sv_doc_resolve(char out[SV_DOC_ID_LEN + 1], char caseref[40], scrvault *v, const char *action,
		   const char *doc)
{
	sv_stmt *st = NULL;
	size_t n = doc ? strlen(doc) : 0;
	char pattern[SV_DOC_ID_LEN + 2], hidden[SV_DOC_ID_LEN + 1] = "", hidden_case[40] = "";
	int error, rows = 0, nhidden = 0;

	if (n < 6 || n > SV_DOC_ID_LEN || strspn(doc, "0123456789abcdef") != n)
		return sv_error(SCRVAULT_EUSAGE,
				"'%s' is not a document id (6 to 32 lower-case hex characters; see 'scrvault doc list')",
				doc ? doc : "");
	snprintf(pattern, sizeof(pattern), "%s%%", doc);
	if ((error = sv_db_query(&st, v->db,
				 "SELECT d.id, c.ref, d.class, coalesce(d.agency, '') FROM documents d"
				 " JOIN cases c ON c.id = d.case_id WHERE d.id LIKE ? ORDER BY d.id LIMIT 64",
				 "t", pattern)) < 0)
		return error;
	while (rows < 2 && (error = sv_stmt_step(st)) == 1) {
		if (action && !sv_authz_reaches(v, sv_stmt_text(st, 1), sv_stmt_text(st, 2), sv_stmt_text(st, 3))) {
			if (nhidden++ == 0) {
				snprintf(hidden, sizeof(hidden), "%s", sv_stmt_text(st, 0));
				snprintf(hidden_case, sizeof(hidden_case), "%s", sv_stmt_text(st, 1));
			}
			continue;
		}
		if (rows++ == 0) {
			snprintf(out, SV_DOC_ID_LEN + 1, "%s", sv_stmt_text(st, 0));
			if (caseref)
				snprintf(caseref, 40, "%s", sv_stmt_text(st, 1));
		}
	}
	sv_stmt_free(st);
	if (error < 0)
		return error;
	if (rows == 0) {
		sv_error(SCRVAULT_ENOTFOUND, SV_NOT_FOUND_DOC, doc);
		return nhidden ? sv_authz_conceal(v, action, SV_ABOUT(.doc = hidden, .caseref = hidden_case))
			       : SCRVAULT_ENOTFOUND;
	}
	if (rows > 1)
		return sv_error(SCRVAULT_EUSAGE, "document id '%s' is ambiguous: give more characters", doc);
	return 0;
}

/* ---- check-out ----------------------------------------------------------------- */

int sv_version_load(sv_version_row *r, scrvault *v, const char *doc, unsigned *version)
{
	sv_stmt *st = NULL;
	size_t len;
	const unsigned char *b;
	int error;

	if (*version == 0) {
		int64_t latest = 0;

		if ((error = sv_db_int(&latest, v->db, "SELECT max(version) FROM versions WHERE doc_id = ?",
				       "t", doc)) < 0)
			return error;
		*version = (unsigned)latest;
	}
	if ((error = sv_db_query(&st, v->db,
				 "SELECT size, sha256, ct_sha256, blob_oid, wrapped_dek, state FROM versions"
				 " WHERE doc_id = ? AND version = ?", "ti", doc, (int64_t)*version)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) != 1) {
		sv_stmt_free(st);
		return error < 0 ? error
				 : sv_error(SCRVAULT_ENOTFOUND, "document '%s' has no version %u (see 'scrvault doc log %s')",
					    doc, *version, doc);
	}
	r->size = (uint64_t)sv_stmt_int(st, 0);
	error = SCRVAULT_EINTEGRITY;
	if (!(b = sv_stmt_blob(st, 1, &len)) || len != SV_SHA256_LEN)
		goto bad;
	memcpy(r->sha, b, len);
	if (!(b = sv_stmt_blob(st, 2, &len)) || len != SV_SHA256_LEN)
		goto bad;
	memcpy(r->ct_sha, b, len);
	snprintf(r->oid, sizeof(r->oid), "%s", sv_stmt_text(st, 3));
	snprintf(r->state, sizeof(r->state), "%s", sv_stmt_text(st, 5));
	b = sv_stmt_blob(st, 4, &len);
	if (b && len == sizeof(r->wrapped))
		memcpy(r->wrapped, b, len);
	else if (strcmp(r->state, "live") == 0)
		goto bad;
	sv_stmt_free(st);
	return 0;
bad:
	sv_stmt_free(st);
	return sv_error(error, "the record of document '%s' version %u is damaged", doc, *version);
}

int sv_find_principal(sv_principal *p, scrvault *v, const char *name)
{
	sv_stmt *st = NULL;
	const unsigned char *ed, *x;
	size_t edlen = 0, xlen = 0;
	int error;

	memset(p, 0, sizeof(*p));
	if (!name || !*name)
		return 0;
	if ((error = sv_db_query(&st, v->db, "SELECT id, custodian, name, kind, status, coalesce(contact, ''),"
				 " ed25519_pub, x25519_pub FROM principals WHERE name = ?", "t", name)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1) {
		p->id = sv_stmt_int(st, 0);
		p->custodian = sv_stmt_int(st, 1) != 0;
		sv_stmt_texts(st, 2, p->name, sizeof(p->name), p->kind, sizeof(p->kind), p->status, sizeof(p->status),
			      p->contact, sizeof(p->contact), NULL);
		p->active = !strcmp(p->status, "active");
		ed = sv_stmt_blob(st, 6, &edlen);
		x = sv_stmt_blob(st, 7, &xlen);
		if (ed && x && edlen == SV_KEY_LEN && xlen == SV_KEY_LEN) {
			memcpy(p->ed_pub, ed, SV_KEY_LEN);
			memcpy(p->x_pub, x, SV_KEY_LEN);
			p->keys_ok = true;
		}
	}
	sv_stmt_free(st);
	return error;
}
