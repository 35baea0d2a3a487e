// test_validate.c: the judge of `osarch validate`, its loader's rules, the
// record itself (every scored check within its band or explained), and the
// walk over every constant's source that keeps inputs out of the score.
#include "testutil.h"

#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "validation.h"

#define RECORD "configs/validation.yaml"

// ---------------------------------------------------------------- the judge

static struct vcheck mk(double pa, double pb, int has_b)
{
	struct vcheck c;
	memset(&c, 0, sizeof c);
	c.band = VALIDATE_BAND;
	c.a.published = pa;
	c.b.published = pb;
	c.has_b = has_b;
	return c;
}

// Absolute checks: factor = simulated / published; the band holds either way.
static void test_judge_absolute(void **state)
{
	(void)state;
	struct vcheck c = mk(100, 0, 0);
	struct vresult r = {.sim_a = 200};
	validation_judge(&c, &r);
	// 200 / 100 = 2.0: on the edge of the 2x band, inside.
	assert_true(fabs(r.factor - 2.0) < 1e-12);
	assert_true(r.in_band && r.passes && r.agrees);
	r.sim_a = 49; // 0.49: the error is 1/0.49 = 2.04 > 2
	validation_judge(&c, &r);
	assert_true(fabs(r.error - 1 / 0.49) < 1e-12);
	assert_false(r.in_band);
	assert_false(r.passes);
	c.band = 2.5; // a looser band (its reason is the loader's business) takes it in
	validation_judge(&c, &r);
	assert_true(r.passes);
	r.sim_a = 0; // nothing simulated is as far off as it gets
	validation_judge(&c, &r);
	assert_true(isinf(r.error));
	assert_false(r.passes);
}

// Ratio checks: factor = (sim a / sim b) / (pub a / pub b); a wrong ordering
// fails even inside the band.
static void test_judge_ratio(void **state)
{
	(void)state;
	struct vcheck c = mk(120, 100, 1); // published ratio 1.2
	struct vresult r = {.sim_a = 90, .sim_b = 100};
	validation_judge(&c, &r);
	// simulated 0.9, factor 0.9 / 1.2 = 0.75: in band, but a < b where the paper has a > b.
	assert_true(fabs(r.factor - 0.75) < 1e-12);
	assert_true(r.in_band);
	assert_false(r.agrees);
	assert_false(r.passes);
	r.sim_a = 300; // 3.0 / 1.2 = 2.5: right order, out of band
	validation_judge(&c, &r);
	assert_true(r.agrees);
	assert_false(r.in_band);
	// A published tie (within 5%) agrees only with a simulated tie.
	c = mk(1.22, 1.28, 1);
	r = (struct vresult){.sim_a = 1.0, .sim_b = 1.0};
	validation_judge(&c, &r);
	assert_true(r.agrees && r.passes);
	r.sim_a = 1.2;
	validation_judge(&c, &r);
	assert_false(r.agrees);
}

// The summary line over four checks: two pass (factors 1.0 and 0.5), one
// misses with a known cause (factor 4), one is an input (never scored, even
// though its factor is 10). Scored: 3 checks from 2 papers; within band 2;
// geometric-mean error = (1 * 2 * 4)^(1/3) = 2.00; worst 4.00.
static void test_summary_line(void **state)
{
	(void)state;
	struct vpaper papers[2] = {{.key = "P1"}, {.key = "P2"}};
	struct vcheck c[4] = {mk(10, 0, 0), mk(10, 0, 0), mk(10, 0, 0), mk(10, 0, 0)};
	char *in[] = {"x.yaml:k"};
	snprintf(c[0].name, sizeof c[0].name, "one");
	snprintf(c[1].name, sizeof c[1].name, "half");
	snprintf(c[2].name, sizeof c[2].name, "four times");
	snprintf(c[2].known_miss, sizeof c[2].known_miss, "the model lacks X");
	snprintf(c[3].name, sizeof c[3].name, "echo");
	c[3].input = (struct strlist){1, in};
	c[0].paper_idx = 0;
	c[1].paper_idx = 1;
	c[2].paper_idx = 1;
	c[3].paper_idx = 0;
	struct vresult r[4] = {{.sim_a = 10}, {.sim_a = 5}, {.sim_a = 40}, {.sim_a = 100}};
	for (int i = 0; i < 4; i++)
		validation_judge(&c[i], &r[i]);
	struct validation v = {.papers = papers, .npapers = 2, .checks = c, .n = 4};
	struct vsummary s;
	validation_summarize(&v, r, &s);
	assert_int_equal(s.scored, 3);
	assert_int_equal(s.inputs, 1);
	assert_int_equal(s.misses, 1);
	assert_int_equal(s.unexplained, 0); // the miss is known: the command exits 0
	char *text;
	size_t len;
	FILE *f = open_memstream(&text, &len);
	validation_print_summary(f, &v, &s);
	fclose(f);
	assert_string_equal(text, "validate: 3 checks from 2 papers, 2 within band, 1 inputs (not scored), "
				  "geometric-mean error 2.00×, worst 4.00× (four times)\n");
	free(text);
	c[2].known_miss[0] = 0; // the same miss unexplained fails the command
	validation_summarize(&v, r, &s);
	assert_int_equal(s.unexplained, 1);
}

// ---------------------------------------------------------------- the loader

static void expect_load_error(const char *yaml, const char *want)
{
	char path[] = "/tmp/osarch-validate-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs(yaml, f);
	fclose(f);
	struct validation v;
	struct cfg_error err;
	int rc = validation_load(&v, path, &err);
	remove(path);
	assert_int_equal(rc, -1);
	const char *msg = strstr(err.msg, ": error: ");
	assert_non_null(msg);
	assert_string_equal(msg + 9, want);
}

#define PAPERS "papers: {P: {cite: a paper, authors: [Doe]}}\n"
#define CHECK "checks:\n  - {name: n, paper: P, source: t, machine: i486-50, metric: cycles, " \
	      "a: {arch: monolithic, workload: null, published: 1}"

static void test_loader_rules(void **state)
{
	(void)state;
	expect_load_error(PAPERS CHECK ", band: 3}\n",
			  "a band other than 2 needs a written reason (expected band_reason: ...)");
	expect_load_error(PAPERS CHECK ", band_reason: why}\n", "band_reason without a band (expected band: X)");
	expect_load_error(PAPERS "checks:\n  - {name: n, paper: Q, source: t, machine: i486-50, metric: cycles, "
				 "a: {arch: monolithic, workload: null, published: 1}}\n",
			  "unknown paper 'Q' (expected a key of papers:)");
	expect_load_error(PAPERS CHECK ", input: nofile}\n",
			  "input 'nofile' is not FILE:KEY (expected e.g. "
			  "configs/machines/i486-50.yaml:events.trap_enter)");
	expect_load_error(PAPERS CHECK ", input: no/such.yaml:k}\n", "input 'no/such.yaml:k': no file no/such.yaml");
	expect_load_error(PAPERS CHECK ", input: arch/l4.yaml:x, known_miss: why}\n",
			  "an input is never scored, so it cannot miss (expected input: or known_miss:, not both)");
	expect_load_error(CHECK "}\n", "missing required key 'papers' (expected papers: {KEY: {cite, authors}})");
}

// ---------------------------------------------------------------- citations

static void test_cites(void **state)
{
	(void)state;
	struct vpaper p = {.key = "L95"};
	char *authors[] = {"Liedtke"};
	p.authors = (struct strlist){1, authors};
	struct vcheck c = mk(900, 150, 1);
	struct validation v = {.papers = &p, .npapers = 1, .checks = &c, .n = 1};
	assert_int_equal(validation_cites(&v, &c, "Liedtke SOSP 1995: ~900 cycles on a 486"), 'a');
	assert_int_equal(validation_cites(&v, &c, "Liedtke: L3 needs 150 cycles"), 'b');
	assert_int_equal(validation_cites(&v, &c, "900 cycles (someone else)"), 0); // no author
	assert_int_equal(validation_cites(&v, &c, "Liedtke: 9000 or 1900 or 900.5 cycles"), 0);
	c.a.published = 1080;
	assert_int_equal(validation_cites(&v, &c, "Liedtke: about 1,080 clocks"), 'a');
	// A figure is cited with its unit: a bare number or another unit is
	// something else ("Table 6", "5-6 clocks" against a check of 6 us).
	assert_int_equal(validation_cites(&v, &c, "Liedtke: 1080 entries"), 0);
	c.metric = 1; // usec
	c.a.published = 0.45;
	assert_int_equal(validation_cites(&v, &c, "Liedtke: 0.45 us"), 'a');
	assert_int_equal(validation_cites(&v, &c, "Liedtke: about 0.45 microseconds"), 'a');
	assert_int_equal(validation_cites(&v, &c, "Liedtke: 0.45 cycles"), 0);
	assert_int_equal(validation_cites(&v, &c, "Liedtke: 0.45 useful"), 0);
	assert_int_equal(validation_cites(&v, &c, "Liedtke: 10.45 us"), 0);
}

// One source text of a constant and where it was found.
struct src {
	char file[256];
	int line;
	char text[8192];
};

// The tag definitions of a machine profile's header ("#   [B03]  P. Barham
// et al., ..." and its continuation lines), so that a constant's "[B03]"
// names the paper's authors.
struct tags {
	int n;
	char tag[32][24];
	char text[32][512];
};

static void read_tags(FILE *f, struct tags *t)
{
	char line[1024];
	t->n = 0;
	int cur = -1;
	while (fgets(line, sizeof line, f) && line[0] == '#') {
		char tag[16];
		int off = 0;
		if (sscanf(line, "# [%15[^]]]%n", tag, &off) == 1 || sscanf(line, "#   [%15[^]]]%n", tag, &off) == 1) {
			if (t->n == 32)
				break;
			cur = t->n++;
			snprintf(t->tag[cur], sizeof t->tag[cur], "[%s]", tag);
			snprintf(t->text[cur], sizeof t->text[cur], "%s", line + off);
		} else if (cur >= 0 && strncmp(line, "#     ", 6) == 0) {
			size_t l = strlen(t->text[cur]);
			snprintf(t->text[cur] + l, sizeof t->text[cur] - l, " %s", line + 1);
		} else {
			cur = -1;
		}
	}
	rewind(f);
}

// Calls fn on every source text of one file: the value of each `source:` key
// (YAML under arch/ and models/), the comment of each key line of a machine
// profile with its [TAG]s expanded, and every comment line of a C file.
static void walk_file(const char *path, int machine, void (*fn)(const struct src *, void *), void *arg)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	struct tags tags = {0};
	if (machine)
		read_tags(f, &tags);
	char line[4096];
	int n = 0, is_c = strlen(path) > 2 && !strcmp(path + strlen(path) - 2, ".c");
	while (fgets(line, sizeof line, f)) {
		n++;
		struct src s = {.line = n};
		snprintf(s.file, sizeof s.file, "%s", path);
		if (is_c) {
			const char *c = strstr(line, "//");
			if (!c)
				c = strstr(line, "/*");
			if (!c && strncmp(line, " *", 2) == 0)
				c = line;
			if (!c)
				continue;
			snprintf(s.text, sizeof s.text, "%s", c);
			fn(&s, arg);
			continue;
		}
		if (machine) {
			char *hash = strchr(line, '#');
			if (!hash || hash == line || line[0] == '#')
				continue; // header lines are the tag list, not a constant's source
			snprintf(s.text, sizeof s.text, "%s", hash + 1);
			// A [TAG] names the paper's authors; the figures must be in
			// the constant's own comment, so the tag's text joins without
			// its digits (its year, its table numbers).
			for (int k = 0; k < tags.n; k++)
				if (strstr(hash, tags.tag[k])) {
					size_t l = strlen(s.text);
					for (const char *t = tags.text[k]; *t && l + 2 < sizeof s.text; t++)
						s.text[l++] = isdigit((unsigned char)*t) ? ' ' : *t;
					s.text[l] = 0;
				}
			fn(&s, arg);
			continue;
		}
		for (char *p = line; (p = strstr(p, "source:")); p += 7) {
			char *q = p + 7;
			while (*q == ' ')
				q++;
			char end = *q == '"' || *q == '\'' ? *q++ : '\n';
			char *e = strchr(q, end);
			snprintf(s.text, sizeof s.text, "%.*s", e ? (int)(e - q) : (int)strlen(q), q);
			fn(&s, arg);
		}
	}
	fclose(f);
}

static void walk_dir(const char *dir, const char *suffix, int machine, void (*fn)(const struct src *, void *),
		     void *arg, int *files)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d));) {
		size_t l = strlen(e->d_name), sl = strlen(suffix);
		if (l <= sl || strcmp(e->d_name + l - sl, suffix))
			continue;
		char path[512];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		walk_file(path, machine, fn, arg);
		(*files)++;
	}
	closedir(d);
}

struct echo_state {
	struct validation *v;
	int sources, bad, found[512];
};

// A source citing a scored figure is an echo: the check must be an input
// that names this file.
static void check_source(const struct src *s, void *arg)
{
	struct echo_state *st = arg;
	st->sources++;
	for (int i = 0; i < st->v->n; i++) {
		const struct vcheck *c = &st->v->checks[i];
		int side = validation_cites(st->v, c, s->text);
		if (!side)
			continue;
		if (i < 512)
			st->found[i] = 1;
		int named = 0;
		for (int k = 0; k < c->input.n; k++)
			named |= strncmp(c->input.v[k], s->file, strlen(s->file)) == 0 && c->input.v[k][strlen(s->file)] == ':';
		if (!named) {
			print_message("%s:%d: cites %g of %s, which check '%s' scores: mark the check input: %s:KEY\n",
				      s->file, s->line, side == 'a' ? c->a.published : c->b.published, c->paper, c->name,
				      s->file);
			st->bad++;
		}
	}
}

static void test_no_echo_is_scored(void **state)
{
	(void)state;
	struct validation v;
	struct cfg_error err;
	if (validation_load(&v, RECORD, &err))
		fail_msg("%s", err.msg);
	struct echo_state st = {.v = &v};
	int files = 0;
	walk_dir("arch", ".yaml", 0, check_source, &st, &files);
	walk_dir("models", ".yaml", 0, check_source, &st, &files);
	walk_dir("models", ".c", 0, check_source, &st, &files);
	walk_dir("configs/machines", ".yaml", 1, check_source, &st, &files);
	assert_true(files >= 15);       // 10 architectures, 6 profiles, services.yaml, ...
	assert_true(st.sources >= 200); // the walk found the sources at all
	// The three echoes issue 16 names are found, so the walk can fail.
	const char *echoes[] = {"kernel call, Mach get_self_thread / L3", "int + iret alone (hardware part of a trap)",
				"null call, native Linux (absolute)"};
	for (size_t k = 0; k < 3; k++) {
		int i = 0;
		while (i < v.n && strcmp(v.checks[i].name, echoes[k]))
			i++;
		assert_true(i < v.n);
		assert_true(st.found[i]);
		assert_true(validation_is_input(&v.checks[i]));
	}
	// Every input names a key that exists in its file.
	for (int i = 0; i < v.n; i++)
		for (int k = 0; k < v.checks[i].input.n; k++) {
			char file[512], want[256];
			const char *in = v.checks[i].input.v[k], *colon = strchr(in, ':');
			snprintf(file, sizeof file, "%.*s", (int)(colon - in), in);
			const char *last = strrchr(colon + 1, '.');
			snprintf(want, sizeof want, "%s:", last ? last + 1 : colon + 1);
			FILE *f = fopen(file, "r");
			assert_non_null(f);
			char buf[1 << 16];
			size_t n = fread(buf, 1, sizeof buf - 1, f);
			buf[n] = 0;
			fclose(f);
			if (!strstr(buf, want))
				fail_msg("check '%s': input %s: no key '%s' in %s", v.checks[i].name, in, want, file);
		}
	validation_free(&v);
	assert_int_equal(st.bad, 0);
}

// ---------------------------------------------------------------- the record

// The record against the model: every scored check within its band (and in
// the published order), or explained by known_miss. A constant moved by
// another change that takes a check out of its band fails here.
static void test_record_within_band(void **state)
{
	(void)state;
	struct validation v;
	struct cfg_error err;
	if (validation_load(&v, RECORD, &err))
		fail_msg("%s", err.msg);
	struct vresult *res = calloc((size_t)v.n, sizeof *res);
	assert_non_null(res);
	if (validation_run(&v, res, &err))
		fail_msg("%s", err.msg);
	int bad = 0;
	for (int i = 0; i < v.n; i++) {
		const struct vcheck *c = &v.checks[i];
		if (validation_is_input(c) || res[i].passes)
			continue;
		if (!c->known_miss[0]) {
			print_message("'%s' (%s) left its band: factor %.2f, band %gx, ordering %s\n", c->name, c->machine,
				      res[i].factor, c->band, res[i].agrees ? "agrees" : "disagrees");
			bad++;
		}
	}
	struct vsummary s;
	validation_summarize(&v, res, &s);
	assert_int_equal(s.unexplained, bad);
	// The record issue 16 asked for: at least 40 scored checks from at least
	// 6 papers (a check removed or turned into an input shows here).
	assert_true(s.scored >= 40);
	assert_true(s.papers >= 6);
	free(res);
	validation_free(&v);
	assert_int_equal(bad, 0);
}

// ---------------------------------------------------------------- the command

// Runs `osarch validate FILE` on `yaml`; returns its exit status and its last
// line (without the newline) in `last`.
static int run_cli(const char *osarch, const char *yaml, char *last, size_t n)
{
	char path[] = "/tmp/osarch-validate-cli-XXXXXX", cmd[1024], line[1024];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs(yaml, f);
	fclose(f);
	// The ASan CLI's exit status is the subject: no leak check at its exit.
	snprintf(cmd, sizeof cmd, "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 %s validate %s", osarch,
		 path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	last[0] = 0;
	while (fgets(line, sizeof line, p))
		snprintf(last, n, "%s", line);
	int st = pclose(p);
	remove(path);
	last[strcspn(last, "\n")] = 0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// A miss fails the command (exit 1) unless its cause is written down; either
// way it is a miss in the last line. An input alone scores nothing.
static void test_cli_exit_and_last_line(void **state)
{
	const char *osarch = *state;
	char last[1024];
	// The null call on the 486 costs hundreds of cycles: 10 is far off.
	const char *miss = PAPERS "checks:\n  - {name: far off, paper: P, source: t, machine: i486-50, metric: cycles, "
			   "a: {arch: monolithic, workload: null, published: 10}";
	char yaml[1024];
	snprintf(yaml, sizeof yaml, "%s}\n", miss);
	assert_int_equal(run_cli(osarch, yaml, last, sizeof last), 1);
	assert_true(strstr(last, "validate: 1 checks from 1 papers, 0 within band, 0 inputs (not scored), "
				 "geometric-mean error ") == last);
	assert_non_null(strstr(last, "(far off)"));
	snprintf(yaml, sizeof yaml, "%s, known_miss: the test says so}\n", miss);
	assert_int_equal(run_cli(osarch, yaml, last, sizeof last), 0);
	assert_true(strstr(last, "validate: 1 checks from 1 papers, 0 within band, ") == last);
	snprintf(yaml, sizeof yaml, "%s, input: arch/l4.yaml:x}\n", miss);
	assert_int_equal(run_cli(osarch, yaml, last, sizeof last), 0);
	assert_string_equal(last, "validate: 0 checks from 0 papers, 0 within band, 1 inputs (not scored), "
				  "geometric-mean error 1.00×, worst 1.00× (none)");
}

int main(int argc, char **argv)
{
	(void)argc;
	char osarch[600];
	test_find_osarch(argv[0], osarch, sizeof osarch);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_judge_absolute),  cmocka_unit_test(test_judge_ratio),
		cmocka_unit_test(test_summary_line),    cmocka_unit_test(test_loader_rules),
		cmocka_unit_test(test_cites),           cmocka_unit_test(test_no_echo_is_scored),
		cmocka_unit_test(test_record_within_band),
		cmocka_unit_test_prestate(test_cli_exit_and_last_line, osarch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
