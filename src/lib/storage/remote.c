/*
 * remote.c - mirrors of the store: push to and clone from a git remote, see
 * remote.h.
 *
 * It hands libgit2 ciphertext, opaque ids and the signed checkpoint only.
 * It must never take a password (not from the URL, not from a prompt),
 * never offer a credential more than once per operation, never push any
 * ref but refs/heads/main (fast-forward only) and refs/audit/checkpoint,
 * never change a local ref when it pushes, and never put anything but
 * URLs, ref names and libgit2's reasons into an error message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <git2.h>
#include "storage/remote.h"
#include "storage/git.h"
#include "storage/store.h"
#include "storage/store_git.h"
#include "base/common.h"

typedef struct {
	char *why;
	size_t whylen;
	int tries;		/* credential requests answered */
} push_report;

/*
 * Credentials for an ssh mirror, offered once (libgit2 asks again after a
 * refusal; the second time it gets none and the push fails unauthenticated):
 * the private key file $SCRVAULT_SSH_KEY names (a job's key, without a
 * passphrase, readable only by the job's account), else the key the user's
 * ssh agent holds.  A password is never taken from the URL (mirror add
 * refuses one) nor asked for.
 */
static int cred_cb(git_credential **out, const char *url, const char *user, unsigned int allowed, void *payload)
{
	const char *keyfile = secure_getenv("SCRVAULT_SSH_KEY");
	int *tries = payload;

	(void)url;
	if (!(allowed & GIT_CREDENTIAL_SSH_KEY) || (*tries)++ > 0)
		return GIT_PASSTHROUGH;
	if (!user || !*user)
		user = "git";
	if (keyfile && *keyfile)
		return git_credential_ssh_key_new(out, user, NULL, keyfile, NULL);
	return git_credential_ssh_key_from_agent(out, user);
}

static int push_cred_cb(git_credential **out, const char *url, const char *user, unsigned int allowed,
			void *payload)
{
	return cred_cb(out, url, user, allowed, &((push_report *)payload)->tries);
}

static int push_ref_cb(const char *refname, const char *status, void *payload)
{
	push_report *r = payload;

	if (status && !r->why[0])
		snprintf(r->why, r->whylen, "the mirror refused %s: %s", refname, status);
	return 0;
}

/*
 * Push main and the checkpoint (if there is one yet) over an anonymous
 * remote; refusals of single refs come back through push_ref_cb.
 */
int sv_store_push(sv_store *s, const char *url, char *why, size_t whylen)
{
	git_repository *repo = sv_store_repo(s);
	/* The store only moves forward; the checkpoint tag is replaced each time. */
	char *specs[] = { "refs/heads/main:refs/heads/main", "+refs/audit/checkpoint:refs/audit/checkpoint" };
	git_strarray refspecs = { specs, 2 };
	git_push_options opts = GIT_PUSH_OPTIONS_INIT;
	git_remote *remote = NULL;
	git_reference *ref = NULL;
	push_report r = { why, whylen };
	int error;

	why[0] = '\0';
	/* Stores made before the setting existed: no delta search over ciphertext. */
	{
		git_config *cfg = NULL, *local = NULL;

		if (git_repository_config(&cfg, repo) == 0 &&
		    git_config_open_level(&local, cfg, GIT_CONFIG_LEVEL_LOCAL) == 0)
			(void)git_config_set_int32(local, "pack.deltaCacheSize", 1);
		git_config_free(local);
		git_config_free(cfg);
	}
	if (git_reference_lookup(&ref, repo, "refs/audit/checkpoint") < 0)
		refspecs.count = 1;	/* no checkpoint yet */
	git_reference_free(ref);
	opts.callbacks.push_update_reference = push_ref_cb;
	opts.callbacks.credentials = push_cred_cb;
	opts.callbacks.payload = &r;
	if ((error = git_remote_create_anonymous(&remote, repo, url)) < 0) {
		error = sv_git_error(error, "'%s' is not a usable git remote", url);
		goto done;
	}
	if ((error = git_remote_push(remote, &refspecs, &opts)) < 0) {
		if (error == GIT_ENONFASTFORWARD)	/* SCRVAULT_ECONFLICT */
			error = sv_git_error(error, "pushing to '%s' refused: its main is not an ancestor of this "
					     "store's (non-fast-forward)", url);
		else
			error = sv_git_error(error, "pushing to '%s' failed", url);
		goto done;
	}
	if (why[0])
		error = sv_error(SCRVAULT_ECONFLICT, "%s", why);
done:
	git_remote_free(remote);
	return error;
}

/*
 * A bare clone (local mirrors copied, never hard-linked), the checkpoint
 * fetched by name, the mirror's main made the store's main, then the
 * store's settings and a flush of the whole new repository.
 */
int sv_store_clone(const char *url, const char *path)
{
	git_clone_options opts = GIT_CLONE_OPTIONS_INIT;
	git_fetch_options fetch = GIT_FETCH_OPTIONS_INIT;
	git_repository *repo = NULL;
	git_remote *remote = NULL;
	char *specs[] = { "+refs/audit/checkpoint:refs/audit/checkpoint" };
	git_strarray refspecs = { specs, 1 };
	int error, tries = 0, tries2 = 0;

	if ((error = sv_git_init()) < 0)
		return error;
	opts.bare = 1;
	/* A mirror on a local disk: copy its packs (never hard links, so the
	 * restored store shares no file with the mirror) instead of packing anew. */
	opts.local = GIT_CLONE_LOCAL_NO_LINKS;
	opts.fetch_opts.callbacks.credentials = cred_cb;
	opts.fetch_opts.callbacks.payload = &tries;
	fetch.callbacks.credentials = cred_cb;
	fetch.callbacks.payload = &tries2;
	if ((error = git_clone(&repo, url, path, &opts)) < 0)
		return sv_git_error(error, "cannot clone the mirror '%s'", url);
	/* The checkpoint tag is outside refs/tags: fetch it by name (it may be absent). */
	if (git_remote_lookup(&remote, repo, "origin") == 0)
		(void)git_remote_fetch(remote, &refspecs, &fetch, NULL);
	git_remote_free(remote);
	/* A bare clone keeps the mirror's branch as origin/main (the mirror's
	 * HEAD may name another branch): make it the store's main. */
	{
		git_reference *src = NULL, *dst = NULL;

		if ((error = git_reference_lookup(&src, repo, "refs/remotes/origin/main")) < 0 &&
		    (error = git_reference_lookup(&src, repo, "refs/heads/main")) < 0) {
			git_repository_free(repo);
			return sv_git_error(error, "the mirror '%s' has no branch main: it holds no scrvault store", url);
		}
		error = git_reference_create(&dst, repo, "refs/heads/main", git_reference_target(src), 1,
					     "restore from mirror");
		git_reference_free(src);
		git_reference_free(dst);
		if (error < 0 || (error = git_repository_set_head(repo, "refs/heads/main")) < 0) {
			git_repository_free(repo);
			return sv_git_error(error, "cannot set up the restored store");
		}
		if (git_reference_lookup(&src, repo, "refs/remotes/origin/main") == 0) {
			git_reference_delete(src);
			git_reference_free(src);
		}
	}
	/* The same settings as a store made by sv_store_init. */
	if ((error = sv_store_configure(repo)) < 0)
		error = sv_git_error(error, "cannot configure the restored store '%s'", path);
	git_repository_free(repo);
	return error < 0 ? error : sv_store_sync_new(path);
}
