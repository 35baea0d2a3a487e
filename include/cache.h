// cache.h: a set-associative cache of physical lines, and a TLB built on
// the same set-associative array.
//
// Notes (the model's simplifications, stated once, in the manner of
// cachegrind's cg_sim.c):
//  - Physically indexed, physically tagged; bit-selection set index
//    (set = line number mod sets). No hashing of the index.
//  - Write-allocate; a store is looked up exactly like a load, no dirty
//    state, no write-back traffic is modelled.
//  - Levels are non-inclusive and non-exclusive: a miss fills every level
//    that missed; an eviction in a lower level does not invalidate upper ones.
//  - Replacement: true LRU by per-way time stamps, or tree pseudo-LRU.
//  - A reference that straddles two lines is two line lookups; the caller
//    (machine.c) decides how to count it.
//  - No prefetching, no miss overlap: every miss costs its full latency.
#ifndef OSARCH_CACHE_H
#define OSARCH_CACHE_H

#include <stdint.h>
#include "profile.h"

#define SA_INVALID UINT64_MAX

// The set-associative array both caches and TLBs are made of.
// tag[set * ways + way]; for LRU stamp[] holds the last-use time of each way,
// for PLRU plru[set] holds the tree bits.
struct setassoc {
	uint32_t sets, ways;
	uint32_t set_mask;
	int policy;          // enum repl_policy
	uint64_t *tag;
	uint64_t *stamp;     // LRU only
	uint32_t *plru;      // PLRU only
	uint64_t tick;
	uint64_t last;       // tag of the most recent access: it is its set's MRU
};

int sa_init(struct setassoc *sa, uint32_t sets, uint32_t ways, int policy);
void sa_free(struct setassoc *sa);
void sa_reset(struct setassoc *sa);
int sa_copy(struct setassoc *dst, const struct setassoc *src);
// Looks tag up in set; on a hit marks it most recently used and returns 1;
// on a miss installs tag in the replacement victim, stores the evicted tag
// (SA_INVALID if the way was empty) in *evicted, and returns 0.
int sa_access(struct setassoc *sa, uint32_t set, uint64_t tag, uint64_t *evicted);
// Looks up without changing any state.
int sa_probe(const struct setassoc *sa, uint32_t set, uint64_t tag);
// Invalidates every entry for which keep(tag, arg) is false; returns how many.
uint32_t sa_invalidate_if(struct setassoc *sa, int (*keep)(uint64_t tag, uint64_t arg),
			  uint64_t arg);

struct cache {
	struct setassoc sa;
	uint32_t line_shift;
	uint32_t latency;
	uint64_t accesses, misses;
	char name[8];
};

int cache_init(struct cache *c, const char *name, const struct cache_geom *g);
void cache_free(struct cache *c);
void cache_reset(struct cache *c);
int cache_copy(struct cache *dst, const struct cache *src);
// Access the line holding physical address pa. Returns 1 on a hit, 0 on a miss
// (the line is then filled).
static inline int cache_access(struct cache *c, uint64_t pa)
{
	uint64_t line = pa >> c->line_shift;
	uint64_t evicted;
	int hit = sa_access(&c->sa, (uint32_t)line & c->sa.set_mask, line, &evicted);
	c->accesses++;
	c->misses += !hit;
	return hit;
}

#endif
