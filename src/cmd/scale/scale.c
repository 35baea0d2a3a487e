// scale.c: `osarch scale`: many cores, many hosts, moving VMs, on SimGrid.
//
// This file: the command: its options and --help, the points of a sweep,
// the jobs run, the output files and the summary table. The config is
// scaleconfig.c, the plan of a call scaleplan.c, the simulation of one point
// scalesim.c, the forked runner scalefork.c.
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
	scale_model_free(&r->m);
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
		scale_sweep_set(probe, sp->key, values[s], &e);
	}
}

// Points in output order: arch, workload, server threads, placement, then the
// sweep combinations, so that one line of a figure is one run of rows.
static int build_jobs(struct run *r, struct cfg_error *err)
{
	const struct scale_config *c = r->c;
	long combos = scale_sweep_combos(c);
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
			if (scale_start_child(&j->pt, r->sg_argv, quiet, &kids[active])) {
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
			if (scale_finish_child(&kids[i], &j->row, msg, sizeof msg) && !rc) {
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
	long combos = scale_sweep_combos(c);
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
					cfg_errorf(&err, &d, scale_item_node(&d, ydoc_root(&d), "cfg", i - 1),
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
	if (scale_model_load(&r.m, &c, NULL, &err) || (rc = build_jobs(&r, &err))) {
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
