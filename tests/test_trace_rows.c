// test_trace_rows.c: the trace shows where every cycle goes (issue 14,
// point 5). Its rows are crossings, work inside a domain, copies, trips to
// a monitor and faults taken in a kernel; their counters add up to the
// call's, for every architecture x workload of configs/default.yaml.
#include "testutil.h"

#include "walkrun.h"

static char g_osarch[600] = "./build/osarch";

// For every architecture and workload of the default experiment (on its
// machine, warm, and cold), the rows' cycles sum to the call's cycles and
// the rows' traps, mode switches, address-space switches, messages, exits,
// hypercalls and VMX transitions to the call's: nothing hides between rows.
// (One measured call: the call's figures are that call's.)
static void test_rows_add_up(void **state)
{
	(void)state;
	struct experiment e;
	struct cfg_error err;
	if (experiment_load(&e, "configs/default.yaml", &err))
		fail_msg("%s", err.msg);
	int checked = 0, bad = 0;
	for (int ai = 0; ai < e.archs.n; ai++)
		for (int wi = 0; wi < e.workloads.n; wi++)
			for (int cold = 0; cold < 2; cold++) {
				struct walkrun *x = walkrun(e.archs.v[ai], e.workloads.v[wi], "modern", cold);
				if (x->rc == -2) {
					free(x);
					continue; // needs hardware the profile lacks
				}
				assert_int_equal(x->rc, 0);
				double sum = 0;
				struct os_counts os;
				memset(&os, 0, sizeof os);
				for (int i = 0; i < x->tr.n; i++) {
					sum += counters_cycles(&x->tr.step[i].hw);
					os_counts_add(&os, &x->tr.step[i].os);
				}
				const struct os_counts *t = &x->r.os;
				double diff = sum - x->r.cycles;
				if (diff < 0)
					diff = -diff;
				if (diff > 1e-6 * (x->r.cycles + 1) || os.traps != t->traps ||
				    os.mode_switches != t->mode_switches || os.as_switches != t->as_switches ||
				    os.ipc_messages != t->ipc_messages || os.vm_exits != t->vm_exits ||
				    os.hypercalls != t->hypercalls || os.vmx_transitions != t->vmx_transitions) {
					print_error("%s %s%s: rows %.1f cycles, %llu traps; total %.1f, %llu\n",
						    e.archs.v[ai], e.workloads.v[wi], cold ? " (cold)" : "", sum,
						    (unsigned long long)os.traps, x->r.cycles,
						    (unsigned long long)t->traps);
					bad++;
				}
				checked++;
				free(x);
			}
	experiment_free(&e);
	assert_int_equal(bad, 0);
	assert_true(checked >= 2 * 8 * 12); // the VT-x architectures need vtx on modern: it has it
}

// monolithic read (4 KiB from the cache) on modern, row by row:
//   1 crossing app -> kernel (trap: entry.syscall), 1 trap
//   2 work in the kernel: posix.read vfs.read fs.read cache.lookup
//   3 copy of the return (copy_to_user): 4,096 bytes; its lines: the
//     kernel's page read (4096/64 = 64 lines) and the user's buffer
//     written (64): 128
//   4 crossing kernel -> app: the rest of the return (entry.exit, leave)
// The copy, which used to hide in the return row, is a row of its own.
static void test_monolithic_read_rows(void **state)
{
	(void)state;
	struct walkrun *x = walkrun("monolithic", "read", "modern", 0);
	assert_int_equal(x->rc, 0);
	assert_int_equal(x->tr.n, 4);
	const struct trace_step *s = x->tr.step;
	assert_int_equal(s[0].kind, TK_CROSS);
	assert_int_equal(s[0].os.traps, 1);
	assert_int_equal(s[1].kind, TK_WORK);
	assert_string_equal(s[1].ran, "posix.read vfs.read fs.read cache.lookup");
	assert_int_equal(s[2].kind, TK_COPY);
	assert_int_equal(s[2].bytes, 4096);
	assert_int_equal(s[2].lines, 128);
	assert_int_equal(s[3].kind, TK_CROSS);
	assert_string_equal(s[3].from, "kernel");
	assert_string_equal(s[3].to, "app");
	assert_non_null(strstr(s[3].ran, "entry.exit"));
	free(x);
}

// exokernel read: the library OS's work is rows of its own (it used to be
// an empty table with only a total): the libcall into libos, the work in
// libos, the copy of the 4 KiB result, the libcall's return.
static void test_exokernel_read_rows(void **state)
{
	(void)state;
	struct walkrun *x = walkrun("exokernel", "read", "modern", 0);
	assert_int_equal(x->rc, 0);
	assert_int_equal(x->tr.n, 4);
	assert_int_equal(x->tr.step[1].kind, TK_WORK);
	assert_string_equal(x->tr.step[1].to, "libos");
	assert_int_equal(x->tr.step[2].kind, TK_COPY);
	assert_int_equal(x->tr.step[2].bytes, 4096);
	free(x);
}

// vm-hw read-disk on core2-vtx: every VM exit is in a monitor row with its
// reason: driver.read's 4 I/O accesses (one row, x4, io-access), the HLT
// of the disk wait (in the interrupt's crossing), the interrupt handler's
// EOI to the local APIC (one row, apic-access: core2-vtx has no APICv, so
// first-generation VT-x exits on it), driver.complete's 2 (one row, x2):
// exits in monitor rows 4 + 1 + 1 + 2 = 8, all of them.
static void test_vm_exit_rows(void **state)
{
	(void)state;
	struct walkrun *x = walkrun("vm-hw", "read-disk", "core2-vtx", 0);
	assert_int_equal(x->rc, 0);
	uint64_t exits = 0;
	int io4 = 0, hlt = 0, io2 = 0, apic = 0;
	for (int i = 0; i < x->tr.n; i++) {
		const struct trace_step *s = &x->tr.step[i];
		if (s->kind != TK_MONITOR)
			continue;
		exits += s->os.vm_exits;
		io4 |= s->count == 4 && strstr(s->why, "io-access") != NULL;
		io2 |= s->count == 2 && strstr(s->why, "io-access") != NULL;
		hlt |= strstr(s->why, "hlt") != NULL;
		apic |= strstr(s->why, "apic-access") != NULL;
	}
	assert_int_equal(exits, 8);
	assert_true(io4 && io2 && hlt && apic);
	free(x);
}

// A fault taken while the kernel runs is a row of its own (kind fault).
static void test_nested_fault_row(void **state)
{
	(void)state;
	struct walkrun *x = walkrun("monolithic", "tests/data/walk/nested-fault.yaml", "modern", 0);
	assert_int_equal(x->rc, 0);
	int found = 0;
	for (int i = 0; i < x->tr.n; i++)
		found |= x->tr.step[i].kind == TK_FAULT && strstr(x->tr.step[i].ran, "entry.fault") != NULL;
	assert_true(found);
	free(x);
}

// `osarch trace --cold` says so in its header; without, "warm".
static void test_cold_header(void **state)
{
	(void)state;
	char cmd[800], line[512];
	for (int cold = 0; cold < 2; cold++) {
		snprintf(cmd, sizeof cmd, "%s trace --arch monolithic %s null 2>/dev/null", g_osarch, cold ? "--cold" : "");
		FILE *f = popen(cmd, "r");
		assert_non_null(f);
		assert_non_null(fgets(line, sizeof line, f));
		while (fgetc(f) != EOF)
			;
		assert_int_equal(pclose(f), 0);
		assert_non_null(strstr(line, cold ? "one cold call" : "one warm call"));
	}
}

int main(int argc, char **argv)
{
	(void)argc;
	test_find_osarch(argv[0], g_osarch, sizeof g_osarch);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_add_up),
		cmocka_unit_test(test_monolithic_read_rows),
		cmocka_unit_test(test_exokernel_read_rows),
		cmocka_unit_test(test_vm_exit_rows),
		cmocka_unit_test(test_nested_fault_row),
		cmocka_unit_test(test_cold_header),
	};
	return cmocka_run_group_tests(tests, walkrun_setup, walkrun_teardown);
}
