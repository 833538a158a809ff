/* hull-runtime: the OCI runtime with runc's command line, for engines that call a runtime by path. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/runtime/cli.h"
#include "runtime/binary_protect.h"
#include "util/log.h"
#include "util/rootless.h"

static const struct cli_command *const commands[] = {
    &cmd_create, &cmd_start, &cmd_run,	  &cmd_state,  &cmd_kill,   &cmd_delete, &cmd_list,	&cmd_exec,
    &cmd_ps,	 &cmd_pause, &cmd_resume, &cmd_update, &cmd_events, &cmd_spec,	 &cmd_features,
};

static void print_usage(FILE *out)
{
	fprintf(out,
		"Usage: hull-runtime [global options] COMMAND [options] [arguments]\n\n"
		"Runs OCI containers from bundles (a directory with config.json and a root filesystem).\n\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out, "\nGlobal options:\n"
		     "  --root DIR             state directory (default " HULL_DEFAULT_STATE_ROOT ")\n"
		     "  --log FILE             also write messages to FILE\n"
		     "  --log-format text|json format of the --log file (default text)\n"
		     "  --debug                print debug messages\n"
		     "  --systemd-cgroup       use the systemd cgroup manager\n"
		     "  --cgroup-manager M     cgroupfs, systemd or disabled\n"
		     "  --rootless true|false|auto  accepted for runc compatibility\n"
		     "  --version              print the version\n\n"
		     "Example:\n"
		     "  hull-runtime spec && hull-runtime run --bundle . demo\n\n"
		     "`hull-runtime COMMAND --help` describes a command.\n");
}

/* Root uses /run/hull; another user its own runtime directory, as runc does. */
static const char *default_state_root(void)
{
	static char path[4096];
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (!rootless())
		return HULL_DEFAULT_STATE_ROOT;
	if (xdg && *xdg == '/')
		snprintf(path, sizeof(path), "%s/hull-runtime", xdg);
	else
		snprintf(path, sizeof(path), "/tmp/hull-%u", (unsigned)rootless_host_uid());
	return path;
}

static int parse_global(int argc, char **argv, struct cli *cli)
{
	enum {
		OPT_ROOT = 256,
		OPT_LOG,
		OPT_LOG_FORMAT,
		OPT_DEBUG,
		OPT_SYSTEMD,
		OPT_MANAGER,
		OPT_ROOTLESS,
		OPT_CRIU
	};
	static const struct option options[] = {
	    {"root", required_argument, NULL, OPT_ROOT},
	    {"log", required_argument, NULL, OPT_LOG},
	    {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
	    {"debug", no_argument, NULL, OPT_DEBUG},
	    {"systemd-cgroup", no_argument, NULL, OPT_SYSTEMD},
	    {"cgroup-manager", required_argument, NULL, OPT_MANAGER},
	    {"rootless", required_argument, NULL, OPT_ROOTLESS},
	    {"criu", required_argument, NULL, OPT_CRIU},
	    {"version", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *log_path = NULL;
	enum hull_log_format format = HULL_LOG_TEXT;
	bool debug = false;
	int c;

	cli->rt.state_root = default_state_root();
	cli->rt.cgroup_manager = &cgroup_manager_cgroupfs;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+vh", options, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT:
			cli->rt.state_root = optarg;
			break;
		case OPT_LOG:
			log_path = optarg;
			break;
		case OPT_LOG_FORMAT:
			if (strcmp(optarg, "json") == 0)
				format = HULL_LOG_JSON;
			else if (strcmp(optarg, "text") != 0) {
				hull_log_init("hull-runtime", NULL, HULL_LOG_TEXT, false);
				return cli_usage_error("hull-runtime",
						       "--log-format: `%s` is not text or json", optarg);
			}
			break;
		case OPT_DEBUG:
			debug = true;
			break;
		case OPT_SYSTEMD:
			cli->rt.cgroup_manager = &cgroup_manager_systemd;
			break;
		case OPT_MANAGER:
			if ((cli->rt.cgroup_manager = cgroup_manager_find(optarg)) == NULL)
				return cli_usage_error(
				    "hull-runtime",
				    "--cgroup-manager: `%s` is not cgroupfs, systemd or disabled", optarg);
			break;
		case OPT_ROOTLESS:
		case OPT_CRIU:
			break;
		case 'v':
			printf("hull-runtime version %s\nspec: 1.2.0\n", HULL_VERSION);
			exit(0);
		case 'h':
			print_usage(stdout);
			exit(0);
		default:
			hull_log_init("hull-runtime", NULL, HULL_LOG_TEXT, false);
			hull_log_error("unknown global option `%s` (see `hull-runtime --help`)",
				       argv[optind - 1]);
			return 1;
		}
	}
	/* As runc: an engine that asked for a log file reads the errors from it, so a log that cannot be
	 * opened fails the command instead of losing them. */
	if (hull_log_init("hull-runtime", log_path, format, debug) < 0)
		return 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct cli cli = {.program = "hull-runtime"};
	const char *name;

	if (parse_global(argc, argv, &cli) != 0)
		return 1;
	if (optind >= argc) {
		print_usage(stderr);
		return 1;
	}
	name = argv[optind];
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i]->name, name) != 0)
			continue;
		if (cli_wants_help(commands[i], argc - optind, argv + optind))
			return 0;
		if (commands[i]->starts_processes) {
			struct hull_error *err = NULL;
			if (runtime_protect_binary(argv, &err) < 0) {
				hull_error_wrap(&err, "%s", name);
				return cli_fail(&err);
			}
		}
		return commands[i]->run(&cli, argc - optind, argv + optind);
	}
	hull_log_error("unknown command `%s` (see `hull-runtime --help`)", name);
	return 1;
}
