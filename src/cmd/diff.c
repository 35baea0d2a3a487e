// diff.c: `osarch diff DIR_A DIR_B`: what moved between two runs.
//
// A point is keyed by every non-metric column (arch, workload, machine and
// the swept parameters); every other column is a metric. For each point in
// both runs and each metric, the change in percent; changes beyond the
// threshold are listed and make the exit status 1 (usable in CI to catch
// model drift). With --baseline ARCH each metric is first divided by the
// same point's value under ARCH in the same run, so what is compared is
// "how much dearer than ARCH", not the raw figure.
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "diff.h"
#include "experiment.h"

#define MAX_COLS 96
#define DIFF_MAX_CSV (256u << 20) // a results.csv of MAX_POINTS rows is about 40 MB

struct table {
	int ncols;
	char *cols[MAX_COLS];
	int is_key[MAX_COLS];
	long nrows;
	char ***cell; // cell[row][col]
};

static void table_free(struct table *t)
{
	for (long r = 0; r < t->nrows; r++) {
		for (int c = 0; c < t->ncols; c++)
			free(t->cell[r][c]);
		free(t->cell[r]);
	}
	free(t->cell);
	for (int c = 0; c < t->ncols; c++)
		free(t->cols[c]);
	memset(t, 0, sizeof *t);
}

// Splits a CSV line (RFC 4180 quoting) at its line end; -1 on bad quoting
// or more than max fields.
static int split(char *line, char **out, int max)
{
	line[strcspn(line, "\r\n")] = 0;
	int n = csv_split(line, out, max);
	return n > max ? -1 : n;
}

// The metrics are the contract columns after `machine` and the extras; the
// swept parameters sit between footprint_d_lines and io_wait_usec.
static int key_column(const char *name, int after_fp, int before_extra)
{
	if (!strcmp(name, "arch") || !strcmp(name, "workload") || !strcmp(name, "machine"))
		return 1;
	return after_fp && before_extra;
}

static int table_load(struct table *t, const char *dir, char *err, size_t errlen)
{
	memset(t, 0, sizeof *t);
	if (resultset_check(dir, err, errlen))
		return -1;
	char *path = path_join(dir, "results.csv");
	if (!path) {
		snprintf(err, errlen, "%s:1:1: error: %s", dir, strerror(errno));
		return -1;
	}
	struct cfg_error e1;
	size_t len;
	char *text = cfg_read_file(path, DIFF_MAX_CSV, &len, &e1);
	FILE *f = !text ? NULL : len ? fmemopen(text, len, "r") : fopen("/dev/null", "r");
	if (!f) {
		if (text)
			snprintf(err, errlen, "osarch: out of memory");
		else
			snprintf(err, errlen, "%s (expected the output folder of osarch run)", e1.msg);
		free(text);
		free(path);
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	char *fields[MAX_COLS];
	int rc = -1;
	if (getline(&line, &cap, f) <= 0 || (t->ncols = split(line, fields, MAX_COLS)) < 3 ||
	    strcmp(fields[0], "arch")) {
		snprintf(err, errlen, "%s:1:1: error: not an osarch results.csv (expected a header starting with arch)", path);
		t->ncols = 0;
		goto out;
	}
	int after_fp = 0;
	for (int c = 0; c < t->ncols; c++) {
		t->cols[c] = strdup(fields[c]);
		int before_extra = strcmp(fields[c], "io_wait_usec") != 0;
		t->is_key[c] = key_column(fields[c], after_fp, before_extra);
		if (!strcmp(fields[c], "footprint_d_lines"))
			after_fp = 1;
		if (!before_extra)
			after_fp = 0;
	}
	long lineno = 1;
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		int n = split(line, fields, MAX_COLS);
		if (n != t->ncols) {
			snprintf(err, errlen, "%s:%ld:1: error: %d fields (expected %d)", path, lineno, n, t->ncols);
			goto out;
		}
		char ***cell = realloc(t->cell, (size_t)(t->nrows + 1) * sizeof *cell);
		if (!cell)
			goto out;
		t->cell = cell;
		t->cell[t->nrows] = calloc((size_t)t->ncols, sizeof(char *));
		if (!t->cell[t->nrows])
			goto out;
		for (int c = 0; c < n; c++)
			t->cell[t->nrows][c] = strdup(fields[c]);
		t->nrows++;
	}
	rc = 0;
out:
	free(line);
	fclose(f);
	free(text);
	free(path);
	if (rc)
		table_free(t);
	return rc;
}

static int col_of(const struct table *t, const char *name)
{
	for (int c = 0; c < t->ncols; c++)
		if (!strcmp(t->cols[c], name))
			return c;
	return -1;
}

// The row of t with the same key as row r of u (key columns by name);
// `arch_override` replaces the arch (for --baseline), NULL keeps it.
static long find_row(const struct table *t, const struct table *u, long r, const char *arch_override)
{
	for (long i = 0; i < t->nrows; i++) {
		int match = 1;
		for (int c = 0; c < u->ncols && match; c++) {
			if (!u->is_key[c])
				continue;
			// A swept parameter only one run has is not part of the match:
			// a run with `l1d.size: [16K]` compares with one without the sweep.
			int tc = col_of(t, u->cols[c]);
			const char *want = (arch_override && !strcmp(u->cols[c], "arch")) ? arch_override : u->cell[r][c];
			match = tc < 0 || !strcmp(t->cell[i][tc], want);
		}
		if (match)
			return i;
	}
	return -1;
}

static void key_text(const struct table *t, long r, char *out, size_t n)
{
	out[0] = 0;
	for (int c = 0; c < t->ncols; c++)
		if (t->is_key[c]) {
			size_t len = strlen(out);
			snprintf(out + len, n - len, "%s%s", len ? " " : "", t->cell[r][c]);
		}
}

// The value compared for metric column c of row r: raw, or relative to the
// baseline architecture's row. Returns 0, or -1 when it has none.
static int value_of(const struct table *t, long r, int c, const char *baseline, double *v)
{
	*v = atof(t->cell[r][c]);
	if (!baseline)
		return 0;
	long b = find_row(t, t, r, baseline);
	if (b < 0)
		return -1;
	double base = atof(t->cell[b][c]);
	if (base == 0)
		return -1;
	*v /= base;
	return 0;
}

int runs_diff(FILE *out, const char *dir_a, const char *dir_b, const char *baseline, double threshold,
	      char *err, size_t errlen)
{
	struct table a, b;
	if (table_load(&a, dir_a, err, errlen))
		return 2;
	if (table_load(&b, dir_b, err, errlen)) {
		table_free(&a);
		return 2;
	}
	long moved = 0, compared = 0;
	char key[512];
	for (long r = 0; r < a.nrows; r++) {
		long s = find_row(&b, &a, r, NULL);
		key_text(&a, r, key, sizeof key);
		if (s < 0) {
			fprintf(out, "%s: only in %s\n", key, dir_a);
			moved++;
			continue;
		}
		for (int c = 0; c < a.ncols; c++) {
			int bc = col_of(&b, a.cols[c]);
			if (a.is_key[c] || bc < 0 || !strcmp(a.cols[c], "reps"))
				continue;
			double va, vb;
			if (value_of(&a, r, c, baseline, &va) || value_of(&b, s, bc, baseline, &vb))
				continue;
			compared++;
			if (va == vb)
				continue;
			double pct = va != 0 ? (vb - va) / fabs(va) * 100 : INFINITY;
			if (fabs(pct) <= threshold)
				continue;
			moved++;
			fprintf(out, "%s %s%s: %.6g -> %.6g (%+.1f%%)\n", key, a.cols[c], baseline ? " (vs baseline)" : "",
				va, vb, pct);
		}
	}
	for (long s = 0; s < b.nrows; s++)
		if (find_row(&a, &b, s, NULL) < 0) {
			key_text(&b, s, key, sizeof key);
			fprintf(out, "%s: only in %s\n", key, dir_b);
			moved++;
		}
	fprintf(out, "%ld value(s) compared, %ld moved beyond %.3g%%\n", compared, moved, threshold);
	table_free(&a);
	table_free(&b);
	return moved ? 1 : 0;
}

static const char usage_diff[] =
	"usage: osarch diff DIR_A DIR_B [--baseline ARCH] [--threshold PCT]\n"
	"\n"
	"Compares two output folders of osarch run point by point (a point is its\n"
	"arch, workload, machine and swept parameters) and lists every metric that\n"
	"changed by more than PCT percent (default 1). With --baseline ARCH each\n"
	"metric is first divided by the same point's value under ARCH in its own run.\n"
	"Exit 0 when nothing moved, 1 when something did, 2 on bad input.\n";

int cmd_diff(int argc, char **argv)
{
	const char *dirs[2] = {NULL, NULL}, *baseline = NULL;
	double threshold = 1;
	int nd = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage_diff, stdout);
			return 0;
		}
		if (!strcmp(a, "--baseline") || !strcmp(a, "--threshold")) {
			if (++i >= argc) {
				fprintf(stderr, "osarch: %s needs a value\n%s", a, usage_diff);
				return 2;
			}
			if (a[2] == 'b') {
				baseline = argv[i];
			} else {
				char *end;
				threshold = strtod(argv[i], &end);
				if (*end || threshold < 0) {
					fprintf(stderr, "osarch: bad threshold '%s' (expected a percentage >= 0)\n", argv[i]);
					return 2;
				}
			}
		} else if (a[0] == '-' || nd == 2) {
			fprintf(stderr, "osarch: unexpected '%s'\n%s", a, usage_diff);
			return 2;
		} else {
			dirs[nd++] = a;
		}
	}
	if (nd != 2) {
		fprintf(stderr, "osarch: expected two output folders\n%s", usage_diff);
		return 2;
	}
	char err[600];
	int rc = runs_diff(stdout, dirs[0], dirs[1], baseline, threshold, err, sizeof err);
	if (rc == 2)
		fprintf(stderr, "%s\n", err);
	return rc;
}
