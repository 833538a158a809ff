#include "linux/devices.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "linux/mounts.h"
#include "util/cleanup.h"
#include "util/rootpath.h"

static const struct oci_device default_devices[] = {
    {.path = "/dev/null", .type = 'c', .major = 1, .minor = 3},
    {.path = "/dev/zero", .type = 'c', .major = 1, .minor = 5},
    {.path = "/dev/full", .type = 'c', .major = 1, .minor = 7},
    {.path = "/dev/random", .type = 'c', .major = 1, .minor = 8},
    {.path = "/dev/urandom", .type = 'c', .major = 1, .minor = 9},
    {.path = "/dev/tty", .type = 'c', .major = 5, .minor = 0},
};

static int bind_host_device(int root_fd, const struct oci_device *d, struct hull_error **err)
{
	cleanup_close int fd = rootpath_ensure(root_fd, d->path, false, 0600, err);
	char target[MOUNT_FD_PATH_MAX];

	if (fd < 0)
		return fd;
	mount_fd_path(fd, target);
	if (mount(d->path, target, NULL, MS_BIND, NULL) < 0)
		return hull_error_errno(err, "bind host device `%s`", d->path);
	return 0;
}

static int make_device(int root_fd, const struct oci_device *d, struct hull_error **err)
{
	char parent[4096];
	const char *name = strrchr(d->path, '/') + 1;
	cleanup_close int dir_fd = -1;
	mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
	mode_t mode = d->has_mode ? d->mode & 07777 : 0666;

	snprintf(parent, sizeof(parent), "%.*s", (int)(name - d->path), d->path);
	dir_fd = rootpath_ensure(root_fd, parent, true, 0755, err);
	if (dir_fd < 0)
		return dir_fd;
	/* The O_PATH descriptor of the resolved parent cannot be used with mknodat: reopen it as a directory.
	 */
	cleanup_close int real_dir = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (real_dir < 0)
		return hull_error_errno(err, "open `%s`", parent);
	/* A file planted at the path by the image must not survive as something else. */
	if (unlinkat(real_dir, name, 0) < 0 && errno != ENOENT && errno != EISDIR)
		return hull_error_errno(err, "replace `%s`", d->path);
	if (mknodat(real_dir, name, type | mode, makedev(d->major, d->minor)) < 0)
		return hull_error_errno(err, "create device `%s`", d->path);
	if (fchmodat(real_dir, name, mode, 0) < 0)
		return hull_error_errno(err, "chmod `%s`", d->path);
	if (fchownat(real_dir, name, d->has_uid ? d->uid : 0, d->has_gid ? d->gid : 0, AT_SYMLINK_NOFOLLOW) <
	    0)
		return hull_error_errno(err, "chown `%s`", d->path);
	return 0;
}

static int create_one(int root_fd, const struct oci_device *d, bool new_user_ns, struct hull_error **err)
{
	if (new_user_ns)
		return bind_host_device(root_fd, d, err);
	return make_device(root_fd, d, err);
}

int devices_create(int root_fd, const struct oci_spec *spec, bool new_user_ns, struct hull_error **err)
{
	int ret;

	for (size_t i = 0; i < sizeof(default_devices) / sizeof(default_devices[0]); i++) {
		bool overridden = false;
		for (size_t j = 0; j < spec->linux_.n_devices; j++)
			overridden |= strcmp(spec->linux_.devices[j].path, default_devices[i].path) == 0;
		if (!overridden && (ret = create_one(root_fd, &default_devices[i], new_user_ns, err)) < 0)
			return ret;
	}
	for (size_t j = 0; j < spec->linux_.n_devices; j++)
		if ((ret = create_one(root_fd, &spec->linux_.devices[j], new_user_ns, err)) < 0)
			return ret;
	return 0;
}

int devices_create_symlinks(int root_fd, struct hull_error **err)
{
	static const struct {
		const char *target, *name;
	} links[] = {
	    {"/proc/self/fd", "fd"},	   {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
	    {"/proc/self/fd/2", "stderr"}, {"/proc/kcore", "core"},
	};
	cleanup_close int dev = rootpath_open(root_fd, "/dev", O_RDONLY | O_DIRECTORY, err);
	struct statfs st;

	if (dev < 0)
		return dev;
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlinkat(links[i].target, dev, links[i].name) < 0 && errno != EEXIST)
			return hull_error_errno(err, "create /dev/%s", links[i].name);
	/* With a devpts instance of its own, /dev/ptmx must lead to it, not to the host's multiplexer. */
	cleanup_close int pts = openat(dev, "pts", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (pts >= 0 && fstatfs(pts, &st) == 0 && st.f_type == DEVPTS_SUPER_MAGIC) {
		if (unlinkat(dev, "ptmx", 0) < 0 && errno != ENOENT)
			return hull_error_errno(err, "replace /dev/ptmx");
		if (symlinkat("pts/ptmx", dev, "ptmx") < 0)
			return hull_error_errno(err, "create /dev/ptmx");
	}
	return 0;
}
