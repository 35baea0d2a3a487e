// labvariant.c: parameters, substitution and shuffles of a student's lab
// variant; see include/core/labvariant.h.
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "hash.h"
#include "labvariant.h"

uint64_t lab_seed(const char *student, const char *what)
{
	uint64_t h = fnv1a64(student, strlen(student), FNV1A64_INIT);
	h = fnv1a64("\xff", 1, h); // a separator no ID contains
	return mix64(fnv1a64(what, strlen(what), h));
}

static int valid_name(const char *s)
{
	if (!s || !isupper((unsigned char)*s) || strlen(s) >= LAB_PARAM_NAME)
		return 0;
	for (; *s; s++)
		if (!isupper((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

int lab_params_choose(struct ydoc *d, yaml_node_t *node, const char *student, struct lab_param *p,
		      struct cfg_error *err)
{
	if (!node)
		return 0;
	if (node->type != YAML_MAPPING_NODE) {
		cfg_errorf(err, d, node, "'params' is not a mapping (expected NAME: [value, ...])");
		return -1;
	}
	int n = 0;
	for (yaml_node_pair_t *kv = node->data.mapping.pairs.start; kv < node->data.mapping.pairs.top; kv++) {
		yaml_node_t *k = yaml_document_get_node(&d->doc, kv->key);
		yaml_node_t *v = yaml_document_get_node(&d->doc, kv->value);
		const char *name = node_scalar(k);
		if (!valid_name(name) || !strcmp(name, "INPUT")) {
			cfg_errorf(err, d, k, "bad parameter name '%s' (expected upper-case letters, digits, '_')",
				   name ? name : "");
			return -1;
		}
		if (n == LAB_MAX_PARAMS) {
			cfg_errorf(err, d, k, "more than %d params", LAB_MAX_PARAMS);
			return -1;
		}
		for (int i = 0; i < n; i++)
			if (!strcmp(p[i].name, name)) {
				cfg_errorf(err, d, k, "duplicate parameter '%s'", name);
				return -1;
			}
		int nv = v->type == YAML_SEQUENCE_NODE ? (int)(v->data.sequence.items.top - v->data.sequence.items.start) : 0;
		if (nv == 0) {
			cfg_errorf(err, d, v, "parameter '%s' has no values (expected a list such as [read, stat])", name);
			return -1;
		}
		for (int i = 0; i < nv; i++) {
			const char *s = node_scalar(yaml_document_get_node(&d->doc, v->data.sequence.items.start[i]));
			if (!s || !*s || strlen(s) >= LAB_PARAM_VALUE || strchr(s, '$') || strchr(s, '\n')) {
				cfg_errorf(err, d, v, "bad value of parameter '%s' (expected one-line names without '$')",
					   name);
				return -1;
			}
		}
		int pick = student && *student ? (int)(lab_seed(student, name) % (uint64_t)nv) : 0;
		snprintf(p[n].name, sizeof p[n].name, "%s", name);
		snprintf(p[n].value, sizeof p[n].value, "%s",
			 node_scalar(yaml_document_get_node(&d->doc, v->data.sequence.items.start[pick])));
		n++;
	}
	return n;
}

char *lab_substitute(const char *text, const struct lab_param *p, int n)
{
	size_t cap = strlen(text) + 1, len = 0;
	for (int i = 0; i < n; i++)
		cap += strlen(p[i].value) * 64; // grown below if a value appears more often
	char *out = malloc(cap);
	for (const char *s = text; out && *s;) {
		const struct lab_param *hit = NULL;
		if (*s == '$')
			for (int i = 0; i < n && !hit; i++) {
				size_t k = strlen(p[i].name);
				char after = s[1 + k];
				if (!strncmp(s + 1, p[i].name, k) && !isalnum((unsigned char)after) && after != '_')
					hit = &p[i];
			}
		const char *put = hit ? hit->value : s;
		size_t m = hit ? strlen(hit->value) : 1;
		if (len + m + 1 > cap) {
			char *bigger = realloc(out, cap = 2 * (len + m + 1));
			if (!bigger)
				free(out);
			out = bigger;
			if (!out)
				break;
		}
		memcpy(out + len, put, m);
		len += m;
		s += hit ? 1 + strlen(hit->name) : 1;
	}
	if (out)
		out[len] = 0;
	return out;
}

void lab_shuffle(int *perm, int n, uint64_t seed)
{
	for (int i = 0; i < n; i++)
		perm[i] = i;
	if (!seed)
		return;
	uint64_t state = seed;
	for (int i = n - 1; i > 0; i--) {
		int j = (int)(splitmix64_next(&state) % (uint64_t)(i + 1));
		int t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
}
