/* Switching the container's mount namespace to its root filesystem. */
#ifndef HULL_LINUX_ROOTFS_H
#define HULL_LINUX_ROOTFS_H

#include <stdbool.h>

#include "oci/spec.h"
#include "util/error.h"

/* Stops mount events from flowing back to the host and makes the root directory a mount point.  Returns an
 * O_PATH descriptor of the root. */
int rootfs_prepare(const char *rootfs, const char *propagation, struct hull_error **err);

/* Makes the root (rootfs, its host path) the container's "/": pivot_root, or with no_pivot (roots on
 * ramfs, where pivot_root is impossible) a move of the mount over "/" and chroot, after detaching the
 * host's proc and sysfs mounts. */
int rootfs_enter(int root_fd, const char *rootfs, bool no_pivot, struct hull_error **err);

/* After the switch: rootfsPropagation, maskedPaths, readonlyPaths and a read-only root. */
int rootfs_finish(const struct oci_spec *spec, bool host_mount_ns, struct hull_error **err);

/* Detaches every mount below rootfs (not rootfs itself) in the caller's mount namespace, deepest first:
 * what a container without a mount namespace of its own mounted there. */
void rootfs_unmount_below(const char *rootfs);

/* For a container without a mount namespace: chroot into rootfs (its mounts were made below it). */
int rootfs_enter_chroot(const char *rootfs, struct hull_error **err);

#endif
