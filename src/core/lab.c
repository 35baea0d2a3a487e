// lab.c: a self-checking lab loaded (`osarch check`, `osarch lab make`): its
// schema, its questions checked, a student's variant and the instructor's
// key applied; see include/core/lab.h and docs/labs.md. Answering the questions:
// labcheck.c.
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
#include "lab.h"
#include "labshared.h"
#include "experiment.h"

const char *const lab_metric_names[LM__N + 1] = {
	"traps", "mode_switches", "as_switches", "ipc_messages", "vm_exits", "hypercalls",
	"tlb_flushes", "instructions", "cycles", "usec", "l1i_misses", "l1d_misses",
	"l2_misses", "llc_misses", "footprint_i_lines", "footprint_d_lines", "footprint_lines",
	"cycles_event", "io_wait_usec", "monitor_ops", "ring", "tcb_kib", NULL};

static const char *const rule_names[] = {"point", "knee", NULL};
static const char *const ring_names[] = {"user", "kernel", NULL};
static const char *const input_kinds[] = {"arch", NULL};


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
	 .help = "point (the metric at the one value) or knee (see src/core/lab.c)"},
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

void lab_errat(struct cfg_error *err, const char *path, int line, int col, const char *fmt, ...)
{
	int n = snprintf(err->msg, sizeof err->msg, "%s:%d:%d: error: ", path, line, col);
	if (n < 0 || (size_t)n >= sizeof err->msg)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof err->msg - (size_t)n, fmt, ap);
	va_end(ap);
}

int lab_is_null_node(const yaml_node_t *n)
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

int lab_find_input(const struct lab *l, const char *id)
{
	for (int i = 0; i < l->nin; i++)
		if (!strcmp(l->in[i].id, id))
			return i;
	return -1;
}

int lab_find_question(const struct lab *l, const char *id)
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
		if (lab_find_input(c->l, arch + 1) < 0) {
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
	if (lab_find_question(c->l, q->id) >= 0 || lab_find_input(c->l, q->id) >= 0) {
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
		if (!valid_id(in->id) || lab_find_input(l, in->id) >= 0) {
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
	if (keys && !lab_is_null_node(keys) && keys->type != YAML_MAPPING_NODE) {
		cfg_errorf(err, &d, keys, "'%s' is not a mapping (expected question-id: letter)", name);
		goto out;
	}
	for (yaml_node_pair_t *p = keys && keys->type == YAML_MAPPING_NODE ? keys->data.mapping.pairs.start : NULL;
	     p && p < keys->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&d.doc, p->key), *v = yaml_document_get_node(&d.doc, p->value);
		const char *ks = node_scalar(k), *vs = node_scalar(v);
		int qi = ks ? lab_find_question(l, ks) : -1;
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
