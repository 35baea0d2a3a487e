// replay.h: real programs, from valgrind traces.
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
// Three layers, each usable alone (docs/replay.md has the details):
//  - a streamed reader (constant memory, any length, a file or a pipe):
//    include/lackey.h, src/lackey.c;
//  - `osarch cachesim`: a trace-driven cache simulator following
//    cachegrind's model (I1, D1, LL), built of the project's caches;
//  - `osarch replay`: the program's references run through the machine
//    model with translation, and each system call runs an architecture's
//    path for it in the same machine state.
#ifndef OSARCH_REPLAY_H
#define OSARCH_REPLAY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "cache.h"
#include "machine.h"
#include "profile.h"
#include "lackey.h"

// ---- cachesim: cachegrind's model on the project's caches ----

enum cs_kind { CS_IR, CS_DR, CS_DW, CS__N };  // instruction read, data read, data write
enum cs_level { CS_L1, CS_L2, CS_LL, CS_LEVELS }; // CS_L2 only on a three-level machine

struct cs_counts {
	uint64_t refs[CS__N];
	uint64_t miss[CS__N][CS_LEVELS]; // references that missed in that level
	uint64_t lines;                  // trace lines read
	uint64_t syscalls;               // system-call records seen (not simulated)
	uint64_t skipped;                // malformed lines skipped (lenient)
};

struct cachesim {
	struct cache i1_store, d1_store, l2_store, ll_store;
	struct cache *i1, *d1;  // the same cache when the machine's L1 is unified
	struct cache *l2;       // a middle level, or NULL (cachegrind has none)
	struct cache *ll;       // the last level
	uint32_t dmax;          // largest data reference: the smallest line size
	struct cs_counts c;
};

// Two levels, cachegrind's shape: I1 and D1, then a unified LL looked up
// on an L1 miss. Geometries as cache_geom (repl LRU for cachegrind).
// Returns 0, or -1 when a geometry is not a cache (message in err).
int cachesim_init(struct cachesim *cs, const struct cache_geom *i1, const struct cache_geom *d1,
		  const struct cache_geom *ll, char *err, size_t errlen);
// A machine profile's hierarchy: L1i/L1d (or one unified L1), L2, L3 when
// present, each level looked up on a miss of the one above; the profile's
// replacement policies. No translation: trace addresses are physical.
int cachesim_init_profile(struct cachesim *cs, const struct profile *p, char *err, size_t errlen);
void cachesim_free(struct cachesim *cs);
// One reference, counted as cachegrind counts it (see docs/replay.md).
void cachesim_ref(struct cachesim *cs, int kind, uint64_t addr, uint32_t size);
// Every record of r. Returns 0, 2 on a malformed trace (r->error), 1 on a
// read error.
int cachesim_run(struct cachesim *cs, struct trace_reader *r);

// "size,assoc,line" (size may carry K/M) into g (LRU, present). 0, -1 when
// it is not that, -2 outside a machine profile's limits (CACHE_* in profile.h).
int cachesim_parse_geom(const char *text, struct cache_geom *g);

// ---- replay: user references and system calls under architectures ----

// What a system call runs: the workload its class maps to (docs/replay.md).
enum replay_class {
	RC_READ,    // read, pread64, readv, preadv       -> read
	RC_WRITE,   // write, pwrite64, writev, pwritev   -> write
	RC_OPEN,    // open, openat, creat                -> open-close, its open half
	RC_CLOSE,   // close                              -> open-close, its close half
	RC_STAT,    // stat, fstat, lstat, newfstatat ... -> stat
	RC_NULL,    // getpid, getuid, gettid ...         -> null
	RC_MEM,     // brk, mremap, mprotect ...          -> null (growth is paid at first touch)
	RC_FORK,    // fork, vfork, clone, clone3         -> fork
	RC_GENERIC, // anything else                      -> null, and listed by name
	RC_FAULT,   // first touch of a page (not a call) -> pagefault
	// (issue 23; after RC_FAULT so that the CSV's calls_* columns only grow)
	RC_MMAP,      // mmap, mmap2                      -> mmap, its mmap half (the faults are first touches)
	RC_MUNMAP,    // munmap                           -> mmap, its munmap half
	RC_KILL,      // kill, tkill, tgkill              -> signal, its kill and delivery half
	RC_SIGRETURN, // rt_sigreturn, sigreturn          -> signal, its sigreturn half
	RC_SIGACTION, // rt_sigaction, sigaction          -> sigaction
	RC_SELECT,    // select, pselect6, poll, ppoll    -> select-10
	RC_SEND,      // sendto, sendmsg, send            -> udp-rr, its send half
	RC_RECV,      // recvfrom, recvmsg, recv          -> udp-rr, its receive half (waits for the NIC)
	RC__N
};
extern const char *const replay_class_names[RC__N];
// The class of a system call named as valgrind names it ("sys_read" or "read").
int replay_classify(const char *name);

// Command entry points (argv[0] is the command name). Exit status: 0, 2 on
// bad usage or input (a malformed trace, an unknown architecture), 1 on an
// internal failure.
int cmd_cachesim(int argc, char **argv);
int cmd_replay(int argc, char **argv);

#endif
