// osmodel.h: kernel services, protection domains, architectures, workloads.
//
// An architecture is a placement (service -> protection domain) and a set of
// transports (how a call crosses from one kind of domain to another). A
// transport is a list of primitive steps (trap, run code, copy a message,
// load an address space, leave the kernel ...). Walking a workload's call
// graph under an architecture inserts the transports; every count (traps,
// switches, messages, exits) is incremented by a primitive step, never by
// the name of an architecture.
#ifndef OSARCH_OSMODEL_H
#define OSARCH_OSMODEL_H

#include <stdint.h>
#include "yamlcfg.h"

#define NAME_LEN 40
#define MAX_SERVICES 32
#define MAX_OPS 24 // bits of sim.translated: at most 32
#define MAX_DATA 8
#define MAX_DOMAINS 16
#define MAX_TRANSPORTS 24
#define MAX_STEPS 32
#define MAX_RULES 32
#define MAX_NODES 128 // read-uring: 32 reads of 3 calls each under one io_uring_enter
#define MAX_PLACEMENT 64
#define MAX_SENS_FOR 8 // per-service exceptions to an architecture's sensitive transports
#define SVC_DATA_SPAN 0x10000ull // each service's data region in its domain (arch.c lays out, walk.c uses)

// ---- services (models/services.yaml, plus an architecture's own code) ----

// Sensitive operations a service's code performs natively; under a
// hypervisor the architecture maps each kind to a transport.
enum sensitive {
	SENS_PTE_WRITE,  // a page-table entry update
	SENS_CR3_WRITE,  // loading a page-table root (counted by the walker, not listed in ops)
	SENS_IO,         // an I/O port or MMIO access to a device register
	SENS_IRQ_MASK,   // cli/sti/popf: interrupt flag changes
	SENS_HLT,        // idle the CPU
	SENS_TLB_FLUSH,  // invlpg
	SENS_APIC,       // a local-APIC register access (the EOI write of an interrupt handler)
	SENS_SHADOW_MISS, // a reference to a page whose shadow entry the monitor discarded
	                 // (counted by the walker under a shadow=rebuild policy, not listed in ops)
	SENS__N
};
extern const char *const sensitive_names[SENS__N];

// The x86 instruction by which a guest kernel performs an osarch sensitive
// operation (configs/isa/x86-32.yaml: an instruction whose `sensitive_op` is
// that kind), for `osarch trace`: "mov-cr3", "invlpg", "out", "cli", "hlt".
// NULL for a kind that is no single instruction (a page-table write is an
// ordinary store to a write-protected page) or out of range. A static table,
// checked against the shipped file by tests/test_virtcheck.c
// (models/services.c: the walk names the instruction in a trace's `why`).
const char *sensitive_insn_of(int kind);

struct data_use {
	char name[NAME_LEN]; // structure name; same name in one service = same address
	uint32_t bytes;
	int store;           // written (else read)
	int fresh;           // a different page every invocation (a newly allocated page)
	uint32_t offset;     // resolved: offset in the service's data region
};

struct op {
	char name[NAME_LEN];
	uint32_t instructions;   // path length per invocation
	uint32_t code_bytes;     // text executed; 0 = instructions x profile insn_bytes
	struct data_use data[MAX_DATA];
	int ndata;
	uint32_t sensitive[SENS__N];
	char source[256];        // where the figures come from
	uint32_t code_off;       // resolved: offset of its code in the service's text
};

struct service {
	char name[NAME_LEN];
	char description[160];
	uint64_t text_bytes;     // the service's whole text (for TCB size), bytes
	char placed_with[NAME_LEN]; // an architecture that does not place it puts it with this service
	struct op ops[MAX_OPS];
	int nops;
};

struct service_set {
	struct service s[MAX_SERVICES];
	int n;
};

// ---- architectures (arch/*.yaml) ----

enum step_kind {
	STEP_TRAP,      // enter the kernel by system call, if in user mode (a trap)
	STEP_EXCEPTION, // enter the kernel by a fault, if in user mode (counted as a trap)
	STEP_INTERRUPT, // an external interrupt is taken (no trap)
	STEP_LEAVE,     // return to a user-mode domain (a mode switch, no trap)
	STEP_RUN,       // run a service operation's code and data where it is placed
	STEP_SPACE,     // make a domain's address space current (CR3 write unless unnecessary)
	STEP_COPY_IN,   // copy the message out of the sender (into a kernel buffer if via_kernel)
	STEP_COPY_OUT,  // copy the message into the receiver (from the kernel buffer if via_kernel)
	STEP_MESSAGE,   // count one IPC message
	STEP_IDLE,      // wait for the device (I/O time, no cycles)
	STEP_HYPERCALL, // guest kernel enters the hypervisor by hypercall
	STEP_VMEXIT,    // guest -> hypervisor by VM exit
	STEP_VMENTRY,   // hypervisor -> guest
	STEP_ENTER,     // move to a domain without a hardware event (e.g. monitor -> translated guest code)
	STEP_CALL,      // a procedure call or its return (into a library in the caller's space)
	STEP_HANDOFF,   // hand the work to a domain running on another core through shared
	                // memory (a polled ring): no trap, event or ring change on this core;
	                // the shared line moves between the cores (the profile's line_transfer)
	STEP_SCHEDULE,  // the hypervisor (or a hosted monitor's driver) switches to another domain's
	                // world: a domain switch, that domain's address space (and VM) loaded
	STEP_GRANT,     // count one grant-table operation (a page of one domain mapped or copied into another)
	STEP_HIDDEN_FAULT, // a fault the guest never sees, taken into the monitor (shadow fill, traced write)
	STEP_RELOAD_CR3, // CR3 written with another page table of the current space (Xen's switch between
	                // a 64-bit PV guest's kernel and user tables): flushes its non-global entries
	STEP_DISCARD_SHADOWS, // the monitor throws its shadow page tables away (shadow=rebuild)
	STEP_HANDLER,   // run the interrupt handler's work: the device node's calls, from here
	STEP__N
};
extern const char *const step_names[STEP__N];

enum step_target { TGT_DST, TGT_SRC, TGT_NAMED };

struct step {
	int kind;                 // enum step_kind
	int target;               // enum step_target
	int domain;               // TGT_NAMED: domain index
	int of;                   // TGT_NAMED: whose instance (TGT_DST, TGT_SRC; else the running process's)
	int service, op;          // STEP_RUN
	int in_dom;               // STEP_RUN with `in: DOMAIN`: run there, not where the service is placed (-1)
	char why[NAME_LEN];       // STEP_VMEXIT / STEP_HYPERCALL: the instruction or event
};

struct transport {
	char name[NAME_LEN];
	struct step call[MAX_STEPS];
	int ncall;
	struct step ret[MAX_STEPS];  // the reply; if nret < 0 the call steps with src/dst swapped
	int nret;
	int via_kernel;              // messages copied through a kernel buffer (two copies)
	int batch;                   // sensitive-operation transports: operations per crossing
	int event_idx;               // sensitive-operation transports: after one crossing, none
	                             // again until the guest idles or the call ends (a
	                             // virtqueue's notification suppression, VIRTIO_RING_F_EVENT_IDX)
	uint32_t register_bytes;     // messages up to this size travel in registers: no copy
};

enum ring { RING0 = 0, RING1 = 1, RING3 = 3 };

// Which of a kernel domain's mappings the OS marks global (`global:` of a
// domain): all (default), none, or its text only when the machine has no
// PCID (Linux's page-table isolation, arch/x86/mm/pti.c,
// pti_kernel_image_global_ok).
enum dom_global { DGLOBAL_ALL = 0, DGLOBAL_NONE, DGLOBAL_TEXT_WITHOUT_PCID };

struct domain {
	char name[NAME_LEN];
	int ring;                // 0, 1 or 3
	int vmx_root;            // 1: VMX root (the hypervisor), 0 otherwise
	int vm;                  // 0: the host; n: guest n
	int nested;              // guest with EPT/NPT
	char space[NAME_LEN];    // address-space name; "global" = mapped in every space
	int space_id;            // resolved: 0 global, 1.. per distinct name
	int small;               // L4 small space: entered without a CR3 write
	int global;              // kernel domains: enum dom_global, which of its mappings are global
	int per_process;         // one instance per process (the application's own domain)
	int hypervisor;          // the monitor itself: its sensitive operations are never intercepted
	int no_global;           // its kernel-address pages may not be global (a 64-bit PV guest kernel)
	int translator_svc, translator_op; // >= 0: code runs from a binary-translation cache
	                         // filled by this operation, once per 8 guest instructions
	uint64_t text_base, data_base; // resolved layout
};

// interrupt: an asynchronous interrupt taken while the caller runs (a timer
// tick, a packet), handled wherever its service is placed, then the caller resumes.
enum edge_kind { EDGE_CALL, EDGE_FAULT, EDGE_DEVICE, EDGE_INTERRUPT, EDGE__N };
extern const char *const edge_names[EDGE__N];

// A transport rule: for an edge kind, from a domain (or any of a ring class)
// to a domain (or ring class), use transport t.
struct rule {
	int kind;          // enum edge_kind
	char from[NAME_LEN], to[NAME_LEN]; // domain name, "user", "kernel", "same" or "*"
	int transport;     // index, -1 = plain call
};

struct arch {
	char name[NAME_LEN];
	char spec[200];          // what it was loaded as (name or path, with options)
	char auto_opt[NAME_LEN]; // an option not given whose default follows the profile's word size
	char description[256];
	char family[NAME_LEN];
	struct domain dom[MAX_DOMAINS];
	int ndom;
	// proc -1: any process; op -1: every operation of the service, else one
	// operation placed apart from its service ("mm.alloc: kernel"), with
	// its service's text and data laid out again in that domain (text_off,
	// data_off of the entry).
	struct { int service; int domain; int proc; int op; uint64_t text_off, data_off; } place[MAX_PLACEMENT];
	int nplace;
	struct transport tr[MAX_TRANSPORTS];
	int ntr;
	struct rule rules[MAX_RULES];
	int nrules;
	int sensitive[SENS__N];  // transport index per sensitive kind in a guest, -1 native
	// Exceptions to sensitive[] for one service or operation ("io@nic",
	// "io@nic.rx"): the device a driver talks to decides how its register
	// accesses leave the guest. op -1: every operation of the service.
	struct { int kind, service, op, transport; } sens_for[MAX_SENS_FOR];
	int nsens_for;
	struct service_set svc;  // the shared services plus the architecture's own
	int requires_vtx, requires_ept; // the machine must have VT-x / EPT
	int app_domain;          // where `app` and `peer` processes live
	int kernel_domain;       // traps land here unless a step names another domain
	int entry_service;       // the trap/interrupt entry code ("entry")
	// resolved layout: offsets of each service's text and data in its domain
	uint64_t text_off[MAX_SERVICES], data_off[MAX_SERVICES];
	// Once loaded (indexed set): each service's home domain, and whether
	// any placement names one of its processes or operations; placement_for
	// then answers without scanning place[] (the scans were 10% of a sweep).
	int indexed;
	int home[MAX_SERVICES];
	unsigned char special[MAX_SERVICES];
};

// ---- workloads (workloads/*.yaml) ----

// A device wait: a fixed time given in the workload, or the latency of one
// of the machine profile's devices (struct device_times in profile.h).
enum device_kind { DEV_FIXED, DEV_DISK, DEV_NIC, DEV__N };
extern const char *const device_names[DEV__N];

struct node {
	int service, op;     // what runs
	int parent;          // -1: a root call made by `from`
	int kind;            // enum edge_kind of the edge into this node
	uint32_t args;       // bytes passed in (message size on the call)
	uint32_t result;     // bytes passed back (message size on the reply)
	uint32_t copy_out;   // bytes the callee itself copies into the process's buffer
	int device;          // 1: this node is the device: the caller waits for it
	int device_kind;     // enum device_kind: whose latency (DEV_FIXED: device_usec_x100)
	uint32_t device_usec_x100; // DEV_FIXED latency, hundredths of a microsecond
	uint32_t repeat;     // the node (with its calls) runs this many times in a row (>= 1)
	char from[NAME_LEN]; // root calls: issuing process ("app" default, "peer", "child")
	char resume[NAME_LEN]; // root calls: process that runs when the call returns ("" = from)
	char proc[NAME_LEN];   // the process whose instance of a per-process domain runs it ("" = caller's)
	char svc_name[NAME_LEN], op_name[NAME_LEN]; // what runs, by name: the walker resolves it
	                       // against the architecture's own services (service/op index the shared set)
};

struct workload {
	char name[NAME_LEN];
	char description[256];
	struct node nodes[MAX_NODES]; // in call order (pre-order)
	int n;
	uint32_t app_ws;     // application data working set touched between calls, bytes
	uint32_t app_code;   // application code run between calls, bytes
};

// ---- loading ----

// Services file: models/services.yaml. Returns 0 or -1 with err.
int services_load(struct service_set *set, const char *path, struct cfg_error *err);
// One service body (description, text, ops) from a node.
int service_load_node(struct service *sv, const char *name, struct ydoc *d, yaml_node_t *node,
		      struct cfg_error *err);
// A `services:` mapping: appended to set, or replacing a service of the same name.
int services_load_node(struct service_set *set, struct ydoc *d, yaml_node_t *node,
		       struct cfg_error *err);
// Copies src's services into dst: only the services and operations src
// has (a set is 616 KB, its used part about a tenth); what lies past them
// in dst is never read (every service and op is cleared when it is added).
void services_copy(struct service_set *dst, const struct service_set *src);
int service_find(const struct service_set *set, const char *name);
int op_find(const struct service *s, const char *name);

// An architecture: name (arch/NAME.yaml) or path; `services` is the shared set.
int arch_load(struct arch *a, const char *name_or_path, const struct service_set *services,
	      struct cfg_error *err);
int arch_domain_find(const struct arch *a, const char *name);
// An architecture with an option whose default follows the profile
// (`default_from: word_bits`) and that was loaded without it: loads the
// variant for a machine of `word_bits` into out and returns 0; returns 1
// when a needs no variant (out untouched), -1 with err on failure.
int arch_for_profile(const struct arch *a, int word_bits, struct arch *out, struct cfg_error *err);
int placement_of(const struct arch *a, int service); // domain index, or -1
// The domain serving `service` for calls made on behalf of process `proc`
// (0 app, 1 peer, 2 child): a `service@process` placement wins.
int placement_for(const struct arch *a, int service, int proc);
// The domain running operation `op` of `service` for process `proc`: an
// operation's own placement wins over its service's.
int placement_op(const struct arch *a, int service, int op, int proc);
// Offsets of a service's text and data in domain `dom` (its home domain,
// or a domain one of its operations is placed in).
void arch_offsets(const struct arch *a, int service, int dom, uint64_t *text, uint64_t *data);
// The privileged code size: text of services placed in any kernel mode
// (rings 0-2, a guest kernel included, or VMX root); docs/model.md.
uint64_t arch_tcb_bytes(const struct arch *a);

int workload_load(struct workload *w, const char *name_or_path,
		  const struct service_set *services, struct cfg_error *err);

// Names found in a directory (sorted "*.yaml" stems): for lists and messages.
int list_names(const char *dir, struct strlist *out);
// The file of `name` in dir ("dir/name.yaml"), or name itself when it is a
// path; -1 with "path:1:1: error: unknown WHAT 'name' (expected one of: ...)"
// when dir has no such file.
int resolve_name(const char *dir, const char *name, const char *what, char *path, size_t n,
		 struct cfg_error *err);

#endif
