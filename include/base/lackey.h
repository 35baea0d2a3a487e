// lackey.h: the reader of valgrind lackey traces (src/base/lackey.c), and its
// common record read inline by the loops that run a whole trace (cachesim,
// replay). The trace's format is described in include/cmd/replay.h.
#ifndef OSARCH_LACKEY_H
#define OSARCH_LACKEY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

// ---- the reader ----

enum trace_kind {
	TR_END,     // end of the trace
	TR_INSN,    // I: instruction fetch
	TR_LOAD,    // L
	TR_STORE,   // S
	TR_MODIFY,  // M: read-modify-write of one location
	TR_SYSCALL, // a system call (its first line; completions are skipped)
	TR_ERROR,   // a malformed line (strict mode) or a read error: see reader.error
};

#define TRACE_NAME_LEN 32

struct trace_rec {
	int kind;            // enum trace_kind
	uint64_t addr;
	uint32_t size;       // bytes (0 in the trace is read as 1, as cachegrind does)
	int64_t nr;          // TR_SYSCALL: the number valgrind printed
	char name[TRACE_NAME_LEN]; // TR_SYSCALL: the name without "sys_" ("read", "exit_group")
};

#define TRACE_BUF_BYTES (1u << 20) // the reader's buffer; a longer line is truncated

struct trace_reader {
	int fd, own_fd;
	char name[512];      // for messages: the path, or "<stdin>"
	char *buf;           // read(2) buffer, or the mapped file (mapped)
	size_t len, pos;     // valid bytes in buf; start of the next line
	int mapped;          // a regular file, mapped whole: no copy, no refill
	int general_only;    // tests: every line through the general parser (no fast path)
	int eof, skip_rest;  // input exhausted; discarding the tail of an over-long line
	int lenient;         // skip malformed lines (counted) instead of failing
	uint64_t line;       // number of the line last read (1-based)
	uint64_t skipped;    // malformed lines skipped (lenient)
	uint64_t first_bad;  // line number of the first one skipped
	int io_error;        // TR_ERROR came from read(2), not from the trace
	char error[800];     // "TRACE:LINE: error: ..." (TR_ERROR; first skipped line if lenient)
};

// Opens path ("-": standard input). Returns 0, or -1 with err ("cannot
// open ...") when the file cannot be opened or memory is short.
int trace_open(struct trace_reader *r, const char *path, int lenient, char *err, size_t errlen);
// The next record. TR_ERROR: r->error says where and why (exit 2, or 1
// when r->io_error). Lines that are not records (valgrind's messages, blank
// lines, system-call completions) are skipped.
int trace_next(struct trace_reader *r, struct trace_rec *rec);
// trace_next without its fast path for the common record (trace_next_inline
// below calls it for every other line).
int trace_next_general(struct trace_reader *r, struct trace_rec *rec);
void trace_close(struct trace_reader *r);

// ---- the common record, inline ----
//
// "I  ADDR,SIZE" or " L|S|M ADDR,SIZE", read inline by the loops that run a
// whole trace; every other line goes through trace_next_general.

#define TRACE_MAX_SIZE 65536u // a larger size is not a memory reference

// ---- the common record, parsed eight bytes at a time ----
//
// "I  ADDR,SIZE\n" or " L|S|M ADDR,SIZE\n": the address's digits are
// found, checked and converted as two 8-byte words (SWAR), so neither a
// loop per character nor a memchr for the line's end runs first; with a
// loop per character the parser took 63% of cachesim's time, most of it
// in the exit branch (8 digits for code, 10 for data, alternating).

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static inline uint64_t load64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8); // little-endian: p[0] is the low byte
	return v;
}

// 0x80 in the lowest byte of x that is zero (bytes above it may be
// flagged wrongly by the borrow; only the lowest is used).
static inline uint64_t zero_byte(uint64_t x) { return (x - ONES) & ~x & HIGHS; }

// 0x80 in each byte b of x with m < b < n (exact per byte; bithacks
// "hasbetween", for 0 <= m <= 127, 0 <= n <= 128).
static inline uint64_t between(uint64_t x, unsigned m, unsigned n)
{
	uint64_t l = x & (ONES * 127);
	return (ONES * (127 + n) - l) & ~x & (l + ONES * (127 - m)) & HIGHS;
}

// 0x80 in each byte of x that is a hexadecimal digit.
static inline uint64_t hex_bytes(uint64_t x)
{
	return between(x, '0' - 1, '9' + 1) | between(x | (ONES * 0x20), 'a' - 1, 'f' + 1);
}

// The value of the n (0..8) hexadecimal digits in the low bytes of x, the
// first digit the most significant.
static inline uint64_t hex8(uint64_t x, unsigned n)
{
	if (n == 0)
		return 0;
	x = (x & (ONES * 0x0f)) + 9 * ((x >> 6) & ONES); // each byte its digit's value
	if (n < 8)
		x = (x & ((1ull << (8 * n)) - 1)) << (8 * (8 - n)); // right-align: leading zeros
	x = ((x & 0x000f000f000f000full) << 4) | ((x & 0x0f000f000f000f00ull) >> 8);
	x = ((x & 0x000000ff000000ffull) << 8) | ((x & 0x00ff000000ff0000ull) >> 16);
	x = ((x & 0x000000000000ffffull) << 16) | ((x & 0x0000ffff00000000ull) >> 32);
	return x;
}

// Reads the record at r->pos when it is the common kind; returns its kind,
// or -1 for anything else (blanks, a message, an error), which the general
// path then reads. Needs FAST_MARGIN bytes ahead: no bound is checked.
#define FAST_MARGIN 32 // "I  " + 16 digits + "," + 6 digits + "\n" = 27
static inline __attribute__((always_inline)) int fast_record(struct trace_reader *r, struct trace_rec *rec)
{
	const unsigned char *u = (const unsigned char *)r->buf + r->pos;
	int kind;
	// A mapped trace streams from memory: ask for the line a kilobyte
	// ahead (the page boundaries stop the hardware's prefetcher; 9.5
	// against 11-13 ns a record on the 53 M-line trace, parse alone).
	__builtin_prefetch(u + 1024);
	if (u[2] != ' ')
		return -1;
	if (u[0] == 'I' && u[1] == ' ')
		kind = TR_INSN;
	else if (u[0] == ' ' && u[1] == 'L')
		kind = TR_LOAD;
	else if (u[0] == ' ' && u[1] == 'S')
		kind = TR_STORE;
	else if (u[0] == ' ' && u[1] == 'M')
		kind = TR_MODIFY;
	else
		return -1;
	const unsigned char *q = u + 3;
	uint64_t lo = load64(q);
	// The commonest record by far (96% of a gzip trace): eight digits and a
	// one-digit size, "I  0401b778,7\n". Its shape is checked byte by byte
	// (predictable branches) and its digits as one word, skipping the
	// comma search, the per-length masks and the size loop.
	if (u[11] == ',' && (unsigned)(u[12] - '1') < 9u && u[13] == '\n') {
		if (hex_bytes(lo) != HIGHS)
			return -1;
		r->pos += 14;
		r->line++;
		rec->addr = hex8(lo, 8);
		rec->size = (uint32_t)(u[12] - '0');
		return rec->kind = kind;
	}
	uint64_t hi = load64(q + 8);
	uint64_t cl = zero_byte(lo ^ (ONES * ',')), ch = zero_byte(hi ^ (ONES * ','));
	unsigned nd = cl ? (unsigned)__builtin_ctzll(cl) / 8 : ch ? 8 + (unsigned)__builtin_ctzll(ch) / 8 : 99;
	if (nd == 0 || nd > 16)
		return -1; // no digits, or no comma within 16 (a 17th digit is an error the general path names)
	// The high bit of each of the first n bytes (n = 0..8): the digits'
	// bytes that must be hexadecimal.
	static const uint64_t first_bytes[9] = {
		0, 0x80, 0x8080, 0x808080, 0x80808080, 0x8080808080ull, 0x808080808080ull,
		0x80808080808080ull, HIGHS,
	};
	unsigned nlo = nd < 8 ? nd : 8, nhi = nd - nlo;
	uint64_t need_lo = first_bytes[nlo], need_hi = first_bytes[nhi];
	if ((hex_bytes(lo) & need_lo) != need_lo || (hex_bytes(hi) & need_hi) != need_hi)
		return -1;
	uint64_t a = hex8(lo, nlo);
	if (nhi)
		a = a << (4 * nhi) | hex8(hi, nhi);
	q += nd + 1;
	uint32_t s = 0;
	unsigned ns = 0;
	for (; (unsigned)(*q - '0') < 10u; q++) {
		s = s * 10 + (uint32_t)(*q - '0');
		if (++ns > 6)
			return -1;
	}
	if (!ns || *q != '\n' || s > TRACE_MAX_SIZE)
		return -1;
	r->pos = (size_t)(q + 1 - (const unsigned char *)r->buf);
	r->line++;
	rec->addr = a;
	rec->size = s ? s : 1; // cachegrind reads an undecodable instruction's 0 as 1
	return rec->kind = kind;
}

// The next record: the common kind inline, anything else by the general
// reader (which does not try the common kind again).
static inline __attribute__((always_inline)) int trace_next_inline(struct trace_reader *r,
								   struct trace_rec *rec)
{
	int kind = r->len - r->pos >= FAST_MARGIN && !r->skip_rest && !r->general_only ? fast_record(r, rec) : -1;
	return kind >= 0 ? kind : trace_next_general(r, rec);
}

#endif
