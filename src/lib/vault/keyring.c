/*
 * keyring.c - VAULT/keyring: the custodians' wraps of the vault master key.
 *
 *   scrvault-keyring v1
 *   vault <vault id>
 *   custodian <name> <base64 X25519 public key> <base64 wrap>
 *
 * Each wrap is sv_wrap_to(custodian's X25519 key, VMK) with the vault id and
 * the name as associated data.  The file is rewritten atomically.
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
#include "vault/keyring.h"
#include "vault/vaultdir.h"
#include "vault/session.h"
#include "crypto/crypto.h"
#include "base/common.h"
#include "base/file.h"

#define KEYRING_MAGIC "scrvault-keyring v1"
#define KEYRING_MAX   (1 << 20)

/* ---- keyring ------------------------------------------------------------------- */

void sv_keyring_aad(char *out, size_t len, const char *vault_id, const char *name)
{
	snprintf(out, len, KEYRING_MAGIC "|%s|%s", vault_id, name);
}

void sv_keyring_free(sv_keyring *kr)
{
	if (!kr)
		return;
	for (size_t i = 0; i < kr->n; i++) {
		free(kr->entries[i].name);
		free(kr->entries[i].wrap);
	}
	free(kr->entries);
	free(kr);
}

int sv_keyring_add(sv_keyring *kr, const char *name,
		   const unsigned char x_pub[SV_KEY_LEN], const sv_secret *vmk)
{
	sv_keyring_entry *e, *grown;
	char aad[160];
	int error;

	if (!(grown = sv_realloc(kr->entries, (kr->n + 1) * sizeof(*grown))))
		return SCRVAULT_ERROR;
	kr->entries = grown;
	e = &kr->entries[kr->n];
	memset(e, 0, sizeof(*e));
	if (!(e->name = sv_strdup(name)) ||
	    !(e->wrap = sv_malloc(SV_WRAP_LEN(SV_KEY_LEN)))) {
		free(e->name);
		return SCRVAULT_ERROR;
	}
	memcpy(e->x_pub, x_pub, SV_KEY_LEN);
	sv_keyring_aad(aad, sizeof(aad), kr->id, name);
	if ((error = sv_wrap_to(e->wrap, x_pub, vmk, SV_LABEL_VMKWRAP, aad, strlen(aad))) < 0) {
		free(e->name);
		free(e->wrap);
		return error;
	}
	kr->n++;
	return 0;
}

int sv_keyring_rewrap(scrvault *v, const char *drop, const char *name,
		      const unsigned char x_pub[SV_KEY_LEN])
{
	sv_keyring *old = NULL, *kr = NULL;
	int error;

	if ((error = sv_keyring_load(&old, v->dir)) < 0)
		return error;
	if (!(kr = sv_calloc(1, sizeof(*kr)))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	memcpy(kr->id, old->id, sizeof(kr->id));
	for (size_t i = 0; i < old->n; i++) {
		const sv_keyring_entry *e = &old->entries[i];

		if (drop && !strcmp(e->name, drop))
			continue;
		if ((error = sv_keyring_add(kr, e->name, name && !strcmp(e->name, name) ? x_pub : e->x_pub,
					    v->vmk)) < 0)
			goto done;
	}
	if (kr->n == 0) {
		error = sv_error(SCRVAULT_ECONFLICT, "that would leave the vault with no custodian");
		goto done;
	}
	error = sv_keyring_save(kr, v->dir, false);
done:
	sv_keyring_free(old);
	sv_keyring_free(kr);
	return error;
}

int sv_keyring_save(const sv_keyring *kr, const char *dir, bool create)
{
	char *path = sv_path(dir, "keyring"), *text = NULL, *line = NULL, *grown;
	size_t len;
	int error = SCRVAULT_ERROR;

	if (!path || !(text = sv_printf(KEYRING_MAGIC "\nvault %s\n", kr->id)))
		goto done;
	for (size_t i = 0; i < kr->n; i++) {
		char *pub = sv_base64(kr->entries[i].x_pub, SV_KEY_LEN);
		char *wrap = sv_base64(kr->entries[i].wrap, SV_WRAP_LEN(SV_KEY_LEN));

		line = (pub && wrap) ? sv_printf("custodian %s %s %s\n", kr->entries[i].name, pub, wrap) : NULL;
		free(pub);
		free(wrap);
		if (!line || !(grown = sv_printf("%s%s", text, line)))
			goto done;
		free(text);
		free(line);
		line = NULL;
		text = grown;
	}
	len = strlen(text);
	error = create ? sv_file_create(path, text, len, 0600) : sv_file_replace(path, text, len);
	/* In a vault shared with a group, the group reads the public keyring. */
	if (error == 0 && sv_vault_dir_shared(dir))
		(void)chmod(path, 0640);
done:
	free(line);
	free(text);
	free(path);
	return error;
}

int sv_keyring_load(sv_keyring **out, const char *dir)
{
	char *path = sv_path(dir, "keyring"), *text = NULL, *cur, *nl;
	sv_keyring *kr = NULL;
	size_t len;
	int error = SCRVAULT_ERROR, lineno = 0;

	*out = NULL;
	if (!path)
		return SCRVAULT_ERROR;
	if ((error = sv_file_read(&text, &len, path, KEYRING_MAX)) < 0) {
		if (error == SCRVAULT_ENOTFOUND)
			error = sv_error_field(SCRVAULT_ENOTFOUND, "dir", "'%s' is not a scrvault vault (no keyring)", dir);
		goto done;
	}
	error = SCRVAULT_ERROR;
	if (!(kr = sv_calloc(1, sizeof(*kr))))
		goto done;
	for (cur = text; cur && *cur; cur = nl ? nl + 1 : NULL) {
		char name[80], pub[64], wrap[256];
		unsigned char *raw = NULL;
		size_t rawlen = 0;

		if ((nl = strchr(cur, '\n')))
			*nl = '\0';
		lineno++;
		if (lineno == 1 && strcmp(cur, KEYRING_MAGIC) == 0)
			continue;
		if (lineno == 2 && sscanf(cur, "vault %32s", kr->id) == 1 &&
		    strlen(kr->id) == SV_VAULT_ID_LEN)
			continue;
		if (lineno > 2 && sscanf(cur, "custodian %79s %63s %255s", name, pub, wrap) == 3) {
			sv_keyring_entry e = { 0 };
			sv_keyring_entry *grown;

			if (sv_unbase64(&raw, &rawlen, pub) < 0 || rawlen != SV_KEY_LEN) {
				free(raw);
				break;
			}
			memcpy(e.x_pub, raw, SV_KEY_LEN);
			free(raw);
			if (sv_unbase64(&e.wrap, &rawlen, wrap) < 0 ||
			    rawlen != SV_WRAP_LEN(SV_KEY_LEN) || !(e.name = sv_strdup(name)) ||
			    !(grown = sv_realloc(kr->entries, (kr->n + 1) * sizeof(*grown)))) {
				free(e.wrap);
				free(e.name);
				break;
			}
			kr->entries = grown;
			kr->entries[kr->n++] = e;
			continue;
		}
		break;
	}
	if (cur && *cur) {
		error = sv_error(SCRVAULT_EINTEGRITY, "keyring '%s' is damaged at line %d", path, lineno);
		goto done;
	}
	if (lineno < 2 || kr->n == 0) {
		error = sv_error(SCRVAULT_EINTEGRITY, "keyring '%s' is damaged (no custodians)", path);
		goto done;
	}
	*out = SV_TAKE(kr);
	error = 0;
done:
	sv_keyring_free(kr);
	free(text);
	free(path);
	return error;
}
