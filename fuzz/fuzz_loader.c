// fuzz_loader.c: a libFuzzer harness for the YAML loader of one file kind,
// chosen at compile time: -DFUZZ_KIND=1 experiment, 2 machine profile,
// 3 architecture, 4 workload, 5 services, 6 ISA table, 7 extension-faults
// config. `make fuzz` builds and runs each.
//
// The loaders read paths (a file kind may name others: an experiment names
// architectures, a profile inherits), so each input is written to a
// temporary file first. Every outcome but a crash, a leak, a hang or a
// sanitizer report is fine: the contract is one error line, never a crash.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "experiment.h"
#include "osmodel.h"
#include "profile.h"
#include "virtcheck.h"
#include "faults.h"

#ifndef FUZZ_KIND
#error "define FUZZ_KIND"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	// The shared services, loaded once per process (the harness's only state).
	static struct service_set *svc;
	static char path[64];
	struct cfg_error err;
	if (!svc) {
		svc = malloc(sizeof *svc);
		if (!svc || load_services_default(svc, &err))
			abort();
		snprintf(path, sizeof path, "/tmp/osarch-fuzz-%d.yaml", (int)getpid());
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
#if FUZZ_KIND == 1
	struct experiment e;
	if (experiment_load(&e, path, &err) == 0)
		experiment_free(&e);
#elif FUZZ_KIND == 2
	struct profile p;
	if (profile_load(&p, path, NULL, &err) == 0)
		profile_check(&p, &err);
#elif FUZZ_KIND == 3
	struct arch *a = malloc(sizeof *a);
	if (a)
		arch_load(a, path, svc, &err);
	free(a);
#elif FUZZ_KIND == 4
	struct workload *w = malloc(sizeof *w);
	if (w)
		workload_load(w, path, svc, &err);
	free(w);
#elif FUZZ_KIND == 5
	struct service_set *s = malloc(sizeof *s);
	if (s)
		services_load(s, path, &err);
	free(s);
#elif FUZZ_KIND == 6
	struct isa *isa = malloc(sizeof *isa);
	if (isa && isa_load(isa, path, &err) == 0)
		isa_check(isa, NULL);
	free(isa);
#elif FUZZ_KIND == 7
	struct fault_config *fc = calloc(1, sizeof *fc);
	if (fc && fault_config_load(fc, path, &err) == 0)
		fault_config_free(fc);
	free(fc);
#endif
	// A message must be one line (the contract is `path:line:col: error: ...`).
	if (strchr(err.msg, '\n') && (FUZZ_KIND != 2))
		abort();
	return 0;
}
