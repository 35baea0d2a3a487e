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
#include "reportshared.h"

// ---------------------------------------------------------------- directives




static const struct dspec *spec_of(const char *name);


// An error at a column of the current line, naming the directive.
int report_derr(struct report *r, const struct directive *d, int col, const char *fmt, ...)
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

const char *report_arg_get(const struct directive *d, const char *key)
{
	for (int i = 0; i < d->narg; i++)
		if (d->arg[i].key && !strcmp(d->arg[i].key, key))
			return d->arg[i].val;
	return NULL;
}

int report_arg_col(const struct directive *d, const char *key)
{
	for (int i = 0; i < d->narg; i++)
		if (d->arg[i].key && !strcmp(d->arg[i].key, key))
			return d->arg[i].col;
	return d->col;
}

// The plain word (the CSV path) and its column.
const struct arg *report_arg_word(const struct directive *d)
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

int report_is_ident_char(char c)
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
			return report_derr(r, d, col, "unclosed quote");
		if (w >= end)
			return report_derr(r, d, col0, "directive too long (at most %d characters)", DIR_MAX);
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
			return report_derr(r, d, col, "too many arguments (at most %d)", ARG_MAX);
		struct arg *a = &d->arg[d->narg++];
		a->col = col;
		a->key = NULL;
		a->val = tok;
		char *eq = tok;
		while (report_is_ident_char(*eq))
			eq++;
		if (*eq == '=' && eq > tok) {
			*eq = 0;
			a->key = tok;
			a->val = eq + 1;
		}
	}
	if (!d->name)
		return report_derr(r, d, col0 - 2, "empty directive (expected {{table|pivot|value|ratio|validate|plot ...}})");
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
				return report_derr(r, d, a->col, "unexpected '%s'%s", a->val,
					    s->words ? " (one CSV path only)" : " (expected KEY=VALUE)");
			continue;
		}
		if (!in_list(s->keys, a->key))
			return report_derr(r, d, a->col, "unknown key '%s' (expected one of: %s)", a->key, s->keys);
		for (int j = 0; j < i; j++)
			if (d->arg[j].key && !strcmp(d->arg[j].key, a->key))
				return report_derr(r, d, a->col, "'%s' given twice", a->key);
		if (!a->val[0])
			return report_derr(r, d, a->col, "'%s' is empty", a->key);
	}
	if (words < s->words)
		return report_derr(r, d, d->col, "missing the CSV path (expected {{%s results/NAME/results.csv ...}})", s->name);
	for (const char *n = s->need; *n;) {
		char key[32];
		size_t l = strcspn(n, " ");
		snprintf(key, sizeof key, "%.*s", (int)l, n);
		if (!report_arg_get(d, key))
			return report_derr(r, d, d->col, "missing %s=", key);
		n += l;
		n += *n == ' ';
	}
	return 0;
}


// ---------------------------------------------------------------- expansion

static const struct dspec specs[] = {
	{"table", 1, "cols where ratio base basename", "cols", 0, report_run_table},
	{"pivot", 1, "row col value where norm label colname colunit", "row col value", 0, report_run_pivot},
	{"value", 1, "col where", "col where", 0, report_run_value},
	{"ratio", 1, "col num den", "col num den", 0, report_run_ratio},
	{"validate", 0, "file worst check field count show", "", 0, report_run_validate},
	{"plot", 0, "", "", 1, report_run_plot},
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
	const char *show = report_arg_get(d, "show");
	return !strcmp(d->name, "validate") && !report_arg_get(d, "check") && !report_arg_get(d, "count") &&
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
		return report_derr(r, NULL, d.col, "unterminated directive (expected }} on the same line)");
	size_t len = (size_t)(close - line) - at - 2;
	if (len >= DIR_MAX)
		return report_derr(r, NULL, d.col, "directive too long (at most %d characters)", DIR_MAX - 1);
	int rc = tokenize(r, &d, line + at + 2, len, d.col + 2);
	if (rc)
		return rc;
	const struct dspec *s = spec_of(d.name);
	if (!s)
		return report_derr(r, NULL, d.col + 2,
			    "unknown directive '%s' (expected table, pivot, value, ratio, validate or plot)", d.name);
	if (!s->raw && (rc = check_args(r, &d, s)))
		return rc;
	*next = (size_t)(close - line) + 2;
	*block = is_block(&d);
	if (*block && !(blank(line, at) && blank(line + *next, strlen(line + *next))))
		return report_derr(r, &d, d.col, "writes a block: put it alone on its line");
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
		rc = report_derr(&r, NULL, 1, "cannot read the template: %s", strerror(errno));
	free(line);
	for (int i = 0; i < r.ncsv; i++)
		report_csv_free(&r.csv[i]);
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
