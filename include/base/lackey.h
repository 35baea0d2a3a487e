// lackey.h: the streamed reader of valgrind lackey traces (src/base/lackey.c),
// which `osarch cachesim` and `osarch replay` both read.
//
// valgrind's lackey tool writes every instruction fetch and data access of a
// program, and with --trace-syscalls=yes its system calls, in program order:
//
//   valgrind --tool=lackey --trace-mem=yes [--trace-syscalls=yes] --log-fd=3 PROG 3>trace.txt
//
//   I  0401b778,7                      instruction fetch: address (hex), bytes
//    L 1ffefffd28,8                    load
//    S 1ffefffd20,8                    store
//    M 0403a0c8,4                      modify (a load and a store of one location)
//   SYSCALL[9387,1](0) sys_read ( 4, 0x1ffeffed98, 832 ) --> [async] ...
//   SYSCALL[9387,1](0) ... [async] --> Success(0x340)        (completion: ignored)
//   ==9387== ...                       valgrind's own messages (ignored)
//
// The reader keeps constant memory whatever the trace's length, from a file
// (mapped) or a pipe (docs/replay.md has the details).
#ifndef OSARCH_LACKEY_H
#define OSARCH_LACKEY_H

#include <stddef.h>
#include <stdint.h>

// ---- the trace reader ----

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
// trace_next without its fast path for the common record (lackeyfast.h's
// trace_next_inline calls it for every other line).
int trace_next_general(struct trace_reader *r, struct trace_rec *rec);
void trace_close(struct trace_reader *r);

#endif
