/* The mounts of a container's root filesystem, as config.json lists them. */
#ifndef HULL_LINUX_MOUNTS_H
#define HULL_LINUX_MOUNTS_H

#include <stdbool.h>

#include "oci/spec.h"
#include "util/error.h"

struct mount_context {
	int root_fd;	    /* O_PATH descriptor of the container root */
	bool new_user_ns;   /* mknod and some filesystem mounts are not allowed there */
	bool new_net_ns;    /* sysfs can only be mounted fresh in a network namespace of one's own */
	bool new_cgroup_ns; /* cgroup filesystems show the container's own cgroup as their root */
	int source_fd;	    /* the mount's source as the runtime opened it (mount_sources.h), or -1 */
};

/* Mounts one config.json entry; its destination is resolved inside the root.  With defer_readonly a
 * read-only mount is made writable and 1 is returned: mount_seal_readonly() finishes it once what goes
 * beneath it (submounts, device nodes) is in place. */
int mount_apply(const struct mount_context *ctx, const struct oci_mount *m, bool defer_readonly,
		struct hull_error **err);

/* Makes a mount that mount_apply() deferred read-only, as its options asked. */
int mount_seal_readonly(const struct mount_context *ctx, const struct oci_mount *m, struct hull_error **err);

/* Remounts an existing mount point with flags, keeping the flags the kernel locks (nosuid, nodev, noexec,
 * atime flags) when the mount came from a more privileged mount namespace. */
int mount_remount(const char *target, int target_fd, unsigned long flags, struct hull_error **err);

/* "/proc/self/fd/N" for a descriptor: the path through which mount(2) acts on exactly that object. */
#define MOUNT_FD_PATH_MAX 32
void mount_fd_path(int fd, char buf[MOUNT_FD_PATH_MAX]);

#endif
