// testutil.h: what every CMocka test includes first.
#ifndef OSARCH_TESTUTIL_H
#define OSARCH_TESTUTIL_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
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
#endif
