// yamldump.c: an object written back as YAML from its schema (the resolved
// configuration of a run: config.resolved.yaml, machines.resolved.yaml).
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "yamlcfg.h"
#include "yamlshared.h"

// ---------------------------------------------------------------- dump

static uint64_t load_unsigned(const void *src, size_t width)
{
	uint8_t b8;
	uint16_t b16;
	uint32_t b32;
	uint64_t b64;
	switch (width) {
	case 1: memcpy(&b8, src, 1); return b8;
	case 2: memcpy(&b16, src, 2); return b16;
	case 4: memcpy(&b32, src, 4); return b32;
	default: memcpy(&b64, src, 8); return b64;
	}
}

static int64_t load_signed(const void *src, size_t width)
{
	int8_t b8;
	int16_t b16;
	int32_t b32;
	int64_t b64;
	switch (width) {
	case 1: memcpy(&b8, src, 1); return b8;
	case 2: memcpy(&b16, src, 2); return b16;
	case 4: memcpy(&b32, src, 4); return b32;
	default: memcpy(&b64, src, 8); return b64;
	}
}

static int load_int_member(const void *src)
{
	int v;
	memcpy(&v, src, sizeof v);
	return v;
}


static void dump_quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void dump_strlist(FILE *out, const void *src)
{
	struct strlist l;
	memcpy(&l, src, sizeof l);
	fputc('[', out);
	for (int i = 0; i < l.n; i++) {
		if (i)
			fputs(", ", out);
		dump_quoted(out, l.v[i]);
	}
	fputc(']', out);
}

static void dump_enum(FILE *out, const struct field *f, const void *src)
{
	int v = load_int_member(src), n = 0;
	while (f->names[n])
		n++;
	if (v >= 0 && v < n)
		fputs(f->names[v], out);
	else
		fprintf(out, "%d", v); // not a valid index: shows up on reload
}

static void dump_scalar(FILE *out, const struct field *f, const void *src)
{
	char buf[40];
	double dv;
	switch (f->type) {
	case F_INT:
		if (f->min < 0)
			fprintf(out, "%" PRId64, load_signed(src, cfg_num_width(f)));
		else
			fprintf(out, "%" PRIu64, load_unsigned(src, cfg_num_width(f)));
		break;
	case F_SIZE:
		fprintf(out, "%" PRIu64, load_unsigned(src, cfg_num_width(f)));
		break;
	case F_DOUBLE:
		memcpy(&dv, src, sizeof dv);
		fputs(cfg_fmt_double(dv, buf, sizeof buf), out);
		break;
	case F_BOOL:
		fputs(load_int_member(src) ? "true" : "false", out);
		break;
	case F_STRING:
		dump_quoted(out, src);
		break;
	case F_ENUM:
		dump_enum(out, f, src);
		break;
	case F_STRLIST:
		dump_strlist(out, src);
		break;
	default:
		break;
	}
}

void schema_dump(FILE *out, const struct field *schema, const void *obj, int indent)
{
	for (const struct field *f = schema; f->key; f++) {
		const char *src = (const char *)obj + f->offset;
		if (cfg_has_group(f)) {
			fprintf(out, "%*s%s:\n", indent, "", f->key);
			schema_dump(out, f->group, src, indent + 2);
			continue;
		}
		// Skipped: custom shapes the table cannot write, and empty strings,
		// which mean "unset" and would not load back.
		if (f->type == F_CUSTOM || f->type == F_GROUP || (f->type == F_STRING && !*src))
			continue;
		fprintf(out, "%*s%s: ", indent, "", f->key);
		dump_scalar(out, f, src);
		fputc('\n', out);
	}
}
