// test_faults.c: an extension under faults (`osarch faults`).
//
// tests/data/faults/good.yaml adds the block driver (`blk`, idempotent
// requests) and a packet filter (`pf`, not retried) in every kind of
// placement, with 10 processes per OS instance, 3 guests on a host and 5
// requests in flight. Recovery: machine 60 s, guest 10 s, server restart
// 250 ms, reload 1 ms, heartbeat 1 s (a hung server is found after two),
// watchdog 10 s. The expected outcome of each placement is derived in the
// comments from where its architecture file puts the `driver` service.
#include "testutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "experiment.h"
#include "faults.h"

#define GOOD "tests/data/faults/good.yaml"

struct fixture {
	struct fault_config c;
	struct service_set svc;
	struct profile p;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct cfg_error err;
	if (!f)
		return -1;
	if (fault_config_load(&f->c, GOOD, &err) || load_services_default(&f->svc, &err) ||
	    profile_load(&f->p, f->c.machine, NULL, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	fault_config_free(&f->c);
	free(f);
	return 0;
}

static int place_index(const struct fault_config *c, const char *name)
{
	for (int i = 0; i < c->nplace; i++)
		if (!strcmp(c->place[i].name, name))
			return i;
	fail_msg("no placement %s", name);
	return -1;
}

// The outcome of `fault` for extension `ext` (0 blk, 1 pf) in placement `pl`.
static void outcome(const struct fixture *f, int ext, const char *pl, int fault, struct fault_outcome *o)
{
	const struct fault_place *p = &f->c.place[place_index(&f->c, pl)];
	const struct fault_ext *e = &f->c.ext[ext];
	struct arch *a = malloc(sizeof *a);
	struct workload *w = malloc(sizeof *w);
	struct cfg_error err;
	assert_non_null(a);
	assert_non_null(w);
	if (arch_load(a, p->arch, &f->svc, &err) || workload_load(w, e->workload, &f->svc, &err))
		fail_msg("%s", err.msg);
	struct ext_domain d;
	assert_int_equal(ext_domain_of(a, service_find(&a->svc, e->service), w, &d), 0);
	// read-disk: cache.miss calls driver.read, so one caller (cache) waits.
	fault_outcome(&d, p, e, &f->c.scenario, &f->c.consts, fault, 1, f->p.cpi / f->p.mhz, o);
	assert_null(strchr(o->what, ','));
	free(a);
	free(w);
}

struct row {
	const char *place;
	int fault;
	int unit;
	int apps, lost, retried, services;
	double recovery_ms;
	const char *reboot;
};

#define ALL4(pl, unit, apps, lost, retried, svcs, ms, ms_loop, reboot)                               \
	{pl, FAULT_WILD_WRITE, unit, apps, lost, retried, svcs, ms, reboot},                          \
	{pl, FAULT_NULL_DEREF, unit, apps, lost, retried, svcs, ms, reboot},                          \
	{pl, FAULT_LOOP, unit, apps, lost, retried, svcs, ms_loop, reboot},                           \
	{pl, FAULT_LEAK, unit, apps, lost, retried, svcs, ms, reboot}

// The block driver (requests idempotent: a restarted server's clients retry).
static const struct row blk_rows[] = {
	// lkm: monolithic.yaml places driver in `kernel` {ring 0, space global}.
	// Its stores reach the kernel (it is in it): a wild write corrupts the
	// kernel; a null dereference is a kernel-mode fault (oops, panic); a
	// loop in ring 0 holds the CPU until the 10 s watchdog; a leak of kernel
	// memory has no owner to reclaim it from. All four: the machine reboots,
	// the 10 processes and 5 requests are lost with the 18 other services
	// monolithic.yaml places (entry ukernel posix vfs fs cache mm pt sched
	// proc pipe signal timer sock inet demux nic peer). 60 s, the loop 10 + 60 s.
	ALL4("lkm", UNIT_MACHINE, 10, 5, 0, 18, 60000, 70000, "machine"),
	// mach-kernel: mach-multiserver.yaml's default puts driver in the Mach
	// kernel {ring 0, global}: a microkernel does not help a driver inside it.
	// 20 other services (mach-ipc and the emulation library emul too, and
	// signal, timer, sock, inet, demux, nic).
	ALL4("mach-kernel", UNIT_MACHINE, 10, 5, 0, 20, 60000, 70000, "machine"),
	// mach-rs: driver=user places driver in `drivers` {ring 3, space
	// drivers}, alone. Its stores cannot reach a kernel (ring 3); a stray
	// store or a null dereference faults in its own space and the kernel
	// kills it; a loop is preempted; a leak fills only its own space. The
	// restart service starts a fresh copy (250 ms; the loop is found after
	// two missed 1 s heartbeats: 2.25 s); the 5 requests are retried.
	ALL4("mach-rs", UNIT_EXTENSION, 0, 0, 5, 0, 250, 2250, "no"),
	// mach-nors: the same server without a restart service: it stays down
	// until an operator acts (-1) and the 5 requests are lost.
	ALL4("mach-nors", UNIT_EXTENSION, 0, 5, 0, 0, -1, -1, "no"),
	// l4-rs: l4-multiserver.yaml places driver in `drivers` {ring 3}: as mach-rs.
	ALL4("l4-rs", UNIT_EXTENSION, 0, 0, 5, 0, 250, 2250, "no"),
	// l4linux: l4.yaml places driver in `linux` {ring 3} with posix, vfs, fs,
	// cache, mm, pt, sched, proc, pipe, signal, timer, sock, inet, demux, nic
	// (15 services). The MMU keeps the fault
	// out of the kernel, but the server it kills is the processes' OS: the
	// application's own calls (posix) are served there, so its 10 processes
	// die with it.
	ALL4("l4linux", UNIT_EXTENSION, 10, 0, 5, 15, 250, 2250, "no"),
	// xen: vm-pv:drivers=guest places driver in `guest` {ring 1, global, vm 1}; xen is
	// ring 0 (a stronger ring: out of reach). The guest kernel is corrupt or
	// panics or hangs (the hypervisor still runs the other guests) or runs out
	// of memory: that guest reboots (10 s; the loop + 10 s watchdog), its 10
	// processes (app is in vm 1) and its 20 other services are lost (the
	// 18 of the monolithic placement plus blkfront and netfront, the split
	// drivers' front ends, which stay in the guest when the guest drives
	// the disk and the NIC).
	ALL4("xen", UNIT_GUEST, 10, 5, 0, 20, 10000, 20000, "guest"),
	// xen-dd: vm-pv's split drivers place driver in `dom0` {ring 1, its own
	// space dom0, vm 0} beside blkback, with `xen` (the hypervisor) below:
	// a driver domain. A fault takes down dom0 alone; the hypervisor
	// restarts it (10 s; the loop + 10 s watchdog); the 10 processes live
	// in vm 1 (none killed); blkfront in the guest replays the 5 idempotent
	// requests; the other services of dom0 are lost with it: blkback, and
	// the network's real driver (nic) and back end (netback): 3.
	ALL4("xen-dd", UNIT_GUEST, 0, 0, 5, 3, 10000, 20000, "guest"),
	// exo-bare: the exokernel's `kernel` domain {ring 0} without a sandbox:
	// downloaded code that is not contained is an LKM (19 other services).
	ALL4("exo-bare", UNIT_MACHINE, 10, 5, 0, 19, 60000, 70000, "machine"),
	// exo-verified: the verifier rejects unsafe accesses and unbounded loops
	// at load time: nothing runs, nothing is lost. A leak passes the
	// verifier; its allocations are charged to it: at its 1 MiB quota it is
	// unloaded, its memory reclaimed and it is reloaded (1 ms); the 5
	// requests are retried.
	{"exo-verified", FAULT_WILD_WRITE, UNIT_NONE, 0, 0, 0, 0, 0, "no"},
	{"exo-verified", FAULT_NULL_DEREF, UNIT_NONE, 0, 0, 0, 0, 0, "no"},
	{"exo-verified", FAULT_LOOP, UNIT_NONE, 0, 0, 0, 0, 0, "no"},
	{"exo-verified", FAULT_LEAK, UNIT_EXTENSION, 0, 0, 5, 0, 1, "no"},
	// exo-budget: address checks abort the one invocation that strays (its
	// request is retried); the step budget stops the loop after 100,000
	// steps: 100000 x cpi 1.0 / 3400 MHz = 29.4 us.
	{"exo-budget", FAULT_WILD_WRITE, UNIT_INVOCATION, 0, 0, 1, 0, 0, "no"},
	{"exo-budget", FAULT_NULL_DEREF, UNIT_INVOCATION, 0, 0, 1, 0, 0, "no"},
	{"exo-budget", FAULT_LOOP, UNIT_INVOCATION, 0, 0, 1, 0, 100000.0 / 3400 / 1000, "no"},
	{"exo-budget", FAULT_LEAK, UNIT_EXTENSION, 0, 0, 5, 0, 1, "no"},
	// renamed: an architecture file called `monolithic` whose driver is a
	// ring-3 server (the hybrid example): the outcome follows the domain,
	// not the name.
	ALL4("renamed", UNIT_EXTENSION, 0, 0, 5, 0, 250, 2250, "no"),
};

static void check_rows(const struct fixture *f, int ext, const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		struct fault_outcome o;
		outcome(f, ext, r->place, r->fault, &o);
		if (o.unit != r->unit || o.apps_killed != r->apps || o.requests_lost != r->lost ||
		    o.requests_retried != r->retried || o.services_lost != r->services ||
		    fabs(o.recovery_ms - r->recovery_ms) > 1e-6 || strcmp(o.reboot, r->reboot))
			fail_msg("%s %s: unit %s apps %d lost %d retried %d services %d recovery %g reboot %s; "
				 "derived unit %s apps %d lost %d retried %d services %d recovery %g reboot %s (%s)",
				 r->place, fault_names[r->fault], fault_unit_names[o.unit], o.apps_killed,
				 o.requests_lost, o.requests_retried, o.services_lost, o.recovery_ms, o.reboot,
				 fault_unit_names[r->unit], r->apps, r->lost, r->retried, r->services, r->recovery_ms,
				 r->reboot, o.what);
	}
}

static void test_block_driver_outcomes(void **state)
{
	check_rows(*state, 0, blk_rows, sizeof blk_rows / sizeof blk_rows[0]);
}

// The packet filter's requests are not retried: where the block driver's
// clients retry, its packets are lost. Everything else is the same.
static const struct row pf_rows[] = {
	ALL4("lkm", UNIT_MACHINE, 10, 5, 0, 18, 60000, 70000, "machine"),
	ALL4("mach-rs", UNIT_EXTENSION, 0, 5, 0, 0, 250, 2250, "no"),
	ALL4("xen", UNIT_GUEST, 10, 5, 0, 20, 10000, 20000, "guest"),
	ALL4("xen-dd", UNIT_GUEST, 0, 5, 0, 3, 10000, 20000, "guest"),
	{"exo-budget", FAULT_LOOP, UNIT_INVOCATION, 0, 1, 0, 0, 100000.0 / 3400 / 1000, "no"},
	{"exo-verified", FAULT_LEAK, UNIT_EXTENSION, 0, 5, 0, 0, 1, "no"},
};

static void test_packet_filter_outcomes(void **state)
{
	check_rows(*state, 1, pf_rows, sizeof pf_rows / sizeof pf_rows[0]);
}

// The same domain properties give the same outcome whatever the
// architecture: a hand-built domain, no architecture at all.
static void test_outcome_from_properties_only(void **state)
{
	const struct fixture *f = *state;
	struct fault_place p;
	memset(&p, 0, sizeof p);
	struct ext_domain d;
	memset(&d, 0, sizeof d);
	struct fault_outcome o;
	// Supervisor code in a guest (ring 0 of VM 2): the guest, not the machine.
	d.ring = 0;
	d.supervisor = 1;
	d.kernel_writable = 1;
	d.vm = 2;
	d.apps_in_instance = 0; // the applications live in another guest
	d.instance_services = 7;
	fault_outcome(&d, &p, &f->c.ext[0], &f->c.scenario, &f->c.consts, FAULT_WILD_WRITE, 0, 0, &o);
	assert_int_equal(o.unit, UNIT_GUEST);
	assert_int_equal(o.apps_killed, 0);
	assert_int_equal(o.services_lost, 7);
	assert_string_equal(o.reboot, "guest");
	// The same on the host with guests: every guest's processes (10 x 3).
	d.vm = 0;
	d.has_guests = 1;
	d.all_services = 20;
	fault_outcome(&d, &p, &f->c.ext[0], &f->c.scenario, &f->c.consts, FAULT_NULL_DEREF, 0, 0, &o);
	assert_int_equal(o.unit, UNIT_MACHINE);
	assert_int_equal(o.apps_killed, 30);
	assert_int_equal(o.services_lost, 20);
	// Linked into the application (its own per-process domain, ring 3): the
	// application process dies, nobody else.
	memset(&d, 0, sizeof d);
	d.ring = 3;
	d.per_process = 1;
	fault_outcome(&d, &p, &f->c.ext[0], &f->c.scenario, &f->c.consts, FAULT_NULL_DEREF, 0, 0, &o);
	assert_int_equal(o.unit, UNIT_EXTENSION);
	assert_int_equal(o.apps_killed, 1);
	assert_true(o.recovery_ms < 0);
	// A driver domain (split drivers: Xen's dom0, ring 1, vm 0, under the
	// hypervisor, with the real driver, serving the application's guest):
	// a fault in its kernel takes down that domain alone; the hypervisor
	// restarts it (the guest reboot constant, 10 s), the applications in the
	// other guest live (0 killed) and its front end replays the 5 idempotent
	// requests; its 2 other services (the back end, its kernel) are lost.
	memset(&d, 0, sizeof d);
	d.ring = 1;
	d.supervisor = 1;
	d.kernel_writable = 1;
	d.own_space = 1;
	d.vm = 0;
	d.under_hypervisor = 1;
	d.has_guests = 1;
	d.apps_in_instance = 0;
	d.instance_services = 2;
	fault_outcome(&d, &p, &f->c.ext[0], &f->c.scenario, &f->c.consts, FAULT_WILD_WRITE, 0, 0, &o);
	assert_int_equal(o.unit, UNIT_GUEST);
	assert_int_equal(o.apps_killed, 0);
	assert_int_equal(o.requests_retried, 5);
	assert_int_equal(o.requests_lost, 0);
	assert_int_equal(o.services_lost, 2);
	assert_true(fabs(o.recovery_ms - 10000) < 1e-9);
	// Its device's bad DMA still reaches every guest without an IOMMU.
	fault_outcome(&d, &p, &f->c.ext[0], &f->c.scenario, &f->c.consts, FAULT_DMA, 0, 0, &o);
	assert_int_equal(o.unit, UNIT_MACHINE);
	assert_int_equal(o.apps_killed, 30);
	memset(&d, 0, sizeof d);
	// A step budget does nothing for a wild write without address checks.
	p.has_sandbox = 1;
	p.sandbox.step_budget = 1000;
	d.ring = 0;
	d.supervisor = 1;
	d.kernel_writable = 1;
	d.per_process = 0;
	fault_outcome(&d, &p, &f->c.ext[0], &f->c.scenario, &f->c.consts, FAULT_WILD_WRITE, 0, 0, &o);
	assert_int_equal(o.unit, UNIT_MACHINE);
	fault_outcome(&d, &p, &f->c.ext[0], &f->c.scenario, &f->c.consts, FAULT_LOOP, 0, 0.5, &o);
	assert_int_equal(o.unit, UNIT_INVOCATION);
	assert_true(fabs(o.recovery_ms - 0.5) < 1e-9); // 1000 steps x 0.5 us
}

// The kinds no isolation of the code stops, Nooks, and the verifier's refusal.
// corrupt-data: every access is legal, so in every placement the one
// request is lost silently (not retried, nobody stalls), nothing restarts.
// dma-write: without an IOMMU the device writes any memory: even the
// user-level server (mach-rs) takes the machine down (10 processes, 5
// requests, 60 s, no watchdog wait); the packet filter drives no DMA: n/a.
// With an IOMMU the write is refused and the one request retried.
// Nooks (lkm's kernel with the driver in a Nooks domain): a wild write
// faults on the read-only kernel, a null dereference is caught by its
// wrappers, a leak is freed by its object tracker: the driver alone is
// reloaded (300 ms) and the 5 idempotent requests retried; a ring-0 loop is
// not caught and the watchdog reboots the machine (10 + 60 s).
// exo-verified: the verifier's refusal loses the extension itself.
static void test_new_kinds_nooks_and_refusal(void **state)
{
	struct fixture *f = *state;
	struct fault_outcome o;
	const char *all[] = {"lkm", "mach-rs", "xen", "exo-budget", "nooks"};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		outcome(f, 0, all[i], FAULT_CORRUPT, &o);
		assert_int_equal(o.unit, UNIT_INVOCATION);
		assert_string_equal(o.detection, "not caught");
		assert_int_equal(o.requests_lost, 1);
		assert_int_equal(o.requests_retried, 0);
		assert_int_equal(o.services_stalled, 0);
	}
	outcome(f, 0, "mach-rs", FAULT_DMA, &o);
	assert_int_equal(o.unit, UNIT_MACHINE);
	assert_int_equal(o.apps_killed, 10);
	assert_int_equal(o.requests_lost, 5);
	assert_true(fabs(o.recovery_ms - 60000) < 1e-9);
	outcome(f, 1, "mach-rs", FAULT_DMA, &o);
	assert_int_equal(o.unit, UNIT_NONE);
	f->c.scenario.iommu = 1;
	outcome(f, 0, "mach-rs", FAULT_DMA, &o);
	f->c.scenario.iommu = 0;
	assert_int_equal(o.unit, UNIT_INVOCATION);
	assert_string_equal(o.contained, "iommu");
	assert_int_equal(o.requests_retried, 1);
	const int caught[] = {FAULT_WILD_WRITE, FAULT_NULL_DEREF, FAULT_LEAK};
	for (int i = 0; i < 3; i++) {
		outcome(f, 0, "nooks", caught[i], &o);
		assert_int_equal(o.unit, UNIT_EXTENSION);
		assert_string_equal(o.contained, "nooks");
		assert_int_equal(o.apps_killed, 0);
		assert_int_equal(o.services_lost, 0);
		assert_int_equal(o.requests_retried, 5);
		assert_true(fabs(o.recovery_ms - 300) < 1e-9);
	}
	outcome(f, 0, "nooks", FAULT_LOOP, &o);
	assert_int_equal(o.unit, UNIT_MACHINE);
	assert_true(fabs(o.recovery_ms - 70000) < 1e-9);
	outcome(f, 0, "exo-verified", FAULT_WILD_WRITE, &o);
	assert_int_equal(o.unit, UNIT_NONE);
	assert_int_equal(o.function_lost, 1);
	assert_string_equal(o.detection, "load-time check");
}

// Expected loss over a mix, by hand: half wild writes, half loops.
// lkm: both reboot the machine, 60 s and 10 + 60 s: 65 s expected, 10
// processes, 5 requests, P(reboot) 1; the wild write is not caught (silent
// until the crash): P(silent) 0.5. mach-rs: 250 ms and 2 x 1 s + 250 ms:
// 1250 ms, 5 requests retried, nothing silent. exo-verified: both refused,
// nothing lost but the extension: P(function lost) 1.
static void test_expected_loss_by_hand(void **state)
{
	const struct fixture *f = *state;
	double mix[FAULT__N] = {0};
	mix[FAULT_WILD_WRITE] = 0.5;
	mix[FAULT_LOOP] = 0.5;
	struct fault_outcome o[FAULT__N];
	struct expected_loss x;
	const char *pl[] = {"lkm", "mach-rs", "exo-verified"};
	for (int p = 0; p < 3; p++) {
		for (int k = 0; k < FAULT__N; k++)
			outcome(f, 0, pl[p], k, &o[k]);
		expected_loss_of(o, mix, &x);
		if (p == 0) {
			assert_true(fabs(x.recovery_ms - 65000) < 1e-9);
			assert_true(fabs(x.apps_killed - 10) < 1e-9 && fabs(x.requests_lost - 5) < 1e-9);
			assert_true(fabs(x.p_machine - 1) < 1e-12 && fabs(x.p_silent - 0.5) < 1e-12);
		} else if (p == 1) {
			assert_true(fabs(x.recovery_ms - 1250) < 1e-9);
			assert_true(fabs(x.requests_retried - 5) < 1e-9 && x.p_silent == 0 && x.p_machine == 0);
		} else {
			assert_true(x.recovery_ms == 0 && x.apps_killed == 0 && fabs(x.p_function_lost - 1) < 1e-12);
		}
	}
}

// ---- what isolation costs ----

static void cost(const struct fixture *f, int ext, const char *pl, struct isolation_cost *k)
{
	const struct fault_place *p = &f->c.place[place_index(&f->c, pl)];
	const struct fault_ext *e = &f->c.ext[ext];
	struct arch *a = malloc(sizeof *a), *ref = malloc(sizeof *ref);
	struct workload *w = malloc(sizeof *w);
	struct cfg_error err;
	assert_non_null(a);
	assert_non_null(ref);
	assert_non_null(w);
	if (arch_load(a, p->arch, &f->svc, &err) || arch_load(ref, p->reference, &f->svc, &err) ||
	    workload_load(w, e->workload, &f->svc, &err))
		fail_msg("%s", err.msg);
	char why[300];
	if (isolation_cost_of(a, ref, w, &f->p, e, p, f->c.warmup, f->c.reps, k, why, sizeof why))
		fail_msg("%s", why);
	free(a);
	free(ref);
	free(w);
}

static void test_isolation_costs(void **state)
{
	const struct fixture *f = *state;
	struct isolation_cost k, kk;
	// The LKM against itself: nothing. Its path runs driver.read (400
	// instructions) and driver.complete (300): 700.
	cost(f, 0, "lkm", &k);
	assert_true(k.isolation == 0);
	assert_int_equal(k.ext_instructions, 700);
	assert_int_equal(k.os.traps, 1);
	// The Mach driver server against the same system with the driver in the
	// kernel: the difference is the driver's own IPC (fs -> drivers and back,
	// the interrupt as a message): 2 more traps, 2 more address-space
	// switches, 1 more message per read-disk (8/6/7 against 6/4/6: the
	// application's call is an emulated RPC, two traps, in both).
	cost(f, 0, "mach-rs", &k);
	cost(f, 0, "mach-kernel", &kk);
	assert_true(k.ref_cycles == kk.cycles);
	assert_true(k.isolation > 0);
	assert_true(fabs(k.isolation - (k.cycles - kk.cycles)) < 1e-6);
	assert_int_equal(k.os.traps, 8);
	assert_int_equal(k.os.as_switches, 6);
	assert_int_equal(k.os.ipc_messages, 7);
	// The paravirtualised guest (pv=64 on modern, its word size): four
	// hypercalls per read-disk (driver.read's 4 register writes in one
	// event-channel batch, the block, completion, and the iret hypercall by
	// which a 64-bit PV guest kernel returns to the process).
	cost(f, 0, "xen", &k);
	assert_int_equal(k.os.hypercalls, 4);
	assert_true(k.isolation > 0);
	// Sandboxes add their checks to the extension's own instructions:
	// 0.02 x 700 x cpi and 0.15 x 700 x cpi per call; per device event only
	// driver.complete runs (300 instructions).
	cost(f, 0, "exo-verified", &k);
	assert_true(fabs(k.sandbox_cycles - 0.02 * 700 * f->p.cpi) < 1e-6);
	assert_true(fabs(k.isolation - k.sandbox_cycles) < 1e-6); // reference: the same exokernel
	cost(f, 0, "exo-budget", &k);
	assert_true(fabs(k.sandbox_cycles - 0.15 * 700 * f->p.cpi) < 1e-6);
	cost(f, 1, "exo-budget", &k);
	assert_int_equal(k.ext_instructions, 300);
	assert_true(fabs(k.sandbox_cycles - 0.15 * 300 * f->p.cpi) < 1e-6);
	// Per packet the user-level server takes the interrupt as a message.
	cost(f, 1, "mach-rs", &k);
	assert_int_equal(k.os.ipc_messages, 1);
	assert_true(k.isolation > 0);
	cost(f, 1, "lkm", &k);
	assert_int_equal(k.os.ipc_messages, 0);
	assert_int_equal(k.os.traps, 0);
	// SFI from the machine profile (overhead -1): modern's sfi_overhead 0.10
	// (MiSFIT on x86) x 700 instructions x cpi.
	cost(f, 0, "exo-sfi", &k);
	assert_true(fabs(k.sandbox_cycles - f->p.sfi_overhead * 700 * f->p.cpi) < 1e-6);
	assert_true(f->p.sfi_overhead == 0.10);
	// Nooks: two page-table switches per call into the driver (driver.read
	// and driver.complete on the path): 2 x 2 x cr3_write.
	cost(f, 0, "nooks", &k);
	assert_true(fabs(k.sandbox_cycles - 4.0 * f->p.ev.cr3_write) < 1e-9);
	// End to end: the isolation over the reference's cycles plus the
	// device's time in cycles (as Nooks and MINIX 3 report overheads).
	cost(f, 0, "mach-rs", &k);
	assert_true(k.device_us > 0);
	assert_true(fabs(k.e2e_overhead - k.isolation / (k.ref_cycles + k.device_us * f->p.mhz)) < 1e-12);
	assert_true(k.e2e_overhead < k.isolation / k.ref_cycles);
}

// ---- the whole run: results files ----

static void test_run_writes_results(void **state)
{
	const struct fixture *f = *state;
	char dir[] = "/tmp/osarch-faults-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct cfg_error err;
	assert_int_equal(faults_run(&f->c, dir, NULL, &err), 0);
	char path[600], line[4096];
	snprintf(path, sizeof path, "%s/results.csv", dir);
	FILE *csv = fopen(path, "r");
	assert_non_null(csv);
	assert_non_null(fgets(line, sizeof line, csv));
	assert_string_equal(line, "extension,placement,arch,workload,machine,fault,failure_unit,contained_by,"
				  "apps_killed,requests_lost,requests_retried,services_lost,services_stalled,"
				  "recovery_ms,reboot,cycles,reference_cycles,sandbox_cycles,isolation_cycles,"
				  "extension_instructions,traps,mode_switches,as_switches,ipc_messages,vm_exits,"
				  "hypercalls,measure,what,detection,function_lost,device_us,e2e_overhead,p_machine,"
				  "p_silent,p_manual,p_function_lost\n");
	int rows = 0;
	while (fgets(line, sizeof line, csv)) {
		int commas = 0;
		for (char *c = line; *c; c++)
			commas += *c == ',';
		assert_int_equal(commas, 35); // 36 columns, no comma inside a field
		rows++;
	}
	fclose(csv);
	assert_int_equal(rows, f->c.next * f->c.nplace * f->c.nfaults);
	snprintf(path, sizeof path, "%s/results.json", dir);
	FILE *js = fopen(path, "r");
	assert_non_null(js);
	assert_int_equal(fgetc(js), '{');
	fclose(js);
	// Nothing else is left behind (the temporary files were renamed).
	DIR *dd = opendir(dir);
	assert_non_null(dd);
	int files = 0;
	for (struct dirent *de; (de = readdir(dd));) {
		if (de->d_name[0] == '.')
			continue;
		assert_true(!strcmp(de->d_name, "results.csv") || !strcmp(de->d_name, "results.json"));
		files++;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(dd);
	rmdir(dir);
	assert_int_equal(files, 2);
}

// ---- bad files: one line, the exact location, exit 2 ----

static const struct {
	const char *file, *prefix;
} bad[] = {
	{"tests/data/faults/bad-unknown-arch.yaml", "tests/data/faults/bad-unknown-arch.yaml:12:23: error: unknown architecture 'monolith'"},
	{"tests/data/faults/bad-unknown-workload.yaml", "tests/data/faults/bad-unknown-workload.yaml:10:44: error: unknown workload 'read-disc'"},
	{"tests/data/faults/bad-unknown-service.yaml", "tests/data/faults/bad-unknown-service.yaml:10:26: error: unknown service 'netfilter'"},
	{"tests/data/faults/bad-fault-name.yaml", "tests/data/faults/bad-fault-name.yaml:9:22: error: unknown fault 'meltdown'"},
	{"tests/data/faults/bad-workload-misses.yaml", "tests/data/faults/bad-workload-misses.yaml:10:44: error: workload 'read' never runs service 'driver'"},
	{"tests/data/faults/bad-duplicate-placement.yaml", "tests/data/faults/bad-duplicate-placement.yaml:13:12: error: duplicate placement 'lkm'"},
	{"tests/data/faults/bad-sandbox-key.yaml", "tests/data/faults/bad-sandbox-key.yaml:12:44: error: unknown key 'verifyer'"},
	{"tests/data/faults/bad-needs-vtx.yaml", "tests/data/faults/bad-needs-vtx.yaml:13:22: error: architecture vm-hw needs VT-x"},
	{"tests/data/faults/bad-measure.yaml", "tests/data/faults/bad-measure.yaml:10:64: error: unknown value 'per-packet'"},
	{"tests/data/faults/bad-negative-ms.yaml", "tests/data/faults/bad-negative-ms.yaml:4:22: error: "},
	{"tests/data/faults/bad-missing-watchdog.yaml", "tests/data/faults/bad-missing-watchdog.yaml:3:3: error: missing required key 'watchdog'"},
	{"tests/data/faults/bad-no-placements.yaml", "tests/data/faults/bad-no-placements.yaml:11:13: error: no placements"},
	{"tests/data/faults/bad-syntax.yaml", "tests/data/faults/bad-syntax.yaml:11:11: error: syntax error"},
	{"tests/data/faults/bad-type.yaml", "tests/data/faults/bad-type.yaml:12:44: error: "},
	{"tests/data/faults/bad-scenario-key.yaml", "tests/data/faults/bad-scenario-key.yaml:9:27: error: unknown key 'tenants'"},
	{"tests/data/faults/no-such-file.yaml", "tests/data/faults/no-such-file.yaml:1:1: error: "},
};

// Runs the command with stdout and stderr sent to /dev/null.
static int quiet_main(int argc, char **argv)
{
	fflush(stdout);
	fflush(stderr);
	int out = dup(1), errfd = dup(2), null = open("/dev/null", O_WRONLY);
	assert_true(out >= 0 && errfd >= 0 && null >= 0);
	dup2(null, 1);
	dup2(null, 2);
	int rc = faults_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(out, 1);
	dup2(errfd, 2);
	close(out);
	close(errfd);
	close(null);
	return rc;
}

static void test_bad_fault_files(void **state)
{
	(void)state;
	struct fault_config *c = malloc(sizeof *c);
	assert_non_null(c);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct cfg_error err;
		if (fault_config_load(c, bad[i].file, &err) == 0) {
			fault_config_free(c);
			fail_msg("%s loaded", bad[i].file);
		}
		if (strncmp(err.msg, bad[i].prefix, strlen(bad[i].prefix)))
			fail_msg("%s: got '%s', expected prefix '%s'", bad[i].file, err.msg, bad[i].prefix);
		assert_null(strchr(err.msg, '\n'));
		char *argv[] = {"faults", (char *)bad[i].file, "-o", "/nonexistent/osarch-must-not-write", NULL};
		assert_int_equal(quiet_main(4, argv), 2);
	}
	free(c);
	char *none[] = {"faults", NULL};
	char *opt[] = {"faults", GOOD, "--frobnicate", NULL};
	char *help[] = {"faults", "--help", NULL};
	char *noarg[] = {"faults", GOOD, "-o", NULL};
	assert_int_equal(quiet_main(1, none), 2);
	assert_int_equal(quiet_main(3, opt), 2);
	assert_int_equal(quiet_main(2, help), 0);
	assert_int_equal(quiet_main(3, noarg), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_kinds_nooks_and_refusal),
		cmocka_unit_test(test_expected_loss_by_hand),
		cmocka_unit_test(test_block_driver_outcomes),
		cmocka_unit_test(test_packet_filter_outcomes),
		cmocka_unit_test(test_outcome_from_properties_only),
		cmocka_unit_test(test_isolation_costs),
		cmocka_unit_test(test_run_writes_results),
		cmocka_unit_test(test_bad_fault_files),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
