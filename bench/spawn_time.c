// spawn_time.c: the median wall time of N runs of a program, for `make
// bench`'s start-up figures (scripts/bench-startup.sh). Each run is
// posix_spawn to waitpid, its output to /dev/null, timed by
// CLOCK_MONOTONIC: a shell loop around `date` adds a fork and an exec of
// its own to every run (about 1.5 ms here, more than osarch --help takes).
// usage: spawn_time N PROGRAM [ARGS...]; prints the median in ms.
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[1]) : 0;
	if (n < 1 || n > 10000) {
		fprintf(stderr, "usage: spawn_time N PROGRAM [ARGS...]\n");
		return 2;
	}
	double *t = malloc((size_t)n * sizeof *t);
	posix_spawn_file_actions_t fa;
	if (!t || posix_spawn_file_actions_init(&fa) ||
	    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0) ||
	    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0))
		return 1;
	for (int i = 0; i < n; i++) {
		struct timespec a, b;
		pid_t pid;
		int status;
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (posix_spawnp(&pid, argv[2], &fa, NULL, argv + 2, environ) ||
		    waitpid(pid, &status, 0) != pid) {
			fprintf(stderr, "spawn_time: cannot run %s\n", argv[2]);
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		t[i] = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) * 1e-6;
	}
	qsort(t, (size_t)n, sizeof *t, cmp_double);
	printf("%.2f\n", t[n / 2]);
	posix_spawn_file_actions_destroy(&fa);
	free(t);
	return 0;
}
