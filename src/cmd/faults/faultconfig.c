// faultconfig.c: an `osarch faults` config file (configs/extension-faults.yaml):
// the extensions, their placements and containment, the fault mix, each
// name checked against the architectures and workloads it uses.
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

