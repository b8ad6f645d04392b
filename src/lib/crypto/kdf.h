/*
 * kdf.h - Argon2id, the passphrase KDF of key files (kdf.c, the only file
 * that includes libargon2).
 */
#ifndef SV_CRYPTO_KDF_H
#define SV_CRYPTO_KDF_H

#include "crypto/crypto.h"
#include "base/common.h"

typedef struct {
	uint32_t t_cost;	/* passes */
	uint32_t m_cost_kib;	/* memory in KiB */
	uint32_t parallelism;
} sv_argon2_params;

/* 46 MiB, 2 passes: above OWASP's floor, and leaves room under the 64 MiB
 * memory ceiling of a whole command. */
#define SV_ARGON2_DEFAULT  ((sv_argon2_params){ 2, 47104, 2 })
/* The least memory of a new key file: 19 MiB (OWASP's floor for Argon2id). */
#define SV_ARGON2_NEW_MIN_KIB  19456
/* The least a key file may have been made with to be read (files made
 * before the 19 MiB floor used 8 MiB; fsck warns of them). */
#define SV_ARGON2_MIN_KIB  8192

/* Argon2id(passphrase, salt) into a new 32-byte secret. */
int sv_argon2id(sv_secret **out, const sv_secret *passphrase,
		const unsigned char *salt, size_t saltlen,
		const sv_argon2_params *p);

#endif
