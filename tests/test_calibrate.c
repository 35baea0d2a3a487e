// test_calibrate.c: `osarch calibrate`: the measurement loop's arithmetic on a
// fake clock, absent counters, the written profile through the loader, and a
// short real measurement (null and read) within sanity bounds.
#include "testutil.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "calibrate.h"
#include "profile.h"

// ---------------------------------------------------------------- fakes

// A clock that returns scripted times, or (script NULL) a time that the
// body advances, plus `tick` after every read.
struct fake_clock {
	const uint64_t *script;
	int n, reads;
	uint64_t t, tick;
};

static uint64_t fake_now(void *ctx)
{
	struct fake_clock *f = ctx;
	uint64_t v = f->script ? f->script[f->reads < f->n ? f->reads : f->n - 1] : f->t;
	f->reads++;
	f->t += f->tick;
	return v;
}

// The body: `cost` ns of fake time and `insns` fake instructions per call.
struct fake_work {
	struct fake_clock *clk;
	uint64_t cost;
	long long insns, count, snapshot;
	int prepares, finishes, bodies;
	long disturb_n;       // the first run of this many calls takes disturb_ns more
	uint64_t disturb_ns;
};

static void fake_body(void *arg, long n)
{
	struct fake_work *w = arg;
	w->clk->t += w->cost * (uint64_t)n;
	if (w->disturb_n && n == w->disturb_n) {
		w->clk->t += w->disturb_ns;
		w->disturb_n = 0;
	}
	w->count += w->insns * n;
	w->bodies++;
}

static int fake_prepare(void *arg, long n)
{
	(void)n;
	((struct fake_work *)arg)->prepares++;
	return 0;
}

static void fake_finish(void *arg)
{
	((struct fake_work *)arg)->finishes++;
}

// A counter backend: only PAPI_TOT_INS adds (when `some`), or nothing does.
struct fake_ctr {
	struct fake_work *w;
	int some, adds_tried;
};

static int fake_add(void *ctx, const char *event)
{
	struct fake_ctr *c = ctx;
	c->adds_tried++;
	return c->some && !strcmp(event, "PAPI_TOT_INS") ? 0 : -7; // PAPI_ENOEVNT
}

static int fake_start(void *ctx)
{
	struct fake_ctr *c = ctx;
	c->w->snapshot = c->w->count;
	return 0;
}

static int fake_stop(void *ctx, long long *v)
{
	struct fake_ctr *c = ctx;
	v[0] = c->w->count - c->w->snapshot;
	return 0;
}

// ---------------------------------------------------------------- the loop

static void test_median(void **state)
{
	(void)state;
	const double odd[] = {5, 1, 3};
	const double even[] = {4, 1, 3, 2};
	assert_true(cal_median(odd, 3) == 3);
	assert_true(cal_median(even, 4) == 2.5); // (2 + 3) / 2
	assert_true(cal_median(odd, 1) == 5);
	assert_true(cal_median(odd, 0) == 0);
}

// Fixed iters = 10, 3 trials, no warm-up: 12 clock reads, scripted.
//   empty loop: 50, 40, 60 ns -> min 40 -> overhead 40/10 = 4 ns per call
//   trials:   1000, 1200, 900 -> 100-4 = 96, 120-4 = 116, 90-4 = 86 ns
//   min 86, median 96
static void test_fixed_iters_arithmetic(void **state)
{
	(void)state;
	static const uint64_t script[] = {
		0, 50, 100, 140, 200, 260,          // empty loop
		300, 1300, 2000, 3200, 4000, 4900,  // trials
	};
	struct fake_clock fc = {script, 12, 0, 0, 0};
	struct fake_work w = {.clk = &fc};
	struct cal_clock clk = {fake_now, &fc};
	struct cal_loop lp = {.iters = 10, .warmup = 0, .trials = 3};
	struct cal_op op = {"t", fake_prepare, fake_body, fake_finish, &w};
	struct cal_stat st;
	assert_int_equal(cal_measure(&clk, &lp, &op, NULL, &st), 0);
	assert_int_equal(fc.reads, 12);
	assert_int_equal(st.iters, 10);
	assert_int_equal(st.trials, 3);
	assert_true(st.overhead_ns == 4.0);
	assert_true(st.trial_ns[0] == 96.0);
	assert_true(st.trial_ns[1] == 116.0);
	assert_true(st.trial_ns[2] == 86.0);
	assert_true(st.min_ns == 86.0);
	assert_true(st.median_ns == 96.0);
	// prepare/finish around the 3 trials and the one counted run; the
	// empty loop has none.
	assert_int_equal(w.prepares, 4);
	assert_int_equal(w.finishes, 4);
	assert_int_equal(st.ncounters, 0);
}

// Even trials: the median is the mean of the two middle ones.
//   empty loop: 20 ns each -> overhead 2 ns per call (iters 10)
//   trials 1000, 1100, 1300, 1200 -> 98, 108, 128, 118 -> median (108+118)/2 = 113
static void test_even_trials_median(void **state)
{
	(void)state;
	static const uint64_t script[] = {
		0, 20, 20, 40, 40, 60, 60, 80,
		100, 1100, 1100, 2200, 2200, 3500, 3500, 4700,
	};
	struct fake_clock fc = {script, 16, 0, 0, 0};
	struct fake_work w = {.clk = &fc};
	struct cal_clock clk = {fake_now, &fc};
	struct cal_loop lp = {.iters = 10, .trials = 4};
	struct cal_op op = {"t", NULL, fake_body, NULL, &w};
	struct cal_stat st;
	assert_int_equal(cal_measure(&clk, &lp, &op, NULL, &st), 0);
	assert_true(st.overhead_ns == 2.0);
	assert_true(st.min_ns == 98.0);
	assert_true(st.median_ns == 113.0);
}

// Scaled iters: each call costs 100 ns of fake time; every clock read
// advances the clock by tick = 30 ns after returning.
//   A timed run of n calls measures 100n + 30 (the body, then the tick of
//   the first read). Scaling (target 1 ms, stop at >= 125000 ns): n = 1, 2,
//   ..., 1024 (102430 ns) < 125000; n = 2048: 204830 ns, repeated (the
//   same 204830 ns) -> iters = floor(2048 x 1000000 / 204830) = 9998.
//   The empty loop measures 30 ns -> overhead 30/9998 per call; a trial
//   measures 100 x 9998 + 30 -> per call exactly 100 + 30/9998 - 30/9998 = 100.
static void test_scaled_iters_overhead_subtracted(void **state)
{
	(void)state;
	struct fake_clock fc = {NULL, 0, 0, 0, 30};
	struct fake_work w = {.clk = &fc, .cost = 100};
	struct cal_clock clk = {fake_now, &fc};
	struct cal_loop lp = {.iters = 0, .warmup = 2, .trials = 5, .target_ns = 1000000};
	struct cal_op op = {"t", NULL, fake_body, NULL, &w};
	struct cal_stat st;
	assert_int_equal(cal_measure(&clk, &lp, &op, NULL, &st), 0);
	assert_int_equal(st.iters, 9998);
	assert_true(fabs(st.overhead_ns - 30.0 / 9998) < 1e-12);
	for (int t = 0; t < 5; t++)
		assert_true(fabs(st.trial_ns[t] - 100.0) < 1e-9);
	assert_true(fabs(st.min_ns - 100.0) < 1e-9);
	assert_true(fabs(st.median_ns - 100.0) < 1e-9);
	// 12 scaling runs (1..2048) + the repeat + 5 empty + 5 trials, two reads each.
	assert_int_equal(fc.reads, 2 * (12 + 1 + 5 + 5));
	// Bodies: 1 untimed first call, 13 scaling, 2 warm-up, 5 trials, 1 counted.
	assert_int_equal(w.bodies, 1 + 13 + 2 + 5 + 1);
}

// One disturbed scaling run (4 calls taking 1 ms more: a preemption) is
// repeated, found short (430 ns), and the doubling goes on: the same 9998
// calls as undisturbed, not 4 x 1000000 / 1000430 = 3.
static void test_scaling_ignores_one_outlier(void **state)
{
	(void)state;
	struct fake_clock fc = {NULL, 0, 0, 0, 30};
	struct fake_work w = {.clk = &fc, .cost = 100, .disturb_n = 4, .disturb_ns = 1000000};
	struct cal_clock clk = {fake_now, &fc};
	struct cal_loop lp = {.iters = 0, .trials = 3, .target_ns = 1000000};
	struct cal_op op = {"t", NULL, fake_body, NULL, &w};
	struct cal_stat st;
	assert_int_equal(cal_measure(&clk, &lp, &op, NULL, &st), 0);
	assert_int_equal(st.iters, 9998);
	assert_true(fabs(st.min_ns - 100.0) < 1e-9);
}

static void test_max_iters_bounds_scaling(void **state)
{
	(void)state;
	struct fake_clock fc = {NULL, 0, 0, 0, 0};
	struct fake_work w = {.clk = &fc, .cost = 10};
	struct cal_clock clk = {fake_now, &fc};
	struct cal_loop lp = {.iters = 0, .max_iters = 100, .trials = 3, .target_ns = 1000000000};
	struct cal_op op = {"t", NULL, fake_body, NULL, &w};
	struct cal_stat st;
	assert_int_equal(cal_measure(&clk, &lp, &op, NULL, &st), 0);
	assert_int_equal(st.iters, 100);
	assert_true(st.min_ns == 10.0);
}

static void test_bad_loop_refused(void **state)
{
	(void)state;
	struct fake_clock fc = {NULL, 0, 0, 0, 0};
	struct fake_work w = {.clk = &fc};
	struct cal_clock clk = {fake_now, &fc};
	struct cal_op op = {"t", NULL, fake_body, NULL, &w};
	struct cal_stat st;
	struct cal_loop none = {.iters = 10, .trials = 0};
	struct cal_loop many = {.iters = 10, .trials = CAL_MAX_TRIALS + 1};
	struct cal_loop untargeted = {.iters = 0, .trials = 3, .target_ns = 0};
	assert_int_equal(cal_measure(&clk, &none, &op, NULL, &st), -1);
	assert_int_equal(cal_measure(&clk, &many, &op, NULL, &st), -1);
	assert_int_equal(cal_measure(&clk, &untargeted, &op, NULL, &st), -1);
}

// ---------------------------------------------------------------- counters

// Every add fails (a VM without counters): no counter is kept, every one is
// reported missing, and the measurement still succeeds on the clock alone.
static void test_absent_counters(void **state)
{
	(void)state;
	struct fake_clock fc = {NULL, 0, 0, 0, 0};
	struct fake_work w = {.clk = &fc, .cost = 50, .insns = 7};
	struct fake_ctr fctr = {&w, 0, 0};
	struct cal_counter_backend be = {fake_add, fake_start, fake_stop, &fctr};
	struct cal_counters c;
	cal_counters_open(&c, &be, cal_events);
	assert_int_equal(c.n, 0);
	assert_int_equal(c.nmissing, 6);
	assert_int_equal(fctr.adds_tried, 6);
	assert_string_equal(c.missing[0], "PAPI_TOT_CYC");
	assert_string_equal(c.missing[5], "PAPI_TLB_DM");
	struct cal_clock clk = {fake_now, &fc};
	struct cal_loop lp = {.iters = 20, .trials = 3};
	struct cal_op op = {"t", NULL, fake_body, NULL, &w};
	struct cal_stat st;
	assert_int_equal(cal_measure(&clk, &lp, &op, &c, &st), 0);
	assert_int_equal(st.ncounters, 0);
	assert_true(st.min_ns == 50.0);
	// A result built from it has no cycles: the CSV leaves them empty.
	struct cal_result r = {.workload = "null", .usec = 0.05, .median_usec = 0.05, .iters = 20,
			       .trials = 3, .cycles = -1, .method = "m"};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	cal_csv(f, &r, 1, &c);
	fclose(f);
	assert_non_null(strstr(text, "workload,measured_usec,measured_cycles,PAPI_TOT_CYC,"));
	assert_non_null(strstr(text, "\nnull,0.0500,,,,,,,,0.0500,20,3,"));
	free(text);
}

// No backend at all: the same.
static void test_no_backend(void **state)
{
	(void)state;
	struct cal_counters c;
	cal_counters_open(&c, NULL, cal_events);
	assert_int_equal(c.n, 0);
	assert_int_equal(c.nmissing, 6);
}

// One counter adds: its per-call value is (counted run - counted empty run)
// / iters = (7 x 20 - 0) / 20 = 7 instructions per call.
static void test_present_counter(void **state)
{
	(void)state;
	struct fake_clock fc = {NULL, 0, 0, 0, 0};
	struct fake_work w = {.clk = &fc, .cost = 50, .insns = 7};
	struct fake_ctr fctr = {&w, 1, 0};
	struct cal_counter_backend be = {fake_add, fake_start, fake_stop, &fctr};
	struct cal_counters c;
	cal_counters_open(&c, &be, cal_events);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.name[0], "PAPI_TOT_INS");
	assert_int_equal(c.nmissing, 5);
	struct cal_clock clk = {fake_now, &fc};
	struct cal_loop lp = {.iters = 20, .trials = 3};
	struct cal_op op = {"t", NULL, fake_body, NULL, &w};
	struct cal_stat st;
	assert_int_equal(cal_measure(&clk, &lp, &op, &c, &st), 0);
	assert_int_equal(st.ncounters, 1);
	assert_true(st.counter[0] == 7.0);
}

// ---------------------------------------------------------------- the profile

static void write_and_load(const struct profile *p, const struct cal_notes *n, struct profile *out)
{
	char path[] = "/tmp/osarch-cal-XXXXXX.yaml";
	int fd = mkstemps(path, 5);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(cal_write_profile(f, p, n), 0);
	fclose(f);
	struct cfg_error err = {{0}};
	int rc = profile_load(out, path, NULL, &err);
	if (rc)
		fail_msg("%s", err.msg);
	assert_int_equal(profile_check(out, &err), 0);
	unlink(path);
}

// Every field the writer writes comes back: the loaded profile equals the
// one written, byte for byte (both start from profile_defaults' zeroed
// padding).
static void test_profile_round_trip(void **state)
{
	(void)state;
	struct profile p, q;
	profile_defaults(&p);
	// The loader zero-fills a string's buffer past its end: so do we.
	memset(p.name, 0, sizeof p.name);
	memset(p.description, 0, sizeof p.description);
	snprintf(p.name, sizeof p.name, "host");
	snprintf(p.description, sizeof p.description, "a \"quoted\" host: C:\\x # not a comment");
	p.mhz = 3256;
	p.cpi = 1.25;
	p.insn_bytes = 4.0;
	p.phys_mem = 24105ull << 20;
	p.l1d = (struct cache_geom){1, 48 << 10, 12, 64, 4, REPL_LRU};
	p.l1i = (struct cache_geom){1, 32 << 10, 8, 64, 4, REPL_PLRU};
	p.l2 = (struct cache_geom){1, 1 << 20, 8, 64, 11, REPL_PLRU};
	p.l3 = (struct cache_geom){1, 256u << 20, 16, 64, 23, REPL_PLRU};
	p.dram_latency = 175;
	p.itlb = (struct tlb_geom){1, 64, 64, 0};
	p.dtlb = (struct tlb_geom){1, 96, 96, 0};
	p.stlb = (struct tlb_geom){1, 128, 8, 9};
	p.pcid = 0;
	p.vtx = p.ept = p.vpid = 0;
	p.ev.trap_enter = 2077;
	p.ev.trap_exit = 1385;
	p.ev.exception = 2077;
	p.ev.interrupt = 2077;
	struct cal_notes *n = calloc(1, sizeof *n);
	assert_non_null(n);
	cal_note_head(n, "host: a test profile");
	cal_note_head(n, "%s", "");
	cal_note_head(n, "measured: null 1.0 us");
	cal_note(n, "mhz", "measured: a # in a note, and a \"quote\"");
	cal_note(n, "l1d.size", "CPUID 0x80000005 ECX\nsecond line becomes a space");
	cal_note(n, "events.trap_enter", "fitted");
	assert_string_equal(cal_note_of(n, "l1d.size"), "CPUID 0x80000005 ECX second line becomes a space");
	assert_null(cal_note_of(n, "l2.size"));
	write_and_load(&p, n, &q);
	assert_string_equal(q.description, p.description);
	assert_true(q.mhz == 3256);
	assert_int_equal(q.l1d.assoc, 12);
	assert_int_equal(q.l3.size, 256u << 20);
	assert_int_equal(q.ev.trap_enter, 2077);
	assert_memory_equal(&q, &p, sizeof p);
	// An absent level stays absent.
	p.l3.present = 0;
	write_and_load(&p, n, &q);
	assert_int_equal(q.l3.present, 0);
	assert_memory_equal(&q, &p, sizeof p);
	free(n);
}

// Empty notes: every value still gets a comment.
static void test_profile_every_value_commented(void **state)
{
	(void)state;
	struct profile p;
	profile_defaults(&p);
	struct cal_notes *n = calloc(1, sizeof *n);
	assert_non_null(n);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(cal_write_profile(f, &p, n), 0);
	fclose(f);
	int lines = 0;
	for (char *l = text; *l; l = strchr(l, '\n') + 1) {
		size_t ll = strcspn(l, "\n");
		char *colon = memchr(l, ':', ll);
		// A "key: value" line (not a group head, not the description) has a comment.
		if (colon && colon + 1 < l + ll && strncmp(l, "description", 11))
			assert_non_null(memchr(l, '#', ll));
		lines++;
		if (!strchr(l, '\n'))
			break;
	}
	assert_true(lines > 50);
	free(text);
	free(n);
}

static void test_atomic_write(void **state)
{
	(void)state;
	char dir[] = "/tmp/osarch-cal-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof path, "%s/out.csv", dir);
	assert_int_equal(cal_write_atomic(path, "a,b\n", 4), 0);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char buf[16] = "";
	assert_non_null(fgets(buf, sizeof buf, f));
	fclose(f);
	assert_string_equal(buf, "a,b\n");
	// Nothing but out.csv is left in the directory.
	DIR *d = opendir(dir);
	int files = 0;
	for (struct dirent *e; (e = readdir(d));)
		files += e->d_name[0] != '.';
	closedir(d);
	assert_int_equal(files, 1);
	unlink(path);
	rmdir(dir);
}

// ---------------------------------------------------------------- the host

// A --quick measurement of null and read: every value positive and below
// a sanity bound (10 ms per call; speed is not asserted).
static void test_quick_null_read(void **state)
{
	(void)state;
	char dir[] = "/tmp/osarch-cal-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct cal_session s;
	assert_int_equal(cal_session_open(&s, NULL), 0);
	static const char *const only[] = {"null", "read", NULL};
	struct cal_opts o = {.quick = 1, .tmpdir = dir, .only = only, .log = NULL};
	struct cal_result res[CAL_MAX_RESULTS];
	int n = 0;
	struct cfg_error err = {{0}};
	int rc = cal_measure_host(&s, &o, res, &n, &err);
	cal_session_close(&s);
	if (rc)
		fail_msg("%s", err.msg);
	assert_int_equal(n, 2);
	assert_string_equal(res[0].workload, "null");
	assert_string_equal(res[1].workload, "read");
	for (int i = 0; i < n; i++) {
		assert_true(res[i].usec > 0);
		assert_true(res[i].usec < 1e4);
		assert_true(res[i].median_usec >= res[i].usec);
		assert_true(res[i].median_usec < 1e4);
		assert_true(res[i].iters >= 1);
		assert_int_equal(res[i].trials, 9);
		assert_true(res[i].minflt >= 0 && res[i].csw >= 0);
		// No counters on this kind of machine, or counters that add: either way
		// the figures are per call and the cycles column is absent or positive.
		assert_true(res[i].cycles < 0 || res[i].cycles > 0);
	}
	// The temporary files are gone: the directory is empty again.
	DIR *d = opendir(dir);
	int files = 0;
	for (struct dirent *e; (e = readdir(d));)
		files += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	assert_int_equal(files, 0);
	rmdir(dir);
}

static void test_compare_without_results(void **state)
{
	(void)state;
	struct cfg_error err = {{0}};
	assert_int_equal(cal_compare("configs/machines/modern.yaml", "/nonexistent/calibrate", NULL, &err), 2);
	assert_non_null(strstr(err.msg, "no calibration results"));
}

static void test_cli_usage(void **state)
{
	(void)state;
	char a0[] = "calibrate", help[] = "--help", bad[] = "--bogus", o[] = "-o", txt[] = "x.txt";
	char *h[] = {a0, help, NULL};
	char *b[] = {a0, bad, NULL};
	char *t[] = {a0, o, txt, NULL};
	char *m[] = {a0, o, NULL};
	FILE *saved = stdout;
	stdout = fopen("/dev/null", "w");
	FILE *saved_err = stderr;
	stderr = fopen("/dev/null", "w");
	int rh = cmd_calibrate(2, h), rb = cmd_calibrate(2, b), rt = cmd_calibrate(3, t),
	    rm = cmd_calibrate(2, m);
	fclose(stdout);
	fclose(stderr);
	stdout = saved;
	stderr = saved_err;
	assert_int_equal(rh, 0);
	assert_int_equal(rb, 2);
	assert_int_equal(rt, 2);
	assert_int_equal(rm, 2);
}

// Issue 17: the measured clock against the kernel's, 20% either way.
// 24,000 MHz is what a chain of one-cycle adds read on a 2,600 MHz KVM
// guest (recent cores fold several adds per cycle): +823%, refused.
static void test_clock_cross_check(void **state)
{
	(void)state;
	char msg[600] = "";
	assert_int_equal(cal_clock_agrees(2600, 2600, "k", msg, sizeof msg), 1);
	assert_int_equal(cal_clock_agrees(3100, 2600, "k", msg, sizeof msg), 1); // +19.2%
	assert_int_equal(cal_clock_agrees(2100, 2600, "k", msg, sizeof msg), 1); // -19.2%
	assert_int_equal(cal_clock_agrees(0, 2600, "k", msg, sizeof msg), 1);    // not measured
	assert_int_equal(cal_clock_agrees(2600, 0, "k", msg, sizeof msg), 1);    // no kernel figure
	assert_int_equal(cal_clock_agrees(2000, 2600, "k", msg, sizeof msg), 0); // -23%
	assert_non_null(strstr(msg, "differ by -23%"));
	assert_int_equal(cal_clock_agrees(24000, 2600, "/proc/cpuinfo cpu MHz", msg, sizeof msg), 0);
	assert_non_null(strstr(msg, "(24000 MHz"));
	assert_non_null(strstr(msg, "(2600 MHz, /proc/cpuinfo cpu MHz) differ by +823%"));
	assert_non_null(strstr(msg, "no profile written"));
}

static const char *osarch_bin(void)
{
	char self[512];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	self[n > 0 ? n : 0] = 0;
	return strstr(self, "build-asan") ? "build-asan/osarch" : "build/osarch";
}

// Issue 17: what `osarch calibrate` writes always loads. It used to time
// one-cycle adds, read 11-21 GHz and write a profile its own loader refused
// (mhz is at most 10,000). Now: exit 0 and a profile that loads, or exit 1
// with the clock check's message and nothing written; with --accept-clock,
// exit 0 and a profile that loads whatever the kernel says.
static void test_written_profile_loads(void **state)
{
	(void)state;
	char dir[] = "/tmp/osarch-tcal.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char cmd[1024], prof[128], errf[128];
	snprintf(prof, sizeof prof, "%s/host.yaml", dir);
	snprintf(errf, sizeof errf, "%s/stderr", dir);
	for (int accept = 0; accept < 2; accept++) {
		snprintf(cmd, sizeof cmd, "%s calibrate --quick %s -o %s --results %s/r >/dev/null 2>%s", osarch_bin(),
			 accept ? "--accept-clock" : "", prof, dir, errf);
		int st = system(cmd);
		assert_true(WIFEXITED(st));
		int rc = WEXITSTATUS(st);
		char msg[4096] = "";
		FILE *f = fopen(errf, "r");
		if (f) {
			msg[fread(msg, 1, sizeof msg - 1, f)] = 0;
			fclose(f);
		}
		if (rc == 1 && !accept && strstr(msg, "no profile written")) {
			assert_int_equal(access(prof, F_OK), -1);
			continue;
		}
		if (rc != 0)
			fail_msg("calibrate%s: exit %d: %s", accept ? " --accept-clock" : "", rc, msg);
		struct profile p;
		struct cfg_error err;
		if (profile_load(&p, prof, NULL, &err) || profile_check(&p, &err))
			fail_msg("%s", err.msg);
		assert_true(p.mhz >= 1 && p.mhz <= 10000);
		unlink(prof);
	}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median),
		cmocka_unit_test(test_fixed_iters_arithmetic),
		cmocka_unit_test(test_even_trials_median),
		cmocka_unit_test(test_scaled_iters_overhead_subtracted),
		cmocka_unit_test(test_scaling_ignores_one_outlier),
		cmocka_unit_test(test_max_iters_bounds_scaling),
		cmocka_unit_test(test_bad_loop_refused),
		cmocka_unit_test(test_absent_counters),
		cmocka_unit_test(test_no_backend),
		cmocka_unit_test(test_present_counter),
		cmocka_unit_test(test_profile_round_trip),
		cmocka_unit_test(test_profile_every_value_commented),
		cmocka_unit_test(test_atomic_write),
		cmocka_unit_test(test_quick_null_read),
		cmocka_unit_test(test_compare_without_results),
		cmocka_unit_test(test_cli_usage),
		cmocka_unit_test(test_clock_cross_check),
		cmocka_unit_test(test_written_profile_loads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
