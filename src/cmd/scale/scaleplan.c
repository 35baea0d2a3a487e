// scaleplan.c: the plan of one call for `osarch scale`: the per-call
// model's trace split into segments between client and server actors.
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
		else if (scale_is_server_domain(a, d)) {
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

