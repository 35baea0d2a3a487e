// calmeasure.c: `osarch calibrate`'s measurements: the clock, the timed
// loop (lmbench's method: trials, the empty loop subtracted, minimum and
// median), PAPI's counters in a pinned session, and the host workloads.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <papi.h>

#include "experiment.h"
#include "walk.h"
#include "calibrateshared.h"

// cal_session (calibrate.h) keeps the affinity it restores as bytes; they
// must hold a cpu_set_t.
_Static_assert(sizeof(cpu_set_t) <= sizeof(((struct cal_session *)0)->saved_mask),
	       "saved_mask holds a cpu_set_t");

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

