/* exec: run a new process in a running container; without -d, wait for it and give its exit status. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli/runtime/cli.h"
#include "runtime/foreground.h"
#include "util/cleanup.h"
#include "util/socket.h"

enum {
	OPT_CONSOLE = 300,
	OPT_PID_FILE,
	OPT_PRESERVE,
	OPT_CWD,
	OPT_NNP,
	OPT_APPARMOR,
	OPT_LABEL,
	OPT_IGNORE_PAUSED,
	OPT_CGROUP
};

/* Prints the error; a process that could not be started exits 255, as with runc. */
static int exec_failed(struct hull_error **err)
{
	cli_fail(err);
	return 255;
}

/* Appends to a list that lives as long as the command. */
static int push(const char ***list, size_t *n, const char *value)
{
	const char **bigger = realloc(*list, (*n + 1) * sizeof(char *));

	if (bigger == NULL)
		return cli_usage_error("exec", "out of memory");
	bigger[(*n)++] = value;
	*list = bigger;
	return 0;
}

static int parse_exec(int argc, char **argv, struct exec_options *o)
{
	static const struct option options[] = {
	    {"process", required_argument, NULL, 'p'},
	    {"tty", no_argument, NULL, 't'},
	    {"detach", no_argument, NULL, 'd'},
	    {"console-socket", required_argument, NULL, OPT_CONSOLE},
	    {"pid-file", required_argument, NULL, OPT_PID_FILE},
	    {"preserve-fds", required_argument, NULL, OPT_PRESERVE},
	    {"cwd", required_argument, NULL, OPT_CWD},
	    {"env", required_argument, NULL, 'e'},
	    {"user", required_argument, NULL, 'u'},
	    {"cap", required_argument, NULL, 'c'},
	    {"additional-gids", required_argument, NULL, 'g'},
	    {"no-new-privs", no_argument, NULL, OPT_NNP},
	    {"apparmor", required_argument, NULL, OPT_APPARMOR},
	    {"process-label", required_argument, NULL, OPT_LABEL},
	    {"ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED},
	    {"cgroup", required_argument, NULL, OPT_CGROUP},
	    {NULL, 0, NULL, 0},
	};
	int c, status = 0;

	optind = 1;
	opterr = 0;
	while (status == 0 && (c = getopt_long(argc, argv, "+p:tde:u:c:g:", options, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->process_file = optarg;
			break;
		case 't':
			o->tty = true;
			break;
		case 'd':
			o->detach = true;
			break;
		case OPT_CONSOLE:
			o->console_socket = optarg;
			break;
		case OPT_PID_FILE:
			o->pid_file = optarg;
			break;
		case OPT_PRESERVE:
			status = cli_parse_int("exec", "--preserve-fds", optarg, &o->preserve_fds);
			break;
		case OPT_CWD:
			o->cwd = optarg;
			break;
		case 'e':
			status = push(&o->env, &o->n_env, optarg);
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'c':
			status = push(&o->caps, &o->n_caps, optarg);
			break;
		case 'g':
			status = push(&o->additional_gids, &o->n_additional_gids, optarg);
			break;
		case OPT_NNP:
			o->no_new_privs = true;
			break;
		case OPT_APPARMOR:
			o->apparmor = optarg;
			break;
		case OPT_LABEL:
			o->process_label = optarg;
			break;
		case OPT_IGNORE_PAUSED:
			o->ignore_paused = true;
			break;
		case OPT_CGROUP:
			status = push(&o->cgroups, &o->n_cgroups, optarg);
			break;
		default:
			status = cli_usage_error("exec", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (status)
		return status;
	if (optind >= argc)
		return cli_usage_error("exec", "missing the container id");
	o->id = argv[optind];
	o->args = argv + optind + 1;
	o->n_args = argc - optind - 1;
	if (o->process_file && o->n_args)
		return cli_usage_error("exec", "give either --process or a command, not both");
	if (!o->process_file && o->n_args == 0)
		return cli_usage_error("exec", "missing the command to run");
	return 0;
}

static int run_exec(struct cli *cli, int argc, char **argv)
{
	struct exec_options o = {0};
	struct hull_error *err = NULL;
	cleanup_close int ours = -1, theirs = -1, master = -1;
	int pair[2], exit_code = 255, status;
	pid_t pid;

	status = parse_exec(argc, argv, &o);
	if (status == 0 && !o.detach && o.console_socket == NULL) {
		/* A terminal in the foreground: the pty comes to us and we relay it, as `run` does. */
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
			hull_error_errno(&err, "exec: socketpair");
			status = cli_fail(&err);
		} else {
			ours = pair[0];
			theirs = pair[1];
		}
	}
	if (status == 0 && !o.detach && foreground_block_signals(NULL, &err) < 0)
		status = cli_fail(&err);
	/* As runc: a process that could not be started exits 255, which engines tell apart from any exit
	 * status of the program itself (podman maps it to "exec failed", 126/127 stay the program's). */
	if (status == 0 && runtime_exec(&cli->rt, &o, theirs, &pid, &err) < 0)
		status = exec_failed(&err);
	if (status == 0 && !o.detach) {
		char probe;
		if (ours >= 0 && recv(ours, &probe, 1, MSG_PEEK | MSG_DONTWAIT) > 0 &&
		    socket_recv_fd(ours, &master, &err) < 0)
			status = exec_failed(&err);
		else if (foreground_wait(pid, master, &exit_code, &err) < 0)
			status = exec_failed(&err);
		else
			status = exit_code;
	}
	free(o.env);
	free(o.caps);
	free(o.additional_gids);
	free(o.cgroups);
	return status;
}

const struct cli_command cmd_exec = {
    "exec", run_exec, "run a new process in a running container",
    "Usage: hull-runtime exec [options] ID COMMAND [ARG...]\n"
    "       hull-runtime exec [options] --process FILE ID\n\n"
    "  -p, --process FILE        a process object as in config.json (instead of a command)\n"
    "  -t, --tty                 give the process a terminal\n"
    "  -d, --detach              return once the process runs\n"
    "      --console-socket P    unix socket that receives the pty master (with -t)\n"
    "      --pid-file FILE       write the process's pid to FILE\n"
    "      --preserve-fds N      pass descriptors 3..3+N-1 to the process\n"
    "      --cwd DIR             working directory inside the container\n"
    "  -e, --env KEY=VALUE       add or replace an environment variable (repeatable)\n"
    "  -u, --user UID[:GID]      run as this user\n"
    "  -c, --cap CAP             add a capability (repeatable)\n"
    "  -g, --additional-gids G   add a supplementary group (repeatable)\n"
    "      --no-new-privs        set no_new_privs\n"
    "      --apparmor PROFILE    AppArmor profile; --process-label LABEL: SELinux label\n"
    "      --ignore-paused       exec even into a paused container (the process starts frozen)\n"
    "      --cgroup [C[,C]:]PATH join the container's sub-cgroup PATH (in controllers C; repeatable)\n\n"
    "The process joins the container's namespaces, cgroups, seccomp filter and labels and takes its\n"
    "environment, user and capabilities unless told otherwise.  Without -d the exit status is the\n"
    "process's; a process that could not be started gives 255.\n\n"
    "Example:\n  hull-runtime exec -t web sh\n",
    .starts_processes = true};
