// faults.c: an operating-system extension under faults (`osarch faults`).
//
// For each extension and placement the extension's protection domain is
// read from the architecture (ext_domain_of): its ring, whether it has an
// address space of its own, which guest it is in, which kernel memory its
// stores can reach and which services share its fate. fault_outcome turns
// those properties, and the containment the configuration adds (a restart
// service, a verifier, address checks, a step budget, a memory quota), into
// what one fault takes down. Nothing here tests an architecture's name.
// What the isolation costs when nothing fails is measured by run_point on
// the extension's workload. See docs/extensions.md for the model and the
// sources of the recovery constants.
//
// This file: the experiment (every extension x placement x fault, the
// expected loss over the mix), its files and table, and the command; the
// config is faultconfig.c, the fault model faultmodel.c.
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include "experiment.h"
#include "faults.h"

// ---- the experiment ----

struct fault_row {
	int ext, place, fault; // fault -1: the expected loss over the config's mix
	struct expected_loss x;
	const char *arch_name; // the placement's arch as written
	struct fault_outcome o;
	struct isolation_cost cost;
};

struct fault_results {
	const struct fault_config *c;
	const char *machine;
	struct fault_row *rows;
	int n;
};

// Distinct services that call the extension's service in the workload.
static int callers_of(const struct workload *w, const struct service_set *svc, int s)
{
	int seen[MAX_SERVICES] = {0}, n = 0;
	for (int i = 0; i < w->n; i++) {
		const struct node *nd = &w->nodes[i];
		if (nd->device || nd->service != s || nd->parent < 0)
			continue;
		int ps = w->nodes[nd->parent].service;
		if (ps >= 0 && ps < MAX_SERVICES && ps != s && ps < svc->n && !seen[ps]) {
			seen[ps] = 1;
			n++;
		}
	}
	return n;
}

static const char *fmt_ms(double ms, char *buf, size_t n)
{
	if (ms < 0)
		snprintf(buf, n, "manual");
	else if (ms == 0)
		snprintf(buf, n, "0");
	else if (ms < 1)
		snprintf(buf, n, "%.0f us", ms * 1000);
	else if (ms < 1000)
		snprintf(buf, n, "%.0f ms", ms);
	else
		snprintf(buf, n, "%.1f s", ms / 1000);
	return buf;
}

static void csv_text(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == ',' || *s == '\n' || *s == '"' ? ';' : *s, f);
}

static void write_csv(FILE *f, void *arg)
{
	const struct fault_results *R = arg;
	fprintf(f, "extension,placement,arch,workload,machine,fault,failure_unit,contained_by,apps_killed,"
		   "requests_lost,requests_retried,services_lost,services_stalled,recovery_ms,reboot,cycles,"
		   "reference_cycles,sandbox_cycles,isolation_cycles,extension_instructions,traps,mode_switches,"
		   "as_switches,ipc_messages,vm_exits,hypercalls,measure,what,detection,function_lost,device_us,"
		   "e2e_overhead,p_machine,p_silent,p_manual,p_function_lost\n");
	for (int i = 0; i < R->n; i++) {
		const struct fault_row *r = &R->rows[i];
		const struct fault_ext *e = &R->c->ext[r->ext];
		const struct fault_place *p = &R->c->place[r->place];
		const struct fault_outcome *o = &r->o;
		const struct isolation_cost *k = &r->cost;
		if (r->fault < 0) {
			const struct expected_loss *x = &r->x;
			fprintf(f, "%s,%s,%s,%s,%s,mix,expected,-,%.3f,%.3f,%.3f,0,0,%.3f,-,%.0f,%.0f,%.0f,%.0f,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%s,",
				e->name, p->name, p->arch, e->workload, R->machine, x->apps_killed, x->requests_lost,
				x->requests_retried, x->recovery_ms, k->cycles, k->ref_cycles, k->sandbox_cycles,
				k->isolation, (unsigned long long)k->ext_instructions, (unsigned long long)k->os.traps,
				(unsigned long long)k->os.mode_switches, (unsigned long long)k->os.as_switches,
				(unsigned long long)k->os.ipc_messages, (unsigned long long)k->os.vm_exits,
				(unsigned long long)k->os.hypercalls, measure_names[e->measure]);
			fprintf(f, "expected loss of one fault drawn from the mix,-,0,%.3f,%.6f,%.4f,%.4f,%.4f,%.4f\n",
				k->device_us, k->e2e_overhead, x->p_machine, x->p_silent, x->p_manual, x->p_function_lost);
			continue;
		}
		fprintf(f, "%s,%s,%s,%s,%s,%s,%s,%s,%d,%d,%d,%d,%d,%.3f,%s,%.0f,%.0f,%.0f,%.0f,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%s,",
			e->name, p->name, p->arch, e->workload, R->machine, fault_names[r->fault], fault_unit_names[o->unit],
			o->contained, o->apps_killed, o->requests_lost, o->requests_retried, o->services_lost,
			o->services_stalled, o->recovery_ms, o->reboot, k->cycles, k->ref_cycles, k->sandbox_cycles,
			k->isolation, (unsigned long long)k->ext_instructions, (unsigned long long)k->os.traps,
			(unsigned long long)k->os.mode_switches, (unsigned long long)k->os.as_switches,
			(unsigned long long)k->os.ipc_messages, (unsigned long long)k->os.vm_exits,
			(unsigned long long)k->os.hypercalls, measure_names[e->measure]);
		csv_text(f, o->what);
		fprintf(f, ",%s,%d,%.3f,%.6f,%d,%d,%d,%d\n", o->detection, o->function_lost, k->device_us, k->e2e_overhead,
			o->unit == UNIT_MACHINE, !strcmp(o->detection, "not caught"), o->recovery_ms < 0, o->function_lost);
	}
}

static void write_json(FILE *f, void *arg)
{
	const struct fault_results *R = arg;
	const struct fault_config *c = R->c;
	fprintf(f, "{\"name\": ");
	json_put_str(f, c->name);
	fprintf(f, ", \"machine\": ");
	json_put_str(f, R->machine);
	fprintf(f, ",\n \"scenario\": {\"processes\": %d, \"guests\": %d, \"inflight\": %d},\n \"recovery\": {",
		c->scenario.processes, c->scenario.guests, c->scenario.inflight);
	const struct {
		const char *name;
		const struct recovery_const *r;
	} rc[] = {{"machine_reboot", &c->consts.machine_reboot}, {"guest_reboot", &c->consts.guest_reboot},
		  {"server_restart", &c->consts.server_restart}, {"extension_reload", &c->consts.extension_reload},
		  {"heartbeat", &c->consts.heartbeat}, {"watchdog", &c->consts.watchdog}};
	for (size_t i = 0; i < sizeof rc / sizeof rc[0]; i++) {
		fprintf(f, "%s\"%s\": {\"ms\": %.3f, \"source\": ", i ? ", " : "", rc[i].name, rc[i].r->ms);
		json_put_str(f, rc[i].r->source);
		fputc('}', f);
	}
	fprintf(f, "},\n \"mix\": {");
	for (int k = 0, first = 1; k < FAULT__N; k++)
		if (c->mix[k] > 0) {
			fprintf(f, "%s\"%s\": %.6g", first ? "" : ", ", fault_names[k], c->mix[k]);
			first = 0;
		}
	fprintf(f, "}, \"mix_source\": ");
	json_put_str(f, c->mix_source);
	fprintf(f, ",\n \"rows\": [\n");
	for (int i = 0; i < R->n; i++) {
		const struct fault_row *r = &R->rows[i];
		const struct fault_ext *e = &c->ext[r->ext];
		const struct fault_place *p = &c->place[r->place];
		const struct fault_outcome *o = &r->o;
		const struct isolation_cost *k = &r->cost;
		if (r->fault < 0) {
			const struct expected_loss *x = &r->x;
			fprintf(f, "  {\"extension\": ");
			json_put_str(f, e->name);
			fprintf(f, ", \"placement\": ");
			json_put_str(f, p->name);
			fprintf(f, ", \"fault\": \"mix\", \"apps_killed\": %.4f, \"requests_lost\": %.4f, "
				   "\"requests_retried\": %.4f, \"recovery_ms\": %.3f, \"p_machine\": %.4f, \"p_silent\": %.4f, "
				   "\"p_manual\": %.4f, \"p_function_lost\": %.4f, \"isolation_cycles\": %.0f, \"device_us\": %.3f, \"e2e_overhead\": %.6f}%s\n",
				x->apps_killed, x->requests_lost, x->requests_retried, x->recovery_ms, x->p_machine,
				x->p_silent, x->p_manual, x->p_function_lost, k->isolation, k->device_us, k->e2e_overhead,
				i + 1 < R->n ? "," : "");
			continue;
		}
		fprintf(f, "  {\"extension\": ");
		json_put_str(f, e->name);
		fprintf(f, ", \"placement\": ");
		json_put_str(f, p->name);
		fprintf(f, ", \"arch\": ");
		json_put_str(f, p->arch);
		fprintf(f, ", \"reference\": ");
		json_put_str(f, p->reference);
		fprintf(f, ", \"workload\": ");
		json_put_str(f, e->workload);
		fprintf(f, ", \"measure\": \"%s\", \"fault\": \"%s\", \"failure_unit\": \"%s\", \"contained_by\": \"%s\", "
			   "\"apps_killed\": %d, \"requests_lost\": %d, \"requests_retried\": %d, \"services_lost\": %d, "
			   "\"services_stalled\": %d, \"recovery_ms\": %.3f, \"reboot\": \"%s\", \"cycles\": %.0f, "
			   "\"reference_cycles\": %.0f, \"sandbox_cycles\": %.0f, \"isolation_cycles\": %.0f, "
			   "\"extension_instructions\": %llu, \"traps\": %llu, \"mode_switches\": %llu, \"as_switches\": %llu, "
			   "\"ipc_messages\": %llu, \"vm_exits\": %llu, \"hypercalls\": %llu, \"detection\": \"%s\", "
			   "\"function_lost\": %d, \"device_us\": %.3f, \"e2e_overhead\": %.6f, \"what\": ",
			measure_names[e->measure], fault_names[r->fault], fault_unit_names[o->unit], o->contained,
			o->apps_killed, o->requests_lost, o->requests_retried, o->services_lost, o->services_stalled,
			o->recovery_ms, o->reboot, k->cycles, k->ref_cycles, k->sandbox_cycles, k->isolation,
			(unsigned long long)k->ext_instructions, (unsigned long long)k->os.traps,
			(unsigned long long)k->os.mode_switches, (unsigned long long)k->os.as_switches,
			(unsigned long long)k->os.ipc_messages, (unsigned long long)k->os.vm_exits,
			(unsigned long long)k->os.hypercalls, o->detection, o->function_lost, k->device_us, k->e2e_overhead);
		json_put_str(f, o->what);
		fprintf(f, "}%s\n", i + 1 < R->n ? "," : "");
	}
	fprintf(f, "]}\n");
}

static void print_tables(FILE *t, const struct fault_results *R)
{
	const struct fault_config *c = R->c;
	fprintf(t, "%s on %s: %d extension(s) x %d placement(s) x %d fault(s)\n", c->name, R->machine, c->next,
		c->nplace, c->nfaults);
	fprintf(t, "scenario: %d application processes per OS instance, %d guests on a host, %d requests in flight\n\n",
		c->scenario.processes, c->scenario.guests, c->scenario.inflight);
	fprintf(t, "what isolation costs when nothing fails (cycles per call, or per device event):\n");
	fprintf(t, "  %-14s %-18s %-30s %9s %9s %8s %9s  %5s %5s %4s %5s %6s\n", "extension", "placement", "arch",
		"cycles", "reference", "sandbox", "isolation", "traps", "as_sw", "ipc", "exits", "hcalls");
	for (int i = 0; i < R->n; i++) {
		const struct fault_row *r = &R->rows[i];
		if (r->fault != c->faults[0])
			continue;
		const struct isolation_cost *k = &r->cost;
		fprintf(t, "  %-14s %-18s %-30s %9.0f %9.0f %8.0f %9.0f  %5llu %5llu %4llu %5llu %6llu\n",
			c->ext[r->ext].name, c->place[r->place].name, c->place[r->place].arch, k->cycles, k->ref_cycles,
			k->sandbox_cycles, k->isolation, (unsigned long long)k->os.traps,
			(unsigned long long)k->os.as_switches, (unsigned long long)k->os.ipc_messages,
			(unsigned long long)k->os.vm_exits, (unsigned long long)k->os.hypercalls);
	}
	fprintf(t, "\nend to end (with the device's time): isolation / (reference cycles + device time):\n");
	for (int i = 0; i < R->n; i++) {
		const struct fault_row *r = &R->rows[i];
		if (r->fault != c->faults[0])
			continue;
		fprintf(t, "  %-14s %-18s device %9.1f us  end-to-end overhead %7.3f%%\n", c->ext[r->ext].name,
			c->place[r->place].name, r->cost.device_us, 100 * r->cost.e2e_overhead);
	}
	if (c->has_mix) {
		fprintf(t, "\nexpected loss of one fault from the mix (%s):\n", c->mix_source);
		fprintf(t, "  %-14s %-18s %8s %8s %8s %11s %9s %9s %9s %9s\n", "extension", "placement", "apps", "lost",
			"retried", "recovery", "P(reboot)", "P(silent)", "P(manual)", "P(no ext)");
		for (int i = 0; i < R->n; i++) {
			const struct fault_row *r = &R->rows[i];
			if (r->fault >= 0)
				continue;
			const struct expected_loss *x = &r->x;
			fprintf(t, "  %-14s %-18s %8.2f %8.2f %8.2f %8.0f ms %9.3f %9.3f %9.3f %9.3f\n", c->ext[r->ext].name,
				c->place[r->place].name, x->apps_killed, x->requests_lost, x->requests_retried,
				x->recovery_ms, x->p_machine, x->p_silent, x->p_manual, x->p_function_lost);
		}
	}
	fprintf(t, "\nwhat a fault loses:\n");
	fprintf(t, "  %-14s %-18s %-13s %-10s %-14s %5s %5s %7s %8s %9s %-7s\n", "extension", "placement", "fault",
		"unit", "contained by", "apps", "lost", "retried", "services", "recovery", "reboot");
	char buf[32];
	for (int i = 0; i < R->n; i++) {
		const struct fault_row *r = &R->rows[i];
		const struct fault_outcome *o = &r->o;
		if (r->fault < 0)
			continue;
		fprintf(t, "  %-14s %-18s %-13s %-10s %-14s %5d %5d %7d %8d %9s %-7s\n", c->ext[r->ext].name,
			c->place[r->place].name, fault_names[r->fault], fault_unit_names[o->unit], o->contained,
			o->apps_killed, o->requests_lost, o->requests_retried, o->services_lost,
			fmt_ms(o->recovery_ms, buf, sizeof buf), o->reboot);
	}
	fprintf(t, "\nwhy (one line per placement and fault, the first extension):\n");
	for (int i = 0; i < R->n; i++) {
		const struct fault_row *r = &R->rows[i];
		if (r->ext != 0 || r->fault < 0)
			continue;
		fprintf(t, "  %-18s %-13s %s\n", c->place[r->place].name, fault_names[r->fault], r->o.what);
	}
}

// Does placement p apply to extension `name` (its `extensions` list, empty: all)?
static int place_applies(const struct fault_place *p, const char *name)
{
	if (!p->extensions[0])
		return 1;
	size_t n = strlen(name);
	for (const char *q = p->extensions; *q;) {
		while (*q == ' ' || *q == ',')
			q++;
		size_t len = strcspn(q, " ,");
		if (len == n && !strncmp(q, name, n))
			return 1;
		q += len;
	}
	return 0;
}

int faults_run(const struct fault_config *c, const char *outdir, FILE *table, struct cfg_error *err)
{
	struct service_set *svc = malloc(sizeof *svc);
	struct arch *a = malloc(sizeof *a), *ref = malloc(sizeof *ref);
	struct workload *w = malloc(sizeof *w);
	struct fault_results R = {c, c->machine,
				  calloc((size_t)(c->next * c->nplace * (c->nfaults + 1)) + 1, sizeof(struct fault_row)), 0};
	int rc = 1;
	if (!svc || !a || !ref || !w || !R.rows) {
		cfg_msgf(err, "osarch: out of memory");
		goto out;
	}
	struct profile p;
	rc = 2;
	if (load_services_default(svc, err) || profile_load(&p, c->machine, NULL, err))
		goto out;
	R.machine = p.name;
	double usec_per_step = p.cpi / p.mhz; // one instruction per step
	for (int ei = 0; ei < c->next; ei++) {
		const struct fault_ext *e = &c->ext[ei];
		if (workload_load(w, e->workload, svc, err))
			goto out;
		int callers = callers_of(w, svc, service_find(svc, e->service));
		for (int pi = 0; pi < c->nplace; pi++) {
			const struct fault_place *pl = &c->place[pi];
			if (!place_applies(pl, e->name))
				continue;
			if (arch_load(a, pl->arch, svc, err) || arch_load(ref, pl->reference, svc, err))
				goto out;
			struct ext_domain dom;
			if (ext_domain_of(a, service_find(&a->svc, e->service), w, &dom)) {
				cfg_msgf(err, "osarch: %s does not place %s", pl->arch, e->service);
				goto out;
			}
			struct isolation_cost cost;
			char why[300];
			if (isolation_cost_of(a, ref, w, &p, e, pl, c->warmup, c->reps, &cost, why, sizeof why)) {
				cfg_msgf(err, "osarch: %s (extension %s, placement %s)", why, e->name, pl->name);
				goto out;
			}
			for (int fi = 0; fi < c->nfaults; fi++) {
				struct fault_row *r = &R.rows[R.n++];
				r->ext = ei;
				r->place = pi;
				r->fault = c->faults[fi];
				r->cost = cost;
				fault_outcome(&dom, pl, e, &c->scenario, &c->consts, r->fault, callers, usec_per_step, &r->o);
			}
			if (c->has_mix) {
				struct fault_outcome all[FAULT__N];
				for (int k = 0; k < FAULT__N; k++)
					fault_outcome(&dom, pl, e, &c->scenario, &c->consts, k, callers, usec_per_step, &all[k]);
				struct fault_row *r = &R.rows[R.n++];
				r->ext = ei;
				r->place = pi;
				r->fault = -1;
				r->cost = cost;
				expected_loss_of(all, c->mix, &r->x);
			}
		}
	}
	rc = 1;
	if (mkdir_p(outdir)) {
		cfg_msgf(err, "osarch: cannot create %s", outdir);
		goto out;
	}
	if (write_atomic_in(outdir, "results.csv", write_csv, &R)) {
		cfg_msgf(err, "osarch: cannot write %s/results.csv: %s", outdir, strerror(errno));
		goto out;
	}
	if (write_atomic_in(outdir, "results.json", write_json, &R)) {
		cfg_msgf(err, "osarch: cannot write %s/results.json: %s", outdir, strerror(errno));
		goto out;
	}
	if (table)
		print_tables(table, &R);
	rc = 0;
out:
	free(svc);
	free(a);
	free(ref);
	free(w);
	free(R.rows);
	return rc;
}

// ---- the command ----

static const char usage_faults[] =
	"usage: osarch faults CONFIG.yaml [-o DIR] [--quiet]\n"
	"\n"
	"Adds the same extension (e.g. a block driver, a packet filter) to the system\n"
	"in each placement of CONFIG (configs/extension-faults.yaml: a loadable kernel\n"
	"module, a user-level server with a restart service, a driver inside a\n"
	"paravirtualised guest, downloaded code in an exokernel's sandbox), injects\n"
	"each fault (wild-write, null-deref, infinite-loop, leak) and reports what is\n"
	"lost: the failure unit, processes killed, requests lost or retried, services\n"
	"lost, simulated recovery time, whether a guest or the machine reboots; and\n"
	"what the isolation costs when nothing fails (cycles per call from the\n"
	"per-call model). Writes DIR/results.csv and DIR/results.json (DIR defaults\n"
	"to results/<name>/) and prints the tables unless --quiet.\n"
	"Exit 0, 2 on a bad file (file:line:col: error: ...), 1 on an internal failure.\n";

int faults_main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage_faults, stdout);
			return 0;
		}
	const char *config = NULL, *out = NULL;
	int quiet = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
			if (++i >= argc) {
				fprintf(stderr, "osarch: %s needs a directory\n%s", argv[i - 1], usage_faults);
				return 2;
			}
			out = argv[i];
		} else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) {
			quiet = 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "osarch: unknown option '%s'\n%s", argv[i], usage_faults);
			return 2;
		} else if (config) {
			fprintf(stderr, "osarch: one config at a time ('%s' is extra)\n%s", argv[i], usage_faults);
			return 2;
		} else {
			config = argv[i];
		}
	}
	if (!config) {
		fprintf(stderr, "osarch: missing CONFIG.yaml\n%s", usage_faults);
		return 2;
	}
	struct fault_config *c = malloc(sizeof *c);
	if (!c) {
		fprintf(stderr, "osarch: out of memory\n");
		return 1;
	}
	struct cfg_error err;
	int rc;
	if (fault_config_load(c, config, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		free(c);
		return 2;
	}
	char dir[600];
	snprintf(dir, sizeof dir, "results/%s", c->name);
	rc = faults_run(c, out ? out : dir, quiet ? NULL : stdout, &err);
	if (rc)
		fprintf(stderr, "%s\n", err.msg);
	fault_config_free(c);
	free(c);
	return rc;
}
