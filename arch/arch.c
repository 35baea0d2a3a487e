// arch.c: loading an architecture (arch/NAME.yaml): domains, placement,
// transports and the rules that pick a transport for each crossing.
// The YAML schema is documented in README.md ("Architecture files").
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include "osmodel.h"

const char *const step_names[STEP__N] = {
	[STEP_TRAP] = "trap",           [STEP_EXCEPTION] = "exception", [STEP_INTERRUPT] = "interrupt",
	[STEP_LEAVE] = "leave",         [STEP_RUN] = "run",             [STEP_SPACE] = "space",
	[STEP_COPY_IN] = "copy_in",     [STEP_COPY_OUT] = "copy_out",   [STEP_MESSAGE] = "message",
	[STEP_IDLE] = "idle",           [STEP_HYPERCALL] = "hypercall", [STEP_VMEXIT] = "vmexit",
	[STEP_VMENTRY] = "vmentry",     [STEP_ENTER] = "enter",         [STEP_CALL] = "call",
	[STEP_HANDOFF] = "handoff",
	[STEP_SCHEDULE] = "schedule",
	[STEP_GRANT] = "grant",         [STEP_HIDDEN_FAULT] = "hidden_fault",
	[STEP_RELOAD_CR3] = "reload_cr3", [STEP_DISCARD_SHADOWS] = "discard_shadows",
	[STEP_HANDLER] = "handler",
};

const char *const edge_names[EDGE__N] = {[EDGE_CALL] = "call", [EDGE_FAULT] = "fault",
					 [EDGE_DEVICE] = "device", [EDGE_INTERRUPT] = "interrupt"};

static yaml_node_t *nd(struct ydoc *d, int id) { return yaml_document_get_node(&d->doc, id); }

#define FOR_PAIRS(p, map) \
	for (yaml_node_pair_t *p = (map)->data.mapping.pairs.start; p < (map)->data.mapping.pairs.top; p++)

static int need_map(struct ydoc *d, yaml_node_t *n, const char *what, const char *expected,
		    struct cfg_error *err)
{
	if (n->type == YAML_MAPPING_NODE)
		return 0;
	cfg_errorf(err, d, n, "'%s' is not a mapping (expected %s)", what, expected);
	return -1;
}

static int name_of(struct ydoc *d, yaml_node_t *n, char *out, const char *what, struct cfg_error *err)
{
	const char *s = node_scalar(n);
	if (!s || !s[0] || strlen(s) >= NAME_LEN) {
		cfg_errorf(err, d, n, "bad %s (expected a name of 1..%d characters)", what, NAME_LEN - 1);
		return -1;
	}
	snprintf(out, NAME_LEN, "%s", s);
	return 0;
}

static int find_service_op(const struct arch *a, const char *text, int *svc, int *op);

// ---- domains ----

struct domain_file {
	int ring;
	int vmx_root;
	int vm;
	int nested;
	char space[NAME_LEN];
	int small;
	int per_process;
	int hypervisor;
	int global_pages;
	char translated_by[2 * NAME_LEN];
	char global[NAME_LEN];
};

#define DF(m) offsetof(struct domain_file, m)
static const struct field domain_schema[] = {
	{.key = "ring", .type = F_INT, .offset = DF(ring), .size = 4, .min = 0, .max = 3, .required = 1,
	 .help = "privilege ring: 0 kernel, 1 paravirtual guest kernel, 3 user"},
	{.key = "vmx_root", .type = F_BOOL, .offset = DF(vmx_root), .help = "runs in VMX root mode (a hypervisor)"},
	{.key = "vm", .type = F_INT, .offset = DF(vm), .size = 4, .min = 0, .max = 255,
	 .help = "0 for the host, n for guest n"},
	{.key = "nested", .type = F_BOOL, .offset = DF(nested), .help = "guest translated by EPT/NPT (2-D walks)"},
	{.key = "space", .type = F_STRING, .offset = DF(space), .size = NAME_LEN, .required = 1,
	 .help = "address-space name; 'global' is mapped in every space"},
	{.key = "small", .type = F_BOOL, .offset = DF(small), .help = "L4 small space: entered without a CR3 write"},
	{.key = "per_process", .type = F_BOOL, .offset = DF(per_process),
	 .help = "one instance per process (the application's own domain)"},
	{.key = "hypervisor", .type = F_BOOL, .offset = DF(hypervisor),
	 .help = "the monitor itself (VMX root or a paravirtualising hypervisor): never intercepted"},
	{.key = "global", .type = F_STRING, .offset = DF(global), .size = NAME_LEN,
	 .help = "which of a kernel domain's mappings are global pages: all, none, text-without-pcid"},
	{.key = "global_pages", .type = F_BOOL, .offset = DF(global_pages),
	 .help = "false: its kernel-address pages are never global (Xen forbids it for a 64-bit PV guest kernel)"},
	{.key = "translated_by", .type = F_STRING, .offset = DF(translated_by), .size = 2 * NAME_LEN,
	 .help = "service.op of a binary translator: code runs from its translation cache"},
	{0},
};
#undef DF

// Space ids: 0 for "global", then 1.. in order of first mention (by domain
// index, so an option that redefines a domain keeps the others' ids).
static void resolve_spaces(struct arch *a)
{
	char spaces[MAX_DOMAINS][NAME_LEN];
	int nspaces = 0;
	for (int k = 0; k < a->ndom; k++) {
		struct domain *dom = &a->dom[k];
		if (!strcmp(dom->space, "global")) {
			dom->space_id = 0;
			continue;
		}
		int i;
		for (i = 0; i < nspaces; i++)
			if (!strcmp(spaces[i], dom->space))
				break;
		if (i == nspaces)
			snprintf(spaces[nspaces++], NAME_LEN, "%s", dom->space);
		dom->space_id = i + 1;
	}
}

// `redefine`: an option's domains replace the domain of the same name.
static int load_domains(struct arch *a, struct ydoc *d, yaml_node_t *n, int redefine,
			struct cfg_error *err)
{
	if (need_map(d, n, "domains", "{name: {ring: N, space: NAME}}", err))
		return -1;
	FOR_PAIRS(p, n) {
		yaml_node_t *k = nd(d, p->key);
		char name[NAME_LEN];
		if (name_of(d, k, name, "domain name", err))
			return -1;
		int at = arch_domain_find(a, name);
		if (at >= 0 && !redefine) {
			cfg_errorf(err, d, k, "duplicate domain '%s'", name);
			return -1;
		}
		if (at < 0 && a->ndom >= MAX_DOMAINS) {
			cfg_errorf(err, d, k, "too many domains (expected at most %d)", MAX_DOMAINS);
			return -1;
		}
		struct domain_file f = {0};
		f.global_pages = 1;
		if (schema_load(domain_schema, &f, sizeof f, d, nd(d, p->value), err))
			return -1;
		if (f.ring == 2) {
			cfg_errorf(err, d, nd(d, p->value), "ring 2 is not modelled (expected 0, 1 or 3)");
			return -1;
		}
		struct domain nw;
		memset(&nw, 0, sizeof nw);
		snprintf(nw.name, sizeof nw.name, "%s", name);
		nw.ring = f.ring, nw.vmx_root = f.vmx_root, nw.vm = f.vm, nw.nested = f.nested;
		nw.small = f.small, nw.per_process = f.per_process;
		nw.hypervisor = f.hypervisor || f.vmx_root;
		nw.no_global = !f.global_pages;
		static const char *const gnames[] = {"all", "none", "text-without-pcid"};
		nw.global = f.global[0] ? -1 : DGLOBAL_ALL;
		for (int g = 0; g < 3 && nw.global < 0; g++)
			if (!strcmp(f.global, gnames[g]))
				nw.global = g;
		if (nw.global < 0) {
			cfg_errorf(err, d, map_get(d, nd(d, p->value), "global"),
				   "bad value for 'global': '%s' (expected all, none or text-without-pcid)", f.global);
			return -1;
		}
		nw.translator_svc = nw.translator_op = -1;
		if (f.translated_by[0] && find_service_op(a, f.translated_by, &nw.translator_svc, &nw.translator_op)) {
			cfg_errorf(err, d, map_get(d, nd(d, p->value), "translated_by"),
				   "unknown operation '%s' (expected service.op)", f.translated_by);
			return -1;
		}
		snprintf(nw.space, sizeof nw.space, "%s", f.space);
		a->dom[at >= 0 ? at : a->ndom++] = nw;
	}
	resolve_spaces(a);
	return 0;
}

// ---- transports ----

static int find_service_op(const struct arch *a, const char *text, int *svc, int *op)
{
	char buf[2 * NAME_LEN];
	snprintf(buf, sizeof buf, "%s", text);
	char *dot = strchr(buf, '.');
	if (!dot)
		return -1;
	*dot = 0;
	*svc = service_find(&a->svc, buf);
	if (*svc < 0)
		return -1;
	*op = op_find(&a->svc.s[*svc], dot + 1);
	return *op < 0 ? -1 : 0;
}

static int step_kind_of(const char *s)
{
	for (int i = 0; i < STEP__N; i++)
		if (!strcmp(s, step_names[i]))
			return i;
	if (!strcmp(s, "copy")) // not a step: say what to write instead
		return -2;
	return -1;
}

static int load_step(struct arch *a, struct step *st, struct ydoc *d, yaml_node_t *n,
		     struct cfg_error *err)
{
	memset(st, 0, sizeof *st);
	st->target = TGT_DST;
	st->in_dom = -1;
	yaml_node_t *kn = n, *vn = NULL, *in_node = NULL;
	if (n->type == YAML_MAPPING_NODE) {
		yaml_node_pair_t *p = n->data.mapping.pairs.start;
		if (p == n->data.mapping.pairs.top) {
			cfg_errorf(err, d, n, "empty step (expected e.g. trap, {run: svc.op}, {space: dst})");
			return -1;
		}
		kn = nd(d, p->key), vn = nd(d, p->value);
		for (yaml_node_pair_t *q = p + 1; q < n->data.mapping.pairs.top; q++) {
			const char *extra = node_scalar(nd(d, q->key));
			if (extra && !strcmp(extra, "in")) {
				const char *dn = node_scalar(nd(d, q->value));
				in_node = nd(d, q->value);
				st->in_dom = dn ? arch_domain_find(a, dn) : -1;
				if (st->in_dom < 0) {
					cfg_errorf(err, d, in_node, "unknown domain '%s' (expected a domain of this file)",
						   dn ? dn : "");
					return -1;
				}
				continue;
			}
			if (!extra || strcmp(extra, "why")) {
				cfg_errorf(err, d, nd(d, q->key), "unknown key '%s' in a step (expected: why, in)",
					   extra ? extra : "");
				return -1;
			}
			if (name_of(d, nd(d, q->value), st->why, "why", err))
				return -1;
		}
	}
	const char *k = node_scalar(kn);
	st->kind = k ? step_kind_of(k) : -1;
	if (st->kind < 0) {
		char names[400] = "";
		for (int i = 0; i < STEP__N; i++)
			snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "", step_names[i]);
		cfg_errorf(err, d, kn, "unknown step '%s' (expected one of: %s)", k ? k : "", names);
		return -1;
	}
	if (!vn)
		return st->kind == STEP_RUN ? (cfg_errorf(err, d, kn, "'run' needs an operation (expected {run: service.op})"), -1) : 0;
	const char *v = node_scalar(vn);
	if (!v) {
		cfg_errorf(err, d, vn, "step argument is not a scalar (expected a name)");
		return -1;
	}
	if (in_node && st->kind != STEP_RUN) {
		cfg_errorf(err, d, in_node, "'in' applies to a run step only (expected {run: service.op, in: DOMAIN})");
		return -1;
	}
	if (st->kind == STEP_RUN) {
		if (find_service_op(a, v, &st->service, &st->op)) {
			cfg_errorf(err, d, vn, "unknown operation '%s' (expected service.op of a known service)", v);
			return -1;
		}
		return 0;
	}
	if (!strcmp(v, "dst"))
		st->target = TGT_DST;
	else if (!strcmp(v, "src"))
		st->target = TGT_SRC;
	else {
		// "domain@dst" / "domain@src": the instance of a per-process domain
		// that belongs to the destination's (source's) process, e.g. the
		// resuming process's kernel page table under page-table isolation.
		char dn[NAME_LEN];
		snprintf(dn, sizeof dn, "%s", v);
		char *at = strchr(dn, '@');
		st->of = -1;
		if (at) {
			*at++ = 0;
			st->of = !strcmp(at, "dst") ? TGT_DST : !strcmp(at, "src") ? TGT_SRC : -2;
		}
		st->target = TGT_NAMED;
		st->domain = arch_domain_find(a, dn);
		if (st->domain < 0 || st->of == -2) {
			cfg_errorf(err, d, vn, "unknown domain '%s' (expected src, dst, a domain name or DOMAIN@dst, DOMAIN@src)", v);
			return -1;
		}
	}
	return 0;
}

static int load_steps(struct arch *a, struct step *steps, int *n, struct ydoc *d, yaml_node_t *list,
		      struct cfg_error *err)
{
	if (list->type != YAML_SEQUENCE_NODE) {
		cfg_errorf(err, d, list, "steps are not a list (expected [trap, {run: svc.op}, ...])");
		return -1;
	}
	*n = 0;
	for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++) {
		if (*n >= MAX_STEPS) {
			cfg_errorf(err, d, nd(d, *it), "too many steps (expected at most %d)", MAX_STEPS);
			return -1;
		}
		if (load_step(a, &steps[(*n)++], d, nd(d, *it), err))
			return -1;
	}
	return 0;
}

static int transport_find(const struct arch *a, const char *name)
{
	for (int i = 0; i < a->ntr; i++)
		if (!strcmp(a->tr[i].name, name))
			return i;
	return -1;
}

// `redefine`: an option's transports replace the transport of the same name.
static int load_transports(struct arch *a, struct ydoc *d, yaml_node_t *n, int redefine,
			   struct cfg_error *err)
{
	if (need_map(d, n, "transports", "{name: {call: [steps], return: [steps]}}", err))
		return -1;
	FOR_PAIRS(p, n) {
		yaml_node_t *k = nd(d, p->key), *v = nd(d, p->value);
		char tname[NAME_LEN];
		if (name_of(d, k, tname, "transport name", err))
			return -1;
		int at = transport_find(a, tname);
		if (at >= 0 && !redefine) {
			cfg_errorf(err, d, k, "duplicate transport '%s'", tname);
			return -1;
		}
		if (at < 0 && a->ntr >= MAX_TRANSPORTS) {
			cfg_errorf(err, d, k, "too many transports (expected at most %d)", MAX_TRANSPORTS);
			return -1;
		}
		struct transport nt; // built aside, so a failed redefinition leaves the old one
		struct transport *t = &nt;
		memset(t, 0, sizeof *t);
		t->nret = -1;
		snprintf(t->name, sizeof t->name, "%s", tname);
		if (need_map(d, v, t->name, "call, return, via_kernel, batch, register_bytes", err))
			return -1;
		int have_call = 0;
		FOR_PAIRS(q, v) {
			yaml_node_t *qk = nd(d, q->key), *qv = nd(d, q->value);
			const char *key = node_scalar(qk);
			key = key ? key : "";
			if (!strcmp(key, "call")) {
				if (load_steps(a, t->call, &t->ncall, d, qv, err))
					return -1;
				have_call = 1;
			} else if (!strcmp(key, "return")) {
				if (load_steps(a, t->ret, &t->nret, d, qv, err))
					return -1;
			} else if (!strcmp(key, "register_bytes")) {
				const char *sv = node_scalar(qv);
				uint64_t b;
				if (!sv || scalar_parse_size(sv, &b) || b > 256) {
					cfg_errorf(err, d, qv, "bad value for 'register_bytes' (expected bytes, 0..256)");
					return -1;
				}
				t->register_bytes = (uint32_t)b;
			} else if (!strcmp(key, "via_kernel") || !strcmp(key, "batch") || !strcmp(key, "event_idx")) {
				const char *s = node_scalar(qv);
				int64_t x;
				int b, flag = key[0] != 'b';
				if (flag ? (!s || scalar_parse_bool(s, &b)) : (!s || scalar_parse_int(s, &x) || x < 1 || x > 4096)) {
					cfg_errorf(err, d, qv, "bad value for '%s' (expected %s)", key,
						   flag ? "true or false" : "an integer 1..4096");
					return -1;
				}
				if (key[0] == 'v') t->via_kernel = b; else if (key[0] == 'e') t->event_idx = b; else t->batch = (int)x;
			} else {
				cfg_errorf(err, d, qk, "unknown key '%s' (expected one of: call, return, via_kernel, batch, event_idx, register_bytes)", key);
				return -1;
			}
		}
		if (!have_call) {
			cfg_errorf(err, d, v, "missing required key 'call'");
			return -1;
		}
		a->tr[at >= 0 ? at : a->ntr++] = *t;
	}
	return 0;
}


// ---- placement, crossings, sensitive operations ----

static int load_placement(struct arch *a, struct ydoc *d, yaml_node_t *n, struct cfg_error *err)
{
	if (need_map(d, n, "placement", "{service: domain}", err))
		return -1;
	FOR_PAIRS(p, n) {
		yaml_node_t *k = nd(d, p->key), *v = nd(d, p->value);
		const char *sname = node_scalar(k), *dname = node_scalar(v);
		// "service@process" places the service for one process's calls only
		// (two OS personalities over one file server).
		char sbuf[2 * NAME_LEN];
		int proc = -1, op = -1;
		snprintf(sbuf, sizeof sbuf, "%s", sname ? sname : "");
		// "service.op" places one operation apart from its service (an
		// exokernel's kernel allocates the page its library OS maps).
		char *dot = strchr(sbuf, '.');
		if (dot)
			*dot++ = 0;
		char *at = strchr(dot ? dot : sbuf, '@');
		if (at) {
			*at++ = 0;
			proc = !strcmp(at, "app") ? 0 : !strcmp(at, "peer") ? 1 : !strcmp(at, "child") ? 2 : -2;
			if (proc == -2) {
				cfg_errorf(err, d, k, "unknown process '%s' (expected service@app, @peer or @child)", at);
				return -1;
			}
		}
		if (sname)
			sname = sbuf;
		int s = sname ? service_find(&a->svc, sname) : -1;
		if (s < 0) {
			cfg_errorf(err, d, k, "unknown service '%s' (expected a service of models/services.yaml or this file)",
				   sname ? sname : "");
			return -1;
		}
		if (dot && (op = op_find(&a->svc.s[s], dot)) < 0) {
			cfg_errorf(err, d, k, "unknown operation '%s.%s' (expected service or service.op)", sname, dot);
			return -1;
		}
		int dom = dname ? arch_domain_find(a, dname) : -1;
		if (dom < 0) {
			cfg_errorf(err, d, v, "unknown domain '%s' (expected a domain of this file)", dname ? dname : "");
			return -1;
		}
		int i;
		for (i = 0; i < a->nplace; i++)
			if (a->place[i].service == s && a->place[i].proc == proc && a->place[i].op == op)
				break;
		if (i == a->nplace) {
			if (a->nplace >= MAX_PLACEMENT) {
				cfg_errorf(err, d, k, "too many placements");
				return -1;
			}
			a->nplace++;
		}
		a->place[i].service = s;
		a->place[i].domain = dom;
		a->place[i].proc = proc;
		a->place[i].op = op;
	}
	return 0;
}

static int pattern_ok(const struct arch *a, const char *s)
{
	if (s[0] == '@')
		return service_find(&a->svc, s + 1) >= 0;
	return !strcmp(s, "*") || !strcmp(s, "user") || !strcmp(s, "kernel") || !strcmp(s, "same") ||
	       arch_domain_find(a, s) >= 0;
}

static int load_crossings(struct arch *a, struct ydoc *d, yaml_node_t *n, struct cfg_error *err)
{
	if (need_map(d, n, "crossings", "{call: {user->kernel: trap}, fault: ..., device: ..., interrupt: ...}", err))
		return -1;
	FOR_PAIRS(p, n) {
		yaml_node_t *k = nd(d, p->key), *v = nd(d, p->value);
		const char *kind = node_scalar(k);
		int e;
		for (e = 0; e < EDGE__N; e++)
			if (kind && !strcmp(kind, edge_names[e]))
				break;
		if (e == EDGE__N) {
			cfg_errorf(err, d, k, "unknown edge kind '%s' (expected one of: call, fault, device, interrupt)", kind ? kind : "");
			return -1;
		}
		if (need_map(d, v, edge_names[e], e == EDGE_DEVICE ? "{waiting-domain: transport} or {waiting->handler: transport}" : "{from->to: transport}", err))
			return -1;
		FOR_PAIRS(q, v) {
			yaml_node_t *qk = nd(d, q->key), *qv = nd(d, q->value);
			const char *pat = node_scalar(qk), *tn = node_scalar(qv);
			if (a->nrules >= MAX_RULES) {
				cfg_errorf(err, d, qk, "too many crossing rules (expected at most %d)", MAX_RULES);
				return -1;
			}
			struct rule *r = &a->rules[a->nrules];
			memset(r, 0, sizeof *r);
			r->kind = e;
			const char *arrow = pat ? strstr(pat, "->") : NULL;
			if (e == EDGE_DEVICE && !arrow) {
				// A device wait happens in the waiting domain and returns
				// there. WAITER->HANDLER (below) names also where the
				// device's handler runs: a domain, or @service.
				if (!pat || strlen(pat) >= NAME_LEN || !pattern_ok(a, pat)) {
					cfg_errorf(err, d, qk, "bad driver domain '%s' (expected user, kernel, * or a domain name)", pat ? pat : "");
					return -1;
				}
				snprintf(r->from, NAME_LEN, "%s", pat);
				snprintf(r->to, NAME_LEN, "same");
			} else {
				if (!arrow || arrow == pat || (size_t)(arrow - pat) >= NAME_LEN || strlen(arrow + 2) >= NAME_LEN) {
					cfg_errorf(err, d, qk, "bad crossing '%s' (expected FROM->TO with user, kernel, same, * or domain names)", pat ? pat : "");
					return -1;
				}
				snprintf(r->from, NAME_LEN, "%.*s", (int)(arrow - pat), pat);
				snprintf(r->to, NAME_LEN, "%s", arrow + 2);
				if (!pattern_ok(a, r->from) || !strcmp(r->from, "same") || r->from[0] == '@' ||
				    !pattern_ok(a, r->to)) {
					cfg_errorf(err, d, qk, "bad crossing '%s' (expected FROM->TO with user, kernel, same, *, domain names or @service as TO)", pat);
					return -1;
				}
			}
			if (tn && !strcmp(tn, "call")) {
				r->transport = -1;
			} else {
				r->transport = tn ? transport_find(a, tn) : -1;
				if (r->transport < 0) {
					cfg_errorf(err, d, qv, "unknown transport '%s' (expected 'call' or a transport of this file)", tn ? tn : "");
					return -1;
				}
			}
			a->nrules++;
		}
	}
	return 0;
}

static int load_sensitive(struct arch *a, struct ydoc *d, yaml_node_t *n, struct cfg_error *err)
{
	if (need_map(d, n, "sensitive", "{pte_write: transport, cr3_write: transport, ...}", err))
		return -1;
	FOR_PAIRS(p, n) {
		yaml_node_t *k = nd(d, p->key), *v = nd(d, p->value);
		const char *key = node_scalar(k), *tn = node_scalar(v);
		// KIND, or KIND@service / KIND@service.op: that service's or
		// operation's own transport for the kind.
		char kind[2 * NAME_LEN + 2];
		snprintf(kind, sizeof kind, "%s", key ? key : "");
		char *at = strchr(kind, '@'), *dot = NULL;
		if (at) {
			*at++ = 0;
			if ((dot = strchr(at, '.')))
				*dot++ = 0;
		}
		int s;
		for (s = 0; s < SENS__N; s++)
			if (!strcmp(kind, sensitive_names[s]))
				break;
		if (s == SENS__N) {
			cfg_errorf(err, d, k, "unknown sensitive operation '%s' (expected one of: pte_write, cr3_write, io, irq_mask, hlt, tlb_flush, apic)", kind);
			return -1;
		}
		int native = tn && !strcmp(tn, "native");
		int tr = native ? -1 : tn ? transport_find(a, tn) : -1;
		if (!native && tr < 0) {
			cfg_errorf(err, d, v, "unknown transport '%s' (expected 'native' or a transport of this file)", tn ? tn : "");
			return -1;
		}
		if (!at) {
			a->sensitive[s] = tr;
			continue;
		}
		int svc = service_find(&a->svc, at);
		int op = svc >= 0 && dot ? op_find(&a->svc.s[svc], dot) : -1;
		if (svc < 0 || (dot && op < 0)) {
			cfg_errorf(err, d, k, "unknown service or operation '%s%s%s' (expected %s@service or %s@service.op)",
				   at, dot ? "." : "", dot ? dot : "", kind, kind);
			return -1;
		}
		int i;
		for (i = 0; i < a->nsens_for; i++)
			if (a->sens_for[i].kind == s && a->sens_for[i].service == svc && a->sens_for[i].op == op)
				break;
		if (i == a->nsens_for) {
			if (a->nsens_for >= MAX_SENS_FOR) {
				cfg_errorf(err, d, k, "too many per-service sensitive transports (expected at most %d)", MAX_SENS_FOR);
				return -1;
			}
			a->nsens_for++;
		}
		a->sens_for[i].kind = s;
		a->sens_for[i].service = svc;
		a->sens_for[i].op = op;
		a->sens_for[i].transport = tr;
	}
	return 0;
}

// ---- options: named variants of the placement ("mach-multiserver:driver=user") ----

// An option's crossings come first: the rules match in order, and an
// option's rule must win over the base file's.
static int load_crossings_first(struct arch *a, struct ydoc *d, yaml_node_t *n, struct cfg_error *err)
{
	int before = a->nrules;
	if (load_crossings(a, d, n, err))
		return -1;
	int added = a->nrules - before;
	struct rule tmp[MAX_RULES];
	memcpy(tmp, a->rules + before, (size_t)added * sizeof tmp[0]);
	memmove(a->rules + added, a->rules, (size_t)before * sizeof tmp[0]);
	memcpy(a->rules, tmp, (size_t)added * sizeof tmp[0]);
	return 0;
}

static int apply_option(struct arch *a, struct ydoc *d, yaml_node_t *val, const char *value,
			struct cfg_error *err)
{
	if (need_map(d, val, value, "{placement: {...}, sensitive: {...}, domains: {...}, transports: {...}, crossings: {...}, app_domain: DOMAIN}", err))
		return -1;
	// Domains first: the transports and placement of the same value name them.
	static const char *const order[] = {"domains", "transports", "placement", "sensitive", "crossings", "app_domain", NULL};
	FOR_PAIRS(p, val) {
		const char *key = node_scalar(nd(d, p->key));
		int i;
		for (i = 0; order[i]; i++)
			if (key && !strcmp(key, order[i]))
				break;
		if (!order[i]) {
			cfg_errorf(err, d, nd(d, p->key), "unknown key '%s' (expected one of: domains, transports, placement, sensitive, crossings, app_domain)",
				   key ? key : "");
			return -1;
		}
	}
	for (int i = 0; order[i]; i++) {
		yaml_node_t *n = map_get(d, val, order[i]);
		if (!n)
			continue;
		if (i == 5) {
			// The application's processes live elsewhere under this
			// option (e.g. in a guest: gvisor:platform=kvm).
			char dn[NAME_LEN];
			if (name_of(d, n, dn, "app_domain", err))
				return -1;
			if ((a->app_domain = arch_domain_find(a, dn)) < 0) {
				cfg_errorf(err, d, n, "no domain '%s' for the application", dn);
				return -1;
			}
			continue;
		}
		int rc = i == 0 ? load_domains(a, d, n, 1, err)
		       : i == 1 ? load_transports(a, d, n, 1, err)
		       : i == 2 ? load_placement(a, d, n, err)
		       : i == 3 ? load_sensitive(a, d, n, err)
				: load_crossings_first(a, d, n, err);
		if (rc)
			return -1;
	}
	return 0;
}

// Profile fields an option's default may follow (`default_from:`).
static const char *const default_fields[] = {"word_bits", NULL};

static int apply_options(struct arch *a, struct ydoc *d, yaml_node_t *opts, char *spec,
			 const char *path, struct cfg_error *err)
{
	for (char *save = NULL, *kv = spec ? strtok_r(spec, ",", &save) : NULL; kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		if (!eq) {
			cfg_msgf(err, "%s:1:1: error: bad option '%s' (expected NAME=VALUE)", path, kv);
			return -1;
		}
		*eq = 0;
		yaml_node_t *o = opts ? map_get(d, opts, kv) : NULL;
		if (!o) {
			cfg_errorf(err, d, opts ? opts : ydoc_root(d), "architecture '%s' has no option '%s'", a->name, kv);
			return -1;
		}
		yaml_node_t *val = o->type == YAML_MAPPING_NODE && strcmp(eq + 1, "default_from") ? map_get(d, o, eq + 1) : NULL;
		if (!val) {
			cfg_errorf(err, d, o, "option '%s' has no value '%s'", kv, eq + 1);
			return -1;
		}
		if (apply_option(a, d, val, eq + 1, err))
			return -1;
		size_t len = strlen(a->name);
		snprintf(a->name + len, sizeof a->name - len, "%s%s=%s", strchr(a->name, ':') ? "," : ":", kv, eq + 1);
		if (!strcmp(a->auto_opt, kv))
			a->auto_opt[0] = 0; // given explicitly: no profile default
	}
	return 0;
}

// Options whose default follows a profile field (`default_from: word_bits`,
// values named by the field's value): remembered, applied per profile by
// arch_for_profile. Each value the field can take must exist.
static int note_profile_defaults(struct arch *a, struct ydoc *d, yaml_node_t *opts, struct cfg_error *err)
{
	if (!opts)
		return 0;
	if (need_map(d, opts, "options", "{NAME: {VALUE: {...}}}", err))
		return -1;
	FOR_PAIRS(p, opts) {
		yaml_node_t *o = nd(d, p->value);
		yaml_node_t *df = o->type == YAML_MAPPING_NODE ? map_get(d, o, "default_from") : NULL;
		if (!df)
			continue;
		const char *field = node_scalar(df);
		int i;
		for (i = 0; default_fields[i]; i++)
			if (field && !strcmp(field, default_fields[i]))
				break;
		if (!default_fields[i]) {
			cfg_errorf(err, d, df, "unknown profile field '%s' (expected word_bits)", field ? field : "");
			return -1;
		}
		if (a->auto_opt[0]) {
			cfg_errorf(err, d, df, "only one option may follow the profile (expected one default_from)");
			return -1;
		}
		if (!map_get(d, o, "32") || !map_get(d, o, "64")) {
			cfg_errorf(err, d, o, "option '%s' follows word_bits but lacks value 32 or 64", node_scalar(nd(d, p->key)));
			return -1;
		}
		snprintf(a->auto_opt, sizeof a->auto_opt, "%s", node_scalar(nd(d, p->key)));
	}
	return 0;
}

// A line-aligned offset within a page, derived from a name. Real kernels
// place code and structures at all page offsets; aligning every region to a
// page would put them all in the same few cache sets of a physically
// indexed cache whose set index lies within the page offset (a 486's 8 KiB
// 4-way cache has 128 sets of 16-byte lines: set = bits 4..10 of the offset).
static uint64_t page_colour(const char *name, uint32_t salt)
{
	uint32_t h = 2166136261u ^ salt;
	for (const char *p = name; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return (uint64_t)(h % 64) * 64;
}

static void resolve_layout(struct arch *a)
{
	for (int dom = 0; dom < a->ndom; dom++) {
		uint64_t text = 0, data = 0;
		for (int s = 0; s < a->svc.n; s++) {
			if (placement_of(a, s) != dom)
				continue;
			a->text_off[s] = text + page_colour(a->svc.s[s].name, 1);
			a->data_off[s] = data + page_colour(a->svc.s[s].name, 2);
			uint64_t sz = a->svc.s[s].text_bytes ? a->svc.s[s].text_bytes : 4096;
			text += (sz + 4096 + 4095) & ~4095ull;
			data += SVC_DATA_SPAN;
		}
		// Services with an operation placed here: their text and data laid
		// out again in this domain, once per service.
		for (int i = 0; i < a->nplace; i++) {
			int s = a->place[i].service;
			if (a->place[i].op < 0 || a->place[i].domain != dom || placement_of(a, s) == dom)
				continue;
			int j;
			for (j = 0; j < i; j++)
				if (a->place[j].op >= 0 && a->place[j].service == s && a->place[j].domain == dom)
					break;
			if (j < i) {
				a->place[i].text_off = a->place[j].text_off, a->place[i].data_off = a->place[j].data_off;
				continue;
			}
			a->place[i].text_off = text + page_colour(a->svc.s[s].name, 1);
			a->place[i].data_off = data + page_colour(a->svc.s[s].name, 2);
			uint64_t sz = a->svc.s[s].text_bytes ? a->svc.s[s].text_bytes : 4096;
			text += (sz + 4096 + 4095) & ~4095ull;
			data += SVC_DATA_SPAN;
		}
	}
}

static const char *const arch_keys[] = {"name", "description", "family", "services", "domains",
					"placement", "transports", "crossings", "sensitive", "options",
					"app_domain", "kernel_domain", "requires", NULL};

static int load_arch_doc(struct arch *a, struct ydoc *d, char *opt_spec, struct cfg_error *err)
{
	yaml_node_t *root = ydoc_root(d);
	if (!root || root->type != YAML_MAPPING_NODE) {
		cfg_errorf(err, d, root, "top level is not a mapping (expected name, domains, placement, ...)");
		return -1;
	}
	FOR_PAIRS(p, root) {
		yaml_node_t *k = nd(d, p->key);
		const char *key = node_scalar(k);
		int i;
		for (i = 0; arch_keys[i]; i++)
			if (key && !strcmp(key, arch_keys[i]))
				break;
		if (!arch_keys[i]) {
			cfg_errorf(err, d, k, "unknown key '%s' (expected one of: name, description, family, services, domains, placement, transports, crossings, sensitive, options, app_domain, kernel_domain, requires)", key ? key : "");
			return -1;
		}
		for (yaml_node_pair_t *q = root->data.mapping.pairs.start; q < p; q++)
			if (!strcmp(node_scalar(nd(d, q->key)), key)) {
				cfg_errorf(err, d, k, "duplicate key '%s'", key);
				return -1;
			}
	}
	static const char *const required[] = {"name", "domains", "placement", "crossings", NULL};
	for (int i = 0; required[i]; i++)
		if (!map_get(d, root, required[i])) {
			cfg_errorf(err, d, root, "missing required key '%s'", required[i]);
			return -1;
		}
	if (name_of(d, map_get(d, root, "name"), a->name, "name", err))
		return -1;
	yaml_node_t *n;
	if ((n = map_get(d, root, "description")) && node_scalar(n))
		snprintf(a->description, sizeof a->description, "%s", node_scalar(n));
	if ((n = map_get(d, root, "family")) && name_of(d, n, a->family, "family", err))
		return -1;
	if ((n = map_get(d, root, "services")) && services_load_node(&a->svc, d, n, err))
		return -1;
	if (load_domains(a, d, map_get(d, root, "domains"), 0, err))
		return -1;
	if ((n = map_get(d, root, "transports")) && load_transports(a, d, n, 0, err))
		return -1;
	if (load_placement(a, d, map_get(d, root, "placement"), err))
		return -1;
	if (load_crossings(a, d, map_get(d, root, "crossings"), err))
		return -1;
	if ((n = map_get(d, root, "sensitive")) && load_sensitive(a, d, n, err))
		return -1;
	char dn[NAME_LEN];
	snprintf(dn, sizeof dn, "app");
	if ((n = map_get(d, root, "app_domain")) && name_of(d, n, dn, "app_domain", err))
		return -1;
	a->app_domain = arch_domain_find(a, dn);
	if (a->app_domain < 0) {
		cfg_errorf(err, d, n ? n : root, "no domain '%s' for the application (expected app_domain: NAME)", dn);
		return -1;
	}
	snprintf(dn, sizeof dn, "kernel");
	if ((n = map_get(d, root, "kernel_domain")) && name_of(d, n, dn, "kernel_domain", err))
		return -1;
	a->kernel_domain = arch_domain_find(a, dn);
	// A guest kernel may run in ring 3 (a 64-bit paravirtual guest); a host kernel may not.
	if (a->kernel_domain < 0 || (a->dom[a->kernel_domain].ring == 3 && a->dom[a->kernel_domain].vm == 0)) {
		cfg_errorf(err, d, n ? n : root, "no kernel domain '%s' (expected kernel_domain: NAME of a ring 0 or 1 domain)", dn);
		return -1;
	}
	if ((n = map_get(d, root, "requires"))) {
		if (n->type != YAML_SEQUENCE_NODE) {
			cfg_errorf(err, d, n, "'requires' is not a list (expected [vtx, ept])");
			return -1;
		}
		for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
			const char *f = node_scalar(nd(d, *it));
			if (f && !strcmp(f, "vtx"))
				a->requires_vtx = 1;
			else if (f && !strcmp(f, "ept"))
				a->requires_ept = 1;
			else {
				cfg_errorf(err, d, nd(d, *it), "unknown feature '%s' (expected vtx or ept)", f ? f : "");
				return -1;
			}
		}
	}
	if (note_profile_defaults(a, d, map_get(d, root, "options"), err) ||
	    apply_options(a, d, map_get(d, root, "options"), opt_spec, d->path, err))
		return -1;
	// A service added after an architecture file was written goes where the
	// service it names in `placed_with` goes (for every process), so older
	// files keep working; the shipped files place every service themselves.
	for (int s = 0; s < a->svc.n; s++) {
		int w = a->svc.s[s].placed_with[0] ? service_find(&a->svc, a->svc.s[s].placed_with) : -1;
		if (placement_of(a, s) >= 0 || w < 0 || w == s)
			continue;
		for (int i = 0, n = a->nplace; i < n && a->nplace < MAX_PLACEMENT; i++)
			if (a->place[i].service == w) {
				a->place[a->nplace] = a->place[i];
				a->place[a->nplace++].service = s;
			}
	}
	for (int s = 0; s < a->svc.n; s++)
		if (placement_of(a, s) < 0) {
			cfg_errorf(err, d, map_get(d, root, "placement"),
				   "service '%s' is not placed (expected '%s: DOMAIN' under placement)",
				   a->svc.s[s].name, a->svc.s[s].name);
			return -1;
		}
	a->entry_service = service_find(&a->svc, "entry");
	resolve_layout(a);
	for (int s = 0; s < a->svc.n; s++) {
		a->home[s] = placement_for(a, s, -1);
		a->special[s] = 0;
	}
	for (int i = 0; i < a->nplace; i++)
		if (a->place[i].proc >= 0 || a->place[i].op >= 0)
			a->special[a->place[i].service] = 1;
	a->indexed = 1;
	return 0;
}

int arch_load(struct arch *a, const char *name_or_path, const struct service_set *services,
	      struct cfg_error *err)
{
	// Zeroed but for the services, of which only the used part is copied
	// (they are 616 of the architecture's 731 KB: zeroing and copying them
	// whole was a fifth of `osarch list`).
	size_t at = offsetof(struct arch, svc), past = at + sizeof a->svc;
	memset(a, 0, at);
	memset((char *)a + past, 0, sizeof *a - past);
	services_copy(&a->svc, services);
	for (int i = 0; i < SENS__N; i++)
		a->sensitive[i] = -1;
	char spec[256], path[600];
	snprintf(a->spec, sizeof a->spec, "%s", name_or_path);
	snprintf(spec, sizeof spec, "%s", name_or_path);
	char *colon = strchr(spec, ':');
	if (colon)
		*colon++ = 0;
	if (resolve_name("arch", spec, "architecture", path, sizeof path, err))
		return -1;
	struct ydoc d;
	if (ydoc_load_file(&d, path, err))
		return -1;
	int rc = load_arch_doc(a, &d, colon, err);
	ydoc_free(&d);
	return rc;
}

int arch_for_profile(const struct arch *a, int word_bits, struct arch *out, struct cfg_error *err)
{
	if (!a->auto_opt[0])
		return 1;
	char spec[sizeof a->spec + NAME_LEN + 8];
	snprintf(spec, sizeof spec, "%s%s%s=%d", a->spec, strchr(a->spec, ':') ? "," : ":", a->auto_opt, word_bits);
	// The architecture's own services replace the shared ones of the same
	// name again, so a->svc serves as the shared set.
	if (arch_load(out, spec, &a->svc, err))
		return -1;
	return 0;
}

int arch_domain_find(const struct arch *a, const char *name)
{
	for (int i = 0; i < a->ndom; i++)
		if (!strcmp(a->dom[i].name, name))
			return i;
	return -1;
}

int placement_of(const struct arch *a, int service)
{
	return placement_for(a, service, -1);
}

int placement_op(const struct arch *a, int service, int op, int proc)
{
	if (a->indexed && service >= 0 && service < a->svc.n && !a->special[service])
		return a->home[service];
	for (int i = 0; i < a->nplace; i++)
		if (a->place[i].service == service && a->place[i].op == op && op >= 0 &&
		    (a->place[i].proc == -1 || a->place[i].proc == proc))
			return a->place[i].domain;
	return placement_for(a, service, proc);
}

void arch_offsets(const struct arch *a, int service, int dom, uint64_t *text, uint64_t *data)
{
	*text = a->text_off[service], *data = a->data_off[service];
	if ((a->indexed && !a->special[service]) || placement_of(a, service) == dom)
		return;
	for (int i = 0; i < a->nplace; i++)
		if (a->place[i].op >= 0 && a->place[i].service == service && a->place[i].domain == dom) {
			*text = a->place[i].text_off, *data = a->place[i].data_off;
			return;
		}
}

int placement_for(const struct arch *a, int service, int proc)
{
	if (a->indexed && service >= 0 && service < a->svc.n && !a->special[service])
		return a->home[service];
	int any = -1;
	for (int i = 0; i < a->nplace; i++) {
		if (a->place[i].service != service || a->place[i].op >= 0)
			continue;
		if (a->place[i].proc == proc && proc >= 0)
			return a->place[i].domain;
		if (a->place[i].proc == -1)
			any = a->place[i].domain;
	}
	return any;
}

// One definition for every architecture (docs/model.md, "Privileged code"):
// the code an application must trust is every kernel mode between it and the
// hardware, so a guest kernel counts whether it was deprivileged to ring 1
// (vm-pv, vm-bt) or runs in VMX non-root ring 0 (vm-hw): it still controls
// its guest's processes. User-level servers (ring 3) do not count.
uint64_t arch_tcb_bytes(const struct arch *a)
{
	uint64_t sum = 0;
	for (int s = 0; s < a->svc.n; s++) {
		int d = placement_of(a, s);
		if (d >= 0 && (a->dom[d].ring < 3 || a->dom[d].vmx_root))
			sum += a->svc.s[s].text_bytes;
	}
	return sum;
}
