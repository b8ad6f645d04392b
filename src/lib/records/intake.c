/*
 * intake.c - documents an agency sealed for the vault: the vault's intake
 * recipient, and importing a bundle (verify, check, check in).
 *
 * intake import   size limit (policy) -> header, file key, header MAC ->
 *                 manifest decrypts and parses -> signature -> a pass over
 *                 the payload (every chunk authenticated, SHA-256 and size
 *                 against the manifest, the whole file's SHA-256) -> not
 *                 imported before -> signer registered, active, and allowed
 *                 doc.submit for the class and case -> then a second pass
 *                 checks the document in, and must see the same bytes.
 *                 Nothing is written to the store before every check passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "records/doc.h"
#include "vault/authz.h"
#include "vault/find.h"
#include "vault/log.h"
#include "vault/meta.h"
#include "vault/policyfile.h"
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

#define SV_LABEL_INTAKE "scrvault v1 intake key wrap"

/* ---- the vault's intake key -------------------------------------------------------- */

/* The intake key pair; made (in its own audited transaction) if `create`. */
static int intake_key(scrvault *v, unsigned char pub[SV_KEY_LEN], sv_secret **priv, bool create)
{
	sv_secret *wrap = NULL, *fresh = NULL;
	sv_stmt *st = NULL;
	const unsigned char *p, *sealed;
	size_t plen = 0, slen = 0;
	unsigned char check[SV_KEY_LEN], buf[SV_SEALED_LEN(SV_KEY_LEN)];
	int error;

	if (priv)
		*priv = NULL;
	if ((error = sv_vault_subkey(&wrap, v->vmk, v->id, SV_LABEL_INTAKE)) < 0)
		return error;
	if ((error = sv_db_query(&st, v->db, "SELECT public, wrapped FROM vault_keys WHERE name = 'intake'", "")) < 0)
		goto done;
	if ((error = sv_stmt_step(st)) == 1) {
		p = sv_stmt_blob(st, 0, &plen);
		sealed = sv_stmt_blob(st, 1, &slen);
		if (!p || plen != SV_KEY_LEN || !sealed) {
			error = sv_error(SCRVAULT_EINTEGRITY, "the intake key record is damaged");
			goto done;
		}
		memcpy(pub, p, SV_KEY_LEN);
		if (priv) {
			if ((error = sv_open(priv, wrap, sealed, slen, v->id, strlen(v->id))) < 0 ||
			    (error = sv_x25519_public(check, *priv)) < 0 || memcmp(check, pub, SV_KEY_LEN)) {
				sv_secret_free(*priv);
				*priv = NULL;
				error = sv_error(SCRVAULT_EINTEGRITY, "the intake key does not open or does not match");
				goto done;
			}
		}
		error = 0;
		goto done;
	}
	if (error < 0)
		goto done;
	sv_stmt_free(st);
	st = NULL;
	if (!create) {
		error = sv_error(SCRVAULT_ENOTFOUND, "this vault has no intake recipient yet, so no bundle can be "
				 "addressed to it: run 'scrvault recipient' and give agencies what it prints");
		goto done;
	}
	if ((error = sv_x25519_keygen(&fresh, pub)) < 0 ||
	    (error = sv_seal(buf, wrap, sv_secret_data(fresh), SV_KEY_LEN, v->id, strlen(v->id))) < 0 ||
	    (error = sv_vault_begin(v)) < 0)
		goto done;
	if ((error = sv_db_run(v->db, "INSERT INTO vault_keys(name, public, wrapped) VALUES ('intake', ?, ?)",
			       "bb", pub, (size_t)SV_KEY_LEN, buf, sizeof(buf))) < 0 ||
	    (error = sv_audit_append(v, "vault.intake-key", "ok", NULL, NULL)) < 0 ||
	    (error = sv_vault_commit(v)) < 0) {
		sv_vault_abort(v);
		goto done;
	}
	if (priv) {
		*priv = SV_TAKE(fresh);
	}
done:
	sv_stmt_free(st);
	sv_secret_free(wrap);
	sv_secret_free(fresh);
	return error;
}

int scrvault_intake_recipient(scrvault_json **out, scrvault *v)
{
	unsigned char pub[SV_KEY_LEN];
	char *r = NULL, *sk = NULL;
	int error;

	*out = NULL;
	/* The recipient is public; making it is the coordinator's (intake.import). */
	error = intake_key(v, pub, NULL, false);
	if (error == SCRVAULT_ENOTFOUND) {
		if ((error = sv_authorize(v, "intake.import", NULL)) < 0)
			return error;
		error = intake_key(v, pub, NULL, true);
	}
	if (error >= 0 && (error = sv_age_recipient_encode(&r, pub)) >= 0) {
		if (!(sk = sv_base64(v->audit_pub, SV_KEY_LEN)))
			error = SCRVAULT_ERROR;
		else
			error = sv_json_new(out, SV_FIELDS(SV_STR("recipient", r), SV_STR("signing_key", sk),
							   SV_STR("vault", v->id)));
	}
	free(r);
	free(sk);
	return error;
}

/* ---- import (coordinator) -------------------------------------------------------------- */

/* A source that hashes everything read from the bundle file. */
typedef struct {
	int fd;
	sv_sha256_ctx *h;
	uint64_t total;
} hashed_fd;

static long hashed_read(void *ctx, void *buf, size_t len)
{
	hashed_fd *f = ctx;
	long n = sv_read_full(f->fd, buf, len);

	if (n < 0)
		return sv_error(SCRVAULT_ERROR, "cannot read the bundle: %s", strerror(errno));
	if (n > 0 && sv_sha256_update(f->h, buf, (size_t)n) < 0)
		return SCRVAULT_ERROR;
	f->total += (uint64_t)n;
	return n;
}

/* What one pass over a bundle found. */
typedef struct {
	unsigned char file_sha[SV_SHA256_LEN];
	unsigned char sha[SV_SHA256_LEN];
	uint64_t size;
} pass_result;

/* The plaintext of a bundle, as check-in reads it (full reads). */
typedef struct {
	sv_bundle *b;
	unsigned char *chunk;
	size_t have, pos;
	bool ended;
	sv_sha256_ctx *h;
} plain_source;

static long plain_read(void *ctx, void *buf, size_t len)
{
	plain_source *p = ctx;
	size_t got = 0;
	int error;

	while (got < len) {
		if (p->pos == p->have) {
			if (p->ended)
				break;
			p->pos = p->have = 0;
			if ((error = sv_age_reader_read(p->b->reader, p->chunk, &p->have, NULL)) < 0)
				return sv_error_wrap(error, "the bundle's content failed its integrity check");
			if (p->have == 0) {
				p->ended = true;
				break;
			}
			if (sv_sha256_update(p->h, p->chunk, p->have) < 0)
				return SCRVAULT_ERROR;
		}
		size_t take = p->have - p->pos < len - got ? p->have - p->pos : len - got;

		memcpy((unsigned char *)buf + got, p->chunk + p->pos, take);
		p->pos += take;
		got += take;
	}
	return (long)got;
}

/* The import's state, for the check-in hook. */
typedef struct {
	const scrvault_import_spec *s;
	sv_bundle *b;
	int64_t signer;
	const unsigned char *file_sha;
	char bundle_id[33];
	int64_t intake_id;
} import_ctx;

static int import_hook(scrvault *v, void *arg, const char *doc, unsigned version)
{
	import_ctx *c = arg;
	char when[21], fsha[2 * SV_SHA256_LEN + 1];
	int error;

	sv_time_iso(when, sv_now());
	if ((error = sv_db_run(v->db, "INSERT INTO intakes(bundle_id, file_sha256, principal_id, received_from,"
			       " authenticated, manifest, signature, doc_id, version, imported_at, imported_by)"
			       " VALUES (?, ?, NULLIF(?, 0), ?, ?, ?, ?, ?, ?, ?, ?)", "tbititbtiti",
			       c->bundle_id[0] ? c->bundle_id : NULL, c->file_sha, (size_t)SV_SHA256_LEN,
			       c->signer, c->b->manifest ? NULL : c->s->received_from,
			       (int64_t)(c->b->manifest != NULL), c->b->manifest ? c->b->text : NULL,
			       c->b->manifest ? c->b->sig : NULL, (size_t)(c->b->manifest ? SV_SIG_LEN : 0),
			       doc, (int64_t)version, when, v->principal_id)) < 0)
		return error;
	if ((error = sv_db_int(&c->intake_id, v->db, "SELECT last_insert_rowid()", "")) < 0)
		return error;
	sv_hex(fsha, c->file_sha, SV_SHA256_LEN);
	return sv_audit_append(v, "intake.import", "ok",
			       SV_ABOUT(.doc = doc, .version = version, .intake = c->intake_id),
			       SV_FIELDS(SV_BOOL("authenticated", c->b->manifest != NULL),
					 SV_STR("bundle_sha256", fsha), SV_OPT("bundle", c->bundle_id),
					 SV_IF(c->b->manifest, SV_STR("signer", sv_json_str(sv_json_get(c->b->manifest,
													"signer"))))));
}

/* Refuse an import: an audit entry with the reason (a fixed word), the
 * user's message kept.  The bundle file's digest names it, if known. */
static int reject(scrvault *v, const char *reason, const unsigned char *file_sha, int code)
{
	char fsha[2 * SV_SHA256_LEN + 1] = "";

	if (file_sha)
		sv_hex(fsha, file_sha, SV_SHA256_LEN);
	return sv_audit_denied(v, "intake.import", SV_ABOUT(.bundle_sha256 = file_sha ? fsha : NULL),
			       SV_FIELDS(SV_STR("reason", reason)), code);
}

/* Read the whole bundle once: every check that needs its content. */

static int import_pass(pass_result *r, sv_bundle **bout, int *fdp, const sv_secret *priv,
		       bool keep_open, plain_source *ps)
{
	const int fd = *fdp;
	const sv_secret *const keys[] = { priv };
	sv_age_identities ids = { .x25519 = keys, .n_x25519 = 1 };
	hashed_fd hf = { .fd = fd };
	sv_age_status status = SV_AGE_OK;
	unsigned char *chunk = NULL;
	sv_sha256_ctx *ph = NULL;
	sv_bundle *b = NULL;
	int error;

	*bout = NULL;
	if (lseek(fd, 0, SEEK_SET) != 0)
		return sv_error(SCRVAULT_ERROR, "cannot read the bundle: %s", strerror(errno));
	if ((error = sv_sha256_new(&hf.h)) < 0 || (error = sv_sha256_new(&ph)) < 0)
		goto done;
	/* The second pass reads from the caller's fd (the reader keeps its source). */
	if ((error = keep_open ? sv_bundle_open(&b, sv_bundle_fd_read, fdp, &ids, &status)
			       : sv_bundle_open(&b, hashed_read, &hf, &ids, &status)) < 0) {
		if (status == SV_AGE_NO_MATCH)
			error = sv_error(SCRVAULT_EINTEGRITY, "the bundle is not addressed to this vault's intake "
					 "recipient (it was sealed for another recipient)");
		else if (error == SCRVAULT_EINTEGRITY || status != SV_AGE_OK)
			error = sv_error_wrap(SCRVAULT_EINTEGRITY, "the bundle is malformed or truncated (%s)",
					      sv_age_status_name(status));
		goto done;
	}
	if (keep_open) {
		/* The second pass: check-in pulls the plaintext through ps. */
		ps->b = b;
		ps->h = SV_TAKE(ph);
		*bout = SV_TAKE(b);
		error = 0;
		goto done;
	}
	error = SCRVAULT_ERROR;
	if (!(chunk = sv_malloc(SV_AGE_CHUNK)))
		goto done;
	r->size = 0;
	for (;;) {
		size_t n = 0;

		if ((error = sv_age_reader_read(b->reader, chunk, &n, &status)) < 0) {
			error = sv_error_wrap(SCRVAULT_EINTEGRITY, "the bundle's content is truncated or damaged");
			goto done;
		}
		if (n == 0)
			break;
		r->size += n;
		if ((error = sv_sha256_update(ph, chunk, n)) < 0)
			goto done;
	}
	if ((error = sv_sha256_final(ph, r->sha)) < 0 || (error = sv_sha256_final(hf.h, r->file_sha)) < 0)
		goto done;
	*bout = SV_TAKE(b);
done:
	sv_cleanse_free(chunk, SV_AGE_CHUNK);
	sv_sha256_free(hf.h);
	sv_sha256_free(ph);
	sv_bundle_free(b);
	return error;
}

/* Has this bundle (by file digest or by manifest id) been imported? */
static int already_imported(char *msg, size_t len, scrvault *v, const unsigned char *file_sha,
			    const char *bundle_id)
{
	sv_stmt *st = NULL;
	int error;

	if ((error = sv_db_query(&st, v->db, "SELECT doc_id, version, imported_at FROM intakes"
				 " WHERE file_sha256 = ? OR (bundle_id IS NOT NULL AND bundle_id = ?)",
				 "bt", file_sha, (size_t)SV_SHA256_LEN, bundle_id ? bundle_id : "")) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1)
		snprintf(msg, len, "this bundle was already imported on %s as document %s version %lld",
			 sv_stmt_text(st, 2), sv_stmt_text(st, 0), (long long)sv_stmt_int(st, 1));
	sv_stmt_free(st);
	return error;
}

/* The signer of a bundle: a registered, active principal with that key. */
static int find_signer(int64_t *pid, char *agency, size_t alen, scrvault *v, const sv_bundle *b,
		       const unsigned char *file_sha)
{
	sv_stmt *st = NULL;
	char name[128] = "", status[16] = "", revoked[32] = "";
	int error;

	*pid = 0;
	if ((error = sv_db_query(&st, v->db, "SELECT id, name, status, coalesce(revoked_at, ''), coalesce(agency, '')"
				 " FROM principals WHERE ed25519_pub = ?", "b", b->signer, (size_t)SV_KEY_LEN)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1) {
		*pid = sv_stmt_int(st, 0);
		snprintf(name, sizeof(name), "%s", sv_stmt_text(st, 1));
		snprintf(status, sizeof(status), "%s", sv_stmt_text(st, 2));
		snprintf(revoked, sizeof(revoked), "%s", sv_stmt_text(st, 3));
		snprintf(agency, alen, "%s", sv_stmt_text(st, 4));
	}
	sv_stmt_free(st);
	if (error < 0)
		return error;
	if (*pid == 0) {
		sv_error(SCRVAULT_EDENIED, "the bundle is signed by '%s' with a key no principal of this vault has: "
			 "an unknown sender (register the agency with 'scrvault principal add', or ask it to seal "
			 "with its registered key file)", sv_bundle_str(b->manifest, "signer"));
		return reject(v, "unknown signer", file_sha, SCRVAULT_EDENIED);
	}
	if (strcmp(status, "active") != 0) {
		sv_error(SCRVAULT_EDENIED, "the bundle is signed by '%s', whose key was revoked on %s: it is "
			 "not accepted (ask the agency to seal it again with its current key)", name,
			 revoked[0] ? revoked : "an earlier date");
		return reject(v, "revoked signer", file_sha, SCRVAULT_EDENIED);
	}
	if (strcmp(name, sv_bundle_str(b->manifest, "signer")) != 0) {
		sv_error(SCRVAULT_EINTEGRITY, "the bundle's manifest names signer '%s' but is signed with the key "
			 "of '%s'", sv_bundle_str(b->manifest, "signer"), name);
		return reject(v, "signer mismatch", file_sha, SCRVAULT_EINTEGRITY);
	}
	return 0;
}

int scrvault_intake_import(scrvault_json **out, scrvault *v, const scrvault_import_spec *s)
{
	unsigned char pub[SV_KEY_LEN];
	char recipient_buf[128], *recipient = NULL, msg[300], agency[128] = "", why[300] = "";
	char doc_full[SV_DOC_ID_LEN + 1] = "", doc_case[40] = "";
	const char *caseref, *cls, *ag, *title, *filename;
	sv_secret *priv = NULL;
	sv_bundle *b = NULL, *b2 = NULL;
	plain_source ps = { 0 };
	pass_result r1, r2;
	import_ctx ic = { .s = s };
	int64_t limit = 0;
	struct stat sb;
	int fd = -1, error;

	*out = NULL;
	memset(&r1, 0, sizeof(r1));
	memset(&r2, 0, sizeof(r2));
	if ((error = SV_STRUCT_CHECK(s, SCRVAULT_IMPORT_SPEC_VERSION, "scrvault_import_spec")) < 0 ||
	    (error = sv_text_check_all(SV_TEXTS(SV_TEXT("received_from", s->received_from),
						SV_TEXT("agency", s->agency), SV_TEXT("title", s->title),
						SV_TEXT("filename", s->filename),
						SV_TEXT_NOTE("note", s->note)))) < 0 ||
	    (error = sv_authorize(v, "intake.import", NULL)) < 0)
		return error;
	if (s->unauthenticated && (!s->received_from || !*s->received_from))
		return sv_error_field(SCRVAULT_EUSAGE, "received_from", "an unauthenticated import needs to say who "
				      "sent the file and how (it is recorded with the document)");
	/* As a check-in: no symbolic link, no FIFO waited on under the lock. */
	if ((fd = open(s->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)) < 0) {
		if (errno == ELOOP)
			return sv_error(SCRVAULT_EUSAGE, "'%s' is a symbolic link: give the bundle itself", s->path);
		return sv_error(errno == ENOENT ? SCRVAULT_ENOTFOUND : SCRVAULT_ERROR,
				"cannot open '%s': %s", s->path, strerror(errno));
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		error = sv_error(SCRVAULT_EUSAGE, "'%s' is not a regular file", s->path);
		goto done;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		error = sv_error(SCRVAULT_ERROR, "cannot read '%s': %s", s->path, strerror(errno));
		goto done;
	}
	limit = sv_meta_int(v, "intake_max_bytes", SV_INTAKE_MAX_DEFAULT);
	if ((int64_t)sb.st_size > limit) {
		sv_error(SCRVAULT_EDENIED, "'%s' is %lld bytes, larger than this vault accepts (%lld bytes, "
			 "policy [intake] max-size): ask the sender to split it, or change the policy",
			 s->path, (long long)sb.st_size, (long long)limit);
		error = reject(v, "too large", NULL, SCRVAULT_EDENIED);
		goto done;
	}
	if ((error = intake_key(v, pub, &priv, false)) < 0)
		goto done;
	if ((error = import_pass(&r1, &b, &fd, priv, false, NULL)) < 0) {
		error = reject(v, "malformed", NULL, error);
		goto done;
	}
	if ((error = already_imported(msg, sizeof(msg), v, r1.file_sha,
				      b->manifest ? sv_bundle_str(b->manifest, "bundle") : NULL)) < 0)
		goto done;
	if (error == 1) {
		sv_error(SCRVAULT_ECONFLICT, "%s", msg);
		error = reject(v, "duplicate", r1.file_sha, SCRVAULT_ECONFLICT);
		goto done;
	}

	if (!b->manifest) {
		if (!s->unauthenticated) {
			sv_error_field(SCRVAULT_EDENIED, "unauthenticated", "'%s' carries no signed manifest (a plain "
				       "age file): it cannot be authenticated; import it only as unauthenticated, saying "
				       "who sent it, with its case and class", s->path);
			error = reject(v, "unsigned", r1.file_sha, SCRVAULT_EDENIED);
			goto done;
		}
		caseref = s->case_ref;
		cls = s->doc_class;
		ag = s->agency;
		filename = s->filename ? s->filename : sv_bundle_base_name(s->path);
		title = s->title ? s->title : filename;
	} else {
		const sv_json *m = b->manifest;

		if (s->unauthenticated) {
			error = sv_error_field(SCRVAULT_EUSAGE, "unauthenticated", "'%s' is a signed bundle: import it "
					       "as authenticated", s->path);
			goto done;
		}
		if (s->case_ref || s->doc_class || s->agency || s->title || s->filename) {
			error = sv_error_field(SCRVAULT_EUSAGE, s->case_ref ? "case_ref" : s->doc_class ? "doc_class" :
					       s->agency ? "agency" : s->title ? "title" : "filename",
					       "a signed bundle names its own case, class, agency, title and file name: "
					       "give none of them");
			goto done;
		}
		if (!b->signature_ok) {
			sv_error(SCRVAULT_EINTEGRITY, "the signature on the bundle's manifest does not verify: it was "
				 "altered or forged; nothing was imported");
			error = reject(v, "bad signature", r1.file_sha, SCRVAULT_EINTEGRITY);
			goto done;
		}
		if (strcmp(sv_bundle_str(m, "type"), SV_INTAKE_TYPE) != 0) {
			sv_error(SCRVAULT_EINTEGRITY, "the bundle is not an intake bundle (its manifest is of type '%s')",
				 sv_bundle_str(m, "type"));
			error = reject(v, "not an intake bundle", r1.file_sha, SCRVAULT_EINTEGRITY);
			goto done;
		}
		if ((error = sv_age_recipient_encode(&recipient, pub)) < 0)
			goto done;
		snprintf(recipient_buf, sizeof(recipient_buf), "%s", recipient);
		if (strcmp(sv_bundle_str(m, "to"), recipient_buf) != 0) {
			sv_error(SCRVAULT_EINTEGRITY, "the bundle's signed manifest names another recipient than this "
				 "vault's: it was re-encrypted after signing");
			error = reject(v, "recipient mismatch", r1.file_sha, SCRVAULT_EINTEGRITY);
			goto done;
		}
		{
			char shahex[2 * SV_SHA256_LEN + 1];

			sv_hex(shahex, r1.sha, SV_SHA256_LEN);
			if (strcmp(sv_bundle_str(m, "sha256"), shahex) != 0 ||
			    sv_json_as_int(sv_json_get(m, "size")) != (int64_t)r1.size) {
				sv_error(SCRVAULT_EINTEGRITY, "the bundle's content does not match its signed manifest "
					 "(SHA-256 or size differ): nothing was imported");
				error = reject(v, "content mismatch", r1.file_sha, SCRVAULT_EINTEGRITY);
				goto done;
			}
		}
		if ((error = find_signer(&ic.signer, agency, sizeof(agency), v, b, r1.file_sha)) < 0)
			goto done;
		caseref = sv_bundle_str(m, "case");
		cls = sv_bundle_str(m, "class");
		ag = sv_json_str(sv_json_get(m, "agency"));
		/* The sender's text, signed or not, is refused when it is not clean
		 * (control characters would reach the coordinator's terminal). */
		{
			const char *bad = sv_text_bad(sv_bundle_str(m, "title"), 0) ? "title" :
					  sv_text_bad(sv_bundle_str(m, "filename"), 0) ? "filename" :
					  sv_text_bad(ag, 0) ? "agency" : NULL;

			if (bad) {
				sv_error_field(SCRVAULT_EUSAGE, bad, "the bundle's %s is not valid text (invalid UTF-8 or "
					       "a control character): nothing was imported; ask the sender to seal it "
					       "again", bad);
				error = reject(v, "bad text", r1.file_sha, SCRVAULT_EUSAGE);
				goto done;
			}
		}
		if (ag && agency[0] && strcmp(ag, agency) != 0) {
			sv_error(SCRVAULT_EDENIED, "the bundle claims agency '%s' but its signer is registered for "
				 "agency '%s'", ag, agency);
			error = reject(v, "agency mismatch", r1.file_sha, SCRVAULT_EDENIED);
			goto done;
		}
		title = sv_bundle_str(m, "title");
		filename = sv_bundle_base_name(sv_bundle_str(m, "filename"));
		snprintf(ic.bundle_id, sizeof(ic.bundle_id), "%s", sv_bundle_str(m, "bundle"));
		if (strlen(ic.bundle_id) != 32 || strspn(ic.bundle_id, "0123456789abcdef") != 32) {
			sv_error(SCRVAULT_EINTEGRITY, "the bundle's manifest has no valid bundle id");
			error = reject(v, "malformed", r1.file_sha, SCRVAULT_EINTEGRITY);
			goto done;
		}
		{
			bool ok = false;

			/* The one rule for what an agency sends (doc.h): its upload keeps it too. */
			if ((error = sv_doc_submit_allowed(&ok, why, sizeof(why), &ag, v, ic.signer, agency,
							   caseref, cls, ag)) < 0)
				goto done;
			if (!ok) {
				sv_error(SCRVAULT_EDENIED, "'%s' may not submit a document of class '%s' to case '%s'%s%s: %s "
					 "(a coordinator grants 'agency-submitter' for the case and agency)",
					 sv_bundle_str(m, "signer"), cls, caseref, ag ? " for agency " : "", ag ? ag : "", why);
				error = reject(v, "not allowed", r1.file_sha, SCRVAULT_EDENIED);
				goto done;
			}
		}
	}
	if (!caseref || !cls || !*caseref || !*cls) {
		error = sv_error_field(SCRVAULT_EUSAGE, !caseref || !*caseref ? "case_ref" : "doc_class",
				       "an unsigned file needs its case and class");
		goto done;
	}
	if (!*filename || !strcmp(filename, ".") || !strcmp(filename, "..")) {
		filename = "document";
	}
	if (s->doc) {
		if ((error = sv_doc_resolve(doc_full, doc_case, v, "intake.import", s->doc)) < 0)
			goto done;
		{
			sv_stmt *st = NULL;
			bool same = false;

			if ((error = sv_db_query(&st, v->db, "SELECT class, coalesce(agency, '') FROM documents WHERE id = ?",
						 "t", doc_full)) < 0)
				goto done;
			if ((error = sv_stmt_step(st)) == 1)
				same = !strcmp(sv_stmt_text(st, 0), cls) && !strcmp(doc_case, caseref) &&
				       (!ag || !strcmp(sv_stmt_text(st, 1), ag));
			sv_stmt_free(st);
			if (error < 0)
				goto done;
			if (!same) {
				error = sv_error(SCRVAULT_ECONFLICT, "the bundle is for case '%s', class '%s'%s%s, which "
						 "is not the case, class and agency of document %s", caseref, cls,
						 ag ? ", agency " : "", ag ? ag : "", doc_full);
				goto done;
			}
		}
	}

	/* Second pass: the check-in reads the plaintext from the bundle again and
	 * must see the same bytes (the file could change in between). */
	{
		scrvault_checkin_spec cs = {
			.case_ref = s->doc ? NULL : caseref,
			.doc_class = s->doc ? NULL : cls,
			.agency = s->doc ? NULL : ag,
			.doc = s->doc ? doc_full : NULL,
			.note = s->note,
		};
		scrvault_checkin_file f = { .path = s->path, .filename = filename, .title = title };
		sv_checkin_source src = { .name = s->path, .size = r1.size, .read = plain_read, .ctx = &ps,
					  .keep_error = true };
		error = SCRVAULT_ERROR;
		if (!(ps.chunk = sv_malloc(SV_AGE_CHUNK)))
			goto done;
		if ((error = import_pass(&r2, &b2, &fd, priv, true, &ps)) < 0)
			goto done;
		ic.b = b;
		ic.file_sha = r1.file_sha;
		if ((error = sv_doc_checkin(out, v, &cs, &f, &src, 1, import_hook, &ic)) < 0)
			goto done;
		if (sv_sha256_final(ps.h, r2.sha) < 0 || memcmp(r2.sha, r1.sha, SV_SHA256_LEN) != 0) {
			/* Cannot happen without the file changing under us: the
			 * check-in verified each chunk; report it loudly. */
			error = sv_error(SCRVAULT_EINTEGRITY, "the bundle changed while it was being imported");
			goto done;
		}
	}
	{
		sv_json *row = (sv_json *)sv_json_at(*out, 0);

		if (row && (sv_json_set_int(row, "intake", ic.intake_id) < 0 ||
			    sv_json_set_bool(row, "authenticated", b->manifest != NULL) < 0 ||
			    (b->manifest && sv_json_set_str(row, "signer", sv_bundle_str(b->manifest, "signer")) < 0) ||
			    sv_json_set_str(row, "case", caseref) < 0 || sv_json_set_str(row, "class", cls) < 0)) {
			error = SCRVAULT_ERROR;
			goto done;
		}
	}
	error = 0;
done:
	if (error < 0) {
		sv_json_free(*out);
		*out = NULL;
	}
	sv_cleanse_free(ps.chunk, SV_AGE_CHUNK);
	sv_sha256_free(ps.h);
	if (fd >= 0)
		close(fd);
	sv_bundle_free(b);
	sv_bundle_free(b2);
	sv_secret_free(priv);
	free(recipient);
	return error;
}
