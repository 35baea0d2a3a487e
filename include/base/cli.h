// cli.h: what every osarch program does on the way out, how `osarch`
// hands a command to one of its optional programs, and a command's --help
// and usage errors.
#ifndef OSARCH_CLI_H
#define OSARCH_CLI_H

// Flushes stdout; a failed write (a full disk, a closed pipe) turns an exit
// status of 0 into 1 with a message, so no command exits 0 with lost output.
int cli_finish(int rc);

// `osarch scale` and `osarch calibrate` live in programs of their own
// (osarch-scale with SimGrid, osarch-calibrate with PAPI) beside the
// `osarch` binary, so that the commands needing neither library do not load
// it. Replaces this process with PROG from the directory of the running
// binary, passing argv (argv[0] is the command's name); returns only when
// PROG is not there (a build without its library): then it prints which
// package brings it (`what` names the library, `deb` and `rpm` the
// Debian/Ubuntu and Fedora packages) and returns 2.
int cli_exec_sibling(const char *prog, const char *what, const char *deb, const char *rpm,
		     int argc, char **argv);

// 1 when an argument is --help or -h (argv[0] is the command's name).
int cli_wants_help(int argc, char **argv);
// "osarch: " and the message (fmt with one string argument) on stderr, then
// the command's usage; returns 2, the exit status of bad usage.
int cli_bad_usage(const char *usage, const char *fmt, const char *arg);

#endif
