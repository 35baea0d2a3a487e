// ydoccache.c: a composed YAML document kept on disk, so that the next load
// of the same bytes skips libyaml (its scanner was 62% of `osarch list`'s
// instructions, issue 19).
//
// Why an entry cannot give a different document:
// - it holds the file's bytes, and is used only when they equal the bytes
//   just read (memcmp: no hash to collide);
// - the rest of it (the nodes, items and strings) carries a checksum, and
//   every index and offset is bounds-checked before it is used, so a torn,
//   zeroed or damaged entry is a miss, never another tree;
// - an entry is written only from a document that composed and passed
//   check_limits, by this format and this libyaml (both are in its header);
// - the document built from it has the nodes, tags, styles, marks and
//   values of the composed one (tests/test_ydoccache.c compares the two on
//   every YAML file of the tree), so every later message and result is the
//   same.
//
// Where: the directory $OSARCH_CACHE ("off" or empty: no cache), else
// `cache` beside the running executable (build/cache for build/osarch:
// `make clean` removes it, and nothing is written outside the build). One
// entry per file, named by a hash of the file's absolute path, replaced by
// writing a temporary file and renaming it over the old one, so concurrent
// runs see the old entry or the new, never half of one; an entry is read
// only if this user owns it. Past 1024 entries the least recently written
// are removed (prune). A cache that cannot be read or written is simply
// not used: the file is parsed.
#include "yamlshared.h"
#include "hash.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_MAGIC "osarchYD"
#define CACHE_FORMAT 1        // bump when struct cache_header or cache_node changes
#define CACHE_BYTE_ORDER 0x01020304u
#define NO_TAG UINT32_MAX     // the node has its kind's default tag
#define CACHE_MAX_ENTRIES 1024 // more entries than this are pruned (prune)...
#define CACHE_KEEP_ENTRIES 768 // ...down to this many

// An entry: this header, the file's bytes, then nnodes cache_node, nitems
// sequence items, npairs mapping pairs (key, value) as 1-based node indices,
// and the strings (each NUL-terminated).
struct cache_header {
	char magic[8];
	uint32_t format, byte_order;
	char libyaml[16];              // yaml_get_version_string(): another libyaml may compose differently
	uint64_t source_len;
	uint32_t nnodes, nitems, npairs, strings_len;
	uint32_t start_implicit, end_implicit;
	uint32_t doc_mark[6];          // the document's start and end marks (index, line, column)
	uint64_t checksum;             // of this header (this field zero) and the tree: entry_checksum
};

struct cache_node {
	uint32_t type, style;
	uint32_t tag;                  // offset of its tag in the strings, or NO_TAG
	uint32_t a, b;                 // scalar: value offset, length; sequence: first item, count;
				       // mapping: first pair, count
	uint32_t mark[6];              // start and end marks (index, line, column)
};

// The entry's path: dir/<hash of the absolute path>.ydoc. 0, or -1 when
// caching is off or there is no directory for it.
static int entry_path(const char *path, char *out, size_t n, char *dir, size_t dn)
{
	const char *env = getenv("OSARCH_CACHE");
	if (env) {
		if (!*env || !strcmp(env, "off") || strlen(env) >= dn)
			return -1;
		strcpy(dir, env);
	} else {
		// Beside the executable: its directory plus "/cache".
		ssize_t got = readlink("/proc/self/exe", dir, dn - sizeof "/cache");
		if (got <= 0 || (size_t)got >= dn - sizeof "/cache")
			return -1;
		dir[got] = 0;
		char *slash = strrchr(dir, '/');
		if (!slash)
			return -1;
		strcpy(slash, "/cache");
	}
	uint64_t h = FNV1A64_INIT;
	if (path[0] != '/') {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof cwd))
			return -1;
		h = fnv1a64(cwd, strlen(cwd), h);
		h = fnv1a64("/", 1, h);
	}
	h = fnv1a64(path, strlen(path), h);
	int len = snprintf(out, n, "%s/%016llx.ydoc", dir, (unsigned long long)h);
	return len < 0 || (size_t)len >= n ? -1 : 0;
}

// The libyaml this build runs, as an entry's header holds it (zero-padded,
// so that every byte of the field is compared).
static void libyaml_version(char out[16])
{
	memset(out, 0, 16);
	snprintf(out, 16, "%s", yaml_get_version_string());
}

// What an entry's checksum covers: its header (with the checksum field
// zero) and its tree; the copy of the file is compared whole instead.
static uint64_t entry_checksum(const struct cache_header *h, const void *tree, size_t n)
{
	struct cache_header z = *h;
	z.checksum = 0;
	return checksum64(tree, n) ^ mix64(checksum64(&z, sizeof z));
}

static void put_mark(uint32_t *m, const yaml_mark_t *a)
{
	m[0] = (uint32_t)a->index;
	m[1] = (uint32_t)a->line;
	m[2] = (uint32_t)a->column;
}

static yaml_mark_t get_mark(const uint32_t *m)
{
	return (yaml_mark_t){m[0], m[1], m[2]};
}

_Static_assert(sizeof(struct cache_header) == 96, "no padding: every header byte is checksummed");
_Static_assert(sizeof(struct cache_node) == 44, "no padding: every node byte is checksummed");
_Static_assert(sizeof(yaml_node_item_t) == 4 && sizeof(yaml_node_pair_t) == 8,
	       "an entry's items and pairs are converted in place");

// A mark fits in 32 bits: the file is at most CFG_MAX_FILE_BYTES, so its
// index, line and column are too.
_Static_assert(CFG_MAX_FILE_BYTES < UINT32_MAX, "marks are stored in 32 bits");

// The tag a node of that kind has when it has none of its own. A cached
// document's tags are never freed (ydoc_free frees its two blocks), so
// libyaml's string constants serve.
static yaml_char_t *default_tag(yaml_node_type_t type)
{
	return (yaml_char_t *)(type == YAML_SEQUENCE_NODE ? YAML_DEFAULT_SEQUENCE_TAG :
			       type == YAML_MAPPING_NODE  ? YAML_DEFAULT_MAPPING_TAG : YAML_DEFAULT_SCALAR_TAG);
}

// A node whose tag is its kind's default (as composed, or spelled out).
static int is_default(const yaml_node_t *n)
{
	return !strcmp((const char *)n->tag, (const char *)default_tag(n->type));
}

// ---------------------------------------------------------------- reading

// The strings region: an offset names a NUL-terminated string inside it.
static int string_ok(const char *s, uint32_t len, uint32_t off, uint32_t n)
{
	return off < len && n < len - off && s[off + n] == 0;
}

// Reads exactly n bytes; 0, or -1 on an error or a short file.
static int read_all(int fd, void *p, size_t n)
{
	char *s = p;
	while (n) {
		ssize_t r = read(fd, s, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		s += r;
		n -= (size_t)r;
	}
	return 0;
}

int ydoc_cache_entry(struct ydoc_cache_entry *e, const char *path)
{
	return entry_path(path, e->path, sizeof e->path, e->dir, sizeof e->dir);
}

int ydoc_cache_load(struct ydoc *d, const struct ydoc_cache_entry *e, const char *text, size_t len)
{
	int fd = open(e->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	struct cache_header h;
	char *source = NULL;
	uint32_t *tree = NULL; // malloc'd, so aligned for the 32-bit fields
	yaml_node_t *nodes = NULL;
	// Only an entry this user wrote: in a directory others can write to
	// (OSARCH_CACHE=/tmp/...), anyone could plant a matching entry, as
	// the checksum is no secret.
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (size_t)st.st_size < sizeof h ||
	    read_all(fd, &h, sizeof h))
		goto miss;
	char libyaml[sizeof h.libyaml];
	libyaml_version(libyaml);
	if (memcmp(h.magic, CACHE_MAGIC, 8) || h.format != CACHE_FORMAT || h.byte_order != CACHE_BYTE_ORDER ||
	    memcmp(h.libyaml, libyaml, sizeof libyaml) || h.source_len != len ||
	    h.nnodes > CFG_MAX_NODES || h.nitems > CFG_MAX_NODES || h.npairs > CFG_MAX_NODES ||
	    h.strings_len > 2 * CFG_MAX_FILE_BYTES)
		goto miss;
	size_t tree_len = (size_t)h.nnodes * sizeof(struct cache_node) + (size_t)h.nitems * 4 +
			  (size_t)h.npairs * 8 + h.strings_len;
	if ((size_t)st.st_size != sizeof h + len + tree_len || !(source = malloc(len + 1)) ||
	    !(tree = malloc(tree_len + 1)) || read_all(fd, source, len) || read_all(fd, tree, tree_len) ||
	    memcmp(source, text, len) || entry_checksum(&h, tree, tree_len) != h.checksum)
		goto miss;

	// The tree's buffer becomes the document's block: the items and pairs
	// are converted in place (each is 32 bits before and after), and the
	// nodes point into its strings.
	const struct cache_node *cn = (const struct cache_node *)(void *)tree;
	yaml_node_item_t *it = (yaml_node_item_t *)(void *)(cn + h.nnodes);
	yaml_node_pair_t *pr = (yaml_node_pair_t *)(void *)(it + h.nitems);
	const char *strings = (const char *)(pr + h.npairs);
	yaml_char_t *str = (yaml_char_t *)(pr + h.npairs);
	// One more than needed: malloc(0) may be NULL for an empty document.
	nodes = malloc(((size_t)h.nnodes + 1) * sizeof *nodes);
	if (!nodes)
		goto miss;
	for (uint32_t i = 0; i < h.nitems; i++) {
		uint32_t v = ((const uint32_t *)(void *)it)[i];
		if (v < 1 || v > h.nnodes)
			goto miss;
		it[i] = (yaml_node_item_t)v;
	}
	for (uint32_t i = 0; i < h.npairs; i++) {
		const uint32_t *kv = (const uint32_t *)(void *)&pr[i];
		uint32_t k = kv[0], v = kv[1];
		if (k < 1 || k > h.nnodes || v < 1 || v > h.nnodes)
			goto miss;
		pr[i] = (yaml_node_pair_t){(int)k, (int)v};
	}
	for (uint32_t i = 0; i < h.nnodes; i++) {
		const struct cache_node *c = &cn[i];
		yaml_node_t *n = &nodes[i];
		memset(n, 0, sizeof *n);
		n->type = (yaml_node_type_t)c->type;
		n->start_mark = get_mark(c->mark);
		n->end_mark = get_mark(c->mark + 3);
		if (c->tag != NO_TAG && !string_ok(strings, h.strings_len, c->tag, 0))
			goto miss;
		n->tag = c->tag == NO_TAG ? default_tag(n->type) : str + c->tag;
		switch (c->type) {
		case YAML_SCALAR_NODE:
			if (!string_ok(strings, h.strings_len, c->a, c->b))
				goto miss;
			n->data.scalar.value = str + c->a;
			n->data.scalar.length = c->b;
			n->data.scalar.style = (yaml_scalar_style_t)c->style;
			break;
		case YAML_SEQUENCE_NODE:
			if (c->a > h.nitems || c->b > h.nitems - c->a)
				goto miss;
			n->data.sequence.items.start = it + c->a;
			n->data.sequence.items.top = n->data.sequence.items.end = it + c->a + c->b;
			n->data.sequence.style = (yaml_sequence_style_t)c->style;
			break;
		case YAML_MAPPING_NODE:
			if (c->a > h.npairs || c->b > h.npairs - c->a)
				goto miss;
			n->data.mapping.pairs.start = pr + c->a;
			n->data.mapping.pairs.top = n->data.mapping.pairs.end = pr + c->a + c->b;
			n->data.mapping.style = (yaml_mapping_style_t)c->style;
			break;
		default:
			goto miss;
		}
	}
	close(fd);
	free(source);
	memset(&d->doc, 0, sizeof d->doc);
	d->doc.nodes.start = nodes;
	d->doc.nodes.top = d->doc.nodes.end = nodes + h.nnodes;
	d->doc.start_implicit = (int)h.start_implicit;
	d->doc.end_implicit = (int)h.end_implicit;
	d->doc.start_mark = get_mark(h.doc_mark);
	d->doc.end_mark = get_mark(h.doc_mark + 3);
	d->cached = tree;
	d->loaded = 1;
	return 0;
miss:
	close(fd);
	free(source);
	free(tree);
	free(nodes);
	return -1;
}

// ---------------------------------------------------------------- writing

// A byte buffer that grows by doubling.
struct growbuf {
	char *p;
	size_t n, cap;
};

static int put(struct growbuf *b, const void *p, size_t n)
{
	if (!n) // an empty region: no buffer yet, nothing to copy (memcpy wants pointers)
		return 0;
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 4096;
		while (cap < b->n + n)
			cap *= 2;
		char *m = realloc(b->p, cap);
		if (!m)
			return -1;
		b->p = m;
		b->cap = cap;
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	return 0;
}

// Appends s (n bytes and a NUL) to the strings; its offset in *off.
static int put_string(struct growbuf *s, const yaml_char_t *p, size_t n, uint32_t *off)
{
	if (s->n > UINT32_MAX - n - 1)
		return -1;
	*off = (uint32_t)s->n;
	return put(s, p, n) || put(s, "", 1);
}

// The tree of d into an entry's header and the body after the file's bytes
// (the nodes, then items, pairs and strings appended to `nodes`); 0, or -1
// when it does not fit the format (nothing is cached then).
static int build(const struct ydoc *d, struct cache_header *h, struct growbuf *nodes, struct growbuf *items,
		 struct growbuf *pairs, struct growbuf *strings)
{
	const yaml_document_t *doc = &d->doc;
	// Directives are rare in configs and would need strings of their own.
	if (doc->version_directive || doc->tag_directives.start != doc->tag_directives.end)
		return -1;
	for (const yaml_node_t *n = doc->nodes.start; n < doc->nodes.top; n++) {
		struct cache_node c;
		memset(&c, 0, sizeof c);
		c.type = (uint32_t)n->type;
		c.tag = NO_TAG;
		if (!is_default(n) && put_string(strings, n->tag, strlen((const char *)n->tag), &c.tag))
			return -1;
		put_mark(c.mark, &n->start_mark);
		put_mark(c.mark + 3, &n->end_mark);
		if (n->type == YAML_SCALAR_NODE) {
			c.style = (uint32_t)n->data.scalar.style;
			c.b = (uint32_t)n->data.scalar.length;
			if (put_string(strings, n->data.scalar.value, n->data.scalar.length, &c.a))
				return -1;
		} else if (n->type == YAML_SEQUENCE_NODE) {
			c.style = (uint32_t)n->data.sequence.style;
			c.a = (uint32_t)(items->n / 4);
			c.b = (uint32_t)(n->data.sequence.items.top - n->data.sequence.items.start);
			for (const yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
				uint32_t v = (uint32_t)*i;
				if (put(items, &v, 4))
					return -1;
			}
		} else {
			c.style = (uint32_t)n->data.mapping.style;
			c.a = (uint32_t)(pairs->n / 8);
			c.b = (uint32_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
			for (const yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
				uint32_t kv[2] = {(uint32_t)p->key, (uint32_t)p->value};
				if (put(pairs, kv, 8))
					return -1;
			}
		}
		if (put(nodes, &c, sizeof c))
			return -1;
	}
	memcpy(h->magic, CACHE_MAGIC, 8);
	h->format = CACHE_FORMAT;
	h->byte_order = CACHE_BYTE_ORDER;
	libyaml_version(h->libyaml);
	h->nnodes = (uint32_t)(doc->nodes.top - doc->nodes.start);
	h->nitems = (uint32_t)(items->n / 4);
	h->npairs = (uint32_t)(pairs->n / 8);
	h->strings_len = (uint32_t)strings->n;
	h->start_implicit = (uint32_t)doc->start_implicit;
	h->end_implicit = (uint32_t)doc->end_implicit;
	put_mark(h->doc_mark, &doc->start_mark);
	put_mark(h->doc_mark + 3, &doc->end_mark);
	return put(nodes, items->p, items->n) || put(nodes, pairs->p, pairs->n) ||
	       put(nodes, strings->p, strings->n);
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

// Whether name is one this cache writes: 16 hex digits and ".ydoc", and
// maybe ".<pid>.tmp" after (left by a run that died mid-write). Nothing
// else in the directory is ever removed, wherever OSARCH_CACHE points.
static int is_entry_name(const char *name)
{
	for (int i = 0; i < 16; i++)
		if (!name[i] || !strchr("0123456789abcdef", name[i]))
			return 0;
	if (strncmp(name + 16, ".ydoc", 5))
		return 0;
	const char *t = name + 21;
	if (!*t)
		return 1;
	if (*t++ != '.' || !*t)
		return 0;
	while (*t >= '0' && *t <= '9')
		t++;
	return !strcmp(t, ".tmp");
}

struct aged {
	struct timespec mtime;
	char name[48];
};

static int older_first(const void *a, const void *b)
{
	const struct aged *x = a, *y = b;
	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

// Entries are one per file path, and temporary files (tests, students'
// experiments) make new paths: past CACHE_MAX_ENTRIES, the least recently
// written are removed down to CACHE_KEEP_ENTRIES (a removed entry costs one
// parse the next time). Counting is a readdir on each store, which only a
// miss makes.
static void prune(const char *dir)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return;
	struct aged *e = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(dp))) {
		if (strlen(de->d_name) >= sizeof e->name || !is_entry_name(de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			struct aged *m = realloc(e, cap * sizeof *e);
			if (!m)
				goto out;
			e = m;
		}
		strcpy(e[n].name, de->d_name);
		e[n].mtime = (struct timespec){0, 0};
		n++;
	}
	if (n <= CACHE_MAX_ENTRIES)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (fstatat(dirfd(dp), e[i].name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			e[i].mtime = st.st_mtim;
	}
	qsort(e, n, sizeof *e, older_first);
	for (size_t i = 0; i < n - CACHE_KEEP_ENTRIES; i++)
		unlinkat(dirfd(dp), e[i].name, 0);
out:
	closedir(dp);
	free(e);
}

void ydoc_cache_store(const struct ydoc *d, const struct ydoc_cache_entry *e, const char *text, size_t len)
{
	char tmp[PATH_MAX + 32];
	if (!d->loaded || d->cached)
		return;
	struct cache_header h;
	memset(&h, 0, sizeof h);
	struct growbuf nodes = {0}, items = {0}, pairs = {0}, strings = {0};
	int fd;
	if (build(d, &h, &nodes, &items, &pairs, &strings))
		goto out;
	h.source_len = len;
	h.checksum = entry_checksum(&h, nodes.p, nodes.n);
	if (mkdir(e->dir, 0777) && errno != EEXIST)
		goto out;
	int n = snprintf(tmp, sizeof tmp, "%s.%ld.tmp", e->path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof tmp)
		goto out;
	// O_EXCL: never through a link someone left at that name.
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		goto out;
	int bad = write_all(fd, &h, sizeof h) || write_all(fd, text, len) || write_all(fd, nodes.p, nodes.n);
	if (close(fd) || bad || rename(tmp, e->path))
		unlink(tmp);
	prune(e->dir);
out:
	free(nodes.p);
	free(items.p);
	free(pairs.p);
	free(strings.p);
}
