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
//  - Replacement: true LRU (each set in recency order), or tree pseudo-LRU.
//  - A reference that straddles two lines is two line lookups; the caller
//    (machine.c) decides how to count it.
//  - No prefetching, no miss overlap: every miss costs its full latency.
#ifndef OSARCH_CACHE_H
#define OSARCH_CACHE_H

#include <stdint.h>
#include "profile.h"

#define SA_INVALID UINT64_MAX

// The set-associative array both caches and TLBs are made of.
// tag[set * ways + i]: under LRU each set keeps its tags in recency order,
// most recent first, empty ways (SA_INVALID) last, as cachegrind's cg_sim.c
// does: a hit moves its tag to the front, a miss drops the last tag. One
// set is then `ways` contiguous words (a 16-way set is two host lines),
// and the victim needs no search. Under tree PLRU tags stay in their ways
// and plru[set] holds the tree bits.
struct setassoc {
	uint32_t sets, ways;
	uint32_t set_mask;
	int policy;          // enum repl_policy
	uint64_t *tag;
	uint32_t *plru;      // PLRU only
	uint64_t last;       // tag of the most recent access: it is its set's MRU
	// Sets filled since the last reset, so a reset clears only those (a
	// fresh 8 MiB L3 has 131,072 words of tags; a sweep point touches a few
	// hundred sets). ndirty > sets: the list overflowed, clear everything.
	uint32_t *dirty;
	uint32_t ndirty;
	// PLRU: touching way w clears path[w]'s bits and sets toward[w]'s:
	// the tree walk of plru_touch done once at set-up.
	uint32_t plru_path[32], plru_away[32];
};

int sa_init(struct setassoc *sa, uint32_t sets, uint32_t ways, int policy);
void sa_free(struct setassoc *sa);
void sa_reset(struct setassoc *sa);
int sa_copy(struct setassoc *dst, const struct setassoc *src);
// Looks up without changing any state.
int sa_probe(const struct setassoc *sa, uint32_t set, uint64_t tag);
// Invalidates every entry for which keep(tag, arg) is false; returns how many.
uint32_t sa_invalidate_if(struct setassoc *sa, int (*keep)(uint64_t tag, uint64_t arg),
			  uint64_t arg);
// The out-of-line paths of sa_access: a tree-PLRU lookup, and an LRU miss.
int sa_access_plru(struct setassoc *sa, uint32_t set, uint64_t tag, uint64_t *evicted);

// Marks a set that was empty before this fill (see `dirty`).
static inline void sa_note_fill(struct setassoc *sa, uint32_t set)
{
	if (sa->ndirty < sa->sets)
		sa->dirty[sa->ndirty++] = set;
	else
		sa->ndirty = sa->sets + 1;
}

// Looks tag up in set; on a hit marks it most recently used and returns 1;
// on a miss installs tag in the replacement victim, stores the evicted tag
// (SA_INVALID if the way was empty) in *evicted, and returns 0.
//
// The hot path, inline: without inlining, sa_access was called once per
// level per reference and ran at 91 M refs/s sequential (issue 19).
static inline int sa_access(struct setassoc *sa, uint32_t set, uint64_t tag, uint64_t *evicted)
{
	// The most recent line is already its set's MRU: touching it again
	// changes no replacement state (cg_sim.c checks the MRU way first for
	// the same reason). Sequential 8-byte strides hit here 7 times in 8.
	if (tag == sa->last)
		return 1;
	sa->last = tag;
	if (sa->policy != REPL_LRU)
		return sa_access_plru(sa, set, tag, evicted);
	const uint32_t ways = sa->ways;
	uint64_t *t = sa->tag + (size_t)set * ways;
	if (t[0] == tag)
		return 1;
	// Search and shift in one pass: each tag moves down one place until the
	// hit is found, so a hit at depth i costs i moves and no second loop.
	uint64_t prev = t[0];
	for (uint32_t i = 1; i < ways; i++) {
		uint64_t cur = t[i];
		t[i] = prev;
		if (cur == tag) {
			t[0] = tag;
			return 1;
		}
		prev = cur;
	}
	// Miss: every tag moved down one place; the last one fell out.
	if (t[0] == SA_INVALID)
		sa_note_fill(sa, set); // an empty set filled: the next reset clears it
	t[0] = tag;
	*evicted = prev;
	return 0;
}

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
