/*
 * test_text.c - the rules for names, references and file names (base/text.c).
 */
#include <string.h>
#include "unit.h"
#include "base/text.h"

static void safe(const char *in, const char *want)
{
	char out[256];

	sv_safe_filename(out, sizeof(out), in, "fallback-id");
	if (strcmp(out, want) != 0)
		fail_msg("sv_safe_filename(\"%s\") = \"%s\", want \"%s\"", in ? in : "(null)", out, want);
}

/* Hostile file names from a sender's bundle cannot steer where a file goes. */
static void test_safe_filename(void **state)
{
	char big[600], out[256], small[8];

	(void)state;
	safe("report.pdf", "report.pdf");
	safe("../../etc/passwd", "passwd");
	safe("..\\\\..\\\\windows\\\\win.ini", "win.ini");
	safe("/abs/path/x.txt", "x.txt");
	safe("dir/", "fallback-id");
	safe(".bashrc", "_bashrc");
	safe("..", "_.");
	safe(".", "fallback-id");
	safe("a\nb\tc\x7f", "a_b_c_");
	safe("\x1b[31mred", "_[31mred");
	safe("", "fallback-id");
	safe(NULL, "fallback-id");
	safe("café.txt", "café.txt");

	/* Long names are cut at SV_SAFE_NAME_MAX bytes, never inside a character. */
	memset(big, 'a', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	sv_safe_filename(out, sizeof(out), big, "x");
	assert_int_equal(strlen(out), SV_SAFE_NAME_MAX);
	for (size_t i = 0; i + 1 < sizeof(big); i += 2) {	/* "é" is two bytes */
		big[i] = (char)0xc3;
		big[i + 1] = (char)0xa9;
	}
	big[sizeof(big) - 1] = '\0';
	memmove(big + 1, big, sizeof(big) - 1);		/* odd start: a cut falls mid-character */
	big[0] = 'x';
	big[sizeof(big) - 1] = '\0';
	sv_safe_filename(out, sizeof(out), big, "x");
	assert_true(strlen(out) <= SV_SAFE_NAME_MAX);
	assert_true(((unsigned char)out[strlen(out) - 1] & 0xc0) != 0xc0);
	assert_int_equal(strlen(out) % 2, 1);		/* 'x' and whole characters */
	/* and a small buffer */
	sv_safe_filename(small, sizeof(small), "abcdefghijk", "x");
	assert_string_equal(small, "abcdefg");
}

static void test_names_and_refs(void **state)
{
	(void)state;
	assert_true(sv_name_valid("nina.patel@police"));
	assert_false(sv_name_valid("Nina"));
	assert_false(sv_name_valid(".hidden"));
	assert_false(sv_name_valid("-dash"));
	assert_false(sv_name_valid(""));
	assert_false(sv_name_valid(NULL));
	assert_false(sv_name_valid("a b"));
	assert_true(sv_ref_valid("SCR-2026-03"));
	assert_false(sv_ref_valid("-SCR"));
	assert_false(sv_ref_valid("SCR/1"));
	assert_false(sv_ref_valid("SCR-2026-0000000000000000000000003"));
}

/* An error message that quotes the last one (as "cannot read x: <why>"
 * does) keeps it whole, with or without a field. */
static void test_error_quotes_last(void **state)
{
	char big[900];

	(void)state;
	sv_error(SCRVAULT_ENOTFOUND, "'%s' does not exist", "/tmp/k");
	assert_int_equal(sv_error(SCRVAULT_ERROR, "cannot read the key: %s", scrvault_error_message()), SCRVAULT_ERROR);
	assert_string_equal(scrvault_error_message(), "cannot read the key: '/tmp/k' does not exist");
	assert_null(scrvault_error_field());
	sv_error_field(SCRVAULT_EUSAGE, "recipient", "cannot read the recipient file 'r': %s", scrvault_error_message());
	assert_string_equal(scrvault_error_message(),
			    "cannot read the recipient file 'r': cannot read the key: '/tmp/k' does not exist");
	assert_string_equal(scrvault_error_field(), "recipient");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	sv_error(SCRVAULT_ERROR, "%s", big);
	sv_error(SCRVAULT_ERROR, "again: %s", scrvault_error_message());
	assert_int_equal(strncmp(scrvault_error_message(), "again: xxxx", 11), 0);
	assert_int_equal(strlen(scrvault_error_message()), 7 + sizeof(big) - 1);
}

/* Free text: UTF-8 without control characters; lines only where allowed. */
static void test_text_rules(void **state)
{
	char big[SV_TEXT_MAX + 2];

	(void)state;
	assert_int_equal(sv_text_bad(NULL, 0), 0);
	assert_int_equal(sv_text_bad("", 0), 0);
	assert_int_equal(sv_text_bad("Child W \xe2\x80\x94 S\xc3\xa9" "bastien's review", 0), 0);
	assert_int_equal(sv_text_bad("a\x1b[2Jb", 0), 2);		/* ESC */
	assert_int_equal(sv_text_bad("row\n| forged", 0), 4);	/* newline */
	assert_int_equal(sv_text_bad("row\n\tnext", SV_TEXT_LINES), 0);
	assert_int_equal(sv_text_bad("cr\r", SV_TEXT_LINES), 3);	/* never a carriage return */
	assert_int_equal(sv_text_bad("x\x7f", 0), 2);		/* DEL */
	assert_int_equal(sv_text_bad("x\xc2\x9b" "31m", 0), 2);	/* C1 CSI as UTF-8 */
	assert_int_equal(sv_text_bad("\x9b" "31m", 0), 1);		/* a lone C1 byte: not UTF-8 */
	assert_int_equal(sv_text_bad("ok\xff", 0), 3);
	assert_int_equal(sv_text_bad("\xc0\xaf", 0), 1);		/* overlong */
	assert_int_equal(sv_text_bad("\xed\xa0\x80", 0), 1);	/* a surrogate */
	assert_int_equal(sv_text_bad("\xe2\x80", 0), 1);		/* cut short */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_true(sv_text_bad(big, 0) > 0);
	big[SV_TEXT_MAX] = '\0';
	assert_int_equal(sv_text_bad(big, 0), 0);
	assert_int_equal(sv_text_check("title", "ok", 0), 0);
	assert_int_equal(sv_text_check("title", "a\x01", 0), SCRVAULT_EUSAGE);
	assert_string_equal(scrvault_error_field(), "title");
	assert_non_null(strstr(scrvault_error_message(), "control character"));
	assert_int_equal(sv_text_check("agency", "\xff", 0), SCRVAULT_EUSAGE);
	assert_non_null(strstr(scrvault_error_message(), "not valid UTF-8"));
	assert_int_equal(sv_text_check_all(SV_TEXTS(SV_TEXT("title", "fine"), SV_TEXT_NOTE("note", "two\nlines"),
						    SV_TEXT("purpose", "bad\n"))), SCRVAULT_EUSAGE);
	assert_string_equal(scrvault_error_field(), "purpose");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_safe_filename),
		cmocka_unit_test(test_text_rules),
		cmocka_unit_test(test_names_and_refs),
		cmocka_unit_test(test_error_quotes_last),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
