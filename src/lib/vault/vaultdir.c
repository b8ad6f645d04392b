/*
 * vaultdir.c - the vault directory's ownership and modes.
 *
 * The vault's cryptography protects what is in the files, not the files:
 * whoever can write the directory can replace the keyring, the database or
 * the store with their own (a vault of theirs that a custodian would then
 * fill), fill unlock-failures, or remove the lock.  So no command uses a
 * vault whose directory or files another user could write, or that another
 * user owns (a command run by root in a vault owned by the service account
 * would also leave files the account cannot write).  It reads only
 * metadata, never follows a symbolic link, and changes nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "vault/vaultdir.h"
#include "base/common.h"
#include "base/file.h"

/* What the vault keeps in its directory (store.git: its top level too).
 * unlock-failures is not among them: nothing in it is trusted, and one that
 * is not the owner's alone is set aside at the unlock (unlockfail.c). */
static const char *const entries[] = {
	"keyring", "vault.db", "vault.db-wal", "vault.db-shm", "store.git", "lock", NULL
};

/* A user's name for a message ("uid N" if it has none). */
static void user_name(char *out, size_t len, uid_t uid)
{
	struct passwd *pw = getpwuid(uid);

	if (pw && pw->pw_name)
		snprintf(out, len, "'%s'", pw->pw_name);
	else
		snprintf(out, len, "uid %u", (unsigned)uid);
}

/* One file's metadata against the rule; `what` names it in the message. */
static int check_one(const char *dir, const char *path, const char *what, bool top)
{
	char owner[96], me[96];
	struct stat sb;

	if ((top ? stat(path, &sb) : lstat(path, &sb)) < 0) {
		if (errno == ENOENT && !top)
			return 0;
		return sv_error(SCRVAULT_ERROR, "cannot check '%s': %s", path, strerror(errno));
	}
	if (S_ISLNK(sb.st_mode))
		return sv_error(SCRVAULT_EINTEGRITY, "vault '%s': %s is a symbolic link: a vault keeps its own files; "
				"replace the link with the file it points to", dir, what);
	if (!S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode))
		return sv_error(SCRVAULT_EINTEGRITY, "vault '%s': %s is neither a file nor a directory: someone "
				"put it there; remove it and check what else changed", dir, what);
	if (sb.st_uid != geteuid()) {
		user_name(owner, sizeof(owner), sb.st_uid);
		user_name(me, sizeof(me), geteuid());
		return sv_error(SCRVAULT_EINTEGRITY, "vault '%s': %s is owned by %s, not by %s who runs this: run "
				"scrvault as the vault's owner (setpriv or sudo -u), or give the vault to one user "
				"(chown -R)", dir, what, owner, me);
	}
	if (sb.st_mode & (S_IWGRP | S_IWOTH))
		return sv_error(SCRVAULT_EINTEGRITY, "vault '%s': %s is writable by %s, who could replace the vault's "
				"files: fix it with 'chmod -R go-w %s' and check what changed", dir, what,
				(sb.st_mode & S_IWOTH) ? "anyone" : "its group", dir);
	return 0;
}

int sv_vault_dir_check(const char *dir)
{
	char *path = NULL, *what = NULL;
	DIR *d = NULL;
	struct dirent *e;
	int error;

	if ((error = check_one(dir, dir, "the directory", true)) < 0)
		return error;
	for (int i = 0; entries[i]; i++) {
		if (!(path = sv_path(dir, entries[i])) || !(what = sv_printf("'%s'", entries[i]))) {
			error = SCRVAULT_ERROR;
			goto done;
		}
		if ((error = check_one(dir, path, what, false)) < 0)
			goto done;
		free(what);
		what = NULL;
		if (strcmp(entries[i], "store.git") == 0 && (d = opendir(path))) {
			while ((e = readdir(d))) {
				char *sub;

				if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
					continue;
				if (!(sub = sv_path(path, e->d_name)) ||
				    !(what = sv_printf("'store.git/%s'", e->d_name))) {
					free(sub);
					error = SCRVAULT_ERROR;
					goto done;
				}
				error = check_one(dir, sub, what, false);
				free(sub);
				free(what);
				what = NULL;
				if (error < 0)
					goto done;
			}
		}
		if (d) {
			closedir(d);
			d = NULL;
		}
		free(path);
		path = NULL;
	}
done:
	if (d)
		closedir(d);
	free(path);
	free(what);
	return error;
}

int sv_vault_dir_setup(const char *dir, const char *group)
{
	struct group *gr = NULL;

	if (group && !(gr = getgrnam(group)))
		return sv_error_field(SCRVAULT_EUSAGE, "group", "there is no group '%s' on this system", group);
	if (gr && chown(dir, (uid_t)-1, gr->gr_gid) < 0)
		return sv_error(SCRVAULT_ERROR, "cannot give '%s' to group '%s': %s", dir, group, strerror(errno));
	if (chmod(dir, gr ? 02750 : 0700) < 0)
		return sv_error(SCRVAULT_ERROR, "cannot set the mode of '%s': %s", dir, strerror(errno));
	return 0;
}

bool sv_vault_dir_shared(const char *dir)
{
	struct stat sb;

	return stat(dir, &sb) == 0 && (sb.st_mode & S_IRGRP);
}

/* nftw-free walk: g+r on files, g+rx (and setgid) on directories. */
static void share_tree(const char *path)
{
	struct stat sb;
	DIR *d;
	struct dirent *e;

	if (lstat(path, &sb) < 0 || S_ISLNK(sb.st_mode))
		return;
	if (!S_ISDIR(sb.st_mode)) {
		(void)chmod(path, (sb.st_mode & 07777) | S_IRGRP);
		return;
	}
	(void)chmod(path, (sb.st_mode & 07777) | S_IRGRP | S_IXGRP | S_ISGID);
	if (!(d = opendir(path)))
		return;
	while ((e = readdir(d))) {
		char *sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if ((sub = sv_path(path, e->d_name))) {
			share_tree(sub);
			free(sub);
		}
	}
	closedir(d);
}

void sv_vault_dir_share_files(const char *dir)
{
	static const char *const shared[] = { "keyring", "vault.db", "vault.db-wal", "vault.db-shm", "store.git", NULL };

	if (!sv_vault_dir_shared(dir))
		return;
	for (int i = 0; shared[i]; i++) {
		char *p = sv_path(dir, shared[i]);

		if (p)
			share_tree(p);
		free(p);
	}
}
