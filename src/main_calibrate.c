// main_calibrate.c: osarch-calibrate, the program behind `osarch calibrate`
// (PAPI): kept out of the osarch binary so that other commands do not load
// PAPI (include/base/cli.h).
#include "calibrate.h"
#include "cli.h"

int main(int argc, char **argv) { return cli_finish(cmd_calibrate(argc, argv)); }
