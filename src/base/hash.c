// hash.c: FNV-1a and a word-wise checksum (see include/base/hash.h).
#include <string.h>
#include "hash.h"

// FNV-1a 64: offset basis (FNV1A64_INIT) and prime from the FNV
// specification (IETF draft-eastlake-fnv).
uint64_t fnv1a64(const void *p, size_t n, uint64_t h)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ull;
	return h;
}


// One 8-byte word into a lane: xor, an odd multiply (a bijection, so no
// word is lost), a rotation (so high bits reach the low ones next time).
static uint64_t lane(uint64_t h, uint64_t w)
{
	h = (h ^ w) * SPLITMIX64_GAMMA;
	return h << 31 | h >> 33;
}

// Four lanes of 8-byte words so that four multiplies are in flight at
// once (one lane is a chain of a multiply per 8 bytes); the tail, at most
// 31 bytes, is zero-padded into whole words, and n itself is mixed in so
// that trailing zero bytes still count.
uint64_t checksum64(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h[4] = {1, 2, 3, 4}, w[4];
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		memcpy(w, s + i, 32);
		for (int k = 0; k < 4; k++)
			h[k] = lane(h[k], w[k]);
	}
	memset(w, 0, sizeof w);
	if (n > i) // p may be NULL when n is 0
		memcpy(w, s + i, n - i);
	for (int k = 0; k < 4; k++)
		h[k] = lane(h[k], w[k]);
	return mix64(mix64(mix64(mix64(n ^ h[0]) ^ h[1]) ^ h[2]) ^ h[3]);
}
