/* hull system boot: what a host's boot unit runs. */
#include <stdio.h>
#include <string.h>

#include "cli/hull/cli.h"
#include "engine/engine.h"
#include "util/cleanup.h"

static int run_system(struct hull_cli *cli, int argc, char **argv)
{
	cleanup_store struct store *store = NULL;
	struct engine e;
	struct hull_error *err = NULL;
	size_t started = 0;
	int ret = 0;

	if (argc != 2 || strcmp(argv[1], "boot") != 0)
		return hull_usage_error("system", "expected `boot`");
	if (hull_open_engine(cli, &store, &e, &err) < 0)
		return cli_fail(&err);
	if (engine_boot(&e, &started, &err) < 0) {
		hull_error_wrap(&err, "system boot");
		ret = cli_fail(&err);
	}
	printf("started %zu containers\n", started);
	engine_close(&e);
	return ret;
}

const struct hull_command cmd_system = {
    .name = "system",
    .run = run_system,
    .summary = "boot: start the containers whose restart policy says so",
    .help = "Usage: hull system boot\n\n"
	    "Starts every container with --restart always, and those with unless-stopped that their user\n"
	    "had not stopped, mounting their root filesystems again.  Meant for the host's boot: the\n"
	    "hull.service unit (systemd) and the hull init script (sysvinit) shipped with hull run it.\n",
};
