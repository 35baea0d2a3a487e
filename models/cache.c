// cache.c: the set-associative array, and caches made of it.
// The model's simplifications are listed at the top of include/model/cache.h.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cache.h"

static int is_pow2(uint64_t x) { return x && !(x & (x - 1)); }

static uint32_t log2u(uint64_t x)
{
	uint32_t n = 0;
	while (x > 1) { x >>= 1; n++; }
	return n;
}

// Tree PLRU over W ways: W-1 bits, node i has children 2i+1 and 2i+2.
// A bit says which half the *next victim* is in (0: left, 1: right).
// Touching a way points every bit on its path away from it; sa_init
// records, per way, which bits that is (path) and which of them end at 1
// (away), so a touch is two mask operations.
static void plru_masks(uint32_t ways, uint32_t way, uint32_t *path, uint32_t *away)
{
	uint32_t node = 0, lo = 0, span = ways;
	*path = *away = 0;
	while (span > 1) {
		span >>= 1;
		int right = way >= lo + span;
		*path |= 1u << node;
		if (!right) // point away from the touched half
			*away |= 1u << node;
		lo += right ? span : 0;
		node = 2 * node + 1 + (uint32_t)right;
	}
}

static void plru_touch(const struct setassoc *sa, uint32_t *bits, uint32_t way)
{
	*bits = (*bits & ~sa->plru_path[way]) | sa->plru_away[way];
}

static uint32_t plru_victim(uint32_t bits, uint32_t ways)
{
	uint32_t node = 0, lo = 0, span = ways;
	while (span > 1) {
		span >>= 1;
		int right = (bits >> node) & 1;
		lo += right ? span : 0;
		node = 2 * node + 1 + (uint32_t)right;
	}
	return lo;
}

int sa_init(struct setassoc *sa, uint32_t sets, uint32_t ways, int policy)
{
	memset(sa, 0, sizeof *sa);
	if (!is_pow2(sets) || ways == 0)
		return -1;
	// Tree PLRU needs a power-of-two way count and fits its bits in 32.
	if (policy == REPL_PLRU && (!is_pow2(ways) || ways > 32))
		return -1;
	sa->sets = sets;
	sa->ways = ways;
	sa->set_mask = sets - 1;
	sa->policy = policy;
	size_t n = (size_t)sets * ways;
	sa->tag = malloc(n * sizeof *sa->tag);
	sa->dirty = malloc((size_t)sets * sizeof *sa->dirty);
	if (policy == REPL_PLRU) {
		sa->plru = calloc(sets, sizeof *sa->plru);
		for (uint32_t w = 0; w < ways; w++)
			plru_masks(ways, w, &sa->plru_path[w], &sa->plru_away[w]);
	}
	if (!sa->tag || !sa->dirty || (policy == REPL_PLRU && !sa->plru)) {
		sa_free(sa);
		return -1;
	}
	sa->ndirty = sets + 1; // fresh memory: clear it all
	sa_reset(sa);
	return 0;
}

void sa_free(struct setassoc *sa)
{
	free(sa->tag);
	free(sa->plru);
	free(sa->dirty);
	memset(sa, 0, sizeof *sa);
}

static void clear_set(struct setassoc *sa, uint32_t set)
{
	uint64_t *t = sa->tag + (size_t)set * sa->ways;
	for (uint32_t w = 0; w < sa->ways; w++)
		t[w] = SA_INVALID;
	if (sa->plru)
		sa->plru[set] = 0;
}

void sa_reset(struct setassoc *sa)
{
	if (sa->ndirty > sa->sets) {
		size_t n = (size_t)sa->sets * sa->ways;
		for (size_t i = 0; i < n; i++)
			sa->tag[i] = SA_INVALID;
		if (sa->plru)
			memset(sa->plru, 0, sa->sets * sizeof *sa->plru);
	} else {
		for (uint32_t i = 0; i < sa->ndirty; i++)
			clear_set(sa, sa->dirty[i]);
	}
	sa->ndirty = 0;
	sa->last = SA_INVALID;
}

int sa_copy(struct setassoc *dst, const struct setassoc *src)
{
	if (sa_init(dst, src->sets, src->ways, src->policy))
		return -1;
	size_t n = (size_t)src->sets * src->ways;
	memcpy(dst->tag, src->tag, n * sizeof *dst->tag);
	if (src->plru)
		memcpy(dst->plru, src->plru, src->sets * sizeof *dst->plru);
	memcpy(dst->dirty, src->dirty, (size_t)src->sets * sizeof *dst->dirty);
	dst->ndirty = src->ndirty;
	dst->last = src->last;
	return 0;
}

static inline uint64_t hit_mask(const uint64_t *t, uint64_t tag, uint32_t ways)
{
	uint64_t hit = 0;
#pragma GCC unroll 16
	for (uint32_t w = 0; w < ways; w++)
		hit |= (uint64_t)(t[w] == tag) << w;
	return hit;
}

int sa_access_plru(struct setassoc *sa, uint32_t set, uint64_t tag, uint64_t *evicted)
{
	const uint32_t ways = sa->ways;
	uint64_t *t = sa->tag + (size_t)set * ways;
	// The way search builds a hit mask with no data-dependent branch, so a
	// hit in a random way costs no misprediction; the usual way counts get
	// a loop of constant length, which the compiler unrolls (with the
	// count known only at run time, this search was 46% of a sweep).
	uint64_t hit;
	switch (ways) {
	case 4: hit = hit_mask(t, tag, 4); break;
	case 8: hit = hit_mask(t, tag, 8); break;
	case 16: hit = hit_mask(t, tag, 16); break;
	default: hit = hit_mask(t, tag, ways); break;
	}
	if (hit) {
		plru_touch(sa, &sa->plru[set], (uint32_t)__builtin_ctzll(hit));
		return 1;
	}
	// PLRU: fill an empty way first so a cold set behaves like LRU. Ways
	// fill lowest first, so way 0 empty means the whole set is.
	uint32_t victim;
	if (t[0] == SA_INVALID) {
		sa_note_fill(sa, set);
		victim = 0;
	} else {
		victim = plru_victim(sa->plru[set], ways);
		for (uint32_t w = 1; w < ways; w++)
			if (t[w] == SA_INVALID) { victim = w; break; }
	}
	plru_touch(sa, &sa->plru[set], victim);
	*evicted = t[victim];
	t[victim] = tag;
	return 0;
}

int sa_probe(const struct setassoc *sa, uint32_t set, uint64_t tag)
{
	const uint64_t *t = sa->tag + (size_t)set * sa->ways;
	for (uint32_t w = 0; w < sa->ways; w++)
		if (t[w] == tag)
			return 1;
	return 0;
}

uint32_t sa_invalidate_if(struct setassoc *sa, int (*keep)(uint64_t tag, uint64_t arg),
			  uint64_t arg)
{
	uint32_t dropped = 0;
	sa->last = SA_INVALID;
	for (uint32_t set = 0; set < sa->sets; set++) {
		uint64_t *t = sa->tag + (size_t)set * sa->ways;
		// LRU: the kept tags close up in their order, so empty ways stay
		// last and the next miss fills one of them before evicting any.
		uint32_t out = 0;
		for (uint32_t w = 0; w < sa->ways; w++) {
			if (t[w] == SA_INVALID)
				continue;
			if (!keep(t[w], arg)) {
				dropped++;
				if (sa->plru)
					t[w] = SA_INVALID;
				continue;
			}
			if (!sa->plru)
				t[out++] = t[w];
		}
		if (!sa->plru)
			for (; out < sa->ways; out++)
				t[out] = SA_INVALID;
	}
	// A set emptied here and filled again must be listed again: simplest
	// is to clear everything at the next reset.
	if (dropped)
		sa->ndirty = sa->sets + 1;
	return dropped;
}

int cache_init(struct cache *c, const char *name, const struct cache_geom *g)
{
	memset(c, 0, sizeof *c);
	// Sizes need not be powers of two (a 48 KiB 12-way L1d has 64 sets):
	// the set count must be, which sa_init checks.
	if (!is_pow2(g->line) || g->size % g->line || g->assoc == 0)
		return -1;
	uint64_t lines = g->size / g->line;
	if (lines < g->assoc || lines % g->assoc)
		return -1;
	if (sa_init(&c->sa, (uint32_t)(lines / g->assoc), g->assoc, g->repl))
		return -1;
	c->line_shift = log2u(g->line);
	c->latency = g->latency;
	snprintf(c->name, sizeof c->name, "%s", name);
	return 0;
}

void cache_free(struct cache *c) { sa_free(&c->sa); }

void cache_reset(struct cache *c)
{
	sa_reset(&c->sa);
	c->accesses = c->misses = 0;
}

int cache_copy(struct cache *dst, const struct cache *src)
{
	struct setassoc sa;
	if (sa_copy(&sa, &src->sa))
		return -1;
	*dst = *src;
	dst->sa = sa;
	return 0;
}
