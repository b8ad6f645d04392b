/*
 * policyfile.c - reading and checking a policy file (git-config syntax,
 * through libgit2's parser in storage/conf): roles, permissions, classes,
 * dual control, retention, calendar.  Needs no vault.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "vault/policyfile.h"
#include "storage/conf.h"
#include "base/common.h"
#include "base/date.h"
#include "base/file.h"
#include "base/json.h"

/* Every permission the code asks for (sv_authorize callers). */
static const char *const known_actions[] = {
	"principal.add", "principal.read", "principal.revoke", "principal.rotate",
	"principal.grant", "principal.impact", "case.open", "case.read",
	"doc.checkin", "doc.list", "doc.read", "doc.read-restricted", "doc.signoff",
	"doc.release", "doc.submit", "doc.declare", "intake.import",
	"copy.create", "copy.issue", "copy.return", "copy.destroy", "copy.read", "copy.print",
	"request.create", "request.decide", "request.read", "request.respond",
	"case.conclude", "case.reopen", "case.publish", "hold.add", "hold.release", "hold.read",
	"retention.read", "retention.confirm", "retention.propose", "retention.approve", "retention.purge",
	"retention.review",
	"referral.new", "referral.recommend", "referral.decide", "referral.notify", "referral.read",
	"case.commission", "case.extend", "case.evaluation", "case.milestone",
	"mirror.manage", "mirror.push", "backup.create", "vault.restore", "tls.manage",
	"audit.read", "audit.prove", "policy.read", "policy.load", "op.approve", "fsck", "agenda.read",
	"report.board", "report.case", "session.manage", "vault.seal", NULL
};

/* Those that may be limited to one class with ACTION:CLASS. */
static const char *const class_actions[] = {
	"doc.checkin", "doc.list", "doc.read", "doc.signoff", "doc.release", "doc.submit", NULL
};

/*
 * Operations that [dual-control] may hold for a second custodian.  The
 * principal.*-custodian, -service and -approver names hold the action only
 * for those principals or roles; "approver" roles are computed from the
 * policy (sv_role_approves in records/separation.c).
 */
static const char *const dual_actions[] = {
	"policy.load", "principal.revoke", "principal.revoke-custodian", "doc.destroy",
	"principal.add-custodian", "principal.add-service", "principal.rotate-custodian",
	"principal.grant-approver", "case.publish-override", "case.reopen", NULL
};
#define DUAL_KNOWN "policy.load, principal.add-custodian, principal.add-service, principal.rotate-custodian, " \
	"principal.grant-approver, principal.revoke, principal.revoke-custodian, doc.destroy, case.publish-override, " \
	"case.reopen"

extern const char sv_default_policy_text[];

const char *const sv_review_types[SV_REVIEW_TYPES] = { "scr", "sir", "interagency" };

int sv_review_type_index(const char *type)
{
	for (int i = 0; type && i < SV_REVIEW_TYPES; i++)
		if (!strcmp(sv_review_types[i], type))
			return i;
	return -1;
}

/* "512M", "1G", "65536": 1 KiB .. 4 GiB. */
static int parse_size(int64_t *out, const char *value)
{
	char *end = NULL;
	unsigned long long n;
	int64_t mult = 1;

	if (!value || *value < '0' || *value > '9')
		return -1;
	errno = 0;
	n = strtoull(value, &end, 10);
	if (errno || end == value)
		return -1;
	if (*end == 'K' || *end == 'k')
		mult = 1024, end++;
	else if (*end == 'M' || *end == 'm')
		mult = 1024 * 1024, end++;
	else if (*end == 'G' || *end == 'g')
		mult = 1024 * 1024 * 1024, end++;
	if (*end || n > (4ULL << 30) / (unsigned long long)mult)
		return -1;
	*out = (int64_t)n * mult;
	return *out >= 1024 ? 0 : -1;
}

static bool in_list(const char *const *list, const char *s)
{
	for (int i = 0; list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

bool sv_policy_action_known(const char *action)
{
	return in_list(known_actions, action);
}

sv_scope sv_scope_parse(const char *s)
{
	if (!s)
		return SV_SCOPE_NONE;
	if (!strcmp(s, "board"))
		return SV_SCOPE_BOARD;
	if (!strcmp(s, "case"))
		return SV_SCOPE_CASE;
	if (!strcmp(s, "case-agency"))
		return SV_SCOPE_CASE_AGENCY;
	return SV_SCOPE_NONE;
}

const char *sv_scope_name(sv_scope s)
{
	switch (s) {
	case SV_SCOPE_BOARD: return "board";
	case SV_SCOPE_CASE: return "case";
	case SV_SCOPE_CASE_AGENCY: return "case-agency";
	default: return "none";
	}
}

void sv_policy_free(sv_policy *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->text);
	for (size_t i = 0; i < p->nroles; i++)
		free(p->roles[i].name);
	for (size_t i = 0; i < p->nallows; i++) {
		free(p->allows[i].role);
		free(p->allows[i].action);
		free(p->allows[i].doc_class);
	}
	for (size_t i = 0; i < p->nclasses; i++) {
		free(p->classes[i].name);
		free(p->classes[i].title);
		free(p->classes[i].marking);
	}
	for (size_t i = 0; i < p->ndual; i++)
		free(p->dual[i]);
	for (size_t i = 0; i < p->nconflicts; i++)
		free(p->conflicts[i]);
	free(p->conflicts);
	for (size_t i = 0; i < p->nholidays; i++)
		free(p->holidays[i]);
	free(p->holidays);
	for (size_t i = 0; i < p->nrules; i++) {
		free(p->rules[i].doc_class);
		free(p->rules[i].action);
		free(p->rules[i].trigger);
	}
	free(p->rules);
	free(p->roles);
	free(p->allows);
	free(p->classes);
	free(p->dual);
	free(p);
}

const char *sv_policy_name(const sv_policy *p) { return p->name; }

const char *sv_policy_text(const sv_policy *p) { return p->text; }

/* ---- finding an entry's line -------------------------------------------------- */

/* Lower-case copy of [s, s+n) without surrounding blanks. */
static void trimmed(char *out, size_t outlen, const char *s, size_t n)
{
	size_t k = 0;

	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	for (size_t i = 0; i < n && k + 1 < outlen; i++)
		out[k++] = s[i];
	out[k] = '\0';
}

/* The header of section `section` `sub` as it stands in the file. */
static void section_header(char want[300], const char *section, const char *sub)
{
	if (sub)
		snprintf(want, 300, "[%s \"%s\"]", section, sub);
	else
		snprintf(want, 300, "[%s]", section);
}

/* The line at *p, trimmed, into buf; *p moves to the next one. */
static void next_line(char buf[512], const char **p)
{
	const char *nl = strchr(*p, '\n');
	size_t len = nl ? (size_t)(nl - *p) : strlen(*p);

	trimmed(buf, 512, *p, len);
	*p = nl ? nl + 1 : *p + len;
}

/* Whether the trimmed line buf sets `key`; its value, trimmed, into val. */
static bool sets_key(const char *buf, const char *key, char val[400])
{
	size_t kl = strlen(key);
	const char *eq;

	if (!buf[0] || buf[0] == '#' || buf[0] == ';' || strncasecmp(buf, key, kl) != 0 ||
	    (buf[kl] != '\0' && buf[kl] != '=' && !isspace((unsigned char)buf[kl])))
		return false;
	eq = strchr(buf, '=');
	trimmed(val, 400, eq ? eq + 1 : "", eq ? strlen(eq + 1) : 0);
	return true;
}

/*
 * The line of `key` (with `value`, if given) under the section header that
 * names `section` and `sub` (the last such header before it), or of the
 * header itself when key is NULL.  0 if it cannot be found.
 */
static int locate(const char *text, const char *section, const char *sub,
		  const char *key, const char *value)
{
	const char *p = text;
	char want[300], buf[512], val[400];
	int line = 0, found = 0;
	bool in = false;

	section_header(want, section, sub);
	while (*p) {
		line++;
		next_line(buf, &p);
		if (buf[0] == '[') {
			in = strncasecmp(buf, want, strlen(want)) == 0;
			if (in && !key)
				found = line;
		} else if (in && key && sets_key(buf, key, val) && (!value || strcmp(val, value) == 0)) {
			found = line;
		}
	}
	return found;
}

/* ---- checking ------------------------------------------------------------------ */

typedef struct {
	sv_json *problems;
	const char *text;
	int count;
	char first[400];
	/*
	 * Where the last setting was found (locate_setting): the text after its
	 * line, that line's number and the section header above it.  Settings
	 * come in the order of the file, so each is looked for from there:
	 * one pass over the text for them all, not one each.
	 */
	const char *next;
	int line;
	char header[512];
} checker;

/*
 * The line of setting `key` (= `value`) of section `section` `sub`, found
 * from where the last one was: the first match, with its value, else
 * without it (the file's text may quote or comment it).  0 if none (then
 * the place is kept); the whole-text search of locate is not repeated, so
 * checking stays linear in the size of the policy.
 */
static int locate_setting(checker *c, const char *section, const char *sub, const char *key,
			  const char *value)
{
	char want[300];

	if (!c->next)
		c->next = c->text;
	section_header(want, section, sub);
	for (int pass = 0; pass < 2; pass++) {
		const char *p = c->next;
		int line = c->line;
		char header[512], buf[512], val[400];
		bool in;

		snprintf(header, sizeof(header), "%s", c->header);
		in = header[0] && strncasecmp(header, want, strlen(want)) == 0;
		while (*p) {
			line++;
			next_line(buf, &p);
			if (buf[0] == '[') {
				snprintf(header, sizeof(header), "%s", buf);
				in = strncasecmp(buf, want, strlen(want)) == 0;
			} else if (in && sets_key(buf, key, val) && (pass == 1 || !value || strcmp(val, value) == 0)) {
				c->next = p;
				c->line = line;
				snprintf(c->header, sizeof(c->header), "%s", header);
				return line;
			}
		}
		if (!value)
			break;
	}
	return 0;
}

static void problem(checker *c, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(checker *c, int line, const char *fmt, ...)
{
	char msg[300];
	va_list ap;
	sv_json *o;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Every problem has a line: one about the whole file (no name, no
	 * roles) is reported at its first line, as compilers do. */
	if (line < 1)
		line = 1;
	if (c->count++ == 0)
		snprintf(c->first, sizeof(c->first), "line %d: %s", line, msg);
	if (c->problems && (o = sv_json_object())) {
		if (sv_json_set_int(o, "line", line) < 0 || sv_json_set_str(o, "message", msg) < 0 ||
		    sv_json_append(c->problems, o) < 0)
			sv_json_free(o);
	}
}

static bool name_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 40)
		return false;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-'))
			return false;
	return true;
}

static int parse_bool(bool *out, const char *v)
{
	static const char *const yes[] = { "true", "yes", "on", "1", NULL };
	static const char *const no[] = { "false", "no", "off", "0", NULL };

	if (!v)
		return -1;
	for (int i = 0; yes[i]; i++)
		if (!strcasecmp(v, yes[i]))
			return *out = true, 0;
	for (int i = 0; no[i]; i++)
		if (!strcasecmp(v, no[i]))
			return *out = false, 0;
	return -1;
}

static prole *find_role(sv_policy *p, const char *name)
{
	for (size_t i = 0; i < p->nroles; i++)
		if (!strcmp(p->roles[i].name, name))
			return &p->roles[i];
	return NULL;
}

static pclass *find_class(sv_policy *p, const char *name)
{
	for (size_t i = 0; i < p->nclasses; i++)
		if (!strcmp(p->classes[i].name, name))
			return &p->classes[i];
	return NULL;
}

static bool grow(void **arr, size_t *n, size_t size)
{
	void *g = sv_realloc(*arr, (*n + 1) * size);

	if (!g)
		return false;
	*arr = g;
	memset((char *)g + *n * size, 0, size);
	(*n)++;
	return true;
}

/* Split "section.sub.key" (sub may hold dots) in place. */
static void split_name(char *name, char **section, char **sub, char **key)
{
	char *first = strchr(name, '.'), *last = strrchr(name, '.');

	*section = name;
	*sub = NULL;
	*key = NULL;
	if (!first)
		return;
	*first = '\0';
	*key = last + 1;
	if (last != first) {
		*last = '\0';
		*sub = first + 1;
	}
}

/*
 * "keep", or "destroy|review N day(s)|month(s)|year(s) after TRIGGER".
 */
static int parse_rule(sv_policy *p, checker *c, int line, const char *cls, const char *value)
{
	static const char *const triggers[] = {
		"case-concluded", "subject-birth", "published", "superseded", "checkin", NULL
	};
	char action[16] = "", unit[16] = "", after[16] = "", trigger[32] = "", extra[8] = "";
	long long amount = -1;
	int n = value ? sscanf(value, "%15s %lld %15s %15s %31s %7s", action, &amount, unit, after, trigger, extra) : 0;
	struct prule *r;
	char u = 0;

	if (n == 1 && !strcmp(action, "keep")) {
		amount = 0;
	} else {
		if (n == 5 && !strcmp(after, "after") && amount >= 0 && amount <= 200 * 366) {
			if (!strncmp(unit, "day", 3))
				u = 'd';
			else if (!strncmp(unit, "month", 5))
				u = 'm';
			else if (!strncmp(unit, "year", 4))
				u = 'y';
		}
		if (!u || (strcmp(action, "destroy") != 0 && strcmp(action, "review") != 0) ||
		    !in_list(triggers, trigger) || strlen(unit) > 6 + (u == 'm')) {
			problem(c, line, "retention rule '%s': write 'keep', or 'destroy' or 'review', a number of days, "
				"months or years, 'after', and one of case-concluded, subject-birth, published, "
				"superseded, checkin (e.g. 'destroy 35 years after case-concluded')", value ? value : "");
			return 0;
		}
	}
	if (!grow((void **)&p->rules, &p->nrules, sizeof(*p->rules)))
		return SCRVAULT_ERROR;
	r = &p->rules[p->nrules - 1];
	memset(r, 0, sizeof(*r));
	r->amount = amount;
	r->unit = u;
	if ((cls && !(r->doc_class = sv_strdup(cls))) || !(r->action = sv_strdup(action)) ||
	    (u && !(r->trigger = sv_strdup(trigger))))
		return SCRVAULT_ERROR;
	return 0;
}

/*
 * [separation] conflict = ROLE ROLE...: on one case no principal holds two
 * of these roles (a board-wide grant counts on every case).  Kept as the
 * names separated by single spaces; the roles must be declared.
 */
static int parse_conflict(sv_policy *p, checker *c, int line, const char *value)
{
	char buf[400], out[400] = " ", *save = NULL, *w;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", value ? value : "");
	for (w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		char padded[64];

		if (!find_role(p, w)) {
			problem(c, line, "separation: no role '%s' is declared", w);
			return 0;
		}
		snprintf(padded, sizeof(padded), " %s ", w);
		if (strstr(out, padded)) {
			problem(c, line, "separation: role '%s' is named twice in one conflict", w);
			return 0;
		}
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s ", w);
		n++;
	}
	if (n < 2) {
		problem(c, line, "separation: a conflict names two or more roles that one principal may not hold "
			"together on a case (e.g. 'conflict = panel-chair overview-author')");
		return 0;
	}
	out[strlen(out) - 1] = '\0';	/* " a b c " -> "a b c" */
	if (!grow((void **)&p->conflicts, &p->nconflicts, sizeof(*p->conflicts)) ||
	    !(p->conflicts[p->nconflicts - 1] = sv_strdup(out + 1)))
		return SCRVAULT_ERROR;
	return 0;
}

/*
 * [KIND NAME] declares NAME (a role or a class): checked, then appended to
 * the array *arr of *n elements of `size` bytes, whose first member is the
 * name.  A bad name is a problem; -1 only when out of memory.
 */
static int declare_name(checker *c, const char *kind, const char *name, void **arr, size_t *n, size_t size)
{
	char *copy;

	_Static_assert(offsetof(prole, name) == 0 && offsetof(pclass, name) == 0, "the name comes first");
	if (!name_ok(name)) {
		problem(c, locate(c->text, kind, name, NULL, NULL),
			"%s name '%s': use lower-case letters, digits and '-'", kind, name);
		return 0;
	}
	if (!grow(arr, n, size) || !(copy = sv_strdup(name)))
		return -1;
	memcpy((char *)*arr + (*n - 1) * size, &copy, sizeof(copy));
	return 0;
}

/* First pass: sections that declare things (roles, classes). */
static int declare(sv_policy *p, checker *c, sv_conf_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *name = sv_strdup(e[i].name), *section, *sub, *key;

		if (!name)
			return SCRVAULT_ERROR;
		split_name(name, &section, &sub, &key);
		if ((!strcmp(section, "role") && sub && !find_role(p, sub) &&
		     declare_name(c, "role", sub, (void **)&p->roles, &p->nroles, sizeof(*p->roles)) < 0) ||
		    (!strcmp(section, "class") && sub && !find_class(p, sub) &&
		     declare_name(c, "class", sub, (void **)&p->classes, &p->nclasses, sizeof(*p->classes)) < 0)) {
			free(name);
			return SCRVAULT_ERROR;
		}
		free(name);
	}
	return 0;
}

static int entry(sv_policy *p, checker *c, const char *fullname, const char *value)
{
	char *name = sv_strdup(fullname), *section, *sub, *key;
	int line, error = 0;

	if (!name)
		return SCRVAULT_ERROR;
	split_name(name, &section, &sub, &key);
	line = key ? locate_setting(c, section, sub, key, value) : locate(c->text, section, sub, key, value);
	if (!key) {
		problem(c, line, "'%s' is not a setting", fullname);
	} else if (!strcmp(section, "include") || !strcmp(section, "includeif")) {
		problem(c, line, "a policy may not include other files");
	} else if (!strcmp(section, "policy") && !sub) {
		if (strcmp(key, "name"))
			problem(c, line, "unknown setting 'policy.%s' (known: name)", key);
		else if (!value || !*value || strlen(value) > 100)
			problem(c, line, "policy.name must be 1-100 characters");
		else if (!(free(p->name), p->name = sv_strdup(value)))
			error = SCRVAULT_ERROR;
	} else if (!strcmp(section, "role") && sub) {
		prole *r = find_role(p, sub);

		if (!r) {
			/* already reported */
		} else if (!strcmp(key, "scope")) {
			if ((r->scope = sv_scope_parse(value)) == SV_SCOPE_NONE)
				problem(c, line, "role '%s': scope must be board, case or case-agency, not '%s'",
					sub, value ? value : "");
		} else if (!strcmp(key, "allow")) {
			char act[64], *colon;

			snprintf(act, sizeof(act), "%s", value ? value : "");
			colon = strchr(act, ':');
			if (colon)
				*colon++ = '\0';
			if (!in_list(known_actions, act))
				problem(c, line, "role '%s': unknown action '%s' (see the list at the top of policy/default.conf)",
					sub, act);
			else if (colon && !in_list(class_actions, act))
				problem(c, line, "role '%s': '%s' cannot be limited to a class", sub, act);
			else if (colon && !find_class(p, colon))
				problem(c, line, "role '%s': no class '%s' is declared", sub, colon);
			else if (!grow((void **)&p->allows, &p->nallows, sizeof(*p->allows)) ||
				 !(p->allows[p->nallows - 1].role = sv_strdup(sub)) ||
				 !(p->allows[p->nallows - 1].action = sv_strdup(act)) ||
				 (colon && !(p->allows[p->nallows - 1].doc_class = sv_strdup(colon))))
				error = SCRVAULT_ERROR;
		} else {
			problem(c, line, "unknown setting 'role.%s.%s' (known: scope, allow)", sub, key);
		}
	} else if (!strcmp(section, "class") && sub) {
		pclass *k = find_class(p, sub);

		if (!k) {
			/* already reported */
		} else if (!strcmp(key, "title")) {
			if (!value || !*value || strlen(value) > 80)
				problem(c, line, "class '%s': title must be 1-80 characters", sub);
			else if (!(free(k->title), k->title = sv_strdup(value)))
				error = SCRVAULT_ERROR;
		} else if (!strcmp(key, "restricted") || !strcmp(key, "agency")) {
			bool b = false;

			if (parse_bool(&b, value) < 0)
				problem(c, line, "class '%s': %s must be true or false, not '%s'", sub, key,
					value ? value : "");
			else if (!strcmp(key, "restricted"))
				k->restricted = b;
			else
				k->agency = b;
		} else if (!strcmp(key, "max-copies")) {
			char *end = NULL;
			long n = value ? strtol(value, &end, 10) : 0;

			if (!value || !*value || *end || n < 1 || n > 999)
				problem(c, line, "class '%s': max-copies must be a whole number from 1 to 999", sub);
			else
				k->max_copies = n;
		} else if (!strcmp(key, "marking")) {
			if (!value || !*value || strlen(value) > 40 ||
			    strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789- ") != strlen(value))
				problem(c, line, "class '%s': marking must be 1-40 capital letters, digits, '-' or spaces "
					"(e.g. OFFICIAL-SENSITIVE)", sub);
			else if (!(free(k->marking), k->marking = sv_strdup(value)))
				error = SCRVAULT_ERROR;
		} else {
			problem(c, line, "unknown setting 'class.%s.%s' (known: title, restricted, agency, max-copies, marking)",
				sub, key);
		}
	} else if (!strcmp(section, "dual-control") && !sub) {
		if (!strcmp(key, "action")) {
			if (!value || !in_list(dual_actions, value))
				problem(c, line, "dual-control: '%s' cannot be held for approval (known: " DUAL_KNOWN ")",
					value ? value : "");
			else if (!grow((void **)&p->dual, &p->ndual, sizeof(*p->dual)) ||
				 !(p->dual[p->ndual - 1] = sv_strdup(value)))
				error = SCRVAULT_ERROR;
		} else if (!strcmp(key, "expiry-hours")) {
			char *end = NULL;
			long h = value ? strtol(value, &end, 10) : 0;

			if (!value || !*value || *end || h < 1 || h > 720)
				problem(c, line, "dual-control.expiry-hours must be a whole number of hours from 1 to 720");
			else
				p->expiry_hours = h;
		} else {
			problem(c, line, "unknown setting 'dual-control.%s' (known: action, expiry-hours)", key);
		}
	} else if (!strcmp(section, "separation") && !sub) {
		if (strcmp(key, "conflict") != 0)
			problem(c, line, "unknown setting 'separation.%s' (known: conflict)", key);
		else
			error = parse_conflict(p, c, line, value);
	} else if (!strcmp(section, "retention")) {
		if (strcmp(key, "rule") != 0) {
			problem(c, line, "unknown setting 'retention.%s' (known: rule)", key);
		} else if (sub && !find_class(p, sub)) {
			problem(c, line, "retention rules for '%s': no class '%s' is declared", sub, sub);
		} else if ((error = parse_rule(p, c, line, sub, value)) < 0) {
			/* out of memory */
		}
	} else if (!strcmp(section, "publication") && sub) {
		int t = sv_review_type_index(sub);
		char *end = NULL;
		long n = value ? strtol(value, &end, 10) : 0;

		if (t < 0)
			problem(c, line, "publication \"%s\": no review type '%s' (known: scr, sir, interagency)", sub, sub);
		else if (strcmp(key, "min-months") != 0 && strcmp(key, "max-months") != 0)
			problem(c, line, "unknown setting 'publication.%s.%s' (known: min-months, max-months)", sub, key);
		else if (!value || !*value || *end || n < 1 || n > 120)
			problem(c, line, "publication.%s.%s must be a whole number of months from 1 to 120", sub, key);
		else if (!strcmp(key, "min-months"))
			p->pub_typed[t] = true, p->pub_min[t] = n;
		else
			p->pub_typed[t] = true, p->pub_max[t] = n;
		if (t >= 0 && p->pub_min[t] && p->pub_max[t] && p->pub_min[t] > p->pub_max[t])
			problem(c, line, "publication \"%s\": min-months (%lld) is more than max-months (%lld)", sub,
				(long long)p->pub_min[t], (long long)p->pub_max[t]);
	} else if (!strcmp(section, "publication") && !sub) {
		char *end = NULL;
		long n = value ? strtol(value, &end, 10) : 0;

		if (strcmp(key, "executive-summary-months") != 0)
			problem(c, line, "unknown setting 'publication.%s' (known: executive-summary-months)", key);
		else if (!value || !*value || *end || n < 1 || n > 120)
			problem(c, line, "publication.executive-summary-months must be from 1 to 120 (6 or 12 are usual)");
		else
			p->pub_months = n;
	} else if (!strcmp(section, "calendar") && !sub) {
		if (!strcmp(key, "holiday")) {
			char date[11] = "";

			if (value)
				snprintf(date, sizeof(date), "%.10s", value);
			if (!value || strlen(value) < 12 || value[10] != ' ' || !sv_date_valid(date))
				problem(c, line, "calendar.holiday must be 'YYYY-MM-DD name of the holiday', not '%s'",
					value ? value : "");
			else if (!grow((void **)&p->holidays, &p->nholidays, sizeof(*p->holidays)) ||
				 !(p->holidays[p->nholidays - 1] = sv_strdup(value)))
				error = SCRVAULT_ERROR;
		} else {
			problem(c, line, "unknown setting 'calendar.%s' (known: holiday)", key);
		}
	} else if (!strcmp(section, "foi") && !sub) {
		char *end = NULL;
		long n = value ? strtol(value, &end, 10) : 0;

		if (strcmp(key, "working-days") != 0 && strcmp(key, "appeal-working-days") != 0)
			problem(c, line, "unknown setting 'foi.%s' (known: working-days, appeal-working-days)", key);
		else if (!value || !*value || *end || n < 1 || n > 365)
			problem(c, line, "foi.%s must be a whole number of working days from 1 to 365", key);
		else if (!strcmp(key, "working-days"))
			p->foi_days = n;
		else
			p->appeal_days = n;
	} else if (!strcmp(section, "timescales")) {
		int t = sub ? sv_review_type_index(sub) : -1, k = sv_clock_index(key);
		sv_timescale ts;
		char why[256];

		if (sub && t < 0)
			problem(c, line, "timescales \"%s\": no review type '%s' (known: scr, sir, interagency)", sub, sub);
		else if (k < 0)
			problem(c, line, "unknown setting 'timescales.%s%s%s' (known: decision, imr, completion, "
				"ofsted-summary, improvement-plan, plan-review)", sub ? sub : "", sub ? "." : "", key);
		else if (sv_timescale_parse(&ts, (sv_clock_id)k, value, why, sizeof(why)) < 0)
			problem(c, line, "timescales%s%s.%s: %s", sub ? "." : "", sub ? sub : "", key, why);
		else if (sub)
			p->ts_typed[t][k] = ts, p->ts_typed_set[t][k] = true;
		else
			p->ts_all[k] = ts, p->ts_all_set[k] = true;
	} else if (!strcmp(section, "intake") && !sub) {
		if (!strcmp(key, "max-size")) {
			if (parse_size(&p->intake_max, value) < 0)
				problem(c, line, "intake.max-size must be a size from 1K to 4G: a whole number with an "
					"optional K, M or G (for example 512M)");
		} else {
			problem(c, line, "unknown setting 'intake.%s' (known: max-size)", key);
		}
	} else {
		problem(c, line, "unknown section '%s%s%s%s' (known: policy, role \"NAME\", class \"NAME\", dual-control, separation, intake, foi, calendar, retention, publication, timescales)",
			section, sub ? " \"" : "", sub ? sub : "", sub ? "\"" : "");
	}
	free(name);
	return error;
}

/* Whole-policy checks, after every entry. */
static void finish(sv_policy *p, checker *c)
{
	bool can_grant = false, can_load = false;

	if (!p->name)
		problem(c, 0, "the policy has no name: add [policy] name = ...");
	if (p->nroles == 0)
		problem(c, 0, "the policy defines no roles");
	if (p->nclasses == 0)
		problem(c, 0, "the policy defines no document classes");
	for (size_t i = 0; i < p->nroles; i++) {
		bool any = false;

		if (p->roles[i].scope == SV_SCOPE_NONE)
			problem(c, locate(c->text, "role", p->roles[i].name, NULL, NULL),
				"role '%s' has no scope (board, case or case-agency)", p->roles[i].name);
		for (size_t j = 0; j < p->nallows; j++)
			if (!strcmp(p->allows[j].role, p->roles[i].name)) {
				any = true;
				if (p->roles[i].scope == SV_SCOPE_BOARD && !p->allows[j].doc_class) {
					if (!strcmp(p->allows[j].action, "principal.grant"))
						can_grant = true;
					if (!strcmp(p->allows[j].action, "policy.load"))
						can_load = true;
				}
			}
		if (!any)
			problem(c, locate(c->text, "role", p->roles[i].name, NULL, NULL),
				"role '%s' allows nothing", p->roles[i].name);
	}
	if (p->nroles && (!can_grant || !can_load))
		problem(c, 0, "no board-wide role may %s: the vault could never be administered again",
			!can_grant ? "grant roles (principal.grant)" : "load a policy (policy.load)");
	for (size_t i = 0; i < p->nclasses; i++)
		if (!p->classes[i].title)
			problem(c, locate(c->text, "class", p->classes[i].name, NULL, NULL),
				"class '%s' has no title", p->classes[i].name);
	if (p->ndual && !p->expiry_hours)
		p->expiry_hours = 72;
	for (int t = 0; t < SV_REVIEW_TYPES; t++)
		for (int k = 0; k < SV_CLOCKS; k++)
			p->timescales[t][k] = p->ts_typed_set[t][k] ? p->ts_typed[t][k] :
					      p->ts_all_set[k] ? p->ts_all[k] : sv_timescale_builtin(t, (sv_clock_id)k);
}

/*
 * The seeds' timescales (policy/default.conf says the same, with the
 * citations): 003 is a procedure for serious case reviews, so its IMR
 * month (from the request, §5.2) and its quarterly plan updates (§7.3) are
 * the scr type's; the other types keep 000 §5.23's ten weeks and 001's six
 * months.
 */
sv_timescale sv_timescale_builtin(int review_type, sv_clock_id clock)
{
	bool scr = review_type == 0;

	switch (clock) {
	case SV_CLOCK_DECISION:		return (sv_timescale){ SV_ANCHOR_RECEIVED, 1, SV_TS_MONTHS };
	case SV_CLOCK_IMR:		return scr ? (sv_timescale){ SV_ANCHOR_COMMISSIONED, 1, SV_TS_MONTHS } :
					       (sv_timescale){ SV_ANCHOR_DECISION, 10, SV_TS_WEEKS };
	case SV_CLOCK_COMPLETION:	return (sv_timescale){ SV_ANCHOR_DECISION, 6, SV_TS_MONTHS };
	case SV_CLOCK_OFSTED_SUMMARY:	return (sv_timescale){ SV_ANCHOR_EVALUATION, 1, SV_TS_MONTHS };
	case SV_CLOCK_IMPROVEMENT_PLAN:	return (sv_timescale){ SV_ANCHOR_EVALUATION, 3, SV_TS_MONTHS };
	case SV_CLOCK_PLAN_REVIEW:	return (sv_timescale){ SV_ANCHOR_COMPLETED, scr ? 3 : 6, SV_TS_MONTHS };
	default:			return (sv_timescale){ SV_ANCHOR_DECISION, 1, SV_TS_MONTHS };
	}
}

/* Parse `text` (NUL-terminated) through a private copy on disk. */
static int parse_text(sv_policy **out, sv_json **problems, const char *text, const char *label)
{
	char dir[] = "/tmp/scrvault-policy-XXXXXX", path[64];
	sv_conf_entry *e = NULL;
	sv_policy *p = NULL;
	checker c = { .problems = NULL, .text = text };
	size_t n = 0;
	int error, errline = 0;

	*out = NULL;
	if (problems && !*problems && !(*problems = sv_json_array()))
		return SCRVAULT_ERROR;
	c.problems = problems ? *problems : NULL;
	if (strlen(text) > SV_POLICY_MAX)
		return sv_error(SCRVAULT_EUSAGE, "%s: a policy file may be at most %d KiB", label, SV_POLICY_MAX / 1024);
	/* libgit2 would follow [include] and [includeIf]: refuse them before it
	 * sees the text, so a policy never reads another file. */
	{
		const char *q = text;
		int line = 0;

		while (*q) {
			const char *nl = strchr(q, '\n');
			size_t len = nl ? (size_t)(nl - q) : strlen(q);
			char buf[64];

			line++;
			trimmed(buf, sizeof(buf), q, len < 63 ? len : 63);
			if (buf[0] == '[') {
				size_t k = strspn(buf + 1, " \t");

				if (!strncasecmp(buf + 1 + k, "include", 7))
					problem(&c, line, "a policy may not include other files");
			}
			if (!nl)
				break;
			q = nl + 1;
		}
		if (c.count)
			return sv_error(SCRVAULT_EUSAGE, "%s: %s", label, c.first);
	}
	if (!mkdtemp(dir))
		return sv_error(SCRVAULT_ERROR, "cannot make a temporary directory: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	error = sv_file_create(path, text, strlen(text), 0600);
	if (error == 0)
		error = sv_conf_read(&e, &n, &errline, path);
	unlink(path);
	rmdir(dir);
	if (error == SCRVAULT_EUSAGE) {
		/* libgit2's message, without our private path; the line is the problem's. */
		problem(&c, errline, "%s", scrvault_error_message());
		return sv_error(SCRVAULT_EUSAGE, "%s: %s", label, c.first);
	}
	if (error < 0)
		return error;
	if (!(p = sv_calloc(1, sizeof(*p))) || !(p->text = sv_strdup(text))) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if ((error = declare(p, &c, e, n)) < 0)
		goto done;
	for (size_t i = 0; i < n; i++)
		if ((error = entry(p, &c, e[i].name, e[i].value)) < 0)
			goto done;
	finish(p, &c);
	if (c.count) {
		error = sv_error(SCRVAULT_EUSAGE, "%s: %d problem%s; the first: %s", label, c.count,
				 c.count == 1 ? "" : "s", c.first);
		goto done;
	}
	*out = SV_TAKE(p);
done:
	sv_conf_free(e, n);
	sv_policy_free(p);
	return error;
}

int sv_policy_read(sv_policy **out, sv_json **problems, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	int error;

	*out = NULL;
	if ((error = sv_file_read(&text, &len, path, SV_POLICY_MAX + 1)) < 0) {
		if (error == SCRVAULT_ENOTFOUND)
			return sv_error(SCRVAULT_ENOTFOUND, "no policy file '%s'", path);
		return error;
	}
	if (memchr(text, '\0', len)) {
		/* Named at the line of the first NUL byte, like any other problem. */
		checker c = { .problems = NULL, .text = text };
		int line = 1;

		if (problems && !*problems && !(*problems = sv_json_array())) {
			free(text);
			return SCRVAULT_ERROR;
		}
		c.problems = problems ? *problems : NULL;
		for (const char *q = text; *q; q++)
			line += *q == '\n';
		problem(&c, line, "not a text file (a NUL byte)");
		error = sv_error(SCRVAULT_EUSAGE, "%s: %s", path, c.first);
	} else
		error = parse_text(out, problems, text, path);
	free(text);
	return error;
}

int sv_policy_default(sv_policy **out)
{
	return parse_text(out, NULL, sv_default_policy_text, "the built-in default policy");
}

int sv_policy_from_text(sv_policy **out, const char *text, const char *label)
{
	return parse_text(out, NULL, text, label);
}
