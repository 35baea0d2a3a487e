// profile.h: a machine profile, the numbers that make a simulated x86.
//
// Profiles live in configs/machines/NAME.yaml. A profile may say
// `inherit: OTHER` to start from another profile's values (gem5's
// Parent.x idea). Every constant in a shipped profile has a source comment.
#ifndef OSARCH_PROFILE_H
#define OSARCH_PROFILE_H

#include <stdint.h>
#include "yamlcfg.h"

enum repl_policy { REPL_LRU, REPL_PLRU };

// The bounds of a cache's geometry, for machine profiles and for `osarch
// cachesim --I1/--D1/--LL` alike.
#define CACHE_SIZE_MIN 64ull
#define CACHE_SIZE_MAX (1ull << 30)
#define CACHE_ASSOC_MAX (1u << 24)
#define CACHE_LINE_MIN 4u
#define CACHE_LINE_MAX 4096u
// At most 2^24 lines (1G of 64-byte lines): the model keeps 8 bytes of tag per
// line, so 1G of 4-byte lines would be 2 GiB (found by fuzzing `cachesim`).
#define CACHE_LINES_MAX (1ull << 24)

struct cache_geom {
	int present;       // 0: this level does not exist (e.g. no L3)
	uint64_t size;     // bytes
	uint32_t assoc;    // ways; assoc == size/line means fully associative
	uint32_t line;     // bytes, power of two
	uint32_t latency;  // load-to-use cycles of a hit in this level
	int repl;          // enum repl_policy
};

struct tlb_geom {
	int present;
	uint32_t entries;
	uint32_t assoc;    // ways; entries/assoc sets
	uint32_t latency;  // extra cycles of a hit here after an L1 TLB miss (second-level TLB)
};

// Per-event costs in cycles: the hardware's own part of each event.
// The software around an event (entry stubs, handlers) is run as code
// through the caches and is not included here.
struct event_costs {
	uint32_t trap_enter;     // user->kernel by system-call instruction (int/syscall/sysenter)
	uint32_t trap_exit;      // kernel->user return (iret/sysret/sysexit)
	uint32_t exception;      // fault delivery (page fault) into the kernel
	uint32_t interrupt;      // external interrupt delivery
	uint32_t cr3_write;      // mov to cr3 itself, without the TLB refills that follow
	uint32_t tlb_flush;      // invlpg of one page
	uint32_t vmexit;         // VM exit (non-root -> root), hardware part
	uint32_t vmentry;        // VM entry (vmresume), hardware part
	uint32_t hypercall;      // trap into the hypervisor by a hypercall instruction/int
	uint32_t ring_transition; // far transfer between rings 1 and 0 (paravirtual guests)
};

// Device latencies: how long a caller waits for the device (not cycles; the
// interrupt that ends the wait and the wake-up are run as code by the walk).
struct device_times {
	double disk_usec;        // a 4 KiB read that misses every cache, request to completion
	double nic_usec;         // a small frame's round trip on the wire to a peer and back
};

struct profile {
	char name[64];
	char description[256];
	double mhz;               // clock, to convert cycles to microseconds
	int address_bits;         // 32 (2-level page tables) or 64 (4-level)
	int word_bits;            // 32 or 64: the mode operating systems run in (0: as address_bits)
	double cpi;               // base cycles per instruction when every access hits L1
	double insn_bytes;        // mean instruction length, bytes (code footprint from path length)
	uint32_t page_size;       // 4096
	uint64_t phys_mem;        // bytes of physical memory (frame numbers are drawn below it)
	int l1_unified;           // L1 is one cache for code and data (i486): l1d geometry used
	struct cache_geom l1i, l1d, l2, l3;
	uint32_t dram_latency;    // cycles for a miss in the last level
	int tlb_unified;          // one TLB for code and data (i486): dtlb geometry used
	struct tlb_geom itlb, dtlb, stlb;
	int global_pages;         // PGE: kernel (global) entries survive a CR3 write
	int pcid;                 // TLB entries tagged by address space: a CR3 write flushes nothing
	int vtx;                  // VMX present
	int ept;                  // nested paging present
	int vpid;                 // TLB entries tagged by VM
	int apicv;                // APIC virtualisation / posted interrupts: no exit on EOI and APIC accesses
	int pwc;                  // page-walk caches: upper-level entries cached (skip 1..levels-1 refs)
	uint32_t walk_overhead;   // fixed cycles of a page walk besides its memory references
	uint32_t line_transfer;   // a read of a line modified in another core's cache (0: not modelled)
	double sfi_overhead;      // software fault isolation: added instructions per instruction (0: not given)
	struct event_costs ev;
	struct device_times dev;  // YAML group `devices`
};

extern const struct field profile_schema[];

// Defaults: a plain single-core 64-bit machine; loaders start from these.
void profile_defaults(struct profile *p);

// Load NAME (looked up as configs/machines/NAME.yaml under `dir`) or a path
// ending in .yaml. Follows `inherit:`. Returns 0, or -1 with err set.
// (Additions:) p starts from profile_defaults(); on error p is unchanged.
// `dir` NULL means configs/machines; an argument with a '/' or ending in
// .yaml is a path. An unknown NAME is reported at 1:1 of the file looked for
// ("DIR/x.yaml:1:1: error: unknown machine profile 'x' (expected one of: a,
// b)"), like the other loaders, so a caller can relocate it to where the
// name was written. An inherited NAME is looked up next to the
// inheriting file, then in `dir`; an inherited path is relative to the
// inheriting file. At most 8 `inherit` hops; cycles are errors.
// In YAML the `ev` member is the group `events`; `inherit` is honoured only
// by profile_load (schema_load alone accepts and ignores it).
int profile_load(struct profile *p, const char *name_or_path, const char *dir,
		 struct cfg_error *err);

// Checks that the geometry is consistent (powers of two, assoc <= lines, ...).
// Returns 0, or -1 with err->msg saying which value is wrong.
int profile_check(const struct profile *p, struct cfg_error *err);

double profile_usec(const struct profile *p, double cycles);
// The word size operating systems run in: word_bits, or address_bits when unset.
int profile_word_bits(const struct profile *p);

#endif
