/* Paths inside a container root.
 *
 * A container's root filesystem is untrusted: an image or a previous run of the container may have
 * planted symlinks such as `/proc -> /` or `etc -> ../../host`.  Every path the runtime touches inside a
 * root is therefore resolved with openat2(RESOLVE_IN_ROOT), which treats the root descriptor as "/" for
 * absolute symlinks and "..", so resolution can never step outside of it, and the result is used only as
 * a descriptor (mounted on via /proc/self/fd/N), never as a path string that could be swapped later. */
#ifndef HULL_UTIL_ROOTPATH_H
#define HULL_UTIL_ROOTPATH_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

/* Opens path inside root_fd with open flags (O_CLOEXEC is added). */
int rootpath_open(int root_fd, const char *path, int flags, struct hull_error **err);

/* Like rootpath_open, but no symlink may be met on the way, not even one that stays inside the root:
 * for paths whose meaning would change if they were redirected (masked and read-only paths, the mount
 * points of proc and sysfs).  A symlink gives ELOOP. */
int rootpath_open_nofollow(int root_fd, const char *path, int flags, struct hull_error **err);

/* Makes sure path exists inside the root, creating missing parents as directories and the last component
 * as a directory or, if !directory, an empty file.  A dangling symlink on the way is refused.  Returns an
 * O_PATH descriptor of it. */
int rootpath_ensure(int root_fd, const char *path, bool directory, mode_t mode, struct hull_error **err);

/* rootpath_ensure for a mount point: a dangling symlink on the way is followed (inside the root) and its
 * target created, as runc creates a mount point that a symlink of the image names. */
int rootpath_ensure_mountpoint(int root_fd, const char *path, bool directory, mode_t mode,
			       struct hull_error **err);

#endif
