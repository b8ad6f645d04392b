/*
 * identity.c - principals' key pairs and key files (format in identity.h).
 *
 * Private keys exist only in secure memory and in the sealed "secret" line.
 * Every buffer that held key bytes or the derived file key is cleansed on
 * every path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <dirent.h>
#include "crypto/identity.h"
#include "crypto/crypto.h"
#include "crypto/kdf.h"
#include "crypto/enrol.h"
#include "crypto/passphrase.h"
#include "base/common.h"
#include "base/fault.h"
#include "base/file.h"

#define KEYFILE_MAGIC "scrvault-key v1"
#define KEYFILE_MAX   4096
#define SALT_LEN      16
#define VAULT_NONE    "none"	/* the vault line of a key file not enrolled in one */

/* The fixed sealing key of "kdf none" files: it protects nothing by itself. */
static const char none_label[] = "scrvault v1 keyfile without passphrase";

void sv_identity_free(sv_identity *id)
{
	if (!id)
		return;
	free(id->name);
	free(id->vault_key);
	sv_secret_free(id->ed_priv);
	sv_secret_free(id->x_priv);
	free(id);
}

int sv_identity_generate(sv_identity **out, const char *name, const char *vault_id)
{
	sv_identity *id;
	int error;

	*out = NULL;
	if (!(id = sv_calloc(1, sizeof(*id))) || !(id->name = sv_strdup(name))) {
		free(id);
		return SCRVAULT_ERROR;
	}
	snprintf(id->vault_id, sizeof(id->vault_id), "%s", vault_id ? vault_id : "");
	if ((error = sv_ed25519_keygen(&id->ed_priv, id->ed_pub)) < 0 ||
	    (error = sv_x25519_keygen(&id->x_priv, id->x_pub)) < 0) {
		sv_identity_free(id);
		return error;
	}
	id->has_passphrase = true;
	*out = id;
	return 0;
}

/* The key that seals the private keys: Argon2id of the passphrase, or the
 * fixed key of a file without one. */
static int file_key(sv_secret **out, const sv_secret *passphrase,
		    const unsigned char *salt, const sv_argon2_params *p)
{
	sv_secret *label = NULL;
	int error;

	if (passphrase)
		return sv_argon2id(out, passphrase, salt, SALT_LEN, p);
	if ((error = sv_secret_from(&label, none_label, sizeof(none_label) - 1)) < 0)
		return error;
	error = sv_hkdf(out, SV_KEY_LEN, label, NULL, 0, "keyfile", 7);
	sv_secret_free(label);
	return error;
}

static char *header_text(const sv_identity *id, const char *kdfline)
{
	char *ed = sv_base64(id->ed_pub, SV_KEY_LEN);
	char *x = sv_base64(id->x_pub, SV_KEY_LEN);
	char *h = NULL;

	if (ed && x)
		h = sv_printf(KEYFILE_MAGIC "\nname %s\nvault %s\n%s%s%sed25519 %s\nx25519 %s\n%s\n",
			      id->name, id->vault_id[0] ? id->vault_id : VAULT_NONE,
			      id->vault_key ? "vault-key " : "", id->vault_key ? id->vault_key : "",
			      id->vault_key ? "\n" : "", ed, x, kdfline);
	free(ed);
	free(x);
	return h;
}

/*
 * The least Argon2id memory of a new key file.  The test build can make a
 * key file as they were made before the floor (SCRVAULT_TEST_OLD_KDF=1), to
 * test how such a file is read; no shipped build can.
 */
static unsigned new_floor_kib(void)
{
	const char *old = SV_TEST_GETENV("SCRVAULT_TEST_OLD_KDF");

	return old && strcmp(old, "1") == 0 ? SV_ARGON2_MIN_KIB : SV_ARGON2_NEW_MIN_KIB;
}

int sv_identity_save(const sv_identity *id, const char *path,
		     const sv_secret *passphrase, const sv_argon2_params *p)
{
	unsigned char salt[SALT_LEN], sealed[SV_SEALED_LEN(2 * SV_KEY_LEN)];
	sv_secret *key = NULL, *both = NULL;
	char *saltb64 = NULL, *kdf = NULL, *header = NULL, *secret = NULL, *text = NULL;
	int error = SCRVAULT_ERROR;

	/* The floors hold for every new key file, whoever asks for one. */
	if (passphrase && (error = sv_passphrase_check(passphrase, "passphrase")) < 0)
		return error;
	if (passphrase && (!p || p->m_cost_kib < new_floor_kib()))
		return sv_error_field(SCRVAULT_EUSAGE, "kdf_mib", "a new key file's Argon2id memory must be at "
				      "least %u MiB", new_floor_kib() / 1024);
	if ((error = sv_random(salt, sizeof(salt))) < 0)
		goto done;
	error = SCRVAULT_ERROR;
	if (!(saltb64 = sv_base64(salt, sizeof(salt))))
		goto done;
	kdf = passphrase ? sv_printf("kdf argon2id %u %u %u %s", p->t_cost,
				     p->m_cost_kib, p->parallelism, saltb64)
			 : sv_strdup("kdf none");
	if (!kdf || !(header = header_text(id, kdf)))
		goto done;
	if ((error = file_key(&key, passphrase, salt, p)) < 0 ||
	    (error = sv_secret_new(&both, 2 * SV_KEY_LEN)) < 0)
		goto done;
	memcpy(sv_secret_data(both), sv_secret_data(id->ed_priv), SV_KEY_LEN);
	memcpy(sv_secret_data(both) + SV_KEY_LEN, sv_secret_data(id->x_priv), SV_KEY_LEN);
	if ((error = sv_seal(sealed, key, sv_secret_data(both), 2 * SV_KEY_LEN,
			     header, strlen(header))) < 0)
		goto done;
	error = SCRVAULT_ERROR;
	if (!(secret = sv_base64(sealed, sizeof(sealed))) ||
	    !(text = sv_printf("%ssecret %s\n", header, secret)))
		goto done;
	error = sv_file_create(path, text, strlen(text), 0600);
done:
	sv_secret_free(key);
	sv_secret_free(both);
	free(saltb64);
	free(kdf);
	free(header);
	free(secret);
	free(text);
	return error;
}

/* Next line of `*p` into a NUL-terminated slice; NULL at the end. */
static char *next_line(char **p)
{
	char *s = *p, *nl;

	if (!s || !*s)
		return NULL;
	if ((nl = strchr(s, '\n'))) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = NULL;
	}
	return s;
}

static int bad_file(const char *path, const char *why)
{
	return sv_error(SCRVAULT_EUSAGE, "'%s' is not a valid scrvault key file (%s)", path, why);
}

static int decode_key(unsigned char out[SV_KEY_LEN], const char *b64)
{
	unsigned char *raw = NULL;
	size_t len = 0;
	int ok = sv_unbase64(&raw, &len, b64) == 0 && len == SV_KEY_LEN;

	if (ok)
		memcpy(out, raw, SV_KEY_LEN);
	free(raw);
	return ok ? 0 : -1;
}

static int check_mode(const char *path)
{
	struct stat sb;

	if (lstat(path, &sb) < 0)
		return sv_error(SCRVAULT_ERROR, "cannot stat '%s': %s", path, strerror(errno));
	if ((sb.st_mode & 077) != 0 || sb.st_uid != geteuid())
		return sv_error(SCRVAULT_EDENIED,
				"key file '%s' has no passphrase, so it must be mode 0600 and owned by you (chmod 600 '%s')",
				path, path);
	return 0;
}

int sv_identity_load(sv_identity **out, const char *path, const sv_secret *passphrase)
{
	sv_argon2_params p = { 0, 0, 0 };
	unsigned char salt[SALT_LEN];
	unsigned char *sealed = NULL;
	size_t len = 0, sealedlen = 0, headerlen = 0;
	char *text = NULL, *header = NULL, *cur, *line, *secretb64 = NULL, *mark;
	sv_secret *key = NULL, *both = NULL;
	sv_identity *id = NULL;
	bool none = false;
	int error, field = 0;

	*out = NULL;
	if ((error = sv_file_read(&text, &len, path, KEYFILE_MAX)) < 0)
		return error == SCRVAULT_ENOTFOUND
			? sv_error(SCRVAULT_ENOTFOUND, "key file '%s' does not exist", path)
			: error;
	error = SCRVAULT_ERROR;
	if (!(id = sv_calloc(1, sizeof(*id))))
		goto done;
	/* Everything before the secret line is authenticated as it stands. */
	if (!(mark = strstr(text, "\nsecret "))) {
		error = bad_file(path, "no secret line");
		goto done;
	}
	headerlen = (size_t)(mark - text) + 1;
	if (!(header = sv_strndup(text, headerlen)))
		goto done;
	cur = text;
	while ((line = next_line(&cur))) {
		char *val = strchr(line, ' ');

		if (val)
			*val++ = '\0';
		if (field == 0 && strcmp(line, "scrvault-key") == 0 && val && strcmp(val, "v1") == 0) {
			field++;
		} else if (field == 1 && strcmp(line, "name") == 0 && val && *val) {
			if (!(id->name = sv_strdup(val)))
				goto done;
			field++;
		} else if (field == 2 && strcmp(line, "vault") == 0 && val && strlen(val) < sizeof(id->vault_id)) {
			/* not enrolled yet: "none" (or, as first written, nothing) */
			snprintf(id->vault_id, sizeof(id->vault_id), "%s", strcmp(val, VAULT_NONE) ? val : "");
			field++;
		} else if (field == 3 && !id->vault_key && id->vault_id[0] && strcmp(line, "vault-key") == 0 && val) {
			/* the pinned verifier key: of the vault the file names */
			if ((error = sv_identity_set_vault(id, id->vault_id, val)) < 0) {
				error = bad_file(path, "bad vault-key line");
				goto done;
			}
			error = SCRVAULT_ERROR;
		} else if (field == 3 && strcmp(line, "ed25519") == 0 && val && decode_key(id->ed_pub, val) == 0) {
			field++;
		} else if (field == 4 && strcmp(line, "x25519") == 0 && val && decode_key(id->x_pub, val) == 0) {
			field++;
		} else if (field == 5 && strcmp(line, "kdf") == 0 && val) {
			unsigned char *raw = NULL;
			size_t rawlen = 0;
			char saltb64[64];

			if (strcmp(val, "none") == 0) {
				none = true;
			} else if (sscanf(val, "argon2id %u %u %u %63s", &p.t_cost, &p.m_cost_kib,
					  &p.parallelism, saltb64) == 4 &&
				   sv_unbase64(&raw, &rawlen, saltb64) == 0 && rawlen == SALT_LEN) {
				memcpy(salt, raw, SALT_LEN);
				id->kdf = p;
			} else {
				free(raw);
				error = bad_file(path, "bad kdf line");
				goto done;
			}
			free(raw);
			field++;
		} else if (field == 6 && strcmp(line, "secret") == 0 && val) {
			secretb64 = val;
			field++;
		} else {
			error = bad_file(path, field < 7 ? "missing or misplaced field" : "trailing data");
			goto done;
		}
	}
	if (field != 7) {
		error = bad_file(path, "truncated");
		goto done;
	}
	id->has_passphrase = !none;
	if (none && (error = check_mode(path)) < 0)
		goto done;
	if (!none && !passphrase) {
		/* Public part only. */
		*out = SV_TAKE(id);
		error = 0;
		goto done;
	}
	if (sv_unbase64(&sealed, &sealedlen, secretb64) < 0 ||
	    sealedlen != SV_SEALED_LEN(2 * SV_KEY_LEN)) {
		error = bad_file(path, "bad secret line");
		goto done;
	}
	if ((error = file_key(&key, none ? NULL : passphrase, salt, &p)) < 0)
		goto done;
	if ((error = sv_open(&both, key, sealed, sealedlen, header, headerlen)) < 0) {
		error = none ? bad_file(path, "damaged")
			     : sv_error(SCRVAULT_EDENIED, "wrong passphrase for key file '%s' (or the file was altered)", path);
		goto done;
	}
	if ((error = sv_secret_from(&id->ed_priv, sv_secret_data(both), SV_KEY_LEN)) < 0 ||
	    (error = sv_secret_from(&id->x_priv, sv_secret_data(both) + SV_KEY_LEN, SV_KEY_LEN)) < 0)
		goto done;
	{
		unsigned char ed[SV_KEY_LEN], x[SV_KEY_LEN];

		if (sv_ed25519_public(ed, id->ed_priv) < 0 || sv_x25519_public(x, id->x_priv) < 0 ||
		    memcmp(ed, id->ed_pub, SV_KEY_LEN) != 0 || memcmp(x, id->x_pub, SV_KEY_LEN) != 0) {
			error = bad_file(path, "public and private keys do not match");
			goto done;
		}
	}
	*out = SV_TAKE(id);
	error = 0;
done:
	sv_secret_free(key);
	sv_secret_free(both);
	free(sealed);
	sv_cleanse_free(text, len);
	free(header);
	sv_identity_free(id);
	return error;
}

int sv_identity_load_private(sv_identity **out, const char *path, const sv_secret *passphrase,
			     const char *field)
{
	int error;

	*out = NULL;
	if (!path || !*path)
		return sv_error_field(SCRVAULT_EUSAGE, "keyfile", "no key file given");
	if ((error = sv_identity_load(out, path, passphrase)) < 0)
		return error;
	if (!(*out)->ed_priv) {
		sv_identity_free(*out);
		*out = NULL;
		return sv_error_field(SCRVAULT_EUSAGE, field, "key file '%s' needs its passphrase", path);
	}
	return 0;
}

int sv_identity_set_vault(sv_identity *id, const char *vault_id, const char *vkey)
{
	unsigned char pub[SV_KEY_LEN];
	char vid[33];
	char *copy;
	int error;

	if ((error = sv_vkey_vault(vid, pub, vkey)) < 0)
		return error;
	if (strcmp(vid, vault_id) != 0)
		return sv_error(SCRVAULT_EUSAGE, "verifier key '%s' is not vault %s's", vkey, vault_id);
	if (!(copy = sv_strdup(vkey)))
		return SCRVAULT_ERROR;
	if (vault_id != id->vault_id)
		snprintf(id->vault_id, sizeof(id->vault_id), "%s", vault_id);
	free(id->vault_key);
	id->vault_key = copy;
	memcpy(id->vault_pub, pub, SV_KEY_LEN);
	return 0;
}

int sv_identity_repin(const sv_identity *id, const char *path, const sv_secret *passphrase)
{
	unsigned char rnd[6];
	char suffix[13], *tmp = NULL;
	int error;

	if ((error = sv_random(rnd, sizeof(rnd))) < 0)
		return error;
	sv_hex(suffix, rnd, sizeof(rnd));
	if (!(tmp = sv_printf("%s.new-%s", path, suffix)))
		return SCRVAULT_ERROR;
	if ((error = sv_identity_save(id, tmp, id->has_passphrase ? passphrase : NULL, &id->kdf)) < 0)
		goto done;
	if (rename(tmp, path) < 0) {
		error = sv_error(SCRVAULT_ERROR, "cannot replace key file '%s': %s", path, strerror(errno));
		remove(tmp);
		goto done;
	}
	{
		char *dir = sv_strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;

		if (slash)
			*slash = '\0';
		if (dir)
			(void)sv_fsync_dir(slash ? (dir[0] ? dir : "/") : ".");
		free(dir);
	}
done:
	free(tmp);
	return error;
}

sv_argon2_params sv_kdf_params(unsigned mib)
{
	sv_argon2_params p = SV_ARGON2_DEFAULT;

	if (mib)
		p.m_cost_kib = mib * 1024;
	return p;
}

int sv_kdf_new_check(unsigned mib)
{
	if (mib && (mib < new_floor_kib() / 1024 || mib > 4096))
		return sv_error_field(SCRVAULT_EUSAGE, "kdf_mib", "a new key file's Argon2id memory must be between "
				      "%u and 4096 MiB (%u MiB given)", new_floor_kib() / 1024, mib);
	return 0;
}
