// machine.c: references and events in, cycles and counters out.
// The cost rules are written at the top of include/model/machine.h.
#include <stdlib.h>
#include <string.h>
#include "hash.h"
#include "machine.h"

const char *const mach_event_names[EV__N] = {
	[EV_TRAP_ENTER] = "trap_enter",   [EV_TRAP_EXIT] = "trap_exit",
	[EV_EXCEPTION] = "exception",     [EV_INTERRUPT] = "interrupt",
	[EV_CR3_WRITE] = "cr3_write",     [EV_TLB_FLUSH] = "tlb_flush",
	[EV_VMEXIT] = "vmexit",           [EV_VMENTRY] = "vmentry",
	[EV_HYPERCALL] = "hypercall",     [EV_RING_TRANSITION] = "ring_transition",
};

// TLB tag layout: | vm (8) | global (1) | asid (16) | vpn (36) |
#define VPN_BITS 36
#define VPN_MASK ((1ull << VPN_BITS) - 1)
#define TAG_GLOBAL (1ull << (VPN_BITS + 16))
#define TAG_VM_SHIFT (VPN_BITS + 17)
// Name spaces of the frame hash: user spaces are small integers; these are not.
#define HS_KERNEL(vm) (0x100000ull + (vm))   // kernel half of (virtual) machine vm
#define HS_TABLE 0x200000ull                 // page-table pages
#define HS_EPT(vm) (0x300000ull + (vm))      // guest-physical -> host-physical
#define PWC_ENTRIES 32 // Intel's PDE cache: 32 entries (Barr, Cox, Rixner, ISCA 2010)
#define PWC_WAYS 4

static uint64_t frame_of(const struct machine *m, uint64_t ns, uint64_t a, uint64_t b)
{
	uint64_t h = mix64(m->seed ^ mix64(ns * 0x9e3779b97f4a7c15ull ^ mix64(a) ^ (b << 1)));
	return h & m->frame_mask;
}

// No page is remembered (a vpn never has all bits set: VPN_BITS < 64).
static void memo_clear(struct machine *m)
{
	for (int i = 0; i < 2; i++) {
		m->memo[i] = (struct frame_memo){0, UINT64_MAX, 0};
		// SA_INVALID is never a set's most recent tag: no line matches.
		m->line_memo[i] = (struct line_memo){UINT64_MAX, 0, 0, SA_INVALID, SA_INVALID};
	}
}

double counters_cycles(const struct counters *c)
{
	double s = 0;
	for (int i = 0; i < CYC__N; i++)
		s += c->cyc[i];
	return s;
}

// The counters are a struct of uint64 fields plus a double array: walk both.
#define FOR_U64_FIELDS(X) X(instructions) X(irefs) X(drefs) X(l1i_misses) X(l1d_misses) \
	X(l2_misses) X(l3_misses) X(llc_misses) X(itlb_misses) X(dtlb_misses) X(stlb_misses) \
	X(walks) X(walk_refs) X(cr3_writes) X(tlb_flushes) X(line_transfers)

void counters_sub(struct counters *d, const struct counters *a, const struct counters *b)
{
#define SUB(f) d->f = a->f - b->f;
	FOR_U64_FIELDS(SUB)
#undef SUB
	for (int i = 0; i < CYC__N; i++)
		d->cyc[i] = a->cyc[i] - b->cyc[i];
	for (int i = 0; i < EV__N; i++)
		d->events[i] = a->events[i] - b->events[i];
}

void counters_add(struct counters *d, const struct counters *a)
{
#define ADD(f) d->f += a->f;
	FOR_U64_FIELDS(ADD)
#undef ADD
	for (int i = 0; i < CYC__N; i++)
		d->cyc[i] += a->cyc[i];
	for (int i = 0; i < EV__N; i++)
		d->events[i] += a->events[i];
}

// ---- footprint set ----

static int lineset_init(struct lineset *s, uint32_t cap)
{
	memset(s, 0, sizeof *s);
	s->slot = calloc(cap, sizeof *s->slot);
	s->cap = s->slot ? cap : 0;
	return s->slot ? 0 : -1;
}

static void lineset_clear(struct lineset *s)
{
	memset(s->slot, 0, (size_t)s->cap * sizeof *s->slot);
	s->n = s->n_i = s->n_d = 0;
}

static void lineset_put(struct lineset *s, uint64_t key, int is_i);

static void lineset_grow(struct lineset *s)
{
	struct lineset big;
	if (lineset_init(&big, s->cap * 2))
		return; // keep counting in the full table: footprint then saturates
	for (uint32_t i = 0; i < s->cap; i++)
		if (s->slot[i])
			lineset_put(&big, s->slot[i] - 1, -1);
	big.n_i = s->n_i;
	big.n_d = s->n_d;
	free(s->slot);
	*s = big;
}

// key: physical line number with bit 63 set for instruction lines.
// is_i < 0: re-insert while growing (counts untouched).
static void lineset_put(struct lineset *s, uint64_t key, int is_i)
{
	if (s->n * 2 >= s->cap)
		lineset_grow(s);
	uint32_t mask = s->cap - 1;
	uint32_t i = (uint32_t)mix64(key) & mask;
	while (s->slot[i]) {
		if (s->slot[i] == key + 1)
			return;
		i = (i + 1) & mask;
	}
	s->slot[i] = key + 1;
	s->n++;
	if (is_i > 0) s->n_i++;
	else if (is_i == 0) s->n_d++;
}

// ---- TLBs ----

static int tlb_init(struct tlb *t, const struct tlb_geom *g)
{
	memset(t, 0, sizeof *t);
	if (!g->entries || !g->assoc || g->entries % g->assoc)
		return -1;
	t->latency = g->latency;
	return sa_init(&t->sa, g->entries / g->assoc, g->assoc, REPL_LRU);
}

static int keep_global(uint64_t tag, uint64_t arg) { (void)arg; return (tag & TAG_GLOBAL) != 0; }
static int keep_none(uint64_t tag, uint64_t arg) { (void)tag; (void)arg; return 0; }

// ---- set-up ----

int machine_init(struct machine *m, const struct profile *p, uint64_t seed)
{
	memset(m, 0, sizeof *m);
	m->prof = *p;
	m->seed = mix64(seed + 1);
	int bad = cache_init(&m->l1d_store, p->l1_unified ? "L1" : "L1d", &p->l1d);
	m->l1d = &m->l1d_store;
	if (p->l1_unified) {
		m->l1i = m->l1d;
	} else {
		bad |= cache_init(&m->l1i_store, "L1i", &p->l1i);
		m->l1i = &m->l1i_store;
	}
	if (p->l2.present) {
		bad |= cache_init(&m->l2_store, "L2", &p->l2);
		m->l2 = &m->l2_store;
	}
	if (p->l3.present) {
		bad |= cache_init(&m->l3_store, "L3", &p->l3);
		m->l3 = &m->l3_store;
	}
	bad |= tlb_init(&m->dtlb_store, &p->dtlb);
	m->dtlb = &m->dtlb_store;
	if (p->tlb_unified) {
		m->itlb = m->dtlb;
	} else {
		bad |= tlb_init(&m->itlb_store, &p->itlb);
		m->itlb = &m->itlb_store;
	}
	if (p->stlb.present) {
		bad |= tlb_init(&m->stlb_store, &p->stlb);
		m->stlb = &m->stlb_store;
	}
	bad |= sa_init(&m->pwc, PWC_ENTRIES / PWC_WAYS, PWC_WAYS, REPL_LRU);
	bad |= lineset_init(&m->fp, 1u << 12);
	if (bad || p->page_size != 4096 || !(p->address_bits == 32 || p->address_bits == 64)) {
		machine_free(m);
		return -1;
	}
	m->page_shift = 12;
	if (p->address_bits == 64) {
		m->levels = 4, m->bits_per_level = 9, m->pte_bytes = 8;
		m->kernel_base = 0xffff800000000000ull;
	} else {
		m->levels = 2, m->bits_per_level = 10, m->pte_bytes = 4;
		m->kernel_base = 0xc0000000ull;
	}
	// Frames are drawn below the largest power of two <= phys_mem.
	uint64_t frames = p->phys_mem >> 12;
	uint64_t f = 1;
	while (f * 2 <= frames)
		f *= 2;
	m->frame_mask = f - 1;
	memo_clear(m);
	return 0;
}

static int cache_geom_eq(const struct cache_geom *a, const struct cache_geom *b)
{
	return a->present == b->present && a->size == b->size && a->assoc == b->assoc &&
	       a->line == b->line && a->latency == b->latency && a->repl == b->repl;
}

static int tlb_geom_eq(const struct tlb_geom *a, const struct tlb_geom *b)
{
	return a->present == b->present && a->entries == b->entries && a->assoc == b->assoc &&
	       a->latency == b->latency;
}

// Everything machine_init builds arrays or fixed state from.
static int same_shape(const struct profile *a, const struct profile *b)
{
	return a->l1_unified == b->l1_unified && cache_geom_eq(&a->l1i, &b->l1i) &&
	       cache_geom_eq(&a->l1d, &b->l1d) && cache_geom_eq(&a->l2, &b->l2) &&
	       cache_geom_eq(&a->l3, &b->l3) && a->tlb_unified == b->tlb_unified &&
	       tlb_geom_eq(&a->itlb, &b->itlb) && tlb_geom_eq(&a->dtlb, &b->dtlb) &&
	       tlb_geom_eq(&a->stlb, &b->stlb) && a->page_size == b->page_size &&
	       a->address_bits == b->address_bits && a->phys_mem == b->phys_mem;
}

int machine_prepare(struct machine *m, const struct profile *p, uint64_t seed)
{
	if (!m->l1d_store.sa.tag || !same_shape(&m->prof, p)) {
		if (m->l1d_store.sa.tag)
			machine_free(m);
		return machine_init(m, p, seed);
	}
	machine_reset(m);
	m->prof = *p;
	m->seed = mix64(seed + 1);
	return 0;
}

void machine_free(struct machine *m)
{
	cache_free(&m->l1i_store);
	cache_free(&m->l1d_store);
	cache_free(&m->l2_store);
	cache_free(&m->l3_store);
	sa_free(&m->itlb_store.sa);
	sa_free(&m->dtlb_store.sa);
	sa_free(&m->stlb_store.sa);
	sa_free(&m->pwc);
	free(m->fp.slot);
	memset(m, 0, sizeof *m);
}

void machine_reset(struct machine *m)
{
	struct cache *caches[] = {m->l1i, m->l1d, m->l2, m->l3};
	for (int i = 0; i < 4; i++)
		if (caches[i])
			cache_reset(caches[i]);
	struct tlb *tlbs[] = {m->itlb, m->dtlb, m->stlb};
	for (int i = 0; i < 3; i++)
		if (tlbs[i]) {
			sa_reset(&tlbs[i]->sa);
			tlbs[i]->accesses = tlbs[i]->misses = 0;
		}
	sa_reset(&m->pwc);
	lineset_clear(&m->fp);
	m->tracking = 0;
	m->space = 0;
	m->seg = 0;
	m->vm = 0;
	m->nested = 0;
	m->kernel_global = KGLOBAL_ALL;
	m->no_global = 0;
	memset(&m->ctr, 0, sizeof m->ctr);
	memo_clear(m);
}

static int tlb_copy(struct tlb *dst, const struct tlb *src)
{
	*dst = *src;
	if (!src->sa.tag) {
		memset(&dst->sa, 0, sizeof dst->sa);
		return 0;
	}
	return sa_copy(&dst->sa, &src->sa);
}

int machine_clone(struct machine *dst, const struct machine *src)
{
	*dst = *src;
	// Deep copies of every owned array; pointers re-aimed at dst's stores.
	memset(&dst->l1d_store, 0, sizeof dst->l1d_store);
	memset(&dst->l1i_store, 0, sizeof dst->l1i_store);
	memset(&dst->l2_store, 0, sizeof dst->l2_store);
	memset(&dst->l3_store, 0, sizeof dst->l3_store);
	int bad = cache_copy(&dst->l1d_store, &src->l1d_store);
	dst->l1d = &dst->l1d_store;
	if (src->l1i == src->l1d) {
		dst->l1i = dst->l1d;
	} else {
		bad |= cache_copy(&dst->l1i_store, &src->l1i_store);
		dst->l1i = &dst->l1i_store;
	}
	if (src->l2) {
		bad |= cache_copy(&dst->l2_store, &src->l2_store);
		dst->l2 = &dst->l2_store;
	}
	if (src->l3) {
		bad |= cache_copy(&dst->l3_store, &src->l3_store);
		dst->l3 = &dst->l3_store;
	}
	bad |= tlb_copy(&dst->dtlb_store, &src->dtlb_store);
	bad |= tlb_copy(&dst->itlb_store, &src->itlb_store);
	bad |= tlb_copy(&dst->stlb_store, &src->stlb_store);
	dst->dtlb = &dst->dtlb_store;
	dst->itlb = src->itlb == src->dtlb ? dst->dtlb : &dst->itlb_store;
	dst->stlb = src->stlb ? &dst->stlb_store : NULL;
	bad |= sa_copy(&dst->pwc, &src->pwc);
	dst->fp.slot = malloc((size_t)src->fp.cap * sizeof *dst->fp.slot);
	if (dst->fp.slot)
		memcpy(dst->fp.slot, src->fp.slot, (size_t)src->fp.cap * sizeof *dst->fp.slot);
	if (bad || !dst->fp.slot) {
		machine_free(dst);
		return -1;
	}
	return 0;
}

// ---- translation ----

int machine_is_kernel(const struct machine *m, uint64_t va) { return va >= m->kernel_base; }

// The hash name space a virtual address's frame is drawn from.
static uint64_t map_space(const struct machine *m, uint64_t va)
{
	// Frames depend on the space and the page, not on the VM: a guest runs
	// its kernel and processes in the frames the same kernel would have
	// natively, so a VM-versus-native comparison differs by the
	// virtualisation's own work and not by a new draw of page colours.
	uint32_t user = m->seg ? m->seg : m->space;
	return machine_is_kernel(m, va) ? HS_KERNEL(0) : user;
}

static uint64_t vpn_of(const struct machine *m, uint64_t va)
{
	return (va >> m->page_shift) & VPN_MASK;
}

// Physical address of va in the current space (host-physical for guests).
uint64_t machine_paddr(const struct machine *m, uint64_t va)
{
	uint64_t off = va & ((1ull << m->page_shift) - 1);
	// Under nested paging the host frame of a guest-physical frame is the
	// same number (an identity EPT), for the reason given in map_space; the
	// EPT's own tables are still walked (page_walk).
	uint64_t frame = frame_of(m, map_space(m, va), vpn_of(m, va), 0);
	return frame << m->page_shift | off;
}

// machine_paddr through the memo of side `side` (0 data, 1 code): the same
// frame_of, computed once per page run.
static uint64_t paddr_memo(struct machine *m, uint64_t va, int side)
{
	uint64_t ns = map_space(m, va), vpn = vpn_of(m, va);
	struct frame_memo *f = &m->memo[side];
	if (f->vpn != vpn || f->ns != ns)
		*f = (struct frame_memo){ns, vpn, frame_of(m, ns, vpn, 0)};
	return f->frame << m->page_shift | (va & ((1ull << m->page_shift) - 1));
}

// One reference through the data hierarchy; returns the stall in cycles,
// `l1_cost` being what an L1 hit costs (0 for ordinary references, whose
// L1 hit is in the CPI; l1d.latency for dependent page-walk reads).
static uint32_t below_l1(struct machine *m, uint64_t pa, int is_i);

static uint32_t hier_access(struct machine *m, struct cache *l1, uint64_t pa, int is_i,
			    uint32_t l1_cost)
{
	if (m->tracking)
		lineset_put(&m->fp, (pa >> m->l1d->line_shift) | ((uint64_t)(is_i > 0) << 63), is_i > 0);
	if (cache_access(l1, pa))
		return l1_cost;
	return below_l1(m, pa, is_i);
}

static uint32_t walk_ref(struct machine *m, uint64_t pa)
{
	m->ctr.walk_refs++;
	return hier_access(m, m->l1d, pa, 0, m->prof.l1d.latency);
}

// Page-table entry address: table `level` (levels-1 = root) covering vpn in
// hash space ns, owned by `root` at the top level (every process has its own
// root; lower kernel tables are shared).
static uint64_t pte_addr(const struct machine *m, uint64_t ns, uint64_t root, uint32_t levels,
			 uint32_t bpl, uint32_t pte, uint64_t vpn, uint32_t level)
{
	uint64_t prefix = level + 1 < levels ? vpn >> (bpl * (level + 1)) : 0;
	uint64_t owner = level + 1 < levels ? ns : root;
	uint64_t frame = frame_of(m, HS_TABLE ^ (owner << 8) ^ level, prefix, level);
	uint64_t index = (vpn >> (bpl * level)) & ((1ull << bpl) - 1);
	return frame << m->page_shift | index * pte;
}

// A 1-D walk of `levels` entries; with a PWC hit on the leaf table only the
// leaf entry is read. xlate: for nested walks each entry address is
// guest-physical and must itself be translated (returns its stall).
static uint32_t walk_1d(struct machine *m, uint64_t ns, uint64_t root, uint32_t levels,
			uint32_t bpl, uint32_t pte, uint64_t vpn, uint64_t ept_ns, int nested,
			uint64_t *leaf_frame);

static uint32_t host_translate(struct machine *m, uint64_t ept_ns, uint64_t gframe, uint64_t *hframe)
{
	// EPT: 4 levels of 8-byte entries, 9 bits each, one table tree per VM.
	return walk_1d(m, ept_ns, ept_ns, 4, 9, 8, gframe, 0, 0, hframe);
}

static uint32_t walk_1d(struct machine *m, uint64_t ns, uint64_t root, uint32_t levels,
			uint32_t bpl, uint32_t pte, uint64_t vpn, uint64_t ept_ns, int nested,
			uint64_t *leaf_frame)
{
	uint32_t stall = 0;
	uint32_t first = levels - 1;
	if (m->prof.pwc) {
		uint64_t evicted;
		uint64_t key = mix64(root ^ (ns << 20) ^ ((vpn >> bpl) << 1));
		if (sa_access(&m->pwc, (uint32_t)key & m->pwc.set_mask, key, &evicted))
			first = 0;
	}
	for (int32_t level = (int32_t)first; level >= 0; level--) {
		uint64_t pa = pte_addr(m, ns, root, levels, bpl, pte, vpn, (uint32_t)level);
		if (nested) {
			uint64_t hframe;
			stall += host_translate(m, ept_ns, pa >> m->page_shift, &hframe);
			pa = hframe << m->page_shift | (pa & ((1ull << m->page_shift) - 1));
		}
		stall += walk_ref(m, pa);
	}
	*leaf_frame = frame_of(m, ns, vpn, 0);
	return stall;
}

// Walk for va after a TLB miss; returns the stall.
static uint32_t page_walk(struct machine *m, uint64_t va)
{
	m->ctr.walks++;
	uint64_t root = (uint64_t)m->vm << 24 | m->space; // guests' tables are their own
	uint64_t ns = map_space(m, va), frame;
	uint32_t stall = m->prof.walk_overhead;
	stall += walk_1d(m, ns, root, m->levels, m->bits_per_level, m->pte_bytes, vpn_of(m, va),
			 HS_EPT(m->vm), m->nested, &frame);
	if (m->nested) {
		uint64_t hframe;
		stall += host_translate(m, HS_EPT(m->vm), frame, &hframe);
	}
	return stall;
}

// The TLB tag of va's page in the current space.
static uint64_t tlb_tag(const struct machine *m, uint64_t va, int is_i)
{
	const struct profile *p = &m->prof;
	uint64_t vpn = vpn_of(m, va);
	int global = p->global_pages && machine_is_kernel(m, va) && !m->no_global &&
		     (m->kernel_global == KGLOBAL_ALL || (m->kernel_global == KGLOBAL_TEXT && is_i));
	uint64_t asid = p->pcid ? ((m->seg ? m->seg : m->space) & 0xffff) : 0;
	uint64_t vm = p->vpid ? (m->vm & 0xff) : 0;
	return vpn | (global ? TAG_GLOBAL : asid << VPN_BITS) | vm << TAG_VM_SHIFT;
}

// Looks va up in the TLB t (filling it on a miss) under its tag (tlb_tag);
// returns the stall.
static uint32_t translate(struct machine *m, struct tlb *t, uint64_t va, uint64_t tag, int is_i)
{
	uint64_t vpn = vpn_of(m, va);
	uint64_t evicted;
	uint32_t set = (uint32_t)vpn & t->sa.set_mask;
	t->accesses++;
	if (sa_access(&t->sa, set, tag, &evicted))
		return 0;
	t->misses++;
	if (is_i) m->ctr.itlb_misses++; else m->ctr.dtlb_misses++;
	if (m->stlb) {
		if (sa_access(&m->stlb->sa, (uint32_t)vpn & m->stlb->sa.set_mask, tag, &evicted))
			return m->stlb->latency;
		m->ctr.stlb_misses++;
	}
	return page_walk(m, va);
}

// ---- references ----

// kind: 1 instruction fetch, 0 load, 2 store. A store's cache miss fills the
// line (and counts) but does not stall: it retires into the write buffer.
static void refs(struct machine *m, uint64_t va, uint64_t bytes, int kind)
{
	if (!bytes || va + bytes - 1 < va)
		return; // empty, or wrapping past the top of the address space
	int is_i = kind == 1;
	struct cache *l1 = is_i ? m->l1i : m->l1d;
	struct tlb *t = is_i ? m->itlb : m->dtlb;
	uint32_t ls = l1->line_shift;
	uint64_t first = va >> ls, last = (va + bytes - 1) >> ls;
	// The same user line as this side's last reference, still the most
	// recent entry of its TLB and its L1 (line_memo in machine.h): the
	// full path below would find both hits at their sa.last check, change
	// no state and add no stall. Counted as it would count them.
	struct line_memo *lm = &m->line_memo[is_i];
	uint64_t user = m->seg ? m->seg : m->space;
	if (first == lm->vline && last == first && va < m->kernel_base && user == lm->user && m->vm == lm->vm &&
	    t->sa.last == lm->tlb_tag && l1->sa.last == lm->pline && !m->tracking) {
		t->accesses++;
		l1->accesses++;
		if (is_i) m->ctr.irefs++; else m->ctr.drefs++;
		return;
	}
	// Stalls are whole cycles: summed as integers and added to the double
	// counters once, and only when not zero (the common case, an L1 and
	// TLB hit, then touches no floating-point state: the same sums, bit
	// for bit, as adding each stall as a double).
	uint64_t tlb = 0, miss = 0;
	// A page is translated once for the lines of it this reference covers:
	// after its lookup the page's tag is its TLB's most recent entry (the
	// lines' cache lookups and a page walk touch no TLB), so each further
	// line would hit at sa.last, change nothing and add no stall; it is
	// counted as that hit. Its frame is the frame memo's (paddr_memo).
	const uint64_t in_page = (1ull << m->page_shift) - 1;
	uint64_t page = UINT64_MAX, frame_base = 0, tag = 0;
	for (uint64_t line = first; line <= last; line++) {
		uint64_t a = line << ls;
		if ((a & ~in_page) != page) {
			page = a & ~in_page;
			tag = tlb_tag(m, a, is_i);
			tlb += translate(m, t, a, tag, is_i);
			frame_base = paddr_memo(m, a, is_i) & ~in_page;
		} else {
			t->accesses++;
		}
		uint64_t pa = frame_base | (a & in_page);
		miss += hier_access(m, l1, pa, is_i, 0);
		if (first == last && va < m->kernel_base)
			*lm = (struct line_memo){first, user, m->vm, tag, pa >> ls};
	}
	uint64_t n = last - first + 1;
	if (is_i) {
		m->ctr.irefs += n;
		if (miss)
			m->ctr.cyc[CYC_IMISS] += (double)miss;
	} else {
		m->ctr.drefs += n;
		if (miss && kind != 2)
			m->ctr.cyc[CYC_DMISS] += (double)miss;
	}
	if (tlb)
		m->ctr.cyc[CYC_TLB] += (double)tlb;
}

// Below L1: the rest of hier_access for a reference whose L1 lookup missed.
static uint32_t below_l1(struct machine *m, uint64_t pa, int is_i)
{
	if (is_i > 0) m->ctr.l1i_misses++; else m->ctr.l1d_misses++;
	if (m->l2) {
		if (cache_access(m->l2, pa))
			return m->l2->latency;
		m->ctr.l2_misses++;
	}
	if (m->l3) {
		if (cache_access(m->l3, pa))
			return m->l3->latency;
		m->ctr.l3_misses++;
	}
	m->ctr.llc_misses++;
	return m->prof.dram_latency;
}

uint32_t machine_ref_phys_slow(struct machine *m, uint64_t pa, int is_i, int l1_missed)
{
	uint32_t stall = l1_missed ? below_l1(m, pa, is_i)
				   : hier_access(m, is_i ? m->l1i : m->l1d, pa, is_i, 0);
	if (is_i) {
		m->ctr.irefs++;
		m->ctr.cyc[CYC_IMISS] += stall;
	} else {
		m->ctr.drefs++;
		m->ctr.cyc[CYC_DMISS] += stall;
	}
	return stall;
}

void machine_fetch(struct machine *m, uint64_t va, uint64_t bytes) { refs(m, va, bytes, 1); }
void machine_load(struct machine *m, uint64_t va, uint64_t bytes) { refs(m, va, bytes, 0); }
void machine_store(struct machine *m, uint64_t va, uint64_t bytes) { refs(m, va, bytes, 2); }

void machine_exec(struct machine *m, uint64_t n)
{
	m->ctr.instructions += n;
	m->ctr.cyc[CYC_BASE] += (double)n * m->prof.cpi;
}

static uint32_t event_cost(const struct event_costs *e, enum mach_event ev)
{
	switch (ev) {
	case EV_TRAP_ENTER: return e->trap_enter;
	case EV_TRAP_EXIT: return e->trap_exit;
	case EV_EXCEPTION: return e->exception;
	case EV_INTERRUPT: return e->interrupt;
	case EV_CR3_WRITE: return e->cr3_write;
	case EV_TLB_FLUSH: return e->tlb_flush;
	case EV_VMEXIT: return e->vmexit;
	case EV_VMENTRY: return e->vmentry;
	case EV_HYPERCALL: return e->hypercall;
	case EV_RING_TRANSITION: return e->ring_transition;
	case EV__N: break;
	}
	return 0;
}

void machine_event(struct machine *m, enum mach_event ev)
{
	m->ctr.events[ev]++;
	m->ctr.cyc[CYC_EVENT] += event_cost(&m->prof.ev, ev);
}

void machine_flush_tlb(struct machine *m, int keep_glob)
{
	struct tlb *tlbs[] = {m->itlb, m->itlb == m->dtlb ? NULL : m->dtlb, m->stlb};
	for (int i = 0; i < 3; i++)
		if (tlbs[i])
			sa_invalidate_if(&tlbs[i]->sa, keep_glob ? keep_global : keep_none, 0);
	// The walk caches hold upper-level entries of the old tables.
	sa_reset(&m->pwc);
	m->ctr.tlb_flushes++;
}

void machine_write_cr3(struct machine *m, uint32_t space)
{
	machine_event(m, EV_CR3_WRITE);
	m->ctr.cr3_writes++;
	m->space = space;
	if (!m->prof.pcid)
		machine_flush_tlb(m, m->prof.global_pages);
}

void machine_set_segment(struct machine *m, uint32_t space) { m->seg = space; }

void machine_line_transfer(struct machine *m)
{
	m->ctr.line_transfers++;
	m->ctr.cyc[CYC_DMISS] += m->prof.line_transfer;
}

void machine_set_kernel_global(struct machine *m, int mode) { m->kernel_global = mode; }
void machine_set_no_global(struct machine *m, int on) { m->no_global = on; }

void machine_set_space(struct machine *m, uint32_t space) { m->space = space; }

void machine_set_vm(struct machine *m, uint32_t vm, int nested)
{
	if (vm != m->vm && !m->prof.vpid)
		machine_flush_tlb(m, 0);
	m->vm = vm;
	m->nested = nested;
}

void machine_track(struct machine *m, int on)
{
	if (on)
		lineset_clear(&m->fp);
	m->tracking = on;
}

uint32_t machine_footprint_i(const struct machine *m) { return m->fp.n_i; }
uint32_t machine_footprint_d(const struct machine *m) { return m->fp.n_d; }
