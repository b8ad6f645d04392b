/*
 * output.c - how scrvault prints what the library answers: tables, lists
 * given one row at a time, "key  value" fields, or JSON with --json.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

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
		/* A cell is one line, whatever its text holds (cli_escape). */
		char *s = cli_escape_dup(cell(row, r->cols[c].key, buf, sizeof(buf)));
		size_t w = s ? strlen(s) : 0;

		if (!s || buf_add(&r->text, s, w + 1) < 0) {
			free(s);
			r->text.failed = true;
			return -1;
		}
		free(s);
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
		fprintf(stderr, "%s: out of memory\n", cli_program);
		return 1;
	}
	if (r->json) {
		error = buf_add(&r->text, "]\n", 2);
		o = &r->text;
	} else {
		error = r->text.failed ? -1 : rows_format(&out, r);
	}
	if (error < 0 || r->text.failed) {
		fprintf(stderr, "%s: out of memory\n", cli_program);
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

	for (int i = 0; fields[i].key; i++) {
		char *s = cli_escape_dup(cell(j, fields[i].key, buf, sizeof(buf)));

		printf("%-16s %s\n", fields[i].header, s ? s : "?");
		free(s);
	}
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


int cli_listing(const cli_args *a, int error, scrvault_json **j, const cli_col *cols)
{
	if (error < 0) {
		scrvault_json_free(*j);
		*j = NULL;
		return cli_fail(error);
	}
	return cli_print_list(a, *j, cols);
}

void cli_table_if(const scrvault_json *rows, const char *title, const cli_col *cols)
{
	if (scrvault_json_count(rows)) {
		fputs(title, stdout);
		cli_table(rows, cols);
	}
}

void cli_print_pending(const scrvault_json *j, const char *what)
{
	const char *id = scrvault_json_str(scrvault_json_get(j, "pending"));

	printf("%s needs a second custodian: pending operation %s (expires %s);\n"
	       "another custodian runs 'scrvault approve %s' (or 'scrvault refuse %s')\n",
	       what, id, scrvault_json_str(scrvault_json_get(j, "expires_at")), id, id);
}

int cli_outcome(const cli_args *a, int error, scrvault_json **j, cli_printer print)
{
	scrvault_json *o = *j;

	*j = NULL;
	if (error < 0) {
		scrvault_json_free(o);
		return cli_fail(error);
	}
	return print(a, o);
}

int cli_result_pending(const cli_args *a, scrvault_json *j, const char *what)
{
	if (!a->json)
		cli_print_pending(j, what);
	return cli_result(a, j, NULL);
}

void cli_print_each(const scrvault_json *arr, const char *label)
{
	for (size_t i = 0; i < scrvault_json_count(arr); i++)
		printf("%s: %s\n", label, scrvault_json_str(scrvault_json_at(arr, i)));
}

int cli_show(const cli_args *a, int error, scrvault_json **j, const cli_col *fields,
	     int (*more)(const scrvault_json *j))
{
	scrvault_json *o = *j;
	int rc = 0;

	*j = NULL;
	if (error < 0) {
		scrvault_json_free(o);
		return cli_fail(error);
	}
	if (a->json)
		return cli_print_object(a, o, fields);
	cli_print_fields(o, fields);
	if (more)
		rc = more(o);
	scrvault_json_free(o);
	return rc;
}
