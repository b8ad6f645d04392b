/*
 * test_policyfile.c - the policy parser (vault/policyfile.c) against inputs
 * its fuzz target (tests/fuzz/fuzz_policy.c) found troublesome.
 */
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "unit.h"
#include "base/json.h"
#include "base/file.h"
#include "vault/policyfile.h"

/*
 * Found by fuzz_policy: every setting's line was looked up by scanning the
 * whole text again, so a 64 KiB policy of 16 000 one-line settings took
 * 11 s of CPU to check (22 s under load), and every problem in it was
 * reported at the last line that looked the same.  Now it is checked in a
 * fraction of a second and each problem names its own line.  The test
 * checks the lines, not the time (the old search, the slow one, is the one
 * that put every problem at the same line); how long it takes belongs to no
 * test: under the sanitizers on a loaded machine it took 3.6 s.
 */
static void test_many_settings(void **state)
{
	size_t n = (SV_POLICY_MAX - 16) / 4, i;
	char *text = malloc(16 + 4 * n + 1), *p;
	sv_policy *pol = NULL;
	sv_json *problems = NULL;

	(void)state;
	assert_non_null(text);
	p = text + sprintf(text, "[foi]\n");
	for (i = 0; i < n; i++)
		p += sprintf(p, "k=1\n");
	{
		char dir[] = "/tmp/sv-policy-test-XXXXXX", path[64];

		assert_non_null(mkdtemp(dir));
		snprintf(path, sizeof(path), "%s/p.conf", dir);
		assert_int_equal(sv_file_create(path, text, strlen(text), 0600), 0);
		assert_int_equal(sv_policy_read(&pol, &problems, path), SCRVAULT_EUSAGE);
		unlink(path);
		rmdir(dir);
	}
	assert_null(pol);
	/* one problem a setting, each at its own line (2, 3, ...), then the policy's own */
	assert_true(sv_json_count(problems) >= n);
	for (i = 0; i < n; i++) {
		const sv_json *pr = sv_json_at(problems, i);

		if (sv_json_as_int(sv_json_get(pr, "line")) != (int64_t)i + 2)
			fail_msg("problem %zu is at line %lld, not %zu", i,
				(long long)sv_json_as_int(sv_json_get(pr, "line")), i + 2);
	}
	sv_json_free(problems);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_settings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
