/* hull machine's subcommands that live in files of their own. */
#ifndef HULL_CLI_HULL_MACHINE_CLI_H
#define HULL_CLI_HULL_MACHINE_CLI_H

#include "cli/hull/cli.h"

/* machine create NAME --from IMAGE|DIR|TARBALL [settings]; argv[0] is "create". */
int machine_create_cmd(struct hull_cli *cli, int argc, char **argv);
/* machine bootstrap NAME SUITE [--variant V] [--include PKG,...] [settings]. */
int machine_bootstrap_cmd(struct hull_cli *cli, int argc, char **argv);

#endif
