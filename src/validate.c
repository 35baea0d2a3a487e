// validate.c: published measurements against the model (`osarch validate`).
//
// configs/validation.yaml lists checks. A check runs one or two points on
// the machine profile of the paper's machine and compares a metric:
//   - with `a` and `b`: the published ratio a/b against the simulated one,
//     their factor, and whether the ordering (a > b or a < b) agrees;
//   - with `a` only: the published value against the simulated one.
// A check whose ordering disagrees makes the command exit 1.
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "experiment.h"
#include "validate.h"

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

#define CO(m) offsetof(struct vcheck, m)
static const struct field check_schema[] = {
	{.key = "name", .type = F_STRING, .offset = CO(name), .size = sizeof(((struct vcheck *)0)->name),
	 .required = 1, .help = "what is compared"},
	{.key = "source", .type = F_STRING, .offset = CO(source), .size = sizeof(((struct vcheck *)0)->source),
	 .required = 1, .help = "the publication, table or page"},
	{.key = "machine", .type = F_STRING, .offset = CO(machine), .size = 64, .required = 1,
	 .help = "machine profile of the paper's machine"},
	{.key = "metric", .type = F_ENUM, .offset = CO(metric), .names = metric_names, .required = 1,
	 .help = "cycles, usec, mcpi_i, mcpi_d, cycles_event or instructions"},
	{.key = "scale", .type = F_DOUBLE, .offset = CO(scale), .min = 1e-6, .max = 1e6,
	 .help = "multiplies the simulated figure (0.5: one way of a round trip)"},
	{.key = "a", .type = F_GROUP, .offset = CO(a), .group = side_schema, .required = 1, .help = "the first point"},
	{.key = "b", .type = F_GROUP, .offset = CO(b), .group = side_schema, .help = "the second point (a ratio check)"},
	{.key = "note", .type = F_STRING, .offset = CO(note), .size = sizeof(((struct vcheck *)0)->note),
	 .help = "why the model may differ here"},
	{0},
};
#undef CO

void validation_free(struct validation *v)
{
	free(v->checks);
	v->checks = NULL;
	v->n = 0;
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
		cfg_errorf(err, &d, root, "top level is not a mapping (expected name, checks)");
		goto out;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		const char *k = node_scalar(yaml_document_get_node(&d.doc, p->key));
		if (!k || (strcmp(k, "name") && strcmp(k, "description") && strcmp(k, "checks"))) {
			cfg_errorf(err, &d, yaml_document_get_node(&d.doc, p->key),
				   "unknown key '%s' (expected one of: name, description, checks)", k ? k : "");
			goto out;
		}
	}
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
		yaml_node_t *node = yaml_document_get_node(&d.doc, *it);
		if (schema_load(check_schema, c, sizeof *c, &d, node, err))
			goto out;
		c->has_b = map_get(&d, node, "b") != NULL;
		struct profile p;
		struct cfg_error e2;
		if (profile_load(&p, c->machine, NULL, &e2)) {
			cfg_errorf(err, &d, map_get(&d, node, "machine"), "unknown machine profile '%s'", c->machine);
			goto out;
		}
		v->n++;
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
		if (c->has_b) {
			if (run_side(&c->b, &p, svc, c->metric, c->scale, &r->sim_b, err))
				goto out;
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
			r->factor = c->a.published > 0 ? r->sim_a / c->a.published : 0;
			r->agrees = 1;
		}
	}
	rc = 0;
out:
	free(svc);
	return rc;
}

static const char *metric_unit(int m)
{
	static const char *const u[] = {"cycles", "us", "MCPI(I)", "MCPI(D)", "cycles", "instr"};
	return u[m];
}

void validation_print(FILE *f, const struct validation *v, const struct vresult *res, int markdown)
{
	if (markdown) {
		fprintf(f, "| check | machine | published | simulated | published ratio | simulated ratio | factor | ordering |\n");
		fprintf(f, "|---|---|---|---|---|---|---|---|\n");
	} else {
		fprintf(f, "%-46s %-12s %21s %21s %8s %8s %7s %s\n", "check", "machine", "published a / b",
			"simulated a / b", "pub a/b", "sim a/b", "factor", "ordering");
	}
	for (int i = 0; i < v->n; i++) {
		const struct vcheck *c = &v->checks[i];
		const struct vresult *r = &res[i];
		char pub[64], sim[64], pr[32], sr[32], fa[32];
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
		const char *ord = c->has_b ? (r->agrees ? "agrees" : "DISAGREES") : "-";
		if (markdown)
			fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", c->name, c->machine, pub, sim, pr, sr, fa, ord);
		else
			fprintf(f, "%-46.46s %-12s %21s %21s %8s %8s %7s %s\n", c->name, c->machine, pub, sim, pr, sr, fa, ord);
	}
}
