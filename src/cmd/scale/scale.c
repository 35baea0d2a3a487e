// scale.c: `osarch scale`: many cores, many hosts, moving VMs, on SimGrid.
//
// Sections: the config (schema table and sweep), the plan of one call (the
// per-call model's trace split between client and server actors), the
// simulation of one point (runs in a child process), the forked runner, and
// the command (points, output files, summary).
//
// State: SimGrid's engine is a process-wide singleton that can be initialised
// once; that is the only global mutable state, and it lives only in the child
// process of one point. Actors find their data through sg_actor_get_data.
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

const char *const scale_scenario_names[] = {"cores", "remote", "migrate", "shootdown", NULL};
const char *const shootdown_protocol_names[] = {"ipi", "messages", NULL};
const char *const scale_stop_rule_names[] = {"simgrid", "xen", NULL};

// SimGrid's live-migration plugin (3.32) stops pre-copy when the bytes left
// can be sent in this long; DirtyPageTrackingExt has no setter for it.
#define SG_MAX_DOWNTIME 0.03
// The guest of `migrate` runs its calls in slices of about this much
// simulated time: the granularity of its progress, not of the measured
// downtime (which is exact, see run_migrate).
#define GUEST_SLICE_S 1e-3

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

static void scale_defaults(struct scale_config *c)
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
static int sweep_set(struct scale_config *probe, const char *key, const char *val, struct cfg_error *err)
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
		for (int i = 0; i < c->nsweep; i++)
			if (!strcmp(c->sweep[i].key, key)) {
				cfg_errorf(err, d, k, "duplicate key '%s'", key);
				return -1;
			}
		if (c->nsweep >= SCALE_MAX_SWEEP) {
			cfg_errorf(err, d, k, "too many sweep parameters (expected at most %d)", SCALE_MAX_SWEEP);
			return -1;
		}
		if (v->type != YAML_SEQUENCE_NODE || v->data.sequence.items.start == v->data.sequence.items.top) {
			cfg_errorf(err, d, v, "sweep values are not a list (expected [value, ...])");
			return -1;
		}
		struct sweep_param *sp = &c->sweep[c->nsweep];
		memset(sp, 0, sizeof *sp);
		snprintf(sp->key, sizeof sp->key, "%s", key);
		c->nsweep++; // counted first so that a failure below frees the list
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			yaml_node_t *item = yaml_document_get_node(&d->doc, *it);
			const char *val = node_scalar(item);
			struct scale_config probe = *c; // shallow: only scalars are set
			struct cfg_error e2;
			if (!val || sweep_set(&probe, key, val, &e2)) {
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

static long sweep_combos(const struct scale_config *c)
{
	long n = 1;
	for (int i = 0; i < c->nsweep && n <= SCALE_MAX_POINTS; i++)
		n *= c->sweep[i].values.n;
	return n;
}

// The node of a list key's i-th item (or the key's value), for error locations.
static yaml_node_t *item_node(struct ydoc *d, yaml_node_t *root, const char *key, int i)
{
	yaml_node_t *list = map_get(d, root, key);
	if (list && list->type == YAML_SEQUENCE_NODE &&
	    list->data.sequence.items.start + i < list->data.sequence.items.top)
		return yaml_document_get_node(&d->doc, list->data.sequence.items.start[i]);
	return list ? list : root;
}

// Everything the points need, loaded once.
struct model {
	struct service_set *svc;
	struct arch *archs;
	struct workload *wls;
	struct workload *ipc; // remote: ipc-pingpong, the cost of one local message
	struct profile prof;
};

static void model_free(struct model *m)
{
	free(m->svc);
	free(m->archs);
	free(m->wls);
	free(m->ipc);
	memset(m, 0, sizeof *m);
}

// Loads the profile, services, architectures and workloads; a bad name is
// reported at its item when d is given.
static int model_load(struct model *m, const struct scale_config *c, struct ydoc *d, struct cfg_error *err)
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
				cfg_errorf(err, d, item_node(d, root, "archs", i), "%s", u + 13);
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
				cfg_errorf(err, d, item_node(d, root, "workloads", i), "%s", u + 13);
			else
				*err = e2;
			return -1;
		}
	return 0;
}

// A server domain: user mode, not the application's own (per-process) domain.
static int is_server_domain(const struct arch *a, int d)
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
	if (model_load(&m, c, &d, err))
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
				cfg_errorf(err, &d, item_node(&d, root, "archs", a), "architecture %s with workload %s: %s",
					   c->archs.v[a], c->workloads.v[w], why);
				goto out;
			}
		}
		if (c->scenario == SCALE_REMOTE && strlist_find(&c->placements, "remote") >= 0) {
			int any = 0;
			for (int i = 0; i < c->remote.domains.n; i++) {
				int dom = arch_domain_find(&m.archs[a], c->remote.domains.v[i]);
				any |= is_server_domain(&m.archs[a], dom);
			}
			if (!any) {
				cfg_errorf(err, &d, map_get(&d, root, "remote") ? map_get(&d, root, "remote") : root,
					   "remote.domains names no user-level server domain of architecture %s (expected e.g. fs for mach-multiserver)",
					   c->archs.v[a]);
				goto out;
			}
		}
	}
	long n = sweep_combos(c) * c->archs.n * c->workloads.n * (c->threads.n > 0 ? c->threads.n : 1) *
		 (c->scenario == SCALE_REMOTE ? c->placements.n : 1);
	if (n > SCALE_MAX_POINTS || sweep_combos(c) > SCALE_MAX_POINTS) {
		cfg_errorf(err, &d, sweep ? sweep : root, "the scenario has more than %d points (expected a smaller cross product)",
			   SCALE_MAX_POINTS);
		goto out;
	}
	rc = 0;
out:
	if (rc)
		scale_free(c);
	model_free(&m);
	free(plan);
	ydoc_free(&d);
	return rc;
}

// ======================================================================= plan

// Does the space-separated list of "service.op" names contain an op of svc?
static int ran_has(const char *ran, const char *svc)
{
	size_t n = strlen(svc);
	for (const char *p = ran; *p;) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, svc, n) && p[n] == '.')
			return 1;
		p += strcspn(p, " ");
	}
	return 0;
}

// The workload node that the crossing into domain `dom` starts: the first op
// of the step's `ran` list placed in dom. Returns its index or -1.
static int entered_node(const struct arch *a, const struct workload *w, const char *ran, int dom)
{
	char buf[sizeof ((struct trace_step *)0)->ran * 2];
	snprintf(buf, sizeof buf, "%s", ran);
	for (char *save = NULL, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		char *dot = strchr(t, '.');
		if (!dot)
			continue;
		*dot = 0;
		int s = service_find(&a->svc, t);
		if (s < 0 || placement_for(a, s, PROC_APP) != dom)
			continue;
		int o = op_find(&a->svc.s[s], dot + 1);
		for (int i = 0; i < w->n; i++)
			if (w->nodes[i].service == s && w->nodes[i].op == o)
				return i;
	}
	return -1;
}

// Bytes the ops of service svc in the space-separated "service.op" list
// write: under a lock they are modified lines the next holder must fetch.
static double written_bytes(const struct arch *a, const char *ran, const char *svc)
{
	char buf[sizeof ((struct trace_step *)0)->ran];
	snprintf(buf, sizeof buf, "%s", ran);
	double bytes = 0;
	for (char *save = NULL, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		char *dot = strchr(t, '.');
		if (!dot)
			continue;
		*dot = 0;
		if (strcmp(t, svc))
			continue;
		int s = service_find(&a->svc, t);
		int o = s >= 0 ? op_find(&a->svc.s[s], dot + 1) : -1;
		if (o < 0)
			continue;
		const struct op *op = &a->svc.s[s].ops[o];
		for (int k = 0; k < op->ndata; k++)
			if (op->data[k].store)
				bytes += op->data[k].bytes;
	}
	return bytes;
}

void scale_plan_totals(struct scale_plan *plan)
{
	plan->client_cycles = plan->app_cycles;
	plan->lock_cycles = 0;
	for (int i = 0; i < SCALE_MAX_SERVERS; i++)
		plan->server_cycles[i] = 0;
	for (int i = 0; i < plan->nseg; i++) {
		const struct scale_seg *s = &plan->seg[i];
		double c = s->pre + s->locked + s->post;
		if (s->owner < 0)
			plan->client_cycles += c;
		else
			plan->server_cycles[s->owner] += c;
		plan->lock_cycles += s->locked;
	}
}

struct builder {
	struct scale_plan *plan;
	int stack[SCALE_MAX_DEPTH]; // owners of the actors in the call chain, client first
	long reply[SCALE_MAX_DEPTH]; // bytes of the reply to stack[i-1] when stack[i] returns
	int depth;
	int bad;
};

static struct scale_seg *new_seg(struct builder *b, int owner, int call, long bytes)
{
	if (b->plan->nseg >= SCALE_MAX_SEG) {
		b->bad = 1;
		return &b->plan->seg[SCALE_MAX_SEG - 1];
	}
	struct scale_seg *s = &b->plan->seg[b->plan->nseg++];
	memset(s, 0, sizeof *s);
	s->owner = owner;
	s->call = call;
	s->bytes = bytes;
	return s;
}

// Moves the call to actor `owner`: a return when owner is waiting lower in
// the chain (every actor in between returns with no work), else a call.
static void move_to(struct builder *b, int owner, long request, long reply)
{
	int j = b->depth - 2;
	while (j >= 0 && b->stack[j] != owner)
		j--;
	if (j >= 0) {
		while (b->depth - 1 > j) {
			long bytes = b->reply[b->depth - 1];
			b->depth--;
			new_seg(b, b->stack[b->depth - 1], 0, bytes);
		}
		return;
	}
	if (b->depth >= SCALE_MAX_DEPTH) {
		b->bad = 1;
		return;
	}
	b->stack[b->depth] = owner;
	b->reply[b->depth++] = reply;
	new_seg(b, owner, 1, request);
}

// Adds a step's cycles to the current segment: `locked` of them under the
// lock, the rest before it (or after it when the segment already holds it).
static void add_cycles(struct scale_seg *s, double unlocked, double locked)
{
	if (locked > 0 && s->locked == 0) {
		s->pre += s->post + unlocked;
		s->post = 0;
		s->locked = locked;
	} else if (locked > 0) {
		s->locked += locked;
		s->post += unlocked;
	} else if (s->locked > 0) {
		s->post += unlocked;
	} else {
		s->pre += unlocked;
	}
}

int scale_plan_build(struct scale_plan *plan, const struct arch *a, const struct workload *w,
		     const struct service_set *svc, const struct profile *p, int warmup,
		     const char *lock_service, int64_t lock_cycles, int lock_library, char *error, size_t errlen)
{
	(void)svc; // node indices are the architecture's service indices (walk.c)
	memset(plan, 0, sizeof *plan);
	struct trace *tr = malloc(sizeof *tr);
	if (!tr) {
		snprintf(error, errlen, "out of memory");
		return -1;
	}
	// One traced call after `warmup` warm calls: the trace and the cycles are
	// of the same call, so the split adds up to the model's figure exactly.
	struct run_params rp = {warmup, 1, 0, 1};
	struct run_result r;
	tr->n = 0;
	int rc = run_point(a, w, p, &rp, &r, tr);
	if (rc) {
		if (rc == -2)
			snprintf(error, errlen, "needs %s, which machine %s does not have",
				 a->requires_ept ? "VT-x with EPT" : "VT-x", p->name);
		else if (rc == -3)
			snprintf(error, errlen, "%s", r.error);
		else
			snprintf(error, errlen, "machine %s cannot be built", p->name);
		free(tr);
		return rc;
	}
	plan->cycles = r.cycles;
	plan->app_cycles = counters_cycles(&r.app) / (r.reps > 0 ? r.reps : 1);
	struct builder b = {.plan = plan, .stack = {-1}, .depth = 1};
	double steps = 0;
	for (int i = 0; i < tr->n; i++)
		steps += counters_cycles(&tr->step[i].hw);
	// Work before the first crossing (a library OS's whole call) is the client's.
	struct scale_seg *cur = new_seg(&b, -1, 0, 0);
	cur->pre = r.cycles - steps > 0 ? r.cycles - steps : 0;
	for (int i = 0; i < tr->n && !b.bad; i++) {
		const struct trace_step *st = &tr->step[i];
		int d = arch_domain_find(a, st->to);
		int owner = b.stack[b.depth - 1]; // a kernel runs on the thread that entered it
		if (d >= 0 && (d == a->app_domain || a->dom[d].per_process))
			owner = -1;
		else if (is_server_domain(a, d)) {
			owner = -1;
			for (int k = 0; k < plan->nserver; k++)
				if (!strcmp(plan->server[k], st->to))
					owner = k;
			if (owner < 0) {
				if (plan->nserver >= SCALE_MAX_SERVERS) {
					b.bad = 1;
					break;
				}
				owner = plan->nserver++;
				snprintf(plan->server[owner], NAME_LEN, "%s", st->to);
			}
		}
		if (owner != b.stack[b.depth - 1]) {
			long req = 0, rep = 0;
			// The operations the crossing leads to: its row and the rows
			// after it up to the next crossing (the work in the callee).
			char ran[sizeof st->ran * 2] = "";
			for (int j = i; j < tr->n && (j == i || tr->step[j].kind != TK_CROSS || tr->step[j].cont); j++)
				snprintf(ran + strlen(ran), sizeof ran - strlen(ran), "%s%s", ran[0] ? " " : "",
					 tr->step[j].ran);
			int n = owner >= 0 ? entered_node(a, w, ran, d) : -1;
			if (n >= 0) {
				req = w->nodes[n].args;
				rep = w->nodes[n].result;
			}
			move_to(&b, owner, req, rep);
			cur = &plan->seg[plan->nseg - 1];
		}
		double cyc = counters_cycles(&st->hw);
		double locked = 0;
		// A lock guards state shared by processes. A library OS's copy of
		// the service (a per-process domain) takes it too when its state is
		// shared (lock.library: the exokernel's file system shares its
		// inodes and buffer cache between the processes' library OSes).
		int own = d >= 0 && (d == a->app_domain || (a->dom[d].per_process && !lock_library));
		if (lock_cycles > 0 && !own && ran_has(st->ran, lock_service)) {
			locked = (double)lock_cycles < cyc ? (double)lock_cycles : cyc;
			double line = p->l1d.line ? p->l1d.line : 64;
			cur->lock_lines += ceil(written_bytes(a, st->ran, lock_service) / line);
		}
		add_cycles(cur, cyc - locked, locked);
		cur->sleep += st->os.io_wait_usec * 1e-6;
	}
	if (!b.bad && b.depth > 1)
		move_to(&b, -1, 0, 0); // the call ends in the client
	free(tr);
	if (b.bad) {
		snprintf(error, errlen, "the call has more than %d segments, %d servers or %d nested calls",
			 SCALE_MAX_SEG, SCALE_MAX_SERVERS, SCALE_MAX_DEPTH);
		return -4;
	}
	scale_plan_totals(plan);
	return 0;
}

// ================================================================ simulation
//
// Runs in the child process of one point: SimGrid is initialised there.

struct world;

struct actor_ctx {
	struct world *sim;
	int owner;             // -1 client, else server index
	int remote;            // runs on the remote host
	int first_thread;      // servers: the pool's first thread
	int core;              // the core of its host it is pinned to (client c: c mod cores)
	int client;            // clients: its number (which inode it reads)
	sg_mailbox_t reply;    // where returns to this actor arrive
	double start;          // clients: first call
	uint64_t rng;          // clients: state of the think-time generator
};

// A call in flight: where it is in the plan and who waits for its returns.
struct token {
	int pos;
	int depth;
	int client;            // the client whose call it is
	int from_core, from_remote; // the sender of the message that carried it
	long bytes;            // that message's bytes
	sg_mailbox_t dest;     // via a network message server: where it finally goes
	int dest_remote;       // ... on which host
	struct actor_ctx *ret[SCALE_MAX_DEPTH];
};

struct world {
	const struct scale_point *pt;
	const struct scale_plan *plan;
	sg_mutex_t *lock;      // one (coarse) or one per inode
	int *waiting;          // per lock: actors waiting for it or holding it
	int *holder_core;      // per lock: core of its last holder (-1: none yet)
	int nlock;
	double handover, acquisitions, xcore; // cycles of hand-overs, their count, cross-core cycles
	sg_mailbox_t port[SCALE_MAX_SERVERS];
	sg_mailbox_t nms[2];   // the network message server's port on the local (0) and remote (1) host
	double t_warm, t_end;
	double think;          // mean think time, seconds
	double *lat;
	long nlat, cap;
	int oom;
	double busy[SCALE_MAX_SERVERS];
	double lock_held;
};

static double overlap(double a, double b, double lo, double hi)
{
	double s = a > lo ? a : lo, e = b < hi ? b : hi;
	return e > s ? e - s : 0;
}

static void exec_cycles(struct actor_ctx *ac, double cycles)
{
	if (cycles <= 0)
		return;
	double t0 = simgrid_get_clock();
	sg_actor_execute(cycles); // one flop is one cycle: the host's speed is its clock
	if (ac->owner >= 0)
		ac->sim->busy[ac->owner] += overlap(t0, simgrid_get_clock(), ac->sim->t_warm, ac->sim->t_end);
}

// The cycles of a lock hand-over. Boyd-Wickizer et al. ("Non-scalable locks
// are dangerous", Linux Symposium 2012) model a ticket spin lock whose
// hand-over time grows linearly with the cores waiting for it. The linear
// form used here is ours: the release invalidates the lock's line in every
// waiter's cache, their reads are served one line transfer at a time and the
// new holder's comes on average half-way, (k + 1) / 2 transfers with k
// contenders (it included); the lines the critical section wrote move too.
// Nothing moves when the lock's last holder ran on the same core.
double scale_handover_cycles(int contenders, double lock_lines, double line_transfer, int same_core)
{
	if (same_core || contenders < 1)
		return 0;
	return line_transfer * ((contenders + 1) / 2.0 + lock_lines);
}

static void run_seg(struct actor_ctx *ac, const struct scale_seg *s, const struct token *tok)
{
	struct world *sim = ac->sim;
	exec_cycles(ac, s->pre);
	if (s->locked > 0) {
		int l = sim->pt->lock_inodes > 0 ? tok->client % sim->nlock : 0;
		sim->waiting[l]++;
		sg_mutex_lock(sim->lock[l]);
		double t0 = simgrid_get_clock();
		int prev = sim->holder_core[l];
		double h = scale_handover_cycles(sim->waiting[l], s->lock_lines, sim->pt->line_transfer,
						 prev < 0 || prev == ac->core || sim->pt->cores < 2);
		sim->holder_core[l] = ac->core;
		if (t0 > sim->t_warm && t0 <= sim->t_end) {
			sim->handover += h;
			sim->acquisitions++;
		}
		exec_cycles(ac, h + s->locked);
		sim->lock_held += overlap(t0, simgrid_get_clock(), sim->t_warm, sim->t_end);
		sim->waiting[l]--;
		sg_mutex_unlock(sim->lock[l]);
	}
	exec_cycles(ac, s->post);
	if (s->sleep > 0)
		sg_actor_sleep_for(s->sleep);
}

// Sends the token; the message crosses the link (with its bytes) only when
// the two actors are on different hosts: a local message's cost is already in
// the model's cycles (copies, kernel paths), so it is free here. A call waits
// until its message is delivered (the caller then waits for the reply
// anyway); a reply is sent asynchronously, as a Mach kernel queues it: the
// server's thread goes back to its port while the reply is on the wire.
static void send_token(struct actor_ctx *from, int to_remote, sg_mailbox_t mb, struct token *tok, long bytes,
		       int reply)
{
	const struct scale_point *pt = from->sim->pt;
	long size = from->remote != to_remote ? bytes + pt->header : 0;
	tok->from_core = from->core;
	tok->from_remote = from->remote;
	tok->bytes = bytes;
	if (from->remote != to_remote && pt->netmsg) {
		// Mach's netmsgserver: the sender's message goes to the server on
		// its own host (a local message, on the sender's thread and host).
		exec_cycles(from, pt->plan->hop_cycles);
		tok->dest = mb;
		tok->dest_remote = to_remote;
		mb = from->sim->nms[from->remote];
		size = 0;
	}
	if (reply)
		sg_comm_detach(sg_mailbox_put_init(mb, tok, size), NULL); // starts it, detached
	else
		sg_mailbox_put(mb, tok, size);
}

// A message that arrives from another core of the same host: the sender's
// kernel sends an inter-processor interrupt to wake the receiver's core (its
// delivery costs an interrupt's hardware part there), and the receiver reads
// the message's lines and the line of the queue it was put on from the
// sender's cache. The per-call model's IPC cycles are those of one core.
static void arrive(struct actor_ctx *ac, const struct token *tok)
{
	struct world *sim = ac->sim;
	int cores = ac->remote ? sim->pt->remote_cores : sim->pt->cores;
	if (cores < 2 || tok->from_remote != ac->remote || tok->from_core == ac->core)
		return;
	double lines = 1 + ceil((double)tok->bytes / 64);
	double c = sim->pt->ipi + lines * sim->pt->line_transfer;
	if (simgrid_get_clock() > sim->t_warm && simgrid_get_clock() <= sim->t_end)
		sim->xcore += c;
	exec_cycles(ac, c);
}

static int owner_remote(const struct world *sim, int owner)
{
	return owner >= 0 && sim->pt->server_remote[owner];
}

// Runs the call's segments in this actor from tok->pos until the call leaves
// it for good (a return to its caller) or, in the client, until it ends.
// A call to another actor is synchronous: this actor waits for the return.
static void drive(struct actor_ctx *ac, struct token *tok)
{
	const struct scale_plan *plan = ac->sim->plan;
	for (;;) {
		run_seg(ac, &plan->seg[tok->pos], tok);
		int next = tok->pos + 1;
		if (next >= plan->nseg)
			return;
		const struct scale_seg *ns = &plan->seg[next];
		tok->pos = next;
		if (ns->call) {
			tok->ret[tok->depth++] = ac;
			send_token(ac, owner_remote(ac->sim, ns->owner), ac->sim->port[ns->owner], tok, ns->bytes, 0);
			tok = sg_mailbox_get(ac->reply);
			arrive(ac, tok);
		} else {
			struct actor_ctx *to = tok->ret[--tok->depth];
			send_token(ac, to->remote, to->reply, tok, ns->bytes, 1);
			return;
		}
	}
}

// A network message server's thread (Draves, comp.os.mach, 21 Dec 1989: "the
// message really goes to the netmsgserver on A, which sends it to the
// netmsgserver on B, which sends it to the final destination"). On the
// sender's host it runs the protocol and sends the message over the link;
// on the receiver's, the protocol again and a local message to the task.
static void netmsg_main(int argc, char **argv)
{
	(void)argc, (void)argv;
	struct actor_ctx *ac = sg_actor_get_data(sg_actor_self());
	struct world *sim = ac->sim;
	const struct scale_point *pt = sim->pt;
	if (ac->first_thread)
		sg_mailbox_set_receiver(sg_mailbox_get_name(sim->nms[ac->remote]));
	for (;;) {
		struct token *tok = sg_mailbox_get(sim->nms[ac->remote]);
		exec_cycles(ac, pt->protocol_cycles);
		if (tok->dest_remote != ac->remote) {
			tok->from_remote = ac->remote;
			sg_comm_detach(sg_mailbox_put_init(sim->nms[tok->dest_remote], tok, tok->bytes + pt->header), NULL);
		} else {
			exec_cycles(ac, sim->plan->hop_cycles);
			tok->from_core = ac->core;
			tok->from_remote = ac->remote;
			sg_comm_detach(sg_mailbox_put_init(tok->dest, tok, 0), NULL);
		}
	}
}

static void server_main(int argc, char **argv)
{
	(void)argc, (void)argv;
	struct actor_ctx *ac = sg_actor_get_data(sg_actor_self());
	// The port's messages flow to this host as soon as they are sent, like
	// a kernel's message queue, instead of when a thread asks for the next.
	if (ac->first_thread)
		sg_mailbox_set_receiver(sg_mailbox_get_name(ac->sim->port[ac->owner]));
	for (;;) {
		struct token *tok = sg_mailbox_get(ac->sim->port[ac->owner]);
		arrive(ac, tok);
		drive(ac, tok);
	}
}

static void record(struct actor_ctx *ac, double latency)
{
	struct world *sim = ac->sim;
	if (sim->nlat == sim->cap) {
		long cap = sim->cap ? 2 * sim->cap : 1024;
		double *n = realloc(sim->lat, (size_t)cap * sizeof *n);
		if (!n) {
			sim->oom = 1;
			return;
		}
		sim->lat = n;
		sim->cap = cap;
	}
	sim->lat[sim->nlat++] = latency;
}

// splitmix64: a small, seedable generator owned by each client.
static uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

// An exponential think time of the given mean.
static double think_time(struct actor_ctx *ac, double mean)
{
	double u = (double)(next_random(&ac->rng) >> 11) * 0x1.0p-53; // [0, 1)
	return -mean * log1p(-u);
}

static void client_main(int argc, char **argv)
{
	(void)argc, (void)argv;
	struct actor_ctx *ac = sg_actor_get_data(sg_actor_self());
	struct world *sim = ac->sim;
	struct token tok;
	sg_actor_sleep_until(ac->start);
	while (simgrid_get_clock() < sim->t_end) {
		if (sim->think > 0)
			sg_actor_sleep_for(think_time(ac, sim->think));
		exec_cycles(ac, sim->plan->app_cycles); // the application's own work between calls
		double t0 = simgrid_get_clock();
		tok.pos = 0;
		tok.depth = 0;
		tok.client = ac->client;
		drive(ac, &tok);
		double t1 = simgrid_get_clock();
		if (t1 > sim->t_warm && t1 <= sim->t_end)
			record(ac, t1 - t0);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

// Nearest-rank percentile of sorted values.
static double percentile(const double *v, long n, double p)
{
	if (n == 0)
		return NAN;
	long k = (long)ceil(p / 100.0 * (double)n);
	if (k < 1)
		k = 1;
	return v[k - 1];
}

// The seconds one call takes without contention, and the analytic bound on
// throughput with the resource that sets it. A resource bounds calls/s by
// its capacity over the time each call holds it:
//   cores of a host: cores x clock / cycles run there per call;
//   a server: threads / the time a thread is held per call, which includes
//     the calls it waits for (a synchronous RPC blocks the thread), and
//     min(threads, cores) x clock / its own cycles;
//   the lock: 1 / the time it is held per call;
//   the clients: clients / (unloaded call + think time).
static double unloaded_call(const struct scale_point *pt, double *bound, int *bottleneck)
{
	const struct scale_plan *plan = pt->plan;
	double t = 0, local = plan->app_cycles, remote = 0, lock_s = 0, wire = 0;
	double held[SCALE_MAX_SERVERS] = {0};
	int stack[SCALE_MAX_DEPTH + 1] = {-1}, depth = 1;
	for (int i = 0; i < plan->nseg; i++) {
		const struct scale_seg *s = &plan->seg[i];
		if (i > 0 && s->call && depth <= SCALE_MAX_DEPTH)
			stack[depth++] = s->owner;
		else if (i > 0 && !s->call && depth > 1)
			depth--;
		int rem = s->owner >= 0 && pt->server_remote[s->owner];
		double f = rem ? pt->remote_mhz * 1e6 : pt->mhz * 1e6;
		double c = s->pre + s->locked + s->post;
		double d = c / f + s->sleep, x = 0;
		int prev = i > 0 ? plan->seg[i - 1].owner : -1;
		int prem = prev >= 0 && pt->server_remote[prev];
		if (rem != prem) {
			x = pt->latency + (double)(s->bytes + pt->header) / pt->bandwidth;
			wire += (double)(s->bytes + pt->header);
			if (pt->netmsg) {
				// A local message and the protocol on each side.
				double side = plan->hop_cycles + pt->protocol_cycles;
				double fs = prem ? pt->remote_mhz * 1e6 : pt->mhz * 1e6;
				x += side / fs + side / f;
				*(prem ? &remote : &local) += side;
				*(rem ? &remote : &local) += side;
			}
		}
		t += d + x;
		lock_s += s->locked / f;
		*(rem ? &remote : &local) += c;
		// A server thread is held while it works and while it waits for
		// the calls it made; not while a message to it or its reply is on
		// the wire (the port queues it; the reply is sent asynchronously).
		for (int k = 1; k < depth; k++)
			if (stack[k] >= 0)
				held[stack[k]] += d + (k < depth - 1 || !s->call ? x : 0);
	}
	t += plan->app_cycles / (pt->mhz * 1e6);
	double b = pt->cores * pt->mhz * 1e6 / local;
	int bn = -2;
	double cl = pt->clients / (t + pt->think * t);
	if (cl < b)
		b = cl, bn = -3;
	if (remote > 0 && pt->remote_cores * pt->remote_mhz * 1e6 / remote < b)
		b = pt->remote_cores * pt->remote_mhz * 1e6 / remote, bn = -4;
	for (int k = 0; k < plan->nserver; k++) {
		if (plan->server_cycles[k] <= 0)
			continue;
		int rem = pt->server_remote[k];
		double f = rem ? pt->remote_mhz * 1e6 : pt->mhz * 1e6;
		int c = rem ? pt->remote_cores : pt->cores;
		int par = pt->threads < c ? pt->threads : c;
		double sb = par * f / plan->server_cycles[k];
		if (held[k] > 0 && pt->threads / held[k] < sb)
			sb = pt->threads / held[k];
		if (sb < b)
			b = sb, bn = k;
	}
	// A coarse lock passes one call at a time; per-inode locks one call per
	// inode at a time (client c uses inode c mod n).
	int nl = pt->lock_inodes > 0 ? (pt->lock_inodes < pt->clients ? pt->lock_inodes : pt->clients) : 1;
	if (lock_s > 0 && nl / lock_s < b)
		b = nl / lock_s, bn = -1;
	if (wire > 0 && pt->bandwidth / wire < b) // both directions share the link
		b = pt->bandwidth / wire, bn = -5;
	*bound = b;
	*bottleneck = bn;
	return t;
}

static void run_calls(const struct scale_point *pt, struct scale_row *row)
{
	const struct scale_plan *plan = pt->plan;
	struct world sim;
	memset(&sim, 0, sizeof sim);
	sim.pt = pt;
	sim.plan = plan;
	sim.nlock = pt->lock_inodes > 0 ? pt->lock_inodes : 1;
	sim.lock = calloc((size_t)sim.nlock, sizeof *sim.lock);
	sim.waiting = calloc((size_t)sim.nlock, sizeof *sim.waiting);
	sim.holder_core = malloc((size_t)sim.nlock * sizeof *sim.holder_core);
	if (!sim.lock || !sim.waiting || !sim.holder_core) {
		free(sim.lock), free(sim.waiting), free(sim.holder_core);
		row->ok = 0;
		return;
	}
	for (int l = 0; l < sim.nlock; l++) {
		sim.lock[l] = sg_mutex_init();
		sim.holder_core[l] = -1;
	}
	double l0 = unloaded_call(pt, &row->bound, &row->bottleneck);
	row->unloaded = l0;
	// The window starts half a call after a whole number of unloaded calls,
	// so that an unloaded client's completions never fall on its edges.
	sim.t_warm = (pt->warmup_calls + 0.5) * l0;
	sim.t_end = sim.t_warm + pt->window_calls * l0;
	sim.think = pt->think * l0;
	sg_host_t local = sg_host_by_name("local"), remote = sg_host_by_name("remote");
	int nact = pt->clients + plan->nserver * pt->threads + 2 * pt->threads;
	struct actor_ctx *acs = calloc((size_t)nact, sizeof *acs);
	if (!acs) {
		row->ok = 0;
		goto out;
	}
	int k = 0;
	char name[80];
	for (int s = 0; s < plan->nserver; s++) {
		snprintf(name, sizeof name, "port:%s", plan->server[s]);
		sim.port[s] = sg_mailbox_by_name(name);
		for (int t = 0; t < pt->threads; t++, k++) {
			struct actor_ctx *ac = &acs[k];
			ac->sim = &sim;
			ac->owner = s;
			ac->remote = pt->server_remote[s];
			ac->first_thread = t == 0;
			// Server threads are pinned round the host's cores like the clients.
			ac->core = (s * pt->threads + t) % (ac->remote ? pt->remote_cores : pt->cores);
			snprintf(name, sizeof name, "%s.%d", plan->server[s], t);
			sg_actor_t actor = sg_actor_init(name, ac->remote ? remote : local);
			snprintf(name, sizeof name, "reply:%s.%d", plan->server[s], t);
			ac->reply = sg_mailbox_by_name(name);
			sg_actor_set_data(actor, ac);
			sg_actor_start(actor, server_main, 0, NULL);
			sg_actor_daemonize(actor); // killed when the last client ends
		}
	}
	if (pt->netmsg && plan->nserver > 0) {
		sim.nms[0] = sg_mailbox_by_name("port:netmsgserver.local");
		sim.nms[1] = sg_mailbox_by_name("port:netmsgserver.remote");
		for (int h = 0; h < 2; h++)
			for (int t = 0; t < pt->threads; t++, k++) {
				struct actor_ctx *ac = &acs[k];
				ac->sim = &sim;
				ac->owner = -1;
				ac->remote = h;
				ac->first_thread = t == 0;
				ac->core = (plan->nserver * pt->threads + t) % (h ? pt->remote_cores : pt->cores);
				snprintf(name, sizeof name, "netmsgserver.%s.%d", h ? "remote" : "local", t);
				sg_actor_t actor = sg_actor_init(name, h ? remote : local);
				sg_actor_set_data(actor, ac);
				sg_actor_start(actor, netmsg_main, 0, NULL);
				sg_actor_daemonize(actor);
			}
	}
	for (int c = 0; c < pt->clients; c++, k++) {
		struct actor_ctx *ac = &acs[k];
		ac->sim = &sim;
		ac->owner = -1;
		ac->client = c;
		ac->core = c % pt->cores;
		// Staggered starts: identical clients would otherwise run in lockstep.
		ac->start = c * l0 / pt->clients;
		ac->rng = pt->seed * 0x100000001B3ull + (uint64_t)c;
		snprintf(name, sizeof name, "client.%d", c);
		sg_actor_t actor = sg_actor_init(name, local);
		snprintf(name, sizeof name, "reply:client.%d", c);
		ac->reply = sg_mailbox_by_name(name);
		sg_actor_set_data(actor, ac);
		sg_actor_start(actor, client_main, 0, NULL);
	}
	simgrid_run();
	double window = sim.t_end - sim.t_warm;
	row->ok = !sim.oom;
	row->calls = sim.nlat;
	// Calls completed in the window over its length (within one call).
	row->throughput = (double)sim.nlat / window;
	qsort(sim.lat, (size_t)sim.nlat, sizeof *sim.lat, cmp_double);
	row->p50 = percentile(sim.lat, sim.nlat, 50);
	row->p99 = percentile(sim.lat, sim.nlat, 99);
	double sum = 0;
	for (long i = 0; i < sim.nlat; i++)
		sum += sim.lat[i];
	row->mean = sim.nlat ? sum / (double)sim.nlat : NAN;
	for (int s = 0; s < plan->nserver; s++)
		row->server_util[s] = sim.busy[s] / (window * pt->threads);
	row->lock_util = sim.lock_held / window;
	row->handover_cycles = sim.acquisitions > 0 ? sim.handover / sim.acquisitions : 0;
	row->xcore_cycles = sim.nlat > 0 ? sim.xcore / (double)sim.nlat : 0;
	for (int i = 0; i < plan->nseg; i++) {
		const struct scale_seg *s = &plan->seg[i];
		int rem = s->owner >= 0 && pt->server_remote[s->owner];
		int prem = i > 0 && plan->seg[i - 1].owner >= 0 && pt->server_remote[plan->seg[i - 1].owner];
		if (rem != prem)
			*(rem ? &row->request_bytes : &row->reply_bytes) += s->bytes + pt->header;
	}
	free(sim.lat);
	free(acs);
out:
	for (int l = 0; l < sim.nlock; l++)
		sg_mutex_destroy(sim.lock[l]);
	free(sim.lock), free(sim.waiting), free(sim.holder_core);
}

// ---- migrate ----

struct mig {
	const struct scale_point *pt;
	sg_vm_t vm;
	sg_host_t dst;
	double slice;        // flops of one slice of guest calls
	double t0, t1;       // migration start and end
	int done;
	double g_start, g_end, work; // the guest's run and the flops it executed
	sg_mailbox_t stream;  // xen: the migration stream to the destination
	int rounds;           // xen: rounds sent live
	double last_bytes;    // xen: the paused round's pages
};

static void guest_main(int argc, char **argv)
{
	(void)argc, (void)argv;
	struct mig *m = sg_actor_get_data(sg_actor_self());
	m->g_start = simgrid_get_clock();
	// The first slice is half a slice: slices then end half-way between round
	// times, never when the plugin suspends the VM at a round time (a slice
	// ending at that very instant is never resumed under thread contexts).
	double slice = m->slice / 2;
	while (!m->done) {
		sg_actor_execute(slice);
		m->work += slice;
		slice = m->slice;
	}
	m->g_end = simgrid_get_clock();
}

static void migrator_main(int argc, char **argv)
{
	(void)argc, (void)argv;
	struct mig *m = sg_actor_get_data(sg_actor_self());
	sg_actor_sleep_until(m->pt->migrate_at);
	m->t0 = simgrid_get_clock();
	sg_vm_migrate(m->vm, m->dst);
	m->t1 = simgrid_get_clock();
	m->done = 1;
}

// The destination's end of Xen's migration stream: takes whatever arrives.
static void receiver_main(int argc, char **argv)
{
	(void)argc, (void)argv;
	struct mig *m = sg_actor_get_data(sg_actor_self());
	for (;;)
		sg_mailbox_get(m->stream);
}

// Xen's sender (see scale_migration_predict_xen): sends rounds of pages down
// the stream while the guest runs and dirties its writable working set,
// pauses the VM (sg_vm_suspend: its actors stop), sends the last pages and
// the CPU and device state, and resumes it. The two hosts are identical and
// the guest talks to no one, so it resumes where it is (SimGrid's C API has
// no call that moves a VM without the plugin).
static void xen_migrator_main(int argc, char **argv)
{
	(void)argc, (void)argv;
	struct mig *m = sg_actor_get_data(sg_actor_self());
	const struct scale_point *pt = m->pt;
	sg_actor_sleep_until(pt->migrate_at);
	m->t0 = simgrid_get_clock();
	double p2m = ceil((double)pt->ram / 4096), to_send = p2m, sent_last = p2m, total = 0;
	int last = 0;
	for (int iter = 1;; iter++) {
		double t = simgrid_get_clock();
		sg_mailbox_put(m->stream, m, (long)(to_send * 4096));
		double d = simgrid_get_clock() - t;
		total += to_send;
		if (last) {
			m->last_bytes = to_send * 4096;
			break;
		}
		m->rounds = iter;
		double dirtied = scale_wws_pages(d, pt->dirty_rate, pt->working_set);
		if ((to_send > sent_last) || iter >= XEN_MAX_ITERS || to_send < XEN_MIN_PAGES ||
		    total > p2m * XEN_MAX_FACTOR) {
			last = 1;
			sg_vm_suspend(m->vm);
		}
		sent_last = to_send;
		to_send = dirtied;
	}
	sg_mailbox_put(m->stream, m, (long)pt->state_bytes);
	sg_vm_resume(m->vm);
	m->t1 = simgrid_get_clock();
	m->done = 1;
}

// The guest computes without pause at the host's speed except while SimGrid
// suspends its VM (stage 3: stop and copy), so the pause it saw is exactly
// its elapsed time minus the time its work needed: the downtime. The plugin
// does not report it; this measures it rather than recomputing it.
static void run_migrate(const struct scale_point *pt, struct scale_row *row)
{
	const struct scale_plan *plan = pt->plan;
	struct mig m;
	memset(&m, 0, sizeof m);
	m.pt = pt;
	double f = pt->mhz * 1e6;
	double per_call = plan->cycles + plan->app_cycles;
	double calls = floor(GUEST_SLICE_S * f / per_call);
	m.slice = (calls < 1 ? 1 : calls) * per_call;
	sg_host_t src = sg_host_by_name("src");
	m.dst = sg_host_by_name("dst");
	m.vm = sg_vm_create_core(src, "guest");
	sg_vm_set_ramsize(m.vm, (size_t)pt->ram);
	sg_vm_set_working_set_memory(m.vm, pt->working_set);
	// The plugin's dirty bytes per flop are migration speed x intensity /
	// host speed; with the migration speed set to the link's bandwidth, an
	// intensity of rate / bandwidth dirties `rate` bytes per second of guest
	// computation at full speed.
	sg_vm_set_migration_speed(m.vm, pt->bandwidth);
	sg_vm_set_dirty_page_intensity(m.vm, pt->dirty_rate / pt->bandwidth);
	sg_vm_start(m.vm);
	sg_actor_t g = sg_actor_init("guest", (sg_host_t)m.vm);
	sg_actor_set_data(g, &m);
	sg_actor_start(g, guest_main, 0, NULL);
	sg_actor_t mg = sg_actor_init("migrator", src);
	sg_actor_set_data(mg, &m);
	if (pt->stop_rule == STOP_XEN) {
		m.stream = sg_mailbox_by_name("migration-stream");
		sg_actor_t rc = sg_actor_init("receiver", m.dst);
		sg_actor_set_data(rc, &m);
		sg_actor_start(rc, receiver_main, 0, NULL);
		sg_actor_daemonize(rc);
		sg_actor_start(mg, xen_migrator_main, 0, NULL);
	} else {
		sg_actor_start(mg, migrator_main, 0, NULL);
	}
	simgrid_run_until(pt->migrate_at + pt->timeout);
	row->guest_rate = f / per_call;
	row->converged = m.done && m.g_end > 0;
	if (row->converged) {
		row->migration_s = m.t1 - m.t0;
		row->downtime_s = (m.g_end - m.g_start) - m.work / f;
		if (row->downtime_s < 0) // rounding of the clock, no pause
			row->downtime_s = 0;
		row->calls_lost = row->downtime_s * row->guest_rate;
	} else {
		row->migration_s = row->downtime_s = row->calls_lost = NAN;
	}
	struct migration_prediction pr;
	if (pt->stop_rule == STOP_XEN)
		scale_migration_predict_xen(pt->ram, pt->working_set, pt->dirty_rate, pt->bandwidth, pt->latency,
					    pt->state_bytes, &pr);
	else
		scale_migration_predict(pt->ram, pt->working_set, pt->dirty_rate, pt->bandwidth, pt->latency,
					pt->timeout, &pr);
	row->rounds = pr.rounds;
	row->stage3_bytes = pr.stage3_bytes;
	row->predicted_s = pr.converged ? pr.total_s : NAN;
	row->predicted_downtime_s = pr.converged ? pr.stage3_s : NAN;
	row->ok = 1;
	if (!row->converged) {
		// Still migrating at the timeout: shutting the VM down makes the
		// plugin kill its migration actors and ours; then nothing is left.
		m.done = 1;
		sg_vm_shutdown(m.vm);
		simgrid_run();
	}
	sg_vm_destroy(m.vm);
}

void scale_migration_predict(uint64_t ram, uint64_t working_set, double dirty_rate, double bandwidth,
			     double latency, double timeout_s, struct migration_prediction *out)
{
	memset(out, 0, sizeof *out);
	// A transfer of s bytes under CM02 without cross-traffic: latency + s / bandwidth.
#define SEND(s) (latency + (double)(s) / bandwidth)
	// Dirtied during d seconds of guest time, capped at the working set
	// (VmLiveMigration.cpp: get_updated_size; sizes are whole bytes).
#define UPDATED(d) ((uint64_t)((d) * dirty_rate) < working_set ? (uint64_t)((d) * dirty_rate) : working_set)
	double d1 = SEND(ram);
	out->stage1_s = d1;
	double bw = (double)ram / d1;
	uint64_t threshold = (uint64_t)(bw * SG_MAX_DOWNTIME);
	uint64_t updated = UPDATED(d1), remaining = updated;
	double t = d1;
	out->converged = 1;
	while (threshold < remaining) {
		double d = SEND(updated);
		remaining -= updated;
		out->stage2_s += d;
		t += d;
		out->rounds++;
		bw = (double)updated / d;
		threshold = (uint64_t)(bw * SG_MAX_DOWNTIME);
		updated = UPDATED(d);
		remaining += updated;
		if (t > timeout_s) {
			out->converged = 0;
			break;
		}
	}
	out->stage3_bytes = (double)remaining;
	out->stage3_s = SEND(remaining);
	// sg_vm_migrate returns when the destination's acknowledgement (0 bytes) arrives.
	out->total_s = d1 + out->stage2_s + out->stage3_s + latency;
#undef SEND
#undef UPDATED
}

double scale_wws_pages(double seconds, double dirty_rate, uint64_t wws)
{
	if (wws == 0 || !(dirty_rate > 0) || !(seconds > 0))
		return 0;
	double w = (double)wws;
	return ceil(w * -expm1(-dirty_rate * seconds / w) / 4096);
}

void scale_migration_predict_xen(uint64_t ram, uint64_t wws, double dirty_rate, double bandwidth, double latency,
				 uint64_t state_bytes, struct migration_prediction *out)
{
	memset(out, 0, sizeof *out);
	double p2m = ceil((double)ram / 4096), to_send = p2m, sent_last = p2m, total = 0, t = 0;
	out->converged = 1; // Xen's loop always ends; its downtime says how well
	for (int iter = 1;; iter++) {
		double d = latency + to_send * 4096 / bandwidth;
		total += to_send;
		if (iter == 1)
			out->stage1_s = d;
		else
			out->stage2_s += d;
		t += d;
		out->rounds = iter - 1; // rounds after the first, as SimGrid's stage 2
		double dirtied = scale_wws_pages(d, dirty_rate, wws);
		if (to_send > sent_last || iter >= XEN_MAX_ITERS || to_send < XEN_MIN_PAGES ||
		    total > p2m * XEN_MAX_FACTOR) {
			out->stage3_bytes = dirtied * 4096;
			break;
		}
		sent_last = to_send;
		to_send = dirtied;
	}
	// Paused: the last pages, then the state (two messages).
	out->stage3_s = 2 * latency + (out->stage3_bytes + (double)state_bytes) / bandwidth;
	out->total_s = t + out->stage3_s;
}

// ---- platform ----

// Writes the platform of the point into a temporary file; returns its path in
// `path` (the caller unlinks it) or -1.
static int write_platform(const struct scale_point *pt, char *path, size_t n)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(path, n, "%s/osarch-scale-XXXXXX.xml", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemps(path, 4);
	if (fd < 0)
		return -1;
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(path);
		return -1;
	}
	fprintf(f, "<?xml version='1.0'?>\n<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
		   "<platform version=\"4.1\">\n  <zone id=\"world\" routing=\"Full\">\n");
	const char *a = pt->scenario == SCALE_MIGRATE ? "src" : "local";
	const char *b = pt->scenario == SCALE_MIGRATE ? "dst" : "remote";
	// Speeds in flop/s: one cycle of the model is one flop.
	fprintf(f, "    <host id=\"%s\" speed=\"%.17gf\" core=\"%d\"/>\n", a, pt->mhz * 1e6, pt->cores);
	if (pt->scenario != SCALE_CORES && pt->scenario != SCALE_SHOOTDOWN) {
		double fb = pt->scenario == SCALE_MIGRATE ? pt->mhz : pt->remote_mhz;
		int cb = pt->scenario == SCALE_MIGRATE ? pt->cores : pt->remote_cores;
		fprintf(f, "    <host id=\"%s\" speed=\"%.17gf\" core=\"%d\"/>\n", b, fb * 1e6, cb);
		fprintf(f, "    <link id=\"net\" bandwidth=\"%.17gBps\" latency=\"%.17gs\"/>\n", pt->bandwidth,
			pt->latency);
		fprintf(f, "    <route src=\"%s\" dst=\"%s\"><link_ctn id=\"net\"/></route>\n", a, b);
	}
	fprintf(f, "  </zone>\n</platform>\n");
	int bad = ferror(f) != 0;
	bad |= fclose(f) != 0;
	if (bad) {
		unlink(path);
		return -1;
	}
	return 0;
}

// ---- scenario shootdown ----
//
// One actor per core on one host. The initiator (core 0) invalidates its
// own entry, then makes every other core invalidate its own:
//  ipi:      it sends an IPI to each target in turn (ipi_send each, as
//            Linux's flush_tlb_multi -> smp_call_function_many writes the
//            interrupt-command register once per target); a target takes
//            the interrupt (the profile's interrupt event), runs the
//            handler and invalidates, then writes its acknowledgement; the
//            initiator reads each acknowledgement's line from its writer's
//            cache (a line transfer each) and is done at the last one.
//  messages: (Baumann et al., SOSP 2009, sections 4-5: the multikernel's
//            monitors keep replicas and agree by messages over per-core
//            channels of cache lines) the initiator's monitor unmaps its
//            replica (monitor + a call into its CPU driver + invalidate) and
//            writes a message line on each target's channel (a line
//            transfer each); a target's monitor, polling, reads it (a line
//            transfer), unmaps its replica in the same way and writes its
//            reply, which the initiator reads (a line transfer each).
// A target's work runs on its own core, in parallel with the others'.

struct shoot_ctx {
	const struct scale_point *pt;
	int core;
	sg_mailbox_t *req, ack;
	double done;
};

static void shoot_exec(const struct scale_point *pt, double cycles)
{
	if (cycles > 0)
		sg_actor_execute(cycles);
	(void)pt;
}

static void shoot_target(int argc, char **argv)
{
	(void)argc;
	struct shoot_ctx *sc = (struct shoot_ctx *)(uintptr_t)strtoull(argv[1], NULL, 16);
	const struct scale_point *pt = sc->pt;
	void *tok = sg_mailbox_get(sc->req[sc->core]);
	(void)tok;
	if (pt->protocol == SHOOT_IPI)
		shoot_exec(pt, pt->ipi + pt->sd_handler + pt->sd_invalidate);
	else
		shoot_exec(pt, pt->line_transfer + pt->sd_monitor + pt->sd_trap + pt->sd_invalidate);
	sg_comm_detach(sg_mailbox_put_init(sc->ack, sc, 0), NULL);
}

static void shoot_initiator(int argc, char **argv)
{
	(void)argc;
	struct shoot_ctx *sc = (struct shoot_ctx *)(uintptr_t)strtoull(argv[1], NULL, 16);
	const struct scale_point *pt = sc->pt;
	int n = pt->cores;
	double t0 = simgrid_get_clock();
	if (pt->protocol == SHOOT_IPI)
		shoot_exec(pt, pt->sd_invalidate);
	else
		shoot_exec(pt, pt->sd_monitor + pt->sd_trap + pt->sd_invalidate);
	for (int i = 1; i < n; i++) {
		shoot_exec(pt, pt->protocol == SHOOT_IPI ? pt->sd_ipi_send : pt->line_transfer);
		sg_comm_detach(sg_mailbox_put_init(sc->req[i], sc, 0), NULL);
	}
	for (int i = 1; i < n; i++) {
		sg_mailbox_get(sc->ack);
		shoot_exec(pt, pt->line_transfer);
	}
	sc->done = simgrid_get_clock() - t0;
}

static void run_shootdown(const struct scale_point *pt, struct scale_row *row)
{
	sg_host_t h = sg_host_by_name("local");
	int n = pt->cores;
	struct shoot_ctx *ctx = calloc((size_t)n, sizeof *ctx);
	sg_mailbox_t *req = calloc((size_t)n, sizeof *req);
	if (!h || !ctx || !req) {
		free(ctx);
		free(req);
		return;
	}
	sg_mailbox_t ack = sg_mailbox_by_name("shoot-ack");
	for (int i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof name, "shoot-%d", i);
		req[i] = sg_mailbox_by_name(name);
	}
	for (int i = 0; i < n; i++) {
		ctx[i] = (struct shoot_ctx){pt, i, req, ack, 0};
		char arg[32], aname[32];
		snprintf(arg, sizeof arg, "%llx", (unsigned long long)(uintptr_t)&ctx[i]);
		snprintf(aname, sizeof aname, "core-%d", i);
		const char *av[] = {aname, arg, NULL};
		sg_actor_create(aname, h, i == 0 ? shoot_initiator : shoot_target, 2, (char **)av);
	}
	simgrid_run();
	row->shoot_s = ctx[0].done;
	row->shoot_ipis = pt->protocol == SHOOT_IPI ? n - 1 : 0;
	row->shoot_messages = pt->protocol == SHOOT_MESSAGES ? 2L * (n - 1) : 0;
	row->shoot_lines = pt->protocol == SHOOT_IPI ? n - 1 : 3L * (n - 1);
	row->ok = 1;
	free(ctx);
	free(req);
}

// Every value the platform takes was checked by the config's schema (bounds)
// and by the profile loader; SimGrid aborts on bad input, so check again here
// what a hand-made point (tests) could get wrong.
static int point_sane(const struct scale_point *pt)
{
	if (!(pt->mhz > 0) || pt->cores < 1 || !pt->plan)
		return 0;
	if (pt->scenario == SCALE_SHOOTDOWN)
		return pt->cores >= 2 && pt->cores <= 256;
	if (pt->scenario != SCALE_CORES && (!(pt->bandwidth > 0) || !(pt->latency >= 0)))
		return 0;
	if (pt->scenario == SCALE_REMOTE && (!(pt->remote_mhz > 0) || pt->remote_cores < 1))
		return 0;
	if (pt->scenario != SCALE_MIGRATE &&
	    (pt->clients < 1 || pt->threads < 0 || pt->threads > SCALE_MAX_THREADS ||
	     (pt->plan->nserver > 0 && pt->threads < 1)))
		return 0;
	if (pt->scenario == SCALE_MIGRATE && (pt->ram == 0 || !(pt->timeout > 0)))
		return 0;
	return 1;
}

double scale_precision(const struct scale_point *pt)
{
	// SimGrid's default timing precision (surf/precision, 1e-9 s) is 17% of
	// a 20-cycle call at 3.4 GHz: actions that end within it of each other
	// are rounded together, so a short call could finish early and a busy
	// host exceed cores / call. A thousandth of the shortest piece of work
	// keeps every piece exact to 0.1%.
	double shortest = 1e-6 * 1e3; // 1 ms: the migrate scenario's slices
	if (pt->plan && pt->scenario != SCALE_MIGRATE) {
		const struct scale_plan *plan = pt->plan;
		double fmax = pt->mhz > pt->remote_mhz ? pt->mhz : pt->remote_mhz;
		double c = plan->app_cycles > 0 ? plan->app_cycles : INFINITY;
		for (int i = 0; i < plan->nseg; i++) {
			const double piece[3] = {plan->seg[i].pre, plan->seg[i].locked, plan->seg[i].post};
			for (int k = 0; k < 3; k++)
				if (piece[k] > 0 && piece[k] < c)
					c = piece[k];
		}
		if (pt->line_transfer > 0 && pt->line_transfer < c)
			c = pt->line_transfer;
		if (isfinite(c) && fmax > 0)
			shortest = c / (fmax * 1e6);
	}
	double p = shortest * 1e-3;
	return p < 1e-9 ? p : 1e-9;
}

// The child's whole life: SimGrid up, one point, the row down the pipe.
static void child_run(const struct scale_point *pt, char *const *simgrid_argv, int quiet, int fd)
{
	struct scale_row row;
	memset(&row, 0, sizeof row);
	char *av[80];
	int ac = 0;
	// The timing precision goes first: a --cfg=surf/precision given by the
	// user comes later and wins.
	char prec[64];
	snprintf(prec, sizeof prec, "--cfg=surf/precision:%.6g", scale_precision(pt));
	av[ac++] = simgrid_argv[0] ? simgrid_argv[0] : "osarch";
	av[ac++] = prec;
	for (int i = 1; simgrid_argv[0] && simgrid_argv[i] && ac < 76; i++)
		av[ac++] = simgrid_argv[i];
#ifdef __SANITIZE_ADDRESS__
	// ASan cannot follow SimGrid's raw context switches between stacks.
	av[ac++] = "--cfg=contexts/factory:thread";
#endif
	av[ac] = NULL;
	if (quiet)
		xbt_log_control_set("root.thres:critical");
	simgrid_init(&ac, av);
	if (pt->scenario == SCALE_MIGRATE)
		sg_vm_live_migration_plugin_init(); // before the platform, or sg_vm_migrate crashes
	char path[600];
	if (write_platform(pt, path, sizeof path) == 0) {
		simgrid_load_platform(path);
		unlink(path);
		if (pt->scenario == SCALE_MIGRATE)
			run_migrate(pt, &row);
		else if (pt->scenario == SCALE_SHOOTDOWN)
			run_shootdown(pt, &row);
		else
			run_calls(pt, &row);
	}
	ssize_t w = write(fd, &row, sizeof row);
	close(fd);
	exit(w == (ssize_t)sizeof row ? 0 : 1);
}

// ================================================================= the runner

struct child {
	pid_t pid;
	int fd;
	long index;
};

static int start_child(const struct scale_point *pt, char *const *simgrid_argv, int quiet, struct child *c)
{
	int p[2];
	if (!point_sane(pt) || pipe(p))
		return -1;
	fflush(NULL); // the child must not write the parent's buffered output again
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		child_run(pt, simgrid_argv, quiet, p[1]);
	}
	close(p[1]);
	c->pid = pid;
	c->fd = p[0];
	return 0;
}

// Reads the child's row and reaps it. Returns 0 or -1 with msg.
static int finish_child(struct child *c, struct scale_row *row, char *msg, size_t msglen)
{
	size_t got = 0;
	while (got < sizeof *row) {
		ssize_t r = read(c->fd, (char *)row + got, sizeof *row - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(c->fd);
	int st;
	while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
		;
	if (got == sizeof *row && WIFEXITED(st) && WEXITSTATUS(st) == 0 && row->ok)
		return 0;
	if (WIFSIGNALED(st))
		snprintf(msg, msglen, "the simulation was killed by signal %d (SimGrid aborted; run with --verbose)",
			 WTERMSIG(st));
	else
		snprintf(msg, msglen, "the simulation failed (exit %d)", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return -1;
}

int scale_point_run(const struct scale_point *pt, char *const *simgrid_argv, int quiet, struct scale_row *row,
		    char *msg, size_t msglen)
{
	struct child c;
	memset(row, 0, sizeof *row);
	if (start_child(pt, simgrid_argv, quiet, &c)) {
		snprintf(msg, msglen, "cannot start the simulation (%s)", point_sane(pt) ? strerror(errno) : "bad point");
		return -1;
	}
	return finish_child(&c, row, msg, msglen);
}

int scale_check_cfg(char *const *simgrid_argv, char *msg, size_t msglen)
{
	int p[2];
	if (pipe(p)) {
		snprintf(msg, msglen, "%s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(msg, msglen, "%s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 2); // SimGrid explains a refusal on stderr, then aborts
		close(p[1]);
		char *av[80];
		int ac = 0;
		for (int i = 0; simgrid_argv[i] && ac < 79; i++)
			av[ac++] = simgrid_argv[i];
		av[ac] = NULL;
		xbt_log_control_set("root.thres:critical");
		simgrid_init(&ac, av);
		_exit(0); // nothing was started: skip SimGrid's exit-time cleanup
	}
	close(p[1]);
	char buf[8192];
	size_t got = 0;
	for (;;) {
		ssize_t r = read(p[0], buf + got, sizeof buf - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
		if (got == sizeof buf - 1) { // keep draining so the child never blocks
			char sink[4096];
			while (read(p[0], sink, sizeof sink) > 0)
				;
			break;
		}
	}
	buf[got] = 0;
	close(p[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	// The first CRITICAL line, without SimGrid's prefix.
	const char *m = strstr(buf, "CRITICAL] ");
	m = m ? m + 10 : buf;
	const char *u = strstr(m, "Uncaught exception ");
	if (u && u < m + 10) {
		m = u + 19;
		const char *colon = strstr(m, ": ");
		if (colon && colon < m + 40)
			m = colon + 2;
	}
	size_t len = strcspn(m, "\n");
	snprintf(msg, msglen, "%.*s", (int)(len < 300 ? len : 300), *m ? m : "SimGrid aborted");
	return -1;
}

// ================================================================ the command

struct job {
	struct scale_point pt;
	struct scale_row row;
	int plan;       // index into run.plans
	int group;      // jobs of one (arch, workload, threads, placement) share it
	long combo;     // index of the sweep combination
	int64_t lock;   // lock.cycles of this point
	double speedup; // remote: throughput / the local placement's (same point)
};

struct run {
	const struct scale_config *c;
	struct model m;
	struct scale_plan *plans;
	int nplans, cap;
	int *plan_arch, *plan_wl;
	int64_t *plan_lock;
	struct job *jobs;
	long njobs;
	int ngroups;
	char **sg_argv;
};

static void run_free(struct run *r)
{
	model_free(&r->m);
	free(r->plans);
	free(r->plan_arch);
	free(r->plan_wl);
	free(r->plan_lock);
	free(r->jobs);
	if (r->sg_argv)
		for (int i = 0; r->sg_argv[i]; i++)
			free(r->sg_argv[i]);
	free(r->sg_argv);
	memset(r, 0, sizeof *r);
}

// The plan of (arch, workload, lock cycles), built once.
static int plan_index(struct run *r, int arch, int wl, int64_t lock, struct cfg_error *err)
{
	const struct scale_config *c = r->c;
	for (int i = 0; i < r->nplans; i++)
		if (r->plan_arch[i] == arch && r->plan_wl[i] == wl && r->plan_lock[i] == lock)
			return i;
	if (r->nplans == r->cap) {
		cfg_msgf(err, "osarch: internal error: plan cache full");
		return -1;
	}
	int n = r->nplans;
	char why[300];
	if (scale_plan_build(&r->plans[n], &r->m.archs[arch], &r->m.wls[wl], r->m.svc, &r->m.prof,
			     (int)c->model_warmup, c->lock.service, lock, c->lock.library, why, sizeof why)) {
		cfg_msgf(err, "%s:1:1: error: architecture %s with workload %s: %s", c->path, c->archs.v[arch],
			 c->workloads.v[wl], why);
		return -1;
	}
	if (r->m.ipc) {
		// A message to or from the network message server is one local
		// Mach message: half the architecture's ipc-pingpong round trip.
		struct run_params rp = {(int)c->model_warmup, 1, 0, 1};
		struct run_result rr;
		if (run_point(&r->m.archs[arch], r->m.ipc, &r->m.prof, &rp, &rr, NULL)) {
			cfg_msgf(err, "%s:1:1: error: architecture %s cannot run ipc-pingpong (the network message server's local messages)",
				 c->path, c->archs.v[arch]);
			return -1;
		}
		r->plans[n].hop_cycles = rr.cycles / 2;
	}
	r->plan_arch[n] = arch;
	r->plan_wl[n] = wl;
	r->plan_lock[n] = lock;
	r->nplans++;
	return n;
}

// The config with sweep combination `combo` applied (the last parameter
// varies fastest). Values were checked at load.
static void apply_combo(const struct scale_config *c, long combo, struct scale_config *probe,
			const char *values[SCALE_MAX_SWEEP])
{
	*probe = *c;
	long rest = combo;
	for (int s = c->nsweep - 1; s >= 0; s--) {
		const struct sweep_param *sp = &c->sweep[s];
		values[s] = sp->values.v[rest % sp->values.n];
		rest /= sp->values.n;
		struct cfg_error e;
		sweep_set(probe, sp->key, values[s], &e);
	}
}

// Points in output order: arch, workload, server threads, placement, then the
// sweep combinations, so that one line of a figure is one run of rows.
static int build_jobs(struct run *r, struct cfg_error *err)
{
	const struct scale_config *c = r->c;
	long combos = sweep_combos(c);
	int nlock = 1;
	for (int s = 0; s < c->nsweep; s++)
		if (!strcmp(c->sweep[s].key, "lock.cycles"))
			nlock = c->sweep[s].values.n + 1;
	r->cap = c->archs.n * c->workloads.n * nlock;
	r->plans = calloc((size_t)r->cap, sizeof *r->plans);
	r->plan_arch = calloc((size_t)r->cap, sizeof *r->plan_arch);
	r->plan_wl = calloc((size_t)r->cap, sizeof *r->plan_wl);
	r->plan_lock = calloc((size_t)r->cap, sizeof *r->plan_lock);
	int nthreads = c->threads.n > 0 ? c->threads.n : 1;
	int nplace = c->scenario == SCALE_REMOTE      ? c->placements.n
		   : c->scenario == SCALE_SHOOTDOWN ? c->shootdown.protocols.n
						    : 1;
	long max = (long)c->archs.n * c->workloads.n * nthreads * nplace * combos;
	r->jobs = calloc((size_t)max, sizeof *r->jobs);
	if (!r->plans || !r->plan_arch || !r->plan_wl || !r->plan_lock || !r->jobs) {
		cfg_msgf(err, "osarch: out of memory");
		return 1;
	}
	for (int a = 0; a < c->archs.n; a++)
		for (int w = 0; w < c->workloads.n; w++) {
			int base = plan_index(r, a, w, c->lock.cycles, err);
			if (base < 0)
				return 2;
			int servers = r->plans[base].nserver > 0;
			for (int t = 0; t < (servers ? nthreads : 1); t++)
				for (int pl = 0; pl < nplace; pl++) {
					int group = r->ngroups++;
					for (long k = 0; k < combos; k++) {
						struct job *j = &r->jobs[r->njobs++];
						struct scale_config p;
						apply_combo(c, k, &p, j->pt.sweep_values);
						int pi = plan_index(r, a, w, p.lock.cycles, err);
						if (pi < 0)
							return 2;
						const struct scale_plan *plan = &r->plans[pi];
						struct scale_point *pt = &j->pt;
						j->plan = pi;
						j->group = group;
						j->combo = k;
						j->lock = p.lock.cycles;
						pt->scenario = c->scenario;
						pt->arch = a;
						pt->workload = w;
						int64_t th = 1;
						if (c->threads.n)
							scalar_parse_int(c->threads.v[t], &th);
						pt->threads = servers ? (int)th : 0;
						pt->remote = c->scenario == SCALE_REMOTE && !strcmp(c->placements.v[pl], "remote");
						pt->mhz = r->m.prof.mhz;
						pt->remote_mhz = p.remote.mhz > 0 ? p.remote.mhz : pt->mhz;
						pt->cores = (int)p.cores;
						pt->remote_cores = (int)p.remote.cores;
						pt->clients = (int)(p.clients > 0 ? p.clients : p.clients_per_core * p.cores);
						pt->think = p.think; // in unloaded call times until run_calls scales it
						pt->seed = (uint64_t)p.seed;
						pt->warmup_calls = (int)p.warmup_calls;
						pt->window_calls = (int)p.window_calls;
						pt->latency = p.link.latency * 1e-6;
						pt->bandwidth = p.link.bandwidth * 125000.0;
						pt->header = (long)p.link.header;
						pt->lock_inodes = (int)p.lock.inodes;
						pt->netmsg = c->scenario == SCALE_REMOTE && p.remote.netmsgserver;
						pt->protocol_cycles = (double)p.remote.protocol_instructions * r->m.prof.cpi;
						pt->line_transfer = r->m.prof.line_transfer;
						pt->ipi = r->m.prof.ev.interrupt;
						if (c->scenario == SCALE_SHOOTDOWN) {
							pt->protocol = strcmp(c->shootdown.protocols.v[pl], "ipi") ? SHOOT_MESSAGES : SHOOT_IPI;
							pt->sd_ipi_send = p.shootdown.ipi_send;
							pt->sd_handler = p.shootdown.handler;
							pt->sd_monitor = p.shootdown.monitor;
							pt->sd_invalidate = r->m.prof.ev.tlb_flush;
							pt->sd_trap = r->m.prof.ev.trap_enter + r->m.prof.ev.trap_exit;
						}
						for (int s = 0; s < plan->nserver; s++)
							pt->server_remote[s] = pt->remote &&
									       strlist_find(&c->remote.domains, plan->server[s]) >= 0;
						pt->ram = p.vm.ram;
						pt->working_set = p.vm.working_set ? p.vm.working_set
										   : (uint64_t)((double)p.vm.ram * 0.9);
						pt->dirty_rate = p.vm.dirty_rate * 1e6;
						pt->migrate_at = p.vm.migrate_at * 1e-3;
						pt->timeout = p.vm.timeout;
						pt->stop_rule = p.vm.stop_rule;
						pt->state_bytes = p.vm.state_bytes;
					}
				}
		}
	for (long i = 0; i < r->njobs; i++)
		r->jobs[i].pt.plan = &r->plans[r->jobs[i].plan];
	return 0;
}

// A point whose placement is local does not use the link or the remote
// host: it is the same as the point with those sweep values at their first
// value, which runs once (its row is copied). Returns that point's index.
static long same_as(const struct run *r, long i)
{
	const struct scale_config *c = r->c;
	const struct job *j = &r->jobs[i];
	if (c->scenario != SCALE_REMOTE || j->pt.remote)
		return i;
	long rest = j->combo, canon = 0, mult = 1;
	for (int s = c->nsweep - 1; s >= 0; s--) {
		int n = c->sweep[s].values.n;
		long digit = rest % n;
		rest /= n;
		const char *k = c->sweep[s].key;
		if (!strncmp(k, "link.", 5) || !strncmp(k, "remote.", 7))
			digit = 0;
		canon += digit * mult;
		mult *= n;
	}
	return i - j->combo + canon;
}

// Runs every point, `jobs` children at a time.
static int run_jobs(struct run *r, int jobs, int quiet, int tty, struct cfg_error *err)
{
	struct child *kids = calloc((size_t)jobs, sizeof *kids);
	struct pollfd *pfd = calloc((size_t)jobs, sizeof *pfd);
	if (!kids || !pfd) {
		free(kids);
		free(pfd);
		cfg_msgf(err, "osarch: out of memory");
		return 1;
	}
	long next = 0, done = 0;
	int active = 0, rc = 0;
	time_t t0 = time(NULL);
	while (done < r->njobs && !(rc && active == 0)) {
		while (!rc && active < jobs && next < r->njobs) {
			if (same_as(r, next) != next) {
				next++, done++; // copied below
				continue;
			}
			struct job *j = &r->jobs[next];
			if (start_child(&j->pt, r->sg_argv, quiet, &kids[active])) {
				cfg_msgf(err, "osarch: cannot start a simulation: %s", strerror(errno));
				rc = 1;
				break;
			}
			kids[active++].index = next++;
		}
		if (active <= 0)
			break;
		for (int i = 0; i < active; i++)
			pfd[i] = (struct pollfd){.fd = kids[i].fd, .events = POLLIN};
		if (poll(pfd, (nfds_t)active, -1) < 0) {
			if (errno == EINTR)
				continue;
			cfg_msgf(err, "osarch: poll: %s", strerror(errno));
			rc = 1;
			break;
		}
		for (int i = active - 1; i >= 0; i--) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			struct job *j = &r->jobs[kids[i].index];
			char msg[300];
			if (finish_child(&kids[i], &j->row, msg, sizeof msg) && !rc) {
				cfg_msgf(err, "osarch: point %ld (%s, %s): %s", kids[i].index + 1, r->c->archs.v[j->pt.arch],
					 r->c->workloads.v[j->pt.workload], msg);
				rc = 1;
			}
			kids[i] = kids[--active];
			done++;
			if (tty)
				fprintf(stderr, "\r[%ld/%ld] %lds %s %s          ", done, r->njobs, (long)(time(NULL) - t0),
					r->c->archs.v[j->pt.arch], r->c->workloads.v[j->pt.workload]);
		}
	}
	if (tty)
		fprintf(stderr, "\r%70s\r", "");
	for (long i = 0; i < r->njobs && !rc; i++)
		r->jobs[i].row = r->jobs[same_as(r, i)].row;
	free(kids);
	free(pfd);
	return rc;
}

// Remote: each point's throughput against the local placement's at the same
// (arch, workload, threads, sweep combination).
static void compute_speedups(struct run *r)
{
	for (long i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs[i];
		j->speedup = NAN;
		for (long k = 0; k < r->njobs; k++) {
			const struct job *l = &r->jobs[k];
			if (!l->pt.remote && l->pt.arch == j->pt.arch && l->pt.workload == j->pt.workload &&
			    l->pt.threads == j->pt.threads && l->combo == j->combo && l->row.throughput > 0) {
				j->speedup = j->row.throughput / l->row.throughput;
				break;
			}
		}
	}
}

// ---- output ----

struct col {
	const char *name;
	char text[64];
	int str; // a string in JSON (else a number, NaN as null)
};

static void put_col(struct col *c, int *n, const char *name, int str, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void put_col(struct col *c, int *n, const char *name, int str, const char *fmt, ...)
{
	struct col *o = &c[(*n)++];
	o->name = name;
	o->str = str;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(o->text, sizeof o->text, fmt, ap);
	va_end(ap);
}

// A number with `dec` decimals, or NaN; whole numbers without decimals.
static void put_num(struct col *c, int *n, const char *name, double v, int dec)
{
	double scale = pow(10, dec);
	if (fabs(v) < 1e15)
		v = round(v * scale) / scale; // 30.000000000000004 us is 30
	if (isnan(v) || isinf(v))
		put_col(c, n, name, 0, "NaN");
	else if (v == floor(v) && fabs(v) < 1e15)
		put_col(c, n, name, 0, "%.0f", v);
	else
		put_col(c, n, name, 0, "%.*f", dec, v);
}

static const char *bottleneck_name(const struct job *j)
{
	int b = j->row.bottleneck;
	if (b >= 0)
		return j->pt.plan->server[b];
	return b == -1 ? "lock" : b == -2 ? "cores" : b == -3 ? "clients" : b == -4 ? "remote-cores" : "link";
}

static int job_cols(const struct run *r, const struct job *j, struct col *c)
{
	const struct scale_config *cf = r->c;
	const struct scale_point *pt = &j->pt;
	const struct scale_plan *pl = pt->plan;
	const struct scale_row *w = &j->row;
	int n = 0;
	if (cf->scenario == SCALE_SHOOTDOWN) {
		// The system is the protocol (the config's archs and workloads
		// only build the per-call plan the loader checks).
		put_col(c, &n, "arch", 1, "%s", pt->protocol == SHOOT_IPI ? "monolithic-ipi" : "multikernel-messages");
		put_col(c, &n, "workload", 1, "munmap");
	} else {
		put_col(c, &n, "arch", 1, "%s", cf->archs.v[pt->arch]);
		put_col(c, &n, "workload", 1, "%s", r->m.wls[pt->workload].name);
	}
	put_col(c, &n, "machine", 1, "%s", r->m.prof.name[0] ? r->m.prof.name : cf->machine);
	if (cf->scenario == SCALE_MIGRATE) {
		put_num(c, &n, "vm_ram", (double)pt->ram, 0);
		put_num(c, &n, "working_set", (double)pt->working_set, 0);
		put_num(c, &n, "dirty_rate", pt->dirty_rate / 1e6, 3);
		put_num(c, &n, "latency_us", pt->latency * 1e6, 3);
		put_num(c, &n, "bandwidth_mbit", pt->bandwidth / 125000.0, 3);
		put_num(c, &n, "cycles", round(pl->cycles * 10) / 10, 1);
		put_num(c, &n, "guest_calls_per_s", w->guest_rate, 1);
		put_num(c, &n, "migration_s", w->migration_s, 6);
		put_num(c, &n, "downtime_ms", w->downtime_s * 1e3, 4);
		put_num(c, &n, "calls_lost", w->calls_lost, 0);
		put_num(c, &n, "converged", w->converged, 0);
		// The replay's rounds and last round are meaningless when it timed out.
		int pc = !isnan(w->predicted_s);
		put_num(c, &n, "rounds", pc ? w->rounds : NAN, 0);
		put_num(c, &n, "stage3_mb", pc ? w->stage3_bytes / 1e6 : NAN, 4);
		put_num(c, &n, "predicted_s", w->predicted_s, 6);
		put_num(c, &n, "predicted_downtime_ms", w->predicted_downtime_s * 1e3, 4);
		put_col(c, &n, "stop_rule", 1, "%s", scale_stop_rule_names[pt->stop_rule]);
		put_num(c, &n, "state_bytes", (double)pt->state_bytes, 0);
		return n;
	}
	if (cf->scenario == SCALE_SHOOTDOWN) {
		put_col(c, &n, "protocol", 1, "%s", shootdown_protocol_names[pt->protocol]);
		put_num(c, &n, "cores", pt->cores, 0);
		put_num(c, &n, "latency_us", w->shoot_s * 1e6, 4);
		put_num(c, &n, "latency_cycles", round(w->shoot_s * pt->mhz * 1e6), 0);
		put_num(c, &n, "ipis", (double)w->shoot_ipis, 0);
		put_num(c, &n, "messages", (double)w->shoot_messages, 0);
		put_num(c, &n, "line_transfers", (double)w->shoot_lines, 0);
		return n;
	}
	if (cf->scenario == SCALE_REMOTE)
		put_col(c, &n, "placement", 1, "%s", pt->remote ? "remote" : "local");
	put_num(c, &n, "threads", pt->threads, 0);
	put_num(c, &n, "cores", pt->cores, 0);
	put_num(c, &n, "clients", pt->clients, 0);
	if (cf->scenario == SCALE_CORES)
		put_num(c, &n, "lock_cycles", (double)j->lock, 0);
	if (cf->scenario == SCALE_REMOTE) {
		put_num(c, &n, "remote_mhz", pt->remote_mhz, 1);
		put_num(c, &n, "remote_cores", pt->remote_cores, 0);
		put_num(c, &n, "latency_us", pt->latency * 1e6, 3);
		put_num(c, &n, "bandwidth_mbit", pt->bandwidth / 125000.0, 3);
	}
	put_num(c, &n, "cycles", round(pl->cycles * 10) / 10, 1);
	put_num(c, &n, "client_cycles", round(pl->client_cycles * 10) / 10, 1);
	int busiest = -1;
	for (int s = 0; s < pl->nserver; s++)
		if (busiest < 0 || pl->server_cycles[s] > pl->server_cycles[busiest])
			busiest = s;
	if (cf->scenario == SCALE_CORES) {
		put_col(c, &n, "server", 1, "%s", busiest >= 0 ? pl->server[busiest] : "-");
		put_num(c, &n, "server_cycles", busiest >= 0 ? round(pl->server_cycles[busiest] * 10) / 10 : 0, 1);
		put_num(c, &n, "lock_held_cycles", round(pl->lock_cycles * 10) / 10, 1);
	} else {
		double rc = 0;
		for (int s = 0; s < pl->nserver; s++)
			if (pt->server_remote[s])
				rc += pl->server_cycles[s];
		put_num(c, &n, "remote_cycles", round(rc * 10) / 10, 1);
		put_num(c, &n, "request_bytes", (double)w->request_bytes, 0);
		put_num(c, &n, "reply_bytes", (double)w->reply_bytes, 0);
	}
	put_num(c, &n, "throughput", w->throughput, 1);
	put_num(c, &n, "bound", w->bound, 1);
	if (cf->scenario == SCALE_REMOTE)
		put_num(c, &n, "speedup", j->speedup, 4);
	put_num(c, &n, "p50_us", w->p50 * 1e6, 4);
	put_num(c, &n, "p99_us", w->p99 * 1e6, 4);
	put_num(c, &n, "mean_us", w->mean * 1e6, 4);
	put_num(c, &n, "calls", (double)w->calls, 0);
	put_col(c, &n, "bottleneck", 1, "%s", bottleneck_name(j));
	double util = 0;
	for (int s = 0; s < pl->nserver; s++)
		if (w->server_util[s] > util)
			util = w->server_util[s];
	put_num(c, &n, "server_util", util, 4);
	put_num(c, &n, "lock_util", w->lock_util, 4);
	put_num(c, &n, "lock_inodes", pt->lock_inodes, 0);
	put_num(c, &n, "handover_cycles", round(w->handover_cycles * 10) / 10, 1);
	put_num(c, &n, "xcore_cycles", round(w->xcore_cycles * 10) / 10, 1);
	return n;
}

static void write_csv_scale(FILE *f, void *arg)
{
	const struct run *r = arg;
	struct col c[48];
	for (long i = 0; i < r->njobs; i++) {
		int n = job_cols(r, &r->jobs[i], c);
		if (i == 0)
			for (int k = 0; k < n; k++)
				fprintf(f, "%s%s", c[k].name, k + 1 < n ? "," : "\n");
		for (int k = 0; k < n; k++)
			fprintf(f, "%s%s", c[k].text, k + 1 < n ? "," : "\n");
	}
}

static void write_json_scale(FILE *f, void *arg)
{
	const struct run *r = arg;
	struct col c[48];
	fprintf(f, "{\n  \"schema_version\": 1,\n  \"name\": \"%s\",\n  \"scenario\": \"%s\",\n  \"points\": [\n",
		r->c->name, scale_scenario_names[r->c->scenario]);
	for (long i = 0; i < r->njobs; i++) {
		int n = job_cols(r, &r->jobs[i], c);
		fprintf(f, "    {");
		for (int k = 0; k < n; k++) {
			fprintf(f, "%s\"%s\": ", k ? ", " : "", c[k].name);
			if (c[k].str)
				fprintf(f, "\"%s\"", c[k].text);
			else
				fprintf(f, "%s", strcmp(c[k].text, "NaN") ? c[k].text : "null");
		}
		if (r->c->nsweep) {
			fprintf(f, ", \"sweep\": {");
			for (int s = 0; s < r->c->nsweep; s++)
				fprintf(f, "%s\"%s\": \"%s\"", s ? ", " : "", r->c->sweep[s].key, r->jobs[i].pt.sweep_values[s]);
			fprintf(f, "}");
		}
		fprintf(f, "}%s\n", i + 1 < r->njobs ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
}

static void write_resolved_scale(FILE *f, void *arg)
{
	const struct run *r = arg;
	const struct scale_config *c = r->c;
	fprintf(f, "# The effective configuration of this run (osarch %s scale).\n", OSARCH_VERSION);
	schema_dump(f, scale_schema, c, 0);
	if (c->nsweep) {
		fprintf(f, "sweep:\n");
		for (int s = 0; s < c->nsweep; s++) {
			fprintf(f, "  %s: [", c->sweep[s].key);
			for (int v = 0; v < c->sweep[s].values.n; v++)
				fprintf(f, "%s%s", v ? ", " : "", c->sweep[s].values.v[v]);
			fprintf(f, "]\n");
		}
	}
	fprintf(f, "simgrid_options: [");
	for (int i = 1; r->sg_argv[i]; i++)
		fprintf(f, "%s\"%s\"", i > 1 ? ", " : "", r->sg_argv[i]);
	fprintf(f, "]\nmachines_resolved:\n  %s:\n", c->machine);
	schema_dump(f, profile_schema, &r->m.prof, 4);
}


// ---- summary ----

static void group_label(const struct run *r, const struct job *j, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s", r->c->archs.v[j->pt.arch], j->pt.remote ? " remote" : "");
	if (j->pt.threads > 1) {
		size_t len = strlen(buf);
		snprintf(buf + len, n - len, " x%d", j->pt.threads);
	}
}

static void combo_label(const struct run *r, const struct job *j, char *buf, size_t n)
{
	buf[0] = 0;
	for (int s = 0; s < r->c->nsweep; s++) {
		size_t len = strlen(buf);
		snprintf(buf + len, n - len, "%s%s", s ? "/" : "", j->pt.sweep_values[s]);
	}
	if (!buf[0])
		snprintf(buf, n, "-");
}

static void print_summary(FILE *t, const struct run *r)
{
	const struct scale_config *c = r->c;
	long combos = sweep_combos(c);
	char lab[160];
	if (c->scenario == SCALE_CORES) {
		int knee = c->nsweep == 1 && !strcmp(c->sweep[0].key, "cores");
		for (int w = 0; w < c->workloads.n; w++) {
			fprintf(t, "%s: throughput, million calls/s, by %s\n%-22s", r->m.wls[w].name,
				c->nsweep ? c->sweep[0].key : "point", "architecture");
			for (long k = 0; k < combos; k++) {
				combo_label(r, &r->jobs[k], lab, sizeof lab);
				fprintf(t, " %8.8s", lab);
			}
			fprintf(t, "%s\n", knee ? "  stops scaling at" : "");
			for (long i = 0; i < r->njobs; i += combos) {
				const struct job *j = &r->jobs[i];
				if (j->pt.workload != w)
					continue;
				group_label(r, j, lab, sizeof lab);
				fprintf(t, "%-22s", lab);
				for (long k = 0; k < combos; k++)
					fprintf(t, " %8.3f", j[k].row.throughput / 1e6);
				if (knee) {
					// The first core count after which doubling cores gains < 15%.
					const char *at = "-";
					for (long k = 0; k + 1 < combos; k++)
						if (j[k + 1].row.throughput < 1.15 * j[k].row.throughput) {
							at = j[k].pt.sweep_values[0];
							break;
						}
					fprintf(t, "  %s (%s)", at, bottleneck_name(&j[combos - 1]));
				}
				fputc('\n', t);
			}
			fputc('\n', t);
		}
		return;
	}
	for (long i = 0; i < r->njobs; i++) {
		const struct job *j = &r->jobs[i];
		group_label(r, j, lab, sizeof lab);
		fprintf(t, "%-12s %-24s", r->m.wls[j->pt.workload].name, lab);
		combo_label(r, j, lab, sizeof lab);
		if (c->scenario == SCALE_SHOOTDOWN)
			fprintf(t, " %-22s %-8s unmap on %3d cores %10.3f us\n", lab,
				shootdown_protocol_names[j->pt.protocol], j->pt.cores, j->row.shoot_s * 1e6);
		else if (c->scenario == SCALE_REMOTE)
			fprintf(t, " %-22s %10.0f calls/s  speedup %6.3f  p50 %8.2f us\n", lab, j->row.throughput,
				j->speedup, j->row.p50 * 1e6);
		else
			fprintf(t, " %-22s migration %10.4f s  downtime %9.3f ms  rounds %d\n", lab, j->row.migration_s,
				j->row.downtime_s * 1e3, j->row.rounds);
	}
}

// ---- the command ----

static void print_fields(FILE *out, const struct field *schema, const char *prefix)
{
	for (const struct field *f = schema; f->key; f++) {
		char key[80];
		snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", f->key);
		if (f->type == F_GROUP) {
			fprintf(out, "  %-20s %s\n", key, f->help);
			print_fields(out, f->group, key);
			continue;
		}
		char unit[40] = "";
		if (f->unit)
			snprintf(unit, sizeof unit, " [%s]", f->unit);
		fprintf(out, "  %-20s %s%s%s\n", key, f->help, unit, f->required ? " (required)" : "");
	}
}

static const char usage_scale[] =
	"usage: osarch scale CONFIG.yaml [-o DIR] [--jobs N] [--verbose] [--cfg=KEY:VALUE]...\n"
	"\n"
	"System-level scenarios on SimGrid, built on the per-call model: hosts whose\n"
	"speed is the profile's clock (one flop per cycle), clients and user-level\n"
	"servers as actors, ports as mailboxes, each actor executing the cycles the\n"
	"call's trace gives its protection domain. Scenarios: cores (N clients on C\n"
	"cores: throughput and latency), remote (a server across a link, Mach\n"
	"NORMA-style), migrate (SimGrid's VM live migration).\n"
	"Writes DIR/results.csv, results.json, config.resolved.yaml (DIR defaults to\n"
	"results/<name>/) and prints a summary. Each point runs in its own process,\n"
	"--jobs at a time (default: the number of CPUs); results do not depend on it.\n"
	"SimGrid logs only critical messages unless --verbose; --cfg options go to\n"
	"SimGrid after the config's `cfg` list. See docs/scale.md.\n"
	"\n"
	"config keys:\n";

int cmd_scale(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage_scale, stdout);
			print_fields(stdout, scale_schema, "");
			// The defaults, from the same table the loader uses.
			struct scale_config d;
			scale_defaults(&d);
			if (!strlist_add(&d.threads, "1") && !strlist_add(&d.placements, "local") &&
			    !strlist_add(&d.placements, "remote") && !strlist_add(&d.remote.domains, "fs")) {
				printf("\ndefaults:\n");
				schema_dump(stdout, scale_schema, &d, 2);
			}
			scale_free(&d);
			return 0;
		}
	const char *out = NULL, *config = NULL;
	int verbose = 0, jobs = 0, ncli = 0;
	const char *cli_cfg[64];
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			if (++i >= argc) {
				fprintf(stderr, "osarch: %s needs a directory\n%s", a, usage_scale);
				return 2;
			}
			out = argv[i];
		} else if (!strcmp(a, "-j") || !strcmp(a, "--jobs")) {
			int64_t v;
			if (++i >= argc || scalar_parse_int(argv[i], &v) || v < 1 || v > 256) {
				fprintf(stderr, "osarch: %s needs a number of processes 1..256\n%s", a, usage_scale);
				return 2;
			}
			jobs = (int)v;
		} else if (!strcmp(a, "--verbose") || !strcmp(a, "-v")) {
			verbose = 1;
		} else if (!strncmp(a, "--cfg=", 6)) {
			if (ncli == 64 || !strchr(a + 6, ':')) {
				fprintf(stderr, "osarch: %s: expected --cfg=KEY:VALUE (at most 64)\n", a);
				return 2;
			}
			cli_cfg[ncli++] = a;
		} else if (a[0] == '-') {
			fprintf(stderr, "osarch: unknown option '%s'\n%s", a, usage_scale);
			return 2;
		} else if (config) {
			fprintf(stderr, "osarch: one config at a time ('%s' is extra)\n%s", a, usage_scale);
			return 2;
		} else {
			config = a;
		}
	}
	if (!config) {
		fprintf(stderr, "osarch: missing CONFIG.yaml\n%s", usage_scale);
		return 2;
	}
	if (!jobs) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		jobs = n < 1 ? 1 : n > 64 ? 64 : (int)n;
	}
	struct scale_config c;
	struct cfg_error err;
	if (scale_load(&c, config, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	struct run r;
	memset(&r, 0, sizeof r);
	r.c = &c;
	int rc = 1;
	r.sg_argv = calloc((size_t)(c.cfg.n + ncli + 2), sizeof *r.sg_argv);
	if (!r.sg_argv || !(r.sg_argv[0] = strdup("osarch")))
		goto oom;
	for (int i = 0; i < c.cfg.n; i++) {
		size_t len = strlen(c.cfg.v[i]) + 7;
		if (!(r.sg_argv[1 + i] = malloc(len)))
			goto oom;
		snprintf(r.sg_argv[1 + i], len, "--cfg=%s", c.cfg.v[i]);
	}
	for (int i = 0; i < ncli; i++)
		if (!(r.sg_argv[1 + c.cfg.n + i] = strdup(cli_cfg[i])))
			goto oom;
	// SimGrid aborts the process on an option it refuses: ask a child first,
	// one option at a time, so that the message names the culprit.
	for (int i = 1; r.sg_argv[i]; i++) {
		char *one[3] = {r.sg_argv[0], r.sg_argv[i], NULL}, msg[400];
		if (scale_check_cfg(one, msg, sizeof msg)) {
			if (i <= c.cfg.n) {
				struct ydoc d;
				if (ydoc_load_file(&d, config, &err) == 0) {
					cfg_errorf(&err, &d, item_node(&d, ydoc_root(&d), "cfg", i - 1),
						   "SimGrid refuses option '%s': %s", c.cfg.v[i - 1], msg);
					ydoc_free(&d);
				}
				fprintf(stderr, "%s\n", err.msg);
			} else {
				fprintf(stderr, "osarch: %s: SimGrid refuses it: %s\n", r.sg_argv[i], msg);
			}
			rc = 2;
			goto out;
		}
	}
	if (model_load(&r.m, &c, NULL, &err) || (rc = build_jobs(&r, &err))) {
		fprintf(stderr, "%s\n", err.msg);
		rc = rc ? rc : 2;
		goto out;
	}
	if (run_jobs(&r, jobs, !verbose, isatty(2), &err)) {
		fprintf(stderr, "%s\n", err.msg);
		rc = 1;
		goto out;
	}
	if (c.scenario == SCALE_REMOTE)
		compute_speedups(&r);
	// No fixed-size buffer: a long -o used to be cut short and written elsewhere.
	char *dirbuf = out ? NULL : path_join("results", c.name);
	const char *dir = out ? out : dirbuf;
	if (!dir || mkdir_p(dir)) {
		fprintf(stderr, "osarch: cannot create %s: %s\n", dir ? dir : c.name, strerror(errno));
		rc = errno == ENAMETOOLONG ? 2 : 1;
		free(dirbuf);
		goto out;
	}
	static const char *const files[] = {"results.csv", "results.json", "config.resolved.yaml"};
	void (*writers[])(FILE *, void *) = {write_csv_scale, write_json_scale, write_resolved_scale};
	for (int i = 0; i < 3; i++) {
		if (write_atomic_in(dir, files[i], writers[i], &r)) {
			fprintf(stderr, "osarch: cannot write %s/%s: %s\n", dir, files[i], strerror(errno));
			rc = 1;
			free(dirbuf);
			goto out;
		}
	}
	print_summary(stdout, &r);
	printf("results in %s/results.csv\n", dir);
	free(dirbuf);
	rc = 0;
	goto out;
oom:
	fprintf(stderr, "osarch: out of memory\n");
	rc = 1;
out:
	run_free(&r);
	scale_free(&c);
	return rc;
}
