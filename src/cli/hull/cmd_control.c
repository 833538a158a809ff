/* hull exec, wait, pause, unpause, rename, top, port, restart and container prune. */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/hull/cli.h"
#include "engine/engine.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/json.h"

#define EXEC_MAX_ENV 256

/* Opens the engine and finds one container; prints the failure as `command: ...`. */
static int open_one(struct hull_cli *cli, const char *command, const char *name, struct store **store,
		    struct engine *e, struct app_container *c)
{
	struct hull_error *err = NULL;

	if (hull_open_engine(cli, store, e, &err) < 0)
		return cli_fail(&err);
	if (engine_find(e, name, c, &err) < 0) {
		hull_error_wrap(&err, "%s", command);
		engine_close(e);
		return cli_fail(&err);
	}
	return 0;
}

static int run_exec(struct hull_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"detach", no_argument, NULL, 'd'},	       {"interactive", no_argument, NULL, 'i'},
	    {"tty", no_argument, NULL, 't'},	       {"user", required_argument, NULL, 'u'},
	    {"workdir", required_argument, NULL, 'w'}, {"env", required_argument, NULL, 'e'},
	    {"privileged", no_argument, NULL, 'P'},    {NULL, 0, NULL, 0},
	};
	cleanup_store struct store *store = NULL;
	struct engine e;
	struct app_container ct;
	struct exec_options o = {0};
	struct hull_error *err = NULL;
	const char *env[EXEC_MAX_ENV], *user = NULL;
	char uid_gid[32];
	int c, code = 0, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+ditu:w:e:", options, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.detach = true;
			break;
		case 'i':
			break; /* stdin is passed as it is; without -i Docker gives /dev/null */
		case 't':
			o.tty = true;
			break;
		case 'u':
			user = optarg;
			break;
		case 'w':
			o.cwd = optarg;
			break;
		case 'e':
			if (o.n_env >= EXEC_MAX_ENV)
				return hull_usage_error("exec", "too many -e options");
			env[o.n_env++] = optarg;
			break;
		case 'P':
			return hull_usage_error("exec", "--privileged is not supported");
		default:
			return hull_usage_error("exec", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (argc - optind < 2)
		return hull_usage_error("exec", "takes a container and a command");
	o.env = env;
	o.args = argv + optind + 1;
	o.n_args = argc - optind - 1;
	if ((ret = open_one(cli, "exec", argv[optind], &store, &e, &ct)) != 0)
		return 125;
	if (user && engine_exec_user(&e, &ct, user, uid_gid, sizeof(uid_gid), &err) < 0)
		code = (cli_fail(&err), 125);
	else {
		o.user = user ? uid_gid : NULL;
		/* Docker's statuses: 126 when the command cannot be run; the runtime's message says why. */
		if (engine_exec(&e, &ct, &o, &code, &err) < 0)
			code = (cli_fail(&err), 126);
	}
	app_container_free(&ct);
	engine_close(&e);
	return code;
}

static int do_wait(struct engine *e, struct app_container *c, void *arg, struct hull_error **err)
{
	int code;

	(void)arg;
	if (engine_wait(e, c, &code, err) < 0)
		return -1;
	printf("%d\n", code);
	return 0;
}

static int run_wait(struct hull_cli *cli, int argc, char **argv)
{
	return hull_each_container(cli, "wait", 1, argc, argv, do_wait, NULL, false);
}

static int do_pause(struct engine *e, struct app_container *c, void *arg, struct hull_error **err)
{
	return engine_pause(e, c, *(bool *)arg, err);
}

static int run_pause(struct hull_cli *cli, int argc, char **argv)
{
	bool pause = true;

	return hull_each_container(cli, "pause", 1, argc, argv, do_pause, &pause, true);
}

static int run_unpause(struct hull_cli *cli, int argc, char **argv)
{
	bool pause = false;

	return hull_each_container(cli, "unpause", 1, argc, argv, do_pause, &pause, true);
}

static int run_rename(struct hull_cli *cli, int argc, char **argv)
{
	cleanup_store struct store *store = NULL;
	struct engine e;
	struct app_container ct;
	struct hull_error *err = NULL;
	int ret = 0;

	if (argc != 3)
		return hull_usage_error("rename", "takes a container and its new name");
	if (open_one(cli, "rename", argv[1], &store, &e, &ct) != 0)
		return 1;
	if (engine_rename(&e, &ct, argv[2], &err) < 0)
		ret = cli_fail(&err);
	app_container_free(&ct);
	engine_close(&e);
	return ret;
}

/* The command line of a process, from /proc, spaces for NULs. */
static void cmdline(pid_t pid, char *buf, size_t size)
{
	char path[64];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	f = fopen(path, "re");
	n = f ? fread(buf, 1, size - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	for (size_t i = 0; i + 1 < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
}

static int run_top(struct hull_cli *cli, int argc, char **argv)
{
	cleanup_store struct store *store = NULL;
	struct engine e;
	struct app_container ct;
	struct hull_error *err = NULL;
	pid_t *pids = NULL;
	size_t n = 0;
	int ret = 0;

	if (argc != 2)
		return hull_usage_error("top", "takes one container");
	if (open_one(cli, "top", argv[1], &store, &e, &ct) != 0)
		return 1;
	if (engine_top(&e, &ct, &pids, &n, &err) < 0)
		ret = cli_fail(&err);
	else {
		printf("%-8s %s\n", "PID", "CMD");
		for (size_t i = 0; i < n; i++) {
			char cmd[512];
			cmdline(pids[i], cmd, sizeof(cmd));
			printf("%-8d %s\n", pids[i], cmd);
		}
	}
	free(pids);
	app_container_free(&ct);
	engine_close(&e);
	return ret;
}

static int run_port(struct hull_cli *cli, int argc, char **argv)
{
	cleanup_store struct store *store = NULL;
	struct engine e;
	struct app_container ct;
	json_object *doc, *settings = NULL, *ports = NULL;

	if (argc != 2)
		return hull_usage_error("port", "takes one container");
	if (open_one(cli, "port", argv[1], &store, &e, &ct) != 0)
		return 1;
	doc = engine_inspect(&e, &ct);
	json_object_object_get_ex(doc, "NetworkSettings", &settings);
	json_object_object_get_ex(settings, "Ports", &ports);
	if (ports) {
		json_object_object_foreach(ports, key, bindings)
		{
			for (size_t i = 0; i < json_object_array_length(bindings); i++) {
				json_object *b = json_object_array_get_idx(bindings, i);
				printf("%s -> %s:%s\n", key, json_get_string(b, "HostIp", ""),
				       json_get_string(b, "HostPort", ""));
			}
		}
	}
	json_object_put(doc);
	app_container_free(&ct);
	engine_close(&e);
	return 0;
}

/* stop, then start what the monitor left (the records change under stop). */
static int do_restart(struct engine *e, struct app_container *c, void *arg, struct hull_error **err)
{
	struct app_container again;
	struct start_io io = {0};
	int ret;

	if (engine_stop(e, c, 0, *(int *)arg, err) < 0 || engine_find(e, c->id, &again, err) < 0)
		return -1;
	ret = engine_start(e, &again, &io, err);
	app_container_free(&again);
	return ret;
}

static int run_restart(struct hull_cli *cli, int argc, char **argv)
{
	int first = 1, timeout = -1;

	if (argc > 2 && (strcmp(argv[1], "-t") == 0 || strcmp(argv[1], "--time") == 0)) {
		timeout = atoi(argv[2]);
		first = 3;
	}
	return hull_each_container(cli, "restart", first, argc, argv, do_restart, &timeout, true);
}

int hull_container_prune(struct hull_cli *cli, int argc, char **argv)
{
	cleanup_store struct store *store = NULL;
	struct engine e;
	struct hull_error *err = NULL;
	size_t removed = 0;
	int ret = 0;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-f") != 0 && strcmp(argv[i], "--force") != 0)
			return hull_usage_error("container prune", "unknown option `%s`", argv[i]);
	if (hull_open_engine(cli, &store, &e, &err) < 0)
		return cli_fail(&err);
	if (engine_prune(&e, &removed, &err) < 0)
		ret = cli_fail(&err);
	printf("Removed %zu containers\n", removed);
	engine_close(&e);
	return ret;
}

const struct hull_command cmd_exec = {
    .name = "exec",
    .run = run_exec,
    .summary = "run a command in a running container",
    .help =
	"Usage: hull exec [-d] [-i] [-t] [-u USER[:GROUP]] [-w DIR] [-e K=V] CONTAINER COMMAND [ARG...]\n\n"
	"The process joins the container's namespaces, cgroups and limits.  In the foreground hull exits\n"
	"with its status (126 when it could not be started); -t gives it a terminal; -d returns once it\n"
	"runs.  USER and GROUP may be names of the container's /etc/passwd and /etc/group.\n",
};

const struct hull_command cmd_wait = {
    .name = "wait",
    .run = run_wait,
    .summary = "wait for containers to end and print their exit status",
    .help = "Usage: hull wait CONTAINER...\n",
};

const struct hull_command cmd_pause = {
    .name = "pause",
    .run = run_pause,
    .summary = "freeze every process of containers",
    .help = "Usage: hull pause CONTAINER...\n",
};

const struct hull_command cmd_unpause = {
    .name = "unpause",
    .run = run_unpause,
    .summary = "thaw paused containers",
    .help = "Usage: hull unpause CONTAINER...\n",
};

const struct hull_command cmd_rename = {
    .name = "rename",
    .run = run_rename,
    .summary = "give a container another name",
    .help = "Usage: hull rename CONTAINER NEW-NAME\n\nThe name in other containers' /etc/hosts changes at "
	    "the container's next start.\n",
};

const struct hull_command cmd_top = {
    .name = "top",
    .run = run_top,
    .summary = "list a container's processes",
    .help = "Usage: hull top CONTAINER\n",
};

const struct hull_command cmd_port = {
    .name = "port",
    .run = run_port,
    .summary = "a container's published ports",
    .help = "Usage: hull port CONTAINER\n\nPrints `80/tcp -> 0.0.0.0:8080` per published port.\n",
};

const struct hull_command cmd_restart = {
    .name = "restart",
    .run = run_restart,
    .summary = "stop and start containers",
    .help = "Usage: hull restart [-t SECONDS] CONTAINER...\n",
};
