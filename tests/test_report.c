// test_report.c: `osarch report` (src/cmd/report/report.c): each directive on the tiny
// CSV tests/data/report/tiny.csv with its exact Markdown, the errors with
// their exact line:col, the command's all-or-nothing output, and the golden
// test: a fresh run of configs/default.yaml must give the committed
// results/default/results.csv byte for byte.
#include "testutil.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "report.h"
#include "validation.h"

#define TINY "tests/data/report/tiny.csv"
#define VFILE "tests/data/report/validation.yaml"

// Expands tpl (named "t.md.in"); returns the status and the output (malloc'd).
static int expand(const char *tpl, char **out, struct cfg_error *err)
{
	FILE *in = fmemopen((void *)tpl, strlen(tpl), "r");
	size_t len;
	*out = NULL;
	FILE *o = open_memstream(out, &len);
	assert_non_null(in);
	assert_non_null(o);
	int rc = report_expand(in, "t.md.in", o, err);
	fclose(in);
	fclose(o);
	return rc;
}

// tpl expands, and to exactly `want`.
static void expect_output(const char *tpl, const char *want)
{
	char *out;
	struct cfg_error err;
	int rc = expand(tpl, &out, &err);
	if (rc)
		fail_msg("'%s' failed: %s", tpl, err.msg);
	if (strcmp(out, want))
		fail_msg("'%s'\nexpanded to\n%s\nexpected\n%s", tpl, out, want);
	free(out);
}

// tpl fails with exactly `want` (status 2).
static void expect_error(const char *tpl, const char *want)
{
	char *out;
	struct cfg_error err;
	int rc = expand(tpl, &out, &err);
	free(out);
	if (rc != 2)
		fail_msg("'%s': status %d, expected 2 (%s)", tpl, rc, rc ? err.msg : "no error");
	if (strcmp(err.msg, want))
		fail_msg("'%s'\nerror  \"%s\"\nwanted \"%s\"", tpl, err.msg, want);
}

// ---------------------------------------------------------------- numbers

static void test_format_number(void **state)
{
	(void)state;
	static const struct {
		double x;
		const char *want;
	} cases[] = {
		{0, "0"},           {182, "182"},       {-4, "-4"},        {0.05, "0.05"},
		{0.0500001, "0.05"}, {2.934, "2.93"},   {19.4615, "19.5"}, {6229.4, "6229"},
		{9.996, "10"},      {0.9996, "1"},      {1.0, "1"},        {0.000123456, "0.000123"},
		{123.45, "123"},    {-2.5, "-2.5"},     {1e15 + 0.5, "1000000000000000"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[64];
		report_format_number(buf, sizeof buf, cases[i].x);
		if (strcmp(buf, cases[i].want))
			fail_msg("%.10g formatted as '%s', expected '%s'", cases[i].x, buf, cases[i].want);
	}
}

// ---------------------------------------------------------------- directives

static void test_plain_text_comments_escapes(void **state)
{
	(void)state;
	expect_output("no directive\n", "no directive\n");
	expect_output("%% a template comment\nkept\n%%\n", "kept\n");
	expect_output("literal \\{{value}} and }} alone\n", "literal {{value}} and }} alone\n");
	expect_output("no newline at the end", "no newline at the end");
	expect_output("", "");
}

static void test_table(void **state)
{
	(void)state;
	// File order, numbers compact, text as it is ('|' escaped), an all-numeric
	// column right-aligned; WHERE with alternatives.
	expect_output("before\n{{table " TINY " cols=arch,cycles,usec,note where=workload=read|null,machine=m1}}\nafter\n",
		      "before\n"
		      "| arch | cycles | usec | note |\n"
		      "|---|---:|---:|---|\n"
		      "| mono | 1843 | 0.54 | plain |\n"
		      "| mach | 6229 | 1.83 | a, quoted \"cell\" |\n"
		      "| mono | 182 | 0.05 | x\\|y |\n"
		      "| mach | 3542 | 1.04 | - |\n"
		      "| exo | 0 | 0 | - |\n"
		      "after\n");
	// No where=: every row. Blanks around a block directive are allowed.
	expect_output("  {{table " TINY " cols=machine}}  \n",
		      "| machine |\n|---|\n| m1 |\n| m1 |\n| m1 |\n| m1 |\n| m2 |\n| m1 |\n");
}

static void test_pivot(void **state)
{
	(void)state;
	expect_output("{{pivot " TINY " row=workload col=arch value=cycles where=machine=m1}}\n",
		      "| workload | mono | mach | exo |\n"
		      "|---|---:|---:|---:|\n"
		      "| read | 1843 | 6229 | — |\n"
		      "| null | 182 | 3542 | 0 |\n");
	expect_output("{{pivot " TINY " row=workload col=arch value=cycles where=machine=m1 norm=mono}}\n",
		      "| workload | mono | mach | exo |\n"
		      "|---|---:|---:|---:|\n"
		      "| read | 1× | 3.38× | — |\n"
		      "| null | 1× | 19.5× | 0× |\n");
	expect_output("{{pivot " TINY " row=machine col=workload value=traps where=arch=mach}}\n",
		      "| machine | read | null |\n"
		      "|---|---:|---:|\n"
		      "| m1 | 3 | 3 |\n"
		      "| m2 | — | 2 |\n");
}

static void test_value_ratio_inline(void **state)
{
	(void)state;
	expect_output("Mach: {{value " TINY " col=usec where=arch=mach,workload=read}} us, "
		      "{{ratio " TINY " col=cycles num=arch=mach,workload=read den=arch=mono,workload=read}} mono.\n",
		      "Mach: 1.83 us, 3.38× mono.\n");
	// Text cells come out as they are; quotes keep blanks in an argument.
	expect_output("{{value " TINY " col=note where=\"arch=mach,workload=read\"}}\n", "a, quoted \"cell\"\n");
	expect_output("{{value " TINY " col=machine where=arch=mach,machine=m2}}{{value " TINY
		      " col=traps where=arch=exo}}\n",
		      "m20\n");
	expect_output("{{ratio " TINY " col=cycles num=arch=mono,workload=null den=arch=mono,workload=null}}\n", "1×\n");
}

// Ratios near a whole number keep the decimals that show the difference:
// 1.0035 (a 0.35% difference) is "1.004", not "1"; exact 1 stays "1".
static void test_format_ratio(void **state)
{
	(void)state;
	char buf[32];
	report_format_ratio(buf, sizeof buf, 1.0035);
	assert_string_equal(buf, "1.004");
	report_format_ratio(buf, sizeof buf, 0.99995);
	assert_string_equal(buf, "0.99995");
	report_format_ratio(buf, sizeof buf, 2.0004);
	assert_string_equal(buf, "2.0004");
	report_format_ratio(buf, sizeof buf, 1);
	assert_string_equal(buf, "1");
	report_format_ratio(buf, sizeof buf, 3.38);
	assert_string_equal(buf, "3.38");
}

// label= and colname= name a pivot's headers; a nan cell is written "—".
static void test_pivot_labels(void **state)
{
	(void)state;
	expect_output("{{pivot " TINY " row=workload col=arch value=traps where=machine=m1 label=\"call\" "
		      "colname=\"arch\"}}\n",
		      "| call | arch mono | arch mach | arch exo |\n"
		      "|---|---:|---:|---:|\n"
		      "| read | 1 | 3 | — |\n"
		      "| null | 1 | 3 | 0 |\n");
	expect_output("{{pivot " TINY " row=arch col=workload value=traps where=machine=m1 colunit=\"calls\"}}\n",
		      "| arch | read calls | null calls |\n"
		      "|---|---:|---:|\n"
		      "| mono | 1 | 1 |\n"
		      "| mach | 3 | 3 |\n"
		      "| exo | — | 0 |\n");
}

// ratio= base= adds one column against one named baseline: 6229.4 / 1843
// = 3.38, 182 / 1843 = 0.0988 (report_format_number: 3 significant digits).
static void test_table_ratio(void **state)
{
	(void)state;
	expect_output("{{table " TINY " cols=arch,workload,cycles where=machine=m1,arch=mono|mach ratio=cycles "
		      "base=arch=mono,workload=read basename=\"mono read\"}}\n",
		      "| arch | workload | cycles | cycles ÷ mono read |\n"
		      "|---|---|---:|---:|\n"
		      "| mono | read | 1843 | 1× |\n"
		      "| mach | read | 6229 | 3.38× |\n"
		      "| mono | null | 182 | 0.0988× |\n"
		      "| mach | null | 3542 | 1.92× |\n");
}

// report_lint finds each kind of slip, and nothing in a clean text.
static void test_lint(void **state)
{
	(void)state;
	FILE *null = fopen("/dev/null", "w");
	assert_int_equal(report_lint("| a | b |\n|---|---:|\n| x | 1 |\n![f](plots/default-cycles.svg)\n"
				     "information, infinitely, Nancy\n", "t", ".", null), 0);
	assert_int_equal(report_lint("| x | NaN |\n", "t", ".", null), 1);
	assert_int_equal(report_lint("a ratio of inf here\n", "t", ".", null), 1);
	assert_int_equal(report_lint("| x |  | 2 |\n", "t", ".", null), 1);
	assert_int_equal(report_lint("| x \\| y | 2 |\n", "t", ".", null), 0); // an escaped bar is in the cell
	assert_int_equal(report_lint("![gone](plots/no-such-figure.svg) [a link](nowhere.md)\n", "t", ".", null), 1);
	assert_int_equal(report_lint("```\n| x | | NaN\n```\n", "t", ".", null), 0); // a code block is code
	fclose(null);
}

// The committed REPORT.md has no slip: no NaN or inf, no empty table cell,
// and every figure it shows exists.
static void test_report_md_clean(void **state)
{
	(void)state;
	FILE *f = fopen("REPORT.md", "r");
	assert_non_null(f);
	char *text = NULL;
	size_t n = 0;
	assert_true(getdelim(&text, &n, 0, f) > 0);
	fclose(f);
	int slips = report_lint(text, "REPORT.md", ".", stderr);
	free(text);
	assert_int_equal(slips, 0);
}

// Every figure whose script sets a literal y-axis label shows it in its
// svg too (gnuplot's svg terminal drops text placed left of x = 0: the
// default-cycles label did, until plots/default-cycles.gp moved it).
static void test_svg_ylabels(void **state)
{
	(void)state;
	DIR *d = opendir("plots");
	assert_non_null(d);
	int checked = 0;
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (len < 4 || strcmp(e->d_name + len - 3, ".gp"))
			continue;
		char gp[300], svg[300], line[512];
		snprintf(gp, sizeof gp, "plots/%s", e->d_name);
		snprintf(svg, sizeof svg, "plots/%.*s.svg", (int)(len - 3), e->d_name);
		FILE *f = fopen(gp, "r"), *g = fopen(svg, "r");
		if (!f || !g) { // a library script, or a figure not rendered here
			if (f)
				fclose(f);
			if (g)
				fclose(g);
			continue;
		}
		char *text = NULL;
		size_t n = 0;
		assert_true(getdelim(&text, &n, 0, g) > 0);
		fclose(g);
		while (fgets(line, sizeof line, f)) {
			if (strncmp(line, "set ylabel \"", 12))
				continue;
			char *end = strchr(line + 12, '"');
			assert_non_null(end);
			*end = 0;
			if (!strstr(text, line + 12))
				fail_msg("%s: the y label \"%s\" of %s is missing", svg, line + 12, gp);
			checked++;
		}
		fclose(f);
		free(text);
	}
	closedir(d);
	assert_true(checked >= 4); // default-cycles, default-breakdown, default-traps, read-trap-count at least
}

static void test_plot(void **state)
{
	(void)state;
	// plots/default-cycles.svg is committed; plots/no-such-figure.svg is not.
	expect_output("{{plot default-cycles Cycles per call, \"log\" scale x=y}}\n",
		      "![Cycles per call, \"log\" scale x=y](plots/default-cycles.svg)\n");
	expect_output("{{plot no-such-figure A figure}}\n",
		      "*Figure not rendered: plots/no-such-figure.svg is missing (run `make plots` with gnuplot "
		      "installed).*\n");
}

// ---------------------------------------------------------------- errors

static void test_errors_data(void **state)
{
	(void)state;
	expect_error("{{value tests/data/report/nosuch.csv col=cycles where=arch=mono}}",
		     "t.md.in:1:9: error: {{value}}: cannot read tests/data/report/nosuch.csv: No such file or "
		     "directory (`make report` runs every experiment)");
	expect_error("line one\n{{value " TINY " col=cycles where=arch=l4}}\n",
		     "t.md.in:2:47: error: {{value}}: no row of " TINY " matches where=arch=l4");
	expect_error("{{value " TINY " col=cycles where=arch=mach,workload=null}}",
		     "t.md.in:1:47: error: {{value}}: 2 rows of " TINY
		     " match where=arch=mach,workload=null (expected one: add a condition)");
	expect_error("{{value " TINY " col=cyc where=arch=mono,workload=null}}",
		     "t.md.in:1:36: error: {{value}}: no column 'cyc' in " TINY);
	expect_error("{{value " TINY " col=cycles where=os=mono}}",
		     "t.md.in:1:47: error: {{value}}: where: no column 'os' in " TINY);
	expect_error("{{value " TINY " col=cycles where=arch}}",
		     "t.md.in:1:47: error: {{value}}: where: 'arch' is not COLUMN=VALUE");
	expect_error("{{table " TINY " cols=arch,nosuch}}", "t.md.in:1:36: error: {{table}}: no column 'nosuch' in " TINY);
	expect_error("{{table " TINY " cols=arch where=machine=m3}}",
		     "t.md.in:1:46: error: {{table}}: no row of " TINY " matches where=machine=m3");
	expect_error("{{ratio " TINY " col=cycles num=arch=mono,workload=read den=arch=exo}}",
		     "t.md.in:1:75: error: {{ratio}}: cycles of the row den=arch=exo is 0");
	expect_error("{{ratio " TINY " col=note num=arch=mono,workload=read den=arch=exo}}",
		     "t.md.in:1:45: error: {{ratio}}: note of the row num=arch=mono,workload=read is 'plain', not a number");
	expect_error("{{pivot " TINY " row=workload col=arch value=cycles}}",
		     "t.md.in:1:1: error: {{pivot}}: two rows of " TINY
		     " have workload=null, arch=mach (narrow it with where=)");
	expect_error("{{pivot " TINY " row=workload col=arch value=cycles where=machine=m1 norm=l4}}",
		     "t.md.in:1:88: error: {{pivot}}: no arch=l4 among the matching rows");
	expect_error("{{pivot " TINY " row=workload col=arch value=cycles where=machine=m1 norm=exo}}",
		     "t.md.in:1:88: error: {{pivot}}: arch=exo: the cell of workload=read is missing, not a non-zero number");
	expect_error("{{table tests/data/report/ragged.csv cols=arch}}",
		     "t.md.in:1:9: error: {{table}}: tests/data/report/ragged.csv:3: wrong number of fields (the header "
		     "has 3 columns)");
	expect_error("{{table tests/data/report/badquote.csv cols=arch}}",
		     "t.md.in:1:9: error: {{table}}: tests/data/report/badquote.csv:3: bad quoting (the header has 3 "
		     "columns)");
	expect_error("{{table tests/data/report/empty.csv cols=arch}}",
		     "t.md.in:1:9: error: {{table}}: tests/data/report/empty.csv is empty (expected a header line)");
}

static void test_errors_syntax(void **state)
{
	(void)state;
	expect_error("a {{value x", "t.md.in:1:3: error: unterminated directive (expected }} on the same line)");
	expect_error("text {{frob x}}",
		     "t.md.in:1:8: error: unknown directive 'frob' (expected table, pivot, value, ratio, validate or plot)");
	expect_error("{{ }}", "t.md.in:1:1: error: empty directive (expected {{table|pivot|value|ratio|validate|plot ...}})");
	expect_error("%% fine\nok\nsee {{table " TINY " cols=arch}}\n",
		     "t.md.in:3:5: error: {{table}}: writes a block: put it alone on its line");
	expect_error("{{table " TINY " cols=arch}} after",
		     "t.md.in:1:1: error: {{table}}: writes a block: put it alone on its line");
	expect_error("{{value \"tests/data x}}", "t.md.in:1:9: error: {{value}}: unclosed quote");
	expect_error("{{table " TINY " cols=arch rows=3}}",
		     "t.md.in:1:46: error: {{table}}: unknown key 'rows' (expected one of: cols where ratio base basename)");
	expect_error("{{table " TINY " cols=arch cols=traps}}", "t.md.in:1:46: error: {{table}}: 'cols' given twice");
	expect_error("{{table " TINY " cols=}}", "t.md.in:1:36: error: {{table}}: 'cols' is empty");
	expect_error("{{table " TINY " extra cols=arch}}",
		     "t.md.in:1:36: error: {{table}}: unexpected 'extra' (one CSV path only)");
	expect_error("{{table cols=arch}}",
		     "t.md.in:1:1: error: {{table}}: missing the CSV path (expected {{table results/NAME/results.csv ...}})");
	expect_error("{{ratio " TINY " col=cycles num=arch=mono}}", "t.md.in:1:1: error: {{ratio}}: missing den=");
	expect_error("{{validate foo}}", "t.md.in:1:12: error: {{validate}}: unexpected 'foo' (expected KEY=VALUE)");
	expect_error("{{plot default-cycles}}",
		     "t.md.in:1:1: error: {{plot}}: missing the caption (expected {{plot NAME CAPTION}})");
	expect_error("{{plot ../x A caption}}",
		     "t.md.in:1:1: error: {{plot}}: expected {{plot NAME CAPTION}} with NAME of letters, digits, '.', '_', '-'");
}

// ---------------------------------------------------------------- validate

struct vrun {
	struct validation v;
	struct vresult res[4];
};

static void run_validation(struct vrun *r)
{
	struct cfg_error err;
	if (validation_load(&r->v, VFILE, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(r->v.n, 2);
	if (validation_run(&r->v, r->res, &err))
		fail_msg("%s", err.msg);
}

static void test_validate(void **state)
{
	(void)state;
	struct vrun r;
	run_validation(&r);
	// The table is validation_print's, unchanged.
	char *want;
	size_t len;
	FILE *f = open_memstream(&want, &len);
	validation_print(f, &r.v, r.res, 1);
	fclose(f);
	expect_output("{{validate file=" VFILE "}}\n", want);
	free(want);
	// One figure, counts, the worst list.
	char buf[512], fa[32], sr[32];
	report_format_number(fa, sizeof fa, r.res[1].factor);
	report_format_number(sr, sizeof sr, r.res[1].sim_ratio);
	snprintf(buf, sizeof buf, "factor %s.\n", fa);
	expect_output("factor {{validate file=" VFILE " check=\"null call, Mach / L3\" field=factor}}.\n", buf);
	expect_output("{{validate file=" VFILE " check=\"trap hardware, absolute\" field=published}}\n", "100\n");
	expect_output("{{validate file=" VFILE " count=checks}} {{validate file=" VFILE " count=ratio-checks}} "
		      "{{validate file=" VFILE " count=agreeing}} {{validate file=" VFILE " count=disagreeing}}\n",
		      "2 1 1 0\n");
	snprintf(buf, sizeof buf, "- **null call, Mach / L3** on i486-50: published ratio 3, simulated %s, factor %s\n", sr,
		 fa);
	expect_output("{{validate file=" VFILE " worst=1}}\n", buf);
	// The summary line, inline (without its newline), as `osarch validate` ends.
	struct vsummary s;
	validation_summarize(&r.v, r.res, &s);
	f = open_memstream(&want, &len);
	validation_print_summary(f, &r.v, &s);
	fclose(f);
	assert_true(strstr(want, "validate: 2 checks from 1 papers, ") == want);
	expect_output("{{validate file=" VFILE " show=summary}}\n", want);
	free(want);
	validation_free(&r.v);
}

static void test_validate_errors(void **state)
{
	(void)state;
	expect_error("{{validate file=" VFILE " check=nosuch field=factor}}",
		     "t.md.in:1:51: error: {{validate}}: no check named 'nosuch' in " VFILE);
	expect_error("{{validate file=" VFILE " check=\"trap hardware, absolute\" field=published_b}}",
		     "t.md.in:1:83: error: {{validate}}: check 'trap hardware, absolute' has one figure, no published_b");
	expect_error("{{validate file=" VFILE " check=\"trap hardware, absolute\" field=size}}",
		     "t.md.in:1:83: error: {{validate}}: unknown field 'size' (expected one of: published published_b "
		     "simulated simulated_b published_ratio simulated_ratio factor)");
	expect_error("{{validate file=" VFILE " worst=3}}",
		     "t.md.in:1:51: error: {{validate}}: worst=3 is not a count from 1 to 2");
	expect_error("{{validate file=" VFILE " count=some}}",
		     "t.md.in:1:51: error: {{validate}}: unknown count 'some' (expected checks, ratio-checks, agreeing, "
		     "disagreeing, scored, inputs, within, misses or papers)");
	expect_error("{{validate worst=1 count=checks}}",
		     "t.md.in:1:1: error: {{validate}}: give one of worst=, check=, count= and show=");
	expect_error("{{validate file=tests/data/report/nosuch.yaml}}",
		     "t.md.in:1:12: error: {{validate}}: tests/data/report/nosuch.yaml:1:1: error: cannot open: No such "
		     "file or directory");
}

// ---------------------------------------------------------------- the command

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

// All or nothing: a bad template leaves no file (not even a temporary one),
// a good one gives the whole report behind the generated-file header.
static void test_cmd_report(void **state)
{
	(void)state;
	char dir[] = "/tmp/osarch-report-XXXXXX", tpl[64], out[64];
	assert_non_null(mkdtemp(dir));
	snprintf(tpl, sizeof tpl, "%s/t.md.in", dir);
	snprintf(out, sizeof out, "%s/R.md", dir);
	char *bad[] = {"report", "--template", tpl, "-o", out, NULL};
	write_text(tpl, "# ok\n{{value " TINY " col=cycles where=arch=nosuch}}\n");
	assert_int_equal(cmd_report(5, bad), 2);
	assert_int_equal(count_entries(dir), 1); // the template only

	write_text(tpl, "# ok\n{{value " TINY " col=cycles where=arch=mono,workload=read}}\n");
	assert_int_equal(cmd_report(5, bad), 0);
	assert_int_equal(count_entries(dir), 2);
	FILE *f = fopen(out, "r");
	assert_non_null(f);
	char text[512] = "";
	size_t n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = 0;
	char want[512];
	snprintf(want, sizeof want,
		 "<!-- Generated by `osarch report` from %s: edit that file, not this one. -->\n# ok\n1843\n", tpl);
	assert_string_equal(text, want);

	char *usage1[] = {"report", "-o", NULL};
	char *usage2[] = {"report", "extra", NULL};
	char *missing[] = {"report", "--template", "tests/data/report/nosuch.md.in", "-o", out, NULL};
	char *help[] = {"report", "--help", NULL};
	assert_int_equal(cmd_report(2, usage1), 2);
	assert_int_equal(cmd_report(2, usage2), 2);
	assert_int_equal(cmd_report(5, missing), 2);
	assert_int_equal(cmd_report(2, help), 0);
	assert_int_equal(unlink(out), 0);
	assert_int_equal(unlink(tpl), 0);
	assert_int_equal(rmdir(dir), 0);
}

// ---------------------------------------------------------------- golden

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	FILE *m = open_memstream(&buf, len);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(f);
	fclose(m);
	return buf;
}

// The first line where a and b differ (1-based), copied into la / lb.
static int first_difference(const char *a, const char *b, char *la, char *lb, size_t n)
{
	int line = 1;
	const char *sa = a, *sb = b;
	while (*a && *a == *b) {
		if (*a == '\n') {
			line++;
			sa = a + 1;
			sb = b + 1;
		}
		a++, b++;
	}
	snprintf(la, n, "%.*s", (int)strcspn(sa, "\n"), sa);
	snprintf(lb, n, "%.*s", (int)strcspn(sb, "\n"), sb);
	return line;
}

// A fresh default run against the committed golden copy, byte for byte.
static void test_golden_default(void **state)
{
	const char *osarch = *state;
	const char *golden = "results/default/results.csv";
	if (access(golden, R_OK)) {
		print_message("golden: %s is absent, test skipped (`make golden` makes it)\n", golden);
		skip();
	}
	char dir[] = "/tmp/osarch-golden-XXXXXX", cmd[1200], fresh[64];
	assert_non_null(mkdtemp(dir));
	// The ASan CLI's exit status is the subject: no leak check at its exit.
	snprintf(cmd, sizeof cmd,
		 "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 %s run configs/default.yaml -o %s --quiet "
		 ">/dev/null",
		 osarch, dir);
	int st = system(cmd);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st))
		fail_msg("'%s' failed", cmd);
	snprintf(fresh, sizeof fresh, "%s/results.csv", dir);
	size_t la, lb;
	char *a = slurp(golden, &la), *b = slurp(fresh, &lb);
	assert_non_null(a);
	assert_non_null(b);
	char ga[300], gb[300];
	int line = la == lb && !memcmp(a, b, la) ? 0 : first_difference(a, b, ga, gb, sizeof ga);
	free(a);
	free(b);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd))
		print_message("golden: could not remove %s\n", dir);
	if (line)
		fail_msg("%s line %d differs from a fresh run:\n  golden: %s\n  fresh:  %s\n"
			 "the model moved a number: run `make golden` and say why in the commit",
			 golden, line, ga, gb);
}

int main(int argc, char **argv)
{
	(void)argc;
	char osarch[600];
	test_find_osarch(argv[0], osarch, sizeof osarch);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_number),
		cmocka_unit_test(test_plain_text_comments_escapes),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_pivot),
		cmocka_unit_test(test_value_ratio_inline),
		cmocka_unit_test(test_plot),
		cmocka_unit_test(test_format_ratio),
		cmocka_unit_test(test_pivot_labels),
		cmocka_unit_test(test_lint),
		cmocka_unit_test(test_svg_ylabels),
		cmocka_unit_test(test_table_ratio),
		cmocka_unit_test(test_report_md_clean),
		cmocka_unit_test(test_errors_data),
		cmocka_unit_test(test_errors_syntax),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_validate_errors),
		cmocka_unit_test(test_cmd_report),
		cmocka_unit_test_prestate(test_golden_default, osarch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
