// validation.c: published measurements against the model (`osarch validate`).
//
// configs/validation.yaml lists the papers and the checks. A check runs one
// or two points on the machine profile of the paper's machine and compares a
// metric:
//   - with `a` and `b`: the published ratio a/b against the simulated one;
//   - with `a` only: the published value against the simulated one.
// Either way the check is judged on its factor, simulated / published: it
// passes when the factor lies within its band (2x either way unless the check
// gives `band:` with a `band_reason:`) and, for a ratio, the ordering agrees.
// A check marked `input:` (its published figure set a constant of the model)
// is printed but never scored. A miss with `known_miss:` still counts as a
// miss, but does not fail the command.
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "experiment.h"
#include "validation.h"

#define TIE 0.05 // published ratios within 5% of 1 are ties

static const char *const metric_names[] = {"cycles", "usec", "mcpi_i", "mcpi_d", "cycles_event",
					   "instructions", NULL};

#define SO(m) offsetof(struct vside, m)
static const struct field side_schema[] = {
	{.key = "arch", .type = F_STRING, .offset = SO(arch), .size = sizeof(((struct vside *)0)->arch),
	 .required = 1, .help = "architecture (with options)"},
	{.key = "workload", .type = F_STRING, .offset = SO(workload), .size = NAME_LEN, .required = 1,
	 .help = "workload"},
	{.key = "published", .type = F_DOUBLE, .offset = SO(published), .min = 0, .max = 1e12,
	 .required = 1, .help = "the published figure, in the check's metric"},
	{.key = "app_ws", .type = F_SIZE, .offset = SO(app_ws), .size = 4, .min = 0, .max = 8 << 20,
	 .unit = "bytes", .help = "application data working set between calls"},
	{.key = "app_code", .type = F_SIZE, .offset = SO(app_code), .size = 4, .min = 0, .max = 8 << 20,
	 .unit = "bytes", .help = "application code run between calls"},
	{0},
};
#undef SO

#define PO(m) offsetof(struct vpaper, m)
static const struct field paper_schema[] = {
	{.key = "cite", .type = F_STRING, .offset = PO(cite), .size = sizeof(((struct vpaper *)0)->cite),
	 .required = 1, .help = "authors, title, venue, year"},
	{.key = "authors", .type = F_STRLIST, .offset = PO(authors), .required = 1,
	 .help = "the authors' surnames, as a source line names the paper"},
	{0},
};
#undef PO

#define CO(m) offsetof(struct vcheck, m)
#define CS(m) sizeof(((struct vcheck *)0)->m)
static const struct field check_schema[] = {
	{.key = "name", .type = F_STRING, .offset = CO(name), .size = CS(name), .required = 1,
	 .help = "what is compared"},
	{.key = "paper", .type = F_STRING, .offset = CO(paper), .size = CS(paper), .required = 1,
	 .help = "the key of the paper under papers:"},
	{.key = "source", .type = F_STRING, .offset = CO(source), .size = CS(source), .required = 1,
	 .help = "the table, figure or page of the paper"},
	{.key = "machine", .type = F_STRING, .offset = CO(machine), .size = CS(machine), .required = 1,
	 .help = "machine profile of the paper's machine"},
	{.key = "metric", .type = F_ENUM, .offset = CO(metric), .names = metric_names, .required = 1,
	 .help = "cycles, usec, mcpi_i, mcpi_d, cycles_event or instructions"},
	{.key = "scale", .type = F_DOUBLE, .offset = CO(scale), .min = 1e-6, .max = 1e6,
	 .help = "multiplies the simulated figure (0.5: one way of a round trip)"},
	{.key = "band", .type = F_DOUBLE, .offset = CO(band), .min = 1.01, .max = 100,
	 .help = "the factor allowed either way (default 2); needs band_reason"},
	{.key = "band_reason", .type = F_STRING, .offset = CO(band_reason), .size = CS(band_reason),
	 .help = "why this check's band is not the default"},
	{.key = "input", .type = F_STRLIST, .offset = CO(input),
	 .help = "FILE:KEY of each constant set from this figure: printed, never scored"},
	{.key = "known_miss", .type = F_STRING, .offset = CO(known_miss), .size = CS(known_miss),
	 .help = "the understood cause of a miss: still a miss, but not a failure"},
	{.key = "a", .type = F_GROUP, .offset = CO(a), .group = side_schema, .required = 1, .help = "the first point"},
	{.key = "b", .type = F_GROUP, .offset = CO(b), .group = side_schema, .help = "the second point (a ratio check)"},
	{.key = "note", .type = F_STRING, .offset = CO(note), .size = CS(note),
	 .help = "why the model may differ here"},
	{0},
};
#undef CO
#undef CS

int validation_is_input(const struct vcheck *c)
{
	return c->input.n > 0;
}

void validation_free(struct validation *v)
{
	for (int i = 0; i < v->npapers; i++)
		strlist_free(&v->papers[i].authors);
	for (int i = 0; i < v->n; i++)
		strlist_free(&v->checks[i].input);
	free(v->papers);
	free(v->checks);
	memset(v, 0, sizeof *v);
}

static int load_papers(struct validation *v, struct ydoc *d, yaml_node_t *map, struct cfg_error *err)
{
	if (map->type != YAML_MAPPING_NODE) {
		cfg_errorf(err, d, map, "'papers' is not a mapping (expected papers: {KEY: {cite: ..., authors: [...]}})");
		return -1;
	}
	size_t n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
	v->papers = calloc(n ? n : 1, sizeof *v->papers);
	if (!v->papers) {
		cfg_msgf(err, "validate: out of memory");
		return -1;
	}
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(&d->doc, p->key);
		const char *k = node_scalar(kn);
		if (!k || !*k || strlen(k) >= sizeof v->papers[0].key) {
			cfg_errorf(err, d, kn, "a paper's key is a short name (expected e.g. L93)");
			return -1;
		}
		struct vpaper *pp = &v->papers[v->npapers];
		if (schema_load(paper_schema, pp, sizeof *pp, d, yaml_document_get_node(&d->doc, p->value), err))
			return -1;
		snprintf(pp->key, sizeof pp->key, "%s", k);
		v->npapers++;
	}
	return 0;
}

static int paper_index(const struct validation *v, const char *key)
{
	for (int i = 0; i < v->npapers; i++)
		if (!strcmp(v->papers[i].key, key))
			return i;
	return -1;
}

// The rules a check obeys beyond its schema.
static int check_rules(struct validation *v, struct vcheck *c, struct ydoc *d, yaml_node_t *node,
		       struct cfg_error *err)
{
	c->paper_idx = paper_index(v, c->paper);
	if (c->paper_idx < 0) {
		cfg_errorf(err, d, map_get(d, node, "paper"), "unknown paper '%s' (expected a key of papers:)", c->paper);
		return -1;
	}
	if (c->band != VALIDATE_BAND && !c->band_reason[0]) {
		cfg_errorf(err, d, map_get(d, node, "band"),
			   "a band other than %g needs a written reason (expected band_reason: ...)", VALIDATE_BAND);
		return -1;
	}
	if (c->band_reason[0] && c->band == VALIDATE_BAND) {
		cfg_errorf(err, d, map_get(d, node, "band_reason"), "band_reason without a band (expected band: X)");
		return -1;
	}
	if (validation_is_input(c) && c->known_miss[0]) {
		cfg_errorf(err, d, map_get(d, node, "known_miss"),
			   "an input is never scored, so it cannot miss (expected input: or known_miss:, not both)");
		return -1;
	}
	for (int k = 0; k < c->input.n; k++) {
		const char *in = c->input.v[k], *colon = strchr(in, ':');
		char file[512];
		struct stat st;
		if (!colon || colon == in || !colon[1] || (size_t)(colon - in) >= sizeof file) {
			cfg_errorf(err, d, map_get(d, node, "input"), "input '%s' is not FILE:KEY (expected e.g. "
				   "configs/machines/i486-50.yaml:events.trap_enter)", in);
			return -1;
		}
		snprintf(file, sizeof file, "%.*s", (int)(colon - in), in);
		if (stat(file, &st)) {
			cfg_errorf(err, d, map_get(d, node, "input"), "input '%s': no file %s", in, file);
			return -1;
		}
	}
	struct profile p;
	struct cfg_error e2;
	if (profile_load(&p, c->machine, NULL, &e2)) {
		cfg_errorf(err, d, map_get(d, node, "machine"), "unknown machine profile '%s'", c->machine);
		return -1;
	}
	return 0;
}

int validation_load(struct validation *v, const char *path, struct cfg_error *err)
{
	memset(v, 0, sizeof *v);
	struct ydoc d;
	if (ydoc_load_file(&d, path, err))
		return -1;
	int rc = -1;
	yaml_node_t *root = ydoc_root(&d);
	if (!root || root->type != YAML_MAPPING_NODE) {
		cfg_errorf(err, &d, root, "top level is not a mapping (expected name, papers, checks)");
		goto out;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		const char *k = node_scalar(yaml_document_get_node(&d.doc, p->key));
		if (!k || (strcmp(k, "name") && strcmp(k, "description") && strcmp(k, "papers") && strcmp(k, "checks"))) {
			cfg_errorf(err, &d, yaml_document_get_node(&d.doc, p->key),
				   "unknown key '%s' (expected one of: name, description, papers, checks)", k ? k : "");
			goto out;
		}
	}
	yaml_node_t *papers = map_get(&d, root, "papers");
	if (!papers) {
		cfg_errorf(err, &d, root, "missing required key 'papers' (expected papers: {KEY: {cite, authors}})");
		goto out;
	}
	if (load_papers(v, &d, papers, err))
		goto out;
	yaml_node_t *list = map_get(&d, root, "checks");
	if (!list || list->type != YAML_SEQUENCE_NODE) {
		cfg_errorf(err, &d, list ? list : root, "%s (expected checks: [ ... ])",
			   list ? "'checks' is not a list" : "missing required key 'checks'");
		goto out;
	}
	size_t n = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
	v->checks = calloc(n ? n : 1, sizeof *v->checks);
	if (!v->checks)
		goto out;
	for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++) {
		struct vcheck *c = &v->checks[v->n];
		c->scale = 1;
		c->band = VALIDATE_BAND;
		yaml_node_t *node = yaml_document_get_node(&d.doc, *it);
		if (schema_load(check_schema, c, sizeof *c, &d, node, err))
			goto out;
		v->n++; // owns its strlist from here on
		c->has_b = map_get(&d, node, "b") != NULL;
		if (check_rules(v, c, &d, node, err))
			goto out;
	}
	rc = 0;
out:
	if (rc)
		validation_free(v);
	ydoc_free(&d);
	return rc;
}

static double metric_of(int metric, const struct run_result *r)
{
	int n = r->reps > 0 ? r->reps : 1;
	double instr = (double)r->hw.instructions / n;
	switch (metric) {
	case 0: return r->cycles;
	case 1: return r->usec;
	case 2: return instr > 0 ? r->hw.cyc[CYC_IMISS] / n / instr : 0;
	case 3: return instr > 0 ? r->hw.cyc[CYC_DMISS] / n / instr : 0;
	case 4: return r->hw.cyc[CYC_EVENT] / n;
	default: return instr;
	}
}

static int run_side(const struct vside *sd, const struct profile *p, const struct service_set *svc,
		    int metric, double scale, double *out, struct cfg_error *err)
{
	struct arch *a = malloc(sizeof *a);
	struct workload *w = malloc(sizeof *w);
	int rc = -1;
	if (!a || !w)
		goto out;
	if (arch_load(a, sd->arch, svc, err) || workload_load(w, sd->workload, svc, err))
		goto out;
	w->app_ws = sd->app_ws;
	w->app_code = sd->app_code;
	struct run_params rp = {10, 5, 0, 1};
	struct run_result r;
	if (run_point(a, w, p, &rp, &r, NULL)) {
		cfg_msgf(err, "validate: %s cannot run %s on %s%s%s", sd->arch, sd->workload, p->name,
			 r.error[0] ? ": " : "", r.error);
		goto out;
	}
	*out = metric_of(metric, &r) * scale;
	rc = 0;
out:
	free(a);
	free(w);
	return rc;
}

void validation_judge(const struct vcheck *c, struct vresult *r)
{
	if (c->has_b) {
		r->pub_ratio = c->b.published > 0 ? c->a.published / c->b.published : 0;
		r->sim_ratio = r->sim_b > 0 ? r->sim_a / r->sim_b : 0;
		r->factor = r->pub_ratio > 0 ? r->sim_ratio / r->pub_ratio : 0;
		// Ordering: which side is larger. Published figures within 5% of
		// each other are a tie (within the measurements' noise): a tie
		// agrees with a simulated ratio within 5% of 1.
		if (fabs(r->pub_ratio - 1) <= TIE)
			r->agrees = fabs(r->sim_ratio - 1) <= TIE;
		else
			r->agrees = (c->a.published > c->b.published) == (r->sim_a > r->sim_b);
	} else {
		r->pub_ratio = r->sim_ratio = 0;
		r->factor = c->a.published > 0 ? r->sim_a / c->a.published : 0;
		r->agrees = 1;
	}
	r->error = r->factor > 0 ? fmax(r->factor, 1 / r->factor) : HUGE_VAL;
	r->in_band = r->error <= c->band * (1 + 1e-12);
	r->passes = r->in_band && r->agrees;
}

int validation_run(const struct validation *v, struct vresult *res, struct cfg_error *err)
{
	struct service_set *svc = malloc(sizeof *svc);
	int rc = -1;
	if (!svc || load_services_default(svc, err))
		goto out;
	for (int i = 0; i < v->n; i++) {
		const struct vcheck *c = &v->checks[i];
		struct vresult *r = &res[i];
		struct profile p;
		memset(r, 0, sizeof *r);
		if (profile_load(&p, c->machine, NULL, err) ||
		    run_side(&c->a, &p, svc, c->metric, c->scale, &r->sim_a, err))
			goto out;
		if (c->has_b && run_side(&c->b, &p, svc, c->metric, c->scale, &r->sim_b, err))
			goto out;
		validation_judge(c, r);
	}
	rc = 0;
out:
	free(svc);
	return rc;
}

void validation_summarize(const struct validation *v, const struct vresult *res, struct vsummary *s)
{
	memset(s, 0, sizeof *s);
	s->worst_i = -1;
	double logsum = 0;
	char *seen = calloc((size_t)v->npapers + 1, 1);
	for (int i = 0; i < v->n; i++) {
		const struct vcheck *c = &v->checks[i];
		const struct vresult *r = &res[i];
		if (validation_is_input(c)) {
			s->inputs++;
			continue;
		}
		s->scored++;
		if (seen && c->paper_idx >= 0 && !seen[c->paper_idx]) {
			seen[c->paper_idx] = 1;
			s->papers++;
		}
		if (r->passes)
			s->within++;
		else {
			s->misses++;
			s->unexplained += !c->known_miss[0];
		}
		logsum += log(r->error);
		if (s->worst_i < 0 || r->error > s->worst) {
			s->worst = r->error;
			s->worst_i = i;
		}
	}
	free(seen);
	s->gmean = s->scored ? exp(logsum / s->scored) : 1;
}

void validation_print_summary(FILE *f, const struct validation *v, const struct vsummary *s)
{
	fprintf(f, "validate: %d checks from %d papers, %d within band, %d inputs (not scored), "
		   "geometric-mean error %.2f×, worst %.2f× (%s)\n",
		s->scored, s->papers, s->within, s->inputs, s->gmean, s->worst_i >= 0 ? s->worst : 1,
		s->worst_i >= 0 ? v->checks[s->worst_i].name : "none");
}

static const char *metric_unit(int m)
{
	static const char *const u[] = {"cycles", "us", "MCPI(I)", "MCPI(D)", "cycles", "instr"};
	return u[m];
}

static const char *verdict(const struct vcheck *c, const struct vresult *r)
{
	if (validation_is_input(c))
		return "input";
	if (r->passes) // a known_miss on a passing check is stale: the model moved
		return c->known_miss[0] ? "ok (known_miss stale)" : "ok";
	if (c->known_miss[0])
		return "known miss";
	return r->in_band ? "MISS (ordering)" : "MISS";
}

void validation_print(FILE *f, const struct validation *v, const struct vresult *res, int markdown)
{
	if (markdown) {
		fprintf(f, "| check | paper | machine | published | simulated | published ratio | simulated ratio | "
			   "factor | band | ordering | verdict |\n");
		fprintf(f, "|---|---|---|---|---|---|---|---|---|---|---|\n");
	} else {
		fprintf(f, "%-46s %-6s %-12s %21s %21s %8s %8s %7s %5s %-9s %s\n", "check", "paper", "machine",
			"published a / b", "simulated a / b", "pub a/b", "sim a/b", "factor", "band", "ordering",
			"verdict");
	}
	for (int i = 0; i < v->n; i++) {
		const struct vcheck *c = &v->checks[i];
		const struct vresult *r = &res[i];
		char pub[64], sim[64], pr[32], sr[32], fa[32], bd[16];
		if (c->has_b) {
			snprintf(pub, sizeof pub, "%.4g / %.4g", c->a.published, c->b.published);
			snprintf(sim, sizeof sim, "%.4g / %.4g", r->sim_a, r->sim_b);
			snprintf(pr, sizeof pr, "%.3g", r->pub_ratio);
			snprintf(sr, sizeof sr, "%.3g", r->sim_ratio);
		} else {
			snprintf(pub, sizeof pub, "%.4g %s", c->a.published, metric_unit(c->metric));
			snprintf(sim, sizeof sim, "%.4g %s", r->sim_a, metric_unit(c->metric));
			snprintf(pr, sizeof pr, "-");
			snprintf(sr, sizeof sr, "-");
		}
		snprintf(fa, sizeof fa, "%.2f", r->factor);
		snprintf(bd, sizeof bd, "%gx", c->band);
		const char *ord = c->has_b ? (r->agrees ? "agrees" : "DISAGREES") : "-";
		if (markdown)
			fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", c->name, c->paper,
				c->machine, pub, sim, pr, sr, fa, bd, ord, verdict(c, r));
		else
			fprintf(f, "%-46.46s %-6s %-12s %21s %21s %8s %8s %7s %5s %-9s %s\n", c->name, c->paper,
				c->machine, pub, sim, pr, sr, fa, bd, ord, verdict(c, r));
	}
}

// ---------------------------------------------------------------- citations

// The words that say a number is in a metric's unit ("900 cycles",
// "0.45 us"); NULL: the metric has no unit word (MCPI), any number counts.
static const char *const *unit_words(int metric)
{
	static const char *const cycles[] = {"cycle", "clock", NULL};
	static const char *const usec[] = {"us", "µs", "usec", "microsecond", NULL};
	static const char *const instr[] = {"instruction", NULL};
	switch (metric) {
	case 0:
	case 4: return cycles;
	case 1: return usec;
	case 5: return instr;
	default: return NULL;
	}
}

// Whether `text` writes the number x as a token -- digits not preceded by a
// digit, '.' or letter and not followed by a digit or ".digit" -- followed
// (after blanks) by one of `units` when units is not NULL. Thousands
// separators in text ("1,080") are read through.
static int has_number(const char *text, double x, const char *const *units)
{
	char want[32];
	snprintf(want, sizeof want, "%g", x);
	size_t wl = strlen(want);
	for (const char *p = text; *p; p++) {
		if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '.' ||
				 (p[-1] == ',' && p - 1 > text && isdigit((unsigned char)p[-2]))))
			continue;
		size_t i = 0;
		const char *q = p;
		while (i < wl && *q) {
			if (*q == ',' && i > 0 && isdigit((unsigned char)q[1]) && isdigit((unsigned char)q[-1])) {
				q++;
				continue;
			}
			if (*q != want[i])
				break;
			q++;
			i++;
		}
		if (i < wl || isdigit((unsigned char)*q) || (*q == '.' && isdigit((unsigned char)q[1])))
			continue;
		if (!units)
			return 1;
		while (*q == ' ')
			q++;
		for (int k = 0; units[k]; k++) {
			size_t ul = strlen(units[k]);
			// A stem ("cycle" in "cycles"); the short "us" only as a word.
			if (!strncasecmp(q, units[k], ul) && (ul > 2 || !isalpha((unsigned char)q[ul])))
				return 1;
		}
	}
	return 0;
}

// A published 1 is the unit of a figure published as a ratio only ("3 / 1"),
// not a measurement a source could cite: it is never matched.
int validation_cites(const struct validation *v, const struct vcheck *c, const char *text)
{
	if (c->paper_idx < 0 || c->paper_idx >= v->npapers)
		return 0;
	const struct vpaper *p = &v->papers[c->paper_idx];
	int named = 0;
	for (int k = 0; k < p->authors.n && !named; k++)
		named = strstr(text, p->authors.v[k]) != NULL;
	if (!named)
		return 0;
	const char *const *units = unit_words(c->metric);
	if (c->a.published != 1 && has_number(text, c->a.published, units))
		return 'a';
	if (c->has_b && c->b.published != 1 && has_number(text, c->b.published, units))
		return 'b';
	return 0;
}
