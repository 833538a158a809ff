/* Everything the container's first process needs to set itself up, prepared by `create` before the
 * clone so that every decision that can fail on bad input fails before anything exists. */
#ifndef HULL_RUNTIME_LAUNCH_H
#define HULL_RUNTIME_LAUNCH_H

#include <stdbool.h>
#include <sys/types.h>

#include "linux/capabilities.h"
#include "linux/mount_sources.h"
#include "linux/namespaces.h"
#include "linux/seccomp_filter.h"
#include "oci/spec.h"
#include "util/error.h"

struct container_launch {
	const char *id;
	const struct oci_spec *spec;
	const char *bundle; /* absolute; relative bind sources are resolved from it */
	const char *rootfs; /* absolute host path */
	/* The root within the bundle, for the init, whose working directory the runtime made the bundle
	 * before the clone (a new mount namespace takes it along): as root of a new user namespace the init
	 * may not be able to search the directories above the bundle (a store under a 0700 directory), so
	 * it finds the root from there.  NULL (no new user namespace, or a mount namespace joined by path,
	 * which moves the working directory): by the absolute path. */
	const char *rootfs_in_bundle;
	int sync_fd;	  /* the init's end of the sync socket pair */
	int start_fd;	  /* listening start socket (create), -1 when `run` starts it directly */
	int console_fd;	  /* connected --console-socket, -1 when none */
	int preserve_fds; /* descriptors 3 .. 3+n-1 stay open in the container */
	int listen_fds;	  /* of those, how many came with LISTEN_FDS (socket activation) */
	bool no_pivot;
	bool no_new_keyring;
	struct capability_plan caps;
	struct seccomp_filter *seccomp; /* NULL without linux.seccomp */
	int seccomp_listener_fd;	/* connected listenerPath, -1 when no notify rule */
	struct namespace_join *joins;
	size_t n_joins;
	int new_flags;			    /* CLONE_NEW* to create */
	struct mount_sources mount_sources; /* opened by the runtime when the container has a new user ns */
	int cgroup_fd; /* the container's v2 cgroup, which the first child is born in (-1: none) */
	/* The runtime's own descriptors that the clone copies but the init must not hold: the state directory
	 * and above all its lock (flock belongs to the open file, so a copy would keep the container locked).
	 */
	int runtime_fds[3];
};

/* Starts the container's first process and returns its pid (in the runtime's pid namespace) once its user
 * namespace, if new, has its id maps, and a pidfd of it when the clone gave one (-1 otherwise).  The init
 * then waits for SYNC_CONTINUE. */
int container_spawn(struct container_launch *l, int runtime_sync_fd, pid_t *init_pid, int *init_pidfd,
		    struct hull_error **err);

/* The setup sequence inside the new namespaces; never returns. */
__attribute__((noreturn)) void container_init(struct container_launch *l);

#endif
