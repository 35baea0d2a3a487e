// validate.c: `osarch validate [FILE]`: the published measurements against
// the model, one row per check and the `validate:` summary line (the checks
// themselves: src/core/validation.c).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "commands.h"
#include "validation.h"

static const char usage_validate[] =
	"usage: osarch validate [FILE] [--markdown]\n"
	"\n"
	"Runs every check of FILE (default configs/validation.yaml) on the machine\n"
	"profile of the paper's machine and prints, side by side, the published and\n"
	"simulated figures, the published and simulated ratios, the factor\n"
	"(simulated / published), the band and the verdict. A check passes when its\n"
	"factor lies within its band (2x either way unless it says otherwise) and a\n"
	"ratio's ordering agrees. A check marked input: set a constant of the model\n"
	"and is not scored. The last line:\n"
	"  validate: N checks from P papers, M within band, K inputs (not scored),\n"
	"  geometric-mean error X.XX×, worst Y.YY× (NAME)\n"
	"Exit 0 when every miss carries known_miss:, 1 when one does not, 2 on a bad\n"
	"file.\n";

int cmd_validate(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		fputs(usage_validate, stdout);
		return 0;
	}
	const char *path = "configs/validation.yaml";
	int md = 0, have = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--markdown"))
			md = 1;
		else if (argv[i][0] == '-')
			return cli_bad_usage(usage_validate, "unknown option '%s'", argv[i]);
		else if (have++)
			return cli_bad_usage(usage_validate, "one file at a time ('%s' is extra)", argv[i]);
		else
			path = argv[i];
	}
	struct validation v;
	struct cfg_error err;
	if (validation_load(&v, path, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	struct vresult *res = calloc((size_t)v.n + 1, sizeof *res);
	int rc = 1;
	if (res && validation_run(&v, res, &err) == 0) {
		validation_print(stdout, &v, res, md);
		struct vsummary s;
		validation_summarize(&v, res, &s);
		if (md)
			fputc('\n', stdout);
		validation_print_summary(stdout, &v, &s);
		rc = s.unexplained > 0;
	} else {
		fprintf(stderr, "%s\n", res ? err.msg : "osarch: out of memory");
		rc = 2;
	}
	free(res);
	validation_free(&v);
	return rc;
}
