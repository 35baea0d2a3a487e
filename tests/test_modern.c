// test_modern.c: the lecture's questions asked of today's systems (issue
// 21): kernel page-table isolation, seL4, io_uring. Every count below is
// derived by hand from the architecture files, models/services.yaml and
// configs/machines/modern.yaml; the derivation is written beside it.
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment.h"
#include "faults.h"
#include "walk.h"

static struct service_set *g_svc;

static int setup(void **state)
{
	(void)state;
	struct cfg_error err;
	g_svc = malloc(sizeof *g_svc);
	return !g_svc || load_services_default(g_svc, &err) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	free(g_svc);
	return 0;
}

struct run {
	struct arch a;
	struct workload w;
	struct trace tr;
	struct run_result r;
};

// One warm measured call (2 warm-up calls) of wl under arch on `modern`,
// with PCID on or off.
static struct run *run_pcid(const char *arch, const char *wl, int pcid)
{
	struct cfg_error err;
	struct profile p;
	struct run *x = calloc(1, sizeof *x);
	assert_non_null(x);
	if (profile_load(&p, "modern", NULL, &err) || arch_load(&x->a, arch, g_svc, &err) ||
	    workload_load(&x->w, wl, g_svc, &err))
		fail_msg("%s", err.msg);
	p.pcid = pcid;
	struct run_params rp = {.warmup = 2, .reps = 1, .seed = 1};
	int rc = run_point(&x->a, &x->w, &p, &rp, &x->r, &x->tr);
	if (rc)
		fail_msg("%s %s: run_point %d %s", arch, wl, rc, x->r.error);
	return x;
}

static struct run *run(const char *arch, const char *wl) { return run_pcid(arch, wl, 1); }

// ---- kernel page-table isolation ----

// monolithic:kpti=on, null (getpid), PCID: the trap transport becomes
//   call [trap, {space: kernel-pti@src}, copy_in, copy_out] and
//   return [copy_in, copy_out, {space: kernel-pti@dst}, {space: dst}, leave].
//   The entry loads the process's kernel table (1 CR3 write); the return
//   finds kernel-pti@dst already loaded (same process: no write) and loads
//   the user's table (1 write): 2 address-space switches, 2 CR3 writes.
//   With PCID nothing is flushed and the warm TLB keeps both tables'
//   entries, so the only extra cycles are the two writes' events:
//   2 x cr3_write (200, configs/machines/modern.yaml) = 400 cycles more
//   than kpti=off. Traps and mode switches do not change (1 and 2).
static void test_kpti_null_pcid(void **state)
{
	(void)state;
	struct run *off = run("monolithic", "null"), *on = run("monolithic:kpti=on", "null");
	assert_int_equal(off->r.os.as_switches, 0);
	assert_int_equal(on->r.os.as_switches, 2);
	assert_int_equal(on->r.hw.cr3_writes, 2);
	assert_int_equal(on->r.hw.tlb_flushes, 0);
	assert_int_equal(on->r.os.traps, 1);
	assert_int_equal(on->r.os.mode_switches, 2);
	assert_true(on->r.cycles - off->r.cycles > 399.5 && on->r.cycles - off->r.cycles < 400.5);
	free(off);
	free(on);
}

// Without PCID every CR3 write flushes the TLB's non-global entries: 2
// flushes per null call. The kernel's data is not global under KPTI
// (arch/x86/mm/pti.c keeps only the text global, pti=auto without PCID),
// so getpid's data pages miss again after each flush: posix.getpid reads
// `task` and entry.syscall reads/writes syscall_table, task, kstack; the
// walker lays them out in two data pages of the kernel (entry's and
// posix's service data regions, one page each): at least 2 DTLB misses,
// while kpti=off without PCID has none (kernel pages global, nothing
// written to CR3). The kernel text stays global: no ITLB miss.
static void test_kpti_null_nopcid(void **state)
{
	(void)state;
	struct run *off = run_pcid("monolithic", "null", 0), *on = run_pcid("monolithic:kpti=on", "null", 0);
	assert_int_equal(off->r.hw.tlb_flushes, 0);
	assert_int_equal(off->r.hw.dtlb_misses, 0);
	assert_int_equal(on->r.hw.tlb_flushes, 2);
	assert_true(on->r.hw.dtlb_misses >= 2);
	assert_int_equal(on->r.hw.itlb_misses, 0);
	free(off);
	free(on);
}

// ctxsw (two yields, app -> peer -> app) under KPTI: each yield enters the
// kernel (the caller's kernel table: 1 write), switches to the other
// process's kernel table (switch_mm: {space: kernel-pti@dst}, 1 write) and
// exits to its user table (1 write): 3 per switch, 6 in all (kpti=off: 2,
// the switch_mm only).
static void test_kpti_ctxsw(void **state)
{
	(void)state;
	struct run *off = run("monolithic", "ctxsw"), *on = run("monolithic:kpti=on", "ctxsw");
	assert_int_equal(off->r.os.as_switches, 2);
	assert_int_equal(on->r.os.as_switches, 6);
	assert_int_equal(on->r.hw.cr3_writes, 6);
	free(off);
	free(on);
}

// A guest under shadow paging (vm-hw) with KPTI: every guest CR3 write is
// sensitive (sensitive: cr3_write: exit-cr3), so the null call's 2 writes
// are 2 VM exits (4 VMX transitions) that kpti=off does not have; under
// EPT (vm-hw-ept) the guest writes CR3 without an exit: 0.
static void test_kpti_guests(void **state)
{
	(void)state;
	struct run *hw = run("vm-hw:kpti=on", "null"), *ept = run("vm-hw-ept:kpti=on", "null");
	struct run *hw0 = run("vm-hw", "null");
	assert_int_equal(hw0->r.os.vm_exits, 0);
	assert_int_equal(hw->r.os.vm_exits, 2);
	assert_int_equal(hw->r.os.vmx_transitions, 4);
	assert_int_equal(ept->r.os.vm_exits, 0);
	assert_int_equal(ept->r.os.as_switches, 2);
	free(hw);
	free(ept);
	free(hw0);
}

// ---- seL4 ----

// sel4 null (getpid in the Unix personality server): seL4_Call and the
// server's seL4_ReplyRecv, one trap each (2), each switching address
// spaces (2) and carrying one message (2). Instructions: Call =
// entry.syscall 20 + sel4-ipc.call 150 + entry.exit 15 (leave into the
// server), posix.getpid 12, ReplyRecv = 20 + sel4-ipc.reply_recv 160 + 15:
// 392; no copy (0 bytes <= 32 in registers). Cycles with every line and
// TLB entry warm: 392 x cpi 1.0 + 2 x (trap_enter 60 + trap_exit 40) +
// 2 x cr3_write 200 = 392 + 200 + 400 = 992.
static void test_sel4_null(void **state)
{
	(void)state;
	struct run *x = run("sel4", "null");
	assert_int_equal(x->r.os.traps, 2);
	assert_int_equal(x->r.os.as_switches, 2);
	assert_int_equal(x->r.os.ipc_messages, 2);
	assert_int_equal(x->r.hw.instructions, 392);
	assert_true(x->r.cycles > 991.5 && x->r.cycles < 992.5);
	free(x);
}

// sel4 read-disk: app -Call-> personality (vfs) -Call-> fs (cache.miss)
// -Call-> drivers (driver.read): 3 traps; the driver waits on its
// notification (seL4_Wait: 1 trap), is signalled by the interrupt (no
// trap: not from user mode) and acknowledges it (seL4_IRQHandler_Ack: 1
// trap); then three seL4_ReplyRecv back up the chain: 3 traps. 8 traps;
// messages: 3 calls + 1 signal + 3 replies = 7.
static void test_sel4_read_disk(void **state)
{
	(void)state;
	struct run *x = run("sel4", "read-disk");
	assert_int_equal(x->r.os.traps, 8);
	assert_int_equal(x->r.os.ipc_messages, 7);
	free(x);
}

// sel4 pagefault: the fault is an exception (1 trap: from user mode) turned
// into a fault IPC to the personality server; the server maps the frame
// by a Page_Map invocation (1 trap) and answers with seL4_ReplyRecv (1
// trap): 3 traps, 2 messages (the fault IPC and the reply).
static void test_sel4_pagefault(void **state)
{
	(void)state;
	struct run *x = run("sel4", "pagefault");
	assert_int_equal(x->r.os.traps, 3);
	assert_int_equal(x->r.os.ipc_messages, 2);
	free(x);
}

// sel4 timer-tick: the tick interrupts the program (an interrupt, no
// trap), the kernel signals the personality's scheduler (kdeliver: a
// message, a switch into its space), which runs sched.tick and waits on its
// notification again (1 trap), then the program resumes (its space again):
// 1 trap, 1 message, 2 address-space switches, 4 mode switches (into ring
// 0, out to the server, the server's trap, out to the program).
static void test_sel4_timer_tick(void **state)
{
	(void)state;
	struct run *x = run("sel4", "timer-tick");
	assert_int_equal(x->r.os.traps, 1);
	assert_int_equal(x->r.os.ipc_messages, 1);
	assert_int_equal(x->r.os.as_switches, 2);
	assert_int_equal(x->r.os.mode_switches, 4);
	free(x);
}

// ---- io_uring ----

// monolithic read: entry.syscall 40 + posix.read 60 + vfs.read 150 +
// fs.read 200 + cache.lookup 120 + 3 in-kernel calls and returns x 8
// (CALL_INSTRUCTIONS 4 each way) + the 4 KiB copied back (copy_in +
// copy_out, 2 x (16 + 4096/8) = 1,056) + entry.exit 30 = 1,680.
// read-uring: entry.syscall 40 + posix.uring_enter 400 + 32 x
// (vfs.uring_read 250 + fs.read 200 + cache.lookup 120 + 3 calls x 8 + the
// 4 KiB copy_out 1,056 = 1,650) + entry.exit 30 = 53,270: 1,664.7 per read,
// 15 fewer instructions per read than read, and 1 trap for 32 reads.
static void test_uring_instructions(void **state)
{
	(void)state;
	struct run *r = run("monolithic", "read"), *u = run("monolithic", "read-uring");
	assert_int_equal(r->r.hw.instructions, 1680);
	assert_int_equal(u->r.hw.instructions, 53270);
	assert_int_equal(u->r.os.traps, 1);
	free(r);
	free(u);
}

// sqpoll=on: no io_uring_enter: the submission reaches the polling thread
// through the ring (handoff: no trap, no mode switch, 1 line transfer)
// and the completion comes back the same way (1 more): 0 traps, 2 line
// transfers (75 cycles each on modern), and 53,270 - entry.syscall 40 -
// entry.exit 30 = 53,200 instructions.
static void test_uring_sqpoll(void **state)
{
	(void)state;
	struct run *u = run("monolithic:sqpoll=on", "read-uring");
	assert_int_equal(u->r.os.traps, 0);
	assert_int_equal(u->r.os.mode_switches, 0);
	assert_int_equal(u->r.hw.line_transfers, 2);
	assert_int_equal(u->r.hw.instructions, 53200);
	free(u);
}

// ---- gVisor ----

// gvisor (platform=ptrace) null: the application's getpid traps to the
// host (1), which stops it and wakes the Sentry; the Sentry's switchToApp
// (pkg/sentry/platform/ptrace/subprocess.go) then makes 8 host calls:
// getRegs, getFPRegs, getTLS after the stop, setRegs, setFPRegs, setTLS,
// PTRACE_SYSEMU and wait4 before the application runs again: 9 traps, 18
// mode switches; 2 address-space switches (to the Sentry, back).
// platform=kvm: the application traps straight to the Sentry in guest
// ring 0: 1 trap, no VM exit, no address-space switch (the Sentry is
// mapped in every guest page table).
static void test_gvisor_null(void **state)
{
	(void)state;
	struct run *p = run("gvisor", "null"), *k = run("gvisor:platform=kvm", "null");
	assert_int_equal(p->r.os.traps, 9);
	assert_int_equal(p->r.os.mode_switches, 18);
	assert_int_equal(p->r.os.as_switches, 2);
	assert_int_equal(k->r.os.traps, 1);
	assert_int_equal(k->r.os.vm_exits, 0);
	assert_int_equal(k->r.os.as_switches, 0);
	free(p);
	free(k);
}

// gvisor read: the file's data comes from the Gofer by one lisafs RPC
// (a FUTEX_WAKE+WAIT host call on each side: 2 traps), and the Gofer
// reads it from the host's page cache (a host call: 1 trap).
// ptrace: 9 + 2 + 1 = 12 traps. kvm: the application's trap (1), the
// Sentry leaves the VM to make its RPC (1 VM exit: redpill) and comes back
// by KVM_RUN (1 trap, 1 VM entry): 1 + 2 + 1 + 1 = 5 traps, 2 VMX
// transitions.
static void test_gvisor_read(void **state)
{
	(void)state;
	struct run *p = run("gvisor", "read"), *k = run("gvisor:platform=kvm", "read");
	assert_int_equal(p->r.os.traps, 12);
	assert_int_equal(k->r.os.traps, 5);
	assert_int_equal(k->r.os.vm_exits, 1);
	assert_int_equal(k->r.os.vmx_transitions, 2);
	free(p);
	free(k);
}

// ---- unikernel and micro-VM ----

// unikernel null: getpid is a function call into the linked library OS:
// libcall = call (4 instructions) + copy_in, copy_out of 0 bytes (nothing)
// there and copy_in, copy_out, call (4) back, plus posix.getpid's 12:
// 20 instructions, 0 traps, 0 mode switches, 0 exits; warm: 20 cycles.
static void test_unikernel_null(void **state)
{
	(void)state;
	struct run *x = run("unikernel", "null");
	assert_int_equal(x->r.os.traps, 0);
	assert_int_equal(x->r.os.mode_switches, 0);
	assert_int_equal(x->r.os.vm_exits, 0);
	assert_int_equal(x->r.hw.instructions, 20);
	free(x);
}

// read-disk as guests. unikernel: the library's virtio driver kicks the
// device (driver.read's 4 register accesses, batched 64 to a crossing: 1
// exit, back through QEMU), halts (1 exit), takes the injected interrupt
// and writes the EOI (1 APIC-access exit: modern has no apicv), and
// acknowledges the device in driver.complete (2 accesses: 1 exit): 4.
// microvm: the same four exits, its register accesses served by the
// firecracker process instead of QEMU; traps: the application's read (1),
// the monitor's KVM_RUN after each of the 2 MMIO exits (2), its image read
// and its irqfd write in the device wait (2): 5.
static void test_guest_read_disk(void **state)
{
	(void)state;
	struct run *u = run("unikernel", "read-disk"), *m = run("microvm", "read-disk");
	assert_int_equal(u->r.os.vm_exits, 4);
	assert_int_equal(m->r.os.vm_exits, 4);
	assert_int_equal(m->r.os.traps, 5);
	free(u);
	free(m);
}

// ---- eBPF in `osarch faults` (configs/extension-faults.yaml) ----

// Placement ebpf (packet filter only): arch monolithic (its service in `kernel`, ring 0,
// global: the same domain as the loadable module, so the same per-call
// cost, no crossing) with a verifier that bounds loops. A wild write and
// a null dereference are accesses the verifier cannot prove safe, an
// infinite loop one it cannot bound: all three refused at load time (unit
// none, contained by the verifier), where the module takes the machine
// down; a leak meets the map's quota (unit extension, memory quota).
static void test_ebpf_faults(void **state)
{
	(void)state;
	struct fault_config *c = calloc(1, sizeof *c);
	struct cfg_error err;
	assert_non_null(c);
	if (fault_config_load(c, "configs/extension-faults.yaml", &err))
		fail_msg("%s", err.msg);
	int pe = -1, pl = -1;
	for (int i = 0; i < c->nplace; i++) {
		if (!strcmp(c->place[i].name, "ebpf"))
			pe = i;
		if (!strcmp(c->place[i].name, "lkm"))
			pl = i;
	}
	assert_true(pe >= 0 && pl >= 0);
	// The placement applies to the packet filter only (a block driver is
	// not an eBPF program: extensions: packet-filter).
	int ef = -1;
	for (int i = 0; i < c->next; i++)
		if (!strcmp(c->ext[i].name, "packet-filter"))
			ef = i;
	assert_true(ef >= 0);
	struct run *x = run(c->place[pe].arch, c->ext[ef].workload);
	struct ext_domain d;
	assert_int_equal(ext_domain_of(&x->a, service_find(&x->a.svc, c->ext[ef].service), &x->w, &d), 0);
	assert_int_equal(d.ring, 0);
	struct fault_outcome o;
	static const int refused[] = {FAULT_WILD_WRITE, FAULT_NULL_DEREF, FAULT_LOOP};
	for (int i = 0; i < 3; i++) {
		fault_outcome(&d, &c->place[pe], &c->ext[ef], &c->scenario, &c->consts, refused[i], 1, 0.001, &o);
		assert_int_equal(o.unit, UNIT_NONE);
		assert_string_equal(o.contained, "verifier");
		fault_outcome(&d, &c->place[pl], &c->ext[ef], &c->scenario, &c->consts, refused[i], 1, 0.001, &o);
		assert_int_equal(o.unit, UNIT_MACHINE);
	}
	fault_outcome(&d, &c->place[pe], &c->ext[ef], &c->scenario, &c->consts, FAULT_LEAK, 1, 0.001, &o);
	assert_int_equal(o.unit, UNIT_EXTENSION);
	assert_string_equal(o.contained, "memory quota");
	free(x);
	fault_config_free(c);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kpti_null_pcid),
		cmocka_unit_test(test_kpti_null_nopcid),
		cmocka_unit_test(test_kpti_ctxsw),
		cmocka_unit_test(test_kpti_guests),
		cmocka_unit_test(test_sel4_null),
		cmocka_unit_test(test_sel4_read_disk),
		cmocka_unit_test(test_sel4_pagefault),
		cmocka_unit_test(test_sel4_timer_tick),
		cmocka_unit_test(test_uring_instructions),
		cmocka_unit_test(test_uring_sqpoll),
		cmocka_unit_test(test_gvisor_null),
		cmocka_unit_test(test_gvisor_read),
		cmocka_unit_test(test_unikernel_null),
		cmocka_unit_test(test_guest_read_disk),
		cmocka_unit_test(test_ebpf_faults),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
