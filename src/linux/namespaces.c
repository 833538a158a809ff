#include "linux/namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	for (size_t i = 0; i < count; i++)
		if (setns(joins[i].fd, joins[i].type) < 0)
			return hull_error_errno(err, "join %s namespace", oci_namespace_name(joins[i].type));
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

int namespaces_write_id_maps(pid_t pid, const struct oci_spec *spec, struct hull_error **err)
{
	const struct oci_linux *l = &spec->linux_;
	int ret;

	/* Without CAP_SETGID in the parent namespace the kernel accepts a gid_map only after setgroups is
	 * denied, or a process could drop supplementary groups used to deny it access. */
	if (geteuid() != 0) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/setgroups", pid);
		if (fs_write_file(AT_FDCWD, path, "deny", 4, err) < 0)
			return hull_error_wrap(err, "user namespace");
	}
	ret = write_map(pid, "uid_map", l->uid_mappings, l->n_uid_mappings, err);
	if (ret == 0)
		ret = write_map(pid, "gid_map", l->gid_mappings, l->n_gid_mappings, err);
	return ret;
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
