// report.h: `osarch report`, a Markdown template filled from result CSVs
// (the directives are described at the top of src/cmd/report/report.c).
#ifndef OSARCH_REPORT_H
#define OSARCH_REPORT_H

#include <stdio.h>
#include "yamlcfg.h"

#define REPORT_TEMPLATE "docs/report.md.in"
#define REPORT_OUTPUT "REPORT.md"

// Expands the template read from `in` (called `name` in messages) onto `out`.
// Paths in directives are relative to the current directory. Returns 0; 2
// on an error in the template or its data (err->msg is
// "name:line:col: error: {{directive}}: ..."); 1 on an internal failure
// (out of memory). `out` may hold part of the report after an error: write
// it somewhere temporary.
int report_expand(FILE *in, const char *name, FILE *out, struct cfg_error *err);

// Compact form of a number for prose: an integer as an integer, anything
// else to 3 significant digits without an exponent ("0.05", "2.93", "1235").
void report_format_number(char *buf, size_t n, double x);
// A ratio: as report_format_number, with the decimals a value near a whole
// number needs to show that it is not one (1.0035 -> "1.004").
void report_format_ratio(char *buf, size_t n, double x);
// Slips in a generated report (Markdown): "NaN", "nan", "inf" as a word,
// an empty table cell, and a figure ![..](path) whose file does not exist
// under dir. Writes one line per slip ("REPORT.md:LINE: ...") to out (may be
// NULL) and returns their count.
int report_lint(const char *text, const char *name, const char *dir, FILE *out);

// `osarch report [--template FILE] [-o FILE|-]`: argv[0] is "report".
// Exit status: 0, 2 on bad usage or a template/data error, 1 on an internal
// failure. Nothing is written unless the whole report expands.
int cmd_report(int argc, char **argv);

#endif
