/* hull: pulls and keeps images, makes bundles of them. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/hull/cli.h"
#include "engine/engine.h"
#include "linux/pause.h"
#include "net/bundle.h"
#include "util/log.h"
#include "util/rootless.h"
#include "util/units.h"

/* hull itself does without the commands that need libcurl or libarchive: hull-image has them
 * (image_helper.c). */
static const struct hull_command *const commands[] = {
    &cmd_run,	    &cmd_create,  &cmd_start,	&cmd_attach,  &cmd_ps,	   &cmd_exec,
    &cmd_logs,	    &cmd_stop,	  &cmd_kill,	&cmd_restart, &cmd_rm,	   &cmd_wait,
    &cmd_pause,	    &cmd_unpause, &cmd_rename,	&cmd_top,     &cmd_stats,  &cmd_port,
    &cmd_container, &cmd_images,  &cmd_inspect, &cmd_tag,     &cmd_rmi,	   &cmd_bundle,
    &cmd_network,   &cmd_switch,  &cmd_system,	&cmd_volume,  &cmd_cp,	   &cmd_machine,
#ifndef HULL_LEAN_FRONT
    &cmd_pull,	    &cmd_push,	  &cmd_save,	&cmd_load,    &cmd_import, &cmd_export,
    &cmd_login,	    &cmd_logout,
#endif
};

/* `hull image SUB` spells the same commands the way podman does. */
static const struct {
	const char *name;
	const struct hull_command *command;
} image_subcommands[] = {
    {"ls", &cmd_images}, {"list", &cmd_images}, {"inspect", &cmd_inspect},
    {"tag", &cmd_tag},	 {"rm", &cmd_rmi},	{"prune", &cmd_image_prune},
#ifndef HULL_LEAN_FRONT
    {"pull", &cmd_pull}, {"push", &cmd_push},
#endif
};

static void print_usage(FILE *out)
{
	fprintf(out,
		"Usage: hull [global options] COMMAND [options] [arguments]\n\n"
		"Runs app containers from images (pulled from registries into a local store), makes bundles\n"
		"of images and gives containers networks.\n\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
#ifdef HULL_LEAN_FRONT
	fprintf(out, "  %-10s %s\n", "pull, push", "move images between registries and the store");
	fprintf(out, "  %-10s %s\n", "save, load",
		"images to and from tar archives (docker save's format, OCI)");
	fprintf(out, "  %-10s %s\n", "import",
		"an image from a tar of a root filesystem; export: the reverse");
	fprintf(out, "  %-10s %s\n", "login", "keep a registry's credentials; logout forgets them");
#endif
	fprintf(out, "  %-10s %s\n", "image", "ls, rm, inspect, tag, pull and prune, as `hull image prune`");
	fprintf(out,
		"\nGlobal options:\n"
		"  --store DIR    the image store (default $HULL_STORE, else /var/lib/hull for root,\n"
		"                 ~/.local/share/hull for others)\n"
		"  --runroot DIR  the OCI runtime's state for app containers (default\n"
		"                 /run/hull-engine for root, $XDG_RUNTIME_DIR/hull-engine for others)\n"
		"  --runtime PATH the OCI runtime for app containers (default hull-runtime beside hull)\n"
		"  --max-layer-size SIZE\n"
		"                 what one layer may unpack to (k, m, g, t: powers of 1024); default\n"
		"                 the store's free space less 5%% of its file system\n"
		"  --debug        print debug messages\n"
		"  --version      print the version\n\n"
		"Example:\n"
		"  hull pull alpine:3.20 && hull bundle create alpine:3.20 ./web\n\n"
		"`hull COMMAND --help` describes a command.\n");
}

static const char *default_store(void)
{
	static char path[4096];
	const char *env = getenv("HULL_STORE"), *data = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

	if (env && *env)
		return env;
	if (!rootless())
		return "/var/lib/hull";
	if (data && *data == '/')
		snprintf(path, sizeof(path), "%s/hull", data);
	else
		snprintf(path, sizeof(path), "%s/.local/share/hull", home && *home ? home : "/tmp");
	return path;
}

static const char *default_runroot(void)
{
	static char path[4096];

	if (!rootless())
		return "/run/hull-engine";
	snprintf(path, sizeof(path), "%s/engine", rootless_run_dir());
	return path;
}

int hull_open_engine(struct hull_cli *cli, struct store **store, struct engine *e, struct hull_error **err)
{
	struct net_bundle_network hook = {0};

	if (hull_open_store(cli, false, store, err) < 0)
		return -1;
	if (engine_open(e, *store, cli->runroot, cli->runtime, err) < 0 ||
	    hull_network_hook(&hook, e->network_hook, sizeof(e->network_hook), err) < 0) {
		engine_close(e);
		store_free(store);
		return -1;
	}
	e->network_hook_is_network = hook.hull_network;
	return 0;
}

int hull_open_store(struct hull_cli *cli, bool exclusive, struct store **out, struct hull_error **err)
{
	int ret = store_open(cli->store_path, exclusive, out, err);

	if (ret == 0)
		(*out)->max_layer_bytes = cli->max_layer_bytes;
	return ret;
}

int hull_registry_option(const char *command, int opt, const char *arg, struct registry_options *o)
{
	switch (opt) {
	case HULL_OPT_TLS_VERIFY:
		if (strcmp(arg, "false") == 0)
			o->tls_skip_verify = true;
		else if (strcmp(arg, "true") == 0)
			o->tls_skip_verify = false;
		else
			return -hull_usage_error(command, "--tls-verify: `%s` is not true or false", arg);
		return 1;
	case HULL_OPT_AUTHFILE:
		o->auth_file = arg;
		return 1;
	case HULL_OPT_CREDS: {
		const char *colon = strchr(arg, ':');
		static char user[256];
		if (colon == NULL || colon == arg || (size_t)(colon - arg) >= sizeof(user))
			return -hull_usage_error(command, "--creds: expected USER:PASSWORD");
		snprintf(user, sizeof(user), "%.*s", (int)(colon - arg), arg);
		o->username = user;
		o->password = colon + 1;
		return 1;
	}
	default:
		return 0;
	}
}

static int run_command(struct hull_cli *cli, const struct hull_command *cmd, int argc, char **argv)
{
	struct hull_error *err = NULL;

	if (cli_help_requested(cmd->summary, cmd->help, argc, argv))
		return 0;
#ifndef HULL_LEAN_FRONT
	if (cmd->registry && registry_global_init(&err) < 0)
		return cli_fail(&err);
#else
	(void)err;
#endif
	return cmd->run(cli, argc, argv);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
	    {"store", required_argument, NULL, 's'},
	    {"debug", no_argument, NULL, 'D'},
	    {"max-layer-size", required_argument, NULL, 'L'},
	    {"runroot", required_argument, NULL, 'R'},
	    {"runtime", required_argument, NULL, 'T'},
	    {"version", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct hull_cli cli = {.store_path = default_store(), .runroot = default_runroot()};
	bool debug = false;
	const char *name;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+vh", options, NULL)) != -1) {
		switch (c) {
		case 's':
			cli.store_path = optarg;
			break;
		case 'D':
			debug = true;
			cli.debug = true;
			break;
		case 'R':
			cli.runroot = optarg;
			break;
		case 'T':
			cli.runtime = optarg;
			break;
		case 'L': {
			int64_t v;
			if (units_parse_size(optarg, &v) < 0 || v <= 0) {
				hull_log_init("hull", NULL, HULL_LOG_TEXT, false);
				hull_log_error("--max-layer-size: `%s` is not a size (see `hull --help`)",
					       optarg);
				return 1;
			}
			cli.max_layer_bytes = (uint64_t)v;
			break;
		}
		case 'v':
			printf("hull version %s\n", HULL_VERSION);
			return 0;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			hull_log_init("hull", NULL, HULL_LOG_TEXT, false);
			hull_log_error("unknown global option `%s` (see `hull --help`)", argv[optind - 1]);
			return 1;
		}
	}
	hull_log_init("hull", NULL, HULL_LOG_TEXT, debug);
	if (optind >= argc) {
		print_usage(stderr);
		return 1;
	}
	name = argv[optind];
	/* An unprivileged user's commands share one user and mount namespace (linux/pause.c); joined
	 * before anything is read or mounted, and before hull-image is run, which then finds itself in
	 * it. */
	if (strcmp(name, "help") != 0) {
		struct hull_error *err = NULL;
		if (pause_enter(rootless_run_dir(), &err) < 0) {
			hull_log_error("%s: %s", name, err->message);
			hull_error_free(&err);
			return strcmp(name, "run") == 0 || strcmp(name, "create") == 0 ||
				       strcmp(name, "start") == 0 || strcmp(name, "exec") == 0
				   ? 125
				   : 1;
		}
	}
#ifdef HULL_LEAN_FRONT
	if (hull_is_image_helper_command(name) ||
	    (strcmp(name, "image") == 0 && optind + 1 < argc &&
	     (strcmp(argv[optind + 1], "pull") == 0 || strcmp(argv[optind + 1], "push") == 0)))
		return hull_exec_image_helper(argv);
#endif
	if (strcmp(name, "image") == 0 && optind + 1 < argc) {
		for (size_t i = 0; i < sizeof(image_subcommands) / sizeof(image_subcommands[0]); i++)
			if (strcmp(image_subcommands[i].name, argv[optind + 1]) == 0)
				return run_command(&cli, image_subcommands[i].command, argc - optind - 1,
						   argv + optind + 1);
		hull_log_error("unknown command `image %s` (see `hull --help`)", argv[optind + 1]);
		return 1;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i]->name, name) == 0)
			return run_command(&cli, commands[i], argc - optind, argv + optind);
	hull_log_error("unknown command `%s` (see `hull --help`)", name);
	return 1;
}
