// cache.c: the set-associative array, and caches made of it.
// The model's simplifications are listed at the top of include/cache.h.
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
	if (policy == REPL_PLRU)
		sa->plru = calloc(sets, sizeof *sa->plru);
	else
		sa->stamp = calloc(n, sizeof *sa->stamp);
	if (!sa->tag || (!sa->plru && !sa->stamp)) {
		sa_free(sa);
		return -1;
	}
	sa_reset(sa);
	return 0;
}

void sa_free(struct setassoc *sa)
{
	free(sa->tag);
	free(sa->stamp);
	free(sa->plru);
	memset(sa, 0, sizeof *sa);
}

void sa_reset(struct setassoc *sa)
{
	size_t n = (size_t)sa->sets * sa->ways;
	for (size_t i = 0; i < n; i++)
		sa->tag[i] = SA_INVALID;
	if (sa->stamp)
		memset(sa->stamp, 0, n * sizeof *sa->stamp);
	if (sa->plru)
		memset(sa->plru, 0, sa->sets * sizeof *sa->plru);
	sa->tick = 0;
	sa->last = SA_INVALID;
}

int sa_copy(struct setassoc *dst, const struct setassoc *src)
{
	if (sa_init(dst, src->sets, src->ways, src->policy))
		return -1;
	size_t n = (size_t)src->sets * src->ways;
	memcpy(dst->tag, src->tag, n * sizeof *dst->tag);
	if (src->stamp)
		memcpy(dst->stamp, src->stamp, n * sizeof *dst->stamp);
	if (src->plru)
		memcpy(dst->plru, src->plru, src->sets * sizeof *dst->plru);
	dst->tick = src->tick;
	dst->last = src->last;
	return 0;
}

// Tree PLRU over W ways: W-1 bits, node i has children 2i+1 and 2i+2.
// A bit says which half the *next victim* is in (0: left, 1: right).
// Touching a way points every bit on its path away from it.
static void plru_touch(uint32_t *bits, uint32_t ways, uint32_t way)
{
	uint32_t node = 0, lo = 0, span = ways;
	while (span > 1) {
		span >>= 1;
		int right = way >= lo + span;
		// point away from the touched half
		if (right) *bits &= ~(1u << node); else *bits |= 1u << node;
		lo += right ? span : 0;
		node = 2 * node + 1 + (uint32_t)right;
	}
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

// The hot path. The way search builds a hit mask with no data-dependent
// branch, so a hit in a random way costs no misprediction: with an early-exit
// search, uniformly random hits in an 8-way set mispredicted about every other
// access and ran at 60 M refs/s on this machine (issue 2's measurement).
int sa_access(struct setassoc *sa, uint32_t set, uint64_t tag, uint64_t *evicted)
{
	// The most recent line is already its set's MRU: touching it again
	// changes no replacement state (cg_sim.c checks the MRU way first for
	// the same reason). Sequential 8-byte strides hit here 7 times in 8:
	// 92 M refs/s without this check, see `make bench` for the figure with it.
	if (tag == sa->last)
		return 1;
	sa->last = tag;
	const uint32_t ways = sa->ways;
	uint64_t *t = sa->tag + (size_t)set * ways;
	uint64_t now = ++sa->tick;

	if (ways <= 64) {
		uint64_t hit = 0;
		for (uint32_t w = 0; w < ways; w++)
			hit |= (uint64_t)(t[w] == tag) << w;
		if (hit) {
			uint32_t way = (uint32_t)__builtin_ctzll(hit);
			if (sa->stamp)
				sa->stamp[(size_t)set * ways + way] = now;
			else
				plru_touch(&sa->plru[set], ways, way);
			return 1;
		}
	} else {
		for (uint32_t w = 0; w < ways; w++) {
			if (t[w] == tag) {
				if (sa->stamp)
					sa->stamp[(size_t)set * ways + w] = now;
				else
					plru_touch(&sa->plru[set], ways, w);
				return 1;
			}
		}
	}

	// Miss: the victim is the least recently used way; empty ways have
	// stamp 0 and so are filled first, lowest way first.
	uint32_t victim;
	if (sa->stamp) {
		uint64_t *s = sa->stamp + (size_t)set * ways;
		victim = 0;
		for (uint32_t w = 1; w < ways; w++)
			victim = s[w] < s[victim] ? w : victim;
		s[victim] = now;
	} else {
		// PLRU: fill an empty way first so a cold set behaves like LRU.
		victim = plru_victim(sa->plru[set], ways);
		for (uint32_t w = 0; w < ways; w++)
			if (t[w] == SA_INVALID) { victim = w; break; }
		plru_touch(&sa->plru[set], ways, victim);
	}
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
	size_t n = (size_t)sa->sets * sa->ways;
	uint32_t dropped = 0;
	sa->last = SA_INVALID;
	for (size_t i = 0; i < n; i++) {
		if (sa->tag[i] != SA_INVALID && !keep(sa->tag[i], arg)) {
			sa->tag[i] = SA_INVALID;
			if (sa->stamp)
				sa->stamp[i] = 0;
			dropped++;
		}
	}
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
