/*
 * doc.c - checking documents in and out.
 *
 * Check-in streams each file once: SHA-256 of the plaintext, AES-256-GCM
 * chunks under a fresh document key (DEK), straight into a git blob whose
 * size is known in advance.  Only the DEK wrapped under the KEK is kept, in
 * the database.  All files of one check-in become one git commit and one
 * database transaction with their audit entries; the git objects are
 * flushed to disk before that transaction commits.
 *
 * Check-out records the key release in the audit log first (fail closed),
 * then decrypts chunk by chunk into a temporary file next to the output,
 * renamed into place only when every chunk authenticated and the plaintext
 * hash matches the one recorded at check-in.  A batch check-out into a
 * directory records every release in one transaction, then decrypts the
 * documents on up to four worker threads; its files are not fsynced (they
 * are copies, and the releases are durable before any key is unwrapped).
 *
 * Memory does not grow with file size: one 64 KiB chunk in, one out.
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
#include "records/doc.h"
#include "records/checkout.h"
#include "records/destruction.h"
#include "records/freeze.h"
#include "records/master.h"
#include "records/release.h"
#include "records/request.h"
#include "records/signoff.h"
#include "vault/authz.h"
#include "vault/find.h"
#include "vault/keyrelease.h"
#include "vault/log.h"
#include "vault/meta.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "storage/rows.h"
#include "storage/store.h"
#include "crypto/crypto.h"
#include "base/common.h"
#include "base/date.h"
#include "base/file.h"
#include "base/json.h"
#include "base/text.h"

/* Is `c` a class of the vault's policy (policy_classes)?  1, 0, or an error. */
static int class_valid(scrvault *v, const char *c)
{
	int64_t n = 0;
	int error;

	if (!c)
		return 0;
	if ((error = sv_db_int(&n, v->db, "SELECT count(*) FROM policy_classes WHERE class = ?", "t", c)) < 0)
		return error;
	return n > 0;
}

/* One file being checked in. */
typedef struct {
	char doc[SV_DOC_ID_LEN + 1];
	unsigned version;
	bool is_new;
	const char *filename;
	const char *title;
	uint64_t size;
	unsigned char sha[SV_SHA256_LEN];
	unsigned char ct_sha[SV_SHA256_LEN];
	char oid[SV_OID_HEXLEN + 1];
	char path[96];
	unsigned char wrapped[SV_SEALED_LEN(SV_KEY_LEN)];
} pending;

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static long fd_source(void *ctx, void *buf, size_t len)
{
	return sv_read_full(*(int *)ctx, buf, len);
}

/*
 * Encrypt `size` bytes from `src` into a new blob: fills p->size, sha,
 * ct_sha, oid and wrapped.  `name` names the source in messages.  The DEK
 * never leaves this function unwrapped.
 */
static int encrypt_source(scrvault *v, pending *p, const sv_checkin_source *cs)
{
	unsigned char *in = NULL, *out = NULL, hdr[SV_BLOB_HEADER_LEN];
	char ctx[160];
	const char *src = cs->name;
	sv_secret *dek = NULL;
	sv_blob_enc *enc = NULL;
	sv_sha256_ctx *ph = NULL, *ch = NULL;
	sv_store_wstream *w = NULL;
	uint64_t left;
	int error = SCRVAULT_ERROR;

	p->size = cs->size;
	sv_blob_context(ctx, sizeof(ctx), v, p->doc, p->version);
	if (!(in = sv_malloc(SV_BLOB_CHUNK)) || !(out = sv_malloc(SV_BLOB_CT_CHUNK)))
		goto done;
	if ((error = sv_secret_random(&dek, SV_KEY_LEN)) < 0 ||
	    (error = sv_blob_enc_new(&enc, hdr, dek, ctx, strlen(ctx))) < 0 ||
	    (error = sv_sha256_new(&ph)) < 0 || (error = sv_sha256_new(&ch)) < 0 ||
	    (error = sv_store_blob_open(&w, v->store, sv_blob_size(p->size))) < 0 ||
	    (error = sv_store_blob_write(w, hdr, sizeof(hdr))) < 0 ||
	    (error = sv_sha256_update(ch, hdr, sizeof(hdr))) < 0)
		goto done;
	left = p->size;
	do {
		size_t want = left < SV_BLOB_CHUNK ? (size_t)left : SV_BLOB_CHUNK;
		long got = cs->read(cs->ctx, in, want);
		bool last;

		if (got < 0 || (size_t)got != want) {
			error = got < 0 && cs->keep_error ? (int)got :
				sv_error(SCRVAULT_ERROR, "'%s' changed or could not be read while checking it in", src);
			goto done;
		}
		left -= want;
		last = left == 0;
		if ((error = sv_sha256_update(ph, in, want)) < 0 ||
		    (error = sv_blob_enc_chunk(enc, out, in, want, last)) < 0 ||
		    (error = sv_store_blob_write(w, out, want + SV_GCM_TAG_LEN)) < 0 ||
		    (error = sv_sha256_update(ch, out, want + SV_GCM_TAG_LEN)) < 0)
			goto done;
		if (last)
			break;
	} while (1);
	{
		long more = cs->read(cs->ctx, in, 1);

		if (more != 0) {
			error = more < 0 && cs->keep_error ? (int)more :
				sv_error(SCRVAULT_ERROR, "'%s' grew while checking it in", src);
			goto done;
		}
	}
	if ((error = sv_sha256_final(ph, p->sha)) < 0 ||
	    (error = sv_sha256_final(ch, p->ct_sha)) < 0 ||
	    (error = sv_store_blob_finish(p->oid, w)) < 0)
		goto done;
	error = sv_kek_wrap(p->wrapped, v, dek, ctx);
done:
	/* Only what this file put there. */
	sv_cleanse_free(in, p->size < SV_BLOB_CHUNK ? (size_t)p->size : SV_BLOB_CHUNK);
	free(out);
	sv_secret_free(dek);
	sv_blob_enc_free(enc);
	sv_sha256_free(ph);
	sv_sha256_free(ch);
	sv_store_wstream_free(w);
	return error;
}

static int encrypt_file(scrvault *v, pending *p, const char *path)
{
	sv_checkin_source cs = { .name = path, .read = fd_source };
	struct stat sb;
	int fd, error;

	/*
	 * Never a symbolic link (an inbox folder's link to a passphrase file),
	 * and never a wait: O_NONBLOCK makes opening a FIFO return at once, and
	 * anything but a regular file is refused before a byte is read, so the
	 * vault's lock is never held waiting on a writer.
	 */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)) < 0) {
		if (errno == ELOOP)
			return sv_error_field(SCRVAULT_EUSAGE, "files", "'%s' is a symbolic link: give the file itself",
					      path);
		return sv_error(errno == ENOENT ? SCRVAULT_ENOTFOUND : SCRVAULT_ERROR,
				"cannot open '%s': %s", path, strerror(errno));
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return sv_error_field(SCRVAULT_EUSAGE, "files", "'%s' is not a regular file (a FIFO, a device or a "
				      "directory is never checked in)", path);
	}
	/* A regular file: reads block as usual from here. */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		close(fd);
		return sv_error(SCRVAULT_ERROR, "cannot read '%s': %s", path, strerror(errno));
	}
	cs.size = (uint64_t)sb.st_size;
	cs.ctx = &fd;
	error = encrypt_source(v, p, &cs);
	close(fd);
	return error;
}

static int new_doc_id(char out[SV_DOC_ID_LEN + 1])
{
	unsigned char raw[SV_DOC_ID_LEN / 2];
	int error;

	if ((error = sv_random(raw, sizeof(raw))) < 0)
		return error;
	sv_hex(out, raw, sizeof(raw));
	return 0;
}

/* A version's audit objects: its case, document and version. */
#define VERSION_ABOUT(ref_, doc_, ver_) SV_ABOUT(.caseref = (ref_), .doc = (doc_), .version = (ver_))

int scrvault_doc_checkin(scrvault_json **out, scrvault *v,
			 const scrvault_checkin_spec *spec,
			 const scrvault_checkin_file *files, size_t n)
{
	int error;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(spec, SCRVAULT_CHECKIN_SPEC_VERSION, "scrvault_checkin_spec")) < 0)
		return error;
	return sv_doc_checkin(out, v, spec, files, NULL, n, NULL, NULL);
}

int scrvault_doc_signoff(scrvault_json **out, scrvault *v, const char *doc, unsigned version)
{
	return sv_signoff_make(out, v, doc, version);
}

int scrvault_doc_signoff_statement(char **statement, scrvault *v, const char *doc, unsigned version)
{
	return sv_signoff_statement(statement, v, doc, version);
}

int scrvault_doc_signoff_signed(scrvault_json **out, scrvault *v, const char *doc, unsigned version,
				const char *statement, const char *sig)
{
	return sv_signoff_signed(out, v, doc, version, statement, sig, NULL);
}

int scrvault_doc_signoff_passkey(scrvault_json **out, scrvault *v, const char *doc, unsigned version,
				 const char *statement, const char *origin, const scrvault_passkey_assertion *a)
{
	sv_passkey_sig pk = { .origin = origin, .a = a };
	int error;

	*out = NULL;
	if (!a)
		return sv_error_field(SCRVAULT_EUSAGE, "passkey", "give the passkey's assertion");
	error = sv_signoff_signed(out, v, doc, version, statement, NULL, &pk);
	sv_json_free(pk.proof);
	return error;
}

int scrvault_doc_release(scrvault_json **out, scrvault *v, const scrvault_release_spec *s)
{
	int error;

	*out = NULL;
	if ((error = SV_STRUCT_CHECK(s, SCRVAULT_RELEASE_SPEC_VERSION, "scrvault_release_spec")) < 0)
		return error;
	return sv_release_bundle(out, v, s);
}

static int checkin(scrvault_json **out, scrvault *v, const scrvault_checkin_spec *spec,
		   const scrvault_checkin_file *files, const sv_checkin_source *srcs, size_t n,
		   sv_checkin_case_fn open_case, sv_checkin_hook hook, void *hook_arg);

int sv_doc_checkin(scrvault_json **out, scrvault *v, const scrvault_checkin_spec *spec,
		   const scrvault_checkin_file *files, const sv_checkin_source *srcs, size_t n,
		   sv_checkin_hook hook, void *hook_arg)
{
	return checkin(out, v, spec, files, srcs, n, NULL, hook, hook_arg);
}

int sv_doc_checkin_new_case(scrvault_json **out, scrvault *v, const scrvault_checkin_spec *spec,
			    const scrvault_checkin_file *files, size_t n, sv_checkin_case_fn open_case,
			    sv_checkin_hook hook, void *hook_arg)
{
	*out = NULL;
	if (!open_case || spec->doc)
		return sv_error(SCRVAULT_ERROR, "a new case's check-in makes new documents");
	return checkin(out, v, spec, files, NULL, n, open_case, hook, hook_arg);
}

int sv_doc_submit_allowed(bool *ok, char *why, size_t whylen, const char **agency, scrvault *v, int64_t pid,
			  const char *registered, const char *caseref, const char *doc_class, const char *claimed)
{
	*ok = false;
	*agency = claimed;
	if (claimed && registered && *registered && strcmp(claimed, registered) != 0) {
		snprintf(why, whylen, "it claims agency '%s' but is registered for agency '%s'", claimed, registered);
		return 0;
	}
	if (!claimed && registered && *registered)
		*agency = registered;
	return sv_authz_principal(ok, why, whylen, v, pid, "doc.submit", caseref, doc_class, *agency, false);
}

/*
 * An agency's upload by a role without doc.checkin: the rule for what an
 * agency may send, for the session's own principal, its agency named (the
 * document records it).  A refusal is audited as doc.submit; a case outside
 * the sender's grants is not found.
 */
static int submit_check(scrvault *v, const scrvault_checkin_spec *spec)
{
	char registered[128] = "", why[256] = "";
	const char *agency = NULL;
	sv_about about = { 0 };
	int64_t n = 0;
	bool ok = false;
	int error;

	if ((error = sv_db_text_int(registered, sizeof(registered), &n, v->db,
				    "SELECT coalesce(agency, ''), 0 FROM principals WHERE id = ?", "i",
				    v->principal_id)) < 0)
		return error;
	if ((error = sv_doc_submit_allowed(&ok, why, sizeof(why), &agency, v, v->principal_id, registered,
					   spec->case_ref, spec->doc_class, spec->agency)) < 0)
		return error;
	about.caseref = spec->case_ref;
	about.doc_class = spec->doc_class;
	about.agency = agency;
	if (!ok) {
		/* Not even allowed to see the case: it is not found, as elsewhere. */
		if (!sv_authz_reaches(v, spec->case_ref, NULL, NULL)) {
			sv_error(SCRVAULT_ENOTFOUND, SV_NOT_FOUND_CASE, spec->case_ref);
			return sv_authz_conceal(v, "doc.submit", &about);
		}
		return sv_audit_denied(v, "doc.submit", &about, NULL,
				       sv_error_field(SCRVAULT_EDENIED, "doc_class", "you may not send a document of "
						      "class '%s' to case '%s'%s%s: %s", spec->doc_class,
						      spec->case_ref, agency ? " for agency " : "", agency ? agency : "",
						      why));
	}
	if (!spec->agency)
		return sv_error_field(SCRVAULT_EUSAGE, "agency", "name the document's agency: '%s' (yours)",
				      agency ? agency : "");
	return 0;
}

/*
 * Everything a check-in checks before it writes a byte (doc.h): the texts,
 * the document or case, permission doc.checkin, the freeze, the class.
 */
int sv_doc_checkin_check(sv_checkin_target *t, scrvault *v, const scrvault_checkin_spec *spec,
			 const scrvault_checkin_file *files, size_t n, unsigned flags)
{
	const char *doc_class = spec->doc_class;
	bool new_case = flags & SV_CHECKIN_NEW_CASE;
	int error;

	memset(t, 0, sizeof(*t));
	/* Free text, the sender's too (a bundle's title and file name), is
	 * refused at the door when it is not clean. */
	if ((error = sv_text_check_all(SV_TEXTS(SV_TEXT("agency", spec->agency),
						SV_TEXT_NOTE("note", spec->note)))) < 0)
		return error;
	for (size_t i = 0; i < n; i++)
		if ((error = sv_text_check_all(SV_TEXTS(SV_TEXT("filename", files[i].filename ? files[i].filename :
									base_name(files[i].path)),
							SV_TEXT("title", files[i].title)))) < 0)
			return error;
	if (spec->doc) {
		if ((error = sv_doc_resolve(t->doc, t->caseref, v, "doc.checkin", spec->doc)) < 0)
			return sv_audit_denied(v, "doc.checkin", SV_ABOUT(.doc = spec->doc), NULL, error);
		if ((error = sv_authorize(v, "doc.checkin", VERSION_ABOUT(t->caseref, t->doc, 0))) < 0 ||
		    (error = sv_case_frozen(v, "doc.checkin", VERSION_ABOUT(t->caseref, t->doc, 0))) < 0)
			return error;
		if (n != 1)
			return sv_error_field(SCRVAULT_EUSAGE, "files", "a new version is one file; got %zu", n);
		if ((error = sv_db_int(&t->latest, v->db, "SELECT max(version) FROM versions WHERE doc_id = ?",
				       "t", t->doc)) < 0)
			return error;
	} else {
		if (!spec->case_ref)
			return sv_error_field(SCRVAULT_EUSAGE, "case_ref", "a new document needs a case");
		if ((error = class_valid(v, doc_class)) < 0)
			return error;
		if (!error)
			return sv_error_field(SCRVAULT_EUSAGE, "doc_class",
					"document class '%s' is not in the vault's policy: use imr, overview-report, executive-summary, action-plan, combined-chronology, single-agency-chronology, terms-of-reference, interview-record, panel-minutes, notification-form, decision-rationale, anonymised-submission or other (see 'scrvault policy show')",
					doc_class ? doc_class : "");
		/* The class and agency decide who may add it (an IMR author: their agency's). */
		if ((flags & SV_CHECKIN_SUBMIT) && !sv_authz_role_has(v, "doc.checkin")) {
			if ((error = submit_check(v, spec)) < 0)
				return error;
		} else if ((error = sv_authorize(v, "doc.checkin", SV_ABOUT(.caseref = spec->case_ref,
									    .doc_class = doc_class,
									    .agency = spec->agency))) < 0)
			return error;
		if (!new_case && (error = sv_db_int(&t->case_id, v->db, "SELECT id FROM cases WHERE ref = ?", "t",
						    spec->case_ref)) < 0)
			return error;
		if (!new_case && error == 0)
			return sv_audit_denied(v, "doc.checkin", SV_ABOUT(.caseref = spec->case_ref), NULL,
					       sv_error(SCRVAULT_ENOTFOUND, "no case '%s' (open it with 'scrvault case open')",
							spec->case_ref));
		snprintf(t->caseref, sizeof(t->caseref), "%s", spec->case_ref);
		if (!new_case && (error = sv_case_frozen(v, "doc.checkin", SV_ABOUT(.caseref = t->caseref))) < 0)
			return error;
	}
	if (n == 0)
		return sv_error_field(SCRVAULT_EUSAGE, "files", "no file to check in");
	return 0;
}

static int checkin(scrvault_json **out, scrvault *v, const scrvault_checkin_spec *spec,
		   const scrvault_checkin_file *files, const sv_checkin_source *srcs, size_t n,
		   sv_checkin_case_fn open_case, sv_checkin_hook hook, void *hook_arg)
{
	char head[SV_OID_HEXLEN + 1], commit[SV_OID_HEXLEN + 1];
	char when[21], *message = NULL;
	sv_checkin_target t;
	char *caseref = t.caseref;
	sv_store_update *ups = NULL;
	pending *ps = NULL;
	sv_json *result = NULL;
	int64_t case_id = 0, latest = 0;
	const char *doc_class = spec->doc_class;
	int error;

	*out = NULL;
	if ((error = sv_doc_checkin_check(&t, v, spec, files, n, (open_case ? SV_CHECKIN_NEW_CASE : 0) |
					  (srcs && srcs[0].submit ? SV_CHECKIN_SUBMIT : 0))) < 0)
		return error;
	case_id = t.case_id;
	latest = t.latest;

	if (!(ps = sv_calloc(n, sizeof(*ps))) || !(ups = sv_calloc(n, sizeof(*ups)))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		pending *p = &ps[i];

		p->filename = files[i].filename ? files[i].filename : base_name(files[i].path);
		p->title = files[i].title ? files[i].title : p->filename;
		if (!*p->filename) {
			error = sv_error(SCRVAULT_EUSAGE, "'%s' has no file name", files[i].path);
			goto done;
		}
		if (spec->doc) {
			snprintf(p->doc, sizeof(p->doc), "%s", "");
			if ((error = sv_doc_resolve(p->doc, NULL, v, "doc.checkin", spec->doc)) < 0)
				goto done;
			p->version = (unsigned)latest + 1;
		} else {
			if ((error = new_doc_id(p->doc)) < 0)
				goto done;
			p->version = 1;
			p->is_new = true;
		}
		if ((error = srcs ? encrypt_source(v, p, &srcs[i]) : encrypt_file(v, p, files[i].path)) < 0)
			goto done;
		sv_blob_path(p->path, sizeof(p->path), p->doc, p->version);
		ups[i].path = p->path;
		ups[i].blob = p->oid;
	}

	/* One commit for the whole check-in; commit message: opaque ids only. */
	if ((error = sv_vault_store_head(head, v)) < 0)
		goto done;
	if (!(message = sv_printf("checkin %zu version%s\n", n, n == 1 ? "" : "s"))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = sv_store_commit(commit, v->store, head[0] ? head : NULL, ups, n, message, sv_now())) < 0)
		goto done;

	sv_time_iso(when, sv_now());
	if (!(result = sv_json_array())) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	if (open_case && (error = open_case(&case_id, v, hook_arg)) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		pending *p = &ps[i];
		char shahex[2 * SV_SHA256_LEN + 1];
		sv_json *row = NULL;

		if (p->is_new &&
		    (error = sv_db_run(v->db,
				       "INSERT INTO documents(id, case_id, class, agency, title, created_at, created_by)"
				       " VALUES (?,?,?,?,?,?,?)", "titttti", p->doc, case_id, doc_class,
				       spec->agency, p->title, when, v->principal_id)) < 0)
			goto fail;
		if ((error = sv_db_run(v->db,
				       "INSERT INTO versions(doc_id, version, filename, size, sha256, ct_sha256,"
				       " blob_oid, commit_oid, wrapped_dek, note, checked_in_at, checked_in_by)"
				       " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", "titibbttbtti",
				       p->doc, (int64_t)p->version, p->filename, (int64_t)p->size,
				       p->sha, sizeof(p->sha), p->ct_sha, sizeof(p->ct_sha), p->oid, commit,
				       p->wrapped, sizeof(p->wrapped), spec->note, when, v->principal_id)) < 0)
			goto fail;
		sv_hex(shahex, p->sha, sizeof(p->sha));
		if ((error = sv_audit_append(v, "doc.checkin", "ok", VERSION_ABOUT(caseref, p->doc, p->version),
					     SV_FIELDS(SV_INT("size", (int64_t)p->size), SV_STR("sha256", shahex),
						       SV_OPT("class", p->is_new ? doc_class : NULL)))) < 0)
			goto fail;
		/* Appended first: then `result` owns the row whatever fails. */
		if (!(row = sv_json_object()) || sv_json_append(result, row) < 0 ||
		    sv_json_set_fields(row, SV_FIELDS(SV_STR("doc", p->doc), SV_OPT("case", caseref),
						      SV_INT("version", p->version), SV_STR("sha256", shahex),
						      SV_INT("size", (int64_t)p->size),
						      SV_STR("filename", p->filename))) < 0) {
			error = SCRVAULT_ERROR;
			goto fail;
		}
	}
	if ((hook && (error = hook(v, hook_arg, ps[0].doc, ps[0].version)) < 0) ||
	    (error = sv_vault_record_commit(v, commit)) < 0 ||
	    (error = sv_vault_commit(v)) < 0)
		goto fail;
	*out = result;
	result = NULL;
	goto done;
fail:
	sv_vault_abort(v);
done:
	sv_json_free(result);
	free(message);
	free(ps);
	free(ups);
	return error;
}

/*
 * One check-out, to `outpath` (NULL: stdout) or, with `fn`, to that
 * function, in order, in pieces (nothing is written to disk).
 */
static int checkout_one(scrvault *v, const char *docarg, unsigned version, const char *outpath,
			unsigned flags, scrvault_write_fn fn, void *fnctx)
{
	const bool force = flags & SCRVAULT_CHECKOUT_FORCE;
	bool restricted = false;
	char caseref[40];
	sv_release_item it;
	sv_release *rel = NULL;
	struct stat sb;
	int error;

	memset(&it, 0, sizeof(it));
	if ((error = sv_doc_resolve(it.doc, caseref, v, "doc.read", docarg)) < 0)
		return sv_audit_denied(v, "doc.checkout", SV_ABOUT(.doc = docarg), NULL, error);
	if ((error = sv_authorize(v, "doc.read", VERSION_ABOUT(caseref, it.doc, version))) < 0)
		return error;
	if ((error = sv_version_load(&it.row, v, it.doc, &version)) < 0)
		return sv_audit_denied(v, "doc.checkout", VERSION_ABOUT(caseref, it.doc, version), NULL, error);
	it.version = version;
	if (strcmp(it.row.state, "live") != 0)
		return sv_audit_denied(v, "doc.checkout", VERSION_ABOUT(caseref, it.doc, version), NULL,
				       !strcmp(it.row.state, "destroyed") ? sv_destroyed_message(v, it.doc, version) :
				       sv_error(SCRVAULT_ENOTFOUND, "document '%s' version %u is %s", it.doc, version,
						it.row.state));
	if (outpath && !force && lstat(outpath, &sb) == 0)
		return sv_error_field(SCRVAULT_ECONFLICT, "force", "'%s' already exists", outpath);
	if ((error = sv_request_check(v, it.doc, v->principal_id, NULL, &restricted)) < 0)
		return error;

	/* Fail closed: the release is on record before the key is unwrapped. */
	if ((error = sv_vault_begin(v)) < 0)
		return error;
	if ((error = sv_audit_append(v, "doc.checkout", "ok", VERSION_ABOUT(caseref, it.doc, version),
				     SV_FIELDS(SV_IF(restricted, SV_INT("request", v->access_request))))) < 0 ||
	    (error = sv_release_record(v, it.doc, version, restricted ? v->access_request : 0)) < 0 ||
	    (restricted && (error = sv_request_consume(v)) < 0)) {
		sv_vault_abort(v);
		return error;
	}
	if ((error = sv_release_commit(&rel, v, SV_RELEASE_PLAINTEXT, &it, 1)) < 0)
		return error;
	error = fn ? sv_release_decrypt(rel, 0, fn, fnctx) : sv_checkout_to_file(rel, 0, outpath);
	sv_release_free(rel);
	if (error == SCRVAULT_EINTEGRITY)
		return sv_audit_denied(v, "doc.checkout", VERSION_ABOUT(caseref, it.doc, version), NULL, error);
	return error;
}

int scrvault_doc_checkout(scrvault *v, const char *docarg, unsigned version,
			  const char *outpath, unsigned flags)
{
	return checkout_one(v, docarg, version, outpath, flags, NULL, NULL);
}

int scrvault_doc_checkout_write(scrvault *v, const char *doc, unsigned version,
				scrvault_write_fn fn, void *ctx)
{
	if (!fn)
		return sv_error_field(SCRVAULT_EUSAGE, "fn", "no function to write the document to");
	return checkout_one(v, doc, version, NULL, 0, fn, ctx);
}

/* ---- listings -------------------------------------------------------------------- */

#define DOC_SELECT "SELECT d.id, c.ref, d.class, d.agency, d.title," \
	" (SELECT max(version) FROM versions x WHERE x.doc_id = d.id)," \
	" (SELECT max(checked_in_at) FROM versions x WHERE x.doc_id = d.id), d.created_at" \
	" FROM documents d JOIN cases c ON c.id = d.case_id"
#define DOC_COLUMNS SV_COLS({ "doc", SV_COL_TEXT }, { "case", SV_COL_TEXT }, { "class", SV_COL_TEXT }, \
	{ "agency", SV_COL_TEXT }, { "title", SV_COL_TEXT }, { "latest", SV_COL_INT }, \
	{ "updated_at", SV_COL_TEXT }, { "created_at", SV_COL_TEXT })

/* Only what the role reaches: its cases, its agency's IMRs. */
static bool doc_seen(void *ctx, sv_stmt *st)
{
	return sv_authz_sees(ctx, "doc.list", sv_stmt_text(st, 1), sv_stmt_text(st, 2), sv_stmt_text(st, 3));
}

/* A listed document, with its master version (records/master.c decides). */
static int doc_row(void *ctx, sv_stmt *st, sv_json *arr)
{
	scrvault *v = ctx;
	sv_master m;
	sv_json *o;
	int error;

	if (!doc_seen(v, st))
		return 0;
	if ((error = sv_doc_master(&m, v, sv_stmt_text(st, 0))) < 0)
		return error;
	if (!(o = sv_row_json(st, DOC_COLUMNS)) || sv_json_append(arr, o) < 0 ||
	    sv_json_set_fields(o, SV_FIELDS(SV_IF(m.version, SV_INT("master", m.version)),
					    SV_IF(m.version, SV_STR("master_basis", m.basis)))) < 0)
		return SCRVAULT_ERROR;
	return 0;
}

/* May the session list documents (of case `case_ref`, when given: one that exists)? */
static int list_scope(scrvault *v, const char *case_ref)
{
	int64_t id = 0;
	int error;

	if ((error = sv_authorize(v, "doc.list", SV_ABOUT(.caseref = case_ref))) < 0 || !case_ref)
		return error;
	if ((error = sv_db_int(&id, v->db, "SELECT id FROM cases WHERE ref = ?", "t", case_ref)) < 0)
		return error;
	return error == 0 ? sv_error(SCRVAULT_ENOTFOUND, SV_NOT_FOUND_CASE, case_ref) : 0;
}

int scrvault_doc_list(scrvault_json **out, scrvault *v, const char *case_ref)
{
	int error;

	*out = NULL;
	if ((error = list_scope(v, case_ref)) < 0)
		return error;
	return case_ref ? sv_rows_build(out, v->db, doc_row, v,
					DOC_SELECT " WHERE c.ref = ? ORDER BY d.created_at, d.id", "t", case_ref)
			: sv_rows_build(out, v->db, doc_row, v, DOC_SELECT " ORDER BY c.ref, d.created_at, d.id", "");
}

/* scrvault_doc_sent: the rows gathered, at most `limit`. */
typedef struct {
	scrvault *v;
	sv_json *arr;
	unsigned limit, n;
	bool more;
} sent_list;

#define SENT_COLUMNS SV_COLS({ "doc", SV_COL_TEXT }, { "case", SV_COL_TEXT }, { "class", SV_COL_TEXT }, \
	{ "agency", SV_COL_TEXT }, { "title", SV_COL_TEXT }, { "version", SV_COL_INT }, \
	{ "filename", SV_COL_TEXT }, { "size", SV_COL_INT }, { "sha256", SV_COL_SHA256 }, \
	{ "checked_in_at", SV_COL_TEXT }, { "checked_in_by", SV_COL_TEXT }, { "state", SV_COL_TEXT })

/* A version sent, if the role reaches its document: its master flag and its sign-offs, each verified again. */
static int sent_row(void *ctx, sv_stmt *st)
{
	sent_list *l = ctx;
	const char *doc = sv_stmt_text(st, 0);
	int64_t version = sv_stmt_int(st, 5);
	sv_json *o = NULL, *all = NULL, *signed_off = NULL;
	sv_master m;
	int error;

	if (!doc_seen(l->v, st))
		return 0;
	if (l->n == l->limit) {
		l->more = true;
		return 1;
	}
	if ((error = sv_doc_master(&m, l->v, doc)) < 0 ||
	    (sv_stmt_int(st, 12) && (error = sv_signoffs(&all, l->v, doc)) < 0))
		return error;
	error = SCRVAULT_ERROR;
	if (!(signed_off = sv_json_array()))
		goto done;
	for (size_t i = 0; i < sv_json_count(all); i++) {
		const sv_json *e = sv_json_at(all, i);

		if (sv_json_as_int(sv_json_get(e, "version")) == version &&
		    sv_json_append(signed_off, sv_json_of(SV_FIELDS(
				SV_STR("signer", sv_json_str(sv_json_get(e, "signer"))),
				SV_STR("signed_at", sv_json_str(sv_json_get(e, "signed_at"))),
				SV_STR("verification", sv_json_str(sv_json_get(e, "verification")))))) < 0)
			goto done;
	}
	if (!(o = sv_row_json(st, SENT_COLUMNS)) ||
	    sv_json_set_fields(o, SV_FIELDS(SV_BOOL("master", m.version == (unsigned)version))) < 0 ||
	    sv_json_set(o, "signed_off", SV_TAKE(signed_off)) < 0 || sv_json_append(l->arr, SV_TAKE(o)) < 0)
		goto done;
	l->n++;
	error = 0;
done:
	sv_json_free(o);
	sv_json_free(signed_off);
	sv_json_free(all);
	return error;
}

int scrvault_doc_sent(scrvault_json **out, scrvault *v, const char *case_ref, unsigned limit)
{
	sent_list l = { v, NULL, limit ? limit : SCRVAULT_SENT_DEFAULT, 0, false };
	sv_json *res = NULL;
	int error;

	*out = NULL;
	if (limit > SCRVAULT_SENT_MAX)
		return sv_error_field(SCRVAULT_EUSAGE, "limit", "at most %u versions at a time, not %u",
				      SCRVAULT_SENT_MAX, limit);
	if ((error = list_scope(v, case_ref)) < 0)
		return error;
	if (!(l.arr = sv_json_array()))
		return SCRVAULT_ERROR;
	if ((error = sv_db_each(v->db, sent_row, &l,
				"SELECT d.id, c.ref, d.class, d.agency, d.title, ve.version, ve.filename, ve.size, ve.sha256,"
				" ve.checked_in_at, p.name, ve.state,"
				" EXISTS (SELECT 1 FROM signoffs s WHERE s.doc_id = d.id AND s.version = ve.version)"
				" FROM versions ve JOIN documents d ON d.id = ve.doc_id JOIN cases c ON c.id = d.case_id"
				" JOIN principals p ON p.id = ve.checked_in_by"
				" WHERE d.class IN ('imr', 'single-agency-chronology', 'combined-chronology')"
				" AND (?1 IS NULL OR c.ref = ?1)"
				" ORDER BY ve.checked_in_at DESC, d.id, ve.version DESC", "t", case_ref)) < 0)
		goto done;
	error = SCRVAULT_ERROR;
	if (!(res = sv_json_of(SV_FIELDS(SV_STR("case", case_ref), SV_INT("limit", l.limit), SV_BOOL("more", l.more)))) ||
	    sv_json_set(res, "versions", SV_TAKE(l.arr)) < 0)
		goto done;
	*out = SV_TAKE(res);
	error = 0;
done:
	sv_json_free(l.arr);
	sv_json_free(res);
	return error;
}

int scrvault_doc_log(scrvault_json **out, scrvault *v, const char *docarg)
{
	char doc[SV_DOC_ID_LEN + 1], caseref[40];
	sv_master m;
	int error;

	*out = NULL;
	if ((error = sv_doc_resolve(doc, caseref, v, "doc.list", docarg)) < 0)
		return error;
	if ((error = sv_authorize(v, "doc.list", VERSION_ABOUT(caseref, doc, 0))) < 0 ||
	    (error = sv_doc_master(&m, v, doc)) < 0)
		return error;
	/*
	 * Each version's provenance: checked in by a principal, imported from a
	 * bundle whose signature verified (the signer and their agency), or
	 * imported unauthenticated (only the importer's word of who sent it).
	 */
	return sv_rows_json(out, v->db, SV_COLS({ "version", SV_COL_INT }, { "filename", SV_COL_TEXT },
						{ "size", SV_COL_INT }, { "sha256", SV_COL_SHA256 },
						{ "checked_in_at", SV_COL_TEXT }, { "checked_in_by", SV_COL_TEXT },
						{ "note", SV_COL_TEXT }, { "state", SV_COL_TEXT }, { "commit", SV_COL_TEXT },
						{ "source", SV_COL_TEXT }, { "signed_by", SV_COL_OPT },
						{ "received_from", SV_COL_OPT }, { "provenance", SV_COL_TEXT },
						{ "master", SV_COL_BOOL }),
			    NULL, NULL, "SELECT v.version, v.filename, v.size, v.sha256, v.checked_in_at, p.name, v.note,"
			      " v.state, v.commit_oid,"
			      " CASE WHEN i.id IS NULL THEN 'checkin' WHEN i.authenticated THEN 'bundle'"
			      "  ELSE 'unauthenticated-bundle' END,"
			      " CASE WHEN i.authenticated THEN s.name END,"
			      " CASE WHEN i.id IS NOT NULL AND NOT i.authenticated THEN coalesce(i.received_from, '') END,"
			      " CASE WHEN i.id IS NULL THEN 'checked in by ' || p.name"
			      "  WHEN i.authenticated THEN 'imported from a bundle signed by ' || coalesce(s.name, '?')"
			      "   || coalesce(' (' || s.agency || ')', '')"
			      "  ELSE 'imported unauthenticated, received from: '"
			      "   || coalesce(nullif(i.received_from, ''), '(not given)') END,"
			      " v.version = ?"
			      " FROM versions v JOIN principals p ON p.id = v.checked_in_by"
			      " LEFT JOIN intakes i ON i.doc_id = v.doc_id AND i.version = v.version"
			      " LEFT JOIN principals s ON s.id = i.principal_id"
			      " WHERE v.doc_id = ? ORDER BY v.version", "it", (int64_t)m.version, doc);
}

int scrvault_doc_show(scrvault_json **out, scrvault *v, const char *docarg)
{
	char doc[SV_DOC_ID_LEN + 1], caseref[40];
	sv_json *d = NULL, *versions = NULL;
	int error;

	*out = NULL;
	if ((error = sv_doc_resolve(doc, caseref, v, "doc.list", docarg)) < 0)
		return error;
	if ((error = sv_authorize(v, "doc.list", VERSION_ABOUT(caseref, doc, 0))) < 0)
		return error;
	if ((error = sv_row_one_json(&d, v->db, DOC_COLUMNS, DOC_SELECT " WHERE d.id = ?", "t", doc)) < 0)
		return error;
	if (!d)
		return sv_error(SCRVAULT_ENOTFOUND, "no document '%s'", doc);
	if ((error = scrvault_doc_log(&versions, v, doc)) < 0 ||
	    (error = sv_json_set(d, "versions", versions)) < 0)
		goto done;
	{
		sv_json *signoffs = NULL;
		sv_master m;

		if ((error = sv_signoffs(&signoffs, v, doc)) < 0)
			goto done;
		if ((error = sv_json_set(d, "signoffs", signoffs)) < 0 || (error = sv_doc_master(&m, v, doc)) < 0 ||
		    (m.version && (error = sv_json_set_fields(d, SV_FIELDS(SV_INT("master_version", m.version),
									   SV_STR("master_basis", m.basis)))) < 0))
			goto done;
	}
	*out = d;
	d = NULL;
done:
	sv_json_free(d);
	return error;
}

/* ---- check-out of many documents into a directory ----------------------------- */


/* One document of a batch check-out. */
typedef struct {
	char doc[SV_DOC_ID_LEN + 1];
	char caseref[40];
	unsigned version;
	char name[260];
	sv_version_row row;
	unsigned latest;		/* a whole case: its latest version (0: none), */
	bool named;			/* and `name` made from that version's file name */
	bool restricted;		/* released under the session's access request */
} co_item;

/*
 * The file names given so far, to find a repeated one in O(1) rather than by
 * comparing with every earlier name: an open-addressing set of item indices.
 */
typedef struct {
	size_t *slot;			/* item index + 1; 0 = empty */
	size_t mask;
} co_names;

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int names_init(co_names *ns, size_t count)
{
	size_t cap = 16;

	while (cap < 2 * count)
		cap *= 2;
	ns->mask = cap - 1;
	return (ns->slot = sv_calloc(cap, sizeof(*ns->slot))) ? 0 : SCRVAULT_ERROR;
}

/* Whether an item before has `name`; with `add`, record item `i` under it. */
static bool names_seen(co_names *ns, const co_item *items, const char *name, size_t i, bool add)
{
	size_t k = (size_t)name_hash(name) & ns->mask;

	for (; ns->slot[k]; k = (k + 1) & ns->mask)
		if (!strcmp(items[ns->slot[k] - 1].name, name))
			return true;
	if (add)
		ns->slot[k] = i + 1;
	return false;
}

int scrvault_doc_checkout_dir(scrvault_json **out, scrvault *v, const char *const *docs,
			      size_t n, const char *case_ref, const char *outdir, unsigned flags)
{
	const bool force = flags & SCRVAULT_CHECKOUT_FORCE;
	co_item *items = NULL;
	sv_release_item *rels = NULL;
	sv_checkout_target *targets = NULL;
	sv_release *rel = NULL;
	co_names names = { NULL, 0 };
	size_t count = 0;
	sv_json *result = NULL;
	char failed[512] = "", refused[SV_DOC_ID_LEN + 1] = "";
	struct stat sb;
	int error = 0, nfailed = 0, dirfd = -1;

	*out = NULL;
	if (!outdir || stat(outdir, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return sv_error_field(SCRVAULT_EUSAGE, "outdir", "'%s' is not a directory (several documents go into one)",
				outdir ? outdir : "");
	if (n == 0) {
		sv_stmt *st = NULL;
		int64_t id = 0;

		if (!case_ref)
			return sv_error(SCRVAULT_EUSAGE, "no documents given");
		if ((error = sv_authorize(v, "doc.list", SV_ABOUT(.caseref = case_ref))) < 0)
			return error;
		if ((error = sv_db_int(&id, v->db, "SELECT id FROM cases WHERE ref = ?", "t", case_ref)) < 0)
			return error;
		if (error == 0)
			return sv_error(SCRVAULT_ENOTFOUND, SV_NOT_FOUND_CASE, case_ref);
		/* Each document with its latest version and that version's file
		 * name, so the checks below need one query per document, not three. */
		if ((error = sv_db_query(&st, v->db,
					 "SELECT d.id, v.version, v.filename, d.class, coalesce(d.agency, '') FROM documents d"
					 " LEFT JOIN versions v ON v.doc_id = d.id"
					 " AND v.version = (SELECT max(version) FROM versions WHERE doc_id = d.id)"
					 " WHERE d.case_id = ? ORDER BY d.created_at, d.id", "i", id)) < 0)
			return error;
		while ((error = sv_stmt_step(st)) == 1) {
			co_item *grown;

			/* What the role may not read is left out; the first it
			 * reaches but may not read is kept to refuse by, below. */
			if (!sv_authz_sees(v, "doc.read", case_ref, sv_stmt_text(st, 3), sv_stmt_text(st, 4))) {
				if (!refused[0] && sv_authz_reaches(v, case_ref, sv_stmt_text(st, 3), sv_stmt_text(st, 4)))
					snprintf(refused, sizeof(refused), "%s", sv_stmt_text(st, 0));
				continue;
			}
			grown = sv_realloc(items, (count + 1) * sizeof(*items));

			if (!grown) {
				error = SCRVAULT_ERROR;
				break;
			}
			items = grown;
			memset(&items[count], 0, sizeof(*items));
			snprintf(items[count].doc, sizeof(items[count].doc), "%s", sv_stmt_text(st, 0));
			snprintf(items[count].caseref, sizeof(items[count].caseref), "%s", case_ref);
			if (!sv_stmt_null(st, 1) && sv_stmt_int(st, 1) > 0) {
				items[count].latest = (unsigned)sv_stmt_int(st, 1);
				items[count].named = true;
				sv_safe_filename(items[count].name, sizeof(items[count].name),
					  sv_stmt_text(st, 2) ? sv_stmt_text(st, 2) : "", items[count].doc);
			}
			count++;
		}
		sv_stmt_free(st);
		if (error < 0)
			goto done;
		/*
		 * A case whose documents the role reaches but may read none of
		 * (an auditor's) is refused as a check-out of one of them is,
		 * and the refusal is on record: not "0 documents".
		 */
		if (count == 0 && refused[0]) {
			if ((error = sv_authorize(v, "doc.read", VERSION_ABOUT(case_ref, refused, 0))) == 0)
				error = sv_error(SCRVAULT_EDENIED, "no document of case '%s' may be read in this role",
						 case_ref);
			goto done;
		}
	} else {
		if (!(items = sv_calloc(n, sizeof(*items))))
			return SCRVAULT_ERROR;
		for (size_t i = 0; i < n; i++) {
			char arg[80];
			char *at;

			snprintf(arg, sizeof(arg), "%s", docs[i]);
			if ((at = strchr(arg, '@'))) {
				char *end = NULL;
				unsigned long ver = strtoul(at + 1, &end, 10);

				if (!at[1] || *end || ver == 0 || ver > 1000000) {
					error = sv_error(SCRVAULT_EUSAGE, "'%s': the version must be a positive number", docs[i]);
					goto done;
				}
				*at = '\0';
				items[i].version = (unsigned)ver;
			}
			if ((error = sv_doc_resolve(items[i].doc, items[i].caseref, v, "doc.read", arg)) < 0)
				goto done;
		}
		count = n;
	}
	/* Check everything before recording anything. */
	if ((dirfd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		error = sv_error_field(SCRVAULT_EUSAGE, "outdir", "'%s' is not a directory (several documents go into one)",
				       outdir);
		goto done;
	}
	if ((error = names_init(&names, count)) < 0)
		goto done;
	for (size_t i = 0; i < count; i++) {
		co_item *it = &items[i];
		char path[1024], *fname = NULL;
		sv_stmt *st = NULL;

		if ((error = sv_authorize(v, "doc.read", VERSION_ABOUT(it->caseref, it->doc, it->version))) < 0)
			goto done;
		if (it->version == 0 && it->latest)
			it->version = it->latest;	/* what sv_version_load would find */
		if ((error = sv_version_load(&it->row, v, it->doc, &it->version)) < 0)
			goto done;
		if (strcmp(it->row.state, "live") != 0) {
			error = !strcmp(it->row.state, "destroyed") ? sv_destroyed_message(v, it->doc, it->version) :
				sv_error(SCRVAULT_ENOTFOUND, "document '%s' version %u is %s", it->doc, it->version,
					 it->row.state);
			goto done;
		}
		if ((error = sv_request_check(v, it->doc, v->principal_id, NULL, &it->restricted)) < 0)
			goto done;
		if (!it->named) {
			if ((error = sv_db_query(&st, v->db, "SELECT filename FROM versions WHERE doc_id = ? AND version = ?",
						 "ti", it->doc, (int64_t)it->version)) < 0)
				goto done;
			if (sv_stmt_step(st) == 1)
				fname = sv_strdup(sv_stmt_text(st, 0) ? sv_stmt_text(st, 0) : "");
			sv_stmt_free(st);
			sv_safe_filename(it->name, sizeof(it->name), fname, it->doc);
			free(fname);
		}
		/*
		 * Two documents never get one name: a name given before gets the
		 * document id in front, then the version too, then a number,
		 * until it is one nobody has (two versions of one document, or a
		 * file named like another's prefixed name, would otherwise
		 * collide and one overwrite the other).
		 */
		if (names_seen(&names, items, it->name, i, false)) {
			char base[SV_SAFE_NAME_MAX + 1];

			snprintf(base, sizeof(base), "%s", it->name);
			snprintf(it->name, sizeof(it->name), "%.8s-%s", it->doc, base);
			if (names_seen(&names, items, it->name, i, false))
				snprintf(it->name, sizeof(it->name), "%.8s-v%u-%s", it->doc, it->version, base);
			for (unsigned k = 2; names_seen(&names, items, it->name, i, false); k++)
				snprintf(it->name, sizeof(it->name), "%.8s-v%u-%u-%s", it->doc, it->version, k, base);
		}
		names_seen(&names, items, it->name, i, true);
		if (!force && fstatat(dirfd, it->name, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
			snprintf(path, sizeof(path), "%s/%s", outdir, it->name);
			error = sv_error_field(SCRVAULT_ECONFLICT, "force", "'%s' already exists", path);
			goto done;
		}
	}
	/* Fail closed: every release is on record before any key is unwrapped. */
	if (!(rels = sv_calloc(count, sizeof(*rels))) || !(targets = sv_calloc(count, sizeof(*targets)))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	for (size_t i = 0; i < count; i++) {
		co_item *it = &items[i];

		if ((error = sv_audit_append(v, "doc.checkout", "ok", VERSION_ABOUT(it->caseref, it->doc, it->version),
					     SV_FIELDS(SV_IF(it->restricted, SV_INT("request", v->access_request))))) < 0 ||
		    (error = sv_release_record(v, it->doc, it->version, it->restricted ? v->access_request : 0)) < 0 ||
		    (it->restricted && (error = sv_request_consume(v)) < 0)) {
			sv_vault_abort(v);
			goto done;
		}
		memcpy(rels[i].doc, it->doc, sizeof(rels[i].doc));
		rels[i].version = it->version;
		rels[i].row = it->row;
		memcpy(targets[i].name, it->name, sizeof(targets[i].name));
	}
	if ((error = sv_release_commit(&rel, v, SV_RELEASE_PLAINTEXT, rels, count)) < 0)
		goto done;
	/* Keys are unwrapped and documents written on the workers from here. */
	error = sv_checkout_to_dir(rel, dirfd, outdir, targets);
	/* Failed documents go on record here, on this thread, in order. */
	for (size_t i = 0; i < count; i++) {
		co_item *it = &items[i];

		if (!targets[i].done || targets[i].rc != SCRVAULT_EINTEGRITY)
			continue;
		nfailed++;
		snprintf(failed + strlen(failed), sizeof(failed) - strlen(failed), "%s%s@%u",
			 nfailed > 1 ? ", " : "", it->doc, it->version);
		sv_audit_denied(v, "doc.checkout", VERSION_ABOUT(it->caseref, it->doc, it->version),
				NULL, SCRVAULT_EINTEGRITY);
	}
	if (error < 0)
		goto done;
	if (!(result = sv_json_array())) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	for (size_t i = 0; i < count; i++) {
		co_item *it = &items[i];
		char path[1024];
		sv_json *row;

		if (!targets[i].done || targets[i].rc != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", outdir, it->name);
		if (!(row = sv_json_object()) ||
		    sv_json_set_fields(row, SV_FIELDS(SV_STR("doc", it->doc), SV_STR("case", it->caseref),
						      SV_INT("version", it->version), SV_STR("file", path))) < 0 ||
		    sv_json_append(result, row) < 0) {
			error = SCRVAULT_ERROR;
			goto done;
		}
	}
	*out = result;
	result = NULL;
	if (nfailed)
		error = sv_error(SCRVAULT_EINTEGRITY,
				 "%d document%s failed the integrity check and were not written: %s",
				 nfailed, nfailed == 1 ? "" : "s", failed);
done:
	if (dirfd >= 0)
		close(dirfd);
	sv_release_free(rel);
	free(rels);
	free(targets);
	free(names.slot);
	sv_json_free(result);
	free(items);
	return error;
}
