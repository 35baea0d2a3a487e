// validation.h: published measurements against the model (configs/validation.yaml).
#ifndef OSARCH_VALIDATE_H
#define OSARCH_VALIDATE_H

#include <stdio.h>
#include "osmodel.h"
#include "yamlcfg.h"

#define VALIDATE_BAND 2.0 // the default band: within 2x either way

// A publication the checks cite: its key (the check's `paper:`), the full
// citation, and the authors' surnames (how a source line names it).
struct vpaper {
	char key[32];
	char cite[256];
	struct strlist authors;
};

struct vside {
	char arch[2 * NAME_LEN];
	char workload[NAME_LEN];
	double published;
	uint32_t app_ws, app_code;
};

struct vcheck {
	char name[128];
	char paper[32];
	int paper_idx;         // into validation.papers
	char source[256];      // table or figure of the paper
	char note[512];
	char machine[64];
	int metric;            // cycles, usec, mcpi_i, mcpi_d, cycles_event, instructions
	double scale;
	double band;           // the factor allowed either way (default VALIDATE_BAND)
	char band_reason[256]; // required when band is not the default
	struct strlist input;  // "FILE:KEY" of each constant set from this figure
	char known_miss[512];  // the understood cause of a miss
	struct vside a, b;
	int has_b;
};

struct validation {
	struct vpaper *papers;
	int npapers;
	struct vcheck *checks;
	int n;
};

struct vresult {
	double sim_a, sim_b;
	double pub_ratio, sim_ratio, factor;
	int agrees;   // the ordering (1 for an absolute check)
	int in_band;  // 1/band <= factor <= band
	int passes;   // a scored check: in band and agrees
	double error; // max(factor, 1/factor); HUGE_VAL when nothing was simulated
};

// The summary line's figures, over the scored checks (inputs excluded).
struct vsummary {
	int scored, papers, within, inputs, misses, unexplained;
	double gmean, worst;
	int worst_i; // -1 when nothing is scored
};

int validation_load(struct validation *v, const char *path, struct cfg_error *err);
void validation_free(struct validation *v);
// res: v->n entries. Returns 0 or -1 with err.
int validation_run(const struct validation *v, struct vresult *res, struct cfg_error *err);
// Judges one check from its figures (fills agrees, in_band, passes, error,
// pub_ratio, sim_ratio, factor from sim_a/sim_b); validation_run calls it.
void validation_judge(const struct vcheck *c, struct vresult *r);
void validation_summarize(const struct validation *v, const struct vresult *res, struct vsummary *s);
// The last line of `osarch validate` (with its newline).
void validation_print_summary(FILE *f, const struct validation *v, const struct vsummary *s);
void validation_print(FILE *f, const struct validation *v, const struct vresult *res, int markdown);
// Whether check i is an input (its figure set a constant): never scored.
int validation_is_input(const struct vcheck *c);
// Whether `text` (a source line of a constant) cites a published figure of
// check c: it names one of the paper's authors and writes one of the check's
// published figures as a number. Returns the figure's side ('a' or 'b') or 0.
int validation_cites(const struct validation *v, const struct vcheck *c, const char *text);

#endif
