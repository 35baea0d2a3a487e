// gen_lackey.c: a lackey-format trace for `make bench` (cachesim speed):
// N lines shaped like `valgrind --tool=lackey --trace-mem=yes` output of a
// real program: instruction fetches walking code in basic blocks of 1-8
// instructions with a jump between blocks (mostly within an 8 KiB hot
// loop), and about one data reference in three (loads, stores, modifies):
// most to a 4 KiB stack and a 16 KiB heap window that slides, one in
// sixteen anywhere in 4 MiB. Miss rates come out at a few per cent, as
// for real programs (gzip's trace: I1 0.003%, D1 7%); the line mix (8-digit
// code, 10-digit data addresses, as lackey prints them) is what the
// parser's speed depends on.
// Usage: gen_lackey N > FILE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc != 2)
		return fprintf(stderr, "usage: gen_lackey LINES\n"), 2;
	unsigned long long n = strtoull(argv[1], NULL, 10);
	uint64_t x = 88172645463325252ull, pc = 0x0401ab70;
	int left = 0;
	fputs("==1== Lackey, an example Valgrind tool\n", stdout);
	for (unsigned long long i = 0; i < n; i++) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		if (x % 3 == 0) {
			static const char kind[] = "LLSM";
			uint64_t a = (x >> 8) & 1 ? 0x1fff000000ull + ((x >> 12) % 512) * 8
				     : (x >> 9) % 8 ? 0x4a00000000ull + (i >> 10) % (4u << 20) + (x >> 12) % (16u << 10)
						    : 0x4a00000000ull + (x >> 12) % (4u << 20);
			printf(" %c %010llx,%u\n", kind[(x >> 4) % 4], (unsigned long long)a, 1u << ((x >> 40) % 4));
			continue;
		}
		if (left-- <= 0) {
			pc = 0x0401ab70 + ((x >> 20) % 256 ? (x >> 24) % (8u << 10) : (x >> 24) % (256u << 10));
			left = 1 + (int)((x >> 50) % 8);
		}
		unsigned len = 1 + (unsigned)((x >> 30) % 7);
		printf("I  %08llx,%u\n", (unsigned long long)pc, len);
		pc += len;
	}
	return 0;
}
