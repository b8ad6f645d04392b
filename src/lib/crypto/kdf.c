/*
 * kdf.c - Argon2id, the passphrase KDF of key files (libargon2).
 *
 * The only file that includes <argon2.h>.  The derived key goes straight
 * into secure memory; the passphrase is never copied.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <argon2.h>
#include "crypto/kdf.h"
#include "crypto/crypto.h"
#include "base/common.h"

/* Argon2id bounds: above them a setting is absurd. */
#define ARGON2_MAX_KIB     (4u * 1024 * 1024)	/* 4 GiB */
#define ARGON2_MAX_T       100u
#define ARGON2_MAX_P       255u

/*
 * Argon2id (version 0x13) of the passphrase and salt into a new 32-byte
 * secret.  Parameters below SV_ARGON2_MIN_KIB, zero, or absurd (more than
 * 4 GiB, 100 passes or 255 lanes) are SCRVAULT_EUSAGE; so is a salt shorter
 * than argon2's 8-byte minimum.
 */
int sv_argon2id(sv_secret **out, const sv_secret *passphrase,
		const unsigned char *salt, size_t saltlen,
		const sv_argon2_params *p)
{
	static unsigned char empty[1];
	argon2_context actx;
	sv_secret *key = NULL;
	int rc, error;

	*out = NULL;
	memset(&actx, 0, sizeof(actx));
	if (!p)
		return sv_error(SCRVAULT_EUSAGE, "argon2id needs parameters");
	if (p->m_cost_kib < SV_ARGON2_MIN_KIB || p->m_cost_kib > ARGON2_MAX_KIB)
		return sv_error(SCRVAULT_EUSAGE,
				"argon2id memory of %u KiB is out of range (%u..%u)",
				p->m_cost_kib, (unsigned)SV_ARGON2_MIN_KIB, ARGON2_MAX_KIB);
	if (p->t_cost == 0 || p->t_cost > ARGON2_MAX_T)
		return sv_error(SCRVAULT_EUSAGE,
				"argon2id pass count %u is out of range (1..%u)",
				p->t_cost, ARGON2_MAX_T);
	if (p->parallelism == 0 || p->parallelism > ARGON2_MAX_P)
		return sv_error(SCRVAULT_EUSAGE,
				"argon2id parallelism %u is out of range (1..%u)",
				p->parallelism, ARGON2_MAX_P);
	if (!salt || saltlen < ARGON2_MIN_SALT_LENGTH || saltlen > UINT32_MAX)
		return sv_error(SCRVAULT_EUSAGE, "argon2id salt must be at least %u bytes",
				(unsigned)ARGON2_MIN_SALT_LENGTH);
	if (sv_secret_len(passphrase) > UINT32_MAX)
		return sv_error(SCRVAULT_EUSAGE, "passphrase is too long");

	if ((error = sv_secret_new(&key, SV_KEY_LEN)) < 0)
		goto done;

	actx.out = sv_secret_data(key);
	actx.outlen = SV_KEY_LEN;
	actx.pwd = sv_secret_len(passphrase) ? sv_secret_data(passphrase) : empty;
	actx.pwdlen = (uint32_t)sv_secret_len(passphrase);
	actx.salt = (uint8_t *)salt;
	actx.saltlen = (uint32_t)saltlen;
	actx.t_cost = p->t_cost;
	actx.m_cost = p->m_cost_kib;
	actx.lanes = p->parallelism;
	actx.threads = p->parallelism;
	actx.version = ARGON2_VERSION_13;
	actx.flags = ARGON2_DEFAULT_FLAGS;

	if ((rc = argon2_ctx(&actx, Argon2_id)) != ARGON2_OK) {
		error = sv_error(SCRVAULT_ERROR, "argon2id failed: %s",
				 argon2_error_message(rc));
		goto done;
	}

	*out = SV_TAKE(key);
	error = 0;

done:
	sv_secret_free(key);
	sv_cleanse(&actx, sizeof(actx));
	return error;
}
