// test_walk.c: the walker's counts (traps, mode switches, address-space
// switches, IPC messages) for the six native architectures (monolithic,
// mach, mach-multiserver, l4, l4-multiserver, exokernel) x every workload of
// configs/default.yaml, each derived by hand from the placement and the
// transport steps of the architecture file (the VM architectures that
// experiment also lists are not derived here); small spaces; traces;
// determinism; warm and cold caches; an architecture written only in YAML
// (docs/examples/hybrid.yaml).
//
// The counting rules (the project's contract, implemented by the primitive
// steps of models/walk.c):
//  - trap: every entry from user mode into a kernel: a `trap` or `exception`
//    step taken while in ring 3. A `trap` step in ring 0 (an in-kernel
//    service replying) enters nothing and counts nothing. An interrupt is
//    not a trap; a message the kernel delivers is not a trap.
//  - mode switch: every change of ring: a trap/exception from ring 3, a
//    `leave` to a ring-3 domain from the kernel, an interrupt taken in user
//    mode. `leave` to the kernel's own domain (ring 0 -> 0) is none.
//  - address-space switch: a `space` step whose target's space is not the
//    one loaded; the kernel's space is `global` (mapped everywhere) and
//    never needs one. Per-process domains (app) have one space per process:
//    app, app:peer and app:child are three spaces.
//  - message: one per `message` step.
// A plain call (no rule, same domain instance) counts nothing. A reply uses
// the transport's `return` steps, or its `call` steps with src and dst
// swapped when it has none.
//
// Abbreviations in the derivations: T = trap, M = mode switch, AS =
// address-space switch, msg = message; "T1" is the first trap of the call.
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment.h"
#include "walk.h"

struct expect {
	const char *arch, *workload;
	uint64_t traps, mode, as, msgs;
	const char *derivation;
};

// ---------------------------------------------------------------- fixtures

static struct service_set *g_svc;
static struct profile g_prof;

static int group_setup(void **state)
{
	(void)state;
	struct cfg_error err;
	g_svc = malloc(sizeof *g_svc);
	if (!g_svc)
		return -1;
	if (load_services_default(g_svc, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	if (profile_load(&g_prof, "modern", NULL, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	free(g_svc);
	g_svc = NULL;
	return 0;
}

static struct arch *load_arch(const char *name)
{
	struct cfg_error err;
	struct arch *a = malloc(sizeof *a);
	assert_non_null(a);
	if (arch_load(a, name, g_svc, &err)) {
		free(a);
		fail_msg("arch_load(%s): %s", name, err.msg);
	}
	return a;
}

static void load_workload(struct workload *w, const char *name)
{
	struct cfg_error err;
	if (workload_load(w, name, g_svc, &err))
		fail_msg("workload_load(%s): %s", name, err.msg);
}

// Runs one warm call (warmup 2, reps 1, seed 1) on the modern profile.
static void run_one(const struct arch *a, const struct workload *w, struct run_result *r,
		    struct trace *tr, int cold, uint64_t seed)
{
	struct run_params rp = {.warmup = 2, .reps = 1, .cold = cold, .seed = seed};
	assert_int_equal(run_point(a, w, &g_prof, &rp, r, tr), 0);
}

static void check_rows(const struct expect *rows, size_t n)
{
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		const struct expect *e = &rows[i];
		struct arch *a = load_arch(e->arch);
		struct workload w;
		load_workload(&w, e->workload);
		struct run_result r;
		run_one(a, &w, &r, NULL, 0, 1);
		free(a);
		const struct os_counts *o = &r.os;
		if (o->traps != e->traps || o->mode_switches != e->mode || o->as_switches != e->as ||
		    o->ipc_messages != e->msgs || o->vm_exits || o->hypercalls) {
			print_error("%s %s: got traps=%llu mode=%llu as=%llu msgs=%llu vm_exits=%llu hypercalls=%llu\n"
				    "  expected traps=%llu mode=%llu as=%llu msgs=%llu (0 exits/hypercalls)\n"
				    "  derivation: %s\n",
				    e->arch, e->workload, (unsigned long long)o->traps,
				    (unsigned long long)o->mode_switches, (unsigned long long)o->as_switches,
				    (unsigned long long)o->ipc_messages, (unsigned long long)o->vm_exits,
				    (unsigned long long)o->hypercalls, (unsigned long long)e->traps,
				    (unsigned long long)e->mode, (unsigned long long)e->as,
				    (unsigned long long)e->msgs, e->derivation);
			bad++;
		}
	}
	if (bad)
		fail_msg("%d of %zu rows differ from their derivation", bad, n);
}

#define CHECK_ROWS(rows) check_rows(rows, sizeof rows / sizeof rows[0])

// ---------------------------------------------------------------- monolithic
//
// Domains: app (ring 3, space app, per process), kernel (ring 0, global).
// Every service but peer is in the kernel. Rules: call user->kernel: trap,
// user->user: pipe; fault user->kernel: exception; device kernel: irq.
//   trap      call [trap, copy_in, copy_out]
//             return [copy_in, copy_out, {space: dst}, leave]
//   exception call [exception]  return [{space: dst}, leave]
//   pipe      call [trap, write, copy_in, wakeup, {leave: src}, trap, read,
//             switch, {space: dst}, copy_out, leave]   (no return: swapped)
//   irq       [idle, interrupt, handler (the device node's calls: driver.complete),
//             sched.wakeup, sched.switch]
// Calls between two kernel services are plain calls (same domain).
static const struct expect monolithic_rows[] = {
	{"monolithic", "null", 1, 2, 0, 0,
	 "app->kernel trap (T1, M1); posix.getpid; return: space app is loaded (no AS), leave (M2)"},
	{"monolithic", "read", 1, 2, 0, 0,
	 "trap (T1, M1); posix.read, vfs.read, fs.read, cache.lookup are plain calls in the kernel; "
	 "return leave (M2); the kernel is global: no AS"},
	{"monolithic", "read-disk", 1, 2, 0, 0,
	 "trap (T1, M1); posix..driver.read plain calls; device rule kernel: irq: idle in the "
	 "caller's space, interrupt taken in ring 0 (no M, no T), driver.complete; return leave (M2)"},
	{"monolithic", "write", 1, 2, 0, 0, "as read: trap (T1, M1), plain calls, leave (M2)"},
	{"monolithic", "open-close", 2, 4, 0, 0,
	 "two root calls (open, close), each a trap (T, M) and a leave (M): 2 T, 4 M"},
	{"monolithic", "stat", 1, 2, 0, 0, "trap (T1, M1), plain calls, leave (M2)"},
	{"monolithic", "pagefault", 1, 2, 0, 0,
	 "fault user->kernel: exception (T1 by exception, M1); mm.alloc/zero, pt.map plain; "
	 "return: space app loaded (no AS), leave (M2)"},
	{"monolithic", "ipc-pingpong", 4, 8, 2, 0,
	 "app->app:peer is user->user: pipe. Call: trap (T1, M1), write, leave src (M2), trap (T2, M3), "
	 "read, switch, space app:peer (AS1), leave (M4). Reply = call steps swapped: T3 M5, M6, T4 M7, "
	 "space app (AS2), M8. pipe has no message step: 0 msgs"},
	{"monolithic", "ctxsw", 2, 4, 2, 0,
	 "yield from app resuming peer: trap (T1, M1), sched.switch plain, return steps to app:peer: "
	 "space app:peer (AS1), leave (M2); yield from peer resuming app: T2 M3, space app (AS2), M4"},
	{"monolithic", "fork", 4, 8, 2, 0,
	 "fork: T1 M1, proc/mm/pt/sched plain, space app loaded, M2; wait resuming child: T2 M3, "
	 "space app:child (AS1), M4; the child's copy-on-write fault: exception T3 M5, mm.alloc and "
	 "pt.map plain, space app:child loaded, leave M6; exit from child resuming app: T4 M7, "
	 "space app (AS2), M8"},
	{"monolithic", "pipe", 4, 8, 2, 0,
	 "four system calls, each trap (T, M) and leave (M): app's write (pipe.write, sched.wakeup "
	 "plain in the kernel), app's read resuming app:peer (return loads app:peer: AS1), peer's "
	 "write (app:peer is running: no switch first), peer's read resuming app (AS2): 4 T, 8 M"},
	{"monolithic", "pipe-4k", 4, 8, 2, 0, "as pipe: the size changes the copies, not the crossings"},
	// ---- the services of issue 23 (lmbench lat_mmap, lat_sig, lat_select,
	// lat_udp; a TCP send; the clock tick). async-irq = call [interrupt],
	// return [{space: dst}, leave]; irq = [idle, interrupt, handler,
	// sched.wakeup, sched.switch].
	{"monolithic", "mmap", 9, 18, 0, 0,
	 "mmap: T1 M1, mm.mmap plain, leave M2; 7 faults on the cached file: exception (T, M), "
	 "mm.fault/cache.lookup/pt.map plain, leave (M): 7 T, 14 M; munmap: T, M, mm.munmap/pt.unmap "
	 "plain, M: 1+7+1 = 9 T, 2+14+2 = 18 M"},
	{"monolithic", "signal", 2, 4, 0, 0,
	 "kill: T1 M1, signal.send, signal.deliver, ukernel.thread_state all kernel (plain), leave M2; "
	 "sigreturn: T2 M3, signal.sigreturn, thread_state plain, M4"},
	{"monolithic", "sigaction", 1, 2, 0, 0, "trap (T1, M1), signal.action plain, leave (M2)"},
	{"monolithic", "select-10", 1, 2, 0, 0, "trap (T1, M1), vfs.select and 10 x vfs.poll plain, leave (M2)"},
	{"monolithic", "select-100", 1, 2, 0, 0, "as select-10: 100 plain calls count nothing"},
	{"monolithic", "udp-rr", 2, 4, 0, 0,
	 "sendto: T1 M1, sock/inet/nic plain, M2; recvfrom: T2 M3; the wait: device kernel: irq, the "
	 "interrupt taken in ring 0 (no M), handler nic.rx/demux plain, wakeup, switch; udp_input plain; M4"},
	{"monolithic", "tcp-send-64k", 1, 48, 0, 0,
	 "send: T1 M1, 46 x (tcp_output, nic.xmit) plain, M2; 23 ACK interrupts from user mode: "
	 "async-irq interrupt (M), nic.rx/demux/tcp_ack plain, leave (M): 46 M; 2 + 46 = 48 M, no trap"},
	{"monolithic", "timer-tick", 0, 2, 0, 0,
	 "interrupt from user mode (M1, not a trap), timer.tick and sched.tick plain, leave (M2)"},
};

static void test_monolithic(void **state)
{
	(void)state;
	CHECK_ROWS(monolithic_rows);
}

// ---------------------------------------------------------------- mach
//
// Domains: app (ring 3, per process), unix (ring 3, space unix), kernel
// (global). posix/vfs/fs/cache/proc/pipe in unix; driver/mm/pt/sched and
// mach-ipc in the kernel; emul in app. Rules: call app->unix: emulated-rpc,
// user->user: ipc, user->kernel: ipc, kernel->user: ipc; fault
// user->kernel: exception; device kernel: irq.
//   ipc          [trap, send, copy_in, message, {space: dst}, copy_out,
//                receive, {leave: dst}]   (reply: swapped)
//   emulated-rpc call [trap, redirect, {leave: src}, emul.rpc, trap, send,
//                copy_in, message, {space: dst}, copy_out, receive, {leave: dst}]
//                return [trap, send, copy_in, message, {space: dst}, copy_out,
//                receive, {leave: dst}, emul.rpc]
// So one Unix call into the server is: T1 M1 (redirect), leave to the
// emulation library M2, T2 M3 (the RPC), msg, AS (app->unix), leave M4;
// and its reply: T3 M5, msg, AS (unix->app), M6: 3 T, 6 M, 2 AS, 2 msgs.
// A call from unix to a kernel service by ipc: trap (T, M), msg, space is
// global (no AS), leave to kernel (ring 0 -> 0: no M); its reply: the trap
// step in ring 0 counts nothing, msg, space unix is still loaded (no AS),
// leave to unix (M): 1 T, 2 M, 0 AS, 2 msgs.
static const struct expect mach_rows[] = {
	{"mach", "null", 3, 6, 2, 2,
	 "emulated-rpc to unix: redirect T1 M1, leave to emul M2, rpc T2 M3 msg1 AS1 M4; "
	 "reply T3 M5 msg2 AS2 M6"},
	{"mach", "read", 3, 6, 2, 2, "emulated-rpc (3 T, 6 M, 2 AS, 2 msgs); vfs/fs/cache in unix: plain"},
	{"mach", "read-disk", 4, 8, 2, 4,
	 "emulated-rpc call T1 M1 M2 T2 M3 msg1 AS1 M4; cache.miss (unix) -> driver.read (kernel) "
	 "user->kernel ipc: T3 M5 msg2, kernel global (no AS), leave to kernel (no M); irq in the "
	 "kernel (no T, no M); driver reply: trap in ring 0 (no T) msg3, unix still loaded (no AS), "
	 "leave M6; emulated-rpc reply T4 M7 msg4 AS2 M8"},
	{"mach", "write", 3, 6, 2, 2, "emulated-rpc; vfs/fs/cache in unix: plain"},
	{"mach", "open-close", 6, 12, 4, 4, "two emulated RPCs (open, close), each 3 T, 6 M, 2 AS, 2 msgs"},
	{"mach", "stat", 3, 6, 2, 2, "one emulated RPC; lookups in unix: plain"},
	{"mach", "pagefault", 1, 2, 0, 0,
	 "mm in the kernel: fault user->kernel: exception (T1, M1); alloc/zero/map plain; "
	 "return: space app loaded, leave (M2)"},
	{"mach", "ipc-pingpong", 2, 4, 2, 2,
	 "app->app:peer: user->user ipc (app->unix does not match): T1 M1 msg1 AS1 M2; reply T2 M3 msg2 AS2 M4"},
	{"mach", "ctxsw", 8, 16, 4, 8,
	 "per yield: emulated-rpc call (T, T; M x4; 1 msg; AS to unix), sched.switch in the kernel by "
	 "ipc (1 T, 2 M, 2 msgs, 0 AS), emulated reply to the other process (T, 2 M, msg, AS): "
	 "4 T, 8 M, 2 AS, 4 msgs; two yields (app->unix matches app:peer too)"},
	{"mach", "fork", 15, 30, 6, 16,
	 "fork: RPC call (2 T, 4 M, 1 msg, 1 AS) + mm.dup ipc (1 T, 2 M, 2 msgs) + sched.wakeup ipc "
	 "(1 T, 2 M, 2 msgs) + reply (1 T, 2 M, 1 msg, 1 AS) = 5 T 10 M 6 msgs 2 AS; wait: call + "
	 "sched.switch + reply to app:child = 4 T 8 M 4 msgs 2 AS; the child's copy-on-write fault "
	 "(mm in the kernel): exception 1 T 2 M, no AS; exit from child: call + mm.teardown "
	 "+ sched.switch + reply to app = 5 T 10 M 6 msgs 2 AS"},
	{"mach", "pipe", 16, 32, 8, 16,
	 "four Unix calls, each an emulated RPC to unix (3 T, 6 M, 2 AS, 2 msgs; the reads' replies "
	 "go to the other process, still one AS each way): 12 T 24 M 8 AS 8 msgs; pipe.write and "
	 "pipe.read run in unix, their sched.wakeup and sched.switch are in the kernel: 4 unix->kernel "
	 "ipc round trips (1 T, 2 M, 2 msgs, no AS each): 16 T 32 M 8 AS 16 msgs"},
	{"mach", "pipe-4k", 16, 32, 8, 16, "as pipe"},
	// ---- issue 23. emulated-rpc: call T2 M4 AS1 msg1 (trap, redirect, leave
	// src, trap, send, message, space unix, leave dst), return T1 M2 AS1 msg1.
	// unix->kernel ipc: T1 M1 msg1 (leave to the kernel: no M), its reply (the
	// swapped steps) msg1 M1 (trap in ring 0: none; space unix loaded): T1 M2
	// msg2. kernel->unix ipc: msg1 AS1 M1, reply T1 M1 msg1. ktrap: T1 M2.
	{"mach", "mmap", 22, 44, 18, 22,
	 "mmap and munmap: emulated-rpc call + return (T3 M6 AS2 msg2), mm in the kernel (unix->kernel "
	 "ipc T1 M2 msg2): T4 M8 AS2 msg4 each. Each of the 7 faults: exception (T, M), mm.fault in the "
	 "kernel asks the pager: cache.lookup in unix (kernel->unix ipc msg AS M, reply T M msg), "
	 "pt.map plain, return space app (AS), leave (M): T2 M4 AS2 msg2. 4+14+4 = 22 T, "
	 "8+28+8 = 44 M, 2+14+2 = 18 AS, 4+14+4 = 22 msgs"},
	{"mach", "signal", 8, 16, 4, 4,
	 "kill: emulated-rpc call T2 M4 AS1 msg1; signal.send/deliver in unix; the server rewrites the "
	 "thread: ukernel.thread_state by ktrap T1 M2; return T1 M2 AS1 msg1: T4 M8 AS2 msg2. sigreturn "
	 "the same: 8 T, 16 M, 4 AS, 4 msgs"},
	{"mach", "sigaction", 3, 6, 2, 2, "emulated-rpc call (T2 M4 AS1 msg1) + return (T1 M2 AS1 msg1)"},
	{"mach", "select-10", 3, 6, 2, 2, "as sigaction: the Unix server owns the descriptors; 10 polls plain"},
	{"mach", "select-100", 3, 6, 2, 2, "as select-10"},
	{"mach", "udp-rr", 8, 16, 4, 7,
	 "sendto: call T2 M4 AS1 msg1, nic.xmit in the kernel (unix->kernel ipc T1 M2 msg2), return T1 "
	 "M2 AS1 msg1: T4 M8 AS2 msg4. recvfrom: call T2 M4 AS1 msg1; the server waits (device unix: "
	 "irq-msg: trap T M, idle, interrupt in ring 0, handler nic.rx/demux in the kernel, send, message "
	 "msg, space unix loaded, leave M): T1 M2 msg1; return T1 M2 AS1 msg1: T4 M8 AS2 msg3. 8/16/4/7"},
	{"mach", "tcp-send-64k", 72, 190, 48, 140,
	 "send: call T2 M4 AS1 msg1 + 46 x nic.xmit (T1 M2 msg2) + return T1 M2 AS1 msg1 = T49 M98 AS2 "
	 "msg94; 23 ACKs: interrupt (M), nic.rx/demux kernel, tcp_ack in unix (kernel->unix ipc msg AS "
	 "M, reply T M msg), return space app (AS) leave (M): T1 M4 AS2 msg2 each = T23 M92 AS46 msg46"},
	{"mach", "timer-tick", 0, 2, 0, 0, "the clock is the kernel's: interrupt (M1), tick plain, leave (M2)"},
	// Option server=kernel: posix/vfs/fs/cache/proc/pipe in unix-kernel
	// {ring 0, global}; rules app->unix-kernel: emulated-rpc,
	// unix-kernel->kernel: ipc. The emulated RPC's send into a ring-0
	// global domain switches no space and leaves to ring 0 (no M); its
	// reply's trap step runs in ring 0 (no T); ipc between the server and
	// the kernel: only messages (both ring 0, global).
	{"mach:server=kernel", "null", 2, 4, 0, 2,
	 "redirect T1 M1, leave to emul M2, rpc T2 M3 msg1 (unix-kernel is global: no AS; leave to "
	 "ring 0: no M); reply: trap in ring 0 (no T), msg2, app's space still loaded (no AS), leave M4"},
	{"mach:server=kernel", "read-disk", 2, 4, 0, 4,
	 "the emulated RPC as null (2 T, 4 M, 2 msgs); cache.miss (unix-kernel) -> driver.read "
	 "(kernel): ipc, no trap, no switch, no M, msg3; irq in the kernel; the reply msg4"},
	{"mach:server=kernel", "pipe", 8, 16, 2, 16,
	 "four emulated RPCs (2 T, 4 M, 2 msgs each); the two reads' replies resume the other "
	 "process (AS1 to app:peer, AS2 to app); four unix-kernel<->kernel ipc round trips for "
	 "sched.wakeup/switch: 2 msgs each, no trap: 8 T, 16 M, 2 AS, 8 + 8 msgs"},
};

static void test_mach(void **state)
{
	(void)state;
	CHECK_ROWS(mach_rows);
}

// ---------------------------------------------------------------- mach-multiserver
//
// Domains: app (per process), personality (space unix), fs (space fs),
// drivers (space drivers), kernel (global). posix/vfs/proc/pipe in
// personality; fs/cache in fs; driver/mm/pt/sched and mach-ipc in the
// kernel (option driver=user: driver in drivers); emul in app. Rules: call
// app->personality: emulated-rpc (the default entry=emulation, as mach),
// user->user, user->kernel, kernel->user: ipc; fault user->kernel:
// exception; device kernel: irq, user: irq-ipc. ipc and emulated-rpc as in
// mach (ipc: no return, swapped).
//   app<->personality emulated RPC: T1 M1 (redirect), leave to the
//       emulation library M2, T2 M3 msg AS M4; reply T3 M5 msg AS M6:
//       3 T, 6 M, 2 AS, 2 msgs.
//   user->user ipc round trip: T M msg AS M there, T M msg AS M back:
//       2 T, 4 M, 2 AS, 2 msgs.
//   user->kernel ipc round trip (callee in the global kernel): T M msg
//       there (no AS, leave to ring 0 no M); back: trap in ring 0 counts
//       nothing, msg, space of the caller still loaded (no AS), leave M:
//       1 T, 2 M, 0 AS, 2 msgs.
//   irq-ipc [trap, receive, idle, interrupt, message, {space: src},
//       {leave: src}, driver.complete]: T M msg (space already src) M.
// Option entry=direct replaces the emulated RPC by ipc (2 T, 4 M): one trap
// and two mode switches fewer per Unix call.
static const struct expect mach_multiserver_rows[] = {
	{"mach-multiserver", "null", 3, 6, 2, 2, "one emulated RPC app<->personality: 3 T, 6 M, 2 AS, 2 msgs"},
	{"mach-multiserver:entry=direct", "null", 2, 4, 2, 2, "app<->personality ipc round trip: 2 T, 4 M, 2 AS, 2 msgs"},
	{"mach-multiserver", "read", 5, 10, 4, 4,
	 "emulated RPC app<->personality (3 T, 6 M, 2 AS, 2 msgs), personality<->fs ipc round trip for "
	 "fs.read (2 T, 4 M, 2 AS, 2 msgs); cache.lookup in fs plain"},
	{"mach-multiserver", "read-disk", 6, 12, 4, 6,
	 "emulated RPC app->personality (T1 T2, AS1, M1-M4, msg1), personality->fs ipc (T3, AS2, msg2), "
	 "fs->kernel driver ipc (T4, no AS: kernel is global, no M back into ring 0 on leave, msg3), "
	 "disk wait idle in the kernel with fs loaded (irq: no T, no M), driver reply delivered (no T, "
	 "no AS, msg4, M on leave to fs), fs->personality (T5, AS3, msg5), personality->app reply of "
	 "the RPC (T6, AS4, msg6) => 6 T, 4 AS, 6 msgs; M: 4 + 2 + 1 + 1 + 2 + 2 = 12"},
	{"mach-multiserver:driver=user", "read-disk", 8, 16, 6, 7,
	 "emulated RPC to personality (T1 T2 AS1), personality->fs (T3 AS2), fs->drivers user->user "
	 "ipc (T4 AS3); device rule user: irq-ipc: the driver's receive T5 M, interrupt in ring 0 "
	 "(no M), msg, drivers space still loaded (no AS), leave M; drivers->fs (T6 AS4), "
	 "fs->personality (T7 AS5), RPC reply to app (T8 AS6); msgs: 6 crossings + 1 interrupt "
	 "message = 7; M = 2 x 8"},
	{"mach-multiserver", "write", 5, 10, 4, 4, "as read: the emulated RPC and the personality<->fs round trip"},
	{"mach-multiserver", "open-close", 12, 24, 10, 10,
	 "open: emulated RPC (3 T), personality<->fs for fs.lookup and for fs.getattr (vfs.lookup is "
	 "in personality): 2 round trips (4 T); close: emulated RPC (3 T), personality<->fs for "
	 "fs.release (2 T): 12 T, 24 M, 2 x 5 AS, 2 x 5 msgs"},
	{"mach-multiserver", "stat", 7, 14, 6, 6,
	 "emulated RPC (3 T 2 AS 2 msgs), personality<->fs (lookup), personality<->fs (getattr): 2 x "
	 "(2 T 2 AS 2 msgs)"},
	{"mach-multiserver", "pagefault", 1, 2, 0, 0,
	 "mm in the kernel: exception (T1 M1), plain calls, return space app loaded, leave M2"},
	{"mach-multiserver", "ipc-pingpong", 2, 4, 2, 2,
	 "app<->app:peer ipc round trip (app->personality does not match: the peer is in app)"},
	{"mach-multiserver", "pipe", 16, 32, 8, 16,
	 "four emulated RPCs app<->personality (3 T, 6 M, 2 AS, 2 msgs) = 12 T 24 M 8 AS 8 msgs; the "
	 "pipe in the personality, its sched.wakeup/switch in the kernel: 4 user->kernel round trips "
	 "(1 T, 2 M, 2 msgs) = 16 T 32 M 8 AS 16 msgs"},
	{"mach-multiserver", "pipe-4k", 16, 32, 8, 16, "as pipe"},
	{"mach-multiserver", "ctxsw", 8, 16, 4, 8,
	 "per yield: emulated RPC call to personality (T T M M M M msg AS), sched.switch in the kernel "
	 "(user->kernel round trip: 1 T, 2 M, 2 msgs), reply to the other process (T M msg AS M): 4 T, "
	 "8 M, 2 AS, 4 msgs; x2"},
	{"mach-multiserver", "fork", 15, 30, 6, 16,
	 "fork: emulated RPC (3 T 6 M 2 AS 2 msgs) + mm.dup and sched.wakeup in the kernel "
	 "(2 x (1 T 2 M 2 msgs)) = 5 T 10 M 2 AS 6 msgs; wait: RPC to app:child + sched.switch "
	 "= 4 T 8 M 2 AS 4 msgs; the child's copy-on-write fault: exception (1 T 2 M); exit: RPC + "
	 "mm.teardown + sched.switch = 5 T 10 M 2 AS 6 msgs"},
	// ---- issue 23. The application reaches the personality through the
	// emulation library, as under mach (emulated-rpc: call T2 M4 AS1 msg1,
	// return T1 M2 AS1 msg1); personality->kernel ipc and back: T1 M2 msg2.
	// Every count is mach's: the personality is where mach's Unix server is.
	{"mach-multiserver", "mmap", 22, 44, 18, 22,
	 "mmap and munmap: emulated-rpc call + return (T3 M6 AS2 msg2), mm in the kernel (T1 M2 msg2): "
	 "T4 M8 AS2 msg4 each; 7 faults as mach (the pager is cache's server, fs): T2 M4 AS2 msg2 each. "
	 "4+14+4 = 22 T, 8+28+8 = 44 M, 2+14+2 = 18 AS, 4+14+4 = 22 msgs"},
	{"mach-multiserver", "signal", 8, 16, 4, 4,
	 "kill: call T2 M4 AS1 msg1, thread_state ktrap T1 M2, return T1 M2 AS1 msg1; sigreturn the same"},
	{"mach-multiserver", "sigaction", 3, 6, 2, 2, "call T2 M4 AS1 msg1, return T1 M2 AS1 msg1"},
	{"mach-multiserver", "select-10", 3, 6, 2, 2, "as sigaction (the personality owns the descriptors)"},
	{"mach-multiserver", "select-100", 3, 6, 2, 2, "as select-10"},
	{"mach-multiserver", "udp-rr", 8, 16, 4, 7,
	 "sendto: T2 M4 AS1 msg1 + xmit in the kernel T1 M2 msg2 + T1 M2 AS1 msg1; recvfrom: T2 M4 AS1 "
	 "msg1 + the personality's wait (irq-msg) T1 M2 msg1 + T1 M2 AS1 msg1: 8/16/4/7"},
	{"mach-multiserver", "tcp-send-64k", 72, 190, 48, 140,
	 "send: T2 M4 AS1 msg1 + 46 x (T1 M2 msg2) + T1 M2 AS1 msg1 = T49 M98 AS2 msg94; 23 ACKs as "
	 "mach: T23 M92 AS46 msg46"},
	{"mach-multiserver", "timer-tick", 0, 2, 0, 0, "as mach: the clock is in the kernel"},
};

static void test_mach_multiserver(void **state)
{
	(void)state;
	CHECK_ROWS(mach_multiserver_rows);
}

// ---------------------------------------------------------------- l4
//
// Domains: app (per process), linux (space linux), kernel (global). Every
// Unix service and the driver in linux. Rules: call user->user, user->kernel:
// ipc; fault user->user: pager-ipc; device user: irq-ipc.
//   ipc       [trap, l4-ipc.call, copy_in, message, {space: dst}, copy_out,
//             {leave: dst}]   (reply: swapped)   round trip 2 T 4 M 2 AS 2 msgs
//   pager-ipc call [exception, fault, message, {space: dst}, {leave: dst}]
//             return [trap, call, map, message, {space: dst}, {leave: dst}]
//   irq-ipc   [trap, call, idle, interrupt, message, {space: src},
//             {leave: src}, driver.complete]
static const struct expect l4_rows[] = {
	{"l4", "null", 2, 4, 2, 2, "app->linux ipc T1 M1 msg1 AS1 M2; reply T2 M3 msg2 AS2 M4"},
	{"l4", "read", 2, 4, 2, 2, "one app<->linux round trip; everything else plain in linux"},
	{"l4", "read-disk", 3, 6, 2, 3,
	 "app->linux T1 M1 msg1 AS1 M2; driver.read in linux, device rule user: irq-ipc: the "
	 "server's interrupt thread receives (T2 M3), interrupt in ring 0 (no M) delivered as msg2, "
	 "linux still loaded (no AS), leave M4; reply linux->app T3 M5 msg3 AS2 M6"},
	{"l4", "write", 2, 4, 2, 2, "one round trip"},
	{"l4", "open-close", 4, 8, 4, 4, "two round trips (open, close)"},
	{"l4", "stat", 2, 4, 2, 2, "one round trip"},
	{"l4", "pagefault", 2, 4, 2, 2,
	 "fault user->user (mm in linux): pager-ipc: exception T1 M1, msg1, space linux AS1, leave M2; "
	 "alloc/zero/map plain in linux; return: pager's reply trap T2 M3, map, msg2, space app AS2, leave M4"},
	{"l4", "ipc-pingpong", 2, 4, 2, 2, "app<->app:peer ipc round trip"},
	{"l4", "ctxsw", 4, 8, 4, 4,
	 "yield app->linux (T AS), sched.switch plain, reply to app:peer (T AS); yield app:peer->linux "
	 "(T AS), reply to app (T AS): 2 round trips"},
	{"l4", "fork", 8, 16, 8, 8,
	 "four root calls (fork, wait resuming child, the child's copy-on-write fault, exit from "
	 "child resuming app), each one round trip to linux (2 T, 4 M, 2 AS, 2 msgs): the fault "
	 "by pager-ipc (exception T, msg, AS, M x2; the pager's reply T, msg, AS, M x2); "
	 "proc/mm/pt/sched plain in linux"},
	{"l4", "pipe", 8, 16, 8, 8,
	 "four Unix calls, each one ipc round trip to linux (2 T, 4 M, 2 AS, 2 msgs); the pipe and "
	 "the wake-up and switch of the blocked reader are the server's work (plain in linux)"},
	{"l4", "pipe-4k", 8, 16, 8, 8, "as pipe"},
	// ---- issue 23. ipc: T1 M2 AS1 msg1 each way; pager-ipc call T1 M2 AS1
	// msg1, return T1 M2 AS1 msg1; ktrap T1 M2; async-irq-ipc call [interrupt
	// M, message, space linux AS, leave M], return [trap T M, space app AS, leave M].
	{"l4", "mmap", 18, 36, 18, 18,
	 "mmap: ipc there and back (T2 M4 AS2 msg2), mm.mmap in linux; each of the 7 faults: pager-ipc "
	 "to the Linux server and its reply with the map item (T2 M4 AS2 msg2), cache.lookup and "
	 "pt.map plain there; munmap T2 M4 AS2 msg2: 2+14+2 = 18 of each, M 36"},
	{"l4", "signal", 6, 12, 4, 4,
	 "kill: ipc T1 M2 AS1 msg1, the server rewrites the thread (lthread_ex_regs: ktrap T1 M2), reply "
	 "T1 M2 AS1 msg1; sigreturn the same"},
	{"l4", "sigaction", 2, 4, 2, 2, "ipc there and back"},
	{"l4", "select-10", 2, 4, 2, 2, "ipc there and back; the polls are the server's plain calls"},
	{"l4", "select-100", 2, 4, 2, 2, "as select-10"},
	{"l4", "udp-rr", 5, 10, 4, 5,
	 "sendto: ipc there and back T2 M4 AS2 msg2 (the driver is the server's); recvfrom: T1 M2 AS1 "
	 "msg1, the server's wait (irq-ipc: trap T M, idle, interrupt, message msg, space linux loaded, "
	 "leave M) T1 M2 msg1, reply T1 M2 AS1 msg1: 5/10/4/5"},
	{"l4", "tcp-send-64k", 25, 96, 48, 25,
	 "send: ipc there and back T2 M4 AS2 msg2; 23 ACKs: async-irq-ipc call M2 AS1 msg1, handler "
	 "plain in linux, return T1 M2 AS1: T1 M4 AS2 msg1 each = 23/92/46/23"},
	{"l4", "timer-tick", 1, 4, 2, 1,
	 "the tick is a message to the server's interrupt thread (M, msg, AS linux, M), tick plain "
	 "there, the thread waits again (T, M) and the kernel switches back (AS app, M)"},
};

static void test_l4(void **state)
{
	(void)state;
	CHECK_ROWS(l4_rows);
}

// ---------------------------------------------------------------- l4-multiserver
//
// Domains: app, personality (space unix), fs, drivers, kernel (global).
// posix/vfs/proc/pipe/sched/mm/pt in personality; fs/cache in fs; driver in
// drivers. Transports and rules as l4.
static const struct expect l4_multiserver_rows[] = {
	{"l4-multiserver", "null", 2, 4, 2, 2, "app<->personality round trip"},
	{"l4-multiserver", "read", 4, 8, 4, 4, "app<->personality, personality<->fs: 2 round trips"},
	{"l4-multiserver", "read-disk", 7, 14, 6, 7,
	 "app->personality (T1 AS1), personality->fs (T2 AS2), fs->drivers (T3 AS3), irq-ipc: "
	 "the driver's receive T4, interrupt message, drivers loaded (no AS); drivers->fs (T5 AS4), "
	 "fs->personality (T6 AS5), personality->app (T7 AS6); msgs 6 + 1; M 2 per trap"},
	{"l4-multiserver", "write", 4, 8, 4, 4, "2 round trips"},
	{"l4-multiserver", "open-close", 10, 20, 10, 10,
	 "open: app, fs.lookup, fs.getattr round trips; close: app, fs.release: 5 round trips"},
	{"l4-multiserver", "stat", 6, 12, 6, 6, "app, fs.lookup, fs.getattr: 3 round trips"},
	{"l4-multiserver", "pagefault", 2, 4, 2, 2,
	 "mm in personality: pager-ipc exception T1 M1 msg1 AS1 M2; alloc/zero/map plain; reply T2 M3 msg2 AS2 M4"},
	{"l4-multiserver", "ipc-pingpong", 2, 4, 2, 2, "app<->app:peer round trip"},
	{"l4-multiserver", "ctxsw", 4, 8, 4, 4, "sched in personality: two yields, each one round trip"},
	{"l4-multiserver", "fork", 8, 16, 8, 8,
	 "proc/mm/pt/sched in personality: 4 root calls (fork, wait, the child's copy-on-write "
	 "fault by pager-ipc, exit), each one round trip"},
	{"l4-multiserver", "pipe", 8, 16, 8, 8,
	 "pipe and sched in the personality: four app<->personality round trips"},
	{"l4-multiserver", "pipe-4k", 8, 16, 8, 8, "as pipe"},
	// ---- issue 23. Each ipc T1 M2 AS1 msg1; net and clock are servers of their own.
	{"l4-multiserver", "mmap", 32, 64, 32, 32,
	 "mmap: to the personality and back 2/4/2/2; each fault: pager-ipc to the personality and "
	 "back (2/4/2/2) plus cache.lookup in fs, ipc there and back (2/4/2/2): 4/8/4/4 x 7; munmap "
	 "2/4/2/2: 2+28+2 = 32 T, 64 M, 32 AS, 32 msgs"},
	{"l4-multiserver", "signal", 6, 12, 4, 4, "as l4: ipc there, ktrap, ipc back, twice"},
	{"l4-multiserver", "sigaction", 2, 4, 2, 2, "ipc there and back"},
	{"l4-multiserver", "select-10", 2, 4, 2, 2, "ipc there and back"},
	{"l4-multiserver", "select-100", 2, 4, 2, 2, "ipc there and back"},
	{"l4-multiserver", "udp-rr", 8, 16, 8, 8,
	 "sendto: 2/4/2/2 with the personality plus nic.xmit in net (ipc there and back 2/4/2/2); "
	 "recvfrom: 2/4/2/2 plus the wait (irq-to-driver: trap T M, interrupt, message, space net AS, "
	 "leave M, handler in net, trap T M, message, space personality AS, leave M: T2 M4 AS2 msg2)"},
	{"l4-multiserver", "tcp-send-64k", 163, 372, 186, 163,
	 "send: 2/4/2/2 plus 46 x nic.xmit in net (2/4/2/2 each) = 94/188/94/94; 23 ACKs: interrupt "
	 "to net (M2 AS1 msg1), tcp_ack in the personality (ipc there and back 2/4/2/2), return (T1 M2 "
	 "AS1): 3/8/4/3 each = 69/184/92/69"},
	{"l4-multiserver", "timer-tick", 3, 8, 4, 3,
	 "interrupt to the timer server (M2 AS1 msg1), sched.tick in the personality (ipc there and "
	 "back 2/4/2/2), the timer thread waits again (T1 M2 AS1)"},
};

static void test_l4_multiserver(void **state)
{
	(void)state;
	CHECK_ROWS(l4_multiserver_rows);
}

// ---------------------------------------------------------------- exokernel
//
// Domains: app (per process), libos (ring 3, the same space as app, per
// process: the library OS), kernel (global). The library OS (posix, vfs,
// fs, cache, mm, proc, pipe, sched) is in libos; pt, driver, exo in the
// kernel; three operations apart from their services: mm.alloc and
// mm.zero (the kernel allocates, binds and scrubs physical pages) and
// cache.dirty (the shared buffer-cache registry) in the kernel. Rules: call
// app->libos: libcall, user->kernel: secure-call, user->user: pct; fault
// app->libos: upcall; device kernel: irq.
//   libcall     call [copy_in, copy_out]  return [copy_in, copy_out]
//               (no trap, no switch: a procedure call that copies)
//   secure-call call [trap, exo.check]  return [{space: dst}, leave]
//   pct         [trap, exo.pct, copy_in, message, {space: dst}, copy_out,
//               {leave: dst}]  (reply: swapped)
//   upcall      call [exception, exo.dispatch, {leave: dst}]  return []
// A libcall's reply loads no space, so a call that resumes another process
// (yield, wait, a read that blocks) crosses to it by the rule for libos ->
// that process's app: pct.
static const struct expect exokernel_rows[] = {
	{"exokernel", "null", 0, 0, 0, 0, "app->libos libcall, posix.getpid, libcall back: no kernel"},
	{"exokernel", "read", 0, 0, 0, 0,
	 "libcall (the 4 KiB result copied on the way back); vfs/fs/cache plain in libos"},
	{"exokernel", "read-disk", 1, 2, 0, 0,
	 "libcall; library OS plain calls down to cache.miss; driver.read in the kernel: secure-call "
	 "T1 M1; device kernel: irq (ring 0, no M); return: space app loaded (no AS), leave M2"},
	{"exokernel", "write", 1, 2, 0, 0,
	 "libcall (4 KiB copied in); posix/vfs/fs.write plain in libos; cache.dirty updates the "
	 "shared registry in the kernel: secure-call T1 M1, exo.check; return leave M2"},
	{"exokernel", "open-close", 0, 0, 0, 0, "all in libos"},
	{"exokernel", "stat", 0, 0, 0, 0, "all in libos"},
	{"exokernel", "pagefault", 3, 6, 0, 0,
	 "fault app->libos: upcall: exception T1 M1, dispatch, leave M2; mm.fault in libos; mm.alloc "
	 "in the kernel: secure-call T2 M3, mm.zero plain in the kernel, return leave M4 (app's space "
	 "loaded: no AS); pt.map in the kernel: secure-call T3 M5, leave M6; upcall return: no steps"},
	{"exokernel", "ipc-pingpong", 2, 4, 2, 2,
	 "app->app:peer: pct T1 M1 msg1 AS1 M2; reply swapped T2 M3 msg2 AS2 M4"},
	{"exokernel", "pipe", 2, 4, 2, 2,
	 "every write and read a libcall; pipe and sched in libos (the shared pipe buffer, no kernel); "
	 "each read that blocks resumes the other process: pct (T M msg AS M), twice"},
	{"exokernel", "pipe-4k", 2, 4, 2, 2, "as pipe"},
	{"exokernel", "ctxsw", 2, 4, 2, 2,
	 "yield by libcall, sched.switch plain in libos; resuming app:peer: pct T1 M1 msg1 AS1 M2; "
	 "the second yield resumes app: pct T2 M3 msg2 AS2 M4"},
	{"exokernel", "fork", 7, 14, 2, 2,
	 "fork: libcall, proc.fork, mm.dup in libos, pt.copy by secure-call (T1 M1 M2); wait resumes "
	 "app:child by pct (T2 M3 msg1 AS1 M4); the child's copy-on-write fault: upcall T3 M5 M6, "
	 "mm.alloc in the kernel by secure-call (T4 M7 M8), pt.map by secure-call (T5 M9 M10); exit "
	 "in app:child: pt.clear by secure-call (T6 M11 M12), resumes app by pct (T7 M13 msg2 AS2 M14)"},
	// ---- issue 23. The library OS has signals, sockets, protocols and the
	// descriptors; the kernel has the NIC driver, the clock and the packet
	// filter. upcall-deliver (kernel->user): dispatch, space, leave (M), no return.
	{"exokernel", "mmap", 15, 30, 0, 0,
	 "mmap in the library (plain); 7 faults: upcall exception (T, M) and leave (M), cache.lookup "
	 "in the library, pt.map by secure-call (T, M, return M): T2 M4 each; munmap: pt.unmap by "
	 "secure-call (T1 M2): 15 T, 30 M"},
	{"exokernel", "signal", 2, 4, 0, 0,
	 "kill, delivery and sigreturn are library code; the two ukernel.thread_state are secure calls "
	 "(T1 M2 each)"},
	{"exokernel", "sigaction", 0, 0, 0, 0, "signal.action is library code: no crossing"},
	{"exokernel", "select-10", 0, 0, 0, 0, "the library OS owns the descriptors: no crossing"},
	{"exokernel", "select-100", 0, 0, 0, 0, "as select-10"},
	{"exokernel", "udp-rr", 2, 4, 0, 0,
	 "sendto: the library's protocol, nic.xmit by secure-call (T1 M2); recvfrom: the library "
	 "sleeps in the kernel (irq-wait: trap T M, idle, interrupt in ring 0, handler nic.rx and the "
	 "DPF demux in the kernel, exo.wake, leave M); udp_input in the library"},
	{"exokernel", "tcp-send-64k", 46, 138, 0, 0,
	 "46 x nic.xmit by secure-call (T M M) = 46 T 92 M; 23 ACKs: interrupt (M), nic.rx and demux "
	 "in the kernel, tcp_ack upcalled to the library (leave M; no way back), async return leave "
	 "(already in user mode: no M): 46 M"},
	{"exokernel", "timer-tick", 0, 2, 0, 0,
	 "interrupt (M1), timer.tick in the kernel, the library's sched.tick by upcall (leave M2)"},
};

static void test_exokernel(void **state)
{
	(void)state;
	CHECK_ROWS(exokernel_rows);
}

// ---------------------------------------------------------------- hybrid (YAML only)
//
// docs/examples/hybrid.yaml: app (per process), drivers (ring 3, space
// drivers), kernel (global). Everything but the driver (and peer) in the
// kernel; driver in drivers. Rules: call user->kernel: trap, kernel->user:
// ipc, user->user: pipe; fault user->kernel: exception; device kernel: irq,
// user: irq-ipc.
//   trap    as monolithic: call [trap, copy_in, copy_out]
//           return [copy_in, copy_out, {space: dst}, leave]
//   ipc     [trap, send, copy_in, message, {space: dst}, copy_out, receive,
//           {leave: dst}]  (reply: swapped)
//   irq-ipc [trap, receive, idle, interrupt, message, {space: src},
//           {leave: src}, driver.complete]
static const struct expect hybrid_rows[] = {
	{"docs/examples/hybrid.yaml", "read", 1, 2, 0, 0,
	 "app->kernel trap (T1 M1); vfs/fs/cache plain in the kernel; return: app loaded (no AS), leave M2"},
	{"docs/examples/hybrid.yaml", "read-disk", 3, 6, 2, 3,
	 "trap (T1 M1); cache.miss (kernel) -> driver.read (drivers): kernel->user ipc: the trap "
	 "step in ring 0 enters nothing, msg1, space drivers (AS1), leave M2; irq-ipc: the driver "
	 "server's receive T2 M3, interrupt in ring 0, msg2, drivers loaded (no AS), leave M4; "
	 "driver reply drivers->kernel (swapped): T3 M5, msg3, kernel global (no AS), leave to ring 0 "
	 "(no M); system-call return: space app (AS2: the driver server's space was loaded), leave M6"},
};

// Every workload of configs/default.yaml has a derived row for each of the
// six architectures above, and each of them is in that experiment. (The VM
// architectures the experiment also lists are not derived here.)
static void test_tables_cover_default_experiment(void **state)
{
	(void)state;
	static const struct {
		const struct expect *rows;
		size_t n;
	} tables[] = {
		{monolithic_rows, sizeof monolithic_rows / sizeof monolithic_rows[0]},
		{mach_rows, sizeof mach_rows / sizeof mach_rows[0]},
		{mach_multiserver_rows, sizeof mach_multiserver_rows / sizeof mach_multiserver_rows[0]},
		{l4_rows, sizeof l4_rows / sizeof l4_rows[0]},
		{l4_multiserver_rows, sizeof l4_multiserver_rows / sizeof l4_multiserver_rows[0]},
		{exokernel_rows, sizeof exokernel_rows / sizeof exokernel_rows[0]},
	};
	struct experiment e;
	struct cfg_error err;
	if (experiment_load(&e, "configs/default.yaml", &err))
		fail_msg("%s", err.msg);
	int missing = 0;
	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
		const char *arch = tables[t].rows[0].arch;
		if (strlist_find(&e.archs, arch) < 0) {
			print_error("%s is not in configs/default.yaml\n", arch);
			missing++;
		}
		for (int wi = 0; wi < e.workloads.n; wi++) {
			size_t i;
			for (i = 0; i < tables[t].n; i++)
				if (!strcmp(tables[t].rows[i].arch, arch) &&
				    !strcmp(tables[t].rows[i].workload, e.workloads.v[wi]))
					break;
			if (i == tables[t].n) {
				print_error("no derived row for %s %s\n", arch, e.workloads.v[wi]);
				missing++;
			}
		}
	}
	experiment_free(&e);
	assert_int_equal(missing, 0);
}

static void test_hybrid_yaml(void **state)
{
	(void)state;
	struct arch *a = load_arch("docs/examples/hybrid.yaml");
	assert_string_equal(a->name, "hybrid");
	assert_string_equal(a->family, "hybrid");
	// The driver is in a ring-3 domain of its own space, the file system in ring 0.
	int drv = placement_of(a, service_find(&a->svc, "driver"));
	int fs = placement_of(a, service_find(&a->svc, "fs"));
	assert_true(drv >= 0 && fs >= 0);
	assert_int_equal(a->dom[drv].ring, 3);
	assert_int_not_equal(a->dom[drv].space_id, 0);
	assert_int_equal(a->dom[fs].ring, 0);
	free(a);
	CHECK_ROWS(hybrid_rows);
}

// ---------------------------------------------------------------- small spaces
//
// l4 with the Linux server in an L4 small space (domain flag small: true,
// set here on the loaded architecture): entering it is a segment switch,
// which counts as an address-space switch but writes no CR3.
//   null: app->linux ipc: T1 M1 msg1, space linux: segment 0 -> linux (AS1,
//   no CR3 write), leave M2; reply: T2 M3 msg2, space app: CR3 already
//   holds app but a small space is entered, so leaving it is a switch
//   (AS2, segment reset, no CR3 write), leave M4 => 2 T, 4 M, 2 AS, 2 msgs,
//   0 CR3 writes (the ordinary l4 writes CR3 twice: linux, then app).
static void test_small_space_counts_without_cr3_write(void **state)
{
	(void)state;
	struct arch *a = load_arch("l4");
	struct workload w;
	load_workload(&w, "null");
	struct run_result big, small;
	run_one(a, &w, &big, NULL, 0, 1);
	int linux_dom = arch_domain_find(a, "linux");
	assert_true(linux_dom >= 0);
	a->dom[linux_dom].small = 1;
	run_one(a, &w, &small, NULL, 0, 1);
	free(a);
	assert_int_equal(big.os.as_switches, 2);
	assert_int_equal(big.hw.cr3_writes, 2);
	assert_int_equal(small.os.traps, 2);
	assert_int_equal(small.os.mode_switches, 4);
	assert_int_equal(small.os.as_switches, 2);
	assert_int_equal(small.os.ipc_messages, 2);
	assert_int_equal(small.hw.cr3_writes, 0);
}

// ---------------------------------------------------------------- traces

// Keeps only the crossing rows of a trace (not work, copies, monitor trips
// or continuations), in order.
static void keep_crossings(struct trace *tr)
{
	int k = 0;
	for (int i = 0; i < tr->n; i++)
		if (tr->step[i].kind == TK_CROSS && !tr->step[i].cont)
			tr->step[k++] = tr->step[i];
	tr->n = k;
}

struct want_step {
	const char *from, *to, *transport;
	int trapped;
};

// The lecture's picture of a Mach multi-server disk read: seven crossings.
static void test_trace_mach_multiserver_read_disk(void **state)
{
	(void)state;
	static const struct want_step want[] = {
		{"app", "personality", "emulated-rpc", 1},
		{"personality", "fs", "ipc", 1},
		{"fs", "kernel", "ipc", 1},
		{"kernel", "kernel", "irq", 0},  // the disk interrupt, taken in the kernel
		{"kernel", "fs", "ipc", 0},      // the in-kernel driver's reply: delivered
		{"fs", "personality", "ipc", 1},
		{"personality", "app", "emulated-rpc", 1},
	};
	struct arch *a = load_arch("mach-multiserver");
	struct workload w;
	load_workload(&w, "read-disk");
	struct trace *tr = malloc(sizeof *tr);
	assert_non_null(tr);
	struct run_result r;
	run_one(a, &w, &r, tr, 0, 1);
	uint64_t traps = 0;
	for (int i = 0; i < tr->n; i++)
		traps += tr->step[i].os.traps;
	keep_crossings(tr); // the work and copy rows between them aside
	assert_int_equal(tr->n, 7);
	for (int i = 0; i < tr->n; i++) {
		const struct trace_step *s = &tr->step[i];
		if (strcmp(s->from, want[i].from) || strcmp(s->to, want[i].to) ||
		    strcmp(s->transport, want[i].transport) || s->trapped != want[i].trapped)
			fail_msg("step %d: got %s -> %s %s trapped=%d, wanted %s -> %s %s trapped=%d", i + 1,
				 s->from, s->to, s->transport, s->trapped, want[i].from, want[i].to,
				 want[i].transport, want[i].trapped);
	}
	// The steps' counts add up to the call's: the emulated RPC's call
	// traps twice (redirection, then the RPC), every other trapped step once.
	assert_int_equal(traps, r.os.traps);
	assert_int_equal(r.os.traps, 6);
	free(tr);
	free(a);
}

// The L4Linux server, while it waits for the disk interrupt, enters the
// kernel once: its interrupt thread's receive (a trap). The interrupt
// itself is delivered to it as a message (an interrupt, not a trap), into
// the server's space, which is still loaded.
static void test_trace_l4_server_waits_for_irq(void **state)
{
	(void)state;
	struct arch *a = load_arch("l4");
	struct workload w;
	load_workload(&w, "read-disk");
	struct trace *tr = malloc(sizeof *tr);
	assert_non_null(tr);
	struct run_result r;
	run_one(a, &w, &r, tr, 0, 1);
	keep_crossings(tr);
	assert_int_equal(tr->n, 3); // app->linux ipc, linux->linux irq-ipc, linux->app ipc
	const struct trace_step *s = &tr->step[1];
	assert_string_equal(s->from, "linux");
	assert_string_equal(s->to, "linux");
	assert_string_equal(s->transport, "irq-ipc");
	assert_int_equal(s->trapped, 1);
	assert_int_equal(s->os.traps, 1);         // one kernel entry: the receive
	assert_int_equal(s->os.mode_switches, 2); // into the kernel, back to the server
	assert_int_equal(s->os.as_switches, 0);   // linux's space stays loaded
	assert_int_equal(s->os.ipc_messages, 1);  // the interrupt message
	free(tr);
	free(a);
}

static void counts_of(const char *arch, const char *wl, struct os_counts *o)
{
	struct arch *a = load_arch(arch);
	struct workload w;
	load_workload(&w, wl);
	struct run_result r;
	run_one(a, &w, &r, NULL, 0, 1);
	*o = r.os;
	free(a);
}

// monolithic read-disk: one trap (the read), no address-space switch (the
// kernel is global and the disk wait idles in the caller's space).
static void test_monolithic_read_disk(void **state)
{
	(void)state;
	struct os_counts o;
	counts_of("monolithic", "read-disk", &o);
	assert_int_equal(o.traps, 1);
	assert_int_equal(o.as_switches, 0);
}

// exokernel read: the library OS serves a cached read in the application:
// no kernel entry at all.
static void test_exokernel_read_no_trap(void **state)
{
	(void)state;
	struct os_counts o;
	counts_of("exokernel", "read", &o);
	assert_int_equal(o.traps, 0);
	assert_int_equal(o.mode_switches, 0);
}

// ---------------------------------------------------------------- issue 23

// Device time from the machine profile, and the wake-up path. Monolithic
// read-disk on modern: the device wait's transport (irq: idle, interrupt,
// handler = driver.complete, sched.wakeup, sched.switch) is one crossing
// row, and nothing precedes its idle step, so the wake-up path (idle to the
// end of the device wait) is that row's cycles. The work row after it holds
// the four plain returns driver.read -> cache.miss -> fs.read -> vfs.read ->
// posix.read, CALL_INSTRUCTIONS (4) each: 16 instructions, 16 x cpi cycles
// with warm caches: not part of the wake-up path. The wait itself is the profile's disk latency (80 us in
// modern, inherited from the defaults), 20.8 us for the NIC, and a
// profile's own value replaces it.
static void test_device_time_and_wake_path(void **state)
{
	(void)state;
	struct arch *a = load_arch("monolithic");
	struct workload w;
	load_workload(&w, "read-disk");
	struct trace *tr = malloc(sizeof *tr);
	assert_non_null(tr);
	struct run_result r;
	run_one(a, &w, &r, tr, 0, 1);
	int irq = -1;
	for (int i = 0; i < tr->n; i++)
		if (!strcmp(tr->step[i].transport, "irq"))
			irq = i;
	assert_true(irq >= 0 && irq + 1 < tr->n);
	assert_true(fabs(r.os.wake_cycles - counters_cycles(&tr->step[irq].hw)) < 1e-6);
	assert_true(fabs(counters_cycles(&tr->step[irq + 1].hw) - 16 * g_prof.cpi) < 1e-6);
	assert_true(r.os.wake_cycles > 0);
	assert_true(fabs(r.os.io_wait_usec - g_prof.dev.disk_usec) < 1e-9);
	assert_true(fabs(g_prof.dev.disk_usec - 80) < 1e-9);
	// A slower disk in the profile: the same cycles, a longer wait.
	struct profile slow = g_prof;
	slow.dev.disk_usec = 5000;
	struct run_params rp = {.warmup = 2, .reps = 1, .seed = 1};
	struct run_result r2;
	assert_int_equal(run_point(a, &w, &slow, &rp, &r2, NULL), 0);
	assert_true(fabs(r2.os.io_wait_usec - 5000) < 1e-9);
	assert_true(fabs(r2.cycles - r.cycles) < 1e-9);
	// No device, no wake-up path.
	load_workload(&w, "read");
	run_one(a, &w, &r, NULL, 0, 1);
	assert_true(r.os.wake_cycles == 0 && r.os.io_wait_usec == 0);
	// The NIC's round trip.
	load_workload(&w, "udp-rr");
	run_one(a, &w, &r, NULL, 0, 1);
	assert_true(fabs(r.os.io_wait_usec - 20.8) < 1e-9);
	assert_true(r.os.wake_cycles > 0);
	free(tr);
	free(a);
}

// select's cost grows with the descriptors: select-100 runs 90 more
// vfs.poll than select-10, each 40 instructions (models/services.yaml) plus
// a plain call and its return (CALL_INSTRUCTIONS 4 each): 90 x 48 = 4,320;
// and its bitmaps are 13 bytes instead of 2: each of the trap's four copies
// (in and out on the call, in and out on the return) is 16 + bytes/8
// instructions, one more each: 4. 4,324 instructions in all.
static void test_select_grows_with_descriptors(void **state)
{
	(void)state;
	struct arch *a = load_arch("monolithic");
	struct workload w;
	struct run_result r10, r100;
	load_workload(&w, "select-10");
	run_one(a, &w, &r10, NULL, 0, 1);
	load_workload(&w, "select-100");
	run_one(a, &w, &r100, NULL, 0, 1);
	assert_int_equal(r100.hw.instructions - r10.hw.instructions, 4324);
	free(a);
}

// An architecture file written before a service existed still loads: the
// hybrid example places neither signal nor nic; they go where their
// placed_with services (posix) are: its kernel.
static void test_placed_with(void **state)
{
	(void)state;
	struct arch *a = load_arch("docs/examples/hybrid.yaml");
	int posix = service_find(&a->svc, "posix");
	for (const char *const *n = (const char *const[]){"signal", "sock", "inet", "nic", "demux", NULL}; *n; n++)
		assert_int_equal(placement_of(a, service_find(&a->svc, *n)), placement_of(a, posix));
	int entry = service_find(&a->svc, "entry");
	assert_int_equal(placement_of(a, service_find(&a->svc, "timer")), placement_of(a, entry));
	free(a);
}

// ---------------------------------------------------------------- determinism

static void test_same_seed_same_result(void **state)
{
	(void)state;
	struct arch *a = load_arch("mach-multiserver");
	struct workload w;
	load_workload(&w, "read-disk");
	struct run_result r1, r2;
	memset(&r1, 0xa5, sizeof r1); // run_point must set every byte (it memsets the result)
	memset(&r2, 0x5a, sizeof r2);
	run_one(a, &w, &r1, NULL, 0, 7);
	run_one(a, &w, &r2, NULL, 0, 7);
	assert_memory_equal(&r1, &r2, sizeof r1);
	// A different seed: the walker's counts never depend on the machine.
	struct run_result r3;
	run_one(a, &w, &r3, NULL, 0, 8);
	assert_memory_equal(&r1.os, &r3.os, sizeof r1.os);
	free(a);
}

// A different seed draws different physical frames (a seeded hash of
// space and page); the same seed the same ones. Cycles may or may not
// change with the frames (only cache-set collisions depend on them), so
// they are not compared.
static void test_seed_changes_frames(void **state)
{
	(void)state;
	struct machine m1, m1b, m2;
	assert_int_equal(machine_init(&m1, &g_prof, 1), 0);
	assert_int_equal(machine_init(&m1b, &g_prof, 1), 0);
	assert_int_equal(machine_init(&m2, &g_prof, 2), 0);
	machine_write_cr3(&m1, 1);
	machine_write_cr3(&m1b, 1);
	machine_write_cr3(&m2, 1);
	int differ = 0;
	for (uint64_t page = 0; page < 16; page++) {
		uint64_t va = 0x400000ull + page * 4096 + 0x123;
		uint64_t p1 = machine_paddr(&m1, va), p2 = machine_paddr(&m2, va);
		assert_int_equal(p1, machine_paddr(&m1b, va));
		assert_int_equal(p1 & 0xfff, 0x123); // the offset in the page is kept
		differ += p1 != p2;
		// kernel pages too
		uint64_t kva = m1.kernel_base + page * 4096;
		assert_int_equal(machine_paddr(&m1, kva), machine_paddr(&m1b, kva));
		differ += machine_paddr(&m1, kva) != machine_paddr(&m2, kva);
	}
	assert_true(differ > 0);
	machine_free(&m1);
	machine_free(&m1b);
	machine_free(&m2);
}

// ---------------------------------------------------------------- warm and cold
//
// monolithic null on modern: the cold call (a fresh machine, rp.cold = 1)
// and the warm one (after 2 warm-up calls) run the same steps: the same
// instructions (so the same base cycles, cpi x n) and the same events
// (trap entry and exit; no CR3 write: the app's space stays loaded), so
// the event cycles are equal too. They differ only in stalls: cold, the
// caches and TLBs are empty, so every line the call touches misses to
// DRAM and every page it touches needs a page walk; warm, the call's few
// lines (entry stubs, posix.getpid, the task and kernel-stack lines; the
// workload has no app working set between calls) were loaded by the
// warm-up calls and nothing evicted them from the 32 KiB L1s, nor their
// translations from the TLBs (the kernel's are global pages). A warm
// reference therefore costs at most what the cold one did, so warm
// cycles <= cold cycles.
static void test_warm_not_slower_than_cold(void **state)
{
	(void)state;
	struct arch *a = load_arch("monolithic");
	struct workload w;
	load_workload(&w, "null");
	struct run_result warm, cold;
	run_one(a, &w, &warm, NULL, 0, 1);
	run_one(a, &w, &cold, NULL, 1, 1);
	assert_int_equal(cold.reps, 1);
	assert_int_equal(warm.hw.instructions, cold.hw.instructions);
	for (int e = 0; e < EV__N; e++)
		assert_int_equal(warm.hw.events[e], cold.hw.events[e]);
	assert_true(cold.hw.l1i_misses > 0); // an empty cache misses on the first fetch
	assert_true(warm.hw.l1i_misses + warm.hw.l1d_misses <= cold.hw.l1i_misses + cold.hw.l1d_misses);
	if (!(warm.cycles <= cold.cycles))
		fail_msg("warm %.0f cycles > cold %.0f cycles", warm.cycles, cold.cycles);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_monolithic),
		cmocka_unit_test(test_mach),
		cmocka_unit_test(test_mach_multiserver),
		cmocka_unit_test(test_l4),
		cmocka_unit_test(test_l4_multiserver),
		cmocka_unit_test(test_exokernel),
		cmocka_unit_test(test_tables_cover_default_experiment),
		cmocka_unit_test(test_hybrid_yaml),
		cmocka_unit_test(test_small_space_counts_without_cr3_write),
		cmocka_unit_test(test_trace_mach_multiserver_read_disk),
		cmocka_unit_test(test_trace_l4_server_waits_for_irq),
		cmocka_unit_test(test_monolithic_read_disk),
		cmocka_unit_test(test_device_time_and_wake_path),
		cmocka_unit_test(test_select_grows_with_descriptors),
		cmocka_unit_test(test_placed_with),
		cmocka_unit_test(test_exokernel_read_no_trap),
		cmocka_unit_test(test_same_seed_same_result),
		cmocka_unit_test(test_seed_changes_frames),
		cmocka_unit_test(test_warm_not_slower_than_cold),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
