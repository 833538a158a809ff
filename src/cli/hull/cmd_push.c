#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/hull/cli.h"
#include "image/push.h"
#include "util/cleanup.h"

static void on_blob(void *arg, const char *digest, int64_t size, enum push_blob_fate fate)
{
	bool *quiet = arg;
	static const char *const words[] = {"skipped: already exists", "mounted", "uploaded"};

	if (!*quiet)
		fprintf(stderr, "Copying blob %.19s %s (%lld bytes)\n", digest, words[fate], (long long)size);
}

static int run(struct hull_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"quiet", no_argument, NULL, 'q'},
	    HULL_REGISTRY_OPTIONS,
	    {NULL, 0, NULL, 0},
	};
	bool quiet = false;
	struct push_observer observer = {.blob = on_blob, .arg = &quiet};
	struct push_options o = {.observer = &observer};
	cleanup_store struct store *store = NULL;
	struct hull_error *err = NULL;
	char digest[DIGEST_MAX];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+q", options, NULL)) != -1) {
		int r = hull_registry_option("push", c, optarg, &o.registry);
		if (r < 0)
			return 1;
		if (r > 0)
			continue;
		if (c != 'q')
			return hull_usage_error("push", "unknown option `%s`", argv[optind - 1]);
		quiet = true;
	}
	if (optind >= argc || argc - optind > 2)
		return hull_usage_error("push", "expected IMAGE and, optionally, DESTINATION");
	if (hull_open_store(cli, false, &store, &err) < 0 ||
	    image_push(store, argv[optind], optind + 1 < argc ? argv[optind + 1] : NULL, &o, digest, &err) <
		0)
		return cli_fail(&err);
	printf("%s\n", digest);
	return 0;
}

const struct hull_command cmd_push = {
    .name = "push",
    .registry = true,
    .run = run,
    .summary = "push an image from the store to a registry",
    .help = "Usage: hull push [options] IMAGE [DESTINATION]\n\n"
	    "Blobs the registry has are skipped; blobs of an image that came from another repository of\n"
	    "the same registry are mounted from there; the rest are uploaded whole.  The manifest goes\n"
	    "last, unchanged, so the image keeps its digest, which is printed.\n\n"
	    "Options:\n"
	    "  --tls-verify=false       skip certificate checks; plain HTTP is allowed\n"
	    "  --authfile FILE          credentials file (default: where `hull login` writes)\n"
	    "  --creds USER:PASSWORD    credentials for this push only\n"
	    "  -q, --quiet              print only the digest\n\n"
	    "Example:\n"
	    "  hull push busybox localhost:5000/tools/busybox:1.36\n",
};
