// replay.h: `osarch replay`: real programs, from valgrind traces, under
// architectures.
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
//    include/base/lackey.h;
//  - `osarch cachesim`: a trace-driven cache simulator following
//    cachegrind's model (I1, D1, LL), built of the project's caches:
//    include/cmd/cachesim.h;
//  - `osarch replay`: the program's references run through the machine
//    model with translation, and each system call runs an architecture's
//    path for it in the same machine state.
#ifndef OSARCH_REPLAY_H
#define OSARCH_REPLAY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "lackey.h"
#include "machine.h"
#include "profile.h"

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
int cmd_replay(int argc, char **argv);

#endif
