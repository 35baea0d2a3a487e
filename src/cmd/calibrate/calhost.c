// calhost.c: `osarch calibrate`'s view of the host: notes kept beside each
// profile key, the CPU, its mitigations, cache and TLB geometry (sysfs,
// else CPUID, else the base profile), clock rate and memory latencies.
#define _GNU_SOURCE
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define CAL_X86 1
#endif

#include "experiment.h"
#include "walk.h"
#include "calibrateshared.h"


// ---------------------------------------------------------------- notes

void cal_note(struct cal_notes *n, const char *key, const char *fmt, ...)
{
	int i = 0;
	while (i < n->n && strcmp(n->note[i].key, key))
		i++;
	if (i == n->n) {
		if (n->n >= CAL_MAX_NOTES)
			return;
		n->n++;
		snprintf(n->note[i].key, sizeof n->note[i].key, "%s", key);
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(n->note[i].text, sizeof n->note[i].text, fmt, ap);
	va_end(ap);
	for (char *p = n->note[i].text; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

const char *cal_note_of(const struct cal_notes *n, const char *key)
{
	for (int i = 0; i < n->n; i++)
		if (!strcmp(n->note[i].key, key))
			return n->note[i].text;
	return NULL;
}

void cal_note_head(struct cal_notes *n, const char *fmt, ...)
{
	size_t len = strlen(n->header);
	if (len + 2 >= sizeof n->header)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(n->header + len, sizeof n->header - len - 1, fmt, ap);
	va_end(ap);
	len = strlen(n->header);
	n->header[len] = '\n';
	n->header[len + 1] = '\0';
}

// ---------------------------------------------------------------- the host

// A small text file, trailing newlines removed; "" when unreadable.
static void read_small(const char *path, char *out, size_t n)
{
	out[0] = '\0';
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	size_t got = fread(out, 1, n - 1, f);
	fclose(f);
	out[got] = '\0';
	while (got && (out[got - 1] == '\n' || out[got - 1] == ' '))
		out[--got] = '\0';
}

// The value of the first "key<spaces>: value" line of /proc/cpuinfo.
static int cpuinfo_field(const char *key, char *out, size_t n)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	int found = 0;
	out[0] = '\0';
	size_t klen = strlen(key);
	while (f && !found && fgets(line, sizeof line, f)) {
		if (strncmp(line, key, klen) || (line[klen] != ' ' && line[klen] != '\t' && line[klen] != ':'))
			continue;
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		colon++;
		colon += strspn(colon, " \t");
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(out, n, "%s", colon);
		found = 1;
	}
	if (f)
		fclose(f);
	return found;
}

int cal_has_flag(const char *flags, const char *flag)
{
	size_t n = strlen(flag);
	for (const char *p = flags; (p = strstr(p, flag)); p += n)
		if ((p == flags || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

// Keeps printable ASCII (a YAML comment or string stays one safe line).
void cal_printable(char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			*s = ' ';
}


static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

// Every file of the vulnerabilities directory, in name order.
static void host_mitigations(struct host *h)
{
	static const char dir[] = "/sys/devices/system/cpu/vulnerabilities";
	struct strlist names = {0, NULL};
	DIR *dp = opendir(dir);
	for (struct dirent *de; dp && (de = readdir(dp));)
		if (de->d_name[0] != '.')
			strlist_add(&names, de->d_name);
	if (dp)
		closedir(dp);
	if (names.n)
		qsort(names.v, (size_t)names.n, sizeof *names.v, cmp_str);
	h->mitigations[0] = '\0';
	h->pti = 0;
	for (int i = 0; i < names.n; i++) {
		char path[512], v[256];
		snprintf(path, sizeof path, "%s/%s", dir, names.v[i]);
		read_small(path, v, sizeof v);
		if (!v[0] || !strcmp(v, "Not affected"))
			continue;
		if (!strcmp(names.v[i], "meltdown") && strstr(v, "PTI"))
			h->pti = 1;
		size_t len = strlen(h->mitigations);
		snprintf(h->mitigations + len, sizeof h->mitigations - len, "%s%s: %s",
			 len ? " | " : "", names.v[i], v);
	}
	strlist_free(&names);
	cal_printable(h->mitigations);
}

void cal_host_info(struct host *h, const char *tmpdir)
{
	memset(h, 0, sizeof *h);
	if (!cpuinfo_field("model name", h->cpu, sizeof h->cpu))
		snprintf(h->cpu, sizeof h->cpu, "unknown CPU");
	cpuinfo_field("vendor_id", h->vendor, sizeof h->vendor);
	char fam[16], model[16], step[16];
	if (cpuinfo_field("cpu family", fam, sizeof fam) && cpuinfo_field("model", model, sizeof model) &&
	    cpuinfo_field("stepping", step, sizeof step))
		snprintf(h->family, sizeof h->family, "family %s model %s stepping %s", fam, model, step);
	cal_printable(h->family);
	cpuinfo_field("flags", h->flags, sizeof h->flags);
	char mhz[64];
	if (cpuinfo_field("cpu MHz", mhz, sizeof mhz))
		h->mhz_cpuinfo = strtod(mhz, NULL);
	struct utsname u;
	if (uname(&u) == 0)
		snprintf(h->kernel, sizeof h->kernel, "%s %s %s %s", u.sysname, u.release, u.version,
			 u.machine);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(h->date, sizeof h->date, "%Y-%m-%dT%H:%M:%SZ", &tm);
	host_mitigations(h);
#ifdef CAL_X86
	unsigned a, b, c, d;
	__cpuid(1, a, b, c, d);
	if (c >> 31) { // a hypervisor is present: its signature
		__cpuid(0x40000000, a, b, c, d);
		memcpy(h->hypervisor, &b, 4);
		memcpy(h->hypervisor + 4, &c, 4);
		memcpy(h->hypervisor + 8, &d, 4);
		h->hypervisor[12] = '\0';
		cal_printable(h->hypervisor);
		for (size_t n = strlen(h->hypervisor); n && h->hypervisor[n - 1] == ' ';)
			h->hypervisor[--n] = '\0';
	}
#endif
	struct statfs sf;
	if (tmpdir && statfs(tmpdir, &sf) == 0)
		snprintf(h->fs, sizeof h->fs, "%s",
			 sf.f_type == 0xEF53 ? "ext2/3/4" : sf.f_type == 0x01021994 ? "tmpfs"
			 : sf.f_type == 0x58465342 ? "xfs" : sf.f_type == 0x9123683E ? "btrfs"
			 : sf.f_type == 0x794c7630 ? "overlayfs" : "other");
	char status[8192];
	read_small("/proc/self/status", status, sizeof status);
	const char *p;
	if ((p = strstr(status, "VmSize:")))
		h->vmsize_kib = strtol(p + 7, NULL, 10);
	if ((p = strstr(status, "VmRSS:")))
		h->rss_kib = strtol(p + 6, NULL, 10);
	cal_printable(h->cpu);
	cal_printable(h->kernel);
}

// ---- cache and TLB geometry: sysfs, else CPUID, else the base profile ----

const char *const cal_cache_names[G__N] = {"l1i", "l1d", "l2", "l3"};
const char *const cal_tlb_names[T__N] = {"itlb", "dtlb", "stlb"};



static void set_cache(struct geom *g, int k, uint64_t size, uint32_t ways, uint32_t line,
		      const char *src)
{
	if (k < 0 || g->cfound[k] || !size || !line)
		return;
	g->c[k].present = 1;
	g->c[k].size = size;
	g->c[k].assoc = ways ? ways : 1;
	g->c[k].line = line;
	g->cfound[k] = 1;
	snprintf(g->csrc[k], sizeof g->csrc[k], "%s", src);
}

static int cache_kind(int level, const char *type)
{
	if (level == 1 && !strcmp(type, "Instruction"))
		return G_L1I;
	if (level == 1 && !strcmp(type, "Data"))
		return G_L1D;
	if (level == 2 && strcmp(type, "Instruction") && strcmp(type, "Data"))
		return G_L2;
	if (level == 3)
		return G_L3;
	return -1;
}

static void geom_sysfs(struct geom *g)
{
	for (int i = 0; i < 16; i++) {
		char base[128], path[192], level[16], type[32], size[32], ways[16], line[16];
		snprintf(base, sizeof base, "/sys/devices/system/cpu/cpu0/cache/index%d", i);
		snprintf(path, sizeof path, "%s/level", base);
		read_small(path, level, sizeof level);
		if (!level[0])
			continue;
		snprintf(path, sizeof path, "%s/type", base);
		read_small(path, type, sizeof type);
		snprintf(path, sizeof path, "%s/size", base);
		read_small(path, size, sizeof size);
		snprintf(path, sizeof path, "%s/ways_of_associativity", base);
		read_small(path, ways, sizeof ways);
		snprintf(path, sizeof path, "%s/coherency_line_size", base);
		read_small(path, line, sizeof line);
		uint64_t bytes = 0;
		if (scalar_parse_size(size, &bytes) < 0)
			continue;
		char src[200];
		snprintf(src, sizeof src, "sysfs cpu0/cache/index%d (size %s, %s-way, %s-byte lines)", i,
			 size, ways, line);
		set_cache(g, cache_kind(atoi(level), type), bytes, (uint32_t)atoi(ways),
			  (uint32_t)atoi(line), src);
	}
}

#ifdef CAL_X86
// Intel leaf 4 and AMD leaf 0x8000001D have one layout.
static void geom_leaf4(struct geom *g, unsigned leaf)
{
	for (unsigned sub = 0; sub < 16; sub++) {
		unsigned a, b, c, d;
		__cpuid_count(leaf, sub, a, b, c, d);
		unsigned type = a & 31;
		if (type == 0)
			break;
		int level = (int)((a >> 5) & 7);
		uint32_t ways = ((b >> 22) & 0x3ff) + 1, parts = ((b >> 12) & 0x3ff) + 1;
		uint32_t line = (b & 0xfff) + 1;
		uint64_t sets = (uint64_t)c + 1;
		uint64_t size = (uint64_t)ways * parts * line * sets;
		if ((a >> 9) & 1) // fully associative
			ways = (uint32_t)(size / line);
		char src[200];
		snprintf(src, sizeof src, "CPUID leaf 0x%x subleaf %u (%llu sets x %u ways x %u bytes)",
			 leaf, sub, (unsigned long long)sets, ways, line);
		set_cache(g, cache_kind(level, type == 1 ? "Data" : type == 2 ? "Instruction" : "Unified"),
			  size, ways, line, src);
	}
}

// AMD's 4-bit associativity code of leaf 0x80000006 (0: unknown).
static uint32_t amd_assoc(unsigned code, uint32_t entries)
{
	static const uint32_t map[16] = {0, 1, 2, 3, 4, 0, 8, 0, 16, 0, 32, 48, 64, 96, 128, 0};
	if (code == 5)
		return 6;
	if (code == 15)
		return entries; // fully associative
	return map[code & 15];
}

static void set_tlb(struct geom *g, int k, uint32_t entries, uint32_t assoc, const char *src)
{
	if (g->tfound[k] || !entries)
		return;
	g->t[k].present = 1;
	g->t[k].entries = entries;
	g->t[k].assoc = assoc ? assoc : entries;
	g->tfound[k] = 1;
	snprintf(g->tsrc[k], sizeof g->tsrc[k], "%s", src);
}

static void geom_amd_legacy(struct geom *g)
{
	unsigned a, b, c, d;
	char src[200];
	__cpuid(0x80000005, a, b, c, d);
	// ECX: L1D, EDX: L1I: size KiB [31:24], ways [23:16] (0xff: full), line [7:0].
	for (int k = 0; k < 2; k++) {
		unsigned r = k ? d : c;
		uint32_t kib = r >> 24, ways = (r >> 16) & 0xff, line = r & 0xff;
		if (ways == 0xff && line)
			ways = kib * 1024 / line;
		snprintf(src, sizeof src, "CPUID 0x80000005 %s (%u KiB, %u-way, %u-byte lines)",
			 k ? "EDX" : "ECX", kib, ways, line);
		set_cache(g, k ? G_L1I : G_L1D, (uint64_t)kib * KIB, ways, line, src);
	}
	// EBX: 4 KiB-page L1 TLBs: dTLB ways [31:24] entries [23:16], iTLB [15:8] [7:0].
	uint32_t dw = b >> 24, de = (b >> 16) & 0xff, iw = (b >> 8) & 0xff, ie = b & 0xff;
	snprintf(src, sizeof src, "CPUID 0x80000005 EBX (4 KiB pages: %u entries, %s)", de,
		 dw == 0xff ? "fully associative" : "set-associative");
	set_tlb(g, T_DTLB, de, dw == 0xff ? de : dw, src);
	snprintf(src, sizeof src, "CPUID 0x80000005 EBX (4 KiB pages: %u entries, %s)", ie,
		 iw == 0xff ? "fully associative" : "set-associative");
	set_tlb(g, T_ITLB, ie, iw == 0xff ? ie : iw, src);
	__cpuid(0x80000006, a, b, c, d);
	// ECX: L2 size KiB [31:16], assoc code [15:12], line [7:0].
	uint32_t l2kib = c >> 16, l2w = amd_assoc((c >> 12) & 15, 0), l2line = c & 0xff;
	snprintf(src, sizeof src, "CPUID 0x80000006 ECX (%u KiB, assoc code %u = %u ways, %u-byte lines)",
		 l2kib, (c >> 12) & 15, l2w, l2line);
	set_cache(g, G_L2, (uint64_t)l2kib * KIB, l2w, l2line, src);
	// EDX: L3 size in 512 KiB units [31:18], assoc code [15:12], line [7:0].
	uint32_t units = d >> 18, code = (d >> 12) & 15, l3line = d & 0xff;
	uint32_t l3w = amd_assoc(code, 0);
	snprintf(src, sizeof src, "CPUID 0x80000006 EDX (%u x 512 KiB, assoc code %u%s, %u-byte lines)",
		 units, code, l3w ? "" : " = see leaf 0x8000001D, which is empty here: 16 ways assumed",
		 l3line);
	set_cache(g, G_L3, (uint64_t)units * 512 * KIB, l3w ? l3w : 16, l3line, src);
	// EBX: 4 KiB-page L2 TLB: dTLB assoc code [31:28] entries [27:16].
	uint32_t se = (b >> 16) & 0xfff, sw = amd_assoc(b >> 28, se);
	snprintf(src, sizeof src, "CPUID 0x80000006 EBX (L2 dTLB, 4 KiB pages: %u entries, assoc code %u)",
		 se, b >> 28);
	set_tlb(g, T_STLB, se, sw, src);
}

// Intel leaf 0x18: deterministic address translation parameters.
static void geom_intel_tlb(struct geom *g)
{
	unsigned a, b, c, d, max;
	__cpuid_count(0x18, 0, max, b, c, d);
	for (unsigned sub = 0; sub <= max && sub < 32; sub++) {
		__cpuid_count(0x18, sub, a, b, c, d);
		unsigned type = d & 31, level = (d >> 5) & 7;
		if (type == 0 || !(b & 1)) // invalid, or no 4 KiB pages
			continue;
		uint32_t ways = b >> 16, sets = c;
		uint32_t entries = ways * sets;
		if ((d >> 8) & 1)
			ways = entries;
		char src[200];
		snprintf(src, sizeof src, "CPUID leaf 0x18 subleaf %u (%u entries, %u ways)", sub, entries, ways);
		if (level == 1 && (type == 1 || type == 4))
			set_tlb(g, T_DTLB, entries, ways, src);
		else if (level == 1 && type == 2)
			set_tlb(g, T_ITLB, entries, ways, src);
		else if (level == 2 && type == 3)
			set_tlb(g, T_STLB, entries, ways, src);
	}
}

static void geom_cpuid(struct geom *g, struct host *h)
{
	unsigned a, b, c, d;
	unsigned max = __get_cpuid_max(0, NULL), emax = __get_cpuid_max(0x80000000, NULL);
	int amd = !strcmp(h->vendor, "AuthenticAMD") || !strcmp(h->vendor, "HygonGenuine");
	if (!amd && max >= 4)
		geom_leaf4(g, 4);
	if (amd && emax >= 0x8000001d) {
		__cpuid(0x80000001, a, b, c, d);
		if ((c >> 22) & 1) // topology extensions
			geom_leaf4(g, 0x8000001d);
	}
	if (!amd && max >= 0x18)
		geom_intel_tlb(g);
	if (emax >= 0x80000006 && amd)
		geom_amd_legacy(g);
}
#endif

static uint64_t pow2_floor(uint64_t v)
{
	uint64_t p = 1;
	while (p <= v / 2)
		p *= 2;
	return p;
}

// The model needs power-of-two lines and sets: the reported geometry is
// rounded down to the nearest one it accepts, and the comment says so.
static void fit_cache(struct cache_geom *c, char *src, size_t n)
{
	char why[200] = "";
	if (c->line < 4 || (c->line & (c->line - 1))) {
		snprintf(why, sizeof why, "; line %u replaced by 64", c->line);
		c->line = 64;
	}
	uint64_t lines = c->size / c->line;
	if (lines < 1)
		lines = 1;
	if (c->assoc > lines)
		c->assoc = (uint32_t)lines;
	uint64_t sets = lines / c->assoc, sets2 = pow2_floor(sets);
	if (sets2 != sets || lines % c->assoc) {
		uint64_t was = c->size;
		c->size = sets2 * c->assoc * c->line;
		snprintf(why + strlen(why), sizeof why - strlen(why),
			 "; %llu bytes rounded down to %llu for a power-of-two number of sets",
			 (unsigned long long)was, (unsigned long long)c->size);
	}
	if (c->size > (1ull << 30)) {
		while (c->size > (1ull << 30))
			c->size /= 2; // halves the sets: still a power of two
		snprintf(why + strlen(why), sizeof why - strlen(why), "; halved to %llu (the schema's 1 GiB bound)",
			 (unsigned long long)c->size);
	}
	// The model's tree PLRU needs a power-of-two number of ways, at most 32
	// (cache.c's sa_init; profile_check does not say so).
	if (c->repl == REPL_PLRU && (c->assoc > 32 || (c->assoc & (c->assoc - 1)))) {
		c->repl = REPL_LRU;
		snprintf(why + strlen(why), sizeof why - strlen(why),
			 "; true LRU: the model's tree PLRU needs 2^k <= 32 ways");
	}
	if (why[0] && strlen(src) + strlen(why) < n)
		strcat(src, why);
}

static void fit_tlb(struct tlb_geom *t, char *src, size_t n)
{
	if (t->assoc > t->entries)
		t->assoc = t->entries;
	uint32_t sets = t->entries / t->assoc, sets2 = (uint32_t)pow2_floor(sets);
	if (sets2 != sets || t->entries % t->assoc) {
		char why[120];
		uint32_t was = t->entries;
		t->entries = sets2 * t->assoc;
		snprintf(why, sizeof why, "; %u entries rounded down to %u for a power-of-two number of sets",
			 was, t->entries);
		if (strlen(src) + strlen(why) < n)
			strcat(src, why);
	}
}

void cal_host_geometry(struct geom *g, struct host *h, const struct profile *base)
{
	memset(g, 0, sizeof *g);
	geom_sysfs(g);
#ifdef CAL_X86
	geom_cpuid(g, h);
#else
	(void)h;
#endif
	const struct cache_geom *bc[G__N] = {&base->l1i, &base->l1d, &base->l2, &base->l3};
	const struct tlb_geom *bt[T__N] = {&base->itlb, &base->dtlb, &base->stlb};
	for (int k = 0; k < G__N; k++) {
		if (!g->cfound[k]) {
			g->c[k] = *bc[k];
			snprintf(g->csrc[k], sizeof g->csrc[k], "not found in sysfs or CPUID: %s's value",
				 base->name);
		} else {
			g->c[k].latency = bc[k]->latency;
			g->c[k].repl = bc[k]->repl;
		}
		if (g->c[k].present)
			fit_cache(&g->c[k], g->csrc[k], sizeof g->csrc[k]);
	}
	// One line size for every level (the model's rule): the L1D's.
	for (int k = 0; k < G__N; k++) {
		if (g->c[k].present && g->c[k].line != g->c[G_L1D].line) {
			g->c[k].line = g->c[G_L1D].line;
			fit_cache(&g->c[k], g->csrc[k], sizeof g->csrc[k]);
		}
	}
	for (int k = 0; k < T__N; k++) {
		if (!g->tfound[k]) {
			g->t[k] = *bt[k];
			snprintf(g->tsrc[k], sizeof g->tsrc[k], "not found in CPUID: %s's value", base->name);
		} else {
			g->t[k].latency = bt[k]->latency;
		}
		if (g->t[k].present)
			fit_tlb(&g->t[k], g->tsrc[k], sizeof g->tsrc[k]);
	}
}

// ---- the clock and memory latencies ----

// The core clock: a chain of dependent 32-bit multiplies (100 per loop
// turn; the loop's decrement and branch run beside the chain) timed on the
// wall clock, the fastest of 15 runs; 0 when not on x86. IMUL r32,r32 has a
// latency of 3 cycles on Intel's cores since Sandy Bridge and on AMD Zen
// (Agner Fog, Instruction tables, as quoted in
// https://mcmap.net/q/14462/-x86_64-is-imul-faster-than-2x-shl-2x-add) and
// on AMD Jaguar (LLVM review D66547, "imul %edx, %edx # latency: 3cy").
// A chain of `add $1, reg` is no clock: recent Intel cores fold several
// such adds per cycle, and it read 11-21 GHz on a KVM guest (issue 17). A
// multiply cannot be folded or eliminated, and each depends on the last.
double cal_measure_core_mhz(const struct cal_clock *clk)
{
	double best = 0;
#ifdef CAL_X86
	for (int t = 0; t < 15; t++) {
		unsigned x = 3, m = 5;
		unsigned long n = 100000;
		uint64_t t0 = clk->now_ns(clk->ctx);
		__asm__ __volatile__("1:\n\t.rept 100\n\timull %2, %0\n\t.endr\n\tdec %1\n\tjnz 1b"
				     : "+r"(x), "+r"(n)
				     : "r"(m)
				     : "cc");
		uint64_t t1 = clk->now_ns(clk->ctx);
		double mhz = t1 > t0 ? CLOCK_IMUL_CYCLES * 100.0 * 100000.0 / (double)(t1 - t0) * 1000.0 : 0;
		if (mhz > best && x != 0) // x: 3 * 5^10^7 mod 2^32, odd, never 0
			best = mhz;
	}
#else
	(void)clk;
#endif
	return best;
}

// The clock the kernel reports: cpufreq's highest (turbo included under
// intel_pstate and acpi-cpufreq), else /proc/cpuinfo's "cpu MHz" (the
// nominal or TSC rate; the only one a KVM guest has). 0 when neither.
double cal_kernel_mhz(double cpuinfo_mhz, char *how, size_t n)
{
	char v[64];
	read_small("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", v, sizeof v);
	double khz = strtod(v, NULL);
	if (khz > 0) {
		snprintf(how, n, "/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
		return khz / 1000.0;
	}
	snprintf(how, n, "/proc/cpuinfo cpu MHz");
	return cpuinfo_mhz;
}

int cal_clock_agrees(double measured, double kernel, const char *kernel_how, char *msg, size_t n)
{
	if (measured <= 0 || kernel <= 0)
		return 1; // nothing to compare: the caller says which one it used
	double off = measured / kernel - 1;
	if (fabs(off) <= CAL_CLOCK_TOLERANCE)
		return 1;
	snprintf(msg, n,
		 "calibrate: the measured core clock (%.0f MHz: dependent multiplies of %.0f cycles each) and the "
		 "kernel's (%.0f MHz, %s) differ by %+.0f%% (more than %.0f%%): no profile written. A busy or "
		 "descheduled virtual CPU, frequency scaling, or a core whose multiply takes another number of "
		 "cycles. Run it again on an idle machine, or give --accept-clock to keep the measured clock (a "
		 "virtual machine's kernel knows only the nominal rate)",
		 measured, CLOCK_IMUL_CYCLES, kernel, kernel_how, 100 * off, 100 * CAL_CLOCK_TOLERANCE);
	return 0;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

// Mean load-to-use time (ns) of a chain of dependent loads through `bytes`
// of memory (lmbench lat_mem_rd, but in random order): pages in random
// order, the 64 lines of each page in random order, so that neither a
// stride prefetcher nor the TLB dominates. `huge`: 2 MiB pages where the
// kernel gives them (MADV_HUGEPAGE): no page walks in the DRAM figure (the
// model counts those apart) and 128 faults instead of 65536 to set it up
// (a first touch costs ~30 us on some virtual machines). The fastest of 3
// runs of `steps` loads; -1 when the memory cannot be had.
static double chase_ns(const struct cal_clock *clk, size_t bytes, long steps, int huge)
{
	const size_t line = 64, page = 4096, per = page / line;
	size_t len = (bytes + page - 1) / page * page, npages = len / page;
	size_t nlines = bytes / line;
	char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint32_t *pages = malloc(npages * sizeof *pages);
	if (buf == MAP_FAILED || !pages || nlines < 2) {
		if (buf != MAP_FAILED)
			munmap(buf, len);
		free(pages);
		return -1;
	}
#if defined(MADV_NOHUGEPAGE) && defined(MADV_HUGEPAGE)
	madvise(buf, len, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
#else
	(void)huge;
#endif
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	for (size_t i = 0; i < npages; i++)
		pages[i] = (uint32_t)i;
	for (size_t i = npages - 1; i > 0; i--) {
		size_t j = xorshift(&seed) % (i + 1);
		uint32_t t = pages[i];
		pages[i] = pages[j];
		pages[j] = t;
	}
	char *first = NULL, *prev = NULL;
	for (size_t pi = 0; pi < npages; pi++) {
		uint32_t ord[64];
		size_t n = 0;
		for (size_t l = 0; l < per; l++)
			if ((size_t)pages[pi] * per + l < nlines)
				ord[n++] = (uint32_t)l;
		for (size_t i = n; i > 1; i--) {
			size_t j = xorshift(&seed) % i;
			uint32_t t = ord[i - 1];
			ord[i - 1] = ord[j];
			ord[j] = t;
		}
		for (size_t i = 0; i < n; i++) {
			char *cur = buf + (size_t)pages[pi] * page + ord[i] * line;
			if (prev)
				*(char **)prev = cur;
			else
				first = cur;
			prev = cur;
		}
	}
	*(char **)prev = first;
	free(pages);
	char **p = (char **)first;
	for (size_t i = 0; i < nlines && bytes <= 64 * MIB; i++) // warm the caches
		p = (char **)*p;
	double best = -1;
	for (int t = 0; t < 3; t++) {
		uint64_t t0 = clk->now_ns(clk->ctx);
		for (long i = 0; i < steps / 16; i++) {
#define HOP p = (char **)*p;
			HOP HOP HOP HOP HOP HOP HOP HOP HOP HOP HOP HOP HOP HOP HOP HOP
#undef HOP
		}
		uint64_t t1 = clk->now_ns(clk->ctx);
		double ns = (double)(t1 - t0) / (double)(steps / 16 * 16);
		if (best < 0 || ns < best)
			best = ns;
	}
	volatile uintptr_t sink = (uintptr_t)p; // the chain must be kept
	(void)sink;
	munmap(buf, len);
	return best;
}



const char *const cal_lat_names[LAT__N] = {"L1D", "L2", "L3", "DRAM"};

void cal_measure_latencies(const struct cal_clock *clk, const struct geom *g, struct lat *l,
			      FILE *log)
{
	const struct cache_geom *c = g->c;
	for (int i = 0; i < LAT__N; i++)
		l->ws[i] = 0, l->ns[i] = -1;
	l->ws[LAT_L1] = c[G_L1D].size / 2;
	if (c[G_L2].present && c[G_L2].size >= 4 * c[G_L1D].size)
		l->ws[LAT_L2] = c[G_L2].size / 2;
	// 4 x L2, within half the L3: a CPUID L3 size is the whole chip's (or, in a
	// virtual machine, whatever the hypervisor says), more than one core sees.
	if (c[G_L3].present && c[G_L3].size >= 8 * c[G_L2].size)
		l->ws[LAT_L3] = 4 * c[G_L2].size;
	l->ws[LAT_DRAM] = 256 * MIB;
	static const long steps[LAT__N] = {2000000, 2000000, 2000000, 500000};
	for (int i = 0; i < LAT__N; i++) {
		if (!l->ws[i])
			continue;
		if (log)
			fprintf(log, "calibrate: %s latency (%zu KiB chase) ...\n", cal_lat_names[i], l->ws[i] / 1024);
		l->ns[i] = chase_ns(clk, l->ws[i], steps[i], i == LAT_DRAM);
	}
}

// ---- the model ----


void cal_model_free(struct model *m)
{
	free(m->svc);
	free(m->a);
	free(m->w);
	memset(m, 0, sizeof *m);
}

// Services and the monolithic architecture. Returns 0, 1 (out of memory) or 2 (bad file).
int cal_model_open(struct model *m, struct cfg_error *err)
{
	m->svc = malloc(sizeof *m->svc);
	m->a = malloc(sizeof *m->a);
	m->w = malloc(sizeof *m->w);
	if (!m->svc || !m->a || !m->w) {
		cfg_msgf(err, "calibrate: out of memory");
		cal_model_free(m);
		return 1;
	}
	if (load_services_default(m->svc, err) || arch_load(m->a, "monolithic", m->svc, err)) {
		cal_model_free(m);
		return 2;
	}
	return 0;
}

// One warm point: monolithic, workload `wl`, on p (validate's run parameters).
int cal_model_run(struct model *m, const char *wl, const struct profile *p, struct run_result *r,
		     struct cfg_error *err)
{
	if (workload_load(m->w, wl, m->svc, err))
		return 2;
	struct run_params rp = {10, 5, 0, 1};
	int rc = run_point(m->a, m->w, p, &rp, r, NULL);
	if (rc) {
		cfg_msgf(err, "calibrate: the model cannot run monolithic %s on %s (run_point %d%s%s)", wl,
			 p->name, rc, r->error[0] ? ": " : "", r->error);
		return 1;
	}
	return 0;
}

