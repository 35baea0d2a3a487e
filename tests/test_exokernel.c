// test_exokernel.c: the exokernel does the work it claims to save (issue
// 14, point 2): its library OS copies the bytes of read and write; an
// update of the shared buffer cache goes through a checked kernel call; a
// page fault's page is allocated, bound and scrubbed by the kernel and then
// mapped at the library's request. Each count is derived below from
// arch/exokernel.yaml and models/services.yaml.
#include "testutil.h"

#include "walkrun.h"

// exokernel read (4 KiB from the cache): no kernel entry, but the copy.
//   The application calls the library OS by `libcall`: [call, copy_in,
//   copy_out], reply [copy_in, copy_out, call]. posix.read has no args (no
//   copy on the way in: 0 bytes); its result is 4 KiB: on the way back
//   copy_in and copy_out each run the copy loop, 16 + 4096/8 = 528
//   instructions (models/walk.c copy_cost): 1,056. The library's own path:
//   posix.read 60 + vfs.read 150 + fs.read 200 + cache.lookup 120 = 530,
//   with three plain calls (vfs, fs, cache), each 4 instructions there and
//   4 back: 24. The libcall's call and return: 4 + 4 = 8.
//   Total: 1,056 + 530 + 24 + 8 = 1,618 instructions; 0 traps.
//   Data lines: the copy reads the 4 KiB in the library's buffer (64 lines
//   of 64 bytes) and writes the user's 4 KiB (64 more): >= 128 distinct
//   lines (the library's structures add more).
static void test_read_copies(void **state)
{
	(void)state;
	struct walkrun *x = walkrun("exokernel", "read", "modern", 0);
	assert_int_equal(x->rc, 0);
	assert_int_equal(x->r.os.traps, 0);
	assert_int_equal(x->r.hw.instructions, 1618);
	assert_true(x->r.fp_d >= 128);
	// The trace shows the call into the library OS and its work there.
	assert_true(x->tr.n >= 2);
	assert_string_equal(x->tr.step[0].from, "app");
	assert_string_equal(x->tr.step[0].to, "libos");
	assert_string_equal(x->tr.step[0].transport, "libcall");
	assert_int_equal(x->tr.step[1].kind, TK_WORK);
	assert_non_null(strstr(x->tr.step[1].ran, "fs.read"));
	free(x);
}

// exokernel write (4 KiB into the cache): the 4 KiB args are copied in
// (copy_in + copy_out: 1,056 instructions) and the buffer-cache registry,
// shared by every process, is updated by the kernel: cache.dirty is placed
// in the kernel, reached by `secure-call` [trap, exo.check] from libos:
// one trap (T1), two mode switches (in, and the return's leave), the
// secure-binding check run before cache.dirty.
static void test_write_updates_registry_through_kernel(void **state)
{
	(void)state;
	struct walkrun *x = walkrun("exokernel", "write", "modern", 0);
	assert_int_equal(x->rc, 0);
	assert_int_equal(x->r.os.traps, 1);
	assert_int_equal(x->r.os.mode_switches, 2);
	// The crossing libos -> kernel runs the check; the kernel's work after it
	// is the registry's update.
	int found = 0;
	for (int i = 0; i + 1 < x->tr.n; i++)
		if (!strcmp(x->tr.step[i].from, "libos") && !strcmp(x->tr.step[i].to, "kernel") &&
		    strstr(x->tr.step[i].ran, "exo.check") && x->tr.step[i + 1].kind == TK_WORK &&
		    !strcmp(x->tr.step[i + 1].ran, "cache.dirty"))
			found = 1;
	assert_true(found);
	free(x);
}

// exokernel pagefault: the fault is upcalled to the library OS (T1); the
// library cannot use a page it has not bound: mm.alloc is placed in the
// kernel, which allocates, checks the binding and scrubs (mm.zero, a plain
// call inside the kernel) in one secure-call (T2); then pt.map, in the
// kernel, at the library's request (T3). 3 traps, 6 mode switches, no AS.
static void test_pagefault_kernel_allocates_library_maps(void **state)
{
	(void)state;
	struct walkrun *x = walkrun("exokernel", "pagefault", "modern", 0);
	assert_int_equal(x->rc, 0);
	assert_int_equal(x->r.os.traps, 3);
	assert_int_equal(x->r.os.mode_switches, 6);
	assert_int_equal(x->r.os.as_switches, 0);
	int mm = service_find(&x->a.svc, "mm");
	int kernel = arch_domain_find(&x->a, "kernel"), libos = arch_domain_find(&x->a, "libos");
	assert_int_equal(placement_op(&x->a, mm, op_find(&x->a.svc.s[mm], "alloc"), 0), kernel);
	assert_int_equal(placement_op(&x->a, mm, op_find(&x->a.svc.s[mm], "zero"), 0), kernel);
	assert_int_equal(placement_op(&x->a, mm, op_find(&x->a.svc.s[mm], "fault"), 0), libos);
	// Rows: the kernel's work "mm.alloc mm.zero" after a checked crossing,
	// then "pt.map" after another.
	int alloc_row = -1, map_row = -1;
	for (int i = 1; i < x->tr.n; i++) {
		if (!strcmp(x->tr.step[i].ran, "mm.alloc mm.zero") && strstr(x->tr.step[i - 1].ran, "exo.check"))
			alloc_row = i;
		if (!strcmp(x->tr.step[i].ran, "pt.map") && strstr(x->tr.step[i - 1].ran, "exo.check"))
			map_row = i;
	}
	assert_true(alloc_row >= 0 && map_row > alloc_row);
	assert_string_equal(x->tr.step[alloc_row].to, "kernel");
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_copies),
		cmocka_unit_test(test_write_updates_registry_through_kernel),
		cmocka_unit_test(test_pagefault_kernel_allocates_library_maps),
	};
	return cmocka_run_group_tests(tests, walkrun_setup, walkrun_teardown);
}
