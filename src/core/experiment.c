// experiment.c: an experiment file (configs/*.yaml) loaded: its schema, its
// sweep, every name it uses checked; a swept value applied to a point.
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "experiment.h"

#define SERVICES_PATH "models/services.yaml"

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

// `sweep` is read after the table's keys (by load_sweep, into the real
// experiment, so that a failure leaves nothing to free in a discarded copy).
static int skip_sweep(const struct field *f, void *dst, struct ydoc *d, yaml_node_t *node,
		      struct cfg_error *err)
{
	(void)f, (void)dst, (void)d, (void)node, (void)err;
	return 0;
}

static int check_shard(const void *obj, struct cfg_error *err)
{
	const int *sh = obj; // {index, count}
	if (sh[1] > 0 && sh[0] >= sh[1]) {
		cfg_msgf(err, "index %d is not below count %d", sh[0], sh[1]);
		return -1;
	}
	return 0;
}

static const struct field shard_schema[] = {
	{.key = "index", .type = F_INT, .offset = 0, .size = 4, .min = 0, .max = 100000, .required = 1,
	 .help = "this shard's number, 0-based"},
	{.key = "count", .type = F_INT, .offset = sizeof(int), .size = 4, .min = 1, .max = 100000, .required = 1,
	 .help = "how many shards the points are split into"},
	{0},
};

#define EO(m) offsetof(struct experiment, m)
static const struct field experiment_schema[] = {
	{.key = "name", .type = F_STRING, .offset = EO(name), .size = 64, .required = 1,
	 .help = "results go to results/<name>/ unless -o DIR is given"},
	{.key = "description", .type = F_STRING, .offset = EO(description), .size = 256, .help = "what the experiment shows"},
	{.key = "machine", .type = F_STRLIST, .offset = EO(machines),
	 .help = "machine profile name(s) from configs/machines/, or path(s) to a profile"},
	{.key = "archs", .type = F_STRLIST, .offset = EO(archs), .required = 1,
	 .help = "architectures (arch/NAME.yaml; NAME:option=value selects an option)"},
	{.key = "workloads", .type = F_STRLIST, .offset = EO(workloads), .required = 1,
	 .help = "workloads (workloads/NAME.yaml)"},
	{.key = "sweep", .type = F_CUSTOM, .offset = 0, .custom = skip_sweep,
	 .help = "parameter: [values]; the cross product is run"},
	{.key = "warmup", .type = F_INT, .offset = EO(warmup), .size = 4, .min = 0, .max = 100000,
	 .unit = "calls", .help = "calls before measuring (warm caches)"},
	{.key = "reps", .type = F_INT, .offset = EO(reps), .size = 4, .min = 1, .max = 100000,
	 .unit = "calls", .help = "measured calls, averaged"},
	{.key = "cold", .type = F_BOOL, .offset = EO(cold), .help = "measure the first call on a fresh machine"},
	{.key = "skip_unsupported", .type = F_BOOL, .offset = EO(skip_unsupported),
	 .help = "leave out the points whose machine lacks the architecture's hardware (VT-x, EPT) instead of failing"},
	{.key = "shard", .type = F_GROUP, .offset = EO(shard), .group = shard_schema, .check = check_shard,
	 .help = "run only the points whose index modulo count is index (osarch run --emit-jobs writes these)"},
	{.key = "seed", .type = F_INT, .offset = EO(seed), .size = 8, .min = 0, .max = 1e15,
	 .help = "seed of the physical-frame allocation"},
	{0},
};
#undef EO

int load_services_default(struct service_set *s, struct cfg_error *err)
{
	return services_load(s, SERVICES_PATH, err);
}

// A sweep key names a machine-profile parameter ("l1d.size"), a workload
// parameter ("workload.app_ws", "workload.app_code"), or several joined by
// '+' that take the same value together ("l1i.size+l1d.size").
int sweep_apply(const char *key, const char *val, struct profile *p, struct sweep_workload *w,
		struct cfg_error *err)
{
	char buf[sizeof ((struct sweep_param *)0)->key];
	snprintf(buf, sizeof buf, "%s", key);
	for (char *save = NULL, *k = strtok_r(buf, "+", &save); k; k = strtok_r(NULL, "+", &save)) {
		if (!strncmp(k, "workload.", 9)) {
			uint64_t b;
			int code = !strcmp(k, "workload.app_code");
			if (!code && strcmp(k, "workload.app_ws")) {
				cfg_msgf(err, "unknown parameter '%s'", k);
				return -1;
			}
			if (scalar_parse_size(val, &b) || b > (8u << 20)) {
				cfg_msgf(err, "expected bytes, 0..8M");
				return -1;
			}
			*(code ? &w->app_code : &w->app_ws) = (uint32_t)b;
			continue;
		}
		void *owner;
		const struct field *f = schema_find(profile_schema, p, k, &owner);
		if (!f || f->type == F_GROUP || f->type == F_CUSTOM || f->type == F_STRLIST) {
			cfg_msgf(err, "unknown parameter '%s'", k);
			return -1;
		}
		if (schema_set(profile_schema, p, k, val, err))
			return -1;
	}
	return 0;
}

struct sweep_param *sweep_param_add(struct sweep_param *params, int *n, int max, const char *key,
				    struct ydoc *d, yaml_node_t *k, yaml_node_t *v, struct cfg_error *err)
{
	for (int i = 0; i < *n; i++)
		if (!strcmp(params[i].key, key)) {
			cfg_errorf(err, d, k, "duplicate key '%s'", key);
			return NULL;
		}
	if (*n >= max) {
		cfg_errorf(err, d, k, "too many sweep parameters (expected at most %d)", max);
		return NULL;
	}
	if (v->type != YAML_SEQUENCE_NODE || v->data.sequence.items.start == v->data.sequence.items.top) {
		cfg_errorf(err, d, v, "sweep values are not a list (expected [value, ...])");
		return NULL;
	}
	struct sweep_param *sp = &params[*n];
	memset(sp, 0, sizeof *sp);
	snprintf(sp->key, sizeof sp->key, "%s", key);
	(*n)++; // counted first so that a failure in the values frees the list
	return sp;
}

static int load_sweep(struct experiment *e, struct ydoc *d, yaml_node_t *node, struct cfg_error *err)
{
	if (node->type != YAML_MAPPING_NODE) {
		cfg_errorf(err, d, node, "'sweep' is not a mapping (expected {parameter: [values]})");
		return -1;
	}
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&d->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&d->doc, p->value);
		const char *key = node_scalar(k);
		struct profile probe;
		struct sweep_workload wprobe = {0, 0};
		struct cfg_error e1;
		profile_defaults(&probe);
		// A key is known unless applying a value to it is refused as an
		// unknown parameter (its values are checked one by one below).
		int known = key && strlen(key) < sizeof e->sweep[0].key;
		if (known && sweep_apply(key, "0", &probe, &wprobe, &e1) && strstr(e1.msg, "unknown parameter"))
			known = 0;
		if (!known) {
			cfg_errorf(err, d, k, "unknown sweep parameter '%s' (expected a machine-profile key such as l1d.size, workload.app_ws, workload.app_code, or several joined by '+')",
				   key ? key : "");
			return -1;
		}
		struct sweep_param *sp = sweep_param_add(e->sweep, &e->nsweep, MAX_SWEEP, key, d, k, v, err);
		if (!sp)
			return -1;
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			yaml_node_t *item = yaml_document_get_node(&d->doc, *it);
			const char *val = node_scalar(item);
			struct cfg_error e2;
			int bad = !val;
			if (val && has_control(val)) {
				cfg_errorf(err, d, item, "a sweep value with a control character (expected one line of text)");
				return -1;
			}
			if (!bad) {
				struct profile prof;
				struct sweep_workload wl = {0, 0};
				profile_defaults(&prof);
				bad = sweep_apply(key, val, &prof, &wl, &e2) != 0;
			}
			if (bad) {
				cfg_errorf(err, d, item, "bad value '%s' for %s (%s)", val ? val : "", key,
					   val ? e2.msg : "expected a scalar");
				return -1;
			}
			if (strlist_add(&sp->values, val)) {
				cfg_errorf(err, d, item, "out of memory");
				return -1;
			}
		}
	}
	return 0;
}

void experiment_free(struct experiment *e)
{
	strlist_free(&e->machines);
	strlist_free(&e->archs);
	strlist_free(&e->workloads);
	for (int i = 0; i < e->nsweep; i++)
		strlist_free(&e->sweep[i].values);
	e->nsweep = 0;
}

long experiment_points(const struct experiment *e)
{
	long n = (long)e->machines.n * e->archs.n * e->workloads.n;
	for (int i = 0; i < e->nsweep && n <= MAX_POINTS; i++)
		n *= e->sweep[i].values.n;
	return n;
}

static const char *what_of(const char *key)
{
	return !strcmp(key, "archs") ? "architecture" : !strcmp(key, "workloads") ? "workload" : "machine profile";
}

// The node of item i of a list key (the key's value when it is a scalar).
static yaml_node_t *item_at(struct ydoc *d, yaml_node_t *root, const char *key, int i)
{
	yaml_node_t *list = map_get(d, root, key);
	if (list && list->type == YAML_SEQUENCE_NODE && i < list->data.sequence.items.top - list->data.sequence.items.start)
		return yaml_document_get_node(&d->doc, list->data.sequence.items.start[i]);
	return list;
}

// Resolves every name of a list key, reporting a bad one at its item. For
// architectures, need[i] gets what the machine must have (1: VT-x, 2: EPT).
static int check_names(struct ydoc *d, yaml_node_t *root, const char *key, const struct strlist *names,
		       const struct service_set *svc, int *need, struct cfg_error *err)
{
	for (int i = 0; i < names->n; i++) {
		yaml_node_t *at = item_at(d, root, key, i);
		struct cfg_error e2;
		int rc;
		// Names are written into CSV, JSON and the journal's lines: one line each.
		if (has_control(names->v[i])) {
			cfg_errorf(err, d, at, "a %s name with a control character (expected one line of text)", what_of(key));
			return -1;
		}
		if (!strcmp(key, "archs")) {
			struct arch *a = malloc(sizeof *a);
			if (!a)
				return -1;
			rc = arch_load(a, names->v[i], svc, &e2);
			if (!rc && need)
				need[i] = (a->requires_vtx ? 1 : 0) | (a->requires_ept ? 2 : 0);
			free(a);
		} else if (!strcmp(key, "workloads")) {
			struct workload *w = malloc(sizeof *w);
			if (!w)
				return -1;
			rc = workload_load(w, names->v[i], svc, &e2);
			free(w);
		} else {
			struct profile p;
			rc = profile_load(&p, names->v[i], NULL, &e2);
			if (!rc && has_control(p.name)) {
				cfg_errorf(err, d, at, "machine profile '%s' has a name with a control character (expected "
					   "one line of text)", names->v[i]);
				return -1;
			}
		}
		if (rc) {
			// "unknown NAME" errors belong at the config's line; errors inside
			// an existing file keep that file's location.
			char want[256], base[128];
			snprintf(base, sizeof base, "%s", names->v[i]);
			base[strcspn(base, ":")] = 0; // architecture options
			snprintf(want, sizeof want, ":1:1: error: unknown %s '%s' (", what_of(key), base);
			const char *m = strstr(e2.msg, want);
			if (m)
				cfg_errorf(err, d, at, "%s", m + 13);
			else
				*err = e2;
			return -1;
		}
	}
	return 0;
}

// Every machine under every sweep combination must be a machine the model
// can build, with what each architecture needs: found here, at the config's
// line, not at run time after the output folder is made.
static int check_points(const struct experiment *e, struct ydoc *d, yaml_node_t *root, const int *need,
			struct cfg_error *err)
{
	long combos = 1;
	for (int s = 0; s < e->nsweep; s++)
		combos *= e->sweep[s].values.n;
	for (int m = 0; m < e->machines.n; m++) {
		struct profile base;
		struct cfg_error e2;
		if (profile_load(&base, e->machines.v[m], NULL, &e2)) {
			*err = e2;
			return -1;
		}
		for (long c = 0; c < combos; c++) {
			struct profile prof = base;
			struct sweep_workload sw = {UINT32_MAX, UINT32_MAX};
			char what[256] = "";
			size_t wl = 0;
			long rest = c;
			int bad = 0;
			for (int s = e->nsweep - 1; s >= 0 && !bad; s--) { // the order of run_one
				const struct sweep_param *sp = &e->sweep[s];
				const char *val = sp->values.v[rest % sp->values.n];
				rest /= sp->values.n;
				bad = sweep_apply(sp->key, val, &prof, &sw, &e2) != 0;
				int k = snprintf(what + wl, sizeof what - wl, "%s%s=%s", wl ? ", " : " with ", sp->key, val);
				if (k > 0 && wl + (size_t)k < sizeof what)
					wl += (size_t)k;
			}
			if (!bad)
				bad = profile_check(&prof, &e2) != 0;
			if (bad) {
				cfg_errorf(err, d, map_get(d, root, "sweep"), "machine %s%s cannot be built: %s",
					   e->machines.v[m], what, e2.msg);
				return -1;
			}
			for (int a = 0; a < e->archs.n && !e->skip_unsupported; a++)
				if (((need[a] & 1) && !prof.vtx) || ((need[a] & 2) && !prof.ept)) {
					cfg_errorf(err, d, item_at(d, root, "archs", a),
						   "architecture %s needs %s, which machine %s%s does not have", e->archs.v[a],
						   (need[a] & 2) && !prof.ept ? "VT-x with EPT" : "VT-x", e->machines.v[m], what);
					return -1;
				}
		}
	}
	return 0;
}

// The name is a folder under results/: one path component, not hidden.
static int check_name(struct experiment *e, struct ydoc *d, yaml_node_t *root, struct cfg_error *err)
{
	const char *n = e->name;
	const char *why = n[0] == '.' ? "starts with a dot" : strchr(n, '/') ? "has a path separator"
			  : has_control(n) ? "has a control character" : NULL;
	if (why) {
		cfg_errorf(err, d, map_get(d, root, "name"), "experiment name '%s' %s (expected a folder name under "
			   "results/: no '/', not starting with '.')", n, why);
		return -1;
	}
	return 0;
}

int experiment_load(struct experiment *e, const char *path, struct cfg_error *err)
{
	memset(e, 0, sizeof *e);
	if (strlen(path) >= sizeof e->path) {
		cfg_msgf(err, "%.64s...:1:1: error: the path is %zu characters (expected under %zu)", path, strlen(path),
			 sizeof e->path);
		return -1;
	}
	snprintf(e->path, sizeof e->path, "%s", path);
	e->warmup = 10;
	e->reps = 5;
	e->seed = 1;
	struct ydoc d;
	if (ydoc_load_file(&d, path, err))
		return -1;
	int rc = -1, *need = NULL;
	struct service_set *svc = malloc(sizeof *svc);
	if (!svc) {
		cfg_msgf(err, "%s:1:1: error: out of memory", path);
		goto out;
	}
	if (schema_load(experiment_schema, e, sizeof *e, &d, ydoc_root(&d), err) ||
	    check_name(e, &d, ydoc_root(&d), err))
		goto out;
	yaml_node_t *sweep = map_get(&d, ydoc_root(&d), "sweep");
	if (sweep && load_sweep(e, &d, sweep, err))
		goto out;
	if (e->machines.n == 0 && strlist_add(&e->machines, "modern"))
		goto out;
	if (load_services_default(svc, err))
		goto out;
	yaml_node_t *root = ydoc_root(&d);
	// Before any name is resolved: 140,000 names would take a minute to load.
	if (experiment_points(e) > MAX_POINTS) {
		cfg_errorf(err, &d, map_get(&d, root, e->nsweep ? "sweep" : "archs"),
			   "the experiment has more than %d points (expected a smaller cross product)", MAX_POINTS);
		goto out;
	}
	need = calloc((size_t)e->archs.n, sizeof *need);
	if (!need) {
		cfg_msgf(err, "%s:1:1: error: out of memory", path);
		goto out;
	}
	if (check_names(&d, root, "machine", &e->machines, svc, NULL, err) ||
	    check_names(&d, root, "archs", &e->archs, svc, need, err) ||
	    check_names(&d, root, "workloads", &e->workloads, svc, NULL, err) ||
	    check_points(e, &d, root, need, err))
		goto out;
	rc = 0;
out:
	if (rc)
		experiment_free(e);
	free(need);
	free(svc);
	ydoc_free(&d);
	return rc;
}
