// test_fuzz_regressions.c: every input the fuzzers (make fuzz) found a fault
// with, kept in tests/data/fuzz/ and loaded again here. The file name says
// the loader: experiment-*.yaml, arch-*.yaml, workload-*.yaml,
// machine-*.yaml, services-*.yaml. Each must be refused with one error line
// "path:line:col: error: ...", and nothing else (no crash, no leak under
// `make asan` / valgrind).
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "experiment.h"

static int load_one(const char *path, const char *name, struct service_set *svc, struct cfg_error *err)
{
	if (!strncmp(name, "experiment-", 11)) {
		struct experiment e;
		if (experiment_load(&e, path, err) == 0) {
			experiment_free(&e);
			return 0;
		}
		return -1;
	}
	if (!strncmp(name, "arch-", 5)) {
		struct arch *a = malloc(sizeof *a);
		int rc = a ? arch_load(a, path, svc, err) : -1;
		free(a);
		return rc;
	}
	if (!strncmp(name, "workload-", 9)) {
		struct workload *w = malloc(sizeof *w);
		int rc = w ? workload_load(w, path, svc, err) : -1;
		free(w);
		return rc;
	}
	if (!strncmp(name, "machine-", 8)) {
		struct profile p;
		return profile_load(&p, path, NULL, err);
	}
	struct service_set *s = malloc(sizeof *s);
	int rc = s ? services_load(s, path, err) : -1;
	free(s);
	return rc;
}

static void test_every_regression(void **state)
{
	(void)state;
	struct cfg_error err;
	struct service_set *svc = malloc(sizeof *svc);
	assert_non_null(svc);
	if (load_services_default(svc, &err))
		fail_msg("%s", err.msg);
	DIR *dir = opendir("tests/data/fuzz");
	assert_non_null(dir);
	int n = 0;
	struct dirent *de;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		char path[600];
		snprintf(path, sizeof path, "tests/data/fuzz/%s", de->d_name);
		memset(&err, 0, sizeof err);
		int rc = load_one(path, de->d_name, svc, &err);
		n++;
		// Refused, in one line, with a location.
		if (rc == 0)
			fail_msg("%s loaded; it was kept because it must be refused", path);
		if (strchr(err.msg, '\n') || !strstr(err.msg, ": error: "))
			fail_msg("%s: not one located error line: '%s'", path, err.msg);
	}
	closedir(dir);
	free(svc);
	assert_true(n >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_regression),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
