// reportdata.c: the data `osarch report` fills a template from: result CSVs
// read once and checked against their folder's manifest, numbers formatted
// as the template asks, and the rows a WHERE picks.
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

// ---------------------------------------------------------------- CSV files


const char *report_csv_at(const struct csv *c, int row, int col)
{
	return c->cell[(size_t)(row + 1) * (size_t)c->ncol + (size_t)col];
}

int report_csv_col(const struct csv *c, const char *name)
{
	for (int j = 0; j < c->ncol; j++)
		if (!strcmp(c->cell[j], name))
			return j;
	return -1;
}

void report_csv_free(struct csv *c)
{
	free(c->path);
	free(c->text);
	free(c->cell);
	memset(c, 0, sizeof *c);
}



// Cuts text into NUL-terminated lines (dropping "\r" and blank lines);
// returns the number of lines and their starts in *line (malloc'd).
static int split_lines(char *text, size_t len, char ***line, int **lineno)
{
	int cap = 1;
	for (size_t i = 0; i < len; i++)
		cap += text[i] == '\n';
	*line = malloc(sizeof **line * (size_t)cap);
	*lineno = malloc(sizeof **lineno * (size_t)cap);
	if (!*line || !*lineno)
		return -1;
	int n = 0, no = 0;
	for (char *s = text; *s || s == text;) {
		char *e = strchr(s, '\n');
		no++;
		if (e)
			*e = 0;
		size_t l = strlen(s);
		if (l && s[l - 1] == '\r')
			s[--l] = 0;
		if (l) {
			(*lineno)[n] = no;
			(*line)[n++] = s;
		}
		if (!e)
			break;
		s = e + 1;
	}
	return n;
}

// A reader's "FILE:1:1: error: WHAT" as "LEAD FILE: WHAT", for a directive's
// message (which carries the template's location).
static void reword(char *msg, size_t msglen, const char *lead, const char *full, const char *tail)
{
	const char *at = strstr(full, ":1:1: error: ");
	size_t head = at ? (size_t)(at - full) : 0;
	const char *what = at ? at + 13 : full;
	if (*lead && (!strncmp(what, "cannot open: ", 13) || !strncmp(what, "cannot read: ", 13)))
		what += 13;
	int n = snprintf(msg, msglen, "%s%.*s%s", lead, (int)head, full, head ? ": " : "");
	if (n >= 0 && (size_t)n < msglen)
		snprintf(msg + n, msglen - (size_t)n, "%s%s", what, tail);
}

// Loads path into c. Returns 0, or -1 with msg set (a data error), or
// ERR_INTERNAL.
static int csv_load(struct csv *c, const char *path, char *msg, size_t msglen)
{
	memset(c, 0, sizeof *c);
	size_t len = 0;
	struct cfg_error e1;
	// A result set whose files do not match its manifest is refused whole.
	if (resultset_check_file(path, e1.msg, sizeof e1.msg)) {
		reword(msg, msglen, "", e1.msg, "");
		return -1;
	}
	c->text = cfg_read_file(path, REPORT_MAX_CSV, &len, &e1);
	c->path = strdup(path);
	if (!c->text || !c->path) {
		int oom = c->text != NULL;
		if (!c->text)
			reword(msg, msglen, "cannot read ", e1.msg, " (`make report` runs every experiment)");
		report_csv_free(c);
		return oom ? ERR_INTERNAL : -1;
	}
	char **line = NULL;
	int *lineno = NULL;
	int rc = ERR_INTERNAL;
	int nl = split_lines(c->text, len, &line, &lineno);
	if (nl < 0)
		goto out;
	rc = -1;
	if (nl == 0) {
		snprintf(msg, msglen, "%s is empty (expected a header line)", path);
		goto out;
	}
	int max = 1;
	for (const char *s = line[0]; *s; s++)
		max += *s == ',';
	rc = ERR_INTERNAL;
	c->cell = malloc(sizeof *c->cell * (size_t)max * (size_t)nl);
	if (!c->cell)
		goto out;
	rc = -1;
	c->ncol = csv_split(line[0], c->cell, max);
	if (c->ncol < 0) {
		snprintf(msg, msglen, "%s:%d: bad quoting in the header", path, lineno[0]);
		goto out;
	}
	for (int i = 1; i < nl; i++) {
		int n = csv_split(line[i], c->cell + (size_t)i * (size_t)c->ncol, c->ncol);
		if (n != c->ncol) {
			snprintf(msg, msglen, "%s:%d: %s (the header has %d columns)", path, lineno[i],
				 n < 0 ? "bad quoting" : "wrong number of fields", c->ncol);
			goto out;
		}
	}
	c->nrow = nl - 1;
	rc = 0;
out:
	free(line);
	free(lineno);
	if (rc)
		report_csv_free(c);
	return rc;
}


// ---------------------------------------------------------------- numbers

void report_format_number(char *buf, size_t n, double x)
{
	if (x == 0) {
		snprintf(buf, n, "0");
		return;
	}
	if (x == floor(x) && fabs(x) < 1e15) {
		snprintf(buf, n, "%.0f", x);
		return;
	}
	int mag = (int)floor(log10(fabs(x)));
	int dec = mag >= 2 ? 0 : 2 - mag;
	snprintf(buf, n, "%.*f", dec, x);
	if (strchr(buf, '.')) {
		char *e = buf + strlen(buf) - 1;
		while (*e == '0')
			*e-- = 0;
		if (*e == '.')
			*e = 0;
	}
}

void report_format_ratio(char *buf, size_t n, double x)
{
	report_format_number(buf, n, x);
	// 1.0035 must not read "1": as many decimals as it takes (up to 6) for
	// the written figure to differ from the whole number it is close to.
	double shown = strtod(buf, NULL);
	for (int dec = 3; dec <= 6 && x != shown && shown == floor(shown); dec++) {
		snprintf(buf, n, "%.*f", dec, x);
		shown = strtod(buf, NULL);
	}
}

// "nan", "inf", "-inf" as a CSV writes them: a figure that does not exist.
static int is_nonfinite(const char *s)
{
	char *end;
	double x = strtod(s, &end);
	return *s && !*end && !isfinite(x);
}

int report_parse_number(const char *s, double *x)
{
	char *end;
	if (!*s)
		return 0;
	errno = 0;
	*x = strtod(s, &end);
	return !*end && !errno && isfinite(*x);
}

// A cell as it is written in the report: a number compactly, text as it is.
void report_cell_text(char *buf, size_t n, const char *s)
{
	double x;
	if (report_parse_number(s, &x))
		report_format_number(buf, n, x);
	else if (is_nonfinite(s))
		snprintf(buf, n, "—"); // the template says what a missing figure means
	else
		snprintf(buf, n, "%s", s);
}

// Writes s into a Markdown table cell: '|' would end the cell.
void report_put_cell(FILE *f, const char *s)
{
	fputs("| ", f);
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc(' ', f);
}

// ---------------------------------------------------------------- rows


// Returns the CSV named by d's plain word, reading it on first use.
int report_get_csv(struct report *r, const struct directive *d, const struct csv **out)
{
	const struct arg *w = report_arg_word(d);
	for (int i = 0; i < r->ncsv; i++)
		if (!strcmp(r->csv[i].path, w->val)) {
			*out = &r->csv[i];
			return 0;
		}
	struct csv *more = realloc(r->csv, sizeof *more * (size_t)(r->ncsv + 1));
	if (!more)
		return ERR_INTERNAL;
	r->csv = more;
	char msg[CFG_ERR_MAX / 2];
	int rc = csv_load(&r->csv[r->ncsv], w->val, msg, sizeof msg);
	if (rc == -1)
		return report_derr(r, d, w->col, "%s", msg);
	if (rc)
		return rc;
	*out = &r->csv[r->ncsv++];
	return 0;
}

// Parses "COL=VAL,COL=VAL" (the value of key) against c's header.
int report_parse_where(struct report *r, const struct directive *d, const struct csv *c, const char *key,
		       struct where *w)
{
	w->n = 0;
	const char *text = report_arg_get(d, key);
	if (!text)
		return 0;
	int col = report_arg_col(d, key);
	snprintf(w->buf, sizeof w->buf, "%s", text);
	for (char *s = w->buf; s;) {
		char *next = strchr(s, ',');
		if (next)
			*next++ = 0;
		char *eq = strchr(s, '=');
		// A piece that names no column continues the value before it: an
		// architecture's options (arch=vm-hw:monitor=hosted,shadow=rebuild).
		if (w->n > 0 && s > w->buf) {
			char name[DIR_MAX];
			snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - s) : (int)strlen(s), s);
			if (report_csv_col(c, name) < 0) {
				s[-1] = ',';
				s = next;
				continue;
			}
		}
		if (!eq || eq == s)
			return report_derr(r, d, col, "%s: '%s' is not COLUMN=VALUE", key, s);
		*eq = 0;
		if (w->n == COND_MAX)
			return report_derr(r, d, col, "%s: more than %d conditions", key, COND_MAX);
		w->col[w->n] = report_csv_col(c, s);
		if (w->col[w->n] < 0)
			return report_derr(r, d, col, "%s: no column '%s' in %s", key, s, c->path);
		w->val[w->n++] = eq + 1;
		s = next;
	}
	return 0;
}

// Whether s is one of the '|'-separated alternatives of alt.
static int matches_one_of(const char *s, const char *alt)
{
	size_t n = strlen(s);
	for (;;) {
		size_t l = strcspn(alt, "|");
		if (l == n && !strncmp(alt, s, n))
			return 1;
		if (!alt[l])
			return 0;
		alt += l + 1;
	}
}

int report_row_matches(const struct csv *c, int row, const struct where *w)
{
	for (int i = 0; i < w->n; i++)
		if (!matches_one_of(report_csv_at(c, row, w->col[i]), w->val[i]))
			return 0;
	return 1;
}

// The error for a WHERE (the value of key, if given) that matches nothing.
int report_no_rows(struct report *r, const struct directive *d, const struct csv *c, const char *key)
{
	const char *w = report_arg_get(d, key);
	if (!w)
		return report_derr(r, d, d->col, "%s has no data rows", c->path);
	return report_derr(r, d, report_arg_col(d, key), "no row of %s matches %s=%s", c->path, key, w);
}

// The one row matching the WHERE of `key`; more or fewer is an error.
int report_one_row(struct report *r, const struct directive *d, const struct csv *c, const char *key, int *row)
{
	struct where w;
	int rc = report_parse_where(r, d, c, key, &w);
	if (rc)
		return rc;
	int n = 0;
	for (int i = 0; i < c->nrow; i++)
		if (report_row_matches(c, i, &w) && n++ == 0)
			*row = i;
	if (n == 1)
		return 0;
	if (n == 0)
		return report_no_rows(r, d, c, key);
	return report_derr(r, d, report_arg_col(d, key), "%d rows of %s match %s=%s (expected one: add a condition)", n, c->path,
		    key, report_arg_get(d, key));
}

// The column named by `key`'s value.
int report_named_col(struct report *r, const struct directive *d, const struct csv *c, const char *key, int *col)
{
	*col = report_csv_col(c, report_arg_get(d, key));
	if (*col < 0)
		return report_derr(r, d, report_arg_col(d, key), "no column '%s' in %s", report_arg_get(d, key), c->path);
	return 0;
}

