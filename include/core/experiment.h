// experiment.h: an experiment file (configs/*.yaml), its points and results.
#ifndef OSARCH_EXPERIMENT_H
#define OSARCH_EXPERIMENT_H

#include <stdio.h>
#include "osmodel.h"
#include "profile.h"
#include "walk.h"
#include "hash.h"
#include "yamlcfg.h"

#define OSARCH_VERSION "0.1.0"
#define MAX_SWEEP 8
#define MAX_POINTS 100000

struct sweep_param {
	char key[64];          // "l1d.size" (machine profile) or "workload.app_ws"
	struct strlist values; // as written ("16K")
};

// Starts sweep parameter key (its node k, its values' list v) as
// params[*n] of at most max, counted at once so that freeing the list frees
// it: refused when the key is there already, max is reached or v is not a
// non-empty list. The caller checks and adds the values.
struct sweep_param *sweep_param_add(struct sweep_param *params, int *n, int max, const char *key,
				    struct ydoc *d, yaml_node_t *k, yaml_node_t *v, struct cfg_error *err);

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
	int skip_unsupported; // a point whose machine lacks the architecture's hardware gives no row
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
void write_manifest(FILE *f, void *manifest_in); // manifest.json
void print_table(FILE *t, const struct experiment *e, char *const *rows, long n);
// Creates dir and its parents. Returns 0, or -1 with errno.
int mkdir_p(const char *dir);

// Writes `write(f, arg)` to path atomically: a temporary file then a rename.
int write_atomic(const char *path, void (*write)(FILE *f, void *arg), void *arg);
// The same for dir/name (no fixed-size buffer: -1 with ENAMETOOLONG past PATH_MAX).
int write_atomic_in(const char *dir, const char *name, void (*write)(FILE *f, void *arg), void *arg);

// ---- a result folder as one unit (resultset.c) ----
// (fnv1a64, which hashes the files: include/base/hash.h)
// dir + "/" + name, malloc'd; NULL with errno ENAMETOOLONG past PATH_MAX.
char *path_join(const char *dir, const char *name);
// The FNV-1a hash and size of a regular file. Returns 0 or -1 with errno.
int file_digest(const char *path, uint64_t *hash, uint64_t *bytes);
// Checks the files of a result folder against its manifest.json. Returns 0
// (the set is whole, or the folder was not written by `osarch run`), or -1
// with msg "DIR/FILE:1:1: error: ..." (mixed, damaged or incomplete).
int resultset_check(const char *dir, char *msg, size_t len);
// The same for the folder holding path.
int resultset_check_file(const char *path, char *msg, size_t len);

// What manifest.json records about the files written before it.
#define MANIFEST_MAX_FILES 8
struct manifest_in {
	const struct experiment *e;
	int n;
	const char *name[MANIFEST_MAX_FILES];
	uint64_t hash[MANIFEST_MAX_FILES], bytes[MANIFEST_MAX_FILES];
};

// ---- escaping of outputs (outfmt.c) ----
// A JSON string with its quotes, escaped by jansson.
void json_put_str(FILE *f, const char *s);
// One CSV field, quoted as RFC 4180 says when it holds a comma, a quote, a
// CR or LF (a quote inside is doubled); as it is otherwise.
void csv_put_field(FILE *f, const char *s);
// Splits one CSV record (no line end) in place into at most max fields,
// removing RFC 4180 quotes. Returns the number of fields, max + 1 when there
// are more, or -1 on bad quoting.
int csv_split(char *s, char **field, int max);
// A YAML scalar for a flow list or a mapping value, as libyaml's emitter
// writes it (plain when that reads back the same, else quoted).
void yaml_put_scalar(FILE *f, const char *s);

// Shared loading of the model files.
int load_services_default(struct service_set *s, struct cfg_error *err);

#endif
