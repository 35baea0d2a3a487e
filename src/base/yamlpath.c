// yamlpath.c: a schema's member found and set by its dotted path
// (machine.l2.size=1M): the text parsed as the member's type, then the
// member's and each enclosing group's checks, the old value kept on failure.
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "yamlcfg.h"
#include "yamlshared.h"

#define KEY_MAX 128  // longest key segment in a dotted path

// ---------------------------------------------------------------- set, find

// The groups a dotted path goes through, outermost first.
struct trail {
	int n;
	const struct field *group[CFG_MAX_DEPTH];
	void *obj[CFG_MAX_DEPTH];   // the sub-object of group[i]
	size_t plen[CFG_MAX_DEPTH]; // dotted[0..plen) names group[i]
};

// Walks a dotted path. Returns the field (and its owner), or NULL; `scope`
// is the schema where the walk stopped, for listing valid keys.
static const struct field *resolve(const struct field *schema, void *obj,
				   const char *dotted, void **owner,
				   struct trail *t, const struct field **scope)
{
	const char *seg = dotted;
	t->n = 0;
	*scope = schema;
	for (;;) {
		const char *dot = strchr(seg, '.');
		size_t len = dot ? (size_t)(dot - seg) : strlen(seg);
		char key[KEY_MAX];
		if (len == 0 || len >= sizeof key)
			return NULL;
		memcpy(key, seg, len);
		key[len] = '\0';
		const struct field *f = cfg_field_by_key(schema, key);
		if (!f)
			return NULL;
		if (!dot) {
			*owner = obj;
			return f;
		}
		if (!cfg_has_group(f) || t->n == CFG_MAX_DEPTH)
			return NULL;
		obj = (char *)obj + f->offset;
		t->group[t->n] = f;
		t->obj[t->n] = obj;
		t->plen[t->n++] = (size_t)(dot - dotted);
		schema = f->group;
		*scope = schema;
		seg = dot + 1;
	}
}

const struct field *schema_find(const struct field *schema, void *obj,
				const char *dotted, void **owner)
{
	struct trail t;
	const struct field *scope;
	return resolve(schema, obj, dotted, owner, &t, &scope);
}

// A check message gets the dotted path of the object it checked in front.
static int set_check_failed(struct cfg_error *err, const char *dotted, size_t plen,
			    const struct cfg_error *why)
{
	cfg_msgf(err, "%.*s%s%s", (int)plen, dotted, plen ? "." : "", why->msg);
	return -1;
}

// After a set: the field's own check, then each enclosing group's, innermost
// first (a new size can break the group's geometry).
static int run_set_checks(const struct field *f, void *owner, const char *dotted,
			  const struct trail *t, struct cfg_error *err)
{
	struct cfg_error why;
	size_t owner_plen = t->n ? t->plen[t->n - 1] : 0;
	if (f->check && f->check(owner, &why) < 0)
		return set_check_failed(err, dotted, owner_plen, &why);
	for (int i = t->n - 1; i >= 0; i--)
		if (t->group[i]->check && t->group[i]->check(t->obj[i], &why) < 0)
			return set_check_failed(err, dotted, t->plen[i], &why);
	return 0;
}

static int settable(const struct field *f, const struct field *scope,
		    const char *dotted, struct cfg_error *err)
{
	char keys[CFG_ERR_MAX - 64], t[SHOWN_MAX];
	if (!f) {
		cfg_list_keys(scope, keys, sizeof keys);
		cfg_msgf(err, "unknown parameter '%s' (expected one of: %s)",
			 cfg_shown(dotted, t), keys);
		return -1;
	}
	if (cfg_has_group(f)) {
		cfg_list_keys(f->group, keys, sizeof keys);
		cfg_msgf(err, "parameter '%s' is a group (expected one of its keys: %s)",
			 dotted, keys);
		return -1;
	}
	if (f->type == F_CUSTOM || f->type == F_GROUP) {
		cfg_msgf(err, "parameter '%s' cannot be set from text", dotted);
		return -1;
	}
	return 0;
}

int schema_set(const struct field *schema, void *obj, const char *dotted,
	       const char *text, struct cfg_error *err)
{
	struct trail t;
	const struct field *scope;
	void *owner = NULL;
	const struct field *f = resolve(schema, obj, dotted, &owner, &t, &scope);
	if (settable(f, scope, dotted, err) < 0)
		return -1;
	void *dst = (char *)owner + f->offset;
	size_t width = cfg_field_width(f);
	void *saved = malloc(width);
	if (!saved) {
		cfg_msgf(err, "out of memory");
		return -1;
	}
	memcpy(saved, dst, width);
	char why[CFG_ERR_MAX - 64];
	int rc = cfg_set_from_text(f, owner, text, why, sizeof why);
	if (rc < 0) {
		cfg_msgf(err, "%s: %s", dotted, why); // nothing was written
	} else if ((rc = run_set_checks(f, owner, dotted, &t, err)) < 0) {
		if (f->type == F_STRLIST)
			strlist_free(dst);
		memcpy(dst, saved, width);
	} else if (f->type == F_STRLIST) {
		strlist_free(saved); // the list the new one replaced
	}
	free(saved);
	return rc;
}
