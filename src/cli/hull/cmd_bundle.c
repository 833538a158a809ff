#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/hull/cli.h"
#include "image/bundle.h"
#include "util/cleanup.h"

static int run(struct hull_cli *cli, int argc, char **argv)
{
	cleanup_store struct store *store = NULL;
	struct hull_error *err = NULL;
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (sub && strcmp(sub, "create") == 0) {
		if (argc < 4)
			return hull_usage_error("bundle",
						"create takes IMAGE, DIR and, optionally, a command");
		if (hull_open_store(cli, false, &store, &err) < 0 ||
		    image_bundle_create(store, argv[2], argv[3],
					argc > 4 ? (const char *const *)argv + 4 : NULL, &err) < 0)
			return cli_fail(&err);
		return 0;
	}
	if (sub && strcmp(sub, "remove") == 0) {
		if (argc != 3)
			return hull_usage_error("bundle", "remove takes DIR");
		if (hull_open_store(cli, false, &store, &err) < 0 ||
		    image_bundle_remove(store, argv[2], &err) < 0)
			return cli_fail(&err);
		return 0;
	}
	return hull_usage_error("bundle", "expected `create IMAGE DIR` or `remove DIR`");
}

const struct hull_command cmd_bundle = {
    .name = "bundle",
    .run = run,
    .summary = "make an OCI bundle of an image for hull-runtime",
    .help = "Usage: hull bundle create IMAGE DIR [COMMAND [ARG...]]\n"
	    "       hull bundle remove DIR\n\n"
	    "create makes DIR with config.json (the default runtime config with the image's command,\n"
	    "environment, working directory, user and labels) and rootfs, an overlay mount of the image's\n"
	    "layers with a writable layer kept in DIR.  The image's layers stay in the store while the\n"
	    "bundle exists.  A COMMAND replaces the image's Cmd (its Entrypoint stays), as with\n"
	    "`docker run IMAGE COMMAND`.  remove unmounts rootfs and deletes DIR.\n\n"
	    "Example:\n"
	    "  hull bundle create busybox ./b && hull-runtime run --bundle ./b demo\n",
};
