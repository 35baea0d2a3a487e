// test_diff.c: `osarch diff` on two hand-made results.csv files
// (tests/data/diff/a and b): b differs from a only in mach null's cycles
// (2000 -> 2100, +5%) and usec (1 -> 1.05, +5%).
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "diff.h"

static char *run_diff(const char *a, const char *b, const char *baseline, double thr, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	char err[600];
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	*rc = runs_diff(f, a, b, baseline, thr, err, sizeof err);
	fclose(f);
	return buf;
}

static void test_identical_runs(void **state)
{
	(void)state;
	int rc;
	char *out = run_diff("tests/data/diff/a", "tests/data/diff/a", NULL, 1, &rc);
	assert_int_equal(rc, 0);
	// 24 columns: 4 key columns (arch, workload, machine, l1d.size) and reps
	// are not compared: 19 metrics x 2 points = 38.
	assert_string_equal(out, "38 value(s) compared, 0 moved beyond 1%\n");
	free(out);
}

static void test_moved_metrics(void **state)
{
	(void)state;
	int rc;
	char *out = run_diff("tests/data/diff/a", "tests/data/diff/b", NULL, 1, &rc);
	assert_int_equal(rc, 1);
	assert_string_equal(out, "mach null m 16K cycles: 2000 -> 2100 (+5.0%)\n"
				 "mach null m 16K usec: 1 -> 1.05 (+5.0%)\n"
				 "38 value(s) compared, 2 moved beyond 1%\n");
	free(out);
	// Above the threshold nothing is flagged.
	out = run_diff("tests/data/diff/a", "tests/data/diff/b", NULL, 5.5, &rc);
	assert_int_equal(rc, 0);
	free(out);
}

// Relative to monolithic: mach null cycles 2000/200 = 10 -> 2100/200 = 10.5
// (+5%); monolithic against itself is 1 -> 1; traps 3/1 -> 3/1. Metrics whose
// baseline value is 0 are not comparable and are skipped: per point, the
// 11 metrics with a non-zero monolithic value (traps, mode_switches,
// instructions, cycles, usec, footprint_i_lines, footprint_d_lines ...).
static void test_baseline(void **state)
{
	(void)state;
	int rc;
	char *out = run_diff("tests/data/diff/a", "tests/data/diff/b", "monolithic", 1, &rc);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "mach null m 16K cycles (vs baseline): 10 -> 10.5 (+5.0%)\n"));
	free(out);
}

static void test_bad_input(void **state)
{
	(void)state;
	char err[600];
	assert_int_equal(runs_diff(stdout, "tests/data/diff/nosuch", "tests/data/diff/a", NULL, 1, err, sizeof err), 2);
	assert_non_null(strstr(err, "tests/data/diff/nosuch/results.csv:1:1: error: cannot open"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identical_runs),
		cmocka_unit_test(test_moved_metrics),
		cmocka_unit_test(test_baseline),
		cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
