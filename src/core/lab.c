// check.c: self-checking labs (`osarch check`), see include/check.h and
// docs/labs.md.
//
// A lab file holds questions, never the figures that answer them: each
// question's expected value is computed here, when the answer is checked, by
// running the model exactly as `osarch run` does (warmup 10, reps 5, seed 1,
// unless the lab says otherwise). Multiple-choice keys are letters kept in
// the instructor's key file (--key), never in the lab folder; list questions (which monitor operations ran) are read from
// the model's own trace of the call; `spec` questions read the placement of
// the student's architecture file.
//
// The sweep rule `knee` (lab 2): given increasing sizes v1 < ... < vn and the
// metric c(v) at each, the knee is the smallest vi such that c(vj) <=
// (1 + within_pct/100) * c(vn) for every j >= i: from the knee on, a larger
// cache buys less than within_pct percent.
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "experiment.h"

const char *const lab_metric_names[LM__N + 1] = {
	"traps", "mode_switches", "as_switches", "ipc_messages", "vm_exits", "hypercalls",
	"tlb_flushes", "instructions", "cycles", "usec", "l1i_misses", "l1d_misses",
	"l2_misses", "llc_misses", "footprint_i_lines", "footprint_d_lines", "footprint_lines",
	"cycles_event", "io_wait_usec", "monitor_ops", "ring", "tcb_kib", NULL};

static const char *const rule_names[] = {"point", "knee", NULL};
static const char *const ring_names[] = {"user", "kernel", NULL};
static const char *const input_kinds[] = {"arch", NULL};

#define EXACT_SLACK 0.005 // results.csv shows two decimals: "exact" is equal to them

// ---------------------------------------------------------------- schemas

#define SZ(type, m) sizeof(((struct type *)0)->m)

#define SO(m) offsetof(struct lab_side, m)
static const struct field side_schema[] = {
	{.key = "arch", .type = F_STRING, .offset = SO(arch), .size = SZ(lab_side, arch),
	 .help = "architecture (default: the query's)"},
	{.key = "workload", .type = F_STRING, .offset = SO(workload), .size = SZ(lab_side, workload),
	 .help = "workload (default: the query's)"},
	{.key = "machine", .type = F_STRING, .offset = SO(machine), .size = SZ(lab_side, machine),
	 .help = "machine profile (default: the query's)"},
	{.key = "value", .type = F_STRING, .offset = SO(value), .size = SZ(lab_side, value),
	 .help = "the sweep value at that point (default: the query's)"},
	{0},
};
#undef SO

#define WO(m) offsetof(struct lab_sweep, m)
static const struct field sweep_schema[] = {
	{.key = "key", .type = F_STRING, .offset = WO(key), .size = SZ(lab_sweep, key), .required = 1,
	 .help = "a sweep key of experiment files, e.g. l1i.size+l1d.size"},
	{.key = "values", .type = F_STRLIST, .offset = WO(values), .required = 1,
	 .help = "rule point: one value; rule knee: increasing sizes"},
	{.key = "rule", .type = F_ENUM, .offset = WO(rule), .names = rule_names,
	 .help = "point (the metric at the one value) or knee (see src/check.c)"},
	{.key = "within_pct", .type = F_DOUBLE, .offset = WO(within_pct), .min = 0, .max = 1000,
	 .unit = "percent", .help = "knee: within this many percent of the value at the largest size"},
	{0},
};
#undef WO

#define QO(m) offsetof(struct lab_query, m)
static const struct field query_schema[] = {
	{.key = "arch", .type = F_STRING, .offset = QO(arch), .size = SZ(lab_query, arch), .required = 1,
	 .help = "architecture name or path, or $INPUT for the student's file"},
	{.key = "workload", .type = F_STRING, .offset = QO(workload), .size = SZ(lab_query, workload),
	 .help = "workload (not for ring and tcb_kib)"},
	{.key = "machine", .type = F_STRING, .offset = QO(machine), .size = SZ(lab_query, machine),
	 .help = "machine profile (default: the lab's)"},
	{.key = "service", .type = F_STRING, .offset = QO(service), .size = SZ(lab_query, service),
	 .help = "metric ring: the service whose domain's ring is asked"},
	{.key = "metric", .type = F_ENUM, .offset = QO(metric), .names = lab_metric_names, .required = 1,
	 .help = "a results.csv metric, footprint_lines, monitor_ops, ring or tcb_kib"},
	{.key = "minus", .type = F_GROUP, .offset = QO(minus), .group = side_schema,
	 .help = "subtract the same metric at this point"},
	{.key = "sweep", .type = F_GROUP, .offset = QO(sweep), .group = sweep_schema,
	 .help = "run at swept values of a machine parameter"},
	{0},
};
#undef QO

#define PO(m) offsetof(struct lab_spec, m)
static const struct field spec_schema[] = {
	{.key = "arch", .type = F_STRING, .offset = PO(arch), .size = SZ(lab_spec, arch), .required = 1,
	 .help = "the architecture to inspect ($INPUT: the student's)"},
	{.key = "services", .type = F_STRLIST, .offset = PO(services), .required = 1,
	 .help = "services that must be placed as the spec says"},
	{.key = "ring", .type = F_ENUM, .offset = PO(ring), .names = ring_names, .required = 1,
	 .help = "user (ring 3) or kernel (ring 0 or 1)"},
	{.key = "own_space", .type = F_BOOL, .offset = PO(own_space),
	 .help = "the domain has an address space of its own (not global, not the application's)"},
	{0},
};
#undef PO

static int load_choices(const struct field *f, void *dst, struct ydoc *d, yaml_node_t *node,
			struct cfg_error *err)
{
	(void)f;
	struct lab_choices *c = dst;
	if (node->type != YAML_MAPPING_NODE) {
		cfg_errorf(err, d, node, "'choices' is not a mapping (expected {a: text, b: text, ...})");
		return -1;
	}
	c->n = 0;
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&d->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&d->doc, p->value);
		const char *ks = node_scalar(k), *vs = node_scalar(v);
		if (!ks || !*ks || strlen(ks) >= sizeof c->c[0].key) {
			cfg_errorf(err, d, k, "bad choice key (expected a short label such as a)");
			return -1;
		}
		if (!vs || !*vs || strlen(vs) >= sizeof c->c[0].text) {
			cfg_errorf(err, d, v, "bad choice text (expected a string under %zu characters)",
				   sizeof c->c[0].text);
			return -1;
		}
		for (int i = 0; i < c->n; i++)
			if (!strcmp(c->c[i].key, ks)) {
				cfg_errorf(err, d, k, "duplicate choice '%s'", ks);
				return -1;
			}
		if (c->n == LAB_MAX_CHOICES) {
			cfg_errorf(err, d, k, "more than %d choices", LAB_MAX_CHOICES);
			return -1;
		}
		snprintf(c->c[c->n].key, sizeof c->c[0].key, "%s", ks);
		snprintf(c->c[c->n].orig, sizeof c->c[0].orig, "%s", ks);
		snprintf(c->c[c->n].text, sizeof c->c[0].text, "%s", vs);
		c->n++;
	}
	if (c->n < 2) {
		cfg_errorf(err, d, node, "fewer than two choices");
		return -1;
	}
	return 0;
}

#define XO(m) offsetof(struct lab_question, m)
static const struct field question_schema[] = {
	{.key = "id", .type = F_STRING, .offset = XO(id), .size = SZ(lab_question, id), .required = 1,
	 .help = "the key of the answer in the answer file"},
	{.key = "ask", .type = F_STRING, .offset = XO(ask), .size = SZ(lab_question, ask), .required = 1,
	 .help = "the question"},
	{.key = "query", .type = F_GROUP, .offset = XO(query), .group = query_schema,
	 .help = "how the model computes the expected answer"},
	{.key = "spec", .type = F_GROUP, .offset = XO(spec), .group = spec_schema,
	 .help = "a property of an architecture's placement (nothing to answer)"},
	{.key = "choices", .type = F_CUSTOM, .offset = XO(choices), .custom = load_choices,
	 .help = "multiple choice: {letter: text}"},
	{.key = "tolerance", .type = F_STRING, .offset = XO(tolerance), .size = SZ(lab_question, tolerance),
	 .help = "0 (exact, the default), N% (relative) or N (absolute)"},
	{.key = "hint", .type = F_STRING, .offset = XO(hint), .size = SZ(lab_question, hint),
	 .help = "shown on failure; {answer} is replaced by the answer"},
	{.key = "hint_high", .type = F_STRING, .offset = XO(hint_high), .size = SZ(lab_question, hint_high),
	 .help = "shown instead of hint when the answer is too high"},
	{.key = "hint_low", .type = F_STRING, .offset = XO(hint_low), .size = SZ(lab_question, hint_low),
	 .help = "shown instead of hint when the answer is too low"},
	{0},
};
#undef XO

#define IO(m) offsetof(struct lab_input, m)
static const struct field input_schema[] = {
	{.key = "id", .type = F_STRING, .offset = IO(id), .size = SZ(lab_input, id), .required = 1,
	 .help = "the key of the file's path in the answer file"},
	{.key = "ask", .type = F_STRING, .offset = IO(ask), .size = SZ(lab_input, ask), .required = 1,
	 .help = "what the student hands in"},
	{.key = "kind", .type = F_ENUM, .offset = IO(kind), .names = input_kinds, .required = 1,
	 .help = "arch: an architecture file"},
	{.key = "solution", .type = F_STRING, .offset = IO(solution), .size = SZ(lab_input, solution),
	 .required = 1, .help = "the file --print-solution names"},
	{0},
};
#undef IO

static int load_list_shape(const struct field *f, void *dst, struct ydoc *d, yaml_node_t *node,
			   struct cfg_error *err)
{
	(void)dst;
	if (node->type != YAML_SEQUENCE_NODE) {
		cfg_errorf(err, d, node, "'%s' is not a list (expected a list of mappings)", f->key);
		return -1;
	}
	return 0;
}

// `params` was read (and checked) before the file was parsed for the rest.
static int load_params_shape(const struct field *f, void *dst, struct ydoc *d, yaml_node_t *node,
			     struct cfg_error *err)
{
	(void)f, (void)dst, (void)d, (void)node, (void)err;
	return 0;
}

#define LO(m) offsetof(struct lab, m)
static const struct field lab_schema[] = {
	{.key = "lab", .type = F_INT, .offset = LO(number), .size = sizeof(int), .min = 1, .max = 99,
	 .required = 1, .help = "the lab's number (answer files repeat it)"},
	{.key = "title", .type = F_STRING, .offset = LO(title), .size = SZ(lab, title), .required = 1,
	 .help = "one line"},
	{.key = "description", .type = F_STRING, .offset = LO(description), .size = SZ(lab, description),
	 .help = "what the lab teaches"},
	{.key = "machine", .type = F_STRING, .offset = LO(machine), .size = SZ(lab, machine),
	 .help = "default machine profile of the queries (modern)"},
	{.key = "warmup", .type = F_INT, .offset = LO(warmup), .size = sizeof(int), .min = 0, .max = 10000,
	 .help = "calls before measuring (10)"},
	{.key = "reps", .type = F_INT, .offset = LO(reps), .size = sizeof(int), .min = 1, .max = 10000,
	 .help = "measured calls (5)"},
	{.key = "params", .type = F_CUSTOM, .offset = 0, .custom = load_params_shape,
	 .help = "NAME: [values]: $NAME in the lab, handout and start files; a student's variant picks one"},
	{.key = "inputs", .type = F_CUSTOM, .offset = 0, .custom = load_list_shape,
	 .help = "files the student hands in with the answers"},
	{.key = "questions", .type = F_CUSTOM, .offset = 0, .custom = load_list_shape, .required = 1,
	 .help = "the questions"},
	{0},
};
#undef LO

// ---------------------------------------------------------------- helpers

__attribute__((format(printf, 5, 6)))
static void errat(struct cfg_error *err, const char *path, int line, int col, const char *fmt, ...)
{
	int n = snprintf(err->msg, sizeof err->msg, "%s:%d:%d: error: ", path, line, col);
	if (n < 0 || (size_t)n >= sizeof err->msg)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof err->msg - (size_t)n, fmt, ap);
	va_end(ap);
}

static void fmt_num(char *buf, size_t n, double x)
{
	if (x == (double)(long long)x)
		snprintf(buf, n, "%lld", (long long)x);
	else
		snprintf(buf, n, "%.2f", x);
}

static void fmt_size(char *buf, size_t n, uint64_t b)
{
	if (b && b % (1u << 30) == 0)
		snprintf(buf, n, "%lluG", (unsigned long long)(b >> 30));
	else if (b && b % (1u << 20) == 0)
		snprintf(buf, n, "%lluM", (unsigned long long)(b >> 20));
	else if (b && b % 1024 == 0)
		snprintf(buf, n, "%lluK", (unsigned long long)(b >> 10));
	else
		snprintf(buf, n, "%llu", (unsigned long long)b);
}

static int is_null_node(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	const char *s = (const char *)n->data.scalar.value;
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

static int valid_id(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return 0;
	return 1;
}

static int find_input(const struct lab *l, const char *id)
{
	for (int i = 0; i < l->nin; i++)
		if (!strcmp(l->in[i].id, id))
			return i;
	return -1;
}

static int find_question(const struct lab *l, const char *id)
{
	for (int i = 0; i < l->nq; i++)
		if (!strcmp(l->q[i].id, id))
			return i;
	return -1;
}

// ---------------------------------------------------------------- lab loading

struct loadctx {
	struct lab *l;
	struct ydoc *d;
	struct service_set *svc;
	struct arch *a;
	struct workload *w;
};

// An architecture reference in the lab: $INPUT or a loadable architecture.
static int check_arch_ref(struct loadctx *c, const char *arch, yaml_node_t *node, struct cfg_error *err)
{
	if (arch[0] == '$') {
		if (find_input(c->l, arch + 1) < 0) {
			cfg_errorf(err, c->d, node, "unknown input '%s' (expected $ and the id of one of the lab's inputs)",
				   arch);
			return -1;
		}
		return 0;
	}
	struct cfg_error e2;
	if (arch_load(c->a, arch, c->svc, &e2)) {
		cfg_errorf(err, c->d, node, "architecture '%s' does not load (%s)", arch, e2.msg);
		return -1;
	}
	return 0;
}

static int check_workload_ref(struct loadctx *c, const char *wl, yaml_node_t *node, struct cfg_error *err)
{
	struct cfg_error e2;
	if (workload_load(c->w, wl, c->svc, &e2)) {
		cfg_errorf(err, c->d, node, "workload '%s' does not load (%s)", wl, e2.msg);
		return -1;
	}
	return 0;
}

static int check_machine_ref(struct loadctx *c, const char *m, yaml_node_t *node, struct cfg_error *err)
{
	struct profile p;
	struct cfg_error e2;
	if (profile_load(&p, m, NULL, &e2)) {
		cfg_errorf(err, c->d, node, "machine profile '%s' does not load (%s)", m, e2.msg);
		return -1;
	}
	return 0;
}

static yaml_node_t *at(struct ydoc *d, yaml_node_t *map, const char *key)
{
	yaml_node_t *n = map ? map_get(d, map, key) : NULL;
	return n ? n : map;
}

static int parse_tolerance(struct lab_question *q, struct ydoc *d, yaml_node_t *node, struct cfg_error *err)
{
	const char *t = q->tolerance[0] ? q->tolerance : "0";
	size_t len = strlen(t);
	int pct = t[len - 1] == '%';
	char num[24];
	snprintf(num, sizeof num, "%.*s", (int)(len - (size_t)pct), t);
	double v;
	if (scalar_parse_double(num, &v) || v < 0 || (pct && v > 1000)) {
		cfg_errorf(err, d, at(d, node, "tolerance"),
			   "bad tolerance '%s' (expected 0 for exact, N%% relative or N absolute, N >= 0)", t);
		return -1;
	}
	q->tol_rel = pct ? v / 100 : 0;
	q->tol_abs = pct ? 0 : v;
	return 0;
}

static int check_query(struct loadctx *c, struct lab_question *q, yaml_node_t *qn, struct cfg_error *err)
{
	struct ydoc *d = c->d;
	struct lab_query *y = &q->query;
	int m = y->metric;
	int no_wl = m == LM_RING || m == LM_TCB_KIB;
	y->has_minus = map_get(d, qn, "minus") != NULL;
	y->has_sweep = map_get(d, qn, "sweep") != NULL;
	if (check_arch_ref(c, y->arch, at(d, qn, "arch"), err))
		return -1;
	if (no_wl) {
		if (y->workload[0] || y->has_sweep || y->machine[0]) {
			cfg_errorf(err, d, qn, "metric %s is a property of the architecture (expected no workload, "
					       "machine or sweep)", lab_metric_names[m]);
			return -1;
		}
	} else {
		if (!y->workload[0]) {
			cfg_errorf(err, d, qn, "missing required key 'workload' (metric %s is measured on a workload)",
				   lab_metric_names[m]);
			return -1;
		}
		if (check_workload_ref(c, y->workload, at(d, qn, "workload"), err))
			return -1;
		if (check_machine_ref(c, y->machine[0] ? y->machine : c->l->machine, at(d, qn, "machine"), err))
			return -1;
	}
	if (m == LM_RING) {
		if (!y->service[0] || service_find(c->svc, y->service) < 0) {
			cfg_errorf(err, d, at(d, qn, "service"), "metric ring needs 'service': a service of "
								"models/services.yaml");
			return -1;
		}
	} else if (y->service[0]) {
		cfg_errorf(err, d, at(d, qn, "service"), "'service' is only for metric ring");
		return -1;
	}
	if (y->has_minus) {
		yaml_node_t *mn = map_get(d, qn, "minus");
		if (m == LM_MONITOR_OPS) {
			cfg_errorf(err, d, mn, "monitor_ops is a list: it cannot be subtracted");
			return -1;
		}
		if (y->minus.arch[0] && check_arch_ref(c, y->minus.arch, at(d, mn, "arch"), err))
			return -1;
		if (no_wl && (y->minus.workload[0] || y->minus.machine[0])) {
			cfg_errorf(err, d, mn, "metric %s takes no workload or machine", lab_metric_names[m]);
			return -1;
		}
		if (y->minus.workload[0] && check_workload_ref(c, y->minus.workload, at(d, mn, "workload"), err))
			return -1;
		if (y->minus.machine[0] && check_machine_ref(c, y->minus.machine, at(d, mn, "machine"), err))
			return -1;
		if (y->minus.value[0] && !y->has_sweep) {
			cfg_errorf(err, d, at(d, mn, "value"), "'value' needs a sweep in the query");
			return -1;
		}
	}
	if (y->has_sweep) {
		yaml_node_t *sn = map_get(d, qn, "sweep");
		struct lab_sweep *s = &y->sweep;
		if (m == LM_MONITOR_OPS) {
			cfg_errorf(err, d, sn, "monitor_ops cannot be swept");
			return -1;
		}
		uint64_t prev = 0;
		for (int i = 0; i <= s->values.n; i++) {
			struct profile p;
			struct sweep_workload sw = {UINT32_MAX, UINT32_MAX};
			struct cfg_error e2;
			const char *val = i < s->values.n ? s->values.v[i] : y->minus.value;
			if (i == s->values.n && !val[0])
				break;
			profile_defaults(&p);
			if (sweep_apply(s->key, val, &p, &sw, &e2)) {
				cfg_errorf(err, d, at(d, i < s->values.n ? sn : map_get(d, qn, "minus"), i < s->values.n ? "values" : "value"),
					   "sweep %s: %s: %s", s->key, val, e2.msg);
				return -1;
			}
			if (i == s->values.n)
				break;
			uint64_t b = 0;
			if (s->rule == LR_KNEE && (scalar_parse_size(s->values.v[i], &b) || b <= prev)) {
				cfg_errorf(err, d, at(d, sn, "values"),
					   "rule knee needs increasing sizes ('%s' is not larger than the one before)",
					   s->values.v[i]);
				return -1;
			}
			prev = b;
		}
		if (s->rule == LR_POINT && s->values.n != 1) {
			cfg_errorf(err, d, at(d, sn, "values"), "rule point takes one value (%d given)", s->values.n);
			return -1;
		}
		if (s->rule == LR_KNEE && s->values.n > 64) {
			cfg_errorf(err, d, at(d, sn, "values"), "rule knee takes at most 64 values (%d given)", s->values.n);
			return -1;
		}
		if (s->rule == LR_KNEE && s->values.n < 2) {
			cfg_errorf(err, d, at(d, sn, "values"), "rule knee needs at least two values");
			return -1;
		}
		if (s->rule == LR_KNEE && y->has_minus) {
			cfg_errorf(err, d, sn, "rule knee cannot be combined with minus");
			return -1;
		}
	}
	q->kind = m == LM_MONITOR_OPS ? LAB_LIST : (y->has_sweep && y->sweep.rule == LR_KNEE) ? LAB_SIZE : LAB_NUMBER;
	return 0;
}

static int check_question(struct loadctx *c, struct lab_question *q, yaml_node_t *qn, struct cfg_error *err)
{
	struct ydoc *d = c->d;
	if (!valid_id(q->id)) {
		cfg_errorf(err, d, at(d, qn, "id"), "bad id '%s' (expected lower-case letters, digits, '-', '_', '.')",
			   q->id);
		return -1;
	}
	if (find_question(c->l, q->id) >= 0 || find_input(c->l, q->id) >= 0) {
		cfg_errorf(err, d, at(d, qn, "id"), "duplicate id '%s'", q->id);
		return -1;
	}
	int hq = map_get(d, qn, "query") != NULL, hs = map_get(d, qn, "spec") != NULL,
	    hc = map_get(d, qn, "choices") != NULL;
	if (hq + hs + hc != 1) {
		cfg_errorf(err, d, qn, "question '%s' needs exactly one of query, spec or choices", q->id);
		return -1;
	}
	if (parse_tolerance(q, d, qn, err))
		return -1;
	if (hc) {
		q->kind = LAB_CHOICE;
	} else if (hs) {
		q->kind = LAB_SPEC;
		yaml_node_t *sn = map_get(d, qn, "spec");
		if (check_arch_ref(c, q->spec.arch, at(d, sn, "arch"), err))
			return -1;
		for (int i = 0; i < q->spec.services.n; i++)
			if (service_find(c->svc, q->spec.services.v[i]) < 0) {
				cfg_errorf(err, d, at(d, sn, "services"), "unknown service '%s' (expected services of "
									  "models/services.yaml)", q->spec.services.v[i]);
				return -1;
			}
	} else if (check_query(c, q, map_get(d, qn, "query"), err)) {
		return -1;
	}
	if (q->kind != LAB_NUMBER && (q->tol_rel > 0 || q->tol_abs > 0)) {
		cfg_errorf(err, d, at(d, qn, "tolerance"), "only numeric questions take a tolerance");
		return -1;
	}
	return 0;
}

void lab_free(struct lab *l)
{
	for (int i = 0; i < l->nq; i++) {
		strlist_free(&l->q[i].query.sweep.values);
		strlist_free(&l->q[i].spec.services);
	}
	l->nq = 0;
}

// A variant shows the choices in an order drawn from the student ID and the
// question's id, lettered a, b, c ... again; orig keeps the lab's letter.
static void shuffle_choices(struct lab_question *q, const char *student)
{
	struct lab_choices was = q->choices;
	int perm[LAB_MAX_CHOICES];
	lab_shuffle(perm, was.n, lab_seed(student, q->id));
	for (int i = 0; i < was.n; i++) {
		q->choices.c[i] = was.c[perm[i]];
		snprintf(q->choices.c[i].key, sizeof q->choices.c[i].key, "%c", 'a' + i);
	}
}

int lab_valid_student(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= LAB_ID)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-@+", *s))
			return 0;
	return 1;
}

int lab_load(struct lab *l, const char *dir, struct cfg_error *err)
{
	return lab_load_variant(l, dir, NULL, err);
}

// Parses the lab file once for its params, then again with $NAME replaced:
// the parameters may stand anywhere a name does (arch, workload, machine,
// sweep values, the question's wording). Lines do not move, so messages
// point at the file as written.
static int load_substituted(struct lab *l, struct ydoc *d, const char *student, struct cfg_error *err)
{
	size_t len;
	char *text = cfg_read_file(l->path, CFG_MAX_FILE_BYTES, &len, err), *sub = NULL;
	if (!text)
		return -1;
	struct ydoc raw;
	int rc = -1;
	if (ydoc_load_string(&raw, l->path, text, len, err))
		goto out;
	yaml_node_t *root = ydoc_root(&raw);
	l->nparam = root && root->type == YAML_MAPPING_NODE
			    ? lab_params_choose(&raw, map_get(&raw, root, "params"), student, l->param, err) : 0;
	ydoc_free(&raw);
	if (l->nparam < 0)
		goto out;
	sub = lab_substitute(text, l->param, l->nparam);
	if (!sub) {
		cfg_msgf(err, "osarch: out of memory");
		goto out;
	}
	rc = ydoc_load_string(d, l->path, sub, strlen(sub), err);
out:
	free(text);
	free(sub);
	return rc;
}

int lab_load_variant(struct lab *l, const char *dir, const char *student, struct cfg_error *err)
{
	memset(l, 0, sizeof *l);
	if (student && *student && !lab_valid_student(student)) {
		cfg_msgf(err, "osarch: bad student ID '%.60s' (expected at most %zu letters, digits, '.', '_', '-', "
			 "'@', '+')", student, sizeof l->student - 1);
		return -1;
	}
	snprintf(l->student, sizeof l->student, "%s", student ? student : "");
	size_t len = strlen(dir);
	if (len > 5 && !strcmp(dir + len - 5, ".yaml"))
		snprintf(l->path, sizeof l->path, "%s", dir);
	else
		snprintf(l->path, sizeof l->path, "%s%slab.yaml", dir, len && dir[len - 1] == '/' ? "" : "/");
	snprintf(l->machine, sizeof l->machine, "modern");
	l->warmup = 10;
	l->reps = 5;
	struct ydoc d;
	if (load_substituted(l, &d, l->student, err))
		return -1;
	struct loadctx c = {l, &d, malloc(sizeof *c.svc), malloc(sizeof *c.a), malloc(sizeof *c.w)};
	int rc = -1;
	if (!c.svc || !c.a || !c.w) {
		cfg_msgf(err, "osarch: out of memory");
		goto out;
	}
	if (load_services_default(c.svc, err))
		goto out;
	yaml_node_t *root = ydoc_root(&d);
	if (schema_load(lab_schema, l, sizeof *l, &d, root, err))
		goto out;
	if (check_machine_ref(&c, l->machine, at(&d, root, "machine"), err))
		goto out;
	yaml_node_t *ins = map_get(&d, root, "inputs");
	for (yaml_node_item_t *it = ins ? ins->data.sequence.items.start : NULL;
	     ins && it < ins->data.sequence.items.top; it++) {
		yaml_node_t *n = yaml_document_get_node(&d.doc, *it);
		if (l->nin == LAB_MAX_INPUTS) {
			cfg_errorf(err, &d, n, "more than %d inputs", LAB_MAX_INPUTS);
			goto out;
		}
		struct lab_input *in = &l->in[l->nin];
		if (schema_load(input_schema, in, sizeof *in, &d, n, err))
			goto out;
		if (!valid_id(in->id) || find_input(l, in->id) >= 0) {
			cfg_errorf(err, &d, at(&d, n, "id"), "bad or duplicate id '%s'", in->id);
			goto out;
		}
		if (arch_load(c.a, in->solution, c.svc, err))
			goto out;
		l->nin++;
	}
	yaml_node_t *qs = map_get(&d, root, "questions");
	for (yaml_node_item_t *it = qs->data.sequence.items.start; it < qs->data.sequence.items.top; it++) {
		yaml_node_t *n = yaml_document_get_node(&d.doc, *it);
		if (l->nq == LAB_MAX_QUESTIONS) {
			cfg_errorf(err, &d, n, "more than %d questions", LAB_MAX_QUESTIONS);
			goto out;
		}
		struct lab_question *q = &l->q[l->nq];
		memset(q, 0, sizeof *q);
		if (schema_load(question_schema, q, sizeof *q, &d, n, err))
			goto out;
		q->line = (int)n->start_mark.line + 1;
		q->col = (int)n->start_mark.column + 1;
		// The duplicate check looks at the questions before this one; then
		// it is counted, so that lab_free releases its lists.
		int bad = check_question(&c, q, n, err);
		l->nq++;
		if (bad)
			goto out;
		if (q->kind == LAB_CHOICE && l->student[0])
			shuffle_choices(q, l->student);
	}
	if (l->nq == 0) {
		cfg_errorf(err, &d, qs, "no questions");
		goto out;
	}
	rc = 0;
out:
	if (rc)
		lab_free(l);
	free(c.svc);
	free(c.a);
	free(c.w);
	ydoc_free(&d);
	return rc;
}

// ---------------------------------------------------------------- the instructor's key

int lab_apply_key(struct lab *l, const char *key_path, struct cfg_error *err)
{
	struct ydoc d;
	if (ydoc_load_file(&d, key_path, err))
		return -1;
	int rc = -1;
	char name[16];
	snprintf(name, sizeof name, "lab%d", l->number);
	yaml_node_t *root = ydoc_root(&d);
	if (!root || root->type != YAML_MAPPING_NODE) {
		cfg_errorf(err, &d, root, "top level is not a mapping (expected lab1: {question-id: letter}, ...)");
		goto out;
	}
	yaml_node_t *keys = map_get(&d, root, name);
	if (keys && !is_null_node(keys) && keys->type != YAML_MAPPING_NODE) {
		cfg_errorf(err, &d, keys, "'%s' is not a mapping (expected question-id: letter)", name);
		goto out;
	}
	for (yaml_node_pair_t *p = keys && keys->type == YAML_MAPPING_NODE ? keys->data.mapping.pairs.start : NULL;
	     p && p < keys->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&d.doc, p->key), *v = yaml_document_get_node(&d.doc, p->value);
		const char *ks = node_scalar(k), *vs = node_scalar(v);
		int qi = ks ? find_question(l, ks) : -1;
		if (qi < 0 || l->q[qi].kind != LAB_CHOICE) {
			cfg_errorf(err, &d, k, "'%s' is not a multiple-choice question of lab %d", ks ? ks : "", l->number);
			goto out;
		}
		struct lab_question *q = &l->q[qi];
		q->key[0] = 0;
		for (int i = 0; vs && i < q->choices.n; i++)
			if (!strcmp(q->choices.c[i].orig, vs)) {
				// memcpy, not snprintf: both strings live in *l, and gcc -O1
				// cannot tell they never overlap (-Werror=restrict).
				size_t n = strlen(q->choices.c[i].key);
				if (n < sizeof q->key)
					memcpy(q->key, q->choices.c[i].key, n + 1);
			}
		if (!q->key[0]) {
			cfg_errorf(err, &d, v, "'%s' is not a choice of '%s' (expected a letter as in %s)", vs ? vs : "",
				   q->id, l->path);
			goto out;
		}
	}
	for (int i = 0; i < l->nq; i++)
		if (l->q[i].kind == LAB_CHOICE && !l->q[i].key[0]) {
			cfg_errorf(err, &d, keys ? keys : root, "no key for question '%s' of lab %d (expected %s: {%s: "
				   "letter})", l->q[i].id, l->number, name, l->q[i].id);
			goto out;
		}
	l->keyed = 1;
	rc = 0;
out:
	ydoc_free(&d);
	return rc;
}

void lab_answer_student(const char *answer_path, char *buf, size_t n)
{
	buf[0] = 0;
	struct ydoc d;
	struct cfg_error err;
	if (ydoc_load_file(&d, answer_path, &err))
		return;
	yaml_node_t *root = ydoc_root(&d);
	const char *s = root && root->type == YAML_MAPPING_NODE ? node_scalar(map_get(&d, root, "student")) : NULL;
	if (s)
		snprintf(buf, n, "%s", s);
	ydoc_free(&d);
}

// ---------------------------------------------------------------- running the model

struct cached {
	char key[400];
	struct run_result r;
};

#define CACHE_MAX 64

struct runctx {
	const struct lab *l;
	struct service_set *svc;
	struct arch *a;
	struct workload *w;
	struct trace *tr;
	struct cached *cache;
	int ncache;
	// $INPUT architectures: the file and where the answer file names it
	const char *input_path[LAB_MAX_INPUTS];
	const char *answer_path;
	int input_line[LAB_MAX_INPUTS], input_col[LAB_MAX_INPUTS];
};

struct lab_value {
	double num;
	uint64_t size;
	int nlist;
	char list[LAB_MAX_LIST][2 * NAME_LEN];
};

// Where to report a failure of a query of question q on arch `arch`: at the
// answer file's line naming a student's file, else at the question.
static void run_errat(struct runctx *c, const struct lab_question *q, const char *arch, struct cfg_error *err,
		      const char *what)
{
	if (arch[0] == '$') {
		int i = find_input(c->l, arch + 1);
		if (c->answer_path)
			errat(err, c->answer_path, c->input_line[i], c->input_col[i], "%s: %s", c->input_path[i], what);
		else
			errat(err, c->l->path, q->line, q->col, "%s: %s", c->input_path[i], what);
	} else {
		errat(err, c->l->path, q->line, q->col, "question '%s': %s", q->id, what);
	}
}

static const char *arch_path(struct runctx *c, const char *arch)
{
	return arch[0] == '$' ? c->input_path[find_input(c->l, arch + 1)] : arch;
}

// Every architecture was loaded once already (the lab's at lab_load, a
// student's by resolve_inputs), so this fails only if a file changed since.
static int load_arch(struct runctx *c, const char *arch, struct cfg_error *err)
{
	return arch_load(c->a, arch_path(c, arch), c->svc, err) ? -1 : 0;
}

// Runs one point (cached unless traced). Returns 0 or -1 with err.
static int run_one(struct runctx *c, const struct lab_question *q, const char *arch, const char *wl,
		   const char *machine, const char *skey, const char *sval, int traced, struct run_result *out,
		   struct cfg_error *err)
{
	char key[400];
	snprintf(key, sizeof key, "%s|%s|%s|%s|%s", arch_path(c, arch), wl, machine, skey ? skey : "",
		 sval ? sval : "");
	if (!traced)
		for (int i = 0; i < c->ncache; i++)
			if (!strcmp(c->cache[i].key, key)) {
				*out = c->cache[i].r;
				return 0;
			}
	struct profile p;
	struct sweep_workload sw = {UINT32_MAX, UINT32_MAX};
	char what[700];
	if (load_arch(c, arch, err) || workload_load(c->w, wl, c->svc, err) ||
	    profile_load(&p, machine, NULL, err))
		return -1;
	if (skey && sweep_apply(skey, sval, &p, &sw, err))
		return -1;
	if (profile_check(&p, err)) {
		snprintf(what, sizeof what, "machine %s with %s = %s: %s", machine, skey ? skey : "", sval ? sval : "",
			 err->msg);
		run_errat(c, q, "", err, what);
		return -1;
	}
	if (sw.app_ws != UINT32_MAX)
		c->w->app_ws = sw.app_ws;
	if (sw.app_code != UINT32_MAX)
		c->w->app_code = sw.app_code;
	struct run_params rp = {c->l->warmup, c->l->reps, 0, 1};
	int prc = run_point(c->a, c->w, &p, &rp, out, traced ? c->tr : NULL);
	if (prc) {
		if (prc == -2)
			snprintf(what, sizeof what, "architecture %s needs %s, which machine %s does not have",
				 c->a->name, c->a->requires_ept ? "VT-x with EPT" : "VT-x", p.name);
		else if (prc == -3)
			snprintf(what, sizeof what, "the architecture cannot run %s: %s", wl, out->error);
		else
			snprintf(what, sizeof what, "machine %s cannot be built", p.name);
		run_errat(c, q, arch, err, what);
		return -1;
	}
	if (!traced && c->ncache < CACHE_MAX) {
		snprintf(c->cache[c->ncache].key, sizeof c->cache[0].key, "%s", key);
		c->cache[c->ncache++].r = *out;
	}
	return 0;
}

static double metric_of(int m, const struct run_result *r)
{
	int n = r->reps > 0 ? r->reps : 1;
	const struct counters *h = &r->hw;
	const struct os_counts *o = &r->os;
	switch (m) {
	case LM_TRAPS: return (double)o->traps / n;
	case LM_MODE_SWITCHES: return (double)o->mode_switches / n;
	case LM_AS_SWITCHES: return (double)o->as_switches / n;
	case LM_IPC_MESSAGES: return (double)o->ipc_messages / n;
	case LM_VM_EXITS: return (double)o->vm_exits / n;
	case LM_HYPERCALLS: return (double)o->hypercalls / n;
	case LM_TLB_FLUSHES: return (double)h->tlb_flushes / n;
	case LM_INSTRUCTIONS: return (double)h->instructions / n;
	case LM_CYCLES: return (double)(long long)(r->cycles * 10 + 0.5) / 10; // as results.csv
	case LM_USEC: return (double)(long long)(r->usec * 10000 + 0.5) / 10000;
	case LM_L1I_MISSES: return (double)h->l1i_misses / n;
	case LM_L1D_MISSES: return (double)h->l1d_misses / n;
	case LM_L2_MISSES: return (double)h->l2_misses / n;
	case LM_LLC_MISSES: return (double)h->llc_misses / n;
	case LM_FOOTPRINT_I: return r->fp_i;
	case LM_FOOTPRINT_D: return r->fp_d;
	case LM_FOOTPRINT: return (double)r->fp_i + r->fp_d;
	case LM_CYCLES_EVENT: return h->cyc[CYC_EVENT] / n;
	default: return o->io_wait_usec / n;
	}
}

// A scalar metric at one point (an architecture property or a run).
static int point_value(struct runctx *c, const struct lab_question *q, const char *arch, const char *wl,
		       const char *machine, const char *skey, const char *sval, double *out, struct cfg_error *err)
{
	int m = q->query.metric;
	if (m == LM_RING || m == LM_TCB_KIB) {
		if (load_arch(c, arch, err))
			return -1;
		if (m == LM_TCB_KIB) {
			*out = (double)arch_tcb_bytes(c->a) / 1024;
			return 0;
		}
		int dom = placement_of(c->a, service_find(&c->a->svc, q->query.service));
		*out = dom < 0 ? -1 : (c->a->dom[dom].vmx_root ? 0 : c->a->dom[dom].ring);
		return 0;
	}
	struct run_result r;
	if (run_one(c, q, arch, wl, machine, skey, sval, 0, &r, err))
		return -1;
	*out = metric_of(m, &r);
	return 0;
}

static void add_unique(struct lab_value *v, const char *s)
{
	for (int i = 0; i < v->nlist; i++)
		if (!strcmp(v->list[i], s))
			return;
	if (v->nlist < LAB_MAX_LIST)
		snprintf(v->list[v->nlist++], sizeof v->list[0], "%s", s);
}

// The service operations that ran in a hypervisor domain, in order, from the
// model's trace of the last measured call.
static int monitor_ops(struct runctx *c, const struct lab_question *q, const char *machine, struct lab_value *v,
		       struct cfg_error *err)
{
	struct run_result r;
	if (run_one(c, q, q->query.arch, q->query.workload, machine, NULL, NULL, 1, &r, err))
		return -1;
	for (int i = 0; i < c->tr->n; i++) {
		const struct trace_step *st = &c->tr->step[i];
		if (strlen(st->ran) + 1 >= sizeof st->ran) {
			run_errat(c, q, q->query.arch, err, "the call runs too many operations to list (use a shorter workload)");
			return -1;
		}
		char buf[sizeof st->ran];
		snprintf(buf, sizeof buf, "%s", st->ran);
		for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			char svc[NAME_LEN];
			const char *dot = strchr(tok, '.');
			if (!dot || (size_t)(dot - tok) >= sizeof svc)
				continue;
			snprintf(svc, sizeof svc, "%.*s", (int)(dot - tok), tok);
			int s = service_find(&c->a->svc, svc);
			int dom = s >= 0 ? placement_of(c->a, s) : -1;
			if (dom >= 0 && (c->a->dom[dom].hypervisor || c->a->dom[dom].vmx_root))
				add_unique(v, tok);
		}
	}
	return 0;
}

// The expected value of a query question.
static int eval_query(struct runctx *c, const struct lab_question *q, struct lab_value *v, struct cfg_error *err)
{
	const struct lab_query *y = &q->query;
	const char *machine = y->machine[0] ? y->machine : c->l->machine;
	memset(v, 0, sizeof *v);
	if (y->metric == LM_MONITOR_OPS)
		return monitor_ops(c, q, machine, v, err);
	const char *skey = y->has_sweep ? y->sweep.key : NULL;
	if (y->has_sweep && y->sweep.rule == LR_KNEE) {
		const struct strlist *vals = &y->sweep.values;
		double cyc[64], ref;
		int n = vals->n < 64 ? vals->n : 64;
		for (int i = 0; i < n; i++)
			if (point_value(c, q, y->arch, y->workload, machine, skey, vals->v[i], &cyc[i], err))
				return -1;
		ref = cyc[n - 1] * (1 + y->sweep.within_pct / 100);
		int knee = n - 1;
		while (knee > 0 && cyc[knee - 1] <= ref)
			knee--;
		scalar_parse_size(vals->v[knee], &v->size);
		return 0;
	}
	const char *sval = y->has_sweep ? y->sweep.values.v[0] : NULL;
	if (point_value(c, q, y->arch, y->workload, machine, skey, sval, &v->num, err))
		return -1;
	if (y->has_minus) {
		const struct lab_side *s = &y->minus;
		double b;
		if (point_value(c, q, s->arch[0] ? s->arch : y->arch, s->workload[0] ? s->workload : y->workload,
				s->machine[0] ? s->machine : machine, skey, s->value[0] ? s->value : sval, &b, err))
			return -1;
		v->num -= b;
	}
	return 0;
}

// A spec question: 1 if it holds, else 0 with why.
static int eval_spec(struct runctx *c, const struct lab_question *q, char *why, size_t n, struct cfg_error *err)
{
	const struct lab_spec *s = &q->spec;
	if (load_arch(c, s->arch, err))
		return -1;
	const struct arch *a = c->a;
	int app_space = a->dom[a->app_domain].space_id;
	for (int i = 0; i < s->services.n; i++) {
		int dom = placement_of(a, service_find(&a->svc, s->services.v[i]));
		if (dom < 0) {
			snprintf(why, n, "service %s is not placed in any domain.", s->services.v[i]);
			return 0;
		}
		const struct domain *dm = &a->dom[dom];
		int user = dm->ring == 3 && !dm->vmx_root;
		if (user != (s->ring == 0)) {
			snprintf(why, n, "%s runs in domain '%s', ring %d; the lab asks for %s mode.", s->services.v[i],
				 dm->name, dm->ring, s->ring == 0 ? "user" : "kernel");
			return 0;
		}
		if (s->own_space && (dm->space_id == 0 || dm->space_id == app_space)) {
			snprintf(why, n, "%s runs in domain '%s', whose space '%s' is %s; the lab asks for an "
				 "address space of its own.", s->services.v[i], dm->name, dm->space,
				 dm->space_id == 0 ? "mapped in every address space" : "the application's");
			return 0;
		}
	}
	return 1;
}

static int ctx_init(struct runctx *c, const struct lab *l, struct cfg_error *err)
{
	memset(c, 0, sizeof *c);
	c->l = l;
	c->svc = malloc(sizeof *c->svc);
	c->a = malloc(sizeof *c->a);
	c->w = malloc(sizeof *c->w);
	c->tr = malloc(sizeof *c->tr);
	c->cache = calloc(CACHE_MAX, sizeof *c->cache);
	if (!c->svc || !c->a || !c->w || !c->tr || !c->cache) {
		cfg_msgf(err, "osarch: out of memory");
		return -1;
	}
	return load_services_default(c->svc, err);
}

static void ctx_free(struct runctx *c)
{
	free(c->svc);
	free(c->a);
	free(c->w);
	free(c->tr);
	free(c->cache);
}

// ---------------------------------------------------------------- answers

struct answer {
	int given;
	int line, col;     // of the value
	int key_line, key_col; // of the key (0: not in the file)
	char text[256];    // as written (scalars), for messages
	double num;
	uint64_t size;
	int nlist;
	char list[LAB_MAX_LIST][2 * NAME_LEN];
};

struct answers {
	struct answer q[LAB_MAX_QUESTIONS];
	struct answer in[LAB_MAX_INPUTS];
	char path[600];
	int line, col;     // of `answers:`
	char student[LAB_ID];
	int student_line, student_col;
};

static void list_ids(const struct lab *l, char *buf, size_t n)
{
	buf[0] = 0;
	for (int i = 0; i < l->nin + l->nq; i++) {
		const char *id = i < l->nin ? l->in[i].id : l->q[i - l->nin].id;
		if (i >= l->nin && l->q[i - l->nin].kind == LAB_SPEC)
			continue;
		size_t len = strlen(buf);
		if (len + strlen(id) + 8 >= n) {
			snprintf(buf + len, n - len, ", ...");
			return;
		}
		snprintf(buf + len, n - len, "%s%s", len ? ", " : "", id);
	}
}

static int load_answer_value(const struct lab *l, int qi, struct answer *a, struct ydoc *d, yaml_node_t *v,
			     struct cfg_error *err)
{
	a->line = (int)v->start_mark.line + 1;
	a->col = (int)v->start_mark.column + 1;
	if (is_null_node(v))
		return 0;
	const struct lab_question *q = qi >= 0 ? &l->q[qi] : NULL;
	if (q && q->kind == LAB_LIST) {
		if (v->type != YAML_SEQUENCE_NODE) {
			cfg_errorf(err, d, v, "the answer to '%s' is not a list (expected [service.op, ...] or [])", q->id);
			return -1;
		}
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			yaml_node_t *e = yaml_document_get_node(&d->doc, *it);
			const char *s = node_scalar(e);
			if (!s || !*s || strlen(s) >= sizeof a->list[0]) {
				cfg_errorf(err, d, e, "bad list item (expected a name such as service.op)");
				return -1;
			}
			if (a->nlist == LAB_MAX_LIST) {
				cfg_errorf(err, d, e, "more than %d items", LAB_MAX_LIST);
				return -1;
			}
			snprintf(a->list[a->nlist++], sizeof a->list[0], "%s", s);
		}
		snprintf(a->text, sizeof a->text, "a list of %d", a->nlist);
		a->given = 1;
		return 0;
	}
	const char *s = node_scalar(v);
	if (!s) {
		cfg_errorf(err, d, v, "the answer to '%s' is not a single value (expected %s)", q ? q->id : l->in[-qi - 1].id,
			   q && q->kind == LAB_SIZE ? "a size such as 16K" : q && q->kind == LAB_CHOICE ? "a letter"
			   : q ? "a number" : "a path");
		return -1;
	}
	snprintf(a->text, sizeof a->text, "%s", s);
	if (!q) { // an input: a path
		a->given = 1;
		return 0;
	}
	switch (q->kind) {
	case LAB_NUMBER:
		if (scalar_parse_double(s, &a->num)) {
			cfg_errorf(err, d, v, "'%s' is not a number (expected a number for '%s')", s, q->id);
			return -1;
		}
		break;
	case LAB_SIZE:
		if (scalar_parse_size(s, &a->size)) {
			cfg_errorf(err, d, v, "'%s' is not a size (expected a size such as 16K for '%s')", s, q->id);
			return -1;
		}
		break;
	case LAB_CHOICE: {
		int ok = 0;
		char keys[200] = "";
		for (int i = 0; i < q->choices.n; i++) {
			ok |= !strcmp(q->choices.c[i].key, s);
			snprintf(keys + strlen(keys), sizeof keys - strlen(keys), "%s%s", i ? ", " : "", q->choices.c[i].key);
		}
		if (!ok) {
			cfg_errorf(err, d, v, "unknown choice '%s' for '%s' (expected one of: %s)", s, q->id, keys);
			return -1;
		}
		break;
	}
	default:
		break;
	}
	a->given = 1;
	return 0;
}

static int answers_load(const struct lab *l, const char *path, struct answers *A, struct cfg_error *err)
{
	memset(A, 0, sizeof *A);
	snprintf(A->path, sizeof A->path, "%s", path);
	struct ydoc d;
	if (ydoc_load_file(&d, path, err))
		return -1;
	int rc = -1;
	yaml_node_t *root = ydoc_root(&d);
	if (!root || root->type != YAML_MAPPING_NODE) {
		cfg_errorf(err, &d, root, "top level is not a mapping (expected lab: N and answers:)");
		goto out;
	}
	yaml_node_t *lab = NULL, *ans = NULL;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&d.doc, p->key), *v = yaml_document_get_node(&d.doc, p->value);
		const char *ks = node_scalar(k);
		yaml_node_t **slot = !ks ? NULL : !strcmp(ks, "lab") ? &lab : !strcmp(ks, "answers") ? &ans : NULL;
		if (ks && !strcmp(ks, "student")) {
			const char *sv = node_scalar(v);
			if (!sv || (*sv && !lab_valid_student(sv))) {
				cfg_errorf(err, &d, v, "'student' is not a student ID (expected the ID your handout was "
						       "made for: letters, digits, '.', '_', '-', '@', '+')");
				goto out;
			}
			snprintf(A->student, sizeof A->student, "%s", sv);
			A->student_line = (int)v->start_mark.line + 1;
			A->student_col = (int)v->start_mark.column + 1;
			continue;
		}
		if (!slot) {
			cfg_errorf(err, &d, k, "unknown key '%s' (expected one of: lab, student, answers)", ks ? ks : "");
			goto out;
		}
		if (*slot) {
			cfg_errorf(err, &d, k, "duplicate key '%s'", ks);
			goto out;
		}
		*slot = v;
	}
	if (!lab || !ans) {
		cfg_errorf(err, &d, root, "missing required key '%s'", !lab ? "lab" : "answers");
		goto out;
	}
	int64_t n;
	if (!node_scalar(lab) || scalar_parse_int(node_scalar(lab), &n) || n != l->number) {
		cfg_errorf(err, &d, lab, "this answer file is for lab %s, not lab %d (expected lab: %d)",
			   node_scalar(lab) ? node_scalar(lab) : "?", l->number, l->number);
		goto out;
	}
	A->line = (int)ans->start_mark.line + 1;
	A->col = (int)ans->start_mark.column + 1;
	if (is_null_node(ans)) {
		rc = 0;
		goto out;
	}
	if (ans->type != YAML_MAPPING_NODE) {
		cfg_errorf(err, &d, ans, "'answers' is not a mapping (expected question-id: answer)");
		goto out;
	}
	for (yaml_node_pair_t *p = ans->data.mapping.pairs.start; p < ans->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&d.doc, p->key), *v = yaml_document_get_node(&d.doc, p->value);
		const char *ks = node_scalar(k);
		int qi = ks ? find_question(l, ks) : -1, ii = ks ? find_input(l, ks) : -1;
		if ((qi < 0 && ii < 0) || (qi >= 0 && l->q[qi].kind == LAB_SPEC)) {
			char ids[400];
			list_ids(l, ids, sizeof ids);
			cfg_errorf(err, &d, k, "%s '%s' (expected one of: %s)",
				   qi >= 0 ? "nothing to answer for" : "unknown question", ks ? ks : "", ids);
			goto out;
		}
		struct answer *a = qi >= 0 ? &A->q[qi] : &A->in[ii];
		if (a->key_line) {
			cfg_errorf(err, &d, k, "duplicate answer '%s' (first at %d:%d)", ks, a->key_line, a->key_col);
			goto out;
		}
		a->key_line = (int)k->start_mark.line + 1;
		a->key_col = (int)k->start_mark.column + 1;
		if (load_answer_value(l, qi >= 0 ? qi : -ii - 1, a, &d, v, err))
			goto out;
	}
	rc = 0;
out:
	ydoc_free(&d);
	return rc;
}

// ---------------------------------------------------------------- checking

// Appends `hint` to buf with {answer} replaced.
static void put_hint(char *buf, size_t n, const char *hint, const char *answer)
{
	if (!hint || !*hint)
		return;
	size_t len = strlen(buf);
	if (len && len + 1 < n)
		buf[len++] = ' ', buf[len] = 0;
	for (const char *s = hint; *s && len + 1 < n;) {
		if (!strncmp(s, "{answer}", 8)) {
			snprintf(buf + len, n - len, "%s", answer);
			len = strlen(buf);
			s += 8;
		} else {
			buf[len++] = *s++;
			buf[len] = 0;
		}
	}
}

static const char *pick(const char *specific, const char *general)
{
	return specific && *specific ? specific : general;
}

static void judge_number(const struct lab_question *q, const struct answer *a, double want, struct lab_outcome *o)
{
	double diff = a->num - want;
	double room = q->tol_rel * fabs(want) + q->tol_abs + EXACT_SLACK;
	o->pass = fabs(diff) <= room;
	if (o->pass)
		return;
	int high = diff > 0;
	char tol[64] = "";
	if (q->tol_rel > 0)
		snprintf(tol, sizeof tol, " (not within %s of the model's figure)", q->tolerance);
	else if (q->tol_abs > 0)
		snprintf(tol, sizeof tol, " (not within %s of the model's figure)", q->tolerance);
	snprintf(o->msg, sizeof o->msg, "you answered %s: too %s%s.", a->text, high ? "high" : "low", tol);
	put_hint(o->msg, sizeof o->msg, pick(high ? q->hint_high : q->hint_low, q->hint), a->text);
}

static void judge_size(const struct lab_question *q, const struct answer *a, uint64_t want, struct lab_outcome *o)
{
	o->pass = a->size == want;
	if (o->pass)
		return;
	const struct strlist *vals = &q->query.sweep.values;
	int in = 0;
	for (int i = 0; i < vals->n; i++) {
		uint64_t b;
		in |= !scalar_parse_size(vals->v[i], &b) && b == a->size;
	}
	if (!in) {
		char all[300] = "";
		for (int i = 0; i < vals->n; i++)
			snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s", i ? ", " : "", vals->v[i]);
		snprintf(o->msg, sizeof o->msg, "you answered %s, which is not one of the swept values (%s).", a->text, all);
		put_hint(o->msg, sizeof o->msg, q->hint, a->text);
		return;
	}
	int high = a->size > want;
	snprintf(o->msg, sizeof o->msg, "you answered %s: too %s.", a->text, high ? "large" : "small");
	put_hint(o->msg, sizeof o->msg, pick(high ? q->hint_high : q->hint_low, q->hint), a->text);
}

static int in_list(const char (*list)[2 * NAME_LEN], int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(list[i], s))
			return 1;
	return 0;
}

static void judge_list(const struct lab_question *q, const struct answer *a, const struct lab_value *want,
		       struct lab_outcome *o)
{
	int missing = 0;
	char extra[400] = "";
	for (int i = 0; i < want->nlist; i++)
		missing += !in_list(a->list, a->nlist, want->list[i]);
	for (int i = 0; i < a->nlist; i++)
		if (!in_list(want->list, want->nlist, a->list[i]) && !in_list(a->list, i, a->list[i]))
			snprintf(extra + strlen(extra), sizeof extra - strlen(extra), "%s%s", extra[0] ? ", " : "",
				 a->list[i]);
	o->pass = !missing && !extra[0];
	if (o->pass)
		return;
	char ans[400] = "";
	for (int i = 0; i < a->nlist; i++)
		snprintf(ans + strlen(ans), sizeof ans - strlen(ans), "%s%s", i ? ", " : "", a->list[i]);
	snprintf(o->msg, sizeof o->msg, "you listed [%s]:", ans);
	if (extra[0])
		snprintf(o->msg + strlen(o->msg), sizeof o->msg - strlen(o->msg), " %s did not run in the monitor%s",
			 extra, missing ? ";" : ".");
	if (missing)
		snprintf(o->msg + strlen(o->msg), sizeof o->msg - strlen(o->msg), " %d operation%s missing.", missing,
			 missing == 1 ? " is" : "s are");
	put_hint(o->msg, sizeof o->msg, pick(extra[0] ? q->hint_high : q->hint_low, q->hint), ans);
}

static void judge_choice(const struct lab_question *q, const struct answer *a, struct lab_outcome *o)
{
	if (!q->key[0]) {
		o->ungraded = 1;
		snprintf(o->msg, sizeof o->msg, "not graded: the key is the instructor's (--key FILE).");
		return;
	}
	o->pass = !strcmp(a->text, q->key);
	if (!o->pass) {
		snprintf(o->msg, sizeof o->msg, "you chose %s.", a->text);
		put_hint(o->msg, sizeof o->msg, q->hint, a->text);
	}
}

// Resolves the inputs named by the answer file: each must exist and load.
static int resolve_inputs(struct runctx *c, const struct answers *A, struct cfg_error *err)
{
	const struct lab *l = c->l;
	c->answer_path = A->path;
	for (int i = 0; i < l->nin; i++) {
		const struct answer *a = &A->in[i];
		if (!a->given) {
			errat(err, A->path, a->line ? a->line : A->line, a->line ? a->col : A->col,
			      "missing '%s': %s", l->in[i].id, l->in[i].ask);
			return -1;
		}
		if (access(a->text, R_OK)) {
			errat(err, A->path, a->line, a->col, "cannot open '%s' (expected the path of your architecture "
							     "file, relative to the current directory)", a->text);
			return -1;
		}
		if (arch_load(c->a, a->text, c->svc, err))
			return -1;
		c->input_path[i] = a->text;
		c->input_line[i] = a->line;
		c->input_col[i] = a->col;
	}
	return 0;
}

int lab_check(const struct lab *l, const char *answer_path, struct lab_report *rep, struct cfg_error *err)
{
	memset(rep, 0, sizeof *rep);
	struct answers *A = malloc(sizeof *A);
	struct runctx c;
	int rc = 2;
	if (!A) {
		cfg_msgf(err, "osarch: out of memory");
		return 2;
	}
	if (ctx_init(&c, l, err) || answers_load(l, answer_path, A, err))
		goto out;
	// A variant's answers are graded only against the same variant: the
	// expected values and the letters of the choices depend on the ID.
	if (strcmp(A->student, l->student)) {
		errat(err, A->path, A->student_line ? A->student_line : 1, A->student_line ? A->student_col : 1,
		      "this answer file is for student '%s', graded as '%s' (expected student: %s)", A->student,
		      l->student, l->student[0] ? l->student : "nothing, or the ID of a variant");
		goto out;
	}
	if (resolve_inputs(&c, A, err))
		goto out;
	for (int i = 0; i < l->nq; i++) {
		const struct lab_question *q = &l->q[i];
		const struct answer *a = &A->q[i];
		struct lab_outcome *o = &rep->o[rep->n++];
		struct lab_value v;
		snprintf(o->id, sizeof o->id, "%s", q->id);
		o->answered = a->given || q->kind == LAB_SPEC;
		if (q->kind == LAB_SPEC) {
			int ok = eval_spec(&c, q, o->msg, sizeof o->msg, err);
			if (ok < 0)
				goto out;
			o->pass = ok;
			if (!ok)
				put_hint(o->msg, sizeof o->msg, q->hint, "");
		} else if (!a->given) {
			snprintf(o->msg, sizeof o->msg, "not answered.");
		} else if (q->kind == LAB_CHOICE) {
			judge_choice(q, a, o);
		} else {
			if (eval_query(&c, q, &v, err))
				goto out;
			if (q->kind == LAB_NUMBER)
				judge_number(q, a, v.num, o);
			else if (q->kind == LAB_SIZE)
				judge_size(q, a, v.size, o);
			else
				judge_list(q, a, &v, o);
		}
		rep->failed += !o->pass && !o->ungraded;
		rep->ungraded += o->ungraded;
	}
	rc = rep->failed ? 1 : 0;
out:
	ctx_free(&c);
	free(A);
	return rc;
}

void lab_report_print(FILE *out, const struct lab *l, const struct lab_report *rep)
{
	fprintf(out, "lab %d: %s\n", l->number, l->title);
	for (int i = 0; i < rep->n; i++) {
		const struct lab_outcome *o = &rep->o[i];
		if (o->pass)
			fprintf(out, "  pass  %s\n", o->id);
		else if (o->ungraded)
			fprintf(out, "  ----  %s: %s\n", o->id, o->msg);
		else
			fprintf(out, "  fail  %s: %s\n", o->id, o->msg);
	}
	fprintf(out, "%d of %d passed\n", rep->n - rep->failed - rep->ungraded, rep->n);
}

// ---------------------------------------------------------------- solution, template

// Writes text as YAML comment lines of at most ~78 columns; the first line
// starts with `first`, the others are indented as far.
static void comment_hang(FILE *out, const char *indent, const char *first, const char *text)
{
	const char *s = text;
	int lead = (int)strlen(first);
	int width = 76 - (int)strlen(indent) - lead;
	for (int line = 0; *s; line++) {
		while (*s == ' ')
			s++;
		int len = (int)strlen(s);
		if (len > width) {
			len = width;
			while (len > 0 && s[len] != ' ')
				len--;
			if (len == 0)
				len = width;
		}
		if (len > 0)
			fprintf(out, "%s# %*s%.*s\n", indent, lead, line ? "" : first, len, s);
		s += len;
	}
}

static void comment(FILE *out, const char *indent, const char *text)
{
	comment_hang(out, indent, "", text);
}

static const char *kind_help(const struct lab_question *q)
{
	switch (q->kind) {
	case LAB_NUMBER: return q->tol_rel > 0 || q->tol_abs > 0 ? "a number (checked within the tolerance above)" : "a number (checked exactly)";
	case LAB_SIZE: return "a size, one of the swept values (e.g. 16K)";
	case LAB_LIST: return "a list of service.op names, e.g. [a.b, c.d], or [] for none";
	case LAB_CHOICE: return "one letter";
	default: return "";
	}
}

// The lab as the user names it on the command line: DIR for DIR/lab.yaml.
static void lab_dir(const struct lab *l, char *buf, size_t n)
{
	size_t len = strlen(l->path), tail = strlen("/lab.yaml");
	if (len > tail && !strcmp(l->path + len - tail, "/lab.yaml"))
		len -= tail;
	snprintf(buf, n, "%.*s", (int)len, l->path);
}

static void print_header(FILE *out, const struct lab *l, const char *what)
{
	fprintf(out, "# Lab %d: %s\n", l->number, l->title);
	comment(out, "", what);
	if (l->student[0])
		fprintf(out, "lab: %d\nstudent: \"%s\"\nanswers:\n", l->number, l->student);
	else
		fprintf(out, "lab: %d\nanswers:\n", l->number);
}

static int print_answers(FILE *out, const struct lab *l, int solution, struct cfg_error *err)
{
	struct runctx c;
	int rc = 2;
	if (ctx_init(&c, l, err))
		goto out;
	for (int i = 0; i < l->nin; i++) {
		c.input_path[i] = l->in[i].solution;
		fprintf(out, "\n");
		comment(out, "  ", l->in[i].ask);
		fprintf(out, "  %s:%s%s\n", l->in[i].id, solution ? " " : "", solution ? l->in[i].solution : "");
	}
	for (int i = 0; i < l->nq; i++) {
		const struct lab_question *q = &l->q[i];
		char ask[LAB_TEXT + 64];
		fprintf(out, "\n");
		if (q->kind == LAB_SPEC) {
			snprintf(ask, sizeof ask, "(%s: checked in your architecture file, nothing to write) %s", q->id,
				 q->ask);
			comment(out, "  ", ask);
			continue;
		}
		comment(out, "  ", q->ask);
		if (q->kind == LAB_CHOICE)
			for (int k = 0; k < q->choices.n; k++) {
				char lead[16];
				snprintf(lead, sizeof lead, "  %s) ", q->choices.c[k].key);
				comment_hang(out, "  ", lead, q->choices.c[k].text);
			}
		if (q->kind == LAB_NUMBER && (q->tol_rel > 0 || q->tol_abs > 0))
			fprintf(out, "  # tolerance: %s\n", q->tolerance);
		if (!solution) {
			fprintf(out, "  # answer: %s\n  %s:\n", kind_help(q), q->id);
			continue;
		}
		char val[600];
		struct lab_value v;
		if (q->kind == LAB_CHOICE) {
			if (!q->key[0]) {
				errat(err, l->path, q->line, q->col, "question '%s' has no key (expected --key FILE)", q->id);
				goto out;
			}
			snprintf(val, sizeof val, "%s", q->key);
		} else {
			if (eval_query(&c, q, &v, err))
				goto out;
			if (q->kind == LAB_NUMBER) {
				fmt_num(val, sizeof val, v.num);
			} else if (q->kind == LAB_SIZE) {
				fmt_size(val, sizeof val, v.size);
			} else {
				snprintf(val, sizeof val, "[");
				for (int k = 0; k < v.nlist; k++)
					snprintf(val + strlen(val), sizeof val - strlen(val), "%s%s", k ? ", " : "", v.list[k]);
				snprintf(val + strlen(val), sizeof val - strlen(val), "]");
			}
		}
		fprintf(out, "  %s: %s\n", q->id, val);
	}
	rc = 0;
out:
	ctx_free(&c);
	return rc;
}

int lab_print_solution(FILE *out, const struct lab *l, struct cfg_error *err)
{
	char what[900], dir[600];
	lab_dir(l, dir, sizeof dir);
	snprintf(what, sizeof what, "The model's own answers, generated by `osarch check %s --print-solution` "
		 "(osarch %s). Do not edit: regenerate.", dir, OSARCH_VERSION);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m) {
		cfg_msgf(err, "osarch: out of memory");
		return 2;
	}
	print_header(m, l, what);
	int rc = print_answers(m, l, 1, err);
	fclose(m);
	if (!rc)
		fwrite(buf, 1, len, out); // nothing is written unless every answer was computed
	free(buf);
	return rc;
}

int lab_print_template(FILE *out, const struct lab *l, struct cfg_error *err)
{
	char what[900], dir[600];
	lab_dir(l, dir, sizeof dir);
	snprintf(what, sizeof what, "Fill in each answer after its question, then run `osarch check %s "
		 "YOUR-FILE.yaml`. An empty answer counts as not answered.", dir);
	print_header(out, l, what);
	return print_answers(out, l, 0, err);
}

// ---------------------------------------------------------------- CLI

static const char usage_check[] =
	"usage: osarch check LAB-DIR ANSWER.yaml [--key FILE] [--student ID] [--format text|gradescope] [-o FILE]\n"
	"       osarch check LAB-DIR SUBMISSIONS/ --grades GRADES.csv [--key FILE]\n"
	"       osarch check LAB-DIR --print-solution --key FILE [--student ID]\n"
	"       osarch check LAB-DIR --print-template [--student ID]\n"
	"\n"
	"Checks the answers of a lab (labs/N/) against the model: each question of\n"
	"LAB-DIR/lab.yaml is computed by running the simulator, and a line `pass ID`\n"
	"or `fail ID: what was wrong and a hint` is printed for each. The answer\n"
	"file's `student:` names the variant it was made for (`osarch lab make`);\n"
	"the variant is rebuilt from LAB-DIR and that ID.\n"
	"Exit 0 when every graded answer passes, 1 when one fails, 2 on a bad lab,\n"
	"key or answer file.\n"
	"\n"
	"  --key FILE        the instructor's key file (instructor/keys.yaml): grades\n"
	"                    the multiple-choice questions (without it they are not graded)\n"
	"  --student ID      grade as this student's variant (the answer file must agree)\n"
	"  --format gradescope  write Gradescope's autograder results.json instead of\n"
	"                    text (exit 0 unless the lab or key is bad)\n"
	"  -o FILE           write the output to FILE instead of standard output\n"
	"  --grades CSV      grade every SUBMISSIONS/ID.yaml, one row per student\n"
	"  --print-solution  print an answer file filled from the model and the key\n"
	"  --print-template  print an empty answer file with the questions as comments\n";

struct check_args {
	const char *dir, *answer, *key, *student, *out, *grades;
	int mode;       // 0 check, 1 solution, 2 template
	int gradescope;
};

static int check_usage(const char *what, const char *arg)
{
	fprintf(stderr, "osarch: ");
	fprintf(stderr, what, arg);
	fprintf(stderr, "\n%s", usage_check);
	return 2;
}

static int parse_check_args(int argc, char **argv, struct check_args *a)
{
	memset(a, 0, sizeof *a);
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		const char **slot = !strcmp(s, "--key") ? &a->key : !strcmp(s, "--student") ? &a->student
				  : !strcmp(s, "-o") ? &a->out : !strcmp(s, "--grades") ? &a->grades : NULL;
		if (slot || !strcmp(s, "--format")) {
			if (i + 1 >= argc)
				return check_usage("%s needs a value", s);
			i++;
			if (slot)
				*slot = argv[i];
			else if (!strcmp(argv[i], "gradescope") || !strcmp(argv[i], "text"))
				a->gradescope = argv[i][0] == 'g';
			else
				return check_usage("unknown format '%s' (expected text or gradescope)", argv[i]);
		} else if (!strcmp(s, "--print-solution") || !strcmp(s, "--print-template")) {
			a->mode = s[8] == 's' ? 1 : 2;
		} else if (s[0] == '-' && s[1]) {
			return check_usage("unknown option '%s'", s);
		} else if (!a->dir) {
			a->dir = s;
		} else if (!a->answer) {
			a->answer = s;
		} else {
			return check_usage("unexpected '%s'", s);
		}
	}
	if (!a->dir)
		return check_usage("%s", "missing LAB-DIR");
	if (a->mode && a->answer)
		return check_usage("%s", "--print-solution and --print-template take no answer file");
	if (!a->mode && !a->answer)
		return check_usage("%s", "missing ANSWER.yaml");
	if (a->mode == 1 && !a->key)
		return check_usage("%s", "--print-solution needs the instructor's key (--key FILE)");
	if (a->grades && (a->mode || a->gradescope || a->student || a->out))
		return check_usage("%s", "--grades takes a folder of answer files and --key only");
	if (a->student && !lab_valid_student(a->student))
		return check_usage("bad student ID '%s' (expected letters, digits, '.', '_', '-', '@', '+')",
				   a->student);
	return 0;
}

int cmd_check(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage_check, stdout);
			return 0;
		}
	struct check_args a;
	if (parse_check_args(argc, argv, &a))
		return 2;
	struct cfg_error err;
	if (a.grades) {
		int rc = lab_grade_dir(a.dir, a.answer, a.key, a.grades, &err);
		if (rc)
			fprintf(stderr, "%s\n", err.msg);
		return rc;
	}
	char student[LAB_ID] = "";
	if (a.student)
		snprintf(student, sizeof student, "%s", a.student);
	else if (a.answer)
		lab_answer_student(a.answer, student, sizeof student);
	if (student[0] && !lab_valid_student(student))
		student[0] = 0; // the answer loader reports the bad line
	struct lab *l = malloc(sizeof *l);
	struct lab_report *rep = malloc(sizeof *rep);
	FILE *out = stdout;
	int rc = 1;
	if (!l || !rep) {
		fprintf(stderr, "osarch: out of memory\n");
		goto out;
	}
	if (lab_load_variant(l, a.dir, student, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		rc = 2;
		goto out;
	}
	if (a.key && lab_apply_key(l, a.key, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		rc = 2;
		goto free_lab;
	}
	if (a.out && !(out = fopen(a.out, "w"))) {
		fprintf(stderr, "%s: cannot write: %s\n", a.out, strerror(errno));
		out = stdout;
		rc = 1;
		goto free_lab;
	}
	if (a.mode == 1)
		rc = lab_print_solution(out, l, &err);
	else if (a.mode == 2)
		rc = lab_print_template(out, l, &err);
	else {
		rc = lab_check(l, a.answer, rep, &err);
		if (a.gradescope) {
			// The autograder's job is the JSON: a bad answer file scores 0
			// with its message, and the run succeeds.
			if (lab_report_gradescope(out, l, rep, rc == 2 ? err.msg : NULL)) {
				fprintf(stderr, "osarch: cannot write the results\n");
				rc = 1;
				goto free_lab;
			}
			rc = 0;
		} else if (rc != 2) {
			lab_report_print(out, l, rep);
		}
	}
	if (rc == 2)
		fprintf(stderr, "%s\n", err.msg);
free_lab:
	lab_free(l);
out:
	if (out != stdout && fclose(out) && rc == 0) {
		fprintf(stderr, "%s: cannot write: %s\n", a.out, strerror(errno));
		rc = 1;
	}
	free(l);
	free(rep);
	return rc;
}
