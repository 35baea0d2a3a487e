// main_scale.c: osarch-scale, the program behind `osarch scale` (SimGrid):
// kept out of the osarch binary so that other commands do not load SimGrid
// and its libraries (include/base/cli.h).
#include "cli.h"
#include "scale.h"

int main(int argc, char **argv) { return cli_finish(cmd_scale(argc, argv)); }
