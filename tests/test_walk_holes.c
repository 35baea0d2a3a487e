// test_walk_holes.c: regression tests for six ways the walker could make a
// count come out right for the wrong reason (issue 14, point 3). Each test
// failed before its fix; the derivation of every expected count is beside it.
//
// The architectures and workloads written for these tests are in
// tests/data/walk/; the others are the shipped files.
#include "testutil.h"

#include "walkrun.h"

// Whether some trace row ran `what` (service.op).
static int trace_ran(const struct trace *tr, const char *what)
{
	for (int i = 0; i < tr->n; i++)
		if (strstr(tr->step[i].ran, what))
			return 1;
	return 0;
}

// ---- 1. a call made by another process first switches to it
//
// read-two-apps: app reads (root call 1, resumes app), then peer reads
// (root call 2, resumes app). Before peer's call the processor is app's,
// so the walker first switches: sched.switch called from app and
// returning into app:peer, through the architecture's own crossings.
//   monolithic: read by app: trap T1 M1, return leave M2, app loaded (no
//   AS). Switch: trap T2 M3, sched.switch, return loads app:peer (AS1),
//   leave M4. Read by peer: T3 M5, return to app loads app (AS2), leave
//   M6. => 3 T, 6 M, 2 AS. (Before the fix: 2 T, 4 M and 0 AS: the peer's
//   read ran in the application's address space.)
//   l4 (sched and every Unix service in the linux server): three round
//   trips app->linux->X by ipc, each 2 T, 4 M, 2 AS, 2 msgs: read (back to
//   app), switch (back to app:peer), peer's read (back to app) => 6 T,
//   12 M, 6 AS, 6 msgs.
static void test_peer_call_switches_process(void **state)
{
	(void)state;
	struct walkrun *x;
	x = walkrun("monolithic", "read-two-apps", "modern", 0);
	assert_int_equal(x->rc, 0);
	assert_int_equal(x->r.os.traps, 3);
	assert_int_equal(x->r.os.mode_switches, 6);
	assert_int_equal(x->r.os.as_switches, 2);
	assert_true(trace_ran(&x->tr, "sched.switch"));
	free(x);
	x = walkrun("l4", "read-two-apps", "modern", 0);
	assert_int_equal(x->rc, 0);
	assert_int_equal(x->r.os.traps, 6);
	assert_int_equal(x->r.os.mode_switches, 12);
	assert_int_equal(x->r.os.as_switches, 6);
	assert_int_equal(x->r.os.ipc_messages, 6);
	free(x);
}

// ---- 2. a fault always enters the kernel
//
// nested-fault: posix.read whose copy faults (fault: mm.fault inside it).
//   monolithic: the fault is raised while the kernel runs and mm is in the
//   kernel: no rule (kernel->kernel), so the CPU takes an exception in
//   ring 0: one exception event, the fault entry code (entry.fault) runs,
//   no trap (not from user mode), no mode switch. Counts stay those of a
//   system call: 1 T (the read), 2 M. (Before: a plain function call, 0
//   exception events.)
//   l4: the fault is raised while the Linux server runs and mm is in the
//   server itself: l4's only fault rule is user->user (pager-ipc), which
//   never matches a fault within one domain; a fault cannot be a call, so
//   the run fails with an error naming the crossing. (Before: a free call.)
static void test_nested_fault_enters_kernel(void **state)
{
	(void)state;
	struct walkrun *x;
	x = walkrun("monolithic", "tests/data/walk/nested-fault.yaml", "modern", 0);
	assert_int_equal(x->rc, 0);
	assert_int_equal(x->r.hw.events[EV_EXCEPTION], 1);
	assert_int_equal(x->r.os.traps, 1);
	assert_int_equal(x->r.os.mode_switches, 2);
	assert_true(trace_ran(&x->tr, "entry.fault"));
	free(x);
	x = walkrun("l4", "tests/data/walk/nested-fault.yaml", "modern", 0);
	assert_int_equal(x->rc, -3);
	assert_non_null(strstr(x->r.error, "fault from domain linux to domain linux"));
	free(x);
}

// ---- 3. guest -> monitor is always a VM exit or a hypercall
//
// guest-monitor: pt (pt.map of pagefault) placed in a VMX-root domain, both
// it and the guest kernel in ring 0 of the global space.
//   exit=none: no rule: an error (before: a plain call, the rings and
//   spaces being equal).
//   exit=plain: a rule whose transport only `enter`s: an error too.
//   exit=vmexit: the transport exits: the fault (T1, M1), pt.map after one
//   VM exit (1 exit), the VM entry back, return leave (M2): 1 T, 2 M, 1 exit.
static void test_guest_to_monitor_exits(void **state)
{
	(void)state;
	struct walkrun *x;
	x = walkrun("tests/data/walk/guest-monitor.yaml:exit=none", "pagefault", "core2-vtx", 0);
	assert_int_equal(x->rc, -3);
	assert_non_null(strstr(x->r.error, "without a VM exit or hypercall"));
	free(x);
	x = walkrun("tests/data/walk/guest-monitor.yaml:exit=plain", "pagefault", "core2-vtx", 0);
	assert_int_equal(x->rc, -3);
	assert_non_null(strstr(x->r.error, "without a VM exit or hypercall"));
	free(x);
	x = walkrun("tests/data/walk/guest-monitor.yaml:exit=vmexit", "pagefault", "core2-vtx", 0);
	assert_int_equal(x->rc, 0);
	assert_int_equal(x->r.os.traps, 1);
	assert_int_equal(x->r.os.mode_switches, 2);
	assert_int_equal(x->r.os.vm_exits, 1);
	free(x);
}

// ---- 4. a device completion needs a rule
//
// no-device-rule: monolithic without `device: {kernel: irq}`. read-disk
// waits for the disk in driver.read (kernel): an error before anything
// runs (before: the wait was added to io_wait_usec without an interrupt).
static void test_device_without_rule_is_an_error(void **state)
{
	(void)state;
	struct walkrun *x;
	x = walkrun("tests/data/walk/no-device-rule.yaml", "read-disk", "modern", 0);
	assert_int_equal(x->rc, -3);
	assert_non_null(strstr(x->r.error, "no device rule for domain kernel"));
	assert_int_equal(x->tr.n, 0); // nothing ran
	free(x);
}

// ---- 5. operations are resolved in the architecture's own services
//
// posix-reordered: monolithic with its own `posix` whose operations are
// listed read, getpid, ... (models/services.yaml lists getpid, read, ...),
// with the same figures. `read` must run posix.read and give exactly
// monolithic's figures (before: index 1 of the shared list, `read`, was
// `getpid` in the architecture's list).
static void test_ops_resolved_in_arch_services(void **state)
{
	(void)state;
	struct walkrun *x = walkrun("tests/data/walk/posix-reordered.yaml", "read", "modern", 0);
	struct walkrun *y = walkrun("monolithic", "read", "modern", 0);
	assert_int_equal(x->rc, 0);
	assert_int_equal(y->rc, 0);
	assert_true(trace_ran(&x->tr, "posix.read"));
	assert_false(trace_ran(&x->tr, "posix.getpid"));
	assert_int_equal(x->r.hw.instructions, y->r.hw.instructions);
	assert_true(x->r.cycles == y->r.cycles);
	free(x);
	free(y);
}

// ---- 6. a crossing rule is needed when ring, space, VM or root mode differ
//
// host-guest: the guest kernel and a host kernel, both ring 0 in the global
// space, differ only in the VM; pt.map is in the host. No rule: an error
// (before: ring and space equal, a plain call).
static void test_vm_boundary_needs_rule(void **state)
{
	(void)state;
	struct walkrun *x;
	x = walkrun("tests/data/walk/host-guest.yaml", "pagefault", "modern", 0);
	assert_int_equal(x->rc, -3);
	assert_non_null(strstr(x->r.error, "no crossing rule for a call from domain guest to domain host"));
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_call_switches_process),
		cmocka_unit_test(test_nested_fault_enters_kernel),
		cmocka_unit_test(test_guest_to_monitor_exits),
		cmocka_unit_test(test_device_without_rule_is_an_error),
		cmocka_unit_test(test_ops_resolved_in_arch_services),
		cmocka_unit_test(test_vm_boundary_needs_rule),
	};
	return cmocka_run_group_tests(tests, walkrun_setup, walkrun_teardown);
}
