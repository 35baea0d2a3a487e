// test_replay.c: valgrind lackey traces (include/cmd/replay.h): the streamed
// reader, `osarch cachesim` (cachegrind's model) and `osarch replay`
// (references and system calls under architectures).
//
// Fixtures are in tests/data/replay/; every expected count is derived in the
// comment beside it from the rules at the top of src/cmd/cachesim.c (cachegrind's
// model) and include/model/machine.h (the machine's cost and counting rules).
// The end-to-end test runs valgrind (lackey and cachegrind) on /bin/true and
// is skipped, with a message, when valgrind is not installed.
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cachesim.h"
#include "replay.h"

#define DATA "tests/data/replay/"

// ---------------------------------------------------------------- helpers

static struct cache_geom geom(uint64_t size, uint32_t assoc, uint32_t line)
{
	struct cache_geom g;
	memset(&g, 0, sizeof g);
	g.present = 1;
	g.size = size;
	g.assoc = assoc;
	g.line = line;
	g.repl = REPL_LRU;
	return g;
}

// A scratch directory for one test, removed by rm_tree.
static void scratch(char *dir, size_t n)
{
	snprintf(dir, n, "%s/osarch-replay-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(dir));
}

static void rm_tree(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static int run_cmd(int (*cmd)(int, char **), const char *const *args)
{
	char *argv[32];
	int argc = 0;
	for (; args[argc]; argc++)
		argv[argc] = (char *)args[argc];
	argv[argc] = NULL;
	return cmd(argc, argv);
}

// A cell of a CSV written by `osarch replay -o`: the row whose arch column
// is `arch` (and workload `prog`, if not NULL), the column named `col`.
static double csv_cell(const char *path, const char *arch, const char *prog, const char *col)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[8192], head[8192];
	assert_non_null(fgets(head, sizeof head, f));
	int want = -1, k = 0;
	for (char *save = NULL, *t = strtok_r(head, ",\n", &save); t; t = strtok_r(NULL, ",\n", &save), k++)
		if (!strcmp(t, col))
			want = k;
	if (want < 0)
		fail_msg("%s: no column %s", path, col);
	while (fgets(line, sizeof line, f)) {
		char *cell[128];
		int n = 0;
		for (char *save = NULL, *t = strtok_r(line, ",\n", &save); t && n < 128; t = strtok_r(NULL, ",\n", &save))
			cell[n++] = t;
		if (n > want && !strcmp(cell[0], arch) && (!prog || !strcmp(cell[1], prog))) {
			double v = atof(cell[want]);
			fclose(f);
			return v;
		}
	}
	fclose(f);
	fail_msg("%s: no row for %s", path, arch);
	return 0;
}

// Runs cachesim on a trace file with the given hierarchy (NULL ll: from a
// profile name in `machine`).
static void cachesim_file(struct cachesim *cs, const char *path, int lenient, int expect_rc,
			  struct trace_reader *keep)
{
	struct trace_reader r;
	char err[300];
	assert_int_equal(trace_open(&r, path, lenient, err, sizeof err), 0);
	assert_int_equal(cachesim_run(cs, &r), expect_rc);
	if (keep)
		*keep = r;
	trace_close(&r);
}

// ---------------------------------------------------------------- the reader

static void test_records(void **state)
{
	(void)state;
	// records.trace: every kind of line lackey and valgrind write, and a
	// last line without a newline.
	struct trace_reader r;
	struct trace_rec rec;
	char err[300];
	assert_int_equal(trace_open(&r, DATA "records.trace", 0, err, sizeof err), 0);
	assert_int_equal(trace_next(&r, &rec), TR_INSN); // line 5 (4 lines of messages and a blank first)
	assert_int_equal(r.line, 5);
	assert_int_equal(rec.addr, 0x0401b778);
	assert_int_equal(rec.size, 7);
	assert_int_equal(trace_next(&r, &rec), TR_LOAD);
	assert_int_equal(rec.addr, 0x1ffefffd28ull);
	assert_int_equal(rec.size, 8);
	assert_int_equal(trace_next(&r, &rec), TR_STORE); // upper-case hex is accepted
	assert_int_equal(rec.addr, 0x1ffefffd20ull);
	assert_int_equal(trace_next(&r, &rec), TR_MODIFY);
	assert_int_equal(rec.addr, 0x0403a0c8);
	assert_int_equal(rec.size, 4);
	// An asynchronous call: its first line is the call, its completion is skipped.
	assert_int_equal(trace_next(&r, &rec), TR_SYSCALL);
	assert_int_equal(rec.nr, 257);
	assert_string_equal(rec.name, "openat");
	assert_int_equal(r.line, 9);
	assert_int_equal(trace_next(&r, &rec), TR_INSN); // size 0 reads as 1 (cachegrind)
	assert_int_equal(rec.size, 1);
	assert_int_equal(r.line, 11);
	// A call whose line a message broke: the " --> ..." continuation is skipped.
	assert_int_equal(trace_next(&r, &rec), TR_SYSCALL);
	assert_string_equal(rec.name, "unimplemented");
	assert_int_equal(trace_next(&r, &rec), TR_SYSCALL); // "exit_group(" has no sys_ prefix
	assert_string_equal(rec.name, "exit_group");
	assert_int_equal(rec.nr, 231);
	assert_int_equal(trace_next(&r, &rec), TR_LOAD);
	assert_int_equal(rec.size, 16);
	assert_int_equal(trace_next(&r, &rec), TR_STORE); // no newline at the end
	assert_int_equal(rec.addr, 0x2000);
	assert_int_equal(r.line, 18);
	assert_int_equal(trace_next(&r, &rec), TR_END);
	assert_int_equal(trace_next(&r, &rec), TR_END);
	trace_close(&r);
}

// The fast parser (eight bytes at a time, include/base/lackey.h fast_record)
// against the general one on 200,000 lines made to hit its edges: 1 to 18
// address digits, upper and lower case, a non-hex character at any place,
// sizes from 0 to 70,000 (over the 65,536 limit), trailing blanks, a
// missing comma or size, message lines. Read twice from one mapped file,
// once with general_only set: every record, line number and error agrees.
static void test_fast_parser_agrees(void **state)
{
	(void)state;
	char dir[300], path[400];
	scratch(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/edges.trace", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	static const char hex[] = "0123456789abcdefABCDEF";
	static const char *const kinds[] = {"I  ", " L ", " S ", " M ", " X ", "I ", "  "};
	uint64_t x = 88172645463325252ull;
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		if (x % 97 == 0) {
			fputs("==12== a message\n", f);
			continue;
		}
		fputs(kinds[x % 31 == 0 ? 4 + (x >> 8) % 3 : (x >> 4) % 4], f);
		int nd = 1 + (int)((x >> 12) % 18);
		for (int d = 0; d < nd; d++) {
			char c = hex[(x >> (20 + d)) % 22];
			if ((x >> 40) % 53 == 0 && d == (int)((x >> 46) % (uint64_t)nd))
				c = "g,x: \t"[(x >> 50) % 6];
			fputc(c, f);
		}
		if ((x >> 33) % 89 != 0)
			fputc(',', f);
		unsigned sz = (x >> 28) % 29 == 0 ? (unsigned)((x >> 8) % 70001) : (unsigned)((x >> 8) % 17);
		if ((x >> 35) % 101 != 0)
			fprintf(f, "%u", sz);
		if ((x >> 37) % 43 == 0)
			fputs("  ", f);
		fputc('\n', f);
	}
	assert_int_equal(fclose(f), 0);
	struct trace_reader a, b;
	char err[300];
	assert_int_equal(trace_open(&a, path, 1, err, sizeof err), 0);
	assert_int_equal(trace_open(&b, path, 1, err, sizeof err), 0);
	assert_true(a.mapped); // a regular file is read in place
	b.general_only = 1;
	uint64_t n = 0, insns = 0, errors = 0;
	for (;;) {
		struct trace_rec ra, rb;
		memset(&ra, 0, sizeof ra);
		memset(&rb, 0, sizeof rb);
		int ka = trace_next(&a, &ra), kb = trace_next(&b, &rb);
		n++;
		if (ka != kb || a.line != b.line || (ka != TR_END && ka != TR_ERROR &&
						     (ra.addr != rb.addr || ra.size != rb.size)))
			fail_msg("record %llu: fast kind %d line %llu addr %llx size %u; general kind %d line %llu addr %llx size %u",
				 (unsigned long long)n, ka, (unsigned long long)a.line, (unsigned long long)ra.addr, ra.size,
				 kb, (unsigned long long)b.line, (unsigned long long)rb.addr, rb.size);
		insns += ka == TR_INSN;
		if (ka == TR_END || ka == TR_ERROR)
			break;
	}
	errors = a.skipped;
	assert_int_equal(a.skipped, b.skipped);
	assert_string_equal(a.error, b.error);
	assert_true(insns > 30000);  // the common records were there to be read fast
	assert_true(errors > 1000);  // and so were the broken ones
	trace_close(&a);
	trace_close(&b);
	rm_tree(dir);
}

// Replay switches workloads call by call on one simulated CPU (a read,
// then a first-touch fault, then a stat ...): each switch resolves the new
// workload's operations against the architecture again (sim_set_workload).
// Before that, mach and mach-multiserver ran pattern.trace's first fault
// with the previous workload's operations and failed ("no crossing rule
// for a fault from domain app to domain unix"). Every architecture must
// carry the trace, faults included.
static void test_every_arch_carries_a_trace(void **state)
{
	(void)state;
	static const char *const archs[] = {"monolithic", "mach", "mach-multiserver", "l4",
					    "l4-multiserver", "exokernel", "vm-bt", "vm-pv", "vm-hw", "vm-hw-ept"};
	for (size_t i = 0; i < sizeof archs / sizeof archs[0]; i++) {
		const char *args[] = {"replay", "--arch", archs[i], DATA "pattern.trace", NULL};
		if (run_cmd(cmd_replay, args) != 0)
			fail_msg("osarch replay --arch %s failed", archs[i]);
	}
}

static void test_long_lines_and_stdin(void **state)
{
	(void)state;
	// A message line of 1.5 MiB and a system call with a 2 MiB argument,
	// longer than the reader's 1 MiB buffer: the first is skipped, the
	// second parsed from its head; records and line numbers after them are
	// right. Read through standard input (a file dup'ed onto fd 0).
	char dir[300], path[400];
	scratch(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/long.trace", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("==1== ", f);
	for (int i = 0; i < 3 * (1 << 19); i++)
		fputc('x', f);
	fputs("\nI  00401000,4\nSYSCALL[1,1](0) sys_read ( 3, 0x", f);
	for (int i = 0; i < 2 << 20; i++)
		fputc('7', f);
	fputs(" ) --> Success(0x0)\n L 00001000,8\n", f);
	assert_int_equal(fclose(f), 0);
	int saved = dup(0), fd = open(path, O_RDONLY);
	assert_true(saved >= 0 && fd >= 0);
	assert_int_equal(dup2(fd, 0), 0);
	close(fd);
	struct trace_reader r;
	struct trace_rec rec;
	char err[300];
	assert_int_equal(trace_open(&r, "-", 0, err, sizeof err), 0);
	assert_string_equal(r.name, "<stdin>");
	assert_int_equal(trace_next(&r, &rec), TR_INSN);
	assert_int_equal(r.line, 2);
	assert_int_equal(trace_next(&r, &rec), TR_SYSCALL);
	assert_string_equal(rec.name, "read");
	assert_int_equal(r.line, 3);
	assert_int_equal(trace_next(&r, &rec), TR_LOAD);
	assert_int_equal(r.line, 4);
	assert_int_equal(trace_next(&r, &rec), TR_END);
	trace_close(&r);
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	rm_tree(dir);
}

static void test_malformed_strict(void **state)
{
	(void)state;
	// malformed.trace line 4 is "I  zz401000,4": the first error stops the run.
	struct cachesim cs;
	char err[300];
	struct cache_geom g = geom(32768, 8, 64);
	assert_int_equal(cachesim_init(&cs, &g, &g, &g, err, sizeof err), 0);
	struct trace_reader r;
	cachesim_file(&cs, DATA "malformed.trace", 0, 2, &r);
	// Column 4: the first character of the address (issue 17: errors carry a column).
	assert_string_equal(r.error, DATA "malformed.trace:4:4: error: expected a hexadecimal address "
					  "(line: 'I  zz401000,4')");
	assert_int_equal(r.line, 4);
	cachesim_free(&cs);
	// The commands: exit 2, for cachesim and for replay.
	const char *cs_args[] = {"cachesim", "--format", "csv", DATA "malformed.trace", NULL};
	assert_int_equal(run_cmd(cmd_cachesim, cs_args), 2);
	const char *rp_args[] = {"replay", "--arch", "monolithic", DATA "malformed.trace", NULL};
	assert_int_equal(run_cmd(cmd_replay, rp_args), 2);
}

static void test_malformed_lenient(void **state)
{
	(void)state;
	// --lenient: lines 4 ("zz" address), 5 (no ",SIZE") and 7 ("hello") are
	// skipped and counted; the first is named. What remains: I 0x401000,
	// L 0x602000, I 0x401004, L 0x602008 = 2 instruction and 2 data reads.
	struct cachesim cs;
	char err[300];
	struct cache_geom g = geom(32768, 8, 64);
	assert_int_equal(cachesim_init(&cs, &g, &g, &g, err, sizeof err), 0);
	struct trace_reader r;
	cachesim_file(&cs, DATA "malformed.trace", 1, 0, &r);
	assert_int_equal(r.skipped, 3);
	assert_int_equal(r.first_bad, 4);
	assert_non_null(strstr(r.error, "malformed.trace:4:4: error:"));
	assert_int_equal(cs.c.refs[CS_IR], 2);
	assert_int_equal(cs.c.refs[CS_DR], 2);
	assert_int_equal(cs.c.refs[CS_DW], 0);
	assert_int_equal(cs.c.skipped, 3);
	cachesim_free(&cs);
	const char *cs_args[] = {"cachesim", "--lenient", "--format", "csv", DATA "malformed.trace", NULL};
	assert_int_equal(run_cmd(cmd_cachesim, cs_args), 0);
	const char *rp_args[] = {"replay", "--lenient", "--faults", "none", "--arch", "monolithic",
				 DATA "malformed.trace", NULL};
	assert_int_equal(run_cmd(cmd_replay, rp_args), 0);
}

static void test_usage_errors(void **state)
{
	(void)state;
	const char *help[] = {"cachesim", "--help", NULL};
	assert_int_equal(run_cmd(cmd_cachesim, help), 0);
	const char *rhelp[] = {"replay", "--help", NULL};
	assert_int_equal(run_cmd(cmd_replay, rhelp), 0);
	const char *missing[] = {"cachesim", DATA "no-such.trace", NULL};
	assert_int_equal(run_cmd(cmd_cachesim, missing), 2);
	const char *badgeom[] = {"cachesim", "--I1", "3000,3,64", "--D1", "32K,8,64", "--LL", "8M,16,64",
				 DATA "pattern.trace", NULL};
	assert_int_equal(run_cmd(cmd_cachesim, badgeom), 2); // 3000/64 is not a whole number of lines
	const char *syntax[] = {"cachesim", "--I1=32K,8", DATA "pattern.trace", NULL};
	assert_int_equal(run_cmd(cmd_cachesim, syntax), 2);
	const char *both[] = {"cachesim", "--machine", "modern", "--I1=32K,8,64", DATA "pattern.trace", NULL};
	assert_int_equal(run_cmd(cmd_cachesim, both), 2);
	const char *noarch[] = {"replay", DATA "pattern.trace", NULL};
	assert_int_equal(run_cmd(cmd_replay, noarch), 2);
	const char *badarch[] = {"replay", "--arch", "no-such-arch", DATA "pattern.trace", NULL};
	assert_int_equal(run_cmd(cmd_replay, badarch), 2);
	const char *vtx[] = {"replay", "--arch", "vm-hw", "--machine", "pentium-133", DATA "pattern.trace", NULL};
	assert_int_equal(run_cmd(cmd_replay, vtx), 2); // VT-x needed, not on a Pentium
	struct cache_geom g;
	assert_int_equal(cachesim_parse_geom("32K,8,64", &g), 0);
	assert_int_equal(g.size, 32768);
	assert_int_equal(g.assoc, 8);
	assert_int_equal(g.line, 64);
	assert_int_equal(cachesim_parse_geom("32768,8", &g), -1);
	assert_int_equal(cachesim_parse_geom("32768,8,64,1", &g), -1);
	assert_int_equal(cachesim_parse_geom("x,8,64", &g), -1);
	// Issue 17: the limits of a machine profile (size 64..1G, assoc
	// 1..2^24, line 4..4096). `--I1 1T,1,4096` used to allocate 4.2 GB and
	// report the failure as "not a cache".
	assert_int_equal(cachesim_parse_geom("1T,1,4096", &g), -2);
	assert_int_equal(cachesim_parse_geom("2G,8,64", &g), -2);
	assert_int_equal(cachesim_parse_geom("1G,8,64", &g), 0);
	assert_int_equal(cachesim_parse_geom("32K,0,64", &g), -2);
	assert_int_equal(cachesim_parse_geom("32K,8,8192", &g), -2);
	assert_int_equal(cachesim_parse_geom("32,1,4", &g), -2);
	// Found by fuzzing the command line: 1G of 4-byte lines is 2^28 lines
	// (2 GiB of tags); at most 2^24 lines, as for a profile's cache.
	assert_int_equal(cachesim_parse_geom("1G,16,4", &g), -2);
	assert_int_equal(cachesim_parse_geom("1G,16,64", &g), 0);
	struct profile big;
	struct cfg_error perr;
	profile_defaults(&big);
	big.l1d.size = 1ull << 30;
	big.l1d.line = 4;
	assert_int_not_equal(profile_check(&big, &perr), 0);
	assert_non_null(strstr(perr.msg, "(expected at most 16777216 lines)"));
	const char *huge[] = {"cachesim", "--I1", "1T,1,4096", DATA "pattern.trace", NULL};
	assert_int_equal(run_cmd(cmd_cachesim, huge), 2);
	// A directory is not a trace: exit 2 (it used to fail reading, exit 1).
	const char *dir[] = {"cachesim", "tests/data/replay", NULL};
	assert_int_equal(run_cmd(cmd_cachesim, dir), 2);
	struct trace_reader r;
	char msg[300];
	assert_int_equal(trace_open(&r, "tests/data/replay", 0, msg, sizeof msg), -1);
	assert_string_equal(msg, "tests/data/replay:1:1: error: a directory (expected a lackey trace file)");
}

// Issue 17: every trace error carries the column of what is wrong.
static void test_trace_error_columns(void **state)
{
	(void)state;
	static const struct {
		const char *line, *want;
	} cases[] = {
		{"I  zz401000,4", ":1:4: error: expected a hexadecimal address"},
		{" L 00602000", ":1:12: error: expected ',' after the address"},
		{" S 00602000,", ":1:13: error: expected a size in bytes"},
		{" L 00602000,8 x", ":1:15: error: unexpected text after the size"},
		{" M 00602000,70000", ":1:13: error: size too large"},
		{"I  11112222333344445,4", ":1:4: error: address wider than 64 bits"},
		{"  hello", ":1:3: error: not a trace record"},
		{"SYSCALL[1,2](x", ":1:1: error: malformed system call"},
	};
	char path[] = "/tmp/osarch-trace-col-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fprintf(f, "%s\n", cases[i].line);
		fclose(f);
		struct trace_reader r;
		struct trace_rec rec;
		char msg[300];
		assert_int_equal(trace_open(&r, path, 0, msg, sizeof msg), 0);
		assert_int_equal(trace_next(&r, &rec), TR_ERROR);
		if (!strstr(r.error, cases[i].want))
			fail_msg("'%s': %s", cases[i].line, r.error);
		trace_close(&r);
	}
	unlink(path);
}

// ---------------------------------------------------------------- cachesim

static void test_exact_pattern(void **state)
{
	(void)state;
	// pattern.trace with I1 = D1 = 256 B, 2-way, 64 B lines: 2 sets, set =
	// line & 1; LL = 64 KiB 4-way (256 sets: no conflict, cold misses only).
	// LRU order written [MRU, LRU].
	//
	// Data (A = 0x1000 line 0x40, B = 0x1080 line 0x42, C = 0x1100 line
	// 0x44, all D1 set 0), in trace order:
	//   L A  miss [A]            LL miss (cold)
	//   L B  miss [B A]          LL miss
	//   L C  miss, evicts A [C B] LL miss
	//   L A  miss, evicts B [A C] LL hit
	//   L B  miss, evicts C [B A] LL hit
	//   L C  miss, evicts A [C B] LL hit
	//   S 0x1108,8 (line C)  hit [C B]                        a write
	//   M 0x1080,4 (line B)  hit [B C]                        ONE read (Dm)
	//   L 0x10bc,8 straddles lines 0x42 (B: hit, [B C]) and 0x43 (set 1: miss)
	//        -> one read, one miss; LL looks up both: 0x42 hit, 0x43 miss -> one LL miss
	//   S 0x11f8,16 straddles 0x47 (set 1 [0x43]: miss -> [0x47 0x43]) and
	//        0x48 (set 0 [B C]: miss, evicts C -> [0x48 B]) -> one write miss;
	//        LL: both cold -> one LL miss
	//   L C  miss (set 0 [0x48 B], evicts B -> [C 0x48]); LL hit
	// Dr = 6 + M + 2 = 9, D1mr = 6 + 1 + 1 = 8, DLmr = 3 + 1 = 4;
	// Dw = 2, D1mw = 1, DLmw = 1.
	//
	// Instructions (I1 set 0 holds even lines 0x10000, 0x10002, 0x10004):
	//   0x400000,4  line 0x10000 miss [0x10000]; LL miss
	//   0x400004,4  hit
	//   0x40003e,4  straddles 0x10000 (hit) and 0x10001 (set 1: miss) -> one miss;
	//               LL looks up both: 0x10000 hit, 0x10001 miss -> one LL miss
	//   0x400042,3  line 0x10001 hit
	//   0x400080,5  line 0x10002 miss [0x10002 0x10000]; LL miss
	//   0x400100,2  line 0x10004 miss, evicts 0x10000 [0x10004 0x10002]; LL miss
	//   0x400000,4  line 0x10000 miss, evicts 0x10002; LL hit
	// Ir = 7, I1mr = 5, ILmr = 4.
	// LL is looked up only after an L1 miss, every line of the reference:
	// data 6 + 2 + 2 + 1 = 11 line lookups, instructions 1 + 2 + 1 + 1 + 1 = 6: 17.
	// The system call is counted, not simulated.
	struct cachesim cs;
	char err[300];
	struct cache_geom l1 = geom(256, 2, 64), ll = geom(65536, 4, 64);
	assert_int_equal(cachesim_init(&cs, &l1, &l1, &ll, err, sizeof err), 0);
	cachesim_file(&cs, DATA "pattern.trace", 0, 0, NULL);
	assert_int_equal(cs.c.refs[CS_IR], 7);
	assert_int_equal(cs.c.miss[CS_IR][CS_L1], 5);
	assert_int_equal(cs.c.miss[CS_IR][CS_LL], 4);
	assert_int_equal(cs.c.refs[CS_DR], 9);
	assert_int_equal(cs.c.miss[CS_DR][CS_L1], 8);
	assert_int_equal(cs.c.miss[CS_DR][CS_LL], 4);
	assert_int_equal(cs.c.refs[CS_DW], 2);
	assert_int_equal(cs.c.miss[CS_DW][CS_L1], 1);
	assert_int_equal(cs.c.miss[CS_DW][CS_LL], 1);
	assert_int_equal(cs.ll->accesses, 17);
	assert_int_equal(cs.c.syscalls, 1);
	assert_int_equal(cs.c.lines, 25);
	cachesim_free(&cs);
}

static void test_clamp_and_unified(void **state)
{
	(void)state;
	// A 512-byte xsave as lackey prints it is clamped to the smallest line
	// (cachegrind does so for dirty helpers): at 0x1000 with 64-byte lines
	// it touches line 0x40 only, one miss; a second reference at 0x1040
	// (line 0x41, which the unclamped range would have filled) misses too.
	char dir[300], path[400];
	scratch(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/xsave.trace", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(" M 00001000,512\n L 00001040,8\n", f);
	assert_int_equal(fclose(f), 0);
	struct cachesim cs;
	char err[300];
	struct cache_geom g = geom(32768, 8, 64);
	assert_int_equal(cachesim_init(&cs, &g, &g, &g, err, sizeof err), 0);
	cachesim_file(&cs, path, 0, 0, NULL);
	assert_int_equal(cs.c.refs[CS_DR], 2);
	assert_int_equal(cs.c.miss[CS_DR][CS_L1], 2);
	assert_int_equal(cs.d1->accesses, 2); // one line each
	cachesim_free(&cs);
	// A unified L1 (the i486 profile): one cache serves both streams, and a
	// three-level profile (modern) has a middle level.
	struct profile p;
	struct cfg_error e;
	assert_int_equal(profile_load(&p, "i486-50", NULL, &e), 0);
	assert_int_equal(cachesim_init_profile(&cs, &p, err, sizeof err), 0);
	assert_ptr_equal(cs.i1, cs.d1);
	cachesim_free(&cs);
	assert_int_equal(profile_load(&p, "modern", NULL, &e), 0);
	assert_int_equal(cachesim_init_profile(&cs, &p, err, sizeof err), 0);
	assert_non_null(cs.l2);
	assert_int_equal(cs.ll->sa.ways, 16);
	assert_int_equal(cs.ll->sa.policy, REPL_PLRU);
	cachesim_free(&cs);
	rm_tree(dir);
}

// ---------------------------------------------------------------- replay

static void test_classify(void **state)
{
	(void)state;
	assert_int_equal(replay_classify("sys_read"), RC_READ);
	assert_int_equal(replay_classify("pread64"), RC_READ);
	assert_int_equal(replay_classify("sys_writev"), RC_WRITE);
	assert_int_equal(replay_classify("sys_openat"), RC_OPEN);
	assert_int_equal(replay_classify("sys_close"), RC_CLOSE);
	assert_int_equal(replay_classify("sys_newfstatat"), RC_STAT);
	assert_int_equal(replay_classify("sys_newfstat"), RC_STAT);
	assert_int_equal(replay_classify("sys_getpid"), RC_NULL);
	assert_int_equal(replay_classify("sys_brk"), RC_MEM);
	assert_int_equal(replay_classify("sys_mmap"), RC_MMAP);
	assert_int_equal(replay_classify("mmap2"), RC_MMAP);
	assert_int_equal(replay_classify("sys_munmap"), RC_MUNMAP);
	assert_int_equal(replay_classify("sys_mremap"), RC_MEM);
	assert_int_equal(replay_classify("sys_kill"), RC_KILL);
	assert_int_equal(replay_classify("tgkill"), RC_KILL);
	assert_int_equal(replay_classify("sys_rt_sigreturn"), RC_SIGRETURN);
	assert_int_equal(replay_classify("sys_rt_sigaction"), RC_SIGACTION);
	assert_int_equal(replay_classify("sys_select"), RC_SELECT);
	assert_int_equal(replay_classify("sys_poll"), RC_SELECT);
	assert_int_equal(replay_classify("sys_ppoll"), RC_SELECT);
	assert_int_equal(replay_classify("sys_sendto"), RC_SEND);
	assert_int_equal(replay_classify("sys_recvfrom"), RC_RECV);
	assert_int_equal(replay_classify("recvmsg"), RC_RECV);
	assert_int_equal(replay_classify("sys_clone"), RC_FORK);
	assert_int_equal(replay_classify("exit_group"), RC_GENERIC);
	assert_int_equal(replay_classify("sys_ioctl"), RC_GENERIC);
	assert_string_equal(replay_class_names[RC_FAULT], "fault");
}

// services.trace: mmap, munmap, rt_sigaction, kill, rt_sigreturn, select,
// poll, sendto, recvfrom, mremap. Monolithic: every one is one system call,
// one trap (mmap and munmap the first and last root calls of workloads/
// mmap.yaml, kill and rt_sigreturn the two of signal.yaml, sendto and
// recvfrom the two of udp-rr.yaml, select and poll select-10, mremap null):
// 10 traps. The exokernel's library OS runs mmap (mm), sigaction, select,
// kill's signal.send and the socket layer itself; what still enters its
// kernel: munmap's pt.unmap (secure call, 1), kill's delivery rewriting the
// thread (ukernel.thread_state, 1), rt_sigreturn's (1), sendto's nic.xmit
// (1), recvfrom's wait for the packet (irq-wait: 1), mremap's null
// (posix.getpid in the library: 0): 5 traps.
static void test_new_service_calls(void **state)
{
	(void)state;
	char dir[300], csv[400];
	scratch(dir, sizeof dir);
	snprintf(csv, sizeof csv, "%s/results.csv", dir);
	const char *args[] = {"replay", "--faults", "none", "--arch", "monolithic", "--arch", "exokernel",
			      "-o", dir, DATA "services.trace", NULL};
	assert_int_equal(run_cmd(cmd_replay, args), 0);
	assert_true(csv_cell(csv, "monolithic", "services", "calls_mmap") == 1);
	assert_true(csv_cell(csv, "monolithic", "services", "calls_munmap") == 1);
	assert_true(csv_cell(csv, "monolithic", "services", "calls_sigaction") == 1);
	assert_true(csv_cell(csv, "monolithic", "services", "calls_kill") == 1);
	assert_true(csv_cell(csv, "monolithic", "services", "calls_sigreturn") == 1);
	assert_true(csv_cell(csv, "monolithic", "services", "calls_select") == 2);
	assert_true(csv_cell(csv, "monolithic", "services", "calls_send") == 1);
	assert_true(csv_cell(csv, "monolithic", "services", "calls_recv") == 1);
	assert_true(csv_cell(csv, "monolithic", "services", "calls_mem") == 1);
	assert_true(csv_cell(csv, "monolithic", "services", "calls_generic") == 0);
	assert_true(csv_cell(csv, "monolithic", "services", "traps") == 10);
	assert_true(csv_cell(csv, "exokernel", "services", "traps") == 5);
}

static void test_calls_by_class(void **state)
{
	(void)state;
	// calls.trace: openat (and its completion line), close, getpid, brk,
	// madvise, exit_group. Under monolithic each runs one trap: openat the
	// open half of open-close (posix.open: 1 trap), close the close half
	// (posix.close: 1 trap), getpid null (1), brk null (1, class mem),
	// madvise and exit_group null (1 each, class generic): 6 traps, no
	// address-space switch. Under mach the open and close halves are one
	// Unix-server RPC each (the emulated-rpc transport: 2 messages, 2
	// switches each way counted once per direction).
	char dir[300], csv[400];
	scratch(dir, sizeof dir);
	snprintf(csv, sizeof csv, "%s/results.csv", dir);
	const char *args[] = {"replay", "--faults", "none", "--arch", "monolithic", "--arch", "mach",
			      "-o", dir, DATA "calls.trace", NULL};
	assert_int_equal(run_cmd(cmd_replay, args), 0);
	assert_true(csv_cell(csv, "monolithic", "calls", "calls_open") == 1);
	assert_true(csv_cell(csv, "monolithic", "calls", "calls_close") == 1);
	assert_true(csv_cell(csv, "monolithic", "calls", "calls_null") == 1);
	assert_true(csv_cell(csv, "monolithic", "calls", "calls_mem") == 1);
	assert_true(csv_cell(csv, "monolithic", "calls", "calls_generic") == 2);
	assert_true(csv_cell(csv, "monolithic", "calls", "syscalls") == 6);
	assert_true(csv_cell(csv, "monolithic", "calls", "traps") == 6);
	assert_true(csv_cell(csv, "monolithic", "calls", "as_switches") == 0);
	assert_true(csv_cell(csv, "monolithic", "calls", "user_instructions") == 3);
	// mach: every Unix call is an RPC to the server and back: more system
	// instructions than monolithic and address-space switches.
	assert_true(csv_cell(csv, "mach", "calls", "as_switches") > 0);
	assert_true(csv_cell(csv, "mach", "calls", "sys_instructions") >
		    csv_cell(csv, "monolithic", "calls", "sys_instructions"));
	char json[400];
	snprintf(json, sizeof json, "%s/results.json", dir);
	struct stat st;
	assert_int_equal(stat(json, &st), 0);
	assert_true(st.st_size > 100);
	rm_tree(dir);
}

static void test_syscall_evicts_loop(void **state)
{
	(void)state;
	// loop-syscall.trace: 5 passes over 4 code lines (2 instructions each,
	// 0x401000..0x4010c0) and 4 data lines (0x602000..0x6020c0), a read(),
	// then 5 more passes. No page faults (--faults none).
	//  - huge (1 MiB 16-way L1s): the loop's 4 code lines miss once, cold;
	//    the read's path cannot displace them: user L1i misses = 4.
	//  - tiny (1 KiB 2-way L1s: 8 sets of 2): the loop's lines sit in sets
	//    0-3; mach's read path (trap, emulation library, RPC to the Unix
	//    server and back, kilobytes of code) puts at least two newer lines
	//    in every set, so all 4 code lines miss again: 4 + 4 = 8. Its data
	//    lines are evicted too: more user L1d misses than under huge.
	char dir[300], csv[400];
	scratch(dir, sizeof dir);
	snprintf(csv, sizeof csv, "%s/results.csv", dir);
	const char *tiny[] = {"replay", "--faults", "none", "--machine", DATA "tiny.yaml", "--arch", "mach",
			      "--arch", "monolithic", "-o", dir, DATA "loop-syscall.trace", NULL};
	assert_int_equal(run_cmd(cmd_replay, tiny), 0);
	double tiny_i = csv_cell(csv, "mach", NULL, "user_l1i_misses");
	double tiny_d = csv_cell(csv, "mach", NULL, "user_l1d_misses");
	assert_true(csv_cell(csv, "mach", NULL, "user_instructions") == 80); // 10 passes x 8
	assert_true(csv_cell(csv, "mach", NULL, "calls_read") == 1);
	const char *huge[] = {"replay", "--faults", "none", "--machine", DATA "huge.yaml", "--arch", "mach",
			      "--arch", "monolithic", "-o", dir, DATA "loop-syscall.trace", NULL};
	assert_int_equal(run_cmd(cmd_replay, huge), 0);
	double huge_i = csv_cell(csv, "mach", NULL, "user_l1i_misses");
	double huge_d = csv_cell(csv, "mach", NULL, "user_l1d_misses");
	assert_true(huge_i == 4);
	assert_true(csv_cell(csv, "monolithic", NULL, "user_l1i_misses") == 4);
	assert_true(tiny_i == 8);
	assert_true(tiny_d > huge_d);
	rm_tree(dir);
}

static void test_no_syscalls_equals_cachesim(void **state)
{
	(void)state;
	// samepage.trace: code and data on one page, no system call, no
	// reference across a line. On the modern profile:
	//  - cachesim (no translation): 48 instructions; 4 code lines, 6 data
	//    lines, all cold, no conflict: I1 4, D1 6, L2 10, LL 10 misses.
	//  - replay (--faults none): the same references through translation.
	//    The L1s are indexed within the page (32 KiB / 8 ways = 4 KiB), so
	//    the physical frame changes no set: the same I1 and D1 misses, plus
	//    the page walk's reads, which go through the data caches: the
	//    first fetch misses the iTLB and the STLB and walks 4 levels, 4 cold
	//    lines (an L1d, L2 and L3 miss each); the first load misses the dTLB
	//    and hits the STLB the walk filled: no walk. So replay = cachesim on
	//    the instruction side and cachesim + 4 on every data-side level.
	struct cachesim cs;
	struct profile p;
	struct cfg_error e;
	char err[300], dir[300], csv[400];
	assert_int_equal(profile_load(&p, "modern", NULL, &e), 0);
	assert_int_equal(cachesim_init_profile(&cs, &p, err, sizeof err), 0);
	cachesim_file(&cs, DATA "samepage.trace", 0, 0, NULL);
	assert_int_equal(cs.c.refs[CS_IR], 48);
	assert_int_equal(cs.c.miss[CS_IR][CS_L1], 4);
	assert_int_equal(cs.c.miss[CS_DR][CS_L1] + cs.c.miss[CS_DW][CS_L1], 6);
	uint64_t l2 = cs.c.miss[CS_IR][CS_L2] + cs.c.miss[CS_DR][CS_L2] + cs.c.miss[CS_DW][CS_L2];
	uint64_t ll = cs.c.miss[CS_IR][CS_LL] + cs.c.miss[CS_DR][CS_LL] + cs.c.miss[CS_DW][CS_LL];
	assert_int_equal(l2, 10);
	assert_int_equal(ll, 10);
	scratch(dir, sizeof dir);
	snprintf(csv, sizeof csv, "%s/results.csv", dir);
	const char *args[] = {"replay", "--faults", "none", "--arch", "monolithic", "-o", dir,
			      DATA "samepage.trace", NULL};
	assert_int_equal(run_cmd(cmd_replay, args), 0);
	assert_true(csv_cell(csv, "monolithic", NULL, "user_instructions") == (double)cs.c.refs[CS_IR]);
	assert_true(csv_cell(csv, "monolithic", NULL, "user_l1i_misses") == (double)cs.c.miss[CS_IR][CS_L1]);
	assert_true(csv_cell(csv, "monolithic", NULL, "user_l1d_misses") ==
		    (double)(cs.c.miss[CS_DR][CS_L1] + cs.c.miss[CS_DW][CS_L1] + 4));
	assert_true(csv_cell(csv, "monolithic", NULL, "user_l2_misses") == (double)(l2 + 4));
	assert_true(csv_cell(csv, "monolithic", NULL, "user_llc_misses") == (double)(ll + 4));
	assert_true(csv_cell(csv, "monolithic", NULL, "sys_instructions") == 0);
	assert_true(csv_cell(csv, "monolithic", NULL, "syscalls") == 0);
	// With first-touch faults on, the one page faults once, before the first fetch.
	const char *faults[] = {"replay", "--arch", "monolithic", "-o", dir, DATA "samepage.trace", NULL};
	assert_int_equal(run_cmd(cmd_replay, faults), 0);
	assert_true(csv_cell(csv, "monolithic", NULL, "faults") == 1);
	assert_true(csv_cell(csv, "monolithic", NULL, "traps") == 1);
	cachesim_free(&cs);
	rm_tree(dir);
}

// ---------------------------------------------------------------- valgrind

// The cachegrind summary line of a cachegrind.out file: Ir I1mr ILmr Dr
// D1mr DLmr Dw D1mw DLmw.
static int cg_summary(const char *path, uint64_t v[9])
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char line[4096];
	int n = 0;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "summary:", 8)) {
			unsigned long long x[9];
			n = sscanf(line + 8, "%llu %llu %llu %llu %llu %llu %llu %llu %llu", &x[0], &x[1], &x[2], &x[3],
				   &x[4], &x[5], &x[6], &x[7], &x[8]);
			for (int i = 0; i < 9 && i < n; i++)
				v[i] = x[i];
		}
	fclose(f);
	return n == 9 ? 0 : -1;
}

static double rel(uint64_t a, uint64_t b) { return b ? (a > b ? (double)(a - b) : (double)(b - a)) / (double)b : (a != 0); }

static void test_valgrind_end_to_end(void **state)
{
	(void)state;
	if (system("valgrind --version >/dev/null 2>&1") != 0) {
		fprintf(stderr, "test_replay: valgrind not installed: end-to-end test skipped\n");
		skip();
	}
	// /bin/true under lackey (with system calls) and under cachegrind, in
	// the same fixed environment and with fd 3 open in both (the trace's
	// descriptor), so that both runs make the same references.
	char dir[300], cmd[2000], trace[400], cgout[400];
	scratch(dir, sizeof dir);
	snprintf(trace, sizeof trace, "%s/true.trace", dir);
	snprintf(cgout, sizeof cgout, "%s/cachegrind.out", dir);
	const char *env = "env -i PATH=/usr/bin:/bin LC_ALL=C";
	snprintf(cmd, sizeof cmd,
		 "%s valgrind --tool=lackey --trace-mem=yes --trace-syscalls=yes --log-fd=3 /bin/true "
		 "3>'%s' >/dev/null 2>&1",
		 env, trace);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof cmd,
		 "%s valgrind --tool=cachegrind --cache-sim=yes --I1=32768,8,64 --D1=32768,8,64 "
		 "--LL=8388608,16,64 --cachegrind-out-file='%s' /bin/true 3>/dev/null >/dev/null 2>&1",
		 env, cgout);
	assert_int_equal(system(cmd), 0);
	uint64_t cg[9];
	assert_int_equal(cg_summary(cgout, cg), 0);
	struct cachesim cs;
	char err[300];
	struct cache_geom l1 = geom(32768, 8, 64), ll = geom(8388608, 16, 64);
	assert_int_equal(cachesim_init(&cs, &l1, &l1, &ll, err, sizeof err), 0);
	cachesim_file(&cs, trace, 0, 0, NULL);
	const struct cs_counts *c = &cs.c;
	uint64_t i1 = c->miss[CS_IR][CS_L1], d1 = c->miss[CS_DR][CS_L1] + c->miss[CS_DW][CS_L1];
	uint64_t llm = c->miss[CS_IR][CS_LL] + c->miss[CS_DR][CS_LL] + c->miss[CS_DW][CS_LL];
	fprintf(stderr,
		"test_replay: /bin/true: I1 misses %llu (cachegrind %llu), D1 %llu (%llu), LL %llu (%llu), "
		"Ir %llu (%llu), %llu system calls in the trace\n",
		(unsigned long long)i1, (unsigned long long)cg[1], (unsigned long long)d1,
		(unsigned long long)(cg[4] + cg[7]), (unsigned long long)llm,
		(unsigned long long)(cg[2] + cg[5] + cg[8]), (unsigned long long)c->refs[CS_IR],
		(unsigned long long)cg[0], (unsigned long long)c->syscalls);
	assert_true(c->syscalls > 10);
	assert_true(rel(i1, cg[1]) <= 0.01);
	assert_true(rel(d1, cg[4] + cg[7]) <= 0.01);
	assert_true(rel(llm, cg[2] + cg[5] + cg[8]) <= 0.01);
	assert_true(rel(c->refs[CS_IR], cg[0]) <= 0.01);
	cachesim_free(&cs);
	// The same trace replayed: every system call of a real run maps to a path.
	const char *args[] = {"replay", "--arch", "monolithic", "-o", dir, trace, NULL};
	assert_int_equal(run_cmd(cmd_replay, args), 0);
	char csv[400];
	snprintf(csv, sizeof csv, "%s/results.csv", dir);
	assert_true(csv_cell(csv, "monolithic", "true", "syscalls") > 10);
	assert_true(csv_cell(csv, "monolithic", "true", "faults") > 10);
	rm_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_fast_parser_agrees),
		cmocka_unit_test(test_every_arch_carries_a_trace),
		cmocka_unit_test(test_long_lines_and_stdin),
		cmocka_unit_test(test_malformed_strict),
		cmocka_unit_test(test_trace_error_columns),
		cmocka_unit_test(test_malformed_lenient),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_exact_pattern),
		cmocka_unit_test(test_clamp_and_unified),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_calls_by_class),
		cmocka_unit_test(test_new_service_calls),
		cmocka_unit_test(test_syscall_evicts_loop),
		cmocka_unit_test(test_no_syscalls_equals_cachesim),
		cmocka_unit_test(test_valgrind_end_to_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
