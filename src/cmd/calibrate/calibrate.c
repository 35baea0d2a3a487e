// calibrate.c: `osarch calibrate`: this host measured (lmbench's method, PAPI's
// clock and, where the machine has them, its counters), written as a machine
// profile, and the monolithic model run on that profile against the figures.
//
// Notes:
//  - Every measurement runs pinned to one CPU (the one the process is on when
//    the session opens): the model is one processor, so the pipe round trip,
//    the context switch and fork are measured without a second CPU to run the
//    peer or the child. The original affinity is restored at the end. The
//    process runs at nice -20 when it may (restored too): other load on that
//    CPU then takes ~1% of it. Trials are many (32) and short (~10 ms), so
//    that some fall within one time slice.
//  - The figure used is the minimum per call over the trials (the median is
//    recorded too): on a shared machine the minimum is the trial least
//    disturbed by other load.
//  - ctxsw is lmbench lat_ctx's: the pipe round trip between two processes on
//    one CPU minus the same two writes and two reads done in one process
//    (row pipe-local); ctxsw-yield is the model's own definition (two
//    sched_yield calls, each switching) measured directly.
//  - Counters: the six PAPI presets are tried one by one; those that do not
//    add are reported on the log and their columns stay empty. Minor faults
//    and context switches per call come from getrusage, which needs nothing.
//  - The event costs of the profile are set by one stated rule (see
//    fit_events): trap_enter + trap_exit make the model's monolithic null call
//    equal to the measured one; everything else is a test, not a fit.
#define _GNU_SOURCE
#include "calibrate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <papi.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define CAL_X86 1
#endif

#include "experiment.h"
#include "walk.h"

_Static_assert(sizeof(cpu_set_t) <= sizeof(((struct cal_session *)0)->saved_mask),
	       "saved_mask holds a cpu_set_t");

#define KIB 1024ull
#define MIB (1024ull * 1024ull)
#define SANE_USEC 1e5 // no measured call may take 100 ms: something is wrong then

// ---------------------------------------------------------------- clock

uint64_t cal_real_ns(void *ctx)
{
	if (ctx)
		return (uint64_t)PAPI_get_real_nsec();
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double cal_median(const double *v, int n)
{
	double s[CAL_MAX_TRIALS];
	if (n <= 0)
		return 0;
	if (n > CAL_MAX_TRIALS)
		n = CAL_MAX_TRIALS;
	memcpy(s, v, (size_t)n * sizeof *s);
	qsort(s, (size_t)n, sizeof *s, cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

// ---------------------------------------------------------------- the loop

// The loop every body has, with nothing in it: its cost is the overhead.
static void empty_body(void *arg, long iters)
{
	(void)arg;
	for (long i = 0; i < iters; i++)
		__asm__ __volatile__("" ::: "memory");
}

// One run of body: prepare, (clock), body, (clock), finish. Returns the
// clock difference, or -1 when prepare failed.
static int64_t one_run(const struct cal_clock *clk, const struct cal_op *op,
		       void (*body)(void *, long), long iters, int timed)
{
	if (op->prepare && op->prepare(op->arg, iters) < 0)
		return -1;
	uint64_t t0 = timed ? clk->now_ns(clk->ctx) : 0;
	body(op->arg, iters);
	uint64_t t1 = timed ? clk->now_ns(clk->ctx) : 0;
	if (op->finish)
		op->finish(op->arg);
	return t1 >= t0 ? (int64_t)(t1 - t0) : 0;
}

// 1, 2, 4, ... calls until a run lasts target/8; then scaled to target.
static long scale_iters(const struct cal_clock *clk, const struct cal_loop *lp,
			const struct cal_op *op)
{
	long n = 1;
	int64_t d;
	for (;;) {
		if ((d = one_run(clk, op, op->body, n, 1)) < 0)
			return -1;
		if ((uint64_t)d >= lp->target_ns / 8) {
			// Long enough: once more, so that one disturbed run (a
			// preemption, a cold path) does not set the count.
			int64_t again = one_run(clk, op, op->body, n, 1);
			if (again < 0)
				return -1;
			if (again < d)
				d = again;
			if ((uint64_t)d >= lp->target_ns / 8)
				break;
		}
		if ((lp->max_iters && n >= lp->max_iters) || n >= (1l << 30))
			break;
		n *= 2;
		if (lp->max_iters && n > lp->max_iters)
			n = lp->max_iters;
	}
	double scaled = d > 0 ? (double)n * (double)lp->target_ns / (double)d : (double)n;
	long iters = scaled < 1 ? 1 : scaled > (double)(1l << 30) ? (1l << 30) : (long)scaled;
	if (lp->max_iters && iters > lp->max_iters)
		iters = lp->max_iters;
	return iters;
}

struct usage {
	long minflt, csw;
};

static struct usage usage_now(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (struct usage){ru.ru_minflt, ru.ru_nvcsw + ru.ru_nivcsw};
}

// One untimed run with the counters (and getrusage) around the body.
static int counted_run(const struct cal_op *op, void (*body)(void *, long), long iters,
		       const struct cal_counters *c, long long *v, struct usage *u)
{
	int have = c && c->n > 0;
	memset(v, 0, CAL_MAX_EVENTS * sizeof *v);
	if (op->prepare && op->prepare(op->arg, iters) < 0)
		return -1;
	struct usage u0 = usage_now();
	if (have && c->be->start(c->be->ctx) < 0)
		have = 0;
	body(op->arg, iters);
	if (have && c->be->stop(c->be->ctx, v) < 0)
		memset(v, 0, CAL_MAX_EVENTS * sizeof *v);
	struct usage u1 = usage_now();
	if (op->finish)
		op->finish(op->arg);
	*u = (struct usage){u1.minflt - u0.minflt, u1.csw - u0.csw};
	return 0;
}

int cal_measure(const struct cal_clock *clk, const struct cal_loop *lp, const struct cal_op *op,
		const struct cal_counters *c, struct cal_stat *out)
{
	memset(out, 0, sizeof *out);
	if (lp->trials < 1 || lp->trials > CAL_MAX_TRIALS || lp->iters < 0 ||
	    (lp->iters == 0 && lp->target_ns == 0) || !op->body)
		return -1;
	// A first, untimed call: the cold one (page faults, a peer not yet
	// scheduled) must not stop the scaling at one call.
	if (lp->iters == 0 && one_run(clk, op, op->body, 1, 0) < 0)
		return -1;
	long iters = lp->iters > 0 ? lp->iters : scale_iters(clk, lp, op);
	if (iters < 1)
		return -1;
	for (int i = 0; i < lp->warmup; i++)
		if (one_run(clk, op, op->body, iters, 0) < 0)
			return -1;
	// The empty loop needs no prepare/finish: it touches nothing.
	const struct cal_op empty = {op->name, NULL, empty_body, NULL, op->arg};
	int64_t ov = -1;
	for (int t = 0; t < lp->trials; t++) {
		int64_t d = one_run(clk, &empty, empty_body, iters, 1);
		if (ov < 0 || d < ov)
			ov = d;
	}
	out->iters = iters;
	out->trials = lp->trials;
	out->overhead_ns = (double)ov / (double)iters;
	for (int t = 0; t < lp->trials; t++) {
		int64_t d = one_run(clk, op, op->body, iters, 1);
		if (d < 0)
			return -1;
		out->trial_ns[t] = (double)d / (double)iters - out->overhead_ns;
		if (t == 0 || out->trial_ns[t] < out->min_ns)
			out->min_ns = out->trial_ns[t];
	}
	out->median_ns = cal_median(out->trial_ns, lp->trials);
	long long v[CAL_MAX_EVENTS], e[CAL_MAX_EVENTS];
	struct usage u, ue;
	if (counted_run(op, op->body, iters, c, v, &u) < 0 ||
	    counted_run(&empty, empty_body, iters, c, e, &ue) < 0)
		return -1;
	out->minflt = (double)u.minflt / (double)iters;
	out->csw = (double)u.csw / (double)iters;
	out->ncounters = c ? c->n : 0;
	for (int i = 0; i < out->ncounters; i++)
		out->counter[i] = (double)(v[i] - e[i]) / (double)iters;
	return 0;
}

// ---------------------------------------------------------------- counters

const char *const cal_events[] = {
	"PAPI_TOT_CYC", "PAPI_TOT_INS", "PAPI_L1_DCM", "PAPI_L1_ICM", "PAPI_L2_TCM", "PAPI_TLB_DM", NULL,
};

void cal_counters_open(struct cal_counters *c, const struct cal_counter_backend *be,
		       const char *const *events)
{
	memset(c, 0, sizeof *c);
	c->be = be;
	for (int i = 0; events && events[i] && i < CAL_MAX_EVENTS; i++) {
		if (be && be->add && be->add(be->ctx, events[i]) == 0)
			c->name[c->n++] = events[i];
		else
			c->missing[c->nmissing++] = events[i];
	}
}

static int papi_add(void *ctx, const char *event)
{
	struct cal_session *s = ctx;
	if (!s->papi_ok || s->eventset == PAPI_NULL)
		return -1;
	if (PAPI_add_named_event(s->eventset, event) == PAPI_OK)
		return 0;
	int code;
	if (PAPI_event_name_to_code(event, &code) == PAPI_OK &&
	    PAPI_add_event(s->eventset, code) == PAPI_OK)
		return 0;
	return -1;
}

static int papi_start(void *ctx)
{
	struct cal_session *s = ctx;
	return PAPI_start(s->eventset) == PAPI_OK ? 0 : -1;
}

static int papi_stop(void *ctx, long long *values)
{
	struct cal_session *s = ctx;
	return PAPI_stop(s->eventset, values) == PAPI_OK ? 0 : -1;
}

int cal_session_open(struct cal_session *s, FILE *log)
{
	memset(s, 0, sizeof *s);
	s->eventset = PAPI_NULL;
	s->cpu = -1;
	s->papi_ok = PAPI_library_init(PAPI_VER_CURRENT) == PAPI_VER_CURRENT;
	if (s->papi_ok && PAPI_create_eventset(&s->eventset) != PAPI_OK)
		s->eventset = PAPI_NULL;
	if (s->eventset != PAPI_NULL && PAPI_assign_eventset_component(s->eventset, 0) == PAPI_OK) {
		// Kernel mode too, so that a system call's cycles are counted;
		// refused without the rights (perf_event_paranoid), then user only.
		PAPI_option_t opt;
		memset(&opt, 0, sizeof opt);
		opt.domain.eventset = s->eventset;
		opt.domain.domain = PAPI_DOM_ALL;
		s->domain_all = PAPI_set_opt(PAPI_DOMAIN, &opt) == PAPI_OK;
	}
	s->be = (struct cal_counter_backend){papi_add, papi_start, papi_stop, s};
	cal_counters_open(&s->ctr, &s->be, cal_events);
	s->clk = (struct cal_clock){cal_real_ns, s->papi_ok ? s : NULL};
	if (log && !s->papi_ok)
		fprintf(log, "calibrate: PAPI_library_init failed: times from CLOCK_MONOTONIC, no counters\n");
	if (log && s->ctr.nmissing) {
		fprintf(log, "calibrate: counters missing (could not be added):");
		for (int i = 0; i < s->ctr.nmissing; i++)
			fprintf(log, " %s", s->ctr.missing[i]);
		fprintf(log, "; %s\n", s->ctr.n ? "the others are recorded"
						  : "per-call figures from PAPI_get_real_nsec only");
	}
	// Pin to the CPU we are on; restore the old mask at close.
	cpu_set_t old, one;
	if (sched_getaffinity(0, sizeof old, &old) == 0) {
		memcpy(s->saved_mask, &old, sizeof old);
		s->saved = 1;
		int cpu = sched_getcpu();
		CPU_ZERO(&one);
		if (cpu >= 0) {
			CPU_SET(cpu, &one);
			if (sched_setaffinity(0, sizeof one, &one) == 0)
				s->cpu = cpu;
		}
	}
	if (log && s->cpu < 0)
		fprintf(log, "calibrate: could not pin to one CPU: peers may run on another CPU\n");
	// The highest priority we are allowed (nice -20 when privileged): other
	// load on the pinned CPU then takes ~1% of it, not half. Children inherit it.
	errno = 0;
	int nice = getpriority(PRIO_PROCESS, 0);
	if (errno == 0) {
		s->saved_nice = nice;
		s->nice_set = setpriority(PRIO_PROCESS, 0, -20) == 0;
	}
	return 0;
}

void cal_session_close(struct cal_session *s)
{
	if (s->eventset != PAPI_NULL) {
		PAPI_cleanup_eventset(s->eventset);
		PAPI_destroy_eventset(&s->eventset);
	}
	if (s->papi_ok)
		PAPI_shutdown();
	s->papi_ok = 0;
	if (s->nice_set)
		setpriority(PRIO_PROCESS, 0, s->saved_nice);
	s->nice_set = 0;
	if (s->saved) {
		cpu_set_t old;
		memcpy(&old, s->saved_mask, sizeof old);
		sched_setaffinity(0, sizeof old, &old);
		s->saved = 0;
	}
}

// ---------------------------------------------------------------- workloads

// What the workloads share: temporary files, pipes, peers, a page region.
struct env {
	int parentfd;           // the directory the temporary directory is in
	char dir[600];          // the temporary directory (full path)
	char rfile[64];         // "<tmpdir name>/r", relative to parentfd: two components
	char wfile[64];
	int rfd, wfd;
	unsigned char *buf;     // 4 KiB, page-aligned
	unsigned char *touch;   // a page the parent has touched (a child's COW fault)
	unsigned char *prot;    // a populated page of its own mapping (pte-change)
	long page;
	unsigned char *region;  // pagefault: fresh pages
	size_t region_len;
	int to_peer[2], from_peer[2];
	int local_a[2], local_b[2];
	pid_t peer;
	int failed, err_no;     // a call inside a body failed
	const char *failed_call;
};

#define FAIL(e, call) ((e)->failed = 1, (e)->err_no = errno, (e)->failed_call = (call))

static void body_null(void *arg, long n)
{
	struct env *e = arg;
	for (long i = 0; i < n; i++)
		if (syscall(SYS_getpid) < 0)
			FAIL(e, "getpid");
}

static void body_read(void *arg, long n)
{
	struct env *e = arg;
	for (long i = 0; i < n; i++)
		if (pread(e->rfd, e->buf, 4096, 0) != 4096)
			FAIL(e, "pread");
}

static void body_write(void *arg, long n)
{
	struct env *e = arg;
	for (long i = 0; i < n; i++)
		if (pwrite(e->wfd, e->buf, 4096, 0) != 4096)
			FAIL(e, "pwrite");
}

static void body_open_close(void *arg, long n)
{
	struct env *e = arg;
	for (long i = 0; i < n; i++) {
		int fd = openat(e->parentfd, e->rfile, O_RDONLY);
		if (fd < 0 || close(fd) < 0)
			FAIL(e, "open");
	}
}

static void body_stat(void *arg, long n)
{
	struct env *e = arg;
	struct stat st;
	for (long i = 0; i < n; i++)
		if (fstatat(e->parentfd, e->rfile, &st, 0) < 0)
			FAIL(e, "stat");
}

// First touch of n fresh anonymous pages: mapped before the clock starts,
// unmapped after it stops; no transparent huge pages (one fault per 4 KiB).
static int prep_pagefault(void *arg, long n)
{
	struct env *e = arg;
	e->region_len = (size_t)n * (size_t)e->page;
	void *r = mmap(NULL, e->region_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED) {
		FAIL(e, "mmap");
		e->region = NULL;
		return -1;
	}
	e->region = r;
#ifdef MADV_NOHUGEPAGE
	madvise(r, e->region_len, MADV_NOHUGEPAGE);
#endif
	return 0;
}

static void body_pagefault(void *arg, long n)
{
	struct env *e = arg;
	volatile unsigned char *r = e->region;
	for (long i = 0; i < n; i++)
		r[(size_t)i * (size_t)e->page] = 1;
}

static void fin_pagefault(void *arg)
{
	struct env *e = arg;
	if (e->region)
		munmap(e->region, e->region_len);
	e->region = NULL;
}

// Two changes of one populated page's PTE (and the TLB flushes they need):
// what page faults, fork and address-space switches are made of.
static void body_pte(void *arg, long n)
{
	struct env *e = arg;
	for (long i = 0; i < n; i++)
		if (mprotect(e->prot, (size_t)e->page, PROT_READ) < 0 ||
		    mprotect(e->prot, (size_t)e->page, PROT_READ | PROT_WRITE) < 0)
			FAIL(e, "mprotect");
}

static void body_pipe(void *arg, long n)
{
	struct env *e = arg;
	uint64_t v = 0;
	for (long i = 0; i < n; i++) {
		if (write(e->to_peer[1], &v, sizeof v) != sizeof v ||
		    read(e->from_peer[0], &v, sizeof v) != sizeof v) {
			FAIL(e, "pipe");
			return;
		}
		v++;
	}
}

// lat_ctx's overhead: the round trip's two writes and two reads in one process.
static void body_pipe_local(void *arg, long n)
{
	struct env *e = arg;
	uint64_t v = 0;
	for (long i = 0; i < n; i++) {
		if (write(e->local_a[1], &v, sizeof v) != sizeof v ||
		    read(e->local_a[0], &v, sizeof v) != sizeof v ||
		    write(e->local_b[1], &v, sizeof v) != sizeof v ||
		    read(e->local_b[0], &v, sizeof v) != sizeof v) {
			FAIL(e, "pipe");
			return;
		}
	}
}

static void body_yield(void *arg, long n)
{
	struct env *e = arg;
	for (long i = 0; i < n; i++)
		if (sched_yield() < 0)
			FAIL(e, "sched_yield");
}

// fork, the child writes a page it shares copy-on-write and exits, wait.
static void body_fork(void *arg, long n)
{
	struct env *e = arg;
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			e->touch[0] = 2;
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, NULL, 0) != pid) {
			FAIL(e, "fork");
			return;
		}
	}
}

static void close_pair(int p[2])
{
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0)
			close(p[i]);
	p[0] = p[1] = -1;
}

static void stop_peer(struct env *e)
{
	close_pair(e->to_peer);
	close_pair(e->from_peer);
	if (e->peer > 0) {
		kill(e->peer, SIGKILL);
		waitpid(e->peer, NULL, 0);
	}
	e->peer = 0;
}

// The echo peer (lat_pipe): reads 8 bytes, writes them back, until EOF.
static int start_echo(struct env *e)
{
	if (pipe(e->to_peer) < 0 || pipe(e->from_peer) < 0)
		return FAIL(e, "pipe"), -1;
	pid_t pid = fork();
	if (pid < 0)
		return FAIL(e, "fork"), -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(e->to_peer[1]);
		close(e->from_peer[0]);
		uint64_t v;
		while (read(e->to_peer[0], &v, sizeof v) == sizeof v)
			if (write(e->from_peer[1], &v, sizeof v) != sizeof v)
				break;
		_exit(0);
	}
	e->peer = pid;
	close(e->to_peer[0]);
	close(e->from_peer[1]);
	e->to_peer[0] = e->from_peer[1] = -1;
	return 0;
}

// The yielding peer: sched_yield forever (killed at the end).
static int start_yielder(struct env *e)
{
	pid_t pid = fork();
	if (pid < 0)
		return FAIL(e, "fork"), -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			sched_yield();
	}
	e->peer = pid;
	return 0;
}

static int start_local(struct env *e)
{
	if (pipe(e->local_a) < 0 || pipe(e->local_b) < 0)
		return FAIL(e, "pipe"), -1;
	return 0;
}

static void stop_local(struct env *e)
{
	close_pair(e->local_a);
	close_pair(e->local_b);
}

static int write_file(int fd, const unsigned char *buf)
{
	return pwrite(fd, buf, 4096, 0) == 4096 ? 0 : -1;
}

// The temporary directory (in tmpdir: a real file system, not tmpfs, when
// tmpdir is the results directory), its two 4 KiB files, the buffers.
static int env_open(struct env *e, const char *tmpdir, struct cfg_error *err)
{
	memset(e, 0, sizeof *e);
	e->parentfd = e->rfd = e->wfd = -1;
	e->to_peer[0] = e->to_peer[1] = e->from_peer[0] = e->from_peer[1] = -1;
	e->local_a[0] = e->local_a[1] = e->local_b[0] = e->local_b[1] = -1;
	e->page = sysconf(_SC_PAGESIZE);
	if (e->page <= 0)
		e->page = 4096;
	snprintf(e->dir, sizeof e->dir, "%s/.calibrate.XXXXXX", tmpdir);
	if (!mkdtemp(e->dir)) {
		cfg_msgf(err, "calibrate: cannot make a temporary directory in %s: %s", tmpdir,
			 strerror(errno));
		e->dir[0] = '\0';
		return -1;
	}
	const char *base = strrchr(e->dir, '/') + 1;
	snprintf(e->rfile, sizeof e->rfile, "%s/r", base);
	snprintf(e->wfile, sizeof e->wfile, "%s/w", base);
	e->parentfd = open(tmpdir, O_RDONLY | O_DIRECTORY);
	void *b = NULL, *t = NULL;
	if (posix_memalign(&b, 4096, 4096) == 0)
		e->buf = b;
	if (posix_memalign(&t, 4096, 4096) == 0)
		e->touch = t;
	if (e->parentfd < 0 || !e->buf || !e->touch) {
		cfg_msgf(err, "calibrate: cannot open %s: %s", tmpdir, strerror(errno));
		return -1;
	}
	memset(e->buf, 'x', 4096);
	memset(e->touch, 1, 4096);
	void *pp = mmap(NULL, (size_t)e->page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pp == MAP_FAILED) {
		cfg_msgf(err, "calibrate: mmap: %s", strerror(errno));
		return -1;
	}
	e->prot = pp;
	e->prot[0] = 1;
	e->rfd = openat(e->parentfd, e->rfile, O_RDWR | O_CREAT | O_EXCL, 0600);
	e->wfd = openat(e->parentfd, e->wfile, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (e->rfd < 0 || e->wfd < 0 || write_file(e->rfd, e->buf) < 0 || write_file(e->wfd, e->buf) < 0) {
		cfg_msgf(err, "calibrate: cannot write a temporary file in %s: %s", e->dir, strerror(errno));
		return -1;
	}
	return 0;
}

static void env_close(struct env *e)
{
	stop_peer(e);
	stop_local(e);
	fin_pagefault(e);
	if (e->rfd >= 0)
		close(e->rfd);
	if (e->wfd >= 0)
		close(e->wfd);
	if (e->parentfd >= 0) {
		unlinkat(e->parentfd, e->rfile, 0);
		unlinkat(e->parentfd, e->wfile, 0);
		close(e->parentfd);
	}
	if (e->dir[0])
		rmdir(e->dir);
	if (e->prot)
		munmap(e->prot, (size_t)e->page);
	e->prot = NULL;
	free(e->buf);
	free(e->touch);
	e->buf = e->touch = NULL;
}

struct work {
	const char *name;
	void (*body)(void *, long);
	int (*prepare)(void *, long);
	void (*finish)(void *);
	int (*start)(struct env *);
	void (*stop)(struct env *);
	long max_iters;          // 0: none
	const char *method;      // no commas: a CSV field
};

static const struct work works[] = {
	{"null", body_null, NULL, NULL, NULL, NULL, 0,
	 "syscall(SYS_getpid) (lmbench lat_syscall null)"},
	{"read", body_read, NULL, NULL, NULL, NULL, 0,
	 "pread of 4 KiB at offset 0 of a cached temporary file (lat_syscall read with 4 KiB)"},
	{"write", body_write, NULL, NULL, NULL, NULL, 0,
	 "pwrite of 4 KiB at offset 0 of a cached temporary file (page-cache overwrite; no fsync)"},
	{"open-close", body_open_close, NULL, NULL, NULL, NULL, 0,
	 "openat(dir; \"tmp/r\" O_RDONLY) + close: a two-component path (lat_syscall open)"},
	{"stat", body_stat, NULL, NULL, NULL, NULL, 0,
	 "fstatat(dir; \"tmp/r\") of a two-component path (lat_syscall stat)"},
	{"pagefault", body_pagefault, prep_pagefault, fin_pagefault, NULL, NULL, 16384,
	 "first write to a fresh anonymous 4 KiB page; mmap (MADV_NOHUGEPAGE) before and munmap after the clock"},
	{"pte-change", body_pte, NULL, NULL, NULL, NULL, 0,
	 "mprotect of one populated page to read-only and back: 2 PTE changes + 2 TLB flushes (no model workload)"},
	{"ipc-pingpong", body_pipe, NULL, NULL, start_echo, stop_peer, 0,
	 "8-byte round trip through two pipes to an echo process on the same CPU (lmbench lat_pipe; pinned)"},
	{"pipe-local", body_pipe_local, NULL, NULL, start_local, stop_local, 0,
	 "the round trip's 2 writes + 2 reads of 8 bytes in one process (lat_ctx's overhead)"},
	{"ctxsw-yield", body_yield, NULL, NULL, start_yielder, stop_peer, 0,
	 "sched_yield with a second yielding process on the same CPU: 2 switches per call (the model's ctxsw)"},
	{"fork", body_fork, NULL, NULL, NULL, NULL, 0,
	 "fork + child writes one COW page and _exit(0) + waitpid; parent is osarch itself"},
};
#define NWORKS (sizeof works / sizeof works[0])

static const char ctxsw_method[] =
	"lmbench lat_ctx (2 processes; no data): ipc-pingpong - pipe-local = 2 switches; pinned to one CPU";

static int wanted(const struct cal_opts *o, const char *name)
{
	if (!o->only)
		return 1;
	for (int i = 0; o->only[i]; i++) {
		if (!strcmp(o->only[i], name))
			return 1;
		// ctxsw is derived from these two rows.
		if (!strcmp(o->only[i], "ctxsw") &&
		    (!strcmp(name, "ipc-pingpong") || !strcmp(name, "pipe-local")))
			return 1;
	}
	return 0;
}

static void fill_result(struct cal_result *r, const char *name, const struct cal_stat *st,
			const struct cal_counters *c, const char *method)
{
	memset(r, 0, sizeof *r);
	snprintf(r->workload, sizeof r->workload, "%s", name);
	r->usec = st->min_ns / 1000;
	r->median_usec = st->median_ns / 1000;
	r->iters = st->iters;
	r->trials = st->trials;
	r->cycles = -1;
	r->ncounters = st->ncounters;
	for (int i = 0; i < st->ncounters && i < CAL_MAX_EVENTS; i++) {
		r->counter[i] = st->counter[i];
		if (!strcmp(c->name[i], "PAPI_TOT_CYC"))
			r->cycles = st->counter[i];
	}
	r->minflt = st->minflt;
	r->csw = st->csw;
	snprintf(r->method, sizeof r->method, "%s", method);
}

int cal_measure_host(struct cal_session *s, const struct cal_opts *o, struct cal_result *res,
		     int *n, struct cfg_error *err)
{
	struct env e;
	*n = 0;
	if (env_open(&e, o->tmpdir ? o->tmpdir : ".", err) < 0) {
		env_close(&e);
		return -1;
	}
	struct cal_loop lp = {
		.iters = 0, .warmup = 1,
		// Many short trials: on a shared machine a short one has a chance to
		// run within one time slice, undisturbed; the minimum is that one.
		.trials = o->quick ? 9 : CAL_MAX_TRIALS,
		.target_ns = o->quick ? 2000000 : 10000000,
	};
	int rc = 0, ipc = -1, local = -1;
	for (size_t i = 0; i < NWORKS && rc == 0; i++) {
		const struct work *w = &works[i];
		if (!wanted(o, w->name))
			continue;
		if (*n >= CAL_MAX_RESULTS - 1)
			break;
		if (o->log)
			fprintf(o->log, "calibrate: %s ...\n", w->name);
		struct cal_stat st;
		lp.max_iters = w->max_iters && o->quick ? w->max_iters / 4 : w->max_iters;
		const struct cal_op op = {w->name, w->prepare, w->body, w->finish, &e};
		e.failed = 0;
		if ((w->start && w->start(&e) < 0) || cal_measure(&s->clk, &lp, &op, &s->ctr, &st) < 0 ||
		    e.failed) {
			cfg_msgf(err, "calibrate: %s: %s failed: %s", w->name,
				 e.failed_call ? e.failed_call : "measurement", strerror(e.err_no));
			rc = -1;
		} else {
			if (!strcmp(w->name, "ipc-pingpong"))
				ipc = *n;
			if (!strcmp(w->name, "pipe-local"))
				local = *n;
			fill_result(&res[(*n)++], w->name, &st, &s->ctr, w->method);
		}
		if (w->stop)
			w->stop(&e);
	}
	if (rc == 0 && ipc >= 0 && local >= 0 && wanted(o, "ctxsw") && *n < CAL_MAX_RESULTS) {
		struct cal_result *r = &res[(*n)++], *a = &res[ipc], *b = &res[local];
		memset(r, 0, sizeof *r);
		snprintf(r->workload, sizeof r->workload, "ctxsw");
		r->usec = a->usec - b->usec;
		r->median_usec = a->median_usec - b->median_usec;
		r->iters = a->iters;
		r->trials = a->trials;
		r->cycles = a->cycles >= 0 && b->cycles >= 0 ? a->cycles - b->cycles : -1;
		r->ncounters = a->ncounters;
		for (int i = 0; i < a->ncounters; i++)
			r->counter[i] = a->counter[i] - b->counter[i];
		r->minflt = a->minflt - b->minflt;
		r->csw = a->csw - b->csw;
		snprintf(r->method, sizeof r->method, "%s", ctxsw_method);
	}
	env_close(&e);
	for (int i = 0; rc == 0 && i < *n; i++) {
		if (!(res[i].usec > 0) || res[i].usec > SANE_USEC) {
			if (o->log)
				fprintf(o->log, "calibrate: warning: %s measured %.4f us per call, outside (0, %g)\n",
					res[i].workload, res[i].usec, SANE_USEC);
		}
	}
	return rc;
}

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

static int has_flag(const char *flags, const char *flag)
{
	size_t n = strlen(flag);
	for (const char *p = flags; (p = strstr(p, flag)); p += n)
		if ((p == flags || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

// Keeps printable ASCII (a YAML comment or string stays one safe line).
static void printable(char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			*s = ' ';
}

struct host {
	char cpu[128], vendor[16], kernel[300], date[40];
	char family[96];         // "family F model M stepping S" (/proc/cpuinfo)
	char mitigations[1024];  // " | "-joined, the entries that are not "Not affected"
	int pti;
	char flags[4096];
	double mhz_cpuinfo, mhz_measured;
	char hypervisor[16];
	char fs[32];             // file system type of the temporary directory
	long vmsize_kib, rss_kib;
};

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
	printable(h->mitigations);
}

static void host_info(struct host *h, const char *tmpdir)
{
	memset(h, 0, sizeof *h);
	if (!cpuinfo_field("model name", h->cpu, sizeof h->cpu))
		snprintf(h->cpu, sizeof h->cpu, "unknown CPU");
	cpuinfo_field("vendor_id", h->vendor, sizeof h->vendor);
	char fam[16], model[16], step[16];
	if (cpuinfo_field("cpu family", fam, sizeof fam) && cpuinfo_field("model", model, sizeof model) &&
	    cpuinfo_field("stepping", step, sizeof step))
		snprintf(h->family, sizeof h->family, "family %s model %s stepping %s", fam, model, step);
	printable(h->family);
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
		printable(h->hypervisor);
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
	printable(h->cpu);
	printable(h->kernel);
}

// ---- cache and TLB geometry: sysfs, else CPUID, else the base profile ----

enum { G_L1I, G_L1D, G_L2, G_L3, G__N };
enum { T_ITLB, T_DTLB, T_STLB, T__N };
static const char *const gname[G__N] = {"l1i", "l1d", "l2", "l3"};
static const char *const tname[T__N] = {"itlb", "dtlb", "stlb"};

struct geom {
	struct cache_geom c[G__N];
	int cfound[G__N];
	char csrc[G__N][200];
	struct tlb_geom t[T__N];
	int tfound[T__N];
	char tsrc[T__N][200];
};

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

static void host_geometry(struct geom *g, struct host *h, const struct profile *base)
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
#define CAL_PATH_MAX PATH_MAX // file names made from -o and --results (checked in cmd_calibrate)
#define CLOCK_IMUL_CYCLES 3.0
static double measure_core_mhz(const struct cal_clock *clk)
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
static double kernel_mhz(double cpuinfo_mhz, char *how, size_t n)
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

enum { LAT_L1, LAT_L2, LAT_L3, LAT_DRAM, LAT__N };
static const char *const lat_name[LAT__N] = {"L1D", "L2", "L3", "DRAM"};

struct lat {
	size_t ws[LAT__N];   // working set, bytes (0: not measured)
	double ns[LAT__N];   // < 0: not measured
};

static void measure_latencies(const struct cal_clock *clk, const struct geom *g, struct lat *l,
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
			fprintf(log, "calibrate: %s latency (%zu KiB chase) ...\n", lat_name[i], l->ws[i] / 1024);
		l->ns[i] = chase_ns(clk, l->ws[i], steps[i], i == LAT_DRAM);
	}
}

// ---- the model ----

struct model {
	struct service_set *svc;
	struct arch *a;
	struct workload *w;
};

static void model_free(struct model *m)
{
	free(m->svc);
	free(m->a);
	free(m->w);
	memset(m, 0, sizeof *m);
}

// Services and the monolithic architecture. Returns 0, 1 (out of memory) or 2 (bad file).
static int model_open(struct model *m, struct cfg_error *err)
{
	m->svc = malloc(sizeof *m->svc);
	m->a = malloc(sizeof *m->a);
	m->w = malloc(sizeof *m->w);
	if (!m->svc || !m->a || !m->w) {
		cfg_msgf(err, "calibrate: out of memory");
		model_free(m);
		return 1;
	}
	if (load_services_default(m->svc, err) || arch_load(m->a, "monolithic", m->svc, err)) {
		model_free(m);
		return 2;
	}
	return 0;
}

// One warm point: monolithic, workload `wl`, on p (validate's run parameters).
static int model_run(struct model *m, const char *wl, const struct profile *p, struct run_result *r,
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
static int write_tmp(const char *path, const char *text, size_t len, char *tmp, size_t n)
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
	if (write_tmp(path, text, len, tmp, sizeof tmp) < 0)
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

// The measured figures in one place: what the profile, host.txt and the
// comparison are made from.
struct calib {
	struct host h;
	struct geom g;
	struct lat lat;
	double mhz;              // the profile's clock
	char mhz_how[300];
	struct cal_result res[CAL_MAX_RESULTS];
	int n;
	int quick, cpu, papi_ok, domain_all, nice_set;
	char counters_ok[200], counters_missing[200];
	struct profile base;
	char base_name[80];
};

static void counter_lists(struct calib *c, const struct cal_counters *ctr)
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
	int rc = model_open(&m, err);
	if (rc)
		return rc;
	struct run_result r;
	uint32_t pair0 = p->ev.trap_enter + p->ev.trap_exit;
	if ((rc = model_run(&m, "null", p, &r, err))) {
		model_free(&m);
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
	rc = model_run(&m, "null", p, &r, err);
	model_free(&m);
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
static int host_profile(struct profile *p, struct cal_notes *nt, const struct calib *c,
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
	printable(p->description);
	cal_note(nt, "name", "machine-specific: written by osarch calibrate, not a shipped profile");
	p->mhz = c->mhz;
	cal_note(nt, "mhz", "%s", c->mhz_how);
	p->address_bits = 64;
	cal_note(nt, "address_bits", "x86-64 host: 4-level page tables%s",
		 has_flag(h->flags, "la57") ? " (la57 present: 5 levels possible; the model has 4)" : "");
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
		snprintf(key, sizeof key, "%s.size", gname[k]);
		cal_note(nt, key, "%s", src);
		snprintf(key, sizeof key, "%s.assoc", gname[k]);
		cal_note(nt, key, "%s", c->g.cfound[k] ? "same source as size" : src);
		snprintf(key, sizeof key, "%s.line", gname[k]);
		cal_note(nt, key, "%s", c->g.cfound[k] ? "same source as size" : src);
		snprintf(key, sizeof key, "%s.repl", gname[k]);
		if (pc[k]->repl != base_repl[k])
			cal_note(nt, key, "not observable from user space; LRU because the model's tree PLRU "
				 "needs a power-of-two number of ways (%u here)", pc[k]->assoc);
		else
			cal_note(nt, key, "not observable from user space: %s's assumption", base);
		snprintf(key, sizeof key, "%s.present", gname[k]);
		cal_note(nt, key, "%s", c->g.cfound[k] ? "reported by the host" : "as the base profile");
	}
	// Latencies: measured load-to-use times of a pointer chase x the clock.
	const int lat_of[G__N] = {LAT_L1, LAT_L1, LAT_L2, LAT_L3};
	const uint32_t base_lat[G__N] = {c->base.l1i.latency, c->base.l1d.latency, c->base.l2.latency,
					 c->base.l3.latency};
	for (int k = 0; k < G__N; k++) {
		char key[32];
		snprintf(key, sizeof key, "%s.latency", gname[k]);
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
		snprintf(key, sizeof key, "%s.entries", tname[k]);
		cal_note(nt, key, "%s", c->g.tsrc[k]);
		snprintf(key, sizeof key, "%s.assoc", tname[k]);
		cal_note(nt, key, "%s", c->g.tfound[k] ? "same source as entries" : c->g.tsrc[k]);
		snprintf(key, sizeof key, "%s.latency", tname[k]);
		cal_note(nt, key, k == T_STLB ? "not measured: %s's value" : "a hit adds nothing (as %s)", base);
		snprintf(key, sizeof key, "%s.present", tname[k]);
		cal_note(nt, key, "%s", c->g.tfound[k] ? "reported by the host" : "as the base profile");
	}
	const char *fl = h->flags;
	p->global_pages = has_flag(fl, "pge");
	cal_note(nt, "global_pages", "/proc/cpuinfo flag pge %s%s", p->global_pages ? "present" : "absent",
		 h->pti ? " (with KPTI the kernel's mappings are not all global)" : "");
	p->pcid = has_flag(fl, "pcid");
	cal_note(nt, "pcid", "/proc/cpuinfo flag pcid %s%s", p->pcid ? "present" : "absent",
		 !p->pcid && h->pti ? ": every KPTI CR3 switch flushes the TLB" : "");
	p->vtx = has_flag(fl, "vmx") || has_flag(fl, "svm");
	cal_note(nt, "vtx", "/proc/cpuinfo flags vmx/svm %s", p->vtx ? "present" : "absent");
	p->ept = p->vtx && (has_flag(fl, "ept") || has_flag(fl, "npt"));
	cal_note(nt, "ept", "/proc/cpuinfo flags ept/npt %s", p->ept ? "present" : "absent");
	p->vpid = p->vtx && (has_flag(fl, "vpid") || has_flag(fl, "svm"));
	cal_note(nt, "vpid", "/proc/cpuinfo flag vpid (or svm: ASIDs) %s", p->vpid ? "present" : "absent");
	cal_note(nt, "pwc", "not observable from user space: %s's value", base);
	cal_note(nt, "walk_overhead", "not measured: %s's value", base);
	cal_note(nt, "events", "hardware part of each event, cycles at mhz");
	return fit_events(p, nt, c, err);
}

static void profile_head(struct cal_notes *nt, const struct calib *c, const char *path)
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

static void host_txt(FILE *f, const struct calib *c, const char *profile_path, const char *tmpdir)
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
		fprintf(f, "%-4s  %s %u-way %u-byte lines%s: %s\n", gname[k], sz, c->g.c[k].assoc,
			c->g.c[k].line, c->g.c[k].present ? "" : " (absent)", c->g.csrc[k]);
	}
	for (int k = 0; k < T__N; k++)
		fprintf(f, "%-4s  %u entries %u-way: %s\n", tname[k], c->g.t[k].entries, c->g.t[k].assoc,
			c->g.tsrc[k]);
	for (int i = 0; i < LAT__N; i++)
		if (c->lat.ns[i] > 0)
			fprintf(f, "latency %-4s %8zu KiB chase: %7.2f ns = %u cycles\n", lat_name[i],
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
static void host_csv(FILE *f, const struct calib *c)
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
static int commit_stream(char *text, size_t len, const char *path, struct cfg_error *err)
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
	int rc = model_open(&m, err);
	if (rc)
		return rc;
	char *text = NULL;
	size_t len = 0;
	FILE *csv = open_memstream(&text, &len);
	if (!csv) {
		model_free(&m);
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
		if ((rc = model_run(&m, wl, &p, &r, err)))
			break;
		double ratio = res[i].usec > 0 ? r.usec / res[i].usec : 0;
		fprintf(csv, "%s,%.4f,%.4f,%.3f\n", res[i].workload, res[i].usec, r.usec, ratio);
		if (out)
			fprintf(out, "%-13s %12.4f %13.4f %9.2f%s\n", res[i].workload, res[i].usec, r.usec, ratio,
				!strcmp(res[i].workload, "null") ? "  (fitted: trap_enter + trap_exit)"
				: ratio > 2 || (ratio > 0 && ratio < 0.5) ? "  off by more than 2x" : "");
	}
	model_free(&m);
	fclose(csv);
	snprintf(path, sizeof path, "%s/compare.csv", results_dir);
	if (rc == 0 && commit_stream(text, len, path, err) < 0)
		rc = 1;
	free(text);
	return rc;
}

// ---------------------------------------------------------------- the command

static const char usage_calibrate[] =
	"usage: osarch calibrate [-o PROFILE.yaml] [--quick] [--accept-clock] [--results DIR]\n"
	"       osarch calibrate --compare [-o PROFILE.yaml] [--results DIR]\n"
	"\n"
	"Measures this host (lmbench's method, PAPI's clock and counters where the\n"
	"machine has them): null system call, 4 KiB read and write in the page cache,\n"
	"open+close, stat, first touch of an anonymous page, a pipe round trip and a\n"
	"context switch between two processes on one CPU, fork+exit+wait. Writes a\n"
	"machine profile (default configs/machines/host.yaml) with a comment on every\n"
	"value, DIR/results.csv and DIR/host.txt (DIR defaults to results/calibrate).\n"
	"About 10 s; --quick about 1 s (fewer, shorter trials; no memory latencies).\n"
	"Runs pinned to one CPU, at nice -20 when allowed.\n"
	"\n"
	"The core clock is measured with a chain of dependent multiplies and checked\n"
	"against the kernel's figure (cpufreq's maximum, else /proc/cpuinfo); more than\n"
	"20% apart, nothing is written (exit 1) unless --accept-clock keeps the measured\n"
	"one (a virtual machine's kernel knows only the nominal rate, not the turbo one).\n"
	"\n"
	"--compare runs the model's monolithic architecture on PROFILE for every\n"
	"calibrated workload and writes DIR/compare.csv (workload, measured_usec,\n"
	"simulated_usec, ratio). Missing hardware counters are reported, never fatal.\n";

static void basename_stem(const char *path, char *out, size_t n)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t len = strlen(b);
	if (len > 5 && !strcmp(b + len - 5, ".yaml"))
		len -= 5;
	snprintf(out, n, "%.*s", (int)len, b);
}

static int calibrate(const char *profile_path, const char *dir, int quick, int accept_clock, struct cfg_error *err)
{
	struct calib *c = calloc(1, sizeof *c);
	struct cal_notes *nt = calloc(1, sizeof *nt);
	struct cal_session s;
	int rc = 1;
	if (!c || !nt) {
		cfg_msgf(err, "calibrate: out of memory");
		goto out;
	}
	if (mkdir_p(dir)) {
		cfg_msgf(err, "calibrate: cannot make %s: %s", dir, strerror(errno));
		goto out;
	}
	c->quick = quick;
	struct cfg_error e2;
	if (profile_load(&c->base, "modern", NULL, &e2) == 0) {
		snprintf(c->base_name, sizeof c->base_name, "modern");
	} else {
		profile_defaults(&c->base);
		snprintf(c->base_name, sizeof c->base_name, "default (profile_defaults)");
	}
	host_info(&c->h, dir);
	host_geometry(&c->g, &c->h, &c->base);
	cal_session_open(&s, stderr);
	c->cpu = s.cpu;
	c->papi_ok = s.papi_ok;
	c->domain_all = s.domain_all;
	c->nice_set = s.nice_set;
	counter_lists(c, &s.ctr);
	double core = measure_core_mhz(&s.clk);
	char khow[96];
	double kernel = kernel_mhz(c->h.mhz_cpuinfo, khow, sizeof khow);
	int agrees = cal_clock_agrees(core, kernel, khow, err->msg, sizeof err->msg);
	if (!agrees && !accept_clock) {
		cal_session_close(&s);
		goto out;
	}
	if (core > 0) {
		c->mhz = round(core);
		snprintf(c->mhz_how, sizeof c->mhz_how,
			 "measured %s: 10^7 dependent 32-bit multiplies (%.0f cycles each) timed with %s, fastest of 15; "
			 "%s = %.0f (%s)", c->h.date, CLOCK_IMUL_CYCLES,
			 s.papi_ok ? "PAPI_get_real_nsec" : "CLOCK_MONOTONIC", khow, kernel,
			 agrees ? "agrees within 20%" : "differs by more than 20%; kept by --accept-clock");
	} else if (c->h.mhz_cpuinfo > 0) {
		c->mhz = round(c->h.mhz_cpuinfo);
		snprintf(c->mhz_how, sizeof c->mhz_how, "/proc/cpuinfo cpu MHz on %s (not measured)", c->h.date);
	} else {
		c->mhz = c->base.mhz;
		snprintf(c->mhz_how, sizeof c->mhz_how, "not found: %s's value", c->base_name);
	}
	for (int i = 0; i < LAT__N; i++)
		c->lat.ns[i] = -1;
	if (!quick)
		measure_latencies(&s.clk, &c->g, &c->lat, stderr);
	struct cal_opts o = {quick, dir, NULL, stderr};
	int mrc = cal_measure_host(&s, &o, c->res, &c->n, err);
	char *csv = NULL;
	size_t csvlen = 0;
	FILE *f = open_memstream(&csv, &csvlen);
	if (f) {
		cal_csv(f, c->res, c->n, &s.ctr);
		fclose(f);
	}
	cal_session_close(&s);
	if (mrc < 0 || !f) {
		free(csv);
		goto out;
	}
	// The profile, checked by the loader before it replaces the old one.
	char name[64];
	struct profile p;
	basename_stem(profile_path, name, sizeof name);
	profile_head(nt, c, profile_path);
	int prc = host_profile(&p, nt, c, name, err);
	if (prc) {
		rc = prc;
		free(csv);
		goto out;
	}
	char *ytext = NULL, *htext = NULL;
	size_t ylen = 0, hlen = 0;
	FILE *y = open_memstream(&ytext, &ylen);
	FILE *h = open_memstream(&htext, &hlen);
	if (y) {
		cal_write_profile(y, &p, nt);
		fclose(y);
	}
	if (h) {
		host_txt(h, c, profile_path, dir);
		fclose(h);
	}
	char tmp[CAL_PATH_MAX], path[CAL_PATH_MAX];
	struct profile check;
	if (!y || !h || write_tmp(profile_path, ytext, ylen, tmp, sizeof tmp) < 0) {
		cfg_msgf(err, "calibrate: cannot write %s: %s", profile_path, strerror(errno));
	} else if (profile_load(&check, tmp, NULL, &e2) || profile_check(&check, &e2)) {
		// Our own output: an internal failure (exit 1), said as such, not as
		// an input error naming a temporary file that is gone by now.
		unlink(tmp);
		const char *why = strstr(e2.msg, ": error: ");
		cfg_msgf(err, "calibrate: internal error: the profile made for this host does not load (%s); "
			 "nothing was written", why ? why + 9 : e2.msg);
	} else if (rename(tmp, profile_path) < 0) {
		unlink(tmp);
		cfg_msgf(err, "calibrate: cannot write %s: %s", profile_path, strerror(errno));
	} else {
		snprintf(path, sizeof path, "%s/results.csv", dir);
		if (commit_stream(csv, csvlen, path, err) == 0) {
			snprintf(path, sizeof path, "%s/host.txt", dir);
			char *ctext = NULL;
			size_t clen = 0;
			FILE *cf = open_memstream(&ctext, &clen);
			if (cf) {
				host_csv(cf, c);
				fclose(cf);
			}
			if (commit_stream(htext, hlen, path, err) == 0) {
				snprintf(path, sizeof path, "%s/host.csv", dir);
				if (commit_stream(ctext, clen, path, err) == 0)
					rc = 0;
			}
			free(ctext);
		}
	}
	if (rc == 0) {
		printf("%-13s %12s %12s %10s %8s %8s\n", "workload", "measured_us", "median_us", "calls",
		       "faults", "switches");
		for (int i = 0; i < c->n; i++)
			printf("%-13s %12.4f %12.4f %10ld %8.2f %8.2f\n", c->res[i].workload, c->res[i].usec,
			       c->res[i].median_usec, c->res[i].iters, c->res[i].minflt, c->res[i].csw);
		printf("wrote %s, %s/results.csv, %s/host.txt (clock %.0f MHz, trap pair %u cycles)\n",
		       profile_path, dir, dir, p.mhz, p.ev.trap_enter + p.ev.trap_exit);
	}
	free(ytext);
	free(htext);
	free(csv);
out:
	free(c);
	free(nt);
	return rc;
}

int cmd_calibrate(int argc, char **argv)
{
	const char *profile = "configs/machines/host.yaml", *dir = "results/calibrate";
	int quick = 0, compare = 0, accept_clock = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage_calibrate, stdout);
			return 0;
		}
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--results")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "osarch: %s needs a %s\n%s", a,
					strcmp(a, "--results") ? "file" : "directory", usage_calibrate);
				return 2;
			}
			*(strcmp(a, "--results") ? &profile : &dir) = argv[++i];
		} else if (!strcmp(a, "--quick")) {
			quick = 1;
		} else if (!strcmp(a, "--accept-clock")) {
			accept_clock = 1;
		} else if (!strcmp(a, "--compare")) {
			compare = 1;
		} else {
			fprintf(stderr, "osarch: unknown %s '%s'\n%s", a[0] == '-' ? "option" : "argument", a,
				usage_calibrate);
			return 2;
		}
	}
	size_t len = strlen(profile);
	if (len < 6 || strcmp(profile + len - 5, ".yaml")) {
		fprintf(stderr, "osarch: the profile must be a .yaml file ('%s')\n%s", profile, usage_calibrate);
		return 2;
	}
	// The file names below are made in buffers of CAL_PATH_MAX: a longer
	// path is refused here rather than cut short there.
	if (len + 32 > CAL_PATH_MAX || strlen(dir) + 32 > CAL_PATH_MAX) {
		fprintf(stderr, "osarch: calibrate: path too long (%zu characters; the system allows %d)\n",
			len > strlen(dir) ? len : strlen(dir), CAL_PATH_MAX - 1);
		return 2;
	}
	struct cfg_error err = {{0}};
	int rc = compare ? cal_compare(profile, dir, stdout, &err) : calibrate(profile, dir, quick, accept_clock, &err);
	if (rc)
		fprintf(stderr, "%s\n", err.msg[0] ? err.msg : "osarch: calibrate failed");
	return rc;
}
