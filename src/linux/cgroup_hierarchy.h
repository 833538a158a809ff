/* The cgroup hierarchies a host presents, found from /proc/self/cgroup and /proc/self/mountinfo the way
 * stock hosts lay them out: v1 controllers alone or co-mounted (`cpu,cpuacct`, `net_cls,net_prio`),
 * named hierarchies with options (`name=systemd,xattr`), a unified mount at /sys/fs/cgroup (v2) or
 * /sys/fs/cgroup/unified (hybrid), mounts of a subtree (cgroup namespaces, bind mounts). */
#ifndef HULL_LINUX_CGROUP_HIERARCHY_H
#define HULL_LINUX_CGROUP_HIERARCHY_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

struct cgroup_hierarchy {
	char *mountpoint;  /* /sys/fs/cgroup/cpu,cpuacct */
	char *controllers; /* what /proc/self/cgroup lists: "cpu,cpuacct", "name=systemd", "" if unified */
	char *own_path;	   /* the caller's cgroup, relative to the mount: "/user.slice/x" */
	char *mount_root;  /* the subtree that is mounted: "/" unless a namespace or bind shows less */
	bool unified;
};

struct cgroup_hierarchies {
	struct cgroup_hierarchy *list;
	size_t n;
};

/* From the text of /proc/<pid>/cgroup and /proc/self/mountinfo; one entry per hierarchy (the first of
 * several mounts of one hierarchy), in mountinfo's order. */
int cgroup_hierarchies_parse(const char *proc_cgroup, const char *mountinfo, struct cgroup_hierarchies *out,
			     struct hull_error **err);

/* The caller's own. */
int cgroup_hierarchies_read(struct cgroup_hierarchies *out, struct hull_error **err);

void cgroup_hierarchies_free(struct cgroup_hierarchies *h);

/* Whether h holds controller (a v1 name like "memory", "name=systemd", or "" for the unified one). */
bool cgroup_hierarchy_has(const struct cgroup_hierarchy *h, const char *controller);

/* pid's cgroup in h (the path /proc/<pid>/cgroup gives, made relative to h's mount), malloc'd; "" when
 * the file does not list the hierarchy. */
char *cgroup_hierarchy_path_of(const struct cgroup_hierarchy *h, const char *proc_cgroup);

/* The directory name a container's view gives the hierarchy: "unified", "systemd" for name=systemd,
 * else its controllers ("cpu,cpuacct"). */
const char *cgroup_hierarchy_dir_name(const struct cgroup_hierarchy *h);

/* The hierarchy whose mount holds dir (a path under its mountpoint), or NULL. */
const struct cgroup_hierarchy *cgroup_hierarchies_holding(const struct cgroup_hierarchies *all,
							  const char *dir);

/* Whether the caller may make cgroups with controllers of its own: only under a pure v2 hierarchy whose
 * cgroup of the caller is writable by it (delegated, as systemd's user@.service does). */
bool cgroup_delegated_to_caller(void);

#endif
