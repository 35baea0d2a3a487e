// calibrate.h: measuring this host (`osarch calibrate`), writing it as a
// machine profile, and the monolithic model checked against the measurement.
//
// Method (lmbench's): an operation is run `iters` times between two clock
// reads; a run of the empty loop with the same `iters` gives the loop's own
// overhead, which is subtracted; several trials give a minimum and a median
// per call. Warm-up runs come first. Hardware counters are read through PAPI
// when they can be added (many virtual machines have none); without them the
// result is the clock's alone, and that is not an error.
//
// The clock and the counters are injected (a function pointer and a backend
// table), so the arithmetic is tested on a fake clock and the absence of
// counters on a backend whose every add fails.
#ifndef OSARCH_CALIBRATE_H
#define OSARCH_CALIBRATE_H

#include <stdint.h>
#include <stdio.h>
#include "profile.h"
#include "yamlcfg.h"

#define CAL_MAX_TRIALS 32
#define CAL_MAX_EVENTS 8
#define CAL_MAX_RESULTS 16

// ---- the measurement loop ----

// A clock: now_ns(ctx) in nanoseconds from any origin.
struct cal_clock {
	uint64_t (*now_ns)(void *ctx);
	void *ctx;
};

// ctx NULL: CLOCK_MONOTONIC; otherwise PAPI_get_real_nsec (PAPI initialised).
uint64_t cal_real_ns(void *ctx);

struct cal_loop {
	long iters;         // > 0: exactly this many calls per run; 0: scaled to target_ns
	long max_iters;     // bound on the scaled count (0: none)
	int warmup;         // untimed runs before the trials (after the scaling runs)
	int trials;         // timed runs, 1..CAL_MAX_TRIALS
	uint64_t target_ns; // scaled count: one trial lasts about this long
};

// One measured operation. prepare/finish run untimed around every run of
// body (warm-up, scaling, trials), with the same iters: prepare returns 0, or
// -1 to abandon the measurement. body runs the operation iters times.
struct cal_op {
	const char *name;
	int (*prepare)(void *arg, long iters); // may be NULL
	void (*body)(void *arg, long iters);
	void (*finish)(void *arg);             // may be NULL
	void *arg;
};

// ---- counters ----

// What a counter library must do; PAPI's is cal_papi_backend().
struct cal_counter_backend {
	int (*add)(void *ctx, const char *event);        // 0 when added, else < 0
	int (*start)(void *ctx);                         // 0 or < 0
	int (*stop)(void *ctx, long long *values);       // values in the order added
	void *ctx;
};

struct cal_counters {
	const struct cal_counter_backend *be;
	int n;                                  // events that were added
	const char *name[CAL_MAX_EVENTS];
	int nmissing;                           // events that could not be added
	const char *missing[CAL_MAX_EVENTS];
};

// The events asked for, NULL-terminated: PAPI_TOT_CYC, PAPI_TOT_INS,
// PAPI_L1_DCM, PAPI_L1_ICM, PAPI_L2_TCM, PAPI_TLB_DM.
extern const char *const cal_events[];

// Tries each event (at most CAL_MAX_EVENTS) and keeps those that add; never fails.
void cal_counters_open(struct cal_counters *c, const struct cal_counter_backend *be,
		       const char *const *events);

// What a measurement gives.
struct cal_stat {
	long iters;              // calls per run
	int trials;
	double overhead_ns;      // per call: the empty loop's minimum over the trials
	double trial_ns[CAL_MAX_TRIALS]; // per call of each trial, overhead subtracted
	double min_ns, median_ns;
	int ncounters;           // counters read (0: clock only)
	double counter[CAL_MAX_EVENTS]; // per call, in the order of cal_counters.name
	double minflt, csw;      // per call, getrusage: minor faults, context switches
};

// Measures op with clk (and the counters c, when c && c->n > 0).
// Order: when lp->iters == 0, one untimed call, then the scaling runs (1,
// 2, 4, ... calls until a run lasts target_ns/8 or max_iters is reached; a
// run that lasts long enough is repeated and the shorter time kept, and if
// that is too short the doubling goes on; iters = that count x target_ns /
// its time, at most max_iters); then
// lp->warmup untimed runs of iters calls; then `trials` runs of the empty
// loop; then `trials` runs of op. A timed run reads the clock once before
// and once after its body; nothing else reads it. per call = run/iters -
// overhead, overhead = min(empty runs)/iters. Counters and getrusage cover
// one more untimed run of op (less one of the empty loop, for counters).
// Returns 0, or -1 when prepare failed or lp is out of range.
int cal_measure(const struct cal_clock *clk, const struct cal_loop *lp, const struct cal_op *op,
		const struct cal_counters *c, struct cal_stat *out);

// Median of n values (sorted copy; even n: the mean of the two middle ones).
double cal_median(const double *v, int n);

// ---- the host ----

struct cal_result {
	char workload[32];     // null, read, ..., or an auxiliary row (pipe-local)
	double usec;           // per call: the minimum over the trials (the figure used)
	double median_usec;    // per call: the median over the trials
	long iters;
	int trials;
	double cycles;         // PAPI_TOT_CYC per call, < 0 when not counted
	int ncounters;
	double counter[CAL_MAX_EVENTS];
	double minflt, csw;    // per call (getrusage)
	char method[160];
};

struct cal_opts {
	int quick;             // fewer and shorter trials (~3 s), no memory latencies
	const char *tmpdir;    // where the temporary files live (a real file system)
	const char *const *only; // NULL-terminated workload names, or NULL for all
	FILE *log;             // progress and missing counters (stderr); NULL: quiet
};

// PAPI library and event set, the CPU everything is pinned to (and the
// affinity to restore), the priority (nice -20 when allowed, restored).
// cal_session_close calls PAPI_shutdown.
struct cal_session {
	int papi_ok;           // PAPI_library_init succeeded
	int eventset;
	int cpu;               // pinned CPU, -1 when pinning failed
	int domain_all;        // counters count kernel mode too
	unsigned char saved_mask[128]; // cpu_set_t of the process before pinning
	int saved;
	int saved_nice, nice_set; // the priority before, and whether it was raised
	struct cal_counter_backend be;
	struct cal_counters ctr;
	struct cal_clock clk;
};

int cal_session_open(struct cal_session *s, FILE *log);
void cal_session_close(struct cal_session *s);

// Runs the host measurements (every workload, or o->only) into res (at most
// CAL_MAX_RESULTS rows); *n is set to the number of rows. Returns 0, or -1
// with err set (a temporary file could not be made, a child not started).
int cal_measure_host(struct cal_session *s, const struct cal_opts *o, struct cal_result *res,
		     int *n, struct cfg_error *err);

// Where each value of a written profile came from: a comment per dotted key
// ("l1d.size", "events.trap_enter"), and the comment block of the file's head.
#define CAL_MAX_NOTES 64
#define CAL_NOTE_MAX 360
struct cal_notes {
	int n;
	struct {
		char key[32];
		char text[CAL_NOTE_MAX];
	} note[CAL_MAX_NOTES];
	char header[6144];      // lines without '#', separated by '\n'
};

// Sets (or replaces) the comment of key. Newlines become spaces.
void cal_note(struct cal_notes *n, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *cal_note_of(const struct cal_notes *n, const char *key); // NULL if none
// Appends one line to the head block.
void cal_note_head(struct cal_notes *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// Writes p as a machine profile with a comment on every value. Returns 0 or -1.
int cal_write_profile(FILE *f, const struct profile *p, const struct cal_notes *n);

// Writes `text` to path through path.PID.tmp and a rename. Returns 0 or -1.
int cal_write_atomic(const char *path, const char *text, size_t len);

// results.csv: workload,measured_usec,measured_cycles, one column per asked
// event (per call, empty when not counted), median_usec,iters,trials,
// minflt_per_call,csw_per_call,method.
void cal_csv(FILE *f, const struct cal_result *res, int n, const struct cal_counters *c);

// The monolithic model against results.csv: every calibrated workload of
// results_dir/results.csv run on the profile at `profile_path`; writes
// results_dir/compare.csv (workload,measured_usec,simulated_usec,ratio) and
// prints the table to out. Returns 0, 2 on bad input (no results, bad
// profile), 1 on an internal failure; err set.
int cal_compare(const char *profile_path, const char *results_dir, FILE *out,
		struct cfg_error *err);

// `osarch calibrate [-o PROFILE] [--quick] [--compare] [--results DIR]`.
// The measured core clock against the kernel's: 1 when they agree within
// CAL_CLOCK_TOLERANCE (or one is unknown), else 0 with msg saying both
// figures and why the profile is refused.
#define CAL_CLOCK_TOLERANCE 0.20
int cal_clock_agrees(double measured, double kernel, const char *kernel_how, char *msg, size_t n);

int cmd_calibrate(int argc, char **argv);

#endif
