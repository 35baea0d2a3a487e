// test_list.c: `osarch list` (src/cmd/list.c) loads every file in full, so
// a broken one is reported as `osarch run` would report it: each broken
// file's error on stderr, in the folders' order, the others listed as
// without it, and exit 2. It also checks resolve_name's shortcut (a file
// that is there is loaded without listing its folder): the broken files'
// names are found, and a hidden one is not.
#include "testutil.h"
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>

static struct test_tmp tmp;
static char osarch_path[PATH_MAX];

// The file's text; the test fails when it is not there.
static char *slurp(const char *path)
{
	char *text = test_slurp(path);
	assert_non_null(text);
	return text;
}

// Runs "cd DIR && osarch ARGS >DIR/OUT 2>DIR/ERR"; the exit status.
static int run_in(const char *dir, const char *args, const char *out, const char *err)
{
	char cmd[5 * PATH_MAX + 64];
	snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s >'%s' 2>'%s'", dir, osarch_path, args, out, err);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// A tree beside the repository's: its models and profiles' folder by
// symlink, arch/ and workloads/ holding a symlink to each shipped file,
// and broken files in arch/ (first and last of the folder), workloads/
// and configs/machines/.
static void make_tree(char *dir, size_t n)
{
	char cwd[PATH_MAX], cmd[7 * PATH_MAX];
	assert_non_null(getcwd(cwd, sizeof cwd));
	test_tmp_dir(&tmp, "list", dir, n);
	snprintf(cmd, sizeof cmd,
		 "cd '%s' && mkdir arch workloads configs configs/machines && ln -s '%s/models' models && "
		 "ln -s '%s'/arch/*.yaml arch/ && ln -s '%s'/workloads/*.yaml workloads/ && "
		 "ln -s '%s'/configs/machines/*.yaml configs/machines/ && ln -s '%s/configs/isa' configs/isa",
		 dir, cwd, cwd, cwd, cwd, cwd);
	assert_int_equal(system(cmd), 0);
	char p[PATH_MAX + 64];
	snprintf(p, sizeof p, "%s/arch/00-broken.yaml", dir);
	test_put(p, "name: [unclosed\n");
	snprintf(p, sizeof p, "%s/arch/zz-broken.yaml", dir);
	test_put(p, "name: zz-broken\ncolour: blue\n");
	snprintf(p, sizeof p, "%s/workloads/mm-broken.yaml", dir);
	test_put(p, "name: mm-broken\nsteps: 3\n");
	snprintf(p, sizeof p, "%s/configs/machines/mm-broken.yaml", dir);
	test_put(p, "name: mm-broken\nmhz: fast\n");
}

// The number of lines of text that start with prefix.
static int lines_starting(const char *text, const char *prefix)
{
	int n = 0;
	for (const char *l = text; *l;) {
		if (!strncmp(l, prefix, strlen(prefix)))
			n++;
		const char *nl = strchr(l, '\n');
		if (!nl)
			break;
		l = nl + 1;
	}
	return n;
}

// The four broken files give four error lines, in the folders' order:
// arch/00-broken, arch/zz-broken, workloads/mm-broken,
// configs/machines/mm-broken (arch before workloads before machines, as
// the listing goes). The unclosed flow sequence of 00-broken is found
// where the stream ends, 2:1 (after its one line); zz-broken's unknown key
// is on its line 2. Their standard output is that of the repository's own
// files (the broken ones print nothing there), and the exit is 2.
static void test_broken_files_in_order(void **state)
{
	(void)state;
	char dir[PATH_MAX], o1[PATH_MAX + 16], e1[PATH_MAX + 16];
	make_tree(dir, sizeof dir);
	snprintf(o1, sizeof o1, "%s/out1", dir);
	snprintf(e1, sizeof e1, "%s/err1", dir);
	assert_int_equal(run_in(dir, "list", o1, e1), 2);
	char *out1 = slurp(o1), *err1 = slurp(e1);
	assert_int_equal(lines_starting(err1, ""), 4);
	const char *a0 = strstr(err1, "arch/00-broken.yaml:2:1:"), *az = strstr(err1, "arch/zz-broken.yaml:2:");
	const char *w = strstr(err1, "workloads/mm-broken.yaml:"), *m = strstr(err1, "machines/mm-broken.yaml:");
	if (!a0 || !az || !w || !m || !(a0 < az && az < w && w < m))
		fail_msg("errors out of order or missing:\n%s", err1);
	// The repository's listing (no broken files) is the same text.
	char ro[PATH_MAX + 16], re[PATH_MAX + 16], cwd[PATH_MAX];
	assert_non_null(getcwd(cwd, sizeof cwd));
	snprintf(ro, sizeof ro, "%s/out-repo", dir);
	snprintf(re, sizeof re, "%s/err-repo", dir);
	assert_int_equal(run_in(cwd, "list", ro, re), 0);
	char *outr = slurp(ro);
	assert_string_equal(outr, out1);
	free(outr);
	free(out1);
	free(err1);
}

// A hidden file is no architecture even when it is there: `--arch .hidden`
// is refused with the folder's names (resolve_name lists them only then).
static void test_hidden_name_refused(void **state)
{
	(void)state;
	char dir[PATH_MAX], o[PATH_MAX + 16], e[PATH_MAX + 16], p[PATH_MAX + 32];
	make_tree(dir, sizeof dir);
	snprintf(p, sizeof p, "%s/arch/.hidden.yaml", dir);
	test_put(p, "name: hidden\n");
	snprintf(o, sizeof o, "%s/out", dir);
	snprintf(e, sizeof e, "%s/err", dir);
	assert_int_equal(run_in(dir, "trace --arch .hidden null", o, e), 2);
	char *err = slurp(e);
	if (!strstr(err, "unknown architecture '.hidden' (expected one of: 00-broken, exokernel,"))
		fail_msg("'%s'", err);
	free(err);
	assert_int_equal(run_in(dir, "trace --arch monolithic null", o, e), 0);
}

// One kind alone: only its heading and its own broken file.
static void test_one_kind(void **state)
{
	(void)state;
	char dir[PATH_MAX], o[PATH_MAX + 16], e[PATH_MAX + 16];
	make_tree(dir, sizeof dir);
	snprintf(o, sizeof o, "%s/out", dir);
	snprintf(e, sizeof e, "%s/err", dir);
	assert_int_equal(run_in(dir, "list machines", o, e), 2);
	char *out = slurp(o), *err = slurp(e);
	assert_int_equal(lines_starting(err, ""), 1);
	assert_non_null(strstr(err, "machines/mm-broken.yaml:"));
	assert_int_equal(lines_starting(out, "machine profiles"), 1);
	assert_int_equal(lines_starting(out, "architectures"), 0);
	// The nine shipped profiles, one line each (configs/machines/*.yaml).
	assert_int_equal(lines_starting(out, "  "), 9);
	free(out);
	free(err);
}

// Bad usage exits 2 and lists nothing.
static void test_bad_usage(void **state)
{
	(void)state;
	char dir[PATH_MAX], o[PATH_MAX + 16], e[PATH_MAX + 16], cwd[PATH_MAX];
	assert_non_null(getcwd(cwd, sizeof cwd));
	test_tmp_dir(&tmp, "list", dir, sizeof dir);
	snprintf(o, sizeof o, "%s/out", dir);
	snprintf(e, sizeof e, "%s/err", dir);
	const char *bad[] = {"list archs machines", "list everything", "list --frobnicate"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_int_equal(run_in(cwd, bad[i], o, e), 2);
		char *out = slurp(o);
		assert_string_equal(out, "");
		free(out);
	}
}

int main(int argc, char **argv)
{
	(void)argc;
	char rel[PATH_MAX];
	test_find_osarch(argv[0], rel, sizeof rel);
	if (!realpath(rel, osarch_path)) {
		fprintf(stderr, "no osarch at %s\n", rel);
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_broken_files_in_order),
		cmocka_unit_test(test_hidden_name_refused),
		cmocka_unit_test(test_one_kind),
		cmocka_unit_test(test_bad_usage),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	test_tmp_clean(&tmp, failed);
	return failed;
}
