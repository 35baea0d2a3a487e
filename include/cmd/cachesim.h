// cachesim.h: `osarch cachesim`, a trace-driven cache simulator following
// cachegrind's model (I1, D1, LL), built of the project's caches, on a
// valgrind lackey trace (include/base/lackey.h; docs/replay.md).
#ifndef OSARCH_CACHESIM_H
#define OSARCH_CACHESIM_H

#include <stddef.h>
#include <stdint.h>
#include "cache.h"
#include "lackey.h"
#include "profile.h"

// ---- cachesim: cachegrind's model on the project's caches ----

enum cs_kind { CS_IR, CS_DR, CS_DW, CS__N };  // instruction read, data read, data write
enum cs_level { CS_L1, CS_L2, CS_LL, CS_LEVELS }; // CS_L2 only on a three-level machine

struct cs_counts {
	uint64_t refs[CS__N];
	uint64_t miss[CS__N][CS_LEVELS]; // references that missed in that level
	uint64_t lines;                  // trace lines read
	uint64_t syscalls;               // system-call records seen (not simulated)
	uint64_t skipped;                // malformed lines skipped (lenient)
};

struct cachesim {
	struct cache i1_store, d1_store, l2_store, ll_store;
	struct cache *i1, *d1;  // the same cache when the machine's L1 is unified
	struct cache *l2;       // a middle level, or NULL (cachegrind has none)
	struct cache *ll;       // the last level
	uint32_t dmax;          // largest data reference: the smallest line size
	struct cs_counts c;
};

// Two levels, cachegrind's shape: I1 and D1, then a unified LL looked up
// on an L1 miss. Geometries as cache_geom (repl LRU for cachegrind).
// Returns 0, or -1 when a geometry is not a cache (message in err).
int cachesim_init(struct cachesim *cs, const struct cache_geom *i1, const struct cache_geom *d1,
		  const struct cache_geom *ll, char *err, size_t errlen);
// A machine profile's hierarchy: L1i/L1d (or one unified L1), L2, L3 when
// present, each level looked up on a miss of the one above; the profile's
// replacement policies. No translation: trace addresses are physical.
int cachesim_init_profile(struct cachesim *cs, const struct profile *p, char *err, size_t errlen);
void cachesim_free(struct cachesim *cs);
// One reference, counted as cachegrind counts it (see docs/replay.md).
void cachesim_ref(struct cachesim *cs, int kind, uint64_t addr, uint32_t size);
// Every record of r. Returns 0, 2 on a malformed trace (r->error), 1 on a
// read error.
int cachesim_run(struct cachesim *cs, struct trace_reader *r);

// "size,assoc,line" (size may carry K/M) into g (LRU, present). 0, -1 when
// it is not that, -2 outside a machine profile's limits (CACHE_* in profile.h).
int cachesim_parse_geom(const char *text, struct cache_geom *g);

int cmd_cachesim(int argc, char **argv);

#endif
