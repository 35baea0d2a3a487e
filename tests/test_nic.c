// test_nic.c: the NIC's own path under every virtual-machine architecture
// (issue 23). A guest's packet goes where the real system sent it: the
// bare monitor's own driver (vm-hw, vm-bt), QEMU's e1000 through the
// host's tap (vm-hw:monitor=hosted), the VMApp and VMNet behind a world
// switch (vm-bt:monitor=hosted, Sugerman et al. 2001 sec. 2.3),
// Firecracker's virtio-net (microvm), Solo5's virtio-net on QEMU
// (unikernel) - never the disk's submission and completion.
//
// The guest's network path (models/services.yaml, workloads/): udp-rr =
// sendto{sock.send{udp_output{nic.xmit}}}, recvfrom{sock.recv{device nic
// {nic.rx{demux}}, udp_input}}; tcp-send-64k = send{46 x
// tcp_output{nic.xmit}}, 23 x interrupt nic.rx{demux{tcp_ack}}. The
// guest's driver: nic.xmit io 1 (the transmit tail write), nic.rx io 2;
// the guest's interrupt entry: the EOI (apic 1; neither core2-vtx nor
// modern has apicv). Each architecture's transports: arch/<name>.yaml.
#include "testutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmrun.h"

struct nic_expect {
	const char *arch, *machine, *workload;
	uint64_t traps, exits, hypercalls, domain_switches, ipc;
	const char *derivation;
};

// Columns: traps, VM exits, hypercalls, domain (world) switches, IPC messages.
static const struct nic_expect rows[] = {
	// ---- vm-hw, bare: the monitor's own driver. Transmit (exit-net-tx):
	// the tail write exits, the monitor's e1000 model and driver send the
	// frame. Receive while waiting (net-irq): HLT exit, the monitor's
	// driver and device model, the injection. An ACK while the program
	// runs (net-exit-irq): the external-interrupt exit, the same receive.
	{"vm-hw", "core2-vtx", "udp-rr", 2, 5, 0, 0, 0,
	 "exits: tail write 1 + HLT 1 + EOI 1 + nic.rx io 2 = 5; traps: sendto, recvfrom (the monitor's "
	 "driver needs no trap)"},
	{"vm-hw", "core2-vtx", "tcp-send-64k", 1, 138, 0, 0, 0,
	 "46 tail writes + 23 ACKs x (external interrupt 1 + EOI 1 + nic.rx io 2) = 46 + 92 = 138; traps: the send"},
	// ---- vm-hw:monitor=hosted (KVM with QEMU's e1000 [QEMU hw/net/e1000.c]).
	// Transmit: the exit returns to QEMU, start_xmit writes the frame to the
	// tap (writev: a trap), then KVM_RUN (a trap). Receive: QEMU reads the
	// tap (a trap), e1000_receive_iov, the interrupt ioctl (a trap). Each
	// of nic.rx's 2 register accesses: an exit to QEMU and KVM_RUN (a trap).
	{"vm-hw:monitor=hosted", "core2-vtx", "udp-rr", 8, 5, 0, 0, 0,
	 "exits as bare: 5; traps: 2 calls + transmit 2 (writev, KVM_RUN) + receive 2 (tap read, irq ioctl) "
	 "+ nic.rx 2 KVM_RUN = 8"},
	{"vm-hw:monitor=hosted", "core2-vtx", "tcp-send-64k", 185, 138, 0, 0, 0,
	 "exits 138 as bare; traps: the send 1 + 46 x (writev, KVM_RUN) + 23 x (tap read, irq ioctl, 2 "
	 "KVM_RUN) = 1 + 92 + 92 = 185"},
	// ---- vm-bt, bare (ESX): the transmitting write is a callout into the
	// monitor, whose NIC model and driver send the frame; the receive
	// interrupt comes to the monitor, whose driver and NIC model take the
	// frame; reflected. Callouts are neither exits nor traps.
	{"vm-bt", "xeon-2003", "udp-rr", 2, 0, 0, 0, 0,
	 "traps: sendto, recvfrom into the monitor; no world switch (Sugerman sec. 4: a VMM with its own "
	 "drivers needs none)"},
	{"vm-bt", "xeon-2003", "tcp-send-64k", 1, 0, 0, 0, 0, "the send's trap; 46 callouts, 23 reflected interrupts"},
	// ---- vm-bt:monitor=hosted [Sugerman 2001 sec. 2.3, Figure 4].
	// Transmit: a world switch to the host (1), the VMApp's write() to the
	// VMNet (a trap), its ioctl back to the VMM (a trap), the world switch
	// back (2). Receive (waited for or while the program runs): the host
	// NIC's interrupt world-switches to the host (1), the VMApp's select()
	// returns, its read() (a trap), the ioctl raising the virtual IRQ (a
	// trap), the world switch back (2). nic.rx's status accesses are
	// handled in the VMM (Table 2): callouts.
	{"vm-bt:monitor=hosted", "xeon-2003", "udp-rr", 6, 0, 0, 4, 0,
	 "traps: 2 calls + transmit 2 + receive 2 = 6; world switches: 2 + 2 = 4"},
	{"vm-bt:monitor=hosted", "xeon-2003", "tcp-send-64k", 139, 0, 0, 138, 0,
	 "traps: the send 1 + 46 x 2 + 23 x 2 = 139; world switches: 46 x 2 + 23 x 2 = 138"},
	// ---- microvm (Firecracker [src/vmm/src/devices/virtio/net/device.rs]).
	// Transmit: the QueueNotify write exits to KVM, whose ioeventfd wakes
	// the monitor's thread (no return to user space for the vCPU): 1
	// exit; the thread reads the eventfd (a trap) and writes the frame to
	// the tap (a trap); event index: no second kick until the thread has
	// run (the guest idles or the call ends). Receive: HLT exit (or the
	// external-interrupt exit), the host's driver and bridge; the thread
	// readv's the tap (a trap), reads again to EAGAIN (a trap), writes the
	// irqfd (a trap). The guest's handler: interrupt status read and
	// acknowledge, 2 MMIO exits to the monitor, each a KVM_RUN trap.
	{"microvm", "modern", "udp-rr", 9, 5, 0, 0, 0,
	 "exits: kick 1 + HLT 1 + EOI 1 + 2 MMIO = 5; traps: 2 calls + kick 2 + receive 3 + 2 KVM_RUN = 9"},
	{"microvm", "modern", "tcp-send-64k", 118, 93, 0, 0, 0,
	 "exits: 1 kick for 46 frames + 23 x (external interrupt 1 + EOI 1 + 2 MMIO) = 93; traps: the send 1 "
	 "+ kick 2 + 23 x (3 + 2 KVM_RUN) = 118"},
	// ---- unikernel (Solo5's virtio-net on QEMU [bindings/virtio/virtio_net.c]).
	// No system call traps (the library's calls). Transmit: the kick exits
	// to QEMU, virtio-net writes the tap (a trap), KVM_RUN (a trap); event
	// index as above. Receive: HLT (or external-interrupt) exit, the
	// host's path, QEMU's tap read and irq ioctl (2 traps); the handler's
	// one ISR read (nic.rx's 2 accesses are Solo5's one inb): an exit to
	// QEMU and KVM_RUN (a trap).
	{"unikernel", "modern", "udp-rr", 5, 4, 0, 0, 0,
	 "exits: kick 1 + HLT 1 + EOI 1 + ISR 1 = 4; traps: kick 2 + receive 2 + ISR 1 = 5"},
	{"unikernel", "modern", "tcp-send-64k", 71, 70, 0, 0, 0,
	 "exits: 1 kick + 23 x (external interrupt 1 + EOI 1 + ISR 1) = 70; traps: kick 2 + 23 x (2 + 1) = 71"},
};

static void test_nic_rows(void **state)
{
	const struct vmrun_fixture *f = *state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct nic_expect *e = &rows[i];
		struct run_result r;
		vm_run(f, e->arch, e->machine, e->workload, &r, NULL);
		uint64_t n = (uint64_t)r.reps;
		if (r.os.traps / n != e->traps || r.os.vm_exits / n != e->exits ||
		    r.os.hypercalls / n != e->hypercalls || r.os.domain_switches / n != e->domain_switches ||
		    r.os.ipc_messages / n != e->ipc)
			fail_msg("%s %s on %s: traps %llu exits %llu hypercalls %llu domain switches %llu ipc %llu, "
				 "expected %llu %llu %llu %llu %llu (%s)",
				 e->arch, e->workload, e->machine, (unsigned long long)(r.os.traps / n),
				 (unsigned long long)(r.os.vm_exits / n), (unsigned long long)(r.os.hypercalls / n),
				 (unsigned long long)(r.os.domain_switches / n), (unsigned long long)(r.os.ipc_messages / n),
				 (unsigned long long)e->traps, (unsigned long long)e->exits,
				 (unsigned long long)e->hypercalls, (unsigned long long)e->domain_switches,
				 (unsigned long long)e->ipc, e->derivation);
	}
}

// Does the row's list of operations name op as a whole word (not a prefix
// of a longer operation's name)?
static int ran_names(const char *ran, const char *op)
{
	size_t len = strlen(op);
	for (const char *s = strstr(ran, op); s; s = strstr(s + 1, op)) {
		unsigned char next = (unsigned char)s[len];
		if (!isalnum(next) && next != '_')
			return 1;
	}
	return 0;
}

// No virtual machine's network workload runs the disk's path: not the
// guest's block driver, not a monitor's or device model's submission and
// completion of a block request, not the split block driver. Every
// udp-rr runs the NIC's receive (the guest's or the host's driver);
// tcp-send-64k's acknowledgements may come after the trace's TRACE_MAX
// rows, so its receive is checked through the rows' counts above.
static void test_nic_never_runs_disk_path(void **state)
{
	const struct vmrun_fixture *f = *state;
	const struct { const char *arch, *machine; } vms[] = {
		{"vm-pv", "xeon-2003"}, {"vm-pv:drivers=guest", "xeon-2003"}, {"vm-pv", "modern"},
		{"vm-bt", "xeon-2003"}, {"vm-bt:monitor=hosted", "xeon-2003"}, {"vm-bt", "modern"},
		{"vm-hw", "core2-vtx"}, {"vm-hw:monitor=hosted", "core2-vtx"}, {"vm-hw:kpti=on", "modern"},
		{"vm-hw:monitor=hosted,kpti=on", "modern"}, {"vm-hw-ept", "modern"}, {"vm-hw-ept:io=virtio", "modern"},
		{"vm-hw-ept:backend=kernel", "modern"}, {"vm-hw-ept:io=virtio,backend=kernel", "modern"},
		{"microvm", "modern"}, {"unikernel", "modern"},
	};
	const char *const disk_ops[] = {"driver.read", "driver.complete", "qemu.io_submit", "qemu.io_complete",
					"qemu.virtio_kick", "vmm.virtio_kick", "fc.process_queue", "fc.complete",
					"vmapp.io", "vmapp.complete", "blkfront.submit", "blkfront.complete",
					"blkback.request", "blkback.complete"};
	const char *const wls[] = {"udp-rr", "tcp-send-64k"};
	struct trace *tr = malloc(sizeof *tr);
	assert_non_null(tr);
	for (size_t v = 0; v < sizeof vms / sizeof vms[0]; v++)
		for (int w = 0; w < 2; w++) {
			struct run_result r;
			vm_run(f, vms[v].arch, vms[v].machine, wls[w], &r, tr);
			int rx = 0;
			for (int i = 0; i < tr->n; i++) {
				for (size_t k = 0; k < sizeof disk_ops / sizeof disk_ops[0]; k++)
					if (ran_names(tr->step[i].ran, disk_ops[k]))
						fail_msg("%s %s on %s: row %d runs the disk's %s (%s)", vms[v].arch, wls[w],
							 vms[v].machine, i + 1, disk_ops[k], tr->step[i].ran);
				rx |= strstr(tr->step[i].ran, "nic.rx") != NULL;
			}
			if (!rx && w == 0)
				fail_msg("%s %s on %s: no row runs nic.rx", vms[v].arch, wls[w], vms[v].machine);
		}
	free(tr);
}

// Where the frame is received: the bare monitor's own driver (nic.rx in
// the monitor), the host's driver before the hosted device model (nic.rx
// in the host, then the user-level model's receive), in that order, and
// never the other kind of monitor's receive. tcp-send-64k's first ACK
// (a packet while the program runs) comes within the trace's rows; a
// hosted monitor's packet path is the hosted one whatever the order of
// the options (kpti=on redefines the bare monitor's net-exit-irq).
static void test_nic_rx_runs_where_the_driver_is(void **state)
{
	const struct vmrun_fixture *f = *state;
	const struct { const char *arch, *machine, *workload, *first, *then, *never; } paths[] = {
		{"vm-hw", "core2-vtx", "udp-rr", "nic.rx@vmm", "vmm.net_rx", "qemu.net_rx"},
		{"vm-hw:monitor=hosted", "core2-vtx", "udp-rr", "nic.rx@vmm", "qemu.net_rx", "vmm.net_rx"},
		{"vm-hw:kpti=on", "modern", "tcp-send-64k", "nic.rx@vmm", "vmm.net_rx", "qemu.net_rx"},
		{"vm-hw:monitor=hosted,kpti=on", "modern", "tcp-send-64k", "nic.rx@vmm", "qemu.net_rx", "vmm.net_rx"},
		{"vm-hw:kpti=on,monitor=hosted", "modern", "tcp-send-64k", "nic.rx@vmm", "qemu.net_rx", "vmm.net_rx"},
		{"vm-bt", "xeon-2003", "udp-rr", "nic.rx@vmm", "vmm.net_rx", "vmapp.net_rx"},
		{"vm-bt:monitor=hosted", "xeon-2003", "udp-rr", "nic.rx@host", "vmapp.net_rx", "vmm.net_rx"},
		{"vm-bt:monitor=hosted", "xeon-2003", "tcp-send-64k", "nic.rx@host", "vmapp.net_rx", "vmm.net_rx"},
		{"microvm", "modern", "udp-rr", "nic.rx@vmm", "fc.net_rx", "qemu.net_rx"},
		{"unikernel", "modern", "udp-rr", "nic.rx@vmm", "qemu.net_rx", "fc.net_rx"},
	};
	struct trace *tr = malloc(sizeof *tr);
	assert_non_null(tr);
	for (size_t k = 0; k < sizeof paths / sizeof paths[0]; k++) {
		struct run_result r;
		vm_run(f, paths[k].arch, paths[k].machine, paths[k].workload, &r, tr);
		char *all = calloc(TRACE_MAX, sizeof tr->step[0].ran + 1);
		assert_non_null(all);
		for (int i = 0; i < tr->n; i++) {
			strcat(all, " ");
			strcat(all, tr->step[i].ran);
		}
		const char *a = strstr(all, paths[k].first);
		const char *b = a ? strstr(a, paths[k].then) : NULL;
		if (!a || !b)
			fail_msg("%s %s: expected %s then %s in the trace", paths[k].arch, paths[k].workload,
				 paths[k].first, paths[k].then);
		if (ran_names(all, paths[k].never))
			fail_msg("%s %s: the trace runs %s", paths[k].arch, paths[k].workload, paths[k].never);
		free(all);
	}
	free(tr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nic_rows),
		cmocka_unit_test(test_nic_never_runs_disk_path),
		cmocka_unit_test(test_nic_rx_runs_where_the_driver_is),
	};
	return cmocka_run_group_tests(tests, vmrun_setup, vmrun_teardown);
}
