// labcheck.c: a lab's questions answered by the model (each expected value
// computed when the answer is checked, from the trace of the call where a
// question lists operations), a student's answers judged against them, and
// the solution and the empty answer file written (include/core/lab.h).
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "lab.h"
#include "experiment.h"

#include "labshared.h"

#define EXACT_SLACK 0.005 // results.csv shows two decimals: "exact" is equal to them

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
		int i = lab_find_input(c->l, arch + 1);
		if (c->answer_path)
			lab_errat(err, c->answer_path, c->input_line[i], c->input_col[i], "%s: %s", c->input_path[i], what);
		else
			lab_errat(err, c->l->path, q->line, q->col, "%s: %s", c->input_path[i], what);
	} else {
		lab_errat(err, c->l->path, q->line, q->col, "question '%s': %s", q->id, what);
	}
}

static const char *arch_path(struct runctx *c, const char *arch)
{
	return arch[0] == '$' ? c->input_path[lab_find_input(c->l, arch + 1)] : arch;
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
	if (lab_is_null_node(v))
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
	if (lab_is_null_node(ans)) {
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
		int qi = ks ? lab_find_question(l, ks) : -1, ii = ks ? lab_find_input(l, ks) : -1;
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
			lab_errat(err, A->path, a->line ? a->line : A->line, a->line ? a->col : A->col,
			      "missing '%s': %s", l->in[i].id, l->in[i].ask);
			return -1;
		}
		if (access(a->text, R_OK)) {
			lab_errat(err, A->path, a->line, a->col, "cannot open '%s' (expected the path of your architecture "
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
		lab_errat(err, A->path, A->student_line ? A->student_line : 1, A->student_line ? A->student_col : 1,
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
				lab_errat(err, l->path, q->line, q->col, "question '%s' has no key (expected --key FILE)", q->id);
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
