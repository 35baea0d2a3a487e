// test_cli.c: how the osarch programs are put together (include/base/cli.h).
// `osarch` must not load SimGrid or PAPI (they are behind osarch-scale and
// osarch-calibrate), and without those programs `osarch scale` and `osarch
// calibrate` must say which package brings them, exit 2 and write nothing.
// Runs the programs of the build this test belongs to (BUILD/tests/.. ).
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char g_build[4096]; // the build folder: dirname of dirname of this test

static void find_build(void)
{
	ssize_t n = readlink("/proc/self/exe", g_build, sizeof g_build - 1);
	assert_true(n > 0);
	g_build[n] = 0;
	for (int i = 0; i < 2; i++) {
		char *slash = strrchr(g_build, '/');
		assert_non_null(slash);
		*slash = 0;
	}
}

// Runs a shell command, its stdout and stderr into out; returns the exit status.
static int sh(char *out, size_t outlen, const char *cmd)
{
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, outlen - 1, p);
	out[n] = 0;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// The dynamic libraries of `osarch` (ldd) include neither SimGrid nor PAPI;
// those of osarch-scale / osarch-calibrate, when built, do.
static void test_osarch_links_neither(void **state)
{
	(void)state;
	char cmd[8400], out[16384];
	snprintf(cmd, sizeof cmd, "ldd '%s/osarch' 2>&1", g_build);
	assert_int_equal(sh(out, sizeof out, cmd), 0);
	assert_non_null(strstr(out, "libyaml")); // the check reads a real list
	assert_null(strstr(out, "simgrid"));
	assert_null(strstr(out, "papi"));
	struct stat st;
	snprintf(cmd, sizeof cmd, "%s/osarch-scale", g_build);
	if (stat(cmd, &st) == 0) {
		snprintf(cmd, sizeof cmd, "ldd '%s/osarch-scale' 2>&1", g_build);
		assert_int_equal(sh(out, sizeof out, cmd), 0);
		assert_non_null(strstr(out, "simgrid"));
	}
}

// A copy of `osarch` alone in a folder stands for a build without SimGrid
// and PAPI: both commands name their package and exit 2, and the -o file
// they were asked for is not written.
static void test_missing_program_says_which_package(void **state)
{
	(void)state;
	char dir[] = "/tmp/osarch-cli-XXXXXX", cmd[8400], out[4096];
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof cmd, "cp '%s/osarch' %s/osarch", g_build, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "%s/osarch scale configs/scale-cores.yaml -o %s/out 2>&1", dir, dir);
	assert_int_equal(sh(out, sizeof out, cmd), 2);
	assert_non_null(strstr(out, "SimGrid"));
	assert_non_null(strstr(out, "apt-get install libsimgrid-dev"));
	assert_non_null(strstr(out, "dnf install"));
	assert_int_equal(strchr(out, '\n') - out + 1, (long)strlen(out)); // one line
	snprintf(cmd, sizeof cmd, "%s/osarch calibrate -o %s/host.yaml 2>&1", dir, dir);
	assert_int_equal(sh(out, sizeof out, cmd), 2);
	assert_non_null(strstr(out, "PAPI"));
	assert_non_null(strstr(out, "apt-get install libpapi-dev"));
	assert_non_null(strstr(out, "dnf install papi-devel"));
	struct stat st;
	snprintf(cmd, sizeof cmd, "%s/host.yaml", dir);
	assert_int_not_equal(stat(cmd, &st), 0);
	snprintf(cmd, sizeof cmd, "%s/out", dir);
	assert_int_not_equal(stat(cmd, &st), 0);
	// The rest of osarch works without them.
	snprintf(cmd, sizeof cmd, "%s/osarch trace --arch l4 null 2>&1 | tail -n 1", dir);
	assert_int_equal(sh(out, sizeof out, cmd), 0);
	assert_non_null(strstr(out, "total: traps="));
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

// With the programs built, `osarch scale --help` reaches osarch-scale's
// usage through the hand-over (exit 0, its usage line).
static void test_handover(void **state)
{
	(void)state;
	char cmd[8400], out[8192];
	struct stat st;
	snprintf(cmd, sizeof cmd, "%s/osarch-scale", g_build);
	if (stat(cmd, &st) == 0) {
		snprintf(cmd, sizeof cmd, "'%s/osarch' scale --help 2>&1", g_build);
		assert_int_equal(sh(out, sizeof out, cmd), 0);
		assert_non_null(strstr(out, "usage: osarch scale"));
	}
	snprintf(cmd, sizeof cmd, "%s/osarch-calibrate", g_build);
	if (stat(cmd, &st) == 0) {
		snprintf(cmd, sizeof cmd, "'%s/osarch' calibrate --help 2>&1", g_build);
		assert_int_equal(sh(out, sizeof out, cmd), 0);
		assert_non_null(strstr(out, "usage: osarch calibrate"));
	}
}

int main(void)
{
	find_build();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_osarch_links_neither),
		cmocka_unit_test(test_missing_program_says_which_package),
		cmocka_unit_test(test_handover),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
