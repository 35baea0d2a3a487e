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
// tcp_output{nic.xmit}}, 23 x interrupt nic.rx{demux{tcp_ack}};
// timer-tick = interrupt timer.tick{sched.tick}.
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmrun.h"

struct vm_expect {
	const char *arch, *machine, *workload;
	uint64_t traps, exits, hypercalls, domain_switches, grant_ops, hidden_faults;
	const char *derivation;
};

// Columns: traps, exits, hypercalls, domain switches, grant operations,
// hidden faults.
static const struct vm_expect rows[] = {
	// ---- vm-pv, pv=32 (xeon-2003's word size): sensitive pte_write ->
	// mmu_update (batch 16), cr3_write -> new_baseptr, tlb_flush ->
	// mmuext_op. System calls trap straight into the ring-1 guest. Split
	// drivers: the disk is dom0's.
	{"vm-pv", "xeon-2003", "null", 1, 0, 0, 0, 0, 0, "int 0x80 goes to the guest kernel directly: no hypercall"},
	{"vm-pv", "xeon-2003", "read", 1, 0, 0, 0, 0, 0, "no sensitive operation on the cached read path"},
	{"vm-pv", "xeon-2003", "pagefault", 1, 0, 1, 0, 0, 0,
	 "the fault enters Xen (T1) and is bounced; pt.map: 1 PTE -> ceil(1/16) = 1 mmu_update"},
	{"vm-pv", "xeon-2003", "ctxsw", 2, 0, 2, 0, 0, 0, "two yields (T1, T2), each loads the other process's CR3: 2 new_baseptr"},
	{"vm-pv", "xeon-2003", "read-disk", 1, 0, 7, 2, 2, 0,
	 "split drivers: blkfront notifies (evtchn_send 1) and blocks (sched_op 2); Xen switches to dom0 (D1); "
	 "blkback maps the granted page (grant_map 3, G1), dom0's native driver runs unintercepted; dom0 waits "
	 "(sched_op 4); blkback unmaps (5, G2), notifies the guest (6) and blocks (7); Xen switches back (D2)"},
	// The services of issue 23.
	{"vm-pv", "xeon-2003", "mmap", 9, 0, 9, 0, 0, 0,
	 "traps: mmap, 7 faults, munmap = 9; each fault's pt.map 1 PTE -> 1 mmu_update (7); pt.unmap: "
	 "7 PTEs -> ceil(7/16) = 1 mmu_update + 1 mmuext (tlb_flush): 9"},
	{"vm-pv", "xeon-2003", "signal", 2, 0, 0, 0, 0, 0, "kill and sigreturn trap to the guest; nothing sensitive"},
	// The network through the split driver: nic (the real driver) is
	// dom0's, so its io runs unintercepted there. Transmit (netfront-tx,
	// the guest's call of nic.xmit): netfront notifies (evtchn_send 1), the
	// woken dom0 runs at once (D1), netback maps the granted page
	// (grant_map 2, G1), nic.xmit, netback unmaps it (grant_unmap 3, G2),
	// notifies the guest (evtchn_send 4), blocks (sched_op 5), the guest
	// resumes (D2): 5 hypercalls, 2 switches, 2 grants a packet. Receive
	// while waiting (netfront-wait): the guest blocks (sched_op 1), the NIC
	// interrupts Xen, which switches to dom0 (D1); nic.rx there calls the
	// guest's demux (netback-rx): grant_copy into the guest's buffer (2,
	// G1), evtchn_send (3), dom0 blocks (4), the guest runs (D2). A packet
	// interrupting a running program (dom0-async-irq) switches to dom0
	// (D1) without a hypercall, then netback-rx: 3 hypercalls, D2, G1.
	{"vm-pv", "xeon-2003", "udp-rr", 2, 0, 9, 4, 3, 0,
	 "traps: sendto, recvfrom; transmit 5 hypercalls, 2 switches, 2 grants + receive 4, 2, 1 = 9, 4, 3"},
	{"vm-pv", "xeon-2003", "tcp-send-64k", 1, 0, 299, 138, 115, 0,
	 "46 segments x transmit (5, 2, 2) = 230, 92, 92; 23 ACKs x (dom0-async-irq D1 + netback-rx 3 "
	 "hypercalls, D2, G1) = 69, 46, 23: 299 hypercalls, 138 switches, 115 grants; traps: the send"},
	{"vm-pv:drivers=guest", "xeon-2003", "udp-rr", 2, 0, 3, 0, 0, 0,
	 "the guest drives the NIC: nic.xmit io 1 -> 1 event channel; the wait blocks in Xen (1); nic.rx io "
	 "2 -> ceil(2/8) = 1: 3, no switch, no grant"},
	{"vm-pv", "xeon-2003", "timer-tick", 0, 0, 0, 0, 0, 0, "Xen takes the tick and upcalls the guest; no APIC in the guest"},
	{"vm-pv", "xeon-2003", "fork", 4, 0, 52, 0, 0, 0,
	 "pt.copy: 384/16 = 24 mmu_update + 1 mmuext (tlb_flush); wait -> child CR3: 1; cow fault (T3): "
	 "pt.map 1; exit: pt.clear 384/16 = 24; back to the parent's CR3: 1. 24+1+1+1+24+1 = 52; "
	 "traps: fork, wait, cow fault, exit = 4"},
	{"vm-pv:drivers=guest", "xeon-2003", "read-disk", 1, 0, 3, 0, 0, 0,
	 "the guest drives the disk: driver.read io 4 -> ceil(4/8) = 1 event channel; the wait blocks in Xen "
	 "(sched_op, 1); driver.complete io 2 -> 1 event channel: 3"},
	// ---- vm-pv, pv=64 (modern's word size): every system call and fault
	// enters Xen, which bounces it; each return to the process is one iret
	// hypercall. Otherwise as pv=32.
	{"vm-pv", "modern", "null", 1, 0, 1, 0, 0, 0, "SYSCALL into Xen (T1), bounce, getpid; iret hypercall: 1"},
	{"vm-pv", "modern", "pagefault", 1, 0, 2, 0, 0, 0, "mmu_update 1 + iret 1"},
	{"vm-pv", "modern", "ctxsw", 2, 0, 4, 0, 0, 0, "2 new_baseptr + 2 iret (one per yield)"},
	{"vm-pv", "modern", "read-disk", 1, 0, 8, 2, 2, 0, "the 7 of the split drivers (pv=32 row) + 1 iret"},
	{"vm-pv", "modern", "fork", 4, 0, 56, 0, 0, 0, "the 52 of pv=32 + 4 iret (fork, wait, cow fault, exit each return)"},
	{"vm-pv", "modern", "udp-rr", 2, 0, 11, 4, 3, 0, "the 9 of pv=32 + 2 iret (sendto and recvfrom return)"},
	{"vm-pv", "modern", "tcp-send-64k", 1, 0, 300, 138, 115, 0,
	 "the 299 of pv=32 + 1 iret (the send returns; the ACKs interrupt the program and return without a "
	 "hypercall: dom0-async-irq's return is the guest's own)"},
	// ---- vm-hw (shadow paging, no VPID): cr3_write, tlb_flush, io and the
	// APIC EOI exit one by one; a traced PTE write is a hidden fault (an
	// exit); every guest page fault exits first; the disk wait exits on HLT.
	{"vm-hw", "core2-vtx", "null", 1, 0, 0, 0, 0, 0, "system calls do not exit under VT-x"},
	{"vm-hw", "core2-vtx", "read", 1, 0, 0, 0, 0, 0, "no sensitive operation on the cached read path"},
	{"vm-hw", "core2-vtx", "pagefault", 1, 2, 0, 0, 0, 1,
	 "#PF exit (1, a true fault, injected), pt.map's PTE write to a traced table (2, a hidden fault)"},
	{"vm-hw", "core2-vtx", "ctxsw", 2, 2, 0, 0, 0, 0, "two CR3 writes"},
	{"vm-hw", "core2-vtx", "read-disk", 1, 8, 0, 0, 0, 0,
	 "driver.read io 4 + HLT 1 + entry.interrupt's EOI 1 (no apicv) + driver.complete io 2 = 8"},
	{"vm-hw", "core2-vtx", "mmap", 9, 22, 0, 0, 0, 14,
	 "7 faults x (#PF exit 1 + pt.map's traced PTE write 1) = 14; pt.unmap 7 traced PTE writes + 1 "
	 "invlpg = 8: 22 exits; hidden faults: the 14 traced PTE writes (the #PF is the guest's)"},
	{"vm-hw", "core2-vtx", "select-100", 1, 0, 0, 0, 0, 0, "select is guest kernel code only"},
	{"vm-hw", "core2-vtx", "udp-rr", 2, 5, 0, 0, 0, 0, "nic.xmit io 1 + HLT 1 + EOI 1 + nic.rx io 2 = 5"},
	{"vm-hw", "core2-vtx", "tcp-send-64k", 1, 138, 0, 0, 0, 0,
	 "46 x nic.xmit io 1 = 46; 23 ACKs x (external-interrupt 1 + EOI 1 + nic.rx io 2) = 92: 138"},
	{"vm-hw", "core2-vtx", "timer-tick", 0, 2, 0, 0, 0, 0,
	 "external-interrupt exit 1 + the guest's EOI 1 (no apicv) = 2"},
	{"vm-hw", "core2-vtx", "fork", 4, 773, 0, 0, 0, 769,
	 "pt.copy 384 PTE + 1 invlpg; wait -> child CR3 1; cow fault: #PF exit 1 + PTE 1; pt.clear 384; "
	 "exit -> parent CR3 1: 384+1+1+1+1+384+1 = 773; hidden faults: the 384+1+384 traced PTE writes"},
	// shadow=rebuild: no page-table exit changes; a CR3 write discards the
	// shadow tables, the pages touched after it take hidden faults (exits).
	// The pagefault's freshly zeroed page is a page never shadowed: 1 more.
	{"vm-hw:shadow=rebuild", "core2-vtx", "null", 1, 0, 0, 0, 0, 0, "no CR3 write: shadows stay"},
	{"vm-hw:shadow=rebuild", "core2-vtx", "read-disk", 1, 8, 0, 0, 0, 0, "no CR3 write: as cached"},
	{"vm-hw:shadow=rebuild", "core2-vtx", "pagefault", 1, 3, 0, 0, 0, 2,
	 "cached's 2 exits + the zeroed page's shadow fill (a page not touched since its last use)"},
	{"vm-hw:shadow=rebuild", "core2-vtx", "ctxsw", 2, 14, 0, 0, 0, 12,
	 "2 CR3 exits + 12 shadow fills: after the switch to peer the exit path's pages (entry text, task, "
	 "kstack), the peer's whole yield path, after the switch back the exit path again (the vm-bt:"
	 "shadow=rebuild row on the same machine checks the 12 against binary translation, same guest path)"},
	{"vm-hw:shadow=rebuild", "core2-vtx", "fork", 4, 846, 0, 0, 0, 842,
	 "cached's 773 exits and 769 traced writes + 73 shadow fills after the two CR3 switches"},
	// monitor=hosted: each emulated register access returns to QEMU and
	// back (a trap from QEMU into the host kernel for KVM_RUN); the disk
	// wait adds QEMU's submission and completion, each a trap back into
	// the host: traps 1 + 6 + 2 = 9; exits unchanged.
	{"vm-hw:monitor=hosted", "core2-vtx", "read-disk", 9, 8, 0, 0, 0, 0, "1 guest read + 6 KVM_RUN + 2 QEMU I/O traps"},
	{"vm-hw:monitor=hosted", "core2-vtx", "null", 1, 0, 0, 0, 0, 0, "no device access"},
	// ---- vm-hw-ept: only I/O and APIC exits; the device model is QEMU.
	{"vm-hw-ept", "modern", "null", 1, 0, 0, 0, 0, 0, "no exit"},
	{"vm-hw-ept", "modern", "pagefault", 1, 0, 0, 0, 0, 0, "EPT: guest faults and PTE writes stay in the guest"},
	{"vm-hw-ept", "modern", "ctxsw", 2, 0, 0, 0, 0, 0, "EPT: CR3 writes do not exit"},
	{"vm-hw-ept", "modern", "fork", 4, 0, 0, 0, 0, 0, "EPT: no page-table exits at all"},
	{"vm-hw-ept", "modern", "read-disk", 9, 8, 0, 0, 0, 0,
	 "emulated disk: io 4 + HLT 1 + EOI 1 (modern has no apicv) + io 2 = 8 exits; each of the 6 register "
	 "exits a QEMU round trip (a KVM_RUN trap), 2 QEMU I/O traps: 9 traps"},
	{"vm-hw-ept:io=virtio", "modern", "read-disk", 5, 4, 0, 0, 0, 0,
	 "virtio: io 4 -> ceil(4/64) = 1 kick; HLT 1; EOI 1; completion io 2 -> 1: 4 exits; traps 1 + 2 kicks "
	 "through QEMU + 2 QEMU I/O = 5"},
	{"vm-hw-ept:backend=kernel", "modern", "read-disk", 1, 8, 0, 0, 0, 0, "in-kernel device model: exits as emulated, no QEMU trap"},
	{"vm-hw-ept", "modern", "mmap", 9, 0, 0, 0, 0, 0, "EPT: faults, PTE writes and the flush stay in the guest"},
	// The NIC (e1000 emulated; io=virtio: virtio-net). A packet waited for
	// (net-irq, the device rule kernel->@nic): HLT exit, the host's NIC
	// driver and bridge, QEMU reads the tap (a host trap) and raises the
	// interrupt (a KVM ioctl, a trap); a packet while the program runs
	// (net-exit-irq): the external-interrupt exit and the same 2 traps.
	// e1000: nic.xmit's tail write and nic.rx's 2 register accesses each an
	// exit and a KVM_RUN trap. virtio-net: nic.xmit's kick one exit and
	// trap, then none until the back end has run (the guest idles or the
	// call ends: event index); nic.rx touches no register.
	{"vm-hw-ept", "modern", "udp-rr", 7, 5, 0, 0, 0, 0,
	 "exits: nic.xmit io 1 + HLT 1 + EOI 1 + nic.rx io 2 = 5; traps: sendto, recvfrom, QEMU's KVM_RUN "
	 "after each of the 3 emulated accesses, the tap read and the interrupt ioctl: 7"},
	{"vm-hw-ept", "modern", "tcp-send-64k", 139, 138, 0, 0, 0, 0,
	 "46 x tail write = 46; 23 ACKs x (external interrupt 1 + EOI 1 + nic.rx io 2) = 92: 138 exits; "
	 "traps: the send 1 + 46 KVM_RUN + 23 x (tap read, irq ioctl, 2 KVM_RUN) = 139"},
	{"vm-hw-ept:io=virtio", "modern", "udp-rr", 5, 3, 0, 0, 0, 0,
	 "virtio-net: 1 kick + HLT 1 + EOI 1 = 3 exits; traps: 2 calls + the kick's KVM_RUN + the wait's "
	 "tap read and irq ioctl: 5"},
	{"vm-hw-ept:io=virtio", "modern", "tcp-send-64k", 48, 47, 0, 0, 0, 0,
	 "46 frames, 1 kick (event index: no back end ran since); 23 ACKs x (external interrupt 1 + EOI 1): "
	 "47 exits; traps: the send, the kick's KVM_RUN, 23 x (tap read, irq ioctl): 48"},
	{"vm-hw-ept:io=virtio,backend=kernel", "modern", "udp-rr", 2, 3, 0, 0, 0, 0,
	 "vhost-net: the 3 exits of io=virtio; the kick and the receive handled in the host kernel: no trap"},
	{"vm-hw-ept:io=virtio,backend=kernel", "modern", "read-disk", 1, 4, 0, 0, 0, 0, "vhost-style: the 4 exits of virtio, no QEMU trap"},
	// ---- vm-bt: no VMX and no hypercalls: sensitive instructions become
	// callouts, counted in cycles only. The system call enters the monitor
	// first (a trap from user mode).
	{"vm-bt", "xeon-2003", "null", 1, 0, 0, 0, 0, 0, "the trap lands in the monitor, which reflects it: one trap"},
	{"vm-bt", "xeon-2003", "fork", 4, 0, 0, 0, 0, 0, "PTE writes are callouts (adaptive translation), not faults"},
	{"vm-bt", "xeon-2003", "read-disk", 1, 0, 0, 0, 0, 0, "register accesses and the EOI are callouts"},
	// On the same machine the guest touches the same pages under either
	// monitor: the shadow fills of the vm-hw:shadow=rebuild rows.
	{"vm-bt:shadow=rebuild", "core2-vtx", "ctxsw", 2, 0, 0, 0, 0, 12, "the 12 pages of vm-hw:shadow=rebuild's ctxsw row"},
	{"vm-bt:shadow=rebuild", "core2-vtx", "fork", 4, 0, 0, 0, 0, 73, "the 73 shadow fills of vm-hw:shadow=rebuild's fork row"},
	{"vm-bt:shadow=rebuild", "xeon-2003", "pagefault", 1, 0, 0, 0, 0, 1, "the zeroed page's shadow fill"},
	{"vm-bt:shadow=rebuild", "xeon-2003", "null", 1, 0, 0, 0, 0, 0, "no CR3 write"},
	// monitor=hosted [Sugerman 2001]: the I/O and the host interrupt each a
	// world switch there and back (4 domain switches); the VMApp's read()
	// and its ioctl raising the virtual IRQ are host system calls (2 traps).
	{"vm-bt:monitor=hosted", "xeon-2003", "read-disk", 3, 0, 0, 4, 0, 0, "1 + 2 host traps; 2 world switches each way"},
	{"vm-bt:monitor=hosted", "xeon-2003", "null", 1, 0, 0, 0, 0, 0, "no I/O: no world switch"},
};

// The privileged code has one definition (docs/model.md): every kernel mode
// counts, so a guest kernel counts whether it runs deprivileged in ring 1
// (vm-pv, vm-bt) or in VMX non-root ring 0 (vm-hw). All three run the
// monolithic placement as their guest, so each one's privileged code is
// monolithic's plus the text of its monitor service (xen, vmm); a user-level
// server (l4's Linux server, ring 3; a hosted monitor's VMApp or QEMU)
// adds nothing. vm-pv adds its split drivers' kernel halves too: blkfront
// and netfront in the guest kernel, blkback and netback in dom0's (all ring
// 1; the real NIC driver, nic, is in monolithic's count already).
static void test_tcb_one_definition(void **state)
{
	struct vmrun_fixture *f = *state;
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
		uint64_t split = 0;
		const char *const halves[] = {"blkfront", "blkback", "netfront", "netback"};
		for (int h = 0; h < 4; h++) {
			int k = service_find(&a->svc, halves[h]);
			split += k >= 0 ? a->svc.s[k].text_bytes : 0;
		}
		if (!strcmp(vms[i].arch, "vm-pv"))
			assert_int_equal(split, (24 + 32 + 24 + 40) << 10); // the text: sizes in arch/vm-pv.yaml
		if (arch_tcb_bytes(a) != mono + a->svc.s[m].text_bytes + split)
			fail_msg("%s: privileged code %llu, expected monolithic's %llu + %s's %llu + split driver %llu",
				 vms[i].arch, (unsigned long long)arch_tcb_bytes(a), (unsigned long long)mono,
				 vms[i].monitor, (unsigned long long)a->svc.s[m].text_bytes, (unsigned long long)split);
	}
	free(a);
}

static void test_exits_and_hypercalls(void **state)
{
	const struct vmrun_fixture *f = *state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct vm_expect *e = &rows[i];
		struct run_result r;
		vm_run(f, e->arch, e->machine, e->workload, &r, NULL);
		uint64_t n = (uint64_t)r.reps;
		if (r.os.traps / n != e->traps || r.os.vm_exits / n != e->exits ||
		    r.os.hypercalls / n != e->hypercalls || r.os.domain_switches / n != e->domain_switches ||
		    r.os.grant_ops / n != e->grant_ops || r.os.hidden_faults / n != e->hidden_faults)
			fail_msg("%s %s on %s: traps/exits/hypercalls/domain switches/grants/hidden faults "
				 "%llu/%llu/%llu/%llu/%llu/%llu, derived %llu/%llu/%llu/%llu/%llu/%llu (%s)",
				 e->arch, e->workload, e->machine, (unsigned long long)(r.os.traps / n),
				 (unsigned long long)(r.os.vm_exits / n), (unsigned long long)(r.os.hypercalls / n),
				 (unsigned long long)(r.os.domain_switches / n), (unsigned long long)(r.os.grant_ops / n),
				 (unsigned long long)(r.os.hidden_faults / n), (unsigned long long)e->traps,
				 (unsigned long long)e->exits, (unsigned long long)e->hypercalls,
				 (unsigned long long)e->domain_switches, (unsigned long long)e->grant_ops,
				 (unsigned long long)e->hidden_faults, e->derivation);
	}
}

// A null system call adds nothing under vm-pv, vm-hw and vm-hw-ept: the
// same instructions and events as native, so the same cycles (warm, the
// same machine): the trap never leaves the guest.
static void test_null_costs_native(void **state)
{
	const struct vmrun_fixture *f = *state;
	struct run_result native, vm;
	const char *const cases[][2] = {{"vm-pv", "xeon-2003"}, {"vm-hw", "core2-vtx"}, {"vm-hw-ept", "modern"}};
	for (size_t i = 0; i < 3; i++) {
		vm_run(f, "monolithic", cases[i][1], "null", &native, NULL);
		vm_run(f, cases[i][0], cases[i][1], "null", &vm, NULL);
		assert_int_equal(vm.os.vm_exits, 0);
		assert_int_equal(vm.os.hypercalls, 0);
		assert_int_equal(vm.hw.instructions, native.hw.instructions);
		assert_true(vm.cycles == native.cycles);
	}
	// Binary translation: the trap enters the monitor, which reflects it and
	// emulates the return: more instructions and two ring transitions.
	vm_run(f, "monolithic", "xeon-2003", "null", &native, NULL);
	vm_run(f, "vm-bt", "xeon-2003", "null", &vm, NULL);
	assert_true(vm.hw.instructions > native.hw.instructions);
	assert_true(vm.cycles > native.cycles);
	assert_int_equal(vm.hw.events[EV_RING_TRANSITION] / (uint64_t)vm.reps, 2);
}

// Adams & Agesen's shape: on first-generation VT-x, page-table-heavy work
// (fork: 773 exits, each a ~1,600-cycle round trip on core2-vtx) costs more
// than under binary translation, whose PTE writes are callouts.
static void test_fork_hw_slower_than_bt(void **state)
{
	const struct vmrun_fixture *f = *state;
	struct run_result bt, hw;
	vm_run(f, "vm-bt", "core2-vtx", "fork", &bt, NULL);
	vm_run(f, "vm-hw", "core2-vtx", "fork", &hw, NULL);
	assert_true(hw.cycles > bt.cycles);
}

// Binary translation pays its translation once: a cold null call costs more
// than a warm one by at least the translator's work for the blocks run.
static void test_bt_translation_in_cold_run(void **state)
{
	const struct vmrun_fixture *f = *state;
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
	const struct vmrun_fixture *f = *state;
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
	const struct vmrun_fixture *f = *state;
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

// Runs arch x workload with a profile and workload adjusted by the caller.
static void run_with(const struct vmrun_fixture *f, const char *arch, const struct profile *p, struct workload *w,
		     struct run_result *r, struct trace *tr)
{
	struct cfg_error err;
	struct arch *a = malloc(sizeof *a);
	assert_non_null(a);
	if (arch_load(a, arch, &f->svc, &err))
		fail_msg("%s", err.msg);
	struct run_params rp = {3, 2, 0, 1};
	assert_int_equal(run_point(a, w, p, &rp, r, tr), 0);
	free(a);
}

// shadow=rebuild: a context switch costs a hidden fault per page touched
// after it. ctxsw with the application touching W bytes between calls:
// after the switch back the application's W/4096 pages (its working set
// is page-aligned, WS_OFF in walk.c) each take one more fault. Between
// W = 64 KiB and W = 256 KiB: (256 - 64) / 4 = 48 more hidden faults,
// each one VM exit under VT-x; with the cached policy, none.
static void test_rebuild_proportional_to_pages_touched(void **state)
{
	const struct vmrun_fixture *f = *state;
	struct cfg_error err;
	struct profile p;
	struct workload *w = malloc(sizeof *w);
	assert_non_null(w);
	if (profile_load(&p, "core2-vtx", NULL, &err) || workload_load(w, "ctxsw", &f->svc, &err))
		fail_msg("%s", err.msg);
	const char *const archs[] = {"vm-hw:shadow=rebuild", "vm-bt:shadow=rebuild"};
	for (int i = 0; i < 2; i++) {
		struct run_result small, large, cached;
		w->app_ws = 64 << 10;
		run_with(f, archs[i], &p, w, &small, NULL);
		w->app_ws = 256 << 10;
		run_with(f, archs[i], &p, w, &large, NULL);
		uint64_t n = (uint64_t)small.reps;
		assert_int_equal(large.os.hidden_faults / n - small.os.hidden_faults / n, 48);
		if (i == 0)
			assert_int_equal(large.os.vm_exits / n - small.os.vm_exits / n, 48);
		run_with(f, i == 0 ? "vm-hw" : "vm-bt", &p, w, &cached, NULL);
		assert_int_equal(cached.os.hidden_faults, 0);
		// Each fill is work: the refill costs cycles in the application's share.
		assert_true(counters_cycles(&large.app) > counters_cycles(&small.app));
	}
	free(w);
}

// apicv: the guest's EOI write goes to its virtual APIC page without an
// exit (Intel SDM Vol. 3C, APIC virtualization): read-disk under vm-hw-ept
// on modern loses exactly that exit (8 -> 7; io=virtio: 4 -> 3).
static void test_apicv_removes_eoi_exit(void **state)
{
	const struct vmrun_fixture *f = *state;
	struct cfg_error err;
	struct profile p;
	struct workload *w = malloc(sizeof *w);
	assert_non_null(w);
	if (profile_load(&p, "modern", NULL, &err) || workload_load(w, "read-disk", &f->svc, &err))
		fail_msg("%s", err.msg);
	const char *const archs[] = {"vm-hw-ept", "vm-hw-ept:io=virtio"};
	const uint64_t without[] = {8, 4};
	for (int i = 0; i < 2; i++) {
		struct run_result r;
		p.apicv = 0;
		run_with(f, archs[i], &p, w, &r, NULL);
		assert_int_equal(r.os.vm_exits / (uint64_t)r.reps, without[i]);
		p.apicv = 1;
		run_with(f, archs[i], &p, w, &r, NULL);
		assert_int_equal(r.os.vm_exits / (uint64_t)r.reps, without[i] - 1);
	}
	free(w);
}

// vm-pv's pv option follows the profile's word size: the same 64-bit
// machine with word_bits 32 runs the ring-1 guest (no hypercall for null),
// with 64 the ring-3 guest: per null call 4 mode switches (user -> Xen ->
// guest kernel -> Xen by the iret hypercall -> user), 2 address-space
// switches and 2 CR3 writes (Xen's toggle to the kernel table and back).
static void test_pv_follows_word_size(void **state)
{
	const struct vmrun_fixture *f = *state;
	struct cfg_error err;
	struct profile p;
	struct workload *w = malloc(sizeof *w);
	assert_non_null(w);
	if (profile_load(&p, "modern", NULL, &err) || workload_load(w, "null", &f->svc, &err))
		fail_msg("%s", err.msg);
	struct run_result r32, r64, explicit32;
	p.word_bits = 32;
	run_with(f, "vm-pv", &p, w, &r32, NULL);
	run_with(f, "vm-pv:pv=32", &p, w, &explicit32, NULL);
	p.word_bits = 64;
	run_with(f, "vm-pv", &p, w, &r64, NULL);
	uint64_t n = (uint64_t)r64.reps;
	assert_int_equal(r32.os.hypercalls, 0);
	assert_int_equal(r32.os.mode_switches / n, 2);
	assert_true(r32.cycles == explicit32.cycles);
	assert_int_equal(r64.os.hypercalls / n, 1);
	assert_int_equal(r64.os.mode_switches / n, 4);
	assert_int_equal(r64.os.as_switches / n, 2);
	assert_int_equal(r64.hw.cr3_writes / n, 2);
	assert_true(r64.cycles > r32.cycles);
	free(w);
}

// The trace names each step of a split-driver read: the front end, the
// event channel, the domain switch, the grant map, the back end and dom0's
// own driver, then on the way back the unmap and the completion event.
static void test_trace_names_split_driver_steps(void **state)
{
	const struct vmrun_fixture *f = *state;
	struct cfg_error err;
	struct profile p;
	struct workload *w = malloc(sizeof *w);
	struct trace *tr = malloc(sizeof *tr);
	assert_non_null(w);
	assert_non_null(tr);
	if (profile_load(&p, "xeon-2003", NULL, &err) || workload_load(w, "read-disk", &f->svc, &err))
		fail_msg("%s", err.msg);
	struct run_result r;
	run_with(f, "vm-pv", &p, w, &r, tr);
	char all_ran[4096] = "", all_why[1024] = "";
	for (int i = 0; i < tr->n; i++) {
		snprintf(all_ran + strlen(all_ran), sizeof all_ran - strlen(all_ran), " %s", tr->step[i].ran);
		snprintf(all_why + strlen(all_why), sizeof all_why - strlen(all_why), ",%s", tr->step[i].why);
	}
	const char *const ran[] = {"blkfront.submit", "xen.evtchn", "xen.schedule", "blkback.request", "xen.grant_map",
				   "driver.read", "driver.complete", "blkback.complete", "xen.grant_unmap", "blkfront.complete"};
	for (size_t i = 0; i < sizeof ran / sizeof ran[0]; i++)
		if (!strstr(all_ran, ran[i]))
			fail_msg("the trace does not name %s: %s", ran[i], all_ran);
	const char *const why[] = {"evtchn_send", "sched_op_block", "domain-switch", "grant_map", "grant_unmap"};
	for (size_t i = 0; i < sizeof why / sizeof why[0]; i++)
		if (!strstr(all_why, why[i]))
			fail_msg("the trace does not say %s: %s", why[i], all_why);
	free(w);
	free(tr);
}

// virtio-net costs fewer exits than the emulated e1000 on the same machine
// (the rows above: udp-rr 3 < 5, tcp-send-64k 47 < 138), with either back
// end, and so fewer cycles: an exit and its device-model work is the
// costliest step of the guest's network path.
static void test_virtio_net_fewer_exits_than_e1000(void **state)
{
	const struct vmrun_fixture *f = *state;
	const char *const wls[] = {"udp-rr", "tcp-send-64k"};
	const char *const emulated[] = {"vm-hw-ept", "vm-hw-ept:backend=kernel"};
	const char *const virtio[] = {"vm-hw-ept:io=virtio", "vm-hw-ept:io=virtio,backend=kernel"};
	for (int w = 0; w < 2; w++)
		for (int b = 0; b < 2; b++) {
			struct run_result e, v;
			vm_run(f, emulated[b], "modern", wls[w], &e, NULL);
			vm_run(f, virtio[b], "modern", wls[w], &v, NULL);
			if (v.os.vm_exits >= e.os.vm_exits || v.cycles >= e.cycles)
				fail_msg("%s: %s %llu exits %.0f cycles, %s %llu exits %.0f cycles", wls[w], virtio[b],
					 (unsigned long long)v.os.vm_exits, v.cycles, emulated[b],
					 (unsigned long long)e.os.vm_exits, e.cycles);
		}
}

// The trace of udp-rr under vm-pv shows where each part of the network
// path runs: the real driver's transmit and receive in dom0, the front
// end's, the socket lookup and the protocol in the guest, and the grant
// operations of both directions.
static void test_trace_names_split_net_steps(void **state)
{
	const struct vmrun_fixture *f = *state;
	struct cfg_error err;
	struct profile p;
	struct workload *w = malloc(sizeof *w);
	struct trace *tr = malloc(sizeof *tr);
	assert_non_null(w);
	assert_non_null(tr);
	if (profile_load(&p, "xeon-2003", NULL, &err) || workload_load(w, "udp-rr", &f->svc, &err))
		fail_msg("%s", err.msg);
	struct run_result r;
	run_with(f, "vm-pv", &p, w, &r, tr);
	const struct { const char *op, *from; } where[] = {
		{"nic.xmit", "dom0"}, {"netfront.xmit", "guest"}, {"demux.classify", "guest"}, {"inet.udp_input", "guest"},
	};
	for (size_t k = 0; k < sizeof where / sizeof where[0]; k++) {
		int seen = 0;
		for (int i = 0; i < tr->n; i++)
			if (strstr(tr->step[i].ran, where[k].op)) {
				seen = 1;
				if (strcmp(tr->step[i].from, where[k].from))
					fail_msg("%s ran in a row from %s, expected %s", where[k].op, tr->step[i].from,
						 where[k].from);
			}
		if (!seen)
			fail_msg("the trace does not name %s", where[k].op);
	}
	char all_why[1024] = "";
	for (int i = 0; i < tr->n; i++)
		snprintf(all_why + strlen(all_why), sizeof all_why - strlen(all_why), ",%s", tr->step[i].why);
	const char *const why[] = {"grant_map", "grant_unmap", "grant_copy", "sched_op_block", "domain-switch"};
	for (size_t i = 0; i < sizeof why / sizeof why[0]; i++)
		if (!strstr(all_why, why[i]))
			fail_msg("the trace does not say %s: %s", why[i], all_why);
	// dom0's receive and the guest's: the real driver's, then netback's,
	// then netfront's, in that order.
	const char *const order[] = {"nic.rx", "netback.rx", "netfront.rx", "demux.classify"};
	int at = -1;
	for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
		int i = at < 0 ? 0 : at;
		while (i < tr->n && !strstr(tr->step[i].ran, order[k]))
			i++;
		if (i == tr->n)
			fail_msg("%s does not follow %s in the trace", order[k], k ? order[k - 1] : "the start");
		at = i;
	}
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
		cmocka_unit_test(test_rebuild_proportional_to_pages_touched),
		cmocka_unit_test(test_apicv_removes_eoi_exit),
		cmocka_unit_test(test_pv_follows_word_size),
		cmocka_unit_test(test_trace_names_split_driver_steps),
		cmocka_unit_test(test_virtio_net_fewer_exits_than_e1000),
		cmocka_unit_test(test_trace_names_split_net_steps),
	};
	return cmocka_run_group_tests(tests, vmrun_setup, vmrun_teardown);
}
