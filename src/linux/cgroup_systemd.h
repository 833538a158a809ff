/* The systemd cgroup manager: the container's cgroup is a transient scope unit (Delegate=yes) that
 * systemd creates over D-Bus, as runc's --systemd-cgroup and crun's --cgroup-manager=systemd do.  Limits
 * are then written into the delegated cgroup directly.  libsystemd is loaded with dlopen when this manager
 * is used, so that other runs do not pay for it and hosts without it still run hull. */
#ifndef HULL_LINUX_CGROUP_SYSTEMD_H
#define HULL_LINUX_CGROUP_SYSTEMD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "linux/cgroup.h"
#include "util/error.h"

struct systemd_unit {
	char slice[256]; /* system.slice */
	char name[256];	 /* hull-web.scope */
};

/* cgroupsPath in systemd's form, "slice:prefix:name" (any part may be empty), or empty for
 * "<default slice>:hull:<id>".  The unit becomes prefix-name.scope in the slice. */
int systemd_unit_parse(const char *cgroups_path, const char *id, bool user, struct systemd_unit *out,
		       struct hull_error **err);

/* Whether systemd runs the host (its runtime directory exists). */
bool systemd_is_running(void);

/* Starts the scope with pid in it and returns the cgroup directories it got. */
int systemd_scope_start(const struct systemd_unit *unit, pid_t pid, bool user, struct cgroup_set *out,
			struct hull_error **err);

/* Stops the scope (systemd kills what is left and removes its cgroups). */
int systemd_scope_stop(const char *name, bool user, struct hull_error **err);

#endif
