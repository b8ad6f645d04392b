/*
 * log.c - writing the audit log (DESIGN §8).
 *
 * One entry per state change, key release, refusal and failed unlock, in
 * the same database transaction as what it records, so an action without
 * its entry cannot be committed (fail closed).  An entry is canonical JSON:
 *
 *   {"action":..,"details":{..},"objects":{..},"outcome":..,"principal":..,
 *    "request":..,"role":..,"seq":N,"time":"YYYY-MM-DDTHH:MM:SSZ","v":1}
 *
 * stored with its RFC 6962 leaf hash SHA-256(0x00 || entry).  Entries carry
 * ids, hashes and reasons; never document contents, titles, names of
 * children or families, passphrases or key material.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vault/log.h"
#include "vault/meta.h"
#include "vault/session.h"
#include "storage/db.h"
#include "storage/store.h"
#include "crypto/merkle.h"
#include "crypto/note.h"
#include "base/common.h"
#include "base/date.h"
#include "base/fault.h"
#include "base/json.h"

#define SV_AUDIT_FORMAT 1

static int store_closed_nodes(scrvault *v, uint64_t index, const sv_hash *leaf);

const char *sv_audit_outcome(int code)
{
	switch (code) {
	case 0: return "ok";
	case SCRVAULT_EUSAGE: return "invalid";
	case SCRVAULT_EDENIED: return "denied";
	case SCRVAULT_ENOTFOUND: return "not-found";
	case SCRVAULT_EINTEGRITY: return "integrity-failure";
	case SCRVAULT_ECONFLICT: return "conflict";
	default: return "error";
	}
}

/* Test hook (test builds only, base/fault.h): with SCRVAULT_TEST_FAIL_AUDIT=k
 * set, the k-th append made while it is set fails, to prove that an action
 * whose entry cannot be written does not happen.  It can only cause failures. */
static int injected_failure(void)
{
	static long calls;
	const char *k = SV_TEST_GETENV("SCRVAULT_TEST_FAIL_AUDIT");

	if (!k) {
		calls = 0;
		return 0;
	}
	return ++calls == strtol(k, NULL, 10);
}

/* Remember that the open transaction's entries name about->doc@version. */
static int note_named(scrvault *v, const sv_about *a)
{
	struct sv_named *n;

	if (strlen(a->doc) > SV_DOC_ID_LEN)
		return 0;	/* not a document id: names nothing that can be released */
	if (sv_grow(&v->txn_named, &v->txn_cap, v->txn_nnamed + 1, sizeof(*n), 16) < 0)
		return SCRVAULT_ERROR;
	n = &v->txn_named[v->txn_nnamed++];
	snprintf(n->doc, sizeof(n->doc), "%s", a->doc);
	n->version = (unsigned)a->version;
	return 0;
}

/* The entry's "objects": each member of `a` that is set. */
static int about_json(sv_json **out, const sv_about *a)
{
	sv_about none = { 0 };

	if (!a)
		a = &none;
	return sv_json_new(out, SV_FIELDS(
			SV_OPT("case", a->caseref), SV_OPT("doc", a->doc), SV_OPT("class", a->doc_class),
			SV_OPT("agency", a->agency), SV_OPT("principal", a->principal), SV_OPT("op", a->op),
			SV_OPT("mirror", a->mirror), SV_OPT("policy", a->policy),
			SV_OPT("bundle_sha256", a->bundle_sha256), SV_IF(a->version, SV_INT("version", a->version)),
			SV_IF(a->copy, SV_INT("copy", a->copy)), SV_IF(a->request, SV_INT("request", a->request)),
			SV_IF(a->hold, SV_INT("hold", a->hold)), SV_IF(a->release, SV_INT("release", a->release)),
			SV_IF(a->intake, SV_INT("intake", a->intake))));
}

/*
 * Whether `f` always gives the entry details: a member that is not optional
 * (SV_OPT and SV_IF may give nothing; everything else gives a member).
 */
static bool details_due(const sv_field *f)
{
	for (; f && f->type != SV_F_END; f++)
		if (f->type == SV_F_STR || f->type == SV_F_INT || f->type == SV_F_BOOL || f->type == SV_F_SUB ||
		    f->type == SV_F_VAL || f->type == SV_F_MERGE ||
		    (f->type == SV_F_SPLICE && details_due(f->sub)))
			return true;
	return false;
}

static int append_entry(scrvault *v, const char *action, const char *outcome,
			const sv_about *about, const sv_field *fields)
{
	sv_hash leaf;
	char when[21], *text = NULL;
	int64_t seq = 0;
	sv_json *e = NULL, *objects = NULL, *details = NULL, *moved;
	size_t len = 0;
	int error = SCRVAULT_ERROR;

	if (!sv_db_in_txn(v->db)) {
		error = sv_error(SCRVAULT_ERROR, "audit entry outside a transaction");
		goto done;
	}
	if (injected_failure()) {
		error = sv_error(SCRVAULT_ERROR, "cannot write the audit entry (injected failure)");
		goto done;
	}
	if ((error = sv_db_int(&seq, v->db, "SELECT coalesce(max(seq), 0) FROM audit", "")) < 0)
		goto done;
	error = SCRVAULT_ERROR;
	sv_time_iso(when, sv_now());
	if (about_json(&objects, about) < 0 || !(details = sv_json_object()) ||
	    (error = sv_json_set_fields(details, fields)) < 0) {
		error = sv_error_wrap(error < 0 ? error : SCRVAULT_ERROR, "cannot write the audit entry '%s'", action);
		goto done;
	}
	/* An entry never loses its details: none where some are due (an empty
	 * object merged in, a value that could not be made) is an error. */
	if (details_due(fields) && sv_json_count(details) == 0) {
		error = sv_error(SCRVAULT_ERROR, "the audit entry '%s' has lost its details: nothing was recorded",
				 action);
		goto done;
	}
	error = SCRVAULT_ERROR;
	/* Someone acting in a session a custodian unlocked: name both. */
	if (v->unlocker && sv_json_set_str(details, "unlocked_by", v->unlocker) < 0)
		goto done;
	/* A service acting for someone: the session and the peer it came from. */
	if ((v->act_session && sv_json_set_str(details, "session", v->act_session) < 0) ||
	    (v->act_client && sv_json_set_str(details, "client", v->act_client) < 0))
		goto done;
	/* sv_json_set owns the value even when it fails: hand it over first. */
	if (!(e = sv_json_object()) ||
	    sv_json_set_str(e, "action", action) < 0 ||
	    (moved = details, details = NULL, sv_json_set(e, "details", moved) < 0) ||
	    (moved = objects, objects = NULL, sv_json_set(e, "objects", moved) < 0) ||
	    sv_json_set_str(e, "outcome", outcome) < 0 ||
	    sv_json_set_str(e, "principal", v->principal ? v->principal : "") < 0 ||
	    sv_json_set_str(e, "request", v->request) < 0 ||
	    sv_json_set_str(e, "role", v->role ? v->role : "") < 0 ||
	    sv_json_set_int(e, "seq", seq + 1) < 0 ||
	    sv_json_set_str(e, "time", when) < 0 ||
	    sv_json_set_int(e, "v", SV_AUDIT_FORMAT) < 0 ||
	    sv_json_write(&text, &len, e) < 0)
		goto done;
	sv_merkle_leaf_hash(&leaf, text, len);
	if ((error = sv_db_run(v->db, "INSERT INTO audit(seq, entry, leaf) VALUES (?, ?, ?)",
			       "itb", seq + 1, text, leaf.h, sizeof(leaf.h))) < 0 ||
	    (error = store_closed_nodes(v, (uint64_t)seq, &leaf)) < 0) {
		error = sv_error_wrap(error, "cannot write the audit entry");
		goto done;
	}
	v->audit_dirty = true;
	v->txn_entries++;
	if (about && about->doc && about->version > 0 && (error = note_named(v, about)) < 0)
		goto done;
done:
	sv_json_free(objects);
	sv_json_free(details);
	sv_json_free(e);
	free(text);
	return error;
}

/* The public entry points keep account of the time spent in audit work
 * (v->audit_seconds, read by the benchmark). */
int sv_audit_append(scrvault *v, const char *action, const char *outcome,
		    const sv_about *about, const sv_field *details)
{
	double t0 = sv_monotonic();
	int error = append_entry(v, action, outcome, about, details);

	v->audit_seconds += sv_monotonic() - t0;
	return error;
}

/* ---- the Merkle tree over the log -------------------------------------------- */

int sv_audit_size(uint64_t *out, scrvault *v)
{
	int64_t n = 0;
	int error = sv_db_int(&n, v->db, "SELECT coalesce(max(seq), 0) FROM audit", "");

	*out = (uint64_t)n;
	return error < 0 ? error : 0;
}

int sv_audit_node(sv_hash *out, void *ctx, unsigned level, uint64_t index)
{
	scrvault *v = ctx;
	sv_stmt *st = NULL;
	const unsigned char *h;
	size_t len = 0;
	int error;

	error = level == 0
		? sv_db_query(&st, v->db, "SELECT leaf FROM audit WHERE seq = ?", "i", (int64_t)index + 1)
		: sv_db_query(&st, v->db, "SELECT hash FROM audit_nodes WHERE level = ? AND idx = ?",
			      "ii", (int64_t)level, (int64_t)index);
	if (error < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1 && (h = sv_stmt_blob(st, 0, &len)) && len == SV_HASH_LEN) {
		memcpy(out->h, h, SV_HASH_LEN);
		error = 0;
	} else if (error >= 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "audit tree node (%u, %llu) is missing or damaged",
				 level, (unsigned long long)index);
	}
	sv_stmt_free(st);
	return error;
}

/*
 * After leaf `index` was stored: store every complete subtree it closes.
 * Leaf i closes the node at level L when (i + 1) is a multiple of 2^L.
 */
static int store_closed_nodes(scrvault *v, uint64_t index, const sv_hash *leaf)
{
	sv_hash right = *leaf, left, node;
	int error;

	for (unsigned level = 1; level < 64 && ((index + 1) & ((UINT64_C(1) << level) - 1)) == 0; level++) {
		uint64_t node_index = ((index + 1) >> level) - 1;

		if ((error = sv_audit_node(&left, v, level - 1, 2 * node_index)) < 0)
			return error;
		sv_merkle_node_hash(&node, &left, &right);
		if ((error = sv_db_run(v->db, "INSERT INTO audit_nodes(level, idx, hash) VALUES (?, ?, ?)",
				       "iib", (int64_t)level, (int64_t)node_index, node.h, sizeof(node.h))) < 0)
			return error;
		right = node;
	}
	return 0;
}

/* The checkpoint blob's path in the store tree. */
#define CHECKPOINT_REF "refs/audit/checkpoint"

/*
 * Checkpoints are signed inside the transaction of the command that appended
 * the entries (sv_audit_sign), so the entries, their tree nodes and the signed
 * checkpoint commit together with one database commit, and a note is never
 * signed over a state that could still roll back.
 *
 * The store carries the latest one as an annotated tag (CHECKPOINT_REF, on
 * the store's head commit: one object and one ref), so every copy of the
 * store holds evidence of how long the log was.  Writing it durably costs
 * about as much as a small command itself, so it is done when a session
 * ends (scrvault_close: each CLI command), and in a long-lived session
 * after PUBLISH_ENTRIES entries or PUBLISH_SECONDS seconds; 'audit
 * checkpoint' and the audit read commands do it at once.  The store's
 * checkpoint may lag the database's by those bounds, never run ahead of it:
 * one that runs ahead means the database was rolled back (sv_audit_check_store).
 */
#define PUBLISH_ENTRIES 64
#define PUBLISH_SECONDS 300

int sv_audit_latest(int64_t *size, char **note, scrvault *v)
{
	sv_stmt *st = NULL;
	int error;

	*size = 0;
	if (note)
		*note = NULL;
	if ((error = sv_db_query(&st, v->db, "SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1", "")) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1) {
		*size = sv_stmt_int(st, 0);
		error = 0;
		if (note && !(*note = sv_strdup(sv_stmt_text(st, 1) ? sv_stmt_text(st, 1) : "")))
			error = SCRVAULT_ERROR;
	}
	sv_stmt_free(st);
	return error;
}

static int sign_checkpoint(scrvault *v)
{
	char when[21], *note = NULL;
	sv_checkpoint cp;
	uint64_t size = 0;
	int64_t last = 0;
	int error;

	memset(&cp, 0, sizeof(cp));
	if (!sv_db_in_txn(v->db))
		return sv_error(SCRVAULT_ERROR, "audit checkpoint outside a transaction");
	if (!v->audit_key)
		return sv_error(SCRVAULT_ERROR, "the audit signing key is not available");
	if ((error = sv_audit_size(&size, v)) < 0 ||
	    (error = sv_audit_latest(&last, NULL, v)) < 0)
		return error;
	if ((uint64_t)last >= size) {
		v->audit_dirty = false;
		return 0;
	}
	/*
	 * Never sign a tree that does not extend the last signed one.  A
	 * checkpoint this session signed itself, under the vault lock, needs no
	 * second look: nothing else can have written to the log since.
	 */
	if (last > 0 && last != v->signed_size) {
		sv_stmt *st = NULL;
		const unsigned char *r;
		size_t rlen = 0;
		sv_hash now;

		if ((error = sv_merkle_root(&now, (uint64_t)last, sv_audit_node, v)) < 0 ||
		    (error = sv_db_query(&st, v->db, "SELECT root FROM checkpoints WHERE size = ?",
					 "i", last)) < 0)
			return error;
		error = sv_stmt_step(st);
		r = error == 1 ? sv_stmt_blob(st, 0, &rlen) : NULL;
		if (error >= 0 && (!r || rlen != SV_HASH_LEN || memcmp(r, now.h, SV_HASH_LEN) != 0))
			error = sv_error(SCRVAULT_EINTEGRITY,
					 "the audit log no longer matches its checkpoint at size %lld: refusing to sign (run 'scrvault audit verify')",
					 (long long)last);
		sv_stmt_free(st);
		if (error < 0)
			return error;
	}
	snprintf(cp.origin, sizeof(cp.origin), "%s", v->origin);
	cp.size = size;
	sv_time_iso(when, sv_now());
	if ((error = sv_merkle_root(&cp.root, size, sv_audit_node, v)) < 0 ||
	    (error = sv_checkpoint_sign(&note, &cp, v->audit_key)) < 0 ||
	    (error = sv_db_run(v->db, "INSERT INTO checkpoints(size, root, note, commit_oid, signed_at)"
			       " VALUES (?, ?, ?, NULL, ?)", "ibtt", (int64_t)size, cp.root.h,
			       sizeof(cp.root.h), note, when)) < 0)
		goto done;
	v->signed_size = (int64_t)size;
	v->audit_dirty = false;
done:
	free(note);
	return error;
}

static int publish_checkpoint(scrvault *v, bool force)
{
	char head[SV_OID_HEXLEN + 1], *note = NULL;
	int64_t size = 0;
	int error;

	if (v->rolled_back)
		return 0;
	if ((error = sv_audit_latest(&size, NULL, v)) < 0)
		return error;
	if (size == 0 || size <= v->published_size)
		return 0;
	if (!force && v->published_at && size - v->published_size < PUBLISH_ENTRIES &&
	    sv_now() - v->published_at < PUBLISH_SECONDS)
		return 0;
	if ((error = sv_audit_latest(&size, &note, v)) < 0 || (error = sv_vault_store_head(head, v)) < 0)
		goto done;
	if (!head[0]) {
		error = sv_error(SCRVAULT_EINTEGRITY, "the database records no store head");
		goto done;
	}
	if ((error = sv_store_tag_set(v->store, CHECKPOINT_REF, head, note, sv_now())) < 0)
		goto done;
	v->published_size = size;
	v->published_at = sv_now();
done:
	free(note);
	return error;
}

int sv_audit_check_store(scrvault *v)
{
	char *note = NULL;
	sv_checkpoint cp;
	uint64_t n = 0;
	int error;

	v->published_size = 0;
	v->published_at = 0;
	error = sv_store_tag_get(&note, v->store, CHECKPOINT_REF);
	if (error == SCRVAULT_ENOTFOUND)
		return 0;
	if (error < 0 && error != SCRVAULT_EINTEGRITY)
		return error;
	if (error == 0 && (error = sv_audit_size(&n, v)) < 0)
		goto done;
	if (error < 0 || sv_checkpoint_open(&cp, note, strlen(note), v->origin, v->audit_pub) < 0) {
		v->rolled_back = true;
		snprintf(v->rollback_msg, sizeof(v->rollback_msg),
			 "the store's audit checkpoint does not verify with this vault's audit key: "
			 "the store was altered; run 'scrvault audit verify'");
		error = 0;
		goto done;
	}
	if (cp.size > n) {
		v->rolled_back = true;
		snprintf(v->rollback_msg, sizeof(v->rollback_msg),
			 "the store holds a signed audit checkpoint of %llu entries but the database has only %llu: "
			 "the database was rolled back (restored from an older copy) or truncated; run 'scrvault audit verify'",
			 (unsigned long long)cp.size, (unsigned long long)n);
	} else if (cp.size > 0) {
		sv_hash root;

		if ((error = sv_merkle_root(&root, cp.size, sv_audit_node, v)) < 0)
			goto done;
		if (memcmp(root.h, cp.root.h, SV_HASH_LEN) != 0) {
			v->rolled_back = true;
			snprintf(v->rollback_msg, sizeof(v->rollback_msg),
				 "the database's audit log differs from the store's signed checkpoint at %llu entries: "
				 "the log was rewritten; run 'scrvault audit verify'", (unsigned long long)cp.size);
		}
		v->published_size = (int64_t)cp.size;
	}
	error = 0;
done:
	free(note);
	return error;
}

int sv_audit_sign(scrvault *v)
{
	double t0 = sv_monotonic();
	int error = sign_checkpoint(v);

	v->audit_seconds += sv_monotonic() - t0;
	return error;
}

int sv_audit_publish(scrvault *v, bool force)
{
	double t0 = sv_monotonic();
	int error = publish_checkpoint(v, force);

	v->audit_seconds += sv_monotonic() - t0;
	return error;
}
