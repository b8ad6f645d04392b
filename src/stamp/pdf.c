/*
 * pdf.c - numbered copies of PDF documents (see pdf.h).
 *
 * This is the only file that includes the qpdf headers, and it runs in
 * scrvault-stamp, the keyless helper, under its seccomp filter: it must never
 * need a system call (no files, no clock, no random numbers: the /ID is
 * deterministic), nor be linked into a process that holds a key.  A copy is
 * built entirely in memory: the master is read with qpdf_read_memory, every
 * page gets a stamp, a sign-out sheet is put in front and the result is
 * written to a qpdf memory buffer, which only then goes to the caller's sink.
 * It must never write the master, or any part of it, to a file of its own.
 *
 * How a page is stamped, without touching what is already on it:
 *   - inherited attributes (/Resources, /MediaBox, /CropBox, /Rotate) are
 *     pushed down from the /Pages tree onto each page first
 *     (qpdf_push_inherited_attributes_to_page), so the page's own
 *     /Resources is the one the viewer uses;
 *   - a standard Helvetica font is added to the page's /Resources /Font
 *     under a name no existing resource uses (/SVStampF1, F2, ...);
 *   - /Contents (a stream, an array or missing) becomes a new array
 *     [ prefix, the original streams..., suffix ]: the prefix opens enough
 *     "q" and the suffix closes enough "Q" that whatever the original
 *     content leaves on the graphics state stack (an unbalanced "q" with a
 *     "cm", say, or an extra "Q") is undone before the stamp is drawn; the
 *     original content is scanned (strings, comments and inline images
 *     skipped) to count them;
 *   - the stamp is drawn in a coordinate system that puts its origin at
 *     the bottom left of the page as the viewer shows it: the visible box
 *     (CropBox within MediaBox, whose origin need not be 0 0) turned by the
 *     page's /Rotate, so the text reads upright on rotated pages;
 *   - nothing may be drawn over the stamp: a viewer draws annotations and
 *     form fields above the page's content, so every page's /Annots is
 *     flattened (the printable, visible ones' normal appearances are drawn
 *     into the page before the stamp, as a printer would show them) and
 *     removed, and the catalog's /AcroForm (whose NeedAppearances would have
 *     a viewer draw fields afresh) is removed.
 *
 * Bounds: the only stream data decoded here is the pages' content, at most
 * SV_STAMP_CONTENT_MAX in all (each page's counted, shared streams as often as
 * they are used); past that the master is refused as too large to print.
 * One page that decodes past the helper's heap stops the helper (a clear
 * error too, see main.c), and the client's deadline bounds the time
 * (crypto/stamp.h).
 * Every other stream (images, fonts, whatever a hostile file hides in an
 * unused object) is copied as it is stored, never decoded or recompressed
 * (qpdf_dl_none), so a stream that inflates to gigabytes costs nothing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qpdf/qpdf-c.h>
#include "pdf.h"
#include "base/common.h"

#define STAMP_SIZE	8.0	/* pt: the stamp lines */
#define STAMP_MIN_SIZE	5.0	/* pt: smallest we shrink a long stamp to */
#define STAMP_EDGE	14.0	/* pt: from the page edge to the stamp text */
#define STAMP_SIDE	18.0	/* pt: left and right margin of a stamp line */
#define SHEET_W		595.0	/* A4 */
#define SHEET_H		842.0
#define MAX_BALANCE	4096	/* most q or Q we add to balance a page */
#define MAX_ANNOTS	10000	/* most annotations flattened on a page; more is refused */

/* ---- a growable text buffer ------------------------------------------------ */

typedef struct {
	char *p;
	size_t len, cap;
	bool failed;		/* an allocation failed; the error is set */
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(p = sv_realloc(b->p, cap))) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/*
 * A number as PDF wants it, with two decimals at most and always a '.'
 * (printf's %f would follow the locale's decimal separator).
 */
static void sb_num(sbuf *b, double v)
{
	char tmp[48];
	long long c = (long long)(v * 100.0 + (v < 0 ? -0.5 : 0.5));
	bool neg = c < 0;

	if (neg)
		c = -c;
	if (c % 100)
		snprintf(tmp, sizeof(tmp), "%s%lld.%02lld ", neg ? "-" : "", c / 100, c % 100);
	else
		snprintf(tmp, sizeof(tmp), "%s%lld ", neg && c ? "-" : "", c / 100);
	sb_str(b, tmp);
}

/* A number with six decimals at most (a matrix that scales), as sb_num. */
static void sb_num6(sbuf *b, double v)
{
	char tmp[48];
	long long c = (long long)(v * 1e6 + (v < 0 ? -0.5 : 0.5));
	bool neg = c < 0;

	if (neg)
		c = -c;
	snprintf(tmp, sizeof(tmp), "%s%lld.%06lld ", neg ? "-" : "", c / 1000000, c % 1000000);
	sb_str(b, tmp);
}

/* ---- text: UTF-8 to WinAnsi, widths, PDF strings ---------------------------- */

/* Helvetica glyph widths (1/1000 em) for WinAnsi 32..126, from the AFM. */
static const unsigned short helv_w[95] = {
	278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
	556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
	1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
	667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
	333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
	556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584
};

/* WinAnsi 0x80..0x9f: the Unicode code point of each (0: unused). */
static const unsigned short winansi_80[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178
};

/* Width of WinAnsi byte `c` in 1/1000 em; 1000 (as wide as any) above ASCII. */
static unsigned glyph_w(unsigned char c)
{
	if (c >= 32 && c <= 126)
		return helv_w[c - 32];
	return 1000;
}

static double text_w(const unsigned char *s, size_t n, double size)
{
	unsigned long w = 0;
	size_t i;

	for (i = 0; i < n; i++)
		w += glyph_w(s[i]);
	return (double)w * size / 1000.0;
}

/* One code point of WinAnsi for `cp`, or '?' if it has none. */
static unsigned char winansi_of(unsigned long cp)
{
	size_t i;

	if (cp >= 0x20 && cp <= 0x7e)
		return (unsigned char)cp;
	if (cp >= 0xa0 && cp <= 0xff)
		return (unsigned char)cp;
	if (cp == '\t' || cp == '\n' || cp == '\r')
		return ' ';
	for (i = 0; i < SV_ARRAY_SIZE(winansi_80); i++)
		if (winansi_80[i] && winansi_80[i] == cp)
			return (unsigned char)(0x80 + i);
	return '?';
}

/*
 * Convert UTF-8 `s` (NULL reads as "") to WinAnsi bytes in a new buffer;
 * every malformed byte becomes one '?'.  *n is the length.
 */
static unsigned char *to_winansi(const char *s, size_t *n)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p), i = 0, o = 0;
	unsigned char *out = sv_malloc(len + 1);

	if (!out)
		return NULL;
	while (i < len) {
		unsigned long cp;
		size_t k, need;

		if (p[i] < 0x80) {
			cp = p[i];
			need = 0;
		} else if (p[i] >= 0xc2 && p[i] <= 0xdf) {
			cp = p[i] & 0x1f;
			need = 1;
		} else if (p[i] >= 0xe0 && p[i] <= 0xef) {
			cp = p[i] & 0x0f;
			need = 2;
		} else if (p[i] >= 0xf0 && p[i] <= 0xf4) {
			cp = p[i] & 0x07;
			need = 3;
		} else {
			out[o++] = '?';
			i++;
			continue;
		}
		for (k = 1; k <= need; k++) {
			if (i + k >= len || (p[i + k] & 0xc0) != 0x80)
				break;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (k <= need || (need == 2 && cp < 0x800) || (need == 3 &&
		    (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff)) {
			out[o++] = '?';
			i++;
			continue;
		}
		out[o++] = winansi_of(cp);
		i += need + 1;
	}
	out[o] = '\0';
	*n = o;
	return out;
}

/* Append bytes as a PDF literal string: ( ) \ escaped, others above ASCII in octal. */
static void sb_pdfstr(sbuf *b, const unsigned char *s, size_t n)
{
	char tmp[8];
	size_t i;

	sb_str(b, "(");
	for (i = 0; i < n; i++) {
		if (s[i] == '(' || s[i] == ')' || s[i] == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)s[i];
			sb_add(b, tmp, 2);
		} else if (s[i] >= 32 && s[i] <= 126) {
			sb_add(b, (const char *)&s[i], 1);
		} else {
			snprintf(tmp, sizeof(tmp), "\\%03o", s[i]);
			sb_str(b, tmp);
		}
	}
	sb_str(b, ")");
}

/*
 * How many bytes of `s` fit in `maxw` points at `size`; if not all, how
 * many fit with "..." after them (*ellipsis set).
 */
static size_t fit(const unsigned char *s, size_t n, double size, double maxw, bool *ellipsis)
{
	double dots = text_w((const unsigned char *)"...", 3, size);
	size_t k;

	*ellipsis = false;
	if (text_w(s, n, size) <= maxw)
		return n;
	*ellipsis = true;
	for (k = n; k > 0 && text_w(s, k, size) + dots > maxw; k--)
		;
	while (k > 0 && s[k - 1] == ' ')
		k--;
	return k;
}

/*
 * Append "/font size Tf 1 0 0 1 x y Tm (text) Tj" for the first `n` bytes
 * of `s` at (x, y), cut with "..." to `maxw` points.
 */
static void sb_text(sbuf *b, const char *font, double size, double x, double y,
	const unsigned char *s, size_t n, double maxw)
{
	bool ell;
	size_t k = fit(s, n, size, maxw, &ell);

	sb_str(b, font);
	sb_str(b, " ");
	sb_num(b, size);
	sb_str(b, "Tf 1 0 0 1 ");
	sb_num(b, x);
	sb_num(b, y);
	sb_str(b, "Tm ");
	if (ell) {
		unsigned char *t = sv_malloc(k + 4);

		if (!t) {
			b->failed = true;
			return;
		}
		memcpy(t, s, k);
		memcpy(t + k, "...", 3);
		sb_pdfstr(b, t, k + 3);
		free(t);
	} else {
		sb_pdfstr(b, s, k);
	}
	sb_str(b, " Tj\n");
}

/* ---- qpdf errors --------------------------------------------------------- */

/*
 * Set the message for a qpdf failure: SCRVAULT_EUSAGE blames the master,
 * anything else is ours.  `why` is qpdf's text or our own.
 */
static int qpdf_msg(int code, const char *why)
{
	if (code == SCRVAULT_EUSAGE)
		return sv_error(code, "the master is not a PDF that can be stamped (%s)", why);
	return sv_error(code, "cannot build the numbered copy (%s)", why);
}

/* If qpdf has an error pending, take it and return `code`; else 0. */
static int qpdf_fail(qpdf_data q, int code)
{
	qpdf_error e;
	const char *text;

	if (!qpdf_has_error(q) || !(e = qpdf_get_error(q)))
		return 0;
	text = qpdf_get_error_full_text(q, e);
	return qpdf_msg(code, text && *text ? text : "unknown qpdf error");
}

/* The pending qpdf error as `code`, or `code` with `fallback` if none. */
static int qpdf_fail_or(qpdf_data q, int code, const char *fallback)
{
	int error = qpdf_fail(q, code);

	return error < 0 ? error : qpdf_msg(code, fallback);
}

/* ---- the original content: how far it leaves q/Q and BT/ET open ------------ */

static bool is_space(unsigned char c)
{
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

static bool is_delim(unsigned char c)
{
	return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' ||
		c == '{' || c == '}' || c == '/' || c == '%';
}

typedef struct {
	long depth;	/* q minus Q so far */
	long low;	/* the lowest depth reached (<= 0) */
	bool in_text;	/* a BT without its ET */
} balance;

/* Skip inline image data after "ID": up to a whitespace-delimited "EI". */
static size_t skip_inline_image(const unsigned char *p, size_t n, size_t i)
{
	if (i < n && is_space(p[i]))
		i++;
	for (; i + 1 < n; i++)
		if (p[i] == 'E' && p[i + 1] == 'I' && i > 0 && is_space(p[i - 1]) &&
		    (i + 2 == n || is_space(p[i + 2]) || is_delim(p[i + 2])))
			return i + 2;
	return n;
}

/*
 * Count the q/Q and BT/ET operators of a content stream, skipping strings,
 * names, comments and inline image data.  Not a validator: a malformed
 * stream gives some count, which is only used to add balancing operators.
 */
static void scan_content(balance *bal, const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = p[i];

		if (is_space(c)) {
			i++;
		} else if (c == '%') {
			while (i < n && p[i] != '\n' && p[i] != '\r')
				i++;
		} else if (c == '(') {
			int nest = 0;

			for (; i < n; i++) {
				if (p[i] == '\\')
					i++;
				else if (p[i] == '(')
					nest++;
				else if (p[i] == ')' && --nest == 0)
					break;
			}
			i++;
		} else if (c == '<') {
			if (i + 1 < n && p[i + 1] == '<') {
				i += 2;
			} else {
				while (i < n && p[i] != '>')
					i++;
				i++;
			}
		} else if (c == '/') {
			i++;
			while (i < n && !is_space(p[i]) && !is_delim(p[i]))
				i++;
		} else if (is_delim(c)) {
			i++;
		} else {
			size_t s = i;

			while (i < n && !is_space(p[i]) && !is_delim(p[i]))
				i++;
			if (i - s == 1 && c == 'q') {
				bal->depth++;
			} else if (i - s == 1 && c == 'Q') {
				if (--bal->depth < bal->low)
					bal->low = bal->depth;
			} else if (i - s == 2 && !memcmp(p + s, "BT", 2)) {
				bal->in_text = true;
			} else if (i - s == 2 && !memcmp(p + s, "ET", 2)) {
				bal->in_text = false;
			} else if (i - s == 2 && !memcmp(p + s, "ID", 2)) {
				i = skip_inline_image(p, n, i);
			}
		}
	}
}

/* ---- page geometry ------------------------------------------------------- */

typedef struct {
	double llx, lly, urx, ury;
} box;

/* Read a rectangle [a b c d] from `key` of `page`, normalised; false if none. */
static bool get_box(qpdf_data q, qpdf_oh page, const char *key, box *out)
{
	qpdf_oh arr = qpdf_oh_get_key(q, page, key);
	double v[4];
	bool ok = false;
	int i;

	if (!qpdf_oh_is_array(q, arr) || qpdf_oh_get_array_n_items(q, arr) != 4)
		goto done;
	for (i = 0; i < 4; i++) {
		qpdf_oh it = qpdf_oh_get_array_item(q, arr, i);
		bool num = qpdf_oh_is_number(q, it);

		v[i] = num ? qpdf_oh_get_numeric_value(q, it) : 0;
		qpdf_oh_release(q, it);
		if (!num || v[i] != v[i] || v[i] > 1e7 || v[i] < -1e7)
			goto done;
	}
	out->llx = v[0] < v[2] ? v[0] : v[2];
	out->urx = v[0] < v[2] ? v[2] : v[0];
	out->lly = v[1] < v[3] ? v[1] : v[3];
	out->ury = v[1] < v[3] ? v[3] : v[1];
	ok = out->urx - out->llx >= 1 && out->ury - out->lly >= 1;
done:
	qpdf_oh_release(q, arr);
	return ok;
}

/* The page's /Rotate as 0, 90, 180 or 270 (anything else reads as 0). */
static int get_rotate(qpdf_data q, qpdf_oh page)
{
	qpdf_oh r = qpdf_oh_get_key(q, page, "/Rotate");
	long long v = 0;

	if (qpdf_oh_is_integer(q, r))
		v = qpdf_oh_get_int_value(q, r);
	qpdf_oh_release(q, r);
	if (v % 90)
		return 0;
	v %= 360;
	return (int)(v < 0 ? v + 360 : v);
}

/*
 * The visible area of the page as the viewer shows it: its width and
 * height after rotation, and the matrix `m` from that upright system
 * (origin at the bottom left of the screen) to the page's user space.
 */
static void page_frame(qpdf_data q, qpdf_oh page, double m[6], double *w, double *h)
{
	box mb = { 0, 0, 612, 792 }, cb;
	double bw, bh;

	get_box(q, page, "/MediaBox", &mb);
	if (get_box(q, page, "/CropBox", &cb)) {
		/* the visible area is the crop box clipped to the media box */
		box x = {
			cb.llx > mb.llx ? cb.llx : mb.llx, cb.lly > mb.lly ? cb.lly : mb.lly,
			cb.urx < mb.urx ? cb.urx : mb.urx, cb.ury < mb.ury ? cb.ury : mb.ury
		};

		if (x.urx - x.llx >= 1 && x.ury - x.lly >= 1)
			mb = x;
	}
	bw = mb.urx - mb.llx;
	bh = mb.ury - mb.lly;
	switch (get_rotate(q, page)) {
	case 90:	/* shown turned clockwise: screen x runs up the page */
		m[0] = 0; m[1] = 1; m[2] = -1; m[3] = 0; m[4] = mb.urx; m[5] = mb.lly;
		*w = bh; *h = bw;
		break;
	case 180:
		m[0] = -1; m[1] = 0; m[2] = 0; m[3] = -1; m[4] = mb.urx; m[5] = mb.ury;
		*w = bw; *h = bh;
		break;
	case 270:	/* screen x runs down the page */
		m[0] = 0; m[1] = -1; m[2] = 1; m[3] = 0; m[4] = mb.llx; m[5] = mb.ury;
		*w = bh; *h = bw;
		break;
	default:
		m[0] = 1; m[1] = 0; m[2] = 0; m[3] = 1; m[4] = mb.llx; m[5] = mb.lly;
		*w = bw; *h = bh;
		break;
	}
}

/* ---- the stamp ----------------------------------------------------------- */

/*
 * The two stamp lines in WinAnsi, whole and in their three parts: a page too
 * narrow for a whole line at STAMP_MIN_SIZE gets the parts one a line.
 */
typedef struct {
	unsigned char *line[2], *part[2][3];
	size_t nline[2], npart[2][3];
} stamp_text;

static void stamp_text_free(stamp_text *t)
{
	int i, j;

	for (i = 0; i < 2; i++) {
		free(t->line[i]);
		for (j = 0; j < 3; j++)
			free(t->part[i][j]);
	}
	memset(t, 0, sizeof(*t));
}

static int stamp_text_make(stamp_text *t, const sv_pdf_stamp_spec *s)
{
	char *parts[2][3] = { { NULL } };
	int error = SCRVAULT_ERROR, i, j;

	memset(t, 0, sizeof(*t));
#define NN(x) ((x) ? (x) : "")
	if (!(parts[0][0] = sv_strdup(NN(s->marking))) ||
	    !(parts[0][1] = sv_strdup(NN(s->copy_label))) ||
	    !(parts[0][2] = sv_printf("holder: %s", NN(s->holder))) ||
	    !(parts[1][0] = sv_strdup(NN(s->case_ref))) ||
	    !(parts[1][1] = sv_printf("COPY %s", NN(s->copy_label))) ||
	    !(parts[1][2] = sv_strdup("-  do not copy")))
		goto done;
#undef NN
	for (i = 0; i < 2; i++) {
		char *whole = sv_printf("%s  %s  %s", parts[i][0], parts[i][1], parts[i][2]);

		if (!whole)
			goto done;
		t->line[i] = to_winansi(whole, &t->nline[i]);
		free(whole);
		if (!t->line[i])
			goto done;
		for (j = 0; j < 3; j++)
			if (!(t->part[i][j] = to_winansi(parts[i][j], &t->npart[i][j])))
				goto done;
	}
	error = 0;
done:
	for (i = 0; i < 2; i++)
		for (j = 0; j < 3; j++)
			free(parts[i][j]);
	if (error < 0)
		stamp_text_free(t);
	return error;
}

/* The width a stamp line may use on a `w` wide frame. */
static double stamp_room(double w)
{
	double maxw = w - 2 * STAMP_SIDE;

	return maxw >= 20 ? maxw : (w > 4 ? w - 4 : w);
}

/*
 * One stamp line centred at baseline `y` of a `w` wide upright frame:
 * shrunk to fit down to STAMP_MIN_SIZE, then cut.  Returns the size used.
 */
static double stamp_line(sbuf *b, const char *font, const unsigned char *s, size_t n,
	double w, double y)
{
	double maxw = stamp_room(w), size = STAMP_SIZE, tw, x;
	bool ell;
	size_t k;

	tw = text_w(s, n, size);
	if (tw > maxw && tw > 0) {
		size = STAMP_SIZE * maxw / tw;
		if (size < STAMP_MIN_SIZE)
			size = STAMP_MIN_SIZE;
	}
	k = fit(s, n, size, maxw, &ell);
	tw = text_w(s, k, size) + (ell ? text_w((const unsigned char *)"...", 3, size) : 0);
	x = (w - tw) / 2;
	sb_text(b, font, size, x, y, s, n, maxw);
	return size;
}

/*
 * Stamp line `i` (0 top, 1 bottom) from baseline `y`: whole if it fits at
 * STAMP_MIN_SIZE, else its parts one a line going inwards (down from the
 * top, up from the bottom).
 */
static void stamp_block(sbuf *b, const char *font, const stamp_text *t, int i,
	double w, double y)
{
	double dir = i == 0 ? -1 : 1, size;
	int j;

	if (text_w(t->line[i], t->nline[i], STAMP_MIN_SIZE) <= stamp_room(w)) {
		stamp_line(b, font, t->line[i], t->nline[i], w, y);
		return;
	}
	for (j = 0; j < 3; j++) {
		int k = i == 0 ? j : 2 - j;	/* the bottom block is built upwards */

		size = stamp_line(b, font, t->part[i][k], t->npart[i][k], w, y);
		y += dir * (size + 2);
	}
}

/*
 * The content that closes what the original left open and draws the
 * stamp: an "ET" if `close_text`, `closeq` times "Q", the flattened
 * annotations `annots`, then the stamp (last: nothing is drawn over it).
 */
static void stamp_content(sbuf *b, long closeq, bool close_text, const sbuf *annots,
	const char *font, const double m[6], double w, double h, const stamp_text *t)
{
	double top_y = h - STAMP_EDGE - 0.72 * STAMP_SIZE, bottom_y = STAMP_EDGE;
	long i;

	if (h < 4 * STAMP_EDGE) {	/* a tiny page: keep both lines inside it */
		top_y = h - STAMP_MIN_SIZE - 1;
		bottom_y = 1;
	}
	if (close_text)
		sb_str(b, "\nET");
	for (i = 0; i < closeq; i++)
		sb_str(b, i % 32 ? " Q" : "\nQ");
	sb_str(b, "\n");
	if (annots->len)
		sb_add(b, annots->p, annots->len);
	sb_str(b, "q ");
	for (i = 0; i < 6; i++)
		sb_num(b, m[i]);
	sb_str(b, "cm\n0.6 0 0 rg 0.6 0 0 RG 1 w [] 0 d\n"
		"BT 0 Tc 0 Tw 100 Tz 0 Ts 0 Tr\n");
	stamp_block(b, font, t, 0, w, top_y);
	stamp_block(b, font, t, 1, w, bottom_y);
	sb_str(b, "ET\nQ\n");
}

/* A new content stream holding `len` bytes of `data`; 0 on failure. */
static qpdf_oh new_stream(qpdf_data q, const char *data, size_t len)
{
	qpdf_oh st = qpdf_oh_new_stream(q), null = qpdf_oh_new_null(q);

	qpdf_oh_replace_stream_data(q, st, (const unsigned char *)data, len, null, null);
	qpdf_oh_release(q, null);
	return qpdf_has_error(q) ? 0 : st;
}

/* Whether `a` and `b` are the same indirect object. */
static bool same_object(qpdf_data q, qpdf_oh a, qpdf_oh b)
{
	return qpdf_oh_is_indirect(q, a) && qpdf_oh_is_indirect(q, b) &&
		qpdf_oh_get_object_id(q, a) == qpdf_oh_get_object_id(q, b) &&
		qpdf_oh_get_generation(q, a) == qpdf_oh_get_generation(q, b);
}

/*
 * The dictionary `kind` (/Font, /XObject) of the page's /Resources, either
 * made (empty) where the page has none; the caller releases it.
 */
static qpdf_oh page_resources(qpdf_data q, qpdf_oh page, const char *kind)
{
	qpdf_oh res = qpdf_oh_get_key(q, page, "/Resources"), dict;

	if (!qpdf_oh_is_dictionary(q, res)) {
		qpdf_oh_release(q, res);
		res = qpdf_oh_new_dictionary(q);
		qpdf_oh_replace_key(q, page, "/Resources", res);
	}
	dict = qpdf_oh_get_key(q, res, kind);
	if (!qpdf_oh_is_dictionary(q, dict)) {
		qpdf_oh_release(q, dict);
		dict = qpdf_oh_new_dictionary(q);
		qpdf_oh_replace_key(q, res, kind, dict);
	}
	qpdf_oh_release(q, res);
	return dict;
}

/*
 * Put `font` into the page's /Resources /Font (creating either as needed)
 * under a name not already used for something else; the name ("/SVStampFn")
 * goes to `name`.
 */
static void add_font(qpdf_data q, qpdf_oh page, qpdf_oh font, char *name, size_t namesz)
{
	qpdf_oh fonts = page_resources(q, page, "/Font");
	int i;

	for (i = 1; ; i++) {
		qpdf_oh have;
		bool mine;

		snprintf(name, namesz, "/SVStampF%d", i);
		if (!qpdf_oh_has_key(q, fonts, name))
			break;
		have = qpdf_oh_get_key(q, fonts, name);
		mine = same_object(q, have, font);
		qpdf_oh_release(q, have);
		if (mine)
			goto done;
	}
	qpdf_oh_replace_key(q, fonts, name, font);
done:
	qpdf_oh_release(q, fonts);
}

/* ---- annotations and form fields: flattened under the stamp ---------------- */

/* Annotation flags (PDF 32000-1 12.5.3). */
#define ANNOT_HIDDEN	2
#define ANNOT_PRINT	4

/* A number of `arr` item `i` into *v; false if it is not a sane number. */
static bool get_num(qpdf_data q, qpdf_oh arr, int i, double *v)
{
	qpdf_oh it = qpdf_oh_get_array_item(q, arr, i);
	bool ok = qpdf_oh_is_number(q, it);

	*v = ok ? qpdf_oh_get_numeric_value(q, it) : 0;
	qpdf_oh_release(q, it);
	return ok && *v == *v && *v <= 1e7 && *v >= -1e7;
}

/*
 * The appearance a printer shows for annotation `a`: its /AP /N stream, or
 * the entry of /AP /N that /AS names.  0 if none (or not a stream).
 */
static qpdf_oh annot_appearance(qpdf_data q, qpdf_oh a)
{
	qpdf_oh ap = qpdf_oh_get_key_if_dict(q, a, "/AP"), n = qpdf_oh_get_key_if_dict(q, ap, "/N"), st = 0;

	if (qpdf_oh_is_stream(q, n)) {
		st = n;
		n = 0;
	} else if (qpdf_oh_is_dictionary(q, n)) {
		qpdf_oh as = qpdf_oh_get_key_if_dict(q, a, "/AS");

		if (qpdf_oh_is_name(q, as)) {
			qpdf_oh x = qpdf_oh_get_key_if_dict(q, n, qpdf_oh_get_name(q, as));

			if (qpdf_oh_is_stream(q, x))
				st = x;
			else
				qpdf_oh_release(q, x);
		}
		qpdf_oh_release(q, as);
	}
	qpdf_oh_release(q, n);
	qpdf_oh_release(q, ap);
	return st;
}

/*
 * The matrix that puts appearance `st` of annotation `a` on the page: its
 * /BBox, transformed by its /Matrix, mapped onto the annotation's /Rect
 * (12.5.5).  False if either is missing or degenerate.
 */
static bool annot_matrix(qpdf_data q, qpdf_oh a, qpdf_oh st, double out[6])
{
	qpdf_oh dict = qpdf_oh_get_dict(q, st), mat = qpdf_oh_get_key_if_dict(q, dict, "/Matrix");
	double m[6] = { 1, 0, 0, 1, 0, 0 }, lo[2] = { 1e30, 1e30 }, hi[2] = { -1e30, -1e30 };
	box bb, rect;
	bool ok = false;
	int i;

	if (!get_box(q, dict, "/BBox", &bb) || !get_box(q, a, "/Rect", &rect))
		goto done;
	if (qpdf_oh_is_array(q, mat) && qpdf_oh_get_array_n_items(q, mat) == 6)
		for (i = 0; i < 6; i++)
			if (!get_num(q, mat, i, &m[i]))
				goto done;
	for (i = 0; i < 4; i++) {
		double x = i & 1 ? bb.urx : bb.llx, y = i & 2 ? bb.ury : bb.lly;
		double tx = m[0] * x + m[2] * y + m[4], ty = m[1] * x + m[3] * y + m[5];

		lo[0] = tx < lo[0] ? tx : lo[0];
		hi[0] = tx > hi[0] ? tx : hi[0];
		lo[1] = ty < lo[1] ? ty : lo[1];
		hi[1] = ty > hi[1] ? ty : hi[1];
	}
	if (hi[0] - lo[0] < 1e-3 || hi[1] - lo[1] < 1e-3)
		goto done;
	out[0] = (rect.urx - rect.llx) / (hi[0] - lo[0]);
	out[1] = out[2] = 0;
	out[3] = (rect.ury - rect.lly) / (hi[1] - lo[1]);
	out[4] = rect.llx - out[0] * lo[0];
	out[5] = rect.lly - out[3] * lo[1];
	ok = true;
	for (i = 0; i < 6; i++)
		if (!(out[i] <= 1e9 && out[i] >= -1e9))
			ok = false;	/* no sane page shows it */
done:
	qpdf_oh_release(q, mat);
	qpdf_oh_release(q, dict);
	return ok;
}

/* Put form `st` into the page's /Resources /XObject under a new name (into `name`). */
static void add_xobject(qpdf_data q, qpdf_oh page, qpdf_oh st, char *name, size_t namesz)
{
	qpdf_oh xo = page_resources(q, page, "/XObject");
	int i;

	for (i = 1; ; i++) {
		snprintf(name, namesz, "/SVAnnot%d", i);
		if (!qpdf_oh_has_key(q, xo, name))
			break;
	}
	qpdf_oh_replace_key(q, xo, name, st);
	qpdf_oh_release(q, xo);
}

/*
 * Flatten the page's annotations into `b` (drawn in the page's default
 * space, before the stamp) and remove its /Annots: a printable, visible
 * annotation with an appearance is drawn as a form XObject; any other is
 * dropped, as a printer would drop it.  More than MAX_ANNOTS is refused.
 */
static int flatten_annots(qpdf_data q, qpdf_oh page, sbuf *b)
{
	qpdf_oh annots = qpdf_oh_get_key(q, page, "/Annots");
	int n = 0, i, error = 0;

	if (qpdf_oh_is_array(q, annots))
		n = qpdf_oh_get_array_n_items(q, annots);
	if (n > MAX_ANNOTS) {
		error = qpdf_msg(SCRVAULT_EUSAGE, "a page has more than 10000 annotations");
		goto done;
	}
	for (i = 0; i < n; i++) {
		qpdf_oh a = qpdf_oh_get_array_item(q, annots, i), fl, st, dict;
		long long flags = 0;
		double m[6];
		char name[32];
		int k;

		fl = qpdf_oh_get_key_if_dict(q, a, "/F");
		if (qpdf_oh_is_integer(q, fl))
			flags = qpdf_oh_get_int_value(q, fl);
		qpdf_oh_release(q, fl);
		st = (flags & ANNOT_PRINT) && !(flags & ANNOT_HIDDEN) ? annot_appearance(q, a) : 0;
		if (st && annot_matrix(q, a, st, m)) {
			/* an appearance stream is a form XObject (12.5.5): say so */
			dict = qpdf_oh_get_dict(q, st);
			if (!qpdf_oh_has_key(q, dict, "/Subtype")) {
				qpdf_oh t = qpdf_oh_new_name(q, "/XObject"), f = qpdf_oh_new_name(q, "/Form");

				qpdf_oh_replace_key(q, dict, "/Type", t);
				qpdf_oh_replace_key(q, dict, "/Subtype", f);
				qpdf_oh_release(q, t);
				qpdf_oh_release(q, f);
			}
			qpdf_oh_release(q, dict);
			add_xobject(q, page, st, name, sizeof(name));
			sb_str(b, "q ");
			for (k = 0; k < 6; k++)
				sb_num6(b, m[k]);
			sb_str(b, "cm ");
			sb_str(b, name);
			sb_str(b, " Do Q\n");
		}
		qpdf_oh_release(q, st);
		qpdf_oh_release(q, a);
	}
	qpdf_oh_remove_key(q, page, "/Annots");
done:
	qpdf_oh_release(q, annots);
	return error;
}

/*
 * Stamp one page; qpdf errors are left pending for the caller.  *decoded
 * counts the page content decoded so far (for SV_STAMP_CONTENT_MAX).
 */
static int stamp_page(qpdf_data q, qpdf_oh page, qpdf_oh font, const stamp_text *t,
	size_t *decoded)
{
	qpdf_oh contents = 0, arr = 0, pre = 0, post = 0;
	balance bal = { 0, 0, false };
	unsigned char *data = NULL;
	size_t dlen = 0;
	sbuf head = { 0 }, tail = { 0 }, annots = { 0 };
	char fname[32];
	double m[6], w, h;
	long open, closeq, i;
	int error = 0, n;

	/* how the original content leaves the graphics state stack */
	if (qpdf_oh_get_page_content_data(q, page, &data, &dlen) & QPDF_ERRORS) {
		/*
		 * Content qpdf cannot decode: no count, but a viewer cannot
		 * draw it either, so one q/Q pair is as good as any.
		 */
		qpdf_get_error(q);
	} else if (dlen > SV_STAMP_CONTENT_MAX - *decoded) {
		free(data);
		return sv_error(SCRVAULT_EUSAGE, "the document is too large to print: its pages' "
			"content decodes to more than %u MiB", (unsigned)(SV_STAMP_CONTENT_MAX >> 20));
	} else {
		*decoded += dlen;
		scan_content(&bal, data, dlen);
	}
	free(data);
	open = 1 - bal.low;
	if (open > MAX_BALANCE)
		open = MAX_BALANCE;
	closeq = open + bal.depth;
	if (closeq < 1)
		closeq = 1;
	if (closeq > MAX_BALANCE)
		closeq = MAX_BALANCE;

	if ((error = flatten_annots(q, page, &annots)) < 0)
		goto done;
	add_font(q, page, font, fname, sizeof(fname));
	page_frame(q, page, m, &w, &h);
	for (i = 0; i < open; i++)
		sb_str(&head, i % 32 ? " q" : "\nq");
	sb_str(&head, "\n");
	stamp_content(&tail, closeq, bal.in_text, &annots, fname, m, w, h, t);
	if (head.failed || tail.failed || annots.failed) {
		error = SCRVAULT_ERROR;
		goto done;
	}
	if (!(pre = new_stream(q, head.p, head.len)) ||
	    !(post = new_stream(q, tail.p, tail.len)))
		goto done;

	/* /Contents becomes [ pre, the original streams..., post ] */
	arr = qpdf_oh_new_array(q);
	qpdf_oh_append_item(q, arr, pre);
	contents = qpdf_oh_get_key(q, page, "/Contents");
	if (qpdf_oh_is_array(q, contents)) {
		n = qpdf_oh_get_array_n_items(q, contents);
		for (i = 0; i < n; i++) {
			qpdf_oh it = qpdf_oh_get_array_item(q, contents, (int)i);

			if (qpdf_oh_is_stream(q, it))
				qpdf_oh_append_item(q, arr, it);
			qpdf_oh_release(q, it);
		}
	} else if (qpdf_oh_is_stream(q, contents)) {
		qpdf_oh_append_item(q, arr, contents);
	}
	qpdf_oh_append_item(q, arr, post);
	qpdf_oh_replace_key(q, page, "/Contents", arr);
done:
	qpdf_oh_release(q, contents);
	qpdf_oh_release(q, arr);
	qpdf_oh_release(q, pre);
	qpdf_oh_release(q, post);
	free(head.p);
	free(tail.p);
	free(annots.p);
	return error;
}

/* ---- the sign-out sheet -------------------------------------------------- */

#define SHEET_LEFT	56.0
#define SHEET_VALUE_X	176.0
#define SHEET_RIGHT	(SHEET_W - 56.0)
#define SHEET_SIZE	11.0
#define SHEET_LEADING	15.0

/*
 * A field of the sheet: bold label, then the value wrapped at spaces onto at
 * most `maxlines` lines (the last cut with "..."); moves *y down.
 */
static int sheet_field(sbuf *b, double *y, const char *label, const char *value, int maxlines)
{
	unsigned char *v = NULL, *lab = NULL;
	size_t n, nl, pos = 0;
	double maxw = SHEET_RIGHT - SHEET_VALUE_X;
	bool cut;
	int line;

	if (!(lab = to_winansi(label, &nl)) || !(v = to_winansi(value, &n))) {
		free(lab);
		return SCRVAULT_ERROR;
	}
	sb_text(b, "/F2", SHEET_SIZE, SHEET_LEFT, *y, lab, nl, SHEET_VALUE_X - SHEET_LEFT - 6);
	if (n == 0)
		sb_text(b, "/F1", SHEET_SIZE, SHEET_VALUE_X, *y, (const unsigned char *)"-", 1, maxw);
	for (line = 0; pos < n && line < maxlines; line++) {
		size_t end = n, brk;

		if (line < maxlines - 1 && text_w(v + pos, n - pos, SHEET_SIZE) > maxw) {
			/* the longest run up to a space that fits; else cut mid-word */
			for (brk = pos; brk < n; brk++)
				if (v[brk] == ' ' && text_w(v + pos, brk - pos, SHEET_SIZE) <= maxw)
					end = brk;
				else if (text_w(v + pos, brk - pos, SHEET_SIZE) > maxw)
					break;
			if (end == n || end == pos)
				end = pos + fit(v + pos, n - pos, SHEET_SIZE, maxw, &cut);
			if (end == pos)
				end = pos + 1;
		}
		sb_text(b, "/F1", SHEET_SIZE, SHEET_VALUE_X, *y, v + pos, end - pos, maxw);
		pos = end;
		while (pos < n && v[pos] == ' ')
			pos++;
		*y -= SHEET_LEADING;
	}
	if (n == 0)
		*y -= SHEET_LEADING;
	*y -= 4;
	free(lab);
	free(v);
	return 0;
}

/* A constant ASCII line of the sheet at (x, y). */
static void sb_ctext(sbuf *b, const char *font, double size, double x, double y,
	const char *text)
{
	sb_text(b, font, size, x, y, (const unsigned char *)text, strlen(text),
		SHEET_RIGHT - x);
}

/* The sheet's content stream into `b`. */
static int sheet_content(sbuf *b, const sv_pdf_stamp_spec *s)
{
	static const char *const boxes[] = {
		"Signature of holder", "Date received", "Returned on", "Condition on return"
	};
	unsigned char *mark = NULL, *label = NULL;
	size_t nmark, nlabel, i;
	double y, tw, box_top, row = 44;
	int error = SCRVAULT_ERROR;

	if (!(mark = to_winansi(s->marking, &nmark)) ||
	    !(label = to_winansi(s->copy_label, &nlabel)))
		goto done;

	sb_str(b, "q 0 g 0 G\nBT 0 Tc 0 Tw 100 Tz 0 Ts 0 Tr\n");
	/* the marking, centred at the top and the bottom */
	tw = text_w(mark, nmark, 12);
	if (tw > SHEET_RIGHT - SHEET_LEFT)
		tw = SHEET_RIGHT - SHEET_LEFT;
	sb_text(b, "/F2", 12, (SHEET_W - tw) / 2, SHEET_H - 36, mark, nmark,
		SHEET_RIGHT - SHEET_LEFT);
	sb_text(b, "/F2", 12, (SHEET_W - tw) / 2, 30, mark, nmark, SHEET_RIGHT - SHEET_LEFT);

	sb_ctext(b, "/F2", 18, SHEET_LEFT, SHEET_H - 90, "NUMBERED COPY - SIGN-OUT SHEET");
	sb_text(b, "/F2", 13, SHEET_LEFT, SHEET_H - 116, label, nlabel,
		SHEET_RIGHT - SHEET_LEFT);

	y = SHEET_H - 156;
	if (sheet_field(b, &y, "Copy", s->copy_label, 2) < 0 ||
	    sheet_field(b, &y, "Marking", s->marking, 1) < 0 ||
	    sheet_field(b, &y, "Case", s->case_ref, 1) < 0 ||
	    sheet_field(b, &y, "Title", s->title, 3) < 0 ||
	    sheet_field(b, &y, "Document", s->doc, 2) < 0 ||
	    sheet_field(b, &y, "Holder", s->holder, 2) < 0 ||
	    sheet_field(b, &y, "Contact", s->contact, 3) < 0 ||
	    sheet_field(b, &y, "Purpose", s->purpose, 4) < 0 ||
	    sheet_field(b, &y, "Due for return", s->due, 1) < 0 ||
	    sheet_field(b, &y, "Issued at", s->issued_at, 1) < 0 ||
	    sheet_field(b, &y, "Issued by", s->issued_by, 2) < 0)
		goto done;

	y -= 10;
	sb_ctext(b, "/F1", 9.5, SHEET_LEFT, y, "This copy is numbered and issued to the "
		"holder named above. Do not copy it or pass it on.");
	y -= 13;
	sb_ctext(b, "/F1", 9.5, SHEET_LEFT, y,
		"Sign below on receipt; return the copy with this sheet by the due date.");
	y -= 20;

	/* the signature box: one labelled row each */
	box_top = y;
	for (i = 0; i < SV_ARRAY_SIZE(boxes); i++)
		sb_ctext(b, "/F2", 10, SHEET_LEFT + 6, box_top - 14 - row * (double)i, boxes[i]);
	sb_str(b, "ET\n0.8 w\n");
	sb_num(b, SHEET_LEFT);
	sb_num(b, box_top - row * (double)SV_ARRAY_SIZE(boxes));
	sb_num(b, SHEET_RIGHT - SHEET_LEFT);
	sb_num(b, row * (double)SV_ARRAY_SIZE(boxes));
	sb_str(b, "re S\n");
	for (i = 1; i < SV_ARRAY_SIZE(boxes); i++) {
		sb_num(b, SHEET_LEFT);
		sb_num(b, box_top - row * (double)i);
		sb_str(b, "m ");
		sb_num(b, SHEET_RIGHT);
		sb_num(b, box_top - row * (double)i);
		sb_str(b, "l S\n");
	}
	sb_str(b, "Q\n");
	error = b->failed ? SCRVAULT_ERROR : 0;
done:
	free(mark);
	free(label);
	return error;
}

/* A standard-14 font dictionary as a new indirect object. */
static qpdf_oh new_font(qpdf_data q, const char *base)
{
	char text[128];
	qpdf_oh d, ind;

	snprintf(text, sizeof(text),
		"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>", base);
	d = qpdf_oh_parse(q, text);
	ind = qpdf_make_indirect_object(q, d);
	qpdf_oh_release(q, d);
	return ind;
}

/* Build the sheet and insert it as the first page; qpdf errors left pending. */
static int add_sheet(qpdf_data q, const sv_pdf_stamp_spec *s)
{
	qpdf_oh page = 0, ipage = 0, res = 0, fonts = 0, f1 = 0, f2 = 0, st = 0;
	sbuf b = { 0 };
	int error;

	if ((error = sheet_content(&b, s)) < 0)
		goto done;
	page = qpdf_oh_parse(q, "<< /Type /Page /MediaBox [0 0 595 842] >>");
	res = qpdf_oh_new_dictionary(q);
	fonts = qpdf_oh_new_dictionary(q);
	f1 = new_font(q, "Helvetica");
	f2 = new_font(q, "Helvetica-Bold");
	qpdf_oh_replace_key(q, fonts, "/F1", f1);
	qpdf_oh_replace_key(q, fonts, "/F2", f2);
	qpdf_oh_replace_key(q, res, "/Font", fonts);
	qpdf_oh_replace_key(q, page, "/Resources", res);
	if (!(st = new_stream(q, b.p, b.len)))
		goto done;
	qpdf_oh_replace_key(q, page, "/Contents", st);
	ipage = qpdf_make_indirect_object(q, page);
	if (qpdf_has_error(q))
		goto done;
	qpdf_add_page(q, q, ipage, QPDF_TRUE);
done:
	qpdf_oh_release(q, page);
	qpdf_oh_release(q, ipage);
	qpdf_oh_release(q, res);
	qpdf_oh_release(q, fonts);
	qpdf_oh_release(q, f1);
	qpdf_oh_release(q, f2);
	qpdf_oh_release(q, st);
	free(b.p);
	return error;
}

/* ---- putting it together ------------------------------------------------- */

/* Read the master and stamp each of its pages. */
static int stamp_master(qpdf_data q, const unsigned char *in, size_t len,
	const sv_pdf_stamp_spec *s)
{
	stamp_text t = { 0 };
	qpdf_oh font = 0, root;
	size_t decoded = 0;
	int error, npages, i;

	/*
	 * No recovery: a damaged file that qpdf would patch up could quietly
	 * lose pages, and a numbered copy must be the whole document.
	 */
	qpdf_set_attempt_recovery(q, QPDF_FALSE);
	if (qpdf_read_memory(q, "master", (const char *)in, len, "") & QPDF_ERRORS)
		return qpdf_fail_or(q, SCRVAULT_EUSAGE, "unreadable");
	if (qpdf_is_encrypted(q))
		return qpdf_msg(SCRVAULT_EUSAGE, "it is encrypted");
	if (qpdf_push_inherited_attributes_to_page(q) & QPDF_ERRORS)
		return qpdf_fail_or(q, SCRVAULT_EUSAGE, "bad page tree");
	npages = qpdf_get_num_pages(q);
	if ((error = qpdf_fail(q, SCRVAULT_EUSAGE)) < 0)
		return error;
	if (npages <= 0)
		return qpdf_msg(SCRVAULT_EUSAGE, "it has no pages");

	/* no form for a viewer to draw afresh over the stamp (the fields are flattened) */
	root = qpdf_get_root(q);
	if (qpdf_oh_is_dictionary(q, root))
		qpdf_oh_remove_key(q, root, "/AcroForm");
	qpdf_oh_release(q, root);
	if ((error = qpdf_fail(q, SCRVAULT_EUSAGE)) < 0)
		return error;

	if ((error = stamp_text_make(&t, s)) < 0)
		return error;
	font = new_font(q, "Helvetica");
	for (i = 0; i < npages; i++) {
		qpdf_oh page = qpdf_get_page_n(q, (size_t)i);

		if ((error = qpdf_fail(q, SCRVAULT_EUSAGE)) < 0)
			goto done;
		error = stamp_page(q, page, font, &t, &decoded);
		qpdf_oh_release(q, page);
		if (error < 0 || (error = qpdf_fail(q, SCRVAULT_EUSAGE)) < 0)
			goto done;
	}
done:
	qpdf_oh_release(q, font);
	stamp_text_free(&t);
	return error;
}

int sv_pdf_make_copy(const unsigned char *in, size_t len, const sv_pdf_stamp_spec *s,
	sv_pdf_sink sink, void *ctx)
{
	qpdf_data q = NULL;
	const unsigned char *out;
	size_t outlen;
	int error;

	if (!s || !sink)
		return qpdf_msg(SCRVAULT_EUSAGE, "stamping needs a stamp and somewhere to put the copy");
	if (!(q = qpdf_init()))
		return sv_error(SCRVAULT_ERROR, "out of memory");
	qpdf_silence_errors(q);
	qpdf_set_suppress_warnings(q, QPDF_TRUE);

	if (in) {
		if ((error = stamp_master(q, in, len, s)) < 0)
			goto done;
	} else if (qpdf_empty_pdf(q) & QPDF_ERRORS) {
		error = qpdf_fail_or(q, SCRVAULT_ERROR, "empty pdf");
		goto done;
	}
	/* from here on a qpdf failure is ours or the master's: the same answer */
	if ((error = add_sheet(q, s)) < 0 ||
	    (error = qpdf_fail(q, in ? SCRVAULT_EUSAGE : SCRVAULT_ERROR)) < 0)
		goto done;

	if (qpdf_init_write_memory(q) & QPDF_ERRORS)
		goto qfail;
	qpdf_set_object_stream_mode(q, qpdf_o_preserve);
	qpdf_set_compress_streams(q, QPDF_TRUE);
	/*
	 * The master's streams are written as they are stored, not decoded and
	 * compressed again: a stream that inflates to gigabytes (a bomb in an
	 * image or an unused object) would otherwise cost that much time.  Our
	 * own new streams have no filter and are still compressed.
	 */
	qpdf_set_decode_level(q, qpdf_dl_none);
	/*
	 * The /ID from the content, not from random numbers: the helper may not
	 * call getrandom, and the same master and spec give the same copy.
	 */
	qpdf_set_deterministic_ID(q, QPDF_TRUE);
	if (qpdf_write(q) & QPDF_ERRORS)
		goto qfail;
	outlen = qpdf_get_buffer_length(q);
	out = qpdf_get_buffer(q);
	if ((error = qpdf_fail(q, SCRVAULT_ERROR)) < 0)
		goto done;
	if (!out || outlen == 0) {
		error = qpdf_msg(SCRVAULT_ERROR, "empty output");
		goto done;
	}
	error = sink(ctx, out, outlen);
	goto done;
qfail:
	error = qpdf_fail_or(q, in ? SCRVAULT_EUSAGE : SCRVAULT_ERROR, "qpdf failed");
done:
	qpdf_cleanup(&q);
	return error;
}
