// list.c: `osarch list [archs|workloads|machines]`: what can be run, with
// each architecture's protection domains and privileged code.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "commands.h"
#include "experiment.h"

static const char usage_list[] =
	"usage: osarch list [archs|workloads|machines]\n"
	"\n"
	"Lists architectures (with their protection domains and the size of their\n"
	"privileged code), workloads and machine profiles.\n";

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

int cmd_list(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		fputs(usage_list, stdout);
		return 0;
	}
	if (argc > 2)
		return cli_bad_usage(usage_list, "one kind at a time ('%s' is extra)", argv[2]);
	const char *what = argc > 1 ? argv[1] : NULL;
	if (what && strcmp(what, "archs") && strcmp(what, "workloads") && strcmp(what, "machines"))
		return cli_bad_usage(usage_list, "unknown kind '%s' (expected archs, workloads or machines)", what);
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
