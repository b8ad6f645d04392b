/*
 * unlockfail.c - failed unlock attempts.  A failed unlock cannot write the
 * audit log (the database is not open), so it appends a record to
 * VAULT/unlock-failures; the next successful unlock moves the records into
 * the log as denied vault.unlock entries, in one transaction, then removes
 * the file.
 *
 * The file is outside the vault's cryptography: anyone who can write the
 * directory can write it.  So it must never bring text of its author's
 * choosing into a signed entry, nor let its size or shape stop the vault:
 * a record carries only a time, a reason word from a fixed set and a
 * principal's name (kept only if registered); a record of any other shape
 * or a file too large sets the whole file aside, unread, with an entry and
 * a warning.  Every entry made from it says "unauthenticated": true.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "vault/unlockfail.h"
#include "vault/find.h"
#include "vault/log.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "base/common.h"
#include "base/date.h"
#include "base/file.h"
#include "base/json.h"
#include "base/text.h"

#define FAILURES	"unlock-failures"
/* The file is trimmed to the newest records when it reaches this size. */
#define WRITE_CAP	(SV_UNLOCK_MAX_RECORDS * 128)
/* A file larger than this was not written by scrvault: set aside. */
#define READ_CAP	(4 * WRITE_CAP)

static const char *const reasons[] = {
	SV_UNLOCK_WRONG_PASSPHRASE, SV_UNLOCK_OTHER_VAULT, SV_UNLOCK_NOT_CUSTODIAN,
	SV_UNLOCK_KEYRING_MISMATCH, SV_UNLOCK_REVOKED, SV_UNLOCK_BAD_ANSWER, SV_UNLOCK_REPLAYED, NULL
};

static bool known_reason(const char *r)
{
	for (int i = 0; r && reasons[i]; i++)
		if (strcmp(r, reasons[i]) == 0)
			return true;
	return false;
}

/* ---- writing --------------------------------------------------------------- */

/* Keep the newest SV_UNLOCK_MAX_RECORDS - 1 lines of a file at its cap. */
static void trim(const char *path)
{
	char *text = NULL, *start;
	size_t len = 0, lines = 0;
	struct stat sb;

	if (lstat(path, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size < WRITE_CAP ||
	    sb.st_size > READ_CAP || sv_file_read(&text, &len, path, READ_CAP) < 0)
		goto done;
	/* Back from the end: the line after each newline but the last. */
	for (start = text + (len ? len - 1 : 0); start > text; start--)
		if (start[-1] == '\n' && ++lines == SV_UNLOCK_MAX_RECORDS - 1)
			break;
	(void)sv_file_replace(path, start, strlen(start));
done:
	free(text);
}

int sv_unlock_failure_note(const char *dir, const char *principal, const char *reason)
{
	char when[21], *line = NULL, *path = NULL, *withnl = NULL;
	size_t len;
	int error = SCRVAULT_ERROR;

	if (!known_reason(reason))
		return sv_error(SCRVAULT_ERROR, "unknown unlock failure reason");
	sv_time_iso(when, sv_now());
	{
		sv_json *o = NULL;

		if (sv_json_new(&o, SV_FIELDS(SV_STR("principal", principal && sv_name_valid(principal)
							     ? principal : "unknown"),
					       SV_STR("reason", reason), SV_STR("time", when))) < 0 ||
		    sv_json_write(&line, &len, o) < 0) {
			sv_json_free(o);
			goto done;
		}
		sv_json_free(o);
	}
	if (!(path = sv_path(dir, FAILURES)) || !(withnl = sv_printf("%s\n", line)))
		goto done;
	trim(path);
	error = sv_file_append(path, withnl);
done:
	free(withnl);
	free(line);
	free(path);
	return error;
}

/* ---- reading ---------------------------------------------------------------- */

typedef struct {
	char principal[65];
	char reason[32];
	char time[21];
} record;

/* One line as a record: exactly the three members, each as it must be. */
static bool parse_record(record *r, const char *line, size_t len)
{
	sv_json *j = NULL;
	const char *p, *why, *when;
	bool ok;

	if (len == 0 || len > SV_UNLOCK_MAX_LINE || sv_json_parse(&j, line, len, NULL) < 0)
		return false;
	p = sv_json_str(sv_json_get(j, "principal"));
	why = sv_json_str(sv_json_get(j, "reason"));
	when = sv_json_str(sv_json_get(j, "time"));
	ok = sv_json_type_of(j) == SV_JSON_OBJECT && sv_json_count(j) == 3 && p && why && when &&
	     (strcmp(p, "unknown") == 0 || sv_name_valid(p)) && known_reason(why) && sv_time_parse(when) >= 0;
	if (ok) {
		snprintf(r->principal, sizeof(r->principal), "%s", p);
		snprintf(r->reason, sizeof(r->reason), "%s", why);
		snprintf(r->time, sizeof(r->time), "%s", when);
	}
	sv_json_free(j);
	return ok;
}

/*
 * Move the file aside (it was not written by scrvault, or not only) and say
 * so in the log and in v->warning.  `why`: "too-large", "malformed",
 * "not-a-file", "not-owner-only".
 */
static int set_aside(scrvault *v, const char *path, const char *why, int64_t size)
{
	char when[21], stamp[17], *aside = NULL, *name = NULL;
	int fd, error;

	sv_time_iso(when, sv_now());
	/* "unlock-failures.rejected-20261207T071500Z" */
	snprintf(stamp, sizeof(stamp), "%.4s%.2s%.2sT%.2s%.2s%.2sZ", when, when + 5, when + 8, when + 11,
		 when + 14, when + 17);
	/* Never over an earlier one set aside in the same second. */
	for (int i = 0; i < 100; i++) {
		struct stat sb;

		free(name);
		free(aside);
		aside = NULL;
		name = i ? sv_printf(FAILURES ".rejected-%s-%d", stamp, i) : sv_printf(FAILURES ".rejected-%s", stamp);
		if (!name || !(aside = sv_path(v->dir, name))) {
			error = SCRVAULT_ERROR;
			goto done;
		}
		if (lstat(aside, &sb) < 0)
			break;
	}
	if (rename(path, aside) < 0) {
		error = sv_error(SCRVAULT_ERROR, "cannot move '%s' aside: %s", path, strerror(errno));
		goto done;
	}
	if ((fd = open(aside, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
		(void)fchmod(fd, 0600);
		close(fd);
	}
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	if ((error = sv_audit_append(v, "vault.unlock-failures", "rejected", NULL,
				     SV_FIELDS(SV_STR("reason", why), SV_STR("moved_to", name),
					       SV_INT("size", size), SV_BOOL("unauthenticated", true)))) < 0) {
		sv_vault_abort(v);
		goto done;
	}
	if ((error = sv_vault_commit(v)) < 0)
		goto done;
	snprintf(v->warning, sizeof(v->warning),
		 "the record of failed unlocks was %s and was set aside unread as '%s' (audited): "
		 "someone other than scrvault may have written the vault directory; check who can",
		 strcmp(why, "too-large") == 0 ? "too large" : strcmp(why, "not-a-file") == 0
		 ? "not a regular file" : strcmp(why, "not-owner-only") == 0
		 ? "writable by others than the vault's owner" : "not in scrvault's format", name);
done:
	free(name);
	free(aside);
	return error;
}

int sv_unlock_failures_ingest(scrvault *v)
{
	char *path = sv_path(v->dir, FAILURES), *text = NULL, *cur, *nl;
	record *recs = NULL;
	size_t len = 0, n = 0, first;
	struct stat sb;
	int error = 0;

	if (!path)
		return SCRVAULT_ERROR;
	if (lstat(path, &sb) < 0) {
		if (errno != ENOENT)
			error = sv_error(SCRVAULT_ERROR, "cannot read '%s': %s", path, strerror(errno));
		goto done;
	}
	if (!S_ISREG(sb.st_mode)) {
		error = set_aside(v, path, "not-a-file", 0);
		goto done;
	}
	if (sb.st_uid != geteuid() || (sb.st_mode & (S_IWGRP | S_IWOTH))) {
		error = set_aside(v, path, "not-owner-only", (int64_t)sb.st_size);
		goto done;
	}
	if (sb.st_size > READ_CAP) {
		error = set_aside(v, path, "too-large", (int64_t)sb.st_size);
		goto done;
	}
	if ((error = sv_file_read(&text, &len, path, READ_CAP)) < 0) {
		error = set_aside(v, path, "too-large", (int64_t)sb.st_size);
		goto done;
	}
	/* Every record is checked; the newest SV_UNLOCK_MAX_RECORDS are kept
	 * (record n in recs[n % SV_UNLOCK_MAX_RECORDS]). */
	if (!(recs = sv_calloc(SV_UNLOCK_MAX_RECORDS, sizeof(*recs)))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	for (cur = text; *cur; cur = nl + 1) {
		if (!(nl = strchr(cur, '\n')) ||
		    !parse_record(&recs[n % SV_UNLOCK_MAX_RECORDS], cur, (size_t)(nl - cur))) {
			error = set_aside(v, path, "malformed", (int64_t)len);
			goto done;
		}
		n++;
	}
	first = n > SV_UNLOCK_MAX_RECORDS ? n - SV_UNLOCK_MAX_RECORDS : 0;
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	if (first && (error = sv_audit_append(v, "vault.unlock", "denied", NULL,
					      SV_FIELDS(SV_INT("older_records_dropped", (int64_t)first),
							SV_BOOL("unauthenticated", true)))) < 0)
		goto fail;
	for (size_t i = first; i < n; i++) {
		const record *r = &recs[i % SV_UNLOCK_MAX_RECORDS];
		const char *who = "unknown";
		sv_principal p;

		if (strcmp(r->principal, "unknown") != 0) {
			if ((error = sv_find_principal(&p, v, r->principal)) < 0)
				goto fail;
			if (error == 1)
				who = r->principal;
		}
		if ((error = sv_audit_append(v, "vault.unlock", "denied", SV_ABOUT(.principal = who),
					     SV_FIELDS(SV_STR("reason", r->reason),
						       SV_STR("attempted_at", r->time),
						       SV_BOOL("unauthenticated", true)))) < 0)
			goto fail;
	}
	if ((error = sv_vault_commit(v)) < 0)
		goto done;
	/* Recorded: the pending file can go.  A crash right here would record the
	 * same attempts twice, never lose one. */
	unlink(path);
	goto done;
fail:
	sv_vault_abort(v);
done:
	free(recs);
	free(text);
	free(path);
	return error;
}
