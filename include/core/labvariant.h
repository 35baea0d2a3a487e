// labvariant.h: a student's variant of a lab, seeded by the student's ID.
//
// A lab file may declare `params:`, a mapping NAME: [value, ...] (NAME in
// upper case). Every `$NAME` in the lab file, its handout and its start
// files is replaced by one of the values before the file is parsed: the
// first value for the lab as committed (no student), a value picked by a hash
// of the student ID and NAME for a student's variant. Multiple-choice options
// are shuffled by a hash of the ID and the question's id. The same ID always
// gives the same variant, so the grader rebuilds it from the answer file's
// `student:` line and never trusts a file the student holds.
#ifndef OSARCH_LABVARIANT_H
#define OSARCH_LABVARIANT_H

#include <stdint.h>
#include "yamlcfg.h"

#define LAB_MAX_PARAMS 8
#define LAB_PARAM_NAME 32
#define LAB_PARAM_VALUE 256

struct lab_param {
	char name[LAB_PARAM_NAME];
	char value[LAB_PARAM_VALUE];
};

// A 64-bit hash of (student, what): FNV-1a of both, then the splitmix64
// finaliser so that IDs differing in one character spread over every bit.
uint64_t lab_seed(const char *student, const char *what);

// Reads the `params` mapping (node may be NULL: no params) and picks one
// value of each: the first when student is NULL or empty, else the value at
// lab_seed(student, NAME) modulo the number of values. Returns the number of
// params, or -1 with err set at the offending node.
int lab_params_choose(struct ydoc *d, yaml_node_t *node, const char *student, struct lab_param *p,
		      struct cfg_error *err);

// text with every $NAME of p replaced by its value ($NAME followed by a
// letter, digit or '_' is another word and stays). Returns malloc'd text, or
// NULL when out of memory.
char *lab_substitute(const char *text, const struct lab_param *p, int n);

// perm[0..n) = a permutation of 0..n-1 drawn from seed (Fisher-Yates with
// splitmix64); seed 0 gives the identity.
void lab_shuffle(int *perm, int n, uint64_t seed);

#endif
