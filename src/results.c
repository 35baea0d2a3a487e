// results.c: running an experiment's points and writing CSV, JSON and the
// resolved configuration, each through a temporary file and a rename.
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "experiment.h"

// The contract columns of results.csv, in order (issue 2/3; add, never rename).
static const char *const csv_columns =
	"arch,workload,machine,traps,mode_switches,as_switches,ipc_messages,vm_exits,hypercalls,"
	"tlb_flushes,instructions,cycles,usec,l1i_misses,l1d_misses,l2_misses,llc_misses,"
	"itlb_misses,dtlb_misses,footprint_i_lines,footprint_d_lines";
// Added after the swept parameters.
static const char *const csv_extra =
	"io_wait_usec,cycles_base,cycles_imiss,cycles_dmiss,cycles_tlb,cycles_event,cr3_writes,walk_refs,reps,"
	"app_cycles,app_l1_misses,app_llc_misses,app_tlb_misses";

// Whole numbers print without decimals, others with two: deterministic and
// readable (a per-call average of integer counts over reps calls).
static void put_num(FILE *f, double x)
{
	double r = (double)(long long)x;
	if (x == r)
		fprintf(f, "%lld", (long long)x);
	else
		fprintf(f, "%.2f", x);
}

static double per(uint64_t total, int reps) { return (double)total / reps; }

struct metric {
	const char *name;
	double value;
};

// Every numeric metric of a point, in CSV order (contract columns first).
static int metrics(const struct point *p, struct metric *out, int extras)
{
	const struct run_result *r = &p->r;
	int n = r->reps > 0 ? r->reps : 1, k = 0;
	const struct counters *h = &r->hw;
	const struct os_counts *o = &r->os;
#define M(nm, v) out[k++] = (struct metric){nm, v}
	if (!extras) {
		M("traps", per(o->traps, n));
		M("mode_switches", per(o->mode_switches, n));
		M("as_switches", per(o->as_switches, n));
		M("ipc_messages", per(o->ipc_messages, n));
		M("vm_exits", per(o->vm_exits, n));
		M("hypercalls", per(o->hypercalls, n));
		M("tlb_flushes", per(h->tlb_flushes, n));
		M("instructions", per(h->instructions, n));
		M("cycles", (double)(long long)(r->cycles * 10 + 0.5) / 10);
		M("usec", (double)(long long)(r->usec * 10000 + 0.5) / 10000);
		M("l1i_misses", per(h->l1i_misses, n));
		M("l1d_misses", per(h->l1d_misses, n));
		M("l2_misses", per(h->l2_misses, n));
		M("llc_misses", per(h->llc_misses, n));
		M("itlb_misses", per(h->itlb_misses, n));
		M("dtlb_misses", per(h->dtlb_misses, n));
		M("footprint_i_lines", r->fp_i);
		M("footprint_d_lines", r->fp_d);
	} else {
		M("io_wait_usec", o->io_wait_usec / n);
		M("cycles_base", h->cyc[CYC_BASE] / n);
		M("cycles_imiss", h->cyc[CYC_IMISS] / n);
		M("cycles_dmiss", h->cyc[CYC_DMISS] / n);
		M("cycles_tlb", h->cyc[CYC_TLB] / n);
		M("cycles_event", h->cyc[CYC_EVENT] / n);
		M("cr3_writes", per(h->cr3_writes, n));
		M("walk_refs", per(h->walk_refs, n));
		M("reps", n);
		M("app_cycles", (double)(long long)(counters_cycles(&r->app) / n * 10 + 0.5) / 10);
		M("app_l1_misses", per(r->app.l1i_misses + r->app.l1d_misses, n));
		M("app_llc_misses", per(r->app.llc_misses, n));
		M("app_tlb_misses", per(r->app.itlb_misses + r->app.dtlb_misses, n));
	}
#undef M
	return k;
}

void csv_header(FILE *f, const struct experiment *e)
{
	fputs(csv_columns, f);
	for (int i = 0; i < e->nsweep; i++)
		fprintf(f, ",%s", e->sweep[i].key);
	fprintf(f, ",%s\n", csv_extra);
}

void csv_row(FILE *f, const struct experiment *e, const struct point *p)
{
	struct metric m[32];
	fprintf(f, "%s,%s,%s", p->arch, p->workload, p->machine);
	int n = metrics(p, m, 0);
	for (int i = 0; i < n; i++) {
		fputc(',', f);
		put_num(f, m[i].value);
	}
	for (int i = 0; i < e->nsweep; i++)
		fprintf(f, ",%s", p->sweep_values[i]);
	n = metrics(p, m, 1);
	for (int i = 0; i < n; i++) {
		fputc(',', f);
		put_num(f, m[i].value);
	}
	fputc('\n', f);
}

void json_point(FILE *f, const struct experiment *e, const struct point *p)
{
	struct metric m[32];
	fprintf(f, "    {\"arch\": \"%s\", \"workload\": \"%s\", \"machine\": \"%s\"", p->arch, p->workload,
		p->machine);
	for (int pass = 0; pass < 2; pass++) {
		int n = metrics(p, m, pass);
		for (int i = 0; i < n; i++) {
			fprintf(f, ", \"%s\": ", m[i].name);
			put_num(f, m[i].value);
		}
	}
	if (e->nsweep) {
		fprintf(f, ", \"sweep\": {");
		for (int i = 0; i < e->nsweep; i++)
			fprintf(f, "%s\"%s\": \"%s\"", i ? ", " : "", e->sweep[i].key, p->sweep_values[i]);
		fprintf(f, "}");
	}
	fprintf(f, "}");
}

int write_atomic(const char *path, void (*write)(FILE *f, void *arg), void *arg)
{
	char tmp[1100];
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	write(f, arg);
	int bad = ferror(f);
	bad |= fflush(f) != 0;
	bad |= fsync(fileno(f)) != 0;
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, path)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int mkdir_p(const char *dir)
{
	char buf[1024];
	snprintf(buf, sizeof buf, "%s", dir);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -1;
	return 0;
}

struct outputs {
	const struct experiment *e;
	struct point *pts;
	long n;
};

static void write_csv(FILE *f, void *arg)
{
	struct outputs *o = arg;
	csv_header(f, o->e);
	for (long i = 0; i < o->n; i++)
		csv_row(f, o->e, &o->pts[i]);
}

static void write_json(FILE *f, void *arg)
{
	struct outputs *o = arg;
	fprintf(f, "{\n  \"schema_version\": 1,\n  \"name\": \"%s\",\n  \"points\": [\n", o->e->name);
	for (long i = 0; i < o->n; i++) {
		json_point(f, o->e, &o->pts[i]);
		fprintf(f, "%s\n", i + 1 < o->n ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
}

static void put_list(FILE *f, const char *key, const struct strlist *l)
{
	fprintf(f, "%s: [", key);
	for (int i = 0; i < l->n; i++)
		fprintf(f, "%s%s", i ? ", " : "", l->v[i]);
	fprintf(f, "]\n");
}

static void write_resolved(FILE *f, void *arg)
{
	struct outputs *o = arg;
	const struct experiment *e = o->e;
	fprintf(f, "# The effective configuration of this run (osarch %s).\n", OSARCH_VERSION);
	fprintf(f, "name: %s\n", e->name);
	put_list(f, "machine", &e->machines);
	put_list(f, "archs", &e->archs);
	put_list(f, "workloads", &e->workloads);
	fprintf(f, "warmup: %d\nreps: %d\ncold: %s\nseed: %lld\n", e->warmup, e->reps,
		e->cold ? "true" : "false", (long long)e->seed);
	if (e->nsweep) {
		fprintf(f, "sweep:\n");
		for (int i = 0; i < e->nsweep; i++) {
			fprintf(f, "  ");
			put_list(f, e->sweep[i].key, &e->sweep[i].values);
		}
	}
	fprintf(f, "machines_resolved:\n");
	for (int i = 0; i < e->machines.n; i++) {
		struct profile p;
		struct cfg_error err;
		if (profile_load(&p, e->machines.v[i], NULL, &err) == 0) {
			fprintf(f, "  %s:\n", e->machines.v[i]);
			schema_dump(f, profile_schema, &p, 4);
		}
	}
}

// The comparison table of `make run`: one row per workload, one column per
// architecture, cycles per call (and traps) on the first machine.
static void print_table(FILE *t, const struct experiment *e, const struct point *pts, long n)
{
	fprintf(t, "cycles per call (traps) on %s; full results in CSV/JSON\n", e->machines.v[0]);
	fprintf(t, "%-13s", "workload");
	for (int a = 0; a < e->archs.n; a++)
		fprintf(t, " %16.16s", e->archs.v[a]);
	fputc('\n', t);
	for (int w = 0; w < e->workloads.n; w++) {
		fprintf(t, "%-13s", e->workloads.v[w]);
		for (int a = 0; a < e->archs.n; a++) {
			const struct point *p = NULL;
			for (long i = 0; i < n && !p; i++)
				if (!strcmp(pts[i].arch, e->archs.v[a]) && !strcmp(pts[i].workload, e->workloads.v[w]) &&
				    !strcmp(pts[i].machine, e->machines.v[0]))
					p = &pts[i];
			if (p) {
				char cell[40];
				snprintf(cell, sizeof cell, "%.0f (%.0f)", p->r.cycles,
					 per(p->r.os.traps, p->r.reps > 0 ? p->r.reps : 1));
				fprintf(t, " %16s", cell);
			} else {
				fprintf(t, " %16s", "-");
			}
		}
		fputc('\n', t);
	}
}

int experiment_run(const struct experiment *e, const char *outdir, int quiet, FILE *table,
		   struct cfg_error *err)
{
	long npts = experiment_points(e);
	int rc = 1;
	struct point *pts = calloc((size_t)npts, sizeof *pts);
	struct service_set *svc = malloc(sizeof *svc);
	struct arch *archs = calloc((size_t)e->archs.n, sizeof *archs);
	struct workload *wls = calloc((size_t)e->workloads.n, sizeof *wls);
	if (!pts || !svc || !archs || !wls) {
		cfg_msgf(err, "osarch: out of memory");
		goto out;
	}
	rc = 2;
	if (load_services_default(svc, err))
		goto out;
	for (int a = 0; a < e->archs.n; a++)
		if (arch_load(&archs[a], e->archs.v[a], svc, err))
			goto out;
	for (int w = 0; w < e->workloads.n; w++)
		if (workload_load(&wls[w], e->workloads.v[w], svc, err))
			goto out;
	int tty = !quiet && isatty(2);
	int combos = 1;
	for (int s = 0; s < e->nsweep; s++)
		combos *= e->sweep[s].values.n;
	long k = 0;
	time_t t0 = time(NULL);
	for (int mi = 0; mi < e->machines.n; mi++) {
		struct profile base;
		if (profile_load(&base, e->machines.v[mi], NULL, err))
			goto out;
		for (int c = 0; c < combos; c++) {
			struct profile prof = base;
			const char *vals[MAX_SWEEP] = {0};
			struct sweep_workload sw = {UINT32_MAX, UINT32_MAX};
			int rest = c;
			// The last parameter varies fastest.
			for (int s = e->nsweep - 1; s >= 0; s--) {
				const struct sweep_param *sp = &e->sweep[s];
				vals[s] = sp->values.v[rest % sp->values.n];
				rest /= sp->values.n;
				if (sweep_apply(sp->key, vals[s], &prof, &sw, err))
					goto out;
			}
			if (profile_check(&prof, err)) {
				char msg[CFG_ERR_MAX];
				snprintf(msg, sizeof msg, "%s", err->msg);
				cfg_msgf(err, "%s:1:1: error: machine %s with this sweep point: %s", e->path,
					 e->machines.v[mi], msg);
				goto out;
			}
			for (int a = 0; a < e->archs.n; a++) {
				for (int w = 0; w < e->workloads.n; w++) {
					struct point *p = &pts[k++];
					struct workload wl = wls[w];
					if (sw.app_ws != UINT32_MAX)
						wl.app_ws = sw.app_ws;
					if (sw.app_code != UINT32_MAX)
						wl.app_code = sw.app_code;
					snprintf(p->arch, sizeof p->arch, "%s", e->archs.v[a]);
					snprintf(p->workload, sizeof p->workload, "%s", wls[w].name);
					snprintf(p->machine, sizeof p->machine, "%s", prof.name[0] ? prof.name : e->machines.v[mi]);
					memcpy(p->sweep_values, vals, sizeof vals);
					p->mhz = prof.mhz;
					struct run_params rp = {e->warmup, e->reps, e->cold, (uint64_t)e->seed};
					int prc = run_point(&archs[a], &wl, &prof, &rp, &p->r, NULL);
					if (prc == -2) {
						cfg_msgf(err, "%s:1:1: error: architecture %s needs %s, which machine %s does not have",
							 e->path, p->arch, archs[a].requires_ept ? "VT-x with EPT" : "VT-x", p->machine);
						goto out;
					}
					if (prc == -3) {
						cfg_msgf(err, "%s:1:1: error: %s (workload %s)", e->path, p->r.error, p->workload);
						goto out;
					}
					if (prc) {
						cfg_msgf(err, "%s:1:1: error: machine %s cannot be built (bad geometry)",
							 e->path, p->machine);
						goto out;
					}
					if (tty)
						fprintf(stderr, "\r[%ld/%ld] %lds %s %s          ", k, npts,
							(long)(time(NULL) - t0), p->arch, p->workload);
				}
			}
		}
	}
	if (tty)
		fprintf(stderr, "\r%60s\r", "");
	rc = 1;
	if (mkdir_p(outdir)) {
		cfg_msgf(err, "osarch: cannot create %s: %s", outdir, strerror(errno));
		goto out;
	}
	struct outputs o = {e, pts, npts};
	char path[1100];
	snprintf(path, sizeof path, "%s/results.csv", outdir);
	if (write_atomic(path, write_csv, &o))
		goto werr;
	snprintf(path, sizeof path, "%s/results.json", outdir);
	if (write_atomic(path, write_json, &o))
		goto werr;
	snprintf(path, sizeof path, "%s/config.resolved.yaml", outdir);
	if (write_atomic(path, write_resolved, &o))
		goto werr;
	if (table)
		print_table(table, e, pts, npts);
	rc = 0;
	goto out;
werr:
	cfg_msgf(err, "osarch: cannot write %s: %s", path, strerror(errno));
out:
	free(pts);
	free(svc);
	free(archs);
	free(wls);
	return rc;
}
