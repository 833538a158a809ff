/* Names and removal: tag, rmi, image prune. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/hull/cli.h"
#include "image/store_gc.h"
#include "util/cleanup.h"

static int run_tag(struct hull_cli *cli, int argc, char **argv)
{
	cleanup_store struct store *store = NULL;
	struct hull_error *err = NULL;

	optind = 1;
	if (getopt(argc, argv, "+") != -1)
		return hull_usage_error("tag", "unknown option `%s`", argv[optind - 1]);
	if (argc - optind != 2)
		return hull_usage_error("tag", "expected SOURCE and TARGET");
	if (hull_open_store(cli, false, &store, &err) < 0 ||
	    store_tag(store, argv[optind], argv[optind + 1], &err) < 0)
		return cli_fail(&err);
	return 0;
}

const struct hull_command cmd_tag = {
    .name = "tag",
    .run = run_tag,
    .summary = "give an image another name",
    .help = "Usage: hull tag SOURCE TARGET\n\n"
	    "Example:\n"
	    "  hull tag busybox localhost:5000/tools/busybox:stable\n",
};

static int collect(struct store *store, bool quiet)
{
	struct gc_report r;
	struct hull_error *err = NULL;

	if (store_gc(store, &r, &err) < 0)
		return cli_fail(&err);
	if (!quiet)
		fprintf(stderr, "Removed %zu blobs and %zu layers (%.1f MiB)\n", r.blobs, r.layers,
			(double)r.bytes / (1 << 20));
	return 0;
}

static int run_rmi(struct hull_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {{"force", no_argument, NULL, 'f'}, {NULL, 0, NULL, 0}};
	cleanup_store struct store *store = NULL;
	struct hull_error *err = NULL;
	bool force = false;
	int c, ret = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+f", options, NULL)) != -1) {
		if (c != 'f')
			return hull_usage_error("rmi", "unknown option `%s`", argv[optind - 1]);
		force = true;
	}
	if (optind >= argc)
		return hull_usage_error("rmi", "missing the image");
	/* Exclusive: the collection that follows must not race a pull. */
	if (hull_open_store(cli, true, &store, &err) < 0)
		return cli_fail(&err);
	for (int i = optind; i < argc; i++) {
		size_t removed = 0;
		if (store_untag(store, argv[i], force, &removed, &err) < 0) {
			hull_error_wrap(&err, "rmi `%s`", argv[i]);
			ret = cli_fail(&err);
			continue;
		}
		printf("Untagged %s\n", argv[i]);
	}
	return collect(store, true) || ret;
}

const struct hull_command cmd_rmi = {
    .name = "rmi",
    .run = run_rmi,
    .summary = "remove images and the layers no other image uses",
    .help = "Usage: hull rmi [-f] IMAGE...\n\n"
	    "A name removes that name; an id removes the image, which needs -f when it has several\n"
	    "names.  Blobs and layers that no image or bundle needs any more are deleted.\n\n"
	    "Example:\n"
	    "  hull rmi busybox\n",
};

static int run_prune(struct hull_cli *cli, int argc, char **argv)
{
	cleanup_store struct store *store = NULL;
	struct hull_error *err = NULL;

	optind = 1;
	if (getopt(argc, argv, "+") != -1)
		return hull_usage_error("image prune", "unknown option `%s`", argv[optind - 1]);
	if (optind < argc)
		return hull_usage_error("image prune", "unexpected argument `%s`", argv[optind]);
	if (hull_open_store(cli, true, &store, &err) < 0)
		return cli_fail(&err);
	return collect(store, false);
}

const struct hull_command cmd_image_prune = {
    .name = "prune",
    .run = run_prune,
    .summary = "remove blobs, layers and partial downloads no image needs",
    .help = "Usage: hull image prune\n\n"
	    "Waits for running pulls to finish, then deletes what no tagged image and no bundle made\n"
	    "by `hull bundle create` needs, and prints what it freed.\n\n"
	    "Example:\n"
	    "  hull image prune\n",
};
