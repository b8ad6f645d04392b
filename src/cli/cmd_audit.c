/*
 * cmd_audit.c - scrvault audit pubkey|checkpoint|tail|show|export|verify|
 * prove (one entry, or a proof set)|consistency.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "remote.h"

static int parse_u64(uint64_t *out, const char *s)
{
	char *end = NULL;

	if (!s || !*s || strspn(s, "0123456789") != strlen(s))
		return -1;
	*out = strtoull(s, &end, 10);
	return *end ? -1 : 0;
}

/* -o FILE could not be created (0600, never replacing a file): the message
 * and the exit status, 6 when it exists. */
static int cannot_create(const char *path)
{
	int e = errno;

	fprintf(stderr, "scrvault: cannot create '%s': %s\n", path, strerror(e));
	return e == EEXIST ? 6 : 1;
}

/* Write text to -o FILE (created 0600, not overwritten) or stdout. */
static int emit(const cli_args *a, const char *text)
{
	const char *path = cli_opt(a, "output");
	FILE *f = stdout;
	int fd;

	if (path && ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0 ||
		     !(f = fdopen(fd, "w"))))
		return cannot_create(path);
	fputs(text, f);
	if ((f == stdout ? fflush(f) : fclose(f)) != 0) {
		fprintf(stderr, "scrvault: cannot write: %s\n", strerror(errno));
		return 1;
	}
	if (path)
		fprintf(stderr, "wrote %s\n", path);
	return 0;
}

static int cmd_pubkey(cli_args *a, scrvault *v)
{
	char *vkey = NULL, *line;
	int error;

	if ((error = scrvault_audit_pubkey(&vkey, v)) < 0)
		return cli_fail(error);
	line = malloc(strlen(vkey) + 2);
	if (!line) {
		free(vkey);
		return 1;
	}
	snprintf(line, strlen(vkey) + 2, "%s\n", vkey);
	error = emit(a, line);
	free(line);
	free(vkey);
	return error;
}

/*
 * The end of a command that writes the text a library call made: its
 * failure, or the text written (emit).  *text is freed either way; it is
 * read only here, so the call may stand in the arguments.
 */
static int emit_result(const cli_args *a, int error, char **text)
{
	if (error >= 0)
		error = emit(a, *text);
	else
		error = cli_fail(error);
	free(*text);
	*text = NULL;
	return error;
}

static int cmd_checkpoint(cli_args *a, scrvault *v)
{
	char *note = NULL;

	return emit_result(a, scrvault_audit_checkpoint(&note, v), &note);
}

static const cli_col entry_cols[] = {
	{ "seq", "SEQ" }, { "time", "TIME" }, { "principal", "PRINCIPAL" }, { "role", "ROLE" },
	{ "action", "ACTION" }, { "object", "OBJECT" }, { "outcome", "OUTCOME" }, { NULL, NULL }
};

/* A readable object column: case/doc@version or principal. */
static void print_entries(const scrvault_json *arr)
{
	size_t n = scrvault_json_count(arr);

	printf("%-6s %-20s %-14s %-12s %-18s %-36s %s\n", "SEQ", "TIME", "PRINCIPAL", "ROLE",
	       "ACTION", "OBJECT", "OUTCOME");
	for (size_t i = 0; i < n; i++) {
		const scrvault_json *e = scrvault_json_at(arr, i), *o = scrvault_json_get(e, "objects");
		const char *c = cli_str(o, "case"), *d = cli_str(o, "doc"), *p = cli_str(o, "principal");
		char obj[128] = "-";

		if (d && scrvault_json_get(o, "version"))
			snprintf(obj, sizeof(obj), "%s%s%.12s@%lld", c ? c : "", c ? " " : "", d,
				 cli_int(o, "version"));
		else if (d)
			snprintf(obj, sizeof(obj), "%s%s%.12s", c ? c : "", c ? " " : "", d);
		else if (c)
			snprintf(obj, sizeof(obj), "%s", c);
		else if (p)
			snprintf(obj, sizeof(obj), "principal %s", p);
		/* Made from a file outside the vault's cryptography (unlockfail.c). */
		bool unauth = scrvault_json_bool(scrvault_json_get(scrvault_json_get(e, "details"), "unauthenticated"));

		printf("%-6lld %-20s %-14s %-12s %-18s %-36s %s%s\n", cli_int(e, "seq"), cli_str(e, "time"),
		       cli_str(e, "principal"), cli_str(e, "role"), cli_str(e, "action"), obj, cli_str(e, "outcome"),
		       unauth ? " (unauthenticated)" : "");
	}
}

/* --lines N: the number (default 20), or 0 when it is not one. */
static uint64_t lines_of(const cli_args *a)
{
	uint64_t n = 20;

	if (cli_opt(a, "lines") && (parse_u64(&n, cli_opt(a, "lines")) < 0 || n == 0 || n > 1000000))
		return 0;
	return n;
}

static int check_tail(cli_args *a)
{
	if (!lines_of(a))
		return cli_usage(a, "-n takes a number of entries");
	return 0;
}

static int cmd_tail(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;
	int error;

	if ((error = scrvault_audit_tail(&j, v, (unsigned)lines_of(a))) < 0)
		return cli_fail(error);
	if (!a->json) {
		print_entries(j);
		scrvault_json_free(j);
		return 0;
	}
	return cli_print_list(a, j, entry_cols);
}

static int check_show(cli_args *a)
{
	uint64_t seq;

	if (parse_u64(&seq, a->args[0]) < 0)
		return cli_usage(a, "SEQ is an entry number");
	return 0;
}

/* SEQ, the first argument (its check parsed it). */
static uint64_t seq_arg(const cli_args *a)
{
	uint64_t seq = 0;

	(void)parse_u64(&seq, a->args[0]);
	return seq;
}

static int cmd_show(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;
	int error;

	if ((error = scrvault_audit_show(&j, v, seq_arg(a))) < 0)
		return cli_fail(error);
	cli_print_json(j);
	scrvault_json_free(j);
	return 0;
}

static int cmd_export(cli_args *a, scrvault *v)
{
	scrvault_audit_filter f = {
		.version = SCRVAULT_AUDIT_FILTER_VERSION,
		.since = cli_opt(a, "since"), .until = cli_opt(a, "until"),
		.actor = cli_opt(a, "actor"), .case_ref = cli_opt(a, "case"),
		.doc = cli_opt(a, "doc"), .action = cli_opt(a, "action"),
		.outcome = cli_opt(a, "outcome"), .csv = cli_flag(a, "csv"),
	};
	const char *path = cli_opt(a, "output");
	uint64_t count = 0;
	int fd = 1, error;

	if (path && (fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return cannot_create(path);
	error = scrvault_audit_export(v, &f, fd, &count);
	if (path) {
		if (error == 0 && fsync(fd) < 0)
			error = -1;
		close(fd);
		if (error < 0)
			unlink(path);
	}
	if (error < 0)
		return cli_fail(error);
	fprintf(stderr, "exported %" PRIu64 " entr%s%s%s\n", count, count == 1 ? "y" : "ies",
		path ? " to " : "", path ? path : "");
	return 0;
}

/*
 * The report: the first bad entry and one summary line (every problem with
 * --all).  A filtered export that verifies says what that proves: that its
 * entries are in the signed log, not that it holds all the filter matches.
 */
/*
 * A proof set's report: its title and, when it verifies, one line per entry:
 * when the log recorded it, what it is and the dates it claims.
 */
static void print_set(const cli_args *a, const scrvault_json *r, int error)
{
	const scrvault_json *set = scrvault_json_get(r, "set"), *tl = scrvault_json_get(r, "timeline");
	size_t n = scrvault_json_count(tl);

	if (cli_flag(a, "all"))
		cli_print_each(scrvault_json_get(r, "problems"), "problem");
	if (error && !scrvault_json_is_null(scrvault_json_get(r, "first_bad_seq")))
		printf("first bad entry: %lld: %s\n", cli_int(r, "first_bad_seq"), cli_str(r, "first_problem"));
	else if (error && !cli_flag(a, "all") && cli_str(r, "first_problem"))
		printf("problem: %s\n", cli_str(r, "first_problem"));
	printf("proof set: %s\n", cli_str(set, "title") ? cli_str(set, "title") : "?");
	if (cli_str(set, "case"))
		printf("case: %s\n", cli_str(set, "case"));
	printf("made: %s\n", cli_str(set, "made_at") ? cli_str(set, "made_at") : "?");
	if (error) {
		printf("%lld entries checked against the signed log of %lld entries: FAILED%s\n", cli_int(r, "entries"),
		       cli_int(r, "size"), cli_int(r, "problem_count") > 1 && !cli_flag(a, "all") ?
		       " (more problems: --all lists them)" : "");
		return;
	}
	printf("%-6s %-20s %-22s %-14s %s\n", "SEQ", "RECORDED", "ACTION", "CASE", "DATES CLAIMED");
	for (size_t i = 0; i < n; i++) {
		const scrvault_json *e = scrvault_json_at(tl, i), *c = scrvault_json_get(e, "claims");
		size_t nc = scrvault_json_count(c);

		printf("%-6lld %-20s %-22s %-14s", cli_int(e, "seq"), cli_str(e, "time") ? cli_str(e, "time") : "-",
		       cli_str(e, "action") ? cli_str(e, "action") : "-", cli_str(e, "case") ? cli_str(e, "case") : "-");
		for (size_t k = 0; k < nc; k++) {
			const scrvault_json *d = scrvault_json_at(c, k);

			printf("%s%s %s", k ? ", " : " ", cli_str(d, "name"), cli_str(d, "date"));
		}
		if (!nc)
			printf(" -");
		if (scrvault_json_bool(scrvault_json_get(e, "late")))
			printf("  recorded late (%lld days after)", cli_int(e, "late_days"));
		printf("\n");
	}
	printf("verified: %lld entr%s, each in the signed log of %lld entries; the file holds exactly the entries "
	       "the vault listed\n", cli_int(r, "entries"), cli_int(r, "entries") == 1 ? "y" : "ies", cli_int(r, "size"));
}

static int print_report(const cli_args *a, scrvault_json *r, int error)
{
	if (a->json) {
		cli_print_json(r);
	} else if (scrvault_json_get(r, "set")) {
		print_set(a, r, error);
	} else {
		const scrvault_json *filter = scrvault_json_get(r, "filter");
		long long nprob = cli_int(r, "problem_count");
		bool inclusion = !scrvault_json_is_null(filter);	/* a filtered export */
		char *ftext = inclusion ? scrvault_json_text(filter) : NULL;

		if (cli_flag(a, "all"))
			cli_print_each(scrvault_json_get(r, "problems"), "problem");
		if (!scrvault_json_is_null(scrvault_json_get(r, "first_bad_seq")))
			printf("first bad entry: %lld: %s\n", cli_int(r, "first_bad_seq"), cli_str(r, "first_problem"));
		else if (!cli_flag(a, "all") && cli_str(r, "first_problem"))
			printf("problem: %s\n", cli_str(r, "first_problem"));
		if (inclusion)
			printf("%s filtered by %s: %lld entries checked against the signed log of %lld entries: ",
			       cli_str(r, "kind"), ftext ? ftext : "?", cli_int(r, "entries"), cli_int(r, "size"));
		else
			printf("%s: %lld entries checked, %lld signed checkpoints, log size %lld: ", cli_str(r, "kind"),
			       cli_int(r, "entries"), cli_int(r, "checkpoints"), cli_int(r, "size"));
		if (error)
			printf("FAILED%s\n", nprob > 1 && !cli_flag(a, "all") ? " (more problems: --all lists them)" : "");
		else if (inclusion)
			printf("verified inclusion only: each entry is in the signed log, but an export cannot show that "
			       "it holds every entry the filter matches%s\n",
			       scrvault_json_bool(scrvault_json_get(r, "filter_signed")) ? "" :
			       "; its filter is not signed (export format v1)");
		else
			printf("verified\n");
		free(ftext);
	}
	scrvault_json_free(r);
	if (error < 0) {
		fprintf(stderr, "scrvault: %s\n", scrvault_error_message());
		return -error;
	}
	return 0;
}

/* An export or proof file to verify offline (no vault), or NULL: the live log. */
static const char *verify_file(const cli_args *a)
{
	return a->nargs == 1 ? a->args[0] : cli_opt(a, "proof");
}

static int check_verify(cli_args *a)
{
	if (a->nargs == 1 && cli_opt(a, "proof"))
		return cli_usage(a, "give either --proof FILE or an export FILE");
	a->no_vault = verify_file(a) != NULL;
	return 0;
}

static int cmd_verify(cli_args *a, scrvault *v)
{
	const char *file = verify_file(a);
	scrvault_json *r = NULL;
	int error;

	if (file)
		error = scrvault_audit_verify_file(&r, file, cli_opt(a, "vkey"));
	else
		error = scrvault_audit_verify_live(&r, v, cli_opt(a, "vkey"));
	if (!r)
		return cli_fail(error);
	return print_report(a, r, error);
}

/* A proof set (--seq or --case) rather than one entry (SEQ). */
static bool proving_set(const cli_args *a)
{
	return cli_opt(a, "seq") || cli_opt(a, "case") || cli_opt(a, "title");
}

/*
 * The --seq values (each N or N,N,...) into *out (caller frees), in the
 * order given; -1 when one is not an entry number.
 */
static int set_seqs(uint64_t **out, size_t *n, const cli_args *a)
{
	uint64_t *seqs = NULL;
	size_t count = 0;

	*out = NULL;
	*n = 0;
	for (int i = 0; i < a->nopts; i++) {
		const char *p;

		if (strcmp(a->names[i], "seq") != 0)
			continue;
		for (p = a->values[i];;) {
			size_t len = strcspn(p, ",");
			char num[24];
			uint64_t *grown;

			if (len == 0 || len >= sizeof(num) || !(grown = realloc(seqs, (count + 1) * sizeof(*seqs)))) {
				free(seqs);
				return -1;
			}
			seqs = grown;
			memcpy(num, p, len);
			num[len] = '\0';
			if (parse_u64(&seqs[count], num) < 0 || seqs[count] == 0) {
				free(seqs);
				return -1;
			}
			count++;
			if (!p[len])
				break;
			p += len + 1;
		}
	}
	*out = seqs;
	*n = count;
	return 0;
}

static int check_prove(cli_args *a)
{
	uint64_t seq, *seqs = NULL;
	size_t n = 0;

	if (!proving_set(a)) {
		if (a->nargs != 1)
			return cli_usage(a, "give SEQ, or --seq N... / --case REF with -o FILE for a proof set");
		if (parse_u64(&seq, a->args[0]) < 0 || seq == 0)
			return cli_usage(a, "SEQ is an entry number (from 1)");
		return 0;
	}
	if (a->nargs != 0)
		return cli_usage(a, "give the entries of a proof set with --seq N (not SEQ)");
	if (set_seqs(&seqs, &n, a) < 0)
		return cli_usage(a, "--seq takes entry numbers (from 1), like --seq 12 or --seq 12,15");
	free(seqs);
	if (n == 0 && !cli_opt(a, "case"))
		return cli_usage(a, "name the entries with --seq N, or a case with --case REF");
	if (!cli_opt(a, "output") || !strcmp(cli_opt(a, "output"), "-"))
		return cli_usage(a, "a proof set is written to a file: give -o FILE");
	return 0;
}

static int cmd_prove(cli_args *a, scrvault *v)
{
	scrvault_audit_set set = SCRVAULT_AUDIT_SET_INIT;
	scrvault_json *j = NULL;
	uint64_t *seqs = NULL;
	char *proof = NULL;
	int error;

	if (!proving_set(a))
		return emit_result(a, scrvault_audit_prove(&proof, v, seq_arg(a)), &proof);
	if (set_seqs(&seqs, &set.nseqs, a) < 0)
		return 2;	/* check_prove said so */
	set.seqs = seqs;
	set.case_ref = cli_opt(a, "case");
	set.title = cli_opt(a, "title");
	error = scrvault_audit_prove_set(&j, v, &set, cli_opt(a, "output"));
	free(seqs);
	if (error < 0)
		return cli_fail(error);
	if (a->json) {
		cli_print_json(j);
	} else {
		fprintf(stderr, "wrote %s: %lld entr%s, each with its inclusion proof in the signed log of %lld entries\n",
			cli_str(j, "path"), cli_int(j, "entries"), cli_int(j, "entries") == 1 ? "y" : "ies",
			cli_int(j, "size"));
	}
	scrvault_json_free(j);
	return 0;
}

/* OLD [NEW]: 0, or -1 when they are not log sizes. */
static int sizes(const cli_args *a, uint64_t *old_size, uint64_t *new_size)
{
	*new_size = 0;
	if (parse_u64(old_size, a->args[0]) < 0 || (a->nargs > 1 && parse_u64(new_size, a->args[1]) < 0))
		return -1;
	return 0;
}

static int check_consistency(cli_args *a)
{
	uint64_t old_size, new_size;

	if (sizes(a, &old_size, &new_size) < 0)
		return cli_usage(a, "OLD and NEW are log sizes of signed checkpoints");
	return 0;
}

static int cmd_consistency(cli_args *a, scrvault *v)
{
	uint64_t old_size, new_size;
	char *proof = NULL;

	(void)sizes(a, &old_size, &new_size);
	return emit_result(a, scrvault_audit_consistency(&proof, v, old_size, new_size), &proof);
}

static const cli_optdef out_opts[] = { { "output", 1, NULL, "FILE" }, { NULL, 0, NULL, NULL } };
static const cli_optdef prove_opts[] = {
	{ "output", 1, "output", "FILE" }, { "seq", 1, "seqs", "N" }, { "case", 1, "case_ref", "REF" },
	{ "title", 1, "title", "TEXT" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef tail_opts[] = { { "lines", 1, NULL, "N" }, { NULL, 0, NULL, NULL } };
static const cli_optdef verify_opts[] = {
	{ "vkey", 1, "vkey", "KEY" }, { "proof", 1, NULL, "FILE" }, { "all", 0, NULL, NULL }, { NULL, 0, NULL, NULL }
};
static const cli_optdef export_opts[] = {
	{ "output", 1, NULL, "FILE" }, { "since", 1, "since", "DATE" }, { "until", 1, "until", "DATE" },
	{ "actor", 1, "actor", "NAME" }, { "case", 1, "case_ref", "REF" }, { "doc", 1, "doc", "ID" },
	{ "action", 1, "action", "ACTION" }, { "outcome", 1, "outcome", "OUTCOME" }, { "csv", 0, "csv", NULL },
	{ NULL, 0, NULL, NULL }
};

const cli_cmd cli_audit_commands[] = {
	{ "audit", "pubkey", cmd_pubkey, CLI_VAULT, NULL, "scrvault audit pubkey [-o FILE]",
	  "Print the vault's audit verifier key (C2SP vkey). Auditors verify exports and\n"
	  "proofs with it and nothing else; see keys/README.md for how to hand it over.\n",
	  out_opts, 0, 0 },
	{ "audit", "checkpoint", cmd_checkpoint, CLI_VAULT, NULL, "scrvault audit checkpoint [-o FILE]",
	  "Sign a checkpoint if the log grew, and print the latest signed checkpoint\n"
	  "(a C2SP tlog-checkpoint in a signed note).\n", out_opts, 0, 0 },
	{ "audit", "tail", cmd_tail, CLI_VAULT, check_tail, "scrvault audit tail [--lines N] [--json]",
	  "The last N (default 20) audit entries as a table.\n", tail_opts, 0, 0 },
	{ "audit", "show", cmd_show, CLI_VAULT, check_show, "scrvault audit show SEQ",
	  "One audit entry as canonical JSON.\n", NULL, 1, 1 },
	{ "audit", "export", cmd_export, CLI_VAULT, NULL,
	  "scrvault audit export [-o FILE] [--since DATE] [--until DATE] [--actor NAME] [--case REF] [--doc ID] [--action ACTION] [--outcome OUTCOME] [--csv]",
	  "Export the log as JSON Lines with the latest signed checkpoint (verifiable\n"
	  "offline with 'scrvault audit verify --vkey KEY FILE'), ending with the vault's\n"
	  "signed statement of its filter and entries. With a filter, each entry carries\n"
	  "its inclusion proof: the export proves that its entries are in the log, not\n"
	  "that the filter found them all. --csv writes a spreadsheet table instead\n"
	  "(not verifiable). --action takes an action or a prefix ending in '.', like doc.\n",
	  export_opts, 0, 0 },
	{ "audit", "verify", cmd_verify, CLI_VAULT, check_verify, "scrvault audit verify [--vkey KEY] [--all] [--proof FILE | FILE]",
	  "Verify the live log (no FILE: entries, leaf hashes, every signed checkpoint,\n"
	  "and the newest checkpoint in the store), or offline an export or a proof\n"
	  "file against the verifier key KEY. Exit 5, with the first bad entry and one\n"
	  "summary line (--all: every problem), when anything was edited, removed,\n"
	  "inserted, reordered, truncated or rolled back. A filtered export proves that\n"
	  "its entries are in the signed log, not that it holds every entry matching.\n",
	  verify_opts, 0, 1 },
	{ "audit", "prove", cmd_prove, CLI_VAULT, check_prove,
	  "scrvault audit prove [-o FILE] SEQ | --seq N[,N...]... [--case REF] [--title TEXT] -o FILE",
	  "An inclusion proof of entry SEQ in the latest signed checkpoint, as a C2SP\n"
	  "tlog-proof whose extra data is the entry itself.  With --seq (repeatable) or\n"
	  "--case, a proof set: the chosen entries (with --case alone, every entry about\n"
	  "the case) each with its inclusion proof, the title and the exact list of\n"
	  "entries signed by the vault, written to a new FILE that 'scrvault audit\n"
	  "verify --vkey KEY FILE' checks offline.  The title is not written to the log.\n",
	  prove_opts, 0, 1 },
	{ "audit", "consistency", cmd_consistency, CLI_VAULT, check_consistency, "scrvault audit consistency [-o FILE] OLD [NEW]",
	  "A proof that the log at signed size NEW (default: latest) extends the log at\n"
	  "signed size OLD.\n", out_opts, 1, 2 },
	CLI_CMDS_END
};

/* ---- through the service ---------------------------------------------------------- */

static int remote_tail(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;
	char path[64];
	int st;

	snprintf(path, sizeof(path), "/v1/audit/tail?n=%u", (unsigned)lines_of(a));
	if ((st = cli_remote_json(&j, r, "GET", path, NULL)) != 0)
		return st;
	if (!a->json) {
		print_entries(j);
		scrvault_json_free(j);
		return 0;
	}
	return cli_print_list(a, j, entry_cols);
}

static int remote_pubkey(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;
	char *line = NULL;
	int st;

	if ((st = cli_remote_json(&j, r, "GET", "/v1/audit/pubkey", NULL)) != 0)
		return st;
	if (!cli_str(j, "vkey") || asprintf(&line, "%s\n", cli_str(j, "vkey")) < 0) {
		scrvault_json_free(j);
		return cli_fail_message(1, "the service sent no verifier key", NULL);
	}
	scrvault_json_free(j);
	st = emit(a, line);
	free(line);
	return st;
}

static int remote_export(cli_args *a, cli_remote *r)
{
	static const char *const keys[][2] = {
		{ "since", "since" }, { "until", "until" }, { "actor", "actor" }, { "case", "case" },
		{ "doc", "doc" }, { "action", "action" }, { "outcome", "outcome" },
	};
	const char *path = cli_opt(a, "output");
	char url[1200] = "/v1/audit/export";
	int fd = 1, st;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((st = cli_remote_query(a, url, sizeof(url), keys[i][1], cli_opt(a, keys[i][0]))) != 0)
			return st;
	if (cli_flag(a, "csv") && (st = cli_remote_query(a, url, sizeof(url), "csv", "true")) != 0)
		return st;
	if (path && (fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return cannot_create(path);
	st = cli_remote_fetch(r, url, fd);
	if (path) {
		if (st == 0 && fsync(fd) < 0)
			st = cli_fail_message(1, "cannot write the export to disk", NULL);
		close(fd);
		if (st)
			unlink(path);
		else
			fprintf(stderr, "exported to %s\n", path);
	}
	return st;
}

static int remote_show(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;
	char path[64];
	int st;

	snprintf(path, sizeof(path), "/v1/audit/entries/%llu", (unsigned long long)seq_arg(a));
	if ((st = cli_remote_json(&j, r, "GET", path, NULL)) != 0)
		return st;
	cli_print_json(j);
	scrvault_json_free(j);
	return 0;
}

/* A text answer to -o FILE (created 0600, never replaced; removed unless whole) or stdout, as emit does. */
static int remote_emit(const cli_args *a, cli_remote *r, const char *method, const char *url)
{
	const char *path = cli_opt(a, "output");
	int fd = 1, st;

	if (path && (fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return cannot_create(path);
	st = cli_remote_call_fd(r, method, url, fd);
	if (path) {
		if (st == 0 && fsync(fd) < 0)
			st = cli_fail_message(1, "cannot write to disk", NULL);
		close(fd);
		if (st)
			unlink(path);
		else
			fprintf(stderr, "wrote %s\n", path);
	}
	return st;
}

static int remote_checkpoint(cli_args *a, cli_remote *r)
{
	return remote_emit(a, r, "POST", "/v1/audit/checkpoint");
}

static int remote_prove(cli_args *a, cli_remote *r)
{
	const char *out = cli_opt(a, "output");
	scrvault_json *j = NULL;
	uint64_t *seqs = NULL;
	char url[64], *body = NULL, *list = NULL;
	size_t n = 0, len = 0, cap;
	cli_jb b = { 0 };
	int st;

	if (!proving_set(a)) {
		snprintf(url, sizeof(url), "/v1/audit/proof/%llu", (unsigned long long)seq_arg(a));
		return remote_emit(a, r, "GET", url);
	}
	if (set_seqs(&seqs, &n, a) < 0)
		return 2;	/* check_prove said so */
	if ((st = cli_remote_outfile_free(out, NULL)) != 0)
		goto done;
	cap = n * 22 + 3;
	if (!(list = malloc(cap))) {
		st = cli_fail(SCRVAULT_ERROR);
		goto done;
	}
	len = (size_t)snprintf(list, cap, "[");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(list + len, cap - len, "%s%llu", i ? "," : "", (unsigned long long)seqs[i]);
	snprintf(list + len, cap - len, "]");
	cli_jb_raw(&b, "seqs", list);
	cli_jb_str(&b, "case", cli_opt(a, "case"));
	cli_jb_str(&b, "title", cli_opt(a, "title"));
	if (!(body = cli_jb_end(&b))) {
		st = cli_fail(SCRVAULT_ERROR);
		goto done;
	}
	if ((st = cli_remote_download_call(&j, r, "POST", "/v1/audit/proofs", body, out, false)) != 0)
		goto done;
	if (scrvault_json_set_str(j, "path", out) < 0) {
		st = cli_fail(SCRVAULT_ERROR);
		goto done;
	}
	if (a->json)
		cli_print_json(j);
	else
		fprintf(stderr, "wrote %s: %lld entr%s, each with its inclusion proof in the signed log of %lld entries\n",
			cli_str(j, "path"), cli_int(j, "entries"), cli_int(j, "entries") == 1 ? "y" : "ies",
			cli_int(j, "size"));
done:
	scrvault_json_free(j);
	free(seqs);
	free(list);
	free(body);
	return st;
}

const cli_remote_cmd cli_audit_remote[] = {
	{ "audit", "tail", remote_tail }, { "audit", "pubkey", remote_pubkey }, { "audit", "export", remote_export },
	{ "audit", "show", remote_show }, { "audit", "prove", remote_prove },
	{ "audit", "checkpoint", remote_checkpoint }, CLI_REMOTE_END
};
