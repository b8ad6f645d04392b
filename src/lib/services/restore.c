/*
 * restore.c - rebuilding a vault from a backup and a mirror.
 *
 * Restore: the backup's keyring and database, a bare clone of the mirror as
 * the store, a custodian's key.  The mirror's signed checkpoint and history
 * say what the backup does not have: audit entries (a sequence range) and
 * store commits (state changes); a mirror without a checkpoint that verifies
 * is a gap of unknown size.  A version the backup holds live whose blob the
 * mirror's head no longer holds is destroyed again (its key deleted) only if
 * a destruction record signed by the vault's audit key, in a store commit
 * after the backup, names it and its blob: a backup never undoes a
 * destruction the vault recorded, and a commit anyone could push to a
 * mirror destroys nothing (such removals are reported and undone).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "services/backup.h"
#include "records/destruction.h"
#include "vault/authz.h"
#include "vault/keyrelease.h"
#include "vault/log.h"
#include "vault/meta.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "storage/remote.h"
#include "storage/store.h"
#include "crypto/crypto.h"
#include "crypto/note.h"
#include "base/common.h"
#include "base/date.h"
#include "base/file.h"
#include "base/json.h"

#define CHECKPOINT_REF "refs/audit/checkpoint"

/* A destruction that a verified record in the mirror's history vouches for. */
typedef struct {
	char doc[SV_DOC_ID_LEN + 1];
	unsigned version;
	char blob[SV_OID_HEXLEN + 1];
	char commit[SV_OID_HEXLEN + 1];
} signed_destruction;

/* What the mirror's history after the backup holds. */
typedef struct {
	scrvault *v;
	sv_json *list;			/* the state changes */
	signed_destruction *rec;	/* destructions vouched for by a verified record */
	size_t nrec, cap;
	size_t bad;			/* records that do not verify: ignored */
} walk_ctx;

/* The lines of a record's body after its first, into w->rec; -1 if malformed. */
static int record_parse(walk_ctx *w, const char *commit, char *body)
{
	char *line = body + strlen(SV_DESTRUCTION_RECORD_HEAD), *nl;
	size_t first = w->nrec;
	int k = 0;

	for (; *line; line = nl + 1, k++) {
		char doc[SV_DOC_ID_LEN + 2], blob[SV_OID_HEXLEN + 2];
		unsigned version = 0;
		int used = 0;

		if (!(nl = strchr(line, '\n')))
			goto bad;
		*nl = '\0';
		if (k == 0) {
			if (strncmp(line, "vault ", 6) != 0 || strcmp(line + 6, w->v->id) != 0)
				goto bad;
			continue;
		}
		if (k == 1) {
			if (strncmp(line, "at ", 3) != 0)
				goto bad;
			continue;
		}
		if (sscanf(line, "destroy %33s %u %41s%n", doc, &version, blob, &used) != 3 || line[used] ||
		    strlen(doc) != SV_DOC_ID_LEN || strlen(blob) != SV_OID_HEXLEN || version == 0)
			goto bad;
		if (sv_grow(&w->rec, &w->cap, w->nrec + 1, sizeof(*w->rec), 16) < 0)
			return SCRVAULT_ERROR;
		memcpy(w->rec[w->nrec].doc, doc, SV_DOC_ID_LEN + 1);
		w->rec[w->nrec].version = version;
		memcpy(w->rec[w->nrec].blob, blob, SV_OID_HEXLEN + 1);
		snprintf(w->rec[w->nrec].commit, sizeof(w->rec[0].commit), "%s", commit);
		w->nrec++;
	}
	if (k >= 3)
		return 0;
bad:
	w->nrec = first;
	return -1;
}

/* A commit message's destruction record, if it has one that verifies. */
static int record_scan(walk_ctx *w, const char *commit, const char *message)
{
	const char *h = message, *s, *e;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	char *body = NULL, *sig64 = NULL;
	int error = 0;

	while ((h = strstr(h, SV_DESTRUCTION_RECORD_HEAD)) && h != message && h[-1] != '\n')
		h++;
	if (!h)
		return 0;
	if (!(s = strstr(h, "\nsignature ")) ) {
		w->bad++;
		return 0;
	}
	s++;
	e = s + 10 + strcspn(s + 10, "\n");
	if (!(body = sv_strndup(h, (size_t)(s - h))) || !(sig64 = sv_strndup(s + 10, (size_t)(e - s - 10)))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if (sv_unbase64(&sig, &siglen, sig64) < 0 || siglen != SV_SIG_LEN ||
	    sv_ed25519_verify(sig, w->v->audit_pub, body, strlen(body)) < 0) {
		w->bad++;
		goto done;
	}
	if ((error = record_parse(w, commit, body)) == -1) {
		error = 0;
		w->bad++;
	}
done:
	free(body);
	free(sig64);
	free(sig);
	return error;
}

static int walk_cb(void *ctx, const char *commit, const char *message, int64_t when)
{
	walk_ctx *w = ctx;
	char at[21], msg[128];
	sv_json *o = sv_json_object();
	size_t n;

	sv_time_iso(at, when);
	snprintf(msg, sizeof(msg), "%s", message ? message : "");
	n = strcspn(msg, "\n");
	msg[n] = '\0';
	if (!o || sv_json_set_fields(o, SV_FIELDS(SV_STR("commit", commit), SV_STR("at", at),
						  SV_STR("change", msg))) < 0 ||
	    sv_json_append(w->list, o) < 0)
		return SCRVAULT_ERROR;
	return message ? record_scan(w, commit, message) : 0;
}

static const signed_destruction *record_find(const walk_ctx *w, const char *doc, unsigned version)
{
	for (size_t i = 0; i < w->nrec; i++)
		if (w->rec[i].version == version && strcmp(w->rec[i].doc, doc) == 0)
			return &w->rec[i];
	return NULL;
}

/* ---- restore ------------------------------------------------------------------------------ */

static int write_new(const char *dir, const char *name, const void *data, size_t len)
{
	char *p = sv_path(dir, name);
	int error = p ? sv_file_create(p, data, len, 0600) : SCRVAULT_ERROR;

	free(p);
	return error;
}

/* A live version of the backup whose blob the mirror's head no longer holds. */
typedef struct {
	char doc[SV_DOC_ID_LEN + 1];
	unsigned version;
	char *cls, *caseref;
	char path[96];
	const signed_destruction *rec;	/* the record vouching for it; NULL: none */
} removal;

static void removals_free(removal *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].cls);
		free(r[i].caseref);
	}
	free(r);
}

/* The removals being found: the list so far, and what a row is checked against. */
typedef struct {
	removal *r;
	size_t n, cap;
	scrvault *v;
	const char *mhead, *dbhead;
	const walk_ctx *w;
} removals;

/* A live version of the backup: a removal when the mirror's head lacks it. */
static int removal_row(void *ctx, sv_stmt *st)
{
	removals *f = ctx;
	char path[96], oid[SV_OID_HEXLEN + 1], bblob[SV_OID_HEXLEN + 1];
	const char *doc = sv_stmt_text(st, 0);
	unsigned version = (unsigned)sv_stmt_int(st, 1);
	const signed_destruction *rec;
	removal *x;

	sv_blob_path(path, sizeof(path), doc, version);
	if (sv_store_lookup(oid, f->v->store, f->mhead, path) == 0)
		return 0;
	if (strlen(doc) != SV_DOC_ID_LEN)
		return sv_error(SCRVAULT_EINTEGRITY, "the backup's database has a malformed document id");
	if (sv_grow(&f->r, &f->cap, f->n + 1, sizeof(*f->r), 16) < 0)
		return SCRVAULT_ERROR;
	x = &f->r[f->n++];
	memset(x, 0, sizeof(*x));
	memcpy(x->doc, doc, SV_DOC_ID_LEN + 1);
	x->version = version;
	snprintf(x->path, sizeof(x->path), "%s", path);
	if (!(x->cls = sv_strdup(sv_stmt_text(st, 2))) || !(x->caseref = sv_strdup(sv_stmt_text(st, 3))))
		return SCRVAULT_ERROR;
	/* The record must name the blob the backup's store holds for it. */
	rec = record_find(f->w, doc, version);
	if (rec && f->dbhead[0] && sv_store_lookup(bblob, f->v->store, f->dbhead, path) == 0 &&
	    strcmp(bblob, rec->blob) != 0)
		rec = NULL;
	x->rec = rec;
	return 0;
}

/*
 * The backup's live versions missing from the mirror's head, each with the
 * verified record that vouches for its destruction (same document, version
 * and blob as the backup's store), or none.
 */
static int removals_find(removal **out, size_t *count, scrvault *v, const char *mhead, const char *dbhead,
			 const walk_ctx *w)
{
	removals f = { NULL, 0, 0, v, mhead, dbhead, w };
	int error;

	*out = NULL;
	*count = 0;
	if ((error = sv_db_each(v->db, removal_row, &f, "SELECT ve.doc_id, ve.version, d.class, c.ref"
				" FROM versions ve JOIN documents d ON d.id = ve.doc_id JOIN cases c ON c.id = d.case_id"
				" WHERE ve.state = 'live' ORDER BY ve.doc_id, ve.version", "")) < 0) {
		removals_free(f.r, f.n);
		return error;
	}
	*out = f.r;
	*count = f.n;
	return 0;
}

/* {"doc","version"} of each removal with (signed) or without a record, into `arr`. */
static int removals_json(sv_json *arr, const removal *r, size_t n, bool signed_ones)
{
	for (size_t i = 0; i < n; i++) {
		sv_json *o;

		if ((r[i].rec != NULL) != signed_ones)
			continue;
		if (!(o = sv_json_object()) ||
		    sv_json_set_fields(o, SV_FIELDS(SV_STR("doc", r[i].doc), SV_INT("version", r[i].version))) < 0) {
			sv_json_free(o);
			return SCRVAULT_ERROR;
		}
		if (sv_json_append(arr, o) < 0)
			return SCRVAULT_ERROR;
	}
	return 0;
}

/* The report's and the audit entry's account of the gap (both get the same). */
static int gap_fields(sv_json *o, const sv_backup_file *b, int64_t bsize, const char *cpstate, uint64_t msize,
		      size_t nchanges, size_t nunsigned)
{
	if (sv_json_set_str(o, "backup_created_at", sv_json_str(sv_json_get(b->manifest, "created_at"))) < 0 ||
	    sv_json_set_int(o, "backup_audit_size", bsize) < 0 ||
	    sv_json_set_str(o, "mirror_checkpoint", cpstate) < 0 ||
	    sv_json_set_int(o, "mirror_audit_size", (int64_t)msize) < 0 ||
	    ((int64_t)msize > bsize && (sv_json_set_int(o, "missing_audit_from", bsize + 1) < 0 ||
					 sv_json_set_int(o, "missing_audit_to", (int64_t)msize) < 0)) ||
	    sv_json_set_int(o, "missing_state_changes", (int64_t)nchanges) < 0 ||
	    sv_json_set_int(o, "removals_not_applied", (int64_t)nunsigned) < 0)
		return SCRVAULT_ERROR;
	return 0;
}

int scrvault_restore(scrvault_json **out, const scrvault_restore_spec *s)
{
	char mhead[SV_OID_HEXLEN + 1], dbhead[SV_OID_HEXLEN + 1], commit[SV_OID_HEXLEN + 1], *storepath = NULL;
	char *note = NULL, *message = NULL, cpwhy[512] = "";
	const char *bvault, *cpstate = "verified";
	sv_backup_file b;
	scrvault *v = NULL;
	sv_json *report = NULL, *changes = NULL, *redo = NULL, *unsigned_list = NULL, *d;
	walk_ctx w = { 0 };
	removal *rm = NULL;
	size_t nrm = 0, nredo = 0, nchanges;
	sv_checkpoint cp;
	int64_t bsize;
	uint64_t msize = 0;
	bool made = false, gap;
	int error;

	*out = NULL;
	memset(&cp, 0, sizeof(cp));
	if ((error = SV_STRUCT_CHECK(s, SCRVAULT_RESTORE_SPEC_VERSION, "scrvault_restore_spec")) < 0)
		return error;
	if (!s->backup || !s->mirror || !s->dir || !s->keyfile)
		return sv_error_field(SCRVAULT_EUSAGE, !s->backup ? "backup" : !s->mirror ? "mirror" : !s->dir ? "dir" :
				      "keyfile", "a restore needs a backup file, a mirror's URL, a new directory and a "
				      "custodian's key file");
	if ((error = sv_backup_read(&b, s->backup)) < 0)
		return error;
	bvault = sv_json_str(sv_json_get(b.manifest, "vault"));
	bsize = sv_json_as_int(sv_json_get(b.manifest, "audit_size"));
	/* The backup (its manifest's signature checked by sv_backup_read) must be
	 * of the vault the key file belongs to, before anything is written. */
	{
		sv_identity *pub = NULL, *id = NULL;

		if ((error = sv_identity_load(&pub, s->keyfile, NULL)) == 0) {
			error = pub->has_passphrase && !s->passphrase
				? sv_error_field(SCRVAULT_EUSAGE, "passphrase", "key file '%s' needs its passphrase", s->keyfile)
				: sv_identity_load(&id, s->keyfile, s->passphrase);
			if (error == 0)
				error = sv_vault_pin_check(id, s->keyfile, bvault, b.signer);
		}
		sv_identity_free(pub);
		sv_identity_free(id);
		if (error < 0)
			goto done;
	}
	if (mkdir(s->dir, 0700) < 0) {
		error = sv_error(errno == EEXIST ? SCRVAULT_ECONFLICT : SCRVAULT_ERROR, "cannot create '%s': %s "
				 "(restore into a new directory)", s->dir, strerror(errno));
		goto done;
	}
	made = true;
	if ((error = write_new(s->dir, "keyring", b.keyring, b.keyring_len)) < 0 ||
	    (error = write_new(s->dir, "vault.db", b.database, b.database_len)) < 0 ||
	    (error = write_new(s->dir, "lock", "", 0)) < 0)
		goto done;
	if (!(storepath = sv_path(s->dir, "store.git"))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = sv_store_clone(s->mirror, storepath)) < 0)
		goto done;
	/* Unlock as the custodian: the store's newer checkpoint makes the vault
	 * read-only (rolled_back) until this restore settles it. */
	{
		scrvault_open_options o = SCRVAULT_OPEN_OPTIONS_INIT;

		o.dir = s->dir;
		o.keyfile = s->keyfile;
		o.passphrase = s->passphrase;
		o.flags = s->open_flags;
		error = sv_vault_open_restored(&v, &o);
	}
	if (error < 0)
		goto done;
	if (strcmp(v->id, bvault ? bvault : "") != 0 || memcmp(v->audit_pub, b.signer, SV_KEY_LEN) != 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "the backup's database is not the vault its manifest names");
		goto done;
	}
	if ((error = sv_authorize(v, "vault.restore", NULL)) < 0)
		goto done;
	if ((error = sv_vault_store_head(dbhead, v)) < 0 || (error = sv_store_head(mhead, v->store)) < 0)
		goto done;
	if (dbhead[0] && sv_store_descends(v->store, mhead, dbhead) != 1) {
		error = sv_error(SCRVAULT_EINTEGRITY, "the mirror does not hold the store the backup refers to (commit "
				 "%.12s): it is older than the backup or another vault's; push a current mirror first",
				 dbhead);
		goto done;
	}
	/* What the backup missed: audit entries by the mirror's checkpoint.
	 * Without one that verifies (signed by the backup's audit key, for its
	 * vault) nothing says how many there are, nor whether database-only
	 * changes (holds, decisions, releases, copies) came after the backup:
	 * that is a gap of unknown size. */
	error = sv_store_tag_get(&note, v->store, CHECKPOINT_REF);
	if (error == SCRVAULT_ENOTFOUND) {
		cpstate = "missing";
		snprintf(cpwhy, sizeof(cpwhy), "the mirror has no audit checkpoint (%s)", CHECKPOINT_REF);
	} else if (error < 0 && error != SCRVAULT_EINTEGRITY) {
		goto done;
	} else if (error < 0 || sv_checkpoint_open(&cp, note, strlen(note), v->origin, v->audit_pub) < 0) {
		cpstate = "unverifiable";
		snprintf(cpwhy, sizeof(cpwhy), "the mirror's audit checkpoint (%s) does not verify with this vault's "
			 "audit key (%s)", CHECKPOINT_REF, scrvault_error_message());
	} else {
		msize = cp.size;
	}
	/* ... state changes and signed destruction records by its history ... */
	error = SCRVAULT_ERROR;
	if (!(report = sv_json_object()) || !(changes = sv_json_array()) || !(redo = sv_json_array()) ||
	    !(unsigned_list = sv_json_array()))
		goto done;
	w.v = v;
	w.list = changes;
	if ((error = sv_store_walk(v->store, dbhead[0] ? dbhead : NULL, mhead, walk_cb, &w)) < 0)
		goto done;
	/* ... and removals: versions the backup holds live that the mirror's head
	 * no longer has.  Only those a verified record vouches for are destroyed
	 * again; the others are reported and kept. */
	if ((error = removals_find(&rm, &nrm, v, mhead, dbhead, &w)) < 0 ||
	    (error = removals_json(redo, rm, nrm, true)) < 0 ||
	    (error = removals_json(unsigned_list, rm, nrm, false)) < 0)
		goto done;
	nredo = sv_json_count(redo);
	nchanges = sv_json_count(changes);
	gap = strcmp(cpstate, "verified") != 0 || (int64_t)msize > bsize || nchanges > 0;
	if ((error = gap_fields(report, &b, bsize, cpstate, msize, nchanges, sv_json_count(unsigned_list))) < 0 ||
	    (cpwhy[0] && (error = sv_json_set_str(report, "mirror_checkpoint_problem", cpwhy)) < 0) ||
	    (w.bad && (error = sv_json_set_int(report, "destruction_records_rejected", (int64_t)w.bad)) < 0))
		goto done;
	error = sv_json_set(report, "state_changes", changes);
	changes = NULL;
	if (error < 0)
		goto done;
	error = sv_json_set(report, "removals_not_applied_list", unsigned_list);
	unsigned_list = NULL;
	if (error < 0)
		goto done;
	if (gap && !s->accept_gap) {
		char what[1024];

		if (cpwhy[0])
			snprintf(what, sizeof(what), "%s, so neither the audit entries nor the database-only changes "
				 "(holds, request decisions, releases, copies) made after the backup can be counted; and "
				 "it shows %zu state change%s after the backup (listed)", cpwhy, nchanges,
				 nchanges == 1 ? "" : "s");
		else if ((int64_t)msize > bsize)
			snprintf(what, sizeof(what), "it misses audit entries %lld to %llu and %zu state change%s (listed)",
				 (long long)bsize + 1, (unsigned long long)msize, nchanges, nchanges == 1 ? "" : "s");
		else
			snprintf(what, sizeof(what), "it misses %zu state change%s (listed)", nchanges,
				 nchanges == 1 ? "" : "s");
		*out = SV_TAKE(report);
		error = sv_error_field(SCRVAULT_ECONFLICT, "accept_gap", "the backup may be older than the mirror: %s; "
				       "nothing was restored. Restore a newer backup (or use a mirror with this vault's "
				       "checkpoint), or accept the loss (it is recorded)", what);
		goto done;
	}

	/* Settle it: destructions vouched for by a signed record are re-applied,
	 * the store gets a commit with the database's tree on top of the
	 * mirror's history (with the blobs of versions removed without a record
	 * put back), and the restore with its gap is the next audit entry. */
	v->rolled_back = false;
	{
		sv_store_update *ups = NULL;
		size_t k = 0;

		if ((error = sv_vault_begin(v)) < 0)
			goto done;
		if (!(ups = sv_calloc(nredo ? nredo : 1, sizeof(*ups)))) {
			sv_vault_abort(v);
			error = SCRVAULT_ERROR;
			goto done;
		}
		for (size_t i = 0; i < nrm; i++) {
			char today[11], auth[128];
			int64_t rec = 0;
			sv_destruction dd = {
				.doc = rm[i].doc, .version = rm[i].version, .cls = rm[i].cls,
				.caseref = rm[i].caseref, .rule = "re-applied at restore",
				.due_on = today, .authorised_by = auth, .master = -1,
			};

			if (!rm[i].rec)
				continue;
			sv_today(today);
			snprintf(auth, sizeof(auth), "this vault's signed destruction record (store commit %.12s)",
				 rm[i].rec->commit);
			if ((error = sv_version_destroy(v, &dd, &rec)) < 0)
				break;
			ups[k++].path = rm[i].path;
		}
		if (error >= 0 && (error = sv_destruction_note(&message, v, "restore", dbhead[0] ? dbhead : NULL,
									   ups, k)) >= 0)
			error = sv_store_commit_on(commit, v->store, mhead, dbhead[0] ? dbhead : NULL, ups, k,
						   message, sv_now());
		free(ups);
		if (error < 0) {
			sv_vault_abort(v);
			goto done;
		}
		d = sv_json_object();
		if (!d || gap_fields(d, &b, bsize, cpstate, msize, nchanges, nrm - nredo) < 0 ||
		    sv_json_set_int(d, "destructions_reapplied", (int64_t)nredo) < 0) {
			sv_json_free(d);
			sv_vault_abort(v);
			error = SCRVAULT_ERROR;
			goto done;
		}
		if (nrm > nredo) {
			sv_json *l = sv_json_array();

			if (l && removals_json(l, rm, nrm, false) < 0) {
				sv_json_free(l);
				l = NULL;
			}
			if (!l || sv_json_set(d, "removals_not_applied_list", l) < 0) {
				sv_json_free(d);
				sv_vault_abort(v);
				error = SCRVAULT_ERROR;
				goto done;
			}
		}
		error = sv_audit_append(v, "vault.restore", "ok", NULL, SV_FIELDS(SV_MERGE(d)));
		sv_json_free(d);
		if (error < 0 ||
		    (error = sv_vault_record_commit(v, commit)) < 0 ||
		    (error = sv_vault_commit(v)) < 0) {
			sv_vault_abort(v);
			goto done;
		}
		if ((error = sv_audit_publish(v, true)) < 0 || (error = sv_db_exec(v->db, "PRAGMA wal_checkpoint(TRUNCATE)")) < 0)
			goto done;
	}
	error = sv_json_set(report, "destructions_reapplied", redo);
	redo = NULL;
	if (error < 0)
		goto done;
	/*
	 * Every document of the restored vault is decrypted and checked (the
	 * check is on record first, as fsck's is).  A vault that fails is left
	 * where it is for inspection, and the restore is not a success.
	 */
	{
		scrvault_json *check = NULL;
		int rc = scrvault_fsck(&check, v);

		if (!check) {
			error = rc;
			goto done;
		}
		if ((error = sv_json_set(report, "check", check)) < 0)
			goto done;
		if (rc == SCRVAULT_EINTEGRITY) {
			const sv_json *ps = sv_json_get(check, "problems");

			made = false;
			*out = SV_TAKE(report);
			error = sv_error(SCRVAULT_EINTEGRITY, "the restored vault at '%s' fails its check (%zu problem%s, "
					 "the first: %s): it is left there for inspection", s->dir, sv_json_count(ps),
					 sv_json_count(ps) == 1 ? "" : "s", sv_json_str(sv_json_at(ps, 0)));
			goto done;
		}
		if (rc < 0) {
			error = rc;
			goto done;
		}
	}
	*out = SV_TAKE(report);
	error = 0;
done:
	if (v)
		scrvault_vault_close(v);
	if (error < 0 && made)
		sv_rmtree(s->dir);	/* nothing is left of a restore that did not finish */
	free(storepath);
	free(note);
	free(message);
	free(w.rec);
	removals_free(rm, nrm);
	sv_json_free(report);
	sv_json_free(changes);
	sv_json_free(redo);
	sv_json_free(unsigned_list);
	sv_backup_free(&b);
	return error;
}
