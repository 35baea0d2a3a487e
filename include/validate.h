// validate.h: published measurements against the model (configs/validation.yaml).
#ifndef OSARCH_VALIDATE_H
#define OSARCH_VALIDATE_H

#include <stdio.h>
#include "osmodel.h"
#include "yamlcfg.h"

struct vside {
	char arch[2 * NAME_LEN];
	char workload[NAME_LEN];
	double published;
	uint32_t app_ws, app_code;
};

struct vcheck {
	char name[128];
	char source[256];
	char note[256];
	char machine[64];
	int metric;   // cycles, usec, mcpi_i, mcpi_d, cycles_event, instructions
	double scale;
	struct vside a, b;
	int has_b;
};

struct validation {
	struct vcheck *checks;
	int n;
};

struct vresult {
	double sim_a, sim_b;
	double pub_ratio, sim_ratio, factor;
	int agrees;
};

int validation_load(struct validation *v, const char *path, struct cfg_error *err);
void validation_free(struct validation *v);
// res: v->n entries. Returns 0 or -1 with err.
int validation_run(const struct validation *v, struct vresult *res, struct cfg_error *err);
void validation_print(FILE *f, const struct validation *v, const struct vresult *res, int markdown);

#endif
