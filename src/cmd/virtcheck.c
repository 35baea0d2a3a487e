// virtcheck.c: Popek and Goldberg's theorem applied to an instruction-set
// table (`osarch virtcheck`). See include/cmd/virtcheck.h and docs/extensions.md.
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "virtcheck.h"

const char *const isa_behaviour_names[BEH__N + 1] = {"none", "mode", "location", "both", NULL};
const char *const isa_unpriv_names[UNPRIV__N + 1] = {"trap", "exit", "no-op", "different-result",
						     "same", "guest-state", NULL};
// Same order as enum sensitive (osmodel.h), after "none".
const char *const isa_op_names[SENS__N + 2] = {"none", "pte_write", "cr3_write", "io", "irq_mask",
					       "hlt", "tlb_flush", "apic", "shadow_miss", NULL};

// ---- loading ----

#define IO(m) offsetof(struct isa_insn, m)
#define ISZ(m) sizeof(((struct isa_insn *)0)->m)
static const struct field insn_schema[] = {
	{.key = "name", .type = F_STRING, .offset = IO(name), .size = ISZ(name), .required = 1,
	 .help = "the instruction (a mnemonic, or mnemonic-variant: mov-cr3, pop-seg)"},
	{.key = "description", .type = F_STRING, .offset = IO(description), .size = ISZ(description),
	 .help = "what it does"},
	{.key = "privileged", .type = F_BOOL, .offset = IO(privileged), .required = 1,
	 .help = "traps (or exits) when executed in the deprivileged mode"},
	{.key = "control_sensitive", .type = F_BOOL, .offset = IO(control_sensitive), .required = 1,
	 .help = "changes the configuration of the machine's resources"},
	{.key = "behaviour_sensitive", .type = F_ENUM, .offset = IO(behaviour), .names = isa_behaviour_names,
	 .required = 1, .help = "its effect depends on the mode, the location, both, or none"},
	{.key = "unprivileged", .type = F_ENUM, .offset = IO(unprivileged), .names = isa_unpriv_names,
	 .required = 1, .help = "what it does in the deprivileged mode"},
	{.key = "sensitive_op", .type = F_ENUM, .offset = IO(op), .names = isa_op_names,
	 .help = "the osarch sensitive operation it performs (none by default)"},
	{.key = "iopl", .type = F_BOOL, .offset = IO(iopl),
	 .help = "whether it traps depends on IOPL (the monitor keeps IOPL below the guest's CPL)"},
	{.key = "why", .type = F_STRING, .offset = IO(why), .size = ISZ(why),
	 .help = "why it is sensitive (required when it is)"},
	{.key = "source", .type = F_STRING, .offset = IO(source), .size = ISZ(source),
	 .help = "where its classification comes from"},
	{0},
};
#undef IO
#undef ISZ

static int load_instructions(const struct field *f, void *dst, struct ydoc *d, yaml_node_t *node,
			     struct cfg_error *err);

#define SO(m) offsetof(struct isa, m)
#define SSZ(m) sizeof(((struct isa *)0)->m)
static const struct field isa_schema[] = {
	{.key = "name", .type = F_STRING, .offset = SO(name), .size = SSZ(name), .required = 1,
	 .help = "the instruction set"},
	{.key = "description", .type = F_STRING, .offset = SO(description), .size = SSZ(description),
	 .help = "what machine this is"},
	{.key = "mode", .type = F_STRING, .offset = SO(mode), .size = SSZ(mode), .required = 1,
	 .help = "the deprivileged mode a guest kernel runs in (where `privileged` means it traps)"},
	{.key = "source", .type = F_STRING, .offset = SO(source), .size = SSZ(source), .required = 1,
	 .help = "where the table comes from"},
	{.key = "instructions", .type = F_CUSTOM, .offset = SO(insn), .custom = load_instructions,
	 .required = 1, .help = "the instructions: a list of mappings"},
	{0},
};
#undef SO
#undef SSZ

static yaml_node_t *item_key(struct ydoc *d, yaml_node_t *item, const char *key)
{
	yaml_node_t *v = map_get(d, item, key);
	return v ? v : item;
}

// Contradictions inside one entry, reported at the key that contradicts.
static int check_insn(const struct isa_insn *in, struct ydoc *d, yaml_node_t *item, struct cfg_error *err)
{
	int sens = isa_sensitive(in);
	int traps = in->unprivileged == UNPRIV_TRAP || in->unprivileged == UNPRIV_EXIT;
	if (in->privileged && !traps) {
		cfg_errorf(err, d, item_key(d, item, "unprivileged"),
			   "instruction '%s' is privileged but 'unprivileged' is %s (expected trap or exit: a "
			   "privileged instruction traps in the deprivileged mode)",
			   in->name, isa_unpriv_names[in->unprivileged]);
		return -1;
	}
	if (!in->privileged && traps) {
		cfg_errorf(err, d, item_key(d, item, "privileged"),
			   "instruction '%s' traps (unprivileged: %s) but is not privileged (expected "
			   "privileged: true)",
			   in->name, isa_unpriv_names[in->unprivileged]);
		return -1;
	}
	if (!sens && (in->unprivileged == UNPRIV_NOOP || in->unprivileged == UNPRIV_DIFFERENT)) {
		cfg_errorf(err, d, item_key(d, item, "unprivileged"),
			   "instruction '%s' behaves differently in the deprivileged mode (%s) but is neither "
			   "control- nor behaviour-sensitive (expected control_sensitive: true or a "
			   "behaviour_sensitive kind)",
			   in->name, isa_unpriv_names[in->unprivileged]);
		return -1;
	}
	if (sens && in->unprivileged == UNPRIV_GUEST_STATE) {
		cfg_errorf(err, d, item_key(d, item, "unprivileged"),
			   "instruction '%s' acts on the guest's own state (guest-state) but is marked "
			   "sensitive (expected control_sensitive: false and behaviour_sensitive: none: the "
			   "hardware keeps that state per guest)",
			   in->name);
		return -1;
	}
	if (!sens && in->op != 0 && in->unprivileged != UNPRIV_GUEST_STATE) {
		cfg_errorf(err, d, item_key(d, item, "sensitive_op"),
			   "instruction '%s' performs the sensitive operation %s but is not sensitive (expected "
			   "control_sensitive: true or a behaviour_sensitive kind, or unprivileged: guest-state)",
			   in->name, isa_op_names[in->op]);
		return -1;
	}
	if (sens && !in->why[0]) {
		cfg_errorf(err, d, item, "instruction '%s' is sensitive: missing required key 'why' (expected "
			   "why it is sensitive)", in->name);
		return -1;
	}
	if (in->iopl && !in->privileged) {
		cfg_errorf(err, d, item_key(d, item, "iopl"),
			   "instruction '%s' has iopl: true but is not privileged (expected iopl only on "
			   "instructions that trap when CPL > IOPL)", in->name);
		return -1;
	}
	return 0;
}

static int load_instructions(const struct field *f, void *dst, struct ydoc *d, yaml_node_t *node,
			     struct cfg_error *err)
{
	(void)f;
	// dst is the `insn` member of the struct isa being loaded.
	struct isa *isa = (struct isa *)((char *)dst - offsetof(struct isa, insn));
	if (node->type != YAML_SEQUENCE_NODE) {
		cfg_errorf(err, d, node, "'instructions' is not a list (expected instructions: [ {name: ...}, ... ])");
		return -1;
	}
	int n = 0;
	for (yaml_node_item_t *it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(&d->doc, *it);
		if (n >= ISA_MAX_INSNS) {
			cfg_errorf(err, d, item, "more than %d instructions (expected at most %d)", ISA_MAX_INSNS,
				   ISA_MAX_INSNS);
			return -1;
		}
		if (!item || item->type != YAML_MAPPING_NODE) {
			cfg_errorf(err, d, item, "instruction is not a mapping (expected {name: ..., privileged: ..., ...})");
			return -1;
		}
		struct isa_insn *in = &isa->insn[n];
		memset(in, 0, sizeof *in);
		if (schema_load_nested(insn_schema, in, d, item, err))
			return -1;
		in->line = (int)item->start_mark.line + 1;
		for (int j = 0; j < n; j++) {
			if (!strcmp(isa->insn[j].name, in->name)) {
				cfg_errorf(err, d, item_key(d, item, "name"),
					   "duplicate instruction '%s' (first at line %d)", in->name, isa->insn[j].line);
				return -1;
			}
		}
		if (check_insn(in, d, item, err))
			return -1;
		n++;
	}
	if (n == 0) {
		cfg_errorf(err, d, node, "no instructions (expected at least one)");
		return -1;
	}
	isa->n = n;
	return 0;
}

int isa_load(struct isa *isa, const char *path, struct cfg_error *err)
{
	memset(isa, 0, sizeof *isa);
	struct ydoc d;
	if (ydoc_load_file(&d, path, err))
		return -1;
	int rc = schema_load(isa_schema, isa, sizeof *isa, &d, ydoc_root(&d), err);
	ydoc_free(&d);
	return rc;
}

// ---- the theorem ----

int isa_check(const struct isa *isa, int *breaking)
{
	int n = 0;
	for (int i = 0; i < isa->n; i++) {
		const struct isa_insn *in = &isa->insn[i];
		if (isa_sensitive(in) && !in->privileged) {
			if (breaking)
				breaking[n] = i;
			n++;
		}
	}
	return n;
}

static const char *sensitivity(const struct isa_insn *in, char *buf, size_t n)
{
	if (in->control_sensitive && in->behaviour != BEH_NONE)
		snprintf(buf, n, "control- and behaviour-sensitive (%s)", isa_behaviour_names[in->behaviour]);
	else if (in->control_sensitive)
		snprintf(buf, n, "control-sensitive");
	else if (in->behaviour != BEH_NONE)
		snprintf(buf, n, "behaviour-sensitive (%s)", isa_behaviour_names[in->behaviour]);
	else
		snprintf(buf, n, "not sensitive");
	return buf;
}

// The names of the instructions of one class, wrapped at about 78 columns.
// gs: -1 any, 0 not acting on guest state, 1 acting on the guest's own state.
static void name_list(FILE *f, const struct isa *isa, int want_priv, int want_sens, int gs)
{
	int col = 2, any = 0;
	fputs("  ", f);
	for (int i = 0; i < isa->n; i++) {
		const struct isa_insn *in = &isa->insn[i];
		if ((in->privileged != 0) != want_priv || (isa_sensitive(in) != 0) != want_sens)
			continue;
		if (gs >= 0 && (in->unprivileged == UNPRIV_GUEST_STATE) != gs)
			continue;
		int w = (int)strlen(in->name) + (in->iopl ? 7 : 0) + (any ? 1 : 0);
		if (any && col + w > 78) {
			fputs("\n  ", f);
			col = 2;
			w -= 1;
		} else if (any) {
			fputc(' ', f);
		}
		fprintf(f, "%s%s", in->name, in->iopl ? " (IOPL)" : "");
		col += w;
		any = 1;
	}
	fputs(any ? "\n" : "(none)\n", f);
}

// Control characters of a table's text (a YAML "\e[2J" or "\n" in a name)
// are shown escaped (\n, \t, \xNN), so the report can neither break its
// lines nor drive the terminal. In place, cut to the buffer's size.
static void escape_text(char *s, size_t size)
{
	char out[1024];
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && n + 5 < sizeof out; p++) {
		if (*p >= 0x20 && *p != 0x7f)
			out[n++] = (char)*p;
		else if (*p == '\n' || *p == '\t' || *p == '\r')
			out[n++] = '\\', out[n++] = *p == '\n' ? 'n' : *p == '\t' ? 't' : 'r';
		else
			n += (size_t)snprintf(out + n, sizeof out - n, "\\x%02x", *p);
	}
	out[n] = 0;
	if (n >= size)
		n = size - 1;
	memcpy(s, out, n);
	s[n] = 0;
}

static void isa_report_escaped(FILE *f, const struct isa *isa);

void isa_report(FILE *f, const struct isa *isa)
{
	struct isa *c = malloc(sizeof *c);
	if (!c) {
		fprintf(f, "osarch: out of memory\n");
		return;
	}
	*c = *isa;
	escape_text(c->name, sizeof c->name);
	escape_text(c->description, sizeof c->description);
	escape_text(c->mode, sizeof c->mode);
	escape_text(c->source, sizeof c->source);
	for (int i = 0; i < c->n; i++) {
		escape_text(c->insn[i].name, sizeof c->insn[i].name);
		escape_text(c->insn[i].description, sizeof c->insn[i].description);
		escape_text(c->insn[i].why, sizeof c->insn[i].why);
		escape_text(c->insn[i].source, sizeof c->insn[i].source);
	}
	isa_report_escaped(f, c);
	free(c);
}

static void isa_report_escaped(FILE *f, const struct isa *isa)
{
	int *brk = calloc((size_t)isa->n + 1, sizeof *brk);
	int nb = isa_check(isa, brk);
	if (nb == 0)
		fprintf(f, "verdict: virtualizable\n");
	else
		// The contract's wording, whatever N (even 1).
		fprintf(f, "verdict: not virtualizable (%d sensitive unprivileged instructions)\n", nb);
	int nsens = 0, npriv = 0;
	for (int i = 0; i < isa->n; i++) {
		nsens += isa_sensitive(&isa->insn[i]) != 0;
		npriv += isa->insn[i].privileged != 0;
	}
	fprintf(f, "isa: %s%s%s\n", isa->name, isa->description[0] ? " - " : "", isa->description);
	fprintf(f, "deprivileged mode (where a guest kernel runs): %s\n", isa->mode);
	fprintf(f, "theorem (Popek & Goldberg 1974, theorem 1): an efficient VMM can be built when the\n"
		   "sensitive instructions are a subset of the privileged ones.\n");
	fprintf(f, "instructions: %d, sensitive: %d, privileged: %d, sensitive but unprivileged: %d\n", isa->n,
		nsens, npriv, nb);
	char buf[96];
	if (nb) {
		fprintf(f, "\nsensitive but not privileged (the monitor never sees them: each breaks the theorem):\n");
		for (int k = 0; k < nb && brk; k++) {
			const struct isa_insn *in = &isa->insn[brk[k]];
			fprintf(f, "  %-10s %-40s unprivileged: %s\n", in->name, sensitivity(in, buf, sizeof buf),
				isa_unpriv_names[in->unprivileged]);
			fprintf(f, "             why: %s\n", in->why);
		}
	}
	fprintf(f, "\nsensitive and privileged (they trap; the monitor emulates them):\n");
	name_list(f, isa, 1, 1, -1);
	fprintf(f, "privileged but not sensitive:\n");
	name_list(f, isa, 1, 0, -1);
	int ngs = 0;
	for (int i = 0; i < isa->n; i++)
		ngs += isa->insn[i].unprivileged == UNPRIV_GUEST_STATE;
	if (ngs) {
		fprintf(f, "not sensitive here: they act on the guest's own copy of the state (hardware-virtualised):\n");
		name_list(f, isa, 0, 0, 1);
	}
	fprintf(f, "not sensitive (run directly, at full speed):\n");
	name_list(f, isa, 0, 0, 0);
	fprintf(f, "\nosarch sensitive operations (what a VM architecture must handle on a guest path):\n");
	for (int k = 0; k < SENS__N; k++) {
		fprintf(f, "  %-10s", sensitive_names[k]);
		int any = 0;
		for (int i = 0; i < isa->n; i++) {
			const struct isa_insn *in = &isa->insn[i];
			if (in->op != k + 1)
				continue;
			const char *how = in->privileged ? (in->unprivileged == UNPRIV_EXIT ? "exits" : "traps")
				       : isa_sensitive(in) ? "does NOT trap"
							   : "runs on guest state";
			fprintf(f, "%s %s (%s%s)", any ? "," : "", in->name, how, in->iopl ? ", IOPL" : "");
			any = 1;
		}
		fprintf(f, "%s\n", any ? "" : " (no instruction: an ordinary store to a page the monitor write-protects)");
	}
	fprintf(f, "\nsource: %s\n", isa->source);
	free(brk);
}

// ---- the command ----

static const char usage_virtcheck[] =
	"usage: osarch virtcheck ISA.yaml\n"
	"\n"
	"Applies Popek and Goldberg's theorem (an efficient VMM can be built when the\n"
	"sensitive instructions are a subset of the privileged ones) to an\n"
	"instruction-set table (configs/isa/: x86-32, x86-vtx, s370) and prints the\n"
	"verdict, then every sensitive instruction that does not trap, with why it\n"
	"is sensitive. The first line is\n"
	"  verdict: virtualizable\n"
	"or\n"
	"  verdict: not virtualizable (N sensitive unprivileged instructions)\n"
	"Exit 0 for either verdict, 2 for a bad file (file:line:col: error: ...).\n"
	"The schema is in docs/extensions.md.\n";

int virtcheck_main(int argc, char **argv)
{
	const char *path = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage_virtcheck, stdout);
			return 0;
		}
	}
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "osarch: unknown option '%s'\n%s", argv[i], usage_virtcheck);
			return 2;
		}
		if (path) {
			fprintf(stderr, "osarch: one ISA file at a time ('%s' is extra)\n%s", argv[i], usage_virtcheck);
			return 2;
		}
		path = argv[i];
	}
	if (!path) {
		fprintf(stderr, "osarch: missing ISA.yaml\n%s", usage_virtcheck);
		return 2;
	}
	struct isa *isa = malloc(sizeof *isa);
	if (!isa) {
		fprintf(stderr, "osarch: out of memory\n");
		return 1;
	}
	struct cfg_error err;
	int rc = 0;
	if (isa_load(isa, path, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		rc = 2;
	} else {
		isa_report(stdout, isa);
	}
	free(isa);
	return rc;
}
