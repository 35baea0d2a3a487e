// labshared.h: the helpers lab.c (loading) and labcheck.c (answering) share;
// nothing else includes it.
#ifndef OSARCH_LABSHARED_H
#define OSARCH_LABSHARED_H

#include "lab.h"

// "PATH:LINE:COL: error: " and the message, into err.
__attribute__((format(printf, 5, 6)))
void lab_errat(struct cfg_error *err, const char *path, int line, int col, const char *fmt, ...);
// A YAML null (empty, ~, null): a key given with no value.
int lab_is_null_node(const yaml_node_t *n);
// The index of the input or question with that id, or -1.
int lab_find_input(const struct lab *l, const char *id);
int lab_find_question(const struct lab *l, const char *id);

#endif
