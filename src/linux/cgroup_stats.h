/* What a container's cgroups have used, for `events`. */
#ifndef HULL_LINUX_CGROUP_STATS_H
#define HULL_LINUX_CGROUP_STATS_H

#include <stdint.h>

#include <json-c/json.h>

#include "linux/cgroup.h"

/* {"cpu": {"usage": {"total", "user", "kernel"}}, "memory": {"usage": {"usage", "limit", "max",
 * "failcnt"}}, "pids": {"current", "limit"}}: nanoseconds and bytes, as runc reports them. */
json_object *cgroup_stats(const struct cgroup_set *set);

/* How many processes the OOM killer has killed in the container's memory cgroup. */
uint64_t cgroup_oom_kills(const struct cgroup_set *set);

#endif
