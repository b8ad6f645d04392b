/*
 * test_json.c - the canonical JSON writer and strict parser (json.h).
 *
 * Expected bytes are written out literally rather than computed, so a
 * mistake in the module cannot hide behind the same mistake in the test.
 */
#include "unit.h"
#include "base/json.h"

/* Serialise `j` and compare with `expect`; frees nothing. */
static void assert_writes(const sv_json *j, const char *expect)
{
	char *out = NULL;
	size_t len = 0;

	assert_int_equal(sv_json_write(&out, &len, j), 0);
	assert_non_null(out);
	assert_string_equal(out, expect);
	assert_int_equal(len, strlen(expect));
	free(out);
}

/* Parse `text` (NUL-terminated) expecting success; returns the tree. */
static sv_json *parse_ok(const char *text, bool *canonical)
{
	sv_json *j = NULL;
	int error = sv_json_parse(&j, text, strlen(text), canonical);

	if (error < 0)
		fail_msg("parse of '%s' failed: %s", text, scrvault_error_message());
	assert_non_null(j);
	return j;
}

/* Parse `len` bytes expecting SCRVAULT_EINTEGRITY with an offset message. */
static void parse_rejects(const char *text, size_t len)
{
	sv_json *j = (sv_json *)&j;	/* must be reset to NULL */
	bool canonical = true;
	int error = sv_json_parse(&j, text, len, &canonical);

	if (error != SCRVAULT_EINTEGRITY)
		fail_msg("parse of '%.*s' returned %d, wanted EINTEGRITY",
			(int)len, text, error);
	assert_null(j);
	assert_false(canonical);
	assert_non_null(strstr(scrvault_error_message(), "invalid json at byte "));
}

static void parse_rejects_str(const char *text)
{
	parse_rejects(text, strlen(text));
}

/* Parse, check the canonical flag and what it serialises back to. */
static void assert_normalises(const char *text, bool want_canonical, const char *expect)
{
	bool canonical = !want_canonical;
	sv_json *j = parse_ok(text, &canonical);

	if (canonical != want_canonical)
		fail_msg("'%s': canonical flag %d, wanted %d", text, canonical,
			want_canonical);
	assert_writes(j, expect);
	sv_json_free(j);
}

/*
 * Writer
 */

static void test_key_sorting(void **state)
{
	sv_json *a = sv_json_object(), *b = sv_json_object();
	const char *keys[] = { "b", "a", "ab", "", "aa", "A", "a\x7f", "\xc3\xa9", "z" };
	size_t i, n = SV_ARRAY_SIZE(keys);

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	/* Insert in two different orders: both must serialise identically. */
	for (i = 0; i < n; i++) {
		assert_int_equal(sv_json_set_int(a, keys[i], (int64_t)i), 0);
		assert_int_equal(sv_json_set_int(b, keys[n - 1 - i], (int64_t)(n - 1 - i)), 0);
	}
	assert_writes(a, "{\"\":3,\"A\":5,\"a\":1,\"aa\":4,\"ab\":2,\"a\x7f\":6,"
		"\"b\":0,\"z\":8,\"\xc3\xa9\":7}");
	assert_writes(b, "{\"\":3,\"A\":5,\"a\":1,\"aa\":4,\"ab\":2,\"a\x7f\":6,"
		"\"b\":0,\"z\":8,\"\xc3\xa9\":7}");
	assert_int_equal(sv_json_count(a), n);
	assert_string_equal(sv_json_key_at(a, 0), "");
	assert_string_equal(sv_json_key_at(a, n - 1), "\xc3\xa9");
	assert_null(sv_json_key_at(a, n));
	for (i = 0; i < n; i++)
		assert_int_equal(sv_json_as_int(sv_json_get(a, keys[i])), (int64_t)i);
	assert_null(sv_json_get(a, "missing"));
	assert_null(sv_json_get(a, "a\x7f\x7f"));
	sv_json_free(a);
	sv_json_free(b);
}

static void test_key_prefixes(void **state)
{
	sv_json *o = sv_json_object();

	(void)state;
	assert_non_null(o);
	assert_int_equal(sv_json_set_int(o, "abc", 3), 0);
	assert_int_equal(sv_json_set_int(o, "ab", 2), 0);
	assert_int_equal(sv_json_set_int(o, "abcd", 4), 0);
	assert_int_equal(sv_json_set_int(o, "a", 1), 0);
	assert_writes(o, "{\"a\":1,\"ab\":2,\"abc\":3,\"abcd\":4}");
	assert_int_equal(sv_json_as_int(sv_json_get(o, "ab")), 2);
	assert_null(sv_json_get(o, "abcde"));
	sv_json_free(o);
}

static void test_non_ascii_keys(void **state)
{
	sv_json *o = sv_json_object();

	(void)state;
	assert_non_null(o);
	/* U+65E5 (e6 97 a5) > U+00FC (c3 bc) > U+00E9 (c3 a9) > DEL > 'z'. */
	assert_int_equal(sv_json_set_bool(o, "\xe6\x97\xa5", true), 0);
	assert_int_equal(sv_json_set_bool(o, "\xc3\xbc", false), 0);
	assert_int_equal(sv_json_set_bool(o, "z", true), 0);
	assert_int_equal(sv_json_set_bool(o, "\xf0\x9f\x94\x91", true), 0);
	assert_int_equal(sv_json_set_bool(o, "\xc3\xa9", false), 0);
	assert_int_equal(sv_json_set_bool(o, "\x7f", true), 0);
	assert_writes(o, "{\"z\":true,\"\x7f\":true,\"\xc3\xa9\":false,\"\xc3\xbc\":false,"
		"\"\xe6\x97\xa5\":true,\"\xf0\x9f\x94\x91\":true}");
	/* Keys must be valid UTF-8 too. */
	assert_int_equal(sv_json_set_int(o, "\xc3", 1), SCRVAULT_EUSAGE);
	assert_int_equal(sv_json_count(o), 6);
	sv_json_free(o);
}

static void test_escape_controls(void **state)
{
	static const char *expect[32] = {
		NULL, "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005",
		"\\u0006", "\\u0007", "\\b", "\\t", "\\n", "\\u000b", "\\f", "\\r",
		"\\u000e", "\\u000f", "\\u0010", "\\u0011", "\\u0012", "\\u0013",
		"\\u0014", "\\u0015", "\\u0016", "\\u0017", "\\u0018", "\\u0019",
		"\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f"
	};
	char in[4], want[16];
	sv_json *j;
	int c;

	(void)state;
	for (c = 1; c < 0x20; c++) {
		in[0] = 'x';
		in[1] = (char)c;
		in[2] = 'y';
		in[3] = '\0';
		snprintf(want, sizeof(want), "\"x%sy\"", expect[c]);
		assert_non_null(j = sv_json_string(in));
		assert_writes(j, want);
		sv_json_free(j);
		/* And the canonical escape parses back as canonical. */
		assert_normalises(want, true, want);
	}
	assert_non_null(j = sv_json_string("a\"b\\c"));
	assert_writes(j, "\"a\\\"b\\\\c\"");
	sv_json_free(j);
	assert_non_null(j = sv_json_string("\"\\\"\\"));
	assert_writes(j, "\"\\\"\\\\\\\"\\\\\"");
	sv_json_free(j);
	/* Keys are escaped the same way. */
	assert_non_null(j = sv_json_object());
	assert_int_equal(sv_json_set_str(j, "k\n\"\x01", "v\x1f"), 0);
	assert_writes(j, "{\"k\\n\\\"\\u0001\":\"v\\u001f\"}");
	sv_json_free(j);
}

static void test_passthrough(void **state)
{
	sv_json *j;

	(void)state;
	/* '/', DEL, U+00E9, U+FFFF, U+1F511, U+10FFFF: all literal. */
	assert_non_null(j = sv_json_string("a/b\x7f\xc3\xa9\xef\xbf\xbf\xf0\x9f\x94\x91\xf4\x8f\xbf\xbf"));
	assert_writes(j, "\"a/b\x7f\xc3\xa9\xef\xbf\xbf\xf0\x9f\x94\x91\xf4\x8f\xbf\xbf\"");
	assert_string_equal(sv_json_str(j), "a/b\x7f\xc3\xa9\xef\xbf\xbf\xf0\x9f\x94\x91\xf4\x8f\xbf\xbf");
	sv_json_free(j);
	assert_non_null(j = sv_json_string(""));
	assert_writes(j, "\"\"");
	sv_json_free(j);
}

static void test_string_rejects_invalid_utf8(void **state)
{
	static const char *bad[] = {
		"\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xe0\x9f\xbf",
		"\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf", "\xed\xa0\x80", "\xed\xbf\xbf",
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xfe", "\x80",
		"a\xbf", "\xc3", "x\xe6\x97", "\xf0\x9f\x94", "\xc3\x28",
		"\xe6\x28\xa5", "\xf0\x9f\x28\x91"
	};
	sv_json *o;
	size_t i;

	(void)state;
	for (i = 0; i < SV_ARRAY_SIZE(bad); i++) {
		scrvault_error_clear();
		if (sv_json_string(bad[i]) != NULL)
			fail_msg("invalid utf-8 #%zu accepted", i);
		assert_string_not_equal(scrvault_error_message(), "no error");
	}
	assert_null(sv_json_string(NULL));
	assert_non_null(o = sv_json_object());
	assert_int_equal(sv_json_set_str(o, "k", "\xed\xa0\x80"), SCRVAULT_EUSAGE);
	assert_int_equal(sv_json_count(o), 0);
	sv_json_free(o);
}

static void test_int64_limits(void **state)
{
	sv_json *a = sv_json_array();
	const sv_json *v;
	sv_json *j;

	(void)state;
	assert_non_null(a);
	assert_int_equal(sv_json_append(a, sv_json_int(INT64_MIN)), 0);
	assert_int_equal(sv_json_append(a, sv_json_int(INT64_MAX)), 0);
	assert_int_equal(sv_json_append(a, sv_json_int(0)), 0);
	assert_int_equal(sv_json_append(a, sv_json_int(-1)), 0);
	assert_int_equal(sv_json_append(a, sv_json_int(-10)), 0);
	assert_writes(a, "[-9223372036854775808,9223372036854775807,0,-1,-10]");
	sv_json_free(a);

	j = parse_ok("[-9223372036854775808,9223372036854775807,-9223372036854775807]", NULL);
	assert_int_equal(sv_json_count(j), 3);
	v = sv_json_at(j, 0);
	assert_int_equal(sv_json_type_of(v), SV_JSON_INT);
	assert_true(sv_json_as_int(v) == INT64_MIN);
	assert_true(sv_json_as_int(sv_json_at(j, 1)) == INT64_MAX);
	assert_true(sv_json_as_int(sv_json_at(j, 2)) == -INT64_MAX);
	sv_json_free(j);

	parse_rejects_str("9223372036854775808");
	parse_rejects_str("-9223372036854775809");
	parse_rejects_str("18446744073709551616");
	parse_rejects_str("[99999999999999999999999]");
}

static void test_nested(void **state)
{
	sv_json *o = sv_json_object(), *arr = sv_json_array(), *inner = sv_json_object();
	const sv_json *a, *x;

	(void)state;
	assert_non_null(o);
	assert_non_null(arr);
	assert_non_null(inner);
	assert_int_equal(sv_json_set(inner, "b", sv_json_null()), 0);
	assert_int_equal(sv_json_append(arr, sv_json_int(1)), 0);
	assert_int_equal(sv_json_append(arr, inner), 0);
	assert_int_equal(sv_json_append(arr, sv_json_bool(true)), 0);
	assert_int_equal(sv_json_append(arr, sv_json_bool(false)), 0);
	assert_int_equal(sv_json_append(arr, sv_json_string("x")), 0);
	assert_int_equal(sv_json_append(arr, sv_json_array()), 0);
	assert_int_equal(sv_json_set(o, "c", sv_json_object()), 0);
	assert_int_equal(sv_json_set(o, "a", arr), 0);
	assert_int_equal(sv_json_set_str(o, "n", NULL), 0);
	assert_writes(o, "{\"a\":[1,{\"b\":null},true,false,\"x\",[]],\"c\":{},\"n\":null}");

	a = sv_json_get(o, "a");
	assert_int_equal(sv_json_type_of(a), SV_JSON_ARRAY);
	assert_int_equal(sv_json_count(a), 6);
	x = sv_json_at(a, 1);
	assert_int_equal(sv_json_type_of(x), SV_JSON_OBJECT);
	assert_int_equal(sv_json_type_of(sv_json_get(x, "b")), SV_JSON_NULL);
	assert_true(sv_json_as_bool(sv_json_at(a, 2)));
	assert_false(sv_json_as_bool(sv_json_at(a, 3)));
	assert_string_equal(sv_json_str(sv_json_at(a, 4)), "x");
	assert_null(sv_json_at(a, 6));
	assert_int_equal(sv_json_type_of(sv_json_get(o, "n")), SV_JSON_NULL);
	/* Accessors of the wrong type return neutral values. */
	assert_null(sv_json_str(a));
	assert_int_equal(sv_json_as_int(sv_json_at(a, 4)), 0);
	assert_false(sv_json_as_bool(sv_json_at(a, 0)));
	assert_int_equal(sv_json_count(sv_json_at(a, 0)), 0);
	assert_null(sv_json_get(a, "a"));
	assert_null(sv_json_at(o, 0));
	assert_null(sv_json_key_at(a, 0));
	sv_json_free(o);
}

static void test_replace_on_set(void **state)
{
	sv_json *o = sv_json_object();

	(void)state;
	assert_non_null(o);
	assert_int_equal(sv_json_set_int(o, "k", 1), 0);
	assert_int_equal(sv_json_set_int(o, "j", 2), 0);
	assert_int_equal(sv_json_set_str(o, "k", "x"), 0);
	assert_int_equal(sv_json_count(o), 2);
	assert_string_equal(sv_json_str(sv_json_get(o, "k")), "x");
	assert_writes(o, "{\"j\":2,\"k\":\"x\"}");
	assert_int_equal(sv_json_set(o, "j", sv_json_array()), 0);
	assert_writes(o, "{\"j\":[],\"k\":\"x\"}");
	sv_json_free(o);
}

static void test_large_object(void **state)
{
	enum { N = 5000 };
	sv_json *o = sv_json_object(), *p = NULL;
	char key[32], prev[32] = "";
	char *out = NULL;
	size_t i, len;
	bool canonical = true;

	(void)state;
	assert_non_null(o);
	/* Insert i*7919 mod N so the order is scrambled but every key appears. */
	for (i = 0; i < N; i++) {
		size_t k = i * 7919 % N;

		snprintf(key, sizeof(key), "k%zu", k);
		assert_int_equal(sv_json_set_int(o, key, (int64_t)k), 0);
	}
	assert_int_equal(sv_json_count(o), N);
	for (i = 0; i < N; i++) {
		const char *k = sv_json_key_at(o, i);

		assert_true(strcmp(prev, k) < 0);
		snprintf(prev, sizeof(prev), "%s", k);
		snprintf(key, sizeof(key), "k%zu", i);
		assert_int_equal(sv_json_as_int(sv_json_get(o, key)), (int64_t)i);
	}
	assert_int_equal(sv_json_write(&out, &len, o), 0);
	assert_int_equal(sv_json_parse(&p, out, len, &canonical), 0);
	assert_true(canonical);
	assert_int_equal(sv_json_count(p), N);
	free(out);
	sv_json_free(p);
	sv_json_free(o);
}

static void test_writer_depth(void **state)
{
	sv_json *top = NULL, *j;
	char *out = (char *)"x";
	int i;

	(void)state;
	/* 64 nested arrays write; a 65th does not. */
	for (i = 0; i < 64; i++) {
		assert_non_null(j = sv_json_array());
		if (top)
			assert_int_equal(sv_json_append(j, top), 0);
		top = j;
	}
	assert_int_equal(sv_json_write(&out, NULL, top), 0);
	assert_int_equal(strlen(out), 128);
	free(out);
	assert_non_null(j = sv_json_array());
	assert_int_equal(sv_json_append(j, top), 0);
	assert_int_equal(sv_json_write(&out, NULL, j), SCRVAULT_EUSAGE);
	assert_null(out);
	sv_json_free(j);
	assert_int_equal(sv_json_write(&out, NULL, NULL), SCRVAULT_EUSAGE);
}

/*
 * Parser
 */

static void test_round_trip(void **state)
{
	static const char *docs[] = {
		"null", "true", "false", "0", "-1", "42", "\"\"", "\"a/b\"",
		"[]", "{}", "[[]]", "[{}]", "{\"\":{}}",
		"{\"a\":1,\"ab\":2,\"b\":[true,false,null]}",
		"{\"a\":\"\\\"\\\\\\b\\f\\n\\r\\t\\u0000\"}",
		"[\"\\u0001\\u001f\\u000b\",\"\x7f\",\"\xc3\xa9\xf0\x9f\x94\x91\"]",
		("{\"action\":\"checkin\",\"case\":\"2024-017\",\"doc\":{\"sha256\":"
		 "\"e3b0\",\"size\":0},\"seq\":9223372036854775807,\"ts\":-9223372036854775808}"),
		"{\"z\":1,\"\x7f\":2,\"\xc3\xa9\":3}",
		"[1,[2,[3,[4]]],{\"a\":{\"b\":{\"c\":[]}}}]",
	};
	size_t i;

	(void)state;
	for (i = 0; i < SV_ARRAY_SIZE(docs); i++) {
		/* \u0000 is rejected: skip the entry that tests exactly that. */
		if (strstr(docs[i], "\\u0000")) {
			parse_rejects_str(docs[i]);
			continue;
		}
		assert_normalises(docs[i], true, docs[i]);
	}
}

static void test_noncanonical(void **state)
{
	(void)state;
	assert_normalises(" 1", false, "1");
	assert_normalises("1\n", false, "1");
	assert_normalises("[1, 2]", false, "[1,2]");
	assert_normalises("{\"a\" :1}", false, "{\"a\":1}");
	assert_normalises("{\"a\":\t1}", false, "{\"a\":1}");
	assert_normalises("{ }", false, "{}");
	assert_normalises("[\r]", false, "[]");
	assert_normalises("{\"b\":1,\"a\":2}", false, "{\"a\":2,\"b\":1}");
	assert_normalises("{\"ab\":1,\"a\":2}", false, "{\"a\":2,\"ab\":1}");
	assert_normalises("{\"a\":{\"d\":1,\"c\":2},\"b\":0}", false,
		"{\"a\":{\"c\":2,\"d\":1},\"b\":0}");
	assert_normalises("\"\\/\"", false, "\"/\"");
	assert_normalises("\"\\u0041\"", false, "\"A\"");
	assert_normalises("\"\\u00e9\"", false, "\"\xc3\xa9\"");
	assert_normalises("\"\\u000a\"", false, "\"\\n\"");
	assert_normalises("\"\\u001F\"", false, "\"\\u001f\"");
	assert_normalises("\"\\u0022\\u005c\"", false, "\"\\\"\\\\\"");
	assert_normalises("\"\\ud83d\\udd11\"", false, "\"\xf0\x9f\x94\x91\"");
	assert_normalises("\"\\uDBFF\\uDFFF\"", false, "\"\xf4\x8f\xbf\xbf\"");
	assert_normalises("-0", false, "0");
	assert_normalises("[-0]", false, "[0]");
}

static void test_rejections(void **state)
{
	static const char *bad[] = {
		/* duplicates, in order and out of order */
		"{\"a\":1,\"a\":2}", "{\"b\":1,\"a\":2,\"b\":3}", "{\"a\":1,\"\\u0061\":2}",
		/* trailing garbage */
		"1 2", "{}x", "[]]", "null,", "\"a\"\"b\"",
		/* numbers */
		"01", "-01", "00", "1.5", "1.", "1e3", "1E3", "-", "+1", "--1", ".5",
		"0x10", "-a", "[1.0]", "{\"a\":2e1}",
		/* literals */
		"nul", "tru", "True", "nulll", "NaN", "Infinity",
		/* escapes */
		"\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\ud800x\"",
		"\"\\udc00\\ud800\"", "\"\\ud800\\ud800\"", "\"\\u0000\"", "\"a\\u0000b\"",
		"\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "\"\\'\"", "\"\\U0041\"",
		/* structure */
		"[1,]", "{\"a\":1,}", "[,1]", "{,}", "{\"a\"}", "{\"a\":}", "{a:1}",
		"{1:1}", "[1 2]", "{\"a\":1 \"b\":2}", "'a'", "]", "}", ":", ",",
		/* truncated */
		"[", "{", "{\"a\"", "{\"a\":", "{\"a\":1", "[1,", "\"abc", "\"\\",
		"\"\\u00", "t", "-",
		/* raw control characters in strings */
		"\"a\nb\"", "\"\t\"", "\"\x1f\"",
		/* whitespace only */
		" ", "\n\t ",
	};
	static const char *bad_utf8[] = {
		"\"\xc0\x80\"", "\"\xc1\xbf\"", "\"\xe0\x80\x80\"", "\"\xed\xa0\x80\"",
		"\"\xed\xbf\xbf\"", "\"\xf4\x90\x80\x80\"", "\"\xf5\x80\x80\x80\"",
		"\"\xff\"", "\"\x80\"", "\"\xc3\"", "\"\xe6\x97\"", "\"\xf0\x9f\x94\"",
		"{\"\xc3\":1}", "\xef\xbb\xbf{}", "[\"ok\",\"\xfe\"]",
	};
	size_t i;

	(void)state;
	for (i = 0; i < SV_ARRAY_SIZE(bad); i++)
		parse_rejects_str(bad[i]);
	for (i = 0; i < SV_ARRAY_SIZE(bad_utf8); i++)
		parse_rejects_str(bad_utf8[i]);

	/* Empty input, with and without a pointer. */
	parse_rejects("", 0);
	parse_rejects(NULL, 0);
	/* Raw NUL bytes: in a string, after a value, as the value. */
	parse_rejects("\"a\0b\"", 5);
	parse_rejects("1\0", 2);
	parse_rejects("\0", 1);
	/* A valid document truncated anywhere is rejected. */
	{
		const char *doc = "{\"a\":[1,-2,{\"b\":\"c\\u00e9\\n\"}],\"d\":true}";
		size_t n;

		for (n = 0; n < strlen(doc); n++)
			parse_rejects(doc, n);
	}
}

static void test_error_messages(void **state)
{
	static const struct {
		const char *text;
		const char *message;
	} cases[] = {
		{ "{\"a\" 1}", "invalid json at byte 5: expected ':'" },
		{ "{\"a\":1,\"a\":2}", "invalid json at byte 7: duplicate key" },
		{ "[1,2", "invalid json at byte 4: unexpected end of input" },
		{ "01", "invalid json at byte 1: leading zero in number" },
		{ "[1.5]", "invalid json at byte 2: fractions are not allowed" },
		{ "1e3", "invalid json at byte 1: exponents are not allowed" },
		{ "{} x", "invalid json at byte 3: trailing data after value" },
		{ "\"ab\\ud800\"", "invalid json at byte 3: lone surrogate in \\u escape" },
		{ "\"\\u0000\"", "invalid json at byte 1: nul character in string" },
		{ "[\"a\xff\"]", "invalid json at byte 3: invalid utf-8 in string" },
		{ "[9223372036854775808]", "invalid json at byte 1: integer out of range" },
		{ "[1 2]", "invalid json at byte 3: expected ',' or ']'" },
		{ "{\"a\":1 2}", "invalid json at byte 7: expected ',' or '}'" },
	};
	size_t i;
	sv_json *j;

	(void)state;
	for (i = 0; i < SV_ARRAY_SIZE(cases); i++) {
		assert_int_equal(sv_json_parse(&j, cases[i].text, strlen(cases[i].text), NULL),
			SCRVAULT_EINTEGRITY);
		assert_string_equal(scrvault_error_message(), cases[i].message);
	}
}

static void test_parse_depth(void **state)
{
	char doc[2 * 66 + 1];
	sv_json *j = NULL;
	const sv_json *k;
	int i, n;

	(void)state;
	for (n = 64; n <= 65; n++) {
		for (i = 0; i < n; i++) {
			doc[i] = '[';
			doc[n + i] = ']';
		}
		doc[2 * n] = '\0';
		if (n == 64) {
			j = parse_ok(doc, NULL);
			for (k = j, i = 1; i < 64; i++)
				k = sv_json_at(k, 0);
			assert_int_equal(sv_json_type_of(k), SV_JSON_ARRAY);
			assert_int_equal(sv_json_count(k), 0);
			assert_writes(j, doc);
			sv_json_free(j);
		} else {
			parse_rejects_str(doc);
		}
	}
	/* Objects count the same way, and mixed nesting too. */
	{
		char obj[65 * 5 + 65 + 8];
		size_t len = 0;

		for (i = 0; i < 65; i++) {
			memcpy(obj + len, "{\"a\":", 5);
			len += 5;
		}
		obj[len++] = '1';
		for (i = 0; i < 65; i++)
			obj[len++] = '}';
		parse_rejects(obj, len);
		/* Drop the outermost level: 64 deep is fine. */
		assert_int_equal(sv_json_parse(&j, obj + 5, len - 6, NULL), 0);
		sv_json_free(j);
	}
	/* Far deeper than the limit must fail, not overflow the stack. */
	{
		size_t big = 1000000;
		char *deep = malloc(big);

		assert_non_null(deep);
		memset(deep, '[', big);
		parse_rejects(deep, big);
		free(deep);
	}
}

static void test_ownership(void **state)
{
	sv_json *o = sv_json_object(), *a = sv_json_array(), *s = sv_json_string("x");

	(void)state;
	assert_non_null(o);
	assert_non_null(a);
	/* A failed constructor passed straight in: error, nothing stored. */
	assert_true(sv_json_set(o, "k", NULL) < 0);
	assert_true(sv_json_set(o, "k", sv_json_string("\xff")) < 0);
	assert_int_equal(sv_json_count(o), 0);
	assert_null(sv_json_get(o, "k"));
	assert_true(sv_json_append(a, NULL) < 0);
	assert_int_equal(sv_json_count(a), 0);
	/* Values handed to a failing call are freed (the sanitizers check). */
	assert_int_equal(sv_json_set(a, "k", sv_json_int(1)), SCRVAULT_EUSAGE);
	assert_int_equal(sv_json_set(NULL, "k", sv_json_int(1)), SCRVAULT_EUSAGE);
	assert_int_equal(sv_json_set(o, NULL, sv_json_string("y")), SCRVAULT_EUSAGE);
	assert_int_equal(sv_json_set(o, "\xc3\x28", s), SCRVAULT_EUSAGE);
	assert_int_equal(sv_json_append(o, sv_json_int(1)), SCRVAULT_EUSAGE);
	assert_int_equal(sv_json_append(NULL, sv_json_null()), SCRVAULT_EUSAGE);
	assert_int_equal(sv_json_set_int(a, "k", 3), SCRVAULT_EUSAGE);
	/* A container cannot be put inside itself (and is not freed). */
	assert_int_equal(sv_json_set(o, "self", o), SCRVAULT_EUSAGE);
	assert_int_equal(sv_json_append(a, a), SCRVAULT_EUSAGE);
	assert_int_equal(sv_json_count(o), 0);
	assert_int_equal(sv_json_count(a), 0);
	/* Replacing a value with itself keeps it. */
	assert_non_null(s = sv_json_string("same"));
	assert_int_equal(sv_json_set(o, "k", s), 0);
	assert_int_equal(sv_json_set(o, "k", s), 0);
	assert_string_equal(sv_json_str(sv_json_get(o, "k")), "same");
	sv_json_free(o);
	sv_json_free(a);
	sv_json_free(NULL);
}

/*
 * Fuzz-ish: random bytes and mutations of valid documents must never crash,
 * leak or be misjudged.  Whatever parses must write back to bytes that parse
 * as canonical, and the input was canonical exactly when it equals them.
 */

static uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static size_t fuzz_one(const char *text, size_t len)
{
	sv_json *j = NULL, *k = NULL;
	bool canonical = false, again = false;
	char *out = NULL, *out2 = NULL;
	size_t outlen = 0, outlen2 = 0;
	int error = sv_json_parse(&j, text, len, &canonical);

	if (error < 0) {
		if (error != SCRVAULT_EINTEGRITY || j != NULL || canonical)
			fail_msg("bad failure %d for '%.*s'", error, (int)len, text);
		return 0;
	}
	assert_int_equal(sv_json_write(&out, &outlen, j), 0);
	if (canonical != (outlen == len && memcmp(out, text, len) == 0))
		fail_msg("canonical flag %d wrong for '%.*s' (writes '%s')",
			canonical, (int)len, text, out);
	assert_int_equal(sv_json_parse(&k, out, outlen, &again), 0);
	assert_true(again);
	assert_int_equal(sv_json_write(&out2, &outlen2, k), 0);
	assert_int_equal(outlen2, outlen);
	assert_memory_equal(out2, out, outlen);
	free(out);
	free(out2);
	sv_json_free(j);
	sv_json_free(k);
	return 1;
}

static void test_fuzz(void **state)
{
	static const char alphabet[] = "{}[]:,\"\\ \n-0123456789.eEtrufalsn/u"
		"abcdefABCDEF\xc3\xa9\xed\xa0\xf0\x9f\x80\xff";
	static const char *seeds[] = {
		"{\"a\":[1,-2,{\"b\":\"c\\u00e9\\n\"}],\"d\":true}",
		"[null,false,true,0,-0,\"\\ud83d\\udd11\",{\"\":{}}]",
		"{\"action\":\"checkin\",\"case\":\"2024-017\",\"seq\":42,\"ts\":1700000000}",
		"{ \"b\" : [ 1 , 2 ] , \"a\" : \"\\/\\\"\\\\\" }",
		"\"\x7f\xc3\xa9\xf0\x9f\x94\x91\\t\\u001f\"",
	};
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	char buf[256];
	size_t i, n, ok = 0;

	(void)state;
	/* Random strings over a JSON-ish alphabet, then over all bytes. */
	for (i = 0; i < 4000; i++) {
		size_t k, len = xorshift64(&seed) % 24;

		for (k = 0; k < len; k++) {
			uint64_t r = xorshift64(&seed);

			buf[k] = i < 3000 ? alphabet[r % (sizeof(alphabet) - 1)] :
				(char)(r & 0xff);
		}
		ok += fuzz_one(buf, len);
	}
	/* Mutations of valid documents. */
	for (i = 0; i < 6000; i++) {
		const char *s = seeds[i % SV_ARRAY_SIZE(seeds)];
		size_t len = strlen(s), m, muts = 1 + xorshift64(&seed) % 3;

		memcpy(buf, s, len);
		for (m = 0; m < muts && len > 0; m++) {
			uint64_t r = xorshift64(&seed);
			size_t at = (size_t)(r >> 8) % len;
			char c = (r & 1) ? alphabet[(r >> 32) % (sizeof(alphabet) - 1)] :
				(char)(r >> 40);

			switch (r >> 1 & 3) {
			case 0:		/* replace */
				buf[at] = c;
				break;
			case 1:		/* insert */
				if (len < sizeof(buf)) {
					memmove(buf + at + 1, buf + at, len - at);
					buf[at] = c;
					len++;
				}
				break;
			case 2:		/* delete */
				memmove(buf + at, buf + at + 1, len - at - 1);
				len--;
				break;
			default:	/* truncate */
				len = at;
				break;
			}
		}
		ok += fuzz_one(buf, len);
	}
	/* The seeds themselves all parse. */
	for (i = 0, n = 0; i < SV_ARRAY_SIZE(seeds); i++)
		n += fuzz_one(seeds[i], strlen(seeds[i]));
	assert_int_equal(n, SV_ARRAY_SIZE(seeds));
	/* Some mutants must have survived, or the checks above saw nothing. */
	assert_true(ok > 100);
}

/* Objects of typed fields, handed over with SV_TAKE; arrays grown by sv_grow. */
static void test_fields_and_growth(void **state)
{
	sv_json *o = NULL, *held;
	char *text = NULL;
	size_t len = 0, cap = 0;
	int *arr = NULL;

	(void)state;
	assert_int_equal(sv_json_new(&o, SV_FIELDS(SV_STR("b", "x"), SV_INT("a", 7), SV_IF(false, SV_INT("c", 1)),
						   SV_STR("n", NULL))), 0);
	assert_int_equal(sv_json_write(&text, &len, o), 0);
	assert_string_equal(text, "{\"a\":7,\"b\":\"x\",\"n\":null}");
	free(text);
	held = SV_TAKE(o);
	assert_null(o);
	sv_json_free(held);
	/* a field that cannot be set: no object, and the error */
	assert_null(sv_json_of(SV_FIELDS(SV_STR("k", "\xff"))));
	assert_int_equal(sv_json_new(&o, SV_FIELDS(SV_STR("k", "\xff"))), SCRVAULT_ERROR);
	assert_null(o);
	/* doubling from `first`, only when needed */
	assert_int_equal(sv_grow(&arr, &cap, 3, sizeof(*arr), 4), 0);
	assert_int_equal(cap, 4);
	arr[3] = 3;
	assert_int_equal(sv_grow(&arr, &cap, 4, sizeof(*arr), 4), 0);
	assert_int_equal(cap, 4);
	assert_int_equal(sv_grow(&arr, &cap, 9, sizeof(*arr), 4), 0);
	assert_int_equal(cap, 16);
	assert_int_equal(arr[3], 3);
	assert_true(sv_grow(&arr, &cap, SIZE_MAX / 2, sizeof(*arr), 4) < 0);
	assert_int_equal(cap, 16);
	free(arr);
	/* digits of an alphabet */
	assert_int_equal(sv_char_index("0123456789abcdef", 'c'), 12);
	assert_int_equal(sv_char_index("0123456789abcdef", 'g'), -1);
	assert_int_equal(sv_char_index("0123456789abcdef", 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_sorting),
		cmocka_unit_test(test_key_prefixes),
		cmocka_unit_test(test_non_ascii_keys),
		cmocka_unit_test(test_escape_controls),
		cmocka_unit_test(test_passthrough),
		cmocka_unit_test(test_string_rejects_invalid_utf8),
		cmocka_unit_test(test_int64_limits),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_replace_on_set),
		cmocka_unit_test(test_large_object),
		cmocka_unit_test(test_writer_depth),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_noncanonical),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_error_messages),
		cmocka_unit_test(test_parse_depth),
		cmocka_unit_test(test_ownership),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_fields_and_growth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
