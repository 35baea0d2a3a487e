// workload.c: loading a workload (workloads/NAME.yaml): a call graph over
// services, rooted at the application.
//
//   name: read
//   description: ...
//   app_ws: 0                  # application data touched between calls (bytes)
//   app_code: 0                # application code run between calls (bytes)
//   calls:                     # root calls, in order
//     - call: posix.read       # or fault: mm.fault (entered by an exception)
//       result: 4K             # bytes passed back (args: bytes passed in)
//       copy_out: 4K           # bytes the callee copies into the process's buffer
//                              # itself (an asynchronous request: no crossing carries them)
//       from: app              # process making a root call: app, peer, child
//       resume: app            # process that runs when it returns
//       calls: [...]           # what the callee calls, in order
//     - device: 80             # (inside calls) wait for the device, microseconds,
//                              # or disk / nic: the machine profile's latency;
//       calls: [...]           # what the interrupt handler that ends the wait calls
//     - interrupt: timer.tick  # an asynchronous interrupt taken while the caller runs
//       repeat: 7              # run this node (and its calls) 7 times in a row
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "osmodel.h"

const char *const device_names[DEV__N] = {[DEV_FIXED] = "fixed", [DEV_DISK] = "disk", [DEV_NIC] = "nic"};

static yaml_node_t *nd(struct ydoc *d, int id) { return yaml_document_get_node(&d->doc, id); }

static int proc_name_ok(const char *s)
{
	return !strcmp(s, "app") || !strcmp(s, "peer") || !strcmp(s, "child");
}

static int load_nodes(struct workload *w, const struct service_set *set, struct ydoc *d,
		      yaml_node_t *list, int parent, struct cfg_error *err);

static int load_node(struct workload *w, const struct service_set *set, struct ydoc *d,
		     yaml_node_t *n, int parent, struct cfg_error *err)
{
	if (n->type != YAML_MAPPING_NODE) {
		cfg_errorf(err, d, n, "call is not a mapping (expected {call: service.op, ...})");
		return -1;
	}
	if (w->n >= MAX_NODES) {
		cfg_errorf(err, d, n, "too many calls (expected at most %d)", MAX_NODES);
		return -1;
	}
	int me = w->n++;
	struct node *x = &w->nodes[me];
	memset(x, 0, sizeof *x);
	x->parent = parent;
	x->service = x->op = -1;
	x->repeat = 1;
	yaml_node_t *children = NULL;
	int have_what = 0;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = nd(d, p->key), *vn = nd(d, p->value);
		const char *k = node_scalar(kn), *v = node_scalar(vn);
		k = k ? k : "";
		for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
			const char *prev = node_scalar(nd(d, q->key));
			if (prev && !strcmp(prev, k)) {
				cfg_errorf(err, d, kn, "duplicate key '%s'", k);
				return -1;
			}
		}
		if (!strcmp(k, "calls")) {
			children = vn;
			continue;
		}
		if (!v) {
			cfg_errorf(err, d, vn, "value of '%s' is not a scalar", k);
			return -1;
		}
		if (!strcmp(k, "call") || !strcmp(k, "fault") || !strcmp(k, "interrupt")) {
			char buf[2 * NAME_LEN];
			snprintf(buf, sizeof buf, "%s", v);
			char *dot = strchr(buf, '.');
			if (dot)
				*dot = 0;
			x->service = service_find(set, buf);
			x->op = dot && x->service >= 0 ? op_find(&set->s[x->service], dot + 1) : -1;
			if (x->op < 0) {
				cfg_errorf(err, d, vn, "unknown operation '%s' (expected service.op from models/services.yaml)", v);
				return -1;
			}
			snprintf(x->svc_name, sizeof x->svc_name, "%s", set->s[x->service].name);
			snprintf(x->op_name, sizeof x->op_name, "%s", set->s[x->service].ops[x->op].name);
			x->kind = k[0] == 'c' ? EDGE_CALL : k[0] == 'f' ? EDGE_FAULT : EDGE_INTERRUPT;
			have_what++;
		} else if (!strcmp(k, "device")) {
			double us = 0;
			for (int dk = 1; dk < DEV__N; dk++)
				if (!strcmp(v, device_names[dk]))
					x->device_kind = dk;
			if (!x->device_kind && (scalar_parse_double(v, &us) || us < 0 || us > 1e7)) {
				cfg_errorf(err, d, vn, "bad device '%s' (expected disk, nic or microseconds, 0..1e7)", v);
				return -1;
			}
			x->device = 1;
			x->device_usec_x100 = (uint32_t)(us * 100 + 0.5);
			x->kind = EDGE_DEVICE;
			have_what++;
		} else if (!strcmp(k, "args") || !strcmp(k, "result") || !strcmp(k, "copy_out")) {
			uint64_t b;
			if (scalar_parse_size(v, &b) || b > (1u << 20)) {
				cfg_errorf(err, d, vn, "bad size '%s' (expected bytes, 0..1M)", v);
				return -1;
			}
			*(k[0] == 'a' ? &x->args : k[0] == 'r' ? &x->result : &x->copy_out) = (uint32_t)b;
		} else if (!strcmp(k, "repeat")) {
			uint64_t r;
			if (scalar_parse_size(v, &r) || r < 1 || r > 1024) {
				cfg_errorf(err, d, vn, "bad repeat '%s' (expected a count, 1..1024)", v);
				return -1;
			}
			x->repeat = (uint32_t)r;
		} else if (!strcmp(k, "from") || !strcmp(k, "resume") || !strcmp(k, "proc")) {
			if (!proc_name_ok(v)) {
				cfg_errorf(err, d, vn, "unknown process '%s' (expected app, peer or child)", v);
				return -1;
			}
			if (k[0] != 'p' && parent >= 0) {
				cfg_errorf(err, d, kn, "'%s' is only for root calls", k);
				return -1;
			}
			snprintf(k[0] == 'f' ? x->from : k[0] == 'r' ? x->resume : x->proc, NAME_LEN, "%s", v);
		} else {
			cfg_errorf(err, d, kn, "unknown key '%s' (expected one of: call, fault, interrupt, device, args, result, copy_out, repeat, from, resume, proc, calls)", k);
			return -1;
		}
	}
	if (have_what != 1) {
		cfg_errorf(err, d, n, "a call needs exactly one of: call, fault, interrupt, device");
		return -1;
	}
	if (x->device && parent < 0) {
		cfg_errorf(err, d, n, "a device wait must be inside a driver's calls");
		return -1;
	}
	if (children && load_nodes(w, set, d, children, me, err))
		return -1;
	return 0;
}

static int load_nodes(struct workload *w, const struct service_set *set, struct ydoc *d,
		      yaml_node_t *list, int parent, struct cfg_error *err)
{
	if (list->type != YAML_SEQUENCE_NODE) {
		cfg_errorf(err, d, list, "'calls' is not a list (expected - call: service.op)");
		return -1;
	}
	for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++)
		if (load_node(w, set, d, nd(d, *it), parent, err))
			return -1;
	return 0;
}

static int load_workload_doc(struct workload *w, const struct service_set *set, struct ydoc *d,
			     struct cfg_error *err)
{
	yaml_node_t *root = ydoc_root(d);
	if (!root || root->type != YAML_MAPPING_NODE) {
		cfg_errorf(err, d, root, "top level is not a mapping (expected name, calls)");
		return -1;
	}
	int have_name = 0, have_calls = 0;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = nd(d, p->key), *vn = nd(d, p->value);
		const char *k = node_scalar(kn), *v = node_scalar(vn);
		k = k ? k : "";
		for (yaml_node_pair_t *q = root->data.mapping.pairs.start; q < p; q++) {
			const char *prev = node_scalar(nd(d, q->key));
			if (prev && !strcmp(prev, k)) {
				cfg_errorf(err, d, kn, "duplicate key '%s'", k);
				return -1;
			}
		}
		if (!strcmp(k, "calls")) {
			if (load_nodes(w, set, d, vn, -1, err))
				return -1;
			have_calls = 1;
			continue;
		}
		if (!v) {
			cfg_errorf(err, d, vn, "value of '%s' is not a scalar", k);
			return -1;
		}
		if (!strcmp(k, "name")) {
			if (!v[0] || strlen(v) >= NAME_LEN) {
				cfg_errorf(err, d, vn, "bad name (expected 1..%d characters)", NAME_LEN - 1);
				return -1;
			}
			snprintf(w->name, sizeof w->name, "%s", v);
			have_name = 1;
		} else if (!strcmp(k, "description")) {
			snprintf(w->description, sizeof w->description, "%s", v);
		} else if (!strcmp(k, "app_ws") || !strcmp(k, "app_code")) {
			uint64_t b;
			if (scalar_parse_size(v, &b) || b > (8u << 20)) {
				cfg_errorf(err, d, vn, "bad size '%s' (expected bytes, 0..8M)", v);
				return -1;
			}
			*(k[4] == 'w' ? &w->app_ws : &w->app_code) = (uint32_t)b;
		} else {
			cfg_errorf(err, d, kn, "unknown key '%s' (expected one of: name, description, app_ws, app_code, calls)", k);
			return -1;
		}
	}
	if (!have_name || !have_calls) {
		cfg_errorf(err, d, root, "missing required key '%s'", have_name ? "calls" : "name");
		return -1;
	}
	return 0;
}

int workload_load(struct workload *w, const char *name_or_path, const struct service_set *services,
		  struct cfg_error *err)
{
	memset(w, 0, sizeof *w);
	char path[600];
	if (resolve_name("workloads", name_or_path, "workload", path, sizeof path, err))
		return -1;
	struct ydoc d;
	if (ydoc_load_file(&d, path, err))
		return -1;
	int rc = load_workload_doc(w, services, &d, err);
	ydoc_free(&d);
	return rc;
}

int resolve_name(const char *dir, const char *name, const char *what, char *path, size_t n,
		 struct cfg_error *err)
{
	if (strchr(name, '/') || strstr(name, ".yaml")) {
		snprintf(path, n, "%s", name);
		return 0;
	}
	int whole = snprintf(path, n, "%s/%s.yaml", dir, name) < (int)n;
	// A file that is there is one of the folder's names (list_names keeps
	// every NAME.yaml but hidden ones, and ".yaml" itself): listing the
	// folder, for every file loaded, was a tenth of `osarch list`. The
	// listing is for the message.
	if (whole && name[0] && name[0] != '.' && access(path, F_OK) == 0)
		return 0;
	struct strlist names = {0};
	int rc = 0;
	if (list_names(dir, &names) == 0 && strlist_find(&names, name) < 0) {
		char all[600] = "";
		for (int i = 0; i < names.n; i++)
			snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s", i ? ", " : "", names.v[i]);
		cfg_msgf(err, "%s:1:1: error: unknown %s '%s' (expected one of: %s)", path, what, name, all);
		rc = -1;
	}
	strlist_free(&names);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int list_names(const char *dir, struct strlist *out)
{
	memset(out, 0, sizeof *out);
	DIR *dp = opendir(dir);
	if (!dp)
		return -1;
	struct dirent *e;
	while ((e = readdir(dp))) {
		size_t len = strlen(e->d_name);
		if (len > 5 && !strcmp(e->d_name + len - 5, ".yaml") && e->d_name[0] != '.') {
			char stem[256];
			snprintf(stem, sizeof stem, "%.*s", (int)(len - 5), e->d_name);
			if (strlist_add(out, stem)) {
				closedir(dp);
				strlist_free(out);
				return -1;
			}
		}
	}
	closedir(dp);
	if (out->n > 1)
		qsort(out->v, (size_t)out->n, sizeof *out->v, cmp_str);
	return 0;
}
