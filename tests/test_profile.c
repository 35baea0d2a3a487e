// test_profile.c: machine profiles: schema, defaults, checks, inherit.
// Profiles come from tests/data/machines/ (listed by name in some tests: a new
// file there changes those lists) and tests/data/bad/.
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile.h"

#define MACHINES "tests/data/machines"

static void assert_error(const char *msg, const char *where, const char *what)
{
	size_t n = strlen(where);
	if (strncmp(msg, where, n) != 0 || !strstr(msg + n, what))
		fail_msg("got     \"%s\"\nwanted  \"%s...%s...\"", msg, where, what);
	if (strchr(msg, '\n'))
		fail_msg("message is more than one line: \"%s\"", msg);
}

static void load_ok(struct profile *p, const char *name)
{
	struct cfg_error err;
	if (profile_load(p, name, MACHINES, &err) < 0)
		fail_msg("%s", err.msg);
}

// A failed load leaves the profile as it was.
static void expect_load_error(const char *name, const char *where, const char *what)
{
	struct profile p, before;
	struct cfg_error err = {{0}};
	profile_defaults(&p);
	p.mhz = 1234; // not what a load would start from
	memcpy(&before, &p, sizeof p);
	assert_int_equal(profile_load(&p, name, MACHINES, &err), -1);
	assert_error(err.msg, where, what);
	assert_memory_equal(&p, &before, sizeof p);
}

// schema_load of profile text over the defaults; returns its result.
static int load_text(struct profile *p, const char *text, struct cfg_error *err)
{
	struct ydoc d;
	if (ydoc_load_string(&d, "t.yaml", text, strlen(text), err) < 0)
		return -1;
	int rc = schema_load(profile_schema, p, sizeof *p, &d, ydoc_root(&d), err);
	ydoc_free(&d);
	return rc;
}

// ---------------------------------------------------------------- defaults

static void test_defaults_are_valid(void **state)
{
	(void)state;
	struct profile p;
	struct cfg_error err;
	profile_defaults(&p);
	if (profile_check(&p, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(p.mhz == 3000);
	assert_int_equal(p.address_bits, 64);
	assert_int_equal(p.l1d.size, 32768);
	assert_int_equal(p.l1d.assoc, 8);
	assert_int_equal(p.l1d.line, 64);
	assert_int_equal(p.l2.size, 262144);
	assert_int_equal(p.l2.latency, 12);
	assert_int_equal(p.l3.present, 0);
	assert_int_equal(p.dram_latency, 200);
	assert_int_equal(p.itlb.entries, 64);
	assert_int_equal(p.stlb.present, 0);
	assert_int_equal(p.page_size, 4096);
	assert_int_equal(p.phys_mem, 16ULL << 30);
	assert_int_equal(p.pcid, 0);
	assert_true(p.insn_bytes == 3.7);
}

static void test_usec(void **state)
{
	(void)state;
	struct profile p;
	profile_defaults(&p);
	assert_true(profile_usec(&p, 3000) == 1.0);
	p.mhz = 25;
	assert_true(profile_usec(&p, 50) == 2.0);
}

static void test_every_field_documented(void **state)
{
	(void)state;
	for (const struct field *f = profile_schema; f->key; f++) {
		assert_non_null(f->unit);
		assert_non_null(f->help);
		if (f->group)
			for (const struct field *g = f->group; g->key; g++) {
				assert_non_null(g->unit);
				assert_non_null(g->help);
			}
	}
}

// ---------------------------------------------------------------- loading

static void test_load_by_name_and_path(void **state)
{
	(void)state;
	struct profile p, q;
	load_ok(&p, "base");
	assert_string_equal(p.name, "base");
	assert_string_equal(p.description, "test base machine");
	assert_true(p.mhz == 2000);
	assert_true(p.cpi == 1.25);
	assert_int_equal(p.phys_mem, 8ULL << 30);
	assert_int_equal(p.l1i.size, 16384);
	assert_int_equal(p.l1i.repl, REPL_PLRU);
	assert_int_equal(p.l2.size, 512 << 10);
	assert_int_equal(p.l2.repl, REPL_LRU); // not in the file: default kept
	assert_int_equal(p.l3.present, 1);
	assert_int_equal(p.l3.size, 6 << 20); // 4096 sets of 24 ways
	assert_int_equal(p.stlb.present, 1);
	assert_int_equal(p.stlb.entries, 1536);
	assert_int_equal(p.itlb.entries, 32);
	assert_int_equal(p.vtx, 1);
	assert_int_equal(p.ept, 1);
	assert_int_equal(p.walk_overhead, 20);
	assert_int_equal(p.ev.trap_enter, 61);
	assert_int_equal(p.ev.ring_transition, 81);
	load_ok(&q, MACHINES "/base.yaml");
	assert_memory_equal(&p, &q, sizeof p);
}

static void test_inherit_chain(void **state)
{
	(void)state;
	struct profile base, child, grand;
	load_ok(&base, "base");
	load_ok(&child, "child");
	assert_string_equal(child.name, "child");
	assert_true(child.mhz == 2500);
	assert_int_equal(child.l3.present, 0);     // turned off by the child
	assert_int_equal(child.l3.size, 6 << 20);  // rest of l3 inherited
	assert_true(child.cpi == base.cpi);
	assert_int_equal(child.l1i.repl, REPL_PLRU);
	assert_int_equal(child.ev.vmexit, 501);
	// grandchild names `inherit` last: the file's keys still win.
	load_ok(&grand, "grandchild");
	assert_string_equal(grand.name, "grandchild");
	assert_true(grand.mhz == 2500);
	assert_int_equal(grand.l1d.size, 32768);
	assert_int_equal(grand.l1d.assoc, 8);
	assert_int_equal(grand.l1d.line, 64);
	assert_int_equal(grand.l1d.repl, REPL_PLRU);
	assert_int_equal(grand.l3.present, 0);
}

static void test_naming_a_level_turns_it_on(void **state)
{
	(void)state;
	struct profile p;
	load_ok(&p, "levels");
	assert_int_equal(p.l3.present, 1);
	assert_int_equal(p.l3.size, 4 << 20);
	assert_int_equal(p.l3.latency, 30);
	assert_int_equal(p.itlb.present, 0);
	assert_int_equal(p.dtlb.present, 1);
}

static void test_inherit_cycle(void **state)
{
	(void)state;
	// cycle_a -> cycle_b -> cycle_a is found in cycle_b.yaml, whose line 2 is
	// "inherit: cycle_a": the value starts at column 10 ("inherit: " is 9).
	expect_load_error("cycle_a", MACHINES "/cycle_b.yaml:2:10: error: ",
			  "inheritance cycle: " MACHINES "/cycle_a.yaml -> " MACHINES
			  "/cycle_b.yaml -> " MACHINES "/cycle_a.yaml");
}

static void test_unknown_profile(void **state)
{
	(void)state;
	// No such file: reported at 1:1 of the file looked for (the caller may
	// relocate it to where the name was written).
	expect_load_error("nosuch", MACHINES "/nosuch.yaml:1:1: error: ",
			  "unknown machine profile 'nosuch' (expected one of: base, child, "
			  "cycle_a, cycle_b, grandchild, levels, orphan)");
	// An unknown parent: at the value of "inherit: nosuch", line 2, column 10.
	expect_load_error("orphan", MACHINES "/orphan.yaml:2:10: error: ",
			  "unknown machine profile 'nosuch' (expected one of: base,");
	expect_load_error(MACHINES "/nope.yaml", MACHINES "/nope.yaml:1:1: error: ",
			  "cannot open: No such file or directory");
}

// Writes p0.yaml .. p<last>.yaml into a fresh directory, each inheriting the
// next; returns the directory (to be removed with remove_chain).
static char *write_chain(int last)
{
	char *dir = strdup("/tmp/osarch-test-profile-XXXXXX");
	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	for (int i = 0; i <= last; i++) {
		char path[256];
		snprintf(path, sizeof path, "%s/p%d.yaml", dir, i);
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fprintf(f, "name: p%d\n", i);
		if (i < last)
			fprintf(f, "inherit: p%d\n", i + 1);
		else
			fprintf(f, "walk_overhead: 77\n");
		fclose(f);
	}
	return dir;
}

static void remove_chain(char *dir, int last)
{
	for (int i = 0; i <= last; i++) {
		char path[256];
		snprintf(path, sizeof path, "%s/p%d.yaml", dir, i);
		unlink(path);
	}
	rmdir(dir);
	free(dir);
}

static void test_inherit_depth_bound(void **state)
{
	(void)state;
	struct profile p;
	struct cfg_error err;
	char path[256], where[300];
	// 8 hops (p0 -> ... -> p8) are allowed.
	char *dir = write_chain(8);
	snprintf(path, sizeof path, "%s/p0.yaml", dir);
	if (profile_load(&p, path, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(p.name, "p0");
	assert_int_equal(p.walk_overhead, 77);
	remove_chain(dir, 8);
	// The 9th is refused where it is asked for: p8.yaml line 2, column 10.
	dir = write_chain(9);
	snprintf(path, sizeof path, "%s/p0.yaml", dir);
	snprintf(where, sizeof where, "%s/p8.yaml:2:10: error: ", dir);
	assert_int_equal(profile_load(&p, path, NULL, &err), -1);
	assert_error(err.msg, where, "inheritance deeper than 8 profiles");
	remove_chain(dir, 9);
}

// ---------------------------------------------------------------- bad files

static void test_not_power_of_two(void **state)
{
	(void)state;
	// The l1d group's check fails; it is blamed on the key "l1d", line 3
	// column 1 (line 1 is a comment).
	expect_load_error("tests/data/bad/profile_not_pow2.yaml",
			  "tests/data/bad/profile_not_pow2.yaml:3:1: error: ",
			  "l1d.size 3000 is not a power of two");
}

static void test_line_mismatch(void **state)
{
	(void)state;
	// A cross-level error, blamed on the group of this file it names: "l2"
	// at line 2, column 1.
	expect_load_error("tests/data/bad/profile_line_mismatch.yaml",
			  "tests/data/bad/profile_line_mismatch.yaml:2:1: error: ",
			  "l2.line 128 differs from l1i.line 64");
}

static void test_address_bits(void **state)
{
	(void)state;
	// "address_bits: 48" on line 2: the value is at column 15 ("address_bits: " is 14).
	expect_load_error("tests/data/bad/profile_address_bits.yaml",
			  "tests/data/bad/profile_address_bits.yaml:2:15: error: ",
			  "address_bits 48 is not supported (expected 32 or 64)");
}

static void test_missing_name(void **state)
{
	(void)state;
	// The mapping starts at "mhz", line 1, column 1.
	expect_load_error("tests/data/bad/profile_no_name.yaml",
			  "tests/data/bad/profile_no_name.yaml:1:1: error: ",
			  "missing required key 'name'");
}

static void test_schema_errors_in_text(void **state)
{
	(void)state;
	struct profile p;
	struct cfg_error err;
	profile_defaults(&p);
	// "  sise: 8K" on line 3: key at column 3.
	assert_int_equal(load_text(&p, "name: x\nl1d:\n  sise: 8K\n", &err), -1);
	assert_error(err.msg, "t.yaml:3:3: error: ",
		     "unknown key 'sise' (expected one of: size, assoc, line, latency, repl, present)");
	// "  repl: fifo" on line 3: value at column 9.
	assert_int_equal(load_text(&p, "name: x\nl2:\n  repl: fifo\n", &err), -1);
	assert_error(err.msg, "t.yaml:3:9: error: ", "unknown value 'fifo' (expected one of: lru, plru)");
	// "  line: 8192" on line 3: value at column 9; bounds are 4..4096.
	assert_int_equal(load_text(&p, "name: x\nl1d:\n  line: 8192\n", &err), -1);
	assert_error(err.msg, "t.yaml:3:9: error: ", "value 8192 out of range (expected 4..4096)");
	// "page_size: 8K" on line 2: value at column 12.
	assert_int_equal(load_text(&p, "name: x\npage_size: 8K\n", &err), -1);
	assert_error(err.msg, "t.yaml:2:12: error: ", "page_size 8192 is not supported (expected 4096)");
	// "  vmexit: [1]" on line 3: value at column 11.
	assert_int_equal(load_text(&p, "name: x\nevents:\n  vmexit: [1]\n", &err), -1);
	assert_error(err.msg, "t.yaml:3:11: error: ", "wrong type for 'vmexit': got a sequence");
	// "itlb: {entries: 48}" on line 2: the check blames the key "itlb", column 1.
	assert_int_equal(load_text(&p, "name: x\nitlb: {entries: 48}\n", &err), -1);
	assert_error(err.msg, "t.yaml:2:1: error: ", "itlb.entries 48 is not a power of two");
}

// ---------------------------------------------------------------- checks

static void test_check_messages(void **state)
{
	(void)state;
	struct profile p;
	struct cfg_error err;
	profile_defaults(&p);
	p.l1d.assoc = 3;
	assert_int_equal(profile_check(&p, &err), -1);
	assert_non_null(strstr(err.msg, "l1d.assoc 3 does not divide 512 lines"));
	profile_defaults(&p);
	p.l2.line = 48;
	assert_int_equal(profile_check(&p, &err), -1);
	assert_string_equal(err.msg, "l2.line 48 is not a power of two");
	profile_defaults(&p);
	p.l1i.assoc = 1024; // 32K/64 = 512 lines
	assert_int_equal(profile_check(&p, &err), -1);
	assert_non_null(strstr(err.msg, "l1i.assoc 1024 exceeds the 512 lines"));
	profile_defaults(&p);
	p.dtlb.assoc = 3;
	assert_int_equal(profile_check(&p, &err), -1);
	assert_non_null(strstr(err.msg, "dtlb.assoc 3 does not divide entries 64"));
	profile_defaults(&p);
	p.l3.present = 1;
	p.l3.line = 128;
	assert_int_equal(profile_check(&p, &err), -1);
	assert_non_null(strstr(err.msg, "l3.line 128 differs from l1i.line 64"));
	profile_defaults(&p);
	p.address_bits = 48;
	assert_int_equal(profile_check(&p, &err), -1);
	assert_non_null(strstr(err.msg, "address_bits 48"));
}

static void test_check_accepts_real_hardware(void **state)
{
	(void)state;
	struct profile p;
	struct cfg_error err;
	profile_defaults(&p);
	p.l3 = (struct cache_geom){1, 12 << 20, 16, 64, 40, REPL_LRU}; // 12288 sets: not ok
	assert_int_equal(profile_check(&p, &err), -1);
	assert_non_null(strstr(err.msg, "l3.size 12582912 is not a power of two"));
	p.l3.assoc = 12; // 16384 sets: a real Intel L3 shape
	if (profile_check(&p, &err) < 0)
		fail_msg("%s", err.msg);
	p.stlb = (struct tlb_geom){1, 1536, 12, 7}; // 128 sets (Skylake STLB)
	p.dtlb = (struct tlb_geom){1, 72, 72, 0};   // fully associative (Zen 4)
	if (profile_check(&p, &err) < 0)
		fail_msg("%s", err.msg);
	// A unified L1 uses l1d; a broken l1i no longer matters.
	p.l1_unified = 1;
	p.l1i.size = 3000;
	if (profile_check(&p, &err) < 0)
		fail_msg("%s", err.msg);
}

static void test_schema_set_on_profile(void **state)
{
	(void)state;
	struct profile p, before;
	struct cfg_error err;
	profile_defaults(&p);
	memcpy(&before, &p, sizeof p);
	assert_int_equal(schema_set(profile_schema, &p, "l1d.size", "3000", &err), -1);
	assert_string_equal(err.msg, "l1d.size 3000 is not a power of two (expected a power "
				     "of two or a power-of-two number of sets)");
	assert_int_equal(schema_set(profile_schema, &p, "address_bits", "40", &err), -1);
	assert_string_equal(err.msg, "address_bits 40 is not supported (expected 32 or 64)");
	assert_int_equal(schema_set(profile_schema, &p, "inherit", "base", &err), -1);
	assert_int_equal(schema_set(profile_schema, &p, "l1d.sise", "1", &err), -1);
	assert_string_equal(err.msg, "unknown parameter 'l1d.sise' (expected one of: "
				     "size, assoc, line, latency, repl, present)");
	assert_memory_equal(&p, &before, sizeof p);
	assert_int_equal(schema_set(profile_schema, &p, "l1d.size", "64K", &err), 0);
	assert_int_equal(p.l1d.size, 65536);
	assert_int_equal(schema_set(profile_schema, &p, "events.vmexit", "1200", &err), 0);
	assert_int_equal(p.ev.vmexit, 1200);
	assert_int_equal(schema_set(profile_schema, &p, "l3.present", "true", &err), 0);
	assert_int_equal(profile_check(&p, &err), 0);
}

// ---------------------------------------------------------------- dump

static void test_dump_round_trip(void **state)
{
	(void)state;
	struct profile a, b;
	struct cfg_error err;
	load_ok(&a, "grandchild");
	a.cpi = 0.1 + 0.2; // needs 17 digits to read back exactly
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_non_null(out);
	schema_dump(out, profile_schema, &a, 0);
	fclose(out);
	assert_non_null(strstr(text, "name: \"grandchild\"\n"));
	assert_non_null(strstr(text, "l1d:\n  size: 32768\n"));
	assert_non_null(strstr(text, "mhz: 2500\n"));
	assert_null(strstr(text, "inherit"));
	profile_defaults(&b);
	if (load_text(&b, text, &err) < 0)
		fail_msg("%s\n%s", err.msg, text);
	assert_memory_equal(&a, &b, sizeof a);
	free(text);
}

// The devices group: a profile's own disk latency replaces the default
// (80 us), the NIC's stays the default (20.8 us: a 64-byte UDP payload takes
// 130 bytes of wire time, 10.4 us at 100 Mb/s, each way).
static void test_devices_group(void **state)
{
	(void)state;
	struct profile p;
	struct cfg_error err;
	if (profile_load(&p, "tests/data/walk/slow-disk.yaml", NULL, &err))
		fail_msg("%s", err.msg);
	assert_true(p.dev.disk_usec == 8000);
	assert_true(p.dev.nic_usec > 20.79 && p.dev.nic_usec < 20.81);
	if (profile_load(&p, "modern", NULL, &err))
		fail_msg("%s", err.msg);
	assert_true(p.dev.disk_usec == 80);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_are_valid),
		cmocka_unit_test(test_usec),
		cmocka_unit_test(test_devices_group),
		cmocka_unit_test(test_every_field_documented),
		cmocka_unit_test(test_load_by_name_and_path),
		cmocka_unit_test(test_inherit_chain),
		cmocka_unit_test(test_naming_a_level_turns_it_on),
		cmocka_unit_test(test_inherit_cycle),
		cmocka_unit_test(test_unknown_profile),
		cmocka_unit_test(test_inherit_depth_bound),
		cmocka_unit_test(test_not_power_of_two),
		cmocka_unit_test(test_line_mismatch),
		cmocka_unit_test(test_address_bits),
		cmocka_unit_test(test_missing_name),
		cmocka_unit_test(test_schema_errors_in_text),
		cmocka_unit_test(test_check_messages),
		cmocka_unit_test(test_check_accepts_real_hardware),
		cmocka_unit_test(test_schema_set_on_profile),
		cmocka_unit_test(test_dump_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
