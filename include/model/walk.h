// walk.h: running a workload's call graph under an architecture on a machine.
#ifndef OSARCH_WALK_H
#define OSARCH_WALK_H

#include "machine.h"
#include "osmodel.h"

// What the operating-system structure did: counted by the primitive steps.
struct os_counts {
	uint64_t traps;         // entries from user mode into a kernel (system calls, faults)
	uint64_t mode_switches; // privilege-ring changes, either direction
	uint64_t as_switches;   // changes of the current address space (incl. small spaces)
	uint64_t ipc_messages;  // messages sent through an IPC transport
	uint64_t vm_exits;
	uint64_t hypercalls;
	uint64_t vmx_transitions; // VM exits and VM entries, each one (a mode switch is a ring change only)
	double io_wait_usec;    // device time the call waited (not in cycles)
	uint64_t domain_switches; // the hypervisor or a hosted monitor switched to another domain's world
	uint64_t grant_ops;     // grant-table operations (a page of one domain mapped into another)
	uint64_t hidden_faults; // faults the guest never sees (shadow fills, traced page-table writes)
	double wake_cycles;     // cycles from the end of a device wait (the interrupt) until
	                        // the waiting code runs again: the wake-up path
};

void os_counts_add(struct os_counts *d, const struct os_counts *a);

// One row of a traced call. The rows' counters add up to the call's.
#define TRACE_MAX 128
enum row_kind {
	TK_CROSS,   // a crossing: the transport's own path (trap, IPC path, switch, return)
	TK_WORK,    // work inside a domain after a crossing into it (or from the start)
	TK_COPY,    // a copy of a message or buffer within a crossing (bytes, lines)
	TK_MONITOR, // VM exits, hypercalls or callouts into a monitor, with why
	TK_FAULT,   // a fault taken while a kernel runs (a hidden or nested fault)
	TK__N
};
extern const char *const trace_kind_names[TK__N];

struct trace_step {
	char from[NAME_LEN], to[NAME_LEN];
	char transport[NAME_LEN];
	char ran[512];          // operations run in this row
	char why[160];          // the events that caused VM exits, hypercalls, domain switches, if any
	int trapped;            // a trap was taken in this row
	int kind;               // enum row_kind
	int cont;               // the continuation of a crossing after a detail row
	uint32_t bytes;         // TK_COPY: bytes copied
	uint32_t lines;         // TK_COPY: cache lines the copy reads and writes
	uint32_t count;         // TK_MONITOR: trips to the monitor in this row
	struct os_counts os;    // what this row counted
	struct counters hw;
};

struct trace {
	struct trace_step step[TRACE_MAX];
	int n;
};

#define SHADOW_SLOTS 4096 // at most 3/4 filled; beyond that pages count as mapped

// Per-process layout of the walk: app, peer (ipc partner), child (fork).
enum proc { PROC_APP, PROC_PEER, PROC_CHILD, PROC__N };

struct sim {
	const struct arch *arch;
	const struct workload *wl;
	struct machine *m;
	// walker state
	int cur_dom, cur_proc;
	int running;         // the process that has the processor between root calls
	int ring;
	uint32_t cr3;        // the space in CR3 (machine space id)
	uint32_t seg;        // small space entered by segment switch (0: none)
	uint32_t guest_cr3;  // the guest's CR3 saved in the VMCS at a VM exit, loaded again at entry
	uint32_t world_cr3;  // the CR3 of the world a domain switch left (restored on the way back)
	uint32_t msg_bytes;  // size of the message being transported
	double io_wait;      // of the current device node
	struct os_counts os;
	struct trace *tr;    // NULL: not tracing
	struct counters tr_hw; // counters when the open trace row opened
	struct os_counts tr_os;
	int tr_quiet;         // >0: inside a row that takes everything (a batch of monitor trips)
	struct trace_step tr_saved; // the row a detail row interrupted
	int tr_saved_valid;
	int tr_replace;       // the next row replaces the open (empty) one instead of closing it
	uint64_t fresh_next;  // next page of the fresh-page pool
	uint32_t translated[MAX_SERVICES]; // binary translation: ops already in the cache (bit per op)
	int edge;             // kind of the edge being crossed (for messages)
	unsigned char notified[MAX_TRANSPORTS]; // event_idx transports run since the CPU last idled
	// Shadow entries the monitor has built since it last discarded its
	// shadow tables (used when the architecture maps shadow_miss): pages
	// keyed by space and page number, open addressing, 0 = empty.
	uint64_t shadow[SHADOW_SLOTS];
	uint32_t shadow_n;
	int node_svc[MAX_NODES], node_op[MAX_NODES]; // each node's operation in the architecture's own services
	// the device wait being walked: its node (-1 none), the process it serves,
	// whether its transport ran the handler, and the cycle count at its idle step
	int dev_node, dev_client, dev_handled;
	double wake_start;    // < 0: no idle step seen yet
	char error[200];      // set when the architecture cannot carry the walk
};

// Resets the walker to "app running in user mode, its space loaded" on m,
// and checks that the architecture can carry the workload: every operation
// exists in the architecture's services, every device wait has a rule. If
// not, s->error says why and nothing may be run.
void sim_init(struct sim *s, const struct arch *a, const struct workload *w, struct machine *m);
// Runs the next calls with workload w on the same machine and CPU state
// (replay switches workloads call by call): w's operations are resolved
// against the architecture again, and s->error says if it cannot carry w.
void sim_set_workload(struct sim *s, const struct workload *w);
// Runs one instance of the workload (every root call in order).
void sim_run_once(struct sim *s);
// The application's own work between calls (touches its working set).
void sim_app_work(struct sim *s);

// Results of a measured run.
struct run_result {
	struct counters hw;     // totals over the `reps` measured calls
	struct os_counts os;    // totals
	struct counters app;    // totals of the application's own work between the measured calls
	int reps;
	uint32_t fp_i, fp_d;    // distinct lines of one call
	double cycles, usec;    // per call
	char error[200];        // run_point returned -3: why
};

struct run_params {
	int warmup;             // calls before measuring
	int reps;               // measured calls
	int cold;               // 1: measure the first call on a fresh machine instead
	uint64_t seed;
};

// Runs the workload under a on a fresh machine built from profile p.
// Returns 0, -1 if the profile cannot be built, -2 if the architecture needs
// a hardware feature (VT-x, EPT) the profile does not have, -3 if the
// architecture has no transport for a crossing the workload makes (out->error).
int run_point(const struct arch *a, const struct workload *w, const struct profile *p,
	      const struct run_params *rp, struct run_result *out, struct trace *tr);
// run_point on a machine kept across points (machine_prepare): a sweep
// worker builds its caches once instead of once per point. m must be
// zeroed before its first use and machine_free'd after the last.
int run_point_on(struct machine *m, const struct arch *a, const struct workload *w,
		 const struct profile *p, const struct run_params *rp, struct run_result *out,
		 struct trace *tr);

#endif
