#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/hull/cli.h"
#include "image/bundle.h"
#include "net/bundle.h"
#include "net/ports.h"
#include "net/setup.h"
#include "net/state.h"
#include "util/cleanup.h"
#include "util/json.h"

#define NETWORK_ARGS_MAX 64

struct bundle_network {
	const char *mode;
	const char *args[NETWORK_ARGS_MAX];
	size_t n_args;
};

/* --network MODE, -p PORT, --name NAME: checked here, so a bad one fails before the bundle exists. */
static int parse_network(int argc, char **argv, struct bundle_network *n, struct hull_error **err)
{
	static const struct option options[] = {
	    {"network", required_argument, NULL, 'n'},
	    {"publish", required_argument, NULL, 'p'},
	    {"name", required_argument, NULL, 'N'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	optind = 2;
	while ((c = getopt_long(argc, argv, "+p:", options, NULL)) != -1) {
		if (c == 'n') {
			if (net_mode_check(optarg, err) < 0)
				return hull_error_wrap(err, "bundle create");
			n->mode = optarg;
			continue;
		}
		if (c != 'p' && c != 'N')
			return hull_error_invalid(
			    err, "bundle create: unknown option `%s` (see `hull bundle --help`)",
			    argv[optind - 1]);
		if (c == 'p') {
			struct net_ports check = {0};
			int ret = net_ports_parse(&check, optarg, err);
			net_ports_free(&check);
			if (ret < 0)
				return hull_error_wrap(err, "bundle create");
		}
		if (c == 'N' && !net_name_valid(optarg, NET_HOSTNAME_MAX))
			return hull_error_invalid(err, "bundle create: name `%s` is not a host name", optarg);
		if (n->n_args + 2 > NETWORK_ARGS_MAX)
			return hull_error_invalid(err, "bundle create: too many network options");
		n->args[n->n_args++] = c == 'p' ? "--publish" : "--name";
		n->args[n->n_args++] = optarg;
	}
	if (n->n_args && n->mode == NULL)
		n->mode = "local";
	return 0;
}

static int configure_network(const char *dir, const struct bundle_network *n, struct hull_error **err)
{
	char self[4096];
	const char *state = getenv("HULL_NETWORK_STATE");
	struct net_bundle_network b = {.mode = n->mode,
				       .state_dir = state && *state ? state : NULL,
				       .args = n->args,
				       .n_args = n->n_args};

	if (hull_network_hook(&b, self, sizeof(self), err) < 0)
		return hull_error_wrap(err, "bundle create");
	return net_bundle_configure(dir, &b, err);
}

static int create(struct hull_cli *cli, int argc, char **argv)
{
	cleanup_store struct store *store = NULL;
	struct hull_error *err = NULL;
	struct bundle_network net = {0};
	cleanup_json json_object *overrides = NULL;
	int first;

	if (parse_network(argc, argv, &net, &err) < 0)
		return cli_fail(&err);
	first = optind;
	if (argc - first < 2)
		return hull_usage_error("bundle", "create takes IMAGE, DIR and, optionally, a command");
	if (argc > first + 2) {
		overrides = json_object_new_object();
		json_object_object_add(
		    overrides, "Cmd",
		    json_new_string_array((const char *const *)argv + first + 2, (size_t)(argc - first - 2)));
	}
	if (hull_open_store(cli, false, &store, &err) < 0 ||
	    image_bundle_create(store, argv[first], argv[first + 1], overrides, NULL, &err) < 0)
		return cli_fail(&err);
	if (net.mode && configure_network(argv[first + 1], &net, &err) < 0) {
		/* A bundle without the network asked for is not what was asked: it goes. */
		image_bundle_remove(store, argv[first + 1], NULL);
		return cli_fail(&err);
	}
	return 0;
}

static int run(struct hull_cli *cli, int argc, char **argv)
{
	cleanup_store struct store *store = NULL;
	struct hull_error *err = NULL;
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (sub && strcmp(sub, "create") == 0)
		return create(cli, argc, argv);
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
    .help =
	"Usage: hull bundle create [--network MODE] [-p PORT]... [--name NAME] IMAGE DIR [COMMAND [ARG...]]\n"
	"       hull bundle remove DIR\n\n"
	"create makes DIR with config.json (the default runtime config with the image's command,\n"
	"environment, working directory, user and labels) and rootfs, an overlay mount of the image's\n"
	"layers with a writable layer kept in DIR.  The image's layers stay in the store while the\n"
	"bundle exists.  A COMMAND replaces the image's Cmd (its Entrypoint stays), as with\n"
	"`docker run IMAGE COMMAND`.  remove unmounts rootfs and deletes DIR.\n\n"
	"--network MODE (and -p, --name, which imply --network local) give the bundle hooks that set\n"
	"up and tear down its network, as `hull network configure-bundle` does; see `hull network\n"
	"--help` for the modes.\n\n"
	"Example:\n"
	"  hull bundle create --network local -p 8080:80 nginx ./web && hull-runtime run -d --bundle ./web "
	"web\n",
};
