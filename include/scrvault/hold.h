/*
 * scrvault/hold.h - legal holds: what criminal proceedings, an inquest, a
 * public inquiry or an FOI appeal keep from destruction.
 */
#ifndef SCRVAULT_HOLD_H
#define SCRVAULT_HOLD_H

#include "scrvault/vault.h"

typedef struct {
	unsigned int version;
	const char *target;		/* a case reference or a document id, or */
	bool board;			/* everything the board holds */
	const char *doc_class;		/* with board: only this class */
	const char *reason;		/* why (required) */
	/* version 2: what kind of hold (required): "criminal-proceedings" or
	 * "coroner" (both also stop publication: case publish), "inquiry",
	 * "foi-appeal" or "other" */
	const char *kind;
} scrvault_hold_spec;
#define SCRVAULT_HOLD_SPEC_VERSION 2
#define SCRVAULT_HOLD_SPEC_INIT { SCRVAULT_HOLD_SPEC_VERSION }

/* Place a hold; *out gets {"hold":ID}. */
int scrvault_hold_add(scrvault_json **out, scrvault *v, const scrvault_hold_spec *s);
int scrvault_hold_release(scrvault_json **out, scrvault *v, int64_t id, const char *reason);
/* Active holds and the automatic holds of open FOI requests. */
int scrvault_hold_list(scrvault_json **out, scrvault *v);

#endif
