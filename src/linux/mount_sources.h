/* Bind-mount sources opened by the runtime, on the host, before the container exists.  In a new user
 * namespace the init is the mapped root, which the host's permissions do not let into a source only host
 * root can reach (a 0700 directory, a file under /root): the runtime takes each source as a detached
 * mount (open_tree OPEN_TREE_CLONE) and the init moves it into place (move_mount), as runc and crun do. */
#ifndef HULL_LINUX_MOUNT_SOURCES_H
#define HULL_LINUX_MOUNT_SOURCES_H

#include <stdbool.h>
#include <stddef.h>

#include "oci/spec.h"
#include "util/error.h"

/* One close-on-exec descriptor per config.json mount, -1 where the init binds by path (not a bind mount,
 * no new user namespace, a source missing now, which a hook may still create, or a kernel without
 * open_tree).  An id-mapped mount (`idmap`/`ridmap`, or uidMappings on the mount) is always opened here and
 * given its mappings (mount_setattr MOUNT_ATTR_IDMAP with a user namespace made for them): the mount's
 * own, else the container's. */
struct mount_sources {
	int *fds;
	size_t n;
};

/* bundle: its absolute path, which relative sources are resolved from. */
int mount_sources_open(const struct oci_spec *spec, const char *bundle, bool new_user_ns,
		       struct mount_sources *out, struct hull_error **err);

void mount_sources_close(struct mount_sources *s);

#endif
