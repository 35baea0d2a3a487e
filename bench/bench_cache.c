// bench_cache.c: the cache model's throughput, for `make bench`.
// Hierarchy of issue 2: L1d 32K/8-way, L2 256K/4-way, L3 8M/16-way,
// 64-byte lines, true LRU. Addresses are generated before timing so only
// the model is timed. Beside the model, in the same run and on the same
// stream, a reference: the minimal inline LRU of cachegrind's cg_sim.c
// (tags in recency order, MRU checked first, no counters beyond a miss
// count), so the ratio says how close the model is to the plain algorithm
// on this host whatever else the host is doing. Prints
// "cache-model STREAM: N M refs/s (R× the reference)", for three stream
// lengths of each stream (the cost must stay linear in references).
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "machine.h"

#define NADDR (1u << 20)
#define ROUNDS 40
#define TRIALS 5

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13; *s ^= *s >> 7; *s ^= *s << 17;
	return *s;
}

// ---- the reference: cg_sim.c's cache, one level ----
struct ref_level {
	uint64_t *tag;
	uint32_t set_mask, ways;
};

static void ref_init(struct ref_level *c, const struct cache_geom *g)
{
	uint32_t sets = (uint32_t)(g->size / g->line / g->assoc);
	c->set_mask = sets - 1;
	c->ways = g->assoc;
	c->tag = malloc((size_t)sets * g->assoc * sizeof *c->tag);
	if (!c->tag)
		exit(1);
	for (size_t i = 0; i < (size_t)sets * g->assoc; i++)
		c->tag[i] = UINT64_MAX;
}

static inline int ref_access(struct ref_level *c, uint64_t line)
{
	uint64_t *t = c->tag + (line & c->set_mask) * c->ways;
	if (t[0] == line)
		return 1;
	for (uint32_t i = 1; i < c->ways; i++) {
		if (t[i] == line) {
			for (uint32_t j = i; j > 0; j--)
				t[j] = t[j - 1];
			t[0] = line;
			return 1;
		}
	}
	for (uint32_t j = c->ways - 1; j > 0; j--)
		t[j] = t[j - 1];
	t[0] = line;
	return 0;
}

static double ref_rate(const struct profile *p, const uint64_t *addr, uint32_t n, int rounds,
		       uint64_t *sink)
{
	struct ref_level l1, l2, l3;
	ref_init(&l1, &p->l1d);
	ref_init(&l2, &p->l2);
	ref_init(&l3, &p->l3);
	uint64_t misses = 0;
	double t0 = now();
	for (int r = 0; r < rounds; r++)
		for (uint32_t i = 0; i < n; i++) {
			uint64_t line = addr[i] >> 6;
			if (!ref_access(&l1, line) && !ref_access(&l2, line) && !ref_access(&l3, line))
				misses++;
		}
	double rate = (double)rounds * n / (now() - t0);
	*sink += misses;
	free(l1.tag);
	free(l2.tag);
	free(l3.tag);
	return rate;
}

static double model_rate(const struct profile *p, const uint64_t *addr, uint32_t n, int rounds,
			 uint64_t *sink)
{
	struct machine m;
	if (machine_init(&m, p, 1)) {
		fprintf(stderr, "bench: bad profile\n");
		exit(1);
	}
	double t0 = now();
	for (int r = 0; r < rounds; r++)
		for (uint32_t i = 0; i < n; i++)
			*sink += machine_ref_phys(&m, addr[i], 0);
	double rate = (double)rounds * n / (now() - t0);
	machine_free(&m);
	return rate;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

// Medians of TRIALS paired runs (model then reference, alternately), so
// both see the same load on a shared host.
static void bench_stream(const char *name, const struct profile *p, const uint64_t *addr,
			 uint32_t n, int rounds)
{
	uint64_t sink = 0;
	double mr[TRIALS], rr[TRIALS], ratio[TRIALS];
	for (int t = 0; t < TRIALS; t++) {
		mr[t] = model_rate(p, addr, n, rounds, &sink);
		rr[t] = ref_rate(p, addr, n, rounds, &sink);
		ratio[t] = mr[t] / rr[t];
	}
	qsort(mr, TRIALS, sizeof mr[0], cmp_double);
	qsort(ratio, TRIALS, sizeof ratio[0], cmp_double);
	printf("cache-model %s: %.0f M refs/s (%.2f\u00d7 the reference), %llu refs\n", name,
	       mr[TRIALS / 2] / 1e6, ratio[TRIALS / 2], (unsigned long long)rounds * n);
	if (sink == 1) // keeps the loops from being optimised away
		printf("\n");
}

int main(void)
{
	struct profile p;
	profile_defaults(&p);
	p.l1d = (struct cache_geom){1, 32 << 10, 8, 64, 4, REPL_LRU};
	p.l1i = p.l1d;
	p.l2 = (struct cache_geom){1, 256 << 10, 4, 64, 12, REPL_LRU};
	p.l3 = (struct cache_geom){1, 8 << 20, 16, 64, 40, REPL_LRU};
	uint64_t *addr = malloc(NADDR * sizeof *addr);
	if (!addr)
		return 1;
	uint64_t s = 88172645463325252ull;
	for (uint32_t i = 0; i < NADDR; i++)
		addr[i] = (uint64_t)i * 8;
	for (int k = 1; k <= 4; k *= 2)
		bench_stream("sequential", &p, addr, NADDR, ROUNDS / 4 * k);
	for (uint32_t i = 0; i < NADDR; i++)
		addr[i] = xorshift(&s) % (32u << 10);
	for (int k = 1; k <= 4; k *= 2)
		bench_stream("random-32K", &p, addr, NADDR, ROUNDS / 4 * k);
	for (uint32_t i = 0; i < NADDR; i++)
		addr[i] = xorshift(&s) % (16u << 20);
	for (int k = 1; k <= 4; k *= 2)
		bench_stream("random-16M", &p, addr, NADDR, ROUNDS / 16 * k);
	free(addr);
	return 0;
}
