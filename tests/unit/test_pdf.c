/*
 * test_pdf.c - numbered copies of PDFs: the stamping itself (src/stamp/pdf.c,
 * linked in) and the same through the keyless helper scrvault-stamp and its
 * client sv_pdf_stamp (crypto/stamp.h).
 *
 * Every copy is made both ways, in this process and through the helper, and
 * the two must be the same bytes (the /ID is deterministic).  Then the
 * helper's confinement: its seccomp filter kills it when it opens a file (a
 * test hook in build/tests/scrvault-stamp-test, absent from the shipped
 * build/scrvault-stamp), a PDF that decodes to more than its heap stops it
 * ("too large to print"), a malformed request is refused without a crash,
 * and the client kills a helper that does not answer in time, reads what a
 * broken or lying helper sends without trusting it, and never leaves a
 * descriptor open or a child unreaped.
 *
 * The input PDFs are written out by hand here (objects, a correct xref),
 * each page carrying a word of its own (ORIGINALPAGEn) so the test can tell
 * the original content survived.  What the stamped copy says is read back
 * with poppler's pdftotext, as a reader would see it: -layout for the text
 * of each page, -bbox for where the stamp's words are on the page as shown
 * (top or bottom, left to right, horizontal: upright on rotated pages too).
 * The structure is checked with qpdf (the library, and the qpdf command if
 * it is installed).  Tests that need pdftotext skip without it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include "unit.h"
#include "crypto/stamp.h"
#include "pdf.h"
#include <qpdf/qpdf-c.h>

/* build/scrvault-stamp and build/tests/scrvault-stamp-test, found from this program */
static char helper_bin[PATH_MAX], hooks_bin[PATH_MAX];

static const sv_pdf_stamp_spec spec = {
	.copy_label = "SCR-2026-03/overview-report/v2 #3 of 8",
	.case_ref = "SCR-2026-03",
	.marking = "OFFICIAL-SENSITIVE",
	.holder = "Nina Patel (nina)",
	.title = "Overview report: Child P",
	.doc = "982561ffab0c@2",
	.contact = "nina.patel@example.org 01632 960123",
	.purpose = "Panel meeting preparation",
	.due = "2026-04-30",
	.issued_at = "2026-03-02T10:15:00Z",
	.issued_by = "Sam Okafor (sam)",
};

#define TOP_LINE "OFFICIAL-SENSITIVE SCR-2026-03/overview-report/v2 #3 of 8 holder: Nina Patel (nina)"
#define BOTTOM_LINE "SCR-2026-03 COPY SCR-2026-03/overview-report/v2 #3 of 8 - do not copy"

/* ---- writing PDFs by hand ---------------------------------------------- */

#define MAX_OBJ 64

typedef struct {
	char *buf;
	size_t len;
	FILE *f;
	long off[MAX_OBJ];
	int n;			/* highest object number written */
} pdfgen;

static void gen_begin(pdfgen *g)
{
	memset(g, 0, sizeof(*g));
	g->f = open_memstream(&g->buf, &g->len);
	assert_non_null(g->f);
	fputs("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", g->f);
}

/* Object `num` (written in order 1, 2, ...) with the text of a dictionary or array. */
static void gen_obj(pdfgen *g, int num, const char *text)
{
	assert_int_equal(num, g->n + 1);
	assert_true(num < MAX_OBJ);
	g->off[num] = ftell(g->f);
	fprintf(g->f, "%d 0 obj\n%s\nendobj\n", num, text);
	g->n = num;
}

/* A stream object: `dict` holds extra entries, /Length is added. */
static void gen_stream(pdfgen *g, int num, const char *dict, const char *data, size_t len)
{
	assert_int_equal(num, g->n + 1);
	g->off[num] = ftell(g->f);
	fprintf(g->f, "%d 0 obj\n<< %s /Length %zu >>\nstream\n", num, dict, len);
	fwrite(data, 1, len, g->f);
	fputs("\nendstream\nendobj\n", g->f);
	g->n = num;
}

static void gen_content(pdfgen *g, int num, const char *text)
{
	gen_stream(g, num, "", text, strlen(text));
}

/* The xref and trailer (root is object `root`); returns the bytes (caller frees). */
static unsigned char *gen_end(pdfgen *g, int root, size_t *len)
{
	long xref = ftell(g->f);
	int i;

	fprintf(g->f, "xref\n0 %d\n0000000000 65535 f \n", g->n + 1);
	for (i = 1; i <= g->n; i++)
		fprintf(g->f, "%010ld 00000 n \n", g->off[i]);
	fprintf(g->f, "trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%ld\n%%%%EOF\n",
		g->n + 1, root, xref);
	assert_int_equal(fclose(g->f), 0);
	*len = g->len;
	return (unsigned char *)g->buf;
}

/*
 * Four pages of different sizes, resources on each page: A4 portrait,
 * US Letter, A3 landscape and a small label-sized page.
 */
static unsigned char *make_sizes(size_t *len)
{
	pdfgen g;

	gen_begin(&g);
	gen_obj(&g, 1, "<< /Type /Catalog /Pages 2 0 R >>");
	gen_obj(&g, 2, "<< /Type /Pages /Kids [4 0 R 6 0 R 8 0 R 10 0 R] /Count 4 >>");
	gen_obj(&g, 3, "<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>");
	gen_obj(&g, 4, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
		"/Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>");
	gen_content(&g, 5, "BT /F1 14 Tf 72 700 Td (ORIGINALPAGE1 a4 portrait) Tj ET");
	gen_obj(&g, 6, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
		"/Resources << /Font << /F1 3 0 R >> >> /Contents 7 0 R >>");
	gen_content(&g, 7, "BT /F1 14 Tf 72 650 Td (ORIGINALPAGE2 letter) Tj ET");
	gen_obj(&g, 8, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 1191 842] "
		"/Resources << /Font << /F1 3 0 R >> >> /Contents 9 0 R >>");
	gen_content(&g, 9, "BT /F1 14 Tf 500 400 Td (ORIGINALPAGE3 a3 landscape) Tj ET");
	gen_obj(&g, 10, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 150] "
		"/Resources << /Font << /F1 3 0 R >> >> /Contents 11 0 R >>");
	gen_content(&g, 11, "BT /F1 10 Tf 20 70 Td (ORIGINALPAGE4) Tj ET");
	return gen_end(&g, 1, len);
}

/*
 * Rotated pages, boxes that do not start at 0 0, a crop box: each page's
 * text is placed inside its box.
 */
static unsigned char *make_rotated(size_t *len)
{
	pdfgen g;

	gen_begin(&g);
	gen_obj(&g, 1, "<< /Type /Catalog /Pages 2 0 R >>");
	gen_obj(&g, 2, "<< /Type /Pages /Kids [4 0 R 6 0 R 8 0 R 10 0 R 12 0 R] /Count 5 >>");
	gen_obj(&g, 3, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
	gen_obj(&g, 4, "<< /Type /Page /Parent 2 0 R /MediaBox [100 200 695 1042] /Rotate 90 "
		"/Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>");
	gen_content(&g, 5, "BT /F1 14 Tf 200 600 Td (ORIGINALPAGE1 rotate 90) Tj ET");
	gen_obj(&g, 6, "<< /Type /Page /Parent 2 0 R /MediaBox [-50 -50 562 742] /Rotate 270 "
		"/Resources << /Font << /F1 3 0 R >> >> /Contents 7 0 R >>");
	gen_content(&g, 7, "BT /F1 14 Tf 0 300 Td (ORIGINALPAGE2 rotate 270) Tj ET");
	gen_obj(&g, 8, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
		"/CropBox [50 60 545 782] /Rotate 180 "
		"/Resources << /Font << /F1 3 0 R >> >> /Contents 9 0 R >>");
	gen_content(&g, 9, "BT /F1 14 Tf 100 400 Td (ORIGINALPAGE3 rotate 180) Tj ET");
	gen_obj(&g, 10, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Rotate -90 "
		"/Resources << /Font << /F1 3 0 R >> >> /Contents 11 0 R >>");
	gen_content(&g, 11, "BT /F1 14 Tf 300 300 Td (ORIGINALPAGE4 rotate minus 90) Tj ET");
	gen_obj(&g, 12, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Rotate 450 "
		"/Resources << /Font << /F1 3 0 R >> >> /Contents 13 0 R >>");
	gen_content(&g, 13, "BT /F1 14 Tf 100 400 Td (ORIGINALPAGE5 rotate 450) Tj ET");
	return gen_end(&g, 1, len);
}

/*
 * Hostile content and an inherited page tree: resources, media box and
 * rotation come from /Pages nodes (two levels); page 1 leaves a "q" open
 * after scaling the CTM to a quarter and setting invisible text, page 2
 * has two "Q" too many (and inherits /Rotate 90), page 3 has its text split
 * over a /Contents array and leaves a BT open, page 4 uses /SVStampF1 for a
 * font of its own, page 5 has no content, page 6 hides q and Q in strings,
 * a comment and inline image data and leaves one "q" open.
 */
static unsigned char *make_hostile(size_t *len)
{
	static const char p6[] =
		"BT /F1 12 Tf 72 700 Td (q Q \\) q Q) Tj ET % q q q\n"
		"q 10 0 0 10 100 100 cm BI /W 2 /H 1 /BPC 8 /CS /G ID qQ EI Q\n"
		"q 2 0 0 2 0 0 cm BT /F1 12 Tf 30 300 Td (ORIGINALPAGE6 strings) Tj ET";
	pdfgen g;

	gen_begin(&g);
	gen_obj(&g, 1, "<< /Type /Catalog /Pages 2 0 R >>");
	gen_obj(&g, 2, "<< /Type /Pages /Kids [3 0 R 14 0 R] /Count 6 "
		"/MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> >>");
	gen_obj(&g, 3, "<< /Type /Pages /Parent 2 0 R /Kids [5 0 R 7 0 R] /Count 2 "
		"/Rotate 90 >>");
	gen_obj(&g, 4, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
	gen_obj(&g, 5, "<< /Type /Page /Parent 3 0 R /Rotate 0 /Contents 6 0 R >>");
	gen_content(&g, 6, "q 0.25 0 0 0.25 0 0 cm 1 0 0 rg 3 Tr 5 Tc "
		"BT /F1 40 Tf 200 2000 Td (ORIGINALPAGE1 unbalanced) Tj ET q 0.5 0 0 0.5 0 0 cm");
	gen_obj(&g, 7, "<< /Type /Page /Parent 3 0 R /Contents 8 0 R >>");
	gen_content(&g, 8, "Q Q BT /F1 12 Tf 72 500 Td (ORIGINALPAGE2 extra Q) Tj ET");
	gen_obj(&g, 9, "<< /Type /Page /Parent 14 0 R /Contents [10 0 R 11 0 R] >>");
	gen_content(&g, 10, "BT /F1 12 Tf 72 700 Td");
	gen_content(&g, 11, "(ORIGINALPAGE3 array) Tj 0 -20 Td");
	gen_obj(&g, 12, "<< /Type /Page /Parent 14 0 R /Contents 13 0 R "
		"/Resources << /Font << /SVStampF1 15 0 R >> >> >>");
	gen_content(&g, 13, "BT /SVStampF1 12 Tf 72 600 Td (ORIGINALPAGE4 clash) Tj ET");
	gen_obj(&g, 14, "<< /Type /Pages /Parent 2 0 R /Kids [9 0 R 12 0 R 16 0 R 17 0 R] "
		"/Count 4 >>");
	gen_obj(&g, 15, "<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>");
	gen_obj(&g, 16, "<< /Type /Page /Parent 14 0 R >>");
	gen_obj(&g, 17, "<< /Type /Page /Parent 14 0 R /Contents 18 0 R >>");
	gen_stream(&g, 18, "", p6, sizeof(p6) - 1);
	return gen_end(&g, 1, len);
}

/* ---- running the stamp and the tools ------------------------------------- */

static bool have(const char *prog)
{
	char *cmd = sv_printf("command -v %s >/dev/null 2>&1", prog);
	int rc;

	assert_non_null(cmd);
	rc = system(cmd);
	free(cmd);
	return rc == 0;
}

static void need_pdftotext(void)
{
	if (!have("pdftotext") || !have("pdfinfo")) {
		printf("# skipped: pdftotext or pdfinfo (poppler-utils) not on PATH\n");
		skip();
	}
}

/* Run a shell command; its stdout in a new string, exit status in *status. */
static char *run(const char *cmd, int *status)
{
	FILE *p = popen(cmd, "r");
	char *out = NULL;
	size_t n = 0, cap = 0, got;
	int rc;

	assert_non_null(p);
	do {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 65536;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		got = fread(out + n, 1, cap - n - 1, p);
		n += got;
	} while (got > 0);
	out[n] = '\0';
	rc = pclose(p);
	*status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
	return out;
}

static size_t file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (size_t)st.st_size;
}

/* ---- descriptors and children: the client must leave none behind ---------- */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own */
}

static void assert_no_children(void)
{
	int st;

	errno = 0;
	if (waitpid(-1, &st, WNOHANG) != -1 || errno != ECHILD)
		fail_msg("a child process was left behind (not waited for)");
}

/* sv_pdf_stamp into `fd`, checking that it leaves no descriptor or child behind. */
static int client_stamp(int fd, const unsigned char *in, size_t len, const sv_pdf_stamp_spec *s)
{
	int before = count_fds(), rc;

	rc = sv_pdf_stamp(fd, in, len, s);
	if (count_fds() != before)
		fail_msg("sv_pdf_stamp left %d descriptors open", count_fds() - before);
	assert_no_children();
	return rc;
}

static int sink_fd(void *ctx, const unsigned char *pdf, size_t len)
{
	int fd = *(int *)ctx;

	while (len > 0) {
		ssize_t n = write(fd, pdf, len);

		if (n <= 0)
			return sv_error(SCRVAULT_ERROR, "cannot write the stamped copy: %s", strerror(errno));
		pdf += n;
		len -= (size_t)n;
	}
	return 0;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/*
 * Stamp `in` into a new file `path` twice: in this process (pdf.c) and
 * through the helper (sv_pdf_stamp).  Both must give the same result: the
 * same code, or the same bytes.  Returns what sv_pdf_stamp returned, with
 * its message; on failure neither wrote anything.
 */
static int stamp_file(const char *path, const unsigned char *in, size_t len,
	const sv_pdf_stamp_spec *s)
{
	char *local = sv_printf("%s.local", path), msg[1024];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), lfd, rc, lrc;
	unsigned char *a, *b;
	size_t alen, blen;

	assert_true(fd >= 0);
	assert_non_null(local);
	lfd = open(local, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(lfd >= 0);
	lrc = sv_pdf_make_copy(in, len, s, sink_fd, &lfd);
	snprintf(msg, sizeof(msg), "%s", scrvault_error_message());
	assert_int_equal(close(lfd), 0);
	rc = client_stamp(fd, in, len, s);
	assert_int_equal(close(fd), 0);
	if (rc != lrc && !(in && len == 0))	/* the client refuses an empty master itself */
		fail_msg("in process %d (%s), through the helper %d (%s)", lrc, msg, rc,
			scrvault_error_message());
	if (rc == 0 && lrc == 0) {
		a = slurp(path, &alen);
		b = slurp(local, &blen);
		if (alen != blen || memcmp(a, b, alen))
			fail_msg("the helper's copy (%zu bytes) is not the one made in process (%zu bytes)",
				alen, blen);
		free(a);
		free(b);
	} else if (rc < 0 && lrc < 0 && !(in && len == 0) && strcmp(msg, scrvault_error_message())) {
		fail_msg("in process '%s', through the helper '%s'", msg, scrvault_error_message());
	}
	unlink(local);
	free(local);
	return rc;
}

/* The text of each page ("pdftotext -layout"), whitespace runs made one space. */
typedef struct {
	char *all;
	char **page;
	int n;
} pages;

static void squash(char *s)
{
	char *o = s, *start = s;
	bool sp = true;

	for (; *s; s++) {
		if (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r') {
			if (!sp)
				*o++ = ' ';
			sp = true;
		} else {
			*o++ = *s;
			sp = false;
		}
	}
	if (o > start && o[-1] == ' ')
		o--;
	*o = '\0';
}

static void text_pages(pages *pg, const char *path)
{
	char *cmd = sv_printf("pdftotext -cropbox -layout -enc UTF-8 '%s' -", path), *p, *ff;
	int status;

	assert_non_null(cmd);
	pg->all = run(cmd, &status);
	free(cmd);
	assert_int_equal(status, 0);
	pg->page = NULL;
	pg->n = 0;
	for (p = pg->all; (ff = strchr(p, '\f')); p = ff + 1) {
		*ff = '\0';
		pg->page = realloc(pg->page, sizeof(char *) * (size_t)(pg->n + 1));
		assert_non_null(pg->page);
		squash(p);
		pg->page[pg->n++] = p;
	}
}

static void pages_free(pages *pg)
{
	free(pg->page);
	free(pg->all);
}

static void assert_contains(const char *hay, const char *needle, const char *what, int page)
{
	if (!strstr(hay, needle))
		fail_msg("%s page %d: '%s' not found in:\n%s", what, page, needle, hay);
}

/* Words with their boxes ("pdftotext -bbox"), y measured down from the top. */
typedef struct {
	char text[128];
	double x0, y0, x1, y1;
} word;

typedef struct {
	double w, h;
	word *words;
	int n;
} bpage;

typedef struct {
	bpage *p;
	int n;
} bdoc;

static double attr(const char *tag, const char *name)
{
	char key[32];
	const char *a;

	snprintf(key, sizeof(key), " %s=\"", name);
	a = strstr(tag, key);
	assert_non_null(a);
	return strtod(a + strlen(key), NULL);
}

/*
 * pdftotext -bbox gives each page's size before /Rotate (the words are
 * placed as shown): turn the sizes with the rotation pdfinfo reports.
 */
static void bbox_rotate(bdoc *d, const char *path)
{
	char *cmd = sv_printf("pdfinfo -f 1 -l %d '%s'", d->n, path), *out, *p;
	int status, page, rot;

	assert_non_null(cmd);
	out = run(cmd, &status);
	free(cmd);
	assert_int_equal(status, 0);
	for (p = out; (p = strstr(p, "\nPage ")); p++) {
		if (sscanf(p, "\nPage %d rot: %d", &page, &rot) == 2 && page >= 1 &&
		    page <= d->n && (rot == 90 || rot == 270)) {
			double t = d->p[page - 1].w;

			d->p[page - 1].w = d->p[page - 1].h;
			d->p[page - 1].h = t;
		}
	}
	free(out);
}

static void bbox_read(bdoc *d, const char *path)
{
	char *cmd = sv_printf("pdftotext -cropbox -bbox -enc UTF-8 '%s' -", path), *out, *p;
	int status;

	assert_non_null(cmd);
	out = run(cmd, &status);
	free(cmd);
	assert_int_equal(status, 0);
	d->p = NULL;
	d->n = 0;
	for (p = out; (p = strchr(p, '<')); p++) {
		if (!strncmp(p, "<page ", 6)) {
			d->p = realloc(d->p, sizeof(bpage) * (size_t)(d->n + 1));
			assert_non_null(d->p);
			d->p[d->n].w = attr(p, "width");
			d->p[d->n].h = attr(p, "height");
			d->p[d->n].words = NULL;
			d->p[d->n].n = 0;
			d->n++;
		} else if (!strncmp(p, "<word ", 6)) {
			bpage *bp = &d->p[d->n - 1];
			char *gt = strchr(p, '>'), *end = strstr(p, "</word>");
			word *w;

			assert_true(d->n > 0 && gt && end);
			bp->words = realloc(bp->words, sizeof(word) * (size_t)(bp->n + 1));
			assert_non_null(bp->words);
			w = &bp->words[bp->n++];
			w->x0 = attr(p, "xMin");
			w->y0 = attr(p, "yMin");
			w->x1 = attr(p, "xMax");
			w->y1 = attr(p, "yMax");
			snprintf(w->text, sizeof(w->text), "%.*s", (int)(end - gt - 1), gt + 1);
		}
	}
	free(out);
	bbox_rotate(d, path);
}

static void bbox_free(bdoc *d)
{
	int i;

	for (i = 0; i < d->n; i++)
		free(d->p[i].words);
	free(d->p);
}

/* The word `text` on page `bp` that is nearest the top (top) or the bottom. */
static const word *find_word(const bpage *bp, const char *text, bool top)
{
	const word *best = NULL;
	int i;

	for (i = 0; i < bp->n; i++)
		if (!strcmp(bp->words[i].text, text) &&
		    (!best || (top ? bp->words[i].y0 < best->y0 : bp->words[i].y0 > best->y0)))
			best = &bp->words[i];
	return best;
}

static bool horizontal(const word *w)
{
	return w->x1 - w->x0 > 1.5 * (w->y1 - w->y0);
}

/*
 * The stamp reads upright on page `i` as shown: "OFFICIAL-SENSITIVE" is
 * horizontal at the top, "holder:" after it (to its right, or on a later
 * line on a narrow page), "COPY" and "copy" horizontal at the bottom.
 */
static void assert_upright(const bdoc *d, int i)
{
	const bpage *bp = &d->p[i];
	const word *mark = find_word(bp, "OFFICIAL-SENSITIVE", true);
	const word *holder = find_word(bp, "holder:", true);
	const word *copy = find_word(bp, "COPY", false);
	const word *dnc = find_word(bp, "copy", false);

	if (!mark || !holder || !copy || !dnc)
		fail_msg("page %d: stamp words missing", i + 1);
	if (!horizontal(mark) || !horizontal(copy) || !horizontal(dnc))
		fail_msg("page %d: stamp not horizontal (marking %.1f x %.1f)", i + 1,
			mark->x1 - mark->x0, mark->y1 - mark->y0);
	if (mark->y0 > 30 || mark->y1 - mark->y0 > 14)
		fail_msg("page %d: marking at y %.1f..%.1f, not a stamp at the top", i + 1,
			mark->y0, mark->y1);
	if (copy->y1 < bp->h - 30 || dnc->y1 < bp->h - 30)
		fail_msg("page %d: COPY at y %.1f of %.1f, not at the bottom", i + 1,
			copy->y1, bp->h);
	if (fabs(holder->y0 - mark->y0) < 1.5) {
		if (holder->x0 <= mark->x1)
			fail_msg("page %d: 'holder:' before the marking", i + 1);
	} else if (holder->y0 < mark->y0 || !horizontal(holder)) {
		fail_msg("page %d: 'holder:' neither after nor below the marking", i + 1);
	}
	if (dnc->x0 <= copy->x1 && fabs(dnc->y0 - copy->y0) < 1.5)
		fail_msg("page %d: 'copy' before 'COPY' on the bottom line", i + 1);
}

/* qpdf reads the copy back with no error or warning, with `npages` pages. */
static void assert_qpdf_clean(const char *path, int npages)
{
	qpdf_data q = qpdf_init();
	int rc;

	qpdf_silence_errors(q);
	qpdf_set_suppress_warnings(q, QPDF_TRUE);
	assert_int_equal(qpdf_read(q, path, NULL), QPDF_SUCCESS);
	assert_int_equal(qpdf_get_num_pages(q), npages);
	rc = qpdf_check_pdf(q);
	if (rc != QPDF_SUCCESS) {
		qpdf_error e = qpdf_has_error(q) ? qpdf_get_error(q) : qpdf_next_warning(q);

		fail_msg("qpdf check of %s: %s", path, e ? qpdf_get_error_full_text(q, e) : "?");
	}
	qpdf_cleanup(&q);

	if (have("qpdf")) {
		char *cmd = sv_printf("qpdf --check '%s' >/dev/null 2>&1", path), *out;
		int status;

		assert_non_null(cmd);
		out = run(cmd, &status);
		free(cmd);
		free(out);
		assert_int_equal(status, 0);
	}
}

/* The sign-out sheet's text on `text`. */
static void assert_sheet(const char *text, const sv_pdf_stamp_spec *s)
{
	assert_contains(text, "NUMBERED COPY - SIGN-OUT SHEET", "sheet", 1);
	assert_contains(text, s->copy_label, "sheet", 1);
	assert_contains(text, s->marking, "sheet", 1);
	assert_contains(text, s->case_ref, "sheet", 1);
	assert_contains(text, s->title, "sheet", 1);
	assert_contains(text, s->doc, "sheet", 1);
	assert_contains(text, s->holder, "sheet", 1);
	assert_contains(text, s->contact, "sheet", 1);
	assert_contains(text, s->purpose, "sheet", 1);
	assert_contains(text, s->due, "sheet", 1);
	assert_contains(text, s->issued_at, "sheet", 1);
	assert_contains(text, s->issued_by, "sheet", 1);
	assert_contains(text, "Signature of holder", "sheet", 1);
	assert_contains(text, "Date received", "sheet", 1);
	assert_contains(text, "Returned on", "sheet", 1);
	assert_contains(text, "Condition on return", "sheet", 1);
	assert_contains(text, "Do not copy it or pass it on.", "sheet", 1);
}

/*
 * Stamp a generated PDF of `n` pages and check the copy: n + 1 pages, the
 * sheet first, every page stamped upright and still carrying its own word
 * ORIGINALPAGEk (unless listed in `blank`, a page with no content).
 */
static void check_generated(unsigned char *in, size_t len, int n, int blank)
{
	char *dir = unit_tmpdir(), *out = sv_printf("%s/copy.pdf", dir);
	pages pg;
	bdoc bd;
	int i, rc;

	assert_non_null(out);
	rc = stamp_file(out, in, len, &spec);
	if (rc != 0)
		fail_msg("stamp: %d %s", rc, scrvault_error_message());
	assert_qpdf_clean(out, n + 1);

	text_pages(&pg, out);
	assert_int_equal(pg.n, n + 1);
	assert_sheet(pg.page[0], &spec);
	for (i = 1; i <= n; i++) {
		char word_[32];

		assert_contains(pg.page[i], TOP_LINE, "stamped", i + 1);
		assert_contains(pg.page[i], BOTTOM_LINE, "stamped", i + 1);
		if (i != blank) {
			snprintf(word_, sizeof(word_), "ORIGINALPAGE%d", i);
			assert_contains(pg.page[i], word_, "stamped", i + 1);
		}
	}
	bbox_read(&bd, out);
	assert_int_equal(bd.n, n + 1);
	assert_true(bd.p[0].w > 594 && bd.p[0].w < 596 && bd.p[0].h > 841 && bd.p[0].h < 843);
	for (i = 1; i <= n; i++)
		assert_upright(&bd, i);
	bbox_free(&bd);
	pages_free(&pg);
	free(in);
	free(out);
	unit_rmtree(dir);
	free(dir);
}

/* ---- the tests ----------------------------------------------------------- */

static void test_page_sizes(void **state)
{
	size_t len;
	unsigned char *in;

	(void)state;
	need_pdftotext();
	in = make_sizes(&len);
	check_generated(in, len, 4, 0);
}

/* The pages keep their sizes as shown: rotation swaps width and height. */
static void test_rotated_pages(void **state)
{
	static const double shown[5][2] = {
		{ 842, 595 }, { 792, 612 }, { 495, 722 }, { 595, 842 }, { 792, 612 }
	};
	char *dir, *out;
	unsigned char *in;
	size_t len;
	bdoc bd;
	int i;

	(void)state;
	need_pdftotext();
	in = make_rotated(&len);
	check_generated(in, len, 5, 0);

	in = make_rotated(&len);
	dir = unit_tmpdir();
	out = sv_printf("%s/copy.pdf", dir);
	assert_int_equal(stamp_file(out, in, len, &spec), 0);
	bbox_read(&bd, out);
	for (i = 0; i < 5; i++)
		if (fabs(bd.p[i + 1].w - shown[i][0]) > 1 || fabs(bd.p[i + 1].h - shown[i][1]) > 1)
			fail_msg("page %d shown %.0f x %.0f, wanted %.0f x %.0f", i + 2,
				bd.p[i + 1].w, bd.p[i + 1].h, shown[i][0], shown[i][1]);
	bbox_free(&bd);
	free(in);
	free(out);
	unit_rmtree(dir);
	free(dir);
}

static void test_hostile_content(void **state)
{
	size_t len;
	unsigned char *in;

	(void)state;
	need_pdftotext();
	in = make_hostile(&len);
	check_generated(in, len, 6, 5);
}

/*
 * The stamp on a page whose content leaves the CTM scaled is drawn at its
 * normal size: a stamp word's box is the same on every page.
 */
static void test_state_restored(void **state)
{
	char *dir = unit_tmpdir(), *out = sv_printf("%s/copy.pdf", dir);
	unsigned char *in;
	size_t len;
	bdoc bd;
	int i;

	(void)state;
	need_pdftotext();
	in = make_hostile(&len);
	assert_int_equal(stamp_file(out, in, len, &spec), 0);
	bbox_read(&bd, out);
	for (i = 1; i < bd.n; i++) {
		const word *w = find_word(&bd.p[i], "holder:", true);
		const word *ref = find_word(&bd.p[1], "holder:", true);

		assert_non_null(w);
		if (fabs((w->x1 - w->x0) - (ref->x1 - ref->x0)) > 0.5 ||
		    fabs((w->y1 - w->y0) - (ref->y1 - ref->y0)) > 0.5)
			fail_msg("page %d: 'holder:' is %.1f x %.1f, on page 2 %.1f x %.1f",
				i + 1, w->x1 - w->x0, w->y1 - w->y0, ref->x1 - ref->x0,
				ref->y1 - ref->y0);
	}
	bbox_free(&bd);
	free(in);
	free(out);
	unit_rmtree(dir);
	free(dir);
}

/* The master's own /SVStampF1 (Courier) is left alone. */
static void test_font_name_clash(void **state)
{
	char *dir = unit_tmpdir(), *out = sv_printf("%s/copy.pdf", dir);
	unsigned char *in;
	size_t len;
	qpdf_data q;
	qpdf_oh page, res, fonts, f1, base;

	(void)state;
	in = make_hostile(&len);
	assert_int_equal(stamp_file(out, in, len, &spec), 0);
	q = qpdf_init();
	qpdf_silence_errors(q);
	assert_int_equal(qpdf_read(q, out, NULL), QPDF_SUCCESS);
	page = qpdf_get_page_n(q, 4);
	res = qpdf_oh_get_key(q, page, "/Resources");
	fonts = qpdf_oh_get_key(q, res, "/Font");
	f1 = qpdf_oh_get_key(q, fonts, "/SVStampF1");
	base = qpdf_oh_get_key(q, f1, "/BaseFont");
	assert_true(qpdf_oh_is_name_and_equals(q, base, "/Courier"));
	assert_true(qpdf_oh_has_key(q, fonts, "/SVStampF2"));
	assert_false(qpdf_has_error(q));
	qpdf_cleanup(&q);
	free(in);
	free(out);
	unit_rmtree(dir);
	free(dir);
}

static void test_sheet_only(void **state)
{
	char *dir = unit_tmpdir(), *out = sv_printf("%s/sheet.pdf", dir);
	pages pg;
	bdoc bd;

	(void)state;
	assert_int_equal(stamp_file(out, NULL, 0, &spec), 0);
	assert_qpdf_clean(out, 1);
	if (have("pdftotext") && have("pdfinfo")) {
		text_pages(&pg, out);
		assert_int_equal(pg.n, 1);
		assert_sheet(pg.page[0], &spec);
		pages_free(&pg);
		bbox_read(&bd, out);
		assert_int_equal(bd.n, 1);
		assert_true(fabs(bd.p[0].w - 595) < 1 && fabs(bd.p[0].h - 842) < 1);
		bbox_free(&bd);
	}
	free(out);
	unit_rmtree(dir);
	free(dir);
}

/*
 * The same master and spec give the same copy, whenever it is made: its /ID
 * is derived from the content (qpdf's own would include the time).
 */
static void test_deterministic(void **state)
{
	char *dir = unit_tmpdir(), *a = sv_printf("%s/a.pdf", dir), *b = sv_printf("%s/b.pdf", dir);
	unsigned char *in, *x, *y;
	size_t len, xlen, ylen;
	struct timespec nap = { 1, 100000000 };

	(void)state;
	in = make_sizes(&len);
	assert_int_equal(stamp_file(a, in, len, &spec), 0);
	nanosleep(&nap, NULL);	/* into the next second */
	assert_int_equal(stamp_file(b, in, len, &spec), 0);
	x = slurp(a, &xlen);
	y = slurp(b, &ylen);
	assert_true(xlen == ylen && !memcmp(x, y, xlen));
	free(x);
	free(y);
	free(in);
	free(a);
	free(b);
	unit_rmtree(dir);
	free(dir);
}

/*
 * Text: ( ) \ survive, Latin-1 and typographic quotes print as themselves,
 * what WinAnsi lacks prints as '?', an overlong value is cut with "...".
 */
static void test_text_escaping(void **state)
{
	char *dir = unit_tmpdir(), *out = sv_printf("%s/copy.pdf", dir), longp[600];
	sv_pdf_stamp_spec s = spec;
	unsigned char *in;
	size_t len, i;
	pages pg;

	(void)state;
	need_pdftotext();
	for (i = 0; i + 1 < sizeof(longp); i++)
		longp[i] = i % 7 == 6 ? ' ' : (char)('a' + i % 26);
	longp[i] = '\0';
	s.holder = "Siobh\xc3\xa1n \xc3\x93 D\xc3\xbanlaing (a\\b) \xe2\x80\x9cSD\xe2\x80\x9d \xe6\x9d\x8e";
	s.copy_label = "SCR-2026-03/(draft)\\v2 #1 of 2";
	s.purpose = longp;
	s.title = "x\xff\xfey";	/* not UTF-8 */
	in = make_sizes(&len);
	assert_int_equal(stamp_file(out, in, len, &s), 0);
	text_pages(&pg, out);
	assert_int_equal(pg.n, 5);
	for (i = 0; i < 5; i++) {
		assert_contains(pg.page[i],
			"Siobh\xc3\xa1n \xc3\x93 D\xc3\xbanlaing (a\\b) \xe2\x80\x9cSD\xe2\x80\x9d ?",
			"escaped", (int)i + 1);
		assert_contains(pg.page[i], "SCR-2026-03/(draft)\\v2 #1 of 2", "escaped", (int)i + 1);
	}
	assert_contains(pg.page[0], "x??y", "sheet", 1);
	assert_contains(pg.page[0], "abcdef ", "sheet", 1);
	assert_contains(pg.page[0], "...", "sheet", 1);
	pages_free(&pg);
	free(in);
	free(out);
	unit_rmtree(dir);
	free(dir);
}

/* Rejected input: EUSAGE with the documented message and nothing written. */
static void assert_rejects(const unsigned char *in, size_t len, const char *why)
{
	char *dir = unit_tmpdir(), *out = sv_printf("%s/copy.pdf", dir);
	const char *msg;
	int rc;

	assert_non_null(out);
	rc = stamp_file(out, in, len, &spec);
	msg = scrvault_error_message();
	if (rc != SCRVAULT_EUSAGE)
		fail_msg("%s: returned %d (%s), wanted EUSAGE", why, rc, msg);
	if (strncmp(msg, "the master is not a PDF that can be stamped (", 45) ||
	    msg[strlen(msg) - 1] != ')' || strlen(msg) < 48)
		fail_msg("%s: message '%s'", why, msg);
	assert_int_equal(file_size(out), 0);
	free(out);
	unit_rmtree(dir);
	free(dir);
}

static void test_rejects_garbage(void **state)
{
	static const char garbage[] = "this is not a PDF at all, just some words\n";
	unsigned char noise[4096];
	unsigned char *in;
	size_t len, i;

	(void)state;
	assert_rejects((const unsigned char *)garbage, sizeof(garbage) - 1, "garbage");
	for (i = 0; i < sizeof(noise); i++)
		noise[i] = (unsigned char)(i * 7919 + (i >> 3));
	assert_rejects(noise, sizeof(noise), "noise");
	assert_rejects((const unsigned char *)"", 0, "empty");
	assert_rejects((const unsigned char *)"%PDF-1.4\n", 9, "header only");

	in = make_sizes(&len);
	assert_rejects(in, len / 2, "truncated at half");
	assert_rejects(in, len - 40, "truncated in the trailer");
	/* a PDF whose xref puts the catalog (object 1) at the wrong place */
	for (i = len - 40; i > 0; i--)
		if (!memcmp(in + i, "xref\n", 5))
			break;
	assert_true(i > 0);
	memcpy(in + i + 5 + strlen("0 19\n0000000000 65535 f \n"), "0000000001", 10);
	assert_rejects(in, len, "xref pointing wrong");
	free(in);
}

/* Write `in` encrypted (AES-256) with user password `user`. */
static unsigned char *encrypt_pdf(const unsigned char *in, size_t len, const char *user,
	size_t *outlen)
{
	qpdf_data q = qpdf_init();
	unsigned char *copy;

	qpdf_silence_errors(q);
	assert_int_equal(qpdf_read_memory(q, "in", (const char *)in, len, NULL), QPDF_SUCCESS);
	assert_int_equal(qpdf_init_write_memory(q), QPDF_SUCCESS);
	qpdf_set_r6_encryption_parameters2(q, user, "owner-secret", QPDF_TRUE, QPDF_TRUE,
		QPDF_TRUE, QPDF_TRUE, QPDF_TRUE, QPDF_TRUE, qpdf_r3p_full, QPDF_TRUE);
	assert_int_equal(qpdf_write(q), QPDF_SUCCESS);
	*outlen = qpdf_get_buffer_length(q);
	copy = malloc(*outlen);
	assert_non_null(copy);
	memcpy(copy, qpdf_get_buffer(q), *outlen);
	qpdf_cleanup(&q);
	return copy;
}

static void test_rejects_encrypted(void **state)
{
	unsigned char *in, *enc;
	size_t len, elen;

	(void)state;
	in = make_sizes(&len);
	enc = encrypt_pdf(in, len, "", &elen);
	assert_rejects(enc, elen, "encrypted, empty user password");
	assert_non_null(strstr(scrvault_error_message(), "encrypted"));
	free(enc);
	enc = encrypt_pdf(in, len, "user-secret", &elen);
	assert_rejects(enc, elen, "encrypted with a password");
	free(enc);
	free(in);
}

/* Bad arguments. */
static void test_usage(void **state)
{
	unsigned char *in;
	size_t len;
	int fd = 1;

	(void)state;
	in = make_sizes(&len);
	assert_int_equal(sv_pdf_stamp(-1, in, len, &spec), SCRVAULT_EUSAGE);
	assert_int_equal(sv_pdf_stamp(1, in, len, NULL), SCRVAULT_EUSAGE);
	assert_int_equal(sv_pdf_make_copy(in, len, NULL, sink_fd, &fd), SCRVAULT_EUSAGE);
	assert_int_equal(sv_pdf_make_copy(in, len, &spec, NULL, NULL), SCRVAULT_EUSAGE);
	free(in);
}

/* A field longer than the protocol allows is refused before the helper runs. */
static void test_field_too_long(void **state)
{
	char *dir = unit_tmpdir(), *out = sv_printf("%s/copy.pdf", dir), *big;
	sv_pdf_stamp_spec s = spec;
	int fd;

	(void)state;
	big = malloc(SV_STAMP_FIELD_MAX + 2);
	assert_non_null(big);
	memset(big, 'a', SV_STAMP_FIELD_MAX + 1);
	big[SV_STAMP_FIELD_MAX + 1] = '\0';
	s.purpose = big;
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(client_stamp(fd, NULL, 0, &s), SCRVAULT_EUSAGE);
	assert_string_equal(scrvault_error_field(), "purpose");
	big[SV_STAMP_FIELD_MAX] = '\0';	/* at the limit: printed */
	assert_int_equal(client_stamp(fd, NULL, 0, &s), 0);
	close(fd);
	free(big);
	free(out);
	unit_rmtree(dir);
	free(dir);
}

/* A failed write to the descriptor is an error, not a crash. */
static void test_write_error(void **state)
{
	int fds[2];
	unsigned char *in;
	size_t len;

	(void)state;
	in = make_sizes(&len);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(close(fds[0]), 0);
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(sv_pdf_stamp(fds[1], in, len, &spec), SCRVAULT_ERROR);
	assert_non_null(strstr(scrvault_error_message(), "cannot write"));
	assert_int_equal(sv_pdf_make_copy(in, len, &spec, sink_fd, &fds[1]), SCRVAULT_ERROR);
	assert_non_null(strstr(scrvault_error_message(), "cannot write"));
	signal(SIGPIPE, SIG_DFL);
	close(fds[1]);
	free(in);
}

/* ---- the shared sample documents ----------------------------------------- */

static char *samples_dir(void)
{
	const char *root = getenv("SCRVAULT_ROOT");
	char *p = root && *root ? sv_printf("%s/../shared/samples", root) :
		sv_strdup("../shared/samples");
	struct stat st;

	assert_non_null(p);
	if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
		free(p);
		return NULL;
	}
	return p;
}

static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Every word of the master's page i is on the copy's page i + 1, stamped. */
static void check_sample(const char *path, const char *tmp)
{
	char *out = sv_printf("%s/copy.pdf", tmp);
	unsigned char *in;
	size_t len;
	pages a, b;
	bdoc bd;
	int i, rc;

	assert_non_null(out);
	in = read_file(path, &len);
	rc = stamp_file(out, in, len, &spec);
	if (rc != 0)
		fail_msg("%s: %d %s", path, rc, scrvault_error_message());
	text_pages(&a, path);
	text_pages(&b, out);
	assert_qpdf_clean(out, a.n + 1);
	assert_int_equal(b.n, a.n + 1);
	assert_sheet(b.page[0], &spec);
	for (i = 0; i < a.n; i++) {
		char *words = a.page[i], *w, *save = NULL;

		assert_contains(b.page[i + 1], TOP_LINE, path, i + 2);
		assert_contains(b.page[i + 1], BOTTOM_LINE, path, i + 2);
		for (w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save))
			assert_contains(b.page[i + 1], w, path, i + 2);
	}
	bbox_read(&bd, out);
	for (i = 1; i < bd.n; i++)
		assert_upright(&bd, i);
	bbox_free(&bd);
	pages_free(&a);
	pages_free(&b);
	free(in);
	free(out);
}

static void test_samples(void **state)
{
	static const char *const names[] = {
		"overview-report.pdf", "exec-summary.pdf", "imr-childrens-social-care.pdf",
		"imr-health.pdf", "imr-police.pdf", "multi-agency-action-plan.pdf"
	};
	char *dir, *tmp, *path;
	size_t i;

	(void)state;
	need_pdftotext();
	if (!(dir = samples_dir())) {
		printf("# skipped: no ../shared/samples (set SCRVAULT_ROOT)\n");
		skip();
	}
	tmp = unit_tmpdir();
	for (i = 0; i < SV_ARRAY_SIZE(names); i++) {
		path = sv_printf("%s/%s", dir, names[i]);
		assert_non_null(path);
		check_sample(path, tmp);
		free(path);
	}
	unit_rmtree(tmp);
	free(tmp);
	free(dir);
}

/* ---- the helper, run directly ------------------------------------------------ */

/* A request as the protocol has it (crypto/stamp.h); `fields` NULL: the spec's. */
static unsigned char *make_request(const char *const *fields, const unsigned char *master,
	size_t mlen, size_t *len)
{
	const char *f[SV_STAMP_NFIELDS] = {
		spec.copy_label, spec.case_ref, spec.marking, spec.holder, spec.title, spec.doc,
		spec.contact, spec.purpose, spec.due, spec.issued_at, spec.issued_by
	};
	unsigned char b[4];
	char *buf;
	size_t n, i;
	FILE *m = open_memstream(&buf, &n);

	assert_non_null(m);
	fwrite(SV_STAMP_MAGIC, 1, SV_STAMP_MAGIC_LEN, m);
	for (i = 0; i < SV_STAMP_NFIELDS; i++) {
		const char *v = fields ? fields[i] : f[i];
		size_t k = strlen(v);

		b[0] = (unsigned char)(k >> 24); b[1] = (unsigned char)(k >> 16);
		b[2] = (unsigned char)(k >> 8); b[3] = (unsigned char)k;
		fwrite(b, 1, 4, m);
		fwrite(v, 1, k, m);
	}
	b[0] = (unsigned char)(mlen >> 24); b[1] = (unsigned char)(mlen >> 16);
	b[2] = (unsigned char)(mlen >> 8); b[3] = (unsigned char)mlen;
	fwrite(b, 1, 4, m);
	if (mlen)
		fwrite(master, 1, mlen, m);
	assert_int_equal(fclose(m), 0);
	*len = n;
	return (unsigned char *)buf;
}

typedef struct {
	int status;		/* from waitpid */
	unsigned char *out;	/* everything it wrote to stdout */
	size_t len;
	uint32_t answer;	/* the answer's status, if it gave one (else UINT32_MAX) */
	char msg[SV_STAMP_MSG_MAX + 1];
} helper_run;

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * Run `bin` with `args` (after argv[0]; NULL: "--heap-mib 64") and the
 * environment `env` (NULL: empty), `in` on its stdin; read its stdout to the
 * end and wait for it.
 */
static void run_helper(helper_run *r, const char *bin, const char *const *args,
	const char *const *env, const unsigned char *in, size_t len)
{
	static const char *const dflt[] = { "--heap-mib", "64", NULL };
	char *argv[8], *noenv[1] = { NULL };
	int to[2], from[2], i;
	size_t cap = 0, off = 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->answer = UINT32_MAX;
	argv[0] = (char *)"scrvault-stamp";
	for (i = 0; i < 6 && (args ? args : dflt)[i]; i++)
		argv[i + 1] = (char *)(args ? args : dflt)[i];
	argv[i + 1] = NULL;
	assert_int_equal(pipe2(to, O_CLOEXEC), 0);
	assert_int_equal(pipe2(from, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(to[0], 0);
		dup2(from[1], 1);
		dup2(null, 2);	/* its usage message */
		execve(bin, argv, env ? (char **)env : noenv);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	signal(SIGPIPE, SIG_IGN);	/* it may stop reading early */
	while (off < len) {
		ssize_t n = write(to[1], in + off, len - off);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(to[1]);
	for (;;) {
		ssize_t n;

		if (r->len == cap) {
			cap = cap ? cap * 2 : 65536;
			r->out = realloc(r->out, cap);
			assert_non_null(r->out);
		}
		n = read(from[0], r->out + r->len, cap - r->len);
		if (n <= 0)
			break;
		r->len += (size_t)n;
	}
	close(from[0]);
	signal(SIGPIPE, SIG_DFL);
	assert_int_equal(waitpid(pid, &r->status, 0), pid);
	if (r->len >= SV_STAMP_MAGIC_LEN + 8 && !memcmp(r->out, SV_STAMP_MAGIC, SV_STAMP_MAGIC_LEN) &&
	    be32(r->out + SV_STAMP_MAGIC_LEN + 4) == r->len - SV_STAMP_MAGIC_LEN - 8) {
		r->answer = be32(r->out + SV_STAMP_MAGIC_LEN);
		if (r->answer != SV_STAMP_OK)
			snprintf(r->msg, sizeof(r->msg), "%.*s", (int)(r->len - SV_STAMP_MAGIC_LEN - 8),
				(const char *)r->out + SV_STAMP_MAGIC_LEN + 8);
	}
}

static bool exited_with(const helper_run *r, int code)
{
	return WIFEXITED(r->status) && WEXITSTATUS(r->status) == code;
}

/* A script `dir`/`name` that runs `body` with /bin/sh; returns its path. */
static char *write_script(const char *dir, const char *name, const char *body)
{
	char *path = sv_printf("%s/%s", dir, name);
	FILE *f;

	assert_non_null(path);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0700), 0);
	return path;
}

/* Through sv_pdf_stamp with helper `bin`: the code, nothing written on failure. */
static int client_run(const char *bin, unsigned timeout_ms, const unsigned char *in, size_t len)
{
	char *dir = unit_tmpdir(), *out = sv_printf("%s/copy.pdf", dir);
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), rc;

	assert_true(fd >= 0);
	sv_pdf_stamp_use_helper(bin, timeout_ms);
	rc = client_stamp(fd, in, len, &spec);
	sv_pdf_stamp_use_helper(helper_bin, 0);
	close(fd);
	if (rc < 0 && file_size(out) != 0)
		fail_msg("%zu bytes written although the stamp failed (%s)", file_size(out),
			scrvault_error_message());
	free(out);
	unit_rmtree(dir);
	free(dir);
	return rc;
}

static void assert_msg_starts(const char *prefix)
{
	const char *msg = scrvault_error_message();

	if (strncmp(msg, prefix, strlen(prefix)))
		fail_msg("message '%s', wanted '%s...'", msg, prefix);
}

/* The helper is found beside the program, then in LIBEXECDIR; a missing one is named. */
static void test_helper_missing(void **state)
{
	char path[PATH_MAX], *dir = unit_tmpdir(), *gone = sv_printf("%s/no-such-helper", dir);
	struct stat st;

	(void)state;
	assert_int_equal(sv_pdf_stamp_helper_path(path, sizeof(path)), 0);
	assert_string_equal(path, helper_bin);
	sv_pdf_stamp_use_helper(NULL, 0);
	/* build/tests/ has no scrvault-stamp beside test_pdf: the installed one */
	assert_int_equal(sv_pdf_stamp_helper_path(path, sizeof(path)), 0);
	if (strlen(path) < 32 || strcmp(path + strlen(path) - 32, "/libexec/scrvault/scrvault-stamp"))
		fail_msg("helper path '%s'", path);
	if (stat(path, &st) != 0) {
		assert_int_equal(client_run(NULL, 0, NULL, 0), SCRVAULT_ERROR);
		assert_msg_starts("cannot run the stamping helper '");
		assert_non_null(strstr(scrvault_error_message(), "/libexec/scrvault/scrvault-stamp': "
			"install scrvault-stamp"));
	}
	assert_int_equal(client_run(gone, 0, NULL, 0), SCRVAULT_ERROR);
	assert_non_null(strstr(scrvault_error_message(), "no-such-helper': install scrvault-stamp"));
	free(gone);
	unit_rmtree(dir);
	free(dir);
}

/* The shipped helper has no test hook: not even its name is in the file. */
static void test_no_hooks_shipped(void **state)
{
	static const char hook[] = "SCRVAULT_STAMP_TEST";
	unsigned char *b;
	size_t n;

	(void)state;
	b = slurp(helper_bin, &n);
	if (memmem(b, n, hook, strlen(hook)))
		fail_msg("%s contains '%s': the test hooks are compiled in", helper_bin, hook);
	free(b);
	b = slurp(hooks_bin, &n);
	assert_non_null(memmem(b, n, hook, strlen(hook)));	/* the test build has them */
	free(b);
}

/*
 * The filter: the test build opens a file once it is in place and is killed
 * by SIGSYS; the shipped build ignores the variable.  Through the client,
 * the message says why; with SIGPIPE at its default, a helper killed before
 * it has read a long master does not kill the caller.
 */
static void test_filter_kills_open(void **state)
{
	static const char *const env[] = { "SCRVAULT_STAMP_TEST_OPEN=1", NULL };
	char *dir = unit_tmpdir(), *script, *body;
	unsigned char *req, *big;
	size_t len, i;
	helper_run r;

	(void)state;
	req = make_request(NULL, NULL, 0, &len);
	run_helper(&r, hooks_bin, NULL, env, req, len);
	if (!WIFSIGNALED(r.status) || WTERMSIG(r.status) != SIGSYS)
		fail_msg("the test helper opened a file and was not killed by SIGSYS (status 0x%x: %s)",
			r.status, r.msg);
	assert_int_equal(r.len, 0);
	free(r.out);
	run_helper(&r, helper_bin, NULL, env, req, len);
	assert_true(exited_with(&r, 0));
	assert_int_equal(r.answer, SV_STAMP_OK);
	free(r.out);
	free(req);

	body = sv_printf("SCRVAULT_STAMP_TEST_OPEN=1 exec '%s' \"$@\"", hooks_bin);
	script = write_script(dir, "open-hook", body);
	assert_int_equal(client_run(script, 0, NULL, 0), SCRVAULT_ERROR);
	assert_string_equal(scrvault_error_message(),
		"the stamping helper was stopped for a forbidden system call");

	big = malloc(4 << 20);
	assert_non_null(big);
	memcpy(big, "%PDF-1.4\n", 9);
	for (i = 9; i < 4 << 20; i++)
		big[i] = (unsigned char)('a' + i % 23);
	signal(SIGPIPE, SIG_DFL);
	assert_int_equal(client_run(script, 0, big, 4 << 20), SCRVAULT_ERROR);
	assert_string_equal(scrvault_error_message(),
		"the stamping helper was stopped for a forbidden system call");
	free(big);
	free(body);
	free(script);
	unit_rmtree(dir);
	free(dir);
}

/* ---- annotations and form fields cannot cover the stamp --------------------- */

/*
 * One A4 page whose content is a blue square in the middle, covered by what
 * an agency's form might carry: a printable widget (a form field, in the
 * /AcroForm) whose appearance is an opaque white box over the whole page,
 * a printable square annotation whose appearance (chosen by /AS) is white
 * over the top band where the stamp goes, and a hidden annotation painted
 * black, which a printer does not show.
 */
static unsigned char *make_covered(size_t *len)
{
	static const char white[] = "1 1 1 rg 0 0 100 100 re f";
	static const char black[] = "0 0 0 rg 0 0 10 10 re f";
	pdfgen g;

	gen_begin(&g);
	gen_obj(&g, 1, "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R] "
		"/NeedAppearances false >> >>");
	gen_obj(&g, 2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
	gen_obj(&g, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
		"/Annots [5 0 R 7 0 R 9 0 R] >>");
	gen_content(&g, 4, "0 0 1 rg 200 300 200 200 re f");
	/* the widget: its form BBox is 100x100, stretched over the page by /Rect */
	gen_obj(&g, 5, "<< /Type /Annot /Subtype /Widget /FT /Tx /T (cover) /F 4 "
		"/Rect [0 0 595 842] /AP << /N 6 0 R >> >>");
	gen_stream(&g, 6, "/Type /XObject /Subtype /Form /BBox [0 0 100 100]", white,
		sizeof(white) - 1);
	gen_obj(&g, 7, "<< /Type /Annot /Subtype /Square /F 4 /Rect [0 780 595 842] "
		"/AS /On /AP << /N << /On 8 0 R >> >> >>");
	gen_stream(&g, 8, "/BBox [0 0 100 100] /Matrix [2 0 0 2 0 0]", "1 1 1 rg 0 0 100 100 re f",
		strlen("1 1 1 rg 0 0 100 100 re f"));
	gen_obj(&g, 9, "<< /Type /Annot /Subtype /Square /F 6 /Rect [0 0 595 842] "
		"/AP << /N 10 0 R >> >>");
	gen_stream(&g, 10, "/Type /XObject /Subtype /Form /BBox [0 0 10 10]", black,
		sizeof(black) - 1);
	return gen_end(&g, 1, len);
}

typedef struct {
	long stamp, blue, black;	/* pixels of each colour */
	long top, bottom;		/* stamp pixels in the top and bottom tenth */
} pixels;

/* Render page `page` of `path` with pdftoppm and count the colours of interest. */
static void render_page(pixels *px, const char *path, int page)
{
	char *cmd = sv_printf("pdftoppm -r 72 -f %d -l %d '%s'", page, page, path), *out, *p;
	int status;
	long w, h, max, x, y;
	int used;

	memset(px, 0, sizeof(*px));
	out = run(cmd, &status);
	assert_int_equal(status, 0);
	assert_int_equal(sscanf(out, "P6 %ld %ld %ld%n", &w, &h, &max, &used), 3);
	assert_int_equal(max, 255);
	p = out + used + 1;
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			const unsigned char *c = (const unsigned char *)p + 3 * (y * w + x);

			/* the stamp is 0.6 0 0 rg; its antialiased edges are paler */
			if (c[0] > 90 && c[1] < 90 && c[2] < 90 && c[0] > c[1] + 50) {
				px->stamp++;
				if (y < h / 10)
					px->top++;
				if (y > h - h / 10)
					px->bottom++;
			}
			if (c[2] > 200 && c[0] < 60 && c[1] < 60)
				px->blue++;
			if (c[0] < 30 && c[1] < 30 && c[2] < 30)
				px->black++;
		}
	free(out);
	free(cmd);
}

/*
 * A white widget over the whole page and a white annotation over the stamp
 * band hid the stamp on the printed copy.  Now both are flattened into the
 * page under the stamp: rendered, the stamp's red shows at the top and the
 * bottom, the widget still covers the original content as it did (the blue
 * square stays hidden), the hidden black annotation is not drawn, and the
 * copy has no annotation or form left.
 */
static void test_annotations_flattened(void **state)
{
	char *dir = unit_tmpdir(), *path = sv_printf("%s/covered.pdf", dir), *cmd, *out;
	unsigned char *in;
	size_t len;
	pixels px;
	int status;

	(void)state;
	if (!have("pdftoppm")) {
		printf("# skipped: pdftoppm (poppler-utils) not on PATH\n");
		skip();
	}
	in = make_covered(&len);
	/* the master as a viewer shows it: nothing of the page shows through */
	{
		char *mpath = sv_printf("%s/master.pdf", dir);
		FILE *f = fopen(mpath, "wb");

		assert_non_null(f);
		assert_int_equal(fwrite(in, 1, len, f), len);
		assert_int_equal(fclose(f), 0);
		render_page(&px, mpath, 1);
		assert_int_equal(px.blue, 0);
		assert_int_equal(px.black, 0);
		free(mpath);
	}
	assert_int_equal(stamp_file(path, in, len, &spec), 0);
	render_page(&px, path, 2);
	if (px.top < 20 || px.bottom < 20)
		fail_msg("the stamp is covered on the printed page: %ld red pixels at the top, "
			"%ld at the bottom", px.top, px.bottom);
	assert_int_equal(px.blue, 0);	/* the widget's white still covers the content */
	assert_int_equal(px.black, 0);	/* the hidden annotation is not drawn */
	cmd = sv_printf("grep -a -c -E '/Annots|/AcroForm|/Widget' '%s'", path);
	out = run(cmd, &status);
	assert_string_equal(out, "0\n");
	free(out);
	free(cmd);
	free(in);
	free(path);
	unit_rmtree(dir);
	free(dir);
}

/*
 * A small PDF whose one page's content is a Flate stream that decodes to
 * `mib` MiB (of "q Q "), far more than it is long.
 */
static unsigned char *make_bomb(unsigned mib, size_t *len)
{
	static unsigned char chunk[1 << 20];
	unsigned char *z;
	size_t zcap = 1 << 20, zlen;
	z_stream zs;
	pdfgen g;
	unsigned i;
	char dict[64];

	for (i = 0; i < sizeof(chunk); i++)
		chunk[i] = (unsigned char)"q Q "[i % 4];
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit(&zs, 9), Z_OK);
	z = malloc(zcap);
	assert_non_null(z);
	zs.next_out = z;
	zs.avail_out = (uInt)zcap;
	for (i = 0; i < mib; i++) {
		zs.next_in = chunk;
		zs.avail_in = sizeof(chunk);
		while (zs.avail_in) {
			assert_int_equal(deflate(&zs, Z_NO_FLUSH), Z_OK);
			assert_true(zs.avail_out > 0);
		}
	}
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	zlen = zcap - zs.avail_out;
	deflateEnd(&zs);
	gen_begin(&g);
	gen_obj(&g, 1, "<< /Type /Catalog /Pages 2 0 R >>");
	gen_obj(&g, 2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
	gen_obj(&g, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>");
	snprintf(dict, sizeof(dict), "/Filter /FlateDecode");
	gen_stream(&g, 4, dict, (const char *)z, zlen);
	free(z);
	return gen_end(&g, 1, len);
}

/*
 * A PDF whose content decodes to more than the helper's heap: it runs out,
 * is stopped, and the client says the document is too large.  The same
 * shape decoding to little is stamped, so it is the size that stops it.
 */
static void test_too_large(void **state)
{
	unsigned char *in, *req;
	size_t len, rlen;
	helper_run r;
	static const char *const heap16[] = { "--heap-mib", "16", NULL };

	(void)state;
	in = make_bomb(2, &len);
	req = make_request(NULL, in, len, &rlen);
	run_helper(&r, helper_bin, heap16, NULL, req, rlen);
	assert_true(exited_with(&r, 0));
	assert_int_equal(r.answer, SV_STAMP_OK);
	free(r.out);
	free(req);
	free(in);

	in = make_bomb(512, &len);	/* 512 MiB from about half a MiB */
	assert_true(len < (1 << 20));
	req = make_request(NULL, in, len, &rlen);
	run_helper(&r, helper_bin, heap16, NULL, req, rlen);
	if (!exited_with(&r, SV_STAMP_EXIT_NOMEM))
		fail_msg("the helper decoded past its 16 MiB heap (status 0x%x, answer %u %s)",
			r.status, (unsigned)r.answer, r.msg);
	assert_int_equal(r.len, 0);
	free(r.out);
	free(req);

	assert_int_equal(client_run(helper_bin, 0, in, len), SCRVAULT_ERROR);
	assert_msg_starts("the document is too large to print");
	free(in);
}

/* The compressed stream of make_bomb(mib), taken out of its file (caller frees). */
static unsigned char *bomb_stream(unsigned mib, size_t *zlen)
{
	size_t onelen;
	unsigned char *one = make_bomb(mib, &onelen), *z;
	const char *start, *end;

	start = memmem(one, onelen, "stream\n", 7);
	assert_non_null(start);
	start += 7;
	end = memmem(start, onelen - (size_t)(start - (const char *)one), "\nendstream", 10);
	assert_non_null(end);
	*zlen = (size_t)(end - start);
	z = malloc(*zlen);
	assert_non_null(z);
	memcpy(z, start, *zlen);
	free(one);
	return z;
}

/*
 * A PDF whose page draws nothing much, but whose resources hold an image
 * XObject (never drawn) and which has an unused object, both Flate streams
 * that decode to `mib` MiB.  Stamping must not decode them.
 */
static unsigned char *make_hidden_bomb(unsigned mib, size_t *len)
{
	size_t zlen;
	unsigned char *z = bomb_stream(mib, &zlen);
	pdfgen g;

	gen_begin(&g);
	gen_obj(&g, 1, "<< /Type /Catalog /Pages 2 0 R /Unused 6 0 R >>");
	gen_obj(&g, 2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
	gen_obj(&g, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
		"/Resources << /XObject << /Im1 5 0 R >> >> >>");
	gen_content(&g, 4, "0 0 1 rg 100 100 50 50 re f");
	gen_stream(&g, 5, "/Type /XObject /Subtype /Image /Width 16384 /Height 16384 "
		"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode",
		(const char *)z, zlen);
	gen_stream(&g, 6, "/Filter /FlateDecode", (const char *)z, zlen);
	free(z);
	return gen_end(&g, 1, len);
}

/*
 * 60 pages that share one Flate content stream decoding to 3 MiB: 180 MiB
 * of page content from a file of a few KiB, each page well within the
 * helper's heap.
 */
static unsigned char *make_shared_bomb(size_t *len)
{
	size_t zlen;
	unsigned char *z = bomb_stream(3, &zlen);
	char kids[60 * 8 + 16];
	pdfgen g;
	int i;

	gen_begin(&g);
	gen_obj(&g, 1, "<< /Type /Catalog /Pages 2 0 R >>");
	strcpy(kids, "");
	for (i = 0; i < 60; i++)
		snprintf(kids + strlen(kids), sizeof(kids) - strlen(kids), "%d 0 R ", 4 + i);
	{
		char *ptree = sv_printf("<< /Type /Pages /Kids [%s] /Count 60 >>", kids);

		gen_obj(&g, 2, ptree);
		free(ptree);
	}
	gen_stream(&g, 3, "/Filter /FlateDecode", (const char *)z, zlen);
	for (i = 0; i < 60; i++)
		gen_obj(&g, 4 + i, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>");
	free(z);
	return gen_end(&g, 1, len);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * A master of half a MiB whose image and unused object each inflate to
 * 256 MiB took seconds per copy (every stream was decoded and compressed
 * again) while the vault was locked.  Now only the pages' content is
 * decoded: the copy is made at once, with the streams as they were stored.
 * A content stream that inflates past the helper's heap is refused with a
 * clear message, also quickly.
 */
static void test_bomb_bounded(void **state)
{
	char *dir = unit_tmpdir(), *path = sv_printf("%s/bomb.pdf", dir);
	unsigned char *in;
	struct timespec t0;
	size_t len;
	double secs;

	(void)state;
	in = make_hidden_bomb(256, &len);
	assert_true(len < (1 << 20));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(client_run(helper_bin, 0, in, len), 0);
	secs = seconds_since(&t0);
	if (secs > 2.0)
		fail_msg("stamping a master with a hidden 256 MiB stream took %.1f s", secs);
	free(in);

	in = make_bomb(256, &len);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(client_run(helper_bin, 0, in, len), SCRVAULT_ERROR);
	assert_msg_starts("the document is too large to print");
	secs = seconds_since(&t0);
	if (secs > 5.0)
		fail_msg("refusing a 256 MiB content stream took %.1f s", secs);
	free(in);

	/* within the heap page by page, but 180 MiB of content in all: refused */
	in = make_shared_bomb(&len);
	assert_true(len < (64 << 10));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(stamp_file(path, in, len, &spec), SCRVAULT_EUSAGE);
	assert_string_equal(scrvault_error_message(), "the document is too large to print: its pages' "
		"content decodes to more than 128 MiB");
	secs = seconds_since(&t0);
	if (secs > 10.0)
		fail_msg("refusing 180 MiB of page content took %.1f s", secs);
	free(in);
	free(path);
	unit_rmtree(dir);
	free(dir);
}

/* Malformed requests are refused with a message, never a crash; bad arguments too. */
static void test_malformed_requests(void **state)
{
	static const char *const nul_field[SV_STAMP_NFIELDS] = {
		"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"
	};
	static const char *const bad_args[][3] = {
		{ NULL }, { "--heap-mib", NULL }, { "--heap-mib", "15", NULL },
		{ "--heap-mib", "2001", NULL }, { "--heap-mib", "64x", NULL },
		{ "--heap-mib", "", NULL }, { "--heap", "64", NULL }, { "--heap-mib", "99999999", NULL },
	};
	unsigned char *ok, *bad, *pdf;
	size_t oklen, pdflen, i, fixed;
	helper_run r;
	struct { const char *what, *msg; size_t len; int patch; uint32_t value; } cases[] = {
		{ "empty", "not a stamping request", 0, -1, 0 },
		{ "magic only", "the request ends before the length of copy_label", SV_STAMP_MAGIC_LEN, -1, 0 },
		{ "wrong magic", "not a stamping request", 0, 0, 0x53565358 },
		{ "field too long", "copy_label is 4097 bytes", 0, 1, SV_STAMP_FIELD_MAX + 1 },
		{ "field length huge", "copy_label is 4294967295 bytes", 0, 1, UINT32_MAX },
		{ "master too long", "the master is 1073741825 bytes", 0, 2, SV_STAMP_MASTER_MAX + 1 },
		{ "master longer than sent", "the request ends inside the master", 0, 2, 0 },
		{ "cut in a field", "the request ends inside holder", 0, -1, 0 },
		{ "cut before the master", "the request ends before the length of the master", 0, -1, 0 },
		{ "trailing bytes", "bytes after the end of the request", 0, -1, 0 },
	};

	(void)state;
	pdf = make_sizes(&pdflen);
	ok = make_request(NULL, pdf, pdflen, &oklen);
	fixed = oklen - pdflen - 4;	/* where the master's length is */
	run_helper(&r, helper_bin, NULL, NULL, ok, oklen);	/* the well-formed one is stamped */
	assert_true(exited_with(&r, 0));
	assert_int_equal(r.answer, SV_STAMP_OK);
	free(r.out);

	for (i = 0; i < SV_ARRAY_SIZE(cases); i++) {
		size_t len = oklen;

		bad = malloc(oklen + 1);
		assert_non_null(bad);
		memcpy(bad, ok, oklen);
		if (cases[i].len || !strcmp(cases[i].what, "empty"))
			len = cases[i].len;
		if (cases[i].patch >= 0) {
			uint32_t v = cases[i].value;
			size_t at = cases[i].patch == 0 ? 0 : cases[i].patch == 1 ? SV_STAMP_MAGIC_LEN : fixed;

			if (!strcmp(cases[i].what, "master longer than sent"))
				v = (uint32_t)pdflen + 1;
			bad[at] = (unsigned char)(v >> 24);
			bad[at + 1] = (unsigned char)(v >> 16);
			bad[at + 2] = (unsigned char)(v >> 8);
			bad[at + 3] = (unsigned char)v;
		}
		if (!strcmp(cases[i].what, "cut in a field"))
			len = SV_STAMP_MAGIC_LEN + 4 * 4 + strlen(spec.copy_label) + strlen(spec.case_ref) +
				strlen(spec.marking) + 3;
		if (!strcmp(cases[i].what, "cut before the master"))
			len = fixed + 2;
		if (!strcmp(cases[i].what, "trailing bytes"))
			bad[len++] = '\n';
		run_helper(&r, helper_bin, NULL, NULL, bad, len);
		if (!exited_with(&r, 0) || r.answer != SV_STAMP_EREQUEST || !strstr(r.msg, cases[i].msg))
			fail_msg("%s: status 0x%x, answer %d '%s', wanted a refusal '%s'", cases[i].what,
				r.status, (int)r.answer, r.msg, cases[i].msg);
		free(r.out);
		free(bad);
	}

	/* a NUL inside a field */
	bad = make_request(nul_field, NULL, 0, &oklen);
	bad[SV_STAMP_MAGIC_LEN + 4] = '\0';
	run_helper(&r, helper_bin, NULL, NULL, bad, oklen);
	assert_true(exited_with(&r, 0));
	assert_int_equal(r.answer, SV_STAMP_EREQUEST);
	assert_non_null(strstr(r.msg, "copy_label holds a NUL byte"));
	free(r.out);
	free(bad);

	for (i = 0; i < SV_ARRAY_SIZE(bad_args); i++) {
		run_helper(&r, helper_bin, bad_args[i], NULL, ok, oklen);
		if (!exited_with(&r, 2) || r.len != 0)
			fail_msg("arguments %zu: status 0x%x, %zu bytes out", i, r.status, r.len);
		free(r.out);
	}
	free(ok);
	free(pdf);
}

/*
 * A helper that never answers is killed at the time limit, whether the
 * client is still sending (a master longer than the socket holds) or
 * waiting; nothing is left behind.
 */
static void test_timeout(void **state)
{
	char *dir = unit_tmpdir(), *body = sv_printf("SCRVAULT_STAMP_TEST_HANG=1 exec '%s' \"$@\"",
		hooks_bin), *script;
	unsigned char *in, *big;
	struct timespec t0, t1;
	size_t len;
	double secs;
	int pass;

	(void)state;
	script = write_script(dir, "hang-hook", body);
	in = make_sizes(&len);
	big = calloc(1, 8 << 20);
	assert_non_null(big);
	memcpy(big, in, len);
	for (pass = 0; pass < 2; pass++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(client_run(script, 700, pass ? big : in, pass ? 8 << 20 : len),
			SCRVAULT_ERROR);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		assert_string_equal(scrvault_error_message(),
			"the stamping helper did not finish within 1 s: it was stopped");
		if (secs < 0.65 || secs > 5)
			fail_msg("pass %d: gave up after %.2f s, not 0.7", pass, secs);
	}
	free(big);
	free(in);
	free(body);
	free(script);
	unit_rmtree(dir);
	free(dir);
}

/*
 * The client trusts nothing the helper says: no answer, a wrong length, an
 * answer followed by a failure, a flood, a crash, a message with control
 * characters.  Nothing is written to the output in any of these.
 */
static void test_lying_helper(void **state)
{
	static const struct { const char *body, *msg; int rc; } cases[] = {
		{ "exit 0", "the stamping helper gave no answer", SCRVAULT_ERROR },
		{ "printf 'hello'", "the stamping helper gave no answer", SCRVAULT_ERROR },
		{ "exit 7", "the stamping helper failed (exit 7)", SCRVAULT_ERROR },
		{ "kill -SEGV $$", "the stamping helper died of signal 11", SCRVAULT_ERROR },
		{ "kill -SYS $$", "the stamping helper was stopped for a forbidden system call", SCRVAULT_ERROR },
		{ "exit 3", "the document is too large to print", SCRVAULT_ERROR },
		/* a whole, well-formed copy, then a failure: not used */
		{ "printf 'SVSTAMP1\\000\\000\\000\\000\\000\\000\\000\\005%%PDF-'; exit 1",
		  "the stamping helper failed (exit 1)", SCRVAULT_ERROR },
		/* lengths that do not add up */
		{ "printf 'SVSTAMP1\\000\\000\\000\\000\\000\\000\\000\\011%%PDF-'",
		  "the stamping helper gave a malformed answer", SCRVAULT_ERROR },
		{ "printf 'SVSTAMP1\\000\\000\\000\\000\\000\\000\\000\\000'",
		  "the stamping helper gave a malformed answer", SCRVAULT_ERROR },
		{ "printf 'SVSTAMP1\\000\\000\\000\\011\\000\\000\\000\\001x'",
		  "the stamping helper gave a malformed answer", SCRVAULT_ERROR },
		/* its messages are shown without control characters */
		{ "printf 'SVSTAMP1\\000\\000\\000\\001\\000\\000\\000\\006bad\\033[m'",
		  "bad?[m", SCRVAULT_EUSAGE },
		{ "printf 'SVSTAMP1\\000\\000\\000\\003\\000\\000\\000\\002no'",
		  "the stamping helper refused the request (no)", SCRVAULT_ERROR },
		/* more than any copy of this master could be */
		{ "printf 'SVSTAMP1\\000\\000\\000\\000\\177\\377\\377\\377'; exec cat /dev/zero",
		  "the stamping helper answered with more than 64 MiB: it was stopped", SCRVAULT_ERROR },
	};
	char *dir = unit_tmpdir(), *script;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < SV_ARRAY_SIZE(cases); i++) {
		script = write_script(dir, "liar", cases[i].body);
		rc = client_run(script, 10000, NULL, 0);
		if (rc != cases[i].rc || strncmp(scrvault_error_message(), cases[i].msg, strlen(cases[i].msg)))
			fail_msg("'%s': %d '%s', wanted %d '%s'", cases[i].body, rc,
				scrvault_error_message(), cases[i].rc, cases[i].msg);
		unlink(script);
		free(script);
	}
	unit_rmtree(dir);
	free(dir);
}

/* Where this program is: the helpers are found from it. */
static void find_helpers(void)
{
	char self[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		abort();
	self[n] = '\0';
	if (!(slash = strrchr(self, '/')))
		abort();
	*slash = '\0';
	if (snprintf(hooks_bin, sizeof(hooks_bin), "%s/scrvault-stamp-test", self) >= (int)sizeof(hooks_bin))
		abort();
	if ((slash = strrchr(self, '/')))
		*slash = '\0';
	if (snprintf(helper_bin, sizeof(helper_bin), "%s/scrvault-stamp", self) >= (int)sizeof(helper_bin))
		abort();
	sv_pdf_stamp_use_helper(helper_bin, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_helper_missing),
		cmocka_unit_test(test_no_hooks_shipped),
		cmocka_unit_test(test_filter_kills_open),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_bomb_bounded),
		cmocka_unit_test(test_malformed_requests),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_lying_helper),
		cmocka_unit_test(test_page_sizes),
		cmocka_unit_test(test_rotated_pages),
		cmocka_unit_test(test_hostile_content),
		cmocka_unit_test(test_state_restored),
		cmocka_unit_test(test_font_name_clash),
		cmocka_unit_test(test_sheet_only),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_text_escaping),
		cmocka_unit_test(test_rejects_garbage),
		cmocka_unit_test(test_rejects_encrypted),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_field_too_long),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_annotations_flattened),
	};

	find_helpers();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
