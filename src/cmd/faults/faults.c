// faults.c: an operating-system extension under faults (`osarch faults`).
//
// For each extension and placement the extension's protection domain is
// read from the architecture (ext_domain_of): its ring, whether it has an
// address space of its own, which guest it is in, which kernel memory its
// stores can reach and which services share its fate. fault_outcome turns
// those properties, and the containment the configuration adds (a restart
// service, a verifier, address checks, a step budget, a memory quota), into
// what one fault takes down. Nothing here tests an architecture's name.
// What the isolation costs when nothing fails is measured by run_point on
// the extension's workload. See docs/extensions.md for the model and the
// sources of the recovery constants.
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include "experiment.h"
#include "faults.h"

const char *const fault_names[FAULT__N + 1] = {"wild-write", "null-deref", "infinite-loop", "leak",
						"corrupt-data", "dma-write", NULL};
#define FAULT_LIST "wild-write, null-deref, infinite-loop, leak, corrupt-data, dma-write"
const char *const fault_unit_names[UNIT__N + 1] = {"none", "invocation", "extension", "guest", "machine", NULL};
const char *const measure_names[3] = {"call", "device-event", NULL};

// ---- loading ----

#define SB(m) offsetof(struct sandbox, m)
static const struct field sandbox_schema[] = {
	{.key = "verifier", .type = F_BOOL, .offset = SB(verifier),
	 .help = "load-time check: rejects unsafe memory accesses and unchecked pointers"},
	{.key = "bounded_loops", .type = F_BOOL, .offset = SB(bounded_loops),
	 .help = "the verifier also rejects loops it cannot bound"},
	{.key = "sfi", .type = F_BOOL, .offset = SB(sfi),
	 .help = "run-time address checks confine every access to the sandbox (software fault isolation)"},
	{.key = "step_budget", .type = F_INT, .offset = SB(step_budget), .size = 8, .min = 0, .max = 1e12,
	 .unit = "steps", .help = "the kernel aborts an invocation after this many steps (0: none)"},
	{.key = "memory_quota", .type = F_SIZE, .offset = SB(memory_quota), .size = 8, .min = 0,
	 .max = 1099511627776.0, .unit = "bytes", .help = "allocations charged to the extension (0: none)"},
	{.key = "overhead", .type = F_DOUBLE, .offset = SB(overhead), .min = -1, .max = 10,
	 .help = "instructions the checks add per instruction of the extension (-1: the machine profile's sfi_overhead)"},
	{.key = "source", .type = F_STRING, .offset = SB(source), .size = sizeof(((struct sandbox *)0)->source),
	 .help = "where the overhead comes from"},
	{0},
};
#undef SB

static const struct field recovery_schema[] = {
	{.key = "ms", .type = F_DOUBLE, .offset = offsetof(struct recovery_const, ms), .min = 0, .max = 1e9,
	 .required = 1, .unit = "ms", .help = "simulated time"},
	{.key = "source", .type = F_STRING, .offset = offsetof(struct recovery_const, source),
	 .size = sizeof(((struct recovery_const *)0)->source), .required = 1,
	 .help = "where the figure comes from (or 'estimate: ...')"},
	{0},
};

#define KO(m) offsetof(struct fault_consts, m)
static const struct field consts_schema[] = {
	{.key = "machine_reboot", .type = F_GROUP, .offset = KO(machine_reboot), .group = recovery_schema,
	 .required = 1, .help = "the whole machine boots again"},
	{.key = "guest_reboot", .type = F_GROUP, .offset = KO(guest_reboot), .group = recovery_schema,
	 .required = 1, .help = "a guest boots again on a running hypervisor"},
	{.key = "server_restart", .type = F_GROUP, .offset = KO(server_restart), .group = recovery_schema,
	 .required = 1, .help = "a restart service starts a fresh copy of a server"},
	{.key = "extension_reload", .type = F_GROUP, .offset = KO(extension_reload), .group = recovery_schema,
	 .required = 1, .help = "the owner of sandboxed code loads it again"},
	{.key = "heartbeat", .type = F_GROUP, .offset = KO(heartbeat), .group = recovery_schema,
	 .required = 1, .help = "the restart service's heartbeat period (a hung server is found after two)"},
	{.key = "watchdog", .type = F_GROUP, .offset = KO(watchdog), .group = recovery_schema,
	 .required = 1, .help = "a kernel's lockup detector"},
	{.key = "nooks_recovery", .type = F_GROUP, .offset = KO(nooks_recovery), .group = recovery_schema,
	 .help = "Nooks' recovery manager unloads the failed driver, frees what it tracked and reloads it"},
	{0},
};
#undef KO

#define SC(m) offsetof(struct fault_scenario, m)
static const struct field scenario_schema[] = {
	{.key = "processes", .type = F_INT, .offset = SC(processes), .size = 4, .min = 0, .max = 1000000,
	 .help = "application processes per operating-system instance"},
	{.key = "guests", .type = F_INT, .offset = SC(guests), .size = 4, .min = 1, .max = 100000,
	 .help = "guests on the host when the system runs guests"},
	{.key = "inflight", .type = F_INT, .offset = SC(inflight), .size = 4, .min = 0, .max = 1000000,
	 .help = "requests queued at the extension when the fault hits"},
	{.key = "iommu", .type = F_BOOL, .offset = SC(iommu),
	 .help = "an IOMMU confines each device's DMA to its driver's buffers (false: a device writes any memory)"},
	{0},
};
#undef SC

#define EO(m) offsetof(struct fault_ext, m)
#define ESZ(m) sizeof(((struct fault_ext *)0)->m)
static const struct field ext_schema[] = {
	{.key = "name", .type = F_STRING, .offset = EO(name), .size = ESZ(name), .required = 1,
	 .help = "the extension"},
	{.key = "description", .type = F_STRING, .offset = EO(description), .size = ESZ(description),
	 .help = "what it is"},
	{.key = "service", .type = F_STRING, .offset = EO(service), .size = ESZ(service), .required = 1,
	 .help = "the service (models/services.yaml) that is the extension: placed where the architecture places it"},
	{.key = "workload", .type = F_STRING, .offset = EO(workload), .size = ESZ(workload), .required = 1,
	 .help = "the workload whose path measures its cost"},
	{.key = "measure", .type = F_ENUM, .offset = EO(measure), .names = measure_names,
	 .help = "call: cycles of one call of the workload; device-event: of the device event delivered into the extension"},
	{.key = "idempotent", .type = F_BOOL, .offset = EO(idempotent),
	 .help = "its clients retry a request lost when it restarts"},
	{.key = "dma", .type = F_BOOL, .offset = EO(dma),
	 .help = "it programs a device that writes memory by DMA (a dma-write fault applies)"},
	{.key = "note", .type = F_STRING, .offset = EO(note), .size = ESZ(note), .help = "what the model uses"},
	{0},
};
#undef EO
#undef ESZ

#define PO(m) offsetof(struct fault_place, m)
#define PSZ(m) sizeof(((struct fault_place *)0)->m)
static const struct field place_schema[] = {
	{.key = "name", .type = F_STRING, .offset = PO(name), .size = PSZ(name), .required = 1,
	 .help = "the placement"},
	{.key = "description", .type = F_STRING, .offset = PO(description), .size = PSZ(description),
	 .help = "what it is"},
	{.key = "arch", .type = F_STRING, .offset = PO(arch), .size = PSZ(arch), .required = 1,
	 .help = "the architecture (with options) that places the extension"},
	{.key = "reference", .type = F_STRING, .offset = PO(reference), .size = PSZ(reference),
	 .help = "the same system with the extension unprotected, for the cost of isolation (default monolithic)"},
	{.key = "restart", .type = F_BOOL, .offset = PO(restart),
	 .help = "a restart service (MINIX 3's reincarnation server) restarts the extension's server"},
	{.key = "nooks", .type = F_BOOL, .offset = PO(nooks),
	 .help = "Nooks: a ring-0 protection domain with kernel memory read-only, wrapped calls, tracked objects and a recovery manager"},
	{.key = "extensions", .type = F_STRING, .offset = PO(extensions), .size = PSZ(extensions),
	 .help = "the extensions this placement applies to (space-separated names; default all)"},
	{.key = "sandbox", .type = F_GROUP, .offset = PO(sandbox), .group = sandbox_schema,
	 .help = "the extension is downloaded code run in a sandbox"},
	{0},
};
#undef PO
#undef PSZ

static int load_extensions(const struct field *f, void *dst, struct ydoc *d, yaml_node_t *node,
			   struct cfg_error *err);
static int load_placements(const struct field *f, void *dst, struct ydoc *d, yaml_node_t *node,
			   struct cfg_error *err);
static int load_mix(const struct field *f, void *dst, struct ydoc *d, yaml_node_t *node, struct cfg_error *err);

#define CO(m) offsetof(struct fault_config, m)
#define CSZ(m) sizeof(((struct fault_config *)0)->m)
static const struct field config_schema[] = {
	{.key = "name", .type = F_STRING, .offset = CO(name), .size = CSZ(name), .required = 1,
	 .help = "results go to results/<name>/ unless -o DIR"},
	{.key = "description", .type = F_STRING, .offset = CO(description), .size = CSZ(description),
	 .help = "what the experiment shows"},
	{.key = "machine", .type = F_STRING, .offset = CO(machine), .size = CSZ(machine),
	 .help = "machine profile of the per-call model (default modern)"},
	{.key = "warmup", .type = F_INT, .offset = CO(warmup), .size = 4, .min = 0, .max = 100000,
	 .help = "calls before measuring (default 10)"},
	{.key = "reps", .type = F_INT, .offset = CO(reps), .size = 4, .min = 1, .max = 100000,
	 .help = "measured calls (default 5)"},
	{.key = "scenario", .type = F_GROUP, .offset = CO(scenario), .group = scenario_schema,
	 .help = "what runs when the fault hits"},
	{.key = "recovery", .type = F_GROUP, .offset = CO(consts), .group = consts_schema, .required = 1,
	 .help = "recovery times, each {ms, source}"},
	{.key = "faults", .type = F_STRLIST, .offset = CO(fault_list),
	 .help = "faults to inject: " FAULT_LIST " (default all)"},
	{.key = "mix", .type = F_CUSTOM, .offset = CO(mix), .custom = load_mix,
	 .help = "probability of each fault kind among an extension's faults ({kind: p, ...}, summing to 1): expected loss per placement"},
	{.key = "mix_source", .type = F_STRING, .offset = CO(mix_source), .size = CSZ(mix_source),
	 .help = "where the mix comes from"},
	{.key = "extensions", .type = F_CUSTOM, .offset = CO(ext), .custom = load_extensions, .required = 1,
	 .help = "the extensions: a list of {name, service, workload, ...}"},
	{.key = "placements", .type = F_CUSTOM, .offset = CO(place), .custom = load_placements, .required = 1,
	 .help = "the placements: a list of {name, arch, ...}"},
	{0},
};
#undef CO
#undef CSZ

static yaml_node_t *key_or(struct ydoc *d, yaml_node_t *map, const char *key)
{
	yaml_node_t *v = map_get(d, map, key);
	return v ? v : map;
}

static int load_extensions(const struct field *f, void *dst, struct ydoc *d, yaml_node_t *node,
			   struct cfg_error *err)
{
	(void)f;
	struct fault_config *c = (struct fault_config *)((char *)dst - offsetof(struct fault_config, ext));
	if (node->type != YAML_SEQUENCE_NODE) {
		cfg_errorf(err, d, node, "'extensions' is not a list (expected extensions: [ {name: ..., service: ..., workload: ...} ])");
		return -1;
	}
	int n = 0;
	for (yaml_node_item_t *it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(&d->doc, *it);
		if (n >= FAULT_MAX_EXT) {
			cfg_errorf(err, d, item, "more than %d extensions (expected at most %d)", FAULT_MAX_EXT, FAULT_MAX_EXT);
			return -1;
		}
		if (!item || item->type != YAML_MAPPING_NODE) {
			cfg_errorf(err, d, item, "extension is not a mapping (expected {name: ..., service: ..., workload: ...})");
			return -1;
		}
		struct fault_ext *e = &c->ext[n];
		memset(e, 0, sizeof *e);
		if (schema_load_nested(ext_schema, e, d, item, err))
			return -1;
		for (int j = 0; j < n; j++)
			if (!strcmp(c->ext[j].name, e->name)) {
				cfg_errorf(err, d, key_or(d, item, "name"), "duplicate extension '%s'", e->name);
				return -1;
			}
		n++;
	}
	if (!n) {
		cfg_errorf(err, d, node, "no extensions (expected at least one)");
		return -1;
	}
	c->next = n;
	return 0;
}

static int load_placements(const struct field *f, void *dst, struct ydoc *d, yaml_node_t *node,
			   struct cfg_error *err)
{
	(void)f;
	struct fault_config *c = (struct fault_config *)((char *)dst - offsetof(struct fault_config, place));
	if (node->type != YAML_SEQUENCE_NODE) {
		cfg_errorf(err, d, node, "'placements' is not a list (expected placements: [ {name: ..., arch: ...} ])");
		return -1;
	}
	int n = 0;
	for (yaml_node_item_t *it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(&d->doc, *it);
		if (n >= FAULT_MAX_PLACE) {
			cfg_errorf(err, d, item, "more than %d placements (expected at most %d)", FAULT_MAX_PLACE,
				   FAULT_MAX_PLACE);
			return -1;
		}
		if (!item || item->type != YAML_MAPPING_NODE) {
			cfg_errorf(err, d, item, "placement is not a mapping (expected {name: ..., arch: ...})");
			return -1;
		}
		struct fault_place *p = &c->place[n];
		memset(p, 0, sizeof *p);
		if (schema_load_nested(place_schema, p, d, item, err))
			return -1;
		p->has_sandbox = map_get(d, item, "sandbox") != NULL;
		if (!p->reference[0])
			snprintf(p->reference, sizeof p->reference, "monolithic");
		for (int j = 0; j < n; j++)
			if (!strcmp(c->place[j].name, p->name)) {
				cfg_errorf(err, d, key_or(d, item, "name"), "duplicate placement '%s'", p->name);
				return -1;
			}
		n++;
	}
	if (!n) {
		cfg_errorf(err, d, node, "no placements (expected at least one)");
		return -1;
	}
	c->nplace = n;
	return 0;
}

static int load_mix(const struct field *f, void *dst, struct ydoc *d, yaml_node_t *node, struct cfg_error *err)
{
	(void)f;
	struct fault_config *c = (struct fault_config *)((char *)dst - offsetof(struct fault_config, mix));
	if (node->type != YAML_MAPPING_NODE) {
		cfg_errorf(err, d, node, "'mix' is not a mapping (expected {null-deref: 0.3, ...})");
		return -1;
	}
	double sum = 0;
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&d->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&d->doc, p->value);
		const char *key = node_scalar(k), *val = node_scalar(v);
		int kind = 0;
		while (key && fault_names[kind] && strcmp(fault_names[kind], key))
			kind++;
		if (!key || !fault_names[kind]) {
			cfg_errorf(err, d, k, "unknown fault '%s' in mix (expected one of: " FAULT_LIST ")", key ? key : "");
			return -1;
		}
		char *end = NULL;
		double x = val ? strtod(val, &end) : -1;
		if (!val || end == val || *end || !(x >= 0 && x <= 1)) {
			cfg_errorf(err, d, v, "bad probability '%s' for %s (expected a number from 0 to 1)", val ? val : "",
				   key);
			return -1;
		}
		c->mix[kind] = x;
		sum += x;
	}
	if (fabs(sum - 1) > 1e-6) {
		cfg_errorf(err, d, node, "the mix's probabilities sum to %g (expected 1)", sum);
		return -1;
	}
	c->has_mix = 1;
	return 0;
}

// An error about a name the configuration refers to: "unknown X" belongs at
// the configuration's line; an error inside an existing file keeps its own.
static void relocate(struct cfg_error *err, struct ydoc *d, yaml_node_t *at, const struct cfg_error *e2)
{
	const char *m = strstr(e2->msg, ":1:1: error: unknown ");
	if (m)
		cfg_errorf(err, d, at, "%s", m + strlen(":1:1: error: "));
	else
		*err = *e2;
}

static yaml_node_t *seq_item(struct ydoc *d, yaml_node_t *seq, int i)
{
	if (!seq || seq->type != YAML_SEQUENCE_NODE)
		return seq;
	return yaml_document_get_node(&d->doc, seq->data.sequence.items.start[i]);
}

static int workload_calls(const struct workload *w, int svc)
{
	for (int i = 0; i < w->n; i++)
		if (!w->nodes[i].device && w->nodes[i].service == svc)
			return 1;
	return 0;
}

static int workload_has_device(const struct workload *w)
{
	for (int i = 0; i < w->n; i++)
		if (w->nodes[i].device)
			return 1;
	return 0;
}

// Every name the configuration uses, resolved once, errors at their line.
static int resolve(struct fault_config *c, struct ydoc *d, const struct service_set *svc, struct cfg_error *err)
{
	yaml_node_t *root = ydoc_root(d);
	struct cfg_error e2;
	struct profile prof;
	if (profile_load(&prof, c->machine, NULL, &e2)) {
		relocate(err, d, key_or(d, root, "machine"), &e2);
		return -1;
	}
	yaml_node_t *fl = map_get(d, root, "faults");
	c->nfaults = 0;
	if (!fl) {
		for (int k = 0; k < FAULT__N; k++)
			c->faults[c->nfaults++] = k;
	}
	for (int i = 0; fl && i < c->fault_list.n; i++) {
		int k = 0;
		while (fault_names[k] && strcmp(fault_names[k], c->fault_list.v[i]))
			k++;
		if (!fault_names[k]) {
			cfg_errorf(err, d, seq_item(d, fl, i),
				   "unknown fault '%s' (expected one of: " FAULT_LIST ")",
				   c->fault_list.v[i]);
			return -1;
		}
		for (int j = 0; j < c->nfaults; j++)
			if (c->faults[j] == k) {
				cfg_errorf(err, d, seq_item(d, fl, i), "duplicate fault '%s'", fault_names[k]);
				return -1;
			}
		c->faults[c->nfaults++] = k;
	}
	if (c->nfaults == 0) {
		cfg_errorf(err, d, fl, "no faults (expected at least one of: " FAULT_LIST ")");
		return -1;
	}
	int rc = -1;
	struct workload *w = malloc(sizeof *w);
	struct arch *a = malloc(sizeof *a);
	if (!w || !a) {
		cfg_errorf(err, d, root, "out of memory");
		goto out;
	}
	yaml_node_t *exts = map_get(d, root, "extensions");
	for (int i = 0; i < c->next; i++) {
		const struct fault_ext *e = &c->ext[i];
		yaml_node_t *item = seq_item(d, exts, i);
		int s = service_find(svc, e->service);
		if (s < 0) {
			cfg_errorf(err, d, key_or(d, item, "service"),
				   "unknown service '%s' (expected a service of models/services.yaml, e.g. driver)", e->service);
			goto out;
		}
		if (workload_load(w, e->workload, svc, &e2)) {
			relocate(err, d, key_or(d, item, "workload"), &e2);
			goto out;
		}
		if (!workload_calls(w, s)) {
			cfg_errorf(err, d, key_or(d, item, "workload"),
				   "workload '%s' never runs service '%s' (expected a workload whose path calls the extension)",
				   e->workload, e->service);
			goto out;
		}
		if (e->measure == MEASURE_DEVICE_EVENT && !workload_has_device(w)) {
			cfg_errorf(err, d, key_or(d, item, "measure"),
				   "workload '%s' waits for no device (expected measure: call, or a workload with a device)",
				   e->workload);
			goto out;
		}
	}
	yaml_node_t *places = map_get(d, root, "placements");
	for (int i = 0; i < c->nplace; i++) {
		const struct fault_place *p = &c->place[i];
		yaml_node_t *item = seq_item(d, places, i);
		for (int pass = 0; pass < 2; pass++) {
			const char *name = pass ? p->reference : p->arch;
			yaml_node_t *at = key_or(d, item, pass ? "reference" : "arch");
			if (arch_load(a, name, svc, &e2)) {
				relocate(err, d, at, &e2);
				goto out;
			}
			if ((a->requires_vtx && !prof.vtx) || (a->requires_ept && !prof.ept)) {
				cfg_errorf(err, d, at, "architecture %s needs %s, which machine %s does not have", name,
					   a->requires_ept ? "VT-x with EPT" : "VT-x", prof.name);
				goto out;
			}
			for (int j = 0; j < c->next; j++) {
				int s = service_find(&a->svc, c->ext[j].service);
				if (s < 0 || placement_of(a, s) < 0) {
					cfg_errorf(err, d, at, "architecture %s does not place service '%s' (extension %s)",
						   name, c->ext[j].service, c->ext[j].name);
					goto out;
				}
			}
		}
	}
	rc = 0;
out:
	free(w);
	free(a);
	return rc;
}

void fault_config_free(struct fault_config *c)
{
	strlist_free(&c->fault_list);
}

int fault_config_load(struct fault_config *c, const char *path, struct cfg_error *err)
{
	memset(c, 0, sizeof *c);
	snprintf(c->path, sizeof c->path, "%s", path);
	snprintf(c->machine, sizeof c->machine, "modern");
	c->warmup = 10;
	c->reps = 5;
	c->scenario.processes = 40;
	c->scenario.guests = 4;
	c->scenario.inflight = 8;
	struct ydoc d;
	if (ydoc_load_file(&d, path, err))
		return -1;
	int rc = -1;
	struct service_set *svc = malloc(sizeof *svc);
	if (!svc) {
		cfg_msgf(err, "%s:1:1: error: out of memory", path);
		goto out;
	}
	if (schema_load(config_schema, c, sizeof *c, &d, ydoc_root(&d), err))
		goto out;
	if (load_services_default(svc, err) || resolve(c, &d, svc, err))
		goto out;
	rc = 0;
out:
	if (rc)
		fault_config_free(c);
	free(svc);
	ydoc_free(&d);
	return rc;
}

// ---- the extension's protection domain ----

static int is_kernel(const struct domain *k)
{
	return k->ring < 3 && !k->hypervisor && !k->vmx_root;
}

int ext_domain_of(const struct arch *a, int service, const struct workload *w, struct ext_domain *o)
{
	memset(o, 0, sizeof *o);
	int d = service >= 0 ? placement_of(a, service) : -1;
	if (d < 0)
		return -1;
	const struct domain *x = &a->dom[d];
	o->domain = d;
	o->ring = x->ring;
	o->supervisor = x->ring < 3;
	o->vm = x->vm;
	o->per_process = x->per_process;
	o->own_space = x->space_id != 0 && !x->per_process;
	// Supervisor code can store to every page its address space maps for a
	// kernel: its own domain's if that is a kernel, and any kernel of its
	// machine mapped in its space (a global one is mapped everywhere) that
	// runs in a ring no more privileged than its own. A monitor is out of
	// reach (another ring's segments, or VMX root).
	for (int k = 0; k < a->ndom && o->supervisor; k++) {
		const struct domain *y = &a->dom[k];
		if (!is_kernel(y))
			continue;
		if (k == d || (y->vm == x->vm && (y->space_id == 0 || y->space_id == x->space_id) && x->ring <= y->ring))
			o->kernel_writable = 1;
	}
	for (int i = 0; i < a->ndom; i++) {
		o->has_guests |= a->dom[i].vm > 0;
		o->under_hypervisor |= a->dom[i].hypervisor && !x->hypervisor && !x->vmx_root;
	}
	o->apps_in_instance = a->dom[a->app_domain].vm == x->vm;
	for (int s = 0; s < a->svc.n; s++) {
		int sd = placement_of(a, s);
		if (s == service || sd < 0)
			continue;
		const struct domain *y = &a->dom[sd];
		o->all_services++;
		if (y->vm == x->vm && !y->hypervisor && !y->vmx_root)
			o->instance_services++;
		if (sd == d)
			o->others_in_domain++;
	}
	// The application talks directly to the services of its root calls: if
	// one of them shares the extension's domain, the processes' own state
	// goes down with it.
	if (w) {
		for (int i = 0; i < w->n; i++) {
			const struct node *n = &w->nodes[i];
			if (n->parent != -1 || n->device || n->service < 0)
				continue;
			if (placement_for(a, n->service, PROC_APP) == d)
				o->serves_apps = 1;
		}
	}
	return 0;
}

// ---- one fault ----

static void set_requests(struct fault_outcome *o, int n, int retried)
{
	if (retried)
		o->requests_retried = n;
	else
		o->requests_lost = n;
}

void fault_outcome(const struct ext_domain *d, const struct fault_place *p, const struct fault_ext *e,
		   const struct fault_scenario *sc, const struct fault_consts *k, int fault, int callers,
		   double usec_per_step, struct fault_outcome *o)
{
	memset(o, 0, sizeof *o);
	o->reboot = "no";
	o->contained = "nothing";
	o->detection = "not caught";
	const struct sandbox *sb = p->has_sandbox ? &p->sandbox : NULL;
	// A domain with a hypervisor below it (a guest, or a driver domain such
	// as Xen's dom0 in the split-driver model) fails alone: the hypervisor
	// restarts it. Otherwise its instance is the machine.
	int instance = d->vm > 0 || d->under_hypervisor ? UNIT_GUEST : UNIT_MACHINE;
	double detect = 0;
	int nooks = 0; // Nooks caught it: its recovery manager restarts the driver

	// 0. Faults no isolation of the code can stop.
	if (fault == FAULT_DMA && !e->dma) {
		o->unit = UNIT_NONE;
		o->contained = "n/a";
		o->detection = "n/a";
		snprintf(o->what, sizeof o->what, "it programs no DMA device: the fault does not apply");
	} else if (fault == FAULT_DMA && sc->iommu) {
		o->unit = UNIT_INVOCATION;
		o->contained = "iommu";
		o->detection = "iommu";
		snprintf(o->what, sizeof o->what,
			 "the IOMMU refuses the device's write outside its driver's buffers; the request fails");
	} else if (fault == FAULT_DMA) {
		o->unit = UNIT_MACHINE;
		snprintf(o->what, sizeof o->what,
			 "without an IOMMU the device writes physical memory anywhere (the kernel's%s): ring, "
			 "address space and guest do not stop a bus master",
			 d->has_guests ? " and the hypervisor's" : "");
	} else if (fault == FAULT_CORRUPT) {
		o->unit = UNIT_INVOCATION;
		snprintf(o->what, sizeof o->what,
			 "wrong data through its own interface: every access it makes is legal, so no isolation "
			 "notices; the client gets it (only an end-to-end check would)");
	}
	// 1. Containment of downloaded code, before the domain is asked.
	else if (sb && sb->verifier &&
	    (fault == FAULT_WILD_WRITE || fault == FAULT_NULL_DEREF || (fault == FAULT_LOOP && sb->bounded_loops))) {
		o->unit = UNIT_NONE;
		o->contained = "verifier";
		o->detection = "load-time check";
		o->function_lost = 1;
		snprintf(o->what, sizeof o->what,
			 "the verifier refuses the code at load time (%s): nothing breaks but the extension never "
			 "loads, so its function is lost until the code is fixed",
			 fault == FAULT_LOOP ? "a loop without a bound" : "an access it cannot prove safe");
	} else if (p->nooks && (fault == FAULT_WILD_WRITE || fault == FAULT_NULL_DEREF || fault == FAULT_LEAK)) {
		// Swift et al. SOSP 2003: kernel pages are mapped read-only in the
		// driver's domain, its exceptions are caught by Nooks' wrappers, its
		// kernel objects are tracked; the recovery manager reloads it.
		o->unit = UNIT_EXTENSION;
		o->contained = "nooks";
		o->detection = fault == FAULT_WILD_WRITE ? "write protection" : fault == FAULT_NULL_DEREF ? "exception"
											    : "exhaustion";
		nooks = 1;
		snprintf(o->what, sizeof o->what, "%s",
			 fault == FAULT_WILD_WRITE ? "the store to kernel memory faults: the kernel is read-only in the driver's domain"
			 : fault == FAULT_NULL_DEREF ? "the fault is caught in the driver's domain by Nooks' wrappers"
						     : "Nooks tracked its kernel objects: they are freed with it");
	} else if (sb && sb->sfi && (fault == FAULT_WILD_WRITE || fault == FAULT_NULL_DEREF)) {
		o->unit = UNIT_INVOCATION;
		o->contained = "address checks";
		o->detection = "address check";
		snprintf(o->what, sizeof o->what,
			 "the inserted address check catches the access outside the sandbox and aborts the invocation");
	} else if (sb && sb->step_budget > 0 && fault == FAULT_LOOP) {
		o->unit = UNIT_INVOCATION;
		o->contained = "step budget";
		o->detection = "step budget";
		o->recovery_ms = (double)sb->step_budget * usec_per_step / 1000.0;
		snprintf(o->what, sizeof o->what, "the kernel stops the invocation after its budget of %lld steps",
			 (long long)sb->step_budget);
	} else if (sb && sb->memory_quota > 0 && fault == FAULT_LEAK) {
		o->unit = UNIT_EXTENSION;
		o->contained = "memory quota";
		o->detection = "quota";
		snprintf(o->what, sizeof o->what,
			 "its allocations are charged to it: at its quota the kernel unloads it and reclaims the memory; "
			 "its owner loads it again");
	} else {
		// 2. The protection domain.
		switch (fault) {
		case FAULT_WILD_WRITE:
			if (d->kernel_writable) {
				o->unit = instance;
				o->contained = instance == UNIT_GUEST ? "hypervisor" : "nothing";
				snprintf(o->what, sizeof o->what,
					 "the stray store lands in kernel memory it shares (ring %d): the %s kernel is corrupt",
					 d->ring, instance == UNIT_GUEST ? "guest" : "machine's");
			} else {
				o->unit = UNIT_EXTENSION;
				o->contained = "mmu";
				o->detection = "exception";
				if (d->others_in_domain)
					snprintf(o->what, sizeof o->what,
						 "the stray store corrupts the %d services sharing its address space; the "
						 "MMU keeps it out of the kernel",
						 d->others_in_domain);
				else
					snprintf(o->what, sizeof o->what,
						 "the stray store faults: its address space maps nothing it does not own; "
						 "the kernel kills it");
			}
			break;
		case FAULT_NULL_DEREF:
			o->detection = "exception";
			if (d->supervisor) {
				o->unit = instance;
				o->contained = instance == UNIT_GUEST ? "hypervisor" : "nothing";
				snprintf(o->what, sizeof o->what,
					 "a page fault in kernel mode (ring %d): the %s kernel oopses in the driver and panics",
					 d->ring, instance == UNIT_GUEST ? "guest" : "machine's");
			} else {
				o->unit = UNIT_EXTENSION;
				o->contained = "mmu";
				snprintf(o->what, sizeof o->what,
					 "the page fault is its own (ring 3): the kernel kills its process");
			}
			break;
		case FAULT_LOOP:
			if (d->supervisor) {
				o->unit = instance;
				o->contained = instance == UNIT_GUEST ? "hypervisor" : "nothing";
				detect = k->watchdog.ms;
				o->detection = "watchdog";
				snprintf(o->what, sizeof o->what,
					 "a kernel-mode loop (ring %d) keeps its CPU; the lockup watchdog panics the %s",
					 d->ring, instance == UNIT_GUEST ? "guest (the hypervisor still runs the other guests)" : "machine");
			} else {
				o->unit = UNIT_EXTENSION;
				o->contained = "preemption";
				detect = 2 * k->heartbeat.ms;
				o->detection = p->restart ? "heartbeat" : "not caught";
				snprintf(o->what, sizeof o->what,
					 "the kernel preempts it (ring 3) and the rest runs; %s",
					 p->restart ? "the restart service kills it after two missed heartbeats"
						    : "nobody notices that its clients wait");
			}
			break;
		default: // FAULT_LEAK
			o->detection = "exhaustion";
			if (d->supervisor) {
				o->unit = instance;
				o->contained = instance == UNIT_GUEST ? "hypervisor" : "nothing";
				snprintf(o->what, sizeof o->what,
					 "kernel memory has no owner to reclaim it from: the %s runs out and must reboot",
					 instance == UNIT_GUEST ? "guest (its memory is its own: the others keep theirs)" : "kernel");
			} else {
				o->unit = UNIT_EXTENSION;
				o->contained = "mmu";
				snprintf(o->what, sizeof o->what,
					 "the leak fills its own address space until it fails; its memory is freed when it exits");
			}
			break;
		}
	}

	// 3. What the unit takes with it.
	size_t len = strlen(o->what);
	switch (o->unit) {
	case UNIT_NONE:
		break;
	case UNIT_INVOCATION:
		// Silent corruption is never retried: nobody knows it happened.
		set_requests(o, 1, e->idempotent && fault != FAULT_CORRUPT);
		o->services_stalled = fault == FAULT_CORRUPT ? 0 : callers;
		break;
	case UNIT_EXTENSION:
		o->services_stalled = callers;
		if (nooks) {
			// Only the driver is in its domain; the kernel keeps running.
			o->recovery_ms = detect + k->nooks_recovery.ms;
			set_requests(o, sc->inflight, e->idempotent);
			snprintf(o->what + len, sizeof o->what - len, "; Nooks' recovery manager reloads the driver%s",
				 e->idempotent ? " and its clients retry" : "");
			break;
		}
		if (!strcmp(o->contained, "memory quota")) {
			// The sandbox is its own unit: what shares its domain keeps running.
			o->recovery_ms = k->extension_reload.ms;
			set_requests(o, sc->inflight, e->idempotent);
			break;
		}
		o->apps_killed = d->per_process ? 1 : d->serves_apps ? sc->processes : 0;
		o->services_lost = d->others_in_domain;
		if (p->restart) {
			o->recovery_ms = detect + k->server_restart.ms;
			set_requests(o, sc->inflight, e->idempotent);
			snprintf(o->what + len, sizeof o->what - len, "; the restart service starts a fresh copy%s",
				 e->idempotent ? " and its clients retry" : "");
		} else {
			o->recovery_ms = -1;
			o->requests_lost = sc->inflight;
			snprintf(o->what + len, sizeof o->what - len, "; no restart service: down until an operator acts");
		}
		break;
	case UNIT_GUEST:
		o->apps_killed = d->apps_in_instance ? sc->processes : 0;
		o->services_lost = d->instance_services;
		// A driver domain serving another guest: that guest's front end
		// waits for the back end to return and replays its ring (Linux
		// xen-blkfront's blkif_recover), so idempotent requests are retried.
		set_requests(o, sc->inflight, e->idempotent && !d->apps_in_instance);
		o->recovery_ms = detect + k->guest_reboot.ms;
		o->reboot = "guest";
		snprintf(o->what + len, sizeof o->what - len, "; the hypervisor reboots that guest only");
		break;
	default: // UNIT_MACHINE
		o->apps_killed = sc->processes * (d->has_guests ? sc->guests : 1);
		if (fault == FAULT_DMA)
			detect = 0; // noticed when something crashes; the reboot is what counts
		o->services_lost = d->all_services;
		o->requests_lost = sc->inflight;
		o->recovery_ms = detect + k->machine_reboot.ms;
		o->reboot = "machine";
		snprintf(o->what + len, sizeof o->what - len, "; the machine reboots");
		break;
	}
	for (char *c = o->what; *c; c++)
		if (*c == ',')
			*c = ';';
}

void expected_loss_of(const struct fault_outcome o[FAULT__N], const double mix[FAULT__N], struct expected_loss *x)
{
	memset(x, 0, sizeof *x);
	for (int f = 0; f < FAULT__N; f++) {
		double p = mix[f];
		if (p <= 0)
			continue;
		x->apps_killed += p * o[f].apps_killed;
		x->requests_lost += p * o[f].requests_lost;
		x->requests_retried += p * o[f].requests_retried;
		if (o[f].recovery_ms < 0)
			x->p_manual += p;
		else
			x->recovery_ms += p * o[f].recovery_ms;
		if (o[f].unit == UNIT_MACHINE)
			x->p_machine += p;
		if (!strcmp(o[f].detection, "not caught"))
			x->p_silent += p;
		if (o[f].function_lost)
			x->p_function_lost += p;
	}
}

// ---- what isolation costs ----

static int is_device_transport(const struct arch *a, const char *name)
{
	for (int i = 0; i < a->nrules; i++) {
		const struct rule *r = &a->rules[i];
		if (r->kind == EDGE_DEVICE && r->transport >= 0 && !strcmp(a->tr[r->transport].name, name))
			return 1;
	}
	return 0;
}

// Instructions of `service`'s operations named in a step's `ran` list;
// *calls counts the operations (each one a call into the extension).
static uint64_t ext_instructions(const struct arch *a, const char *service, const char *ran, int *calls)
{
	uint64_t n = 0;
	char buf[sizeof ((struct trace_step *)0)->ran];
	snprintf(buf, sizeof buf, "%s", ran);
	char *save = NULL;
	for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		char *dot = strchr(t, '.');
		if (!dot)
			continue;
		*dot = 0;
		if (strcmp(t, service))
			continue;
		int s = service_find(&a->svc, t);
		int op = s >= 0 ? op_find(&a->svc.s[s], dot + 1) : -1;
		if (op >= 0) {
			n += a->svc.s[s].ops[op].instructions;
			(*calls)++;
		}
	}
	return n;
}

static int measure_one(const struct arch *a, const struct workload *w, const struct profile *p,
		       const struct fault_ext *e, int warmup, int reps, double *cycles, uint64_t *insns, int *calls,
		       struct os_counts *os, char *why, size_t whylen)
{
	struct trace *tr = malloc(sizeof *tr);
	if (!tr) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	struct run_params rp = {warmup, reps, 0, 1};
	struct run_result r;
	int rc = run_point(a, w, p, &rp, &r, tr);
	if (rc) {
		snprintf(why, whylen, "%s cannot run %s on %s%s%s", a->name, w->name, p->name, r.error[0] ? ": " : "",
			 r.error);
		free(tr);
		return -1;
	}
	memset(os, 0, sizeof *os);
	*cycles = 0;
	*insns = 0;
	*calls = 0;
	int found = 0;
	for (int i = 0; i < tr->n; i++) {
		const struct trace_step *st = &tr->step[i];
		if (e->measure == MEASURE_DEVICE_EVENT && !is_device_transport(a, st->transport))
			continue;
		found = 1;
		*insns += ext_instructions(a, e->service, st->ran, calls);
		if (e->measure == MEASURE_DEVICE_EVENT) {
			*cycles += counters_cycles(&st->hw);
			os_counts_add(os, &st->os);
		}
	}
	if (e->measure == MEASURE_CALL) {
		uint64_t n = (uint64_t)(r.reps > 0 ? r.reps : 1);
		*cycles = r.cycles;
		*os = r.os;
		os->traps /= n;
		os->mode_switches /= n;
		os->as_switches /= n;
		os->ipc_messages /= n;
		os->vm_exits /= n;
		os->hypercalls /= n;
		os->io_wait_usec /= (double)n;
	}
	free(tr);
	if (!found) {
		snprintf(why, whylen, "no device event on the path of %s under %s", w->name, a->name);
		return -1;
	}
	return 0;
}

int isolation_cost_of(const struct arch *a, const struct arch *ref, const struct workload *w,
		      const struct profile *p, const struct fault_ext *e, const struct fault_place *pl,
		      int warmup, int reps, struct isolation_cost *out, char *why, size_t whylen)
{
	memset(out, 0, sizeof *out);
	struct os_counts ros;
	uint64_t rinsns;
	int calls, rcalls;
	if (measure_one(a, w, p, e, warmup, reps, &out->cycles, &out->ext_instructions, &calls, &out->os, why,
			whylen) ||
	    measure_one(ref, w, p, e, warmup, reps, &out->ref_cycles, &rinsns, &rcalls, &ros, why, whylen))
		return -1;
	if (pl->has_sandbox) {
		// SFI's checks cost what the instruction set makes them cost (the
		// profile's sfi_overhead) unless the placement gives its own figure.
		double ov = pl->sandbox.overhead >= 0 ? pl->sandbox.overhead : p->sfi_overhead;
		out->sandbox_cycles = ov * (double)out->ext_instructions * p->cpi;
	}
	if (pl->nooks)
		// Each call into the driver and each return is an XPC that switches
		// to the other domain's page table (Swift et al. 2003, Sec. 3):
		// two CR3 writes per call (their hardware part; the TLB refills
		// that follow are not modelled).
		out->sandbox_cycles += 2.0 * calls * p->ev.cr3_write;
	out->isolation = out->cycles + out->sandbox_cycles - out->ref_cycles;
	// End to end, as Nooks and MINIX 3 report it: against the whole call
	// including the device's time.
	out->device_us = out->os.io_wait_usec;
	double whole = out->ref_cycles + out->device_us * p->mhz;
	out->e2e_overhead = whole > 0 ? out->isolation / whole : 0;
	return 0;
}

// ---- the experiment ----

struct fault_row {
	int ext, place, fault; // fault -1: the expected loss over the config's mix
	struct expected_loss x;
	const char *arch_name; // the placement's arch as written
	struct fault_outcome o;
	struct isolation_cost cost;
};

struct fault_results {
	const struct fault_config *c;
	const char *machine;
	struct fault_row *rows;
	int n;
};

// Distinct services that call the extension's service in the workload.
static int callers_of(const struct workload *w, const struct service_set *svc, int s)
{
	int seen[MAX_SERVICES] = {0}, n = 0;
	for (int i = 0; i < w->n; i++) {
		const struct node *nd = &w->nodes[i];
		if (nd->device || nd->service != s || nd->parent < 0)
			continue;
		int ps = w->nodes[nd->parent].service;
		if (ps >= 0 && ps < MAX_SERVICES && ps != s && ps < svc->n && !seen[ps]) {
			seen[ps] = 1;
			n++;
		}
	}
	return n;
}

static const char *fmt_ms(double ms, char *buf, size_t n)
{
	if (ms < 0)
		snprintf(buf, n, "manual");
	else if (ms == 0)
		snprintf(buf, n, "0");
	else if (ms < 1)
		snprintf(buf, n, "%.0f us", ms * 1000);
	else if (ms < 1000)
		snprintf(buf, n, "%.0f ms", ms);
	else
		snprintf(buf, n, "%.1f s", ms / 1000);
	return buf;
}

static void csv_text(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == ',' || *s == '\n' || *s == '"' ? ';' : *s, f);
}

static void write_csv(FILE *f, void *arg)
{
	const struct fault_results *R = arg;
	fprintf(f, "extension,placement,arch,workload,machine,fault,failure_unit,contained_by,apps_killed,"
		   "requests_lost,requests_retried,services_lost,services_stalled,recovery_ms,reboot,cycles,"
		   "reference_cycles,sandbox_cycles,isolation_cycles,extension_instructions,traps,mode_switches,"
		   "as_switches,ipc_messages,vm_exits,hypercalls,measure,what,detection,function_lost,device_us,"
		   "e2e_overhead,p_machine,p_silent,p_manual,p_function_lost\n");
	for (int i = 0; i < R->n; i++) {
		const struct fault_row *r = &R->rows[i];
		const struct fault_ext *e = &R->c->ext[r->ext];
		const struct fault_place *p = &R->c->place[r->place];
		const struct fault_outcome *o = &r->o;
		const struct isolation_cost *k = &r->cost;
		if (r->fault < 0) {
			const struct expected_loss *x = &r->x;
			fprintf(f, "%s,%s,%s,%s,%s,mix,expected,-,%.3f,%.3f,%.3f,0,0,%.3f,-,%.0f,%.0f,%.0f,%.0f,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%s,",
				e->name, p->name, p->arch, e->workload, R->machine, x->apps_killed, x->requests_lost,
				x->requests_retried, x->recovery_ms, k->cycles, k->ref_cycles, k->sandbox_cycles,
				k->isolation, (unsigned long long)k->ext_instructions, (unsigned long long)k->os.traps,
				(unsigned long long)k->os.mode_switches, (unsigned long long)k->os.as_switches,
				(unsigned long long)k->os.ipc_messages, (unsigned long long)k->os.vm_exits,
				(unsigned long long)k->os.hypercalls, measure_names[e->measure]);
			fprintf(f, "expected loss of one fault drawn from the mix,-,0,%.3f,%.6f,%.4f,%.4f,%.4f,%.4f\n",
				k->device_us, k->e2e_overhead, x->p_machine, x->p_silent, x->p_manual, x->p_function_lost);
			continue;
		}
		fprintf(f, "%s,%s,%s,%s,%s,%s,%s,%s,%d,%d,%d,%d,%d,%.3f,%s,%.0f,%.0f,%.0f,%.0f,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%s,",
			e->name, p->name, p->arch, e->workload, R->machine, fault_names[r->fault], fault_unit_names[o->unit],
			o->contained, o->apps_killed, o->requests_lost, o->requests_retried, o->services_lost,
			o->services_stalled, o->recovery_ms, o->reboot, k->cycles, k->ref_cycles, k->sandbox_cycles,
			k->isolation, (unsigned long long)k->ext_instructions, (unsigned long long)k->os.traps,
			(unsigned long long)k->os.mode_switches, (unsigned long long)k->os.as_switches,
			(unsigned long long)k->os.ipc_messages, (unsigned long long)k->os.vm_exits,
			(unsigned long long)k->os.hypercalls, measure_names[e->measure]);
		csv_text(f, o->what);
		fprintf(f, ",%s,%d,%.3f,%.6f,%d,%d,%d,%d\n", o->detection, o->function_lost, k->device_us, k->e2e_overhead,
			o->unit == UNIT_MACHINE, !strcmp(o->detection, "not caught"), o->recovery_ms < 0, o->function_lost);
	}
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void write_json(FILE *f, void *arg)
{
	const struct fault_results *R = arg;
	const struct fault_config *c = R->c;
	fprintf(f, "{\"name\": ");
	json_str(f, c->name);
	fprintf(f, ", \"machine\": ");
	json_str(f, R->machine);
	fprintf(f, ",\n \"scenario\": {\"processes\": %d, \"guests\": %d, \"inflight\": %d},\n \"recovery\": {",
		c->scenario.processes, c->scenario.guests, c->scenario.inflight);
	const struct {
		const char *name;
		const struct recovery_const *r;
	} rc[] = {{"machine_reboot", &c->consts.machine_reboot}, {"guest_reboot", &c->consts.guest_reboot},
		  {"server_restart", &c->consts.server_restart}, {"extension_reload", &c->consts.extension_reload},
		  {"heartbeat", &c->consts.heartbeat}, {"watchdog", &c->consts.watchdog}};
	for (size_t i = 0; i < sizeof rc / sizeof rc[0]; i++) {
		fprintf(f, "%s\"%s\": {\"ms\": %.3f, \"source\": ", i ? ", " : "", rc[i].name, rc[i].r->ms);
		json_str(f, rc[i].r->source);
		fputc('}', f);
	}
	fprintf(f, "},\n \"mix\": {");
	for (int k = 0, first = 1; k < FAULT__N; k++)
		if (c->mix[k] > 0) {
			fprintf(f, "%s\"%s\": %.6g", first ? "" : ", ", fault_names[k], c->mix[k]);
			first = 0;
		}
	fprintf(f, "}, \"mix_source\": ");
	json_str(f, c->mix_source);
	fprintf(f, ",\n \"rows\": [\n");
	for (int i = 0; i < R->n; i++) {
		const struct fault_row *r = &R->rows[i];
		const struct fault_ext *e = &c->ext[r->ext];
		const struct fault_place *p = &c->place[r->place];
		const struct fault_outcome *o = &r->o;
		const struct isolation_cost *k = &r->cost;
		if (r->fault < 0) {
			const struct expected_loss *x = &r->x;
			fprintf(f, "  {\"extension\": ");
			json_str(f, e->name);
			fprintf(f, ", \"placement\": ");
			json_str(f, p->name);
			fprintf(f, ", \"fault\": \"mix\", \"apps_killed\": %.4f, \"requests_lost\": %.4f, "
				   "\"requests_retried\": %.4f, \"recovery_ms\": %.3f, \"p_machine\": %.4f, \"p_silent\": %.4f, "
				   "\"p_manual\": %.4f, \"p_function_lost\": %.4f, \"isolation_cycles\": %.0f, \"device_us\": %.3f, \"e2e_overhead\": %.6f}%s\n",
				x->apps_killed, x->requests_lost, x->requests_retried, x->recovery_ms, x->p_machine,
				x->p_silent, x->p_manual, x->p_function_lost, k->isolation, k->device_us, k->e2e_overhead,
				i + 1 < R->n ? "," : "");
			continue;
		}
		fprintf(f, "  {\"extension\": ");
		json_str(f, e->name);
		fprintf(f, ", \"placement\": ");
		json_str(f, p->name);
		fprintf(f, ", \"arch\": ");
		json_str(f, p->arch);
		fprintf(f, ", \"reference\": ");
		json_str(f, p->reference);
		fprintf(f, ", \"workload\": ");
		json_str(f, e->workload);
		fprintf(f, ", \"measure\": \"%s\", \"fault\": \"%s\", \"failure_unit\": \"%s\", \"contained_by\": \"%s\", "
			   "\"apps_killed\": %d, \"requests_lost\": %d, \"requests_retried\": %d, \"services_lost\": %d, "
			   "\"services_stalled\": %d, \"recovery_ms\": %.3f, \"reboot\": \"%s\", \"cycles\": %.0f, "
			   "\"reference_cycles\": %.0f, \"sandbox_cycles\": %.0f, \"isolation_cycles\": %.0f, "
			   "\"extension_instructions\": %llu, \"traps\": %llu, \"mode_switches\": %llu, \"as_switches\": %llu, "
			   "\"ipc_messages\": %llu, \"vm_exits\": %llu, \"hypercalls\": %llu, \"detection\": \"%s\", "
			   "\"function_lost\": %d, \"device_us\": %.3f, \"e2e_overhead\": %.6f, \"what\": ",
			measure_names[e->measure], fault_names[r->fault], fault_unit_names[o->unit], o->contained,
			o->apps_killed, o->requests_lost, o->requests_retried, o->services_lost, o->services_stalled,
			o->recovery_ms, o->reboot, k->cycles, k->ref_cycles, k->sandbox_cycles, k->isolation,
			(unsigned long long)k->ext_instructions, (unsigned long long)k->os.traps,
			(unsigned long long)k->os.mode_switches, (unsigned long long)k->os.as_switches,
			(unsigned long long)k->os.ipc_messages, (unsigned long long)k->os.vm_exits,
			(unsigned long long)k->os.hypercalls, o->detection, o->function_lost, k->device_us, k->e2e_overhead);
		json_str(f, o->what);
		fprintf(f, "}%s\n", i + 1 < R->n ? "," : "");
	}
	fprintf(f, "]}\n");
}

static void print_tables(FILE *t, const struct fault_results *R)
{
	const struct fault_config *c = R->c;
	fprintf(t, "%s on %s: %d extension(s) x %d placement(s) x %d fault(s)\n", c->name, R->machine, c->next,
		c->nplace, c->nfaults);
	fprintf(t, "scenario: %d application processes per OS instance, %d guests on a host, %d requests in flight\n\n",
		c->scenario.processes, c->scenario.guests, c->scenario.inflight);
	fprintf(t, "what isolation costs when nothing fails (cycles per call, or per device event):\n");
	fprintf(t, "  %-14s %-18s %-30s %9s %9s %8s %9s  %5s %5s %4s %5s %6s\n", "extension", "placement", "arch",
		"cycles", "reference", "sandbox", "isolation", "traps", "as_sw", "ipc", "exits", "hcalls");
	for (int i = 0; i < R->n; i++) {
		const struct fault_row *r = &R->rows[i];
		if (r->fault != c->faults[0])
			continue;
		const struct isolation_cost *k = &r->cost;
		fprintf(t, "  %-14s %-18s %-30s %9.0f %9.0f %8.0f %9.0f  %5llu %5llu %4llu %5llu %6llu\n",
			c->ext[r->ext].name, c->place[r->place].name, c->place[r->place].arch, k->cycles, k->ref_cycles,
			k->sandbox_cycles, k->isolation, (unsigned long long)k->os.traps,
			(unsigned long long)k->os.as_switches, (unsigned long long)k->os.ipc_messages,
			(unsigned long long)k->os.vm_exits, (unsigned long long)k->os.hypercalls);
	}
	fprintf(t, "\nend to end (with the device's time): isolation / (reference cycles + device time):\n");
	for (int i = 0; i < R->n; i++) {
		const struct fault_row *r = &R->rows[i];
		if (r->fault != c->faults[0])
			continue;
		fprintf(t, "  %-14s %-18s device %9.1f us  end-to-end overhead %7.3f%%\n", c->ext[r->ext].name,
			c->place[r->place].name, r->cost.device_us, 100 * r->cost.e2e_overhead);
	}
	if (c->has_mix) {
		fprintf(t, "\nexpected loss of one fault from the mix (%s):\n", c->mix_source);
		fprintf(t, "  %-14s %-18s %8s %8s %8s %11s %9s %9s %9s %9s\n", "extension", "placement", "apps", "lost",
			"retried", "recovery", "P(reboot)", "P(silent)", "P(manual)", "P(no ext)");
		for (int i = 0; i < R->n; i++) {
			const struct fault_row *r = &R->rows[i];
			if (r->fault >= 0)
				continue;
			const struct expected_loss *x = &r->x;
			fprintf(t, "  %-14s %-18s %8.2f %8.2f %8.2f %8.0f ms %9.3f %9.3f %9.3f %9.3f\n", c->ext[r->ext].name,
				c->place[r->place].name, x->apps_killed, x->requests_lost, x->requests_retried,
				x->recovery_ms, x->p_machine, x->p_silent, x->p_manual, x->p_function_lost);
		}
	}
	fprintf(t, "\nwhat a fault loses:\n");
	fprintf(t, "  %-14s %-18s %-13s %-10s %-14s %5s %5s %7s %8s %9s %-7s\n", "extension", "placement", "fault",
		"unit", "contained by", "apps", "lost", "retried", "services", "recovery", "reboot");
	char buf[32];
	for (int i = 0; i < R->n; i++) {
		const struct fault_row *r = &R->rows[i];
		const struct fault_outcome *o = &r->o;
		if (r->fault < 0)
			continue;
		fprintf(t, "  %-14s %-18s %-13s %-10s %-14s %5d %5d %7d %8d %9s %-7s\n", c->ext[r->ext].name,
			c->place[r->place].name, fault_names[r->fault], fault_unit_names[o->unit], o->contained,
			o->apps_killed, o->requests_lost, o->requests_retried, o->services_lost,
			fmt_ms(o->recovery_ms, buf, sizeof buf), o->reboot);
	}
	fprintf(t, "\nwhy (one line per placement and fault, the first extension):\n");
	for (int i = 0; i < R->n; i++) {
		const struct fault_row *r = &R->rows[i];
		if (r->ext != 0 || r->fault < 0)
			continue;
		fprintf(t, "  %-18s %-13s %s\n", c->place[r->place].name, fault_names[r->fault], r->o.what);
	}
}

// Does placement p apply to extension `name` (its `extensions` list, empty: all)?
static int place_applies(const struct fault_place *p, const char *name)
{
	if (!p->extensions[0])
		return 1;
	size_t n = strlen(name);
	for (const char *q = p->extensions; *q;) {
		while (*q == ' ' || *q == ',')
			q++;
		size_t len = strcspn(q, " ,");
		if (len == n && !strncmp(q, name, n))
			return 1;
		q += len;
	}
	return 0;
}

int faults_run(const struct fault_config *c, const char *outdir, FILE *table, struct cfg_error *err)
{
	struct service_set *svc = malloc(sizeof *svc);
	struct arch *a = malloc(sizeof *a), *ref = malloc(sizeof *ref);
	struct workload *w = malloc(sizeof *w);
	struct fault_results R = {c, c->machine,
				  calloc((size_t)(c->next * c->nplace * (c->nfaults + 1)) + 1, sizeof(struct fault_row)), 0};
	int rc = 1;
	if (!svc || !a || !ref || !w || !R.rows) {
		cfg_msgf(err, "osarch: out of memory");
		goto out;
	}
	struct profile p;
	rc = 2;
	if (load_services_default(svc, err) || profile_load(&p, c->machine, NULL, err))
		goto out;
	R.machine = p.name;
	double usec_per_step = p.cpi / p.mhz; // one instruction per step
	for (int ei = 0; ei < c->next; ei++) {
		const struct fault_ext *e = &c->ext[ei];
		if (workload_load(w, e->workload, svc, err))
			goto out;
		int callers = callers_of(w, svc, service_find(svc, e->service));
		for (int pi = 0; pi < c->nplace; pi++) {
			const struct fault_place *pl = &c->place[pi];
			if (!place_applies(pl, e->name))
				continue;
			if (arch_load(a, pl->arch, svc, err) || arch_load(ref, pl->reference, svc, err))
				goto out;
			struct ext_domain dom;
			if (ext_domain_of(a, service_find(&a->svc, e->service), w, &dom)) {
				cfg_msgf(err, "osarch: %s does not place %s", pl->arch, e->service);
				goto out;
			}
			struct isolation_cost cost;
			char why[300];
			if (isolation_cost_of(a, ref, w, &p, e, pl, c->warmup, c->reps, &cost, why, sizeof why)) {
				cfg_msgf(err, "osarch: %s (extension %s, placement %s)", why, e->name, pl->name);
				goto out;
			}
			for (int fi = 0; fi < c->nfaults; fi++) {
				struct fault_row *r = &R.rows[R.n++];
				r->ext = ei;
				r->place = pi;
				r->fault = c->faults[fi];
				r->cost = cost;
				fault_outcome(&dom, pl, e, &c->scenario, &c->consts, r->fault, callers, usec_per_step, &r->o);
			}
			if (c->has_mix) {
				struct fault_outcome all[FAULT__N];
				for (int k = 0; k < FAULT__N; k++)
					fault_outcome(&dom, pl, e, &c->scenario, &c->consts, k, callers, usec_per_step, &all[k]);
				struct fault_row *r = &R.rows[R.n++];
				r->ext = ei;
				r->place = pi;
				r->fault = -1;
				r->cost = cost;
				expected_loss_of(all, c->mix, &r->x);
			}
		}
	}
	rc = 1;
	if (mkdir_p(outdir)) {
		cfg_msgf(err, "osarch: cannot create %s", outdir);
		goto out;
	}
	if (write_atomic_in(outdir, "results.csv", write_csv, &R)) {
		cfg_msgf(err, "osarch: cannot write %s/results.csv: %s", outdir, strerror(errno));
		goto out;
	}
	if (write_atomic_in(outdir, "results.json", write_json, &R)) {
		cfg_msgf(err, "osarch: cannot write %s/results.json: %s", outdir, strerror(errno));
		goto out;
	}
	if (table)
		print_tables(table, &R);
	rc = 0;
out:
	free(svc);
	free(a);
	free(ref);
	free(w);
	free(R.rows);
	return rc;
}

// ---- the command ----

static const char usage_faults[] =
	"usage: osarch faults CONFIG.yaml [-o DIR] [--quiet]\n"
	"\n"
	"Adds the same extension (e.g. a block driver, a packet filter) to the system\n"
	"in each placement of CONFIG (configs/extension-faults.yaml: a loadable kernel\n"
	"module, a user-level server with a restart service, a driver inside a\n"
	"paravirtualised guest, downloaded code in an exokernel's sandbox), injects\n"
	"each fault (wild-write, null-deref, infinite-loop, leak) and reports what is\n"
	"lost: the failure unit, processes killed, requests lost or retried, services\n"
	"lost, simulated recovery time, whether a guest or the machine reboots; and\n"
	"what the isolation costs when nothing fails (cycles per call from the\n"
	"per-call model). Writes DIR/results.csv and DIR/results.json (DIR defaults\n"
	"to results/<name>/) and prints the tables unless --quiet.\n"
	"Exit 0, 2 on a bad file (file:line:col: error: ...), 1 on an internal failure.\n";

int faults_main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage_faults, stdout);
			return 0;
		}
	const char *config = NULL, *out = NULL;
	int quiet = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
			if (++i >= argc) {
				fprintf(stderr, "osarch: %s needs a directory\n%s", argv[i - 1], usage_faults);
				return 2;
			}
			out = argv[i];
		} else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) {
			quiet = 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "osarch: unknown option '%s'\n%s", argv[i], usage_faults);
			return 2;
		} else if (config) {
			fprintf(stderr, "osarch: one config at a time ('%s' is extra)\n%s", argv[i], usage_faults);
			return 2;
		} else {
			config = argv[i];
		}
	}
	if (!config) {
		fprintf(stderr, "osarch: missing CONFIG.yaml\n%s", usage_faults);
		return 2;
	}
	struct fault_config *c = malloc(sizeof *c);
	if (!c) {
		fprintf(stderr, "osarch: out of memory\n");
		return 1;
	}
	struct cfg_error err;
	int rc;
	if (fault_config_load(c, config, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		free(c);
		return 2;
	}
	char dir[600];
	snprintf(dir, sizeof dir, "results/%s", c->name);
	rc = faults_run(c, out ? out : dir, quiet ? NULL : stdout, &err);
	if (rc)
		fprintf(stderr, "%s\n", err.msg);
	fault_config_free(c);
	free(c);
	return rc;
}
