// faultmodel.c: what one fault in an extension takes down: the extension's
// protection domain read from the architecture (ext_domain_of), the outcome
// of each fault under the containment the config adds (fault_outcome), and
// what the isolation costs when nothing fails (isolation_cost_of).
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include "experiment.h"
#include "faults.h"

// ---- the extension's protection domain ----

static int is_kernel(const struct domain *k)
{
	return k->ring < 3 && !k->hypervisor && !k->vmx_root;
}

int ext_domain_of(const struct arch *a, int service, const struct workload *w, struct ext_domain *o)
{
	memset(o, 0, sizeof *o);
	int d = service >= 0 ? placement_of(a, service) : -1;
	if (d < 0)
		return -1;
	const struct domain *x = &a->dom[d];
	o->domain = d;
	o->ring = x->ring;
	o->supervisor = x->ring < 3;
	o->vm = x->vm;
	o->per_process = x->per_process;
	o->own_space = x->space_id != 0 && !x->per_process;
	// Supervisor code can store to every page its address space maps for a
	// kernel: its own domain's if that is a kernel, and any kernel of its
	// machine mapped in its space (a global one is mapped everywhere) that
	// runs in a ring no more privileged than its own. A monitor is out of
	// reach (another ring's segments, or VMX root).
	for (int k = 0; k < a->ndom && o->supervisor; k++) {
		const struct domain *y = &a->dom[k];
		if (!is_kernel(y))
			continue;
		if (k == d || (y->vm == x->vm && (y->space_id == 0 || y->space_id == x->space_id) && x->ring <= y->ring))
			o->kernel_writable = 1;
	}
	for (int i = 0; i < a->ndom; i++) {
		o->has_guests |= a->dom[i].vm > 0;
		o->under_hypervisor |= a->dom[i].hypervisor && !x->hypervisor && !x->vmx_root;
	}
	o->apps_in_instance = a->dom[a->app_domain].vm == x->vm;
	for (int s = 0; s < a->svc.n; s++) {
		int sd = placement_of(a, s);
		if (s == service || sd < 0)
			continue;
		const struct domain *y = &a->dom[sd];
		o->all_services++;
		if (y->vm == x->vm && !y->hypervisor && !y->vmx_root)
			o->instance_services++;
		if (sd == d)
			o->others_in_domain++;
	}
	// The application talks directly to the services of its root calls: if
	// one of them shares the extension's domain, the processes' own state
	// goes down with it.
	if (w) {
		for (int i = 0; i < w->n; i++) {
			const struct node *n = &w->nodes[i];
			if (n->parent != -1 || n->device || n->service < 0)
				continue;
			if (placement_for(a, n->service, PROC_APP) == d)
				o->serves_apps = 1;
		}
	}
	return 0;
}

// ---- one fault ----

static void set_requests(struct fault_outcome *o, int n, int retried)
{
	if (retried)
		o->requests_retried = n;
	else
		o->requests_lost = n;
}

void fault_outcome(const struct ext_domain *d, const struct fault_place *p, const struct fault_ext *e,
		   const struct fault_scenario *sc, const struct fault_consts *k, int fault, int callers,
		   double usec_per_step, struct fault_outcome *o)
{
	memset(o, 0, sizeof *o);
	o->reboot = "no";
	o->contained = "nothing";
	o->detection = "not caught";
	const struct sandbox *sb = p->has_sandbox ? &p->sandbox : NULL;
	// A domain with a hypervisor below it (a guest, or a driver domain such
	// as Xen's dom0 in the split-driver model) fails alone: the hypervisor
	// restarts it. Otherwise its instance is the machine.
	int instance = d->vm > 0 || d->under_hypervisor ? UNIT_GUEST : UNIT_MACHINE;
	double detect = 0;
	int nooks = 0; // Nooks caught it: its recovery manager restarts the driver

	// 0. Faults no isolation of the code can stop.
	if (fault == FAULT_DMA && !e->dma) {
		o->unit = UNIT_NONE;
		o->contained = "n/a";
		o->detection = "n/a";
		snprintf(o->what, sizeof o->what, "it programs no DMA device: the fault does not apply");
	} else if (fault == FAULT_DMA && sc->iommu) {
		o->unit = UNIT_INVOCATION;
		o->contained = "iommu";
		o->detection = "iommu";
		snprintf(o->what, sizeof o->what,
			 "the IOMMU refuses the device's write outside its driver's buffers; the request fails");
	} else if (fault == FAULT_DMA) {
		o->unit = UNIT_MACHINE;
		snprintf(o->what, sizeof o->what,
			 "without an IOMMU the device writes physical memory anywhere (the kernel's%s): ring, "
			 "address space and guest do not stop a bus master",
			 d->has_guests ? " and the hypervisor's" : "");
	} else if (fault == FAULT_CORRUPT) {
		o->unit = UNIT_INVOCATION;
		snprintf(o->what, sizeof o->what,
			 "wrong data through its own interface: every access it makes is legal, so no isolation "
			 "notices; the client gets it (only an end-to-end check would)");
	}
	// 1. Containment of downloaded code, before the domain is asked.
	else if (sb && sb->verifier &&
	    (fault == FAULT_WILD_WRITE || fault == FAULT_NULL_DEREF || (fault == FAULT_LOOP && sb->bounded_loops))) {
		o->unit = UNIT_NONE;
		o->contained = "verifier";
		o->detection = "load-time check";
		o->function_lost = 1;
		snprintf(o->what, sizeof o->what,
			 "the verifier refuses the code at load time (%s): nothing breaks but the extension never "
			 "loads, so its function is lost until the code is fixed",
			 fault == FAULT_LOOP ? "a loop without a bound" : "an access it cannot prove safe");
	} else if (p->nooks && (fault == FAULT_WILD_WRITE || fault == FAULT_NULL_DEREF || fault == FAULT_LEAK)) {
		// Swift et al. SOSP 2003: kernel pages are mapped read-only in the
		// driver's domain, its exceptions are caught by Nooks' wrappers, its
		// kernel objects are tracked; the recovery manager reloads it.
		o->unit = UNIT_EXTENSION;
		o->contained = "nooks";
		o->detection = fault == FAULT_WILD_WRITE ? "write protection" : fault == FAULT_NULL_DEREF ? "exception"
											    : "exhaustion";
		nooks = 1;
		snprintf(o->what, sizeof o->what, "%s",
			 fault == FAULT_WILD_WRITE ? "the store to kernel memory faults: the kernel is read-only in the driver's domain"
			 : fault == FAULT_NULL_DEREF ? "the fault is caught in the driver's domain by Nooks' wrappers"
						     : "Nooks tracked its kernel objects: they are freed with it");
	} else if (sb && sb->sfi && (fault == FAULT_WILD_WRITE || fault == FAULT_NULL_DEREF)) {
		o->unit = UNIT_INVOCATION;
		o->contained = "address checks";
		o->detection = "address check";
		snprintf(o->what, sizeof o->what,
			 "the inserted address check catches the access outside the sandbox and aborts the invocation");
	} else if (sb && sb->step_budget > 0 && fault == FAULT_LOOP) {
		o->unit = UNIT_INVOCATION;
		o->contained = "step budget";
		o->detection = "step budget";
		o->recovery_ms = (double)sb->step_budget * usec_per_step / 1000.0;
		snprintf(o->what, sizeof o->what, "the kernel stops the invocation after its budget of %lld steps",
			 (long long)sb->step_budget);
	} else if (sb && sb->memory_quota > 0 && fault == FAULT_LEAK) {
		o->unit = UNIT_EXTENSION;
		o->contained = "memory quota";
		o->detection = "quota";
		snprintf(o->what, sizeof o->what,
			 "its allocations are charged to it: at its quota the kernel unloads it and reclaims the memory; "
			 "its owner loads it again");
	} else {
		// 2. The protection domain.
		switch (fault) {
		case FAULT_WILD_WRITE:
			if (d->kernel_writable) {
				o->unit = instance;
				o->contained = instance == UNIT_GUEST ? "hypervisor" : "nothing";
				snprintf(o->what, sizeof o->what,
					 "the stray store lands in kernel memory it shares (ring %d): the %s kernel is corrupt",
					 d->ring, instance == UNIT_GUEST ? "guest" : "machine's");
			} else {
				o->unit = UNIT_EXTENSION;
				o->contained = "mmu";
				o->detection = "exception";
				if (d->others_in_domain)
					snprintf(o->what, sizeof o->what,
						 "the stray store corrupts the %d services sharing its address space; the "
						 "MMU keeps it out of the kernel",
						 d->others_in_domain);
				else
					snprintf(o->what, sizeof o->what,
						 "the stray store faults: its address space maps nothing it does not own; "
						 "the kernel kills it");
			}
			break;
		case FAULT_NULL_DEREF:
			o->detection = "exception";
			if (d->supervisor) {
				o->unit = instance;
				o->contained = instance == UNIT_GUEST ? "hypervisor" : "nothing";
				snprintf(o->what, sizeof o->what,
					 "a page fault in kernel mode (ring %d): the %s kernel oopses in the driver and panics",
					 d->ring, instance == UNIT_GUEST ? "guest" : "machine's");
			} else {
				o->unit = UNIT_EXTENSION;
				o->contained = "mmu";
				snprintf(o->what, sizeof o->what,
					 "the page fault is its own (ring 3): the kernel kills its process");
			}
			break;
		case FAULT_LOOP:
			if (d->supervisor) {
				o->unit = instance;
				o->contained = instance == UNIT_GUEST ? "hypervisor" : "nothing";
				detect = k->watchdog.ms;
				o->detection = "watchdog";
				snprintf(o->what, sizeof o->what,
					 "a kernel-mode loop (ring %d) keeps its CPU; the lockup watchdog panics the %s",
					 d->ring, instance == UNIT_GUEST ? "guest (the hypervisor still runs the other guests)" : "machine");
			} else {
				o->unit = UNIT_EXTENSION;
				o->contained = "preemption";
				detect = 2 * k->heartbeat.ms;
				o->detection = p->restart ? "heartbeat" : "not caught";
				snprintf(o->what, sizeof o->what,
					 "the kernel preempts it (ring 3) and the rest runs; %s",
					 p->restart ? "the restart service kills it after two missed heartbeats"
						    : "nobody notices that its clients wait");
			}
			break;
		default: // FAULT_LEAK
			o->detection = "exhaustion";
			if (d->supervisor) {
				o->unit = instance;
				o->contained = instance == UNIT_GUEST ? "hypervisor" : "nothing";
				snprintf(o->what, sizeof o->what,
					 "kernel memory has no owner to reclaim it from: the %s runs out and must reboot",
					 instance == UNIT_GUEST ? "guest (its memory is its own: the others keep theirs)" : "kernel");
			} else {
				o->unit = UNIT_EXTENSION;
				o->contained = "mmu";
				snprintf(o->what, sizeof o->what,
					 "the leak fills its own address space until it fails; its memory is freed when it exits");
			}
			break;
		}
	}

	// 3. What the unit takes with it.
	size_t len = strlen(o->what);
	switch (o->unit) {
	case UNIT_NONE:
		break;
	case UNIT_INVOCATION:
		// Silent corruption is never retried: nobody knows it happened.
		set_requests(o, 1, e->idempotent && fault != FAULT_CORRUPT);
		o->services_stalled = fault == FAULT_CORRUPT ? 0 : callers;
		break;
	case UNIT_EXTENSION:
		o->services_stalled = callers;
		if (nooks) {
			// Only the driver is in its domain; the kernel keeps running.
			o->recovery_ms = detect + k->nooks_recovery.ms;
			set_requests(o, sc->inflight, e->idempotent);
			snprintf(o->what + len, sizeof o->what - len, "; Nooks' recovery manager reloads the driver%s",
				 e->idempotent ? " and its clients retry" : "");
			break;
		}
		if (!strcmp(o->contained, "memory quota")) {
			// The sandbox is its own unit: what shares its domain keeps running.
			o->recovery_ms = k->extension_reload.ms;
			set_requests(o, sc->inflight, e->idempotent);
			break;
		}
		o->apps_killed = d->per_process ? 1 : d->serves_apps ? sc->processes : 0;
		o->services_lost = d->others_in_domain;
		if (p->restart) {
			o->recovery_ms = detect + k->server_restart.ms;
			set_requests(o, sc->inflight, e->idempotent);
			snprintf(o->what + len, sizeof o->what - len, "; the restart service starts a fresh copy%s",
				 e->idempotent ? " and its clients retry" : "");
		} else {
			o->recovery_ms = -1;
			o->requests_lost = sc->inflight;
			snprintf(o->what + len, sizeof o->what - len, "; no restart service: down until an operator acts");
		}
		break;
	case UNIT_GUEST:
		o->apps_killed = d->apps_in_instance ? sc->processes : 0;
		o->services_lost = d->instance_services;
		// A driver domain serving another guest: that guest's front end
		// waits for the back end to return and replays its ring (Linux
		// xen-blkfront's blkif_recover), so idempotent requests are retried.
		set_requests(o, sc->inflight, e->idempotent && !d->apps_in_instance);
		o->recovery_ms = detect + k->guest_reboot.ms;
		o->reboot = "guest";
		snprintf(o->what + len, sizeof o->what - len, "; the hypervisor reboots that guest only");
		break;
	default: // UNIT_MACHINE
		o->apps_killed = sc->processes * (d->has_guests ? sc->guests : 1);
		if (fault == FAULT_DMA)
			detect = 0; // noticed when something crashes; the reboot is what counts
		o->services_lost = d->all_services;
		o->requests_lost = sc->inflight;
		o->recovery_ms = detect + k->machine_reboot.ms;
		o->reboot = "machine";
		snprintf(o->what + len, sizeof o->what - len, "; the machine reboots");
		break;
	}
	for (char *c = o->what; *c; c++)
		if (*c == ',')
			*c = ';';
}

void expected_loss_of(const struct fault_outcome o[FAULT__N], const double mix[FAULT__N], struct expected_loss *x)
{
	memset(x, 0, sizeof *x);
	for (int f = 0; f < FAULT__N; f++) {
		double p = mix[f];
		if (p <= 0)
			continue;
		x->apps_killed += p * o[f].apps_killed;
		x->requests_lost += p * o[f].requests_lost;
		x->requests_retried += p * o[f].requests_retried;
		if (o[f].recovery_ms < 0)
			x->p_manual += p;
		else
			x->recovery_ms += p * o[f].recovery_ms;
		if (o[f].unit == UNIT_MACHINE)
			x->p_machine += p;
		if (!strcmp(o[f].detection, "not caught"))
			x->p_silent += p;
		if (o[f].function_lost)
			x->p_function_lost += p;
	}
}

// ---- what isolation costs ----

static int is_device_transport(const struct arch *a, const char *name)
{
	for (int i = 0; i < a->nrules; i++) {
		const struct rule *r = &a->rules[i];
		if (r->kind == EDGE_DEVICE && r->transport >= 0 && !strcmp(a->tr[r->transport].name, name))
			return 1;
	}
	return 0;
}

// Instructions of `service`'s operations named in a step's `ran` list;
// *calls counts the operations (each one a call into the extension).
static uint64_t ext_instructions(const struct arch *a, const char *service, const char *ran, int *calls)
{
	uint64_t n = 0;
	char buf[sizeof ((struct trace_step *)0)->ran];
	snprintf(buf, sizeof buf, "%s", ran);
	char *save = NULL;
	for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		char *dot = strchr(t, '.');
		if (!dot)
			continue;
		*dot = 0;
		if (strcmp(t, service))
			continue;
		int s = service_find(&a->svc, t);
		int op = s >= 0 ? op_find(&a->svc.s[s], dot + 1) : -1;
		if (op >= 0) {
			n += a->svc.s[s].ops[op].instructions;
			(*calls)++;
		}
	}
	return n;
}

static int measure_one(const struct arch *a, const struct workload *w, const struct profile *p,
		       const struct fault_ext *e, int warmup, int reps, double *cycles, uint64_t *insns, int *calls,
		       struct os_counts *os, char *why, size_t whylen)
{
	struct trace *tr = malloc(sizeof *tr);
	if (!tr) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	struct run_params rp = {warmup, reps, 0, 1};
	struct run_result r;
	int rc = run_point(a, w, p, &rp, &r, tr);
	if (rc) {
		snprintf(why, whylen, "%s cannot run %s on %s%s%s", a->name, w->name, p->name, r.error[0] ? ": " : "",
			 r.error);
		free(tr);
		return -1;
	}
	memset(os, 0, sizeof *os);
	*cycles = 0;
	*insns = 0;
	*calls = 0;
	int found = 0;
	for (int i = 0; i < tr->n; i++) {
		const struct trace_step *st = &tr->step[i];
		if (e->measure == MEASURE_DEVICE_EVENT && !is_device_transport(a, st->transport))
			continue;
		found = 1;
		*insns += ext_instructions(a, e->service, st->ran, calls);
		if (e->measure == MEASURE_DEVICE_EVENT) {
			*cycles += counters_cycles(&st->hw);
			os_counts_add(os, &st->os);
		}
	}
	if (e->measure == MEASURE_CALL) {
		uint64_t n = (uint64_t)(r.reps > 0 ? r.reps : 1);
		*cycles = r.cycles;
		*os = r.os;
		os->traps /= n;
		os->mode_switches /= n;
		os->as_switches /= n;
		os->ipc_messages /= n;
		os->vm_exits /= n;
		os->hypercalls /= n;
		os->io_wait_usec /= (double)n;
	}
	free(tr);
	if (!found) {
		snprintf(why, whylen, "no device event on the path of %s under %s", w->name, a->name);
		return -1;
	}
	return 0;
}

int isolation_cost_of(const struct arch *a, const struct arch *ref, const struct workload *w,
		      const struct profile *p, const struct fault_ext *e, const struct fault_place *pl,
		      int warmup, int reps, struct isolation_cost *out, char *why, size_t whylen)
{
	memset(out, 0, sizeof *out);
	struct os_counts ros;
	uint64_t rinsns;
	int calls, rcalls;
	if (measure_one(a, w, p, e, warmup, reps, &out->cycles, &out->ext_instructions, &calls, &out->os, why,
			whylen) ||
	    measure_one(ref, w, p, e, warmup, reps, &out->ref_cycles, &rinsns, &rcalls, &ros, why, whylen))
		return -1;
	if (pl->has_sandbox) {
		// SFI's checks cost what the instruction set makes them cost (the
		// profile's sfi_overhead) unless the placement gives its own figure.
		double ov = pl->sandbox.overhead >= 0 ? pl->sandbox.overhead : p->sfi_overhead;
		out->sandbox_cycles = ov * (double)out->ext_instructions * p->cpi;
	}
	if (pl->nooks)
		// Each call into the driver and each return is an XPC that switches
		// to the other domain's page table (Swift et al. 2003, Sec. 3):
		// two CR3 writes per call (their hardware part; the TLB refills
		// that follow are not modelled).
		out->sandbox_cycles += 2.0 * calls * p->ev.cr3_write;
	out->isolation = out->cycles + out->sandbox_cycles - out->ref_cycles;
	// End to end, as Nooks and MINIX 3 report it: against the whole call
	// including the device's time.
	out->device_us = out->os.io_wait_usec;
	double whole = out->ref_cycles + out->device_us * p->mhz;
	out->e2e_overhead = whole > 0 ? out->isolation / whole : 0;
	return 0;
}

