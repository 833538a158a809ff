/* cgroups as the runtime core needs them: find the host's hierarchies (v1, hybrid or v2), create the
 * container's cgroup in each, move a process in, signal and list its processes, remove it, and mount the
 * container's view of it.  Resource limits are the job of the cgroup resource writers. */
#ifndef HULL_LINUX_CGROUP_H
#define HULL_LINUX_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "util/error.h"

enum cgroup_layout { CGROUP_LAYOUT_V1, CGROUP_LAYOUT_HYBRID, CGROUP_LAYOUT_V2 };

/* The container's cgroup: one directory per hierarchy. */
struct cgroup_set {
	char **dirs; /* NULL-terminated, e.g. /sys/fs/cgroup/pids/hull/web */
	size_t n_dirs;
};

int cgroup_detect_layout(enum cgroup_layout *out, struct hull_error **err);

/* Resolves cgroups_path (absolute: from each hierarchy's root; relative or empty: below the caller's own
 * cgroup, empty meaning `hull/<id>`) and creates the directories. */
int cgroup_create(const char *cgroups_path, const char *id, struct cgroup_set *out, struct hull_error **err);

/* The directories of pid's cgroups whose path contains must_contain (a systemd unit name). */
int cgroup_set_from_pid(pid_t pid, const char *must_contain, struct cgroup_set *out, struct hull_error **err);

/* The first of the container's directories that has `file` (its path in path), or NULL: how the
 * writers find the hierarchy of a controller file on v1, hybrid and v2 alike. */
const char *cgroup_set_find(const struct cgroup_set *set, const char *file, char *path, size_t len);

/* The container's directory on the unified (v2) hierarchy, opened close-on-exec for clone3's
 * CLONE_INTO_CGROUP, or -1 when it has none. */
int cgroup_set_open_unified(const struct cgroup_set *set);

/* The sub-cgroups runc's `exec --cgroup` names: each spec is PATH (every hierarchy) or
 * CONTROLLER[,CONTROLLER]:PATH (the hierarchies holding one of them; "" names the unified one), PATH
 * relative to the container's cgroup and existing already.  `..` and absolute paths are refused, so the
 * process cannot leave the container's cgroups; hierarchies no spec names keep the container's cgroup. */
int cgroup_set_sub(const struct cgroup_set *set, const char *const *specs, size_t n_specs,
		   struct cgroup_set *out, struct hull_error **err);

int cgroup_enter(const struct cgroup_set *set, pid_t pid, struct hull_error **err);

/* Signals every process of the cgroup (SIGKILL through cgroup.kill where the kernel has it). */
int cgroup_kill_all(const struct cgroup_set *set, int signo, struct hull_error **err);

/* Freezes or thaws every process (cgroup.freeze on v2, preferred; the v1 freezer otherwise) and waits
 * until the kernel reports it done. */
int cgroup_freeze(const struct cgroup_set *set, bool freeze, struct hull_error **err);

/* The pids in the cgroup (malloc'd). */
int cgroup_list_pids(const struct cgroup_set *set, pid_t **pids, size_t *count, struct hull_error **err);

/* Removes the directories; processes still inside are killed first and waited for a while. */
int cgroup_remove(const struct cgroup_set *set, struct hull_error **err);

void cgroup_set_free(struct cgroup_set *set);

/* For the state document. */
json_object *cgroup_set_to_json(const struct cgroup_set *set);
int cgroup_set_from_json(json_object *array, struct cgroup_set *out, struct hull_error **err);

/* Mounts the container's cgroups at destination inside the root (config.json's "cgroup" mount). */
int cgroup_mount_in_container(int root_fd, const char *destination, unsigned long flags, bool new_cgroup_ns,
			      struct hull_error **err);

#endif
