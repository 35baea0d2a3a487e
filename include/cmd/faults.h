// faults.h: an operating-system extension under faults (`osarch faults`).
//
// The same extension (a block-device driver, a packet filter) is added in
// several placements: a loadable kernel module, a user-level server with a
// restart service, a driver inside a paravirtualised guest, downloaded code
// in an exokernel's sandbox. A fault (a wild write, a null dereference, an
// infinite loop, a leak) is injected into it, and what is lost follows from
// the properties of the extension's protection domain as the architecture
// file places it (ring, address space, guest), plus the containment the
// configuration gives it (a restart service, a verifier, address checks, a
// step budget, a memory quota). Nothing is decided by the name of an
// architecture. What the isolation costs when nothing fails comes from the
// per-call model (run_point). See docs/extensions.md.
#ifndef OSARCH_FAULTS_H
#define OSARCH_FAULTS_H

#include <stdio.h>
#include "osmodel.h"
#include "profile.h"
#include "walk.h"
#include "yamlcfg.h"

// Fault kinds and how each is detected when nothing contains it earlier:
//   wild-write     a stray store (use after free, overflow): corrupt memory,
//                  caught by the MMU, address checks or Nooks' write
//                  protection when the domain is isolated, else not at all;
//   null-deref     a crash: the processor's exception;
//   infinite-loop  a hang (a deadlock, interrupts left off): a watchdog or a
//                  restart service's heartbeat;
//   leak           resources never freed: exhaustion;
//   corrupt-data   wrong data through its own interface (a wrong block, a bad
//                  length): no isolation catches it; lost silently;
//   dma-write      the device programmed with a wrong address: caught by an
//                  IOMMU, else memory anywhere is corrupt, whatever the ring.
enum fault_kind { FAULT_WILD_WRITE, FAULT_NULL_DEREF, FAULT_LOOP, FAULT_LEAK, FAULT_CORRUPT, FAULT_DMA, FAULT__N };
extern const char *const fault_names[FAULT__N + 1];

// What a fault takes down, from least to most.
enum fault_unit {
	UNIT_NONE,       // nothing: the code was rejected before it ran
	UNIT_INVOCATION, // the one invocation that went wrong
	UNIT_EXTENSION,  // the extension's protection domain (a server process, a sandbox)
	UNIT_GUEST,      // the guest operating system it runs in
	UNIT_MACHINE,    // the whole machine
	UNIT__N
};
extern const char *const fault_unit_names[UNIT__N + 1];

enum measure { MEASURE_CALL, MEASURE_DEVICE_EVENT };
extern const char *const measure_names[3];

#define FAULT_MAX_EXT 8
#define FAULT_MAX_PLACE 16

// Containment given to downloaded code.
struct sandbox {
	int verifier;          // load-time check: rejects unsafe memory accesses and unchecked pointers
	int bounded_loops;     // ... and loops it cannot bound
	int sfi;               // run-time address checks confine every access to the sandbox
	int64_t step_budget;   // the kernel aborts an invocation after this many steps (0: none)
	uint64_t memory_quota; // allocations charged to the extension (bytes, 0: none)
	double overhead;       // instructions the checks add, per instruction of the extension
	char source[240];
};

struct recovery_const {
	double ms;
	char source[320];
};

struct fault_consts {
	struct recovery_const machine_reboot;   // the whole machine boots again
	struct recovery_const guest_reboot;     // a guest boots again on a running hypervisor
	struct recovery_const server_restart;   // a restart service starts a fresh copy of a server
	struct recovery_const extension_reload; // the owner of sandboxed code loads it again
	struct recovery_const heartbeat;        // the restart service's heartbeat period
	struct recovery_const watchdog;         // a kernel lockup detector's timeout
	struct recovery_const nooks_recovery;   // Nooks' recovery manager unloads and reloads a driver
};

struct fault_scenario {
	int processes; // application processes per operating-system instance
	int guests;    // guests on the host (a machine failure under a hypervisor takes all)
	int inflight;  // requests queued at the extension when the fault hits
	int iommu;     // 1: DMA goes through an IOMMU that confines each device to its driver's buffers
};

struct fault_ext {
	char name[NAME_LEN];
	char description[200];
	char service[NAME_LEN];  // the service of models/services.yaml the extension is
	char workload[NAME_LEN]; // the per-call model of its cost
	int measure;             // enum measure
	int idempotent;          // its clients retry a request lost in a restart
	int dma;                 // it programs a device that writes memory by DMA
	char note[512];
};

struct fault_place {
	char name[NAME_LEN];
	char description[200];
	char arch[2 * NAME_LEN];      // with options
	char reference[2 * NAME_LEN]; // the same system with the extension unprotected (default monolithic)
	int restart;                  // a restart service watches the extension's server
	int nooks;                    // Nooks (Swift et al. SOSP 2003): a lightweight protection domain in
	                              // ring 0, kernel memory read-only to it, wrappers on every call,
	                              // its kernel objects tracked, a recovery manager
	char extensions[200];         // the extensions it applies to (space-separated; empty: all)
	struct sandbox sandbox;
	int has_sandbox;
};

struct fault_config {
	char name[64];
	char description[400];
	char machine[64];
	int warmup, reps;
	struct fault_scenario scenario;
	struct fault_consts consts;
	struct strlist fault_list;   // as written
	int faults[FAULT__N];        // resolved, in order
	int nfaults;
	double mix[FAULT__N];        // probability of each kind among an extension's faults
	int has_mix;
	char mix_source[600];
	struct fault_ext ext[FAULT_MAX_EXT];
	int next;
	struct fault_place place[FAULT_MAX_PLACE];
	int nplace;
	char path[512];
};

// Loads and checks a fault configuration (every architecture, workload,
// service and machine is resolved so that a bad one is reported at its line).
int fault_config_load(struct fault_config *c, const char *path, struct cfg_error *err);
void fault_config_free(struct fault_config *c);

// The properties of the extension's protection domain that decide what a
// fault takes down, read from the architecture (never from its name).
struct ext_domain {
	int domain;            // index in the architecture
	int ring;
	int supervisor;        // runs in a kernel ring (0-2)
	int own_space;         // an address space of its own (neither global nor a process's)
	int per_process;       // in a process's own domain (linked into the application)
	int vm;                // guest number, 0: the host
	int kernel_writable;   // its stores can reach a kernel's memory (it is one, or shares one's space)
	int others_in_domain;  // other services that share its domain (and its fate)
	int serves_apps;       // its domain holds a service the application calls directly
	int instance_services; // services of the operating-system instance it belongs to
	int all_services;      // every service of the system
	int apps_in_instance;  // the application processes run in that instance
	int has_guests;        // the system runs guests (a machine failure takes every guest)
	int under_hypervisor;  // a hypervisor runs below its domain: its OS instance is a domain the
	                       // hypervisor can restart alone (a guest, or a driver domain such as dom0)
};

// Returns 0, or -1 if the architecture does not place `service`.
// `w` (may be NULL) gives the application's direct callees (serves_apps).
int ext_domain_of(const struct arch *a, int service, const struct workload *w, struct ext_domain *out);

// What one fault costs.
struct fault_outcome {
	int unit;               // enum fault_unit
	const char *contained;  // what stopped it: verifier, address checks, step budget, memory quota,
	                        // mmu, preemption, hypervisor, nothing
	int apps_killed;
	int requests_lost, requests_retried;
	int services_lost;      // other services whose state is lost with it
	int services_stalled;   // its callers, which wait for the recovery
	double recovery_ms;     // simulated time until service resumes; -1: not without an operator
	const char *reboot;     // no, guest, machine
	const char *detection;  // how the fault is noticed: load-time check, exception, watchdog, heartbeat,
	                        // address check, write protection, iommu, exhaustion, not caught
	int function_lost;      // the extension's function is unavailable (it never loaded)
	char what[320];         // one line, no commas
};

// The outcome of `fault` in placement p of extension e, whose domain is d;
// `callers` services call it; `usec_per_step` is one step of a step budget.
void fault_outcome(const struct ext_domain *d, const struct fault_place *p, const struct fault_ext *e,
		   const struct fault_scenario *sc, const struct fault_consts *k, int fault, int callers,
		   double usec_per_step, struct fault_outcome *o);

// What the placement costs when nothing fails, from the per-call model.
struct isolation_cost {
	double cycles;         // per call (MEASURE_CALL) or per device event under the placement
	double ref_cycles;     // the same under the reference
	double sandbox_cycles; // what a sandbox's checks add
	double isolation;      // cycles + sandbox_cycles - ref_cycles
	double device_us;      // device time per call (io wait) under the placement
	double e2e_overhead;   // isolation / (reference cycles + device time in cycles): as Nooks and
	                       // MINIX 3 report it, end to end
	uint64_t ext_instructions; // the extension's instructions on the measured path
	struct os_counts os;   // per call (or event) under the placement
};

// Runs the workload under a and ref; returns 0, or -1 with why.
// The expected loss of one fault drawn from the mix: each outcome weighted
// by its kind's probability. recovery_ms counts outcomes that recover by
// themselves; p_manual is the probability that an operator must act.
struct expected_loss {
	double apps_killed, requests_lost, requests_retried, recovery_ms, p_manual, p_machine, p_silent;
	double p_function_lost; // the verifier refused it: the extension never loaded
};
void expected_loss_of(const struct fault_outcome o[FAULT__N], const double mix[FAULT__N], struct expected_loss *x);

int isolation_cost_of(const struct arch *a, const struct arch *ref, const struct workload *w,
		      const struct profile *p, const struct fault_ext *e, const struct fault_place *pl,
		      int warmup, int reps, struct isolation_cost *out, char *why, size_t whylen);

// Runs every (extension, placement, fault); writes DIR/results.csv and
// results.json (a temporary file then a rename each) and prints the tables
// to `table` (NULL: none). Returns 0, 1 internal failure, 2 bad input.
int faults_run(const struct fault_config *c, const char *outdir, FILE *table, struct cfg_error *err);

// `osarch faults CONFIG.yaml [-o DIR] [--quiet]` (argv[0] is "faults").
int faults_main(int argc, char **argv);

#endif
