// run.c: `osarch run CONFIG.yaml`: every point of an experiment, its result
// files and comparison table (the running itself: src/core/sweep.c), and
// `--emit-jobs`, an experiment cut into shards for a cluster.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "commands.h"
#include "experiment.h"

static const char usage_run[] =
	"usage: osarch run CONFIG.yaml [-o DIR] [-j N] [--resume] [--quiet]\n"
	"       osarch run CONFIG.yaml --emit-jobs DIR [--shards N]\n"
	"\n"
	"Runs every (machine, swept parameter, architecture, workload) point of an\n"
	"experiment and writes DIR/results.csv, DIR/results.json,\n"
	"DIR/config.resolved.yaml and DIR/machines.resolved.yaml (DIR defaults to\n"
	"results/<name>/), then prints a comparison table (not with --quiet).\n"
	"\n"
	"  -j N          run points in N worker processes (default: the number of cores);\n"
	"                the files are the same bytes whatever N\n"
	"  --resume      keep the points DIR/.journal already holds (after a kill), run the rest\n"
	"  --quiet       no progress line (it is only shown on a terminal anyway) and no table\n"
	"  --emit-jobs DIR  write N shard configs (default 4), a Slurm job-array script and a\n"
	"                GNU parallel command line into DIR; join the shards with osarch merge\n";

int cmd_run(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		fputs(usage_run, stdout);
		return 0;
	}
	const char *out = NULL, *config = NULL, *emit = NULL;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	struct run_opts o = {NULL, 0, cores > 0 ? (int)cores : 1, 0};
	int shards = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--emit-jobs") || !strcmp(a, "-j") ||
		    !strcmp(a, "--jobs") || !strcmp(a, "--shards")) {
			if (++i >= argc)
				return cli_bad_usage(usage_run, "%s needs a value", a);
			if (a[1] == 'o' || !strcmp(a, "--output")) {
				out = argv[i];
			} else if (!strcmp(a, "--emit-jobs")) {
				emit = argv[i];
			} else {
				char *end;
				long n = strtol(argv[i], &end, 10);
				if (*end || n < 1 || n > 4096)
					return cli_bad_usage(usage_run, "bad number '%s' (expected 1..4096)", argv[i]);
				if (!strcmp(a, "--shards"))
					shards = (int)n;
				else
					o.jobs = (int)n;
			}
		} else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
			o.quiet = 1;
		} else if (!strcmp(a, "--resume")) {
			o.resume = 1;
		} else if (a[0] == '-') {
			return cli_bad_usage(usage_run, "unknown option '%s'", a);
		} else if (config) {
			return cli_bad_usage(usage_run, "one config at a time ('%s' is extra)", a);
		} else {
			config = a;
		}
	}
	if (!config)
		return cli_bad_usage(usage_run, "%s", "missing CONFIG.yaml");
	struct experiment e;
	struct cfg_error err;
	if (experiment_load(&e, config, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	int rc;
	if (emit) {
		rc = experiment_emit_jobs(&e, emit, shards ? shards : 4, &err);
		if (!rc)
			printf("wrote %d shard configs, slurm.sh and parallel.txt in %s\n", shards ? shards : 4, emit);
	} else {
		char *dir = out ? NULL : path_join("results", e.name); // the name is checked: one component
		o.outdir = out ? out : dir;
		rc = o.outdir ? experiment_run(&e, &o, o.quiet ? NULL : stdout, &err) : 1;
		if (!o.outdir)
			snprintf(err.msg, sizeof err.msg, "osarch: out of memory");
		free(dir);
	}
	if (rc)
		fprintf(stderr, "%s\n", err.msg);
	experiment_free(&e);
	return rc;
}
