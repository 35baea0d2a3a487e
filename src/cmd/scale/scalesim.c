// scalesim.c: one point of `osarch scale` simulated on SimGrid (in a child
// process): the actors of the cores, remote and migrate scenarios and the
// TLB shootdown, and the figures of one row.
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


#include "hash.h"
#include "scale.h"
#include "scaleshared.h"

// SimGrid's live-migration plugin (3.32) stops pre-copy when the bytes left
// can be sent in this long; DirtyPageTrackingExt has no setter for it.
#define SG_MAX_DOWNTIME 0.03
// The guest of `migrate` runs its calls in slices of about this much
// simulated time: the granularity of its progress, not of the measured
// downtime (which is exact, see run_migrate).
#define GUEST_SLICE_S 1e-3

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

// An exponential think time of the given mean.
static double think_time(struct actor_ctx *ac, double mean)
{
	double u = (double)(splitmix64_next(&ac->rng) >> 11) * 0x1.0p-53; // [0, 1)
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
int scale_point_sane(const struct scale_point *pt)
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
void scale_child_run(const struct scale_point *pt, char *const *simgrid_argv, int quiet, int fd)
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

