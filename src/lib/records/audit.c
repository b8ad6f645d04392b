/*
 * audit.c - reading the audit log: listings, exports, proofs and
 * verification (DESIGN §8).
 *
 * Formats (all text, all verifiable offline with the vault's vkey):
 *
 *   export       JSON Lines.  Line 1: {"checkpoint":<signed note>,
 *                "export":"scrvault-audit-export/v2","filter":<obj|null>,
 *                "origin":..,"size":N}.  Then {"entry":<entry>} per entry,
 *                with "proof":[<base64 hash>...] (inclusion in the header's
 *                tree) when filtered; an unfiltered export also has a
 *                {"checkpoint":<note>} line after the entry each signed
 *                checkpoint covers, so a bad entry is located to one command.
 *                Last line: {"statement":<signed note>} by the audit key
 *                over "scrvault-audit-export/v2", origin, size, the filter
 *                (canonical JSON), the number of entries and the RFC 6962
 *                root of their leaf hashes in export order: the filter is
 *                signed, and an entry removed from a filtered export is
 *                detected.  (v1, before: no statement; still verified, its
 *                filter reported as unsigned.)  A filtered export proves the
 *                inclusion of its entries, never that the filter found all.
 *   inclusion    C2SP tlog-proof: "c2sp.org/tlog-proof@v1", "extra
 *                <base64 entry>", "index <seq-1>", the hashes, a blank line,
 *                the signed checkpoint.
 *   consistency  {"consistency":"scrvault-consistency/v1","new":<note>,
 *                "old":<note>,"proof":[<base64 hash>...]}
 *
 * Entries are canonical JSON, so an entry parsed from any of these and
 * written again gives back the exact bytes that were hashed into the tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "records/audit.h"
#include "vault/authz.h"
#include "vault/log.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "storage/store.h"
#include "crypto/crypto.h"
#include "crypto/merkle.h"
#include "crypto/note.h"
#include "base/common.h"
#include "base/date.h"
#include "base/file.h"
#include "base/json.h"
#include "base/text.h"

#define EXPORT_FORMAT_V1   "scrvault-audit-export/v1"
#define EXPORT_FORMAT      "scrvault-audit-export/v2"
#define CONSISTENCY_FORMAT "scrvault-consistency/v1"
#define PROOF_HEADER       "c2sp.org/tlog-proof@v1"
#define CHECKPOINT_REF     "refs/audit/checkpoint"

/* ---- small helpers -------------------------------------------------------------- */

static sv_json *hash_array(const sv_hash *h, size_t n)
{
	sv_json *a = sv_json_array();

	for (size_t i = 0; a && i < n; i++) {
		char *b = sv_base64(h[i].h, SV_HASH_LEN);

		if (!b || sv_json_append(a, sv_json_string(b)) < 0) {
			free(b);
			sv_json_free(a);
			return NULL;
		}
		free(b);
	}
	return a;
}

static int hashes_from(sv_hash **out, size_t *n, const sv_json *arr)
{
	size_t count = sv_json_count(arr);
	sv_hash *h;

	*out = NULL;
	*n = 0;
	if (arr && sv_json_type_of(arr) != SV_JSON_ARRAY)
		return sv_error(SCRVAULT_EINTEGRITY, "proof is not a list of hashes");
	if (count > SV_MERKLE_MAX_PROOF)
		return sv_error(SCRVAULT_EINTEGRITY, "proof is too long");
	if (!(h = sv_calloc(count ? count : 1, sizeof(*h))))
		return SCRVAULT_ERROR;
	for (size_t i = 0; i < count; i++) {
		unsigned char *raw = NULL;
		size_t len = 0;
		const char *s = sv_json_str(sv_json_at(arr, i));

		if (!s || sv_unbase64(&raw, &len, s) < 0 || len != SV_HASH_LEN) {
			free(raw);
			free(h);
			return sv_error(SCRVAULT_EINTEGRITY, "proof hash %zu is not a base64 SHA-256 hash", i);
		}
		memcpy(h[i].h, raw, SV_HASH_LEN);
		free(raw);
	}
	*out = h;
	*n = count;
	return 0;
}

/* The latest signed checkpoint: size and note (note may be NULL). */
static int latest_checkpoint(uint64_t *size, char **note, scrvault *v)
{
	int64_t n = 0;
	int error = sv_audit_latest(&n, note, v);

	*size = (uint64_t)n;
	if (error == 0 && n == 0)
		error = sv_error(SCRVAULT_ENOTFOUND, "the audit log has no signed checkpoint yet");
	return error;
}

static int checkpoint_note(char **note, scrvault *v, uint64_t size)
{
	sv_stmt *st = NULL;
	int error;

	*note = NULL;
	if ((error = sv_db_query(&st, v->db, "SELECT note FROM checkpoints WHERE size = ?", "i", (int64_t)size)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1)
		error = (*note = sv_strdup(sv_stmt_text(st, 0))) ? 0 : SCRVAULT_ERROR;
	else if (error == 0)
		error = sv_error(SCRVAULT_ENOTFOUND, "no signed checkpoint at size %" PRIu64
				 " (see 'scrvault audit export' for the checkpoint sizes)", size);
	sv_stmt_free(st);
	return error;
}

/* ---- pubkey, checkpoint, tail, show --------------------------------------------- */

int scrvault_audit_pubkey(char **vkey, scrvault *v)
{
	int error;

	*vkey = NULL;
	if ((error = sv_authorize(v, "audit.read", NULL)) < 0)
		return error;
	return (*vkey = sv_note_vkey(v->origin, v->audit_pub)) ? 0 : SCRVAULT_ERROR;
}

int scrvault_audit_checkpoint(char **note, scrvault *v)
{
	uint64_t size;
	int error;

	*note = NULL;
	if ((error = sv_authorize(v, "audit.read", NULL)) < 0)
		return error;
	if (!v->rolled_back && (error = sv_audit_checkpoint(v)) < 0)
		return error;
	return latest_checkpoint(&size, note, v);
}

static sv_json *entry_row(sv_stmt *st)
{
	const char *text = sv_stmt_text(st, 0);
	sv_json *j = NULL;

	if (!text || sv_json_parse(&j, text, strlen(text), NULL) < 0) {
		j = sv_json_object();
		if (j)
			sv_json_set_str(j, "damaged", "entry does not parse");
	}
	return j;
}

int scrvault_audit_tail(scrvault_json **out, scrvault *v, unsigned n)
{
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "audit.read", NULL)) < 0)
		return error;
	{
		char limit[16];

		sv_json *arr = sv_json_array();
		sv_stmt *st = NULL;

		snprintf(limit, sizeof(limit), "%u", n ? n : 20);
		if (!arr)
			return SCRVAULT_ERROR;
		if ((error = sv_db_query(&st, v->db, "SELECT entry FROM (SELECT seq, entry FROM audit ORDER BY seq DESC"
					 " LIMIT CAST(? AS INTEGER)) ORDER BY seq", "t", limit)) == 0)
			while ((error = sv_stmt_step(st)) == 1)
				if ((error = sv_json_append(arr, entry_row(st))) < 0)
					break;
		sv_stmt_free(st);
		if (error < 0) {
			sv_json_free(arr);
			return error;
		}
		*out = arr;
		return 0;
	}
}

int scrvault_audit_show(scrvault_json **out, scrvault *v, uint64_t seq)
{
	sv_stmt *st = NULL;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "audit.read", NULL)) < 0)
		return error;
	if ((error = sv_db_query(&st, v->db, "SELECT entry FROM audit WHERE seq = ?", "i", (int64_t)seq)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) == 1) {
		*out = entry_row(st);
		error = *out ? 0 : SCRVAULT_ERROR;
	} else if (error == 0) {
		error = sv_error(SCRVAULT_ENOTFOUND, "no audit entry %" PRIu64, seq);
	}
	sv_stmt_free(st);
	return error;
}

/* ---- export ---------------------------------------------------------------------- */

static bool time_matches(const char *t, const scrvault_audit_filter *f)
{
	if (!t)
		return false;
	if (f->since && strncmp(t, f->since, strlen(f->since)) < 0)
		return false;
	if (f->until && strncmp(t, f->until, strlen(f->until)) > 0)
		return false;
	return true;
}

static bool entry_matches(const sv_json *e, const scrvault_audit_filter *f)
{
	const sv_json *o = sv_json_get(e, "objects");
	const char *s;

	if (!time_matches(sv_json_str(sv_json_get(e, "time")), f))
		return false;
	if (f->actor && (!(s = sv_json_str(sv_json_get(e, "principal"))) || strcmp(s, f->actor)))
		return false;
	if (f->outcome && (!(s = sv_json_str(sv_json_get(e, "outcome"))) || strcmp(s, f->outcome)))
		return false;
	if (f->case_ref && (!(s = sv_json_str(sv_json_get(o, "case"))) || strcmp(s, f->case_ref)))
		return false;
	if (f->doc && (!(s = sv_json_str(sv_json_get(o, "doc"))) || strncmp(s, f->doc, strlen(f->doc))))
		return false;
	if (f->action) {
		size_t n = strlen(f->action);

		if (!(s = sv_json_str(sv_json_get(e, "action"))))
			return false;
		if (n && f->action[n - 1] == '.' ? strncmp(s, f->action, n) : strcmp(s, f->action))
			return false;
	}
	return true;
}

static bool filtered(const scrvault_audit_filter *f)
{
	return f && (f->since || f->until || f->actor || f->case_ref || f->doc || f->action || f->outcome);
}

static sv_json *filter_json(const scrvault_audit_filter *f)
{
	if (!filtered(f))
		return sv_json_null();
	return sv_json_of(SV_FIELDS(SV_IF(f->since, SV_STR("since", f->since)), SV_IF(f->until, SV_STR("until", f->until)),
				    SV_IF(f->actor, SV_STR("actor", f->actor)), SV_IF(f->case_ref, SV_STR("case", f->case_ref)),
				    SV_IF(f->doc, SV_STR("doc", f->doc)), SV_IF(f->action, SV_STR("action", f->action)),
				    SV_IF(f->outcome, SV_STR("outcome", f->outcome))));
}

static void csv_row(FILE *out, const sv_json *e)
{
	const sv_json *o = sv_json_get(e, "objects");
	char seq[24], ver[24];

	snprintf(seq, sizeof(seq), "%" PRId64, sv_json_as_int(sv_json_get(e, "seq")));
	if (sv_json_get(o, "version"))
		snprintf(ver, sizeof(ver), "%" PRId64, sv_json_as_int(sv_json_get(o, "version")));
	else
		ver[0] = '\0';
	sv_csv_field(out, seq, false);
	sv_csv_field(out, sv_json_str(sv_json_get(e, "time")), false);
	sv_csv_field(out, sv_json_str(sv_json_get(e, "principal")), false);
	sv_csv_field(out, sv_json_str(sv_json_get(e, "role")), false);
	sv_csv_field(out, sv_json_str(sv_json_get(e, "action")), false);
	sv_csv_field(out, sv_json_str(sv_json_get(e, "outcome")), false);
	sv_csv_field(out, sv_json_str(sv_json_get(o, "case")), false);
	sv_csv_field(out, sv_json_str(sv_json_get(o, "doc")), false);
	sv_csv_field(out, ver, false);
	sv_csv_field(out, sv_json_str(sv_json_get(o, "principal")), false);
	sv_csv_field(out, sv_json_str(sv_json_get(e, "request")), true);
}

/* Write a JSON value and a newline. */
static int put_line(FILE *out, const sv_json *j)
{
	char *text = NULL;
	size_t len;
	int error;

	if ((error = sv_json_write(&text, &len, j)) < 0)
		return error;
	if (fwrite(text, 1, len, out) != len || fputc('\n', out) == EOF)
		error = sv_error(SCRVAULT_ERROR, "cannot write the export: %s", strerror(errno));
	free(text);
	return error;
}

/*
 * The body of an export's signed statement: what the export claims, so that
 * neither its filter nor the set of its entries can change unseen.
 */
static char *statement_body(const char *origin, uint64_t size, const char *filter, uint64_t entries,
			    const sv_hash *digest)
{
	char *b64 = sv_base64(digest->h, SV_HASH_LEN), *body;

	if (!b64)
		return NULL;
	body = sv_printf(EXPORT_FORMAT "\norigin %s\nsize %" PRIu64 "\nfilter %s\nentries %" PRIu64
			 "\ndigest %s\n", origin, size, filter, entries, b64);
	free(b64);
	return body;
}

/* The filter as canonical JSON text ("null" for none; caller frees). */
static char *filter_text(const sv_json *filt)
{
	char *text = NULL;
	size_t len;

	return filt && sv_json_write(&text, &len, filt) == 0 ? text : NULL;
}

/* The export's last line: {"statement":<note signed by the audit key>}. */
static int put_statement(FILE *out, scrvault *v, const sv_json *filt, uint64_t size,
			 const sv_merkle_acc *exported)
{
	sv_json *line = NULL;
	char *ftext = filter_text(filt), *body = NULL, *note = NULL;
	sv_hash digest;
	int error;

	sv_merkle_acc_root(exported, &digest);
	if (!ftext || !(body = statement_body(v->origin, size, ftext, exported->n, &digest))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = sv_note_sign(&note, body, v->origin, v->audit_key)) < 0)
		goto done;
	if (!(line = sv_json_object()) || sv_json_set_str(line, "statement", note) < 0) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	error = put_line(out, line);
done:
	sv_json_free(line);
	free(ftext);
	free(body);
	free(note);
	return error;
}

/* An export's first line: the signed checkpoint, the format, the filter. */
static int put_header(FILE *out, const char *note, const char *origin, uint64_t size, const sv_json *filt)
{
	sv_json *hdr = sv_json_object();
	int error = SCRVAULT_ERROR;

	if (hdr && sv_json_set_str(hdr, "checkpoint", note) == 0 && sv_json_set_str(hdr, "export", EXPORT_FORMAT) == 0 &&
	    sv_json_set(hdr, "filter", filt ? sv_json_copy(filt) : sv_json_null()) == 0 &&
	    sv_json_set_str(hdr, "origin", origin) == 0 && sv_json_set_int(hdr, "size", (int64_t)size) == 0)
		error = put_line(out, hdr);
	sv_json_free(hdr);
	return error;
}

int scrvault_audit_export(scrvault *v, const scrvault_audit_filter *f, int fd, uint64_t *count)
{
	static const scrvault_audit_filter none = SCRVAULT_AUDIT_FILTER_INIT;
	sv_stmt *st = NULL, *cps = NULL;
	sv_json *det = NULL, *hdr = NULL;
	char *note = NULL;
	uint64_t size = 0, next_cp = 0;
	sv_merkle_acc exported;
	FILE *out = NULL;
	int error, dupfd = -1;

	*count = 0;
	sv_merkle_acc_init(&exported);
	if (!f)
		f = &none;
	if ((error = SV_STRUCT_CHECK(f, SCRVAULT_AUDIT_FILTER_VERSION, "scrvault_audit_filter")) < 0)
		return error;
	if ((error = sv_authorize(v, "audit.read", NULL)) < 0)
		return error;
	/* A period's ends are dates or times, checked like every date. */
	if ((f->since && !sv_date_valid(f->since) && sv_time_parse(f->since) < 0) ||
	    (f->until && !sv_date_valid(f->until) && sv_time_parse(f->until) < 0))
		return sv_error_field(SCRVAULT_EUSAGE, f->since && !sv_date_valid(f->since) &&
				      sv_time_parse(f->since) < 0 ? "since" : "until",
				      "'%s' is not a date (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM:SSZ)",
				      f->since && !sv_date_valid(f->since) && sv_time_parse(f->since) < 0 ? f->since : f->until);
	if (f->since && f->until && strncmp(f->since, f->until, 10) > 0)
		return sv_error_field(SCRVAULT_EUSAGE, "until", "the period ends (%s) before it begins (%s)",
				      f->until, f->since);
	/* Handing the log over is itself recorded, and the export ends with it. */
	if (!v->rolled_back) {
		if (!(det = filter_json(f)))
			return SCRVAULT_ERROR;
		if ((error = sv_vault_begin(v)) < 0 ||
		    (error = sv_audit_append(v, "audit.export", "ok", NULL,
					     SV_FIELDS(SV_VAL("filter", det), SV_BOOL("csv", f->csv)))) < 0 ||
		    (error = sv_vault_commit(v)) < 0) {
			sv_vault_abort(v);
			sv_json_free(det);
			return error;
		}
		sv_json_free(det);
		det = NULL;
	}
	if ((error = latest_checkpoint(&size, &note, v)) < 0)
		return error;
	if ((dupfd = dup(fd)) < 0 || !(out = fdopen(dupfd, "w"))) {
		if (dupfd >= 0)
			close(dupfd);
		error = sv_error(SCRVAULT_ERROR, "cannot write the export: %s", strerror(errno));
		goto done;
	}
	if (f->csv) {
		fputs("seq,time,principal,role,action,outcome,case,doc,version,subject_principal,request\n", out);
	} else {
		if (!(hdr = filter_json(f))) {
			error = SCRVAULT_ERROR;
			goto done;
		}
		if ((error = put_header(out, note, v->origin, size, hdr)) < 0)
			goto done;
	}
	if ((error = sv_db_query(&st, v->db, "SELECT seq, entry FROM audit WHERE seq <= ? ORDER BY seq",
				 "i", (int64_t)size)) < 0 ||
	    (error = sv_db_query(&cps, v->db, "SELECT size, note FROM checkpoints WHERE size <= ? ORDER BY size",
				 "i", (int64_t)size)) < 0)
		goto done;
	if ((error = sv_stmt_step(cps)) < 0)
		goto done;
	next_cp = error == 1 ? (uint64_t)sv_stmt_int(cps, 0) : UINT64_MAX;
	while ((error = sv_stmt_step(st)) == 1) {
		uint64_t seq = (uint64_t)sv_stmt_int(st, 0);
		const char *text = sv_stmt_text(st, 1);
		sv_json *e = NULL, *line = NULL;

		if (!text || sv_json_parse(&e, text, strlen(text), NULL) < 0) {
			error = sv_error(SCRVAULT_EINTEGRITY, "audit entry %" PRIu64 " is damaged; run 'scrvault audit verify'", seq);
			goto done;
		}
		if (entry_matches(e, f)) {
			sv_hash leaf;

			sv_merkle_leaf_hash(&leaf, text, strlen(text));
			sv_merkle_acc_push(&exported, &leaf);
			if (f->csv) {
				csv_row(out, e);
				sv_json_free(e);
			} else {
				if (!(line = sv_json_object()) || sv_json_set(line, "entry", e) < 0) {
					sv_json_free(line);
					error = SCRVAULT_ERROR;
					goto done;
				}
				if (filtered(f)) {
					sv_hash *proof = NULL;
					size_t plen = 0;

					if ((error = sv_merkle_inclusion(&proof, &plen, seq - 1, size, sv_audit_node, v)) < 0 ||
					    (error = sv_json_set(line, "proof", hash_array(proof, plen))) < 0) {
						free(proof);
						sv_json_free(line);
						goto done;
					}
					free(proof);
				}
				error = put_line(out, line);
				sv_json_free(line);
				if (error < 0)
					goto done;
			}
			(*count)++;
		} else {
			sv_json_free(e);
		}
		/* Unfiltered: each signed checkpoint after the entry it ends with. */
		while (!filtered(f) && !f->csv && next_cp == seq) {
			sv_json *c = sv_json_object();

			if (!c || sv_json_set_str(c, "checkpoint", sv_stmt_text(cps, 1)) < 0 ||
			    (error = put_line(out, c)) < 0) {
				sv_json_free(c);
				error = error < 0 ? error : SCRVAULT_ERROR;
				goto done;
			}
			sv_json_free(c);
			if ((error = sv_stmt_step(cps)) < 0)
				goto done;
			next_cp = error == 1 ? (uint64_t)sv_stmt_int(cps, 0) : UINT64_MAX;
		}
	}
	if (error < 0)
		goto done;
	if (!f->csv && (error = put_statement(out, v, hdr, size, &exported)) < 0)
		goto done;
	if (fflush(out) != 0)
		error = sv_error(SCRVAULT_ERROR, "cannot write the export: %s", strerror(errno));
done:
	if (out)
		fclose(out);
	sv_stmt_free(st);
	sv_stmt_free(cps);
	sv_json_free(hdr);
	free(note);
	return error;
}

/* ---- proofs ---------------------------------------------------------------------- */

int scrvault_audit_prove(char **proofout, scrvault *v, uint64_t seq)
{
	int error;

	*proofout = NULL;
	if ((error = sv_authorize(v, "audit.read", NULL)) < 0)
		return error;
	return sv_audit_prove(proofout, v, seq);
}

int sv_audit_prove(char **proofout, scrvault *v, uint64_t seq)
{
	sv_hash *proof = NULL;
	size_t plen = 0, len;
	uint64_t size = 0;
	char *note = NULL, *entry64 = NULL, *text = NULL, *grown;
	sv_stmt *st = NULL;
	int error;

	*proofout = NULL;
	if (!v->rolled_back && (error = sv_audit_checkpoint(v)) < 0)
		return error;
	if ((error = latest_checkpoint(&size, &note, v)) < 0)
		return error;
	if (seq == 0 || seq > size) {
		error = sv_error(SCRVAULT_ENOTFOUND, "no audit entry %" PRIu64 " in the signed log (1..%" PRIu64 ")", seq, size);
		goto done;
	}
	if ((error = sv_db_query(&st, v->db, "SELECT entry FROM audit WHERE seq = ?", "i", (int64_t)seq)) < 0)
		goto done;
	if ((error = sv_stmt_step(st)) != 1) {
		error = error < 0 ? error : sv_error(SCRVAULT_ENOTFOUND, "no audit entry %" PRIu64, seq);
		goto done;
	}
	len = strlen(sv_stmt_text(st, 0));
	if (!(entry64 = sv_base64((const unsigned char *)sv_stmt_text(st, 0), len))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = sv_merkle_inclusion(&proof, &plen, seq - 1, size, sv_audit_node, v)) < 0)
		goto done;
	if (!(text = sv_printf(PROOF_HEADER "\nextra %s\nindex %" PRIu64 "\n", entry64, seq - 1))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	for (size_t i = 0; i < plen; i++) {
		char *b = sv_base64(proof[i].h, SV_HASH_LEN);

		grown = b ? sv_printf("%s%s\n", text, b) : NULL;
		free(b);
		if (!grown) {
			error = SCRVAULT_ERROR;
			goto done;
		}
		free(text);
		text = grown;
	}
	if (!(grown = sv_printf("%s\n%s", text, note))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	free(text);
	*proofout = grown;
	text = NULL;
done:
	sv_stmt_free(st);
	free(proof);
	free(note);
	free(entry64);
	free(text);
	return error;
}

int scrvault_audit_consistency(char **out, scrvault *v, uint64_t old_size, uint64_t new_size)
{
	char *old_note = NULL, *new_note = NULL, *text = NULL;
	sv_hash *proof = NULL;
	size_t plen = 0, len;
	sv_json *j = NULL;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "audit.read", NULL)) < 0)
		return error;
	if (!v->rolled_back && (error = sv_audit_checkpoint(v)) < 0)
		return error;
	if (new_size == 0 && (error = latest_checkpoint(&new_size, NULL, v)) < 0)
		return error;
	if (old_size == 0 || old_size > new_size)
		return sv_error(SCRVAULT_EUSAGE, "the old size must be between 1 and the new size (%" PRIu64 ")", new_size);
	if ((error = checkpoint_note(&old_note, v, old_size)) < 0 ||
	    (error = checkpoint_note(&new_note, v, new_size)) < 0 ||
	    (error = sv_merkle_consistency(&proof, &plen, old_size, new_size, sv_audit_node, v)) < 0)
		goto done;
	if (!(j = sv_json_object()) || sv_json_set_str(j, "consistency", CONSISTENCY_FORMAT) < 0 ||
	    sv_json_set_str(j, "new", new_note) < 0 || sv_json_set_str(j, "old", old_note) < 0 ||
	    sv_json_set(j, "proof", hash_array(proof, plen)) < 0 ||
	    (error = sv_json_write(&text, &len, j)) < 0) {
		error = error < 0 ? error : SCRVAULT_ERROR;
		goto done;
	}
	*out = sv_printf("%s\n", text);
	error = *out ? 0 : SCRVAULT_ERROR;
done:
	free(old_note);
	free(new_note);
	free(proof);
	free(text);
	sv_json_free(j);
	return error;
}

/* ---- proof sets ------------------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The set's entries in log order, each once, into *out (caller frees):
 * the listed ones, or, with none listed, every entry that names the case
 * among the first `size`.
 */
static int set_members(uint64_t **out, size_t *n, scrvault *v, const scrvault_audit_set *set, uint64_t size)
{
	uint64_t *seqs = NULL;
	size_t count = 0;
	int error = 0;

	*out = NULL;
	*n = 0;
	if (set->nseqs) {
		if (!(seqs = sv_calloc(set->nseqs, sizeof(*seqs))))
			return SCRVAULT_ERROR;
		memcpy(seqs, set->seqs, set->nseqs * sizeof(*seqs));
		qsort(seqs, set->nseqs, sizeof(*seqs), cmp_u64);
		for (size_t i = 0; i < set->nseqs; i++)
			if (i == 0 || seqs[i] != seqs[count - 1])
				seqs[count++] = seqs[i];
	} else {
		/* Every entry about the case: a cheap test of the text, then its objects. */
		char *needle = sv_printf("\"case\":\"%s\"", set->case_ref);
		sv_stmt *st = NULL;
		size_t cap = 0;

		if (!needle)
			return SCRVAULT_ERROR;
		if ((error = sv_db_query(&st, v->db, "SELECT seq, entry FROM audit WHERE seq <= ? AND instr(entry, ?) > 0"
					 " ORDER BY seq", "it", (int64_t)size, needle)) == 0)
			while ((error = sv_stmt_step(st)) == 1) {
				const char *text = sv_stmt_text(st, 1), *c;
				sv_json *e = NULL;

				if (!text || sv_json_parse(&e, text, strlen(text), NULL) < 0)
					continue;	/* damaged: 'audit verify' says so */
				c = sv_json_str(sv_json_get(sv_json_get(e, "objects"), "case"));
				if (c && !strcmp(c, set->case_ref)) {
					if (count == cap) {
						uint64_t *grown = realloc(seqs, (cap = cap ? 2 * cap : 64) * sizeof(*seqs));

						if (!grown) {
							sv_json_free(e);
							error = sv_error(SCRVAULT_ERROR, "out of memory");
							break;
						}
						seqs = grown;
					}
					seqs[count++] = (uint64_t)sv_stmt_int(st, 0);
				}
				sv_json_free(e);
			}
		sv_stmt_free(st);
		free(needle);
		if (error < 0) {
			free(seqs);
			return error;
		}
		error = 0;
		if (count == 0) {
			free(seqs);
			return sv_error(SCRVAULT_ENOTFOUND, "no audit entry names case '%s'", set->case_ref);
		}
	}
	*out = seqs;
	*n = count;
	return error;
}

/*
 * May this session prove entry `seq`?  It must exist in the log's first
 * `size` entries and be about a case the session reaches (else it answers
 * as a missing one, audited); about set->case_ref when that is given (the
 * caller authorised the case), else audit.prove is checked for the entry's
 * own case (an entry of no case needs the permission board-wide).
 */
static int set_check_entry(scrvault *v, const scrvault_audit_set *set, uint64_t seq, uint64_t size)
{
	sv_stmt *st = NULL;
	sv_json *e = NULL;
	const char *c;
	int error;

	if (seq == 0 || seq > size)
		return sv_error_field(SCRVAULT_ENOTFOUND, "seqs", "no audit entry %" PRIu64 " (the log has 1..%" PRIu64 ")",
				      seq, size);
	if ((error = sv_db_query(&st, v->db, "SELECT entry FROM audit WHERE seq = ?", "i", (int64_t)seq)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) != 1) {
		sv_stmt_free(st);
		return error < 0 ? error : sv_error_field(SCRVAULT_ENOTFOUND, "seqs", "no audit entry %" PRIu64, seq);
	}
	if (sv_json_parse(&e, sv_stmt_text(st, 0), strlen(sv_stmt_text(st, 0)), NULL) < 0) {
		sv_stmt_free(st);
		return sv_error(SCRVAULT_EINTEGRITY, "audit entry %" PRIu64 " is damaged; run 'scrvault audit verify'", seq);
	}
	sv_stmt_free(st);
	c = sv_json_str(sv_json_get(sv_json_get(e, "objects"), "case"));
	if (c && !sv_authz_reaches(v, c, NULL, NULL)) {
		char ref[64];

		snprintf(ref, sizeof(ref), "%s", c);
		sv_json_free(e);
		(void)sv_error_field(SCRVAULT_ENOTFOUND, "seqs", "no audit entry %" PRIu64 " (the log has 1..%" PRIu64 ")",
				     seq, size);
		return sv_authz_conceal(v, "audit.prove", SV_ABOUT(.caseref = ref));
	}
	/* Without a case for the whole set, each entry is authorised for its own. */
	if (!set->case_ref)
		error = sv_authorize(v, "audit.prove", c ? SV_ABOUT(.caseref = c) : NULL);
	else if (!c || strcmp(c, set->case_ref) != 0)
		error = sv_error_field(SCRVAULT_EUSAGE, "seqs", "audit entry %" PRIu64 " is not about case '%s'%s%s%s: "
				       "leave it out, or leave out the case", seq, set->case_ref, c ? " (it is about '" : "",
				       c ? c : "", c ? "')" : "");
	sv_json_free(e);
	return error;
}

/* One entry line of a set: {"entry":<E>,"proof":[...]} in the tree of `size`. */
static int put_set_entry(FILE *out, scrvault *v, uint64_t seq, uint64_t size, sv_merkle_acc *acc)
{
	sv_stmt *st = NULL;
	sv_json *e = NULL, *line = NULL;
	sv_hash *proof = NULL, leaf;
	size_t plen = 0;
	const char *text;
	int error;

	if ((error = sv_db_query(&st, v->db, "SELECT entry FROM audit WHERE seq = ?", "i", (int64_t)seq)) < 0)
		return error;
	if ((error = sv_stmt_step(st)) != 1) {
		error = error < 0 ? error : sv_error(SCRVAULT_ENOTFOUND, "no audit entry %" PRIu64, seq);
		goto done;
	}
	text = sv_stmt_text(st, 0);
	if (sv_json_parse(&e, text, strlen(text), NULL) < 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "audit entry %" PRIu64 " is damaged; run 'scrvault audit verify'", seq);
		goto done;
	}
	sv_merkle_leaf_hash(&leaf, text, strlen(text));
	sv_merkle_acc_push(acc, &leaf);
	if ((error = sv_merkle_inclusion(&proof, &plen, seq - 1, size, sv_audit_node, v)) < 0)
		goto done;
	if (!(line = sv_json_object()) || sv_json_set(line, "entry", e) < 0 ||
	    sv_json_set(line, "proof", hash_array(proof, plen)) < 0) {
		e = NULL;
		error = SCRVAULT_ERROR;
		goto done;
	}
	e = NULL;
	error = put_line(out, line);
done:
	sv_stmt_free(st);
	sv_json_free(e);
	sv_json_free(line);
	free(proof);
	return error;
}

int scrvault_audit_prove_set(scrvault_json **out, scrvault *v, const scrvault_audit_set *set, const char *path)
{
	sv_outfile o = { 0 };
	sv_json *filt = NULL, *arr = NULL;
	uint64_t *seqs = NULL, size = 0;
	size_t n = 0;
	char *note = NULL, *title = NULL, made[21];
	sv_merkle_acc acc;
	FILE *f = NULL;
	bool opened = false;
	int error, dupfd;

	*out = NULL;
	o.fd = -1;
	sv_merkle_acc_init(&acc);
	if ((error = SV_STRUCT_CHECK(set, SCRVAULT_AUDIT_SET_VERSION, "scrvault_audit_set")) < 0)
		return error;
	if (!set->nseqs && !set->case_ref)
		return sv_error_field(SCRVAULT_EUSAGE, "seqs", "name the entries to prove (their numbers) or a case");
	if (set->nseqs && !set->seqs)
		return sv_error_field(SCRVAULT_EUSAGE, "seqs", "the list of entries is missing");
	if (!path || !*path)
		return sv_error_field(SCRVAULT_EUSAGE, "output", "name the file to write the proof to");
	if ((error = sv_text_check_all(SV_TEXTS(SV_TEXT("title", set->title), SV_TEXT("case_ref", set->case_ref)))) < 0)
		return error;
	if (set->case_ref && (error = sv_authorize(v, "audit.prove", SV_ABOUT(.caseref = set->case_ref))) < 0)
		return error;
	if (set->case_ref) {
		sv_stmt *st = NULL;

		if ((error = sv_db_query(&st, v->db, "SELECT 1 FROM cases WHERE ref = ?", "t", set->case_ref)) == 0)
			error = sv_stmt_step(st);
		sv_stmt_free(st);
		if (error < 0)
			return error;
		if (error == 0)
			return sv_error_field(SCRVAULT_ENOTFOUND, "case_ref", SV_NOT_FOUND_CASE, set->case_ref);
	}
	/* The log as it stands (a rolled-back vault: as far as it is signed). */
	if (v->rolled_back) {
		if ((error = latest_checkpoint(&size, NULL, v)) < 0)
			return error;
	} else if ((error = sv_audit_size(&size, v)) < 0) {
		return error;
	}
	if ((error = set_members(&seqs, &n, v, set, size)) < 0)
		return error;
	for (size_t i = 0; i < n; i++)
		if ((error = set_check_entry(v, set, seqs[i], size)) < 0)
			goto done;
	if (!(arr = sv_json_array())) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		if ((error = sv_json_append(arr, sv_json_int((int64_t)seqs[i]))) < 0)
			goto done;
	if ((error = sv_outfile_open(&o, path)) < 0)
		goto done;
	opened = true;
	/* Handing entries over is itself recorded: the case and the numbers,
	 * never the title (free text stays out of the log). */
	if (!v->rolled_back) {
		if ((error = sv_vault_begin(v)) < 0 ||
		    (error = sv_audit_append(v, "audit.prove", "ok", set->case_ref ? SV_ABOUT(.caseref = set->case_ref) : NULL,
					     SV_FIELDS(SV_INT("entries", n), SV_VAL("seqs", arr)))) < 0 ||
		    (error = sv_vault_commit(v)) < 0) {
			sv_vault_abort(v);
			goto done;
		}
	}
	if ((error = latest_checkpoint(&size, &note, v)) < 0)
		goto done;
	if (seqs[n - 1] > size) {
		error = sv_error(SCRVAULT_ENOTFOUND, "audit entry %" PRIu64 " is not in the signed log yet", seqs[n - 1]);
		goto done;
	}
	sv_time_iso(made, sv_now());
	title = set->title && *set->title ? sv_strdup(set->title) :
		set->case_ref ? sv_printf("audit entries of case %s", set->case_ref) : sv_strdup("audit entries");
	if (!title || !(filt = sv_json_of(SV_FIELDS(SV_IF(set->case_ref, SV_STR("case", set->case_ref)),
						     SV_STR("made_at", made), SV_VAL("seqs", arr), SV_STR("title", title))))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((dupfd = dup(o.fd)) < 0 || !(f = fdopen(dupfd, "w"))) {
		if (dupfd >= 0)
			close(dupfd);
		error = sv_error(SCRVAULT_ERROR, "cannot write '%s': %s", path, strerror(errno));
		goto done;
	}
	if ((error = put_header(f, note, v->origin, size, filt)) < 0)
		goto done;
	for (size_t i = 0; i < n; i++)
		if ((error = put_set_entry(f, v, seqs[i], size, &acc)) < 0)
			goto done;
	if ((error = put_statement(f, v, filt, size, &acc)) < 0)
		goto done;
	if (fflush(f) != 0 || (o.fd > STDOUT_FILENO && fsync(o.fd) < 0)) {
		error = sv_error(SCRVAULT_ERROR, "cannot write '%s': %s", path, strerror(errno));
		goto done;
	}
	fclose(f);
	f = NULL;
	opened = false;
	if ((error = sv_outfile_commit(&o)) < 0)
		goto done;
	error = sv_json_new(out, SV_FIELDS(SV_STR("path", path), SV_STR("title", title),
					    SV_STR("case", set->case_ref), SV_INT("entries", n), SV_VAL("seqs", arr),
					    SV_INT("size", size)));
done:
	if (f)
		fclose(f);
	if (opened)
		sv_outfile_abort(&o);
	sv_json_free(filt);
	sv_json_free(arr);
	free(seqs);
	free(note);
	free(title);
	return error;
}

/* ---- verification ------------------------------------------------------------------ */

typedef struct {
	sv_json *problems;
	int64_t first_bad;	/* 0: none */
	char first[512];	/* the problem that names first_bad (or the first one) */
	uint64_t nproblems;	/* all of them; `problems` keeps the first 100 */
	const char *kind;
	uint64_t size;
	uint64_t entries;
	uint64_t checkpoints;
	/* exports: */
	int format;		/* 1 or 2 */
	sv_json *filter;	/* NULL: not filtered */
	bool filter_signed;	/* the filter is in the vault's signed statement */
	/* proof sets (an export whose filter lists its entries): */
	bool is_set;
	sv_json *got_seqs;	/* the numbers of the entries the file holds, in order */
	sv_json *timeline;	/* what each entry claims (timeline_row) */
} report;

static void problem(report *r, int64_t seq, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void problem(report *r, int64_t seq, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (sv_json_count(r->problems) < 100)
		sv_json_append(r->problems, sv_json_string(buf));
	if (!r->nproblems++ || (seq > 0 && (r->first_bad == 0 || seq < r->first_bad)))
		snprintf(r->first, sizeof(r->first), "%s", buf);
	if (seq > 0 && (r->first_bad == 0 || seq < r->first_bad))
		r->first_bad = seq;
}

static int finish_report(scrvault_json **out, report *r)
{
	sv_json *j = sv_json_object();
	bool ok = sv_json_count(r->problems) == 0;

	*out = NULL;
	if (!j || sv_json_set_bool(j, "ok", ok) < 0 || sv_json_set(j, "problems", r->problems) < 0) {
		sv_json_free(j);
		return SCRVAULT_ERROR;
	}
	r->problems = NULL;
	if ((r->first_bad ? sv_json_set_int(j, "first_bad_seq", r->first_bad)
			  : sv_json_set(j, "first_bad_seq", sv_json_null())) < 0 ||
	    (ok ? sv_json_set(j, "first_problem", sv_json_null()) : sv_json_set_str(j, "first_problem", r->first)) < 0 ||
	    sv_json_set_int(j, "problem_count", (int64_t)r->nproblems) < 0 ||
	    sv_json_set_str(j, "kind", r->kind) < 0 ||
	    sv_json_set_int(j, "size", (int64_t)r->size) < 0 ||
	    sv_json_set_int(j, "entries", (int64_t)r->entries) < 0 ||
	    sv_json_set_int(j, "checkpoints", (int64_t)r->checkpoints) < 0 ||
	    /* What a good result proves: the whole log, or only that each
	     * entry of a filtered export is in it (never that none is missing). */
	    sv_json_set_str(j, "proves", r->is_set ? "set" : r->filter || !strcmp(r->kind, "inclusion") ? "inclusion" :
				 !strcmp(r->kind, "consistency") ? "consistency" : "complete") < 0 ||
	    (!strcmp(r->kind, "export") &&
	     (sv_json_set(j, "filter", r->filter ? sv_json_copy(r->filter) : sv_json_null()) < 0 ||
	      sv_json_set_bool(j, "filter_signed", r->filter_signed) < 0 ||
	      sv_json_set_int(j, "format", r->format) < 0)) ||
	    /* A set's timeline only when every entry in it verified. */
	    (r->is_set && (sv_json_set(j, "set", sv_json_copy(r->filter)) < 0 ||
			   (ok && sv_json_set(j, "timeline", sv_json_copy(r->timeline)) < 0)))) {
		sv_json_free(j);
		return SCRVAULT_ERROR;
	}
	*out = j;
	if (ok)
		return 0;
	return sv_error(SCRVAULT_EINTEGRITY, "audit verification failed: %s", r->first);
}

/* An entry numbered `seq` where entry `expect` belongs. */
static void seq_problem(report *r, uint64_t expect, int64_t seq)
{
	problem(r, (int64_t)expect, "expected entry %" PRIu64 ", found entry %" PRId64
		" (an entry was removed, inserted or moved)", expect, seq);
}

/*
 * Check one entry's text: canonical JSON; *seq gets its number.  With
 * `expect` (not 0), that number must be `expect`.  Returns false (and
 * records the problem) when it is not.
 */
static bool check_entry(report *r, const char *text, size_t len, uint64_t expect, int64_t *seqout)
{
	sv_json *e = NULL;
	bool canonical = false, ok = true;
	int64_t seq;

	*seqout = 0;
	if (sv_json_parse(&e, text, len, &canonical) < 0 || sv_json_type_of(e) != SV_JSON_OBJECT) {
		problem(r, (int64_t)expect, "entry %" PRIu64 " is not valid JSON", expect);
		sv_json_free(e);
		return false;
	}
	*seqout = seq = sv_json_as_int(sv_json_get(e, "seq"));
	if (!canonical) {
		problem(r, expect ? (int64_t)expect : seq, "entry %" PRId64 " is not in canonical form (altered)",
			expect ? (int64_t)expect : seq);
		ok = false;
	}
	if (expect && seq != (int64_t)expect) {
		seq_problem(r, expect, seq);
		ok = false;
	}
	sv_json_free(e);
	return ok;
}

/*
 * Verifying a stream of entries against the checkpoints interleaved in it.
 *
 * An entry whose number is the one just taken (two entries numbered S in a
 * row: a copy, or a forgery put in front of the genuine one) is a fork: one
 * of the two is not the vault's.  `acc` goes on as if the second were the
 * intruder, `alt` as if the first were, and the next signed checkpoint says
 * which: the intruder is located at its own position (S+1 for a copy after
 * S, S for a forgery in front of the genuine S) and the verification goes
 * on from the right tree, so later checkpoints still check.
 */
typedef struct {
	sv_merkle_acc acc;	/* the entries taken as the log's, in order */
	sv_merkle_acc before;	/* acc before its last leaf */
	sv_merkle_acc alt;	/* while `dup`: the other way of the fork */
	uint64_t dup;		/* the number that came twice (0: no fork) */
	int64_t last_seq;	/* the number of the entry before */
	uint64_t last_good;	/* size of the last checkpoint that matched */
	bool broken;		/* a checkpoint did not match: the rest cannot */
	uint64_t masked;	/* later checkpoints that did not match either */
	char name[128];
	unsigned char pub[SV_KEY_LEN];
} stream;

static void stream_init(stream *s, const char *name, const unsigned char pub[SV_KEY_LEN])
{
	memset(s, 0, sizeof(*s));
	sv_merkle_acc_init(&s->acc);
	sv_merkle_acc_init(&s->before);
	sv_merkle_acc_init(&s->alt);
	snprintf(s->name, sizeof(s->name), "%s", name);
	memcpy(s->pub, pub, SV_KEY_LEN);
}

/* One entry, numbered `seq` in its text, with its leaf hash. */
static void stream_entry(report *r, stream *s, int64_t seq, const sv_hash *leaf)
{
	if (seq >= 1 && (uint64_t)seq == s->acc.n && !s->dup && !s->broken) {
		sv_merkle_acc_copy(&s->alt, &s->before);
		sv_merkle_acc_push(&s->alt, leaf);
		s->dup = (uint64_t)seq;
		s->last_seq = seq;
		return;
	}
	/* Only a break in the numbering is a problem: after one entry
	 * removed, the rest are not reported one by one. */
	if (seq != s->last_seq + 1)
		seq_problem(r, s->acc.n + 1, seq);
	s->last_seq = seq;
	sv_merkle_acc_copy(&s->before, &s->acc);
	sv_merkle_acc_push(&s->acc, leaf);
	if (s->dup)
		sv_merkle_acc_push(&s->alt, leaf);
}

static bool acc_matches(const sv_merkle_acc *a, const sv_checkpoint *cp)
{
	sv_hash root;

	if (a->n != cp->size)
		return false;
	sv_merkle_acc_root(a, &root);
	return memcmp(root.h, cp->root.h, SV_HASH_LEN) == 0;
}

/* A fork decided by the checkpoint `cp` (or by none: cp NULL). */
static void stream_fork(report *r, stream *s, const sv_checkpoint *cp)
{
	uint64_t d = s->dup;

	s->dup = 0;
	if (cp && acc_matches(&s->acc, cp)) {
		problem(r, (int64_t)d + 1, "an entry was inserted at position %" PRIu64 ", after entry %" PRIu64
			" (it claims to be entry %" PRIu64 ": a copy or a forgery)", d + 1, d, d);
	} else if (cp && acc_matches(&s->alt, cp)) {
		problem(r, (int64_t)d, "entry %" PRIu64 " is not the vault's: a forgery was inserted at position %"
			PRIu64 ", in front of the genuine entry %" PRIu64, d, d, d);
		sv_merkle_acc_copy(&s->acc, &s->alt);
	} else {
		problem(r, (int64_t)d, "two entries are numbered %" PRIu64 " (an entry was inserted at position %"
			PRIu64 " or %" PRIu64 ")%s", d, d, d + 1,
			cp ? "" : "; no signed checkpoint after them tells which");
	}
}

static void stream_checkpoint(report *r, stream *s, const char *note)
{
	sv_checkpoint cp;

	r->checkpoints++;
	if (sv_checkpoint_open(&cp, note, strlen(note), s->name, s->pub) < 0) {
		problem(r, (int64_t)s->acc.n, "%s (after entry %" PRIu64 ")", scrvault_error_message(), s->acc.n);
		return;
	}
	if (s->dup)
		stream_fork(r, s, &cp);
	if (acc_matches(&s->acc, &cp)) {
		s->last_good = cp.size;
		return;
	}
	/* Once one checkpoint fails, every later one covers the same damage:
	 * counted (stream_end), not reported one by one. */
	if (s->broken) {
		s->masked++;
		return;
	}
	s->broken = true;
	if (cp.size != s->acc.n)
		problem(r, (int64_t)(cp.size < s->acc.n ? cp.size : s->acc.n) + 1,
			"checkpoint of size %" PRIu64 " stands after entry %" PRIu64 " (entries removed or inserted)",
			cp.size, s->acc.n);
	else
		problem(r, (int64_t)s->last_good + 1,
			"entries %" PRIu64 "..%" PRIu64 " do not match the signed checkpoint at size %" PRIu64
			" (one of them was altered)", s->last_good + 1, cp.size, cp.size);
}

static void stream_end(report *r, stream *s)
{
	if (s->dup)
		stream_fork(r, s, NULL);
	if (s->masked)
		problem(r, 0, "%" PRIu64 " later signed checkpoint%s cover%s the same damage and do%s not match either",
			s->masked, s->masked == 1 ? "" : "s", s->masked == 1 ? "s" : "", s->masked == 1 ? "es" : "");
}

/*
 * Fast path of an unfiltered export line {"entry":<E>}: the entry's exact
 * bytes and its top-level seq, without building a JSON tree.  Keys are
 * sorted, so the top-level "seq" is the last one (only "time" and "v",
 * whose values cannot contain it, follow).  The leaf hash covers every byte,
 * so an entry that is not what the vault wrote cannot pass, whatever its
 * form; lines that do not have this shape take the full parser.
 */
static bool fast_entry(const char *line, size_t n, const char **etext, size_t *elen, int64_t *seq)
{
	static const char pre[] = "{\"entry\":{";
	const char *p, *last = NULL;
	int64_t v = 0;

	if (n < sizeof(pre) + 1 || memcmp(line, pre, sizeof(pre) - 1) != 0 || line[n - 1] != '}' ||
	    line[n - 2] != '}')
		return false;
	*etext = line + sizeof(pre) - 2;
	*elen = n - (sizeof(pre) - 2) - 1;
	/* Backwards from the end: the top-level seq is near it. */
	for (p = line + n - 7; p >= *etext; p--)
		if (*p == '"' && memcmp(p, "\"seq\":", 6) == 0) {
			last = p;
			break;
		}
	if (!last)
		return false;
	for (p = last + 6; *p >= '0' && *p <= '9' && v < INT64_MAX / 10; p++)
		v = v * 10 + (*p - '0');
	if (p == last + 6 || (*p != ',' && *p != '}'))
		return false;
	*seq = v;
	return true;
}

/*
 * Check a v2 export's signed statement against what the export holds: the
 * vault signed its origin, size, filter, the number of entries and the root
 * of their leaf hashes, so a changed filter or an entry removed from (or
 * added to) a filtered export is detected, though each remaining entry
 * still proves its own inclusion.
 */
static void check_statement(report *r, const char *note, const char *name, const unsigned char pub[SV_KEY_LEN],
			    const sv_checkpoint *head, const sv_json *hdr_filter, const sv_merkle_acc *got)
{
	char *ftext = filter_text(hdr_filter), *want = NULL;
	size_t bodylen = 0;
	sv_hash digest;

	if (sv_note_open(&bodylen, note, strlen(note), name, pub) < 0) {
		problem(r, 0, "the export's signed statement: %s", scrvault_error_message());
		goto done;
	}
	sv_merkle_acc_root(got, &digest);
	if (!ftext || !(want = statement_body(name, head->size, ftext, got->n, &digest))) {
		problem(r, 0, "cannot check the export's signed statement");
		goto done;
	}
	if (bodylen == strlen(want) && memcmp(note, want, bodylen) == 0) {
		r->filter_signed = true;
		goto done;
	}
	/* Say what differs: the filter, the size, or the entries. */
	{
		const char *fl = strstr(note, "\nfilter "), *el = strstr(note, "\nentries ");
		size_t flen = strlen(ftext);
		unsigned long long signed_n = el ? strtoull(el + 9, NULL, 10) : 0;

		if (!fl || fl > note + bodylen || strncmp(fl + 8, ftext, flen) != 0 || fl[8 + flen] != '\n')
			problem(r, 0, "the export's filter is not the one the vault signed (the header was edited)");
		else if (el && signed_n != got->n)
			problem(r, 0, "the export holds %" PRIu64 " entries but the vault signed %llu: entries were %s the export",
				got->n, signed_n, signed_n > got->n ? "removed from" : "added to");
		else
			problem(r, 0, "the export's entries are not the ones the vault signed (removed, added, altered or "
				"reordered)");
	}
done:
	free(ftext);
	free(want);
}

/*
 * What a proven entry says about time: when the log recorded it, the dates
 * its details claim (members named *_on holding a date, except due_on, a
 * deadline rather than an event) and whether it was recorded more than
 * SCRVAULT_AUDIT_LATE_DAYS after one of them.
 */
static sv_json *timeline_row(const sv_json *e)
{
	const sv_json *d = sv_json_get(e, "details"), *o = sv_json_get(e, "objects");
	const char *time = sv_json_str(sv_json_get(e, "time"));
	char recorded[11] = "";
	int64_t rday = 0, late_days = 0;
	bool have_day = false;
	sv_json *claims = sv_json_array(), *row;

	if (time && strlen(time) >= 10) {
		memcpy(recorded, time, 10);
		have_day = sv_day_parse(&rday, recorded) == 0;
	}
	for (size_t i = 0; claims && sv_json_type_of(d) == SV_JSON_OBJECT && i < sv_json_count(d); i++) {
		const char *k = sv_json_key_at(d, i), *val = sv_json_str(sv_json_get(d, k));
		size_t kl = strlen(k);
		int64_t day;

		if (kl < 4 || strcmp(k + kl - 3, "_on") != 0 || !strcmp(k, "due_on") || !val || sv_day_parse(&day, val) < 0)
			continue;
		if (sv_json_append(claims, sv_json_of(SV_FIELDS(SV_STR("name", k), SV_STR("date", val)))) < 0) {
			claims = NULL;
			break;
		}
		if (have_day && rday - day > late_days)
			late_days = rday - day;
	}
	if (!claims)
		return NULL;
	row = sv_json_of(SV_FIELDS(SV_INT("seq", sv_json_as_int(sv_json_get(e, "seq"))), SV_STR("time", time),
				   SV_STR("recorded_on", have_day ? recorded : NULL),
				   SV_STR("action", sv_json_str(sv_json_get(e, "action"))),
				   SV_STR("outcome", sv_json_str(sv_json_get(e, "outcome"))),
				   SV_STR("case", sv_json_str(sv_json_get(o, "case"))),
				   SV_STR("principal", sv_json_str(sv_json_get(e, "principal"))), SV_VAL("claims", claims),
				   SV_BOOL("late", late_days > SCRVAULT_AUDIT_LATE_DAYS), SV_INT("late_days", late_days)));
	sv_json_free(claims);
	return row;
}

/*
 * A proof set holds exactly the entries its signed list names, each once,
 * in log order: none dropped, added, repeated or moved.
 */
static void check_set(report *r)
{
	const sv_json *want = sv_json_get(r->filter, "seqs");
	size_t nw = sv_json_count(want), ng = sv_json_count(r->got_seqs), i;
	int64_t prev = 0;

	for (i = 0; i < nw; i++) {
		const sv_json *x = sv_json_at(want, i);

		if (sv_json_type_of(x) != SV_JSON_INT || sv_json_as_int(x) <= prev) {
			problem(r, 0, "the proof's list of entries is not a list of entry numbers in log order (edited)");
			return;
		}
		prev = sv_json_as_int(x);
	}
	for (i = 0; i < nw && i < ng; i++)
		if (sv_json_as_int(sv_json_at(want, i)) != sv_json_as_int(sv_json_at(r->got_seqs, i)))
			break;
	if (i == nw && i == ng)
		return;
	if (i < nw && i < ng)
		problem(r, sv_json_as_int(sv_json_at(want, i)), "the proof lists entry %" PRId64 " where the file holds entry %"
			PRId64 " (an entry was dropped, added, repeated or moved)", sv_json_as_int(sv_json_at(want, i)),
			sv_json_as_int(sv_json_at(r->got_seqs, i)));
	else if (i < nw)
		problem(r, sv_json_as_int(sv_json_at(want, i)), "the proof lists entry %" PRId64 " but the file does not hold it"
			" (dropped)", sv_json_as_int(sv_json_at(want, i)));
	else
		problem(r, sv_json_as_int(sv_json_at(r->got_seqs, i)), "the file holds entry %" PRId64
			", which the proof does not list (added)", sv_json_as_int(sv_json_at(r->got_seqs, i)));
}

static int verify_export(report *r, FILE *in, const char *name, const unsigned char pub[SV_KEY_LEN],
			 const char *first, size_t firstlen)
{
	sv_json *hdr = NULL;
	sv_checkpoint head;
	sv_merkle_acc got;	/* the leaf hashes of the entries the export holds */
	stream s;
	char *line = NULL, *statement = NULL;
	size_t cap = 0;
	ssize_t n;
	const char *fmt;
	bool is_filtered, after_statement = false;
	uint64_t prev_seq = 0;
	int error = 0;

	r->kind = "export";
	stream_init(&s, name, pub);
	sv_merkle_acc_init(&got);
	if (sv_json_parse(&hdr, first, firstlen, NULL) < 0 || !(fmt = sv_json_str(sv_json_get(hdr, "export"))) ||
	    (strcmp(fmt, EXPORT_FORMAT) != 0 && strcmp(fmt, EXPORT_FORMAT_V1) != 0) ||
	    !sv_json_str(sv_json_get(hdr, "checkpoint"))) {
		problem(r, 0, "not a scrvault audit export (bad header line)");
		goto done;
	}
	r->format = strcmp(fmt, EXPORT_FORMAT) == 0 ? 2 : 1;
	is_filtered = sv_json_type_of(sv_json_get(hdr, "filter")) == SV_JSON_OBJECT;
	if (is_filtered && !(r->filter = sv_json_copy(sv_json_get(hdr, "filter")))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	/* A proof set: the filter is the list of its entries. */
	if (is_filtered && sv_json_get(r->filter, "seqs")) {
		r->is_set = true;
		if (!(r->got_seqs = sv_json_array()) || !(r->timeline = sv_json_array())) {
			error = SCRVAULT_ERROR;
			goto done;
		}
	}
	{
		const char *note = sv_json_str(sv_json_get(hdr, "checkpoint"));

		if (sv_checkpoint_open(&head, note, strlen(note), name, pub) < 0) {
			problem(r, 0, "export checkpoint: %s", scrvault_error_message());
			goto done;
		}
	}
	r->size = head.size;
	while ((n = getline(&line, &cap, in)) > 0) {
		sv_json *j = NULL;
		const sv_json *entry;
		const char *st;
		char *etext = NULL;
		size_t elen = 0;
		sv_hash leaf;
		bool canonical = false;

		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (after_statement) {
			problem(r, 0, "a line follows the export's signed statement (added)");
			after_statement = false;	/* said once */
			statement[0] = '\0';
		}
		if (!is_filtered) {
			const char *et;
			size_t el;
			int64_t seq;

			if (fast_entry(line, (size_t)n, &et, &el, &seq)) {
				r->entries++;
				sv_merkle_leaf_hash(&leaf, et, el);
				stream_entry(r, &s, seq, &leaf);
				sv_merkle_acc_push(&got, &leaf);
				prev_seq = s.acc.n;
				continue;
			}
		}
		if (sv_json_parse(&j, line, (size_t)n, &canonical) < 0) {
			problem(r, (int64_t)(prev_seq + 1), "line after entry %" PRIu64 " is not valid JSON", prev_seq);
			continue;
		}
		if ((st = sv_json_str(sv_json_get(j, "statement"))) && !sv_json_get(j, "entry")) {
			if (r->format < 2 || statement)
				problem(r, 0, "the export has a statement line where none belongs (added)");
			else if (!(statement = sv_strdup(st)))
				error = SCRVAULT_ERROR;
			else
				after_statement = true;
			sv_json_free(j);
			if (error < 0)
				goto done;
			continue;
		}
		if (sv_json_str(sv_json_get(j, "checkpoint")) && !sv_json_get(j, "entry")) {
			if (!is_filtered)
				stream_checkpoint(r, &s, sv_json_str(sv_json_get(j, "checkpoint")));
			sv_json_free(j);
			continue;
		}
		if (!(entry = sv_json_get(j, "entry")) || sv_json_write(&etext, &elen, entry) < 0) {
			problem(r, (int64_t)(prev_seq + 1), "line after entry %" PRIu64 " holds no entry", prev_seq);
			sv_json_free(j);
			free(etext);
			continue;
		}
		r->entries++;
		sv_merkle_leaf_hash(&leaf, etext, elen);
		sv_merkle_acc_push(&got, &leaf);
		{
			int64_t seq = sv_json_as_int(sv_json_get(entry, "seq"));

			if (!canonical)
				problem(r, is_filtered ? seq : (int64_t)s.acc.n + 1,
					"entry %" PRId64 " is not in canonical form (altered)", seq);
			if (is_filtered) {
				sv_hash *hs = NULL;
				size_t hn = 0;

				if (seq <= (int64_t)prev_seq || seq < 1 || (uint64_t)seq > head.size) {
					problem(r, seq, "entry %" PRId64 " is out of order or outside the checkpoint", seq);
				} else if (hashes_from(&hs, &hn, sv_json_get(j, "proof")) < 0) {
					problem(r, seq, "entry %" PRId64 ": %s", seq, scrvault_error_message());
				} else if (sv_merkle_verify_inclusion((uint64_t)seq - 1, head.size, &leaf, hs, hn, &head.root) < 0) {
					problem(r, seq, "entry %" PRId64 " is not in the signed log (altered, or the proof is wrong)", seq);
				}
				free(hs);
				if (seq > 0)
					prev_seq = (uint64_t)seq;
				if (r->is_set && (sv_json_append(r->got_seqs, sv_json_int(seq)) < 0 ||
						  sv_json_append(r->timeline, timeline_row(entry)) < 0)) {
					error = SCRVAULT_ERROR;
					free(etext);
					sv_json_free(j);
					goto done;
				}
			} else {
				int64_t found = 0;

				check_entry(r, etext, elen, 0, &found);
				stream_entry(r, &s, found, &leaf);
				prev_seq = s.acc.n;
			}
		}
		free(etext);
		sv_json_free(j);
	}
	if (!is_filtered) {
		sv_hash root;

		stream_end(r, &s);
		if (s.acc.n != head.size) {
			problem(r, (int64_t)(s.acc.n < head.size ? s.acc.n + 1 : head.size + 1),
				"the export holds %" PRIu64 " entries but its checkpoint says %" PRIu64 "%s",
				s.acc.n, head.size, s.acc.n < head.size ? " (truncated)" : " (entries added)");
		} else {
			sv_merkle_acc_root(&s.acc, &root);
			if (memcmp(root.h, head.root.h, SV_HASH_LEN) != 0 && r->nproblems == 0)
				problem(r, (int64_t)s.last_good + 1, "entries after %" PRIu64 " do not match the signed checkpoint",
					s.last_good);
		}
	}
	if (r->is_set && r->format < 2)
		problem(r, 0, "a proof set without the vault's signed statement (its header was edited to format v1)");
	else if (r->is_set)
		check_set(r);
	if (r->format >= 2) {
		if (!statement)
			problem(r, 0, "the export ends without its signed statement (truncated, or the last line removed)");
		else if (statement[0])
			check_statement(r, statement, name, pub, &head, sv_json_get(hdr, "filter"), &got);
	}
done:
	free(line);
	free(statement);
	sv_json_free(hdr);
	return error;
}

static int verify_inclusion_file(report *r, const char *text, const char *name,
				 const unsigned char pub[SV_KEY_LEN])
{
	const char *p = text, *blank;
	sv_hash proof[SV_MERKLE_MAX_PROOF], leaf;
	unsigned char *entry = NULL;
	size_t nproof = 0, entrylen = 0;
	uint64_t index = 0;
	sv_checkpoint cp;
	char line[4096];
	bool have_index = false;

	r->kind = "inclusion";
	if (!(blank = strstr(text, "\n\n")))
		return problem(r, 0, "proof has no checkpoint"), 0;
	for (int lineno = 0; p <= blank; lineno++) {
		const char *nl = strchr(p, '\n');
		size_t n = (size_t)(nl - p);

		if (n >= sizeof(line)) {
			problem(r, 0, "proof line %d is too long", lineno + 1);
			return 0;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl + 1;
		if (lineno == 0) {
			if (strcmp(line, PROOF_HEADER) != 0)
				return problem(r, 0, "not a C2SP tlog-proof"), 0;
		} else if (!strncmp(line, "extra ", 6) && !entry && !have_index) {
			if (sv_unbase64(&entry, &entrylen, line + 6) < 0)
				return problem(r, 0, "proof extra data is not base64"), 0;
		} else if (!strncmp(line, "index ", 6) && !have_index) {
			char *end;

			if (strspn(line + 6, "0123456789") != strlen(line + 6) || !line[6])
				return free(entry), problem(r, 0, "proof index is not a number"), 0;
			index = strtoull(line + 6, &end, 10);
			have_index = true;
		} else if (have_index && n > 0) {
			unsigned char *raw = NULL;
			size_t rl = 0;

			if (nproof >= SV_MERKLE_MAX_PROOF || sv_unbase64(&raw, &rl, line) < 0 || rl != SV_HASH_LEN) {
				free(raw);
				free(entry);
				return problem(r, (int64_t)index + 1, "proof hash %zu is malformed", nproof), 0;
			}
			memcpy(proof[nproof++].h, raw, SV_HASH_LEN);
			free(raw);
		} else if (n == 0) {
			break;
		} else {
			free(entry);
			return problem(r, 0, "unexpected line in the proof: '%.40s'", line), 0;
		}
	}
	if (!entry || !have_index) {
		free(entry);
		return problem(r, 0, "proof carries no entry or no index"), 0;
	}
	r->entries = 1;
	if (sv_checkpoint_open(&cp, blank + 2, strlen(blank + 2), name, pub) < 0) {
		problem(r, (int64_t)index + 1, "%s", scrvault_error_message());
		free(entry);
		return 0;
	}
	r->size = cp.size;
	r->checkpoints = 1;
	{
		int64_t found;

		check_entry(r, (const char *)entry, entrylen, index + 1, &found);
	}
	sv_merkle_leaf_hash(&leaf, entry, entrylen);
	if (sv_merkle_verify_inclusion(index, cp.size, &leaf, proof, nproof, &cp.root) < 0)
		problem(r, (int64_t)index + 1, "entry %" PRIu64 " is not in the signed log: %s", index + 1,
			scrvault_error_message());
	free(entry);
	return 0;
}

static int verify_consistency_file(report *r, const char *text, size_t len, const char *name,
				   const unsigned char pub[SV_KEY_LEN])
{
	sv_json *j = NULL;
	sv_checkpoint a, b;
	sv_hash *proof = NULL;
	size_t n = 0;
	const char *o, *nw;

	r->kind = "consistency";
	if (sv_json_parse(&j, text, len, NULL) < 0 ||
	    !(o = sv_json_str(sv_json_get(j, "old"))) || !(nw = sv_json_str(sv_json_get(j, "new")))) {
		sv_json_free(j);
		return problem(r, 0, "not a scrvault consistency proof"), 0;
	}
	if (sv_checkpoint_open(&a, o, strlen(o), name, pub) < 0)
		problem(r, 0, "old %s", scrvault_error_message());
	else if (sv_checkpoint_open(&b, nw, strlen(nw), name, pub) < 0)
		problem(r, 0, "new %s", scrvault_error_message());
	else if (hashes_from(&proof, &n, sv_json_get(j, "proof")) < 0)
		problem(r, 0, "%s", scrvault_error_message());
	else {
		r->size = b.size;
		r->checkpoints = 2;
		if (sv_merkle_verify_consistency(a.size, b.size, &a.root, &b.root, proof, n) < 0)
			problem(r, (int64_t)a.size + 1, "the log at size %" PRIu64 " does not extend the log at size %"
				PRIu64 ": %s", b.size, a.size, scrvault_error_message());
	}
	free(proof);
	sv_json_free(j);
	return 0;
}

int scrvault_audit_verify_file(scrvault_json **out, const char *path, const char *vkey)
{
	unsigned char pub[SV_KEY_LEN];
	char name[128], *first = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *in = NULL;
	report r = { 0 };
	int error;

	*out = NULL;
	if (!vkey)
		return sv_error_field(SCRVAULT_EUSAGE, "vkey", "verifying a file needs the vault's verifier key (from 'scrvault audit pubkey')");
	if ((error = sv_note_vkey_parse(name, pub, vkey)) < 0)
		return error;
	if (!(in = fopen(path, "re")))
		return sv_error(errno == ENOENT ? SCRVAULT_ENOTFOUND : SCRVAULT_ERROR, "cannot open '%s': %s",
				path, strerror(errno));
	setvbuf(in, NULL, _IOFBF, 1 << 20);
	if (!(r.problems = sv_json_array())) {
		fclose(in);
		return SCRVAULT_ERROR;
	}
	r.kind = "unknown";
	if ((n = getline(&first, &cap, in)) <= 0) {
		problem(&r, 0, "'%s' is empty", path);
	} else if (!strncmp(first, PROOF_HEADER "\n", strlen(PROOF_HEADER) + 1) ||
		   !strncmp(first, "{\"consistency\"", 14)) {
		/* Small files: read the rest whole. */
		char *all = NULL, *rest = NULL;
		size_t restlen = 0;

		fclose(in);
		in = NULL;
		if ((error = sv_file_read(&all, &restlen, path, 1 << 20)) < 0) {
			free(first);
			sv_json_free(r.problems);
			return error;
		}
		(void)rest;
		if (first[0] == '{')
			verify_consistency_file(&r, all, restlen, name, pub);
		else
			verify_inclusion_file(&r, all, name, pub);
		free(all);
	} else {
		if (first[n - 1] == '\n')
			first[--n] = '\0';
		verify_export(&r, in, name, pub, first, (size_t)n);
	}
	if (in)
		fclose(in);
	free(first);
	error = finish_report(out, &r);
	sv_json_free(r.problems);
	sv_json_free(r.filter);
	sv_json_free(r.got_seqs);
	sv_json_free(r.timeline);
	return error;
}

int scrvault_audit_verify_live(scrvault_json **out, scrvault *v, const char *vkey)
{
	unsigned char pub[SV_KEY_LEN];
	char name[128];
	sv_stmt *st = NULL, *cps = NULL;
	sv_hash stored_root;
	report r = { 0 };
	stream s;
	uint64_t next_cp;
	int error, rc;

	*out = NULL;
	if ((error = sv_authorize(v, "audit.read", NULL)) < 0)
		return error;
	if (vkey) {
		if ((error = sv_note_vkey_parse(name, pub, vkey)) < 0)
			return error;
		if (strcmp(name, v->origin) != 0 || memcmp(pub, v->audit_pub, SV_KEY_LEN) != 0) {
			if (!(r.problems = sv_json_array()))
				return SCRVAULT_ERROR;
			r.kind = "live";
			problem(&r, 0, "the given verifier key is not this vault's audit key");
			error = finish_report(out, &r);
			sv_json_free(r.problems);
			return error;
		}
	}
	if (!(r.problems = sv_json_array()))
		return SCRVAULT_ERROR;
	r.kind = "live";
	stream_init(&s, v->origin, v->audit_pub);
	if ((error = sv_db_query(&st, v->db, "SELECT seq, entry, leaf FROM audit ORDER BY seq", "")) < 0 ||
	    (error = sv_db_query(&cps, v->db, "SELECT size, note FROM checkpoints ORDER BY size", "")) < 0)
		goto done;
	if ((rc = sv_stmt_step(cps)) < 0) {
		error = rc;
		goto done;
	}
	next_cp = rc == 1 ? (uint64_t)sv_stmt_int(cps, 0) : UINT64_MAX;
	while ((rc = sv_stmt_step(st)) == 1) {
		const char *text = sv_stmt_text(st, 1);
		size_t len = text ? strlen(text) : 0, leaflen = 0;
		const unsigned char *leaf = sv_stmt_blob(st, 2, &leaflen);
		sv_hash h;

		r.entries++;
		if (!text) {
			problem(&r, sv_stmt_int(st, 0), "entry %lld is empty", (long long)sv_stmt_int(st, 0));
			continue;
		}
		{
			int64_t found = 0;

			check_entry(&r, text, len, 0, &found);
			sv_merkle_leaf_hash(&h, text, len);
			if (!leaf || leaflen != SV_HASH_LEN || memcmp(leaf, h.h, SV_HASH_LEN) != 0)
				problem(&r, (int64_t)s.acc.n + 1, "entry %" PRIu64 " does not match its recorded leaf hash (altered)",
					s.acc.n + 1);
			stream_entry(&r, &s, found, &h);
		}
		while (next_cp <= s.acc.n) {
			if (next_cp < s.acc.n)
				problem(&r, (int64_t)next_cp, "checkpoint at size %" PRIu64 " has no matching entry", next_cp);
			else
				stream_checkpoint(&r, &s, sv_stmt_text(cps, 1));
			if ((rc = sv_stmt_step(cps)) < 0) {
				error = rc;
				goto done;
			}
			next_cp = rc == 1 ? (uint64_t)sv_stmt_int(cps, 0) : UINT64_MAX;
		}
	}
	if (rc < 0) {
		error = rc;
		goto done;
	}
	stream_end(&r, &s);
	if (next_cp != UINT64_MAX)
		problem(&r, (int64_t)s.acc.n + 1, "a signed checkpoint covers %" PRIu64 " entries but the log has %" PRIu64
			" (entries removed: truncated)", next_cp, s.acc.n);
	r.size = s.acc.n;
	/* The stored interior nodes (used for proofs) must agree. */
	if (s.acc.n > 0) {
		sv_hash root;

		sv_merkle_acc_root(&s.acc, &root);
		if (sv_merkle_root(&stored_root, s.acc.n, sv_audit_node, v) < 0 ||
		    memcmp(stored_root.h, root.h, SV_HASH_LEN) != 0)
			problem(&r, 0, "the stored Merkle tree does not match the entries");
	}
	/* The store's newest checkpoint: the database must reach it (first: it
	 * names the missing entries, which the CLI shows as the first problem). */
	{
		char *note = NULL;
		sv_checkpoint cp;
		int rc2 = sv_store_tag_get(&note, v->store, CHECKPOINT_REF);

		if (rc2 == SCRVAULT_ENOTFOUND) {
			problem(&r, 0, "the store holds no audit checkpoint (refs/audit/checkpoint is missing)");
		} else if (rc2 < 0 || sv_checkpoint_open(&cp, note, strlen(note), v->origin, v->audit_pub) < 0) {
			problem(&r, 0, "the store's checkpoint: %s", scrvault_error_message());
		} else if (cp.size > s.acc.n) {
			problem(&r, (int64_t)s.acc.n + 1,
				"the store holds a signed checkpoint of %" PRIu64 " entries but the database has only %" PRIu64
				": entries %" PRIu64 "..%" PRIu64 " are missing (database rolled back or truncated)",
				cp.size, s.acc.n, s.acc.n + 1, cp.size);
		} else {
			sv_hash at;

			if (sv_merkle_root(&at, cp.size, sv_audit_node, v) < 0 ||
			    memcmp(at.h, cp.root.h, SV_HASH_LEN) != 0)
				problem(&r, 0, "the store's checkpoint at size %" PRIu64 " does not match the log", cp.size);
		}
		free(note);
	}
	if (v->rolled_back)
		problem(&r, (int64_t)s.acc.n + 1, "%s", v->rollback_msg);
	error = 0;
done:
	sv_stmt_free(st);
	sv_stmt_free(cps);
	if (error == 0)
		error = finish_report(out, &r);
	sv_json_free(r.problems);
	return error;
}
