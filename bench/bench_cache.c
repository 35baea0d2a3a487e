// bench_cache.c: the cache model's throughput, for `make bench`.
// Hierarchy of issue 2: L1d 32K/8-way, L2 256K/4-way, L3 8M/16-way,
// 64-byte lines, true LRU. Addresses are generated before timing so only
// the model is timed. Prints "cache-model STREAM: N M refs/s".
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "machine.h"

#define NADDR (1u << 20)
#define ROUNDS 40

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

static void bench_stream(const char *name, const struct profile *p, const uint64_t *addr)
{
	struct machine m;
	if (machine_init(&m, p, 1)) {
		fprintf(stderr, "bench: bad profile\n");
		exit(1);
	}
	uint64_t sink = 0;
	double best = 0;
	for (int trial = 0; trial < 3; trial++) {
		double t0 = now();
		for (int r = 0; r < ROUNDS; r++)
			for (uint32_t i = 0; i < NADDR; i++)
				sink += machine_ref_phys(&m, addr[i], 0);
		double rate = (double)ROUNDS * NADDR / (now() - t0);
		best = rate > best ? rate : best;
	}
	printf("cache-model %s: %.0f M refs/s\n", name, best / 1e6);
	if (sink == 1) // keeps the loop from being optimised away
		printf("\n");
	machine_free(&m);
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
	bench_stream("sequential", &p, addr);
	for (uint32_t i = 0; i < NADDR; i++)
		addr[i] = xorshift(&s) % (32u << 10);
	bench_stream("random-32K", &p, addr);
	for (uint32_t i = 0; i < NADDR; i++)
		addr[i] = xorshift(&s) % (16u << 20);
	bench_stream("random-16M", &p, addr);
	free(addr);
	return 0;
}
