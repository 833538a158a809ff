/* Rootless hull: every command of one unprivileged user runs as root of one user namespace (the user's
 * id as 0, the ranges /etc/subuid and /etc/subgid give it as 1 on) and in one mount namespace, both held
 * by a pause process, so that what one command mounts (a container's overlay) and unpacks (files owned
 * by the image's users) is there for the next.  podman works the same way. */
#ifndef HULL_LINUX_PAUSE_H
#define HULL_LINUX_PAUSE_H

#include <sys/types.h>

#include "oci/spec.h"
#include "util/error.h"

#define PAUSE_MAX_RANGES 8

/* The ranges file (/etc/subuid or /etc/subgid) gives user (by name) or number (NULL: none), in the file's
 * order; malformed, empty and overflowing lines are skipped.  Returns how many, at most max. */
struct pause_subid_range {
	uint32_t start, count;
};
size_t pause_subid_ranges(const char *file, const char *user, const char *number,
			  struct pause_subid_range *out, size_t max);

/* The maps of the user's namespace: its own id as 0, then the ranges of file (/etc/subuid or
 * /etc/subgid) for user (by name) or id (by number) as 1 on, in the file's order; malformed or
 * overflowing lines are skipped.  maps holds PAUSE_MAX_RANGES + 1; returns how many it got. */
size_t pause_subid_maps(const char *file, const char *user, unsigned id, struct oci_id_mapping *maps);

/* Joins the user's namespaces, starting the pause process (DIR/pause.pid) when none runs; nothing for
 * root or a process already inside a user namespace.  Must be called while single-threaded. */
int pause_enter(const char *dir, struct hull_error **err);

/* The pause process of DIR, or 0 when none runs. */
pid_t pause_pid(const char *dir);

#endif
