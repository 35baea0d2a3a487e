// walkrun.h: the walker's tests load an architecture and a workload and run
// one traced call. Include after testutil.h; the file's group setup and
// teardown are walkrun_setup and walkrun_teardown.
#ifndef OSARCH_WALKRUN_H
#define OSARCH_WALKRUN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment.h"
#include "walk.h"

static struct service_set *g_svc; // models/services.yaml, loaded once per test file

static int walkrun_setup(void **state)
{
	(void)state;
	struct cfg_error err;
	g_svc = malloc(sizeof *g_svc);
	return !g_svc || load_services_default(g_svc, &err) ? -1 : 0;
}

static int walkrun_teardown(void **state)
{
	(void)state;
	free(g_svc);
	return 0;
}

struct walkrun {
	struct arch a;
	struct workload w;
	struct trace tr;
	struct run_result r;
	int rc; // run_point's
};

// arch x wl on machine: one measured call (reps 1, seed 1) after 2 warm-up
// calls, or the first call on a fresh machine (cold), traced. A file that
// does not load fails the test. The caller frees the result.
static struct walkrun *walkrun(const char *arch, const char *wl, const char *machine, int cold)
{
	struct cfg_error err;
	struct profile p;
	struct walkrun *x = calloc(1, sizeof *x);
	assert_non_null(x);
	if (profile_load(&p, machine, NULL, &err) || arch_load(&x->a, arch, g_svc, &err) ||
	    workload_load(&x->w, wl, g_svc, &err)) {
		free(x);
		fail_msg("%s", err.msg);
	}
	struct run_params rp = {.warmup = 2, .reps = 1, .cold = cold, .seed = 1};
	x->rc = run_point(&x->a, &x->w, &p, &rp, &x->r, &x->tr);
	return x;
}

#endif
