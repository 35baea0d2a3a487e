// yamlshared.h: what yamlcfg.c, yamlpath.c, yamldump.c and ydoccache.c
// share and nothing else includes.
#ifndef OSARCH_YAMLSHARED_H
#define OSARCH_YAMLSHARED_H

#include <limits.h>
#include <stddef.h>
#include "yamlcfg.h"

#define SHOWN_MAX 64 // user text quoted in a message is cut to this

// User text as a message quotes it: cut to SHOWN_MAX, control characters
// replaced, so that every error stays on one line.
const char *cfg_shown(const char *s, char buf[SHOWN_MAX]);
// A schema's keys, comma-separated into buf (cut short to n).
void cfg_list_keys(const struct field *schema, char *buf, size_t n);
// A double as it reads back to the same value: "%g" when exact, else "%.17g".
const char *cfg_fmt_double(double v, char *buf, size_t n);
// The bytes a numeric member takes, and any member.
size_t cfg_num_width(const struct field *f);
size_t cfg_field_width(const struct field *f);
// Parses text as f's type into owner's member; why says what was wrong.
int cfg_set_from_text(const struct field *f, void *owner, const char *text, char *why, size_t n);
// The field of that key in a schema (NULL when none), and whether a field is
// a group of its own fields.
const struct field *cfg_field_by_key(const struct field *schema, const char *key);
int cfg_has_group(const struct field *f);

// Where a file's parsed form is kept (ydoccache.c): the entry and its
// directory, worked out once per load.
struct ydoc_cache_entry {
	char path[PATH_MAX];
	char dir[PATH_MAX];
};
// The entry of the file at path: 0, or -1 when the cache is off or has
// nowhere to be.
int ydoc_cache_entry(struct ydoc_cache_entry *e, const char *path);
// The document composed from text (the file's len bytes) on an earlier
// load, when it was kept: 0 and d loaded (d->cached set), or -1.
int ydoc_cache_load(struct ydoc *d, const struct ydoc_cache_entry *e, const char *text, size_t len);
// Keeps d, composed from text, for the next load of the same bytes.
// Failing to keep it is not an error: the next load parses.
void ydoc_cache_store(const struct ydoc *d, const struct ydoc_cache_entry *e, const char *text, size_t len);

#endif
