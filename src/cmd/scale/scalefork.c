// scalefork.c: `osarch scale`'s forked runner: one child process per point
// (SimGrid's engine runs once per process), its row read back through a
// pipe, and the check of --cfg options in a child of their own.
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <simgrid/actor.h>
#include <simgrid/comm.h>
#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <simgrid/mailbox.h>
#include <simgrid/mutex.h>
#include <simgrid/plugins/live_migration.h>
#include <simgrid/vm.h>
#include <xbt/log.h>


#include "scale.h"
#include "scaleshared.h"

// ================================================================= the runner


int scale_start_child(const struct scale_point *pt, char *const *simgrid_argv, int quiet, struct child *c)
{
	int p[2];
	if (!scale_point_sane(pt) || pipe(p))
		return -1;
	fflush(NULL); // the child must not write the parent's buffered output again
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		scale_child_run(pt, simgrid_argv, quiet, p[1]);
	}
	close(p[1]);
	c->pid = pid;
	c->fd = p[0];
	return 0;
}

// Reads the child's row and reaps it. Returns 0 or -1 with msg.
int scale_finish_child(struct child *c, struct scale_row *row, char *msg, size_t msglen)
{
	size_t got = 0;
	while (got < sizeof *row) {
		ssize_t r = read(c->fd, (char *)row + got, sizeof *row - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(c->fd);
	int st;
	while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
		;
	if (got == sizeof *row && WIFEXITED(st) && WEXITSTATUS(st) == 0 && row->ok)
		return 0;
	if (WIFSIGNALED(st))
		snprintf(msg, msglen, "the simulation was killed by signal %d (SimGrid aborted; run with --verbose)",
			 WTERMSIG(st));
	else
		snprintf(msg, msglen, "the simulation failed (exit %d)", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return -1;
}

int scale_point_run(const struct scale_point *pt, char *const *simgrid_argv, int quiet, struct scale_row *row,
		    char *msg, size_t msglen)
{
	struct child c;
	memset(row, 0, sizeof *row);
	if (scale_start_child(pt, simgrid_argv, quiet, &c)) {
		snprintf(msg, msglen, "cannot start the simulation (%s)", scale_point_sane(pt) ? strerror(errno) : "bad point");
		return -1;
	}
	return scale_finish_child(&c, row, msg, msglen);
}

int scale_check_cfg(char *const *simgrid_argv, char *msg, size_t msglen)
{
	int p[2];
	if (pipe(p)) {
		snprintf(msg, msglen, "%s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(msg, msglen, "%s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 2); // SimGrid explains a refusal on stderr, then aborts
		close(p[1]);
		char *av[80];
		int ac = 0;
		for (int i = 0; simgrid_argv[i] && ac < 79; i++)
			av[ac++] = simgrid_argv[i];
		av[ac] = NULL;
		xbt_log_control_set("root.thres:critical");
		simgrid_init(&ac, av);
		_exit(0); // nothing was started: skip SimGrid's exit-time cleanup
	}
	close(p[1]);
	char buf[8192];
	size_t got = 0;
	for (;;) {
		ssize_t r = read(p[0], buf + got, sizeof buf - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
		if (got == sizeof buf - 1) { // keep draining so the child never blocks
			char sink[4096];
			while (read(p[0], sink, sizeof sink) > 0)
				;
			break;
		}
	}
	buf[got] = 0;
	close(p[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	// The first CRITICAL line, without SimGrid's prefix.
	const char *m = strstr(buf, "CRITICAL] ");
	m = m ? m + 10 : buf;
	const char *u = strstr(m, "Uncaught exception ");
	if (u && u < m + 10) {
		m = u + 19;
		const char *colon = strstr(m, ": ");
		if (colon && colon < m + 40)
			m = colon + 2;
	}
	size_t len = strcspn(m, "\n");
	snprintf(msg, msglen, "%.*s", (int)(len < 300 ? len : 300), *m ? m : "SimGrid aborted");
	return -1;
}

