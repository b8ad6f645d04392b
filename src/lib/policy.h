/*
 * policy.h - roles, permissions, document classes and dual control.
 *
 * A policy file is git-config text (policy/default.conf documents the
 * format), parsed by libgit2's config parser (store.c: sv_conf_read) and
 * checked here.  A vault keeps its policy in the database: the text of every
 * version, and the current one as tables that the permission check reads.
 */
#ifndef SV_POLICY_H
#define SV_POLICY_H

#include "vault_int.h"

#define SV_POLICY_MAX (64 * 1024)
/* The largest bundle `intake import` accepts unless [intake] max-size says otherwise. */
#define SV_INTAKE_MAX_DEFAULT ((int64_t)512 * 1024 * 1024)
/* Paper copies of one version a class allows, and its marking, unless the policy says. */
#define SV_COPIES_DEFAULT_MAX 10
#define SV_MARKING_DEFAULT "OFFICIAL-SENSITIVE"
/* FOI: answer within this many working days; automatic holds last this many
 * working days after the answer (a review or complaint may follow). */
#define SV_FOI_DAYS_DEFAULT 20
#define SV_FOI_APPEAL_DAYS_DEFAULT 40
/* How long a published executive summary stays on the board's web site. */
#define SV_PUBLICATION_MONTHS_DEFAULT 12

typedef struct sv_policy sv_policy;

/*
 * Read and check a policy file.  Every problem found is appended to
 * *problems as {"line":N,"message":...} (line 0: not tied to a line); the
 * call returns SCRVAULT_EUSAGE if there was any, with the first one as the
 * message.  *out is set only when the policy is sound.
 */
int sv_policy_read(sv_policy **out, sv_json **problems, const char *path);
/* The same for the built-in default (policy/default.conf, compiled in). */
int sv_policy_default(sv_policy **out);
/* The same for text in memory; `label` names it in messages. */
int sv_policy_from_text(sv_policy **out, const char *text, const char *label);
void sv_policy_free(sv_policy *p);
const char *sv_policy_name(const sv_policy *p);
const char *sv_policy_text(const sv_policy *p);

/*
 * Inside a transaction: make `p` the vault's policy (new version row with
 * its text, tables replaced) and add its encrypted text to the store tree
 * update list `up` (blob written now; path policy/<version>).
 * *version gets the new version number.
 */
int sv_policy_install(scrvault *v, const sv_policy *p, int64_t *version,
		      char blob[SV_OID_HEXLEN + 1], char path[64]);

/*
 * Inside a transaction: install `p` (sv_policy_install), commit its
 * encrypted text to the store and write the policy.load audit entry
 * (`source`: "file", "built-in default", "approved operation ID"...).
 */
int sv_policy_apply(scrvault *v, const sv_policy *p, const char *source);
/* A vault without a policy (new, or older than schema 4) gets the default. */
int sv_policy_ensure(scrvault *v);

/* fsck: each version's stored copy and digest; problems appended as strings. */
int sv_policy_fsck(scrvault *v, const char *head, sv_json *problems, int64_t *count);

/* Whether `action` names a permission the policy language knows. */
bool sv_policy_action_known(const char *action);

/* Scopes of roles. */
typedef enum { SV_SCOPE_NONE = 0, SV_SCOPE_BOARD, SV_SCOPE_CASE, SV_SCOPE_CASE_AGENCY } sv_scope;
sv_scope sv_scope_parse(const char *s);
const char *sv_scope_name(sv_scope s);

#endif
