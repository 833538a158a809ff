#include "linux/namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "oci/names.h"
#include "util/cleanup.h"
#include "util/fs.h"

int namespaces_new_flags(const struct oci_spec *spec)
{
	int flags = 0;

	for (size_t i = 0; i < spec->linux_.n_namespaces; i++)
		if (spec->linux_.namespaces[i].path == NULL)
			flags |= spec->linux_.namespaces[i].type;
	return flags;
}

int namespaces_open_joins(const struct oci_spec *spec, struct namespace_join **out, size_t *count,
			  struct hull_error **err)
{
	struct namespace_join *joins = calloc(spec->linux_.n_namespaces + 1, sizeof(*joins));
	size_t n = 0;

	if (joins == NULL)
		return hull_error_set(err, ENOMEM, "namespaces");
	/* The user namespace goes first: the others are then joined with the privileges it grants. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < spec->linux_.n_namespaces; i++) {
			const struct oci_namespace *ns = &spec->linux_.namespaces[i];
			if (ns->path == NULL || (pass == 0) != (ns->type == CLONE_NEWUSER))
				continue;
			joins[n].type = ns->type;
			joins[n].fd = open(ns->path, O_RDONLY | O_CLOEXEC);
			if (joins[n].fd < 0) {
				int saved = errno;
				namespaces_close_joins(joins, n);
				return hull_error_set(err, saved, "open %s namespace `%s`",
						      oci_namespace_name(ns->type), ns->path);
			}
			n++;
		}
	}
	*out = joins;
	*count = n;
	return 0;
}

int namespaces_open_process(pid_t pid, struct namespace_join **out, size_t *count, struct hull_error **err)
{
	/* The mount namespace after the others (their files are already open), the user namespace last:
	 * as root of the host the runtime may enter every namespace a container has, also ones the container
	 * joined from the host, which its own user namespace would not grant. */
	static const struct {
		int type;
		const char *file;
	} order[] = {{CLONE_NEWIPC, "ipc"}, {CLONE_NEWUTS, "uts"},	 {CLONE_NEWNET, "net"},
		     {CLONE_NEWPID, "pid"}, {CLONE_NEWCGROUP, "cgroup"}, {CLONE_NEWTIME, "time"},
		     {CLONE_NEWNS, "mnt"},  {CLONE_NEWUSER, "user"}};
	struct namespace_join *joins = calloc(sizeof(order) / sizeof(order[0]) + 1, sizeof(*joins));
	size_t n = 0;

	if (joins == NULL)
		return hull_error_set(err, ENOMEM, "namespaces");
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		char theirs[64], ours[64];
		struct stat a, b;
		snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", pid, order[i].file);
		snprintf(ours, sizeof(ours), "/proc/self/ns/%s", order[i].file);
		if (stat(theirs, &a) < 0) {
			if (errno == ENOENT && order[i].type == CLONE_NEWTIME)
				continue; /* a kernel without time namespaces */
			namespaces_close_joins(joins, n);
			return hull_error_errno(err, "%s", theirs);
		}
		if (stat(ours, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			continue; /* shared with us already */
		joins[n].type = order[i].type;
		joins[n].fd = open(theirs, O_RDONLY | O_CLOEXEC);
		if (joins[n].fd < 0) {
			int saved = errno;
			namespaces_close_joins(joins, n);
			return hull_error_set(err, saved, "open %s", theirs);
		}
		n++;
	}
	*out = joins;
	*count = n;
	return 0;
}

int namespaces_join(const struct namespace_join *joins, size_t count, struct hull_error **err)
{
	/* An unprivileged runtime has no capability over the container's other namespaces until it is in
	 * the user namespace that owns them (where, as its owner, it has them all): that one first.  Root
	 * keeps the user namespace last (see namespaces_open_process). */
	bool user_first = geteuid() != 0;

	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < count; i++) {
			bool user = joins[i].type == CLONE_NEWUSER;
			if ((pass == 0) != (user_first && user))
				continue;
			if (setns(joins[i].fd, joins[i].type) < 0)
				return hull_error_errno(err, "join %s namespace",
							oci_namespace_name(joins[i].type));
		}
	return 0;
}

void namespaces_close_joins(struct namespace_join *joins, size_t count)
{
	for (size_t i = 0; joins && i < count; i++)
		close(joins[i].fd);
	free(joins);
}

static int write_map(pid_t pid, const char *file, const struct oci_id_mapping *maps, size_t n,
		     struct hull_error **err)
{
	char path[64];
	char buf[4096];
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n", maps[i].container_id,
				 maps[i].host_id, maps[i].size);
		if (w < 0 || (size_t)w >= sizeof(buf) - len)
			return hull_error_set(err, E2BIG, "write %s: too many mappings", file);
		len += w;
	}
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	if (fs_write_file(AT_FDCWD, path, buf, len, err) < 0)
		return hull_error_wrap(err, "write %s", file);
	return 0;
}

/* Runs newuidmap or newgidmap (setuid helpers that check /etc/subuid and /etc/subgid) for pid; their
 * own message says which range is not allowed. */
static int run_map_helper(const char *tool, pid_t pid, const struct oci_id_mapping *maps, size_t n,
			  struct hull_error **err)
{
	char *argv[2 + 3 * 32 + 1];
	char numbers[1 + 3 * 32][16];
	char out[512] = "";
	int pipefd[2], status = 0;
	size_t k = 0, len = 0;
	pid_t child;
	ssize_t r;

	if (n > 32)
		return hull_error_invalid(err, "%s: at most 32 ranges", tool);
	argv[k++] = (char *)tool;
	snprintf(numbers[0], sizeof(numbers[0]), "%d", pid);
	argv[k++] = numbers[0];
	for (size_t i = 0; i < n; i++) {
		snprintf(numbers[1 + 3 * i], 16, "%u", maps[i].container_id);
		snprintf(numbers[2 + 3 * i], 16, "%u", maps[i].host_id);
		snprintf(numbers[3 + 3 * i], 16, "%u", maps[i].size);
		argv[k++] = numbers[1 + 3 * i];
		argv[k++] = numbers[2 + 3 * i];
		argv[k++] = numbers[3 + 3 * i];
	}
	argv[k] = NULL;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return hull_error_errno(err, "pipe");
	child = fork();
	if (child < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return hull_error_errno(err, "fork");
	}
	if (child == 0) {
		dup2(pipefd[1], STDERR_FILENO);
		execvp(tool, argv);
		_exit(errno == ENOENT ? 126 : 127);
	}
	close(pipefd[1]);
	while (len < sizeof(out) - 1 && (r = read(pipefd[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)r;
	close(pipefd[0]);
	out[len] = '\0';
	while (len && (out[len - 1] == '\n' || out[len - 1] == ' '))
		out[--len] = '\0';
	for (char *c = out; *c; c++)
		if (*c == '\n')
			*c = ' ';
	waitpid(child, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 126)
		return hull_error_fail(
		    err, ENOENT,
		    "mapping more than your own id needs %s (Debian package uidmap), which "
		    "is not installed",
		    tool);
	return hull_error_fail(err, EPERM, "%s refused the mapping (is the range in /etc/sub%cid?): %s", tool,
			       strcmp(tool, "newuidmap") == 0 ? 'u' : 'g', *out ? out : "no reason given");
}

/* A non-root caller may write a map itself only for its own id, mapped once. */
static bool own_id_only(const struct oci_id_mapping *maps, size_t n, uint32_t id)
{
	return n == 1 && maps[0].host_id == id && maps[0].size == 1;
}

/* uid_what and gid_what name the maps in a message. */
static int write_maps(pid_t pid, const struct oci_id_mapping *uids, size_t n_uids,
		      const struct oci_id_mapping *gids, size_t n_gids, const char *uid_what,
		      const char *gid_what, struct hull_error **err)
{
	bool root = geteuid() == 0;
	int ret;

	if (root || own_id_only(uids, n_uids, geteuid()))
		ret = write_map(pid, "uid_map", uids, n_uids, err);
	else
		ret = run_map_helper("newuidmap", pid, uids, n_uids, err);
	if (ret < 0)
		return hull_error_wrap(err, "%s", uid_what);
	if (root) {
		ret = write_map(pid, "gid_map", gids, n_gids, err);
	} else if (own_id_only(gids, n_gids, getegid())) {
		/* Without CAP_SETGID in the parent namespace the kernel accepts a gid_map only after
		 * setgroups is denied, or a process could drop supplementary groups used to deny it access.
		 */
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/setgroups", pid);
		ret = fs_write_file(AT_FDCWD, path, "deny", 4, err);
		if (ret == 0)
			ret = write_map(pid, "gid_map", gids, n_gids, err);
	} else {
		ret = run_map_helper("newgidmap", pid, gids, n_gids, err);
	}
	return ret < 0 ? hull_error_wrap(err, "%s", gid_what) : 0;
}

int namespaces_write_maps(pid_t pid, const struct oci_id_mapping *uids, size_t n_uids,
			  const struct oci_id_mapping *gids, size_t n_gids, struct hull_error **err)
{
	return write_maps(pid, uids, n_uids, gids, n_gids, "uid map", "gid map", err);
}

int namespaces_write_id_maps(pid_t pid, const struct oci_spec *spec, struct hull_error **err)
{
	const struct oci_linux *l = &spec->linux_;

	return write_maps(pid, l->uid_mappings, l->n_uid_mappings, l->gid_mappings, l->n_gid_mappings,
			  "linux.uidMappings", "linux.gidMappings", err);
}

int namespaces_open_mapped_userns(const struct oci_id_mapping *uids, size_t n_uids,
				  const struct oci_id_mapping *gids, size_t n_gids, struct hull_error **err)
{
	char path[64], byte;
	int hold[2], fd = -1, ret;
	pid_t pid;

	if (pipe2(hold, O_CLOEXEC) < 0)
		return hull_error_errno(err, "pipe");
	/* A child born in the new namespace holds it while its maps are written and it is opened; it exits
	 * when the pipe closes. */
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0) {
		ret = hull_error_errno(err, "create user namespace for id-mapped mount");
		close(hold[0]);
		close(hold[1]);
		return ret;
	}
	if (pid == 0) {
		close(hold[1]);
		_exit(read(hold[0], &byte, 1) < 0);
	}
	close(hold[0]);
	ret = write_map(pid, "uid_map", uids, n_uids, err);
	if (ret == 0)
		ret = write_map(pid, "gid_map", gids, n_gids, err);
	if (ret == 0) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			ret = hull_error_errno(err, "open %s", path);
	}
	close(hold[1]);
	waitpid(pid, NULL, 0);
	return ret < 0 ? ret : fd;
}

int namespaces_write_time_offsets(const struct oci_spec *spec, struct hull_error **err)
{
	char buf[256];
	size_t len = 0;

	for (size_t i = 0; i < spec->linux_.n_time_offsets; i++) {
		const struct oci_time_offset *t = &spec->linux_.time_offsets[i];
		len += snprintf(buf + len, sizeof(buf) - len, "%s %lld %u\n",
				t->clock == CLOCK_MONOTONIC ? "monotonic" : "boottime", (long long)t->secs,
				t->nanosecs);
	}
	if (len == 0)
		return 0;
	/* All offsets in one write, before the first process enters the namespace: after that they are fixed.
	 */
	return fs_write_file(AT_FDCWD, "/proc/self/timens_offsets", buf, len, err);
}
