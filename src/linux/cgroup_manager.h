/* Who makes and removes a container's cgroups, chosen once per container: cgroupfs (the runtime writes the
 * hierarchies itself, on v1, hybrid and v2 alike: a hybrid host has both kinds, so the difference is per
 * hierarchy and lives in cgroup.c and the writers), systemd (a transient scope over D-Bus) or disabled (the
 * container stays in the runtime's cgroup).  create and delete call only this interface; the state records
 * the manager's name so that delete uses the one create used. */
#ifndef HULL_LINUX_CGROUP_MANAGER_H
#define HULL_LINUX_CGROUP_MANAGER_H

#include <stdbool.h>
#include <sys/types.h>

#include "linux/cgroup.h"
#include "util/error.h"

/* What create asks of the manager. */
struct cgroup_request {
	const char *cgroups_path; /* linux.cgroupsPath, NULL or "" for the default */
	const char *id;
	bool user;    /* not root: systemd's user instance; a cgroupfs without delegation may mean none */
	bool limited; /* the config has limits or device rules, so a cgroup is required */
};

struct cgroup_manager {
	const char *name; /* "cgroupfs", "systemd", "disabled" */
	/* Before anything exists: refuses what this manager cannot do with the request. */
	int (*check)(const struct cgroup_request *req, struct hull_error **err);
	/* Before the init exists: the cgroups it is born into (may stay empty). */
	int (*create)(const struct cgroup_request *req, struct cgroup_set *set, struct hull_error **err);
	/* The init exists and waits: put it into the container's cgroups, filling set if create could not.
	 * *unit is the manager's own name for them (systemd's scope), recorded in the state, or NULL. */
	int (*attach)(const struct cgroup_request *req, pid_t pid, struct cgroup_set *set, char **unit,
		      struct hull_error **err);
	/* At delete and on create's undo, once the processes are gone. */
	int (*destroy)(const struct cgroup_set *set, const char *unit, bool user, struct hull_error **err);
};

extern const struct cgroup_manager cgroup_manager_cgroupfs;
extern const struct cgroup_manager cgroup_manager_systemd;
extern const struct cgroup_manager cgroup_manager_disabled;

/* The manager of that name, or NULL. */
const struct cgroup_manager *cgroup_manager_find(const char *name);

#endif
