// testutil.h: what every CMocka test includes first.
#ifndef OSARCH_TESTUTIL_H
#define OSARCH_TESTUTIL_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// The CLI of the build this test belongs to: BUILD/tests/test_NAME ->
// BUILD/osarch (build-asan under `make asan`); ./build/osarch otherwise.
static inline void test_find_osarch(const char *argv0, char *path, size_t n)
{
	snprintf(path, n, "./build/osarch");
	const char *slash = strrchr(argv0, '/');
	if (!slash || slash - argv0 < 6 || strncmp(slash - 6, "/tests", 6))
		return;
	char cand[600];
	snprintf(cand, sizeof cand, "%.*s/osarch", (int)(slash - 6 - argv0), argv0);
	if (access(cand, X_OK) == 0)
		snprintf(path, n, "%s", cand);
}

// A test process's temporary folders, all under one base folder of its own
// (/tmp/osarch-tNAME.XXXXXX), removed at the end when nothing failed (kept
// to look at otherwise). A glob such as /tmp/osarch-sweep-* would also
// remove the folders of a suite running beside this one (seen: "point 0 is
// missing from the journal" when another `make test` cleaned up mid-run).
struct test_tmp {
	char base[40];
};

static inline void test_tmp_dir(struct test_tmp *t, const char *name, char *dir, size_t n)
{
	if (!t->base[0]) {
		snprintf(t->base, sizeof t->base, "/tmp/osarch-t%.16s.XXXXXX", name);
		assert_non_null(mkdtemp(t->base));
	}
	snprintf(dir, n, "%s/XXXXXX", t->base);
	assert_non_null(mkdtemp(dir));
}

static inline void test_tmp_clean(const struct test_tmp *t, int failed)
{
	char rm[96];
	snprintf(rm, sizeof rm, "rm -rf '%s'", t->base);
	if (!failed && t->base[0] && system(rm) != 0)
		fprintf(stderr, "could not remove %s\n", t->base);
}
// The whole of a text file as a string to free: NULL when it cannot be
// opened, "" when it is empty.
static inline char *test_slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n = getdelim(&buf, &cap, 0, f);
	fclose(f);
	if (n < 0) {
		free(buf);
		buf = strdup("");
	}
	return buf;
}

// Writes text to path; the test fails when it cannot.
static inline void test_put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}
#endif
