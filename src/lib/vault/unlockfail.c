/*
 * unlockfail.c - failed unlock attempts.  A failed unlock cannot write the
 * audit log (the database is not open), so it appends a line to
 * VAULT/unlock-failures; the next successful unlock moves the lines into the
 * log as denied vault.unlock entries, in one transaction, then removes the
 * file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include "vault/unlockfail.h"
#include "vault/log.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "base/common.h"
#include "base/date.h"
#include "base/file.h"
#include "base/json.h"

/* ---- unlock failures ---------------------------------------------------------- */

int sv_unlock_failure_note(const char *dir, const char *principal, const char *reason)
{
	char when[21], *line = NULL, *path = NULL;
	sv_json *o = sv_json_object();
	size_t len;
	int error = SCRVAULT_ERROR;

	sv_time_iso(when, sv_now());
	if (!o || sv_json_set_str(o, "principal", principal) < 0 ||
	    sv_json_set_str(o, "reason", reason) < 0 ||
	    sv_json_set_str(o, "time", when) < 0 ||
	    sv_json_write(&line, &len, o) < 0 || !(path = sv_path(dir, "unlock-failures")))
		goto done;
	{
		char *withnl = sv_printf("%s\n", line);

		if (!withnl)
			goto done;
		error = sv_file_append(path, withnl);
		free(withnl);
	}
done:
	sv_json_free(o);
	free(line);
	free(path);
	return error;
}

int sv_unlock_failures_ingest(scrvault *v)
{
	char *path = sv_path(v->dir, "unlock-failures"), *text = NULL, *cur, *nl;
	size_t len;
	int error;

	if (!path)
		return SCRVAULT_ERROR;
	if ((error = sv_file_read(&text, &len, path, 16 << 20)) < 0) {
		free(path);
		return error == SCRVAULT_ENOTFOUND ? 0 : error;
	}
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	for (cur = text; cur && *cur; cur = nl ? nl + 1 : NULL) {
		sv_json *rec = NULL;
		const char *who, *why, *when;

		if ((nl = strchr(cur, '\n')))
			*nl = '\0';
		if (sv_json_parse(&rec, cur, strlen(cur), NULL) < 0 ||
		    !(who = sv_json_str(sv_json_get(rec, "principal"))) ||
		    !(why = sv_json_str(sv_json_get(rec, "reason"))) ||
		    !(when = sv_json_str(sv_json_get(rec, "time")))) {
			sv_json_free(rec);
			if ((error = sv_audit_append(v, "vault.unlock", "denied", NULL,
						     SV_FIELDS(SV_STR("reason", "unreadable record in unlock-failures")))) < 0)
				goto fail;
			continue;
		}
		error = sv_audit_append(v, "vault.unlock", "denied", SV_ABOUT(.principal = who),
					SV_FIELDS(SV_STR("reason", why), SV_STR("attempted_at", when)));
		sv_json_free(rec);
		if (error < 0)
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
	free(text);
	free(path);
	return error;
}
