// cli.c: the command line's shared edges: the exit path of every osarch
// program, the hand-over from `osarch` to its optional programs
// (include/base/cli.h says why), and a command's --help and usage errors.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

int cli_finish(int rc)
{
	errno = 0;
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "osarch: cannot write to standard output: %s\n",
			errno ? strerror(errno) : "write error");
		return rc ? rc : 1;
	}
	return rc;
}

// The running binary's path, malloc'd (no fixed-size buffer: the link is
// read into a buffer that doubles until it fits), or NULL.
static char *self_path(void)
{
	for (size_t cap = 256; cap <= (1u << 20); cap *= 2) {
		char *buf = malloc(cap);
		if (!buf)
			return NULL;
		ssize_t n = readlink("/proc/self/exe", buf, cap);
		if (n < 0) {
			free(buf);
			return NULL;
		}
		if ((size_t)n < cap) {
			buf[n] = 0;
			return buf;
		}
		free(buf);
	}
	return NULL;
}

int cli_exec_sibling(const char *prog, const char *what, const char *deb, const char *rpm,
		     int argc, char **argv)
{
	char *self = self_path();
	char *slash = self ? strrchr(self, '/') : NULL;
	char *path = NULL;
	if (slash) {
		size_t dir = (size_t)(slash - self) + 1, len = dir + strlen(prog) + 1;
		path = malloc(len);
		if (path)
			snprintf(path, len, "%.*s%s", (int)dir, self, prog);
	}
	free(self);
	if (path && access(path, X_OK) == 0) {
		fflush(stdout);
		char **args = malloc(((size_t)argc + 1) * sizeof *args);
		if (args) {
			for (int i = 0; i < argc; i++)
				args[i] = argv[i];
			args[argc] = NULL;
			execv(path, args);
			fprintf(stderr, "osarch: cannot run %s: %s\n", path, strerror(errno));
			free(args);
			free(path);
			return 1;
		}
	}
	free(path);
	fprintf(stderr,
		"osarch: '%s' needs %s, which this build of osarch was made without: install it "
		"(Debian/Ubuntu: apt-get install %s; Fedora: dnf install %s), then run make again\n",
		argc > 0 ? argv[0] : prog, what, deb, rpm);
	return 2;
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}

int cli_bad_usage(const char *usage, const char *fmt, const char *arg)
{
	fprintf(stderr, "osarch: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage);
	return 2;
}
