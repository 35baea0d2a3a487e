// test_yamlcfg.c: the schema-driven loader, on a small schema of its own.
// Every error test states the line:col it expects and how it was counted.
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yamlcfg.h"

#define MEMBER(T, m) .offset = offsetof(T, m), .size = sizeof(((T *)0)->m)

struct tcache {
	uint64_t size;
	uint32_t assoc;
	uint32_t line;
	uint32_t latency;
	int repl;
	int present;
};

struct tconf {
	char name[32];
	int64_t count;
	int16_t small; // a signed 2-byte member
	double ratio;
	int flag;
	struct strlist tags;
	uint32_t mem; // F_SIZE in a 4-byte member
	struct tcache cache;
};

static int tcache_check(const void *obj, struct cfg_error *err)
{
	const struct tcache *c = obj;
	if (c->size & (c->size - 1)) {
		cfg_msgf(err, "size %llu is not a power of two", (unsigned long long)c->size);
		return -1;
	}
	return 0;
}

static const char *const repl_names[] = {"lru", "plru", NULL};

static const struct field tcache_schema[] = {
	{.key = "size", .type = F_SIZE, MEMBER(struct tcache, size), .min = 64, .max = 1 << 30},
	{.key = "assoc", .type = F_INT, MEMBER(struct tcache, assoc), .min = 1, .max = 64},
	{.key = "line", .type = F_SIZE, MEMBER(struct tcache, line), .min = 4, .max = 4096},
	{.key = "latency", .type = F_INT, MEMBER(struct tcache, latency), .min = 0, .max = 10000},
	{.key = "repl", .type = F_ENUM, MEMBER(struct tcache, repl), .names = repl_names},
	{.key = "present", .type = F_BOOL, MEMBER(struct tcache, present)},
	{.key = NULL},
};

static const struct field tschema[] = {
	{.key = "name", .type = F_STRING, MEMBER(struct tconf, name), .required = 1},
	{.key = "count", .type = F_INT, MEMBER(struct tconf, count), .min = -100, .max = 1000000},
	{.key = "small", .type = F_INT, MEMBER(struct tconf, small), .min = -1000, .max = 1000},
	{.key = "ratio", .type = F_DOUBLE, MEMBER(struct tconf, ratio), .min = 0, .max = 10},
	{.key = "flag", .type = F_BOOL, MEMBER(struct tconf, flag)},
	{.key = "tags", .type = F_STRLIST, MEMBER(struct tconf, tags)},
	{.key = "mem", .type = F_SIZE, MEMBER(struct tconf, mem), .min = 0, .max = 4294967295.0},
	{.key = "cache", .type = F_GROUP, MEMBER(struct tconf, cache), .group = tcache_schema,
	 .check = tcache_check},
	{.key = NULL},
};

static void tconf_defaults(struct tconf *c)
{
	memset(c, 0, sizeof *c);
	strcpy(c->name, "default");
	c->count = 7;
	c->ratio = 1.0;
	c->cache = (struct tcache){32768, 8, 64, 4, 0, 1};
	assert_int_equal(strlist_add(&c->tags, "default-tag"), 0);
}

// The message starts with `where` exactly and contains `what` after it.
static void assert_error(const char *msg, const char *where, const char *what)
{
	size_t n = strlen(where);
	if (strncmp(msg, where, n) != 0 || !strstr(msg + n, what))
		fail_msg("got     \"%s\"\nwanted  \"%s...%s...\"", msg, where, what);
	if (strchr(msg, '\n'))
		fail_msg("message is more than one line: \"%s\"", msg);
}

// Loads `path` into a defaulted tconf and expects an error; checks that the
// object is unchanged.
static void expect_file_error(const char *path, const char *where, const char *what)
{
	struct tconf c, before;
	struct ydoc d;
	struct cfg_error err = {{0}};
	tconf_defaults(&c);
	memcpy(&before, &c, sizeof c);
	if (ydoc_load_file(&d, path, &err) == 0) {
		int rc = schema_load(tschema, &c, sizeof c, &d, ydoc_root(&d), &err);
		ydoc_free(&d);
		assert_int_equal(rc, -1);
	}
	assert_error(err.msg, where, what);
	assert_memory_equal(&c, &before, sizeof c);
	strlist_free(&c.tags);
}

// Same, from text held in the test.
static void expect_text_error(const char *text, const char *where, const char *what)
{
	struct tconf c, before;
	struct ydoc d;
	struct cfg_error err = {{0}};
	tconf_defaults(&c);
	memcpy(&before, &c, sizeof c);
	if (ydoc_load_string(&d, "t.yaml", text, strlen(text), &err) == 0) {
		int rc = schema_load(tschema, &c, sizeof c, &d, ydoc_root(&d), &err);
		ydoc_free(&d);
		assert_int_equal(rc, -1);
	}
	assert_error(err.msg, where, what);
	assert_memory_equal(&c, &before, sizeof c);
	strlist_free(&c.tags);
}

static int load_text(struct tconf *c, const char *text, struct cfg_error *err)
{
	struct ydoc d;
	if (ydoc_load_string(&d, "t.yaml", text, strlen(text), err) < 0)
		return -1;
	int rc = schema_load(tschema, c, sizeof *c, &d, ydoc_root(&d), err);
	ydoc_free(&d);
	return rc;
}

// ---------------------------------------------------------------- good input

static void test_load_good_file(void **state)
{
	(void)state;
	struct tconf c;
	struct ydoc d;
	struct cfg_error err = {{0}};
	tconf_defaults(&c);
	assert_int_equal(ydoc_load_file(&d, "tests/data/yamlcfg_good.yaml", &err), 0);
	int rc = schema_load(tschema, &c, sizeof c, &d, ydoc_root(&d), &err);
	ydoc_free(&d);
	if (rc)
		fail_msg("%s", err.msg);
	assert_string_equal(c.name, "good");
	assert_int_equal(c.count, 42);
	assert_int_equal(c.small, -12);
	assert_true(c.ratio == 2.5);
	assert_int_equal(c.flag, 1);
	// The file's list replaces the default one (no "default-tag").
	assert_int_equal(c.tags.n, 2);
	assert_string_equal(c.tags.v[0], "a");
	assert_string_equal(c.tags.v[1], "b");
	assert_int_equal(c.mem, 1048576);
	assert_int_equal(c.cache.size, 8192);
	assert_int_equal(c.cache.assoc, 4);
	assert_int_equal(c.cache.latency, 3);
	assert_int_equal(c.cache.repl, 1);
	assert_int_equal(c.cache.present, 1); // absent from the file: default kept
	strlist_free(&c.tags);
}

static void test_scalar_list_is_one_element(void **state)
{
	(void)state;
	struct tconf c;
	struct cfg_error err;
	tconf_defaults(&c);
	assert_int_equal(load_text(&c, "name: n\ntags: solo\n", &err), 0);
	assert_int_equal(c.tags.n, 1);
	assert_string_equal(c.tags.v[0], "solo");
	assert_int_equal(strlist_find(&c.tags, "solo"), 0);
	assert_int_equal(strlist_find(&c.tags, "default-tag"), -1);
	strlist_free(&c.tags);
}

static void test_parse_size(void **state)
{
	(void)state;
	uint64_t v;
	assert_int_equal(scalar_parse_size("8K", &v), 0);
	assert_int_equal(v, 8192);
	assert_int_equal(scalar_parse_size("1M", &v), 0);
	assert_int_equal(v, 1048576);
	assert_int_equal(scalar_parse_size("2G", &v), 0);
	assert_int_equal(v, 2147483648ULL);
	assert_int_equal(scalar_parse_size("3KiB", &v), 0);
	assert_int_equal(v, 3072);
	assert_int_equal(scalar_parse_size("6MiB", &v), 0);
	assert_int_equal(v, 6291456);
	assert_int_equal(scalar_parse_size("64", &v), 0);
	assert_int_equal(v, 64);
	assert_int_equal(scalar_parse_size("8Q", &v), -1);
	assert_int_equal(scalar_parse_size("", &v), -1);
	assert_int_equal(scalar_parse_size("-1", &v), -1);
	assert_int_equal(scalar_parse_size("1.5K", &v), -1);
	assert_int_equal(scalar_parse_size(" 8K", &v), -1);
	assert_int_equal(scalar_parse_size("99999999999999999999", &v), -2);
	assert_int_equal(scalar_parse_size("16777216T", &v), -2); // 2^64
}

static void test_parse_int_double_bool(void **state)
{
	(void)state;
	int64_t i;
	double x;
	int b;
	assert_int_equal(scalar_parse_int("42", &i), 0);
	assert_int_equal(i, 42);
	assert_int_equal(scalar_parse_int("-7", &i), 0);
	assert_int_equal(i, -7);
	assert_int_equal(scalar_parse_int("8K", &i), -1); // suffixes are for F_SIZE
	assert_int_equal(scalar_parse_int("0x10", &i), -1);
	assert_int_equal(scalar_parse_int("1.5", &i), -1);
	assert_int_equal(scalar_parse_int("9223372036854775808", &i), -2);
	assert_int_equal(scalar_parse_double("2.5", &x), 0);
	assert_true(x == 2.5);
	assert_int_equal(scalar_parse_double("3", &x), 0);
	assert_true(x == 3.0);
	assert_int_equal(scalar_parse_double("1e3", &x), 0);
	assert_true(x == 1000.0);
	assert_int_equal(scalar_parse_double("inf", &x), -1);
	assert_int_equal(scalar_parse_double("nan", &x), -1);
	assert_int_equal(scalar_parse_double("0x1p3", &x), -1);
	assert_int_equal(scalar_parse_double("1e400", &x), -2);
	const char *yes[] = {"true", "TRUE", "yes", "Yes", "on", "ON"};
	const char *no[] = {"false", "False", "no", "NO", "off", "Off"};
	for (int k = 0; k < 6; k++) {
		assert_int_equal(scalar_parse_bool(yes[k], &b), 0);
		assert_int_equal(b, 1);
		assert_int_equal(scalar_parse_bool(no[k], &b), 0);
		assert_int_equal(b, 0);
	}
	assert_int_equal(scalar_parse_bool("1", &b), -1);
}

static void test_int_rejects_size_suffix(void **state)
{
	(void)state;
	// "count: 8K": the value starts at line 2, column 8 ("count: " is 7 chars).
	expect_text_error("name: n\ncount: 8K\n", "t.yaml:2:8: error: ",
			  "'8K' is not an integer");
}

// ---------------------------------------------------------------- bad files

static void test_syntax_error(void **state)
{
	(void)state;
	// Line 3 is " ratio: 2": the ':' after 1 space and "ratio" is column 7.
	expect_file_error("tests/data/bad/syntax.yaml", "tests/data/bad/syntax.yaml:3:7: error: ",
			  "syntax error: mapping values are not allowed");
}

static void test_unknown_key(void **state)
{
	(void)state;
	// Line 3 is "  sise: 8K": the key starts after 2 spaces, column 3.
	expect_file_error("tests/data/bad/unknown_key.yaml",
			  "tests/data/bad/unknown_key.yaml:3:3: error: ",
			  "unknown key 'sise' (expected one of: size, assoc, line, latency, repl, present)");
}

static void test_wrong_type_mapping(void **state)
{
	(void)state;
	// The value of count is the mapping on line 3, "  a: 1", starting at column 3.
	expect_file_error("tests/data/bad/wrong_type.yaml",
			  "tests/data/bad/wrong_type.yaml:3:3: error: ",
			  "wrong type for 'count': got a mapping (expected an integer)");
}

static void test_wrong_type_not_integer(void **state)
{
	(void)state;
	// Line 2 is "count: abc": the value starts at column 8.
	expect_file_error("tests/data/bad/not_integer.yaml",
			  "tests/data/bad/not_integer.yaml:2:8: error: ",
			  "'abc' is not an integer (expected a decimal integer)");
}

static void test_null_value(void **state)
{
	(void)state;
	// "count: ~" on line 2: the '~' is column 8.
	expect_text_error("name: n\ncount: ~\n", "t.yaml:2:8: error: ",
			  "wrong type for 'count': got null");
	// "count:" with nothing after: libyaml puts the empty value at the end of
	// the line, column 7 (1-based) on line 2.
	expect_text_error("name: n\ncount:\n", "t.yaml:2:7: error: ", "got null");
	// A null where a string is required: "name: ~" value at column 7. The
	// plain word null is a name where a name is expected (the workload
	// "null" is a contract), so only ~ or nothing is missing there.
	expect_text_error("name: ~\n", "t.yaml:1:7: error: ", "wrong type for 'name': got null");
}

static void test_out_of_range(void **state)
{
	(void)state;
	// Line 3 is "  assoc: 9999": 2 spaces + "assoc: " (7) = 9 chars, value at column 10.
	expect_file_error("tests/data/bad/out_of_range.yaml",
			  "tests/data/bad/out_of_range.yaml:3:10: error: ",
			  "value 9999 out of range (expected 1..64)");
	// Signed 2-byte member: "small: -1001" on line 2, value at column 8.
	expect_text_error("name: n\nsmall: -1001\n", "t.yaml:2:8: error: ",
			  "value -1001 out of range (expected -1000..1000)");
	// Too big for any integer: "count: 99999999999999999999", column 8.
	expect_text_error("name: n\ncount: 99999999999999999999\n", "t.yaml:2:8: error: ",
			  "value 99999999999999999999 out of range");
}

static void test_duplicate_key(void **state)
{
	(void)state;
	// The second "count" is line 3, column 1; the first was line 2, column 1.
	expect_file_error("tests/data/bad/duplicate_key.yaml",
			  "tests/data/bad/duplicate_key.yaml:3:1: error: ",
			  "duplicate key 'count' (first at 2:1)");
}

static void test_missing_required_key(void **state)
{
	(void)state;
	// Line 1 is a comment; the mapping starts with "count" at line 2, column 1.
	expect_file_error("tests/data/bad/missing_key.yaml",
			  "tests/data/bad/missing_key.yaml:2:1: error: ",
			  "missing required key 'name'");
}

static void test_bad_enum(void **state)
{
	(void)state;
	// Line 3 is "  repl: fifo": 2 spaces + "repl: " (6) = 8 chars, value at column 9.
	expect_file_error("tests/data/bad/bad_enum.yaml", "tests/data/bad/bad_enum.yaml:3:9: error: ",
			  "unknown value 'fifo' (expected one of: lru, plru)");
}

static void test_not_a_mapping(void **state)
{
	(void)state;
	// The top-level sequence starts at the first '-': line 1, column 1.
	expect_file_error("tests/data/bad/not_mapping.yaml",
			  "tests/data/bad/not_mapping.yaml:1:1: error: ",
			  "top level is a sequence (expected a mapping)");
	// A group given a scalar: "cache: 5" on line 2, value at column 8.
	expect_text_error("name: n\ncache: 5\n", "t.yaml:2:8: error: ",
			  "wrong type for 'cache': got a scalar (expected a mapping)");
}

static void test_empty_file(void **state)
{
	(void)state;
	// No document at all: file-level errors are at 1:1.
	expect_file_error("tests/data/bad/empty.yaml", "tests/data/bad/empty.yaml:1:1: error: ",
			  "empty file (expected a mapping)");
}

static void test_missing_file(void **state)
{
	(void)state;
	expect_file_error("tests/data/bad/no-such-file.yaml",
			  "tests/data/bad/no-such-file.yaml:1:1: error: ",
			  "cannot open: No such file or directory");
}

static void test_alias_bomb(void **state)
{
	(void)state;
	// A document-wide limit is reported at the root mapping, which starts with
	// "name" on line 2, column 1 (line 1 is a comment).
	expect_file_error("tests/data/bad/alias_bomb.yaml",
			  "tests/data/bad/alias_bomb.yaml:2:1: error: ",
			  "document expands to more than 200000 nodes");
}

static void test_too_deep(void **state)
{
	(void)state;
	// Line 2 is "x: " and 64 '['. The root mapping is depth 1, the first '['
	// (column 4) depth 2, so the 64th '[' (column 3 + 64 = 67) is depth 65.
	expect_file_error("tests/data/bad/too_deep.yaml", "tests/data/bad/too_deep.yaml:2:67: error: ",
			  "nesting deeper than 64 levels");
}

static void test_deep_flow_fails_fast(void **state)
{
	(void)state;
	// libyaml's scanner slows down with flow depth (minutes for this text when
	// parsed whole); the loader must stop at depth 65 instead. In
	// "x: {a: {a: ...", the k-th '{' is at column 4 + 4(k-1) with depth k+1, and
	// its key 'a' one column later with depth k+2: the first node at depth 65
	// is the key of the 63rd '{', column 5 + 4*62 = 253.
	size_t levels = 200000, len = 3 + 4 * levels;
	char *text = malloc(len + 1);
	assert_non_null(text);
	memcpy(text, "x: ", 3);
	for (size_t i = 0; i < levels; i++)
		memcpy(text + 3 + 4 * i, "{a: ", 4);
	text[len] = '\0';
	expect_text_error(text, "t.yaml:1:253: error: ", "nesting deeper than 64 levels");
	free(text);
}

static void test_alias_cycle(void **state)
{
	(void)state;
	// "x: &a [*a]": the anchored sequence contains itself. A node with an
	// anchor starts at the anchor: "&a" is column 4 ("x: " is 3 chars).
	expect_text_error("x: &a [*a]\n", "t.yaml:1:4: error: ", "alias refers to a node that contains it");
}

static void test_second_document(void **state)
{
	(void)state;
	// The second document's mapping starts at "name" on line 3, column 1.
	expect_text_error("name: a\n---\nname: b\n", "t.yaml:3:1: error: ", "a second YAML document");
}

static void test_bad_utf8(void **state)
{
	(void)state;
	// The 0xff byte is the first byte of line 2 (offset 8 after "name: a\n").
	expect_text_error("name: a\n\xff\n", "t.yaml:2:1: error: ", "syntax error: invalid leading UTF-8 octet");
}

static void test_file_too_big(void **state)
{
	(void)state;
	size_t len = CFG_MAX_FILE_BYTES + 1;
	char *big = malloc(len);
	assert_non_null(big);
	memset(big, '#', len);
	struct ydoc d;
	struct cfg_error err;
	assert_int_equal(ydoc_load_string(&d, "big.yaml", big, len, &err), -1);
	assert_error(err.msg, "big.yaml:1:1: error: ", "file is 1048577 bytes (expected at most 1048576)");
	free(big);
}

static void test_group_check_located_at_group(void **state)
{
	(void)state;
	// The check of group "cache" fails; the error points at the key "cache"
	// (line 2, column 1) and names the member with the group's path.
	expect_text_error("name: n\ncache:\n  size: 3000\n", "t.yaml:2:1: error: ",
			  "cache.size 3000 is not a power of two");
}

static void test_failed_load_keeps_object_and_frees_lists(void **state)
{
	(void)state;
	// tags is loaded into the copy (a new list) before count fails: the object
	// is unchanged (expect_text_error compares bytes) and valgrind sees the new
	// list freed. "count: abc" is line 3, value at column 8.
	expect_text_error("name: changed\ntags: [x, y, z]\ncount: abc\n", "t.yaml:3:8: error: ",
			  "'abc' is not an integer");
}

// ---------------------------------------------------------------- set, find

static void test_schema_set_dotted(void **state)
{
	(void)state;
	struct tconf c;
	struct cfg_error err;
	tconf_defaults(&c);
	assert_int_equal(schema_set(tschema, &c, "cache.size", "16K", &err), 0);
	assert_int_equal(c.cache.size, 16384);
	assert_int_equal(schema_set(tschema, &c, "cache.repl", "plru", &err), 0);
	assert_int_equal(c.cache.repl, 1);
	assert_int_equal(schema_set(tschema, &c, "flag", "on", &err), 0);
	assert_int_equal(c.flag, 1);
	assert_int_equal(schema_set(tschema, &c, "ratio", "0.25", &err), 0);
	assert_true(c.ratio == 0.25);
	assert_int_equal(schema_set(tschema, &c, "small", "-5", &err), 0);
	assert_int_equal(c.small, -5);
	assert_int_equal(schema_set(tschema, &c, "tags", "only", &err), 0);
	assert_int_equal(c.tags.n, 1);
	assert_string_equal(c.tags.v[0], "only");
	void *owner = NULL;
	const struct field *f = schema_find(tschema, &c, "cache.assoc", &owner);
	assert_non_null(f);
	assert_string_equal(f->key, "assoc");
	assert_ptr_equal(owner, &c.cache);
	assert_null(schema_find(tschema, &c, "cache.nope", &owner));
	assert_null(schema_find(tschema, &c, "count.x", &owner));
	strlist_free(&c.tags);
}

static void test_schema_set_errors(void **state)
{
	(void)state;
	struct tconf c, before;
	struct cfg_error err;
	tconf_defaults(&c);
	memcpy(&before, &c, sizeof c);
	assert_int_equal(schema_set(tschema, &c, "cache.sise", "8K", &err), -1);
	assert_string_equal(err.msg, "unknown parameter 'cache.sise' (expected one of: "
				     "size, assoc, line, latency, repl, present)");
	// The group's check runs after the set, and a failure undoes the set.
	assert_int_equal(schema_set(tschema, &c, "cache.size", "3000", &err), -1);
	assert_string_equal(err.msg, "cache.size 3000 is not a power of two");
	assert_int_equal(schema_set(tschema, &c, "cache.assoc", "99", &err), -1);
	assert_string_equal(err.msg, "cache.assoc: value 99 out of range (expected 1..64)");
	assert_int_equal(schema_set(tschema, &c, "cache", "1", &err), -1);
	assert_non_null(strstr(err.msg, "'cache' is a group"));
	assert_int_equal(schema_set(tschema, &c, "tags", "", &err), -1);
	assert_memory_equal(&c, &before, sizeof c);
	strlist_free(&c.tags);
}

// ---------------------------------------------------------------- dump

static char *dump_to_string(const struct tconf *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_non_null(out);
	schema_dump(out, tschema, c, 0);
	fclose(out);
	return text;
}

static void test_dump_round_trip(void **state)
{
	(void)state;
	struct tconf a, b;
	struct cfg_error err;
	tconf_defaults(&a);
	strcpy(a.name, "quote\" and \\ and\ttab");
	a.count = -42;
	a.small = 300;
	a.ratio = 1.0 / 3.0; // needs %.17g to read back exactly
	a.flag = 1;
	strlist_free(&a.tags);
	assert_int_equal(strlist_add(&a.tags, "x y"), 0);
	assert_int_equal(strlist_add(&a.tags, "z"), 0);
	a.mem = 4000000000u;
	a.cache = (struct tcache){1 << 20, 16, 128, 30, 1, 0};
	char *text = dump_to_string(&a);
	assert_non_null(strstr(text, "  size: 1048576\n"));
	assert_non_null(strstr(text, "  repl: plru\n"));
	assert_non_null(strstr(text, "tags: [\"x y\", \"z\"]\n"));

	tconf_defaults(&b);
	if (load_text(&b, text, &err) < 0)
		fail_msg("%s\n%s", err.msg, text);
	assert_string_equal(b.name, a.name);
	assert_int_equal(b.count, a.count);
	assert_int_equal(b.small, a.small);
	assert_true(b.ratio == a.ratio);
	assert_int_equal(b.flag, a.flag);
	assert_int_equal(b.mem, a.mem);
	assert_memory_equal(&b.cache, &a.cache, sizeof a.cache);
	assert_int_equal(b.tags.n, 2);
	assert_string_equal(b.tags.v[0], "x y");
	assert_string_equal(b.tags.v[1], "z");
	free(text);
	strlist_free(&a.tags);
	strlist_free(&b.tags);
}

static void test_dump_readable_doubles(void **state)
{
	(void)state;
	struct tconf c;
	tconf_defaults(&c);
	c.ratio = 2.5;
	char *text = dump_to_string(&c);
	assert_non_null(strstr(text, "ratio: 2.5\n"));
	assert_non_null(strstr(text, "name: \"default\"\n"));
	free(text);
	strlist_free(&c.tags);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_good_file),
		cmocka_unit_test(test_scalar_list_is_one_element),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_parse_int_double_bool),
		cmocka_unit_test(test_int_rejects_size_suffix),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_wrong_type_mapping),
		cmocka_unit_test(test_wrong_type_not_integer),
		cmocka_unit_test(test_null_value),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_missing_required_key),
		cmocka_unit_test(test_bad_enum),
		cmocka_unit_test(test_not_a_mapping),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_alias_bomb),
		cmocka_unit_test(test_too_deep),
		cmocka_unit_test(test_deep_flow_fails_fast),
		cmocka_unit_test(test_alias_cycle),
		cmocka_unit_test(test_second_document),
		cmocka_unit_test(test_bad_utf8),
		cmocka_unit_test(test_file_too_big),
		cmocka_unit_test(test_group_check_located_at_group),
		cmocka_unit_test(test_failed_load_keeps_object_and_frees_lists),
		cmocka_unit_test(test_schema_set_dotted),
		cmocka_unit_test(test_schema_set_errors),
		cmocka_unit_test(test_dump_round_trip),
		cmocka_unit_test(test_dump_readable_doubles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
