// test_ydoccache.c: a document read from the cache (src/base/ydoccache.c)
// is the document composed from the file, on every YAML file of the tree;
// a damaged, stale or foreign entry is never used; a cache that is off or
// cannot be written changes nothing. Also the hashes of include/base/hash.h.
#include "testutil.h"

#include <dirent.h>
#include <sys/stat.h>
#include "hash.h"
#include "yamlcfg.h"

static struct test_tmp tmp;

// ---------------------------------------------------------------- hashes

// FNV-1a 64's published test vectors (IETF draft-eastlake-fnv, and the
// FNV page's test suite): "" is the offset basis itself; "a" is
// (0xcbf29ce484222325 ^ 0x61) * 0x100000001b3 mod 2^64 = 0xaf63dc4c8601ec8c;
// "foobar" is 0x85944171f73967e8.
static void test_fnv1a64_vectors(void **state)
{
	(void)state;
	assert_true(fnv1a64("", 0, FNV1A64_INIT) == 0xcbf29ce484222325ull);
	assert_true(fnv1a64("a", 1, FNV1A64_INIT) == 0xaf63dc4c8601ec8cull);
	assert_true(fnv1a64("foobar", 6, FNV1A64_INIT) == 0x85944171f73967e8ull);
	// Continuing from h is hashing the concatenation.
	assert_true(fnv1a64("bar", 3, fnv1a64("foo", 3, FNV1A64_INIT)) == 0x85944171f73967e8ull);
}

// mix64 is splitmix64's output function: mix64(0) = 0 (every step maps 0
// to 0), and splitmix64 seeded with 0 returns mix64(0x9e3779b97f4a7c15)
// first, which Vigna's reference splitmix64.c prints as 0xe220a8397b1dcdaf;
// splitmix64_next is that generator.
static void test_mix64_vectors(void **state)
{
	(void)state;
	assert_true(mix64(0) == 0);
	assert_true(mix64(0x9e3779b97f4a7c15ull) == 0xe220a8397b1dcdafull);
	uint64_t s = 0;
	assert_true(splitmix64_next(&s) == 0xe220a8397b1dcdafull);
	assert_true(s == SPLITMIX64_GAMMA);
}

// What the cache relies on: any one flipped bit, in a block of any length
// from 1 to 100 bytes (the tail words and whole 32-byte rounds), changes
// the checksum; so do a zeroed word and one more trailing zero byte.
static void test_checksum64_finds_damage(void **state)
{
	(void)state;
	unsigned char b[101];
	for (int i = 0; i < (int)sizeof b; i++)
		b[i] = (unsigned char)(i * 37 + 11);
	for (size_t n = 1; n <= 100; n++) {
		uint64_t h = checksum64(b, n);
		for (size_t i = 0; i < n; i++)
			for (int bit = 0; bit < 8; bit++) {
				b[i] ^= (unsigned char)(1u << bit);
				assert_true(checksum64(b, n) != h);
				b[i] ^= (unsigned char)(1u << bit);
			}
		assert_true(checksum64(b, n) == h);
	}
	unsigned char z[64] = {0};
	assert_true(checksum64(z, 63) != checksum64(z, 64));
	unsigned char w[64];
	memcpy(w, b, 64);
	memset(w + 40, 0, 8);
	assert_true(checksum64(w, 64) != checksum64(b, 64));
}

// ---------------------------------------------------------------- documents

// Two documents are the same: nodes (kind, tag, style, marks, values,
// items, pairs), the document's marks and flags.
static void assert_same_doc(const struct ydoc *a, const struct ydoc *b, const char *path)
{
	const yaml_document_t *x = &a->doc, *y = &b->doc;
	long n = x->nodes.top - x->nodes.start;
	if (n != y->nodes.top - y->nodes.start)
		fail_msg("%s: %ld nodes against %ld", path, n, (long)(y->nodes.top - y->nodes.start));
	assert_int_equal(x->start_implicit, y->start_implicit);
	assert_int_equal(x->end_implicit, y->end_implicit);
	assert_memory_equal(&x->start_mark, &y->start_mark, sizeof x->start_mark);
	assert_memory_equal(&x->end_mark, &y->end_mark, sizeof x->end_mark);
	for (long i = 0; i < n; i++) {
		const yaml_node_t *p = &x->nodes.start[i], *q = &y->nodes.start[i];
		assert_int_equal(p->type, q->type);
		assert_string_equal((const char *)p->tag, (const char *)q->tag);
		assert_memory_equal(&p->start_mark, &q->start_mark, sizeof p->start_mark);
		assert_memory_equal(&p->end_mark, &q->end_mark, sizeof p->end_mark);
		if (p->type == YAML_SCALAR_NODE) {
			assert_int_equal(p->data.scalar.style, q->data.scalar.style);
			assert_int_equal(p->data.scalar.length, q->data.scalar.length);
			assert_memory_equal(p->data.scalar.value, q->data.scalar.value, p->data.scalar.length + 1);
		} else if (p->type == YAML_SEQUENCE_NODE) {
			long k = p->data.sequence.items.top - p->data.sequence.items.start;
			assert_int_equal(p->data.sequence.style, q->data.sequence.style);
			assert_int_equal(k, q->data.sequence.items.top - q->data.sequence.items.start);
			if (k)
				assert_memory_equal(p->data.sequence.items.start, q->data.sequence.items.start,
						    (size_t)k * sizeof(yaml_node_item_t));
		} else {
			long k = p->data.mapping.pairs.top - p->data.mapping.pairs.start;
			assert_int_equal(p->data.mapping.style, q->data.mapping.style);
			assert_int_equal(k, q->data.mapping.pairs.top - q->data.mapping.pairs.start);
			if (k)
				assert_memory_equal(p->data.mapping.pairs.start, q->data.mapping.pairs.start,
						    (size_t)k * sizeof(yaml_node_pair_t));
		}
	}
}

static int nfiles, ncached, nrefused;

// path composed with the cache off, then loaded twice through the cache
// in dir: the second load is read from the cache and equals the first;
// a file that does not load fails the same way each time and leaves no
// entry.
static void check_file(const char *path, const char *dir)
{
	struct ydoc ref, first, again;
	struct cfg_error e1, e2, e3;
	setenv("OSARCH_CACHE", "off", 1);
	int rc = ydoc_load_file(&ref, path, &e1);
	assert_null(ref.cached);
	setenv("OSARCH_CACHE", dir, 1);
	assert_int_equal(ydoc_load_file(&first, path, &e2), rc);
	assert_int_equal(ydoc_load_file(&again, path, &e3), rc);
	nfiles++;
	if (rc) {
		assert_string_equal(e1.msg, e2.msg);
		assert_string_equal(e1.msg, e3.msg);
		nrefused++;
		return;
	}
	assert_null(first.cached); // composed, then kept
	// Kept unless the file has directives (%YAML, %TAG): the format has no
	// room for them, and then it is composed again.
	if (ref.doc.version_directive || ref.doc.tag_directives.start != ref.doc.tag_directives.end) {
		assert_null(again.cached);
	} else {
		if (!again.cached)
			fail_msg("%s: not read from the cache on the second load", path);
		ncached++;
	}
	assert_same_doc(&ref, &again, path);
	ydoc_free(&ref);
	ydoc_free(&first);
	ydoc_free(&again);
	assert_null(again.cached);
}

static void walk_tree(const char *top, const char *dir)
{
	DIR *dp = opendir(top);
	if (!dp)
		return;
	struct dirent *de;
	while ((de = readdir(dp))) {
		if (de->d_name[0] == '.')
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", top, de->d_name);
		struct stat st;
		if (lstat(path, &st))
			continue;
		size_t l = strlen(de->d_name);
		if (S_ISDIR(st.st_mode))
			walk_tree(path, dir);
		else if (S_ISREG(st.st_mode) && l > 5 && !strcmp(de->d_name + l - 5, ".yaml"))
			check_file(path, dir);
	}
	closedir(dp);
}

// Every YAML file of the tree: the models, configurations, labs, examples
// and the test data (broken files among them).
static void test_every_file_same_from_cache(void **state)
{
	(void)state;
	char dir[128];
	test_tmp_dir(&tmp, "ydoccache", dir, sizeof dir);
	const char *tops[] = {"arch", "workloads", "models", "configs", "labs", "docs", "tests/data", "bench"};
	for (size_t i = 0; i < sizeof tops / sizeof *tops; i++)
		walk_tree(tops[i], dir);
	unsetenv("OSARCH_CACHE");
	// The tree held 210 YAML files when this was written (14 architectures,
	// 25 workloads, experiments, labs, test data), 5 of them not YAML
	// that libyaml composes (tests/data): the bounds only say that the
	// walk found the tree.
	if (nfiles < 200 || ncached < 190 || nrefused < 3)
		fail_msg("%d files, %d read from the cache, %d refused", nfiles, ncached, nrefused);
}

// ---------------------------------------------------------------- damage

static const char good[] =
	"name: demo   # a comment\n"
	"list: [1, 2, {a: b}]\n"
	"text: |\n  two\n  lines\n"
	"anchor: &x {k: v}\n"
	"alias: *x\n"
	"tagged: !!str 42\n"
	"nul: \"a\\0b\"\n";

static char *read_bytes(const char *path, size_t *n)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	char *b = malloc((size_t)st.st_size + 1);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(b, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	*n = (size_t)st.st_size;
	return b;
}

static void write_bytes(const char *path, const char *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

// The one entry in dir (its path into out).
static void only_entry(const char *dir, char *out, size_t n)
{
	DIR *dp = opendir(dir);
	assert_non_null(dp);
	struct dirent *de;
	int found = 0;
	while ((de = readdir(dp)))
		if (de->d_name[0] != '.') {
			snprintf(out, n, "%s/%s", dir, de->d_name);
			found++;
		}
	closedir(dp);
	assert_int_equal(found, 1);
}

// Loads path (through the cache set in the environment) and checks it
// against ref: returns whether it was read from the cache.
static int load_same(const char *path, const struct ydoc *ref)
{
	struct ydoc d;
	struct cfg_error e;
	assert_int_equal(ydoc_load_file(&d, path, &e), 0);
	assert_same_doc(ref, &d, path);
	int cached = d.cached != NULL;
	ydoc_free(&d);
	return cached;
}

// A test's folder (dir), its cache folder in it (cache, not made yet) and
// the path of a YAML file `name` in it (yaml): buffers of 128, 160, 160.
static void test_paths(char *dir, char *cache, char *yaml, const char *name)
{
	test_tmp_dir(&tmp, "ydoccache", dir, 128);
	snprintf(cache, 160, "%s/cache", dir);
	snprintf(yaml, 160, "%s/%s", dir, name);
}

// One flipped byte anywhere in an entry (header, the file's copy, nodes,
// items, pairs, strings), one byte cut or added: each is a miss, and the
// document is still the file's. (At every offset: an entry of this file is
// a few kilobytes.)
static void test_damaged_entry_is_a_miss(void **state)
{
	(void)state;
	char dir[128], cache[160], yaml[160], entry[400];
	test_paths(dir, cache, yaml, "demo.yaml");
	test_put(yaml, good);
	struct ydoc ref;
	struct cfg_error e;
	setenv("OSARCH_CACHE", "off", 1);
	assert_int_equal(ydoc_load_file(&ref, yaml, &e), 0);
	setenv("OSARCH_CACHE", cache, 1);
	assert_int_equal(load_same(yaml, &ref), 0); // composed, kept
	assert_int_equal(load_same(yaml, &ref), 1);
	only_entry(cache, entry, sizeof entry);
	size_t n;
	char *pristine = read_bytes(entry, &n);
	assert_true(n > sizeof good);
	char *b = malloc(n + 1);
	for (size_t i = 0; i < n; i++) {
		memcpy(b, pristine, n);
		b[i] ^= 0x20;
		write_bytes(entry, b, n);
		if (load_same(yaml, &ref))
			fail_msg("a flipped byte at %zu of %zu was not noticed", i, n);
	}
	write_bytes(entry, pristine, n - 1);
	assert_int_equal(load_same(yaml, &ref), 0);
	memcpy(b, pristine, n);
	b[n] = 0;
	write_bytes(entry, b, n + 1);
	assert_int_equal(load_same(yaml, &ref), 0);
	// The miss kept a fresh entry: the same bytes as the first.
	size_t m;
	char *fresh = read_bytes(entry, &m);
	assert_int_equal(m, n);
	assert_memory_equal(fresh, pristine, n);
	assert_int_equal(load_same(yaml, &ref), 1);
	free(fresh);
	free(b);
	free(pristine);
	ydoc_free(&ref);
	unsetenv("OSARCH_CACHE");
}

// The file changed under its entry, even at the same length: the new bytes
// are parsed (the new value is seen), and then kept.
static void test_changed_file_is_parsed(void **state)
{
	(void)state;
	char dir[128], cache[160], yaml[160];
	test_paths(dir, cache, yaml, "v.yaml");
	setenv("OSARCH_CACHE", cache, 1);
	struct ydoc d;
	struct cfg_error e;
	test_put(yaml, "value: 1\n");
	assert_int_equal(ydoc_load_file(&d, yaml, &e), 0);
	ydoc_free(&d);
	test_put(yaml, "value: 2\n");
	assert_int_equal(ydoc_load_file(&d, yaml, &e), 0);
	assert_null(d.cached);
	yaml_node_t *v = yaml_document_get_node(&d.doc, ydoc_root(&d)->data.mapping.pairs.start[0].value);
	assert_string_equal((char *)v->data.scalar.value, "2");
	ydoc_free(&d);
	assert_int_equal(ydoc_load_file(&d, yaml, &e), 0);
	assert_non_null(d.cached);
	v = yaml_document_get_node(&d.doc, ydoc_root(&d)->data.mapping.pairs.start[0].value);
	assert_string_equal((char *)v->data.scalar.value, "2");
	ydoc_free(&d);
	// A syntax error is reported each time, and its file's entry stays
	// the old one, unused.
	test_put(yaml, "value: [2\n");
	assert_int_not_equal(ydoc_load_file(&d, yaml, &e), 0);
	assert_non_null(strstr(e.msg, "v.yaml:2:1: error:"));
	ydoc_free(&d);
	unsetenv("OSARCH_CACHE");
}

// OSARCH_CACHE=off or empty: nothing is written. A cache directory that
// cannot be made (its parent is a file): the load works, nothing written.
static void test_cache_off_or_unwritable(void **state)
{
	(void)state;
	char dir[128], cache[160], yaml[160];
	test_tmp_dir(&tmp, "ydoccache", dir, sizeof dir);
	snprintf(yaml, sizeof yaml, "%s/a.yaml", dir);
	test_put(yaml, good);
	struct ydoc d;
	struct cfg_error e;
	const char *off[] = {"off", ""};
	for (int i = 0; i < 2; i++) {
		setenv("OSARCH_CACHE", off[i], 1);
		for (int k = 0; k < 2; k++) {
			assert_int_equal(ydoc_load_file(&d, yaml, &e), 0);
			assert_null(d.cached);
			ydoc_free(&d);
		}
	}
	snprintf(cache, sizeof cache, "%s/a.yaml/cache", dir);
	setenv("OSARCH_CACHE", cache, 1);
	for (int k = 0; k < 2; k++) {
		assert_int_equal(ydoc_load_file(&d, yaml, &e), 0);
		assert_null(d.cached);
		ydoc_free(&d);
	}
	unsetenv("OSARCH_CACHE");
	// Only the YAML file is in the folder.
	char only[400];
	only_entry(dir, only, sizeof only);
	assert_string_equal(only, yaml);
}

// A file with a directive is composed every time and never kept.
static void test_directives_not_kept(void **state)
{
	(void)state;
	char dir[128], cache[160], yaml[160];
	test_paths(dir, cache, yaml, "d.yaml");
	test_put(yaml, "%YAML 1.1\n---\nk: v\n");
	setenv("OSARCH_CACHE", cache, 1);
	struct ydoc d;
	struct cfg_error e;
	for (int k = 0; k < 2; k++) {
		assert_int_equal(ydoc_load_file(&d, yaml, &e), 0);
		assert_null(d.cached);
		assert_non_null(d.doc.version_directive);
		ydoc_free(&d);
	}
	DIR *dp = opendir(cache);
	if (dp) {
		struct dirent *de;
		while ((de = readdir(dp)))
			assert_true(de->d_name[0] == '.');
		closedir(dp);
	}
	unsetenv("OSARCH_CACHE");
}

static int count_names(const char *dir, const char *suffix)
{
	DIR *dp = opendir(dir);
	assert_non_null(dp);
	int n = 0;
	struct dirent *de;
	while ((de = readdir(dp))) {
		size_t l = strlen(de->d_name), k = strlen(suffix);
		n += l > k && !strcmp(de->d_name + l - k, suffix);
	}
	closedir(dp);
	return n;
}

// 1,100 files loaded through one cache: it never holds more than 1024
// entries (the 1025th store prunes to 768, then 75 more are added: 843),
// the newest file's entry is kept and read, and files that are not
// entries (here keep.txt, and a name that is almost one) stay.
static void test_cache_is_bounded(void **state)
{
	(void)state;
	char dir[128], cache[160], path[200];
	test_tmp_dir(&tmp, "ydoccache", dir, sizeof dir);
	snprintf(cache, sizeof cache, "%s/cache", dir);
	assert_int_equal(mkdir(cache, 0777), 0);
	snprintf(path, sizeof path, "%s/keep.txt", cache);
	test_put(path, "mine\n");
	snprintf(path, sizeof path, "%s/0123456789abcdeg.ydoc", cache);
	test_put(path, "mine too\n");
	setenv("OSARCH_CACHE", cache, 1);
	struct ydoc d;
	struct cfg_error e;
	for (int i = 0; i < 1100; i++) {
		snprintf(path, sizeof path, "%s/f%d.yaml", dir, i);
		char text[32];
		snprintf(text, sizeof text, "i: %d\n", i);
		test_put(path, text);
		assert_int_equal(ydoc_load_file(&d, path, &e), 0);
		ydoc_free(&d);
		if (count_names(cache, ".ydoc") > 1024 + 1)
			fail_msg("%d entries after %d files", count_names(cache, ".ydoc") - 1, i + 1);
	}
	assert_int_equal(count_names(cache, ".ydoc") - 1, 768 + 1100 - 1025);
	assert_int_equal(count_names(cache, ".txt"), 1);
	assert_int_equal(count_names(cache, ".tmp"), 0);
	assert_int_equal(ydoc_load_file(&d, path, &e), 0);
	assert_non_null(d.cached);
	ydoc_free(&d);
	unsetenv("OSARCH_CACHE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fnv1a64_vectors),
		cmocka_unit_test(test_mix64_vectors),
		cmocka_unit_test(test_checksum64_finds_damage),
		cmocka_unit_test(test_every_file_same_from_cache),
		cmocka_unit_test(test_damaged_entry_is_a_miss),
		cmocka_unit_test(test_changed_file_is_parsed),
		cmocka_unit_test(test_cache_off_or_unwritable),
		cmocka_unit_test(test_directives_not_kept),
		cmocka_unit_test(test_cache_is_bounded),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	test_tmp_clean(&tmp, failed);
	return failed;
}
