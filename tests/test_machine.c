// test_machine.c: the machine model's cost rules, page walks, clone,
// footprint and counters (include/model/machine.h, models/machine.c).
//
// Every expected number is derived by hand beside its assertion from the
// cost rules in the header comment of include/model/machine.h and the page-table
// layout of models/machine.c (pte_addr: the table at level L covering vpn is
// a frame named by vpn >> (bits * (L + 1)); its entry index is
// (vpn >> (bits * L)) masked to `bits` bits; the root table is per space).
#include "testutil.h"

#include <math.h>
#include <string.h>
#include "machine.h"

#define EPS 1e-9
#define assert_cycles(x, expected) assert_true(fabs((double)(x) - (double)(expected)) < EPS)

// A profile with every field that matters set here, whatever the defaults:
// 64-bit, cpi 1, split 32 KiB 8-way L1s (latency 3), 256 KiB 8-way L2
// (latency 10), no L3, DRAM 100; split 64-entry 4-way L1 TLBs, no
// second-level TLB, no page-walk cache, no PCID/global pages/VPID, walk
// overhead 0; every event free except trap_enter 50.
//
// With 8-way caches, a test that touches at most 8 distinct lines can never
// evict anything, whatever sets the hashed frames fall in.
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
	p->ev.trap_enter = 50;
}

// ---- the hierarchy ----

// Tiny direct-mapped levels with 64-byte lines, so that conflicts are chosen
// by address (machine_ref_phys: no translation):
//   L1d/L1i 256 B: 4 sets, set = line & 3      (latency 3)
//   L2     4 KiB: 64 sets, set = line & 63     (latency 10)
//   L3    16 KiB: 256 sets, set = line & 255   (latency 30)
// pa 0 = line 0, pa 256 = line 4, pa 4096 = line 64.
static void tiny_hierarchy(struct profile *p)
{
	hand_profile(p);
	p->l1i = (struct cache_geom){1, 256, 1, 64, 3, REPL_LRU};
	p->l1d = p->l1i;
	p->l2 = (struct cache_geom){1, 4096, 1, 64, 10, REPL_LRU};
	p->l3 = (struct cache_geom){1, 16384, 1, 64, 30, REPL_LRU};
}

static void test_miss_fills_every_level(void **state)
{
	(void)state;
	struct profile p;
	struct machine m;
	tiny_hierarchy(&p);
	assert_int_equal(machine_init(&m, &p, 1), 0);

	// Cold: misses L1, L2, L3; costs DRAM; fills all three.
	assert_int_equal(machine_ref_phys(&m, 0, 0), 100);
	assert_int_equal(m.ctr.l1d_misses, 1);
	assert_int_equal(m.ctr.l2_misses, 1);
	assert_int_equal(m.ctr.l3_misses, 1);
	assert_int_equal(m.ctr.llc_misses, 1);
	// Again: L1 hit, no stall.
	assert_int_equal(machine_ref_phys(&m, 0, 0), 0);
	// Line 4: L1 set 0 (evicts line 0 from L1 only), L2 set 4, L3 set 4: cold.
	assert_int_equal(machine_ref_phys(&m, 256, 0), 100);
	assert_int_equal(m.ctr.l1d_misses, 2);
	assert_int_equal(m.ctr.l2_misses, 2);
	// Line 0 again: L1 miss (conflict), L2 still has it (filled by the first
	// miss, untouched since): costs l2.latency.
	assert_int_equal(machine_ref_phys(&m, 0, 0), 10);
	assert_int_equal(m.ctr.l1d_misses, 3);
	assert_int_equal(m.ctr.l2_misses, 2); // no new L2 miss
	assert_int_equal(m.ctr.l3_misses, 2);
	// Line 64: L1 set 0 and L2 set 0 (evicts line 0 from both), L3 set 64.
	assert_int_equal(machine_ref_phys(&m, 4096, 0), 100);
	assert_int_equal(m.ctr.l2_misses, 3);
	assert_int_equal(m.ctr.l3_misses, 3);
	// Line 0: L1 miss, L2 miss (set 0 holds line 64), L3 hit: l3.latency.
	assert_int_equal(machine_ref_phys(&m, 0, 0), 30);
	assert_int_equal(m.ctr.l1d_misses, 5);
	assert_int_equal(m.ctr.l2_misses, 4);
	assert_int_equal(m.ctr.l3_misses, 3);
	assert_int_equal(m.ctr.llc_misses, 3);
	assert_int_equal(m.ctr.drefs, 6);
	assert_cycles(m.ctr.cyc[CYC_DMISS], 340); // 100+0+100+10+100+30
	// Per-level access counts: L1 saw 6, L2 the 5 L1 misses, L3 the 4 L2 misses.
	assert_int_equal(m.l1d->accesses, 6);
	assert_int_equal(m.l1d->misses, 5);
	assert_int_equal(m.l2->accesses, 5);
	assert_int_equal(m.l2->misses, 4);
	assert_int_equal(m.l3->accesses, 4);
	assert_int_equal(m.l3->misses, 3);

	// Instruction side: its own L1, the shared L2. Line 0 is in L2 (refilled
	// by the last reference), line 4 too (L2 set 4, untouched since).
	assert_int_equal(machine_ref_phys(&m, 0, 1), 10);
	assert_int_equal(machine_ref_phys(&m, 256, 1), 10); // L1i set 0: conflict
	assert_int_equal(machine_ref_phys(&m, 256, 1), 0);
	assert_int_equal(m.ctr.l1i_misses, 2);
	assert_int_equal(m.ctr.l1d_misses, 5); // unchanged
	assert_int_equal(m.ctr.irefs, 3);
	assert_cycles(m.ctr.cyc[CYC_IMISS], 20);
	machine_free(&m);

	// Unified L1: code finds the line data brought in.
	tiny_hierarchy(&p);
	p.l1_unified = 1;
	assert_int_equal(machine_init(&m, &p, 1), 0);
	assert_ptr_equal(m.l1i, m.l1d);
	assert_int_equal(machine_ref_phys(&m, 0, 0), 100);
	assert_int_equal(machine_ref_phys(&m, 0, 1), 0); // same L1: hit
	assert_int_equal(m.ctr.l1i_misses, 0);
	machine_free(&m);
}

// ---- page walks: memory references ----

static void test_walk_refs_64bit(void **state)
{
	(void)state;
	struct profile p;
	struct machine m;
	hand_profile(&p);
	assert_int_equal(machine_init(&m, &p, 1), 0);
	assert_int_equal(m.levels, 4);

	machine_load(&m, 0x400000, 1);
	// Cold TLB, no PWC: one walk of 4 entries, plus the data reference.
	assert_int_equal(m.ctr.walks, 1);
	assert_int_equal(m.ctr.walk_refs, 4);
	assert_int_equal(m.ctr.drefs, 1);
	assert_int_equal(m.ctr.dtlb_misses, 1);
	// The walk's reads go through L1d and count there: 4 + 1 cold misses.
	assert_int_equal(m.ctr.l1d_misses, 5);
	assert_int_equal(m.l1d->accesses, 5);

	machine_store(&m, 0x400040, 8); // same page, next line: no walk
	assert_int_equal(m.ctr.walk_refs, 4);
	assert_int_equal(m.ctr.drefs, 2);
	assert_int_equal(m.ctr.walks, 1);

	// 0x400f80 + 0x100 covers lines 0x400f80, 0x400fc0 (page 0x400, in the
	// TLB) and 0x401000, 0x401040 (page 0x401: one new walk).
	machine_load(&m, 0x400f80, 0x100);
	assert_int_equal(m.ctr.drefs, 6);     // 2 + 4 lines
	assert_int_equal(m.ctr.walks, 2);
	assert_int_equal(m.ctr.walk_refs, 8); // 4 + 4
	assert_int_equal(m.ctr.dtlb_misses, 2);

	// Code: its own TLB, its own walk of 4.
	machine_fetch(&m, 0x400000, 4);
	assert_int_equal(m.ctr.itlb_misses, 1);
	assert_int_equal(m.ctr.walk_refs, 12);
	assert_int_equal(m.ctr.irefs, 1);
	machine_free(&m);
}

static void test_walk_refs_32bit(void **state)
{
	(void)state;
	struct profile p;
	struct machine m;
	hand_profile(&p);
	p.address_bits = 32;
	assert_int_equal(machine_init(&m, &p, 1), 0);
	assert_int_equal(m.levels, 2);
	machine_load(&m, 0x400000, 1);
	assert_int_equal(m.ctr.walk_refs, 2); // 2-level tables
	assert_int_equal(m.ctr.drefs, 1);
	machine_load(&m, 0x400800, 1);        // same page
	assert_int_equal(m.ctr.walk_refs, 2);
	machine_load(&m, 0x401000, 1);        // next page
	assert_int_equal(m.ctr.walk_refs, 4);
	assert_int_equal(m.ctr.walks, 2);
	machine_free(&m);
}

// Page-walk cache: a hit on the leaf table (same 2 MiB region in 64-bit,
// same 4 MiB in 32-bit) reads the leaf entry only.
static void test_walk_refs_pwc(void **state)
{
	(void)state;
	struct profile p;
	struct machine m;
	hand_profile(&p);
	p.pwc = 1;
	assert_int_equal(machine_init(&m, &p, 1), 0);
	machine_load(&m, 0x400000, 1); // PWC cold: 4 refs
	assert_int_equal(m.ctr.walk_refs, 4);
	machine_load(&m, 0x401000, 1); // same 2 MiB region (va >> 21 = 2): 1 ref
	assert_int_equal(m.ctr.walk_refs, 5);
	machine_load(&m, 0x5ff000, 1); // last page of that region (0x5ff000 >> 21 = 2): 1
	assert_int_equal(m.ctr.walk_refs, 6);
	machine_load(&m, 0x600000, 1); // next region (>> 21 = 3): full walk, 4
	assert_int_equal(m.ctr.walk_refs, 10);
	machine_load(&m, 0x402000, 1); // region 2 still cached: 1
	assert_int_equal(m.ctr.walk_refs, 11);
	assert_int_equal(m.ctr.walks, 5);
	// A flushing CR3 write empties the PWC too: region 2 walks fully again.
	machine_write_cr3(&m, 0);
	machine_load(&m, 0x403000, 1);
	assert_int_equal(m.ctr.walk_refs, 15);
	machine_free(&m);

	// Same without PWC: every walk reads 4 entries.
	p.pwc = 0;
	assert_int_equal(machine_init(&m, &p, 1), 0);
	machine_load(&m, 0x400000, 1);
	machine_load(&m, 0x401000, 1);
	assert_int_equal(m.ctr.walk_refs, 8);
	machine_free(&m);

	// 32-bit with PWC: same 4 MiB region (va >> 22) -> 1 ref.
	p.pwc = 1;
	p.address_bits = 32;
	assert_int_equal(machine_init(&m, &p, 1), 0);
	machine_load(&m, 0x400000, 1); // 2 refs
	machine_load(&m, 0x7ff000, 1); // 0x7ff000 >> 22 = 1 = 0x400000 >> 22: 1 ref
	assert_int_equal(m.ctr.walk_refs, 3);
	machine_load(&m, 0x800000, 1); // region 2: 2 refs
	assert_int_equal(m.ctr.walk_refs, 5);
	machine_free(&m);
}

// Nested (2-D) walks: each guest entry's guest-physical address is translated
// through the 4-level EPT (4 refs) before it is read (1 ref), and the final
// guest-physical frame is translated too (4 refs):
//   guest levels g: g * (4 + 1) + 4.
static void test_nested_walk_refs(void **state)
{
	(void)state;
	struct profile p;
	struct machine m;
	hand_profile(&p);
	assert_int_equal(machine_init(&m, &p, 1), 0);
	machine_set_vm(&m, 1, 1);
	assert_int_equal(m.nested, 1);
	machine_load(&m, 0x400000, 1);
	assert_int_equal(m.ctr.walk_refs, 24); // 4 x (4 + 1) + 4
	assert_int_equal(m.ctr.walks, 1);      // one (2-D) walk
	assert_int_equal(m.ctr.drefs, 1);
	machine_load(&m, 0x400100, 1);         // same page: TLB hit, no walk
	assert_int_equal(m.ctr.walk_refs, 24);
	machine_load(&m, 0x401000, 1);         // next page, no PWC: another 24
	assert_int_equal(m.ctr.walk_refs, 48);
	machine_free(&m);

	// 32-bit guest: 2 guest levels, EPT still 4: 2 x 5 + 4 = 14.
	p.address_bits = 32;
	assert_int_equal(machine_init(&m, &p, 1), 0);
	machine_set_vm(&m, 1, 1);
	machine_load(&m, 0x400000, 1);
	assert_int_equal(m.ctr.walk_refs, 14);
	machine_free(&m);

	// A guest without nested paging (shadow tables): a 1-D walk, 4 refs.
	p.address_bits = 64;
	assert_int_equal(machine_init(&m, &p, 1), 0);
	machine_set_vm(&m, 1, 0);
	machine_load(&m, 0x400000, 1);
	assert_int_equal(m.ctr.walk_refs, 4);
	machine_free(&m);
}

// ---- cycles ----

// exec 10 + one load to a cold line in a cold page + trap_enter.
//   base: 10 x cpi 1                                   =  10
//   TLB:  dTLB miss, no STLB, walk: overhead 0 + 4 entry reads, each in
//         a table page never touched: L1 miss, L2 miss, no L3 -> 4 x 100 = 400
//   data: the line is cold: DRAM                       = 100
//   event: trap_enter                                  =  50
//   total                                              = 560
static void test_cycles_tiny_stream(void **state)
{
	(void)state;
	struct profile p;
	struct machine m;
	hand_profile(&p);
	assert_int_equal(machine_init(&m, &p, 1), 0);
	machine_exec(&m, 10);
	machine_load(&m, 0x400000, 8);
	machine_event(&m, EV_TRAP_ENTER);
	assert_cycles(m.ctr.cyc[CYC_BASE], 10);
	assert_cycles(m.ctr.cyc[CYC_TLB], 400);
	assert_cycles(m.ctr.cyc[CYC_DMISS], 100);
	assert_cycles(m.ctr.cyc[CYC_IMISS], 0);
	assert_cycles(m.ctr.cyc[CYC_EVENT], 50);
	assert_cycles(counters_cycles(&m.ctr), 560);
	assert_int_equal(m.ctr.instructions, 10);
	assert_int_equal(m.ctr.events[EV_TRAP_ENTER], 1);
	assert_int_equal(m.ctr.l1d_misses, 5);  // 4 walk + 1 data
	assert_int_equal(m.ctr.l2_misses, 5);
	assert_int_equal(m.ctr.llc_misses, 5);  // no L3: L2 is the last level
	assert_int_equal(m.ctr.l3_misses, 0);

	// Continue: the same line again costs nothing beyond cpi; another line of
	// the same page needs no walk but is cold: 100.
	machine_exec(&m, 5);             // +5
	machine_load(&m, 0x400000, 8);   // TLB hit, L1 hit: +0
	machine_load(&m, 0x400040, 8);   // TLB hit, cold line: +100
	assert_cycles(counters_cycles(&m.ctr), 665); // 560 + 5 + 0 + 100
	// Next page, same leaf table: the walk reads the same 3 upper entries and
	// the leaf entry at index 1 (byte 8), in the line of index 0 (byte 0):
	// 4 L1 hits at l1d.latency 3 = 12; the data line is cold: 100.
	// (Lines so far: 4 table + 2 data; with this one 7 <= 8 ways: no evictions.)
	machine_load(&m, 0x401000, 8);
	assert_cycles(m.ctr.cyc[CYC_TLB], 412);      // 400 + 12
	assert_cycles(counters_cycles(&m.ctr), 777); // 665 + 12 + 100
	machine_free(&m);

	// The same first stream on a 32-bit profile: a 2-entry walk:
	// 10 + 2 x 100 + 100 + 50 = 360.
	p.address_bits = 32;
	assert_int_equal(machine_init(&m, &p, 1), 0);
	machine_exec(&m, 10);
	machine_load(&m, 0x400000, 8);
	machine_event(&m, EV_TRAP_ENTER);
	assert_cycles(counters_cycles(&m.ctr), 360);
	machine_free(&m);

	// cpi 2.5: base cycles scale, 10 x 2.5 = 25 -> 575.
	p.address_bits = 64;
	p.cpi = 2.5;
	assert_int_equal(machine_init(&m, &p, 1), 0);
	machine_exec(&m, 10);
	machine_load(&m, 0x400000, 8);
	machine_event(&m, EV_TRAP_ENTER);
	assert_cycles(counters_cycles(&m.ctr), 575);
	machine_free(&m);
}

// A fetch and a load in neighbouring 2 MiB regions: the second walk shares
// the upper tables with the first.
//   exec 10                                                     base    10
//   fetch 0x400000 (16 B, one line): iTLB miss, walk of 4 cold
//     entries, 4 x 100 = 400 (through L1d); code line cold: 100  TLB 400, imiss 100
//   load 0x600000 (8 B): dTLB miss, walk (vpn 0x600 vs 0x400):
//     level 3: root table, index vpn >> 27 = 0 for both: same entry, L1d hit   3
//     level 2: table of vpn >> 27 = 0, index (vpn >> 18) & 511 = 0: same       3
//     level 1: table of vpn >> 18 = 0, indices 3 and 2 (bytes 24, 16): one line 3
//     level 0: table of vpn >> 9 = 3, not 2: a new table, cold             100
//     = 109; data line cold: 100                               TLB 109, dmiss 100
//   trap_enter                                                  event   50
//   total 10 + 400 + 100 + 109 + 100 + 50 = 769
// (7 distinct lines touched: no evictions in the 8-way caches.)
// With walk_overhead 20, each of the 2 walks costs 20 more: 809.
static void test_cycles_fetch_and_load(void **state)
{
	(void)state;
	struct profile p;
	struct machine m;
	for (int ovh = 0; ovh <= 20; ovh += 20) {
		hand_profile(&p);
		p.walk_overhead = (uint32_t)ovh;
		assert_int_equal(machine_init(&m, &p, 9), 0);
		machine_exec(&m, 10);
		machine_fetch(&m, 0x400000, 16);
		machine_load(&m, 0x600000, 8);
		machine_event(&m, EV_TRAP_ENTER);
		assert_cycles(m.ctr.cyc[CYC_BASE], 10);
		assert_cycles(m.ctr.cyc[CYC_IMISS], 100);
		assert_cycles(m.ctr.cyc[CYC_DMISS], 100);
		assert_cycles(m.ctr.cyc[CYC_TLB], 509 + 2 * ovh); // 400 + 109 (+ 2 x overhead)
		assert_cycles(m.ctr.cyc[CYC_EVENT], 50);
		assert_cycles(counters_cycles(&m.ctr), 769 + 2 * ovh);
		assert_int_equal(m.ctr.walk_refs, 8);
		assert_int_equal(m.ctr.l1d_misses, 6); // 4 + 1 walk, 1 data
		assert_int_equal(m.ctr.l1i_misses, 1);
		assert_int_equal(m.ctr.l2_misses, 7);
		assert_int_equal(m.ctr.itlb_misses, 1);
		assert_int_equal(m.ctr.dtlb_misses, 1);
		machine_free(&m);
	}
}

// ---- clone ----

struct rng { uint64_t s; };
static uint64_t rnd(struct rng *r)
{
	r->s = r->s * 6364136223846793005ull + 1442695040888963407ull;
	return r->s >> 33;
}

// One pseudo-random operation: references over 40 user pages and 8 kernel
// pages (hits and misses both), instructions, events, CR3 writes, VM switches.
static void random_op(struct machine *m, uint64_t x)
{
	uint64_t page = (x >> 8) % 48;
	uint64_t va = page < 40 ? 0x10000000ull + page * 4096 : 0xffff800000100000ull + page * 4096;
	va += (x >> 16) % 4096;
	uint64_t len = 1 + (x >> 28) % 200;
	switch (x % 16) {
	case 0: case 1: case 2: case 3: machine_fetch(m, va, len); break;
	case 4: case 5: case 6: case 7: case 8: machine_load(m, va, len); break;
	case 9: case 10: machine_store(m, va, len); break;
	case 11: machine_exec(m, len); break;
	case 12: machine_event(m, (enum mach_event)((x >> 4) % EV__N)); break;
	case 13: machine_write_cr3(m, (uint32_t)((x >> 4) % 3)); break;
	case 14: machine_set_vm(m, (uint32_t)((x >> 4) % 2), (int)((x >> 5) & 1)); break;
	default: machine_ref_phys(m, (x >> 4) % (1u << 22), (int)((x >> 3) & 1)); break;
	}
}

static void clone_case(const struct profile *p)
{
	struct machine m, c;
	struct rng r = {42};
	assert_int_equal(machine_init(&m, p, 11), 0);
	machine_track(&m, 1);
	for (int i = 0; i < 3000; i++)
		random_op(&m, rnd(&r));
	assert_int_equal(machine_clone(&c, &m), 0);
	// Every owned array is the clone's own.
	assert_true(c.l1d != m.l1d && c.l1d == &c.l1d_store);
	assert_true(c.l1d_store.sa.tag != m.l1d_store.sa.tag);
	assert_true(c.dtlb_store.sa.tag != m.dtlb_store.sa.tag);
	assert_true(c.fp.slot != m.fp.slot);
	assert_true((m.l1i == m.l1d) == (c.l1i == c.l1d));
	assert_true((m.itlb == m.dtlb) == (c.itlb == c.dtlb));
	assert_memory_equal(&c.ctr, &m.ctr, sizeof m.ctr);
	assert_int_equal(c.space, m.space);
	assert_int_equal(c.vm, m.vm);
	assert_int_equal(c.nested, m.nested);

	// Identical behaviour: the same ops, interleaved one by one. Were any
	// cache, TLB or PWC shared, the second of each pair would hit where the
	// first missed and the counters would part.
	for (int i = 0; i < 3000; i++) {
		uint64_t x = rnd(&r);
		random_op(&m, x);
		random_op(&c, x);
	}
	assert_memory_equal(&c.ctr, &m.ctr, sizeof m.ctr);
	assert_int_equal(machine_footprint_i(&c), machine_footprint_i(&m));
	assert_int_equal(machine_footprint_d(&c), machine_footprint_d(&m));
	// The stream is not trivial: it both hit and missed at each level.
	assert_true(m.ctr.l1d_misses > 0 && m.ctr.l1d_misses < m.ctr.drefs + m.ctr.walk_refs);
	assert_true(m.ctr.l1i_misses > 0 && m.ctr.l1i_misses < m.ctr.irefs);
	assert_true(m.ctr.dtlb_misses > 0 && m.ctr.walks > 0);

	// Independence: a stream on the clone leaves the original as it was...
	struct counters before = m.ctr, cbefore = c.ctr;
	uint32_t fp_d = machine_footprint_d(&m);
	struct rng r2 = r;
	for (int i = 0; i < 2000; i++)
		random_op(&c, rnd(&r2));
	assert_memory_equal(&m.ctr, &before, sizeof before);
	assert_int_equal(machine_footprint_d(&m), fp_d);
	// ...and the original then runs it exactly as the clone did from the
	// same state (a warmed shared cache would give it fewer misses).
	for (int i = 0; i < 2000; i++)
		random_op(&m, rnd(&r));
	struct counters dm, dc;
	counters_sub(&dm, &m.ctr, &before);
	counters_sub(&dc, &c.ctr, &cbefore);
	assert_memory_equal(&dm, &dc, sizeof dm);
	assert_true(dm.l1d_misses > 0);

	// The clone outlives the original (valgrind: no shared memory).
	machine_free(&m);
	for (int i = 0; i < 500; i++)
		random_op(&c, rnd(&r));
	machine_free(&c);
}

static void test_clone(void **state)
{
	(void)state;
	struct profile p;
	hand_profile(&p);
	clone_case(&p);
	// Every optional part present: L3, STLB, PWC, PCID, global pages, VPID.
	p.l3.present = 1;
	p.stlb.present = 1;
	p.pwc = 1;
	p.pcid = 1;
	p.global_pages = 1;
	p.vpid = 1;
	clone_case(&p);
	// Unified L1 and TLB (the i486 shape), 32-bit.
	hand_profile(&p);
	p.l1_unified = 1;
	p.tlb_unified = 1;
	p.address_bits = 32;
	clone_case(&p);
}

// ---- footprint ----

static void test_footprint_warm_tlb(void **state)
{
	(void)state;
	struct profile p;
	struct machine m;
	hand_profile(&p);
	assert_int_equal(machine_init(&m, &p, 1), 0);
	// Warm both TLBs for the code page 0x400000 and the data page 0x401000.
	machine_fetch(&m, 0x400000, 1);
	machine_load(&m, 0x401000, 1);
	uint64_t walk_refs = m.ctr.walk_refs;
	assert_int_equal(walk_refs, 8);

	machine_track(&m, 1);
	machine_fetch(&m, 0x400000, 192); // lines 0x400000, 0x400040, 0x400080
	machine_fetch(&m, 0x400040, 4);   // again: no new line
	machine_load(&m, 0x401000, 8);    // data line 0x401000
	machine_load(&m, 0x401040, 8);    // data line 0x401040
	machine_store(&m, 0x401004, 4);   // line 0x401000 again
	assert_int_equal(m.ctr.walk_refs, walk_refs); // warm TLB: no walk lines
	assert_int_equal(machine_footprint_i(&m), 3);
	assert_int_equal(machine_footprint_d(&m), 2);

	// Tracking off: nothing counted.
	machine_track(&m, 0);
	machine_load(&m, 0x401080, 8);
	assert_int_equal(machine_footprint_d(&m), 2);
	// Tracking on again: cleared.
	machine_track(&m, 1);
	assert_int_equal(machine_footprint_i(&m), 0);
	assert_int_equal(machine_footprint_d(&m), 0);
	machine_load(&m, 0x401080, 8);
	assert_int_equal(machine_footprint_d(&m), 1);
	machine_free(&m);
}

// Cold TLB: the walk's entry reads are data lines.
//   load 0x401000, 128 B: data lines 0x401000, 0x401040 (2) + a walk of 4
//     entries in 4 distinct table pages (4 lines)                     d = 6
//   fetch 0x400000, 192 B: code lines 3 (i = 3) + an iTLB walk. vpn 0x400
//     and 0x401 share every table: upper entries identical, leaf entries
//     index 0 and 1 (bytes 0 and 8) in one line: no new data line     d = 6
//   load 0x400000, 1 B: the code line's page, now as data: a data line
//     (counted apart from the code line) + a dTLB walk over the same 4
//     table lines                                                     d = 7
static void test_footprint_cold_tlb(void **state)
{
	(void)state;
	struct profile p;
	struct machine m;
	hand_profile(&p);
	assert_int_equal(machine_init(&m, &p, 1), 0);
	machine_track(&m, 1);
	machine_load(&m, 0x401000, 128);
	assert_int_equal(machine_footprint_d(&m), 6);
	assert_int_equal(machine_footprint_i(&m), 0);
	machine_fetch(&m, 0x400000, 192);
	assert_int_equal(machine_footprint_i(&m), 3);
	assert_int_equal(machine_footprint_d(&m), 6);
	machine_load(&m, 0x400000, 1);
	assert_int_equal(machine_footprint_d(&m), 7);
	assert_int_equal(machine_footprint_i(&m), 3);
	assert_int_equal(m.ctr.walk_refs, 12); // 3 walks x 4
	machine_free(&m);
}

// The line set grows past its initial 4096 slots without losing count.
static void test_footprint_many_lines(void **state)
{
	(void)state;
	struct profile p;
	struct machine m;
	hand_profile(&p);
	assert_int_equal(machine_init(&m, &p, 1), 0);
	machine_track(&m, 1);
	for (uint64_t i = 0; i < 5000; i++)
		machine_ref_phys(&m, i * 64, 0); // 5000 distinct data lines
	assert_int_equal(machine_footprint_d(&m), 5000);
	for (uint64_t i = 0; i < 5000; i++)
		machine_ref_phys(&m, i * 64 + 8, 0); // the same lines again
	assert_int_equal(machine_footprint_d(&m), 5000);
	for (uint64_t i = 0; i < 3000; i++)
		machine_ref_phys(&m, i * 64, 1); // 3000 code lines (same addresses)
	assert_int_equal(machine_footprint_i(&m), 3000);
	assert_int_equal(machine_footprint_d(&m), 5000);
	machine_free(&m);
}

// ---- counters ----

static void test_counters_sub_add(void **state)
{
	(void)state;
	struct counters a, b, d, zero;
	memset(&a, 0, sizeof a);
	memset(&zero, 0, sizeof zero);
	// Fill every u64 field of a with 1000 + 10 k and of b with k (k = its
	// position), cycles with 100.5 + k and k.
	uint64_t *fields[] = {
		&a.instructions, &a.irefs, &a.drefs, &a.l1i_misses, &a.l1d_misses, &a.l2_misses,
		&a.l3_misses, &a.llc_misses, &a.itlb_misses, &a.dtlb_misses, &a.stlb_misses,
		&a.walks, &a.walk_refs, &a.cr3_writes, &a.tlb_flushes,
	};
	const int nf = (int)(sizeof fields / sizeof fields[0]);
	for (int k = 0; k < nf; k++)
		*fields[k] = 1000 + 10 * (uint64_t)k;
	for (int k = 0; k < CYC__N; k++)
		a.cyc[k] = 100.5 + k;
	for (int k = 0; k < EV__N; k++)
		a.events[k] = 500 + (uint64_t)k;
	memset(&b, 0, sizeof b);
	for (int k = 0; k < nf; k++)
		*(uint64_t *)((char *)&b + ((char *)fields[k] - (char *)&a)) = (uint64_t)k;
	for (int k = 0; k < CYC__N; k++)
		b.cyc[k] = k;
	for (int k = 0; k < EV__N; k++)
		b.events[k] = (uint64_t)k * 2;

	counters_sub(&d, &a, &b);
	for (int k = 0; k < nf; k++) {
		uint64_t got = *(uint64_t *)((char *)&d + ((char *)fields[k] - (char *)&a));
		assert_int_equal(got, 1000 + 9 * (uint64_t)k); // (1000 + 10k) - k
	}
	for (int k = 0; k < CYC__N; k++)
		assert_cycles(d.cyc[k], 100.5); // (100.5 + k) - k
	for (int k = 0; k < EV__N; k++)
		assert_int_equal(d.events[k], 500 - (uint64_t)k); // (500 + k) - 2k
	// sum of cyc: 100.5 x CYC__N
	assert_cycles(counters_cycles(&d), 100.5 * CYC__N);

	// d + b = a, field by field (and bytewise: every field is 8 bytes).
	counters_add(&d, &b);
	assert_memory_equal(&d, &a, sizeof a);
	// Adding to zero copies; subtracting from itself gives zero.
	struct counters e = zero;
	counters_add(&e, &a);
	assert_memory_equal(&e, &a, sizeof a);
	counters_sub(&e, &a, &a);
	assert_memory_equal(&e, &zero, sizeof zero);
	assert_cycles(counters_cycles(&a), 100.5 * CYC__N + (CYC__N - 1) * CYC__N / 2.0);
}

// ---- set-up ----

static void test_machine_reset_is_cold(void **state)
{
	(void)state;
	struct profile p;
	struct machine m, fresh;
	hand_profile(&p);
	assert_int_equal(machine_init(&m, &p, 5), 0);
	assert_int_equal(machine_init(&fresh, &p, 5), 0);
	struct rng r = {7};
	for (int i = 0; i < 2000; i++)
		random_op(&m, rnd(&r));
	machine_track(&m, 1);
	machine_load(&m, 0x1000, 1);
	machine_write_cr3(&m, 2);
	machine_set_vm(&m, 1, 1);
	assert_int_equal(m.space, 2);
	machine_reset(&m);
	struct counters zero;
	memset(&zero, 0, sizeof zero);
	assert_memory_equal(&m.ctr, &zero, sizeof zero);
	assert_int_equal(m.space, 0);
	assert_int_equal(m.vm, 0);
	assert_int_equal(m.nested, 0);
	assert_int_equal(m.tracking, 0);
	assert_int_equal(machine_footprint_d(&m), 0);
	// From here it behaves as a fresh machine with the same seed.
	struct rng r1 = {99}, r2 = {99};
	for (int i = 0; i < 2000; i++) {
		random_op(&m, rnd(&r1));
		random_op(&fresh, rnd(&r2));
	}
	assert_memory_equal(&m.ctr, &fresh.ctr, sizeof zero);
	machine_free(&m);
	machine_free(&fresh);
}

// machine_prepare: a machine reused for another point (another seed, a
// profile that differs only in costs, or one with another geometry, which
// rebuilds it) behaves exactly as machine_init's fresh machine would. The
// three cases: same shape and seed; same shape, new seed and new cpi (the
// frame hash and the cost change, the arrays are kept); new L1 size (the
// arrays are rebuilt).
static void test_machine_prepare_is_fresh(void **state)
{
	(void)state;
	struct profile p, q, big;
	hand_profile(&p);
	q = p;
	q.cpi = 2.0;
	big = p;
	big.l1d.size = 64 << 10;
	const struct profile *prof[] = {&p, &q, &big, &p};
	const uint64_t seed[] = {5, 6, 6, 5};
	struct machine kept;
	memset(&kept, 0, sizeof kept);
	for (int k = 0; k < 4; k++) {
		struct machine fresh;
		assert_int_equal(machine_prepare(&kept, prof[k], seed[k]), 0);
		assert_int_equal(machine_init(&fresh, prof[k], seed[k]), 0);
		struct rng r1 = {41 + (uint64_t)k}, r2 = {41 + (uint64_t)k};
		for (int i = 0; i < 3000; i++) {
			random_op(&kept, rnd(&r1));
			random_op(&fresh, rnd(&r2));
		}
		assert_memory_equal(&kept.ctr, &fresh.ctr, sizeof fresh.ctr);
		assert_true(machine_paddr(&kept, 0x12345678) == machine_paddr(&fresh, 0x12345678));
		machine_free(&fresh);
	}
	assert_int_equal(kept.l1d->sa.sets, 64); // the last prepare went back to 32 KiB: 32K/64/8
	machine_free(&kept);
}

static void test_machine_init_rejects(void **state)
{
	(void)state;
	struct profile p;
	struct machine m;
	hand_profile(&p);
	p.page_size = 8192; // only 4 KiB pages are modelled
	assert_int_equal(machine_init(&m, &p, 1), -1);
	hand_profile(&p);
	p.address_bits = 48; // 32 or 64
	assert_int_equal(machine_init(&m, &p, 1), -1);
	hand_profile(&p);
	p.l1d.size = 3000; // not a power of two
	assert_int_equal(machine_init(&m, &p, 1), -1);
	hand_profile(&p);
	p.l2.assoc = 8192; // more ways than the 4096 lines of 256 KiB
	assert_int_equal(machine_init(&m, &p, 1), -1);
	hand_profile(&p);
	p.dtlb.entries = 0;
	assert_int_equal(machine_init(&m, &p, 1), -1);
	hand_profile(&p);
	p.stlb = (struct tlb_geom){1, 48, 4, 7}; // 12 sets: not a power of two
	assert_int_equal(machine_init(&m, &p, 1), -1);
	// An absent level's geometry is not checked.
	hand_profile(&p);
	p.l3 = (struct cache_geom){0, 3000, 0, 0, 0, REPL_LRU};
	assert_int_equal(machine_init(&m, &p, 1), 0);
	assert_null(m.l3);
	assert_null(m.stlb);
	machine_free(&m);
}

// machine.h: "Builds a machine from a checked profile". A geometry that
// profile_check accepts must build. profile.c's rule (its Notes) accepts a
// size that is not a power of two when size / (line x assoc) is a power-of-
// two number of sets, as real parts have: 48 KiB 12-way L1d (Ice Lake,
// 48K / (64 x 12) = 64 sets), 6 MiB 24-way L3 (6M / (64 x 24) = 4096 sets).
// cache_init therefore asks only for whole lines and leaves the
// power-of-two set count to sa_init.
static void test_checked_profile_builds(void **state)
{
	(void)state;
	struct profile p;
	struct machine m;
	struct cfg_error err;
	hand_profile(&p);
	assert_int_equal(profile_check(&p, &err), 0); // the plain hand profile
	assert_int_equal(machine_init(&m, &p, 1), 0);
	machine_free(&m);

	hand_profile(&p);
	p.l1d = (struct cache_geom){1, 48 << 10, 12, 64, 5, REPL_LRU};
	assert_int_equal(profile_check(&p, &err), 0); // 64 sets: accepted
	assert_int_equal(machine_init(&m, &p, 1), 0); 
	assert_int_equal(m.l1d->sa.sets, 64);
	assert_int_equal(m.l1d->sa.ways, 12);
	machine_free(&m);

	hand_profile(&p);
	p.l3 = (struct cache_geom){1, 6 << 20, 24, 64, 30, REPL_LRU};
	assert_int_equal(profile_check(&p, &err), 0); // 4096 sets: accepted
	assert_int_equal(machine_init(&m, &p, 1), 0); 
	assert_int_equal(m.l3->sa.sets, 4096);
	machine_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_miss_fills_every_level),
		cmocka_unit_test(test_walk_refs_64bit),
		cmocka_unit_test(test_walk_refs_32bit),
		cmocka_unit_test(test_walk_refs_pwc),
		cmocka_unit_test(test_nested_walk_refs),
		cmocka_unit_test(test_cycles_tiny_stream),
		cmocka_unit_test(test_cycles_fetch_and_load),
		cmocka_unit_test(test_clone),
		cmocka_unit_test(test_footprint_warm_tlb),
		cmocka_unit_test(test_footprint_cold_tlb),
		cmocka_unit_test(test_footprint_many_lines),
		cmocka_unit_test(test_counters_sub_add),
		cmocka_unit_test(test_machine_reset_is_cold),
		cmocka_unit_test(test_machine_prepare_is_fresh),
		cmocka_unit_test(test_machine_init_rejects),
		cmocka_unit_test(test_checked_profile_builds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
