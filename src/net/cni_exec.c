#include "net/cni_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "net/state.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/process.h"

/* A plugin that answers more than this, or takes longer, is treated as failed. */
#define OUTPUT_MAX (1 << 20)
#define TIMEOUT_MS 60000

int net_cni_find_plugin(const char *path, const char *type, char **out, struct hull_error **err)
{
	cleanup_free char *dirs = strdup(path);
	char *save = NULL;

	*out = NULL;
	if (dirs == NULL)
		return hull_error_set(err, ENOMEM, "CNI");
	/* A type is a file name: a `/` or `..` would run something outside the plugin directories. */
	if (!net_name_valid(type, 255))
		return hull_error_invalid(err, "plugin type `%s` is not a plain file name", type);
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *candidate = NULL;
		if (*d != '/' || asprintf(&candidate, "%s/%s", d, type) < 0) {
			free(candidate);
			continue;
		}
		if (access(candidate, X_OK) == 0) {
			*out = candidate;
			return 0;
		}
		free(candidate);
	}
	return hull_error_fail(err, ENOENT, "plugin `%s` is in none of %s", type, path);
}

/* One line of text for a message: control characters become spaces, and it is cut at 300 bytes. */
static void one_line(char *s)
{
	size_t n = 0;

	for (char *p = s; *p && n < 300; p++, n++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			*p = ' ';
	s[n] = '\0';
}

/* The error a failing plugin reports: {"code", "msg", "details"} on stdout, else its stderr. */
static int plugin_failed(struct hull_error **err, const char *type, int status, char *out, char *errout)
{
	json_object *doc = NULL;
	int ret;

	if (out && json_parse_text(out, strlen(out), "plugin error", &doc, NULL) >= 0 &&
	    json_object_is_type(doc, json_type_object)) {
		cleanup_free char *msg = strdup(json_get_string(doc, "msg", "")),
				  *details = strdup(json_get_string(doc, "details", ""));
		if (msg && details) {
			one_line(msg);
			one_line(details);
			ret = hull_error_fail(err, EIO, "plugin `%s`: %s%s%s", type, *msg ? msg : "failed",
					      *details ? ": " : "", details);
			json_object_put(doc);
			return ret;
		}
	}
	json_object_put(doc);
	if (errout && *errout) {
		one_line(errout);
		return hull_error_fail(err, EIO, "plugin `%s`: %s", type, errout);
	}
	return hull_error_fail(err, EIO, "plugin `%s` exited with status %d", type,
			       process_exit_code(status));
}

/* Reads stdout and stderr until both close, or the time or size runs out. */
static int collect(int out_fd, int err_fd, char **out, char **errout, struct hull_error **err)
{
	struct pollfd fds[2] = {{.fd = out_fd, .events = POLLIN}, {.fd = err_fd, .events = POLLIN}};
	char *bufs[2] = {NULL, NULL};
	size_t lens[2] = {0, 0};
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (fds[0].fd >= 0 || fds[1].fd >= 0) {
		long elapsed;
		clock_gettime(CLOCK_MONOTONIC, &now);
		elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (elapsed >= TIMEOUT_MS || poll(fds, 2, (int)(TIMEOUT_MS - elapsed)) == 0) {
			free(bufs[0]);
			free(bufs[1]);
			return hull_error_fail(err, ETIMEDOUT, "no answer in %d s", TIMEOUT_MS / 1000);
		}
		for (int i = 0; i < 2; i++) {
			char chunk[8192], *grown;
			ssize_t n;
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(fds[i].fd, chunk, sizeof(chunk));
			if (n <= 0) {
				fds[i].fd = -1;
				continue;
			}
			if (lens[i] + (size_t)n > OUTPUT_MAX ||
			    (grown = realloc(bufs[i], lens[i] + (size_t)n + 1)) == NULL) {
				free(bufs[0]);
				free(bufs[1]);
				return hull_error_fail(err, EMSGSIZE, "answer longer than %d bytes",
						       OUTPUT_MAX);
			}
			bufs[i] = grown;
			memcpy(bufs[i] + lens[i], chunk, (size_t)n);
			lens[i] += (size_t)n;
			bufs[i][lens[i]] = '\0';
		}
	}
	*out = bufs[0];
	*errout = bufs[1];
	return 0;
}

int net_cni_exec(const struct net_cni_call *call, const char *type, const char *config, char **out,
		 struct hull_error **err)
{
	cleanup_free char *plugin = NULL, *stdout_text = NULL, *stderr_text = NULL;
	int in[2], outp[2], errp[2], status = 0, ret;
	char env[6][4200];
	pid_t pid;

	*out = NULL;
	if ((ret = net_cni_find_plugin(call->path, type, &plugin, err)) < 0)
		return ret;
	snprintf(env[0], sizeof(env[0]), "CNI_COMMAND=%s", call->command);
	snprintf(env[1], sizeof(env[1]), "CNI_CONTAINERID=%s", call->id);
	snprintf(env[2], sizeof(env[2]), "CNI_NETNS=%s", call->netns);
	snprintf(env[3], sizeof(env[3]), "CNI_IFNAME=%s", call->ifname);
	snprintf(env[4], sizeof(env[4]), "CNI_PATH=%s", call->path);
	/* Plugins run iptables and friends by name. */
	snprintf(env[5], sizeof(env[5]), "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	if (pipe2(in, O_CLOEXEC) < 0)
		return hull_error_errno(err, "plugin `%s`: pipe", type);
	if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		ret = hull_error_errno(err, "plugin `%s`: pipe", type);
		close(in[0]);
		close(in[1]);
		return ret;
	}
	pid = fork();
	if (pid < 0) {
		ret = hull_error_errno(err, "plugin `%s`: fork", type);
		goto close_all;
	}
	if (pid == 0) {
		char *argv[] = {(char *)type, NULL};
		char *envp[] = {env[0], env[1], env[2], env[3], env[4], env[5], NULL};
		if (dup2(in[0], 0) < 0 || dup2(outp[1], 1) < 0 || dup2(errp[1], 2) < 0)
			_exit(127);
		execve(plugin, argv, envp);
		_exit(127);
	}
	close(in[0]);
	close(outp[1]);
	close(errp[1]);
	in[0] = outp[1] = errp[1] = -1;
	/* Plugins read their whole configuration before they answer; it is far below a pipe's size. */
	signal(SIGPIPE, SIG_IGN);
	if (write(in[1], config, strlen(config)) < 0)
		ret = hull_error_errno(err, "plugin `%s`: write its configuration", type);
	close(in[1]);
	in[1] = -1;
	if (ret >= 0 && (ret = collect(outp[0], errp[0], &stdout_text, &stderr_text, err)) < 0)
		hull_error_wrap(err, "plugin `%s`", type);
	if (ret < 0)
		kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) < 0 && ret >= 0)
		ret = hull_error_errno(err, "plugin `%s`: wait", type);
	if (ret >= 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		ret = plugin_failed(err, type, status, stdout_text, stderr_text);
	if (ret >= 0 && stdout_text && *stdout_text)
		*out = steal_pointer(&stdout_text);
close_all:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	return ret;
}
