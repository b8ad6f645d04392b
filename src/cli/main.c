/*
 * main.c - the scrvault command: global options, the command table, exit
 * codes (DESIGN §9): 0 ok, 1 error, 2 usage, 3 denied, 4 not found,
 * 5 integrity failure, 6 conflict with the current state.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "cli.h"
#include "scrvault/requests.h"

#define SV_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

const char cli_program[] = "scrvault";

static const cli_cmd *const tables[] = {
	cli_vault_commands, cli_case_commands, cli_doc_commands, cli_audit_commands,
	cli_policy_commands, cli_bundle_commands, cli_copy_commands, cli_request_commands,
	cli_retention_commands, cli_replication_commands, NULL
};
static cli_cmd cli_commands[128];

static void collect_commands(void)
{
	size_t n = 0;

	for (int t = 0; tables[t]; t++)
		for (const cli_cmd *c = tables[t]; c->group && n + 1 < SV_ARRAY_LEN(cli_commands); c++)
			cli_commands[n++] = *c;
}

static const cli_optdef global_opts[] = {
	{ "vault", 1 }, { "key", 1 }, { "passphrase-file", 1 }, { "role", 1 },
	{ "as-key", 1 }, { "as-passphrase-file", 1 },
	{ "json", 0 }, { "help", 0 }, { NULL, 0 }
};

#define GLOBAL_HELP \
	"global options:\n" \
	"  --vault DIR             the vault (default $SCRVAULT_DIR)\n" \
	"  --key FILE              your key file (default $SCRVAULT_KEY)\n" \
	"  --passphrase-file FILE  read the passphrase from FILE\n" \
	"                          (default $SCRVAULT_PASSPHRASE_FILE, else a prompt)\n" \
	"  --role ROLE             the role you act in, one you hold\n" \
	"                          (default coordinator if held, else your only role)\n" \
	"  --as-key FILE           act as the principal of FILE (any principal) in a session\n" \
	"                          the custodian of --key unlocks (default $SCRVAULT_AS_KEY)\n" \
	"  --as-passphrase-file FILE  that key file's passphrase (else a prompt)\n" \
	"  --json                  machine-readable output\n" \
	"  -h, --help              this help\n"

static void print_usage(FILE *f, const cli_cmd *c)
{
	fprintf(f, "usage: %s\n", c->usage);
	if (c->help && *c->help)
		fprintf(f, "\n%s", c->help);
	fprintf(f, "\n" GLOBAL_HELP);
}

int cli_open(scrvault **out, const cli_args *a)
{
	const char *dir = cli_opt(a, "vault"), *key = cli_opt(a, "key"), *as = cli_opt(a, "as-key");
	const char *req = cli_opt(a, "request");
	scrvault_secret *pp = NULL, *aspp = NULL;
	long long reqid = 0;
	int error;

	*out = NULL;
	if (req) {
		char *end = NULL;

		reqid = strtoll(req, &end, 10);
		if (!*req || *end || reqid <= 0)
			return cli_usage(a, "--request takes the number of an agreed access request");
	}
	if (!dir)
		dir = getenv("SCRVAULT_DIR");
	if (!key)
		key = getenv("SCRVAULT_KEY");
	if (!dir || !*dir)
		return cli_usage(a, "no vault given: use --vault DIR or set SCRVAULT_DIR");
	if (!key || !*key)
		return cli_usage(a, "no key file given: use --key FILE or set SCRVAULT_KEY");
	if ((error = cli_passphrase(&pp, a, key)) < 0)
		return cli_fail(error);
	if (!as)
		as = getenv("SCRVAULT_AS_KEY");
	if (as && *as) {
		const char *file = cli_opt(a, "as-passphrase-file");

		if (file)
			error = scrvault_secret_read_file(&aspp, file);
		else
			error = cli_prompt_secret(&aspp, as);
		if (error < 0) {
			scrvault_secret_free(pp);
			return cli_fail(error);
		}
		error = scrvault_open_as(out, dir, key, pp, as, aspp, cli_opt(a, "role"));
	} else {
		error = scrvault_open(out, dir, key, pp, cli_opt(a, "role"));
	}
	scrvault_secret_free(pp);
	scrvault_secret_free(aspp);
	if (error < 0)
		return cli_fail(error);
	if (reqid)
		scrvault_use_request(*out, (int64_t)reqid);
	return 0;
}

/* ---- output -------------------------------------------------------------------- */

static const char *cell(const scrvault_json *row, const char *key, char *buf, size_t len)
{
	const scrvault_json *v = scrvault_json_get(row, key);
	const char *s;

	if (!v || scrvault_json_is_null(v))
		return "-";
	if ((s = scrvault_json_str(v)))
		return s;
	{
		char *t = scrvault_json_text(v);

		snprintf(buf, len, "%s", t ? t : "?");
		free(t);
	}
	return buf;
}

/*
 * A listing on its way out: with --json the rows' canonical text joined into
 * one array, else the table's cells (each ended by a NUL) and column widths.
 * Nothing is written until cli_rows_print, so a listing that fails half way
 * prints only its error.  Rows are taken one at a time (cli_rows_add is a
 * scrvault_row_fn), so a register of any size never exists as one JSON value.
 */
#define CLI_MAX_COLS 16
#define CLI_CELL_MAX 60		/* a column is never padded wider */
#define CLI_LAST_MAX 200	/* the last column is cut here */

typedef struct {
	char *b;
	size_t len, cap;
	bool failed;		/* out of memory */
} cli_buf;

static int buf_add(cli_buf *o, const char *s, size_t len)
{
	if (o->failed)
		return -1;
	if (len > o->cap - o->len) {
		size_t cap = o->cap ? o->cap : 4096;
		char *b;

		while (len > cap - o->len)
			cap *= 2;
		if (!(b = realloc(o->b, cap))) {
			o->failed = true;
			return -1;
		}
		o->b = b;
		o->cap = cap;
	}
	memcpy(o->b + o->len, s, len);
	o->len += len;
	return 0;
}

/* s cut to `width` bytes (not inside a UTF-8 sequence), padded to it unless
 * last, then the separator. */
static int buf_cell(cli_buf *o, const char *s, size_t width, bool last)
{
	static const char spaces[] = "                                                              ";
	size_t len = strlen(s), n = len;

	_Static_assert(sizeof(spaces) > CLI_CELL_MAX, "padding");
	if (n > width) {
		n = width;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	if (buf_add(o, s, n) < 0)
		return -1;
	if (last)
		return buf_add(o, "\n", 1);
	/* a header wider than CLI_CELL_MAX is its own width: pad in steps */
	while (n < width) {
		size_t pad = width - n < CLI_CELL_MAX ? width - n : CLI_CELL_MAX;

		if (buf_add(o, spaces, pad) < 0)
			return -1;
		n += pad;
	}
	return buf_add(o, "  ", 2);
}

struct cli_rows {
	bool json;
	size_t ncol, n;
	const cli_col *cols;
	size_t width[CLI_MAX_COLS];
	cli_buf text;		/* JSON so far, or every cell ended by a NUL */
};

cli_rows *cli_rows_new(const cli_args *a, const cli_col *cols)
{
	cli_rows *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->json = a && a->json;
	r->cols = cols;
	for (r->ncol = 0; cols[r->ncol].key && r->ncol < CLI_MAX_COLS; r->ncol++)
		r->width[r->ncol] = strlen(cols[r->ncol].header);
	if (r->json && buf_add(&r->text, "[", 1) < 0) {
		free(r);
		return NULL;
	}
	return r;
}

int cli_rows_add(void *ctx, const scrvault_json *row)
{
	cli_rows *r = ctx;
	char buf[256];

	if (r->json) {
		char *t = scrvault_json_text(row);
		int error = 0;

		if (!t)
			r->text.failed = true;
		if (!t || (r->n > 0 && buf_add(&r->text, ",", 1) < 0) || buf_add(&r->text, t, strlen(t)) < 0)
			error = -1;
		free(t);
		r->n += error == 0;
		return error;
	}
	for (size_t c = 0; c < r->ncol; c++) {
		const char *s = cell(row, r->cols[c].key, buf, sizeof(buf));
		size_t w = strlen(s);

		if (buf_add(&r->text, s, w + 1) < 0)
			return -1;
		if (w > r->width[c])
			r->width[c] = w > CLI_CELL_MAX ? CLI_CELL_MAX : w;
	}
	r->n++;
	return 0;
}

/* The table: header, then the rows from the cells, or "(none)". */
static int rows_format(cli_buf *o, const cli_rows *r)
{
	const char *at = r->text.b;

	for (size_t c = 0; c < r->ncol; c++)
		if (buf_cell(o, r->cols[c].header, c + 1 == r->ncol ? SIZE_MAX : r->width[c], c + 1 == r->ncol) < 0)
			return -1;
	for (size_t i = 0; i < r->n; i++)
		for (size_t c = 0; c < r->ncol; c++) {
			bool last = c + 1 == r->ncol;

			if (buf_cell(o, at, last ? CLI_LAST_MAX : r->width[c], last) < 0)
				return -1;
			at += strlen(at) + 1;
		}
	return r->n == 0 ? buf_add(o, "(none)\n", 7) : 0;
}

int cli_rows_print(cli_rows *r)
{
	cli_buf out = { 0 };
	const cli_buf *o = &out;
	int error;

	if (!r) {
		fprintf(stderr, "scrvault: out of memory\n");
		return 1;
	}
	if (r->json) {
		error = buf_add(&r->text, "]\n", 2);
		o = &r->text;
	} else {
		error = r->text.failed ? -1 : rows_format(&out, r);
	}
	if (error < 0 || r->text.failed) {
		fprintf(stderr, "scrvault: out of memory\n");
		error = 1;
	} else {
		error = fwrite(o->b, 1, o->len, stdout) == o->len && fflush(stdout) == 0 ? 0 : 1;
	}
	free(out.b);
	cli_rows_free(r);
	return error;
}

void cli_rows_free(cli_rows *r)
{
	if (r) {
		free(r->text.b);
		free(r);
	}
}

void cli_table(const scrvault_json *rows, const cli_col *cols)
{
	cli_rows *r = cli_rows_new(NULL, cols);
	size_t n = scrvault_json_count(rows);

	for (size_t i = 0; r && i < n; i++)
		if (cli_rows_add(r, scrvault_json_at(rows, i)) < 0)
			break;
	(void)cli_rows_print(r);
}

int cli_print_list(const cli_args *a, scrvault_json *j, const cli_col *cols)
{
	if (a->json) {
		cli_print_json(j);
	} else {
		cli_table(j, cols);
	}
	scrvault_json_free(j);
	return fflush(stdout) == 0 ? 0 : 1;
}

void cli_print_fields(const scrvault_json *j, const cli_col *fields)
{
	char buf[256];

	for (int i = 0; fields[i].key; i++)
		printf("%-16s %s\n", fields[i].header, cell(j, fields[i].key, buf, sizeof(buf)));
}

int cli_print_object(const cli_args *a, scrvault_json *j, const cli_col *fields)
{
	if (a->json)
		cli_print_json(j);
	else
		cli_print_fields(j, fields);
	scrvault_json_free(j);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* ---- dispatch ---------------------------------------------------------------- */

static void main_usage(FILE *f)
{
	const char *last = "";

	fprintf(f, "usage: scrvault [global options] COMMAND [options]\n\ncommands:\n");
	for (const cli_cmd *c = cli_commands; c->group; c++) {
		if (strcmp(last, c->group) != 0)
			fprintf(f, "  %-10s", c->group);
		else
			fprintf(f, "  %-10s", "");
		fprintf(f, "%s\n", c->usage + strlen("scrvault "));
		last = c->group;
	}
	fprintf(f, "\n" GLOBAL_HELP "\nexit codes: 0 ok, 1 error, 2 usage, 3 denied, 4 not found,\n"
		   "5 integrity failure, 6 conflict with the current state\n");
}

/* Whether argv[i] is a global option that takes the next word as its value. */
static bool takes_value(const char *arg)
{
	for (int i = 0; global_opts[i].name; i++)
		if (global_opts[i].has_arg && arg[0] == '-' && arg[1] == '-' &&
		    strcmp(arg + 2, global_opts[i].name) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	const cli_cmd *cmd = NULL;
	const char *group = NULL, *name = NULL;
	char **rest;
	int nrest = 0, gi = -1, ni = -1, error;
	cli_args a;

	collect_commands();
	/* The command words may follow global options: find them. */
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-') {
			if (!strcmp(argv[i], "--"))
				break;
			if (takes_value(argv[i]))
				i++;
			continue;
		}
		if (gi < 0) {
			gi = i;
			group = argv[i];
		} else {
			ni = i;
			name = argv[i];
			break;
		}
	}
	if (!group) {
		for (int i = 1; i < argc; i++)
			if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
				main_usage(stdout);
				return 0;
			} else if (!strcmp(argv[i], "--version")) {
				printf("scrvault %s\n", SCRVAULT_VERSION);
				return 0;
			}
		main_usage(stderr);
		return 2;
	}
	if (!strcmp(group, "help")) {
		main_usage(stdout);
		return 0;
	}
	for (const cli_cmd *c = cli_commands; c->group; c++) {
		if (strcmp(c->group, group) != 0)
			continue;
		if (!c->name || (name && !strcmp(c->name, name))) {
			cmd = c;
			break;
		}
	}
	if (!cmd) {
		bool known = false;

		for (const cli_cmd *c = cli_commands; c->group; c++)
			known |= !strcmp(c->group, group);
		if (known) {
			FILE *f = name ? stderr : stdout;
			bool asked = false;

			for (int i = 1; i < argc; i++)
				asked |= !strcmp(argv[i], "-h") || !strcmp(argv[i], "--help");
			if (name)
				fprintf(stderr, "scrvault: unknown command '%s %s'\n", group, name);
			else if (!asked)
				f = stderr;
			fprintf(f, "%s commands:\n", group);
			for (const cli_cmd *c = cli_commands; c->group; c++)
				if (!strcmp(c->group, group))
					fprintf(f, "  %s\n", c->usage);
			return (asked && !name) ? 0 : 2;
		}
		fprintf(stderr, "scrvault: unknown command '%s'\n", group);
		main_usage(stderr);
		return 2;
	}
	if (!cmd->name)
		ni = -1;
	/* Usage and --version above need no set-up. */
	if (scrvault_global_init_ex(cmd->bundles_only ? SCRVAULT_INIT_BUNDLES_ONLY : 0) < 0) {
		fprintf(stderr, "scrvault: %s\n", scrvault_error_message());
		return 1;
	}
	/* argv without the command words; rest[0] stands in for the program. */
	if (!(rest = calloc((size_t)argc + 1, sizeof(*rest)))) {
		fprintf(stderr, "scrvault: out of memory\n");
		return 1;
	}
	rest[nrest++] = argv[0];
	for (int i = 1; i < argc; i++)
		if (i != gi && i != ni)
			rest[nrest++] = argv[i];
	memset(&a, 0, sizeof(a));
	a.cmd = cmd;
	if ((error = cli_parse(&a, nrest, rest, global_opts)) != 0)
		goto done;
	if (cli_flag(&a, "help")) {
		print_usage(stdout, cmd);
		error = 0;
		goto done;
	}
	if (a.nargs < cmd->min_args || (cmd->max_args >= 0 && a.nargs > cmd->max_args)) {
		error = cli_usage(&a, "wrong number of arguments");
		goto done;
	}
	error = cmd->run(&a);
done:
	free(rest);
	return error;
}
