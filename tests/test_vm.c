// test_vm.c: the four VM architectures. The VM exits and hypercalls of each
// workload are derived by hand from the guest path (the monolithic
// placement run as a guest) and each architecture's `sensitive:` table and
// transports; the derivation is written beside each row.
//
// The guest path's sensitive operations (models/services.yaml, workloads/):
//  - driver.read: io 4; driver.complete: io 2; entry.interrupt: irq_mask 2,
//    apic 1 (the EOI; the guest's own entry runs when the guest takes the
//    interrupt, after the monitor's handling)
//  - nic.xmit: io 1; nic.rx: io 2; pt.unmap: pte_write 7, tlb_flush 1
//  - pt.map: pte_write 1; pt.copy: pte_write 384, tlb_flush 1;
//    pt.clear: pte_write 384
//  - a CR3 write whenever the guest kernel loads another process's space:
//    in ctxsw twice (app->peer, peer->app), in fork twice (wait resumes the
//    child, exit resumes the parent).
// Workload shapes: pagefault = fault mm.fault{alloc, zero, pt.map};
// fork = fork{proc.fork{mm.dup{pt.copy}, sched.wakeup}}, wait (resume child),
// child cow fault {mm.alloc, pt.map}, child exit{proc.exit{mm.teardown{pt.clear},
// sched.switch}} (resume app).
// mmap = mmap{mm.mmap}, 7 x fault mm.fault{cache.lookup, pt.map},
// munmap{mm.munmap{pt.unmap}}; udp-rr = sendto{..nic.xmit}, recvfrom{sock.recv
// {device nic {nic.rx{demux}}, udp_input}}; tcp-send-64k = send{46 x
// tcp_output{nic.xmit}}, 23 x interrupt nic.rx{demux, tcp_ack};
// timer-tick = interrupt timer.tick{sched.tick}.
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment.h"
#include "walk.h"

struct vm_expect {
	const char *arch, *machine, *workload;
	uint64_t traps, exits, hypercalls;
	const char *derivation;
};

static const struct vm_expect rows[] = {
	// ---- vm-pv: sensitive pte_write -> mmu_update (batch 16), cr3_write ->
	// new_baseptr, tlb_flush -> mmuext_op, io -> event channel (batch 8),
	// irq_mask native. System calls trap straight into the ring-1 guest.
	{"vm-pv", "xeon-2003", "null", 1, 0, 0, "int 0x80 goes to the guest kernel directly: no hypercall"},
	{"vm-pv", "xeon-2003", "read", 1, 0, 0, "no sensitive operation on the cached read path"},
	{"vm-pv", "xeon-2003", "pagefault", 1, 0, 1,
	 "the fault enters Xen (T1) and is bounced; pt.map: 1 PTE -> ceil(1/16) = 1 mmu_update"},
	{"vm-pv", "xeon-2003", "ctxsw", 2, 0, 2, "two yields (T1, T2), each loads the other process's CR3: 2 new_baseptr"},
	{"vm-pv", "xeon-2003", "read-disk", 1, 0, 3,
	 "driver.read io 4 -> ceil(4/8) = 1 event channel; the wait blocks in Xen (sched_op, 1); "
	 "driver.complete io 2 -> 1 event channel: 3"},
	{"vm-pv", "xeon-2003", "mmap", 9, 0, 9,
	 "traps: mmap, 7 faults, munmap = 9; each fault's pt.map 1 PTE -> 1 mmu_update (7); pt.unmap: "
	 "7 PTEs -> ceil(7/16) = 1 mmu_update + 1 mmuext (tlb_flush): 9"},
	{"vm-pv", "xeon-2003", "signal", 2, 0, 0, "kill and sigreturn trap to the guest; nothing sensitive"},
	{"vm-pv", "xeon-2003", "udp-rr", 2, 0, 3,
	 "nic.xmit io 1 -> 1 event channel (netfront kick); the wait blocks in Xen (1); nic.rx io 2 -> 1: 3"},
	{"vm-pv", "xeon-2003", "tcp-send-64k", 1, 0, 69,
	 "46 x nic.xmit io 1 -> 46 event channels (one invocation each); 23 ACKs x nic.rx io 2 -> 23: 69; "
	 "the ACK interrupts reach the guest as virtual interrupts, no hypercall, no trap"},
	{"vm-pv", "xeon-2003", "timer-tick", 0, 0, 0, "Xen takes the tick and upcalls the guest; no APIC in the guest"},
	{"vm-pv", "xeon-2003", "fork", 4, 0, 52,
	 "pt.copy: 384/16 = 24 mmu_update + 1 mmuext (tlb_flush); wait -> child CR3: 1; cow fault (T3): "
	 "pt.map 1; exit: pt.clear 384/16 = 24; back to the parent's CR3: 1. 24+1+1+1+24+1 = 52; "
	 "traps: fork, wait, cow fault, exit = 4"},
	// ---- vm-hw (shadow paging, no VPID): cr3_write, pte_write, tlb_flush
	// and io exit one by one; every guest page fault exits first; the disk
	// wait exits on HLT.
	{"vm-hw", "core2-vtx", "null", 1, 0, 0, "system calls do not exit under VT-x"},
	{"vm-hw", "core2-vtx", "read", 1, 0, 0, "no sensitive operation on the cached read path"},
	{"vm-hw", "core2-vtx", "pagefault", 1, 2, 0, "#PF exit (1), pt.map's PTE write to a shadowed table (2)"},
	{"vm-hw", "core2-vtx", "ctxsw", 2, 2, 0, "two CR3 writes"},
	{"vm-hw", "core2-vtx", "read-disk", 1, 8, 0,
	 "driver.read io 4 + HLT 1 + the guest's EOI 1 + driver.complete io 2 = 8"},
	{"vm-hw", "core2-vtx", "mmap", 9, 22, 0,
	 "7 faults x (#PF exit 1 + pt.map PTE 1) = 14; pt.unmap 7 PTE writes + 1 invlpg = 8: 22"},
	{"vm-hw", "core2-vtx", "select-100", 1, 0, 0, "select is guest kernel code only"},
	{"vm-hw", "core2-vtx", "udp-rr", 2, 5, 0, "nic.xmit io 1 + HLT 1 + EOI 1 + nic.rx io 2 = 5"},
	{"vm-hw", "core2-vtx", "tcp-send-64k", 1, 138, 0,
	 "46 x nic.xmit io 1 = 46; 23 ACKs x (external-interrupt 1 + EOI 1 + nic.rx io 2) = 92: 138"},
	{"vm-hw", "core2-vtx", "timer-tick", 0, 2, 0, "external-interrupt exit 1 + the guest's EOI 1 (no APICv) = 2"},
	{"vm-hw", "core2-vtx", "fork", 4, 773, 0,
	 "pt.copy 384 PTE + 1 invlpg; wait -> child CR3 1; cow fault: #PF exit 1 + PTE 1; pt.clear 384; "
	 "exit -> parent CR3 1: 384+1+1+1+1+384+1 = 773"},
	// ---- vm-hw-ept: only I/O exits (emulated: one per register access).
	{"vm-hw-ept", "modern", "null", 1, 0, 0, "no exit"},
	{"vm-hw-ept", "modern", "pagefault", 1, 0, 0, "EPT: guest faults and PTE writes stay in the guest"},
	{"vm-hw-ept", "modern", "ctxsw", 2, 0, 0, "EPT: CR3 writes do not exit"},
	{"vm-hw-ept", "modern", "fork", 4, 0, 0, "EPT: no page-table exits at all"},
	{"vm-hw-ept", "modern", "read-disk", 1, 8, 0, "emulated disk: io 4 + HLT 1 + EOI 1 + io 2 = 8"},
	{"vm-hw-ept:io=virtio", "modern", "read-disk", 1, 4, 0,
	 "virtio: io 4 -> ceil(4/64) = 1 kick; HLT 1; EOI 1; completion io 2 -> 1: 4"},
	{"vm-hw-ept", "modern", "mmap", 9, 0, 0, "EPT: faults, PTE writes and the flush stay in the guest"},
	{"vm-hw-ept:io=virtio", "modern", "udp-rr", 2, 4, 0,
	 "virtio-net: xmit io 1 -> 1 kick; HLT 1; EOI 1; rx io 2 -> ceil(2/64) = 1 kick: 4"},
	{"vm-hw-ept:io=virtio", "modern", "tcp-send-64k", 1, 115, 0,
	 "46 kicks (one per nic.xmit invocation); 23 ACKs x (external interrupt 1 + EOI 1 + 1 kick) = 69: 115"},
	// ---- vm-bt: no VMX and no hypercalls: sensitive instructions become
	// callouts, counted in cycles only. The system call enters the monitor
	// first (a trap from user mode).
	{"vm-bt", "xeon-2003", "null", 1, 0, 0, "the trap lands in the monitor, which reflects it: one trap"},
	{"vm-bt", "xeon-2003", "fork", 4, 0, 0, "PTE writes are callouts (adaptive translation), not exits"},
};

struct fixture {
	struct service_set svc;
};

static int setup(void **state)
{
	struct fixture *f = malloc(sizeof *f);
	struct cfg_error err;
	if (!f || load_services_default(&f->svc, &err)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

// Runs arch x workload on machine (warm: 3 warm-up calls, 2 measured).
static void run(const struct fixture *f, const char *arch, const char *machine, const char *wl,
		struct run_result *r)
{
	struct cfg_error err;
	struct profile p;
	struct arch *a = malloc(sizeof *a);
	struct workload *w = malloc(sizeof *w);
	assert_non_null(a);
	assert_non_null(w);
	if (profile_load(&p, machine, NULL, &err) || arch_load(a, arch, &f->svc, &err) ||
	    workload_load(w, wl, &f->svc, &err))
		fail_msg("%s", err.msg);
	struct run_params rp = {3, 2, 0, 1};
	assert_int_equal(run_point(a, w, &p, &rp, r, NULL), 0);
	free(a);
	free(w);
}

// The privileged code has one definition (docs/model.md): every kernel mode
// counts, so a guest kernel counts whether it runs deprivileged in ring 1
// (vm-pv, vm-bt) or in VMX non-root ring 0 (vm-hw). All three run the
// monolithic placement as their guest, so each one's privileged code is
// monolithic's plus the text of its monitor service (xen, vmm); a user-level
// server (l4's Linux server, ring 3) adds nothing to l4's.
static void test_tcb_one_definition(void **state)
{
	struct fixture *f = *state;
	struct cfg_error err;
	struct arch *a = malloc(sizeof *a);
	assert_non_null(a);
	if (arch_load(a, "monolithic", &f->svc, &err))
		fail_msg("%s", err.msg);
	uint64_t mono = arch_tcb_bytes(a);
	const struct { const char *arch, *monitor; } vms[] = {{"vm-pv", "xen"}, {"vm-bt", "vmm"}, {"vm-hw", "vmm"}};
	for (size_t i = 0; i < sizeof vms / sizeof vms[0]; i++) {
		if (arch_load(a, vms[i].arch, &f->svc, &err))
			fail_msg("%s", err.msg);
		int m = service_find(&a->svc, vms[i].monitor);
		assert_true(m >= 0);
		assert_true(a->svc.s[m].text_bytes > 0);
		if (arch_tcb_bytes(a) != mono + a->svc.s[m].text_bytes)
			fail_msg("%s: privileged code %llu, expected monolithic's %llu + %s's %llu", vms[i].arch,
				 (unsigned long long)arch_tcb_bytes(a), (unsigned long long)mono, vms[i].monitor,
				 (unsigned long long)a->svc.s[m].text_bytes);
	}
	free(a);
}

static void test_exits_and_hypercalls(void **state)
{
	const struct fixture *f = *state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct vm_expect *e = &rows[i];
		struct run_result r;
		run(f, e->arch, e->machine, e->workload, &r);
		uint64_t n = (uint64_t)r.reps;
		if (r.os.traps / n != e->traps || r.os.vm_exits / n != e->exits ||
		    r.os.hypercalls / n != e->hypercalls)
			fail_msg("%s %s on %s: traps/exits/hypercalls %llu/%llu/%llu, derived %llu/%llu/%llu (%s)",
				 e->arch, e->workload, e->machine, (unsigned long long)(r.os.traps / n),
				 (unsigned long long)(r.os.vm_exits / n), (unsigned long long)(r.os.hypercalls / n),
				 (unsigned long long)e->traps, (unsigned long long)e->exits,
				 (unsigned long long)e->hypercalls, e->derivation);
	}
}

// A null system call adds nothing under vm-pv, vm-hw and vm-hw-ept: the
// same instructions and events as native, so the same cycles (warm, the
// same machine): the trap never leaves the guest.
static void test_null_costs_native(void **state)
{
	const struct fixture *f = *state;
	struct run_result native, vm;
	const char *const cases[][2] = {{"vm-pv", "xeon-2003"}, {"vm-hw", "core2-vtx"}, {"vm-hw-ept", "modern"}};
	for (size_t i = 0; i < 3; i++) {
		run(f, "monolithic", cases[i][1], "null", &native);
		run(f, cases[i][0], cases[i][1], "null", &vm);
		assert_int_equal(vm.os.vm_exits, 0);
		assert_int_equal(vm.os.hypercalls, 0);
		assert_int_equal(vm.hw.instructions, native.hw.instructions);
		assert_true(vm.cycles == native.cycles);
	}
	// Binary translation: the trap enters the monitor, which reflects it and
	// emulates the return: more instructions and two ring transitions.
	run(f, "monolithic", "xeon-2003", "null", &native);
	run(f, "vm-bt", "xeon-2003", "null", &vm);
	assert_true(vm.hw.instructions > native.hw.instructions);
	assert_true(vm.cycles > native.cycles);
	assert_int_equal(vm.hw.events[EV_RING_TRANSITION] / (uint64_t)vm.reps, 2);
}

// Adams & Agesen's shape: on first-generation VT-x, page-table-heavy work
// (fork: 773 exits, each a ~1,600-cycle round trip on core2-vtx) costs more
// than under binary translation, whose PTE writes are callouts.
static void test_fork_hw_slower_than_bt(void **state)
{
	const struct fixture *f = *state;
	struct run_result bt, hw;
	run(f, "vm-bt", "core2-vtx", "fork", &bt);
	run(f, "vm-hw", "core2-vtx", "fork", &hw);
	assert_true(hw.cycles > bt.cycles);
}

// Binary translation pays its translation once: a cold null call costs more
// than a warm one by at least the translator's work for the blocks run.
static void test_bt_translation_in_cold_run(void **state)
{
	const struct fixture *f = *state;
	struct cfg_error err;
	struct profile p;
	struct arch *a = malloc(sizeof *a);
	struct workload *w = malloc(sizeof *w);
	assert_non_null(a);
	assert_non_null(w);
	if (profile_load(&p, "xeon-2003", NULL, &err) || arch_load(a, "vm-bt", &f->svc, &err) ||
	    workload_load(w, "null", &f->svc, &err))
		fail_msg("%s", err.msg);
	struct run_params cold = {0, 1, 1, 1}, warm = {3, 1, 0, 1};
	struct run_result rc, rw;
	assert_int_equal(run_point(a, w, &p, &cold, &rc, NULL), 0);
	assert_int_equal(run_point(a, w, &p, &warm, &rw, NULL), 0);
	// The guest ops of a null call: entry.syscall (40 instructions: 5
	// blocks), posix.getpid (12: 2), entry.exit (30: 4) = 11 blocks, each a
	// run of vmm.translate (400 instructions).
	assert_int_equal(rc.hw.instructions - rw.hw.instructions, 11 * 400);
	free(a);
	free(w);
}

// vm-hw needs VT-x, vm-hw-ept EPT: on a profile without them run_point
// refuses (-2) rather than inventing the hardware.
static void test_requires_hardware(void **state)
{
	const struct fixture *f = *state;
	struct cfg_error err;
	struct profile p;
	struct arch *a = malloc(sizeof *a);
	struct workload *w = malloc(sizeof *w);
	struct run_result r;
	struct run_params rp = {1, 1, 0, 1};
	assert_non_null(a);
	assert_non_null(w);
	if (profile_load(&p, "xeon-2003", NULL, &err) || arch_load(a, "vm-hw", &f->svc, &err) ||
	    workload_load(w, "null", &f->svc, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(run_point(a, w, &p, &rp, &r, NULL), -2);
	if (profile_load(&p, "core2-vtx", NULL, &err) || arch_load(a, "vm-hw-ept", &f->svc, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(run_point(a, w, &p, &rp, &r, NULL), -2);
	free(a);
	free(w);
}

// The trace names the event behind each exit: a vm-hw pagefault's steps
// carry "page-fault" (the #PF exit) and "pte_write" (the shadowed write).
static void test_trace_names_exit_causes(void **state)
{
	const struct fixture *f = *state;
	struct cfg_error err;
	struct profile p;
	struct arch *a = malloc(sizeof *a);
	struct workload *w = malloc(sizeof *w);
	struct trace *tr = malloc(sizeof *tr);
	assert_non_null(a);
	assert_non_null(w);
	assert_non_null(tr);
	if (profile_load(&p, "core2-vtx", NULL, &err) || arch_load(a, "vm-hw", &f->svc, &err) ||
	    workload_load(w, "pagefault", &f->svc, &err))
		fail_msg("%s", err.msg);
	struct run_params rp = {2, 1, 0, 1};
	struct run_result r;
	assert_int_equal(run_point(a, w, &p, &rp, &r, tr), 0);
	int saw_pf = 0, saw_pte = 0;
	for (int i = 0; i < tr->n; i++) {
		saw_pf |= strstr(tr->step[i].why, "page-fault") != NULL;
		saw_pte |= strstr(tr->step[i].why, "pte_write") != NULL;
	}
	assert_true(saw_pf);
	assert_true(saw_pte);
	free(a);
	free(w);
	free(tr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exits_and_hypercalls),
		cmocka_unit_test(test_null_costs_native),
		cmocka_unit_test(test_fork_hw_slower_than_bt),
		cmocka_unit_test(test_bt_translation_in_cold_run),
		cmocka_unit_test(test_requires_hardware),
		cmocka_unit_test(test_tcb_one_definition),
		cmocka_unit_test(test_trace_names_exit_causes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
