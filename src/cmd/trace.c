// trace.c: `osarch trace --arch A WORKLOAD`: one call of a workload as
// numbered domain crossings (the walk's step trace) in text, CSV or JSON,
// and the `total:` contract line.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "commands.h"
#include "experiment.h"

static const char usage_trace[] =
	"usage: osarch trace --arch ARCH [--machine PROFILE] [--format text|csv|json] [--cold] WORKLOAD\n"
	"\n"
	"Shows one warm call of WORKLOAD under ARCH as numbered domain crossings:\n"
	"from -> to, the transport, whether it trapped, cycles and misses, and what\n"
	"ran; then one line\n"
	"  total: traps=N mode_switches=N as_switches=N ipc_messages=N vm_exits=N hypercalls=N cycles=N vmx_transitions=N\n"
	"         domain_switches=N grant_ops=N hidden_faults=N (on the same line)\n"
	"ARCH may carry options: mach-multiserver:driver=user. PROFILE defaults to modern.\n";

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

int cmd_trace(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
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
				return cli_bad_usage(usage_trace, "%s needs a value", a);
			*slot = argv[i];
		} else if (!strcmp(a, "--format")) {
			if (++i >= argc)
				return cli_bad_usage(usage_trace, "%s needs a value", a);
			if (!strcmp(argv[i], "text")) fmt = FMT_TEXT;
			else if (!strcmp(argv[i], "csv")) fmt = FMT_CSV;
			else if (!strcmp(argv[i], "json")) fmt = FMT_JSON;
			else return cli_bad_usage(usage_trace, "unknown format '%s' (expected text, csv or json)", argv[i]);
		} else if (!strcmp(a, "--cold")) {
			cold = 1;
		} else if (a[0] == '-') {
			return cli_bad_usage(usage_trace, "unknown option '%s'", a);
		} else if (wl) {
			return cli_bad_usage(usage_trace, "one workload at a time ('%s' is extra)", a);
		} else {
			wl = a;
		}
	}
	if (!arch || !wl)
		return cli_bad_usage(usage_trace, "%s", !arch ? "missing --arch" : "missing WORKLOAD");
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
