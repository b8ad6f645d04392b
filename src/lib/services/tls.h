/*
 * tls.h - the vault's CA (tls.c), internal part: init makes it in its own
 * transaction.
 */
#ifndef SV_SERVICES_TLS_H
#define SV_SERVICES_TLS_H

#include "vault/session.h"

/*
 * Inside an open transaction: make the vault's CA (P-256 key sealed under
 * the VMK in vault_keys 'tls-ca', the certificate endorsed by the audit key)
 * and append its tls.ca audit entry.  sha256 (may be NULL) gets the
 * certificate's hash.
 */
int sv_tls_ca_make(scrvault *v, unsigned char sha256[32]);

#endif
