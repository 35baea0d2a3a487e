// lab.h: self-checking labs (`osarch check labs/N ANSWER.yaml`): a lab, its
// questions, their answers checked against the model.
//
// A lab is a folder labs/N/ whose lab.yaml lists questions. A question says
// what is asked and how the model computes the expected value: a small
// query {arch, workload, machine, metric, [minus], [sweep + rule]} run on
// the simulator when the answer is checked, never a number typed into a file.
// Multiple-choice keys are never in the lab folder: they are in the
// instructor's key file (`--key FILE`, instructor/keys.yaml), without which
// a choice is "not graded" and --print-solution refuses. `spec` questions
// check a property of the student's own architecture file (lab 3). A lab may
// declare `params:`; a student's variant (labvariant.h) picks their values
// and shuffles the choices by the student ID. The format is in docs/labs.md.
//
// Exit status of the command: 0 every graded question passes, 1 one fails,
// 2 a bad lab, key or answer file (one line "file:line:col: error: ...").
#ifndef OSARCH_LAB_H
#define OSARCH_LAB_H

#include <stdio.h>
#include "osmodel.h"
#include "labvariant.h"
#include "yamlcfg.h"

#define LAB_MAX_QUESTIONS 32
#define LAB_MAX_INPUTS 4
#define LAB_MAX_CHOICES 8
#define LAB_MAX_LIST 16   // items of a list answer
#define LAB_TEXT 600
#define LAB_ID 48

// What kind of answer a question takes (inferred from its fields).
enum lab_kind {
	LAB_NUMBER, // a number compared with the model's within `tolerance`
	LAB_SIZE,   // a size (32K), one of the swept values: the result of a sweep rule
	LAB_LIST,   // a set of names (service.op), order does not matter
	LAB_CHOICE, // one letter among `choices`; `key` is in lab.yaml
	LAB_SPEC,   // nothing to answer: a property of the student's architecture file
};

// Metrics a query may ask for: the columns of results.csv plus a few derived.
enum lab_metric {
	LM_TRAPS, LM_MODE_SWITCHES, LM_AS_SWITCHES, LM_IPC_MESSAGES, LM_VM_EXITS, LM_HYPERCALLS,
	LM_TLB_FLUSHES, LM_INSTRUCTIONS, LM_CYCLES, LM_USEC, LM_L1I_MISSES, LM_L1D_MISSES,
	LM_L2_MISSES, LM_LLC_MISSES, LM_FOOTPRINT_I, LM_FOOTPRINT_D, LM_FOOTPRINT, LM_CYCLES_EVENT,
	LM_IO_WAIT_USEC,
	LM_MONITOR_OPS, // the service operations one call runs in a hypervisor domain (a list)
	LM_RING,        // the ring of the domain `service` is placed in (no workload)
	LM_TCB_KIB,     // the privileged code size, KiB (no workload)
	LM__N
};
extern const char *const lab_metric_names[LM__N + 1];

enum lab_rule { LR_POINT, LR_KNEE };

struct lab_side {                 // `minus:`: the same metric at another point
	char arch[256], workload[NAME_LEN], machine[64]; // empty: as the query
	char value[32];               // the sweep value there (empty: the query's)
};

struct lab_sweep {
	char key[64];                 // a sweep key of experiment files (l1i.size+l1d.size)
	struct strlist values;        // point: one value; knee: increasing sizes
	int rule;                     // enum lab_rule
	double within_pct;            // knee: within this many percent of the last value
};

struct lab_query {
	char arch[256];               // a name, a path, or $INPUT (the student's file)
	char workload[NAME_LEN];
	char machine[64];             // empty: the lab's machine
	char service[NAME_LEN];       // LM_RING
	int metric;                   // enum lab_metric
	struct lab_side minus;
	struct lab_sweep sweep;
	int has_minus, has_sweep;
};

struct lab_spec {                 // a property of an architecture's placement
	char arch[256];
	struct strlist services;      // each of them must be placed ...
	int ring;                     // 0: in a user-mode domain, 1: in a kernel-mode domain
	int own_space;                // ... in a domain with an address space of its own
};

struct lab_choices {
	int n;
	// key: the letter shown (a, b, ... in the shown order); orig: the
	// letter in lab.yaml, which the instructor's key names.
	struct { char key[8]; char orig[8]; char text[400]; } c[LAB_MAX_CHOICES];
};

struct lab_question {
	char id[LAB_ID];
	char ask[LAB_TEXT];
	int kind;                     // enum lab_kind
	struct lab_query query;
	struct lab_spec spec;
	struct lab_choices choices;
	char key[8];                  // LAB_CHOICE: the shown letter, from the key file ("" no key)
	char tolerance[24];           // "0" exact, "10%" relative, "50" absolute
	double tol_rel, tol_abs;
	char hint[LAB_TEXT], hint_high[LAB_TEXT], hint_low[LAB_TEXT]; // "{answer}" is replaced
	int line, col;                // of the question, for messages
};

struct lab_input {                // a file the student hands in with the answers
	char id[LAB_ID];
	char ask[LAB_TEXT];
	int kind;                     // 0: an architecture file
	char solution[256];           // what --print-solution uses
};

struct lab {
	int number;
	char title[160];
	char description[LAB_TEXT];
	char machine[64];             // default machine of the queries (modern)
	int warmup, reps;             // as an experiment file (10, 5)
	struct lab_input in[LAB_MAX_INPUTS];
	int nin;
	struct lab_question q[LAB_MAX_QUESTIONS];
	int nq;
	char path[600];               // DIR/lab.yaml
	char student[LAB_ID];         // the variant's student ID ("" the lab as committed)
	struct lab_param param[LAB_MAX_PARAMS]; // the values picked for this variant
	int nparam;
	int keyed;                    // an instructor key gave every choice question its key
};

// Loads DIR/lab.yaml (or a path ending in .yaml) and checks every name it
// uses. Returns 0, or -1 with err set ("path:line:col: error: ...").
int lab_load(struct lab *l, const char *dir, struct cfg_error *err);
// A student ID: 1..LAB_ID-1 letters, digits, '.', '_', '-', '@', '+'.
int lab_valid_student(const char *s);
// The same for a student's variant (student NULL or "": as lab_load).
int lab_load_variant(struct lab *l, const char *dir, const char *student, struct cfg_error *err);
// Applies the instructor's key file: a mapping labN: {question-id: letter},
// letters as in lab.yaml (mapped to the variant's shuffled letters). Every
// choice question of the lab must get a key. Returns 0, or -1 with err.
int lab_apply_key(struct lab *l, const char *key_path, struct cfg_error *err);
// The `student:` of an answer file ("" when absent or unreadable: the
// answer loader reports a bad file later).
void lab_answer_student(const char *answer_path, char *buf, size_t n);
void lab_free(struct lab *l);

// The outcome of one question.
struct lab_outcome {
	char id[LAB_ID];
	int pass;
	int answered;
	int ungraded;                 // a choice question without a key: neither pass nor fail
	char msg[1200];               // on failure: what was wrong and the hint
};

struct lab_report {
	int n, failed, ungraded;
	struct lab_outcome o[LAB_MAX_QUESTIONS];
};

// Checks the answer file against the model. Returns 0 when every question
// passes, 1 when one fails, 2 on a bad lab or answer file (err set), with rep
// filled for 0 and 1.
int lab_check(const struct lab *l, const char *answer_path, struct lab_report *rep,
	      struct cfg_error *err);
void lab_report_print(FILE *out, const struct lab *l, const struct lab_report *rep);

// Writes an answer file filled from the model and the key (the lab must be
// keyed when it has choice questions). Returns 0, or 2 with err.
int lab_print_solution(FILE *out, const struct lab *l, struct cfg_error *err);
// Writes the empty answer file (with `student:` for a variant). 0, or 2 with err.
int lab_print_template(FILE *out, const struct lab *l, struct cfg_error *err);

#endif
