#include "runtime/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/log.h"
#include "util/process.h"

static int run_one(const struct oci_hook *hook, const char *kind, const char *state_json,
		   struct hull_error **err)
{
	const char *default_args[] = {hook->path, NULL};
	int pipefd[2];
	pid_t pid;
	int status = 0, ret;
	size_t len = strlen(state_json), done = 0;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return hull_error_errno(err, "%s hook `%s`", kind, hook->path);
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return hull_error_errno(err, "%s hook `%s`: fork", kind, hook->path);
	}
	if (pid == 0) {
		/* Its own process group, so that a timeout kills whatever the hook started too. */
		setpgid(0, 0);
		if (dup2(pipefd[0], STDIN_FILENO) < 0)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		/* A hook without `env` inherits the runtime's environment, as runc runs it (hooks such as
		 * nvidia-container-runtime-hook find their helpers through PATH). */
		execve(hook->path, (char *const *)(hook->args ? hook->args : default_args),
		       hook->env ? (char *const *)hook->env : environ);
		fprintf(stderr, "%s hook `%s`: %s\n", kind, hook->path, strerror(errno));
		_exit(127);
	}
	close(pipefd[0]);
	/* A hook that does not read its input must not block or kill the runtime: ignore EPIPE. */
	signal(SIGPIPE, SIG_IGN);
	while (done < len) {
		ssize_t n = write(pipefd[1], state_json + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		done += n;
	}
	close(pipefd[1]);

	ret = process_wait(pid, hook->timeout * 1000, &status);
	if (ret == -ETIMEDOUT) {
		kill(-pid, SIGKILL);
		process_wait(pid, 0, &status);
		return hull_error_fail(err, ETIMEDOUT,
				       "%s hook `%s` did not finish within its timeout of %d s", kind,
				       hook->path, hook->timeout);
	}
	if (ret < 0)
		return hull_error_set(err, -ret, "%s hook `%s`: wait", kind, hook->path);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		return hull_error_set(err, 0, "%s hook `%s` was killed by signal %d", kind, hook->path,
				      WTERMSIG(status));
	return hull_error_set(err, 0, "%s hook `%s` exited with status %d", kind, hook->path,
			      WEXITSTATUS(status));
}

void hooks_run_warn(const struct oci_spec *spec, enum oci_hook_kind kind, const char *state_json,
		    const char *id)
{
	for (size_t i = 0; i < spec->n_hooks[kind]; i++) {
		cleanup_error struct hull_error *err = NULL;
		hull_log_debug("running %s hook %s", oci_hook_kind_name(kind), spec->hooks[kind][i].path);
		if (run_one(&spec->hooks[kind][i], oci_hook_kind_name(kind), state_json, &err) < 0)
			hull_log_warning("container `%s`: %s", id, err->message);
	}
}

int hooks_run(const struct oci_spec *spec, enum oci_hook_kind kind, const char *state_json,
	      struct hull_error **err)
{
	for (size_t i = 0; i < spec->n_hooks[kind]; i++) {
		int ret;
		hull_log_debug("running %s hook %s", oci_hook_kind_name(kind), spec->hooks[kind][i].path);
		ret = run_one(&spec->hooks[kind][i], oci_hook_kind_name(kind), state_json, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}
