// scaleshared.h: what the files of `osarch scale` (src/cmd/scale/) share and
// nothing else includes.
#ifndef OSARCH_SCALESHARED_H
#define OSARCH_SCALESHARED_H

#include <sys/types.h>
#include "scale.h"

// Everything the points need, loaded once.
struct model {
	struct service_set *svc;
	struct arch *archs;
	struct workload *wls;
	struct workload *ipc; // remote: ipc-pingpong, the cost of one local message
	struct profile prof;
};

// One point's child process and the pipe its row comes back on.
struct child {
	pid_t pid;
	int fd;
	long index;
};

// scaleconfig.c: the config's defaults, a swept key set on a probe, the
// number of sweep combinations, the YAML node of item i of a list key (for
// messages), the per-call model loaded once, and whether a domain is a server.
void scale_defaults(struct scale_config *c);
int scale_sweep_set(struct scale_config *probe, const char *key, const char *val, struct cfg_error *err);
long scale_sweep_combos(const struct scale_config *c);
yaml_node_t *scale_item_node(struct ydoc *d, yaml_node_t *root, const char *key, int i);
int scale_model_load(struct model *m, const struct scale_config *c, struct ydoc *d, struct cfg_error *err);
void scale_model_free(struct model *m);
int scale_is_server_domain(const struct arch *a, int d);

// scalesim.c: whether a point can be simulated (a clock, a core, a plan); one point simulated
// in this (child) process, its row written to fd.
int scale_point_sane(const struct scale_point *pt);
void scale_child_run(const struct scale_point *pt, char *const *simgrid_argv, int quiet, int fd);

// scalefork.c: a child started for a point; its row read back when it ends.
int scale_start_child(const struct scale_point *pt, char *const *simgrid_argv, int quiet, struct child *c);
int scale_finish_child(struct child *c, struct scale_row *row, char *msg, size_t msglen);

#endif
