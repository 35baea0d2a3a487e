// scaleconfig.c: an `osarch scale` config file: its schema table, the
// sweep, the per-call model each scenario loads, and the checks (scale.h).
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <simgrid/actor.h>
#include <simgrid/comm.h>
#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <simgrid/mailbox.h>
#include <simgrid/mutex.h>
#include <simgrid/plugins/live_migration.h>
#include <simgrid/vm.h>
#include <xbt/log.h>


#include "scale.h"
#include "scaleshared.h"

const char *const scale_scenario_names[] = {"cores", "remote", "migrate", "shootdown", NULL};
const char *const shootdown_protocol_names[] = {"ipi", "messages", NULL};
const char *const scale_stop_rule_names[] = {"simgrid", "xen", NULL};

// ===================================================================== config

static int skip_custom(const struct field *f, void *dst, struct ydoc *d, yaml_node_t *node,
		       struct cfg_error *err)
{
	(void)f, (void)dst, (void)d, (void)node, (void)err;
	return 0; // `sweep` is read after the table (load_sweep)
}

static int check_threads(const void *obj, struct cfg_error *err)
{
	const struct scale_config *c = obj;
	for (int i = 0; i < c->threads.n; i++) {
		int64_t v;
		if (scalar_parse_int(c->threads.v[i], &v) || v < 1 || v > SCALE_MAX_THREADS) {
			cfg_msgf(err, "threads '%s' is not a thread count (expected integers 1..%d)", c->threads.v[i],
				 SCALE_MAX_THREADS);
			return -1;
		}
	}
	return 0;
}

static int check_placements(const void *obj, struct cfg_error *err)
{
	const struct scale_config *c = obj;
	for (int i = 0; i < c->placements.n; i++)
		if (strcmp(c->placements.v[i], "local") && strcmp(c->placements.v[i], "remote")) {
			cfg_msgf(err, "placements '%s' is unknown (expected local or remote)", c->placements.v[i]);
			return -1;
		}
	return 0;
}

// A SimGrid option is KEY:VALUE; SimGrid itself judges the rest (scale_check_cfg).
static int check_cfg(const void *obj, struct cfg_error *err)
{
	const struct scale_config *c = obj;
	for (int i = 0; i < c->cfg.n; i++)
		if (!strchr(c->cfg.v[i], ':') || c->cfg.v[i][0] == ':' || strlen(c->cfg.v[i]) > 200) {
			cfg_msgf(err, "cfg '%s' is not a SimGrid option (expected KEY:VALUE, e.g. network/model:CM02)",
				 c->cfg.v[i]);
			return -1;
		}
	return 0;
}

static int check_vm(const void *obj, struct cfg_error *err)
{
	const struct scale_vm *v = obj;
	if (v->working_set > v->ram) {
		cfg_msgf(err, "working_set %llu is larger than ram %llu (expected at most ram)",
			 (unsigned long long)v->working_set, (unsigned long long)v->ram);
		return -1;
	}
	return 0;
}

#define LO(m) offsetof(struct scale_lock, m)
static const struct field lock_schema[] = {
	{.key = "service", .type = F_STRING, .offset = LO(service), .size = NAME_LEN,
	 .help = "service whose steps hold the lock (a shared structure every thread running it serialises on)"},
	{.key = "cycles", .type = F_INT, .offset = LO(cycles), .size = 8, .min = 0, .max = 1e9, .unit = "cycles",
	 .help = "cycles of each step that ran the service executed under the lock (at most the step's own; 0: no lock)"},
	{.key = "library", .type = F_BOOL, .offset = LO(library),
	 .help = "a library-OS copy of the service (in each process) shares its state and takes the lock too (default true)"},
	{.key = "inodes", .type = F_INT, .offset = LO(inodes), .size = 8, .min = 0, .max = 1 << 20,
	 .help = "0: one lock for the whole service (coarse); n: a lock per inode, client c using inode c mod n (fine-grained)"},
	{0},
};
#undef LO

#define KO(m) offsetof(struct scale_link, m)
static const struct field link_schema[] = {
	{.key = "latency", .type = F_DOUBLE, .offset = KO(latency), .min = 0, .max = 1e7, .unit = "us",
	 .help = "one-way latency of the link between the two hosts"},
	{.key = "bandwidth", .type = F_DOUBLE, .offset = KO(bandwidth), .min = 0.001, .max = 1e7, .unit = "Mbit/s",
	 .help = "bandwidth of the link (1 Mbit/s = 125,000 bytes/s)"},
	{.key = "header", .type = F_SIZE, .offset = KO(header), .size = 8, .min = 0, .max = 1 << 20, .unit = "bytes",
	 .help = "framing added to every message that crosses the link (the model's messages carry only their data)"},
	{0},
};
#undef KO

#define RO(m) offsetof(struct scale_remote, m)
static const struct field remote_schema[] = {
	{.key = "domains", .type = F_STRLIST, .offset = RO(domains),
	 .help = "server domains that run on the remote host when placement is remote"},
	{.key = "mhz", .type = F_DOUBLE, .offset = RO(mhz), .min = 0, .max = 1e6, .unit = "MHz",
	 .help = "clock of the remote host (0: the local profile's); its servers run the same cycles"},
	{.key = "cores", .type = F_INT, .offset = RO(cores), .size = 8, .min = 1, .max = 256,
	 .help = "cores of the remote host"},
	{.key = "netmsgserver", .type = F_BOOL, .offset = RO(netmsgserver),
	 .help = "true: a message to the other host goes to a user-level network message server on each host (Mach's netmsgserver: a local message, protocol processing, the link, protocol processing, a local message); false: the kernel sends it (NORMA IPC)"},
	{.key = "protocol_instructions", .type = F_INT, .offset = RO(protocol_instructions), .size = 8, .min = 0,
	 .max = 1e9, .unit = "instructions", .help = "the network message server's transport protocol per message, on each side (x the profile's cpi)"},
	{0},
};
#undef RO

static int check_protocols(const void *obj, struct cfg_error *err)
{
	const struct strlist *l = &((const struct scale_shootdown *)obj)->protocols;
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->v[i], "ipi") && strcmp(l->v[i], "messages")) {
			cfg_msgf(err, "unknown protocol '%s' (expected ipi or messages)", l->v[i]);
			return -1;
		}
	return 0;
}

#define DO(m) offsetof(struct scale_shootdown, m)
static const struct field shootdown_schema[] = {
	{.key = "protocols", .type = F_STRLIST, .offset = DO(protocols), .check = check_protocols,
	 .help = "ipi (a shared kernel's inter-processor interrupts) and/or messages (a multikernel's per-core channels)"},
	{.key = "ipi_send", .type = F_DOUBLE, .offset = DO(ipi_send), .min = 0, .max = 1e6, .unit = "cycles",
	 .help = "ipi: the initiator's cost of sending one IPI (an interrupt-command register write)"},
	{.key = "handler", .type = F_DOUBLE, .offset = DO(handler), .min = 0, .max = 1e6, .unit = "cycles",
	 .help = "ipi: the target's handler around its invalidation"},
	{.key = "monitor", .type = F_DOUBLE, .offset = DO(monitor), .min = 0, .max = 1e6, .unit = "cycles",
	 .help = "messages: a monitor's handling of one message or reply, its CPU driver's unmap included"},
	{0},
};
#undef DO

#define VO(m) offsetof(struct scale_vm, m)
static const struct field vm_schema[] = {
	{.key = "ram", .type = F_SIZE, .offset = VO(ram), .size = 8, .min = 1 << 20, .max = 1ull << 40, .unit = "bytes",
	 .help = "memory of the guest, all sent in the first pre-copy round"},
	{.key = "working_set", .type = F_SIZE, .offset = VO(working_set), .size = 8, .min = 0, .max = 1ull << 40,
	 .unit = "bytes", .help = "most memory dirtied between two rounds (0: 90% of ram, SimGrid's own default)"},
	{.key = "dirty_rate", .type = F_DOUBLE, .offset = VO(dirty_rate), .min = 0, .max = 1e6, .unit = "MB/s",
	 .help = "memory the running guest dirties per second (1 MB = 1e6 bytes)"},
	{.key = "migrate_at", .type = F_DOUBLE, .offset = VO(migrate_at), .min = 0, .max = 1e6, .unit = "ms",
	 .help = "simulated time the guest runs before the migration starts"},
	{.key = "timeout", .type = F_DOUBLE, .offset = VO(timeout), .min = 0.001, .max = 1e5, .unit = "s",
	 .help = "a migration still running after this long is reported as not converging"},
	{.key = "stop_rule", .type = F_ENUM, .offset = VO(stop_rule), .names = scale_stop_rule_names,
	 .help = "simgrid: the plugin's pre-copy (stop when the rest fits in 30 ms); xen: xc_linux_save's loop (at most 30 rounds, 3x memory, or under 50 dirty pages)"},
	{.key = "state_bytes", .type = F_SIZE, .offset = VO(state_bytes), .size = 8, .min = 0, .max = 1ull << 30,
	 .unit = "bytes", .help = "xen: CPU and device state sent with the last round while the VM is paused"},
	{0},
};
#undef VO

#define CO(m) offsetof(struct scale_config, m)
const struct field scale_schema[] = {
	{.key = "name", .type = F_STRING, .offset = CO(name), .size = 64, .required = 1,
	 .help = "results go to results/<name>/ unless -o DIR is given"},
	{.key = "description", .type = F_STRING, .offset = CO(description), .size = 256, .help = "what the scenario shows"},
	{.key = "scenario", .type = F_ENUM, .offset = CO(scenario), .names = scale_scenario_names, .required = 1,
	 .help = "cores (contention), remote (network IPC), migrate (VM live migration) or shootdown (a TLB shootdown on N cores)"},
	{.key = "machine", .type = F_STRING, .offset = CO(machine), .size = 64,
	 .help = "machine profile (configs/machines/) of every host: clock and per-call cycles"},
	{.key = "archs", .type = F_STRLIST, .offset = CO(archs), .required = 1,
	 .help = "architectures; migrate: the guest's (its per-call cycles)"},
	{.key = "workloads", .type = F_STRLIST, .offset = CO(workloads), .required = 1,
	 .help = "workloads the clients (or the guest) call in a loop"},
	{.key = "threads", .type = F_STRLIST, .offset = CO(threads), .check = check_threads,
	 .help = "threads of every user-level server, one run per value (archs without servers run once)"},
	{.key = "placements", .type = F_STRLIST, .offset = CO(placements), .check = check_placements,
	 .help = "remote: local (every server on the clients' host) and/or remote (remote.domains across the link)"},
	{.key = "cores", .type = F_INT, .offset = CO(cores), .size = 8, .min = 1, .max = 256,
	 .help = "cores of the clients' host (migrate: of each physical host)"},
	{.key = "clients", .type = F_INT, .offset = CO(clients), .size = 8, .min = 0, .max = 1024,
	 .help = "client processes (0: clients_per_core x cores)"},
	{.key = "clients_per_core", .type = F_INT, .offset = CO(clients_per_core), .size = 8, .min = 1, .max = 64,
	 .help = "client processes per core when clients is 0"},
	{.key = "think", .type = F_DOUBLE, .offset = CO(think), .min = 0, .max = 1000, .unit = "calls",
	 .help = "mean think time between a client's calls (exponential), in unloaded call times; 0: none"},
	{.key = "seed", .type = F_INT, .offset = CO(seed), .size = 8, .min = 0, .max = 1e15,
	 .help = "seed of the think times"},
	{.key = "warmup_calls", .type = F_INT, .offset = CO(warmup_calls), .size = 8, .min = 0, .max = 100000,
	 .unit = "calls", .help = "simulated time before measuring, in unloaded call times"},
	{.key = "window_calls", .type = F_INT, .offset = CO(window_calls), .size = 8, .min = 10, .max = 100000,
	 .unit = "calls", .help = "measurement window, in unloaded call times"},
	{.key = "lock", .type = F_GROUP, .offset = CO(lock), .group = lock_schema,
	 .help = "a shared lock in a service, a SimGrid mutex"},
	{.key = "link", .type = F_GROUP, .offset = CO(link), .group = link_schema,
	 .help = "the network link between the two hosts (remote, migrate)"},
	{.key = "remote", .type = F_GROUP, .offset = CO(remote), .group = remote_schema,
	 .help = "the remote host of scenario remote"},
	{.key = "vm", .type = F_GROUP, .offset = CO(vm), .group = vm_schema, .check = check_vm,
	 .help = "the guest of scenario migrate"},
	{.key = "shootdown", .type = F_GROUP, .offset = CO(shootdown), .group = shootdown_schema,
	 .help = "the protocols and costs of scenario shootdown"},
	{.key = "model_warmup", .type = F_INT, .offset = CO(model_warmup), .size = 8, .min = 0, .max = 100000,
	 .unit = "calls", .help = "per-call model: warm-up calls before the traced call"},
	{.key = "cfg", .type = F_STRLIST, .offset = CO(cfg), .check = check_cfg,
	 .help = "SimGrid options (KEY:VALUE), before those given as --cfg=KEY:VALUE"},
	{.key = "sweep", .type = F_CUSTOM, .custom = skip_custom,
	 .help = "parameter: [values]; the cross product is run (scalar keys above, dotted: link.latency)"},
	{0},
};
#undef CO

// Which scalar keys each scenario uses (a sweep of any other is an error).
#define SC_C (1 << SCALE_CORES)
#define SC_R (1 << SCALE_REMOTE)
#define SC_M (1 << SCALE_MIGRATE)
#define SC_S (1 << SCALE_SHOOTDOWN)
static const struct {
	const char *key;
	int scenarios;
} used_keys[] = {
	{"cores", SC_C | SC_R | SC_M | SC_S}, {"shootdown.ipi_send", SC_S}, {"shootdown.handler", SC_S},
	{"shootdown.monitor", SC_S}, {"clients", SC_C | SC_R}, {"clients_per_core", SC_C | SC_R},
	{"think", SC_C | SC_R}, {"seed", SC_C | SC_R}, {"warmup_calls", SC_C | SC_R},
	{"window_calls", SC_C | SC_R}, {"lock.cycles", SC_C | SC_R}, {"lock.inodes", SC_C | SC_R}, {"link.latency", SC_R | SC_M},
	{"link.bandwidth", SC_R | SC_M}, {"link.header", SC_R}, {"remote.mhz", SC_R}, {"remote.cores", SC_R}, {"vm.ram", SC_M},
	{"vm.working_set", SC_M}, {"vm.dirty_rate", SC_M}, {"vm.migrate_at", SC_M}, {"vm.timeout", SC_M}, {"vm.stop_rule", SC_M}, {"vm.state_bytes", SC_M},
	{"model_warmup", SC_C | SC_R | SC_M},
};

static int key_used(const char *key, int scenario)
{
	for (size_t i = 0; i < sizeof used_keys / sizeof used_keys[0]; i++)
		if (!strcmp(used_keys[i].key, key))
			return (used_keys[i].scenarios >> scenario) & 1;
	return 0;
}

static void used_key_list(int scenario, char *buf, size_t n)
{
	buf[0] = 0;
	for (size_t i = 0; i < sizeof used_keys / sizeof used_keys[0]; i++)
		if ((used_keys[i].scenarios >> scenario) & 1) {
			size_t len = strlen(buf);
			snprintf(buf + len, n - len, "%s%s", len ? ", " : "", used_keys[i].key);
		}
}

void scale_defaults(struct scale_config *c)
{
	memset(c, 0, sizeof *c);
	snprintf(c->machine, sizeof c->machine, "modern");
	c->cores = 1;
	c->clients_per_core = 1;
	c->seed = 1;
	c->warmup_calls = 20;
	c->window_calls = 200;
	snprintf(c->lock.service, sizeof c->lock.service, "fs");
	c->lock.library = 1;
	c->link.latency = 10;
	c->link.bandwidth = 1000;
	c->remote.cores = 1;
	c->remote.netmsgserver = 1;
	c->remote.protocol_instructions = 200; // Clark, Romkey, Salwen, LCN 1988: under 200 instructions per TCP packet
	c->vm.ram = 1ull << 30;
	c->vm.migrate_at = 100;
	c->vm.timeout = 120;
	c->model_warmup = 10;
	c->shootdown.ipi_send = 100;
	c->shootdown.handler = 300;
	c->shootdown.monitor = 500;
}

void scale_free(struct scale_config *c)
{
	strlist_free(&c->archs);
	strlist_free(&c->workloads);
	strlist_free(&c->threads);
	strlist_free(&c->placements);
	strlist_free(&c->remote.domains);
	strlist_free(&c->cfg);
	strlist_free(&c->shootdown.protocols);
	for (int i = 0; i < c->nsweep; i++)
		strlist_free(&c->sweep[i].values);
	c->nsweep = 0;
}

// Applies one sweep value to a shallow copy of the config (scalar fields only).
int scale_sweep_set(struct scale_config *probe, const char *key, const char *val, struct cfg_error *err)
{
	void *owner;
	const struct field *f = schema_find(scale_schema, probe, key, &owner);
	if (!f || f->type == F_GROUP || f->type == F_CUSTOM || f->type == F_STRLIST || f->type == F_STRING ||
	    (f->type == F_ENUM && strcmp(key, "vm.stop_rule"))) {
		cfg_msgf(err, "unknown parameter '%s'", key);
		return -1;
	}
	return schema_set(scale_schema, probe, key, val, err);
}

static int load_sweep(struct scale_config *c, struct ydoc *d, yaml_node_t *node, struct cfg_error *err)
{
	if (node->type != YAML_MAPPING_NODE) {
		cfg_errorf(err, d, node, "'sweep' is not a mapping (expected {parameter: [values]})");
		return -1;
	}
	char keys[400];
	used_key_list(c->scenario, keys, sizeof keys);
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&d->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&d->doc, p->value);
		const char *key = node_scalar(k);
		if (!key || strlen(key) >= sizeof c->sweep[0].key || !key_used(key, c->scenario)) {
			cfg_errorf(err, d, k, "sweep parameter '%s' is not one of scenario %s (expected one of: %s)",
				   key ? key : "", scale_scenario_names[c->scenario], keys);
			return -1;
		}
		struct sweep_param *sp = sweep_param_add(c->sweep, &c->nsweep, SCALE_MAX_SWEEP, key, d, k, v, err);
		if (!sp)
			return -1;
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			yaml_node_t *item = yaml_document_get_node(&d->doc, *it);
			const char *val = node_scalar(item);
			struct scale_config probe = *c; // shallow: only scalars are set
			struct cfg_error e2;
			if (!val || scale_sweep_set(&probe, key, val, &e2)) {
				cfg_errorf(err, d, item, "bad value '%s' for %s (%s)", val ? val : "", key,
					   val ? e2.msg : "expected a scalar");
				return -1;
			}
			if (strlist_add(&sp->values, val)) {
				cfg_errorf(err, d, item, "out of memory");
				return -1;
			}
		}
	}
	return 0;
}

long scale_sweep_combos(const struct scale_config *c)
{
	long n = 1;
	for (int i = 0; i < c->nsweep && n <= SCALE_MAX_POINTS; i++)
		n *= c->sweep[i].values.n;
	return n;
}

// The node of a list key's i-th item (or the key's value), for error locations.
yaml_node_t *scale_item_node(struct ydoc *d, yaml_node_t *root, const char *key, int i)
{
	yaml_node_t *list = map_get(d, root, key);
	if (list && list->type == YAML_SEQUENCE_NODE &&
	    list->data.sequence.items.start + i < list->data.sequence.items.top)
		return yaml_document_get_node(&d->doc, list->data.sequence.items.start[i]);
	return list ? list : root;
}


void scale_model_free(struct model *m)
{
	free(m->svc);
	free(m->archs);
	free(m->wls);
	free(m->ipc);
	memset(m, 0, sizeof *m);
}

// Loads the profile, services, architectures and workloads; a bad name is
// reported at its item when d is given.
int scale_model_load(struct model *m, const struct scale_config *c, struct ydoc *d, struct cfg_error *err)
{
	memset(m, 0, sizeof *m);
	m->svc = malloc(sizeof *m->svc);
	m->archs = calloc((size_t)c->archs.n, sizeof *m->archs);
	m->wls = calloc((size_t)c->workloads.n, sizeof *m->wls);
	if (!m->svc || !m->archs || !m->wls) {
		cfg_msgf(err, "%s:1:1: error: out of memory", c->path);
		return -1;
	}
	struct cfg_error e2;
	yaml_node_t *root = d ? ydoc_root(d) : NULL;
	if (profile_load(&m->prof, c->machine, NULL, &e2)) {
		if (d && strstr(e2.msg, ":1:1: error: unknown machine profile"))
			cfg_errorf(err, d, map_get(d, root, "machine"), "%s", strstr(e2.msg, "unknown machine profile"));
		else
			*err = e2;
		return -1;
	}
	if (load_services_default(m->svc, err))
		return -1;
	for (int i = 0; i < c->archs.n; i++)
		if (arch_load(&m->archs[i], c->archs.v[i], m->svc, &e2)) {
			const char *u = strstr(e2.msg, ":1:1: error: unknown architecture");
			if (d && u)
				cfg_errorf(err, d, scale_item_node(d, root, "archs", i), "%s", u + 13);
			else
				*err = e2;
			return -1;
		}
	if (c->scenario == SCALE_REMOTE) {
		m->ipc = malloc(sizeof *m->ipc);
		if (!m->ipc || workload_load(m->ipc, "ipc-pingpong", m->svc, err))
			return -1;
	}
	for (int i = 0; i < c->workloads.n; i++)
		if (workload_load(&m->wls[i], c->workloads.v[i], m->svc, &e2)) {
			const char *u = strstr(e2.msg, ":1:1: error: unknown workload");
			if (d && u)
				cfg_errorf(err, d, scale_item_node(d, root, "workloads", i), "%s", u + 13);
			else
				*err = e2;
			return -1;
		}
	return 0;
}

// A server domain: user mode, not the application's own (per-process) domain.
int scale_is_server_domain(const struct arch *a, int d)
{
	return d >= 0 && d != a->app_domain && !a->dom[d].per_process && a->dom[d].ring == 3;
}

int scale_load(struct scale_config *c, const char *path, struct cfg_error *err)
{
	scale_defaults(c);
	snprintf(c->path, sizeof c->path, "%s", path);
	if (strlist_add(&c->threads, "1") || strlist_add(&c->placements, "local") ||
	    strlist_add(&c->placements, "remote") || strlist_add(&c->remote.domains, "fs")) {
		cfg_msgf(err, "%s:1:1: error: out of memory", path);
		scale_free(c);
		return -1;
	}
	struct ydoc d;
	if (ydoc_load_file(&d, path, err)) {
		scale_free(c);
		return -1;
	}
	int rc = -1;
	struct model m = {0};
	struct scale_plan *plan = malloc(sizeof *plan);
	if (!plan) {
		cfg_msgf(err, "%s:1:1: error: out of memory", path);
		goto out;
	}
	yaml_node_t *root = ydoc_root(&d);
	if (schema_load(scale_schema, c, sizeof *c, &d, root, err))
		goto out;
	yaml_node_t *sweep = map_get(&d, root, "sweep");
	if (sweep && load_sweep(c, &d, sweep, err))
		goto out;
	if (c->scenario == SCALE_SHOOTDOWN && c->shootdown.protocols.n == 0 &&
	    (strlist_add(&c->shootdown.protocols, "ipi") || strlist_add(&c->shootdown.protocols, "messages"))) {
		cfg_msgf(err, "%s:1:1: error: out of memory", path);
		goto out;
	}
	if (c->scenario == SCALE_REMOTE && c->placements.n == 0) {
		cfg_errorf(err, &d, map_get(&d, root, "placements"), "no placement (expected local and/or remote)");
		goto out;
	}
	if (scale_model_load(&m, c, &d, err))
		goto out;
	if (c->lock.cycles > 0 && service_find(m.svc, c->lock.service) < 0) {
		yaml_node_t *l = map_get(&d, root, "lock");
		cfg_errorf(err, &d, l && map_get(&d, l, "service") ? map_get(&d, l, "service") : root,
			   "lock.service '%s' is not a service of models/services.yaml (expected e.g. fs)", c->lock.service);
		goto out;
	}
	// Every (arch, workload) pair must have a plan: a missing hardware
	// feature or a crossing without a transport is reported now, at the arch.
	for (int a = 0; a < c->archs.n; a++) {
		for (int w = 0; w < c->workloads.n; w++) {
			char why[300];
			int prc = scale_plan_build(plan, &m.archs[a], &m.wls[w], m.svc, &m.prof, (int)c->model_warmup,
						   c->lock.service, c->lock.cycles, c->lock.library, why, sizeof why);
			if (prc) {
				cfg_errorf(err, &d, scale_item_node(&d, root, "archs", a), "architecture %s with workload %s: %s",
					   c->archs.v[a], c->workloads.v[w], why);
				goto out;
			}
		}
		if (c->scenario == SCALE_REMOTE && strlist_find(&c->placements, "remote") >= 0) {
			int any = 0;
			for (int i = 0; i < c->remote.domains.n; i++) {
				int dom = arch_domain_find(&m.archs[a], c->remote.domains.v[i]);
				any |= scale_is_server_domain(&m.archs[a], dom);
			}
			if (!any) {
				cfg_errorf(err, &d, map_get(&d, root, "remote") ? map_get(&d, root, "remote") : root,
					   "remote.domains names no user-level server domain of architecture %s (expected e.g. fs for mach-multiserver)",
					   c->archs.v[a]);
				goto out;
			}
		}
	}
	long n = scale_sweep_combos(c) * c->archs.n * c->workloads.n * (c->threads.n > 0 ? c->threads.n : 1) *
		 (c->scenario == SCALE_REMOTE ? c->placements.n : 1);
	if (n > SCALE_MAX_POINTS || scale_sweep_combos(c) > SCALE_MAX_POINTS) {
		cfg_errorf(err, &d, sweep ? sweep : root, "the scenario has more than %d points (expected a smaller cross product)",
			   SCALE_MAX_POINTS);
		goto out;
	}
	rc = 0;
out:
	if (rc)
		scale_free(c);
	scale_model_free(&m);
	free(plan);
	ydoc_free(&d);
	return rc;
}

