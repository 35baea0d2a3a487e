// check.h: `osarch check`: a lab's answers checked against the model, and
// the course's side of it, Gradescope's results.json and a folder of
// submissions graded (src/cmd/check/). The lab itself: include/core/lab.h.
#ifndef OSARCH_CHECK_H
#define OSARCH_CHECK_H

#include <stdio.h>
#include "lab.h"

// Gradescope's autograder results.json (src/cmd/check/grade.c): one test per question,
// score 1 or 0 of max_score 1; `error` (a bad answer file) gives score 0 and
// the message as the output. Returns 0, or -1 when out of memory or on a
// write error.
int lab_report_gradescope(FILE *out, const struct lab *l, const struct lab_report *rep, const char *error);
// Grades every *.yaml of subdir (the student ID is the file name without
// .yaml) and writes one CSV row per file to csv_path. Returns 0, or 2 with
// err (bad lab or key, unreadable folder; a bad answer file is a row).
int lab_grade_dir(const char *labdir, const char *subdir, const char *key_path, const char *csv_path,
		  struct cfg_error *err);

#endif
