/*
 * render.h - reports laid out as PDF (render.c), the one module that holds
 * cairo and pango: cairo's PDF surface, pango for every piece of text (plain
 * text, never markup, so a record's "<b>" or "&" prints as written), cairo
 * paths for the charts.  No vault: a report is built as a model (a head,
 * then blocks in order) and written in one call.
 *
 *   sv_render *r = sv_render_new(&(sv_render_head){ .title = ..., .as_of = "2026-03-31", ... });
 *   sv_render_heading(r, "Reviews");
 *   sv_render_table(r, 3, (const char *[]){ "type", "opened", "open at end" }, 0x6);
 *   sv_render_row(r, (const char *[]){ "scr", "2", "5" });
 *   sv_render_pdf(&pdf, &len, r);
 *
 * The output is a function of the model alone: the PDF's dates are the
 * head's as-of day (never the clock), so the same model gives the same bytes.
 */
#ifndef SV_SERVICES_RENDER_H
#define SV_SERVICES_RENDER_H

#include "base/common.h"

typedef struct sv_render sv_render;

typedef struct {
	const char *title;		/* the report's name (required) */
	const char *subtitle;		/* a line under it (NULL: none) */
	const char *as_of;		/* YYYY-MM-DD (required): printed, and the PDF's dates */
	const char *footer;		/* every page's footer, before "page N of M": the vault, the period */
} sv_render_head;

/* A new model (the head's texts are copied); NULL if out of memory. */
sv_render *sv_render_new(const sv_render_head *h);
void sv_render_free(sv_render *r);

/* Blocks, in order.  Each copies its texts; 0 or SCRVAULT_ERROR (memory). */
int sv_render_heading(sv_render *r, const char *text);
int sv_render_para(sv_render *r, const char *text);
int sv_render_page_break(sv_render *r);
/*
 * A table of `ncols` (1-16) columns; bit i of `numeric` right-aligns column
 * i.  Rows are added to the last table; a page break repeats its headers.
 */
int sv_render_table(sv_render *r, size_t ncols, const char *const *headers, unsigned numeric);
int sv_render_row(sv_render *r, const char *const *cells);
/* A bar chart: one bar per category, its count at its end. */
int sv_render_bars(sv_render *r, const char *title, size_t n, const char *const *labels, const int64_t *values);

/*
 * A timeline: milestones on a date axis against their deadlines.  `day`
 * and `due` are day numbers (date.h) or SV_RENDER_NONE.  A milestone after
 * its deadline is drawn as a square, with "late by N days" beside it (not
 * by colour alone); one not reached by a deadline already past as of the
 * report's day is marked "overdue".  A milestone's `note`, when given (the
 * clock engine's status), is printed instead of those words.
 */
#define SV_RENDER_NONE INT64_MIN
typedef struct {
	const char *label;
	int64_t day;
	int64_t due;
	const char *note;	/* the words beside it ("late by 3 days", "on time, extended");
				 * NULL: worked out from day and due as above */
} sv_render_event;
int sv_render_timeline(sv_render *r, const char *title, size_t n, const sv_render_event *events);

/* Lay the model out and write the PDF into *pdf (caller frees). */
int sv_render_pdf(unsigned char **pdf, size_t *len, sv_render *r);

#endif
