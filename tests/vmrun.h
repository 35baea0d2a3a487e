// vmrun.h: the virtual-machine tests (test_vm.c, test_nic.c) run one
// architecture x workload on a named machine, warm, optionally traced.
// Include after testutil.h; the file's group setup and teardown are
// vmrun_setup and vmrun_teardown, its state a struct vmrun_fixture.
#ifndef OSARCH_VMRUN_H
#define OSARCH_VMRUN_H

#include <stdlib.h>

#include "experiment.h"
#include "walk.h"

struct vmrun_fixture {
	struct service_set svc; // models/services.yaml
};

static int vmrun_setup(void **state)
{
	struct vmrun_fixture *f = malloc(sizeof *f);
	struct cfg_error err;
	if (!f || load_services_default(&f->svc, &err)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int vmrun_teardown(void **state)
{
	free(*state);
	return 0;
}

// Runs arch x workload on machine (warm: 3 warm-up calls, 2 measured);
// tr, if not NULL, gets the trace of the measured calls.
static void vm_run(const struct vmrun_fixture *f, const char *arch, const char *machine, const char *wl,
		   struct run_result *r, struct trace *tr)
{
	struct cfg_error err;
	struct profile p;
	struct arch *a = malloc(sizeof *a);
	struct workload *w = malloc(sizeof *w);
	assert_non_null(a);
	assert_non_null(w);
	if (profile_load(&p, machine, NULL, &err) || arch_load(a, arch, &f->svc, &err) ||
	    workload_load(w, wl, &f->svc, &err))
		fail_msg("%s", err.msg);
	struct run_params rp = {3, 2, 0, 1};
	assert_int_equal(run_point(a, w, &p, &rp, r, tr), 0);
	free(a);
	free(w);
}

#endif
