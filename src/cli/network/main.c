/* hull-network: hull's network commands alone, `hull-network setup|teardown|...` as `hull network` and
 * `hull-network switch run` as `hull switch run`.  Bundles' network hooks run it because it loads what
 * networks need (json-c, libmnl, libnftables) and not libcurl, libarchive or OpenSSL, whose loading
 * would be paid at every container's start and stop. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/hull/cli.h"
#include "util/log.h"

extern const struct hull_command cmd_network, cmd_switch;

int main(int argc, char **argv)
{
	struct hull_cli cli = {0};
	const struct hull_command *cmd = &cmd_network;
	bool debug = false;

	/* --debug before the command, as `hull --debug network ...`. */
	if (argc > 1 && strcmp(argv[1], "--debug") == 0) {
		debug = true;
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	hull_log_init("hull-network", NULL, HULL_LOG_TEXT, debug);
	if (argc > 1 && (strcmp(argv[1], "--version") == 0)) {
		printf("hull-network version %s\n", HULL_VERSION);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "switch") == 0) {
		cmd = &cmd_switch;
		argv++;
		argc--;
	}
	if (cli_help_requested(cmd->summary, cmd->help, argc, argv))
		return 0;
	return cmd->run(&cli, argc, argv);
}
