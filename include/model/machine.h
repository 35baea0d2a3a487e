// machine.h: the simulated x86: caches, TLBs, page walker and CPU cost model.
//
// It turns a stream of references and events into cycles and counters and
// knows nothing about operating systems: which address space is current and
// whether a reference is made from a guest is all it is told.
//
// Cost rules (the documented rules tests derive numbers from):
//  - An instruction costs `cpi` cycles when everything it touches hits L1.
//  - A load or fetch costs, beyond that, the latency of the level that holds
//    its line: 0 for L1, l2.latency, l3.latency, or dram_latency. A store
//    that misses fills the line and counts the miss but does not stall: it
//    retires into the write buffer (its TLB miss does stall).
//  - A reference first looks up its TLB (iTLB or dTLB): a hit is free; a miss
//    that hits the second-level TLB costs stlb.latency; otherwise a page walk
//    costs walk_overhead plus, for each page-table entry read, the latency of
//    the level that held the entry with an L1 hit costing l1d.latency (the
//    walk's reads are dependent, nothing hides them). Entry reads go through
//    the data caches and count as data misses there.
//  - Events (trap entry, CR3 write, VM exit ...) cost the profile's figure.
//  - A CR3 write flushes the TLB entries of other address spaces unless the
//    profile has PCID; entries of global (kernel) pages survive when the
//    profile has global pages.
//  - Every code or data range is one reference per cache line it covers.
//
// Address layout: virtual addresses at or above kernel_base are kernel
// addresses, mapped the same in every address space of one (virtual)
// machine. Physical frames are a seeded hash of (space, virtual page), so
// address spaces collide in the physically indexed caches only through the
// frames they happen to get, as on a real machine with no page colouring.
#ifndef OSARCH_MACHINE_H
#define OSARCH_MACHINE_H

#include <stdint.h>
#include "cache.h"
#include "profile.h"

enum mach_event {
	EV_TRAP_ENTER,
	EV_TRAP_EXIT,
	EV_EXCEPTION,
	EV_INTERRUPT,
	EV_CR3_WRITE,
	EV_TLB_FLUSH,
	EV_VMEXIT,
	EV_VMENTRY,
	EV_HYPERCALL,
	EV_RING_TRANSITION,
	EV__N
};

extern const char *const mach_event_names[EV__N];

// Where cycles went; total cycles = the sum.
enum cyc_kind {
	CYC_BASE,   // instructions x cpi
	CYC_IMISS,  // instruction-cache miss latency
	CYC_DMISS,  // data-cache miss latency
	CYC_TLB,    // second-level TLB hits and page walks
	CYC_EVENT,  // hardware cost of events
	CYC__N
};

struct counters {
	uint64_t instructions;
	double cyc[CYC__N];
	uint64_t irefs, drefs;
	uint64_t l1i_misses, l1d_misses, l2_misses, l3_misses, llc_misses;
	uint64_t itlb_misses, dtlb_misses, stlb_misses, walks, walk_refs;
	uint64_t cr3_writes, tlb_flushes;
	uint64_t line_transfers; // lines read from another core's cache (machine_line_transfer)
	uint64_t events[EV__N];
};

double counters_cycles(const struct counters *c);
// d = a - b, field by field
void counters_sub(struct counters *d, const struct counters *a, const struct counters *b);
void counters_add(struct counters *d, const struct counters *a);

// Distinct lines touched while tracking is on (footprint per call).
struct lineset {
	uint64_t *slot; // open addressing, 0 = empty (line numbers are stored +1)
	uint32_t cap;   // power of two
	uint32_t n;
	uint32_t n_i, n_d;
};

struct tlb {
	struct setassoc sa;
	uint32_t latency;
	uint64_t accesses, misses;
};

// Which kernel mappings the OS marks global (kept across CR3 writes when
// the profile has global pages): all of them (a kernel mapped in every
// space), its text only, or none (a kernel in a page table of its own:
// page-table isolation).
enum kernel_global { KGLOBAL_ALL = 0, KGLOBAL_TEXT, KGLOBAL_NONE };

struct machine {
	struct profile prof;
	struct cache l1i_store, l1d_store, l2_store, l3_store;
	struct cache *l1i, *l1d, *l2, *l3; // l1i == l1d when unified; l2/l3 NULL if absent
	struct tlb itlb_store, dtlb_store, stlb_store;
	struct tlb *itlb, *dtlb, *stlb;    // itlb == dtlb when unified; stlb NULL if absent
	struct setassoc pwc;               // page-walk cache of upper-level entries (if prof.pwc)
	uint64_t kernel_base;
	int kernel_global; // enum kernel_global: which kernel mappings carry the global bit (with PGE)
	uint32_t levels, bits_per_level, pte_bytes, page_shift;
	uint64_t frame_mask;
	uint64_t seed;
	uint32_t space;   // current address space (what CR3 points to)
	uint32_t seg;     // small address space entered by a segment switch (0: none)
	uint32_t vm;      // 0: the host; n > 0: guest n
	int nested;       // guest references translate through EPT/NPT (2-D walks)
	int no_global;    // kernel addresses are entered as non-global (the code running may not have global pages)
	int tracking;     // footprint tracking on
	struct lineset fp;
	struct counters ctr;
	// The last page translated by machine_paddr on each side and its frame:
	// code and data run along a page line by line, and hashing the page
	// for every line (frame_of: three mix64) was 14% of a sweep.
	struct frame_memo { uint64_t ns, vpn, frame; } memo[2];
	// The last one-line user reference on each side (0 data, 1 code): its
	// virtual line, the user space and VM it was made in, and the TLB tag
	// and physical line it resolved to. While the side's TLB and L1 still
	// hold those as their most recent entries (sa.last), the same line
	// again is a TLB hit and an L1 hit that change no replacement state:
	// refs() then only counts it. A trace reads 5-8 references per line
	// (replay's 66 M-line trace: 40% of its time in the full path).
	struct line_memo { uint64_t vline, user, vm, tlb_tag, pline; } line_memo[2];
};

// Builds a machine from a checked profile; 0 or -1 (bad geometry / no memory).
int machine_init(struct machine *m, const struct profile *p, uint64_t seed);
void machine_free(struct machine *m);
// machine_init for a machine that may be reused: when m was built before
// (and not freed) with the same geometry, it is reset to the state
// machine_init would give, without allocating or clearing whole arrays;
// otherwise it is freed and built anew. m must be zeroed before first use.
// A sweep worker keeps one machine for all its points this way.
int machine_prepare(struct machine *m, const struct profile *p, uint64_t seed);
// Cold caches and TLBs, counters zero, space 0, host.
void machine_reset(struct machine *m);
int machine_clone(struct machine *dst, const struct machine *src);

// Code: fetch every line of [va, va+bytes) as instruction references.
void machine_fetch(struct machine *m, uint64_t va, uint64_t bytes);
// Execute n instructions (base cycles only; their fetches are machine_fetch).
void machine_exec(struct machine *m, uint64_t n);
// Data: every line of [va, va+bytes).
void machine_load(struct machine *m, uint64_t va, uint64_t bytes);
void machine_store(struct machine *m, uint64_t va, uint64_t bytes);
// The rest of machine_ref_phys after its L1 lookup missed (or, with
// footprint tracking on, the whole reference).
uint32_t machine_ref_phys_slow(struct machine *m, uint64_t pa, int is_i, int l1_missed);

// One reference by physical address, no translation (trace-driven cache
// simulation, where the trace's addresses stand for physical ones); returns
// its stall. is_i: instruction side. Inline for its common case, an L1 hit
// with tracking off: out of line it ran at half the speed of cg_sim.c's
// plain LRU on a sequential stream (issue 19, `make bench`).
static inline uint32_t machine_ref_phys(struct machine *m, uint64_t pa, int is_i)
{
	if (m->tracking)
		return machine_ref_phys_slow(m, pa, is_i, 0);
	if (!cache_access(is_i ? m->l1i : m->l1d, pa))
		return machine_ref_phys_slow(m, pa, is_i, 1);
	if (is_i)
		m->ctr.irefs++;
	else
		m->ctr.drefs++;
	return 0;
}
// A hardware event: counts it and charges its cost.
void machine_event(struct machine *m, enum mach_event ev);
// CR3 write to `space`: charges EV_CR3_WRITE and flushes the TLBs as the
// profile's tagging rules say. Writing the current space still flushes
// (as on x86), which is why callers check before switching.
void machine_write_cr3(struct machine *m, uint32_t space);
// Enter (space != 0) or leave (0) a small address space: a segment switch
// that changes which space user addresses belong to without a CR3 write.
void machine_set_segment(struct machine *m, uint32_t space);
// A read of a line last written by another core: the profile's
// line_transfer cycles (as a data miss), counted in line_transfers.
void machine_line_transfer(struct machine *m);
// Which kernel mappings are global from now on (enum kernel_global); reset
// to KGLOBAL_ALL by machine_reset.
void machine_set_kernel_global(struct machine *m, int mode);
// Enter/leave a guest: references are then made in guest `vm`; with
// nested set, TLB misses walk guest and host tables (2-D).
void machine_set_vm(struct machine *m, uint32_t vm, int nested);
// The current space changed as part of a larger state switch (a VM entry
// loading the guest's CR3 from the VMCS): no CR3-write event, no flush.
void machine_set_space(struct machine *m, uint32_t space);
// References that follow enter kernel addresses as non-global TLB entries
// (on: a 64-bit Xen PV guest kernel, whose pages Xen never makes global).
void machine_set_no_global(struct machine *m, int on);
// Flush the whole TLB (no PCID/VPID survives this): e.g. a VM switch without VPID.
void machine_flush_tlb(struct machine *m, int keep_global);

void machine_track(struct machine *m, int on); // on: clears the set
uint32_t machine_footprint_i(const struct machine *m);
uint32_t machine_footprint_d(const struct machine *m);

// Translation helpers, exposed for tests.
uint64_t machine_paddr(const struct machine *m, uint64_t va);
int machine_is_kernel(const struct machine *m, uint64_t va);

#endif
