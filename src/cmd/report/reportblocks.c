// reportblocks.c: the directives of `osarch report` that write something:
// table, pivot, value, ratio, validate (the published checks) and plot.
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "experiment.h"
#include "report.h"
#include "validation.h"
#include "reportshared.h"

static int number_at(struct report *r, const struct directive *d, const struct csv *c, int row, int col,
		     const char *key, double *x);

// ---------------------------------------------------------------- table, pivot

// Header and alignment row; right-aligned where num[j].
static void table_head(FILE *f, const char *const *name, const int *num, int n)
{
	for (int j = 0; j < n; j++)
		report_put_cell(f, name[j]);
	fputs("|\n", f);
	for (int j = 0; j < n; j++)
		fputs(num[j] ? "|---:" : "|---", f);
	fputs("|\n", f);
}


int report_run_table(struct report *r, const struct directive *d)
{
	const struct csv *c;
	struct where w;
	int rc = report_get_csv(r, d, &c);
	if (rc || (rc = report_parse_where(r, d, c, "where", &w)))
		return rc;
	char names[DIR_MAX];
	const char *name[COLS_MAX];
	int col[COLS_MAX], num[COLS_MAX], n = 0;
	snprintf(names, sizeof names, "%s", report_arg_get(d, "cols"));
	for (char *s = strtok(names, ","); s; s = strtok(NULL, ",")) {
		if (n == COLS_MAX)
			return report_derr(r, d, report_arg_col(d, "cols"), "more than %d columns", COLS_MAX);
		name[n] = s;
		col[n] = report_csv_col(c, s);
		if (col[n] < 0)
			return report_derr(r, d, report_arg_col(d, "cols"), "no column '%s' in %s", s, c->path);
		num[n++] = 1;
	}
	int rows = 0;
	for (int i = 0; i < c->nrow; i++) {
		if (!report_row_matches(c, i, &w))
			continue;
		rows++;
		for (int j = 0; j < n; j++) {
			double x;
			num[j] &= report_parse_number(report_csv_at(c, i, col[j]), &x);
		}
	}
	if (!rows)
		return report_no_rows(r, d, c, "where");
	// ratio=COL base=WHERE: one more column, COL of each row over COL of the
	// one base row, headed by the baseline's name (basename=, else WHERE).
	int rcol = -1, brow = -1;
	double bval = 0;
	char rhead[DIR_MAX];
	if (report_arg_get(d, "ratio")) {
		if (!report_arg_get(d, "base"))
			return report_derr(r, d, report_arg_col(d, "ratio"), "ratio= needs base=WHERE (the row every row is divided by)");
		if (n == COLS_MAX)
			return report_derr(r, d, report_arg_col(d, "cols"), "more than %d columns", COLS_MAX);
		if ((rc = report_named_col(r, d, c, "ratio", &rcol)) || (rc = report_one_row(r, d, c, "base", &brow)) ||
		    (rc = number_at(r, d, c, brow, rcol, "base", &bval)))
			return rc;
		if (bval == 0)
			return report_derr(r, d, report_arg_col(d, "base"), "%s of the row base=%s is 0", c->cell[rcol], report_arg_get(d, "base"));
		snprintf(rhead, sizeof rhead, "%s ÷ %s", c->cell[rcol],
			 report_arg_get(d, "basename") ? report_arg_get(d, "basename") : report_arg_get(d, "base"));
		name[n] = rhead;
		num[n] = 1;
	}
	table_head(r->out, name, num, n + (rcol >= 0));
	for (int i = 0; i < c->nrow; i++) {
		if (!report_row_matches(c, i, &w))
			continue;
		for (int j = 0; j < n; j++) {
			char cell[256];
			report_cell_text(cell, sizeof cell, report_csv_at(c, i, col[j]));
			report_put_cell(r->out, cell);
		}
		if (rcol >= 0) {
			double x;
			char cell[256];
			if ((rc = number_at(r, d, c, i, rcol, "ratio", &x)))
				return rc;
			report_format_ratio(cell, sizeof cell - 4, x / bval);
			strcat(cell, "×");
			report_put_cell(r->out, cell);
		}
		fputs("|\n", r->out);
	}
	return 0;
}

// Index of s in v[0..*n), appending it when new.
static int intern(const char **v, int *n, const char *s)
{
	for (int i = 0; i < *n; i++)
		if (!strcmp(v[i], s))
			return i;
	v[*n] = s;
	return (*n)++;
}

struct pivot {
	const char **rk, **ck; // row and column keys
	const char **cell;     // nr x nc (NULL: missing)
	double *den;           // per row, with norm=: the cell each row is divided by
	int nr, nc;
};

static const char *pivot_at(const struct pivot *p, int i, int j)
{
	return p->cell[(size_t)i * (size_t)p->nc + (size_t)j];
}

// With norm=VALUE: each row is divided by its cell in column VALUE, which
// must be a non-zero number, as must every cell of the matrix.
static int pivot_norm(struct report *r, const struct directive *d, struct pivot *p)
{
	const char *norm = report_arg_get(d, "norm");
	if (!norm)
		return 0;
	int k = 0, col = report_arg_col(d, "norm");
	while (k < p->nc && strcmp(p->ck[k], norm))
		k++;
	if (k == p->nc)
		return report_derr(r, d, col, "no %s=%s among the matching rows", report_arg_get(d, "col"), norm);
	p->den = malloc(sizeof *p->den * (size_t)p->nr);
	if (!p->den)
		return ERR_INTERNAL;
	for (int i = 0; i < p->nr; i++) {
		double x;
		const char *v = pivot_at(p, i, k);
		if (!v || !report_parse_number(v, &p->den[i]) || p->den[i] == 0)
			return report_derr(r, d, col, "%s=%s: the cell of %s=%s is %s, not a non-zero number", report_arg_get(d, "col"),
				    norm, report_arg_get(d, "row"), p->rk[i], v ? v : "missing");
		for (int j = 0; j < p->nc; j++)
			if (pivot_at(p, i, j) && !report_parse_number(pivot_at(p, i, j), &x))
				return report_derr(r, d, col, "the cell %s=%s, %s=%s is '%s', not a number", report_arg_get(d, "row"),
					    p->rk[i], report_arg_get(d, "col"), p->ck[j], pivot_at(p, i, j));
	}
	return 0;
}

// One cell as written: "—" when missing, a ratio "2.93×" under norm=.
static void pivot_cell(char *buf, size_t n, const struct pivot *p, int i, int j)
{
	const char *v = pivot_at(p, i, j);
	double x;
	if (!v) {
		snprintf(buf, n, "—");
	} else if (p->den && report_parse_number(v, &x)) {
		report_format_ratio(buf, n, x / p->den[i]);
		strncat(buf, "×", n - strlen(buf) - 1);
	} else {
		report_cell_text(buf, n, v);
	}
}

// A column's header: its value, or with colname=NAME "NAME VALUE" (a
// boolean: "NAME off" / "NAME on"), so that no raw "false | true" heads a table.
static void col_head(char *buf, size_t n, const char *colname, const char *unit, const char *v)
{
	if (unit)
		snprintf(buf, n, "%s %s", v, unit);
	else if (!colname)
		snprintf(buf, n, "%s", v);
	else if (!strcmp(v, "false") || !strcmp(v, "true"))
		snprintf(buf, n, "%s %s", colname, v[0] == 't' ? "on" : "off");
	else
		snprintf(buf, n, "%s %s", colname, v);
}

static void pivot_print(FILE *f, const struct pivot *p, const char *corner, const char *colname, const char *unit)
{
	report_put_cell(f, corner);
	for (int j = 0; j < p->nc; j++) {
		char head[256];
		col_head(head, sizeof head, colname, unit, p->ck[j]);
		report_put_cell(f, head);
	}
	fputs("|\n|---", f);
	for (int j = 0; j < p->nc; j++)
		fputs("|---:", f);
	fputs("|\n", f);
	for (int i = 0; i < p->nr; i++) {
		report_put_cell(f, p->rk[i]);
		for (int j = 0; j < p->nc; j++) {
			char cell[256];
			pivot_cell(cell, sizeof cell, p, i, j);
			report_put_cell(f, cell);
		}
		fputs("|\n", f);
	}
}

int report_run_pivot(struct report *r, const struct directive *d)
{
	const struct csv *c;
	struct where w;
	int rc = report_get_csv(r, d, &c), rcol, ccol, vcol;
	if (rc || (rc = report_parse_where(r, d, c, "where", &w)) || (rc = report_named_col(r, d, c, "row", &rcol)) ||
	    (rc = report_named_col(r, d, c, "col", &ccol)) || (rc = report_named_col(r, d, c, "value", &vcol)))
		return rc;
	size_t m = (size_t)c->nrow + 1;
	struct pivot p = {malloc(sizeof *p.rk * m), malloc(sizeof *p.ck * m), NULL, NULL, 0, 0};
	rc = ERR_INTERNAL;
	if (!p.rk || !p.ck)
		goto out;
	for (int i = 0; i < c->nrow; i++)
		if (report_row_matches(c, i, &w)) {
			intern(p.rk, &p.nr, report_csv_at(c, i, rcol));
			intern(p.ck, &p.nc, report_csv_at(c, i, ccol));
		}
	if (!p.nr) {
		rc = report_no_rows(r, d, c, "where");
		goto out;
	}
	p.cell = calloc((size_t)p.nr * (size_t)p.nc, sizeof *p.cell);
	if (!p.cell)
		goto out;
	for (int i = 0; i < c->nrow; i++) {
		if (!report_row_matches(c, i, &w))
			continue;
		int a = intern(p.rk, &p.nr, report_csv_at(c, i, rcol)), b = intern(p.ck, &p.nc, report_csv_at(c, i, ccol));
		const char **cell = &p.cell[(size_t)a * (size_t)p.nc + (size_t)b];
		if (*cell) {
			rc = report_derr(r, d, d->col, "two rows of %s have %s=%s, %s=%s (narrow it with where=)", c->path,
				  report_arg_get(d, "row"), p.rk[a], report_arg_get(d, "col"), p.ck[b]);
			goto out;
		}
		*cell = report_csv_at(c, i, vcol);
	}
	if (!(rc = pivot_norm(r, d, &p)))
		pivot_print(r->out, &p, report_arg_get(d, "label") ? report_arg_get(d, "label") : report_arg_get(d, "row"),
			    report_arg_get(d, "colname"), report_arg_get(d, "colunit"));
out:
	free(p.den);
	free(p.rk);
	free(p.ck);
	free(p.cell);
	return rc;
}

// ---------------------------------------------------------------- value, ratio

// The number in column `col` of row; an error if it is not one.
static int number_at(struct report *r, const struct directive *d, const struct csv *c, int row, int col,
		     const char *key, double *x)
{
	if (report_parse_number(report_csv_at(c, row, col), x))
		return 0;
	return report_derr(r, d, report_arg_col(d, key), "%s of the row %s=%s is '%s', not a number", c->cell[col], key,
		    report_arg_get(d, key), report_csv_at(c, row, col));
}

int report_run_value(struct report *r, const struct directive *d)
{
	const struct csv *c;
	int col, row;
	int rc = report_get_csv(r, d, &c);
	if (rc || (rc = report_named_col(r, d, c, "col", &col)) || (rc = report_one_row(r, d, c, "where", &row)))
		return rc;
	char cell[256];
	report_cell_text(cell, sizeof cell, report_csv_at(c, row, col));
	fputs(cell, r->out);
	return 0;
}

int report_run_ratio(struct report *r, const struct directive *d)
{
	const struct csv *c;
	int col, num, den;
	double a, b;
	int rc = report_get_csv(r, d, &c);
	if (rc || (rc = report_named_col(r, d, c, "col", &col)) || (rc = report_one_row(r, d, c, "num", &num)) ||
	    (rc = report_one_row(r, d, c, "den", &den)) || (rc = number_at(r, d, c, num, col, "num", &a)) ||
	    (rc = number_at(r, d, c, den, col, "den", &b)))
		return rc;
	if (b == 0)
		return report_derr(r, d, report_arg_col(d, "den"), "%s of the row den=%s is 0", c->cell[col], report_arg_get(d, "den"));
	char buf[64];
	report_format_ratio(buf, sizeof buf, a / b);
	fprintf(r->out, "%s×", buf);
	return 0;
}

// ---------------------------------------------------------------- validate

// Loads and runs the validation file once per report.
static int get_validation(struct report *r, const struct directive *d)
{
	const char *path = report_arg_get(d, "file");
	if (!path)
		path = "configs/validation.yaml";
	if (r->vres && !strcmp(r->vpath, path))
		return 0;
	free(r->vres);
	r->vres = NULL;
	validation_free(&r->v);
	struct cfg_error e;
	if (validation_load(&r->v, path, &e))
		return report_derr(r, d, report_arg_col(d, "file"), "%s", e.msg);
	snprintf(r->vpath, sizeof r->vpath, "%s", path);
	r->vres = calloc((size_t)r->v.n + 1, sizeof *r->vres);
	if (!r->vres)
		return ERR_INTERNAL;
	if (validation_run(&r->v, r->vres, &e)) {
		free(r->vres);
		r->vres = NULL;
		return report_derr(r, d, d->col, "%s", e.msg);
	}
	return 0;
}

// How far a check is from its publication: |log factor| (a factor of 0,
// nothing simulated, is as far as it gets).
static double distance(const struct vresult *v)
{
	return v->factor > 0 ? fabs(log(v->factor)) : HUGE_VAL;
}

// The units of validate.c's metrics, in its order (cycles, usec, mcpi_i,
// mcpi_d, cycles_event, instructions).
static const char *unit_of(int metric)
{
	static const char *const u[] = {" cycles", " µs", " MCPI", " MCPI", " cycles", " instructions"};
	return metric >= 0 && metric < (int)(sizeof u / sizeof u[0]) ? u[metric] : "";
}

static void worst_item(FILE *f, const struct vcheck *c, const struct vresult *v)
{
	char pa[32], sa[32], fa[32];
	report_format_number(fa, sizeof fa, v->factor);
	if (c->has_b) {
		report_format_number(pa, sizeof pa, v->pub_ratio);
		report_format_number(sa, sizeof sa, v->sim_ratio);
		fprintf(f, "- **%s** on %s: published ratio %s, simulated %s, factor %s\n", c->name, c->machine, pa, sa,
			fa);
	} else {
		report_format_number(pa, sizeof pa, c->a.published);
		report_format_number(sa, sizeof sa, v->sim_a);
		fprintf(f, "- **%s** on %s: published %s%s, simulated %s%s, factor %s\n", c->name, c->machine, pa,
			unit_of(c->metric), sa, unit_of(c->metric), fa);
	}
}

static int run_worst(struct report *r, const struct directive *d)
{
	char *end;
	long n = strtol(report_arg_get(d, "worst"), &end, 10);
	if (*end || n < 1 || n > r->v.n)
		return report_derr(r, d, report_arg_col(d, "worst"), "worst=%s is not a count from 1 to %d", report_arg_get(d, "worst"),
			    r->v.n);
	char *done = calloc((size_t)r->v.n, 1);
	if (!done)
		return ERR_INTERNAL;
	for (long k = 0; k < n; k++) {
		int best = -1;
		for (int i = 0; i < r->v.n; i++)
			if (!done[i] && !validation_is_input(&r->v.checks[i]) &&
			    (best < 0 || distance(&r->vres[i]) > distance(&r->vres[best])))
				best = i;
		if (best < 0)
			break;
		done[best] = 1;
		worst_item(r->out, &r->v.checks[best], &r->vres[best]);
	}
	free(done);
	return 0;
}

static int run_check(struct report *r, const struct directive *d)
{
	static const char fields[] =
		"published published_b simulated simulated_b published_ratio simulated_ratio factor";
	const char *name = report_arg_get(d, "check"), *field = report_arg_get(d, "field");
	if (!field)
		return report_derr(r, d, d->col, "missing field= (one of: %s)", fields);
	int i = 0;
	while (i < r->v.n && strcmp(r->v.checks[i].name, name))
		i++;
	if (i == r->v.n)
		return report_derr(r, d, report_arg_col(d, "check"), "no check named '%s' in %s", name, r->vpath);
	const struct vcheck *c = &r->v.checks[i];
	const struct vresult *v = &r->vres[i];
	const double x[] = {c->a.published, c->b.published, v->sim_a, v->sim_b, v->pub_ratio, v->sim_ratio, v->factor};
	for (int k = 0, at = 0; fields[at]; k++) {
		size_t l = strcspn(fields + at, " ");
		if (strlen(field) == l && !strncmp(fields + at, field, l)) {
			if (!c->has_b && k != 0 && k != 2 && k != 6)
				return report_derr(r, d, report_arg_col(d, "field"), "check '%s' has one figure, no %s", name, field);
			char buf[64];
			report_format_number(buf, sizeof buf, x[k]);
			fputs(buf, r->out);
			return 0;
		}
		at += (int)l + (fields[at + l] == ' ');
	}
	return report_derr(r, d, report_arg_col(d, "field"), "unknown field '%s' (expected one of: %s)", field, fields);
}

static int run_count(struct report *r, const struct directive *d)
{
	const char *what = report_arg_get(d, "count");
	struct vsummary s;
	validation_summarize(&r->v, r->vres, &s);
	int n[9] = {r->v.n, 0, 0, 0, s.scored, s.inputs, s.within, s.misses, s.papers};
	for (int i = 0; i < r->v.n; i++) {
		n[1] += r->v.checks[i].has_b;
		n[2] += r->v.checks[i].has_b && r->vres[i].agrees;
		n[3] += r->v.checks[i].has_b && !r->vres[i].agrees;
	}
	static const char *const names[] = {"checks", "ratio-checks", "agreeing", "disagreeing", "scored",
					    "inputs", "within", "misses", "papers"};
	for (int k = 0; k < 9; k++)
		if (!strcmp(what, names[k])) {
			fprintf(r->out, "%d", n[k]);
			return 0;
		}
	return report_derr(r, d, report_arg_col(d, "count"),
		    "unknown count '%s' (expected checks, ratio-checks, agreeing, disagreeing, scored, inputs, within, "
		    "misses or papers)",
		    what);
}

// show=summary: the summary line, inline; show=misses: each miss and its cause.
static int run_show(struct report *r, const struct directive *d)
{
	const char *what = report_arg_get(d, "show");
	if (!strcmp(what, "summary")) {
		struct vsummary s;
		char *line;
		size_t len;
		FILE *m = open_memstream(&line, &len);
		if (!m)
			return ERR_INTERNAL;
		validation_summarize(&r->v, r->vres, &s);
		validation_print_summary(m, &r->v, &s);
		fclose(m);
		if (len && line[len - 1] == '\n')
			line[len - 1] = 0;
		fputs(line, r->out);
		free(line);
		return 0;
	}
	if (strcmp(what, "misses"))
		return report_derr(r, d, report_arg_col(d, "show"), "unknown show '%s' (expected summary or misses)", what);
	int any = 0;
	for (int i = 0; i < r->v.n; i++) {
		const struct vcheck *c = &r->v.checks[i];
		const struct vresult *v = &r->vres[i];
		if (validation_is_input(c) || v->passes)
			continue;
		char fa[32];
		report_format_number(fa, sizeof fa, v->factor);
		const char *cause = c->known_miss[0] ? c->known_miss : c->note[0] ? c->note : "no cause written down yet";
		fprintf(r->out, "- **%s** on %s: factor %s, band %g×%s. %s%s.\n", c->name, c->machine, fa, c->band,
			v->agrees ? "" : ", wrong ordering", c->known_miss[0] ? "Cause: " : "Unexplained: ", cause);
		any = 1;
	}
	if (!any)
		fputs("- none: every scored check is within its band.\n", r->out);
	return 0;
}

int report_run_validate(struct report *r, const struct directive *d)
{
	int forms = !!report_arg_get(d, "worst") + !!report_arg_get(d, "check") + !!report_arg_get(d, "count") + !!report_arg_get(d, "show");
	if (forms > 1)
		return report_derr(r, d, d->col, "give one of worst=, check=, count= and show=");
	if (report_arg_get(d, "field") && !report_arg_get(d, "check"))
		return report_derr(r, d, report_arg_col(d, "field"), "field= goes with check=");
	int rc = get_validation(r, d);
	if (rc)
		return rc;
	if (report_arg_get(d, "worst"))
		return run_worst(r, d);
	if (report_arg_get(d, "check"))
		return run_check(r, d);
	if (report_arg_get(d, "count"))
		return run_count(r, d);
	if (report_arg_get(d, "show"))
		return run_show(r, d);
	validation_print(r->out, &r->v, r->vres, 1);
	return 0;
}

// ---------------------------------------------------------------- plot

int report_run_plot(struct report *r, const struct directive *d)
{
	const char *name = d->rest;
	size_t l = 0;
	while (report_is_ident_char(name[l]) || name[l] == '.')
		l++;
	if (!l || (name[l] && name[l] != ' ' && name[l] != '\t'))
		return report_derr(r, d, d->col, "expected {{plot NAME CAPTION}} with NAME of letters, digits, '.', '_', '-'");
	const char *caption = name + l;
	while (*caption == ' ' || *caption == '\t')
		caption++;
	if (!*caption)
		return report_derr(r, d, d->col, "missing the caption (expected {{plot NAME CAPTION}})");
	char path[DIR_MAX + 16];
	snprintf(path, sizeof path, "plots/%.*s.svg", (int)l, name);
	struct stat st;
	if (stat(path, &st) == 0)
		fprintf(r->out, "![%s](%s)", caption, path);
	else
		fprintf(r->out, "*Figure not rendered: %s is missing (run `make plots` with gnuplot installed).*", path);
	return 0;
}

