/*
 * cmd_principal.c - scrvault principal add|list|show|grant|ungrant|revoke|
 * rotate|impact; and the new key file's options that init shares.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "agent.h"
#include "cli.h"
#include "remote.h"

int cli_principal_check(const cli_args *a)
{
	if (cli_kdf_memory(a) < 0)
		return cli_usage(a, CLI_KDF_MEMORY_USAGE);
	return 0;
}

void cli_principal_spec(scrvault_principal_spec *s, const cli_args *a, const char *name)
{
	scrvault_principal_spec init = SCRVAULT_PRINCIPAL_SPEC_INIT;

	*s = init;
	s->name = name;
	s->display_name = cli_opt(a, "display-name");
	s->kind = cli_opt(a, "kind") ? cli_opt(a, "kind") : "person";
	s->contact = cli_opt(a, "contact");
	s->agency = cli_opt(a, "agency");
	s->custodian = cli_flag(a, "custodian");
	s->kdf_mib = (unsigned)cli_kdf_memory(a);
}

/* The fingerprint words the coordinator confirmed on the terminal. */
static char confirmed[128];

/*
 * An enrolment request (--enrolment): the words to check it against are
 * --fingerprint, or, on a terminal, the request's own once the coordinator
 * confirms the holder reads the same.  Before the vault is unlocked.
 */
static int check_enrolment(cli_args *a, const char *verb)
{
	scrvault_json *r = NULL;
	char q[1024];
	int error, yes;

	if (cli_opt(a, "key-out") || cli_opt(a, "kind") || cli_opt(a, "agency") || cli_flag(a, "no-passphrase") ||
	    cli_opt(a, "new-passphrase-file") || cli_opt(a, "kdf-memory"))
		return cli_usage(a, "with --enrolment the keys, kind and agency come from the holder's request: "
				 "give no --key-out, --kind, --agency or passphrase options");
	if ((error = scrvault_enrolment_inspect(&r, cli_opt(a, "enrolment"))) < 0)
		return cli_fail(error);
	if (a->nargs > 0 && strcmp(a->args[0], cli_str(r, "name")) != 0) {
		fprintf(stderr, "%s: the enrolment request is of '%s', not of '%s'\n", cli_program, cli_str(r, "name"),
			a->args[0]);
		scrvault_json_free(r);
		return 2;
	}
	if (cli_opt(a, "fingerprint")) {
		scrvault_json_free(r);
		return 0;
	}
	snprintf(q, sizeof(q), "enrolment request %s: %s '%s'%s%s%s\nfingerprint: %s\n"
		 "does the holder read you these same words from their own screen? [y/N] ",
		 verb, cli_str(r, "kind"), cli_str(r, "name"), cli_str(r, "agency") ? " of " : "",
		 cli_str(r, "agency") ? cli_str(r, "agency") : "", cli_str(r, "rotates") ? " (a rotation)" : "",
		 cli_str(r, "fingerprint"));
	snprintf(confirmed, sizeof(confirmed), "%s", cli_str(r, "fingerprint"));
	scrvault_json_free(r);
	if ((yes = cli_ask(q)) < 0)
		return cli_usage(a, "no terminal to confirm the fingerprint on: give --fingerprint \"WORDS\" as the "
				 "holder reads them to you");
	if (!yes) {
		fprintf(stderr, "%s: the fingerprint was not confirmed: nothing registered; ask the holder to send "
			"their request again\n", cli_program);
		return 5;
	}
	return 0;
}

/* The enrolment spec of the command's options. */
static void enrol_spec(scrvault_enrol_spec *s, const cli_args *a)
{
	scrvault_enrol_spec init = SCRVAULT_ENROL_SPEC_INIT;

	*s = init;
	s->enrolment = cli_opt(a, "enrolment");
	s->fingerprint = cli_opt(a, "fingerprint") ? cli_opt(a, "fingerprint") : confirmed;
	s->display_name = cli_opt(a, "display-name");
	s->contact = cli_opt(a, "contact");
	s->custodian = cli_flag(a, "custodian");
	s->acceptance_out = cli_opt(a, "acceptance-out");
}

/* What add and rotate print for a holder's request. */
static int enrolled(cli_args *a, scrvault_json *j, const char *what)
{
	bool held = scrvault_json_get(j, "pending") != NULL;

	if (!a->json) {
		printf("%s %s '%s'%s from their enrolment request%s\n  fingerprint  %s\n  acceptance   %s\n"
		       "send the acceptance to the holder, who imports it into their key file\n"
		       "('scrvault keyfile accept' or 'scrvault-seal accept'; it is public)\n",
		       held ? "asked for" : what, cli_str(j, "kind"), cli_str(j, "name"),
		       scrvault_json_bool(scrvault_json_get(j, "custodian")) ? " (custodian)" : "",
		       held ? " (the key works once approved)" : "",
		       cli_str(j, "fingerprint"), cli_str(j, "acceptance"));
		if (held) {
			char w[160];

			snprintf(w, sizeof(w), "%s '%s'", what, cli_str(j, "name"));
			cli_print_pending(j, w);
		}
	}
	return cli_result(a, j, NULL);
}

static int check_add(cli_args *a)
{
	const char *kind = cli_opt(a, "kind") ? cli_opt(a, "kind") : "person";
	int error;

	if (cli_opt(a, "enrolment"))
		return check_enrolment(a, "to register");
	if (!cli_opt(a, "key-out") || a->nargs == 0)
		return cli_usage(a, "give --enrolment FILE, the holder's request (or, for a service principal, --key-out FILE NAME)");
	if (strcmp(kind, "service") != 0)
		return cli_usage(a, "a %s makes their own key, which nobody else may hold: they run 'scrvault keygen' "
				 "(or 'scrvault-seal keygen') on their own machine and send you the enrolment request; "
				 "register it with --enrolment FILE --fingerprint \"WORDS\" (--key-out is for service "
				 "principals only)", kind);
	if ((error = cli_principal_check(a)) != 0)
		return error;
	if (cli_flag(a, "no-passphrase")) {
		if (strcmp(kind, "service") != 0)
			return cli_usage(a, "only a service principal (--kind service) may have a key file without passphrase");
	} else if ((error = cli_new_passphrase(&a->secret, a, a->args[0])) < 0) {
		return -error;
	}
	return 0;
}

static int cmd_add(cli_args *a, scrvault *v)
{
	const char *key = cli_opt(a, "key-out");
	scrvault_json *j = NULL;
	scrvault_principal_spec s;
	int error;

	if (cli_opt(a, "enrolment")) {
		scrvault_enrol_spec es;

		enrol_spec(&es, a);
		if ((error = scrvault_principal_enrol(&j, v, &es)) < 0)
			return cli_fail(error);
		return enrolled(a, j, "added");
	}
	cli_principal_spec(&s, a, a->args[0]);
	if ((error = scrvault_principal_add(&j, v, &s, key, a->secret)) < 0)
		return cli_fail(error);
	if (j) {
		char what[128];

		if (!a->json)
			printf("key file written: %s (it works once the principal is approved)\n", key);
		snprintf(what, sizeof(what), "adding '%s'", s.name);
		return cli_result_pending(a, j, what);
	}
	printf("added %s '%s'%s; key file: %s\n", s.kind, s.name, s.custodian ? " (custodian)" : "", key);
	return 0;
}

static const cli_col principal_cols[] = {
	{ "name", "NAME" }, { "kind", "KIND" }, { "custodian", "CUSTODIAN" },
	{ "status", "STATUS" }, { "agency", "AGENCY" }, { "display_name", "DISPLAY NAME" },
	{ "contact", "CONTACT" }, { NULL, NULL }
};

static int cmd_list(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_listing(a, scrvault_principal_list(&j, v), &j, principal_cols);
}

static const cli_col principal_fields[] = {
	{ "name", "name" }, { "display_name", "display name" }, { "kind", "kind" },
	{ "agency", "agency" }, { "contact", "contact" }, { "custodian", "custodian" },
	{ "status", "status" }, { "created_at", "created" }, { NULL, NULL }
};

/* After a principal's fields: their roles. */
static int show_roles(const scrvault_json *j)
{
	const scrvault_json *roles = scrvault_json_get(j, "roles");

	if (scrvault_json_count(roles) == 0)
		printf("%-16s %s\n", "roles", "none (grant one with 'scrvault principal grant')");
	for (size_t i = 0; i < scrvault_json_count(roles); i++) {
		const scrvault_json *r = scrvault_json_at(roles, i);
		const char *c = cli_str(r, "case"), *ag = cli_str(r, "agency");

		printf("%-16s %s%s%s%s%s\n", i ? "" : "roles", cli_str(r, "role"), c ? " for case " : " (board-wide)",
		       c ? c : "", ag ? ", agency " : "", ag ? ag : "");
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

static int cmd_show(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_show(a, scrvault_principal_show(&j, v, a->args[0]), &j, principal_fields, show_roles);
}

/* What granting or removing a role did: j is the operation waiting for a
 * second custodian, or NULL (or the answer) when done; freed here. */
static int print_granted(const cli_args *a, scrvault_json *j, bool grant)
{
	const char *name = a->args[0], *role = a->args[1];

	if (scrvault_json_get(j, "pending")) {
		char what[128];

		snprintf(what, sizeof(what), "granting role %s to '%s'", role, name);
		return cli_result_pending(a, j, what);
	}
	scrvault_json_free(j);
	printf("%s role %s %s '%s'%s%s%s%s\n", grant ? "granted" : "removed", role, grant ? "to" : "from", name,
	       cli_opt(a, "case") ? " for case " : "", cli_opt(a, "case") ? cli_opt(a, "case") : "",
	       cli_opt(a, "agency") ? ", agency " : "", cli_opt(a, "agency") ? cli_opt(a, "agency") : "");
	return 0;
}

/* What revoking a principal did, as print_granted. */
static int print_revoked(const cli_args *a, scrvault_json *j)
{
	if (scrvault_json_get(j, "pending")) {
		char what[128];

		snprintf(what, sizeof(what), "revoking '%s'", a->args[0]);
		return cli_result_pending(a, j, what);
	}
	scrvault_json_free(j);
	printf("revoked '%s'\n", a->args[0]);
	return 0;
}

static int grant_or_ungrant(cli_args *a, scrvault *v, bool grant)
{
	const char *name = a->args[0], *role = a->args[1];
	scrvault_json *j = NULL;
	int error;

	error = grant ? scrvault_principal_grant(&j, v, name, role, cli_opt(a, "case"), cli_opt(a, "agency"))
		: scrvault_principal_ungrant(v, name, role, cli_opt(a, "case"), cli_opt(a, "agency"));
	if (error < 0)
		return cli_fail(error);
	return print_granted(a, j, grant);
}

static int cmd_grant(cli_args *a, scrvault *v) { return grant_or_ungrant(a, v, true); }
static int cmd_ungrant(cli_args *a, scrvault *v) { return grant_or_ungrant(a, v, false); }

static int cmd_revoke(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_outcome(a, scrvault_principal_revoke(&j, v, a->args[0], cli_opt(a, "reason")), &j, print_revoked);
}

static int check_rotate(cli_args *a)
{
	int error;

	if (cli_opt(a, "enrolment"))
		return check_enrolment(a, "to rotate to");
	if (!cli_opt(a, "key-out"))
		return cli_usage(a, "give --key-out FILE for the new key file");
	if ((error = cli_principal_check(a)) != 0)
		return error;
	if (!cli_flag(a, "no-passphrase") && (error = cli_new_passphrase(&a->secret, a, a->args[0])) < 0)
		return -error;
	return 0;
}

static int cmd_rotate(cli_args *a, scrvault *v)
{
	const char *key = cli_opt(a, "key-out");
	scrvault_json *j = NULL;
	int error;

	if (cli_opt(a, "enrolment")) {
		scrvault_enrol_spec es;

		enrol_spec(&es, a);
		if ((error = scrvault_principal_rotate_enrol(&j, v, a->args[0], &es)) < 0)
			return cli_fail(error);
		return enrolled(a, j, "new keys for");
	}
	if ((error = scrvault_principal_rotate(&j, v, a->args[0], key, a->secret, (unsigned)cli_kdf_memory(a))) < 0)
		return cli_fail(error);
	if (j) {
		char what[128];

		if (!a->json)
			printf("new key file written: %s (it works, and the old one stops, once approved)\n", key);
		snprintf(what, sizeof(what), "new keys for '%s'", a->args[0]);
		return cli_result_pending(a, j, what);
	}
	printf("new keys for '%s' in %s; the old key file no longer works\n", a->args[0], key);
	return 0;
}

static const cli_col release_cols[] = {
	{ "released_at", "RELEASED" }, { "kind", "KIND" }, { "case", "CASE" }, { "doc", "DOCUMENT" },
	{ "version", "VER" }, { "class", "CLASS" }, { "role", "ROLE" }, { "to", "TO KEY" },
	{ "request", "REQUEST" }, { "audit_seq", "AUDIT" },
	{ NULL, NULL }
};

static int cmd_impact(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_listing(a, scrvault_principal_impact(&j, v, a->args[0]), &j, release_cols);
}

/* A passkey link: the holder's URL (or the token and where to open it). */
static int print_link(cli_args *a, scrvault_json *j)
{
	const char *token = scrvault_json_str(scrvault_json_get(j, "link"));
	const char *url = scrvault_json_str(scrvault_json_get(j, "url"));
	const char *origin = cli_opt(a, "origin");
	time_t exp = (time_t)scrvault_json_int(scrvault_json_get(j, "expires"));
	char when[32] = "?", *mine = NULL;
	struct tm tm;

	if (origin && token && asprintf(&mine, "%s/#/register?link=%s", origin, token) > 0) {
		scrvault_json_set_str(j, "url", mine);
		url = scrvault_json_str(scrvault_json_get(j, "url"));
	}
	if (a->json)
		cli_print_json(j);
	else {
		if (gmtime_r(&exp, &tm))
			strftime(when, sizeof(when), "%d/%m/%Y %H:%M UTC", &tm);
		printf("passkey link for '%s' (one use, until %s): give it to them alone\n", a->args[0], when);
		if (url)
			printf("  %s\n", url);
		else
			printf("  /#/register?link=%s on the vault's pages (--origin URL prints it whole)\n",
			       token ? token : "?");
	}
	if (mine) {
		explicit_bzero(mine, strlen(mine));
		free(mine);
	}
	scrvault_json_free(j);
	return 0;
}

static int check_origin(cli_args *a)
{
	const char *o = cli_opt(a, "origin");

	if (o && (strncmp(o, "https://", 8) != 0 || strcspn(o + 8, "/?#") != strlen(o + 8))) {
		fprintf(stderr, "scrvault: --origin is the pages' address, https://NAME[:PORT], nothing after it\n");
		return 2;
	}
	return 0;
}

static int cmd_passkey_link(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;
	int rc;

	if ((rc = scrvault_passkey_link(&j, v, a->args[0])) < 0)
		return cli_fail(rc);
	return print_link(a, j);
}

static const cli_optdef link_opts[] = { { "origin", 1, "origin", "URL" }, { NULL, 0, NULL, NULL } };

static const cli_optdef principal_opts[] = {
	CLI_PRINCIPAL_OPTS, { "custodian", 0, "custodian", NULL }, { "no-passphrase", 0, NULL, NULL },
	{ "enrolment", 1, "enrolment", "FILE" }, { "fingerprint", 1, "fingerprint", "WORDS" },
	{ "acceptance-out", 1, "acceptance_out", "FILE" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef grant_opts[] = {
	{ "case", 1, "case_ref", "REF" }, { "agency", 1, "agency", "NAME" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef revoke_opts[] = { { "reason", 1, "reason", "TEXT" }, { NULL, 0, NULL, NULL } };

const cli_cmd cli_principal_commands[] = {
	{ "principal", "add", cmd_add, CLI_VAULT, check_add,
	  "scrvault principal add --enrolment FILE [--fingerprint WORDS] [--custodian] [options] [NAME]\n"
	  "       scrvault principal add --kind service --key-out FILE [options] NAME",
	  "Register a person or an agency from the enrolment request they made with their\n"
	  "own key ('scrvault keygen' or 'scrvault-seal keygen'): its self-signature is\n"
	  "checked, the name must be new and its keys nobody's, and the fingerprint must be\n"
	  "the words the holder reads to you (--fingerprint, or confirmed on the terminal).\n"
	  "Writes the vault's signed acceptance for the holder to import. Only a service\n"
	  "principal (a scheduled job) gets a key file made here (--key-out).  Adding a\n"
	  "custodian or a service principal waits for a second custodian ('scrvault\n"
	  "approve ID') while dual control is in force.\n\n"
	  "options:\n"
	  "  --enrolment FILE            the holder's enrolment request\n"
	  "  --fingerprint WORDS         the six words the holder read to you\n"
	  "  --acceptance-out FILE       the acceptance to write (default NAME.accept)\n"
	  "  --custodian                 may unlock the vault (gets a wrap of the master key)\n"
	  "  --no-passphrase             a service principal's key file without passphrase\n"
	  "service principals:\n" CLI_PRINCIPAL_HELP,
	  principal_opts, 0, 1 },
	{ "principal", "list", cmd_list, CLI_VAULT, NULL, "scrvault principal list [--json]",
	  "List the vault's principals.\n", NULL, 0, 0 },
	{ "principal", "show", cmd_show, CLI_VAULT, NULL, "scrvault principal show [--json] NAME",
	  "Show one principal.\n", NULL, 1, 1 },
	{ "principal", "grant", cmd_grant, CLI_VAULT, NULL,
	  "scrvault principal grant [--case REF] [--agency NAME] NAME ROLE",
	  "Give NAME a role of the policy ('scrvault policy show' lists them): board-wide\n"
	  "roles take neither option, case roles --case, case-and-agency roles both.\n"
	  "A role the policy's [separation] keeps apart from one NAME holds on that case\n"
	  "is refused (exit 6).  A role that can approve or decide waits for a second\n"
	  "custodian while dual control is in force.\n",
	  grant_opts, 2, 2 },
	{ "principal", "ungrant", cmd_ungrant, CLI_VAULT, NULL,
	  "scrvault principal ungrant [--case REF] [--agency NAME] NAME ROLE",
	  "Take a role away again (the same options it was granted with).\n", grant_opts, 2, 2 },
	{ "principal", "revoke", cmd_revoke, CLI_VAULT, NULL, "scrvault principal revoke [--reason TEXT] NAME",
	  "Revoke a principal: they can do nothing from now on.  A custodian's wrap of the\n"
	  "master key is removed and the others are written afresh.  Under dual control this\n"
	  "waits for a second custodian ('scrvault approve ID').\n", revoke_opts, 1, 1 },
	{ "principal", "rotate", cmd_rotate, CLI_VAULT, check_rotate,
	  "scrvault principal rotate --enrolment FILE [--fingerprint WORDS] NAME\n"
	  "       scrvault principal rotate --key-out FILE [--new-passphrase-file FILE] NAME",
	  "New keys for a principal. A person or agency rotates their own key: they run\n"
	  "'scrvault keygen --rotate OLDKEY' and send the request, signed by the new key\n"
	  "and their registered one; it is registered like 'principal add --enrolment'\n"
	  "(fingerprint, acceptance). A lost key is revoked and its holder enrols anew.\n"
	  "--key-out writes a service principal's new key file. The old key no longer\n"
	  "unlocks or acts.  A custodian's new keys wait for a second custodian while\n"
	  "dual control is in force.\n\n"
	  "options:\n"
	  "  --enrolment FILE            the holder's rotation request\n"
	  "  --fingerprint WORDS         the six words the holder read to you\n"
	  "  --acceptance-out FILE       the acceptance to write (default NAME.accept)\n"
	  "  --key-out FILE              a service principal's new key file\n", principal_opts, 1, 1 },
	{ "principal", "passkey-link", cmd_passkey_link, CLI_VAULT, check_origin,
	  "scrvault principal passkey-link [--json] [--origin URL] NAME",
	  "A one-time link for NAME to register a passkey on the vault's web pages, good\n"
	  "for 24 hours (a newer link replaces an unused one).  Give it to NAME alone, by a\n"
	  "route you trust: whoever opens it first registers a passkey as NAME.  A\n"
	  "custodian's link is made by that custodian alone; a service gets none.\n\n"
	  "options:\n"
	  "  --origin URL                the pages' address, to print the link whole\n"
	  "                              (through the service: the service's own)\n", link_opts, 1, 1 },
	{ "principal", "impact", cmd_impact, CLI_VAULT, NULL, "scrvault principal impact [--json] NAME",
	  "Every document version ever released to NAME, with the role and request:\n"
	  "the list to assess after a revocation or a lost laptop.\n", NULL, 1, 1 },
	CLI_CMDS_END
};

/* ---- through the service ---------------------------------------------------------- */

static int remote_list(cli_args *a, cli_remote *r)
{
	return cli_remote_get_list(a, r, "/v1/principals", principal_cols);
}

static int remote_show(cli_args *a, cli_remote *r)
{
	return cli_remote_show_arg(a, r, "the principal", "/v1/principals", principal_fields, show_roles);
}

/*
 * Register a holder from their enrolment request: the request's text is
 * read here and posted; the acceptance comes back as text and is written
 * here (--acceptance-out, default NAME.accept, never replacing a file).
 */
static int remote_add(cli_args *a, cli_remote *r)
{
	const char *fp = cli_opt(a, "fingerprint") ? cli_opt(a, "fingerprint") : confirmed;
	scrvault_json *req = NULL, *j = NULL;
	char *text = NULL, *body = NULL, *acc = NULL;
	cli_jb b = { 0 };
	struct stat sb;
	int st, error;

	if (!cli_opt(a, "enrolment"))
		return cli_usage(a, "through the service only a holder's enrolment request is registered "
				 "(--enrolment FILE); a service principal's key file is made on the vault host");
	if ((error = scrvault_enrolment_inspect(&req, cli_opt(a, "enrolment"))) < 0)
		return cli_fail(error);
	if (cli_opt(a, "acceptance-out"))
		acc = strdup(cli_opt(a, "acceptance-out"));
	else if (asprintf(&acc, "%s.accept", cli_str(req, "name")) < 0)
		acc = NULL;
	scrvault_json_free(req);
	if (!acc)
		return cli_fail(SCRVAULT_ERROR);
	if (lstat(acc, &sb) == 0) {
		char msg[600];

		snprintf(msg, sizeof(msg), "'%s' already exists; refusing to overwrite it", acc);
		st = cli_fail_message(6, msg, "acceptance_out");
		goto done;
	}
	if (!(text = cli_read_file(cli_opt(a, "enrolment"), 30 * 1024))) {
		st = 1;
		goto done;
	}
	cli_jb_str(&b, "request", text);
	cli_jb_str(&b, "fingerprint", fp);
	cli_jb_str(&b, "display_name", cli_opt(a, "display-name"));
	cli_jb_str(&b, "contact", cli_opt(a, "contact"));
	if (cli_flag(a, "custodian"))
		cli_jb_bool(&b, "custodian", true);
	if (!(body = cli_jb_end(&b))) {
		st = cli_fail(SCRVAULT_ERROR);
		goto done;
	}
	if ((st = cli_remote_json(&j, r, "POST", "/v1/principals", body)) != 0)
		goto done;
	if (!cli_str(j, "acceptance")) {
		st = cli_fail_message(1, "the service sent no acceptance", NULL);
		goto done;
	}
	if ((st = cli_write_new(acc, cli_str(j, "acceptance"))) != 0)
		goto done;
	if (scrvault_json_set_str(j, "acceptance", acc) < 0) {
		st = cli_fail(SCRVAULT_ERROR);
		goto done;
	}
	st = enrolled(a, j, "added");
	j = NULL;
done:
	scrvault_json_free(j);
	free(text);
	free(body);
	free(acc);
	return st;
}

static int remote_grant_or_ungrant(cli_args *a, cli_remote *r, bool grant)
{
	scrvault_json *j = NULL;
	cli_jb b = { 0 };
	int st;

	cli_jb_str(&b, "role", a->args[1]);
	cli_jb_str(&b, "case", cli_opt(a, "case"));
	cli_jb_str(&b, "agency", cli_opt(a, "agency"));
	if ((st = cli_remote_arg_call(&j, a, r, "POST", "the principal", "/v1/principals",
				      grant ? "roles" : "roles/revoke", &b)) != 0)
		return st;
	return print_granted(a, j, grant);
}

static int remote_grant(cli_args *a, cli_remote *r) { return remote_grant_or_ungrant(a, r, true); }
static int remote_ungrant(cli_args *a, cli_remote *r) { return remote_grant_or_ungrant(a, r, false); }

static int remote_revoke(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;
	cli_jb b = { 0 };

	cli_jb_str(&b, "reason", cli_opt(a, "reason"));
	return cli_remote_outcome(a, cli_remote_arg_call(&j, a, r, "POST", "the principal", "/v1/principals", "revoke", &b),
				  &j, print_revoked);
}

static int remote_impact(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;

	return cli_remote_listing(a, cli_remote_arg_call(&j, a, r, "GET", "the principal", "/v1/principals", "impact",
							 NULL), &j, release_cols);
}

static int remote_passkey_link(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;
	int st;

	if ((st = cli_remote_arg_call(&j, a, r, "POST", "the principal", "/v1/principals", "passkey-link", NULL)))
		return st;
	return print_link(a, j);
}

/* NAME checked before the sign-in. */
static int seg_name(const cli_args *a)
{
	return cli_remote_seg(a, "the principal", a->args[0]) ? 0 : 2;
}

const cli_remote_cmd cli_principal_remote[] = {
	{ "principal", "list", remote_list, NULL }, { "principal", "show", remote_show, seg_name },
	{ "principal", "add", remote_add, NULL }, { "principal", "grant", remote_grant, seg_name },
	{ "principal", "ungrant", remote_ungrant, seg_name }, { "principal", "revoke", remote_revoke, seg_name },
	{ "principal", "impact", remote_impact, seg_name },
	{ "principal", "passkey-link", remote_passkey_link, seg_name }, CLI_REMOTE_END
};
