// reportshared.h: what the files of `osarch report` (src/cmd/report/) share
// and nothing else includes.
#ifndef OSARCH_REPORTSHARED_H
#define OSARCH_REPORTSHARED_H

#include <stdio.h>
#include "report.h"
#include "validation.h"

#define DIR_MAX 1024   // characters inside one {{ }}
#define ARG_MAX 12     // arguments of one directive
#define COND_MAX 16    // conditions of one WHERE
#define COLS_MAX 32    // columns of one table
#define ERR_FAIL -1    // a template or data error: err is set
#define ERR_INTERNAL -2
#define REPORT_MAX_CSV (256u << 20) // a results.csv of MAX_POINTS rows is about 40 MB

// A result CSV read whole and split in place.
struct csv {
	char *path;
	char *text;   // the file, split in place: cell[] point into it
	char **cell;  // (nrow + 1) x ncol; row 0 is the header
	int ncol, nrow;
};

// One argument of a directive: KEY=VALUE or a plain word, at its column.
struct arg {
	const char *key; // NULL for a plain word
	const char *val;
	int col;
};

// One {{ NAME ARG... }} of the template, parsed.
struct directive {
	char buf[2 * DIR_MAX];
	const char *name;
	const char *rest; // the raw text after the name (a plot's caption)
	struct arg arg[ARG_MAX];
	int narg;
	int col; // of "{{" (the line is the report's)
};

struct report;

// A directive's kind: its name, the arguments it takes, what runs it.
struct dspec {
	const char *name;
	int words;          // plain words expected (the CSV path): 0 or 1
	const char *keys;   // accepted keys, blank-separated
	const char *need;   // required keys
	int raw;            // arguments are not parsed (plot)
	int (*run)(struct report *r, const struct directive *d);
};

// One expansion of a template: where it writes, its line, what it has read.
struct report {
	const char *tpl;         // the template's name, for messages
	FILE *out;
	struct cfg_error *err;
	int line;                // the template line being expanded
	struct csv *csv;         // every CSV read so far: each is read once
	int ncsv;
	struct validation v;     // the validation, run on first use
	struct vresult *vres;
	char vpath[512];
};

// A WHERE: column = value conditions, all of which a row must meet.
struct where {
	int col[COND_MAX];
	const char *val[COND_MAX];
	char buf[DIR_MAX];
	int n;
};

// report.c: a directive's arguments (by key, the plain word, a key's column),
// an error at a column of the template line naming the directive.
const char *report_arg_get(const struct directive *d, const char *key);
const struct arg *report_arg_word(const struct directive *d);
int report_arg_col(const struct directive *d, const char *key);
int report_derr(struct report *r, const struct directive *d, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int report_is_ident_char(char c);

// reportblocks.c: the directives that write (the dspec table's run).
int report_run_pivot(struct report *r, const struct directive *d);
int report_run_plot(struct report *r, const struct directive *d);
int report_run_ratio(struct report *r, const struct directive *d);
int report_run_table(struct report *r, const struct directive *d);
int report_run_validate(struct report *r, const struct directive *d);
int report_run_value(struct report *r, const struct directive *d);

// reportdata.c: result CSVs (read once, checked against their manifest),
// their cells and columns, numbers, WHERE conditions and the rows they pick.
const char *report_csv_at(const struct csv *c, int row, int col);
int report_csv_col(const struct csv *c, const char *name);
int report_get_csv(struct report *r, const struct directive *d, const struct csv **out);
int report_named_col(struct report *r, const struct directive *d, const struct csv *c, const char *key, int *col);
int report_no_rows(struct report *r, const struct directive *d, const struct csv *c, const char *key);
int report_one_row(struct report *r, const struct directive *d, const struct csv *c, const char *key, int *row);
int report_parse_number(const char *s, double *x);
int report_parse_where(struct report *r, const struct directive *d, const struct csv *c, const char *key, struct where *w);
int report_row_matches(const struct csv *c, int row, const struct where *w);
void report_cell_text(char *buf, size_t n, const char *s);
void report_csv_free(struct csv *c);
void report_put_cell(FILE *f, const char *s);

#endif
