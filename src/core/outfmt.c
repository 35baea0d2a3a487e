// outfmt.c: escaping of everything osarch writes from user text (names of
// architectures, workloads, machines, experiments, sweep values): JSON
// strings through jansson, YAML scalars through libyaml's emitter, CSV
// fields quoted as RFC 4180 says. Ordinary names come out as they are, so
// result files of ordinary experiments are the same bytes as before.
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <yaml.h>
#include "experiment.h"

void json_put_str(FILE *f, const char *s)
{
	json_t *j = json_string(s);
	char *out = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
	json_decref(j);
	if (out) {
		fputs(out, f);
		free(out);
		return;
	}
	// jansson takes UTF-8 only; the YAML reader never hands us anything
	// else, but a byte string must still come out as valid JSON.
	fputc('"', f);
	for (; *s; s++)
		fputc((unsigned char)*s < 0x80 && *s != '"' && *s != '\\' && (unsigned char)*s >= 0x20 ? *s : '?', f);
	fputc('"', f);
}

void csv_put_field(FILE *f, const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")]) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

int csv_split(char *s, char **field, int max)
{
	int n = 0;
	for (;;) {
		if (n == max)
			return max + 1;
		char *w = s;
		field[n++] = w;
		if (*s == '"') {
			for (s++;; s++) {
				if (!*s)
					return -1;
				if (*s == '"' && s[1] != '"')
					break;
				if (*s == '"')
					s++;
				*w++ = *s;
			}
			s++;
			if (*s && *s != ',')
				return -1;
		} else {
			while (*s && *s != ',')
				*w++ = *s++;
		}
		int more = *s == ',';
		*w = 0;
		if (!more)
			return n;
		s++;
	}
}

struct sink {
	char *buf;
	size_t len, cap;
};

static int sink_write(void *data, unsigned char *b, size_t n)
{
	struct sink *k = data;
	if (k->len + n + 1 > k->cap) {
		size_t cap = (k->len + n + 1) * 2;
		char *nb = realloc(k->buf, cap);
		if (!nb)
			return 0;
		k->buf = nb, k->cap = cap;
	}
	memcpy(k->buf + k->len, b, n);
	k->len += n;
	k->buf[k->len] = 0;
	return 1;
}

// The emitter's rendering of s as an item of a flow list ("[s]\n" minus the
// brackets): plain when that reads back as the same string, else quoted.
static char *yaml_render(const char *s)
{
	yaml_emitter_t em;
	yaml_event_t ev;
	struct sink k = {NULL, 0, 0};
	if (!yaml_emitter_initialize(&em))
		return NULL;
	yaml_emitter_set_output(&em, sink_write, &k);
	yaml_emitter_set_width(&em, -1);
	yaml_emitter_set_unicode(&em, 1);
	int ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) && yaml_emitter_emit(&em, &ev) &&
		 yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) && yaml_emitter_emit(&em, &ev) &&
		 yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_FLOW_SEQUENCE_STYLE) &&
		 yaml_emitter_emit(&em, &ev) &&
		 yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
					      YAML_ANY_SCALAR_STYLE) && yaml_emitter_emit(&em, &ev) &&
		 yaml_sequence_end_event_initialize(&ev) && yaml_emitter_emit(&em, &ev) &&
		 yaml_document_end_event_initialize(&ev, 1) && yaml_emitter_emit(&em, &ev) &&
		 yaml_stream_end_event_initialize(&ev) && yaml_emitter_emit(&em, &ev);
	yaml_emitter_delete(&em);
	if (!ok || k.len < 3 || k.buf[0] != '[') {
		free(k.buf);
		return NULL;
	}
	size_t end = k.len;
	while (end > 1 && (k.buf[end - 1] == '\n' || k.buf[end - 1] == ']'))
		end--;
	memmove(k.buf, k.buf + 1, end - 1);
	k.buf[end - 1] = 0;
	return k.buf;
}

// Names made of these read back plain in a flow list; libyaml's emitter
// quotes any ':' in flow context (an architecture option such as
// "mach-multiserver:driver=user"), which its own parser reads plain when no
// blank follows: kept plain so such configurations stay as they were.
static int plain_name(const char *s)
{
	if (!*s || !strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./", *s))
		return 0;
	return s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=+-")] == 0 &&
	       s[strlen(s) - 1] != ':';
}

void yaml_put_scalar(FILE *f, const char *s)
{
	if (plain_name(s)) {
		fputs(s, f);
		return;
	}
	char *r = yaml_render(s);
	if (r) {
		fputs(r, f);
		free(r);
		return;
	}
	fputs("''", f); // out of memory: an empty name is refused on reload
}
