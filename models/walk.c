// walk.c: a workload's call graph walked under a placement and transports.
//
// The walker keeps what the hardware would: the current ring, the address
// space in CR3 (and a small space entered by segment switch), and which
// protection domain is running. Every count is made by a primitive step
// when that state changes; nothing here knows an architecture by name.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "walk.h"

// A domain instance: per-process domains (the application's own) exist
// once per process, every other domain once.
struct inst {
	int dom;
	int proc;
};

// Virtual layout of a domain: text at its base, service data at DATA_OFF,
// the message buffer at MSG_OFF, the application's working set at WS_OFF.
#define DOM_SPAN_KERNEL 0x01000000ull
#define DATA_OFF 0x00400000ull
#define MSG_OFF 0x00300000ull
#define WS_OFF 0x00800000ull
#define APP_CODE_OFF 0x00100000ull // after the services' text (at most 1 MiB of it)
// Newly allocated pages come from a pool of FRESH_PAGES recycled pages: each
// invocation gets the next one, so its TLB entry is cold while its lines may
// still be in a large cache, as for a page just taken from the free list.
#define FRESH_OFF 0x00800000ull
#define FRESH_PAGES 256
#define CALL_INSTRUCTIONS 4 // call + ret + argument moves of a plain function call
#define SPACE_PER_PROC 64   // space ids of one domain's per-process instances differ by this

void os_counts_add(struct os_counts *d, const struct os_counts *a)
{
	d->traps += a->traps;
	d->mode_switches += a->mode_switches;
	d->as_switches += a->as_switches;
	d->ipc_messages += a->ipc_messages;
	d->vm_exits += a->vm_exits;
	d->hypercalls += a->hypercalls;
	d->vmx_transitions += a->vmx_transitions;
	d->io_wait_usec += a->io_wait_usec;
	d->wake_cycles += a->wake_cycles;
	d->domain_switches += a->domain_switches;
	d->grant_ops += a->grant_ops;
	d->hidden_faults += a->hidden_faults;
}

static void os_counts_sub(struct os_counts *d, const struct os_counts *a, const struct os_counts *b)
{
	d->traps = a->traps - b->traps;
	d->mode_switches = a->mode_switches - b->mode_switches;
	d->as_switches = a->as_switches - b->as_switches;
	d->ipc_messages = a->ipc_messages - b->ipc_messages;
	d->vm_exits = a->vm_exits - b->vm_exits;
	d->hypercalls = a->hypercalls - b->hypercalls;
	d->vmx_transitions = a->vmx_transitions - b->vmx_transitions;
	d->io_wait_usec = a->io_wait_usec - b->io_wait_usec;
	d->wake_cycles = a->wake_cycles - b->wake_cycles;
	d->domain_switches = a->domain_switches - b->domain_switches;
	d->grant_ops = a->grant_ops - b->grant_ops;
	d->hidden_faults = a->hidden_faults - b->hidden_faults;
}

static const struct domain *dom_of(const struct sim *s, struct inst i) { return &s->arch->dom[i.dom]; }

static uint32_t inst_space(const struct sim *s, struct inst i)
{
	const struct domain *d = dom_of(s, i);
	if (d->space_id == 0)
		return 0;
	return (uint32_t)d->space_id + (d->per_process ? SPACE_PER_PROC * (uint32_t)i.proc : 0);
}

static uint64_t dom_base(const struct sim *s, int dom)
{
	const struct domain *d = &s->arch->dom[dom];
	const struct machine *m = s->m;
	if (d->ring < 3 || d->space_id == 0)
		return m->kernel_base + DOM_SPAN_KERNEL * (uint64_t)(dom + 1);
	// User domains get distinct ranges, so a stale untagged TLB entry can
	// never be mistaken for another domain's; processes of one domain share it.
	uint64_t span = m->prof.address_bits == 32 ? 0x08000000ull : 0x400000000ull;
	return span * (uint64_t)(dom + 1);
}

static struct inst inst_of(const struct sim *s, int dom, int proc)
{
	struct inst i = {dom, s->arch->dom[dom].per_process ? proc : 0};
	return i;
}

static struct inst cur(const struct sim *s) { return (struct inst){s->cur_dom, s->cur_proc}; }

// ---- trace ----
//
// The traced call is cut into rows, one open at a time, so that the rows'
// counters add up to the call's: a crossing (the transport's own path), the
// work done inside a domain after it, a copy (its bytes and lines), a trip
// to the monitor (a VM exit, hypercall or callout, with why), a fault taken
// while a kernel runs. A detail row (copy, monitor trip) opened inside a
// crossing is followed by a continuation of that crossing.

const char *const trace_kind_names[TK__N] = {[TK_CROSS] = "crossing", [TK_WORK] = "work", [TK_COPY] = "copy",
					      [TK_MONITOR] = "monitor", [TK_FAULT] = "fault"};

static void inst_name(const struct sim *s, struct inst i, char *out)
{
	static const char *const pname[PROC__N] = {"", ":peer", ":child"};
	snprintf(out, NAME_LEN, "%.30s%s", dom_of(s, i)->name, dom_of(s, i)->per_process ? pname[i.proc] : "");
}

// Closes the open row: its counters are what happened since it opened. An
// empty work row or continuation (nothing ran, nothing counted, no cycle)
// is dropped.
static void step_trace_close(struct sim *s)
{
	if (!s->tr || s->tr->n == 0)
		return;
	struct trace_step *st = &s->tr->step[s->tr->n - 1];
	counters_sub(&st->hw, &s->m->ctr, &s->tr_hw);
	os_counts_sub(&st->os, &s->os, &s->tr_os);
	st->trapped = st->os.traps > 0;
	const struct os_counts *c = &st->os;
	int empty = !st->ran[0] && counters_cycles(&st->hw) == 0 && !c->traps && !c->mode_switches &&
		    !c->as_switches && !c->ipc_messages && !c->vm_exits && !c->hypercalls;
	if (empty && (st->kind == TK_WORK || st->cont))
		s->tr->n--;
}

// Opens a row (closing the one open). When the trace is full the last row
// stays open and takes the rest of the call, so the rows still add up.
static struct trace_step *step_trace_row(struct sim *s, int kind, const char *from, const char *to,
				    const char *transport)
{
	if (!s->tr || s->tr_quiet)
		return NULL;
	if (!s->tr_replace)
		step_trace_close(s);
	s->tr_replace = 0;
	if (s->tr->n >= TRACE_MAX) {
		// reopen the last row: its counters run from its own start
		struct trace_step *st = &s->tr->step[s->tr->n - 1];
		counters_sub(&s->tr_hw, &s->m->ctr, &st->hw);
		os_counts_sub(&s->tr_os, &s->os, &st->os);
		return NULL;
	}
	struct trace_step *st = &s->tr->step[s->tr->n++];
	memset(st, 0, sizeof *st);
	st->kind = kind;
	snprintf(st->from, sizeof st->from, "%s", from);
	snprintf(st->to, sizeof st->to, "%s", to);
	snprintf(st->transport, sizeof st->transport, "%s", transport);
	s->tr_hw = s->m->ctr;
	s->tr_os = s->os;
	return st;
}

static void step_trace_begin(struct sim *s, int kind, struct inst from, struct inst to, const char *transport)
{
	if (!s->tr || s->tr_quiet)
		return; // untraced (every sweep point): no names to format
	char f[NAME_LEN], t[NAME_LEN];
	inst_name(s, from, f);
	inst_name(s, to, t);
	// A new crossing or work row (a device handler's call inside a device
	// transport) supersedes the row a detail interrupted: it is not
	// continued after the next detail.
	s->tr_saved_valid = 0;
	step_trace_row(s, kind, f, t, transport);
}

// Work in domain instance i (after a crossing into it, or from the start).
static void step_trace_work(struct sim *s, struct inst i) { step_trace_begin(s, TK_WORK, i, i, ""); }

// A detail row inside the open one; step_trace_resume continues the open one.
static void step_trace_detail(struct sim *s, int kind, const char *to, const char *transport)
{
	if (!s->tr || s->tr_quiet || s->tr->n == 0)
		return;
	s->tr_saved = s->tr->step[s->tr->n - 1];
	s->tr_saved_valid = 1;
	// A crossing whose first step is the detail (a return that starts with
	// its copy, an interrupt that starts with an exit) gives its place to
	// it and follows it, as the crossing itself rather than a continuation.
	struct counters hw;
	struct os_counts os;
	counters_sub(&hw, &s->m->ctr, &s->tr_hw);
	os_counts_sub(&os, &s->os, &s->tr_os);
	struct os_counts zero;
	memset(&zero, 0, sizeof zero);
	if (!s->tr_saved.ran[0] && counters_cycles(&hw) == 0 && !memcmp(&os, &zero, sizeof os)) {
		s->tr->n--; // the detail row takes its slot: nothing to close
		s->tr_replace = 1;
	} else {
		s->tr_saved.cont = 1;
	}
	step_trace_row(s, kind, s->tr_saved.from, to, transport);
}

static void step_trace_resume(struct sim *s)
{
	if (!s->tr || s->tr_quiet || !s->tr_saved_valid)
		return;
	s->tr_saved_valid = 0;
	struct trace_step *st = step_trace_row(s, s->tr_saved.kind, s->tr_saved.from, s->tr_saved.to,
					  s->tr_saved.transport);
	if (st)
		st->cont = s->tr_saved.cont;
}

static void step_trace_ran(struct sim *s, const char *svc, const char *op)
{
	if (!s->tr || s->tr->n == 0)
		return;
	struct trace_step *st = &s->tr->step[s->tr->n - 1];
	size_t len = strlen(st->ran);
	char name[2 * NAME_LEN + 1];
	snprintf(name, sizeof name, "%s.%s", svc, op);
	snprintf(st->ran + len, sizeof st->ran - len, "%s%s", len ? " " : "", name);
}

static void step_trace_why(struct sim *s, const char *why)
{
	if (!s->tr || s->tr->n == 0 || !why[0])
		return;
	struct trace_step *st = &s->tr->step[s->tr->n - 1];
	size_t len = strlen(st->why);
	if (!strstr(st->why, why))
		snprintf(st->why + len, sizeof st->why - len, "%s%s", len ? "," : "", why);
}

// ---- primitives ----

static void run_transport_steps(struct sim *s, const struct transport *t, const struct step *steps,
				int n, struct inst src, struct inst dst);
static void run_handler(struct sim *s);

static void set_ring(struct sim *s, int ring)
{
	if (s->ring != ring)
		s->os.mode_switches++;
	s->ring = ring;
}

static void enter_domain(struct sim *s, struct inst i)
{
	s->cur_dom = i.dom;
	s->cur_proc = i.proc;
	machine_set_no_global(s->m, s->arch->dom[i.dom].no_global);
}

// ---- shadow page tables discarded and rebuilt (shadow_miss) ----

static int is_guest(const struct sim *s, int dom)
{
	const struct domain *d = &s->arch->dom[dom];
	return d->vm != 0 && !d->hypervisor;
}

// Adds the page to the set of pages with a shadow entry; 1 if it was new.
static int shadow_fill(struct sim *s, uint64_t key)
{
	uint64_t k = key + 1; // 0 marks an empty slot
	uint32_t mask = SHADOW_SLOTS - 1, i = (uint32_t)(k * 0x9E3779B97F4A7C15ull >> 40) & mask;
	for (; s->shadow[i]; i = (i + 1) & mask)
		if (s->shadow[i] == k)
			return 0;
	if (s->shadow_n >= SHADOW_SLOTS / 4 * 3)
		return 0; // full: further pages count as mapped (see walk.h)
	s->shadow[i] = k;
	s->shadow_n++;
	return 1;
}

static void run_sensitive(struct sim *s, int kind, uint32_t count, int svc, int op);

// Before guest domain `dom` references [va, va+bytes): under a monitor that
// rebuilds its shadow tables, each page not yet shadowed since the last
// discard takes a hidden fault (the architecture's shadow_miss transport).
static void shadow_check(struct sim *s, int dom, uint64_t va, uint64_t bytes)
{
	if (!bytes || s->arch->sensitive[SENS_SHADOW_MISS] < 0 || !is_guest(s, dom))
		return;
	uint32_t shift = s->m->page_shift;
	for (uint64_t pg = va >> shift; pg <= (va + bytes - 1) >> shift; pg++)
		if (shadow_fill(s, (uint64_t)s->cr3 << 44 ^ pg))
			run_sensitive(s, SENS_SHADOW_MISS, 1, -1, -1);
}

static void ref_fetch(struct sim *s, int dom, uint64_t va, uint64_t bytes)
{
	shadow_check(s, dom, va, bytes);
	machine_fetch(s->m, va, bytes);
}

static void ref_load(struct sim *s, int dom, uint64_t va, uint64_t bytes)
{
	shadow_check(s, dom, va, bytes);
	machine_load(s->m, va, bytes);
}

static void ref_store(struct sim *s, int dom, uint64_t va, uint64_t bytes)
{
	shadow_check(s, dom, va, bytes);
	machine_store(s->m, va, bytes);
}

// The transport of sensitive operation `kind` made by operation op of
// service svc (-1: no operation's): the architecture's own for that
// operation, else for that service, else for the kind; -1 native.
static int sensitive_transport(const struct arch *a, int kind, int svc, int op)
{
	int t = a->sensitive[kind];
	for (int i = 0; i < a->nsens_for; i++) {
		if (a->sens_for[i].kind != kind || a->sens_for[i].service != svc)
			continue;
		if (a->sens_for[i].op == op)
			return a->sens_for[i].transport;
		if (a->sens_for[i].op < 0)
			t = a->sens_for[i].transport;
	}
	return t;
}

// A guest kernel's sensitive operation: the architecture's transport for
// it, once per `batch` operations; natively nothing beyond its instructions.
static void run_sensitive(struct sim *s, int kind, uint32_t count, int svc, int op);

static void sensitive_ops(struct sim *s, int kind, uint32_t count, int svc, int op)
{
	const struct domain *d = &s->arch->dom[s->cur_dom];
	if (d->vm == 0 || d->hypervisor)
		return;
	run_sensitive(s, kind, count, svc, op);
}

// The transport of a sensitive operation, whoever is running: a guest
// page the monitor touches on the guest's behalf (its entry code run while
// reflecting a trap) misses the shadow table too.
static void run_sensitive(struct sim *s, int kind, uint32_t count, int svc, int op)
{
	const struct arch *a = s->arch;
	int ti = sensitive_transport(a, kind, svc, op);
	if (!count || ti < 0)
		return;
	// APIC virtualisation (posted interrupts, virtual EOI: Intel SDM Vol. 3,
	// chapter "APIC virtualization and virtual interrupts") lets the guest
	// write its own virtual APIC page: no exit.
	if (kind == SENS_APIC && s->m->prof.apicv)
		return;
	const struct transport *t = &a->tr[ti];
	// Notification suppression: the back end, not yet run since the last
	// notification, has not asked for another (the guest idles or the
	// call ends before it runs: sim_run_once and STEP_IDLE clear this).
	if (t->event_idx && s->notified[ti])
		return;
	s->notified[ti] = (unsigned char)t->event_idx;
	uint32_t batch = t->batch > 0 ? (uint32_t)t->batch : 1;
	uint32_t crossings = (count + batch - 1) / batch;
	struct inst here = cur(s);
	// One trace row for the batch: the monitor is the first domain its
	// steps name (the hypervisor), the trips counted in it.
	const char *mon = a->dom[here.dom].name;
	for (int i = 0; i < t->ncall; i++)
		if (t->call[i].target == TGT_NAMED) {
			mon = a->dom[t->call[i].domain].name;
			break;
		}
	step_trace_detail(s, TK_MONITOR, mon, t->name);
	if (s->tr && !s->tr_quiet && s->tr_saved_valid && s->tr->n)
		s->tr->step[s->tr->n - 1].count = crossings;
	s->tr_quiet++;
	for (uint32_t i = 0; i < crossings; i++)
		run_transport_steps(s, t, t->call, t->ncall, here, here);
	s->tr_quiet--;
	const char *insn = sensitive_insn_of(kind); // the x86 instruction (configs/isa/x86-32.yaml)
	step_trace_why(s, insn ? insn : sensitive_names[kind]);
	step_trace_resume(s);
	s->m->no_global = a->dom[here.dom].no_global; // the transport may have entered other domains
}

// Binary translation: the first time a guest operation runs, the translator
// fills the translation cache, one run of its operation per basic block
// (taken as 8 guest instructions); later runs execute the cached code.
static void translate_once(struct sim *s, int svc, int opi, const struct domain *d)
{
	uint32_t bit = 1u << opi;
	if (d->translator_svc < 0 || (s->translated[svc] & bit))
		return;
	s->translated[svc] |= bit;
	const struct op *o = &s->arch->svc.s[svc].ops[opi];
	const struct service *ts = &s->arch->svc.s[d->translator_svc];
	const struct op *t = &ts->ops[d->translator_op];
	uint32_t blocks = (o->instructions + 7) / 8;
	int tdom = placement_op(s->arch, d->translator_svc, d->translator_op, -1);
	uint64_t base = dom_base(s, tdom), toff, doff;
	arch_offsets(s->arch, d->translator_svc, tdom, &toff, &doff);
	for (uint32_t b = 0; b < blocks; b++) {
		machine_fetch(s->m, base + toff + t->code_off,
			      t->code_bytes ? t->code_bytes : (uint64_t)(t->instructions * s->m->prof.insn_bytes));
		machine_exec(s->m, t->instructions);
	}
	step_trace_why(s, "translate");
}

static void run_op(struct sim *s, int svc, int opi, struct inst where)
{
	const struct service *sv = &s->arch->svc.s[svc];
	const struct op *o = &sv->ops[opi];
	struct machine *m = s->m;
	translate_once(s, svc, opi, dom_of(s, where));
	uint64_t base = dom_base(s, where.dom), toff, doff;
	arch_offsets(s->arch, svc, where.dom, &toff, &doff);
	uint64_t code = o->code_bytes ? o->code_bytes
				      : (uint64_t)((double)o->instructions * m->prof.insn_bytes + 0.5);
	// Its references are made as `where`'s (global or not), whatever runs it.
	m->no_global = s->arch->dom[where.dom].no_global;
	ref_fetch(s, where.dom, base + toff + o->code_off, code);
	machine_exec(m, o->instructions);
	uint64_t data = base + DATA_OFF + doff;
	for (int i = 0; i < o->ndata; i++) {
		const struct data_use *u = &o->data[i];
		if (u->fresh) {
			uint64_t page = (s->fresh_next++ % FRESH_PAGES) << 12;
			ref_store(s, where.dom, base + FRESH_OFF + page, u->bytes);
		} else if (u->store)
			ref_store(s, where.dom, data + u->offset, u->bytes);
		else
			ref_load(s, where.dom, data + u->offset, u->bytes);
	}
	m->no_global = s->arch->dom[s->cur_dom].no_global;
	// Code run outside its service's placement (the host's own copy of a
	// driver, {run: ..., in: DOMAIN}) is named with its domain: op@domain.
	if (s->tr) { // formatted only for a trace: it was 8% of an untraced sweep
		char opname[2 * NAME_LEN];
		int away = where.dom != placement_op(s->arch, svc, opi, -1);
		snprintf(opname, sizeof opname, "%s%s%s", o->name, away ? "@" : "", away ? s->arch->dom[where.dom].name : "");
		step_trace_ran(s, sv->name, opname);
	}
	// A host's or driver domain's own copy of guest code ({run: ..., in:})
	// runs unintercepted.
	for (int k = 0; k < SENS__N && is_guest(s, where.dom); k++)
		if (k != SENS_CR3_WRITE)
			sensitive_ops(s, k, o->sensitive[k], svc, opi);
	// A flush empties the TLB of the space's non-global entries, whoever
	// carries it out; run natively, its instruction costs the hardware's part.
	if (o->sensitive[SENS_TLB_FLUSH]) {
		if (!is_guest(s, where.dom) || sensitive_transport(s->arch, SENS_TLB_FLUSH, svc, opi) < 0)
			for (uint32_t i = 0; i < o->sensitive[SENS_TLB_FLUSH]; i++)
				machine_event(m, EV_TLB_FLUSH);
		machine_flush_tlb(m, 1);
	}
}

// The entry code (trap, fault, interrupt, exit stubs) of the kernel, run
// where the architecture places `entry` (under a hypervisor: the guest's),
// when the hardware event belongs to that kernel: `from` is the domain on
// the user side of the event (the trapping process, the process returned
// to), `to` the domain the event enters. The guest's entry code does not
// run for
//  - a guest kernel in ring 3 (a 64-bit paravirtual guest): the hypervisor
//    takes every event and bounces it; the transport names the guest's
//    entry code where the guest runs it;
//  - an event of another machine (a host process entering the host
//    kernel, under a hosted monitor or a user-level device model);
//  - an interrupt taken by a monitor: the guest's handler runs when the
//    interrupt is injected, and the transport names it there.
static void run_entry(struct sim *s, const char *opname, int from, int to)
{
	const struct arch *a = s->arch;
	if (a->entry_service < 0)
		return;
	int o = op_find(&a->svc.s[a->entry_service], opname);
	if (o < 0)
		return;
	int ed = placement_op(a, a->entry_service, o, -1);
	const struct domain *e = &a->dom[ed];
	if (e->ring == 3 || a->dom[from].vm != e->vm)
		return;
	if (!strcmp(opname, "interrupt") && a->dom[to].hypervisor && !e->hypervisor)
		return;
	run_op(s, a->entry_service, o, inst_of(s, ed, s->cur_proc));
}

static void write_cr3(struct sim *s, uint32_t space)
{
	sensitive_ops(s, SENS_CR3_WRITE, 1, -1, -1);
	machine_write_cr3(s->m, space);
	s->cr3 = space;
}

static void load_space(struct sim *s, struct inst target)
{
	uint32_t sp = inst_space(s, target);
	if (sp == 0)
		return; // global: mapped in every space
	if (dom_of(s, target)->small) {
		if (s->seg != sp) {
			s->os.as_switches++;
			s->seg = sp;
			machine_set_segment(s->m, sp);
		}
		return;
	}
	if (s->cr3 == sp && s->seg == 0)
		return;
	s->os.as_switches++;
	s->seg = 0;
	machine_set_segment(s->m, 0);
	if (s->cr3 != sp)
		write_cr3(s, sp);
}

// Message buffers start at a different line of the page in each domain
// (see page_colour in arch.c for why).
static uint64_t msgbuf(const struct sim *s, struct inst i)
{
	return dom_base(s, i.dom) + MSG_OFF + (uint64_t)((i.dom * 37 + 11) % 64) * 64;
}

static void copy_cost(struct sim *s, uint32_t bytes)
{
	// rep movs-style copy: about one instruction per 8 bytes plus set-up
	machine_exec(s->m, 16 + bytes / 8);
}

// The kind of the open trace row, -1 when none (or not tracing, or inside a batch).
static int open_kind(const struct sim *s)
{
	if (!s->tr || s->tr_quiet || !s->tr->n || !s->tr_saved_valid)
		return -1;
	return s->tr->step[s->tr->n - 1].kind;
}

// A copy within transport t: a copy row (one per run of copy steps) with
// the bytes copied and the lines read and written. Through a kernel buffer
// (`buffers` 2) each step is a whole copy (into the buffer, out of it);
// directly, copy_in reads and copy_out writes one copy of the message.
static void step_trace_copy(struct sim *s, const struct transport *t, struct inst dst, int buffers)
{
	if (!s->tr || s->tr_quiet)
		return;
	if (open_kind(s) != TK_COPY) {
		char to[NAME_LEN];
		inst_name(s, dst, to);
		step_trace_detail(s, TK_COPY, to, t->name);
	}
	if (open_kind(s) != TK_COPY)
		return;
	struct trace_step *st = &s->tr->step[s->tr->n - 1];
	uint32_t line = s->m->prof.l1d.line ? s->m->prof.l1d.line : 64;
	if (buffers == 2)
		st->bytes += s->msg_bytes;
	else if (st->bytes < s->msg_bytes)
		st->bytes = s->msg_bytes;
	st->lines += (uint32_t)buffers * ((s->msg_bytes + line - 1) / line);
}

// A VM exit or hypercall inside a crossing: a monitor row until the guest
// is entered again.
static void step_trace_monitor(struct sim *s, const struct transport *t, struct inst h)
{
	if (!s->tr || s->tr_quiet)
		return;
	if (open_kind(s) >= 0)
		step_trace_resume(s);
	step_trace_detail(s, TK_MONITOR, dom_of(s, h)->name, t->name);
	if (open_kind(s) == TK_MONITOR)
		s->tr->step[s->tr->n - 1].count = 1;
}

static void step_trace_back_from_monitor(struct sim *s)
{
	if (open_kind(s) == TK_MONITOR || open_kind(s) == TK_FAULT)
		step_trace_resume(s);
}

static struct inst step_target(const struct sim *s, const struct step *st, struct inst src,
			       struct inst dst, int default_kernel)
{
	switch (st->target) {
	case TGT_SRC: return src;
	case TGT_NAMED:
		return inst_of(s, st->domain, st->of == TGT_DST ? dst.proc : st->of == TGT_SRC ? src.proc : s->cur_proc);
	default: break;
	}
	return default_kernel ? inst_of(s, s->arch->kernel_domain, 0) : dst;
}

static void run_step(struct sim *s, const struct transport *t, const struct step *st,
		     struct inst src, struct inst dst)
{
	struct machine *m = s->m;
	const struct arch *a = s->arch;
	switch (st->kind) {
	case STEP_TRAP:
	case STEP_EXCEPTION: {
		// Only an entry from user mode is a trap; a kernel that is already
		// running (an in-kernel driver replying) enters nothing. A fault
		// taken by a deprivileged guest kernel into a more privileged named
		// domain (a write to a traced page table under binary translation)
		// is a hidden fault: its cost, no trap.
		struct inst k = step_target(s, st, src, dst, st->target != TGT_NAMED);
		if (s->ring != 3) {
			// A fault raised while a kernel runs is still an exception:
			// its event and the fault entry, no trap (not from user mode).
			if (st->kind == STEP_EXCEPTION) {
				step_trace_detail(s, TK_FAULT, dom_of(s, k)->name, t->name);
				machine_event(m, EV_EXCEPTION);
				if (st->target == TGT_NAMED && dom_of(s, k)->ring < s->ring) {
					set_ring(s, dom_of(s, k)->ring);
					enter_domain(s, k);
				} else {
					run_entry(s, "fault", s->cur_dom, s->cur_dom);
				}
			}
			break;
		}
		s->os.traps++;
		int from = s->cur_dom;
		machine_event(m, st->kind == STEP_TRAP ? EV_TRAP_ENTER : EV_EXCEPTION);
		set_ring(s, dom_of(s, k)->ring);
		enter_domain(s, k);
		run_entry(s, st->kind == STEP_TRAP ? "syscall" : "fault", from, k.dom);
		break;
	}
	case STEP_INTERRUPT: {
		struct inst k = step_target(s, st, src, dst, st->target != TGT_NAMED);
		machine_event(m, EV_INTERRUPT);
		set_ring(s, dom_of(s, k)->ring);
		enter_domain(s, k);
		run_entry(s, "interrupt", k.dom, k.dom);
		break;
	}
	case STEP_LEAVE: {
		struct inst to = step_target(s, st, src, dst, 0);
		int ring = dom_of(s, to)->ring;
		if (ring == 3 && s->ring < 3) {
			run_entry(s, "exit", to.dom, to.dom);
			machine_event(m, EV_TRAP_EXIT);
		}
		set_ring(s, ring);
		enter_domain(s, to);
		break;
	}
	case STEP_ENTER: {
		// A far transfer between rings (monitor <-> deprivileged guest
		// kernel) costs the hardware's ring transition; within a ring, nothing.
		// Into ring 3 the transfer is an iret/sysret (a 64-bit PV guest
		// kernel, a process after a hidden fault).
		struct inst to = step_target(s, st, src, dst, 0);
		if (dom_of(s, to)->ring != s->ring)
			machine_event(m, dom_of(s, to)->ring == 3 ? EV_TRAP_EXIT : EV_RING_TRANSITION);
		set_ring(s, dom_of(s, to)->ring);
		enter_domain(s, to);
		if (!dom_of(s, to)->hypervisor)
			step_trace_back_from_monitor(s);
		break;
	}
	case STEP_RUN: {
		int d = st->in_dom >= 0 ? st->in_dom : placement_op(a, st->service, st->op, -1);
		run_op(s, st->service, st->op, inst_of(s, d, s->cur_proc));
		break;
	}
	case STEP_SCHEDULE: {
		// Another domain's world: its page tables (a CR3 write, made by the
		// hypervisor, never intercepted) and, between VMs without VPID, a
		// full TLB flush; the domain then runs in its own ring.
		struct inst to = step_target(s, st, src, dst, 0);
		s->os.domain_switches++;
		if (dom_of(s, to)->ring != s->ring)
			machine_event(m, dom_of(s, to)->ring == 3 ? EV_TRAP_EXIT : EV_RING_TRANSITION);
		set_ring(s, dom_of(s, to)->ring);
		machine_set_vm(m, (uint32_t)dom_of(s, to)->vm, dom_of(s, to)->nested);
		// A domain without a space of its own (a guest kernel mapped in
		// its processes' spaces) resumes the space its world left.
		uint32_t sp = inst_space(s, to);
		if (sp)
			s->world_cr3 = s->cr3;
		else
			sp = s->world_cr3;
		if (sp != s->cr3 || s->seg) {
			s->os.as_switches++;
			s->seg = 0;
			machine_set_segment(m, 0);
			machine_write_cr3(m, sp);
			s->cr3 = sp;
		}
		enter_domain(s, to);
		step_trace_why(s, st->why[0] ? st->why : "domain-switch");
		break;
	}
	case STEP_GRANT:
		s->os.grant_ops++;
		break;
	case STEP_HIDDEN_FAULT: {
		// Into VMX root it is a VM exit (a #PF the exception bitmap
		// intercepts); into a software monitor, a hardware fault.
		struct inst h = step_target(s, st, src, dst, 1);
		s->os.hidden_faults++;
		if (dom_of(s, h)->vmx_root) {
			s->guest_cr3 = s->cr3;
			s->os.vm_exits++;
			s->os.vmx_transitions++;
			machine_event(m, EV_VMEXIT);
			machine_set_vm(m, (uint32_t)dom_of(s, h)->vm, dom_of(s, h)->nested);
		} else {
			machine_event(m, EV_EXCEPTION);
		}
		set_ring(s, dom_of(s, h)->ring);
		enter_domain(s, h);
		step_trace_why(s, st->why[0] ? st->why : "hidden-fault");
		break;
	}
	case STEP_RELOAD_CR3:
		// Another page table of the same space: not a process switch (the
		// hypervisor's own write, never intercepted).
		s->os.as_switches++;
		machine_write_cr3(m, s->cr3);
		step_trace_why(s, st->why[0] ? st->why : "reload-cr3");
		break;
	case STEP_DISCARD_SHADOWS:
		memset(s->shadow, 0, sizeof s->shadow);
		s->shadow_n = 0;
		break;
	case STEP_SPACE:
		load_space(s, step_target(s, st, src, dst, 0));
		break;
	case STEP_COPY_IN:
		if (s->msg_bytes <= t->register_bytes)
			break; // empty, or carried in registers
		step_trace_copy(s, t, dst, t->via_kernel ? 2 : 1);

		ref_load(s, s->cur_dom, msgbuf(s, src), s->msg_bytes);
		if (t->via_kernel)
			ref_store(s, s->cur_dom, msgbuf(s, inst_of(s, a->kernel_domain, 0)), s->msg_bytes);
		copy_cost(s, s->msg_bytes);
		break;
	case STEP_COPY_OUT:
		if (s->msg_bytes <= t->register_bytes)
			break;
		step_trace_copy(s, t, dst, t->via_kernel ? 2 : 1);
		if (t->via_kernel)
			ref_load(s, s->cur_dom, msgbuf(s, inst_of(s, a->kernel_domain, 0)), s->msg_bytes);
		ref_store(s, s->cur_dom, msgbuf(s, dst), s->msg_bytes);
		copy_cost(s, s->msg_bytes);
		break;
	case STEP_MESSAGE:
		s->os.ipc_messages++;
		break;
	case STEP_CALL:
		machine_exec(m, CALL_INSTRUCTIONS);
		break;
	case STEP_HANDOFF: {
		// The other side is already running on its own core (a kernel
		// thread polling a ring, or the caller spinning on the completion
		// ring): this core neither traps nor changes ring; the ring's
		// line, written here, is read there.
		struct inst to = step_target(s, st, src, dst, 0);
		s->ring = dom_of(s, to)->ring;
		enter_domain(s, to);
		machine_line_transfer(m);
		break;
	}
	case STEP_IDLE:
		// The CPU idles: the back ends run and ask for notifications again.
		memset(s->notified, 0, sizeof s->notified);
		s->os.io_wait_usec += s->io_wait;
		if (s->dev_node >= 0 && s->wake_start < 0)
			s->wake_start = counters_cycles(&m->ctr);
		break;
	case STEP_HANDLER:
		run_handler(s);
		break;
	case STEP_HYPERCALL: {
		// From ring 3 (a 64-bit PV guest kernel) the hypercall page's entry
		// is a SYSCALL instruction (Xen's lstar_enter takes it, see
		// xen/arch/x86/x86_64/entry.S): the hardware cost of a system call.
		struct inst h = step_target(s, st, src, dst, 1);
		step_trace_monitor(s, t, h);
		s->os.hypercalls++;
		machine_event(m, s->ring == 3 ? EV_TRAP_ENTER : EV_HYPERCALL);
		set_ring(s, dom_of(s, h)->ring);
		enter_domain(s, h);
		step_trace_why(s, st->why);
		break;
	}
	case STEP_VMEXIT: {
		struct inst h = step_target(s, st, src, dst, 1);
		step_trace_monitor(s, t, h);
		s->guest_cr3 = s->cr3;
		s->os.vm_exits++;
		s->os.vmx_transitions++;
		machine_event(m, EV_VMEXIT);
		machine_set_vm(m, (uint32_t)dom_of(s, h)->vm, dom_of(s, h)->nested);
		set_ring(s, dom_of(s, h)->ring);
		enter_domain(s, h);
		step_trace_why(s, st->why);
		break;
	}
	case STEP_VMENTRY: {
		struct inst g = step_target(s, st, src, dst, 0);
		s->os.vmx_transitions++;
		machine_event(m, EV_VMENTRY);
		if (s->cr3 != s->guest_cr3) { // the host loaded another space (a user-level device model)
			s->cr3 = s->guest_cr3;
			machine_set_space(m, s->cr3);
		}
		machine_set_vm(m, (uint32_t)dom_of(s, g)->vm, dom_of(s, g)->nested);
		set_ring(s, dom_of(s, g)->ring);
		enter_domain(s, g);
		step_trace_back_from_monitor(s);
		break;
	}
	}
}

static void run_transport_steps(struct sim *s, const struct transport *t, const struct step *steps,
				int n, struct inst src, struct inst dst)
{
	for (int i = 0; i < n; i++) {
		// The crossing goes on after its copy.
		if (steps[i].kind != STEP_COPY_IN && steps[i].kind != STEP_COPY_OUT && open_kind(s) == TK_COPY)
			step_trace_resume(s);
		run_step(s, t, &steps[i], src, dst);
	}
	step_trace_resume(s); // a detail row open at the end: the rest is the crossing's
}

// ---- transports and the walk ----

static int pattern_match(const struct arch *a, const char *pat, int dom, int other_dom, int is_to,
			 int svc)
{
	const struct domain *d = &a->dom[dom];
	if (pat[0] == '@') // the callee service, e.g. user->@ukernel: a kernel's own trap interface
		return is_to && svc >= 0 && !strcmp(pat + 1, a->svc.s[svc].name);
	if (!strcmp(pat, "*"))
		return 1;
	if (!strcmp(pat, "same"))
		return is_to && dom == other_dom;
	if (!strcmp(pat, "user"))
		return d->ring == 3;
	if (!strcmp(pat, "kernel"))
		return d->ring < 3;
	return !strcmp(pat, d->name);
}

// The transport for an edge, or -1 for a plain call within one domain
// instance; -2 if the architecture says nothing about this crossing.
static int transport_for(const struct arch *a, int kind, struct inst from, struct inst to, int svc)
{
	int same = from.dom == to.dom && from.proc == to.proc;
	for (int i = 0; i < a->nrules; i++) {
		const struct rule *r = &a->rules[i];
		if (r->kind != kind)
			continue;
		int to_same = !strcmp(r->to, "same");
		if (to_same != same)
			continue;
		if (pattern_match(a, r->from, from.dom, to.dom, 0, svc) &&
		    (to_same || pattern_match(a, r->to, to.dom, from.dom, 1, svc)))
			return r->transport;
	}
	return same ? -1 : -2;
}

// Two domain instances between which no call can be plain: they differ in
// privilege ring, address space, virtual machine or VMX root mode.
static int boundary_between(const struct sim *s, struct inst a, struct inst b)
{
	const struct domain *x = dom_of(s, a), *y = dom_of(s, b);
	return x->ring != y->ring || inst_space(s, a) != inst_space(s, b) || x->vm != y->vm ||
	       x->vmx_root != y->vmx_root;
}

// Whether a transport's steps take the CPU out of a guest: a VM exit or a
// hypercall (the only ways in hardware from a guest into its monitor).
static int has_monitor_entry(const struct transport *t)
{
	for (int i = 0; i < t->ncall; i++)
		if (t->call[i].kind == STEP_VMEXIT || t->call[i].kind == STEP_HYPERCALL)
			return 1;
	return 0;
}

// Whether a transport's reply loads the receiver's address space (and so
// can resume another process than the caller); a reply that does not (a
// call into a library in the caller's own space) cannot switch processes.
static int reply_loads_space(const struct transport *t)
{
	const struct step *st = t->nret >= 0 ? t->ret : t->call;
	int n = t->nret >= 0 ? t->nret : t->ncall;
	for (int i = 0; i < n; i++)
		if (st[i].kind == STEP_SPACE)
			return 1;
	return 0;
}

static void walk_error(struct sim *s, const char *fmt, const char *x, const char *y)
{
	if (s->error[0])
		return;
	snprintf(s->error, sizeof s->error, fmt, s->arch->name, edge_names[s->edge], x, y);
}

static void cross(struct sim *s, int t, int is_return, struct inst src,
		  struct inst dst, uint32_t bytes)
{
	const struct arch *a = s->arch;
	const struct domain *sd = dom_of(s, src), *dd = dom_of(s, dst);
	// From a guest into its monitor there is no other way than a VM exit or
	// a hypercall, whatever the two domains' rings.
	if (!is_return && sd->vm > 0 && !sd->hypervisor && (dd->vmx_root || dd->hypervisor) &&
	    (t < 0 || !has_monitor_entry(&a->tr[t])))
		walk_error(s, "architecture %s crosses from guest to hypervisor without a VM exit or hypercall "
			      "(a %s from domain %s to domain %s)", sd->name, dd->name);
	if (t < 0) {
		// A function call. Without a rule, only between two domains that
		// share ring, address space, virtual machine and root mode can a
		// call be plain; anything else would cross a boundary for free, so
		// the architecture file is wrong and the run fails.
		if (t == -2 && boundary_between(s, src, dst))
			walk_error(s, "architecture %s has no crossing rule for a %s from domain %s to domain %s",
				   sd->name, dd->name);
		machine_exec(s->m, CALL_INSTRUCTIONS);
		enter_domain(s, dst);
		if (src.dom != dst.dom || src.proc != dst.proc)
			step_trace_work(s, dst);
		return;
	}
	const struct transport *tr = &a->tr[t];
	if (is_return && tr->nret == 0) {
		// `return: []`: the callee's side carries on and the caller's has
		// blocked or been left for good (an upcall into a library OS, a
		// frame handed to a guest): no crossing back, so no row; the
		// callee's row goes on.
		enter_domain(s, dst);
		return;
	}
	step_trace_begin(s, TK_CROSS, src, dst, tr->name);
	s->msg_bytes = bytes;
	if (is_return && tr->nret >= 0)
		run_transport_steps(s, tr, tr->ret, tr->nret, src, dst);
	else
		run_transport_steps(s, tr, tr->call, tr->ncall, src, dst);
	s->msg_bytes = 0;
	enter_domain(s, dst);
	step_trace_work(s, dst);
}

// A fault the architecture has no transport for: raised while a kernel
// runs (ring 0 or 1), the CPU takes an exception in that kernel (its event
// and the fault entry code: never a free call); raised in user mode, the
// architecture must say where faults go.
static void kernel_fault(struct sim *s, struct inst src, struct inst dst)
{
	if (dom_of(s, src)->ring == 3) {
		walk_error(s, "architecture %s has no crossing rule for a %s from domain %s to domain %s "
			      "(a fault always enters a kernel)", dom_of(s, src)->name, dom_of(s, dst)->name);
		return;
	}
	if (boundary_between(s, src, dst))
		walk_error(s, "architecture %s has no crossing rule for a %s from domain %s to domain %s",
			   dom_of(s, src)->name, dom_of(s, dst)->name);
	step_trace_begin(s, TK_FAULT, src, dst, "exception");
	machine_event(s->m, EV_EXCEPTION);
	run_entry(s, "fault", s->cur_dom, s->cur_dom);
	enter_domain(s, dst);
	step_trace_work(s, dst);
}

static int proc_of(const char *name, int dflt)
{
	if (!name[0])
		return dflt;
	if (!strcmp(name, "peer"))
		return PROC_PEER;
	if (!strcmp(name, "child"))
		return PROC_CHILD;
	return PROC_APP;
}

// One call and its return: from `caller` into `callee` (svc.op), the
// children of workload node `ni` (-1: none), back to `ret_to`.
// `client`: the process on whose behalf the call runs (it picks the
// personality when an architecture places a service per process).
static void exec_node(struct sim *s, int ni, struct inst caller,
		      struct inst ret_to, int client);

static void invoke(struct sim *s, int ni, int svc, int op, int kind,
		   uint32_t args, uint32_t result, struct inst caller, struct inst callee,
		   struct inst ret_to, int client)
{
	const struct workload *w = s->wl;
	int t = transport_for(s->arch, kind, caller, callee, svc);
	s->edge = kind;
	if (kind == EDGE_FAULT && t < 0)
		kernel_fault(s, caller, callee);
	else
		cross(s, t, 0, caller, callee, args);
	run_op(s, svc, op, callee);
	if (ni >= 0)
		for (int c = ni + 1; c < w->n; c++)
			if (w->nodes[c].parent == ni)
				exec_node(s, c, callee, callee, client);
	if (ni >= 0 && w->nodes[ni].copy_out) {
		// The callee copies into the process's buffer itself (an
		// asynchronous request completing: copy_to_user in the read,
		// no crossing carries the bytes): the same loads, stores and copy
		// loop as a crossing's copy_in and copy_out.
		uint32_t b = w->nodes[ni].copy_out;
		machine_load(s->m, msgbuf(s, callee), b);
		copy_cost(s, b);
		machine_store(s->m, msgbuf(s, inst_of(s, s->arch->app_domain, client)), b);
		copy_cost(s, b);
	}
	// A transport's reply reaches whichever process resumes (its steps load
	// that process's space); a plain call that resumes another process is
	// a crossing of its own, from the callee to that process.
	int back = t;
	if ((ret_to.dom != caller.dom || ret_to.proc != caller.proc) &&
	    (t < 0 || !reply_loads_space(&s->arch->tr[t])))
		back = transport_for(s->arch, EDGE_CALL, callee, ret_to, -1);
	s->edge = back != t ? EDGE_CALL : kind;
	cross(s, back, back != t ? 0 : 1, callee, ret_to, result);
}

// The interrupt handler's work that ends the current device wait: the
// device node's calls, made from wherever the transport has brought the
// walk (the domain that took the interrupt). Runs once per wait.
static void run_handler(struct sim *s)
{
	if (s->dev_node < 0 || s->dev_handled)
		return;
	s->dev_handled = 1;
	struct inst here = cur(s);
	for (int c = s->dev_node + 1; c < s->wl->n; c++)
		if (s->wl->nodes[c].parent == s->dev_node)
			exec_node(s, c, here, here, s->dev_client);
	enter_domain(s, here);
}

// Where device node ni's handler runs: the domain of its first call (the
// driver's interrupt code) for process `client`, -1 if it has none; *svc
// its service. Resolved by name against the architecture's own services.
static int handler_domain(const struct arch *a, const struct workload *w, int ni, int client, int *svc)
{
	*svc = -1;
	for (int c = ni + 1; c < w->n; c++) {
		if (w->nodes[c].parent != ni)
			continue;
		if (w->nodes[c].device)
			return -1;
		int sv = service_find(&a->svc, w->nodes[c].svc_name);
		int op = sv >= 0 ? op_find(&a->svc.s[sv], w->nodes[c].op_name) : -1;
		if (op < 0)
			return -1;
		*svc = sv;
		return placement_op(a, sv, op, client);
	}
	return -1;
}

// The transport of a device wait in domain `wdom` whose handler runs in
// domain `hdom` (service hsvc): a rule that names both (WAITER->HANDLER,
// the handler by domain or by @service: a guest waiting for a packet that
// its driver domain receives) is more specific than one that names only
// the waiting domain, and wins wherever it stands; -1 if no rule (or
// `call`).
static int device_transport(const struct arch *a, int wdom, int hdom, int hsvc)
{
	for (int pair = 1; pair >= 0; pair--)
		for (int i = 0; i < a->nrules; i++) {
			const struct rule *r = &a->rules[i];
			if (r->kind != EDGE_DEVICE || (strcmp(r->to, "same") != 0) != pair)
				continue;
			if (!pattern_match(a, r->from, wdom, hdom, 0, -1))
				continue;
			if (!pair || (hdom >= 0 && pattern_match(a, r->to, hdom, wdom, 1, hsvc)))
				return r->transport;
		}
	return -1;
}

// A device wait: the architecture's device transport (idle, the interrupt,
// the handler: the node's calls, the wake-up), the device's time from the
// machine profile, the wake-up path's cycles counted from the idle step.
static void device_wait(struct sim *s, int ni, struct inst caller, int client)
{
	const struct arch *a = s->arch;
	const struct node *n = &s->wl->nodes[ni];
	const struct device_times *dt = &s->m->prof.dev;
	int hsvc, hdom = handler_domain(a, s->wl, ni, client, &hsvc);
	int t = device_transport(a, caller.dom, hdom, hsvc);
	s->io_wait = n->device_kind == DEV_DISK ? dt->disk_usec
		     : n->device_kind == DEV_NIC ? dt->nic_usec
						 : n->device_usec_x100 / 100.0;
	int saved_node = s->dev_node, saved_client = s->dev_client, saved_handled = s->dev_handled;
	double saved_start = s->wake_start;
	s->dev_node = ni;
	s->dev_client = client;
	s->dev_handled = 0;
	s->wake_start = -1;
	if (t >= 0) { // sim_init checked that there is a rule
		step_trace_begin(s, TK_CROSS, caller, caller, a->tr[t].name);
		run_transport_steps(s, &a->tr[t], a->tr[t].call, a->tr[t].ncall, caller, caller);
	}
	run_handler(s); // a transport without a handler step: the handler's calls run last
	if (s->wake_start >= 0)
		s->os.wake_cycles += counters_cycles(&s->m->ctr) - s->wake_start;
	enter_domain(s, caller);
	if (t >= 0)
		step_trace_work(s, caller);
	s->dev_node = saved_node;
	s->dev_client = saved_client;
	s->dev_handled = saved_handled;
	s->wake_start = saved_start;
}

static void exec_node_once(struct sim *s, int ni, struct inst caller, struct inst ret_to, int client)
{
	const struct arch *a = s->arch;
	const struct node *n = &s->wl->nodes[ni];
	if (n->device) {
		device_wait(s, ni, caller, client);
		return;
	}
	int svc = s->node_svc[ni], op = s->node_op[ni];
	int d = placement_op(a, svc, op, client);
	struct inst callee = inst_of(s, d, proc_of(n->proc, caller.proc));
	invoke(s, ni, svc, op, n->kind, n->args, n->result, caller, callee, ret_to, client);
}

// A node runs `repeat` times in a row (seven page faults, a hundred descriptors).
static void exec_node(struct sim *s, int ni, struct inst caller, struct inst ret_to, int client)
{
	uint32_t times = s->wl->nodes[ni].repeat ? s->wl->nodes[ni].repeat : 1; // 0: built without the loader
	for (uint32_t r = 0; r < times; r++)
		exec_node_once(s, ni, caller, ret_to, client);
}

// The running process gives up the processor to process `to`: the
// scheduler's switch, called from the running process and returning into
// `to`, through the architecture's own crossings (as a yield in `ctxsw`).
// A root call made by another process than the running one starts so.
static void switch_process(struct sim *s, int from, int to)
{
	const struct arch *a = s->arch;
	int svc = service_find(&a->svc, "sched");
	int op = svc >= 0 ? op_find(&a->svc.s[svc], "switch") : -1;
	if (op < 0) {
		if (!s->error[0])
			snprintf(s->error, sizeof s->error, "architecture %s has no sched.switch to switch processes",
				 a->name);
		return;
	}
	struct inst caller = inst_of(s, a->app_domain, from), resume = inst_of(s, a->app_domain, to);
	struct inst callee = inst_of(s, placement_op(a, svc, op, from), from);
	invoke(s, -1, svc, op, EDGE_CALL, 0, 0, caller, callee, resume, from);
}

// The root process of node i (its root call's `from`).
static int root_proc(const struct workload *w, int i)
{
	while (w->nodes[i].parent >= 0)
		i = w->nodes[i].parent;
	return proc_of(w->nodes[i].from, PROC_APP);
}

// Resolves every node's operation in the architecture's own services (an
// architecture may redefine a service with its operations in another
// order) and checks that every device wait has a rule for the domain it
// waits in. Errors go to s->error.
static void check_workload(struct sim *s)
{
	const struct arch *a = s->arch;
	const struct workload *w = s->wl;
	for (int i = 0; i < w->n && !s->error[0]; i++) {
		const struct node *n = &w->nodes[i];
		s->node_svc[i] = s->node_op[i] = -1;
		if (n->device) {
			const struct node *p = &w->nodes[n->parent];
			int svc = service_find(&a->svc, p->svc_name);
			int op = svc >= 0 ? op_find(&a->svc.s[svc], p->op_name) : -1;
			int d = op >= 0 ? placement_op(a, svc, op, root_proc(w, i)) : -1;
			int hsvc, hdom = handler_domain(a, w, i, root_proc(w, i), &hsvc);
			if (d >= 0 && device_transport(a, d, hdom, hsvc) < 0)
				snprintf(s->error, sizeof s->error,
					 "architecture %s has no device rule for domain %s (where %s.%s waits for the device)",
					 a->name, a->dom[d].name, p->svc_name, p->op_name);
			continue;
		}
		int svc = service_find(&a->svc, n->svc_name);
		int op = svc >= 0 ? op_find(&a->svc.s[svc], n->op_name) : -1;
		if (op < 0)
			snprintf(s->error, sizeof s->error, "architecture %s has no operation %s.%s", a->name,
				 n->svc_name, n->op_name);
		s->node_svc[i] = svc, s->node_op[i] = op;
	}
}

// Which kernel mappings are global: the strictest `global:` of the kernel
// domains that run anything (a domain defined for an option that is off
// has nothing placed in it and does not count).
static int kernel_global_of(const struct arch *a, const struct profile *p)
{
	int mode = KGLOBAL_ALL;
	for (int dm = 0; dm < a->ndom; dm++) {
		const struct domain *d = &a->dom[dm];
		int used = 0;
		for (int i = 0; i < a->nplace && !used; i++)
			used = a->place[i].domain == dm;
		if (!used || d->ring == 3 || d->global == DGLOBAL_ALL)
			continue;
		int m = d->global == DGLOBAL_NONE || p->pcid ? KGLOBAL_NONE : KGLOBAL_TEXT;
		if (m > mode)
			mode = m;
	}
	return mode;
}

void sim_init(struct sim *s, const struct arch *a, const struct workload *w, struct machine *m)
{
	memset(s, 0, sizeof *s);
	s->arch = a;
	s->wl = w;
	s->m = m;
	s->dev_node = -1;
	s->wake_start = -1;
	struct inst app = inst_of(s, a->app_domain, PROC_APP);
	const struct domain *d = dom_of(s, app);
	s->ring = d->ring;
	enter_domain(s, app);
	s->running = PROC_APP;
	machine_set_vm(m, (uint32_t)d->vm, d->nested);
	s->cr3 = inst_space(s, app);
	s->guest_cr3 = s->world_cr3 = s->cr3;
	machine_write_cr3(m, s->cr3);
	machine_set_kernel_global(m, kernel_global_of(a, &m->prof));
	check_workload(s);
}

void sim_set_workload(struct sim *s, const struct workload *w)
{
	s->wl = w;
	s->error[0] = 0;
	check_workload(s);
}

void sim_app_work(struct sim *s)
{
	// The application runs in its own space between calls: its code (one
	// instruction per insn_bytes, fetched line by line) and its data.
	struct inst app = inst_of(s, s->arch->app_domain, PROC_APP);
	uint64_t base = dom_base(s, app.dom);
	if (s->wl->app_code) {
		ref_fetch(s, app.dom, base + APP_CODE_OFF, s->wl->app_code);
		machine_exec(s->m, (uint64_t)(s->wl->app_code / s->m->prof.insn_bytes));
	}
	if (s->wl->app_ws)
		ref_load(s, app.dom, base + WS_OFF, s->wl->app_ws);
}

void sim_run_once(struct sim *s)
{
	const struct workload *w = s->wl;
	s->tr_saved_valid = 0;
	s->tr_quiet = 0;
	memset(s->notified, 0, sizeof s->notified); // the back ends caught up between calls
	step_trace_work(s, cur(s)); // the first row: work before any crossing (a library OS's whole call)
	for (int i = 0; i < w->n; i++) {
		if (w->nodes[i].parent != -1)
			continue;
		if (s->error[0])
			break; // the architecture cannot carry this workload
		int from = proc_of(w->nodes[i].from, PROC_APP);
		int to = proc_of(w->nodes[i].resume, from);
		if (from != s->running)
			switch_process(s, s->running, from);
		struct inst caller = inst_of(s, s->arch->app_domain, from);
		struct inst resume = inst_of(s, s->arch->app_domain, to);
		exec_node(s, i, caller, resume, from);
		s->running = to;
	}
	step_trace_close(s);
}

int run_point(const struct arch *a, const struct workload *w, const struct profile *p,
	      const struct run_params *rp, struct run_result *out, struct trace *tr)
{
	return run_point_on(NULL, a, w, p, rp, out, tr);
}

int run_point_on(struct machine *keep, const struct arch *a, const struct workload *w,
		 const struct profile *p, const struct run_params *rp, struct run_result *out,
		 struct trace *tr)
{
	memset(out, 0, sizeof *out);
	// An option whose default follows the machine (vm-pv's pv=32|64 from
	// the profile's word size): run the variant for this profile.
	if (a->auto_opt[0]) {
		struct arch *v = malloc(sizeof *v);
		struct cfg_error err;
		int rc = v ? arch_for_profile(a, profile_word_bits(p), v, &err) : -1;
		if (rc < 0) {
			snprintf(out->error, sizeof out->error, "%.199s", v ? err.msg : "out of memory");
			free(v);
			return -3;
		}
		rc = run_point_on(keep, v, w, p, rp, out, tr);
		free(v);
		return rc;
	}
	if ((a->requires_vtx && !p->vtx) || (a->requires_ept && !p->ept))
		return -2;
	struct machine local, *m = keep ? keep : &local;
	if (keep ? machine_prepare(m, p, rp->seed) : machine_init(m, p, rp->seed))
		return -1;
	struct sim s;
	sim_init(&s, a, w, m);
	if (s.error[0]) {
		snprintf(out->error, sizeof out->error, "%s", s.error);
		if (m == &local)
			machine_free(m);
		return -3;
	}
	int warm = rp->cold ? 0 : rp->warmup;
	int reps = rp->cold ? 1 : (rp->reps > 0 ? rp->reps : 1);
	for (int i = 0; i < warm; i++) {
		sim_app_work(&s);
		sim_run_once(&s);
	}
	struct counters sum;
	struct os_counts osum;
	memset(&sum, 0, sizeof sum);
	memset(&osum, 0, sizeof osum);
	struct counters app;
	memset(&app, 0, sizeof app);
	for (int i = 0; i < reps; i++) {
		struct counters app_before = m->ctr, app_d;
		// The call's OS counts include what the application's own work
		// between calls made the monitor do (shadow entries it rebuilt):
		// nothing else in that work counts.
		struct os_counts obefore = s.os, od;
		sim_app_work(&s);
		counters_sub(&app_d, &m->ctr, &app_before);
		counters_add(&app, &app_d);
		struct counters before = m->ctr, d;
		int last = i == reps - 1;
		if (last) {
			machine_track(m, 1);
			s.tr = tr;
			if (tr)
				tr->n = 0;
		}
		sim_run_once(&s);
		machine_track(m, 0);
		s.tr = NULL;
		counters_sub(&d, &m->ctr, &before);
		os_counts_sub(&od, &s.os, &obefore);
		counters_add(&sum, &d);
		os_counts_add(&osum, &od);
	}
	if (s.error[0]) {
		snprintf(out->error, sizeof out->error, "%s", s.error);
		if (m == &local)
			machine_free(m);
		return -3;
	}
	// Totals over the measured calls; per-call figures are these / reps.
	out->hw = sum;
	out->os = osum;
	out->app = app;
	out->reps = reps;
	out->fp_i = machine_footprint_i(m);
	out->fp_d = machine_footprint_d(m);
	out->cycles = counters_cycles(&out->hw) / reps;
	out->usec = profile_usec(p, out->cycles);
	if (m == &local)
		machine_free(m);
	return 0;
}
