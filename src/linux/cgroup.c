#include "linux/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "linux/cgroup_hierarchy.h"
#include "linux/mounts.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/rootpath.h"

int cgroup_detect_layout(enum cgroup_layout *out, struct hull_error **err)
{
	struct statfs st;

	if (statfs("/sys/fs/cgroup", &st) < 0)
		return hull_error_errno(err, "statfs /sys/fs/cgroup");
	if (st.f_type == CGROUP2_SUPER_MAGIC) {
		*out = CGROUP_LAYOUT_V2;
		return 0;
	}
	*out = statfs("/sys/fs/cgroup/unified", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC
		   ? CGROUP_LAYOUT_HYBRID
		   : CGROUP_LAYOUT_V1;
	return 0;
}

/* A new v1 cpuset cgroup starts with no cpus and no memory nodes, and no process can enter it until they
 * are set: copy them from the nearest ancestor that has them. */
static int cpuset_inherit(const char *dir, struct hull_error **err)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};

	for (size_t i = 0; i < 2; i++) {
		cleanup_free char *path = NULL, *value = NULL, *parent = NULL;
		if (asprintf(&path, "%s/%s", dir, files[i]) < 0)
			return hull_error_set(err, ENOMEM, "cpuset");
		if (fs_read_file(AT_FDCWD, path, &value, NULL, NULL) < 0 ||
		    strspn(value, " \n") != strlen(value))
			continue;
		parent = strdup(dir);
		if (parent == NULL)
			return hull_error_set(err, ENOMEM, "cpuset");
		free(value);
		value = NULL;
		char *slash = strrchr(parent, '/');
		if (slash == NULL)
			continue;
		*slash = '\0';
		if (cpuset_inherit(parent, err) < 0)
			return -1;
		cleanup_free char *parent_file = NULL;
		if (asprintf(&parent_file, "%s/%s", parent, files[i]) < 0)
			return hull_error_set(err, ENOMEM, "cpuset");
		if (fs_read_file(AT_FDCWD, parent_file, &value, NULL, err) < 0)
			return -1;
		if (fs_write_file(AT_FDCWD, path, value, strlen(value), err) < 0)
			return -1;
	}
	return 0;
}

/* On v2 a cgroup has only the controllers its parent lists in cgroup.subtree_control: enable every
 * available one on the way down from the mount to the container's parent.  A level that holds processes
 * refuses (the no-internal-process rule) and keeps what it has. */
static void enable_controllers(const char *mountpoint, const char *dir)
{
	size_t len = strlen(mountpoint);
	cleanup_free char *path = strdup(dir);
	char *slash;

	if (path == NULL || strncmp(path, mountpoint, len) != 0)
		return;
	for (char *p = path + len;; p = slash + 1) {
		cleanup_free char *available = NULL, *enabled = NULL, *file = NULL;
		slash = strchr(p + (*p == '/'), '/');
		if (slash == NULL)
			break;
		*slash = '\0';
		if (asprintf(&file, "%s/cgroup.controllers", path) < 0 ||
		    fs_read_file(AT_FDCWD, file, &available, NULL, NULL) < 0)
			break;
		free(file);
		file = NULL;
		if (asprintf(&file, "%s/cgroup.subtree_control", path) < 0 ||
		    fs_read_file(AT_FDCWD, file, &enabled, NULL, NULL) < 0)
			break;
		for (char *c = strtok(available, " \n"); c; c = strtok(NULL, " \n")) {
			char word[64];
			const char *at = strstr(enabled, c);
			size_t n = strlen(c);
			if (at && (at == enabled || at[-1] == ' ') &&
			    (at[n] == ' ' || at[n] == '\n' || !at[n]))
				continue;
			snprintf(word, sizeof(word), "+%s", c);
			if (fs_write_file(AT_FDCWD, file, word, strlen(word), NULL) < 0)
				hull_log_debug("cgroup %s: cannot enable %s for children", path, c);
		}
		*slash = '/';
	}
}

int cgroup_create(const char *cgroups_path, const char *id, struct cgroup_set *out, struct hull_error **err)
{
	struct cgroup_hierarchies all = {0};
	struct cgroup_hierarchy *h;
	size_t n;
	cleanup_free char *relative = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	if (cgroups_path == NULL || *cgroups_path == '\0') {
		if (asprintf(&relative, "hull/%s", id) < 0)
			return hull_error_set(err, ENOMEM, "cgroup");
		cgroups_path = relative;
	}
	if (strstr(cgroups_path, "..") || strchr(cgroups_path, ':'))
		return hull_error_invalid(
		    err,
		    "cgroup `%s`: invalid path (no `..`; systemd paths need the systemd "
		    "cgroup manager)",
		    cgroups_path);
	ret = cgroup_hierarchies_read(&all, err);
	if (ret < 0)
		return ret;
	h = all.list;
	n = all.n;
	out->dirs = calloc(n + 1, sizeof(char *));
	if (out->dirs == NULL) {
		cgroup_hierarchies_free(&all);
		return hull_error_set(err, ENOMEM, "cgroup");
	}
	for (size_t i = 0; i < n; i++) {
		char *dir = NULL;
		const char *base = cgroups_path[0] == '/' ? "" : h[i].own_path;
		if (asprintf(&dir, "%s%s%s/%s", h[i].mountpoint, *base == '/' ? "" : "", base,
			     cgroups_path + (cgroups_path[0] == '/')) < 0) {
			ret = hull_error_set(err, ENOMEM, "cgroup");
			break;
		}
		out->dirs[out->n_dirs++] = dir;
		ret = fs_mkdir_parents(dir, 0755, err);
		/* Only where v2 is the host's whole layout: on a hybrid host the unified hierarchy is meant
		 * to hold no controllers (the v1 ones do the work), and one enabled at its root makes crun
		 * and others refuse every container there. */
		if (ret == 0 && h[i].unified && n == 1)
			enable_controllers(h[i].mountpoint, dir);
		if (ret == 0 && cgroup_hierarchy_has(&h[i], "cpuset"))
			ret = cpuset_inherit(dir, err);
		if (ret < 0)
			break;
	}
	cgroup_hierarchies_free(&all);
	if (ret < 0) {
		struct hull_error *ignored = NULL;
		cgroup_remove(out, &ignored);
		hull_error_free(&ignored);
		cgroup_set_free(out);
		return hull_error_wrap(err, "create cgroup `%s`", cgroups_path);
	}
	return 0;
}

int cgroup_set_from_pid(pid_t pid, const char *must_contain, struct cgroup_set *out, struct hull_error **err)
{
	struct cgroup_hierarchies all = {0};
	cleanup_free char *text = NULL;
	char file[64];
	int ret;

	memset(out, 0, sizeof(*out));
	snprintf(file, sizeof(file), "/proc/%d/cgroup", pid);
	if ((ret = fs_read_file(AT_FDCWD, file, &text, NULL, err)) < 0 ||
	    (ret = cgroup_hierarchies_read(&all, err)) < 0)
		return ret;
	out->dirs = calloc(all.n + 1, sizeof(char *));
	for (size_t i = 0; out->dirs && i < all.n; i++) {
		cleanup_free char *path = cgroup_hierarchy_path_of(&all.list[i], text);
		char *dir = NULL;
		if (path == NULL || *path != '/' || strstr(path, must_contain) == NULL || strstr(path, ".."))
			continue;
		if (asprintf(&dir, "%s%s", all.list[i].mountpoint, path) < 0)
			break;
		out->dirs[out->n_dirs++] = dir;
	}
	cgroup_hierarchies_free(&all);
	if (out->dirs == NULL)
		return hull_error_set(err, ENOMEM, "cgroup");
	return 0;
}

const char *cgroup_set_find(const struct cgroup_set *set, const char *file, char *path, size_t len)
{
	for (size_t i = 0; i < set->n_dirs; i++) {
		snprintf(path, len, "%s/%s", set->dirs[i], file);
		if (access(path, F_OK) == 0)
			return set->dirs[i];
	}
	return NULL;
}

int cgroup_set_open_unified(const struct cgroup_set *set)
{
	struct statfs st;

	for (size_t i = 0; i < set->n_dirs; i++) {
		int fd = open(set->dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0 && fstatfs(fd, &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
			return fd;
		if (fd >= 0)
			close(fd);
	}
	return -1;
}

static int check_sub_path(const char *spec, const char *path, struct hull_error **err)
{
	if (*path == '\0' || *path == '/')
		return hull_error_invalid(
		    err, "--cgroup `%s`: the path must be relative to the container's cgroup", spec);
	for (const char *p = path; *p;) {
		size_t len = strcspn(p, "/");
		if (len == 2 && strncmp(p, "..", 2) == 0)
			return hull_error_invalid(
			    err, "--cgroup `%s`: `..` would leave the container's cgroup", spec);
		p += len + (p[len] == '/');
	}
	return 0;
}

/* The path the specs give for hierarchy h, or NULL when none names it. */
static const char *sub_path_for(const struct cgroup_hierarchy *h, const char *const *specs, size_t n)
{
	const char *all = NULL;

	for (size_t i = 0; i < n; i++) {
		const char *colon = strchr(specs[i], ':');
		if (colon == NULL) {
			all = specs[i];
			continue;
		}
		cleanup_free char *list = strndup(specs[i], (size_t)(colon - specs[i]));
		char *save = NULL;
		if (list == NULL)
			continue;
		if (*list == '\0' && h->unified)
			return colon + 1;
		for (char *c = strtok_r(list, ",", &save); c; c = strtok_r(NULL, ",", &save))
			if (cgroup_hierarchy_has(h, c))
				return colon + 1;
	}
	return all;
}

int cgroup_set_sub(const struct cgroup_set *set, const char *const *specs, size_t n_specs,
		   struct cgroup_set *out, struct hull_error **err)
{
	struct cgroup_hierarchies all = {0};
	int ret = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n_specs; i++) {
		const char *colon = strchr(specs[i], ':');
		if ((ret = check_sub_path(specs[i], colon ? colon + 1 : specs[i], err)) < 0)
			return ret;
	}
	if ((ret = cgroup_hierarchies_read(&all, err)) < 0)
		return ret;
	out->dirs = calloc(set->n_dirs + 1, sizeof(char *));
	if (out->dirs == NULL)
		ret = hull_error_set(err, ENOMEM, "cgroup");
	for (size_t i = 0; ret == 0 && i < set->n_dirs; i++) {
		const struct cgroup_hierarchy *h = cgroup_hierarchies_holding(&all, set->dirs[i]);
		const char *sub = h ? sub_path_for(h, specs, n_specs) : NULL;
		struct stat st;
		char *dir = NULL;
		if (asprintf(&dir, "%s%s%s", set->dirs[i], sub ? "/" : "", sub ? sub : "") < 0) {
			ret = hull_error_set(err, ENOMEM, "cgroup");
			break;
		}
		out->dirs[out->n_dirs++] = dir;
		if (sub && (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)))
			ret = hull_error_fail(
			    err, ENOENT, "--cgroup: the container has no sub-cgroup `%s` (%s)", sub, dir);
		else if (sub && cgroup_hierarchy_has(h, "cpuset"))
			ret = cpuset_inherit(dir, err); /* a fresh v1 cpuset admits no process */
	}
	cgroup_hierarchies_free(&all);
	if (ret < 0)
		cgroup_set_free(out);
	return ret;
}

int cgroup_enter(const struct cgroup_set *set, pid_t pid, struct hull_error **err)
{
	char value[32];
	int len = snprintf(value, sizeof(value), "%d", pid);

	for (size_t i = 0; i < set->n_dirs; i++) {
		cleanup_free char *path = NULL;
		if (asprintf(&path, "%s/cgroup.procs", set->dirs[i]) < 0)
			return hull_error_set(err, ENOMEM, "enter cgroup");
		if (fs_write_file(AT_FDCWD, path, value, len, err) < 0)
			return hull_error_wrap(err, "enter cgroup");
	}
	return 0;
}

int cgroup_list_pids(const struct cgroup_set *set, pid_t **pids, size_t *count, struct hull_error **err)
{
	cleanup_free char *text = NULL, *path = NULL;
	pid_t *list = NULL;
	size_t n = 0;

	*pids = NULL;
	*count = 0;
	if (set->n_dirs == 0)
		return 0;
	/* Every hierarchy holds the same processes; read the first. */
	if (asprintf(&path, "%s/cgroup.procs", set->dirs[0]) < 0)
		return hull_error_set(err, ENOMEM, "list cgroup");
	if (fs_read_file(AT_FDCWD, path, &text, NULL, err) < 0)
		return -1;
	for (char *p = text; *p;) {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p)
			break;
		pid_t *bigger = realloc(list, (n + 1) * sizeof(pid_t));
		if (bigger == NULL) {
			free(list);
			return hull_error_set(err, ENOMEM, "list cgroup");
		}
		list = bigger;
		list[n++] = (pid_t)v;
		p = end;
		while (*p == '\n')
			p++;
	}
	*pids = list;
	*count = n;
	return 0;
}

/* Removes dir after its child cgroups, deepest first: a cgroup with children cannot be removed, and a
 * container may have made sub-cgroups of its own (systemd inside it, or `exec --cgroup`).  Processes
 * still inside a level are killed there, and the kernel given a moment to release them. */
static int remove_tree(const char *dir, int depth, struct hull_error **err)
{
	cleanup_closedir DIR *d = NULL;
	struct dirent *e;
	int tries = 0;

	if (depth > 64)
		return hull_error_fail(err, ELOOP, "remove cgroup `%s`: nested too deep", dir);
	d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT ? 0 : hull_error_errno(err, "remove cgroup `%s`", dir);
	while ((e = readdir(d)) != NULL) {
		cleanup_free char *child = NULL;
		if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (asprintf(&child, "%s/%s", dir, e->d_name) < 0)
			return hull_error_set(err, ENOMEM, "remove cgroup `%s`", dir);
		if (remove_tree(child, depth + 1, err) < 0)
			return -1;
	}
	while (rmdir(dir) < 0) {
		if (errno == ENOENT)
			break;
		if (errno != EBUSY || ++tries > 100)
			return hull_error_errno(err, "remove cgroup `%s`", dir);
		if (tries == 1) {
			char *one[] = {(char *)dir, NULL};
			struct cgroup_set level = {.dirs = one, .n_dirs = 1};
			struct hull_error *ignored = NULL;
			cgroup_kill_all(&level, SIGKILL, &ignored);
			hull_error_free(&ignored);
		}
		usleep(10000);
	}
	return 0;
}

int cgroup_remove(const struct cgroup_set *set, struct hull_error **err)
{
	for (size_t i = 0; i < set->n_dirs; i++)
		if (remove_tree(set->dirs[i], 0, err) < 0)
			return -1;
	return 0;
}

void cgroup_set_free(struct cgroup_set *set)
{
	strv_free(set->dirs);
	set->dirs = NULL;
	set->n_dirs = 0;
}

json_object *cgroup_set_to_json(const struct cgroup_set *set)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < set->n_dirs; i++)
		json_object_array_add(a, json_object_new_string(set->dirs[i]));
	return a;
}

int cgroup_set_from_json(json_object *array, struct cgroup_set *out, struct hull_error **err)
{
	size_t n = array ? json_object_array_length(array) : 0;

	memset(out, 0, sizeof(*out));
	out->dirs = calloc(n + 1, sizeof(char *));
	if (out->dirs == NULL)
		return hull_error_set(err, ENOMEM, "cgroup");
	for (size_t i = 0; i < n; i++) {
		const char *dir = json_object_get_string(json_object_array_get_idx(array, i));
		/* The state file is the runtime's own, but a path outside the cgroup tree is never acted on.
		 */
		if (dir == NULL || strncmp(dir, "/sys/fs/cgroup", 14) != 0 || strstr(dir, "..")) {
			cgroup_set_free(out);
			return hull_error_invalid(err, "state: invalid cgroup path");
		}
		out->dirs[out->n_dirs++] = strdup(dir);
	}
	return 0;
}

/* One hierarchy in a directory under dest_fd.  In a cgroup namespace a fresh mount shows the namespace's
 * root, the container's own cgroup.  Without one, /proc/self/cgroup gives the host's view of our cgroup and
 * its directory is bind-mounted.  (In a cgroup namespace that file says "/", so a bind would expose the
 * whole host hierarchy.) */
static int mount_hierarchy(int dest_fd, const struct cgroup_hierarchy *h, unsigned long flags,
			   bool new_cgroup_ns, struct hull_error **err)
{
	const char *sub = cgroup_hierarchy_dir_name(h);
	cleanup_free char *src = NULL;
	cleanup_close int sub_fd = -1;
	char target[MOUNT_FD_PATH_MAX];

	if (mkdirat(dest_fd, sub, 0755) < 0 && errno != EEXIST)
		return hull_error_errno(err, "create cgroup directory `%s`", sub);
	/* Co-mounted controllers get a directory named after all of them and a symlink per controller
	 * (cpu -> cpu,cpuacct), the layout programs inside containers expect from runc and Docker. */
	if (strchr(sub, ',') && strncmp(h->controllers, "name=", 5) != 0) {
		cleanup_free char *copy = strdup(sub);
		char *save = NULL;
		for (char *c = copy ? strtok_r(copy, ",", &save) : NULL; c; c = strtok_r(NULL, ",", &save))
			if (strncmp(c, "name=", 5) != 0 && symlinkat(sub, dest_fd, c) < 0 && errno != EEXIST)
				return hull_error_errno(err, "link cgroup directory `%s`", c);
	}
	sub_fd = openat(dest_fd, sub, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub_fd < 0)
		return hull_error_errno(err, "open cgroup directory `%s`", sub);
	mount_fd_path(sub_fd, target);
	if (new_cgroup_ns) {
		if (mount("cgroup", target, h->unified ? "cgroup2" : "cgroup", flags,
			  h->unified ? NULL : h->controllers) < 0)
			return hull_error_errno(err, "mount cgroup `%s`", sub);
		return 0;
	}
	if (asprintf(&src, "%s%s", h->mountpoint, h->own_path) < 0)
		return hull_error_set(err, ENOMEM, "cgroup `%s`", sub);
	if (mount(src, target, NULL, MS_BIND | MS_REC, NULL) < 0)
		return hull_error_errno(err, "bind cgroup `%s`", src);
	/* The bind covers the directory: reopen to reach the new mount for the remount. */
	close(sub_fd);
	sub_fd = openat(dest_fd, sub, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub_fd < 0)
		return hull_error_errno(err, "open cgroup directory `%s`", sub);
	mount_fd_path(sub_fd, target);
	return mount_remount(target, sub_fd, flags, err);
}

/* The container sees its own cgroup as the root of each hierarchy: a tmpfs at the destination with one
 * directory per hierarchy, each a bind mount of the container's cgroup directory on the host (on v2 the
 * unified hierarchy is mounted at the destination itself).  The caller's cgroup must be the container's
 * own by now. */
int cgroup_mount_in_container(int root_fd, const char *destination, unsigned long flags, bool new_cgroup_ns,
			      struct hull_error **err)
{
	struct cgroup_hierarchies all = {0};
	struct cgroup_hierarchy *h;
	size_t n;
	enum cgroup_layout layout;
	cleanup_close int dest_fd = -1;
	char target[MOUNT_FD_PATH_MAX];
	unsigned long common = flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME | MS_NOATIME);
	int ret;

	if ((ret = cgroup_detect_layout(&layout, err)) < 0 || (ret = cgroup_hierarchies_read(&all, err)) < 0)
		return ret;
	h = all.list;
	n = all.n;
	dest_fd = rootpath_ensure(root_fd, destination, true, 0755, err);
	if (dest_fd < 0) {
		ret = dest_fd;
		goto out;
	}
	mount_fd_path(dest_fd, target);
	if (layout == CGROUP_LAYOUT_V2) {
		ret = new_cgroup_ns ? mount("cgroup2", target, "cgroup2", common | (flags & MS_RDONLY), NULL)
				    : -1;
		if (ret < 0) {
			cleanup_free char *src = NULL;
			ret = asprintf(&src, "%s%s", n ? h[0].mountpoint : "/sys/fs/cgroup",
				       n ? h[0].own_path : "");
			if (ret < 0 || mount(src, target, NULL, MS_BIND | MS_REC, NULL) < 0) {
				ret = hull_error_errno(err, "mount cgroup2");
				goto out;
			}
			ret = mount_remount(target, dest_fd, flags, err);
		}
		goto out;
	}
	if (mount("tmpfs", target, "tmpfs", common, "mode=755") < 0) {
		ret = hull_error_errno(err, "mount tmpfs for cgroups");
		goto out;
	}
	close(dest_fd);
	dest_fd = rootpath_open(root_fd, destination, O_PATH | O_DIRECTORY, err);
	if (dest_fd < 0) {
		ret = dest_fd;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if ((ret = mount_hierarchy(dest_fd, &h[i], common | (flags & MS_RDONLY), new_cgroup_ns,
					   err)) < 0)
			goto out;
	if (flags & MS_RDONLY) {
		mount_fd_path(dest_fd, target);
		ret = mount_remount(target, dest_fd, common | MS_RDONLY, err);
	}
out:
	cgroup_hierarchies_free(&all);
	return ret < 0 ? hull_error_wrap(err, "mount cgroups") : 0;
}
