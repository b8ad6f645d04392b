/*
 * render.c - the report model laid out as PDF with cairo and pango
 * (render.h).
 *
 * A4 portrait.  The model is laid out twice: once to count the pages (into
 * a surface whose output is thrown away), once to write them with "page N
 * of M".  Every text is a pango layout set with pango_layout_set_text
 * (plain text: no markup is ever parsed) in DejaVu Sans; charts are cairo
 * paths.  The PDF's creation and modification dates are the as-of day.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include "services/render.h"
#include "base/common.h"
#include "base/date.h"

#define PAGE_W 595.276
#define PAGE_H 841.890
#define MARGIN 56.0
#define BOTTOM (PAGE_H - 64.0)
#define TEXT_W (PAGE_W - 2 * MARGIN)
#define MAX_COLS 16

#define FONT "DejaVu Sans"

typedef enum { B_HEADING, B_PARA, B_BREAK, B_TABLE, B_BARS, B_TIMELINE } block_kind;

typedef struct {
	block_kind kind;
	char *text;			/* heading, paragraph, chart title */
	size_t ncols;
	char **headers;			/* table */
	unsigned numeric;
	char **cells;			/* table: nrows * ncols; bars, timeline: n labels */
	size_t nrows, cap;
	int64_t *values;		/* bars */
	int64_t *days, *dues;		/* timeline */
	char **notes;			/* timeline: NULL each, or the words */
	double *widths;			/* table: its columns', once laid out */
	double *natural;		/* table: each cell's unwrapped width (nrows * ncols) */
	double line;			/* table: the height of a line of a cell */
} block;

struct sv_render {
	char *title, *subtitle, *as_of, *footer;
	block *blocks;
	size_t n, cap;
};

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

sv_render *sv_render_new(const sv_render_head *h)
{
	sv_render *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->title = dup_or_empty(h->title);
	r->subtitle = h->subtitle ? strdup(h->subtitle) : NULL;
	r->as_of = dup_or_empty(h->as_of);
	r->footer = dup_or_empty(h->footer);
	if (!r->title || (h->subtitle && !r->subtitle) || !r->as_of || !r->footer) {
		sv_render_free(r);
		return NULL;
	}
	return r;
}

static void free_strings(char **s, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		free(s[i]);
	free(s);
}

void sv_render_free(sv_render *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		block *b = &r->blocks[i];

		free(b->text);
		free_strings(b->headers, b->ncols);
		free_strings(b->cells, b->kind == B_TABLE ? b->nrows * b->ncols : b->nrows);
		free(b->values);
		free(b->days);
		free(b->dues);
		free_strings(b->notes, b->notes ? b->nrows : 0);
		free(b->widths);
		free(b->natural);
	}
	free(r->blocks);
	free(r->title);
	free(r->subtitle);
	free(r->as_of);
	free(r->footer);
	free(r);
}

static block *add_block(sv_render *r, block_kind kind, const char *text)
{
	block *b;

	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		block *nb = realloc(r->blocks, cap * sizeof(*nb));

		if (!nb)
			return NULL;
		r->blocks = nb;
		r->cap = cap;
	}
	b = &r->blocks[r->n];
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	if (text && !(b->text = strdup(text)))
		return NULL;
	r->n++;
	return b;
}

int sv_render_heading(sv_render *r, const char *text)
{
	return add_block(r, B_HEADING, text ? text : "") ? 0 : SCRVAULT_ERROR;
}

int sv_render_para(sv_render *r, const char *text)
{
	return add_block(r, B_PARA, text ? text : "") ? 0 : SCRVAULT_ERROR;
}

int sv_render_page_break(sv_render *r)
{
	return add_block(r, B_BREAK, NULL) ? 0 : SCRVAULT_ERROR;
}

int sv_render_table(sv_render *r, size_t ncols, const char *const *headers, unsigned numeric)
{
	block *b;

	if (ncols < 1 || ncols > MAX_COLS)
		return sv_error(SCRVAULT_ERROR, "a table of %zu columns", ncols);
	if (!(b = add_block(r, B_TABLE, NULL)) || !(b->headers = calloc(ncols, sizeof(char *))))
		return SCRVAULT_ERROR;
	b->ncols = ncols;
	b->numeric = numeric;
	for (size_t i = 0; i < ncols; i++)
		if (!(b->headers[i] = dup_or_empty(headers[i])))
			return SCRVAULT_ERROR;
	return 0;
}

int sv_render_row(sv_render *r, const char *const *cells)
{
	block *b = r->n ? &r->blocks[r->n - 1] : NULL;

	if (!b || b->kind != B_TABLE)
		return sv_error(SCRVAULT_ERROR, "a row without a table");
	if (b->nrows == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 16;
		char **nc = realloc(b->cells, cap * b->ncols * sizeof(char *));

		if (!nc)
			return SCRVAULT_ERROR;
		b->cells = nc;
		b->cap = cap;
	}
	for (size_t i = 0; i < b->ncols; i++)
		b->cells[b->nrows * b->ncols + i] = NULL;
	b->nrows++;
	for (size_t i = 0; i < b->ncols; i++)
		if (!(b->cells[(b->nrows - 1) * b->ncols + i] = dup_or_empty(cells[i])))
			return SCRVAULT_ERROR;
	return 0;
}

static int chart_labels(block *b, size_t n, const char *const *labels)
{
	if (n && !(b->cells = calloc(n, sizeof(char *))))
		return SCRVAULT_ERROR;
	b->nrows = n;
	for (size_t i = 0; i < n; i++)
		if (!(b->cells[i] = dup_or_empty(labels ? labels[i] : NULL)))
			return SCRVAULT_ERROR;
	return 0;
}

int sv_render_bars(sv_render *r, const char *title, size_t n, const char *const *labels, const int64_t *values)
{
	block *b = add_block(r, B_BARS, title ? title : "");

	if (!b || chart_labels(b, n, labels) < 0 || (n && !(b->values = malloc(n * sizeof(int64_t)))))
		return SCRVAULT_ERROR;
	if (n)
		memcpy(b->values, values, n * sizeof(int64_t));
	return 0;
}

int sv_render_timeline(sv_render *r, const char *title, size_t n, const sv_render_event *ev)
{
	block *b = add_block(r, B_TIMELINE, title ? title : "");

	if (!b)
		return SCRVAULT_ERROR;
	if (n && (!(b->cells = calloc(n, sizeof(char *))) || !(b->days = malloc(n * sizeof(int64_t))) ||
		  !(b->dues = malloc(n * sizeof(int64_t))) || !(b->notes = calloc(n, sizeof(char *)))))
		return SCRVAULT_ERROR;
	b->nrows = n;
	for (size_t i = 0; i < n; i++) {
		if (!(b->cells[i] = dup_or_empty(ev[i].label)))
			return SCRVAULT_ERROR;
		b->days[i] = ev[i].day;
		b->dues[i] = ev[i].due;
		if (ev[i].note && !(b->notes[i] = strdup(ev[i].note)))
			return SCRVAULT_ERROR;
	}
	return 0;
}

/* ---- layout ------------------------------------------------------------------------------------- */

typedef struct {
	sv_render *r;		/* (its tables keep their widths between passes) */
	cairo_t *cr;
	PangoContext *pc;	/* of this render's own font map (no process-wide state) */
	bool draw;		/* false: the pass that only counts the pages */
	double y;
	int page, total;
	int64_t today;
} pen;

/* A plain-text layout (never markup) in `font` ("Bold 10"), wrapped at `width` (<= 0: not). */
static PangoLayout *layout(pen *p, const char *text, const char *font, double width, PangoAlignment align)
{
	PangoLayout *l = pango_layout_new(p->pc);
	PangoFontDescription *fd;
	char name[64];

	snprintf(name, sizeof(name), FONT " %s", font);
	fd = pango_font_description_from_string(name);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	if (width > 0) {
		pango_layout_set_width(l, (int)(width * PANGO_SCALE));
		pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	}
	pango_layout_set_alignment(l, align);
	pango_layout_set_text(l, text, -1);
	return l;
}

static double layout_h(PangoLayout *l)
{
	int w, h;

	pango_layout_get_size(l, &w, &h);
	return (double)h / PANGO_SCALE;
}

static double layout_w(PangoLayout *l)
{
	int w, h;

	pango_layout_get_size(l, &w, &h);
	return (double)w / PANGO_SCALE;
}

static void show(pen *p, PangoLayout *l, double x, double y)
{
	if (!p->draw)
		return;
	cairo_move_to(p->cr, x, y);
	pango_cairo_show_layout(p->cr, l);
}

/* Text at (x, y); returns its height. */
static double text_at(pen *p, const char *text, const char *font, double x, double y, double width,
		      PangoAlignment align)
{
	PangoLayout *l = layout(p, text, font, width, align);
	double h = layout_h(l);

	show(p, l, x, y);
	g_object_unref(l);
	return h;
}

static void label_at(pen *p, const char *text, const char *font, double x, double y, double width);

static void footer(pen *p)
{
	char num[64];

	if (!p->draw)
		return;
	snprintf(num, sizeof(num), "page %d of %d", p->page, p->total);
	cairo_set_source_rgb(p->cr, 0.35, 0.35, 0.35);
	cairo_set_line_width(p->cr, 0.5);
	cairo_move_to(p->cr, MARGIN, PAGE_H - 48);
	cairo_line_to(p->cr, PAGE_W - MARGIN, PAGE_H - 48);
	cairo_stroke(p->cr);
	label_at(p, p->r->footer, "7", MARGIN, PAGE_H - 44, TEXT_W - 80);
	text_at(p, num, "8", PAGE_W - MARGIN - 80, PAGE_H - 44, 80, PANGO_ALIGN_RIGHT);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
}

static void new_page(pen *p)
{
	footer(p);
	if (p->draw)
		cairo_show_page(p->cr);
	p->page++;
	p->y = MARGIN;
}

/* Room for `h` more points on this page, else a new page. */
static bool need(pen *p, double h)
{
	if (p->y + h <= BOTTOM)
		return false;
	new_page(p);
	return true;
}

static void title_block(pen *p)
{
	char line[96];
	double h;

	h = text_at(p, p->r->title, "Bold 18", MARGIN, p->y, TEXT_W, PANGO_ALIGN_LEFT);
	p->y += h + 4;
	if (p->r->subtitle) {
		h = text_at(p, p->r->subtitle, "11", MARGIN, p->y, TEXT_W, PANGO_ALIGN_LEFT);
		p->y += h + 2;
	}
	snprintf(line, sizeof(line), "as of %s", p->r->as_of);
	h = text_at(p, line, "10", MARGIN, p->y, TEXT_W, PANGO_ALIGN_LEFT);
	p->y += h + 6;
	cairo_set_line_width(p->cr, 1.0);
	cairo_move_to(p->cr, MARGIN, p->y);
	cairo_line_to(p->cr, PAGE_W - MARGIN, p->y);
	cairo_stroke(p->cr);
	p->y += 10;
}

static void text_block(pen *p, const char *text, const char *font, double before, double after)
{
	PangoLayout *l = layout(p, text, font, TEXT_W, PANGO_ALIGN_LEFT);
	double h = layout_h(l);

	/* a heading is kept with at least 60 points of what follows it */
	if (!need(p, before + h + (before > 6 ? 60 : 0)))
		p->y += before;
	show(p, l, MARGIN, p->y);
	g_object_unref(l);
	p->y += h + after;
}

/* ---- tables ---- */

typedef struct {
	double w[MAX_COLS];
} colw;

/* The width of the widest word of `text` in `font`. */
static double widest_word(pen *p, const char *text, const char *font)
{
	char word[256];
	double w = 0;

	for (const char *t = text; *t;) {
		size_t n = strcspn(t, " ");

		if (n) {
			PangoLayout *l;

			snprintf(word, sizeof(word), "%.*s", (int)(n < sizeof(word) ? n : sizeof(word) - 1), t);
			l = layout(p, word, font, -1, PANGO_ALIGN_LEFT);
			if (layout_w(l) > w)
				w = layout_w(l);
			g_object_unref(l);
		}
		t += n;
		t += strspn(t, " ");
	}
	return w;
}

static void table_widths(pen *p, block *b, colw *c)
{
	double nat[MAX_COLS], least[MAX_COLS], sum = 0, fixed = 0, flex = 0;

	free(b->natural);
	b->natural = b->nrows ? malloc(b->nrows * b->ncols * sizeof(double)) : NULL;
	{
		PangoLayout *l = layout(p, "Xg", "9", -1, PANGO_ALIGN_LEFT);

		b->line = layout_h(l);
		g_object_unref(l);
	}

	for (size_t i = 0; i < b->ncols; i++) {
		PangoLayout *l = layout(p, b->headers[i], "Bold 9", -1, PANGO_ALIGN_LEFT);

		nat[i] = layout_w(l);
		g_object_unref(l);
		least[i] = widest_word(p, b->headers[i], "Bold 9");
		for (size_t row = 0; row < b->nrows; row++) {
			l = layout(p, b->cells[row * b->ncols + i], "9", -1, PANGO_ALIGN_LEFT);
			if (b->natural)
				b->natural[row * b->ncols + i] = layout_w(l);
			if (layout_w(l) > nat[i])
				nat[i] = layout_w(l);
			if (layout_w(l) > least[i])
				least[i] = layout_w(l);
			g_object_unref(l);
		}
		nat[i] += 12;	/* padding, and no wrap from rounding */
		least[i] += 12;
		sum += nat[i];
	}
	for (size_t i = 0; i < b->ncols; i++)
		c->w[i] = nat[i];
	if (sum <= TEXT_W)
		return;
	/* too wide: the text columns share what the numbers leave,
	 * the narrowest first, each taking no more than it needs or its share */
	/* numbers keep their own width, their headers wrapped at words */
	for (size_t i = 0; i < b->ncols; i++)
		if (b->numeric & (1u << i))
			fixed += c->w[i] = least[i];
	flex = TEXT_W - fixed;
	for (size_t done = 0; done < b->ncols; done++) {
		size_t pick = MAX_COLS, left = 0;

		for (size_t i = 0; i < b->ncols; i++)
			if (!(b->numeric & (1u << i)) && nat[i] >= 0) {
				left++;
				if (pick == MAX_COLS || nat[i] < nat[pick])
					pick = i;
			}
		if (pick == MAX_COLS)
			break;
		c->w[pick] = nat[pick] < flex / (double)left ? nat[pick] : flex / (double)left;
		if (c->w[pick] < 40)
			c->w[pick] = 40;
		flex -= c->w[pick];
		nat[pick] = -1;		/* placed */
	}
}

/* A row of cells laid out in the widths: its layouts into ls[], its height returned. */
static double row_layout(pen *p, const block *b, const colw *c, char *const *cells, bool header, PangoLayout **ls)
{
	double h = 0;

	for (size_t i = 0; i < b->ncols; i++) {
		ls[i] = layout(p, cells[i], header ? "Bold 9" : "9", c->w[i] - 10,
			       (b->numeric & (1u << i)) ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
		if (layout_h(ls[i]) > h)
			h = layout_h(ls[i]);
	}
	return h + 6;
}

static void row_free(const block *b, PangoLayout **ls)
{
	for (size_t i = 0; i < b->ncols; i++)
		g_object_unref(ls[i]);
}

/* Draw a laid-out row at the pen, which moves past it. */
static void row_paint(pen *p, const block *b, const colw *c, PangoLayout **ls, double h, bool header)
{
	double x = MARGIN, total = 0;

	if (!p->draw) {
		p->y += h;
		return;
	}
	for (size_t i = 0; i < b->ncols; i++)
		total += c->w[i];
	if (header) {
		cairo_set_source_rgb(p->cr, 0.88, 0.90, 0.94);
		cairo_rectangle(p->cr, MARGIN, p->y, total, h);
		cairo_fill(p->cr);
		cairo_set_source_rgb(p->cr, 0, 0, 0);
	}
	for (size_t i = 0; i < b->ncols; i++) {
		show(p, ls[i], x + 5, p->y + 3);
		x += c->w[i];
	}
	cairo_set_line_width(p->cr, header ? 0.8 : 0.3);
	cairo_set_source_rgb(p->cr, 0.5, 0.5, 0.5);
	cairo_move_to(p->cr, MARGIN, p->y + h);
	cairo_line_to(p->cr, x, p->y + h);
	cairo_stroke(p->cr);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	p->y += h;
}

/*
 * The height of row `row` when only counting pages: a line, unless a cell
 * is wider than its column (then laid out wrapped, as drawn).
 */
static double row_height(pen *p, const block *b, const colw *c, size_t row)
{
	PangoLayout *ls[MAX_COLS];
	double h;

	if (b->natural && b->line > 0) {
		size_t i;

		for (i = 0; i < b->ncols; i++)
			if (b->natural[row * b->ncols + i] > c->w[i] - 10 || strchr(b->cells[row * b->ncols + i], '\n'))
				break;
		if (i == b->ncols)
			return b->line + 6;
	}
	h = row_layout(p, b, c, b->cells + row * b->ncols, false, ls);
	row_free(b, ls);
	return h;
}

static void table_block(pen *p, block *b)
{
	PangoLayout *hl[MAX_COLS], *ls[MAX_COLS];
	colw c;
	double hh;

	if (b->widths) {
		memcpy(c.w, b->widths, b->ncols * sizeof(double));
	} else {
		table_widths(p, b, &c);
		/* the same in the second pass (a cache: the model's own texts are unchanged) */
		if ((b->widths = malloc(b->ncols * sizeof(double))))
			memcpy(b->widths, c.w, b->ncols * sizeof(double));
	}
	hh = row_layout(p, b, &c, b->headers, true, hl);
	p->y += 4;
	for (size_t row = 0; row < b->nrows; row++) {
		double h;

		if (!p->draw) {
			/* counting pages: heights only */
			h = row_height(p, b, &c, row);
			if (!row) {
				need(p, hh + h);
				p->y += hh;
			} else if (need(p, h)) {
				p->y += hh;
			}
			p->y += h;
			continue;
		}
		h = row_layout(p, b, &c, b->cells + row * b->ncols, false, ls);
		/* the header with at least the first row; again on each new page */
		if (!row) {
			need(p, hh + h);
			row_paint(p, b, &c, hl, hh, true);
		} else if (need(p, h)) {
			row_paint(p, b, &c, hl, hh, true);
		}
		row_paint(p, b, &c, ls, h, false);
		row_free(b, ls);
	}
	if (!b->nrows) {
		need(p, hh);
		row_paint(p, b, &c, hl, hh, true);
	}
	row_free(b, hl);
	p->y += 10;
}

/* ---- charts ---- */

static double label_width(pen *p, const block *b, double cap)
{
	double w = 0;

	for (size_t i = 0; i < b->nrows; i++) {
		PangoLayout *l = layout(p, b->cells[i], "9", -1, PANGO_ALIGN_LEFT);

		if (layout_w(l) > w)
			w = layout_w(l);
		g_object_unref(l);
	}
	w += 8;
	return w > cap ? cap : w;
}

/* A one-line label, cut with an ellipsis to `width`. */
static void label_at(pen *p, const char *text, const char *font, double x, double y, double width)
{
	PangoLayout *l = layout(p, text, font, width, PANGO_ALIGN_LEFT);

	pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
	pango_layout_set_height(l, -1);
	show(p, l, x, y);
	g_object_unref(l);
}

static void chart_title(pen *p, const block *b, double first)
{
	PangoLayout *l = layout(p, b->text, "Bold 10", TEXT_W, PANGO_ALIGN_LEFT);

	need(p, layout_h(l) + 8 + first);
	p->y += 4;
	show(p, l, MARGIN, p->y);
	p->y += layout_h(l) + 6;
	g_object_unref(l);
}

#define BAR_H 14.0
#define BAR_GAP 6.0

static void bars_block(pen *p, const block *b)
{
	double lw = label_width(p, b, TEXT_W * 0.4), area = TEXT_W - lw - 50;
	int64_t max = 0;

	/* the whole chart on one page when it fits on one */
	chart_title(p, b, b->nrows * (BAR_H + BAR_GAP) < BOTTOM - MARGIN - 40 ? b->nrows * (BAR_H + BAR_GAP) :
		    BAR_H + BAR_GAP);
	for (size_t i = 0; i < b->nrows; i++)
		if (b->values[i] > max)
			max = b->values[i];
	for (size_t i = 0; i < b->nrows; i++) {
		char num[32];
		double w = max > 0 ? area * (double)(b->values[i] < 0 ? 0 : b->values[i]) / (double)max : 0;

		need(p, BAR_H + BAR_GAP);
		label_at(p, b->cells[i], "9", MARGIN, p->y + 1, lw - 8);
		cairo_set_source_rgb(p->cr, 0.25, 0.42, 0.68);
		cairo_rectangle(p->cr, MARGIN + lw, p->y, w, BAR_H);
		cairo_fill(p->cr);
		cairo_set_source_rgb(p->cr, 0, 0, 0);
		snprintf(num, sizeof(num), "%lld", (long long)b->values[i]);
		text_at(p, num, "9", MARGIN + lw + w + 4, p->y + 1, -1, PANGO_ALIGN_LEFT);
		/* the axis */
		cairo_set_line_width(p->cr, 0.8);
		cairo_move_to(p->cr, MARGIN + lw, p->y - BAR_GAP / 2);
		cairo_line_to(p->cr, MARGIN + lw, p->y + BAR_H + BAR_GAP / 2);
		cairo_stroke(p->cr);
		p->y += BAR_H + BAR_GAP;
	}
	p->y += 8;
}

#define ROW_H 18.0

static void diamond(cairo_t *cr, double x, double y, double r)
{
	cairo_move_to(cr, x, y - r);
	cairo_line_to(cr, x + r, y);
	cairo_line_to(cr, x, y + r);
	cairo_line_to(cr, x - r, y);
	cairo_close_path(cr);
}

static void axis(pen *p, double x0, double w, int64_t lo, int64_t hi)
{
	cairo_set_line_width(p->cr, 0.8);
	cairo_move_to(p->cr, x0, p->y + 12);
	cairo_line_to(p->cr, x0 + w, p->y + 12);
	cairo_stroke(p->cr);
	for (int t = 0; t <= 3; t++) {
		int64_t d = lo + (hi - lo) * t / 3;
		double x = x0 + w * (double)(d - lo) / (double)(hi - lo);
		char day[11];

		sv_day_format(day, d);
		cairo_move_to(p->cr, x, p->y + 9);
		cairo_line_to(p->cr, x, p->y + 15);
		cairo_stroke(p->cr);
		text_at(p, day, "7", x - 30, p->y, 60, PANGO_ALIGN_CENTER);
	}
	p->y += 20;
}

static void legend(pen *p)
{
	double x = MARGIN, y;

	need(p, 16);
	y = p->y + 6;
	cairo_arc(p->cr, x + 4, y, 3.5, 0, 6.2832);
	cairo_fill(p->cr);
	x += 10;
	{
		PangoLayout *l = layout(p, "done by its deadline", "8", -1, PANGO_ALIGN_LEFT);

		show(p, l, x, y - 5);
		x += layout_w(l) + 14;
		g_object_unref(l);
	}
	cairo_set_source_rgb(p->cr, 0.75, 0.1, 0.1);
	cairo_rectangle(p->cr, x, y - 3.5, 7, 7);
	cairo_fill(p->cr);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	x += 10;
	{
		PangoLayout *l = layout(p, "late (late by N days)", "8", -1, PANGO_ALIGN_LEFT);

		show(p, l, x, y - 5);
		x += layout_w(l) + 14;
		g_object_unref(l);
	}
	cairo_set_line_width(p->cr, 1.0);
	diamond(p->cr, x + 4, y, 4);
	cairo_stroke(p->cr);
	x += 10;
	text_at(p, "deadline", "8", x, y - 5, -1, PANGO_ALIGN_LEFT);
	p->y += 18;
}

static void timeline_block(pen *p, const block *b)
{
	double lw = label_width(p, b, TEXT_W * 0.35), x0 = MARGIN + lw + 6, w = TEXT_W - lw - 6 - 100;
	int64_t lo = INT64_MAX, hi = INT64_MIN;

	for (size_t i = 0; i < b->nrows; i++) {
		int64_t d[2] = { b->days[i], b->dues[i] };

		for (int k = 0; k < 2; k++) {
			if (d[k] == SV_RENDER_NONE)
				continue;
			lo = d[k] < lo ? d[k] : lo;
			hi = d[k] > hi ? d[k] : hi;
		}
	}
	chart_title(p, b, 20 + (b->nrows * ROW_H + 20 < BOTTOM - MARGIN - 60 ? b->nrows * ROW_H + 20 : ROW_H));
	if (lo > hi) {
		text_block(p, "(no dated milestones)", "9", 0, 8);
		return;
	}
	/* a margin of a few days either side, and never an empty range */
	lo -= 3;
	hi += 3;
	axis(p, x0, w, lo, hi);
	for (size_t i = 0; i < b->nrows; i++) {
		int64_t day = b->days[i], due = b->dues[i];
		double yc, xd = 0;
		char note[64] = "";

		if (need(p, ROW_H))
			axis(p, x0, w, lo, hi);
		yc = p->y + ROW_H / 2;
		label_at(p, b->cells[i], "9", MARGIN, p->y + 3, lw - 6);
		/* a faint guide */
		cairo_set_source_rgb(p->cr, 0.85, 0.85, 0.85);
		cairo_set_line_width(p->cr, 0.3);
		cairo_move_to(p->cr, x0, yc);
		cairo_line_to(p->cr, x0 + w, yc);
		cairo_stroke(p->cr);
		cairo_set_source_rgb(p->cr, 0, 0, 0);
		if (due != SV_RENDER_NONE) {
			xd = x0 + w * (double)(due - lo) / (double)(hi - lo);
			cairo_set_line_width(p->cr, 1.0);
			diamond(p->cr, xd, yc, 5);
			cairo_stroke(p->cr);
		}
		if (day != SV_RENDER_NONE) {
			double x = x0 + w * (double)(day - lo) / (double)(hi - lo);

			if (due != SV_RENDER_NONE && day > due) {
				/* late: a red square, a bar from the deadline, and the words */
				cairo_set_source_rgb(p->cr, 0.75, 0.1, 0.1);
				cairo_rectangle(p->cr, xd, yc - 1.5, x - xd, 3);
				cairo_fill(p->cr);
				cairo_rectangle(p->cr, x - 4, yc - 4, 8, 8);
				cairo_fill(p->cr);
				cairo_set_source_rgb(p->cr, 0, 0, 0);
				snprintf(note, sizeof(note), "late by %lld day%s", (long long)(day - due),
					 day - due == 1 ? "" : "s");
			} else {
				cairo_arc(p->cr, x, yc, 4, 0, 6.2832);
				cairo_fill(p->cr);
			}
		} else if (due != SV_RENDER_NONE && due < p->today) {
			snprintf(note, sizeof(note), "overdue by %lld day%s", (long long)(p->today - due),
				 p->today - due == 1 ? "" : "s");
		} else if (due != SV_RENDER_NONE) {
			snprintf(note, sizeof(note), "due");
		}
		if (b->notes[i])
			snprintf(note, sizeof(note), "%s", b->notes[i]);
		if (note[0])
			text_at(p, note, "7", x0 + w + 8, p->y + 4, 92, PANGO_ALIGN_LEFT);
		p->y += ROW_H;
	}
	legend(p);
	p->y += 6;
}

static void lay_out(pen *p)
{
	p->page = 1;
	p->y = MARGIN;
	title_block(p);
	for (size_t i = 0; i < p->r->n; i++) {
		block *b = &p->r->blocks[i];

		switch (b->kind) {
		case B_HEADING:
			text_block(p, b->text, "Bold 13", 10, 6);
			break;
		case B_PARA:
			text_block(p, b->text, "10", 0, 6);
			break;
		case B_BREAK:
			if (p->y > MARGIN)
				new_page(p);
			break;
		case B_TABLE:
			table_block(p, b);
			break;
		case B_BARS:
			bars_block(p, b);
			break;
		case B_TIMELINE:
			timeline_block(p, b);
			break;
		}
	}
	footer(p);
	if (p->draw)
		cairo_show_page(p->cr);
}

/* ---- output ---- */

typedef struct {
	unsigned char *buf;
	size_t len, cap;
	bool keep, failed;
} sink;

static cairo_status_t sink_write(void *ctx, const unsigned char *data, unsigned int len)
{
	sink *s = ctx;

	if (!s->keep)
		return CAIRO_STATUS_SUCCESS;
	if (s->len + len > s->cap) {
		size_t cap = s->cap ? s->cap : 1 << 16;
		unsigned char *nb;

		while (cap < s->len + len)
			cap *= 2;
		if (!(nb = realloc(s->buf, cap))) {
			s->failed = true;
			return CAIRO_STATUS_WRITE_ERROR;
		}
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, len);
	s->len += len;
	return CAIRO_STATUS_SUCCESS;
}

/*
 * One pass: with `s`, the pages written to it; without, only counted (no
 * text drawn, nothing written).  *pages gets their number.  The font
 * options are set, not taken from the surface, so both passes measure
 * text alike: no hinting of metrics or outlines, as in a PDF.
 */
static int pass(sink *s, int *pages, sv_render *r, int total)
{
	char when[32], title[256];
	cairo_surface_t *surf = s ? cairo_pdf_surface_create_for_stream(sink_write, s, PAGE_W, PAGE_H) :
				    cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, NULL);
	cairo_font_options_t *fo = cairo_font_options_create();
	cairo_status_t st;
	PangoFontMap *fm = pango_cairo_font_map_new();
	pen p = { r, NULL, NULL, s != NULL, 0, 1, total, 0 };

	if (sv_day_parse(&p.today, r->as_of) < 0)
		p.today = 0;
	if (s) {
		snprintf(when, sizeof(when), "%sT00:00:00", r->as_of);
		snprintf(title, sizeof(title), "%s", r->title);
		cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATE_DATE, when);
		cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_MOD_DATE, when);
		cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, title);
		cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, "scrvault");
	}
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	p.cr = cairo_create(surf);
	p.pc = pango_font_map_create_context(fm);
	pango_cairo_update_context(p.cr, p.pc);
	pango_cairo_context_set_font_options(p.pc, fo);
	/* points are the PDF's units: 72 per inch (pango's default is 96) */
	pango_cairo_context_set_resolution(p.pc, 72.0);
	lay_out(&p);
	*pages = p.page;
	g_object_unref(p.pc);
	g_object_unref(fm);
	cairo_font_options_destroy(fo);
	cairo_destroy(p.cr);
	cairo_surface_finish(surf);
	st = cairo_surface_status(surf);
	cairo_surface_destroy(surf);
	if (st != CAIRO_STATUS_SUCCESS || (s && s->failed))
		return sv_error(SCRVAULT_ERROR, "the report could not be laid out: %s",
				s && s->failed ? "out of memory" : cairo_status_to_string(st));
	return 0;
}

int sv_render_pdf(unsigned char **pdf, size_t *len, sv_render *r)
{
	sink out = { NULL, 0, 0, true, false };
	int counted = 0, pages = 0, error;

	*pdf = NULL;
	*len = 0;
	if ((error = pass(NULL, &counted, r, 0)) < 0)
		return error;
	/* both passes measure alike; should they ever differ, the pages say what the PDF holds */
	for (int tries = 0; tries < 2; tries++) {
		out.len = 0;
		if ((error = pass(&out, &pages, r, counted)) < 0) {
			free(out.buf);
			return error;
		}
		if (pages == counted)
			break;
		counted = pages;
	}
	*pdf = out.buf;
	*len = out.len;
	return 0;
}
