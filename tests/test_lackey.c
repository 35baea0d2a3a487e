// test_lackey.c: the lackey trace reader (include/base/lackey.h, src/base/lackey.c)
// on hand-written lines, each record's kind, address, size and line number
// read from the text of the line. Every trace is read twice, through the
// inline fast path (trace_next) and with general_only set (every line
// through the general parser), and both must give the same records.
#include "testutil.h"
#include "lackey.h"

static struct test_tmp tmp;

// Writes text to a fresh file; its path in path.
static void write_trace(const char *text, char *path, size_t n)
{
	char dir[300];
	test_tmp_dir(&tmp, "lackey", dir, sizeof dir);
	snprintf(path, n, "%s/t.trace", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

struct want {
	int kind;
	uint64_t addr;
	uint32_t size;
	uint64_t line;
};

// Reads path (lenient or strict) with and without the fast path and checks
// the records against want[0..n) (the last one TR_END or TR_ERROR).
static void expect_records(const char *path, int lenient, const struct want *want, int n,
			   uint64_t skipped)
{
	for (int general = 0; general < 2; general++) {
		struct trace_reader r;
		char err[300];
		assert_int_equal(trace_open(&r, path, lenient, err, sizeof err), 0);
		assert_true(r.mapped); // a regular file is read in place
		r.general_only = general;
		for (int i = 0; i < n; i++) {
			struct trace_rec rec;
			memset(&rec, 0, sizeof rec);
			int k = trace_next(&r, &rec);
			if (k != want[i].kind || r.line != want[i].line ||
			    (k != TR_END && k != TR_ERROR && k != TR_SYSCALL &&
			     (rec.addr != want[i].addr || rec.size != want[i].size)))
				fail_msg("%s record %d: kind %d line %llu addr %llx size %u (expected %d, %llu, %llx, %u)",
					 general ? "general" : "fast", i, k, (unsigned long long)r.line,
					 (unsigned long long)rec.addr, rec.size, want[i].kind,
					 (unsigned long long)want[i].line, (unsigned long long)want[i].addr,
					 want[i].size);
		}
		assert_int_equal(r.skipped, skipped);
		trace_close(&r);
	}
}

// The records lackey writes, and the edges of the common one.
static void test_records(void **state)
{
	(void)state;
	char path[400];
	write_trace("==42== Lackey, an example Valgrind tool\n"          // 1: a message
		    "\n"                                                 // 2: blank
		    "I  0401b778,7\n"                                    // 3: 8 digits, one-digit size
		    " L 1ffefffd28,8\n"                                  // 4: 10 digits
		    " S 1FFEFFFD20,8\n"                                  // 5: upper case
		    " M 0403a0c8,4\n"                                    // 6: modify
		    "I  00108000,0\n"                                    // 7: size 0, read as 1
		    "I  0401b77a,15\n"                                   // 8: two-digit size
		    " L ffffffffffffffff,8\n"                            // 9: 16 digits, the top address
		    " L 0,1\n"                                           // 10: one digit
		    " S 00007000,65536\n"                                // 11: the largest size
		    "SYSCALL[42,1](0) sys_read ( 3, 0x1ffeffed98, 832 ) --> Success(0x340)\n" // 12
		    "--42-- WARNING: a debug message\n"                  // 13: a message
		    " L 00001000,16",                                    // 14: no newline at the end
		    path, sizeof path);
	const struct want w[] = {
		{TR_INSN, 0x0401b778, 7, 3},
		{TR_LOAD, 0x1ffefffd28ull, 8, 4},
		{TR_STORE, 0x1ffefffd20ull, 8, 5},
		{TR_MODIFY, 0x0403a0c8, 4, 6},
		{TR_INSN, 0x00108000, 1, 7},
		{TR_INSN, 0x0401b77a, 15, 8},
		{TR_LOAD, UINT64_MAX, 8, 9},
		{TR_LOAD, 0, 1, 10},
		{TR_STORE, 0x7000, 65536, 11},
		{TR_SYSCALL, 0, 0, 12},
		{TR_LOAD, 0x1000, 16, 14},
		{TR_END, 0, 0, 14},
	};
	expect_records(path, 0, w, (int)(sizeof w / sizeof w[0]), 0);

	// The system call's number and name (without "sys_").
	struct trace_reader r;
	struct trace_rec rec;
	char err[300];
	assert_int_equal(trace_open(&r, path, 0, err, sizeof err), 0);
	for (int i = 0; i < 10; i++)
		trace_next(&r, &rec);
	assert_int_equal(rec.kind, TR_SYSCALL);
	assert_int_equal(rec.nr, 0);
	assert_string_equal(rec.name, "read");
	trace_close(&r);
}

// Lines that look like the common record but are not one: lenient mode
// skips each (counted), strict mode stops at the first with its place.
static void test_odd_records(void **state)
{
	(void)state;
	char path[400];
	write_trace("I  0401b77g,4\n"             // 1: 'g' is not a hexadecimal digit
		    " S 00008000,65537\n"          // 2: over the 65,536-byte limit
		    " L 00001000,\n"               // 3: no size
		    " L 00001000 8\n"              // 4: no comma
		    " X 00001000,8\n"              // 5: no such kind
		    " L 00000000000000001,8\n"     // 6: 17 digits
		    "I  0401b778,7\n",             // 7: a good one after them
		    path, sizeof path);
	const struct want lenient[] = {
		{TR_INSN, 0x0401b778, 7, 7},
		{TR_END, 0, 0, 7},
	};
	expect_records(path, 1, lenient, 2, 6);
	const struct want strict[] = {{TR_ERROR, 0, 0, 1}};
	expect_records(path, 0, strict, 1, 0);
	struct trace_reader r;
	struct trace_rec rec;
	char err[300];
	assert_int_equal(trace_open(&r, path, 0, err, sizeof err), 0);
	assert_int_equal(trace_next(&r, &rec), TR_ERROR);
	assert_non_null(strstr(r.error, "t.trace:1:"));
	trace_close(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_odd_records),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	test_tmp_clean(&tmp, failed);
	return failed;
}
