/*
 * release.c - a version released to a reader as a bundle (vault -> reader):
 * doc.release and the reader's own right to read it -> the release, its
 * signed manifest and audit entry commit -> only then is the document key
 * unwrapped and the version decrypted into the age stream (its SHA-256
 * checked again).  Every release is an electronic copy in the register.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "records/release.h"
#include "records/keys.h"
#include "records/copy.h"
#include "records/request.h"
#include "vault/authz.h"
#include "vault/find.h"
#include "vault/keyrelease.h"
#include "vault/log.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "crypto/age.h"
#include "crypto/bundle.h"
#include "crypto/crypto.h"
#include "base/common.h"
#include "base/date.h"
#include "base/file.h"
#include "base/json.h"
#include "base/text.h"

/* ---- release (vault -> reader) ---------------------------------------------------------- */

typedef struct {
	sv_age_writer *w;
} release_sink;

static int release_write(void *ctx, const void *buf, size_t len)
{
	return sv_age_writer_write(((release_sink *)ctx)->w, buf, len);
}

int sv_release_bundle(sv_json **out, scrvault *v, const scrvault_release_spec *s)
{
	char doc[SV_DOC_ID_LEN + 1], caseref[40], when[21], shahex[2 * SV_SHA256_LEN + 1], why[300] = "";
	char cls[48] = "", agency[128] = "", title[512] = "", filename[512] = "";
	char *recipient = NULL, *text = NULL, *key64 = NULL;
	unsigned char pub[SV_KEY_LEN], sig[SV_SIG_LEN];
	unsigned version = s->doc_version;
	bool restricted = false, external;
	int64_t to_pid = 0, release_id = 0, copy_no = 0, copy_id = 0, ledger_row = 0;
	uint64_t seq = 0;
	sv_release_item it;
	sv_release *rel = NULL;
	sv_version_row *r = &it.row;
	sv_age_writer *w = NULL;
	sv_json *m = NULL;
	sv_outfile o = { .fd = -1 };
	release_sink rs;
	int error;

	*out = NULL;
	memset(&it, 0, sizeof(it));
	if (!s->to || !*s->to)
		return sv_error_field(SCRVAULT_EUSAGE, "to", "give the reader: a principal or an age recipient (age1...)");
	if (!s->output)
		return sv_error_field(SCRVAULT_EUSAGE, "output", "give the bundle file to write");
	if ((error = sv_text_check("reason", s->reason, 0)) < 0)
		return error;
	if ((error = sv_doc_resolve(doc, caseref, v, "doc.release", s->doc)) < 0)
		return sv_audit_denied(v, "doc.release", SV_ABOUT(.doc = s->doc), NULL, error);
	if ((error = sv_authorize(v, "doc.release", SV_ABOUT(.doc = doc, .caseref = caseref))) < 0)
		return error;
	if ((error = sv_version_load(r, v, doc, &version)) < 0)
		return error;
	snprintf(it.doc, sizeof(it.doc), "%s", doc);
	it.version = version;
	if (strcmp(r->state, "live") != 0)
		return sv_error(SCRVAULT_ENOTFOUND, "document '%s' version %u is %s", doc, version, r->state);
	{
		sv_stmt *st = NULL;

		if ((error = sv_db_query(&st, v->db, "SELECT d.class, coalesce(d.agency, ''), d.title, ve.filename,"
					 " coalesce(pc.restricted, 0) FROM documents d JOIN versions ve ON ve.doc_id = d.id"
					 " LEFT JOIN policy_classes pc ON pc.class = d.class"
					 " WHERE d.id = ? AND ve.version = ?", "ti", doc, (int64_t)version)) < 0)
			return error;
		if ((error = sv_stmt_step(st)) == 1) {
			sv_stmt_texts(st, 0, cls, sizeof(cls), agency, sizeof(agency), title, sizeof(title),
				      filename, sizeof(filename), NULL);
			restricted = sv_stmt_int(st, 4) != 0;
		}
		sv_stmt_free(st);
		if (error < 0)
			return error;
	}
	external = !strncmp(s->to, "age1", 4);
	if (external) {
		if (sv_age_recipient_decode(pub, s->to) < 0)
			return sv_error(SCRVAULT_EUSAGE, "'%s' is not a valid age recipient", s->to);
		if (!s->reason || !*s->reason)
			return sv_error_field(SCRVAULT_EUSAGE, "reason", "a release to a reader outside the vault needs "
					      "a reason (who they are and why they may have it)");
		if ((error = sv_age_recipient_encode(&recipient, pub)) < 0)	/* as a request records it */
			return error;
	} else {
		sv_principal to;

		if ((error = sv_find_principal(&to, v, s->to)) < 0)
			return error;
		if (!error || !to.keys_ok)
			return sv_error_field(SCRVAULT_ENOTFOUND, "to", "no principal '%s' (see 'scrvault principal list'; "
					      "an outside reader is given by their age recipient, age1...)", s->to);
		to_pid = to.id;
		memcpy(pub, to.x_pub, SV_KEY_LEN);
		if (!to.active) {
			sv_error(SCRVAULT_EDENIED, "principal '%s' is revoked: nothing can be released to them", s->to);
			return sv_audit_denied(v, "doc.release", SV_ABOUT(.doc = doc, .version = version),
					       SV_FIELDS(SV_STR("reason", "recipient revoked"), SV_STR("to", s->to)),
					       SCRVAULT_EDENIED);
		}
		{
			bool ok = false;

			/* A restricted class: the request, checked in full below. */
			if ((error = sv_authz_principal(&ok, why, sizeof(why), v, to_pid, "doc.read", caseref, cls,
							agency, restricted && v->access_request > 0)) < 0)
				return error;
			if (!ok) {
				sv_error(SCRVAULT_EDENIED, "'%s' may not read document %s (class '%s'): %s", s->to, doc,
					 cls, why);
				return sv_audit_denied(v, "doc.release", SV_ABOUT(.doc = doc, .version = version),
						       SV_FIELDS(SV_STR("reason", "reader may not read it"),
								 SV_STR("to", s->to)), SCRVAULT_EDENIED);
			}
		}
		if ((error = sv_age_recipient_encode(&recipient, pub)) < 0)
			return error;
	}
	/* Never to a key its holder replaced or lost with their revocation. */
	if ((error = sv_recipient_check(v, "doc.release", SV_ABOUT(.doc = doc, .version = version), pub, s->to)) < 0) {
		free(recipient);
		return error;
	}
	{
		sv_outside ext = { .age_recipient = recipient };
		const sv_outside *po = external ? &ext : NULL;

		/* after a case concludes, only under an agreed request, whatever the class */
		if ((error = sv_copy_case_open(v, "doc.release", caseref, doc, true)) == 1)
			error = sv_request_require(v, doc, to_pid, po, &restricted);
		else if (error == 0)
			error = sv_request_check(v, doc, to_pid, po, &restricted);
	}
	if (error < 0) {
		free(recipient);
		return error;
	}
	if ((error = sv_outfile_open(&o, s->output)) < 0)
		goto done;

	/* The release, its manifest and its audit entry are on record before the
	 * document key is unwrapped (fail closed). */
	sv_hex(shahex, r->sha, SV_SHA256_LEN);
	sv_time_iso(when, sv_now());
	if ((error = sv_age_writer_new(&w, (const unsigned char (*)[SV_KEY_LEN])pub, 1)) < 0 ||
	    (error = sv_vault_begin(v)) < 0)
		goto done;
	if ((error = sv_db_int(&release_id, v->db, "SELECT coalesce(max(id), 0) + 1 FROM bundle_releases", "")) < 0)
		goto fail;
	/* Every release is a numbered electronic copy in the copy register. */
	if ((error = sv_copy_electronic(v, doc, version, release_id, to_pid,
					external ? "outside reader (age recipient)" : NULL, &copy_no, &copy_id)) < 0)
		goto fail;
	error = SCRVAULT_ERROR;
	if (!(key64 = sv_base64(v->audit_pub, SV_KEY_LEN)) ||
	    !(m = sv_json_of(SV_FIELDS(SV_STR("agency", agency[0] ? agency : NULL), SV_STR("case", caseref),
				       SV_STR("class", cls), SV_STR("doc", doc), SV_STR("filename", filename),
				       SV_INT("release", release_id), SV_INT("copy", copy_no), SV_STR("released_at", when),
				       SV_STR("released_by", v->principal), SV_STR("sha256", shahex),
				       SV_STR("signer_key", key64), SV_INT("size", r->size), SV_STR("title", title),
				       SV_STR("to", recipient), SV_STR("to_principal", external ? NULL : s->to),
				       SV_STR("type", SV_RELEASE_TYPE), SV_STR("vault", v->id),
				       SV_INT("version", version)))))
		goto fail;
	if ((error = sv_bundle_add_manifest(w, m, v->audit_key, &text, sig)) < 0 ||
	    (error = sv_audit_size(&seq, v)) < 0)
		goto fail;
	if ((error = sv_db_run(v->db, "INSERT INTO bundle_releases(id, doc_id, version, to_principal, to_recipient,"
			       " reason, manifest, signature, released_at, released_by, request, audit_seq, access_request)"
			       " VALUES (?, ?, ?, NULLIF(?, 0), ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, 0))", "itiitttbtitii",
			       release_id, doc, (int64_t)version, to_pid, recipient, s->reason, text, sig, sizeof(sig),
			       when, v->principal_id, v->request, (int64_t)seq,
			       restricted ? v->access_request : (int64_t)0)) < 0 ||
	    (restricted && ((error = sv_request_consume(v)) < 0 ||
			    (error = sv_db_run(v->db, "UPDATE copies SET access_request = ? WHERE id = ?", "ii",
					       v->access_request, copy_id)) < 0)))
		goto fail;
	if (to_pid && ((error = sv_db_run(v->db, "INSERT INTO releases(principal_id, role, doc_id, version, released_at,"
					  " request, audit_seq) VALUES (?, 'recipient', ?, ?, ?, ?, ?)", "ititti", to_pid,
					  doc, (int64_t)version, when, v->request, (int64_t)seq)) < 0 ||
		       (error = sv_db_int(&ledger_row, v->db, "SELECT last_insert_rowid()", "")) < 0))
		goto fail;
	{
		/* The ledgers name the release's own audit entry, appended last. */
		if ((error = sv_audit_append(v, "doc.release", "ok",
					     SV_ABOUT(.doc = doc, .caseref = caseref, .version = version,
						      .release = release_id, .copy = copy_id),
					     SV_FIELDS(SV_STR("to", external ? "outside reader" : s->to),
						       SV_STR("recipient", recipient),
						       SV_BOOL("reason_recorded", s->reason && *s->reason),
						       SV_IF(restricted, SV_INT("request", v->access_request))))) < 0 ||
		    (error = sv_audit_size(&seq, v)) < 0 ||
		    (error = sv_db_run(v->db, "UPDATE copy_events SET audit_seq = ? WHERE copy_id = ?", "ii",
				       (int64_t)seq, copy_id)) < 0 ||
		    (error = sv_db_run(v->db, "UPDATE bundle_releases SET audit_seq = ? WHERE id = ?", "ii",
				       (int64_t)seq, release_id)) < 0 ||
		    (ledger_row && (error = sv_db_run(v->db, "UPDATE releases SET audit_seq = ? WHERE id = ?", "ii",
						      (int64_t)seq, ledger_row)) < 0))
			goto fail;
	}
	if ((error = sv_release_commit(&rel, v, SV_RELEASE_PLAINTEXT, &it, 1)) < 0)
		goto done;

	rs.w = w;
	if ((error = sv_age_writer_start(w, sv_bundle_write_fd, &o.fd)) < 0 ||
	    (error = sv_release_decrypt(rel, 0, release_write, &rs)) < 0 ||
	    (error = sv_age_writer_finish(w)) < 0 ||
	    (error = sv_outfile_commit(&o)) < 0)
		goto done;
	if ((error = sv_json_set_str(m, "output", s->output)) < 0)
		goto done;
	*out = SV_TAKE(m);
	goto done;
fail:
	sv_vault_abort(v);
done:
	if (error < 0)
		sv_outfile_abort(&o);
	sv_release_free(rel);
	sv_age_writer_free(w);
	sv_json_free(m);
	free(recipient);
	free(text);
	free(key64);
	return error;
}
