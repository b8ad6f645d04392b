/*
 * upload.h - receipts for other modules (receipt.c).
 */
#ifndef SV_RECORDS_UPLOAD_H
#define SV_RECORDS_UPLOAD_H

#include "vault/session.h"
#include "base/common.h"

/* scrvault_receipt_make without the permission check (the upload that has
 * just checked the version in). */
int sv_receipt_make(scrvault_json **out, scrvault *v, const char *doc, unsigned version);

#endif
