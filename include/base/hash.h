// hash.h: hashes of bytes (FNV-1a for names and files, a word-wise checksum
// for large blocks). Neither is a defence against forgery.
#ifndef OSARCH_HASH_H
#define OSARCH_HASH_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A64_INIT 0xcbf29ce484222325ull
// FNV-1a, 64 bits, continuing from h (FNV1A64_INIT to start): enough to tell
// two files or configurations apart. A byte at a time (about 1 GB/s).
uint64_t fnv1a64(const void *p, size_t n, uint64_t h);
// A checksum of n bytes that finds damage (a flipped bit, a zeroed or torn
// block) at several bytes a cycle: for blocks too large for fnv1a64's pace.
uint64_t checksum64(const void *p, size_t n);
// splitmix64's output function (Steele, Lea & Flood, OOPSLA 2014; the
// constants are java.util.SplittableRandom's): a bijection in which every
// input bit reaches every output bit. Inline: the TLB model hashes with it
// on every reference.
static inline uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
// splitmix64 itself: a small, seedable generator whose state is one word
// (Vigna's splitmix64.c); the increment is 2^64 over the golden ratio, odd.
#define SPLITMIX64_GAMMA 0x9e3779b97f4a7c15ull
static inline uint64_t splitmix64_next(uint64_t *state)
{
	return mix64(*state += SPLITMIX64_GAMMA);
}

#endif
