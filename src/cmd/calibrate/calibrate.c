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
//
// This file: the command, its options and --help, and one calibration run
// from the measurements (calmeasure.c) and the host (calhost.c) to the
// profile and files (calprofile.c).
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <papi.h>

#include "experiment.h"
#include "walk.h"
#include "calibrateshared.h"


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
	cal_host_info(&c->h, dir);
	cal_host_geometry(&c->g, &c->h, &c->base);
	cal_session_open(&s, stderr);
	c->cpu = s.cpu;
	c->papi_ok = s.papi_ok;
	c->domain_all = s.domain_all;
	c->nice_set = s.nice_set;
	cal_counter_lists(c, &s.ctr);
	double core = cal_measure_core_mhz(&s.clk);
	char khow[96];
	double kernel = cal_kernel_mhz(c->h.mhz_cpuinfo, khow, sizeof khow);
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
		cal_measure_latencies(&s.clk, &c->g, &c->lat, stderr);
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
	cal_profile_head(nt, c, profile_path);
	int prc = cal_host_profile(&p, nt, c, name, err);
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
		cal_host_txt(h, c, profile_path, dir);
		fclose(h);
	}
	char tmp[CAL_PATH_MAX], path[CAL_PATH_MAX];
	struct profile check;
	if (!y || !h || cal_write_tmp(profile_path, ytext, ylen, tmp, sizeof tmp) < 0) {
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
		if (cal_commit_stream(csv, csvlen, path, err) == 0) {
			snprintf(path, sizeof path, "%s/host.txt", dir);
			char *ctext = NULL;
			size_t clen = 0;
			FILE *cf = open_memstream(&ctext, &clen);
			if (cf) {
				cal_host_csv(cf, c);
				fclose(cf);
			}
			if (cal_commit_stream(htext, hlen, path, err) == 0) {
				snprintf(path, sizeof path, "%s/host.csv", dir);
				if (cal_commit_stream(ctext, clen, path, err) == 0)
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
