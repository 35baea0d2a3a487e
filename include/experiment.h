// experiment.h: an experiment file (configs/*.yaml), its points and results.
#ifndef OSARCH_EXPERIMENT_H
#define OSARCH_EXPERIMENT_H

#include <stdio.h>
#include "osmodel.h"
#include "profile.h"
#include "walk.h"
#include "yamlcfg.h"

#define OSARCH_VERSION "0.1.0"
#define MAX_SWEEP 8
#define MAX_POINTS 100000

struct sweep_param {
	char key[64];          // "l1d.size" (machine profile) or "workload.app_ws"
	struct strlist values; // as written ("16K")
};

struct experiment {
	char name[64];
	char description[256];
	struct strlist machines;
	struct strlist archs;
	struct strlist workloads;
	struct sweep_param sweep[MAX_SWEEP];
	int nsweep;
	int warmup;
	int reps;
	int cold;
	int64_t seed;
	struct { int index, count; } shard; // run only points with index % count == index (count 0/1: all)
	char path[512];
};

struct run_opts {
	const char *outdir;
	int quiet;    // no progress line
	int jobs;     // worker processes (<= 1: run in this process)
	int resume;   // keep the journal's finished points, run the rest
};

// Workload parameters a sweep may set.
struct sweep_workload {
	uint32_t app_ws, app_code;
};

// Applies one sweep value to a profile and workload parameters; the key may
// join several parameters with '+'. Returns 0, or -1 with err->msg (no location).
int sweep_apply(const char *key, const char *val, struct profile *p, struct sweep_workload *w,
		struct cfg_error *err);

// Loads and checks an experiment (every arch, workload, machine and sweep
// value is resolved once so that a bad name is reported with its location).
int experiment_load(struct experiment *e, const char *path, struct cfg_error *err);
void experiment_free(struct experiment *e);
long experiment_points(const struct experiment *e);

// One result row.
struct point {
	char arch[NAME_LEN + 64], workload[NAME_LEN], machine[64];
	const char *sweep_values[MAX_SWEEP];
	struct run_result r;
};

// Runs every point; writes DIR/results.csv, results.json, config.resolved.yaml
// (each through a temporary file and a rename). Each finished point is first
// appended to DIR/.journal, so an interrupted run can be resumed. Prints a
// comparison table to `table` unless NULL. Returns 0, 1 on an internal
// failure, 2 on bad input.
int experiment_run(const struct experiment *e, const struct run_opts *o, FILE *table,
		   struct cfg_error *err);
// Joins the journals of shard runs (osarch run --emit-jobs) into one result
// in outdir. Returns 0, 1 or 2 like experiment_run.
int experiment_merge(const struct experiment *e, char *const *dirs, int ndirs, const char *outdir,
		     struct cfg_error *err);
// Writes one config per shard, a Slurm job-array script and a GNU parallel
// command line into dir.
int experiment_emit_jobs(const struct experiment *e, const char *dir, int shards, struct cfg_error *err);

// Formats for the result files; shared by `run` and the tests.
void csv_header(FILE *f, const struct experiment *e);
void csv_row(FILE *f, const struct experiment *e, const struct point *p);
void json_point(FILE *f, const struct experiment *e, const struct point *p);

void write_resolved(FILE *f, void *experiment);
void write_machines_resolved(FILE *f, void *experiment);
void write_manifest(FILE *f, void *experiment); // manifest.json
void print_table(FILE *t, const struct experiment *e, char *const *rows, long n);
int mkdir_p(const char *dir);

// Writes `write(f, arg)` to path atomically: a temporary file then a rename.
int write_atomic(const char *path, void (*write)(FILE *f, void *arg), void *arg);

// Shared loading of the model files.
int load_services_default(struct service_set *s, struct cfg_error *err);

#endif
