// replay.c: `osarch replay`, a real program's references and system calls
// (a valgrind lackey trace, see include/cmd/replay.h) under architectures.
//
// For every architecture a machine is built from the profile and the walker
// is set up once (sim_init: the application's domain running in user mode,
// its address space loaded). Then, in trace order:
//  - an instruction fetch, load, store or modify of the program is a
//    machine_fetch / machine_load / machine_store at its virtual address in
//    the application's space (translation, TLBs, page walks, every level of
//    cache); instructions are charged the profile's CPI;
//  - the first touch of a page is a page fault: the architecture's
//    `pagefault` path runs before the reference (--faults none: no faults);
//  - a system call runs the architecture's path for the workload its class
//    maps to (replay_classify, docs/replay.md), by sim_run_once on the same
//    machine, so the kernel's footprint evicts the program's lines and the
//    program's evicts the kernel's.
// What the machine counted between two calls is the user's; what it counted
// during a call (wherever the path ran: kernel, servers, library OS,
// hypervisor) is the system's. MCPI (memory cycles per instruction, Chen and
// Bershad, SOSP 1993) is the stall cycles of the i-cache, d-cache and TLB,
// each divided by all instructions (user + system), so the six parts add up
// to the total.
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "experiment.h"
#include "replay.h"
#include "lackey.h"
#include "walk.h"

const char *const replay_class_names[RC__N] = {
	[RC_READ] = "read",   [RC_WRITE] = "write", [RC_OPEN] = "open",       [RC_CLOSE] = "close",
	[RC_STAT] = "stat",   [RC_NULL] = "null",   [RC_MEM] = "mem",         [RC_FORK] = "fork",
	[RC_GENERIC] = "generic", [RC_FAULT] = "fault",
	[RC_MMAP] = "mmap", [RC_MUNMAP] = "munmap", [RC_KILL] = "kill", [RC_SIGRETURN] = "sigreturn",
	[RC_SIGACTION] = "sigaction", [RC_SELECT] = "select", [RC_SEND] = "send", [RC_RECV] = "recv",
};

// The workload each class runs (open and close are the two halves of open-close).
static const char *const class_workload[RC__N] = {
	[RC_READ] = "read",  [RC_WRITE] = "write", [RC_OPEN] = "open-close", [RC_CLOSE] = "open-close",
	[RC_STAT] = "stat",  [RC_NULL] = "null",   [RC_MEM] = "null",        [RC_FORK] = "fork",
	[RC_GENERIC] = "null", [RC_FAULT] = "pagefault",
	[RC_MMAP] = "mmap", [RC_MUNMAP] = "mmap", [RC_KILL] = "signal", [RC_SIGRETURN] = "signal",
	[RC_SIGACTION] = "sigaction", [RC_SELECT] = "select-10", [RC_SEND] = "udp-rr", [RC_RECV] = "udp-rr",
};

// The root call of the class's workload that a class runs (-1: all of it):
// open and close are the halves of open-close, mmap and munmap the first and
// last root calls of mmap (its page faults are the trace's own first
// touches), and so on.
static const int class_root[RC__N] = {
	[RC_READ] = -1, [RC_WRITE] = -1, [RC_OPEN] = 0, [RC_CLOSE] = 1, [RC_STAT] = -1, [RC_NULL] = -1,
	[RC_MEM] = -1, [RC_FORK] = -1, [RC_GENERIC] = -1, [RC_FAULT] = -1,
	[RC_MMAP] = 0, [RC_MUNMAP] = 2, [RC_KILL] = 0, [RC_SIGRETURN] = 1, [RC_SIGACTION] = -1,
	[RC_SELECT] = -1, [RC_SEND] = 0, [RC_RECV] = 1,
};

static const struct {
	const char *name;
	int cls;
} class_table[] = {
	{"read", RC_READ},     {"pread64", RC_READ},    {"readv", RC_READ},      {"preadv", RC_READ},
	{"preadv2", RC_READ},  {"write", RC_WRITE},     {"pwrite64", RC_WRITE},  {"writev", RC_WRITE},
	{"pwritev", RC_WRITE}, {"pwritev2", RC_WRITE},  {"open", RC_OPEN},       {"openat", RC_OPEN},
	{"openat2", RC_OPEN},  {"creat", RC_OPEN},      {"close", RC_CLOSE},     {"stat", RC_STAT},
	{"fstat", RC_STAT},    {"lstat", RC_STAT},      {"newstat", RC_STAT},    {"newfstat", RC_STAT},
	{"newlstat", RC_STAT}, {"newfstatat", RC_STAT}, {"fstatat64", RC_STAT},  {"statx", RC_STAT},
	{"stat64", RC_STAT},   {"fstat64", RC_STAT},    {"lstat64", RC_STAT},    {"getpid", RC_NULL},
	{"getppid", RC_NULL},  {"gettid", RC_NULL},     {"getuid", RC_NULL},     {"geteuid", RC_NULL},
	{"getgid", RC_NULL},   {"getegid", RC_NULL},    {"getpgrp", RC_NULL},    {"getpgid", RC_NULL},
	{"getsid", RC_NULL},   {"brk", RC_MEM},         {"mmap", RC_MMAP},       {"mmap2", RC_MMAP},
	{"munmap", RC_MUNMAP}, {"mremap", RC_MEM},      {"mprotect", RC_MEM},    {"fork", RC_FORK},
	{"vfork", RC_FORK},    {"clone", RC_FORK},      {"clone3", RC_FORK},
	{"kill", RC_KILL},     {"tkill", RC_KILL},      {"tgkill", RC_KILL},     {"rt_sigreturn", RC_SIGRETURN},
	{"sigreturn", RC_SIGRETURN}, {"rt_sigaction", RC_SIGACTION}, {"sigaction", RC_SIGACTION},
	{"select", RC_SELECT}, {"_newselect", RC_SELECT}, {"pselect6", RC_SELECT}, {"poll", RC_SELECT},
	{"ppoll", RC_SELECT},  {"sendto", RC_SEND},     {"sendmsg", RC_SEND},    {"send", RC_SEND},
	{"recvfrom", RC_RECV}, {"recvmsg", RC_RECV},    {"recv", RC_RECV},
};

int replay_classify(const char *name)
{
	if (!strncmp(name, "sys_", 4))
		name += 4;
	for (size_t i = 0; i < sizeof class_table / sizeof class_table[0]; i++)
		if (!strcmp(class_table[i].name, name))
			return class_table[i].cls;
	return RC_GENERIC;
}

// ---- pages touched (first-touch faults) ----

struct pageset {
	uint64_t *slot; // page number + 1; 0 = empty
	size_t cap, n;
	uint64_t recent[2]; // the last page of the instruction and data streams (+1)
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

static int pageset_add(struct pageset *s, uint64_t page); // 1 new, 0 known, -1 no memory

static int pageset_grow(struct pageset *s)
{
	struct pageset big = {NULL, s->cap ? s->cap * 2 : 1024, 0, {0, 0}};
	big.slot = calloc(big.cap, sizeof *big.slot);
	if (!big.slot)
		return -1;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slot[i])
			pageset_add(&big, s->slot[i] - 1);
	free(s->slot);
	big.recent[0] = s->recent[0];
	big.recent[1] = s->recent[1];
	*s = big;
	return 0;
}

static int pageset_add(struct pageset *s, uint64_t page)
{
	if ((s->n + 1) * 2 > s->cap && pageset_grow(s))
		return -1;
	size_t mask = s->cap - 1, i = (size_t)mix(page) & mask;
	while (s->slot[i]) {
		if (s->slot[i] == page + 1)
			return 0;
		i = (i + 1) & mask;
	}
	s->slot[i] = page + 1;
	s->n++;
	return 1;
}

// ---- one architecture on one trace ----

struct rarch {
	struct arch *a;
	struct machine m;
	struct sim s;
	int live;               // m and s are set up
	uint64_t kbase;         // user addresses at or above it are folded below it
	struct counters mark;   // the machine's counters at the last user/system switch
	struct counters user, sys, cls[RC__N];
	uint64_t calls[RC__N];
	uint64_t pending;       // user instructions not yet charged
};

#define MAX_ARCHS 16
#define MAX_NAMES 96 // distinct system-call names listed per trace

struct name_count {
	char name[TRACE_NAME_LEN];
	int cls;
	uint64_t n;
};

// Everything a replay needs; one per command, nothing global.
struct replay {
	struct profile prof;
	struct service_set *svc;
	struct workload *wl[RC__N];       // per class (pointers into wl_store)
	struct workload *wl_store;        // one per class, then a scratch slot
	struct rarch ra[MAX_ARCHS];
	int na;
	int faults;                       // first-touch faults on
	uint64_t seed;
	// per trace
	struct pageset pages;
	struct name_count names[MAX_NAMES];
	int nnames;
	uint64_t other_names;             // calls beyond MAX_NAMES distinct names
	uint64_t nfaults, nsyscalls;
	const char *where;                // the trace and line of the call being run (for errors)
	uint64_t where_line;
};

// One row of the results.
struct rrow {
	char program[64];
	char arch[NAME_LEN + 64];
	struct counters user, sys, cls[RC__N];
	uint64_t calls[RC__N];
	struct os_counts os;
	uint64_t lines, skipped, faults, syscalls;
	double seconds;                   // wall time of the replay (all architectures)
	struct name_count names[MAX_NAMES];
	int nnames;
	uint64_t other_names;
};

struct rows {
	struct rrow *v;
	int n, cap;
	const char *machine;
	const char *faults;
};

// The subtree of root call k (0-based) of src as a workload of its own.
static int workload_root(struct workload *dst, const struct workload *src, int k)
{
	int root = -1, seen = 0;
	for (int i = 0; i < src->n && root < 0; i++)
		if (src->nodes[i].parent == -1 && seen++ == k)
			root = i;
	if (root < 0)
		return -1;
	int end = root + 1; // pre-order: a subtree is contiguous
	while (end < src->n && src->nodes[end].parent != -1)
		end++;
	*dst = *src;
	dst->n = end - root;
	for (int i = root; i < end; i++) {
		dst->nodes[i - root] = src->nodes[i];
		if (src->nodes[i].parent >= 0)
			dst->nodes[i - root].parent = src->nodes[i].parent - root;
	}
	snprintf(dst->name, sizeof dst->name, "%.24s[%d]", src->name, k);
	return 0;
}

static void replay_free(struct replay *rp)
{
	for (int i = 0; i < rp->na; i++) {
		if (rp->ra[i].live)
			machine_free(&rp->ra[i].m);
		free(rp->ra[i].a);
	}
	free(rp->wl_store);
	free(rp->svc);
	free(rp->pages.slot);
	memset(rp, 0, sizeof *rp);
}

// Loads the workloads the classes run. 0, 2 (bad model files), 1 (memory).
static int load_workloads(struct replay *rp, struct cfg_error *err)
{
	// One workload per class (the class's root call of its workload, or all
	// of it), and a scratch slot to load a whole workload into.
	rp->wl_store = calloc(RC__N + 1, sizeof *rp->wl_store);
	if (!rp->wl_store)
		return 1;
	struct workload *whole = &rp->wl_store[RC__N];
	for (int c = 0; c < RC__N; c++) {
		struct workload *w = &rp->wl_store[c];
		if (workload_load(class_root[c] < 0 ? w : whole, class_workload[c], rp->svc, err))
			return 2;
		// With fewer root calls than the class needs, the whole workload runs
		// at the first half and the other half is null.
		if (class_root[c] >= 0 && workload_root(w, whole, class_root[c]) &&
		    (class_root[c] > 0 ? workload_load(w, "null", rp->svc, err) : (*w = *whole, 0)))
			return 2;
		rp->wl[c] = w;
	}
	return 0;
}

// Fresh machines and walkers for a new trace. 0, or 1 (memory).
static int start_trace(struct replay *rp)
{
	for (int i = 0; i < rp->na; i++) {
		struct rarch *ra = &rp->ra[i];
		if (ra->live)
			machine_free(&ra->m);
		ra->live = 0;
		if (machine_init(&ra->m, &rp->prof, rp->seed))
			return 1;
		ra->live = 1;
		sim_init(&ra->s, ra->a, rp->wl[RC_NULL], &ra->m);
		ra->kbase = ra->m.kernel_base;
		ra->mark = ra->m.ctr;
		memset(&ra->user, 0, sizeof ra->user);
		memset(&ra->sys, 0, sizeof ra->sys);
		memset(ra->cls, 0, sizeof ra->cls);
		memset(ra->calls, 0, sizeof ra->calls);
		ra->pending = 0;
	}
	free(rp->pages.slot);
	memset(&rp->pages, 0, sizeof rp->pages);
	rp->nnames = 0;
	rp->other_names = rp->nfaults = rp->nsyscalls = 0;
	return 0;
}

// The user's counters since the last switch go to `into`.
static void settle(struct rarch *ra, struct counters *into, struct counters *also)
{
	struct counters d;
	counters_sub(&d, &ra->m.ctr, &ra->mark);
	counters_add(into, &d);
	if (also)
		counters_add(also, &d);
	ra->mark = ra->m.ctr;
}

// Runs the path of class cls on every architecture. 0, or 2 when an
// architecture cannot carry it (message on stderr).
static int kernel_call(struct replay *rp, int cls)
{
	for (int i = 0; i < rp->na; i++) {
		struct rarch *ra = &rp->ra[i];
		machine_exec(&ra->m, ra->pending);
		ra->pending = 0;
		settle(ra, &ra->user, NULL);
		sim_set_workload(&ra->s, rp->wl[cls]);
		if (!ra->s.error[0])
			sim_run_once(&ra->s);
		settle(ra, &ra->sys, &ra->cls[cls]);
		ra->calls[cls]++;
		if (ra->s.error[0]) {
			fprintf(stderr, "%s:%" PRIu64 ": error: %s (running %s for %s)\n", rp->where, rp->where_line, ra->s.error,
				rp->wl[cls]->name, replay_class_names[cls]);
			return 2;
		}
	}
	return 0;
}

static void count_name(struct replay *rp, const char *name, int cls)
{
	for (int i = 0; i < rp->nnames; i++)
		if (!strcmp(rp->names[i].name, name)) {
			rp->names[i].n++;
			return;
		}
	if (rp->nnames == MAX_NAMES) {
		rp->other_names++;
		return;
	}
	struct name_count *nc = &rp->names[rp->nnames++];
	snprintf(nc->name, sizeof nc->name, "%s", name);
	nc->cls = cls;
	nc->n = 1;
}

static inline uint64_t user_va(const struct rarch *ra, uint64_t a)
{
	// A 64-bit trace on a 32-bit profile: fold user addresses below the
	// kernel base (docs/replay.md).
	return a < ra->kbase ? a : a % ra->kbase;
}

// First touches of [a, a+size): a page fault each. 0, 1 (memory), 2.
static int touch(struct replay *rp, uint64_t a, uint32_t size, int stream)
{
	uint64_t first = a >> 12, last = (a + size - 1) >> 12;
	if (first + 1 == rp->pages.recent[stream] && last == first)
		return 0;
	for (uint64_t pg = first; pg <= last; pg++) {
		int k = pageset_add(&rp->pages, pg);
		if (k < 0)
			return 1;
		if (k) {
			rp->nfaults++;
			int rc = kernel_call(rp, RC_FAULT);
			if (rc)
				return rc;
		}
	}
	rp->pages.recent[stream] = last + 1;
	return 0;
}

// Replays one trace on every architecture. 0, 1, or 2.
static int replay_trace(struct replay *rp, struct trace_reader *r)
{
	struct trace_rec rec;
	int rc = start_trace(rp);
	rp->where = r->name;
	while (!rc) {
		int k = trace_next_inline(r, &rec);
		if (k == TR_END)
			break;
		if (k == TR_ERROR) {
			fprintf(stderr, "%s\n", r->error);
			return r->io_error ? 1 : 2;
		}
		if (k == TR_SYSCALL) {
			rp->nsyscalls++;
			int cls = replay_classify(rec.name);
			count_name(rp, rec.name, cls);
			rp->where_line = r->line;
			rc = kernel_call(rp, cls);
			continue;
		}
		if (rp->faults) {
			rp->where_line = r->line;
			if ((rc = touch(rp, rec.addr, rec.size, k != TR_INSN)))
				break;
		}
		for (int i = 0; i < rp->na; i++) {
			struct rarch *ra = &rp->ra[i];
			uint64_t va = user_va(ra, rec.addr);
			switch (k) {
			case TR_INSN:
				machine_fetch(&ra->m, va, rec.size);
				ra->pending++;
				break;
			case TR_LOAD: machine_load(&ra->m, va, rec.size); break;
			case TR_STORE: machine_store(&ra->m, va, rec.size); break;
			default: // modify: the load, then the store (a hit)
				machine_load(&ra->m, va, rec.size);
				machine_store(&ra->m, va, rec.size);
				break;
			}
		}
	}
	if (rc)
		return rc;
	for (int i = 0; i < rp->na; i++) {
		struct rarch *ra = &rp->ra[i];
		machine_exec(&ra->m, ra->pending);
		ra->pending = 0;
		settle(ra, &ra->user, NULL);
	}
	return 0;
}

// ---- output ----

static void plain_word(char *s);

static uint64_t insns(const struct rrow *r) { return r->user.instructions + r->sys.instructions; }

static double per_insn(double cycles, const struct rrow *r)
{
	uint64_t n = insns(r);
	return n ? cycles / (double)n : 0;
}

static double mcpi_of(const struct counters *c) { return c->cyc[CYC_IMISS] + c->cyc[CYC_DMISS] + c->cyc[CYC_TLB]; }

struct col {
	const char *name;
	double v;
	int dec; // decimals
};

// The numeric columns of a row, in CSV order (a contract: only ever add).
static int row_cols(const struct rrow *r, struct col *c)
{
	int k = 0;
	double uc = counters_cycles(&r->user), sc = counters_cycles(&r->sys);
	uint64_t syscalls = 0;
	for (int i = 0; i < RC__N; i++)
		if (i != RC_FAULT)
			syscalls += r->calls[i];
#define C(nm, val, d) c[k++] = (struct col){nm, (double)(val), d}
	C("trace_lines", r->lines, 0);
	C("skipped_lines", r->skipped, 0);
	C("syscalls", syscalls, 0);
	C("faults", r->calls[RC_FAULT], 0);
	C("user_instructions", r->user.instructions, 0);
	C("sys_instructions", r->sys.instructions, 0);
	C("user_cycles", uc, 0);
	C("sys_cycles", sc, 0);
	C("sys_share", uc + sc > 0 ? sc / (uc + sc) : 0, 4);
	C("cpi", per_insn(uc + sc, r), 4);
	C("mcpi", per_insn(mcpi_of(&r->user) + mcpi_of(&r->sys), r), 4);
	C("mcpi_user_i", per_insn(r->user.cyc[CYC_IMISS], r), 4);
	C("mcpi_user_d", per_insn(r->user.cyc[CYC_DMISS], r), 4);
	C("mcpi_user_tlb", per_insn(r->user.cyc[CYC_TLB], r), 4);
	C("mcpi_sys_i", per_insn(r->sys.cyc[CYC_IMISS], r), 4);
	C("mcpi_sys_d", per_insn(r->sys.cyc[CYC_DMISS], r), 4);
	C("mcpi_sys_tlb", per_insn(r->sys.cyc[CYC_TLB], r), 4);
	C("user_mcpi", r->user.instructions ? mcpi_of(&r->user) / (double)r->user.instructions : 0, 4);
	C("sys_mcpi", r->sys.instructions ? mcpi_of(&r->sys) / (double)r->sys.instructions : 0, 4);
	const struct counters *side[2] = {&r->user, &r->sys};
	static const char *const pre[2][6] = {
		{"user_l1i_misses", "user_l1d_misses", "user_l2_misses", "user_llc_misses", "user_itlb_misses",
		 "user_dtlb_misses"},
		{"sys_l1i_misses", "sys_l1d_misses", "sys_l2_misses", "sys_llc_misses", "sys_itlb_misses",
		 "sys_dtlb_misses"}};
	for (int s = 0; s < 2; s++) {
		C(pre[s][0], side[s]->l1i_misses, 0);
		C(pre[s][1], side[s]->l1d_misses, 0);
		C(pre[s][2], side[s]->l2_misses, 0);
		C(pre[s][3], side[s]->llc_misses, 0);
		C(pre[s][4], side[s]->itlb_misses, 0);
		C(pre[s][5], side[s]->dtlb_misses, 0);
	}
	C("sys_cycles_event", r->sys.cyc[CYC_EVENT], 0);
	C("traps", r->os.traps, 0);
	C("as_switches", r->os.as_switches, 0);
	C("ipc_messages", r->os.ipc_messages, 0);
	C("vm_exits", r->os.vm_exits, 0);
	C("hypercalls", r->os.hypercalls, 0);
	static const char *const calls[RC__N] = {"calls_read", "calls_write", "calls_open", "calls_close",
						 "calls_stat", "calls_null", "calls_mem", "calls_fork",
						 "calls_generic", "calls_fault", "calls_mmap", "calls_munmap",
						 "calls_kill", "calls_sigreturn", "calls_sigaction", "calls_select",
						 "calls_send", "calls_recv"};
	for (int i = 0; i < RC__N; i++)
		if (i != RC_FAULT)
			C(calls[i], r->calls[i], 0);
#undef C
	return k;
}

#define MAX_COLS 64

static void put_val(FILE *f, const struct col *c)
{
	if (c->dec)
		fprintf(f, "%.*f", c->dec, c->v);
	else
		fprintf(f, "%.0f", c->v);
}

static void write_csv(FILE *f, void *arg)
{
	const struct rows *rs = arg;
	struct col c[MAX_COLS];
	int n = row_cols(&rs->v[0], c);
	fprintf(f, "arch,workload,machine");
	for (int i = 0; i < n; i++)
		fprintf(f, ",%s", c[i].name);
	fprintf(f, "\n");
	for (int j = 0; j < rs->n; j++) {
		const struct rrow *r = &rs->v[j];
		n = row_cols(r, c);
		csv_put_field(f, r->arch); // "a:x=1,y=2" is quoted
		fprintf(f, ",%s,", r->program);
		csv_put_field(f, rs->machine);
		for (int i = 0; i < n; i++) {
			fputc(',', f);
			put_val(f, &c[i]);
		}
		fprintf(f, "\n");
	}
}

static void write_json(FILE *f, void *arg)
{
	const struct rows *rs = arg;
	fprintf(f, "{\"machine\": ");
	json_put_str(f, rs->machine);
	fprintf(f, ", \"faults\": \"%s\", \"classes\": {", rs->faults);
	for (int i = 0; i < RC__N; i++)
		if (class_root[i] >= 0)
			fprintf(f, "%s\"%s\": \"%s[%d]\"", i ? ", " : "", replay_class_names[i], class_workload[i],
				class_root[i]);
		else
			fprintf(f, "%s\"%s\": \"%s\"", i ? ", " : "", replay_class_names[i], class_workload[i]);
	fprintf(f, "},\n \"results\": [\n");
	for (int j = 0; j < rs->n; j++) {
		const struct rrow *r = &rs->v[j];
		struct col c[MAX_COLS];
		int n = row_cols(r, c);
		fprintf(f, "  {\"arch\": ");
		json_put_str(f, r->arch);
		fprintf(f, ", \"workload\": ");
		json_put_str(f, r->program);
		for (int i = 0; i < n; i++) {
			fprintf(f, ", \"%s\": ", c[i].name);
			put_val(f, &c[i]);
		}
		fprintf(f, ",\n   \"sys_cycles_by_class\": {");
		for (int i = 0; i < RC__N; i++)
			fprintf(f, "%s\"%s\": %.0f", i ? ", " : "", replay_class_names[i], counters_cycles(&r->cls[i]));
		fprintf(f, "},\n   \"syscalls_by_name\": {");
		for (int i = 0; i < r->nnames; i++) {
			fprintf(f, "%s", i ? ", " : "");
			json_put_str(f, r->names[i].name);
			fprintf(f, ": {\"calls\": %" PRIu64 ", \"class\": \"%s\"}", r->names[i].n,
				replay_class_names[r->names[i].cls]);
		}
		if (r->other_names)
			fprintf(f, "%s\"(others)\": {\"calls\": %" PRIu64 ", \"class\": \"generic\"}", r->nnames ? ", " : "",
				r->other_names);
		fprintf(f, "}}%s\n", j + 1 < rs->n ? "," : "");
	}
	fprintf(f, " ]}\n");
}

// The names of one class, "brk 3, mmap 8".
static void class_names_list(FILE *f, const struct rrow *r, int cls)
{
	int any = 0;
	for (int i = 0; i < r->nnames; i++)
		if (r->names[i].cls == cls)
			fprintf(f, "%s%s %" PRIu64, any++ ? ", " : "", r->names[i].name, r->names[i].n);
	if (cls == RC_GENERIC && r->other_names)
		fprintf(f, "%sothers %" PRIu64, any++ ? ", " : "", r->other_names);
	if (!any)
		fprintf(f, "none");
}

// The table of one trace: rows first..first+n-1 (one per architecture).
static void replay_table(FILE *f, const struct rrow *rows, int n, const char *machine)
{
	const struct rrow *r0 = &rows[0];
	fprintf(f, "%s on %s: %" PRIu64 " trace lines", r0->program, machine, r0->lines);
	if (r0->skipped)
		fprintf(f, " (%" PRIu64 " malformed, skipped)", r0->skipped);
	fprintf(f, ", %" PRIu64 " user instructions, %" PRIu64 " system calls,", r0->user.instructions, r0->syscalls);
	fprintf(f, " %" PRIu64 " first-touch page faults\n", r0->faults);
	fprintf(f, "  calls by class:");
	for (int i = 0; i < RC__N; i++)
		if (i != RC_FAULT)
			fprintf(f, " %s %" PRIu64, replay_class_names[i], r0->calls[i]);
	fprintf(f, "\n  generic path (null) for: ");
	class_names_list(f, r0, RC_GENERIC);
	fprintf(f, "\n  memory calls (null; growth paid by first-touch faults): ");
	class_names_list(f, r0, RC_MEM);
	fprintf(f, "\n\n");
	fprintf(f, "%-20s %10s %9s %11s %10s %6s | %-20s | %-20s | %6s %6s\n", "", "user", "system", "user", "system",
		"system", "   MCPI user", "   MCPI system", "", "");
	fprintf(f, "%-20s %10s %9s %11s %10s %6s | %6s %6s %6s | %6s %6s %6s | %6s %6s\n", "arch", "instr", "instr",
		"cycles", "cycles", "time", "I", "D", "TLB", "I", "D", "TLB", "MCPI", "CPI");
	for (int j = 0; j < n; j++) {
		const struct rrow *r = &rows[j];
		struct col c[MAX_COLS];
		row_cols(r, c);
		double uc = counters_cycles(&r->user), sc = counters_cycles(&r->sys);
		fprintf(f, "%-20.20s %10" PRIu64 " %9" PRIu64 " %11.0f %10.0f %5.1f%% | %6.3f %6.3f %6.3f | %6.3f %6.3f %6.3f | %6.3f %6.3f\n",
			r->arch, r->user.instructions, r->sys.instructions, uc, sc, uc + sc > 0 ? 100 * sc / (uc + sc) : 0,
			per_insn(r->user.cyc[CYC_IMISS], r), per_insn(r->user.cyc[CYC_DMISS], r),
			per_insn(r->user.cyc[CYC_TLB], r), per_insn(r->sys.cyc[CYC_IMISS], r),
			per_insn(r->sys.cyc[CYC_DMISS], r), per_insn(r->sys.cyc[CYC_TLB], r),
			per_insn(mcpi_of(&r->user) + mcpi_of(&r->sys), r), per_insn(uc + sc, r));
	}
	fprintf(f, "(MCPI: memory stall cycles per instruction, each part over all instructions, user + system)\n\n");
}

static int rows_add(struct rows *rs, struct rrow **out)
{
	if (rs->n == rs->cap) {
		int cap = rs->cap ? rs->cap * 2 : 16;
		struct rrow *v = realloc(rs->v, (size_t)cap * sizeof *v);
		if (!v)
			return -1;
		rs->v = v;
		rs->cap = cap;
	}
	*out = &rs->v[rs->n++];
	memset(*out, 0, sizeof **out);
	return 0;
}

// The program's name for a trace path: its base name without the extension.
static void program_name(char *dst, size_t n, const char *path)
{
	if (!strcmp(path, "-")) {
		snprintf(dst, n, "stdin");
		return;
	}
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	snprintf(dst, n, "%s", b);
	char *dot = strchr(dst, '.');
	if (dot && dot != dst)
		*dot = 0;
}

// The CSV's workload column, a word for scripts/plots.sh: no separators.
static void plain_word(char *s)
{
	for (; *s; s++)
		if (*s == ',' || *s == '"' || *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			*s = '_';
}

// ---- the command ----

static const char usage_replay[] =
	"usage: osarch replay --arch A [--arch B ...] [--machine M] [--lenient] [--faults touch|none]\n"
	"                     [--seed N] [--name NAME] [-o DIR] [TRACE|- ...]\n"
	"\n"
	"Replays a real program under operating-system architectures. TRACE is valgrind\n"
	"lackey output with system calls:\n"
	"  valgrind --tool=lackey --trace-mem=yes --trace-syscalls=yes --log-fd=3 PROG 3>TRACE\n"
	"(standard input when TRACE is - or absent; several traces are replayed in turn).\n"
	"The program's fetches, loads and stores run through the machine model (M, default\n"
	"modern) in the application's address space; each system call runs the\n"
	"architecture's path for a workload in the same machine state:\n"
	"  read/pread/readv -> read, write/writev -> write, openat -> open-close (open half),\n"
	"  close -> open-close (close half), stat/fstat/newfstatat -> stat, getpid-like -> null,\n"
	"  fork/clone -> fork, mmap -> mmap (its mmap half), munmap -> mmap (its munmap half),\n"
	"  kill/tgkill -> signal (kill and delivery), rt_sigreturn -> signal (sigreturn),\n"
	"  rt_sigaction -> sigaction, select/poll -> select-10, sendto/sendmsg -> udp-rr (send),\n"
	"  recvfrom/recvmsg -> udp-rr (receive), brk/mremap/mprotect -> null, anything else ->\n"
	"  null (both listed by name);\n"
	"and the first touch of each page runs pagefault (--faults none: not).\n"
	"Prints, per trace, user and system instructions and cycles, the share of time in\n"
	"the system, and MCPI (memory cycles per instruction) split into user and system\n"
	"x I-cache, D-cache, TLB; with -o DIR also DIR/results.csv and DIR/results.json.\n"
	"  --lenient   skip (and count) malformed trace lines instead of failing (exit 2)\n"
	"  --name NAME the program's name in the results (one trace; default: the file's\n"
	"              base name without extension)\n"
	"See docs/replay.md.\n";

static int replay_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "osarch: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage_replay);
	return 2;
}

int cmd_replay(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage_replay, stdout);
			return 0;
		}
	const char *archs[MAX_ARCHS], *traces[64];
	int na = 0, nt = 0, lenient = 0, faults = 1;
	const char *machine = "modern", *outdir = NULL, *name = NULL;
	uint64_t seed = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int needs = !strcmp(a, "--arch") || !strcmp(a, "--machine") || !strcmp(a, "-o") ||
			    !strcmp(a, "--output") || !strcmp(a, "--faults") || !strcmp(a, "--seed") ||
			    !strcmp(a, "--name");
		if (needs && ++i >= argc)
			return replay_usage("%s needs a value", a);
		const char *v = needs ? argv[i] : NULL;
		if (!strcmp(a, "--arch")) {
			if (na == MAX_ARCHS)
				return replay_usage("at most 16 architectures ('%s' is one too many)", v);
			archs[na++] = v;
		} else if (!strcmp(a, "--machine")) {
			machine = v;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			outdir = v;
		} else if (!strcmp(a, "--name")) {
			name = v;
		} else if (!strcmp(a, "--faults")) {
			if (strcmp(v, "touch") && strcmp(v, "none"))
				return replay_usage("unknown --faults '%s' (expected touch or none)", v);
			faults = !strcmp(v, "touch");
		} else if (!strcmp(a, "--seed")) {
			char *end;
			errno = 0;
			unsigned long long s = strtoull(v, &end, 10);
			if (errno || *end || !*v || v[0] == '-')
				return replay_usage("--seed '%s' is not a non-negative integer", v);
			seed = s;
		} else if (!strcmp(a, "--lenient")) {
			lenient = 1;
		} else if (a[0] == '-' && a[1]) {
			return replay_usage("unknown option '%s'", a);
		} else {
			if (nt == 64)
				return replay_usage("at most 64 traces ('%s' is one too many)", a);
			traces[nt++] = a;
		}
	}
	if (!na)
		return replay_usage("%s", "missing --arch");
	if (!nt)
		traces[nt++] = "-";
	if (name && nt > 1)
		return replay_usage("%s", "--name names one trace; with several, each is named by its file");
	int stdin_uses = 0;
	for (int i = 0; i < nt; i++)
		stdin_uses += !strcmp(traces[i], "-");
	if (stdin_uses > 1)
		return replay_usage("%s", "standard input (-) can be read once");

	struct replay *rp = calloc(1, sizeof *rp);
	struct rows rs = {NULL, 0, 0, machine, faults ? "touch" : "none"};
	struct cfg_error err;
	int rc = 1;
	if (!rp || !(rp->svc = malloc(sizeof *rp->svc)))
		goto out;
	rp->faults = faults;
	rp->seed = seed;
	rc = 2;
	if (profile_load(&rp->prof, machine, NULL, &err) || load_services_default(rp->svc, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		goto out;
	}
	rs.machine = rp->prof.name;
	if ((rc = load_workloads(rp, &err))) {
		if (rc == 2)
			fprintf(stderr, "%s\n", err.msg);
		goto out;
	}
	for (int i = 0; i < na; i++) {
		struct rarch *ra = &rp->ra[rp->na];
		rc = 1;
		if (!(ra->a = malloc(sizeof *ra->a)))
			goto out;
		rp->na++;
		rc = 2;
		if (arch_load(ra->a, archs[i], rp->svc, &err)) {
			fprintf(stderr, "%s\n", err.msg);
			goto out;
		}
		if ((ra->a->requires_vtx && !rp->prof.vtx) || (ra->a->requires_ept && !rp->prof.ept)) {
			fprintf(stderr, "osarch: architecture %s needs %s, which machine %s does not have\n", ra->a->name,
				ra->a->requires_ept ? "VT-x with EPT" : "VT-x", rp->prof.name);
			goto out;
		}
	}
	if (outdir && mkdir_p(outdir)) {
		fprintf(stderr, "osarch: cannot create %s: %s\n", outdir, strerror(errno));
		rc = 1;
		goto out;
	}
	for (int t = 0; t < nt; t++) {
		struct trace_reader r;
		char msg[700];
		if (trace_open(&r, traces[t], lenient, msg, sizeof msg)) {
			fprintf(stderr, "%s\n", msg);
			rc = strstr(msg, "out of memory") ? 1 : 2;
			goto out;
		}
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = replay_trace(rp, &r);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (rc == 1 && !r.io_error)
			fprintf(stderr, "osarch: out of memory\n");
		if (!rc && r.skipped)
			fprintf(stderr, "osarch: skipped %" PRIu64 " malformed lines; the first: %s\n", r.skipped, r.error);
		uint64_t lines = r.line, skipped = r.skipped;
		trace_close(&r);
		if (rc)
			goto out;
		int first = rs.n;
		for (int i = 0; i < rp->na; i++) {
			struct rrow *row;
			struct rarch *ra = &rp->ra[i];
			if (rows_add(&rs, &row)) {
				rc = 1;
				goto out;
			}
			if (name)
				snprintf(row->program, sizeof row->program, "%s", name);
			else
				program_name(row->program, sizeof row->program, traces[t]);
			plain_word(row->program);
			snprintf(row->arch, sizeof row->arch, "%s", ra->a->name);
			row->user = ra->user;
			row->sys = ra->sys;
			memcpy(row->cls, ra->cls, sizeof row->cls);
			memcpy(row->calls, ra->calls, sizeof row->calls);
			row->os = ra->s.os;
			row->lines = lines;
			row->skipped = skipped;
			row->faults = rp->nfaults;
			row->syscalls = rp->nsyscalls;
			row->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
			memcpy(row->names, rp->names, sizeof row->names);
			row->nnames = rp->nnames;
			row->other_names = rp->other_names;
		}
		replay_table(stdout, &rs.v[first], rp->na, rp->prof.name);
		fflush(stdout);
	}
	rc = 0;
	if (outdir) {
		if (write_atomic_in(outdir, "results.csv", write_csv, &rs)) {
			fprintf(stderr, "osarch: cannot write %s/results.csv: %s\n", outdir, strerror(errno));
			rc = 1;
			goto out;
		}
		if (write_atomic_in(outdir, "results.json", write_json, &rs)) {
			fprintf(stderr, "osarch: cannot write %s/results.json: %s\n", outdir, strerror(errno));
			rc = 1;
			goto out;
		}
		printf("wrote %s/results.csv and %s/results.json\n", outdir, outdir);
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "osarch: cannot write the output\n");
		rc = 1;
	}
out:
	free(rs.v);
	if (rp)
		replay_free(rp);
	free(rp);
	return rc;
}
