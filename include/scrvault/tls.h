/*
 * scrvault/tls.h - the vault's own certificate authority, for the service's
 * HTTPS (scrvaultd).
 *
 * Each vault holds a CA (ECDSA P-256; made at init, or by
 * scrvault_tls_ca_create for a vault made before) whose private key is
 * sealed under the vault master key like the audit key, and whose
 * certificate carries the vault's endorsement: a C2SP signed note by the
 * vault's audit key naming the vault and the SHA-256 of the CA's public
 * key.  A key file pins that audit key (its vault-key line), so a client
 * holding a key file can tell the vault's CA from any other
 * (scrvault_tls_ca_pin) and then trust only certificates that chain to it:
 * a certificate from a publicly trusted CA does not.  The CA issues the
 * server's certificate (scrvault_tls_issue); an operator may use their own
 * instead.
 */
#ifndef SCRVAULT_TLS_H
#define SCRVAULT_TLS_H

#include "scrvault/vault.h"

/*
 * Make the vault's CA if it has none (permission tls.manage, audited as
 * tls.ca).  *out: {"not_after","sha256"} (sha256: of the certificate, the
 * pin).  SCRVAULT_ECONFLICT if the vault has one.
 */
int scrvault_tls_ca_create(scrvault_json **out, scrvault *v);

/*
 * Write the CA certificate (PEM) to `path` ("-": standard output; an
 * existing file is replaced), for installing on the clients.  Public: needs
 * no permission, changes nothing.  *out: {"not_after","path","sha256"}.
 * SCRVAULT_ENOTFOUND if the vault has no CA yet.
 */
int scrvault_tls_ca_cert(scrvault_json **out, scrvault *v, const char *path);

typedef struct {
	unsigned int version;
	const char *hosts;		/* names and addresses, comma-separated (1-16) */
	const char *cert_out;		/* the certificate and the CA's (PEM), created */
	const char *key_out;		/* its private key (PEM), created 0600 */
	unsigned days;			/* validity; 0: 90, at most 397 */
} scrvault_tls_issue_spec;
#define SCRVAULT_TLS_ISSUE_SPEC_VERSION 1
#define SCRVAULT_TLS_ISSUE_SPEC_INIT { SCRVAULT_TLS_ISSUE_SPEC_VERSION }

/*
 * Issue a server certificate signed by the vault's CA for the hosts
 * (subjectAltName dNSName / iPAddress, EKU serverAuth) with a new P-256
 * key; neither file may exist.  Permission tls.manage, audited as
 * tls.issue (hosts, serial, not_after).  *out: {"cert","hosts","key",
 * "not_after","serial"}.  SCRVAULT_EUSAGE for a bad host or validity,
 * SCRVAULT_ECONFLICT if a file exists, SCRVAULT_ENOTFOUND without a CA.
 */
int scrvault_tls_issue(scrvault_json **out, scrvault *v, const scrvault_tls_issue_spec *s);

/*
 * Needs no vault.  Check that the CA certificate in `ca_path` (PEM) is the
 * CA of the vault whose verifier key is `vault_key` (a C2SP vkey, as a key
 * file pins it: scrvault_key_vkey): its endorsement must verify under that
 * key and name that vault and the certificate's key.  pin gets the SHA-256
 * of the certificate, which a client then requires in the server's chain.
 * SCRVAULT_EINTEGRITY if the certificate is not that vault's CA,
 * SCRVAULT_EUSAGE if the file is no CA certificate or the vkey is bad.
 */
int scrvault_tls_ca_pin(unsigned char pin[32], const char *ca_path, const char *vault_key);

#endif
