// test_sweep.c: trustworthy runs. The same config gives the same bytes
// whatever the number of worker processes; a run killed mid-sweep and
// resumed gives the same files as an uninterrupted one; shards merged give
// the same files as one run. Runs the osarch binary of this test's build.
#include "testutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SLOW "tests/data/sweep/slow.yaml"

// The osarch of the build this test belongs to (build/ or build-asan/).
static const char *osarch(void)
{
	static const char *const candidates[] = {"build-asan/osarch", "build/osarch"};
	char self[512];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	self[n > 0 ? n : 0] = 0;
	return strstr(self, "build-asan") ? candidates[0] : candidates[1];
}

static int sh(const char *fmt, const char *a, const char *b)
{
	char cmd[2048];
	snprintf(cmd, sizeof cmd, fmt, osarch(), a, b);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// Whole-file equality.
static int same_file(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	int same = fa && fb;
	while (same) {
		int ca = fgetc(fa), cb = fgetc(fb);
		if (ca != cb)
			same = 0;
		if (ca == EOF || cb == EOF)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

static struct test_tmp tmp; // this process's temporary folders (testutil.h)

static void mktmp(char *dir, size_t n) { test_tmp_dir(&tmp, "sweep", dir, n); }

static void compare_outputs(const char *a, const char *b)
{
	const char *files[] = {"results.csv", "results.json", "config.resolved.yaml"};
	for (int i = 0; i < 3; i++) {
		char pa[600], pb[600];
		snprintf(pa, sizeof pa, "%s/%s", a, files[i]);
		snprintf(pb, sizeof pb, "%s/%s", b, files[i]);
		if (!same_file(pa, pb))
			fail_msg("%s and %s differ", pa, pb);
	}
}

// The serial order is the contract: -j 1, -j 2 and -j 3 give the same bytes
// (each point is computed on a fresh machine from the same seed, and the
// files are assembled in point order).
static void test_jobs_same_bytes(void **state)
{
	(void)state;
	char d[3][64];
	const char *j[] = {"1", "2", "3"};
	for (int i = 0; i < 3; i++) {
		mktmp(d[i], sizeof d[i]);
		char opt[64];
		snprintf(opt, sizeof opt, "-j %s", j[i]);
		assert_int_equal(sh("%s run configs/default.yaml -o %s --quiet %s", d[i], opt), 0);
	}
	compare_outputs(d[0], d[1]);
	compare_outputs(d[0], d[2]);
}

static long lines_in(const char *path)
{
	FILE *f = fopen(path, "r");
	long n = 0;
	int c;
	if (!f)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

// skip_unsupported: the points whose machine lacks the architecture's
// hardware give no row, in CSV and JSON, whatever -j; the same config
// without the key is refused (exit 2).
static void test_skip_unsupported(void **state)
{
	(void)state;
	char d[2][64];
	for (int i = 0; i < 2; i++) {
		mktmp(d[i], sizeof d[i]);
		assert_int_equal(sh("%s run tests/data/sweep/skip-unsupported.yaml -o %s --quiet %s", d[i],
				    i ? "-j 2" : "-j 1"), 0);
	}
	compare_outputs(d[0], d[1]);
	char csv[600];
	snprintf(csv, sizeof csv, "%s/results.csv", d[0]);
	assert_int_equal(lines_in(csv), 1 + 3); // header + monolithic x 2 machines + vm-hw on core2-vtx
	FILE *f = fopen(csv, "r");
	assert_non_null(f);
	char line[4096];
	int xeon_hw = 0;
	while (fgets(line, sizeof line, f))
		xeon_hw += !strncmp(line, "vm-hw,", 6) && strstr(line, "xeon-2003") != NULL;
	fclose(f);
	assert_int_equal(xeon_hw, 0);
	char tmp[64];
	mktmp(tmp, sizeof tmp);
	char cfg[600];
	snprintf(cfg, sizeof cfg, "%s/refused.yaml", tmp);
	char cmd[1400];
	snprintf(cmd, sizeof cmd, "grep -v '^skip_unsupported' tests/data/sweep/skip-unsupported.yaml > %s", cfg);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(sh("%s run %s -o %s/out --quiet 2>/dev/null", cfg, tmp), 2);
}

// Kill -9 the run once the journal holds at least one finished point and
// before it is complete; no result file may exist then; --resume completes
// only the rest, and the files equal an uninterrupted run's.
static void test_kill_and_resume(void **state)
{
	(void)state;
	char full[64], cut[64], journal[128], csv[128];
	mktmp(full, sizeof full);
	mktmp(cut, sizeof cut);
	assert_int_equal(sh("%s run " SLOW " -o %s --quiet -j 1%s", full, ""), 0);
	snprintf(journal, sizeof journal, "%s/.journal", cut);
	snprintf(csv, sizeof csv, "%s/results.csv", cut);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl(osarch(), "osarch", "run", SLOW, "-o", cut, "--quiet", "-j", "2", (char *)NULL);
		_exit(127);
	}
	long done = 0;
	for (int i = 0; i < 4000 && done < 2; i++) { // the header line, then a point
		struct timespec ts = {0, 2000000};
		nanosleep(&ts, NULL);
		done = lines_in(journal);
	}
	kill(pid, SIGKILL);
	int st;
	waitpid(pid, &st, 0);
	assert_true(WIFSIGNALED(st)); // killed before it finished
	long kept = lines_in(journal) - 1; // without the header line
	assert_true(kept >= 1 && kept < 6); // 6 points in SLOW
	assert_int_equal(access(csv, F_OK), -1); // no partial result file
	assert_int_equal(sh("%s run " SLOW " -o %s --quiet -j 2 --resume%s", cut, ""), 0);
	compare_outputs(full, cut);
	// The journal now holds the kept lines plus the rest: nothing recomputed
	// twice unless a worker was mid-append (never more than 6 + 2 lines).
	long total = lines_in(journal) - 1;
	assert_true(total >= 6 && total <= 8);
}

// Shards (osarch run --emit-jobs) run separately and merged give the bytes
// of one run.
static void test_shards_merge(void **state)
{
	(void)state;
	char full[64], jobs[64], merged[64];
	mktmp(full, sizeof full);
	mktmp(jobs, sizeof jobs);
	mktmp(merged, sizeof merged);
	assert_int_equal(sh("%s run configs/default.yaml -o %s --quiet%s", full, ""), 0);
	assert_int_equal(sh("%s run configs/default.yaml --emit-jobs %s --shards 3 >/dev/null%s", jobs, ""), 0);
	for (int i = 0; i < 3; i++) {
		char cfg[128], out[128];
		snprintf(cfg, sizeof cfg, "%s/job-%d.yaml", jobs, i);
		snprintf(out, sizeof out, "%s/out-%d", jobs, i);
		assert_int_equal(sh("%s run %s -o %s --quiet", cfg, out), 0);
	}
	char dirs[512];
	snprintf(dirs, sizeof dirs, "%s/out-0 %s/out-1", jobs, jobs);
	// Two of three shards: a point is missing, so merge refuses (exit 2).
	assert_int_equal(sh("%s merge configs/default.yaml %s -o %s 2>/dev/null", dirs, merged), 2);
	snprintf(dirs, sizeof dirs, "%s/out-0 %s/out-1 %s/out-2", jobs, jobs, jobs);
	assert_int_equal(sh("%s merge configs/default.yaml %s -o %s", dirs, merged), 0);
	char a[128], b[128];
	snprintf(a, sizeof a, "%s/results.csv", full);
	snprintf(b, sizeof b, "%s/results.csv", merged);
	assert_true(same_file(a, b));
	snprintf(a, sizeof a, "%s/results.json", full);
	snprintf(b, sizeof b, "%s/results.json", merged);
	assert_true(same_file(a, b));
}

// The resolved configuration is itself an experiment file: running it gives
// the same results.
static void test_resolved_config_reruns(void **state)
{
	(void)state;
	char a[64], b[64], cfg[128];
	mktmp(a, sizeof a);
	mktmp(b, sizeof b);
	assert_int_equal(sh("%s run configs/personalities.yaml -o %s --quiet%s", a, ""), 0);
	snprintf(cfg, sizeof cfg, "%s/config.resolved.yaml", a);
	assert_int_equal(sh("%s run %s -o %s --quiet", cfg, b), 0);
	char pa[128], pb[128];
	snprintf(pa, sizeof pa, "%s/results.csv", a);
	snprintf(pb, sizeof pb, "%s/results.csv", b);
	assert_true(same_file(pa, pb));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jobs_same_bytes),
		cmocka_unit_test(test_skip_unsupported),
		cmocka_unit_test(test_kill_and_resume),
		cmocka_unit_test(test_shards_merge),
		cmocka_unit_test(test_resolved_config_reruns),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	test_tmp_clean(&tmp, failed);
	return failed;
}
