/*
 * x509.h - X.509 certificates for the vault's TLS: its CA and the server
 * certificates it issues (ECDSA P-256, which every TLS 1.3 client accepts;
 * browsers take no Ed25519 certificate).  Certificates only: no TLS, no
 * vault (services/tls.c keeps the CA in the vault).
 */
#ifndef SV_CRYPTO_X509_H
#define SV_CRYPTO_X509_H

#include <stddef.h>
#include <stdint.h>
#include "crypto/crypto.h"

/* The most names one server certificate carries. */
#define SV_X509_MAX_HOSTS 16

/*
 * A new P-256 private key, its DER (RFC 5915) in secure memory in *out;
 * spki_sha gets the SHA-256 of its SubjectPublicKeyInfo (what the vault's
 * endorsement of a CA names).
 */
int sv_p256_keygen(sv_secret **out, unsigned char spki_sha[SV_SHA256_LEN]);

/*
 * A self-signed CA certificate (DER, caller frees *der) for the key: subject
 * CN `cn`, valid from `now` for `days`, CA:TRUE pathlen 0, keyCertSign and
 * cRLSign, and `endorsement` (the vault's signed note over the key) in the
 * scrvault endorsement extension.
 */
int sv_x509_ca_make(unsigned char **der, size_t *len, const sv_secret *key, const char *cn,
		    const char *endorsement, int64_t now, unsigned days);

/*
 * Whether `host` is a name a server certificate may carry: an IPv4 or IPv6
 * address, or a DNS name (labels of letters, digits and '-', 1-63
 * characters, at most 253 in all; no wildcard).  0 or SCRVAULT_EUSAGE,
 * the message naming it.
 */
int sv_x509_host_check(const char *host);

/*
 * A server certificate signed by the CA (ca_key, ca_der): a fresh P-256 key
 * (its PEM, PKCS#8, in secure memory in *key_pem), subject CN hosts[0],
 * subjectAltName every host (dNSName or iPAddress), EKU serverAuth,
 * digitalSignature, CA:FALSE, a random 128-bit serial (hex in serial),
 * valid from now - 5 minutes to now + days.  *cert_pem (caller frees) is
 * the certificate followed by the CA's, the chain a server sends.
 */
int sv_x509_leaf_make(char **cert_pem, sv_secret **key_pem, char serial[33], const sv_secret *ca_key,
		      const unsigned char *ca_der, size_t ca_len, const char *const *hosts, size_t nhosts,
		      int64_t now, unsigned days);

/* PEM of a DER certificate (caller frees). */
int sv_x509_pem(char **out, const unsigned char *der, size_t len);

/* A CA certificate read back (sv_x509_ca_parse). */
typedef struct {
	unsigned char *der;			/* the certificate */
	size_t len;
	unsigned char cert_sha[SV_SHA256_LEN];	/* SHA-256 of der: the pin */
	unsigned char spki_sha[SV_SHA256_LEN];	/* SHA-256 of its SubjectPublicKeyInfo */
	char *endorsement;			/* the endorsement extension's text, NULL: none */
	char not_after[21];			/* ISO 8601 */
} sv_x509_ca;

/*
 * Parse the first certificate of PEM text: it must be a self-signed CA
 * certificate whose signature verifies.  SCRVAULT_EUSAGE if it is none.
 */
int sv_x509_ca_parse(sv_x509_ca *out, const char *pem, size_t len);
void sv_x509_ca_clear(sv_x509_ca *c);

#endif
