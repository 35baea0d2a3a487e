// calprofile.c: `osarch calibrate`'s outputs: the measured host written as
// a machine profile (the event costs fitted by one stated rule), the
// results.csv and host.txt files, and --compare, the model against them.
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <papi.h>

#include "experiment.h"
#include "walk.h"
#include "calibrateshared.h"


// ---------------------------------------------------------------- the profile

static void size_text(uint64_t v, char *out, size_t n)
{
	if (v && v % (1ull << 30) == 0)
		snprintf(out, n, "%lluG", (unsigned long long)(v >> 30));
	else if (v && v % MIB == 0)
		snprintf(out, n, "%lluM", (unsigned long long)(v / MIB));
	else if (v && v % KIB == 0)
		snprintf(out, n, "%lluK", (unsigned long long)(v / KIB));
	else
		snprintf(out, n, "%llu", (unsigned long long)v);
}

static const char *yesno(int b)
{
	return b ? "true" : "false";
}

// "key: value" at the indentation of its group, then "# note" in column 26.
static void field(FILE *f, const struct cal_notes *n, const char *group, const char *key,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void field(FILE *f, const struct cal_notes *n, const char *group, const char *key,
		  const char *fmt, ...)
{
	char value[400], dotted[64], line[480];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(value, sizeof value, fmt, ap);
	va_end(ap);
	snprintf(dotted, sizeof dotted, "%s%s%s", group ? group : "", group ? "." : "", key);
	int len = snprintf(line, sizeof line, "%s%s: %s", group ? "  " : "", key, value);
	const char *note = cal_note_of(n, dotted);
	fprintf(f, "%s%*s # %s\n", line, len < 24 ? 24 - len : 0, "", note ? note : "(no note)");
}

static void group_head(FILE *f, const struct cal_notes *n, const char *group)
{
	const char *note = cal_note_of(n, group);
	if (note)
		fprintf(f, "%s:%*s # %s\n", group, (int)(23 - strlen(group)), "", note);
	else
		fprintf(f, "%s:\n", group);
}

// A YAML double-quoted scalar of printable text.
static void quoted(const char *s, char *out, size_t n)
{
	size_t o = 0;
	if (n < 3)
		return;
	out[o++] = '"';
	for (; *s && o + 4 < n; s++) {
		char c = (*s < 0x20 || *s > 0x7e) ? ' ' : *s;
		if (c == '"' || c == '\\')
			out[o++] = '\\';
		out[o++] = c;
	}
	out[o++] = '"';
	out[o] = '\0';
}

static void write_cache(FILE *f, const struct cal_notes *n, const char *g, const struct cache_geom *c)
{
	char sz[32];
	size_text(c->size, sz, sizeof sz);
	group_head(f, n, g);
	field(f, n, g, "size", "%s", sz);
	field(f, n, g, "assoc", "%u", c->assoc);
	field(f, n, g, "line", "%u", c->line);
	field(f, n, g, "latency", "%u", c->latency);
	field(f, n, g, "repl", "%s", c->repl == REPL_PLRU ? "plru" : "lru");
	field(f, n, g, "present", "%s", yesno(c->present));
}

static void write_tlb(FILE *f, const struct cal_notes *n, const char *g, const struct tlb_geom *t)
{
	group_head(f, n, g);
	field(f, n, g, "entries", "%u", t->entries);
	field(f, n, g, "assoc", "%u", t->assoc);
	field(f, n, g, "latency", "%u", t->latency);
	field(f, n, g, "present", "%s", yesno(t->present));
}

int cal_write_profile(FILE *f, const struct profile *p, const struct cal_notes *n)
{
	char q[600], sz[32];
	for (const char *l = n->header; *l;) {
		size_t len = strcspn(l, "\n");
		fprintf(f, "#%s%.*s\n", len ? " " : "", (int)len, l);
		l += len + (l[len] == '\n');
	}
	if (n->header[0])
		fprintf(f, "\n");
	quoted(p->name, q, sizeof q);
	field(f, n, NULL, "name", "%s", q);
	quoted(p->description, q, sizeof q);
	fprintf(f, "description: %s\n\n", q);
	field(f, n, NULL, "mhz", "%.10g", p->mhz);
	field(f, n, NULL, "address_bits", "%d", p->address_bits);
	field(f, n, NULL, "cpi", "%.10g", p->cpi);
	field(f, n, NULL, "insn_bytes", "%.10g", p->insn_bytes);
	field(f, n, NULL, "page_size", "%u", p->page_size);
	size_text(p->phys_mem, sz, sizeof sz);
	field(f, n, NULL, "phys_mem", "%s", sz);
	fprintf(f, "\n");
	field(f, n, NULL, "l1_unified", "%s", yesno(p->l1_unified));
	write_cache(f, n, "l1i", &p->l1i);
	write_cache(f, n, "l1d", &p->l1d);
	write_cache(f, n, "l2", &p->l2);
	write_cache(f, n, "l3", &p->l3);
	field(f, n, NULL, "dram_latency", "%u", p->dram_latency);
	fprintf(f, "\n");
	field(f, n, NULL, "tlb_unified", "%s", yesno(p->tlb_unified));
	write_tlb(f, n, "itlb", &p->itlb);
	write_tlb(f, n, "dtlb", &p->dtlb);
	write_tlb(f, n, "stlb", &p->stlb);
	fprintf(f, "\n");
	field(f, n, NULL, "global_pages", "%s", yesno(p->global_pages));
	field(f, n, NULL, "pcid", "%s", yesno(p->pcid));
	field(f, n, NULL, "vtx", "%s", yesno(p->vtx));
	field(f, n, NULL, "ept", "%s", yesno(p->ept));
	field(f, n, NULL, "vpid", "%s", yesno(p->vpid));
	field(f, n, NULL, "pwc", "%s", yesno(p->pwc));
	field(f, n, NULL, "walk_overhead", "%u", p->walk_overhead);
	fprintf(f, "\n");
	group_head(f, n, "events");
	const struct event_costs *e = &p->ev;
	field(f, n, "events", "trap_enter", "%u", e->trap_enter);
	field(f, n, "events", "trap_exit", "%u", e->trap_exit);
	field(f, n, "events", "exception", "%u", e->exception);
	field(f, n, "events", "interrupt", "%u", e->interrupt);
	field(f, n, "events", "cr3_write", "%u", e->cr3_write);
	field(f, n, "events", "tlb_flush", "%u", e->tlb_flush);
	field(f, n, "events", "vmexit", "%u", e->vmexit);
	field(f, n, "events", "vmentry", "%u", e->vmentry);
	field(f, n, "events", "hypercall", "%u", e->hypercall);
	field(f, n, "events", "ring_transition", "%u", e->ring_transition);
	return ferror(f) ? -1 : 0;
}

// Writes text to tmp (path.PID.tmp). Returns 0 or -1 (tmp removed).
int cal_write_tmp(const char *path, const char *text, size_t len, char *tmp, size_t n)
{
	if ((size_t)snprintf(tmp, n, "%s.%ld.tmp", path, (long)getpid()) >= n) {
		errno = ENAMETOOLONG;
		return -1;
	}
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	int bad = fwrite(text, 1, len, f) != len;
	bad |= fclose(f) != 0;
	if (bad)
		unlink(tmp);
	return bad ? -1 : 0;
}

int cal_write_atomic(const char *path, const char *text, size_t len)
{
	char tmp[CAL_PATH_MAX];
	if (cal_write_tmp(path, text, len, tmp, sizeof tmp) < 0)
		return -1;
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

// The rows the model has a workload for, and the model's name of it.
static const char *model_workload(const char *measured)
{
	static const char *const map[][2] = {
		{"null", "null"}, {"read", "read"}, {"write", "write"}, {"open-close", "open-close"},
		{"stat", "stat"}, {"pagefault", "pagefault"}, {"ipc-pingpong", "ipc-pingpong"},
		{"ctxsw", "ctxsw"}, {"ctxsw-yield", "ctxsw"}, {"fork", "fork"},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(map[i][0], measured))
			return map[i][1];
	return NULL;
}

static const struct cal_result *find_result(const struct cal_result *res, int n, const char *w)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(res[i].workload, w))
			return &res[i];
	return NULL;
}


void cal_counter_lists(struct calib *c, const struct cal_counters *ctr)
{
	c->counters_ok[0] = c->counters_missing[0] = '\0';
	for (int i = 0; i < ctr->n; i++)
		snprintf(c->counters_ok + strlen(c->counters_ok), sizeof c->counters_ok - strlen(c->counters_ok),
			 "%s%s", i ? " " : "", ctr->name[i]);
	for (int i = 0; i < ctr->nmissing; i++)
		snprintf(c->counters_missing + strlen(c->counters_missing),
			 sizeof c->counters_missing - strlen(c->counters_missing), "%s%s", i ? " " : "",
			 ctr->missing[i]);
}

static uint32_t ns_to_cycles(double ns, double mhz)
{
	double c = ns * mhz / 1000.0;
	return c < 1 ? 1 : (uint32_t)lround(c);
}

// The trap pair the model needs for its monolithic null call to cost the
// measured time: measured cycles - the model's own cycles for the call
// besides the trap's hardware part. Split 60:40 like `modern` (SYSCALL
// costs more than SYSRET); a fault's delivery (exception) and an interrupt's
// are set to trap_enter, so that a fault's hardware round trip (exception +
// trap_exit) costs the syscall's. Returns 0, 1 or 2.
static int fit_events(struct profile *p, struct cal_notes *nt, const struct calib *c,
		      struct cfg_error *err)
{
	const struct cal_result *null = find_result(c->res, c->n, "null");
	const char *base = c->base_name;
	cal_note(nt, "events.cr3_write", "not measured (MOV CR3 needs ring 0): %s's value", base);
	cal_note(nt, "events.tlb_flush", "not measured (INVLPG needs ring 0): %s's value", base);
	const char *novm = p->vtx ? "not measured: %s's value" :
				    "not measured (no VT-x/SVM visible on this host): %s's value";
	char vm[160];
	snprintf(vm, sizeof vm, novm, base);
	cal_note(nt, "events.vmexit", "%s", vm);
	cal_note(nt, "events.vmentry", "%s", vm);
	cal_note(nt, "events.hypercall", "%s", vm);
	cal_note(nt, "events.ring_transition", "not measured (needs a ring-1 guest): %s's value", base);
	if (!null) {
		cal_note(nt, "events.trap_enter", "not fitted (null was not measured): %s's value", base);
		cal_note(nt, "events.trap_exit", "not fitted (null was not measured): %s's value", base);
		cal_note(nt, "events.exception", "not fitted: %s's value", base);
		cal_note(nt, "events.interrupt", "not fitted: %s's value", base);
		return 0;
	}
	struct model m;
	int rc = cal_model_open(&m, err);
	if (rc)
		return rc;
	struct run_result r;
	uint32_t pair0 = p->ev.trap_enter + p->ev.trap_exit;
	if ((rc = cal_model_run(&m, "null", p, &r, err))) {
		cal_model_free(&m);
		return rc;
	}
	double measured = null->usec * p->mhz;
	double own = r.cycles - pair0;
	long pair = lround(measured - own);
	int clamped = pair < 2;
	if (clamped)
		pair = 2;
	p->ev.trap_enter = (uint32_t)lround(pair * 0.6);
	p->ev.trap_exit = (uint32_t)pair - p->ev.trap_enter;
	p->ev.exception = p->ev.interrupt = p->ev.trap_enter;
	rc = cal_model_run(&m, "null", p, &r, err);
	cal_model_free(&m);
	if (rc)
		return rc;
	cal_note(nt, "events.trap_enter",
		 "fitted %s: measured null %.4f us x %.0f MHz = %.0f cycles; the model's monolithic null "
		 "without the trap pair = %.0f cycles; pair = %ld%s, 60%% here",
		 c->h.date, null->usec, p->mhz, measured, own, pair,
		 clamped ? " (clamped: the model's path alone exceeds the measurement)" : "");
	cal_note(nt, "events.trap_exit", "fitted with trap_enter: the other 40%% of the pair (model null now %.4f us)",
		 r.usec);
	cal_note(nt, "events.exception",
		 "rule, not measured: = trap_enter, so a fault's hardware round trip (exception + trap_exit) "
		 "costs the fitted syscall pair; the pagefault comparison tests it");
	cal_note(nt, "events.interrupt", "rule, not measured: = trap_enter (as exception)");
	return 0;
}

// Builds the profile from the measurements, with a note on every value.
int cal_host_profile(struct profile *p, struct cal_notes *nt, const struct calib *c,
			const char *name, struct cfg_error *err)
{
	const struct host *h = &c->h;
	const char *base = c->base_name;
	*p = c->base;
	snprintf(p->name, sizeof p->name, "%s", name);
	char kshort[120];
	snprintf(kshort, sizeof kshort, "%.119s", h->kernel);
	kshort[strcspn(kshort, "#")] = '\0';
	for (size_t k = strlen(kshort); k && kshort[k - 1] == ' ';)
		kshort[--k] = '\0';
	snprintf(p->description, sizeof p->description,
		 "This host, measured by osarch calibrate on %s: %s%s%s, %s, KPTI %s", h->date, h->cpu,
		 h->hypervisor[0] ? " under " : "", h->hypervisor, kshort, h->pti ? "on" : "off");
	cal_printable(p->description);
	cal_note(nt, "name", "machine-specific: written by osarch calibrate, not a shipped profile");
	p->mhz = c->mhz;
	cal_note(nt, "mhz", "%s", c->mhz_how);
	p->address_bits = 64;
	cal_note(nt, "address_bits", "x86-64 host: 4-level page tables%s",
		 cal_has_flag(h->flags, "la57") ? " (la57 present: 5 levels possible; the model has 4)" : "");
	cal_note(nt, "cpi", "not measured (no cycle and instruction counters%s): %s's value",
		 c->counters_ok[0] ? " for kernel code" : " on this host", base);
	cal_note(nt, "insn_bytes", "not measured: %s's value", base);
	p->page_size = 4096;
	cal_note(nt, "page_size", "sysconf(_SC_PAGESIZE) = %ld", sysconf(_SC_PAGESIZE));
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	if (pages > 0 && psz > 0) {
		p->phys_mem = (uint64_t)pages * (uint64_t)psz / MIB * MIB;
		if (p->phys_mem < MIB)
			p->phys_mem = MIB;
		cal_note(nt, "phys_mem", "sysconf(_SC_PHYS_PAGES) x page size, rounded down to MiB");
	} else {
		cal_note(nt, "phys_mem", "sysconf(_SC_PHYS_PAGES) failed: %s's value", base);
	}
	p->l1_unified = 0;
	cal_note(nt, "l1_unified", "separate L1 instruction and data caches (%s)", c->g.csrc[G_L1I]);
	struct cache_geom *pc[G__N] = {&p->l1i, &p->l1d, &p->l2, &p->l3};
	const int base_repl[G__N] = {c->base.l1i.repl, c->base.l1d.repl, c->base.l2.repl, c->base.l3.repl};
	for (int k = 0; k < G__N; k++) {
		char key[32];
		*pc[k] = c->g.c[k];
		const char *src = c->g.csrc[k];
		snprintf(key, sizeof key, "%s.size", cal_cache_names[k]);
		cal_note(nt, key, "%s", src);
		snprintf(key, sizeof key, "%s.assoc", cal_cache_names[k]);
		cal_note(nt, key, "%s", c->g.cfound[k] ? "same source as size" : src);
		snprintf(key, sizeof key, "%s.line", cal_cache_names[k]);
		cal_note(nt, key, "%s", c->g.cfound[k] ? "same source as size" : src);
		snprintf(key, sizeof key, "%s.repl", cal_cache_names[k]);
		if (pc[k]->repl != base_repl[k])
			cal_note(nt, key, "not observable from user space; LRU because the model's tree PLRU "
				 "needs a power-of-two number of ways (%u here)", pc[k]->assoc);
		else
			cal_note(nt, key, "not observable from user space: %s's assumption", base);
		snprintf(key, sizeof key, "%s.present", cal_cache_names[k]);
		cal_note(nt, key, "%s", c->g.cfound[k] ? "reported by the host" : "as the base profile");
	}
	// Latencies: measured load-to-use times of a pointer chase x the clock.
	const int lat_of[G__N] = {LAT_L1, LAT_L1, LAT_L2, LAT_L3};
	const uint32_t base_lat[G__N] = {c->base.l1i.latency, c->base.l1d.latency, c->base.l2.latency,
					 c->base.l3.latency};
	for (int k = 0; k < G__N; k++) {
		char key[32];
		snprintf(key, sizeof key, "%s.latency", cal_cache_names[k]);
		int li = lat_of[k];
		if (c->lat.ns[li] > 0) {
			pc[k]->latency = ns_to_cycles(c->lat.ns[li], p->mhz);
			cal_note(nt, key, "measured %s: dependent loads in random order through %zu KiB: %.2f ns x "
				 "%.0f MHz%s", h->date, c->lat.ws[li] / 1024, c->lat.ns[li], p->mhz,
				 k == G_L1I ? " (the L1D figure; fetch hits are pipelined)" : "");
		} else {
			pc[k]->latency = base_lat[k];
			cal_note(nt, key, "not measured (%s): %s's value",
				 c->quick ? "--quick" : "no working set for this level", base);
		}
	}
	if (c->lat.ns[LAT_DRAM] > 0) {
		p->dram_latency = ns_to_cycles(c->lat.ns[LAT_DRAM], p->mhz);
		cal_note(nt, "dram_latency", "measured %s: dependent loads in random order through %zu MiB "
			 "(2 MiB pages if THP allows: few TLB misses): %.1f ns x %.0f MHz", h->date,
			 (size_t)(c->lat.ws[LAT_DRAM] / MIB), c->lat.ns[LAT_DRAM], p->mhz);
	} else {
		cal_note(nt, "dram_latency", "not measured (%s): %s's value", c->quick ? "--quick" : "failed",
			 base);
	}
	p->tlb_unified = 0;
	cal_note(nt, "tlb_unified", "separate instruction and data TLBs");
	struct tlb_geom *pt[T__N] = {&p->itlb, &p->dtlb, &p->stlb};
	for (int k = 0; k < T__N; k++) {
		char key[32];
		*pt[k] = c->g.t[k];
		snprintf(key, sizeof key, "%s.entries", cal_tlb_names[k]);
		cal_note(nt, key, "%s", c->g.tsrc[k]);
		snprintf(key, sizeof key, "%s.assoc", cal_tlb_names[k]);
		cal_note(nt, key, "%s", c->g.tfound[k] ? "same source as entries" : c->g.tsrc[k]);
		snprintf(key, sizeof key, "%s.latency", cal_tlb_names[k]);
		cal_note(nt, key, k == T_STLB ? "not measured: %s's value" : "a hit adds nothing (as %s)", base);
		snprintf(key, sizeof key, "%s.present", cal_tlb_names[k]);
		cal_note(nt, key, "%s", c->g.tfound[k] ? "reported by the host" : "as the base profile");
	}
	const char *fl = h->flags;
	p->global_pages = cal_has_flag(fl, "pge");
	cal_note(nt, "global_pages", "/proc/cpuinfo flag pge %s%s", p->global_pages ? "present" : "absent",
		 h->pti ? " (with KPTI the kernel's mappings are not all global)" : "");
	p->pcid = cal_has_flag(fl, "pcid");
	cal_note(nt, "pcid", "/proc/cpuinfo flag pcid %s%s", p->pcid ? "present" : "absent",
		 !p->pcid && h->pti ? ": every KPTI CR3 switch flushes the TLB" : "");
	p->vtx = cal_has_flag(fl, "vmx") || cal_has_flag(fl, "svm");
	cal_note(nt, "vtx", "/proc/cpuinfo flags vmx/svm %s", p->vtx ? "present" : "absent");
	p->ept = p->vtx && (cal_has_flag(fl, "ept") || cal_has_flag(fl, "npt"));
	cal_note(nt, "ept", "/proc/cpuinfo flags ept/npt %s", p->ept ? "present" : "absent");
	p->vpid = p->vtx && (cal_has_flag(fl, "vpid") || cal_has_flag(fl, "svm"));
	cal_note(nt, "vpid", "/proc/cpuinfo flag vpid (or svm: ASIDs) %s", p->vpid ? "present" : "absent");
	cal_note(nt, "pwc", "not observable from user space: %s's value", base);
	cal_note(nt, "walk_overhead", "not measured: %s's value", base);
	cal_note(nt, "events", "hardware part of each event, cycles at mhz");
	return fit_events(p, nt, c, err);
}

void cal_profile_head(struct cal_notes *nt, const struct calib *c, const char *path)
{
	const struct host *h = &c->h;
	cal_note_head(nt, "%s: this host, measured by `osarch calibrate%s` on %s.", path,
		      c->quick ? " --quick" : "", h->date);
	cal_note_head(nt, "Machine-specific: not a shipped profile (configs/machines/host.yaml is in .gitignore).");
	cal_note_head(nt, "%s", "");
	cal_note_head(nt, "CPU:         %s (%s%s%s)%s%s", h->cpu, h->vendor, h->family[0] ? " " : "", h->family,
		      h->hypervisor[0] ? ", hypervisor " : "", h->hypervisor);
	cal_note_head(nt, "kernel:      %s", h->kernel);
	cal_note_head(nt, "KPTI:        %s", h->pti ? "on (meltdown: Mitigation: PTI)" : "off");
	cal_note_head(nt, "mitigations: %s", h->mitigations[0] ? h->mitigations : "none reported");
	cal_note_head(nt, "counters:    %s%s%s", c->counters_ok[0] ? c->counters_ok : "none",
		      c->counters_missing[0] ? "; missing: " : "", c->counters_missing);
	cal_note_head(nt, "clock:       %s", c->papi_ok ? "PAPI_get_real_nsec" : "CLOCK_MONOTONIC");
	cal_note_head(nt, "%s", "");
	cal_note_head(nt, "Measured per call (lmbench's method: warm-up, the empty loop's time subtracted,");
	cal_note_head(nt, "the minimum of %d trials; pinned to CPU %d%s; details in results/calibrate/):",
		      c->n ? c->res[0].trials : 0, c->cpu, c->nice_set ? ", nice -20" : "");
	for (int i = 0; i < c->n; i++)
		cal_note_head(nt, "  %-13s %9.4f us  (median %.4f, %ld calls per trial)", c->res[i].workload,
			      c->res[i].usec, c->res[i].median_usec, c->res[i].iters);
	cal_note_head(nt, "%s", "");
	cal_note_head(nt, "Rule for the event costs: trap_enter + trap_exit are fitted so that the model's");
	cal_note_head(nt, "monolithic null call costs the measured one; exception = interrupt = trap_enter.");
	cal_note_head(nt, "Everything else measured here is a test of the model, not an input to it.");
	cal_note_head(nt, "Values not measured come from the `%s` profile and say so.", c->base_name);
}

// ---------------------------------------------------------------- files

void cal_csv(FILE *f, const struct cal_result *res, int n, const struct cal_counters *c)
{
	fprintf(f, "workload,measured_usec,measured_cycles");
	for (int i = 0; cal_events[i]; i++)
		fprintf(f, ",%s", cal_events[i]);
	fprintf(f, ",median_usec,iters,trials,minflt_per_call,csw_per_call,method\n");
	for (int r = 0; r < n; r++) {
		const struct cal_result *x = &res[r];
		fprintf(f, "%s,%.4f,", x->workload, x->usec);
		if (x->cycles >= 0)
			fprintf(f, "%.1f", x->cycles);
		for (int i = 0; cal_events[i]; i++) {
			fprintf(f, ",");
			for (int k = 0; c && k < c->n && k < x->ncounters; k++)
				if (!strcmp(c->name[k], cal_events[i]))
					fprintf(f, "%.2f", x->counter[k]);
		}
		fprintf(f, ",%.4f,%ld,%d,%.3f,%.3f,%s\n", x->median_usec, x->iters, x->trials, x->minflt,
			x->csw, x->method);
	}
}

void cal_host_txt(FILE *f, const struct calib *c, const char *profile_path, const char *tmpdir)
{
	const struct host *h = &c->h;
	fprintf(f, "date:        %s\n", h->date);
	fprintf(f, "cpu:         %s\n", h->cpu);
	fprintf(f, "vendor:      %s%s%s\n", h->vendor, h->family[0] ? ", " : "", h->family);
	fprintf(f, "hypervisor:  %s\n", h->hypervisor[0] ? h->hypervisor : "none reported");
	fprintf(f, "kernel:      %s\n", h->kernel);
	fprintf(f, "kpti:        %s\n", h->pti ? "on" : "off");
	fprintf(f, "mitigations (/sys/devices/system/cpu/vulnerabilities, entries other than \"Not affected\"):\n");
	for (const char *m = h->mitigations; *m;) {
		const char *bar = strstr(m, " | ");
		size_t len = bar ? (size_t)(bar - m) : strlen(m);
		fprintf(f, "  %.*s\n", (int)len, m);
		m += len + (bar ? 3 : 0);
	}
	fprintf(f, "clock:       %s\n", c->mhz_how);
	fprintf(f, "pinned cpu:  %d, %s\n", c->cpu, c->nice_set ? "nice -20 while measuring" : "priority unchanged (nice -20 not permitted)");
	if (c->papi_ok)
		fprintf(f, "timer:       PAPI_get_real_nsec (PAPI %d.%d.%d)\n", PAPI_VERSION_MAJOR(PAPI_VERSION),
			PAPI_VERSION_MINOR(PAPI_VERSION), PAPI_VERSION_REVISION(PAPI_VERSION));
	else
		fprintf(f, "timer:       CLOCK_MONOTONIC (PAPI_library_init failed)\n");
	fprintf(f, "counters:    %s\n", c->counters_ok[0] ? c->counters_ok : "none");
	fprintf(f, "missing:     %s\n", c->counters_missing[0] ? c->counters_missing : "none");
	fprintf(f, "counter domain: %s\n", c->domain_all ? "user and kernel" : "user only (or no counters)");
	for (int k = 0; k < G__N; k++) {
		char sz[32];
		size_text(c->g.c[k].size, sz, sizeof sz);
		fprintf(f, "%-4s  %s %u-way %u-byte lines%s: %s\n", cal_cache_names[k], sz, c->g.c[k].assoc,
			c->g.c[k].line, c->g.c[k].present ? "" : " (absent)", c->g.csrc[k]);
	}
	for (int k = 0; k < T__N; k++)
		fprintf(f, "%-4s  %u entries %u-way: %s\n", cal_tlb_names[k], c->g.t[k].entries, c->g.t[k].assoc,
			c->g.tsrc[k]);
	for (int i = 0; i < LAT__N; i++)
		if (c->lat.ns[i] > 0)
			fprintf(f, "latency %-4s %8zu KiB chase: %7.2f ns = %u cycles\n", cal_lat_names[i],
				c->lat.ws[i] / 1024, c->lat.ns[i], ns_to_cycles(c->lat.ns[i], c->mhz));
	fprintf(f, "temporary files: %s (%s)\n", tmpdir, h->fs[0] ? h->fs : "unknown file system");
	fprintf(f, "process:     VmSize %ld KiB, VmRSS %ld KiB (osarch itself: the parent in the fork row)\n",
		h->vmsize_kib, h->rss_kib);
	fprintf(f, "profile:     %s\n", profile_path);
}

// One "key,value" row; commas in a value become semicolons (no quoting).
static void host_row(FILE *f, const char *key, const char *value)
{
	fprintf(f, "%s,", key);
	for (const char *v = value; *v; v++)
		fputc(*v == ',' ? ';' : (*v == '\n' ? ' ' : *v), f);
	fputc('\n', f);
}

// The host facts of host.txt as a CSV, for the report's table.
void cal_host_csv(FILE *f, const struct calib *c)
{
	const struct host *h = &c->h;
	char buf[512];
	fprintf(f, "fact,value\n");
	host_row(f, "date", h->date);
	host_row(f, "cpu", h->cpu);
	snprintf(buf, sizeof buf, "%s%s%s", h->vendor, h->family[0] ? " " : "", h->family);
	host_row(f, "vendor", buf);
	host_row(f, "hypervisor", h->hypervisor[0] ? h->hypervisor : "none reported");
	host_row(f, "kernel", h->kernel);
	host_row(f, "kpti", h->pti ? "on" : "off");
	host_row(f, "mitigations", h->mitigations[0] ? h->mitigations : "none reported");
	host_row(f, "clock", c->mhz_how);
	host_row(f, "counters", c->counters_ok[0] ? c->counters_ok : "none (PAPI real-time clock only)");
}

// Writes what open_memstream collected through a temporary file and a rename.
int cal_commit_stream(char *text, size_t len, const char *path, struct cfg_error *err)
{
	int rc = text ? cal_write_atomic(path, text, len) : -1;
	if (rc < 0)
		cfg_msgf(err, "calibrate: cannot write %s: %s", path, strerror(errno));
	return rc;
}

// ---------------------------------------------------------------- compare

// The workload and measured_usec columns of results.csv. Returns the rows
// read, or -1 when the file cannot be read or has no such columns.
static int read_results(const char *path, struct cal_result *res, int max)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char line[2048];
	int n = -1;
	if (fgets(line, sizeof line, f) && !strncmp(line, "workload,measured_usec,", 23)) {
		n = 0;
		while (n < max && fgets(line, sizeof line, f)) {
			char *comma = strchr(line, ',');
			if (!comma || comma - line >= (long)sizeof res[n].workload)
				continue;
			memset(&res[n], 0, sizeof res[n]);
			memcpy(res[n].workload, line, (size_t)(comma - line));
			res[n].usec = strtod(comma + 1, NULL);
			n++;
		}
	}
	fclose(f);
	return n;
}

int cal_compare(const char *profile_path, const char *results_dir, FILE *out, struct cfg_error *err)
{
	char path[CAL_PATH_MAX];
	struct cal_result res[CAL_MAX_RESULTS];
	snprintf(path, sizeof path, "%s/results.csv", results_dir);
	int n = read_results(path, res, CAL_MAX_RESULTS);
	if (n < 0) {
		cfg_msgf(err, "%s: no calibration results (run `osarch calibrate` first)", path);
		return 2;
	}
	struct profile p;
	if (profile_load(&p, profile_path, NULL, err))
		return 2;
	struct model m;
	int rc = cal_model_open(&m, err);
	if (rc)
		return rc;
	char *text = NULL;
	size_t len = 0;
	FILE *csv = open_memstream(&text, &len);
	if (!csv) {
		cal_model_free(&m);
		cfg_msgf(err, "calibrate: out of memory");
		return 1;
	}
	fprintf(csv, "workload,measured_usec,simulated_usec,ratio\n");
	if (out)
		fprintf(out, "monolithic on %s (%.0f MHz) against this host\n%-13s %12s %13s %9s\n", p.name,
			p.mhz, "workload", "measured_us", "simulated_us", "sim/meas");
	for (int i = 0; i < n && rc == 0; i++) {
		const char *wl = model_workload(res[i].workload);
		if (!wl)
			continue;
		struct run_result r;
		if ((rc = cal_model_run(&m, wl, &p, &r, err)))
			break;
		double ratio = res[i].usec > 0 ? r.usec / res[i].usec : 0;
		fprintf(csv, "%s,%.4f,%.4f,%.3f\n", res[i].workload, res[i].usec, r.usec, ratio);
		if (out)
			fprintf(out, "%-13s %12.4f %13.4f %9.2f%s\n", res[i].workload, res[i].usec, r.usec, ratio,
				!strcmp(res[i].workload, "null") ? "  (fitted: trap_enter + trap_exit)"
				: ratio > 2 || (ratio > 0 && ratio < 0.5) ? "  off by more than 2x" : "");
	}
	cal_model_free(&m);
	fclose(csv);
	snprintf(path, sizeof path, "%s/compare.csv", results_dir);
	if (rc == 0 && cal_commit_stream(text, len, path, err) < 0)
		rc = 1;
	free(text);
	return rc;
}

