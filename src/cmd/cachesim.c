// cachesim.c: `osarch cachesim`, a trace-driven cache simulator that
// follows cachegrind (valgrind's cg_sim.c) on the project's own caches
// (models/cache.c); its traces are read by src/base/lackey.c.
//
// cachegrind's model, as cg_sim.c and cg_main.c (valgrind 3.19) implement
// it, and what this file does to match it (docs/replay.md has the figures):
//  - I1, D1 and a unified LL; true LRU; write-allocate (a write is looked
//    up exactly like a read); bit-selection set index.
//  - LL is looked up only when L1 misses, and filled then; an LL eviction
//    does not invalidate L1 (neither inclusive nor exclusive). Our caches
//    are the same: sa_access fills on a miss, nothing back-invalidates.
//  - A reference that straddles two lines is ONE access that looks up both
//    lines (both update LRU state) and is one miss if either missed; the LL
//    lookup after an L1 miss again looks up both lines (in LL's line size).
//    An instruction is one such reference of its length: an instruction
//    that crosses a line boundary is one I1 access, not two.
//  - A modify (lackey's ` M`: cachegrind's Dm, a load and a store of the
//    same address and size by one instruction) is one data READ reference.
//  - Data references larger than the smallest line size are clamped to it
//    (cachegrind does so for dirty helpers such as xsave/fxsave, whose
//    full size lackey prints).
//  - cachegrind starts with every tag 0 (block 0 "present"); we start
//    empty. Address 0 is never referenced, so no count differs.
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cachesim.h"
#include "experiment.h"
#include "lackey.h"

// ---- the simulator ----

static uint32_t umin(uint32_t a, uint32_t b) { return a < b ? a : b; }

static int make_cache(struct cache *c, const char *name, const struct cache_geom *g, char *err,
		      size_t errlen)
{
	errno = 0;
	if (cache_init(c, name, g) == 0)
		return 0;
	if (errno == ENOMEM) {
		snprintf(err, errlen, "%s: out of memory for %" PRIu64 " lines", name, g->size / g->line);
		return -1;
	}
	snprintf(err, errlen,
		 "%s: %" PRIu64 " bytes, %u-way, %u-byte lines is not a cache (expected a power-of-two line "
		 "size, a whole number of sets, and a power-of-two number of sets)",
		 name, g->size, g->assoc, g->line);
	return -1;
}

int cachesim_init(struct cachesim *cs, const struct cache_geom *i1, const struct cache_geom *d1,
		  const struct cache_geom *ll, char *err, size_t errlen)
{
	memset(cs, 0, sizeof *cs);
	if (make_cache(&cs->i1_store, "I1", i1, err, errlen) || make_cache(&cs->d1_store, "D1", d1, err, errlen) ||
	    make_cache(&cs->ll_store, "LL", ll, err, errlen)) {
		cachesim_free(cs);
		return -1;
	}
	cs->i1 = &cs->i1_store;
	cs->d1 = &cs->d1_store;
	cs->ll = &cs->ll_store;
	cs->dmax = umin(umin(i1->line, d1->line), ll->line);
	return 0;
}

int cachesim_init_profile(struct cachesim *cs, const struct profile *p, char *err, size_t errlen)
{
	memset(cs, 0, sizeof *cs);
	int bad = make_cache(&cs->d1_store, p->l1_unified ? "L1" : "D1", &p->l1d, err, errlen);
	if (!bad && !p->l1_unified)
		bad = make_cache(&cs->i1_store, "I1", &p->l1i, err, errlen);
	if (!bad && p->l2.present)
		bad = make_cache(p->l3.present ? &cs->l2_store : &cs->ll_store, p->l3.present ? "L2" : "LL",
				 &p->l2, err, errlen);
	if (!bad && p->l3.present)
		bad = make_cache(&cs->ll_store, "LL", &p->l3, err, errlen);
	if (bad) {
		cachesim_free(cs);
		return -1;
	}
	cs->d1 = &cs->d1_store;
	cs->i1 = p->l1_unified ? cs->d1 : &cs->i1_store;
	cs->l2 = p->l2.present && p->l3.present ? &cs->l2_store : NULL;
	cs->ll = p->l2.present || p->l3.present ? &cs->ll_store : NULL;
	cs->dmax = umin(1u << cs->i1->line_shift, 1u << cs->d1->line_shift);
	if (cs->l2)
		cs->dmax = umin(cs->dmax, 1u << cs->l2->line_shift);
	if (cs->ll)
		cs->dmax = umin(cs->dmax, 1u << cs->ll->line_shift);
	return 0;
}

void cachesim_free(struct cachesim *cs)
{
	cache_free(&cs->i1_store);
	cache_free(&cs->d1_store);
	cache_free(&cs->l2_store);
	cache_free(&cs->ll_store);
	memset(cs, 0, sizeof *cs);
}

// cg_sim.c's cachesim_ref_is_miss: one access to [a, a+size), which looks
// up every line it covers (both update the replacement state) and misses
// if any of them missed.
static inline __attribute__((always_inline)) int level_miss(struct cache *c, uint64_t a, uint32_t size)
{
	uint32_t s = c->line_shift;
	uint64_t first = a >> s, last = (a + size - 1) >> s;
	int miss = !cache_access(c, a);
	for (uint64_t b = first + 1; b <= last; b++)
		miss |= !cache_access(c, b << s);
	return miss;
}

// cachesim_ref, inline in cachesim_run's loop (out of line it was 6% of
// a run on its own).
static inline __attribute__((always_inline)) void ref(struct cachesim *cs, int kind, uint64_t a,
						      uint32_t size)
{
	struct cs_counts *c = &cs->c;
	if (kind != CS_IR && size > cs->dmax)
		size = cs->dmax;
	c->refs[kind]++;
	if (!level_miss(kind == CS_IR ? cs->i1 : cs->d1, a, size))
		return;
	c->miss[kind][CS_L1]++;
	if (cs->l2) {
		if (!level_miss(cs->l2, a, size))
			return;
		c->miss[kind][CS_L2]++;
	}
	if (cs->ll && !level_miss(cs->ll, a, size))
		return;
	c->miss[kind][CS_LL]++;
}

void cachesim_ref(struct cachesim *cs, int kind, uint64_t a, uint32_t size) { ref(cs, kind, a, size); }

int cachesim_run(struct cachesim *cs, struct trace_reader *r)
{
	struct trace_rec rec;
	for (;;) {
		// The common record straight from the reader's bytes; the rest
		// (messages, system calls, errors, the last lines) through trace_next.
		int kind = trace_next_inline(r, &rec);
		switch (kind) {
		case TR_INSN: ref(cs, CS_IR, rec.addr, rec.size); break;
		case TR_LOAD:
		case TR_MODIFY: ref(cs, CS_DR, rec.addr, rec.size); break;
		case TR_STORE: ref(cs, CS_DW, rec.addr, rec.size); break;
		case TR_SYSCALL: cs->c.syscalls++; break;
		case TR_ERROR:
			cs->c.lines = r->line;
			cs->c.skipped = r->skipped;
			return r->io_error ? 1 : 2;
		default:
			cs->c.lines = r->line;
			cs->c.skipped = r->skipped;
			return 0;
		}
	}
}

int cachesim_parse_geom(const char *text, struct cache_geom *g)
{
	char buf[96];
	snprintf(buf, sizeof buf, "%s", text);
	char *c1 = strchr(buf, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
	if (!c1 || !c2 || strchr(c2 + 1, ','))
		return -1;
	*c1 = *c2 = 0;
	uint64_t size, assoc, line;
	if (scalar_parse_size(buf, &size) || scalar_parse_size(c1 + 1, &assoc) || scalar_parse_size(c2 + 1, &line))
		return -1;
	// The limits of a machine profile's cache (a terabyte would be
	// allocated, line by line, before anything said no).
	if (size < CACHE_SIZE_MIN || size > CACHE_SIZE_MAX || assoc < 1 || assoc > CACHE_ASSOC_MAX ||
	    line < CACHE_LINE_MIN || line > CACHE_LINE_MAX || size / line > CACHE_LINES_MAX)
		return -2;
	memset(g, 0, sizeof *g);
	g->present = 1;
	g->size = size;
	g->assoc = (uint32_t)assoc;
	g->line = (uint32_t)line;
	g->repl = REPL_LRU;
	return 0;
}

// ---- the command ----

static const char usage_cachesim[] =
	"usage: osarch cachesim [--machine M | --I1 SIZE,ASSOC,LINE --D1 SIZE,ASSOC,LINE --LL SIZE,ASSOC,LINE]\n"
	"                       [--format text|csv|json] [--lenient] [--stats] TRACE|-\n"
	"\n"
	"A trace-driven cache simulator of valgrind lackey output\n"
	"  valgrind --tool=lackey --trace-mem=yes --log-fd=3 PROG 3>TRACE\n"
	"that counts as cachegrind does (valgrind --tool=cachegrind --cache-sim=yes):\n"
	"I1, D1 and a unified LL looked up on an L1 miss, true LRU, write-allocate, a\n"
	"reference straddling two lines one access, a modify one data read. With\n"
	"--I1/--D1/--LL (cachegrind's syntax; SIZE may say 32K) the hierarchy is those\n"
	"three LRU caches; with --machine M (default modern) it is the profile's L1i/L1d,\n"
	"L2 and L3 with their replacement policies, no translation. TRACE '-' reads\n"
	"standard input. System-call lines are counted, not simulated.\n"
	"  --lenient    skip (and count) malformed lines instead of failing with exit 2\n"
	"  --stats      print the parsing speed on stderr\n"
	"Text output ends with cachegrind's `summary:` line (Ir I1mr ILmr Dr D1mr DLmr\n"
	"Dw D1mw DLmw). See docs/replay.md.\n";

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "osarch: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage_cachesim);
	return 2;
}

// n with thousands separators, as cachegrind prints.
static const char *commas(char *buf, size_t n, uint64_t x)
{
	char tmp[32];
	int len = snprintf(tmp, sizeof tmp, "%" PRIu64, x), o = 0;
	for (int i = 0; i < len && (size_t)o + 2 < n; i++) {
		buf[o++] = tmp[i];
		if ((len - i - 1) % 3 == 0 && i < len - 1)
			buf[o++] = ',';
	}
	buf[o] = 0;
	return buf;
}

static double pct(uint64_t a, uint64_t b) { return b ? 100.0 * (double)a / (double)b : 0; }

static void describe(FILE *f, const char *label, const struct cache *c)
{
	if (!c) {
		fprintf(f, "%s cache: none (misses go to memory)\n", label);
		return;
	}
	uint32_t line = 1u << c->line_shift;
	fprintf(f, "%s cache: %" PRIu64 " B, %u B, %u-way, %s\n", label, (uint64_t)c->sa.sets * c->sa.ways * line, line,
		c->sa.ways, c->sa.policy == REPL_PLRU ? "tree-PLRU" : "LRU");
}

static void print_text(FILE *f, const struct cachesim *cs, const char *trace)
{
	const struct cs_counts *c = &cs->c;
	char a[32], b[32], d[32];
	uint64_t dref = c->refs[CS_DR] + c->refs[CS_DW];
	fprintf(f, "trace: %s (%" PRIu64 " lines, %" PRIu64 " system calls not simulated", trace, c->lines, c->syscalls);
	if (c->skipped)
		fprintf(f, ", %" PRIu64 " malformed lines skipped", c->skipped);
	fprintf(f, ")\n");
	describe(f, cs->i1 == cs->d1 ? "L1" : "I1", cs->i1);
	if (cs->i1 != cs->d1)
		describe(f, "D1", cs->d1);
	if (cs->l2)
		describe(f, "L2", cs->l2);
	describe(f, "LL", cs->ll);
	fprintf(f, "\n");
	fprintf(f, "I   refs:      %s\n", commas(a, sizeof a, c->refs[CS_IR]));
	fprintf(f, "I1  misses:    %s\n", commas(a, sizeof a, c->miss[CS_IR][CS_L1]));
	if (cs->l2)
		fprintf(f, "L2i misses:    %s\n", commas(a, sizeof a, c->miss[CS_IR][CS_L2]));
	fprintf(f, "LLi misses:    %s\n", commas(a, sizeof a, c->miss[CS_IR][CS_LL]));
	fprintf(f, "I1  miss rate: %.2f%%\n", pct(c->miss[CS_IR][CS_L1], c->refs[CS_IR]));
	fprintf(f, "LLi miss rate: %.2f%%\n\n", pct(c->miss[CS_IR][CS_LL], c->refs[CS_IR]));
	fprintf(f, "D   refs:      %s  (%s rd + %s wr)\n", commas(a, sizeof a, dref),
		commas(b, sizeof b, c->refs[CS_DR]), commas(d, sizeof d, c->refs[CS_DW]));
	static const char *const lname[CS_LEVELS] = {"D1 ", "L2d", "LLd"};
	for (int l = 0; l < CS_LEVELS; l++) {
		if (l == CS_L2 && !cs->l2)
			continue;
		fprintf(f, "%s misses:    %s  (%s rd + %s wr)\n", lname[l],
			commas(a, sizeof a, c->miss[CS_DR][l] + c->miss[CS_DW][l]), commas(b, sizeof b, c->miss[CS_DR][l]),
			commas(d, sizeof d, c->miss[CS_DW][l]));
	}
	fprintf(f, "D1  miss rate: %.1f%% (%.1f%% + %.1f%%)\n", pct(c->miss[CS_DR][0] + c->miss[CS_DW][0], dref),
		pct(c->miss[CS_DR][0], c->refs[CS_DR]), pct(c->miss[CS_DW][0], c->refs[CS_DW]));
	fprintf(f, "LLd miss rate: %.1f%% (%.1f%% + %.1f%%)\n\n",
		pct(c->miss[CS_DR][CS_LL] + c->miss[CS_DW][CS_LL], dref), pct(c->miss[CS_DR][CS_LL], c->refs[CS_DR]),
		pct(c->miss[CS_DW][CS_LL], c->refs[CS_DW]));
	int above = cs->l2 ? CS_L2 : CS_L1; // LL is referenced by the misses of the level above
	uint64_t llr_rd = c->miss[CS_IR][above] + c->miss[CS_DR][above], llr_wr = c->miss[CS_DW][above];
	uint64_t llm_rd = c->miss[CS_IR][CS_LL] + c->miss[CS_DR][CS_LL], llm_wr = c->miss[CS_DW][CS_LL];
	fprintf(f, "LL refs:       %s  (%s rd + %s wr)\n", commas(a, sizeof a, llr_rd + llr_wr), commas(b, sizeof b, llr_rd),
		commas(d, sizeof d, llr_wr));
	fprintf(f, "LL misses:     %s  (%s rd + %s wr)\n", commas(a, sizeof a, llm_rd + llm_wr), commas(b, sizeof b, llm_rd),
		commas(d, sizeof d, llm_wr));
	fprintf(f, "LL miss rate:  %.1f%% (%.1f%% + %.1f%%)\n\n",
		pct(llm_rd + llm_wr, c->refs[CS_IR] + dref), pct(llm_rd, c->refs[CS_IR] + c->refs[CS_DR]),
		pct(llm_wr, c->refs[CS_DW]));
	fprintf(f, "events: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw\n");
	fprintf(f, "summary: %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
		" %" PRIu64 "\n",
		c->refs[CS_IR], c->miss[CS_IR][0], c->miss[CS_IR][CS_LL], c->refs[CS_DR], c->miss[CS_DR][0],
		c->miss[CS_DR][CS_LL], c->refs[CS_DW], c->miss[CS_DW][0], c->miss[CS_DW][CS_LL]);
}

static const char *const field_names[] = {"Ir", "I1mr", "I2mr", "ILmr", "Dr", "D1mr", "D2mr", "DLmr",
					  "Dw", "D1mw", "D2mw", "DLmw"};

static void fields(const struct cs_counts *c, uint64_t v[12])
{
	for (int k = 0; k < CS__N; k++) {
		v[k * 4] = c->refs[k];
		for (int l = 0; l < CS_LEVELS; l++)
			v[k * 4 + 1 + l] = c->miss[k][l];
	}
}

int cmd_cachesim(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage_cachesim, stdout);
			return 0;
		}
	const char *machine = NULL, *trace = NULL, *format = "text";
	const char *geom_text[3] = {NULL, NULL, NULL}; // I1, D1, LL
	static const char *const geom_opt[3] = {"--I1", "--D1", "--LL"};
	int lenient = 0, stats = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;
		int g = -1;
		for (int k = 0; k < 3; k++) {
			size_t n = strlen(geom_opt[k]);
			if (!strncmp(a, geom_opt[k], n) && (a[n] == 0 || a[n] == '='))
				g = k;
		}
		if (g >= 0 || !strcmp(a, "--machine") || !strncmp(a, "--machine=", 10) || !strcmp(a, "--format") ||
		    !strncmp(a, "--format=", 9)) {
			const char *eq = strchr(a, '=');
			if (eq) {
				val = eq + 1;
			} else {
				if (++i >= argc)
					return usage_error("%s needs a value", a);
				val = argv[i];
			}
			if (g >= 0)
				geom_text[g] = val;
			else if (!strncmp(a, "--machine", 9))
				machine = val;
			else
				format = val;
		} else if (!strcmp(a, "--lenient")) {
			lenient = 1;
		} else if (!strcmp(a, "--stats")) {
			stats = 1;
		} else if (a[0] == '-' && a[1]) {
			return usage_error("unknown option '%s'", a);
		} else if (trace) {
			return usage_error("one trace at a time ('%s' is extra)", a);
		} else {
			trace = a;
		}
	}
	if (!trace)
		return usage_error("%s", "missing TRACE (or - for standard input)");
	if (strcmp(format, "text") && strcmp(format, "csv") && strcmp(format, "json"))
		return usage_error("unknown format '%s' (expected text, csv or json)", format);
	int custom = geom_text[0] || geom_text[1] || geom_text[2];
	if (custom && machine)
		return usage_error("%s", "--machine and --I1/--D1/--LL exclude each other");
	// The profile: the machine's hierarchy, or the defaults of the levels
	// --I1/--D1/--LL leave out (not read when all three are given).
	struct profile p;
	struct cfg_error err;
	memset(&p, 0, sizeof p);
	int all_custom = geom_text[0] && geom_text[1] && geom_text[2];
	if (!all_custom && profile_load(&p, machine ? machine : "modern", NULL, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	struct cachesim cs;
	char msg[400];
	if (custom) {
		// Unspecified levels default to the modern profile's, as LRU (cachegrind
		// fills them from the host's caches).
		struct cache_geom g[3] = {p.l1i, p.l1d, p.l3.present ? p.l3 : p.l2};
		for (int k = 0; k < 3; k++) {
			g[k].repl = REPL_LRU;
			int bad = geom_text[k] ? cachesim_parse_geom(geom_text[k], &g[k]) : 0;
			if (bad == -2) {
				fprintf(stderr, "osarch: %s '%s' is outside a machine profile's limits (expected size %llu..1G "
					"bytes, assoc 1..%u, line %u..%u bytes, at most %llu lines)\n", geom_opt[k],
					geom_text[k], CACHE_SIZE_MIN, CACHE_ASSOC_MAX, CACHE_LINE_MIN, CACHE_LINE_MAX,
					CACHE_LINES_MAX);
				return 2;
			}
			if (bad) {
				fprintf(stderr, "osarch: %s '%s' is not SIZE,ASSOC,LINE (e.g. 32768,8,64 or 32K,8,64)\n",
					geom_opt[k], geom_text[k]);
				return 2;
			}
		}
		if (cachesim_init(&cs, &g[0], &g[1], &g[2], msg, sizeof msg)) {
			fprintf(stderr, "osarch: %s\n", msg);
			return 2;
		}
	} else if (cachesim_init_profile(&cs, &p, msg, sizeof msg)) {
		fprintf(stderr, "osarch: machine %s: %s\n", p.name, msg);
		return 2;
	}
	struct trace_reader r;
	if (trace_open(&r, trace, lenient, msg, sizeof msg)) {
		fprintf(stderr, "%s\n", msg);
		cachesim_free(&cs);
		return strstr(msg, "out of memory") ? 1 : 2;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = cachesim_run(&cs, &r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc) {
		fprintf(stderr, "%s\n", r.error);
	} else {
		if (r.skipped)
			fprintf(stderr, "osarch: skipped %" PRIu64 " malformed lines; the first: %s\n", r.skipped, r.error);
		if (stats) {
			double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
			fprintf(stderr, "cachesim: %" PRIu64 " lines in %.3f s: %.1f million lines/s\n", r.line, s,
				s > 0 ? (double)r.line / s / 1e6 : 0);
		}
		uint64_t v[12];
		fields(&cs.c, v);
		if (!strcmp(format, "text")) {
			print_text(stdout, &cs, r.name);
		} else if (!strcmp(format, "csv")) {
			printf("lines,skipped,syscalls");
			for (int k = 0; k < 12; k++)
				printf(",%s", field_names[k]);
			printf("\n%" PRIu64 ",%" PRIu64 ",%" PRIu64, cs.c.lines, cs.c.skipped, cs.c.syscalls);
			for (int k = 0; k < 12; k++)
				printf(",%" PRIu64, v[k]);
			printf("\n");
		} else {
			printf("{\"trace\": ");
			json_put_str(stdout, r.name);
			printf(", \"lines\": %" PRIu64 ", \"skipped\": %" PRIu64 ", \"syscalls\": %" PRIu64, cs.c.lines,
			       cs.c.skipped, cs.c.syscalls);
			for (int k = 0; k < 12; k++)
				printf(", \"%s\": %" PRIu64, field_names[k], v[k]);
			printf("}\n");
		}
		if (fflush(stdout) || ferror(stdout)) {
			fprintf(stderr, "osarch: cannot write the output\n");
			rc = 1;
		}
	}
	trace_close(&r);
	cachesim_free(&cs);
	return rc;
}
