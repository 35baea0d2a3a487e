// fuzz_loader.c: a libFuzzer harness for one input of osarch, chosen at
// compile time: -DFUZZ_KIND=1 experiment, 2 machine profile, 3 architecture,
// 4 workload, 5 services, 6 ISA table, 7 extension-faults config, 8 scale
// config, 9 lab answer file (checked against labs/1), 10 lackey trace (the
// streamed reader and the cache simulator), 11 the command line of
// `osarch cachesim` (one argument per line). `make fuzz` builds and runs each.
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
#include "check.h"
#include "cachesim.h"
#include "replay.h"
#include "scale.h"

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
	memset(&err, 0, sizeof err); // a loader that succeeds leaves it alone
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
	int rc = 0; // the loader's: the message is checked only when it failed
#if FUZZ_KIND == 1
	struct experiment e;
	rc = experiment_load(&e, path, &err);
	if (rc == 0)
		experiment_free(&e);
#elif FUZZ_KIND == 2
	struct profile p;
	rc = profile_load(&p, path, NULL, &err);
	if (rc == 0)
		rc = profile_check(&p, &err); // a message without a location, one line
#elif FUZZ_KIND == 3
	struct arch *a = malloc(sizeof *a);
	if (a)
		rc = arch_load(a, path, svc, &err);
	free(a);
#elif FUZZ_KIND == 4
	struct workload *w = malloc(sizeof *w);
	if (w)
		rc = workload_load(w, path, svc, &err);
	free(w);
#elif FUZZ_KIND == 5
	struct service_set *s = malloc(sizeof *s);
	if (s)
		rc = services_load(s, path, &err);
	free(s);
#elif FUZZ_KIND == 6
	struct isa *isa = malloc(sizeof *isa);
	if (isa && (rc = isa_load(isa, path, &err)) == 0)
		isa_check(isa, NULL);
	free(isa);
#elif FUZZ_KIND == 7
	struct fault_config *fc = calloc(1, sizeof *fc);
	if (fc && (rc = fault_config_load(fc, path, &err)) == 0)
		fault_config_free(fc);
	free(fc);
#elif FUZZ_KIND == 8
	struct scale_config *sc = calloc(1, sizeof *sc);
	if (sc && (rc = scale_load(sc, path, &err)) == 0)
		scale_free(sc);
	free(sc);
#elif FUZZ_KIND == 9
	// The lab, loaded once; each input is an answer file checked against it.
	static struct lab *lab;
	if (!lab) {
		lab = calloc(1, sizeof *lab);
		if (!lab || lab_load(lab, "labs/1", &err))
			abort();
	}
	struct lab_report *rep = calloc(1, sizeof *rep);
	if (rep)
		rc = lab_check(lab, path, rep, &err) == 2 ? -1 : 0;
	free(rep);
#elif FUZZ_KIND == 10
	// Every record through the reader and the simulator, strict then lenient.
	static const struct cache_geom g = {1, 4096, 2, 64, 1, REPL_LRU};
	for (int lenient = 0; lenient < 2; lenient++) {
		struct cachesim cs;
		struct trace_reader r;
		char msg[400];
		if (cachesim_init(&cs, &g, &g, &g, msg, sizeof msg))
			abort();
		if (trace_open(&r, path, lenient, msg, sizeof msg) == 0) {
			if (cachesim_run(&cs, &r) && (!r.error[0] || strchr(r.error, '\n')))
				abort(); // a failure says where, in one line
			trace_close(&r);
		}
		cachesim_free(&cs);
	}
#elif FUZZ_KIND == 11
	// One argument per line; the trace is always a small fixed one (a fuzzed
	// path could name a device that never ends). Output goes to /dev/null.
	static FILE *null;
	if (!null && !(null = fopen("/dev/null", "w")))
		abort();
	char *buf = malloc(size + 1), *argv[34] = {"cachesim"};
	int argc = 1;
	if (buf) {
		memcpy(buf, data, size);
		buf[size] = 0;
		for (char *save = NULL, *t = strtok_r(buf, "\n", &save); t && argc < 32; t = strtok_r(NULL, "\n", &save))
			argv[argc++] = t[0] == '-' && t[1] ? t : "tests/data/replay/pattern.trace";
		argv[argc] = NULL;
		FILE *out = stdout, *errf = stderr;
		stdout = stderr = null;
		cmd_cachesim(argc, argv);
		stdout = out, stderr = errf;
	}
	free(buf);
#endif
	// A message must be one line (the contract is `path:line:col: error: ...`).
	if (rc && strchr(err.msg, '\n'))
		abort();
	return 0;
}
