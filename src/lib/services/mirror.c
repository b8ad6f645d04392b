/*
 * mirror.c - mirrors of the store: any git remote that receives the
 * ciphertext, the opaque ids and the signed audit checkpoint.  A URL with a
 * password is refused; URLs are shown with their user part redacted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "vault/authz.h"
#include "vault/log.h"
#include "vault/session.h"
#include "vault/txn.h"
#include "storage/db.h"
#include "storage/remote.h"
#include "storage/rows.h"
#include "base/common.h"
#include "base/json.h"

#define MIRROR_URL_MAX 1000

static bool mirror_name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n <= 32 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/*
 * Where a URL's userinfo is (what comes before the host's '@': "user" or
 * "user:password"): its offset and length, false when it has none.  For
 * "scheme://" URLs it is the authority's part before its last '@' (RFC 3986);
 * for anything else (scp-like "user@host:path", a path) the part before an
 * '@' that comes before any '/'.
 */
static bool url_userinfo(const char *url, size_t *at, size_t *len)
{
	size_t s = strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
	const char *start, *a = NULL;
	size_t end;

	if (s > 0 && strncmp(url + s, "://", 3) == 0) {
		start = url + s + 3;
		end = strcspn(start, "/?#");
		for (size_t i = 0; i < end; i++)
			if (start[i] == '@')
				a = start + i;
	} else {
		start = url;
		end = strcspn(start, "/");
		a = memchr(start, '@', end);
	}
	if (!a)
		return false;
	*at = (size_t)(start - url);
	*len = (size_t)(a - start);
	return true;
}

/* A URL's password, if it carries one: offset and length ("" counts). */
static bool url_password(const char *url, size_t *at, size_t *len)
{
	size_t u, ulen;
	const char *c;

	if (!url_userinfo(url, &u, &ulen) || !(c = memchr(url + u, ':', ulen)))
		return false;
	*at = (size_t)(c + 1 - url);
	*len = u + ulen - *at;
	return true;
}

/*
 * A copy of `url` to show (caller frees): for the audit log (`all`) without
 * any userinfo ("***@host"); for the terminal without the password only.
 */
static char *url_redacted(const char *url, bool all)
{
	size_t at, len;

	if (all ? !url_userinfo(url, &at, &len) : !url_password(url, &at, &len))
		return sv_strdup(url);
	return sv_printf("%.*s***%s", (int)at, url, url + at + len);
}

/* A copy of `text` (caller frees) with every occurrence of the URL's password as "***". */
static char *text_redacted(const char *text, const char *url)
{
	size_t at, len, n = 0, tlen = strlen(text);
	const char *p = text, *hit;
	char *out, *o;

	if (!url_password(url, &at, &len) || len == 0)
		return sv_strdup(text);
	/* At most one "***" per character of the text. */
	if (!(out = o = sv_malloc(3 * tlen + 1)))
		return NULL;
	while ((hit = memmem(p, tlen - (size_t)(p - text), url + at, len))) {
		n = (size_t)(hit - p);
		memcpy(o, p, n);
		memcpy(o + n, "***", 3);
		o += n + 3;
		p = hit + len;
	}
	n = tlen - (size_t)(p - text);	/* the rest, and its NUL */
	memcpy(o, p, n + 1);
	return out;
}

int scrvault_mirror_add(scrvault *v, const char *name, const char *url)
{
	char key[48], *shown = NULL;
	size_t at, len;
	int error;

	if ((error = sv_authorize(v, "mirror.manage", NULL)) < 0)
		return error;
	if (!mirror_name_ok(name))
		return sv_error(SCRVAULT_EUSAGE, "a mirror's name is 1-32 of a-z 0-9 -");
	if (!url || !*url)
		return sv_error(SCRVAULT_EUSAGE, "give the mirror's git URL (file:///path, ssh://host/path, ...)");
	if (strlen(url) > MIRROR_URL_MAX)
		return sv_error(SCRVAULT_EUSAGE, "the mirror's URL is %zu characters long; at most %d are accepted: use a "
				"shorter path, or a host alias in the ssh configuration", strlen(url), MIRROR_URL_MAX);
	for (const char *c = url; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return sv_error(SCRVAULT_EUSAGE, "the mirror's URL contains a control character");
	/* A password in the URL would be kept in the vault and in its signed,
	 * exported audit log for good.  A user name alone is no secret. */
	if (url_password(url, &at, &len))
		return sv_error(SCRVAULT_EUSAGE, "the mirror's URL carries a password (user:password@): it would be kept "
				"in the vault and could not be removed from its audit log; give the URL without it (a user "
				"name alone, as in ssh://backup@host/path, is fine) and keep the credential outside the URL "
				"(an ssh key for ssh:// mirrors)");
	snprintf(key, sizeof(key), "mirror.%s", name);
	if (!(shown = url_redacted(url, true)))
		return SCRVAULT_ERROR;
	if ((error = sv_vault_begin(v)) < 0)
		goto done;
	if ((error = sv_db_run(v->db, "INSERT INTO meta(key, value) VALUES (?, ?)", "tt", key, url)) < 0) {
		sv_vault_abort(v);
		if (error == SCRVAULT_ECONFLICT)
			error = sv_error(SCRVAULT_ECONFLICT, "a mirror '%s' exists already", name);
		goto done;
	}
	/* The audit entry names the URL without its user. */
	if ((error = sv_audit_append(v, "mirror.add", "ok", SV_ABOUT(.mirror = name),
				     SV_FIELDS(SV_STR("url", shown)))) < 0 ||
	    (error = sv_vault_commit(v)) < 0)
		sv_vault_abort(v);
done:
	free(shown);
	return error;
}

int scrvault_mirror_list(scrvault_json **out, scrvault *v)
{
	sv_json *arr = NULL;
	int error;

	*out = NULL;
	if ((error = sv_authorize(v, "mirror.push", NULL)) < 0)
		return error;
	if ((error = sv_rows_json(&arr, v->db, SV_COLS({ "mirror", SV_COL_TEXT }, { "url", SV_COL_TEXT }), NULL, NULL,
				  "SELECT substr(key, 8), value FROM meta WHERE key LIKE 'mirror.%' ORDER BY key", "")) < 0)
		return error;
	/* A URL is shown without its user part. */
	for (size_t i = 0; i < sv_json_count(arr); i++) {
		sv_json *row = (sv_json *)sv_json_at(arr, i);
		char *url = url_redacted(sv_json_str(sv_json_get(row, "url")), false);

		if (!url || sv_json_set_str(row, "url", url) < 0) {
			free(url);
			sv_json_free(arr);
			return SCRVAULT_ERROR;
		}
		free(url);
	}
	*out = arr;
	return 0;
}

/*
 * Whether a failed push was refused because the mirror's main is not an
 * ancestor of the store's.  libgit2 finds that before sending anything and
 * returns GIT_ENONFASTFORWARD, which remote.c reports as a plain error with
 * libgit2's text; a mirror that refuses by itself reports "non-fast-forward"
 * or "fetch first" as the ref's status (SCRVAULT_ECONFLICT).
 */
static bool push_not_fast_forward(int rc, const char *msg)
{
	return rc < 0 && msg && (strstr(msg, "non-fastforwardable") || strstr(msg, "not present locally") ||
				 strstr(msg, "non-fast-forward") || strstr(msg, "fetch first"));
}

int scrvault_mirror_push(scrvault_json **out, scrvault *v, const char *name)
{
	sv_json *res = NULL;
	sv_stmt *st = NULL;
	char key[48];
	int error, failed = 0, nonff = 0, n = 0;

	*out = NULL;
	if ((error = sv_authorize(v, "mirror.push", NULL)) < 0)
		return error;
	if (name && !mirror_name_ok(name))
		return sv_error(SCRVAULT_EUSAGE, "no mirror '%s'", name);
	/* The mirror gets the newest signed checkpoint with the store. */
	if ((error = sv_audit_checkpoint(v)) < 0)
		return error;
	snprintf(key, sizeof(key), "mirror.%s", name ? name : "%");
	if (!(res = sv_json_array()))
		return SCRVAULT_ERROR;
	if ((error = sv_db_query(&st, v->db, "SELECT substr(key, 8), value FROM meta WHERE key LIKE ? ORDER BY key",
				 "t", key)) < 0)
		goto done;
	while ((error = sv_stmt_step(st)) == 1) {
		char mname[40], refwhy[512] = "", *url = NULL, *shown = NULL, *why = NULL;
		const char *reason = NULL;
		sv_json *o;
		int rc;

		n++;
		snprintf(mname, sizeof(mname), "%s", sv_stmt_text(st, 0));
		if (!(url = sv_strdup(sv_stmt_text(st, 1))) || !(shown = url_redacted(url, false))) {
			free(url);
			error = SCRVAULT_ERROR;
			break;
		}
		rc = sv_store_push(v->store, url, refwhy, sizeof(refwhy));
		if (rc < 0) {
			/* The terminal gets the reason without the URL's password (a
			 * URL stored before passwords were refused); the audit entry
			 * gets a fixed word only. */
			const char *msg = scrvault_error_message();

			if (push_not_fast_forward(rc, msg)) {
				char *detail = text_redacted(msg, url);

				rc = SCRVAULT_ECONFLICT;
				reason = "not-fast-forward";
				why = sv_printf("the mirror's main has store commits this vault does not have (not a "
						"fast-forward): it is another vault's mirror, or holds history this vault "
						"lost; nothing was overwritten (%s)", detail ? detail : "");
				free(detail);
				nonff++;
			} else {
				reason = rc == SCRVAULT_ECONFLICT ? "refused" : rc == SCRVAULT_ENOTFOUND ? "not-found" : "error";
				why = text_redacted(msg, url);
			}
			failed++;
		}
		free(url);
		o = rc < 0 && !why ? NULL : sv_json_object();
		if (!o || sv_json_set_fields(o, SV_FIELDS(SV_STR("mirror", mname), SV_STR("url", shown),
							  SV_STR("outcome", rc < 0 ? "failed" : "ok"))) < 0 ||
		    (rc < 0 && sv_json_set_str(o, "why", why) < 0)) {
			sv_json_free(o);
			o = NULL;
		}
		free(shown);
		free(why);
		if (!o || sv_json_append(res, o) < 0) {
			error = SCRVAULT_ERROR;
			break;
		}
		/* Each push is an audit entry; a failure's reason is a fixed word
		 * (libgit2's text can repeat the URL). */
		if ((error = sv_vault_begin(v)) < 0)
			break;
		if ((error = sv_audit_append(v, "mirror.push", rc < 0 ? sv_audit_outcome(rc) : "ok",
					     SV_ABOUT(.mirror = mname),
					     SV_FIELDS(SV_STR("outcome", rc < 0 ? "failed" : "ok"),
						       SV_OPT("reason", reason)))) < 0 ||
		    (error = sv_vault_commit(v)) < 0) {
			sv_vault_abort(v);
			break;
		}
	}
	sv_stmt_free(st);
	if (error < 0)
		goto done;
	if (n == 0) {
		error = sv_error(SCRVAULT_ENOTFOUND, name ? "no mirror '%s' (see 'scrvault mirror list')" :
				 "no mirror yet: add one with 'scrvault mirror add NAME URL'", name);
		goto done;
	}
	*out = SV_TAKE(res);
	error = 0;
	if (failed && nonff == failed)
		error = sv_error(SCRVAULT_ECONFLICT, "%d of %d pushes refused (see above); nothing changed locally. A "
				 "mirror's history is never overwritten: check that the URL is this vault's mirror; if "
				 "it is not (or is an abandoned copy), move it aside, create an empty bare repository "
				 "there ('git init --bare') and push again", failed, n);
	else if (failed)
		error = sv_error(SCRVAULT_ERROR, "%d of %d pushes failed (see above); nothing changed locally", failed, n);
done:
	sv_json_free(res);
	return error;
}
