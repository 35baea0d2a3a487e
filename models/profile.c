// profile.c: machine profiles, their schema, defaults, checks and loading.
//
// Notes:
// - The YAML keys are the struct member names, except `events` (member `ev`)
//   and `inherit` (no member: profile_load follows it before loading the rest
//   of the file, so the file's own keys overlay the parent's values wherever
//   `inherit:` appears in it).
// - A cache or TLB level named in a file exists: `l3: {size: 8M, ...}` turns
//   L3 on without `present: true`; a `present: false` inside still wins.
// - Geometry rule: what hardware needs is a power-of-two number of sets, so a
//   size (or TLB entry count) that is not a power of two is accepted when
//   size/(line*assoc) is one (6 MiB 24-way, 1536-entry 12-way STLB).
#include "profile.h"

#include <dirent.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PROFILE_DIR "configs/machines"
#define PROFILE_MAX_INHERIT 8 // `inherit` hops from the file asked for
#define PROFILE_PATH_MAX 1024

// offsetof and width of a member, for the F_INT/F_SIZE storage convention.
#define MEMBER(T, m) .offset = offsetof(T, m), .size = sizeof(((T *)0)->m)

// ---------------------------------------------------------------- checks

static int is_pow2(uint64_t v)
{
	return v && (v & (v - 1)) == 0;
}

// Sets must be a power of two for bit-selection indexing; see Notes.
static int sets_pow2(uint64_t total, uint64_t per_set)
{
	return per_set && total % per_set == 0 && is_pow2(total / per_set);
}

// 0, or -1 with `why` naming the member that is wrong (no prefix).
static int cache_problem(const struct cache_geom *c, char *why, size_t n)
{
	const char *sizes = "(expected a power of two or a power-of-two number of sets)";
	if (!is_pow2(c->line))
		return snprintf(why, n, "line %u is not a power of two", c->line), -1;
	if (c->assoc < 1)
		return snprintf(why, n, "assoc %u is less than 1", c->assoc), -1;
	if (c->size < c->line)
		return snprintf(why, n, "size %llu is smaller than line %u",
				(unsigned long long)c->size, c->line), -1;
	if (!is_pow2(c->size) && !sets_pow2(c->size, (uint64_t)c->line * c->assoc))
		return snprintf(why, n, "size %llu is not a power of two %s",
				(unsigned long long)c->size, sizes), -1;
	uint64_t lines = c->size / c->line;
	if (c->assoc > lines)
		return snprintf(why, n, "assoc %u exceeds the %llu lines of size/line",
				c->assoc, (unsigned long long)lines), -1;
	if (!sets_pow2(lines, c->assoc))
		return snprintf(why, n, "assoc %u does not divide %llu lines (size/line) "
				"into a power-of-two number of sets", c->assoc,
				(unsigned long long)lines), -1;
	// Tree PLRU halves the ways at each level (models/cache.c).
	if (c->repl == REPL_PLRU && (!is_pow2(c->assoc) || c->assoc > 32))
		return snprintf(why, n, "repl plru needs a power-of-two assoc of at most 32 "
				"(assoc %u: use repl: lru)", c->assoc), -1;
	return 0;
}

static int tlb_problem(const struct tlb_geom *t, char *why, size_t n)
{
	if (t->assoc < 1)
		return snprintf(why, n, "assoc %u is less than 1", t->assoc), -1;
	if (t->assoc > t->entries)
		return snprintf(why, n, "assoc %u exceeds entries %u", t->assoc, t->entries), -1;
	if (!is_pow2(t->entries) && !sets_pow2(t->entries, t->assoc))
		return snprintf(why, n, "entries %u is not a power of two (expected a power "
				"of two or a power-of-two number of sets)", t->entries), -1;
	if (!sets_pow2(t->entries, t->assoc))
		return snprintf(why, n, "assoc %u does not divide entries %u into a "
				"power-of-two number of sets", t->assoc, t->entries), -1;
	return 0;
}

// Group checks (schema `check`): the loader puts "l1d." in front.
static int cache_check(const void *obj, struct cfg_error *err)
{
	const struct cache_geom *c = obj;
	return c->present ? cache_problem(c, err->msg, sizeof err->msg) : 0;
}

static int tlb_check(const void *obj, struct cfg_error *err)
{
	const struct tlb_geom *t = obj;
	return t->present ? tlb_problem(t, err->msg, sizeof err->msg) : 0;
}

// Field checks: they get the whole profile.
static int word_bits_check(const void *obj, struct cfg_error *err)
{
	const struct profile *p = obj;
	if (p->word_bits == 0 || p->word_bits == 32 || p->word_bits == 64)
		return 0;
	cfg_msgf(err, "word_bits %d is not supported (expected 32 or 64)", p->word_bits);
	return -1;
}

int profile_word_bits(const struct profile *p) { return p->word_bits ? p->word_bits : p->address_bits; }

static int address_bits_check(const void *obj, struct cfg_error *err)
{
	const struct profile *p = obj;
	if (p->address_bits == 32 || p->address_bits == 64)
		return 0;
	cfg_msgf(err, "address_bits %d is not supported (expected 32 or 64)", p->address_bits);
	return -1;
}

static int page_size_check(const void *obj, struct cfg_error *err)
{
	const struct profile *p = obj;
	if (p->page_size == 4096)
		return 0;
	cfg_msgf(err, "page_size %u is not supported (expected 4096)", p->page_size);
	return -1;
}

// Every present level has the line size of the first present one.
static int line_sizes_check(const struct profile *p, struct cfg_error *err)
{
	const struct {
		const char *name;
		const struct cache_geom *c;
	} level[] = {{"l1i", &p->l1i}, {"l1d", &p->l1d}, {"l2", &p->l2}, {"l3", &p->l3}};
	const char *ref = NULL;
	uint32_t line = 0;
	for (size_t i = p->l1_unified ? 1 : 0; i < sizeof level / sizeof level[0]; i++) {
		if (!level[i].c->present)
			continue;
		if (!ref) {
			ref = level[i].name;
			line = level[i].c->line;
		} else if (level[i].c->line != line) {
			cfg_msgf(err, "%s.line %u differs from %s.line %u (expected one line "
				 "size for all cache levels)", level[i].name, level[i].c->line,
				 ref, line);
			return -1;
		}
	}
	return 0;
}

static int levels_check(const struct profile *p, struct cfg_error *err)
{
	char why[256];
	const struct {
		const char *name;
		const struct cache_geom *c;
	} cache[] = {{"l1i", &p->l1i}, {"l1d", &p->l1d}, {"l2", &p->l2}, {"l3", &p->l3}};
	const struct {
		const char *name;
		const struct tlb_geom *t;
	} tlb[] = {{"itlb", &p->itlb}, {"dtlb", &p->dtlb}, {"stlb", &p->stlb}};
	// A unified L1 (or TLB) uses the data side's geometry; the other is unused.
	for (size_t i = p->l1_unified ? 1 : 0; i < 4; i++) {
		if (cache[i].c->present && cache_problem(cache[i].c, why, sizeof why) < 0) {
			cfg_msgf(err, "%s.%s", cache[i].name, why);
			return -1;
		}
	}
	for (size_t i = p->tlb_unified ? 1 : 0; i < 3; i++) {
		if (tlb[i].t->present && tlb_problem(tlb[i].t, why, sizeof why) < 0) {
			cfg_msgf(err, "%s.%s", tlb[i].name, why);
			return -1;
		}
	}
	return 0;
}

int profile_check(const struct profile *p, struct cfg_error *err)
{
	if (!(p->mhz > 0)) {
		cfg_msgf(err, "mhz %g is not positive (expected a clock in MHz)", p->mhz);
		return -1;
	}
	if (address_bits_check(p, err) < 0 || page_size_check(p, err) < 0)
		return -1;
	if (levels_check(p, err) < 0)
		return -1;
	return line_sizes_check(p, err);
}

// ---------------------------------------------------------------- schema

// A level named in a file exists (see Notes); `present: false` in the
// mapping is loaded after this and still turns it off.
static int load_level(const struct field *f, void *dst, struct ydoc *d,
		      yaml_node_t *node, struct cfg_error *err)
{
	if (schema_set(f->group, dst, "present", "true", err) < 0)
		return -1;
	return schema_load_nested(f->group, dst, d, node, err);
}

// profile_load followed `inherit` already; here it only has to be a name.
static int load_inherit(const struct field *f, void *dst, struct ydoc *d,
			yaml_node_t *node, struct cfg_error *err)
{
	(void)f;
	(void)dst;
	const char *name = node_scalar(node);
	if (!name || !*name || strcmp(name, "~") == 0 || strcmp(name, "null") == 0) {
		cfg_errorf(err, d, node, "wrong type for 'inherit' (expected a profile name)");
		return -1;
	}
	return 0;
}

static const char *const repl_names[] = {"lru", "plru", NULL};

#define LATENCY(T, m, h) \
	{.key = #m, .type = F_INT, MEMBER(T, m), .min = 0, .max = 10000, .unit = "cycles", .help = h}

// Order is the order of messages and dumps; `present` last, so a dump shows
// the geometry first.
static const struct field cache_schema[] = {
	{.key = "size", .type = F_SIZE, MEMBER(struct cache_geom, size), .min = CACHE_SIZE_MIN,
	 .max = CACHE_SIZE_MAX, .unit = "bytes", .help = "capacity (32K, 8M)"},
	{.key = "assoc", .type = F_INT, MEMBER(struct cache_geom, assoc), .min = 1,
	 .max = CACHE_ASSOC_MAX, .unit = "ways", .help = "ways per set; size/line means fully associative"},
	{.key = "line", .type = F_SIZE, MEMBER(struct cache_geom, line), .min = CACHE_LINE_MIN,
	 .max = CACHE_LINE_MAX, .unit = "bytes", .help = "line size, a power of two"},
	LATENCY(struct cache_geom, latency, "load-to-use latency of a hit in this level"),
	{.key = "repl", .type = F_ENUM, MEMBER(struct cache_geom, repl), .names = repl_names,
	 .unit = "policy", .help = "replacement policy: lru or plru (tree pseudo-LRU)"},
	{.key = "present", .type = F_BOOL, MEMBER(struct cache_geom, present),
	 .unit = "bool", .help = "false: this level does not exist"},
	{.key = NULL},
};

static const struct field tlb_schema[] = {
	{.key = "entries", .type = F_INT, MEMBER(struct tlb_geom, entries), .min = 1,
	 .max = 1 << 20, .unit = "entries", .help = "translations held"},
	{.key = "assoc", .type = F_INT, MEMBER(struct tlb_geom, assoc), .min = 1,
	 .max = 1 << 20, .unit = "ways", .help = "ways per set; entries means fully associative"},
	LATENCY(struct tlb_geom, latency, "extra cycles of a hit here after an L1 TLB miss"),
	{.key = "present", .type = F_BOOL, MEMBER(struct tlb_geom, present),
	 .unit = "bool", .help = "false: this TLB does not exist"},
	{.key = NULL},
};

#define EVENT(m, h) \
	{.key = #m, .type = F_INT, MEMBER(struct event_costs, m), .min = 0, .max = 1000000, \
	 .unit = "cycles", .help = h}

static const struct field event_schema[] = {
	EVENT(trap_enter, "user->kernel by system-call instruction, hardware part"),
	EVENT(trap_exit, "kernel->user return (iret/sysret/sysexit)"),
	EVENT(exception, "fault delivery (page fault) into the kernel"),
	EVENT(interrupt, "external interrupt delivery"),
	EVENT(cr3_write, "mov to cr3, without the TLB refills that follow"),
	EVENT(tlb_flush, "invlpg of one page"),
	EVENT(vmexit, "VM exit (non-root -> root), hardware part"),
	EVENT(vmentry, "VM entry (vmresume), hardware part"),
	EVENT(hypercall, "trap into the hypervisor by a hypercall"),
	EVENT(ring_transition, "far transfer between rings 1 and 0 (paravirtual guests)"),
	{.key = NULL},
};

static const struct field device_schema[] = {
	{.key = "disk_usec", .type = F_DOUBLE, MEMBER(struct device_times, disk_usec), .min = 0,
	 .max = 1e7, .unit = "us", .help = "a 4 KiB disk read, request to completion"},
	{.key = "nic_usec", .type = F_DOUBLE, MEMBER(struct device_times, nic_usec), .min = 0,
	 .max = 1e7, .unit = "us", .help = "a small frame's round trip on the wire to a peer"},
	{.key = NULL},
};

#define P(m) MEMBER(struct profile, m)
#define LEVEL(m, s, c, h) \
	{.key = #m, .type = F_CUSTOM, P(m), .group = s, .custom = load_level, .check = c, \
	 .unit = "group", .help = h}
#define FLAG(m, h) {.key = #m, .type = F_BOOL, P(m), .unit = "bool", .help = h}

const struct field profile_schema[] = {
	{.key = "inherit", .type = F_CUSTOM, .custom = load_inherit, .unit = "profile",
	 .help = "start from this profile's values (name or path)"},
	{.key = "name", .type = F_STRING, P(name), .required = 1, .unit = "text",
	 .help = "profile name, as used on the command line"},
	{.key = "description", .type = F_STRING, P(description), .unit = "text",
	 .help = "one line: the machine and its year"},
	{.key = "mhz", .type = F_DOUBLE, P(mhz), .min = 1, .max = 10000, .unit = "MHz",
	 .help = "core clock, converts cycles to microseconds"},
	{.key = "address_bits", .type = F_INT, P(address_bits), .min = 32, .max = 64,
	 .check = address_bits_check, .unit = "bits",
	 .help = "32 (2-level page tables) or 64 (4-level)"},
	{.key = "word_bits", .type = F_INT, P(word_bits), .min = 0, .max = 64, .check = word_bits_check,
	 .unit = "bits", .help = "32 or 64: the mode operating systems run in (default: address_bits)"},
	{.key = "cpi", .type = F_DOUBLE, P(cpi), .min = 0.05, .max = 100, .unit = "cycles/insn",
	 .help = "base cycles per instruction when every access hits L1"},
	{.key = "insn_bytes", .type = F_DOUBLE, P(insn_bytes), .min = 1, .max = 15,
	 .unit = "bytes", .help = "mean instruction length (code footprint from path length)"},
	{.key = "page_size", .type = F_SIZE, P(page_size), .min = 512, .max = 1u << 30,
	 .check = page_size_check, .unit = "bytes", .help = "base page size (4096)"},
	{.key = "phys_mem", .type = F_SIZE, P(phys_mem), .min = 1u << 20,
	 .max = 4503599627370496.0 /* 2^52: x86-64's physical limit */, .unit = "bytes",
	 .help = "physical memory; frame numbers are drawn below it"},
	FLAG(l1_unified, "one L1 for code and data (i486): l1d geometry is used"),
	LEVEL(l1i, cache_schema, cache_check, "L1 instruction cache"),
	LEVEL(l1d, cache_schema, cache_check, "L1 data cache"),
	LEVEL(l2, cache_schema, cache_check, "second-level cache"),
	LEVEL(l3, cache_schema, cache_check, "third-level cache (absent unless named)"),
	{.key = "dram_latency", .type = F_INT, P(dram_latency), .min = 0, .max = 10000,
	 .unit = "cycles", .help = "cost of a miss in the last cache level"},
	FLAG(tlb_unified, "one TLB for code and data (i486): dtlb geometry is used"),
	LEVEL(itlb, tlb_schema, tlb_check, "L1 instruction TLB"),
	LEVEL(dtlb, tlb_schema, tlb_check, "L1 data TLB"),
	LEVEL(stlb, tlb_schema, tlb_check, "second-level (shared) TLB"),
	FLAG(global_pages, "PGE: global (kernel) entries survive a CR3 write"),
	FLAG(pcid, "TLB entries tagged by address space: a CR3 write flushes nothing"),
	FLAG(vtx, "VMX present"),
	FLAG(ept, "nested paging (EPT) present"),
	FLAG(vpid, "TLB entries tagged by VM"),
	FLAG(apicv, "APIC virtualisation / posted interrupts: no VM exit on EOI and APIC accesses"),
	FLAG(pwc, "page-walk caches: upper-level entries cached"),
	{.key = "walk_overhead", .type = F_INT, P(walk_overhead), .min = 0, .max = 10000,
	 .unit = "cycles", .help = "fixed cycles of a page walk besides its memory references"},
	{.key = "line_transfer", .type = F_INT, P(line_transfer), .min = 0, .max = 100000, .unit = "cycles",
	 .help = "read of a cache line modified in another core's cache (lock hand-over, cross-core messages; 0: not modelled)"},
	{.key = "sfi_overhead", .type = F_DOUBLE, P(sfi_overhead), .min = 0, .max = 10, .unit = "fraction",
	 .help = "software fault isolation's added execution time on this instruction set (0: not given)"},
	{.key = "events", .type = F_GROUP, P(ev), .group = event_schema, .unit = "group",
	 .help = "hardware part of each event's cost"},
	{.key = "devices", .type = F_GROUP, P(dev), .group = device_schema, .unit = "group",
	 .help = "device latencies a call waits for (not cycles)"},
	{.key = NULL},
};

// ---------------------------------------------------------------- defaults

// Round numbers for a plain 3 GHz 64-bit core of the 2010s; shipped
// profiles give sourced values and usually start from here.
void profile_defaults(struct profile *p)
{
	memset(p, 0, sizeof *p); // padding too: profiles compare with memcmp
	snprintf(p->name, sizeof p->name, "default");
	snprintf(p->description, sizeof p->description,
		 "plain 64-bit core: 3 GHz, 32K L1s, 256K L2, no L3");
	p->mhz = 3000;
	p->address_bits = 64;
	p->cpi = 1.0;
	p->insn_bytes = 3.7;
	p->page_size = 4096;
	p->phys_mem = (uint64_t)16 << 30;
	p->l1i = (struct cache_geom){1, 32 << 10, 8, 64, 4, REPL_LRU};
	p->l1d = p->l1i;
	p->l2 = (struct cache_geom){1, 256 << 10, 4, 64, 12, REPL_LRU};
	// Absent, but with a sane geometry so `l3.present=true` alone works.
	p->l3 = (struct cache_geom){0, 8 << 20, 16, 64, 40, REPL_LRU};
	p->dram_latency = 200;
	p->itlb = (struct tlb_geom){1, 64, 4, 0};
	p->dtlb = p->itlb;
	p->stlb = (struct tlb_geom){0, 512, 4, 7};
	p->global_pages = 1;
	p->walk_overhead = 10;
	p->ev = (struct event_costs){
		.trap_enter = 50, .trap_exit = 40, .exception = 150, .interrupt = 200,
		.cr3_write = 100, .tlb_flush = 120, .vmexit = 500, .vmentry = 400,
		.hypercall = 600, .ring_transition = 80,
	};
	// estimate: the 80 us the read-disk workload waited before devices moved
	// into the profile (an SSD-class flash read; no measurement behind it).
	p->dev.disk_usec = 80;
	// A 64-byte UDP payload is a 130-byte slot on the wire: 8 UDP + 20 IP +
	// 14 Ethernet header + 4 FCS = a 110-byte frame, + 8 preamble and start
	// delimiter + 12 inter-frame gap (IEEE 802.3); 1,040 bits at 100 Mb/s =
	// 10.4 us each way, 20.8 us there and back. The peer's own processing (on
	// another host) and any switch are not included.
	p->dev.nic_usec = 20.8;
}

double profile_usec(const struct profile *p, double cycles)
{
	return cycles / p->mhz;
}

// ---------------------------------------------------------------- files

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int is_path(const char *s)
{
	return strchr(s, '/') || ends_with(s, ".yaml");
}

static int is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

// Adds the NAME of every NAME.yaml in dir that `names` does not hold yet.
static void collect_profiles(const char *dir, struct strlist *names)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return;
	for (struct dirent *e; (e = readdir(dp));) {
		char name[256];
		size_t n = strlen(e->d_name);
		if (!ends_with(e->d_name, ".yaml") || n - 5 == 0 || n - 5 >= sizeof name)
			continue;
		memcpy(name, e->d_name, n - 5);
		name[n - 5] = '\0';
		if (strlist_find(names, name) < 0)
			strlist_add(names, name);
	}
	closedir(dp);
}

static void unknown_profile(const char *name, const char *dir1, const char *dir2,
			    char *why, size_t n)
{
	struct strlist names = {0, NULL};
	collect_profiles(dir1, &names);
	if (dir2)
		collect_profiles(dir2, &names);
	if (names.n)
		qsort(names.v, (size_t)names.n, sizeof *names.v, cmp_str);
	int len = snprintf(why, n, "unknown machine profile '%s' (expected one of: ", name);
	for (int i = 0; i < names.n && len > 0 && (size_t)len < n; i++)
		len += snprintf(why + len, n - (size_t)len, "%s%s", i ? ", " : "", names.v[i]);
	if (len > 0 && (size_t)len < n && names.n == 0)
		len += snprintf(why + len, n - (size_t)len, "no profiles in %s", dir1);
	if (len > 0 && (size_t)len < n)
		snprintf(why + len, n - (size_t)len, ")");
	strlist_free(&names);
}

// NAME -> dir/NAME.yaml; 0 if that file exists.
static int name_in_dir(const char *name, const char *dir, char *out, size_t n)
{
	int len = snprintf(out, n, "%s/%s.yaml", dir, name);
	return len > 0 && (size_t)len < n && is_file(out) ? 0 : -1;
}

// The files of one inheritance chain, to find cycles and bound its length.
struct chain {
	int n;
	char *real[PROFILE_MAX_INHERIT + 1];  // realpath: one file, one spelling
	char *shown[PROFILE_MAX_INHERIT + 1]; // as it was named, for messages
};

static void chain_free(struct chain *ch)
{
	for (int i = 0; i < ch->n; i++) {
		free(ch->real[i]);
		free(ch->shown[i]);
	}
	ch->n = 0;
}

static int chain_push(struct chain *ch, const char *path)
{
	char *real = realpath(path, NULL);
	char *shown = strdup(path);
	if (!real || !shown) {
		free(real);
		free(shown);
		return -1;
	}
	ch->real[ch->n] = real;
	ch->shown[ch->n++] = shown;
	return 0;
}

static int chain_has(const struct chain *ch, const char *path)
{
	char *real = realpath(path, NULL);
	int found = 0;
	for (int i = 0; real && i < ch->n && !found; i++)
		found = strcmp(ch->real[i], real) == 0;
	free(real);
	return found;
}

static int load_file(struct profile *p, const char *path, const char *pdir,
		     struct chain *ch, struct cfg_error *err);

static void dir_of(const char *path, char *out, size_t n)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(out, n, ".");
	else
		snprintf(out, n, "%.*s", (int)(slash - path), path);
}

// An inherited NAME is looked up next to the inheriting file, then in the
// profile directory; a path is relative to the inheriting file.
static int inherit_path(struct ydoc *d, const yaml_node_t *node, const char *name,
			const char *pdir, char *out, size_t n, struct cfg_error *err)
{
	char here[PROFILE_PATH_MAX], why[CFG_ERR_MAX];
	dir_of(d->path, here, sizeof here);
	if (is_path(name)) {
		int len = name[0] == '/' ? snprintf(out, n, "%s", name)
					 : snprintf(out, n, "%s/%s", here, name);
		if (len > 0 && (size_t)len < n)
			return 0;
	} else if (name_in_dir(name, here, out, n) == 0 || name_in_dir(name, pdir, out, n) == 0) {
		return 0;
	}
	unknown_profile(name, here, strcmp(here, pdir) ? pdir : NULL, why, sizeof why);
	cfg_errorf(err, d, node, "%s", why);
	return -1;
}

static int inheritance_cycle(struct ydoc *d, const yaml_node_t *node,
			     const struct chain *ch, const char *path,
			     struct cfg_error *err)
{
	char cycle[CFG_ERR_MAX] = "";
	for (int i = 0; i < ch->n; i++) {
		size_t len = strlen(cycle);
		snprintf(cycle + len, sizeof cycle - len, "%s -> ", ch->shown[i]);
	}
	cfg_errorf(err, d, node, "inheritance cycle: %s%s (expected a chain that ends)",
		   cycle, path);
	return -1;
}

static int load_parent(struct profile *p, struct ydoc *d, const yaml_node_t *node,
		       const char *pdir, struct chain *ch, struct cfg_error *err)
{
	char path[PROFILE_PATH_MAX];
	const char *name = node_scalar(node);
	if (!name || !*name) {
		cfg_errorf(err, d, node, "wrong type for 'inherit' (expected a profile name)");
		return -1;
	}
	if (inherit_path(d, node, name, pdir, path, sizeof path, err) < 0)
		return -1;
	if (chain_has(ch, path))
		return inheritance_cycle(d, node, ch, path, err);
	if (ch->n > PROFILE_MAX_INHERIT) {
		cfg_errorf(err, d, node, "inheritance deeper than %d profiles (expected at most %d)",
			   PROFILE_MAX_INHERIT, PROFILE_MAX_INHERIT);
		return -1;
	}
	return load_file(p, path, pdir, ch, err);
}

// Blames a cross-field error on a group of this file that the message
// names ("l2.line 32 differs from l1d.line 64"), else on the whole file.
static yaml_node_t *blame(struct ydoc *d, yaml_node_t *root, const char *msg)
{
	for (const char *w = msg; *w;) {
		size_t len = strcspn(w, " ");
		const char *dot = memchr(w, '.', len);
		if (w == msg || dot) {
			char key[64];
			size_t klen = dot ? (size_t)(dot - w) : len;
			if (klen < sizeof key) {
				memcpy(key, w, klen);
				key[klen] = '\0';
				yaml_node_t *k = map_get_key(d, root, key);
				if (k)
					return k;
			}
		}
		w += len;
		w += strspn(w, " ");
	}
	return NULL;
}

static int load_doc(struct profile *p, struct ydoc *d, const char *pdir,
		    struct chain *ch, struct cfg_error *err)
{
	yaml_node_t *root = ydoc_root(d);
	yaml_node_t *inherit = map_get(d, root, "inherit");
	if (inherit && load_parent(p, d, inherit, pdir, ch, err) < 0)
		return -1;
	if (schema_load(profile_schema, p, sizeof *p, d, root, err) < 0)
		return -1;
	struct cfg_error why;
	if (profile_check(p, &why) == 0)
		return 0;
	cfg_errorf(err, d, blame(d, root, why.msg), "%s", why.msg);
	return -1;
}

static int load_file(struct profile *p, const char *path, const char *pdir,
		     struct chain *ch, struct cfg_error *err)
{
	struct ydoc d;
	if (ydoc_load_file(&d, path, err) < 0)
		return -1;
	int rc = chain_push(ch, path);
	if (rc < 0)
		cfg_errorf(err, &d, NULL, "cannot resolve path");
	else
		rc = load_doc(p, &d, pdir, ch, err);
	ydoc_free(&d);
	return rc;
}

int profile_load(struct profile *p, const char *name_or_path, const char *dir,
		 struct cfg_error *err)
{
	const char *pdir = dir ? dir : PROFILE_DIR;
	char path[PROFILE_PATH_MAX];
	if (is_path(name_or_path)) {
		snprintf(path, sizeof path, "%s", name_or_path);
	} else if (name_in_dir(name_or_path, pdir, path, sizeof path) < 0) {
		// Located at 1:1 of the file looked for, like the other loaders: a
		// caller that knows where the name was written relocates it there.
		char why[CFG_ERR_MAX];
		unknown_profile(name_or_path, pdir, NULL, why, sizeof why);
		cfg_msgf(err, "%s:1:1: error: %s", path, why);
		return -1;
	}
	struct profile tmp;
	struct chain ch = {0};
	profile_defaults(&tmp);
	int rc = load_file(&tmp, path, pdir, &ch, err);
	chain_free(&ch);
	if (rc == 0)
		memcpy(p, &tmp, sizeof tmp); // padding too: profiles compare with memcmp
	return rc;
}
