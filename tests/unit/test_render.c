/*
 * test_render.c - the report renderer (services/render.c): text as written,
 * a long table's headers on every page, "page N of M", the same model the
 * same bytes, and charts that draw.  The PDF's text is read back with
 * pdftotext (poppler-utils, scripts/install-deps).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"
#include "services/render.h"
#include "base/date.h"

/* The model's PDF as text (pdftotext -layout); caller frees. */
static char *pdf_text(sv_render *r, unsigned char **pdf, size_t *len)
{
	char dir[] = "/tmp/sv-render.XXXXXX", path[64], cmd[160], *text = NULL;
	size_t cap = 0, n = 0;
	FILE *f;

	assert_int_equal(sv_render_pdf(pdf, len, r), 0);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/r.pdf", dir);
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(*pdf, 1, *len, f), *len);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "pdftotext -layout %s - && rm -rf %s", path, dir);
	assert_non_null(f = popen(cmd, "r"));
	for (;;) {
		if (n + 4096 + 1 > cap)
			assert_non_null(text = realloc(text, cap = cap ? 2 * cap : 65536));
		size_t got = fread(text + n, 1, 4096, f);

		if (!got)
			break;
		n += got;
	}
	text[n] = '\0';
	assert_int_equal(pclose(f), 0);
	return text;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static sv_render *model(void)
{
	static const char *const cols[] = { "label", "count", "note" };
	sv_render *r = sv_render_new(&(sv_render_head){ .title = "A <b>bold</b> & title", .subtitle = "sub &amp; title",
							 .as_of = "2026-03-31", .footer = "vault <x> · period" });
	char label[32], num[16];

	assert_non_null(r);
	assert_int_equal(sv_render_heading(r, "Heading <i>one</i>"), 0);
	assert_int_equal(sv_render_para(r, "Para with <span foreground=\"red\">markup</span> & an ampersand"), 0);
	assert_int_equal(sv_render_table(r, 3, cols, 0x2), 0);
	for (int i = 0; i < 150; i++) {
		snprintf(label, sizeof(label), "row-%03d", i);
		snprintf(num, sizeof(num), "%d", i * 7);
		assert_int_equal(sv_render_row(r, (const char *[]){ label, num, i == 3 ? "<b>x</b>" : "" }), 0);
	}
	assert_int_equal(sv_render_bars(r, "Bars", 2, (const char *[]){ "alpha", "beta" }, (const int64_t[]){ 3, 0 }),
			 0);
	int64_t d0 = 0, d1 = 0;
	assert_int_equal(sv_day_parse(&d0, "2026-01-10"), 0);
	assert_int_equal(sv_day_parse(&d1, "2026-01-20"), 0);
	assert_int_equal(sv_render_timeline(r, "Timeline", 3, (const sv_render_event[]){
		{ "on time", d0, d1 }, { "late one", d1 + 5, d1 }, { "not yet", SV_RENDER_NONE, d0 } }), 0);
	return r;
}

static void test_text_as_written(void **state)
{
	unsigned char *pdf = NULL;
	size_t len = 0;
	sv_render *r = model();
	char *t = pdf_text(r, &pdf, &len);

	(void)state;
	assert_non_null(strstr(t, "A <b>bold</b> & title"));
	assert_non_null(strstr(t, "sub &amp; title"));
	assert_non_null(strstr(t, "Heading <i>one</i>"));
	assert_non_null(strstr(t, "<span foreground=\"red\">markup</span> & an ampersand"));
	assert_non_null(strstr(t, "<b>x</b>"));
	assert_non_null(strstr(t, "as of 2026-03-31"));
	free(t);
	free(pdf);
	sv_render_free(r);
}

static void test_pages(void **state)
{
	unsigned char *pdf = NULL;
	size_t len = 0;
	sv_render *r = model();
	char *t = pdf_text(r, &pdf, &len), want[32];
	size_t pages = count(t, "\f") + (t[strlen(t) - 1] == '\f' ? 0 : 1);

	(void)state;
	assert_true(pages >= 3);
	/* the table's header on each page it spans, every row once, numbers right-aligned */
	assert_true(count(t, "label") >= 3);
	assert_non_null(strstr(t, "row-149"));
	assert_int_equal(count(t, "row-0"), 100);
	snprintf(want, sizeof(want), "page 1 of %zu", pages);
	assert_non_null(strstr(t, want));
	snprintf(want, sizeof(want), "page %zu of %zu", pages, pages);
	assert_non_null(strstr(t, want));
	assert_non_null(strstr(t, "vault <x> · period"));
	/* the timeline says lateness in words, not by colour alone */
	assert_non_null(strstr(t, "late by 5 days"));
	assert_non_null(strstr(t, "overdue by"));
	free(t);
	free(pdf);
	sv_render_free(r);
}

static void test_same_bytes(void **state)
{
	unsigned char *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	sv_render *r = model();

	(void)state;
	assert_int_equal(sv_render_pdf(&a, &alen, r), 0);
	sleep(1);	/* a clock in the output would show */
	assert_int_equal(sv_render_pdf(&b, &blen, r), 0);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	assert_non_null(memmem(a, alen, "/CreationDate (20260331000000)", 30));
	free(a);
	free(b);
	sv_render_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_as_written),
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_same_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
