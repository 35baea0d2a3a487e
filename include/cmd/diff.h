// diff.h: comparing two runs (`osarch diff`).
#ifndef OSARCH_DIFF_H
#define OSARCH_DIFF_H

#include <stdio.h>

// Compares DIR_A/results.csv with DIR_B/results.csv point by point; lists
// every metric that changed by more than threshold percent (relative to the
// same point under `baseline` when not NULL). Returns 0 when nothing moved,
// 1 when something did, 2 on bad input (err set).
int runs_diff(FILE *out, const char *dir_a, const char *dir_b, const char *baseline, double threshold,
	      char *err, size_t errlen);

int cmd_diff(int argc, char **argv); // the CLI: osarch diff ...

#endif
