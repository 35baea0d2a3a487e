// main.c: the osarch command line. Exit 0 on success, 2 on bad input or
// usage, 1 on an internal failure.
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "cli.h"
#include "diff.h"
#include "experiment.h"
#include "report.h"
#include "replay.h"
#include "validate.h"
#include "virtcheck.h"
#include "faults.h"

static const char usage_main[] =
	"usage: osarch [--version] [--help] COMMAND [ARGS]\n"
	"\n"
	"A comparative OS-architecture simulator: the same kernel services under\n"
	"monolithic, Mach, L4, exokernel and VM architectures on a simulated x86.\n"
	"\n"
	"commands:\n"
	"  run CONFIG.yaml [-o DIR] [-j N] [--resume] [--quiet]\n"
	"                                        run an experiment; writes DIR/results.csv,\n"
	"                                        results.json, config.resolved.yaml\n"
	"  merge CONFIG.yaml SHARD-DIR... [-o DIR]  join shard runs (run --emit-jobs)\n"
	"  trace --arch A [--machine M] [--format text|csv|json] WORKLOAD\n"
	"                                        the path of one call, step by step\n"
	"  list [archs|workloads|machines]       what can be run\n"
	"  diff DIR_A DIR_B [--baseline ARCH] [--threshold PCT]\n"
	"                                        what moved between two runs; exit 1 if anything did\n"
	"  validate [FILE] [--markdown]          published measurements against the model\n"
	"                                        (configs/validation.yaml); exit 1 on an unexplained miss\n"
	"  report [--template FILE] [-o FILE]    fill docs/report.md.in from results/ into REPORT.md\n"
	"  calibrate [-o PROFILE] [--quick] [--compare]\n"
	"                                        measure this host, write its profile; --compare: model vs host\n"
	"  scale CONFIG.yaml [-o DIR] [--cfg=K:V] many cores, hosts, VM migration on SimGrid\n"
	"  check LAB-DIR ANSWER.yaml             a lab's answers against the model (labs/N); exit 1 if one fails\n"
	"  lab make LAB-DIR --student ID -o DIR  a student's variant of a lab: handout and answer template\n"
	"  replay --arch A [--machine M] [TRACE|-]  a valgrind trace (program + system calls) under A\n"
	"  cachesim [--machine M | --I1 ..] TRACE  a valgrind trace through caches, as cachegrind\n"
	"  virtcheck ISA.yaml                    Popek-Goldberg check of an instruction set (configs/isa/)\n"
	"  faults CONFIG.yaml [-o DIR] [--quiet] an extension under faults in each placement\n"
	"\n"
	"`osarch COMMAND --help` describes a command.\n";

static const char usage_run[] =
	"usage: osarch run CONFIG.yaml [-o DIR] [-j N] [--resume] [--quiet]\n"
	"       osarch run CONFIG.yaml --emit-jobs DIR [--shards N]\n"
	"\n"
	"Runs every (machine, swept parameter, architecture, workload) point of an\n"
	"experiment and writes DIR/results.csv, DIR/results.json,\n"
	"DIR/config.resolved.yaml and DIR/machines.resolved.yaml (DIR defaults to\n"
	"results/<name>/), then prints a comparison table (not with --quiet).\n"
	"\n"
	"  -j N          run points in N worker processes (default: the number of cores);\n"
	"                the files are the same bytes whatever N\n"
	"  --resume      keep the points DIR/.journal already holds (after a kill), run the rest\n"
	"  --quiet       no progress line (it is only shown on a terminal anyway) and no table\n"
	"  --emit-jobs DIR  write N shard configs (default 4), a Slurm job-array script and a\n"
	"                GNU parallel command line into DIR; join the shards with osarch merge\n";

static const char usage_merge[] =
	"usage: osarch merge CONFIG.yaml SHARD-DIR... [-o DIR]\n"
	"\n"
	"Joins the points of shard runs (osarch run --emit-jobs) into one result in DIR\n"
	"(default results/<name>/), the same bytes as one uninterrupted run.\n";

static const char usage_trace[] =
	"usage: osarch trace --arch ARCH [--machine PROFILE] [--format text|csv|json] [--cold] WORKLOAD\n"
	"\n"
	"Shows one warm call of WORKLOAD under ARCH as numbered domain crossings:\n"
	"from -> to, the transport, whether it trapped, cycles and misses, and what\n"
	"ran; then one line\n"
	"  total: traps=N mode_switches=N as_switches=N ipc_messages=N vm_exits=N hypercalls=N cycles=N vmx_transitions=N\n"
	"         domain_switches=N grant_ops=N hidden_faults=N (on the same line)\n"
	"ARCH may carry options: mach-multiserver:driver=user. PROFILE defaults to modern.\n";

static const char usage_list[] =
	"usage: osarch list [archs|workloads|machines]\n"
	"\n"
	"Lists architectures (with their protection domains and the size of their\n"
	"privileged code), workloads and machine profiles.\n";

static const char usage_validate[] =
	"usage: osarch validate [FILE] [--markdown]\n"
	"\n"
	"Runs every check of FILE (default configs/validation.yaml) on the machine\n"
	"profile of the paper's machine and prints, side by side, the published and\n"
	"simulated figures, the published and simulated ratios, the factor\n"
	"(simulated / published), the band and the verdict. A check passes when its\n"
	"factor lies within its band (2x either way unless it says otherwise) and a\n"
	"ratio's ordering agrees. A check marked input: set a constant of the model\n"
	"and is not scored. The last line:\n"
	"  validate: N checks from P papers, M within band, K inputs (not scored),\n"
	"  geometric-mean error X.XX×, worst Y.YY× (NAME)\n"
	"Exit 0 when every miss carries known_miss:, 1 when one does not, 2 on a bad\n"
	"file.\n";

static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}

static int bad_usage(const char *usage, const char *fmt, const char *arg)
{
	fprintf(stderr, "osarch: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage);
	return 2;
}

// ---- run ----

static int cmd_run(int argc, char **argv)
{
	if (wants_help(argc, argv)) {
		fputs(usage_run, stdout);
		return 0;
	}
	const char *out = NULL, *config = NULL, *emit = NULL;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	struct run_opts o = {NULL, 0, cores > 0 ? (int)cores : 1, 0};
	int shards = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--emit-jobs") || !strcmp(a, "-j") ||
		    !strcmp(a, "--jobs") || !strcmp(a, "--shards")) {
			if (++i >= argc)
				return bad_usage(usage_run, "%s needs a value", a);
			if (a[1] == 'o' || !strcmp(a, "--output")) {
				out = argv[i];
			} else if (!strcmp(a, "--emit-jobs")) {
				emit = argv[i];
			} else {
				char *end;
				long n = strtol(argv[i], &end, 10);
				if (*end || n < 1 || n > 4096)
					return bad_usage(usage_run, "bad number '%s' (expected 1..4096)", argv[i]);
				if (!strcmp(a, "--shards"))
					shards = (int)n;
				else
					o.jobs = (int)n;
			}
		} else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
			o.quiet = 1;
		} else if (!strcmp(a, "--resume")) {
			o.resume = 1;
		} else if (a[0] == '-') {
			return bad_usage(usage_run, "unknown option '%s'", a);
		} else if (config) {
			return bad_usage(usage_run, "one config at a time ('%s' is extra)", a);
		} else {
			config = a;
		}
	}
	if (!config)
		return bad_usage(usage_run, "%s", "missing CONFIG.yaml");
	struct experiment e;
	struct cfg_error err;
	if (experiment_load(&e, config, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	int rc;
	if (emit) {
		rc = experiment_emit_jobs(&e, emit, shards ? shards : 4, &err);
		if (!rc)
			printf("wrote %d shard configs, slurm.sh and parallel.txt in %s\n", shards ? shards : 4, emit);
	} else {
		char *dir = out ? NULL : path_join("results", e.name); // the name is checked: one component
		o.outdir = out ? out : dir;
		rc = o.outdir ? experiment_run(&e, &o, o.quiet ? NULL : stdout, &err) : 1;
		if (!o.outdir)
			snprintf(err.msg, sizeof err.msg, "osarch: out of memory");
		free(dir);
	}
	if (rc)
		fprintf(stderr, "%s\n", err.msg);
	experiment_free(&e);
	return rc;
}

static int cmd_merge(int argc, char **argv)
{
	if (wants_help(argc, argv)) {
		fputs(usage_merge, stdout);
		return 0;
	}
	const char *out = NULL;
	char **dirs = calloc((size_t)argc, sizeof *dirs);
	int ndirs = 0;
	if (!dirs)
		return 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o")) {
			if (++i >= argc) {
				free(dirs);
				return bad_usage(usage_merge, "%s needs a directory", "-o");
			}
			out = argv[i];
		} else if (argv[i][0] == '-') {
			free(dirs);
			return bad_usage(usage_merge, "unknown option '%s'", argv[i]);
		} else {
			dirs[ndirs++] = argv[i];
		}
	}
	if (ndirs < 2) {
		free(dirs);
		return bad_usage(usage_merge, "%s", "expected CONFIG.yaml and at least one shard directory");
	}
	struct experiment e;
	struct cfg_error err;
	if (experiment_load(&e, dirs[0], &err)) {
		fprintf(stderr, "%s\n", err.msg);
		free(dirs);
		return 2;
	}
	e.shard.count = 0; // the merged result covers every point
	char *dir = out ? NULL : path_join("results", e.name);
	int rc = out || dir ? experiment_merge(&e, dirs + 1, ndirs - 1, out ? out : dir, &err) : 1;
	if (!out && !dir)
		snprintf(err.msg, sizeof err.msg, "osarch: out of memory");
	free(dir);
	if (rc)
		fprintf(stderr, "%s\n", err.msg);
	experiment_free(&e);
	free(dirs);
	return rc;
}

// ---- trace ----

enum fmt { FMT_TEXT, FMT_CSV, FMT_JSON };

// What a row did, beyond the operations it ran: a copy's bytes and lines,
// the number of trips to a monitor, a continuation mark.
static void row_note(const struct trace_step *s, char *out, size_t n)
{
	out[0] = 0;
	if (s->kind == TK_COPY)
		snprintf(out, n, "%u B, %u lines", s->bytes, s->lines);
	else if (s->kind == TK_MONITOR && s->count > 1)
		snprintf(out, n, "x%u", s->count);
	else if (s->cont)
		snprintf(out, n, "(cont.)");
}

static void print_trace(const struct trace *tr, const struct run_result *r, const char *arch,
			const char *wl, const char *machine, int fmt, int cold)
{
	const struct os_counts *o = &r->os;
	if (fmt == FMT_CSV)
		printf("step,from,to,transport,trapped,traps,as_switches,ipc_messages,vm_exits,hypercalls,cycles,l1i_misses,l1d_misses,l2_misses,llc_misses,why,ran,kind,bytes,lines,count,cont\n");
	else if (fmt == FMT_JSON)
		printf("{\"arch\": \"%s\", \"workload\": \"%s\", \"machine\": \"%s\", \"cold\": %s, \"steps\": [\n", arch, wl,
		       machine, cold ? "true" : "false");
	else {
		printf("%s %s on %s (one %s call; the rows add up to the total)\n", arch, wl, machine, cold ? "cold" : "warm");
		printf("%3s  %-8s %-16s   %-16s %-13s %-4s %9s %5s %5s %5s %5s  %s\n", "#", "kind", "from", "to", "transport",
		       "trap", "cycles", "L1i", "L1d", "L2", "LLC", "ran");
	}
	for (int i = 0; i < tr->n; i++) {
		const struct trace_step *s = &tr->step[i];
		double cyc = counters_cycles(&s->hw);
		const char *kind = trace_kind_names[s->kind];
		char note[64];
		row_note(s, note, sizeof note);
		if (fmt == FMT_CSV)
			printf("%d,%s,%s,%s,%d,%llu,%llu,%llu,%llu,%llu,%.0f,%llu,%llu,%llu,%llu,%s,%s,%s,%u,%u,%u,%d\n", i + 1,
			       s->from, s->to, s->transport, s->trapped, (unsigned long long)s->os.traps,
			       (unsigned long long)s->os.as_switches, (unsigned long long)s->os.ipc_messages,
			       (unsigned long long)s->os.vm_exits, (unsigned long long)s->os.hypercalls, cyc,
			       (unsigned long long)s->hw.l1i_misses, (unsigned long long)s->hw.l1d_misses,
			       (unsigned long long)s->hw.l2_misses, (unsigned long long)s->hw.llc_misses, s->why, s->ran,
			       kind, s->bytes, s->lines, s->count, s->cont);
		else if (fmt == FMT_JSON)
			printf("  {\"step\": %d, \"from\": \"%s\", \"to\": \"%s\", \"transport\": \"%s\", \"trapped\": %s, "
			       "\"traps\": %llu, \"as_switches\": %llu, \"ipc_messages\": %llu, \"vm_exits\": %llu, "
			       "\"hypercalls\": %llu, \"cycles\": %.0f, \"l1i_misses\": %llu, \"l1d_misses\": %llu, "
			       "\"l2_misses\": %llu, \"llc_misses\": %llu, \"why\": \"%s\", \"ran\": \"%s\", "
			       "\"kind\": \"%s\", \"bytes\": %u, \"lines\": %u, \"count\": %u, \"cont\": %s, "
			       "\"mode_switches\": %llu}%s\n",
			       i + 1, s->from, s->to, s->transport, s->trapped ? "true" : "false",
			       (unsigned long long)s->os.traps, (unsigned long long)s->os.as_switches,
			       (unsigned long long)s->os.ipc_messages, (unsigned long long)s->os.vm_exits,
			       (unsigned long long)s->os.hypercalls, cyc, (unsigned long long)s->hw.l1i_misses,
			       (unsigned long long)s->hw.l1d_misses, (unsigned long long)s->hw.l2_misses,
			       (unsigned long long)s->hw.llc_misses, s->why, s->ran, kind, s->bytes, s->lines, s->count,
			       s->cont ? "true" : "false", (unsigned long long)s->os.mode_switches, i + 1 < tr->n ? "," : "");
		else
			printf("%3d  %-8s %-16s-> %-16s %-13s %-4s %9.0f %5llu %5llu %5llu %5llu  %s%s%s%s%s%s\n", i + 1, kind,
			       s->from, s->to, s->transport, s->trapped ? "yes" : "", cyc,
			       (unsigned long long)s->hw.l1i_misses, (unsigned long long)s->hw.l1d_misses,
			       (unsigned long long)s->hw.l2_misses, (unsigned long long)s->hw.llc_misses, note,
			       note[0] && s->ran[0] ? " " : "", s->ran, s->why[0] ? " [" : "", s->why, s->why[0] ? "]" : "");
	}
	if (fmt == FMT_JSON) {
		printf("], \"total\": {\"traps\": %llu, \"mode_switches\": %llu, \"as_switches\": %llu, "
		       "\"ipc_messages\": %llu, \"vm_exits\": %llu, \"hypercalls\": %llu, \"cycles\": %.0f, "
		       "\"usec\": %.4f, \"io_wait_usec\": %.2f, \"vmx_transitions\": %llu, \"domain_switches\": %llu, "
		       "\"grant_ops\": %llu, \"hidden_faults\": %llu}}\n",
		       (unsigned long long)o->traps, (unsigned long long)o->mode_switches,
		       (unsigned long long)o->as_switches, (unsigned long long)o->ipc_messages,
		       (unsigned long long)o->vm_exits, (unsigned long long)o->hypercalls, r->cycles, r->usec,
		       o->io_wait_usec, (unsigned long long)o->vmx_transitions, (unsigned long long)o->domain_switches,
		       (unsigned long long)o->grant_ops, (unsigned long long)o->hidden_faults);
		return;
	}
	if (fmt == FMT_TEXT && o->io_wait_usec > 0)
		printf("(the call also waited %.1f us for the device, not counted in cycles; from the interrupt\n"
		       " until the waiting code ran again, the wake-up path: %.0f cycles)\n",
		       o->io_wait_usec, o->wake_cycles);
	// The contract line: scripts read it.
	if (fmt == FMT_TEXT)
		printf("total: traps=%llu mode_switches=%llu as_switches=%llu ipc_messages=%llu vm_exits=%llu hypercalls=%llu cycles=%.0f vmx_transitions=%llu"
		       " domain_switches=%llu grant_ops=%llu hidden_faults=%llu\n",
		       (unsigned long long)o->traps, (unsigned long long)o->mode_switches,
		       (unsigned long long)o->as_switches, (unsigned long long)o->ipc_messages,
		       (unsigned long long)o->vm_exits, (unsigned long long)o->hypercalls, r->cycles,
		       (unsigned long long)o->vmx_transitions, (unsigned long long)o->domain_switches,
		       (unsigned long long)o->grant_ops, (unsigned long long)o->hidden_faults);
}

static int cmd_trace(int argc, char **argv)
{
	if (wants_help(argc, argv)) {
		fputs(usage_trace, stdout);
		return 0;
	}
	const char *arch = NULL, *machine = "modern", *wl = NULL;
	int fmt = FMT_TEXT, cold = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = !strcmp(a, "--arch") ? &arch : !strcmp(a, "--machine") ? &machine : NULL;
		if (slot) {
			if (++i >= argc)
				return bad_usage(usage_trace, "%s needs a value", a);
			*slot = argv[i];
		} else if (!strcmp(a, "--format")) {
			if (++i >= argc)
				return bad_usage(usage_trace, "%s needs a value", a);
			if (!strcmp(argv[i], "text")) fmt = FMT_TEXT;
			else if (!strcmp(argv[i], "csv")) fmt = FMT_CSV;
			else if (!strcmp(argv[i], "json")) fmt = FMT_JSON;
			else return bad_usage(usage_trace, "unknown format '%s' (expected text, csv or json)", argv[i]);
		} else if (!strcmp(a, "--cold")) {
			cold = 1;
		} else if (a[0] == '-') {
			return bad_usage(usage_trace, "unknown option '%s'", a);
		} else if (wl) {
			return bad_usage(usage_trace, "one workload at a time ('%s' is extra)", a);
		} else {
			wl = a;
		}
	}
	if (!arch || !wl)
		return bad_usage(usage_trace, "%s", !arch ? "missing --arch" : "missing WORKLOAD");
	struct cfg_error err;
	struct profile p;
	struct service_set *svc = malloc(sizeof *svc);
	struct arch *a = malloc(sizeof *a);
	struct workload *w = malloc(sizeof *w);
	struct trace *tr = malloc(sizeof *tr);
	int rc = 1;
	if (!svc || !a || !w || !tr)
		goto out;
	rc = 2;
	if (profile_load(&p, machine, NULL, &err) || load_services_default(svc, &err) ||
	    arch_load(a, arch, svc, &err) || workload_load(w, wl, svc, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		goto out;
	}
	struct run_params rp = {10, 1, cold, 1};
	struct run_result r;
	tr->n = 0;
	int prc = run_point(a, w, &p, &rp, &r, tr);
	if (prc == -2)
		fprintf(stderr, "osarch: architecture %s needs %s, which machine %s does not have\n", a->name,
			a->requires_ept ? "VT-x with EPT" : "VT-x", p.name);
	if (prc == -3)
		fprintf(stderr, "osarch: %s (workload %s)\n", r.error, w->name);
	if (prc) {
		rc = prc == -2 || prc == -3 ? 2 : 1;
		goto out;
	}
	print_trace(tr, &r, a->name, w->name, p.name, fmt, cold);
	rc = 0;
out:
	free(svc);
	free(a);
	free(w);
	free(tr);
	return rc;
}

// ---- list ----

static void print_arch(const struct arch *a)
{
	printf("\n  %-18s privileged code %5llu KiB\n", a->name, (unsigned long long)(arch_tcb_bytes(a) >> 10));
	printf("    %s\n    domains:", a->description);
	for (int d = 0; d < a->ndom; d++)
		printf(" %s(ring %d%s%s)", a->dom[d].name, a->dom[d].ring, a->dom[d].vmx_root ? ", root" : "",
		       a->dom[d].vm ? ", guest" : "");
	printf("\n");
}

// The architectures (with their domains and privileged code) or the
// workloads, on the services loaded once by cmd_list (svc_err: their
// error, printed again for each kind as when each kind loaded them).
static int list_models(int archs, const struct service_set *svc, const struct cfg_error *svc_err)
{
	struct strlist names;
	struct cfg_error err;
	struct arch *a = malloc(sizeof *a);
	struct workload *w = malloc(sizeof *w);
	int rc = 1;
	if (!svc || !a || !w || list_names(archs ? "arch" : "workloads", &names))
		goto out;
	rc = 2;
	if (svc_err) {
		fprintf(stderr, "%s\n", svc_err->msg);
		strlist_free(&names);
		goto out;
	}
	rc = 0;
	printf(archs ? "architectures (privileged code = text of the services in a kernel mode: rings 0-2, a\n"
		      "guest kernel included, or VMX root; docs/model.md):\n" : "workloads:\n");
	for (int i = 0; i < names.n; i++) {
		if (archs ? arch_load(a, names.v[i], svc, &err) : workload_load(w, names.v[i], svc, &err)) {
			fprintf(stderr, "%s\n", err.msg);
			rc = 2;
			continue;
		}
		if (archs)
			print_arch(a);
		else
			printf("  %-14s %s\n", w->name, w->description);
	}
	strlist_free(&names);
out:
	free(a);
	free(w);
	return rc;
}

static int list_machines(void)
{
	struct strlist names;
	if (list_names("configs/machines", &names))
		return 1;
	printf("machine profiles (configs/machines/):\n");
	int rc = 0;
	for (int i = 0; i < names.n; i++) {
		struct profile p;
		struct cfg_error err;
		if (profile_load(&p, names.v[i], NULL, &err)) {
			fprintf(stderr, "%s\n", err.msg);
			rc = 2;
			continue;
		}
		printf("  %-12s %7.1f MHz  %s\n", p.name, p.mhz, p.description);
	}
	strlist_free(&names);
	return rc;
}

static int cmd_list(int argc, char **argv)
{
	if (wants_help(argc, argv)) {
		fputs(usage_list, stdout);
		return 0;
	}
	if (argc > 2)
		return bad_usage(usage_list, "one kind at a time ('%s' is extra)", argv[2]);
	const char *what = argc > 1 ? argv[1] : NULL;
	if (what && strcmp(what, "archs") && strcmp(what, "workloads") && strcmp(what, "machines"))
		return bad_usage(usage_list, "unknown kind '%s' (expected archs, workloads or machines)", what);
	int rc = 0;
	// The services both architectures and workloads are loaded on: once.
	struct service_set *svc = NULL;
	struct cfg_error svc_err;
	int svc_bad = 0;
	if (!what || strcmp(what, "machines")) {
		svc = malloc(sizeof *svc);
		svc_bad = svc && load_services_default(svc, &svc_err);
	}
	if (!what || !strcmp(what, "archs"))
		rc |= list_models(1, svc, svc_bad ? &svc_err : NULL);
	if (!what)
		printf("\n");
	if (!what || !strcmp(what, "workloads"))
		rc |= list_models(0, svc, svc_bad ? &svc_err : NULL);
	free(svc);
	if (!what)
		printf("\n");
	if (!what || !strcmp(what, "machines"))
		rc |= list_machines();
	return rc ? 2 : 0;
}

static int cmd_validate(int argc, char **argv)
{
	if (wants_help(argc, argv)) {
		fputs(usage_validate, stdout);
		return 0;
	}
	const char *path = "configs/validation.yaml";
	int md = 0, have = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--markdown"))
			md = 1;
		else if (argv[i][0] == '-')
			return bad_usage(usage_validate, "unknown option '%s'", argv[i]);
		else if (have++)
			return bad_usage(usage_validate, "one file at a time ('%s' is extra)", argv[i]);
		else
			path = argv[i];
	}
	struct validation v;
	struct cfg_error err;
	if (validation_load(&v, path, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	struct vresult *res = calloc((size_t)v.n + 1, sizeof *res);
	int rc = 1;
	if (res && validation_run(&v, res, &err) == 0) {
		validation_print(stdout, &v, res, md);
		struct vsummary s;
		validation_summarize(&v, res, &s);
		if (md)
			fputc('\n', stdout);
		validation_print_summary(stdout, &v, &s);
		rc = s.unexplained > 0;
	} else {
		fprintf(stderr, "%s\n", res ? err.msg : "osarch: out of memory");
		rc = 2;
	}
	free(res);
	validation_free(&v);
	return rc;
}

static int dispatch(int argc, char **argv);

// A failed write to standard output (a full disk, /dev/full, a closed pipe)
// must not end in exit 0: every command's output goes through stdout, so it
// is checked once here, after the command.
int main(int argc, char **argv)
{
	return cli_finish(dispatch(argc, argv));
}

static int dispatch(int argc, char **argv)
{
	if (argc < 2)
		return bad_usage(usage_main, "%s", "missing COMMAND");
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		fputs(usage_main, stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version")) {
		printf("osarch %s\n", OSARCH_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "merge"))
		return cmd_merge(argc - 1, argv + 1);
	if (!strcmp(cmd, "trace"))
		return cmd_trace(argc - 1, argv + 1);
	if (!strcmp(cmd, "list"))
		return cmd_list(argc - 1, argv + 1);
	if (!strcmp(cmd, "diff"))
		return cmd_diff(argc - 1, argv + 1);
	if (!strcmp(cmd, "validate"))
		return cmd_validate(argc - 1, argv + 1);
	// Programs of their own, so that no other command loads SimGrid or PAPI.
	if (!strcmp(cmd, "calibrate"))
		return cli_exec_sibling("osarch-calibrate", "PAPI", "libpapi-dev", "papi-devel", argc - 1, argv + 1);
	if (!strcmp(cmd, "scale"))
		return cli_exec_sibling("osarch-scale", "SimGrid", "libsimgrid-dev", "simgrid-devel where packaged, or SimGrid from source", argc - 1, argv + 1);
	if (!strcmp(cmd, "check"))
		return cmd_check(argc - 1, argv + 1);
	if (!strcmp(cmd, "lab"))
		return cmd_lab(argc - 1, argv + 1);
	if (!strcmp(cmd, "report"))
		return cmd_report(argc - 1, argv + 1);
	if (!strcmp(cmd, "replay"))
		return cmd_replay(argc - 1, argv + 1);
	if (!strcmp(cmd, "cachesim"))
		return cmd_cachesim(argc - 1, argv + 1);
	if (!strcmp(cmd, "virtcheck"))
		return virtcheck_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "faults"))
		return faults_main(argc - 1, argv + 1);
	return bad_usage(usage_main, "unknown command '%s'", cmd);
}
