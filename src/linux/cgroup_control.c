/* Acting on a running container's cgroup: freezing it and killing everything in it.  v2 has kernel
 * interfaces for both (cgroup.freeze, cgroup.kill); v1 has the freezer controller and a signal per pid. */
#include "linux/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/process.h"

/* Polls `file` until it holds `want` (the kernel freezes asynchronously): about two seconds. */
static int wait_for(const char *file, const char *want, struct hull_error **err)
{
	for (int i = 0; i < 400; i++) {
		cleanup_free char *text = NULL;
		if (fs_read_file(AT_FDCWD, file, &text, NULL, err) < 0)
			return -1;
		if (strstr(text, want))
			return 0;
		usleep(i < 50 ? 1000 : 5000);
	}
	return hull_error_fail(err, ETIMEDOUT, "%s did not reach `%s`", file, want);
}

int cgroup_freeze(const struct cgroup_set *set, bool freeze, struct hull_error **err)
{
	char path[4200];

	/* v2 first: on a hybrid host the unified hierarchy holds the same processes. */
	if (cgroup_set_find(set, "cgroup.freeze", path, sizeof(path))) {
		if (fs_write_file(AT_FDCWD, path, freeze ? "1" : "0", 1, err) < 0)
			return -1;
		memcpy(path + strlen(path) - strlen("freeze"), "events", sizeof("events"));
		return wait_for(path, freeze ? "frozen 1" : "frozen 0", err);
	}
	if (cgroup_set_find(set, "freezer.state", path, sizeof(path))) {
		const char *state = freeze ? "FROZEN" : "THAWED";
		if (fs_write_file(AT_FDCWD, path, state, strlen(state), err) < 0)
			return -1;
		return wait_for(path, state, err);
	}
	return hull_error_fail(err, ENOTSUP,
			       "this host has no cgroup freezer (neither cgroup.freeze nor "
			       "the v1 freezer controller)");
}

static bool pid_listed(const pid_t *pids, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* Without cgroup.kill a signal goes to each pid the cgroup lists, and a pid read from cgroup.procs may
 * exit and be reused by a process outside the container before the signal is sent.  So each pid is first
 * pinned with a pidfd, then the list is read again: a pidfd whose pid is still listed names a process of
 * the cgroup (a live process keeps its pid), and one whose process died meanwhile gets nothing. */
int cgroup_kill_all(const struct cgroup_set *set, int signo, struct hull_error **err)
{
	cleanup_free pid_t *pids = NULL, *again = NULL;
	cleanup_free int *fds = NULL;
	char path[4200];
	size_t n = 0, n_again = 0;
	int ret = 0;

	/* cgroup.kill (Linux 5.14) kills atomically, also processes forking meanwhile. */
	if (signo == SIGKILL && cgroup_set_find(set, "cgroup.kill", path, sizeof(path)) &&
	    fs_write_file(AT_FDCWD, path, "1", 1, NULL) == 0)
		return 0;
	if (cgroup_list_pids(set, &pids, &n, err) < 0)
		return -1;
	fds = calloc(n + 1, sizeof(int));
	if (fds == NULL)
		return hull_error_set(err, ENOMEM, "signal cgroup");
	for (size_t i = 0; i < n; i++)
		fds[i] = process_pidfd_open(pids[i], 0);
	if (cgroup_list_pids(set, &again, &n_again, err) < 0)
		ret = -1;
	for (size_t i = 0; i < n; i++) {
		if (ret == 0 && pid_listed(again, n_again, pids[i])) {
			int r = process_pidfd_send(fds[i], pids[i], signo);
			if (r < 0 && r != -ESRCH)
				ret = hull_error_set(err, -r, "signal process %d", pids[i]);
		}
		if (fds[i] >= 0)
			close(fds[i]);
	}
	return ret;
}
