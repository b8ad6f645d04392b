/*
 * scrvault/intake.h - documents an agency sealed for the vault: the vault's
 * intake recipient, and importing a bundle.  (Sealing needs no vault:
 * scrvault/seal.h.)
 */
#ifndef SCRVAULT_INTAKE_H
#define SCRVAULT_INTAKE_H

#include "scrvault/vault.h"

/*
 * The vault's intake recipient ("age1...", made at first use) and the
 * vault's signing key (base64 Ed25519), which signs releases:
 * {"recipient":..,"signing_key":..,"vault":..}.
 */
int scrvault_intake_recipient(scrvault_json **out, scrvault *v);

typedef struct {
	unsigned int version;
	const char *path;
	const char *doc;		/* NULL: a new document; else a new version of it */
	bool unauthenticated;		/* accept an unsigned age file */
	const char *received_from;	/* required with unauthenticated */
	/* unsigned files only (a signed bundle names its own): */
	const char *case_ref;
	const char *doc_class;
	const char *agency;
	const char *title;
	const char *filename;
	const char *note;
} scrvault_import_spec;
#define SCRVAULT_IMPORT_SPEC_VERSION 1
#define SCRVAULT_IMPORT_SPEC_INIT { SCRVAULT_IMPORT_SPEC_VERSION }

/*
 * Import a bundle: decrypt with the vault's intake key, verify the manifest
 * signature against the registered, active principal whose key made it,
 * check that principal may submit that class for that case (doc.submit),
 * that the content matches the manifest and that this bundle was not
 * imported before (SCRVAULT_ECONFLICT), then check it in.  Every refusal is
 * an audit entry and stores nothing.  *out gets {"doc","version",...}.
 */
int scrvault_intake_import(scrvault_json **out, scrvault *v, const scrvault_import_spec *s);

#endif
