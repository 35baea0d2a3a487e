// merge.c: `osarch merge CONFIG.yaml SHARD-DIR...`: the shards of a run
// (osarch run --emit-jobs) joined into one result, as one run would write it.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "commands.h"
#include "experiment.h"

static const char usage_merge[] =
	"usage: osarch merge CONFIG.yaml SHARD-DIR... [-o DIR]\n"
	"\n"
	"Joins the points of shard runs (osarch run --emit-jobs) into one result in DIR\n"
	"(default results/<name>/), the same bytes as one uninterrupted run.\n";

int cmd_merge(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		fputs(usage_merge, stdout);
		return 0;
	}
	const char *out = NULL;
	char **dirs = calloc((size_t)argc, sizeof *dirs);
	int ndirs = 0;
	if (!dirs)
		return 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o")) {
			if (++i >= argc) {
				free(dirs);
				return cli_bad_usage(usage_merge, "%s needs a directory", "-o");
			}
			out = argv[i];
		} else if (argv[i][0] == '-') {
			free(dirs);
			return cli_bad_usage(usage_merge, "unknown option '%s'", argv[i]);
		} else {
			dirs[ndirs++] = argv[i];
		}
	}
	if (ndirs < 2) {
		free(dirs);
		return cli_bad_usage(usage_merge, "%s", "expected CONFIG.yaml and at least one shard directory");
	}
	struct experiment e;
	struct cfg_error err;
	if (experiment_load(&e, dirs[0], &err)) {
		fprintf(stderr, "%s\n", err.msg);
		free(dirs);
		return 2;
	}
	e.shard.count = 0; // the merged result covers every point
	char *dir = out ? NULL : path_join("results", e.name);
	int rc = out || dir ? experiment_merge(&e, dirs + 1, ndirs - 1, out ? out : dir, &err) : 1;
	if (!out && !dir)
		snprintf(err.msg, sizeof err.msg, "osarch: out of memory");
	free(dir);
	if (rc)
		fprintf(stderr, "%s\n", err.msg);
	experiment_free(&e);
	free(dirs);
	return rc;
}
