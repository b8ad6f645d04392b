/*
 * policyfile.h - a policy read from its text and checked (policyfile.c).
 */
#ifndef SV_VAULT_POLICYFILE_H
#define SV_VAULT_POLICYFILE_H

#include "base/clock.h"
#include "base/json.h"
#include "base/common.h"

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

/* How long a published executive summary stays on the board's web site:
 * [publication] executive-summary-months, the take-down for the review
 * types without a [publication "TYPE"] section of their own. */
#define SV_PUBLICATION_MONTHS_DEFAULT 12

/* The review types a case has (cases.review_type), in this order in
 * sv_policy's pub_* arrays; sv_review_type_index: -1 for another word. */
#define SV_REVIEW_TYPES 3
extern const char *const sv_review_types[SV_REVIEW_TYPES];
int sv_review_type_index(const char *type);

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

/* Whether `action` names a permission the policy language knows. */
bool sv_policy_action_known(const char *action);

/* Scopes of roles. */
typedef enum { SV_SCOPE_NONE = 0, SV_SCOPE_BOARD, SV_SCOPE_CASE, SV_SCOPE_CASE_AGENCY } sv_scope;

sv_scope sv_scope_parse(const char *s);

const char *sv_scope_name(sv_scope s);

/* A parsed policy: what policydb.c installs into the vault's tables. */
typedef struct {
	char *name;
	sv_scope scope;
} prole;

typedef struct {
	char *role;
	char *action;
	char *doc_class;	/* NULL: every class */
} pallow;

typedef struct {
	char *name;
	char *title;
	bool restricted;
	bool agency;
	int64_t max_copies;	/* 0: the default */
	char *marking;		/* NULL: the default */
} pclass;

struct sv_policy {
	char *name;
	char *text;
	prole *roles;
	size_t nroles;
	pallow *allows;
	size_t nallows;
	pclass *classes;
	size_t nclasses;
	char **dual;
	size_t ndual;
	char **conflicts;	/* [separation] conflict: "role role ..." */
	size_t nconflicts;
	struct prule {
		char *doc_class;	/* NULL: every class without its own rules */
		char *action;		/* destroy, review, keep */
		int64_t amount;
		char unit;		/* 'd', 'm', 'y' */
		char *trigger;		/* case-concluded, subject-birth, published, superseded, checkin */
	} *rules;
	size_t nrules;
	int64_t pub_months;	/* executive summary on the web site; 0: the default */
	/* [publication "TYPE"]: whether the section is there, its min-months
	 * and max-months (0: none), by sv_review_type_index */
	bool pub_typed[SV_REVIEW_TYPES];
	int64_t pub_min[SV_REVIEW_TYPES], pub_max[SV_REVIEW_TYPES];
	char **holidays;	/* "YYYY-MM-DD name" */
	size_t nholidays;
	int64_t foi_days;	/* 0: the default */
	int64_t appeal_days;
	int64_t expiry_hours;
	int64_t intake_max;	/* bytes; 0: the default */
	/* [timescales] and [timescales "TYPE"] as written (set: the line was
	 * there); `timescales` is the result for each review type: the typed
	 * line, else the [timescales] line, else sv_timescale_builtin. */
	sv_timescale ts_all[SV_CLOCKS], ts_typed[SV_REVIEW_TYPES][SV_CLOCKS];
	bool ts_all_set[SV_CLOCKS], ts_typed_set[SV_REVIEW_TYPES][SV_CLOCKS];
	sv_timescale timescales[SV_REVIEW_TYPES][SV_CLOCKS];
};

/* The clocks of a policy without [timescales] (the same as policy/default.conf's). */
sv_timescale sv_timescale_builtin(int review_type, sv_clock_id clock);

#endif
