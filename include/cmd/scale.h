// scale.h: `osarch scale`: system-level scenarios on SimGrid.
//
// The per-call model (run_point, walk.h) says what one call costs on an idle
// machine and, through its trace, which protection domain runs which cycles.
// A scale scenario turns that into a distributed system on SimGrid 3.32:
//
//   - a host is a SimGrid host with the profile's clock (mhz x 1e6 flop/s,
//     one flop = one cycle) and a number of cores; a link has a latency and a
//     bandwidth;
//   - a client process is an actor that makes calls in a loop; every user-level
//     server domain (ring 3, not the application's) is a pool of actors (its
//     threads) receiving on one mailbox, its port;
//   - a call's cycles are split by the trace: a step's cycles run in the actor
//     of the step's destination domain; kernel domains run on the thread that
//     entered them (the client's or a server's); cycles before the first
//     crossing are the client's. Every cycle of the model is executed exactly
//     once, by `sg_actor_execute`; nothing is added but waiting;
//   - a shared lock in a service (the FS by default) is a SimGrid mutex held
//     for `lock.cycles` of the cycles of each step that ran that service.
//
// Scenarios: `cores` (N clients on C cores: throughput and latency),
// `remote` (Mach messages to a server on another host across a link) and
// `migrate` (a guest VM live-migrated between two hosts by SimGrid's plugin).
//
// SimGrid's engine can be initialised once per process, so every point runs
// in a forked child process that writes its result row to a pipe (see
// scale_point_run): deterministic (a fresh engine per point, results stored
// by point index whatever the order children finish in) and simple.
#ifndef OSARCH_SCALE_H
#define OSARCH_SCALE_H

#include <stdint.h>
#include "experiment.h"
#include "osmodel.h"
#include "walk.h"

#define SCALE_MAX_SERVERS 8     // user-level server domains in one call
#define SCALE_MAX_SEG 64        // actor-to-actor segments of one call
#define SCALE_MAX_DEPTH 16      // nesting of synchronous calls between actors
#define SCALE_MAX_THREADS 64    // threads of one server
#define SCALE_MAX_SWEEP 6
#define SCALE_MAX_POINTS 5000

enum scale_scenario { SCALE_CORES, SCALE_REMOTE, SCALE_MIGRATE, SCALE_SHOOTDOWN };
extern const char *const scale_scenario_names[];

struct scale_lock {
	char service[NAME_LEN];  // service whose code runs under the lock ("fs")
	int64_t cycles;          // cycles of each such step held under the lock (0: no lock)
	int library;             // 1: a library-OS copy of the service (linked into each process)
	                         // shares its state between processes and takes the lock too
	int64_t inodes;          // 0: one lock for the whole service (coarse); n: a lock per inode,
	                         // client c's calls use inode c mod n (fine-grained)
};

struct scale_link {
	double latency;          // one-way latency, microseconds
	double bandwidth;        // Mbit/s (1 Mbit/s = 125,000 bytes/s)
	uint64_t header;         // bytes added to every message that crosses the link
};

struct scale_remote {
	struct strlist domains;  // server domains placed on the remote host ("fs")
	double mhz;              // remote clock; 0 = the local profile's
	int64_t cores;
	int netmsgserver;        // 1: messages between hosts go through a user-level network message
	                         // server on each host (Mach's netmsgserver); 0: the kernel sends them
	int64_t protocol_instructions; // the transport protocol's instructions per message and side
};

enum scale_stop_rule { STOP_SIMGRID, STOP_XEN };
extern const char *const scale_stop_rule_names[];

struct scale_vm {
	uint64_t ram;            // bytes
	uint64_t working_set;    // bytes; 0 = 90% of ram (as sg_vm_create_migratable)
	double dirty_rate;       // MB/s (1e6 bytes/s) dirtied while the guest runs
	double migrate_at;       // ms of simulated time before the migration starts
	double timeout;          // s of simulated migration after which it is called non-converging
	int stop_rule;           // enum scale_stop_rule: SimGrid's plugin or Xen's xc_linux_save loop
	uint64_t state_bytes;    // xen: CPU and device state sent with the last round (VM paused)
};

// Scenario shootdown: an unmap of a page mapped on every core, made
// consistent by the initiator. Each protocol is one system's way: `ipi`
// (a monolithic kernel: an inter-processor interrupt to every other core,
// whose handler invalidates its TLB entry and acknowledges in a shared
// line; the initiator waits for every acknowledgement) or `messages` (a
// multikernel: the initiator's monitor sends a message on each per-core
// channel; each core's monitor, polling its channel, has its CPU driver
// unmap its replica and invalidate, and replies).
enum shootdown_protocol { SHOOT_IPI, SHOOT_MESSAGES };
extern const char *const shootdown_protocol_names[];
struct scale_shootdown {
	struct strlist protocols;   // ipi and/or messages, one run each
	double ipi_send;            // cycles the initiator spends per target to send an IPI
	double handler;             // cycles of the IPI handler around the invalidation (ipi)
	double monitor;             // cycles of a monitor's handling of one message, unmap included (messages)
};

struct scale_config {
	char name[64];
	char description[256];
	int scenario;                // enum scale_scenario
	char machine[64];            // profile name or path
	struct strlist archs;
	struct strlist workloads;
	struct strlist threads;      // server threads (integers as text), one run each
	struct strlist placements;   // remote: local and/or remote
	int64_t cores;               // local host cores
	int64_t clients;             // > 0: this many clients
	int64_t clients_per_core;    // else this many per core
	double think;                // mean think time between calls, unloaded call times
	int64_t seed;                // of the think times
	int64_t warmup_calls;        // unloaded call times before the window
	int64_t window_calls;        // measurement window, in unloaded call times
	struct scale_lock lock;
	struct scale_link link;
	struct scale_remote remote;
	struct scale_vm vm;
	struct scale_shootdown shootdown;
	int64_t model_warmup;        // run_point warm-up calls before the traced call
	struct strlist cfg;          // SimGrid options ("network/model:CM02")
	struct sweep_param sweep[SCALE_MAX_SWEEP];
	int nsweep;
	char path[512];
};

extern const struct field scale_schema[];

// Loads and checks a scale config (names resolved, sweep values checked).
// Returns 0 or -1 with err ("path:line:col: error: ...").
int scale_load(struct scale_config *c, const char *path, struct cfg_error *err);
void scale_free(struct scale_config *c);

// ---- the plan of one call: who executes what ----

struct scale_seg {
	int owner;          // -1: the client; else a server index
	int call;           // 1: entered by a call to owner; 0: by a return to it
	double pre, locked, post; // cycles before, under and after the lock
	double lock_lines;  // cache lines the locked cycles write: they move with the lock
	double sleep;       // seconds waiting for a device in this segment
	long bytes;         // message bytes carried into this segment
};

struct scale_plan {
	double cycles;      // the model's cycles per call (run_result.cycles)
	double app_cycles;  // the application's own work between calls (per call)
	int nseg;           // seg[0] and seg[nseg-1] are the client's
	struct scale_seg seg[SCALE_MAX_SEG];
	int nserver;
	char server[SCALE_MAX_SERVERS][NAME_LEN]; // their domain names
	// derived totals per call
	double client_cycles;
	double server_cycles[SCALE_MAX_SERVERS];
	double lock_cycles;
	double hop_cycles;  // one local message to or from a network message server (half the
	                    // architecture's ipc-pingpong round trip; 0: not computed)
};

// Builds the plan of one call of w under a on profile p (run_point with a
// trace, `warmup` calls first). lock_service/lock_cycles/lock_library: see
// scale_lock.
// svc is the service set a and w were loaded with (node indices are a's).
// Returns 0, or run_point's error code (-1, -2, -3) or -4 when the call has
// more than SCALE_MAX_SEG segments, SCALE_MAX_SERVERS servers or nests
// deeper than SCALE_MAX_DEPTH; the reason is in error.
int scale_plan_build(struct scale_plan *plan, const struct arch *a, const struct workload *w,
		     const struct service_set *svc, const struct profile *p, int warmup,
		     const char *lock_service, int64_t lock_cycles, int lock_library, char *error, size_t errlen);
// Recomputes the derived totals after a plan was edited by hand (tests).
void scale_plan_totals(struct scale_plan *plan);

// ---- one point ----

struct scale_point {
	int scenario;
	int arch, workload;        // indices into the config's lists
	int threads;               // server threads (0: the architecture has no server)
	int remote;                // 1: remote.domains run on the remote host
	double mhz, remote_mhz;
	int cores, remote_cores, clients;
	double think;              // mean think time in unloaded call times (exponential; 0: none)
	uint64_t seed;
	int warmup_calls, window_calls;
	double latency, bandwidth; // s, bytes/s
	long header;               // bytes added to each message crossing the link
	int server_remote[SCALE_MAX_SERVERS]; // per plan server: on the remote host
	uint64_t ram, working_set;
	double dirty_rate;         // bytes/s
	double migrate_at, timeout; // s
	int stop_rule;             // enum scale_stop_rule
	uint64_t state_bytes;
	int netmsg;                // messages between hosts go through a network message server per host
	double protocol_cycles;    // its protocol processing per message and side
	int lock_inodes;           // see scale_lock.inodes
	double line_transfer;      // cycles to move a modified cache line between cores (profile)
	double ipi;                // cycles of an inter-processor interrupt's delivery (profile)
	int protocol;              // shootdown: enum shootdown_protocol
	double sd_ipi_send, sd_handler, sd_monitor; // shootdown: the config's cycles
	double sd_invalidate;      // shootdown: one TLB entry invalidated (profile events.tlb_flush)
	double sd_trap;            // shootdown: a system call's hardware round trip (trap_enter + trap_exit)
	const char *sweep_values[SCALE_MAX_SWEEP];
	const struct scale_plan *plan;
};

struct scale_row {
	int ok;                    // 1: the child finished the point
	// cores, remote
	double throughput;         // calls/s over the window
	double p50, p99, mean;     // call latency, seconds
	long calls;                // calls completed in the window
	double bound;              // analytic upper bound on throughput, calls/s
	int bottleneck;            // -2 cores, -1 lock, >= 0 server index, -3 clients, -4 remote cores, -5 link
	double unloaded;           // seconds of one call without contention
	double server_util[SCALE_MAX_SERVERS]; // busy fraction of each server's threads
	double lock_util;          // fraction of the window the lock was held
	long request_bytes, reply_bytes; // bytes crossing the link per call (remote)
	double handover_cycles;    // mean cycles of a lock hand-over (line transfers), per acquisition
	double xcore_cycles;       // mean cycles per call of cross-core messages (IPI + line transfers)
	// shootdown
	double shoot_s;            // unmap until the initiator has every acknowledgement
	long shoot_ipis, shoot_messages, shoot_lines; // sent by the protocol, and lines moved
	// migrate
	double migration_s;        // sg_vm_migrate's duration (NaN: did not finish)
	double downtime_s;         // guest-observed pause: elapsed - work / speed
	double guest_rate;         // guest calls/s before the migration
	double calls_lost;         // downtime x guest_rate
	int converged;
	// the plugin's pre-copy algorithm replayed (scale_migration_predict)
	int rounds;
	double stage3_bytes, predicted_s, predicted_downtime_s;
};

// Runs one point in a forked child process (SimGrid initialised there with
// `simgrid_argv`: the program name then --cfg=... options). quiet: SimGrid's
// log threshold is critical. Returns 0, or -1 if the child failed (msg).
int scale_point_run(const struct scale_point *pt, char *const *simgrid_argv, int quiet,
		    struct scale_row *row, char *msg, size_t msglen);

// Cycles of one lock hand-over with `contenders` cores contending (the new
// holder included) when the critical section wrote `lock_lines` lines:
// line_transfer x ((contenders + 1) / 2 + lock_lines); 0 on the same core.
double scale_handover_cycles(int contenders, double lock_lines, double line_transfer, int same_core);

// SimGrid's timing precision (surf/precision, seconds) for the point: a
// thousandth of the shortest piece of work any actor executes (never coarser
// than SimGrid's default 1e-9 s). scale_point_run passes it to every child.
double scale_precision(const struct scale_point *pt);

// Checks SimGrid options in a child process; returns 0, or -1 with the
// reason SimGrid gave (one line) in msg.
int scale_check_cfg(char *const *simgrid_argv, char *msg, size_t msglen);

// SimGrid's live-migration algorithm (plugins/vm/VmLiveMigration.cpp, 3.32)
// replayed for a guest that runs without pause, on a link of one latency and
// bandwidth under CM02 without cross-traffic.
struct migration_prediction {
	int rounds;               // stage-2 rounds
	double stage1_s, stage2_s, stage3_s, total_s; // total includes the final ack
	double stage3_bytes;
	int converged;            // 0: still iterating after timeout_s
};
void scale_migration_predict(uint64_t ram, uint64_t working_set, double dirty_rate, double bandwidth,
			     double latency, double timeout_s, struct migration_prediction *out);

// Xen's pre-copy loop (tools/libxc/xc_linux_save.c, Xen 3.0, the code of
// Clark et al. NSDI 2005) as scale runs it: round 1 sends every page; each
// later round the pages dirtied while the previous one was sent; after a
// round it stops when that round sent more than the one before (the rate
// being at its maximum: the link's), fewer than 50 pages, 29 rounds have
// run, or more than 3x the guest's pages were sent in all. Then the VM is
// paused and the last dirty pages and state_bytes (CPU and device state)
// follow. Pages dirtied during t seconds of guest run: a writable working
// set of wws bytes whose pages are written at random at `dirty_rate`
// bytes/s, so rewrites of a dirty page add nothing:
// wws x (1 - exp(-dirty_rate x t / wws)), in whole 4 KiB pages.
// stage3_s is the downtime (the paused copy), total_s includes it.
#define XEN_MAX_ITERS 29   // xc_linux_save.c: DEF_MAX_ITERS, "limit us to 30 times round loop"
#define XEN_MAX_FACTOR 3   // DEF_MAX_FACTOR, "never send more than 3x p2m_size"
#define XEN_MIN_PAGES 50   // "sent_this_iter+skip_this_iter < 50"
double scale_wws_pages(double seconds, double dirty_rate, uint64_t wws);
void scale_migration_predict_xen(uint64_t ram, uint64_t wws, double dirty_rate, double bandwidth, double latency,
				 uint64_t state_bytes, struct migration_prediction *out);

// The command: osarch scale CONFIG.yaml [-o DIR] [--jobs N] [--verbose] [--cfg=K:V]...
int cmd_scale(int argc, char **argv);

#endif
