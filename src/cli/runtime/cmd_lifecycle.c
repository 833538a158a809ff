/* create, start, state, kill, delete. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/runtime/cli.h"
#include "runtime/signals.h"

/* The options create and run share with runc. */
enum { OPT_CONSOLE = 300, OPT_PID_FILE, OPT_NO_PIVOT, OPT_NO_KEYRING, OPT_PRESERVE, OPT_KEEP };

int cli_parse_create_options(const char *command, int argc, char **argv, struct create_options *o,
			     bool *detach, bool *keep)
{
	static const struct option options[] = {
	    {"bundle", required_argument, NULL, 'b'},
	    {"console-socket", required_argument, NULL, OPT_CONSOLE},
	    {"pid-file", required_argument, NULL, OPT_PID_FILE},
	    {"no-pivot", no_argument, NULL, OPT_NO_PIVOT},
	    {"no-new-keyring", no_argument, NULL, OPT_NO_KEYRING},
	    {"preserve-fds", required_argument, NULL, OPT_PRESERVE},
	    {"detach", no_argument, NULL, 'd'},
	    {"keep", no_argument, NULL, OPT_KEEP},
	    {NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, detach ? "+b:d" : "+b:", options, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->bundle = optarg;
			break;
		case OPT_CONSOLE:
			o->console_socket = optarg;
			break;
		case OPT_PID_FILE:
			o->pid_file = optarg;
			break;
		case OPT_NO_PIVOT:
			o->no_pivot = true;
			break;
		case OPT_NO_KEYRING:
			o->no_new_keyring = true;
			break;
		case OPT_PRESERVE:
			if (cli_parse_int(command, "--preserve-fds", optarg, &o->preserve_fds) != 0)
				return 1;
			break;
		case 'd':
			if (detach == NULL)
				goto unknown;
			*detach = true;
			break;
		case OPT_KEEP:
			if (keep == NULL)
				goto unknown;
			*keep = true;
			break;
		default:
		unknown:
			return cli_usage_error(command, "unknown option `%s`", argv[optind - 1]);
		}
	}
	return cli_take_id(command, argc, argv, optind, &o->id);
}

static int run_create(struct cli *cli, int argc, char **argv)
{
	struct create_options o = {0};
	struct created_container created;
	struct hull_error *err = NULL;

	if (cli_parse_create_options("create", argc, argv, &o, NULL, NULL) != 0)
		return 1;
	if (runtime_create(&cli->rt, &o, false, -1, &created, &err) < 0)
		return cli_fail(&err);
	return 0;
}

static int parse_no_options(const char *command, int argc, char **argv)
{
	optind = 1;
	opterr = 0;
	if (getopt(argc, argv, "+") != -1)
		return cli_usage_error(command, "unknown option `%s`", argv[optind - 1]);
	return 0;
}

static int run_start(struct cli *cli, int argc, char **argv)
{
	struct hull_error *err = NULL;
	const char *id;

	if (parse_no_options("start", argc, argv) != 0 || cli_take_id("start", argc, argv, optind, &id) != 0)
		return 1;
	if (runtime_start(&cli->rt, id, &err) < 0)
		return cli_fail(&err);
	return 0;
}

static int run_state(struct cli *cli, int argc, char **argv)
{
	struct hull_error *err = NULL;
	struct container_state state;
	json_object *doc;
	const char *id;

	if (parse_no_options("state", argc, argv) != 0 || cli_take_id("state", argc, argv, optind, &id) != 0)
		return 1;
	if (runtime_state(&cli->rt, id, &state, &err) < 0) {
		hull_error_wrap(&err, "state");
		return cli_fail(&err);
	}
	doc = state_to_runc_json(&state);
	printf("%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
	state_free(&state);
	return 0;
}

static int run_kill(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {{"all", no_argument, NULL, 'a'}, {NULL, 0, NULL, 0}};
	struct hull_error *err = NULL;
	bool all = false;
	int signo = SIGTERM;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+a", options, NULL)) != -1) {
		if (c != 'a')
			return cli_usage_error("kill", "unknown option `%s`", argv[optind - 1]);
		all = true;
	}
	if (optind >= argc)
		return cli_usage_error("kill", "missing the container id");
	if (argc - optind > 2)
		return cli_usage_error("kill", "unexpected argument `%s`", argv[optind + 2]);
	if (argc - optind == 2 && signal_parse(argv[optind + 1], &signo, &err) < 0) {
		hull_error_wrap(&err, "kill `%s`", argv[optind]);
		return cli_fail(&err);
	}
	if (runtime_kill(&cli->rt, argv[optind], signo, all, &err) < 0)
		return cli_fail(&err);
	return 0;
}

static int run_delete(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {{"force", no_argument, NULL, 'f'}, {NULL, 0, NULL, 0}};
	struct hull_error *err = NULL;
	bool force = false;
	const char *id;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+f", options, NULL)) != -1) {
		if (c != 'f')
			return cli_usage_error("delete", "unknown option `%s`", argv[optind - 1]);
		force = true;
	}
	if (cli_take_id("delete", argc, argv, optind, &id) != 0)
		return 1;
	if (runtime_delete(&cli->rt, id, force, &err) < 0) {
		/* As runc: --force on a container that does not exist is not an error. */
		if (force && err && err->errnum == ENOENT && strstr(err->message, "does not exist")) {
			hull_error_free(&err);
			return 0;
		}
		return cli_fail(&err);
	}
	return 0;
}

const struct cli_command cmd_create = {
    "create", run_create, "create a container; its process waits for `start`",
    "Usage: hull-runtime create [options] ID\n\n"
    "  -b, --bundle DIR         bundle directory (default: the current directory)\n"
    "      --console-socket P   unix socket that receives the pty master when process.terminal is true\n"
    "      --pid-file FILE      write the container process's pid to FILE\n"
    "      --preserve-fds N     pass descriptors 3..3+N-1 to the container\n"
    "      --no-pivot           use MS_MOVE and chroot instead of pivot_root (root on ramfs)\n"
    "      --no-new-keyring     keep the caller's session keyring\n\n"
    "Example:\n  hull-runtime create --bundle /srv/web web && hull-runtime start web\n",
    .starts_processes = true};

const struct cli_command cmd_start = {"start", run_start, "run the program of a created container",
				      "Usage: hull-runtime start ID\n\nExample:\n  hull-runtime start web\n"};

const struct cli_command cmd_state = {"state", run_state, "print the state of a container as JSON",
				      "Usage: hull-runtime state ID\n\nExample:\n  hull-runtime state web\n"};

const struct cli_command cmd_kill = {
    "kill", run_kill, "send a signal to a container (default SIGTERM)",
    "Usage: hull-runtime kill [--all] ID [SIGNAL]\n\n"
    "  -a, --all   signal every process of the container, not only its first\n\n"
    "SIGNAL is a name (TERM, SIGKILL, RTMIN+2) or a number.\n\n"
    "Example:\n  hull-runtime kill web KILL\n"};

const struct cli_command cmd_delete = {"delete", run_delete, "delete a container and what it used",
				       "Usage: hull-runtime delete [--force] ID\n\n"
				       "  -f, --force   kill the container if it is still running\n\n"
				       "Example:\n  hull-runtime delete --force web\n"};
