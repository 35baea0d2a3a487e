// services.c: loading the kernel-service models (models/services.yaml).
//
//   services:
//     vfs:
//       description: ...
//       text: 48K                  # the service's whole text: its share of the TCB
//       ops:
//         read:
//           instructions: 420      # path length per invocation (required)
//           code: 1800             # bytes of text executed (default: instructions x insn_bytes)
//           reads: {fdtable: 64, file: 128}
//           writes: {file: 8}
//           pte_write: 0           # sensitive operations, per invocation
//           source: "lmbench-era path length, see docs"
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include "osmodel.h"

const char *const sensitive_names[SENS__N] = {
	[SENS_PTE_WRITE] = "pte_write", [SENS_CR3_WRITE] = "cr3_write", [SENS_IO] = "io",
	[SENS_IRQ_MASK] = "irq_mask",   [SENS_HLT] = "hlt",             [SENS_TLB_FLUSH] = "tlb_flush",
	[SENS_APIC] = "apic",           [SENS_SHADOW_MISS] = "shadow_miss",
};

// The instruction behind each osarch sensitive kind on x86 (index: enum
// sensitive). Each name is an instruction of configs/isa/x86-32.yaml whose
// sensitive_op is that kind (tests/test_virtcheck.c checks it). A
// page-table write has none: it is an ordinary store to a page the monitor
// write-protects (or a paravirtual kernel's explicit request).
static const char *const sensitive_insn[SENS__N] = {
	[SENS_PTE_WRITE] = NULL,
	[SENS_CR3_WRITE] = "mov-cr3",
	[SENS_IO] = "out",
	[SENS_IRQ_MASK] = "cli",
	[SENS_HLT] = "hlt",
	[SENS_TLB_FLUSH] = "invlpg",
	[SENS_APIC] = NULL,        // a store to the APIC's MMIO page, no instruction of its own
	[SENS_SHADOW_MISS] = NULL, // an ordinary reference that misses the shadow table
};

const char *sensitive_insn_of(int kind)
{
	return kind >= 0 && kind < SENS__N ? sensitive_insn[kind] : NULL;
}

static int load_data_uses(const struct field *f, void *dst, struct ydoc *d, yaml_node_t *node,
			  struct cfg_error *err);

#define OFF(m) offsetof(struct op, m)
#define U32(m) sizeof(((struct op *)0)->m)
static const struct field op_schema[] = {
	{.key = "instructions", .type = F_INT, .offset = OFF(instructions), .size = U32(instructions),
	 .min = 0, .max = 10000000, .required = 1, .unit = "instructions", .help = "path length per invocation"},
	{.key = "code", .type = F_SIZE, .offset = OFF(code_bytes), .size = U32(code_bytes), .min = 0,
	 .max = 16 << 20, .unit = "bytes", .help = "text executed per invocation (default instructions x insn_bytes)"},
	{.key = "reads", .type = F_CUSTOM, .offset = 0, .custom = load_data_uses,
	 .help = "data structures read: {name: bytes}"},
	{.key = "writes", .type = F_CUSTOM, .offset = 1, .custom = load_data_uses,
	 .help = "data structures written: {name: bytes}"},
	{.key = "fresh", .type = F_CUSTOM, .offset = 2, .custom = load_data_uses,
	 .help = "newly allocated memory written: {name: bytes}, a different page every invocation"},
	{.key = "pte_write", .type = F_INT, .offset = OFF(sensitive[SENS_PTE_WRITE]), .size = 4,
	 .max = 1000000, .unit = "operations", .help = "page-table entry updates"},
	{.key = "io", .type = F_INT, .offset = OFF(sensitive[SENS_IO]), .size = 4, .max = 1000000,
	 .unit = "operations", .help = "device register accesses"},
	{.key = "irq_mask", .type = F_INT, .offset = OFF(sensitive[SENS_IRQ_MASK]), .size = 4,
	 .max = 1000000, .unit = "operations", .help = "interrupt-flag changes (cli/sti/popf)"},
	{.key = "hlt", .type = F_INT, .offset = OFF(sensitive[SENS_HLT]), .size = 4, .max = 1000,
	 .unit = "operations", .help = "halts"},
	{.key = "tlb_flush", .type = F_INT, .offset = OFF(sensitive[SENS_TLB_FLUSH]), .size = 4,
	 .max = 1000000, .unit = "operations", .help = "invlpg"},
	{.key = "apic", .type = F_INT, .offset = OFF(sensitive[SENS_APIC]), .size = 4,
	 .max = 1000000, .unit = "operations", .help = "local-APIC register accesses (EOI)"},
	{.key = "source", .type = F_STRING, .offset = OFF(source), .size = sizeof(((struct op *)0)->source),
	 .help = "where the figures come from"},
	{0},
};
#undef OFF
#undef U32

// reads/writes/fresh: {name: bytes}. The custom loader is handed obj +
// offset; the offset (0, 1, 2) says which, so the op is found by stepping back.
static int load_data_uses(const struct field *f, void *dst, struct ydoc *d, yaml_node_t *node,
			  struct cfg_error *err)
{
	struct op *o = (struct op *)((char *)dst - f->offset);
	int store = (int)f->offset;
	if (node->type != YAML_MAPPING_NODE) {
		cfg_errorf(err, d, node, "'%s' is not a mapping (expected {name: bytes, ...})", f->key);
		return -1;
	}
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&d->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&d->doc, p->value);
		const char *name = node_scalar(k), *val = node_scalar(v);
		uint64_t bytes;
		if (!name || !name[0] || strlen(name) >= NAME_LEN) {
			cfg_errorf(err, d, k, "bad structure name (expected up to %d characters)", NAME_LEN - 1);
			return -1;
		}
		if (!val || scalar_parse_size(val, &bytes) || bytes == 0 || bytes > (16u << 20)) {
			cfg_errorf(err, d, v, "bad size for '%s' (expected bytes, 1..16M)", name);
			return -1;
		}
		if (o->ndata >= MAX_DATA) {
			cfg_errorf(err, d, k, "too many data structures (expected at most %d per operation)", MAX_DATA);
			return -1;
		}
		struct data_use *u = &o->data[o->ndata++];
		snprintf(u->name, sizeof u->name, "%s", name);
		u->bytes = (uint32_t)bytes;
		u->store = store > 0;
		u->fresh = store == 2;
	}
	return 0;
}

// `ops` is read after the table's keys, by service_load_node.
static int skip_loader(const struct field *f, void *dst, struct ydoc *d, yaml_node_t *node,
		       struct cfg_error *err)
{
	(void)f, (void)dst, (void)d, (void)node, (void)err;
	return 0;
}

static const struct field service_schema[] = {
	{.key = "description", .type = F_STRING, .offset = offsetof(struct service, description),
	 .size = sizeof(((struct service *)0)->description), .help = "what the service is"},
	{.key = "text", .type = F_SIZE, .offset = offsetof(struct service, text_bytes), .size = 8,
	 .min = 0, .max = 1ull << 30, .unit = "bytes", .help = "the service's whole text (TCB share)"},
	{.key = "placed_with", .type = F_STRING, .offset = offsetof(struct service, placed_with),
	 .size = sizeof(((struct service *)0)->placed_with),
	 .help = "where an architecture file that does not place it puts it: with this service"},
	{.key = "ops", .type = F_CUSTOM, .offset = 0, .custom = skip_loader, .help = "operations: {name: {instructions, ...}}"},
	{0},
};

static int name_ok(struct ydoc *d, yaml_node_t *k, const char *what, struct cfg_error *err)
{
	const char *s = node_scalar(k);
	if (!s || !s[0] || strlen(s) >= NAME_LEN) {
		cfg_errorf(err, d, k, "bad %s name (expected 1..%d characters)", what, NAME_LEN - 1);
		return -1;
	}
	return 0;
}

// Lays out each service's operations one after another in its text, and
// its named structures one after another (64-byte aligned) in its data.
static void resolve_service_layout(struct service *sv)
{
	uint32_t code = 0, data = 0;
	struct { char name[NAME_LEN]; uint32_t off; } seen[MAX_OPS * MAX_DATA];
	int nseen = 0;
	for (int i = 0; i < sv->nops; i++) {
		struct op *o = &sv->ops[i];
		o->code_off = code;
		code += o->code_bytes ? o->code_bytes : o->instructions * 4;
		code = (code + 63) & ~63u;
		for (int j = 0; j < o->ndata; j++) {
			struct data_use *u = &o->data[j];
			int k;
			for (k = 0; k < nseen; k++)
				if (!strcmp(seen[k].name, u->name))
					break;
			if (k == nseen) {
				snprintf(seen[k].name, sizeof seen[k].name, "%s", u->name);
				seen[k].off = data;
				data += (u->bytes + 63) & ~63u;
				nseen++;
			}
			u->offset = seen[k].off;
		}
	}
}

int service_load_node(struct service *sv, const char *name, struct ydoc *d, yaml_node_t *node,
		      struct cfg_error *err)
{
	memset(sv, 0, sizeof *sv);
	snprintf(sv->name, sizeof sv->name, "%s", name);
	if (node->type != YAML_MAPPING_NODE) {
		cfg_errorf(err, d, node, "service '%s' is not a mapping (expected description, text, ops)", name);
		return -1;
	}
	if (schema_load(service_schema, sv, sizeof *sv, d, node, err))
		return -1;
	yaml_node_t *ops = map_get(d, node, "ops");
	if (!ops) {
		cfg_errorf(err, d, node, "missing required key 'ops'");
		return -1;
	}
	if (ops->type != YAML_MAPPING_NODE) {
		cfg_errorf(err, d, ops, "'ops' is not a mapping (expected {name: {instructions: N, ...}})");
		return -1;
	}
	for (yaml_node_pair_t *p = ops->data.mapping.pairs.start; p < ops->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&d->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&d->doc, p->value);
		if (name_ok(d, k, "operation", err))
			return -1;
		if (op_find(sv, node_scalar(k)) >= 0) {
			cfg_errorf(err, d, k, "duplicate operation '%s'", node_scalar(k));
			return -1;
		}
		if (sv->nops >= MAX_OPS) {
			cfg_errorf(err, d, k, "too many operations (expected at most %d)", MAX_OPS);
			return -1;
		}
		struct op *o = &sv->ops[sv->nops];
		memset(o, 0, sizeof *o);
		snprintf(o->name, sizeof o->name, "%s", node_scalar(k));
		if (schema_load(op_schema, o, sizeof *o, d, v, err))
			return -1;
		sv->nops++;
	}
	resolve_service_layout(sv);
	return 0;
}

// Copies a service but for the operations it does not have (a service is
// 19 KB, 24 operations of room; most have one to four).
static void service_copy(struct service *to, const struct service *from)
{
	memcpy(to, from, offsetof(struct service, ops));
	memcpy(to->ops, from->ops, (size_t)from->nops * sizeof from->ops[0]);
	to->nops = from->nops;
}

void services_copy(struct service_set *dst, const struct service_set *src)
{
	for (int i = 0; i < src->n; i++)
		service_copy(&dst->s[i], &src->s[i]);
	dst->n = src->n;
}

int services_load_node(struct service_set *set, struct ydoc *d, yaml_node_t *node,
		       struct cfg_error *err)
{
	if (node->type != YAML_MAPPING_NODE) {
		cfg_errorf(err, d, node, "'services' is not a mapping (expected {name: {ops: ...}})");
		return -1;
	}
	char seen[MAX_SERVICES][NAME_LEN];
	int nseen = 0;
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&d->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&d->doc, p->value);
		if (name_ok(d, k, "service", err))
			return -1;
		const char *name = node_scalar(k);
		for (int i = 0; i < nseen; i++)
			if (!strcmp(seen[i], name)) {
				cfg_errorf(err, d, k, "duplicate service '%s'", name);
				return -1;
			}
		int idx = service_find(set, name);
		if (idx < 0) {
			if (set->n >= MAX_SERVICES) {
				cfg_errorf(err, d, k, "too many services (expected at most %d)", MAX_SERVICES);
				return -1;
			}
			idx = set->n;
		}
		struct service tmp;
		if (service_load_node(&tmp, name, d, v, err))
			return -1;
		service_copy(&set->s[idx], &tmp);
		if (idx == set->n)
			set->n++;
		if (nseen < MAX_SERVICES)
			snprintf(seen[nseen++], NAME_LEN, "%s", name);
	}
	return 0;
}

int services_load(struct service_set *set, const char *path, struct cfg_error *err)
{
	struct ydoc d;
	// Empty: every service is cleared when it is added (service_load_node),
	// and nothing reads past set->n; clearing all 616 KB first was 150 page
	// faults of `osarch list`.
	set->n = 0;
	if (ydoc_load_file(&d, path, err))
		return -1;
	int rc = -1;
	yaml_node_t *root = ydoc_root(&d);
	if (!root || root->type != YAML_MAPPING_NODE) {
		cfg_errorf(err, &d, root, "top level is not a mapping (expected 'services:')");
		goto out;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&d.doc, p->key);
		const char *key = node_scalar(k);
		if (!key || strcmp(key, "services")) {
			cfg_errorf(err, &d, k, "unknown key '%s' (expected one of: services)", key ? key : "");
			goto out;
		}
	}
	yaml_node_t *svcs = map_get(&d, root, "services");
	if (!svcs) {
		cfg_errorf(err, &d, root, "missing required key 'services'");
		goto out;
	}
	rc = services_load_node(set, &d, svcs, err);
out:
	ydoc_free(&d);
	return rc;
}

int service_find(const struct service_set *set, const char *name)
{
	for (int i = 0; i < set->n; i++)
		if (!strcmp(set->s[i].name, name))
			return i;
	return -1;
}

int op_find(const struct service *s, const char *name)
{
	for (int i = 0; i < s->nops; i++)
		if (!strcmp(s->ops[i].name, name))
			return i;
	return -1;
}
