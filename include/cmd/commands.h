// commands.h: the entry points of the commands that have no header of their
// own, one file each in src/cmd/ (argv[0] is the command's name; each
// answers --help). Every command returns its exit status: 0, 2 on bad input
// or usage, 1 on an internal failure (some use 1 for "a check failed").
#ifndef OSARCH_COMMANDS_H
#define OSARCH_COMMANDS_H

// `osarch run CONFIG.yaml` (run.c).
int cmd_run(int argc, char **argv);
// `osarch merge CONFIG.yaml SHARD-DIR...` (merge.c).
int cmd_merge(int argc, char **argv);
// `osarch trace --arch A WORKLOAD` (trace.c).
int cmd_trace(int argc, char **argv);
// `osarch list [archs|workloads|machines]` (list.c).
int cmd_list(int argc, char **argv);
// `osarch validate [FILE]` (validate.c).
int cmd_validate(int argc, char **argv);
// `osarch check LABDIR ANSWER.yaml | --print-solution` (check/check.c).
int cmd_check(int argc, char **argv);
// `osarch lab make LABDIR --student ID -o DIR` (labmake.c).
int cmd_lab(int argc, char **argv);

#endif
