/* /dev inside the container, as runc sets it up: the standard nodes, linux.devices, the usual symlinks. */
#ifndef HULL_LINUX_DEVICES_H
#define HULL_LINUX_DEVICES_H

#include <stdbool.h>

#include "oci/spec.h"
#include "util/error.h"

/* Creates the default devices (null, zero, full, random, urandom, tty) and those of linux.devices in the
 * root's /dev.  In a new user namespace mknod is not allowed: the host's node is bind-mounted instead. */
int devices_create(int root_fd, const struct oci_spec *spec, bool new_user_ns, struct hull_error **err);

/* /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr, /dev/core and /dev/ptmx (when /dev/pts is a devpts). */
int devices_create_symlinks(int root_fd, struct hull_error **err);

#endif
