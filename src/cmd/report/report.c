// report.c: `osarch report`: fills a Markdown template (docs/report.md.in)
// from result CSVs, so that no figure in REPORT.md is typed by hand.
//
// The template language
// ---------------------
// Text is copied as it is, except:
//   - a line that starts with "%%" is a template comment and is dropped;
//   - "\{{" writes a literal "{{";
//   - "{{NAME ARG ...}}" is a directive. It opens and closes on one line.
//     ARGs are separated by blanks; an ARG is KEY=VALUE or a plain word (the
//     CSV path); double quotes keep blanks inside an ARG and are removed.
//
// WHERE is a comma-separated list COLUMN=VALUE,... that a row must all match
// (exact text as in the CSV; the value is everything after the first '=', so
// `arch=mach-multiserver:driver=user` works, and a piece that names no
// column continues the value before it, so `arch=vm-hw:monitor=hosted,shadow=rebuild`
// does too); VALUE may list alternatives
// A|B|C (`arch=monolithic|exokernel`). Numbers are written compactly:
// an integer as it is, anything else to 3 significant digits ("0.05", "2.93").
//
//   {{table CSV cols=C1,C2,... [where=WHERE]}}
//       block: a Markdown table of those columns, the matching rows in file
//       order; an all-numeric column is right-aligned. With ratio=COL
//       base=WHERE [basename="TEXT"] a last column "COL ÷ TEXT" divides each
//       row's COL by that of the one base row: one baseline, named.
//   {{pivot CSV row=R col=C value=V [where=WHERE] [norm=VALUE]}}
//       block: a matrix, one row per value of R and one column per value of
//       C (both in order of first appearance), cells V; a missing pair is
//       "—"; two rows for one cell is an error (narrow WHERE). With
//       norm=VALUE each row is divided by its cell in column C=VALUE and
//       written as a ratio "2.93×". label="TEXT" heads the row names
//       (default R); colname="TEXT" prefixes each column's value ("PCID on"
//       for true), colunit="TEXT" follows it ("1700 MHz").
//   A figure that is not finite (nan, inf in the CSV) is written "—", and a
//   ratio near a whole number keeps the decimals that show its difference
//   (1.0035 is "1.004×", never "1×").
//   {{value CSV col=C where=WHERE}}
//       inline: C of the one matching row.
//   {{ratio CSV col=C num=WHERE den=WHERE}}
//       inline: C of the row num over C of the row den, as "2.93×".
//   {{validate [file=F]}}
//       block: `osarch validate --markdown` on F (configs/validation.yaml).
//   {{validate worst=N [file=F]}}
//       block: a list of the N scored checks furthest from their published
//       figure (inputs are not scored, so never listed).
//   {{validate check="NAME" field=F [file=F]}}
//       inline: one figure of a check: published, published_b, simulated,
//       simulated_b, published_ratio, simulated_ratio or factor.
//   {{validate count=K [file=F]}}
//       inline: checks, ratio-checks, agreeing, disagreeing, scored, inputs,
//       within, misses or papers.
//   {{validate show=summary [file=F]}}
//       inline: the last line of `osarch validate` ("validate: N checks ...").
//   {{validate show=misses [file=F]}}
//       block: every scored check outside its band (or in the wrong order),
//       with its cause (known_miss, else its note).
//   {{plot NAME CAPTION...}}
//       `![CAPTION](plots/NAME.svg)` when that file exists, else a line
//       saying the figure was not rendered. CAPTION is the raw rest.
//
// A block directive must be alone on its line. A missing file or column, no
// matching row where one is needed, or a bad argument is an error
// "template:line:col: error: {{NAME}}: ..." (exit 2) and nothing is written:
// a report with a wrong number is worse than none.
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

#define DIR_MAX 1024   // characters inside one {{ }}
#define ARG_MAX 12     // arguments of one directive
#define COND_MAX 16    // conditions of one WHERE
#define COLS_MAX 32    // columns of one table
#define ERR_FAIL -1    // a template or data error: err is set
#define ERR_INTERNAL -2
#define REPORT_MAX_CSV (256u << 20) // a results.csv of MAX_POINTS rows is about 40 MB

// ---------------------------------------------------------------- CSV files

struct csv {
	char *path;
	char *text;   // the file, split in place: cell[] point into it
	char **cell;  // (nrow + 1) x ncol; row 0 is the header
	int ncol, nrow;
};

static const char *csv_at(const struct csv *c, int row, int col)
{
	return c->cell[(size_t)(row + 1) * (size_t)c->ncol + (size_t)col];
}

static int csv_col(const struct csv *c, const char *name)
{
	for (int j = 0; j < c->ncol; j++)
		if (!strcmp(c->cell[j], name))
			return j;
	return -1;
}

static void csv_free(struct csv *c)
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
		csv_free(c);
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
		csv_free(c);
	return rc;
}

// ---------------------------------------------------------------- directives

struct arg {
	const char *key; // NULL for a plain word
	const char *val;
	int col;
};

struct directive {
	char buf[2 * DIR_MAX];
	const char *name;
	const char *rest; // the raw text after the name (a plot's caption)
	struct arg arg[ARG_MAX];
	int narg;
	int col; // of "{{" (the line is the report's)
};

struct report;
struct dspec {
	const char *name;
	int words;          // plain words expected (the CSV path): 0 or 1
	const char *keys;   // accepted keys, blank-separated
	const char *need;   // required keys
	int raw;            // arguments are not parsed (plot)
	int (*run)(struct report *r, const struct directive *d);
};

static const struct dspec *spec_of(const char *name);

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

// An error at a column of the current line, naming the directive.
static int derr(struct report *r, const struct directive *d, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int derr(struct report *r, const struct directive *d, int col, const char *fmt, ...)
{
	char what[CFG_ERR_MAX / 2]; // room for the location in front
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (d && d->name)
		snprintf(r->err->msg, sizeof r->err->msg, "%.200s:%d:%d: error: {{%.20s}}: %s", r->tpl, r->line,
			 col, d->name, what);
	else
		snprintf(r->err->msg, sizeof r->err->msg, "%.200s:%d:%d: error: %s", r->tpl, r->line, col, what);
	return ERR_FAIL;
}

static const char *arg_get(const struct directive *d, const char *key)
{
	for (int i = 0; i < d->narg; i++)
		if (d->arg[i].key && !strcmp(d->arg[i].key, key))
			return d->arg[i].val;
	return NULL;
}

static int arg_col(const struct directive *d, const char *key)
{
	for (int i = 0; i < d->narg; i++)
		if (d->arg[i].key && !strcmp(d->arg[i].key, key))
			return d->arg[i].col;
	return d->col;
}

// The plain word (the CSV path) and its column.
static const struct arg *arg_word(const struct directive *d)
{
	for (int i = 0; i < d->narg; i++)
		if (!d->arg[i].key)
			return &d->arg[i];
	return NULL;
}

// Whether `word` is one of the blank-separated words of `list`.
static int in_list(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *s = list; *s;) {
		size_t l = strcspn(s, " ");
		if (l == n && !strncmp(s, word, n))
			return 1;
		s += l;
		s += *s == ' ';
	}
	return 0;
}

static int is_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// Tokenizes text (the inside of "{{ }}", starting at column col0) into d.
static int tokenize(struct report *r, struct directive *d, const char *text, size_t len, int col0)
{
	char *w = d->buf, *end = d->buf + sizeof d->buf - 1;
	size_t i = 0;
	d->narg = 0;
	d->name = NULL;
	while (i < len) {
		if (text[i] == ' ' || text[i] == '\t') {
			i++;
			continue;
		}
		int col = col0 + (int)i;
		char *tok = w;
		int quoted = 0;
		while (i < len && (quoted || (text[i] != ' ' && text[i] != '\t'))) {
			if (text[i] == '"')
				quoted = !quoted;
			else if (w < end)
				*w++ = text[i];
			i++;
		}
		if (quoted)
			return derr(r, d, col, "unclosed quote");
		if (w >= end)
			return derr(r, d, col0, "directive too long (at most %d characters)", DIR_MAX);
		*w++ = 0;
		if (!d->name) {
			const struct dspec *s = spec_of(tok);
			d->name = tok;
			d->rest = w;
			size_t rl = len - i;
			while (rl && (text[i] == ' ' || text[i] == '\t'))
				i++, rl--;
			while (rl && (text[i + rl - 1] == ' ' || text[i + rl - 1] == '\t'))
				rl--;
			memcpy(w, text + i, rl); // fits: buf holds twice a directive
			w[rl] = 0;
			w += rl + 1;
			if (s && s->raw)
				return 0; // the rest is free text (a caption)
			continue;
		}
		if (d->narg == ARG_MAX)
			return derr(r, d, col, "too many arguments (at most %d)", ARG_MAX);
		struct arg *a = &d->arg[d->narg++];
		a->col = col;
		a->key = NULL;
		a->val = tok;
		char *eq = tok;
		while (is_ident_char(*eq))
			eq++;
		if (*eq == '=' && eq > tok) {
			*eq = 0;
			a->key = tok;
			a->val = eq + 1;
		}
	}
	if (!d->name)
		return derr(r, d, col0 - 2, "empty directive (expected {{table|pivot|value|ratio|validate|plot ...}})");
	return 0;
}

// Checks d's arguments against its spec.
static int check_args(struct report *r, const struct directive *d, const struct dspec *s)
{
	int words = 0;
	for (int i = 0; i < d->narg; i++) {
		const struct arg *a = &d->arg[i];
		if (!a->key) {
			if (++words > s->words)
				return derr(r, d, a->col, "unexpected '%s'%s", a->val,
					    s->words ? " (one CSV path only)" : " (expected KEY=VALUE)");
			continue;
		}
		if (!in_list(s->keys, a->key))
			return derr(r, d, a->col, "unknown key '%s' (expected one of: %s)", a->key, s->keys);
		for (int j = 0; j < i; j++)
			if (d->arg[j].key && !strcmp(d->arg[j].key, a->key))
				return derr(r, d, a->col, "'%s' given twice", a->key);
		if (!a->val[0])
			return derr(r, d, a->col, "'%s' is empty", a->key);
	}
	if (words < s->words)
		return derr(r, d, d->col, "missing the CSV path (expected {{%s results/NAME/results.csv ...}})", s->name);
	for (const char *n = s->need; *n;) {
		char key[32];
		size_t l = strcspn(n, " ");
		snprintf(key, sizeof key, "%.*s", (int)l, n);
		if (!arg_get(d, key))
			return derr(r, d, d->col, "missing %s=", key);
		n += l;
		n += *n == ' ';
	}
	return 0;
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

static int parse_number(const char *s, double *x)
{
	char *end;
	if (!*s)
		return 0;
	errno = 0;
	*x = strtod(s, &end);
	return !*end && !errno && isfinite(*x);
}

// A cell as it is written in the report: a number compactly, text as it is.
static void cell_text(char *buf, size_t n, const char *s)
{
	double x;
	if (parse_number(s, &x))
		report_format_number(buf, n, x);
	else if (is_nonfinite(s))
		snprintf(buf, n, "—"); // the template says what a missing figure means
	else
		snprintf(buf, n, "%s", s);
}

// Writes s into a Markdown table cell: '|' would end the cell.
static void put_cell(FILE *f, const char *s)
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

struct where {
	int col[COND_MAX];
	const char *val[COND_MAX];
	char buf[DIR_MAX];
	int n;
};

// Returns the CSV named by d's plain word, reading it on first use.
static int get_csv(struct report *r, const struct directive *d, const struct csv **out)
{
	const struct arg *w = arg_word(d);
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
		return derr(r, d, w->col, "%s", msg);
	if (rc)
		return rc;
	*out = &r->csv[r->ncsv++];
	return 0;
}

// Parses "COL=VAL,COL=VAL" (the value of key) against c's header.
static int parse_where(struct report *r, const struct directive *d, const struct csv *c, const char *key,
		       struct where *w)
{
	w->n = 0;
	const char *text = arg_get(d, key);
	if (!text)
		return 0;
	int col = arg_col(d, key);
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
			if (csv_col(c, name) < 0) {
				s[-1] = ',';
				s = next;
				continue;
			}
		}
		if (!eq || eq == s)
			return derr(r, d, col, "%s: '%s' is not COLUMN=VALUE", key, s);
		*eq = 0;
		if (w->n == COND_MAX)
			return derr(r, d, col, "%s: more than %d conditions", key, COND_MAX);
		w->col[w->n] = csv_col(c, s);
		if (w->col[w->n] < 0)
			return derr(r, d, col, "%s: no column '%s' in %s", key, s, c->path);
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

static int row_matches(const struct csv *c, int row, const struct where *w)
{
	for (int i = 0; i < w->n; i++)
		if (!matches_one_of(csv_at(c, row, w->col[i]), w->val[i]))
			return 0;
	return 1;
}

// The error for a WHERE (the value of key, if given) that matches nothing.
static int no_rows(struct report *r, const struct directive *d, const struct csv *c, const char *key)
{
	const char *w = arg_get(d, key);
	if (!w)
		return derr(r, d, d->col, "%s has no data rows", c->path);
	return derr(r, d, arg_col(d, key), "no row of %s matches %s=%s", c->path, key, w);
}

// The one row matching the WHERE of `key`; more or fewer is an error.
static int one_row(struct report *r, const struct directive *d, const struct csv *c, const char *key, int *row)
{
	struct where w;
	int rc = parse_where(r, d, c, key, &w);
	if (rc)
		return rc;
	int n = 0;
	for (int i = 0; i < c->nrow; i++)
		if (row_matches(c, i, &w) && n++ == 0)
			*row = i;
	if (n == 1)
		return 0;
	if (n == 0)
		return no_rows(r, d, c, key);
	return derr(r, d, arg_col(d, key), "%d rows of %s match %s=%s (expected one: add a condition)", n, c->path,
		    key, arg_get(d, key));
}

// The column named by `key`'s value.
static int named_col(struct report *r, const struct directive *d, const struct csv *c, const char *key, int *col)
{
	*col = csv_col(c, arg_get(d, key));
	if (*col < 0)
		return derr(r, d, arg_col(d, key), "no column '%s' in %s", arg_get(d, key), c->path);
	return 0;
}

// ---------------------------------------------------------------- table, pivot

// Header and alignment row; right-aligned where num[j].
static void table_head(FILE *f, const char *const *name, const int *num, int n)
{
	for (int j = 0; j < n; j++)
		put_cell(f, name[j]);
	fputs("|\n", f);
	for (int j = 0; j < n; j++)
		fputs(num[j] ? "|---:" : "|---", f);
	fputs("|\n", f);
}

static int number_at(struct report *r, const struct directive *d, const struct csv *c, int row, int col,
		     const char *key, double *x);

static int run_table(struct report *r, const struct directive *d)
{
	const struct csv *c;
	struct where w;
	int rc = get_csv(r, d, &c);
	if (rc || (rc = parse_where(r, d, c, "where", &w)))
		return rc;
	char names[DIR_MAX];
	const char *name[COLS_MAX];
	int col[COLS_MAX], num[COLS_MAX], n = 0;
	snprintf(names, sizeof names, "%s", arg_get(d, "cols"));
	for (char *s = strtok(names, ","); s; s = strtok(NULL, ",")) {
		if (n == COLS_MAX)
			return derr(r, d, arg_col(d, "cols"), "more than %d columns", COLS_MAX);
		name[n] = s;
		col[n] = csv_col(c, s);
		if (col[n] < 0)
			return derr(r, d, arg_col(d, "cols"), "no column '%s' in %s", s, c->path);
		num[n++] = 1;
	}
	int rows = 0;
	for (int i = 0; i < c->nrow; i++) {
		if (!row_matches(c, i, &w))
			continue;
		rows++;
		for (int j = 0; j < n; j++) {
			double x;
			num[j] &= parse_number(csv_at(c, i, col[j]), &x);
		}
	}
	if (!rows)
		return no_rows(r, d, c, "where");
	// ratio=COL base=WHERE: one more column, COL of each row over COL of the
	// one base row, headed by the baseline's name (basename=, else WHERE).
	int rcol = -1, brow = -1;
	double bval = 0;
	char rhead[DIR_MAX];
	if (arg_get(d, "ratio")) {
		if (!arg_get(d, "base"))
			return derr(r, d, arg_col(d, "ratio"), "ratio= needs base=WHERE (the row every row is divided by)");
		if (n == COLS_MAX)
			return derr(r, d, arg_col(d, "cols"), "more than %d columns", COLS_MAX);
		if ((rc = named_col(r, d, c, "ratio", &rcol)) || (rc = one_row(r, d, c, "base", &brow)) ||
		    (rc = number_at(r, d, c, brow, rcol, "base", &bval)))
			return rc;
		if (bval == 0)
			return derr(r, d, arg_col(d, "base"), "%s of the row base=%s is 0", c->cell[rcol], arg_get(d, "base"));
		snprintf(rhead, sizeof rhead, "%s ÷ %s", c->cell[rcol],
			 arg_get(d, "basename") ? arg_get(d, "basename") : arg_get(d, "base"));
		name[n] = rhead;
		num[n] = 1;
	}
	table_head(r->out, name, num, n + (rcol >= 0));
	for (int i = 0; i < c->nrow; i++) {
		if (!row_matches(c, i, &w))
			continue;
		for (int j = 0; j < n; j++) {
			char cell[256];
			cell_text(cell, sizeof cell, csv_at(c, i, col[j]));
			put_cell(r->out, cell);
		}
		if (rcol >= 0) {
			double x;
			char cell[256];
			if ((rc = number_at(r, d, c, i, rcol, "ratio", &x)))
				return rc;
			report_format_ratio(cell, sizeof cell - 4, x / bval);
			strcat(cell, "×");
			put_cell(r->out, cell);
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
	const char *norm = arg_get(d, "norm");
	if (!norm)
		return 0;
	int k = 0, col = arg_col(d, "norm");
	while (k < p->nc && strcmp(p->ck[k], norm))
		k++;
	if (k == p->nc)
		return derr(r, d, col, "no %s=%s among the matching rows", arg_get(d, "col"), norm);
	p->den = malloc(sizeof *p->den * (size_t)p->nr);
	if (!p->den)
		return ERR_INTERNAL;
	for (int i = 0; i < p->nr; i++) {
		double x;
		const char *v = pivot_at(p, i, k);
		if (!v || !parse_number(v, &p->den[i]) || p->den[i] == 0)
			return derr(r, d, col, "%s=%s: the cell of %s=%s is %s, not a non-zero number", arg_get(d, "col"),
				    norm, arg_get(d, "row"), p->rk[i], v ? v : "missing");
		for (int j = 0; j < p->nc; j++)
			if (pivot_at(p, i, j) && !parse_number(pivot_at(p, i, j), &x))
				return derr(r, d, col, "the cell %s=%s, %s=%s is '%s', not a number", arg_get(d, "row"),
					    p->rk[i], arg_get(d, "col"), p->ck[j], pivot_at(p, i, j));
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
	} else if (p->den && parse_number(v, &x)) {
		report_format_ratio(buf, n, x / p->den[i]);
		strncat(buf, "×", n - strlen(buf) - 1);
	} else {
		cell_text(buf, n, v);
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
	put_cell(f, corner);
	for (int j = 0; j < p->nc; j++) {
		char head[256];
		col_head(head, sizeof head, colname, unit, p->ck[j]);
		put_cell(f, head);
	}
	fputs("|\n|---", f);
	for (int j = 0; j < p->nc; j++)
		fputs("|---:", f);
	fputs("|\n", f);
	for (int i = 0; i < p->nr; i++) {
		put_cell(f, p->rk[i]);
		for (int j = 0; j < p->nc; j++) {
			char cell[256];
			pivot_cell(cell, sizeof cell, p, i, j);
			put_cell(f, cell);
		}
		fputs("|\n", f);
	}
}

static int run_pivot(struct report *r, const struct directive *d)
{
	const struct csv *c;
	struct where w;
	int rc = get_csv(r, d, &c), rcol, ccol, vcol;
	if (rc || (rc = parse_where(r, d, c, "where", &w)) || (rc = named_col(r, d, c, "row", &rcol)) ||
	    (rc = named_col(r, d, c, "col", &ccol)) || (rc = named_col(r, d, c, "value", &vcol)))
		return rc;
	size_t m = (size_t)c->nrow + 1;
	struct pivot p = {malloc(sizeof *p.rk * m), malloc(sizeof *p.ck * m), NULL, NULL, 0, 0};
	rc = ERR_INTERNAL;
	if (!p.rk || !p.ck)
		goto out;
	for (int i = 0; i < c->nrow; i++)
		if (row_matches(c, i, &w)) {
			intern(p.rk, &p.nr, csv_at(c, i, rcol));
			intern(p.ck, &p.nc, csv_at(c, i, ccol));
		}
	if (!p.nr) {
		rc = no_rows(r, d, c, "where");
		goto out;
	}
	p.cell = calloc((size_t)p.nr * (size_t)p.nc, sizeof *p.cell);
	if (!p.cell)
		goto out;
	for (int i = 0; i < c->nrow; i++) {
		if (!row_matches(c, i, &w))
			continue;
		int a = intern(p.rk, &p.nr, csv_at(c, i, rcol)), b = intern(p.ck, &p.nc, csv_at(c, i, ccol));
		const char **cell = &p.cell[(size_t)a * (size_t)p.nc + (size_t)b];
		if (*cell) {
			rc = derr(r, d, d->col, "two rows of %s have %s=%s, %s=%s (narrow it with where=)", c->path,
				  arg_get(d, "row"), p.rk[a], arg_get(d, "col"), p.ck[b]);
			goto out;
		}
		*cell = csv_at(c, i, vcol);
	}
	if (!(rc = pivot_norm(r, d, &p)))
		pivot_print(r->out, &p, arg_get(d, "label") ? arg_get(d, "label") : arg_get(d, "row"),
			    arg_get(d, "colname"), arg_get(d, "colunit"));
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
	if (parse_number(csv_at(c, row, col), x))
		return 0;
	return derr(r, d, arg_col(d, key), "%s of the row %s=%s is '%s', not a number", c->cell[col], key,
		    arg_get(d, key), csv_at(c, row, col));
}

static int run_value(struct report *r, const struct directive *d)
{
	const struct csv *c;
	int col, row;
	int rc = get_csv(r, d, &c);
	if (rc || (rc = named_col(r, d, c, "col", &col)) || (rc = one_row(r, d, c, "where", &row)))
		return rc;
	char cell[256];
	cell_text(cell, sizeof cell, csv_at(c, row, col));
	fputs(cell, r->out);
	return 0;
}

static int run_ratio(struct report *r, const struct directive *d)
{
	const struct csv *c;
	int col, num, den;
	double a, b;
	int rc = get_csv(r, d, &c);
	if (rc || (rc = named_col(r, d, c, "col", &col)) || (rc = one_row(r, d, c, "num", &num)) ||
	    (rc = one_row(r, d, c, "den", &den)) || (rc = number_at(r, d, c, num, col, "num", &a)) ||
	    (rc = number_at(r, d, c, den, col, "den", &b)))
		return rc;
	if (b == 0)
		return derr(r, d, arg_col(d, "den"), "%s of the row den=%s is 0", c->cell[col], arg_get(d, "den"));
	char buf[64];
	report_format_ratio(buf, sizeof buf, a / b);
	fprintf(r->out, "%s×", buf);
	return 0;
}

// ---------------------------------------------------------------- validate

// Loads and runs the validation file once per report.
static int get_validation(struct report *r, const struct directive *d)
{
	const char *path = arg_get(d, "file");
	if (!path)
		path = "configs/validation.yaml";
	if (r->vres && !strcmp(r->vpath, path))
		return 0;
	free(r->vres);
	r->vres = NULL;
	validation_free(&r->v);
	struct cfg_error e;
	if (validation_load(&r->v, path, &e))
		return derr(r, d, arg_col(d, "file"), "%s", e.msg);
	snprintf(r->vpath, sizeof r->vpath, "%s", path);
	r->vres = calloc((size_t)r->v.n + 1, sizeof *r->vres);
	if (!r->vres)
		return ERR_INTERNAL;
	if (validation_run(&r->v, r->vres, &e)) {
		free(r->vres);
		r->vres = NULL;
		return derr(r, d, d->col, "%s", e.msg);
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
	long n = strtol(arg_get(d, "worst"), &end, 10);
	if (*end || n < 1 || n > r->v.n)
		return derr(r, d, arg_col(d, "worst"), "worst=%s is not a count from 1 to %d", arg_get(d, "worst"),
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
	const char *name = arg_get(d, "check"), *field = arg_get(d, "field");
	if (!field)
		return derr(r, d, d->col, "missing field= (one of: %s)", fields);
	int i = 0;
	while (i < r->v.n && strcmp(r->v.checks[i].name, name))
		i++;
	if (i == r->v.n)
		return derr(r, d, arg_col(d, "check"), "no check named '%s' in %s", name, r->vpath);
	const struct vcheck *c = &r->v.checks[i];
	const struct vresult *v = &r->vres[i];
	const double x[] = {c->a.published, c->b.published, v->sim_a, v->sim_b, v->pub_ratio, v->sim_ratio, v->factor};
	for (int k = 0, at = 0; fields[at]; k++) {
		size_t l = strcspn(fields + at, " ");
		if (strlen(field) == l && !strncmp(fields + at, field, l)) {
			if (!c->has_b && k != 0 && k != 2 && k != 6)
				return derr(r, d, arg_col(d, "field"), "check '%s' has one figure, no %s", name, field);
			char buf[64];
			report_format_number(buf, sizeof buf, x[k]);
			fputs(buf, r->out);
			return 0;
		}
		at += (int)l + (fields[at + l] == ' ');
	}
	return derr(r, d, arg_col(d, "field"), "unknown field '%s' (expected one of: %s)", field, fields);
}

static int run_count(struct report *r, const struct directive *d)
{
	const char *what = arg_get(d, "count");
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
	return derr(r, d, arg_col(d, "count"),
		    "unknown count '%s' (expected checks, ratio-checks, agreeing, disagreeing, scored, inputs, within, "
		    "misses or papers)",
		    what);
}

// show=summary: the summary line, inline; show=misses: each miss and its cause.
static int run_show(struct report *r, const struct directive *d)
{
	const char *what = arg_get(d, "show");
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
		return derr(r, d, arg_col(d, "show"), "unknown show '%s' (expected summary or misses)", what);
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

static int run_validate(struct report *r, const struct directive *d)
{
	int forms = !!arg_get(d, "worst") + !!arg_get(d, "check") + !!arg_get(d, "count") + !!arg_get(d, "show");
	if (forms > 1)
		return derr(r, d, d->col, "give one of worst=, check=, count= and show=");
	if (arg_get(d, "field") && !arg_get(d, "check"))
		return derr(r, d, arg_col(d, "field"), "field= goes with check=");
	int rc = get_validation(r, d);
	if (rc)
		return rc;
	if (arg_get(d, "worst"))
		return run_worst(r, d);
	if (arg_get(d, "check"))
		return run_check(r, d);
	if (arg_get(d, "count"))
		return run_count(r, d);
	if (arg_get(d, "show"))
		return run_show(r, d);
	validation_print(r->out, &r->v, r->vres, 1);
	return 0;
}

// ---------------------------------------------------------------- plot

static int run_plot(struct report *r, const struct directive *d)
{
	const char *name = d->rest;
	size_t l = 0;
	while (is_ident_char(name[l]) || name[l] == '.')
		l++;
	if (!l || (name[l] && name[l] != ' ' && name[l] != '\t'))
		return derr(r, d, d->col, "expected {{plot NAME CAPTION}} with NAME of letters, digits, '.', '_', '-'");
	const char *caption = name + l;
	while (*caption == ' ' || *caption == '\t')
		caption++;
	if (!*caption)
		return derr(r, d, d->col, "missing the caption (expected {{plot NAME CAPTION}})");
	char path[DIR_MAX + 16];
	snprintf(path, sizeof path, "plots/%.*s.svg", (int)l, name);
	struct stat st;
	if (stat(path, &st) == 0)
		fprintf(r->out, "![%s](%s)", caption, path);
	else
		fprintf(r->out, "*Figure not rendered: %s is missing (run `make plots` with gnuplot installed).*", path);
	return 0;
}

// ---------------------------------------------------------------- expansion

static const struct dspec specs[] = {
	{"table", 1, "cols where ratio base basename", "cols", 0, run_table},
	{"pivot", 1, "row col value where norm label colname colunit", "row col value", 0, run_pivot},
	{"value", 1, "col where", "col where", 0, run_value},
	{"ratio", 1, "col num den", "col num den", 0, run_ratio},
	{"validate", 0, "file worst check field count show", "", 0, run_validate},
	{"plot", 0, "", "", 1, run_plot},
};

static const struct dspec *spec_of(const char *name)
{
	for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
		if (!strcmp(specs[i].name, name))
			return &specs[i];
	return NULL;
}

// Whether d writes whole lines (and so must be alone on its line).
static int is_block(const struct directive *d)
{
	if (!strcmp(d->name, "table") || !strcmp(d->name, "pivot"))
		return 1;
	const char *show = arg_get(d, "show");
	return !strcmp(d->name, "validate") && !arg_get(d, "check") && !arg_get(d, "count") &&
	       !(show && !strcmp(show, "summary"));
}

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

// Expands the directive at line[at] ("{{"), after the text line[from..at)
// unless the directive writes a block (which owns the whole line); *next
// gets the offset after "}}" and *block whether it wrote whole lines.
static int expand_directive(struct report *r, const char *line, size_t from, size_t at, size_t *next, int *block)
{
	struct directive d;
	memset(&d, 0, sizeof d);
	d.col = (int)at + 1;
	const char *close = strstr(line + at + 2, "}}");
	if (!close)
		return derr(r, NULL, d.col, "unterminated directive (expected }} on the same line)");
	size_t len = (size_t)(close - line) - at - 2;
	if (len >= DIR_MAX)
		return derr(r, NULL, d.col, "directive too long (at most %d characters)", DIR_MAX - 1);
	int rc = tokenize(r, &d, line + at + 2, len, d.col + 2);
	if (rc)
		return rc;
	const struct dspec *s = spec_of(d.name);
	if (!s)
		return derr(r, NULL, d.col + 2,
			    "unknown directive '%s' (expected table, pivot, value, ratio, validate or plot)", d.name);
	if (!s->raw && (rc = check_args(r, &d, s)))
		return rc;
	*next = (size_t)(close - line) + 2;
	*block = is_block(&d);
	if (*block && !(blank(line, at) && blank(line + *next, strlen(line + *next))))
		return derr(r, &d, d.col, "writes a block: put it alone on its line");
	if (!*block)
		fwrite(line + from, 1, at - from, r->out);
	return s->run(r, &d);
}

// Expands one line (with its newline, if any).
static int expand_line(struct report *r, const char *line)
{
	if (!strncmp(line, "%%", 2))
		return 0;
	size_t i = 0, n = strlen(line);
	while (i < n) {
		const char *o = strstr(line + i, "{{");
		size_t at = o ? (size_t)(o - line) : n;
		int escaped = at < n && at > i && line[at - 1] == '\\';
		if (at == n || escaped) {
			fwrite(line + i, 1, at - i - (size_t)escaped, r->out);
			if (at == n)
				break;
			fputs("{{", r->out);
			i = at + 2;
			continue;
		}
		int block = 0, rc = expand_directive(r, line, i, at, &i, &block);
		if (rc)
			return rc;
		if (block)
			break; // the block ends with its own newline
	}
	return 0;
}

int report_expand(FILE *in, const char *name, FILE *out, struct cfg_error *err)
{
	struct report r = {.tpl = name, .out = out, .err = err};
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	err->msg[0] = 0;
	while (!rc && getline(&line, &cap, in) != -1) {
		r.line++;
		rc = expand_line(&r, line);
	}
	if (!rc && ferror(in))
		rc = derr(&r, NULL, 1, "cannot read the template: %s", strerror(errno));
	free(line);
	for (int i = 0; i < r.ncsv; i++)
		csv_free(&r.csv[i]);
	free(r.csv);
	free(r.vres);
	validation_free(&r.v);
	if (rc == ERR_INTERNAL)
		snprintf(err->msg, sizeof err->msg, "osarch: out of memory");
	return rc == 0 ? 0 : rc == ERR_FAIL ? 2 : 1;
}

// ---------------------------------------------------------------- the command

static const char usage_report[] =
	"usage: osarch report [--template FILE] [-o FILE|-]\n"
	"\n"
	"Fills a Markdown template (default " REPORT_TEMPLATE ") with tables,\n"
	"figures and numbers read from result CSVs and from the validation, and\n"
	"writes it to FILE (default " REPORT_OUTPUT "; - for standard output)\n"
	"through a temporary file and a rename. The directives are described at the\n"
	"top of the template. A missing CSV, column or row is an error\n"
	"template:line:col (exit 2) and nothing is written. `make report` runs\n"
	"every experiment and the plots first.\n";

struct buffer {
	const char *text;
	size_t len;
};

static void write_buffer(FILE *f, void *arg)
{
	const struct buffer *b = arg;
	fwrite(b->text, 1, b->len, f);
}

// Expands tpl into memory, then writes it to out ("-": stdout) whole.
static int report_file(const char *tpl, const char *out)
{
	// Bounded: a template is a small text file (a FIFO or /dev/zero is refused).
	struct cfg_error rerr;
	size_t tlen;
	char *ttext = cfg_read_file(tpl, CFG_MAX_FILE_BYTES, &tlen, &rerr);
	FILE *in = !ttext ? NULL : tlen ? fmemopen(ttext, tlen, "r") : fopen("/dev/null", "r");
	if (!in) {
		if (ttext)
			snprintf(rerr.msg, sizeof rerr.msg, "osarch: out of memory");
		fprintf(stderr, "%s\n", rerr.msg);
		free(ttext);
		return ttext ? 1 : 2;
	}
	struct buffer b = {NULL, 0};
	char *text = NULL;
	FILE *mem = open_memstream(&text, &b.len);
	struct cfg_error err;
	int rc = 1;
	if (mem) {
		fprintf(mem, "<!-- Generated by `osarch report` from %s: edit that file, not this one. -->\n", tpl);
		rc = report_expand(in, tpl, mem, &err);
		if (fclose(mem) && !rc) {
			snprintf(err.msg, sizeof err.msg, "osarch: out of memory");
			rc = 1;
		}
	} else {
		snprintf(err.msg, sizeof err.msg, "osarch: out of memory");
	}
	fclose(in);
	free(ttext);
	b.text = text;
	if (!rc && !strcmp(out, "-")) {
		write_buffer(stdout, &b);
	} else if (!rc && write_atomic(out, write_buffer, &b)) {
		snprintf(err.msg, sizeof err.msg, "osarch: cannot write %s: %s", out, strerror(errno));
		rc = 1;
	}
	if (rc)
		fprintf(stderr, "%s\n", err.msg);
	free(text);
	return rc;
}

int cmd_report(int argc, char **argv)
{
	const char *tpl = REPORT_TEMPLATE, *out = REPORT_OUTPUT;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = !strcmp(a, "--template") ? &tpl : !strcmp(a, "-o") || !strcmp(a, "--output") ? &out : NULL;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage_report, stdout);
			return 0;
		}
		if (!slot || ++i >= argc) {
			fprintf(stderr, slot ? "osarch: %s needs a file\n%s" : "osarch: unexpected '%s'\n%s", a,
				usage_report);
			return 2;
		}
		*slot = argv[i];
	}
	return report_file(tpl, out);
}
