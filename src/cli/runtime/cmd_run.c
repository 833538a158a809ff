/* run: create and start in one step; in the foreground it waits and gives the container's exit status. */
#include <errno.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli/runtime/cli.h"
#include "runtime/foreground.h"
#include "util/cleanup.h"
#include "util/socket.h"

static int run_detached(struct cli *cli, const struct create_options *o)
{
	struct hull_error *err = NULL;
	struct created_container created;

	if (runtime_create(&cli->rt, o, false, -1, &created, &err) < 0)
		return cli_fail(&err);
	if (runtime_start(&cli->rt, o->id, &err) < 0) {
		struct hull_error *ignored = NULL;
		runtime_delete(&cli->rt, o->id, true, &ignored);
		hull_error_free(&ignored);
		return cli_fail(&err);
	}
	return 0;
}

static int run_foreground(struct cli *cli, const struct create_options *o, bool keep)
{
	struct hull_error *err = NULL;
	struct created_container created = {.pid = -1, .sync_fd = -1};
	cleanup_close int console_ours = -1, console_theirs = -1, master = -1;
	int exit_code = 255, pair[2];

	/* The container's first process may be a grandchild (joined namespaces): be its reaper. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	if (o->console_socket == NULL) {
		/* A terminal without --console-socket: the pty comes to us and we relay it. */
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
			hull_error_errno(&err, "run: socketpair");
			return cli_fail(&err);
		}
		console_ours = pair[0];
		console_theirs = pair[1];
	}
	if (foreground_block_signals(NULL, &err) < 0)
		return cli_fail(&err);
	if (runtime_create(&cli->rt, o, true, console_theirs, &created, &err) < 0)
		return cli_fail(&err);
	close(console_theirs);
	console_theirs = -1;
	if (console_ours >= 0) {
		/* A container with process.terminal has sent its pty before it reported ready; others send
		 * nothing. */
		char probe;
		if (recv(console_ours, &probe, 1, MSG_PEEK | MSG_DONTWAIT) > 0 &&
		    socket_recv_fd(console_ours, &master, &err) < 0)
			goto fail;
	}
	if (runtime_start_created(&cli->rt, o->id, &created, &err) < 0)
		goto fail;
	if (foreground_wait(created.pid, master, &exit_code, &err) < 0)
		goto fail;
	if (!keep && runtime_delete(&cli->rt, o->id, true, &err) < 0)
		return cli_fail(&err);
	return exit_code;

fail : {
	struct hull_error *ignored = NULL;
	runtime_delete(&cli->rt, o->id, true, &ignored);
	hull_error_free(&ignored);
}
	return cli_fail(&err);
}

static int run_run(struct cli *cli, int argc, char **argv)
{
	struct create_options o = {0};
	bool detach = false, keep = false;

	if (cli_parse_create_options("run", argc, argv, &o, &detach, &keep) != 0)
		return 1;
	if (detach)
		return run_detached(cli, &o);
	return run_foreground(cli, &o, keep);
}

const struct cli_command cmd_run = {"run", run_run, "create and start a container; wait for it unless -d",
				    "Usage: hull-runtime run [options] ID\n\n"
				    "Takes create's options (see `hull-runtime create --help`) and:\n"
				    "  -d, --detach   return once the container runs\n"
				    "      --keep     do not delete the container after it exits\n\n"
				    "The exit status is the container's (128+N when killed by signal N).\n\n"
				    "Example:\n  hull-runtime run --bundle /srv/demo demo\n",
				    .starts_processes = true};
