/*
 * cmd_agenda.c - scrvault agenda: what is due or overdue for the person
 * asking, most urgent first; --mail-digest for the council's mail relay.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "remote.h"

static const cli_col agenda_cols[] = {
	{ "due", "DUE" }, { "when", "WHEN" }, { "kind", "KIND" }, { "case", "CASE" }, { "what", "WHAT" },
	{ "command", "COMMAND" }, { NULL, NULL }
};

/* --days N: the number (default SCRVAULT_AGENDA_DAYS_DEFAULT), or -1 when not one. */
static int days_of(const cli_args *a)
{
	long long n = SCRVAULT_AGENDA_DAYS_DEFAULT;

	if (cli_opt(a, "days") && !cli_number(&n, cli_opt(a, "days"), 0, SCRVAULT_AGENDA_DAYS_MAX))
		return -1;
	return (int)n;
}

static int check_agenda(cli_args *a)
{
	if (days_of(a) < 0)
		return cli_usage(a, "--days takes a number of days from 0 to %d", SCRVAULT_AGENDA_DAYS_MAX);
	if (cli_opt(a, "output") && !cli_flag(a, "mail-digest"))
		return cli_usage(a, "-o FILE writes the --mail-digest; the agenda itself goes to standard output");
	if (cli_flag(a, "mail-digest") && a->json)
		return cli_usage(a, "--mail-digest is plain text: leave out --json");
	return 0;
}

/* The digest to -o FILE (created 0600, never replacing a file) or stdout. */
static int write_digest(const cli_args *a, const char *text)
{
	const char *path = cli_opt(a, "output");
	FILE *f = stdout;
	int fd;

	if (path && ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0 ||
		     !(f = fdopen(fd, "w")))) {
		int e = errno;

		fprintf(stderr, "scrvault: cannot create '%s': %s\n", path, strerror(e));
		return e == EEXIST ? 6 : 1;
	}
	fputs(text, f);
	if ((f == stdout ? fflush(f) : fclose(f)) != 0) {
		fprintf(stderr, "scrvault: cannot write: %s\n", strerror(errno));
		if (path)
			unlink(path);
		return 1;
	}
	if (path)
		fprintf(stderr, "wrote %s\n", path);
	return 0;
}

static int cmd_agenda(cli_args *a, scrvault *v)
{
	scrvault_agenda_options o = SCRVAULT_AGENDA_OPTIONS_INIT;
	cli_rows *r;
	int error;

	o.days = days_of(a);
	o.as_of = cli_opt(a, "as-of");
	o.kinds = cli_opt(a, "kind");
	if (cli_flag(a, "mail-digest")) {
		char *text = NULL;

		if ((error = scrvault_agenda_digest(&text, v, &o)) < 0)
			return cli_fail(error);
		error = write_digest(a, text);
		free(text);
		return error;
	}
	if (!(r = cli_rows_new(a, agenda_cols)))
		return 1;
	if ((error = scrvault_agenda_each(v, &o, cli_rows_add, r)) < 0) {
		cli_rows_free(r);
		return cli_fail(error);
	}
	return cli_rows_print(r);
}

static const cli_optdef agenda_opts[] = {
	{ "days", 1, "days", "N" }, { "as-of", 1, "as_of", "DATE" }, { "kind", 1, "kinds", "KINDS" },
	{ "mail-digest", 0, NULL, NULL }, { "output", 1, NULL, "FILE" }, { NULL, 0, NULL, NULL }
};

const cli_cmd cli_agenda_commands[] = {
	{ "agenda", NULL, cmd_agenda, CLI_VAULT, check_agenda,
	  "scrvault agenda [--days N] [--as-of DATE] [--kind KINDS] [--json | --mail-digest [-o FILE]]",
	  "Everything due within N days (default 14) or overdue, for you and within your\n"
	  "scope, most urgent first: referrals' decisions and recommendations, IMRs,\n"
	  "completion (extended or not), Ofsted's deadlines, action-plan reviews,\n"
	  "copies due back, FOI answers and stopped clocks,\n"
	  "outside requests awaiting a decision, operations awaiting a second custodian,\n"
	  "disposal batches awaiting approval, retention reviews and destructions due,\n"
	  "take-down dates of published summaries. Each line names the command that\n"
	  "deals with it.\n\n"
	  "options:\n"
	  "  --days N          how far ahead (0 to 3660 days; default 14)\n"
	  "  --as-of DATE      the agenda as of this day (default today)\n"
	  "  --kind KINDS      only these kinds, comma-separated: decision, referral,\n"
	  "                    imr, completion, ofsted, plan-review, copy, foi, request,\n"
	  "                    operation, disposal, retention, take-down\n"
	  "  --mail-digest     plain ASCII text for a mail relay: a Subject line, the\n"
	  "                    counts, then the items; case references, never titles or\n"
	  "                    outside people's names; lines under 78 characters\n"
	  "  -o, --output FILE write the digest to FILE (created 0600, never replaced)\n",
	  agenda_opts, 0, 0 },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, 0, 0 }
};

/* ---- through the service ---------------------------------------------------------- */

static int remote_agenda(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;
	char path[512] = "/v1/agenda", days[16];
	int st;

	if (cli_flag(a, "mail-digest"))
		return cli_usage(a, "the mail digest is made on the vault host (the job that mails it): leave out "
				 "--mail-digest");
	snprintf(days, sizeof(days), "%d", days_of(a));
	if ((st = cli_remote_query(a, path, sizeof(path), "days", days)) != 0 ||
	    (st = cli_remote_query(a, path, sizeof(path), "as_of", cli_opt(a, "as-of"))) != 0 ||
	    (st = cli_remote_query(a, path, sizeof(path), "kinds", cli_opt(a, "kind"))) != 0)
		return st;
	return cli_remote_rows(a, cli_remote_json(&j, r, "GET", path, NULL), &j, "items", agenda_cols);
}

const cli_remote_cmd cli_agenda_remote[] = { { "agenda", NULL, remote_agenda }, { NULL, NULL, NULL } };
