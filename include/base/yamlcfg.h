// yamlcfg.h: the one loader for every YAML file osarch reads.
//
// A file kind (experiment, machine profile, architecture, workload, ...) is
// described by a schema: a table of `struct field`, in the style of Redis's
// config.c. The same table drives loading, error messages, `--help`-style
// documentation and the dump of the resolved configuration.
//
// Every error is one line, "path:line:col: error: what is wrong (expected ...)",
// formatted into a `struct cfg_error`. Lines and columns are 1-based.
// Nothing is written to the caller's object unless the whole load succeeds.
#ifndef OSARCH_YAMLCFG_H
#define OSARCH_YAMLCFG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <yaml.h>

#define CFG_ERR_MAX 512
#define CFG_MAX_FILE_BYTES (1u << 20) // a larger file is refused: configs are small
#define CFG_MAX_DEPTH 64              // deeper nesting is refused
#define CFG_MAX_NODES 200000          // bounds alias expansion ("billion laughs")

struct cfg_error {
	char msg[CFG_ERR_MAX]; // "path:line:col: error: ..." (no trailing newline)
};

// A parsed YAML file: libyaml's document plus the path for messages.
struct ydoc {
	yaml_document_t doc;
	char path[512];
	int loaded;
	void *cached; // read from the cache (src/base/ydoccache.c): the one block
		      // its items, pairs and strings are in; NULL when composed
};

enum field_type {
	F_INT,     // int64 in [min,max]
	F_SIZE,    // uint64 bytes; accepts 32, 8K, 1M, 2G (binary multiples)
	F_DOUBLE,  // double in [min,max]
	F_BOOL,    // true/false
	F_STRING,  // char[size] (size = sizeof the array); empty string invalid
	F_ENUM,    // int holding an index into `names`
	F_GROUP,   // a nested mapping loaded with `group` into the sub-struct at offset
	F_STRLIST, // struct strlist; a scalar is accepted as a one-element list
	F_CUSTOM,  // loaded by `custom`, for shapes the table cannot say
};

struct strlist {
	int n;
	char **v; // owned; strlist_free releases
};

struct field;
typedef int (*field_loader)(const struct field *f, void *dst, struct ydoc *d,
			    yaml_node_t *node, struct cfg_error *err);

// Conventions the table relies on (additions to the comments below):
// - F_INT and F_SIZE store into a member `size` bytes wide (1, 2, 4 or 8; 0 means
//   8); the member is signed when min < 0. F_BOOL and F_ENUM store an int.
// - `check` may be set on any field. For F_GROUP (and F_CUSTOM with `group`) it
//   gets the sub-object after the group is loaded; for any other field it gets
//   the object that holds the field, after the field is set. It returns 0, or -1
//   with err->msg = "<member> <what is wrong>" (no location): the loader prefixes
//   the dotted path of the object it was given ("l1d." + "size 3000 is not ...").
// - F_CUSTOM: `custom` gets dst = obj + offset. A custom field whose `group` is
//   set is treated as a group by schema_find/schema_set/schema_dump and by the
//   F_STRLIST ownership rules; inside a loader use schema_load_nested (never
//   schema_load) on sub-objects. A custom field without `group` is not dumped.
struct field {
	const char *key;
	enum field_type type;
	size_t offset;           // offsetof(struct, member)
	size_t size;             // F_STRING: buffer size
	double min, max;         // F_INT, F_SIZE, F_DOUBLE: inclusive bounds
	int required;            // missing key is an error
	const char *unit;        // "cycles", "bytes", "MHz" ... for docs
	const char *help;        // one line
	const struct field *group;         // F_GROUP: nested schema (ends with key NULL)
	const char *const *names;          // F_ENUM: NULL-terminated names
	field_loader custom;               // F_CUSTOM
	int (*check)(const void *obj, struct cfg_error *err); // F_GROUP: cross-field check
};

// Open and parse a file; on failure fills err and returns -1.
// Refuses files over CFG_MAX_FILE_BYTES, nesting over CFG_MAX_DEPTH,
// and documents with more than CFG_MAX_NODES nodes (alias bombs).
int ydoc_load_file(struct ydoc *d, const char *path, struct cfg_error *err);
// Reads a whole regular file of at most `limit` bytes (NUL-terminated,
// malloc'd). A FIFO, device or directory is refused without blocking, and a
// file over the limit is refused after reading limit + 1 bytes. Returns NULL
// with err = "path:1:1: error: ..." on failure.
char *cfg_read_file(const char *path, size_t limit, size_t *len, struct cfg_error *err);
// Parse from memory (tests, fuzzing); `name` is used as the path in messages.
int ydoc_load_string(struct ydoc *d, const char *name, const char *text,
		     size_t len, struct cfg_error *err);
void ydoc_free(struct ydoc *d);
yaml_node_t *ydoc_root(struct ydoc *d);

// Format "path:line:col: error: <fmt>" at node's start mark.
void cfg_errorf(struct cfg_error *err, struct ydoc *d, const yaml_node_t *node,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

// Load a mapping node into obj under schema. Unknown keys, duplicate keys,
// wrong types, out-of-range values, missing required keys are errors.
// Fields absent from the file keep the values obj already has (defaults).
// On error obj is left unchanged. Returns 0 or -1.
int schema_load(const struct field *schema, void *obj, size_t objsize,
		struct ydoc *d, yaml_node_t *map, struct cfg_error *err);

// Find the field at a dotted path ("l1d.size") and the object it lives in.
// Returns NULL if there is no such field.
const struct field *schema_find(const struct field *schema, void *obj,
				const char *dotted, void **owner);

// Set a scalar field at a dotted path from text ("16K", "true", "3.5").
// Used for sweeps. Returns 0, or -1 with err->msg = "<what is wrong>" (no location).
int schema_set(const struct field *schema, void *obj, const char *dotted,
	       const char *text, struct cfg_error *err);

// Write obj as YAML under schema, indented by `indent` spaces (resolved config).
void schema_dump(FILE *out, const struct field *schema, const void *obj, int indent);

// Parse a scalar of a field's type from text; shared by schema_load and schema_set.
int scalar_parse_size(const char *text, uint64_t *out);
int scalar_parse_int(const char *text, int64_t *out);
int scalar_parse_double(const char *text, double *out);
int scalar_parse_bool(const char *text, int *out);

// Scalar node helpers for F_CUSTOM loaders.
const char *node_scalar(const yaml_node_t *node); // NULL unless scalar
yaml_node_t *map_get(struct ydoc *d, yaml_node_t *map, const char *key);

// Additions to the contract above.
//
// The scalar_parse_* functions return 0, -1 when text is not of that form, or -2
// when it is but does not fit the type (e.g. 99999999999999999999).
//
// Format "<fmt>" into err without a location (check functions, schema_set).
void cfg_msgf(struct cfg_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
// For F_CUSTOM loaders: load a mapping into a sub-object of the object being
// loaded, without a transaction of its own (the enclosing schema_load's copy is
// the transaction). Returns 0 or -1.
int schema_load_nested(const struct field *schema, void *obj, struct ydoc *d,
		       yaml_node_t *map, struct cfg_error *err);
// The key node (not the value) of `key` in a mapping, for error locations.
yaml_node_t *map_get_key(struct ydoc *d, yaml_node_t *map, const char *key);

void strlist_free(struct strlist *l);
int strlist_add(struct strlist *l, const char *s);
int strlist_find(const struct strlist *l, const char *s); // index or -1

#endif
