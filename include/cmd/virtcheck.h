// virtcheck.h: Popek and Goldberg's virtualizability check on an
// instruction-set table (`osarch virtcheck ISA.yaml`, configs/isa/).
//
// Popek & Goldberg, "Formal Requirements for Virtualizable Third Generation
// Architectures", CACM 17(7), 1974, Theorem 1: an efficient VMM (equivalent,
// in control of the resources, most instructions run directly) can be built
// for a machine if the set of sensitive instructions is a subset of the set
// of privileged instructions. An instruction is
//   - privileged when it traps if executed in the deprivileged mode the guest
//     kernel must run in (user mode; VMX non-root mode for VT-x, where the
//     "trap" is a VM exit);
//   - control-sensitive when it changes the configuration of the machine's
//     resources (memory map, interrupt mask, processor mode, I/O);
//   - behaviour-sensitive when its effect depends on that configuration: on
//     the processor mode, or on where in real memory it runs (location).
// Every sensitive instruction that is not privileged breaks the theorem: the
// monitor never sees it, yet it reads or changes what the monitor controls.
#ifndef OSARCH_VIRTCHECK_H
#define OSARCH_VIRTCHECK_H

#include <stdio.h>
#include "osmodel.h"
#include "yamlcfg.h"

#define ISA_MAX_INSNS 128

// Behaviour-sensitive: on what the instruction's effect depends.
enum isa_behaviour { BEH_NONE, BEH_MODE, BEH_LOCATION, BEH_BOTH, BEH__N };
extern const char *const isa_behaviour_names[BEH__N + 1];

// What the instruction does when executed in the deprivileged mode.
enum isa_unpriv {
	UNPRIV_TRAP,        // a trap (exception) into the most privileged software
	UNPRIV_EXIT,        // a VM exit (VMX non-root): the monitor's trap
	UNPRIV_NOOP,        // silently does nothing (or part of its work)
	UNPRIV_DIFFERENT,   // completes, with a different result than in supervisor mode
	UNPRIV_SAME,        // does exactly what it does in supervisor mode
	UNPRIV_GUEST_STATE, // completes on the guest's own copy of the state (hardware virtualised)
	UNPRIV__N
};
extern const char *const isa_unpriv_names[UNPRIV__N + 1];

// "none" then the osarch sensitive-operation kinds (enum sensitive), in order.
extern const char *const isa_op_names[SENS__N + 2];

struct isa_insn {
	char name[NAME_LEN];       // "mov-cr3", "popf"
	char description[160];     // what it is ("MOV to CR3: load the page-table root")
	int privileged;            // traps (or exits) in the deprivileged mode
	int control_sensitive;
	int behaviour;             // enum isa_behaviour
	int unprivileged;          // enum isa_unpriv
	int op;                    // 0: none; k+1: osarch sensitive kind k (enum sensitive)
	int iopl;                  // privilege depends on IOPL (the monitor keeps IOPL < guest CPL)
	char why[320];             // why it is sensitive (required when it is)
	char source[200];
	int line;                  // 1-based line of its entry (messages)
};

struct isa {
	char name[NAME_LEN];
	char description[320];
	char mode[160];            // the deprivileged mode a guest kernel runs in
	char source[600];          // where the table comes from
	struct isa_insn insn[ISA_MAX_INSNS];
	int n;
};

// Loads and checks an ISA file: unknown keys, wrong types, duplicate or
// missing names, and contradictions (a privileged instruction that does not
// trap, a sensitive one without `why` ...) are `path:line:col: error: ...`.
// Returns 0 or -1 with err.
int isa_load(struct isa *isa, const char *path, struct cfg_error *err);

static inline int isa_sensitive(const struct isa_insn *i)
{
	return i->control_sensitive || i->behaviour != BEH_NONE;
}

// The theorem's verdict: the number of sensitive instructions that are not
// privileged (0: virtualizable). `breaking`, if not NULL, receives their
// indices in table order.
int isa_check(const struct isa *isa, int *breaking);

// Prints the verdict and the instructions that break the theorem. The
// first line is a contract: "verdict: virtualizable" or "verdict: not
// virtualizable (N sensitive unprivileged instructions)".
void isa_report(FILE *f, const struct isa *isa);

// `osarch virtcheck ISA.yaml` (argv[0] is "virtcheck"): 0, 2 on bad input, 1 internal.
int virtcheck_main(int argc, char **argv);

#endif
