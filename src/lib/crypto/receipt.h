/*
 * receipt.h - signed receipts of check-ins: their canonical text, and their
 * verification without a vault (receipt.c; records/upload.c makes them).
 *
 * A receipt is one canonical JSON object:
 *   {"at","checkpoint","doc","entry","filename","proof","receipt":1,"seq",
 *    "sha256","sig","size","vault","version"}
 * "entry" is the check-in's audit entry (base64 of its exact bytes, the
 * Merkle leaf), "proof" its RFC 6962 inclusion proof (base64 hashes) in the
 * signed checkpoint "checkpoint" (a C2SP note), "sig" the vault's audit key's
 * Ed25519 signature (base64) over SV_RECEIPT_LABEL followed by the canonical
 * JSON of every other member.
 */
#ifndef SV_CRYPTO_RECEIPT_H
#define SV_CRYPTO_RECEIPT_H

#include "base/common.h"
#include "base/json.h"

#define SV_RECEIPT_LABEL "scrvault receipt v1\n"
#define SV_RECEIPT_MAX   (1u << 20)	/* a receipt file's largest size */

/* The signed text of `receipt` (its "sig" left out); caller frees. */
int sv_receipt_text(char **out, size_t *len, const sv_json *receipt);

#endif
