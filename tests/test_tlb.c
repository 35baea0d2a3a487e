// test_tlb.c: TLB tagging and flushing through the machine API
// (include/model/machine.h, models/machine.c).
//
// Rules under test (machine.h): a CR3 write flushes the TLB entries of other
// address spaces unless the profile has PCID; global (kernel) entries survive
// when the profile has global pages; entering another VM flushes unless the
// profile has VPID. Expected counts are derived by hand beside each assertion.
#include "testutil.h"

#include <math.h>
#include <string.h>
#include "machine.h"

// User pages (below kernel_base in both 32- and 64-bit layouts).
#define U 0x400000ull  // vpn 0x400
#define U2 0x800000ull // vpn 0x800, another page
// Kernel page of the 64-bit layout (kernel_base 0xffff800000000000).
#define K 0xffff800000200000ull

// A profile with every field that matters set here, whatever the defaults:
// 64-bit, cpi 1, split 32 KiB 8-way L1s (latency 3), 256 KiB 8-way L2
// (latency 10), no L3, DRAM 100; split 64-entry 4-way L1 TLBs, no second-level
// TLB, no page-walk cache, no PCID/global pages/VPID, walk overhead 0;
// every event free except cr3_write 7.
static void hand_profile(struct profile *p)
{
	profile_defaults(p);
	p->address_bits = 64;
	p->cpi = 1.0;
	p->page_size = 4096;
	p->phys_mem = 1ull << 32;
	p->l1_unified = 0;
	p->l1i = (struct cache_geom){1, 32 << 10, 8, 64, 3, REPL_LRU};
	p->l1d = p->l1i;
	p->l2 = (struct cache_geom){1, 256 << 10, 8, 64, 10, REPL_LRU};
	p->l3 = (struct cache_geom){0, 1 << 20, 16, 64, 30, REPL_LRU};
	p->dram_latency = 100;
	p->tlb_unified = 0;
	p->itlb = (struct tlb_geom){1, 64, 4, 0};
	p->dtlb = p->itlb;
	p->stlb = (struct tlb_geom){0, 512, 4, 7};
	p->global_pages = 0;
	p->pcid = 0;
	p->vtx = 1;
	p->ept = 1;
	p->vpid = 0;
	p->pwc = 0;
	p->walk_overhead = 0;
	memset(&p->ev, 0, sizeof p->ev);
	p->ev.cr3_write = 7;
}

static void load(struct machine *m, uint64_t va) { machine_load(m, va, 1); }
static void fetch(struct machine *m, uint64_t va) { machine_fetch(m, va, 1); }

// ---- CR3 writes without PCID ----

static void test_cr3_flushes_without_pcid(void **state)
{
	(void)state;
	struct profile p;
	struct machine m;
	hand_profile(&p);
	assert_int_equal(machine_init(&m, &p, 1), 0);

	load(&m, U);  // cold dTLB: miss, 4-level walk
	assert_int_equal(m.ctr.dtlb_misses, 1);
	assert_int_equal(m.ctr.walks, 1);
	assert_int_equal(m.ctr.walk_refs, 4); // 64-bit: 4 levels
	load(&m, U + 8); // same page: hit
	load(&m, U + 0x800); // same page, other line: hit
	assert_int_equal(m.ctr.dtlb_misses, 1);
	fetch(&m, U); // the iTLB is separate: its own miss
	assert_int_equal(m.ctr.itlb_misses, 1);
	assert_int_equal(m.ctr.dtlb_misses, 1);

	machine_write_cr3(&m, 1);
	assert_int_equal(m.ctr.cr3_writes, 1);
	assert_int_equal(m.ctr.tlb_flushes, 1);      // no PCID: flush
	assert_int_equal(m.ctr.events[EV_CR3_WRITE], 1);
	assert_true(fabs(m.ctr.cyc[CYC_EVENT] - 7) < 1e-9); // cr3_write cost 7
	assert_int_equal(m.space, 1);

	load(&m, U);  // flushed (and another space): miss
	assert_int_equal(m.ctr.dtlb_misses, 2);
	fetch(&m, U); // the iTLB was flushed as well
	assert_int_equal(m.ctr.itlb_misses, 2);

	machine_write_cr3(&m, 0);
	assert_int_equal(m.ctr.cr3_writes, 2);
	assert_int_equal(m.ctr.tlb_flushes, 2);
	load(&m, U);  // back in space 0: its old entry was flushed -> miss
	assert_int_equal(m.ctr.dtlb_misses, 3);

	// Writing the current space still flushes (machine.h).
	machine_write_cr3(&m, 0);
	assert_int_equal(m.ctr.tlb_flushes, 3);
	load(&m, U);
	assert_int_equal(m.ctr.dtlb_misses, 4);

	// 4 data misses + 2 instruction misses = 6 walks of 4 refs.
	assert_int_equal(m.ctr.walks, 6);
	assert_int_equal(m.ctr.walk_refs, 24);
	assert_int_equal(m.ctr.itlb_misses, 2);
	assert_int_equal(m.ctr.cr3_writes, 3);
	assert_int_equal(m.ctr.events[EV_CR3_WRITE], 3);
	assert_true(fabs(m.ctr.cyc[CYC_EVENT] - 21) < 1e-9); // 3 x 7
	machine_free(&m);
}

// ---- CR3 writes with PCID ----

static void test_cr3_keeps_entries_with_pcid(void **state)
{
	(void)state;
	struct profile p;
	struct machine m;
	hand_profile(&p);
	p.pcid = 1;
	assert_int_equal(machine_init(&m, &p, 1), 0);

	load(&m, U);   // space 0: dTLB miss 1
	fetch(&m, U2); // space 0: iTLB miss 1
	assert_int_equal(m.ctr.dtlb_misses, 1);
	assert_int_equal(m.ctr.itlb_misses, 1);

	machine_write_cr3(&m, 1);
	assert_int_equal(m.ctr.cr3_writes, 1);
	assert_int_equal(m.ctr.tlb_flushes, 0); // PCID: nothing flushed
	load(&m, U);   // space 1's U: another tag (ASID 1) -> miss 2
	assert_int_equal(m.ctr.dtlb_misses, 2);

	machine_write_cr3(&m, 0);
	assert_int_equal(m.ctr.cr3_writes, 2);
	assert_int_equal(m.ctr.tlb_flushes, 0);
	load(&m, U);   // space 0's entry survived: hit, still 2
	fetch(&m, U2); // iTLB entry survived: hit, still 1
	assert_int_equal(m.ctr.dtlb_misses, 2);
	assert_int_equal(m.ctr.itlb_misses, 1);

	machine_write_cr3(&m, 1);
	load(&m, U);   // space 1's entry survived too: hit
	assert_int_equal(m.ctr.dtlb_misses, 2);
	// No new misses means no new walks: 3 walks (2 data, 1 code) x 4 refs.
	assert_int_equal(m.ctr.walks, 3);
	assert_int_equal(m.ctr.walk_refs, 12);
	assert_int_equal(m.ctr.cr3_writes, 3);
	assert_int_equal(m.ctr.tlb_flushes, 0);

	// An explicit full flush still drops everything.
	machine_flush_tlb(&m, 0);
	assert_int_equal(m.ctr.tlb_flushes, 1);
	load(&m, U);
	assert_int_equal(m.ctr.dtlb_misses, 3);
	machine_free(&m);
}

// ---- global pages ----

static void test_global_pages_survive_cr3(void **state)
{
	(void)state;
	struct profile p;
	struct machine m;
	hand_profile(&p);
	p.global_pages = 1;
	assert_int_equal(machine_init(&m, &p, 2), 0);
	assert_true(machine_is_kernel(&m, K));  // K >= 0xffff800000000000
	assert_false(machine_is_kernel(&m, U));
	assert_true(machine_is_kernel(&m, m.kernel_base));
	assert_false(machine_is_kernel(&m, m.kernel_base - 1));

	load(&m, K);  // dTLB miss 1
	load(&m, U);  // dTLB miss 2
	fetch(&m, K); // iTLB miss 1
	machine_write_cr3(&m, 1);
	assert_int_equal(m.ctr.tlb_flushes, 1); // no PCID: flush, keeping globals
	load(&m, K);  // global entry survived: hit
	assert_int_equal(m.ctr.dtlb_misses, 2);
	fetch(&m, K); // also in the iTLB: hit
	assert_int_equal(m.ctr.itlb_misses, 1);
	load(&m, U);  // user entry flushed: miss 3
	assert_int_equal(m.ctr.dtlb_misses, 3);

	// A full flush (keep_global 0) drops global entries too.
	machine_flush_tlb(&m, 0);
	load(&m, K);
	assert_int_equal(m.ctr.dtlb_misses, 4);
	// ...and a flush keeping globals keeps them.
	machine_flush_tlb(&m, 1);
	load(&m, K);
	assert_int_equal(m.ctr.dtlb_misses, 4);
	assert_int_equal(m.ctr.tlb_flushes, 3);
	machine_free(&m);

	// Same sequence without global pages: K is flushed by the CR3 write.
	p.global_pages = 0;
	assert_int_equal(machine_init(&m, &p, 2), 0);
	load(&m, K);  // miss 1
	load(&m, U);  // miss 2
	fetch(&m, K); // iTLB miss 1
	machine_write_cr3(&m, 1);
	load(&m, K);  // flushed: miss 3
	assert_int_equal(m.ctr.dtlb_misses, 3);
	fetch(&m, K); // flushed: iTLB miss 2
	assert_int_equal(m.ctr.itlb_misses, 2);
	load(&m, U);  // miss 4
	assert_int_equal(m.ctr.dtlb_misses, 4);
	machine_free(&m);
}

// The 32-bit layout: kernel_base 0xc0000000, 2-level walks.
static void test_global_pages_32bit(void **state)
{
	(void)state;
	struct profile p;
	struct machine m;
	hand_profile(&p);
	p.address_bits = 32;
	p.global_pages = 1;
	assert_int_equal(machine_init(&m, &p, 3), 0);
	const uint64_t k32 = 0xc0100000ull, top_user = 0xbffff000ull;
	assert_true(machine_is_kernel(&m, k32));
	assert_true(machine_is_kernel(&m, 0xc0000000ull));
	assert_false(machine_is_kernel(&m, top_user));
	load(&m, k32);      // miss 1, walk of 2 refs
	load(&m, top_user); // miss 2, walk of 2 refs
	assert_int_equal(m.ctr.walk_refs, 4); // 2 walks x 2 levels
	machine_write_cr3(&m, 5);
	load(&m, k32);      // global: hit
	load(&m, top_user); // user (just below kernel_base): flushed, miss 3
	assert_int_equal(m.ctr.dtlb_misses, 3);
	assert_int_equal(m.ctr.walk_refs, 6);
	machine_free(&m);
}

// With PCID and global pages: nothing is flushed, both kinds survive.
static void test_pcid_and_global(void **state)
{
	(void)state;
	struct profile p;
	struct machine m;
	hand_profile(&p);
	p.pcid = 1;
	p.global_pages = 1;
	assert_int_equal(machine_init(&m, &p, 4), 0);
	load(&m, K);
	load(&m, U);
	machine_write_cr3(&m, 3);
	load(&m, K); // global entry: no ASID in its tag -> hit in space 3 too
	assert_int_equal(m.ctr.dtlb_misses, 2);
	load(&m, U); // space 3's U: ASID 3 differs -> miss
	assert_int_equal(m.ctr.dtlb_misses, 3);
	assert_int_equal(m.ctr.tlb_flushes, 0);
	machine_free(&m);

	// PCID without global pages: the kernel entry is tagged by ASID, so
	// space 3 misses on K, but going back to space 0 finds it.
	p.global_pages = 0;
	assert_int_equal(machine_init(&m, &p, 4), 0);
	load(&m, K);             // miss 1
	machine_write_cr3(&m, 3);
	load(&m, K);             // ASID 3: miss 2
	machine_write_cr3(&m, 0);
	load(&m, K);             // ASID 0 entry still there: hit
	assert_int_equal(m.ctr.dtlb_misses, 2);
	machine_free(&m);
}

// ---- VM switches ----

static void test_set_vm_flushes_without_vpid(void **state)
{
	(void)state;
	struct profile p;
	struct machine m;
	hand_profile(&p);
	p.global_pages = 1;
	assert_int_equal(machine_init(&m, &p, 5), 0);

	load(&m, U);  // host: miss 1
	load(&m, K);  // host kernel (global): miss 2
	machine_set_vm(&m, 1, 0);
	assert_int_equal(m.vm, 1);
	assert_int_equal(m.ctr.tlb_flushes, 1); // another VM, no VPID: flush
	load(&m, U);  // miss 3
	load(&m, K);  // global pages do not survive a VM switch: miss 4
	assert_int_equal(m.ctr.dtlb_misses, 4);

	machine_set_vm(&m, 1, 0); // same VM: no flush
	assert_int_equal(m.ctr.tlb_flushes, 1);
	load(&m, U);  // hit
	assert_int_equal(m.ctr.dtlb_misses, 4);

	machine_set_vm(&m, 0, 0); // back to the host: flush
	assert_int_equal(m.ctr.tlb_flushes, 2);
	load(&m, U);  // the host's old entry is gone: miss 5
	assert_int_equal(m.ctr.dtlb_misses, 5);
	assert_int_equal(m.ctr.cr3_writes, 0); // VM switches are not CR3 writes
	assert_int_equal(m.ctr.walks, 5);
	assert_int_equal(m.ctr.walk_refs, 20);
	machine_free(&m);
}

static void test_set_vm_keeps_entries_with_vpid(void **state)
{
	(void)state;
	struct profile p;
	struct machine m;
	hand_profile(&p);
	p.vpid = 1;
	assert_int_equal(machine_init(&m, &p, 5), 0);

	load(&m, U);  // host: miss 1
	fetch(&m, U); // host: iTLB miss 1
	machine_set_vm(&m, 1, 0);
	assert_int_equal(m.ctr.tlb_flushes, 0); // VPID: no flush
	load(&m, U);  // guest 1's U: tagged by VM 1 -> miss 2
	assert_int_equal(m.ctr.dtlb_misses, 2);

	machine_set_vm(&m, 0, 0);
	assert_int_equal(m.ctr.tlb_flushes, 0);
	load(&m, U);  // host entry survived: hit
	fetch(&m, U); // iTLB too
	assert_int_equal(m.ctr.dtlb_misses, 2);
	assert_int_equal(m.ctr.itlb_misses, 1);

	machine_set_vm(&m, 1, 0);
	load(&m, U);  // guest entry survived: hit
	assert_int_equal(m.ctr.dtlb_misses, 2);

	machine_set_vm(&m, 2, 0);
	load(&m, U);  // a third VM: its own tag, miss 3
	assert_int_equal(m.ctr.dtlb_misses, 3);
	assert_int_equal(m.ctr.walks, 4); // 3 data + 1 code
	assert_int_equal(m.ctr.tlb_flushes, 0);
	machine_free(&m);
}

// ---- second-level TLB ----

// dTLB 4 entries direct-mapped (set = vpn & 3), STLB 16 entries direct-mapped
// (set = vpn & 15), STLB latency 7. U (vpn 0x400) and V (vpn 0x404) share dTLB
// set 0 but sit in STLB sets 0 and 4.
static void test_stlb_hit_cost(void **state)
{
	(void)state;
	struct profile p;
	struct machine m;
	hand_profile(&p);
	p.dtlb = (struct tlb_geom){1, 4, 1, 0};
	p.stlb = (struct tlb_geom){1, 16, 1, 7};
	assert_int_equal(machine_init(&m, &p, 6), 0);
	const uint64_t V = 0x404000ull;

	load(&m, U);
	// dTLB miss, STLB miss, walk: 4 cold entries, each misses L1 and L2 (no
	// L3) -> 4 x 100 = 400.
	assert_int_equal(m.ctr.dtlb_misses, 1);
	assert_int_equal(m.ctr.stlb_misses, 1);
	assert_true(fabs(m.ctr.cyc[CYC_TLB] - 400) < 1e-9);

	load(&m, V);
	// dTLB miss (evicts U), STLB miss, walk. V shares every table with U:
	// levels 3..1 read the very same entries (indices from vpn >> 9 = 2,
	// equal for both) and the leaf entries are indices 0 and 4, bytes 0 and
	// 32 of one 64-byte line. So 4 L1 hits at l1d.latency 3 = 12.
	// (6 lines touched so far: 4 table lines + 2 data lines, fewer than the
	// 8 ways of any L1 set, so nothing was evicted.)
	assert_int_equal(m.ctr.dtlb_misses, 2);
	assert_int_equal(m.ctr.stlb_misses, 2);
	assert_true(fabs(m.ctr.cyc[CYC_TLB] - 412) < 1e-9); // 400 + 12

	load(&m, U);
	// dTLB miss (V evicted U from set 0), STLB hit: 7 cycles, no walk.
	assert_int_equal(m.ctr.dtlb_misses, 3);
	assert_int_equal(m.ctr.stlb_misses, 2);
	assert_int_equal(m.ctr.walks, 2);
	assert_int_equal(m.ctr.walk_refs, 8);
	assert_true(fabs(m.ctr.cyc[CYC_TLB] - 419) < 1e-9); // 412 + 7

	// A CR3 write (to the same space) flushes the STLB as well: the next
	// miss walks again, and the walk's 4 entries are all in L1: 4 x 3 = 12.
	machine_write_cr3(&m, 0);
	load(&m, V);
	assert_int_equal(m.ctr.dtlb_misses, 4);
	assert_int_equal(m.ctr.stlb_misses, 3);
	assert_int_equal(m.ctr.walks, 3);
	assert_true(fabs(m.ctr.cyc[CYC_TLB] - 431) < 1e-9); // 419 + 12
	machine_free(&m);
}

// ---- unified TLB ----

static void test_unified_tlb(void **state)
{
	(void)state;
	struct profile p;
	struct machine m;
	hand_profile(&p);
	p.tlb_unified = 1;
	assert_int_equal(machine_init(&m, &p, 7), 0);
	assert_ptr_equal(m.itlb, m.dtlb);
	fetch(&m, U); // one TLB: iTLB miss counted as such
	assert_int_equal(m.ctr.itlb_misses, 1);
	load(&m, U);  // the same entry serves data: hit
	assert_int_equal(m.ctr.dtlb_misses, 0);
	machine_write_cr3(&m, 1);
	assert_int_equal(m.ctr.tlb_flushes, 1);
	load(&m, U);  // flushed: miss
	assert_int_equal(m.ctr.dtlb_misses, 1);
	assert_int_equal(m.ctr.walks, 2);
	machine_free(&m);
}

// ---- address layout behind the tags ----

// Kernel addresses map the same in every space of a machine; user addresses
// get frames per space; another VM gets other kernel frames.
static void test_kernel_mapping_shared(void **state)
{
	(void)state;
	struct profile p;
	struct machine m;
	hand_profile(&p);
	assert_int_equal(machine_init(&m, &p, 8), 0);
	uint64_t k0 = machine_paddr(&m, K + 0x123);
	uint64_t u0 = machine_paddr(&m, U + 0x123);
	assert_int_equal(k0 & 0xfff, 0x123); // page offset kept
	assert_int_equal(u0 & 0xfff, 0x123);
	assert_true(k0 < p.phys_mem);        // frames drawn below phys_mem
	machine_write_cr3(&m, 1);
	assert_true(machine_paddr(&m, K + 0x123) == k0); // kernel: same frame
	// User pages: a hash of (space, page) into 2^20 frames; the frames of
	// spaces 0 and 1 differ (a collision would be a 1-in-2^20 accident of
	// this seed, and would show here).
	assert_true(machine_paddr(&m, U + 0x123) != u0);
	// A guest's kernel runs in the frames the same kernel would have natively
	// (frames depend on space and page, not on the VM: see map_space), so a
	// VM-versus-native comparison does not draw new page colours.
	machine_set_vm(&m, 1, 0);
	assert_true(machine_paddr(&m, K + 0x123) == k0);
	machine_set_vm(&m, 1, 1); // nested: an identity EPT for the data frame
	assert_true(machine_paddr(&m, K + 0x123) == k0);
	machine_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cr3_flushes_without_pcid),
		cmocka_unit_test(test_cr3_keeps_entries_with_pcid),
		cmocka_unit_test(test_global_pages_survive_cr3),
		cmocka_unit_test(test_global_pages_32bit),
		cmocka_unit_test(test_pcid_and_global),
		cmocka_unit_test(test_set_vm_flushes_without_vpid),
		cmocka_unit_test(test_set_vm_keeps_entries_with_vpid),
		cmocka_unit_test(test_stlb_hit_cost),
		cmocka_unit_test(test_unified_tlb),
		cmocka_unit_test(test_kernel_mapping_shared),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
