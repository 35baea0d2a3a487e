// yamlcfg.c: schema-driven YAML loading (see yamlcfg.h): messages, scalars,
// members stored by width, documents read within bounds, and an object
// loaded from a mapping by its schema. Setting by path: yamlpath.c; dumping:
// yamldump.c.
//
// Notes:
// - The whole document is composed (as libyaml's yaml_parser_load would)
//   before we look at it, so a syntax error late in a file never leaves half
//   a load.
// - Nesting is bounded twice: compose() stops at the first node too deep as
//   the events stream (libyaml's scanner slows down with depth), and
//   check_limits bounds it again with aliases expanded.
// - The document loader shares an aliased node instead of copying it, and it
//   registers an anchor before loading the anchor's children, so `&a [*a]` is a
//   cycle. check_limits walks the tree with aliases expanded and refuses cycles,
//   nesting over CFG_MAX_DEPTH and walks over CFG_MAX_NODES visits (alias
//   bombs) before any schema code walks it; later walks are therefore bounded.
// - Transactions: schema_load loads into a byte copy of the object. F_STRLIST
//   members own heap memory, so afterwards the copy and the original are
//   compared list by list (settle_lists) and the losing side's lists are freed.
// - Messages quote user text through cfg_shown(), which cuts it short and replaces
//   control characters, so every error stays on one line.
#include "yamlcfg.h"
#include "yamlshared.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_MAX 128  // longest key segment in a dotted path
#define PATH_MAX_CFG 256 // longest dotted path of a group (for check messages)

// ---------------------------------------------------------------- messages

// The contract is one line per error: control characters a message may have
// picked up from the user's text (a name that spans lines in a YAML flow
// list, say) become '?'. Found by fuzzing the experiment loader.
static void one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static void verrorf_at(struct cfg_error *err, const char *path, size_t line,
		       size_t col, const char *fmt, va_list ap)
{
	int n = snprintf(err->msg, sizeof err->msg, "%s:%zu:%zu: error: ", path,
			 line, col);
	if (n < 0 || (size_t)n >= sizeof err->msg) {
		one_line(err->msg);
		return;
	}
	vsnprintf(err->msg + n, sizeof err->msg - (size_t)n, fmt, ap);
	one_line(err->msg);
}

__attribute__((format(printf, 5, 6)))
static void errorf_at(struct cfg_error *err, const char *path, size_t line,
		      size_t col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verrorf_at(err, path, line, col, fmt, ap);
	va_end(ap);
}

void cfg_errorf(struct cfg_error *err, struct ydoc *d, const yaml_node_t *node,
		const char *fmt, ...)
{
	size_t line = node ? node->start_mark.line + 1 : 1;
	size_t col = node ? node->start_mark.column + 1 : 1;
	va_list ap;
	va_start(ap, fmt);
	verrorf_at(err, d ? d->path : "<input>", line, col, fmt, ap);
	va_end(ap);
}

void cfg_msgf(struct cfg_error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	one_line(err->msg);
}

// Returns s made safe to quote in a one-line message: control characters
// become '?', and long text is cut with "...".
const char *cfg_shown(const char *s, char buf[SHOWN_MAX])
{
	size_t i = 0;
	for (; s[i] && i < SHOWN_MAX - 4; i++)
		buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	if (s[i])
		memcpy(buf + i, "...", 3), i += 3;
	buf[i] = '\0';
	return buf;
}

// Appends s to the string in buf (size n), cutting it short if needed.
static void append(char *buf, size_t n, const char *s)
{
	size_t len = strlen(buf);
	if (len + 1 < n)
		snprintf(buf + len, n - len, "%s", s);
}

void cfg_list_keys(const struct field *schema, char *buf, size_t n)
{
	buf[0] = '\0';
	for (const struct field *f = schema; f->key; f++) {
		if (f != schema)
			append(buf, n, ", ");
		append(buf, n, f->key);
	}
}

static void format_enum_names(const char *const *names, char *buf, size_t n)
{
	buf[0] = '\0';
	for (int i = 0; names[i]; i++) {
		if (i)
			append(buf, n, ", ");
		append(buf, n, names[i]);
	}
}

// A double printed so it reads back to the same value: "%g" when that is
// exact (3.7, 1e-06), else "%.17g".
const char *cfg_fmt_double(double v, char *buf, size_t n)
{
	snprintf(buf, n, "%g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, n, "%.17g", v);
	return buf;
}

static const char *node_kind(const yaml_node_t *node);

// ---------------------------------------------------------------- scalars

static int all_digits(const char *s)
{
	return *s && s[strspn(s, "0123456789")] == '\0';
}

int scalar_parse_int(const char *text, int64_t *out)
{
	const char *digits = text + (*text == '+' || *text == '-');
	if (!all_digits(digits))
		return -1;
	errno = 0;
	long long v = strtoll(text, NULL, 10);
	if (errno == ERANGE)
		return -2;
	*out = v;
	return 0;
}

// Binary multiples only: a cache of 8K is 8192 bytes.
static uint64_t size_multiplier(const char *suffix)
{
	static const struct {
		const char *name;
		unsigned shift;
	} units[] = {
		{"", 0},   {"K", 10}, {"KiB", 10}, {"M", 20}, {"MiB", 20},
		{"G", 30}, {"GiB", 30}, {"T", 40}, {"TiB", 40},
	};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcasecmp(suffix, units[i].name) == 0)
			return (uint64_t)1 << units[i].shift;
	return 0;
}

int scalar_parse_size(const char *text, uint64_t *out)
{
	size_t ndigits = strspn(text, "0123456789");
	if (ndigits == 0)
		return -1;
	uint64_t mult = size_multiplier(text + ndigits);
	if (mult == 0)
		return -1;
	errno = 0;
	unsigned long long v = strtoull(text, NULL, 10);
	if (errno == ERANGE || v > UINT64_MAX / mult)
		return -2;
	*out = (uint64_t)v * mult;
	return 0;
}

// Plain decimal notation only: strtod alone would also take "inf", "nan"
// and hexadecimal floats.
int scalar_parse_double(const char *text, double *out)
{
	if (!*text || text[strspn(text, "0123456789+-.eE")] != '\0')
		return -1;
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (end == text || *end)
		return -1;
	if (errno == ERANGE || !isfinite(v))
		return -2;
	*out = v;
	return 0;
}

int scalar_parse_bool(const char *text, int *out)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};
	for (int i = 0; i < 3; i++) {
		if (strcasecmp(text, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(text, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

// ---------------------------------------------------------------- storage

size_t cfg_num_width(const struct field *f)
{
	return f->size ? f->size : 8;
}

// Bytes a field occupies in its object (what schema_set saves and restores).
size_t cfg_field_width(const struct field *f)
{
	switch (f->type) {
	case F_INT:
	case F_SIZE:
		return cfg_num_width(f);
	case F_DOUBLE:
		return sizeof(double);
	case F_BOOL:
	case F_ENUM:
		return sizeof(int);
	case F_STRING:
		return f->size;
	case F_STRLIST:
		return sizeof(struct strlist);
	default:
		return 0;
	}
}

// Two's complement truncation stores a signed or an unsigned value the same
// way, so one store serves both; only reading back needs the signedness.
static void store_bits(void *dst, size_t width, uint64_t bits)
{
	uint8_t b8 = (uint8_t)bits;
	uint16_t b16 = (uint16_t)bits;
	uint32_t b32 = (uint32_t)bits;
	switch (width) {
	case 1: memcpy(dst, &b8, 1); break;
	case 2: memcpy(dst, &b16, 2); break;
	case 4: memcpy(dst, &b32, 4); break;
	default: memcpy(dst, &bits, 8); break;
	}
}

static void store_int_member(void *dst, int v)
{
	memcpy(dst, &v, sizeof v);
}

static int enum_index(const char *const *names, const char *text)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(names[i], text) == 0)
			return i;
	return -1;
}

static int out_of_range(const struct field *f, const char *text, char *why,
			size_t n)
{
	char lo[32], hi[32], t[SHOWN_MAX];
	snprintf(why, n, "value %s out of range (expected %s..%s)", cfg_shown(text, t),
		 cfg_fmt_double(f->min, lo, sizeof lo), cfg_fmt_double(f->max, hi, sizeof hi));
	return -1;
}

static int set_int(const struct field *f, void *dst, const char *text,
		   char *why, size_t n)
{
	char t[SHOWN_MAX];
	int64_t v;
	int rc = scalar_parse_int(text, &v);
	if (rc == -1) {
		snprintf(why, n, "'%s' is not an integer (expected a decimal integer%s)",
			 cfg_shown(text, t),
			 scalar_parse_size(text, &(uint64_t){0}) == 0 ? "; K/M/G suffixes are for sizes" : "");
		return -1;
	}
	if (rc == -2 || (double)v < f->min || (double)v > f->max)
		return out_of_range(f, text, why, n);
	store_bits(dst, cfg_num_width(f), (uint64_t)v);
	return 0;
}

static int set_size(const struct field *f, void *dst, const char *text,
		    char *why, size_t n)
{
	char t[SHOWN_MAX];
	uint64_t v;
	int rc = scalar_parse_size(text, &v);
	if (rc == -1) {
		snprintf(why, n, "'%s' is not a size (expected bytes as an integer, "
			 "optionally with a K, M or G suffix: 4096, 32K, 1MiB)", cfg_shown(text, t));
		return -1;
	}
	if (rc == -2 || (double)v < f->min || (double)v > f->max)
		return out_of_range(f, text, why, n);
	store_bits(dst, cfg_num_width(f), v);
	return 0;
}

static int set_double(const struct field *f, void *dst, const char *text,
		      char *why, size_t n)
{
	char t[SHOWN_MAX];
	double v;
	int rc = scalar_parse_double(text, &v);
	if (rc == -1) {
		snprintf(why, n, "'%s' is not a number (expected a decimal number such as 3 or 2.5)",
			 cfg_shown(text, t));
		return -1;
	}
	if (rc == -2 || v < f->min || v > f->max)
		return out_of_range(f, text, why, n);
	memcpy(dst, &v, sizeof v);
	return 0;
}

static int set_string(const struct field *f, void *dst, const char *text,
		      char *why, size_t n)
{
	size_t len = strlen(text);
	if (len == 0) {
		snprintf(why, n, "empty string (expected a non-empty string)");
		return -1;
	}
	if (len >= f->size) {
		snprintf(why, n, "string of %zu bytes is too long (expected at most %zu)",
			 len, f->size - 1);
		return -1;
	}
	// The whole buffer is cleared so equal values give equal bytes.
	memset(dst, 0, f->size);
	memcpy(dst, text, len);
	return 0;
}

static int set_enum(const struct field *f, void *dst, const char *text,
		    char *why, size_t n)
{
	char t[SHOWN_MAX], names[CFG_ERR_MAX / 2]; // room for a long list of names
	int i = enum_index(f->names, text);
	if (i < 0) {
		format_enum_names(f->names, names, sizeof names);
		snprintf(why, n, "unknown value '%s' (expected one of: %s)",
			 cfg_shown(text, t), names);
		return -1;
	}
	store_int_member(dst, i);
	return 0;
}

// A one-element list. The list it replaces stays where it was: its owner
// (settle_lists or schema_set) frees it.
static int set_strlist(void *dst, const char *text, char *why, size_t n)
{
	struct strlist fresh = {0, NULL};
	if (!*text) {
		snprintf(why, n, "empty string (expected a non-empty string)");
		return -1;
	}
	if (strlist_add(&fresh, text) < 0) {
		snprintf(why, n, "out of memory");
		return -1;
	}
	memcpy(dst, &fresh, sizeof fresh);
	return 0;
}

// Sets scalar field f of owner from text. Returns 0, or -1 with `why` saying
// what is wrong; on -1 nothing was written.
int cfg_set_from_text(const struct field *f, void *owner, const char *text,
			 char *why, size_t n)
{
	char t[SHOWN_MAX];
	void *dst = (char *)owner + f->offset;
	int v;
	switch (f->type) {
	case F_INT: return set_int(f, dst, text, why, n);
	case F_SIZE: return set_size(f, dst, text, why, n);
	case F_DOUBLE: return set_double(f, dst, text, why, n);
	case F_STRING: return set_string(f, dst, text, why, n);
	case F_ENUM: return set_enum(f, dst, text, why, n);
	case F_STRLIST: return set_strlist(dst, text, why, n);
	case F_BOOL:
		if (scalar_parse_bool(text, &v) < 0) {
			snprintf(why, n, "'%s' is not a boolean (expected true/false, yes/no or on/off)",
				 cfg_shown(text, t));
			return -1;
		}
		store_int_member(dst, v);
		return 0;
	default:
		snprintf(why, n, "'%s' is not a scalar parameter", f->key);
		return -1;
	}
}

// ---------------------------------------------------------------- strlist

void strlist_free(struct strlist *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->n = 0;
	l->v = NULL;
}

int strlist_add(struct strlist *l, const char *s)
{
	char *copy = strdup(s);
	char **v = copy ? realloc(l->v, (size_t)(l->n + 1) * sizeof *v) : NULL;
	if (!v) {
		free(copy);
		return -1;
	}
	v[l->n++] = copy;
	l->v = v;
	return 0;
}

int strlist_find(const struct strlist *l, const char *s)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return i;
	return -1;
}

// ---------------------------------------------------------------- documents

const char *node_scalar(const yaml_node_t *node)
{
	if (!node || node->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)node->data.scalar.value;
}

static yaml_node_t *node_at(struct ydoc *d, yaml_node_item_t index)
{
	return yaml_document_get_node(&d->doc, index);
}

// YAML's null: a plain `~`, `null` or nothing. A quoted "" is a string.
static int is_null(const yaml_node_t *node)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
	if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
		if (strcmp((const char *)node->data.scalar.value, nulls[i]) == 0)
			return 1;
	return 0;
}

static const char *node_kind(const yaml_node_t *node)
{
	switch (node->type) {
	case YAML_MAPPING_NODE: return "a mapping";
	case YAML_SEQUENCE_NODE: return "a sequence";
	default: return is_null(node) ? "null" : "a scalar";
	}
}

static yaml_node_pair_t *find_pair(struct ydoc *d, yaml_node_t *map,
				   const char *key, yaml_node_pair_t *end)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	if (!end)
		end = map->data.mapping.pairs.top;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < end; p++) {
		const char *k = node_scalar(node_at(d, p->key));
		if (k && strcmp(k, key) == 0)
			return p;
	}
	return NULL;
}

yaml_node_t *map_get(struct ydoc *d, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p = find_pair(d, map, key, NULL);
	return p ? node_at(d, p->value) : NULL;
}

yaml_node_t *map_get_key(struct ydoc *d, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p = find_pair(d, map, key, NULL);
	return p ? node_at(d, p->key) : NULL;
}

yaml_node_t *ydoc_root(struct ydoc *d)
{
	return d->loaded ? yaml_document_get_root_node(&d->doc) : NULL;
}

// The tag of every node that has none of its own (nearly all of them):
// one shared string per kind rather than a strdup per node, which with its
// free was a sixth of `osarch list`'s time. doc_delete leaves them alone.
static yaml_char_t default_scalar_tag[] = YAML_DEFAULT_SCALAR_TAG;
static yaml_char_t default_sequence_tag[] = YAML_DEFAULT_SEQUENCE_TAG;
static yaml_char_t default_mapping_tag[] = YAML_DEFAULT_MAPPING_TAG;

static int is_default_tag(const yaml_char_t *tag)
{
	return tag == default_scalar_tag || tag == default_sequence_tag || tag == default_mapping_tag;
}

// yaml_document_delete (libyaml's api.c), but for the shared default tags.
static void doc_delete(yaml_document_t *doc)
{
	for (yaml_node_t *n = doc->nodes.start; n && n < doc->nodes.top; n++) {
		if (!is_default_tag(n->tag))
			free(n->tag);
		if (n->type == YAML_SCALAR_NODE)
			free(n->data.scalar.value);
		else if (n->type == YAML_SEQUENCE_NODE)
			free(n->data.sequence.items.start);
		else if (n->type == YAML_MAPPING_NODE)
			free(n->data.mapping.pairs.start);
	}
	free(doc->nodes.start);
	free(doc->version_directive);
	for (yaml_tag_directive_t *t = doc->tag_directives.start; t && t != doc->tag_directives.end; t++) {
		free(t->handle);
		free(t->prefix);
	}
	free(doc->tag_directives.start);
	memset(doc, 0, sizeof *doc);
}

void ydoc_free(struct ydoc *d)
{
	if (d->loaded && d->cached) {
		// Nodes in one array, all they point to in one block, tags shared.
		free(d->doc.nodes.start);
		free(d->cached);
		memset(&d->doc, 0, sizeof d->doc);
		d->cached = NULL;
	} else if (d->loaded) {
		doc_delete(&d->doc);
	}
	d->loaded = 0;
}

// Reader errors (bad UTF-8) carry a byte offset, not a mark.
static void offset_to_line_col(const char *text, size_t offset, size_t *line,
			       size_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < offset; i++) {
		if (text[i] == '\n')
			++*line, *col = 1;
		else
			++*col;
	}
}

static int syntax_error(struct ydoc *d, const yaml_parser_t *p, const char *text,
			size_t len, struct cfg_error *err)
{
	size_t line = p->problem_mark.line + 1, col = p->problem_mark.column + 1;
	if (p->error == YAML_MEMORY_ERROR) {
		errorf_at(err, d->path, 1, 1, "out of memory");
		return -1;
	}
	if (p->error == YAML_READER_ERROR)
		offset_to_line_col(text, p->problem_offset < len ? p->problem_offset : len,
				   &line, &col);
	const char *problem = p->problem ? p->problem : "cannot parse";
	if (p->context)
		errorf_at(err, d->path, line, col, "syntax error: %s (%s at %zu:%zu)",
			  problem, p->context, p->context_mark.line + 1,
			  p->context_mark.column + 1);
	else
		errorf_at(err, d->path, line, col, "syntax error: %s", problem);
	return -1;
}

// ---- one pass over the events: the nesting bound and the document ----
//
// libyaml's scanner does work proportional to the flow nesting depth for
// every token: 200,000 nested '{' in a 1 MB file take minutes in
// yaml_parser_load. So nesting is bounded as the events stream, and the
// document is composed from the same events (yaml_parser_load would scan
// the file a second time: the two passes were 30% of `osarch list`, issue
// 19). The composition is libyaml's own (loader.c, libyaml 0.2.5): the
// same nodes, default tags, marks and anchors, an anchor registered before
// its children (so `&a [*a]` is a cycle, which check_limits refuses), and
// the same composer errors. The errors come in the order the two passes
// gave them: a syntax error or a node deeper than CFG_MAX_DEPTH anywhere in
// the stream first; then the first composer error of the first two
// documents; then a second document.

struct anchor {
	char *name;
	int index;        // 1-based node index
	yaml_mark_t mark; // the anchored node's start
};

struct composer {
	yaml_document_t *doc;               // being composed; NULL past the second document
	int stack[CFG_MAX_DEPTH + 1];       // open collections (node indices)
	int key[CFG_MAX_DEPTH + 1];         // a mapping's key waiting for its value (0: none)
	int depth;
	struct anchor *anchors;
	int nanchors, capanchors;
	int failed;                         // a composer error was met (nothing more is built)
	int nomem;
	const char *problem, *context;
	yaml_mark_t problem_mark, context_mark;
};

// Grows a libyaml stack (start, top, end of `size`-byte items) by doubling;
// libyaml frees these with free(), as it allocates them with malloc().
static int grow(void **start, void **top, void **end, size_t size)
{
	size_t n = (size_t)((char *)*top - (char *)*start) / size;
	size_t cap = (size_t)((char *)*end - (char *)*start) / size;
	if (n < cap)
		return 0;
	cap = cap ? 2 * cap : 16;
	char *m = realloc(*start, cap * size);
	if (!m)
		return -1;
	*start = m;
	*top = m + n * size;
	*end = m + cap * size;
	return 0;
}

// 0 when the stack has room for one more item (the common case, inline),
// else grow's answer.
#define GROW(stack)                                                                                \
	((stack).top != (stack).end ? 0                                                            \
				    : grow((void **)&(stack).start, (void **)&(stack).top,          \
					   (void **)&(stack).end, sizeof *(stack).start))

static void composer_error(struct composer *c, const char *context, yaml_mark_t context_mark,
			   const char *problem, yaml_mark_t problem_mark)
{
	c->failed = 1;
	c->context = context;
	c->context_mark = context_mark;
	c->problem = problem;
	c->problem_mark = problem_mark;
}

static void clear_anchors(struct composer *c)
{
	for (int i = 0; i < c->nanchors; i++)
		free(c->anchors[i].name);
	c->nanchors = 0;
}

// Adds node (taking its tag, and the event's strings it points to) to the
// document; returns its index, 0 when out of memory.
static int add_node(struct composer *c, yaml_node_t *node, yaml_char_t *default_tag)
{
	if (!node->tag || !strcmp((char *)node->tag, "!")) {
		free(node->tag);
		node->tag = default_tag;
	}
	if (GROW(c->doc->nodes)) {
		if (!is_default_tag(node->tag))
			free(node->tag);
		c->nomem = 1;
		return 0;
	}
	*c->doc->nodes.top++ = *node;
	return (int)(c->doc->nodes.top - c->doc->nodes.start);
}

// Registers an anchor (taken from its event) for node index; 0, or -1
// after a composer error or when out of memory.
static int add_anchor(struct composer *c, yaml_char_t *anchor, int index)
{
	if (!anchor)
		return 0;
	yaml_mark_t mark = c->doc->nodes.start[index - 1].start_mark;
	for (int i = 0; i < c->nanchors; i++)
		if (!strcmp(c->anchors[i].name, (char *)anchor)) {
			free(anchor);
			composer_error(c, "found duplicate anchor; first occurrence", c->anchors[i].mark,
				       "second occurrence", mark);
			return -1;
		}
	if (c->nanchors == c->capanchors) {
		int cap = c->capanchors ? 2 * c->capanchors : 8;
		struct anchor *m = realloc(c->anchors, (size_t)cap * sizeof *m);
		if (!m) {
			free(anchor);
			c->nomem = 1;
			return -1;
		}
		c->anchors = m;
		c->capanchors = cap;
	}
	c->anchors[c->nanchors++] = (struct anchor){(char *)anchor, index, mark};
	return 0;
}

// Puts node index into the collection open at the top of the stack.
static int attach(struct composer *c, int index)
{
	if (!c->depth)
		return 0;
	yaml_node_t *parent = &c->doc->nodes.start[c->stack[c->depth - 1] - 1];
	if (parent->type == YAML_SEQUENCE_NODE) {
		if (GROW(parent->data.sequence.items))
			return c->nomem = 1, -1;
		*parent->data.sequence.items.top++ = index;
		return 0;
	}
	int *key = &c->key[c->depth - 1];
	if (!*key) {
		*key = index;
		return 0;
	}
	if (GROW(parent->data.mapping.pairs))
		return c->nomem = 1, -1;
	*parent->data.mapping.pairs.top++ = (yaml_node_pair_t){*key, index};
	*key = 0;
	return 0;
}

// One node event of a document being composed (the event's strings are
// taken, and set to NULL in it).
static void compose_event(struct composer *c, yaml_event_t *ev)
{
	yaml_node_t node;
	memset(&node, 0, sizeof node);
	node.start_mark = ev->start_mark;
	node.end_mark = ev->end_mark;
	int index = 0;
	yaml_char_t *anchor = NULL;
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		for (int i = 0; i < c->nanchors && !index; i++)
			if (!strcmp(c->anchors[i].name, (char *)ev->data.alias.anchor))
				index = c->anchors[i].index;
		if (!index) {
			composer_error(c, NULL, ev->start_mark, "found undefined alias", ev->start_mark);
			return;
		}
		attach(c, index);
		return;
	case YAML_SCALAR_EVENT:
		node.type = YAML_SCALAR_NODE;
		node.tag = ev->data.scalar.tag;
		node.data.scalar.value = ev->data.scalar.value;
		node.data.scalar.length = ev->data.scalar.length;
		node.data.scalar.style = ev->data.scalar.style;
		anchor = ev->data.scalar.anchor;
		ev->data.scalar.tag = ev->data.scalar.value = ev->data.scalar.anchor = NULL;
		index = add_node(c, &node, default_scalar_tag);
		if (!index)
			free(node.data.scalar.value);
		break;
	case YAML_SEQUENCE_START_EVENT:
		node.type = YAML_SEQUENCE_NODE;
		node.tag = ev->data.sequence_start.tag;
		node.data.sequence.style = ev->data.sequence_start.style;
		anchor = ev->data.sequence_start.anchor;
		ev->data.sequence_start.tag = ev->data.sequence_start.anchor = NULL;
		index = add_node(c, &node, default_sequence_tag);
		break;
	case YAML_MAPPING_START_EVENT:
		node.type = YAML_MAPPING_NODE;
		node.tag = ev->data.mapping_start.tag;
		node.data.mapping.style = ev->data.mapping_start.style;
		anchor = ev->data.mapping_start.anchor;
		ev->data.mapping_start.tag = ev->data.mapping_start.anchor = NULL;
		index = add_node(c, &node, default_mapping_tag);
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		c->depth--;
		c->doc->nodes.start[c->stack[c->depth] - 1].end_mark = ev->end_mark;
		return;
	default:
		return;
	}
	if (!index) {
		free(anchor);
		return;
	}
	if (add_anchor(c, anchor, index) || attach(c, index))
		return;
	if (ev->type != YAML_SCALAR_EVENT) {
		c->stack[c->depth] = index;
		c->key[c->depth] = 0;
		c->depth++;
	}
}

// Streams text's events once: bounds the nesting, composes the first
// document into d->doc (d->loaded), and refuses a second one.
static int compose(struct ydoc *d, const char *text, size_t len, struct cfg_error *err)
{
	yaml_parser_t p;
	yaml_event_t ev;
	yaml_document_t extra;
	struct composer c;
	memset(&c, 0, sizeof c);
	memset(&d->doc, 0, sizeof d->doc);
	memset(&extra, 0, sizeof extra);
	d->loaded = 1;
	if (!yaml_parser_initialize(&p)) {
		errorf_at(err, d->path, 1, 1, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	int open = 0, rc = 0, docs = 0, extra_root = 0;
	yaml_mark_t extra_mark = {0, 0, 0};
	for (int done = 0; !done && rc == 0;) {
		if (!yaml_parser_parse(&p, &ev)) {
			rc = syntax_error(d, &p, text, len, err);
			break;
		}
		int starts_node = ev.type == YAML_SCALAR_EVENT || ev.type == YAML_ALIAS_EVENT ||
				  ev.type == YAML_SEQUENCE_START_EVENT ||
				  ev.type == YAML_MAPPING_START_EVENT;
		if (starts_node && open + 1 > CFG_MAX_DEPTH) {
			errorf_at(err, d->path, ev.start_mark.line + 1, ev.start_mark.column + 1,
				  "nesting deeper than %d levels (expected at most %d)",
				  CFG_MAX_DEPTH, CFG_MAX_DEPTH);
			rc = -1;
		} else if (ev.type == YAML_DOCUMENT_START_EVENT) {
			// The first two documents are composed (a composer error in
			// the second is reported before the second document is).
			c.doc = docs == 0 ? &d->doc : docs == 1 ? &extra : NULL;
			docs++;
			if (c.doc && !c.failed) {
				c.doc->version_directive = ev.data.document_start.version_directive;
				c.doc->tag_directives.start = ev.data.document_start.tag_directives.start;
				c.doc->tag_directives.end = ev.data.document_start.tag_directives.end;
				c.doc->start_implicit = ev.data.document_start.implicit;
				c.doc->start_mark = ev.start_mark;
				ev.data.document_start.version_directive = NULL;
				ev.data.document_start.tag_directives.start = ev.data.document_start.tag_directives.end = NULL;
			}
		} else if (ev.type == YAML_DOCUMENT_END_EVENT) {
			if (c.doc && !c.failed) {
				c.doc->end_implicit = ev.data.document_end.implicit;
				c.doc->end_mark = ev.end_mark;
			}
			if (c.doc == &extra && extra.nodes.top != extra.nodes.start) {
				extra_root = 1;
				extra_mark = extra.nodes.start[0].start_mark;
			}
			clear_anchors(&c);
			c.doc = NULL;
		} else if (c.doc && !c.failed && !c.nomem) {
			compose_event(&c, &ev);
		}
		if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT)
			open++;
		else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT)
			open--;
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	clear_anchors(&c);
	free(c.anchors);
	doc_delete(&extra);
	if (rc == 0 && c.nomem) {
		errorf_at(err, d->path, 1, 1, "out of memory");
		rc = -1;
	} else if (rc == 0 && c.failed) {
		p.error = YAML_COMPOSER_ERROR;
		p.problem = c.problem;
		p.problem_mark = c.problem_mark;
		p.context = c.context;
		p.context_mark = c.context_mark;
		rc = syntax_error(d, &p, text, len, err);
	} else if (rc == 0 && extra_root) {
		errorf_at(err, d->path, extra_mark.line + 1, extra_mark.column + 1,
			  "a second YAML document (expected one document per file)");
		rc = -1;
	}
	return rc;
}

struct walk {
	struct ydoc *d;
	size_t visits;
	const yaml_node_t *stack[CFG_MAX_DEPTH + 1]; // ancestors, to find cycles
	struct cfg_error *err;
};

static int walk_node(struct walk *w, yaml_node_t *node, int depth);

static int walk_children(struct walk *w, yaml_node_t *node, int depth)
{
	if (node->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *i = node->data.sequence.items.start;
		     i < node->data.sequence.items.top; i++)
			if (walk_node(w, node_at(w->d, *i), depth + 1) < 0)
				return -1;
	} else if (node->type == YAML_MAPPING_NODE) {
		for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
		     p < node->data.mapping.pairs.top; p++)
			if (walk_node(w, node_at(w->d, p->key), depth + 1) < 0 ||
			    walk_node(w, node_at(w->d, p->value), depth + 1) < 0)
				return -1;
	}
	return 0;
}

// Visits node and, through aliases, everything it expands to. The node count
// is a property of the whole document, so its error points at the root.
static int walk_node(struct walk *w, yaml_node_t *node, int depth)
{
	if (++w->visits > CFG_MAX_NODES) {
		cfg_errorf(w->err, w->d, ydoc_root(w->d),
			   "document expands to more than %d nodes through aliases "
			   "(expected a small config)", CFG_MAX_NODES);
		return -1;
	}
	if (depth > CFG_MAX_DEPTH) {
		cfg_errorf(w->err, w->d, node, "nesting deeper than %d levels (expected at most %d)",
			   CFG_MAX_DEPTH, CFG_MAX_DEPTH);
		return -1;
	}
	for (int i = 1; i < depth; i++) {
		if (w->stack[i] == node) {
			cfg_errorf(w->err, w->d, node, "alias refers to a node that contains it "
				   "(expected no cycles)");
			return -1;
		}
	}
	w->stack[depth] = node;
	return walk_children(w, node, depth);
}

static int check_limits(struct ydoc *d, struct cfg_error *err)
{
	yaml_node_t *root = ydoc_root(d);
	if (!root)
		return 0;
	struct walk w = {.d = d, .visits = 0, .err = err};
	return walk_node(&w, root, 1);
}

int ydoc_load_string(struct ydoc *d, const char *name, const char *text,
		     size_t len, struct cfg_error *err)
{
	memset(d, 0, sizeof *d);
	snprintf(d->path, sizeof d->path, "%s", name);
	if (len > CFG_MAX_FILE_BYTES) {
		errorf_at(err, d->path, 1, 1, "file is %zu bytes (expected at most %u)", len,
			  CFG_MAX_FILE_BYTES);
		return -1;
	}
	int rc = compose(d, text, len, err);
	if (rc == 0)
		rc = check_limits(d, err);
	if (rc < 0)
		ydoc_free(d);
	return rc;
}

char *cfg_read_file(const char *path, size_t limit, size_t *len, struct cfg_error *err)
{
	// O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever;
	// it is refused below before any read.
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		errorf_at(err, path, 1, 1, "cannot open: %s", strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st)) {
		errorf_at(err, path, 1, 1, "cannot read: %s", strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		errorf_at(err, path, 1, 1, "not a regular file (%s; expected a file)",
			  S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a pipe" :
			  S_ISCHR(st.st_mode) ? "a character device" : S_ISSOCK(st.st_mode) ? "a socket" : "a device");
		close(fd);
		return NULL;
	}
	// The file may grow while we read it: never more than limit + 1 bytes.
	char *buf = malloc(limit + 2);
	if (!buf) {
		close(fd);
		errorf_at(err, path, 1, 1, "out of memory");
		return NULL;
	}
	size_t n = 0;
	while (n < limit + 1) {
		ssize_t got = read(fd, buf + n, limit + 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;
			free(buf);
			close(fd);
			errorf_at(err, path, 1, 1, "cannot read: %s", strerror(e));
			return NULL;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	if (n > limit) {
		free(buf);
		errorf_at(err, path, 1, 1, "file is over %zu bytes (expected a smaller file)", limit);
		return NULL;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

int ydoc_load_file(struct ydoc *d, const char *path, struct cfg_error *err)
{
	memset(d, 0, sizeof *d);
	snprintf(d->path, sizeof d->path, "%s", path);
	size_t len;
	char *text = cfg_read_file(path, CFG_MAX_FILE_BYTES, &len, err);
	if (!text)
		return -1;
	// A document kept from an earlier load of the same bytes passed
	// check_limits then; one composed now is kept for the next load.
	struct ydoc_cache_entry entry;
	int cache = ydoc_cache_entry(&entry, path) == 0, rc = 0;
	if (!cache || ydoc_cache_load(d, &entry, text, len)) {
		rc = ydoc_load_string(d, path, text, len, err);
		if (rc == 0 && cache)
			ydoc_cache_store(d, &entry, text, len);
	}
	free(text);
	return rc;
}

// ---------------------------------------------------------------- loading

struct loader {
	struct ydoc *d;
	struct cfg_error *err;
};

const struct field *cfg_field_by_key(const struct field *schema, const char *key)
{
	for (const struct field *f = schema; f->key; f++)
		if (strcmp(f->key, key) == 0)
			return f;
	return NULL;
}

int cfg_has_group(const struct field *f)
{
	return f->group && (f->type == F_GROUP || f->type == F_CUSTOM);
}

static void join_path(const char *prefix, const char *key, char *out, size_t n)
{
	snprintf(out, n, "%s%s%s", prefix, *prefix ? "." : "", key);
}

static const char *expected_value(const struct field *f, char *buf, size_t n)
{
	switch (f->type) {
	case F_INT: return "an integer";
	case F_SIZE: return "a size such as 4096 or 32K";
	case F_DOUBLE: return "a number";
	case F_BOOL: return "true or false";
	case F_STRING: return "a string";
	case F_STRLIST: return "a string or a list of strings";
	case F_GROUP: return "a mapping";
	case F_ENUM:
		snprintf(buf, n, "one of: ");
		format_enum_names(f->names, buf + strlen(buf), n - strlen(buf));
		return buf;
	default: return "a value";
	}
}

static int wrong_type(struct loader *ld, const struct field *f, const yaml_node_t *val)
{
	char buf[256];
	cfg_errorf(ld->err, ld->d, val, "wrong type for '%s': got %s (expected %s)", f->key,
		   node_kind(val), expected_value(f, buf, sizeof buf));
	return -1;
}

// Runs a check and, on failure, reports it at node with the dotted path of
// the checked object in front of the check's own message.
static int run_check(struct loader *ld, const struct field *f, const void *target,
		     const yaml_node_t *node, const char *prefix)
{
	struct cfg_error why;
	if (!f->check || f->check(target, &why) == 0)
		return 0;
	cfg_errorf(ld->err, ld->d, node, "%s%s%s", prefix, *prefix ? "." : "", why.msg);
	return -1;
}

// The text of a scalar that must carry a value: not null, no NUL byte inside.
static const char *value_text(struct loader *ld, const struct field *f,
			      const yaml_node_t *val)
{
	// Where a name is expected, the word `null` is a name (the workload
	// "null" is a contract: `workloads: [null, read]`); only an empty value
	// or `~` is missing.
	int name_field = f->type == F_STRING || f->type == F_STRLIST;
	const char *text = val->type == YAML_SCALAR_NODE ? (const char *)val->data.scalar.value : NULL;
	if (!text || (is_null(val) && !(name_field && text[0] && strcmp(text, "~")))) {
		wrong_type(ld, f, val);
		return NULL;
	}
	if (strlen(text) != val->data.scalar.length) {
		cfg_errorf(ld->err, ld->d, val, "string contains a NUL byte (expected text)");
		return NULL;
	}
	return text;
}

static int load_scalar(struct loader *ld, const struct field *f, void *obj,
		       const yaml_node_t *val)
{
	char why[CFG_ERR_MAX];
	const char *text = value_text(ld, f, val);
	if (!text)
		return -1;
	if (cfg_set_from_text(f, obj, text, why, sizeof why) < 0) {
		cfg_errorf(ld->err, ld->d, val, "%s", why);
		return -1;
	}
	return 0;
}

static int load_strlist_items(struct loader *ld, const struct field *f,
			      struct strlist *fresh, const yaml_node_t *seq)
{
	for (yaml_node_item_t *i = seq->data.sequence.items.start;
	     i < seq->data.sequence.items.top; i++) {
		yaml_node_t *item = node_at(ld->d, *i);
		const char *text = value_text(ld, f, item);
		if (!text)
			return -1;
		if (!*text) {
			cfg_errorf(ld->err, ld->d, item, "empty string (expected a non-empty string)");
			return -1;
		}
		if (strlist_add(fresh, text) < 0) {
			cfg_errorf(ld->err, ld->d, item, "out of memory");
			return -1;
		}
	}
	return 0;
}

// A list in the file replaces the one in obj (defaults are not appended to).
static int load_strlist(struct loader *ld, const struct field *f, void *obj,
			const yaml_node_t *val)
{
	if (val->type == YAML_SCALAR_NODE)
		return load_scalar(ld, f, obj, val);
	if (val->type != YAML_SEQUENCE_NODE)
		return wrong_type(ld, f, val);
	struct strlist fresh = {0, NULL};
	if (load_strlist_items(ld, f, &fresh, val) < 0) {
		strlist_free(&fresh);
		return -1;
	}
	memcpy((char *)obj + f->offset, &fresh, sizeof fresh);
	return 0;
}

static int load_map(struct loader *ld, const struct field *schema, void *obj,
		    yaml_node_t *map, const char *prefix);

static int load_group(struct loader *ld, const struct field *f, void *obj,
		      const yaml_node_t *key, yaml_node_t *val, const char *prefix)
{
	char path[PATH_MAX_CFG];
	void *sub = (char *)obj + f->offset;
	if (val->type != YAML_MAPPING_NODE)
		return wrong_type(ld, f, val);
	join_path(prefix, f->key, path, sizeof path);
	if (load_map(ld, f->group, sub, val, path) < 0)
		return -1;
	return run_check(ld, f, sub, key, path);
}

static int load_custom(struct loader *ld, const struct field *f, void *obj,
		       const yaml_node_t *key, yaml_node_t *val, const char *prefix)
{
	char path[PATH_MAX_CFG];
	void *dst = (char *)obj + f->offset;
	if (f->custom(f, dst, ld->d, val, ld->err) < 0)
		return -1;
	if (!f->group)
		return run_check(ld, f, obj, val, prefix);
	join_path(prefix, f->key, path, sizeof path);
	return run_check(ld, f, dst, key, path);
}

static int load_value(struct loader *ld, const struct field *f, void *obj,
		      const yaml_node_t *key, yaml_node_t *val, const char *prefix)
{
	int rc;
	switch (f->type) {
	case F_GROUP:
		return load_group(ld, f, obj, key, val, prefix);
	case F_CUSTOM:
		return load_custom(ld, f, obj, key, val, prefix);
	case F_STRLIST:
		rc = load_strlist(ld, f, obj, val);
		break;
	default:
		rc = load_scalar(ld, f, obj, val);
		break;
	}
	return rc < 0 ? -1 : run_check(ld, f, obj, val, prefix);
}

static int load_pair(struct loader *ld, const struct field *schema, void *obj,
		     yaml_node_t *map, yaml_node_pair_t *pair, const char *prefix)
{
	char keys[CFG_ERR_MAX], t[SHOWN_MAX];
	yaml_node_t *key = node_at(ld->d, pair->key);
	yaml_node_t *val = node_at(ld->d, pair->value);
	const char *k = node_scalar(key);
	if (!k || is_null(key)) {
		cfg_errorf(ld->err, ld->d, key, "mapping key is %s (expected a key name)",
			   node_kind(key));
		return -1;
	}
	const struct field *f = cfg_field_by_key(schema, k);
	if (!f) {
		cfg_list_keys(schema, keys, sizeof keys);
		cfg_errorf(ld->err, ld->d, key, "unknown key '%s' (expected one of: %s)",
			   cfg_shown(k, t), keys);
		return -1;
	}
	// Earlier keys are all known and distinct, so this scan is short.
	yaml_node_pair_t *first = find_pair(ld->d, map, k, pair);
	if (first) {
		yaml_node_t *fk = node_at(ld->d, first->key);
		cfg_errorf(ld->err, ld->d, key, "duplicate key '%s' (first at %zu:%zu)", k,
			   fk->start_mark.line + 1, fk->start_mark.column + 1);
		return -1;
	}
	return load_value(ld, f, obj, key, val, prefix);
}

static int load_map(struct loader *ld, const struct field *schema, void *obj,
		    yaml_node_t *map, const char *prefix)
{
	if (!map) {
		cfg_errorf(ld->err, ld->d, NULL, "empty file (expected a mapping)");
		return -1;
	}
	if (map->type != YAML_MAPPING_NODE) {
		cfg_errorf(ld->err, ld->d, map, "%s is %s (expected a mapping)",
			   map == ydoc_root(ld->d) ? "top level" : "value", node_kind(map));
		return -1;
	}
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++)
		if (load_pair(ld, schema, obj, map, p, prefix) < 0)
			return -1;
	for (const struct field *f = schema; f->key; f++) {
		if (f->required && !find_pair(ld->d, map, f->key, NULL)) {
			cfg_errorf(ld->err, ld->d, map, "missing required key '%s'", f->key);
			return -1;
		}
	}
	return 0;
}

// After a load, `winner` holds the lists that live on; every list of `loser`
// that is not shared with the winner was replaced (or never adopted) and is
// freed here.
static void settle_lists(const struct field *schema, const void *winner, void *loser)
{
	for (const struct field *f = schema; f->key; f++) {
		const char *w = (const char *)winner + f->offset;
		char *l = (char *)loser + f->offset;
		if (cfg_has_group(f)) {
			settle_lists(f->group, w, l);
		} else if (f->type == F_STRLIST) {
			struct strlist wl, ll;
			memcpy(&wl, w, sizeof wl);
			memcpy(&ll, l, sizeof ll);
			if (ll.v != wl.v)
				strlist_free(&ll);
		}
	}
}

int schema_load_nested(const struct field *schema, void *obj, struct ydoc *d,
		       yaml_node_t *map, struct cfg_error *err)
{
	struct loader ld = {d, err};
	return load_map(&ld, schema, obj, map, "");
}

int schema_load(const struct field *schema, void *obj, size_t objsize,
		struct ydoc *d, yaml_node_t *map, struct cfg_error *err)
{
	void *copy = malloc(objsize);
	if (!copy) {
		cfg_errorf(err, d, map, "out of memory");
		return -1;
	}
	memcpy(copy, obj, objsize);
	struct loader ld = {d, err};
	int rc = load_map(&ld, schema, copy, map, "");
	if (rc == 0) {
		settle_lists(schema, copy, obj);
		memcpy(obj, copy, objsize);
	} else {
		settle_lists(schema, obj, copy);
	}
	free(copy);
	return rc;
}
