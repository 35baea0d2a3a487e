// calibrateshared.h: what the files of `osarch calibrate` (src/cmd/calibrate/)
// share and nothing else includes.
#ifndef OSARCH_CALIBRATESHARED_H
#define OSARCH_CALIBRATESHARED_H

#include <limits.h>
#include <stdio.h>
#include "calibrate.h"
#include "walk.h"

// What the host says of itself (/proc, uname, CPUID), for host.txt and the profile.
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

// Cache levels and TLBs as measured or read: the geometry and where it came from.
enum { G_L1I, G_L1D, G_L2, G_L3, G__N };
enum { T_ITLB, T_DTLB, T_STLB, T__N };

struct geom {
	struct cache_geom c[G__N];
	int cfound[G__N];
	char csrc[G__N][200];
	struct tlb_geom t[T__N];
	int tfound[T__N];
	char tsrc[T__N][200];
};

#define KIB 1024ull
#define MIB (1024ull * 1024ull)

#define CAL_PATH_MAX PATH_MAX // file names made from -o and --results (checked in cmd_calibrate)
// The latency of IMUL r32,r32 in cycles, the core clock's unit (its sources
// are cited above cal_measure_core_mhz in calhost.c).
#define CLOCK_IMUL_CYCLES 3.0

// Load-to-use latencies by pointer chase: the working set and the time.
enum { LAT_L1, LAT_L2, LAT_L3, LAT_DRAM, LAT__N };

struct lat {
	size_t ws[LAT__N];   // working set, bytes (0: not measured)
	double ns[LAT__N];   // < 0: not measured
};

// The monolithic model run on the measured profile (--compare and the fit).
struct model {
	struct service_set *svc;
	struct arch *a;
	struct workload *w;
};

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
extern const char *const cal_cache_names[G__N], *const cal_tlb_names[T__N], *const cal_lat_names[LAT__N];

// calhost.c: the host and its geometry, the core clock and the kernel's
// figure for it, latencies, the model opened and run on a profile.
double cal_kernel_mhz(double cpuinfo_mhz, char *how, size_t n);
double cal_measure_core_mhz(const struct cal_clock *clk);
int cal_has_flag(const char *flags, const char *flag);
int cal_model_open(struct model *m, struct cfg_error *err);
int cal_model_run(struct model *m, const char *wl, const struct profile *p, struct run_result *r, struct cfg_error *err);
void cal_host_geometry(struct geom *g, struct host *h, const struct profile *base);
void cal_host_info(struct host *h, const char *tmpdir);
void cal_measure_latencies(const struct cal_clock *clk, const struct geom *g, struct lat *l, FILE *log);
void cal_model_free(struct model *m);
void cal_printable(char *s);

// calprofile.c: the profile fitted and written, host.txt and host.csv,
// files written through a temporary and a rename.
int cal_commit_stream(char *text, size_t len, const char *path, struct cfg_error *err);
int cal_host_profile(struct profile *p, struct cal_notes *nt, const struct calib *c, const char *name, struct cfg_error *err);
int cal_write_tmp(const char *path, const char *text, size_t len, char *tmp, size_t n);
void cal_counter_lists(struct calib *c, const struct cal_counters *ctr);
void cal_host_csv(FILE *f, const struct calib *c);
void cal_host_txt(FILE *f, const struct calib *c, const char *profile_path, const char *tmpdir);
void cal_profile_head(struct cal_notes *nt, const struct calib *c, const char *path);

#endif
