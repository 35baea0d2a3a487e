// test_modern.c: the lecture's questions asked of today's systems (issue
// 21): kernel page-table isolation, seL4, io_uring. Every count below is
// derived by hand from the architecture files, models/services.yaml and
// configs/machines/modern.yaml; the derivation is written beside it.
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment.h"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kpti_null_pcid),
		cmocka_unit_test(test_kpti_null_nopcid),
		cmocka_unit_test(test_kpti_ctxsw),
		cmocka_unit_test(test_kpti_guests),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
