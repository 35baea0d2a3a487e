// test_vmx_transitions.c: one definition of a mode switch across the four
// VM architectures (issue 14, point 6).
//
// The rule (docs/model.md, README "Counting rules"):
//  - mode_switches counts changes of privilege ring only, in either
//    direction. A VM exit from guest ring 0 (VMX non-root) to the
//    hypervisor's ring 0 (VMX root) changes no ring: no mode switch.
//  - vmx_transitions counts every VMX transition: each VM exit and each VM
//    entry is one. Binary translation and paravirtualisation have none
//    (the monitor is entered by ring changes: callouts, traps, hypercalls,
//    which are mode switches).
//
// Derivations (the guest path's sensitive operations are listed at the top
// of tests/test_vm.c):
//  vm-hw read-disk (core2-vtx): driver.read io 4 -> 4 exits, each with its
//    entry; the disk wait exits on HLT, the injection enters: 1 + 1; the
//    guest's interrupt entry writes the APIC's EOI (no apicv): 1 + 1;
//    driver.complete io 2 -> 2 exits + 2 entries. 8 exits, 8 entries:
//    16 transitions. Rings: the trap app->guest (M1) and the return (M2);
//    every exit and entry is guest ring 0 <-> VMM ring 0: 2 mode switches.
//  vm-hw pagefault: the #PF exits from app ring 3 into the VMM's ring 0
//    (an exit, M1), the entry returns to app ring 3 (an entry, M2), the
//    reflected exception enters the guest (T1, M3); pt.map's shadowed PTE
//    write exits and enters (2 transitions, ring 0 <-> 0); the return to
//    app (M4): 4 transitions, 4 mode switches.
//  vm-hw-ept:backend=kernel read-disk (modern): the same 8 I/O, HLT and
//    EOI exits as vm-hw: 16 transitions, 2 mode switches.
//  vm-hw-ept read-disk (modern, QEMU the device model): the same 8 exits;
//    each of the 6 register exits returns to QEMU in ring 3 and comes back
//    by the KVM_RUN system call (2 mode switches each, 12), the disk wait
//    goes to QEMU and back twice (submission, completion: 4): 2 + 16 = 18.
//  vm-hw-ept pagefault: EPT: no exit: 0 transitions, 2 mode switches.
//  vm-pv:drivers=guest read-disk (xeon-2003): the system call traps app
//    ring 3 -> guest ring 1 (M1); driver.read's 4 I/O accesses are one
//    event-channel hypercall (ring 1 -> Xen ring 0, M2) and its return
//    (M3); the wait blocks in Xen by hypercall (M4), the interrupt is taken
//    in Xen's ring 0 (no change), the virtual interrupt enters the guest
//    (M5); driver.complete's 2 accesses are one more hypercall (M6, M7);
//    the return to app (M8): 8 mode switches, 0 transitions.
//  vm-pv read-disk (xeon-2003, split drivers): the trap (M1); blkfront's
//    event-channel hypercall and return (M2, M3); the block hypercall (M4);
//    Xen switches to dom0's ring 1 (M5); blkback's grant_map hypercall and
//    return (M6, M7); dom0 blocks (M8), the interrupt is taken in Xen, the
//    event enters dom0 (M9); grant_unmap (M10, M11), the event to the guest
//    (M12, M13), dom0 blocks (M14), Xen switches to the guest (M15); the
//    return to app (M16): 16 mode switches, 0 transitions.
//  vm-bt read-disk (xeon-2003): the trap enters the monitor (3 -> 0, M1),
//    which enters the translated guest (0 -> 1, M2); driver.read's 4
//    device-register callouts into the monitor and back (M3..M10); the
//    interrupt taken in the monitor (1 -> 0, M11) and reflected into the
//    guest (M12); the EOI to the emulated interrupt controller (M13, M14);
//    driver.complete's 2 callouts (M15..M18); the return enters the monitor
//    to emulate iret (M19) and leaves to app (M20): 20 mode switches, 0
//    transitions (no VMX).
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>

#include "experiment.h"
#include "walk.h"

struct row {
	const char *arch, *machine, *workload;
	uint64_t vm_exits, vmx_transitions, mode_switches;
};

static const struct row rows[] = {
	{"vm-hw", "core2-vtx", "read-disk", 8, 16, 2},
	{"vm-hw", "core2-vtx", "pagefault", 2, 4, 4},
	{"vm-hw-ept:backend=kernel", "modern", "read-disk", 8, 16, 2},
	{"vm-hw-ept", "modern", "read-disk", 8, 16, 18},
	{"vm-hw-ept", "modern", "pagefault", 0, 0, 2},
	{"vm-pv:drivers=guest", "xeon-2003", "read-disk", 0, 0, 8},
	{"vm-pv", "xeon-2003", "read-disk", 0, 0, 16},
	{"vm-bt", "xeon-2003", "read-disk", 0, 0, 20},
};

static void test_vmx_transitions_and_mode_switches(void **state)
{
	(void)state;
	struct service_set *svc = malloc(sizeof *svc);
	struct arch *a = malloc(sizeof *a);
	struct workload *w = malloc(sizeof *w);
	struct cfg_error err;
	assert_non_null(svc);
	assert_non_null(a);
	assert_non_null(w);
	if (load_services_default(svc, &err))
		fail_msg("%s", err.msg);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct row *e = &rows[i];
		struct profile p;
		if (profile_load(&p, e->machine, NULL, &err) || arch_load(a, e->arch, svc, &err) ||
		    workload_load(w, e->workload, svc, &err))
			fail_msg("%s", err.msg);
		struct run_params rp = {3, 2, 0, 1};
		struct run_result r;
		assert_int_equal(run_point(a, w, &p, &rp, &r, NULL), 0);
		uint64_t n = (uint64_t)r.reps;
		if (r.os.vm_exits / n != e->vm_exits || r.os.vmx_transitions / n != e->vmx_transitions ||
		    r.os.mode_switches / n != e->mode_switches)
			fail_msg("%s %s: exits/transitions/mode switches %llu/%llu/%llu, derived %llu/%llu/%llu",
				 e->arch, e->workload, (unsigned long long)(r.os.vm_exits / n),
				 (unsigned long long)(r.os.vmx_transitions / n),
				 (unsigned long long)(r.os.mode_switches / n), (unsigned long long)e->vm_exits,
				 (unsigned long long)e->vmx_transitions, (unsigned long long)e->mode_switches);
		// Every VM exit is followed by an entry back into the guest.
		assert_int_equal(r.os.vmx_transitions, 2 * r.os.vm_exits);
	}
	free(svc);
	free(a);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmx_transitions_and_mode_switches),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
