// main.c: the osarch command line: `osarch COMMAND ARGS` handed to the
// command's file (src/cmd/COMMAND.c or src/cmd/COMMAND/). Exit 0 on success,
// 2 on bad input or usage, 1 on an internal failure.
#include <stdio.h>
#include <string.h>
#include "cachesim.h"
#include "cli.h"
#include "commands.h"
#include "diff.h"
#include "experiment.h"
#include "faults.h"
#include "replay.h"
#include "report.h"
#include "virtcheck.h"

static const char usage_main[] =
	"usage: osarch [--version] [--help] COMMAND [ARGS]\n"
	"\n"
	"A comparative OS-architecture simulator: the same kernel services under\n"
	"monolithic, Mach, L4, exokernel and VM architectures on a simulated x86.\n"
	"\n"
	"commands:\n"
	"  run CONFIG.yaml [-o DIR] [-j N] [--resume] [--quiet]\n"
	"                                        run an experiment; writes DIR/results.csv,\n"
	"                                        results.json, config.resolved.yaml\n"
	"  merge CONFIG.yaml SHARD-DIR... [-o DIR]  join shard runs (run --emit-jobs)\n"
	"  trace --arch A [--machine M] [--format text|csv|json] WORKLOAD\n"
	"                                        the path of one call, step by step\n"
	"  list [archs|workloads|machines]       what can be run\n"
	"  diff DIR_A DIR_B [--baseline ARCH] [--threshold PCT]\n"
	"                                        what moved between two runs; exit 1 if anything did\n"
	"  validate [FILE] [--markdown]          published measurements against the model\n"
	"                                        (configs/validation.yaml); exit 1 on an unexplained miss\n"
	"  report [--template FILE] [-o FILE]    fill docs/report.md.in from results/ into REPORT.md\n"
	"  calibrate [-o PROFILE] [--quick] [--compare]\n"
	"                                        measure this host, write its profile; --compare: model vs host\n"
	"  scale CONFIG.yaml [-o DIR] [--cfg=K:V] many cores, hosts, VM migration on SimGrid\n"
	"  check LAB-DIR ANSWER.yaml             a lab's answers against the model (labs/N); exit 1 if one fails\n"
	"  lab make LAB-DIR --student ID -o DIR  a student's variant of a lab: handout and answer template\n"
	"  replay --arch A [--machine M] [TRACE|-]  a valgrind trace (program + system calls) under A\n"
	"  cachesim [--machine M | --I1 ..] TRACE  a valgrind trace through caches, as cachegrind\n"
	"  virtcheck ISA.yaml                    Popek-Goldberg check of an instruction set (configs/isa/)\n"
	"  faults CONFIG.yaml [-o DIR] [--quiet] an extension under faults in each placement\n"
	"\n"
	"`osarch COMMAND --help` describes a command.\n";

static int dispatch(int argc, char **argv);

// A failed write to standard output (a full disk, /dev/full, a closed pipe)
// must not end in exit 0: every command's output goes through stdout, so it
// is checked once here, after the command.
int main(int argc, char **argv)
{
	return cli_finish(dispatch(argc, argv));
}

static int dispatch(int argc, char **argv)
{
	if (argc < 2)
		return cli_bad_usage(usage_main, "%s", "missing COMMAND");
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		fputs(usage_main, stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version")) {
		printf("osarch %s\n", OSARCH_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "merge"))
		return cmd_merge(argc - 1, argv + 1);
	if (!strcmp(cmd, "trace"))
		return cmd_trace(argc - 1, argv + 1);
	if (!strcmp(cmd, "list"))
		return cmd_list(argc - 1, argv + 1);
	if (!strcmp(cmd, "diff"))
		return cmd_diff(argc - 1, argv + 1);
	if (!strcmp(cmd, "validate"))
		return cmd_validate(argc - 1, argv + 1);
	// Programs of their own, so that no other command loads SimGrid or PAPI.
	if (!strcmp(cmd, "calibrate"))
		return cli_exec_sibling("osarch-calibrate", "PAPI", "libpapi-dev", "papi-devel", argc - 1, argv + 1);
	if (!strcmp(cmd, "scale"))
		return cli_exec_sibling("osarch-scale", "SimGrid", "libsimgrid-dev", "simgrid-devel where packaged, or SimGrid from source", argc - 1, argv + 1);
	if (!strcmp(cmd, "check"))
		return cmd_check(argc - 1, argv + 1);
	if (!strcmp(cmd, "lab"))
		return cmd_lab(argc - 1, argv + 1);
	if (!strcmp(cmd, "report"))
		return cmd_report(argc - 1, argv + 1);
	if (!strcmp(cmd, "replay"))
		return cmd_replay(argc - 1, argv + 1);
	if (!strcmp(cmd, "cachesim"))
		return cmd_cachesim(argc - 1, argv + 1);
	if (!strcmp(cmd, "virtcheck"))
		return virtcheck_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "faults"))
		return faults_main(argc - 1, argv + 1);
	return cli_bad_usage(usage_main, "unknown command '%s'", cmd);
}
