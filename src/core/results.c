// results.c: a point's figures as a CSV row, a JSON object and a row of the
// comparison table; the resolved configuration; each file written through a
// temporary file and a rename.
#include <errno.h>
#include <limits.h>
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
	"app_cycles,app_l1_misses,app_llc_misses,app_tlb_misses,vmx_transitions,domain_switches,grant_ops,hidden_faults,wake_cycles";

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
		M("vmx_transitions", per(o->vmx_transitions, n));
		M("domain_switches", per(o->domain_switches, n));
		M("grant_ops", per(o->grant_ops, n));
		M("hidden_faults", per(o->hidden_faults, n));
		M("wake_cycles", (double)(long long)(o->wake_cycles / n * 10 + 0.5) / 10);
	}
#undef M
	return k;
}

void csv_header(FILE *f, const struct experiment *e)
{
	fputs(csv_columns, f);
	for (int i = 0; i < e->nsweep; i++) {
		fputc(',', f);
		csv_put_field(f, e->sweep[i].key);
	}
	fprintf(f, ",%s\n", csv_extra);
}

void csv_row(FILE *f, const struct experiment *e, const struct point *p)
{
	struct metric m[32];
	csv_put_field(f, p->arch);
	fputc(',', f);
	csv_put_field(f, p->workload);
	fputc(',', f);
	csv_put_field(f, p->machine);
	int n = metrics(p, m, 0);
	for (int i = 0; i < n; i++) {
		fputc(',', f);
		put_num(f, m[i].value);
	}
	for (int i = 0; i < e->nsweep; i++) {
		fputc(',', f);
		csv_put_field(f, p->sweep_values[i]);
	}
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
	fputs("    {\"arch\": ", f);
	json_put_str(f, p->arch);
	fputs(", \"workload\": ", f);
	json_put_str(f, p->workload);
	fputs(", \"machine\": ", f);
	json_put_str(f, p->machine);
	for (int pass = 0; pass < 2; pass++) {
		int n = metrics(p, m, pass);
		for (int i = 0; i < n; i++) {
			fprintf(f, ", \"%s\": ", m[i].name);
			put_num(f, m[i].value);
		}
	}
	if (e->nsweep) {
		fprintf(f, ", \"sweep\": {");
		for (int i = 0; i < e->nsweep; i++) {
			fputs(i ? ", " : "", f);
			json_put_str(f, e->sweep[i].key);
			fputs(": ", f);
			json_put_str(f, p->sweep_values[i]);
		}
		fprintf(f, "}");
	}
	fprintf(f, "}");
}

int write_atomic(const char *path, void (*write)(FILE *f, void *arg), void *arg)
{
	size_t n = strlen(path) + 32;
	if (n > PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	char *tmp = malloc(n);
	if (!tmp)
		return -1;
	snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f) {
		free(tmp);
		return -1;
	}
	write(f, arg);
	// The first error wins: ferror and fflush leave errno from the failed
	// write (ENOSPC), a short write without one is reported as EIO.
	errno = 0;
	int bad = ferror(f);
	bad |= fflush(f) != 0;
	bad |= fsync(fileno(f)) != 0;
	int e = errno;
	bad |= fclose(f) != 0;
	if (!e)
		e = errno;
	if (bad || rename(tmp, path)) {
		if (!bad)
			e = errno;
		unlink(tmp);
		free(tmp);
		errno = e ? e : EIO;
		return -1;
	}
	free(tmp);
	return 0;
}

int write_atomic_in(const char *dir, const char *name, void (*write)(FILE *f, void *arg), void *arg)
{
	char *path = path_join(dir, name);
	if (!path)
		return -1;
	int rc = write_atomic(path, write, arg);
	int e = errno;
	free(path);
	errno = e;
	return rc;
}

int mkdir_p(const char *dir)
{
	if (strlen(dir) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	char *buf = strdup(dir);
	if (!buf)
		return -1;
	int rc = 0;
	for (char *p = buf + 1; *p && !rc; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) && errno != EEXIST)
			rc = -1;
		*p = '/';
	}
	if (!rc && mkdir(buf, 0755) && errno != EEXIST)
		rc = -1;
	int e = errno;
	free(buf);
	errno = e;
	return rc;
}

static void put_list(FILE *f, const char *key, const struct strlist *l)
{
	yaml_put_scalar(f, key);
	fputs(": [", f);
	for (int i = 0; i < l->n; i++) {
		fputs(i ? ", " : "", f);
		yaml_put_scalar(f, l->v[i]);
	}
	fprintf(f, "]\n");
}

void write_resolved(FILE *f, void *arg)
{
	const struct experiment *e = arg;
	fprintf(f, "# The effective configuration of this run (osarch %s); `osarch run` and\n"
		   "# `osarch merge` accept it as an experiment file.\n", OSARCH_VERSION);
	fputs("name: ", f);
	yaml_put_scalar(f, e->name);
	fputc('\n', f);
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
	if (e->shard.count > 1)
		fprintf(f, "shard: {index: %d, count: %d}\n", e->shard.index, e->shard.count);
}

// The machine profiles as they were used (defaults, inheritance and all),
// keyed by the name the experiment gave.
void write_machines_resolved(FILE *f, void *arg)
{
	const struct experiment *e = arg;
	fprintf(f, "# The machine profiles of this run as resolved (osarch %s).\n", OSARCH_VERSION);
	for (int i = 0; i < e->machines.n; i++) {
		struct profile p;
		struct cfg_error err;
		if (profile_load(&p, e->machines.v[i], NULL, &err) == 0) {
			yaml_put_scalar(f, e->machines.v[i]);
			fputs(":\n", f);
			schema_dump(f, profile_schema, &p, 2);
		}
	}
}

// The comparison table of `make run`: one row per workload, one column per
// architecture, cycles per call (and traps) on the first machine, read back
// from the CSV rows (the journal holds rows, not structs).
static int csv_field(const char *row, int col, char *out, size_t n)
{
	size_t len = strcspn(row, "\t\n");
	if (!memchr(row, '"', len)) { // no quoted field: count commas (the table's hot path)
		for (int c = 0; c < col; c++) {
			row = strchr(row, ',');
			if (!row)
				return -1;
			row++;
		}
		snprintf(out, n, "%.*s", (int)strcspn(row, ",\t\n"), row);
		return 0;
	}
	char *copy = strndup(row, len), *f[64];
	int nf = copy ? csv_split(copy, f, 64) : -1;
	int rc = nf > col ? 0 : -1;
	if (!rc)
		snprintf(out, n, "%s", f[col]);
	free(copy);
	return rc;
}

void print_table(FILE *t, const struct experiment *e, char *const *rows, long n)
{
	fprintf(t, "cycles per call (traps) on %s; full results in CSV/JSON\n", e->machines.v[0]);
	int width = 12;
	for (int a = 0; a < e->archs.n; a++)
		width = (int)strlen(e->archs.v[a]) + 1 > width ? (int)strlen(e->archs.v[a]) + 1 : width;
	fprintf(t, "%-13s", "workload");
	for (int a = 0; a < e->archs.n; a++)
		fprintf(t, " %*s", width, e->archs.v[a]);
	fputc('\n', t);
	for (int w = 0; w < e->workloads.n; w++) {
		fprintf(t, "%-13s", e->workloads.v[w]);
		for (int a = 0; a < e->archs.n; a++) {
			char cell[64] = "-";
			for (long i = 0; i < n; i++) {
				char arch[128], wl[64], cyc[32], traps[32];
				if (!rows[i] || csv_field(rows[i], 0, arch, sizeof arch) || csv_field(rows[i], 1, wl, sizeof wl) ||
				    csv_field(rows[i], 11, cyc, sizeof cyc) || csv_field(rows[i], 3, traps, sizeof traps))
					continue;
				if (!strcmp(arch, e->archs.v[a]) && !strcmp(wl, e->workloads.v[w])) {
					snprintf(cell, sizeof cell, "%.0f (%s)", atof(cyc), traps);
					break;
				}
			}
			fprintf(t, " %*s", width, cell);
		}
		fputc('\n', t);
	}
}
