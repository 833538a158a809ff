#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/hull/cli.h"
#include "cli/hull/progress.h"
#include "image/local_image.h"
#include "image/pull.h"
#include "util/interrupt.h"

static int run(struct hull_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"platform", required_argument, NULL, 'P'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"jobs", required_argument, NULL, 'j'},
	    HULL_REGISTRY_OPTIONS,
	    {NULL, 0, NULL, 0},
	};
	struct pull_options o = {0};
	struct store *store = NULL;
	struct hull_error *err = NULL;
	bool quiet = false;
	int c, ret = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+q", options, NULL)) != -1) {
		int r = hull_registry_option("pull", c, optarg, &o.registry);
		if (r < 0)
			return 1;
		if (r > 0)
			continue;
		switch (c) {
		case 'P':
			o.platform = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'j':
			o.jobs = (unsigned)atoi(optarg);
			if (o.jobs < 1 || o.jobs > 16)
				return hull_usage_error("pull", "--jobs: `%s` is not a number from 1 to 16",
							optarg);
			break;
		default:
			return hull_usage_error("pull", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return hull_usage_error("pull", "missing the image reference");
	if (hull_open_store(cli, false, &store, &err) < 0)
		return cli_fail(&err);
	/* Ctrl-C lets the pull undo what it added before the process ends. */
	interrupt_catch();
	for (int i = optind; i < argc && ret == 0; i++) {
		struct progress *p = progress_new(stderr, quiet);
		char digest[DIGEST_MAX];
		struct local_image img;
		o.observer = p ? progress_observer(p) : NULL;
		if (image_pull(store, argv[i], &o, digest, &err) < 0 ||
		    local_image_load(store, digest, &img, &err) < 0)
			ret = cli_fail(&err);
		else {
			if (p)
				progress_finish(p);
			/* The image id, as podman prints it last. */
			printf("%s\n", digest_hex(img.manifest.config.digest));
			local_image_free(&img);
		}
		progress_free(&p);
	}
	store_free(&store);
	interrupt_reraise();
	return ret;
}

const struct hull_command cmd_pull = {
    .name = "pull",
    .registry = true,
    .run = run,
    .summary = "pull images from a registry into the store",
    .help = "Usage: hull pull [options] IMAGE...\n\n"
	    "IMAGE is a reference as Docker takes it: alpine, alpine:3.20, docker.io/x/y:tag,\n"
	    "host:port/ns/name@sha256:...  Layers come down three at a time, each verified against its\n"
	    "digest and unpacked while it downloads; layers already in the store are skipped and an\n"
	    "interrupted pull resumes.  The image id is printed last.\n\n"
	    "Options:\n"
	    "  --platform OS/ARCH[/VARIANT]  the image of an index to take (default: this host's)\n"
	    "  --tls-verify=false            skip certificate checks; plain HTTP is allowed\n"
	    "  --authfile FILE               credentials file (default: where `hull login` writes)\n"
	    "  --creds USER:PASSWORD         credentials for this pull only\n"
	    "  --jobs N                      layers at once (default 3)\n"
	    "  -q, --quiet                   print only the image id\n\n"
	    "Loopback registries and those in $HULL_INSECURE_REGISTRIES may speak plain HTTP.\n\n"
	    "Example:\n"
	    "  hull pull --platform linux/arm64 localhost:5000/tools/busybox:1.36\n",
};
