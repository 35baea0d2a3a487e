// list.c: `osarch list [archs|workloads|machines] [-j N]`: what can be run,
// with each architecture's protection domains and privileged code.
//
// Every file is loaded in full (so a broken one is reported here, as
// `osarch run` would report it), and the loading is most of the command's
// time: libyaml's scanner alone takes about 3 ms for the 50-odd files. The
// files are independent, so N workers take them in any order (one per
// online CPU, at most LIST_MAX_JOBS) and cmd_list prints what each gave in
// the files' order: the output is the same whatever N.
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>
#include <unistd.h>
#include "cli.h"
#include "commands.h"
#include "experiment.h"

// More workers than this wait on one another for the files and the heap.
#define LIST_MAX_JOBS 4

static const char usage_list[] =
	"usage: osarch list [archs|workloads|machines] [-j N]\n"
	"\n"
	"Lists architectures (with their protection domains and the size of their\n"
	"privileged code), workloads and machine profiles.\n"
	"\n"
	"  -j, --jobs N  load the files with N workers (default: one per CPU, at most 4);\n"
	"                the output is the same for every N\n";

enum list_kind { LIST_ARCH, LIST_WORKLOAD, LIST_MACHINE, LIST__N };

// One file to load: what it prints, or the error that stopped it.
struct list_entry {
	enum list_kind kind;
	const char *name; // as list_names gave it (owned by cmd_list's lists)
	char *text;       // its lines for standard output (malloc'd), if loaded
	int failed;       // 1: err holds why; -1: out of memory
	struct cfg_error err;
};

// The entries and the index of the next one a worker takes.
struct list_queue {
	struct list_entry *e;
	int n;
	atomic_int next;
	const struct service_set *svc;
};

static void print_arch(FILE *f, const struct arch *a)
{
	fprintf(f, "\n  %-18s privileged code %5llu KiB\n", a->name, (unsigned long long)(arch_tcb_bytes(a) >> 10));
	fprintf(f, "    %s\n    domains:", a->description);
	for (int d = 0; d < a->ndom; d++)
		fprintf(f, " %s(ring %d%s%s)", a->dom[d].name, a->dom[d].ring, a->dom[d].vmx_root ? ", root" : "",
			a->dom[d].vm ? ", guest" : "");
	fprintf(f, "\n");
}

// The objects one worker loads each file into (an architecture is 731 KB).
struct list_scratch {
	struct arch a;
	struct workload w;
	struct profile p;
};

// Loads e into s and writes its lines to f; 0, or -1 with e->err.
static int list_load(struct list_entry *e, struct list_scratch *s, const struct service_set *svc, FILE *f)
{
	switch (e->kind) {
	case LIST_ARCH:
		if (arch_load(&s->a, e->name, svc, &e->err))
			return -1;
		print_arch(f, &s->a);
		return 0;
	case LIST_WORKLOAD:
		if (workload_load(&s->w, e->name, svc, &e->err))
			return -1;
		fprintf(f, "  %-14s %s\n", s->w.name, s->w.description);
		return 0;
	default:
		if (profile_load(&s->p, e->name, NULL, &e->err))
			return -1;
		fprintf(f, "  %-12s %7.1f MHz  %s\n", s->p.name, s->p.mhz, s->p.description);
		return 0;
	}
}

// A worker: takes the next entry until none is left.
static int list_worker(void *arg)
{
	struct list_queue *q = arg;
	struct list_scratch *s = malloc(sizeof *s);
	for (int i; (i = atomic_fetch_add(&q->next, 1)) < q->n;) {
		struct list_entry *e = &q->e[i];
		size_t len;
		FILE *f = s ? open_memstream(&e->text, &len) : NULL;
		if (!f) {
			e->failed = -1;
			continue;
		}
		e->failed = list_load(e, s, q->svc, f) ? 1 : 0;
		if (fclose(f) && !e->failed)
			e->failed = -1;
	}
	free(s);
	return 0;
}

// Runs jobs workers (this thread one of them) over q's entries.
static void list_run(struct list_queue *q, int jobs)
{
	thrd_t t[LIST_MAX_JOBS];
	int started = 0;
	for (; started < jobs - 1 && started < q->n - 1; started++)
		if (thrd_create(&t[started], list_worker, q) != thrd_success)
			break; // fewer workers: the same output, later
	list_worker(q);
	for (int i = 0; i < started; i++)
		thrd_join(t[i], NULL);
}

static const char *const list_heading[LIST__N] = {
	"architectures (privileged code = text of the services in a kernel mode: rings 0-2, a\n"
	"guest kernel included, or VMX root; docs/model.md):\n",
	"workloads:\n",
	"machine profiles (configs/machines/):\n",
};

static const char *const list_dir[LIST__N] = {"arch", "workloads", "configs/machines"};

int cmd_list(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		fputs(usage_list, stdout);
		return 0;
	}
	const char *what = NULL;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int jobs = cpus < 1 ? 1 : cpus > LIST_MAX_JOBS ? LIST_MAX_JOBS : (int)cpus;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-j") || !strcmp(a, "--jobs")) {
			if (++i >= argc)
				return cli_bad_usage(usage_list, "%s needs a value", a);
			char *end;
			long n = strtol(argv[i], &end, 10);
			if (*end || n < 1 || n > 4096)
				return cli_bad_usage(usage_list, "bad number '%s' (expected 1..4096)", argv[i]);
			jobs = n > LIST_MAX_JOBS ? LIST_MAX_JOBS : (int)n;
		} else if (a[0] == '-') {
			return cli_bad_usage(usage_list, "unknown option '%s'", a);
		} else if (what) {
			return cli_bad_usage(usage_list, "one kind at a time ('%s' is extra)", a);
		} else {
			what = a;
		}
	}
	if (what && strcmp(what, "archs") && strcmp(what, "workloads") && strcmp(what, "machines"))
		return cli_bad_usage(usage_list, "unknown kind '%s' (expected archs, workloads or machines)", what);
	int wanted[LIST__N] = {!what || !strcmp(what, "archs"), !what || !strcmp(what, "workloads"),
			       !what || !strcmp(what, "machines")};

	// The services both architectures and workloads are loaded on: once.
	struct service_set *svc = NULL;
	struct cfg_error svc_err;
	int svc_bad = 0, rc = 0;
	if (wanted[LIST_ARCH] || wanted[LIST_WORKLOAD]) {
		svc = malloc(sizeof *svc);
		svc_bad = svc && load_services_default(svc, &svc_err);
	}
	// Which kinds are listed (1), or fail before their files (-1: out of
	// memory or no folder; -2: the services' error). A failure exits 2 as
	// it always has, but running out of memory exits 1.
	struct strlist names[LIST__N] = {{0}};
	int state[LIST__N] = {0};
	int total = 0;
	for (int k = 0; k < LIST__N; k++) {
		if (!wanted[k])
			continue;
		if (k != LIST_MACHINE && !svc)
			state[k] = -1;
		else if (list_names(list_dir[k], &names[k]))
			state[k] = -1;
		else if (k != LIST_MACHINE && svc_bad)
			state[k] = -2;
		else
			state[k] = 1, total += names[k].n;
	}
	struct list_queue q = {calloc((size_t)total + 1, sizeof *q.e), 0, 0, svc};
	for (int k = 0; k < LIST__N && q.e; k++)
		for (int i = 0; state[k] == 1 && i < names[k].n; i++)
			q.e[q.n++] = (struct list_entry){.kind = k, .name = names[k].v[i]};
	if (!q.e)
		rc = 1;
	else
		list_run(&q, jobs);

	// In the files' order, as one worker would have printed them.
	for (int k = 0, at = 0; k < LIST__N && q.e; k++) {
		if (!wanted[k])
			continue;
		if (k > 0 && !what)
			printf("\n");
		if (state[k] == -1) {
			rc |= 2;
			continue;
		}
		if (state[k] == -2) {
			fprintf(stderr, "%s\n", svc_err.msg);
			rc |= 2;
			continue;
		}
		fputs(list_heading[k], stdout);
		for (int i = 0; i < names[k].n; i++, at++) {
			struct list_entry *e = &q.e[at];
			if (e->failed < 0) {
				fprintf(stderr, "osarch: out of memory\n");
				rc |= 1;
			} else if (e->failed) {
				fprintf(stderr, "%s\n", e->err.msg);
				rc |= 2;
			} else {
				fputs(e->text, stdout);
			}
			free(e->text);
		}
	}
	free(q.e);
	for (int k = 0; k < LIST__N; k++)
		strlist_free(&names[k]);
	free(svc);
	return rc & 1 ? 1 : rc ? 2 : 0;
}
