/*
 * cmd_case.c - scrvault case open|list|show.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static int cmd_case_open(cli_args *a)
{
	scrvault_case_spec s = {
		.version = SCRVAULT_CASE_SPEC_VERSION,
		.ref = a->args[0],
		.title = cli_opt(a, "title"),
		.review_type = cli_opt(a, "type") ? cli_opt(a, "type") : "scr",
		.subject_dob = cli_opt(a, "subject-dob"),
		.decision_date = cli_opt(a, "decision-date"),
	};
	scrvault *v = NULL;
	int error;

	if (!s.title)
		return cli_usage(a, "a case needs a title: --title TEXT");
	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = scrvault_case_open(v, &s);
	scrvault_vault_close(v);
	if (error < 0)
		return cli_fail(error);
	printf("opened case %s\n", s.ref);
	return 0;
}

static const cli_col case_cols[] = {
	{ "ref", "CASE" }, { "review_type", "TYPE" }, { "status", "STATUS" },
	{ "documents", "DOCS" }, { "decision_date", "DECIDED" }, { "opened_at", "OPENED" },
	{ "title", "TITLE" }, { NULL, NULL }
};

static int cmd_case_list(cli_args *a)
{
	scrvault_json *j = NULL;
	scrvault *v = NULL;
	int error;

	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = scrvault_case_list(&j, v);
	scrvault_vault_close(v);
	return error < 0 ? cli_fail(error) : cli_print_list(a, j, case_cols);
}

static const cli_col case_fields[] = {
	{ "ref", "case" }, { "title", "title" }, { "review_type", "review type" },
	{ "status", "status" }, { "subject_dob", "subject born" },
	{ "decision_date", "decision date" }, { "opened_at", "opened" },
	{ "documents", "documents" }, { NULL, NULL }
};

static const cli_col doc_cols[] = {
	{ "doc", "DOCUMENT" }, { "class", "CLASS" }, { "agency", "AGENCY" },
	{ "latest", "VER" }, { "updated_at", "UPDATED" }, { "title", "TITLE" }, { NULL, NULL }
};

static int cmd_case_show(cli_args *a)
{
	scrvault_json *j = NULL;
	scrvault *v = NULL;
	int error;

	if ((error = cli_open(&v, a)) != 0)
		return error;
	error = scrvault_case_show(&j, v, a->args[0]);
	scrvault_vault_close(v);
	if (error < 0)
		return cli_fail(error);
	if (!a->json) {
		char buf[64];
		const scrvault_json *docs = scrvault_json_get(j, "document_list");

		for (int i = 0; case_fields[i].key; i++) {
			const scrvault_json *f = scrvault_json_get(j, case_fields[i].key);
			const char *s = scrvault_json_str(f);

			if (!s && f && !scrvault_json_is_null(f)) {
				snprintf(buf, sizeof(buf), "%lld", (long long)scrvault_json_int(f));
				s = buf;
			}
			printf("%-16s %s\n", case_fields[i].header, s ? s : "-");
		}
		printf("\n");
		cli_table(docs, doc_cols);
		scrvault_json_free(j);
		return 0;
	}
	return cli_print_object(a, j, case_fields);
}

static const cli_optdef case_opts[] = {
	{ "title", 1 }, { "type", 1 }, { "subject-dob", 1 }, { "decision-date", 1 }, { NULL, 0 }
};

const cli_cmd cli_case_commands[] = {
	{ "case", "open", cmd_case_open,
	  "scrvault case open --title TEXT [--type scr|sir|interagency] [--subject-dob DATE] [--decision-date DATE] REF",
	  "Open a case (a review) under reference REF, like SCR-2026-03.\n\n"
	  "options:\n"
	  "  --title TEXT          the case title (kept encrypted; never in the audit log)\n"
	  "  --type TYPE           scr (serious case review, default), sir (serious incident\n"
	  "                        review) or interagency (interagency management review)\n"
	  "  --subject-dob DATE    the child's date of birth, YYYY-MM-DD (retention)\n"
	  "  --decision-date DATE  when the board decided to hold the review, YYYY-MM-DD\n",
	  case_opts, 1, 1 },
	{ "case", "list", cmd_case_list, "scrvault case list [--json]", "List cases.\n", NULL, 0, 0 },
	{ "case", "show", cmd_case_show, "scrvault case show [--json] REF",
	  "Show a case and its documents.\n", NULL, 1, 1 },
	{ NULL, NULL, NULL, NULL, NULL, NULL, 0, 0 }
};
